use anyhow::Result;
use clap::Args;

use crate::commands::CommandHelper;
use crate::import;

/// Columns: customer_no or ref, date, kind (call, email, note, ...), text.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub source: super::SourceArgs,
    /// Import rows the same as ones already stored (by default they are
    /// skipped, so that a file imported twice doubles nothing)
    #[arg(long)]
    pub allow_duplicates: bool,
}

pub fn run(args: HistoryArgs, cmd: &CommandHelper) -> Result<()> {
    let source = args.source.source()?;
    let store = super::open_store(cmd, &source)?;
    let (bar, progress) = super::progress_of(cmd, &source);
    let summary = import::history(
        &store.db,
        &source,
        args.allow_duplicates,
        store.actor.now,
        &progress,
    )?;
    bar.finish_and_clear();
    let rows = super::Rows::activity("history entry", "history entries", args.allow_duplicates);
    super::report(cmd.ui, rows, &summary, &source)
}
