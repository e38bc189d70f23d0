//! What every command receives, assembled once: the [`Ui`], the [`Env`], and
//! from them the opened, gated [`Store`] with one clock reading. Also the
//! output that several commands share (job reports, customer tables, stats),
//! so that no command calls another.

use std::cell::OnceCell;

use anyhow::Result;

use crate::anonymize::{self, JobReport};
use crate::db::{CustomerRow, Db, Job, Stage};
use crate::store::{Access, Actor, Site, Store};
use crate::ui::Ui;
use crate::{Env, Failure, Kind};

pub struct CommandHelper<'a> {
    pub env: &'a Env,
    pub ui: &'a Ui,
    actor: OnceCell<Actor>,
    swept: std::cell::Cell<bool>,
    /// What this run has changed so far, for the message if it then fails.
    done: std::cell::RefCell<Vec<String>>,
}

impl<'a> CommandHelper<'a> {
    pub fn new(env: &'a Env, ui: &'a Ui) -> CommandHelper<'a> {
        CommandHelper {
            env,
            ui,
            actor: OnceCell::new(),
            swept: std::cell::Cell::new(false),
            done: std::cell::RefCell::new(Vec::new()),
        }
    }

    /// Notes something this run changed, so that a failure after it says so
    /// instead of "nothing was changed".
    pub fn note_done(&self, what: String) {
        self.done.borrow_mut().push(what);
    }

    /// Whether this run has changed anything so far.
    pub fn changed(&self) -> bool {
        !self.done.borrow().is_empty()
    }

    /// The error with what this run had changed before it, if anything.
    pub fn with_state_left(&self, err: anyhow::Error) -> anyhow::Error {
        let done = self.done.borrow();
        if done.is_empty() {
            return err;
        }
        err.context(crate::error::StateLeft(format!(
            "before this, cube {}",
            done.join("; ")
        )))
    }

    /// The operator and the time, read once for the whole command.
    pub fn actor(&self) -> Result<Actor> {
        if let Some(actor) = self.actor.get() {
            return Ok(actor.clone());
        }
        let actor = self.env.actor()?;
        Ok(self.actor.get_or_init(|| actor).clone())
    }

    /// The database's site, without opening it (for `backup restore`).
    pub fn site(&self) -> Result<Site> {
        self.sweep_temps();
        self.env.site()
    }

    /// Removes the temporary files of cube commands that were killed (see
    /// [`crate::temps`]), once per run.
    fn sweep_temps(&self) {
        if self.swept.replace(true) {
            return;
        }
        let removed = crate::temps::sweep();
        if removed > 0 {
            self.ui.warn(&format!(
                "removed {} left by a cube command that was stopped",
                plural(removed as u64, "temporary file", "temporary files")
            ));
        }
    }

    /// The operator's database, which must exist, behind the restore gate.
    pub fn store(&self) -> Result<Store> {
        self.open(Access::Gated)
    }

    /// The database, created if there is none: for the commands that put
    /// data in (`init`, imports, `campaign create`).
    pub fn store_or_create(&self) -> Result<Store> {
        self.open(Access::Create)
    }

    /// The database without the restore gate: for `backup replay` and
    /// `doctor` only.
    pub fn store_ungated(&self) -> Result<Store> {
        self.open(Access::Ungated)
    }

    fn open(&self, access: Access) -> Result<Store> {
        let store = self.env.site()?.open(access, self.actor()?)?;
        // doctor reports what killed commands left; the others remove it.
        if access != Access::Ungated {
            self.sweep_temps();
        }
        Ok(store)
    }

    /// Runs jobs to their end, with a progress bar, saying what each did. A
    /// job whose scrub a reader blocked is reported, not an error: the work
    /// after it still gets done.
    pub fn run_jobs(&self, store: &Store, jobs: Vec<Job>) -> Result<Vec<JobReport>> {
        for job in &jobs {
            self.note_done(format!(
                "{}queued the job that anonymizes its customers ({}): each customer is either untouched or fully anonymized, and `cube jobs resume` finishes it",
                archived_text(job),
                job.id
            ));
        }
        let bar = self.ui.progress(
            Some(jobs.iter().map(|job| job.total).sum()),
            "customers anonymized",
        );
        bar.set_position(jobs.iter().map(|job| job.done).sum());
        let reports = anonymize::erase(&store.db, &store.site, &store.actor, &jobs, &|done| {
            bar.set_position(done)
        })?;
        bar.finish_and_clear();
        for _ in &jobs {
            self.done.borrow_mut().pop();
        }
        for (job, report) in jobs.iter().zip(&reports) {
            let whose = match job.campaign.as_deref() {
                Some(campaign) if !job.request => format!("of {campaign:?}"),
                _ => "of an erasure request".to_string(),
            };
            self.note_done(format!("anonymized the customers {whose} (job {})", job.id));
            // A resumed job did some of them before (`customers` in
            // `--json` is this run's).
            let this_run = if report.customers == job.total {
                String::new()
            } else {
                format!(", {} of them in this run", report.customers)
            };
            self.ui.say(&format!(
                "anonymized {} {whose} (job {}{this_run}); redacted {} of them in other records; deleted {}{}",
                plural(job.total, "customer", "customers"),
                job.id,
                plural(report.mentions, "mention", "mentions"),
                plural(
                    report.recordings_deleted,
                    "recording file",
                    "recording files"
                ),
                if archived_text(job).is_empty() { "" } else { "; the campaign is archived" }
            ));
            if report.recordings_shared > 0 {
                self.ui.say(&format!(
                    "{} of other customers named a deleted file and went with it",
                    plural(report.recordings_shared, "recording", "recordings")
                ));
            }
            if report.recordings_refused > 0 {
                self.ui.warn(&format!(
                    "{} not deleted: {} through a link or out of {}",
                    plural(
                        report.recordings_refused,
                        "recording path was",
                        "recording paths were"
                    ),
                    if report.recordings_refused == 1 {
                        "it leads"
                    } else {
                        "they lead"
                    },
                    store.recordings().display()
                ));
            }
            if report.recordings_other_names > 0 {
                self.ui.warn(&format!(
                    "{} other names (hard links), which still hold the recording: remove those names too",
                    plural(
                        report.recordings_other_names,
                        "deleted recording file has",
                        "deleted recording files have"
                    )
                ));
            }
        }
        Ok(reports)
    }

    /// The unfinished jobs that no other cube is running (see
    /// [`crate::joblock`]), saying which are left to the cube that runs them.
    pub fn unfinished_jobs(&self, store: &Store) -> Result<Vec<Job>> {
        let (running, left): (Vec<Job>, Vec<Job>) = store
            .db
            .unfinished_jobs()?
            .into_iter()
            .partition(|job| crate::joblock::is_running(store.path(), &job.id));
        for job in running {
            self.ui.say(&format!(
                "job {} is being run by another cube; it is left to that one",
                job.id
            ));
        }
        Ok(left)
    }

    /// Finishes jobs a crash or a busy reader left unfinished, before new work.
    pub fn resume_unfinished(&self, store: &Store) -> Result<Vec<JobReport>> {
        let jobs = self.unfinished_jobs(store)?;
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        self.ui.say(&format!(
            "finishing {} first",
            plural(
                jobs.len() as u64,
                "unfinished anonymization job",
                "unfinished anonymization jobs"
            )
        ));
        self.run_jobs(store, jobs)
    }

    /// Scrubs once for all the jobs this run erased (the pages they wrote,
    /// however many campaigns), then prints their reports as JSON with
    /// `--json`; exit 75 if a reader blocked the scrub.
    pub fn report_jobs(&self, store: &Store, reports: &mut [JobReport]) -> Result<()> {
        if !reports.is_empty() {
            let jobs: Vec<i64> = reports.iter().map(|r| r.rowid).collect();
            let tidy = anonymize::scrub(&store.db, &store.site, &store.actor, &jobs)?;
            for report in reports.iter_mut() {
                report.scrubbed = tidy.checkpointed;
                report.pages_scrubbed = tidy.pages;
                report.pages_cleared = tidy.cleared;
            }
        }
        // A list, empty when the run made no job: a script reads a document
        // either way.
        if self.ui.json() {
            self.ui.print_json(&reports)?;
        }
        let blocked: Vec<&JobReport> = reports.iter().filter(|r| !r.scrubbed).collect();
        if let Some(first) = blocked.first() {
            return Err(Failure::new(
                Kind::Busy,
                format!(
                    "job {} is done but its scrub is pending: another program is reading the database, so old values may still be in its free space",
                    first.job
                ),
            )
            .hint("run `cube jobs resume` when the other program has finished")
            .into());
        }
        Ok(())
    }

    /// Prints rows as a table or as CSV (neutralized like exports), on stdout.
    pub fn print_rows(
        &self,
        format: ListFormat,
        header: &[&str],
        rows: &[Vec<String>],
    ) -> Result<()> {
        match format {
            ListFormat::Table => self.ui.table(header, rows)?,
            ListFormat::Csv => {
                let mut csv = crate::export::CsvOut::new(self.ui.stdout(), b',', false, false)?;
                csv.header(header)?;
                for row in rows {
                    let cells: Vec<crate::export::Cell> =
                        row.iter().map(|c| crate::export::Cell::Text(c)).collect();
                    csv.row(&cells)?;
                }
                std::io::Write::flush(&mut csv.finish()?)?;
            }
        }
        Ok(())
    }

    /// The customer table that `customer list` and `assign` print. An
    /// anonymized customer shows as `Anonymized` with nothing else but its id.
    pub fn print_customers(&self, format: ListFormat, customers: &[CustomerRow]) -> Result<()> {
        let rows: Vec<Vec<String>> = customers
            .iter()
            .map(|c| {
                vec![
                    c.reference.clone(),
                    c.customer_no.clone().unwrap_or_default(),
                    c.name.clone(),
                    c.email.clone(),
                    c.phone.clone(),
                    c.campaign.clone().unwrap_or_default(),
                    c.stage.map(Stage::as_str).unwrap_or_default().to_string(),
                    c.seller.clone().unwrap_or_default(),
                ]
            })
            .collect();
        self.print_rows(
            format,
            &[
                "ref",
                "customer_no",
                "name",
                "email",
                "phone",
                "campaign",
                "stage",
                "seller",
            ],
            &rows,
        )
    }

    /// The counts of `cube stats`, as a table or as JSON with `--json`.
    pub fn print_stats(&self, db: &Db) -> Result<()> {
        let stats = db.stats()?;
        if self.ui.json() {
            self.ui.print_json(&stats)?;
            return Ok(());
        }
        let amount = crate::export::money_text(stats.sales_amount);
        let rows = [
            ("Customers", stats.customers.to_string()),
            (
                "Anonymized customers in the dataset",
                stats.anonymized.to_string(),
            ),
            ("Active campaigns", stats.active_campaigns.to_string()),
            ("Archived campaigns", stats.archived_campaigns.to_string()),
            ("Sellers", stats.sellers.to_string()),
            ("Outcomes", stats.outcomes.to_string()),
            ("Sales", stats.sales.to_string()),
            ("Sales amount", amount),
            ("History entries", stats.history.to_string()),
            ("Recordings", stats.recordings.to_string()),
        ];
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .map(|(k, v)| vec![k.to_string(), v])
            .collect();
        self.ui.table(&["what", "count"], &rows)?;
        Ok(())
    }
}

/// Customer references or numbers, one per line (`-` for stdin); blank lines
/// and `#` comments are skipped.
pub fn read_keys(path: &std::path::Path) -> Result<Vec<String>> {
    use anyhow::Context;
    use std::io::Read;
    let mut text = String::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read standard input")?;
    } else {
        text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
    }
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect())
}

/// How `list` commands print: an aligned table for people, CSV for scripts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    #[default]
    Table,
    Csv,
}

/// `1 customer`, `2 customers`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "archived campaign "X" and " for a job of an archived campaign; "" for
/// an erasure request.
fn archived_text(job: &Job) -> String {
    match job.campaign.as_deref() {
        Some(campaign) if !job.request => format!("archived campaign {campaign:?} and "),
        _ => String::new(),
    }
}
