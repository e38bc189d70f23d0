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
#[derive(Debug)]
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

impl Site {
    pub fn new(path: PathBuf, recordings: PathBuf, busy_timeout: Duration, batch: u64) -> Site {
        Site {
            journal: Journal::of(&path),
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
        let store = Store {
            db,
            site: self,
            actor,
        };
        if access != Access::Ungated {
            store.gate()?;
        }
        Ok(store)
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

    /// The restore gate.
    fn gate(&self) -> Result<()> {
        let missing = crate::anonymize::missing_erasures(&self.db, self.journal())?;
        if !missing.is_empty() {
            return Err(Failure::refused(format!(
                "the database lacks {} anonymizations recorded in its erasure journal (was an old backup copied into place?)",
                missing.len()
            ))
            .hint("run `cube backup replay` to apply them, or `cube backup restore` to restore a backup properly")
            .into());
        }
        Ok(())
    }
}
