//! Reading a spreadsheet (xlsx, xlsm, xls, ods) as an import's rows, with
//! the `calamine` crate.
//!
//! A workbook is a zip (xlsx, ods) or OLE (xls) container that can only be
//! read whole, so unlike CSV it is held in memory: the file's bytes, what
//! calamine makes of them, and the text of the sheet's cells (at most
//! [`MAX_SHEET_BYTES`]). What is recognised is decided by the first bytes
//! ([`sniff`]), never by the file name: a `.csv` that is really a workbook is
//! read as one, and a workbook's bytes never reach the CSV reader.
//!
//! Each cell becomes the text a person sees in the spreadsheet, in the forms
//! the importers read:
//! - text stays as it is, so identifiers kept as text keep their leading zeros;
//! - a number is written as a spreadsheet's General format shows it: an
//!   integer without `.0` (a customer number, phone or postal code stored as a
//!   number reads `1234`, not `1234.0`), others with up to 15 significant digits;
//! - a date cell becomes `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SS` when it has a
//!   time of day;
//! - an error cell its code (`#N/A`), a boolean `TRUE` or `FALSE`.
//!
//! The same bounds hold as for CSV: a cell of at most
//! [`MAX_FIELD_BYTES`](crate::csvio::MAX_FIELD_BYTES), a row of at most
//! [`MAX_FIELDS`](crate::csvio::MAX_FIELDS) columns. A workbook is untrusted
//! input read by code cube does not own: a damaged one is an error, and a
//! panic inside the reader is caught and reported as damage, never shown as
//! a crash. An xlsx sheet is read cell by cell (calamine's grid would hold
//! every cell between the first and the last used one, which a crafted file
//! can put a billion cells apart).

use std::io::Cursor;
use std::panic::{self, AssertUnwindSafe};

use calamine::{Data, Ods, Range, Reader, Xls, Xlsx};
use chrono::{NaiveDate, NaiveTime};

use crate::csvio::{Record, MAX_FIELDS, MAX_FIELD_BYTES};
use crate::Failure;

/// The most text the cells of one sheet may hold: the sheet is held whole,
/// and a small file can repeat one long shared string in a million cells.
pub const MAX_SHEET_BYTES: usize = 1 << 30;

/// The kinds of workbook cube reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A zip container: xlsx or xlsm, or ods.
    Zip,
    /// An OLE compound file: xls (Excel 97-2003).
    Ole,
}

/// What the first bytes of an input say it is: a workbook, or `None` for
/// anything else (which the CSV reader then reads). Eight bytes suffice.
pub fn sniff(prefix: &[u8]) -> Option<Format> {
    if prefix.starts_with(b"PK\x03\x04") {
        Some(Format::Zip)
    } else if prefix.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        Some(Format::Ole)
    } else {
        None
    }
}

/// One row of a sheet that has text in it: the cells' text one after the
/// other, and where each cell's text ends, by column.
#[derive(Debug)]
struct Row {
    /// The row's number as the spreadsheet shows it (1-based).
    line: u64,
    text: String,
    /// (column, end of its text in `text`), columns ascending.
    cells: Vec<(u32, usize)>,
}

/// The rows of one sheet, from the header on, handed out as records.
#[derive(Debug)]
pub struct Sheet {
    rows: std::vec::IntoIter<Row>,
    /// The leftmost column used: it is the records' first field.
    first_column: u32,
    /// How many fields the header has: shorter rows are filled up to it.
    width: usize,
    last_line: Option<u64>,
    blank_rows: u64,
}

impl Sheet {
    /// Reads one sheet of a workbook: `sheet` by name, or the first. Rows
    /// above `header_line` (1-based) are left out, so that the next row with
    /// text in it is the header. `name` names the input in errors.
    pub fn open(
        bytes: Vec<u8>,
        format: Format,
        sheet: Option<&str>,
        header_line: u64,
        name: &str,
    ) -> Result<Sheet, Failure> {
        let rows = caught(|| read_rows(bytes, format, sheet, header_line, name))
            .unwrap_or_else(|| Err(damaged(name, &"it is damaged")))?;
        let first_column = rows
            .iter()
            .filter_map(|r| r.cells.first())
            .map(|&(column, _)| column)
            .min()
            .unwrap_or(0);
        for row in &rows {
            let columns = row.cells.last().map_or(0, |&(c, _)| c - first_column + 1);
            if columns as usize > MAX_FIELDS {
                return Err(Failure::bad_input(format!(
                    "{name}: line {}: more than {MAX_FIELDS} columns; nothing was imported",
                    row.line
                )));
            }
        }
        Ok(Sheet {
            rows: rows.into_iter(),
            first_column,
            width: 0,
            last_line: None,
            blank_rows: 0,
        })
    }

    /// Empty rows passed over since the header.
    pub fn blank_rows(&self) -> u64 {
        self.blank_rows
    }

    /// Reads the next row into `record`; false at the end. The first row
    /// read is the header. Rows without text are passed over and counted.
    /// Every bound was checked by [`Sheet::open`]: nothing can fail here.
    pub fn read_into(&mut self, record: &mut Record) -> bool {
        let Some(row) = self.rows.next() else {
            return false;
        };
        if let Some(last) = self.last_line {
            self.blank_rows += row.line - last - 1;
        }
        self.last_line = Some(row.line);
        let used = row
            .cells
            .last()
            .map_or(0, |&(c, _)| (c - self.first_column) as usize + 1);
        if self.width == 0 {
            self.width = used;
        }
        let width = used.max(self.width);
        let mut cells = row.cells.iter().peekable();
        let mut start = 0;
        let fields = (0..width).map(|i| {
            let column = self.first_column + i as u32;
            match cells.next_if(|&&(c, _)| c == column) {
                Some(&(_, end)) => {
                    let text = &row.text[start..end];
                    start = end;
                    text
                }
                None => "",
            }
        });
        record.fill(row.line, fields);
        true
    }
}

/// Runs `f`, catching a panic (the workbook reader's, on a file it did not
/// expect) without the panic message a crash would print.
fn caught<T>(f: impl FnOnce() -> T) -> Option<T> {
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    panic::set_hook(hook);
    result.ok()
}

/// The error for a workbook that cannot be read.
fn damaged(name: &str, what: &dyn std::fmt::Display) -> Failure {
    Failure::bad_input(format!(
        "{name}: cannot read the workbook: {what}; nothing was imported"
    ))
    .hint("is the file whole? If it opens in a spreadsheet, save it again (or as CSV) and import that")
}

/// Whether a zip holds an OpenDocument spreadsheet: its first entry is named
/// `mimetype` and holds the type, stored uncompressed, right after the
/// 30-byte entry header.
fn is_ods(bytes: &[u8]) -> bool {
    bytes.get(30..).is_some_and(|rest| {
        rest.starts_with(b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet")
    })
}

fn read_rows(
    bytes: Vec<u8>,
    format: Format,
    sheet: Option<&str>,
    header_line: u64,
    name: &str,
) -> Result<Vec<Row>, Failure> {
    let damaged = |what: &dyn std::fmt::Display| damaged(name, what);
    let mut rows = Rows::new(header_line, name);
    match format {
        Format::Zip if is_ods(&bytes) => {
            let mut book: Ods<_> = Ods::new(Cursor::new(bytes)).map_err(|e| damaged(&e))?;
            let sheet = pick_sheet(&book.sheet_names(), sheet, name)?;
            let range = book.worksheet_range(&sheet).map_err(|e| damaged(&e))?;
            rows.add_range(&range)?;
        }
        Format::Zip => {
            let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| damaged(&e))?;
            let sheet = pick_sheet(&book.sheet_names(), sheet, name)?;
            let mut cells = book
                .worksheet_cells_reader(&sheet)
                .map_err(|e| damaged(&e))?;
            while let Some(cell) = cells.next_cell().map_err(|e| damaged(&e))? {
                let (row, column) = cell.get_position();
                rows.add(row, column, &Data::from(cell.get_value().clone()))?;
            }
        }
        Format::Ole => {
            let mut book: Xls<_> = Xls::new(Cursor::new(bytes)).map_err(|e| damaged(&e))?;
            let sheet = pick_sheet(&book.sheet_names(), sheet, name)?;
            let range = book.worksheet_range(&sheet).map_err(|e| damaged(&e))?;
            rows.add_range(&range)?;
        }
    }
    Ok(rows.rows)
}

/// The sheet to read: the one named, or the first.
fn pick_sheet(names: &[String], wanted: Option<&str>, name: &str) -> Result<String, Failure> {
    match wanted {
        None => names.first().cloned().ok_or_else(|| {
            Failure::bad_input(format!(
                "{name}: the workbook has no sheet; nothing was imported"
            ))
        }),
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .or_else(|| {
                names
                    .iter()
                    .find(|n| n.trim().to_lowercase() == wanted.trim().to_lowercase())
            })
            .cloned()
            .ok_or_else(|| {
                Failure::refused(format!("{name}: the workbook has no sheet {wanted:?}"))
                    .hint(format!("its sheets: {}", names.join(", ")))
            }),
    }
}

/// Rows as the cells arrive, in order, with the bounds checked.
struct Rows<'a> {
    rows: Vec<Row>,
    header_line: u64,
    bytes: usize,
    name: &'a str,
}

impl<'a> Rows<'a> {
    fn new(header_line: u64, name: &'a str) -> Rows<'a> {
        Rows {
            rows: Vec::new(),
            header_line,
            bytes: 0,
            name,
        }
    }

    fn error(&self, line: u64, what: &str) -> Failure {
        Failure::bad_input(format!(
            "{}: line {line}: {what}; nothing was imported",
            self.name
        ))
    }

    /// Adds the cell at (`row`, `column`), both 0-based as calamine gives them.
    fn add(&mut self, row: u32, column: u32, value: &Data) -> Result<(), Failure> {
        let line = u64::from(row) + 1;
        if line < self.header_line || matches!(value, Data::Empty) {
            return Ok(());
        }
        let same_row = self.rows.last().is_some_and(|r| r.line == line);
        if !same_row {
            if self.rows.last().is_some_and(|r| r.line > line) {
                return Err(self.error(
                    line,
                    "the sheet's rows are out of order (open the workbook in a spreadsheet and save it again)",
                ));
            }
            self.rows.push(Row {
                line,
                text: String::new(),
                cells: Vec::new(),
            });
        }
        let Some(current) = self.rows.last_mut() else {
            return Ok(());
        };
        let start = current.text.len();
        cell_text(value, &mut current.text);
        let end = current.text.len();
        if end == start {
            return Ok(());
        }
        if end - start > MAX_FIELD_BYTES {
            return Err(self.error(
                line,
                &format!("a cell is longer than {MAX_FIELD_BYTES} bytes"),
            ));
        }
        self.bytes += end - start;
        if self.bytes > MAX_SHEET_BYTES {
            return Err(self.error(
                line,
                &format!(
                    "the sheet holds more than {} MiB of text, more than cube reads from a workbook (save it as CSV, which is read as it streams)",
                    MAX_SHEET_BYTES >> 20
                ),
            ));
        }
        match current.cells.last() {
            Some(&(last, _)) if last >= column => {
                return Err(self.error(
                    line,
                    "the row's cells are out of order (open the workbook in a spreadsheet and save it again)",
                ));
            }
            _ => current.cells.push((column, end)),
        }
        Ok(())
    }

    fn add_range(&mut self, range: &Range<Data>) -> Result<(), Failure> {
        let Some((top, left)) = range.start() else {
            return Ok(());
        };
        for (i, cells) in range.rows().enumerate() {
            for (j, value) in cells.iter().enumerate() {
                self.add(top + i as u32, left + j as u32, value)?;
            }
        }
        Ok(())
    }
}

/// Appends a cell's text, as a spreadsheet shows it (see the module docs).
fn cell_text(value: &Data, out: &mut String) {
    use std::fmt::Write;
    match value {
        Data::Empty => {}
        Data::String(text) => out.push_str(text),
        Data::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Data::Float(f) => number_text(*f, out),
        Data::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        Data::Error(e) => {
            let _ = write!(out, "{e}");
        }
        Data::DateTime(d) if d.is_datetime() => date_text(d, out),
        Data::DateTime(d) => duration_text(d.as_f64(), out),
        Data::DateTimeIso(text) => {
            // OpenDocument's own form; a fraction of a second is dropped.
            match chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
                Ok(t) if t.time() == NaiveTime::MIN => {
                    let _ = write!(out, "{}", t.date());
                }
                Ok(t) => {
                    let _ = write!(out, "{}", t.format("%Y-%m-%dT%H:%M:%S"));
                }
                Err(_) => out.push_str(text),
            }
        }
        Data::DurationIso(text) => out.push_str(text),
    }
}

/// A number as a spreadsheet's General format shows it: whole numbers
/// without a fraction, others rounded to 15 significant digits.
fn number_text(f: f64, out: &mut String) {
    use std::fmt::Write;
    if !f.is_finite() {
        let _ = write!(out, "{f}");
        return;
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        let _ = write!(out, "{}", f as i64);
        return;
    }
    let magnitude = if f == 0.0 {
        0
    } else {
        f.abs().log10().floor() as i32
    };
    let decimals = (14 - magnitude).clamp(0, 15) as usize;
    let text = format!("{f:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    out.push_str(if text == "-0" { "0" } else { text });
}

/// A date cell: `YYYY-MM-DD`, or with its time of day to the second.
fn date_text(value: &calamine::ExcelDateTime, out: &mut String) {
    use std::fmt::Write;
    // Excel's dates run from 1900 to 9999; outside that the serial number is
    // no date a spreadsheet would show.
    let serial = value.as_f64();
    if !(0.0..2_958_466.0).contains(&serial) {
        return number_text(serial, out);
    }
    let (year, month, day, hour, minute, second, milli) = value.to_ymd_hms_milli();
    let Some(date) = NaiveDate::from_ymd_opt(i32::from(year), u32::from(month), u32::from(day))
    else {
        // 1900-02-29, a day that Excel counts and the calendar does not.
        return number_text(serial, out);
    };
    let time = NaiveTime::from_hms_opt(u32::from(hour), u32::from(minute), u32::from(second));
    let mut at = match time {
        Some(time) => date.and_time(time),
        // The last second of a day rounded up: midnight of the next.
        None => date.and_time(NaiveTime::MIN) + chrono::Duration::days(1),
    };
    if milli >= 500 {
        at += chrono::Duration::seconds(1);
    }
    if at.time() == NaiveTime::MIN {
        let _ = write!(out, "{}", at.date());
    } else {
        let _ = write!(out, "{}", at.format("%Y-%m-%dT%H:%M:%S"));
    }
}

/// A duration cell (`[h]:mm:ss`), in days: `H:MM:SS`.
fn duration_text(days: f64, out: &mut String) {
    use std::fmt::Write;
    let seconds = (days * 86_400.0).round();
    if !seconds.is_finite() || seconds.abs() > 1e12 {
        return number_text(days, out);
    }
    let seconds = seconds as i64;
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.abs();
    let _ = write!(out, "{sign}{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{ExcelDateTime, ExcelDateTimeType};

    fn text(value: Data) -> String {
        let mut out = String::new();
        cell_text(&value, &mut out);
        out
    }

    #[test]
    fn numbers_read_as_a_spreadsheet_shows_them() {
        assert_eq!(text(Data::Float(1234.0)), "1234");
        assert_eq!(text(Data::Float(4791234567.0)), "4791234567");
        assert_eq!(text(Data::Float(299.5)), "299.5");
        assert_eq!(text(Data::Float(0.1 + 0.2)), "0.3");
        assert_eq!(text(Data::Float(374.987_499_999_999_95)), "374.9875");
        assert_eq!(text(Data::Float(-12.3)), "-12.3");
        assert_eq!(text(Data::Float(0.0)), "0");
        assert_eq!(text(Data::Float(1e20)), "100000000000000000000");
        assert_eq!(text(Data::Float(f64::NAN)), "NaN");
        assert_eq!(text(Data::Int(-7)), "-7");
        assert_eq!(text(Data::String("0150".into())), "0150");
        assert_eq!(text(Data::Bool(true)), "TRUE");
        assert_eq!(text(Data::Error(calamine::CellErrorType::NA)), "#N/A");
    }

    #[test]
    fn dates_read_in_the_forms_the_importers_take() {
        let date = |serial| {
            Data::DateTime(ExcelDateTime::new(
                serial,
                ExcelDateTimeType::DateTime,
                false,
            ))
        };
        assert_eq!(text(date(29579.0)), "1980-12-24");
        assert_eq!(text(date(46296.4375)), "2026-10-01T10:30:00");
        // A time a hair under a whole second rounds to it.
        assert_eq!(
            text(date(46_296.0 + 37_799.999_6 / 86_400.0)),
            "2026-10-01T10:30:00"
        );
        assert_eq!(text(date(46_296.999_999_999)), "2026-10-02");
        assert_eq!(text(date(-5.0)), "-5");
        assert_eq!(text(date(f64::INFINITY)), "inf");
        assert_eq!(text(date(60.0)), "60", "1900-02-29 is no day");
        let duration = Data::DateTime(ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false));
        assert_eq!(text(duration), "36:00:00");
        assert_eq!(
            text(Data::DateTimeIso("2026-10-01T00:00:00".into())),
            "2026-10-01"
        );
        assert_eq!(
            text(Data::DateTimeIso("2026-10-01T10:30:00.250".into())),
            "2026-10-01T10:30:00"
        );
        assert_eq!(text(Data::DateTimeIso("2026-10-01".into())), "2026-10-01");
    }

    #[test]
    fn workbooks_are_told_by_their_first_bytes() {
        assert_eq!(sniff(b"PK\x03\x04\x14\x00\x06\x00"), Some(Format::Zip));
        assert_eq!(
            sniff(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"),
            Some(Format::Ole)
        );
        assert_eq!(sniff(b"name,email"), None);
        assert_eq!(sniff(b"PK"), None);
    }

    #[test]
    fn damaged_workbooks_are_errors() {
        for bytes in [
            b"PK\x03\x04".to_vec(),
            b"PK\x03\x04garbage that is no zip at all".to_vec(),
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00".to_vec(),
        ] {
            let format = sniff(&bytes).unwrap();
            let err = Sheet::open(bytes, format, None, 1, "x.xlsx").unwrap_err();
            assert!(
                err.message.starts_with("x.xlsx: cannot read the workbook"),
                "{}",
                err.message
            );
        }
    }
}
