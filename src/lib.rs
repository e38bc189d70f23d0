//! cube: the administration command line for a sales CRM's customer data.
//!
//! [`run`] is the whole program; `main` only parses arguments and calls it. The
//! mapping from errors to exit codes lives here and nowhere else, so that the
//! codes documented in the README stay true:
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | success (also: stdout closed early, as by `| head`) |
//! | 1 | failure |
//! | 2 | usage error, or refused (e.g. no explicit choice without a terminal) |
//! | 65 | bad input data |
//! | 75 | try again later (database busy past the timeout) |
//! | 130 | interrupted (Ctrl-C) during a job or at a prompt |

pub mod access;
pub mod anonymize;
pub mod backup;
pub mod cli;
pub mod commands;
pub mod csvio;
pub mod db;
pub mod demo;
pub mod env;
pub mod error;
pub mod export;
pub mod flow;
pub mod hash;
pub mod ids;
pub mod import;
pub mod joblock;
pub mod journal;
pub mod mentions;
pub mod names;
pub mod pages;
pub mod receipt;
pub mod recordings;
pub mod scan;
pub mod store;
pub mod temps;
pub mod ui;
pub mod validate;
pub mod workbook;

use std::io;
use std::process::ExitCode;

pub use cli::Cli;
pub use env::Env;
pub use error::{Failure, Kind};
use ui::Ui;

/// Runs one cube command and returns its exit code.
pub fn run(cli: Cli) -> ExitCode {
    let ui = Ui::new(cli.global.ui_options());
    let env = Env::from_process(cli.global.env_options());
    if let Some(folder) = env
        .db_path()
        .ok()
        .as_deref()
        .and_then(std::path::Path::parent)
    {
        // Where SQLite's temporary files go (see `Db::with_temp_on_disk`): the
        // database's own private folder. Set here, before any thread exists,
        // because changing the environment while threads run is unsafe.
        if !folder.as_os_str().is_empty() {
            std::env::set_var("SQLITE_TMPDIR", folder);
        }
        temps::set_database_folder(if folder.as_os_str().is_empty() {
            std::path::Path::new(".")
        } else {
            folder
        });
    }
    clean_up_on_signals(&ui);
    match commands::run(cli.command, &env, &ui) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => ExitCode::from(report(&ui, &err)),
    }
}

/// On SIGINT, SIGTERM or SIGHUP: removes this process's temporary files (a
/// restore's copy of a snapshot, a half-written export or backup), gives a
/// terminal its cursor back (a prompt hides it), then ends the process. A
/// Ctrl-C at a prompt is left to the prompt, which ends the command saying
/// what it did before (exit 130; see [`ui::prompt_took_interrupt`]). In
/// the middle of an anonymization job it says how far the job got and exits
/// 128 + the signal (130 for Ctrl-C): the job is left as after a kill, every
/// customer untouched or fully anonymized, and `cube jobs resume` finishes
/// it. Otherwise it ends by the same signal, as if no handler were there.
/// Whatever transaction was open is rolled back by SQLite, as after a kill.
fn clean_up_on_signals(ui: &Ui) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    let terminal = ui.stderr_is_terminal();
    std::thread::spawn(move || {
        for signal in signals.forever() {
            if signal == SIGINT && ui::prompt_took_interrupt() {
                // The prompt gives the terminal back and ends the command.
                continue;
            }
            temps::remove_live();
            if terminal {
                ui::show_cursor();
            }
            if let Some((done, total)) = joblock::unfinished() {
                ui::interrupted(
                    &format!("{done} of {total} done; `cube jobs resume` finishes it"),
                    terminal,
                );
                std::process::exit(128 + signal);
            }
            let _ = signal_hook::low_level::emulate_default_handler(signal);
        }
    });
}

/// Prints `err` the one way cube prints errors and returns its exit code.
fn report(ui: &Ui, err: &anyhow::Error) -> u8 {
    if err
        .chain()
        .filter_map(|c| c.downcast_ref::<io::Error>())
        .any(|e| e.kind() == io::ErrorKind::BrokenPipe)
    {
        // The reader of our stdout went away (`cube ... | head`): not an error.
        return 0;
    }
    let left = err.downcast_ref::<error::StateLeft>().map(|s| s.0.as_str());
    if err
        .chain()
        .filter_map(|c| c.downcast_ref::<io::Error>())
        .any(|e| e.kind() == io::ErrorKind::Interrupted)
    {
        // Ctrl-C at a prompt, which gave the terminal back itself.
        let code = Kind::Interrupted.exit_code();
        match left {
            Some(left) => ui.error("interrupted", &[], Some(left), code),
            None => ui.error("interrupted; nothing was changed", &[], None, code),
        }
        return code;
    }
    let message = error::message(err);
    if db::is_busy(err) {
        let hint = match left {
            Some(left) => format!("{left}; retry when the other command has finished"),
            None => "nothing was changed; retry when the other command has finished".into(),
        };
        let code = Kind::Busy.exit_code();
        ui.error(
            &format!("the database is busy: another cube holds its lock ({message})"),
            &[],
            Some(&hint),
            code,
        );
        return code;
    }
    if error::is_disk_full(err) {
        let hint = match left {
            Some(left) => format!("the disk is full. {left}; free some space and run it again"),
            None => "the disk is full: nothing was changed and no partial file was left; free some space and run it again".into(),
        };
        let code = Kind::Failed.exit_code();
        ui.error(&message, &[], Some(&hint), code);
        return code;
    }
    let failure = err.chain().find_map(|c| c.downcast_ref::<Failure>());
    let kind = failure.map_or(Kind::Failed, |f| f.kind);
    let details = failure.map_or(&[][..], |f| &f.details[..]);
    let hint = match (failure.and_then(|f| f.hint.as_deref()), left) {
        (Some(hint), Some(left)) => Some(format!("{left}; {hint}")),
        (hint, left) => hint.or(left).map(String::from),
    };
    ui.error(&message, details, hint.as_deref(), kind.exit_code());
    kind.exit_code()
}

/// Prints an error of clap's own (a mistyped flag, a missing argument) the
/// way cube prints every error, `cube: error: ...` (or JSON with `--json`),
/// and returns its exit code, 2. Help and the version go to stdout as clap
/// writes them.
pub fn usage_error(err: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if !err.use_stderr() || err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        let _ = err.print();
        return ExitCode::from(err.exit_code().clamp(0, 255) as u8);
    }
    let ui = Ui::new(ui::UiOptions {
        json: env::asks_for_json(),
        ..ui::UiOptions::default()
    });
    let text = err.render().to_string();
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("the command line is not understood");
    let message = first.strip_prefix("error: ").unwrap_or(first);
    let mut details = Vec::new();
    let mut tips = Vec::new();
    for line in lines {
        if let Some(tip) = line.strip_prefix("tip: ") {
            tips.push(tip.to_string());
        } else if !line.starts_with("For more information") {
            details.push(line.to_string());
        }
    }
    if tips.is_empty() {
        // `Usage: cube export [OPTIONS] <REPORT>` names the command.
        let command: Vec<&str> = details
            .iter()
            .find_map(|l| l.strip_prefix("Usage: "))
            .unwrap_or("cube")
            .split_whitespace()
            .take_while(|w| !w.starts_with(['[', '<', '-']))
            .collect();
        tips.push(format!("see `{} --help`", command.join(" ")));
    }
    let code = Kind::Refused.exit_code();
    ui.error(message, &details, Some(&tips.join("; ")), code);
    ExitCode::from(code)
}
