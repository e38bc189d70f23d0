//! `cube backup list`: the backups that still hold the database's data.

use anyhow::Result;

use crate::commands::{plural, CommandHelper, ListFormat};
use crate::receipt;

pub fn run(cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    let store = cmd.store()?;
    let backups = receipt::backups_there(&store.db)?;
    if ui.json() {
        ui.print_json(&backups)?;
        return Ok(());
    }
    let rows: Vec<Vec<String>> = backups
        .iter()
        .map(|b| {
            vec![
                b.created_on.clone(),
                b.path.clone(),
                b.sha256.get(..12).unwrap_or("").to_string(),
                match b.rotates_out_after {
                    Some(n) => format!("after {}", plural(n, "backup", "backups")),
                    None => "kept until removed by hand".into(),
                },
            ]
        })
        .collect();
    cmd.print_rows(
        ListFormat::Table,
        &["made", "path", "sha256", "rotates out"],
        &rows,
    )?;
    ui.say(&format!(
        "{} there; each holds the data of its day, the people anonymized since included",
        plural(backups.len() as u64, "backup is", "backups are")
    ));
    Ok(())
}
