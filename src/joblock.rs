//! Which anonymization jobs a live process is running.
//!
//! The job table says how far a job got; it cannot say whether a process is
//! still at it. After Ctrl-C, `kill -9`, the out-of-memory killer or a power
//! loss, a job stays `running` in the table with nothing running it. So the
//! process that runs a job holds an exclusive advisory lock (`flock`) on a
//! small file beside the database named after the job,
//! `<database>.job-<job id>.lock`, from the moment it plans or resumes the job
//! until the job is done. The kernel drops the lock when the process ends,
//! however it ends, so nothing has to clean up after a kill: an unfinished
//! job whose file nobody holds is one nobody runs, and listings call it
//! `interrupted` (see [`live_state`]).
//!
//! The rules that keep this true:
//! - A reader asks for a shared lock without waiting, and lets go at once:
//!   refused means a runner holds the job.
//! - A runner asks for the exclusive lock, again for a moment (a reader may
//!   be asking just then): refused means another process runs the job, and
//!   it is left to that one.
//! - `flock` locks the open file, not its name. A runner removes the file
//!   once the job is done, while it still holds the lock; a runner that
//!   opened the file before that would lock a file no one else can find. So
//!   a runner checks, once it holds the lock, that the name still leads to
//!   the file it locked, and starts again if not.
//! - The files are empty and readable by their owner only: the job id in
//!   their name is all they say. A file left by a killed runner is taken
//!   over by the next one, and removed when the job is done.
//!
//! A lock belongs to its process, not to a thread or a connection, which is
//! also why the message on Ctrl-C ([`unfinished`]) is read from here.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use anyhow::{Context, Result};
use rustix::fs::{flock, FlockOperation};

use crate::db::{Job, JobState};

/// How long a runner asks for a job's lock before it takes the job for
/// another process's: readers hold it for no longer than one system call.
const ASKING: Duration = Duration::from_millis(500);
const PAUSE: Duration = Duration::from_millis(10);

/// A job this process holds: its lock file, open, and how far it got.
struct Held {
    path: PathBuf,
    _file: File,
    done: u64,
    total: u64,
}

static HELD: Mutex<Vec<Held>> = Mutex::new(Vec::new());

fn held() -> MutexGuard<'static, Vec<Held>> {
    HELD.lock().unwrap_or_else(|e| e.into_inner())
}

/// The lock file of `job` of the database at `db`: beside the database's
/// real path, so that every way of naming it finds the same file.
fn lock_path(db: &Path, job: &str) -> PathBuf {
    let mut name = crate::store::real_path(db).into_os_string();
    name.push(format!(".job-{job}.lock"));
    PathBuf::from(name)
}

/// Takes the lock of `job` for this process, which keeps it until the job
/// is [`release`]d or the process ends. Returns false when another process
/// holds it (and runs the job).
pub fn hold(db: &Path, job: &Job) -> Result<bool> {
    let path = lock_path(db, &job.id);
    if held().iter().any(|h| h.path == path) {
        return Ok(true);
    }
    let started = std::time::Instant::now();
    loop {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("cannot open the lock file {}", path.display()))?;
        if flock(&file, FlockOperation::NonBlockingLockExclusive).is_err() {
            if started.elapsed() > ASKING {
                return Ok(false);
            }
            std::thread::sleep(PAUSE);
            continue;
        }
        // The file may have been removed (its job done) between opening and
        // locking it: then the lock guards nothing anyone can find.
        let locked = file.metadata()?;
        let named = std::fs::metadata(&path).ok();
        if named.is_some_and(|n| n.dev() == locked.dev() && n.ino() == locked.ino()) {
            held().push(Held {
                path,
                _file: file,
                done: job.done,
                total: job.total,
            });
            return Ok(true);
        }
    }
}

/// Notes how far this process got with a job it holds.
pub fn progress(db: &Path, job: &str, done: u64) {
    let path = lock_path(db, job);
    if let Some(h) = held().iter_mut().find(|h| h.path == path) {
        h.done = done;
    }
}

/// The job is done: removes its lock file, then lets go of the lock.
pub fn release(db: &Path, job: &str) {
    let path = lock_path(db, job);
    let mut held = held();
    if let Some(i) = held.iter().position(|h| h.path == path) {
        let _ = std::fs::remove_file(&path);
        held.swap_remove(i);
    }
}

/// Whether a live process (this one or another) holds `job`.
pub fn is_running(db: &Path, job: &str) -> bool {
    let path = lock_path(db, job);
    if held().iter().any(|h| h.path == path) {
        return true;
    }
    match File::open(&path) {
        Ok(file) => flock(&file, FlockOperation::NonBlockingLockShared).is_err(),
        Err(_) => false,
    }
}

/// How far the jobs this process holds have got, summed: (done, total), or
/// `None` when it holds none. What Ctrl-C during a job reports.
pub fn unfinished() -> Option<(u64, u64)> {
    let held = held();
    (!held.is_empty()).then(|| {
        held.iter()
            .fold((0, 0), |(done, total), h| (done + h.done, total + h.total))
    })
}

/// What a job is doing now, as `jobs list` and `campaign show` say it: an
/// unfinished job that a live process holds is `running`; one that none
/// holds is `interrupted`, or `scrub_pending` when only its scrub is left
/// (a reader blocked it, or the process stopped during it).
pub fn live_state(db: &Path, job: &Job) -> &'static str {
    match job.state {
        JobState::Queued | JobState::Running | JobState::ScrubPending
            if is_running(db, &job.id) =>
        {
            "running"
        }
        JobState::Queued | JobState::Running => "interrupted",
        other => other.as_str(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: &str) -> Job {
        Job {
            rowid: 1,
            id: id.into(),
            campaign: None,
            state: JobState::Running,
            total: 10,
            done: 4,
            operator: "tester".into(),
            created_at: String::new(),
            finished_at: None,
            mentions: None,
            comments: 0,
            history: 0,
            recordings_deleted: 0,
            recordings_refused: 0,
            request: false,
        }
    }

    #[test]
    fn a_held_job_is_running_until_released() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("cube.db");
        let job = job("0195-test");
        assert_eq!(live_state(&db, &job), "interrupted");
        assert!(hold(&db, &job).unwrap());
        assert!(hold(&db, &job).unwrap(), "held already");
        assert_eq!(live_state(&db, &job), "running");
        // Another open file of the same name is another holder: refused.
        let other = File::open(lock_path(&db, &job.id)).unwrap();
        assert!(flock(&other, FlockOperation::NonBlockingLockShared).is_err());
        progress(&db, &job.id, 7);
        assert_eq!(unfinished(), Some((7, 10)));
        release(&db, &job.id);
        assert_eq!(unfinished(), None);
        assert!(!lock_path(&db, &job.id).exists());
        assert_eq!(live_state(&db, &job), "interrupted");
    }
}
