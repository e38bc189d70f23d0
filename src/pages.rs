//! Free space inside SQLite's pages, and which pages a WAL holds: the two
//! things the scrub needs to know about SQLite's file formats
//! (sqlite.org/fileformat2.html, sections 1.6 and 4.1).
//!
//! `secure_delete` zeroes a row's bytes when SQLite deletes it, and a page
//! when it is freed, but not when a b-tree page is *rebuilt*: when a page
//! splits or is balanced with its neighbours, SQLite writes the page's cells
//! afresh from its end and leaves whatever the page held before in the gap
//! between the cell pointers and the cells. Those old bytes are copies of
//! rows that live on elsewhere, until one of them is anonymized. Zeroing that
//! gap (and the bodies of free blocks) in every page a write touched, before
//! the page reaches the database file, keeps the file free of stale copies
//! at a cost that follows the pages written (see `db/scrub.rs`).
//!
//! Only b-tree pages are changed. Overflow and freelist pages are left as
//! they are: SQLite writes an overflow page whole, and with `secure_delete`
//! zeroes a page when it frees it. A b-tree page is told from the others by
//! its first byte (2, 5, 10 or 13); the first four bytes of an overflow or
//! freelist page are a page number, whose first byte is 0 below 2^24 pages
//! (512 GB with cube's 32 KB pages). A page that does not add up as a b-tree
//! page is left alone.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// Why a page was left alone: its header does not add up.
#[derive(Debug, PartialEq, Eq)]
pub struct Malformed;

/// Zeroes the free space of a b-tree page: the gap between its cell pointer
/// array and its cell content area, and the body of each free block (its
/// 4-byte header, which chains the blocks, stays). `first` is page 1, whose
/// b-tree header follows the 100-byte database header; `usable` is the page
/// size less the reserved bytes at the end of each page.
///
/// Returns whether a byte changed; `Ok(false)` for a page that is not a
/// b-tree page. On `Err` the page may be half changed: the caller must not
/// write it back.
pub fn clear_free_space(page: &mut [u8], first: bool, usable: usize) -> Result<bool, Malformed> {
    let at = if first { 100 } else { 0 };
    let usable = usable.min(page.len());
    let header_len = match page.get(at) {
        Some(2 | 5) => 12,
        Some(10 | 13) => 8,
        _ => return Ok(false),
    };
    if at + header_len > usable {
        return Err(Malformed);
    }
    let u16_at = |page: &[u8], i: usize| usize::from(u16::from_be_bytes([page[i], page[i + 1]]));
    let cells = u16_at(page, at + 3);
    let content = match u16_at(page, at + 5) {
        0 => 65536,
        n => n,
    };
    let pointers_end = at + header_len + 2 * cells;
    if pointers_end > content || content > usable {
        return Err(Malformed);
    }
    let mut changed = zero(&mut page[pointers_end..content]);
    // Free blocks lie in the content area in ascending order, each at least
    // four bytes: [next: u16][size: u16][free bytes].
    let mut block = u16_at(page, at + 1);
    while block != 0 {
        if block < content || block + 4 > usable {
            return Err(Malformed);
        }
        let size = u16_at(page, block + 2);
        let next = u16_at(page, block);
        if size < 4 || block + size > usable || (next != 0 && next < block + size) {
            return Err(Malformed);
        }
        changed |= zero(&mut page[block + 4..block + size]);
        block = next;
    }
    Ok(changed)
}

/// Zeroes `bytes`; true if one was not zero already.
fn zero(bytes: &mut [u8]) -> bool {
    if bytes.iter().all(|&b| b == 0) {
        return false;
    }
    bytes.fill(0);
    true
}

/// The page numbers of every frame in the WAL file at `wal`, sorted and
/// without repeats; none if there is no WAL. Frames of an earlier cycle of
/// the WAL that a shorter later one did not overwrite count too: scrubbing a
/// page once more costs a read, missing one would leave its old bytes.
pub fn wal_pages(wal: &Path) -> io::Result<Vec<u32>> {
    frames_pages(wal, None)
}

/// Where a WAL ends: its length, and the salt of its header, which SQLite
/// changes when it starts the WAL over from its first frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalEnd {
    len: u64,
    salt: Option<[u8; 8]>,
}

/// Where the WAL at `wal` ends now (nothing yet if there is none).
pub fn wal_end(wal: &Path) -> io::Result<WalEnd> {
    let file = match File::open(wal) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(WalEnd { len: 0, salt: None }),
        Err(e) => return Err(e),
    };
    let mut header = [0u8; HEADER as usize];
    let salt = match file.read_exact_at(&mut header, 0) {
        Ok(()) => header[16..24].try_into().ok(),
        Err(_) => None,
    };
    Ok(WalEnd {
        len: file.metadata()?.len(),
        salt,
    })
}

/// The page numbers of the frames written to the WAL at `wal` since it ended
/// at `end`, as [`wal_pages`] lists them: those after `end` if the WAL went
/// on, all of its current cycle's if SQLite started it over.
pub fn wal_pages_since(wal: &Path, end: WalEnd) -> io::Result<Vec<u32>> {
    frames_pages(wal, Some(end))
}

const HEADER: u64 = 32;
const FRAME_HEADER: u64 = 24;

/// The pages of the WAL's frames: all of them, or with `since` those written
/// after it (of the header's salt only).
fn frames_pages(wal: &Path, since: Option<WalEnd>) -> io::Result<Vec<u32>> {
    let file = match File::open(wal) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    let mut header = [0u8; HEADER as usize];
    if len < HEADER + FRAME_HEADER || file.read_exact_at(&mut header, 0).is_err() {
        return Ok(Vec::new());
    }
    let page_size = u64::from(u32::from_be_bytes([
        header[8], header[9], header[10], header[11],
    ]));
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "the WAL file's header names no valid page size",
        ));
    }
    let salt = &header[16..24];
    let mut at = HEADER;
    if let Some(end) = since {
        if end.salt.as_ref().map(|s| &s[..]) == Some(salt) && end.len > HEADER {
            // Frames are whole from the header on: `end.len` is a frame's end.
            at = end.len;
        }
    }
    let mut pages = Vec::new();
    let mut frame = [0u8; FRAME_HEADER as usize];
    while at + FRAME_HEADER + page_size <= len {
        file.read_exact_at(&mut frame, at)?;
        let page = u32::from_be_bytes([frame[0], frame[1], frame[2], frame[3]]);
        // A frame of an earlier cycle has another salt. One of the open
        // transaction's has none yet if SQLite wrote a frame of it twice:
        // it salts the frames after that one as the transaction commits.
        let ours = frame[8..16] == *salt || frame[8..16] == [0; 8];
        if page != 0 && (since.is_none() || ours) {
            pages.push(page);
        }
        at += FRAME_HEADER + page_size;
    }
    pages.sort_unstable();
    pages.dedup();
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A leaf table page of 512 bytes with two cells at the end, some stale
    /// bytes in the gap and one free block.
    fn leaf() -> Vec<u8> {
        let mut page = vec![0u8; 512];
        page[0] = 13;
        page[1..3].copy_from_slice(&400u16.to_be_bytes()); // first free block
        page[3..5].copy_from_slice(&2u16.to_be_bytes()); // cells
        page[5..7].copy_from_slice(&300u16.to_be_bytes()); // content starts
        page[8..10].copy_from_slice(&480u16.to_be_bytes());
        page[10..12].copy_from_slice(&300u16.to_be_bytes());
        page[100..120].copy_from_slice(b"Kare Odegard Aesir 9");
        page[300..320].fill(b'c'); // a cell
        page[400..402].copy_from_slice(&0u16.to_be_bytes());
        page[402..404].copy_from_slice(&20u16.to_be_bytes());
        page[404..420].fill(b's'); // a free block's old bytes
        page[480..512].fill(b'c'); // another cell
        page
    }

    #[test]
    fn the_gap_and_free_blocks_are_zeroed_and_the_cells_stay() {
        let mut page = leaf();
        assert_eq!(clear_free_space(&mut page, false, 512), Ok(true));
        assert!(page[12..300].iter().all(|&b| b == 0));
        assert!(page[404..420].iter().all(|&b| b == 0));
        assert_eq!(&page[400..404], &[0, 0, 0, 20], "the block's header stays");
        assert!(page[300..320].iter().all(|&b| b == b'c'));
        assert!(page[480..512].iter().all(|&b| b == b'c'));
        assert_eq!(&page[8..12], &[1, 224, 1, 44], "the cell pointers stay");
        assert_eq!(clear_free_space(&mut page, false, 512), Ok(false));
    }

    #[test]
    fn pages_that_are_not_b_tree_pages_are_left_alone() {
        for first in [0u8, 1, 3, 0xff] {
            let mut page = vec![7u8; 512];
            page[0] = first;
            assert_eq!(clear_free_space(&mut page, false, 512), Ok(false));
            assert!(page[1..].iter().all(|&b| b == 7));
        }
    }

    /// Appends a frame of page `page`, salted `salt`, of 512 bytes.
    fn frame(wal: &mut Vec<u8>, page: u32, salt: [u8; 8]) {
        wal.extend_from_slice(&page.to_be_bytes());
        wal.extend_from_slice(&[0; 4]);
        wal.extend_from_slice(&salt);
        wal.extend_from_slice(&[0; 8]);
        wal.extend_from_slice(&[0; 512]);
    }

    #[test]
    fn the_frames_since_an_end_are_those_written_after_it_or_since_the_wal_started_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cube.db-wal");
        let header = |salt: [u8; 8]| {
            let mut h = vec![0u8; 32];
            h[8..12].copy_from_slice(&512u32.to_be_bytes());
            h[16..24].copy_from_slice(&salt);
            h
        };
        let (a, b) = ([1; 8], [2; 8]);
        assert_eq!(wal_end(&path).unwrap(), WalEnd { len: 0, salt: None });
        let mut wal = header(a);
        frame(&mut wal, 3, a);
        frame(&mut wal, 4, a);
        std::fs::write(&path, &wal).unwrap();
        let end = wal_end(&path).unwrap();
        assert_eq!(wal_pages_since(&path, end).unwrap(), Vec::<u32>::new());
        frame(&mut wal, 9, a);
        frame(&mut wal, 5, a);
        std::fs::write(&path, &wal).unwrap();
        assert_eq!(wal_pages_since(&path, end).unwrap(), vec![5, 9]);
        assert_eq!(wal_pages(&path).unwrap(), vec![3, 4, 5, 9]);
        // Started over: a new salt, its first frame over the old first one.
        wal[..32].copy_from_slice(&header(b));
        let mut first = Vec::new();
        frame(&mut first, 7, b);
        wal[32..32 + first.len()].copy_from_slice(&first);
        std::fs::write(&path, &wal).unwrap();
        assert_eq!(wal_pages_since(&path, end).unwrap(), vec![7]);
        let none = WalEnd { len: 0, salt: None };
        assert_eq!(wal_pages_since(&path, none).unwrap(), vec![7]);
        assert_eq!(wal_pages(&path).unwrap(), vec![4, 5, 7, 9]);
        // A frame not salted yet (its transaction wrote a frame twice).
        frame(&mut wal, 8, [0; 8]);
        std::fs::write(&path, &wal).unwrap();
        assert_eq!(wal_pages_since(&path, end).unwrap(), vec![7, 8]);
    }

    #[test]
    fn a_header_that_does_not_add_up_is_refused() {
        let mut bad_content = leaf();
        bad_content[5..7].copy_from_slice(&4u16.to_be_bytes());
        let mut bad_block = leaf();
        bad_block[402..404].copy_from_slice(&200u16.to_be_bytes());
        let mut looping = leaf();
        looping[400..402].copy_from_slice(&400u16.to_be_bytes());
        let mut too_many_cells = leaf();
        too_many_cells[3..5].copy_from_slice(&u16::MAX.to_be_bytes());
        for mut page in [bad_content, bad_block, looping, too_many_cells] {
            assert_eq!(clear_free_space(&mut page, false, 512), Err(Malformed));
        }
        let mut short = vec![13u8; 4];
        assert_eq!(clear_free_space(&mut short, false, 4), Err(Malformed));
    }
}
