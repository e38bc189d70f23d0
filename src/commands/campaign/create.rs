use anyhow::Result;
use clap::Args;

use crate::ui::Ui;
use crate::{flow, Env};

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The new campaign's name
    pub name: String,
}

pub fn run(args: CreateArgs, env: &Env, ui: &Ui) -> Result<()> {
    let (db, _) = crate::commands::open_or_create_db(env)?;
    let campaign = flow::create_campaign(&db, &args.name, env.now()?)?;
    if ui.json() {
        ui.print_json(&campaign)?;
    } else {
        ui.say(&format!("created campaign {:?}", campaign.name));
    }
    Ok(())
}
