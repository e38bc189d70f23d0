use anyhow::Result;
use clap::Args;

use crate::commands::CommandHelper;
use crate::import::{self, CustomerOptions, OnDuplicate};
use crate::Failure;

#[derive(Debug, Args)]
pub struct CustomersArgs {
    #[command(flatten)]
    pub source: super::SourceArgs,
    /// Place the new customers in this campaign (whatever the case of its
    /// name; created if missing, unless an existing name is close to it), and
    /// move the ones --on-duplicate update updates into it
    #[arg(long, value_name = "CAMPAIGN")]
    pub campaign: Option<String>,
    /// Create the campaign even when an existing one has a close name
    #[arg(long, requires = "campaign")]
    pub new_campaign: bool,
    /// Map a column to a card field: name, first_name, last_name, customer_no,
    /// email, phone, address, postal_code, city, birth_date, company, notes,
    /// extra or ignore (repeatable)
    #[arg(long, value_name = "COLUMN=FIELD")]
    pub map: Vec<String>,
    /// What to do with a row that is a customer already there: the same
    /// customer number, or without one the same e-mail, else phone
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
    let mut source = args.source.source()?;
    source.new_campaign = args.new_campaign;
    let store = super::open_store(cmd, &source)?;
    let (bar, progress) = super::progress_of(cmd, &source);
    let summary = import::customers(&store.db, &source, &options, store.actor.now, &progress)?;
    bar.finish_and_clear();
    let rows = super::Rows {
        one: "customer",
        many: "customers",
        skipped: "already customers",
        allow_duplicates: false,
    };
    super::report(cmd.ui, rows, &summary, &source)
}
