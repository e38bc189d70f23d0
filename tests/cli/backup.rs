//! "I anonymized the wrong customers": backups, restores that keep every other
//! erasure, the restore gate, doctor and the audit log.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::{file_names, mode, Cube};

const A: &[&str] = &["Åse Alfa-Ødegård", "ase@alfa.no", "Alfaveien 1"];
const B: &[&str] = &["Bjørn Beta-Sæther", "bjorn@beta.no", "Betaveien 2"];

fn setup() -> Cube {
    let cube = Cube::new();
    cube.import_customers(
        "customer_no,name,email,address\nA1,Åse Alfa-Ødegård,ase@alfa.no,Alfaveien 1\n",
        &["--campaign", "A"],
    )
    .ok();
    cube.import_customers(
        "customer_no,name,email,address\nB1,Bjørn Beta-Sæther,bjorn@beta.no,Betaveien 2\n",
        &["--campaign", "B"],
    )
    .ok();
    cube
}

fn job_of(cube: &Cube, campaign: &str) -> String {
    let jobs = cube.run(&["jobs", "--json"]).ok().json();
    jobs.as_array()
        .unwrap()
        .iter()
        .find(|j| j["campaign"] == campaign)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn undoing_one_job_brings_back_only_its_customers() {
    let cube = setup();
    let snapshot = cube.path("snap.db");
    let run = cube.run(&["backup", "create", snapshot.to_str().unwrap()]);
    run.ok();
    insta::assert_snapshot!("backup_create", cube.redacted(&run));
    assert_eq!(mode(&snapshot), 0o600);
    cube.run(&["anonymize", "A", "--yes"]).ok();
    cube.run(&["anonymize", "B", "--yes"]).ok();
    let b = job_of(&cube, "B");

    let run = cube.run(&[
        "backup",
        "restore",
        snapshot.to_str().unwrap(),
        "--undo-job",
        &b,
    ]);
    run.ok();
    insta::assert_snapshot!("backup_restore_undoing_a_job", cube.redacted(&run));
    assert!(
        run.stderr.contains(
            "re-applied 1 anonymization job recorded since the snapshot: 1 customer anonymized"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("undid job {b}")),
        "{}",
        run.stderr
    );

    assert_eq!(cube.customer("B1")["name"], "Bjørn Beta-Sæther");
    // Anonymizing A archived it, and so does re-applying that; B is as it was.
    let status = |name: &str| cube.campaign(name)["status"].clone();
    assert_eq!(
        (status("A"), status("B")),
        ("archived".into(), "active".into())
    );
    cube.assert_erased(A);
    for value in B {
        assert!(
            !cube.files_holding(value).is_empty(),
            "{value:?} was not restored"
        );
    }
    assert_eq!(mode(&cube.db()), 0o600);
    // Later checks do not re-apply the undone job.
    cube.run(&["stats"]).ok();
    cube.run(&["doctor"]).ok();
    let run = cube.run(&["audit"]);
    insta::assert_snapshot!("audit_after_undoing_a_job", cube.redacted(&run));
    let audit = cube.run(&["audit", "--json"]).ok().json();
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    // What happened after the snapshot is still in the audit log, then the
    // re-applied job (its own "anonymize"), the undo and the restore.
    assert_eq!(
        actions,
        [
            "anonymize-planned",
            "anonymize",
            "anonymize-planned",
            "anonymize",
            "anonymize",
            "undo",
            "restore"
        ]
    );
}

#[test]
fn restoring_without_the_database_keeps_everyone_erased() {
    let cube = setup();
    let snapshot = cube.path("snap.db");
    cube.run(&["backup", "create", snapshot.to_str().unwrap()])
        .ok();
    cube.run(&["anonymize", "A", "--yes"]).ok();
    for suffix in ["", "-wal", "-shm"] {
        let _ = fs::remove_file(format!("{}{suffix}", cube.db().display()));
    }
    cube.run(&["backup", "restore", snapshot.to_str().unwrap()])
        .ok();
    cube.assert_erased(A);
    // Nothing of the restore's own copy is left: not its lock files either.
    let left = file_names(cube.db().parent().unwrap());
    assert!(left.iter().all(|n| !n.contains(".restore.")), "{left:?}");
    assert_eq!(cube.run(&["stats", "--json"]).ok().json()["anonymized"], 1);
    // The journal alone knows that anonymizing A archived it.
    let shown = cube.campaign("A");
    assert_eq!(shown["status"], "archived");
}

#[test]
fn an_old_backup_copied_by_hand_is_refused_until_replayed() {
    let cube = setup();
    let snapshot = cube.path("snap.db");
    cube.run(&["backup", "create", snapshot.to_str().unwrap()])
        .ok();
    cube.run(&["anonymize", "A", "--yes"]).ok();
    fs::copy(&snapshot, cube.db()).unwrap();

    let run = cube.run(&["stats"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("the database lacks 1 anonymization recorded in its erasure journal"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("cube backup replay"), "{}", run.stderr);
    let run = cube.run(&["doctor"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("lacks 1 erasure its journal records"),
        "{}",
        run.stderr
    );

    cube.run(&["backup", "replay"]).ok();
    assert_eq!(cube.run(&["stats", "--json"]).ok().json()["anonymized"], 1);
    cube.assert_erased(A);
    cube.run(&["doctor"]).ok();
}

#[test]
fn damaged_or_foreign_files_are_refused_and_the_live_database_is_untouched() {
    let cube = setup();
    let snapshot = cube.path("snap.db");
    cube.run(&["backup", "create", snapshot.to_str().unwrap()])
        .ok();
    let good = fs::read(&snapshot).unwrap();
    cube.run(&["stats"]).ok();
    let before = fs::read(cube.db()).unwrap();

    let foreign = cube.path("foreign.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let truncated = cube.write("truncated.db", &good[..good.len() / 3]);
    let text = cube.write("notes.txt", "not a database at all");
    let mut flipped = good.clone();
    let at = good.len() - 16384 + 200;
    flipped[at] ^= 0x01;
    let flipped_path = cube.write("flipped.db", &flipped);
    fs::copy(cube.path("snap.db.sha256"), cube.path("flipped.db.sha256")).unwrap();
    fs::write(
        cube.path("flipped.db.sha256"),
        fs::read_to_string(cube.path("snap.db.sha256"))
            .unwrap()
            .replace("snap.db", "flipped.db"),
    )
    .unwrap();

    for (file, reason) in [
        (
            foreign.to_str().unwrap().to_string(),
            "is not a cube database",
        ),
        (truncated, "is damaged"),
        (text, "is not a SQLite database"),
        (flipped_path, "does not match its checksum"),
    ] {
        let run = cube.run(&["backup", "restore", &file]);
        assert_eq!(run.code, 65, "{file}: {}", run.transcript());
        assert!(run.stderr.contains(reason), "{file}: {}", run.stderr);
        assert!(run.stderr.contains("nothing was changed"), "{}", run.stderr);
        assert_eq!(
            fs::read(cube.db()).unwrap(),
            before,
            "{file} changed the live database"
        );
    }
    let left = file_names(cube.db().parent().unwrap());
    assert!(left.iter().all(|n| !n.ends_with(".tmp")), "{left:?}");
}

#[test]
fn the_checksum_file_works_with_sha256sum() {
    let cube = setup();
    cube.run(&["backup", "create", cube.path("snap.db").to_str().unwrap()])
        .ok();
    let out = std::process::Command::new("sha256sum")
        .arg("-c")
        .arg("snap.db.sha256")
        .current_dir(cube.dir.path())
        .output()
        .expect("sha256sum (coreutils) runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_rolling_set_keeps_the_newest() {
    let cube = setup();
    let dir = cube.path("backups");
    for now in [
        "2026-11-01T10:00:00Z",
        "2026-11-02T10:00:00Z",
        "2026-11-03T10:00:00Z",
    ] {
        let dir = dir.to_str().unwrap();
        let args = ["backup", "create", "--dir", dir, "--keep", "2"];
        cube.run_env(&args, &[("CUBE_NOW", Some(now))]).ok();
    }
    assert_eq!(
        file_names(&dir),
        [
            "cube-20261102T100000Z.db",
            "cube-20261102T100000Z.db.sha256",
            "cube-20261103T100000Z.db",
            "cube-20261103T100000Z.db.sha256"
        ]
    );
    assert_eq!(mode(&dir.join("cube-20261103T100000Z.db")), 0o600);
    // backup list: the two left, oldest first, and when each goes; a file
    // written elsewhere stays until removed by hand.
    let single = cube.path("single.db");
    cube.run(&["backup", "create", single.to_str().unwrap()])
        .ok();
    let listed = cube.run(&["backup", "list", "--json"]).ok().json();
    let shown: Vec<(String, String, serde_json::Value)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let path = b["path"].as_str().unwrap();
            (
                path.rsplit('/').next().unwrap().to_string(),
                b["created_on"].as_str().unwrap().to_string(),
                b["rotates_out_after"].clone(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            (
                "cube-20261102T100000Z.db".into(),
                "2026-11-02".into(),
                1.into()
            ),
            (
                "cube-20261103T100000Z.db".into(),
                "2026-11-03".into(),
                2.into()
            ),
            (
                "single.db".into(),
                "2026-11-29".into(),
                serde_json::Value::Null
            ),
        ]
    );
    let run = cube.run(&["backup", "list"]);
    assert!(
        run.ok().stderr.contains("3 backups are there"),
        "{}",
        run.stderr
    );
    let run = cube.run(&[
        "backup",
        "create",
        dir.join("cube-20261103T100000Z.db").to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "an existing file is never overwritten");
}

/// Two snapshots in the same second: the second is `-1.db`, which sorts
/// before `.db` by name but is the newer, and the one a set of 1 keeps.
#[test]
fn a_rolling_set_of_one_keeps_the_snapshot_just_written() {
    let cube = setup();
    let dir = cube.path("backups");
    let dir = dir.to_str().unwrap();
    let args = ["backup", "create", "--dir", dir, "--keep", "1"];
    cube.run(&args).ok();
    let run = cube.run(&args);
    run.ok();
    assert!(
        run.stderr.contains("cube-20261129T100000Z-1.db"),
        "{}",
        run.stderr
    );
    assert_eq!(
        file_names(&cube.path("backups")),
        [
            "cube-20261129T100000Z-1.db",
            "cube-20261129T100000Z-1.db.sha256"
        ]
    );
    let run = cube.run(&["backup", "create", "--dir", dir, "--keep", "0"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn doctor_finds_residue_and_loose_files() {
    let cube = setup();
    let run = cube.run(&["doctor"]);
    run.ok();
    insta::assert_snapshot!("doctor_on_a_healthy_database", cube.redacted(&run));
    assert!(
        run.stdout.contains("secure_delete       1"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("healthy"), "{}", run.stderr);
    // For cron: nothing at all when healthy.
    let run = cube.run(&["-q", "doctor"]);
    run.ok();
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));

    cube.write("data/recordings/call.wav", b"RIFF");
    cube.write("data/recordings/stray.wav", b"RIFF");
    cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome,recording\nA1,A,kari,2026-11-01,Sale,call.wav\n",
        &[],
    )
    .ok();
    fs::remove_file(cube.path("data/recordings/call.wav")).unwrap();
    fs::set_permissions(cube.db(), fs::Permissions::from_mode(0o644)).unwrap();
    let run = cube.run(&["doctor", "--json"]);
    assert_eq!(run.code, 1);
    let report = run.json();
    let findings: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        findings.contains(&"1 recording row points at no file"),
        "{findings:?}"
    );
    assert!(
        findings.iter().any(|f| f.starts_with("1 file in")),
        "{findings:?}"
    );
    assert!(
        findings.iter().any(|f| f.contains("is readable by others")),
        "{findings:?}"
    );
    assert_eq!(report["settings"]["journal_mode"], "wal");
}

#[test]
fn the_audit_log_says_who_did_what_without_personal_data() {
    let cube = setup();
    cube.run(&["--operator", "mari", "archive", "B", "--keep-customers"])
        .ok();
    cube.run(&["--operator", "mari", "anonymize", "A", "--yes"])
        .ok();
    let run = cube.run(&["audit"]);
    run.ok();
    for value in A.iter().chain(B) {
        assert!(!run.stdout.contains(value), "{value:?} in the audit log");
    }
    let audit = cube.run(&["audit", "--json"]).ok().json();
    let rows: Vec<(String, String, String)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["operator"].as_str().unwrap().into(),
                e["action"].as_str().unwrap().into(),
                e["campaign"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("mari".into(), "archive".into(), "B".into()),
            ("mari".into(), "anonymize-planned".into(), "A".into()),
            ("mari".into(), "anonymize".into(), "A".into())
        ]
    );
    assert_eq!(
        cube.run(&["audit", "--since", "2026-12-01", "--json"])
            .ok()
            .json(),
        serde_json::json!([])
    );
}

#[test]
fn doctor_counts_the_lines_of_the_erasure_journal_that_cannot_be_read() {
    let cube = Cube::new();
    cube.import_customers(
        "customer_no,name\nA-00001,Kari Nord\n",
        &["--campaign", "Vår"],
    )
    .ok();
    cube.run(&["anonymize", "Vår", "--yes"]).ok();
    cube.run(&["doctor"]).ok();
    // A line cut short by a crash or a full disk.
    let mut journal = cube.db().into_os_string();
    journal.push(".erasures");
    let mut file = fs::OpenOptions::new().append(true).open(&journal).unwrap();
    std::io::Write::write_all(&mut file, b"{\"job\":\"c\",\"at\":").unwrap();
    let run = cube.run(&["doctor"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.transcript()
            .contains("1 line of the erasure journal cannot be read"),
        "{}",
        run.transcript()
    );
}
