use crate::commands::CommandHelper;
use anyhow::Result;
use serde_json::json;

pub fn run(cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    let store = cmd.store_or_create()?;
    let db = &store.db;
    let version = db.schema_version()?;
    if ui.json() {
        ui.print_json(&json!({ "path": store.path(), "schema_version": version }))?;
    } else {
        ui.say(&format!(
            "database ready: {} (schema version {version})",
            store.path().display()
        ));
    }
    Ok(())
}
