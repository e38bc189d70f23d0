mod customers;
mod history;
mod outcomes;

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};

use crate::commands::CommandHelper;
use crate::csvio::{parse_delimiter, Encoding};
use crate::import::{Mapped, Source, Summary};
use crate::ui::Ui;
use crate::validate::Dates;
use crate::Failure;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import customer cards (English or Norwegian headers)
    Customers(customers::CustomersArgs),
    /// Import outcomes, each with an optional sale and call recording
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
    /// The CSV file or workbook (.xlsx, .xls, .ods), or `-` for standard input
    pub file: PathBuf,
    /// A workbook's sheet to read [default: the first]
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// The line (a workbook's row) that holds the header, when a title or
    /// notes come first [default: the first line that is not blank]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub header_row: Option<u64>,
    /// How the file writes dates, as strftime (e.g. %m/%d/%Y); YYYY-MM-DD and
    /// DD.MM.YYYY are read too
    #[arg(long, value_name = "FORMAT")]
    pub date_format: Option<String>,
    /// The field delimiter of a CSV file [default: found from the header
    /// line: `,` `;` or tab]
    #[arg(long, value_name = "C")]
    pub delimiter: Option<String>,
    /// The CSV file's encoding [default: UTF-8, else Windows-1252]
    #[arg(long)]
    pub encoding: Option<Encoding>,
    /// Import the valid rows and write the invalid ones to --rejects
    #[arg(long, requires = "rejects")]
    pub skip_invalid: bool,
    /// Where --skip-invalid writes the invalid rows, with line and reason
    #[arg(long, value_name = "FILE", requires = "skip_invalid")]
    pub rejects: Option<PathBuf>,
    /// Check and count everything, show what each column is read as, and
    /// change nothing
    #[arg(long)]
    pub dry_run: bool,
}

impl SourceArgs {
    fn source(self) -> Result<Source> {
        let delimiter = self.delimiter.as_deref().map(parse_delimiter).transpose()?;
        let dates = Dates::new(self.date_format.as_deref()).map_err(|message| {
            Failure::refused(message).hint("e.g. --date-format %m/%d/%Y for 12/24/1980")
        })?;
        Ok(Source {
            path: self.file,
            encoding: self.encoding,
            delimiter,
            sheet: self.sheet,
            header_row: self.header_row,
            dates,
            rejects: self.rejects,
            dry_run: self.dry_run,
            new_campaign: false,
        })
    }
}

/// Prints an import's summary: JSON on stdout, or a sentence on stderr.
fn report(
    ui: &Ui,
    what: &str,
    summary: &Summary,
    dry_run: bool,
    rejects: Option<&PathBuf>,
) -> Result<()> {
    for name in &summary.created_campaigns {
        ui.detail(&format!("created campaign {name:?}"));
    }
    if let Some(mapping) = &summary.mapping {
        ui.say("columns:");
        for column in mapping {
            ui.say(&format!("  {}", mapping_line(column)));
        }
    }
    if ui.json() {
        ui.print_json(summary)?;
    }
    let verb = if dry_run { "would import" } else { "imported" };
    let mut message = format!("{verb} {} {what}", summary.imported);
    if summary.updated > 0 {
        message.push_str(&format!(", updated {}", summary.updated));
    }
    if summary.skipped > 0 {
        message.push_str(&format!(
            ", skipped {} (customer number taken)",
            summary.skipped
        ));
    }
    if summary.blank > 0 {
        let rows = if summary.blank == 1 { "row" } else { "rows" };
        message.push_str(&format!(", skipped {} blank {rows}", summary.blank));
    }
    if summary.rejected > 0 {
        let to = rejects
            .map(|p| format!(" to {}", p.display()))
            .unwrap_or_default();
        message.push_str(&format!(", rejected {} invalid rows{to}", summary.rejected));
    }
    ui.say(&message);
    Ok(())
}

/// One column of a dry run's mapping: `"Mobil" → phone where "Telefon" is
/// empty, else extra`.
fn mapping_line(column: &Mapped) -> String {
    let mut line = format!("{:?} → {}", column.column, column.field);
    if !column.unless.is_empty() {
        let before: Vec<String> = column.unless.iter().map(|c| format!("{c:?}")).collect();
        let (them, be) = match before.as_slice() {
            [one] => (one.clone(), "is"),
            more => (more.join(" and "), "are"),
        };
        line.push_str(&format!(" where {them} {be} empty, else extra"));
    }
    line
}
