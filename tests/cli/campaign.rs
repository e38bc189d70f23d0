use crate::Cube;

#[test]
fn create_list_and_show() {
    let cube = Cube::new();
    // The first one makes the database, and says so (a mistyped --db shows).
    let run = cube.run(&["campaign", "create", "Vårkampanje"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stderr.contains("created a new database at"),
        "{}",
        run.stderr
    );
    let run = cube.run(&["campaign", "create", "Vårkampanje"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("exists already"), "{}", run.stderr);

    cube.import_customers("name\nOla\nKari\nPer\n", &["--campaign", "Vårkampanje"])
        .ok();
    let shown = cube.campaign("Vårkampanje");
    assert_eq!(
        shown,
        serde_json::json!({
            "name": "Vårkampanje", "status": "active", "customers": 3,
            "stages": {"available": 3, "assigned": 0, "completed": 0}, "anonymized": 0,
            "created_at": crate::NOW, "archived_at": null,
            // The day: to the second it would be one customer's call.
            "last_activity_at": "2026-11-29T00:00:00Z",
            "job": null,
        })
    );
    let list = cube.run(&["campaign", "list"]);
    list.ok();
    insta::assert_snapshot!(list.transcript());
}

#[test]
fn archived_campaigns_are_listed_apart_and_can_be_reactivated() {
    let cube = Cube::new();
    cube.run(&["campaign", "create", "Sommer"]).ok();
    cube.run(&["campaign", "create", "Vinter"]).ok();
    cube.sql::<i64>("SELECT 1");
    rusqlite::Connection::open(cube.db())
        .unwrap()
        .execute(
            "UPDATE campaigns SET status = 'archived' WHERE name = 'Sommer'",
            [],
        )
        .unwrap();
    let names = |args: &[&str]| listed(&cube, args);
    assert_eq!(names(&["campaign", "list", "--json"]), ["Vinter"]);
    assert_eq!(
        names(&["campaign", "list", "--archived", "--json"]),
        ["Sommer"]
    );
    assert_eq!(
        names(&["campaign", "list", "--all", "--json"]),
        ["Sommer", "Vinter"]
    );

    cube.run(&["reactivate", "Sommer"]).ok();
    assert_eq!(names(&["campaign", "list", "--json"]), ["Sommer", "Vinter"]);
    let run = cube.run(&["reactivate", "Sommer"]);
    assert_eq!(run.code, 2);
}

#[test]
fn an_unknown_campaign_is_one_clear_line() {
    let cube = Cube::new();
    cube.run(&["init"]).ok();
    let run = cube.run(&["campaign", "show", "Nope"]);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn show_counts_each_stage_active_and_archived() {
    let cube = Cube::new();
    let customers = "customer_no,name\n1,Ola\n2,Kari\n3,Per\n4,Siri\n";
    cube.import_customers(customers, &["--campaign", "Vår"])
        .ok();
    let outcomes = "customer_no,campaign,seller,date,outcome\n1,Vår,kari,2026-11-01,Sale\n";
    cube.import("outcomes", outcomes, &[]).ok();
    cube.run(&["assign", "Vår", "--seller", "ola", "--count", "2"])
        .ok();
    let run = cube.run(&["campaign", "show", "Vår"]);
    insta::assert_snapshot!("campaign_show_active", run.transcript());

    cube.run(&["archive", "Vår", "--keep-customers"]).ok();
    let run = cube.run(&["campaign", "show", "Vår"]);
    insta::assert_snapshot!("campaign_show_archived", run.transcript());
}

/// The names of the campaigns `campaign list ARGS --json` lists.
fn listed(cube: &Cube, args: &[&str]) -> Vec<String> {
    cube.run(args)
        .ok()
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

fn campaign_names(cube: &Cube) -> Vec<String> {
    listed(cube, &["campaign", "list", "--all", "--json"])
}

#[test]
fn names_match_whatever_their_case() {
    let cube = Cube::new();
    cube.import_customers("name\nOla\n", &["--campaign", "Vår 2026"])
        .ok();
    // `vår 2026` is the same campaign, not a second one beside it.
    cube.import_customers("name\nKari\n", &["--campaign", "vår 2026"])
        .ok();
    cube.import_customers("customer_no,name\n7,Per\n", &[]).ok();
    cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome\n7,VÅR 2026,kari,2026-11-01,Sale\n",
        &[],
    )
    .ok();
    assert_eq!(campaign_names(&cube), ["Vår 2026"]);
    // Also in the form a Mac types it (å as a + ring).
    let decomposed = "VA\u{30a}R 2026";
    let shown = cube.campaign(decomposed);
    assert_eq!(shown["name"], "Vår 2026");
    assert_eq!(shown["customers"], 3);

    let run = cube.run(&["campaign", "create", "VÅR 2026"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("a campaign named \"Vår 2026\" exists already"),
        "{}",
        run.stderr
    );
    cube.run(&["assign", "vår 2026", "--seller", "ola", "--count", "1"])
        .ok();
    cube.run(&["archive", "VÅR 2026", "--keep-customers"]).ok();
    cube.run(&["reactivate", "vår 2026"]).ok();
    assert_eq!(campaign_names(&cube), ["Vår 2026"]);
}

#[test]
fn a_close_name_gets_a_suggestion_and_makes_no_campaign() {
    let cube = Cube::new();
    cube.import_customers(
        "customer_no,name\n1,Ola\n",
        &["--campaign", "Høstsalg 2026"],
    )
    .ok();

    let run = cube.run(&["campaign", "show", "Hostsalg 2026"]);
    insta::assert_snapshot!("campaign_show_with_a_typo", run.transcript());

    let run = cube.import_customers("name\nKari\n", &["--campaign", "hostsalg 2026"]);
    insta::assert_snapshot!("import_into_a_close_name", run.transcript());
    let run = cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome\n1,Høstslag 2026,kari,2026-11-01,Sale\n",
        &[],
    );
    assert_eq!(run.code, 65, "{}", run.transcript());
    assert!(
        run.stderr.contains(
            "line 2, column \"campaign\": no campaign is named \"Høstslag 2026\"; did you mean \"Høstsalg 2026\"?"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(campaign_names(&cube), ["Høstsalg 2026"]);
    // A name differing in a number is another campaign, not a typo.
    cube.import_customers("name\nPer\n", &["--campaign", "Høstsalg 2027"])
        .ok();
    assert_eq!(campaign_names(&cube), ["Høstsalg 2026", "Høstsalg 2027"]);

    // --new-campaign makes it all the same.
    cube.import_customers(
        "name\nKari\n",
        &["--campaign", "Hostsalg 2026", "--new-campaign"],
    )
    .ok();
    cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome\n1,Høstslag 2026,kari,2026-11-01,Sale\n",
        &["--new-campaign"],
    )
    .ok();
    assert_eq!(
        campaign_names(&cube),
        [
            "Hostsalg 2026",
            "Høstsalg 2026",
            "Høstsalg 2027",
            "Høstslag 2026"
        ]
    );
    // Now that both exist, each is found by its own name.
    assert_eq!(cube.campaign("hostsalg 2026")["customers"], 1);
}

#[test]
fn creating_a_campaign_with_a_close_name_warns() {
    let cube = Cube::new();
    cube.run(&["campaign", "create", "Vårsalg"]).ok();
    let run = cube.run(&["campaign", "create", "Varsalg"]);
    run.ok();
    assert!(
        run.stderr
            .contains("warning: an existing campaign has a close name: \"Vårsalg\""),
        "{}",
        run.stderr
    );
}

#[test]
fn stages_count_only_customers_who_are_not_anonymized() {
    let cube = Cube::new();
    cube.import_customers("name\nOla\nKari\nPer\n", &["--campaign", "Vår"])
        .ok();
    cube.run(&["anonymize", "Vår", "--yes"]).ok();
    cube.run(&["reactivate", "Vår"]).ok();
    cube.import_customers("name\nSiri\nNils\n", &["--campaign", "Vår"])
        .ok();
    let shown = cube.campaign("Vår");
    assert_eq!(
        (&shown["customers"], &shown["stages"], &shown["anonymized"]),
        (
            &serde_json::json!(5),
            &serde_json::json!({"available": 2, "assigned": 0, "completed": 0}),
            &serde_json::json!(3)
        )
    );
    // What `available` says is what assign hands out.
    let assigned = cube
        .run(&[
            "assign", "Vår", "--seller", "ola", "--count", "10", "--json",
        ])
        .ok()
        .json();
    assert_eq!(assigned.as_array().unwrap().len(), 2, "{assigned}");
    let listed = cube.run(&["campaign", "list", "--json"]).ok().json();
    assert_eq!(
        (&listed[0]["stages"], &listed[0]["anonymized"]),
        (
            &serde_json::json!({"available": 0, "assigned": 2, "completed": 0}),
            &serde_json::json!(3)
        )
    );
}
