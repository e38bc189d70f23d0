//! Everything cube reads from its environment, read in this one place: where the
//! database and recordings are, who the operator is, and what time it is.
//!
//! `CUBE_NOW` (an RFC 3339 time) fixes the clock, and `CUBE_BATCH_SIZE` sets
//! the most customers one anonymization transaction takes. They exist for tests,
//! reproducible demos and tuning; operators never need them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

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
    /// The most customers per anonymization batch (`$CUBE_BATCH_SIZE`; for tests and tuning).
    pub batch_size: u64,
    now: Option<String>,
    /// `$TZ`, if set.
    tz: Option<String>,
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
                // cron sets LOGNAME, and not always USER.
                .or_else(|| {
                    let name = var("USER").or_else(|| var("LOGNAME"))?;
                    Some(name.to_string_lossy().into_owned())
                })
                .unwrap_or_else(|| "unknown".into()),
            batch_size: std::env::var("CUBE_BATCH_SIZE")
                .ok()
                .and_then(|v| v.parse().ok())
                .filter(|&n| n > 0)
                .unwrap_or(crate::anonymize::DEFAULT_BATCH),
            busy_timeout: options.busy_timeout,
            now: std::env::var("CUBE_NOW").ok(),
            tz: std::env::var("TZ").ok().filter(|v| !v.is_empty()),
        }
    }

    /// The operator's time zone: `$TZ` (an IANA name such as `Europe/Oslo`),
    /// else the system's (`/etc/localtime`, a link into the zone database,
    /// or Debian's `/etc/timezone`), else UTC. A `$TZ` cube cannot read (a
    /// POSIX rule such as `CET-1CEST`) is refused rather than guessed at.
    pub fn time_zone(&self) -> Result<Tz> {
        if let Some(text) = &self.tz {
            let name = text.strip_prefix(':').unwrap_or(text);
            return zone(name).ok_or_else(|| {
                Failure::refused(format!("TZ is {text:?}, which is no time zone cube knows"))
                    .hint("pass --tz with a name from the zone database, such as Europe/Oslo")
                    .into()
            });
        }
        let linked = std::fs::read_link("/etc/localtime")
            .ok()
            .and_then(|target| zone(&target.to_string_lossy()));
        let named = || {
            std::fs::read_to_string("/etc/timezone")
                .ok()
                .and_then(|text| zone(text.trim()))
        };
        Ok(linked.or_else(named).unwrap_or(Tz::UTC))
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

/// The time now, never before `started` (the command's clock), or
/// `started` itself when `$CUBE_NOW` fixes the clock.
pub fn clock_from(started: DateTime<Utc>) -> DateTime<Utc> {
    if std::env::var_os("CUBE_NOW").is_some() {
        started
    } else {
        Utc::now().max(started)
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

/// The zone named `name`, or by a path into the zone database
/// (`/usr/share/zoneinfo/Europe/Oslo`, `../usr/share/zoneinfo/posix/UTC`).
pub fn zone(name: &str) -> Option<Tz> {
    let name = match name.rsplit_once("zoneinfo/") {
        Some((_, rest)) => rest
            .strip_prefix("posix/")
            .or_else(|| rest.strip_prefix("right/"))
            .unwrap_or(rest),
        None => name,
    };
    name.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_are_found_by_name_or_by_their_file() {
        assert_eq!(zone("Europe/Oslo"), Some(chrono_tz::Europe::Oslo));
        assert_eq!(
            zone("/usr/share/zoneinfo/Europe/Oslo"),
            Some(chrono_tz::Europe::Oslo)
        );
        assert_eq!(zone("../usr/share/zoneinfo/posix/UTC"), Some(Tz::UTC));
        assert_eq!(zone("CET-1CEST,M3.5.0,M10.5.0/3"), None);
        assert_eq!(zone(""), None);
    }

    #[test]
    fn an_import_stamps_the_time_its_write_began_never_before_its_start() {
        // Unit tests run without $CUBE_NOW: the clock is the real one.
        if std::env::var_os("CUBE_NOW").is_some() {
            return;
        }
        let started = Utc::now() - chrono::Duration::minutes(5);
        let began = clock_from(started);
        assert!(began > started + chrono::Duration::minutes(4), "{began}");
        let ahead = Utc::now() + chrono::Duration::hours(1);
        assert_eq!(clock_from(ahead), ahead);
    }
}
