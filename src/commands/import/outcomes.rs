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
    /// Create the campaigns the file names even where an existing campaign
    /// has a close name (otherwise such a row is an error: a typo, most likely)
    #[arg(long)]
    pub new_campaign: bool,
}

pub fn run(args: OutcomesArgs, cmd: &CommandHelper) -> Result<()> {
    let mut source = args.source.source()?;
    source.new_campaign = args.new_campaign;
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
        "outcomes",
        &summary,
        source.dry_run,
        source.rejects.as_ref(),
    )
}
