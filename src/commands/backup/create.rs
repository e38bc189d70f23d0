use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use serde_json::json;

use crate::backup;
use crate::commands::CommandHelper;
use crate::Failure;

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("where").required(true).args(["path", "dir"]))]
pub struct CreateArgs {
    /// The snapshot file to write
    pub path: Option<PathBuf>,
    /// Instead: write `cube-<time>.db` into this folder (for cron)
    #[arg(long, value_name = "DIR", conflicts_with = "path")]
    pub dir: Option<PathBuf>,
    /// With --dir: keep only the newest N snapshots there (1 or more)
    #[arg(long, value_name = "N", requires = "dir",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub keep: Option<u64>,
}

pub fn run(args: CreateArgs, cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    let mut store = cmd.store()?;
    let target = match (args.path, args.dir) {
        (Some(path), _) => {
            store.site.check_output(&path)?;
            if path.exists() {
                return Err(
                    Failure::refused(format!("{} exists already", path.display()))
                        .hint("name a new file, or use --dir DIR --keep N for a rolling set")
                        .into(),
                );
            }
            backup::create(&store.db, &path, store.actor.now, None)?;
            path
        }
        (None, Some(dir)) => {
            let keep = args
                .keep
                .map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
            // Remembered first, so that the snapshot names the folder too: a
            // database copied back from it by hand finds the journal's copy
            // there (the restore gate).
            backup::make_dir(&dir)?;
            store.remember_backup_dir(&dir)?;
            backup::create_rolling(&store.db, &dir, keep, store.actor.now)?
        }
        (None, None) => unreachable!("clap requires a path or --dir"),
    };
    if ui.json() {
        ui.print_json(&json!({ "path": target }))?;
    }
    ui.say(&format!("backup written: {}", target.display()));
    Ok(())
}
