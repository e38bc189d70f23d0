//! Kept counts: what `stats`, `campaign list` and `campaign show` print,
//! kept up to date as the data changes instead of counted on every call
//! (counting ten million customers through their indexes took half a second).
//!
//! - `totals` (one row, id 0): the whole database's customers, anonymized
//!   customers (entries of the erasure ledger), active and archived
//!   campaigns, outcomes, sales and their amount, recordings, history
//!   entries and sellers;
//! - `campaign_counts` (a row per campaign that has had customers): the
//!   customers in it at each stage who are not anonymized, and the
//!   anonymized ones (whatever their stage). No row reads as zeros.
//!
//! Every write method of `db/` that changes one of these numbers notes its
//! change in [`Pending`] as it succeeds (rows inserted, a stage moved from,
//! a batch anonymized); [`super::Tx::commit`] writes what the transaction
//! changed to the two tables, one statement per table and campaign whatever
//! the number of rows, just before it commits, and a rollback forgets it.
//! So the counts change in the same transaction as the data, and a bulk
//! import pays for them once, not per row. (SQLite triggers would do the
//! same per row: they made a customer import of 200,000 rows 2.6 times as
//! slow, and `snapshot::check` refuses triggers in a backup.) A write outside
//! a transaction writes its counts at once.
//!
//! A new write path that inserts, deletes or moves customers, outcomes,
//! sales, history, recordings, sellers or campaigns must note its change
//! here too; `cube doctor` compares the kept counts with a full count
//! ([`Db::count_differences`]) and `cube doctor --repair` ([`Db::recount`])
//! counts them again. A restore recounts the snapshot it restores (it is
//! untrusted input). The counts hold no personal data.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use rusqlite::{params, OptionalExtension};

use super::{CampaignStatus, Db, Stage};

/// The whole database's counts, as `totals` keeps them (or as a change to
/// them, while a transaction runs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub customers: i64,
    pub anonymized: i64,
    pub active_campaigns: i64,
    pub archived_campaigns: i64,
    pub outcomes: i64,
    pub sales: i64,
    /// Sum of quantity × unit price, in minor units.
    pub sales_amount: i64,
    pub recordings: i64,
    pub history: i64,
    pub sellers: i64,
}

impl Totals {
    /// Each count with its name, in the order `stats` shows them.
    fn named(&self) -> [(&'static str, i64); 10] {
        [
            ("customers", self.customers),
            ("anonymized customers", self.anonymized),
            ("active campaigns", self.active_campaigns),
            ("archived campaigns", self.archived_campaigns),
            ("outcomes", self.outcomes),
            ("sales", self.sales),
            ("sales amount", self.sales_amount),
            ("recordings", self.recordings),
            ("history entries", self.history),
            ("sellers", self.sellers),
        ]
    }

    /// The count of campaigns with `status`.
    fn campaigns(&mut self, status: CampaignStatus) -> &mut i64 {
        match status {
            CampaignStatus::Active => &mut self.active_campaigns,
            CampaignStatus::Archived => &mut self.archived_campaigns,
        }
    }
}

/// One campaign's counts, as `campaign_counts` keeps them (or a change).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CampaignCounts {
    /// Customers who are not anonymized, at each stage.
    pub available: i64,
    pub assigned: i64,
    pub completed: i64,
    /// Anonymized customers, at any stage.
    pub anonymized: i64,
}

impl CampaignCounts {
    fn at(&mut self, stage: Stage) -> &mut i64 {
        match stage {
            Stage::Available => &mut self.available,
            Stage::Assigned => &mut self.assigned,
            Stage::Completed => &mut self.completed,
        }
    }

    fn named(&self) -> [(&'static str, i64); 4] {
        [
            ("available", self.available),
            ("assigned", self.assigned),
            ("completed", self.completed),
            ("anonymized", self.anonymized),
        ]
    }

    fn is_zero(&self) -> bool {
        *self == CampaignCounts::default()
    }
}

/// What the open transaction has changed so far, not yet written.
#[derive(Debug, Default)]
pub(super) struct Pending {
    totals: Totals,
    campaigns: BTreeMap<i64, CampaignCounts>,
}

impl Pending {
    pub(super) fn totals(&mut self) -> &mut Totals {
        &mut self.totals
    }

    pub(super) fn campaign(&mut self, id: i64) -> &mut CampaignCounts {
        self.campaigns.entry(id).or_default()
    }

    /// A customer who is not anonymized left `from` and is now at `to`
    /// (a campaign and a stage each; `None`: in no campaign).
    pub(super) fn moved(&mut self, from: Option<(i64, Stage)>, to: Option<(i64, Stage)>) {
        if from == to {
            return;
        }
        if let Some((campaign, stage)) = from {
            *self.campaign(campaign).at(stage) -= 1;
        }
        if let Some((campaign, stage)) = to {
            *self.campaign(campaign).at(stage) += 1;
        }
    }

    /// A campaign went from one status to another (`None`: it did not
    /// exist, or no longer does).
    pub(super) fn campaign_status(
        &mut self,
        from: Option<CampaignStatus>,
        to: Option<CampaignStatus>,
    ) {
        if from == to {
            return;
        }
        if let Some(status) = from {
            *self.totals.campaigns(status) -= 1;
        }
        if let Some(status) = to {
            *self.totals.campaigns(status) += 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.totals == Totals::default() && self.campaigns.values().all(CampaignCounts::is_zero)
    }
}

/// The whole database counted, read from indexes where there is one.
const COUNT_TOTALS: &str = "SELECT (SELECT count(*) FROM customers),
        (SELECT count(*) FROM erasures),
        (SELECT count(*) FROM campaigns WHERE status = 'active'),
        (SELECT count(*) FROM campaigns WHERE status = 'archived'),
        (SELECT count(*) FROM outcomes),
        (SELECT count(*) FROM sales),
        (SELECT coalesce(sum(quantity * unit_price), 0) FROM sales),
        (SELECT count(*) FROM recordings),
        (SELECT count(*) FROM history),
        (SELECT count(*) FROM sellers)";

/// Each campaign's customers counted: all per stage (from the campaign
/// index), less the anonymized per stage (from their own index), and the
/// anonymized. Only campaigns that have customers.
const COUNT_CAMPAIGNS: &str = "SELECT campaign_id,
        sum(CASE stage WHEN 'available' THEN n ELSE 0 END),
        sum(CASE stage WHEN 'assigned' THEN n ELSE 0 END),
        sum(CASE stage WHEN 'completed' THEN n ELSE 0 END),
        sum(anonymized)
    FROM (SELECT campaign_id, stage, count(*) AS n, 0 AS anonymized FROM customers
          WHERE campaign_id IS NOT NULL GROUP BY campaign_id, stage
          UNION ALL
          SELECT campaign_id, stage, -count(*), count(*) FROM customers
          WHERE campaign_id IS NOT NULL AND anonymized_at IS NOT NULL GROUP BY campaign_id, stage)
    GROUP BY campaign_id";

fn totals_row(r: &rusqlite::Row) -> rusqlite::Result<Totals> {
    Ok(Totals {
        customers: r.get(0)?,
        anonymized: r.get(1)?,
        active_campaigns: r.get(2)?,
        archived_campaigns: r.get(3)?,
        outcomes: r.get(4)?,
        sales: r.get(5)?,
        sales_amount: r.get(6)?,
        recordings: r.get(7)?,
        history: r.get(8)?,
        sellers: r.get(9)?,
    })
}

fn campaign_row(r: &rusqlite::Row) -> rusqlite::Result<(i64, CampaignCounts)> {
    Ok((
        r.get(0)?,
        CampaignCounts {
            available: r.get(1)?,
            assigned: r.get(2)?,
            completed: r.get(3)?,
            anonymized: r.get(4)?,
        },
    ))
}

impl Db {
    /// Notes a change to the kept counts: written with the transaction's
    /// commit, or at once outside a transaction.
    pub(super) fn counted(&self, change: impl FnOnce(&mut Pending)) -> Result<()> {
        change(&mut self.pending.borrow_mut());
        if self.conn.is_autocommit() {
            self.write_counts()?;
        }
        Ok(())
    }

    /// Forgets the changes noted since the last write (a rollback).
    pub(super) fn forget_counts(&self) {
        *self.pending.borrow_mut() = Pending::default();
    }

    /// Adds the changes noted so far to the kept counts.
    pub(super) fn write_counts(&self) -> Result<()> {
        let pending = std::mem::take(&mut *self.pending.borrow_mut());
        if pending.is_empty() {
            return Ok(());
        }
        let t = pending.totals;
        if t != Totals::default() {
            self.conn
                .prepare_cached(
                    "UPDATE totals SET customers = customers + ?1, anonymized = anonymized + ?2, \
                     active_campaigns = active_campaigns + ?3, \
                     archived_campaigns = archived_campaigns + ?4, outcomes = outcomes + ?5, \
                     sales = sales + ?6, sales_amount = sales_amount + ?7, \
                     recordings = recordings + ?8, history = history + ?9, sellers = sellers + ?10 \
                     WHERE id = 0",
                )?
                .execute(params![
                    t.customers,
                    t.anonymized,
                    t.active_campaigns,
                    t.archived_campaigns,
                    t.outcomes,
                    t.sales,
                    t.sales_amount,
                    t.recordings,
                    t.history,
                    t.sellers
                ])
                .context("cannot update the kept counts")?;
        }
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO campaign_counts (campaign_id, available, assigned, completed, anonymized) \
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (campaign_id) DO UPDATE SET \
             available = available + excluded.available, assigned = assigned + excluded.assigned, \
             completed = completed + excluded.completed, anonymized = anonymized + excluded.anonymized",
        )?;
        for (id, c) in pending.campaigns.iter().filter(|(_, c)| !c.is_zero()) {
            stmt.execute(params![
                id,
                c.available,
                c.assigned,
                c.completed,
                c.anonymized
            ])
            .context("cannot update a campaign's kept counts")?;
        }
        Ok(())
    }

    /// The kept totals (with what the open transaction changed so far).
    pub(super) fn kept_totals(&self) -> Result<Totals> {
        self.write_counts()?;
        self.conn
            .prepare_cached(
                "SELECT customers, anonymized, active_campaigns, archived_campaigns, outcomes, \
                 sales, sales_amount, recordings, history, sellers FROM totals WHERE id = 0",
            )?
            .query_row([], totals_row)
            .optional()
            .context("cannot read the kept counts")?
            .ok_or_else(|| {
                crate::Failure::failed("the database has lost its kept counts")
                    .hint("`cube doctor --repair` counts them again")
                    .into()
            })
    }

    /// A campaign's kept counts (with what the open transaction changed so far).
    pub(super) fn kept_campaign_counts(&self, campaign_id: i64) -> Result<CampaignCounts> {
        self.write_counts()?;
        let kept = self
            .conn
            .prepare_cached(
                "SELECT campaign_id, available, assigned, completed, anonymized \
                 FROM campaign_counts WHERE campaign_id = ?1",
            )?
            .query_row([campaign_id], campaign_row)
            .optional()
            .context("cannot read a campaign's kept counts")?;
        Ok(kept.map(|(_, c)| c).unwrap_or_default())
    }

    /// Forgets the kept counts of a campaign that is removed.
    pub(super) fn forget_campaign_counts(&self, campaign_id: i64) -> Result<()> {
        self.write_counts()?;
        self.conn
            .prepare_cached("DELETE FROM campaign_counts WHERE campaign_id = ?1")?
            .execute([campaign_id])
            .context("cannot remove a campaign's kept counts")?;
        Ok(())
    }

    /// Notes the batch of an anonymization job (see [`Db::erase_batch`]),
    /// whose cards are blanked and not yet renumbered: its customers leave
    /// their stage's count for their campaign's anonymized one; `erased`
    /// entered the ledger and `recordings` recording rows went.
    pub(super) fn count_erased_batch(&self, erased: usize, recordings: usize) -> Result<()> {
        // `CROSS JOIN`: the batch first. SQLite knows nothing of the size of
        // a temporary table and chose to read every customer of the campaign
        // through its index instead (2.4 s a batch at ten million).
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.campaign_id, c.stage, count(*) FROM batch b CROSS JOIN customers c ON c.id = b.id \
             WHERE c.campaign_id IS NOT NULL GROUP BY c.campaign_id, c.stage",
        )?;
        let placed: Vec<(i64, String, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()
            .context("cannot count an anonymized batch")?;
        self.counted(|p| {
            for (campaign, at, n) in placed {
                let counts = p.campaign(campaign);
                if let Some(at) = Stage::parse(&at) {
                    *counts.at(at) -= n;
                }
                counts.anonymized += n;
            }
            p.totals().anonymized += erased as i64;
            p.totals().recordings -= recordings as i64;
        })
    }

    /// Where the kept counts differ from a full count, for `doctor`: one line
    /// per number, naming it, what is kept and what is counted. Reads every
    /// index the counts come from (seconds at ten million customers).
    pub fn count_differences(&self) -> Result<Vec<String>> {
        self.write_counts()?;
        let counted = self
            .conn
            .query_row(COUNT_TOTALS, [], totals_row)
            .context("cannot count")?;
        let kept = self
            .conn
            .query_row(
                "SELECT customers, anonymized, active_campaigns, archived_campaigns, outcomes, \
                 sales, sales_amount, recordings, history, sellers FROM totals WHERE id = 0",
                [],
                totals_row,
            )
            .optional()
            .context("cannot read the kept counts")?;
        let mut differences = Vec::new();
        match kept {
            None => differences.push("the totals are missing".to_string()),
            Some(kept) => {
                for ((name, kept), (_, counted)) in kept.named().into_iter().zip(counted.named()) {
                    if kept != counted {
                        differences.push(format!("{name} is {kept}, counted {counted}"));
                    }
                }
            }
        }
        let per_campaign = |sql: &str| -> Result<BTreeMap<i64, CampaignCounts>> {
            let mut stmt = self.conn.prepare(sql)?;
            let rows = stmt
                .query_map([], campaign_row)?
                .collect::<rusqlite::Result<_>>()
                .context("cannot count the campaigns' customers")?;
            Ok(rows)
        };
        let counted = per_campaign(COUNT_CAMPAIGNS)?;
        let kept = per_campaign(
            "SELECT campaign_id, available, assigned, completed, anonymized FROM campaign_counts",
        )?;
        let mut stmt = self.conn.prepare("SELECT id, name FROM campaigns")?;
        let names: BTreeMap<i64, String> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let ids: std::collections::BTreeSet<&i64> = counted.keys().chain(kept.keys()).collect();
        for id in ids {
            let (kept, counted) = (
                kept.get(id).copied().unwrap_or_default(),
                counted.get(id).copied().unwrap_or_default(),
            );
            let campaign = match names.get(id) {
                Some(name) => format!("campaign {name:?}"),
                None => format!("campaign #{id} (which does not exist)"),
            };
            for ((stage, kept), (_, counted)) in kept.named().into_iter().zip(counted.named()) {
                if kept != counted {
                    differences.push(format!("{campaign} {stage} is {kept}, counted {counted}"));
                }
            }
        }
        Ok(differences)
    }

    /// Counts everything again and keeps that: `doctor --repair`, and a
    /// restore (a snapshot's counts are untrusted input). Must run inside a
    /// transaction.
    pub fn recount(&self) -> Result<()> {
        self.forget_counts();
        self.conn
            .execute_batch(&format!(
                "DELETE FROM totals; DELETE FROM campaign_counts;
                 INSERT INTO totals (id, customers, anonymized, active_campaigns, archived_campaigns,
                     outcomes, sales, sales_amount, recordings, history, sellers) SELECT 0, * FROM ({COUNT_TOTALS});
                 INSERT INTO campaign_counts (campaign_id, available, assigned, completed, anonymized)
                     {COUNT_CAMPAIGNS};"
            ))
            .context("cannot count the database again")
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;
    use crate::db::{Card, NewIds, BUSY_TIMEOUT};

    fn customer(db: &Db, n: u8, campaign: Option<i64>) {
        let (cube_id, reference) = (
            format!("01958a3c-0000-7000-8000-0000000000{n:02}"),
            format!("00000000000000{n:02}"),
        );
        let ids = NewIds {
            cube_id: &cube_id,
            reference: &reference,
        };
        let card = Card {
            name: format!("Kunde {n}"),
            ..Card::default()
        };
        db.insert_customer(ids, &card, campaign, DateTime::UNIX_EPOCH)
            .unwrap()
            .unwrap();
    }

    #[test]
    fn counts_change_with_the_commit_and_never_with_a_rollback() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("cube.db"), BUSY_TIMEOUT).unwrap();
        let now = DateTime::UNIX_EPOCH;
        let tx = db.begin().unwrap();
        let campaign = tx.create_campaign("Vår", now).unwrap().id;
        customer(&tx, 1, Some(campaign));
        // Read inside the transaction: with what it changed so far.
        assert_eq!(tx.stats().unwrap().customers, 1);
        tx.commit().unwrap();

        for undo in [true, false] {
            let tx = db.begin().unwrap();
            customer(&tx, if undo { 2 } else { 3 }, Some(campaign));
            tx.seller_id("kari", now).unwrap();
            if undo {
                tx.rollback().unwrap();
            } else {
                drop(tx);
            }
        }
        let stats = db.stats().unwrap();
        assert_eq!((stats.customers, stats.sellers), (1, 0));
        assert_eq!(db.stage_counts(campaign).unwrap().0.available, 1);
        assert!(db.count_differences().unwrap().is_empty());

        // Outside a transaction, a write counts at once.
        customer(&db, 4, None);
        assert_eq!(db.stats().unwrap().customers, 2);
        assert!(db.pending.borrow().is_empty());
        assert!(db.count_differences().unwrap().is_empty());
    }

    #[test]
    fn a_stage_set_from_a_customer_read_before_a_move_counts_where_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("cube.db"), BUSY_TIMEOUT).unwrap();
        let now = DateTime::UNIX_EPOCH;
        let tx = db.begin().unwrap();
        let campaign = tx.create_campaign("Vår", now).unwrap().id;
        customer(&tx, 1, Some(campaign));
        let read = tx.customer_by_ref("0000000000000001").unwrap().unwrap();
        assert_eq!(read.stage, Some(Stage::Available));
        tx.place_customer(read.id, Some(campaign), Some(Stage::Assigned), None, now)
            .unwrap();
        // Read as available, assigned since: it leaves assigned.
        tx.set_stage(&read, Stage::Completed, now).unwrap();
        tx.commit().unwrap();
        let (stages, _) = db.stage_counts(campaign).unwrap();
        assert_eq!(
            (stages.available, stages.assigned, stages.completed),
            (0, 0, 1)
        );
        assert!(db.count_differences().unwrap().is_empty());
    }

    #[test]
    fn a_recount_mends_what_differs() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("cube.db"), BUSY_TIMEOUT).unwrap();
        let tx = db.begin().unwrap();
        let campaign = tx.create_campaign("Vår", DateTime::UNIX_EPOCH).unwrap();
        customer(&tx, 1, Some(campaign.id));
        tx.commit().unwrap();
        db.conn
            .execute_batch("UPDATE totals SET customers = 5; DELETE FROM campaign_counts;")
            .unwrap();
        assert_eq!(
            db.count_differences().unwrap(),
            [
                "customers is 5, counted 1",
                "campaign \"Vår\" available is 0, counted 1"
            ]
        );
        let tx = db.begin().unwrap();
        tx.recount().unwrap();
        tx.commit().unwrap();
        assert!(db.count_differences().unwrap().is_empty());
        assert_eq!(db.stats().unwrap().customers, 1);
    }
}
