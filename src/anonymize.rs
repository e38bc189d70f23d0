//! The anonymization engine and its job runner: no clap, no terminal.
//!
//! Anonymizing a campaign is irreversible and must be complete (DESIGN.md,
//! promises 1-3). The order of work is what makes that true:
//!
//! 0. **The recordings folder** must be the database's own (its marker names
//!    the database: see [`crate::recordings`]) whenever the database holds
//!    recordings. This is checked before a job is planned, before its batches
//!    run and before its files are deleted, and a wrong folder refuses there
//!    with nothing changed: otherwise every file would count as "already
//!    gone" while it stays, and the rows that say whose it is would be gone.
//! 1. **Plan**, in one transaction: the campaign is archived, a job is recorded
//!    with every customer then in the campaign that is not anonymized yet.
//! 2. **Mentions**, in transactions of up to 2,000 texts before any card is
//!    blanked: every mention of the job's customers (name, e-mail, phone,
//!    customer number, national id) in other records is replaced by
//!    `[anonymized]` (see [`crate::mentions`]). A crash leaves each text as it
//!    was or redacted, and the next run searches again for the rest.
//! 3. **Batches**, each one `IMMEDIATE` transaction with `synchronous=FULL`:
//!    cards blanked (with a new `anon-` reference), comments and history text
//!    blanked, kept times cut to the day, the rows given new random ids,
//!    recording rows moved to a to-do list of files to delete, cube ids
//!    written to the erasure ledger.
//!    A crash between batches leaves every customer untouched-and-planned or
//!    fully anonymized; the next run picks up the rest.
//! 4. **Recording files** are deleted from the to-do list. Other customers'
//!    recording rows that name a file on the list go with it (the file holds
//!    the voice of the first customer anonymized), counted. Already gone
//!    counts as done; a link is removed with the file it leads to inside the
//!    folder, never followed out of it or through a folder; nothing outside
//!    the folder is touched; folders left empty go too (they are often named
//!    after the person); a file with other names (hard links) is counted.
//!    The list keeps each file until it is gone, so a refused or failed run
//!    leaves it for the next.
//! 5. **Scrub**: the free space of every page the job wrote is zeroed, then
//!    `wal_checkpoint(TRUNCATE)`, so that no free page, free space in a page
//!    or WAL frame keeps an old value (why the pages the job wrote are
//!    enough: `db/scrub.rs`). If a reader blocks the checkpoint the job stays
//!    `scrub_pending` and the next run finishes it.
//!
//! Nothing here may print or log a value of an anonymized customer: progress
//! and results are counts and ids only.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use crate::db::{
    searched_tables, Campaign, CampaignStatus, CustomerIds, Db, ErasureCounts, Job, JobState,
    TextColumn, TextReader, TextsSeen, Tidy, Tx, Whose, SEARCHED,
};
use crate::hash::IdMap;
use crate::joblock;
use crate::journal::{Erasures, Journal, RedactedText};
use crate::mentions::{Identifiers, Matcher, OwnName, Person, Scratch, Search};
use crate::recordings::{self, Removal};
use crate::scan::Kind as Found;
use crate::store::{Actor, Site};
use crate::{Failure, Kind};

/// The setting that records how many bytes of the erasure journal this
/// database has seen. A journal longer than that is read in full to find
/// erasures the database lacks (the restore gate).
pub const JOURNAL_SEEN: &str = "journal_bytes";

/// The page cache while batches run, in MiB: within the 64 MB cube allows itself.
const BATCH_CACHE_MIB: i64 = 24;

/// The most customers a batch transaction takes, unless the caller says
/// otherwise (a big database's batches take fewer: see [`next_batch`]). Each
/// batch costs two fsyncs (the journal, the commit); at 5,000 a million
/// customers took half as long again as at 20,000. A batch's memory grows
/// a little with it: anonymizing 200,000 of 300,000 customers, with the
/// identifiers of all of them held to the end of the job, batches of a
/// fixed 20,000 peaked at 62 MB, of 15,000 and 10,000 at 60 MB
/// (`/usr/bin/time`, KiB/1024; measured before batches were sized by time).
pub const DEFAULT_BATCH: u64 = 15_000;

/// How a job run ended.
#[derive(Debug, Clone, Serialize)]
pub struct JobReport {
    #[serde(skip)]
    pub rowid: i64,
    pub job: String,
    pub campaign: Option<String>,
    pub customers: u64,
    /// Mentions of its customers replaced in other records.
    pub mentions: u64,
    pub recordings_deleted: u64,
    /// Recording paths that were not deleted because they were unsafe
    /// (a link, or outside the folder). Counted, never named.
    pub recordings_refused: u64,
    /// Deleted recording files that had other names (hard links), which
    /// keep their content.
    pub recordings_other_names: u64,
    /// Recording rows of other customers whose file went with this job's.
    pub recordings_shared: u64,
    /// False when a reader blocked the final checkpoint: run again to finish.
    pub scrubbed: bool,
    /// Pages the run's tidies read, for all the jobs of the run together:
    /// what the jobs wrote, not the size of the database.
    pub pages_scrubbed: u64,
    /// Pages whose free space held old bytes, zeroed by the run's commits
    /// (each page once) or by its tidies.
    pub pages_cleared: u64,
}

/// Archives a campaign and keeps its customers. Returns false if it was
/// archived already.
pub fn archive_keep(db: &Db, campaign: &str, actor: &Actor) -> Result<bool> {
    let tx = db.begin()?;
    let found = crate::flow::campaign(&tx, campaign)?;
    let archived = archive(&tx, &found, actor)?;
    tx.commit()?;
    Ok(archived)
}

/// Archives `campaign` in `tx`, with its audit entry, unless it is archived
/// already (then returns false).
fn archive(tx: &Tx, campaign: &Campaign, actor: &Actor) -> Result<bool> {
    if campaign.status == CampaignStatus::Archived {
        return Ok(false);
    }
    let (stages, anonymized) = tx.stage_counts(campaign.id)?;
    tx.set_campaign_status(campaign.id, CampaignStatus::Archived, actor.now)?;
    tx.audit(
        actor.now,
        &actor.operator,
        "archive",
        Some(&campaign.name),
        &json!({ "customers": stages.total() + anonymized, "kept": true }),
    )?;
    Ok(true)
}

/// What anonymizing a campaign would remove now, mentions of its customers
/// in other records included.
pub fn preview(db: &Db, campaign: &str) -> Result<ErasureCounts> {
    let found = crate::flow::campaign(db, campaign)?;
    let mut counts = db.erasure_counts(found.id)?;
    let whose = Whose::Campaign(found.id);
    if let Some(matcher) = matcher_of(db, whose)? {
        let own = db.customer_ids(whose)?;
        counts.mentions = find_mentions(db, Some(&own), &matcher)?
            .iter()
            .map(|(_, _, _, n)| *n)
            .sum();
    }
    Ok(counts)
}

/// How many mentions of the customers `ids` other records hold: what
/// forgetting them would redact there.
pub fn preview_request(db: &Db, ids: &[i64]) -> Result<u64> {
    db.put_in_list(ids)?;
    let Some(matcher) = matcher_of(db, Whose::Listed)? else {
        return Ok(0);
    };
    let own = db.customer_ids(Whose::Listed)?;
    Ok(find_mentions(db, Some(&own), &matcher)?
        .iter()
        .map(|(_, _, _, n)| *n)
        .sum())
}

/// The texts of other records that mention customer `id`, for the right of
/// access: (table, column, text, how many rows hold that text), each text
/// once.
pub fn texts_mentioning(db: &Db, id: i64) -> Result<Vec<(String, String, String, u64)>> {
    db.put_in_list(&[id])?;
    let Some(matcher) = matcher_of(db, Whose::Listed)? else {
        return Ok(Vec::new());
    };
    let own = db.customer_ids(Whose::Listed)?;
    let mut found: Vec<(String, String, String, u64)> = Vec::new();
    let mut mentions = find_mentions(db, Some(&own), &matcher)?;
    mentions.sort_by_key(|(column, rowid, _, _)| (column.table, column.column, *rowid));
    for (column, rowid, _, _) in mentions {
        let Some(text) = db.text_at(column, rowid)? else {
            continue;
        };
        let (table, field) = (column.table.to_string(), column.column.to_string());
        match found
            .iter_mut()
            .find(|(t, f, x, _)| *t == table && *f == field && *x == text)
        {
            Some(same) => same.3 += 1,
            None => found.push((table, field, text, 1)),
        }
    }
    Ok(found)
}

/// One matcher for the identifiers of all of `whose` customers, or none when
/// they have none worth searching for.
fn matcher_of(db: &Db, whose: Whose) -> Result<Option<Matcher>> {
    matcher_for(db, whose, Search::AllTexts)
}

/// [`matcher_of`], for `search`.
fn matcher_for(db: &Db, whose: Whose, search: Search) -> Result<Option<Matcher>> {
    let mut ids = Identifiers::default();
    add_cards(db, whose, &mut ids)?;
    Ok((!ids.is_empty()).then(|| ids.matcher_for(search)))
}

/// Adds the identifiers on the cards of `whose` customers to `ids`.
fn add_cards(db: &Db, whose: Whose, ids: &mut Identifiers) -> Result<()> {
    db.cards_of(whose, &mut |card| {
        ids.add(&Person {
            name: &card.name,
            email: &card.email,
            phone: &card.phone,
            customer_no: card.customer_no.as_deref(),
            reference: card.reference.as_deref(),
            national_ids: found_on(&[&card.notes, &card.extra], Found::NationalId),
            other_emails: found_on(&[&card.extra], Found::Email),
            other_phones: found_on(&[&card.extra], Found::Phone),
        })
    })
}

/// What `cube scan` finds of `kind` in `texts` of a card: national id
/// numbers (both check digits right and a real date) in its notes and extra
/// fields; e-mail addresses and phone numbers in its extra fields, which are
/// the card's own columns (`Mobil`, `E-post 2`), where its notes may name
/// someone else.
fn found_on(texts: &[&str], kind: Found) -> Vec<String> {
    let mut found = Vec::new();
    for text in texts {
        crate::scan::find(text.as_bytes(), |this, at| {
            if this == kind {
                found.push(String::from_utf8_lossy(&text.as_bytes()[at]).into_owned());
            }
        });
    }
    found
}

/// The texts that mention `whose` customers: (column, row id, customer of
/// the row, mentions). With `own`, the rows of those customers are left out
/// where their texts are blanked anyway; without, every row is searched.
fn find_mentions(db: &Db, own: Option<&CustomerIds>, matcher: &Matcher) -> Result<Vec<Mention>> {
    // Each core reads and searches its share of every table: both are work
    // for the processor (the pages are in memory), and halve on two cores.
    let parts = std::thread::available_parallelism().map_or(1, |n| n.get().min(MENTION_THREADS));
    let readers = db.text_readers(parts)?;
    let found = std::thread::scope(|scope| {
        let searches: Vec<_> = readers
            .into_iter()
            .map(|reader| scope.spawn(move || find_mentions_in(&reader, own, matcher)))
            .collect();
        searches
            .into_iter()
            .map(|search| {
                search
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e))
            })
            .collect::<Result<Vec<_>>>()
    })?;
    let mut found: Vec<Mention> = found.into_iter().flatten().collect();
    // A namesake's own records name the namesake: those mentions are not
    // counted, as they are not redacted (see `mention_spans`). Read again
    // for the few texts that mention anyone. (Without `own`, the texts are
    // candidates that each job's redaction looks at again.)
    let Some(own) = own else {
        return Ok(found);
    };
    let mut kept = Vec::with_capacity(found.len());
    for (column, row, customer, n) in found.drain(..) {
        if own.contains(&customer) {
            kept.push((column, row, customer, n));
            continue;
        }
        let Some(name) = db.own_name_at(column, row)? else {
            kept.push((column, row, customer, n));
            continue;
        };
        let text = db.text_at(column, row)?.unwrap_or_default();
        let n = mention_spans(matcher, &text, Some(&OwnName::of(&name))).len() as u64;
        if n > 0 {
            kept.push((column, row, customer, n));
        }
    }
    Ok(kept)
}

/// The mentions `matcher` finds in `text`, less those that are `own`, the
/// name of the customer whose record it is: a namesake's note saying
/// "Ragnhild Østby bor i Bodø" is about that namesake.
fn mention_spans(matcher: &Matcher, text: &str, own: Option<&OwnName>) -> Vec<(usize, usize)> {
    let mut spans = matcher.spans(text);
    if let Some(own) = own {
        spans.retain(|&(start, end)| !text.get(start..end).is_some_and(|m| own.is(m)));
    }
    spans
}

/// A text that mentions people a job erases: its column, its row id, the
/// customer of the row, and how many mentions.
type Mention = (TextColumn, i64, i64, u64);

/// How many threads search for mentions, at most.
const MENTION_THREADS: usize = 4;

/// How many values of a column of repeated values (labels, products) a
/// thread remembers the mentions of; the rest are searched row by row.
const REPEATED_VALUES: usize = 4_096;

/// [`find_mentions`] in one reader's share of the texts.
fn find_mentions_in(
    reader: &TextReader,
    own: Option<&CustomerIds>,
    matcher: &Matcher,
) -> Result<Vec<Mention>> {
    let mut found = Vec::new();
    let mut scratch = Scratch::default();
    let mut tables: Vec<&str> = SEARCHED.iter().map(|c| c.table).collect();
    tables.dedup();
    // One pass over each table, whatever number of its columns are searched.
    for table in tables {
        let columns: Vec<TextColumn> = SEARCHED.into_iter().filter(|c| c.table == table).collect();
        // The mentions in each value of a column of repeated values.
        let mut counted: Vec<IdMap<Box<[u8]>, usize>> = vec![IdMap::default(); columns.len()];
        reader.each_row_texts(table, &columns, &mut |id, customer, texts| {
            for ((column, text), counted) in columns.iter().zip(texts).zip(&mut counted) {
                let skipped = column.skips_own() && own.is_some_and(|own| own.contains(&customer));
                if text.is_empty() || skipped {
                    continue;
                }
                let n = if !column.repeats() {
                    matcher.count_in(text, &mut scratch)
                } else if let Some(&n) = counted.get(*text) {
                    n
                } else {
                    let n = matcher.count_in(text, &mut scratch);
                    if counted.len() < REPEATED_VALUES {
                        counted.insert((*text).into(), n);
                    }
                    n
                };
                if n > 0 {
                    found.push((*column, id, customer, n as u64));
                }
            }
            Ok(())
        })?;
    }
    Ok(found)
}

/// Step 2 of a job: every mention of its customers in other records is
/// replaced, in transactions of a bounded size, before any card is blanked (after that,
/// nothing would be left to find them by). The texts are read outside the
/// transaction, so that other writers wait only for the few rows that change;
/// each of those is redacted again as it is when written. Where the texts
/// stood before the search is kept with the job: what is written after is
/// searched again before the job ends ([`catch_up`]). Returns how many, and
/// where the texts stood. (Several jobs of one run are searched together:
/// [`redact_mentions_together`].)
fn redact_mentions(
    db: &Db,
    journal: &Journal,
    job: &Job,
    matcher: Option<&Matcher>,
    now: DateTime<Utc>,
) -> Result<(u64, TextsSeen)> {
    let own = db.customer_ids(Whose::Job(job.rowid))?;
    let seen = db.texts_seen_now(now)?;
    let found = match matcher {
        Some(matcher) => find_mentions(db, Some(&own), matcher)?,
        None => Vec::new(),
    };
    let counts = redact_found(db, journal, &[(job, matcher, &own)], &found, &seen, now)?;
    Ok((counts[0], seen))
}

/// Redacts the mentions `found` (in texts that may mention the people of
/// any of `jobs`: each with its matcher, if it has identifiers, and its own
/// customers), then records each job's count and where the texts stood.
/// In transactions of a bounded size, so that other writers get the lock
/// between them (35,307 mentions in one transaction held it for longer than
/// their busy timeout at ten million customers); the jobs redact in the
/// same transactions, one after another (each journals its own), so that a
/// page holding mentions of the people of several is written once. Each
/// text is redacted whole or not at all; a job stopped between two
/// transactions finds the rest when it resumes, as it searches again until
/// the last one has recorded that its mentions are done.
fn redact_found(
    db: &Db,
    journal: &Journal,
    jobs: &[(&Job, Option<&Matcher>, &CustomerIds)],
    found: &[Mention],
    seen: &TextsSeen,
    now: DateTime<Utc>,
) -> Result<Vec<u64>> {
    let mut counts = vec![0; jobs.len()];
    let mut chunks = found.chunks(REDACTED_PER_TRANSACTION).peekable();
    loop {
        let chunk = chunks.next().unwrap_or_default();
        let tx = db.begin()?;
        for (&(job, matcher, own), count) in jobs.iter().zip(&mut counts) {
            let Some(matcher) = matcher else { continue };
            let rows = chunk
                .iter()
                .filter(|(column, _, customer, _)| !(column.skips_own() && own.contains(customer)))
                .map(|&(column, id, _, _)| (column, id));
            *count += redact_in(&tx, journal, job, matcher, rows, now)?;
        }
        let last = chunks.peek().is_none();
        if last {
            for (&(job, _, _), &count) in jobs.iter().zip(&counts) {
                tx.set_job_mentions(job.rowid, count)?;
                tx.set_texts_seen(job.rowid, seen)?;
            }
        }
        tx.commit_cleared()?;
        if last {
            return Ok(counts);
        }
    }
}

/// Texts redacted in one transaction, at most.
const REDACTED_PER_TRANSACTION: usize = 2_000;

/// Redacts the mentions `matcher` finds in each of `rows` as they are now,
/// inside the caller's transaction, and records where in the journal (which
/// learns of it before the transaction commits). Returns how many.
fn redact_in(
    tx: &Tx,
    journal: &Journal,
    job: &Job,
    matcher: &Matcher,
    rows: impl Iterator<Item = (TextColumn, i64)>,
    now: DateTime<Utc>,
) -> Result<u64> {
    let mut count = 0;
    let texts = std::cell::RefCell::new(Vec::new());
    let failed = std::cell::RefCell::new(None);
    for (column, row) in rows {
        count += tx.rewrite_text(column, row, &|text| {
            let mut spans = matcher.spans(text);
            // Whose record it is, asked only of a text with mentions.
            if !spans.is_empty() {
                match tx.own_name_at(column, row) {
                    Ok(Some(name)) => {
                        spans = mention_spans(matcher, text, Some(&OwnName::of(&name)))
                    }
                    Ok(None) => {}
                    Err(e) => {
                        *failed.borrow_mut() = Some(e);
                        return None;
                    }
                }
            }
            let redacted = crate::mentions::redact_spans(text, &spans)?;
            texts.borrow_mut().push(RedactedText {
                table: column.table.to_string(),
                column: column.column.to_string(),
                row,
                length: text.len(),
                redacted_length: redacted.len(),
                spans: spans.clone(),
            });
            Some((redacted, spans.len()))
        })?;
        if let Some(e) = failed.borrow_mut().take() {
            return Err(e);
        }
    }
    let texts = texts.into_inner();
    if !texts.is_empty() {
        let len = journal.redacted(&job.id, now, texts)?;
        tx.set_setting(JOURNAL_SEEN, &len.to_string())?;
    }
    Ok(count)
}

/// The end of step 2, after the batches: the texts written since the jobs
/// searched them (an import beside them, or before `jobs resume`) are
/// searched for their people, as each job's matcher knows them (all of them
/// when this run blanked their cards; those still planned when it resumed a
/// job), and their mentions redacted, in one transaction. One pass over the
/// texts for all the jobs of a run. Returns how many, job by job.
///
/// `fresh` is where this run's search left the texts, job by job (`None`
/// for a job searched by an earlier run): when no other connection has
/// written since, there is nothing to read.
fn catch_up(
    db: &Db,
    journal: &Journal,
    jobs: &[(&Job, &Matcher)],
    fresh: &[Option<TextsSeen>],
    now: DateTime<Utc>,
) -> Result<Vec<u64>> {
    let seen: Vec<Option<TextsSeen>> = jobs
        .iter()
        .zip(fresh)
        .map(|((job, _), fresh)| match fresh {
            Some(seen) => Ok(Some(seen.clone())),
            None => db.texts_seen(job.rowid),
        })
        .collect::<Result<_>>()?;
    let mut found: Vec<Vec<(TextColumn, i64)>> = vec![Vec::new(); jobs.len()];
    let earliest = TextsSeen::earliest(seen.iter().flatten());
    // Nothing to read when no other connection has written since.
    let earliest = match earliest {
        Some(seen) if seen.unchanged(db)? => None,
        earliest => earliest,
    };
    if let Some(earliest) = earliest {
        let mut scratch = Scratch::default();
        for table in searched_tables() {
            let columns: Vec<TextColumn> =
                SEARCHED.into_iter().filter(|c| c.table == table).collect();
            db.texts_since(&earliest, table, &columns, &mut |id, _, texts| {
                for (column, text) in columns.iter().zip(texts).filter(|(_, t)| !t.is_empty()) {
                    for (k, (_, matcher)) in jobs.iter().enumerate() {
                        if seen[k].is_some() && matcher.count_in(text, &mut scratch) > 0 {
                            found[k].push((*column, id));
                        }
                    }
                }
                Ok(())
            })?;
        }
    }
    let tx = db.begin()?;
    let mut counts = Vec::with_capacity(jobs.len());
    for (&(job, matcher), found) in jobs.iter().zip(found) {
        let count = redact_in(&tx, journal, job, matcher, found.into_iter(), now)?;
        let before = tx.job(job.rowid)?.mentions.unwrap_or(0);
        tx.set_job_mentions(job.rowid, before + count)?;
        tx.forget_texts_seen(job.rowid)?;
        counts.push(count);
    }
    tx.commit()?;
    Ok(counts)
}

/// Step 2 for several jobs of one run at once (`pending`, indexes into
/// `jobs`, with their matchers): every text is read once, for all their
/// people, and each job then redacts its own people in the texts that
/// mention any of them ([`redact_found`]).
fn redact_mentions_together(
    db: &Db,
    journal: &Journal,
    jobs: &[Job],
    pending: &[(usize, &Matcher)],
    now: DateTime<Utc>,
) -> Result<(Vec<u64>, TextsSeen)> {
    let mut ids = Identifiers::default();
    for &(i, _) in pending {
        add_cards(db, Whose::Job(jobs[i].rowid), &mut ids)?;
    }
    let seen = db.texts_seen_now(now)?;
    let candidates = find_mentions(db, None, &ids.matcher())?;
    let owns: Vec<CustomerIds> = pending
        .iter()
        .map(|&(i, _)| db.customer_ids(Whose::Job(jobs[i].rowid)))
        .collect::<Result<_>>()?;
    let each: Vec<(&Job, Option<&Matcher>, &CustomerIds)> = pending
        .iter()
        .zip(&owns)
        .map(|(&(i, matcher), own)| (&jobs[i], Some(matcher), own))
        .collect();
    let counts = redact_found(db, journal, &each, &candidates, &seen, now)?;
    Ok((counts, seen))
}

/// What planning a campaign's anonymization did.
#[derive(Debug)]
pub enum Planned {
    /// The job to run.
    Job(Job),
    /// No customer of the campaign was left to anonymize: no job was made,
    /// and no audit entry of one. `archived` is true when the campaign was
    /// active and is archived now.
    Nothing { archived: bool },
}

/// Archives a campaign and records the job that anonymizes its customers
/// (step 1), once the recordings folder of `site` is known to be the
/// database's (step 0). The job is then run by [`run_job`]. A campaign with
/// no customer left to anonymize is only archived.
pub fn plan(db: &Db, site: &Site, campaign: &str, actor: &Actor) -> Result<Planned> {
    recordings::check_folder(db, &site.recordings)?;
    db.with_foreign_keys_off(|| plan_job(db, &site.path, campaign, actor))
}

fn plan_job(db: &Db, path: &Path, campaign: &str, actor: &Actor) -> Result<Planned> {
    let now = actor.now;
    let tx = db.begin()?;
    let found = crate::flow::campaign(&tx, campaign)?;
    if tx.stage_counts(found.id)?.0.total() == 0 {
        let archived = archive(&tx, &found, actor)?;
        tx.commit()?;
        return Ok(Planned::Nothing { archived });
    }
    if found.status == CampaignStatus::Active {
        tx.set_campaign_status(found.id, CampaignStatus::Archived, now)?;
    }
    let job_id = job_id(actor.now);
    let job = tx.plan_job(&job_id, found.id, &actor.operator, now)?;
    tx.audit(
        now,
        &actor.operator,
        "anonymize-planned",
        Some(&found.name),
        &json!({ "job": job.id, "customers": job.total }),
    )?;
    commit_held(tx, path, job).map(Planned::Job)
}

/// Commits a new job's plan holding the job's lock (see [`joblock`]), so
/// that no other cube ever finds it unheld, and takes it for interrupted,
/// before this one runs it.
fn commit_held(tx: Tx, path: &Path, job: Job) -> Result<Job> {
    if !joblock::hold(path, &job)? {
        anyhow::bail!("cannot lock job {}: another process holds its lock", job.id);
    }
    if let Err(e) = tx.commit() {
        joblock::release(path, &job.id);
        return Err(e);
    }
    Ok(job)
}

/// A job id: a UUIDv7 of the command's clock (so `CUBE_NOW` fixes its time
/// part) and random bits.
fn job_id(now: DateTime<Utc>) -> String {
    let ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
    let mut random = [0u8; 10];
    random.copy_from_slice(&uuid::Uuid::new_v4().as_bytes()[6..]);
    uuid::Builder::from_unix_timestamp_millis(ms, &random)
        .into_uuid()
        .to_string()
}

/// Records one person's erasure request (`customer forget`): a job whose plan
/// is exactly these customers, wherever they are; no campaign is archived,
/// and their outcomes and sales keep counting under their own campaigns. The
/// audit entry holds the operator, the count and the reason (which the help
/// asks not to be a name). The job is then run by [`run_job`].
pub fn plan_request(
    db: &Db,
    site: &Site,
    customer_ids: &[i64],
    actor: &Actor,
    reason: &str,
) -> Result<Job> {
    recordings::check_folder(db, &site.recordings)?;
    db.with_foreign_keys_off(|| {
        let tx = db.begin()?;
        let job = tx.plan_request(&job_id(actor.now), customer_ids, &actor.operator, actor.now)?;
        // A reason is for a case number; one that names the people being
        // erased ("Kåre Ødegård asked") is kept with them redacted.
        let reason = match matcher_of(&tx, Whose::Job(job.rowid))? {
            Some(matcher) => matcher
                .redact(reason)
                .map_or(reason.to_string(), |(r, _)| r),
            None => reason.to_string(),
        };
        tx.audit(
            actor.now,
            &actor.operator,
            "forget-planned",
            None,
            &json!({ "job": job.id, "customers": job.total, "reason": reason }),
        )?;
        commit_held(tx, &site.path, job)
    })
}

/// Runs (or resumes) a job to its end: mentions, batches, recording files,
/// scrub, on `db` with the journal and recordings folder of `site` (a
/// restore runs jobs on the database it builds, for the live site).
pub fn run_job(db: &Db, site: &Site, actor: &Actor, job: &Job) -> Result<JobReport> {
    let mut reports = erase(db, site, actor, std::slice::from_ref(job), &|_| {})?;
    let mut report = reports.pop().context("no report of the job")?;
    let tidy = scrub(db, site, actor, &[job.rowid])?;
    report.scrubbed = tidy.checkpointed;
    report.pages_scrubbed = tidy.pages;
    report.pages_cleared = tidy.cleared;
    Ok(report)
}

/// Steps 2 to 4 of some jobs: all but the scrub, which [`scrub`] does for
/// any number of jobs at once. The jobs are left `scrub_pending`. Their
/// batches are shared (see [`run_batches`]). `progress` is told how many
/// customers of all the jobs are done so far.
pub fn erase(
    db: &Db,
    site: &Site,
    actor: &Actor,
    jobs: &[Job],
    progress: &dyn Fn(u64),
) -> Result<Vec<JobReport>> {
    let recordings = site.recordings.as_path();
    let now = actor.now;
    let mut reports = Vec::with_capacity(jobs.len());
    for job in jobs {
        if matches!(
            job.state,
            JobState::Queued | JobState::Running | JobState::ScrubPending
        ) && !joblock::hold(&site.path, job)?
        {
            return Err(Failure::new(
                Kind::Busy,
                format!("job {} is being run by another cube", job.id),
            )
            .hint("`cube jobs list` shows it running; it is finished when that cube is done")
            .into());
        }
        reports.push(JobReport {
            rowid: job.rowid,
            job: job.id.clone(),
            campaign: job.campaign.clone(),
            customers: 0,
            mentions: job.mentions.unwrap_or(0),
            recordings_deleted: 0,
            recordings_refused: 0,
            recordings_other_names: 0,
            recordings_shared: 0,
            scrubbed: false,
            pages_scrubbed: 0,
            pages_cleared: 0,
        });
    }
    let erasing: Vec<usize> = (0..jobs.len())
        .filter(|&i| matches!(jobs[i].state, JobState::Queued | JobState::Running))
        .collect();
    if erasing.is_empty() {
        return Ok(reports);
    }
    recordings::check_folder(db, recordings)?;
    db.set_synchronous_full(true)?;
    // Each job's people as the cards still have them: for its search, and
    // for the texts written while its batches run (see `catch_up`). Jobs
    // whose search is to do are searched for together, when there are
    // several: one read of every text for all their people.
    let searching = erasing
        .iter()
        .filter(|&&i| jobs[i].mentions.is_none())
        .count();
    let alone = if searching == 1 {
        Search::AllTexts
    } else {
        Search::FewTexts
    };
    let matchers: Vec<Option<Matcher>> = erasing
        .iter()
        .map(|&i| {
            let search = if jobs[i].mentions.is_none() {
                alone
            } else {
                Search::FewTexts
            };
            matcher_for(db, Whose::Job(jobs[i].rowid), search)
        })
        .collect::<Result<_>>()?;
    // The batches touch customers, outcomes and history all over their
    // tables; a cache that holds them saves reading pages again and again.
    db.set_cache_mib(BATCH_CACHE_MIB)?;
    let pending: Vec<(usize, &Matcher)> = erasing
        .iter()
        .zip(&matchers)
        .filter(|(&i, _)| jobs[i].mentions.is_none())
        .filter_map(|(&i, m)| Some((i, m.as_ref()?)))
        .collect();
    // Where this run's search left the texts, job by job.
    let mut fresh: Vec<Option<TextsSeen>> = vec![None; jobs.len()];
    if pending.len() > 1 {
        let (counts, seen) = redact_mentions_together(db, &site.journal, jobs, &pending, now)?;
        for (&(i, _), count) in pending.iter().zip(counts) {
            reports[i].mentions = count;
            fresh[i] = Some(seen.clone());
        }
    }
    for (&i, matcher) in erasing.iter().zip(&matchers) {
        let together = pending.len() > 1 && pending.iter().any(|&(p, _)| p == i);
        if jobs[i].mentions.is_none() && !together {
            let (count, seen) =
                redact_mentions(db, &site.journal, &jobs[i], matcher.as_ref(), now)?;
            reports[i].mentions = count;
            fresh[i] = Some(seen);
        }
    }
    let mut done: Vec<u64> = jobs.iter().map(|job| job.done).collect();
    db.with_foreign_keys_off(|| run_batches(db, site, jobs, &erasing, now, &mut done, progress))?;
    db.set_synchronous_full(false)?;
    let mut searching = Vec::new();
    for (&i, matcher) in erasing.iter().zip(&matchers) {
        match matcher {
            Some(matcher) => searching.push((i, matcher)),
            None => db.forget_texts_seen(jobs[i].rowid)?,
        }
    }
    let pairs: Vec<(&Job, &Matcher)> = searching.iter().map(|&(i, m)| (&jobs[i], m)).collect();
    let fresh: Vec<Option<TextsSeen>> = searching.iter().map(|&(i, _)| fresh[i].take()).collect();
    let counts = catch_up(db, &site.journal, &pairs, &fresh, now)?;
    for (&(i, _), count) in searching.iter().zip(counts) {
        reports[i].mentions += count;
    }
    drop(matchers);
    for &i in &erasing {
        let (job, report) = (&jobs[i], &mut reports[i]);
        report.customers = done[i] - job.done;
        let files = delete_recordings(db, job, recordings)?;
        report.recordings_deleted = files.deleted;
        report.recordings_refused = files.refused;
        report.recordings_other_names = files.other_names;
        report.recordings_shared = files.shared;
        db.with_foreign_keys_off(|| {
            let tx = db.begin()?;
            tx.set_job_state(job.rowid, JobState::ScrubPending, now)?;
            tx.clear_plan(job.rowid)?;
            tx.count_recordings(
                job.rowid,
                report.recordings_deleted,
                report.recordings_refused,
            )?;
            tx.audit(
                now,
                &actor.operator,
                "anonymize",
                job.campaign.as_deref(),
                &json!({
                    "job": job.id,
                    "customers": tx.job(job.rowid)?.done,
                    "mentions": tx.job(job.rowid)?.mentions.unwrap_or(0),
                    "recordings_deleted": report.recordings_deleted,
                    "recordings_refused": report.recordings_refused,
                    "recordings_other_names": report.recordings_other_names,
                    "recordings_shared": report.recordings_shared,
                }),
            )?;
            tx.commit()
        })?;
    }
    Ok(reports)
}

/// Step 5 for every job in `jobs` at once: one scrub of the pages they wrote
/// and one checkpoint (a whole `VACUUM` first in a database not known to be
/// clean: see `db/scrub.rs`), then the jobs are done. `checkpointed` is
/// false (the jobs stay `scrub_pending`) when a reader or writer blocked the
/// checkpoint; the pages are those every tidy of the run read and cleared
/// (a commit tidies when the WAL grows big, so a big job has several).
pub fn scrub(db: &Db, site: &Site, actor: &Actor, jobs: &[i64]) -> Result<Tidy> {
    let wait = db.busy_timeout();
    let tidy = if db.pages_known_clean()? {
        db.tidy(wait)?
    } else {
        db.scrub_whole(wait)?
    };
    if tidy.checkpointed {
        let tx = db.begin()?;
        let mut ids = Vec::with_capacity(jobs.len());
        for &job in jobs {
            tx.set_job_state(job, JobState::Done, actor.now)?;
            ids.push(tx.job(job)?.id);
        }
        tx.commit()?;
        // The state changes themselves went to the WAL: fold them in as well.
        db.tidy(wait)?;
        for id in ids {
            joblock::release(&site.path, &id);
        }
    }
    // Pages cleared as their transactions committed were cleared all the same.
    let sum = db.tidied();
    Ok(Tidy {
        checkpointed: tidy.checkpointed,
        pages: sum.pages,
        cleared: sum.cleared + db.cleared_at_commit(),
    })
}

/// How long a batch's work should hold the write lock: a writer beside the
/// job (an import, a `move`) waits for the batch it started during.
const BATCH_HOLD: Duration = Duration::from_secs(2);

/// How long, when other writers were waiting for the last batch: each of
/// them waits for the batch, then for those ahead of it in line.
const BATCH_HOLD_BESIDE: Duration = Duration::from_millis(500);

/// The fewest customers a batch takes.
const FEWEST: u64 = 100;

/// The first batch of a run, before any batch's time says more: `most` in a
/// database file of up to 128 MiB, fewer in proportion above (a batch's
/// customers have index entries in more pages, apart, the bigger the
/// file): the 1,000 of a small campaign in one batch at 300,000 customers
/// (240 MB), a few hundred at ten million.
fn first_batch(file_size: u64, most: u64) -> u64 {
    let share = (128u64 << 20) as f64 / file_size.max(1) as f64;
    ((most as f64 * share.min(1.0)) as u64)
        .max(FEWEST)
        .min(most)
}

/// The size of the next batch, from how long `size` customers took: as many
/// as fit in `hold` ([`BATCH_HOLD`], or [`BATCH_HOLD_BESIDE`] when other
/// writers waited) at that pace, at most twice as many as the last, and
/// from [`FEWEST`] up to `most`. A customer costs what the pages of its
/// rows and index entries cost to write, which grows with the database: at
/// 300,000 customers a batch of 15,000 takes some 3 s, at ten million one
/// of 1,000 took 9 s.
fn next_batch(size: u64, took: Duration, hold: Duration, most: u64) -> u64 {
    let pace = hold.as_secs_f64() / took.as_secs_f64().max(0.001);
    let fits = (size as f64 * pace) as u64;
    fits.min(size.saturating_mul(2)).max(FEWEST).min(most)
}

/// The batches of the jobs `erasing` (indexes into `jobs`), each one
/// transaction, until their plans are done; `done` counts each job's
/// customers. A batch takes up to `site.batch` customers, fewer when the
/// database is big (see [`next_batch`]), from as many of the jobs as it
/// needs, one job after another: small jobs of one run (three campaigns of
/// a retention run) then write the pages they share, those of the indexes,
/// once and not once each.
fn run_batches(
    db: &Db,
    site: &Site,
    jobs: &[Job],
    erasing: &[usize],
    now: DateTime<Utc>,
    done: &mut [u64],
    progress: &dyn Fn(u64),
) -> Result<()> {
    let most = site.batch.max(1);
    // The database's own file: a restore runs jobs on the one it builds.
    let mut batch = first_batch(db.file_size(), most);
    let mut left = erasing.to_vec();
    while !left.is_empty() {
        let tx = db.begin()?;
        let started = Instant::now();
        let mut room = batch;
        let mut journal_len = None;
        let mut touched = Vec::new();
        while room > 0 {
            let Some(&i) = left.first() else { break };
            let job = &jobs[i];
            let asked = room;
            let cube_ids = tx.pick_batch(job.rowid, asked)?;
            let picked = cube_ids.len() as u64;
            if picked > 0 {
                // The journal learns of the batch before the database commits
                // it, so it never knows less than the database.
                let len = site
                    .journal
                    .erased(&job.id, job.campaign.as_deref(), now, cube_ids)?;
                journal_len = Some(len);
                let n = tx.erase_batch(job.rowid, now)?;
                done[i] += n;
                room = room.saturating_sub(n);
                touched.push(i);
            }
            // Fewer than it asked for: the job's plan is done.
            if picked < asked {
                left.remove(0);
            }
        }
        if let Some(len) = journal_len {
            tx.set_setting(JOURNAL_SEEN, &len.to_string())?;
        }
        let took = started.elapsed();
        // Only a hint for the size: a failure to ask says no one waits.
        let hold = if tx.writers_waiting().unwrap_or(false) {
            BATCH_HOLD_BESIDE
        } else {
            BATCH_HOLD
        };
        tx.commit_cleared()?;
        if room == 0 {
            batch = next_batch(batch, took, hold, most);
        }
        for i in touched {
            joblock::progress(&site.path, &jobs[i].id, done[i]);
        }
        progress(done.iter().sum());
    }
    Ok(())
}

/// Customers the journal says are erased but this database has not
/// anonymized (and no unfinished job will): (job id, internal customer id).
/// Reads only the journal lines the database has not seen.
pub fn missing_erasures(db: &Db, journal: &Journal) -> Result<Vec<(String, i64)>> {
    let Some(erasures) = unseen(db, journal)? else {
        return Ok(Vec::new());
    };
    // The customers of a job the database accounts for need no look: this
    // is asked by every cube started while a batch is journaled and not yet
    // committed, and looking is a pass over every customer (seconds at ten
    // million, for each of them).
    let mut wanted = Vec::new();
    for (job, cube_ids) in &erasures.jobs {
        if !accounts_for(db, job, cube_ids.len())? {
            wanted.extend(cube_ids.iter().map(|id| (job.as_str(), id.as_str())));
        }
    }
    db.missing_erasures(&wanted)
}

/// What the journal says that the database has not seen: the lines after
/// the length it has seen, or `None` when there are none. All of it, with
/// its copies, when a copy is longer than the journal: the journal was lost
/// or put back from an older copy (a database and its journal copied back
/// from a backup folder after a lost disk), and only the copy in the backup
/// folder knows the erasures since.
fn unseen(db: &Db, journal: &Journal) -> Result<Option<Erasures>> {
    if journal.a_copy_is_longer()? {
        return Ok(Some(journal.read()?));
    }
    let seen: u64 = db
        .setting(JOURNAL_SEEN)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if journal.size()? <= seen {
        return Ok(None);
    }
    Ok(Some(journal.read_after(seen)?))
}

/// True when the database accounts for every one of a job's `erased`
/// customers: it holds the job unfinished (each of them is anonymized or
/// still in its plan: a batch takes them out of the plan as it anonymizes
/// them), or done having anonymized as many. Not a job that a replay cut
/// short recorded done with its redactions alone (it anonymized none).
fn accounts_for(db: &Db, job: &str, erased: usize) -> Result<bool> {
    let Some(found) = db.find_job(job)?.filter(|j| j.id == job) else {
        return Ok(false);
    };
    Ok(match found.state {
        JobState::Queued | JobState::Running | JobState::ScrubPending => true,
        JobState::Done => found.done >= erased as u64,
        JobState::Failed | JobState::Undone => false,
    })
}

fn missing_from(db: &Db, erasures: &Erasures) -> Result<Vec<(String, i64)>> {
    let wanted: Vec<(&str, &str)> = erasures.cube_ids().collect();
    db.missing_erasures(&wanted)
}

/// Ends a job that a restore undoes, where the restored database holds it
/// unfinished: its plan is dropped and it is marked `undone`, so that nothing
/// resumes it; the customers it had not reached stay as they are. Recording
/// files of customers it did anonymize are still deleted.
pub fn end_undone(db: &Db, site: &Site, actor: &Actor, job_id: &str) -> Result<()> {
    let Some(job) = db.find_job(job_id)? else {
        return Ok(());
    };
    if !matches!(job.state, JobState::Queued | JobState::Running) {
        return Ok(());
    }
    delete_recordings(db, &job, &site.recordings)?;
    db.with_foreign_keys_off(|| {
        let tx = db.begin()?;
        tx.clear_plan(job.rowid)?;
        tx.set_job_state(job.rowid, JobState::Undone, actor.now)?;
        tx.commit()
    })
}

/// Step 0 of re-applying the journal to a database restored from a
/// snapshot: the redactions of mentions it records, made again. The
/// snapshot's cards may not say who the people were (someone who became a
/// customer after the snapshot, named in an older note), so they are made
/// where the journal says: a text as long as it was before its job gets the
/// same spans; one as long as after it is redacted already; one of any other
/// length was changed since, and a later version of it mentioned them: it is
/// replaced whole by [`crate::mentions::REDACTED`]. Returns how many texts
/// it changed.
pub fn apply_redactions(db: &Db, erasures: &Erasures, actor: &Actor) -> Result<u64> {
    let tx = db.begin()?;
    let mut changed = 0;
    for job in erasures.redacting_jobs() {
        // A job the database has finished has its redactions, and its row
        // ids may since name other rows (rows written after a restore).
        let known = finished(&tx, job)?;
        if known == Some(true) {
            continue;
        }
        let mut made = 0;
        let texts = erasures.texts_of(job)?;
        for text in &texts {
            let Some(column) = column_of(text) else {
                continue;
            };
            made += tx.rewrite_text(column, text.row, &|now| Some((redo(now, text)?, 1)))?;
        }
        if known.is_none() {
            // Known from now on, as done: the next replay leaves it. Its
            // receipt says what the job did, as the journal has it.
            let (started, ended) = replayed_times(erasures, job, actor.now);
            let request = !erasures.campaigns.contains_key(job);
            let recorded = tx.ensure_job(job, &actor.operator, &started, request)?;
            let mentions = texts.iter().map(|t| t.spans.len() as u64).sum();
            tx.set_job_state(recorded.rowid, JobState::Done, actor.now)?;
            tx.date_replayed_job(recorded.rowid, &started, &ended, mentions)?;
        }
        changed += made;
    }
    tx.commit()?;
    Ok(changed)
}

/// Whether the database has finished the job with this id (done, its scrub
/// pending, or undone); `None` when it does not know it.
fn finished(db: &Db, job: &str) -> Result<Option<bool>> {
    let found = db.find_job(job)?.filter(|j| j.id == job);
    Ok(found.map(|j| !matches!(j.state, JobState::Queued | JobState::Running)))
}

/// How many texts the journal says were redacted are not: what a snapshot
/// copied into place by hand lacks (the restore gate). Reads only the
/// journal lines the database has not seen.
pub fn unapplied_redactions(db: &Db, journal: &Journal) -> Result<u64> {
    let Some(erasures) = unseen(db, journal)? else {
        return Ok(0);
    };
    let mut unapplied = 0;
    for job in erasures.redacting_jobs() {
        // Only a job the database does not know: one it has not finished
        // redacts its texts when it resumes (a crash may have come between
        // the journal and the commit); one it has finished has them.
        if finished(db, job)?.is_none() {
            unapplied += unapplied_in(db, &erasures.texts_of(job)?)?;
        }
    }
    Ok(unapplied)
}

/// How many of `texts` [`apply_redactions`] would change.
fn unapplied_in(db: &Db, texts: &std::collections::BTreeSet<RedactedText>) -> Result<u64> {
    let mut unapplied = 0;
    for text in texts {
        let Some(column) = column_of(text) else {
            continue;
        };
        if let Some(now) = db.text_at(column, text.row)? {
            unapplied += u64::from(redo(&now, text).is_some());
        }
    }
    Ok(unapplied)
}

/// The searched column a journal line names (the journal is input: its
/// names are never put into SQL themselves).
fn column_of(text: &RedactedText) -> Option<TextColumn> {
    SEARCHED
        .into_iter()
        .find(|c| c.table == text.table && c.column == text.column)
}

/// `now`, a text the journal says `text` redacted, redacted again as
/// [`apply_redactions`] says; `None` when it is already, or empty.
fn redo(now: &str, text: &RedactedText) -> Option<String> {
    use crate::mentions::{redact_spans, REDACTED};
    // Replaced whole: the extra fields stay a JSON object.
    let whole = if text.column == "extra" {
        "{}"
    } else {
        REDACTED
    };
    if now.is_empty() || now == whole {
        return None;
    }
    if now.len() == text.redacted_length && redacted_at(now, &text.spans) {
        return None;
    }
    if now.len() == text.length {
        if let Some(redacted) = redact_spans(now, &text.spans) {
            return Some(redacted);
        }
    }
    Some(whole.to_string())
}

/// True when `now` holds [`crate::mentions::REDACTED`] everywhere redacting
/// `spans` (of the text before) put it: the redaction is made already.
fn redacted_at(now: &str, spans: &[(usize, usize)]) -> bool {
    use crate::mentions::REDACTED;
    let mut shift: i128 = 0;
    for &(start, end) in spans {
        let at = i128::try_from(start).unwrap_or(i128::MAX) + shift;
        let found = usize::try_from(at)
            .ok()
            .and_then(|at| now.get(at..at.checked_add(REDACTED.len())?));
        if found != Some(REDACTED) {
            return false;
        }
        let removed = i128::try_from(end).unwrap_or(0) - i128::try_from(start).unwrap_or(0);
        shift += REDACTED.len() as i128 - removed;
    }
    true
}

/// What re-applying the journal did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct ReplayReport {
    pub jobs: u64,
    pub customers: u64,
    /// False when a reader blocked the final scrub.
    pub scrubbed: bool,
}

/// When the journal says a job erased its first and last customers; `now`
/// for a job it names no time of.
fn replayed_times(erasures: &Erasures, job: &str, now: DateTime<Utc>) -> (String, String) {
    erasures.times.get(job).cloned().unwrap_or_else(|| {
        let now = crate::db::timestamp(now);
        (now.clone(), now)
    })
}

/// Re-applies every erasure in `erasures` that the database lacks, each under
/// the id of the job that made it, then records that the database has seen the
/// whole journal.
pub fn replay(db: &Db, site: &Site, actor: &Actor, erasures: &Erasures) -> Result<ReplayReport> {
    let now = actor.now;
    apply_redactions(db, erasures, actor)?;
    let missing = missing_from(db, erasures)?;
    let mut by_job: std::collections::BTreeMap<&str, Vec<i64>> = Default::default();
    for (job, id) in &missing {
        by_job.entry(job).or_default().push(*id);
    }
    let mut report = ReplayReport {
        scrubbed: true,
        ..ReplayReport::default()
    };
    for (job_id, customers) in by_job {
        let tx = db.begin()?;
        let (started, ended) = replayed_times(erasures, job_id, now);
        let request = !erasures.campaigns.contains_key(job_id);
        let job = tx.ensure_job(job_id, &actor.operator, &started, request)?;
        tx.add_to_plan(job.rowid, &customers)?;
        // Anonymizing archived the campaign; so does re-applying it.
        if let Some(name) = erasures.campaigns.get(job_id) {
            if let Some(campaign) = tx.campaign_by_name(name)? {
                if campaign.status == CampaignStatus::Active {
                    tx.set_campaign_status(campaign.id, CampaignStatus::Archived, now)?;
                }
            }
        }
        let job = tx.job(job.rowid)?;
        tx.commit()?;
        let done = run_job(db, site, actor, &job)?;
        let mentions = erasures
            .texts_of(job_id)?
            .iter()
            .map(|t| t.spans.len() as u64)
            .sum();
        db.date_replayed_job(job.rowid, &started, &ended, mentions)?;
        report.jobs += 1;
        report.customers += done.customers;
        report.scrubbed &= done.scrubbed;
    }
    // Unfinished jobs of the database itself (a snapshot taken mid-job).
    for job in db.unfinished_jobs()? {
        let done = run_job(db, site, actor, &job)?;
        report.customers += done.customers;
        report.scrubbed &= done.scrubbed;
    }
    let tx = db.begin()?;
    tx.set_setting(JOURNAL_SEEN, &site.journal.size()?.to_string())?;
    tx.commit()?;
    Ok(report)
}

/// What deleting a job's recording files did (step 3).
#[derive(Debug, Default)]
struct Files {
    /// Gone, or gone already.
    deleted: u64,
    /// Not touched: unsafe paths.
    refused: u64,
    /// Deleted, but with other names that keep the content.
    other_names: u64,
    /// Other customers' recording rows that went with a deleted file.
    shared: u64,
}

/// Deletes the job's recording files from the durable to-do list, once the
/// folder is known to be the database's.
fn delete_recordings(db: &Db, job: &Job, folder: &Path) -> Result<Files> {
    recordings::check_folder(db, folder)?;
    let mut files = Files::default();
    if db.pending_recording_deletions(job.rowid, 1)?.is_empty() {
        return Ok(files);
    }
    let tx = db.begin()?;
    files.shared = tx.forget_shared_recordings(job.rowid)?;
    tx.commit()?;
    loop {
        let todo = db.pending_recording_deletions(job.rowid, 500)?;
        if todo.is_empty() {
            return Ok(files);
        }
        let tx = db.begin()?;
        for (id, path) in todo {
            match recordings::remove(folder, &path) {
                Ok(Removal::Refused) => files.refused += 1,
                Ok(Removal::Gone {
                    other_names,
                    target,
                }) => {
                    files.deleted += 1;
                    files.other_names += u64::from(other_names);
                    if let Some(target) = target {
                        files.shared += tx.forget_recordings_at(&target)?;
                    }
                }
                Err(e) => {
                    // Keep it on the list: the next run tries again.
                    tx.commit()?;
                    return Err(anyhow::Error::new(e).context(
                        "cannot delete a recording file (the job will retry it when resumed)",
                    ));
                }
            }
            tx.recording_deleted(id)?;
        }
        tx.commit()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_takes_as_many_customers_as_fit_in_its_time() {
        let secs = Duration::from_secs_f64;
        let alone = BATCH_HOLD;
        // Twice as long as it should: half as many.
        assert_eq!(next_batch(1_000, secs(4.0), alone, 15_000), 500);
        // Other writers waited: as many as fit in the shorter hold.
        assert_eq!(next_batch(1_000, secs(1.0), BATCH_HOLD_BESIDE, 15_000), 500);
        // Quick: twice as many at most, and never more than allowed.
        assert_eq!(next_batch(1_000, secs(0.1), alone, 15_000), 2_000);
        assert_eq!(next_batch(10_000, secs(0.1), alone, 15_000), 15_000);
        // Very slow: still some; and a size set lower than that stays.
        assert_eq!(next_batch(1_000, secs(600.0), alone, 15_000), FEWEST);
        assert_eq!(next_batch(2, secs(0.001), alone, 2), 2);
        assert_eq!(next_batch(2, secs(9.0), alone, 2), 2);
    }

    #[test]
    fn the_first_batch_is_smaller_the_bigger_the_file() {
        let mib = |n: u64| n << 20;
        assert_eq!(first_batch(mib(240), 15_000), 8_000);
        assert_eq!(first_batch(mib(10), 15_000), 15_000);
        assert_eq!(first_batch(0, 15_000), 15_000);
        assert_eq!(first_batch(mib(8_000), 15_000), 240);
        assert_eq!(first_batch(mib(1 << 20), 15_000), FEWEST);
        assert_eq!(first_batch(mib(8_000), 50), 50);
    }

    #[test]
    fn the_gate_looks_for_the_customers_of_jobs_the_database_does_not_account_for() {
        use crate::db::{Card, NewIds, BUSY_TIMEOUT};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cube.db");
        let db = Db::open(&path, BUSY_TIMEOUT).unwrap();
        let journal = Journal::of(&path);
        let now = Utc::now();
        let cube_id = "4f1c2a9e-0000-4000-8000-000000000001";
        let ids = NewIds {
            cube_id,
            reference: "00000000000000aa",
        };
        let card = Card {
            name: "Kari Nordmann".into(),
            ..Card::default()
        };
        let customer = db.insert_customer(ids, &card, None, now).unwrap().unwrap();
        journal
            .erased("job-a", None, now, vec![cube_id.into()])
            .unwrap();
        // Not known to the database: a snapshot from before the job.
        assert_eq!(
            missing_erasures(&db, &journal).unwrap(),
            vec![("job-a".to_string(), customer)]
        );
        // Running with the customer in its plan (a batch journaled and not
        // yet committed): accounted for.
        let tx = db.begin().unwrap();
        let job = tx
            .ensure_job("job-a", "test", &crate::db::timestamp(now), false)
            .unwrap();
        tx.add_to_plan(job.rowid, &[customer]).unwrap();
        tx.set_job_state(job.rowid, JobState::Running, now).unwrap();
        tx.commit().unwrap();
        assert_eq!(missing_erasures(&db, &journal).unwrap(), vec![]);
        // Done having anonymized none (a replay cut short after making the
        // job's redactions): looked for, and found missing.
        let tx = db.begin().unwrap();
        tx.clear_plan(job.rowid).unwrap();
        tx.set_job_state(job.rowid, JobState::Done, now).unwrap();
        tx.commit().unwrap();
        assert_eq!(
            missing_erasures(&db, &journal).unwrap(),
            vec![("job-a".to_string(), customer)]
        );
    }

    #[test]
    fn a_journaled_redaction_is_made_again_once_and_a_changed_text_blanked() {
        let before = "ring Kåre på 99887766 i dag";
        let text = RedactedText {
            table: "customers".into(),
            column: "notes".into(),
            row: 7,
            length: before.len(),
            redacted_length: "ring [anonymized] på [anonymized] i dag".len(),
            spans: vec![(5, 10), (15, 23)],
        };
        let again = redo(before, &text).unwrap();
        assert_eq!(again, "ring [anonymized] på [anonymized] i dag");
        assert_eq!(redo(&again, &text), None, "redacted already");
        // A mention as long as `[anonymized]` (12 bytes) beside one redacted
        // before: the length alone does not tell; where it is does.
        let twelve = "[anonymized] ringte; Ola Nordmann også";
        let ola = RedactedText {
            length: twelve.len(),
            redacted_length: twelve.len(),
            spans: vec![(21, 33)],
            ..text.clone()
        };
        assert_eq!(
            redo(twelve, &ola).as_deref(),
            Some("[anonymized] ringte; [anonymized] også")
        );
        assert_eq!(redo("", &text), None);
        assert_eq!(
            redo("ring Kåre på 99887766 i morgen", &text).as_deref(),
            Some("[anonymized]"),
            "changed since: blanked whole"
        );
        // Spans that do not fit the text (a damaged journal) blank it whole.
        let broken = RedactedText {
            spans: vec![(6, 7)],
            ..text.clone()
        };
        assert_eq!(redo(before, &broken).as_deref(), Some("[anonymized]"));
        // Names the journal gives are looked up, never put into SQL.
        let hostile = RedactedText {
            table: "customers; DROP TABLE customers".into(),
            ..text
        };
        assert!(column_of(&hostile).is_none());
    }
}
