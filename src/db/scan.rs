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
    pub text: &'a str,
}

/// A table's free text columns, and how its rows are found.
struct Source {
    table: &'static str,
    /// The column holding the customer's row id, or `NULL`.
    customer: &'static str,
    fields: &'static [&'static str],
    /// The condition for the rows of campaign `?1` (its customers', for
    /// customer data); `None`: rows of no campaign, which a campaign's scan
    /// leaves out.
    in_campaign: Option<&'static str>,
}

const OF_CUSTOMERS_IN_CAMPAIGN: &str =
    "customer_id IN (SELECT id FROM customers WHERE campaign_id = ?1)";

/// Plain scans of each table, no joins: what it costs to read the text, and
/// no more. The customer is looked up only where something is found.
const SOURCES: &[Source] = &[
    Source {
        table: "customers",
        customer: "id",
        fields: &["notes", "extra"],
        in_campaign: Some("campaign_id = ?1"),
    },
    Source {
        table: "outcomes",
        customer: "customer_id",
        fields: &["label", "comment"],
        in_campaign: Some(OF_CUSTOMERS_IN_CAMPAIGN),
    },
    Source {
        table: "sales",
        customer: "customer_id",
        fields: &["product"],
        in_campaign: Some(OF_CUSTOMERS_IN_CAMPAIGN),
    },
    Source {
        table: "history",
        customer: "customer_id",
        fields: &["kind", "text"],
        in_campaign: Some(OF_CUSTOMERS_IN_CAMPAIGN),
    },
    Source {
        table: "campaigns",
        customer: "NULL",
        fields: &["name"],
        in_campaign: Some("id = ?1"),
    },
    Source {
        table: "sellers",
        customer: "NULL",
        fields: &["username"],
        in_campaign: None,
    },
];

impl Db {
    /// Calls `each` with every free text (of the customers of `campaign_id`
    /// and that campaign's name, if given), table by table.
    pub fn free_texts(
        &self,
        campaign_id: Option<i64>,
        each: &mut dyn FnMut(&TextRow) -> Result<()>,
    ) -> Result<()> {
        for source in SOURCES {
            let mut sql = format!(
                "SELECT {}, {} FROM {}",
                source.customer,
                source.fields.join(", "),
                source.table
            );
            if campaign_id.is_some() {
                let Some(condition) = source.in_campaign else {
                    continue;
                };
                sql = format!("{sql} WHERE {condition}");
            }
            let what = || format!("cannot read the {} table", source.table);
            let mut stmt = self.conn.prepare(&sql).with_context(what)?;
            let mut rows = match campaign_id {
                None => stmt.query([]),
                Some(id) => stmt.query([id]),
            }
            .with_context(what)?;
            while let Some(row) = rows.next().with_context(what)? {
                let customer = row.get::<_, Option<i64>>(0)?.map(CustomerKey);
                for (i, &field) in source.fields.iter().enumerate() {
                    // Text as SQLite holds it; bytes that are not UTF-8 are
                    // read as replacement characters rather than failing.
                    let ValueRef::Text(bytes) = row.get_ref(i + 1)? else {
                        continue;
                    };
                    let text = String::from_utf8_lossy(bytes);
                    each(&TextRow {
                        table: source.table,
                        field,
                        json: field == "extra",
                        customer,
                        text: &text,
                    })?;
                }
            }
        }
        Ok(())
    }

    /// How a customer is named in what cube prints: its cube id. The one
    /// place that decides it for `cube scan`.
    pub fn customer_label(&self, customer: CustomerKey) -> Result<String> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT cube_id FROM customers WHERE id = ?1")?;
        stmt.query_row([customer.0], |r| r.get(0))
            .context("cannot read a customer's id")
    }
}
