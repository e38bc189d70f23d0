//! `cube scan`: personal data in free text that should not be there, named by
//! where it is, never by its value. Exit 0 when clean, 1 with findings (like
//! `doctor`, so that cron can alert).
//!
//! Findings are written as they are found, so that memory stays flat however
//! many there are: the table's columns have fixed widths, and `--json` writes
//! one finding per line inside its object.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use crate::commands::CommandHelper;
use crate::scan::{self, Counts, Finding, Kind};
use crate::{flow, Failure};

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Only the customers of this campaign, their outcomes, sales and history
    #[arg(long, value_name = "CAMPAIGN")]
    pub campaign: Option<String>,
}

/// The column widths of the text table: every kind, table and field name fits.
const WIDTHS: [usize; 3] = [12, 9, 8];

pub fn run(args: ScanArgs, cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    let store = cmd.store()?;
    let db = &store.db;
    let campaign_id = flow::campaign_filter(db, args.campaign.as_deref())?;
    let json = ui.json();
    let mut out = ui.stdout();
    let mut first = true;
    let bar = ui.progress(None, "texts");
    let summary = scan::scan_store(db, campaign_id, &|n| bar.inc(n), &mut |finding| {
        write_finding(&mut out, json, first, finding)?;
        first = false;
        Ok(())
    })?;
    bar.finish_and_clear();
    let counts = summary.counts;
    if json {
        if first {
            write!(out, "{{\n  \"findings\": [")?;
        } else {
            write!(out, "\n  ")?;
        }
        let counts = serde_json::to_string_pretty(&counts)?.replace('\n', "\n  ");
        writeln!(out, "],\n  \"counts\": {counts}\n}}")?;
    } else if counts.total() > 0 {
        writeln!(out)?;
        writeln!(out, "{:<w$}  count", "kind", w = WIDTHS[0])?;
        for kind in Kind::ALL {
            writeln!(
                out,
                "{:<w$}  {}",
                kind.as_str(),
                counts.get(kind),
                w = WIDTHS[0]
            )?;
        }
    }
    out.flush()?;
    drop(out);

    let texts = super::plural(summary.texts, "text", "texts");
    let scope = match &args.campaign {
        Some(name) => format!(" of campaign {name:?}"),
        None => String::new(),
    };
    if counts.total() == 0 {
        ui.say(&format!("clean: no personal data in {texts}{scope}"));
        return Ok(());
    }
    Err(Failure::failed(format!(
        "{} in {texts}{scope}: {}",
        super::plural(
            counts.total(),
            "finding of personal data",
            "findings of personal data"
        ),
        in_words(&counts)
    ))
    .into())
}

/// One finding: a table row (after the header, for the first), or a JSON
/// object on a line of its own (after the envelope's start, for the first).
fn write_finding(out: &mut impl Write, json: bool, first: bool, finding: &Finding) -> Result<()> {
    if json {
        let start = if first {
            "{\n  \"findings\": [\n"
        } else {
            ",\n"
        };
        write!(out, "{start}    ")?;
        serde_json::to_writer(&mut *out, finding)?;
        return Ok(());
    }
    if first {
        write_row(out, ["kind", "table", "field", "customer"])?;
    }
    write_row(
        out,
        [
            finding.kind.as_str(),
            finding.table,
            finding.field,
            finding.customer.unwrap_or("-"),
        ],
    )
}

/// A line of the table, its columns padded to [`WIDTHS`] and two spaces apart
/// (written as bytes: a scan may write a line for every text it reads).
fn write_row(out: &mut impl Write, cells: [&str; 4]) -> Result<()> {
    const SPACES: &[u8] = b"                ";
    for (cell, width) in cells.iter().zip(WIDTHS) {
        out.write_all(cell.as_bytes())?;
        // Kinds, tables and fields are ASCII.
        let pad = width.saturating_sub(cell.len()) + 2;
        out.write_all(&SPACES[..pad.min(SPACES.len())])?;
    }
    out.write_all(cells[3].as_bytes())?;
    out.write_all(b"\n")?;
    Ok(())
}

/// `1 national id number, 2 phone numbers`: the kinds found, in words.
fn in_words(counts: &Counts) -> String {
    Kind::ALL
        .into_iter()
        .filter(|&kind| counts.get(kind) > 0)
        .map(|kind| {
            let (one, many) = match kind {
                Kind::NationalId => ("national id number", "national id numbers"),
                Kind::Email => ("e-mail address", "e-mail addresses"),
                Kind::Phone => ("phone number", "phone numbers"),
                Kind::BankAccount => ("bank account number", "bank account numbers"),
                Kind::PaymentCard => ("payment card number", "payment card numbers"),
            };
            super::plural(counts.get(kind), one, many)
        })
        .collect::<Vec<_>>()
        .join(", ")
}
