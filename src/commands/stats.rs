use anyhow::Result;

use crate::db::Db;
use crate::ui::Ui;
use crate::Env;

pub fn run(env: &Env, ui: &Ui) -> Result<()> {
    let (db, _) = super::open_db(env)?;
    print(&db, ui)
}

/// Prints the counts as a table, or as JSON with `--json`.
pub fn print(db: &Db, ui: &Ui) -> Result<()> {
    let stats = db.stats()?;
    if ui.json() {
        ui.print_json(&stats)?;
        return Ok(());
    }
    let amount = crate::export::money_text(stats.sales_amount);
    let rows = [
        ("Customers", stats.customers.to_string()),
        (
            "Anonymized customers in the dataset",
            stats.anonymized.to_string(),
        ),
        ("Active campaigns", stats.active_campaigns.to_string()),
        ("Archived campaigns", stats.archived_campaigns.to_string()),
        ("Sellers", stats.sellers.to_string()),
        ("Outcomes", stats.outcomes.to_string()),
        ("Sales", stats.sales.to_string()),
        ("Sales amount", amount),
        ("History entries", stats.history.to_string()),
        ("Recordings", stats.recordings.to_string()),
    ];
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|(k, v)| vec![k.to_string(), v])
        .collect();
    ui.table(&["what", "count"], &rows)?;
    Ok(())
}
