//! The real interactive prompt of `cube archive`, driven through a
//! pseudo-terminal as a person at a keyboard would: nothing is preselected,
//! Enter alone, Esc and Ctrl-C change nothing, and anonymizing needs the
//! campaign name typed back. (rexpect reads bytes as Latin-1, so the texts
//! matched here are ASCII.)

use std::path::{Path, PathBuf};
use std::process::Command;

use rexpect::process::{Signal, WaitStatus};
use rexpect::session::{spawn_command, PtySession};

const DOWN: &str = "\x1b[B";
const ENTER: &str = "\r";
const ESC: &str = "\x1b";

struct World {
    _dir: tempfile::TempDir,
    db: PathBuf,
}

fn cube(db: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cube"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TERM", "xterm")
        .env("CUBE_DB", db)
        .env("CUBE_NOW", "2026-11-29T10:00:00Z")
        .env("USER", "tester");
    cmd
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cube.db");
    let csv = dir.path().join("c.csv");
    std::fs::write(
        &csv,
        "customer_no,name,email\n1,Åse Lie,ase@x.no\n2,Per Berg,per@x.no\n",
    )
    .unwrap();
    let out = cube(
        &db,
        &[
            "import",
            "customers",
            csv.to_str().unwrap(),
            "--campaign",
            "Spring",
        ],
    )
    .output()
    .unwrap();
    assert!(out.status.success());
    World { _dir: dir, db }
}

fn archive(world: &World) -> PtySession {
    let mut session = spawn_command(cube(&world.db, &["archive", "Spring"]), Some(10_000)).unwrap();
    session
        .exp_string(
            "Campaign \"Spring\" (active): 2 customers (2 available, 0 assigned, 0 completed)",
        )
        .unwrap();
    session
        .exp_string("What happens to the customers of \"Spring\"?")
        .unwrap();
    session.exp_string("No, keep the customers").unwrap();
    session
}

/// (status, anonymized customers) of the campaign, read through cube.
fn state(world: &World) -> (String, i64) {
    let out = cube(&world.db, &["campaign", "show", "Spring", "--json"])
        .output()
        .unwrap();
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (
        shown["status"].as_str().unwrap().to_string(),
        shown["anonymized"].as_i64().unwrap(),
    )
}

/// Waits for cube to end: its exit code, or a failure if it ended any other way.
fn exit_code(session: &mut PtySession) -> i32 {
    match session.process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("cube did not exit with a code: {other:?}"),
    }
}

#[test]
fn enter_alone_selects_nothing_and_escape_changes_nothing() {
    let world = world();
    let mut session = archive(&world);
    session.send(ENTER).unwrap();
    session.send(ENTER).unwrap();
    session.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    session.send(ESC).unwrap();
    session.flush().unwrap();
    session
        .exp_string("no choice was made; nothing was changed")
        .unwrap();
    assert_eq!(exit_code(&mut session), 2);
    assert_eq!(state(&world), ("active".into(), 0));
}

#[test]
fn ctrl_c_changes_nothing() {
    let world = world();
    let mut session = archive(&world);
    session.send(DOWN).unwrap();
    session.flush().unwrap();
    session.send_control('c').unwrap();
    let status = session.process().wait().unwrap();
    assert!(
        matches!(status, WaitStatus::Signaled(_, Signal::SIGINT, false)),
        "{status:?}"
    );
    assert_eq!(state(&world), ("active".into(), 0));
}

#[test]
fn choosing_keep_archives_without_anonymizing() {
    let world = world();
    let mut session = archive(&world);
    session.send(DOWN).unwrap();
    session.send(DOWN).unwrap();
    session.send(ENTER).unwrap();
    session.flush().unwrap();
    session.exp_string("its customers are kept").unwrap();
    assert_eq!(exit_code(&mut session), 0);
    assert_eq!(state(&world), ("archived".into(), 0));
}

#[test]
fn anonymizing_needs_the_name_typed_back() {
    let world = world();
    let mut session = archive(&world);
    session.send(DOWN).unwrap();
    session.send(ENTER).unwrap();
    session.flush().unwrap();
    session.exp_string("Type the campaign name").unwrap();
    session.send_line("Høst").unwrap();
    session
        .exp_string("the name typed does not match the campaign; nothing was changed")
        .unwrap();
    assert_eq!(exit_code(&mut session), 2);
    assert_eq!(state(&world), ("active".into(), 0));

    let mut session = archive(&world);
    session.send(DOWN).unwrap();
    session.send(ENTER).unwrap();
    session.flush().unwrap();
    session.exp_string("Type the campaign name").unwrap();
    session.send_line("Spring").unwrap();
    session
        .exp_string("anonymized 2 customers of \"Spring\"")
        .unwrap();
    assert_eq!(exit_code(&mut session), 0);
    assert_eq!(state(&world), ("archived".into(), 2));
}
