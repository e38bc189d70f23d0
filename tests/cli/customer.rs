use crate::Cube;

#[test]
fn list_filters_and_show() {
    let cube = Cube::new();
    cube.import_customers(
        "customer_no,name,email\n1,Åse Lie,ase@x.no\n2,Per Berg,\n",
        &["--campaign", "Vår"],
    )
    .ok();
    cube.import_customers("customer_no,name\n3,Siri Dahl\n", &[])
        .ok();
    let run = cube.run(&["customer", "list", "--campaign", "Vår"]);
    run.ok();
    insta::assert_snapshot!(cube.redacted(&run));
    let all = cube
        .run(&["customer", "list", "--json", "--limit", "2"])
        .ok()
        .json();
    assert_eq!(all.as_array().unwrap().len(), 2);

    let shown = cube.customer("1");
    assert_eq!(shown["name"], "Åse Lie");
    assert_eq!(shown["campaign"], "Vår");
    assert_eq!(shown["stage"], "available");
    // The reference finds it as well.
    let by_id = cube.customer(shown["ref"].as_str().unwrap());
    assert_eq!(by_id["customer_no"], "1");
}

#[test]
fn an_anonymized_customer_shows_nothing_but_that() {
    let cube = Cube::new();
    cube.import_customers("customer_no,name,email\n1,Åse Lie,ase@x.no\n", &[])
        .ok();
    let id = cube.customer("1")["ref"].as_str().unwrap().to_string();
    rusqlite::Connection::open(cube.db())
        .unwrap()
        .execute(
            "UPDATE customers SET anonymized_at = '2026-11-01T00:00:00Z' WHERE ref = ?1",
            [&id],
        )
        .unwrap();
    let run = cube.run(&["customer", "show", &id]);
    run.ok();
    assert!(
        run.stdout
            .contains("this customer was anonymized at 2026-11-01T00:00:00Z"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("ase@x.no"), "{}", run.stdout);
    let json = cube.customer(&id);
    assert_eq!(
        json,
        serde_json::json!({"ref": id, "name": "Anonymized", "anonymized_at": "2026-11-01T00:00:00Z"})
    );
}

#[test]
fn an_unknown_customer_is_one_clear_line() {
    let cube = Cube::new();
    cube.run(&["init"]).ok();
    let run = cube.run(&["customer", "show", "K-404"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "cube: error: no customer has the reference or customer number \"K-404\"\n"
    );
}

#[test]
fn a_multi_line_note_stays_on_one_table_line() {
    let cube = Cube::new();
    cube.import_customers(
        "customer_no,name,notes\n1,Åse Lie,\"første linje\nandre linje\"\n",
        &[],
    )
    .ok();
    let run = cube.run(&["customer", "show", "1"]);
    assert!(
        run.ok()
            .stdout
            .contains("notes        første linje⏎andre linje"),
        "{}",
        run.stdout
    );
    assert_eq!(cube.customer("1")["notes"], "første linje\nandre linje");
}
