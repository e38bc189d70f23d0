//! The scrub: no page of the database file, and nothing in its WAL once a
//! job is done, keeps an old value.
//!
//! The rule that makes a job's scrub cost what the job wrote: **a page
//! reaches the database file only clean.** SQLite moves pages from the WAL
//! into the file at a checkpoint, and cube allows no checkpoint but its own
//! ([`Db::tidy`]): automatic checkpoints are off, and so is the checkpoint a
//! closing connection makes (see `configure`). Before each checkpoint, every
//! page the WAL holds has its free space zeroed (see [`crate::pages`]), in
//! one write transaction through SQLite's `sqlite_dbpage` table. A job's
//! batches and redactions zero the free space of their pages themselves,
//! just before they commit ([`Db::clear_before_commit`]): the tidy then finds
//! those clean and writes none of them again. So the database file never holds the stale copies that moving rows between pages
//! leaves behind, and anonymizing a customer needs no more than the pages
//! its job wrote: `secure_delete` zeroes the bytes of every row it deletes
//! and every page it frees, the tidy clears what the job's page rebuilds
//! left, and the checkpoint, truncating the WAL, drops the pages' earlier
//! versions.
//!
//! Between the tidy's commit and its checkpoint no other cube may commit
//! (its pages would reach the file unscrubbed): every write transaction
//! holds a shared lock on `<database>.lock` (a [`Gate`]), and the tidy holds
//! it exclusively across both.
//!
//! A file cube did not write all by itself (a database from before this
//! rule, one that another program wrote to) is scrubbed whole once with
//! `VACUUM` ([`Db::scrub_whole`]: `cube doctor --scrub`, a restore, the first
//! job in a database not known to be clean); the setting [`PAGES_CLEAN`]
//! records that the rule holds from then on.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rusqlite::params;
use rustix::fs::{flock, FlockOperation};

use super::Db;
use crate::pages;
use crate::{Failure, Kind};

/// The setting that says every page of this database file has been clean
/// since it was created or last scrubbed whole.
pub const PAGES_CLEAN: &str = "pages_clean";

/// What a tidy did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tidy {
    /// Pages the WAL held, each read once.
    pub pages: u64,
    /// Of those, pages whose free space held old bytes, written back zeroed.
    pub cleared: u64,
    /// False when a reader kept the checkpoint from finishing: the WAL still
    /// holds pages (clean ones), and the next tidy tries again.
    pub checkpointed: bool,
}

/// The lock files beside a database that order write transactions: against
/// the tidy's checkpoint (`<database>.lock`), and in turn (`<database>.turn`).
/// Empty; their names are all they say.
pub(super) struct Gate {
    file: File,
    turn: PathBuf,
}

/// A lock held on a lock file, let go when dropped.
pub(super) struct Held<'a>(&'a File);

/// A writer's turn at the write lock: the lock on a file opened for this
/// wait alone, let go when it is closed (dropped).
pub(super) struct Turn {
    _locked: File,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let _ = flock(self.0, FlockOperation::Unlock);
    }
}

/// The pauses between tries for a lock file, in milliseconds, the last
/// one repeated: SQLite's own busy handler's. A writer that waits long
/// tries seldom, so that hundreds of waiting writers (a `move` started
/// every 50 ms beside a job) do not take the processor from the one that
/// holds the lock.
const PAUSES: [u64; 12] = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];

impl Gate {
    pub(super) fn open(database: &Path) -> Result<Gate> {
        let turn = turn_path(database);
        // Made now, so that a wait for a turn only opens it.
        open_lock_file(&turn)?;
        Ok(Gate {
            file: open_lock_file(&gate_path(database))?,
            turn,
        })
    }

    /// Waits, up to `wait`, for this writer's turn at the write lock, and
    /// keeps it (from other cubes) until the returned turn is dropped: once
    /// the write lock is taken. Without it a job that starts its next batch
    /// the moment it commits one takes the lock again before a writer
    /// beside it, asleep between tries, ever sees it free.
    ///
    /// The wait is in the kernel, not tries with pauses between: when the
    /// turn is let go, the writers waiting for it are woken in the order
    /// they came, so none waits behind ones that came after it (a writer
    /// asleep between tries could, again and again, until its busy timeout
    /// ran out beside a job and many writers), and none uses the processor
    /// while it waits.
    pub(super) fn turn(&self, wait: Duration) -> Result<Option<Turn>> {
        let file = open_lock_file(&self.turn)?;
        match flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => return Ok(Some(Turn { _locked: file })),
            Err(rustix::io::Errno::WOULDBLOCK) if !wait.is_zero() => {}
            Err(rustix::io::Errno::WOULDBLOCK) => return Ok(None),
            Err(e) => return Err(std::io::Error::from(e)).context("cannot lock the lock file"),
        }
        // flock has no time limit: a thread waits, and hands the locked file
        // over. A waiter that gave up has dropped the receiver, so the file
        // is closed (and its lock let go) as soon as the thread gets it.
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        let waiting = std::thread::Builder::new()
            .name("turn".into())
            .spawn(move || {
                let taken = loop {
                    match flock(&file, FlockOperation::LockExclusive) {
                        Err(rustix::io::Errno::INTR) => {}
                        taken => break taken,
                    }
                };
                let _ = sender.send(taken.map(|()| Turn { _locked: file }));
            });
        if waiting.is_err() {
            // No thread to wait in (a process at its limit): tries, then.
            let file = open_lock_file(&self.turn)?;
            let taken = tries(&file, FlockOperation::NonBlockingLockExclusive, wait)?;
            return Ok(taken.then_some(Turn { _locked: file }));
        }
        match receiver.recv_timeout(wait) {
            Ok(Ok(turn)) => Ok(Some(turn)),
            Ok(Err(e)) => Err(std::io::Error::from(e)).context("cannot lock the lock file"),
            Err(_) => Ok(None),
        }
    }

    /// A shared hold for one write transaction, waiting up to `wait` for a
    /// tidy to finish.
    pub(super) fn shared(&self, wait: Duration) -> Result<Held<'_>> {
        take(&self.file, FlockOperation::NonBlockingLockShared, wait)?.ok_or_else(|| {
            Failure::new(
                Kind::Busy,
                "another cube is scrubbing the database and did not finish within the busy timeout",
            )
            .hint("try again, or raise --busy-timeout")
            .into()
        })
    }

    /// The exclusive hold of a tidy, waiting up to `wait` for write
    /// transactions to end; `None` if they did not.
    pub(super) fn exclusive(&self, wait: Duration) -> Result<Option<Held<'_>>> {
        take(&self.file, FlockOperation::NonBlockingLockExclusive, wait)
    }
}

/// Takes `how` on `file`, trying again for up to `wait`; `None` if another
/// holder kept it that long.
fn take(file: &File, how: FlockOperation, wait: Duration) -> Result<Option<Held<'_>>> {
    Ok(tries(file, how, wait)?.then_some(Held(file)))
}

/// Tries `how` on `file` for up to `wait`: true once it is taken, false if
/// another holder kept it that long.
fn tries(file: &File, how: FlockOperation, wait: Duration) -> Result<bool> {
    let start = Instant::now();
    let mut tried = 0;
    loop {
        match flock(file, how) {
            Ok(()) => return Ok(true),
            Err(rustix::io::Errno::WOULDBLOCK) if start.elapsed() < wait => {
                let pause = Duration::from_millis(PAUSES[tried.min(PAUSES.len() - 1)]);
                tried += 1;
                std::thread::sleep(pause.min(wait.saturating_sub(start.elapsed())))
            }
            Err(rustix::io::Errno::WOULDBLOCK) => return Ok(false),
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(std::io::Error::from(e)).context("cannot lock the lock file"),
        }
    }
}

/// Opens (creating it if need be) an empty lock file, for this process only.
fn open_lock_file(path: &Path) -> Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot open the lock file {}", path.display()))
}

/// `<database>.lock`.
pub fn gate_path(database: &Path) -> PathBuf {
    beside(database, ".lock")
}

/// `<database>.turn`.
pub fn turn_path(database: &Path) -> PathBuf {
    beside(database, ".turn")
}

fn beside(database: &Path, suffix: &str) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

impl Db {
    /// Clears the free space of every page in the WAL, then copies the WAL
    /// into the database file and truncates it. Waits up to `wait` for other
    /// cubes' write transactions, and SQLite's busy timeout for readers; if
    /// writers do not let go in time nothing is done (`checkpointed` false).
    /// A tidy that may wait takes its turn as writers do: writers waiting
    /// for the write lock one after another would otherwise keep it from
    /// ever finding none at work.
    pub fn tidy(&self, wait: Duration) -> Result<Tidy> {
        let [wal, _, _] = super::side_files(&self.path);
        if wal_is_empty(&wal) {
            return Ok(Tidy {
                checkpointed: true,
                ..Tidy::default()
            });
        }
        let started = Instant::now();
        let _turn = if wait.is_zero() {
            None
        } else {
            self.gate.turn(wait)?
        };
        let Some(_held) = self
            .gate
            .exclusive(wait.saturating_sub(started.elapsed()))?
        else {
            return Ok(Tidy::default());
        };
        self.tidy_held()
    }

    /// [`Db::tidy`] for a caller that holds the gate exclusively.
    pub(super) fn tidy_held(&self) -> Result<Tidy> {
        let [wal, _, _] = super::side_files(&self.path);
        if wal_is_empty(&wal) {
            return Ok(Tidy {
                checkpointed: true,
                ..Tidy::default()
            });
        }
        let mut tidy = self.clear_wal_pages(&wal)?;
        tidy.checkpointed = self.checkpoint()?;
        let sum = self.tidied.get();
        self.tidied.set(Tidy {
            pages: sum.pages + tidy.pages,
            cleared: sum.cleared + tidy.cleared,
            checkpointed: tidy.checkpointed,
        });
        Ok(tidy)
    }

    /// What every tidy since this connection was opened did, added up: a
    /// job's scrub, and the tidies of its commits when its WAL grew big.
    pub fn tidied(&self) -> Tidy {
        self.tidied.get()
    }

    /// The length of the database file (not its WAL), 0 if it cannot be read.
    pub fn file_size(&self) -> u64 {
        std::fs::metadata(&self.path).map_or(0, |m| m.len())
    }

    /// Tidies without waiting when the WAL holds more than half the
    /// database file's size (between 1 and 64 MB): the WAL of a long job
    /// or import must not grow past what the disk has room for. Not sooner:
    /// the jobs of one run share many pages (of the indexes), which one tidy
    /// at the end scrubs and writes once. A failure is left to the next
    /// tidy: the commit before it stands.
    pub fn tidy_if_big(&self) {
        let [wal, _, _] = super::side_files(&self.path);
        let limit = (self.file_size() / 2).clamp(1 << 20, 64 << 20);
        if std::fs::metadata(&wal).map_or(0, |m| m.len()) > limit {
            let _ = self.tidy(Duration::ZERO);
        }
    }

    /// One write transaction that zeroes the free space of the pages the WAL
    /// holds, through `sqlite_dbpage`. The caller holds the gate.
    fn clear_wal_pages(&self, wal: &Path) -> Result<Tidy> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .context("cannot start the scrub's transaction")?;
        // Read under the write lock: no one appends to the WAL now.
        match self.clear_listed(wal) {
            Ok(tidy) => {
                self.conn
                    .execute_batch("COMMIT")
                    .context("cannot commit the scrub")?;
                Ok(tidy)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Inside a write transaction, just before its commit: zeroes the free
    /// space of the pages it wrote, so that they go into the WAL once, clean,
    /// and the tidy after finds nothing to write. The pages still in the
    /// cache are written to the WAL first (`sqlite3_db_cacheflush`), where
    /// the frames after `since` (where the WAL ended when the transaction
    /// began) list them; SQLite writes a page again within one transaction
    /// over its own frame. Only a saving: a page it misses, or all of them
    /// when it cannot read the WAL, is left to the tidy, which checks every
    /// page anyway. (Not in a savepoint, which would keep a copy of each
    /// page it writes in memory.) Returns the pages it cleared.
    pub(super) fn clear_before_commit(&self, since: Option<pages::WalEnd>) -> Result<Vec<u32>> {
        self.conn
            .cache_flush()
            .context("cannot write the transaction's pages to the WAL")?;
        let [wal, _, _] = super::side_files(&self.path);
        let listed = match since {
            Some(end) => pages::wal_pages_since(&wal, end),
            None => pages::wal_pages(&wal),
        };
        match listed {
            Ok(listed) => Ok(self.clear_pages(listed)?.1),
            // Nothing written yet: the tidy reads the WAL again.
            Err(_) => Ok(Vec::new()),
        }
    }

    /// Counts `pages`, cleared by a transaction that committed.
    pub(super) fn cleared_at_commit_add(&self, pages: Vec<u32>) {
        self.cleared_at_commit.borrow_mut().extend(pages);
    }

    /// How many pages [`Db::clear_before_commit`] cleared in the transactions
    /// of this connection that committed, each page once.
    pub fn cleared_at_commit(&self) -> u64 {
        self.cleared_at_commit.borrow().len() as u64
    }

    /// Zeroes the free space of every page the WAL lists, as the open write
    /// transaction sees them.
    fn clear_listed(&self, wal: &Path) -> Result<Tidy> {
        let listed = pages::wal_pages(wal).context("cannot read the WAL file")?;
        let (pages, cleared) = self.clear_pages(listed)?;
        Ok(Tidy {
            pages,
            cleared: cleared.len() as u64,
            checkpointed: false,
        })
    }

    /// Zeroes the free space of `listed` pages (those past the end of the
    /// file left out), as the open write transaction sees them; returns how
    /// many it read, and those that held old bytes.
    fn clear_pages(&self, listed: Vec<u32>) -> Result<(u64, Vec<u32>)> {
        let page_count: u32 = self.conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
        let mut read = self
            .conn
            .prepare_cached("SELECT data FROM sqlite_dbpage WHERE pgno = ?1")?;
        let mut write = self
            .conn
            .prepare_cached("UPDATE sqlite_dbpage SET data = ?2 WHERE pgno = ?1")?;
        let first: Vec<u8> = read.query_row([1], |r| r.get(0))?;
        // Byte 20 of the database header: bytes reserved at each page's end.
        let usable = first.len() - usize::from(first.get(20).copied().unwrap_or(0));
        let (mut read_pages, mut cleared) = (0, Vec::new());
        for page in listed.into_iter().filter(|&p| p <= page_count) {
            let mut data: Vec<u8> = read.query_row([page], |r| r.get(0))?;
            read_pages += 1;
            if let Ok(true) = pages::clear_free_space(&mut data, page == 1, usable) {
                write
                    .execute(params![page, data])
                    .context("cannot write a scrubbed page")?;
                cleared.push(page);
            }
        }
        Ok((read_pages, cleared))
    }

    /// Copies the WAL into the database file and truncates it; false if a
    /// reader kept it from finishing.
    fn checkpoint(&self) -> Result<bool> {
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
            .context("the WAL checkpoint failed")?;
        Ok(busy == 0)
    }

    /// Rewrites the whole database file without free space (`VACUUM`), then
    /// tidies, and records that the file is clean. For a file cube did not
    /// write all by itself. `checkpointed` is false when a tidy could not
    /// finish; `pages` counts the pages of the whole file.
    pub fn scrub_whole(&self, wait: Duration) -> Result<Tidy> {
        // VACUUM reads every page: from the database file it reads them in
        // order, through a long WAL it does not; bring the WAL in first.
        let first = self.tidy(wait)?;
        if !first.checkpointed {
            return Ok(first);
        }
        // VACUUM's copy goes to a temporary file (see `with_temp_on_disk`),
        // and takes the cache size: keep it small.
        self.conn
            .execute_batch("PRAGMA cache_size = -2048")
            .context("cannot prepare VACUUM")?;
        {
            let _held = self.gate.shared(wait)?;
            self.with_temp_on_disk(|| self.conn.execute_batch("VACUUM").context("VACUUM failed"))?;
            // Its own transaction, not one of `begin`'s, whose commit would
            // tidy the VACUUM's pages before the tidy below counts them.
            self.set_setting(PAGES_CLEAN, "1")?;
        }
        self.tidy(wait)
    }

    /// Whether every page of the file is known to have been clean since it
    /// was created or scrubbed whole.
    pub fn pages_known_clean(&self) -> Result<bool> {
        Ok(self.setting(PAGES_CLEAN)?.as_deref() == Some("1"))
    }
}

/// True when the WAL at `wal` has no frame (missing, empty or a bare header).
fn wal_is_empty(wal: &Path) -> bool {
    std::fs::metadata(wal).map_or(true, |m| m.len() <= 32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    const MARK: &str = "Kåre Ødegård Æsir";

    /// Rows with an index on a text column, written so that index pages
    /// split and are balanced around some marked rows, which are then
    /// blanked; long notes go to overflow pages.
    fn plant(conn: &Connection, write: &dyn Fn(&str)) {
        write("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, notes TEXT)");
        write("CREATE INDEX people_name ON people (name)");
        let mut x: u64 = 7;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for round in 0..4 {
            let mut sql = String::from("INSERT INTO people (name, notes) VALUES ");
            for i in 0..5000 {
                let marked = (round == 1 || round == 2) && i % 2 == 0;
                let name = if marked {
                    format!("{:x} {MARK}", next() % 4096)
                } else {
                    format!("{:016x}", next())
                };
                let notes = if marked && i % 50 == 0 {
                    MARK.repeat(3000)
                } else {
                    String::new()
                };
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!("('{name}', '{notes}')"));
            }
            write(&sql);
        }
        // Other rows change, as cards do: their space is freed and used again,
        // and pages are defragmented, shifting the marked rows' cells.
        write("UPDATE people SET name = name || ' moved' WHERE id % 3 = 0 AND name NOT LIKE '% Kåre%'");
        write("DELETE FROM people WHERE id % 7 = 0 AND name NOT LIKE '% Kåre%'");
        write("UPDATE people SET name = substr(name, 1, 8) WHERE id % 5 = 0 AND name NOT LIKE '% Kåre%'");
        write("UPDATE people SET name = 'Anonymized', notes = '' WHERE name LIKE '% Kåre%'");
        let _ = conn;
    }

    /// A cube database in `dir` with [`plant`]'s rows, each statement its
    /// own transaction, committed with [`Tx::commit_cleared`] if `cleared`.
    fn planted_by_cube(dir: &Path, cleared: bool) -> Db {
        let db = Db::open(&dir.join("cube.db"), super::super::BUSY_TIMEOUT).unwrap();
        plant(&db.conn, &|sql| {
            let tx = db.begin().unwrap();
            tx.conn.execute_batch(sql).unwrap();
            if cleared {
                tx.commit_cleared().unwrap();
            } else {
                tx.commit().unwrap();
            }
        });
        db
    }

    fn integrity(db: &Db) -> String {
        db.conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap()
    }

    fn copies_in(dir: &Path) -> usize {
        let mark = MARK.as_bytes();
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .map(|bytes| bytes.windows(mark.len()).filter(|w| *w == mark).count())
            .sum()
    }

    #[test]
    fn a_waiting_writer_gets_its_turn_when_let_go_and_one_that_gave_up_keeps_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cube.db");
        let (a, b) = (Gate::open(&path).unwrap(), Gate::open(&path).unwrap());
        let held = a.turn(Duration::ZERO).unwrap().expect("no one else waits");
        assert!(b.turn(Duration::ZERO).unwrap().is_none());
        // Gives up; its thread still waits, and lets the turn go once it has it.
        assert!(b.turn(Duration::from_millis(50)).unwrap().is_none());
        let waiting =
            std::thread::spawn(move || b.turn(Duration::from_secs(60)).unwrap().is_some());
        std::thread::sleep(Duration::from_millis(50));
        drop(held);
        assert!(waiting.join().unwrap());
        assert!(a.turn(Duration::from_secs(60)).unwrap().is_some());
    }

    #[test]
    fn pages_cleared_before_their_commit_leave_the_tidy_nothing_to_write() {
        let dir = tempfile::tempdir().unwrap();
        let db = planted_by_cube(dir.path(), true);
        assert!(db.cleared_at_commit() > 0, "the commits cleared no page");
        assert!(db.tidy(Duration::from_secs(1)).unwrap().checkpointed);
        // Every tidy, those of the commits (the WAL grew past 1 MB) and the
        // last one, read pages and found none to clear.
        let tidied = db.tidied();
        assert!(tidied.pages > 0);
        assert_eq!(tidied.cleared, 0, "a page reached the WAL with old bytes");
        assert_eq!(copies_in(dir.path()), 0);
        assert_eq!(integrity(&db), "ok");
    }

    #[test]
    fn secure_delete_alone_leaves_copies_that_the_tidy_clears() {
        // SQLite alone, secure_delete on from the start and a truncating
        // checkpoint: the rows moved by page splits leave copies behind.
        let plain = tempfile::tempdir().unwrap();
        let conn = Connection::open(plain.path().join("plain.db")).unwrap();
        conn.execute_batch(
            "PRAGMA page_size = 32768; PRAGMA secure_delete = ON; PRAGMA journal_mode = WAL;",
        )
        .unwrap();
        plant(&conn, &|sql| conn.execute_batch(sql).unwrap());
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
        assert!(copies_in(plain.path()) > 0, "the test plants no stale copy");

        let dir = tempfile::tempdir().unwrap();
        let db = planted_by_cube(dir.path(), false);
        let before = db.tidied();
        let tidy = db.tidy(Duration::from_secs(1)).unwrap();
        assert!(tidy.checkpointed);
        assert_eq!(copies_in(dir.path()), 0);
        // The tidies of the commits (the WAL grew past 1 MB) and the last one.
        assert!(before.pages > 0);
        let sum = db.tidied();
        assert_eq!(
            (sum.pages, sum.cleared),
            (before.pages + tidy.pages, before.cleared + tidy.cleared)
        );
        assert_eq!(integrity(&db), "ok");
        let kept: i64 = db
            .conn
            .query_row(
                "SELECT count(*) FROM people WHERE name != 'Anonymized'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(kept > 10000, "{kept}");
    }
}
