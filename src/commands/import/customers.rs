use anyhow::Result;
use clap::Args;

use crate::import::{self, CustomerOptions, OnDuplicate};
use crate::ui::Ui;
use crate::{Env, Failure};

#[derive(Debug, Args)]
pub struct CustomersArgs {
    #[command(flatten)]
    pub source: super::SourceArgs,
    /// Place the new customers in this campaign (created if missing)
    #[arg(long)]
    pub campaign: Option<String>,
    /// Map a column to a card field: name, first_name, last_name, customer_no,
    /// email, phone, address, postal_code, city, birth_date, company, notes,
    /// extra or ignore (repeatable)
    #[arg(long, value_name = "COLUMN=FIELD")]
    pub map: Vec<String>,
    /// What to do with a customer number another customer has
    #[arg(long, value_enum, default_value_t)]
    pub on_duplicate: OnDuplicate,
}

pub fn run(args: CustomersArgs, env: &Env, ui: &Ui) -> Result<()> {
    let maps = args
        .map
        .iter()
        .map(|m| match m.split_once('=') {
            Some((column, field)) => Ok((column.to_string(), field.trim().to_string())),
            None => Err(Failure::refused(format!("--map {m:?}: use COLUMN=FIELD"))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let options = CustomerOptions {
        campaign: args.campaign,
        maps,
        on_duplicate: args.on_duplicate,
    };
    let source = args.source.source()?;
    let (db, _) = crate::commands::open_or_create_db(env)?;
    let summary = import::customers(&db, &source, &options, env.now()?, ui)?;
    super::report(
        ui,
        "customers",
        &summary,
        source.dry_run,
        source.rejects.as_ref(),
    )
}
