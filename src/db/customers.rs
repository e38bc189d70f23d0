//! Customers: the card (personal data), its campaign and flow stage.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use std::borrow::Cow;

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use super::raw::{Param, StaticStatement};
use super::{Db, FindKeys};

/// Where a customer is inside its campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Free for sellers to pick
    Available,
    /// A seller has it
    Assigned,
    /// An outcome was registered
    Completed,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Available => "available",
            Stage::Assigned => "assigned",
            Stage::Completed => "completed",
        }
    }

    fn parse(text: &str) -> Option<Stage> {
        match text {
            "available" => Some(Stage::Available),
            "assigned" => Some(Stage::Assigned),
            "completed" => Some(Stage::Completed),
            _ => None,
        }
    }
}

/// The customer card: every field here is personal data.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Card {
    pub customer_no: Option<String>,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub birth_date: String,
    pub company: String,
    pub notes: String,
    /// Imported columns that map to no card field, by their header.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A customer as lists show it.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerRow {
    #[serde(skip)]
    pub id: i64,
    /// The public reference (never the cube id).
    #[serde(rename = "ref")]
    pub reference: String,
    pub customer_no: Option<String>,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub campaign: Option<String>,
    pub stage: Option<Stage>,
    pub seller: Option<String>,
    pub anonymized_at: Option<String>,
}

/// One customer in full, for `customer show`.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerView {
    #[serde(rename = "ref")]
    pub reference: String,
    #[serde(flatten)]
    pub card: Card,
    pub campaign: Option<String>,
    pub stage: Option<Stage>,
    pub seller: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub anonymized_at: Option<String>,
}

/// Which customers `customer list` shows.
#[derive(Debug, Default)]
pub struct CustomerFilter {
    pub campaign_id: Option<i64>,
    pub stage: Option<Stage>,
    /// `Some(true)`: only anonymized ones; `Some(false)`: none of them.
    pub anonymized: Option<bool>,
    pub limit: Option<u64>,
}

/// A customer found by reference or customer number.
#[derive(Debug, Clone)]
pub struct CustomerRef {
    pub id: i64,
    /// The public reference.
    pub reference: String,
    pub campaign_id: Option<i64>,
    pub anonymized: bool,
}

pub(super) const ROW_COLUMNS: &str = "c.id, c.ref, c.customer_no, c.name, c.email, c.phone, \
     k.name, c.stage, s.username, c.anonymized_at";
pub(super) const ROW_JOINS: &str = "customers c LEFT JOIN campaigns k ON k.id = c.campaign_id \
     LEFT JOIN sellers s ON s.id = c.seller_id";

/// The values a card is stored with, borrowed from wherever they are: a
/// [`Card`], or the fields of an imported row as they were read.
#[derive(Debug, Clone, Copy, Default)]
pub struct CardText<'a> {
    pub customer_no: Option<&'a str>,
    pub name: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
    pub address: &'a str,
    pub postal_code: &'a str,
    pub city: &'a str,
    pub birth_date: &'a str,
    pub company: &'a str,
    pub notes: &'a str,
    /// The extra fields as a JSON object.
    pub extra: &'a str,
}

impl Card {
    /// The storage form of the extra fields: a JSON object.
    pub fn extra_json(&self) -> Cow<'static, str> {
        if self.extra.is_empty() {
            return Cow::Borrowed("{}");
        }
        Cow::Owned(serde_json::Value::Object(self.extra.clone()).to_string())
    }

    /// The card's values; `extra` is what [`Card::extra_json`] gave.
    pub fn text<'a>(&'a self, extra: &'a str) -> CardText<'a> {
        CardText {
            customer_no: self.customer_no.as_deref(),
            name: &self.name,
            email: &self.email,
            phone: &self.phone,
            address: &self.address,
            postal_code: &self.postal_code,
            city: &self.city,
            birth_date: &self.birth_date,
            company: &self.company,
            notes: &self.notes,
            extra,
        }
    }
}

/// How many rows one INSERT of a [`CustomerInserter`] carries: fewer
/// statements to run is most of what makes a bulk import fast.
const ROWS_PER_INSERT: usize = 32;
/// Values bound per row; the campaign, stage and time are bound once, as ?1-?3.
const ROW_PARAMS: usize = 17;

/// The page cache of a bulk insert, in MiB (see [`Db::customer_inserter`]).
const INSERT_CACHE_MIB: i64 = 24;

/// New customers' public references: 16 hex digits (64 bits) each from the
/// operating system's random source, unique by the index on them. Made here
/// rather than by SQLite's `randomblob()`: a function call in the INSERT
/// makes SQLite keep a statement journal, a copy of every page each
/// statement changes, which was half the work of an import.
fn new_references(count: usize) -> Result<Vec<String>> {
    let mut random = vec![0u8; 8 * count];
    getrandom::fill(&mut random)
        .map_err(|e| anyhow::anyhow!("the operating system's random source failed: {e}"))?;
    Ok(random
        .chunks_exact(8)
        .map(|bytes| {
            format!(
                "{:016x}",
                u64::from_le_bytes(bytes.try_into().unwrap_or_default())
            )
        })
        .collect())
}

/// Inserts new customers many rows per statement, binding the cards' text
/// where it lies instead of copying it (see [`StaticStatement`]).
pub struct CustomerInserter<'a> {
    db: &'a Db,
    /// The statement for a full chunk, prepared when the first one comes,
    /// and the one for the last short chunk; each with how many rows it takes.
    full: Option<(usize, StaticStatement<'a>)>,
    short: Option<(usize, StaticStatement<'a>)>,
    campaign_id: Option<i64>,
    now: String,
}

impl CustomerInserter<'_> {
    /// Inserts `(cube id, card)`s; says for each whether it was inserted
    /// (false: a customer that is not anonymized has its customer number).
    pub fn insert(&mut self, customers: &[(&str, CardText)]) -> Result<Vec<bool>> {
        let mut inserted = Vec::with_capacity(customers.len());
        let references = new_references(customers.len())?;
        let keys: Vec<FindKeys> = customers
            .iter()
            .map(|(_, card)| FindKeys::of(card.name, card.email, card.phone))
            .collect();
        let mut params = Vec::with_capacity(3 + ROWS_PER_INSERT * ROW_PARAMS);
        for ((chunk, references), keys) in customers
            .chunks(ROWS_PER_INSERT)
            .zip(references.chunks(ROWS_PER_INSERT))
            .zip(keys.chunks(ROWS_PER_INSERT))
        {
            let slot = if chunk.len() == ROWS_PER_INSERT {
                &mut self.full
            } else {
                &mut self.short
            };
            let stmt = prepared(slot, &self.db.conn, chunk.len())?;
            params.clear();
            let derived = Derived { references, keys };
            chunk_params(&mut params, chunk, derived, self.campaign_id, &self.now);
            let changed = stmt.execute(&params).context("cannot insert a customer")?;
            if changed == chunk.len() {
                inserted.extend(std::iter::repeat_n(true, chunk.len()));
                continue;
            }
            // Some customer numbers were taken: which rows are in?
            for (cube_id, _) in chunk {
                inserted.push(self.db.customer_by_cube_id(cube_id)?.is_some());
            }
        }
        Ok(inserted)
    }
}

/// The statement in `slot` if it takes `rows` rows, else a new one put there.
fn prepared<'s, 'c>(
    slot: &'s mut Option<(usize, StaticStatement<'c>)>,
    conn: &'c rusqlite::Connection,
    rows: usize,
) -> Result<&'s mut StaticStatement<'c>> {
    if slot.as_ref().is_none_or(|(n, _)| *n != rows) {
        *slot = Some((rows, StaticStatement::prepare(conn, &insert_sql(rows))?));
    }
    Ok(&mut slot.as_mut().context("no INSERT statement")?.1)
}

/// The values of an [`insert_sql`] statement for `rows`.
fn chunk_params<'a>(
    params: &mut Vec<Param<'a>>,
    rows: &[(&'a str, CardText<'a>)],
    derived: Derived<'a>,
    campaign_id: Option<i64>,
    now: &'a str,
) {
    let text = |value: Option<&'a str>| value.map_or(Param::Null, Param::Text);
    params.push(campaign_id.map_or(Param::Null, Param::Int));
    params.push(text(campaign_id.map(|_| Stage::Available.as_str())));
    params.push(Param::Text(now));
    let derived = derived.references.iter().zip(derived.keys);
    for ((cube_id, card), (reference, keys)) in rows.iter().zip(derived) {
        params.extend([
            Param::Text(cube_id),
            text(card.customer_no),
            Param::Text(card.name),
            Param::Text(card.email),
            Param::Text(card.phone),
            Param::Text(card.address),
            Param::Text(card.postal_code),
            Param::Text(card.city),
            Param::Text(card.birth_date),
            Param::Text(card.company),
            Param::Text(card.notes),
            Param::Text(card.extra),
            Param::Text(reference),
            text(keys.name.as_deref()),
            text(keys.surname.as_deref()),
            text(keys.email.as_deref()),
            text(keys.phone.as_deref()),
        ]);
    }
}

/// What rows are stored with besides their cards: references and search keys.
#[derive(Clone, Copy)]
struct Derived<'a> {
    references: &'a [String],
    keys: &'a [FindKeys],
}

/// `INSERT ... VALUES (...), ...` for `rows` rows.
fn insert_sql(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|row| {
            let first = 4 + row * ROW_PARAMS;
            let own: Vec<String> = (first..first + ROW_PARAMS)
                .map(|i| format!("?{i}"))
                .collect();
            format!("({}, ?1, ?2, ?3, ?3)", own.join(", "))
        })
        .collect();
    // OR IGNORE: a row whose customer number is taken is left out, and the
    // caller finds out which (see CustomerInserter::insert). No other
    // constraint can fail for a checked card. With foreign keys off (as an
    // import runs) and no function called, it also spares SQLite the
    // statement journal, a copy of every page the statement changes.
    format!(
        "INSERT OR IGNORE INTO customers (cube_id, customer_no, name, email, phone, address, \
         postal_code, city, birth_date, company, notes, extra, ref, find_name, find_surname, \
         find_email, find_phone, campaign_id, stage, created_at, updated_at) VALUES {}",
        values.join(", ")
    )
}

fn stage_of(row: &Row, index: usize) -> rusqlite::Result<Option<Stage>> {
    Ok(row
        .get::<_, Option<String>>(index)?
        .as_deref()
        .and_then(Stage::parse))
}

pub(super) fn customer_row(r: &Row) -> rusqlite::Result<CustomerRow> {
    Ok(CustomerRow {
        id: r.get(0)?,
        reference: r.get(1)?,
        customer_no: r.get(2)?,
        name: r.get(3)?,
        email: r.get(4)?,
        phone: r.get(5)?,
        campaign: r.get(6)?,
        stage: stage_of(r, 7)?,
        seller: r.get(8)?,
        anonymized_at: r.get(9)?,
    })
}

fn customer_ref(r: &Row) -> rusqlite::Result<CustomerRef> {
    Ok(CustomerRef {
        id: r.get(0)?,
        reference: r.get(1)?,
        campaign_id: r.get(2)?,
        anonymized: r.get::<_, Option<String>>(3)?.is_some(),
    })
}

impl Db {
    /// Inserts a new customer; `campaign_id` places it there as `available`.
    /// Returns `None`, inserting nothing, when a customer that is not
    /// anonymized already has the card's customer number.
    pub fn insert_customer(
        &self,
        cube_id: &str,
        card: &Card,
        campaign_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        let extra = card.extra_json();
        let inserted = self
            .customer_inserter(campaign_id, now)
            .insert(&[(cube_id, card.text(&extra))])?;
        Ok(inserted[0].then(|| self.conn.last_insert_rowid()))
    }

    /// Inserts many new customers, all placed alike (see [`CustomerInserter`]).
    /// Their references and search keys are random or all over the alphabet,
    /// so each row adds an entry to a different page of six indexes: the
    /// page cache is made to hold them (within the 64 MB cube allows
    /// itself), or every row would read its pages again.
    pub fn customer_inserter(
        &self,
        campaign_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> CustomerInserter<'_> {
        // Only a matter of speed: an insert works with any cache size.
        let _ = self.set_cache_mib(INSERT_CACHE_MIB);
        CustomerInserter {
            db: self,
            full: None,
            short: None,
            campaign_id,
            now: super::timestamp(now),
        }
    }

    /// Overwrites the card of a customer that is not anonymized.
    pub fn update_card(&self, id: i64, card: &CardText, now: DateTime<Utc>) -> Result<()> {
        let now = super::timestamp(now);
        let keys = FindKeys::of(card.name, card.email, card.phone);
        let mut stmt = self.conn.prepare_cached(
            "UPDATE customers SET customer_no = ?2, name = ?3, email = ?4, phone = ?5, address = ?6, \
             postal_code = ?7, city = ?8, birth_date = ?9, company = ?10, notes = ?11, extra = ?12, \
             updated_at = ?13, find_name = ?14, find_surname = ?15, find_email = ?16, \
             find_phone = ?17 WHERE id = ?1 AND anonymized_at IS NULL",
        )?;
        stmt.execute(params![
            id,
            card.customer_no,
            card.name,
            card.email,
            card.phone,
            card.address,
            card.postal_code,
            card.city,
            card.birth_date,
            card.company,
            card.notes,
            card.extra,
            now,
            keys.name,
            keys.surname,
            keys.email,
            keys.phone,
        ])
        .context("cannot update a customer")?;
        Ok(())
    }

    /// The customer with this customer number, if one that is not anonymized has it.
    pub fn customer_by_number(&self, customer_no: &str) -> Result<Option<CustomerRef>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, ref, campaign_id, anonymized_at FROM customers \
             WHERE customer_no = ?1 AND anonymized_at IS NULL",
        )?;
        stmt.query_row([customer_no], customer_ref)
            .optional()
            .context("cannot look up a customer number")
    }

    /// The customer with this cube id (anonymized or not): for the import's
    /// own bookkeeping, never for an id from outside.
    pub fn customer_by_cube_id(&self, cube_id: &str) -> Result<Option<CustomerRef>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, ref, campaign_id, anonymized_at FROM customers WHERE cube_id = ?1",
        )?;
        stmt.query_row([cube_id.to_ascii_lowercase()], customer_ref)
            .optional()
            .context("cannot look up a cube id")
    }

    /// The customer with this public reference (anonymized or not).
    pub fn customer_by_ref(&self, reference: &str) -> Result<Option<CustomerRef>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, ref, campaign_id, anonymized_at FROM customers WHERE ref = ?1",
        )?;
        stmt.query_row([reference.to_ascii_lowercase()], customer_ref)
            .optional()
            .context("cannot look up a customer reference")
    }

    /// The customer named by `key`: a reference, else a customer number.
    pub fn find_customer(&self, key: &str) -> Result<Option<CustomerRef>> {
        match self.customer_by_ref(key)? {
            Some(found) => Ok(Some(found)),
            None => self.customer_by_number(key),
        }
    }

    /// Customers currently in a campaign, optionally at one stage.
    pub fn customers_in_campaign(
        &self,
        campaign_id: i64,
        stage: Option<Stage>,
    ) -> Result<Vec<CustomerRef>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, ref, campaign_id, anonymized_at FROM customers \
             WHERE campaign_id = ?1 AND (?2 IS NULL OR stage = ?2) ORDER BY id",
        )?;
        let rows = stmt
            .query_map(params![campaign_id, stage.map(Stage::as_str)], customer_ref)?
            .collect::<rusqlite::Result<_>>()
            .context("cannot list a campaign's customers")?;
        Ok(rows)
    }

    /// Puts a customer into a campaign at a stage (or out of every campaign).
    pub fn place_customer(
        &self,
        id: i64,
        campaign_id: Option<i64>,
        stage: Option<Stage>,
        seller_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let now = super::timestamp(now);
        let mut stmt = self.conn.prepare_cached(
            "UPDATE customers SET campaign_id = ?2, stage = ?3, seller_id = ?4, updated_at = ?5 \
             WHERE id = ?1 AND anonymized_at IS NULL",
        )?;
        stmt.execute(params![
            id,
            campaign_id,
            stage.map(Stage::as_str),
            seller_id,
            now
        ])
        .context("cannot move a customer")?;
        Ok(())
    }

    /// Sets only the stage of a customer in its current campaign.
    pub fn set_stage(&self, id: i64, stage: Stage, now: DateTime<Utc>) -> Result<()> {
        let now = super::timestamp(now);
        let mut stmt = self.conn.prepare_cached(
            "UPDATE customers SET stage = ?2, updated_at = ?3 WHERE id = ?1 AND campaign_id IS NOT NULL",
        )?;
        stmt.execute(params![id, stage.as_str(), now])
            .context("cannot set a customer's stage")?;
        Ok(())
    }

    /// The next `count` available customers of a campaign, oldest first.
    pub fn next_available(&self, campaign_id: i64, count: u64) -> Result<Vec<CustomerRow>> {
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM {ROW_JOINS} \
             WHERE c.campaign_id = ?1 AND c.stage = 'available' AND c.anonymized_at IS NULL \
             ORDER BY c.id LIMIT ?2"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params![campaign_id, count as i64], customer_row)?
            .collect::<rusqlite::Result<_>>()
            .context("cannot list available customers")?;
        Ok(rows)
    }

    /// Customers for `customer list`, oldest first.
    pub fn list_customers(&self, filter: &CustomerFilter) -> Result<Vec<CustomerRow>> {
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM {ROW_JOINS} \
             WHERE (?1 IS NULL OR c.campaign_id = ?1) AND (?2 IS NULL OR c.stage = ?2) \
             AND (?3 IS NULL OR (c.anonymized_at IS NOT NULL) = ?3) \
             ORDER BY c.id LIMIT ?4"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let limit = filter.limit.map_or(-1, |l| l as i64);
        let rows = stmt
            .query_map(
                params![
                    filter.campaign_id,
                    filter.stage.map(Stage::as_str),
                    filter.anonymized,
                    limit
                ],
                customer_row,
            )?
            .collect::<rusqlite::Result<_>>()
            .context("cannot list customers")?;
        Ok(rows)
    }

    /// One customer in full.
    pub fn customer_view(&self, id: i64) -> Result<CustomerView> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.ref, c.customer_no, c.name, c.email, c.phone, c.address, c.postal_code, \
             c.city, c.birth_date, c.company, c.notes, c.extra, k.name, c.stage, s.username, \
             c.created_at, c.updated_at, c.anonymized_at \
             FROM customers c LEFT JOIN campaigns k ON k.id = c.campaign_id \
             LEFT JOIN sellers s ON s.id = c.seller_id WHERE c.id = ?1",
        )?;
        stmt.query_row([id], |r| {
            let extra: String = r.get(11)?;
            Ok(CustomerView {
                reference: r.get(0)?,
                card: Card {
                    customer_no: r.get(1)?,
                    name: r.get(2)?,
                    email: r.get(3)?,
                    phone: r.get(4)?,
                    address: r.get(5)?,
                    postal_code: r.get(6)?,
                    city: r.get(7)?,
                    birth_date: r.get(8)?,
                    company: r.get(9)?,
                    notes: r.get(10)?,
                    extra: match serde_json::from_str(&extra) {
                        Ok(serde_json::Value::Object(map)) => map,
                        _ => serde_json::Map::new(),
                    },
                },
                campaign: r.get(12)?,
                stage: stage_of(r, 13)?,
                seller: r.get(14)?,
                created_at: r.get(15)?,
                updated_at: r.get(16)?,
                anonymized_at: r.get(17)?,
            })
        })
        .context("cannot read a customer")
    }
}
