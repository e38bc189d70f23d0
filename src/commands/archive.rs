//! `cube archive` and `cube anonymize`: the explicit choice.
//!
//! Archiving asks what happens to the customers, with no default: on a
//! terminal a prompt with nothing preselected (Enter alone does nothing, Esc,
//! end of input or Ctrl-C change nothing); without one, `--anonymize` or
//! `--keep-customers` must be given. Choosing anonymization on a terminal also
//! asks for the campaign name to be typed back, unless `--yes`. Every prompt is
//! answered before any transaction starts. What archiving means is said once;
//! a campaign with no customer left to anonymize is archived without a
//! question. Several campaigns are asked about one by one: an answer not
//! given stops the run there, and it says which were archived before (Ctrl-C
//! exits 130).

use anyhow::Result;
use chrono::Duration;
use clap::Args;

use crate::anonymize::{self, JobReport, Planned};
use crate::commands::{plural, CommandHelper};
use crate::db::{Db, ErasureCounts, Job, StageCounts};
use crate::store::Store;
use crate::ui::Ui;
use crate::{flow, Failure, Kind};

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["campaigns", "inactive_days"]))]
pub struct ArchiveArgs {
    /// The campaigns to archive
    #[arg(value_name = "CAMPAIGN")]
    pub campaigns: Vec<String>,
    /// Instead of naming campaigns: every active campaign with no outcome, sale,
    /// move, new customers or reactivation for this many days
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
#[command(group = clap::ArgGroup::new("which").required(true).args(["campaign", "archived_for"]))]
pub struct AnonymizeArgs {
    /// The campaign whose customers are all anonymized
    #[arg(value_name = "CAMPAIGN")]
    pub campaign: Option<String>,
    /// Instead of naming a campaign (retention, for cron): every campaign
    /// archived with its customers kept more than DAYS ago
    #[arg(long, value_name = "DAYS", conflicts_with = "campaign")]
    pub archived_for: Option<u32>,
    /// Go ahead without asking (needed without a terminal)
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

pub fn run(args: ArchiveArgs, cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
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
    let store = cmd.store()?;
    let db = &store.db;
    let campaigns = match args.inactive_days {
        Some(days) => {
            let before = store.actor.now - Duration::days(days.into());
            let names = db.inactive_campaigns(before)?;
            if names.is_empty() {
                ui.say(&format!(
                    "no active campaign has been inactive for {}",
                    plural(days.into(), "day", "days")
                ));
            }
            names
        }
        None => args.campaigns,
    };
    // The names as the campaigns have them, each once.
    let mut named: Vec<String> = Vec::new();
    for name in &campaigns {
        let found = flow::campaign(db, name)?.name;
        if !named.contains(&found) {
            named.push(found);
        }
    }
    let campaigns = named;
    if args.dry_run {
        return dry_run(db, &campaigns, choice, ui);
    }
    let mut reports = cmd.resume_unfinished(&store)?;
    if choice == Some(Choice::Anonymize) && (args.yes || !ui.interactive()) {
        // Nothing to ask: plan every job, then run them together.
        reports.extend(anonymize_campaigns(cmd, &store, &campaigns)?);
        return cmd.report_jobs(&store, &mut reports);
    }
    let mut explained = false;
    for (i, name) in campaigns.iter().enumerate() {
        let choice = match choice {
            Some(choice) => choice,
            // Nothing to ask about: it is archived, and no job is made.
            None if !has_customers(db, name)? => Choice::Anonymize,
            None => {
                if !explained {
                    ui.explain(ARCHIVING);
                    explained = true;
                }
                match ask(db, name, ui)? {
                    Ok(choice) => choice,
                    Err(why) => return stop(cmd, &store, &mut reports, why, &campaigns[i..]),
                }
            }
        };
        match choice {
            Choice::Keep => {
                if anonymize::archive_keep(db, name, &store.actor)? {
                    cmd.note_done(format!("archived campaign {name:?}, keeping its customers"));
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
                if ui.interactive() && !args.yes && has_customers(db, name)? {
                    if let Err(why) = confirm_name(name, ui)? {
                        return stop(cmd, &store, &mut reports, why, &campaigns[i..]);
                    }
                }
                reports.extend(anonymize_campaign(cmd, &store, name)?);
            }
        }
    }
    cmd.report_jobs(&store, &mut reports)
}

pub fn run_anonymize(args: AnonymizeArgs, cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    if !args.dry_run && !args.yes && !ui.interactive() {
        return Err(Failure::refused(
            "anonymizing is irreversible, and there is no terminal to confirm it on",
        )
        .hint("pass --yes to anonymize, or --dry-run to see what would be removed")
        .into());
    }
    let store = cmd.store()?;
    let db = &store.db;
    let Some(campaign) = args.campaign else {
        let days = args.archived_for.unwrap_or_default();
        return retention(cmd, &store, days, args.yes, args.dry_run);
    };
    let campaign = flow::campaign(db, &campaign)?.name;
    if args.dry_run {
        return dry_run(db, &[campaign], Some(Choice::Anonymize), ui);
    }
    let mut reports = cmd.resume_unfinished(&store)?;
    if ui.interactive() && !args.yes && has_customers(db, &campaign)? {
        show(db, &campaign, ui)?;
        if let Err(why) = confirm_name(&campaign, ui)? {
            return stop(cmd, &store, &mut reports, why, &[campaign]);
        }
    }
    reports.extend(anonymize_campaign(cmd, &store, &campaign)?);
    cmd.report_jobs(&store, &mut reports)
}

/// The retention run: the customers of every campaign archived with its
/// customers kept more than `days` ago are anonymized, one job a campaign,
/// one scrub for all of them.
fn retention(
    cmd: &CommandHelper,
    store: &Store,
    days: u32,
    yes: bool,
    dry_run: bool,
) -> Result<()> {
    let ui = cmd.ui;
    let before = store.actor.now - Duration::days(days.into());
    let due = store.db.archived_with_customers_before(before)?;
    let lines: Vec<String> = due
        .iter()
        .map(|(campaign, kept)| {
            format!(
                "  {:?}, archived {}: {}",
                campaign.name,
                campaign
                    .archived_at
                    .as_deref()
                    .and_then(|a| a.get(..10))
                    .unwrap_or("?"),
                plural(*kept, "customer", "customers")
            )
        })
        .collect();
    if dry_run {
        if ui.json() {
            let listed: Vec<serde_json::Value> = due
                .iter()
                .map(|(c, kept)| {
                    serde_json::json!({ "campaign": c.name, "archived_at": c.archived_at, "customers": kept })
                })
                .collect();
            ui.print_json(&listed)?;
        }
        ui.say(&match due.len() {
            0 => format!(
                "no campaign archived more than {} ago keeps customers",
                plural(days.into(), "day", "days")
            ),
            n => format!(
                "would anonymize the customers of {}:\n{}",
                plural(n as u64, "campaign", "campaigns"),
                lines.join("\n")
            ),
        });
        return Ok(());
    }
    let mut reports = cmd.resume_unfinished(store)?;
    if due.is_empty() {
        ui.say(&format!(
            "no campaign archived more than {} ago keeps customers; nothing to do",
            plural(days.into(), "day", "days")
        ));
        return cmd.report_jobs(store, &mut reports);
    }
    if ui.interactive() && !yes {
        ui.explain(&format!(
            "The customers of these campaigns will be anonymized (irreversible):\n{}",
            lines.join("\n")
        ));
        let typed = ui.ask("Type yes to anonymize them")?;
        if typed.as_deref().map(str::trim) != Some("yes") {
            return Err(Failure::refused("not confirmed; nothing was changed").into());
        }
    }
    let names: Vec<String> = due.iter().map(|(c, _)| c.name.clone()).collect();
    reports.extend(anonymize_campaigns(cmd, store, &names)?);
    cmd.report_jobs(store, &mut reports)
}

/// What archiving means, said once before the first question.
const ARCHIVING: &str =
    "Archiving hides a campaign from the active list, and its available customers are\n\
     no longer handed to sellers. Nothing is deleted, and it can be reactivated.\n\
     Anonymizing its customers cannot be undone: every personal field is blanked, call\n\
     recordings are deleted; outcomes and sales stay for the statistics.";

/// Shows a campaign, then asks what happens to its customers; no answer
/// (Esc, end of input, Ctrl-C) stops the run.
fn ask(db: &Db, name: &str, ui: &Ui) -> Result<Result<Choice, Stop>> {
    show(db, name, ui)?;
    let question = format!("What happens to the customers of {name:?}?");
    Ok(match ui.choose(&question, &CHOICES) {
        Ok(Some(0)) => Ok(Choice::Anonymize),
        Ok(Some(_)) => Ok(Choice::Keep),
        Ok(None) => Err(Stop::NoChoice),
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Err(Stop::Interrupted),
        Err(e) => return Err(e.into()),
    })
}

/// Why the operator stopped an archive run before a campaign.
#[derive(Debug, Clone, Copy)]
enum Stop {
    /// Esc or end of input at the question.
    NoChoice,
    /// The campaign's name was not typed back.
    NotConfirmed,
    /// Ctrl-C at a prompt.
    Interrupted,
}

/// Ends a run the operator stopped at `left[0]`: what was done before it
/// stays, and its jobs are scrubbed; the error says which campaigns were
/// not archived (what was, the hint says: see [`CommandHelper::note_done`]).
fn stop(
    cmd: &CommandHelper,
    store: &Store,
    reports: &mut [JobReport],
    why: Stop,
    left: &[String],
) -> Result<()> {
    cmd.report_jobs(store, reports)?;
    let (kind, what) = match why {
        Stop::NoChoice => (Kind::Refused, "no choice was made"),
        Stop::NotConfirmed => (Kind::Refused, "the name typed does not match the campaign"),
        Stop::Interrupted => (Kind::Interrupted, "interrupted"),
    };
    let names: Vec<String> = left.iter().map(|n| format!("{n:?}")).collect();
    let message = match names.split_last() {
        Some((last, rest)) if cmd.changed() => {
            let listed = match rest {
                [] => format!("{last} was"),
                rest => format!("{} and {last} were", rest.join(", ")),
            };
            let at = rest.first().unwrap_or(last);
            format!("{what} for {at}; {listed} not archived")
        }
        _ => format!("{what}; nothing was changed"),
    };
    Err(Failure::new(kind, message).into())
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
        "{} ({} available, {} assigned, {} completed",
        plural(stages.total() + anonymized, "customer", "customers"),
        stages.available,
        stages.assigned,
        stages.completed
    );
    if anonymized > 0 {
        text.push_str(&format!(", {anonymized} anonymized already"));
    }
    text.push(')');
    text
}

/// Asks for the campaign name to be typed back before anonymizing; a name
/// not typed back (or Ctrl-C) stops the run.
fn confirm_name(name: &str, ui: &Ui) -> Result<Result<(), Stop>> {
    let question = format!("Type the campaign name ({name}) to anonymize its customers");
    Ok(match ui.ask(&question) {
        Ok(Some(text)) if crate::names::same(&text, name) => Ok(()),
        Ok(_) => Err(Stop::NotConfirmed),
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Err(Stop::Interrupted),
        Err(e) => return Err(e.into()),
    })
}

fn dry_run(db: &Db, campaigns: &[String], choice: Option<Choice>, ui: &Ui) -> Result<()> {
    let mut previews = Vec::new();
    for name in campaigns {
        let campaign = flow::campaign(db, name)?;
        let (stages, anonymized) = db.stage_counts(campaign.id)?;
        let counts = anonymize::preview(db, name)?;
        let what = if campaign.status == crate::db::CampaignStatus::Archived {
            format!("campaign {name:?}, archived already")
        } else {
            format!("would archive campaign {name:?}")
        };
        ui.say(&format!("{what}: {}", describe_stages(&stages, anonymized)));
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
        "anonymize {}, blank {} and {}, redact {} of them in other records, and delete {}",
        plural(counts.customers, "customer", "customers"),
        plural(counts.comments, "outcome comment", "outcome comments"),
        plural(counts.history, "history entry", "history entries"),
        plural(counts.mentions, "mention", "mentions"),
        plural(counts.recordings, "recording file", "recording files"),
    )
}

/// Plans the jobs that anonymize the customers of `names`, then runs them
/// together (one read of every text for the mentions of all their people).
fn anonymize_campaigns(
    cmd: &CommandHelper,
    store: &Store,
    names: &[String],
) -> Result<Vec<JobReport>> {
    let mut jobs = Vec::new();
    for name in names {
        jobs.extend(plan_campaign(cmd, store, name)?);
    }
    cmd.run_jobs(store, jobs)
}

/// Plans and runs the job that anonymizes a campaign's customers; a
/// campaign with none left to anonymize is only archived, with no job.
fn anonymize_campaign(cmd: &CommandHelper, store: &Store, name: &str) -> Result<Vec<JobReport>> {
    let jobs: Vec<Job> = plan_campaign(cmd, store, name)?.into_iter().collect();
    cmd.run_jobs(store, jobs)
}

/// Plans the job that anonymizes a campaign's customers; a campaign with
/// none left to anonymize is only archived, with no job.
fn plan_campaign(cmd: &CommandHelper, store: &Store, name: &str) -> Result<Option<Job>> {
    match anonymize::plan(&store.db, &store.site, name, &store.actor)? {
        Planned::Job(job) => Ok(Some(job)),
        Planned::Nothing { archived: true } => {
            cmd.note_done(format!("archived campaign {name:?}"));
            cmd.ui.say(&format!(
                "archived campaign {name:?}; it has no customers to anonymize"
            ));
            Ok(None)
        }
        Planned::Nothing { archived: false } => {
            cmd.ui.say(&format!(
                "campaign {name:?} has no customers left to anonymize; nothing to do"
            ));
            Ok(None)
        }
    }
}

/// Whether a campaign has customers who are not anonymized: without any,
/// there is nothing to ask about them.
fn has_customers(db: &Db, name: &str) -> Result<bool> {
    let campaign = flow::campaign(db, name)?;
    Ok(db.stage_counts(campaign.id)?.0.total() > 0)
}
