//! Cube ids: random UUIDs (version 4) that carry no time and no order.
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

/// Random bytes fetched at a time: ids for 4,096 customers.
const BLOCK: usize = 64 * 1024;

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
        match &mut self.source {
            Source::System { block, used } => {
                if *used == block.len() {
                    // Without a random source there is no safe id to give;
                    // no system cube runs on lacks one.
                    getrandom::fill(block).expect("the operating system's random source works");
                    *used = 0;
                }
                bytes.copy_from_slice(&block[*used..*used + 16]);
                *used += 16;
            }
            Source::Seeded(state) => {
                for half in bytes.chunks_mut(8) {
                    half.copy_from_slice(&splitmix(state).to_le_bytes());
                }
            }
        }
        uuid::Builder::from_random_bytes(bytes).into_uuid()
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
