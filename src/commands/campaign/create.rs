use anyhow::Result;
use clap::Args;

use crate::commands::CommandHelper;
use crate::flow;

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The new campaign's name
    pub name: String,
}

pub fn run(args: CreateArgs, cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    let store = cmd.store_or_create()?;
    let db = &store.db;
    let flow::Created { campaign, close_to } =
        flow::create_campaign(db, &args.name, store.actor.now)?;
    if !close_to.is_empty() {
        let names: Vec<String> = close_to.iter().map(|n| format!("{n:?}")).collect();
        ui.warn(&format!(
            "an existing campaign has a close name: {}",
            names.join(", ")
        ));
    }
    if ui.json() {
        ui.print_json(&campaign)?;
    } else {
        ui.say(&format!("created campaign {:?}", campaign.name));
    }
    Ok(())
}
