//! The receipt of an anonymization job (`cube jobs show ID`): what was
//! erased, what was kept and why, whether the scrub is done, and which
//! backups still hold what it erased, until when. It is what an operator
//! sends a data protection officer, so it holds counts, days, ids and paths
//! of backups, never personal data.

use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use crate::db::{BackupRecord, Db, Job, JobState};

#[derive(Debug, Serialize)]
pub struct Receipt {
    pub job: String,
    /// `campaign` for a campaign's anonymization, `request` for one
    /// person's erasure request.
    pub kind: &'static str,
    pub campaign: Option<String>,
    pub operator: String,
    /// The day it was planned and the day it finished (days only).
    pub started_on: String,
    pub finished_on: Option<String>,
    pub state: &'static str,
    pub erased: Erased,
    pub kept: Kept,
    /// True once the database files hold no old copy of what it erased.
    pub scrubbed: bool,
    pub backups: Vec<HoldingBackup>,
}

#[derive(Debug, Serialize)]
pub struct Erased {
    pub customers: u64,
    /// Every field of each card, its customer number, extra fields and
    /// reference.
    pub card_fields: &'static str,
    pub comments: u64,
    pub history: u64,
    /// Mentions of them in other customers' records.
    pub mentions: u64,
    pub recordings_deleted: u64,
    /// Recording files not deleted because their path was not safe to touch.
    pub recordings_refused: u64,
}

#[derive(Debug, Serialize)]
pub struct Kept {
    pub outcomes: u64,
    pub sales: u64,
    pub why: &'static str,
}

/// A backup made before the job that still exists: it holds the erased data.
#[derive(Debug, Serialize)]
pub struct HoldingBackup {
    pub path: String,
    pub created_on: String,
    pub sha256: String,
    /// For a rolling set: after how many more backups into its folder this
    /// one is removed (`None`: it is kept until removed by hand).
    pub rotates_out_after: Option<u64>,
}

pub fn receipt(db: &Db, job: &Job) -> Result<Receipt> {
    let (outcomes, sales) = db.kept_of_job(job.rowid)?;
    let backups = db.backups()?;
    Ok(Receipt {
        job: job.id.clone(),
        kind: if job.request { "request" } else { "campaign" },
        campaign: job.campaign.clone(),
        operator: job.operator.clone(),
        started_on: day(&job.created_at),
        finished_on: job.finished_at.as_deref().map(day),
        state: job.state.as_str(),
        erased: Erased {
            customers: job.done,
            card_fields: "every field of the card: name, e-mail, phone, address, postal code, city, birth date, company, notes, customer number, extra fields and reference",
            comments: job.comments,
            history: job.history,
            mentions: job.mentions.unwrap_or(0),
            recordings_deleted: job.recordings_deleted,
            recordings_refused: job.recordings_refused,
        },
        kept: Kept {
            outcomes,
            sales,
            why: "seller, day, campaign, outcome label, product, quantity and price keep the sales statistics true; nothing in them leads back to the person",
        },
        scrubbed: job.state == JobState::Done,
        backups: holding(&backups, &job.created_at),
    })
}

/// The backups made before `before` (a job's start) whose file is still there.
fn holding(backups: &[BackupRecord], before: &str) -> Vec<HoldingBackup> {
    backups
        .iter()
        .filter(|b| b.created_at.as_str() <= before && Path::new(&b.path).is_file())
        .map(|b| HoldingBackup {
            path: b.path.clone(),
            created_on: day(&b.created_at),
            sha256: b.sha256.clone(),
            rotates_out_after: rotates_out_after(backups, b),
        })
        .collect()
}

/// How many more backups into `b`'s rolling set remove it: the set keeps the
/// newest `keep`, so every one older than `b` goes first, then `b`.
fn rotates_out_after(backups: &[BackupRecord], b: &BackupRecord) -> Option<u64> {
    let (dir, keep) = (b.dir.as_ref()?, b.keep?);
    let in_set: Vec<&BackupRecord> = backups
        .iter()
        .filter(|o| o.dir.as_ref() == Some(dir) && Path::new(&o.path).is_file())
        .collect();
    let up_to_b = in_set
        .iter()
        .filter(|o| (&o.created_at, &o.path) <= (&b.created_at, &b.path))
        .count() as u64;
    let room = keep.saturating_sub(in_set.len() as u64);
    Some(up_to_b + room)
}

fn day(timestamp: &str) -> String {
    timestamp.get(..10).unwrap_or(timestamp).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backup(path: &str, at: &str, keep: u64) -> BackupRecord {
        BackupRecord {
            path: path.into(),
            created_at: at.into(),
            sha256: String::new(),
            bytes: 0,
            dir: Some("/b".into()),
            keep: Some(keep),
        }
    }

    #[test]
    fn a_rolling_set_drops_the_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = |n: &str| {
            let p = dir.path().join(n);
            std::fs::write(&p, b"x").unwrap();
            p.to_string_lossy().into_owned()
        };
        let set = [
            backup(&path("1"), "2026-11-01T00:00:00Z", 3),
            backup(&path("2"), "2026-11-02T00:00:00Z", 3),
            backup(&path("3"), "2026-11-03T00:00:00Z", 3),
        ];
        // A full set of 3: the second goes with the second backup after now.
        assert_eq!(rotates_out_after(&set, &set[1]), Some(2));
        assert_eq!(rotates_out_after(&set[..2], &set[1]), Some(3));
        let held = holding(&set, "2026-11-02T12:00:00Z");
        assert_eq!(held.len(), 2);
        assert_eq!(held[1].created_on, "2026-11-02");
    }
}
