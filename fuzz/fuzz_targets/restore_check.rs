//! Arbitrary bytes as a backup given to `restore`: the check must refuse or
//! accept them, never panic, and never write beside the file.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut file = tempfile::NamedTempFile::new().expect("a temporary file");
    file.write_all(data).expect("written");
    let _ = cube::backup::check(file.path());
});
