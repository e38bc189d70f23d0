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

    pub(super) fn parse(text: &str) -> Option<Stage> {
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
    pub stage: Option<Stage>,
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
    /// The e-mail and phone in the forms customers are matched by
    /// ([`super::email_key`], [`super::phone_key`]).
    pub email_key: Option<&'a str>,
    pub phone_key: Option<&'a str>,
}

impl Card {
    /// The storage form of the extra fields: a JSON object.
    pub fn extra_json(&self) -> Cow<'static, str> {
        if self.extra.is_empty() {
            return Cow::Borrowed("{}");
        }
        Cow::Owned(serde_json::Value::Object(self.extra.clone()).to_string())
    }

    /// The card's values; `extra` is what [`Card::extra_json`] gave, the
    /// keys what [`super::email_key`] and [`super::phone_key`] gave.
    pub fn text<'a>(
        &'a self,
        extra: &'a str,
        email_key: Option<&'a str>,
        phone_key: Option<&'a str>,
    ) -> CardText<'a> {
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
            email_key,
            phone_key,
        }
    }
}

/// How many rows one INSERT of a [`CustomerInserter`] carries: fewer
/// statements to run is most of what makes a bulk import fast.
const ROWS_PER_INSERT: usize = 32;
/// Values bound per row; the campaign, stage and time are bound once, as ?1-?3.
/// (No SQL function is called per row: a function call makes SQLite keep a
/// statement journal, a copy of every page the INSERT changes, and with
/// random ids those are many. The reference, the match keys and the search
/// keys are bound like the other values.)
const ROW_PARAMS: usize = 18;

/// A new customer's ids: the internal cube id and the public reference (see
/// `crate::ids`).
#[derive(Debug, Clone, Copy)]
pub struct NewIds<'a> {
    pub cube_id: &'a str,
    pub reference: &'a str,
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
    /// The highest row id before the last INSERT: the rows it added are
    /// above it (SQLite gives a new row the highest id plus one).
    last_rowid: Option<i64>,
}

impl CustomerInserter<'_> {
    /// Inserts `(cube id, card)`s; says for each whether it was inserted
    /// (false: a customer that is not anonymized has its customer number).
    pub fn insert(&mut self, customers: &[(NewIds, CardText)]) -> Result<Vec<bool>> {
        let mut inserted = Vec::with_capacity(customers.len());
        let keys: Vec<FindKeys> = customers
            .iter()
            .map(|(_, card)| FindKeys::of(card.name, card.phone))
            .collect();
        let mut params = Vec::with_capacity(3 + ROWS_PER_INSERT * ROW_PARAMS);
        for (chunk, keys) in customers
            .chunks(ROWS_PER_INSERT)
            .zip(keys.chunks(ROWS_PER_INSERT))
        {
            let slot = if chunk.len() == ROWS_PER_INSERT {
                &mut self.full
            } else {
                &mut self.short
            };
            let before = match self.last_rowid {
                Some(rowid) => rowid,
                None => self.db.max_customer_rowid()?,
            };
            let stmt = prepared(slot, &self.db.conn, chunk.len())?;
            params.clear();
            chunk_params(&mut params, chunk, keys, self.campaign_id, &self.now);
            let changed = stmt.execute(&params).context("cannot insert a customer")?;
            let campaign_id = self.campaign_id;
            self.db.counted(|p| {
                p.totals().customers += changed as i64;
                if let Some(id) = campaign_id {
                    p.campaign(id).available += changed as i64;
                }
            })?;
            self.last_rowid = Some(if changed > 0 {
                self.db.conn.last_insert_rowid()
            } else {
                before
            });
            if changed == chunk.len() {
                inserted.extend(std::iter::repeat_n(true, chunk.len()));
                continue;
            }
            // Some customer numbers were taken: which rows are in? Those
            // this INSERT added, above the row id before it (no index needed).
            let added = self.db.cube_ids_above(before)?;
            for (ids, _) in chunk {
                inserted.push(added.iter().any(|id| id == ids.cube_id));
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
    rows: &[(NewIds<'a>, CardText<'a>)],
    keys: &'a [FindKeys],
    campaign_id: Option<i64>,
    now: &'a str,
) {
    let text = |value: Option<&'a str>| value.map_or(Param::Null, Param::Text);
    params.push(campaign_id.map_or(Param::Null, Param::Int));
    params.push(text(campaign_id.map(|_| Stage::Available.as_str())));
    params.push(Param::Text(now));
    for ((ids, card), keys) in rows.iter().zip(keys) {
        params.extend([
            Param::Text(ids.cube_id),
            Param::Text(ids.reference),
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
            text(card.email_key),
            text(card.phone_key),
            text(keys.name.as_deref()),
            text(keys.surname.as_deref()),
            text(keys.phone.as_deref()),
        ]);
    }
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
        "INSERT OR IGNORE INTO customers (cube_id, ref, customer_no, name, email, phone, address, \
         postal_code, city, birth_date, company, notes, extra, email_key, phone_key, find_name, \
         find_surname, find_phone, campaign_id, stage, created_at, updated_at) VALUES {}",
        values.join(", ")
    )
}

/// The stage in column `index`, read where SQLite holds it (an outcome
/// import reads one per row).
pub(super) fn stage_of(row: &Row, index: usize) -> rusqlite::Result<Option<Stage>> {
    Ok(match row.get_ref(index)? {
        rusqlite::types::ValueRef::Text(text) => {
            std::str::from_utf8(text).ok().and_then(Stage::parse)
        }
        _ => None,
    })
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

/// A [`CustomerRef`] from (id, ref, campaign_id, anonymized_at, stage).
pub(super) fn customer_ref(r: &Row) -> rusqlite::Result<CustomerRef> {
    Ok(CustomerRef {
        id: r.get(0)?,
        reference: r.get(1)?,
        campaign_id: r.get(2)?,
        anonymized: r.get::<_, Option<String>>(3)?.is_some(),
        stage: stage_of(r, 4)?,
    })
}

impl Db {
    /// Inserts a new customer; `campaign_id` places it there as `available`.
    /// Returns `None`, inserting nothing, when a customer that is not
    /// anonymized already has the card's customer number.
    pub fn insert_customer(
        &self,
        ids: NewIds,
        card: &Card,
        campaign_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        let extra = card.extra_json();
        let (email_key, phone_key) = (super::email_key(&card.email), super::phone_key(&card.phone));
        let text = card.text(&extra, email_key.as_deref(), phone_key.as_deref());
        let inserted = self
            .customer_inserter(campaign_id, now)
            .insert(&[(ids, text)])?;
        Ok(inserted[0].then(|| self.conn.last_insert_rowid()))
    }

    /// Inserts many new customers, all placed alike (see [`CustomerInserter`]).
    pub fn customer_inserter(
        &self,
        campaign_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> CustomerInserter<'_> {
        CustomerInserter {
            db: self,
            full: None,
            short: None,
            campaign_id,
            now: super::timestamp(now),
            last_rowid: None,
        }
    }

    /// Overwrites the card of a customer that is not anonymized; a card
    /// without a customer number keeps the one the customer has.
    pub fn update_card(&self, id: i64, card: &CardText, now: DateTime<Utc>) -> Result<()> {
        let now = super::timestamp(now);
        let keys = FindKeys::of(card.name, card.phone);
        let mut stmt = self.conn.prepare_cached(
            "UPDATE customers SET customer_no = coalesce(?2, customer_no), name = ?3, email = ?4, \
             phone = ?5, address = ?6, postal_code = ?7, city = ?8, birth_date = ?9, company = ?10, \
             notes = ?11, extra = ?12, updated_at = ?13, email_key = ?14, phone_key = ?15, \
             find_name = ?16, find_surname = ?17, find_phone = ?18 \
             WHERE id = ?1 AND anonymized_at IS NULL",
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
            card.email_key,
            card.phone_key,
            keys.name,
            keys.surname,
            keys.phone,
        ])
        .context("cannot update a customer")?;
        Ok(())
    }

    /// The customer with this customer number, if one that is not anonymized has it.
    pub fn customer_by_number(&self, customer_no: &str) -> Result<Option<CustomerRef>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, ref, campaign_id, anonymized_at, stage FROM customers \
             WHERE customer_no = ?1 AND anonymized_at IS NULL",
        )?;
        stmt.query_row([customer_no], customer_ref)
            .optional()
            .context("cannot look up a customer number")
    }

    /// The highest customer row id (0 when there is none).
    fn max_customer_rowid(&self) -> Result<i64> {
        self.conn
            .prepare_cached("SELECT coalesce(max(id), 0) FROM customers")?
            .query_row([], |r| r.get(0))
            .context("cannot read the customers")
    }

    /// The cube ids of the customers whose row id is above `rowid`.
    fn cube_ids_above(&self, rowid: i64) -> Result<Vec<String>> {
        self.conn
            .prepare_cached("SELECT cube_id FROM customers WHERE id > ?1")?
            .query_map([rowid], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()
            .context("cannot read the customers")
    }

    /// True when there is no customer at all: a first import.
    pub fn has_no_customers(&self) -> Result<bool> {
        self.conn
            .prepare_cached("SELECT NOT EXISTS (SELECT 1 FROM customers)")?
            .query_row([], |r| r.get(0))
            .context("cannot read the customers")
    }

    /// Drops the indexes on references and search keys, for a first import
    /// into an empty table: the keys are random (or all over the alphabet),
    /// so each row's entries would land on random pages, and once the
    /// indexes outgrow the cache every row reads and writes pages; building
    /// them once afterwards ([`Db::build_id_indexes`]) sorts them instead.
    /// (At 300,000 customers: 7.6 s with them in place.) Inside the
    /// import's transaction, so that a failed import gets them back with
    /// the rollback.
    pub fn drop_id_indexes(&self) -> Result<()> {
        self.conn
            .execute_batch(
                "DROP INDEX customers_ref; DROP INDEX customers_find_name; \
                 DROP INDEX customers_find_surname; DROP INDEX customers_find_phone;",
            )
            .context("cannot prepare the customers table for a first import")
    }

    /// Builds the indexes [`Db::drop_id_indexes`] dropped, as the
    /// migrations made them. Each is a sort, whose runs are as big as the
    /// page cache: with the small cache (it reads the table and writes the
    /// index in order, and needs no more) they take 4 MB, not the import's
    /// 24 MB beside its cache.
    pub fn build_id_indexes(&self) -> Result<()> {
        self.set_cache_mib(2)?;
        self.conn
            .execute_batch("CREATE UNIQUE INDEX customers_ref ON customers(ref);")
            .and_then(|()| self.conn.execute_batch(super::migrations::FIND_INDEXES))
            .context("cannot index the imported customers")
    }

    /// The customer with this internal id (anonymized or not).
    pub fn customer_by_id(&self, id: i64) -> Result<Option<CustomerRef>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, ref, campaign_id, anonymized_at, stage FROM customers WHERE id = ?1",
        )?;
        stmt.query_row([id], customer_ref)
            .optional()
            .context("cannot look up a customer")
    }

    /// The customer with this public reference (anonymized or not).
    pub fn customer_by_ref(&self, reference: &str) -> Result<Option<CustomerRef>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, ref, campaign_id, anonymized_at, stage FROM customers WHERE ref = ?1",
        )?;
        stmt.query_row([reference.to_ascii_lowercase()], customer_ref)
            .optional()
            .context("cannot look up a customer reference")
    }

    /// The name on the card of customer `id`, and the name of its campaign.
    pub fn card_name(&self, id: i64) -> Result<(String, Option<String>)> {
        self.conn
            .prepare_cached(
                "SELECT c.name, k.name FROM customers c LEFT JOIN campaigns k ON k.id = c.campaign_id \
                 WHERE c.id = ?1",
            )?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .context("cannot read a customer")
    }

    /// The other customers, not anonymized, with the e-mail address or the
    /// phone number of customer `id` (as imports match them): the same
    /// person on another card, more often than not. Their references.
    pub fn same_contact_as(&self, id: i64) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT o.ref FROM customers o, customers c WHERE c.id = ?1 AND o.id <> c.id \
             AND o.anonymized_at IS NULL AND (o.email_key = c.email_key OR o.phone_key = c.phone_key) \
             ORDER BY o.ref",
        )?;
        let refs = stmt
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()
            .context("cannot look up customers")?;
        Ok(refs)
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
            "SELECT id, ref, campaign_id, anonymized_at, stage FROM customers \
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
        let Some(from) = self.placement(id)? else {
            return Ok(());
        };
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
        self.counted(|p| p.moved(from, campaign_id.zip(stage)))
    }

    /// Sets only the stage of a customer in its current campaign.
    /// `customer` is the customer as read in this transaction: where it is
    /// still there, the kept counts move it from that stage without reading
    /// it again (per row of an outcome import, that read was a twentieth of
    /// the import); otherwise it is read again.
    pub fn set_stage(
        &self,
        customer: &CustomerRef,
        stage: Stage,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let now = super::timestamp(now);
        if let (Some(campaign), Some(from)) = (customer.campaign_id, customer.stage) {
            let as_read = self
                .conn
                .prepare_cached(
                    "UPDATE customers SET stage = ?2, updated_at = ?3 WHERE id = ?1 \
                     AND campaign_id = ?4 AND stage = ?5 AND anonymized_at IS NULL",
                )?
                .execute(params![
                    customer.id,
                    stage.as_str(),
                    now,
                    campaign,
                    from.as_str()
                ])
                .context("cannot set a customer's stage")?;
            if as_read == 1 {
                return self.counted(|p| p.moved(Some((campaign, from)), Some((campaign, stage))));
            }
        }
        // An anonymized customer is counted apart from the stages.
        let from = self.placement(customer.id)?.flatten();
        self.conn
            .prepare_cached(
                "UPDATE customers SET stage = ?2, updated_at = ?3 WHERE id = ?1 AND campaign_id IS NOT NULL",
            )?
            .execute(params![customer.id, stage.as_str(), now])
            .context("cannot set a customer's stage")?;
        if let Some((campaign, _)) = from {
            self.counted(|p| p.moved(from, Some((campaign, stage))))?;
        }
        Ok(())
    }

    /// The campaign and stage of a customer who is not anonymized, for the
    /// kept counts: `None` when there is no such customer, `Some(None)` when
    /// the customer is in no campaign.
    fn placement(&self, id: i64) -> Result<Option<Option<(i64, Stage)>>> {
        let found: Option<(Option<i64>, Option<Stage>)> = self
            .conn
            .prepare_cached(
                "SELECT campaign_id, stage FROM customers WHERE id = ?1 AND anonymized_at IS NULL",
            )?
            .query_row([id], |r| Ok((r.get(0)?, stage_of(r, 1)?)))
            .optional()
            .context("cannot look up a customer")?;
        Ok(found.map(|(campaign, stage)| campaign.zip(stage)))
    }

    /// [`Db::set_stage`] to `completed` for many customers at once: each
    /// with its campaign and stage as the caller read them in this
    /// transaction (or set them since), which the kept counts move them from.
    pub fn complete_customers(
        &self,
        customers: &[(i64, i64, Stage)],
        now: DateTime<Utc>,
    ) -> Result<()> {
        if customers.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = customers.iter().map(|&(id, _, _)| id).collect();
        // OR IGNORE (no constraint can fail for the new stage) spares SQLite
        // the statement journal of a statement that changes many rows.
        self.conn
            .prepare_cached(
                "UPDATE OR IGNORE customers SET stage = 'completed', updated_at = ?2 \
                 WHERE id IN (SELECT value FROM json_each(?1)) AND campaign_id IS NOT NULL",
            )?
            .execute(params![serde_json::to_string(&ids)?, super::timestamp(now)])
            .context("cannot set the customers' stage")?;
        self.counted(|p| {
            for &(_, campaign, from) in customers {
                p.moved(Some((campaign, from)), Some((campaign, Stage::Completed)));
            }
        })
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
