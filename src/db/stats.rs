//! Whole-database counts for `cube stats`.

use anyhow::Result;
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
    /// The kept counts (see `db/counts.rs`): one row whatever the size of
    /// the database.
    pub fn stats(&self) -> Result<Stats> {
        let kept = self.kept_totals()?;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok(Stats {
            customers: count(kept.customers),
            anonymized: count(kept.anonymized),
            active_campaigns: count(kept.active_campaigns),
            archived_campaigns: count(kept.archived_campaigns),
            outcomes: count(kept.outcomes),
            sales: count(kept.sales),
            sales_amount: kept.sales_amount,
            amount_unit: AMOUNT_UNIT,
            recordings: count(kept.recordings),
            history: count(kept.history),
            sellers: count(kept.sellers),
        })
    }
}
