use anyhow::Result;
use clap::Args;

use crate::import;
use crate::ui::Ui;
use crate::Env;

/// Columns: customer_no or cube_id, date, kind (call, email, note, ...), text.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub source: super::SourceArgs,
}

pub fn run(args: HistoryArgs, env: &Env, ui: &Ui) -> Result<()> {
    let source = args.source.source()?;
    let (db, _) = crate::commands::open_or_create_db(env)?;
    let summary = import::history(&db, &source, ui)?;
    super::report(
        ui,
        "history entries",
        &summary,
        source.dry_run,
        source.rejects.as_ref(),
    )
}
