//! Importing outcomes and history: rows about customers that are already
//! in the database, found by customer number or cube id.
//!
//! Each row is looked up and written on one thread; these files are small
//! next to customer files. A row about a customer that is missing or
//! anonymized is a bad row: import never matches anonymized customers.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Result;
use chrono::{DateTime, Utc};

use super::headers::{keys, normalize_header, HISTORY_KEYS, OUTCOME_KEYS};
use super::{Input, Source, Summary};
use crate::csvio::Record;
use crate::db::{CustomerRef, Db, NewHistory, NewOutcome, NewSale, Stage, Tx};
use crate::env::timestamp;
use crate::recordings;
use crate::ui::Ui;
use crate::{validate, Failure};

/// The columns of an outcomes or history file, by normalized header.
#[derive(Debug, Default)]
pub(super) struct Columns(HashMap<&'static str, usize>);

impl Columns {
    pub(super) fn find(header: &[String], known: &[(&'static str, &[&str])]) -> Columns {
        let mut found = HashMap::new();
        for (i, h) in header.iter().enumerate() {
            let n = normalize_header(h);
            if let Some((key, _)) = known.iter().find(|(_, names)| names.contains(&n.as_str())) {
                found.entry(*key).or_insert(i);
            }
        }
        Columns(found)
    }

    pub(super) fn require(&self, keys: &[&str], header: &[String]) -> Result<()> {
        let missing: Vec<&str> = keys
            .iter()
            .filter(|k| !self.0.contains_key(*k))
            .copied()
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

    fn get<'r>(&self, record: &'r Record, key: &str) -> &'r str {
        self.0.get(key).map_or("", |&i| record.field(i))
    }

    fn index(&self, key: &str) -> usize {
        self.0.get(key).copied().unwrap_or(0)
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
    let cube_id = columns.get(record, "cube_id").trim();
    let number = columns.get(record, "customer_no").trim();
    let (found, column, key) = if !cube_id.is_empty() {
        (
            tx.customer_by_cube_id(cube_id)?,
            columns.index("cube_id"),
            format!("the cube id {cube_id:?}"),
        )
    } else if !number.is_empty() {
        (
            tx.customer_by_number(number)?,
            columns.index("customer_no"),
            format!("the customer number {number:?}"),
        )
    } else {
        let column = columns.index("customer_no").min(columns.index("cube_id"));
        input.bad_row(record, column, "no customer number or cube id")?;
        return Ok(None);
    };
    match found {
        None => {
            input.bad_row(record, column, &format!("no customer has {key}"))?;
            Ok(None)
        }
        Some(c) if c.anonymized => {
            // The cube id is no personal data; nothing else of the customer is shown.
            input.bad_row(
                record,
                column,
                &format!("customer {} is anonymized", c.cube_id),
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
    now: DateTime<Utc>,
    ui: &Ui,
) -> Result<Summary> {
    let mut input = Input::open(source)?;
    let columns = Columns::find(input.header(), &keys(OUTCOME_KEYS));
    if !columns.0.contains_key("customer_no") && !columns.0.contains_key("cube_id") {
        columns.require(&["customer_no"], input.header())?;
    }
    columns.require(&["campaign", "seller", "date", "outcome"], input.header())?;
    let now_text = timestamp(now);
    let tx = db.begin()?;
    let bar = ui.progress(None, "rows");
    let mut summary = Summary::default();
    let mut campaigns: HashMap<String, i64> = HashMap::new();
    while let Some(record) = input.next()? {
        bar.inc(1);
        let Some(customer) = row_customer(&mut input, &record, &columns, &tx)? else {
            continue;
        };
        let Some(outcome) = read_outcome(&mut input, &record, &columns, recordings)? else {
            continue;
        };
        let campaign_id = match campaigns.get(outcome.campaign) {
            Some(&id) => id,
            None => {
                let id = match tx.campaign_by_name(outcome.campaign)? {
                    Some(c) => c.id,
                    None => tx.create_campaign(outcome.campaign, &now_text)?.id,
                };
                campaigns.insert(outcome.campaign.to_string(), id);
                id
            }
        };
        let seller_id = tx.seller_id(outcome.seller, &now_text)?;
        let at = timestamp(outcome.at);
        let outcome_id = tx.insert_outcome(&NewOutcome {
            customer_id: customer.id,
            campaign_id,
            seller_id,
            registered_at: &at,
            label: outcome.label,
            comment: outcome.comment,
        })?;
        if let Some((product, quantity, unit_price)) = outcome.sale {
            tx.insert_sale(&NewSale {
                outcome_id: Some(outcome_id),
                customer_id: customer.id,
                campaign_id: Some(campaign_id),
                seller_id,
                sold_at: &at,
                product,
                quantity,
                unit_price,
            })?;
        }
        if let Some(path) = &outcome.recording {
            tx.insert_recording(customer.id, Some(outcome_id), path, &now_text)?;
        }
        match customer.campaign_id {
            None => tx.place_customer(
                customer.id,
                Some(campaign_id),
                Some(Stage::Completed),
                Some(seller_id),
                &now_text,
            )?,
            Some(current) if current == campaign_id => {
                tx.set_stage(customer.id, Stage::Completed, &now_text)?
            }
            Some(_) => {}
        }
        tx.touch_campaign(campaign_id, &at)?;
        summary.imported += 1;
    }
    bar.finish_and_clear();
    input.finish(tx, source.dry_run, summary)
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
    for key in ["campaign", "seller", "outcome"] {
        if columns.get(record, key).trim().is_empty() {
            input.bad_row(record, columns.index(key), "is empty")?;
            return Ok(None);
        }
    }
    let at = match validate::date_time(columns.get(record, "date")) {
        Ok(at) => at,
        Err(what) => {
            return input
                .bad_value(record, columns.index("date"), what)
                .map(|_| None)
        }
    };
    let product = columns.get(record, "product").trim();
    let sale = if product.is_empty() {
        None
    } else {
        let quantity = match columns.get(record, "quantity").trim() {
            "" => Ok(1),
            q => validate::quantity(q),
        };
        let quantity = match quantity {
            Ok(q) => q,
            Err(what) => {
                return input
                    .bad_value(record, columns.index("quantity"), what)
                    .map(|_| None)
            }
        };
        let price = match validate::money(columns.get(record, "unit_price")) {
            Ok(p) => p,
            Err(what) => {
                return input
                    .bad_value(record, columns.index("unit_price"), what)
                    .map(|_| None)
            }
        };
        Some((product, quantity, price))
    };
    let recording = match columns.get(record, "recording").trim() {
        "" => None,
        path => match recordings::check(recordings, path) {
            Ok(p) => Some(p),
            Err(what) => {
                return input
                    .bad_value(record, columns.index("recording"), &what)
                    .map(|_| None)
            }
        },
    };
    Ok(Some(OutcomeRow {
        campaign: columns.get(record, "campaign").trim(),
        seller: columns.get(record, "seller").trim(),
        at,
        label: columns.get(record, "outcome").trim(),
        comment: columns.get(record, "comment"),
        sale,
        recording,
    }))
}

pub(super) fn history(db: &Db, source: &Source, ui: &Ui) -> Result<Summary> {
    let mut input = Input::open(source)?;
    let columns = Columns::find(input.header(), &keys(HISTORY_KEYS));
    if !columns.0.contains_key("customer_no") && !columns.0.contains_key("cube_id") {
        columns.require(&["customer_no"], input.header())?;
    }
    columns.require(&["date", "kind", "text"], input.header())?;
    let tx = db.begin()?;
    let bar = ui.progress(None, "rows");
    let mut summary = Summary::default();
    while let Some(record) = input.next()? {
        bar.inc(1);
        let Some(customer) = row_customer(&mut input, &record, &columns, &tx)? else {
            continue;
        };
        let at = match validate::date_time(columns.get(&record, "date")) {
            Ok(at) => timestamp(at),
            Err(what) => {
                input.bad_value(&record, columns.index("date"), what)?;
                continue;
            }
        };
        let kind = columns.get(&record, "kind").trim();
        if kind.is_empty() {
            input.bad_row(&record, columns.index("kind"), "is empty")?;
            continue;
        }
        tx.insert_history(&NewHistory {
            customer_id: customer.id,
            at: &at,
            kind,
            text: columns.get(&record, "text"),
        })?;
        summary.imported += 1;
    }
    bar.finish_and_clear();
    input.finish(tx, source.dry_run, summary)
}
