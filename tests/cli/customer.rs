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

/// Customers as they are typed into CRMs: accents, mixed case, phone numbers
/// in every formatting.
fn searchable() -> Cube {
    let cube = Cube::new();
    cube.import_customers(
        "customer_no,name,email,phone\n\
         K-1,Kåre Ødegård,Kare.Odegard@Example.no,+47 99887766\n\
         K-2,Ola Johan Nordmann,ola@nordmann.no,22 33 44 55\n\
         K-3,Åse Nordmann-Berg,ase@berg.no,0047 400 00 001\n\
         K-4,Per Olsen,,\n",
        &["--campaign", "Vår"],
    )
    .ok();
    cube
}

fn found(cube: &Cube, text: &str) -> Vec<String> {
    let run = cube.run(&["customer", "find", text, "--json"]);
    run.ok()
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["customer_no"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn find_by_name_email_phone_number_or_reference() {
    let cube = searchable();
    // The check: any formatting of a number finds it.
    assert_eq!(found(&cube, "998 87 766"), ["K-1"]);
    for (text, want) in [
        ("+47 99887766", &["K-1"][..]),
        ("0047 998-87-766", &["K-1"]),
        ("(998) 87 766", &["K-1"]),
        ("400 00 001", &["K-3"]),
        ("kåre", &["K-1"]),
        ("KARE ODEGARD", &["K-1"]),
        ("ødegård", &["K-1"]),
        ("Odegard Kare", &["K-1"]),
        ("nordmann", &["K-3", "K-2"]), // by name: Åse before Ola
        ("ola nordmann", &["K-2"]),
        ("ola", &["K-2"]),
        ("kare.odegard@example.NO", &["K-1"]),
        ("ase@", &["K-3"]),
        ("K-4", &["K-4"]),
        ("k-4", &[]),
        ("zzz", &[]),
    ] {
        assert_eq!(found(&cube, text), want, "{text:?}");
    }
    let reference = cube.customer("K-2")["ref"].as_str().unwrap().to_string();
    assert_eq!(found(&cube, &reference.to_uppercase()), ["K-2"]);

    let run = cube.run(&["customer", "find", "nordmann"]);
    insta::assert_snapshot!("find_a_name", cube.redacted(&run));
    let run = cube.run(&["customer", "find", "nordmann", "--limit", "1"]);
    assert!(run.ok().stderr.contains("there are more"), "{}", run.stderr);
    let run = cube.run(&["customer", "find", " "]);
    assert_eq!(run.code, 2, "{}", run.transcript());
}

#[test]
fn an_anonymized_customer_is_never_found_and_leaves_no_search_key() {
    let cube = searchable();
    cube.import_customers(
        "customer_no,name\nK-9,Siri Dahl\n",
        &["--campaign", "Annen"],
    )
    .ok();
    cube.run(&["customer", "forget", "K-1", "--yes"]).ok();
    for text in [
        "998 87 766",
        "Kåre",
        "ødegård",
        "kare.odegard@example.no",
        "K-1",
        "anonymized",
    ] {
        assert_eq!(found(&cube, text), Vec::<String>::new(), "{text:?}");
    }
    let reference: String = cube.sql("SELECT ref FROM customers WHERE name = 'Anonymized'");
    assert_eq!(found(&cube, &reference), Vec::<String>::new());
    // The keys were personal data: nothing of them is left in the files.
    cube.assert_erased(&[
        "kare odegard",
        "odegard kare",
        "kare.odegard@example.no",
        "6677889974",
    ]);
    assert_eq!(found(&cube, "siri"), ["K-9"]);
}
