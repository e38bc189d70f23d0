//! `cube doctor`: integrity and residue checks. Exit 0 when healthy, 1 with
//! the list of findings otherwise. `--repair` mends what needs no decision:
//! the kept counts, counted again from the data. `--scrub` first rewrites
//! the file without free space.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use anyhow::Result;
use clap::Args;
use serde_json::json;

use crate::anonymize::missing_erasures;
use crate::commands::CommandHelper;
use crate::db::{side_files, JobState};
use crate::{recordings, Failure, Kind};

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// First rewrite the whole database file without free space (VACUUM),
    /// for a file another program wrote to or an older cube made: from then
    /// on the scrub of each anonymization covers only the pages it wrote
    #[arg(long)]
    pub scrub: bool,
    /// Repair the counts that stats and the campaign list keep, where they
    /// differ from the data, by counting again (the other findings say what
    /// to do about them)
    #[arg(long)]
    pub repair: bool,
}

/// How many kept counts that differ are listed one by one.
const MAX_COUNTS_LISTED: usize = 10;

pub fn run(args: DoctorArgs, cmd: &CommandHelper) -> Result<()> {
    let ui = cmd.ui;
    let store = cmd.store_ungated()?;
    let db = &store.db;
    if args.scrub {
        let tidy = db.scrub_whole(db.busy_timeout())?;
        if !tidy.checkpointed {
            return Err(Failure::new(
                Kind::Busy,
                "the database was rewritten, but another program is reading it, so its old file may still be in the WAL",
            )
            .hint("run `cube doctor --scrub` again when the other program has finished")
            .into());
        }
        ui.say(&format!(
            "scrubbed the whole database file ({} pages)",
            tidy.pages
        ));
    }
    let mut findings = db.integrity_problems()?;
    if !db.pages_known_clean()? {
        findings.push(
            "the database file may hold old values in its free space (an older cube made it, or another program wrote to it): run `cube doctor --scrub`; the next anonymization does it otherwise".to_string(),
        );
    }
    let leftovers = crate::temps::leftovers().len();
    if leftovers > 0 {
        findings.push(format!(
            "{} left by cube commands that were stopped (copies of personal data): the next cube command removes them",
            super::plural(leftovers as u64, "temporary file", "temporary files")
        ));
    }
    let schema = db.schema_differences()?;
    // A schema cube did not make may lack the counts' tables: that is the finding.
    let counts = match schema.is_empty() {
        true => db.count_differences()?,
        false => Vec::new(),
    };
    findings.extend(schema.into_iter().map(|d| format!("schema: {d}")));
    let mut repaired = Vec::new();
    if args.repair && !counts.is_empty() {
        let tx = db.begin()?;
        tx.recount()?;
        tx.commit()?;
        ui.say(&format!(
            "repaired: counted the data again, where {} differed",
            super::plural(counts.len() as u64, "kept count", "kept counts")
        ));
        repaired = counts;
    } else {
        let listed = counts.len().min(MAX_COUNTS_LISTED);
        findings.extend(
            counts[..listed]
                .iter()
                .map(|d| format!("kept count: {d}: run `cube doctor --repair`")),
        );
        if counts.len() > listed {
            findings.push(format!(
                "{} differ from the data: run `cube doctor --repair`",
                super::plural(
                    (counts.len() - listed) as u64,
                    "more kept count",
                    "more kept counts"
                )
            ));
        }
    }
    let settings = db.settings_in_force()?;

    for job in db.unfinished_jobs()? {
        if crate::joblock::is_running(store.path(), &job.id) {
            // Another cube is at it: nothing is wrong.
            continue;
        }
        let what = if job.state == JobState::ScrubPending {
            "is done but its scrub is pending"
        } else {
            "is unfinished"
        };
        findings.push(format!(
            "job {} ({}) {what}: run `cube jobs resume`",
            job.id,
            job.campaign.as_deref().unwrap_or("replayed")
        ));
    }

    let (path, journal, recordings) = (store.path(), store.journal(), store.recordings());
    let missing = missing_erasures(db, journal)?.len();
    if missing > 0 {
        findings.push(format!(
            "the database lacks {} its journal records: run `cube backup replay`",
            super::plural(missing as u64, "erasure", "erasures")
        ));
    }
    let unreadable = journal.unreadable_lines()?;
    if unreadable > 0 {
        findings.push(format!(
            "{} of the erasure journal cannot be read",
            super::plural(unreadable, "line", "lines")
        ));
    }

    if let Some(problem) = recordings::folder_problem(db, recordings)? {
        findings.push(format!(
            "{problem}: anonymizing refuses to delete recordings there (name the right folder with --recordings-dir)"
        ));
    }
    let known = db.recording_paths()?;
    let missing_files = known
        .iter()
        .filter(|p| !recordings.join(p).is_file())
        .count();
    if missing_files > 0 {
        findings.push(format!(
            "{} at no file",
            super::plural(
                missing_files as u64,
                "recording row points",
                "recording rows point"
            )
        ));
    }
    let linked = known
        .iter()
        .filter(|p| recordings::has_other_names(recordings, p))
        .count();
    if linked > 0 {
        findings.push(format!(
            "{} other names (hard links): anonymizing deletes the recorded name, and the others keep the recording",
            super::plural(linked as u64, "recording file has", "recording files have")
        ));
    }
    let mut files = Vec::new();
    let mut empty = 0;
    list_files(recordings, recordings, &mut files, &mut empty);
    let known: std::collections::HashSet<&str> = known.iter().map(String::as_str).collect();
    let orphans = files
        .iter()
        .filter(|f| f.as_str() != recordings::MARKER && !known.contains(f.as_str()))
        .count();
    if orphans > 0 {
        findings.push(format!(
            "{} in {} {} to no recording",
            super::plural(orphans as u64, "file", "files"),
            recordings.display(),
            if orphans == 1 { "belongs" } else { "belong" }
        ));
    }
    if empty > 0 {
        findings.push(format!(
            "{} in {} (folder names may be personal data): remove them",
            super::plural(empty, "empty folder", "empty folders"),
            recordings.display()
        ));
    }

    let mut files = vec![path.to_path_buf(), journal.path().to_path_buf()];
    files.extend(side_files(path));
    for file in files {
        if let Ok(meta) = fs::metadata(&file) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                findings.push(format!(
                    "{} is readable by others (mode {mode:o}); chmod 600 it",
                    file.display()
                ));
            }
        }
    }

    if ui.json() {
        let settings: serde_json::Map<String, serde_json::Value> = settings
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().into()))
            .collect();
        ui.print_json(&json!({
            "healthy": findings.is_empty(),
            "findings": findings,
            "repaired": repaired,
            "settings": settings,
            "database_id": recordings::database_id(db)?,
        }))?;
    } else if !ui.quiet() {
        // Under -q (cron), a healthy database says nothing at all.
        let mut rows: Vec<Vec<String>> = settings.into_iter().map(|(k, v)| vec![k, v]).collect();
        rows.push(vec!["database".into(), path.display().to_string()]);
        rows.push(vec!["recordings".into(), recordings.display().to_string()]);
        if let Some(id) = recordings::database_id(db)? {
            // What the recordings folder's marker must name.
            rows.push(vec!["database id".into(), id]);
        }
        ui.table(&["setting", "value"], &rows)?;
    }
    if findings.is_empty() {
        ui.say("healthy: no findings");
        return Ok(());
    }
    Err(
        Failure::failed(super::plural(findings.len() as u64, "finding", "findings"))
            .details(findings)
            .into(),
    )
}

/// Files below `dir`, as paths relative to `root`, and how many folders
/// below it are empty; links are not followed.
fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>, empty: &mut u64) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut any = false;
    for entry in entries.flatten() {
        any = true;
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            list_files(root, &path, out, empty);
        } else if let Ok(relative) = path.strip_prefix(root) {
            out.push(relative.to_string_lossy().into_owned());
        }
    }
    if !any && dir != root {
        *empty += 1;
    }
}
