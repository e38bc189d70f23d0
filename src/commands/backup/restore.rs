use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::backup;
use crate::commands::{plural, CommandHelper};

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The snapshot to restore
    pub path: PathBuf,
    /// An anonymization job that was a mistake: its customers come back from
    /// the snapshot (repeatable; `cube jobs list` shows the ids)
    #[arg(long, value_name = "ID")]
    pub undo_job: Vec<String>,
    /// Restore even though no erasure journal and no live database can say
    /// who was anonymized after the snapshot (they would come back)
    #[arg(long)]
    pub no_journal: bool,
}

pub fn run(args: RestoreArgs, cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    let site = cmd.site()?;
    let report = backup::restore(
        &site,
        &cmd.actor()?,
        &args.path,
        &args.undo_job,
        args.no_journal,
    )?;
    if ui.json() {
        ui.print_json(&report)?;
    }
    ui.say(&format!(
        "restored {} ({}) into {}",
        args.path.display(),
        plural(report.snapshot.customers as u64, "customer", "customers"),
        site.path.display()
    ));
    ui.say(&format!(
        "re-applied {} recorded since the snapshot: {} anonymized again",
        plural(
            report.reapplied_jobs,
            "anonymization job",
            "anonymization jobs"
        ),
        plural(report.reapplied_customers, "customer", "customers")
    ));
    if report.no_journal {
        ui.warn("restored without an erasure journal (--no-journal): anyone anonymized after the snapshot was taken is back; the audit log records this restore");
    }
    if !report.checksummed {
        ui.warn(&format!(
            "{} has no .sha256 file beside it, so only its structure could be checked",
            args.path.display()
        ));
    }
    for job in &report.undone_jobs {
        ui.say(&format!(
            "undid job {job}: its customers are as they were in the snapshot"
        ));
    }
    ui.say("recording files deleted by anonymizations are not in the snapshot and stay gone");
    Ok(())
}
