use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::access::{self, AccessExport};
use crate::commands::{plural, CommandHelper};
use crate::csvio::AtomicFile;
use crate::Failure;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The customer: a reference (see `customer list`) or customer number
    #[arg(value_name = "REF")]
    pub reference: String,
    /// Write to this file (mode 0600, complete or not at all) instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also copy the customer's call recordings into this folder
    #[arg(long, value_name = "DIR")]
    pub recordings: Option<PathBuf>,
}

pub fn run(args: ExportArgs, cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    let store = cmd.store()?;
    if let Some(path) = &args.output {
        store.site.check_output(path)?;
    }
    let db = &store.db;
    let found = db.find_customer(args.reference.trim())?.ok_or_else(|| {
        Failure::failed(format!(
            "no customer has the reference or customer number {:?}",
            args.reference
        ))
    })?;
    let document = access::collect(db, &found, crate::db::timestamp(store.actor.now))?;
    let mut text = serde_json::to_vec_pretty(&document)?;
    text.push(b'\n');
    match &args.output {
        Some(path) => {
            let mut file = AtomicFile::create(path, "access")?;
            file.file().write_all(&text)?;
            file.commit()?;
        }
        None => {
            let mut out = ui.stdout();
            out.write_all(&text)?;
            out.flush()?;
        }
    }
    let to = args
        .output
        .as_ref()
        .map(|p| format!(" to {}", p.display()))
        .unwrap_or_default();
    match &document {
        AccessExport::Anonymized { anonymized_on, .. } => ui.say(&format!(
            "customer {} was anonymized on {anonymized_on}: cube holds nothing about the person{to}",
            found.reference
        )),
        AccessExport::Held(held) => {
            ui.say(&format!(
                "exported what cube holds about customer {}{to}: the card, {}, {}, {} and {}",
                found.reference,
                plural(held.outcomes.len() as u64, "outcome", "outcomes"),
                plural(held.sales.len() as u64, "sale", "sales"),
                plural(held.history.len() as u64, "history entry", "history entries"),
                plural(held.recordings.len() as u64, "recording", "recordings"),
            ));
            if let Some(dir) = &args.recordings {
                let copied = access::copy_recordings(&held.recordings, store.recordings(), dir)?;
                ui.say(&format!(
                    "copied {} into {}",
                    plural(copied, "recording file", "recording files"),
                    dir.display()
                ));
            }
        }
    }
    Ok(())
}
