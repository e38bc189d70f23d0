//! The audit log: who archived, anonymized, restored or replayed what, and
//! when. Append-only, and it never holds personal data: `details` carries
//! counts and job ids only.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::Serialize;

use super::Db;

/// One line of the audit log. It never holds personal data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub at: String,
    pub operator: String,
    pub action: String,
    pub campaign: Option<String>,
    pub details: serde_json::Value,
}

impl Db {
    /// Appends to the audit log. `details` must hold no personal data.
    pub fn audit(
        &self,
        at: DateTime<Utc>,
        operator: &str,
        action: &str,
        campaign: Option<&str>,
        details: &serde_json::Value,
    ) -> Result<()> {
        self.append_audit(&AuditEntry {
            at: super::timestamp(at),
            operator: operator.into(),
            action: action.into(),
            campaign: campaign.map(String::from),
            details: details.clone(),
        })
    }

    /// Appends an entry as it was read from another audit log (a restore
    /// carries the live database's over).
    pub fn append_audit(&self, entry: &AuditEntry) -> Result<()> {
        self.conn
            .prepare_cached("INSERT INTO audit (at, operator, action, campaign, details) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![entry.at, entry.operator, entry.action, entry.campaign, entry.details.to_string()])
            .context("cannot write the audit log")?;
        Ok(())
    }

    /// The audit log since `since`, oldest first.
    pub fn audit_log(&self, since: Option<DateTime<Utc>>) -> Result<Vec<AuditEntry>> {
        let since = since.map(super::timestamp);
        let mut stmt = self.conn.prepare(
            "SELECT at, operator, action, campaign, details FROM audit WHERE ?1 IS NULL OR at >= ?1 ORDER BY id",
        )?;
        let rows = stmt
            .query_map([since], |r| {
                let details: String = r.get(4)?;
                Ok(AuditEntry {
                    at: r.get(0)?,
                    operator: r.get(1)?,
                    action: r.get(2)?,
                    campaign: r.get(3)?,
                    details: serde_json::from_str(&details).unwrap_or(serde_json::Value::Null),
                })
            })?
            .collect::<rusqlite::Result<_>>()
            .context("cannot read the audit log")?;
        Ok(rows)
    }
}
