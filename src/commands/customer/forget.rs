//! `cube customer forget`: one person's erasure request.
//!
//! Anonymizes exactly the customers named, with the same durable job and
//! every promise of a campaign's anonymization. Like `anonymize`, it is an
//! explicit choice every time: without a terminal it needs `--yes`; on one it
//! shows who and what will be erased and asks for `yes` typed out.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::anonymize;
use crate::commands::helper::read_keys;
use crate::commands::{plural, CommandHelper};
use crate::Failure;

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("who").required(true).multiple(true).args(["references", "file"]))]
pub struct ForgetArgs {
    /// The customers: references (see `customer list`) or customer numbers
    #[arg(value_name = "REF")]
    pub references: Vec<String>,
    /// Also every reference or customer number in this file, one per line
    /// (`-` for stdin)
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Say who and what would be erased, and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask (needed without a terminal)
    #[arg(long)]
    pub yes: bool,
    /// Why, for the audit log: a case number or "erasure request". Never a
    /// name: the audit log must hold no personal data
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

pub fn run(args: ForgetArgs, cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    if !args.dry_run && !args.yes && !ui.interactive() {
        return Err(Failure::refused(
            "forgetting customers is irreversible, and there is no terminal to confirm it on",
        )
        .hint("pass --yes to erase them, or --dry-run to see who would be erased")
        .into());
    }
    let mut keys = args.references.clone();
    if let Some(file) = &args.file {
        keys.extend(read_keys(file)?);
    }
    let store = cmd.store()?;
    let db = &store.db;
    let mut found = Vec::new();
    let mut refused = Vec::new();
    for key in &keys {
        match db.find_customer(key.trim())? {
            None => refused.push(format!(
                "no customer has the reference or customer number {key:?}"
            )),
            Some(c) if c.anonymized => {
                refused.push(format!("customer {} is anonymized already", c.reference))
            }
            Some(c) => {
                if !found.iter().any(|f: &crate::db::CustomerRef| f.id == c.id) {
                    found.push(c);
                }
            }
        }
    }
    if !refused.is_empty() {
        return Err(Failure::failed(format!(
            "{} of {} cannot be forgotten; nothing was done",
            refused.len(),
            plural(keys.len() as u64, "customer", "customers")
        ))
        .details(refused)
        .into());
    }
    let mut lines = vec![format!(
        "{}: every field of the card, outcome comments, history texts, call recordings, and mentions of them in other records; outcomes and sales stay for the statistics",
        plural(found.len() as u64, "customer", "customers")
    )];
    let mut listed = Vec::new();
    let ids: Vec<i64> = found.iter().map(|c| c.id).collect();
    let mut others = Vec::new();
    for customer in &found {
        let (outcomes, history, recordings) = (
            db.outcomes_of(customer.id)?.len() as u64,
            db.history_of(customer.id)?.len() as u64,
            db.recordings_of(customer.id)?.len() as u64,
        );
        // Shown so that the operator can tell it is the right person; the
        // card is not erased yet.
        let (name, campaign) = db.card_name(customer.id)?;
        let same: Vec<String> = db
            .same_contact_as(customer.id)?
            .into_iter()
            .filter(|r| !found.iter().any(|f| &f.reference == r))
            .collect();
        // Not in `--json`, whose output scripts keep in logs.
        listed.push(serde_json::json!({
            "ref": customer.reference,
            "campaign": campaign,
            "outcomes": outcomes,
            "history": history,
            "recordings": recordings,
            "same_contact": same,
        }));
        lines.push(format!(
            "  {} ({name}, {}): {}, {}, {}",
            customer.reference,
            campaign.as_deref().unwrap_or("no campaign"),
            plural(outcomes, "outcome", "outcomes"),
            plural(history, "history entry", "history entries"),
            plural(recordings, "recording", "recordings")
        ));
        if !same.is_empty() {
            others.push(format!(
                "  {} has the e-mail address or phone number of {}: the same person? Forget it too if so",
                same.join(", "),
                customer.reference
            ));
        }
    }
    lines.extend(others.iter().cloned());
    if args.dry_run {
        // What the run would refuse, said now.
        if let Some(problem) = crate::recordings::folder_problem(db, &store.site.recordings)? {
            ui.warn(&format!("the run would be refused: {problem}"));
        }
        let mentions = anonymize::preview_request(db, &ids)?;
        if ui.json() {
            ui.print_json(&serde_json::json!({ "would_forget": listed, "mentions": mentions }))?;
        } else {
            ui.say(&format!(
                "would erase {}\nand redact {} of them in other records",
                lines.join("\n"),
                plural(mentions, "mention", "mentions")
            ));
        }
        return Ok(());
    }
    if !others.is_empty() && args.yes {
        // Said before the job, which a script does not stop for.
        for line in &others {
            ui.warn(line.trim());
        }
    }
    if !args.yes {
        ui.explain(&format!("to erase {}", lines.join("\n")));
        let typed = ui.ask("This cannot be undone. Type yes to erase them")?;
        if typed.as_deref().map(str::trim) != Some("yes") {
            return Err(Failure::refused("not confirmed; nothing was changed").into());
        }
    }
    let reason = args.reason.as_deref().unwrap_or("");
    let job = anonymize::plan_request(db, &store.site, &ids, &store.actor, reason)?;
    let mut reports = cmd.run_jobs(&store, vec![job])?;
    cmd.report_jobs(&store, &mut reports)?;
    // Re-adding is a new person (DESIGN.md, promise 4): a cron job that
    // imports the same file again brings them back, as a new customer.
    ui.say(
        "the files they were imported from still hold them: imported again, they come back as new customers; \
         take them out of those files (or delete the files)",
    );
    Ok(())
}
