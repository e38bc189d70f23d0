use anyhow::Result;
use serde_json::json;

use crate::anonymize;
use crate::commands::{plural, CommandHelper};
use crate::{Failure, Kind};

pub fn run(cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    let store = cmd.store_ungated()?;
    let db = &store.db;
    let (journal, actor) = (store.journal(), &store.actor);
    if let Some(copy) = journal.put_back()? {
        ui.say(&format!(
            "the erasure journal was missing: put back from its copy {}",
            copy.display()
        ));
    }
    let report = anonymize::replay(db, &store.site, actor, &journal.read()?)?;
    if report.customers > 0 {
        let tx = db.begin()?;
        tx.audit(
            actor.now,
            &actor.operator,
            "replay",
            None,
            &json!({ "jobs": report.jobs, "customers": report.customers }),
        )?;
        tx.commit()?;
    }
    if ui.json() {
        ui.print_json(&report)?;
    }
    ui.say(&format!(
        "re-applied {} from {}: {} anonymized again",
        plural(report.jobs, "anonymization job", "anonymization jobs"),
        journal.path().display(),
        plural(report.customers, "customer", "customers")
    ));
    if !report.scrubbed {
        return Err(Failure::new(Kind::Busy, "the erasures are applied but the scrub is pending: another program is reading the database")
            .hint("run `cube jobs resume` when it has finished")
            .into());
    }
    Ok(())
}
