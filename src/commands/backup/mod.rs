mod create;
mod list;
mod replay;
mod restore;

use crate::commands::CommandHelper;
use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Write a consistent snapshot of the database (mode 0600)
    Create(create::CreateArgs),
    /// Restore a snapshot, re-applying every anonymization recorded since
    Restore(restore::RestoreArgs),
    /// Re-apply the anonymizations the erasure journal has and the database lacks
    Replay,
    /// List the backups that are still there: those cube wrote, and the other
    /// snapshots in their rolling sets' folders
    List,
}

pub fn run(command: BackupCommand, cmd: &CommandHelper) -> Result<()> {
    match command {
        BackupCommand::Create(args) => create::run(args, cmd),
        BackupCommand::Restore(args) => restore::run(args, cmd),
        BackupCommand::Replay => replay::run(cmd),
        BackupCommand::List => list::run(cmd),
    }
}
