//! The store: the database with everything that belongs beside it (its erasure
//! journal and recordings folder), and who works on it when.
//!
//! Commands receive a [`Store`] already opened and behind the restore gate,
//! instead of putting it together themselves; that way no command can forget
//! the gate, read the clock twice, or look for the journal somewhere else.
//!
//! The restore gate: a database that lacks erasures its journal records (an
//! old backup copied into place by hand) is refused until `cube backup replay`
//! re-applies them. Only `backup replay`, `backup restore` and `doctor` get
//! past it, with [`Access::Ungated`] (or, for restore, a [`Site`] alone).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::db::Db;
use crate::journal::Journal;
use crate::Failure;

/// Who does the work and when: one clock reading per command.
#[derive(Debug, Clone)]
pub struct Actor {
    pub operator: String,
    pub now: DateTime<Utc>,
}

/// Where a database and its companions are, whether or not it exists.
#[derive(Debug, Clone)]
pub struct Site {
    pub path: PathBuf,
    pub journal: Journal,
    pub recordings: PathBuf,
    pub busy_timeout: Duration,
    /// Customers per anonymization batch.
    pub batch: u64,
}

/// How a command may open the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// It must exist, and pass the restore gate.
    Gated,
    /// It is created if there is none (the commands that put data in), and
    /// must pass the restore gate.
    Create,
    /// It must exist; the gate is not checked (`backup replay`, `doctor`).
    Ungated,
}

/// An opened database with its site and actor.
pub struct Store {
    pub db: Db,
    pub site: Site,
    pub actor: Actor,
}

/// The setting that lists the folders `backup create --dir` wrote to: each
/// keeps a copy of the erasure journal.
pub const BACKUP_DIRS: &str = "backup_dirs";

impl Site {
    pub fn new(path: PathBuf, recordings: PathBuf, busy_timeout: Duration, batch: u64) -> Site {
        Site {
            journal: Journal::of(&real_path(&path)),
            path,
            recordings,
            busy_timeout,
            batch,
        }
    }

    /// Opens the database here.
    pub fn open(self, access: Access, actor: Actor) -> Result<Store> {
        if access != Access::Create && !self.path.exists() {
            // A mistyped --db must not quietly make an empty database.
            return Err(Failure::failed(format!(
                "there is no database at {}",
                self.path.display()
            ))
            .hint("`cube init` creates one there; or name another with --db or CUBE_DB")
            .into());
        }
        let db = Db::open(&self.path, self.busy_timeout)?;
        let mut site = self;
        for dir in backup_dirs(&db)? {
            site.journal
                .add_copy(dir.join(Journal::copy_name(&site.path)));
        }
        let store = Store { db, site, actor };
        if access != Access::Ungated {
            store.gate()?;
        }
        Ok(store)
    }
}

impl Site {
    /// Refuses an output path that would overwrite the database, one of its
    /// side files or its erasure journal (or a copy of it), also through a
    /// link: a report written there would destroy what keeps people erased.
    pub fn check_output(&self, output: &Path) -> Result<()> {
        let mut protected = vec![real_path(&self.path)];
        protected.extend(crate::db::side_files(&protected[0]));
        protected.push(self.journal.path().to_path_buf());
        protected.extend(self.journal.copies().iter().map(|p| real_path(p)));
        // Where a rename would put the file, and where the name leads now.
        let named = in_real_folder(output);
        let resolved = real_path(output);
        if protected.iter().any(|p| *p == named || *p == resolved) {
            return Err(Failure::refused(format!(
                "{} is the database, one of its files or its erasure journal: cube never writes a report over it",
                output.display()
            ))
            .hint("name another file")
            .into());
        }
        Ok(())
    }
}

impl Store {
    pub fn path(&self) -> &Path {
        &self.site.path
    }

    pub fn journal(&self) -> &Journal {
        &self.site.journal
    }

    pub fn recordings(&self) -> &Path {
        &self.site.recordings
    }

    /// Remembers a folder that backups are written to, and keeps a copy of the
    /// erasure journal there from now on.
    pub fn remember_backup_dir(&mut self, dir: &Path) -> Result<()> {
        let dir = real_path(dir);
        let mut dirs = backup_dirs(&self.db)?;
        if !dirs.contains(&dir) {
            dirs.push(dir.clone());
            let tx = self.db.begin()?;
            tx.set_setting(BACKUP_DIRS, &serde_json::to_string(&dirs)?)?;
            tx.commit()?;
        }
        let copy = dir.join(Journal::copy_name(self.path()));
        if !copy.exists() && self.journal().path().exists() {
            let mut file = crate::csvio::AtomicFile::create(&copy, "journal")?;
            std::io::copy(
                &mut std::fs::File::open(self.journal().path())?,
                file.file(),
            )?;
            file.commit()?;
        }
        self.site.journal.add_copy(copy);
        Ok(())
    }

    /// The restore gate.
    fn gate(&self) -> Result<()> {
        let missing = crate::anonymize::missing_erasures(&self.db, self.journal())?.len() as u64;
        let unredacted = crate::anonymize::unapplied_redactions(&self.db, self.journal())?;
        if missing + unredacted > 0 {
            let lacks = match (missing, unredacted) {
                (0, n) => crate::commands::plural(n, "redaction", "redactions"),
                (n, 0) => crate::commands::plural(n, "anonymization", "anonymizations"),
                (n, m) => format!(
                    "{} and {}",
                    crate::commands::plural(n, "anonymization", "anonymizations"),
                    crate::commands::plural(m, "redaction", "redactions")
                ),
            };
            return Err(Failure::refused(format!(
                "the database lacks {lacks} recorded in its erasure journal (was an old backup copied into place?)"
            ))
            .hint("run `cube backup replay` to apply them, or `cube backup restore` to restore a backup properly")
            .into());
        }
        Ok(())
    }
}

/// Every file cube makes for the database at `path`: the file, SQLite's side
/// files, the two lock files and the erasure journal.
pub fn database_files(path: &Path) -> Vec<PathBuf> {
    let mut files = vec![path.to_path_buf()];
    files.extend(crate::db::side_files(path));
    files.extend([crate::db::gate_path(path), crate::db::turn_path(path)]);
    files.push(crate::journal::Journal::of(path).path().to_path_buf());
    files
}

/// The folders that backups were written to (see [`Store::remember_backup_dir`]).
pub fn backup_dirs(db: &Db) -> Result<Vec<PathBuf>> {
    Ok(parse_dirs(db.setting(BACKUP_DIRS)?.as_deref()))
}

/// The backup folders as the setting holds them; nothing if it is damaged.
pub fn parse_dirs(setting: Option<&str>) -> Vec<PathBuf> {
    setting
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default()
}

/// The path without links: canonical where the file exists, else its
/// folder's canonical path with the name (what a new file there would be).
pub fn real_path(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| in_real_folder(path))
}

/// The path with its folder's links resolved but not its last name: the
/// name that a rename to `path` replaces.
fn in_real_folder(path: &Path) -> PathBuf {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match (folder.canonicalize(), path.file_name()) {
        (Ok(folder), Some(name)) => folder.join(name),
        _ => path.to_path_buf(),
    }
}
