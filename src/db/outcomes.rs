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
