//! Arbitrary bytes as an outcomes file: dates, amounts, quantities and
//! recording paths must be accepted or refused, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let recordings = std::env::temp_dir().join("cube-fuzz-recordings");
    let _ = cube::import::check_outcomes(std::io::Cursor::new(data.to_vec()), &recordings);
});
