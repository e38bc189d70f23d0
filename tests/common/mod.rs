//! What both test binaries need to run cube as an operator would: a command
//! with nothing of the caller's environment, a fixed clock and a database in
//! a temporary folder, and what one run of it did.

use std::path::Path;
use std::process::{Command, Output};

/// The fixed clock of every test run.
pub const NOW: &str = "2026-11-29T10:00:00Z";

/// A `cube` command on the database `db`, with `home` as its home folder.
pub fn command(db: &Path, home: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cube"));
    cmd.args(args);
    hermetic(&mut cmd, db, home);
    cmd
}

/// Clears the environment of `cmd` but for `PATH`, then sets what a test run
/// of cube reads: its database, home folder, clock and operator.
pub fn hermetic<'a>(cmd: &'a mut Command, db: &Path, home: &Path) -> &'a mut Command {
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("CUBE_DB", db)
        .env("CUBE_NOW", NOW)
        .env("USER", "tester")
}

/// What one run of cube did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    /// Cube writes UTF-8 and always ends with an exit code: a run killed by a
    /// signal is a failure of the test, not a code to compare.
    fn from(out: Output) -> Run {
        let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
        let stderr = String::from_utf8(out.stderr).expect("stderr is UTF-8");
        let Some(code) = out.status.code() else {
            panic!(
                "cube ended without an exit code ({}):\n{stderr}",
                out.status
            );
        };
        Run {
            code,
            stdout,
            stderr,
        }
    }
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

    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        match serde_json::from_str(&self.stdout) {
            Ok(value) => value,
            Err(e) => panic!("not JSON ({e}):\n{}", self.transcript()),
        }
    }
}
