//! Nothing cube keeps leads back to an anonymized person (DESIGN.md, promise
//! 10), tried as someone holding an old report or the original import files
//! would: by id, by time, by position.

use crate::Cube;

const N: usize = 200;

/// `N` customers imported in file order into "Leads", each with one sale
/// whose unit price (100 + its line) says which line it came from, at times
/// to the second, and a history entry.
fn leads() -> Cube {
    let cube = Cube::new();
    let mut customers = String::from("customer_no,name,email,phone\n");
    let mut outcomes = String::from(
        "customer_no,campaign,seller,date,outcome,comment,product,quantity,unit_price\n",
    );
    let mut history = String::from("customer_no,date,kind,text\n");
    for i in 0..N {
        customers.push_str(&format!(
            "L{i:04},Lise Linjesen {i},lise{i}@linje.no,+47 9{i:07}\n"
        ));
        outcomes.push_str(&format!(
            "L{i:04},Leads,kari,2026-11-02T{:02}:{:02}:{:02}Z,Sale,Ringt,Fiber,1,{}.00\n",
            8 + i / 3600,
            (i / 60) % 60,
            i % 60,
            100 + i
        ));
        history.push_str(&format!(
            "L{i:04},2026-11-03T09:{:02}:{:02}Z,call,Ringte\n",
            (i / 60) % 60,
            i % 60
        ));
    }
    cube.import_customers(&customers, &["--campaign", "Leads"])
        .ok();
    cube.import("outcomes", &outcomes, &[]).ok();
    cube.import("history", &history, &[]).ok();
    cube
}

/// For each kept row in the order SQLite stores it (row id order), the line
/// of the import file it came from, told by its price.
fn lines_in_stored_order(cube: &Cube, query: &str) -> Vec<usize> {
    let conn = rusqlite::Connection::open(cube.db()).unwrap();
    let mut stmt = conn.prepare(query).unwrap();
    stmt.query_map([], |r| r.get::<_, i64>(0))
        .unwrap()
        .map(|price| (price.unwrap() / 100 - 100) as usize)
        .collect()
}

/// How many rows sit where the import file had them, within `slack` places.
fn in_place(lines: &[usize], slack: usize) -> usize {
    lines
        .iter()
        .enumerate()
        .filter(|(at, line)| at.abs_diff(**line) <= slack)
        .count()
}

#[test]
fn an_old_report_a_kept_time_or_the_import_order_leads_nowhere() {
    let cube = leads();
    let before = cube.run(&["export", "outcomes"]).ok().stdout.clone();
    let old_refs: Vec<String> = before
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap().to_string())
        .collect();
    assert_eq!(old_refs.len(), N);

    // Before: the stored order is the file's.
    let by_customer =
        "SELECT s.unit_price FROM customers c JOIN sales s ON s.customer_id = c.id ORDER BY c.id";
    let by_outcome =
        "SELECT s.unit_price FROM outcomes o JOIN sales s ON s.outcome_id = o.id ORDER BY o.id";
    assert_eq!(in_place(&lines_in_stored_order(&cube, by_customer), 0), N);

    cube.run(&["anonymize", "Leads", "--yes"]).ok();

    // Old report: none of its references is kept anywhere, nor in a new report.
    let after = cube.run(&["export", "outcomes"]).ok().stdout.clone();
    for old in &old_refs {
        assert!(cube.files_holding(old).is_empty(), "{old} is still stored");
        assert!(!after.contains(old.as_str()), "{old} is in a new report");
    }
    // Distinct anonymized customers still count right.
    let refs: std::collections::BTreeSet<&str> = after
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap())
        .collect();
    assert_eq!(refs.len(), N);
    assert!(refs.iter().all(|r| r.starts_with("anon-")));

    // Kept times: the day, never the time of day.
    for (table, column) in [
        ("outcomes", "registered_at"),
        ("sales", "sold_at"),
        ("history", "at"),
        ("customers", "created_at"),
        ("customers", "updated_at"),
        ("customers", "anonymized_at"),
        ("erasures", "erased_at"),
        ("campaigns", "last_activity_at"),
    ] {
        let timed: i64 = cube.sql(&format!(
            "SELECT count(*) FROM {table} WHERE {column} NOT LIKE '%T00:00:00Z'"
        ));
        assert_eq!(timed, 0, "{table}.{column} keeps a time of day");
    }
    assert!(!after.contains("T08:"), "{after}");

    // Order: lined up by position with the import file, the kept rows match
    // no more than chance would (1 in N exactly, a few within 5 places).
    for (what, query) in [("customers", by_customer), ("outcomes", by_outcome)] {
        let lines = lines_in_stored_order(&cube, query);
        assert_eq!(lines.len(), N);
        let exact = in_place(&lines, 0);
        let near = in_place(&lines, 5);
        assert!(
            exact <= N / 20,
            "{what}: {exact} of {N} in their file position"
        );
        assert!(near <= N / 5, "{what}: {near} of {N} within 5 places");
    }
    // The export of a day lists them in no import order either.
    let exported: Vec<usize> = after
        .lines()
        .skip(1)
        .map(|l| {
            let amount = l.rsplit(',').next().unwrap();
            amount.split('.').next().unwrap().parse::<usize>().unwrap() - 100
        })
        .collect();
    assert!(in_place(&exported, 0) <= N / 20);
}

/// Spearman's rank correlation of the positions of `lines` (a permutation
/// of 0..n) with the lines: 1 in file order, about 0 in random order.
fn rank_correlation(lines: &[usize]) -> f64 {
    let n = lines.len() as f64;
    let squares: f64 = lines
        .iter()
        .enumerate()
        .map(|(at, &line)| (at as f64 - line as f64).powi(2))
        .sum();
    1.0 - 6.0 * squares / (n * (n * n - 1.0))
}

#[test]
fn batches_take_their_customers_in_no_import_order() {
    let cube = leads();
    // Each customer's line in the import file, by cube id.
    let conn = rusqlite::Connection::open(cube.db()).unwrap();
    let line_of: std::collections::HashMap<String, usize> = conn
        .prepare("SELECT cube_id FROM customers ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .enumerate()
        .map(|(line, id)| (id.unwrap(), line))
        .collect();
    drop(conn);
    // Batches of 10: twenty of them, each a line of the journal.
    let run = cube.run_env(
        &["anonymize", "Leads", "--yes"],
        &[("CUBE_BATCH_SIZE", Some("10"))],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());

    let journal = std::fs::read_to_string(cube.path("data/cube.db.erasures")).unwrap();
    let journaled: Vec<usize> = journal
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter_map(|line| line.get("cube_ids").cloned())
        .flat_map(|ids| ids.as_array().unwrap().clone())
        .map(|id| line_of[id.as_str().unwrap()])
        .collect();
    assert_eq!(
        journal.lines().filter(|l| l.contains("cube_ids")).count(),
        N / 10
    );
    assert_eq!(journaled.len(), N);
    let by_customer =
        "SELECT s.unit_price FROM customers c JOIN sales s ON s.customer_id = c.id ORDER BY c.id";
    let stored = lines_in_stored_order(&cube, by_customer);
    for (what, lines) in [("the journal", &journaled), ("the new ids", &stored)] {
        let rho = rank_correlation(lines);
        assert!(rho.abs() < 0.5, "{what} keep the import order: {rho:.2}");
    }
    // No job keeps where in the old order its batches got to.
    assert_eq!(cube.sql::<i64>("SELECT max(next_customer) FROM jobs"), 0);
}

#[test]
fn mentions_of_an_anonymized_person_in_other_records_are_redacted() {
    let cube = Cube::new();
    cube.import_customers(
        "customer_no,name,email,phone,notes\nKARE-0042,Kåre Ødegård Æsir,Kare.Odegard@Example.no,+47 998 87 766,fnr 15059000060\n",
        &["--campaign", "Borte"],
    )
    .ok();
    cube.import_customers(
        "customer_no,name,email,phone,notes,Partner\n\
         S-1,Sigrid Æsir,sigrid@aesir.no,22 33 44 55,\"Gift med KÅRE ØDEGÅRD ÆSIR, tlf 99 88 77 66, fnr 150590 00060\",kare.odegard@example.no\n",
        &["--campaign", "Blir"],
    )
    .ok();
    cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome,comment,product,quantity,unit_price\n\
         S-1,Blir,kari,2026-11-02,Call back Kåre on 99887766,Sigrid vil ringe Kåre Ødegård Æsir (0047 998-87-766) i morgen,Fiber for KARE-0042,1,299.00\n",
        &[],
    )
    .ok();
    cube.import(
        "history",
        "customer_no,date,kind,text\nS-1,2026-11-03,note,Sigrids mann kare.odegard@example.no ringte fra 998 87 766\n",
        &[],
    )
    .ok();

    let run = cube.run(&["anonymize", "Borte", "--dry-run", "--json"]);
    run.ok();
    let preview = run.json();
    assert_eq!(
        preview[0]["would_anonymize"]["mentions"],
        10,
        "{}",
        run.transcript()
    );

    let run = cube.run(&["anonymize", "Borte", "--yes"]);
    run.ok();
    assert!(
        run.stderr.contains("redacted 10 mentions"),
        "{}",
        run.stderr
    );
    for value in [
        "Kåre Ødegård Æsir",
        "KÅRE ØDEGÅRD ÆSIR",
        "kare.odegard@example.no",
        "Kare.Odegard@Example.no",
        "99 88 77 66",
        "99887766",
        "998-87-766",
        "998 87 766",
        "KARE-0042",
        "15059000060",
        "150590 00060",
    ] {
        let found = cube.files_holding(value);
        assert!(found.is_empty(), "{value:?} is still in {found:?}");
    }
    // The other customer's own data and the words around the mentions stay.
    let sigrid = cube.customer("S-1");
    assert_eq!(sigrid["name"], "Sigrid Æsir");
    assert_eq!(sigrid["phone"], "22 33 44 55");
    assert_eq!(
        sigrid["notes"],
        "Gift med [anonymized], tlf [anonymized], fnr [anonymized]"
    );
    assert_eq!(sigrid["extra"]["Partner"], "[anonymized]");
    let export = cube.run(&["export", "outcomes"]).ok().stdout.clone();
    assert!(
        export.contains("Call back Kåre on [anonymized]")
            && export.contains("Sigrid vil ringe [anonymized] ([anonymized]) i morgen")
            && export.contains("Fiber for [anonymized]"),
        "{export}"
    );
    let history = cube.run(&["export", "history"]).ok().stdout.clone();
    assert!(
        history.contains("Sigrids mann [anonymized] ringte fra [anonymized]"),
        "{history}"
    );
    let audit = cube.run(&["audit", "--json"]).ok().json();
    let entry = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "anonymize")
        .unwrap()
        .clone();
    assert_eq!(entry["details"]["mentions"], 10, "{entry}");
}

/// The person written as people write: their second phone and e-mail (the
/// card's own extra columns), the name without accents or surname first or
/// with two spaces, a foreign number as it is dialled at home, brackets, a
/// number glued to "tlf", a history kind. The reason given to `forget` is
/// kept with the name taken out.
#[test]
fn mentions_written_other_ways_are_redacted_too() {
    let cube = Cube::new();
    cube.import_customers(
        "Kundenr,Navn,E-post,Telefon,Mobil,E-post 2\n\
         K-90001,Kåre Ødegård,kare@bokeskog.no,22 33 44 55,998 87 766,kare.privat@gmail.com\n\
         K-90002,Sheryl Baxter,sheryl@example.com,+1-229-077-5154,,\n",
        &["--campaign", "P"],
    )
    .ok();
    cube.import_customers(
        "Kundenr,Navn,Notat\n\
         K-80001,Kari Nabo,\"mobil 998 87 766 | KARE.PRIVAT@GMAIL.COM | Kare Odegard | Ødegård, Kåre | \
         Kåre  Ødegård | (229) 077-5154 | 229-077-5154 | +47 (22) 33 44 55 | tlf99887766\"\n",
        &["--campaign", "Q"],
    )
    .ok();
    cube.import(
        "history",
        "customer_no,date,kind,text\n\
         K-80001,2026-11-03,Samtale om Kåre Ødegård,hei\n\
         K-90001,2026-11-03,Ring Kåre Ødegård 22 33 44 55,x\n",
        &[],
    )
    .ok();

    let forget = [
        "customer",
        "forget",
        "K-90001",
        "K-90002",
        "--yes",
        "--reason",
        "Kåre Ødegård ba om det",
    ];
    let run = cube.run(&forget);
    run.ok();
    let kari = cube.customer("K-80001");
    assert_eq!(
        kari["notes"],
        "mobil [anonymized] | [anonymized] | [anonymized] | [anonymized] | [anonymized] | \
         [anonymized] | [anonymized] | [anonymized] | tlf[anonymized]",
        "{}",
        run.transcript()
    );
    for value in [
        "998 87 766",
        "99887766",
        "kare.privat@gmail.com",
        "KARE.PRIVAT@GMAIL.COM",
        "Kare Odegard",
        "Ødegård, Kåre",
        "Kåre  Ødegård",
        "077-5154",
        "Ring Kåre",
        "Samtale om Kåre",
        "22 33 44 55",
        "Kåre Ødegård ba",
    ] {
        let found = cube.files_holding(value);
        assert!(found.is_empty(), "{value:?} is still in {found:?}");
    }
    let audit = cube.run(&["audit", "--json"]).ok().stdout.clone();
    assert!(audit.contains("[anonymized] ba om det"), "{audit}");
}

/// A database with Kåre Ødegård (998 87 766) alone in campaign `Borte`.
fn kare_in_borte() -> Cube {
    let cube = Cube::new();
    cube.import_customers(
        "customer_no,name,phone\nKARE-0042,Kåre Ødegård,998 87 766\n",
        &["--campaign", "Borte"],
    )
    .ok();
    cube
}

/// A label or product that many outcomes share is searched once, and
/// redacted in every row that holds it.
#[test]
fn a_mention_in_a_label_many_outcomes_share_is_redacted_in_all_of_them() {
    let cube = kare_in_borte();
    let mut customers = String::from("customer_no,name\n");
    let mut outcomes =
        String::from("customer_no,campaign,seller,date,outcome,product,quantity,unit_price\n");
    for i in 0..40 {
        customers.push_str(&format!("S-{i},Kunde {i}\n"));
        let label = if i % 2 == 0 {
            "Ring Kåre Ødegård"
        } else {
            "Sale"
        };
        let product = if i % 3 == 0 {
            "Fiber for 99887766"
        } else {
            "Fiber"
        };
        outcomes.push_str(&format!(
            "S-{i},Blir,kari,2026-11-02,{label},{product},1,299.00\n"
        ));
    }
    cube.import_customers(&customers, &["--campaign", "Blir"])
        .ok();
    cube.import("outcomes", &outcomes, &[]).ok();

    let run = cube.run(&["anonymize", "Borte", "--yes", "--json"]);
    run.ok();
    // 20 labels and 14 products.
    assert_eq!(run.json()[0]["mentions"], 34, "{}", run.transcript());
    for value in ["Kåre Ødegård", "99887766"] {
        let found = cube.files_holding(value);
        assert!(found.is_empty(), "{value:?} is still in {found:?}");
    }
    let labels: i64 = cube.sql("SELECT count(*) FROM outcomes WHERE label = 'Ring [anonymized]'");
    assert_eq!(labels, 20);
}

/// More mentions than one transaction redacts: every one is redacted and
/// counted, and the rest of each text stays.
#[test]
fn mentions_in_more_texts_than_one_transaction_takes_are_all_redacted() {
    let cube = kare_in_borte();
    let mut customers = String::from("customer_no,name,notes\n");
    for i in 0..4_500 {
        customers.push_str(&format!("S-{i},Kunde {i},Nabo av Kåre Ødegård nr {i}\n"));
    }
    cube.import_customers(&customers, &["--campaign", "Blir"])
        .ok();
    let run = cube.run(&["anonymize", "Borte", "--yes", "--json"]);
    run.ok();
    assert_eq!(run.json()[0]["mentions"], 4_500, "{}", run.transcript());
    let redacted: i64 = cube.sql(
        "SELECT count(*) FROM customers WHERE notes = 'Nabo av [anonymized] nr ' || substr(customer_no, 3)",
    );
    assert_eq!(redacted, 4_500);
    let found = cube.files_holding("Kåre Ødegård");
    assert!(found.is_empty(), "still in {found:?}");
}

/// Several campaigns in one run: every text is read once for all their
/// people, and each job redacts and counts its own, also in the texts of
/// the other campaign's customers.
#[test]
fn campaigns_anonymized_together_redact_each_others_mentions() {
    let cube = Cube::new();
    cube.import_customers(
        "customer_no,name,email,notes\nA-00001,Åse Bjørnstad,aase@eksempel.no,Søster av Trond Kvåle\n",
        &["--campaign", "Vår"],
    )
    .ok();
    cube.import_customers(
        "customer_no,name,email,notes\nB-00001,Trond Kvåle,trond@eksempel.no,Bror av ÅSE BJØRNSTAD\n",
        &["--campaign", "Høst"],
    )
    .ok();
    cube.import_customers(
        "customer_no,name,notes\nC-00001,Kari Nord,\"Kjenner Åse Bjørnstad og trond@eksempel.no, A-00001\"\n",
        &["--campaign", "Blir"],
    )
    .ok();
    let reports = cube
        .run(&["archive", "Vår", "Høst", "--anonymize", "--yes", "--json"])
        .ok()
        .json();
    let mentions: Vec<u64> = (0..2)
        .map(|i| reports[i]["mentions"].as_u64().unwrap())
        .collect();
    // Vår: its person in Kari's notes twice (name, number) and in Trond's
    // card (blanked anyway, but redacted first); Høst: Trond in Kari's and
    // in Åse's notes.
    assert_eq!(mentions, [3, 2], "{reports}");
    let kari = cube.sql::<String>("SELECT notes FROM customers WHERE customer_no = 'C-00001'");
    assert_eq!(kari, "Kjenner [anonymized] og [anonymized], [anonymized]");
    cube.assert_erased(&[
        "Bjørnstad",
        "BJØRNSTAD",
        "Kvåle",
        "aase@eksempel.no",
        "trond@eksempel.no",
        "A-00001",
    ]);
}

/// A campaign of 2,000 people with names and numbers of their own, and one
/// customer outside it to write about them.
fn people() -> Cube {
    let cube = Cube::new();
    let mut csv = String::from("customer_no,name,phone\n");
    for i in 0..2000 {
        csv.push_str(&format!("P-{i:05},Kunde{i:04} Hemmelig,4{i:07}\n"));
    }
    cube.import_customers(&csv, &["--campaign", "Borte"]).ok();
    cube.import_customers(
        "customer_no,name\nS-1,Sigrid Blir\n",
        &["--campaign", "Blir"],
    )
    .ok();
    cube
}

/// A history entry of the customer outside the campaign naming two of its
/// people: the first of the plan and the last.
fn write_about_them(cube: &Cube) {
    cube.import(
        "history",
        "customer_no,date,kind,text\n\
         S-1,2026-11-03,note,Kunde0000 Hemmelig ringte fra 40001999 og 40000000\n",
        &[],
    )
    .ok();
}

fn assert_not_kept(cube: &Cube) {
    for value in ["Kunde0000 Hemmelig", "40001999", "40000000"] {
        let found = cube.files_holding(value);
        assert!(found.is_empty(), "{value:?} is still in {found:?}");
    }
    let history = cube.run(&["export", "history"]).ok().stdout.clone();
    assert!(
        history.contains("[anonymized] ringte fra [anonymized] og [anonymized]"),
        "{history}"
    );
}

/// Written while the job runs, between two of its batches: the job searches
/// what was written since its search before it ends.
#[test]
fn a_mention_written_while_the_job_runs_is_redacted_by_it() {
    let cube = people();
    let child = cube.start_job(&["anonymize", "Borte", "--yes"], 40);
    write_about_them(&cube);
    let run = crate::Run::from(child.wait_with_output().unwrap());
    run.ok();
    assert_not_kept(&cube);
}

/// Written after a crash, before `jobs resume`: the resumed job searches it
/// for the people it has still to erase.
#[test]
fn a_mention_written_before_a_job_is_resumed_is_redacted_by_it() {
    let cube = people();
    let mut child = cube.start_job(&["anonymize", "Borte", "--yes"], 40);
    child.kill().unwrap();
    child.wait().unwrap();
    let left: i64 = cube.sql("SELECT count(*) FROM customers WHERE anonymized_at IS NULL");
    assert!(left > 1, "the job ended before it was killed");
    // Only the people still planned can be found now: the job took some at
    // random before it was killed, so it is one of those it left.
    let (name, phone): (String, String) = rusqlite::Connection::open(cube.db())
        .unwrap()
        .query_row(
            "SELECT name, phone FROM customers WHERE anonymized_at IS NULL AND name LIKE 'Kunde%' \
             ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    cube.import(
        "history",
        &format!("customer_no,date,kind,text\nS-1,2026-11-03,note,{name} ringte fra {phone}\n"),
        &[],
    )
    .ok();
    cube.run(&["jobs", "resume"]).ok();
    for value in [name.as_str(), phone.as_str()] {
        let found = cube.files_holding(value);
        assert!(found.is_empty(), "{value:?} is still in {found:?}");
    }
}

/// A namesake's own record names the namesake: forgetting one Ragnhild
/// Østby leaves "Ragnhild Østby bor i Bodø" on the other's card, and takes
/// her name out of everyone else's notes. The dry run and the access export
/// count and show only those.
#[test]
fn a_namesakes_own_notes_keep_their_name() {
    let cube = Cube::new();
    cube.import_customers(
        "customer_no,name,notes\n\
         R-1,Ragnhild Østby,Flyttet fra Moss\n\
         R-2,Ragnhild Østby,Ragnhild Østby bor i Bodø\n\
         N-1,Nils Nabo,Ragnhild Østby ringte om R-1\n",
        &["--campaign", "Vår"],
    )
    .ok();
    cube.import(
        "history",
        "customer_no,date,kind,text\nR-2,2026-11-01,call,Ragnhild Østbys egen samtale\n",
        &[],
    )
    .ok();
    let dry = cube.run(&["customer", "forget", "R-1", "--dry-run", "--json"]);
    assert_eq!(dry.ok().json()["mentions"], 1, "{}", dry.stdout);
    let access = cube.run(&["customer", "export", "R-1"]).ok().json();
    let texts: Vec<&str> = access["mentioned_elsewhere"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["Ragnhild Østby ringte om R-1"]);
    cube.run(&["customer", "forget", "R-1", "--yes"]).ok();
    assert_eq!(cube.customer("R-2")["notes"], "Ragnhild Østby bor i Bodø");
    assert_eq!(cube.customer("N-1")["notes"], "[anonymized] ringte om R-1");
    let history = cube.run(&["export", "history"]).ok().stdout.clone();
    assert!(
        history.contains("Ragnhild Østbys egen samtale"),
        "{history}"
    );
}
