//! Reading CSV files as operators have them, and writing every file that
//! leaves cube safely ([`AtomicFile`]).
//!
//! Reading: CSV files as operators have them: UTF-8 with or without a BOM, or
//! Windows-1252 (what Norwegian Excel saves); `,`, `;` or tab found from the
//! header line; RFC 4180 quoting with fields that span lines.
//!
//! The reader is written for this job rather than taken from the `csv` crate
//! because it must bound what one stray quote can do: a quoted field that never
//! closes, grows past [`MAX_FIELD_BYTES`], or swallows a line that looks like a
//! record of its own is an error naming the line where the quote opened, instead
//! of one huge field and a wrong number of rows. Memory stays flat: one record at
//! a time.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::Context;

use encoding_rs::WINDOWS_1252;

use crate::Failure;

/// The longest field accepted, in bytes of UTF-8.
pub const MAX_FIELD_BYTES: usize = 64 * 1024;
/// The most fields one record may have.
pub const MAX_FIELDS: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Encoding {
    #[value(name = "utf-8")]
    Utf8,
    #[value(name = "windows-1252")]
    Windows1252,
}

/// Whether a byte can separate fields. A quote or a line end cannot: the
/// reader must see them as what they are (a CR is half of a Windows line end,
/// and as the delimiter it would add a field to every record).
fn separates_fields(b: u8) -> bool {
    b.is_ascii() && !matches!(b, b'"' | b'\n' | b'\r')
}

/// Reads a `--delimiter` value, for import and export alike: one ASCII
/// character, or `\t` (or `tab`) for a tab.
pub fn parse_delimiter(value: &str) -> Result<u8, Failure> {
    match value.as_bytes() {
        b"\\t" | b"tab" | b"\t" => Ok(b'\t'),
        &[b] if separates_fields(b) => Ok(b),
        _ => Err(Failure::refused(format!(
            "--delimiter {value:?}: use one ASCII character, or \\t"
        ))),
    }
}

/// A record (a row) and the lines it came from, 1-based.
///
/// Its fields are kept one after another in one string, so that reading a
/// record into one that was read before allocates nothing.
#[derive(Debug, Default)]
pub struct Record {
    pub line: u64,
    pub end_line: u64,
    text: String,
    /// Where each field ends in `text`.
    ends: Vec<usize>,
}

impl Record {
    /// How many fields it has.
    pub fn field_count(&self) -> usize {
        self.ends.len()
    }

    /// Field `i`. Panics if there is no such field, as indexing does.
    pub fn field(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    pub fn fields(&self) -> impl Iterator<Item = &str> {
        (0..self.field_count()).map(|i| self.field(i))
    }

    /// True when every field is empty or spaces: a `;;;` line that Excel
    /// writes for an empty row. Cheap: a row with text ends the look at its
    /// first character.
    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// Makes this the record of `line` with `fields`, reusing its memory:
    /// how rows that are not CSV (a workbook's) become records.
    pub fn fill<'a>(&mut self, line: u64, fields: impl IntoIterator<Item = &'a str>) {
        self.text.clear();
        self.ends.clear();
        for field in fields {
            self.text.push_str(field);
            self.ends.push(self.text.len());
        }
        self.line = line;
        self.end_line = line;
    }
}

/// Why the input could not be read. A parse error stops the reading: after a
/// broken quote nothing that follows can be trusted.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("line {line}: {message}")]
    Parse { line: u64, message: String },
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Decodes bytes to UTF-8 as they stream past.
///
/// Without an `--encoding`, a BOM means UTF-8; otherwise the input is taken as
/// UTF-8 until the first byte that is not, and if everything before it was
/// plain ASCII (which both encodings share) the rest is read as Windows-1252.
/// A file that mixes the two is an error naming the line, whichever comes
/// first: invalid UTF-8 after UTF-8 letters, or UTF-8 letters (a run of
/// non-ASCII bytes that is valid UTF-8, which Norwegian Windows-1252 text
/// never is in practice) after a line that was not UTF-8. Reading one as the
/// other would store "KÃ¥re" for "Kåre". A BOM after the start (U+FEFF: two
/// files joined into one) is an error too.
struct Decoder<R> {
    inner: R,
    mode: Mode,
    started: bool,
    eof: bool,
    /// Bytes read but not yet decoded (an incomplete UTF-8 sequence, or a run
    /// of non-ASCII bytes that may go on in the next chunk).
    pending: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    /// Lines fully decoded so far, for error messages.
    lines: u64,
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// UTF-8 so far, and nothing but ASCII seen yet.
    Sniffing,
    Utf8,
    /// Windows-1252, as `--encoding` says.
    Windows1252,
    /// Windows-1252, guessed from the first line that is not UTF-8 (and its
    /// first such byte), after nothing but ASCII.
    Guessed1252 {
        line: u64,
        byte: u8,
    },
}

/// How much of a run of non-ASCII bytes at the end of a chunk waits for the
/// next one, to be judged whole: more than any line of letters needs.
const MAX_HELD_RUN: usize = 1024;

impl<R: Read> Decoder<R> {
    fn new(inner: R, encoding: Option<Encoding>) -> Self {
        let mode = match encoding {
            None => Mode::Sniffing,
            Some(Encoding::Utf8) => Mode::Utf8,
            Some(Encoding::Windows1252) => Mode::Windows1252,
        };
        Decoder {
            inner,
            mode,
            started: false,
            eof: false,
            pending: Vec::new(),
            out: Vec::new(),
            out_pos: 0,
            lines: 0,
        }
    }

    fn decode_more(&mut self) -> io::Result<()> {
        self.out.clear();
        self.out_pos = 0;
        let mut chunk = std::mem::take(&mut self.pending);
        let had = chunk.len();
        chunk.resize(had + 64 * 1024, 0);
        let n = loop {
            match self.inner.read(&mut chunk[had..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        chunk.truncate(had + n);
        if n == 0 {
            self.eof = true;
        }
        let mut bytes = &chunk[..];
        if !self.started && (bytes.len() >= 3 || self.eof) {
            self.started = true;
            if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
                bytes = rest;
                if self.mode == Mode::Sniffing {
                    self.mode = Mode::Utf8;
                }
            } else if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
                return Err(invalid(
                    "the file is UTF-16; save it as UTF-8 (or CSV from Excel) and import again",
                ));
            }
        } else if !self.started {
            self.pending = chunk;
            return Ok(());
        }
        match self.mode {
            Mode::Windows1252 => {
                let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
                self.out.extend_from_slice(text.as_bytes());
            }
            Mode::Guessed1252 { .. } => self.guessed_1252(bytes)?,
            Mode::Utf8 | Mode::Sniffing => match std::str::from_utf8(bytes) {
                Ok(text) => self.utf8(text)?,
                Err(e) => {
                    let (good, rest) = bytes.split_at(e.valid_up_to());
                    // Valid up to there, by the error's own account.
                    self.utf8(std::str::from_utf8(good).unwrap_or_default())?;
                    if e.error_len().is_none() && !self.eof {
                        // A sequence cut by the chunk boundary: finish it next time.
                        self.pending = rest.to_vec();
                    } else if self.mode == Mode::Sniffing {
                        self.mode = Mode::Guessed1252 {
                            line: self.line_in_out(self.out.len()),
                            byte: rest[0],
                        };
                        self.guessed_1252(rest)?;
                    } else {
                        return Err(invalid(&format!(
                            "line {}: the file is not valid UTF-8 (byte 0x{:02X}), but earlier lines are: it mixes two encodings; save it in one",
                            self.line_in_out(self.out.len()),
                            rest[0]
                        )));
                    }
                }
            },
        }
        self.lines += self.out.iter().filter(|&&b| b == b'\n').count() as u64;
        Ok(())
    }

    /// The line that the byte at `at` of the output so far is on.
    fn line_in_out(&self, at: usize) -> u64 {
        self.lines + 1 + self.out[..at].iter().filter(|&&b| b == b'\n').count() as u64
    }

    /// Takes UTF-8 text: refuses a BOM inside it, and notes UTF-8 letters.
    fn utf8(&mut self, text: &str) -> io::Result<()> {
        if let Some(at) = text.find('\u{feff}') {
            self.out.extend_from_slice(&text.as_bytes()[..at]);
            return Err(invalid(&format!(
                "line {}: a byte order mark (U+FEFF) in the middle of the file (were two files joined into one?)",
                self.line_in_out(self.out.len())
            )));
        }
        if self.mode == Mode::Sniffing && !text.is_ascii() {
            self.mode = Mode::Utf8;
        }
        self.out.extend_from_slice(text.as_bytes());
        Ok(())
    }

    /// Decodes bytes of a file guessed to be Windows-1252, refusing UTF-8
    /// letters in it. A run of non-ASCII bytes at the end waits for the next
    /// chunk, so that a run is always judged whole.
    fn guessed_1252(&mut self, bytes: &[u8]) -> io::Result<()> {
        let Mode::Guessed1252 { line, byte } = self.mode else {
            return Ok(());
        };
        let held = if self.eof {
            0
        } else {
            let run = bytes.iter().rev().take_while(|b| !b.is_ascii()).count();
            run.min(MAX_HELD_RUN)
        };
        let (now, later) = bytes.split_at(bytes.len() - held);
        let mut at = 0;
        while at < now.len() {
            let run = now[at..].iter().take_while(|b| !b.is_ascii()).count();
            if run == 0 {
                at += 1;
                continue;
            }
            if std::str::from_utf8(&now[at..at + run]).is_ok() {
                // Line ends are ASCII, the same in both encodings.
                let here = self.line_in_out(self.out.len())
                    + now[..at].iter().filter(|&&b| b == b'\n').count() as u64;
                return Err(invalid(&format!(
                    "line {here}: UTF-8 letters, but line {line} is not UTF-8 (byte 0x{byte:02X}): the file mixes two encodings; save it in one, or name one with --encoding"
                )));
            }
            at += run;
        }
        let (text, _) = WINDOWS_1252.decode_without_bom_handling(now);
        self.out.extend_from_slice(text.as_bytes());
        self.pending = later.to_vec();
        Ok(())
    }
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_string())
}

impl<R: Read> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_pos == self.out.len() {
            if self.eof && self.pending.is_empty() {
                return Ok(0);
            }
            self.decode_more()?;
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// Reads records from a CSV stream, one at a time.
pub struct CsvReader<R> {
    input: Decoder<R>,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    delimiter: u8,
    /// The physical line the next byte is on, 1-based.
    line: u64,
    /// How many fields a record has (the header's), once known.
    columns: Option<usize>,
    /// Empty lines skipped so far.
    empty_lines: u64,
}

impl<R: Read> CsvReader<R> {
    /// Opens a stream. `delimiter`: `None` finds it from the header line.
    pub fn new(input: R, encoding: Option<Encoding>, delimiter: Option<u8>) -> io::Result<Self> {
        CsvReader::with_header_at(input, encoding, delimiter, 1)
    }

    /// Opens a stream whose header is on line `header_line` (1-based): the
    /// lines before it (a title, notes) are skipped unread, and the delimiter
    /// is found from the header line. An Excel `sep=` line is still taken
    /// when it comes first.
    pub fn with_header_at(
        input: R,
        encoding: Option<Encoding>,
        delimiter: Option<u8>,
        header_line: u64,
    ) -> io::Result<Self> {
        let mut reader = CsvReader {
            input: Decoder::new(input, encoding),
            buf: vec![0; 64 * 1024],
            pos: 0,
            len: 0,
            delimiter: b',',
            line: 1,
            columns: None,
            empty_lines: 0,
        };
        let named = reader.sep_line()?;
        reader.skip_to_line(header_line)?;
        reader.delimiter = match (delimiter, named) {
            (Some(d), _) => d,
            (None, Some(d)) => d,
            (None, None) => reader.sniff_delimiter()?,
        };
        Ok(reader)
    }

    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// How many empty lines the reader has skipped so far.
    pub fn empty_lines(&self) -> u64 {
        self.empty_lines
    }

    /// Skips whole lines, as they are, until the next one is `line`.
    fn skip_to_line(&mut self, line: u64) -> io::Result<()> {
        while self.line < line {
            match self.next_byte()? {
                None => break,
                Some(b'\n') => self.line += 1,
                Some(b'\r') => {
                    if self.peek_byte()? == Some(b'\n') {
                        self.next_byte()?;
                    }
                    self.line += 1;
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// Tells the reader how many fields a record has, which lets it recognise a
    /// record swallowed by a stray quote.
    pub fn set_columns(&mut self, columns: usize) {
        self.columns = Some(columns);
    }

    /// Fills the buffer up to the first line end, or as far as it goes.
    fn fill_first_line(&mut self) -> io::Result<()> {
        while !self.buf[self.pos..self.len].contains(&b'\n') && self.len < self.buf.len() {
            let n = self.input.read(&mut self.buf[self.len..])?;
            if n == 0 {
                break;
            }
            self.len += n;
        }
        Ok(())
    }

    /// Excel writes `sep=;` as a first line when asked to name the delimiter:
    /// take it, and skip the line.
    fn sep_line(&mut self) -> io::Result<Option<u8>> {
        self.fill_first_line()?;
        let line = &self.buf[self.pos..self.len];
        let end = line.iter().position(|&b| b == b'\n').unwrap_or(line.len());
        let text = line[..end].strip_suffix(b"\r").unwrap_or(&line[..end]);
        match text {
            [b's' | b'S', b'e' | b'E', b'p' | b'P', b'=', d] if separates_fields(*d) => {
                self.pos += (end + 1).min(line.len());
                self.line += 1;
                Ok(Some(*d))
            }
            _ => Ok(None),
        }
    }

    /// Counts the candidate delimiters outside quotes on the header line.
    fn sniff_delimiter(&mut self) -> io::Result<u8> {
        self.fill_first_line()?;
        let mut counts = [0usize; 3];
        let mut quoted = false;
        for &b in &self.buf[self.pos..self.len] {
            match b {
                b'"' => quoted = !quoted,
                b'\n' if !quoted => break,
                b',' if !quoted => counts[0] += 1,
                b';' if !quoted => counts[1] += 1,
                b'\t' if !quoted => counts[2] += 1,
                _ => {}
            }
        }
        let best = (0..3).max_by_key(|&i| (counts[i], 2 - i)).unwrap_or(0);
        Ok(if counts[best] == 0 {
            b','
        } else {
            [b',', b';', b'\t'][best]
        })
    }

    fn next_byte(&mut self) -> io::Result<Option<u8>> {
        if self.pos == self.len {
            self.pos = 0;
            self.len = loop {
                match self.input.read(&mut self.buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            if self.len == 0 {
                return Ok(None);
            }
        }
        let b = self.buf[self.pos];
        self.pos += 1;
        Ok(Some(b))
    }

    fn peek_byte(&mut self) -> io::Result<Option<u8>> {
        let b = self.next_byte()?;
        if b.is_some() {
            self.pos -= 1;
        }
        Ok(b)
    }

    /// The next record, or `None` at the end. Blank lines are skipped.
    pub fn next_record(&mut self) -> Result<Option<Record>, ReadError> {
        let mut record = Record::default();
        Ok(self.read_into(&mut record)?.then_some(record))
    }

    /// Reads the next record into `record`, reusing its memory; false at the
    /// end. Blank lines are skipped.
    pub fn read_into(&mut self, record: &mut Record) -> Result<bool, ReadError> {
        let mut text = std::mem::take(&mut record.text).into_bytes();
        let ends = &mut record.ends;
        loop {
            let start = self.line;
            text.clear();
            ends.clear();
            // Where the field being read starts in `text`.
            let mut field = 0;
            let ended = loop {
                let Some(b) = self.next_byte()? else {
                    break ends.is_empty() && text.is_empty();
                };
                match b {
                    b'"' if text.len() == field => self.quoted(&mut text, field)?,
                    b if b == self.delimiter => {
                        ends.push(text.len());
                        field = text.len();
                        if ends.len() >= MAX_FIELDS {
                            return Err(self.parse_error(
                                start,
                                format!("more than {MAX_FIELDS} fields in one record"),
                            ));
                        }
                    }
                    b'\r' => {
                        if self.peek_byte()? == Some(b'\n') {
                            self.next_byte()?;
                        }
                        self.line += 1;
                        break false;
                    }
                    b'\n' => {
                        self.line += 1;
                        break false;
                    }
                    _ => {
                        text.push(b);
                        if text.len() - field > MAX_FIELD_BYTES {
                            return Err(self.parse_error(
                                start,
                                format!("a field is longer than {MAX_FIELD_BYTES} bytes"),
                            ));
                        }
                    }
                }
            };
            if ended {
                return Ok(false);
            }
            if ends.is_empty() && text.is_empty() {
                self.empty_lines += 1;
                continue; // a blank line
            }
            ends.push(text.len());
            // The decoder only hands out UTF-8, and delimiters and quotes are
            // ASCII, so splitting cannot cut a character; this is a safety net.
            record.text = String::from_utf8(text)
                .map_err(|_| self.parse_error(start, "invalid UTF-8".into()))?;
            record.line = start;
            record.end_line = self.line - 1;
            return Ok(true);
        }
    }

    /// Reads a quoted field after its opening quote, and anything up to the next
    /// delimiter or line end after its closing quote.
    /// `text[start..]` is the field so far.
    fn quoted(&mut self, text: &mut Vec<u8>, start: usize) -> Result<(), ReadError> {
        let opened = self.line;
        let mut delimiters_on_line = 0;
        loop {
            let Some(b) = self.next_byte()? else {
                return Err(self.parse_error(
                    opened,
                    "a quoted field opened here is never closed (a stray quote?)".into(),
                ));
            };
            match b {
                b'"' if self.peek_byte()? == Some(b'"') => {
                    self.next_byte()?;
                    text.push(b'"');
                }
                b'"' => break,
                b'\n' => {
                    self.line += 1;
                    text.push(b);
                    self.check_swallow(opened, delimiters_on_line)?;
                    delimiters_on_line = 0;
                }
                _ => {
                    if b == self.delimiter {
                        delimiters_on_line += 1;
                    }
                    text.push(b);
                }
            }
            if text.len() - start > MAX_FIELD_BYTES {
                return Err(self.parse_error(
                    opened,
                    format!(
                        "a quoted field opened here runs past {MAX_FIELD_BYTES} bytes (a stray quote?)"
                    ),
                ));
            }
        }
        if text[start..].contains(&b'\n') {
            self.check_swallow(opened, delimiters_on_line)?;
        }
        // Text after the closing quote (`"a"b`) is kept, as spreadsheets do.
        while let Some(b) = self.peek_byte()? {
            if b == self.delimiter || b == b'\n' || b == b'\r' {
                break;
            }
            self.next_byte()?;
            text.push(b);
        }
        Ok(())
    }

    /// A line inside a quoted field that holds as many delimiters as a whole
    /// record is almost certainly a record swallowed by a stray quote.
    fn check_swallow(&self, opened: u64, delimiters: usize) -> Result<(), ReadError> {
        match self.columns {
            Some(columns) if columns > 2 && delimiters + 1 >= columns => {
                Err(self.parse_error(
                    opened,
                    format!(
                        "a quoted field opened here swallows line {}, which looks like a record of its own (a stray quote?)",
                        self.line - 1
                    ),
                ))
            }
            _ => Ok(()),
        }
    }

    fn parse_error(&self, line: u64, message: String) -> ReadError {
        ReadError::Parse { line, message }
    }
}

/// The one way cube writes a file that someone else will read: a temporary
/// file beside the target (`.NAME.WHAT.PID.tmp`, mode 0600), synced, renamed
/// into place, and the folder synced, so that nobody ever sees half a file.
/// Until [`AtomicFile::commit`] the target is untouched; dropping it
/// uncommitted removes the temporary file and any `-wal`/`-shm`/`-journal`
/// SQLite made beside it, and so does a signal or the next command after a
/// kill (see [`crate::temps`]).
pub struct AtomicFile {
    file: File,
    temp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl AtomicFile {
    /// Creates the temporary file for `target`; `what` says what it is for.
    pub fn create(target: &Path, what: &str) -> anyhow::Result<AtomicFile> {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = target.with_file_name(format!(".{name}.{what}.{}.tmp", std::process::id()));
        if let Some(dir) = temp.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.is_dir() {
                return Err(crate::Failure::failed(format!(
                    "cannot create {}: the folder {} does not exist",
                    target.display(),
                    dir.display()
                ))
                .into());
            }
        }
        // A file of this name can only be left by a killed process that had
        // our process id: it is ours to replace.
        let _ = fs::remove_file(&temp);
        crate::temps::register(&temp);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)
            .with_context(|| format!("cannot create {}", temp.display()));
        let file = match file {
            Ok(file) => file,
            Err(e) => {
                crate::temps::unregister(&temp);
                return Err(e);
            }
        };
        Ok(AtomicFile {
            file,
            temp,
            target: target.to_path_buf(),
            committed: false,
        })
    }

    /// Where the content is written until it is committed.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// The open temporary file. A writer that opens [`AtomicFile::path`]
    /// itself (SQLite) may do so too: syncing this handle syncs its writes.
    pub fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// Syncs the file, renames it over the target and syncs the folder.
    pub fn commit(mut self) -> anyhow::Result<()> {
        self.file
            .sync_all()
            .with_context(|| format!("cannot write {}", self.target.display()))?;
        fs::rename(&self.temp, &self.target)
            .with_context(|| format!("cannot write {}", self.target.display()))?;
        self.committed = true;
        crate::temps::unregister(&self.temp);
        if let Some(dir) = self.target.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(dir) = File::open(dir) {
                let _ = dir.sync_all();
            }
        }
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.committed {
            crate::temps::remove_with_side_files(&self.temp);
            crate::temps::unregister(&self.temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_files_are_whole_private_or_absent() {
        use std::io::Write;
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report.csv");
        let mut file = AtomicFile::create(&target, "export").unwrap();
        file.file().write_all(b"a,b\n").unwrap();
        assert!(!target.exists(), "nothing at the target before commit");
        file.commit().unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"a,b\n");
        let mode = fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);

        let dropped = AtomicFile::create(&dir.path().join("cube.db"), "restore").unwrap();
        let temp = dropped.path().to_path_buf();
        fs::write(crate::db::side_files(&temp)[0].clone(), b"wal").unwrap();
        drop(dropped);
        let left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            left,
            ["report.csv"],
            "the temporary file and its -wal are gone"
        );

        let nowhere = AtomicFile::create(&dir.path().join("no/such.csv"), "export");
        assert!(format!("{:#}", nowhere.err().unwrap()).contains("does not exist"));
    }

    fn read_all(input: &[u8]) -> Result<Vec<Record>, ReadError> {
        let mut reader = CsvReader::new(input, None, None)?;
        let mut records = Vec::new();
        while let Some(r) = reader.next_record()? {
            if records.is_empty() {
                reader.set_columns(r.field_count());
            }
            records.push(r);
        }
        Ok(records)
    }

    fn fields(input: &[u8]) -> Vec<Vec<String>> {
        read_all(input)
            .unwrap()
            .into_iter()
            .map(|r| r.fields().map(String::from).collect())
            .collect()
    }

    #[test]
    fn a_delimiter_flag_is_one_ascii_character_or_tab() {
        for (value, byte) in [(";", b';'), (",", b','), ("|", b'|'), ("\\t", b'\t')] {
            assert_eq!(parse_delimiter(value).unwrap(), byte, "{value:?}");
        }
        assert_eq!(parse_delimiter("tab").unwrap(), b'\t');
        assert_eq!(parse_delimiter("\t").unwrap(), b'\t');
        for value in ["\"", "\n", "\r", "", ";;", "é", "\\n"] {
            assert!(parse_delimiter(value).is_err(), "{value:?}");
        }
    }

    #[test]
    fn detects_delimiters() {
        assert_eq!(fields(b"a;b\n1;2\n"), [["a", "b"], ["1", "2"]]);
        assert_eq!(fields(b"a\tb\r\n1\t2"), [["a", "b"], ["1", "2"]]);
        assert_eq!(fields(b"\"x;y\",b\n"), [["x;y", "b"]]);
    }

    #[test]
    fn quoted_fields_span_lines_and_escape_quotes() {
        let records = read_all(b"a,b\n1,\"two\nlines \"\"quoted\"\"\"\n3,4\n").unwrap();
        assert_eq!(records[1].field(1), "two\nlines \"quoted\"");
        assert_eq!((records[1].line, records[1].end_line), (2, 3));
        assert_eq!(records[2].line, 4);
    }

    #[test]
    fn decodes_bom_and_windows_1252() {
        assert_eq!(
            fields(b"\xEF\xBB\xBFnavn\n\xC3\xA6\xC3\xB8\xC3\xA5\n"),
            [["navn"], ["æøå"]]
        );
        assert_eq!(fields(b"navn\n\xE6\xF8\xE5 \x80\n"), [["navn"], ["æøå €"]]);
    }

    #[test]
    fn invalid_utf8_after_utf8_letters_is_an_error() {
        let err = read_all(b"navn\n\xC3\xA6\nx\xE6\n").unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
    }

    /// Hands out its bytes one at a time, as a slow pipe may: every run and
    /// sequence is cut by a chunk boundary somewhere.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let Some((&first, rest)) = self.0.split_first() else {
                return Ok(0);
            };
            buf[0] = first;
            self.0 = rest;
            Ok(1)
        }
    }

    fn read_trickled(input: &[u8], encoding: Option<Encoding>) -> Result<Vec<String>, ReadError> {
        let mut reader = CsvReader::new(Trickle(input), encoding, None)?;
        let mut fields = Vec::new();
        while let Some(r) = reader.next_record()? {
            fields.extend(r.fields().map(String::from));
        }
        Ok(fields)
    }

    #[test]
    fn utf8_letters_after_a_line_that_is_not_utf8_is_an_error() {
        let mixed = b"navn\nOla\nx\xE6\nK\xC3\xA5re\n";
        for err in [
            read_all(mixed).unwrap_err(),
            read_trickled(mixed, None).unwrap_err(),
        ] {
            assert!(
                err.to_string()
                    .starts_with("line 4: UTF-8 letters, but line 3 is not UTF-8 (byte 0xE6)"),
                "{err}"
            );
        }
        // Told the encoding, cube reads what it is told.
        assert_eq!(
            read_trickled(mixed, Some(Encoding::Windows1252)).unwrap(),
            ["navn", "Ola", "xæ", "KÃ¥re"]
        );
        // Windows-1252 letters side by side are no UTF-8.
        assert_eq!(
            read_trickled(b"navn\n\xC6\xD8\xC5 \xE6\xF8\xE5 \x80\n", None).unwrap(),
            ["navn", "ÆØÅ æøå €"]
        );
        let err = read_trickled(b"navn\nK\xC3\xA5re\nx\xE6\n", None).unwrap_err();
        assert!(err.to_string().starts_with("line 3: "), "{err}");
    }

    #[test]
    fn a_bom_after_the_start_is_an_error() {
        let joined = b"\xEF\xBB\xBFnavn\nKari\n\xEF\xBB\xBFnavn\nOla\n";
        for err in [
            read_all(joined).unwrap_err(),
            read_trickled(joined, None).unwrap_err(),
            read_trickled(joined, Some(Encoding::Utf8)).unwrap_err(),
        ] {
            assert!(
                err.to_string()
                    .starts_with("line 3: a byte order mark (U+FEFF) in the middle of the file"),
                "{err}"
            );
        }
    }

    #[test]
    fn a_quote_that_never_closes_names_its_line() {
        let err = read_all(b"a,b,c\n1,2,3\n4,\"5,6\n7,8\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 3: a quoted field opened here is never closed (a stray quote?)"
        );
    }

    #[test]
    fn a_quote_that_swallows_records_names_its_line() {
        let err = read_all(b"a,b,c,d\n1,\"2,3,4\n5,6,7,8\n9,10,11,\"12\"\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("line 2: a quoted field opened here swallows line 3"),
            "{err}"
        );
    }

    #[test]
    fn a_multi_line_note_with_a_comma_is_fine() {
        let records = read_all(b"a,b,c,d\n1,2,3,\"call back, after\n5 pm\"\n").unwrap();
        assert_eq!(records[1].field(3), "call back, after\n5 pm");
    }

    #[test]
    fn huge_fields_are_refused() {
        let mut input = b"a\n\"".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_FIELD_BYTES + 10));
        let err = read_all(&input).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("line 2: a quoted field opened here runs past"),
            "{err}"
        );
    }

    #[test]
    fn an_excel_sep_line_names_the_delimiter() {
        let records = read_all(b"sep=;\r\nnavn;by\r\nAse;Oslo, sentrum\r\n").unwrap();
        assert_eq!(records[0].fields().collect::<Vec<_>>(), ["navn", "by"]);
        assert_eq!((records[1].line, records[1].field(1)), (3, "Oslo, sentrum"));
    }

    #[test]
    fn a_sep_line_cannot_name_a_line_end() {
        let reader = CsvReader::new(&b"sep=\r\r\na;b\r\n"[..], None, None).unwrap();
        assert_ne!(reader.delimiter(), b'\r');
    }

    #[test]
    fn blank_lines_are_skipped() {
        assert_eq!(fields(b"a\n\n1\n\n"), [["a"], ["1"]]);
    }
}
