use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;

use crate::db::Db;
use crate::ui::Ui;
use crate::{demo, Env, Failure};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many customers
    #[arg(long, default_value_t = 1000)]
    pub customers: u64,
    /// Seed of the generator: the same seed gives the same data
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Where the demo goes when no `--db`/`$CUBE_DB` names a file: its own folder
/// beside the default database, so that demo data and demo recordings never
/// mix with real ones.
fn default_demo_path(env: &Env) -> Result<PathBuf> {
    env.data_dir
        .as_ref()
        .map(|d| d.join("demo").join("demo.db"))
        .ok_or_else(|| {
            Failure::refused("cannot tell where to put the demo: no home folder")
                .hint("pass --db PATH")
                .into()
        })
}

pub fn run(args: DemoArgs, env: &Env, ui: &Ui) -> Result<()> {
    let path = match &env.explicit_db {
        Some(path) => {
            if fs::metadata(path).is_ok_and(|m| m.len() > 0) {
                return Err(Failure::refused(format!(
                    "{} exists: the demo only fills a fresh database",
                    path.display()
                ))
                .hint("remove it, or name another file with --db")
                .into());
            }
            path.clone()
        }
        None => {
            let path = default_demo_path(env)?;
            remove_database(&path)?;
            path
        }
    };
    let db = Db::open(&path, env.busy_timeout)?;
    let recordings = env.recordings_dir(&path);
    let summary = demo::fill(&db, &recordings, args.customers, args.seed, env.now()?, ui)?;
    drop(db);
    ui.say(&format!(
        "demo database ready: {} ({} customers, {} outcomes, {} recordings in {})",
        path.display(),
        summary.customers,
        summary.outcomes,
        summary.recordings,
        recordings.display()
    ));
    if env.explicit_db.is_none() {
        ui.say(&format!(
            "point the other commands at it with:\n  export CUBE_DB={}",
            shell_quote(&path)
        ));
    }
    ui.say(&format!(
        "then try:\n  cube stats\n  cube campaign list\n  cube campaign show {:?}\n  cube customer list --campaign {:?} --limit 5",
        demo::STALE_CAMPAIGN,
        demo::STALE_CAMPAIGN
    ));
    Ok(())
}

/// Removes an earlier demo database, its WAL files and recordings.
fn remove_database(path: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        match fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot remove {}", file.display())),
        }
    }
    if let Some(dir) = path.parent() {
        let recordings = dir.join("recordings");
        if recordings.exists() {
            fs::remove_dir_all(&recordings)
                .with_context(|| format!("cannot remove {}", recordings.display()))?;
        }
    }
    Ok(())
}

fn shell_quote(path: &Path) -> String {
    let text = path.display().to_string();
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-~".contains(c))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}
