//! Campaigns: named work lists, active or archived, and their flow counts.

use std::path::Path;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use super::Db;
use crate::Failure;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CampaignStatus {
    Active,
    Archived,
}

impl CampaignStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignStatus::Active => "active",
            CampaignStatus::Archived => "archived",
        }
    }

    /// The status stored as `text` (the table's check allows only the two).
    fn parse(text: &str) -> CampaignStatus {
        if text == "archived" {
            CampaignStatus::Archived
        } else {
            CampaignStatus::Active
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Campaign {
    #[serde(skip)]
    pub id: i64,
    pub name: String,
    pub status: CampaignStatus,
    pub created_at: String,
    pub archived_at: Option<String>,
    pub last_activity_at: String,
}

/// How many customers of a campaign who are not anonymized are at each
/// stage (anonymized customers are counted apart).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct StageCounts {
    pub available: u64,
    pub assigned: u64,
    pub completed: u64,
}

impl StageCounts {
    pub fn total(&self) -> u64 {
        self.available + self.assigned + self.completed
    }
}

fn campaign(r: &Row) -> rusqlite::Result<Campaign> {
    Ok(Campaign {
        id: r.get(0)?,
        name: r.get(1)?,
        status: CampaignStatus::parse(&r.get::<_, String>(2)?),
        created_at: r.get(3)?,
        archived_at: r.get(4)?,
        last_activity_at: r.get(5)?,
    })
}

const COLUMNS: &str = "id, name, status, created_at, archived_at, last_activity_at";

impl Db {
    /// The campaign named `name`, compared as [`crate::names`] compares
    /// names (case and composition do not matter). A name that only an old
    /// database can hold twice in that sense must be given exactly.
    pub fn campaign_by_name(&self, name: &str) -> Result<Option<Campaign>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM campaigns WHERE name = ?1"))?;
        let exact = stmt
            .query_row([name], campaign)
            .optional()
            .context("cannot look up a campaign")?;
        if exact.is_some() {
            return Ok(exact);
        }
        // Campaigns are few (hundreds), and their names need Unicode case
        // folding, which SQLite's lower() does not do: compare them here.
        let mut same: Vec<Campaign> = self
            .list_campaigns(None)?
            .into_iter()
            .filter(|c| crate::names::same(&c.name, name))
            .collect();
        match same.len() {
            0 | 1 => Ok(same.pop()),
            _ => {
                let names: Vec<String> = same.iter().map(|c| format!("{:?}", c.name)).collect();
                Err(Failure::refused(format!(
                    "more than one campaign is named {name:?} but for case: {}",
                    names.join(", ")
                ))
                .hint("give the name exactly as `cube campaign list --all` shows it")
                .into())
            }
        }
    }

    /// Every campaign's name, active and archived, in order.
    pub fn campaign_names(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name FROM campaigns ORDER BY name")?;
        let names = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()
            .context("cannot list campaigns")?;
        Ok(names)
    }

    /// Creates a campaign, unless one has the same name but for case (see
    /// [`crate::names`]): every caller creates inside a write transaction,
    /// so no other cube can create one in between.
    pub fn create_campaign(&self, name: &str, now: DateTime<Utc>) -> Result<Campaign> {
        if let Some(existing) = self
            .campaign_names()?
            .into_iter()
            .find(|n| crate::names::same(n, name))
        {
            return Err(
                Failure::refused(format!("a campaign named {existing:?} exists already"))
                    .hint("campaign names are the same whatever their case")
                    .into(),
            );
        }
        let active = super::timestamp(super::day(now));
        let now = super::timestamp(now);
        self.conn
            .prepare_cached(
                "INSERT INTO campaigns (name, created_at, last_activity_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![name, now, active])
            .context("cannot create a campaign")?;
        self.counted(|p| p.campaign_status(None, Some(CampaignStatus::Active)))?;
        Ok(Campaign {
            id: self.conn.last_insert_rowid(),
            name: name.to_string(),
            status: CampaignStatus::Active,
            created_at: now.to_string(),
            archived_at: None,
            last_activity_at: active,
        })
    }

    /// Campaigns by name; `status` picks active or archived ones, `None` all.
    pub fn list_campaigns(&self, status: Option<CampaignStatus>) -> Result<Vec<Campaign>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM campaigns WHERE ?1 IS NULL OR status = ?1 ORDER BY name"
        ))?;
        let rows = stmt
            .query_map([status.map(CampaignStatus::as_str)], campaign)?
            .collect::<rusqlite::Result<_>>()
            .context("cannot list campaigns")?;
        Ok(rows)
    }

    /// Archived campaigns whose archiving is older than `before` and that
    /// still hold customers who are not anonymized: what a retention run
    /// anonymizes. With those customers' count.
    pub fn archived_with_customers_before(
        &self,
        before: DateTime<Utc>,
    ) -> Result<Vec<(Campaign, u64)>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS}, (SELECT count(*) FROM customers c WHERE c.campaign_id = campaigns.id \
             AND c.anonymized_at IS NULL) AS kept FROM campaigns \
             WHERE status = 'archived' AND archived_at < ?1 AND kept > 0 ORDER BY archived_at, name"
        ))?;
        let rows = stmt
            .query_map([super::timestamp(before)], |r| {
                Ok((campaign(r)?, r.get(6)?))
            })?
            .collect::<rusqlite::Result<_>>()
            .context("cannot list archived campaigns")?;
        Ok(rows)
    }

    /// Customers per stage who are not anonymized (those are the ones a
    /// stage can hand out or complete), and how many are anonymized: the
    /// kept counts (see `db/counts.rs`), one row whatever the campaign's size.
    pub fn stage_counts(&self, campaign_id: i64) -> Result<(StageCounts, u64)> {
        let kept = self.kept_campaign_counts(campaign_id)?;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        let stages = StageCounts {
            available: count(kept.available),
            assigned: count(kept.assigned),
            completed: count(kept.completed),
        };
        Ok((stages, count(kept.anonymized)))
    }

    /// Notes an outcome, sale or move in the campaign now: the day, as a
    /// campaign's last activity is kept (to the second it would be the time
    /// of one customer's call or move, kept after they are anonymized).
    pub fn touch_campaign(&self, id: i64, now: DateTime<Utc>) -> Result<()> {
        let now = super::timestamp(super::day(now));
        self.conn
            .prepare_cached(
                "UPDATE campaigns SET last_activity_at = max(last_activity_at, ?2) WHERE id = ?1",
            )?
            .execute(params![id, now])
            .context("cannot update a campaign")?;
        Ok(())
    }

    /// Removes a campaign that an import has just made, if it placed nobody
    /// in it (a sale or job only comes with an outcome or a customer, both
    /// found through an index). Says whether it went.
    pub fn remove_unused_campaign(&self, id: i64) -> Result<bool> {
        let unused: bool = self
            .conn
            .prepare_cached(
                "SELECT NOT EXISTS (SELECT 1 FROM customers WHERE campaign_id = ?1) \
                 AND NOT EXISTS (SELECT 1 FROM outcomes WHERE campaign_id = ?1)",
            )?
            .query_row([id], |r| r.get(0))
            .context("cannot look at a campaign")?;
        if !unused {
            return Ok(false);
        }
        // Its counts are all zero: it has no customers.
        self.forget_campaign_counts(id)?;
        let status: Option<String> = self
            .conn
            .prepare_cached("DELETE FROM campaigns WHERE id = ?1 RETURNING status")?
            .query_row([id], |r| r.get(0))
            .optional()
            .context("cannot remove an unused campaign")?;
        let Some(status) = status else {
            return Ok(false);
        };
        self.counted(|p| p.campaign_status(Some(CampaignStatus::parse(&status)), None))?;
        Ok(true)
    }

    pub fn set_campaign_status(
        &self,
        id: i64,
        status: CampaignStatus,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let now = super::timestamp(now);
        let archived_at = (status == CampaignStatus::Archived).then_some(now);
        let was: Option<String> = self
            .conn
            .prepare_cached("SELECT status FROM campaigns WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()
            .context("cannot read a campaign")?;
        self.conn
            .prepare_cached("UPDATE campaigns SET status = ?2, archived_at = ?3 WHERE id = ?1")?
            .execute(params![id, status.as_str(), archived_at])
            .context("cannot update a campaign")?;
        if let Some(was) = was {
            self.counted(|p| p.campaign_status(Some(CampaignStatus::parse(&was)), Some(status)))?;
        }
        Ok(())
    }
}

/// Every campaign's name in the database at `path`, for shell completion:
/// empty when there is no database there (none is created) or it is busy
/// for more than a moment, since pressing Tab must never wait or fail. The
/// names are no personal data, so the restore gate is not asked.
pub fn campaign_names_at(path: &Path) -> Vec<String> {
    if !path.is_file() {
        return Vec::new();
    }
    Db::open(path, std::time::Duration::from_millis(200))
        .and_then(|db| db.campaign_names())
        .unwrap_or_default()
}
