//! One file per subcommand. A command turns its clap arguments into a typed
//! call of the core and prints the result through [`Ui`]; it decides nothing.

pub mod archive;
pub mod assign;
pub mod audit;
pub mod backup;
pub mod campaign;
pub mod completions;
pub mod customer;
pub mod demo;
pub mod doctor;
pub mod export;
pub mod import;
pub mod init;
pub mod jobs;
pub mod moves;
pub mod reactivate;
pub mod stats;

use std::path::PathBuf;

use anyhow::Result;

use crate::cli::Command;
use crate::db::Db;
use crate::journal::Journal;
use crate::ui::Ui;
use crate::Env;
use crate::Failure;

pub fn run(command: Command, env: &Env, ui: &Ui) -> Result<()> {
    match command {
        Command::Init => init::run(env, ui),
        Command::Demo(args) => demo::run(args, env, ui),
        Command::Import(command) => import::run(command, env, ui),
        Command::Move(args) => moves::run(args, env, ui),
        Command::Assign(args) => assign::run(args, env, ui),
        Command::Archive(args) => archive::run(args, env, ui),
        Command::Anonymize(args) => archive::run_anonymize(args, env, ui),
        Command::Jobs(args) => jobs::run(args, env, ui),
        Command::Export(args) => export::run(args, env, ui),
        Command::Backup(command) => backup::run(command, env, ui),
        Command::Doctor => doctor::run(env, ui),
        Command::Audit(args) => audit::run(args, env, ui),
        Command::Reactivate(args) => reactivate::run(args, env, ui),
        Command::Campaign(command) => campaign::run(command, env, ui),
        Command::Customer(command) => customer::run(command, env, ui),
        Command::Stats => stats::run(env, ui),
        Command::Completions(args) => completions::run(args, ui),
    }
}

/// Opens the operator's database (from `--db`, `$CUBE_DB` or the data folder),
/// behind the restore gate: a database that lacks erasures its journal records
/// (an old backup copied into place by hand) is refused until `backup replay`.
pub fn open_db(env: &Env) -> Result<(Db, PathBuf)> {
    let (db, path) = open_db_ungated(env)?;
    gate(&db, &path)?;
    Ok((db, path))
}

/// The restore gate.
fn gate(db: &Db, path: &std::path::Path) -> Result<()> {
    let missing = crate::anonymize::missing_erasures(db, &Journal::of(path))?;
    if !missing.is_empty() {
        return Err(Failure::refused(format!(
            "the database lacks {} anonymizations recorded in its erasure journal (was an old backup copied into place?)",
            missing.len()
        ))
        .hint("run `cube backup replay` to apply them, or `cube backup restore` to restore a backup properly")
        .into());
    }
    Ok(())
}

/// Opens the database, creating it if there is none: for the commands that
/// put data in (`init`, imports, `campaign create`).
pub fn open_or_create_db(env: &Env) -> Result<(Db, PathBuf)> {
    let path = env.db_path()?;
    let db = Db::open(&path, env.busy_timeout)?;
    gate(&db, &path)?;
    Ok((db, path))
}

/// Opens the database without the restore gate: for `backup replay` and
/// `doctor` only.
pub fn open_db_ungated(env: &Env) -> Result<(Db, PathBuf)> {
    let path = env.db_path()?;
    if !path.exists() {
        // A mistyped --db must not quietly make an empty database.
        return Err(
            Failure::failed(format!("there is no database at {}", path.display()))
                .hint("`cube init` creates one there; or name another with --db or CUBE_DB")
                .into(),
        );
    }
    Ok((Db::open(&path, env.busy_timeout)?, path))
}

/// How `list` commands print: an aligned table for people, CSV for scripts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    #[default]
    Table,
    Csv,
}

/// Prints rows as a table or as CSV (neutralized like exports), on stdout.
pub fn print_rows(
    ui: &Ui,
    format: ListFormat,
    header: &[&str],
    rows: &[Vec<String>],
) -> Result<()> {
    match format {
        ListFormat::Table => ui.table(header, rows)?,
        ListFormat::Csv => {
            let mut csv = crate::export::CsvOut::new(ui.stdout(), b',', false, false)?;
            csv.header(header)?;
            for row in rows {
                let cells: Vec<crate::export::Cell> =
                    row.iter().map(|c| crate::export::Cell::Text(c)).collect();
                csv.row(&cells)?;
            }
            std::io::Write::flush(&mut csv.finish()?)?;
        }
    }
    Ok(())
}

/// `1 customer`, `2 customers`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
