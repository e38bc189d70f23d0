//! Writing a file that someone else will read: whole, private, or not at all.

use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// The one way cube writes a file that someone else will read: a temporary
/// file beside the target (`.NAME.WHAT.PID.tmp`, mode 0600), synced, renamed
/// into place, and the folder synced, so that nobody ever sees half a file.
/// Until [`AtomicFile::commit`] the target is untouched; dropping it
/// uncommitted removes the temporary file and any `-wal`/`-shm`/`-journal`
/// SQLite made beside it, and so does a signal or the next command after a
/// kill (see [`crate::temps`]).
pub struct AtomicFile {
    file: File,
    temp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl AtomicFile {
    /// Creates the temporary file for `target`; `what` says what it is for.
    ///
    /// A link is followed: the file it names is replaced, and the link stays.
    /// Anything but a regular file (a device, a pipe, a folder) is refused:
    /// renaming over it would replace it, `/dev/null` included.
    pub fn create(target: &Path, what: &str) -> anyhow::Result<AtomicFile> {
        let is_link = fs::symlink_metadata(target).is_ok_and(|m| m.file_type().is_symlink());
        let real;
        let target = if is_link {
            real = fs::canonicalize(target).with_context(|| {
                format!("cannot write {}: the link leads nowhere", target.display())
            })?;
            real.as_path()
        } else {
            target
        };
        if fs::metadata(target).is_ok_and(|m| !m.is_file()) {
            return Err(crate::Failure::failed(format!(
                "cannot write {}: it is not a regular file, and only a file is replaced whole",
                target.display()
            ))
            .into());
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = target.with_file_name(format!(".{name}.{what}.{}.tmp", std::process::id()));
        if let Some(dir) = temp.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.is_dir() {
                return Err(crate::Failure::failed(format!(
                    "cannot create {}: the folder {} does not exist",
                    target.display(),
                    dir.display()
                ))
                .into());
            }
        }
        // A file of this name can only be left by a killed process that had
        // our process id: it is ours to replace.
        let _ = fs::remove_file(&temp);
        crate::temps::register(&temp);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)
            .with_context(|| format!("cannot create {}", temp.display()));
        let file = match file {
            Ok(file) => file,
            Err(e) => {
                crate::temps::unregister(&temp);
                return Err(e);
            }
        };
        Ok(AtomicFile {
            file,
            temp,
            target: target.to_path_buf(),
            committed: false,
        })
    }

    /// Where the content is written until it is committed.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// The open temporary file. A writer that opens [`AtomicFile::path`]
    /// itself (SQLite) may do so too: syncing this handle syncs its writes.
    pub fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// Syncs the file, renames it over the target and syncs the folder.
    pub fn commit(mut self) -> anyhow::Result<()> {
        self.file
            .sync_all()
            .with_context(|| format!("cannot write {}", self.target.display()))?;
        fs::rename(&self.temp, &self.target)
            .with_context(|| format!("cannot write {}", self.target.display()))?;
        self.committed = true;
        crate::temps::unregister(&self.temp);
        if let Some(dir) = self.target.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(dir) = File::open(dir) {
                let _ = dir.sync_all();
            }
        }
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.committed {
            crate::temps::remove_with_side_files(&self.temp);
            crate::temps::unregister(&self.temp);
        }
    }
}
