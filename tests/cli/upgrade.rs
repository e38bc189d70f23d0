//! A database written by every past schema version opens, migrates and works.

use std::path::Path;

use crate::Cube;

/// Loads `fixtures/schema-vN.sql` as the test's database.
fn from_fixture(cube: &Cube, name: &str) {
    let sql = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name),
    )
    .unwrap();
    std::fs::create_dir_all(cube.db().parent().unwrap()).unwrap();
    rusqlite::Connection::open(cube.db())
        .unwrap()
        .execute_batch(&sql)
        .unwrap();
    // As cube itself would have created it.
    std::fs::set_permissions(
        cube.db(),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
}

#[test]
fn a_version_1_database_migrates_and_keeps_everything() {
    migrates_and_keeps_everything("schema-v1.sql", 1);
}

#[test]
fn a_version_2_database_migrates_and_keeps_everything() {
    migrates_and_keeps_everything("schema-v2.sql", 2);
}

fn migrates_and_keeps_everything(fixture: &str, version: i64) {
    let cube = Cube::new();
    from_fixture(&cube, fixture);
    assert_eq!(cube.sql::<i64>("PRAGMA user_version"), version);

    let stats = cube.run(&["stats", "--json"]).ok().json();
    assert_eq!(
        (
            stats["customers"].as_i64(),
            stats["outcomes"].as_i64(),
            stats["sales"].as_i64()
        ),
        (Some(3), Some(2), Some(1))
    );
    assert_eq!(
        cube.sql::<i64>("PRAGMA user_version"),
        cube::db::SCHEMA_VERSION
    );
    // Migration 15 counted what stats and the campaigns show.
    crate::counts::assert_counted(&cube);
    let index: String =
        cube.sql("SELECT sql FROM sqlite_master WHERE name = 'customers_anonymized'");
    assert!(index.contains("WHERE anonymized_at IS NOT NULL"), "{index}");
    // Migration 4 rewrote the stage check; it still holds.
    let table: String = cube.sql("SELECT sql FROM sqlite_master WHERE name = 'customers'");
    assert!(table.contains("stage = 'available' OR"), "{table}");
    let conn = rusqlite::Connection::open(cube.db()).unwrap();
    let refused = conn
        .execute(
            "UPDATE customers SET stage = 'lost' WHERE stage IS NOT NULL",
            [],
        )
        .unwrap_err();
    assert!(
        refused.to_string().contains("CHECK constraint failed"),
        "{refused}"
    );
    assert_eq!(cube.sql::<String>("PRAGMA integrity_check"), "ok");
    // Migration 8: every customer has a reference, and the pseudonym key is gone.
    let no_ref: i64 = cube.sql("SELECT count(*) FROM customers WHERE ref IS NULL");
    assert_eq!(no_ref, 0);
    let keys: i64 = cube.sql("SELECT count(*) FROM settings WHERE key = 'pseudonym_key'");
    assert_eq!(keys, 0);
    // Migration 11: the customers are found by e-mail and phone.
    let found: (String, String) = (
        cube.sql("SELECT email_key FROM customers WHERE customer_no = 'V1-1'"),
        cube.sql("SELECT phone_key FROM customers WHERE customer_no = 'V1-1'"),
    );
    assert_eq!(found, ("ase@example.no".into(), "91234567".into()));
    let run = cube.import_customers("name,phone\nÅse Ø.,0047 91234567\n", &[]);
    assert_eq!(run.code, 65, "{}", run.transcript());

    let ase = cube.customer("V1-1");
    assert_eq!(
        (ase["name"].as_str(), ase["extra"]["Favorittfarge"].as_str()),
        (Some("Åse Ødegård"), Some("blå"))
    );
    let campaigns = cube
        .run(&["campaign", "list", "--all", "--json"])
        .ok()
        .json();
    assert_eq!(campaigns.as_array().unwrap().len(), 2);
    let export = cube.run(&["export", "sales"]).ok().stdout.clone();
    assert!(export.contains("Fiber 500,2,599.00,1198.00"), "{export}");
    // Migration 11: the customers already there can be found.
    let find = |text: &str| cube.run(&["customer", "find", text, "--json"]).ok().json();
    assert_eq!(find("912 34 567")[0]["customer_no"], "V1-1");
    assert_eq!(find("kare brathen")[0]["customer_no"], "V1-2");

    cube.run(&["anonymize", "Vår 2026", "--yes"]).ok();
    let export = cube.run(&["export", "outcomes"]).ok().stdout.clone();
    assert!(export.contains(",Anonymized,"), "{export}");
    assert!(!export.contains("Åse"), "{export}");
    assert_eq!(find("ase odegard"), serde_json::json!([]));
    crate::counts::assert_counted(&cube);
    cube.run(&[
        "backup",
        "create",
        cube.path("after-upgrade.db").to_str().unwrap(),
    ])
    .ok();
    cube.run(&["doctor"]).ok();
}
