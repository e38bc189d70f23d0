//! The counts `stats`, `campaign list` and `campaign show` print are kept as
//! the data changes, not counted on every call: after every kind of write
//! they must still be what counting the rows gives. `doctor` finds a kept
//! count that is wrong, and `doctor --repair` counts again.

use std::fs;

use crate::Cube;

/// What `stats --json` must say, counted from the rows directly.
const TOTALS: &[(&str, &str)] = &[
    ("customers", "SELECT count(*) FROM customers"),
    (
        "anonymized",
        "SELECT count(*) FROM customers WHERE anonymized_at IS NOT NULL",
    ),
    (
        "active_campaigns",
        "SELECT count(*) FROM campaigns WHERE status = 'active'",
    ),
    (
        "archived_campaigns",
        "SELECT count(*) FROM campaigns WHERE status = 'archived'",
    ),
    ("outcomes", "SELECT count(*) FROM outcomes"),
    ("sales", "SELECT count(*) FROM sales"),
    (
        "sales_amount",
        "SELECT coalesce(sum(quantity * unit_price), 0) FROM sales",
    ),
    ("recordings", "SELECT count(*) FROM recordings"),
    ("history", "SELECT count(*) FROM history"),
    ("sellers", "SELECT count(*) FROM sellers"),
];

/// Fails unless `stats`, `campaign list --all` and `campaign show` say what
/// counting the database's rows says, and `doctor` finds no kept count wrong.
#[track_caller]
pub fn assert_counted(cube: &Cube) {
    let stats = cube.run(&["stats", "--json"]).ok().json();
    for (key, sql) in TOTALS {
        assert_eq!(stats[key].as_i64(), Some(cube.sql::<i64>(sql)), "{key}");
    }
    let conn = rusqlite::Connection::open(cube.db()).unwrap();
    let count = |name: &str, condition: &str| -> i64 {
        conn.query_row(
            &format!(
                "SELECT count(*) FROM customers c JOIN campaigns k ON k.id = c.campaign_id \
                 WHERE k.name = ?1 AND {condition}"
            ),
            [name],
            |r| r.get(0),
        )
        .unwrap()
    };
    let listed = cube
        .run(&["campaign", "list", "--all", "--json"])
        .ok()
        .json();
    let listed = listed.as_array().unwrap();
    assert_eq!(
        listed.len() as i64,
        cube.sql::<i64>("SELECT count(*) FROM campaigns")
    );
    for campaign in listed {
        let name = campaign["name"].as_str().unwrap();
        let shown = cube.campaign(name);
        for counts in [campaign, &shown] {
            let expected = [
                ("customers", count(name, "1")),
                ("anonymized", count(name, "c.anonymized_at IS NOT NULL")),
            ]
            .into_iter()
            .chain(["available", "assigned", "completed"].map(|stage| {
                let not_anonymized = format!("c.stage = '{stage}' AND c.anonymized_at IS NULL");
                (stage, count(name, &not_anonymized))
            }));
            for (key, want) in expected {
                let got = counts.get(key).unwrap_or(&counts["stages"][key]);
                assert_eq!(got.as_i64(), Some(want), "{name:?} {key}");
            }
        }
    }
    let doctor = cube.run(&["doctor", "--json"]).json();
    let wrong: Vec<&serde_json::Value> = doctor["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.as_str().unwrap().contains("kept count"))
        .collect();
    assert!(wrong.is_empty(), "{wrong:?}");
}

fn customers(numbers: std::ops::RangeInclusive<u32>) -> String {
    let rows: String = numbers.map(|i| format!("K{i},Kunde {i}\n")).collect();
    format!("customer_no,name\n{rows}")
}

/// Ten customers in Vår, three in no campaign, and an empty Høst.
fn setup() -> Cube {
    let cube = Cube::new();
    cube.import_customers(&customers(1..=10), &["--campaign", "Vår"])
        .ok();
    cube.import_customers(&customers(11..=13), &[]).ok();
    cube.run(&["campaign", "create", "Høst"]).ok();
    assert_counted(&cube);
    cube
}

#[test]
fn customer_imports_keep_the_counts() {
    let cube = setup();
    assert_eq!(cube.campaign("Vår")["stages"]["available"], 10);

    // A dry run counts nothing, and makes no campaign.
    cube.import_customers(&customers(20..=22), &["--campaign", "Tørr", "--dry-run"])
        .ok();
    assert_counted(&cube);

    // Known customers written over are moved into the import's campaign;
    // a new one is placed there; a bad row is left out.
    let csv = format!(
        "{}K2,Kunde 2\nK30,Kunde 30\n,\n",
        customers(1..=1).replace("Kunde 1", "Kunde En")
    );
    cube.import_customers(
        &csv,
        &[
            "--campaign",
            "Høst",
            "--on-duplicate",
            "update",
            "--skip-invalid",
            "--rejects",
            cube.path("rejects.csv").to_str().unwrap(),
        ],
    )
    .ok();
    assert_eq!(cube.campaign("Høst")["stages"]["available"], 3);
    assert_counted(&cube);

    // Every row a duplicate, skipped: the campaign the import made goes again.
    cube.import_customers(
        &customers(1..=2),
        &["--campaign", "Ingen", "--on-duplicate", "skip"],
    )
    .ok();
    assert!(cube.run(&["campaign", "show", "Ingen"]).code != 0);
    assert_counted(&cube);
}

#[test]
fn outcome_and_history_imports_keep_the_counts() {
    let cube = setup();
    cube.write("data/recordings/2026/call-1.wav", b"RIFF");
    let run = cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome,product,quantity,unit_price,recording\n\
         K1,Vår,kari,2026-11-01,Sale,Fiber 500,2,599.00,2026/call-1.wav\n\
         K1,Vår,kari,2026-11-02,Sale,Ruter,1,99.50,\n\
         K2,Høst,ola,2026-11-02,Not interested,,,,\n\
         K11,Telefonsalg,per,2026-11-03,Call back,,,,\n\
         K12,Vår,kari,2026-11-03,No answer,,,,\n",
        &["--json"],
    );
    run.ok();
    assert_eq!(run.json()["imported"], 5);
    // K1 completed in Vår; K2 stays available in Vår (the outcome is
    // Høst's); K11 and K12 were in no campaign: placed, completed.
    assert_eq!(cube.campaign("Vår")["stages"]["completed"], 2);
    assert_eq!(cube.campaign("Telefonsalg")["stages"]["completed"], 1);
    assert_counted(&cube);

    // The same file again: all skipped, nothing counted twice.
    cube.run(&[
        "import",
        "outcomes",
        cube.path("outcomes.csv").to_str().unwrap(),
    ])
    .ok();
    assert_counted(&cube);

    cube.import(
        "history",
        "customer_no,date,kind,text\nK1,2026-11-01,call,Ringte\nK13,2026-11-02,note,Notat\n",
        &[],
    )
    .ok();
    assert_eq!(cube.run(&["stats", "--json"]).ok().json()["history"], 2);
    assert_counted(&cube);

    // An assigned customer, completed by the second of two rows.
    cube.run(&["assign", "Vår", "--seller", "kari", "--count", "1"])
        .ok();
    assert_eq!(cube.campaign("Vår")["stages"]["assigned"], 1);
    cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome\n\
         K2,Høst,ola,2026-11-04,No answer\n\
         K2,Vår,kari,2026-11-04,Sale\n\
         K2,Vår,kari,2026-11-05,Sale\n",
        &[],
    )
    .ok();
    assert_eq!(cube.campaign("Vår")["stages"]["assigned"], 0);
    assert_eq!(cube.campaign("Vår")["stages"]["completed"], 3);
    assert_counted(&cube);

    // A dry run counts nothing.
    cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome,product,unit_price\nK3,Vår,nina,2026-11-05,Sale,Fiber,100\n",
        &["--dry-run"],
    )
    .ok();
    assert_counted(&cube);
}

#[test]
fn moves_and_assigns_keep_the_counts() {
    let cube = setup();
    cube.run(&["assign", "Vår", "--seller", "kari", "--count", "4"])
        .ok();
    assert_counted(&cube);
    cube.run(&[
        "move",
        "--to",
        "Høst",
        "--customer",
        "K1",
        "--customer",
        "K11",
    ])
    .ok();
    assert_counted(&cube);
    cube.run(&["move", "--to", "Høst", "--from", "Vår", "--dry-run"])
        .ok();
    assert_counted(&cube);
    cube.run(&[
        "move", "--to", "Høst", "--from", "Vår", "--stage", "assigned",
    ])
    .ok();
    assert_eq!(cube.campaign("Vår")["stages"]["assigned"], 0);
    assert_eq!(cube.campaign("Høst")["customers"], 5);
    assert_counted(&cube);
}

#[test]
fn archiving_and_anonymizing_keep_the_counts() {
    let cube = setup();
    cube.write("data/recordings/call-1.wav", b"RIFF");
    cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome,product,unit_price,recording\n\
         K1,Vår,kari,2026-11-01,Sale,Fiber,599.00,call-1.wav\n",
        &[],
    )
    .ok();
    cube.run(&["assign", "Vår", "--seller", "kari", "--count", "3"])
        .ok();
    cube.run(&["archive", "Høst", "--keep-customers"]).ok();
    assert_counted(&cube);
    cube.run(&["reactivate", "Høst"]).ok();
    assert_counted(&cube);

    cube.run(&["archive", "Vår", "--anonymize", "--yes"]).ok();
    let shown = cube.campaign("Vår");
    assert_eq!(
        (shown["customers"].as_i64(), shown["anonymized"].as_i64()),
        (Some(10), Some(10))
    );
    assert_eq!(shown["stages"]["available"], 0);
    assert_eq!(cube.run(&["stats", "--json"]).ok().json()["recordings"], 0);
    assert_counted(&cube);

    // In several batches, and a campaign with nobody left to anonymize.
    cube.import_customers(&customers(40..=44), &["--campaign", "Høst"])
        .ok();
    cube.run_env(
        &["anonymize", "Høst", "--yes"],
        &[("CUBE_BATCH_SIZE", Some("2"))],
    )
    .ok();
    cube.run(&["anonymize", "Vår", "--yes"]).ok();
    assert_counted(&cube);
}

#[test]
fn forgetting_one_person_keeps_the_counts() {
    let cube = setup();
    cube.run(&["assign", "Vår", "--seller", "kari", "--count", "1"])
        .ok();
    // One in a campaign (assigned), one in none.
    cube.run(&["customer", "forget", "K1", "K12", "--yes"]).ok();
    let shown = cube.campaign("Vår");
    assert_eq!(
        (
            shown["customers"].as_i64(),
            shown["anonymized"].as_i64(),
            shown["stages"]["assigned"].as_i64()
        ),
        (Some(10), Some(1), Some(0))
    );
    assert_eq!(cube.run(&["stats", "--json"]).ok().json()["anonymized"], 2);
    assert_counted(&cube);
}

#[test]
fn a_restore_counts_the_snapshot_again() {
    let cube = setup();
    let snapshot = cube.path("snap.db");
    cube.run(&["backup", "create", snapshot.to_str().unwrap()])
        .ok();
    // After the snapshot: more customers, and an anonymization the restore
    // re-applies.
    cube.import_customers(&customers(50..=59), &["--campaign", "Høst"])
        .ok();
    cube.run(&["customer", "forget", "K2", "--yes"]).ok();

    // The snapshot's kept counts are wrong (and its checksum file gone, as
    // if written by hand): the restore does not take them.
    let conn = rusqlite::Connection::open(&snapshot).unwrap();
    conn.execute_batch(
        "UPDATE totals SET customers = 1000, outcomes = 7; \
         UPDATE campaign_counts SET available = 99;",
    )
    .unwrap();
    drop(conn);
    fs::remove_file(cube.path("snap.db.sha256")).unwrap();

    cube.run(&["backup", "restore", snapshot.to_str().unwrap()])
        .ok();
    let stats = cube.run(&["stats", "--json"]).ok().json();
    assert_eq!(
        (stats["customers"].as_i64(), stats["anonymized"].as_i64()),
        (Some(13), Some(1))
    );
    assert_eq!(cube.campaign("Vår")["stages"]["available"], 9);
    assert_counted(&cube);
}

#[test]
fn doctor_finds_wrong_counts_and_repair_counts_again() {
    let cube = setup();
    cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome\nK1,Vår,kari,2026-11-01,Call back\n",
        &[],
    )
    .ok();
    let conn = rusqlite::Connection::open(cube.db()).unwrap();
    conn.execute_batch(
        "UPDATE totals SET outcomes = outcomes + 5, customers = customers - 1; \
         UPDATE campaign_counts SET available = 0 \
           WHERE campaign_id = (SELECT id FROM campaigns WHERE name = 'Vår');",
    )
    .unwrap();
    let run = cube.run(&["doctor"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!("doctor_with_wrong_counts", cube.redacted(&run));

    let run = cube.run(&["doctor", "--repair"]);
    run.ok();
    assert!(
        run.stderr
            .contains("repaired: counted the data again, where 3 kept counts differed"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("healthy: no findings"),
        "{}",
        run.stderr
    );
    assert_counted(&cube);

    // Counts lost altogether: stats says what to do, and the repair makes them.
    conn.execute_batch("DELETE FROM totals; DELETE FROM campaign_counts;")
        .unwrap();
    let run = cube.run(&["stats"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("lost its kept counts") && run.stderr.contains("cube doctor --repair"),
        "{}",
        run.stderr
    );
    let run = cube.run(&["doctor", "--json"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let findings = run.json()["findings"].to_string();
    assert!(
        findings.contains("kept count: the totals are missing")
            && findings.contains("campaign \\\"Vår\\\" available is 0, counted 9"),
        "{findings}"
    );
    cube.run(&["doctor", "--repair", "-q"]).ok();
    assert_counted(&cube);
}

#[test]
fn a_repair_leaves_other_findings_to_the_operator() {
    let cube = setup();
    let conn = rusqlite::Connection::open(cube.db()).unwrap();
    conn.execute_batch("UPDATE totals SET sellers = 3").unwrap();
    cube.write("data/recordings/stray.wav", b"RIFF");
    cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome,recording\nK1,Vår,kari,2026-11-01,Sale,stray.wav\n",
        &[],
    )
    .ok();
    fs::remove_file(cube.path("data/recordings/stray.wav")).unwrap();
    let run = cube.run(&["doctor", "--repair", "--json"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let report = run.json();
    assert_eq!(
        report["repaired"],
        serde_json::json!(["sellers is 4, counted 1"])
    );
    assert_eq!(
        report["findings"],
        serde_json::json!(["1 recording row points at no file"])
    );
}
