//! The free text cube keeps, streamed one text at a time for `cube scan`:
//! memory stays flat whatever the row count.
//!
//! Free text is where personal data goes that no card field holds: the notes
//! and extra fields of cards, outcome labels and comments, sale products,
//! history kinds and texts, campaign names and seller usernames. The card's
//! own fields (name, e-mail, phone, ...) are where personal data belongs, and
//! are not read here. A new free text column must be added to [`SOURCES`].

use anyhow::{Context, Result};
use rusqlite::types::ValueRef;
use rusqlite::Statement;

use super::Db;

/// A customer, as the rows that point at it know it. Only `db/` can look
/// inside: it is the internal row id, which never leaves the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerKey(i64);

/// One text and where it is.
#[derive(Debug)]
pub struct TextRow<'a> {
    pub table: &'static str,
    pub field: &'static str,
    /// A JSON object of texts (the extra fields), rather than text.
    pub json: bool,
    /// Whose text it is; `None` for campaign names and seller usernames.
    pub customer: Option<CustomerKey>,
    /// As SQLite holds it: UTF-8, unless something other than cube wrote it.
    pub text: &'a [u8],
}

/// A table's free text columns, and how its rows are found.
struct Source {
    table: &'static str,
    /// The column of `t` (the table) holding the customer's row id, or `NULL`.
    customer: &'static str,
    fields: &'static [&'static str],
    /// What follows `FROM table t` for the rows of campaign `?1` (its
    /// customers', for customer data); `None`: rows of no campaign, which a
    /// campaign's scan leaves out.
    in_campaign: Option<&'static str>,
}

/// Through the campaign's customers (an index) to their rows (another): no
/// list of the customers is built, so memory stays flat here too.
const OF_CUSTOMERS_IN_CAMPAIGN: &str =
    "JOIN customers c ON c.id = t.customer_id WHERE c.campaign_id = ?1";

/// Plain scans of each table, no joins: what it costs to read the text, and
/// no more. The customer is looked up only where something is found.
const SOURCES: &[Source] = &[
    Source {
        table: "customers",
        customer: "t.id",
        fields: &["notes", "extra"],
        in_campaign: Some("WHERE t.campaign_id = ?1"),
    },
    Source {
        table: "outcomes",
        customer: "t.customer_id",
        fields: &["label", "comment"],
        in_campaign: Some(OF_CUSTOMERS_IN_CAMPAIGN),
    },
    Source {
        table: "sales",
        customer: "t.customer_id",
        fields: &["product"],
        in_campaign: Some(OF_CUSTOMERS_IN_CAMPAIGN),
    },
    Source {
        table: "history",
        customer: "t.customer_id",
        fields: &["kind", "text"],
        in_campaign: Some(OF_CUSTOMERS_IN_CAMPAIGN),
    },
    Source {
        table: "campaigns",
        customer: "NULL",
        fields: &["name"],
        in_campaign: Some("WHERE t.id = ?1"),
    },
    Source {
        table: "sellers",
        customer: "NULL",
        fields: &["username"],
        in_campaign: None,
    },
];

/// A reader of the free texts on a connection of its own, which a thread of
/// its own may take: `cube scan` reads on one thread and searches on another.
pub struct FreeTexts {
    conn: rusqlite::Connection,
}

impl FreeTexts {
    /// Calls `each` with every free text (of the customers of `campaign_id`
    /// and that campaign's name, if given), table by table.
    pub fn each(
        &self,
        campaign_id: Option<i64>,
        each: &mut dyn FnMut(&TextRow) -> Result<()>,
    ) -> Result<()> {
        free_texts(&self.conn, campaign_id, each)
    }
}

impl Db {
    /// A reader of the free texts ([`FreeTexts::each`]) on a connection of
    /// its own.
    pub fn free_texts(&self) -> Result<FreeTexts> {
        Ok(FreeTexts {
            conn: self.reader_connection()?,
        })
    }

    /// Names customers for `cube scan`.
    pub fn customer_labels(&self) -> Result<CustomerLabels<'_>> {
        let stmt = self
            .conn
            .prepare("SELECT id, ref FROM customers WHERE id >= ?1 ORDER BY id LIMIT ?2")
            .context("cannot read customers' ids")?;
        Ok(CustomerLabels {
            stmt,
            window: Vec::new(),
            last: 0,
            ahead: 1,
        })
    }
}

/// [`FreeTexts::each`] on `conn`.
fn free_texts(
    conn: &rusqlite::Connection,
    campaign_id: Option<i64>,
    each: &mut dyn FnMut(&TextRow) -> Result<()>,
) -> Result<()> {
    for source in SOURCES {
        let mut sql = format!("SELECT {}", source.customer);
        for field in source.fields {
            sql += &format!(", t.{field}");
        }
        sql += &format!(" FROM {} t", source.table);
        if campaign_id.is_some() {
            let Some(rows_of_campaign) = source.in_campaign else {
                continue;
            };
            sql += &format!(" {rows_of_campaign}");
        }
        let what = || format!("cannot read the {} table", source.table);
        let mut stmt = conn.prepare(&sql).with_context(what)?;
        let mut rows = match campaign_id {
            None => stmt.query([]),
            Some(id) => stmt.query([id]),
        }
        .with_context(what)?;
        while let Some(row) = rows.next().with_context(what)? {
            let customer = row.get::<_, Option<i64>>(0)?.map(CustomerKey);
            for (i, &field) in source.fields.iter().enumerate() {
                let ValueRef::Text(text) = row.get_ref(i + 1)? else {
                    continue;
                };
                each(&TextRow {
                    table: source.table,
                    field,
                    json: field == "extra",
                    customer,
                    text,
                })?;
            }
        }
    }
    Ok(())
}

/// Read ahead at most this many customers: flat memory, and as fast as more.
const MAX_AHEAD: usize = 256;

/// How a customer is named in what `cube scan` prints: its public reference
/// (never the cube id, which stays in the database). The one
/// place that decides it.
///
/// Texts with findings often come in the order of their customers (the rows
/// of one customer together, customers imported in order), and a lookup of
/// each cost a third of a whole scan. So the customers that follow the one
/// asked for are read with it: more of them each time the next one asked for
/// lies just past those, and one alone when it lies elsewhere.
pub struct CustomerLabels<'a> {
    stmt: Statement<'a>,
    /// Customers in id order, as read last.
    window: Vec<(i64, String)>,
    /// Where in the window the last one asked for is.
    last: usize,
    ahead: usize,
}

impl CustomerLabels<'_> {
    pub fn get(&mut self, customer: CustomerKey) -> Result<&str> {
        let id = customer.0;
        // Most often the customer asked for last, or the next one.
        let near = self.window.get(self.last..self.last + 2).unwrap_or(&[]);
        let found = match near.iter().position(|(key, _)| *key == id) {
            Some(i) => Ok(self.last + i),
            None => self.window.binary_search_by_key(&id, |(key, _)| *key),
        };
        self.last = match found {
            Ok(i) => i,
            Err(_) => {
                self.read_from(id)?;
                0
            }
        };
        match self.window.get(self.last) {
            Some((key, label)) if *key == id => Ok(label),
            _ => Err(anyhow::anyhow!("a text belongs to no customer")),
        }
    }

    /// Reads the customers from `id` on into the window.
    fn read_from(&mut self, id: i64) -> Result<()> {
        let in_order = self
            .window
            .last()
            .is_some_and(|(last, _)| id > *last && id - *last <= self.ahead as i64);
        self.ahead = if in_order {
            (self.ahead * 4).min(MAX_AHEAD)
        } else {
            1
        };
        self.window.clear();
        let mut rows = self
            .stmt
            .query(rusqlite::params![id, self.ahead as i64])
            .context("cannot read customers' ids")?;
        while let Some(row) = rows.next().context("cannot read customers' ids")? {
            self.window.push((row.get(0)?, row.get(1)?));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;
    use crate::db::{Card, BUSY_TIMEOUT};

    #[test]
    fn customers_are_named_in_any_order() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("cube.db"), BUSY_TIMEOUT).unwrap();
        let tx = db.begin().unwrap();
        let card = Card {
            name: "Åse".into(),
            ..Card::default()
        };
        let ids: Vec<i64> = (0..700)
            .map(|i| {
                let (cube_id, reference) = (format!("id-{i}"), format!("{i:016x}"));
                let ids = crate::db::NewIds {
                    cube_id: &cube_id,
                    reference: &reference,
                };
                tx.insert_customer(ids, &card, None, DateTime::UNIX_EPOCH)
                    .unwrap()
                    .unwrap()
            })
            .collect();
        tx.commit().unwrap();
        let mut labels = db.customer_labels().unwrap();
        // In order with repeats and gaps, backwards, then jumping about.
        let mut order: Vec<usize> = (0..700)
            .flat_map(|i| [i, i])
            .filter(|i| i % 7 != 3)
            .collect();
        order.extend((0..700).rev().step_by(3));
        order.extend([5, 650, 6, 699, 0, 300, 301, 302]);
        for i in order {
            assert_eq!(
                labels.get(CustomerKey(ids[i])).unwrap(),
                format!("{i:016x}")
            );
            assert!(labels.window.len() <= MAX_AHEAD);
        }
        assert!(labels.get(CustomerKey(ids[699] + 1)).is_err());
        assert_eq!(
            labels.get(CustomerKey(ids[1])).unwrap(),
            format!("{:016x}", 1)
        );
    }
}
