//! Importing a file again doubles nothing: a cron job that runs twice, or an
//! operator who imports the same export once more, must not inflate the
//! sales or make a customer two. And what imports say and leave behind.

use crate::Cube;

const OUTCOMES: &str = "customer_no,campaign,seller,date,outcome,product,quantity,unit_price\n\
    1,Vår,kari,2026-11-01T10:15:00Z,Sale,Fiber 500,2,599.00\n\
    2,Vår,ola,2026-11-02,Sale,Mobil,1,199.00\n\
    3,Vår,kari,2026-11-02,Not interested,,,\n";

fn with_customers() -> Cube {
    let cube = Cube::new();
    cube.import_customers(
        "customer_no,name\n1,Åse Lie\n2,Per Berg\n3,Siri Dahl\n",
        &["--campaign", "Vår"],
    )
    .ok();
    cube
}

fn sales(cube: &Cube) -> (i64, i64) {
    let stats = cube.run(&["stats", "--json"]).ok().json();
    (
        stats["outcomes"].as_i64().unwrap(),
        stats["sales"].as_i64().unwrap(),
    )
}

#[test]
fn the_same_outcomes_file_twice_leaves_the_sales_count_unchanged() {
    let cube = with_customers();
    let run = cube.import("outcomes", OUTCOMES, &["--json"]);
    assert_eq!(run.ok().json()["imported"], 3);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert_eq!(sales(&cube), (3, 2));

    let run = cube.import("outcomes", OUTCOMES, &["--json"]);
    let json = run.ok().json();
    assert_eq!(
        (json["imported"].as_i64(), json["skipped"].as_i64()),
        (Some(0), Some(3))
    );
    assert_eq!(
        json["imported_before"],
        serde_json::json!({"on": "2026-11-29", "rows": 3})
    );
    assert!(
        run.stderr.contains(
            "cube: warning: this file was imported on 2026-11-29 (3 rows); outcomes already there are skipped"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("imported 0 outcomes, skipped 3 (already imported)"),
        "{}",
        run.stderr
    );
    assert_eq!(sales(&cube), (3, 2));

    // A file with one row more: the rows already there are skipped one by
    // one, the new one is imported; it is another file, so no warning.
    let more = format!("{OUTCOMES}1,Vår,kari,2026-11-03,Sale,Fiber 500,1,599.00\n");
    let run = cube.import("outcomes", &more, &["--json"]);
    let json = run.ok().json();
    assert_eq!(
        (json["imported"].as_i64(), json["skipped"].as_i64()),
        (Some(1), Some(3))
    );
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert_eq!(sales(&cube), (4, 3));

    // A different sale at the same time is another outcome.
    let other = "customer_no,campaign,seller,date,outcome,product,quantity,unit_price\n\
                 1,Vår,kari,2026-11-01T10:15:00Z,Sale,Fiber 500,3,599.00\n";
    let run = cube.import("outcomes", other, &["--json"]);
    assert_eq!(run.ok().json()["imported"], 1);
    assert_eq!(sales(&cube), (5, 4));

    // --allow-duplicates forces them in.
    let run = cube.import("outcomes", OUTCOMES, &["--allow-duplicates", "--json"]);
    assert_eq!(run.ok().json()["imported"], 3);
    assert!(
        run.stderr.contains("--allow-duplicates imports them again"),
        "{}",
        run.stderr
    );
    assert_eq!(sales(&cube), (8, 6));

    // The file is remembered by its checksum, day and rows: not by its name,
    // which may name a person.
    let remembered = cube.dump("imported_files");
    assert!(!remembered.contains("outcomes.csv"), "{remembered}");
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM imported_files"), 3);
}

#[test]
fn the_same_row_twice_in_one_file_is_one_outcome() {
    let cube = with_customers();
    let twice = "customer_no,campaign,seller,date,outcome,product,quantity,unit_price\n\
                 1,Vår,kari,2026-11-01,Sale,Fiber 500,2,599.00\n\
                 1,Vår,kari,2026-11-01,Sale,Fiber 500,2,599.00\n";
    let run = cube.import("outcomes", twice, &["--json"]);
    let json = run.ok().json();
    assert_eq!(
        (json["imported"].as_i64(), json["skipped"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(sales(&cube), (1, 1));
}

#[test]
fn the_same_history_file_twice_adds_no_entries() {
    let cube = with_customers();
    let history = "customer_no,date,kind,text\n\
                   1,2026-10-01,call,\"Ringte, fikk svar\"\n\
                   2,01.10.2026,email,Tilbud sendt\n";
    assert_eq!(
        cube.import("history", history, &["--json"]).ok().json()["imported"],
        2
    );
    let run = cube.import("history", history, &["--json"]);
    let json = run.ok().json();
    assert_eq!(
        (json["imported"].as_i64(), json["skipped"].as_i64()),
        (Some(0), Some(2))
    );
    assert!(
        run.stderr
            .contains("this file was imported on 2026-11-29 (2 rows)"),
        "{}",
        run.stderr
    );
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM history"), 2);
    // Another text at the same time is another entry.
    let other = "customer_no,date,kind,text\n1,2026-10-01,call,Ringte igjen\n";
    assert_eq!(
        cube.import("history", other, &["--json"]).ok().json()["imported"],
        1
    );
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM history"), 3);
}

/// A list without customer numbers, as HubSpot and Outlook export them.
const NUMBERLESS: &str = "First Name,Last Name,Email,Phone\n\
    Kari,Nordmann,kari@example.no,+47 912 34 567\n\
    Ola,Hansen,,0047 998 87 766\n";

fn count(cube: &Cube) -> i64 {
    cube.sql("SELECT count(*) FROM customers")
}

#[test]
fn a_customer_without_a_number_imported_twice_is_one_customer() {
    let cube = Cube::new();
    cube.import_customers(NUMBERLESS, &[]).ok();
    assert_eq!(count(&cube), 2);

    // The same people, written otherwise: the e-mail in another case, the
    // phone in another format. An error by default, naming line, column and value.
    let again = "First Name,Last Name,Email,Phone\n\
                 Kari,Nordmann,KARI@Example.no,\n\
                 Ola,Hansen,,99887766\n";
    let run = cube.import_customers(again, &[]);
    assert_eq!(run.code, 65, "{}", run.transcript());
    for line in [
        r#"line 2, column "Email": e-mail "KARI@Example.no" is another customer's, and the row has no customer number (see --on-duplicate)"#,
        r#"line 3, column "Phone": phone "99887766" is another customer's"#,
    ] {
        assert!(run.stderr.contains(line), "{}", run.stderr);
    }
    // All of them customers already there, not invalid: the hint is the
    // way to re-run.
    assert!(
        run.stderr
            .contains("2 rows are customers there already; nothing was imported"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("hint: they are customers already there: pass --on-duplicate skip"),
        "{}",
        run.stderr
    );
    assert_eq!(count(&cube), 2);

    let run = cube.import_customers(NUMBERLESS, &["--on-duplicate", "skip", "--json"]);
    let json = run.ok().json();
    assert_eq!(
        (json["imported"].as_i64(), json["skipped"].as_i64()),
        (Some(0), Some(2))
    );
    assert_eq!(count(&cube), 2);

    let run = cube.import_customers(again, &["--on-duplicate", "update", "--json"]);
    assert_eq!(run.ok().json()["updated"], 2);
    assert_eq!(count(&cube), 2);
    let listed = cube.run(&["customer", "list", "--json"]).ok().json();
    assert_eq!(listed[0]["email"], "KARI@Example.no");
    assert_eq!(listed[1]["phone"], "99887766");
}

#[test]
fn e_mail_first_then_phone_and_never_an_anonymized_customer() {
    let cube = Cube::new();
    cube.import_customers(
        "customer_no,name,email,phone\nK-1,Kari Nordmann,kari@example.no,91234567\n",
        &["--campaign", "Vår"],
    )
    .ok();
    // A customer with a number is matched by e-mail too; the number stays.
    let run = cube.import_customers(
        "name,email,city\nKari N.,Kari@example.no,Bergen\n",
        &["--on-duplicate", "update", "--json"],
    );
    assert_eq!(run.ok().json()["updated"], 1);
    let kari = cube.customer("K-1");
    assert_eq!(
        (kari["name"].as_str(), kari["city"].as_str()),
        (Some("Kari N."), Some("Bergen"))
    );

    // Same phone, another e-mail address: someone else in the household.
    let run = cube.import_customers(
        "name,email,phone\nPer Nordmann,per@example.no,912 34 567\n",
        &["--json"],
    );
    assert_eq!(run.ok().json()["imported"], 1);
    // So inside one file, between rows written before and after.
    let run = cube.import_customers(
        "name,email,phone\nAnne,anne@example.no,40000001\nBjørn,bjorn@example.no,40 00 00 01\nCecilie,cecilie@example.no,\n",
        &["--json"],
    );
    assert_eq!(run.ok().json()["imported"], 3);
    assert_eq!(count(&cube), 5);
    // Two rows of one file with the same e-mail are one customer.
    let run = cube.import_customers(
        "name,email\nSiri Dahl,siri@example.no\nSiri D.,SIRI@example.no\n",
        &[],
    );
    assert_eq!(run.code, 65, "{}", run.transcript());
    assert!(
        run.stderr
            .contains(r#"line 3, column "email": e-mail "SIRI@example.no""#),
        "{}",
        run.stderr
    );
    assert_eq!(count(&cube), 5);

    // An anonymized customer is never matched: the same person imported
    // again is a new customer.
    cube.run(&["anonymize", "Vår", "--yes"]).ok();
    let run = cube.import_customers(
        "name,email,phone\nKari Nordmann,kari@example.no,91234567\n",
        &["--json"],
    );
    assert_eq!(run.ok().json()["imported"], 1);
    assert_eq!(count(&cube), 6);
    assert_eq!(
        cube.sql::<i64>("SELECT count(*) FROM customers WHERE anonymized_at IS NOT NULL AND (email_key IS NOT NULL OR phone_key IS NOT NULL)"),
        0
    );
}

/// `--campaign` with `--on-duplicate update`: the file lists the customers
/// for that campaign, so the updated ones move into it (as `cube move` would);
/// a campaign the import made and placed nobody in is not left behind.
#[test]
fn an_update_moves_customers_into_the_campaign_and_leaves_no_empty_one() {
    let cube = Cube::new();
    let file = "customer_no,name\n1,Åse Lie\n2,Per Berg\n";
    cube.import_customers(file, &["--campaign", "Vår"]).ok();

    let run = cube.import_customers(file, &["--on-duplicate", "update", "--campaign", "Høst"]);
    run.ok();
    assert!(
        run.stderr
            .contains(r#"updated 2 (2 of them moved into "Høst")"#),
        "{}",
        run.stderr
    );
    assert_eq!(cube.campaign("Høst")["stages"]["available"], 2);
    assert_eq!(cube.campaign("Vår")["customers"], 0);

    // Nothing new and nothing updated: no campaign "Vinter" is made.
    let run = cube.import_customers(file, &["--on-duplicate", "skip", "--campaign", "Vinter"]);
    run.ok();
    let shown = cube.run(&["campaign", "show", "Vinter"]);
    assert_eq!(shown.code, 1, "{}", shown.transcript());
    let campaigns = cube
        .run(&["campaign", "list", "--all", "--json"])
        .ok()
        .json();
    assert_eq!(campaigns.as_array().unwrap().len(), 2, "{campaigns}");
}

#[test]
fn skip_invalid_with_dry_run_needs_no_rejects_file_and_writes_none() {
    let cube = Cube::new();
    let csv = "name,email\nOla,ola@x.no\nPer,not-an-email\nSiri,siri@x.no\n";
    let run = cube.import_customers(csv, &["--skip-invalid", "--dry-run"]);
    run.ok();
    assert!(
        run.stderr.contains(
            "would import 2 customers, would reject 1 invalid row\n  line 3, column \"email\": \"not-an-email\" is not an e-mail address\n"
        ),
        "{}",
        run.stderr
    );
    let rejects = cube.path("rejects.csv");
    let run = cube.import_customers(
        csv,
        &[
            "--skip-invalid",
            "--rejects",
            rejects.to_str().unwrap(),
            "--dry-run",
        ],
    );
    run.ok();
    assert!(!rejects.exists(), "a dry run wrote {}", rejects.display());
    assert!(!cube.db().exists(), "a dry run made the database");
}

/// Every count says one customer, one outcome, one history entry, one row;
/// an import that makes the database says where.
#[test]
fn import_summaries_count_one_as_one_and_name_a_new_database() {
    let cube = Cube::new();
    // A file that is not there makes no database.
    let missing = cube.run(&["import", "customers", "nowhere.csv"]);
    assert_eq!(missing.code, 1);
    assert!(!cube.db().exists());

    let rejects = cube.path("rejects.csv");
    let skip = ["--skip-invalid", "--rejects", rejects.to_str().unwrap()];
    let runs = [
        cube.import(
            "customers",
            "customer_no,name,email\n1,Åse Lie,ase@x.no\n2,Per,not-an-email\n",
            &skip,
        ),
        cube.import(
            "outcomes",
            "customer_no,campaign,seller,date,outcome\n1,Vår,kari,2026-11-01,Sale\n",
            &[],
        ),
        cube.import(
            "history",
            "customer_no,date,kind,text\n1,2026-11-01,call,Hei\n",
            &[],
        ),
        cube.import(
            "customers",
            "customer_no,name\n1,Åse Lie\n",
            &["--on-duplicate", "update"],
        ),
    ];
    let transcript: String = runs.iter().map(|run| cube.redacted(run.ok())).collect();
    insta::assert_snapshot!(transcript);
}

/// A first import into an empty database builds the reference index at the
/// end, yet rows of the file are still matched by e-mail and phone as it is
/// written; of two phone columns, the one that gave the phone is named.
#[test]
fn a_first_import_matches_rows_of_its_own_file_by_the_column_that_gave_them() {
    let cube = Cube::new();
    let file = "Navn,E-post,Telefon,Mobil\n\
                Kari Nordmann,kari@example.no,,912 34 567\n\
                Kari N.,,,+47 91234567\n\
                Ola Hansen,ola@example.no,22 33 44 55,\n";
    let run = cube.import_customers(file, &[]);
    assert_eq!(run.code, 65, "{}", run.transcript());
    assert!(
        run.stderr.contains(
            r#"line 3, column "Mobil": phone "+47 91234567" is another customer's, and the row has no customer number"#
        ),
        "{}",
        run.stderr
    );
    assert_eq!(count(&cube), 0);

    let run = cube.import_customers(file, &["--on-duplicate", "skip", "--json"]);
    let json = run.ok().json();
    assert_eq!(
        (json["imported"].as_i64(), json["skipped"].as_i64()),
        (Some(2), Some(1))
    );
    let indexes: i64 = cube.sql(
        "SELECT count(*) FROM sqlite_master WHERE type = 'index' \
         AND name IN ('customers_ref', 'customers_email_key', 'customers_phone_key')",
    );
    assert_eq!(indexes, 3);
    assert_eq!(
        cube.sql::<String>("SELECT phone_key FROM customers WHERE email_key = 'kari@example.no'"),
        "91234567"
    );
}
