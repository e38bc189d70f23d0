//! `cube man DIR` (hidden): the manual pages, generated from the CLI
//! definition like the completions, one page per command (`cube.1`,
//! `cube-import-customers.1`, ...). The committed copies under `man/` are
//! written by `scripts/man`, and a test fails when they drift.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, CommandFactory};

use crate::commands::{plural, CommandHelper};
use crate::csvio::AtomicFile;
use crate::Cli;

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The folder to write the pages into (it must exist)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// Every page: its file name and its roff text, parents before children.
pub fn pages() -> Result<Vec<(String, Vec<u8>)>> {
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    let mut pages = Vec::new();
    add_pages(&root, &mut pages)?;
    Ok(pages)
}

fn add_pages(cmd: &clap::Command, pages: &mut Vec<(String, Vec<u8>)>) -> Result<()> {
    let man = clap_mangen::Man::new(cmd.clone())
        .source(format!("cube {}", env!("CARGO_PKG_VERSION")))
        .manual("cube manual");
    let mut text = Vec::new();
    man.render_title(&mut text)?;
    man.render_name_section(&mut text)?;
    man.render_synopsis_section(&mut text)?;
    man.render_description_section(&mut text)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut text)?;
    }
    let subcommands: Vec<&clap::Command> =
        cmd.get_subcommands().filter(|s| !s.is_hide_set()).collect();
    if !subcommands.is_empty() {
        man.render_subcommands_section(&mut text)?;
    }
    if let Some(after) = cmd.get_after_help() {
        examples_section(&after.to_string(), &mut text);
    }
    if cmd.get_version().is_some() {
        man.render_version_section(&mut text)?;
    }
    pages.push((man.get_filename(), text));
    for sub in subcommands {
        add_pages(sub, pages)?;
    }
    Ok(())
}

/// The `Examples:` text of a command's help as an EXAMPLES section, each
/// line as it is (roff would otherwise fill them into one paragraph).
fn examples_section(after_help: &str, out: &mut Vec<u8>) {
    let (heading, body) = match after_help.strip_prefix("Examples:\n") {
        Some(body) => ("EXAMPLES", body),
        None => ("NOTES", after_help),
    };
    out.extend_from_slice(format!(".SH {heading}\n.nf\n").as_bytes());
    for line in body.lines() {
        // roff: a backslash escapes, a leading `.` or `'` is a request, and
        // `-` may print as a hyphen that a copied command cannot use.
        let line = line.replace('\\', "\\e").replace('-', "\\-");
        if line.starts_with(['.', '\'']) {
            out.extend_from_slice(b"\\&");
        }
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    out.extend_from_slice(b".fi\n");
}

pub fn run(args: ManArgs, cmd: &CommandHelper) -> Result<()> {
    let pages = pages()?;
    for (name, text) in &pages {
        let path = args.dir.join(name);
        let mut file = AtomicFile::create(&path, "manual page")?;
        file.file()
            .write_all(text)
            .with_context(|| format!("cannot write {}", path.display()))?;
        file.commit()?;
    }
    cmd.ui.say(&format!(
        "wrote {} into {}",
        plural(pages.len() as u64, "manual page", "manual pages"),
        args.dir.display()
    ));
    Ok(())
}
