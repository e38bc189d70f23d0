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
//!
//! This module holds what every import shares: the options and summary,
//! reading the input, collecting bad rows and writing the rejects file, and
//! finishing the transaction. [`headers`] is the one header vocabulary of all
//! three file kinds, [`customers`] the threaded bulk import of customer
//! cards, and [`activity`] the import of outcomes and history.

mod activity;
mod customers;
mod headers;

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::csvio::{AtomicFile, CsvReader, Encoding, ReadError, Record};
use crate::db::{Db, Tx};
use crate::Failure;

use activity::{Columns, OUTCOME_FIELDS};
use customers::CardColumns;
use headers::FileKind;

/// How many bad rows an all-or-nothing import lists before it only counts.
const MAX_LISTED_ERRORS: usize = 20;

/// What `import` reports; the `--json` shape.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Summary {
    pub imported: u64,
    pub updated: u64,
    pub skipped: u64,
    pub rejected: u64,
    /// Campaigns the import created, for `--verbose`.
    #[serde(skip)]
    pub created_campaigns: Vec<String>,
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
            Ok(Some(record)) => {
                let header = record.fields().map(String::from).collect::<Vec<_>>();
                check_header(&name, record.line, &header)?;
                header
            }
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
            "line {}: {} where the header has {}",
            record.line,
            crate::commands::plural(record.field_count() as u64, "field", "fields"),
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

/// Every column needs a header of its own: an empty one names nothing that
/// `--map` or an extra field could keep, and of two alike (case and the
/// spaces around them aside) one would be read under the other's name.
fn check_header(name: &str, line: u64, header: &[String]) -> Result<(), Failure> {
    let folded: Vec<String> = header
        .iter()
        .map(|h| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .trim()
                .to_lowercase()
        })
        .collect();
    for (i, h) in folded.iter().enumerate() {
        if h.is_empty() {
            return Err(Failure::bad_input(format!(
                "{name}: line {line}, column {}: the header is empty; nothing was imported",
                i + 1
            ))
            .hint("give every column a header, or remove the column"));
        }
        if let Some(first) = folded[..i].iter().position(|other| other == h) {
            return Err(Failure::bad_input(format!(
                "{name}: line {line}: columns {} and {} have the same header {:?}; nothing was imported",
                first + 1,
                i + 1,
                header[i].trim()
            ))
            .hint("give every column a header of its own"));
        }
    }
    Ok(())
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
    temp: AtomicFile,
}

impl Rejects {
    fn create(path: &Path, header: &[String], delimiter: u8) -> Result<Rejects> {
        let mut temp = AtomicFile::create(path, "rejects")?;
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
    progress: &dyn Fn(u64),
) -> Result<Summary> {
    db.with_foreign_keys_off(|| {
        db.with_wal_flushed(|| customers::import(db, source, options, now, progress))
    })
}

/// Imports outcomes, each with an optional sale and call recording. The WAL
/// is synced as it grows (see [`Db::with_wal_flushed`]).
pub fn outcomes(
    db: &Db,
    source: &Source,
    recordings: &Path,
    now: DateTime<Utc>,
    progress: &dyn Fn(u64),
) -> Result<Summary> {
    db.with_wal_flushed(|| activity::outcomes(db, source, recordings, now, progress))
}

/// Imports history entries, syncing the WAL as it grows.
pub fn history(db: &Db, source: &Source, progress: &dyn Fn(u64)) -> Result<Summary> {
    db.with_wal_flushed(|| activity::history(db, source, progress))
}

/// Reads a customers file and checks every row without a database: what an
/// import would accept and reject. Returns (valid rows, invalid rows). The
/// fuzz target `import_customers` drives it with arbitrary bytes.
pub fn check_customers(
    input: impl Read + Send + 'static,
    maps: &[(String, String)],
) -> Result<(u64, u64)> {
    let mut input = Input::from_reader(Box::new(input), "input".into(), &Source::default())?;
    let columns = CardColumns::new(&customers::map_customer_columns(input.header(), maps)?);
    let mut valid = 0;
    while let Some(record) = input.next()? {
        match customers::check_card(input.header(), &record, &columns) {
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
    let columns = Columns::find(FileKind::Outcomes, input.header());
    columns.require(OUTCOME_FIELDS, input.header())?;
    let mut valid = 0;
    while let Some(record) = input.next()? {
        if activity::read_outcome(&mut input, &record, &columns, recordings)?.is_some() {
            valid += 1;
        }
    }
    Ok((valid, input.report.error_count))
}
