use crate::Cube;

#[test]
fn the_demo_is_realistic_and_deterministic() {
    let cube = Cube::new();
    let run = cube.run_env(
        &["demo", "--customers", "400", "--seed", "7"],
        &[("CUBE_DB", None)],
    );
    run.ok();
    let stderr = run.stderr.clone();
    // The export it shows is its first lines: the header and five rows.
    let exported: Vec<&str> = run
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("date,"))
        .collect();
    assert_eq!(exported.len(), 6, "{}", run.stdout);
    let demo_db = cube.path("home/.local/share/cube/demo/demo.db");
    assert!(
        stderr.contains(&format!("export CUBE_DB={}", demo_db.display())),
        "{stderr}"
    );

    let db = demo_db.to_str().unwrap();
    let at = |args: &[&str]| cube.run_env(args, &[("CUBE_DB", Some(db))]).ok().json();
    let stats = at(&["stats", "--json"]);
    assert_eq!(stats["customers"], 400);
    // The stale campaign was archived and its customers anonymized.
    assert_eq!(stats["archived_campaigns"], 2);
    let stale_count: i64 = cube.sql_at(&demo_db, "SELECT count(*) FROM customers c JOIN campaigns k ON k.id = c.campaign_id WHERE k.name = 'Julekampanje 2025'");
    assert_eq!(stats["anonymized"], stale_count);
    let stdout = run.stdout.clone();
    assert!(
        stdout.contains("Anonymized customers in the dataset"),
        "{stdout}"
    );
    assert!(
        stdout.contains(",Julekampanje 2025,") && stdout.contains(",Anonymized,"),
        "{stdout}"
    );
    assert!(stats["outcomes"].as_u64().unwrap() > 100, "{stats}");
    assert!(stats["sales"].as_u64().unwrap() > 20, "{stats}");
    assert!(stats["recordings"].as_u64().unwrap() > 5, "{stats}");
    let campaigns = at(&["campaign", "list", "--all", "--json"]);
    let stale = campaigns
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Julekampanje 2025")
        .unwrap();
    assert!(
        stale["last_activity_at"].as_str().unwrap() < "2026-10-29",
        "{stale}"
    );
    let names = at(&["customer", "list", "--json"]);
    assert!(names.as_array().unwrap().iter().any(|c| c["name"]
        .as_str()
        .unwrap()
        .contains(['æ', 'ø', 'å', 'Æ', 'Ø', 'Å'])));
    // Recording files exist where the rows say.
    let path: String = cube.sql_at(&demo_db, "SELECT path FROM recordings LIMIT 1");
    assert!(cube
        .path("home/.local/share/cube/demo/recordings")
        .join(path)
        .is_file());

    // Again with the same seed: the same data (references are random, and so
    // is the order of anonymized customers).
    let without_refs = |mut list: serde_json::Value| {
        let list = list.as_array_mut().unwrap();
        for customer in list.iter_mut() {
            customer.as_object_mut().unwrap().remove("ref");
        }
        let mut list: Vec<String> = list.iter().map(|c| c.to_string()).collect();
        list.sort();
        list
    };
    let first = without_refs(at(&["customer", "list", "--json"]));
    // Again, with CUBE_DB pointing at the demo as it suggested.
    let again = &["demo", "--customers", "400", "--seed", "7"];
    cube.run_env(again, &[("CUBE_DB", Some(db))]).ok();
    assert_eq!(without_refs(at(&["customer", "list", "--json"])), first);
}

#[test]
fn the_demo_never_overwrites_a_named_database() {
    let cube = Cube::new();
    cube.import_customers("name\nOla\n", &[]).ok();
    let run = cube.run(&["demo"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("the demo only fills a fresh database"),
        "{}",
        run.stderr
    );
    // CUBE_DB named it: the way out is to stop naming it, never to delete it.
    assert!(
        run.stderr.contains("hint: `unset CUBE_DB`"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("remove it"), "{}", run.stderr);
    let db = cube.db();
    let run = cube.run_env(
        &["demo", "--db", db.to_str().unwrap()],
        &[("CUBE_DB", None)],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("hint: name a new file with --db"),
        "{}",
        run.stderr
    );
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM customers"), 1);
}

#[test]
fn the_demo_fills_a_fresh_named_database() {
    let cube = Cube::new();
    cube.run(&["demo", "--customers", "50"]).ok();
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM customers"), 50);
}

#[test]
fn benchmark_files_import_cleanly() {
    let cube = Cube::new();
    let dir = cube.path("bench");
    let run = cube.run(&["demo", "--customers", "30", "--csv", dir.to_str().unwrap()]);
    run.ok();
    assert!(!cube.db().exists(), "--csv writes files, no database");
    let customers = dir.join("customers.csv");
    let outcomes = dir.join("outcomes.csv");
    let run = cube.run(&[
        "import",
        "customers",
        customers.to_str().unwrap(),
        "--campaign",
        "Benchmark",
        "--json",
    ]);
    assert_eq!(run.ok().json()["imported"], 30);
    let run = cube.run(&["import", "outcomes", outcomes.to_str().unwrap(), "--json"]);
    assert_eq!(run.ok().json()["imported"], 60);
    let header = std::fs::read_to_string(&customers).unwrap();
    assert!(header.starts_with(
        "customer_no,name,email,phone,address,postal_code,city,birth_date,company,notes\n"
    ));
}

/// A database `cube init` made is empty: the demo fills it, and says how to
/// point the other commands at it. A demo that fails (its recordings folder
/// is another database's) leaves no database to be refused next time.
#[test]
fn the_demo_fills_an_empty_database_and_a_failed_one_leaves_nothing() {
    let cube = Cube::new();
    cube.run(&["init"]).ok();
    let db = cube.db();
    let recordings = cube.path("rec");
    let recordings = Some(recordings.to_str().unwrap());
    let run = cube.run_env(
        &["demo", "--customers", "30", "--db", db.to_str().unwrap()],
        &[("CUBE_DB", None), ("CUBE_RECORDINGS_DIR", recordings)],
    );
    run.ok();
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM customers"), 30);
    let hint = format!(
        "cube --db {} --recordings-dir {} campaign list --all",
        db.display(),
        cube.path("rec").display()
    );
    assert!(run.stderr.contains(&hint), "{}", run.stderr);

    let other = cube.path("other.db");
    let run = cube.run_env(
        &["demo", "--customers", "30", "--db", other.to_str().unwrap()],
        &[("CUBE_DB", None), ("CUBE_RECORDINGS_DIR", recordings)],
    );
    assert_ne!(run.code, 0, "{}", run.transcript());
    assert!(!other.exists(), "{}", run.transcript());
}

/// Once made, the demo stays made: a reader that goes away while it shows
/// the demo (`cube demo | head`) ends the showing, not the database.
#[test]
fn a_demo_read_by_head_stays_whole() {
    let cube = Cube::new();
    let run = cube.piped_into_head("demo --customers 40", 2);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stderr.contains("then try:"), "{}", run.stderr);
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM customers"), 40);
    cube.run(&["doctor"]).ok();
}
