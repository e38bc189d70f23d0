//! `cube scan`: personal data in free text that should not be there.
//!
//! The detectors are pure functions on text: no SQL, no terminal. They find
//! Norwegian national id numbers (fødselsnummer and D-nummer), e-mail
//! addresses, phone numbers, bank account numbers and payment card numbers,
//! and say where in the text each one is; the caller names only the place it
//! read the text from, never the value.
//!
//! Every text cube keeps is read, so a scan must cost little more than reading
//! it: one pass over the bytes finds the runs of digits (with the separators
//! that join them into one number) and classifies each run once, most specific
//! first (a national id before a card, a card before a bank account, a bank
//! account before a phone), by its digit count, grouping and check digits.
//! E-mail addresses are found from their `@` (searched with `memchr`, which
//! most texts never match) and their digits are never read as numbers.
//! Digits glued to letters (`K0012345678`) or inside a longer run of digits
//! are not numbers of their own.
//!
//! What must never change: nothing here returns or keeps the text it found,
//! only its kind and position, so that no caller can print a value by mistake.
//! [`scan_store`] at the end reads the texts from the database and reports
//! each finding by table, field and customer.

use std::ops::Range;

use anyhow::Result;
use serde::Serialize;

use crate::db::{CustomerKey, Db, TextRow};

/// What kind of personal data was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    NationalId,
    Email,
    Phone,
    BankAccount,
    PaymentCard,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::NationalId,
        Kind::Email,
        Kind::Phone,
        Kind::BankAccount,
        Kind::PaymentCard,
    ];

    /// The name `--json` uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::NationalId => "national_id",
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::BankAccount => "bank_account",
            Kind::PaymentCard => "payment_card",
        }
    }
}

/// Calls `found` with the kind and byte range of each piece of personal data
/// in `text`, in order. The text is UTF-8 as SQLite holds it, not checked:
/// only the characters next to a number or inside an address are decoded,
/// and bytes that are not UTF-8 there count as punctuation.
pub fn find(text: &[u8], mut found: impl FnMut(Kind, Range<usize>)) {
    let mut from = 0;
    loop {
        let email = next_email(text, from);
        let stop = email.as_ref().map_or(text.len(), |e| e.start);
        numbers(text, from, stop, &mut found);
        match email {
            Some(range) => {
                from = range.end;
                found(Kind::Email, range);
            }
            None => return,
        }
    }
}

/// Like [`find`] for a JSON object of text (the extra fields of a card):
/// its keys and values are searched as the texts they are, not as the
/// escaped form they are stored in (`\n99887766` is a line break and a phone
/// number). Text that is not JSON is searched as it is.
pub fn find_in_json(json: &[u8], mut found: impl FnMut(Kind)) {
    if json == b"{}" {
        return;
    }
    // Without a backslash, the stored form is the text itself, between
    // quotes and commas that no number or address runs across.
    if memchr::memchr(b'\\', json).is_none() {
        return find(json, |kind, _| found(kind));
    }
    match serde_json::from_slice::<serde_json::Value>(json) {
        Ok(value) => each_string(&value, &mut |text| {
            find(text.as_bytes(), |kind, _| found(kind))
        }),
        Err(_) => find(json, |kind, _| found(kind)),
    }
}

fn each_string(value: &serde_json::Value, each: &mut dyn FnMut(&str)) {
    match value {
        serde_json::Value::String(text) => each(text),
        serde_json::Value::Array(items) => items.iter().for_each(|v| each_string(v, each)),
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                each(key);
                each_string(value, each);
            }
        }
        serde_json::Value::Number(n) => each(&n.to_string()),
        serde_json::Value::Bool(_) | serde_json::Value::Null => {}
    }
}

// ---------------------------------------------------------------------------
// E-mail addresses

/// The next e-mail address that starts at or after `from`.
fn next_email(text: &[u8], from: usize) -> Option<Range<usize>> {
    let mut search = from;
    while let Some(offset) = memchr::memchr(b'@', &text[search..]) {
        let at = search + offset;
        if let Some(range) = email_around(text, from, at) {
            return Some(range);
        }
        search = at + 1;
    }
    None
}

/// The address whose `@` is at `at`, if it is one: a local part (not before
/// `from`) and a domain of at least two labels whose last is letters.
fn email_around(text: &[u8], from: usize, at: usize) -> Option<Range<usize>> {
    let mut start = at;
    while start > from {
        match char_before(text, start) {
            Some(c) if c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-' | '\'') => {
                start -= c.len_utf8()
            }
            _ => break,
        }
    }
    // A sentence's dots and quotes are not part of the address.
    while start < at && matches!(text[start], b'.' | b'\'') {
        start += 1;
    }
    if start == at || text[at - 1] == b'.' {
        return None;
    }
    let mut end = at + 1;
    while let Some(c) = char_at(text, end) {
        if !(c.is_alphanumeric() || c == '.' || c == '-') {
            break;
        }
        end += c.len_utf8();
    }
    while end > at + 1 && matches!(text[end - 1], b'.' | b'-') {
        end -= 1;
    }
    // Whole characters, each checked by `char_at`.
    let domain = std::str::from_utf8(&text[at + 1..end]).ok()?;
    let mut labels = 0;
    for label in domain.split('.') {
        if label.is_empty() || label.starts_with('-') || label.ends_with('-') {
            return None;
        }
        labels += 1;
    }
    let top = domain.rsplit('.').next().unwrap_or("");
    if labels < 2 || top.chars().count() < 2 || !top.chars().all(char::is_alphabetic) {
        return None;
    }
    Some(start..end)
}

// ---------------------------------------------------------------------------
// Numbers

/// At most this many groups of digits are read as one number: a card number
/// in groups of four has five at most.
const MAX_GROUPS: usize = 8;

/// A run of digits, and the separator that joined it to the run before it.
#[derive(Debug, Clone, Copy, Default)]
struct Group {
    start: usize,
    end: usize,
    /// `b' '`, `b'.'` or `b'-'` (a no-break space counts as a space); 0 for
    /// the first group.
    sep: u8,
}

impl Group {
    fn len(&self) -> usize {
        self.end - self.start
    }
}

/// Finds the numbers in `text[from..stop]`.
fn numbers(text: &[u8], from: usize, stop: usize, found: &mut impl FnMut(Kind, Range<usize>)) {
    let mut groups = [Group::default(); MAX_GROUPS];
    let mut i = from;
    while i < stop {
        let b = text[i];
        let plus = b == b'+' && i + 1 < stop && text[i + 1].is_ascii_digit();
        if !(b.is_ascii_digit() || plus) {
            i += 1;
            continue;
        }
        let digits = if plus { i + 1 } else { i };
        if !free_before(text, i) {
            // Part of a word (`K0012345678`, `a+1`): not a number of its own.
            i = digit_run_end(text, digits, stop);
            continue;
        }
        let n = read_groups(text, digits, stop, &mut groups);
        let groups = &groups[..n];
        let classified = if plus {
            international(text, groups)
        } else {
            classify(text, groups)
        };
        match classified {
            Some((kind, used)) => {
                let end = groups[used - 1].end;
                found(kind, i..end);
                i = end;
            }
            // The next group may start a number of its own.
            None => i = groups[0].end,
        }
    }
}

fn digit_run_end(bytes: &[u8], mut i: usize, stop: usize) -> usize {
    while i < stop && bytes[i].is_ascii_digit() {
        i += 1;
    }
    i
}

/// Reads up to [`MAX_GROUPS`] runs of digits from `start`, each joined to the
/// one before by a single space, no-break space, `.` or `-`.
fn read_groups(bytes: &[u8], start: usize, stop: usize, groups: &mut [Group]) -> usize {
    let mut n = 0;
    let mut i = start;
    let mut sep = 0;
    loop {
        let end = digit_run_end(bytes, i, stop);
        groups[n] = Group { start: i, end, sep };
        n += 1;
        if n == groups.len() {
            return n;
        }
        let (next_sep, width) = match bytes.get(end..) {
            Some([b' ' | b'.' | b'-', ..]) => (bytes[end], 1),
            Some([0xc2, 0xa0, ..]) => (b' ', 2),
            _ => return n,
        };
        let next = end + width;
        if next >= stop || !bytes[next].is_ascii_digit() {
            return n;
        }
        sep = next_sep;
        i = next;
    }
}

/// True when the character before byte `i` does not make it part of a word.
fn free_before(text: &[u8], i: usize) -> bool {
    char_before(text, i).is_none_or(|c| !is_word(c))
}

/// True when the character at byte `i` does not glue what ends there to a word.
fn free_after(text: &[u8], i: usize) -> bool {
    char_at(text, i).is_none_or(|c| !is_word(c))
}

/// The character that ends at byte `i`; `None` at the start, or where the
/// bytes are not UTF-8.
fn char_before(text: &[u8], i: usize) -> Option<char> {
    let last = *text.get(i.checked_sub(1)?)?;
    if last.is_ascii() {
        return Some(char::from(last));
    }
    let mut start = i - 1;
    while start > 0 && i - start < 4 && text[start] & 0xc0 == 0x80 {
        start -= 1;
    }
    std::str::from_utf8(&text[start..i])
        .ok()?
        .chars()
        .next_back()
}

/// The character that starts at byte `i`; `None` at the end, or where the
/// bytes are not UTF-8.
fn char_at(text: &[u8], i: usize) -> Option<char> {
    let first = *text.get(i)?;
    let width = match first {
        0x00..=0x7f => return Some(char::from(first)),
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => return None,
    };
    std::str::from_utf8(text.get(i..i + width)?)
        .ok()?
        .chars()
        .next()
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The digits of `groups` as values 0-9; `None` past 19 digits (longer than
/// any number looked for).
fn digits_of(bytes: &[u8], groups: &[Group]) -> Option<([u8; 19], usize)> {
    let mut digits = [0; 19];
    let mut n = 0;
    for g in groups {
        for &b in &bytes[g.start..g.end] {
            *digits.get_mut(n)? = b - b'0';
            n += 1;
        }
    }
    Some((digits, n))
}

/// The kind of number that starts with `groups[0]` and how many groups it
/// takes, most specific first.
fn classify(text: &[u8], groups: &[Group]) -> Option<(Kind, usize)> {
    let lens: [usize; MAX_GROUPS] = std::array::from_fn(|i| groups.get(i).map_or(0, Group::len));
    // Whether `groups[..k]` is joined by `seps` and ends where no word goes on.
    let shape = |k: usize, seps: &[u8]| {
        k <= groups.len()
            && groups[1..k].iter().all(|g| seps.contains(&g.sep))
            && groups[1..k].iter().all(|g| g.sep == groups[1].sep)
            && free_after(text, groups[k - 1].end)
    };
    let digits = |k: usize| digits_of(text, &groups[..k]);

    // National id: 11 digits, or 6 and 5 with a space.
    for (k, want) in [(1, &[11][..]), (2, &[6, 5])] {
        if lens[..k] == *want && shape(k, b" ") {
            if let Some((d, 11)) = digits(k) {
                if national_id(&d) {
                    return Some((Kind::NationalId, k));
                }
            }
        }
    }
    // Payment card: 13-19 digits in one run, or in groups of 3-6 joined by
    // spaces or hyphens; the longest that passes the Luhn check.
    if (13..=19).contains(&lens[0]) && shape(1, b"") {
        if let Some((d, n)) = digits(1) {
            if luhn(&d[..n]) {
                return Some((Kind::PaymentCard, 1));
            }
        }
    }
    for k in (2..=groups.len()).rev() {
        let total: usize = lens[..k].iter().sum();
        if (13..=19).contains(&total)
            && lens[..k].iter().all(|l| (3..=6).contains(l))
            && shape(k, b" -")
        {
            if let Some((d, n)) = digits(k) {
                if luhn(&d[..n]) {
                    return Some((Kind::PaymentCard, k));
                }
            }
        }
    }
    // Bank account: 11 digits, or 4.2.5 with dots or spaces.
    for (k, want, seps) in [(1, &[11][..], &b""[..]), (3, &[4, 2, 5], b". ")] {
        if lens[..k] == *want && shape(k, seps) {
            if let Some((d, 11)) = digits(k) {
                if bank_account(&d) {
                    return Some((Kind::BankAccount, k));
                }
            }
        }
    }
    // Phone: a Norwegian number, alone or after 0047.
    if let Some(k) = norwegian_phone(text, groups) {
        return Some((Kind::Phone, k));
    }
    if lens[0] == 12 && text[groups[0].start..].starts_with(b"0047") && shape(1, b"") {
        let first = text[groups[0].start + 4];
        if (b'2'..=b'9').contains(&first) {
            return Some((Kind::Phone, 1));
        }
    }
    if lens[0] == 4
        && text[groups[0].start..].starts_with(b"0047")
        && groups.get(1).is_some_and(|g| g.sep == b' ')
    {
        if let Some(k) = norwegian_phone(text, &groups[1..]) {
            return Some((Kind::Phone, 1 + k));
        }
    }
    None
}

/// How many groups a Norwegian phone number at the start of `groups` takes:
/// `99887766`, `998 87 766` or `99 88 77 66`, starting with 2-9 (0 and 1 start
/// no subscriber number). Eight digits that read as a date (`20261101`,
/// `01112026`) are a date.
fn norwegian_phone(text: &[u8], groups: &[Group]) -> Option<usize> {
    let first = text[groups[0].start];
    if !(b'2'..=b'9').contains(&first) {
        return None;
    }
    for want in [&[8][..], &[3, 2, 3], &[2, 2, 2, 2]] {
        let k = want.len();
        if groups.len() >= k
            && groups[..k].iter().map(Group::len).eq(want.iter().copied())
            && groups[1..k].iter().all(|g| g.sep == b' ')
            && free_after(text, groups[k - 1].end)
        {
            if k == 1 {
                let (d, _) = digits_of(text, &groups[..1])?;
                if compact_date(&d[..8]) {
                    return None;
                }
            }
            return Some(k);
        }
    }
    None
}

/// An international number after `+`: 8-15 digits, in groups joined by
/// spaces or hyphens.
fn international(text: &[u8], groups: &[Group]) -> Option<(Kind, usize)> {
    let mut total = 0;
    let mut best = None;
    for (k, g) in groups.iter().enumerate() {
        let joined = k == 0 || (b" -".contains(&g.sep) && g.sep == groups[1].sep);
        if !joined {
            break;
        }
        total += g.len();
        if total > 15 {
            break;
        }
        if total >= 8 && free_after(text, g.end) {
            best = Some((Kind::Phone, k + 1));
        }
    }
    best
}

/// Both check digits of a fødselsnummer or D-nummer (whose day has 40 added),
/// and a date that exists in the century the individual number gives.
pub fn national_id(d: &[u8; 19]) -> bool {
    let first = check_digit(&d[..9], &[3, 7, 6, 1, 8, 9, 4, 5, 2]);
    let second = check_digit(&d[..10], &[5, 4, 3, 2, 7, 6, 5, 4, 3, 2]);
    if first != Some(d[9]) || second != Some(d[10]) {
        return false;
    }
    let two = |i: usize| u32::from(d[i]) * 10 + u32::from(d[i + 1]);
    let day = if d[0] >= 4 { two(0) - 40 } else { two(0) };
    let (month, year) = (two(2), two(4));
    let individual = u32::from(d[6]) * 100 + two(7);
    let century = match individual {
        0..=499 => 1900,
        500..=749 if year >= 54 => 1800,
        500..=999 if year <= 39 => 2000,
        900..=999 if year >= 40 => 1900,
        _ => return false,
    };
    valid_date(century + year, month, day)
}

/// The mod-11 check digit of a Norwegian account number.
pub fn bank_account(d: &[u8; 19]) -> bool {
    check_digit(&d[..10], &[5, 4, 3, 2, 7, 6, 5, 4, 3, 2]) == Some(d[10])
}

/// The mod-11 check digit of `digits` with `weights`; `None` where there is
/// none (a remainder of 1: such numbers are never issued).
fn check_digit(digits: &[u8], weights: &[u32]) -> Option<u8> {
    let sum: u32 = digits
        .iter()
        .zip(weights)
        .map(|(&d, &w)| u32::from(d) * w)
        .sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        k => Some(k as u8),
    }
}

/// The Luhn check of payment card numbers.
pub fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            match (i % 2, d * 2) {
                (0, _) => d,
                (_, double) if double > 9 => double - 9,
                (_, double) => double,
            }
        })
        .sum();
    sum % 10 == 0
}

/// Eight digits that read as `YYYYMMDD` or `DDMMYYYY` in 1900-2099.
fn compact_date(d: &[u8]) -> bool {
    let n = |range: Range<usize>| {
        d[range]
            .iter()
            .fold(0u32, |acc, &digit| acc * 10 + u32::from(digit))
    };
    let year_first = (1900..=2099).contains(&n(0..4)) && valid_date(n(0..4), n(4..6), n(6..8));
    let day_first = (1900..=2099).contains(&n(4..8)) && valid_date(n(4..8), n(2..4), n(0..2));
    year_first || day_first
}

fn valid_date(year: u32, month: u32, day: u32) -> bool {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

// ---------------------------------------------------------------------------
// The store

/// One piece of personal data found: where it is, never what it is.
#[derive(Debug, Clone, Serialize)]
pub struct Finding<'a> {
    pub kind: Kind,
    pub table: &'static str,
    pub field: &'static str,
    /// The customer the text belongs to, as cube shows customers; `None` for
    /// campaign names and seller usernames.
    pub customer: Option<&'a str>,
}

/// How many of each kind were found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub national_id: u64,
    pub email: u64,
    pub phone: u64,
    pub bank_account: u64,
    pub payment_card: u64,
}

impl Counts {
    pub fn get(&self, kind: Kind) -> u64 {
        match kind {
            Kind::NationalId => self.national_id,
            Kind::Email => self.email,
            Kind::Phone => self.phone,
            Kind::BankAccount => self.bank_account,
            Kind::PaymentCard => self.payment_card,
        }
    }

    fn add(&mut self, kind: Kind) {
        *match kind {
            Kind::NationalId => &mut self.national_id,
            Kind::Email => &mut self.email,
            Kind::Phone => &mut self.phone,
            Kind::BankAccount => &mut self.bank_account,
            Kind::PaymentCard => &mut self.payment_card,
        } += 1;
    }

    pub fn total(&self) -> u64 {
        Kind::ALL.iter().map(|&k| self.get(k)).sum()
    }
}

/// What a scan read and found.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScanSummary {
    /// Texts read that were not empty.
    pub texts: u64,
    pub counts: Counts,
}

/// Reads every free text cube keeps (of the customers of `campaign_id`
/// alone, if given) and calls `report` with each finding, as it is found:
/// memory stays flat whatever the size of the database. `progress` is told
/// of the texts read.
pub fn scan_store(
    db: &Db,
    campaign_id: Option<i64>,
    progress: &dyn Fn(u64),
    report: &mut dyn FnMut(&Finding) -> Result<()>,
) -> Result<ScanSummary> {
    // One thread reads the texts (SQLite's part, over half the time), this
    // one searches them, in the order they were read: chunks of texts
    // copied out, a few at a time between the two, so memory stays flat.
    let reader = db.free_texts()?;
    let (chunks, read) = std::sync::mpsc::sync_channel::<Chunk>(CHUNKS_AHEAD);
    std::thread::scope(|scope| {
        let reading = scope.spawn(move || {
            let mut chunk = Chunk::default();
            reader.each(campaign_id, &mut |row: &TextRow| {
                if row.text.is_empty() || row.json && row.text == b"{}" {
                    return Ok(());
                }
                chunk.push(row);
                if chunk.is_full() {
                    // The searcher stopped (it failed): so does the reader.
                    chunks
                        .send(std::mem::take(&mut chunk))
                        .map_err(|_| anyhow::anyhow!("the scan stopped"))?;
                }
                Ok(())
            })?;
            let _ = chunks.send(chunk);
            Ok::<(), anyhow::Error>(())
        });
        let searched = search_chunks(db, read, progress, report);
        let was_read = reading
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the reading of the texts failed")));
        // The searcher's failure first: it stopped the reader.
        let summary = searched?;
        was_read?;
        Ok(summary)
    })
}

/// Texts copied out of SQLite in one piece, for the searching thread.
#[derive(Default)]
struct Chunk {
    rows: Vec<ChunkRow>,
    bytes: Vec<u8>,
}

/// A [`TextRow`] of a chunk: its text is `bytes[start..end]`.
struct ChunkRow {
    table: &'static str,
    field: &'static str,
    json: bool,
    customer: Option<CustomerKey>,
    text: Range<usize>,
}

/// Texts in a chunk, at most.
const CHUNK_TEXTS: usize = 4096;
/// Chunks read and not searched yet, at most.
const CHUNKS_AHEAD: usize = 4;

impl Chunk {
    fn push(&mut self, row: &TextRow) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(row.text);
        self.rows.push(ChunkRow {
            table: row.table,
            field: row.field,
            json: row.json,
            customer: row.customer,
            text: start..self.bytes.len(),
        });
    }

    /// Full at [`CHUNK_TEXTS`] texts, or at 1 MB of them (long notes).
    fn is_full(&self) -> bool {
        self.rows.len() >= CHUNK_TEXTS || self.bytes.len() >= 1 << 20
    }
}

/// The searching half of [`scan_store`]: every text of every chunk, in order.
fn search_chunks(
    db: &Db,
    chunks: std::sync::mpsc::Receiver<Chunk>,
    progress: &dyn Fn(u64),
    report: &mut dyn FnMut(&Finding) -> Result<()>,
) -> Result<ScanSummary> {
    let mut summary = ScanSummary::default();
    let mut labels = db.customer_labels()?;
    let mut kinds = Vec::new();
    for chunk in chunks {
        for row in &chunk.rows {
            let text = &chunk.bytes[row.text.clone()];
            summary.texts += 1;
            if summary.texts % 4096 == 0 {
                progress(4096);
            }
            kinds.clear();
            if row.json {
                find_in_json(text, |kind| kinds.push(kind));
            } else {
                find(text, |kind, _| kinds.push(kind));
            }
            if kinds.is_empty() {
                continue;
            }
            // Findings are rare: the customer is looked up only for one.
            let customer = match row.customer {
                Some(key) => Some(labels.get(key)?),
                None => None,
            };
            for &kind in &kinds {
                summary.counts.add(kind);
                report(&Finding {
                    kind,
                    table: row.table,
                    field: row.field,
                    customer,
                })?;
            }
        }
    }
    progress(summary.texts % 4096);
    Ok(summary)
}

#[cfg(test)]
mod tests;
