//! What imports need to tell a row that is already in the database from a
//! new one.
//!
//! - A customer without a customer number is matched by its e-mail address,
//!   else its phone number, each in one compared form ([`email_key`],
//!   [`phone_key`]). The keys are stored beside the card
//!   (`customers.email_key`, `customers.phone_key`: personal data, blanked
//!   with the card) and indexed for customers that are not anonymized only,
//!   so that an anonymized customer is never matched (DESIGN.md, promise 4)
//!   and the lookups stay searches at a million customers. Every write of a
//!   card's e-mail or phone writes its key with it.
//! - The customers the rows of an outcomes file name, and the outcomes
//!   stored for them, are read a batch of rows at a time, one search of an
//!   index per key, rather than one query per row. A history entry the same
//!   as one stored is found through the index on its customer, who has few
//!   of them.
//! - Imported files are remembered by kind and the SHA-256 of their bytes,
//!   with the day and their number of rows; never by name, which may name a
//!   person.

use std::borrow::Cow;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::customers::{customer_ref, stage_of};
use super::{CustomerRef, Db, NewHistory, Stage, Stamp};
use crate::mentions;

/// The form e-mail addresses are matched in: Unicode NFC, lower case (as
/// mentions are found). `None` for no address; borrowed only when it is the
/// whole address as it is.
pub fn email_key(email: &str) -> Option<Cow<'_, str>> {
    if email.is_empty() {
        return None;
    }
    if email
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
    {
        return Some(Cow::Borrowed(email));
    }
    Some(Cow::Owned(mentions::normalize(email)))
}

/// The form phone numbers are matched in: the digits, without a `+47` or
/// `0047` prefix (as mentions are found). `None` for fewer digits than a
/// phone number has (`0`, `n/a`), which would match unrelated customers.
/// Borrowed only when it is the whole number as it is.
pub fn phone_key(phone: &str) -> Option<Cow<'_, str>> {
    let plain = phone.bytes().all(|b| b.is_ascii_digit())
        && !phone.starts_with("47")
        && !phone.starts_with("0047");
    let key = if plain {
        Cow::Borrowed(phone)
    } else {
        Cow::Owned(mentions::phone_digits(phone))
    };
    (key.len() >= mentions::MIN_PHONE_DIGITS).then_some(key)
}

/// A customer that is not anonymized, found by a match key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMatch {
    /// The key it was found by.
    pub key: String,
    pub id: i64,
    /// Its e-mail key: two customers whose e-mail addresses differ are not
    /// the same one, whatever their phones say.
    pub email_key: Option<String>,
}

/// A customer found by its customer number, which only a customer that is
/// not anonymized has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberedCustomer {
    pub id: i64,
    pub campaign_id: Option<i64>,
    pub stage: Option<Stage>,
}

/// An outcome stored for a customer an import names: what tells whether a
/// row is the same (see `crate::import`'s outcomes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOutcome {
    pub customer_id: i64,
    pub campaign_id: i64,
    pub seller_id: i64,
    pub registered_at: Stamp,
    pub label: String,
    /// Its sales: product, quantity and unit price.
    pub sales: Vec<(String, i64, i64)>,
    /// The paths of the customer's recordings tied to it.
    pub recordings: Vec<String>,
}

/// A file imported before: the day of its first import and its rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedFile {
    /// `YYYY-MM-DD`.
    pub on: String,
    pub rows: u64,
}

/// The customers that are not anonymized with one of the keys in the JSON
/// array ?1 in `column`: one search of its partial index per key.
fn by_key_sql(column: &str) -> String {
    format!(
        "SELECT {column}, id, email_key FROM customers \
         WHERE {column} IN (SELECT value FROM json_each(?1)) \
         AND {column} IS NOT NULL AND anonymized_at IS NULL ORDER BY id"
    )
}

/// The customers that are not anonymized with one of the customer numbers
/// in the JSON array ?1 (each once), through the partial unique index: a
/// join, which searches the index for each number as it reads it, where
/// `IN` first builds a temporary index of the numbers.
/// Each customer comes with the place of its number in ?1 (`key`).
const BY_NUMBERS: &str = "SELECT k.key, c.id, c.campaign_id, c.stage \
     FROM json_each(?1) AS k JOIN customers c ON c.customer_no = k.value \
     WHERE c.customer_no IS NOT NULL AND c.anonymized_at IS NULL";

/// The customers (anonymized or not) with one of the references in ?1
/// (each once).
const BY_REFS: &str = "SELECT c.id, c.ref, c.campaign_id, c.anonymized_at, c.stage \
     FROM json_each(?1) AS k JOIN customers c ON c.ref = k.value";

/// The outcomes of the customers in ?1 (each once), each with its sales and
/// the recordings of the same customer tied to it: through the index on the
/// customer.
const STORED_OUTCOMES: &str = "SELECT o.id, o.customer_id, o.campaign_id, o.seller_id, \
     o.registered_at, o.label, s.product, s.quantity, s.unit_price, r.path \
     FROM json_each(?1) AS k JOIN outcomes o ON o.customer_id = k.value \
     LEFT JOIN sales s ON s.outcome_id = o.id \
     LEFT JOIN recordings r ON r.customer_id = o.customer_id AND r.outcome_id = o.id";

const HISTORY_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM history WHERE customer_id = ?1 \
     AND at = ?2 AND kind = ?3 AND text = ?4)";

impl Db {
    /// The customers that are not anonymized with one of these e-mail keys,
    /// first imported first.
    pub fn customers_by_email_key(&self, keys: &[&str]) -> Result<Vec<KeyMatch>> {
        self.customers_by_key("email_key", keys)
    }

    /// The customers that are not anonymized with one of these phone keys,
    /// first imported first.
    pub fn customers_by_phone_key(&self, keys: &[&str]) -> Result<Vec<KeyMatch>> {
        self.customers_by_key("phone_key", keys)
    }

    /// One search of the partial index on `column` for all of `keys`.
    fn customers_by_key(&self, column: &str, keys: &[&str]) -> Result<Vec<KeyMatch>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare_cached(&by_key_sql(column))?;
        let keys = serde_json::to_string(keys)?;
        let found = stmt
            .query_map([keys], |r| {
                Ok(KeyMatch {
                    key: r.get(0)?,
                    id: r.get(1)?,
                    email_key: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()
            .context("cannot look up customers by e-mail or phone")?;
        Ok(found)
    }

    /// For each of `numbers` (each once), the customer that is not
    /// anonymized and has it, if any.
    pub fn customers_by_numbers(&self, numbers: &[&str]) -> Result<Vec<Option<NumberedCustomer>>> {
        let mut found = vec![None; numbers.len()];
        if numbers.is_empty() {
            return Ok(found);
        }
        let mut stmt = self.conn.prepare_cached(BY_NUMBERS)?;
        let mut rows = stmt.query([serde_json::to_string(numbers)?])?;
        while let Some(r) = rows.next().context("cannot look up customer numbers")? {
            let at: usize = r.get(0)?;
            if let Some(slot) = found.get_mut(at) {
                *slot = Some(NumberedCustomer {
                    id: r.get(1)?,
                    campaign_id: r.get(2)?,
                    stage: stage_of(r, 3)?,
                });
            }
        }
        Ok(found)
    }

    /// The customers with these references (lower case), anonymized or not.
    pub fn customers_by_refs(&self, refs: &[&str]) -> Result<Vec<CustomerRef>> {
        if refs.is_empty() {
            return Ok(Vec::new());
        }
        self.conn
            .prepare_cached(BY_REFS)?
            .query_map([serde_json::to_string(refs)?], customer_ref)?
            .collect::<rusqlite::Result<_>>()
            .context("cannot look up customer references")
    }

    /// Every outcome stored for these customers, with its sales and
    /// recordings.
    pub fn stored_outcomes(&self, customers: &[i64]) -> Result<Vec<StoredOutcome>> {
        if customers.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare_cached(STORED_OUTCOMES)?;
        let mut rows = stmt.query([serde_json::to_string(customers)?])?;
        let mut found: Vec<StoredOutcome> = Vec::new();
        // Where each outcome is in `found`: a row per sale and recording.
        let mut at = std::collections::HashMap::new();
        while let Some(r) = rows.next().context("cannot read the stored outcomes")? {
            let id: i64 = r.get(0)?;
            let i = *at.entry(id).or_insert(found.len());
            if i == found.len() {
                found.push(StoredOutcome {
                    customer_id: r.get(1)?,
                    campaign_id: r.get(2)?,
                    seller_id: r.get(3)?,
                    registered_at: Stamp(r.get(4)?),
                    label: r.get(5)?,
                    sales: Vec::new(),
                    recordings: Vec::new(),
                });
            }
            let outcome = &mut found[i];
            if let Some(product) = r.get::<_, Option<String>>(6)? {
                let sale = (product, r.get(7)?, r.get(8)?);
                if !outcome.sales.contains(&sale) {
                    outcome.sales.push(sale);
                }
            }
            if let Some(path) = r.get::<_, Option<String>>(9)? {
                if !outcome.recordings.contains(&path) {
                    outcome.recordings.push(path);
                }
            }
        }
        Ok(found)
    }

    /// True when a history entry like `h` is stored: the same customer,
    /// time, kind and text.
    pub fn history_exists(&self, h: &NewHistory) -> Result<bool> {
        let mut stmt = self.conn.prepare_cached(HISTORY_EXISTS)?;
        stmt.query_row(
            params![h.customer_id, super::timestamp(h.at), h.kind, h.text],
            |r| r.get(0),
        )
        .context("cannot look for the same history entry")
    }

    /// The first import of a file of this kind with this SHA-256, if any.
    pub fn imported_file(&self, kind: &str, sha256: &str) -> Result<Option<ImportedFile>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT imported_on, rows FROM imported_files WHERE kind = ?1 AND sha256 = ?2",
        )?;
        stmt.query_row([kind, sha256], |r| {
            Ok(ImportedFile {
                on: r.get(0)?,
                rows: r.get(1)?,
            })
        })
        .optional()
        .context("cannot look up the imported files")
    }

    /// Remembers a file imported now; the first import of it is kept.
    pub fn record_imported_file(
        &self,
        kind: &str,
        sha256: &str,
        rows: u64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO imported_files (kind, sha256, imported_on, rows) \
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                kind,
                sha256,
                now.date_naive().to_string(),
                rows as i64
            ])
            .context("cannot remember the imported file")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lookups an import makes per row stay searches at a million
    /// customers and outcomes.
    #[test]
    fn every_lookup_searches_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("cube.db"), super::super::BUSY_TIMEOUT).unwrap();
        let expected = [
            (by_key_sql("email_key"), "customers_email_key"),
            (by_key_sql("phone_key"), "customers_phone_key"),
            (BY_NUMBERS.to_string(), "customers_customer_no"),
            (BY_REFS.to_string(), "customers_ref"),
            (STORED_OUTCOMES.to_string(), "outcomes_customer"),
            (HISTORY_EXISTS.to_string(), "history_customer"),
        ];
        for (sql, index) in expected {
            let plan = super::super::query_plan(&db.conn, &sql);
            assert!(
                plan.iter().any(|step| step.starts_with("SEARCH")
                    && step.contains(&format!("USING INDEX {index} "))),
                "{sql}\n{plan:?}"
            );
            assert!(
                !plan.iter().any(|step| step.starts_with("SCAN o")
                    || step.starts_with("SCAN customers")
                    || step.starts_with("SCAN history")),
                "{sql}\n{plan:?}"
            );
        }
    }

    #[test]
    fn e_mail_keys_ignore_case_and_unicode_form() {
        let key = |e| email_key(e).map(Cow::into_owned);
        assert_eq!(key(""), None);
        assert!(matches!(email_key("kari@x.no"), Some(Cow::Borrowed(_))));
        assert_eq!(key("Kari@X.no"), key("kari@x.no"));
        assert_eq!(key("KÅRE@BØKESKOG.NO").as_deref(), Some("kåre@bøkeskog.no"));
        // Å as A and a combining ring is the same letter.
        assert_eq!(key("ka\u{30a}re@x.no"), key("kåre@x.no"));
    }

    #[test]
    fn phone_keys_are_the_digits_without_the_country_code() {
        let key = |p| phone_key(p).map(Cow::into_owned);
        for same in [
            "99887766",
            "+47 998 87 766",
            "0047 998-87-766",
            "(+47) 998.87.766",
            "4799887766",
        ] {
            assert_eq!(key(same).as_deref(), Some("99887766"), "{same}");
        }
        assert!(matches!(phone_key("99887766"), Some(Cow::Borrowed(_))));
        assert_eq!(key("229.077.5154").as_deref(), Some("2290775154"));
        for none in ["", "0", "n/a", "+47 1", "12345"] {
            assert_eq!(key(none), None, "{none}");
        }
    }
}
