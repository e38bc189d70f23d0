//! Files as operators have them: workbooks (xlsx written here by
//! rust_xlsxwriter; xls and ods in fixtures/, see fixtures/workbooks.py),
//! blank rows and title rows, other systems' headers, rejects files imported
//! back, and dates in other forms.

use std::fs;

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::Cube;

/// A cell of a workbook written for a test.
enum Cell<'a> {
    Text(&'a str),
    Number(f64),
    /// A date cell: year, month, day.
    Date(u16, u8, u8),
    /// A date-time cell: year, month, day, hour, minute.
    Time(u16, u8, u8, u16, u8),
    Empty,
}

use Cell::{Date, Empty, Number, Text, Time};

/// Some fields of a customer's card, as text (`null` for none).
fn card(cube: &Cube, id: &str, fields: &[&str]) -> Vec<String> {
    let card = cube.customer(id);
    fields
        .iter()
        .map(|f| card[f].as_str().unwrap_or("null").to_string())
        .collect()
}

/// An xlsx workbook with these sheets, each a name and its rows from A1.
fn xlsx(sheets: &[(&str, &[&[Cell]])]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let date = Format::new().set_num_format("dd.mm.yyyy");
    let time = Format::new().set_num_format("dd.mm.yyyy hh:mm");
    for (name, rows) in sheets {
        let sheet = workbook.add_worksheet();
        sheet.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match *cell {
                    Text(text) => sheet.write_string(r, c, text).map(drop),
                    Number(n) => sheet.write_number(r, c, n).map(drop),
                    Date(y, m, d) => {
                        let at = ExcelDateTime::from_ymd(y, m, d).unwrap();
                        sheet.write_datetime_with_format(r, c, &at, &date).map(drop)
                    }
                    Time(y, m, d, h, min) => {
                        let at = ExcelDateTime::from_ymd(y, m, d)
                            .unwrap()
                            .and_hms(h, min, 0)
                            .unwrap();
                        sheet.write_datetime_with_format(r, c, &at, &time).map(drop)
                    }
                    Empty => Ok(()),
                }
                .unwrap();
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

/// The customers of a workbook as Norwegian Excel keeps them: identifiers as
/// text with leading zeros, or as numbers; dates as date cells; æøå.
fn customers_xlsx() -> Vec<u8> {
    xlsx(&[
        (
            "Kunder",
            &[
                &[
                    Text("Kundenr"),
                    Text("Navn"),
                    Text("E-post"),
                    Text("Telefon"),
                    Text("Postnr"),
                    Text("Poststed"),
                    Text("Fødselsdato"),
                ],
                &[
                    Text("00123"),
                    Text("Åse Ødegård"),
                    Text("ase@bøkeskog.no"),
                    Number(4791234567.0),
                    Text("0150"),
                    Text("Oslo"),
                    Date(1980, 12, 24),
                ],
                &[Empty],
                &[
                    Number(1234.0),
                    Text("Kåre Bø"),
                    Empty,
                    Text("+47 912 34 567"),
                    Number(5003.0),
                    Text("Bergen"),
                    Empty,
                ],
            ],
        ),
        ("Arkiv", &[&[Text("Navn")], &[Text("Gammel Kunde")]]),
    ])
}

#[test]
fn an_xlsx_keeps_identifiers_as_text_and_reads_dates_as_dates() {
    let cube = Cube::new();
    let file = cube.write("kunder.xlsx", customers_xlsx());
    let run = cube.run(&["import", "customers", &file, "--json"]);
    run.ok();
    assert_eq!(
        (
            run.json()["imported"].as_i64(),
            run.json()["blank"].as_i64()
        ),
        (Some(2), Some(1))
    );
    let ase = cube.customer("00123");
    assert_eq!(ase["name"], "Åse Ødegård");
    assert_eq!(ase["email"], "ase@bøkeskog.no");
    assert_eq!(ase["phone"], "4791234567", "a number cell, without .0");
    assert_eq!(ase["postal_code"], "0150", "a text cell keeps its zero");
    assert_eq!(ase["birth_date"], "1980-12-24");
    let kare = cube.customer("1234");
    assert_eq!(kare["postal_code"], "5003");
    assert_eq!(kare["phone"], "+47 912 34 567");

    // Another sheet, by name.
    let run = cube.run(&["import", "customers", &file, "--sheet", "Arkiv", "--json"]);
    assert_eq!(run.ok().json()["imported"], 1);
    let run = cube.run(&["import", "customers", &file, "--sheet", "Nope"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains(r#"the workbook has no sheet "Nope""#)
            && run.stderr.contains("hint: its sheets: Kunder, Arkiv"),
        "{}",
        run.stderr
    );
}

#[test]
fn outcomes_and_history_import_from_workbooks_with_their_times() {
    let cube = Cube::new();
    cube.import_customers("customer_no,name\n00123,Åse Lie\n", &[])
        .ok();
    let outcomes = xlsx(&[(
        "Utfall",
        &[
            &[
                Text("Kundenr"),
                Text("Kampanje"),
                Text("Selger"),
                Text("Dato"),
                Text("Utfall"),
                Text("Produkt"),
                Text("Antall"),
                Text("Pris"),
            ],
            &[
                Text("00123"),
                Text("Høst"),
                Text("kari"),
                Time(2026, 10, 1, 10, 30),
                Text("Sale"),
                Text("Fiber"),
                Number(2.0),
                Number(299.5),
            ],
        ],
    )]);
    let file = cube.write("utfall.xlsx", outcomes);
    cube.run(&["import", "outcomes", &file]).ok();
    assert_eq!(
        cube.sql::<String>("SELECT registered_at FROM outcomes"),
        "2026-10-01T10:30:00Z"
    );
    assert_eq!(
        cube.sql::<i64>("SELECT quantity * unit_price FROM sales"),
        59900
    );

    let history = xlsx(&[
        ("Tom", &[]),
        (
            "Logg",
            &[
                &[
                    Text("customer_no"),
                    Text("date"),
                    Text("kind"),
                    Text("text"),
                ],
                &[
                    Text("00123"),
                    Date(2026, 10, 2),
                    Text("call"),
                    Text("Ringte"),
                ],
            ],
        ),
    ]);
    let file = cube.write("logg.xlsx", history);
    let run = cube.run(&["import", "history", &file]);
    assert_eq!(
        run.code,
        65,
        "the first sheet is empty: {}",
        run.transcript()
    );
    assert!(run.stderr.contains("is empty"), "{}", run.stderr);
    cube.run(&["import", "history", &file, "--sheet", "Logg"])
        .ok();
    assert_eq!(
        cube.sql::<String>("SELECT at FROM history"),
        "2026-10-02T00:00:00Z"
    );
}

#[test]
fn xls_and_ods_import_too_from_below_their_title() {
    for fixture in ["customers.xls", "customers.ods"] {
        let cube = Cube::new();
        let file = cube.fixture(fixture);
        let run = cube.run(&["import", "customers", &file, "--header-row", "3", "--json"]);
        run.ok();
        assert_eq!(
            (
                run.json()["imported"].as_i64(),
                run.json()["blank"].as_i64()
            ),
            (Some(3), Some(1)),
            "{fixture}"
        );
        let shown = ["name", "phone", "postal_code", "birth_date"];
        assert_eq!(
            card(&cube, "00123", &shown),
            ["Åse Ødegård", "4791234567", "0150", "1980-12-24"],
            "{fixture}"
        );
        assert_eq!(
            card(&cube, "1002", &shown),
            ["Kåre Bø", "+47 912 34 567", "5003", "1975-02-01"],
            "{fixture}"
        );
        assert_eq!(cube.customer("1003")["city"], "Tromsø", "{fixture}");

        // Without --header-row the title is taken for the header, and the
        // error says how to name the right row.
        let cube = Cube::new();
        let run = cube.run(&["import", "customers", &file]);
        assert_eq!(run.code, 65, "{}", run.transcript());
        assert!(run.stderr.contains("--header-row N"), "{}", run.stderr);
    }
}

#[test]
fn a_workbook_given_as_csv_or_on_standard_input_is_read_by_its_bytes() {
    let cube = Cube::new();
    let file = cube.write("really-a-workbook.csv", customers_xlsx());
    let run = cube.run(&["import", "customers", &file, "--json"]);
    assert_eq!(run.ok().json()["imported"], 2);
    assert_eq!(cube.customer("00123")["postal_code"], "0150");

    let cube = Cube::new();
    let xls = fs::read(cube.fixture("customers.xls")).unwrap();
    let run = cube.run_with_input(
        &["import", "customers", "-", "--header-row", "3", "--json"],
        &xls,
    );
    assert_eq!(run.ok().json()["imported"], 3);
    assert_eq!(cube.customer("00123")["postal_code"], "0150");

    // --sheet is for workbooks.
    let run = cube.import_customers("name\nOla\n", &["--sheet", "Kunder"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("is no workbook"), "{}", run.stderr);
}

/// A workbook is read by code cube does not own: whatever is wrong with it,
/// the answer is one clear line and exit 65, never a crash, and nothing is
/// imported.
#[test]
fn a_damaged_workbook_is_a_clean_error() {
    let cube = Cube::new();
    let good = customers_xlsx();
    let mut flipped = good.clone();
    for b in flipped.iter_mut().skip(200).step_by(7).take(400) {
        *b ^= 0x5a;
    }
    let mut not_a_workbook = Vec::new();
    {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(&mut not_a_workbook));
        zip.start_file("hello.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(b"hello").unwrap();
        zip.finish().unwrap();
    }
    // Two cells a sheet apart: a grid of every cell between them would not
    // fit in memory.
    let mut far_apart = Workbook::new();
    let sheet = far_apart.add_worksheet();
    sheet.write_string(0, 0, "Navn").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    let far_apart = far_apart.save_to_buffer().unwrap();
    let xls = fs::read(cube.fixture("customers.xls")).unwrap();
    let cases: [(&str, Vec<u8>); 8] = [
        ("far-apart.xlsx", far_apart),
        ("truncated.xlsx", good[..good.len() / 2].to_vec()),
        ("flipped.xlsx", flipped),
        ("just-the-magic.xlsx", b"PK\x03\x04".to_vec()),
        ("not-a-workbook.zip", not_a_workbook),
        ("truncated.xls", xls[..xls.len() / 2].to_vec()),
        ("ole-garbage.xls", [&xls[..8], &[0xff; 600][..]].concat()),
        (
            "binary.csv",
            b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03".to_vec(),
        ),
    ];
    // The first import makes the database, and says so before its error.
    let created = format!("created a new database at {}\n", cube.db().display());
    for (name, bytes) in cases {
        let file = cube.write(name, bytes);
        let run = cube.run(&["import", "customers", &file]);
        assert_eq!(run.code, 65, "{name}: {}", run.transcript());
        let error = run.stderr.strip_prefix(&created).unwrap_or(&run.stderr);
        assert!(
            error.starts_with("cube: error: ") && !error.contains("panicked"),
            "{name}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("nothing was imported"),
            "{name}: {}",
            run.stderr
        );
    }
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM customers"), 0);
}

#[test]
fn a_bad_cell_is_named_by_its_row_and_column() {
    let cube = Cube::new();
    let file = cube.write(
        "bad.xlsx",
        xlsx(&[(
            "Ark1",
            &[
                &[Text("Navn"), Text("E-post"), Text("Fødselsdato")],
                &[Text("Ola"), Text("ola@example.no"), Date(1980, 1, 2)],
                &[Empty],
                &[Text("Per"), Text("095-557-11-99"), Text("24/12/1980")],
            ],
        )]),
    );
    let run = cube.run(&["import", "customers", &file]);
    assert_eq!(run.code, 65, "{}", run.transcript());
    assert!(
        run.stderr
            .contains(r#"line 4, column "E-post": "095-557-11-99" is not an e-mail address"#),
        "{}",
        run.stderr
    );
    let run = cube.run(&[
        "import",
        "customers",
        &file,
        "--skip-invalid",
        "--rejects",
        "bad.csv",
    ]);
    run.ok();
    let rejects = fs::read_to_string(cube.path("bad.csv")).unwrap();
    assert!(
        rejects.starts_with("line,error,Navn,E-post,Fødselsdato\n4,"),
        "{rejects}"
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
        format!(
            "created a new database at {}\nimported 2 customers, skipped 4 blank rows\n",
            cube.db().display()
        ),
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

/// A record with too many or too few fields is a bad row like any other:
/// --skip-invalid writes it to the rejects file as it was, and imports the
/// rest.
#[test]
fn rows_with_the_wrong_field_count_go_to_the_rejects_file() {
    let cube = Cube::new();
    cube.import_customers("customer_no,name\n1,Åse Lie\n", &["--campaign", "Vår"])
        .ok();
    let rejects = cube.path("rejects.csv");
    let run = cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome\n\
         1,Vår,kari,2026-11-01,Sale,one too many\n\
         1,Vår\n\
         1,Vår,kari,2026-11-02,Sale\n",
        &[
            "--skip-invalid",
            "--rejects",
            rejects.to_str().unwrap(),
            "--json",
        ],
    );
    let json = run.ok().json();
    assert_eq!(
        (json["imported"].as_i64(), json["rejected"].as_i64()),
        (Some(1), Some(2))
    );
    let written = fs::read_to_string(&rejects).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(
        lines[0],
        "line,error,customer_no,campaign,seller,date,outcome"
    );
    assert!(
        lines[1].starts_with("2,") && lines[1].ends_with(",one too many"),
        "{written}"
    );
    assert!(
        lines[2].starts_with("3,") && lines[2].ends_with(",1,Vår"),
        "{written}"
    );
}
