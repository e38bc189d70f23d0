use anyhow::Result;
use clap::Args;

use crate::commands::CommandHelper;
use crate::import;

/// Columns: customer_no or ref, date, kind (call, email, note, ...), text.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub source: super::SourceArgs,
}

pub fn run(args: HistoryArgs, cmd: &CommandHelper) -> Result<()> {
    let source = args.source.source()?;
    let store = cmd.store_or_create()?;
    if let Some(path) = &source.rejects {
        store.site.check_output(path)?;
    }
    let db = &store.db;
    let bar = cmd.ui.progress(None, "rows");
    let progress = |n| bar.inc(n);
    let summary = import::history(db, &source, &progress)?;
    bar.finish_and_clear();
    super::report(
        cmd.ui,
        ("history entry", "history entries"),
        &summary,
        source.dry_run,
        source.rejects.as_ref(),
    )
}
