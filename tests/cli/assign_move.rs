use crate::Cube;

fn stages(cube: &Cube, campaign: &str) -> (i64, i64, i64) {
    let shown = cube.campaign(campaign);
    let s = &shown["stages"];
    (
        s["available"].as_i64().unwrap(),
        s["assigned"].as_i64().unwrap(),
        s["completed"].as_i64().unwrap(),
    )
}

fn setup() -> Cube {
    let cube = Cube::new();
    let rows: String = (1..=10).map(|i| format!("{i},Kunde {i}\n")).collect();
    cube.import_customers(&format!("customer_no,name\n{rows}"), &["--campaign", "Vår"])
        .ok();
    cube.run(&["campaign", "create", "Høst"]).ok();
    cube
}

#[test]
fn counts_per_stage_follow_assigns_and_moves() {
    let cube = setup();
    let run = cube.run(&[
        "assign", "Vår", "--seller", "kari", "--count", "3", "--json",
    ]);
    run.ok();
    let assigned = run.json();
    assert_eq!(assigned.as_array().unwrap().len(), 3);
    assert_eq!(assigned[0]["customer_no"], "1");
    assert_eq!(assigned[0]["seller"], "kari");
    assert_eq!(stages(&cube, "Vår"), (7, 3, 0));

    cube.run(&["move", "--to", "Høst", "--customer", "1", "--customer", "4"])
        .ok();
    assert_eq!(stages(&cube, "Vår"), (6, 2, 0));
    assert_eq!(stages(&cube, "Høst"), (2, 0, 0));

    let ids = cube.write("ids.txt", "# moved by hand\n5\n\n6\n");
    let run = cube.run(&["move", "--to", "Høst", "--file", &ids]);
    run.ok();
    assert!(
        run.stderr.contains("moved 2 customers to \"Høst\""),
        "{}",
        run.stderr
    );
    assert_eq!(stages(&cube, "Høst"), (4, 0, 0));

    let run = cube.run(&[
        "move", "--to", "Høst", "--from", "Vår", "--stage", "assigned",
    ]);
    run.ok();
    assert_eq!(stages(&cube, "Vår"), (4, 0, 0));
    assert_eq!(stages(&cube, "Høst"), (6, 0, 0));
    let moved = cube.customer("2");
    assert_eq!(
        (
            moved["campaign"].as_str(),
            moved["stage"].as_str(),
            &moved["seller"]
        ),
        (Some("Høst"), Some("available"), &serde_json::Value::Null)
    );
}

#[test]
fn move_by_cube_id_from_stdin() {
    let cube = setup();
    let id = cube.customer("3")["ref"].as_str().unwrap().to_string();
    cube.run_with_input(&["move", "--to", "Høst", "--file", "-"], id.as_bytes())
        .ok();
    assert_eq!(cube.customer("3")["campaign"], "Høst");
}

#[test]
fn dry_run_moves_nothing() {
    let cube = setup();
    let run = cube.run(&["move", "--to", "Høst", "--from", "Vår", "--dry-run"]);
    run.ok();
    assert!(
        run.stderr.contains("would move 10 customers"),
        "{}",
        run.stderr
    );
    assert_eq!(stages(&cube, "Vår"), (10, 0, 0));
}

#[test]
fn unknown_customers_move_nobody() {
    let cube = setup();
    let run = cube.run(&[
        "move",
        "--to",
        "Høst",
        "--customer",
        "1",
        "--customer",
        "77",
    ]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.transcript());
    assert_eq!(stages(&cube, "Høst"), (0, 0, 0));
}

#[test]
fn anonymized_customers_cannot_be_moved() {
    let cube = setup();
    let id = cube.customer("2")["ref"].as_str().unwrap().to_string();
    rusqlite::Connection::open(cube.db())
        .unwrap()
        .execute(
            "UPDATE customers SET name = 'Anonymized', customer_no = NULL, anonymized_at = ?1 WHERE ref = ?2",
            [crate::NOW, &id],
        )
        .unwrap();
    let run = cube.run(&["move", "--to", "Høst", "--from", "Vår"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!("cube: error: customer {id} is anonymized and cannot be moved (1 of the selected is); nothing was moved\n")
    );
    assert_eq!(stages(&cube, "Høst"), (0, 0, 0));
    // Its customer number is gone, so it cannot be found by it either.
    let run = cube.run(&["move", "--to", "Høst", "--customer", "2"]);
    assert_eq!(run.code, 1);
}

#[test]
fn archived_campaigns_hand_out_nothing() {
    let cube = setup();
    rusqlite::Connection::open(cube.db())
        .unwrap()
        .execute(
            "UPDATE campaigns SET status = 'archived' WHERE name = 'Vår'",
            [],
        )
        .unwrap();
    let run = cube.run(&["assign", "Vår", "--seller", "kari"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("campaign \"Vår\" is archived"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("hint: reactivate it first"),
        "{}",
        run.stderr
    );
    let run = cube.run(&["move", "--to", "Vår", "--from", "Høst"]);
    assert_eq!(run.code, 2);
}

#[test]
fn move_needs_a_selection() {
    let cube = setup();
    let run = cube.run(&["move", "--to", "Høst"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--customer"), "{}", run.stderr);
}

#[test]
fn customers_come_one_flag_or_one_list_and_a_stage_only_with_a_campaign() {
    let cube = setup();
    let run = cube.run(&[
        "move",
        "--to",
        "Høst",
        "--customer",
        "1",
        "2",
        "--customer",
        "3",
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(stages(&cube, "Høst").0, 3);
    // --stage picks among a campaign's customers: with named ones it would
    // be ignored, so it is refused.
    let run = cube.run(&[
        "move",
        "--to",
        "Vår",
        "--customer",
        "4",
        "--stage",
        "completed",
    ]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert_eq!(stages(&cube, "Høst").0, 3);
}

/// A seller is made on first use, but a name close to an existing one is a
/// typo more often than a new colleague: it is refused unless asked for.
#[test]
fn a_seller_close_to_an_existing_one_is_not_made_by_a_typo() {
    let cube = setup();
    let run = cube.run(&["assign", "Vår", "--seller", "kari.nilsen", "--count", "1"]);
    assert!(
        run.ok().stderr.contains("added the seller \"kari.nilsen\""),
        "{}",
        run.stderr
    );
    let run = cube.run(&["assign", "Vår", "--seller", "kari.nilsn", "--count", "1"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains("did you mean \"kari.nilsen\"?"),
        "{}",
        run.stderr
    );
    assert_eq!(stages(&cube, "Vår"), (9, 1, 0), "nothing was assigned");
    let run = cube.run(&[
        "assign",
        "Vår",
        "--seller",
        "kari.nilsn",
        "--new-seller",
        "--count",
        "1",
    ]);
    run.ok();
    assert_eq!(stages(&cube, "Vår"), (8, 2, 0));
    let run = cube.run(&["assign", "Vår", "--seller", "kari.nilsen", "--count", "1"]);
    assert!(
        !run.ok().stderr.contains("added the seller"),
        "{}",
        run.stderr
    );
    // In another case it is the same seller, as a campaign's name is.
    let run = cube.run(&[
        "assign",
        "Vår",
        "--seller",
        "Kari.Nilsen",
        "--count",
        "1",
        "--json",
    ]);
    assert_eq!(run.ok().json()[0]["seller"], "kari.nilsen");
    assert!(!run.stderr.contains("added the seller"), "{}", run.stderr);
    let run = cube.run(&["assign", "Vår", "--seller", "kari.nilsen", "--count", "0"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
}
