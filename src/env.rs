//! Everything cube reads from its environment, read in this one place: where the
//! database and recordings are, who the operator is, and what time it is.
//!
//! `CUBE_NOW` (an RFC 3339 time) fixes the clock, and `CUBE_BATCH_SIZE` sets
//! how many customers one anonymization transaction takes. They exist for tests,
//! reproducible demos and tuning; operators never need them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

use crate::store::{Actor, Site};
use crate::Failure;

/// What the command line says about the environment; the rest comes from the
/// process's environment variables.
#[derive(Debug, Default, Clone)]
pub struct EnvOptions {
    pub db: Option<PathBuf>,
    pub recordings_dir: Option<PathBuf>,
    pub operator: Option<String>,
    pub busy_timeout: Duration,
}

pub struct Env {
    /// The database from `--db` or `$CUBE_DB`, if either names one.
    pub explicit_db: Option<PathBuf>,
    /// True when `explicit_db` came from `$CUBE_DB` (not `--db`): the hint
    /// to undo it is `unset CUBE_DB`.
    pub db_from_env: bool,
    /// The platform data folder (`~/.local/share/cube` on Linux).
    pub data_dir: Option<PathBuf>,
    pub recordings_dir: Option<PathBuf>,
    pub operator: String,
    pub busy_timeout: Duration,
    /// Customers per anonymization batch (`$CUBE_BATCH_SIZE`; for tests and tuning).
    pub batch_size: u64,
    now: Option<String>,
}

impl Env {
    pub fn from_process(options: EnvOptions) -> Env {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let db_from_env = options.db.is_none() && var("CUBE_DB").is_some();
        Env {
            explicit_db: options.db.or_else(|| var("CUBE_DB").map(PathBuf::from)),
            db_from_env,
            data_dir: directories::BaseDirs::new().map(|d| d.data_dir().join("cube")),
            recordings_dir: options
                .recordings_dir
                .or_else(|| var("CUBE_RECORDINGS_DIR").map(PathBuf::from)),
            operator: options
                .operator
                .or_else(|| std::env::var("USER").ok())
                .unwrap_or_else(|| "unknown".into()),
            batch_size: std::env::var("CUBE_BATCH_SIZE")
                .ok()
                .and_then(|v| v.parse().ok())
                .filter(|&n| n > 0)
                .unwrap_or(crate::anonymize::DEFAULT_BATCH),
            busy_timeout: options.busy_timeout,
            now: std::env::var("CUBE_NOW").ok(),
        }
    }

    /// The database every command but `demo` works on.
    pub fn db_path(&self) -> Result<PathBuf> {
        self.explicit_db
            .clone()
            .or_else(|| self.data_dir.as_ref().map(|d| d.join("cube.db")))
            .ok_or_else(|| {
                Failure::refused("cannot tell where the database is: no home folder")
                    .hint("pass --db PATH or set CUBE_DB")
                    .into()
            })
    }

    /// The recordings folder: `--recordings-dir`, else `recordings/` beside `db`.
    pub fn recordings_dir(&self, db: &Path) -> PathBuf {
        self.recordings_dir.clone().unwrap_or_else(|| {
            db.parent()
                .unwrap_or_else(|| Path::new("."))
                .join("recordings")
        })
    }

    /// The database's site: its path, journal and recordings folder.
    pub fn site(&self) -> Result<Site> {
        Ok(self.site_at(self.db_path()?))
    }

    /// The site of a database at `path` (the demo's).
    pub fn site_at(&self, path: PathBuf) -> Site {
        let recordings = self.recordings_dir(&path);
        Site::new(path, recordings, self.busy_timeout, self.batch_size)
    }

    /// The operator, and the clock read once.
    pub fn actor(&self) -> Result<Actor> {
        Ok(Actor {
            operator: self.operator.clone(),
            now: self.now()?,
        })
    }

    /// The current time (or `$CUBE_NOW`).
    pub fn now(&self) -> Result<DateTime<Utc>> {
        match &self.now {
            None => Ok(Utc::now()),
            Some(text) => Ok(DateTime::parse_from_rfc3339(text)
                .with_context(|| format!("CUBE_NOW is not an RFC 3339 time: {text:?}"))?
                .with_timezone(&Utc)),
        }
    }
}

/// True when the command line has `--json` (before a `--`): read when clap
/// could not make sense of it, so that a script still gets its error as JSON.
pub fn asks_for_json() -> bool {
    std::env::args_os()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == "--json")
}
