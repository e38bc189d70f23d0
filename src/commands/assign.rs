use anyhow::Result;
use clap::Args;

use crate::commands::CommandHelper;
use crate::flow;

#[derive(Debug, Args)]
pub struct AssignArgs {
    /// The campaign whose available customers are handed out
    #[arg(value_name = "CAMPAIGN")]
    pub campaign: String,
    /// The seller's username (created on first use)
    #[arg(long)]
    pub seller: String,
    /// How many customers
    #[arg(long, default_value_t = 10)]
    pub count: u64,
}

pub fn run(args: AssignArgs, cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    let store = cmd.store()?;
    let db = &store.db;
    let customers = flow::assign(
        db,
        &args.campaign,
        &args.seller,
        args.count,
        store.actor.now,
    )?;
    if ui.json() {
        ui.print_json(&customers)?;
    } else {
        cmd.print_customers(super::ListFormat::Table, &customers)?;
    }
    ui.say(&format!(
        "assigned {} of campaign {:?} to {}",
        super::plural(customers.len() as u64, "customer", "customers"),
        args.campaign,
        args.seller
    ));
    Ok(())
}
