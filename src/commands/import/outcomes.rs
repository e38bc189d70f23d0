use anyhow::Result;
use clap::Args;

use crate::commands::CommandHelper;
use crate::import;

/// Columns: customer_no or ref, campaign, seller, date, outcome, comment,
/// and optionally product, quantity, unit_price (a sale) and recording (a path
/// relative to the recordings folder).
#[derive(Debug, Args)]
pub struct OutcomesArgs {
    #[command(flatten)]
    pub source: super::SourceArgs,
}

pub fn run(args: OutcomesArgs, cmd: &CommandHelper) -> Result<()> {
    let source = args.source.source()?;
    let store = cmd.store_or_create()?;
    if let Some(path) = &source.rejects {
        store.site.check_output(path)?;
    }
    let db = &store.db;
    let bar = cmd.ui.progress(None, "rows");
    let progress = |n| bar.inc(n);
    let summary = import::outcomes(db, &source, store.recordings(), store.actor.now, &progress)?;
    bar.finish_and_clear();
    super::report(
        cmd.ui,
        ("outcome", "outcomes"),
        &summary,
        source.dry_run,
        source.rejects.as_ref(),
    )
}
