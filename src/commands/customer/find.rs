use anyhow::Result;
use clap::Args;

use crate::commands::{plural, CommandHelper, ListFormat};
use crate::Failure;

#[derive(Debug, Args)]
pub struct FindArgs {
    /// A name (any case, with or without accents), e-mail, phone number (in
    /// any formatting), customer number or reference
    pub text: String,
    /// At most this many
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub limit: u64,
}

pub fn run(args: FindArgs, cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    if args.text.trim().is_empty() {
        return Err(Failure::refused("nothing to find: the text is empty")
            .hint("give a name, e-mail, phone number, customer number or reference")
            .into());
    }
    let store = cmd.store()?;
    let found = store.db.find_customers(&args.text, args.limit as usize)?;
    if ui.json() {
        ui.print_json(&found.customers)?;
    } else if !found.customers.is_empty() {
        cmd.print_customers(ListFormat::Table, &found.customers)?;
    }
    let text = args.text.trim();
    ui.say(&match (found.customers.len(), found.more) {
        (0, _) => format!("no customer matches {text:?} (anonymized customers never do)"),
        (n, false) => format!(
            "{} {text:?}",
            plural(n as u64, "customer matches", "customers match")
        ),
        (n, true) => format!(
            "the first {} matching {text:?}; there are more: type more of it, or raise --limit",
            plural(n as u64, "customer", "customers")
        ),
    });
    Ok(())
}
