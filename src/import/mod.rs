//! Importing customers, outcomes and history from CSV files and workbooks.
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
//! Importing a file again doubles nothing (a cron job may run twice): a
//! customer already there is one by its customer number, or, for a row
//! without one, by its e-mail or phone; an outcome or history entry the same
//! as one stored is skipped. [`duplicates`] holds those rules, and remembers
//! each outcomes and history file by its checksum.
//!
//! This module holds what every import shares: the options and summary,
//! reading the input (CSV, or a workbook recognised by its first bytes, see
//! [`crate::workbook`]), passing over blank rows (counted, never errors),
//! collecting bad rows and writing the rejects file, and finishing the
//! transaction. [`headers`] is the one header vocabulary of all
//! three file kinds, [`customers`] and [`outcomes`] the threaded bulk
//! imports of customer cards and of outcomes, and [`activity`] the import of
//! history (and what it shares with outcomes).

mod activity;
mod customers;
mod duplicates;
mod headers;
mod outcomes;

use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::csvio::{AtomicFile, CsvReader, Encoding, ReadError, Record};
use crate::db::{Db, ImportedFile, Tx};
use crate::validate::Dates;
use crate::workbook::{self, Sheet};
use crate::Failure;

use activity::Columns;
use customers::CardColumns;
use headers::FileKind;
pub use headers::Mapped;
use outcomes::OUTCOME_FIELDS;

/// How many bad rows an all-or-nothing import lists before it only counts.
const MAX_LISTED_ERRORS: usize = 20;

/// What `import` reports; the `--json` shape.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Summary {
    pub imported: u64,
    pub updated: u64,
    pub skipped: u64,
    pub rejected: u64,
    /// Blank rows passed over (`;;;` lines, empty lines, empty rows of a
    /// workbook).
    pub blank: u64,
    /// The first import of the same file, when it was imported before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imported_before: Option<ImportedFile>,
    /// What each column was read as; given by a dry run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mapping: Option<Vec<Mapped>>,
    /// Campaigns the import created, for `--verbose`.
    #[serde(skip)]
    pub created_campaigns: Vec<String>,
    /// Updated customers moved into the import's campaign, and its name.
    #[serde(skip)]
    pub moved: u64,
    #[serde(skip)]
    pub campaign: Option<String>,
    /// Why rows were rejected, when no rejects file says it (a dry run).
    #[serde(skip)]
    pub reasons: Vec<String>,
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
    /// The file (CSV or a workbook), or `-` for standard input.
    pub path: PathBuf,
    pub encoding: Option<Encoding>,
    pub delimiter: Option<u8>,
    /// A workbook's sheet to read, by name; the first when `None`.
    pub sheet: Option<String>,
    /// The line (a workbook's row) of the header, 1-based; the first line
    /// that is not blank when `None`.
    pub header_row: Option<u64>,
    /// The forms dates are read in (`--date-format`).
    pub dates: Dates,
    /// Import the good rows (and write the bad ones to `rejects`).
    pub skip_invalid: bool,
    /// Where the bad rows go; a dry run writes no file.
    pub rejects: Option<PathBuf>,
    pub dry_run: bool,
    /// Create a campaign the file names even when an existing campaign has a
    /// close name (`--new-campaign`; see [`crate::flow::import_campaign`]).
    pub new_campaign: bool,
    /// Bytes of the input read so far: with the file's size, how far an
    /// import has come (a progress bar's percentage and time left).
    pub bytes_read: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// Counts the bytes read through it into [`Source::bytes_read`].
struct Counted {
    inner: Box<dyn Read + Send>,
    read: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
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
    /// What each column is read as, for a dry run's summary.
    mapping: Option<Vec<Mapped>>,
    /// The forms dates are read in.
    dates: Dates,
}

/// The reading half: the records of the file, after its header.
struct Rows {
    reader: Reader,
    header: Vec<String>,
    name: String,
    /// Records with nothing but empty fields passed over.
    blank: u64,
    /// Empty lines the CSV reader had passed over before the header.
    empty_before: u64,
}

/// Where the records come from.
enum Reader {
    Csv(CsvReader<Box<dyn Read + Send>>),
    Sheet(Sheet),
}

impl Reader {
    fn read_into(&mut self, record: &mut Record) -> Result<bool, ReadError> {
        match self {
            Reader::Csv(csv) => csv.read_into(record),
            Reader::Sheet(sheet) => Ok(sheet.read_into(record)),
        }
    }
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
    /// Bad rows are left out rather than failing the import.
    skip_invalid: bool,
    errors: Vec<String>,
    error_count: u64,
    /// Of them, rows that are customers already there (`--on-duplicate error`).
    duplicates: u64,
    name: String,
}

impl Input {
    fn open(source: &Source) -> Result<Input> {
        Input::open_with(source, None)
    }

    /// [`Input::open`], with the checksum of every byte read.
    fn open_summed(source: &Source) -> Result<(Input, duplicates::Checksum)> {
        let checksum = duplicates::Checksum::default();
        Ok((Input::open_with(source, Some(&checksum))?, checksum))
    }

    fn open_with(source: &Source, checksum: Option<&duplicates::Checksum>) -> Result<Input> {
        let (stream, name): (Box<dyn Read + Send>, String) = if source.path.as_os_str() == "-" {
            (Box::new(io::stdin()), "standard input".into())
        } else {
            let file = File::open(&source.path)
                .with_context(|| format!("cannot open {}", source.path.display()))?;
            (Box::new(file), source.path.display().to_string())
        };
        let stream = match checksum {
            Some(checksum) => checksum.reading(stream),
            None => stream,
        };
        let stream = Box::new(Counted {
            inner: stream,
            read: source.bytes_read.clone(),
        });
        Input::from_reader(stream, name, source)
    }

    fn from_reader(
        mut stream: Box<dyn Read + Send>,
        name: String,
        source: &Source,
    ) -> Result<Input> {
        // The first bytes say whether it is a workbook: read them, then
        // hand them on with the rest.
        let mut prefix = Vec::with_capacity(8);
        (&mut stream)
            .take(8)
            .read_to_end(&mut prefix)
            .map_err(|e| read_failure(&name, e.into()))?;
        let header_line = source.header_row.unwrap_or(1);
        let mut reader = match workbook::sniff(&prefix) {
            Some(format) => {
                let mut bytes = prefix;
                stream
                    .read_to_end(&mut bytes)
                    .map_err(|e| read_failure(&name, e.into()))?;
                let sheet = source.sheet.as_deref();
                Reader::Sheet(Sheet::open(bytes, format, sheet, header_line, &name)?)
            }
            None => {
                let utf16 = prefix.starts_with(b"\xFF\xFE") || prefix.starts_with(b"\xFE\xFF");
                if prefix.contains(&0) && !utf16 {
                    return Err(Failure::bad_input(format!(
                        "{name} is neither text nor a workbook (it holds NUL bytes); nothing was imported"
                    ))
                    .hint("import a CSV file (UTF-8 or Windows-1252) or a workbook (.xlsx, .xls, .ods)")
                    .into());
                }
                if let Some(sheet) = &source.sheet {
                    return Err(Failure::refused(format!(
                        "--sheet {sheet:?}: {name} is no workbook (xlsx, xls or ods) but text"
                    ))
                    .into());
                }
                let stream: Box<dyn Read + Send> = Box::new(Cursor::new(prefix).chain(stream));
                let csv = CsvReader::with_header_at(
                    stream,
                    source.encoding,
                    source.delimiter,
                    header_line,
                )
                .map_err(|e| read_failure(&name, e.into()))?;
                Reader::Csv(csv)
            }
        };
        let mut record = Record::default();
        let header = match reader.read_into(&mut record) {
            Ok(true) => {
                let header = record.fields().map(String::from).collect::<Vec<_>>();
                check_header(&name, record.line, &header)?;
                header
            }
            Ok(false) => {
                let message = match source.header_row {
                    Some(line) => {
                        format!("{name} has nothing on line {line} or after it (--header-row)")
                    }
                    None => format!("{name} is empty"),
                };
                return Err(Failure::bad_input(message).into());
            }
            Err(e) => return Err(read_failure(&name, e).into()),
        };
        let (delimiter, empty_before) = match &mut reader {
            Reader::Csv(csv) => {
                csv.set_columns(header.len());
                (csv.delimiter(), csv.empty_lines())
            }
            Reader::Sheet(_) => (b',', 0),
        };
        let rejects = match &source.rejects {
            Some(path) if !source.dry_run => Some(Rejects::create(path, &header, delimiter)?),
            _ => None,
        };
        Ok(Input {
            report: Report {
                header: header.clone(),
                rejects,
                skip_invalid: source.skip_invalid || source.rejects.is_some(),
                errors: Vec::new(),
                error_count: 0,
                duplicates: 0,
                name: name.clone(),
            },
            rows: Rows {
                reader,
                header,
                name,
                blank: 0,
                empty_before,
            },
            mapping: None,
            dates: source.dates.clone(),
        })
    }

    /// Notes what each column of an outcomes or history file is read as,
    /// for a dry run's summary.
    fn describe(&mut self, kind: FileKind, dry_run: bool) {
        if dry_run {
            let header = &self.rows.header;
            let fields = kind.columns(header, &Default::default());
            self.mapping = Some(headers::describe(kind, header, &fields));
        }
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

    fn finish(self, tx: Tx, dry_run: bool, mut summary: Summary) -> Result<Summary> {
        summary.blank = self.rows.blank_rows();
        summary.mapping = self.mapping;
        self.report.finish(tx, dry_run, summary)
    }
}

impl Rows {
    /// The next record, bad when its field count does not match the header.
    fn next(&mut self) -> Result<Option<Line>> {
        self.next_into(Record::default())
    }

    /// [`Rows::next`], reading into the memory of a record done with. Blank
    /// records (`;;;`, which Excel writes for an empty row) are passed over
    /// and counted, whatever their field count.
    fn next_into(&mut self, mut record: Record) -> Result<Option<Line>> {
        loop {
            match self.reader.read_into(&mut record) {
                Ok(true) => {}
                Ok(false) => return Ok(None),
                Err(e) => return Err(read_failure(&self.name, e).into()),
            }
            if !record.is_blank() {
                break;
            }
            self.blank += 1;
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

    /// Blank rows and lines passed over since the header.
    fn blank_rows(&self) -> u64 {
        self.blank
            + match &self.reader {
                Reader::Csv(csv) => csv.empty_lines() - self.empty_before,
                Reader::Sheet(sheet) => sheet.blank_rows(),
            }
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

/// `line N, column "X": <reason>`.
fn bad_row_message(header: &[String], record: &Record, column: usize, reason: &str) -> String {
    format!(
        "line {}, column {:?}: {reason}",
        record.line, header[column]
    )
}

impl Report {
    fn bad_value(&mut self, record: &Record, column: usize, what: &str) -> Result<()> {
        let message = bad_value_message(&self.header, record, column, what);
        self.reject(record, message)
    }

    fn bad_row(&mut self, record: &Record, column: usize, reason: &str) -> Result<()> {
        let message = bad_row_message(&self.header, record, column, reason);
        self.reject(record, message)
    }

    /// A row that is a customer already there, refused as `--on-duplicate
    /// error` says.
    fn duplicate_row(&mut self, record: &Record, column: usize, reason: &str) -> Result<()> {
        self.duplicates += 1;
        self.bad_row(record, column, reason)
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
        let mut details = self.errors;
        if self.error_count as usize > details.len() {
            details.push(format!(
                "... and {} more",
                self.error_count as usize - details.len()
            ));
        }
        if !self.skip_invalid && self.error_count > 0 {
            tx.rollback()?;
            let one = self.error_count == 1;
            // A file imported before (a cron job run twice) is not invalid:
            // its rows are there already.
            let what = match (self.duplicates == self.error_count, one) {
                (true, true) => "row is a customer there already",
                (true, false) => "rows are customers there already",
                (false, true) => "row is invalid",
                (false, false) => "rows are invalid",
            };
            return Err(Failure::bad_input(format!(
                "{}: {} {what}; nothing was imported",
                self.name, self.error_count
            ))
            .details(details)
            .hint(if self.duplicates == self.error_count {
                // A file imported before: a cron job run twice.
                "they are customers already there: pass --on-duplicate skip to leave them as they are, or update to write the file over them"
            } else {
                "fix the rows, or pass --skip-invalid --rejects FILE to import the others"
            })
            .into());
        }
        summary.rejected = self.error_count;
        if self.rejects.is_none() {
            summary.reasons = details;
        }
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
///
/// A rejects file imported back (once fixed) has a line and reason of its
/// own: they are left out, so that its rejects have one of each.
struct Rejects {
    writer: csv::Writer<File>,
    temp: AtomicFile,
    /// The input's own `line` and `error` columns, left out.
    own: usize,
}

impl Rejects {
    fn create(path: &Path, header: &[String], delimiter: u8) -> Result<Rejects> {
        let own = headers::rejects_columns(header);
        let mut temp = AtomicFile::create(path, "rejects")?;
        let file = temp.file().try_clone()?;
        // A record whose field count is wrong is a bad row like any other,
        // and is written as it was, its fields neither padded nor cut.
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_writer(file);
        let mut first = vec!["line".to_string(), "error".to_string()];
        first.extend(header[own..].iter().cloned());
        writer.write_record(&first)?;
        Ok(Rejects { writer, temp, own })
    }

    fn write(&mut self, record: &Record, message: &str) -> Result<()> {
        let line = record.line.to_string();
        let fields = [line.as_str(), message]
            .into_iter()
            .chain(record.fields().skip(self.own));
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
    // Cube ids and references are random, so each new customer's entries land
    // on a random page of their indexes: with SQLite's default 2 MB cache those
    // pages were written out and read back again and again (200,000 customers
    // took three times as long). The cache holds them; a million customers'
    // index pages are more than it, and the import slows, not fails.
    db.set_cache_mib(IMPORT_CACHE_MIB)?;
    // A first import sorts the keys of every row it wrote to build indexes
    // at its end: in memory that sort grew with the file (150 MB more at two
    // million customers), in temporary files it stays within the page cache.
    let summary = db.with_temp_on_disk(|| {
        db.with_foreign_keys_off(|| {
            db.with_wal_flushed(|| customers::import(db, source, options, now, progress))
        })
    });
    db.set_cache_mib(DEFAULT_CACHE_MIB)?;
    summary
}

/// The page cache of a customer or outcomes import, in MiB: within the 64 MB
/// cube allows itself.
const IMPORT_CACHE_MIB: i64 = 24;
/// SQLite's own default, about 2 MB.
const DEFAULT_CACHE_MIB: i64 = 2;

/// Imports outcomes, each with an optional sale and call recording; one the
/// same as an outcome stored is skipped unless `allow_duplicates`.
///
/// Like the customer import, it runs with a bigger page cache (each batch's
/// customers are read and then updated, their pages best kept), without
/// foreign key checks (every customer, campaign and seller an outcome links
/// to was found or made in the same transaction, under the write lock; the
/// checks cost three searches per row), and with its WAL synced as it grows
/// (see [`Db::with_wal_flushed`]).
pub fn outcomes(
    db: &Db,
    source: &Source,
    recordings: &Path,
    allow_duplicates: bool,
    now: DateTime<Utc>,
    progress: &dyn Fn(u64),
) -> Result<Summary> {
    db.set_cache_mib(IMPORT_CACHE_MIB)?;
    let summary = db.with_foreign_keys_off(|| {
        db.with_wal_flushed(|| {
            outcomes::import(db, source, recordings, allow_duplicates, now, progress)
        })
    });
    db.set_cache_mib(DEFAULT_CACHE_MIB)?;
    summary
}

/// Imports history entries, skipping ones the same as an entry stored
/// unless `allow_duplicates`, and syncing the WAL as it grows.
pub fn history(
    db: &Db,
    source: &Source,
    allow_duplicates: bool,
    now: DateTime<Utc>,
    progress: &dyn Fn(u64),
) -> Result<Summary> {
    db.with_wal_flushed(|| activity::history(db, source, allow_duplicates, now, progress))
}

/// Reads a customers file and checks every row without a database: what an
/// import would accept and reject. Returns (valid rows, invalid rows). The
/// fuzz target `import_customers` drives it with arbitrary bytes.
pub fn check_customers(
    input: impl Read + Send + 'static,
    maps: &[(String, String)],
) -> Result<(u64, u64)> {
    let mut input = Input::from_reader(Box::new(input), "input".into(), &Source::default())?;
    let fields = customers::map_customer_columns(input.header(), maps)?;
    let columns = CardColumns::new(&fields, Dates::default());
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
        let header = input.header();
        match outcomes::check_values(header, &record, &columns, &input.dates, recordings) {
            Ok(_) => valid += 1,
            Err(message) => input.report.reject(&record, message)?,
        }
    }
    Ok((valid, input.report.error_count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_import_counts_the_bytes_it_reads_for_its_progress() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kunder.csv");
        let text = "customer_no,name\n1,Åse\n2,Per\n";
        std::fs::write(&path, text).unwrap();
        let source = Source {
            path,
            ..Source::default()
        };
        let mut input = Input::open(&source).unwrap();
        while input.next().unwrap().is_some() {}
        assert_eq!(
            source.bytes_read.load(std::sync::atomic::Ordering::Relaxed),
            text.len() as u64
        );
    }
}
