//! Every input under `fixtures/fuzz/` (crashes the fuzzers found, and edge
//! cases written by hand) goes through the same code the fuzz targets drive:
//! each must be answered with a result or an error, never a panic.

use std::fs;
use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/fuzz")
        .join(target);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no inputs in {}", dir.display());
    files
}

#[test]
fn customer_files() {
    for file in inputs("import_customers") {
        let bytes = fs::read(&file).unwrap();
        let _ = cube::import::check_customers(std::io::Cursor::new(bytes), &[]);
    }
}

#[test]
fn outcome_files() {
    let recordings = tempfile::tempdir().unwrap();
    for file in inputs("import_outcomes") {
        let bytes = fs::read(&file).unwrap();
        let (valid, _) =
            cube::import::check_outcomes(std::io::Cursor::new(bytes), recordings.path())
                .unwrap_or((0, 0));
        assert_eq!(valid, 0, "{} holds only bad rows", file.display());
    }
}

#[test]
fn restore_inputs() {
    for file in inputs("restore_check") {
        let copy = tempfile::NamedTempFile::new().unwrap();
        fs::copy(&file, copy.path()).unwrap();
        assert!(
            cube::backup::check(copy.path()).is_err(),
            "{} was accepted",
            file.display()
        );
    }
}

#[test]
fn a_utf16_file_is_named_as_such() {
    let bytes = fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fuzz/import_customers/utf16"),
    )
    .unwrap();
    let err = cube::import::check_customers(std::io::Cursor::new(bytes), &[]).unwrap_err();
    assert!(format!("{err:#}").contains("UTF-16"), "{err:#}");
}
