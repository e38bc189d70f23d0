use std::io::Write;

use anyhow::Result;
use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::commands::CommandHelper;
use crate::Cli;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    pub shell: Shell,
}

/// The completion script for `shell`, as committed under `completions/`.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "cube", &mut out);
    out
}

pub fn run(args: CompletionsArgs, cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    let mut out = ui.stdout();
    out.write_all(&script(args.shell))?;
    out.flush()?;
    Ok(())
}
