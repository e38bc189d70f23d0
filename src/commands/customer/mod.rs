pub mod list;
mod show;

use anyhow::Result;
use clap::Subcommand;

use crate::ui::Ui;
use crate::Env;

#[derive(Debug, Subcommand)]
pub enum CustomerCommand {
    /// List customers, oldest first
    List(list::ListArgs),
    /// Show one customer's card, by cube id or customer number
    Show(show::ShowArgs),
}

pub fn run(command: CustomerCommand, env: &Env, ui: &Ui) -> Result<()> {
    match command {
        CustomerCommand::List(args) => list::run(args, env, ui),
        CustomerCommand::Show(args) => show::run(args, env, ui),
    }
}
