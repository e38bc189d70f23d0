use anyhow::Result;
use serde_json::json;

use crate::anonymize::{self, Actor};
use crate::journal::Journal;
use crate::ui::Ui;
use crate::{Env, Failure, Kind};

pub fn run(env: &Env, ui: &Ui) -> Result<()> {
    let (db, path) = crate::commands::open_db_ungated(env)?;
    let journal = Journal::of(&path);
    let actor = Actor {
        operator: &env.operator,
        now: env.now()?,
    };
    let report = anonymize::replay(
        &db,
        &journal.read()?,
        &journal,
        &env.recordings_dir(&path),
        env.batch_size,
        &actor,
    )?;
    if report.customers > 0 {
        let tx = db.begin()?;
        tx.audit(
            &crate::env::timestamp(actor.now),
            actor.operator,
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
        "re-applied {} anonymization job(s) from {}: {} customers anonymized again",
        report.jobs,
        journal.path().display(),
        report.customers
    ));
    if !report.scrubbed {
        return Err(Failure::new(Kind::Busy, "the erasures are applied but the scrub is pending: another program is reading the database")
            .hint("run `cube jobs resume` when it has finished")
            .into());
    }
    Ok(())
}
