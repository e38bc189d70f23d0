//! Sellers, outcomes, sales, history and recordings: what happened with a
//! customer. Outcome comments, history text and recording paths are personal
//! data of that customer.
//!
//! Each insert here notes itself in the kept counts (see `db/counts.rs`),
//! which the transaction's commit writes: an importer that writes through
//! these methods and commits with `Tx::commit` has nothing more to do.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::raw::{Param, StaticStatement};
use super::Db;

pub struct NewOutcome<'a> {
    pub customer_id: i64,
    pub campaign_id: i64,
    pub seller_id: i64,
    pub registered_at: DateTime<Utc>,
    pub label: &'a str,
    pub comment: &'a str,
}

pub struct NewSale<'a> {
    pub outcome_id: Option<i64>,
    pub customer_id: i64,
    pub campaign_id: Option<i64>,
    pub seller_id: i64,
    pub sold_at: DateTime<Utc>,
    pub product: &'a str,
    pub quantity: i64,
    /// Minor units.
    pub unit_price: i64,
}

pub struct NewHistory<'a> {
    pub customer_id: i64,
    pub at: DateTime<Utc>,
    pub kind: &'a str,
    pub text: &'a str,
}

impl Db {
    /// Every seller's username and id.
    pub fn sellers(&self) -> Result<Vec<(String, i64)>> {
        self.conn
            .prepare_cached("SELECT username, id FROM sellers")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()
            .context("cannot read the sellers")
    }

    /// The seller with this username, created on first use.
    pub fn seller_id(&self, username: &str, now: DateTime<Utc>) -> Result<i64> {
        let now = super::timestamp(now);
        let found = self
            .conn
            .prepare_cached("SELECT id FROM sellers WHERE username = ?1")?
            .query_row([username], |r| r.get(0))
            .optional()?;
        if let Some(id) = found {
            return Ok(id);
        }
        self.conn
            .prepare_cached("INSERT INTO sellers (username, created_at) VALUES (?1, ?2)")?
            .execute(params![username, now])
            .context("cannot create a seller")?;
        let id = self.conn.last_insert_rowid();
        self.counted(|p| p.totals().sellers += 1)?;
        Ok(id)
    }

    pub fn insert_outcome(&self, o: &NewOutcome) -> Result<i64> {
        self.conn
            .prepare_cached(
                "INSERT INTO outcomes (customer_id, campaign_id, seller_id, registered_at, label, comment) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![o.customer_id, o.campaign_id, o.seller_id, super::timestamp(o.registered_at), o.label, o.comment])
            .context("cannot insert an outcome")?;
        let id = self.conn.last_insert_rowid();
        self.counted(|p| p.totals().outcomes += 1)?;
        Ok(id)
    }

    pub fn insert_sale(&self, s: &NewSale) -> Result<i64> {
        self.conn
            .prepare_cached(
                "INSERT INTO sales (outcome_id, customer_id, campaign_id, seller_id, sold_at, product, quantity, unit_price) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![s.outcome_id, s.customer_id, s.campaign_id, s.seller_id, super::timestamp(s.sold_at), s.product, s.quantity, s.unit_price])
            .context("cannot insert a sale")?;
        let id = self.conn.last_insert_rowid();
        self.counted(|p| {
            p.totals().sales += 1;
            // Saturating: an absurd quantity × price must not panic here
            // (SQLite holds no such sum as an integer either).
            let amount = s.quantity.saturating_mul(s.unit_price);
            p.totals().sales_amount = p.totals().sales_amount.saturating_add(amount);
        })?;
        Ok(id)
    }

    pub fn insert_history(&self, h: &NewHistory) -> Result<i64> {
        self.conn
            .prepare_cached(
                "INSERT INTO history (customer_id, at, kind, text) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                h.customer_id,
                super::timestamp(h.at),
                h.kind,
                h.text
            ])
            .context("cannot insert a history entry")?;
        let id = self.conn.last_insert_rowid();
        self.counted(|p| p.totals().history += 1)?;
        Ok(id)
    }

    /// Inserts many outcomes (see [`OutcomeInserter`]); `now` is when their
    /// recordings are recorded.
    pub fn outcome_inserter(&self, now: DateTime<Utc>) -> OutcomeInserter<'_> {
        let conn = &self.conn;
        OutcomeInserter {
            db: self,
            outcomes: MultiInsert::new(
                conn,
                "INSERT OR IGNORE INTO outcomes (customer_id, campaign_id, seller_id, \
                 registered_at, label, comment) VALUES ",
                6,
            ),
            sales: MultiInsert::new(
                conn,
                "INSERT OR IGNORE INTO sales (outcome_id, customer_id, campaign_id, seller_id, \
                 sold_at, product, quantity, unit_price) VALUES ",
                8,
            ),
            recordings: MultiInsert::new(
                conn,
                "INSERT OR IGNORE INTO recordings (customer_id, outcome_id, path, created_at) \
                 VALUES ",
                4,
            ),
            last_id: None,
            now: super::timestamp(now),
        }
    }

    /// True when there is no outcome at all.
    pub fn has_no_outcomes(&self) -> Result<bool> {
        self.conn
            .prepare_cached("SELECT NOT EXISTS (SELECT 1 FROM outcomes)")?
            .query_row([], |r| r.get(0))
            .context("cannot read the outcomes")
    }

    /// The highest outcome id (0 when there is none).
    fn max_outcome_id(&self) -> Result<i64> {
        self.conn
            .prepare_cached("SELECT coalesce(max(id), 0) FROM outcomes")?
            .query_row([], |r| r.get(0))
            .context("cannot read the outcomes")
    }

    /// Records a call recording file, by its path relative to the recordings folder.
    pub fn insert_recording(
        &self,
        customer_id: i64,
        outcome_id: Option<i64>,
        path: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let now = super::timestamp(now);
        self.conn
            .prepare_cached(
                "INSERT INTO recordings (customer_id, outcome_id, path, created_at) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![customer_id, outcome_id, path, now])
            .context("cannot insert a recording")?;
        let id = self.conn.last_insert_rowid();
        self.counted(|p| p.totals().recordings += 1)?;
        Ok(id)
    }
}

/// A time in its storage form (see [`super::timestamp`]), made where the
/// time is read: a bulk import formats it on its reading thread and the
/// writing one binds it where it lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp(pub(super) String);

impl Stamp {
    pub fn of(t: DateTime<Utc>) -> Stamp {
        Stamp(super::timestamp(t))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An outcome to insert with its sale and call recording, if any; its text
/// borrowed from wherever it was read.
#[derive(Debug, Clone, Copy)]
pub struct OutcomeText<'a> {
    pub customer_id: i64,
    pub campaign_id: i64,
    pub seller_id: i64,
    /// Also the sale's time.
    pub registered_at: &'a Stamp,
    pub label: &'a str,
    pub comment: &'a str,
    /// Product, quantity and unit price (minor units).
    pub sale: Option<(&'a str, i64, i64)>,
    /// The recording's path, relative to the recordings folder.
    pub recording: Option<&'a str>,
}

/// How many rows one INSERT of an [`OutcomeInserter`] carries.
const ROWS_PER_INSERT: usize = 64;
// A statement is kept per power of two (see MultiInsert).
const _: () = assert!(ROWS_PER_INSERT.is_power_of_two());

/// Inserts outcomes with their sales and recordings, many rows per
/// statement, binding their text where it lies (see [`StaticStatement`]).
/// Foreign keys are the caller's to have checked: an import runs without
/// them, having found every customer, campaign and seller it links to in
/// the same transaction.
pub struct OutcomeInserter<'a> {
    db: &'a Db,
    outcomes: MultiInsert<'a>,
    sales: MultiInsert<'a>,
    recordings: MultiInsert<'a>,
    /// The highest outcome id: SQLite gives each new row the highest id
    /// plus one, so the rows of one INSERT have the ids that follow it.
    last_id: Option<i64>,
    now: String,
}

impl OutcomeInserter<'_> {
    /// Inserts `rows` in order.
    pub fn insert(&mut self, rows: &[OutcomeText]) -> Result<()> {
        let mut ids = Vec::with_capacity(rows.len());
        let mut params = Vec::with_capacity(ROWS_PER_INSERT * 8);
        let mut start = 0;
        for n in chunks(rows.len()) {
            let chunk = &rows[start..start + n];
            start += n;
            let before = match self.last_id {
                Some(id) => id,
                None => self.db.max_outcome_id()?,
            };
            params.clear();
            for o in chunk {
                params.extend([
                    Param::Int(o.customer_id),
                    Param::Int(o.campaign_id),
                    Param::Int(o.seller_id),
                    Param::Text(o.registered_at.as_str()),
                    Param::Text(o.label),
                    Param::Text(o.comment),
                ]);
            }
            self.outcomes
                .execute(&params, chunk.len())
                .context("cannot insert an outcome")?;
            let last = self.db.conn.last_insert_rowid();
            // Only a table whose highest id is i64::MAX gives other ids;
            // links to a wrong outcome must never be written.
            if last.checked_sub(before) != Some(chunk.len() as i64) {
                anyhow::bail!("cannot tell the ids of the outcomes just inserted");
            }
            self.last_id = Some(last);
            ids.extend(before + 1..=last);
        }
        params.clear();
        let mut sales = 0;
        for (o, &id) in rows.iter().zip(&ids) {
            if let Some((product, quantity, unit_price)) = o.sale {
                params.extend([
                    Param::Int(id),
                    Param::Int(o.customer_id),
                    Param::Int(o.campaign_id),
                    Param::Int(o.seller_id),
                    Param::Text(o.registered_at.as_str()),
                    Param::Text(product),
                    Param::Int(quantity),
                    Param::Int(unit_price),
                ]);
                sales += 1;
            }
        }
        self.sales
            .execute_all(&params, sales)
            .context("cannot insert a sale")?;
        params.clear();
        let mut recordings = 0;
        for (o, &id) in rows.iter().zip(&ids) {
            if let Some(path) = o.recording {
                params.extend([
                    Param::Int(o.customer_id),
                    Param::Int(id),
                    Param::Text(path),
                    Param::Text(&self.now),
                ]);
                recordings += 1;
            }
        }
        self.recordings
            .execute_all(&params, recordings)
            .context("cannot insert a recording")?;
        self.db.counted(|p| {
            let totals = p.totals();
            totals.outcomes += rows.len() as i64;
            totals.sales += sales as i64;
            totals.recordings += recordings as i64;
            for (_, quantity, unit_price) in rows.iter().filter_map(|o| o.sale) {
                // Saturating, as in `insert_sale`.
                let amount = quantity.saturating_mul(unit_price);
                totals.sales_amount = totals.sales_amount.saturating_add(amount);
            }
        })
    }
}

/// A multi-row `INSERT OR IGNORE` into one table, prepared once for each
/// number of rows it takes: [`ROWS_PER_INSERT`], and the powers of two
/// below it, which the rows left at the end of a batch are inserted in
/// (see [`chunks`]) rather than in a statement prepared for their number.
///
/// OR IGNORE and no SQL function: SQLite then keeps no statement journal (a
/// copy of every page the statement changes). No constraint can fail for
/// the rows an import checked; should one, the row count says so.
struct MultiInsert<'c> {
    conn: &'c rusqlite::Connection,
    /// `INSERT OR IGNORE INTO table (columns) VALUES `.
    head: &'static str,
    width: usize,
    /// The statement for 2^i rows at i.
    statements: Vec<Option<StaticStatement<'c>>>,
}

/// The sizes `rows` rows are inserted in: [`ROWS_PER_INSERT`] at a time,
/// then the powers of two that make up the rest.
fn chunks(mut rows: usize) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        let n = match rows {
            0 => return None,
            n if n >= ROWS_PER_INSERT => ROWS_PER_INSERT,
            n => 1 << n.ilog2(),
        };
        rows -= n;
        Some(n)
    })
}

impl<'c> MultiInsert<'c> {
    fn new(conn: &'c rusqlite::Connection, head: &'static str, width: usize) -> Self {
        MultiInsert {
            conn,
            head,
            width,
            statements: Vec::new(),
        }
    }

    /// Inserts `rows` rows (a size [`chunks`] gives) whose values are
    /// `params`, in one statement.
    fn execute(&mut self, params: &[Param], rows: usize) -> Result<()> {
        let i = rows.ilog2() as usize;
        if self.statements.len() <= i {
            self.statements.resize_with(i + 1, || None);
        }
        let stmt = match &mut self.statements[i] {
            Some(stmt) => stmt,
            slot => {
                let row = format!("({})", vec!["?"; self.width].join(", "));
                let sql = format!("{}{}", self.head, vec![row; rows].join(", "));
                slot.insert(StaticStatement::prepare(self.conn, &sql)?)
            }
        };
        let changed = stmt.execute(params)?;
        if changed != rows {
            anyhow::bail!("{} of {rows} rows were inserted", changed);
        }
        Ok(())
    }

    /// Inserts `rows` rows whose values are `params`.
    fn execute_all(&mut self, params: &[Param], rows: usize) -> Result<()> {
        let mut start = 0;
        for n in chunks(rows) {
            self.execute(&params[start..start + n * self.width], n)?;
            start += n * self.width;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_go_in_full_statements_then_powers_of_two() {
        let all = |rows| chunks(rows).collect::<Vec<_>>();
        assert_eq!(all(0), Vec::<usize>::new());
        assert_eq!(all(1), [1]);
        assert_eq!(all(ROWS_PER_INSERT * 2 + 13), [64, 64, 8, 4, 1]);
        assert_eq!(all(63), [32, 16, 8, 4, 2, 1]);
        assert!((0..300).all(|n| chunks(n).sum::<usize>() == n));
    }
}
