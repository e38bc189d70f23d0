//! The command-line definition. Doc comments here are the `--help` text; the
//! completions under `completions/` are generated from this file and a test fails
//! when they drift.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::env::EnvOptions;
use crate::ui::UiOptions;

use crate::commands::audit::AuditArgs;
use crate::commands::backup::BackupCommand;
use crate::commands::export::ExportArgs;
use crate::commands::{
    archive::{AnonymizeArgs, ArchiveArgs},
    assign::AssignArgs,
    campaign::CampaignCommand,
    completions::CompletionsArgs,
    customer::CustomerCommand,
    demo::DemoArgs,
    doctor::DoctorArgs,
    import::ImportCommand,
    jobs::JobsArgs,
    man::ManArgs,
    moves::MoveArgs,
    reactivate::ReactivateArgs,
    scan::ScanArgs,
};

/// Administration of a sales CRM's customer data: customers are anonymized
/// instead of deleted, so that sales figures stay true.
#[derive(Debug, Parser)]
#[command(name = "cube", version, about, max_term_width = 100, after_help = examples::CUBE)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes, listed under their own heading in every
/// command's help so that a command's own options stand apart.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// The database file [default: $CUBE_DB, else ~/.local/share/cube/cube.db]
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// The recordings folder [default: $CUBE_RECORDINGS_DIR, else recordings/ beside the database]
    #[arg(long, global = true, value_name = "DIR")]
    pub recordings_dir: Option<PathBuf>,

    /// Print machine-readable JSON on stdout
    #[arg(long, global = true)]
    pub json: bool,

    /// Say nothing unless something fails
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Say more about what is done
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// Seconds to wait for another cube's write lock before exiting with 75
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = crate::db::BUSY_TIMEOUT.as_secs_f64(), value_parser = parse_seconds)]
    pub busy_timeout: f64,

    /// Who is doing this, for the audit log [default: $USER, else $LOGNAME]
    #[arg(long, global = true, value_name = "NAME")]
    pub operator: Option<String>,

    /// Never draw progress bars (they only appear on a terminal anyway)
    #[arg(long, global = true)]
    pub no_progress: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database, or bring an existing one up to this version's schema
    Init,
    /// Fill a fresh database with realistic demo data
    Demo(DemoArgs),
    /// Import customers, outcomes or history from CSV files or workbooks
    #[command(subcommand)]
    Import(ImportCommand),
    /// Move customers into another campaign
    Move(MoveArgs),
    /// Hand the next available customers of a campaign to a seller
    Assign(AssignArgs),
    /// Archive campaigns, choosing whether their customers are anonymized
    #[command(after_help = examples::ARCHIVE)]
    Archive(ArchiveArgs),
    /// Archive a campaign and anonymize all its customers, in one step
    #[command(after_help = examples::ANONYMIZE)]
    Anonymize(AnonymizeArgs),
    /// List anonymization jobs, or resume unfinished ones
    Jobs(JobsArgs),
    /// Export outcomes, sales or history to CSV or Excel
    #[command(after_help = examples::EXPORT)]
    Export(ExportArgs),
    /// Back up the database, or restore a backup
    #[command(subcommand, after_help = examples::BACKUP)]
    Backup(BackupCommand),
    /// Check integrity, settings, jobs, the erasure journal, recording files and kept counts
    Doctor(DoctorArgs),
    /// Find personal data in free text, where it does not belong (exit 1 if any)
    ///
    /// National id numbers (fødselsnummer and D-nummer), e-mail addresses,
    /// phone numbers, bank account and payment card numbers, in the notes and
    /// extra fields of cards, outcome comments and labels, sale products,
    /// history, campaign names and seller usernames. Says where each one is
    /// (table, field, customer), never what it is.
    Scan(ScanArgs),
    /// Who archived, anonymized, restored or replayed what, and when
    Audit(AuditArgs),
    /// Reactivate an archived campaign (anonymized customers stay anonymized)
    Reactivate(ReactivateArgs),
    /// List, show and create campaigns
    #[command(subcommand)]
    Campaign(CampaignCommand),
    /// List, show, find, export and forget customers
    #[command(subcommand)]
    Customer(CustomerCommand),
    /// Counts of customers, campaigns, outcomes, sales and recordings
    Stats,
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Write the manual pages into a folder (for packagers; see `scripts/man`)
    #[command(hide = true)]
    Man(ManArgs),
}

impl GlobalArgs {
    pub fn ui_options(&self) -> UiOptions {
        UiOptions {
            quiet: self.quiet,
            verbose: self.verbose,
            json: self.json,
            progress: !self.no_progress,
        }
    }

    pub fn env_options(&self) -> EnvOptions {
        EnvOptions {
            db: self.db.clone(),
            recordings_dir: self.recordings_dir.clone(),
            operator: self.operator.clone(),
            busy_timeout: std::time::Duration::from_secs_f64(self.busy_timeout),
        }
    }
}

fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if (0.0..=86_400.0).contains(&s) => Ok(s),
        _ => Err("use a number of seconds from 0 to 86400".into()),
    }
}

/// The examples at the end of the main commands' help (and in their manual
/// pages, as EXAMPLES): real lines an operator can copy.
pub mod examples {
    pub const CUBE: &str = "\
Examples:
  cube demo                                       a demo database, and an anonymization
  cube import customers kunder.csv --campaign \"Høstsalg 2026\"
  cube customer find \"998 87 766\"                 by name, e-mail, phone, number or reference
  cube archive \"Høstsalg 2026\"                    asks what happens to its customers
  cube export sales --locale nb-NO -o salg.csv    for Excel in a Norwegian locale
  cube -q backup create --dir /backups/cube --keep 14

Each command has its own --help.";

    pub const IMPORT_CUSTOMERS: &str = "\
Examples:
  cube import customers kunder.csv --campaign \"Høstsalg 2026\"
  cube import customers hubspot.csv --map \"Kunde=name\" --dry-run
  cube import customers liste.csv --on-duplicate update
  cube import customers stor.csv --skip-invalid --rejects feil.csv";

    pub const IMPORT_OUTCOMES: &str = "\
Examples:
  cube import outcomes utfall.csv
  cube import outcomes utfall.csv --dry-run       check every row, change nothing";

    pub const EXPORT: &str = "\
Examples:
  cube export outcomes --campaign \"Høstsalg 2026\" -o utfall.csv
  cube export sales --locale nb-NO --from 01.10.2026 --to 31.10.2026 -o salg.csv
  cube export sales --format xlsx --tz Europe/Oslo -o salg.xlsx
  cube export history --raw | other-program       formulas left as they are";

    pub const ARCHIVE: &str = "\
Examples:
  cube archive \"Høstsalg 2026\"                    asks what happens to its customers
  cube archive \"Høstsalg 2026\" --dry-run --anonymize
  cube -q archive --inactive-days 30 --keep-customers     the nightly tidy-up, for cron";

    pub const ANONYMIZE: &str = "\
Examples:
  cube anonymize \"Høstsalg 2026\" --dry-run        what would be removed, with counts
  cube anonymize \"Høstsalg 2026\"                  asks on a terminal
  cube -q anonymize --archived-for 365 --yes      the retention run, for cron";

    pub const CUSTOMER_FIND: &str = "\
Examples:
  cube customer find \"kåre ødegård\"               any case, with or without accents
  cube customer find \"998 87 766\"                 finds +47 99887766
  cube customer find kari@example.no --json";

    pub const CUSTOMER_FORGET: &str = "\
Examples:
  cube customer forget K-10042 --reason \"sak 2026-17\"
  cube customer forget --file erasures.txt --yes --reason \"sak 2026-18\"";

    pub const BACKUP: &str = "\
Examples:
  cube backup create /backups/cube-before-cleanup.db
  cube -q backup create --dir /backups/cube --keep 14         nightly, for cron
  cube backup restore /backups/cube-before-cleanup.db --undo-job 01a2b3c4";
}
