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
//! that rename the live database is untouched. The restored database's kept
//! counts (`db/counts.rs`) are counted again, not taken from the snapshot.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::json;

use crate::anonymize::{self, JOURNAL_SEEN};
use crate::csvio::AtomicFile;
use crate::db::snapshot;
pub use crate::db::snapshot::{check, SnapshotInfo};
use crate::db::Db;
use crate::journal::Journal;
use crate::store::{Actor, Site};
use crate::{Failure, Kind};

/// Writes a snapshot of `db` to `target` at `now`, and records it (path,
/// time, checksum, and the rolling set it belongs to), so that a job's
/// receipt can name the backups that still hold what it erased. Returns its
/// size in bytes.
pub fn create(
    db: &Db,
    target: &Path,
    now: chrono::DateTime<chrono::Utc>,
    set: Option<(&Path, usize)>,
) -> Result<u64> {
    let temp = AtomicFile::create(target, "backup")?;
    db.vacuum_into(temp.path())?;
    check(temp.path()).context("the new snapshot failed its check")?;
    let size = fs::metadata(temp.path())?.len();
    let digest = sha256_file(temp.path())?;
    temp.commit()?;
    write_checksum(target, &digest)?;
    let real = crate::store::real_path(target);
    let set = set.map(|(dir, keep)| (crate::store::real_path(dir), keep));
    let tx = db.begin()?;
    tx.record_backup(
        &real,
        now,
        &digest,
        size,
        set.as_ref().map(|(d, k)| (d.as_path(), *k)),
    )?;
    tx.commit()?;
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

/// Makes a backup folder, if it is not there: private like the database's
/// own folder, as the snapshots hold personal data.
pub fn make_dir(dir: &Path) -> Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))
}

/// Writes a snapshot named by the time into `dir` and keeps the newest `keep`
/// of them. Returns the new snapshot's path.
pub fn create_rolling(
    db: &Db,
    dir: &Path,
    keep: usize,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<PathBuf> {
    make_dir(dir)?;
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    let mut target = dir.join(format!("cube-{stamp}.db"));
    let mut n = 1;
    while target.exists() {
        target = dir.join(format!("cube-{stamp}-{n}.db"));
        n += 1;
    }
    create(db, &target, now, Some((dir, keep)))?;
    let snapshots = rolling_snapshots(dir)?;
    let excess = snapshots.len().saturating_sub(keep.max(1));
    for old in &snapshots[..excess] {
        fs::remove_file(old)
            .with_context(|| format!("cannot remove old backup {}", old.display()))?;
        let _ = fs::remove_file(checksum_path(old));
    }
    Ok(target)
}

/// The snapshots of the rolling set in `dir`, oldest first: by time, then by
/// the number a second snapshot in the same second has (`-1.db` sorts
/// before `.db` by name). The order they rotate out in.
pub fn rolling_snapshots(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut snapshots: Vec<((String, u64), PathBuf)> = fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| Some((rolling_order(&p)?, p)))
        .collect();
    snapshots.sort();
    Ok(snapshots.into_iter().map(|(_, p)| p).collect())
}

/// When a snapshot of a rolling set was made, from its name, as cube writes
/// times (`2026-11-29T10:00:00Z`).
pub fn rolling_time(path: &Path) -> Option<String> {
    let (stamp, _) = rolling_order(path)?;
    let d = stamp.as_bytes();
    let part = |from: usize, to: usize| std::str::from_utf8(&d[from..to]).ok();
    Some(format!(
        "{}-{}-{}T{}:{}:{}Z",
        part(0, 4)?,
        part(4, 6)?,
        part(6, 8)?,
        part(9, 11)?,
        part(11, 13)?,
        part(13, 15)?
    ))
}

/// Where a snapshot of a rolling set comes in time, from its name:
/// `cube-20261129T100000Z.db` is (`20261129T100000Z`, 0) and
/// `cube-20261129T100000Z-1.db`, written later in the same second,
/// (`20261129T100000Z`, 1); `None` for any other file.
fn rolling_order(path: &Path) -> Option<(String, u64)> {
    let name = path.file_name()?.to_str()?;
    let stem = name.strip_prefix("cube-")?.strip_suffix(".db")?;
    let (stamp, suffix) = stem.split_once('-').unwrap_or((stem, "0"));
    let is_stamp = stamp.len() == 16
        && stamp.as_bytes()[8] == b'T'
        && stamp.ends_with('Z')
        && stamp.chars().filter(char::is_ascii_digit).count() == 14;
    let suffix_ok = !suffix.is_empty() && suffix.chars().all(|c| c.is_ascii_digit());
    (is_stamp && suffix_ok).then(|| Some((stamp.to_string(), suffix.parse().ok()?)))?
}

/// The lock files a database opened at a temporary path gets beside it
/// (see `db/scrub.rs`): removed with the temporary copy, whichever way the
/// restore ends.
struct GateFiles(PathBuf);

impl Drop for GateFiles {
    fn drop(&mut self) {
        let _ = fs::remove_file(crate::db::gate_path(&self.0));
        let _ = fs::remove_file(crate::db::turn_path(&self.0));
    }
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
    /// The journals read (the one beside the database and its copies).
    pub journals: Vec<PathBuf>,
    /// True when the restore went ahead without any journal (`--no-journal`).
    pub no_journal: bool,
}

/// The shortest job id prefix `--undo-job` takes: an empty or short one (an
/// unset shell variable) must not pick a job by chance.
const MIN_JOB_PREFIX: usize = 8;

/// Restores `snapshot` over the live database of `site` (which may be gone),
/// re-applying every recorded erasure except those of the jobs in `undo`.
///
/// With neither a journal nor a live database there is no record of who was
/// anonymized after the snapshot, and restoring it would bring them back: it
/// is refused unless `no_journal` says the operator knows.
pub fn restore(
    site: &Site,
    actor: &Actor,
    snapshot_path: &Path,
    undo: &[String],
    no_journal: bool,
) -> Result<RestoreReport> {
    for wanted in undo {
        if wanted.trim().chars().count() < MIN_JOB_PREFIX {
            return Err(Failure::refused(format!(
                "--undo-job {wanted:?}: give at least {MIN_JOB_PREFIX} characters of the job id"
            ))
            .hint("cube jobs list shows the jobs")
            .into());
        }
    }
    let checksummed = verify_checksum(snapshot_path)?;
    let snapshot = check(snapshot_path)?;
    let live_path = site.path.as_path();
    crate::recordings::restoring_over(live_path);
    let now = actor.now;

    // Every journal there may be: beside the database, its copies in backup
    // folders the live database or the snapshot knows, and beside the
    // snapshot itself (a backup folder, when the database's disk is lost).
    let live = match live_path.exists() {
        true => Db::open(live_path, site.busy_timeout).ok(),
        false => None,
    };
    let mut site = site.clone();
    let mut dirs = snapshot::backup_dirs(snapshot_path)?;
    if let Some(live) = &live {
        dirs.extend(crate::store::backup_dirs(live)?);
    }
    if let Some(folder) = snapshot_path.parent() {
        dirs.push(crate::store::real_path(folder));
    }
    for dir in dirs {
        site.journal
            .add_copy(dir.join(Journal::copy_name(live_path)));
    }
    let (site, journal) = (&site, &site.journal);
    let journals: Vec<PathBuf> = std::iter::once(journal.path())
        .chain(journal.copies().iter().map(PathBuf::as_path))
        .filter(|p| p.exists())
        .map(Path::to_path_buf)
        .collect();
    if journals.is_empty() && live.is_none() && !no_journal {
        return Err(Failure::refused(format!(
            "there is no erasure journal (looked for {}) and no live database: anonymizations made after this snapshot cannot be re-applied, so restoring it would bring those people back; nothing was changed",
            journal.path().display()
        ))
        .hint("put the journal back beside the database (or the backup folder's copy beside the snapshot); only if no one was anonymized after the snapshot, pass --no-journal")
        .into());
    }
    let no_journal = journals.is_empty() && live.is_none();

    // The live ledger may know erasures the journal lost; the journal must
    // know them all before anything else happens. Its audit log, who did what
    // since the snapshot, is carried over too.
    let mut live_audit = Vec::new();
    let mut live_backups = Vec::new();
    if let Some(live) = live {
        live_audit = live.audit_log(None)?;
        // The backups it made still hold what they held: a job's receipt
        // after the restore must name them (the snapshot does not record
        // itself, nor what came after it).
        live_backups = live.backups()?;
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
    // What the restored database will have seen: the journal as read here.
    // Lines a job beside the restore appends from now on stay after it, for
    // the gates to read when the restored database opens.
    let read_len = journal.size()?;
    let mut erasures = journal.read()?;
    let mut undone = Vec::new();
    for wanted in undo {
        let matches: Vec<String> = erasures
            .jobs
            .keys()
            .filter(|j| j.starts_with(wanted.as_str()) || j.ends_with(wanted.as_str()))
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
                    "--undo-job {wanted}: more than one job id starts or ends with it"
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
    let _gate_files = GateFiles(temp.path().to_path_buf());
    io::copy(&mut File::open(snapshot_path)?, temp.file()).context("cannot copy the snapshot")?;
    let restored = Db::open(temp.path(), site.busy_timeout)?;
    let tx = restored.begin()?;
    // The snapshot's kept counts are untrusted input like the rest of it;
    // counting costs less than the integrity check and the scrub.
    tx.recount()?;
    let in_snapshot = tx.audit_log(None)?;
    for entry in live_audit.iter().filter(|e| !in_snapshot.contains(e)) {
        tx.append_audit(entry)?;
    }
    for record in &live_backups {
        tx.keep_backup_record(record)?;
    }
    tx.commit()?;
    // A job undone here that the snapshot holds half done ends there: its
    // customers stay as the snapshot has them, and nothing resumes it.
    for job in &undone {
        anonymize::end_undone(&restored, site, actor, job)?;
    }
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
            "no_journal": no_journal,
        }),
    )?;
    tx.commit()?;
    if !restored.scrub_whole(restored.busy_timeout())?.checkpointed
        || !restored.into_single_file()?
    {
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
    {
        let restored = Db::open(temp.path(), site.busy_timeout)?;
        let tx = restored.begin()?;
        tx.set_setting(JOURNAL_SEEN, &read_len.to_string())?;
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
        journals,
        no_journal,
    })
}
