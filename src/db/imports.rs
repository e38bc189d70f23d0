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

use std::borrow::Cow;

use anyhow::{Context, Result};

use super::Db;
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

/// The customers that are not anonymized with one of the keys in the JSON
/// array ?1 in `column`: one search of its partial index per key.
fn by_key_sql(column: &str) -> String {
    format!(
        "SELECT {column}, id, email_key FROM customers \
         WHERE {column} IN (SELECT value FROM json_each(?1)) \
         AND {column} IS NOT NULL AND anonymized_at IS NULL ORDER BY id"
    )
}

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
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lookups an import makes stay searches at a million customers.
    #[test]
    fn every_lookup_searches_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("cube.db"), super::super::BUSY_TIMEOUT).unwrap();
        let expected = [
            (by_key_sql("email_key"), "customers_email_key"),
            (by_key_sql("phone_key"), "customers_phone_key"),
        ];
        for (sql, index) in expected {
            let mut stmt = db
                .conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap();
            let unbound = vec![rusqlite::types::Null; stmt.parameter_count()];
            let plan: Vec<String> = stmt
                .query_map(rusqlite::params_from_iter(unbound), |r| {
                    r.get::<_, String>(3)
                })
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert!(
                plan.iter().any(|step| step.starts_with("SEARCH")
                    && step.contains(&format!("USING INDEX {index} "))),
                "{sql}\n{plan:?}"
            );
            assert!(
                !plan.iter().any(|step| step.starts_with("SCAN customers")),
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
