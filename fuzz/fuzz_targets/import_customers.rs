//! Arbitrary bytes as a customers file: decoding, delimiter detection, header
//! mapping and validation must answer with rows or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cube::import::check_customers(std::io::Cursor::new(data.to_vec()), &[]);
});
