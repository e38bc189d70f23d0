mod customers;
mod history;
mod outcomes;

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};

use crate::commands::{plural, CommandHelper};
use crate::csvio::{parse_delimiter, Encoding};
use crate::import::{Source, Summary};
use crate::ui::Ui;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import customer cards (English or Norwegian headers)
    #[command(after_help = crate::cli::examples::IMPORT_CUSTOMERS)]
    Customers(customers::CustomersArgs),
    /// Import outcomes, each with an optional sale and call recording
    #[command(after_help = crate::cli::examples::IMPORT_OUTCOMES)]
    Outcomes(outcomes::OutcomesArgs),
    /// Import activity history entries
    History(history::HistoryArgs),
}

pub fn run(command: ImportCommand, cmd: &CommandHelper) -> Result<()> {
    match command {
        ImportCommand::Customers(args) => customers::run(args, cmd),
        ImportCommand::Outcomes(args) => outcomes::run(args, cmd),
        ImportCommand::History(args) => history::run(args, cmd),
    }
}

/// The flags every import takes.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// The CSV file, or `-` for standard input
    pub file: PathBuf,
    /// The field delimiter [default: found from the header line: `,` `;` or tab]
    #[arg(long, value_name = "C")]
    pub delimiter: Option<String>,
    /// The file's encoding [default: UTF-8, else Windows-1252]
    #[arg(long)]
    pub encoding: Option<Encoding>,
    /// Import the valid rows and write the invalid ones to --rejects
    #[arg(long, requires = "rejects")]
    pub skip_invalid: bool,
    /// Where --skip-invalid writes the invalid rows, with line and reason
    #[arg(long, value_name = "FILE", requires = "skip_invalid")]
    pub rejects: Option<PathBuf>,
    /// Check and count everything, and change nothing
    #[arg(long)]
    pub dry_run: bool,
}

impl SourceArgs {
    fn source(self) -> Result<Source> {
        let delimiter = self.delimiter.as_deref().map(parse_delimiter).transpose()?;
        Ok(Source {
            path: self.file,
            encoding: self.encoding,
            delimiter,
            rejects: self.rejects,
            dry_run: self.dry_run,
        })
    }
}

/// Prints an import's summary: JSON on stdout, or a sentence on stderr.
fn report(
    ui: &Ui,
    (one, many): (&str, &str),
    summary: &Summary,
    dry_run: bool,
    rejects: Option<&PathBuf>,
) -> Result<()> {
    for name in &summary.created_campaigns {
        ui.detail(&format!("created campaign {name:?}"));
    }
    if ui.json() {
        ui.print_json(summary)?;
    }
    let verb = if dry_run { "would import" } else { "imported" };
    let mut message = format!("{verb} {}", plural(summary.imported, one, many));
    if summary.updated > 0 {
        message.push_str(&format!(", updated {}", summary.updated));
    }
    if summary.skipped > 0 {
        message.push_str(&format!(
            ", skipped {} (customer number taken)",
            summary.skipped
        ));
    }
    if summary.rejected > 0 {
        let to = rejects
            .map(|p| format!(" to {}", p.display()))
            .unwrap_or_default();
        message.push_str(&format!(
            ", rejected {}{to}",
            plural(summary.rejected, "invalid row", "invalid rows")
        ));
    }
    ui.say(&message);
    Ok(())
}
