//! Finding customers (`cube customer find`) through indexes, so that a search
//! stays under 100 ms at a million customers.
//!
//! SQLite cannot fold case and accents (without ICU) or read a phone number in
//! any formatting, so each card carries its search keys, computed here when
//! the card is written (`find_name`, `find_surname`, `find_phone`; migration
//! 14), and its e-mail is searched by the match key imports keep
//! (`email_key`, see [`super::email_key`]: lower case, NFC; migration 11):
//!
//! - `find_name`: the name folded (lower case, accents off, `ø` → `o`,
//!   `æ` → `ae`, anything not a letter or digit a single space):
//!   `Kåre Ødegård` → `kare odegard`;
//! - `find_surname`: the same words from the last one on (`odegard kare`), for
//!   names of two words or more: "Ødegård" and "Ødegård Kåre" find by prefix;
//! - `find_phone`: the digits backwards, leading zeros left out, so that a
//!   number found by its end ignores any country code or trunk prefix:
//!   `+47 99887766` → `6677889974`, found by `998 87 766` (`66778899`).
//!
//! The keys are personal data like the card: anonymizing sets them to NULL,
//! and every index on them is partial (`WHERE anonymized_at IS NULL`), so an
//! anonymized customer is never found and leaves no key behind. A key is NULL
//! where the card has nothing to search (no e-mail, a one-word name for the
//! surname), which keeps those customers out of that key's index.

use anyhow::{Context, Result};
use rusqlite::params;
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

use super::customers::{customer_row, ROW_COLUMNS, ROW_JOINS};
use super::{CustomerRow, Db};

/// The search keys of one card (see the module docs).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FindKeys {
    pub name: Option<String>,
    pub surname: Option<String>,
    pub phone: Option<String>,
}

impl FindKeys {
    pub fn of(name: &str, phone: &str) -> FindKeys {
        let folded = fold(name);
        FindKeys {
            surname: surname_first(name),
            name: Some(folded).filter(|n| !n.is_empty()),
            phone: phone_key(phone),
        }
    }
}

/// Lower case, without accents, letters and digits only, words separated by
/// one space: the form names are searched in. (Character by character: the
/// compatibility decomposition of one character is that of the text, once
/// the combining marks it yields are dropped.)
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    let mut push = |c: char| {
        for c in c.to_lowercase() {
            if !c.is_alphanumeric() {
                gap = true;
                continue;
            }
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            crate::names::push_plain(&mut out, c);
        }
    };
    for c in text.chars() {
        if c.is_ascii() {
            push(c);
        } else {
            decompose_compatible(c, |d| {
                if !is_combining_mark(d) {
                    push(d);
                }
            });
        }
    }
    out
}

/// A name folded from its last name on: `Ola Johan Nordmann` →
/// `nordmann ola johan`, `Åse Nordmann-Berg` → `nordmann berg ase` (a
/// double surname is one last name); `None` for a name of one part.
fn surname_first(name: &str) -> Option<String> {
    let (rest, last) = name.trim().rsplit_once(char::is_whitespace)?;
    let (last, rest) = (fold(last), fold(rest));
    if last.is_empty() || rest.is_empty() {
        return None;
    }
    Some(format!("{last} {rest}"))
}

/// The digits of a phone number backwards, without leading zeros.
pub fn phone_key(phone: &str) -> Option<String> {
    let mut digits = String::with_capacity(phone.len());
    for c in phone.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if !c.is_ascii() {
            // Full-width and other compatibility forms of the digits.
            decompose_compatible(c, |d| {
                if d.is_ascii_digit() {
                    digits.push(d);
                }
            });
        }
    }
    let key: String = digits.trim_start_matches('0').chars().rev().collect();
    Some(key).filter(|k| !k.is_empty())
}

/// The fewest digits a search must have to be tried as a phone number.
const MIN_PHONE_DIGITS: usize = 3;

/// What `find` looks for, from the text typed.
#[derive(Debug)]
struct Query {
    /// As typed (trimmed): a reference or customer number.
    exact: String,
    /// Folded words, when there is a letter to search names by.
    words: Vec<String>,
    email: Option<String>,
    phone: Option<String>,
}

impl Query {
    fn new(text: &str) -> Query {
        let exact = text.trim().to_string();
        let folded = fold(&exact);
        let words = if exact.chars().any(char::is_alphabetic) {
            folded.split(' ').map(String::from).collect()
        } else {
            Vec::new()
        };
        // Only digits and what phone numbers are written with.
        let phone_like = exact
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
        let phone = phone_key(&exact).filter(|key| phone_like && key.len() >= MIN_PHONE_DIGITS);
        let email = super::email_key(&exact)
            .filter(|_| !exact.contains(char::is_whitespace))
            .map(String::from);
        Query {
            exact,
            words,
            email,
            phone,
        }
    }
}

/// The end of a prefix range: every key that starts with `prefix` sorts
/// below it (keys hold no U+10FFFF).
fn after(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// What `find` found: at most `limit` customers, and whether there were more.
#[derive(Debug)]
pub struct Found {
    pub customers: Vec<CustomerRow>,
    pub more: bool,
}

impl Db {
    /// Customers that are not anonymized whose reference or customer number
    /// is `text`, or whose name (by the start of its first or last name,
    /// every other word typed the start of another of its words), e-mail (by
    /// its start) or phone number (by its end, in any formatting) matches:
    /// exact matches first, then by name. Each kind is one search of an
    /// index; none reads the whole table.
    pub fn find_customers(&self, text: &str, limit: usize) -> Result<Found> {
        let query = Query::new(text);
        let want = limit.saturating_add(1);
        // (exact, id), each customer once.
        let mut found: Vec<(bool, i64)> = Vec::new();
        for sql in [
            "SELECT id FROM customers WHERE ref = ?1 AND anonymized_at IS NULL",
            "SELECT id FROM customers WHERE customer_no = ?1 AND anonymized_at IS NULL",
        ] {
            let key = if sql.contains("ref") {
                query.exact.to_ascii_lowercase()
            } else {
                query.exact.clone()
            };
            let mut stmt = self.conn.prepare_cached(sql)?;
            let ids = stmt
                .query_map([key], |r| r.get::<_, i64>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
                .context("cannot search customers")?;
            for id in ids {
                if !found.iter().any(|&(_, f)| f == id) {
                    found.push((true, id));
                }
            }
        }
        if let Some(email) = &query.email {
            self.prefix_ids("email_key", email, want, &mut found, |_| true)?;
        }
        if let Some(phone) = &query.phone {
            self.prefix_ids("find_phone", phone, want, &mut found, |_| true)?;
        }
        if let Some((first, others)) = query.words.split_first() {
            // The first word typed starts the first or the last name; every
            // other one starts some word of the name.
            let rest_match = |name: &str| {
                let words: Vec<&str> = name.split(' ').collect();
                others
                    .iter()
                    .all(|w| words.iter().any(|n| n.starts_with(w.as_str())))
            };
            for column in ["find_name", "find_surname"] {
                self.prefix_ids(column, first, want, &mut found, rest_match)?;
            }
        }
        let mut rows = Vec::with_capacity(found.len());
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ROW_COLUMNS} FROM {ROW_JOINS} WHERE c.id = ?1"
        ))?;
        for (is_exact, id) in found {
            let row = stmt
                .query_row([id], customer_row)
                .context("cannot read a customer")?;
            rows.push((!is_exact, fold(&row.name), row));
        }
        rows.sort_by(|a, b| (a.0, &a.1, &a.2.reference).cmp(&(b.0, &b.1, &b.2.reference)));
        let more = rows.len() > limit;
        let customers = rows.into_iter().take(limit).map(|(_, _, r)| r).collect();
        Ok(Found { customers, more })
    }

    /// Adds to `found` the customers (not anonymized, not found already)
    /// whose `column` starts with `prefix` and whose key `keep` accepts, in
    /// key order, until `found` holds `want`.
    fn prefix_ids(
        &self,
        column: &str,
        prefix: &str,
        want: usize,
        found: &mut Vec<(bool, i64)>,
        keep: impl Fn(&str) -> bool,
    ) -> Result<()> {
        if found.len() >= want {
            return Ok(());
        }
        let sql = format!(
            "SELECT id, {column} FROM customers \
             WHERE {column} >= ?1 AND {column} < ?2 AND anonymized_at IS NULL \
             ORDER BY {column}"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![prefix, after(prefix)])?;
        while let Some(row) = rows.next().context("cannot search customers")? {
            let (id, key): (i64, String) = (row.get(0)?, row.get(1)?);
            if keep(&key) && !found.iter().any(|&(_, f)| f == id) {
                found.push((false, id));
                if found.len() >= want {
                    break;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_case_accents_and_punctuation() {
        assert_eq!(fold("Kåre Ødegård"), "kare odegard");
        assert_eq!(fold("  ÆSIR  Nordmann-Berg "), "aesir nordmann berg");
        assert_eq!(fold("Zoë O'Brien"), "zoe o brien");
        assert_eq!(fold("ＡＢＣ"), "abc");
        assert_eq!(fold("ÅSE ØYEN Ærlig"), "ase oyen aerlig");
        assert_eq!(phone_key("９９８ ８７"), Some("78899".into()));
        assert_eq!(fold(""), "");
        assert_eq!(fold("---"), "");
    }

    #[test]
    fn each_card_gets_its_keys() {
        let keys = FindKeys::of("Ola Johan Nordmann", "+47 998 87 766");
        assert_eq!(keys.name.as_deref(), Some("ola johan nordmann"));
        assert_eq!(keys.surname.as_deref(), Some("nordmann ola johan"));
        assert_eq!(keys.phone.as_deref(), Some("6677889974"));
        let double = FindKeys::of("Åse Nordmann-Berg", "");
        assert_eq!(double.surname.as_deref(), Some("nordmann berg ase"));
        let bare = FindKeys::of("Ola", "");
        assert_eq!(bare.surname, None);
        assert_eq!(bare.phone, None);
        assert_eq!(FindKeys::of("", "---").name, None);
    }

    #[test]
    fn a_phone_number_is_found_by_its_end_in_any_formatting() {
        let stored = phone_key("+47 99887766").unwrap();
        for typed in [
            "998 87 766",
            "99887766",
            "0047 99 88 77 66",
            "+4799887766",
            "(998) 87-766",
        ] {
            let key = phone_key(typed).unwrap();
            assert!(stored.starts_with(&key), "{typed}");
        }
        assert!(!stored.starts_with(&phone_key("99887767").unwrap()));
    }

    #[test]
    fn a_query_is_tried_as_what_it_can_be() {
        let q = Query::new(" 998 87 766 ");
        assert_eq!(q.phone.as_deref(), Some("66778899"));
        assert!(q.words.is_empty());
        assert_eq!(q.email, None, "a text with spaces is no e-mail");
        assert_eq!(
            Query::new("Ola@Eksempel.NO").email.as_deref(),
            Some("ola@eksempel.no")
        );
        let q = Query::new("Kåre Ødegård");
        assert_eq!(q.words, ["kare", "odegard"]);
        assert_eq!(q.phone, None);
        let q = Query::new("K-10042");
        assert_eq!(q.exact, "K-10042");
        assert_eq!(q.phone, None, "letters make it no phone number");
        assert_eq!(Query::new("12").phone, None, "too few digits");
    }
}
