use anyhow::Result;
use serde_json::json;

use crate::ui::Ui;
use crate::Env;

pub fn run(env: &Env, ui: &Ui) -> Result<()> {
    let (db, path) = super::open_or_create_db(env)?;
    let version = db.schema_version()?;
    if ui.json() {
        ui.print_json(&json!({ "path": path, "schema_version": version }))?;
    } else {
        ui.say(&format!(
            "database ready: {} (schema version {version})",
            path.display()
        ));
    }
    Ok(())
}
