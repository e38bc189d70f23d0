mod export;
mod find;
mod forget;
pub mod list;
mod show;

use crate::commands::CommandHelper;
use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum CustomerCommand {
    /// List customers, oldest first
    List(list::ListArgs),
    /// Show one customer's card, by reference or customer number
    Show(show::ShowArgs),
    /// Find customers by name, e-mail, phone, customer number or reference
    #[command(after_help = crate::cli::examples::CUSTOMER_FIND)]
    Find(find::FindArgs),
    /// Everything cube holds about one person, as JSON (the right of access)
    Export(export::ExportArgs),
    /// Anonymize exactly these customers, wherever they are (the right to erasure)
    #[command(after_help = crate::cli::examples::CUSTOMER_FORGET)]
    Forget(forget::ForgetArgs),
}

pub fn run(command: CustomerCommand, cmd: &CommandHelper) -> Result<()> {
    match command {
        CustomerCommand::List(args) => list::run(args, cmd),
        CustomerCommand::Show(args) => show::run(args, cmd),
        CustomerCommand::Find(args) => find::run(args, cmd),
        CustomerCommand::Export(args) => export::run(args, cmd),
        CustomerCommand::Forget(args) => forget::run(args, cmd),
    }
}
