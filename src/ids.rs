//! Cube ids: UUIDv7, in time order, made without a system call per id.
//!
//! The 48-bit millisecond timestamp comes first; within one millisecond a
//! 12-bit counter keeps ids in the order they were made (RFC 9562, method 1);
//! the rest is random from a generator seeded once from the operating system.
//! Ids appended in order keep the cube id index compact when importing.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

use uuid::Uuid;

pub struct IdGen {
    state: u64,
    last_ms: u64,
    counter: u16,
}

impl Default for IdGen {
    fn default() -> Self {
        IdGen::new()
    }
}

impl IdGen {
    pub fn new() -> IdGen {
        let seed = RandomState::new().build_hasher().finish();
        IdGen::with_seed(seed)
    }

    /// A generator whose random part is fixed by `seed` (the demo's).
    pub fn with_seed(seed: u64) -> IdGen {
        IdGen {
            state: seed,
            last_ms: 0,
            counter: 0,
        }
    }

    fn random(&mut self) -> u64 {
        // SplitMix64.
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The next id for a time given in Unix milliseconds.
    pub fn next(&mut self, unix_ms: u64) -> Uuid {
        if unix_ms > self.last_ms {
            self.last_ms = unix_ms;
            self.counter = (self.random() & 0x3FF) as u16;
        } else {
            self.counter += 1;
            if self.counter > 0xFFF {
                // Counter spent: borrow the next millisecond.
                self.last_ms += 1;
                self.counter = 0;
            }
        }
        let mut bytes = [0u8; 10];
        bytes[..2].copy_from_slice(&self.counter.to_be_bytes());
        bytes[2..].copy_from_slice(&self.random().to_be_bytes());
        uuid::Builder::from_unix_timestamp_millis(self.last_ms, &bytes).into_uuid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_v7_and_in_order() {
        let mut ids = IdGen::new();
        let mut last = ids.next(1_795_000_000_000);
        for i in 0..10_000 {
            let id = ids.next(1_795_000_000_000 + i / 7000);
            assert_eq!(id.get_version_num(), 7);
            assert!(id > last, "{id} after {last}");
            last = id;
        }
        assert_ne!(IdGen::new().next(1), IdGen::new().next(1));
    }
}
