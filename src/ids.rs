//! Cube ids (random UUIDs, version 4) and public references (16 random hex
//! digits): they carry no time and no order.
//!
//! Someone holding an import file must not be able to line its rows up with
//! the kept rows by their ids (DESIGN.md, promise 10), so ids are not in time
//! order (as UUIDv7 is), and not from a generator whose state one id would
//! give away (as a seeded SplitMix64 would: it can be run backwards from one
//! output and put every other id in order). They come from the operating
//! system's random source, fetched in blocks so that a bulk import does not
//! make one system call per id.
//!
//! The demo alone uses a seeded generator, so that the same seed gives the
//! same demo data.

use uuid::Uuid;

/// Random bytes fetched at a time: ids for 2,730 customers.
const BLOCK: usize = 65_520;

/// The length of a public reference.
pub const REFERENCE_LEN: usize = 16;

pub struct IdGen {
    source: Source,
}

enum Source {
    System { block: Vec<u8>, used: usize },
    Seeded(u64),
}

impl Default for IdGen {
    fn default() -> Self {
        IdGen::new()
    }
}

impl IdGen {
    /// Ids from the operating system's random source.
    pub fn new() -> IdGen {
        IdGen {
            source: Source::System {
                block: vec![0; BLOCK],
                used: BLOCK,
            },
        }
    }

    /// Ids fixed by `seed`: for the demo only.
    pub fn with_seed(seed: u64) -> IdGen {
        IdGen {
            source: Source::Seeded(seed),
        }
    }

    /// The next cube id.
    pub fn cube_id(&mut self) -> Uuid {
        let mut bytes = [0u8; 16];
        self.fill(&mut bytes);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    /// The next public reference: 16 hex digits (64 random bits), written
    /// into `out`.
    pub fn reference(&mut self, out: &mut [u8; REFERENCE_LEN]) {
        let mut bytes = [0u8; 8];
        self.fill(&mut bytes);
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for (i, b) in bytes.iter().enumerate() {
            out[2 * i] = HEX[usize::from(b >> 4)];
            out[2 * i + 1] = HEX[usize::from(b & 0xf)];
        }
    }

    fn fill(&mut self, bytes: &mut [u8]) {
        match &mut self.source {
            Source::System { block, used } => {
                let n = bytes.len();
                if *used + n > block.len() {
                    // Without a random source there is no safe id to give;
                    // no system cube runs on lacks one.
                    getrandom::fill(block).expect("the operating system's random source works");
                    *used = 0;
                }
                bytes.copy_from_slice(&block[*used..*used + n]);
                *used += n;
            }
            Source::Seeded(state) => {
                for part in bytes.chunks_mut(8) {
                    part.copy_from_slice(&splitmix(state).to_le_bytes()[..part.len()]);
                }
            }
        }
    }
}

/// SplitMix64, for the demo's reproducible ids.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_random_v4_and_unique() {
        let mut ids = IdGen::new();
        let made: Vec<Uuid> = (0..10_000).map(|_| ids.cube_id()).collect();
        assert!(made.iter().all(|id| id.get_version_num() == 4));
        let mut sorted = made.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), made.len());
        // In no order: about half of the neighbours go up.
        let up = made.windows(2).filter(|w| w[1] > w[0]).count();
        assert!((4_000..6_000).contains(&up), "{up} of 9,999 go up");
        assert_eq!(IdGen::with_seed(7).cube_id(), IdGen::with_seed(7).cube_id());
        assert_ne!(IdGen::new().cube_id(), IdGen::new().cube_id());
    }
}
