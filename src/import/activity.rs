//! Importing history, and what the imports of outcomes and history share:
//! their columns, and finding the customer a row is about, by reference or
//! customer number. (The outcomes import itself is [`super::outcomes`].)
//!
//! A row about a customer that is missing or anonymized is a bad row:
//! import never matches anonymized customers, and the message names an
//! anonymized customer by its reference alone.
//!
//! History rows are looked up and written one at a time; these files are
//! small next to outcome files. A history entry the same as one stored (the
//! same customer, time, kind and text) is skipped, so that a file imported
//! twice doubles nothing; rows of the file before it count as stored.
//! `--allow-duplicates` imports them all the same. Each file is remembered
//! by its checksum (see [`super::duplicates`]).

use std::collections::HashMap;

use anyhow::Result;
use chrono::{DateTime, Utc};

use super::duplicates;
use super::headers::{Field, FileKind};
use super::{Input, Source, Summary};
use crate::csvio::Record;
use crate::db::{CustomerRef, Db, NewHistory, Tx};
use crate::Failure;

/// Where each field of an outcomes or history file is: the first column
/// whose header names it (a second one is ignored). A list, not a map: it
/// is asked for every field of every row, and holds a dozen at most.
#[derive(Debug, Default)]
pub(super) struct Columns(Vec<(Field, usize)>);

impl Columns {
    pub(super) fn find(kind: FileKind, header: &[String]) -> Columns {
        let mut columns: Vec<(Field, usize)> = Vec::new();
        for (i, field) in kind
            .columns(header, &HashMap::new())
            .into_iter()
            .enumerate()
        {
            if let Some(field) = field {
                if !columns.iter().any(|&(f, _)| f == field) {
                    columns.push((field, i));
                }
            }
        }
        Columns(columns)
    }

    pub(super) fn column(&self, field: Field) -> Option<usize> {
        self.0.iter().find(|&&(f, _)| f == field).map(|&(_, i)| i)
    }

    pub(super) fn require(&self, fields: &[Field], header: &[String]) -> Result<()> {
        let missing: Vec<&str> = fields
            .iter()
            .filter(|&&f| self.column(f).is_none())
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
    /// or its reference.
    pub(super) fn require_customer(&self, header: &[String]) -> Result<()> {
        if self.column(Field::Ref).is_some() {
            return Ok(());
        }
        self.require(&[Field::CustomerNo], header)
    }

    pub(super) fn get<'r>(&self, record: &'r Record, field: Field) -> &'r str {
        self.column(field).map_or("", |i| record.field(i))
    }

    /// The column of `field`; 0 when there is none (a bad row names the
    /// first column then).
    pub(super) fn index(&self, field: Field) -> usize {
        self.column(field).unwrap_or(0)
    }
}

/// Which customer a row names: by its reference when it has one, else by
/// its customer number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum CustomerKey<'r> {
    Ref(&'r str),
    Number(&'r str),
}

impl Columns {
    /// The key of the row's customer, or the bad row (column, reason) when
    /// it gives neither.
    pub(super) fn customer_key<'r>(
        &self,
        record: &'r Record,
    ) -> Result<CustomerKey<'r>, (usize, String)> {
        let reference = self.get(record, Field::Ref).trim();
        let number = self.get(record, Field::CustomerNo).trim();
        if !reference.is_empty() {
            Ok(CustomerKey::Ref(reference))
        } else if !number.is_empty() {
            Ok(CustomerKey::Number(number))
        } else {
            let column = self.index(Field::CustomerNo).min(self.index(Field::Ref));
            Err((column, "no customer number or reference".into()))
        }
    }
}

/// The customer `found` by a row's `key`, or the bad row (column, reason)
/// when there is none or it is anonymized.
pub(super) fn judge_customer<'c>(
    columns: &Columns,
    key: CustomerKey,
    found: Option<&'c CustomerRef>,
) -> Result<&'c CustomerRef, (usize, String)> {
    let column = match key {
        CustomerKey::Ref(_) => columns.index(Field::Ref),
        CustomerKey::Number(_) => columns.index(Field::CustomerNo),
    };
    match found {
        None => {
            let key = match key {
                CustomerKey::Ref(reference) => format!("the reference {reference:?}"),
                // A nightly file may still hold someone erased since.
                CustomerKey::Number(number) => format!(
                    "the customer number {number:?} (an anonymized or forgotten customer keeps none)"
                ),
            };
            Err((column, format!("no customer has {key}")))
        }
        // The reference is no personal data; nothing else of the customer is shown.
        Some(c) if c.anonymized => Err((column, format!("customer {} is anonymized", c.reference))),
        Some(c) => Ok(c),
    }
}

/// Finds the customer a row of a history file is about; reports the row
/// when there is none or it is anonymized.
fn row_customer(
    input: &mut Input,
    record: &Record,
    columns: &Columns,
    tx: &Tx,
) -> Result<Option<CustomerRef>> {
    let found = match columns.customer_key(record) {
        Ok(key) => {
            let found = match key {
                CustomerKey::Ref(reference) => tx.customer_by_ref(reference)?,
                CustomerKey::Number(number) => tx.customer_by_number(number)?,
            };
            judge_customer(columns, key, found.as_ref()).cloned()
        }
        Err(bad) => Err(bad),
    };
    match found {
        Ok(customer) => Ok(Some(customer)),
        Err((column, reason)) => {
            input.bad_row(record, column, &reason)?;
            Ok(None)
        }
    }
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
