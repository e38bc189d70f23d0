use std::fs;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;

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

#[test]
fn an_atomic_file_replaces_what_a_link_names_and_never_a_device_or_pipe() {
    use std::io::Write;
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.csv");
    let link = dir.path().join("link.csv");
    fs::write(&real, "old").unwrap();
    symlink(&real, &link).unwrap();
    let mut file = AtomicFile::create(&link, "export").unwrap();
    file.file().write_all(b"new").unwrap();
    file.commit().unwrap();
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read(&real).unwrap(), b"new");

    for not_a_file in [Path::new("/dev/null"), dir.path()] {
        let refused = AtomicFile::create(not_a_file, "backup");
        let message = format!("{:#}", refused.err().unwrap());
        assert!(message.contains("not a regular file"), "{message}");
    }
    assert!(fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
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
