//! The right of access: everything cube holds about one person, as one JSON
//! document (`cube customer export REF`).
//!
//! The shape is stable (keys may be added, never renamed) and documented in
//! the README: `format`, `exported_at`, `customer` (the card with every
//! field and extra field, the reference and customer number, the campaign,
//! stage and seller, when the card was created and last changed),
//! `outcomes`, `sales`, `history` and `recordings` (file names relative to
//! the recordings folder; with a folder to copy them to, the copies too),
//! the texts of other records that mention the person, and the unit of the
//! amounts.
//! For an anonymized customer it says only that, and on which day: there is
//! nothing left to give.

use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::db::{
    CustomerRef, CustomerView, Db, HistoryEntry, OutcomeEntry, RecordingEntry, SaleEntry,
};

/// What the document says it is.
pub const FORMAT: &str = "cube-access-export/1";

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum AccessExport {
    Held(Box<Held>),
    Anonymized {
        format: &'static str,
        exported_at: String,
        #[serde(rename = "ref")]
        reference: String,
        anonymized: bool,
        /// The day it was anonymized.
        anonymized_on: String,
    },
}

#[derive(Debug, Serialize)]
pub struct Held {
    pub format: &'static str,
    pub exported_at: String,
    pub customer: CustomerView,
    pub outcomes: Vec<OutcomeEntry>,
    pub sales: Vec<SaleEntry>,
    pub history: Vec<HistoryEntry>,
    pub recordings: Vec<RecordingEntry>,
    /// Other records' texts that mention the person (another customer's
    /// note, an outcome's comment): whole, as they are. They may hold other
    /// people's data, to be reviewed before the document is handed over.
    pub mentioned_elsewhere: Vec<Mentioned>,
    /// What `unit_price` and other amounts count in.
    pub amount_unit: &'static str,
}

/// A text of another record that mentions the person.
#[derive(Debug, Serialize)]
pub struct Mentioned {
    pub table: String,
    pub field: String,
    pub text: String,
    /// How many rows hold this text (a label many outcomes share).
    pub rows: u64,
}

/// Everything held about `customer`.
pub fn collect(db: &Db, customer: &CustomerRef, exported_at: String) -> Result<AccessExport> {
    let card = db.customer_view(customer.id)?;
    if let Some(at) = &card.anonymized_at {
        return Ok(AccessExport::Anonymized {
            format: FORMAT,
            exported_at,
            reference: card.reference.clone(),
            anonymized: true,
            anonymized_on: at.get(..10).unwrap_or(at).to_string(),
        });
    }
    Ok(AccessExport::Held(Box::new(Held {
        format: FORMAT,
        exported_at,
        outcomes: db.outcomes_of(customer.id)?,
        sales: db.sales_of(customer.id)?,
        history: db.history_of(customer.id)?,
        recordings: db.recordings_of(customer.id)?,
        mentioned_elsewhere: crate::anonymize::texts_mentioning(db, customer.id)?
            .into_iter()
            .map(|(table, field, text, rows)| Mentioned {
                table,
                field,
                text,
                rows,
            })
            .collect(),
        amount_unit: "øre",
        customer: card,
    })))
}

/// Copies the customer's recording files from `folder` into `to` (made
/// private, 0700, if missing), keeping their relative paths; the copies are
/// 0600. Returns how many were copied; a file that is gone, or not safe to
/// read (see `crate::recordings`), is left out.
pub fn copy_recordings(recordings: &[RecordingEntry], folder: &Path, to: &Path) -> Result<u64> {
    let mut copied = 0;
    for recording in recordings {
        let Ok(stored) = crate::recordings::check(folder, &recording.path) else {
            continue;
        };
        let target = to.join(&stored);
        if let Some(dir) = target.parent() {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let mut from = fs::File::open(folder.join(&stored))?;
        let mut out = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&target)
            .with_context(|| format!("cannot create {}", target.display()))?;
        io::copy(&mut from, &mut out)?;
        out.sync_all()?;
        copied += 1;
    }
    Ok(copied)
}
