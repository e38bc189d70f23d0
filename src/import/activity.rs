//! Importing outcomes and history: rows about customers that are already
//! in the database, found by customer number or cube id.
//!
//! Each row is looked up and written on one thread; these files are small
//! next to customer files. A row about a customer that is missing or
//! anonymized is a bad row: import never matches anonymized customers. So is
//! an outcome in an archived campaign, whoever its customer: no import places
//! anyone in a campaign that is done with (and may be anonymized).
//!
//! A row the same as one stored is skipped, so that a file imported twice
//! doubles no sales: an outcome with the same customer, campaign, seller,
//! time and label, and the same sale (product, quantity, price) and call
//! recording, or none (two calls the same day are two recordings; the
//! comment does not count, so an edited one is no new outcome); a history
//! entry with the same customer, time, kind and text. Rows of the
//! file before it count as stored. `--allow-duplicates` imports them all the
//! same. Each file is remembered by its checksum (see [`super::duplicates`]).

use std::collections::HashMap;
use std::path::Path;

use anyhow::Result;
use chrono::{DateTime, Utc};

use super::duplicates;
use super::headers::{Field, FileKind};
use super::{Input, Source, Summary};
use crate::csvio::Record;
use crate::db::{CampaignStatus, CustomerRef, Db, NewHistory, NewOutcome, NewSale, Stage, Tx};
use crate::flow::{import_campaign, Named};
use crate::recordings;
use crate::{validate, Failure};

/// Where each field of an outcomes or history file is: the first column
/// whose header names it (a second one is ignored).
#[derive(Debug, Default)]
pub(super) struct Columns(HashMap<Field, usize>);

/// The columns an outcomes file must have, besides its customer's.
pub(super) const OUTCOME_FIELDS: &[Field] =
    &[Field::Campaign, Field::Seller, Field::Date, Field::Outcome];

impl Columns {
    pub(super) fn find(kind: FileKind, header: &[String]) -> Columns {
        let mut columns = HashMap::new();
        for (i, field) in kind
            .columns(header, &HashMap::new())
            .into_iter()
            .enumerate()
        {
            if let Some(field) = field {
                columns.entry(field).or_insert(i);
            }
        }
        Columns(columns)
    }

    pub(super) fn require(&self, fields: &[Field], header: &[String]) -> Result<()> {
        let missing: Vec<&str> = fields
            .iter()
            .filter(|f| !self.0.contains_key(f))
            .map(|f| f.name())
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(
            Failure::bad_input(format!("the file has no column for {}", missing.join(", ")))
                .hint(format!("the header has: {}", header.join(", ")))
                .into(),
        )
    }

    /// Requires a column that names the row's customer: its customer number
    /// or its cube id.
    fn require_customer(&self, header: &[String]) -> Result<()> {
        if self.0.contains_key(&Field::Ref) {
            return Ok(());
        }
        self.require(&[Field::CustomerNo], header)
    }

    fn get<'r>(&self, record: &'r Record, field: Field) -> &'r str {
        self.0.get(&field).map_or("", |&i| record.field(i))
    }

    fn index(&self, field: Field) -> usize {
        self.0.get(&field).copied().unwrap_or(0)
    }
}

/// Finds the customer a row of an outcomes or history file is about; reports
/// the row when there is none or it is anonymized.
fn row_customer(
    input: &mut Input,
    record: &Record,
    columns: &Columns,
    tx: &Tx,
) -> Result<Option<CustomerRef>> {
    let reference = columns.get(record, Field::Ref).trim();
    let number = columns.get(record, Field::CustomerNo).trim();
    let (found, column, key) = if !reference.is_empty() {
        (
            tx.customer_by_ref(reference)?,
            columns.index(Field::Ref),
            format!("the reference {reference:?}"),
        )
    } else if !number.is_empty() {
        (
            tx.customer_by_number(number)?,
            columns.index(Field::CustomerNo),
            format!("the customer number {number:?}"),
        )
    } else {
        let column = columns
            .index(Field::CustomerNo)
            .min(columns.index(Field::Ref));
        input.bad_row(record, column, "no customer number or reference")?;
        return Ok(None);
    };
    match found {
        None => {
            input.bad_row(record, column, &format!("no customer has {key}"))?;
            Ok(None)
        }
        Some(c) if c.anonymized => {
            // The reference is no personal data; nothing else of the customer is shown.
            input.bad_row(
                record,
                column,
                &format!("customer {} is anonymized", c.reference),
            )?;
            Ok(None)
        }
        Some(c) => Ok(Some(c)),
    }
}

pub(super) fn outcomes(
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
    let tx = db.begin()?;
    let mut summary = Summary::default();
    // Each campaign named so far: its id, or None when it is archived.
    let mut campaigns: HashMap<String, Option<i64>> = HashMap::new();
    // What makes the recordings folder the database's own, judged at the
    // first recording and written once the import is committed.
    let mut claim = None;
    while let Some(record) = input.next()? {
        progress(1);
        let Some(customer) = row_customer(&mut input, &record, &columns, &tx)? else {
            continue;
        };
        let Some(outcome) = read_outcome(&mut input, &record, &columns, recordings)? else {
            continue;
        };
        let campaign_id = match campaigns.get(outcome.campaign) {
            Some(&id) => id,
            None => {
                let id = match import_campaign(&tx, outcome.campaign, source.new_campaign, now)? {
                    Named::Found(c) if c.status == CampaignStatus::Archived => None,
                    Named::Found(c) | Named::Created(c) => Some(c.id),
                    Named::Close(close) => {
                        let close: Vec<&str> = close.iter().map(String::as_str).collect();
                        input.bad_row(
                            &record,
                            columns.index(Field::Campaign),
                            &format!(
                                "no campaign is named {:?}; {} (--new-campaign makes a new one all the same)",
                                outcome.campaign,
                                crate::names::did_you_mean(&close)
                            ),
                        )?;
                        continue;
                    }
                };
                campaigns.insert(outcome.campaign.to_string(), id);
                id
            }
        };
        // An archived campaign is done with: its customers may have been
        // anonymized, and one placed in it now would never be.
        let Some(campaign_id) = campaign_id else {
            input.bad_row(
                &record,
                columns.index(Field::Campaign),
                &format!(
                    "campaign {:?} is archived: no outcome can be registered in it",
                    outcome.campaign
                ),
            )?;
            continue;
        };
        let seller_id = tx.seller_id(outcome.seller, now)?;
        let at = outcome.at;
        let new = NewOutcome {
            customer_id: customer.id,
            campaign_id,
            seller_id,
            registered_at: at,
            label: outcome.label,
            comment: outcome.comment,
        };
        let recording = outcome.recording.as_deref();
        if !allow_duplicates && tx.outcome_exists(&new, outcome.sale, recording)? {
            summary.skipped += 1;
            continue;
        }
        let outcome_id = tx.insert_outcome(&new)?;
        if let Some((product, quantity, unit_price)) = outcome.sale {
            tx.insert_sale(&NewSale {
                outcome_id: Some(outcome_id),
                customer_id: customer.id,
                campaign_id: Some(campaign_id),
                seller_id,
                sold_at: at,
                product,
                quantity,
                unit_price,
            })?;
        }
        if let Some(path) = &outcome.recording {
            if claim.is_none() {
                claim = Some(recordings::claim(&tx, recordings)?);
            }
            tx.insert_recording(customer.id, Some(outcome_id), path, now)?;
        }
        match customer.campaign_id {
            None => tx.place_customer(
                customer.id,
                Some(campaign_id),
                Some(Stage::Completed),
                Some(seller_id),
                now,
            )?,
            Some(current) if current == campaign_id => {
                tx.set_stage(&customer, Stage::Completed, now)?
            }
            Some(_) => {}
        }
        tx.touch_campaign(campaign_id, at)?;
        summary.imported += 1;
    }
    let rows = summary.imported + summary.skipped + input.report.error_count;
    summary.imported_before = duplicates::remember(&tx, "outcomes", &checksum, rows, now)?;
    let summary = input.finish(tx, source.dry_run, summary)?;
    if let Some(claim) = claim.filter(|_| !source.dry_run) {
        claim.write(db, recordings)?;
    }
    Ok(summary)
}

pub(super) struct OutcomeRow<'r> {
    campaign: &'r str,
    seller: &'r str,
    at: DateTime<Utc>,
    label: &'r str,
    comment: &'r str,
    sale: Option<(&'r str, i64, i64)>,
    recording: Option<String>,
}

pub(super) fn read_outcome<'r>(
    input: &mut Input,
    record: &'r Record,
    columns: &Columns,
    recordings: &Path,
) -> Result<Option<OutcomeRow<'r>>> {
    for key in [Field::Campaign, Field::Seller, Field::Outcome] {
        if columns.get(record, key).trim().is_empty() {
            input.bad_row(record, columns.index(key), "is empty")?;
            return Ok(None);
        }
    }
    let at = match input.dates.date_time(columns.get(record, Field::Date)) {
        Ok(at) => at,
        Err(what) => {
            return input
                .bad_value(record, columns.index(Field::Date), &what)
                .map(|_| None)
        }
    };
    let product = columns.get(record, Field::Product).trim();
    let sale = if product.is_empty() {
        None
    } else {
        let quantity = match columns.get(record, Field::Quantity).trim() {
            "" => Ok(1),
            q => validate::quantity(q),
        };
        let quantity = match quantity {
            Ok(q) => q,
            Err(what) => {
                return input
                    .bad_value(record, columns.index(Field::Quantity), what)
                    .map(|_| None)
            }
        };
        let price = match validate::money(columns.get(record, Field::UnitPrice)) {
            Ok(p) => p,
            Err(what) => {
                return input
                    .bad_value(record, columns.index(Field::UnitPrice), what)
                    .map(|_| None)
            }
        };
        Some((product, quantity, price))
    };
    let recording = match columns.get(record, Field::Recording).trim() {
        "" => None,
        path => match recordings::check(recordings, path) {
            Ok(p) => Some(p),
            Err(what) => {
                return input
                    .bad_value(record, columns.index(Field::Recording), &what)
                    .map(|_| None)
            }
        },
    };
    Ok(Some(OutcomeRow {
        campaign: columns.get(record, Field::Campaign).trim(),
        seller: columns.get(record, Field::Seller).trim(),
        at,
        label: columns.get(record, Field::Outcome).trim(),
        comment: columns.get(record, Field::Comment),
        sale,
        recording,
    }))
}

pub(super) fn history(
    db: &Db,
    source: &Source,
    allow_duplicates: bool,
    now: DateTime<Utc>,
    progress: &dyn Fn(u64),
) -> Result<Summary> {
    let (mut input, checksum) = Input::open_summed(source)?;
    input.describe(FileKind::History, source.dry_run);
    let columns = Columns::find(FileKind::History, input.header());
    columns.require_customer(input.header())?;
    columns.require(&[Field::Date, Field::Kind, Field::Text], input.header())?;
    let tx = db.begin()?;
    let mut summary = Summary::default();
    while let Some(record) = input.next()? {
        progress(1);
        let Some(customer) = row_customer(&mut input, &record, &columns, &tx)? else {
            continue;
        };
        let at = match input.dates.date_time(columns.get(&record, Field::Date)) {
            Ok(at) => at,
            Err(what) => {
                input.bad_value(&record, columns.index(Field::Date), &what)?;
                continue;
            }
        };
        let kind = columns.get(&record, Field::Kind).trim();
        if kind.is_empty() {
            input.bad_row(&record, columns.index(Field::Kind), "is empty")?;
            continue;
        }
        let new = NewHistory {
            customer_id: customer.id,
            at,
            kind,
            text: columns.get(&record, Field::Text),
        };
        if !allow_duplicates && tx.history_exists(&new)? {
            summary.skipped += 1;
            continue;
        }
        tx.insert_history(&new)?;
        summary.imported += 1;
    }
    let rows = summary.imported + summary.skipped + input.report.error_count;
    summary.imported_before = duplicates::remember(&tx, "history", &checksum, rows, now)?;
    input.finish(tx, source.dry_run, summary)
}
