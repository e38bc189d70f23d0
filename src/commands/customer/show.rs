use anyhow::Result;
use clap::Args;
use serde_json::json;

use crate::commands::CommandHelper;
use crate::db::Stage;
use crate::Failure;

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A reference (see `customer list`) or customer number
    #[arg(value_name = "REF")]
    pub id: String,
}

pub fn run(args: ShowArgs, cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    let store = cmd.store()?;
    let db = &store.db;
    let found = db.find_customer(args.id.trim())?.ok_or_else(|| {
        Failure::failed(format!(
            "no customer has the reference or customer number {:?}",
            args.id
        ))
    })?;
    let view = db.customer_view(found.id)?;
    if let Some(at) = &view.anonymized_at {
        // Nothing of the card is shown, not even the blanked fields.
        if ui.json() {
            ui.print_json(
                &json!({ "ref": view.reference, "name": "Anonymized", "anonymized_at": at }),
            )?;
        } else {
            ui.table(
                &["customer", ""],
                &[
                    vec!["ref".into(), view.reference.clone()],
                    vec!["name".into(), "Anonymized".into()],
                    vec![
                        "anonymized".into(),
                        format!("this customer was anonymized at {at}"),
                    ],
                ],
            )?;
        }
        return Ok(());
    }
    if ui.json() {
        ui.print_json(&view)?;
        return Ok(());
    }
    let card = &view.card;
    let mut rows = vec![
        ("ref", view.reference.clone()),
        ("customer_no", card.customer_no.clone().unwrap_or_default()),
        ("name", card.name.clone()),
        ("email", card.email.clone()),
        ("phone", card.phone.clone()),
        ("address", card.address.clone()),
        ("postal_code", card.postal_code.clone()),
        ("city", card.city.clone()),
        ("birth_date", card.birth_date.clone()),
        ("company", card.company.clone()),
        ("notes", card.notes.clone()),
        ("campaign", view.campaign.clone().unwrap_or_default()),
        (
            "stage",
            view.stage
                .map(Stage::as_str)
                .unwrap_or_default()
                .to_string(),
        ),
        ("seller", view.seller.clone().unwrap_or_default()),
        ("created", view.created_at.clone()),
        ("updated", view.updated_at.clone()),
    ];
    let extra: Vec<(String, String)> = card
        .extra
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    let mut table: Vec<Vec<String>> = rows
        .drain(..)
        .map(|(k, v)| vec![k.to_string(), v])
        .collect();
    table.extend(extra.into_iter().map(|(k, v)| vec![k, v]));
    ui.table(&["customer", ""], &table)?;
    Ok(())
}
