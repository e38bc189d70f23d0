//! The real interactive prompt of `cube archive`, driven through a
//! pseudo-terminal as a person at a keyboard would: nothing is preselected,
//! Enter alone, Esc and Ctrl-C change nothing, and anonymizing needs the
//! campaign name typed back. (rexpect reads bytes as Latin-1, so the texts
//! matched here are ASCII.)

mod common;

use std::process::Command;

use rexpect::process::{Signal, WaitStatus};
use rexpect::session::{spawn_command, PtySession};

use common::Run;

const DOWN: &str = "\x1b[B";
const ENTER: &str = "\r";
const ESC: &str = "\x1b";

/// A temporary folder with a database of two customers in campaign "Spring".
struct World {
    dir: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        let world = World {
            dir: tempfile::tempdir().unwrap(),
        };
        let csv = world.dir.path().join("c.csv");
        std::fs::write(
            &csv,
            "customer_no,name,email\n1,Åse Lie,ase@x.no\n2,Per Berg,per@x.no\n",
        )
        .unwrap();
        let csv = csv.to_str().unwrap();
        world.run(&["import", "customers", csv, "--campaign", "Spring"]);
        world
    }

    /// A `cube` command on this world's database, on a terminal of a common kind.
    fn cube(&self, args: &[&str]) -> Command {
        let dir = self.dir.path();
        let mut cmd = common::command(&dir.join("cube.db"), &dir.join("home"), args);
        cmd.env("TERM", "xterm");
        cmd
    }

    /// Runs cube without a terminal; it must succeed.
    fn run(&self, args: &[&str]) -> Run {
        let run = Run::from(self.cube(args).output().unwrap());
        run.ok();
        run
    }

    /// (status, anonymized customers) of the campaign, read through cube.
    fn state(&self) -> (String, i64) {
        let shown = self.run(&["campaign", "show", "Spring", "--json"]).json();
        (
            shown["status"].as_str().unwrap().to_string(),
            shown["anonymized"].as_i64().unwrap(),
        )
    }
}

fn archive(world: &World) -> PtySession {
    let mut session = spawn_command(world.cube(&["archive", "Spring"]), Some(10_000)).unwrap();
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

/// Waits for cube to end: its exit code, or a failure if it ended any other way.
fn exit_code(session: &mut PtySession) -> i32 {
    match session.process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("cube did not exit with a code: {other:?}"),
    }
}

#[test]
fn enter_alone_selects_nothing_and_escape_changes_nothing() {
    let world = World::new();
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
    assert_eq!(world.state(), ("active".into(), 0));
}

#[test]
fn ctrl_c_changes_nothing() {
    let world = World::new();
    let mut session = archive(&world);
    session.send(DOWN).unwrap();
    session.flush().unwrap();
    session.send_control('c').unwrap();
    let status = session.process().wait().unwrap();
    assert!(
        matches!(status, WaitStatus::Signaled(_, Signal::SIGINT, false)),
        "{status:?}"
    );
    assert_eq!(world.state(), ("active".into(), 0));
}

#[test]
fn choosing_keep_archives_without_anonymizing() {
    let world = World::new();
    let mut session = archive(&world);
    session.send(DOWN).unwrap();
    session.send(DOWN).unwrap();
    session.send(ENTER).unwrap();
    session.flush().unwrap();
    session.exp_string("its customers are kept").unwrap();
    assert_eq!(exit_code(&mut session), 0);
    assert_eq!(world.state(), ("archived".into(), 0));
}

#[test]
fn anonymizing_needs_the_name_typed_back() {
    let world = World::new();
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
    assert_eq!(world.state(), ("active".into(), 0));

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
    assert_eq!(world.state(), ("archived".into(), 2));
}
