//! The rows of the outcomes, sales and history reports, streamed one at a time
//! so that memory stays flat whatever the row count.

use std::collections::HashMap;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use rusqlite::params;

use super::Db;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Report {
    Outcomes,
    Sales,
    History,
}

/// Which rows a report holds. Times are RFC 3339 UTC, `to` exclusive.
#[derive(Debug, Default)]
pub struct ExportFilter {
    pub campaign_id: Option<i64>,
    pub seller: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// At most this many rows.
    pub limit: Option<u64>,
}

/// One row of any report; each report uses the fields it has. Text is as
/// SQLite holds it: it is checked to be UTF-8 where it is written out (on the
/// CSV writer's thread, see `export::cells`), not here on the reading thread.
#[derive(Debug, Default)]
pub struct ExportRow {
    pub at: Vec<u8>,
    pub campaign: String,
    pub seller: String,
    /// The customer's public reference (`anon-...` once anonymized).
    pub reference: Vec<u8>,
    pub anonymized: bool,
    pub customer_no: Vec<u8>,
    pub name: Vec<u8>,
    pub phone: Vec<u8>,
    pub email: Vec<u8>,
    /// The outcome label, or the history entry's kind.
    pub label: Vec<u8>,
    /// The outcome comment, or the history entry's text.
    pub text: Vec<u8>,
    pub product: Option<String>,
    pub quantity: Option<i64>,
    /// Minor units.
    pub unit_price: Option<i64>,
}

const CUSTOMER: &str =
    "c.ref, c.anonymized_at IS NOT NULL, coalesce(c.customer_no, ''), c.name, c.phone, c.email";

impl Db {
    /// Calls `each` for every row of `report`, in time order; returns the count.
    /// `each` may swap the row for another: the next row is read into that
    /// one's buffers.
    pub fn export_rows(
        &self,
        report: Report,
        filter: &ExportFilter,
        each: &mut dyn FnMut(&mut ExportRow) -> Result<()>,
    ) -> Result<u64> {
        // Campaigns and sellers are few: their names come from maps read
        // once, so the rows that are sorted carry small ids, not names, and
        // no row needs two more searches.
        let sql = match report {
            Report::Outcomes => format!(
                "SELECT o.registered_at, o.campaign_id, o.seller_id, {CUSTOMER}, o.label, \
                 o.comment, sa.product, sa.quantity, sa.unit_price \
                 FROM outcomes o JOIN customers c ON c.id = o.customer_id \
                 LEFT JOIN sales sa ON sa.outcome_id = o.id \
                 WHERE (?1 IS NULL OR o.campaign_id = ?1) \
                 AND (?2 IS NULL OR o.seller_id = (SELECT id FROM sellers WHERE username = ?2)) \
                 AND (?3 IS NULL OR o.registered_at >= ?3) AND (?4 IS NULL OR o.registered_at < ?4) \
                 ORDER BY o.registered_at, o.id"
            ),
            Report::Sales => format!(
                "SELECT sa.sold_at, sa.campaign_id, sa.seller_id, {CUSTOMER}, '', '', \
                 sa.product, sa.quantity, sa.unit_price \
                 FROM sales sa JOIN customers c ON c.id = sa.customer_id \
                 WHERE (?1 IS NULL OR sa.campaign_id = ?1) \
                 AND (?2 IS NULL OR sa.seller_id = (SELECT id FROM sellers WHERE username = ?2)) \
                 AND (?3 IS NULL OR sa.sold_at >= ?3) AND (?4 IS NULL OR sa.sold_at < ?4) \
                 ORDER BY sa.sold_at, sa.id"
            ),
            Report::History => format!(
                "SELECT h.at, c.campaign_id, NULL, {CUSTOMER}, h.kind, h.text, NULL, NULL, NULL \
                 FROM history h JOIN customers c ON c.id = h.customer_id \
                 WHERE (?1 IS NULL OR c.campaign_id = ?1) AND ?2 IS NULL \
                 AND (?3 IS NULL OR h.at >= ?3) AND (?4 IS NULL OR h.at < ?4) \
                 ORDER BY h.at, h.id"
            ),
        };
        let campaigns = self.names("SELECT id, name FROM campaigns")?;
        let sellers = self.names("SELECT id, username FROM sellers")?;
        // The sort is most of the work: let SQLite sort on every core.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        self.conn
            .pragma_update(None, "threads", cores.min(8) as i64)
            .context("cannot set the sorter's threads")?;
        self.with_temp_on_disk(|| {
            let mut stmt = self
                .conn
                .prepare(&sql)
                .context("cannot prepare the report")?;
            let mut rows = stmt.query(params![
                filter.campaign_id,
                filter.seller,
                filter.from.map(super::timestamp),
                filter.to.map(super::timestamp)
            ])?;
            let mut count = 0;
            let mut row = ExportRow::default();
            while let Some(r) = rows.next().context("cannot read the report")? {
                if filter.limit.is_some_and(|limit| count >= limit) {
                    break;
                }
                // Into the same buffers every row: no allocation per value.
                for (i, buffer) in [
                    (0, &mut row.at),
                    (3, &mut row.reference),
                    (5, &mut row.customer_no),
                    (6, &mut row.name),
                    (7, &mut row.phone),
                    (8, &mut row.email),
                    (9, &mut row.label),
                    (10, &mut row.text),
                ] {
                    buffer.clear();
                    buffer.extend_from_slice(r.get_ref(i)?.as_bytes()?);
                }
                for (i, buffer, names) in [
                    (1, &mut row.campaign, &campaigns),
                    (2, &mut row.seller, &sellers),
                ] {
                    buffer.clear();
                    if let Some(id) = r.get::<_, Option<i64>>(i)? {
                        buffer.push_str(names.get(&id).map_or("", String::as_str));
                    }
                }
                row.anonymized = r.get(4)?;
                row.product = r.get(11)?;
                row.quantity = r.get(12)?;
                row.unit_price = r.get(13)?;
                each(&mut row)?;
                count += 1;
            }
            Ok(count)
        })
    }

    /// `id -> name` of a small table.
    fn names(&self, sql: &str) -> Result<HashMap<i64, String>> {
        let mut stmt = self.conn.prepare(sql)?;
        let names = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(names)
    }
}
