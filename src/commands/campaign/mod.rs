mod create;
mod list;
mod show;

use anyhow::Result;
use clap::Subcommand;

use crate::ui::Ui;
use crate::Env;

#[derive(Debug, Subcommand)]
pub enum CampaignCommand {
    /// List campaigns with their customer counts (active ones unless told)
    List(list::ListArgs),
    /// Show one campaign: status and customers per stage
    Show(show::ShowArgs),
    /// Create an empty campaign
    Create(create::CreateArgs),
}

pub fn run(command: CampaignCommand, env: &Env, ui: &Ui) -> Result<()> {
    match command {
        CampaignCommand::List(args) => list::run(args, env, ui),
        CampaignCommand::Show(args) => show::run(args, env, ui),
        CampaignCommand::Create(args) => create::run(args, env, ui),
    }
}
