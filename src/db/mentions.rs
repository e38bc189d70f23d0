//! The texts that may mention a customer who is being anonymized, and the
//! identifiers of those customers (see `crate::mentions`).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use rusqlite::types::ValueRef;
use rusqlite::{params, OptionalExtension};

use super::Db;

/// A text column searched for mentions, and whether rows of the job's own
/// customers are left out (they are blanked by its batches anyway).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextColumn {
    pub table: &'static str,
    pub column: &'static str,
    /// The column that links a row to its customer (`id` for customers).
    customer: &'static str,
    skip_own: bool,
    /// A few values in many rows (an outcome's label, a sale's product):
    /// each value is searched once.
    repeats: bool,
}

/// Every text cube keeps that may mention another person: other customers'
/// addresses, companies, notes and extra fields; outcome comments and labels;
/// sale products; history texts and kinds (an import's free text too); and
/// the details of the audit log, whose reasons an operator writes (`sak 2:
/// Kåre Ødegård meldte fra`, before Kåre is erased himself).
pub const SEARCHED: [TextColumn; 10] = [
    own("customers", "address", "id"),
    own("customers", "company", "id"),
    own("customers", "notes", "id"),
    own("customers", "extra", "id"),
    own("outcomes", "comment", "customer_id"),
    kept("outcomes", "label"),
    kept("sales", "product"),
    own("history", "text", "customer_id"),
    kept("history", "kind"),
    TextColumn {
        table: "audit",
        column: "details",
        customer: "NULL",
        skip_own: false,
        repeats: false,
    },
];

/// Where the texts stood when a job searched them for mentions: what is
/// written after, while the job runs or before it is resumed, is searched
/// again before it ends (see `anonymize::erase`). Row ids and a time: no
/// text and no identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextsSeen {
    at: String,
    max: Vec<(&'static str, i64)>,
    /// SQLite's `data_version` of the connection that read it, while that
    /// connection is open (it is not kept with the job): when it is the
    /// same later, no other connection has written since.
    version: Option<i64>,
}

impl TextsSeen {
    /// The earliest of several: what all of them have seen.
    pub fn earliest<'a>(all: impl Iterator<Item = &'a TextsSeen>) -> Option<TextsSeen> {
        all.cloned().reduce(|a, b| TextsSeen {
            at: a.at.min(b.at),
            max: a
                .max
                .iter()
                .map(|&(table, id)| {
                    let other = b
                        .max
                        .iter()
                        .find(|(t, _)| *t == table)
                        .map_or(i64::MIN, |m| m.1);
                    (table, id.min(other))
                })
                .collect(),
            version: a.version.filter(|_| a.version == b.version),
        })
    }

    /// True when this connection still has the data version it had then:
    /// nothing was written since but by this connection itself.
    pub fn unchanged(&self, db: &Db) -> Result<bool> {
        Ok(self.version.is_some() && self.version == Some(db.data_version()?))
    }
}

/// The tables [`SEARCHED`] reads, each once.
pub fn searched_tables() -> impl Iterator<Item = &'static str> {
    let mut tables: Vec<&'static str> = SEARCHED.iter().map(|c| c.table).collect();
    tables.dedup();
    tables.into_iter()
}

fn texts_seen_key(job_rowid: i64) -> String {
    format!("texts_seen_by_job_{job_rowid}")
}

/// A set of internal customer ids, asked once for every text a job searches.
pub type CustomerIds = crate::hash::IdSet<i64>;

/// What [`TextReader::each_row_texts`] calls: (row id, customer id, texts),
/// each text as SQLite hands it over (UTF-8 unless another program wrote
/// bytes that are not).
pub type RowTexts<'a> = dyn FnMut(i64, i64, &[&[u8]]) -> Result<()> + 'a;

impl TextColumn {
    /// True when the rows of the job's own customers are left out.
    pub fn skips_own(&self) -> bool {
        self.skip_own
    }

    /// True when the column holds a few values repeated in many rows.
    pub fn repeats(&self) -> bool {
        self.repeats
    }
}

const fn own(table: &'static str, column: &'static str, customer: &'static str) -> TextColumn {
    TextColumn {
        table,
        column,
        customer,
        skip_own: true,
        repeats: false,
    }
}

const fn kept(table: &'static str, column: &'static str) -> TextColumn {
    TextColumn {
        table,
        column,
        customer: "customer_id",
        skip_own: false,
        repeats: true,
    }
}

/// Whose mentions are searched: the customers a job will anonymize, or (for
/// a preview) those of a campaign that are not anonymized yet.
#[derive(Debug, Clone, Copy)]
pub enum Whose {
    Job(i64),
    Campaign(i64),
    /// The customers [`Db::put_in_list`] put in a list, for a preview.
    Listed,
}

impl Whose {
    /// The ids of those customers, as SQL taking the job or campaign as ?1.
    fn customers(self) -> &'static str {
        match self {
            Whose::Job(_) => {
                "SELECT jc.customer_id FROM job_customers jc JOIN customers c \
                 ON c.id = jc.customer_id WHERE jc.job_id = ?1 AND c.anonymized_at IS NULL"
            }
            Whose::Campaign(_) => {
                "SELECT id FROM customers WHERE campaign_id = ?1 AND anonymized_at IS NULL"
            }
            // (?1 is 0, and every id is above it.)
            Whose::Listed => {
                "SELECT l.id FROM temp.listed l JOIN customers c ON c.id = l.id \
                 WHERE l.id > ?1 AND c.anonymized_at IS NULL"
            }
        }
    }

    fn id(self) -> i64 {
        match self {
            Whose::Job(id) | Whose::Campaign(id) => id,
            Whose::Listed => 0,
        }
    }
}

/// The identifiers of a customer being anonymized, as the card has them.
#[derive(Debug, Default)]
pub struct PlannedCard {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub customer_no: Option<String>,
    pub reference: Option<String>,
    /// The notes and extra fields, where national id numbers may be.
    pub notes: String,
    pub extra: String,
}

impl Db {
    /// Puts the customers `ids` in the list [`Whose::Listed`] reads.
    pub fn put_in_list(&self, ids: &[i64]) -> Result<()> {
        self.conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS listed (id INTEGER PRIMARY KEY); DELETE FROM temp.listed;",
        )?;
        let mut insert = self
            .conn
            .prepare_cached("INSERT OR IGNORE INTO temp.listed (id) VALUES (?1)")?;
        for id in ids {
            insert.execute([id])?;
        }
        Ok(())
    }

    /// Calls `each` with the card of each of those customers.
    pub fn cards_of(&self, whose: Whose, each: &mut dyn FnMut(&PlannedCard)) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT name, email, phone, customer_no, notes, extra, ref FROM customers \
             WHERE id IN ({})",
            whose.customers()
        ))?;
        let mut rows = stmt.query([whose.id()])?;
        let mut card = PlannedCard::default();
        while let Some(r) = rows.next().context("cannot read the planned customers")? {
            card.name = r.get(0)?;
            card.email = r.get(1)?;
            card.phone = r.get(2)?;
            card.customer_no = r.get(3)?;
            card.notes = r.get(4)?;
            card.extra = r.get(5)?;
            card.reference = r.get(6)?;
            each(&card);
        }
        Ok(())
    }

    /// The internal ids of `whose` customers.
    pub fn customer_ids(&self, whose: Whose) -> Result<CustomerIds> {
        let mut stmt = self.conn.prepare_cached(whose.customers())?;
        let ids = stmt
            .query_map([whose.id()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()
            .context("cannot read the planned customers")?;
        Ok(ids)
    }

    /// Readers for `parts` threads, each with its own connection, that
    /// share every table's rows between them (see [`TextReader`]).
    pub fn text_readers(&self, parts: usize) -> Result<Vec<TextReader>> {
        let mut shares = Vec::new();
        for table in searched_tables() {
            // Two subqueries: each is a look at one end of the table, where
            // min and max in one SELECT read all of it.
            let (low, high): (Option<i64>, Option<i64>) = self
                .conn
                .query_row(
                    &format!("SELECT (SELECT min(id) FROM {table}), (SELECT max(id) FROM {table})"),
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .context("cannot read the texts")?;
            if let (Some(low), Some(high)) = (low, high) {
                shares.push(Share {
                    table,
                    low,
                    high,
                    next: AtomicI64::new(0),
                });
            }
        }
        let shares = Arc::new(shares);
        let mut readers = Vec::new();
        for _ in 0..parts.max(1) {
            readers.push(TextReader {
                conn: self.reader_connection()?,
                shares: Arc::clone(&shares),
            });
        }
        Ok(readers)
    }

    /// A read-only connection of its own to this database, for a thread
    /// that reads its texts.
    pub(super) fn reader_connection(&self) -> Result<rusqlite::Connection> {
        let conn = rusqlite::Connection::open_with_flags(
            &self.path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .context("cannot open the database to read its texts")?;
        // A reader never checkpoints (see `scrub.rs`).
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )?;
        conn.busy_timeout(self.busy_timeout)?;
        Ok(conn)
    }

    /// The name of the customer whose record row `rowid` of `column`'s table
    /// is, when that customer is not anonymized and planned in no job (one
    /// whose texts may hold their own name, as a namesake's do); `None` for
    /// a row of no customer. (A plan is looked into job by job, through its
    /// key: the plans of a big job hold hundreds of thousands.)
    pub fn own_name_at(&self, column: TextColumn, rowid: i64) -> Result<Option<String>> {
        let TextColumn {
            table, customer, ..
        } = column;
        if customer == "NULL" {
            return Ok(None);
        }
        self.conn
            .prepare_cached(&format!(
                "SELECT c.name FROM {table} t JOIN customers c ON c.id = t.{customer} \
                 WHERE t.id = ?1 AND c.anonymized_at IS NULL AND NOT EXISTS (SELECT 1 FROM jobs j \
                 WHERE EXISTS (SELECT 1 FROM job_customers jc WHERE jc.job_id = j.id AND jc.customer_id = c.id))"
            ))?
            .query_row([rowid], |r| r.get(0))
            .optional()
            .context("cannot read the texts")
    }

    /// The text in `column` of row `rowid`, if there is such a row.
    pub fn text_at(&self, column: TextColumn, rowid: i64) -> Result<Option<String>> {
        let TextColumn { table, column, .. } = column;
        let text: Option<Option<String>> = self
            .conn
            .prepare_cached(&format!("SELECT {column} FROM {table} WHERE id = ?1"))?
            .query_row([rowid], |r| r.get(0))
            .optional()
            .context("cannot read the texts")?;
        Ok(text.flatten())
    }

    /// Rewrites one text with `change` applied to what it holds now (it may
    /// have changed since it was read); returns how many mentions `change`
    /// replaced. Runs inside the caller's transaction.
    pub fn rewrite_text(
        &self,
        column: TextColumn,
        rowid: i64,
        change: &dyn Fn(&str) -> Option<(String, usize)>,
    ) -> Result<u64> {
        let TextColumn {
            table,
            column: name,
            ..
        } = column;
        let current: Option<String> = self
            .conn
            .prepare_cached(&format!("SELECT {name} FROM {table} WHERE id = ?1"))?
            .query_row([rowid], |r| r.get(0))
            .ok()
            .flatten();
        let Some((text, count)) = current.as_deref().and_then(change) else {
            return Ok(0);
        };
        self.conn
            .prepare_cached(&format!("UPDATE {table} SET {name} = ?2 WHERE id = ?1"))?
            .execute(params![rowid, text])
            .context("cannot redact a mention")?;
        Ok(count as u64)
    }

    /// Where the texts stand now: the highest row id of each searched table,
    /// and the time, `now`, for the customers changed from then on.
    ///
    /// Read holding the write lock, so that no import is half written: one
    /// that writes after began after, and the cards it changes carry the
    /// time its write began (see [`Db::texts_since`]).
    pub fn texts_seen_now(&self, now: DateTime<Utc>) -> Result<TextsSeen> {
        let tx = self.begin()?;
        let mut max = Vec::new();
        for table in searched_tables() {
            let id: Option<i64> = tx
                .conn
                .query_row(&format!("SELECT max(id) FROM {table}"), [], |r| r.get(0))
                .context("cannot read the texts")?;
            max.push((table, id.unwrap_or(i64::MIN)));
        }
        let version = Some(tx.data_version()?);
        tx.rollback()?;
        Ok(TextsSeen {
            at: super::timestamp(now),
            max,
            version,
        })
    }

    /// Remembers where the texts stood when a job searched them (until the
    /// job is done with them: [`Db::forget_texts_seen`]).
    pub fn set_texts_seen(&self, job_rowid: i64, seen: &TextsSeen) -> Result<()> {
        let mut value = seen.at.clone();
        for (table, id) in &seen.max {
            value.push_str(&format!(" {table}={id}"));
        }
        self.set_setting(&texts_seen_key(job_rowid), &value)
    }

    /// Where the texts stood when the job searched them, if it has.
    pub fn texts_seen(&self, job_rowid: i64) -> Result<Option<TextsSeen>> {
        let Some(value) = self.setting(&texts_seen_key(job_rowid))? else {
            return Ok(None);
        };
        let mut parts = value.split(' ');
        let at = parts.next().unwrap_or_default().to_string();
        let mut max = Vec::new();
        for part in parts {
            let parsed = part.split_once('=').and_then(|(table, id)| {
                let table = searched_tables().find(|t| *t == table)?;
                Some((table, id.parse().ok()?))
            });
            // An entry this cube cannot read: search that table whole.
            max.push(parsed.unwrap_or(("", i64::MIN)));
        }
        Ok(Some(TextsSeen {
            at,
            max,
            version: None,
        }))
    }

    pub fn forget_texts_seen(&self, job_rowid: i64) -> Result<()> {
        self.conn
            .prepare_cached("DELETE FROM settings WHERE key = ?1")?
            .execute([texts_seen_key(job_rowid)])
            .context("cannot write a setting")?;
        Ok(())
    }

    /// Calls `each` with the rows of `table` written since `seen`: those
    /// after its highest id then (new rows, and rows an anonymization gave
    /// new ids), and for customers also those changed since its time (less
    /// the busy timeout and a minute, for clocks set back). Texts as
    /// [`TextReader::each_row_texts`].
    pub fn texts_since(
        &self,
        seen: &TextsSeen,
        table: &str,
        columns: &[TextColumn],
        each: &mut RowTexts<'_>,
    ) -> Result<()> {
        let after = seen
            .max
            .iter()
            .find(|(t, _)| *t == table)
            .map_or(i64::MIN, |(_, id)| *id);
        if table != "customers" {
            let Some(sql) = texts_query(table, columns, "id > ?1") else {
                return Ok(());
            };
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let rows = stmt.query([after])?;
            return each_text_row(rows, columns.len(), each);
        }
        // An import stamps the cards it changes with the time its write
        // began, after the time `seen` was read holding the write lock; the
        // margin (the busy timeout and a minute) is for clocks set back.
        let margin = chrono::Duration::from_std(self.busy_timeout).unwrap_or_default()
            + chrono::Duration::minutes(1);
        let since = DateTime::parse_from_rfc3339(&seen.at)
            .map(|t| super::timestamp(t.with_timezone(&Utc) - margin))
            .unwrap_or_default();
        let Some(sql) = texts_query(table, columns, "id > ?1 OR updated_at >= ?2") else {
            return Ok(());
        };
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query(params![after, since])?;
        each_text_row(rows, columns.len(), each)
    }

    /// Records that the job's mentions are redacted, and how many there were.
    pub fn set_job_mentions(&self, job_rowid: i64, mentions: u64) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE jobs SET mentions = ?2 WHERE id = ?1")?
            .execute(params![job_rowid, mentions as i64])
            .context("cannot update the job")?;
        Ok(())
    }
}

/// One thread's reader of the texts. The rows of each table, between its
/// lowest and highest id when the readers were made, are cut into
/// [`CHUNKS`] equal id ranges (row ids are dense: imports number rows one
/// after another, and an anonymization renumbers its rows after the
/// highest); each reader takes the next range not taken yet, so that all
/// finish together however the texts are spread.
pub struct TextReader {
    conn: rusqlite::Connection,
    shares: Arc<Vec<Share>>,
}

/// A table's rows, as the readers share them.
struct Share {
    table: &'static str,
    low: i64,
    high: i64,
    /// The next range to take.
    next: AtomicI64,
}

/// The id ranges of a table: many more than threads, so that one slow range
/// keeps one thread busy only a little longer than the others.
const CHUNKS: i64 = 64;

impl Share {
    /// The ids of range `chunk`, first and last (in i128: the ids may span
    /// all of i64).
    fn range(&self, chunk: i64) -> (i64, i64) {
        let bound = |chunk: i64| {
            let span = i128::from(self.high) - i128::from(self.low) + 1;
            i128::from(self.low) + span * i128::from(chunk) / i128::from(CHUNKS)
        };
        (bound(chunk) as i64, (bound(chunk + 1) - 1) as i64)
    }
}

impl TextReader {
    /// Calls `each` with every row of the ranges of `table` this reader
    /// takes: its id, its customer's id and its texts in `columns` (all of
    /// `table`; "" for NULL), read in one pass. Reads without a transaction:
    /// the caller writes what it changes in one of its own
    /// ([`Db::rewrite_text`]).
    pub fn each_row_texts(
        &self,
        table: &str,
        columns: &[TextColumn],
        each: &mut RowTexts<'_>,
    ) -> Result<()> {
        let Some(share) = self.shares.iter().find(|s| s.table == table) else {
            return Ok(());
        };
        let Some(sql) = texts_query(table, columns, "id BETWEEN ?1 AND ?2") else {
            return Ok(());
        };
        let mut stmt = self.conn.prepare_cached(&sql)?;
        loop {
            let chunk = share.next.fetch_add(1, Ordering::Relaxed);
            if chunk >= CHUNKS {
                return Ok(());
            }
            let (from, to) = share.range(chunk);
            if from > to {
                continue;
            }
            each_text_row(stmt.query(params![from, to])?, columns.len(), each)?;
        }
    }
}

/// The query of the texts of `columns` (all of `table`) in the rows `filter`
/// picks: row id, customer id, the texts. `None` for no column.
fn texts_query(table: &str, columns: &[TextColumn], filter: &str) -> Option<String> {
    let first = columns.first()?;
    let names: Vec<&str> = columns.iter().map(|c| c.column).collect();
    Some(format!(
        "SELECT id, coalesce({}, 0), {} FROM {table} WHERE {filter}",
        first.customer,
        names.join(", ")
    ))
}

/// Calls `each` with every row of a [`texts_query`] of `columns` columns:
/// its id, its customer's id and its texts ("" for NULL).
fn each_text_row(
    mut rows: rusqlite::Rows<'_>,
    columns: usize,
    each: &mut RowTexts<'_>,
) -> Result<()> {
    let n = columns.min(SEARCHED.len());
    while let Some(r) = rows.next().context("cannot read the texts")? {
        let mut texts: [&[u8]; SEARCHED.len()] = [b""; SEARCHED.len()];
        for (i, text) in texts.iter_mut().enumerate().take(n) {
            // Text only, as `Db::rewrite_text` writes it back: a blob that
            // another program wrote is no text cube searches.
            if let ValueRef::Text(bytes) = r.get_ref(2 + i)? {
                *text = bytes;
            }
        }
        each(r.get(0)?, r.get(1)?, &texts[..n])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readers_share_every_row_once_however_sparse_the_ids() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("cube.db"), super::super::BUSY_TIMEOUT).unwrap();
        let ids = [1, 2, 3, 5, 1000, 1001, i64::MAX / 2, i64::MAX - 1, i64::MAX];
        // History rows alone, of a customer that is not there.
        db.conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        let tx = db.begin().unwrap();
        for id in ids {
            // One as a blob, as another program may write it: no text, as
            // `rewrite_text` could not write it back.
            let value = if id == 5 { "CAST(?2 AS BLOB)" } else { "?2" };
            tx.conn
                .execute(
                    &format!(
                        "INSERT INTO history (id, customer_id, at, kind, text) \
                         VALUES (?1, 7, '2026-01-01T00:00:00Z', 'note', {value})"
                    ),
                    params![id, format!("text {id}")],
                )
                .unwrap();
        }
        tx.commit().unwrap();
        let column = SEARCHED.into_iter().find(|c| c.table == "history").unwrap();
        for parts in 1..=4 {
            let readers = db.text_readers(parts).unwrap();
            let mut seen: Vec<i64> = std::thread::scope(|scope| {
                let threads: Vec<_> = readers
                    .into_iter()
                    .map(|reader| {
                        scope.spawn(move || {
                            let mut seen = Vec::new();
                            reader
                                .each_row_texts("history", &[column], &mut |id, _, texts| {
                                    let text = format!("text {id}");
                                    let text = if id == 5 { "" } else { &text };
                                    assert_eq!(texts, [text.as_bytes()]);
                                    seen.push(id);
                                    Ok(())
                                })
                                .unwrap();
                            seen
                        })
                    })
                    .collect();
                threads
                    .into_iter()
                    .flat_map(|t| t.join().unwrap())
                    .collect()
            });
            seen.sort_unstable();
            assert_eq!(seen, ids, "{parts} parts");
        }
    }
}
