use std::collections::BTreeMap;
use std::fs;
use std::io::Read;

use crate::{file_names, Cube};

/// Names, notes and comments carrying formula payloads, and phone numbers that
/// look like formulas but are data.
fn hostile() -> Cube {
    let cube = Cube::new();
    let customers = "customer_no,name,phone,email,notes\n\
        1,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"klikk\"\")\",+47 12345678,ola@x.no,@SUM(1+1)*cmd|' /C calc'!A0\n\
        2,Kari Nordmann,-1 234,kari@x.no,\"\tleading tab\"\n\
        3,\"@SUM(A1:A9)\",+1 (555) 010-99,per@x.no,plain\n";
    cube.import_customers(customers, &["--campaign", "Vår"])
        .ok();
    let outcomes = "customer_no,campaign,seller,date,outcome,comment,product,quantity,unit_price\n\
        1,Vår,kari,2026-11-01T09:00:00Z,Sale,-2+3+cmd|' /C calc'!A0,Fiber 500,2,599.00\n\
        2,Vår,ola,2026-11-02T10:00:00Z,Sale,=1+1,TV Basis,1,-100.50\n\
        3,Vår,ola,2026-11-03T11:00:00Z,Call back,\"\tringer igjen\",,,\n";
    cube.import("outcomes", outcomes, &[]).ok();
    cube
}

fn parse(text: &str, delimiter: u8) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

#[test]
fn no_cell_starts_a_formula_and_phone_numbers_stay() {
    let cube = hostile();
    let run = cube.run(&["export", "outcomes"]);
    run.ok();
    let rows = parse(&run.stdout, b',');
    assert_eq!(rows.len(), 3);
    for row in &rows {
        for (column, cell) in row {
            let data = [
                "+47 12345678",
                "-1 234",
                "+1 (555) 010-99",
                "-100.50",
                "-201.00",
            ];
            if data.contains(&cell.as_str()) {
                continue;
            }
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{column}: {cell:?}"
            );
        }
    }
    assert_eq!(
        rows[0]["name"],
        "'=HYPERLINK(\"http://evil.example\",\"klikk\")"
    );
    assert_eq!(rows[0]["phone"], "+47 12345678");
    assert_eq!(rows[0]["comment"], "'-2+3+cmd|' /C calc'!A0");
    assert_eq!(rows[0]["amount"], "1198.00");
    assert_eq!(rows[1]["phone"], "-1 234");
    assert_eq!(rows[1]["comment"], "'=1+1");
    assert_eq!(rows[1]["amount"], "-100.50");
    assert_eq!(rows[2]["name"], "'@SUM(A1:A9)");
    assert_eq!(rows[2]["comment"], "'\tringer igjen");

    let raw = cube.run(&["export", "outcomes", "--raw"]);
    assert_eq!(parse(&raw.stdout, b',')[1]["comment"], "=1+1");
}

#[test]
fn headers_are_in_the_documented_order() {
    let cube = hostile();
    let first_line = |report: &str| {
        cube.run(&["export", report])
            .ok()
            .stdout
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(first_line("outcomes"), "date,campaign,seller,ref,customer_no,name,phone,email,outcome,comment,product,quantity,amount");
    assert_eq!(
        first_line("sales"),
        "date,campaign,seller,ref,customer_no,name,product,quantity,unit_price,amount"
    );
    assert_eq!(first_line("history"), "date,ref,customer_no,name,kind,text");
}

#[test]
fn excel_in_a_norwegian_locale_gets_a_bom_and_semicolons() {
    let cube = hostile();
    let run = cube.run(&["export", "sales", "--bom", "--delimiter", ";"]);
    run.ok();
    assert!(
        run.stdout.starts_with("\u{feff}date;campaign;seller;"),
        "{}",
        run.stdout
    );
    let rows = parse(run.stdout.trim_start_matches('\u{feff}'), b';');
    assert_eq!(rows[0]["unit_price"], "599.00");
    assert_eq!(rows[0]["campaign"], "Vår");
}

#[test]
fn filters_by_campaign_seller_and_dates() {
    let cube = hostile();
    let count = |args: &[&str]| {
        let mut all = vec!["export", "outcomes"];
        all.extend(args);
        parse(&cube.run(&all).ok().stdout, b',').len()
    };
    assert_eq!(count(&["--seller", "ola"]), 2);
    // A seller with no outcome is a typo, not an empty report.
    let run = cube.run(&["export", "sales", "--seller", "oal"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("no seller is named \"oal\""),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean \"ola\"?"),
        "{}",
        run.stderr
    );
    assert_eq!(count(&["--from", "2026-11-02"]), 2);
    assert_eq!(count(&["--to", "02.11.2026"]), 2);
    assert_eq!(count(&["--from", "2026-11-02", "--to", "2026-11-02"]), 1);
    assert_eq!(count(&["--campaign", "Vår"]), 3);
    let run = cube.run(&["export", "outcomes", "--from", "yesterday"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--from \"yesterday\" is not a date"),
        "{}",
        run.stderr
    );
}

#[test]
fn anonymized_customers_read_anonymized_and_totals_stay() {
    let cube = hostile();
    cube.import_customers(
        "customer_no,name\n9,Siri Kontroll\n",
        &["--campaign", "Kontroll"],
    )
    .ok();
    cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome,comment,product,quantity,unit_price\n9,Kontroll,kari,2026-11-04,Sale,ok,Fiber 500,1,599.00\n",
        &[],
    )
    .ok();
    let totals = |rows: &[BTreeMap<String, String>]| {
        let mut by: BTreeMap<(String, String), f64> = BTreeMap::new();
        for r in rows {
            *by.entry((r["seller"].clone(), r["product"].clone()))
                .or_default() += r["amount"].parse::<f64>().unwrap_or(0.0);
        }
        by
    };
    let before = parse(&cube.run(&["export", "sales"]).ok().stdout, b',');
    let refs: Vec<String> = before.iter().map(|r| r["ref"].clone()).collect();
    cube.run(&["anonymize", "Vår", "--yes"]).ok();

    let after = parse(&cube.run(&["export", "sales"]).ok().stdout, b',');
    assert_eq!(totals(&before), totals(&after));
    assert_eq!(after.len(), before.len());
    let outcomes = parse(&cube.run(&["export", "outcomes"]).ok().stdout, b',');
    for row in outcomes.iter().filter(|r| r["campaign"] == "Vår") {
        assert_eq!(row["name"], "Anonymized");
        for column in ["customer_no", "phone", "email", "comment"] {
            assert_eq!(row[column], "", "{column}");
        }
        assert!(row["ref"].starts_with("anon-"), "{}", row["ref"]);
        assert!(!refs.contains(&row["ref"]));
        assert!(!row["outcome"].is_empty() && !row["seller"].is_empty() && !row["date"].is_empty());
    }
    let kontroll = outcomes
        .iter()
        .find(|r| r["campaign"] == "Kontroll")
        .unwrap();
    assert_eq!(
        (kontroll["name"].as_str(), kontroll["comment"].as_str()),
        ("Siri Kontroll", "ok")
    );
    // The pseudonym is stable, so distinct customers still count right.
    let again = parse(&cube.run(&["export", "outcomes"]).ok().stdout, b',');
    assert_eq!(outcomes, again);
    let distinct: std::collections::BTreeSet<&String> =
        outcomes.iter().map(|r| &r["ref"]).collect();
    assert_eq!(distinct.len(), 4);
    let history = cube.run(&["export", "history"]);
    assert_eq!(parse(&history.ok().stdout, b',').len(), 0);
}

#[test]
fn xlsx_is_a_workbook_without_formulas() {
    let cube = hostile();
    let path = cube.path("report.xlsx");
    let run = cube.run(&[
        "export",
        "outcomes",
        "--format",
        "xlsx",
        "-o",
        path.to_str().unwrap(),
    ]);
    run.ok();
    let mut zip = zip::ZipArchive::new(fs::File::open(&path).unwrap()).unwrap();
    let mut sheet = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut sheet)
        .unwrap();
    assert!(
        !sheet.contains("<f>") && !sheet.contains("<f "),
        "a formula in {sheet}"
    );
    assert!(
        sheet.contains("<pane ySplit=\"1\""),
        "the header is frozen: {sheet}"
    );
    assert!(
        sheet.contains("<v>1198</v>"),
        "amounts are numbers: {sheet}"
    );
    let mut strings = String::new();
    if let Ok(mut file) = zip.by_name("xl/sharedStrings.xml") {
        file.read_to_string(&mut strings).unwrap();
    }
    let all = strings + &sheet;
    let payload = all.contains("<t>=HYPERLINK(\"http://evil.example\",\"klikk\")</t>")
        || all.contains("=HYPERLINK(&quot;http://evil.example&quot;,&quot;klikk&quot;)");
    assert!(payload, "the payload stays readable, as text: {all}");
    assert!(all.contains("+47 12345678"));
}

#[test]
fn output_files_are_complete_or_absent() {
    let cube = hostile();
    let path = cube.path("out/report.csv");
    fs::create_dir_all(cube.path("out")).unwrap();
    cube.run(&["export", "outcomes", "-o", path.to_str().unwrap()])
        .ok();
    assert_eq!(parse(&fs::read_to_string(&path).unwrap(), b',').len(), 3);

    let missing = cube.path("out/report2.csv");
    let run = cube.run(&[
        "export",
        "outcomes",
        "--campaign",
        "Nope",
        "-o",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1);
    let run = cube.run(&[
        "export",
        "outcomes",
        "-o",
        cube.path("nowhere/report.csv").to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("cannot create"), "{}", run.stderr);
    assert_eq!(
        file_names(&cube.path("out")),
        ["report.csv"],
        "no partial or temporary file"
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let cube = Cube::new();
    let rows: String = (0..3000).map(|i| format!("{i},Kunde {i}\n")).collect();
    cube.import_customers(&format!("customer_no,name\n{rows}"), &["--campaign", "Vår"])
        .ok();
    let outcomes: String = (0..3000)
        .map(|i| format!("{i},Vår,kari,2026-11-01,Call back,{}\n", "x".repeat(50)))
        .collect();
    cube.import(
        "outcomes",
        &format!("customer_no,campaign,seller,date,outcome,comment\n{outcomes}"),
        &[],
    )
    .ok();
    let run = cube.piped_into_head("export outcomes", 2);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(run.stdout.lines().count(), 2);
}

#[test]
fn lists_come_as_csv_for_scripts() {
    let cube = hostile();
    let run = cube.run(&["customer", "list", "--format", "csv"]);
    let rows = parse(&run.ok().stdout, b',');
    assert_eq!(
        rows[0]["name"],
        "'=HYPERLINK(\"http://evil.example\",\"klikk\")"
    );
    assert_eq!(rows[1]["phone"], "-1 234");
    let run = cube.run(&["campaign", "list", "--format", "csv"]);
    assert_eq!(
        run.ok().stdout.lines().next().unwrap(),
        "campaign,status,customers,available,assigned,completed,anonymized,last_activity,archived,customers_are"
    );
}

#[test]
fn a_workbook_can_go_to_a_pipe() {
    let cube = hostile();
    let out = cube
        .command(&["export", "sales", "--format", "xlsx"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let zip = zip::ZipArchive::new(std::io::Cursor::new(out.stdout)).unwrap();
    assert!(zip.file_names().any(|n| n == "xl/worksheets/sheet1.xml"));
}

/// Text that another program wrote into the database and that is not UTF-8
/// stops the export with a clear error, in CSV as in a workbook, and leaves
/// no file behind.
#[test]
fn text_that_is_not_utf8_is_an_error_not_a_panic() {
    let cube = hostile();
    rusqlite::Connection::open(cube.db())
        .unwrap()
        .execute(
            "UPDATE customers SET name = CAST(x'4b61ff7269' AS TEXT) WHERE customer_no = '2'",
            [],
        )
        .unwrap();
    for format in ["csv", "xlsx"] {
        let path = cube.path(&format!("out.{format}"));
        let run = cube.run(&[
            "export",
            "outcomes",
            "--format",
            format,
            "-o",
            path.to_str().unwrap(),
        ]);
        assert_eq!(run.code, 1, "{}", run.transcript());
        assert!(run.stderr.contains("not UTF-8"), "{}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert!(!path.exists(), "a partial {format} file was left");
    }
}

/// Outcomes at a summer and a winter time, a date without a time, and a
/// customer anonymized since (its time cut to the day).
fn for_norwegian_excel() -> Cube {
    let cube = Cube::new();
    cube.import_customers(
        "customer_no,name,phone\n1,Kåre Ødegård,+47 99887766\n2,Åse Lie,\n3,Per Berg,\n",
        &["--campaign", "Høst"],
    )
    .ok();
    cube.import_customers("customer_no,name\n4,Siri Dahl\n", &["--campaign", "Gammel"])
        .ok();
    let outcomes = "customer_no,campaign,seller,date,outcome,comment,product,quantity,unit_price\n\
        1,Høst,kari,2026-10-02T12:30:00Z,Sale,=1+1,Fiber 500,2,599.00\n\
        2,Høst,ola,2026-10-02,Sale,,TV Basis,1,299.00\n\
        3,Høst,ola,2026-11-28T23:30:00Z,Call back,,,,\n\
        4,Gammel,kari,2026-11-28T10:15:00Z,Sale,,Fiber 500,1,-100.50\n";
    cube.import("outcomes", outcomes, &[]).ok();
    cube.run(&["anonymize", "Gammel", "--yes"]).ok();
    cube
}

#[test]
fn a_norwegian_excel_export_reads_right() {
    let cube = for_norwegian_excel();
    let run = cube.run(&[
        "export",
        "outcomes",
        "--locale",
        "nb-NO",
        "--tz",
        "Europe/Oslo",
    ]);
    let text = &run.ok().stdout;
    assert!(text.starts_with("\u{feff}date;campaign;"), "{text}");
    for cell in [
        ";299,00\n",
        ";1198,00\n",
        "\n02.10.2026;",
        "\n02.10.2026 14:30;",
        "\n29.11.2026 00:30;",
        ";'=1+1;",
        ";+47 99887766;",
    ] {
        assert!(text.contains(cell), "{cell:?} in\n{text}");
    }
    // The anonymized customer's kept time is its day: not 01:00, not the 27th.
    assert!(text.contains("\n28.11.2026;Gammel;kari;anon-"), "{text}");
    assert!(
        !text.contains("28.11.2026 01:00") && !text.contains("27.11.2026"),
        "{text}"
    );
    insta::assert_snapshot!("norwegian_excel", cube.redacted(&run));

    // $TZ is the default zone; --delimiter still wins.
    let run = cube.run_env(
        &["export", "sales", "--locale", "nb-NO", "--delimiter", ","],
        &[("TZ", Some("Europe/Oslo"))],
    );
    let text = &run.ok().stdout;
    assert!(text.starts_with("\u{feff}date,campaign,"), "{text}");
    assert!(text.contains("\n02.10.2026 14:30,Høst,kari,"), "{text}");
    assert!(text.contains(",\"1198,00\"\n"), "{text}");
    let run = cube.run_env(
        &["export", "sales", "--locale", "nb-NO"],
        &[("TZ", Some("CET-1CEST"))],
    );
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("hint: pass --tz"), "{}", run.stderr);
}

#[test]
fn without_a_locale_the_csv_is_as_it_always_was() {
    let cube = for_norwegian_excel();
    let run = cube.run(&["export", "sales"]);
    let rows = parse(&run.ok().stdout, b',');
    let dates: Vec<&str> = rows.iter().map(|r| r["date"].as_str()).collect();
    assert_eq!(
        dates,
        [
            "2026-10-02T00:00:00Z",
            "2026-10-02T12:30:00Z",
            "2026-11-28T00:00:00Z"
        ]
    );
    assert_eq!(rows[1]["amount"], "1198.00");
    assert_eq!(rows[2]["amount"], "-100.50");
    // A zone is for people: the plain CSV refuses one rather than ignore it.
    let run = cube.run(&["export", "sales", "--tz", "Europe/Oslo"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("--tz goes with --locale or --format xlsx"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_workbook_has_local_times_and_days() {
    let cube = for_norwegian_excel();
    let sheet = |tz: &str, locale: &[&str]| {
        let path = cube.path(&format!("sales-{}.xlsx", tz.replace('/', "-")));
        let mut args = vec![
            "export",
            "sales",
            "--format",
            "xlsx",
            "--tz",
            tz,
            "-o",
            path.to_str().unwrap(),
        ];
        args.extend(locale);
        cube.run(&args).ok();
        let mut zip = zip::ZipArchive::new(fs::File::open(&path).unwrap()).unwrap();
        let mut text = String::new();
        for name in ["xl/worksheets/sheet1.xml", "xl/styles.xml"] {
            zip.by_name(name)
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
        }
        text
    };
    // 2026-10-02 is day 46297 of Excel's calendar; 12:30 UTC is 14:30 in
    // Oslo. The day stays a whole day in any zone.
    let utc = sheet("UTC", &[]);
    assert!(utc.contains("<v>46297.520833333"), "{utc}");
    let oslo = sheet("Europe/Oslo", &[]);
    assert!(oslo.contains("<v>46297.604166666"), "{oslo}");
    assert!(
        oslo.contains("<v>46297</v>") && oslo.contains("<v>46354</v>"),
        "{oslo}"
    );
    assert!(oslo.contains("formatCode=\"yyyy-mm-dd hh:mm\""), "{oslo}");
    let norwegian = sheet("Europe/Oslo", &["--locale", "nb-NO"]);
    assert!(
        norwegian.contains("formatCode=\"dd.mm.yyyy hh:mm\""),
        "{norwegian}"
    );
    assert!(
        norwegian.contains("formatCode=\"dd.mm.yyyy\""),
        "{norwegian}"
    );
}

#[test]
fn an_output_through_a_link_or_into_a_pipe_replaces_neither() {
    use std::os::unix::fs::{symlink, FileTypeExt};
    let cube = hostile();
    fs::create_dir_all(cube.path("out")).unwrap();
    // A link: the file it names gets the report, and the link stays.
    fs::write(cube.path("out/real.csv"), "old").unwrap();
    symlink(cube.path("out/real.csv"), cube.path("out/link.csv")).unwrap();
    let link = cube.path("out/link.csv");
    cube.run(&["export", "outcomes", "-o", link.to_str().unwrap()])
        .ok();
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    let report = fs::read_to_string(cube.path("out/real.csv")).unwrap();
    assert_eq!(parse(&report, b',').len(), 3);

    // A named pipe: written to, as standard output is, and still a pipe.
    let fifo = cube.path("out/pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
    };
    cube.run(&["export", "outcomes", "-o", fifo.to_str().unwrap()])
        .ok();
    assert_eq!(parse(&reader.join().unwrap(), b',').len(), 3);
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
}
