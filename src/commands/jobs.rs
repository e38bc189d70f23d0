use anyhow::Result;
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::commands::{plural, CommandHelper};
use crate::db::{Job, JobState};
use crate::joblock;
use crate::store::Store;
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
    /// The receipt of a job: what was erased and kept, the scrub, and which
    /// backups still hold the erased data (never personal data)
    Show {
        /// A job id (or 8 or more of its first or last characters)
        id: String,
    },
    /// Finish unfinished jobs (all of them, or the one named)
    Resume {
        /// A job id (or its first or last characters)
        id: Option<String>,
    },
}

/// The `--json` shape of `jobs list`: keys may be added, never renamed.
#[derive(Serialize)]
struct Listed<'a> {
    id: &'a str,
    campaign: Option<&'a str>,
    /// running (a live cube runs it), interrupted (none does), scrub_pending
    /// (only the scrub is left, and no cube runs it), done, failed or undone.
    state: &'static str,
    scrub_pending: bool,
    total: u64,
    done: u64,
    operator: &'a str,
    created_at: &'a str,
    finished_at: Option<&'a str>,
}

fn listed<'a>(store: &Store, job: &'a Job) -> Listed<'a> {
    Listed {
        id: &job.id,
        campaign: job.campaign.as_deref(),
        state: joblock::live_state(store.path(), job),
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
                let listed: Vec<Listed> = jobs.iter().map(|j| listed(&store, j)).collect();
                ui.print_json(&listed)?;
                return Ok(());
            }
            let rows: Vec<Vec<String>> = jobs
                .iter()
                .map(|j| {
                    vec![
                        j.id.clone(),
                        j.campaign.clone().unwrap_or_default(),
                        joblock::live_state(store.path(), j).to_string(),
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
        JobsCommand::Show { id } => show(cmd, &store, &id),
        JobsCommand::Resume { id } => {
            let jobs = match id {
                None => cmd.unfinished_jobs(&store)?,
                Some(id) => {
                    let job = match db.find_job(&id)? {
                        Some(job) => job,
                        None => return Err(not_one(db, &id)?.into()),
                    };
                    if job.state == JobState::Done {
                        ui.say(&format!("job {} is done already", job.id));
                        return Ok(());
                    }
                    vec![job]
                }
            };
            if jobs.is_empty() {
                ui.say("no unfinished jobs");
            }
            let mut reports = cmd.run_jobs(&store, jobs)?;
            cmd.report_jobs(&store, &mut reports)
        }
    }
}

/// Prints a job's receipt: JSON with `--json`, else lines for a person.
fn show(cmd: &CommandHelper, store: &Store, id: &str) -> Result<()> {
    let ui = cmd.ui;
    let job = find(store, id)?;
    let mut receipt = crate::receipt::receipt(&store.db, &job)?;
    receipt.state = joblock::live_state(store.path(), &job);
    if ui.json() {
        ui.print_json(&receipt)?;
        return Ok(());
    }
    let what = match &receipt.campaign {
        Some(campaign) if receipt.kind == "campaign" => format!("campaign {campaign:?}"),
        _ => "an erasure request".to_string(),
    };
    let e = &receipt.erased;
    let mut lines = vec![
        format!("job {} ({what})", receipt.job),
        format!(
            "by {}, started {}{}; state {}",
            receipt.operator,
            receipt.started_on,
            receipt
                .finished_on
                .as_ref()
                .map(|d| format!(", finished {d}"))
                .unwrap_or_default(),
            receipt.state
        ),
        format!(
            "erased: {}: {}; {}, {}; {} in other records; {} deleted{}",
            plural(e.customers, "customer", "customers"),
            e.card_fields,
            plural(e.comments, "outcome comment", "outcome comments"),
            plural(e.history, "history text", "history texts"),
            plural(e.mentions, "mention", "mentions"),
            plural(e.recordings_deleted, "recording file", "recording files"),
            match e.recordings_refused {
                0 => String::new(),
                n => format!(", {n} refused as unsafe"),
            }
        ),
        format!(
            "kept: {} and {}: {}",
            plural(receipt.kept.outcomes, "outcome", "outcomes"),
            plural(receipt.kept.sales, "sale", "sales"),
            receipt.kept.why
        ),
        format!(
            "scrub: {}",
            if receipt.scrubbed {
                "done: no old copy is left in the database files"
            } else {
                "pending: run `cube jobs resume`"
            }
        ),
    ];
    if receipt.backups.is_empty() {
        lines.push("backups: no backup cube wrote before this job is still there".into());
    } else {
        lines.push("backups that still hold the erased data:".into());
        for b in &receipt.backups {
            let until = match b.rotates_out_after {
                Some(n) => format!("rotates out after {} more", plural(n, "backup", "backups")),
                None => "kept until removed by hand".into(),
            };
            lines.push(format!("  {} ({}; {until})", b.path, b.created_on));
        }
    }
    for line in lines {
        ui.line(&line)?;
    }
    Ok(())
}

/// The job whose id starts or ends with `id` (8 characters at least).
fn find(store: &Store, id: &str) -> Result<Job> {
    let id = id.trim();
    if id.chars().count() < 8 {
        return Err(
            Failure::refused(format!("{id:?}: give at least 8 characters of the job id"))
                .hint("cube jobs list shows every job")
                .into(),
        );
    }
    match store.db.find_job(id)? {
        Some(job) => Ok(job),
        None => Err(not_one(&store.db, id)?.into()),
    }
}

/// Why no one job has an id starting or ending with `id`: none has, or more
/// than one (jobs started the same day share their first characters).
fn not_one(db: &crate::db::Db, id: &str) -> Result<Failure> {
    Ok(if db.jobs_matching(id)?.is_empty() {
        Failure::failed(format!("no job has an id starting or ending with {id:?}"))
            .hint("cube jobs list shows every job")
    } else {
        Failure::failed(format!(
            "more than one job has an id starting or ending with {id:?}"
        ))
        .hint("give more of it: jobs started the same day share their first characters, the end tells them apart")
    })
}
