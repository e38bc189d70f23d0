//! `cube archive` and `cube anonymize`: the explicit choice.
//!
//! Archiving asks what happens to the customers, with no default: on a
//! terminal a prompt with nothing preselected (Enter alone does nothing, Esc,
//! end of input or Ctrl-C change nothing); without one, `--anonymize` or
//! `--keep-customers` must be given. Choosing anonymization on a terminal also
//! asks for the campaign name to be typed back, unless `--yes`. Every prompt is
//! answered before any transaction starts.

use std::path::Path;

use anyhow::Result;
use chrono::Duration;
use clap::Args;

use crate::anonymize::{self, Actor, JobReport};
use crate::db::{Db, ErasureCounts, Job, StageCounts};
use crate::journal::Journal;
use crate::ui::Ui;
use crate::{flow, Env, Failure, Kind};

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["campaigns", "inactive_days"]))]
pub struct ArchiveArgs {
    /// The campaigns to archive
    pub campaigns: Vec<String>,
    /// Instead of naming campaigns: every active campaign with no outcome, sale
    /// or move for this many days
    #[arg(long, value_name = "N", conflicts_with = "campaigns")]
    pub inactive_days: Option<u32>,
    /// Anonymize all the customers of the campaigns (irreversible)
    #[arg(long, conflicts_with = "keep_customers")]
    pub anonymize: bool,
    /// Keep the customers as they are
    #[arg(long)]
    pub keep_customers: bool,
    /// Do not ask for the campaign name to be typed back
    #[arg(long)]
    pub yes: bool,
    /// Say what would happen, with counts, and change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct AnonymizeArgs {
    /// The campaign whose customers are all anonymized
    pub campaign: String,
    /// Do not ask for the campaign name to be typed back
    #[arg(long)]
    pub yes: bool,
    /// Say what would be removed, with counts, and change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    Anonymize,
    Keep,
}

const CHOICES: [&str; 2] = [
    "Yes, I want all the customers to be anonymized",
    "No, keep the customers",
];

pub fn run(args: ArchiveArgs, env: &Env, ui: &Ui) -> Result<()> {
    let choice = match (args.anonymize, args.keep_customers) {
        (true, _) => Some(Choice::Anonymize),
        (_, true) => Some(Choice::Keep),
        _ => None,
    };
    if choice.is_none() && !args.dry_run && !ui.interactive() {
        return Err(Failure::refused(
            "archiving needs an explicit choice of what happens to the customers, and there is no terminal to ask on",
        )
        .hint("pass --keep-customers to keep them, or --anonymize to anonymize them (irreversible)")
        .into());
    }
    let (db, path) = super::open_db(env)?;
    let campaigns = match args.inactive_days {
        Some(days) => {
            let before = crate::env::timestamp(env.now()? - Duration::days(days.into()));
            let names = db.inactive_campaigns(&before)?;
            if names.is_empty() {
                ui.say(&format!(
                    "no active campaign has been inactive for {days} days"
                ));
            }
            names
        }
        None => args.campaigns,
    };
    for name in &campaigns {
        flow::campaign(&db, name)?;
    }
    if args.dry_run {
        return dry_run(&db, &campaigns, choice, ui);
    }
    let mut reports = resume_unfinished(&db, &path, env, ui)?;
    for name in &campaigns {
        let choice = match choice {
            Some(choice) => choice,
            None => ask(&db, name, ui)?,
        };
        match choice {
            Choice::Keep => {
                let actor = Actor {
                    operator: &env.operator,
                    now: env.now()?,
                };
                if anonymize::archive_keep(&db, name, &actor)? {
                    ui.say(&format!(
                        "archived campaign {name:?}; its customers are kept"
                    ));
                } else {
                    ui.say(&format!(
                        "campaign {name:?} was archived already; nothing changed"
                    ));
                }
            }
            Choice::Anonymize => {
                if ui.interactive() && !args.yes {
                    confirm_name(name, ui)?;
                }
                reports.extend(anonymize_campaign(&db, &path, name, env, ui)?);
            }
        }
    }
    report_jobs(&reports, ui)
}

pub fn run_anonymize(args: AnonymizeArgs, env: &Env, ui: &Ui) -> Result<()> {
    let (db, path) = super::open_db(env)?;
    flow::campaign(&db, &args.campaign)?;
    if args.dry_run {
        return dry_run(&db, &[args.campaign], Some(Choice::Anonymize), ui);
    }
    let mut reports = resume_unfinished(&db, &path, env, ui)?;
    if ui.interactive() && !args.yes {
        show(&db, &args.campaign, ui)?;
        confirm_name(&args.campaign, ui)?;
    }
    reports.extend(anonymize_campaign(&db, &path, &args.campaign, env, ui)?);
    report_jobs(&reports, ui)
}

/// Shows a campaign and what archiving means, then asks what happens to its
/// customers. No answer (Esc, end of input) changes nothing.
fn ask(db: &Db, name: &str, ui: &Ui) -> Result<Choice> {
    show(db, name, ui)?;
    ui.explain(
        "Archiving hides the campaign from the active list, and its available customers are\n\
         no longer handed to sellers. Nothing is deleted, and it can be reactivated.\n\
         Anonymizing its customers cannot be undone: every personal field is blanked, call\n\
         recordings are deleted; outcomes and sales stay for the statistics.",
    );
    match ui.choose(
        &format!("What happens to the customers of {name:?}?"),
        &CHOICES,
    )? {
        Some(0) => Ok(Choice::Anonymize),
        Some(_) => Ok(Choice::Keep),
        None => Err(Failure::refused("no choice was made; nothing was changed").into()),
    }
}

fn show(db: &Db, name: &str, ui: &Ui) -> Result<()> {
    let campaign = flow::campaign(db, name)?;
    let (stages, anonymized) = db.stage_counts(campaign.id)?;
    ui.explain(&format!(
        "Campaign {name:?} ({}): {}",
        campaign.status.as_str(),
        describe_stages(&stages, anonymized)
    ));
    Ok(())
}

fn describe_stages(stages: &StageCounts, anonymized: u64) -> String {
    let mut text = format!(
        "{} customers ({} available, {} assigned, {} completed)",
        stages.total(),
        stages.available,
        stages.assigned,
        stages.completed
    );
    if anonymized > 0 {
        text.push_str(&format!(", {anonymized} of them anonymized already"));
    }
    text
}

/// Asks for the campaign name to be typed back before anonymizing.
fn confirm_name(name: &str, ui: &Ui) -> Result<()> {
    let typed = ui.ask(&format!(
        "Type the campaign name ({name}) to anonymize its customers"
    ))?;
    match typed {
        Some(text) if text.trim() == name.trim() => Ok(()),
        _ => Err(Failure::refused(
            "the name typed does not match the campaign; nothing was changed",
        )
        .into()),
    }
}

fn dry_run(db: &Db, campaigns: &[String], choice: Option<Choice>, ui: &Ui) -> Result<()> {
    let mut previews = Vec::new();
    for name in campaigns {
        let campaign = flow::campaign(db, name)?;
        let (stages, anonymized) = db.stage_counts(campaign.id)?;
        let counts = anonymize::preview(db, name)?;
        ui.say(&format!(
            "would archive campaign {name:?}: {}",
            describe_stages(&stages, anonymized)
        ));
        if choice != Some(Choice::Keep) {
            let lead = if choice.is_none() {
                "if anonymized, would"
            } else {
                "would"
            };
            ui.say(&format!("  {lead} {}", describe_erasure(&counts)));
        }
        previews.push(serde_json::json!({
            "campaign": name,
            "stages": stages,
            "anonymized": anonymized,
            "would_anonymize": (choice != Some(Choice::Keep)).then_some(counts),
        }));
    }
    if ui.json() {
        ui.print_json(&previews)?;
    }
    Ok(())
}

fn describe_erasure(counts: &ErasureCounts) -> String {
    format!(
        "anonymize {} customers, blank {} outcome comments and {} history entries, and delete {} recording files",
        counts.customers, counts.comments, counts.history, counts.recordings
    )
}

fn anonymize_campaign(
    db: &Db,
    path: &Path,
    name: &str,
    env: &Env,
    ui: &Ui,
) -> Result<Vec<JobReport>> {
    let actor = Actor {
        operator: &env.operator,
        now: env.now()?,
    };
    let job = anonymize::plan(db, name, &actor)?;
    run_jobs(db, path, vec![job], env, ui)
}

/// Runs jobs to their end and reports them; exit 75 when a reader blocked a
/// scrub.
pub fn finish_jobs(db: &Db, path: &Path, jobs: Vec<Job>, env: &Env, ui: &Ui) -> Result<()> {
    let reports = run_jobs(db, path, jobs, env, ui)?;
    report_jobs(&reports, ui)
}

/// Runs jobs to their end, saying what each did. A job whose scrub a reader
/// blocked is reported, not an error: the work after it still gets done.
fn run_jobs(db: &Db, path: &Path, jobs: Vec<Job>, env: &Env, ui: &Ui) -> Result<Vec<JobReport>> {
    let recordings = env.recordings_dir(path);
    let journal = Journal::of(path);
    let mut reports: Vec<JobReport> = Vec::new();
    for job in jobs {
        let actor = Actor {
            operator: &env.operator,
            now: env.now()?,
        };
        let bar = ui.progress(Some(job.total), "customers anonymized");
        bar.set_position(job.done);
        let report = anonymize::run_job(
            db,
            &job,
            &journal,
            &recordings,
            env.batch_size,
            &actor,
            &|done, _| bar.set_position(done),
        )?;
        bar.finish_and_clear();
        let campaign = job.campaign.as_deref().unwrap_or("?");
        ui.say(&format!(
            "anonymized {} customers of {campaign:?} (job {}); deleted {} recording files; the campaign is archived",
            job.total, job.id, report.recordings_deleted
        ));
        if report.recordings_refused > 0 {
            ui.warn(&format!(
                "{} recording paths were not deleted: they lead through a link or out of {}",
                report.recordings_refused,
                recordings.display()
            ));
        }
        reports.push(report);
    }
    Ok(reports)
}

/// Prints the job reports as JSON with `--json`; exit 75 if a scrub is pending.
fn report_jobs(reports: &[JobReport], ui: &Ui) -> Result<()> {
    if ui.json() && !reports.is_empty() {
        ui.print_json(&reports)?;
    }
    let blocked: Vec<&JobReport> = reports.iter().filter(|r| !r.scrubbed).collect();
    if let Some(first) = blocked.first() {
        return Err(Failure::new(
            Kind::Busy,
            format!(
                "job {} is done but its scrub is pending: another program is reading the database, so old values may still be in its free space",
                first.job
            ),
        )
        .hint("run `cube jobs resume` when the other program has finished")
        .into());
    }
    Ok(())
}

/// Finishes jobs a crash or a busy reader left unfinished, before new work.
fn resume_unfinished(db: &Db, path: &Path, env: &Env, ui: &Ui) -> Result<Vec<JobReport>> {
    let jobs = db.unfinished_jobs()?;
    if jobs.is_empty() {
        return Ok(Vec::new());
    }
    ui.say(&format!(
        "finishing {} unfinished anonymization job(s) first",
        jobs.len()
    ));
    run_jobs(db, path, jobs, env, ui)
}
