mod create;
mod replay;
mod restore;

use anyhow::Result;
use clap::Subcommand;

use crate::ui::Ui;
use crate::Env;

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Write a consistent snapshot of the database (mode 0600)
    Create(create::CreateArgs),
    /// Restore a snapshot, re-applying every anonymization recorded since
    Restore(restore::RestoreArgs),
    /// Re-apply the anonymizations the erasure journal has and the database lacks
    Replay,
}

pub fn run(command: BackupCommand, env: &Env, ui: &Ui) -> Result<()> {
    match command {
        BackupCommand::Create(args) => create::run(args, env, ui),
        BackupCommand::Restore(args) => restore::run(args, env, ui),
        BackupCommand::Replay => replay::run(env, ui),
    }
}
