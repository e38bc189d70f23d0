use anyhow::Result;
use clap::Args;

use crate::commands::CommandHelper;
use crate::commands::ListFormat;
use crate::db::{CustomerFilter, Stage};
use crate::flow;

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only customers in this campaign
    #[arg(long, value_name = "CAMPAIGN")]
    pub campaign: Option<String>,
    /// Only customers at this stage
    #[arg(long)]
    pub stage: Option<Stage>,
    /// Only anonymized customers
    #[arg(long, conflicts_with = "not_anonymized")]
    pub anonymized: bool,
    /// Only customers that are not anonymized
    #[arg(long)]
    pub not_anonymized: bool,
    /// At most this many
    #[arg(long)]
    pub limit: Option<u64>,
    /// table, or csv for scripts
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
}

pub fn run(args: ListArgs, cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    let store = cmd.store()?;
    let db = &store.db;
    let campaign_id = flow::campaign_filter(db, args.campaign.as_deref())?;
    let filter = CustomerFilter {
        campaign_id,
        stage: args.stage,
        anonymized: match (args.anonymized, args.not_anonymized) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
        limit: args.limit,
    };
    let customers = db.list_customers(&filter)?;
    if ui.json() {
        ui.print_json(&customers)?;
    } else {
        cmd.print_customers(args.format, &customers)?;
    }
    Ok(())
}
