//! End-to-end tests: the real `cube` binary, run as an operator would, against
//! a database in a fresh temporary folder, with a cleared environment and a
//! fixed clock. One module per command.

mod anonymize;
mod assign_move;
mod backup;
mod campaign;
mod completions;
mod customer;
mod demo;
mod diagnostics;
mod disk_full;
mod export;
mod fuzz_regressions;
mod import_customers;
mod import_outcomes;
mod soak;
mod store;
mod upgrade;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tempfile::TempDir;

/// The fixed clock of every test run.
pub const NOW: &str = "2026-11-29T10:00:00Z";

/// A temporary world with one cube database in it.
pub struct Cube {
    pub dir: TempDir,
}

/// What one run of cube did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Exit code, stdout and stderr as one string, for snapshots.
    pub fn transcript(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    #[track_caller]
    pub fn ok(&self) -> &Run {
        assert_eq!(self.code, 0, "{}", self.transcript());
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.transcript()))
    }
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
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cube"));
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path("home"))
            .env("CUBE_DB", self.db())
            .env("CUBE_NOW", NOW)
            .env("USER", "tester")
            .current_dir(self.dir.path());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_input(args, b"")
    }

    /// Runs `cube ARGS | head -n LINES` in bash with pipefail: what a script
    /// that reads only the start of the output sees. Returns (exit code of the
    /// pipeline, stdout, stderr).
    pub fn piped_into_head(&self, args: &str, lines: usize) -> Run {
        let out = Command::new("bash")
            .args(["-o", "pipefail", "-c"])
            .arg(format!(
                "'{}' {args} | head -n {lines}",
                env!("CARGO_BIN_EXE_cube")
            ))
            .env("CUBE_DB", self.db())
            .output()
            .expect("bash runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
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
        let out = cmd.stdin(Stdio::null()).output().expect("cube runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        }
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
        let out = child.wait_with_output().expect("cube finishes");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        }
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
        let conn = rusqlite::Connection::open(self.db()).unwrap();
        conn.query_row(query, [], |r| r.get(0)).unwrap()
    }

    pub fn customer(&self, id: &str) -> serde_json::Value {
        self.run(&["customer", "show", id, "--json"]).ok().json()
    }

    pub fn import_customers(&self, csv: &str, extra: &[&str]) -> Run {
        let file = self.write("customers.csv", csv);
        let mut args = vec!["import", "customers", file.as_str()];
        args.extend(extra);
        self.run(&args)
    }
}

impl Cube {
    /// One value from another database file.
    pub fn sql_at<T: rusqlite::types::FromSql>(&self, db: &Path, query: &str) -> T {
        let conn = rusqlite::Connection::open(db).unwrap();
        conn.query_row(query, [], |r| r.get(0)).unwrap()
    }
}
