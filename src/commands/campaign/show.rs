use anyhow::Result;
use clap::Args;
use serde::Serialize;

use crate::commands::CommandHelper;
use crate::db::{CampaignStatus, StageCounts};
use crate::flow;

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The campaign's name
    #[arg(value_name = "CAMPAIGN")]
    pub name: String,
}

/// The `--json` shape of `campaign show`: keys may be added, never renamed.
#[derive(Serialize)]
struct Shown {
    name: String,
    status: CampaignStatus,
    customers: u64,
    stages: StageCounts,
    anonymized: u64,
    created_at: String,
    archived_at: Option<String>,
    last_activity_at: String,
    /// The campaign's unfinished anonymization job, if it has one.
    job: Option<UnfinishedJob>,
}

#[derive(Serialize)]
struct UnfinishedJob {
    id: String,
    /// As `jobs list` says it: running, interrupted or scrub_pending.
    state: &'static str,
    done: u64,
    total: u64,
}

pub fn run(args: ShowArgs, cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    let store = cmd.store()?;
    let db = &store.db;
    let campaign = flow::campaign(db, &args.name)?;
    let (stages, anonymized) = db.stage_counts(campaign.id)?;
    let job = db
        .unfinished_jobs()?
        .into_iter()
        .find(|j| !j.request && j.campaign.as_deref() == Some(campaign.name.as_str()))
        .map(|j| UnfinishedJob {
            state: crate::joblock::live_state(store.path(), &j),
            id: j.id,
            done: j.done,
            total: j.total,
        });
    let shown = Shown {
        customers: stages.total() + anonymized,
        name: campaign.name,
        status: campaign.status,
        stages,
        anonymized,
        created_at: campaign.created_at,
        archived_at: campaign.archived_at,
        last_activity_at: campaign.last_activity_at,
        job,
    };
    if ui.json() {
        ui.print_json(&shown)?;
        return Ok(());
    }
    let mut rows = vec![
        vec!["name".into(), shown.name],
        vec!["status".into(), shown.status.as_str().into()],
        vec!["customers".into(), shown.customers.to_string()],
        vec!["  available".into(), stages.available.to_string()],
        vec!["  assigned".into(), stages.assigned.to_string()],
        vec!["  completed".into(), stages.completed.to_string()],
        vec!["anonymized".into(), anonymized.to_string()],
        vec!["created".into(), shown.created_at],
        vec!["last activity".into(), shown.last_activity_at],
    ];
    if let Some(at) = shown.archived_at {
        rows.push(vec!["archived".into(), at]);
    }
    if let Some(job) = shown.job {
        let what = match job.state {
            "running" => "running".to_string(),
            "scrub_pending" => {
                "done but its scrub is pending; `cube jobs resume` finishes it".into()
            }
            state => format!("{state}; `cube jobs resume` finishes it"),
        };
        rows.push(vec![
            "unfinished job".into(),
            format!(
                "{} ({} of {} anonymized): {what}",
                job.id, job.done, job.total
            ),
        ]);
    }
    ui.table(&["campaign", ""], &rows)?;
    Ok(())
}
