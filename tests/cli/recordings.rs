//! The recordings folder: anonymizing deletes every copy of a person's
//! recordings it controls (DESIGN.md, promise 11), and never counts a file as
//! deleted in a folder that is not the database's own.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use crate::{mode, Cube};

const RECORDINGS: &str = "data/recordings";

fn setup() -> Cube {
    let cube = Cube::new();
    cube.import_customers(
        "customer_no,name\nH-1,Kåre Ødegård\nH-2,Åse Lie\n",
        &["--campaign", "Hemmelig"],
    )
    .ok();
    cube.import_customers(
        "customer_no,name\nK-1,Per Kontroll\n",
        &["--campaign", "Kontroll"],
    )
    .ok();
    cube
}

/// Writes each recording file under the recordings folder and imports an
/// outcome with it: (customer number, campaign, recording path).
fn record(cube: &Cube, rows: &[(&str, &str, &str)]) {
    let mut csv = String::from("customer_no,campaign,seller,date,outcome,recording\n");
    for (customer, campaign, path) in rows {
        let file = cube.path(RECORDINGS).join(path);
        if fs::symlink_metadata(&file).is_err() {
            cube.write(&format!("{RECORDINGS}/{path}"), b"RIFF");
        }
        csv.push_str(&format!(
            "{customer},{campaign},kari,2026-11-01,Sale,{path}\n"
        ));
    }
    cube.import("outcomes", &csv, &[]).ok();
}

fn count(cube: &Cube, table: &str) -> i64 {
    cube.sql(&format!("SELECT count(*) FROM {table}"))
}

/// Every name below `dir`, as `find DIR -mindepth 1` lists them: raw, so that
/// a folder left behind shows as well as a file.
fn listing(dir: &Path) -> String {
    let out = std::process::Command::new("find")
        .arg(dir)
        .arg("-mindepth")
        .arg("1")
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_wrong_recordings_folder_refuses_before_anything_is_erased() {
    let cube = setup();
    record(
        &cube,
        &[
            ("H-1", "Hemmelig", "2026/call-4791234567.wav"),
            ("K-1", "Kontroll", "2026/call-kontroll.wav"),
        ],
    );
    // The folder knows its database.
    let marker = cube.path(RECORDINGS).join(".cube-recordings");
    assert_eq!(mode(&marker), 0o600);
    let id: String = cube.sql("SELECT value FROM settings WHERE key = 'database_id'");
    let written = fs::read_to_string(&marker).unwrap();
    let db = cube.db().canonicalize().unwrap();
    assert_eq!(written, format!("{id}\n{}\n", db.display()));

    fs::create_dir_all(cube.path("empty")).unwrap();
    cube.write(
        "other/.cube-recordings",
        "00000000-0000-4000-8000-000000000000\n",
    );
    for (dir, said) in [
        (
            "empty",
            "empty is not this database's recordings folder: it has no .cube-recordings marker",
        ),
        ("missing", "missing does not exist"),
        (
            "other",
            "other is not this database's recordings folder: it belongs to another cube database",
        ),
    ] {
        let dir = cube.path(dir);
        let dir = dir.to_str().unwrap();
        for run in [
            cube.run_env(
                &["anonymize", "Hemmelig", "--yes"],
                &[("CUBE_RECORDINGS_DIR", Some(dir))],
            ),
            cube.run(&[
                "--recordings-dir",
                dir,
                "archive",
                "Hemmelig",
                "--anonymize",
            ]),
        ] {
            assert_eq!(run.code, 1, "{}", run.transcript());
            assert!(run.stderr.contains(said), "{}", run.stderr);
            assert!(run.stderr.contains("nothing was changed"), "{}", run.stderr);
        }
        let doctor = cube.run(&["--recordings-dir", dir, "doctor", "--json"]);
        assert_eq!(doctor.code, 1, "{}", doctor.transcript());
        let findings = doctor.json()["findings"].to_string();
        assert!(findings.contains(said), "{findings}");
    }
    // Nothing was erased, archived, planned or claimed.
    let shown = cube.campaign("Hemmelig");
    assert_eq!(
        (shown["status"].as_str(), shown["anonymized"].as_i64()),
        (Some("active"), Some(0))
    );
    assert_eq!(cube.customer("H-1")["name"], "Kåre Ødegård");
    assert_eq!(count(&cube, "jobs"), 0);
    assert_eq!(count(&cube, "recordings"), 2);
    assert_eq!(count(&cube, "audit"), 0);
    assert!(cube
        .path(RECORDINGS)
        .join("2026/call-4791234567.wav")
        .exists());

    // The right folder.
    let run = cube.run(&["anonymize", "Hemmelig", "--yes"]);
    assert!(
        run.ok().stderr.contains("deleted 1 recording file;"),
        "{}",
        run.stderr
    );
    assert!(!cube
        .path(RECORDINGS)
        .join("2026/call-4791234567.wav")
        .exists());
    assert!(cube
        .path(RECORDINGS)
        .join("2026/call-kontroll.wav")
        .exists());
    cube.run(&["doctor"]).ok();
}

/// A job whose customers are done and whose files are still to delete keeps
/// its to-do list through a run with the wrong folder, and finishes with the
/// right one.
#[test]
fn a_job_resumes_its_file_deletions_only_in_the_right_folder() {
    let cube = setup();
    record(
        &cube,
        &[
            ("H-1", "Hemmelig", "2026/call-4791234567.wav"),
            ("H-2", "Hemmelig", "2026/call-4798765432.wav"),
        ],
    );
    // A recording whose name no file system takes stops the deletions at
    // the start of the list (first by id and by name), after every batch.
    let long = "0".repeat(300);
    let conn = rusqlite::Connection::open(cube.db()).unwrap();
    conn.execute(
        "INSERT INTO recordings (id, customer_id, path, created_at) \
         SELECT 0, id, ?1, '2026-11-01T00:00:00Z' FROM customers WHERE customer_no = 'H-1'",
        [&long],
    )
    .unwrap();
    drop(conn);
    let run = cube.run(&["anonymize", "Hemmelig", "--yes"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("the job will retry it when resumed"),
        "{}",
        run.stderr
    );
    assert_eq!(cube.campaign("Hemmelig")["anonymized"], 2);
    assert_eq!(count(&cube, "recording_deletions"), 3);

    let empty = cube.path("empty");
    fs::create_dir_all(&empty).unwrap();
    let run = cube.run(&[
        "jobs",
        "resume",
        "--recordings-dir",
        empty.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("is not this database's recordings folder"),
        "{}",
        run.stderr
    );
    assert_eq!(
        count(&cube, "recording_deletions"),
        3,
        "the to-do list stays"
    );
    assert!(cube
        .path(RECORDINGS)
        .join("2026/call-4791234567.wav")
        .exists());
    assert_eq!(
        cube.run(&["jobs", "--json"]).ok().json()[0]["state"],
        "interrupted",
        "no cube runs it now"
    );

    // The operator renames the stuck entry, and resumes in the right folder:
    // an entry whose file is gone counts as done.
    let conn = rusqlite::Connection::open(cube.db()).unwrap();
    conn.execute(
        "UPDATE recording_deletions SET path = 'gone.wav' WHERE length(path) > 255",
        [],
    )
    .unwrap();
    drop(conn);
    let right = cube.path(RECORDINGS);
    cube.run(&[
        "jobs",
        "resume",
        "--recordings-dir",
        right.to_str().unwrap(),
    ])
    .ok();
    assert_eq!(count(&cube, "recording_deletions"), 0);
    assert_eq!(
        listing(&right),
        format!("{}/.cube-recordings\n", right.display())
    );
    assert_eq!(
        cube.run(&["jobs", "--json"]).ok().json()[0]["state"],
        "done"
    );
}

#[test]
fn a_database_from_before_markers_proves_its_folder_by_its_files() {
    let cube = setup();
    record(&cube, &[("H-1", "Hemmelig", "2026/call-4791234567.wav")]);
    // As a cube without markers left it: no id, no marker.
    let marker = cube.path(RECORDINGS).join(".cube-recordings");
    fs::remove_file(&marker).unwrap();
    let conn = rusqlite::Connection::open(cube.db()).unwrap();
    conn.execute("DELETE FROM settings WHERE key = 'database_id'", [])
        .unwrap();
    drop(conn);

    fs::create_dir_all(cube.path("empty")).unwrap();
    let empty = cube.path("empty");
    let run = cube.run(&[
        "--recordings-dir",
        empty.to_str().unwrap(),
        "anonymize",
        "Hemmelig",
        "--yes",
    ]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("it has no marker and holds none of the database's recording files"),
        "{}",
        run.stderr
    );
    assert!(!empty.join(".cube-recordings").exists());

    // Its own folder holds its files: the first check writes the marker.
    cube.run(&["anonymize", "Hemmelig", "--yes"]).ok();
    let id: String = cube.sql("SELECT value FROM settings WHERE key = 'database_id'");
    let written = fs::read_to_string(&marker).unwrap();
    let db = cube.db().canonicalize().unwrap();
    assert_eq!(written, format!("{id}\n{}\n", db.display()));
    assert!(!cube
        .path(RECORDINGS)
        .join("2026/call-4791234567.wav")
        .exists());
}

/// Most databases have no recordings: no folder is needed, and none is
/// checked.
#[test]
fn a_database_without_recordings_needs_no_folder() {
    let cube = setup();
    let missing = cube.path("missing");
    let missing = missing.to_str().unwrap();
    cube.run(&[
        "--recordings-dir",
        missing,
        "anonymize",
        "Hemmelig",
        "--yes",
    ])
    .ok();
    cube.run(&["--recordings-dir", missing, "doctor"]).ok();
    assert!(!cube.path("missing").exists());
    // Nor is another database's folder refused while it deletes nothing.
    cube.write(
        "other/.cube-recordings",
        "00000000-0000-4000-8000-000000000000\n",
    );
    let other = cube.path("other");
    cube.run(&[
        "--recordings-dir",
        other.to_str().unwrap(),
        "anonymize",
        "Kontroll",
        "--yes",
    ])
    .ok();
    // But recordings are not imported into it.
    cube.import_customers("customer_no,name\nN-1,Nils Ny\n", &[])
        .ok();
    cube.write("other/call.wav", b"RIFF");
    let run = cube.run(&[
        "--recordings-dir",
        other.to_str().unwrap(),
        "import",
        "outcomes",
        &cube.write(
            "o.csv",
            "customer_no,campaign,seller,date,outcome,recording\nN-1,Vinter,kari,2026-11-01,Sale,call.wav\n",
        ),
    ]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("belongs to another cube database"),
        "{}",
        run.stderr
    );
    assert_eq!(count(&cube, "outcomes"), 0);
}

/// Recordings often sit in folders named after the person: the folders a
/// deletion empties go with it, up to the recordings folder.
#[test]
fn folders_named_after_people_go_with_their_recordings() {
    let cube = setup();
    record(
        &cube,
        &[
            ("H-1", "Hemmelig", "2026/Kåre Ødegård 99887766/call.wav"),
            (
                "H-1",
                "Hemmelig",
                "2026/Kåre Ødegård 99887766/oppfølging/call-2.wav",
            ),
            ("H-2", "Hemmelig", "2025/Åse Lie 41234567/call.wav"),
            ("K-1", "Kontroll", "2026/Per Kontroll/call.wav"),
        ],
    );
    // What file managers leave behind does not keep a folder, or its name.
    for litter in [
        "2026/Kåre Ødegård 99887766/.DS_Store",
        "2026/Kåre Ødegård 99887766/oppfølging/._call-2.wav",
        "2025/Åse Lie 41234567/Thumbs.db",
    ] {
        cube.write(&format!("{RECORDINGS}/{litter}"), b"litter");
    }
    cube.run(&["anonymize", "Hemmelig", "--yes"]).ok();
    let root = cube.path(RECORDINGS);
    let left = listing(&root);
    for name in [
        "Kåre",
        "Ødegård",
        "99887766",
        "Åse",
        "41234567",
        "2025",
        "oppfølging",
    ] {
        assert!(!left.contains(name), "{name:?} is left in:\n{left}");
    }
    let root = root.display();
    assert_eq!(
        left.lines().collect::<std::collections::BTreeSet<_>>(),
        [
            format!("{root}/.cube-recordings"),
            format!("{root}/2026"),
            format!("{root}/2026/Per Kontroll"),
            format!("{root}/2026/Per Kontroll/call.wav"),
        ]
        .iter()
        .map(String::as_str)
        .collect()
    );
    cube.run(&["doctor"]).ok();
}

/// A link takes the file it leads to inside the folder along; a file with
/// other names is counted; a file two customers share goes with the first,
/// and the other's row with it.
#[test]
fn links_and_shared_files_go_with_the_first_customer() {
    let cube = setup();
    let root = cube.path(RECORDINGS);
    cube.write(
        &format!("{RECORDINGS}/arkiv/Kåre Ødegård/samtale.wav"),
        b"RIFF kare",
    );
    fs::create_dir_all(root.join("2026")).unwrap();
    symlink(
        "../arkiv/Kåre Ødegård/samtale.wav",
        root.join("2026/kare.wav"),
    )
    .unwrap();
    cube.write(&format!("{RECORDINGS}/2026/ase.wav"), b"RIFF ase");
    fs::hard_link(root.join("2026/ase.wav"), cube.path("ase-copy.wav")).unwrap();
    record(
        &cube,
        &[
            ("H-1", "Hemmelig", "2026/kare.wav"),
            ("H-2", "Hemmelig", "2026/ase.wav"),
            ("H-2", "Hemmelig", "delt/konferanse.wav"),
            ("K-1", "Kontroll", "delt/konferanse.wav"),
            ("K-1", "Kontroll", "arkiv/Kåre Ødegård/samtale.wav"),
            ("K-1", "Kontroll", "2026/per.wav"),
        ],
    );
    let doctor = cube.run(&["doctor", "--json"]);
    assert_eq!(doctor.code, 1, "{}", doctor.transcript());
    let findings = doctor.json()["findings"].to_string();
    assert!(
        findings.contains("1 recording file has other names (hard links)"),
        "{findings}"
    );

    let run = cube.run(&["anonymize", "Hemmelig", "--json", "--yes"]);
    run.ok();
    assert!(
        run.stderr
            .contains("2 recordings of other customers named a deleted file and went with it"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("1 deleted recording file has other names (hard links)"),
        "{}",
        run.stderr
    );
    let report = &run.json()[0];
    assert_eq!(
        (
            report["recordings_deleted"].as_i64(),
            report["recordings_other_names"].as_i64(),
            report["recordings_shared"].as_i64()
        ),
        (Some(3), Some(1), Some(2))
    );
    let left = listing(&root);
    for name in [
        "kare.wav",
        "samtale.wav",
        "Kåre",
        "ase.wav",
        "delt",
        "konferanse",
    ] {
        assert!(!left.contains(name), "{name:?} is left in:\n{left}");
    }
    assert!(root.join("2026/per.wav").exists());
    assert_eq!(
        cube.sql::<String>("SELECT group_concat(path) FROM recordings"),
        "2026/per.wav",
        "only the control's own recording is left"
    );
    let audit = cube.run(&["audit", "--json"]).ok().json();
    let details = &audit.as_array().unwrap().last().unwrap()["details"];
    assert_eq!(
        (
            details["recordings_other_names"].as_i64(),
            details["recordings_shared"].as_i64()
        ),
        (Some(1), Some(2))
    );
    // What is said and kept counts, and never names.
    let said = run.stdout.clone() + &run.stderr + &audit.to_string();
    for name in ["Kåre", "ase.wav", "konferanse", "2026/"] {
        assert!(!said.contains(name), "{name:?} in:\n{said}");
    }
    cube.run(&["doctor"]).ok();
}

/// A snapshot written beside the database and opened with `--db` has the
/// database's id and finds its recordings folder: an erasure there must not
/// delete the live database's recordings. A database moved to another name
/// keeps its folder.
#[test]
fn a_copy_of_the_database_leaves_the_recordings_of_the_original_alone() {
    let cube = setup();
    record(&cube, &[("H-1", "Hemmelig", "2026/call-4791234567.wav")]);
    let copy = cube.db().with_file_name("copy.db");
    cube.run(&["backup", "create", copy.to_str().unwrap()]).ok();
    let file = cube.path(RECORDINGS).join("2026/call-4791234567.wav");
    let dry = cube.run(&[
        "--db",
        copy.to_str().unwrap(),
        "customer",
        "forget",
        "H-1",
        "--dry-run",
    ]);
    assert!(
        dry.ok().stderr.contains("the run would be refused"),
        "{}",
        dry.stderr
    );
    let run = cube.run(&[
        "--db",
        copy.to_str().unwrap(),
        "customer",
        "forget",
        "H-1",
        "--yes",
    ]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("of which this database is a copy"),
        "{}",
        run.stderr
    );
    assert!(file.exists(), "the original's recording is gone");
    let wal = format!("{}-wal", cube.db().display());
    assert!(!std::path::Path::new(&wal).exists(), "the check left {wal}");

    // Moved: the folder follows the database.
    let moved = cube.db().with_file_name("moved.db");
    for suffix in ["", ".erasures"] {
        let from = format!("{}{suffix}", cube.db().display());
        if std::path::Path::new(&from).exists() {
            fs::rename(&from, format!("{}{suffix}", moved.display())).unwrap();
        }
    }
    cube.run(&[
        "--db",
        moved.to_str().unwrap(),
        "customer",
        "forget",
        "H-1",
        "--yes",
    ])
    .ok();
    assert!(!file.exists());
}
