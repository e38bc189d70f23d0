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
        // Made before the job ended, a backup may hold some of its people:
        // a job killed, backed up, then resumed erased them after it.
        backups: holding(&backups, job.finished_at.as_deref().unwrap_or("9999")),
    })
}

/// Every backup whose file is still there, as [`holding`] finds them: those
/// the database recorded, and the other snapshots of its rolling sets'
/// folders; oldest first (`cube backup list`).
pub fn backups_there(db: &Db) -> Result<Vec<HoldingBackup>> {
    Ok(holding(&db.backups()?, "9999"))
}

/// The backups made before `before` (a job's end) whose file is still
/// there: those this database recorded, and the other snapshots in the
/// folder of each rolling set it recorded (written by a copy of it, or
/// recorded by the database a restore replaced), oldest first.
fn holding(backups: &[BackupRecord], before: &str) -> Vec<HoldingBackup> {
    let mut held: Vec<HoldingBackup> = backups
        .iter()
        .filter(|b| b.created_at.as_str() <= before && Path::new(&b.path).is_file())
        .map(|b| HoldingBackup {
            path: b.path.clone(),
            created_on: day(&b.created_at),
            sha256: b.sha256.clone(),
            rotates_out_after: b.dir.as_deref().zip(b.keep).and_then(|(dir, keep)| {
                rotates_out_after(Path::new(dir), keep, Path::new(&b.path))
            }),
        })
        .collect();
    let mut sets: Vec<(&str, u64)> = Vec::new();
    for b in backups.iter().rev() {
        if let (Some(dir), Some(keep)) = (b.dir.as_deref(), b.keep) {
            if !sets.iter().any(|(d, _)| *d == dir) {
                sets.push((dir, keep));
            }
        }
    }
    for (dir, keep) in sets {
        let dir = Path::new(dir);
        for path in crate::backup::rolling_snapshots(dir).unwrap_or_default() {
            let listed = path.to_string_lossy();
            let Some(at) = crate::backup::rolling_time(&path) else {
                continue;
            };
            if at.as_str() > before || held.iter().any(|h| h.path == listed) {
                continue;
            }
            let sha256 = std::fs::read_to_string(crate::backup::checksum_path(&path))
                .ok()
                .and_then(|line| line.split_whitespace().next().map(str::to_string))
                .unwrap_or_default();
            held.push(HoldingBackup {
                path: listed.into_owned(),
                created_on: day(&at),
                sha256,
                rotates_out_after: rotates_out_after(dir, keep, &path),
            });
        }
    }
    let order = |h: &HoldingBackup| {
        (
            h.created_on.clone(),
            h.rotates_out_after.unwrap_or(u64::MAX),
            h.path.clone(),
        )
    };
    held.sort_by_key(order);
    held
}

/// How many more backups into the rolling set in `dir`, which keeps the
/// newest `keep`, remove `path`: every snapshot older than it goes first,
/// then it (the order `backup create --dir` removes them in). `None` when it
/// is not one of the set's snapshots.
fn rotates_out_after(dir: &Path, keep: u64, path: &Path) -> Option<u64> {
    let set = crate::backup::rolling_snapshots(dir).ok()?;
    let position = set.iter().position(|p| p == path)? as u64;
    let room = keep.saturating_sub(set.len() as u64);
    Some(position + 1 + room)
}

fn day(timestamp: &str) -> String {
    timestamp.get(..10).unwrap_or(timestamp).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backup(dir: &Path, name: &str, at: &str, keep: u64) -> BackupRecord {
        let path = dir.join(name);
        std::fs::write(&path, b"x").unwrap();
        BackupRecord {
            path: path.to_string_lossy().into_owned(),
            created_at: at.into(),
            sha256: String::new(),
            bytes: 0,
            dir: Some(dir.to_string_lossy().into_owned()),
            keep: Some(keep),
        }
    }

    #[test]
    fn a_rolling_set_drops_the_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        let set = [
            backup(dir, "cube-20261101T000000Z.db", "2026-11-01T00:00:00Z", 3),
            backup(dir, "cube-20261102T000000Z.db", "2026-11-02T00:00:00Z", 3),
            backup(dir, "cube-20261103T000000Z.db", "2026-11-03T00:00:00Z", 3),
        ];
        let second = Path::new(&set[1].path);
        // A full set of 3: the second goes with the second backup after now.
        assert_eq!(rotates_out_after(dir, 3, second), Some(2));
        assert_eq!(rotates_out_after(dir, 4, second), Some(3));
        let held = holding(&set, "2026-11-02T12:00:00Z");
        assert_eq!(held.len(), 2);
        assert_eq!(held[1].created_on, "2026-11-02");
        assert_eq!(held[1].rotates_out_after, Some(2));
    }

    /// Two in the same second: the one with `-1` came second, and goes
    /// second. A snapshot this database did not record (a restore replaced
    /// the database that did) is listed all the same.
    #[test]
    fn the_folder_says_what_a_set_holds_and_in_which_order_it_goes() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        let first = backup(dir, "cube-20261101T000000Z.db", "2026-11-01T00:00:00Z", 2);
        let second = backup(dir, "cube-20261101T000000Z-1.db", "2026-11-01T00:00:00Z", 2);
        std::fs::write(dir.join("cube-20261101T120000Z.db"), b"x").unwrap();
        let held = holding(&[first, second], "2026-11-02T00:00:00Z");
        let order: Vec<(&str, Option<u64>)> = held
            .iter()
            .map(|h| (h.path.rsplit('/').next().unwrap(), h.rotates_out_after))
            .collect();
        assert_eq!(
            order,
            [
                ("cube-20261101T000000Z.db", Some(1)),
                ("cube-20261101T000000Z-1.db", Some(2)),
                ("cube-20261101T120000Z.db", Some(3)),
            ]
        );
    }
}
