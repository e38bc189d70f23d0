use std::os::unix::fs::symlink;

use crate::Cube;

fn setup() -> Cube {
    let cube = Cube::new();
    cube.import_customers(
        "customer_no,name\n1,Åse Lie\n2,Per Berg\n3,Siri Dahl\n",
        &["--campaign", "Vår"],
    )
    .ok();
    cube.write("data/recordings/2026/call-4791234567.wav", b"RIFF");
    cube
}

#[test]
fn outcomes_with_sales_and_recordings() {
    let cube = setup();
    let run = cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome,comment,product,quantity,unit_price,recording\n\
         1,Vår,kari,2026-11-01,Sale,Ring 912 34 567,Fiber 500,2,\"599,00\",2026/call-4791234567.wav\n\
         2,Høst,ola,2026-11-02T10:30:00+01:00,Not interested,,,,,\n",
        &["--json"],
    );
    run.ok();
    assert_eq!(run.json()["imported"], 2);
    assert_eq!(
        cube.sql::<i64>("SELECT quantity * unit_price FROM sales"),
        119800
    );
    assert_eq!(
        cube.sql::<String>("SELECT path FROM recordings"),
        "2026/call-4791234567.wav"
    );
    assert_eq!(
        cube.sql::<String>("SELECT registered_at FROM outcomes WHERE label = 'Not interested'"),
        "2026-11-02T09:30:00Z"
    );
    // Customer 1 was in Vår: completed there. Customer 2 stays in Vår, and
    // Høst was created for its outcome.
    assert_eq!(cube.customer("1")["stage"], "completed");
    assert_eq!(cube.customer("2")["stage"], "available");
    let host = cube.campaign("Høst");
    assert_eq!(host["customers"], 0);
    let stats = cube.run(&["stats", "--json"]).ok().json();
    assert_eq!(
        (
            stats["outcomes"].as_i64(),
            stats["sales"].as_i64(),
            stats["recordings"].as_i64(),
            stats["sellers"].as_i64()
        ),
        (Some(2), Some(1), Some(1), Some(2))
    );
}

#[test]
fn a_customer_in_no_campaign_is_placed_in_the_outcomes_campaign() {
    let cube = setup();
    cube.import_customers("customer_no,name\n9,Nils Ny\n", &[])
        .ok();
    cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome\n9,Vinter,kari,2026-11-03,Call back\n",
        &[],
    )
    .ok();
    let nils = cube.customer("9");
    assert_eq!(
        (nils["campaign"].as_str(), nils["stage"].as_str()),
        (Some("Vinter"), Some("completed"))
    );
}

/// An archived campaign may have been anonymized: a customer placed in it by
/// an outcome would stay there, un-anonymized, for good. Such a row is a bad
/// row, whoever its customer is.
#[test]
fn no_outcome_goes_into_an_archived_campaign() {
    let cube = setup();
    cube.import_customers("customer_no,name\n9,Nils Ny\n", &[])
        .ok();
    cube.run(&["anonymize", "Vår", "--yes"]).ok();
    cube.import_customers("customer_no,name\n4,Kari Kjent\n", &["--campaign", "Høst"])
        .ok();
    cube.run(&["archive", "Høst", "--keep-customers"]).ok();

    let outcomes = "customer_no,campaign,seller,date,outcome\n\
                    9,Vår,kari,2026-11-03,Sale\n\
                    4,Høst,kari,2026-11-03,Call back\n\
                    9,Vinter,kari,2026-11-03,Call back\n";
    let run = cube.import("outcomes", outcomes, &[]);
    assert_eq!(run.code, 65, "{}", run.transcript());
    for line in [
        r#"line 2, column "campaign": campaign "Vår" is archived"#,
        r#"line 3, column "campaign": campaign "Høst" is archived"#,
    ] {
        assert!(run.stderr.contains(line), "{}", run.stderr);
    }
    assert!(!run.stderr.contains("line 4"), "{}", run.stderr);
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM outcomes"), 0);
    assert_eq!(cube.customer("9")["campaign"], serde_json::Value::Null);

    let rejects = cube.path("rejects.csv");
    let run = cube.import(
        "outcomes",
        outcomes,
        &[
            "--skip-invalid",
            "--rejects",
            rejects.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(run.ok().json()["rejected"], 2);
    let nils = cube.customer("9");
    assert_eq!(
        (nils["campaign"].as_str(), nils["stage"].as_str()),
        (Some("Vinter"), Some("completed"))
    );
    assert_eq!(cube.customer("4")["stage"], "available");
    let written = std::fs::read_to_string(&rejects).unwrap();
    assert!(
        written.contains(r#"campaign ""Vår"" is archived"#),
        "{written}"
    );
    assert_eq!(cube.campaign("Vår")["customers"], 3);
}

#[test]
fn recording_paths_must_stay_inside_the_folder() {
    let cube = setup();
    let outside = cube.write("secret.wav", b"canary");
    symlink(&outside, cube.path("data/recordings/link.wav")).unwrap();
    for (path, reason) in [
        (
            "/etc/passwd",
            "is not a relative path inside the recordings folder",
        ),
        (
            "../secret.wav",
            "is not a relative path inside the recordings folder",
        ),
        ("2026\\call.wav", "no NUL or backslash"),
        ("2026/call\0.wav", "no NUL or backslash"),
        ("link.wav", "it leads outside through a link"),
        ("2026/none.wav", "there is no such file"),
    ] {
        let run = cube.import(
            "outcomes",
            &format!("customer_no,campaign,seller,date,outcome,recording\n1,Vår,kari,2026-11-01,Sale,{path}\n"),
            &[],
        );
        assert_eq!(run.code, 65, "{path}: {}", run.transcript());
        assert!(
            run.stderr.contains(r#"line 2, column "recording""#),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains(reason), "{path}: {}", run.stderr);
    }
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM outcomes"), 0);
    assert_eq!(std::fs::read(&outside).unwrap(), b"canary");
}

#[test]
fn bad_outcome_rows_name_line_and_column() {
    let cube = setup();
    let run = cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome,product,quantity,unit_price\n\
         1,Vår,kari,yesterday,Sale,,,\n\
         404,Vår,kari,2026-11-01,Sale,,,\n\
         2,Vår,kari,2026-11-01,Sale,Fiber,0,10\n\
         3,Vår,kari,2026-11-01,Sale,Fiber,1,ti kroner\n",
        &[],
    );
    assert_eq!(run.code, 65);
    insta::assert_snapshot!(cube.redacted(&run));
}

#[test]
fn outcomes_need_their_columns() {
    let cube = setup();
    let run = cube.import("outcomes", "customer_no,outcome\n1,Sale\n", &[]);
    assert_eq!(run.code, 65);
    assert!(
        run.stderr
            .contains("the file has no column for campaign, seller, date"),
        "{}",
        run.stderr
    );
}

#[test]
fn history_entries() {
    let cube = setup();
    let id = cube.customer("2")["ref"].as_str().unwrap().to_string();
    let run = cube.import(
        "history",
        &format!("customer_no,ref,date,kind,text\n1,,2026-10-01,call,\"Ringte, fikk svar\"\n,{id},01.10.2026,email,Tilbud sendt\n"),
        &["--json"],
    );
    run.ok();
    assert_eq!(run.json()["imported"], 2);
    assert_eq!(
        cube.sql::<String>("SELECT at FROM history WHERE kind = 'email'"),
        "2026-10-01T00:00:00Z"
    );
}

/// Every check at once, in one file the import reads in batches: good rows,
/// a customer anonymized (named by reference and by its old number), one in
/// an archived campaign, duplicates in the file and of the database, a new
/// seller and campaign, a campaign with only a close name. Each bad row is
/// named as before, in file order, and nothing of the anonymized customer
/// but its reference appears.
#[test]
fn a_mixed_file_keeps_every_check() {
    let cube = setup();
    cube.import_customers(
        "customer_no,name\nG1,Gunnar Glemt\n",
        &["--campaign", "Gammel"],
    )
    .ok();
    cube.run(&["anonymize", "Gammel", "--yes"]).ok();
    let gone: String = cube.sql("SELECT ref FROM customers WHERE anonymized_at IS NOT NULL");
    cube.import_customers("customer_no,name\nH1,Hege Høst\n", &["--campaign", "Høst"])
        .ok();
    cube.run(&["archive", "Høst", "--keep-customers"]).ok();
    cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome,product,quantity,unit_price\n\
         1,Vår,kari,2026-11-01,Sale,Fiber,1,599.00\n",
        &[],
    )
    .ok();

    let header =
        "customer_no,ref,campaign,seller,date,outcome,comment,product,quantity,unit_price\n";
    let mut rows = vec![
        // Stored already (the comment does not count): skipped.
        "1,,Vår,kari,2026-11-01,Sale,ny kommentar,Fiber,1,599.00".to_string(),
        format!(",{},Vår,kari,2026-11-02,Sale,,,,", gone.to_uppercase()),
        "G1,,Vår,kari,2026-11-02,Sale,,,,".to_string(),
        "H1,,Høst,kari,2026-11-02,Sale,,,,".to_string(),
        "2,,Vaar,kari,2026-11-02,Sale,,,,".to_string(),
        "2,,Vinter,ny.selger,2026-11-02,Call back,,,,".to_string(),
    ];
    // Enough rows that the file is read in more than one batch; the last
    // repeats the first of them, a batch and more before it.
    for i in 0..1500 {
        rows.push(format!(
            "3,,Vår,kari,2026-10-01T10:{:02}:{:02}Z,No answer,,,,",
            i / 60,
            i % 60
        ));
    }
    rows.push("3,,Vår,kari,2026-10-01T10:00:00Z,No answer,,,,".to_string());
    let file = format!("{header}{}\n", rows.join("\n"));

    let run = cube.import("outcomes", &file, &[]);
    assert_eq!(run.code, 65, "{}", run.transcript());
    let listed: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("  line"))
        .collect();
    assert_eq!(
        listed,
        [
            format!(r#"  line 3, column "ref": customer {gone} is anonymized"#),
            r#"  line 4, column "customer_no": no customer has the customer number "G1" (an anonymized or forgotten customer keeps none)"#.to_string(),
            r#"  line 5, column "campaign": campaign "Høst" is archived: no outcome can be registered in it"#.to_string(),
            r#"  line 6, column "campaign": no campaign is named "Vaar"; did you mean "Vår"? (--new-campaign makes a new one all the same)"#.to_string(),
        ]
    );
    assert!(!run.stderr.contains("Gunnar"), "{}", run.stderr);
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM outcomes"), 1);

    let rejects = cube.path("rejects.csv");
    let run = cube.import(
        "outcomes",
        &file,
        &[
            "--skip-invalid",
            "--rejects",
            rejects.to_str().unwrap(),
            "--json",
        ],
    );
    let json = run.ok().json();
    assert_eq!(
        (
            json["imported"].as_i64(),
            json["skipped"].as_i64(),
            json["rejected"].as_i64()
        ),
        (Some(1501), Some(2), Some(4))
    );
    let written = std::fs::read_to_string(&rejects).unwrap();
    assert_eq!(written.lines().count(), 5, "{written}");
    assert!(!written.contains("Gunnar"), "{written}");
    // The new seller and campaign were made; customer 2 stays in Vår.
    assert_eq!(
        cube.sql::<i64>("SELECT count(*) FROM sellers WHERE username = 'ny.selger'"),
        1
    );
    assert_eq!(cube.campaign("Vinter")["customers"], 0);
    assert_eq!(cube.customer("2")["stage"], "available");
    assert_eq!(cube.customer("3")["stage"], "completed");
    assert_eq!(cube.customer("H1")["stage"], "available");
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM outcomes"), 1502);
    // The campaigns' last activity is the day of the latest outcome in
    // each, or when they were made.
    assert_eq!(
        cube.sql::<String>("SELECT last_activity_at FROM campaigns WHERE name = 'Vinter'"),
        "2026-11-29T00:00:00Z"
    );

    // Again: every row is there now.
    let run = cube.import(
        "outcomes",
        &file,
        &[
            "--skip-invalid",
            "--rejects",
            rejects.to_str().unwrap(),
            "--json",
        ],
    );
    let json = run.ok().json();
    assert_eq!(
        (json["imported"].as_i64(), json["skipped"].as_i64()),
        (Some(0), Some(1503))
    );
}

/// Into an empty outcomes table the import only compares rows with the rows
/// of the same file: a row a whole batch after its twin is still one, and
/// a customer placed in a campaign by one batch is completed there by the
/// next.
#[test]
fn a_first_import_finds_its_own_duplicates_across_batches() {
    let cube = setup();
    cube.import_customers("customer_no,name\n9,Nils Ny\n", &[])
        .ok();
    let mut file = String::from("customer_no,campaign,seller,date,outcome,product,unit_price\n");
    file.push_str("9,Vinter,ola,2026-11-01,Call back,,\n");
    for i in 0..1100 {
        file.push_str(&format!(
            "1,Vår,kari,2026-10-01T09:{:02}:{:02}Z,No answer,,\n",
            i / 60,
            i % 60
        ));
    }
    file.push_str("9,Vinter,kari,2026-11-01,Call back,,\n"); // another seller: new
    file.push_str("9,Vinter,ola,2026-11-01,Call back,,\n"); // the first row again
    file.push_str("9,Vinter,ola,2026-11-01,Call back,Fiber,599\n"); // with a sale: new
    file.push_str("1,Vår,kari,2026-10-01T09:00:00Z,No answer,,\n"); // far from its twin
    let run = cube.import("outcomes", &file, &["--json"]);
    let json = run.ok().json();
    assert_eq!(
        (json["imported"].as_i64(), json["skipped"].as_i64()),
        (Some(1103), Some(2))
    );
    let nils = cube.customer("9");
    assert_eq!(
        (
            nils["campaign"].as_str(),
            nils["stage"].as_str(),
            nils["seller"].as_str()
        ),
        (Some("Vinter"), Some("completed"), Some("ola"))
    );
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM sales"), 1);
    let run = cube.import("outcomes", &file, &["--allow-duplicates", "--json"]);
    assert_eq!(run.ok().json()["imported"], 1105);
}

/// A customer named by its reference in one row and by its number in the
/// next is one customer: the first row places it, the second completes it.
#[test]
fn a_customer_named_two_ways_is_one() {
    let cube = setup();
    cube.import_customers("customer_no,name\n9,Nils Ny\n", &[])
        .ok();
    let reference = cube.customer("9")["ref"].as_str().unwrap().to_uppercase();
    let run = cube.import(
        "outcomes",
        &format!(
            "customer_no,ref,campaign,seller,date,outcome\n\
             ,{reference},Vinter,ola,2026-11-01,Call back\n\
             9,,Vår,kari,2026-11-02,Sale\n\
             9,,Vinter,kari,2026-11-03,Sale\n"
        ),
        &["--json"],
    );
    assert_eq!(run.ok().json()["imported"], 3);
    let nils = cube.customer("9");
    assert_eq!(
        (
            nils["campaign"].as_str(),
            nils["stage"].as_str(),
            nils["seller"].as_str()
        ),
        (Some("Vinter"), Some("completed"), Some("ola"))
    );
}

/// A CRM in Oslo writes its times as the clock there shows them: with --tz
/// they are read so, and half past midnight is the evening before in UTC.
#[test]
fn times_without_a_zone_are_read_in_the_zone_given() {
    let cube = Cube::new();
    cube.import_customers("customer_no,name\nK-1,Kari\n", &["--campaign", "Høst"])
        .ok();
    let outcomes =
        "customer_no,campaign,seller,date,outcome\nK-1,Høst,kari,26.11.2026 00:30,Sale\n";
    cube.import("outcomes", outcomes, &["--tz", "Europe/Oslo"])
        .ok();
    let export = cube.run(&["export", "outcomes"]).ok().stdout.clone();
    assert!(export.contains("2026-11-25T23:30:00Z"), "{export}");
    let local = cube
        .run(&[
            "export",
            "outcomes",
            "--locale",
            "nb-NO",
            "--tz",
            "Europe/Oslo",
        ])
        .ok()
        .stdout
        .clone();
    assert!(local.contains("26.11.2026 00:30"), "{local}");
    let run = cube.import("outcomes", outcomes, &["--tz", "Europe/Osl0"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
}

#[test]
fn a_sale_without_its_product_or_its_price_is_refused_not_lost() {
    let cube = setup();
    // A quantity and a price with no product: the sale would be dropped.
    let run = cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome,product,quantity,unit_price\n\
         1,Vår,kari,2026-11-01,Sale,,3,299\n",
        &[],
    );
    assert_eq!(run.code, 65, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("line 2, column \"product\": has a quantity but no product"),
        "{}",
        run.stderr
    );
    // A product in a file with no price column (cube's own outcomes export
    // has the amount, not the unit price): named as such, not as another
    // column's value that "is not an amount".
    let run = cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome,product,quantity\n\
         1,Vår,kari,2026-11-01,Sale,Fiber,1\n",
        &[],
    );
    assert_eq!(run.code, 65, "{}", run.transcript());
    assert!(
        run.stderr.contains(
            "line 2, column \"product\": \"Fiber\" is sold, but the file has no unit_price column"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM outcomes"), 0);
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM sales"), 0);
}
