use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;

use crate::anonymize;
use crate::commands::{plural, CommandHelper};
use crate::db::{ExportFilter, Report};
use crate::export::{self, ExportFormat, ExportOptions};
use crate::store::{Access, Store};
use crate::{demo, flow, Failure};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many customers
    #[arg(long, default_value_t = 1000)]
    pub customers: u64,
    /// Seed of the generator: the same seed gives the same data
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write customers.csv and outcomes.csv (2 per customer) into DIR instead
    /// of filling a database: files to import, for benchmarks
    #[arg(long, value_name = "DIR")]
    pub csv: Option<PathBuf>,
}

/// Where the demo goes when no `--db`/`$CUBE_DB` names a file: its own folder
/// beside the default database, so that demo data and demo recordings never
/// mix with real ones.
fn default_demo_path(env: &crate::Env) -> Result<PathBuf> {
    env.data_dir
        .as_ref()
        .map(|d| d.join("demo").join("demo.db"))
        .ok_or_else(|| {
            Failure::refused("cannot tell where to put the demo: no home folder")
                .hint("pass --db PATH")
                .into()
        })
}

pub fn run(args: DemoArgs, cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    if let Some(dir) = &args.csv {
        let bar = ui.progress(Some(args.customers), "customers");
        demo::write_csv(dir, args.customers, args.seed, cmd.actor()?.now, &|i| {
            bar.set_position(i)
        })?;
        bar.finish_and_clear();
        ui.say(&format!(
            "wrote {0}/customers.csv ({1}) and {0}/outcomes.csv ({2}, campaign {3:?})",
            dir.display(),
            plural(args.customers, "customer", "customers"),
            plural(args.customers * 2, "outcome", "outcomes"),
            demo::BENCH_CAMPAIGN
        ));
        return Ok(());
    }
    let env = cmd.env;
    let default = default_demo_path(env).ok();
    // `export CUBE_DB=<the demo>`, as the demo suggests, must not stop it
    // from being made afresh.
    let named = env
        .explicit_db
        .as_ref()
        .filter(|p| Some(*p) != default.as_ref());
    let path = match named {
        Some(path) => {
            if fs::metadata(path).is_ok_and(|m| m.len() > 0) && !is_empty_cube(path) {
                // CUBE_DB names the operator's own database more often than
                // not: the way out is to stop naming it, never to delete it.
                let hint = if env.db_from_env {
                    "`unset CUBE_DB` to make the demo beside the default database, or name a new file with --db"
                } else {
                    "name a new file with --db, or leave out --db to make the demo beside the default database"
                };
                return Err(Failure::refused(format!(
                    "{} exists: the demo only fills a fresh database",
                    path.display()
                ))
                .hint(hint)
                .into());
            }
            path.clone()
        }
        None => {
            let path = default_demo_path(env)?;
            demo::remove(&path)?;
            path
        }
    };
    let explicit = named.is_some();
    let fresh = fs::metadata(&path).map_or(true, |m| m.len() == 0);
    let store = match fill_demo(cmd, &args, &path) {
        Ok(store) => store,
        Err(e) => {
            if fresh {
                // A demo that failed (a recordings folder that is another
                // database's) leaves no half-made database to be refused
                // next time.
                for file in crate::store::database_files(&path) {
                    let _ = fs::remove_file(file);
                }
            }
            return Err(e);
        }
    };
    // Made: what follows only shows it, and a reader that goes away
    // (`cube demo | head`) leaves the database as it is.
    show_the_demo(cmd, &store, &path, explicit)
}

/// True for a cube database with no campaign and no customer (one `cube
/// init` made): the demo may fill it. Read without changing it.
fn is_empty_cube(path: &Path) -> bool {
    let Ok(conn) =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return false;
    };
    conn.query_row(
        "SELECT (SELECT count(*) FROM campaigns) + (SELECT count(*) FROM customers)",
        [],
        |r| r.get::<_, i64>(0),
    )
    .is_ok_and(|n| n == 0)
}

/// Fills the demo database at `path`.
fn fill_demo(cmd: &CommandHelper, args: &DemoArgs, path: &Path) -> Result<Store> {
    let (env, ui) = (cmd.env, cmd.ui);
    let store = env
        .site_at(path.to_path_buf())
        .open(Access::Create, cmd.actor()?)?;
    let (db, recordings) = (&store.db, store.recordings());
    let bar = ui.progress(Some(args.customers), "customers");
    let summary = demo::fill(
        db,
        recordings,
        args.customers,
        args.seed,
        store.actor.now,
        &|i| bar.set_position(i),
    )?;
    bar.finish_and_clear();
    ui.say(&format!(
        "demo database ready: {} ({}, {}, {} in {})",
        path.display(),
        plural(summary.customers, "customer", "customers"),
        plural(summary.outcomes, "outcome", "outcomes"),
        plural(summary.recordings, "recording", "recordings"),
        recordings.display()
    ));
    Ok(store)
}

/// Shows what cube is for on the demo at `path`, and how to go on.
fn show_the_demo(cmd: &CommandHelper, store: &Store, path: &Path, explicit: bool) -> Result<()> {
    let ui = cmd.ui;
    // A reader that goes away (`cube demo | head`) ends what goes to stdout;
    // how to go on, on stderr, is said all the same.
    let shown = show_the_point(cmd, store);
    // Named with --db, the demo is not where the other commands look; nor
    // are its recordings, named with --recordings-dir.
    let recordings = cmd.env.recordings_dir.as_deref().map(shell_quote);
    let cube = if explicit {
        let folder = recordings
            .map(|r| format!(" --recordings-dir {r}"))
            .unwrap_or_default();
        format!("cube --db {}{folder}", shell_quote(path))
    } else {
        let folder = recordings
            .map(|r| format!("\n  export CUBE_RECORDINGS_DIR={r}"))
            .unwrap_or_default();
        ui.say(&format!(
            "\npoint the other commands at the demo with:\n  export CUBE_DB={}{folder}",
            shell_quote(path)
        ));
        "cube".to_string()
    };
    ui.say(&format!(
        "then try:\n  {cube} campaign list --all\n  {cube} archive {:?}      # asks what happens to its customers\n  {cube} export outcomes --campaign {:?}\n  {cube} customer list --campaign {:?} --limit 5",
        demo::CAMPAIGNS[1].0,
        demo::STALE_CAMPAIGN,
        demo::STALE_CAMPAIGN,
    ));
    shown
}

/// What cube is for, on the fresh demo: the stale campaign is archived and its
/// customers anonymized, the counts still add up, and its outcomes read
/// `Anonymized` with their sales intact.
fn show_the_point(cmd: &CommandHelper, store: &Store) -> Result<()> {
    let (db, ui) = (&store.db, cmd.ui);
    ui.say(&format!(
        "\nanonymizing the customers of {:?}, untouched for weeks, as `cube anonymize {:?} --yes` would:",
        demo::STALE_CAMPAIGN,
        demo::STALE_CAMPAIGN
    ));
    let jobs = match anonymize::plan(db, &store.site, demo::STALE_CAMPAIGN, &store.actor)? {
        anonymize::Planned::Job(job) => vec![job],
        anonymize::Planned::Nothing { .. } => Vec::new(),
    };
    let mut reports = cmd.run_jobs(store, jobs)?;
    cmd.report_jobs(store, &mut reports)?;
    ui.say("\ncube stats:");
    cmd.print_stats(db)?;
    if ui.json() {
        return Ok(());
    }
    ui.say(&format!(
        "\ncube export outcomes --campaign {:?} (first lines):",
        demo::STALE_CAMPAIGN
    ));
    let options = ExportOptions {
        report: Report::Outcomes,
        filter: ExportFilter {
            campaign_id: Some(flow::campaign(db, demo::STALE_CAMPAIGN)?.id),
            limit: Some(5),
            ..ExportFilter::default()
        },
        format: ExportFormat::Csv,
        delimiter: b',',
        bom: false,
        raw: false,
        locale: None,
        tz: chrono_tz::Tz::UTC,
    };
    export::export_to(db, &options, ui.stdout(), &|_| {})?;
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
