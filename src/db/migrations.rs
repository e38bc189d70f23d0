//! Schema migrations, keyed on `PRAGMA user_version`.
//!
//! The list is append-only: a released migration is never edited, a change is a
//! new entry. All pending migrations run in one transaction. A database whose
//! version is newer than this list was written by a newer cube and is refused,
//! since this binary cannot know what its tables promise.
//!
//! Personal data lives only in these columns (the anonymization engine blanks
//! exactly these, so a new personal column must be added to it too):
//! `customers`: customer_no, name, email, phone, address, postal_code, city,
//! birth_date, company, notes, extra, the match keys email_key and
//! phone_key, and the search keys find_name, find_surname and find_phone
//! (all set to NULL); `outcomes.comment`; `history.text`;
//! `recordings.path`; `recording_deletions.path` (until the file is gone).
//!
//! A migration that moves customers, or adds or removes counted rows, must
//! keep the kept counts right (`db/counts.rs`), or count them again.

use anyhow::{Context, Result};
use rusqlite::Connection;

use crate::Failure;

/// One step of the schema's history: SQL, or code where SQL cannot say it.
enum Migration {
    Sql(&'static str),
    Code(fn(&Connection) -> Result<()>),
}

const MIGRATIONS: &[Migration] = &[
    // 1: the whole model of DESIGN.md.
    Migration::Sql(
        r#"
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE campaigns (
        id               INTEGER PRIMARY KEY,
        name             TEXT NOT NULL UNIQUE,
        status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
        created_at       TEXT NOT NULL,
        archived_at      TEXT,
        -- last outcome, sale or move: what `archive --inactive-days` looks at
        last_activity_at TEXT NOT NULL
    );

    CREATE TABLE sellers (
        id         INTEGER PRIMARY KEY,
        username   TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
    );

    CREATE TABLE customers (
        id            INTEGER PRIMARY KEY,
        cube_id       TEXT NOT NULL,
        customer_no   TEXT,
        name          TEXT NOT NULL,
        email         TEXT NOT NULL DEFAULT '',
        phone         TEXT NOT NULL DEFAULT '',
        address       TEXT NOT NULL DEFAULT '',
        postal_code   TEXT NOT NULL DEFAULT '',
        city          TEXT NOT NULL DEFAULT '',
        birth_date    TEXT NOT NULL DEFAULT '',
        company       TEXT NOT NULL DEFAULT '',
        notes         TEXT NOT NULL DEFAULT '',
        extra         TEXT NOT NULL DEFAULT '{}',
        campaign_id   INTEGER REFERENCES campaigns(id),
        stage         TEXT CHECK (stage IN ('available', 'assigned', 'completed')),
        seller_id     INTEGER REFERENCES sellers(id),
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL,
        anonymized_at TEXT,
        CHECK ((campaign_id IS NULL) = (stage IS NULL))
    );
    CREATE UNIQUE INDEX customers_cube_id ON customers(cube_id);
    CREATE UNIQUE INDEX customers_customer_no ON customers(customer_no)
        WHERE customer_no IS NOT NULL AND anonymized_at IS NULL;
    CREATE INDEX customers_campaign ON customers(campaign_id, stage);

    CREATE TABLE outcomes (
        id            INTEGER PRIMARY KEY,
        customer_id   INTEGER NOT NULL REFERENCES customers(id),
        campaign_id   INTEGER NOT NULL REFERENCES campaigns(id),
        seller_id     INTEGER NOT NULL REFERENCES sellers(id),
        registered_at TEXT NOT NULL,
        label         TEXT NOT NULL,
        comment       TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX outcomes_customer ON outcomes(customer_id);
    CREATE INDEX outcomes_campaign ON outcomes(campaign_id);

    CREATE TABLE sales (
        id          INTEGER PRIMARY KEY,
        outcome_id  INTEGER REFERENCES outcomes(id),
        customer_id INTEGER NOT NULL REFERENCES customers(id),
        campaign_id INTEGER REFERENCES campaigns(id),
        seller_id   INTEGER NOT NULL REFERENCES sellers(id),
        sold_at     TEXT NOT NULL,
        product     TEXT NOT NULL,
        quantity    INTEGER NOT NULL,
        unit_price  INTEGER NOT NULL
    );
    CREATE INDEX sales_customer ON sales(customer_id);
    CREATE INDEX sales_outcome ON sales(outcome_id);

    CREATE TABLE history (
        id          INTEGER PRIMARY KEY,
        customer_id INTEGER NOT NULL REFERENCES customers(id),
        at          TEXT NOT NULL,
        kind        TEXT NOT NULL,
        text        TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX history_customer ON history(customer_id);

    CREATE TABLE recordings (
        id          INTEGER PRIMARY KEY,
        customer_id INTEGER NOT NULL REFERENCES customers(id),
        outcome_id  INTEGER REFERENCES outcomes(id),
        path        TEXT NOT NULL,
        created_at  TEXT NOT NULL
    );
    CREATE INDEX recordings_customer ON recordings(customer_id);

    -- Anonymization jobs: the plan (job_customers), then batches.
    CREATE TABLE jobs (
        id          INTEGER PRIMARY KEY,
        job_uuid    TEXT NOT NULL UNIQUE,
        campaign_id INTEGER REFERENCES campaigns(id),
        state       TEXT NOT NULL CHECK (state IN ('queued', 'running', 'scrub_pending', 'done', 'failed')),
        total       INTEGER NOT NULL,
        done        INTEGER NOT NULL DEFAULT 0,
        operator    TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        finished_at TEXT
    );
    CREATE TABLE job_customers (
        job_id      INTEGER NOT NULL REFERENCES jobs(id),
        customer_id INTEGER NOT NULL REFERENCES customers(id),
        PRIMARY KEY (job_id, customer_id)
    ) WITHOUT ROWID;
    -- Durable to-do list of recording files to delete; a row goes when its file is gone.
    CREATE TABLE recording_deletions (
        id     INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES jobs(id),
        path   TEXT NOT NULL
    );

    -- The erasure ledger: who was anonymized, by which job, when. No personal data.
    CREATE TABLE erasures (
        customer_id INTEGER PRIMARY KEY REFERENCES customers(id),
        cube_id     TEXT NOT NULL,
        job_id      INTEGER NOT NULL REFERENCES jobs(id),
        erased_at   TEXT NOT NULL
    );

    -- Who archived, anonymized or restored what, when. No personal data.
    CREATE TABLE audit (
        id        INTEGER PRIMARY KEY,
        at        TEXT NOT NULL,
        operator  TEXT NOT NULL,
        action    TEXT NOT NULL,
        campaign  TEXT,
        details   TEXT NOT NULL DEFAULT '{}'
    );
    "#,
    ),
    // 2: the key of the pseudonyms that stand for anonymized customers' cube
    // ids in exports. Random, never shown, never exported.
    Migration::Sql(
        r#"
    INSERT INTO settings (key, value) VALUES ('pseudonym_key', lower(hex(randomblob(32))));
    "#,
    ),
    // 3: per-campaign counts of anonymized customers from the index alone.
    Migration::Sql(
        r#"
    DROP INDEX customers_campaign;
    CREATE INDEX customers_campaign ON customers(campaign_id, stage, anonymized_at);
    "#,
    ),
    // 4: the same check on a customer's stage, in a form SQLite evaluates
    // without building a temporary table for every inserted row (it made a bulk
    // import a quarter slower).
    Migration::Code(cheaper_stage_check),
    // 5: where a job's next batch starts in its plan. Batches move it on
    // instead of deleting their customers from the plan, which cost as much
    // as anonymizing them.
    Migration::Sql(
        r#"
    ALTER TABLE jobs ADD COLUMN next_customer INTEGER NOT NULL DEFAULT 0;
    "#,
    ),
    // 6: anonymized customers counted from an index of their own. With
    // anonymized_at in the campaign index, anonymizing moved every customer's
    // entry in it (a delete and an insert each, the better part of blanking
    // the card); now it adds one entry to a small index at its end.
    Migration::Sql(
        r#"
    DROP INDEX customers_campaign;
    CREATE INDEX customers_campaign ON customers(campaign_id, stage);
    CREATE INDEX customers_anonymized ON customers(campaign_id, anonymized_at)
        WHERE anonymized_at IS NOT NULL;
    "#,
    ),
    // 7: a job can be `undone`: a restore that undoes a job the snapshot
    // holds half done ends it there, so that nothing resumes it.
    Migration::Code(|conn| {
        rewrite_check(
            conn,
            "jobs",
            "state IN ('queued', 'running', 'scrub_pending', 'done', 'failed')",
            "state IN ('queued', 'running', 'scrub_pending', 'done', 'failed', 'undone')",
        )
    }),
    // 8: a public reference for each customer, which listings, exports and
    // arguments use instead of the cube id (that never leaves the database);
    // anonymizing replaces it with an `anon-` one. The key of the keyed-hash
    // export pseudonyms it replaces goes: anyone with a backup had it.
    Migration::Sql(
        r#"
    ALTER TABLE customers ADD COLUMN ref TEXT;
    UPDATE customers SET ref = CASE WHEN anonymized_at IS NULL THEN '' ELSE 'anon-' END
        || lower(hex(randomblob(8)));
    CREATE UNIQUE INDEX customers_ref ON customers(ref);
    DELETE FROM settings WHERE key = 'pseudonym_key';
    "#,
    ),
    // 9: how many mentions of its customers in other records a job redacted
    // (NULL until it has, before its first batch).
    Migration::Sql(
        r#"
    ALTER TABLE jobs ADD COLUMN mentions INTEGER;
    "#,
    ),
    // 10: what a job erased, for its receipt (`cube jobs show`), whether it
    // was one person's erasure request, and every backup cube wrote, so that
    // a receipt can name the backups that still hold what a job erased.
    Migration::Sql(
        r#"
    ALTER TABLE jobs ADD COLUMN comments INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE jobs ADD COLUMN history INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE jobs ADD COLUMN recordings_deleted INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE jobs ADD COLUMN recordings_refused INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE jobs ADD COLUMN request INTEGER NOT NULL DEFAULT 0;
    -- Cube ids are random now: an index on them put every imported row on a
    -- random page of it. Only the restore gate and replays look customers up
    -- by cube id, and they do it in one pass (see Db::missing_erasures).
    DROP INDEX customers_cube_id;
    CREATE TABLE backups (
        id         INTEGER PRIMARY KEY,
        path       TEXT NOT NULL,
        created_at TEXT NOT NULL,
        sha256     TEXT NOT NULL,
        bytes      INTEGER NOT NULL,
        -- the folder of a rolling set (`backup create --dir`), and how many it keeps
        dir        TEXT,
        keep       INTEGER
    );
    "#,
    ),
    // 11: the e-mail and phone of each customer that is not anonymized, in
    // the forms a customer without a customer number is matched by on import
    // (see db/imports.rs), and indexes that find them. Partial: an anonymized
    // customer is never matched, and costs no index entry.
    Migration::Code(match_keys),
    // 12: the files imported, by kind and the SHA-256 of their bytes, so that
    // the same file imported again is recognised: the day of its first import
    // and its rows, never its name (a file name may name a person).
    Migration::Sql(
        r#"
    CREATE TABLE imported_files (
        kind        TEXT NOT NULL,
        sha256      TEXT NOT NULL,
        imported_on TEXT NOT NULL,
        rows        INTEGER NOT NULL,
        PRIMARY KEY (kind, sha256)
    ) WITHOUT ROWID;
    "#,
    ),
    // 13: the anonymized customers' index holds their stage, so that a
    // campaign's stages count only the customers who can still be handed
    // out (the anonymized are counted apart), each count from an index alone.
    Migration::Sql(
        r#"
    DROP INDEX customers_anonymized;
    CREATE INDEX customers_anonymized ON customers(campaign_id, stage, anonymized_at)
        WHERE anonymized_at IS NOT NULL;
    "#,
    ),
    // 14: the search keys of `cube customer find` (see `db/search.rs`), and
    // their indexes; an e-mail is searched by its match key (migration 11).
    // Partial: an anonymized customer (its keys are NULL) is in none of
    // them, and neither is a customer without the value.
    Migration::Code(find_keys),
    // 15: the counts that `stats`, `campaign list` and `campaign show` print,
    // kept as the data changes (see `db/counts.rs`) instead of counted on
    // every call, filled here from a full count. `campaign_counts` has a row
    // per campaign that has customers: those who are not anonymized at each
    // stage, and the anonymized.
    Migration::Sql(
        r#"
    CREATE TABLE totals (
        id                 INTEGER PRIMARY KEY CHECK (id = 0),
        customers          INTEGER NOT NULL,
        anonymized         INTEGER NOT NULL,
        active_campaigns   INTEGER NOT NULL,
        archived_campaigns INTEGER NOT NULL,
        outcomes           INTEGER NOT NULL,
        sales              INTEGER NOT NULL,
        sales_amount       INTEGER NOT NULL,
        recordings         INTEGER NOT NULL,
        history            INTEGER NOT NULL,
        sellers            INTEGER NOT NULL
    );
    CREATE TABLE campaign_counts (
        campaign_id INTEGER PRIMARY KEY REFERENCES campaigns(id),
        available   INTEGER NOT NULL,
        assigned    INTEGER NOT NULL,
        completed   INTEGER NOT NULL,
        anonymized  INTEGER NOT NULL
    );
    INSERT INTO totals SELECT 0,
        (SELECT count(*) FROM customers),
        (SELECT count(*) FROM erasures),
        (SELECT count(*) FROM campaigns WHERE status = 'active'),
        (SELECT count(*) FROM campaigns WHERE status = 'archived'),
        (SELECT count(*) FROM outcomes),
        (SELECT count(*) FROM sales),
        (SELECT coalesce(sum(quantity * unit_price), 0) FROM sales),
        (SELECT count(*) FROM recordings),
        (SELECT count(*) FROM history),
        (SELECT count(*) FROM sellers);
    INSERT INTO campaign_counts SELECT campaign_id,
        sum(CASE stage WHEN 'available' THEN n ELSE 0 END),
        sum(CASE stage WHEN 'assigned' THEN n ELSE 0 END),
        sum(CASE stage WHEN 'completed' THEN n ELSE 0 END),
        sum(anonymized)
    FROM (SELECT campaign_id, stage, count(*) AS n, 0 AS anonymized FROM customers
          WHERE campaign_id IS NOT NULL GROUP BY campaign_id, stage
          UNION ALL
          SELECT campaign_id, stage, -count(*), count(*) FROM customers
          WHERE campaign_id IS NOT NULL AND anonymized_at IS NOT NULL GROUP BY campaign_id, stage)
    GROUP BY campaign_id;
    "#,
    ),
    // 16: a job's batches take its planned customers at random, not in the
    // order of their internal ids (which follow the import file); the
    // cursor through that order that jobs kept, `next_customer`, is no
    // longer used, and the one each finished job holds (the old id after
    // its last customer: for one person forgotten, their place in the
    // import file) is zeroed.
    Migration::Sql("UPDATE jobs SET next_customer = 0 WHERE next_customer <> 0;"),
];

/// Adds the search keys, computes them for every customer that is not
/// anonymized, a step of [`KEYS_AT_A_TIME`] at a time, then indexes them
/// (once, rather than entry by entry).
fn find_keys(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "ALTER TABLE customers ADD COLUMN find_name TEXT;
         ALTER TABLE customers ADD COLUMN find_surname TEXT;
         ALTER TABLE customers ADD COLUMN find_phone TEXT;",
    )?;
    let mut write = conn.prepare(
        "UPDATE customers SET find_name = ?2, find_surname = ?3, find_phone = ?4 WHERE id = ?1",
    )?;
    each_card(conn, |id, name, _, phone| {
        let keys = super::FindKeys::of(name, phone);
        write.execute(rusqlite::params![id, keys.name, keys.surname, keys.phone])?;
        Ok(())
    })?;
    conn.execute_batch(FIND_INDEXES)?;
    Ok(())
}

/// The indexes of the search keys, as migration 14 makes them (a first
/// import drops and makes them again: see `Db::drop_id_indexes`).
pub(super) const FIND_INDEXES: &str = "CREATE INDEX customers_find_name ON customers(find_name)
             WHERE find_name IS NOT NULL AND anonymized_at IS NULL;
         CREATE INDEX customers_find_surname ON customers(find_surname)
             WHERE find_surname IS NOT NULL AND anonymized_at IS NULL;
         CREATE INDEX customers_find_phone ON customers(find_phone)
             WHERE find_phone IS NOT NULL AND anonymized_at IS NULL;";

/// Customers whose keys one step of [`each_card`] computes: memory stays
/// small at a million customers.
const KEYS_AT_A_TIME: i64 = 10_000;

/// Calls `each` with (id, name, e-mail, phone) of every customer that is not
/// anonymized, [`KEYS_AT_A_TIME`] at a time: for the migrations that compute
/// keys in Rust (SQLite has no Unicode lower case or digit filter).
fn each_card(
    conn: &Connection,
    mut each: impl FnMut(i64, &str, &str, &str) -> rusqlite::Result<()>,
) -> Result<()> {
    let mut read = conn.prepare(
        "SELECT id, name, email, phone FROM customers WHERE id > ?1 AND anonymized_at IS NULL \
         ORDER BY id LIMIT ?2",
    )?;
    let mut after = i64::MIN;
    loop {
        let cards: Vec<(i64, String, String, String)> = read
            .query_map(rusqlite::params![after, KEYS_AT_A_TIME], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let Some(&(last, ..)) = cards.last() else {
            return Ok(());
        };
        for (id, name, email, phone) in &cards {
            each(*id, name, email, phone)?;
        }
        after = last;
    }
}

/// Adds the match key columns, computes them (in Rust: SQLite has no Unicode
/// lower case or digit filter) and indexes them.
fn match_keys(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "ALTER TABLE customers ADD COLUMN email_key TEXT;
         ALTER TABLE customers ADD COLUMN phone_key TEXT;",
    )?;
    let mut write =
        conn.prepare("UPDATE customers SET email_key = ?2, phone_key = ?3 WHERE id = ?1")?;
    each_card(conn, |id, _, email, phone| {
        let (email, phone) = (super::email_key(email), super::phone_key(phone));
        if email.is_some() || phone.is_some() {
            write.execute(rusqlite::params![id, email, phone])?;
        }
        Ok(())
    })?;
    conn.execute_batch(
        "CREATE INDEX customers_email_key ON customers(email_key)
             WHERE email_key IS NOT NULL AND anonymized_at IS NULL;
         CREATE INDEX customers_phone_key ON customers(phone_key)
             WHERE phone_key IS NOT NULL AND anonymized_at IS NULL;",
    )?;
    Ok(())
}

const STAGE_CHECK_BEFORE: &str = "stage IN ('available', 'assigned', 'completed')";
const STAGE_CHECK_AFTER: &str = "stage = 'available' OR stage = 'assigned' OR stage = 'completed'";

/// A NULL stage passes both forms.
fn cheaper_stage_check(conn: &Connection) -> Result<()> {
    rewrite_check(conn, "customers", STAGE_CHECK_BEFORE, STAGE_CHECK_AFTER)
}

/// Rewrites the text of a check in the stored schema of `table`: the
/// documented way (sqlite.org/lang_altertable.html, "other kinds of table
/// schema changes") for a change that leaves every stored row as valid as
/// before.
fn rewrite_check(conn: &Connection, table: &str, before: &str, after: &str) -> Result<()> {
    let cookie: i64 = conn.query_row("PRAGMA schema_version", [], |r| r.get(0))?;
    conn.pragma_update(None, "writable_schema", true)?;
    let changed = conn.execute(
        "UPDATE sqlite_schema SET sql = replace(sql, ?1, ?2) \
         WHERE type = 'table' AND name = ?3 AND instr(sql, ?1) > 0",
        [before, after, table],
    );
    // Other connections and this one read the schema again when the cookie moves.
    conn.pragma_update(None, "schema_version", cookie + 1)?;
    conn.pragma_update(None, "writable_schema", false)?;
    if changed? != 1 {
        anyhow::bail!("the {table} table does not have the expected check");
    }
    Ok(())
}

/// The schema version this binary writes.
pub const CURRENT: i64 = MIGRATIONS.len() as i64;

pub fn migrate(conn: &Connection) -> Result<()> {
    if check_version(conn)? == CURRENT {
        return Ok(());
    }
    conn.execute_batch("BEGIN IMMEDIATE")
        .context("cannot lock the database to migrate it")?;
    let applied = (|| -> Result<()> {
        // Read again under the lock: another cube may have migrated meanwhile.
        let version = check_version(conn)?;
        let fresh = version == 0
            && conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
                r.get::<_, i64>(0)
            })? == 0;
        for (i, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            match migration {
                Migration::Sql(sql) => conn.execute_batch(sql).map_err(Into::into),
                Migration::Code(step) => step(conn),
            }
            .with_context(|| format!("migration {} failed", i + 1))?;
        }
        conn.pragma_update(None, "user_version", CURRENT)?;
        if fresh {
            // Made by this cube from nothing: every page has been clean since
            // (see `scrub.rs`); a file from before has to be scrubbed whole once.
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?1, '1')",
                [super::scrub::PAGES_CLEAN],
            )?;
        }
        Ok(())
    })();
    match applied {
        Ok(()) => conn
            .execute_batch("COMMIT")
            .context("cannot commit the migration"),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// An empty database in memory with the schema of `version`, as cube creates
/// it: what a snapshot of that version must have.
pub fn schema_of(version: i64) -> Result<Connection> {
    let conn = Connection::open_in_memory()?;
    for migration in MIGRATIONS.iter().take(version.clamp(0, CURRENT) as usize) {
        match migration {
            Migration::Sql(sql) => conn.execute_batch(sql)?,
            Migration::Code(step) => step(&conn)?,
        }
    }
    Ok(conn)
}

fn check_version(conn: &Connection) -> Result<i64> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > CURRENT {
        return Err(Failure::failed(format!(
            "the database has schema version {version}, written by a newer cube; this cube knows up to version {CURRENT}"
        ))
        .hint("upgrade cube, or restore a backup made by this version")
        .into());
    }
    Ok(version)
}
