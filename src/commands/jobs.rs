use anyhow::Result;
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::commands::CommandHelper;
use crate::db::{Job, JobState};
use crate::Failure;

#[derive(Debug, Args)]
pub struct JobsArgs {
    #[command(subcommand)]
    pub command: Option<JobsCommand>,
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// List anonymization jobs, oldest first (the default)
    List,
    /// Finish unfinished jobs (all of them, or the one named)
    Resume {
        /// A job id (or the start of one)
        id: Option<String>,
    },
}

/// The `--json` shape of `jobs list`: keys may be added, never renamed.
#[derive(Serialize)]
struct Listed<'a> {
    id: &'a str,
    campaign: Option<&'a str>,
    /// queued, running, done or failed (a job whose scrub is pending is running).
    state: &'static str,
    scrub_pending: bool,
    total: u64,
    done: u64,
    operator: &'a str,
    created_at: &'a str,
    finished_at: Option<&'a str>,
}

fn listed(job: &Job) -> Listed<'_> {
    Listed {
        id: &job.id,
        campaign: job.campaign.as_deref(),
        state: match job.state {
            JobState::ScrubPending => "running",
            other => other.as_str(),
        },
        scrub_pending: job.state == JobState::ScrubPending,
        total: job.total,
        done: job.done,
        operator: &job.operator,
        created_at: &job.created_at,
        finished_at: job.finished_at.as_deref(),
    }
}

pub fn run(args: JobsArgs, cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    let store = cmd.store()?;
    let db = &store.db;
    match args.command.unwrap_or(JobsCommand::List) {
        JobsCommand::List => {
            let jobs = db.list_jobs()?;
            if ui.json() {
                ui.print_json(&jobs.iter().map(listed).collect::<Vec<_>>())?;
                return Ok(());
            }
            let rows: Vec<Vec<String>> = jobs
                .iter()
                .map(|j| {
                    vec![
                        j.id.clone(),
                        j.campaign.clone().unwrap_or_default(),
                        j.state.as_str().to_string(),
                        format!("{}/{}", j.done, j.total),
                        j.operator.clone(),
                        j.created_at.clone(),
                    ]
                })
                .collect();
            ui.table(
                &["job", "campaign", "state", "done", "operator", "started"],
                &rows,
            )?;
            Ok(())
        }
        JobsCommand::Resume { id } => {
            let jobs = match id {
                None => db.unfinished_jobs()?,
                Some(id) => {
                    let job = db.find_job(&id)?.ok_or_else(|| {
                        Failure::failed(format!(
                            "no job (or more than one) has an id starting with {id:?}"
                        ))
                        .hint("cube jobs list shows every job")
                    })?;
                    if job.state == JobState::Done {
                        ui.say(&format!("job {} is done already", job.id));
                        return Ok(());
                    }
                    vec![job]
                }
            };
            if jobs.is_empty() {
                ui.say("no unfinished jobs");
                return Ok(());
            }
            let reports = cmd.run_jobs(&store, jobs)?;
            cmd.report_jobs(&reports)
        }
    }
}
