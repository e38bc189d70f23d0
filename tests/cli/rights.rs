//! One person's rights (DESIGN.md, promise 12): everything held about them,
//! and their erasure, with a receipt.

use std::fs;

use crate::{mode, Cube};

/// Two customers with outcomes, a sale, history and a recording each.
fn two() -> Cube {
    let cube = Cube::new();
    cube.import_customers(
        "customer_no,name,email,phone,notes,Favorittfarge\n\
         P-1,Åse Ødegård,ase@odegard.no,+47 911 22 333,Liker tidlige samtaler,blå\n\
         P-2,Bjørn Bråthen,bjorn@brathen.no,+47 922 33 444,Ring etter 16,grønn\n",
        &["--campaign", "Vår"],
    )
    .ok();
    cube.write("data/recordings/2026/ase.wav", b"RIFF ase");
    cube.write("data/recordings/2026/bjorn.wav", b"RIFF bjorn");
    cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome,comment,product,quantity,unit_price,recording\n\
         P-1,Vår,kari,2026-11-02T10:15:00Z,Sale,Åse tok fiber,Fiber 500,1,599.00,2026/ase.wav\n\
         P-2,Vår,ola,2026-11-03,Not interested,Bjørn sa nei,,,,2026/bjorn.wav\n",
        &[],
    )
    .ok();
    cube.import(
        "history",
        "customer_no,date,kind,text\nP-1,2026-11-01,call,Åse ringte om tilbudet\nP-2,2026-11-01,call,Bjørn ringte\n",
        &[],
    )
    .ok();
    cube
}

#[test]
fn an_access_export_holds_everything_about_one_person_and_no_one_else() {
    let cube = two();
    let out = cube.path("innsyn/ase.json");
    fs::create_dir_all(cube.path("innsyn")).unwrap();
    let run = cube.run(&[
        "customer",
        "export",
        "P-1",
        "-o",
        out.to_str().unwrap(),
        "--recordings",
        cube.path("innsyn/opptak").to_str().unwrap(),
    ]);
    run.ok();
    assert_eq!(mode(&out), 0o600);
    let text = fs::read_to_string(&out).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["format"], "cube-access-export/1");
    let card = &doc["customer"];
    assert_eq!(card["name"], "Åse Ødegård");
    assert_eq!(card["customer_no"], "P-1");
    assert_eq!(card["extra"]["Favorittfarge"], "blå");
    assert_eq!(card["campaign"], "Vår");
    assert!(card["ref"].as_str().unwrap().len() == 16);
    assert!(card["created_at"].is_string() && card["updated_at"].is_string());
    assert_eq!(doc["outcomes"][0]["comment"], "Åse tok fiber");
    assert_eq!(doc["outcomes"][0]["at"], "2026-11-02T10:15:00Z");
    assert_eq!(doc["sales"][0]["product"], "Fiber 500");
    assert_eq!(doc["sales"][0]["unit_price"], 59900);
    assert_eq!(doc["history"][0]["text"], "Åse ringte om tilbudet");
    assert_eq!(doc["recordings"][0]["path"], "2026/ase.wav");
    assert_eq!(
        fs::read(cube.path("innsyn/opptak/2026/ase.wav")).unwrap(),
        b"RIFF ase"
    );
    assert!(!cube.path("innsyn/opptak/2026/bjorn.wav").exists());
    for other in ["Bjørn", "bjorn", "P-2", "922", "ola", "Not interested"] {
        assert!(!text.contains(other), "{other:?} is in the access export");
    }
    assert_eq!(doc["amount_unit"], "øre");
    assert_eq!(doc["mentioned_elsewhere"], serde_json::json!([]));

    // To stdout without -o; an unknown reference is exit 1.
    let run = cube.run(&["customer", "export", "P-2"]);
    run.ok();
    assert_eq!(run.json()["customer"]["name"], "Bjørn Bråthen");
    let run = cube.run(&["customer", "export", "P-404"]);
    assert_eq!(run.code, 1, "{}", run.transcript());

    // An anonymized customer: that it was, and on which day; nothing else.
    cube.run(&["anonymize", "Vår", "--yes"]).ok();
    let listed = cube
        .run(&["customer", "list", "--anonymized", "--json"])
        .ok()
        .json();
    let anon = listed[0]["ref"].as_str().unwrap();
    let run = cube.run(&["customer", "export", anon]);
    run.ok();
    let doc = run.json();
    assert_eq!(doc["anonymized"], true);
    assert_eq!(doc["anonymized_on"], "2026-11-29");
    assert!(doc.get("customer").is_none() && doc.get("outcomes").is_none());
}

/// What other records say of the person is theirs too: the texts that
/// mention them, whole, each once, with how many rows hold it.
#[test]
fn an_access_export_holds_the_texts_of_other_records_that_mention_the_person() {
    let cube = two();
    cube.import_customers(
        "customer_no,name,notes\nQ-1,Kari Nabo,Nabo av Åse Ødegård (tlf 911 22 333)\n",
        &["--campaign", "Høst"],
    )
    .ok();
    cube.import(
        "history",
        "customer_no,date,kind,text\nP-2,2026-11-05,call,Bjørn nevnte ase@odegard.no\n",
        &[],
    )
    .ok();
    let doc = cube.run(&["customer", "export", "P-1"]).ok().json();
    let found: Vec<(String, String, u64)> = doc["mentioned_elsewhere"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["table"].as_str().unwrap().to_string(),
                m["text"].as_str().unwrap().to_string(),
                m["rows"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "customers".into(),
                "Nabo av Åse Ødegård (tlf 911 22 333)".into(),
                1
            ),
            ("history".into(), "Bjørn nevnte ase@odegard.no".into(), 1),
        ]
    );
}

/// Before an irreversible step the operator sees who it is (the name, not
/// only the reference), how many mentions in other records go with them,
/// and another card that holds the same e-mail address or phone number.
#[test]
fn forget_shows_who_the_mentions_and_another_card_of_the_same_person() {
    let cube = two();
    cube.import_customers(
        "customer_no,name,email,phone,notes\n\
         Q-1,Åse Ødegård,ASE@odegard.no,,Ny kunde\n\
         Q-2,Kari Nabo,,,Nabo av Åse Ødegård\n",
        &["--campaign", "Høst"],
    )
    .ok();
    let dry = cube.run(&["customer", "forget", "P-1", "--dry-run"]);
    let said = &dry.ok().stderr;
    let reference = cube.customer("P-1")["ref"].as_str().unwrap().to_string();
    let twin = cube.customer("Q-1")["ref"].as_str().unwrap().to_string();
    assert!(
        said.contains(&format!("{reference} (Åse Ødegård, Vår)")),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "{twin} has the e-mail address or phone number of {reference}"
        )),
        "{said}"
    );
    // Q-2's note, and Q-1's own note has none: its name is the card's.
    assert!(
        said.contains("redact 1 mention of them in other records"),
        "{said}"
    );

    let dry = cube.run(&["customer", "forget", "P-1", "--dry-run", "--json"]);
    let json = dry.ok().json();
    assert_eq!(json["mentions"], 1, "{json}");
    assert_eq!(
        json["would_forget"][0]["same_contact"][0],
        twin.as_str(),
        "{json}"
    );
    assert!(
        !dry.stdout.contains("Åse"),
        "no name in what scripts log: {}",
        dry.stdout
    );

    // Forgetting both together warns of nothing.
    let dry = cube.run(&["customer", "forget", "P-1", "Q-1", "--dry-run"]);
    assert!(
        !dry.ok().stderr.contains("the same person?"),
        "{}",
        dry.stderr
    );
    let run = cube.run(&["customer", "forget", "P-1", "--yes"]);
    assert!(
        run.ok()
            .stderr
            .contains(&format!("{twin} has the e-mail address")),
        "{}",
        run.stderr
    );
}

#[test]
fn forget_erases_exactly_one_person_and_the_receipt_names_the_backup() {
    let cube = two();
    let snapshot = cube.path("before.db");
    cube.run(&["backup", "create", snapshot.to_str().unwrap()])
        .ok();
    let sales_before = cube.run(&["export", "sales"]).ok().stdout.lines().count();
    let bjorn_before = cube.customer("P-2");

    // Without a terminal it needs --yes, and unknown people stop it all.
    let run = cube.run(&["customer", "forget", "P-1"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    let run = cube.run(&["customer", "forget", "P-1", "P-404", "--yes"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("\"P-404\""), "{}", run.stderr);
    assert_eq!(
        cube.customer("P-1")["name"],
        "Åse Ødegård",
        "nothing was done"
    );

    let run = cube.run(&[
        "customer",
        "forget",
        "P-1",
        "--yes",
        "--reason",
        "sak 2026-17",
    ]);
    run.ok();
    assert!(
        run.stderr
            .contains("imported again, they come back as new customers"),
        "{}",
        run.stderr
    );
    let dry = cube.run(&["customer", "forget", "P-2", "--dry-run"]);
    assert!(
        dry.ok()
            .stderr
            .starts_with("would erase 1 customer: every field"),
        "{}",
        dry.stderr
    );
    let dry = cube.run(&["customer", "forget", "P-2", "--dry-run", "--json"]);
    let listed = &dry.ok().json()["would_forget"];
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert!(
        listed[0]["ref"].is_string() && listed[0]["outcomes"].is_u64(),
        "{listed}"
    );
    cube.assert_erased(&[
        "Åse Ødegård",
        "ase@odegard.no",
        "Åse ringte om tilbudet",
        "Åse tok fiber",
    ]);
    assert!(!cube.path("data/recordings/2026/ase.wav").exists());
    // No one else changes; the campaign stays active; the sales still count.
    assert_eq!(cube.customer("P-2"), bjorn_before);
    assert!(cube.path("data/recordings/2026/bjorn.wav").exists());
    assert_eq!(cube.campaign("Vår")["status"], "active");
    assert_eq!(
        cube.run(&["export", "sales"]).ok().stdout.lines().count(),
        sales_before
    );
    let run = cube.run(&["customer", "forget", "P-1", "--yes"]);
    assert_eq!(run.code, 1, "forgotten already: {}", run.transcript());

    let audit = cube.run(&["audit", "--json"]).ok().json();
    let planned = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "forget-planned")
        .unwrap()
        .clone();
    assert_eq!(planned["details"]["reason"], "sak 2026-17");
    assert_eq!(planned["details"]["customers"], 1);
    assert_eq!(planned["operator"], "tester");

    // The receipt.
    let job = planned["details"]["job"].as_str().unwrap().to_string();
    let run = cube.run(&["jobs", "show", &job, "--json"]);
    run.ok();
    let receipt = run.json();
    assert_eq!(receipt["kind"], "request");
    assert_eq!(receipt["state"], "done");
    assert_eq!(receipt["scrubbed"], true);
    assert_eq!(receipt["started_on"], "2026-11-29");
    assert_eq!(receipt["erased"]["customers"], 1);
    assert_eq!(receipt["erased"]["comments"], 1);
    assert_eq!(receipt["erased"]["history"], 1);
    assert_eq!(receipt["erased"]["recordings_deleted"], 1);
    assert_eq!(
        (
            receipt["kept"]["outcomes"].as_u64(),
            receipt["kept"]["sales"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let backups = receipt["backups"].as_array().unwrap();
    assert_eq!(backups.len(), 1, "{receipt}");
    assert!(backups[0]["path"].as_str().unwrap().ends_with("before.db"));
    // By the last characters of its id: the first ones are its time, which
    // the jobs of one day share.
    let by_end = cube.run(&["jobs", "show", &job[job.len() - 12..], "--json"]);
    assert_eq!(by_end.ok().json()["job"], job.as_str());
    let text = cube.run(&["jobs", "show", &job]).ok().stdout.clone();
    for run in [&text, &receipt.to_string()] {
        for personal in ["Åse", "Ødegård", "ase@", "911 22", "P-1"] {
            assert!(
                !run.contains(personal),
                "{personal:?} in the receipt: {run}"
            );
        }
    }
    assert!(text.contains("before.db"), "{text}");
}

#[test]
fn a_rolling_set_says_when_the_erased_data_rotates_out() {
    let cube = two();
    let dir = cube.path("nightly");
    for day in ["2026-11-26", "2026-11-27", "2026-11-28"] {
        cube.run_env(
            &[
                "backup",
                "create",
                "--dir",
                dir.to_str().unwrap(),
                "--keep",
                "3",
            ],
            &[("CUBE_NOW", Some(&format!("{day}T02:00:00Z")))],
        )
        .ok();
    }
    cube.run(&["anonymize", "Vår", "--yes"]).ok();
    let jobs = cube.run(&["jobs", "--json"]).ok().json();
    let job = jobs[0]["id"].as_str().unwrap();
    let receipt = cube.run(&["jobs", "show", job, "--json"]).ok().json();
    assert_eq!(receipt["kind"], "campaign");
    let after: Vec<u64> = receipt["backups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["rotates_out_after"].as_u64().unwrap())
        .collect();
    // A full set of 3: the newest holding one goes with the third backup.
    assert_eq!(after, [1, 2, 3]);
}

/// After a restore from a rolling set, a receipt still names every
/// snapshot there that holds the person, in the order they rotate out:
/// the restored database does not record itself, nor what came after it.
#[test]
fn after_a_restore_the_receipt_names_every_snapshot_that_holds_the_person() {
    let cube = two();
    let dir = cube.path("nightly");
    let create = [
        "backup",
        "create",
        "--dir",
        dir.to_str().unwrap(),
        "--keep",
        "2",
    ];
    for _ in 0..3 {
        // The same second each time: the fixed clock of the tests.
        cube.run(&create).ok();
    }
    let mut kept = crate::file_names(&dir);
    kept.retain(|n| n.ends_with(".db"));
    assert_eq!(kept.len(), 2, "{kept:?}");
    // The older of the two left, `cube-…Z-1.db` (`-2` came after it).
    let older = kept.iter().find(|n| n.ends_with("Z-1.db")).unwrap();
    cube.run(&["backup", "restore", dir.join(older).to_str().unwrap()])
        .ok();
    cube.run(&["customer", "forget", "P-1", "--yes"]).ok();
    let jobs = cube.run(&["jobs", "--json"]).ok().json();
    let job = jobs[0]["id"].as_str().unwrap();
    let receipt = cube.run(&["jobs", "show", job, "--json"]).ok().json();
    let held: Vec<(String, u64)> = receipt["backups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let path = b["path"].as_str().unwrap();
            let name = path.rsplit('/').next().unwrap().to_string();
            (name, b["rotates_out_after"].as_u64().unwrap())
        })
        .collect();
    let newer = kept.iter().find(|n| n.ends_with("Z-2.db")).unwrap();
    assert_eq!(held, [(older.clone(), 1), (newer.clone(), 2)], "{receipt}");
}

#[test]
fn a_retention_run_anonymizes_campaigns_archived_long_enough_ago() {
    let cube = Cube::new();
    cube.import_customers(
        "customer_no,name\nG-1,Gammel Gunnarsen\n",
        &["--campaign", "Gammel"],
    )
    .ok();
    cube.import_customers("customer_no,name\nN-1,Ny Nilsen\n", &["--campaign", "Ny"])
        .ok();
    cube.import_customers(
        "customer_no,name\nA-1,Aktiv Andersen\n",
        &["--campaign", "Aktiv"],
    )
    .ok();
    // Archived 14 months ago, and today, both keeping their customers.
    cube.run_env(
        &["archive", "Gammel", "--keep-customers"],
        &[("CUBE_NOW", Some("2025-09-29T10:00:00Z"))],
    )
    .ok();
    cube.run(&["archive", "Ny", "--keep-customers"]).ok();

    let listed = cube
        .run(&["campaign", "list", "--archived", "--json"])
        .ok()
        .json();
    assert_eq!(listed[0]["archived_at"], "2025-09-29T10:00:00Z");
    assert_eq!(listed[0]["customers_kept"], true);

    // Without a terminal, it needs --yes.
    let run = cube.run(&["anonymize", "--archived-for", "365"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    let run = cube.run(&["anonymize", "--archived-for", "365", "--dry-run"]);
    run.ok();
    assert!(
        run.stderr
            .contains("\"Gammel\", archived 2025-09-29: 1 customer")
            && !run.stderr.contains("Ny"),
        "{}",
        run.stderr
    );

    cube.run(&["-q", "anonymize", "--archived-for", "365", "--yes"])
        .ok();
    cube.assert_erased(&["Gammel Gunnarsen"]);
    assert_eq!(cube.customer("N-1")["name"], "Ny Nilsen");
    assert_eq!(cube.customer("A-1")["name"], "Aktiv Andersen");
    let listed = cube
        .run(&["campaign", "list", "--archived", "--json"])
        .ok()
        .json();
    let kept: Vec<(&str, bool)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap(),
                c["customers_kept"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(kept, [("Gammel", false), ("Ny", true)]);

    // Run again (cron tomorrow): nothing to do, no new job.
    let run = cube.run(&["anonymize", "--archived-for", "365", "--yes"]);
    run.ok();
    assert!(run.stderr.contains("nothing to do"), "{}", run.stderr);
    assert_eq!(
        cube.run(&["jobs", "--json"])
            .ok()
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn anonymize_without_a_terminal_needs_yes() {
    let cube = two();
    let run = cube.run(&["anonymize", "Vår"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    assert_eq!(cube.customer("P-1")["name"], "Åse Ødegård");
}

/// An operator's reason may name someone who is erased later: the audit
/// log is searched for mentions like every other text.
#[test]
fn a_reason_that_names_someone_erased_later_is_redacted_then() {
    let cube = two();
    cube.run(&[
        "customer",
        "forget",
        "P-2",
        "--yes",
        "--reason",
        "sak 2: Åse Ødegård (911 22 333) meldte fra",
    ])
    .ok();
    cube.run(&["customer", "forget", "P-1", "--yes"]).ok();
    let audit = cube.run(&["audit", "--json"]).ok().stdout.clone();
    assert!(
        audit.contains("sak 2: [anonymized] ([anonymized]) meldte fra"),
        "{audit}"
    );
    cube.assert_erased(&["Åse Ødegård", "911 22 333"]);
}

/// After a restore re-applies an erasure, its receipt still says what the
/// journal says it did: its days, that it was one person's request, the
/// mentions it redacted, and only the backups made before it ended.
#[test]
fn a_replayed_erasures_receipt_says_what_the_erasure_did() {
    let cube = two();
    cube.import_customers(
        "customer_no,name,notes\nQ-1,Kari Nabo,Nabo av Åse Ødegård\n",
        &["--campaign", "Høst"],
    )
    .ok();
    let dir = cube.path("nightly");
    let at = |day: &str| format!("2026-12-{day}T02:00:00Z");
    let backup = |day: &str| {
        let args = [
            "backup",
            "create",
            "--dir",
            dir.to_str().unwrap(),
            "--keep",
            "9",
        ];
        cube.run_env(&args, &[("CUBE_NOW", Some(&at(day)))]).ok();
    };
    backup("01");
    backup("02");
    cube.run_env(
        &["customer", "forget", "P-1", "--yes"],
        &[("CUBE_NOW", Some("2026-12-02T10:00:00Z"))],
    )
    .ok();
    backup("03");
    let restored = dir.join("cube-20261202T020000Z.db");
    cube.run_env(
        &["backup", "restore", restored.to_str().unwrap()],
        &[("CUBE_NOW", Some(&at("04")))],
    )
    .ok();
    let jobs = cube.run(&["jobs", "--json"]).ok().json();
    let job = jobs[0]["id"].as_str().unwrap();
    let receipt = cube.run(&["jobs", "show", job, "--json"]).ok().json();
    assert_eq!(receipt["kind"], "request", "{receipt}");
    assert_eq!(receipt["started_on"], "2026-12-02", "{receipt}");
    assert_eq!(receipt["finished_on"], "2026-12-02", "{receipt}");
    assert_eq!(receipt["erased"]["mentions"], 1, "{receipt}");
    let held: Vec<&str> = receipt["backups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["path"].as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    assert_eq!(
        held,
        ["cube-20261201T020000Z.db", "cube-20261202T020000Z.db"]
    );
}
