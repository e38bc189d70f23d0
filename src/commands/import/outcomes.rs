use anyhow::Result;
use clap::Args;

use crate::import;
use crate::ui::Ui;
use crate::Env;

/// Columns: customer_no or cube_id, campaign, seller, date, outcome, comment,
/// and optionally product, quantity, unit_price (a sale) and recording (a path
/// relative to the recordings folder).
#[derive(Debug, Args)]
pub struct OutcomesArgs {
    #[command(flatten)]
    pub source: super::SourceArgs,
}

pub fn run(args: OutcomesArgs, env: &Env, ui: &Ui) -> Result<()> {
    let source = args.source.source()?;
    let (db, path) = crate::commands::open_or_create_db(env)?;
    let recordings = env.recordings_dir(&path);
    let summary = import::outcomes(&db, &source, &recordings, env.now()?, ui)?;
    super::report(
        ui,
        "outcomes",
        &summary,
        source.dry_run,
        source.rejects.as_ref(),
    )
}
