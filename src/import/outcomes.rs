//! The import of outcomes: rows about customers already in the database,
//! each with an optional sale and call recording.
//!
//! Outcome files are as large as customer files (a campaign's every call),
//! so this import runs like [`super::customers`]: one thread reads each row
//! and checks its own values (time, quantity, price, recording path), and
//! this one judges and writes the rows a batch at a time, with one search
//! for what a batch needs rather than a query per row:
//!
//! - the customers a batch names, by reference or customer number, in one
//!   search each; the sellers are read once, and each campaign the file names
//!   is looked up once;
//! - the outcomes stored for the batch's customers, in one search, which tell
//!   the rows already there (below);
//! - the new outcomes, sales and recordings, many rows per INSERT
//!   ([`crate::db::OutcomeInserter`]), and the customers' new stage, many per
//!   UPDATE; the campaigns' last activity once, at the end.
//!
//! Each row is judged as the row-by-row import judged it, in the same
//! order, so that its error is the same: its customer (missing or anonymized
//! is a bad row, and an anonymized customer is named by its reference
//! alone), then its own values, then its campaign (created if missing,
//! unless a close name exists; archived is a bad row, whoever the customer:
//! no import places anyone in a campaign that is done with and may be
//! anonymized). A seller is created for a row that gets that far.
//!
//! A row the same as one stored is skipped, so that a file imported twice
//! doubles no sales: an outcome with the same customer, campaign, seller,
//! time and label, and the same sale (product, quantity, price) and call
//! recording, or none (two calls the same day are two recordings; the
//! comment does not count, so an edited one is no new outcome). Rows of the
//! file before it count as stored: a batch is written before the next one is
//! judged, and inside a batch each row is compared with those before it.
//! `--allow-duplicates` imports them all the same. Into an outcomes table
//! that was empty, only the customers this import has given outcomes are
//! looked up: nobody else can have any. (They are remembered in a filter of
//! fixed size, 2 MiB, that may take another customer for one of them: that
//! costs a search, never a wrong answer.) Each file is remembered by its
//! checksum (see [`super::duplicates`]).
//!
//! An imported outcome completes its customer: one in no campaign is placed
//! in the outcome's, as `completed`, with its seller; one in the outcome's
//! campaign becomes `completed` there; one in another campaign stays as it is.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::path::Path;
use std::sync::mpsc;

use anyhow::Result;
use chrono::{DateTime, Utc};

use super::activity::{judge_customer, Columns, CustomerKey};
use super::duplicates::{self, Given, IdMap, Seen};
use super::headers::{Field, FileKind};
use super::{bad_row_message, bad_value_message, Input, Line, Report, Rows};
use super::{Source, Summary};
use crate::csvio::Record;
use crate::db::{CampaignStatus, CustomerRef, Db, OutcomeInserter, OutcomeText, Stage, Stamp, Tx};
use crate::flow::{import_campaign, Named};
use crate::recordings::{self, Claim};
use crate::validate::{self, Dates};

/// The columns an outcomes file must have, besides its customer's.
pub(super) const OUTCOME_FIELDS: &[Field] =
    &[Field::Campaign, Field::Seller, Field::Date, Field::Outcome];

/// How many rows the reading thread hands over at a time, and how many such
/// batches may wait: each batch costs the writer a few searches, so not too
/// few rows; little memory all the same.
const BATCH_ROWS: usize = 1024;
const BATCHES_IN_FLIGHT: usize = 4;

/// A row as the reading thread hands it over.
struct Parsed {
    record: Record,
    checked: Checked,
}

enum Checked {
    /// The record itself is bad (its field count): reported whoever its
    /// customer is.
    BadLine(String),
    /// Its own values, or why one is bad: reported once its customer is
    /// found.
    Values(Result<Row, String>),
}

/// A row's values, and its campaign and seller by their number in the
/// order the file first names them (see [`Names`]).
struct Row {
    values: Values,
    campaign: usize,
    seller: usize,
}

/// A batch as the reading thread hands it over: its rows, and the customers
/// they name.
struct Batch {
    rows: Vec<Parsed>,
    keys: Keys,
}

/// The customers a batch names, as the reading thread gathers them: each
/// reference (in lower case) and customer number once, sorted, for one
/// search of each kind, and which of them each row names.
#[derive(Default)]
struct Keys {
    refs: Vec<String>,
    numbers: Vec<String>,
    /// For each row, the key it names; None for a bad line or a row that
    /// names none (the writing thread says why).
    rows: Vec<Option<Key>>,
}

#[derive(Clone, Copy)]
enum Key {
    Ref(usize),
    Number(usize),
}

impl Keys {
    fn of(columns: &Columns, batch: &[Parsed]) -> Keys {
        let (mut refs, mut numbers) = (Vec::new(), Vec::new());
        for (row, Parsed { record, checked }) in batch.iter().enumerate() {
            if let Checked::Values(_) = checked {
                match columns.customer_key(record) {
                    Ok(CustomerKey::Ref(reference)) => {
                        refs.push((reference.to_ascii_lowercase(), row));
                    }
                    Ok(CustomerKey::Number(number)) => numbers.push((number, row)),
                    Err(_) => {}
                }
            }
        }
        refs.sort_unstable();
        numbers.sort_unstable();
        let mut keys = Keys {
            rows: vec![None; batch.len()],
            ..Keys::default()
        };
        for (reference, row) in refs {
            if keys.refs.last() != Some(&reference) {
                keys.refs.push(reference);
            }
            keys.rows[row] = Some(Key::Ref(keys.refs.len() - 1));
        }
        for (number, row) in numbers {
            if keys.numbers.last().map(String::as_str) != Some(number) {
                keys.numbers.push(number.to_string());
            }
            keys.rows[row] = Some(Key::Number(keys.numbers.len() - 1));
        }
        keys
    }
}

/// The names a file gives campaigns or sellers, numbered in the order it
/// first gives them: the reading thread numbers each row's, so that the
/// writing one finds what a name is by its number (and, when it must look
/// it up, takes the name from the row).
#[derive(Default)]
struct Names(HashMap<String, usize>);

impl Names {
    fn number(&mut self, name: &str) -> usize {
        if let Some(&n) = self.0.get(name) {
            return n;
        }
        let n = self.0.len();
        self.0.insert(name.to_string(), n);
        n
    }
}

/// What checking a row's own values found, beyond its fields as they were
/// read (campaign, seller, label, comment and product are those, trimmed).
pub(super) struct Values {
    at: DateTime<Utc>,
    stamp: Stamp,
    /// The sale's quantity and unit price (minor units), when the row has a
    /// product.
    sale: Option<(i64, i64)>,
    /// The recording's path as stored.
    recording: Option<String>,
}

/// Checks the values of one row of an outcomes file that do not depend on
/// the database; the error is the row's message.
pub(super) fn check_values(
    header: &[String],
    record: &Record,
    columns: &Columns,
    dates: &Dates,
    recordings: &Path,
) -> Result<Values, String> {
    for key in [Field::Campaign, Field::Seller, Field::Outcome] {
        if columns.get(record, key).trim().is_empty() {
            return Err(bad_row_message(
                header,
                record,
                columns.index(key),
                "is empty",
            ));
        }
    }
    let bad =
        |field: Field, what: &str| bad_value_message(header, record, columns.index(field), what);
    let at = dates
        .date_time(columns.get(record, Field::Date))
        .map_err(|what| bad(Field::Date, &what))?;
    let product = columns.get(record, Field::Product).trim();
    let sale = if product.is_empty() {
        // A quantity or a price without a product would be a sale lost.
        for field in [Field::Quantity, Field::UnitPrice] {
            if !columns.get(record, field).trim().is_empty() {
                let reason = format!(
                    "has a {} but no product: a sale needs both",
                    field.name().replace('_', " ")
                );
                let column = columns
                    .column(Field::Product)
                    .unwrap_or(columns.index(field));
                return Err(bad_row_message(header, record, column, &reason));
            }
        }
        None
    } else {
        let quantity = match columns.get(record, Field::Quantity).trim() {
            "" => Ok(1),
            q => validate::quantity(q),
        }
        .map_err(|what| bad(Field::Quantity, what))?;
        if columns.column(Field::UnitPrice).is_none() {
            let reason = format!(
                "{product:?} is sold, but the file has no unit_price column: a sale needs its price"
            );
            return Err(bad_row_message(
                header,
                record,
                columns.index(Field::Product),
                &reason,
            ));
        }
        let price = validate::money(columns.get(record, Field::UnitPrice))
            .map_err(|what| bad(Field::UnitPrice, what))?;
        Some((quantity, price))
    };
    let recording = match columns.get(record, Field::Recording).trim() {
        "" => None,
        path => {
            Some(recordings::check(recordings, path).map_err(|what| bad(Field::Recording, &what))?)
        }
    };
    Ok(Values {
        stamp: Stamp::of(at),
        at,
        sale,
        recording,
    })
}

pub(super) fn import(
    db: &Db,
    source: &Source,
    recordings: &Path,
    allow_duplicates: bool,
    now: DateTime<Utc>,
    progress: &dyn Fn(u64),
) -> Result<Summary> {
    let (mut input, checksum) = Input::open_summed(source)?;
    input.describe(FileKind::Outcomes, source.dry_run);
    let columns = Columns::find(FileKind::Outcomes, input.header());
    columns.require_customer(input.header())?;
    columns.require(OUTCOME_FIELDS, input.header())?;
    let Input {
        rows,
        mut report,
        mapping,
        dates,
    } = input;
    let tx = db.begin()?;
    let (mut summary, claim, blank) = {
        let mut writer = Writer {
            tx: &tx,
            columns: &columns,
            recordings,
            new_campaign: source.new_campaign,
            allow_duplicates,
            now,
            inserter: tx.outcome_inserter(now),
            campaigns: Vec::new(),
            sellers: Vec::new(),
            known_sellers: tx.sellers()?.into_iter().collect(),
            given: (!allow_duplicates && tx.has_no_outcomes()?).then(Given::new),
            activity: IdMap::default(),
            claim: None,
            summary: Summary::default(),
        };
        let blank = std::thread::scope(|scope| -> Result<u64> {
            let (sender, batches) = mpsc::sync_channel(BATCHES_IN_FLIGHT);
            // Written batches go back to the reading thread, which reads new
            // records into their memory and frees the rest.
            let (give_back, written) = mpsc::channel();
            let (columns, dates) = (&columns, &dates);
            let reading =
                scope.spawn(move || read_rows(rows, columns, dates, recordings, sender, written));
            for batch in batches {
                progress(batch.rows.len() as u64);
                writer.write(&batch, &mut report)?;
                let _ = give_back.send(batch);
            }
            drop(give_back);
            // The channel ends when the reader is done or failed; its error wins.
            reading
                .join()
                .map_err(|_| anyhow::anyhow!("the reading thread failed"))?
        })?;
        for (id, (_, at)) in &writer.activity {
            tx.touch_campaign(*id, *at)?;
        }
        (writer.summary, writer.claim, blank)
    };
    let rows = summary.imported + summary.skipped + report.error_count;
    summary.imported_before = duplicates::remember(&tx, "outcomes", &checksum, rows, now)?;
    summary.blank = blank;
    summary.mapping = mapping;
    let summary = report.finish(tx, source.dry_run, summary)?;
    if let Some(claim) = claim.filter(|_| !source.dry_run) {
        claim.write(db, recordings)?;
    }
    Ok(summary)
}

/// The reading thread: records to checked rows, in batches. Stops early,
/// without an error, when the writer has stopped listening. Returns how
/// many blank rows it passed over.
fn read_rows(
    mut rows: Rows,
    columns: &Columns,
    dates: &Dates,
    recordings: &Path,
    sender: mpsc::SyncSender<Batch>,
    written: mpsc::Receiver<Batch>,
) -> Result<u64> {
    let (mut campaigns, mut sellers) = (Names::default(), Names::default());
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    // Records of written batches, to read the next ones into.
    let mut spare: Vec<Record> = Vec::new();
    while let Some(line) = rows.next_into(spare.pop().unwrap_or_default())? {
        let parsed = match line {
            Line::Bad(record, message) => Parsed {
                record,
                checked: Checked::BadLine(message),
            },
            Line::Good(record) => {
                let values = check_values(&rows.header, &record, columns, dates, recordings);
                let named = values.map(|values| {
                    let name = |field| columns.get(&record, field).trim();
                    Row {
                        values,
                        campaign: campaigns.number(name(Field::Campaign)),
                        seller: sellers.number(name(Field::Seller)),
                    }
                });
                Parsed {
                    checked: Checked::Values(named),
                    record,
                }
            }
        };
        batch.push(parsed);
        if batch.len() == BATCH_ROWS {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS));
            let keys = Keys::of(columns, &full);
            if sender.send(Batch { rows: full, keys }).is_err() {
                return Ok(rows.blank_rows());
            }
            for done in written.try_iter() {
                spare.extend(done.rows.into_iter().map(|parsed| parsed.record));
            }
        }
    }
    if !batch.is_empty() {
        let keys = Keys::of(columns, &batch);
        let _ = sender.send(Batch { rows: batch, keys });
    }
    drop(sender);
    written.iter().for_each(drop);
    Ok(rows.blank_rows())
}

/// The writing half: what it has found and made so far.
struct Writer<'a> {
    tx: &'a Tx<'a>,
    columns: &'a Columns,
    recordings: &'a Path,
    new_campaign: bool,
    allow_duplicates: bool,
    now: DateTime<Utc>,
    inserter: OutcomeInserter<'a>,
    /// The campaigns the file names, by their number (see [`Names`]), once
    /// a row got as far as its campaign: its id, or None when it is archived.
    campaigns: Vec<Option<Option<i64>>>,
    /// The sellers the file names, by their number, once a row got as far
    /// as its seller.
    sellers: Vec<Option<i64>>,
    /// Every seller there was, by username, read once.
    known_sellers: HashMap<String, i64>,
    /// The customers this import gave outcomes, when the outcomes table was
    /// empty before it and rows the same as one stored are skipped.
    given: Option<Given>,
    /// The latest outcome imported in each campaign: its last activity.
    activity: IdMap<(Stamp, DateTime<Utc>)>,
    /// What makes the recordings folder the database's own, judged at the
    /// first recording and written once the import is committed.
    claim: Option<Claim>,
    summary: Summary,
}

/// A row whose customer, values, campaign and seller are good: imported
/// unless it is the same as an outcome there.
struct Good<'b> {
    text: OutcomeText<'b>,
    at: DateTime<Utc>,
    /// Its customer, in [`Customers::found`].
    customer: usize,
}

impl Writer<'_> {
    /// Judges and writes one batch; bad rows go to `report`, in order.
    fn write(&mut self, batch: &Batch, report: &mut Report) -> Result<()> {
        let mut customers = Customers::find(self.tx, &batch.keys)?;
        let mut good = Vec::with_capacity(batch.rows.len());
        for (Parsed { record, checked }, key) in batch.rows.iter().zip(&batch.keys.rows) {
            let named = match checked {
                Checked::BadLine(message) => {
                    report.reject(record, message.clone())?;
                    continue;
                }
                Checked::Values(named) => named,
            };
            let customer = match key.and_then(|key| customers.of(key)) {
                Some(customer) if !customers.found[customer].anonymized => customer,
                found => {
                    let found = found.map(|customer| &customers.found[customer]);
                    let judged = (self.columns.customer_key(record))
                        .and_then(|key| judge_customer(self.columns, key, found));
                    let Err((column, reason)) = judged else {
                        anyhow::bail!("line {}: its customer was not looked up", record.line);
                    };
                    report.bad_row(record, column, &reason)?;
                    continue;
                }
            };
            let Row {
                values,
                campaign,
                seller,
            } = match named {
                Ok(named) => named,
                Err(message) => {
                    report.reject(record, message.clone())?;
                    continue;
                }
            };
            let Some(campaign_id) = self.campaign(*campaign, record, report)? else {
                continue;
            };
            let seller_id = self.seller(*seller, record)?;
            let get = |field| self.columns.get(record, field);
            good.push(Good {
                text: OutcomeText {
                    customer_id: customers.found[customer].id,
                    campaign_id,
                    seller_id,
                    registered_at: &values.stamp,
                    label: get(Field::Outcome).trim(),
                    comment: get(Field::Comment),
                    sale: values
                        .sale
                        .map(|(quantity, price)| (get(Field::Product).trim(), quantity, price)),
                    recording: values.recording.as_deref(),
                },
                at: values.at,
                customer,
            });
        }
        let stored = if self.allow_duplicates {
            Vec::new()
        } else {
            // Into a table that was empty, only this import has written
            // outcomes: only its customers can have any.
            let mut ids: Vec<i64> = (good.iter())
                .map(|g| g.text.customer_id)
                .filter(|id| self.given.as_ref().is_none_or(|given| given.contains(id)))
                .collect();
            ids.sort_unstable();
            ids.dedup();
            self.tx.stored_outcomes(&ids)?
        };
        let mut seen = Seen::of(&stored, good.len());
        let mut new = Vec::with_capacity(good.len());
        let mut completed = Vec::new();
        for Good { text, at, customer } in good {
            if !self.allow_duplicates && !seen.add(&text) {
                self.summary.skipped += 1;
                continue;
            }
            if let Some(given) = &mut self.given {
                given.insert(text.customer_id);
            }
            if text.recording.is_some() && self.claim.is_none() {
                self.claim = Some(recordings::claim(self.tx, self.recordings)?);
            }
            let customer = &mut customers.found[customer];
            match (customer.campaign_id, customer.stage) {
                (None, _) => {
                    self.tx.place_customer(
                        customer.id,
                        Some(text.campaign_id),
                        Some(Stage::Completed),
                        Some(text.seller_id),
                        self.now,
                    )?;
                    customer.campaign_id = Some(text.campaign_id);
                    customer.stage = Some(Stage::Completed);
                }
                // Completed by the first of its rows: what a later row sees.
                (Some(current), Some(from)) if current == text.campaign_id => {
                    completed.push((customer.id, current, from));
                    customer.stage = Some(Stage::Completed);
                }
                _ => {}
            }
            match self.activity.entry(text.campaign_id) {
                // Compared as stored, as SQLite's max() compares them.
                Entry::Occupied(mut latest)
                    if latest.get().0.as_str() < text.registered_at.as_str() =>
                {
                    latest.insert((text.registered_at.clone(), at));
                }
                Entry::Occupied(_) => {}
                Entry::Vacant(slot) => {
                    slot.insert((text.registered_at.clone(), at));
                }
            }
            self.summary.imported += 1;
            new.push(text);
        }
        self.inserter.insert(&new)?;
        self.tx.complete_customers(&completed, self.now)
    }

    /// The id of campaign `number`, named by `record`; None, reporting the
    /// row, when it is archived or only a close name exists (which is asked
    /// again for each row: a campaign made meanwhile may be closer).
    fn campaign(
        &mut self,
        number: usize,
        record: &Record,
        report: &mut Report,
    ) -> Result<Option<i64>> {
        if self.campaigns.len() <= number {
            self.campaigns.resize(number + 1, None);
        }
        let name = self.columns.get(record, Field::Campaign).trim();
        let column = self.columns.index(Field::Campaign);
        let id = match self.campaigns[number] {
            Some(id) => id,
            None => {
                let id = match import_campaign(self.tx, name, self.new_campaign, self.now)? {
                    Named::Found(c) if c.status == CampaignStatus::Archived => None,
                    Named::Found(c) | Named::Created(c) => Some(c.id),
                    Named::Close(close) => {
                        let close: Vec<&str> = close.iter().map(String::as_str).collect();
                        report.bad_row(
                            record,
                            column,
                            &format!(
                                "no campaign is named {name:?}; {} (--new-campaign makes a new one all the same)",
                                crate::names::did_you_mean(&close)
                            ),
                        )?;
                        return Ok(None);
                    }
                };
                self.campaigns[number] = Some(id);
                id
            }
        };
        // An archived campaign is done with: its customers may have been
        // anonymized, and one placed in it now would never be.
        if id.is_none() {
            report.bad_row(
                record,
                column,
                &format!("campaign {name:?} is archived: no outcome can be registered in it"),
            )?;
        }
        Ok(id)
    }

    /// The id of seller `number`, named by `record`; created on first use.
    fn seller(&mut self, number: usize, record: &Record) -> Result<i64> {
        if self.sellers.len() <= number {
            self.sellers.resize(number + 1, None);
        }
        if let Some(id) = self.sellers[number] {
            return Ok(id);
        }
        let username = self.columns.get(record, Field::Seller).trim();
        let id = match self.known_sellers.get(username) {
            Some(&id) => id,
            None => self.tx.seller_id(username, self.now)?,
        };
        self.sellers[number] = Some(id);
        Ok(id)
    }
}

/// The customers the rows of a batch name, found in one search per kind of
/// key; each once, however many rows name it, so that what a row changes
/// (its campaign) the next row sees.
struct Customers {
    found: Vec<CustomerRef>,
    /// The customer in `found` of each of the batch's references and
    /// customer numbers ([`Keys`]), if any.
    by_ref: Vec<Option<usize>>,
    by_number: Vec<Option<usize>>,
}

impl Customers {
    fn find(tx: &Tx, keys: &Keys) -> Result<Customers> {
        let mut customers = Customers {
            found: Vec::new(),
            by_ref: vec![None; keys.refs.len()],
            by_number: Vec::with_capacity(keys.numbers.len()),
        };
        let refs: Vec<&str> = keys.refs.iter().map(String::as_str).collect();
        for customer in tx.customers_by_refs(&refs)? {
            if let Ok(i) = refs.binary_search(&customer.reference.as_str()) {
                customers.by_ref[i] = Some(customers.found.len());
                customers.found.push(customer);
            }
        }
        let from_refs = customers.found.len();
        let numbers: Vec<&str> = keys.numbers.iter().map(String::as_str).collect();
        for customer in tx.customers_by_numbers(&numbers)? {
            let found = &mut customers.found;
            customers.by_number.push(customer.map(|customer| {
                // Named by reference too: one customer, whose changes both see.
                let known = found[..from_refs].iter().position(|c| c.id == customer.id);
                known.unwrap_or_else(|| {
                    found.push(CustomerRef {
                        id: customer.id,
                        campaign_id: customer.campaign_id,
                        stage: customer.stage,
                        // Only an anonymized customer is named by its
                        // reference, and this one is not.
                        reference: String::new(),
                        anonymized: false,
                    });
                    found.len() - 1
                })
            }));
        }
        Ok(customers)
    }

    /// The customer `key` names, in `found`.
    fn of(&self, key: Key) -> Option<usize> {
        match key {
            Key::Ref(i) => self.by_ref[i],
            Key::Number(i) => self.by_number[i],
        }
    }
}
