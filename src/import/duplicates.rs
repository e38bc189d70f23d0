//! Telling rows already in the database from new ones, so that importing a
//! file again doubles nothing (a cron job may well run twice).
//!
//! - A customer row with a customer number is the customer that has it (the
//!   unique index finds it, see [`super::customers`]). A row without one (as
//!   HubSpot, Outlook and many Excel lists have) is the customer with the same
//!   e-mail address, in any case, or else the same phone number, compared as
//!   digits with `+47`/`0047` ignored, unless both have e-mail addresses and
//!   they differ (a household shares a phone, not an address). Of several,
//!   the first imported. Only customers that are not anonymized are matched
//!   (DESIGN.md, promise 4), and the rows before it in the file count.
//! - An outcome or history entry the same as one stored is skipped (see
//!   [`super::outcomes`] and [`super::activity`]); [`Seen`] tells the
//!   outcomes of a batch, [`Given`] which customers an import has given
//!   outcomes.
//! - An outcomes or history file is remembered by the SHA-256 of its bytes:
//!   seeing it again is worth a warning, and its rows are still judged one
//!   by one.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::{self, Read};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Result;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::db::{CardText, ImportedFile, KeyMatch, NewIds, OutcomeText, StoredOutcome, Tx};

/// The SHA-256 of the bytes of an input, taken as they are read.
#[derive(Clone, Default)]
pub(super) struct Checksum(Arc<Mutex<Sha256>>);

impl Checksum {
    /// `stream`, with every byte read from it summed here.
    pub(super) fn reading(&self, stream: Box<dyn Read + Send>) -> Box<dyn Read + Send> {
        Box::new(Summing {
            stream,
            sum: self.clone(),
        })
    }

    /// The sum of the bytes read so far, in hex.
    fn hex(&self) -> String {
        let sum = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        sum.clone()
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

struct Summing {
    stream: Box<dyn Read + Send>,
    sum: Checksum,
}

impl Read for Summing {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.stream.read(buf)?;
        let mut sum = self.sum.0.lock().unwrap_or_else(PoisonError::into_inner);
        sum.update(&buf[..n]);
        Ok(n)
    }
}

/// Remembers a file of `kind` read to its end, with its `rows`, unless it
/// was imported before: then returns its first import.
pub(super) fn remember(
    tx: &Tx,
    kind: &str,
    checksum: &Checksum,
    rows: u64,
    now: DateTime<Utc>,
) -> Result<Option<ImportedFile>> {
    let sha256 = checksum.hex();
    let before = tx.imported_file(kind, &sha256)?;
    if before.is_none() {
        tx.record_imported_file(kind, &sha256, rows, now)?;
    }
    Ok(before)
}

/// A match key as the reading thread makes it, apart from the record it is
/// of: none, the field as it is (most are), or a text of its own.
pub(super) enum CheckedKey {
    None,
    Field,
    Text(String),
}

impl CheckedKey {
    /// From what [`crate::db::email_key`] or [`crate::db::phone_key`] gave,
    /// which borrows only the whole field.
    pub(super) fn of(key: Option<Cow<'_, str>>) -> CheckedKey {
        match key {
            None => CheckedKey::None,
            Some(Cow::Borrowed(_)) => CheckedKey::Field,
            Some(Cow::Owned(text)) => CheckedKey::Text(text),
        }
    }

    /// The key of `field`, the value it was made of.
    pub(super) fn text<'a>(&'a self, field: &'a str) -> Option<&'a str> {
        match self {
            CheckedKey::None => None,
            CheckedKey::Field => Some(field),
            CheckedKey::Text(text) => Some(text),
        }
    }
}

/// What a row of a customers file is, judged before its batch is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// A new customer, or the one its customer number names (the insert
    /// finds out which).
    New,
    /// A customer already there.
    Same(Same),
    /// A row before it in the batch has its e-mail or phone: it is looked up
    /// once that row is written.
    Later,
}

/// A customer already there, and which of the row's fields found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Same {
    pub id: i64,
    pub by: By,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum By {
    Email,
    Phone,
}

/// Judges the cards of a batch, with one search for all their e-mail
/// addresses and one for the phones left. Empty when no card is without a
/// customer number and with an e-mail or phone: then every row is new.
pub(super) fn judge(tx: &Tx, cards: &[(NewIds, CardText)]) -> Result<Vec<Verdict>> {
    let matched = |card: &CardText| {
        card.customer_no.is_none() && (card.email_key.is_some() || card.phone_key.is_some())
    };
    if !cards.iter().any(|(_, card)| matched(card)) {
        return Ok(Vec::new());
    }
    let mut verdicts = vec![Verdict::New; cards.len()];
    let mut asked = Vec::new();
    let (mut emails, mut phones) = (HashSet::new(), HashSet::new());
    for (i, (_, card)) in cards.iter().enumerate() {
        if matched(card) {
            let seen = card.email_key.is_some_and(|k| emails.contains(k))
                || card.phone_key.is_some_and(|k| phones.contains(k));
            if seen {
                verdicts[i] = Verdict::Later;
            } else {
                asked.push(i);
            }
        }
        emails.extend(card.email_key);
        phones.extend(card.phone_key);
    }
    let keys: Vec<&str> = asked.iter().filter_map(|&i| cards[i].1.email_key).collect();
    let by_email = tx.customers_by_email_key(&keys)?;
    let mut found = Found::default().with_emails(&by_email);
    let keys: Vec<&str> = asked
        .iter()
        .map(|&i| &cards[i].1)
        .filter(|card| card.email_key.is_none_or(|k| !found.email.contains_key(k)))
        .filter_map(|card| card.phone_key)
        .collect();
    let by_phone = tx.customers_by_phone_key(&keys)?;
    found = found.with_phones(&by_phone);
    for i in asked {
        if let Some(same) = found.same(&cards[i].1) {
            verdicts[i] = Verdict::Same(same);
        }
    }
    Ok(verdicts)
}

/// The customer already there that a card without a customer number is, as
/// [`judge`] finds it, for one card.
pub(super) fn find(tx: &Tx, card: &CardText) -> Result<Option<Same>> {
    let by_email = tx.customers_by_email_key(&Vec::from_iter(card.email_key))?;
    let found = Found::default().with_emails(&by_email);
    if let Some(same) = found.same(card) {
        return Ok(Some(same));
    }
    let by_phone = tx.customers_by_phone_key(&Vec::from_iter(card.phone_key))?;
    Ok(found.with_phones(&by_phone).same(card))
}

/// Customers found by key, first imported first.
#[derive(Default)]
struct Found<'m> {
    email: HashMap<&'m str, &'m KeyMatch>,
    phone: HashMap<&'m str, Vec<&'m KeyMatch>>,
}

impl<'m> Found<'m> {
    fn with_emails(mut self, found: &'m [KeyMatch]) -> Self {
        for m in found {
            self.email.entry(m.key.as_str()).or_insert(m);
        }
        self
    }

    fn with_phones(mut self, found: &'m [KeyMatch]) -> Self {
        for m in found {
            self.phone.entry(m.key.as_str()).or_default().push(m);
        }
        self
    }

    /// The rule of this module's doc.
    fn same(&self, card: &CardText) -> Option<Same> {
        if let Some(m) = card.email_key.and_then(|k| self.email.get(k)) {
            return Some(Same {
                id: m.id,
                by: By::Email,
            });
        }
        let candidates = self.phone.get(card.phone_key?)?;
        let m = candidates
            .iter()
            .find(|m| card.email_key.is_none() || m.email_key.is_none())?;
        Some(Same {
            id: m.id,
            by: By::Phone,
        })
    }
}

/// The customers an import has given outcomes, as a Bloom filter: a set of
/// 2^24 bits, three per customer. A customer never given one may be taken
/// for one (one in several thousand at a million customers, more beyond),
/// which only costs looking up its outcomes; one given one is never missed.
/// A set of the ids themselves held 18 MB, in a rehash 28, at a million.
pub(super) struct Given(Vec<u64>);

impl Given {
    const BITS: u32 = 24;

    pub(super) fn new() -> Given {
        Given(vec![0; 1 << (Self::BITS - 6)])
    }

    /// The three bits of `id`: from the high bits of three products, which
    /// mix every bit of it.
    fn bits(id: i64) -> [usize; 3] {
        [
            0x9e37_79b9_7f4a_7c15_u64,
            0xc2b2_ae3d_27d4_eb4f,
            0x1656_67b1_9e37_79f9,
        ]
        .map(|k| ((id as u64).wrapping_mul(k) >> (64 - Self::BITS)) as usize)
    }

    pub(super) fn insert(&mut self, id: i64) {
        for bit in Self::bits(id) {
            self.0[bit / 64] |= 1 << (bit % 64);
        }
    }

    /// False only when `id` was never inserted.
    pub(super) fn contains(&self, id: &i64) -> bool {
        Self::bits(*id)
            .iter()
            .all(|&bit| self.0[bit / 64] & (1 << (bit % 64)) != 0)
    }
}

/// Maps keyed by ids the database made (never by text of the file).
pub(super) type IdMap<V> = crate::hash::IdMap<i64, V>;

/// The outcomes a row of a batch may be the same as: those stored for the
/// batch's customers, and the rows of the batch imported before it. Each
/// customer's (few) are chained, so that a batch allocates no list per
/// customer.
#[derive(Default)]
pub(super) struct Seen<'a> {
    /// Each customer's latest outcome in `outcomes`.
    latest: IdMap<usize>,
    outcomes: Vec<Outcome<'a>>,
}

/// An outcome seen: what makes a row the same as it.
struct Outcome<'a> {
    campaign_id: i64,
    seller_id: i64,
    registered_at: &'a str,
    label: &'a str,
    extras: Extras<'a>,
    /// The customer's outcome seen before this one.
    before: Option<usize>,
}

/// Its sales and recordings: any number when stored, at most one of each
/// for a row.
enum Extras<'a> {
    Stored(&'a StoredOutcome),
    Row {
        sale: Option<(&'a str, i64, i64)>,
        recording: Option<&'a str>,
    },
}

impl Extras<'_> {
    /// The same sale, or no sale when `sale` is None.
    fn has_sale(&self, sale: Option<(&str, i64, i64)>) -> bool {
        match (self, sale) {
            (Extras::Stored(o), None) => o.sales.is_empty(),
            (Extras::Stored(o), Some((product, quantity, price))) => o
                .sales
                .iter()
                .any(|s| s.0 == product && s.1 == quantity && s.2 == price),
            (Extras::Row { sale: own, .. }, sale) => *own == sale,
        }
    }

    /// The same recording, or none when `path` is None.
    fn has_recording(&self, path: Option<&str>) -> bool {
        match (self, path) {
            (Extras::Stored(o), None) => o.recordings.is_empty(),
            (Extras::Stored(o), Some(path)) => o.recordings.iter().any(|r| r == path),
            (Extras::Row { recording, .. }, path) => *recording == path,
        }
    }
}

impl<'a> Seen<'a> {
    pub(super) fn of(stored: &'a [StoredOutcome], rows: usize) -> Seen<'a> {
        let mut seen = Seen {
            latest: IdMap::with_capacity_and_hasher(rows, Default::default()),
            outcomes: Vec::with_capacity(stored.len() + rows),
        };
        for o in stored {
            seen.push(
                o.customer_id,
                Outcome {
                    campaign_id: o.campaign_id,
                    seller_id: o.seller_id,
                    registered_at: o.registered_at.as_str(),
                    label: &o.label,
                    extras: Extras::Stored(o),
                    before: None,
                },
            );
        }
        seen
    }

    fn push(&mut self, customer_id: i64, mut outcome: Outcome<'a>) {
        outcome.before = self.latest.insert(customer_id, self.outcomes.len());
        self.outcomes.push(outcome);
    }

    /// Adds `o`; false when it is the same as an outcome seen: the same
    /// customer, campaign, seller, time and label, the same sale or none,
    /// the same recording or none.
    pub(super) fn add(&mut self, o: &OutcomeText<'a>) -> bool {
        let mut next = self.latest.get(&o.customer_id).copied();
        while let Some(i) = next {
            let s = &self.outcomes[i];
            let same = s.campaign_id == o.campaign_id
                && s.seller_id == o.seller_id
                && s.registered_at == o.registered_at.as_str()
                && s.label == o.label
                && s.extras.has_sale(o.sale)
                && s.extras.has_recording(o.recording);
            if same {
                return false;
            }
            next = s.before;
        }
        self.push(
            o.customer_id,
            Outcome {
                campaign_id: o.campaign_id,
                seller_id: o.seller_id,
                registered_at: o.registered_at.as_str(),
                label: o.label,
                extras: Extras::Row {
                    sale: o.sale,
                    recording: o.recording,
                },
                before: None,
            },
        );
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_of_customers_given_outcomes_never_misses_one() {
        let mut given = Given::new();
        let ids: Vec<i64> = (0..200_000)
            .map(|i| i * 7919 + 1)
            .chain([i64::MAX, 1 << 62, -5])
            .collect();
        for &id in &ids {
            given.insert(id);
        }
        assert!(ids.iter().all(|id| given.contains(id)));
        let others = (0..100_000).map(|i| -(i * 104_729) - 10);
        let taken = others.filter(|id| given.contains(id)).count();
        assert!(taken < 100, "{taken} of 100,000 taken for given");
    }
}
