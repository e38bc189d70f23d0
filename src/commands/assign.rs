use anyhow::Result;
use clap::Args;

use crate::commands::CommandHelper;
use crate::{flow, Failure};

#[derive(Debug, Args)]
pub struct AssignArgs {
    /// The campaign whose available customers are handed out
    #[arg(value_name = "CAMPAIGN")]
    pub campaign: String,
    /// The seller's username (created on first use)
    #[arg(long)]
    pub seller: String,
    /// Add the seller even though an existing one has a close name
    #[arg(long)]
    pub new_seller: bool,
    /// How many customers (1 or more)
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub count: u64,
}

pub fn run(args: AssignArgs, cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    let store = cmd.store()?;
    let db = &store.db;
    let names: Vec<String> = db.sellers()?.into_iter().map(|(name, _)| name).collect();
    // `Kari.Nilsen` is `kari.nilsen`, as a campaign's name is in any case.
    let seller = match names
        .iter()
        .find(|name| crate::names::same(name, args.seller.trim()))
    {
        Some(known) => known.as_str(),
        None => args.seller.trim(),
    };
    let new = !names.iter().any(|name| name == seller);
    if new && !args.new_seller {
        // A typo would make a seller of its own, who keeps the customers.
        let close = crate::names::suggestions(seller, &names);
        if !close.is_empty() {
            return Err(Failure::refused(format!("no seller is named {seller:?}"))
                .hint(format!(
                    "{} (or pass --new-seller to add {seller:?})",
                    crate::names::did_you_mean(&close)
                ))
                .into());
        }
    }
    let customers = flow::assign(db, &args.campaign, seller, args.count, store.actor.now)?;
    if ui.json() {
        ui.print_json(&customers)?;
    } else {
        cmd.print_customers(super::ListFormat::Table, &customers)?;
    }
    if new {
        ui.say(&format!("added the seller {seller:?}"));
    }
    ui.say(&format!(
        "assigned {} of campaign {:?} to {}",
        super::plural(customers.len() as u64, "customer", "customers"),
        args.campaign,
        seller
    ));
    Ok(())
}
