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
    const HEADER: u64 = 32;
    const FRAME_HEADER: u64 = 24;
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
    let mut pages = Vec::new();
    let mut frame = [0u8; FRAME_HEADER as usize];
    let mut at = HEADER;
    while at + FRAME_HEADER + page_size <= len {
        file.read_exact_at(&mut frame, at)?;
        let page = u32::from_be_bytes([frame[0], frame[1], frame[2], frame[3]]);
        if page != 0 {
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
