//! Files as operators have them: blank rows and title rows, other systems'
//! headers, rejects files imported back, and dates in other forms.

use std::fs;

use crate::Cube;

/// Some fields of a customer's card, as text (`null` for none).
fn card(cube: &Cube, id: &str, fields: &[&str]) -> Vec<String> {
    let card = cube.customer(id);
    fields
        .iter()
        .map(|f| card[f].as_str().unwrap_or("null").to_string())
        .collect()
}

#[test]
fn hubspot_salesforce_and_outlook_exports_map_without_help() {
    let cube = Cube::new();
    cube.import_customers(
        "Record ID,First Name,Last Name,Email,Phone Number,Mobile Phone Number,Company Name,Street Address,City,Postal Code\n\
         H-1,Åse,Lie,ase@example.no,,+47 912 34 567,Lie AS,Storgata 1,Oslo,0150\n",
        &[],
    )
    .ok();
    assert_eq!(
        card(
            &cube,
            "H-1",
            &["name", "phone", "company", "address", "postal_code"]
        ),
        ["Åse Lie", "+47 912 34 567", "Lie AS", "Storgata 1", "0150"]
    );

    cube.import_customers(
        "Contact ID,First Name,Last Name,Account Name,Mailing Street,Mailing City,Mailing Zip/Postal Code,Mobile,Birthdate\n\
         S-1,Per,Berg,Berg ASA,Kongens gate 2,Trondheim,7011,+47 41 00 00 00,1975-02-01\n",
        &[],
    )
    .ok();
    assert_eq!(
        card(
            &cube,
            "S-1",
            &["company", "city", "postal_code", "birth_date"]
        ),
        ["Berg ASA", "Trondheim", "7011", "1975-02-01"]
    );

    let run = cube.import_customers(
        "First Name,Last Name,E-mail Address,Business Phone,Home Phone,Mobile Phone,Home Street,Home City,Home Postal Code,Birthday\n\
         Siri,Dahl,siri@example.no,,22 33 44 55,99 88 77 66,Bakken 3,Bodø,8006,24.12.1980\n",
        &["--json"],
    );
    assert_eq!(run.ok().json()["imported"], 1);
    let listed = cube.run(&["customer", "list", "--json"]).ok().json();
    let siri = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Siri Dahl")
        .expect("Siri is listed");
    let siri = cube.customer(siri["ref"].as_str().unwrap());
    assert_eq!(siri["email"], "siri@example.no");
    assert_eq!(siri["phone"], "22 33 44 55", "the first phone given");
    assert_eq!(siri["postal_code"], "8006");
}

/// Telefon and Mobil both name the phone: in each row the first that is
/// not empty gives it, and the other is kept on the card.
#[test]
fn of_two_columns_for_one_field_the_first_given_wins_and_the_other_is_kept() {
    let cube = Cube::new();
    cube.import_customers(
        "Kundenr;Navn;Telefon;Mobil\n1;Ola;22 33 44 55;912 34 567\n2;Kari;;913 00 000\n3;Per;22 00 00 00;\n",
        &[],
    )
    .ok();
    let ola = cube.customer("1");
    assert_eq!(ola["phone"], "22 33 44 55");
    assert_eq!(ola["extra"], serde_json::json!({"Mobil": "912 34 567"}));
    let kari = cube.customer("2");
    assert_eq!(kari["phone"], "913 00 000");
    assert_eq!(kari["extra"], serde_json::json!({}));
    assert_eq!(cube.customer("3")["phone"], "22 00 00 00");

    // Each column is checked where it gives the field.
    let run = cube.import_customers(
        "Navn,Email,E-post\nOla,,not-an-email\nKari,kari@x.no,also-bad\n",
        &[],
    );
    assert_eq!(run.code, 65, "{}", run.transcript());
    assert!(
        run.stderr
            .contains(r#"line 2, column "E-post": "not-an-email" is not an e-mail address"#),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("line 3"), "{}", run.stderr);
}

#[test]
fn a_dry_run_shows_what_each_column_is_read_as() {
    let cube = Cube::new();
    let csv = "line,error,Kundenr,Navn,Telefon,Mobil,Business Phone,Hobby,Skrot\n\
               2,old reason,1,Ola,,912 34 567,,Fiske,x\n";
    let run = cube.import_customers(csv, &["--dry-run", "--map", "Skrot=ignore"]);
    run.ok();
    insta::assert_snapshot!(cube.redacted(&run));

    let run = cube.import_customers(csv, &["--dry-run", "--json"]);
    let mapping = &run.ok().json()["mapping"];
    assert_eq!(
        mapping[5],
        serde_json::json!({"column": "Mobil", "field": "phone", "unless": ["Telefon"]})
    );
    assert_eq!(
        mapping[0],
        serde_json::json!({"column": "line", "field": "ignored"})
    );
    assert_eq!(
        mapping[7],
        serde_json::json!({"column": "Hobby", "field": "extra"})
    );
    // Only a dry run gives it.
    let run = cube.import_customers(csv, &["--json"]);
    assert_eq!(run.ok().json().get("mapping"), None);

    let run = cube.import(
        "outcomes",
        "ref,Kundenr,Kampanje,Selger,Dato,Tid,Utfall,Farge\n",
        &["--dry-run"],
    );
    run.ok();
    assert!(
        run.stderr.contains(concat!(
            "  \"Dato\" → date\n",
            "  \"Tid\" → ignored\n",
            "  \"Utfall\" → outcome\n",
            "  \"Farge\" → ignored\n"
        )),
        "{}",
        run.stderr
    );
}

/// The rejects file of an import, fixed by hand, imports back as it is: its
/// line and reason are no data, and its own rejects have one of each.
#[test]
fn a_fixed_rejects_file_imports_back() {
    let cube = Cube::new();
    let rejects = cube.path("rejects.csv");
    let rejects = rejects.to_str().unwrap();
    cube.import_customers(
        "Kundenr;Navn;E-post\n1;Ola;ola@x.no\n2;Kari;kari(at)x.no\n3;Per;per@\n",
        &["--skip-invalid", "--rejects", rejects],
    )
    .ok();
    let written = fs::read_to_string(rejects).unwrap();
    assert!(
        written.starts_with("line;error;Kundenr;Navn;E-post\n"),
        "{written}"
    );

    // Per is fixed, Kari is not: her row goes to the new rejects file, once.
    let fixed = written.replace("per@\n", "per@x.no\n");
    let file = cube.write("fixed.csv", fixed);
    let again = cube.path("again.csv");
    let run = cube.run(&[
        "import",
        "customers",
        &file,
        "--skip-invalid",
        "--rejects",
        again.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(
        (
            run.ok().json()["imported"].as_i64(),
            run.json()["rejected"].as_i64()
        ),
        (Some(1), Some(1))
    );
    let per = cube.customer("3");
    assert_eq!(per["email"], "per@x.no");
    assert_eq!(per["extra"], serde_json::json!({}), "no line or error kept");
    let again = fs::read_to_string(again).unwrap();
    assert!(
        again.starts_with("line;error;Kundenr;Navn;E-post\n2;"),
        "{again}"
    );
    assert!(
        again.trim_end().ends_with(";2;Kari;kari(at)x.no"),
        "{again}"
    );
}

#[test]
fn blank_rows_are_skipped_and_counted() {
    let cube = Cube::new();
    // What Norwegian Excel saves for a sheet with empty rows in it.
    let run = cube.import_customers(
        "Navn;E-post;Poststed\r\nOla;ola@x.no;Oslo\r\n;;\r\nKari;;Bergen\r\n\r\n; ;\r\n;;\r\n",
        &[],
    );
    run.ok();
    assert_eq!(
        run.stderr,
        "imported 2 customers, skipped 4 blank rows\n",
        "{}",
        run.transcript()
    );
    let run = cube.import_customers("Navn;Poststed\nOla;Oslo\n;;;;\n", &["--json"]);
    assert_eq!(
        (
            run.ok().json()["imported"].as_i64(),
            run.json()["blank"].as_i64()
        ),
        (Some(1), Some(1))
    );
    // Outcomes and history too.
    let run = cube.import("history", "customer_no,date,kind,text\n,,,\n", &["--json"]);
    assert_eq!(
        (
            run.ok().json()["imported"].as_i64(),
            run.json()["blank"].as_i64()
        ),
        (Some(0), Some(1))
    );
}

#[test]
fn a_title_above_the_header_is_passed_over_with_header_row() {
    let cube = Cube::new();
    let csv = "sep=;\r\nKundeliste høst 2026, utskrevet 01.10.2026\r\n\r\nKundenr;Navn;Poststed\r\n007;Åse Lie;Tromsø\r\n";
    let run = cube.import_customers(csv, &["--header-row", "4", "--json"]);
    assert_eq!(run.ok().json()["imported"], 1);
    assert_eq!(cube.customer("007")["city"], "Tromsø");

    let run = cube.import_customers(csv, &["--header-row", "40"]);
    assert_eq!(run.code, 65);
    assert!(
        run.stderr.contains("has nothing on line 40 or after it"),
        "{}",
        run.stderr
    );
    let run = cube.import_customers(csv, &["--header-row", "0"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
}

#[test]
fn dates_in_a_named_format_and_norwegian_times() {
    let cube = Cube::new();
    cube.import_customers(
        "customer_no,name,birth_date\n1,Ola,12/24/1980\n2,Kari,1975-02-01\n",
        &["--date-format", "%m/%d/%Y"],
    )
    .ok();
    assert_eq!(cube.customer("1")["birth_date"], "1980-12-24");
    assert_eq!(cube.customer("2")["birth_date"], "1975-02-01");

    cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome\n1,Høst,kari,01.10.2026 14:05,Call back\n",
        &[],
    )
    .ok();
    assert_eq!(
        cube.sql::<String>("SELECT registered_at FROM outcomes"),
        "2026-10-01T14:05:00Z"
    );
    cube.import(
        "history",
        "customer_no,date,kind,text\n1,10/02/2026 09:15,call,Ringte\n",
        &["--date-format", "%m/%d/%Y %H:%M"],
    )
    .ok();
    assert_eq!(
        cube.sql::<String>("SELECT at FROM history"),
        "2026-10-02T09:15:00Z"
    );

    let run = cube.import_customers("name,birth_date\nPer,24/12/1980\n", &[]);
    assert_eq!(run.code, 65);
    assert!(
        run.stderr.contains(
            r#"line 2, column "birth_date": "24/12/1980" is not a date (accepted: YYYY-MM-DD, DD.MM.YYYY); other forms with --date-format"#
        ),
        "{}",
        run.stderr
    );
    let run = cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome\n1,Høst,kari,1st of May,Call back\n",
        &["--date-format", "%d/%m/%Y"],
    );
    assert_eq!(run.code, 65);
    assert!(
        run.stderr.contains(
            r#""1st of May" is not a date or time (accepted: %d/%m/%Y, YYYY-MM-DD, DD.MM.YYYY, either with HH:MM or HH:MM:SS after it, or RFC 3339 such as 2026-10-01T10:30:00+02:00)"#
        ),
        "{}",
        run.stderr
    );
    let run = cube.import_customers("name\nPer\n", &["--date-format", "%Q"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("--date-format"), "{}", run.stderr);
}
