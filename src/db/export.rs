//! The rows of the outcomes, sales and history reports, streamed one at a time
//! so that memory stays flat whatever the row count.

use anyhow::{Context, Result};
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
    pub from: Option<String>,
    pub to: Option<String>,
    /// At most this many rows.
    pub limit: Option<u64>,
}

/// One row of any report; each report uses the fields it has.
#[derive(Debug, Default)]
pub struct ExportRow {
    pub at: String,
    pub campaign: String,
    pub seller: String,
    pub cube_id: String,
    pub anonymized: bool,
    pub customer_no: String,
    pub name: String,
    pub phone: String,
    pub email: String,
    /// The outcome label, or the history entry's kind.
    pub label: String,
    /// The outcome comment, or the history entry's text.
    pub text: String,
    pub product: Option<String>,
    pub quantity: Option<i64>,
    /// Minor units.
    pub unit_price: Option<i64>,
}

const CUSTOMER: &str =
    "c.cube_id, c.anonymized_at IS NOT NULL, coalesce(c.customer_no, ''), c.name, c.phone, c.email";

impl Db {
    /// The key of the export pseudonyms (hex), made at migration time.
    pub fn pseudonym_key(&self) -> Result<String> {
        self.conn
            .query_row(
                "SELECT value FROM settings WHERE key = 'pseudonym_key'",
                [],
                |r| r.get(0),
            )
            .context("cannot read the pseudonym key")
    }

    /// Calls `each` for every row of `report`, in time order; returns the count.
    pub fn export_rows(
        &self,
        report: Report,
        filter: &ExportFilter,
        each: &mut dyn FnMut(&ExportRow) -> Result<()>,
    ) -> Result<u64> {
        let sql = match report {
            Report::Outcomes => format!(
                "SELECT o.registered_at, k.name, s.username, {CUSTOMER}, o.label, o.comment, \
                 sa.product, sa.quantity, sa.unit_price \
                 FROM outcomes o JOIN customers c ON c.id = o.customer_id \
                 JOIN campaigns k ON k.id = o.campaign_id JOIN sellers s ON s.id = o.seller_id \
                 LEFT JOIN sales sa ON sa.outcome_id = o.id \
                 WHERE (?1 IS NULL OR o.campaign_id = ?1) AND (?2 IS NULL OR s.username = ?2) \
                 AND (?3 IS NULL OR o.registered_at >= ?3) AND (?4 IS NULL OR o.registered_at < ?4) \
                 ORDER BY o.registered_at, o.id"
            ),
            Report::Sales => format!(
                "SELECT sa.sold_at, coalesce(k.name, ''), s.username, {CUSTOMER}, '', '', \
                 sa.product, sa.quantity, sa.unit_price \
                 FROM sales sa JOIN customers c ON c.id = sa.customer_id \
                 LEFT JOIN campaigns k ON k.id = sa.campaign_id JOIN sellers s ON s.id = sa.seller_id \
                 WHERE (?1 IS NULL OR sa.campaign_id = ?1) AND (?2 IS NULL OR s.username = ?2) \
                 AND (?3 IS NULL OR sa.sold_at >= ?3) AND (?4 IS NULL OR sa.sold_at < ?4) \
                 ORDER BY sa.sold_at, sa.id"
            ),
            Report::History => format!(
                "SELECT h.at, coalesce(k.name, ''), '', {CUSTOMER}, h.kind, h.text, NULL, NULL, NULL \
                 FROM history h JOIN customers c ON c.id = h.customer_id \
                 LEFT JOIN campaigns k ON k.id = c.campaign_id \
                 WHERE (?1 IS NULL OR c.campaign_id = ?1) AND ?2 IS NULL \
                 AND (?3 IS NULL OR h.at >= ?3) AND (?4 IS NULL OR h.at < ?4) \
                 ORDER BY h.at, h.id"
            ),
        };
        self.with_temp_on_disk(|| {
            let mut stmt = self
                .conn
                .prepare(&sql)
                .context("cannot prepare the report")?;
            let mut rows = stmt.query(params![
                filter.campaign_id,
                filter.seller,
                filter.from,
                filter.to
            ])?;
            let mut count = 0;
            let mut row = ExportRow::default();
            while let Some(r) = rows.next().context("cannot read the report")? {
                row.at = r.get(0)?;
                row.campaign = r.get(1)?;
                row.seller = r.get(2)?;
                row.cube_id = r.get(3)?;
                row.anonymized = r.get(4)?;
                row.customer_no = r.get(5)?;
                row.name = r.get(6)?;
                row.phone = r.get(7)?;
                row.email = r.get(8)?;
                row.label = r.get(9)?;
                row.text = r.get(10)?;
                row.product = r.get(11)?;
                row.quantity = r.get(12)?;
                row.unit_price = r.get(13)?;
                each(&row)?;
                count += 1;
            }
            Ok(count)
        })
    }
}
