//! `cube scan`: personal data in free text is found and named by where it is,
//! never by its value (DESIGN promise 10).

use serde_json::json;

use crate::Cube;

/// Every value planted in free text below, valid or not: none may ever be
/// printed. The cards' own fields are here too.
const PLANTED: &[&str] = &[
    // The one valid fødselsnummer (15 May 1990).
    "15059000060",
    "150590",
    // Its second check digit wrong, then its first.
    "15059000061",
    "15059000070",
    // Right check digits, impossible dates: 31 February 1990 (with a space),
    // 29 February 1900 (not a leap year).
    "310290 12302",
    "31029012302",
    "29020012380",
    // An account number written as one, and 11 digits that pass no check.
    "1234.56.78903",
    "12345678903",
    "12345678901",
    // A card, phones in two formattings, an e-mail address as a seller.
    "4111 1111 1111 1111",
    "4111111111111111",
    "998 87 766",
    "99887766",
    "99 88 77 66",
    "per@firma.no",
    // The cards.
    "kari@x.no",
    "41234567",
    "92345678",
    "93456789",
];

/// Customers K1 and K2 in campaign Vår, K3 in Høst, with personal data in
/// their notes, extra fields, outcome comments and labels, and history.
fn planted() -> Cube {
    let cube = Cube::new();
    cube.import_customers(
        "customer_no,name,email,phone,notes,Telefon 2\n\
         K1,Kari Nordmann,kari@x.no,+47 41234567,\"Kunde siden 2019, betalte 1198.00 den 2026-11-01 kl. 10:30\",\n\
         K2,Ola Hansen,ola@x.no,+47 92345678,fnr 15059000060 (fra kontrakten),\n",
        &["--campaign", "Vår"],
    )
    .ok();
    cube.import_customers(
        "customer_no,name,email,phone,notes,Telefon 2\n\
         K3,Åse Ødegård,ase@x.no,+47 93456789,feil fnr 15059000061 og kontonr 12345678901,99 88 77 66\n",
        &["--campaign", "Høst"],
    )
    .ok();
    cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome,comment,product,quantity,unit_price\n\
         K1,Vår,per@firma.no,2026-11-01T09:00:00Z,Sale,Betaler fra konto 1234.56.78903,Fiber 500,1,599.00\n\
         K2,Vår,ola.hansen,2026-11-02T10:00:00Z,Call back,fnr 15059000070 stemmer ikke,,,\n\
         K3,Høst,ola.hansen,2026-11-03T10:00:00Z,Ring 998 87 766,,,,\n",
        &[],
    )
    .ok();
    cube.import(
        "history",
        "customer_no,date,kind,text\n\
         K1,2026-11-04,note,\"fnr 310290 12302, født 29.02.1900: 29020012380\"\n\
         K2,2026-11-05,note,Kort 4111 1111 1111 1111 ble avvist\n",
        &[],
    )
    .ok();
    cube
}

fn reference(cube: &Cube, customer_no: &str) -> String {
    cube.customer(customer_no)["ref"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Fails if the output holds a planted value, or any run of five digits
/// once the customers' ids are taken out.
#[track_caller]
fn assert_no_value(run: &crate::Run) {
    let text = run.transcript();
    for value in PLANTED {
        assert!(!text.contains(value), "{value:?} printed:\n{text}");
    }
    // The customers' references: 16 hex digits.
    let uuid = regex::Regex::new(r"\b[0-9a-f]{16}\b").unwrap();
    let digits = regex::Regex::new("[0-9]{5,}").unwrap();
    let without_ids = uuid.replace_all(&text, "");
    assert!(!digits.is_match(&without_ids), "a number printed:\n{text}");
}

#[test]
fn finds_the_one_valid_national_id_and_names_where_never_what() {
    let cube = planted();
    let run = cube.run(&["scan", "--json"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_no_value(&run);
    let (k1, k2, k3) = (
        reference(&cube, "K1"),
        reference(&cube, "K2"),
        reference(&cube, "K3"),
    );
    let finding = |kind, table, field, customer: Option<&str>| json!({"kind": kind, "table": table, "field": field, "customer": customer});
    assert_eq!(
        run.json(),
        json!({
            "findings": [
                finding("national_id", "customers", "notes", Some(&k2)),
                finding("phone", "customers", "extra", Some(&k3)),
                finding("bank_account", "outcomes", "comment", Some(&k1)),
                finding("phone", "outcomes", "label", Some(&k3)),
                // 29020012380 has a national id's check digits but no such
                // date: its digits make an account number, and so it counts.
                finding("bank_account", "history", "text", Some(&k1)),
                finding("payment_card", "history", "text", Some(&k2)),
                finding("email", "sellers", "username", None),
            ],
            "counts": {"national_id": 1, "email": 1, "phone": 2, "bank_account": 2, "payment_card": 1},
        })
    );
    // With --json the summary is an error object too.
    let error: serde_json::Value = serde_json::from_str(&run.stderr).unwrap();
    assert_eq!(
        error,
        json!({
            "error": "7 findings of personal data in 18 texts: 1 national id number, \
                      1 e-mail address, 2 phone numbers, 2 bank account numbers, 1 payment card number",
            "details": [],
            "hint": null,
            "exit": 1,
        })
    );
}

#[test]
fn the_text_table_names_kind_table_field_and_customer() {
    let cube = planted();
    let run = cube.run(&["scan"]);
    assert_eq!(run.code, 1);
    assert_no_value(&run);
    insta::assert_snapshot!(cube.redacted(&run));

    // Quiet for cron: the findings are data and the summary an error, so
    // both stay.
    let quiet = cube.run(&["scan", "-q"]);
    assert_eq!(quiet.code, 1);
    assert_eq!(quiet.stdout, run.stdout);
    assert_eq!(quiet.stderr, run.stderr);
}

#[test]
fn campaign_restricts_to_its_customers_and_their_records() {
    let cube = planted();
    let run = cube.run(&["scan", "--campaign", "Høst", "--json"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_no_value(&run);
    let k3 = reference(&cube, "K3");
    let found = run.json();
    let customers: Vec<&str> = found["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["customer"].as_str().unwrap())
        .collect();
    assert_eq!(customers, [k3.as_str(), k3.as_str()]);
    assert_eq!(
        found["counts"],
        json!({"national_id": 0, "email": 0, "phone": 2, "bank_account": 0, "payment_card": 0})
    );
    let error: serde_json::Value = serde_json::from_str(&run.stderr).unwrap();
    let message = error["error"].as_str().unwrap();
    assert!(message.contains("of campaign \"Høst\""), "{message}");

    // Vår's customers, without the sellers (who belong to no campaign).
    let run = cube.run(&["scan", "--campaign", "Vår", "--json"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.json()["counts"],
        json!({"national_id": 1, "email": 0, "phone": 0, "bank_account": 2, "payment_card": 1})
    );

    let run = cube.run(&["scan", "--campaign", "Nope"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.contains("no campaign is named \"Nope\""),
        "{}",
        run.stderr
    );
}

#[test]
fn a_clean_database_exits_0() {
    let cube = Cube::new();
    cube.import_customers(
        "customer_no,name,email,phone,notes,Kundetype\n\
         K1,Kari Nordmann,kari@x.no,+47 41234567,\"Kunde siden 2019, betalte 1198.00 den 2026-11-01 kl. 10:30\",Privat\n",
        &["--campaign", "Vår"],
    )
    .ok();
    cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome,comment,product,quantity,unit_price\n\
         K1,Vår,kari.nilsen,2026-11-01T09:00:00Z,Sale,Ring etter kl. 16 den 01.12.2026,Fiber 500,2,599.00\n",
        &[],
    )
    .ok();
    let run = cube.run(&["scan"]);
    run.ok();
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "clean: no personal data in 7 texts\n");
    assert_eq!(
        cube.run(&["scan", "-q"]).ok().transcript(),
        "exit: 0\n--- stdout\n--- stderr\n"
    );

    let run = cube.run(&["scan", "--json"]);
    run.ok();
    assert_eq!(
        run.json(),
        json!({
            "findings": [],
            "counts": {"national_id": 0, "email": 0, "phone": 0, "bank_account": 0, "payment_card": 0},
        })
    );
}

#[test]
fn scanning_needs_a_database() {
    let cube = Cube::new();
    let run = cube.run(&["scan"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("there is no database"),
        "{}",
        run.stderr
    );
    assert!(!cube.db().exists());
}
