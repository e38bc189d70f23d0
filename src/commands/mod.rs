//! One file per subcommand. A command turns its clap arguments into a typed
//! call of the core and prints the result through [`Ui`]; it decides nothing.
//! Each receives a [`CommandHelper`], which opens the store for it; commands
//! never call each other (what several print lives in `helper.rs`).

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
pub mod helper;
pub mod import;
pub mod init;
pub mod jobs;
pub mod man;
pub mod moves;
pub mod reactivate;
pub mod scan;
pub mod stats;

use anyhow::Result;

pub use helper::{plural, CommandHelper, ListFormat};

use crate::cli::Command;
use crate::ui::Ui;
use crate::Env;

pub fn run(command: Command, env: &Env, ui: &Ui) -> Result<()> {
    let cmd = CommandHelper::new(env, ui);
    let cmd = &cmd;
    let result = match command {
        Command::Init => init::run(cmd),
        Command::Demo(args) => demo::run(args, cmd),
        Command::Import(command) => import::run(command, cmd),
        Command::Move(args) => moves::run(args, cmd),
        Command::Assign(args) => assign::run(args, cmd),
        Command::Archive(args) => archive::run(args, cmd),
        Command::Anonymize(args) => archive::run_anonymize(args, cmd),
        Command::Jobs(args) => jobs::run(args, cmd),
        Command::Export(args) => export::run(args, cmd),
        Command::Backup(command) => backup::run(command, cmd),
        Command::Doctor(args) => doctor::run(args, cmd),
        Command::Scan(args) => scan::run(args, cmd),
        Command::Audit(args) => audit::run(args, cmd),
        Command::Reactivate(args) => reactivate::run(args, cmd),
        Command::Campaign(command) => campaign::run(command, cmd),
        Command::Customer(command) => customer::run(command, cmd),
        Command::Stats => stats::run(cmd),
        Command::Completions(args) => completions::run(args, cmd),
        Command::Man(args) => man::run(args, cmd),
    };
    result.map_err(|err| cmd.with_state_left(err))
}
