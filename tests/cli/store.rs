use std::fs;

use crate::{mode, Cube};

#[test]
fn the_database_is_private_and_in_wal_mode() {
    let cube = Cube::new();
    let run = cube.run(&["init"]);
    run.ok();
    let version = format!("schema version {}", cube::db::SCHEMA_VERSION);
    assert!(run.stderr.contains(&version), "{}", run.stderr);
    assert_eq!(mode(&cube.db()), 0o600);
    assert_eq!(mode(cube.db().parent().unwrap()), 0o700);
    // Bytes 18 and 19 of the header are 2 in WAL mode.
    let header = fs::read(cube.db()).unwrap();
    assert_eq!(&header[18..20], &[2, 2]);
    assert_eq!(cube.sql::<i64>("PRAGMA page_size"), 32768);
}

#[test]
fn the_platform_data_folder_is_the_default() {
    let cube = Cube::new();
    cube.run_env(&["init"], &[("CUBE_DB", None)]).ok();
    assert!(cube.path("home/.local/share/cube/cube.db").exists());
}

#[test]
fn db_flag_beats_the_environment() {
    let cube = Cube::new();
    let other = cube.path("other.db");
    cube.run(&["--db", other.to_str().unwrap(), "init"]).ok();
    assert!(other.exists());
    assert!(!cube.db().exists());
}

#[test]
fn a_database_from_a_newer_cube_is_refused() {
    let cube = Cube::new();
    cube.run(&["init"]).ok();
    rusqlite::Connection::open(cube.db())
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let run = cube.run(&["stats"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("schema version 99, written by a newer cube"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("hint:"), "{}", run.stderr);
}

#[test]
fn a_file_that_is_no_database_is_refused_and_left_alone() {
    let cube = Cube::new();
    let not_db = cube.write(
        "notes.txt",
        "just some text, long enough to be looked at by SQLite as a header",
    );
    let run = cube.run(&["--db", &not_db, "stats"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with("cube: error: cannot use"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"));
    assert_eq!(
        fs::read_to_string(&not_db).unwrap(),
        "just some text, long enough to be looked at by SQLite as a header"
    );
}

#[test]
fn a_held_write_lock_makes_cube_exit_75() {
    let cube = Cube::new();
    cube.import_customers("customer_no,name\n1,Ola\n2,Kari\n", &["--campaign", "Vår"])
        .ok();
    cube.run(&["campaign", "create", "Høst"]).ok();
    let holder = rusqlite::Connection::open(cube.db()).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = std::time::Instant::now();
    let run = cube.run(&[
        "--busy-timeout",
        "0.5",
        "move",
        "--to",
        "Høst",
        "--from",
        "Vår",
    ]);
    assert!(started.elapsed() >= std::time::Duration::from_millis(500));
    assert_eq!(run.code, 75, "{}", run.transcript());
    assert!(run.stderr.contains("retry"), "{}", run.stderr);
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);
    // Nothing was half-written, and the same command succeeds when rerun.
    let shown = cube.campaign("Høst");
    assert_eq!(shown["customers"], 0);
    cube.run(&["move", "--to", "Høst", "--from", "Vår"]).ok();
    assert_eq!(cube.campaign("Høst")["customers"], 2);
}

#[test]
fn stats_json_has_the_documented_keys() {
    let cube = Cube::new();
    cube.run(&["init"]).ok();
    let stats = cube.run(&["stats", "--json"]).ok().json();
    for key in [
        "customers",
        "anonymized",
        "active_campaigns",
        "archived_campaigns",
        "outcomes",
        "sales",
        "recordings",
    ] {
        assert_eq!(stats[key], 0, "{key}");
    }
    // Amounts are integers in a documented unit, never guessed at.
    assert_eq!(stats["sales_amount"], 0);
    assert_eq!(stats["amount_unit"], "øre");
}

#[test]
fn closing_stdout_early_is_not_an_error() {
    let cube = Cube::new();
    let names: String = (0..5000).map(|i| format!("Kunde {i}\n")).collect();
    cube.import_customers(&format!("name\n{names}"), &[]).ok();
    let run = cube.piped_into_head("customer list", 1);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(run.stdout.lines().count(), 1);
}

#[test]
fn the_cli_definition_is_consistent() {
    use clap::CommandFactory;
    cube::Cli::command().debug_assert();
}

#[test]
fn a_mistyped_database_path_is_not_created() {
    let cube = Cube::new();
    for args in [
        &["stats"][..],
        &["campaign", "list"],
        &["export", "outcomes"],
        &["doctor"],
    ] {
        let run = cube.run(args);
        assert_eq!(run.code, 1, "{}", run.transcript());
        assert!(
            run.stderr
                .starts_with("cube: error: there is no database at "),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("hint: `cube init` creates one"),
            "{}",
            run.stderr
        );
        assert!(!cube.db().exists());
    }
    // Commands that put data in create it.
    cube.run(&["campaign", "create", "Vår"]).ok();
    assert!(cube.db().exists());
}
