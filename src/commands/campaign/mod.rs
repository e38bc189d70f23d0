mod create;
mod list;
mod names;

pub use names::campaign_options;
mod show;

use crate::commands::CommandHelper;
use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum CampaignCommand {
    /// List campaigns with their customer counts (active ones unless told)
    List(list::ListArgs),
    /// Show one campaign: status and customers per stage
    Show(show::ShowArgs),
    /// Create an empty campaign
    Create(create::CreateArgs),
    /// Campaign names, for the shell completions
    #[command(hide = true)]
    Names(names::NamesArgs),
}

pub fn run(command: CampaignCommand, cmd: &CommandHelper) -> Result<()> {
    match command {
        CampaignCommand::List(args) => list::run(args, cmd),
        CampaignCommand::Show(args) => show::run(args, cmd),
        CampaignCommand::Create(args) => create::run(args, cmd),
        CampaignCommand::Names(args) => names::run(args, cmd),
    }
}
