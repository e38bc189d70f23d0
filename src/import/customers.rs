//! The bulk customer import: mapping a customers file's columns to card
//! fields, checking each row's card, and writing the cards.
//!
//! It is the import that must be fast (millions of rows), so it runs on two
//! threads: one reads, checks and gives cube ids, the other writes through
//! [`CustomerInserter`](crate::db::CustomerInserter). Rows travel in batches,
//! and written batches travel back so the reader reads into their memory.
//! Anything added per row here costs on every row of the largest files.
//!
//! Two columns may hold one field (`Telefon` and `Mobil`): in each row the
//! first that is not empty gives the field, and the others are kept as
//! extra fields, so nothing in the file is lost.

use std::collections::HashMap;
use std::sync::mpsc;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

use super::duplicates::{self, By, CheckedKey, Verdict};
use super::headers::{self, normalize_header, Field, FileKind};
use super::{
    bad_value_message, CustomerOptions, Input, Line, OnDuplicate, Report, Rows, Source, Summary,
};
use crate::csvio::Record;
use crate::db::{self, CardText, Db, NewIds, Stage, Tx};
use crate::flow::Named;
use crate::ids::IdGen;
use crate::validate::{self, Dates};
use crate::Failure;

/// Maps each column of a customers file's header to a field: `--map` first,
/// then the header vocabulary. Any other column is kept as an extra field.
pub(super) fn map_customer_columns(
    header: &[String],
    maps: &[(String, String)],
) -> Result<Vec<Field>> {
    let known = FileKind::Customers.fields();
    let mut overrides = HashMap::new();
    for (column, field) in maps {
        let Some(&f) = known.iter().find(|f| f.name() == field) else {
            let names: Vec<&str> = known.iter().map(|f| f.name()).collect();
            return Err(Failure::refused(format!(
                "--map {column}={field}: unknown field {field:?}"
            ))
            .hint(format!("fields: {}", names.join(", ")))
            .into());
        };
        let Some(index) = header.iter().position(|h| {
            h.trim() == column.trim() || normalize_header(h) == normalize_header(column)
        }) else {
            return Err(Failure::refused(format!(
                "--map {column}={field}: the file has no column {column:?}"
            ))
            .hint(format!("the header has: {}", header.join(", ")))
            .into());
        };
        overrides.insert(index, f);
    }
    let fields: Vec<Field> = FileKind::Customers
        .columns(header, &overrides)
        .into_iter()
        .map(|f| f.unwrap_or(Field::Extra))
        .collect();
    let has_name = fields.contains(&Field::Name)
        || fields.contains(&Field::FirstName)
        || fields.contains(&Field::LastName);
    if !has_name {
        return Err(Failure::bad_input("no column holds the customers' names")
            .hint(format!(
                "the header has: {}; name one with --map COLUMN=name, or give the header's line with --header-row N",
                header.join(", ")
            ))
            .into());
    }
    Ok(fields)
}

/// How many rows the reading thread hands over at a time, and how many such
/// batches may wait: enough to keep both threads busy, little memory.
const BATCH_ROWS: usize = 1024;
const BATCHES_IN_FLIGHT: usize = 4;

/// A row as the reading thread hands it over: the record as read, and what
/// checking it found, or why it is bad.
struct Parsed {
    record: Record,
    card: Result<Checked, String>,
}

/// What checking a row found beyond its fields as they were read: the card
/// is mostly those fields, trimmed, so it is not copied out of them (see
/// [`card_text`]).
pub(super) struct Checked {
    cube_id: [u8; uuid::fmt::Hyphenated::LENGTH],
    reference: [u8; crate::ids::REFERENCE_LEN],
    /// Made of first and last name, when there is no name column (or it is empty).
    name: Option<String>,
    /// Written as `DD.MM.YYYY`, stored as `YYYY-MM-DD`.
    birth_date: Option<String>,
    /// The extra fields as JSON, when the row has any.
    extra: Option<String>,
    /// (a field's first column, the column that gives it in this row) where
    /// two columns hold one field and the first is empty.
    picked: Vec<(usize, usize)>,
    /// The e-mail and phone in the forms customers are matched by (of the
    /// column that gives each).
    email_key: CheckedKey,
    phone_key: CheckedKey,
}

impl Checked {
    /// The column that gives this row the field whose first column is `column`.
    fn column(&self, column: usize) -> usize {
        self.picked
            .iter()
            .find(|&&(first, _)| first == column)
            .map_or(column, |&(_, picked)| picked)
    }
}

/// Where each card field is in a record, from the header mapping.
#[derive(Debug, Default)]
pub(super) struct CardColumns {
    customer_no: Option<usize>,
    name: Option<usize>,
    first_name: Option<usize>,
    last_name: Option<usize>,
    email: Option<usize>,
    phone: Option<usize>,
    address: Option<usize>,
    postal_code: Option<usize>,
    city: Option<usize>,
    birth_date: Option<usize>,
    company: Option<usize>,
    notes: Option<usize>,
    extra: Vec<usize>,
    /// The columns of each field that more than one column holds, in order;
    /// the first is the field's column above.
    shared: Vec<Vec<usize>>,
    dates: Dates,
}

impl CardColumns {
    pub(super) fn new(fields: &[Field], dates: Dates) -> CardColumns {
        let mut columns = CardColumns {
            dates,
            ..CardColumns::default()
        };
        for (i, field) in fields.iter().enumerate() {
            let slot = match field {
                Field::CustomerNo => &mut columns.customer_no,
                Field::Name => &mut columns.name,
                Field::FirstName => &mut columns.first_name,
                Field::LastName => &mut columns.last_name,
                Field::Email => &mut columns.email,
                Field::Phone => &mut columns.phone,
                Field::Address => &mut columns.address,
                Field::PostalCode => &mut columns.postal_code,
                Field::City => &mut columns.city,
                Field::BirthDate => &mut columns.birth_date,
                Field::Company => &mut columns.company,
                Field::Notes => &mut columns.notes,
                Field::Extra => {
                    columns.extra.push(i);
                    continue;
                }
                // Not imported, or no field of a customer's card.
                Field::Ignore
                | Field::Ref
                | Field::Campaign
                | Field::Seller
                | Field::Date
                | Field::Outcome
                | Field::Comment
                | Field::Product
                | Field::Quantity
                | Field::UnitPrice
                | Field::Recording
                | Field::Kind
                | Field::Text => continue,
            };
            match *slot {
                None => *slot = Some(i),
                Some(first) => match columns.shared.iter_mut().find(|s| s[0] == first) {
                    Some(shared) => shared.push(i),
                    None => columns.shared.push(vec![first, i]),
                },
            }
        }
        columns
    }
}

/// The card of a checked row, borrowed from its record.
fn card_text<'a>(columns: &CardColumns, record: &'a Record, checked: &'a Checked) -> CardText<'a> {
    let trimmed =
        |column: Option<usize>| column.map_or("", |i| record.field(checked.column(i)).trim());
    CardText {
        customer_no: Some(trimmed(columns.customer_no)).filter(|no| !no.is_empty()),
        name: checked
            .name
            .as_deref()
            .unwrap_or_else(|| trimmed(columns.name)),
        email: trimmed(columns.email),
        phone: trimmed(columns.phone),
        address: trimmed(columns.address),
        postal_code: trimmed(columns.postal_code),
        city: trimmed(columns.city),
        birth_date: checked
            .birth_date
            .as_deref()
            .unwrap_or_else(|| trimmed(columns.birth_date)),
        company: trimmed(columns.company),
        notes: columns
            .notes
            .map_or("", |i| record.field(checked.column(i))),
        extra: checked.extra.as_deref().unwrap_or("{}"),
        email_key: checked.email_key.text(trimmed(columns.email)),
        phone_key: checked.phone_key.text(trimmed(columns.phone)),
    }
}

pub(super) fn import(
    db: &Db,
    source: &Source,
    options: &CustomerOptions,
    now: DateTime<Utc>,
    progress: &dyn Fn(u64),
) -> Result<Summary> {
    let Input {
        rows, mut report, ..
    } = Input::open(source)?;
    let fields = map_customer_columns(&rows.header, &options.maps)?;
    let mapping = source.dry_run.then(|| {
        let fields: Vec<Option<Field>> = fields.iter().copied().map(Some).collect();
        headers::describe(FileKind::Customers, &rows.header, &fields)
    });
    let tx = db.begin()?;
    // The cards it writes carry the time its write began, not the time the
    // command started (it may have waited for a slow pipe): an anonymization
    // searches again the cards changed since it searched (see
    // `Db::texts_since`), and takes that time holding the write lock.
    let now = crate::env::clock_from(now);
    let mut summary = Summary::default();
    let campaign_id = match &options.campaign {
        None => None,
        Some(name) => Some(import_campaign(
            &tx,
            name,
            source.new_campaign,
            now,
            &mut summary,
        )?),
    };
    let created = campaign_id.filter(|_| !summary.created_campaigns.is_empty());
    let duplicate = Duplicate {
        tx: &tx,
        options,
        campaign_id,
        now,
    };
    let columns = CardColumns::new(&fields, source.dates.clone());
    // A first import builds the random-keyed indexes once, at the end. The
    // e-mail and phone indexes stay: the rows of the file are matched by them
    // as it is written (see super::duplicates).
    let first = tx.has_no_customers()?;
    if first {
        tx.drop_id_indexes()?;
    }
    let mut inserter = tx.customer_inserter(campaign_id, now);
    summary.blank = std::thread::scope(|scope| -> Result<u64> {
        let (sender, batches) = mpsc::sync_channel(BATCHES_IN_FLIGHT);
        // Written batches go back to the reading thread, which reads new
        // records into their memory and frees the rest (the system allocator
        // frees much faster on the thread that allocated).
        let (give_back, written) = mpsc::channel();
        let columns = &columns;
        let reading = scope.spawn(move || read_cards(rows, columns, sender, written));
        for batch in batches {
            progress(batch.len() as u64);
            let cards: Vec<_> = batch
                .iter()
                .filter_map(|Parsed { record, card }| Some((record, card.as_ref().ok()?)))
                .map(|(record, checked)| {
                    let ids = NewIds {
                        cube_id: std::str::from_utf8(&checked.cube_id).unwrap_or_default(),
                        reference: std::str::from_utf8(&checked.reference).unwrap_or_default(),
                    };
                    (ids, card_text(columns, record, checked))
                })
                .collect();
            // Rows that are customers already there by e-mail or phone are
            // not inserted; the others are, many at a time.
            let verdicts = duplicates::judge(&tx, &cards)?;
            let written = if verdicts.is_empty() {
                inserter.insert(&cards)?
            } else {
                let new: Vec<_> = (cards.iter().zip(&verdicts))
                    .filter(|(_, verdict)| **verdict == Verdict::New)
                    .map(|(card, _)| *card)
                    .collect();
                inserter.insert(&new)?
            };
            let (mut written, mut verdicts) = (written.into_iter(), verdicts.into_iter());
            let mut cards = cards.iter();
            for Parsed { record, card } in &batch {
                if let Err(message) = card {
                    report.reject(record, message.clone())?;
                    continue;
                }
                let not_written =
                    || anyhow::anyhow!("line {}: the row was not written", record.line);
                let &(ids, text) = cards.next().ok_or_else(not_written)?;
                let verdict = verdicts.next().unwrap_or(Verdict::New);
                let same = match verdict {
                    Verdict::New => None,
                    Verdict::Same(same) => Some(same),
                    Verdict::Later => duplicates::find(&tx, &text)?,
                };
                if let Some(same) = same {
                    let (column, field) = match same.by {
                        By::Email => (columns.email, "e-mail"),
                        By::Phone => (columns.phone, "phone"),
                    };
                    // The column that gave the field in this row.
                    let column = match (column, card) {
                        (Some(column), Ok(checked)) => checked.column(column),
                        _ => 0,
                    };
                    let taken = format!(
                        "{field} {:?} is another customer's, and the row has no customer number",
                        record.field(column)
                    );
                    duplicate.row(
                        &mut report,
                        record,
                        column,
                        &taken,
                        same.id,
                        &text,
                        &mut summary,
                    )?;
                    continue;
                }
                let inserted = if verdict == Verdict::New {
                    written.next().ok_or_else(not_written)?
                } else {
                    // Looked up once the rows before it were written: new after all.
                    inserter.insert(&[(ids, text)])?.first() == Some(&true)
                };
                if inserted {
                    summary.imported += 1;
                } else {
                    taken_number(
                        &duplicate,
                        &mut report,
                        record,
                        card.as_ref()
                            .map_or(0, |c| c.column(columns.customer_no.unwrap_or(0))),
                        &text,
                        &mut summary,
                    )?;
                }
            }
            let _ = give_back.send(batch);
        }
        drop(give_back);
        // The channel ends when the reader is done or failed; its error wins.
        reading
            .join()
            .map_err(|_| anyhow::anyhow!("the reading thread failed"))?
    })?;
    drop(inserter);
    if first {
        tx.build_id_indexes()?;
    }
    // An import that placed nobody in the campaign it made leaves none behind.
    if let Some(id) = created {
        if tx.remove_unused_campaign(id)? {
            summary.created_campaigns.clear();
        }
    }
    // New leads are activity: a retention run must not archive the
    // campaign they came into as idle.
    if let Some(id) = campaign_id.filter(|_| summary.imported > 0) {
        tx.touch_campaign(id, now)?;
    }
    if summary.moved > 0 {
        summary.campaign = options.campaign.clone();
    }
    summary.mapping = mapping;
    report.finish(tx, source.dry_run, summary)
}

/// The reading thread: records to checked cards with new cube ids, in batches.
/// Stops early, without an error, when the writer has stopped listening.
/// Returns how many blank rows it passed over.
fn read_cards(
    mut rows: Rows,
    columns: &CardColumns,
    sender: mpsc::SyncSender<Vec<Parsed>>,
    written: mpsc::Receiver<Vec<Parsed>>,
) -> Result<u64> {
    let mut ids = IdGen::new();
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    // Records of written batches, to read the next ones into.
    let mut spare: Vec<Record> = Vec::new();
    while let Some(line) = rows.next_into(spare.pop().unwrap_or_default())? {
        batch.push(match line {
            Line::Bad(record, message) => Parsed {
                record,
                card: Err(message),
            },
            Line::Good(record) => Parsed {
                card: check_card(&rows.header, &record, columns).map(|mut checked| {
                    ids.cube_id()
                        .hyphenated()
                        .encode_lower(&mut checked.cube_id);
                    ids.reference(&mut checked.reference);
                    checked
                }),
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

/// A row whose customer number a customer already has.
fn taken_number(
    duplicate: &Duplicate,
    report: &mut Report,
    record: &Record,
    column: usize,
    card: &CardText,
    summary: &mut Summary,
) -> Result<()> {
    let found = match card.customer_no {
        Some(no) => duplicate.tx.customer_by_number(no)?,
        None => None,
    }
    .with_context(|| format!("line {}: the customer could not be inserted", record.line))?;
    let taken = format!(
        "customer number {:?} is taken by another customer",
        record.field(column)
    );
    duplicate.row(report, record, column, &taken, found.id, card, summary)
}

/// What is done with a row that is a customer already there.
struct Duplicate<'a> {
    tx: &'a Tx<'a>,
    options: &'a CustomerOptions,
    /// The import's campaign, which an update moves the customer into.
    campaign_id: Option<i64>,
    now: DateTime<Utc>,
}

impl Duplicate<'_> {
    /// Skips the row, writes it over customer `id` (and moves that one into
    /// the import's campaign), or reports it as bad, saying `taken` at
    /// `column`, as `--on-duplicate` says.
    #[allow(clippy::too_many_arguments)]
    fn row(
        &self,
        report: &mut Report,
        record: &Record,
        column: usize,
        taken: &str,
        id: i64,
        card: &CardText,
        summary: &mut Summary,
    ) -> Result<()> {
        match self.options.on_duplicate {
            OnDuplicate::Skip => summary.skipped += 1,
            OnDuplicate::Update => {
                self.tx.update_card(id, card, self.now)?;
                summary.updated += 1;
                if let Some(campaign) = self.campaign_id {
                    summary.moved += u64::from(self.move_into(id, campaign)?);
                }
            }
            OnDuplicate::Error => {
                report.duplicate_row(record, column, &format!("{taken} (see --on-duplicate)"))?;
            }
        }
        Ok(())
    }

    /// Moves an updated customer into the import's campaign as `available`,
    /// as `cube move` would: the file lists it for that campaign. False when
    /// it is there already (at whatever stage).
    fn move_into(&self, id: i64, campaign: i64) -> Result<bool> {
        let Some(customer) = self.tx.customer_by_id(id)? else {
            return Ok(false);
        };
        if customer.campaign_id == Some(campaign) {
            return Ok(false);
        }
        self.tx
            .place_customer(id, Some(campaign), Some(Stage::Available), None, self.now)?;
        for touched in customer.campaign_id.into_iter().chain([campaign]) {
            self.tx.touch_campaign(touched, self.now)?;
        }
        Ok(true)
    }
}

/// The campaign to import into, whatever the case of its name; created if
/// missing, unless a close name exists (a typo, most likely); an archived one
/// is refused.
fn import_campaign(
    tx: &Tx,
    name: &str,
    new_campaign: bool,
    now: DateTime<Utc>,
    summary: &mut Summary,
) -> Result<i64> {
    match crate::flow::import_campaign(tx, name, new_campaign, now)? {
        Named::Found(c) if c.status == crate::db::CampaignStatus::Archived => {
            Err(Failure::refused(format!(
                "campaign {:?} is archived; its customers are no longer handed out",
                c.name
            ))
            .hint(format!("reactivate it first: cube reactivate {:?}", c.name))
            .into())
        }
        Named::Found(c) => Ok(c.id),
        Named::Created(c) => {
            summary.created_campaigns.push(c.name);
            Ok(c.id)
        }
        Named::Close(close) => {
            let close: Vec<&str> = close.iter().map(String::as_str).collect();
            Err(Failure::refused(format!(
                "no campaign is named {name:?}; {}",
                crate::names::did_you_mean(&close)
            ))
            .hint(format!(
                "to make a new campaign named {name:?} all the same, add --new-campaign"
            ))
            .into())
        }
    }
}

/// Checks one row's card; the error says why the row is bad.
pub(super) fn check_card(
    header: &[String],
    record: &Record,
    columns: &CardColumns,
) -> Result<Checked, String> {
    // Of two columns that hold one field, the first that is not empty
    // gives it; the others are extra fields.
    let mut picked = Vec::new();
    let mut extra = serde_json::Map::new();
    for shared in &columns.shared {
        let given = |&&i: &&usize| !record.field(i).trim().is_empty();
        let first = shared[0];
        let pick = shared.iter().find(given).copied().unwrap_or(first);
        if pick != first {
            picked.push((first, pick));
        }
        for &i in shared.iter().filter(given).filter(|&&i| i != pick) {
            extra.insert(header[i].trim().to_string(), record.field(i).into());
        }
    }
    let given_by = |column: Option<usize>| {
        column.map(|c| {
            picked
                .iter()
                .find(|&&(first, _)| first == c)
                .map_or(c, |&(_, pick)| pick)
        })
    };
    let field = |c: Option<usize>| given_by(c).map_or("", |i| record.field(i).trim());
    if let Some(i) = given_by(columns.email).filter(|&i| !field(Some(i)).is_empty()) {
        validate::email(field(Some(i)))
            .map_err(|what| bad_value_message(header, record, i, what))?;
    }
    let mut birth_date = None;
    if let Some(i) = given_by(columns.birth_date).filter(|&i| !field(Some(i)).is_empty()) {
        let date = columns
            .dates
            .date(field(Some(i)))
            .map_err(|what| bad_value_message(header, record, i, &what))?
            .to_string();
        birth_date = (date != field(Some(i))).then_some(date);
    }
    // The name column, or else first and last name joined.
    let mut name = None;
    let has_parts = columns.first_name.is_some() || columns.last_name.is_some();
    if field(columns.name).is_empty() && has_parts {
        let parts = [field(columns.first_name), field(columns.last_name)];
        name = Some(
            parts
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    let shown = name.as_deref().unwrap_or_else(|| field(columns.name));
    if let Err(what) = validate::name(shown) {
        // Named by the column the checked value came from.
        let parts = [given_by(columns.first_name), given_by(columns.last_name)]
            .into_iter()
            .flatten()
            .min();
        let (column, shown) = match (given_by(columns.name), &name) {
            (Some(i), None) => (i, record.field(i)),
            _ => (parts.or(given_by(columns.name)).unwrap_or(0), shown),
        };
        return Err(format!(
            "line {}, column {:?}: {shown:?} is not {what}",
            record.line, header[column]
        ));
    }
    for &i in &columns.extra {
        let value = record.field(i);
        if !value.is_empty() {
            extra.insert(header[i].trim().to_string(), value.into());
        }
    }
    Ok(Checked {
        cube_id: [0; uuid::fmt::Hyphenated::LENGTH],
        reference: [0; crate::ids::REFERENCE_LEN],
        name,
        birth_date,
        extra: (!extra.is_empty()).then(|| serde_json::Value::Object(extra).to_string()),
        email_key: CheckedKey::of(db::email_key(field(columns.email))),
        phone_key: CheckedKey::of(db::phone_key(field(columns.phone))),
        picked,
    })
}
