//! The texts that may mention a customer who is being anonymized, and the
//! identifiers of those customers (see `crate::mentions`).

use std::collections::HashSet;

use anyhow::{Context, Result};
use rusqlite::params;

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
}

/// Every text cube keeps that may mention another person: other customers'
/// addresses, companies, notes and extra fields; outcome comments and labels;
/// sale products; history texts.
pub const SEARCHED: [TextColumn; 8] = [
    own("customers", "address", "id"),
    own("customers", "company", "id"),
    own("customers", "notes", "id"),
    own("customers", "extra", "id"),
    own("outcomes", "comment", "customer_id"),
    kept("outcomes", "label"),
    kept("sales", "product"),
    own("history", "text", "customer_id"),
];

/// What [`Db::each_row_texts`] calls: (row id, customer id, texts).
pub type RowTexts<'a> = dyn FnMut(i64, i64, &[&str]) -> Result<()> + 'a;

impl TextColumn {
    /// True when the rows of the job's own customers are left out.
    pub fn skips_own(&self) -> bool {
        self.skip_own
    }
}

const fn own(table: &'static str, column: &'static str, customer: &'static str) -> TextColumn {
    TextColumn {
        table,
        column,
        customer,
        skip_own: true,
    }
}

const fn kept(table: &'static str, column: &'static str) -> TextColumn {
    TextColumn {
        table,
        column,
        customer: "customer_id",
        skip_own: false,
    }
}

/// Whose mentions are searched: the customers a job will anonymize, or (for
/// a preview) those of a campaign that are not anonymized yet.
#[derive(Debug, Clone, Copy)]
pub enum Whose {
    Job(i64),
    Campaign(i64),
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
        }
    }

    fn id(self) -> i64 {
        match self {
            Whose::Job(id) | Whose::Campaign(id) => id,
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
    /// The notes and extra fields, where national id numbers may be.
    pub notes: String,
    pub extra: String,
}

impl Db {
    /// Calls `each` with the card of each of those customers.
    pub fn cards_of(&self, whose: Whose, each: &mut dyn FnMut(&PlannedCard)) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT name, email, phone, customer_no, notes, extra FROM customers \
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
            each(&card);
        }
        Ok(())
    }

    /// The internal ids of `whose` customers.
    pub fn customer_ids(&self, whose: Whose) -> Result<HashSet<i64>> {
        let mut stmt = self.conn.prepare_cached(whose.customers())?;
        let ids = stmt
            .query_map([whose.id()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()
            .context("cannot read the planned customers")?;
        Ok(ids)
    }

    /// Calls `each` with every row of `table`: its id, its customer's id
    /// and its texts in `columns` (all of `table`; "" for NULL), read in
    /// one pass over the table. Reads without a transaction: the caller
    /// writes what it changes in one of its own ([`Db::rewrite_text`]).
    pub fn each_row_texts(
        &self,
        table: &str,
        columns: &[TextColumn],
        each: &mut RowTexts<'_>,
    ) -> Result<()> {
        let Some(first) = columns.first() else {
            return Ok(());
        };
        let names: Vec<&str> = columns.iter().map(|c| c.column).collect();
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT id, coalesce({}, 0), {} FROM {table}",
            first.customer,
            names.join(", ")
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next().context("cannot read the texts")? {
            let texts = (0..columns.len())
                .map(|i| Ok(r.get_ref(2 + i)?.as_str().unwrap_or_default()))
                .collect::<Result<Vec<&str>>>()?;
            each(r.get(0)?, r.get(1)?, &texts)?;
        }
        Ok(())
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

    /// Records that the job's mentions are redacted, and how many there were.
    pub fn set_job_mentions(&self, job_rowid: i64, mentions: u64) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE jobs SET mentions = ?2 WHERE id = ?1")?
            .execute(params![job_rowid, mentions as i64])
            .context("cannot update the job")?;
        Ok(())
    }
}
