use anyhow::Result;
use clap::Args;

use crate::commands::CommandHelper;
use crate::import::{self, CustomerOptions, OnDuplicate};
use crate::Failure;

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

pub fn run(args: CustomersArgs, cmd: &CommandHelper) -> Result<()> {
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
    let store = cmd.store_or_create()?;
    if let Some(path) = &source.rejects {
        store.site.check_output(path)?;
    }
    let db = &store.db;
    let bar = cmd.ui.progress(None, "rows");
    let progress = |n| bar.inc(n);
    let summary = import::customers(db, &source, &options, store.actor.now, &progress)?;
    bar.finish_and_clear();
    super::report(
        cmd.ui,
        ("customer", "customers"),
        &summary,
        source.dry_run,
        source.rejects.as_ref(),
    )
}
