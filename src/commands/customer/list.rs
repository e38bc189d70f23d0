use anyhow::Result;
use clap::Args;

use crate::commands::{print_rows, ListFormat};
use crate::db::{CustomerFilter, CustomerRow, Stage};
use crate::ui::Ui;
use crate::{flow, Env};

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only customers in this campaign
    #[arg(long)]
    pub campaign: Option<String>,
    /// Only customers at this stage
    #[arg(long)]
    pub stage: Option<Stage>,
    /// Only anonymized customers
    #[arg(long, conflicts_with = "not_anonymized")]
    pub anonymized: bool,
    /// Only customers that are not anonymized
    #[arg(long)]
    pub not_anonymized: bool,
    /// At most this many
    #[arg(long)]
    pub limit: Option<u64>,
    /// table, or csv for scripts
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
}

pub fn run(args: ListArgs, env: &Env, ui: &Ui) -> Result<()> {
    let (db, _) = crate::commands::open_db(env)?;
    let campaign_id = match &args.campaign {
        Some(name) => Some(flow::campaign(&db, name)?.id),
        None => None,
    };
    let filter = CustomerFilter {
        campaign_id,
        stage: args.stage,
        anonymized: match (args.anonymized, args.not_anonymized) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
        limit: args.limit,
    };
    let customers = db.list_customers(&filter)?;
    if ui.json() {
        ui.print_json(&customers)?;
    } else {
        print_table(ui, args.format, &customers)?;
    }
    Ok(())
}

/// The customer table that `customer list` and `assign` print. An anonymized
/// customer shows as `Anonymized` with nothing else but its cube id.
pub fn print_table(ui: &Ui, format: ListFormat, customers: &[CustomerRow]) -> Result<()> {
    let rows: Vec<Vec<String>> = customers
        .iter()
        .map(|c| {
            vec![
                c.cube_id.clone(),
                c.customer_no.clone().unwrap_or_default(),
                c.name.clone(),
                c.email.clone(),
                c.phone.clone(),
                c.campaign.clone().unwrap_or_default(),
                c.stage.map(Stage::as_str).unwrap_or_default().to_string(),
                c.seller.clone().unwrap_or_default(),
            ]
        })
        .collect();
    print_rows(
        ui,
        format,
        &[
            "cube_id",
            "customer_no",
            "name",
            "email",
            "phone",
            "campaign",
            "stage",
            "seller",
        ],
        &rows,
    )
}
