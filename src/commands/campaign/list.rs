use anyhow::Result;
use clap::Args;
use serde::Serialize;

use crate::commands::CommandHelper;
use crate::db::{CampaignStatus, StageCounts};

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only archived campaigns
    #[arg(long, conflicts_with = "all")]
    pub archived: bool,
    /// Active and archived campaigns
    #[arg(long)]
    pub all: bool,
    /// table, or csv for scripts
    #[arg(long, value_enum, default_value = "table")]
    pub format: crate::commands::ListFormat,
}

#[derive(Serialize)]
struct Listed {
    name: String,
    status: CampaignStatus,
    customers: u64,
    stages: StageCounts,
    anonymized: u64,
    last_activity_at: String,
    archived_at: Option<String>,
    /// For an archived campaign: whether customers are kept in it (not
    /// anonymized); what a retention run (`anonymize --archived-for`) takes.
    customers_kept: Option<bool>,
}

pub fn run(args: ListArgs, cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    let store = cmd.store()?;
    let db = &store.db;
    let status = match (args.all, args.archived) {
        (true, _) => None,
        (false, true) => Some(CampaignStatus::Archived),
        (false, false) => Some(CampaignStatus::Active),
    };
    let mut listed = Vec::new();
    for campaign in db.list_campaigns(status)? {
        let (stages, anonymized) = db.stage_counts(campaign.id)?;
        listed.push(Listed {
            customers: stages.total() + anonymized,
            name: campaign.name,
            status: campaign.status,
            stages,
            customers_kept: (campaign.status == CampaignStatus::Archived)
                .then_some(stages.total() > 0),
            anonymized,
            last_activity_at: campaign.last_activity_at,
            archived_at: campaign.archived_at,
        });
    }
    if ui.json() {
        ui.print_json(&listed)?;
        return Ok(());
    }
    let rows: Vec<Vec<String>> = listed
        .into_iter()
        .map(|c| {
            vec![
                c.name,
                c.status.as_str().into(),
                c.customers.to_string(),
                c.stages.available.to_string(),
                c.stages.assigned.to_string(),
                c.stages.completed.to_string(),
                c.anonymized.to_string(),
                c.last_activity_at.get(..10).unwrap_or_default().to_string(),
                c.archived_at
                    .as_deref()
                    .and_then(|a| a.get(..10))
                    .unwrap_or_default()
                    .to_string(),
                match c.customers_kept {
                    Some(true) => "kept",
                    Some(false) => "anonymized",
                    None => "",
                }
                .to_string(),
            ]
        })
        .collect();
    cmd.print_rows(
        args.format,
        &[
            "campaign",
            "status",
            "customers",
            "available",
            "assigned",
            "completed",
            "anonymized",
            "last_activity",
            "archived",
            "customers_are",
        ],
        &rows,
    )
}
