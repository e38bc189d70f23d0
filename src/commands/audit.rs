use anyhow::Result;
use clap::Args;

use crate::commands::CommandHelper;
use crate::{validate, Failure};

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only entries from this date (YYYY-MM-DD or DD.MM.YYYY) on
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
}

pub fn run(args: AuditArgs, cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    let since = match &args.since {
        None => None,
        Some(text) => {
            let at = validate::date_time(text)
                .map_err(|what| Failure::refused(format!("--since {text:?} is not {what}")))?;
            Some(at)
        }
    };
    let store = cmd.store()?;
    let db = &store.db;
    let entries = db.audit_log(since)?;
    if ui.json() {
        ui.print_json(&entries)?;
        return Ok(());
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.at.clone(),
                e.operator.clone(),
                e.action.clone(),
                e.campaign.clone().unwrap_or_default(),
                e.details.to_string(),
            ]
        })
        .collect();
    ui.table(&["at", "operator", "action", "campaign", "details"], &rows)?;
    Ok(())
}
