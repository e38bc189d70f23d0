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

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use serde_json::json;

use crate::anonymize::{self, JOURNAL_SEEN};
use crate::db::{self, Db};
use crate::env::timestamp;
use crate::store::{Actor, Site};
use crate::{Failure, Kind};

/// Tables every cube database has; a snapshot without them is no cube database.
const REQUIRED_TABLES: &[&str] = &[
    "settings",
    "campaigns",
    "customers",
    "outcomes",
    "sales",
    "jobs",
    "erasures",
    "audit",
];

/// Writes a snapshot of `db` to `target`. Returns its size in bytes.
pub fn create(db: &Db, target: &Path) -> Result<u64> {
    let temp = Temp::new(target, "backup")?;
    db.vacuum_into(temp.path())?;
    File::open(temp.path())
        .and_then(|f| f.sync_all())
        .with_context(|| format!("cannot sync {}", temp.path().display()))?;
    check(temp.path()).context("the new snapshot failed its check")?;
    let size = fs::metadata(temp.path())?.len();
    let digest = sha256_file(temp.path())?;
    temp.rename_to(target)?;
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
    let temp = Temp::new(&path, "sum")?;
    fs::write(temp.path(), format!("{digest}  {name}\n"))?;
    temp.rename_to(&path)
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

/// What a snapshot holds.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotInfo {
    pub schema_version: i64,
    pub customers: i64,
    pub anonymized: i64,
}

/// Checks an untrusted file: a SQLite database that passes `integrity_check`,
/// of a schema version this cube knows, with cube's tables and nothing cube
/// never makes (triggers, views). Opens it read-only and immutable, so nothing
/// is written beside it.
pub fn check(path: &Path) -> Result<SnapshotInfo> {
    let bad = |what: &str| -> anyhow::Error {
        Failure::bad_input(format!("{} {what}; nothing was changed", path.display())).into()
    };
    let mut header = [0u8; 16];
    let read = File::open(path)
        .with_context(|| format!("cannot open {}", path.display()))?
        .read(&mut header)?;
    if read < 16 || &header != b"SQLite format 3\0" {
        return Err(bad("is not a SQLite database"));
    }
    let uri = format!("file:{}?mode=ro&immutable=1", uri_path(path));
    let conn = Connection::open_with_flags(
        &uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
    )
    .map_err(|_| bad("cannot be opened as a database"))?;
    conn.execute_batch("PRAGMA trusted_schema = OFF; PRAGMA cell_size_check = ON;")
        .map_err(|_| bad("cannot be opened as a database"))?;
    let verdict: String = conn
        .query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))
        .map_err(|_| bad("is damaged (its integrity check cannot run)"))?;
    if verdict != "ok" {
        return Err(bad("is damaged (it fails its integrity check)"));
    }
    let mut stmt = conn
        .prepare("SELECT type, name FROM sqlite_master")
        .map_err(|_| bad("is damaged"))?;
    let objects: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|rows| rows.collect())
        .map_err(|_| bad("is damaged"))?;
    if objects
        .iter()
        .any(|(kind, _)| kind == "trigger" || kind == "view")
    {
        return Err(bad("holds triggers or views, which cube never makes"));
    }
    for table in REQUIRED_TABLES {
        if !objects
            .iter()
            .any(|(kind, name)| kind == "table" && name == table)
        {
            return Err(bad(&format!(
                "is not a cube database (it has no {table} table)"
            )));
        }
    }
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|_| bad("is damaged"))?;
    if !(1..=db::SCHEMA_VERSION).contains(&version) {
        return Err(bad(&format!(
            "has schema version {version}, which this cube (version {}) does not know",
            db::SCHEMA_VERSION
        )));
    }
    let (customers, anonymized) = conn
        .query_row(
            "SELECT count(*), count(anonymized_at) FROM customers",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(|_| bad("is damaged"))?;
    Ok(SnapshotInfo {
        schema_version: version,
        customers,
        anonymized,
    })
}

fn uri_path(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::new();
    for b in absolute.to_string_lossy().bytes() {
        match b {
            b'%' | b'?' | b'#' => out.push_str(&format!("%{b:02X}")),
            _ => out.push(b as char),
        }
    }
    out
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
    let now = timestamp(actor.now);

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
                journal.erased(&job, campaign.as_deref(), &now, ids)?;
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
    let temp = Temp::new(live_path, "restore")?;
    {
        let mut from = File::open(snapshot_path)?;
        let mut to = OpenOptions::new().write(true).open(temp.path())?;
        io::copy(&mut from, &mut to).context("cannot copy the snapshot")?;
        to.sync_all()?;
    }
    let restored = Db::open(temp.path(), site.busy_timeout)?;
    let tx = restored.begin()?;
    let in_snapshot = tx.audit_log(None)?;
    for entry in live_audit.iter().filter(|e| !in_snapshot.contains(e)) {
        tx.audit(
            &entry.at,
            &entry.operator,
            &entry.action,
            entry.campaign.as_deref(),
            &entry.details,
        )?;
    }
    tx.commit()?;
    let replayed = anonymize::replay(&restored, site, actor, &erasures)?;
    let tx = restored.begin()?;
    for job in &undone {
        tx.audit(&now, &actor.operator, "undo", None, &json!({ "job": job }))?;
    }
    tx.audit(
        &now,
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
    File::open(temp.path())?.sync_all()?;

    // Record the undo before the swap: if the swap then fails, the journal
    // says a job was undone while the live database still has it anonymized,
    // which loses nothing. The other order could bring data back.
    for job in &undone {
        journal.undone(job, &now)?;
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
    swap_into_place(temp, live_path, site.busy_timeout)?;
    Ok(RestoreReport {
        checksummed,
        snapshot,
        reapplied_jobs: replayed.jobs,
        reapplied_customers: replayed.customers,
        undone_jobs: undone,
    })
}

/// Replaces the live database with `temp` in one rename, holding the live
/// database's exclusive lock so that no other cube is inside it meanwhile.
fn swap_into_place(temp: Temp, live: &Path, busy_timeout: Duration) -> Result<()> {
    if !live.exists() {
        return temp.rename_to(live);
    }
    let conn = Connection::open_with_flags(
        live,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("cannot open {}", live.display()))?;
    conn.busy_timeout(busy_timeout)?;
    // Out of WAL mode, the old file is the whole old database: no -wal of it
    // can be left to be mistaken for the new one's.
    let mode: String = conn
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .unwrap_or_default();
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(Failure::new(
            Kind::Busy,
            "the live database is in use by another program; nothing was changed",
        )
        .hint("stop the other cube commands and try again")
        .into());
    }
    conn.execute_batch("BEGIN EXCLUSIVE")
        .context("cannot lock the live database")?;
    temp.rename_to(live)?;
    let _ = conn.execute_batch("ROLLBACK");
    drop(conn);
    for suffix in ["-wal", "-shm"] {
        let stale = PathBuf::from(format!("{}{suffix}", live.display()));
        let _ = fs::remove_file(stale);
    }
    Ok(())
}

/// A temporary file beside `target`, mode 0600, removed unless renamed.
struct Temp {
    path: PathBuf,
    kept: bool,
}

impl Temp {
    fn new(target: &Path, what: &str) -> Result<Temp> {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let path = target.with_file_name(format!(".{name}.{what}.{}.tmp", std::process::id()));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.exists() {
                return Err(Failure::failed(format!(
                    "the folder {} does not exist",
                    dir.display()
                ))
                .into());
            }
        }
        let _ = fs::remove_file(&path);
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        Ok(Temp { path, kept: false })
    }

    fn path(&self) -> &Path {
        &self.path
    }

    fn rename_to(mut self, target: &Path) -> Result<()> {
        fs::rename(&self.path, target)
            .with_context(|| format!("cannot write {}", target.display()))?;
        self.kept = true;
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if !self.kept {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = fs::remove_file(format!("{}{suffix}", self.path.display()));
            }
        }
    }
}
