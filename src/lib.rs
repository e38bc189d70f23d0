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
pub mod ids;
pub mod import;
pub mod journal;
pub mod recordings;
pub mod store;
pub mod ui;
pub mod validate;

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
    }
    match commands::run(cli.command, &env, &ui) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => ExitCode::from(report(&ui, &err)),
    }
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
    if db::is_busy(err) {
        ui.error(
            &format!("the database is busy: another cube holds its lock ({err:#})"),
            &[],
            Some("nothing was changed; retry when the other command has finished"),
        );
        return Kind::Busy.exit_code();
    }
    if error::is_disk_full(err) {
        ui.error(
            &format!("{err:#}"),
            &[],
            Some("the disk is full: nothing was changed and no partial file was left; free some space and run it again"),
        );
        return Kind::Failed.exit_code();
    }
    let failure = err.chain().find_map(|c| c.downcast_ref::<Failure>());
    let kind = failure.map_or(Kind::Failed, |f| f.kind);
    let details = failure.map_or(&[][..], |f| &f.details[..]);
    let hint = failure.and_then(|f| f.hint.as_deref());
    ui.error(&format!("{err:#}"), details, hint);
    kind.exit_code()
}
