use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::commands::CommandHelper;
use crate::db::Stage;
use crate::flow::{self, Selection};

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["customer", "file", "from"]))]
pub struct MoveArgs {
    /// The campaign to move the customers into (must be active)
    #[arg(long, value_name = "CAMPAIGN")]
    pub to: String,
    /// Customers, by reference or customer number (one or more; repeatable)
    #[arg(long, value_name = "REF", num_args = 1..)]
    pub customer: Vec<String>,
    /// A file with one reference or customer number per line (`-` for stdin)
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Every customer of this campaign
    #[arg(long, value_name = "CAMPAIGN")]
    pub from: Option<String>,
    /// With --from: only customers at this stage
    #[arg(long, requires = "from", conflicts_with_all = ["customer", "file"])]
    pub stage: Option<Stage>,
    /// Say what would be moved, and change nothing
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(args: MoveArgs, cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    let selection = if let Some(from) = args.from {
        Selection::From {
            campaign: from,
            stage: args.stage,
        }
    } else if let Some(file) = args.file {
        Selection::Customers(super::helper::read_keys(&file)?)
    } else {
        Selection::Customers(args.customer)
    };
    let store = cmd.store()?;
    let db = &store.db;
    let summary = flow::move_customers(db, &args.to, &selection, args.dry_run, store.actor.now)?;
    if ui.json() {
        ui.print_json(&summary)?;
    }
    let verb = if args.dry_run { "would move" } else { "moved" };
    let mut message = format!(
        "{verb} {} to {:?}",
        super::plural(summary.moved, "customer", "customers"),
        args.to
    );
    if summary.unchanged > 0 {
        message.push_str(&format!(" ({} already there)", summary.unchanged));
    }
    ui.say(&message);
    Ok(())
}
