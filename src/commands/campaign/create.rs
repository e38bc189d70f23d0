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
    // As an import says it: a mistyped --db shows.
    let new = !cmd.site()?.path.exists();
    let store = cmd.store_or_create()?;
    if new {
        ui.say(&format!(
            "created a new database at {}",
            store.path().display()
        ));
    }
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
