//! Anonymization jobs, the erasure ledger and the recording to-do list. None of these tables holds personal data, except the paths in
//! `recording_deletions`, which live only until their file is gone.
//!
//! A job's plan (`job_customers`) is written in one transaction; each batch
//! then anonymizes planned customers, blocks of neighbouring ones in random
//! order ([`Db::pick_batch`]), in one transaction of its own, which also
//! takes them out of the plan. What is left to do is the plan, so a job
//! killed at any point resumes where it stopped. The customers' order
//! (their internal ids follow the import file) shows neither in which batch
//! took whom, nor in the journal's lines, nor in their new ids, finer than a
//! block. The plan is forgotten when the job is done.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use super::Db;

/// What anonymizing a campaign would touch, counted before anything is done.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct ErasureCounts {
    pub customers: u64,
    pub comments: u64,
    pub history: u64,
    pub recordings: u64,
    /// Mentions of the customers in other records (counted by the caller:
    /// finding them is not SQL's job).
    pub mentions: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Queued,
    Running,
    /// Every customer is done; the scrub (VACUUM, checkpoint) is not.
    ScrubPending,
    Done,
    Failed,
    /// A restore undid it: its customers are as the snapshot had them, and
    /// nothing resumes it.
    Undone,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::ScrubPending => "scrub_pending",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Undone => "undone",
        }
    }

    fn parse(text: &str) -> JobState {
        match text {
            "queued" => JobState::Queued,
            "running" => JobState::Running,
            "scrub_pending" => JobState::ScrubPending,
            "done" => JobState::Done,
            "undone" => JobState::Undone,
            _ => JobState::Failed,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Job {
    #[serde(skip)]
    pub rowid: i64,
    /// The public id (a UUIDv7): stable across backups and restores.
    pub id: String,
    pub campaign: Option<String>,
    pub state: JobState,
    pub total: u64,
    pub done: u64,
    pub operator: String,
    pub created_at: String,
    pub finished_at: Option<String>,
    /// Mentions of its customers redacted in other records; `None` until
    /// that step is done.
    pub mentions: Option<u64>,
    /// Outcome comments and history texts it blanked.
    pub comments: u64,
    pub history: u64,
    pub recordings_deleted: u64,
    pub recordings_refused: u64,
    /// One person's erasure request (`customer forget`), not a campaign's.
    pub request: bool,
}

fn job(r: &Row) -> rusqlite::Result<Job> {
    Ok(Job {
        rowid: r.get(0)?,
        id: r.get(1)?,
        campaign: r.get(2)?,
        state: JobState::parse(&r.get::<_, String>(3)?),
        total: r.get(4)?,
        done: r.get(5)?,
        operator: r.get(6)?,
        created_at: r.get(7)?,
        finished_at: r.get(8)?,
        mentions: r.get(9)?,
        comments: r.get(10)?,
        history: r.get(11)?,
        recordings_deleted: r.get(12)?,
        recordings_refused: r.get(13)?,
        request: r.get(14)?,
    })
}

const JOB_COLUMNS: &str = "j.id, j.job_uuid, k.name, j.state, j.total, j.done, j.operator, \
     j.created_at, j.finished_at, j.mentions, j.comments, j.history, j.recordings_deleted, \
     j.recordings_refused, j.request FROM jobs j LEFT JOIN campaigns k ON k.id = j.campaign_id";

/// What an anonymized customer's card holds, column by column (all but
/// `id`): `kept` from the card, `today`, `new` (made for the batch in its
/// temporary table: a new reference, the day of the card's creation), or a
/// value.
pub(super) const ANONYMIZED_CARD: [(&str, &str); 24] = [
    ("cube_id", "kept"),
    ("customer_no", "NULL"),
    ("name", "'Anonymized'"),
    ("email", "''"),
    ("phone", "''"),
    ("address", "''"),
    ("postal_code", "''"),
    ("city", "''"),
    ("birth_date", "''"),
    ("company", "''"),
    ("notes", "''"),
    ("extra", "'{}'"),
    ("campaign_id", "kept"),
    ("stage", "kept"),
    ("seller_id", "kept"),
    ("created_at", "new"),
    ("updated_at", "today"),
    ("anonymized_at", "today"),
    ("ref", "new"),
    ("email_key", "NULL"),
    ("phone_key", "NULL"),
    ("find_name", "NULL"),
    ("find_surname", "NULL"),
    ("find_phone", "NULL"),
];

/// The customers of the erasures in `temp.wanted` that are not anonymized,
/// and in the plan of no unfinished job (which will anonymize them). The
/// customers are found first, then each looked for in the plans of the
/// unfinished jobs through the plans' primary key: written as one join,
/// SQLite asked the plans of every customer, each time a scan of them all
/// (77 s at 2,000,000 customers beside a job of 1,000, for every command
/// that opened the database between the job's journal line and its commit).
const MISSING_ERASURES: &str = "WITH found AS MATERIALIZED (SELECT w.job AS job, c.id AS id \
     FROM customers c JOIN temp.wanted w ON w.cube_id = c.cube_id WHERE c.anonymized_at IS NULL) \
     SELECT job, id FROM found WHERE NOT EXISTS (SELECT 1 FROM jobs j \
     WHERE j.state IN ('queued', 'running') AND EXISTS (SELECT 1 FROM job_customers jc \
     WHERE jc.job_id = j.id AND jc.customer_id = found.id)) ORDER BY job, id";

/// A batch takes the planned customers in blocks of 2^10 = 1,024
/// neighbouring internal ids (rows imported together, on the same pages of
/// each table and index), the blocks in random order, and the customers of a
/// block it takes in part at random. Anonymizing a whole campaign of
/// 300,000 took 1.10 times as long as in id order (3 alternating pairs);
/// with blocks of 64 ids 1.6 times (each block wrote a page of every small
/// index), with blocks bigger than a batch more again (each block's rows
/// were written by two batches).
const BLOCK_BITS: u32 = 10;

impl Db {
    /// Counts what anonymizing the customers now in a campaign would blank.
    pub fn erasure_counts(&self, campaign_id: i64) -> Result<ErasureCounts> {
        self.conn
            .query_row(
                "SELECT
                   (SELECT count(*) FROM customers WHERE campaign_id = ?1)
                     - (SELECT count(*) FROM customers WHERE campaign_id = ?1 AND anonymized_at IS NOT NULL),
                   (SELECT count(*) FROM outcomes o JOIN customers c ON c.id = o.customer_id
                     WHERE c.campaign_id = ?1 AND c.anonymized_at IS NULL AND o.comment <> ''),
                   (SELECT count(*) FROM history h JOIN customers c ON c.id = h.customer_id
                     WHERE c.campaign_id = ?1 AND c.anonymized_at IS NULL AND h.text <> ''),
                   (SELECT count(*) FROM recordings r JOIN customers c ON c.id = r.customer_id
                     WHERE c.campaign_id = ?1 AND c.anonymized_at IS NULL)",
                [campaign_id],
                |r| {
                    Ok(ErasureCounts {
                        customers: r.get(0)?,
                        comments: r.get(1)?,
                        history: r.get(2)?,
                        recordings: r.get(3)?,
                        mentions: 0,
                    })
                },
            )
            .context("cannot count what anonymization would remove")
    }

    /// Records a job and its plan: every customer now in the campaign that is
    /// not anonymized yet. Returns the job.
    pub fn plan_job(
        &self,
        job_uuid: &str,
        campaign_id: i64,
        operator: &str,
        now: DateTime<Utc>,
    ) -> Result<Job> {
        let now = super::timestamp(now);
        self.conn
            .prepare_cached(
                "INSERT INTO jobs (job_uuid, campaign_id, state, total, operator, created_at) \
                 VALUES (?1, ?2, 'queued', 0, ?3, ?4)",
            )?
            .execute(params![job_uuid, campaign_id, operator, now])
            .context("cannot record a job")?;
        let rowid = self.conn.last_insert_rowid();
        let total = self
            .conn
            .prepare_cached(
                // Both from indexes: the campaign's customers but the anonymized.
                "INSERT INTO job_customers (job_id, customer_id) \
                 SELECT ?1, id FROM customers WHERE campaign_id = ?2 AND id NOT IN \
                 (SELECT id FROM customers WHERE campaign_id = ?2 AND anonymized_at IS NOT NULL)",
            )?
            .execute(params![rowid, campaign_id])
            .context("cannot record a job's plan")?;
        self.conn
            .prepare_cached("UPDATE jobs SET total = ?2 WHERE id = ?1")?
            .execute(params![rowid, total as i64])?;
        self.job(rowid)
    }

    /// Records one person's erasure request as a job of its own (no campaign)
    /// whose plan is exactly `customer_ids`. Returns the job.
    pub fn plan_request(
        &self,
        job_uuid: &str,
        customer_ids: &[i64],
        operator: &str,
        now: DateTime<Utc>,
    ) -> Result<Job> {
        let now = super::timestamp(now);
        self.conn
            .prepare_cached(
                "INSERT INTO jobs (job_uuid, campaign_id, state, total, operator, created_at, request) \
                 VALUES (?1, NULL, 'queued', 0, ?2, ?3, 1)",
            )?
            .execute(params![job_uuid, operator, now])
            .context("cannot record a job")?;
        let rowid = self.conn.last_insert_rowid();
        self.add_to_plan(rowid, customer_ids)?;
        self.job(rowid)
    }

    pub fn job(&self, rowid: i64) -> Result<Job> {
        self.conn
            .prepare_cached(&format!("SELECT {JOB_COLUMNS} WHERE j.id = ?1"))?
            .query_row([rowid], job)
            .context("cannot read a job")
    }

    /// The job with this public id, or whose id starts or ends with it (if
    /// only one does). Ids begin with their time, so the jobs of one day
    /// share their first characters; the last ones are random.
    pub fn find_job(&self, id: &str) -> Result<Option<Job>> {
        let found = self.jobs_matching(id)?;
        Ok(if found.len() == 1 {
            found.into_iter().next()
        } else {
            None
        })
    }

    /// The jobs whose id starts or ends with `id`: none, one, or two when
    /// there are more than one.
    pub fn jobs_matching(&self, id: &str) -> Result<Vec<Job>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {JOB_COLUMNS} WHERE j.job_uuid LIKE ?1 || '%' ESCAPE '\\' \
             OR j.job_uuid LIKE '%' || ?1 ESCAPE '\\' LIMIT 2"
        ))?;
        let escaped = id
            .to_ascii_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let found = stmt
            .query_map([escaped], job)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(found)
    }

    /// Every job, oldest first.
    pub fn list_jobs(&self) -> Result<Vec<Job>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {JOB_COLUMNS} ORDER BY j.id"))?;
        let jobs = stmt.query_map([], job)?.collect::<rusqlite::Result<_>>()?;
        Ok(jobs)
    }

    /// Jobs that were started and not finished, oldest first.
    pub fn unfinished_jobs(&self) -> Result<Vec<Job>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {JOB_COLUMNS} WHERE j.state IN ('queued', 'running', 'scrub_pending') ORDER BY j.id"
        ))?;
        let jobs = stmt.query_map([], job)?.collect::<rusqlite::Result<_>>()?;
        Ok(jobs)
    }

    pub fn set_job_state(&self, rowid: i64, state: JobState, now: DateTime<Utc>) -> Result<()> {
        let now = super::timestamp(now);
        let finished = matches!(state, JobState::Done | JobState::Failed).then_some(now);
        self.conn
            .prepare_cached("UPDATE jobs SET state = ?2, finished_at = ?3 WHERE id = ?1")?
            .execute(params![rowid, state.as_str(), finished])
            .context("cannot update a job")?;
        Ok(())
    }

    /// Picks up to `limit` planned customers of a job as the current batch
    /// (fewer only when the plan has no more); returns
    /// their cube ids in random order (for the erasure journal). Planned
    /// customers that another job anonymized meanwhile leave the plan. Must
    /// run inside the batch's transaction.
    ///
    /// Not in the order of their ids, which follow the import file: which
    /// customers one batch took shows in the journal (a line a batch) and in
    /// their new ids (see [`Db::renumber_batch`]). Blocks of neighbouring ids
    /// ([`BLOCK_BITS`]) are taken in random order, so that a batch still
    /// finds its rows together on few pages (one customer at a time at
    /// random, a whole campaign of 300,000 took three times as long).
    /// Nothing of the order shows: not which block went first, nor which
    /// customers of a block a batch took.
    pub fn pick_batch(&self, job_rowid: i64, limit: u64) -> Result<Vec<String>> {
        let conn = &self.conn;
        conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS batch (id INTEGER PRIMARY KEY, cube_id TEXT NOT NULL, \
             new_id INTEGER, new_ref TEXT, new_created_at TEXT); DELETE FROM batch;",
        )?;
        conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS picked (customer_id INTEGER PRIMARY KEY)",
        )?;
        loop {
            let in_batch: u64 = conn.query_row("SELECT count(*) FROM batch", [], |r| r.get(0))?;
            let room = limit.saturating_sub(in_batch);
            if room == 0 {
                break;
            }
            let blocks = self.plan_blocks(job_rowid)?;
            if blocks.is_empty() {
                break;
            }
            conn.execute_batch("DELETE FROM picked")?;
            let mut taken = 0;
            for (block, n) in blocks {
                if taken >= room {
                    break;
                }
                let first = block << BLOCK_BITS;
                let last = first + ((1 << BLOCK_BITS) - 1);
                // A block whole, or as much of it as fits, at random too.
                let wanted = n.min(room - taken);
                let sql = if wanted == n {
                    "INSERT INTO picked SELECT customer_id FROM job_customers WHERE job_id = ?1 \
                     AND customer_id BETWEEN ?2 AND ?3 AND customer_id NOT IN (SELECT id FROM batch)"
                } else {
                    "INSERT INTO picked SELECT customer_id FROM job_customers WHERE job_id = ?1 \
                     AND customer_id BETWEEN ?2 AND ?3 AND customer_id NOT IN (SELECT id FROM batch) \
                     ORDER BY random() LIMIT ?4"
                };
                let mut pick = conn.prepare_cached(sql)?;
                let result = if wanted == n {
                    pick.execute(params![job_rowid, first, last])
                } else {
                    pick.execute(params![job_rowid, first, last, wanted as i64])
                };
                result.context("cannot pick a batch")?;
                taken += wanted;
            }
            conn.prepare_cached(
                "INSERT INTO batch (id, cube_id) SELECT c.id, c.cube_id FROM picked p \
                 JOIN customers c ON c.id = p.customer_id WHERE c.anonymized_at IS NULL",
            )?
            .execute([])
            .context("cannot pick a batch")?;
            // Those another job anonymized (and gave a new id) leave the
            // plan, and as many more are picked: a batch is short only when
            // the plan is done.
            let gone = conn
                .prepare_cached(
                    "DELETE FROM job_customers WHERE job_id = ?1 AND customer_id IN \
                     (SELECT p.customer_id FROM picked p WHERE NOT EXISTS \
                      (SELECT 1 FROM customers c WHERE c.id = p.customer_id AND c.anonymized_at IS NULL))",
                )?
                .execute(params![job_rowid])
                .context("cannot pick a batch")?;
            if gone == 0 {
                break;
            }
        }
        let mut stmt = conn.prepare_cached("SELECT cube_id FROM batch ORDER BY random()")?;
        let ids = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    /// What is left of a job's plan (less the batch being picked), by block
    /// of [`BLOCK_BITS`]: each block and how many planned customers it has,
    /// in random order. Counted here from the plan in id order (its key):
    /// grouped by SQLite, the blocks took a sort of the whole plan a batch.
    fn plan_blocks(&self, job_rowid: i64) -> Result<Vec<(i64, u64)>> {
        let mut blocks: Vec<(u64, i64, u64)> = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT customer_id FROM job_customers WHERE job_id = ?1 \
             AND customer_id NOT IN (SELECT id FROM batch) ORDER BY customer_id",
        )?;
        let mut rows = stmt.query([job_rowid])?;
        while let Some(row) = rows.next().context("cannot pick a batch")? {
            let block = row.get::<_, i64>(0)? >> BLOCK_BITS;
            match blocks.last_mut() {
                Some((_, last, n)) if *last == block => *n += 1,
                _ => blocks.push((0, block, 1)),
            }
        }
        let mut keys = vec![0u8; 8 * blocks.len()];
        getrandom::fill(&mut keys).map_err(|e| anyhow::anyhow!("no random source: {e}"))?;
        for ((key, ..), random) in blocks.iter_mut().zip(keys.chunks_exact(8)) {
            *key = u64::from_le_bytes(random.try_into().unwrap_or_default());
        }
        blocks.sort_unstable();
        Ok(blocks.into_iter().map(|(_, block, n)| (block, n)).collect())
    }

    /// Anonymizes the batch picked by [`Db::pick_batch`]; returns how many.
    ///
    /// Blanks every card field (the name becomes `Anonymized`), the customer
    /// number and extra fields, the comments of their outcomes and the text of
    /// their history; moves their recording paths to the to-do list of files to
    /// delete; records them in the erasure ledger. Outcomes, sales and campaign
    /// links stay, with nothing kept that leads back (DESIGN.md, promise 10):
    /// the reference is replaced by a new `anon-` one, every kept time (the
    /// card's, its outcomes', sales' and history's) is cut to the day, and the
    /// customer, outcome, sale and history rows get new random row ids (the
    /// links follow, see [`Db::renumber_batch`]), so that neither a time nor a
    /// position lines them up with an import file or a phone system's call log.
    pub fn erase_batch(&self, job_rowid: i64, now: DateTime<Utc>) -> Result<u64> {
        let now = super::timestamp(super::day(now));
        let steps: [(&str, &str); 6] = [
            (
                // The last activity of their campaigns may be one of their
                // calls, to the second (as `campaign show` prints it).
                "UPDATE campaigns SET last_activity_at = substr(last_activity_at, 1, 10) || 'T00:00:00Z' \
                 WHERE id IN (SELECT campaign_id FROM customers WHERE id IN (SELECT id FROM batch)) \
                 OR id IN (SELECT campaign_id FROM outcomes WHERE customer_id IN (SELECT id FROM batch))",
                "cannot update a campaign",
            ),
            (
                // A file two of them share is deleted once.
                "INSERT INTO recording_deletions (job_id, path) \
                 SELECT DISTINCT ?1, path FROM recordings WHERE customer_id IN (SELECT id FROM batch)",
                "cannot list recordings to delete",
            ),
            ("DELETE FROM recordings WHERE customer_id IN (SELECT id FROM batch)", "cannot remove recordings"),
            (
                // Done: out of the plan, which would otherwise point at the
                // rows the renumbering deletes until the job ends.
                "DELETE FROM job_customers WHERE job_id = ?1 AND customer_id IN (SELECT id FROM batch)",
                "cannot update the job's plan",
            ),
            (
                "INSERT INTO erasures (customer_id, cube_id, job_id, erased_at) \
                 SELECT id, cube_id, ?1, ?2 FROM batch",
                "cannot write the erasure ledger",
            ),
            (
                "UPDATE jobs SET done = done + (SELECT count(*) FROM batch), state = 'running' \
                 WHERE id = ?1",
                "cannot update the job",
            ),
        ];
        let n: u64 = self
            .conn
            .query_row("SELECT count(*) FROM batch", [], |r| r.get(0))?;
        let mut changed = Vec::with_capacity(steps.len());
        for (sql, context) in steps {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let result = match stmt.parameter_count() {
                0 => stmt.execute([]),
                1 => stmt.execute(params![job_rowid]),
                _ => stmt.execute(params![job_rowid, now]),
            };
            changed.push(result.context(context)?);
        }
        let recordings = changed[2];
        // For the receipt: how many comments and history texts it blanks
        // (the renumbering blanks them as it rewrites their rows).
        self.conn
            .prepare_cached(
                "UPDATE jobs SET \
                 comments = comments + (SELECT count(*) FROM outcomes \
                   WHERE customer_id IN (SELECT id FROM batch) AND comment <> ''), \
                 history = history + (SELECT count(*) FROM history \
                   WHERE customer_id IN (SELECT id FROM batch) AND text <> '') \
                 WHERE id = ?1",
            )?
            .execute(params![job_rowid])
            .context("cannot update the job")?;
        self.count_erased_batch(n as usize, recordings)?;
        self.renumber_batch(&now)?;
        self.conn.execute_batch("DELETE FROM batch")?;
        Ok(n)
    }

    /// Gives the batch's customers, and their outcomes, sales and history,
    /// new row ids (the links follow) and cuts their kept times to the day.
    /// The new ids come after every id in use, in random order: nothing of
    /// the order the rows were imported in stays, and the rows move to the
    /// end of their tables (pages the batch writes anyway) rather than to
    /// random places all over them, which rewrote most of the database.
    ///
    /// A customer's card is blanked in the same step: its row is written
    /// once more, at its new id, as [`ANONYMIZED_CARD`] says, and the old row
    /// deleted (which `secure_delete` zeroes, with its index entries).
    fn renumber_batch(&self, today: &str) -> Result<()> {
        let new_ids = |table: &str| {
            format!(
                "(SELECT coalesce(max(id), 0) FROM {table}) + row_number() OVER (ORDER BY random())"
            )
        };
        const DAY: &str = "substr({}, 1, 10) || 'T00:00:00Z'";
        let day = |column: &str| DAY.replace("{}", column);
        let mut steps = vec![
            // What the new card takes that a function makes, made here in
            // the temporary table: a statement that calls a function may
            // fail halfway, so SQLite keeps a copy of every page it changes
            // until it ends (in memory, as it holds old values), and the
            // cards' insert changes pages all over the reference index.
            format!(
                "UPDATE batch SET new_id = made.new_id, new_ref = made.new_ref, \
                 new_created_at = made.new_created_at FROM \
                 (SELECT b.id, {} AS new_id, 'anon-' || lower(hex(randomblob(8))) AS new_ref, \
                 {} AS new_created_at FROM batch b JOIN customers c ON c.id = b.id) AS made \
                 WHERE made.id = batch.id",
                new_ids("customers"),
                day("c.created_at")
            ),
            "CREATE TEMP TABLE IF NOT EXISTS renumbered (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)"
                .to_string(),
        ];
        // Outcomes first: sales and recordings point at them.
        steps.extend([
            "DELETE FROM renumbered".to_string(),
            format!(
                "INSERT INTO renumbered SELECT id, {} FROM outcomes \
                 WHERE customer_id IN (SELECT id FROM batch)",
                new_ids("outcomes")
            ),
            "UPDATE sales SET outcome_id = (SELECT new FROM renumbered WHERE old = outcome_id) \
             WHERE outcome_id IN (SELECT old FROM renumbered)"
                .to_string(),
            "UPDATE recordings SET outcome_id = (SELECT new FROM renumbered WHERE old = outcome_id) \
             WHERE outcome_id IN (SELECT old FROM renumbered)"
                .to_string(),
        ]);
        for (table, time, blanked) in [
            ("outcomes", "registered_at", ", comment = ''"),
            ("sales", "sold_at", ""),
            ("history", "at", ", text = ''"),
        ] {
            if table != "outcomes" {
                steps.extend([
                    "DELETE FROM renumbered".to_string(),
                    format!(
                        "INSERT INTO renumbered SELECT id, {} FROM {table} \
                         WHERE customer_id IN (SELECT id FROM batch)",
                        new_ids(table)
                    ),
                ]);
            }
            steps.push(format!(
                "UPDATE {table} SET id = (SELECT new FROM renumbered WHERE old = {table}.id), \
                 {time} = {}, customer_id = (SELECT new_id FROM batch WHERE batch.id = {table}.customer_id){blanked} \
                 WHERE id IN (SELECT old FROM renumbered)",
                day(time)
            ));
        }
        steps.extend([
            format!(
                "UPDATE erasures SET customer_id = (SELECT new_id FROM batch WHERE batch.id = erasures.customer_id), \
                 erased_at = {} WHERE customer_id IN (SELECT id FROM batch)",
                day("erased_at")
            ),
            {
                let (columns, values): (Vec<&str>, Vec<String>) = ANONYMIZED_CARD
                    .iter()
                    .map(|(column, value)| {
                        let value = match *value {
                            "new" => format!("b.new_{column}"),
                            "today" => format!("'{today}'"),
                            "kept" => format!("c.{column}"),
                            other => other.to_string(),
                        };
                        (*column, value)
                    })
                    .unzip();
                // `OR FAIL`: with the default `ABORT`, its unique indexes
                // would have SQLite keep that copy too. A failure fails the
                // batch's transaction all the same.
                format!(
                    "INSERT OR FAIL INTO customers (id, {}) SELECT b.new_id, {} \
                     FROM batch b JOIN customers c ON c.id = b.id ORDER BY b.new_id",
                    columns.join(", "),
                    values.join(", ")
                )
            },
            "DELETE FROM customers WHERE id IN (SELECT id FROM batch)".to_string(),
        ]);
        for sql in steps {
            self.conn
                .prepare_cached(&sql)?
                .execute([])
                .context("cannot give anonymized rows new ids")?;
        }
        Ok(())
    }

    /// The job with this public id, made (queued, with an empty plan) if this
    /// database has none: a replayed erasure keeps the id of the job that
    /// made it, when it began (`started`, as the journal says) and whether it
    /// was one person's request.
    pub fn ensure_job(
        &self,
        job_uuid: &str,
        operator: &str,
        started: &str,
        request: bool,
    ) -> Result<Job> {
        let found: Option<i64> = self
            .conn
            .prepare_cached("SELECT id FROM jobs WHERE job_uuid = ?1")?
            .query_row([job_uuid], |r| r.get(0))
            .optional()?;
        let rowid = match found {
            Some(rowid) => rowid,
            None => {
                self.conn
                    .prepare_cached(
                        "INSERT INTO jobs (job_uuid, campaign_id, state, total, operator, created_at, request) \
                         VALUES (?1, NULL, 'queued', 0, ?2, ?3, ?4)",
                    )?
                    .execute(params![job_uuid, operator, started, request])
                    .context("cannot record a job")?;
                self.conn.last_insert_rowid()
            }
        };
        self.job(rowid)
    }

    /// A job a replay made from the journal ended when the journal says,
    /// and redacted the mentions it says (`started` tells it from a job of
    /// the database's own).
    pub fn date_replayed_job(
        &self,
        job_rowid: i64,
        started: &str,
        finished: &str,
        mentions: u64,
    ) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE jobs SET finished_at = ?3, mentions = max(coalesce(mentions, 0), ?4) \
                 WHERE id = ?1 AND created_at = ?2",
            )?
            .execute(params![job_rowid, started, finished, mentions as i64])
            .context("cannot update the job")?;
        Ok(())
    }

    /// Adds customers (by internal id) to a job's plan and queues the job again.
    pub fn add_to_plan(&self, job_rowid: i64, customer_ids: &[i64]) -> Result<()> {
        let mut insert = self.conn.prepare_cached(
            "INSERT OR IGNORE INTO job_customers (job_id, customer_id) VALUES (?1, ?2)",
        )?;
        let mut added = 0;
        for id in customer_ids {
            added += insert.execute(params![job_rowid, id])?;
        }
        self.conn
            .prepare_cached(
                "UPDATE jobs SET total = total + ?2, state = 'queued', finished_at = NULL, mentions = NULL \
                 WHERE id = ?1",
            )?
            .execute(params![job_rowid, added as i64])
            .context("cannot update the job")?;
        Ok(())
    }

    /// For the restore gate and replays: of the erasures `(job, cube id)`, the
    /// customers this database has, not anonymized and planned in no
    /// unfinished job: (job, internal customer id).
    ///
    /// Cube ids have no index (they are random, and an index on them made
    /// every import write to random pages); this is one pass over the
    /// customers, joined with the erasures put in a temporary table.
    pub fn missing_erasures(&self, erasures: &[(&str, &str)]) -> Result<Vec<(String, i64)>> {
        if erasures.is_empty() {
            return Ok(Vec::new());
        }
        self.conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS wanted (cube_id TEXT PRIMARY KEY, job TEXT NOT NULL) \
             WITHOUT ROWID; DELETE FROM temp.wanted;",
        )?;
        {
            let mut insert = self.conn.prepare_cached(
                "INSERT OR IGNORE INTO temp.wanted (cube_id, job) VALUES (?1, ?2)",
            )?;
            for (job, cube_id) in erasures {
                insert.execute(params![cube_id, job])?;
            }
        }
        let mut stmt = self.conn.prepare_cached(MISSING_ERASURES)?;
        let missing = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()
            .context("cannot look up erasures")?;
        self.conn.execute_batch("DELETE FROM temp.wanted")?;
        Ok(missing)
    }

    /// Adds to the recording files a job deleted, and refused to delete.
    pub fn count_recordings(&self, job_rowid: i64, deleted: u64, refused: u64) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE jobs SET recordings_deleted = recordings_deleted + ?2, \
                 recordings_refused = recordings_refused + ?3 WHERE id = ?1",
            )?
            .execute(params![job_rowid, deleted as i64, refused as i64])
            .context("cannot update the job")?;
        Ok(())
    }

    /// What was kept of a job's customers, for the statistics: (outcomes,
    /// sales).
    pub fn kept_of_job(&self, job_rowid: i64) -> Result<(u64, u64)> {
        self.conn
            .prepare_cached(
                "SELECT (SELECT count(*) FROM outcomes WHERE customer_id IN \
                   (SELECT customer_id FROM erasures WHERE job_id = ?1)), \
                 (SELECT count(*) FROM sales WHERE customer_id IN \
                   (SELECT customer_id FROM erasures WHERE job_id = ?1))",
            )?
            .query_row([job_rowid], |r| Ok((r.get(0)?, r.get(1)?)))
            .context("cannot count what a job kept")
    }

    /// Forgets a finished job's plan: every planned customer is anonymized and
    /// in the ledger, and the rows would only cost the scrub time.
    pub fn clear_plan(&self, job_rowid: i64) -> Result<()> {
        self.conn
            .prepare_cached("DELETE FROM job_customers WHERE job_id = ?1")?
            .execute([job_rowid])
            .context("cannot clear a job's plan")?;
        Ok(())
    }

    /// Every entry of the erasure ledger: (job id, the job's campaign, cube id).
    pub fn ledger(&self) -> Result<Vec<(String, Option<String>, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT j.job_uuid, k.name, e.cube_id FROM erasures e JOIN jobs j ON j.id = e.job_id \
             LEFT JOIN campaigns k ON k.id = j.campaign_id ORDER BY e.job_id",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()
            .context("cannot read the erasure ledger")?;
        Ok(rows)
    }

    /// Recording files a job still has to delete: (to-do row, relative path).
    pub fn pending_recording_deletions(
        &self,
        job_rowid: i64,
        limit: u64,
    ) -> Result<Vec<(i64, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, path FROM recording_deletions WHERE job_id = ?1 ORDER BY id LIMIT ?2",
        )?;
        let rows = stmt
            .query_map(params![job_rowid, limit as i64], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Whether the database holds any recording, or any recording file still
    /// to delete: whether a recordings folder matters to it.
    pub fn holds_recordings(&self) -> Result<bool> {
        self.conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM recordings) OR EXISTS (SELECT 1 FROM recording_deletions)",
            )?
            .query_row([], |r| r.get(0))
            .context("cannot look for recordings")
    }

    /// Up to `limit` recording paths, of rows and then of files still to delete.
    pub fn recording_sample(&self, limit: u64) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT path FROM (SELECT path FROM recordings LIMIT ?1) \
             UNION ALL SELECT path FROM (SELECT path FROM recording_deletions LIMIT ?1) LIMIT ?1",
        )?;
        let paths = stmt
            .query_map([limit as i64], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()
            .context("cannot read recording paths")?;
        Ok(paths)
    }

    /// Forgets the recordings of other customers that share a file on a
    /// job's to-do list: the file holds the voice of the job's customer and
    /// goes with them. Returns how many. One read of the recordings.
    pub fn forget_shared_recordings(&self, job_rowid: i64) -> Result<u64> {
        let n = self
            .conn
            .prepare_cached(
                "DELETE FROM recordings WHERE path IN \
                 (SELECT path FROM recording_deletions WHERE job_id = ?1)",
            )?
            .execute([job_rowid])
            .context("cannot remove recordings that share a deleted file")?;
        self.counted(|p| p.totals().recordings -= n as i64)?;
        Ok(n as u64)
    }

    /// Forgets the recordings at `path`, a file deleted with a link that led
    /// to it. Returns how many.
    pub fn forget_recordings_at(&self, path: &str) -> Result<u64> {
        let n = self
            .conn
            .prepare_cached("DELETE FROM recordings WHERE path = ?1")?
            .execute([path])
            .context("cannot remove recordings of a deleted file")?;
        self.counted(|p| p.totals().recordings -= n as i64)?;
        Ok(n as u64)
    }

    /// Crosses a recording off the to-do list once its file is gone.
    pub fn recording_deleted(&self, todo_id: i64) -> Result<()> {
        self.conn
            .prepare_cached("DELETE FROM recording_deletions WHERE id = ?1")?
            .execute([todo_id])
            .context("cannot update the recording to-do list")?;
        Ok(())
    }

    /// Campaigns that are active and have had no activity since the day of
    /// `before` (a campaign's last activity is kept to the day).
    pub fn inactive_campaigns(&self, before: DateTime<Utc>) -> Result<Vec<String>> {
        let before = super::timestamp(super::day(before));
        let mut stmt = self.conn.prepare_cached(
            "SELECT name FROM campaigns WHERE status = 'active' AND last_activity_at < ?1 ORDER BY name",
        )?;
        let names = stmt
            .query_map([before], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(names)
    }

    /// Sets `synchronous`: FULL around anonymization batches, NORMAL otherwise.
    pub fn set_synchronous_full(&self, full: bool) -> Result<()> {
        self.conn
            .pragma_update(None, "synchronous", if full { "FULL" } else { "NORMAL" })
            .context("cannot set synchronous")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_restore_gate_looks_each_customer_up_in_the_plans() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("cube.db"), super::super::BUSY_TIMEOUT).unwrap();
        db.missing_erasures(&[("job", "no such id")]).unwrap();
        db.conn
            .execute_batch(
                "CREATE TEMP TABLE IF NOT EXISTS wanted (cube_id TEXT PRIMARY KEY, job TEXT NOT NULL) \
                 WITHOUT ROWID",
            )
            .unwrap();
        let plan = super::super::query_plan(&db.conn, MISSING_ERASURES);
        assert!(
            plan.iter()
                .any(|step| step
                    .starts_with("SEARCH jc USING PRIMARY KEY (job_id=? AND customer_id=?)")),
            "{plan:?}"
        );
        assert!(
            !plan.iter().any(|step| step.starts_with("SCAN jc")),
            "{plan:?}"
        );
    }

    #[test]
    fn a_plan_is_taken_in_blocks_in_random_order_and_whole() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("cube.db"), super::super::BUSY_TIMEOUT).unwrap();
        db.conn
            .execute_batch(
                "PRAGMA foreign_keys = OFF; \
                 CREATE TEMP TABLE IF NOT EXISTS batch (id INTEGER PRIMARY KEY, cube_id TEXT NOT NULL, \
                 new_id INTEGER, new_ref TEXT, new_created_at TEXT);",
            )
            .unwrap();
        // Five blocks: 3 customers in the first, 1 in each of the others.
        let size = 1i64 << BLOCK_BITS;
        let ids = [1, 2, 3, size, 2 * size + 5, 3 * size, 7 * size + 9];
        for id in ids {
            db.conn
                .execute("INSERT INTO job_customers VALUES (1, ?1)", [id])
                .unwrap();
        }
        let expected = vec![(0, 3), (1, 1), (2, 1), (3, 1), (7, 1)];
        let mut orders = std::collections::BTreeSet::new();
        for _ in 0..20 {
            let blocks = db.plan_blocks(1).unwrap();
            let mut sorted = blocks.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, expected);
            orders.insert(blocks);
        }
        assert!(orders.len() > 1, "always the same order: {orders:?}");
    }
}
