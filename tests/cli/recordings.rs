//! The recordings folder: anonymizing deletes every copy of a person's
//! recordings it controls (DESIGN.md, promise 11).

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use crate::Cube;

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
    cube.run(&["anonymize", "Hemmelig"]).ok();
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

    let run = cube.run(&["anonymize", "Hemmelig", "--json"]);
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
