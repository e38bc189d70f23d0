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
//! looked up: nobody else can have any. Each file is remembered by its
//! checksum (see [`super::duplicates`]).
//!
//! An imported outcome completes its customer: one in no campaign is placed
//! in the outcome's, as `completed`, with its seller; one in the outcome's
//! campaign becomes `completed` there; one in another campaign stays as it is.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::mpsc;

use anyhow::Result;
use chrono::{DateTime, Utc};

use super::activity::{judge_customer, Columns, CustomerKey};
use super::headers::{Field, FileKind};
use super::{bad_row_message, bad_value_message, duplicates, Input, Line, Report, Rows};
use super::{Source, Summary};
use crate::csvio::Record;
use crate::db::{
    CampaignStatus, CustomerRef, Db, OutcomeInserter, OutcomeText, Stage, Stamp, StoredOutcome, Tx,
};
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
    Values(Result<Values, String>),
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
    let sale = if columns.get(record, Field::Product).trim().is_empty() {
        None
    } else {
        let quantity = match columns.get(record, Field::Quantity).trim() {
            "" => Ok(1),
            q => validate::quantity(q),
        }
        .map_err(|what| bad(Field::Quantity, what))?;
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
            campaigns: HashMap::new(),
            sellers: tx.sellers()?.into_iter().collect(),
            given: (!allow_duplicates && tx.has_no_outcomes()?).then(HashSet::new),
            touched: HashMap::new(),
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
                progress(batch.len() as u64);
                writer.write(&batch, &mut report)?;
                let _ = give_back.send(batch);
            }
            drop(give_back);
            // The channel ends when the reader is done or failed; its error wins.
            reading
                .join()
                .map_err(|_| anyhow::anyhow!("the reading thread failed"))?
        })?;
        for (id, (_, at)) in &writer.touched {
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
    sender: mpsc::SyncSender<Vec<Parsed>>,
    written: mpsc::Receiver<Vec<Parsed>>,
) -> Result<u64> {
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    // Records of written batches, to read the next ones into.
    let mut spare: Vec<Record> = Vec::new();
    while let Some(line) = rows.next_into(spare.pop().unwrap_or_default())? {
        batch.push(match line {
            Line::Bad(record, message) => Parsed {
                record,
                checked: Checked::BadLine(message),
            },
            Line::Good(record) => Parsed {
                checked: Checked::Values(check_values(
                    &rows.header,
                    &record,
                    columns,
                    dates,
                    recordings,
                )),
                record,
            },
        });
        if batch.len() == BATCH_ROWS {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS));
            if sender.send(full).is_err() {
                return Ok(rows.blank_rows());
            }
            for done in written.try_iter() {
                spare.extend(done.into_iter().map(|parsed| parsed.record));
            }
        }
    }
    if !batch.is_empty() {
        let _ = sender.send(batch);
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
    /// Each campaign named so far: its id, or None when it is archived.
    campaigns: HashMap<String, Option<i64>>,
    /// Every seller, by username: read once, added to as rows name new ones.
    sellers: HashMap<String, i64>,
    /// The customers this import gave outcomes, when the outcomes table was
    /// empty before it and rows the same as one stored are skipped.
    given: Option<HashSet<i64>>,
    /// The latest outcome imported in each campaign: its last activity.
    touched: HashMap<i64, (Stamp, DateTime<Utc>)>,
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
    fn write(&mut self, batch: &[Parsed], report: &mut Report) -> Result<()> {
        let mut customers = Customers::find(self.tx, self.columns, batch)?;
        let mut good = Vec::with_capacity(batch.len());
        for Parsed { record, checked } in batch {
            let values = match checked {
                Checked::BadLine(message) => {
                    report.reject(record, message.clone())?;
                    continue;
                }
                Checked::Values(values) => values,
            };
            let customer = self
                .columns
                .customer_key(record)
                .and_then(|key| customers.judge(self.columns, key));
            let customer = match customer {
                Ok(customer) => customer,
                Err((column, reason)) => {
                    report.bad_row(record, column, &reason)?;
                    continue;
                }
            };
            let values = match values {
                Ok(values) => values,
                Err(message) => {
                    report.reject(record, message.clone())?;
                    continue;
                }
            };
            let Some(campaign_id) = self.campaign(record, report)? else {
                continue;
            };
            let get = |field| self.columns.get(record, field);
            let seller_id = self.seller(get(Field::Seller).trim())?;
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
            match customer.campaign_id {
                None => {
                    self.tx.place_customer(
                        customer.id,
                        Some(text.campaign_id),
                        Some(Stage::Completed),
                        Some(text.seller_id),
                        self.now,
                    )?;
                    customer.campaign_id = Some(text.campaign_id);
                }
                Some(current) if current == text.campaign_id => completed.push(customer.id),
                Some(_) => {}
            }
            match self.touched.entry(text.campaign_id) {
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
        completed.sort_unstable();
        completed.dedup();
        self.tx.complete_customers(&completed, self.now)
    }

    /// The id of the row's campaign; None, reporting the row, when it is
    /// archived or only a close name exists.
    fn campaign(&mut self, record: &Record, report: &mut Report) -> Result<Option<i64>> {
        let name = self.columns.get(record, Field::Campaign).trim();
        let column = self.columns.index(Field::Campaign);
        let id = match self.campaigns.get(name) {
            Some(&id) => id,
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
                self.campaigns.insert(name.to_string(), id);
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

    /// The id of the seller with this username, created on first use.
    fn seller(&mut self, username: &str) -> Result<i64> {
        if let Some(&id) = self.sellers.get(username) {
            return Ok(id);
        }
        let id = self.tx.seller_id(username, self.now)?;
        self.sellers.insert(username.to_string(), id);
        Ok(id)
    }
}

/// The customers the rows of a batch name, found in one search per kind of
/// key; each once, however many rows name it, so that what a row changes
/// (its campaign) the next row sees.
struct Customers<'b> {
    found: Vec<CustomerRef>,
    /// The references (lower case) and customer numbers the batch names,
    /// sorted, and the customer each found in `found`.
    refs: Vec<(String, Option<usize>)>,
    numbers: Vec<&'b str>,
    by_number: Vec<Option<usize>>,
}

impl<'b> Customers<'b> {
    fn find(tx: &Tx, columns: &Columns, batch: &'b [Parsed]) -> Result<Customers<'b>> {
        let (mut refs, mut numbers) = (Vec::new(), Vec::new());
        for Parsed { record, checked } in batch {
            if let Checked::Values(_) = checked {
                match columns.customer_key(record) {
                    Ok(CustomerKey::Ref(reference)) => refs.push(reference.to_ascii_lowercase()),
                    Ok(CustomerKey::Number(number)) => numbers.push(number),
                    Err(_) => {}
                }
            }
        }
        refs.sort_unstable();
        refs.dedup();
        numbers.sort_unstable();
        numbers.dedup();
        let mut found: Vec<CustomerRef> = Vec::new();
        let keys: Vec<&str> = refs.iter().map(String::as_str).collect();
        let by_ref = tx.customers_by_refs(&keys)?;
        let mut refs: Vec<(String, Option<usize>)> = refs.into_iter().map(|r| (r, None)).collect();
        for customer in by_ref {
            if let Ok(i) = refs.binary_search_by(|(r, _)| r.as_str().cmp(&customer.reference)) {
                refs[i].1 = Some(found.len());
                found.push(customer);
            }
        }
        let by_refs = found.len();
        let mut by_number = Vec::with_capacity(numbers.len());
        for customer in tx.customers_by_numbers(&numbers)? {
            by_number.push(customer.map(|customer| {
                // Named by reference too: one customer, whose changes both see.
                let known = found[..by_refs].iter().position(|c| c.id == customer.id);
                known.unwrap_or_else(|| {
                    found.push(customer);
                    found.len() - 1
                })
            }));
        }
        Ok(Customers {
            found,
            refs,
            numbers,
            by_number,
        })
    }

    /// The customer a row names by `key` (its index in `found`), or the bad
    /// row (column, reason).
    fn judge(&self, columns: &Columns, key: CustomerKey) -> Result<usize, (usize, String)> {
        let i = match key {
            CustomerKey::Ref(reference) => {
                let reference = reference.to_ascii_lowercase();
                self.refs
                    .binary_search_by(|(r, _)| r.as_str().cmp(&reference))
                    .ok()
                    .and_then(|i| self.refs[i].1)
            }
            CustomerKey::Number(number) => self
                .numbers
                .binary_search(&number)
                .ok()
                .and_then(|i| self.by_number[i]),
        };
        judge_customer(columns, key, i.map(|i| &self.found[i]))?;
        Ok(i.unwrap_or_default())
    }
}

/// The outcomes a row of a batch may be the same as: those stored for the
/// batch's customers, and the rows of the batch imported before it. Each
/// customer's (few) are chained, so that a batch allocates no list per
/// customer.
#[derive(Default)]
struct Seen<'a> {
    /// Each customer's latest outcome in `outcomes`.
    latest: HashMap<i64, usize>,
    outcomes: Vec<Outcome<'a>>,
}

/// An outcome seen: what makes a row the same as it.
struct Outcome<'a> {
    campaign_id: i64,
    seller_id: i64,
    registered_at: &'a str,
    label: &'a str,
    extras: Extras<'a>,
    /// The customer's outcome seen before this one.
    before: Option<usize>,
}

/// Its sales and recordings: any number when stored, at most one of each
/// for a row.
enum Extras<'a> {
    Stored(&'a StoredOutcome),
    Row {
        sale: Option<(&'a str, i64, i64)>,
        recording: Option<&'a str>,
    },
}

impl Extras<'_> {
    /// The same sale, or no sale when `sale` is None.
    fn has_sale(&self, sale: Option<(&str, i64, i64)>) -> bool {
        match (self, sale) {
            (Extras::Stored(o), None) => o.sales.is_empty(),
            (Extras::Stored(o), Some((product, quantity, price))) => o
                .sales
                .iter()
                .any(|s| s.0 == product && s.1 == quantity && s.2 == price),
            (Extras::Row { sale: own, .. }, sale) => *own == sale,
        }
    }

    /// The same recording, or none when `path` is None.
    fn has_recording(&self, path: Option<&str>) -> bool {
        match (self, path) {
            (Extras::Stored(o), None) => o.recordings.is_empty(),
            (Extras::Stored(o), Some(path)) => o.recordings.iter().any(|r| r == path),
            (Extras::Row { recording, .. }, path) => *recording == path,
        }
    }
}

impl<'a> Seen<'a> {
    fn of(stored: &'a [StoredOutcome], rows: usize) -> Seen<'a> {
        let mut seen = Seen {
            latest: HashMap::with_capacity(rows),
            outcomes: Vec::with_capacity(stored.len() + rows),
        };
        for o in stored {
            seen.push(
                o.customer_id,
                Outcome {
                    campaign_id: o.campaign_id,
                    seller_id: o.seller_id,
                    registered_at: o.registered_at.as_str(),
                    label: &o.label,
                    extras: Extras::Stored(o),
                    before: None,
                },
            );
        }
        seen
    }

    fn push(&mut self, customer_id: i64, mut outcome: Outcome<'a>) {
        outcome.before = self.latest.insert(customer_id, self.outcomes.len());
        self.outcomes.push(outcome);
    }

    /// Adds `o`; false when it is the same as an outcome seen: the same
    /// customer, campaign, seller, time and label, the same sale or none,
    /// the same recording or none.
    fn add(&mut self, o: &OutcomeText<'a>) -> bool {
        let mut next = self.latest.get(&o.customer_id).copied();
        while let Some(i) = next {
            let s = &self.outcomes[i];
            let same = s.campaign_id == o.campaign_id
                && s.seller_id == o.seller_id
                && s.registered_at == o.registered_at.as_str()
                && s.label == o.label
                && s.extras.has_sale(o.sale)
                && s.extras.has_recording(o.recording);
            if same {
                return false;
            }
            next = s.before;
        }
        self.push(
            o.customer_id,
            Outcome {
                campaign_id: o.campaign_id,
                seller_id: o.seller_id,
                registered_at: o.registered_at.as_str(),
                label: o.label,
                extras: Extras::Row {
                    sale: o.sale,
                    recording: o.recording,
                },
                before: None,
            },
        );
        true
    }
}
