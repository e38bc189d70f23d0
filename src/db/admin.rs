//! Settings, integrity checks and connection settings: what `doctor` and the
//! big writers need from the store.

use std::fs::File;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use anyhow::{Context, Result};
use rusqlite::{params, OptionalExtension};

use super::Db;

/// How often [`Db::with_wal_flushed`] syncs the WAL: 10 MB or so of a bulk
/// import's WAL.
const WAL_FLUSH_EVERY: Duration = Duration::from_millis(50);

/// The page cache of an integrity check (here and of a snapshot): what the
/// memory goal allows.
pub(super) const INTEGRITY_CACHE_MIB: i64 = 48;

impl Db {
    /// Runs `work`, a long write transaction (a bulk import), while another
    /// thread syncs the WAL and the database file every [`WAL_FLUSH_EVERY`].
    ///
    /// With `synchronous=NORMAL` SQLite writes the WAL without syncing it and
    /// syncs it all at the checkpoint after the commit: tens of megabytes that
    /// the writer then waits for with nothing else to do. Syncing the file as it
    /// grows lets the disk write it while the writer works, and leaves the
    /// checkpoint's own sync little to do. The same goes for the database
    /// file while the checkpoint at the end copies the WAL into it (until
    /// then it is not written, and its sync costs nothing): an outcomes import
    /// that rewrites every customer waited half as long in its syncs. It
    /// changes nothing SQLite relies on: an early sync of a file is never
    /// wrong, and SQLite still syncs it itself. A sync that fails is ignored
    /// for the same reason. (Around VACUUM it gained nothing: measured, and
    /// left out.)
    pub fn with_wal_flushed<T>(&self, work: impl FnOnce() -> Result<T>) -> Result<T> {
        let Some(path) = self.conn.path().filter(|p| !p.is_empty()) else {
            return work();
        };
        let db_path = std::path::PathBuf::from(path);
        let [wal, _, _] = super::side_files(&db_path);
        std::thread::scope(|scope| {
            let (done, finished) = mpsc::channel::<()>();
            scope.spawn(move || {
                let mut files = [(wal, None), (db_path, None::<File>)];
                while let Err(RecvTimeoutError::Timeout) = finished.recv_timeout(WAL_FLUSH_EVERY) {
                    for (path, file) in &mut files {
                        if file.is_none() {
                            *file = File::open(&*path).ok();
                        }
                        if let Some(file) = file {
                            let _ = file.sync_data();
                        }
                    }
                }
            });
            let result = work();
            drop(done);
            result
        })
    }

    /// The file this database was opened from.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()
            .context("cannot read a setting")
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn
            .prepare_cached("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2")?
            .execute(params![key, value])
            .context("cannot write a setting")?;
        Ok(())
    }

    /// `PRAGMA integrity_check` and `foreign_key_check`: the problems, if any.
    /// The check looks every row up in every index of its table, all over
    /// the file: with SQLite's default cache of 2 MB it read the same pages
    /// again and again (`cube doctor` 16.8 s at 300,000 customers; 7.0 s
    /// with this cache).
    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        self.set_cache_mib(INTEGRITY_CACHE_MIB)?;
        let mut problems = Vec::new();
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        for line in stmt.query_map([], |r| r.get::<_, String>(0))? {
            let line = line?;
            if line != "ok" {
                problems.push(format!("integrity: {line}"));
            }
        }
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let table: String = r.get(0)?;
            let rowid: Option<i64> = r.get(1)?;
            let parent: String = r.get(2)?;
            problems.push(format!(
                "foreign key: {table} row {} points at a missing {parent}",
                rowid.unwrap_or(0)
            ));
        }
        Ok(problems)
    }

    /// The connection settings in force, and the SQLite version.
    pub fn settings_in_force(&self) -> Result<Vec<(String, String)>> {
        let mut out = vec![(
            "sqlite_version".to_string(),
            self.conn
                .query_row("SELECT sqlite_version()", [], |r| r.get::<_, String>(0))?,
        )];
        for name in [
            "secure_delete",
            "journal_mode",
            "journal_size_limit",
            "temp_store",
            "foreign_keys",
            "trusted_schema",
            "synchronous",
            "busy_timeout",
            "page_size",
            "user_version",
        ] {
            out.push((name.to_string(), super::pragma_text(&self.conn, name)?));
        }
        Ok(out)
    }

    /// Every recording path.
    pub fn recording_paths(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT path FROM recordings ORDER BY path")?;
        let paths = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(paths)
    }

    /// Runs `work` with SQLite's temporary files on disk, in the database's own
    /// private folder, instead of in memory; `temp_store` is put back to
    /// `MEMORY` and checked afterwards, whatever happened.
    ///
    /// For the big users of temporary storage only: VACUUM's copy of the
    /// database, the sort of an export, and the sorts that build the indexes
    /// at the end of a first customer import. In memory each grows with the
    /// database (100 MB at 200,000 customers); on disk they stay within the
    /// page cache, and sorting gets faster. They only ever hold rows that are
    /// live in the database beside them, never erased ones.
    ///
    /// SQLite puts the files in `$SQLITE_TMPDIR`, which [`crate::run`] points at
    /// the database's folder when the program starts.
    pub fn with_temp_on_disk<T>(&self, work: impl FnOnce() -> Result<T>) -> Result<T> {
        self.with_pragma("temp_store", ("FILE", "MEMORY", 2), work)
    }

    /// Runs `work`, which must consist of whole transactions, with foreign key
    /// enforcement off; it is put back on and checked afterwards, whatever
    /// happened.
    ///
    /// For two writers whose keys are right by construction, so the checks
    /// can only pass while costing a search of the parent per row: an
    /// anonymization job (its plan, ledger and recording to-do list take ids
    /// selected from the parent tables in the same transaction, and it
    /// changes no key; the checks were a sixth of the job) and a customer
    /// import (a new customer's one key is the campaign that the same
    /// transaction found or created).
    pub fn with_foreign_keys_off<T>(&self, work: impl FnOnce() -> Result<T>) -> Result<T> {
        self.with_pragma("foreign_keys", ("OFF", "ON", 1), work)
    }

    /// Runs `work` with pragma `name` set to `during`, then sets it to `after`
    /// and checks that it reads back as `reads`, whatever `work` did.
    fn with_pragma<T>(
        &self,
        name: &str,
        (during, after, reads): (&str, &str, i64),
        work: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        self.conn
            .execute_batch(&format!("PRAGMA {name} = {during}"))
            .with_context(|| format!("cannot set {name}"))?;
        let result = work();
        self.conn
            .execute_batch(&format!("PRAGMA {name} = {after}"))?;
        let now: i64 = self
            .conn
            .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))?;
        if now != reads {
            let message = format!("PRAGMA {name} did not go back to {after}");
            return Err(crate::Failure::failed(message).into());
        }
        result
    }

    /// Lets this connection keep up to `mib` MiB of pages in memory.
    pub fn set_cache_mib(&self, mib: i64) -> Result<()> {
        self.conn
            .pragma_update(None, "cache_size", -1024 * mib)
            .context("cannot set the cache size")
    }
}
