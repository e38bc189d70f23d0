use std::path::PathBuf;

use anyhow::Result;
use chrono::{DateTime, Utc};
use clap::Args;

use crate::commands::CommandHelper;
use crate::db::{ExportFilter, Report};
use crate::export::{self, ExportFormat, ExportOptions, Locale};
use crate::{csvio, flow, validate, Failure};

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to export
    #[arg(value_enum)]
    pub report: Report,
    /// Only this campaign
    #[arg(long, value_name = "CAMPAIGN")]
    pub campaign: Option<String>,
    /// Only this seller (outcomes and sales)
    #[arg(long)]
    pub seller: Option<String>,
    /// From this date (YYYY-MM-DD or DD.MM.YYYY), inclusive
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// To this date, inclusive
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// csv, or xlsx for an Excel workbook
    #[arg(long, value_enum, default_value = "csv")]
    pub format: ExportFormat,
    /// Write for a spreadsheet in this locale: nb-NO gives a BOM, `;`, `1198,00`
    /// and `02.10.2026 14:30` in the --tz time zone
    #[arg(long, value_enum, value_name = "LOCALE")]
    pub locale: Option<Locale>,
    /// The time zone of the times a person reads (with --locale, and in a
    /// workbook) [default: $TZ, else the system's]
    #[arg(long, value_name = "ZONE", value_parser = parse_zone)]
    pub tz: Option<chrono_tz::Tz>,
    /// The CSV field delimiter [default: `,`; `;` with --locale nb-NO]
    #[arg(long, value_name = "C")]
    pub delimiter: Option<String>,
    /// Start the CSV with a byte order mark, so Excel reads it as UTF-8
    /// (always with --locale)
    #[arg(long)]
    pub bom: bool,
    /// Leave cells that look like formulas as they are (for programs, not spreadsheets)
    #[arg(long)]
    pub raw: bool,
    /// Write to this file (complete or not at all) instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: ExportArgs, cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    let delimiter = match (&args.delimiter, args.locale) {
        (Some(delimiter), _) => csvio::parse_delimiter(delimiter)?,
        (None, Some(Locale::NbNo)) => b';',
        (None, None) => b',',
    };
    if args.tz.is_some() && args.locale.is_none() && args.format == ExportFormat::Csv {
        return Err(Failure::refused(
            "--tz goes with --locale or --format xlsx: the plain CSV has RFC 3339 times in UTC, for programs",
        )
        .hint("add --locale nb-NO for local times a person reads")
        .into());
    }
    if args.report == Report::History && args.seller.is_some() {
        return Err(Failure::refused(
            "history has no seller; --seller goes with outcomes and sales",
        )
        .into());
    }
    let day = |value: &str, flag: &str, next: bool| -> Result<DateTime<Utc>> {
        let date = validate::date(value)
            .map_err(|what| Failure::refused(format!("{flag} {value:?} is not {what}")))?;
        let date = if next {
            date.succ_opt().unwrap_or(date)
        } else {
            date
        };
        Ok(date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
    };
    let from = args
        .from
        .as_deref()
        .map(|d| day(d, "--from", false))
        .transpose()?;
    let to = args
        .to
        .as_deref()
        .map(|d| day(d, "--to", true))
        .transpose()?;
    if let (Some(from), Some(to)) = (from, to) {
        if from >= to {
            return Err(Failure::refused(format!(
                "--from {:?} is after --to {:?}: no day is in between",
                args.from.as_deref().unwrap_or_default(),
                args.to.as_deref().unwrap_or_default()
            ))
            .hint("swap them; both days are included")
            .into());
        }
    }
    // Only a report for people needs the zone: a plain CSV never reads it.
    let tz = match args.tz {
        Some(tz) => tz,
        None if args.locale.is_some() || args.format == ExportFormat::Xlsx => {
            cmd.env.time_zone()?
        }
        None => chrono_tz::Tz::UTC,
    };
    let store = cmd.store()?;
    if let Some(path) = &args.output {
        store.site.check_output(path)?;
    }
    let db = &store.db;
    let campaign_id = flow::campaign_filter(db, args.campaign.as_deref())?;
    if let Some(seller) = &args.seller {
        known_seller(db, seller)?;
    }
    let options = ExportOptions {
        report: args.report,
        filter: ExportFilter {
            campaign_id,
            seller: args.seller,
            from,
            to,
            limit: None,
        },
        format: args.format,
        delimiter,
        bom: args.bom || args.locale.is_some(),
        raw: args.raw,
        locale: args.locale,
        tz,
    };
    if options.format == ExportFormat::Xlsx && args.output.is_none() && ui.stdout_is_terminal() {
        return Err(Failure::refused("a workbook is no text for a terminal")
            .hint("write it to a file with -o FILE.xlsx")
            .into());
    }
    let bar = ui.progress(None, "rows");
    let progress = |n| bar.inc(n);
    let count = match &args.output {
        Some(path) => export::export_to_file(db, &options, path, &progress)?,
        None => export::export_to(db, &options, ui.stdout(), &progress)?,
    };
    bar.finish_and_clear();
    let to = match &args.output {
        Some(path) => format!(" to {}", path.display()),
        None => String::new(),
    };
    ui.say(&format!(
        "exported {}{to}",
        super::plural(count, "row", "rows")
    ));
    Ok(())
}

fn parse_zone(text: &str) -> Result<chrono_tz::Tz, String> {
    crate::env::zone(text.trim())
        .ok_or_else(|| "use a name from the zone database, such as Europe/Oslo or UTC".into())
}

/// Refuses a seller no outcome or sale can have: a typo would otherwise
/// give an empty report and exit 0.
fn known_seller(db: &crate::db::Db, seller: &str) -> Result<()> {
    let names: Vec<String> = db.sellers()?.into_iter().map(|(name, _)| name).collect();
    if names.iter().any(|name| name == seller) {
        return Ok(());
    }
    let close = crate::names::suggestions(seller, &names);
    let mut failure = Failure::failed(format!("no seller is named {seller:?}"));
    failure = if close.is_empty() {
        failure.hint("`cube stats` counts the sellers; their names are in `cube export outcomes`")
    } else {
        failure.hint(crate::names::did_you_mean(&close))
    };
    Err(failure.into())
}
