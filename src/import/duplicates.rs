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
//!   [`super::activity`]).
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

use crate::db::{CardText, ImportedFile, KeyMatch, NewIds, Tx};

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
