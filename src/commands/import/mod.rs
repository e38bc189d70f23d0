mod customers;
mod history;
mod outcomes;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use crate::commands::helper::plural;
use crate::commands::CommandHelper;
use crate::csvio::{parse_delimiter, Encoding};
use crate::import::{Mapped, Source, Summary};
use crate::store::Store;
use crate::ui::Ui;
use crate::validate::Dates;
use crate::Failure;

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
    /// The time zone of times the file writes without one (as a clock on the
    /// wall in Oslo shows them: Europe/Oslo) [default: UTC]
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<chrono_tz::Tz>,
    /// The field delimiter of a CSV file [default: found from the header
    /// line: `,` `;` or tab]
    #[arg(long, value_name = "C")]
    pub delimiter: Option<String>,
    /// The CSV file's encoding [default: UTF-8, else Windows-1252]
    #[arg(long)]
    pub encoding: Option<Encoding>,
    /// Import the valid rows and write the invalid ones to --rejects
    /// (a dry run needs no --rejects)
    #[arg(long)]
    pub skip_invalid: bool,
    /// Where --skip-invalid writes the invalid rows, with line and reason
    #[arg(long, value_name = "FILE", requires = "skip_invalid")]
    pub rejects: Option<PathBuf>,
    /// Check and count everything, show what each column is read as, and
    /// change nothing (no file written)
    #[arg(long)]
    pub dry_run: bool,
}

impl SourceArgs {
    fn source(self) -> Result<Source> {
        if self.skip_invalid && self.rejects.is_none() && !self.dry_run {
            return Err(Failure::refused(
                "--skip-invalid needs --rejects FILE, where the invalid rows are written",
            )
            .hint("add --rejects FILE, or --dry-run to see what would be rejected")
            .into());
        }
        let delimiter = self.delimiter.as_deref().map(parse_delimiter).transpose()?;
        let dates = Dates::new(self.date_format.as_deref())
            .map_err(|message| {
                Failure::refused(message).hint("e.g. --date-format %m/%d/%Y for 12/24/1980")
            })?
            .in_zone(self.tz);
        Ok(Source {
            path: self.file,
            encoding: self.encoding,
            delimiter,
            sheet: self.sheet,
            header_row: self.header_row,
            dates,
            skip_invalid: self.skip_invalid,
            rejects: self.rejects,
            dry_run: self.dry_run,
            new_campaign: false,
            bytes_read: Default::default(),
        })
    }
}

/// The database, created if there is none (saying so, with its path), and
/// the rejects file checked against it. An input that cannot be opened
/// makes no database; neither does a dry run, which works in a new one that
/// it removes when done (a mistyped `--db` leaves nothing behind).
fn open_store(cmd: &CommandHelper, source: &Source) -> Result<Target> {
    if source.path.as_os_str() != "-" {
        std::fs::File::open(&source.path)
            .with_context(|| format!("cannot open {}", source.path.display()))?;
    }
    let path = cmd.site()?.path;
    let new = !path.exists();
    let made = if new && source.dry_run {
        made_by_opening(&path)
    } else {
        Vec::new()
    };
    let store = cmd.store_or_create()?;
    if new && !source.dry_run {
        cmd.ui.say(&format!(
            "created a new database at {}",
            store.path().display()
        ));
    }
    let target = Target {
        store: Some(store),
        made,
    };
    if let Some(path) = &source.rejects {
        target.site.check_output(path)?;
    }
    Ok(target)
}

/// What opening a new database at `path` makes: the file and its side
/// files, and the folders beside it that are not there yet (deepest first).
fn made_by_opening(path: &Path) -> Vec<PathBuf> {
    let mut made = crate::store::database_files(path);
    if let Some(folder) = path.parent().filter(|f| !f.as_os_str().is_empty()) {
        let temps = folder.join(".cube-temps");
        if !temps.exists() {
            made.push(temps);
        }
        let mut missing: Vec<PathBuf> = folder
            .ancestors()
            .take_while(|f| !f.as_os_str().is_empty() && !f.exists())
            .map(Path::to_path_buf)
            .collect();
        made.append(&mut missing);
    }
    made
}

/// The database an import writes to, and what to remove once it is closed
/// (see [`open_store`]).
struct Target {
    store: Option<Store>,
    made: Vec<PathBuf>,
}

impl std::ops::Deref for Target {
    type Target = Store;
    fn deref(&self) -> &Store {
        match &self.store {
            Some(store) => store,
            None => unreachable!("the store is taken only when the target is dropped"),
        }
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        drop(self.store.take());
        for path in &self.made {
            // A folder goes only if empty; anything not there is fine.
            let _ = std::fs::remove_file(path).or_else(|_| std::fs::remove_dir(path));
        }
    }
}

/// How an import's summary names its rows: one, many, why some were
/// skipped, and whether rows already there are imported again.
struct Rows {
    one: &'static str,
    many: &'static str,
    skipped: &'static str,
    allow_duplicates: bool,
}

impl Rows {
    /// Outcomes or history entries, skipped when the same are stored.
    fn activity(one: &'static str, many: &'static str, allow_duplicates: bool) -> Rows {
        Rows {
            one,
            many,
            skipped: "already imported",
            allow_duplicates,
        }
    }
}

/// The bar of an import and how to move it: by the bytes read of a file
/// whose size is known (a percentage and time left), else by rows.
pub(super) fn progress_of(
    cmd: &CommandHelper,
    source: &Source,
) -> (indicatif::ProgressBar, impl Fn(u64) + use<>) {
    let size = (source.path.as_os_str() != "-")
        .then(|| std::fs::metadata(&source.path).ok())
        .flatten()
        .map(|m| m.len())
        .filter(|&n| n > 0);
    let bar = match size {
        Some(size) => cmd.ui.progress_bytes(size),
        None => cmd.ui.progress(None, "rows"),
    };
    let read = source.bytes_read.clone();
    let moved = bar.clone();
    let progress = move |rows: u64| match size {
        Some(_) => moved.set_position(read.load(std::sync::atomic::Ordering::Relaxed)),
        None => moved.inc(rows),
    };
    (bar, progress)
}

/// Prints an import's summary: JSON on stdout, or a sentence on stderr.
/// A file imported before is a warning first.
fn report(ui: &Ui, rows: Rows, summary: &Summary, source: &Source) -> Result<()> {
    for name in &summary.created_campaigns {
        ui.detail(&format!("created campaign {name:?}"));
    }
    if let Some(before) = &summary.imported_before {
        let again = if rows.allow_duplicates {
            "--allow-duplicates imports them again".to_string()
        } else {
            format!("{} already there are skipped", rows.many)
        };
        ui.warn(&format!(
            "this file was imported on {} ({}); {again}",
            before.on,
            plural(before.rows, "row", "rows"),
        ));
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
    let verb = if source.dry_run {
        "would import"
    } else {
        "imported"
    };
    let mut message = format!("{verb} {}", plural(summary.imported, rows.one, rows.many));
    if summary.updated > 0 {
        message.push_str(&format!(", updated {}", summary.updated));
        if let (n @ 1.., Some(campaign)) = (summary.moved, &summary.campaign) {
            message.push_str(&format!(" ({n} of them moved into {campaign:?})"));
        }
    }
    if summary.skipped > 0 {
        message.push_str(&format!(", skipped {} ({})", summary.skipped, rows.skipped));
    }
    if summary.blank > 0 {
        let blank = plural(summary.blank, "blank row", "blank rows");
        message.push_str(&format!(", skipped {blank}"));
    }
    if summary.rejected > 0 {
        let to = match &source.rejects {
            Some(path) if !source.dry_run => format!(" to {}", path.display()),
            _ => String::new(),
        };
        message.push_str(&format!(
            ", {} {}{to}",
            if source.dry_run {
                "would reject"
            } else {
                "rejected"
            },
            plural(summary.rejected, "invalid row", "invalid rows")
        ));
    }
    if summary.rejected > 0 && !source.dry_run && ui.quiet() {
        ui.partly(&message);
    } else {
        ui.say(&message);
    }
    for reason in &summary.reasons {
        ui.say(&format!("  {reason}"));
    }
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
