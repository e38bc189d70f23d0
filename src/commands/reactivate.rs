use anyhow::Result;
use clap::Args;

use crate::ui::Ui;
use crate::{flow, Env};

#[derive(Debug, Args)]
pub struct ReactivateArgs {
    /// The archived campaign
    pub campaign: String,
}

pub fn run(args: ReactivateArgs, env: &Env, ui: &Ui) -> Result<()> {
    let (db, _) = super::open_db(env)?;
    let campaign = flow::reactivate(&db, &args.campaign, env.now()?)?;
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
