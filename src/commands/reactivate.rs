use anyhow::Result;
use clap::Args;

use crate::commands::CommandHelper;
use crate::flow;

#[derive(Debug, Args)]
pub struct ReactivateArgs {
    /// The archived campaign
    #[arg(value_name = "CAMPAIGN")]
    pub campaign: String,
}

pub fn run(args: ReactivateArgs, cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    let store = cmd.store()?;
    let db = &store.db;
    let campaign = flow::reactivate(db, &args.campaign, store.actor.now)?;
    if ui.json() {
        ui.print_json(&campaign)?;
    } else {
        ui.say(&format!(
            "reactivated campaign {:?}: its available customers are handed out again (anonymized ones stay anonymized)",
            campaign.name
        ));
    }
    Ok(())
}
