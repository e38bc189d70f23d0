use crate::Cube;

#[test]
fn create_list_and_show() {
    let cube = Cube::new();
    cube.run(&["campaign", "create", "Vårkampanje"]).ok();
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
            "created_at": crate::NOW, "archived_at": null, "last_activity_at": crate::NOW,
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
    let names = |args: &[&str]| -> Vec<String> {
        cube.run(args)
            .ok()
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    };
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
