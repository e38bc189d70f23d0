//! What cube holds about one customer, for the right of access
//! (`cube customer export`): every outcome, sale, history entry and recording.

use anyhow::{Context, Result};
use rusqlite::Row;
use serde::Serialize;

use super::Db;

#[derive(Debug, Clone, Serialize)]
pub struct OutcomeEntry {
    pub at: String,
    pub campaign: String,
    pub seller: String,
    pub label: String,
    pub comment: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SaleEntry {
    pub at: String,
    pub campaign: Option<String>,
    pub seller: String,
    pub product: String,
    pub quantity: i64,
    /// Minor units (øre).
    pub unit_price: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub at: String,
    pub kind: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RecordingEntry {
    /// The file's path relative to the recordings folder.
    pub path: String,
    pub created_at: String,
}

impl Db {
    /// The customer's outcomes, oldest first.
    pub fn outcomes_of(&self, customer_id: i64) -> Result<Vec<OutcomeEntry>> {
        self.rows_of(
            "SELECT o.registered_at, k.name, s.username, o.label, o.comment FROM outcomes o \
             JOIN campaigns k ON k.id = o.campaign_id JOIN sellers s ON s.id = o.seller_id \
             WHERE o.customer_id = ?1 ORDER BY o.registered_at, o.id",
            customer_id,
            |r| {
                Ok(OutcomeEntry {
                    at: r.get(0)?,
                    campaign: r.get(1)?,
                    seller: r.get(2)?,
                    label: r.get(3)?,
                    comment: r.get(4)?,
                })
            },
        )
    }

    /// The customer's sales, oldest first.
    pub fn sales_of(&self, customer_id: i64) -> Result<Vec<SaleEntry>> {
        self.rows_of(
            "SELECT sa.sold_at, k.name, s.username, sa.product, sa.quantity, sa.unit_price \
             FROM sales sa LEFT JOIN campaigns k ON k.id = sa.campaign_id \
             JOIN sellers s ON s.id = sa.seller_id WHERE sa.customer_id = ?1 \
             ORDER BY sa.sold_at, sa.id",
            customer_id,
            |r| {
                Ok(SaleEntry {
                    at: r.get(0)?,
                    campaign: r.get(1)?,
                    seller: r.get(2)?,
                    product: r.get(3)?,
                    quantity: r.get(4)?,
                    unit_price: r.get(5)?,
                })
            },
        )
    }

    /// The customer's history, oldest first.
    pub fn history_of(&self, customer_id: i64) -> Result<Vec<HistoryEntry>> {
        self.rows_of(
            "SELECT at, kind, text FROM history WHERE customer_id = ?1 ORDER BY at, id",
            customer_id,
            |r| {
                Ok(HistoryEntry {
                    at: r.get(0)?,
                    kind: r.get(1)?,
                    text: r.get(2)?,
                })
            },
        )
    }

    /// The customer's call recordings.
    pub fn recordings_of(&self, customer_id: i64) -> Result<Vec<RecordingEntry>> {
        self.rows_of(
            "SELECT path, created_at FROM recordings WHERE customer_id = ?1 ORDER BY path",
            customer_id,
            |r| {
                Ok(RecordingEntry {
                    path: r.get(0)?,
                    created_at: r.get(1)?,
                })
            },
        )
    }

    fn rows_of<T>(
        &self,
        sql: &str,
        customer_id: i64,
        row: impl FnMut(&Row) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        self.conn
            .prepare_cached(sql)?
            .query_map([customer_id], row)?
            .collect::<rusqlite::Result<_>>()
            .context("cannot read what is held about a customer")
    }
}
