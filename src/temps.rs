//! Temporary files that must not outlive the command that made them.
//!
//! A restore builds a full copy of a snapshot beside the database, a backup
//! and an export write whole copies of personal data before they are renamed
//! into place. A command stopped before the rename must not leave them behind,
//! so every [`crate::csvio::AtomicFile`] is registered here:
//!
//! - while it exists, a marker file in the database's folder
//!   (`.cube-temps/<process id>.<n>`, holding the temporary file's absolute
//!   path) says
//!   which process owns it;
//! - on SIGINT, SIGTERM or SIGHUP, [`remove_live`] deletes this process's
//!   temporary files before the process ends (`crate::run` installs it);
//! - after a `kill -9`, a power loss or the out-of-memory killer, the next
//!   command that opens the database calls [`sweep`], which deletes the files
//!   of processes that no longer run. A live process's files are never
//!   touched, since its id is in the marker's name.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

/// Where the markers are: `.cube-temps` in the database's folder.
static MARKERS: OnceLock<PathBuf> = OnceLock::new();

/// This process's temporary files, with their markers.
static LIVE: Mutex<Vec<(PathBuf, Option<PathBuf>)>> = Mutex::new(Vec::new());

static NEXT: AtomicU64 = AtomicU64::new(0);

/// Names the database's folder, once, before any temporary file is made.
pub fn set_database_folder(folder: &Path) {
    let folder = whole(folder);
    let _ = MARKERS.set(folder.join(".cube-temps"));
}

/// `path` from the root, its folder's links and `..` resolved where it
/// exists.
fn whole(path: &Path) -> PathBuf {
    let real = crate::store::real_path(path);
    std::path::absolute(&real).unwrap_or(real)
}

/// Records `temp` (before it is created) as this process's, with a marker
/// when the database's folder is known and exists.
pub fn register(temp: &Path) {
    let marker = MARKERS.get().and_then(|dir| {
        if !dir.parent().is_some_and(Path::is_dir) {
            return None;
        }
        let _ = fs::DirBuilder::new().mode(0o700).create(dir);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let marker = dir.join(format!("{}.{n}", std::process::id()));
        // Whole and with its folder's links and `..` resolved, so that a
        // command started in another folder (cron starts in `/`) finds it,
        // also once the folder it was named from is gone.
        let temp = whole(temp);
        fs::write(&marker, temp.as_os_str().as_bytes()).ok()?;
        Some(marker)
    });
    lock().push((temp.to_path_buf(), marker));
}

/// Forgets `temp`: it was renamed into place or removed.
pub fn unregister(temp: &Path) {
    let mut live = lock();
    if let Some(i) = live.iter().position(|(path, _)| path == temp) {
        let (_, marker) = live.swap_remove(i);
        if let Some(marker) = marker {
            let _ = fs::remove_file(marker);
        }
    }
}

/// Removes every temporary file of this process (on a signal).
pub fn remove_live() {
    let live = std::mem::take(&mut *lock());
    for (temp, marker) in live {
        remove_with_side_files(&temp);
        if let Some(marker) = marker {
            let _ = fs::remove_file(marker);
        }
    }
}

/// Temporary files left by processes that no longer run, with their markers.
pub fn leftovers() -> Vec<(PathBuf, PathBuf)> {
    let Some(dir) = MARKERS.get() else {
        return Vec::new();
    };
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let marker = entry.path();
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.split('.').next()) else {
            continue;
        };
        if pid.parse::<u32>().is_err() || Path::new("/proc").join(pid).exists() {
            continue;
        }
        if let Ok(bytes) = fs::read(&marker) {
            found.push((PathBuf::from(OsStr::from_bytes(&bytes)), marker));
        }
    }
    found
}

/// Removes what [`leftovers`] finds; returns how many files it removed.
pub fn sweep() -> usize {
    let mut removed = 0;
    for (temp, marker) in leftovers() {
        if temp.exists() {
            removed += 1;
        }
        remove_with_side_files(&temp);
        let _ = fs::remove_file(marker);
    }
    removed
}

/// Removes `path` and the `-wal`, `-shm` and `-journal` SQLite may have made
/// beside it.
pub fn remove_with_side_files(path: &Path) {
    let _ = fs::remove_file(path);
    for side in crate::db::side_files(path) {
        let _ = fs::remove_file(side);
    }
}

fn lock() -> std::sync::MutexGuard<'static, Vec<(PathBuf, Option<PathBuf>)>> {
    LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A marker names the file as it is, so that it is found once the
    /// folder it was named from (`wd/..`) is gone.
    #[test]
    fn a_marker_names_the_file_from_the_root_without_dot_dots() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        fs::create_dir_all(root.join("wd")).unwrap();
        fs::create_dir_all(root.join("out")).unwrap();
        let named = root.join("wd/../out/.x.csv.export.1.tmp");
        assert_eq!(whole(&named), root.join("out/.x.csv.export.1.tmp"));
    }
}
