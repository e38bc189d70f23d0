//! Exports of outcomes, sales and history to CSV or Excel.
//!
//! Exports leave the system and outlive it, so they are written with care:
//! - customers are named by their public reference, never the cube id; an
//!   anonymized customer reads `Anonymized`, with customer number, phone,
//!   e-mail and comment empty, and the new `anon-` reference anonymizing gave
//!   it, so that a report saved before the anonymization cannot be joined with
//!   one made after it, while counts of distinct customers stay right;
//! - a CSV cell a spreadsheet would run as a formula (leading `=`, `+`, `-`,
//!   `@`, tab or CR) gets a leading `'`, unless it is a `+`/`-` followed only
//!   by digits, spaces and `().-` (phone numbers, negative amounts); `--raw`
//!   turns this off for machine consumers; xlsx cells are typed, never formulas;
//! - `-o FILE` writes a temporary file beside FILE and renames it into place
//!   when complete, so no one ever sees half a report;
//! - without a locale, CSV is for programs and never changes: RFC 3339 UTC
//!   times, `1198.00`. `--locale nb-NO` writes for a Norwegian Excel instead:
//!   `02.10.2026 14:30` in the operator's time zone, `1198,00`. A time at
//!   exactly midnight UTC is a day, not a moment (a date imported without a
//!   time, or a kept time of an anonymized customer, cut to the day): it is
//!   written as the date alone, never moved to another day by the zone.
//!   Workbooks get local times too, as typed cells.

use std::io::{self, Seek, Write};
use std::path::Path;
use std::sync::mpsc;

use anyhow::{Context, Result};
use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};
use chrono_tz::Tz;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::csvio::AtomicFile;
use crate::db::{Db, ExportFilter, ExportRow, Report};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

/// Whose conventions a report follows, for people's spreadsheets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Locale {
    /// Norwegian (bokmål): `;`, decimal comma, `dd.mm.yyyy hh:mm`
    #[value(name = "nb-NO", alias = "nb_NO")]
    NbNo,
}

#[derive(Debug)]
pub struct ExportOptions {
    pub report: Report,
    pub filter: ExportFilter,
    pub format: ExportFormat,
    pub delimiter: u8,
    pub bom: bool,
    /// Leave formula-like cells as they are.
    pub raw: bool,
    /// `None`: times and amounts in the stable form for programs.
    pub locale: Option<Locale>,
    /// The zone of the times written for people (a locale's CSV, workbooks).
    pub tz: Tz,
}

/// How CSV cells write times and amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// RFC 3339 UTC times and `1198.00`: the form programs rely on.
    Plain,
    /// What a Norwegian Excel reads: `02.10.2026 14:30` in the zone, `1198,00`.
    Norwegian(Tz),
}

impl ExportOptions {
    fn style(&self) -> Style {
        match self.locale {
            None => Style::Plain,
            Some(Locale::NbNo) => Style::Norwegian(self.tz),
        }
    }
}

/// The header of each report, in the order of its columns.
pub fn header(report: Report) -> &'static [&'static str] {
    match report {
        Report::Outcomes => &[
            "date",
            "campaign",
            "seller",
            "ref",
            "customer_no",
            "name",
            "phone",
            "email",
            "outcome",
            "comment",
            "product",
            "quantity",
            "amount",
        ],
        Report::Sales => &[
            "date",
            "campaign",
            "seller",
            "ref",
            "customer_no",
            "name",
            "product",
            "quantity",
            "unit_price",
            "amount",
        ],
        Report::History => &["date", "ref", "customer_no", "name", "kind", "text"],
    }
}

/// A typed cell, so that xlsx gets numbers and dates and CSV gets text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Text(&'a str),
    Int(i64),
    /// Minor units.
    Money(i64),
    /// An RFC 3339 UTC timestamp.
    Time(&'a str),
    Empty,
}

/// The cells of one row, rendered for anonymized customers as promised.
pub fn cells<'a>(report: Report, row: &'a ExportRow) -> Result<Vec<Cell<'a>>> {
    let text = |s: &'a str| {
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s)
        }
    };
    let utf8 = |bytes: &'a [u8]| {
        std::str::from_utf8(bytes).context("the database holds text that is not UTF-8")
    };
    let reference = utf8(&row.reference)?;
    let (customer_no, name, phone, email, comment) = if row.anonymized {
        ("", "Anonymized", "", "", "")
    } else {
        (
            utf8(&row.customer_no)?,
            utf8(&row.name)?,
            utf8(&row.phone)?,
            utf8(&row.email)?,
            utf8(&row.text)?,
        )
    };
    let (at, label) = (utf8(&row.at)?, utf8(&row.label)?);
    let amount = match (row.quantity, row.unit_price) {
        (Some(q), Some(p)) => Cell::Money(q * p),
        _ => Cell::Empty,
    };
    let quantity = row.quantity.map_or(Cell::Empty, Cell::Int);
    let product = row.product.as_deref().map_or(Cell::Empty, text);
    Ok(match report {
        Report::Outcomes => vec![
            Cell::Time(at),
            text(&row.campaign),
            text(&row.seller),
            Cell::Text(reference),
            text(customer_no),
            Cell::Text(name),
            text(phone),
            text(email),
            text(label),
            text(comment),
            product,
            quantity,
            amount,
        ],
        Report::Sales => vec![
            Cell::Time(at),
            text(&row.campaign),
            text(&row.seller),
            Cell::Text(reference),
            text(customer_no),
            Cell::Text(name),
            product,
            quantity,
            row.unit_price.map_or(Cell::Empty, Cell::Money),
            amount,
        ],
        Report::History => vec![
            Cell::Time(at),
            Cell::Text(reference),
            text(customer_no),
            Cell::Text(name),
            text(label),
            text(comment),
        ],
    })
}

/// `12345` minor units as `123.45`.
pub fn money_text(minor: i64) -> String {
    money_with(minor, '.')
}

/// `12345` minor units as `123,45`, as a Norwegian Excel reads a number (no
/// thousands separator: `1 198,00` would be read as text).
pub fn money_text_nb(minor: i64) -> String {
    money_with(minor, ',')
}

fn money_with(minor: i64, point: char) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    format!(
        "{sign}{}{point}{:02}",
        (minor / 100).unsigned_abs(),
        (minor % 100).unsigned_abs()
    )
}

/// A stored time as a point in time, and whether it is a day: a time at
/// exactly midnight UTC stands for its date (see the module docs).
fn stored_time(text: &str) -> Option<(DateTime<Utc>, bool)> {
    let t = DateTime::parse_from_rfc3339(text).ok()?.with_timezone(&Utc);
    let day = t.time() == chrono::NaiveTime::MIN;
    Some((t, day))
}

/// The wall-clock time of `text` in `tz`, or its date alone for a day.
fn local_time(text: &str, tz: Tz) -> Option<(NaiveDateTime, bool)> {
    let (t, day) = stored_time(text)?;
    if day {
        Some((t.naive_utc(), true))
    } else {
        Some((t.with_timezone(&tz).naive_local(), false))
    }
}

/// A stored time as a Norwegian Excel reads it: `02.10.2026 14:30` in `tz`,
/// or `02.10.2026` for a day. Text that is no time stays as it is.
pub fn time_text_nb(text: &str, tz: Tz) -> std::borrow::Cow<'_, str> {
    match local_time(text, tz) {
        Some((t, true)) => t.format("%d.%m.%Y").to_string().into(),
        Some((t, false)) => t.format("%d.%m.%Y %H:%M").to_string().into(),
        None => text.into(),
    }
}

/// A CSV cell that a spreadsheet would read as a formula gets a leading `'`.
/// A `+` or `-` followed only by digits, spaces and `().-` is data (a phone
/// number, a negative amount) and stays as it is.
pub fn neutralize(cell: &str) -> std::borrow::Cow<'_, str> {
    let bytes = cell.as_bytes();
    let risky = matches!(
        bytes.first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    let data = || {
        matches!(bytes[0], b'+' | b'-')
            && bytes[1..]
                .iter()
                .all(|b| b.is_ascii_digit() || b" ().-".contains(b))
    };
    if risky && !data() {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// A cell as CSV text, neutralized unless `raw`.
fn csv_text<'a>(cell: &Cell<'a>, raw: bool, style: Style) -> std::borrow::Cow<'a, str> {
    match (*cell, style) {
        (Cell::Time(s), Style::Norwegian(tz)) => match time_text_nb(s, tz) {
            std::borrow::Cow::Borrowed(s) if !raw => neutralize(s),
            text => text,
        },
        (Cell::Text(s) | Cell::Time(s), _) if raw => s.into(),
        (Cell::Text(s) | Cell::Time(s), _) => neutralize(s),
        (Cell::Int(i), _) => i.to_string().into(),
        (Cell::Money(m), Style::Plain) => money_text(m).into(),
        (Cell::Money(m), Style::Norwegian(_)) => money_text_nb(m).into(),
        (Cell::Empty, _) => "".into(),
    }
}

/// Writes CSV rows: RFC 4180, UTF-8, optional BOM, neutralized unless raw.
pub struct CsvOut<W: Write> {
    writer: csv::Writer<W>,
    raw: bool,
    style: Style,
}

impl<W: Write> CsvOut<W> {
    pub fn new(mut out: W, delimiter: u8, bom: bool, raw: bool) -> io::Result<Self> {
        if bom {
            out.write_all("\u{feff}".as_bytes())?;
        }
        let writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .from_writer(out);
        Ok(CsvOut {
            writer,
            raw,
            style: Style::Plain,
        })
    }

    /// Writes times and amounts in `style` from now on.
    pub fn with_style(mut self, style: Style) -> Self {
        self.style = style;
        self
    }

    pub fn row(&mut self, cells: &[Cell]) -> Result<()> {
        for cell in cells {
            let text = csv_text(cell, self.raw, self.style);
            self.writer
                .write_field(text.as_bytes())
                .map_err(csv_error)?;
        }
        self.writer.write_record(None::<&[u8]>).map_err(csv_error)
    }

    pub fn header(&mut self, names: &[&str]) -> Result<()> {
        self.writer.write_record(names).map_err(csv_error)
    }

    pub fn finish(self) -> Result<W> {
        self.writer
            .into_inner()
            .map_err(|e| anyhow::Error::new(e.into_error()))
    }
}

/// Keeps an I/O error (a closed pipe, a full disk) as an `io::Error` so the
/// caller can tell them apart.
fn csv_error(err: csv::Error) -> anyhow::Error {
    match err.into_kind() {
        csv::ErrorKind::Io(e) => e.into(),
        other => anyhow::anyhow!("cannot write CSV: {other:?}"),
    }
}

/// Writes a report into the file at `path`, complete or not at all.
/// `progress` is told of each row as it is read. Returns the row count.
pub fn export_to_file(
    db: &Db,
    options: &ExportOptions,
    path: &Path,
    progress: &dyn Fn(u64),
) -> Result<u64> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        // A device or a pipe (`-o /dev/stdout`, a FIFO): written to, as
        // standard output is, not replaced.
        let out = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        return export_to(db, options, io::BufWriter::new(out), progress)
            .with_context(|| format!("cannot write {}", path.display()));
    }
    let mut temp = AtomicFile::create(path, "export")?;
    let count = write_report(db, options, temp.file(), progress)
        .with_context(|| format!("cannot write {}", path.display()))?;
    temp.commit()?;
    Ok(count)
}

/// Writes a report to `out` (stdout, for the command). Returns the row count.
pub fn export_to(
    db: &Db,
    options: &ExportOptions,
    mut out: impl Write + Send,
    progress: &dyn Fn(u64),
) -> Result<u64> {
    let count = match options.format {
        ExportFormat::Xlsx => {
            // A workbook is a zip with its index at the end: build it in an
            // unnamed temporary file, then copy it out.
            let mut file = tempfile::tempfile().context("cannot create a temporary file")?;
            let count = write_report(db, options, &mut file, progress)?;
            file.rewind()?;
            io::copy(&mut file, &mut out)?;
            count
        }
        ExportFormat::Csv => write_csv(db, options, &mut out, progress)?,
    };
    out.flush()?;
    Ok(count)
}

fn write_report<W: Write + Seek + Send>(
    db: &Db,
    options: &ExportOptions,
    out: W,
    progress: &dyn Fn(u64),
) -> Result<u64> {
    match options.format {
        ExportFormat::Csv => write_csv(db, options, out, progress),
        ExportFormat::Xlsx => write_xlsx(db, options, out, progress),
    }
}

/// How many rows go from the reading thread to the CSV writer at a time.
const CSV_BATCH: usize = 512;

/// Reads the rows on this thread and writes the CSV on another, so that
/// SQLite and the CSV writer each have a core. Rows are swapped out of the
/// reader rather than copied, and batches come back to be read into again.
fn write_csv<W: Write + Send>(
    db: &Db,
    options: &ExportOptions,
    out: W,
    progress: &dyn Fn(u64),
) -> Result<u64> {
    let mut csv =
        CsvOut::new(out, options.delimiter, options.bom, options.raw)?.with_style(options.style());
    csv.header(header(options.report))?;
    let report = options.report;
    let (count, csv) = std::thread::scope(|scope| {
        let (to_writer, full) = mpsc::sync_channel::<Vec<ExportRow>>(2);
        let (give_back, written) = mpsc::channel::<Vec<ExportRow>>();
        let writing = scope.spawn(move || -> Result<CsvOut<W>> {
            for batch in full {
                for row in &batch {
                    csv.row(&cells(report, row)?)?;
                }
                let _ = give_back.send(batch);
            }
            Ok(csv)
        });
        let mut filling = Vec::with_capacity(CSV_BATCH);
        let mut spare: Vec<ExportRow> = Vec::new();
        let read = db.export_rows(report, &options.filter, &mut |row| {
            progress(1);
            if spare.is_empty() {
                spare = written.try_recv().unwrap_or_default();
            }
            // Keep the row, and leave a spare one to read the next into.
            let mut slot = spare.pop().unwrap_or_default();
            std::mem::swap(&mut slot, row);
            filling.push(slot);
            if filling.len() == CSV_BATCH {
                let batch = std::mem::replace(&mut filling, Vec::with_capacity(CSV_BATCH));
                to_writer
                    .send(batch)
                    .map_err(|_| anyhow::anyhow!("the CSV writer stopped"))?;
            }
            Ok(())
        });
        if read.is_ok() && !filling.is_empty() {
            let _ = to_writer.send(filling);
        }
        drop(to_writer);
        let csv = writing
            .join()
            .map_err(|_| anyhow::anyhow!("the CSV writer failed"))?;
        // The writer's error (a closed pipe, a full disk) says more than ours.
        let csv = csv?;
        Ok::<_, anyhow::Error>((read?, csv))
    })?;
    let mut out = csv.finish()?;
    out.flush()?;
    Ok(count)
}

fn write_xlsx<W: Write + Seek + Send>(
    db: &Db,
    options: &ExportOptions,
    out: W,
    progress: &dyn Fn(u64),
) -> Result<u64> {
    let mut workbook = Workbook::new();
    let names = header(options.report);
    let bold = Format::new().set_bold();
    let (time_format, day_format) = match options.locale {
        None => ("yyyy-mm-dd hh:mm", "yyyy-mm-dd"),
        Some(Locale::NbNo) => ("dd.mm.yyyy hh:mm", "dd.mm.yyyy"),
    };
    let time_format = Format::new().set_num_format(time_format);
    let day_format = Format::new().set_num_format(day_format);
    let money_format = Format::new().set_num_format("#,##0.00");
    let sheet = workbook.add_worksheet_with_constant_memory();
    sheet.set_name(match options.report {
        Report::Outcomes => "Outcomes",
        Report::Sales => "Sales",
        Report::History => "History",
    })?;
    for (col, name) in names.iter().enumerate() {
        let width = match *name {
            "date" => 17.0,
            "ref" => 22.0,
            "comment" | "text" => 50.0,
            "name" | "email" | "campaign" | "product" => 24.0,
            _ => 14.0,
        };
        sheet.set_column_width(col as u16, width)?;
        sheet.write_string_with_format(0, col as u16, *name, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let mut line: u32 = 0;
    let count = db.export_rows(options.report, &options.filter, &mut |row| {
        line += 1;
        progress(1);
        for (col, cell) in cells(options.report, row)?.iter().enumerate() {
            let col = col as u16;
            match cell {
                Cell::Text(s) => {
                    sheet.write_string(line, col, *s)?;
                }
                Cell::Int(i) => {
                    sheet.write_number(line, col, *i as f64)?;
                }
                Cell::Money(m) => {
                    sheet.write_number_with_format(line, col, *m as f64 / 100.0, &money_format)?;
                }
                Cell::Time(t) => match excel_time(t, options.tz) {
                    Some((time, day)) => {
                        let format = if day { &day_format } else { &time_format };
                        sheet.write_datetime_with_format(line, col, &time, format)?;
                    }
                    None => {
                        sheet.write_string(line, col, *t)?;
                    }
                },
                Cell::Empty => {}
            }
        }
        Ok(())
    })?;
    workbook
        .save_to_writer(out)
        .context("cannot write the workbook")?;
    Ok(count)
}

/// `2026-11-01T10:30:00Z` as an Excel date-time in `tz` (Excel knows no
/// zones: a cell holds the wall-clock time), and whether it is a day.
fn excel_time(text: &str, tz: Tz) -> Option<(ExcelDateTime, bool)> {
    let (t, day) = local_time(text, tz)?;
    let date = ExcelDateTime::from_ymd(
        u16::try_from(t.year()).ok()?,
        t.month() as u8,
        t.day() as u8,
    )
    .ok()?;
    if day {
        return Some((date, true));
    }
    let time = date
        .and_hms(t.hour() as u16, t.minute() as u8, t.second())
        .ok()?;
    Some((time, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralized_and_phone_numbers_are_not() {
        for (cell, out) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("\tleading tab", "'\tleading tab"),
            ("\rleading cr", "'\rleading cr"),
            ("+47 12345678", "+47 12345678"),
            ("-1 234", "-1 234"),
            ("-12.30", "-12.30"),
            ("+1 (555) 010-99", "+1 (555) 010-99"),
            ("+47 12 SUM", "'+47 12 SUM"),
            ("Ola", "Ola"),
            ("", ""),
        ] {
            assert_eq!(neutralize(cell), out, "{cell:?}");
        }
    }

    #[test]
    fn money_is_written_in_major_units() {
        assert_eq!(money_text(29900), "299.00");
        assert_eq!(money_text(-1230), "-12.30");
        assert_eq!(money_text(-5), "-0.05");
        assert_eq!(money_text_nb(119800), "1198,00");
        assert_eq!(money_text_nb(-10050), "-100,50");
        assert_eq!(money_text(i64::MIN), "-92233720368547758.08");
    }

    #[test]
    fn norwegian_times_are_local_and_days_stay_days() {
        let oslo = chrono_tz::Europe::Oslo;
        // Summer time (UTC+2) and winter time (UTC+1).
        assert_eq!(
            time_text_nb("2026-10-02T12:30:00Z", oslo),
            "02.10.2026 14:30"
        );
        assert_eq!(
            time_text_nb("2026-11-28T23:30:00Z", oslo),
            "29.11.2026 00:30"
        );
        // A day (midnight UTC) is its date, never 01:00 or another day.
        assert_eq!(time_text_nb("2026-11-28T00:00:00Z", oslo), "28.11.2026");
        let new_york = chrono_tz::America::New_York;
        assert_eq!(time_text_nb("2026-11-28T00:00:00Z", new_york), "28.11.2026");
        assert_eq!(time_text_nb("not a time", oslo), "not a time");
    }
}
