use std::fs;

use crate::{file_names, mode, Cube};

#[test]
fn the_datablist_sample_gives_100_customers_named_first_last() {
    let cube = Cube::new();
    let file = cube.fixture("datablist-customers-100.csv");
    let run = cube.run(&["import", "customers", &file, "--json"]);
    run.ok();
    assert_eq!(run.json()["imported"], 100);
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM customers"), 100);

    let sheryl = cube.customer("DD37Cf93aecA6Dc");
    assert_eq!(sheryl["name"], "Sheryl Baxter");
    assert_eq!(sheryl["email"], "zunigavanessa@smith.info");
    assert_eq!(sheryl["phone"], "229.077.5154");
    assert_eq!(sheryl["company"], "Rasmussen Group");
    assert_eq!(sheryl["extra"]["Phone 2"], "397.884.0519x718");
    assert_eq!(sheryl["extra"]["Website"], "http://www.stephenson.com/");
    assert_eq!(sheryl["anonymized_at"], serde_json::Value::Null);

    let linda = cube.customer("5Cef8BFA16c5e3c");
    assert_eq!(linda["name"], "Linda Olsen");
    assert_eq!(linda["company"], "Dominguez, Mcmillan and Donovan");
}

#[test]
fn norwegian_excel_windows_1252_keeps_every_character() {
    let cube = Cube::new();
    let file = cube.fixture("norsk-excel-windows-1252.csv");
    cube.run(&["import", "customers", &file]).ok();

    let ase = cube.customer("N-1001");
    assert_eq!(ase["name"], "Åse Ødegård");
    assert_eq!(ase["address"], "Bjørnstjerne Bjørnsons gate 7");
    assert_eq!(ase["birth_date"], "1980-12-24");
    assert_eq!(ase["company"], "Sæther & Sønn AS");
    assert_eq!(
        ase["notes"],
        "Ønsker tilbud på fiber.\r\nRing etter kl. 16; ikke før."
    );
    assert_eq!(ase["phone"], "+47 912 34 567");

    let kare = cube.customer("N-1002");
    assert_eq!(kare["email"], "kare@bøkeskog.no");
    assert_eq!(kare["notes"], "Betaler med kort – «VIP»");
    assert_eq!(kare["birth_date"], "1975-02-01");

    let oystein = cube.customer("N-1003");
    assert_eq!(oystein["city"], "Tromsø");
    assert_eq!(oystein["notes"], "Æ Ø Å æ ø å é € …");
}

#[test]
fn utf8_with_a_bom_maps_its_first_header() {
    let cube = Cube::new();
    let file = cube.fixture("utf8-bom.csv");
    cube.run(&["import", "customers", &file]).ok();
    let ingrid = cube.customer("U-1");
    assert_eq!(ingrid["name"], "Ingrid Sæther");
    assert_eq!(ingrid["notes"], "Første kunde");
    assert_eq!(cube.customer("U-2")["city"], "Bodø");
}

#[test]
fn one_bad_email_rejects_the_file_and_changes_nothing() {
    let cube = Cube::new();
    cube.import_customers("name,email\nKari Nordmann,kari@example.no\n", &[])
        .ok();
    let before = fs::read(cube.db()).unwrap();

    let run = cube.import_customers(
        "Name,Email\nOla Nordmann,ola@example.no\nPer Hansen,095-557-11-99\nSiri Lie,siri@example.no\n",
        &[],
    );
    insta::assert_snapshot!(cube.redacted(&run));
    assert_eq!(run.code, 65);
    assert_eq!(
        fs::read(cube.db()).unwrap(),
        before,
        "the database file changed"
    );
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM customers"), 1);
}

#[test]
fn every_bad_row_is_listed() {
    let cube = Cube::new();
    let run = cube.import_customers(
        "navn;e-post;fødselsdato\nOla;ola@x.no;31.02.1980\n;kari@x.no;\nPer;per@;\n",
        &[],
    );
    assert_eq!(run.code, 65);
    insta::assert_snapshot!("every_bad_row_is_listed", cube.redacted(&run));
    assert!(
        run.stderr
            .contains(r#"line 2, column "fødselsdato": "31.02.1980" is not a date"#),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains(r#"line 3, column "navn": "" is not a name"#),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains(r#"line 4, column "e-post": "per@" is not an e-mail address"#),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("3 rows are invalid; nothing was imported"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_stray_quote_is_an_error_naming_its_line() {
    let cube = Cube::new();
    // The quote opened on line 3 never closes: without a bound the rest of the
    // file would become one field and rows would silently go missing.
    let run = cube.import_customers(
        "name,email,city\nOla,ola@x.no,Oslo\nKari,\"kari@x.no,Bergen\nPer,per@x.no,Moss\nSiri,siri@x.no,Bodø\n",
        &[],
    );
    assert_eq!(run.code, 65, "{}", run.transcript());
    assert!(
        run.stderr.contains("line 3: a quoted field opened here"),
        "{}",
        run.stderr
    );
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM customers"), 0);

    // A stray quote that closes again on the next line joins the two lines
    // into one field: that field is rejected, named at the line it opened on.
    let run = cube.import_customers(
        "name,email,city\nOla,ola@x.no,Oslo\nKari,\"kari@x.no,Bergen\nPer,per@x.no\",Moss\nSiri,siri@x.no,Bodø\n",
        &[],
    );
    assert_eq!(run.code, 65, "{}", run.transcript());
    assert!(
        run.stderr.contains(
            r#"line 3, column "email": "kari@x.no,Bergen\nPer,per@x.no" is not an e-mail address"#
        ),
        "{}",
        run.stderr
    );
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM customers"), 0);
}

#[test]
fn skip_invalid_imports_the_good_rows_and_writes_the_rejects() {
    let cube = Cube::new();
    let rejects = cube.path("rejects.csv");
    let run = cube.import_customers(
        "name,email\nOla,ola@x.no\nPer,not-an-email\nSiri,siri@x.no\n",
        &[
            "--skip-invalid",
            "--rejects",
            rejects.to_str().unwrap(),
            "--json",
        ],
    );
    run.ok();
    assert_eq!(run.json()["imported"], 2);
    assert_eq!(run.json()["rejected"], 1);
    assert_eq!(mode(&rejects), 0o600, "it holds personal data");
    let left = file_names(cube.dir.path());
    assert!(left.iter().all(|n| !n.ends_with(".tmp")), "{left:?}");
    let written = fs::read_to_string(&rejects).unwrap();
    assert_eq!(
        written,
        "line,error,name,email\n3,\"line 3, column \"\"email\"\": \"\"not-an-email\"\" is not an e-mail address\",Per,not-an-email\n"
    );
}

#[test]
fn skip_invalid_needs_a_rejects_file() {
    let cube = Cube::new();
    let run = cube.import_customers("name\nOla\n", &["--skip-invalid"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--rejects"), "{}", run.stderr);
}

#[test]
fn duplicates_error_skip_or_update() {
    let cube = Cube::new();
    cube.import_customers("customer_no,name,city\n7,Ola,Oslo\n", &[])
        .ok();

    let run = cube.import_customers("customer_no,name,city\n7,Ola N,Bergen\n", &[]);
    assert_eq!(run.code, 65);
    assert!(
        run.stderr
            .contains(r#"line 2, column "customer_no": customer number "7" is taken"#),
        "{}",
        run.stderr
    );

    let run = cube.import_customers(
        "customer_no,name,city\n7,Ola N,Bergen\n8,Kari,Moss\n",
        &["--on-duplicate", "skip", "--json"],
    );
    assert_eq!(
        (
            run.json()["imported"].clone(),
            run.json()["skipped"].clone()
        ),
        (1.into(), 1.into())
    );
    assert_eq!(cube.customer("7")["city"], "Oslo");

    let run = cube.import_customers(
        "customer_no,name,city\n7,Ola N,Bergen\n",
        &["--on-duplicate", "update", "--json"],
    );
    assert_eq!(run.json()["updated"], 1);
    assert_eq!(cube.customer("7")["city"], "Bergen");
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM customers"), 2);

    // The same number twice in one file is a duplicate too.
    let run = cube.import_customers("customer_no,name\n9,A\n9,B\n", &[]);
    assert_eq!(run.code, 65);
    assert!(run.stderr.contains("line 3"), "{}", run.stderr);
}

#[test]
fn dry_run_counts_and_changes_nothing() {
    let cube = Cube::new();
    let run = cube.import_customers("name\nOla\nKari\n", &["--dry-run"]);
    run.ok();
    assert!(
        run.stderr.contains("would import 2 customers"),
        "{}",
        run.stderr
    );
    // There was no database: the dry run leaves none (a mistyped --db).
    assert!(!run.stderr.contains("created"), "{}", run.stderr);
    let folder = cube.db().parent().unwrap().to_path_buf();
    assert!(!folder.exists(), "{:?}", crate::file_names(&folder));
    // Into a database that is there, it changes nothing.
    cube.import_customers("name\nÅse\n", &[]).ok();
    let run = cube.import_customers("name\nOla\nKari\n", &["--dry-run"]);
    run.ok();
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM customers"), 1);
    // A dry run that finds bad rows leaves nothing either.
    let elsewhere = cube.path("typo/cube.db");
    cube.write("bad.csv", b"name,email\nOla,not an address\n");
    let run = cube.run(&[
        "--db",
        elsewhere.to_str().unwrap(),
        "import",
        "customers",
        cube.path("bad.csv").to_str().unwrap(),
        "--dry-run",
    ]);
    assert_eq!(run.code, 65, "{}", run.transcript());
    assert!(!cube.path("typo").exists());
}

#[test]
fn map_overrides_and_unknown_columns_become_extra_fields() {
    let cube = Cube::new();
    cube.import_customers(
        "Kunde,Ref,Favorittfarge,Skrot\nÅse Lie,R-1,grønn,x\n",
        &[
            "--map",
            "Kunde=name",
            "--map",
            "Ref=customer_no",
            "--map",
            "Skrot=ignore",
        ],
    )
    .ok();
    let ase = cube.customer("R-1");
    assert_eq!(ase["name"], "Åse Lie");
    assert_eq!(ase["extra"], serde_json::json!({"Favorittfarge": "grønn"}));

    let run = cube.import_customers("Kunde\nÅse\n", &["--map", "Kunde=navnet"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown field \"navnet\""),
        "{}",
        run.stderr
    );
}

#[test]
fn a_file_without_a_name_column_is_refused_with_the_header() {
    let cube = Cube::new();
    let run = cube.import_customers("email,phone\nola@x.no,1\n", &[]);
    assert_eq!(run.code, 65);
    assert!(
        run.stderr.contains("no column holds the customers' names"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("hint: the header has: email, phone"),
        "{}",
        run.stderr
    );
}

#[test]
fn reads_standard_input_and_tabs() {
    let cube = Cube::new();
    let run = cube.run_with_input(
        &["import", "customers", "-"],
        "Fornavn\tEtternavn\tTelefon\nSølvi\tSæther\t+47 1\n".as_bytes(),
    );
    run.ok();
    let listed = cube.run(&["customer", "list", "--json"]).ok().json();
    assert_eq!(listed[0]["name"], "Sølvi Sæther");
    assert_eq!(listed[0]["phone"], "+47 1");
}

#[test]
fn import_into_a_campaign_creates_it() {
    let cube = Cube::new();
    cube.import_customers("name\nOla\nKari\n", &["--campaign", "Vår"])
        .ok();
    let shown = cube.campaign("Vår");
    assert_eq!(shown["stages"]["available"], 2);
}

#[test]
fn a_missing_file_is_one_clear_line() {
    let cube = Cube::new();
    let run = cube.run(&["import", "customers", "nowhere.csv"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "cube: error: cannot open nowhere.csv: No such file or directory (os error 2)\n"
    );
}

#[test]
fn a_bulk_import_leaves_the_schema_as_migrations_made_it() {
    let fresh = Cube::new();
    fresh.run(&["init"]).ok();
    let cube = Cube::new();
    let file = cube.fixture("datablist-customers-100.csv");
    cube.run(&["import", "customers", &file]).ok();
    let schema = |c: &Cube| -> String {
        let conn = rusqlite::Connection::open(c.db()).unwrap();
        let mut stmt = conn
            .prepare("SELECT name, sql FROM sqlite_master ORDER BY name")
            .unwrap();
        let rows: Vec<String> = stmt
            .query_map([], |r| {
                Ok(format!(
                    "{}: {:?}",
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?
                ))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        rows.join("\n")
    };
    assert_eq!(schema(&cube), schema(&fresh));
    // The unique indexes work again after the bulk load.
    let run = cube.import_customers(
        "Customer Id,First Name,Last Name\nDD37Cf93aecA6Dc,A,B\n",
        &[],
    );
    assert_eq!(run.code, 65, "{}", run.transcript());
}

#[test]
fn a_repeated_number_in_a_bulk_import_is_named_by_line() {
    let cube = Cube::new();
    let run = cube.import_customers("customer_no,name\n1,Ola\n2,Kari\n1,Per\n", &[]);
    assert_eq!(run.code, 65);
    assert!(
        run.stderr
            .contains(r#"line 4, column "customer_no": customer number "1" is taken"#),
        "{}",
        run.stderr
    );
    let run = cube.import_customers(
        "customer_no,name\n1,Ola\n2,Kari\n1,Per\n",
        &["--on-duplicate", "update", "--json"],
    );
    assert_eq!(
        (
            run.json()["imported"].as_i64(),
            run.json()["updated"].as_i64()
        ),
        (Some(2), Some(1))
    );
    assert_eq!(cube.customer("1")["name"], "Per");
}

/// Rows are read on one thread and written many at a time on another: the
/// outcome must still be row by row, in the order of the file.
#[test]
fn a_large_file_is_judged_row_by_row_in_file_order() {
    let cube = Cube::new();
    let mut csv = String::from("customer_no,name,email\n");
    for i in 0..3000 {
        match i {
            // a number repeated in the same few rows, and one far away
            10 | 2500 => csv.push_str("K5,Again,\n"),
            // bad rows between good ones
            n if n % 700 == 3 => csv.push_str(&format!("B{n},Bad,not-an-email\n")),
            n => csv.push_str(&format!("K{n},Person {n},\n")),
        }
    }
    let rejects = cube.path("rejects.csv");
    let run = cube.import_customers(
        &csv,
        &[
            "--skip-invalid",
            "--rejects",
            rejects.to_str().unwrap(),
            "--json",
        ],
    );
    run.ok();
    assert_eq!(
        (
            run.json()["imported"].as_i64(),
            run.json()["rejected"].as_i64()
        ),
        (Some(3000 - 2 - 5), Some(7))
    );
    let lines: Vec<String> = csv::Reader::from_path(&rejects)
        .unwrap()
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    // line = row + 2 (the header is line 1)
    assert_eq!(lines, ["5", "12", "705", "1405", "2105", "2502", "2805"]);

    let cube = Cube::new();
    let run = cube.import_customers(
        &csv,
        &[
            "--campaign",
            "Vår",
            "--on-duplicate",
            "update",
            "--skip-invalid",
            "--rejects",
            rejects.to_str().unwrap(),
            "--json",
        ],
    );
    run.ok();
    assert_eq!(run.json()["updated"], 2);
    assert_eq!(cube.customer("K5")["name"], "Again");
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM customers"), 2993);
    // Written with foreign key checks off, the links hold all the same.
    let conn = rusqlite::Connection::open(cube.db()).unwrap();
    let broken = conn
        .prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query_map([], |_| Ok(()))
        .unwrap()
        .count();
    assert_eq!(broken, 0);
}

#[test]
fn an_excel_sep_line_is_understood() {
    let cube = Cube::new();
    let file = cube.write(
        "excel.csv",
        b"sep=;\r\nNavn;Poststed\r\n\xc5se Lie;Troms\xf8\r\n",
    );
    let run = cube.run(&["import", "customers", &file, "--json"]);
    assert_eq!(run.ok().json()["imported"], 1);
    let listed = cube.run(&["customer", "list", "--json"]).ok().json();
    assert_eq!(listed[0]["name"], "Åse Lie");
}

#[test]
fn a_missing_name_is_reported_at_the_column_it_comes_from() {
    let cube = Cube::new();
    let run = cube.import_customers("Kundenr;Etternavn;Fornavn\n1;;\n", &[]);
    assert_eq!(run.code, 65, "{}", run.transcript());
    assert!(
        run.stderr
            .contains(r#"line 2, column "Etternavn": "" is not a name"#),
        "{}",
        run.stderr
    );
    let run = cube.import_customers("Kundenr,Navn\n1,  \n", &[]);
    assert!(
        run.stderr
            .contains(r#"line 2, column "Navn": "  " is not a name"#),
        "{}",
        run.stderr
    );
}

/// A file in one encoding up to a line and in another after it is refused
/// at that line, whichever comes first: read as either it would store
/// "KÃ¥re" for "Kåre" somewhere. So is a BOM inside a file (two files joined).
#[test]
fn a_file_that_changes_encoding_is_refused_at_the_line_it_changes() {
    let cube = Cube::new();
    cube.run(&["init"]).ok();
    let cases: [(&str, &[u8], &str); 3] = [
        (
            "utf8-then-1252.csv",
            b"customer_no,name\nN-1,K\xC3\xA5re \xC3\x98deg\xC3\xA5rd\nN-2,Ola\nN-3,\xC5se Lie\n",
            "line 4: the file is not valid UTF-8 (byte 0xC5), but earlier lines are",
        ),
        (
            "1252-then-utf8.csv",
            b"customer_no,name\nN-1,Ola\nN-2,\xC5se Lie\nN-3,K\xC3\xA5re \xC3\x98deg\xC3\xA5rd\n",
            "line 4: UTF-8 letters, but line 3 is not UTF-8 (byte 0xC5)",
        ),
        (
            "two-files-joined.csv",
            b"\xEF\xBB\xBFcustomer_no,name\nN-1,K\xC3\xA5re\n\xEF\xBB\xBFcustomer_no,name\nN-2,\xC3\x85se\n",
            "line 3: a byte order mark (U+FEFF) in the middle of the file",
        ),
    ];
    for (name, bytes, said) in cases {
        let file = cube.write(name, bytes);
        let run = cube.run(&["import", "customers", &file]);
        assert_eq!(run.code, 65, "{name}: {}", run.transcript());
        assert!(run.stderr.contains(said), "{name}: {}", run.stderr);
        assert!(
            run.stderr.contains("nothing was imported"),
            "{}",
            run.stderr
        );
        assert_eq!(cube.sql::<i64>("SELECT count(*) FROM customers"), 0);
    }
    // Told the encoding, cube reads the file as told.
    let file = cube.path("1252-then-utf8.csv");
    let file = file.to_str().unwrap();
    cube.run(&["import", "customers", file, "--encoding", "windows-1252"])
        .ok();
    assert_eq!(cube.customer("N-2")["name"], "Åse Lie");
}

#[test]
fn every_column_needs_a_header_of_its_own() {
    let cube = Cube::new();
    cube.run(&["init"]).ok();
    for (csv, said) in [
        (
            "customer_no,Name,Email,name\nN-1,Kari,kari@example.no,Ola\n",
            r#"line 1: columns 2 and 4 have the same header "name""#,
        ),
        (
            "sep=;\nName;;Email\nKari;x;kari@example.no\n",
            "line 2, column 2: the header is empty",
        ),
        (
            "customer_no,name,\nN-1,Kari,\n",
            "line 1, column 3: the header is empty",
        ),
    ] {
        let run = cube.import_customers(csv, &[]);
        assert_eq!(run.code, 65, "{csv:?}: {}", run.transcript());
        assert!(run.stderr.contains(said), "{csv:?}: {}", run.stderr);
    }
    let run = cube.import(
        "history",
        "customer_no,date,kind,text,Text\nN-1,2026-10-01,call,a,b\n",
        &[],
    );
    assert_eq!(run.code, 65, "{}", run.transcript());
    assert!(
        run.stderr
            .contains(r#"columns 4 and 5 have the same header "Text""#),
        "{}",
        run.stderr
    );
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM customers"), 0);
}
