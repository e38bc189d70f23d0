//! Importing customers, outcomes and history from CSV.
//!
//! An import is one write transaction: by default it is all-or-nothing, and a
//! file with any bad row changes nothing (exit 65) while every bad row is
//! reported as `line N, column "X": "value" is not ...`. `--skip-invalid`
//! imports the good rows and writes the bad ones, with the reason, to a rejects
//! file. `--dry-run` does all the work and rolls it back.
//!
//! Import never matches anonymized customers: their customer numbers are gone,
//! so the same person imported again becomes a new customer with a new cube id.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::csvio::{CsvReader, Encoding, ReadError, Record};
use crate::db::{CardText, CustomerRef, Db, NewHistory, NewOutcome, NewSale, Stage, Tx};
use crate::env::timestamp;
use crate::export::TempOutput;
use crate::ids::IdGen;
use crate::recordings;
use crate::ui::Ui;
use crate::{validate, Failure};

/// How many bad rows an all-or-nothing import lists before it only counts.
const MAX_LISTED_ERRORS: usize = 20;

/// What `import` reports; the `--json` shape.
#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct Summary {
    pub imported: u64,
    pub updated: u64,
    pub skipped: u64,
    pub rejected: u64,
}

/// What to do with a customer number that a customer already has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OnDuplicate {
    /// The row is invalid
    #[default]
    Error,
    /// Leave the existing customer as it is
    Skip,
    /// Overwrite the existing customer's card
    Update,
}

/// Options every import takes.
#[derive(Debug, Clone, Default)]
pub struct Source {
    /// The file, or `-` for standard input.
    pub path: PathBuf,
    pub encoding: Option<Encoding>,
    pub delimiter: Option<u8>,
    /// Import the good rows and write the bad ones here.
    pub rejects: Option<PathBuf>,
    pub dry_run: bool,
}

#[derive(Debug, Clone, Default)]
pub struct CustomerOptions {
    pub campaign: Option<String>,
    /// `--map COLUMN=FIELD` overrides of the header mapping.
    pub maps: Vec<(String, String)>,
    pub on_duplicate: OnDuplicate,
}

/// A card field an import column can map to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    CustomerNo,
    Name,
    FirstName,
    LastName,
    Email,
    Phone,
    Address,
    PostalCode,
    City,
    BirthDate,
    Company,
    Notes,
    /// Kept on the card under its header.
    Extra,
    /// Not imported at all (only by `--map`).
    Ignore,
}

impl Field {
    /// The names `--map` accepts.
    pub const NAMES: &'static [(&'static str, Field)] = &[
        ("customer_no", Field::CustomerNo),
        ("name", Field::Name),
        ("first_name", Field::FirstName),
        ("last_name", Field::LastName),
        ("email", Field::Email),
        ("phone", Field::Phone),
        ("address", Field::Address),
        ("postal_code", Field::PostalCode),
        ("city", Field::City),
        ("birth_date", Field::BirthDate),
        ("company", Field::Company),
        ("notes", Field::Notes),
        ("extra", Field::Extra),
        ("ignore", Field::Ignore),
    ];

    /// Recognises a header by its normalized name, English or Norwegian.
    fn from_header(normalized: &str) -> Option<Field> {
        Some(match normalized {
            "customerno" | "customernumber" | "customerid" | "kundenr" | "kundenummer"
            | "kundeid" | "custno" | "clientid" => Field::CustomerNo,
            "name" | "navn" | "fullname" | "fulltnavn" | "kundenavn" | "customername" => {
                Field::Name
            }
            "firstname" | "fornavn" | "givenname" => Field::FirstName,
            "lastname" | "etternavn" | "surname" | "familyname" => Field::LastName,
            "email" | "epost" | "mail" | "emailaddress" | "epostadresse" => Field::Email,
            "phone" | "phone1" | "telefon" | "telefonnummer" | "tlf" | "mobil" | "mobile"
            | "mobilnummer" | "phonenumber" | "telephone" | "cellphone" => Field::Phone,
            "address" | "adresse" | "streetaddress" | "gateadresse" | "street" => Field::Address,
            "postalcode" | "postnr" | "postnummer" | "zip" | "zipcode" | "postcode" => {
                Field::PostalCode
            }
            "city" | "poststed" | "sted" | "town" => Field::City,
            "birthdate" | "fodselsdato" | "dateofbirth" | "dob" | "born" | "fodt" => {
                Field::BirthDate
            }
            "company" | "firma" | "bedrift" | "selskap" | "organization" | "organisation" => {
                Field::Company
            }
            "notes" | "note" | "notat" | "notater" | "merknad" | "merknader" | "comment"
            | "kommentar" => Field::Notes,
            _ => return None,
        })
    }
}

/// Folds a header to compare it case- and accent-insensitively:
/// `Fødselsdato` → `fodselsdato`, `E-post` → `epost`, `Customer Id` → `customerid`.
pub fn normalize_header(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    for c in header
        .trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .flat_map(char::to_lowercase)
    {
        match c {
            'æ' => out.push_str("ae"),
            'ø' | 'ö' | 'ó' | 'ò' | 'ô' | 'õ' => out.push('o'),
            'å' | 'ä' | 'á' | 'à' | 'â' | 'ã' => out.push('a'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'í' | 'ì' | 'î' | 'ï' => out.push('i'),
            'ú' | 'ù' | 'û' | 'ü' => out.push('u'),
            'ç' => out.push('c'),
            'ñ' => out.push('n'),
            'ß' => out.push_str("ss"),
            c if c.is_alphanumeric() => out.push(c),
            _ => {}
        }
    }
    out
}

/// Maps each column of a customer file's header to a field. The first column
/// that maps to a field wins; later ones become extra fields.
fn map_customer_columns(header: &[String], maps: &[(String, String)]) -> Result<Vec<Field>> {
    let mut overrides = HashMap::new();
    for (column, field) in maps {
        let Some(&(_, f)) = Field::NAMES.iter().find(|(n, _)| n == field) else {
            let names: Vec<&str> = Field::NAMES.iter().map(|(n, _)| *n).collect();
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
    let mut taken = Vec::new();
    let mut fields = Vec::with_capacity(header.len());
    for (i, h) in header.iter().enumerate() {
        let field = match overrides.get(&i) {
            Some(&f) => f,
            None => match Field::from_header(&normalize_header(h)) {
                Some(f) if !taken.contains(&f) && !overrides.values().any(|&o| o == f) => f,
                _ => Field::Extra,
            },
        };
        if field != Field::Extra && field != Field::Ignore {
            taken.push(field);
        }
        fields.push(field);
    }
    let has_name = fields.contains(&Field::Name)
        || fields.contains(&Field::FirstName)
        || fields.contains(&Field::LastName);
    if !has_name {
        return Err(Failure::bad_input("no column holds the customers' names")
            .hint(format!(
                "the header has: {}; name one with --map COLUMN=name",
                header.join(", ")
            ))
            .into());
    }
    Ok(fields)
}

/// Opens the input, reads its header and collects bad rows: the part every
/// import shares. The customer import reads on one thread and writes on
/// another, so the two halves can be taken apart.
struct Input {
    rows: Rows,
    report: Report,
}

/// The reading half: the records of the file, after its header.
struct Rows {
    reader: CsvReader<Box<dyn Read + Send>>,
    header: Vec<String>,
    name: String,
}

/// A record, or why it is bad.
enum Line {
    Good(Record),
    Bad(Record, String),
}

/// The reporting half: the bad rows, listed or written to the rejects file.
struct Report {
    header: Vec<String>,
    rejects: Option<Rejects>,
    errors: Vec<String>,
    error_count: u64,
    name: String,
}

impl Input {
    fn open(source: &Source) -> Result<Input> {
        let (stream, name): (Box<dyn Read + Send>, String) = if source.path.as_os_str() == "-" {
            (Box::new(io::stdin()), "standard input".into())
        } else {
            let file = File::open(&source.path)
                .with_context(|| format!("cannot open {}", source.path.display()))?;
            (Box::new(file), source.path.display().to_string())
        };
        Input::from_reader(stream, name, source)
    }

    fn from_reader(stream: Box<dyn Read + Send>, name: String, source: &Source) -> Result<Input> {
        let mut reader = CsvReader::new(stream, source.encoding, source.delimiter)
            .map_err(|e| read_failure(&name, e.into()))?;
        let header = match reader.next_record() {
            Ok(Some(record)) => record.fields().map(String::from).collect::<Vec<_>>(),
            Ok(None) => return Err(Failure::bad_input(format!("{name} is empty")).into()),
            Err(e) => return Err(read_failure(&name, e).into()),
        };
        reader.set_columns(header.len());
        let rejects = match &source.rejects {
            Some(path) => Some(Rejects::create(path, &header, reader.delimiter())?),
            None => None,
        };
        Ok(Input {
            report: Report {
                header: header.clone(),
                rejects,
                errors: Vec::new(),
                error_count: 0,
                name: name.clone(),
            },
            rows: Rows {
                reader,
                header,
                name,
            },
        })
    }

    fn header(&self) -> &[String] {
        &self.rows.header
    }

    /// The next record whose field count matches the header; a record that does
    /// not is a bad row.
    fn next(&mut self) -> Result<Option<Record>> {
        loop {
            match self.rows.next()? {
                None => return Ok(None),
                Some(Line::Good(record)) => return Ok(Some(record)),
                Some(Line::Bad(record, message)) => self.report.reject(&record, message)?,
            }
        }
    }

    fn bad_value(&mut self, record: &Record, column: usize, what: &str) -> Result<()> {
        self.report.bad_value(record, column, what)
    }

    fn bad_row(&mut self, record: &Record, column: usize, reason: &str) -> Result<()> {
        self.report.bad_row(record, column, reason)
    }

    fn finish(self, tx: Tx, dry_run: bool, summary: Summary) -> Result<Summary> {
        self.report.finish(tx, dry_run, summary)
    }
}

impl Rows {
    /// The next record, bad when its field count does not match the header.
    fn next(&mut self) -> Result<Option<Line>> {
        self.next_into(Record::default())
    }

    /// [`Rows::next`], reading into the memory of a record done with.
    fn next_into(&mut self, mut record: Record) -> Result<Option<Line>> {
        match self.reader.read_into(&mut record) {
            Ok(true) => {}
            Ok(false) => return Ok(None),
            Err(e) => return Err(read_failure(&self.name, e).into()),
        }
        if record.field_count() == self.header.len() {
            return Ok(Some(Line::Good(record)));
        }
        let mut message = format!(
            "line {}: {} fields where the header has {}",
            record.line,
            record.field_count(),
            self.header.len()
        );
        if record.end_line > record.line {
            message.push_str(&format!(
                " (the record runs to line {}: a stray quote?)",
                record.end_line
            ));
        }
        Ok(Some(Line::Bad(record, message)))
    }
}

/// `line N, column "X": "value" is not <what>`.
fn bad_value_message(header: &[String], record: &Record, column: usize, what: &str) -> String {
    format!(
        "line {}, column {:?}: {:?} is not {what}",
        record.line,
        header[column],
        record.field(column)
    )
}

impl Report {
    fn bad_value(&mut self, record: &Record, column: usize, what: &str) -> Result<()> {
        let message = bad_value_message(&self.header, record, column, what);
        self.reject(record, message)
    }

    fn bad_row(&mut self, record: &Record, column: usize, reason: &str) -> Result<()> {
        let message = format!(
            "line {}, column {:?}: {reason}",
            record.line, self.header[column]
        );
        self.reject(record, message)
    }

    fn reject(&mut self, record: &Record, message: String) -> Result<()> {
        self.error_count += 1;
        if let Some(rejects) = &mut self.rejects {
            rejects.write(record, &message)?;
        } else if self.errors.len() < MAX_LISTED_ERRORS {
            self.errors.push(message);
        }
        Ok(())
    }

    /// Commits (or rolls back for a dry run, or when rows were bad and the
    /// import is all-or-nothing) and finishes the rejects file.
    fn finish(self, tx: Tx, dry_run: bool, mut summary: Summary) -> Result<Summary> {
        if self.rejects.is_none() && self.error_count > 0 {
            tx.rollback()?;
            let mut details = self.errors;
            if self.error_count as usize > details.len() {
                details.push(format!(
                    "... and {} more",
                    self.error_count as usize - details.len()
                ));
            }
            let rows = if self.error_count == 1 {
                "row is"
            } else {
                "rows are"
            };
            return Err(Failure::bad_input(format!(
                "{}: {} {rows} invalid; nothing was imported",
                self.name, self.error_count
            ))
            .details(details)
            .hint("fix the rows, or pass --skip-invalid --rejects FILE to import the others")
            .into());
        }
        summary.rejected = self.error_count;
        if dry_run {
            tx.rollback()?;
        } else {
            tx.commit()?;
        }
        if let Some(rejects) = self.rejects {
            rejects.finish()?;
        }
        Ok(summary)
    }
}

fn read_failure(name: &str, err: ReadError) -> Failure {
    let what = match &err {
        ReadError::Io(e) if e.kind() != io::ErrorKind::InvalidData => {
            return Failure::failed(format!("cannot read {name}: {e}"));
        }
        _ => err.to_string(),
    };
    Failure::bad_input(format!("{name}: {what}; nothing was imported"))
}

/// The rejects file: the bad rows as they were, with their line and reason,
/// written beside its final place (mode 0600: it holds personal data) and
/// renamed there when the import is done.
struct Rejects {
    writer: csv::Writer<File>,
    temp: TempOutput,
}

impl Rejects {
    fn create(path: &Path, header: &[String], delimiter: u8) -> Result<Rejects> {
        let mut temp = TempOutput::create(path)?;
        let file = temp.file().try_clone()?;
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .from_writer(file);
        let mut first = vec!["line".to_string(), "error".to_string()];
        first.extend(header.iter().cloned());
        writer.write_record(&first)?;
        Ok(Rejects { writer, temp })
    }

    fn write(&mut self, record: &Record, message: &str) -> Result<()> {
        let line = record.line.to_string();
        let fields = [line.as_str(), message].into_iter().chain(record.fields());
        self.writer
            .write_record(fields)
            .context("cannot write the rejects file")
    }

    fn finish(mut self) -> Result<()> {
        self.writer
            .flush()
            .context("cannot write the rejects file")?;
        self.temp.commit()
    }
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
struct Checked {
    cube_id: [u8; uuid::fmt::Hyphenated::LENGTH],
    /// Made of first and last name, when there is no name column (or it is empty).
    name: Option<String>,
    /// Written as `DD.MM.YYYY`, stored as `YYYY-MM-DD`.
    birth_date: Option<String>,
    /// The extra fields as JSON, when the row has any.
    extra: Option<String>,
}

/// Where each card field is in a record, from the header mapping.
#[derive(Debug, Default)]
struct CardColumns {
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
}

impl CardColumns {
    fn new(fields: &[Field]) -> CardColumns {
        let mut columns = CardColumns::default();
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
                Field::Ignore => continue,
            };
            *slot = Some(i);
        }
        columns
    }
}

/// The card of a checked row, borrowed from its record.
fn card_text<'a>(columns: &CardColumns, record: &'a Record, checked: &'a Checked) -> CardText<'a> {
    let trimmed = |column: Option<usize>| column.map_or("", |i| record.field(i).trim());
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
        notes: columns.notes.map_or("", |i| record.field(i)),
        extra: checked.extra.as_deref().unwrap_or("{}"),
    }
}

/// Imports customers. One thread reads, checks and gives ids; this one
/// writes, so that reading and writing take turns on two cores.
///
/// The import's transaction runs with foreign key checks off: the only key
/// a new customer has is its campaign, which the same transaction has just
/// read or created under the write lock, and the check cost a search of the
/// campaigns per row and a statement journal per INSERT. Its WAL is synced
/// as it grows (see [`Db::with_wal_flushed`]).
pub fn customers(
    db: &Db,
    source: &Source,
    options: &CustomerOptions,
    now: DateTime<Utc>,
    ui: &Ui,
) -> Result<Summary> {
    db.with_foreign_keys_off(|| {
        db.with_wal_flushed(|| import_customers(db, source, options, now, ui))
    })
}

fn import_customers(
    db: &Db,
    source: &Source,
    options: &CustomerOptions,
    now: DateTime<Utc>,
    ui: &Ui,
) -> Result<Summary> {
    let Input { rows, mut report } = Input::open(source)?;
    let fields = map_customer_columns(&rows.header, &options.maps)?;
    let now_text = timestamp(now);
    let tx = db.begin()?;
    let campaign_id = match &options.campaign {
        None => None,
        Some(name) => Some(import_campaign(&tx, name, &now_text, ui)?),
    };
    let columns = CardColumns::new(&fields);
    let bar = ui.progress(None, "rows");
    let mut summary = Summary::default();
    let mut inserter = tx.customer_inserter(campaign_id, &now_text);
    std::thread::scope(|scope| -> Result<()> {
        let (sender, batches) = mpsc::sync_channel(BATCHES_IN_FLIGHT);
        // Written batches go back to the reading thread, which reads new
        // records into their memory and frees the rest (the system allocator
        // frees much faster on the thread that allocated).
        let (give_back, written) = mpsc::channel();
        let now_ms = now.timestamp_millis().max(0) as u64;
        let columns = &columns;
        let reading = scope.spawn(move || read_cards(rows, columns, now_ms, sender, written));
        for batch in batches {
            bar.inc(batch.len() as u64);
            let cards: Vec<_> = batch
                .iter()
                .filter_map(|Parsed { record, card }| Some((record, card.as_ref().ok()?)))
                .map(|(record, checked)| {
                    let cube_id = std::str::from_utf8(&checked.cube_id).unwrap_or_default();
                    (cube_id, card_text(columns, record, checked))
                })
                .collect();
            let inserted = inserter.insert(&cards)?;
            let mut outcomes = cards.iter().zip(inserted);
            for Parsed { record, card } in &batch {
                if let Err(message) = card {
                    report.reject(record, message.clone())?;
                    continue;
                }
                match outcomes.next() {
                    Some((_, true)) => summary.imported += 1,
                    Some(((_, text), false)) => taken_number(
                        &tx,
                        &mut report,
                        record,
                        columns.customer_no.unwrap_or(0),
                        text,
                        options,
                        &now_text,
                        &mut summary,
                    )?,
                    None => anyhow::bail!("line {}: the row was not written", record.line),
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
    bar.finish_and_clear();
    report.finish(tx, source.dry_run, summary)
}

/// The reading thread: records to checked cards with new cube ids, in batches.
/// Stops early, without an error, when the writer has stopped listening.
fn read_cards(
    mut rows: Rows,
    columns: &CardColumns,
    now_ms: u64,
    sender: mpsc::SyncSender<Vec<Parsed>>,
    written: mpsc::Receiver<Vec<Parsed>>,
) -> Result<()> {
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
                    ids.next(now_ms)
                        .hyphenated()
                        .encode_lower(&mut checked.cube_id);
                    checked
                }),
                record,
            },
        });
        if batch.len() == BATCH_ROWS {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS));
            if sender.send(full).is_err() {
                return Ok(());
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
    Ok(())
}

/// A row whose customer number a customer already has: skipped, written over
/// or bad, as `--on-duplicate` says.
#[allow(clippy::too_many_arguments)]
fn taken_number(
    tx: &Tx,
    report: &mut Report,
    record: &Record,
    column: usize,
    card: &CardText,
    options: &CustomerOptions,
    now: &str,
    summary: &mut Summary,
) -> Result<()> {
    let found = match card.customer_no {
        Some(no) => tx.customer_by_number(no)?,
        None => None,
    }
    .with_context(|| format!("line {}: the customer could not be inserted", record.line))?;
    match options.on_duplicate {
        OnDuplicate::Skip => summary.skipped += 1,
        OnDuplicate::Update => {
            tx.update_card(found.id, card, now)?;
            summary.updated += 1;
        }
        OnDuplicate::Error => {
            report.bad_row(
                record,
                column,
                &format!(
                    "customer number {:?} is taken by another customer (see --on-duplicate)",
                    record.field(column)
                ),
            )?;
        }
    }
    Ok(())
}

/// The campaign to import into, created if missing; an archived one is refused.
fn import_campaign(tx: &Tx, name: &str, now: &str, ui: &Ui) -> Result<i64> {
    match tx.campaign_by_name(name)? {
        Some(c) if c.status == crate::db::CampaignStatus::Archived => Err(Failure::refused(
            format!("campaign {name:?} is archived; its customers are no longer handed out"),
        )
        .hint(format!("reactivate it first: cube reactivate {name:?}"))
        .into()),
        Some(c) => Ok(c.id),
        None => {
            ui.detail(&format!("creating campaign {name:?}"));
            Ok(tx.create_campaign(name, now)?.id)
        }
    }
}

/// Checks one row's card; the error says why the row is bad.
fn check_card(
    header: &[String],
    record: &Record,
    columns: &CardColumns,
) -> Result<Checked, String> {
    let field = |column: Option<usize>| column.map_or("", |i| record.field(i).trim());
    if let Some(i) = columns.email.filter(|&i| !field(Some(i)).is_empty()) {
        validate::email(field(Some(i)))
            .map_err(|what| bad_value_message(header, record, i, what))?;
    }
    let mut birth_date = None;
    if let Some(i) = columns.birth_date.filter(|&i| !field(Some(i)).is_empty()) {
        let date = validate::date(field(Some(i)))
            .map_err(|what| bad_value_message(header, record, i, what))?
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
        let parts = [columns.first_name, columns.last_name]
            .into_iter()
            .flatten()
            .min();
        let (column, shown) = match (columns.name, &name) {
            (Some(i), None) => (i, record.field(i)),
            _ => (parts.or(columns.name).unwrap_or(0), shown),
        };
        return Err(format!(
            "line {}, column {:?}: {shown:?} is not {what}",
            record.line, header[column]
        ));
    }
    let mut extra = serde_json::Map::new();
    for &i in &columns.extra {
        let value = record.field(i);
        if !value.is_empty() {
            extra.insert(header[i].trim().to_string(), value.into());
        }
    }
    Ok(Checked {
        cube_id: [0; uuid::fmt::Hyphenated::LENGTH],
        name,
        birth_date,
        extra: (!extra.is_empty()).then(|| serde_json::Value::Object(extra).to_string()),
    })
}

/// The columns of an outcomes or history file, by normalized header.
#[derive(Debug, Default)]
struct Columns(HashMap<&'static str, usize>);

impl Columns {
    fn find(header: &[String], known: &[(&'static str, &[&str])]) -> Columns {
        let mut found = HashMap::new();
        for (i, h) in header.iter().enumerate() {
            let n = normalize_header(h);
            if let Some((key, _)) = known.iter().find(|(_, names)| names.contains(&n.as_str())) {
                found.entry(*key).or_insert(i);
            }
        }
        Columns(found)
    }

    fn require(&self, keys: &[&str], header: &[String]) -> Result<()> {
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

const CUSTOMER_KEYS: &[(&str, &[&str])] = &[
    (
        "customer_no",
        &[
            "customerno",
            "customernumber",
            "customerid",
            "kundenr",
            "kundenummer",
        ],
    ),
    ("cube_id", &["cubeid"]),
];
const OUTCOME_KEYS: &[(&str, &[&str])] = &[
    ("campaign", &["campaign", "kampanje", "oppdrag"]),
    ("seller", &["seller", "selger", "user", "username"]),
    ("date", &["date", "dato", "time", "tid", "registeredat"]),
    ("outcome", &["outcome", "utfall", "resultat", "result"]),
    ("comment", &["comment", "kommentar"]),
    ("product", &["product", "produkt"]),
    ("quantity", &["quantity", "antall", "qty"]),
    ("unit_price", &["unitprice", "price", "pris", "enhetspris"]),
    ("recording", &["recording", "opptak", "recordingpath"]),
];
const HISTORY_KEYS: &[(&str, &[&str])] = &[
    ("date", &["date", "dato", "time", "tid", "at"]),
    ("kind", &["kind", "type", "art"]),
    ("text", &["text", "tekst", "note", "notat"]),
];

fn keys(
    extra: &[(&'static str, &'static [&'static str])],
) -> Vec<(&'static str, &'static [&'static str])> {
    CUSTOMER_KEYS.iter().chain(extra).copied().collect()
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

/// Imports outcomes, each with an optional sale and call recording. The WAL
/// is synced as it grows (see [`Db::with_wal_flushed`]).
pub fn outcomes(
    db: &Db,
    source: &Source,
    recordings: &Path,
    now: DateTime<Utc>,
    ui: &Ui,
) -> Result<Summary> {
    db.with_wal_flushed(|| import_outcomes(db, source, recordings, now, ui))
}

fn import_outcomes(
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

struct OutcomeRow<'r> {
    campaign: &'r str,
    seller: &'r str,
    at: DateTime<Utc>,
    label: &'r str,
    comment: &'r str,
    sale: Option<(&'r str, i64, i64)>,
    recording: Option<String>,
}

fn read_outcome<'r>(
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

/// Imports history entries, syncing the WAL as it grows.
pub fn history(db: &Db, source: &Source, ui: &Ui) -> Result<Summary> {
    db.with_wal_flushed(|| import_history(db, source, ui))
}

fn import_history(db: &Db, source: &Source, ui: &Ui) -> Result<Summary> {
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

/// Reads a customers file and checks every row without a database: what an
/// import would accept and reject. Returns (valid rows, invalid rows). The
/// fuzz target `import_customers` drives it with arbitrary bytes.
pub fn check_customers(
    input: impl Read + Send + 'static,
    maps: &[(String, String)],
) -> Result<(u64, u64)> {
    let mut input = Input::from_reader(Box::new(input), "input".into(), &Source::default())?;
    let columns = CardColumns::new(&map_customer_columns(input.header(), maps)?);
    let mut valid = 0;
    while let Some(record) = input.next()? {
        match check_card(input.header(), &record, &columns) {
            Ok(_) => valid += 1,
            Err(message) => input.report.reject(&record, message)?,
        }
    }
    Ok((valid, input.report.error_count))
}

/// Reads an outcomes file and checks every row's own values (not the
/// customers it names) without a database. Returns (valid rows, invalid rows).
pub fn check_outcomes(input: impl Read + Send + 'static, recordings: &Path) -> Result<(u64, u64)> {
    let mut input = Input::from_reader(Box::new(input), "input".into(), &Source::default())?;
    let columns = Columns::find(input.header(), &keys(OUTCOME_KEYS));
    columns.require(&["campaign", "seller", "date", "outcome"], input.header())?;
    let mut valid = 0;
    while let Some(record) = input.next()? {
        if read_outcome(&mut input, &record, &columns, recordings)?.is_some() {
            valid += 1;
        }
    }
    Ok((valid, input.report.error_count))
}
