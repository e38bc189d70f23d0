//! End-to-end tests: the real `cube` binary, run as an operator would, against
//! a database in a fresh temporary folder, with a cleared environment and a
//! fixed clock. One module per command.

mod anonymize;
mod assign_move;
mod backup;
mod campaign;
mod completions;
mod counts;
mod customer;
mod demo;
mod diagnostics;
mod disk_full;
mod export;
mod fuzz_regressions;
mod help;
mod import_customers;
mod import_duplicates;
mod import_files;
mod import_outcomes;
mod messages;
mod recordings;
mod restore_safety;
mod rights;
mod scan;
mod scrub;
mod soak;
mod store;
mod unlinkable;
mod upgrade;

#[path = "../common/mod.rs"]
mod common;

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use tempfile::TempDir;

pub use common::{Run, NOW};

/// A temporary world with one cube database in it.
pub struct Cube {
    pub dir: TempDir,
    /// The ids `redacted` has seen, in order: one id reads the same in every
    /// snapshot of a test.
    ids: Mutex<Vec<String>>,
}

impl Default for Cube {
    fn default() -> Cube {
        Cube::new()
    }
}

impl Cube {
    pub fn new() -> Cube {
        Cube {
            dir: tempfile::tempdir().expect("a temporary folder"),
            ids: Mutex::new(Vec::new()),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn db(&self) -> PathBuf {
        self.path("data/cube.db")
    }

    /// A `cube` command with nothing of the caller's environment but `PATH`.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = common::command(&self.db(), &self.path("home"), args);
        cmd.current_dir(self.dir.path());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_input(args, b"")
    }

    /// Runs `cube ARGS | head -n LINES` in bash with pipefail: what a script
    /// that reads only the start of the output sees. The code is the
    /// pipeline's.
    pub fn piped_into_head(&self, args: &str, lines: usize) -> Run {
        let mut bash = Command::new("bash");
        bash.args(["-o", "pipefail", "-c"]).arg(format!(
            "'{}' {args} | head -n {lines}",
            env!("CARGO_BIN_EXE_cube")
        ));
        common::hermetic(&mut bash, &self.db(), &self.path("home"));
        Run::from(bash.output().expect("bash runs"))
    }

    /// Runs cube with some environment variables changed: `Some` sets one,
    /// `None` removes it.
    pub fn run_env(&self, args: &[&str], vars: &[(&str, Option<&str>)]) -> Run {
        let mut cmd = self.command(args);
        for (name, value) in vars {
            match value {
                Some(value) => cmd.env(name, value),
                None => cmd.env_remove(name),
            };
        }
        Run::from(cmd.stdin(Stdio::null()).output().expect("cube runs"))
    }

    pub fn run_with_input(&self, args: &[&str], input: &[u8]) -> Run {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cube runs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input)
            .expect("stdin written");
        Run::from(child.wait_with_output().expect("cube finishes"))
    }

    /// Writes a file into the temporary folder and returns its path as text.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        let path = self.path(name);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).unwrap();
        }
        fs::write(&path, contents).unwrap();
        path.to_str().unwrap().to_string()
    }

    /// Copies a file of `fixtures/` into the temporary folder.
    pub fn fixture(&self, name: &str) -> String {
        let source = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name);
        self.write(name, fs::read(source).expect("fixture exists"))
    }

    /// One value from the database, read directly (not through cube).
    pub fn sql<T: rusqlite::types::FromSql>(&self, query: &str) -> T {
        self.sql_at(&self.db(), query)
    }

    /// One value from another database file.
    pub fn sql_at<T: rusqlite::types::FromSql>(&self, db: &Path, query: &str) -> T {
        let conn = rusqlite::Connection::open(db).unwrap();
        conn.query_row(query, [], |r| r.get(0)).unwrap()
    }

    /// Every value of every row of `table`, read directly, one per line: to
    /// search what cube keeps in it.
    pub fn dump(&self, table: &str) -> String {
        let conn = rusqlite::Connection::open(self.db()).unwrap();
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table}")).unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        let mut dump = String::new();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..columns {
                let value: rusqlite::types::Value = row.get(i).unwrap();
                dump += &format!("{value:?}\n");
            }
        }
        dump
    }

    /// The files SQLite may keep the database's data in that exist: the
    /// database itself (which must), its `-wal`, `-shm` and `-journal`.
    pub fn database_files(&self) -> Vec<PathBuf> {
        let db = self.db();
        assert!(db.is_file(), "no database at {}", db.display());
        ["", "-wal", "-shm", "-journal"]
            .iter()
            .map(|suffix| PathBuf::from(format!("{}{suffix}", db.display())))
            .filter(|path| path.exists())
            .collect()
    }

    /// Which of the database's files hold `value` in their raw bytes: read
    /// after cube exits, as `grep -a -F` would, so that text in free pages,
    /// old cells or the WAL counts as well as live rows.
    pub fn files_holding(&self, value: &str) -> Vec<PathBuf> {
        self.database_files()
            .into_iter()
            .filter(|path| {
                let bytes = fs::read(path).unwrap();
                bytes.windows(value.len()).any(|w| w == value.as_bytes())
            })
            .collect()
    }

    /// Fails, naming the value and where it is, unless none of `values` is in
    /// the raw bytes of the database's files.
    #[track_caller]
    pub fn assert_erased(&self, values: &[&str]) {
        for value in values {
            let found = self.files_holding(value);
            assert!(found.is_empty(), "{value:?} is still in {found:?}");
        }
    }

    /// `run`'s transcript for a snapshot, with what differs from one test run
    /// to the next replaced: the temporary folder by `[TMP]`, and each
    /// distinct id (job ids and customer references are random) by `[ID1]`, `[REF2]`... in
    /// order of first appearance in this test, padded to an id's width where two spaces
    /// follow (a table's column gap), so that columns stay aligned.
    pub fn redacted(&self, run: &Run) -> String {
        let text = run
            .transcript()
            .replace(&self.dir.path().display().to_string(), "[TMP]");
        let uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
        // Job ids are UUIDs; customer references 16 hex digits, `anon-` ones
        // after anonymizing.
        let ids =
            regex::Regex::new(&format!(r"({uuid}|\b(?:anon-)?[0-9a-f]{{16}}\b)((?:  )?)")).unwrap();
        let mut seen = self.ids.lock().unwrap();
        ids.replace_all(&text, |caps: &regex::Captures| {
            let n = match seen.iter().position(|id| id == &caps[1]) {
                Some(i) => i + 1,
                None => {
                    seen.push(caps[1].to_string());
                    seen.len()
                }
            };
            let (label, width) = match &caps[1] {
                id if id.len() == 36 => (format!("[ID{n}]"), 36),
                id => (format!("[REF{n}]"), id.len()),
            };
            match &caps[2] {
                "" => label,
                gap => format!("{label:<width$}{gap}"),
            }
        })
        .into_owned()
    }

    /// Waits until the erasure ledger holds more than `erased` entries
    /// (batches of `child` have committed), or `child` has ended.
    /// Starts `args` (an anonymization) in batches of 20 customers, and
    /// returns it running once more than `erased` customers are erased.
    pub fn start_job(&self, args: &[&str], erased: i64) -> std::process::Child {
        let mut child = self
            .command(args)
            .env("CUBE_BATCH_SIZE", "20")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        self.wait_for_erasures(&mut child, erased);
        child
    }

    pub fn wait_for_erasures(&self, child: &mut std::process::Child, erased: i64) {
        let reader = rusqlite::Connection::open(self.db()).unwrap();
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(20) {
            let done: i64 = reader
                .query_row("SELECT count(*) FROM erasures", [], |r| r.get(0))
                .unwrap_or(0);
            if done > erased || child.try_wait().unwrap().is_some() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    pub fn customer(&self, id: &str) -> serde_json::Value {
        self.run(&["customer", "show", id, "--json"]).ok().json()
    }

    pub fn campaign(&self, name: &str) -> serde_json::Value {
        self.run(&["campaign", "show", name, "--json"]).ok().json()
    }

    pub fn import_customers(&self, csv: &str, extra: &[&str]) -> Run {
        self.import("customers", csv, extra)
    }

    /// `cube import WHAT` of `csv`, written to `WHAT.csv` in the temporary folder.
    pub fn import(&self, what: &str, csv: &str, extra: &[&str]) -> Run {
        let file = self.write(&format!("{what}.csv"), csv);
        let mut args = vec!["import", what, file.as_str()];
        args.extend(extra);
        self.run(&args)
    }
}

/// The permission bits of a file or folder.
pub fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The names in a folder, sorted.
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}
