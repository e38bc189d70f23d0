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
    /// Import rows the same as ones already stored (by default they are
    /// skipped, so that a file imported twice doubles nothing)
    #[arg(long)]
    pub allow_duplicates: bool,
    /// Create the campaigns the file names even where an existing campaign
    /// has a close name (otherwise such a row is an error: a typo, most likely)
    #[arg(long)]
    pub new_campaign: bool,
}

pub fn run(args: OutcomesArgs, cmd: &CommandHelper) -> Result<()> {
    let mut source = args.source.source()?;
    source.new_campaign = args.new_campaign;
    let store = super::open_store(cmd, &source)?;
    let (bar, progress) = super::progress_of(cmd, &source);
    let summary = import::outcomes(
        &store.db,
        &source,
        store.recordings(),
        args.allow_duplicates,
        store.actor.now,
        &progress,
    )?;
    bar.finish_and_clear();
    let rows = super::Rows::activity("outcome", "outcomes", args.allow_duplicates);
    super::report(cmd.ui, rows, &summary, &source)
}
