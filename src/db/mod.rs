//! The store: the only module with SQL.
//!
//! Every connection is opened by [`Db::open`], which sets and reads back the
//! pragmas that the anonymization promise rests on and refuses to go on if one
//! did not take. `secure_delete` in particular must be on from the very first
//! connection that creates the file: rows written without it leave copies in
//! free space that a later anonymization cannot reach.
//!
//! Storage forms, one per type (never change them without a migration):
//! - cube ids: UUIDv7 as lowercase hyphenated TEXT, readable in `sqlite3`;
//!   joins use the integer `customers.id`, which never leaves the database;
//! - timestamps: RFC 3339 UTC TEXT (`2026-11-29T10:00:00Z`), so they sort as text;
//! - dates without a time (birth dates): ISO `YYYY-MM-DD` TEXT;
//! - money: INTEGER minor units (øre, cents);
//! - match keys of a card (`email_key`, `phone_key`): the forms
//!   [`email_key`] and [`phone_key`] give, NULL when there is none.
//!
//! Locking: every write goes through [`Db::begin`], which takes the write lock up
//! front (`BEGIN IMMEDIATE`) so that a busy database is found before any work is
//! done, never half-way through it. [`Tx::commit`] also writes the kept counts
//! the transaction changed (see [`counts`]).

mod access;
mod admin;
mod audit;
mod campaigns;
mod counts;
mod customers;
mod export;
mod imports;
mod jobs;
mod mentions;
mod migrations;
mod outcomes;
mod raw;
mod scan;
mod scrub;
mod search;
pub mod snapshot;
mod stats;

use std::cell::RefCell;
use std::fs::{self, OpenOptions};
use std::io;
use std::ops::Deref;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};

pub use access::{HistoryEntry, OutcomeEntry, RecordingEntry, SaleEntry};
pub use audit::AuditEntry;
pub use campaigns::{campaign_names_at, Campaign, CampaignStatus, StageCounts};
pub use customers::{
    Card, CardText, CustomerFilter, CustomerInserter, CustomerRef, CustomerRow, CustomerView,
    NewIds, Stage,
};
pub use export::{ExportFilter, ExportRow, Report};
pub use imports::{email_key, phone_key, ImportedFile, KeyMatch, NumberedCustomer, StoredOutcome};
pub use jobs::{ErasureCounts, Job, JobState};
pub use mentions::{
    searched_tables, CustomerIds, PlannedCard, TextColumn, TextReader, TextsSeen, Whose, SEARCHED,
};
pub use outcomes::{NewHistory, NewOutcome, NewSale, OutcomeInserter, OutcomeText, Stamp};
pub use scan::{CustomerKey, CustomerLabels, TextRow};
pub use scrub::{gate_path, turn_path, Tidy, PAGES_CLEAN};
pub use search::{fold, FindKeys, Found};
pub use snapshot::BackupRecord;
pub use stats::Stats;

use crate::Failure;

/// How long a command waits by default for another one's write lock before
/// giving up with exit code 75 (`--busy-timeout` changes it).
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Page size for new databases: fewer, larger pages make bulk imports and scans
/// cheaper. It only takes effect when the file is created. 32 KB inserted
/// 200,000 customers with their indexes in 0.29 s where 16 KB took 0.37 s and
/// 64 KB no less than 32; the scrub's VACUUM is no slower.
const PAGE_SIZE: i64 = 32768;

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = migrations::CURRENT;

/// An open, configured and migrated cube database.
pub struct Db {
    conn: Connection,
    path: PathBuf,
    gate: scrub::Gate,
    busy_timeout: Duration,
    /// Changes to the kept counts that the open transaction made.
    pending: RefCell<counts::Pending>,
    /// What every tidy of this connection did, added up (see [`Db::tidied`]).
    tidied: std::cell::Cell<scrub::Tidy>,
    cleared_at_commit: std::cell::RefCell<crate::hash::IdSet<u32>>,
}

impl Db {
    /// Opens (creating if needed, mode 0600 in a 0700 folder) and migrates the
    /// database at `path`, waiting up to `busy_timeout` for other writers.
    pub fn open(path: &Path, busy_timeout: Duration) -> Result<Db> {
        create_private(path)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("cannot open database {}", path.display()))?;
        configure(&conn, busy_timeout)
            .with_context(|| format!("cannot use {} as a cube database", path.display()))?;
        let gate = scrub::Gate::open(path)?;
        {
            let _held = gate.shared(busy_timeout)?;
            migrations::migrate(&conn)?;
        }
        Ok(Db {
            conn,
            path: path.to_path_buf(),
            gate,
            busy_timeout,
            pending: RefCell::default(),
            tidied: Default::default(),
            cleared_at_commit: Default::default(),
        })
    }

    /// Starts a write transaction, taking the write lock now. Dropping the
    /// returned guard without [`Tx::commit`] rolls everything back.
    pub fn begin(&self) -> Result<Tx<'_>> {
        // Waiting for a turn counts against the busy timeout; if it runs out,
        // SQLite's own wait decides (another program may be the writer).
        let started = std::time::Instant::now();
        let turn = self.gate.turn(self.busy_timeout)?;
        let held = self
            .gate
            .shared(self.busy_timeout.saturating_sub(started.elapsed()))?;
        let _ = self
            .conn
            .busy_timeout(self.busy_timeout.saturating_sub(started.elapsed()));
        let begun = self.conn.execute_batch("BEGIN IMMEDIATE");
        let _ = self.conn.busy_timeout(self.busy_timeout);
        drop(turn);
        begun.context("cannot start a write transaction")?;
        self.forget_counts();
        // Under the write lock: no one else appends to the WAL now.
        let [wal, _, _] = side_files(&self.path);
        Ok(Tx {
            db: self,
            open: true,
            held: Some(held),
            wal_end: crate::pages::wal_end(&wal).ok(),
        })
    }

    /// True when another cube waits for the write lock now (it holds the
    /// turn while it waits: see [`Db::begin`]). Asked inside a write
    /// transaction: the writers waiting for it.
    pub fn writers_waiting(&self) -> Result<bool> {
        Ok(self.gate.turn(Duration::ZERO)?.is_none())
    }

    /// How long this connection waits for another's lock.
    pub fn busy_timeout(&self) -> Duration {
        self.busy_timeout
    }

    /// SQLite's `data_version`: it changes when another connection (of this
    /// process or another) commits, and only then.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }
}

/// A write transaction. Derefs to [`Db`], so every query runs inside it.
pub struct Tx<'a> {
    db: &'a Db,
    open: bool,
    /// Let go after the transaction ends (fields drop after `drop`).
    held: Option<scrub::Held<'a>>,
    /// Where the WAL ended when the transaction began.
    wal_end: Option<crate::pages::WalEnd>,
}

impl Tx<'_> {
    /// Writes the kept counts the transaction changed, commits, then tidies
    /// the WAL if it has grown big (see [`Db::tidy_if_big`]), as SQLite's own
    /// checkpoints would have.
    pub fn commit(self) -> Result<()> {
        self.finish(false)
    }

    /// [`Tx::commit`] of a transaction that wrote many pages (a job's
    /// redactions or batch): their free space is zeroed before
    /// the commit (see [`Db::clear_before_commit`]), so that the tidy finds
    /// them clean instead of writing each of them a second time.
    pub fn commit_cleared(self) -> Result<()> {
        self.finish(true)
    }

    fn finish(mut self, clear: bool) -> Result<()> {
        self.db.write_counts()?;
        let cleared = if clear {
            self.db.clear_before_commit(self.wal_end)?
        } else {
            Vec::new()
        };
        self.open = false;
        self.db
            .conn
            .execute_batch("COMMIT")
            .context("cannot commit")?;
        self.db.cleared_at_commit_add(cleared);
        self.held = None;
        self.db.tidy_if_big();
        Ok(())
    }

    /// Rolls back; used by `--dry-run`, which does all the work and keeps none.
    pub fn rollback(mut self) -> Result<()> {
        self.open = false;
        self.db.forget_counts();
        self.db
            .conn
            .execute_batch("ROLLBACK")
            .context("cannot roll back")
    }
}

impl Deref for Tx<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open {
            self.db.forget_counts();
            // Nothing useful can be done if this fails: SQLite rolls back an
            // unfinished transaction when the connection closes anyway.
            let _ = self.db.conn.execute_batch("ROLLBACK");
        }
    }
}

impl Drop for Db {
    /// Leaves the WAL scrubbed and checkpointed if no other cube is writing
    /// (it is then removed on close), and otherwise to the next cube: without
    /// waiting, for a reader must not stall on a writer's way out. The gate
    /// is held until the connection is closed: a cube that committed between
    /// this tidy and the close would otherwise have its unscrubbed pages
    /// checkpointed by the close.
    fn drop(&mut self) {
        let _ = self.conn.busy_timeout(Duration::ZERO);
        let Ok(Some(held)) = self.gate.exclusive(Duration::ZERO) else {
            return;
        };
        if let Ok(Tidy {
            checkpointed: true, ..
        }) = self.tidy_held()
        {
            let _ = self
                .conn
                .set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, false);
            if let Ok(stand_in) = Connection::open_in_memory() {
                let _ = std::mem::replace(&mut self.conn, stand_in).close();
            }
        }
        drop(held);
    }
}

/// Creates the database file with mode 0600 (and its folder with 0700) before
/// SQLite sees it, so that it never exists readable by others. SQLite gives the
/// `-wal` and `-shm` files the same mode as the database.
fn create_private(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .with_context(|| format!("cannot create folder {}", dir.display()))?;
        }
    }
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot create database {}", path.display())),
    }
}

/// Sets each pragma and reads it back: a setting that silently did not take
/// (an old SQLite, a read-only file, a compile-time override) would break the
/// promise that anonymized data leaves no trace.
fn configure(conn: &Connection, busy_timeout: Duration) -> Result<()> {
    conn.busy_timeout(busy_timeout)?;
    // Only has an effect on a database that has no tables yet.
    conn.pragma_update(None, "page_size", PAGE_SIZE)?;
    // Only cube's own checkpoints, after its scrub (see `scrub.rs`): none
    // every 1,000 pages, none when a connection closes.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
    let expected: [(&str, &str, &str); 10] = [
        ("secure_delete", "ON", "1"),
        // The scrub tells b-tree pages by their first byte, which a pointer
        // map page of an auto-vacuum database may share (see `pages.rs`).
        // Only takes on a database that has no tables yet: one made with
        // auto-vacuum elsewhere is refused.
        ("auto_vacuum", "NONE", "0"),
        ("wal_autocheckpoint", "0", "0"),
        ("journal_mode", "WAL", "wal"),
        ("journal_size_limit", "0", "0"),
        ("temp_store", "MEMORY", "2"),
        ("foreign_keys", "ON", "1"),
        ("trusted_schema", "OFF", "0"),
        ("synchronous", "NORMAL", "1"),
        ("busy_timeout", &busy_timeout.as_millis().to_string(), ""),
    ];
    for (name, value, want) in expected {
        let sql = format!("PRAGMA {name} = {value}");
        // Some pragmas answer the assignment with a row, some do not.
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query([])?;
        while rows.next()?.is_some() {}
        drop(rows);
        let got = pragma_text(conn, name)?.to_lowercase();
        let want = if want.is_empty() { value } else { want };
        if got != want {
            let failure = Failure::failed(format!(
                "PRAGMA {name} did not take: asked for {value}, the database says {got}"
            ));
            return Err(if name == "auto_vacuum" {
                failure.hint(
                    "the file was made with auto-vacuum; `sqlite3 FILE 'PRAGMA auto_vacuum = NONE; VACUUM'` turns it off",
                )
            } else {
                failure
            }
            .into());
        }
    }
    Ok(())
}

/// The one storage form of a timestamp: RFC 3339, UTC, whole seconds.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The start of the day of `t` (UTC): what is kept of an anonymized
/// customer's times.
pub fn day(t: DateTime<Utc>) -> DateTime<Utc> {
    t.date_naive().and_time(chrono::NaiveTime::MIN).and_utc()
}

/// The value of pragma `name`, as text.
fn pragma_text(conn: &Connection, name: &str) -> Result<String> {
    let value = conn.query_row(&format!("PRAGMA {name}"), [], |r| {
        r.get::<_, rusqlite::types::Value>(0)
    })?;
    Ok(match value {
        rusqlite::types::Value::Integer(i) => i.to_string(),
        rusqlite::types::Value::Text(t) => t,
        other => format!("{other:?}"),
    })
}

/// The files SQLite may keep beside the database at `path`: its `-wal`,
/// `-shm` and `-journal`.
pub fn side_files(path: &Path) -> [PathBuf; 3] {
    ["-wal", "-shm", "-journal"].map(|suffix| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    })
}

/// True when `err` (anywhere in its chain) is SQLite saying another process
/// holds the lock past the busy timeout.
pub fn is_busy(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<rusqlite::Error>(),
            Some(rusqlite::Error::SqliteFailure(e, _))
                if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pragma(db: &Db, name: &str) -> String {
        db.conn
            .query_row(&format!("PRAGMA {name}"), [], |r| {
                r.get::<_, rusqlite::types::Value>(0)
            })
            .map(|v| format!("{v:?}"))
            .unwrap()
    }

    #[test]
    fn every_connection_has_the_promised_settings() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("a/b/cube.db"), Duration::from_millis(1500)).unwrap();
        assert_eq!(pragma(&db, "secure_delete"), "Integer(1)");
        assert_eq!(pragma(&db, "journal_mode"), "Text(\"wal\")");
        assert_eq!(pragma(&db, "journal_size_limit"), "Integer(0)");
        assert_eq!(pragma(&db, "temp_store"), "Integer(2)");
        assert_eq!(pragma(&db, "foreign_keys"), "Integer(1)");
        assert_eq!(pragma(&db, "trusted_schema"), "Integer(0)");
        assert_eq!(pragma(&db, "busy_timeout"), "Integer(1500)");
        assert_eq!(pragma(&db, "page_size"), "Integer(32768)");
        assert_eq!(db.schema_version().unwrap(), migrations::CURRENT);
    }

    #[test]
    fn a_database_made_with_auto_vacuum_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cube.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch("PRAGMA auto_vacuum = FULL; CREATE TABLE t (x)")
            .unwrap();
        let err = Db::open(&path, BUSY_TIMEOUT).err().expect("refused");
        assert!(format!("{err:#}").contains("auto_vacuum"), "{err:#}");
    }

    #[test]
    fn work_with_the_wal_flushed_returns_what_it_returned() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("cube.db"), BUSY_TIMEOUT).unwrap();
        // Long enough for the flushing thread to sync the WAL a few times.
        let made = db
            .with_wal_flushed(|| {
                let tx = db.begin()?;
                for i in 0..4 {
                    tx.create_campaign(&format!("Kampanje {i}"), DateTime::UNIX_EPOCH)?;
                    std::thread::sleep(Duration::from_millis(60));
                }
                tx.commit()?;
                Ok(4)
            })
            .unwrap();
        assert_eq!(made, 4);
        assert_eq!(db.list_campaigns(None).unwrap().len(), 4);
        let failed = db.with_wal_flushed(|| -> Result<()> { anyhow::bail!("stopped") });
        assert_eq!(failed.unwrap_err().to_string(), "stopped");
    }

    #[test]
    fn an_anonymized_card_says_what_becomes_of_every_column() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("cube.db"), BUSY_TIMEOUT).unwrap();
        let mut stmt = db
            .conn
            .prepare("SELECT name FROM pragma_table_info('customers')")
            .unwrap();
        let mut columns: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        columns.retain(|c| c != "id");
        columns.sort();
        let mut card: Vec<&str> = jobs::ANONYMIZED_CARD.iter().map(|(c, _)| *c).collect();
        card.sort();
        assert_eq!(
            columns, card,
            "a new column of customers needs its line in ANONYMIZED_CARD"
        );
    }

    #[test]
    fn a_writer_in_a_transaction_knows_when_another_waits_for_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cube.db");
        let db = Db::open(&path, BUSY_TIMEOUT).unwrap();
        let tx = db.begin().unwrap();
        assert!(!tx.writers_waiting().unwrap());
        let other = std::thread::spawn({
            let path = path.clone();
            move || {
                let db = Db::open(&path, Duration::from_secs(60)).unwrap();
                let tx = db.begin().unwrap();
                tx.create_campaign("Høst", DateTime::UNIX_EPOCH).unwrap();
                tx.commit().unwrap();
            }
        });
        // Until the other one is in line (not a measure of time: it only
        // has to get there).
        let mut tries = 0;
        while !tx.writers_waiting().unwrap() {
            tries += 1;
            assert!(tries < 6000, "the other writer never waited");
            std::thread::sleep(Duration::from_millis(10));
        }
        tx.commit().unwrap();
        other.join().unwrap();
        assert!(!db.writers_waiting().unwrap());
        assert!(db.campaign_by_name("Høst").unwrap().is_some());
    }

    #[test]
    fn dropping_a_transaction_rolls_it_back() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("cube.db"), BUSY_TIMEOUT).unwrap();
        {
            let tx = db.begin().unwrap();
            tx.create_campaign("Vår", DateTime::UNIX_EPOCH).unwrap();
        }
        assert!(db.campaign_by_name("Vår").unwrap().is_none());
        let tx = db.begin().unwrap();
        tx.create_campaign("Vår", DateTime::UNIX_EPOCH).unwrap();
        tx.commit().unwrap();
        assert!(db.campaign_by_name("Vår").unwrap().is_some());
    }

    #[test]
    fn the_scrub_puts_temp_store_back_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("cube.db"), BUSY_TIMEOUT).unwrap();
        assert!(db.scrub_whole(BUSY_TIMEOUT).unwrap().checkpointed);
        assert_eq!(pragma(&db, "temp_store"), "Integer(2)");
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "cube.db",
                "cube.db-shm",
                "cube.db-wal",
                "cube.db.lock",
                "cube.db.turn"
            ],
            "no temporary file is left"
        );
    }

    #[test]
    fn foreign_keys_come_back_on_even_after_a_failure() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("cube.db"), BUSY_TIMEOUT).unwrap();
        let seen = db.with_foreign_keys_off(|| Ok(pragma(&db, "foreign_keys")));
        assert_eq!(seen.unwrap(), "Integer(0)");
        assert_eq!(pragma(&db, "foreign_keys"), "Integer(1)");
        let failed: Result<()> = db.with_foreign_keys_off(|| anyhow::bail!("no"));
        assert!(failed.is_err());
        assert_eq!(pragma(&db, "foreign_keys"), "Integer(1)");
    }

    #[test]
    fn a_plan_added_to_after_its_batches_is_read_from_the_start_again() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("cube.db"), BUSY_TIMEOUT).unwrap();
        let now = DateTime::UNIX_EPOCH;
        // As a job runs its batches: with foreign key checks off (the batches
        // give rows new ids, the plan keeps the old ones until it is cleared).
        db.conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        let tx = db.begin().unwrap();
        let campaign = tx.create_campaign("Vår", now).unwrap();
        let card = Card {
            name: "Åse".into(),
            ..Card::default()
        };
        let ids: Vec<i64> = (1..=3)
            .map(|i| {
                let cube_id = format!("01958a3c-0000-7000-8000-00000000000{i}");
                let reference = format!("000000000000000{i}");
                let placed = (i > 1).then_some(campaign.id);
                let ids = NewIds {
                    cube_id: &cube_id,
                    reference: &reference,
                };
                tx.insert_customer(ids, &card, placed, now)
                    .unwrap()
                    .unwrap()
            })
            .collect();
        // The plan holds customers 2 and 3; both batches run.
        let job = tx.plan_job("job", campaign.id, "test", now).unwrap();
        while !tx.pick_batch(job.rowid, 1).unwrap().is_empty() {
            tx.erase_batch(job.rowid, now).unwrap();
        }
        // A replay adds customer 1, with a lower id: the next batch must find it.
        tx.add_to_plan(job.rowid, &ids[..1]).unwrap();
        assert_eq!(
            tx.pick_batch(job.rowid, 10).unwrap(),
            ["01958a3c-0000-7000-8000-000000000001"]
        );
        tx.erase_batch(job.rowid, now).unwrap();

        // Planned customers another job anonymized, and gave new ids, leave
        // the plan as a batch meets them, and the batch is still as big as
        // asked: a short batch is the end of the job.
        let more: Vec<i64> = (4..=9)
            .map(|i| {
                let cube_id = format!("01958a3c-0000-7000-8000-00000000000{i}");
                let reference = format!("000000000000000{i}");
                let ids = NewIds {
                    cube_id: &cube_id,
                    reference: &reference,
                };
                tx.insert_customer(ids, &card, Some(campaign.id), now)
                    .unwrap()
                    .unwrap()
            })
            .collect();
        tx.add_to_plan(job.rowid, &more).unwrap();
        tx.conn
            .execute(
                "DELETE FROM customers WHERE id IN (?1, ?2, ?3)",
                [more[0], more[2], more[4]],
            )
            .unwrap();
        // Four of six taken hold one gone at least: all three are found.
        assert_eq!(tx.pick_batch(job.rowid, 4).unwrap().len(), 3);
        tx.erase_batch(job.rowid, now).unwrap();
        assert!(tx.pick_batch(job.rowid, 4).unwrap().is_empty());
    }

    #[test]
    fn reopening_migrates_nothing_twice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cube.db");
        drop(Db::open(&path, BUSY_TIMEOUT).unwrap());
        let db = Db::open(&path, BUSY_TIMEOUT).unwrap();
        assert_eq!(db.schema_version().unwrap(), migrations::CURRENT);
    }
}

/// The steps of SQLite's plan for `sql` (`EXPLAIN QUERY PLAN`), with every
/// parameter NULL.
#[cfg(test)]
pub(crate) fn query_plan(conn: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let unbound = vec![rusqlite::types::Null; stmt.parameter_count()];
    stmt.query_map(rusqlite::params_from_iter(unbound), |r| {
        r.get::<_, String>(3)
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// The commands an operator runs interactively must stay fast at ten million
/// customers: none of their queries may read a whole customers or outcomes
/// table, or count anything.
#[cfg(test)]
mod query_plans {
    use std::sync::Mutex;

    use super::*;

    static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

    fn record(event: rusqlite::trace::TraceEvent<'_>) {
        if let rusqlite::trace::TraceEvent::Stmt(stmt, sql) = event {
            let sql = stmt.expanded_sql().unwrap_or_else(|| sql.to_string());
            SEEN.lock().unwrap().push(sql);
        }
    }

    #[test]
    fn interactive_commands_search_instead_of_scanning() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("cube.db"), BUSY_TIMEOUT).unwrap();
        let now = DateTime::UNIX_EPOCH;
        let tx = db.begin().unwrap();
        let campaign = tx.create_campaign("Vår", now).unwrap();
        let card = Card {
            customer_no: Some("K1".into()),
            name: "Åse Lie".into(),
            email: "ase@x.no".into(),
            phone: "+47 99887766".into(),
            ..Card::default()
        };
        let ids = NewIds {
            cube_id: "01958a3c-0000-7000-8000-000000000001",
            reference: "0000000000000001",
        };
        tx.insert_customer(ids, &card, Some(campaign.id), now)
            .unwrap();
        tx.commit().unwrap();

        db.conn.trace_v2(
            rusqlite::trace::TraceEventCodes::SQLITE_TRACE_STMT,
            Some(record),
        );
        // campaign list, campaign show, customer show, stats:
        for c in db.list_campaigns(None).unwrap() {
            db.stage_counts(c.id).unwrap();
        }
        db.campaign_by_name("Vår").unwrap();
        let found = db.find_customer("K1").unwrap().unwrap();
        db.find_customer("01958a3c-0000-7000-8000-000000000001")
            .unwrap();
        db.customer_view(found.id).unwrap();
        db.stats().unwrap();
        // customer find: a name, both ways round, an e-mail, a phone number.
        for text in ["åse", "Åse Lie", "ase@x.no", "998 87 766", "K1"] {
            db.find_customers(text, 20).unwrap();
        }
        db.conn
            .trace_v2(rusqlite::trace::TraceEventCodes::empty(), None);

        let seen = SEEN.lock().unwrap().clone();
        assert!(seen.len() >= 6, "{seen:?}");
        for sql in seen {
            let plan = super::query_plan(&db.conn, &sql);
            let finds = sql.contains(" find_")
                || sql.contains(" email_key")
                || sql.contains("customer_no = ");
            if finds {
                assert!(
                    plan.iter().all(|s| s.starts_with("SEARCH")),
                    "{sql}\nmust search an index: {plan:?}"
                );
            }
            for step in &plan {
                let scans_table = ["customers", "outcomes", "c", "o"].iter().any(|t| {
                    step == &format!("SCAN {t}")
                        || step.starts_with(&format!("SCAN {t} USING INDEX"))
                });
                assert!(!scans_table, "{sql}\nscans a whole table: {plan:?}");
            }
            // stats and the campaigns' counts read the kept counts: a count
            // through even an index grows with the data.
            assert!(!sql.contains("count("), "{sql}\ncounts on every call");
        }
    }
}
