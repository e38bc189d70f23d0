//! `cube campaign names`: campaign names for the shell completions.
//!
//! The committed completion scripts (`completions/`) are generated from the
//! CLI and know nothing of the database. Where a campaign name may go, they
//! ask this hidden command, passing what is typed after `cube`: it finds the
//! argument under the cursor from the CLI definition itself (an argument
//! whose value name is `CAMPAIGN` takes a campaign name) and prints the names
//! that start with what is typed, whatever its case. It exits 1 where no
//! campaign name goes, and the script completes as it would without it.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Arg, Args, Command, CommandFactory};

use crate::commands::CommandHelper;
use crate::{names, Cli, Failure};

/// The value name that marks an argument as a campaign name.
const CAMPAIGN: &str = "CAMPAIGN";

#[derive(Debug, Args)]
pub struct NamesArgs {
    /// What is typed after `cube`, the last word being completed; without
    /// any, every campaign's name
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub words: Vec<String>,
}

pub fn run(args: NamesArgs, cmd: &CommandHelper) -> Result<()> {
    let slot = if args.words.is_empty() {
        Slot::default()
    } else {
        campaign_slot(&args.words).ok_or_else(|| Failure::failed("no campaign name goes there"))?
    };
    let Slot { typed, prefix, db } = slot;
    let db = match db {
        Some(db) => db,
        None => cmd.env.db_path()?,
    };
    let fitting: Vec<String> = crate::db::campaign_names_at(&db)
        .into_iter()
        .filter(|name| names::starts(name, &typed))
        .map(|name| format!("{prefix}{name}"))
        .collect();
    if !fitting.is_empty() {
        cmd.ui.line(&fitting.join("\n"))?;
    }
    Ok(())
}

/// A place on a command line where a campaign name goes.
#[derive(Debug, Default, PartialEq, Eq)]
struct Slot {
    /// What is typed of the name so far, without shell quoting.
    typed: String,
    /// What the word holds before the name (`--to=`), when the shell
    /// completes whole words.
    prefix: String,
    /// The database the command line names with `--db`, if it does.
    db: Option<PathBuf>,
}

/// Whether the last of `words` (typed after `cube`) is a campaign name, by
/// the CLI definition: the value of an option, or a positional argument,
/// whose value name is `CAMPAIGN`.
fn campaign_slot(words: &[String]) -> Option<Slot> {
    let (current, before) = words.split_last()?;
    let mut root = Cli::command();
    root.build();
    // The command being typed, and the ones above it (whose global options
    // it takes too).
    let mut path: Vec<&Command> = vec![&root];
    let mut db = None;
    let mut pending: Option<&Arg> = None;
    let mut positionals = 0;
    let mut only_positionals = false;
    for word in before {
        if let Some(option) = pending.take() {
            if option.get_id() == "db" {
                db = Some(PathBuf::from(unquote(word)));
            }
            continue;
        }
        if only_positionals || !word.starts_with('-') || word == "-" {
            let command = path[path.len() - 1];
            match command.find_subcommand(word.as_str()) {
                Some(sub) if positionals == 0 && !only_positionals => {
                    path.push(sub);
                }
                _ => positionals += 1,
            }
        } else if word == "--" {
            only_positionals = true;
        } else if let Some(long) = word.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (long, None),
            };
            if let Some(option) = find(&path, |a| a.get_long() == Some(name)) {
                match value {
                    Some(value) if option.get_id() == "db" => db = Some(unquote(value).into()),
                    Some(_) => {}
                    None if takes_value(option) => pending = Some(option),
                    None => {}
                }
            }
        } else {
            // A cluster of short flags (`-qv`); one taking a value takes
            // the rest of the word, or the next word.
            let shorts: Vec<char> = word.chars().skip(1).collect();
            for (i, c) in shorts.iter().enumerate() {
                if let Some(option) = find(&path, |a| a.get_short() == Some(*c)) {
                    if takes_value(option) {
                        if i + 1 == shorts.len() {
                            pending = Some(option);
                        }
                        break;
                    }
                }
            }
        }
    }
    let slot = |prefix: &str, typed: &str| Slot {
        typed: unquote(typed),
        prefix: prefix.to_string(),
        db: db.clone(),
    };
    if let Some(option) = pending {
        return is_campaign(option).then(|| slot("", current));
    }
    if current.starts_with('-') && !only_positionals {
        let (name, typed) = current.strip_prefix("--")?.split_once('=')?;
        let option = find(&path, |a| a.get_long() == Some(name))?;
        return is_campaign(option).then(|| slot(&current[..current.len() - typed.len()], typed));
    }
    let command = path[path.len() - 1];
    let listed: Vec<&Arg> = command.get_positionals().collect();
    let positional = listed.get(positionals).copied().or_else(|| {
        listed
            .last()
            .copied()
            .filter(|a| a.get_num_args().is_some_and(|n| n.max_values() > 1))
    })?;
    is_campaign(positional).then(|| slot("", current))
}

/// The long names of the options of `command` and its subcommands that take
/// a campaign name.
pub fn campaign_options(command: &Command, longs: &mut Vec<String>) {
    for arg in command.get_arguments().filter(|a| is_campaign(a)) {
        longs.extend(arg.get_long().map(String::from));
    }
    for sub in command.get_subcommands() {
        campaign_options(sub, longs);
    }
}

/// The option `matches` finds in the command being typed or above it.
fn find<'a>(path: &[&'a Command], matches: impl Fn(&Arg) -> bool) -> Option<&'a Arg> {
    path.iter()
        .rev()
        .find_map(|command| command.get_arguments().find(|a| matches(a)))
}

fn takes_value(option: &Arg) -> bool {
    option.get_action().takes_values()
}

fn is_campaign(arg: &Arg) -> bool {
    arg.get_value_names()
        .and_then(|names| names.first())
        .is_some_and(|name| name.as_str() == CAMPAIGN)
}

/// A word as a shell would take it: without a leading quote, with
/// backslash escapes (`Vår\ 2026`) undone.
fn unquote(word: &str) -> String {
    let word = word.strip_prefix(['"', '\'']).unwrap_or(word);
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '"' | '\'' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(line: &str) -> Option<(String, Option<String>)> {
        let mut words: Vec<String> = line.split(' ').map(String::from).collect();
        if line.ends_with(' ') {
            words.pop();
            words.push(String::new());
        }
        campaign_slot(&words).map(|s| {
            (
                format!("{}{}", s.prefix, s.typed),
                s.db.map(|p| p.display().to_string()),
            )
        })
    }

    fn typed(text: &str) -> Option<(String, Option<String>)> {
        Some((text.to_string(), None))
    }

    #[test]
    fn campaign_arguments_are_found_wherever_they_are() {
        assert_eq!(slot("archive Vå"), typed("Vå"));
        assert_eq!(slot("archive Vår Hø"), typed("Hø"), "a list of them");
        assert_eq!(slot("archive --keep-customers "), typed(""));
        assert_eq!(slot("anonymize --yes h"), typed("h"));
        assert_eq!(slot("reactivate "), typed(""));
        assert_eq!(slot("assign "), typed(""));
        assert_eq!(slot("campaign show \"Vår"), typed("Vår"));
        assert_eq!(slot("move --to "), typed(""));
        assert_eq!(slot("move --to Vår --from "), typed(""));
        assert_eq!(slot("import customers c.csv --campaign V"), typed("V"));
        assert_eq!(slot("export sales --campaign "), typed(""));
        assert_eq!(slot("customer list --campaign "), typed(""));
        assert_eq!(slot("move --to=Vå"), typed("--to=Vå"));
        assert_eq!(slot("scan --campaign "), typed(""));
        assert_eq!(
            slot("--db /tmp/x.db -q archive "),
            Some((String::new(), Some("/tmp/x.db".into())))
        );
        assert_eq!(
            slot("archive --db=/tmp/y.db "),
            Some((String::new(), Some("/tmp/y.db".into())))
        );
    }

    #[test]
    fn shell_quoting_is_undone() {
        assert_eq!(unquote("Vår\\ 2026"), "Vår 2026");
        assert_eq!(unquote("'Vår 2"), "Vår 2");
        assert_eq!(unquote("\"Vår 2026\""), "Vår 2026");
    }

    #[test]
    fn other_arguments_are_left_to_the_static_completion() {
        assert_eq!(slot(""), None, "a command");
        assert_eq!(slot("arch"), None);
        assert_eq!(slot("archive --"), None, "an option");
        assert_eq!(slot("assign Vår --seller "), None);
        assert_eq!(slot("assign Vår "), None, "assign takes one campaign");
        assert_eq!(slot("import customers "), None, "a file");
        assert_eq!(slot("campaign create "), None, "a new name");
        assert_eq!(slot("stats "), None);
        assert_eq!(slot("--db "), None);
        assert_eq!(slot("move --customer "), None);
        assert_eq!(slot("export sales --from=2"), None);
    }
}
