//! The real interactive prompt of `cube archive`, driven through a
//! pseudo-terminal as a person at a keyboard would: nothing is preselected,
//! Enter alone, Esc and Ctrl-C change nothing, Ctrl-C gives the cursor back,
//! anonymizing needs the campaign name typed back, and a run stopped half-way
//! says what it archived. (rexpect reads bytes as Latin-1, so the texts
//! matched here are ASCII.)

mod common;

use std::process::Command;

use rexpect::process::WaitStatus;
use rexpect::session::{spawn_command, PtySession};

use common::Run;

const DOWN: &str = "\x1b[B";
const ENTER: &str = "\r";
const ESC: &str = "\x1b";

const SHOW_CURSOR: &str = "\x1b[?25h";
const HIDE_CURSOR: &str = "\x1b[?25l";

/// A temporary folder with a database of two customers in campaign "Spring",
/// one in "Summer", and an empty campaign "Tom".
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
        let csv = world.dir.path().join("s.csv");
        std::fs::write(&csv, "customer_no,name\n3,Siri Sol\n").unwrap();
        let csv = csv.to_str().unwrap();
        world.run(&["import", "customers", csv, "--campaign", "Summer"]);
        world.run(&["campaign", "create", "Tom"]);
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

    /// (status, anonymized customers) of "Spring", read through cube.
    fn state(&self) -> (String, i64) {
        self.state_of("Spring")
    }

    /// (status, anonymized customers) of a campaign, read through cube.
    fn state_of(&self, campaign: &str) -> (String, i64) {
        let shown = self.run(&["campaign", "show", campaign, "--json"]).json();
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
        .exp_string("Enter to choose, Esc to cancel")
        .unwrap();
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
fn ctrl_c_changes_nothing_and_gives_the_cursor_back() {
    let world = World::new();
    let mut session = archive(&world);
    session.send(DOWN).unwrap();
    session.flush().unwrap();
    // Once the prompt has drawn the move it waits for the next key, with
    // the terminal giving Ctrl-C as a key. Sent while it draws, Ctrl-C is a
    // signal no prompt takes: cube then ends by it, changing nothing but
    // saying nothing either (see `ui::prompt_took_interrupt`).
    session.exp_string("> Yes, I want all").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    session.send_control('c').unwrap();
    let rest = session.exp_eof().unwrap();
    assert!(
        rest.contains("interrupted; nothing was changed"),
        "{rest:?}"
    );
    let (shown, hidden) = (rest.rfind(SHOW_CURSOR), rest.rfind(HIDE_CURSOR));
    assert!(shown.is_some() && shown > hidden, "{rest:?}");
    assert_eq!(exit_code(&mut session), 130);
    assert_eq!(world.state(), ("active".into(), 0));
}

/// Several campaigns: what archiving means is said once, an empty campaign
/// is archived without a question, and a run stopped at one says which were
/// archived before it and which were not.
#[test]
fn stopping_half_way_says_what_was_archived() {
    let world = World::new();
    let start = |key: &str| {
        let mut session = spawn_command(
            world.cube(&["archive", "Tom", "Spring", "Summer"]),
            Some(10_000),
        )
        .unwrap();
        let before = session
            .exp_string("What happens to the customers of \"Spring\"?")
            .unwrap();
        assert!(
            before.contains("archived campaign \"Tom\"; it has no customers to anonymize"),
            "{before:?}"
        );
        assert_eq!(before.matches("Archiving hides").count(), 1, "{before:?}");
        session.exp_string("Esc to cancel").unwrap();
        session.send(DOWN).unwrap();
        session.send(DOWN).unwrap();
        session.send(ENTER).unwrap();
        session.flush().unwrap();
        let between = session
            .exp_string("What happens to the customers of \"Summer\"?")
            .unwrap();
        assert!(between.contains("its customers are kept"), "{between:?}");
        assert!(!between.contains("Archiving hides"), "said once");
        session.exp_string("Esc to cancel").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
        match key {
            "c" => session.send_control('c').unwrap(),
            key => {
                session.send(key).unwrap();
            }
        }
        session.flush().unwrap();
        let rest = session.exp_eof().unwrap();
        (exit_code(&mut session), rest)
    };

    let (code, rest) = start(ESC);
    assert_eq!(code, 2, "{rest:?}");
    assert!(
        rest.contains("no choice was made for \"Summer\"; \"Summer\" was not archived"),
        "{rest:?}"
    );
    assert!(
        rest.contains(
            "before this, cube archived campaign \"Tom\"; archived campaign \"Spring\", keeping its customers"
        ),
        "{rest:?}"
    );
    assert_eq!(world.state_of("Tom"), ("archived".into(), 0));
    assert_eq!(world.state_of("Spring"), ("archived".into(), 0));
    assert_eq!(world.state_of("Summer"), ("active".into(), 0));

    world.run(&["reactivate", "Tom"]);
    world.run(&["reactivate", "Spring"]);
    let (code, rest) = start("c");
    assert_eq!(code, 130, "{rest:?}");
    assert!(
        rest.contains("interrupted for \"Summer\"; \"Summer\" was not archived"),
        "{rest:?}"
    );
    assert!(
        rest.rfind(SHOW_CURSOR) > rest.rfind(HIDE_CURSOR),
        "{rest:?}"
    );
    assert_eq!(world.state_of("Summer"), ("active".into(), 0));
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

/// Every prompt takes Ctrl-C the same way: the cursor back, exit 130.
#[test]
fn ctrl_c_at_a_typed_confirmation_changes_nothing() {
    let world = World::new();
    let mut session =
        spawn_command(world.cube(&["customer", "forget", "1"]), Some(10_000)).unwrap();
    session.exp_string("Type yes to erase them").unwrap();
    session.send_control('c').unwrap();
    let rest = session.exp_eof().unwrap();
    assert!(
        rest.contains("interrupted; nothing was changed"),
        "{rest:?}"
    );
    assert_eq!(exit_code(&mut session), 130);
    let shown = world.run(&["customer", "show", "1", "--json"]).json();
    assert_eq!(shown["anonymized_at"], serde_json::Value::Null);
}
