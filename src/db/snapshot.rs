//! Snapshots: what backup and restore need from SQLite.
//!
//! - [`Db::vacuum_into`] writes a consistent copy with live data only (the
//!   online backup API would copy deleted residue verbatim);
//! - [`check`] treats a file as untrusted: it is opened read-only and
//!   immutable (nothing is written beside it), must pass `integrity_check`,
//!   be of a schema version this cube knows, have the tables cube creates for
//!   that version, and nothing cube never makes (triggers, views);
//! - [`Db::into_single_file`] leaves WAL mode before a file is renamed into
//!   place, and [`swap_into_place`] holds the live database's exclusive lock
//!   while it is replaced.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::Serialize;

use super::{migrations, side_files, Db};
use crate::{Failure, Kind};

/// What a snapshot holds.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotInfo {
    pub schema_version: i64,
    pub customers: i64,
    pub anonymized: i64,
}

/// A backup cube wrote, as recorded.
#[derive(Debug, Clone, Serialize)]
pub struct BackupRecord {
    pub path: String,
    pub created_at: String,
    pub sha256: String,
    pub bytes: u64,
    /// The rolling set's folder and how many it keeps.
    pub dir: Option<String>,
    pub keep: Option<u64>,
}

impl Db {
    /// Records a backup just written.
    pub fn record_backup(
        &self,
        path: &Path,
        at: chrono::DateTime<chrono::Utc>,
        sha256: &str,
        bytes: u64,
        set: Option<(&Path, usize)>,
    ) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO backups (path, created_at, sha256, bytes, dir, keep) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(rusqlite::params![
                path.to_string_lossy(),
                super::timestamp(at),
                sha256,
                bytes as i64,
                set.map(|(dir, _)| dir.to_string_lossy().into_owned()),
                // No --keep: a set that keeps everything.
                set.and_then(|(_, keep)| i64::try_from(keep).ok()),
            ])
            .context("cannot record the backup")?;
        Ok(())
    }

    /// Records a backup another database recorded (the one a restore
    /// replaces), unless this one has it.
    pub fn keep_backup_record(&self, b: &BackupRecord) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO backups (path, created_at, sha256, bytes, dir, keep) \
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6 \
                 WHERE NOT EXISTS (SELECT 1 FROM backups WHERE path = ?1 AND sha256 = ?3)",
            )?
            .execute(rusqlite::params![
                b.path,
                b.created_at,
                b.sha256,
                i64::try_from(b.bytes).unwrap_or(i64::MAX),
                b.dir,
                b.keep.and_then(|k| i64::try_from(k).ok()),
            ])
            .context("cannot record a backup")?;
        Ok(())
    }

    /// Every backup cube recorded, oldest first.
    pub fn backups(&self) -> Result<Vec<BackupRecord>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT path, created_at, sha256, bytes, dir, keep FROM backups ORDER BY created_at, id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(BackupRecord {
                    path: r.get(0)?,
                    created_at: r.get(1)?,
                    sha256: r.get(2)?,
                    bytes: r.get(3)?,
                    dir: r.get(4)?,
                    keep: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()
            .context("cannot read the backups")?;
        Ok(rows)
    }

    /// Writes a consistent, compact copy of the database (live data only, no
    /// free space) into `path`, which must not exist or be empty.
    pub fn vacuum_into(&self, path: &Path) -> Result<()> {
        let target = path.to_str().context("the backup path is not UTF-8")?;
        self.conn
            .execute("VACUUM INTO ?1", [target])
            .with_context(|| format!("cannot write a snapshot to {}", path.display()))?;
        Ok(())
    }

    /// Leaves WAL mode, so that the file alone is the whole database (before it
    /// is renamed into place); false if another connection prevents it.
    pub fn into_single_file(&self) -> Result<bool> {
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
        Ok(mode.eq_ignore_ascii_case("delete"))
    }
}

/// Checks an untrusted file: a SQLite database that passes `integrity_check`,
/// of a schema version this cube knows, with the tables cube creates for that
/// version and nothing cube never makes (triggers, views).
pub fn check(path: &Path) -> Result<SnapshotInfo> {
    let bad = |what: &str| -> anyhow::Error {
        Failure::bad_input(format!("{} {what}; nothing was changed", path.display())).into()
    };
    let mut header = [0u8; 16];
    let read = File::open(path)
        .with_context(|| format!("cannot open {}", path.display()))?
        .read(&mut header)?;
    if read < 16 || &header != b"SQLite format 3\0" {
        return Err(bad("is not a SQLite database"));
    }
    let uri = format!("file:{}?mode=ro&immutable=1", uri_path(path));
    let conn = Connection::open_with_flags(
        &uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
    )
    .map_err(|_| bad("cannot be opened as a database"))?;
    conn.execute_batch("PRAGMA trusted_schema = OFF; PRAGMA cell_size_check = ON;")
        .map_err(|_| bad("cannot be opened as a database"))?;
    // The check looks every row up in every index, all over the file: see
    // `Db::integrity_problems`.
    conn.pragma_update(
        None,
        "cache_size",
        -1024 * super::admin::INTEGRITY_CACHE_MIB,
    )
    .map_err(|_| bad("is damaged (its integrity check cannot run)"))?;
    let verdict: String = conn
        .query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))
        .map_err(|_| bad("is damaged (its integrity check cannot run)"))?;
    if verdict != "ok" {
        return Err(bad("is damaged (it fails its integrity check)"));
    }
    let objects = schema_objects(&conn).map_err(|_| bad("is damaged"))?;
    if objects
        .iter()
        .any(|(kind, _)| kind == "trigger" || kind == "view")
    {
        return Err(bad("holds triggers or views, which cube never makes"));
    }
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|_| bad("is damaged"))?;
    if !(1..=migrations::CURRENT).contains(&version) {
        let has_customers = objects
            .iter()
            .any(|(kind, name)| kind == "table" && name == "customers");
        if !has_customers {
            return Err(bad("is not a cube database (it has no customers table)"));
        }
        return Err(bad(&format!(
            "has schema version {version}, which this cube (version {}) does not know",
            migrations::CURRENT
        )));
    }
    let differences = schema_differences(&conn, version).map_err(|_| bad("is damaged"))?;
    if let Some(first) = differences.first() {
        return Err(bad(&format!(
            "is not a database as cube makes it ({first}{})",
            match differences.len() {
                1 => String::new(),
                2 => ", and 1 more difference".to_string(),
                n => format!(", and {} more differences", n - 1),
            }
        )));
    }
    let (customers, anonymized) = conn
        .query_row(
            "SELECT count(*), count(anonymized_at) FROM customers",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(|_| bad("is damaged"))?;
    Ok(SnapshotInfo {
        schema_version: version,
        customers,
        anonymized,
    })
}

impl Db {
    /// How this database's schema differs from the one cube makes for its
    /// version (for `doctor`): a table, column or index more or less.
    pub fn schema_differences(&self) -> Result<Vec<String>> {
        schema_differences(&self.conn, migrations::CURRENT)
    }
}

/// How the schema of `conn` differs from the one cube makes for `version`:
/// every table, column (with its type, NOT NULL and key) and index (with its
/// columns and uniqueness) that one has and the other has not. A table or
/// column cube does not know could hold copies of personal data that no
/// anonymization would touch.
fn schema_differences(conn: &Connection, version: i64) -> Result<Vec<String>> {
    let expected = schema_shape(&migrations::schema_of(version)?)?;
    let found = schema_shape(conn)?;
    let mut differences = Vec::new();
    for (have, lack, say) in [
        (&found, &expected, "it has {}, which cube does not make"),
        (&expected, &found, "it lacks {}"),
    ] {
        let mut items: Vec<&String> = have.difference(lack).collect();
        // Tables first; the columns of a table that is itself a difference
        // add nothing.
        items.retain(|item| {
            let table = item
                .strip_prefix("column ")
                .and_then(|c| c.split_once('.'))
                .map(|(table, _)| format!("table {table}"));
            table.is_none_or(|t| !have.contains(&t) || lack.contains(&t))
        });
        items.sort_by_key(|item| !item.starts_with("table "));
        differences.extend(items.into_iter().map(|item| say.replace("{}", &clip(item))));
    }
    Ok(differences)
}

/// The schema as a set of descriptions: `table customers`, `column
/// customers.name TEXT not null`, `index customers_campaign on customers(campaign_id, stage)`.
fn schema_shape(conn: &Connection) -> rusqlite::Result<std::collections::BTreeSet<String>> {
    let mut shape = std::collections::BTreeSet::new();
    for (kind, name) in schema_objects(conn)? {
        match kind.as_str() {
            "table" => {
                shape.insert(format!("table {name}"));
                let mut stmt = conn.prepare(
                    "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1) ORDER BY cid",
                )?;
                let columns = stmt.query_map([&name], |r| {
                    Ok(format!(
                        "column {name}.{} {}{}{}",
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        if r.get::<_, bool>(2)? {
                            " not null"
                        } else {
                            ""
                        },
                        if r.get::<_, i64>(3)? > 0 { " key" } else { "" },
                    ))
                })?;
                for column in columns {
                    shape.insert(column?);
                }
            }
            "index" => {
                let mut stmt = conn.prepare(
                    "SELECT group_concat(name, ', ') FROM (SELECT name FROM pragma_index_info(?1) ORDER BY seqno)",
                )?;
                let columns: Option<String> = stmt.query_row([&name], |r| r.get(0))?;
                let table: String = conn.query_row(
                    "SELECT tbl_name FROM sqlite_master WHERE name = ?1",
                    [&name],
                    |r| r.get(0),
                )?;
                shape.insert(format!(
                    "index {name} on {table}({})",
                    columns.unwrap_or_default()
                ));
            }
            other => {
                shape.insert(format!("{other} {name}"));
            }
        }
    }
    Ok(shape)
}

/// A name from an untrusted file, cut short for a message.
fn clip(text: &str) -> String {
    match text.char_indices().nth(120) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// (type, name) of every object in the schema but SQLite's own.
fn schema_objects(conn: &Connection) -> rusqlite::Result<Vec<(String, String)>> {
    // The indexes SQLite makes for UNIQUE constraints, its sequence table and
    // ANALYZE's counts are SQLite's own; any other table (sqlite_stat4 keeps
    // sampled values) is compared like cube's.
    let mut stmt = conn.prepare(
        "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_autoindex\\_%' ESCAPE '\\' \
         AND name NOT IN ('sqlite_sequence', 'sqlite_stat1')",
    )?;
    let objects = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect();
    objects
}

fn uri_path(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::new();
    for b in absolute.to_string_lossy().bytes() {
        match b {
            b'%' | b'?' | b'#' => out.push_str(&format!("%{b:02X}")),
            _ => out.push(b as char),
        }
    }
    out
}

/// Replaces the live database by calling `rename` (which moves the new file
/// over `live`), holding the live database's exclusive lock meanwhile so that
/// no other cube is inside it. Its old `-wal` and `-shm` go afterwards.
pub fn swap_into_place(
    live: &Path,
    busy_timeout: Duration,
    rename: impl FnOnce() -> Result<()>,
) -> Result<()> {
    if !live.exists() {
        return rename();
    }
    let conn = Connection::open_with_flags(
        live,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("cannot open {}", live.display()))?;
    conn.busy_timeout(busy_timeout)?;
    // Out of WAL mode, the old file is the whole old database: no -wal of it
    // can be left to be mistaken for the new one's.
    let mode: String = conn
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .unwrap_or_default();
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(Failure::new(
            Kind::Busy,
            "the live database is in use by another program; nothing was changed",
        )
        .hint("stop the other cube commands and try again")
        .into());
    }
    conn.execute_batch("BEGIN EXCLUSIVE")
        .context("cannot lock the live database")?;
    rename()?;
    let _ = conn.execute_batch("ROLLBACK");
    drop(conn);
    let [wal, shm, _] = side_files(live);
    for stale in [wal, shm] {
        let _ = std::fs::remove_file(stale);
    }
    Ok(())
}

/// The backup folders a snapshot (checked by [`check`]) remembers: each may
/// hold a copy of the erasure journal.
pub fn backup_dirs(path: &Path) -> Result<Vec<std::path::PathBuf>> {
    let uri = format!("file:{}?mode=ro&immutable=1", uri_path(path));
    let conn = Connection::open_with_flags(
        &uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
    )?;
    let setting: Option<String> = conn
        .query_row(
            "SELECT value FROM settings WHERE key = ?1",
            [crate::store::BACKUP_DIRS],
            |r| r.get(0),
        )
        .optional()?;
    Ok(crate::store::parse_dirs(setting.as_deref()))
}
