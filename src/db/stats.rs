//! Whole-database counts for `cube stats`.

use anyhow::{Context, Result};
use serde::Serialize;

use super::Db;

/// The `--json` shape of `cube stats`: keys may be added, never renamed.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub customers: u64,
    pub anonymized: u64,
    pub active_campaigns: u64,
    pub archived_campaigns: u64,
    pub outcomes: u64,
    pub sales: u64,
    /// Sum of quantity × unit price over all sales, in minor units.
    pub sales_amount: i64,
    /// The unit of every amount: minor units (øre), the storage form of
    /// money, so that a script never guesses whether `29900` is 299 kroner.
    pub amount_unit: &'static str,
    pub recordings: u64,
    pub history: u64,
    pub sellers: u64,
}

/// What amounts in `--json` output count: øre (hundredths of a krone).
pub const AMOUNT_UNIT: &str = "øre";

impl Db {
    pub fn stats(&self) -> Result<Stats> {
        self.conn
            .query_row(
                "SELECT (SELECT count(*) FROM customers),
                        (SELECT count(*) FROM erasures),
                        (SELECT count(*) FROM campaigns WHERE status = 'active'),
                        (SELECT count(*) FROM campaigns WHERE status = 'archived'),
                        (SELECT count(*) FROM outcomes),
                        (SELECT count(*) FROM sales),
                        (SELECT coalesce(sum(quantity * unit_price), 0) FROM sales),
                        (SELECT count(*) FROM recordings),
                        (SELECT count(*) FROM history),
                        (SELECT count(*) FROM sellers)",
                [],
                |r| {
                    Ok(Stats {
                        customers: r.get(0)?,
                        anonymized: r.get(1)?,
                        active_campaigns: r.get(2)?,
                        archived_campaigns: r.get(3)?,
                        outcomes: r.get(4)?,
                        sales: r.get(5)?,
                        sales_amount: r.get(6)?,
                        amount_unit: AMOUNT_UNIT,
                        recordings: r.get(7)?,
                        history: r.get(8)?,
                        sellers: r.get(9)?,
                    })
                },
            )
            .context("cannot count")
    }
}
