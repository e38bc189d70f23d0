//! Backups and the way back from anonymizing the wrong customers.
//!
//! A backup is a consistent snapshot made with `VACUUM INTO` (live data only:
//! the free space that anonymization scrubs is never copied), written to a
//! temporary file, fsynced, checked with `integrity_check`, then renamed into
//! place with mode 0600.
//!
//! A restore treats its input as untrusted, builds the restored database in a
//! temporary file beside the live one, re-applies every erasure recorded in the
//! erasure journal (and the live ledger) except the jobs named as mistakes,
//! scrubs it, and only then replaces the live database with one rename. Until
//! that rename the live database is untouched.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::json;

use crate::anonymize::{self, JOURNAL_SEEN};
use crate::csvio::AtomicFile;
use crate::db::snapshot;
pub use crate::db::snapshot::{check, SnapshotInfo};
use crate::db::Db;
use crate::store::{Actor, Site};
use crate::{Failure, Kind};

/// Writes a snapshot of `db` to `target`. Returns its size in bytes.
pub fn create(db: &Db, target: &Path) -> Result<u64> {
    let temp = AtomicFile::create(target, "backup")?;
    db.vacuum_into(temp.path())?;
    check(temp.path()).context("the new snapshot failed its check")?;
    let size = fs::metadata(temp.path())?.len();
    let digest = sha256_file(temp.path())?;
    temp.commit()?;
    write_checksum(target, &digest)?;
    Ok(size)
}

/// `<snapshot>.sha256`, in the format `sha256sum -c` reads: it lets a restore
/// tell a flipped bit inside a value, which `integrity_check` cannot see.
pub fn checksum_path(snapshot: &Path) -> PathBuf {
    let mut name = snapshot.as_os_str().to_owned();
    name.push(".sha256");
    PathBuf::from(name)
}

fn write_checksum(snapshot: &Path, digest: &str) -> Result<()> {
    let name = snapshot
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let path = checksum_path(snapshot);
    let mut temp = AtomicFile::create(&path, "sum")?;
    temp.file()
        .write_all(format!("{digest}  {name}\n").as_bytes())?;
    temp.commit()
}

fn sha256_file(path: &Path) -> Result<String> {
    use sha2::{Digest, Sha256};
    let mut file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Verifies a snapshot against its `.sha256` file, if it has one. Returns
/// whether there was one to check.
fn verify_checksum(snapshot: &Path) -> Result<bool> {
    let Ok(text) = fs::read_to_string(checksum_path(snapshot)) else {
        return Ok(false);
    };
    let expected = text
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if sha256_file(snapshot)? != expected {
        return Err(Failure::bad_input(format!(
            "{} does not match its checksum file {}: it was changed or damaged since it was written; nothing was changed",
            snapshot.display(),
            checksum_path(snapshot).display()
        ))
        .into());
    }
    Ok(true)
}

/// Writes a snapshot named by the time into `dir` and keeps the newest `keep`
/// of them. Returns the new snapshot's path.
pub fn create_rolling(
    db: &Db,
    dir: &Path,
    keep: usize,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<PathBuf> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    let mut target = dir.join(format!("cube-{stamp}.db"));
    let mut n = 1;
    while target.exists() {
        target = dir.join(format!("cube-{stamp}-{n}.db"));
        n += 1;
    }
    create(db, &target)?;
    let mut snapshots: Vec<PathBuf> = fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| is_rolling_name(p))
        .collect();
    snapshots.sort();
    let excess = snapshots.len().saturating_sub(keep.max(1));
    for old in &snapshots[..excess] {
        fs::remove_file(old)
            .with_context(|| format!("cannot remove old backup {}", old.display()))?;
        let _ = fs::remove_file(checksum_path(old));
    }
    Ok(target)
}

/// `cube-20261129T100000Z.db` or `cube-20261129T100000Z-1.db`.
fn is_rolling_name(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let Some(stem) = name
        .strip_prefix("cube-")
        .and_then(|n| n.strip_suffix(".db"))
    else {
        return false;
    };
    let (stamp, suffix) = stem.split_once('-').unwrap_or((stem, "0"));
    stamp.len() == 16
        && stamp.as_bytes()[8] == b'T'
        && stamp.ends_with('Z')
        && stamp.chars().filter(char::is_ascii_digit).count() == 14
        && suffix.chars().all(|c| c.is_ascii_digit())
}

/// What a restore did.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreReport {
    /// Whether the snapshot had a `.sha256` file (and matched it).
    pub checksummed: bool,
    pub snapshot: SnapshotInfo,
    pub reapplied_jobs: u64,
    pub reapplied_customers: u64,
    pub undone_jobs: Vec<String>,
}

/// Restores `snapshot` over the live database of `site` (which may be gone),
/// re-applying every recorded erasure except those of the jobs in `undo`.
pub fn restore(
    site: &Site,
    actor: &Actor,
    snapshot_path: &Path,
    undo: &[String],
) -> Result<RestoreReport> {
    let checksummed = verify_checksum(snapshot_path)?;
    let snapshot = check(snapshot_path)?;
    let journal = &site.journal;
    let live_path = site.path.as_path();
    let now = actor.now;

    // The live ledger may know erasures the journal lost; the journal must
    // know them all before anything else happens. Its audit log, who did what
    // since the snapshot, is carried over too.
    let mut live_audit = Vec::new();
    if live_path.exists() {
        if let Ok(live) = Db::open(live_path, site.busy_timeout) {
            live_audit = live.audit_log(None)?;
            let known = journal.read()?;
            let mut by_job: std::collections::BTreeMap<(String, Option<String>), Vec<String>> =
                Default::default();
            for (job, campaign, cube_id) in live.ledger()? {
                let listed = known
                    .jobs
                    .get(&job)
                    .is_some_and(|ids| ids.contains(&cube_id));
                if !listed && !known.undone.contains(&job) {
                    by_job.entry((job, campaign)).or_default().push(cube_id);
                }
            }
            for ((job, campaign), ids) in by_job {
                journal.erased(&job, campaign.as_deref(), now, ids)?;
            }
        }
    }
    let mut erasures = journal.read()?;
    let mut undone = Vec::new();
    for wanted in undo {
        let matches: Vec<String> = erasures
            .jobs
            .keys()
            .filter(|j| j.starts_with(wanted.as_str()))
            .cloned()
            .collect();
        match matches.as_slice() {
            [job] => undone.push(job.clone()),
            [] => {
                return Err(Failure::refused(format!(
                    "--undo-job {wanted}: no anonymization job with that id is recorded"
                ))
                .hint("cube jobs list shows the jobs; the erasure journal is beside the database")
                .into())
            }
            _ => {
                return Err(Failure::refused(format!(
                    "--undo-job {wanted}: more than one job id starts with it"
                ))
                .into())
            }
        }
    }
    for job in &undone {
        erasures.jobs.remove(job);
    }

    // Build the restored database beside the live one.
    let mut temp = AtomicFile::create(live_path, "restore")?;
    io::copy(&mut File::open(snapshot_path)?, temp.file()).context("cannot copy the snapshot")?;
    let restored = Db::open(temp.path(), site.busy_timeout)?;
    let tx = restored.begin()?;
    let in_snapshot = tx.audit_log(None)?;
    for entry in live_audit.iter().filter(|e| !in_snapshot.contains(e)) {
        tx.append_audit(entry)?;
    }
    tx.commit()?;
    let replayed = anonymize::replay(&restored, site, actor, &erasures)?;
    let tx = restored.begin()?;
    for job in &undone {
        tx.audit(now, &actor.operator, "undo", None, &json!({ "job": job }))?;
    }
    tx.audit(
        now,
        &actor.operator,
        "restore",
        None,
        &json!({
            "snapshot_customers": snapshot.customers,
            "reapplied_jobs": replayed.jobs,
            "reapplied_customers": replayed.customers,
            "undone_jobs": undone,
        }),
    )?;
    tx.commit()?;
    if !restored.scrub()? || !restored.into_single_file()? {
        return Err(Failure::new(
            Kind::Busy,
            "cannot finish the restored database: something else has it open",
        )
        .into());
    }
    drop(restored);

    // Record the undo before the swap: if the swap then fails, the journal
    // says a job was undone while the live database still has it anonymized,
    // which loses nothing. The other order could bring data back.
    for job in &undone {
        journal.undone(job, now)?;
    }
    let tx_len = journal.size()?;
    {
        let restored = Db::open(temp.path(), site.busy_timeout)?;
        let tx = restored.begin()?;
        tx.set_setting(JOURNAL_SEEN, &tx_len.to_string())?;
        tx.commit()?;
        if !restored.into_single_file()? {
            return Err(Failure::new(Kind::Busy, "cannot finish the restored database").into());
        }
    }
    snapshot::swap_into_place(live_path, site.busy_timeout, || temp.commit())?;
    Ok(RestoreReport {
        checksummed,
        snapshot,
        reapplied_jobs: replayed.jobs,
        reapplied_customers: replayed.customers,
        undone_jobs: undone,
    })
}
