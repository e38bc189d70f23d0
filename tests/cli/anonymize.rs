//! The heart of cube: after anonymization nothing in the database files or the
//! recordings folder leads back to the person, while statistics stay true.

use std::fs;

use crate::Cube;

/// Values only the customers of campaign "Hemmelig" have: the byte scan looks
/// for each of them. They carry æøå, which plain `strings` would miss.
const SECRETS: &[&str] = &[
    "Øyvind Åkerø-Ærlig",
    "oyvind.akero@hemmelig.no",
    "+47 913 57 246",
    "Hemmeliggata 17",
    "Blåbærveien",
    "Liker blåbærsyltetøy",
    "HEM-0",
    "lillablå",
    "Ring tilbake på 913 57 246 om fiberavtalen",
    "Sendte e-post om blåbærtilbud",
    "call-4791357246",
    "1961-05-17",
];

/// The same kind of values for the control campaign, which must survive.
const KEPT: &[&str] = &[
    "Kåre Kontroll-Ødegård",
    "kare@kontroll.no",
    "Kontrollveien 3",
    "Ring Kåre om TV",
];

fn setup(hemmelig: usize) -> Cube {
    let cube = Cube::new();
    let mut csv = String::from(
        "customer_no,name,email,phone,address,postal_code,city,birth_date,notes,Favorittfarge\n",
    );
    for i in 0..hemmelig {
        csv.push_str(&format!(
            "HEM-{i:05},Øyvind Åkerø-Ærlig {i},oyvind.akero@hemmelig.no,+47 913 57 246,Hemmeliggata 17,0150,Blåbærveien,17.05.1961,\"Liker blåbærsyltetøy\nog {i}\",lillablå\n"
        ));
    }
    cube.import_customers(&csv, &["--campaign", "Hemmelig"])
        .ok();
    let control = "customer_no,name,email,address\nK-1,Kåre Kontroll-Ødegård,kare@kontroll.no,Kontrollveien 3\n";
    cube.import_customers(control, &["--campaign", "Kontroll"])
        .ok();

    cube.write("data/recordings/2026/call-4791357246.wav", b"RIFF hemmelig");
    cube.write("data/recordings/2026/call-kare.wav", b"RIFF kontroll");
    let outcomes = format!(
        "customer_no,campaign,seller,date,outcome,comment,product,quantity,unit_price,recording\n\
         HEM-00000,Hemmelig,kari,2026-11-01,Sale,Ring tilbake på 913 57 246 om fiberavtalen,Fiber 500,2,599.00,2026/call-4791357246.wav\n\
         HEM-00001,Hemmelig,ola,2026-11-02,Sale,,TV Basis,1,299.00,\n\
         HEM-{:05},Hemmelig,ola,2026-11-03,Not interested,Ring tilbake på 913 57 246 om fiberavtalen,,,,\n\
         K-1,Kontroll,kari,2026-11-02,Sale,Ring Kåre om TV,TV Basis,1,299.00,2026/call-kare.wav\n",
        hemmelig - 1
    );
    cube.import("outcomes", &outcomes, &[]).ok();
    cube.import(
        "history",
        "customer_no,date,kind,text\nHEM-00002,2026-10-01,email,Sendte e-post om blåbærtilbud\nK-1,2026-10-01,call,Ring Kåre om TV\n",
        &[],
    )
    .ok();
    cube
}

fn sales(cube: &Cube) -> (i64, i64) {
    (
        cube.sql("SELECT count(*) FROM sales"),
        cube.sql("SELECT sum(quantity * unit_price) FROM sales"),
    )
}

#[test]
fn nothing_of_an_anonymized_customer_is_left_in_the_database_files() {
    let cube = setup(1500);
    let sales_before = sales(&cube);
    let outcomes_before: i64 = cube.sql("SELECT count(*) FROM outcomes");
    assert!(
        !cube.files_holding(SECRETS[0]).is_empty(),
        "the scan must see the values before"
    );

    let run = cube.run_env(
        &["archive", "Hemmelig", "--anonymize"],
        &[("CUBE_BATCH_SIZE", Some("200"))],
    );
    let stderr = run.ok().stderr.clone();
    assert!(
        stderr.contains("anonymized 1500 customers of \"Hemmelig\""),
        "{stderr}"
    );

    cube.assert_erased(SECRETS);
    for kept in KEPT {
        assert!(
            !cube.files_holding(kept).is_empty(),
            "the control value {kept:?} is gone"
        );
    }
    // The same scan with grep -a -F, as an operator would check it.
    for secret in SECRETS {
        let found = std::process::Command::new("grep")
            .args(["-a", "-F", "-q", secret])
            .args(cube.database_files())
            .status()
            .unwrap();
        assert_eq!(found.code(), Some(1), "grep finds {secret:?}");
    }

    assert!(!cube
        .path("data/recordings/2026/call-4791357246.wav")
        .exists());
    assert!(cube.path("data/recordings/2026/call-kare.wav").exists());
    assert_eq!(sales(&cube), sales_before);
    assert_eq!(
        cube.sql::<i64>("SELECT count(*) FROM outcomes"),
        outcomes_before
    );
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM erasures"), 1500);
    assert_eq!(
        cube.sql::<i64>("SELECT count(*) FROM recording_deletions"),
        0
    );

    let stats = cube.run(&["stats", "--json"]).ok().json();
    assert_eq!(stats["anonymized"], 1500);
    let shown = cube.campaign("Hemmelig");
    assert_eq!(
        (shown["status"].as_str(), shown["anonymized"].as_i64()),
        (Some("archived"), Some(1500))
    );
    let text = cube.run(&["stats"]).ok().stdout.clone();
    assert!(
        text.contains("Anonymized customers in the dataset  1500"),
        "{text}"
    );
}

#[test]
fn the_audit_jobs_and_ledger_hold_no_personal_data() {
    let cube = setup(20);
    let run = cube.run(&["anonymize", "Hemmelig", "--json", "--yes"]);
    run.ok();
    let mut said = run.stdout.clone() + &run.stderr;
    said += &cube.run(&["jobs", "list", "--json"]).ok().stdout;
    for table in ["audit", "jobs", "erasures", "job_customers"] {
        said += &cube.dump(table);
    }
    for secret in SECRETS {
        assert!(!said.contains(secret), "{secret:?} in\n{said}");
    }
    let jobs = cube.run(&["jobs", "list", "--json"]).ok().json();
    assert_eq!(jobs[0]["campaign"], "Hemmelig");
    assert_eq!(jobs[0]["state"], "done");
    assert_eq!(
        (jobs[0]["total"].as_i64(), jobs[0]["done"].as_i64()),
        (Some(20), Some(20))
    );
    assert_eq!(jobs[0]["operator"], "tester");
}

#[test]
fn anonymized_customers_show_as_anonymized_and_are_never_matched_again() {
    let cube = setup(3);
    let id = cube.customer("HEM-00000")["ref"]
        .as_str()
        .unwrap()
        .to_string();
    cube.run(&["archive", "Hemmelig", "--anonymize"]).ok();

    // The reference a report saved before named it by is gone with the rest.
    let run = cube.run(&["customer", "show", &id]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let listed = cube
        .run(&["customer", "list", "--anonymized", "--json"])
        .ok()
        .json();
    let anon = listed[0]["ref"].as_str().unwrap().to_string();
    assert!(anon.starts_with("anon-"), "{anon}");
    let shown = cube.customer(&anon);
    assert_eq!(shown["name"], "Anonymized");
    // Cut to the day, as every kept time of an anonymized customer.
    assert_eq!(shown["anonymized_at"], "2026-11-29T00:00:00Z");
    assert!(shown.get("email").is_none());
    let id = anon;

    // The same person imported again is a new customer with a new reference.
    let again = "customer_no,name,email\nHEM-00000,Øyvind Åkerø-Ærlig 0,oyvind.akero@hemmelig.no\n";
    let run = cube.import_customers(again, &["--json"]);
    assert_eq!(run.json()["imported"], 1, "{}", run.transcript());
    let new = cube.customer("HEM-00000");
    assert_ne!(new["ref"].as_str().unwrap(), id);
    assert_eq!(cube.customer(&id)["name"], "Anonymized");

    // Anonymized customers cannot be moved, nor have outcomes added.
    let run = cube.run(&["move", "--to", "Kontroll", "--customer", &id]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    let run = cube.import(
        "outcomes",
        &format!("ref,campaign,seller,date,outcome\n{id},Kontroll,kari,2026-11-05,Sale\n"),
        &[],
    );
    assert_eq!(run.code, 65);
    assert!(
        run.stderr.contains(&format!("customer {id} is anonymized")),
        "{}",
        run.stderr
    );
}

#[test]
fn without_a_terminal_archiving_needs_an_explicit_choice() {
    let cube = setup(3);
    let run = cube.run(&["archive", "Hemmelig"]);
    insta::assert_snapshot!(run.transcript());
    let shown = cube.campaign("Hemmelig");
    assert_eq!(
        (shown["status"].as_str(), shown["anonymized"].as_i64()),
        (Some("active"), Some(0))
    );
}

#[test]
fn keeping_the_customers_archives_only() {
    let cube = setup(3);
    let run = cube.run(&["archive", "Hemmelig", "--keep-customers"]);
    run.ok();
    assert!(
        run.stderr
            .contains("archived campaign \"Hemmelig\"; its customers are kept"),
        "{}",
        run.stderr
    );
    let shown = cube.campaign("Hemmelig");
    assert_eq!(
        (shown["status"].as_str(), shown["anonymized"].as_i64()),
        (Some("archived"), Some(0))
    );
    assert_eq!(cube.customer("HEM-00001")["name"], "Øyvind Åkerø-Ærlig 1");
    // Its dry run does not say it would archive it again.
    let dry = cube.run(&["anonymize", "Hemmelig", "--dry-run"]);
    assert!(
        dry.ok()
            .stderr
            .starts_with("campaign \"Hemmelig\", archived already: 3 customers"),
        "{}",
        dry.stderr
    );
    let run = cube.run(&["assign", "Hemmelig", "--seller", "kari"]);
    assert_eq!(run.code, 2);
    // Reactivating hands them out again.
    cube.run(&["reactivate", "Hemmelig"]).ok();
    cube.run(&["assign", "Hemmelig", "--seller", "kari"]).ok();
}

#[test]
fn dry_run_counts_and_changes_nothing() {
    let cube = setup(5);
    let before = fs::read(cube.db()).unwrap();
    let run = cube.run(&["archive", "Hemmelig", "--anonymize", "--dry-run"]);
    run.ok();
    assert!(
        run.stderr.contains("would anonymize 5 customers, blank 2 outcome comments and 1 history entry, redact 0 mentions of them in other records, and delete 1 recording file"),
        "{}",
        run.stderr
    );
    assert_eq!(fs::read(cube.db()).unwrap(), before);
    assert!(cube
        .path("data/recordings/2026/call-4791357246.wav")
        .exists());
    let run = cube.run(&["anonymize", "Hemmelig", "--dry-run"]);
    run.ok();
    assert!(
        run.stderr.contains("would anonymize 5 customers"),
        "{}",
        run.stderr
    );
}

/// What the operator reads on the way: the preview, the result, the job
/// list and the statistics, whose sales stay as they were.
#[test]
fn what_anonymizing_says() {
    let cube = setup(5);
    let run = cube.run(&["archive", "Hemmelig", "--anonymize", "--dry-run"]);
    insta::assert_snapshot!("archive_anonymize_dry_run", run.transcript());
    let run = cube.run(&["stats"]);
    insta::assert_snapshot!("stats_before_anonymizing", run.transcript());

    let run = cube.run(&["archive", "Hemmelig", "--anonymize"]);
    insta::assert_snapshot!("archive_anonymize", cube.redacted(&run));
    let run = cube.run(&["jobs", "list"]);
    insta::assert_snapshot!("jobs_list", cube.redacted(&run));
    let run = cube.run(&["stats"]);
    insta::assert_snapshot!("stats_after_anonymizing", run.transcript());
    let run = cube.run(&["jobs", "resume"]);
    insta::assert_snapshot!("jobs_resume_with_nothing_to_do", run.transcript());
}

#[test]
fn inactive_days_archives_only_stale_campaigns() {
    let cube = Cube::new();
    let earlier = |args: &[&str]| {
        cube.run_env(args, &[("CUBE_NOW", Some("2026-10-01T00:00:00Z"))])
            .ok();
    };
    earlier(&["campaign", "create", "Gammel"]);
    earlier(&["campaign", "create", "Flyttet"]);
    earlier(&["campaign", "create", "Solgt"]);
    earlier(&["campaign", "create", "Nye"]);
    earlier(&["campaign", "create", "Igjen"]);
    earlier(&["archive", "Igjen", "--keep-customers"]);
    // Made 30 days ago to the date, in the afternoon: not 30 whole days
    // without activity yet (a campaign's last activity is its day).
    cube.run_env(
        &["campaign", "create", "Nylig"],
        &[("CUBE_NOW", Some("2026-10-30T15:00:00Z"))],
    )
    .ok();
    let file = cube.write("c.csv", "customer_no,name\n1,Ola\n2,Kari\n");
    earlier(&["import", "customers", &file]);
    cube.run(&["campaign", "create", "Fersk"]).ok();
    // New leads, or a campaign made active again, are activity too.
    let leads = cube.write("n.csv", "customer_no,name\n3,Nils\n");
    cube.run(&["import", "customers", &leads, "--campaign", "Nye"])
        .ok();
    cube.run(&["reactivate", "Igjen"]).ok();
    // A move or an outcome now makes a campaign active again.
    cube.run(&["move", "--to", "Flyttet", "--customer", "1"])
        .ok();
    cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome\n2,Solgt,kari,2026-11-20,Sale\n",
        &[],
    )
    .ok();

    let run = cube.run(&["archive", "--inactive-days", "30", "--keep-customers"]);
    run.ok();
    let archived = cube
        .run(&["campaign", "list", "--archived", "--json"])
        .ok()
        .json();
    let names: Vec<&str> = archived
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Gammel"]);
    let run = cube.run(&["archive", "--inactive-days", "30", "--keep-customers"]);
    run.ok();
    assert!(
        run.stderr
            .contains("no active campaign has been inactive for 30 days"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_reader_blocking_the_scrub_gives_75_and_resume_finishes() {
    let cube = setup(10);
    let reader = rusqlite::Connection::open(cube.db()).unwrap();
    reader.execute_batch("BEGIN").unwrap();
    let _: i64 = reader
        .query_row("SELECT count(*) FROM customers", [], |r| r.get(0))
        .unwrap();

    let run = cube.run(&["--busy-timeout", "0.3", "anonymize", "Hemmelig", "--yes"]);
    assert_eq!(run.code, 75, "{}", run.transcript());
    assert!(run.stderr.contains("scrub is pending"), "{}", run.stderr);
    insta::assert_snapshot!("anonymize_with_the_scrub_blocked", cube.redacted(&run));
    let jobs = cube.run(&["jobs", "--json"]).ok().json();
    assert_eq!(
        (
            jobs[0]["state"].as_str(),
            jobs[0]["scrub_pending"].as_bool()
        ),
        (Some("scrub_pending"), Some(true))
    );
    let anonymized: i64 = cube
        .sql("SELECT count(*) FROM customers WHERE name = 'Anonymized' AND customer_no IS NULL");
    assert_eq!(anonymized, 10, "customers are anonymized already");

    reader.execute_batch("COMMIT").unwrap();
    drop(reader);
    let run = cube.run(&["jobs", "resume"]);
    run.ok();
    insta::assert_snapshot!("jobs_resume_finishing_the_scrub", cube.redacted(&run));
    assert_eq!(
        cube.run(&["jobs", "--json"]).ok().json()[0]["state"],
        "done"
    );
    cube.assert_erased(SECRETS);
}

/// `kill -9` at random moments: every customer is either untouched or fully
/// anonymized, and `jobs resume` finishes the job.
#[test]
fn a_killed_job_leaves_no_half_anonymized_customer() {
    let cube = setup(3000);
    let mut killed_midway = 0;
    for round in 0..5 {
        let before: i64 = cube.sql("SELECT count(*) FROM erasures");
        let mut child = cube
            .command(&["archive", "Hemmelig", "--anonymize"])
            .env("CUBE_BATCH_SIZE", "40")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Wait until some batches of this run have committed, a little longer
        // each round, then kill it without warning.
        cube.wait_for_erasures(&mut child, before + 40 * round);
        let _ = child.kill();
        let _ = child.wait();
        let done: i64 = cube.sql("SELECT count(*) FROM erasures");
        if done > 0 && done < 3000 {
            killed_midway += 1;
        }
        check_all_or_nothing(&cube);
        // Nothing runs the job now, and nothing says it does.
        let jobs = cube.run(&["jobs", "--json"]).ok().json();
        assert!(
            jobs.as_array()
                .unwrap()
                .iter()
                .all(|j| j["state"] != "running"),
            "{jobs}"
        );
    }
    assert!(killed_midway > 0, "no kill landed in the middle of the job");
    let run = cube.run(&["jobs", "resume"]);
    run.ok();
    check_all_or_nothing(&cube);
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM customers WHERE anonymized_at IS NOT NULL AND customer_no IS NULL"), 3000);
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM erasures"), 3000);
    let jobs = cube.run(&["jobs", "--json"]).ok().json();
    assert!(
        jobs.as_array()
            .unwrap()
            .iter()
            .all(|j| j["state"] == "done"),
        "{jobs}"
    );
    // Nothing the killed runs wrote (their transactions' pages, flushed to
    // the WAL before their commits) keeps a value once the job is done.
    cube.assert_erased(&[
        "oyvind.akero@hemmelig.no",
        "Åkerø-Ærlig",
        "HEM-00000",
        "HEM-01500",
        "HEM-02999",
        "Blåbærveien",
        "blåbærsyltetøy",
    ]);
    for kept in ["Kåre Kontroll-Ødegård", "kare@kontroll.no"] {
        assert!(
            !cube.files_holding(kept).is_empty(),
            "the scan misses {kept:?}"
        );
    }
}

fn check_all_or_nothing(cube: &Cube) {
    let intact: i64 = cube.sql(
        "SELECT count(*) FROM customers WHERE anonymized_at IS NULL AND customer_no LIKE 'HEM-%' \
         AND name LIKE 'Øyvind%' AND email = 'oyvind.akero@hemmelig.no' AND notes LIKE 'Liker%'",
    );
    let anonymized: i64 = cube.sql(
        "SELECT count(*) FROM customers WHERE anonymized_at IS NOT NULL AND name = 'Anonymized' \
         AND customer_no IS NULL AND email = '' AND phone = '' AND address = '' AND city = '' \
         AND birth_date = '' AND notes = '' AND extra = '{}' AND id IN (SELECT customer_id FROM erasures)",
    );
    assert_eq!(
        intact + anonymized,
        3000,
        "some customers are half-anonymized"
    );
    let stray: i64 = cube.sql(
        "SELECT count(*) FROM outcomes o JOIN customers c ON c.id = o.customer_id \
         WHERE c.anonymized_at IS NOT NULL AND o.comment <> ''",
    );
    assert_eq!(stray, 0);
}

/// Recording rows that lead outside the folder (written there by hand, a bug,
/// or an old import) are never followed when anonymizing deletes files.
#[test]
fn deleting_recordings_never_leaves_the_folder() {
    let cube = setup(3);
    let canary = cube.write("canary.wav", b"canary");
    let outside = cube.path("outside");
    std::fs::create_dir_all(&outside).unwrap();
    cube.write("outside/victim.wav", b"victim");
    std::os::unix::fs::symlink(&outside, cube.path("data/recordings/linked")).unwrap();
    std::os::unix::fs::symlink(&canary, cube.path("data/recordings/canary-link.wav")).unwrap();
    let id: i64 = cube.sql("SELECT id FROM customers WHERE customer_no = 'HEM-00001'");
    let conn = rusqlite::Connection::open(cube.db()).unwrap();
    for path in [
        "../../canary.wav",
        &canary.clone(),
        "linked/victim.wav",
        "canary-link.wav",
        "2026\\..\\..\\canary.wav",
    ] {
        conn.execute(
            "INSERT INTO recordings (customer_id, path, created_at) VALUES (?1, ?2, '2026-11-01T00:00:00Z')",
            rusqlite::params![id, path],
        )
        .unwrap();
    }
    drop(conn);
    let run = cube.run(&["anonymize", "Hemmelig", "--yes"]);
    run.ok();
    assert!(
        run.stderr.contains("4 recording paths were not deleted"),
        "{}",
        run.stderr
    );
    assert_eq!(fs::read(&canary).unwrap(), b"canary");
    assert_eq!(
        fs::read(cube.path("outside/victim.wav")).unwrap(),
        b"victim"
    );
    assert!(
        fs::symlink_metadata(cube.path("data/recordings/canary-link.wav")).is_err(),
        "the link itself is a recording name and goes"
    );
    assert!(!cube
        .path("data/recordings/2026/call-4791357246.wav")
        .exists());
    assert_eq!(
        cube.sql::<i64>("SELECT count(*) FROM recordings"),
        1,
        "only the control's recording is left"
    );
}

/// Anonymizing what has nothing left to anonymize makes no empty job and no
/// audit entry of one, and says so.
#[test]
fn nothing_left_to_anonymize_makes_no_job() {
    let cube = Cube::new();
    cube.import_customers("name\nOla\nKari\n", &["--campaign", "Vår"])
        .ok();
    cube.run(&["anonymize", "Vår", "--yes"]).ok();
    let audited = || cube.sql::<i64>("SELECT count(*) FROM audit");
    let before = audited();

    let run = cube.run(&["anonymize", "vår", "--yes"]);
    run.ok();
    assert!(
        run.stderr
            .contains("campaign \"Vår\" has no customers left to anonymize; nothing to do"),
        "{}",
        run.stderr
    );
    cube.run(&["campaign", "create", "Tom"]).ok();
    let run = cube.run(&["archive", "Tom", "--anonymize"]);
    run.ok();
    assert!(
        run.stderr
            .contains("archived campaign \"Tom\"; it has no customers to anonymize"),
        "{}",
        run.stderr
    );
    let jobs = cube.run(&["jobs", "--json"]).ok().json();
    assert_eq!(jobs.as_array().unwrap().len(), 1, "{jobs}");
    // Only archiving Tom was audited.
    assert_eq!(audited(), before + 1);
    assert_eq!(
        cube.sql::<String>("SELECT action FROM audit ORDER BY id DESC LIMIT 1"),
        "archive"
    );
    assert_eq!(cube.campaign("Tom")["status"], "archived");
}

/// Starts anonymizing the 3000 customers of "Hemmelig" in small batches and
/// returns the running cube once some batches have committed.
fn start_a_long_job(cube: &Cube) -> std::process::Child {
    cube.start_job(&["anonymize", "Hemmelig", "--yes"], 40)
}

/// Holds a job's lock as the cube that runs it would.
fn hold_job_lock(cube: &Cube, job: &str) -> std::fs::File {
    let path = format!(
        "{}.job-{job}.lock",
        cube.db().canonicalize().unwrap().display()
    );
    let file = fs::File::open(path).unwrap();
    rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive).unwrap();
    file
}

/// Ctrl-C during a job says how far it got and exits 130; the job is then
/// listed, and shown with its campaign, as interrupted, not running; while a
/// live cube holds it, it is running and left to that cube.
#[test]
fn an_interrupted_job_says_so() {
    let cube = setup(3000);
    let child = start_a_long_job(&cube);
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let run = crate::Run::from(child.wait_with_output().unwrap());
    assert_eq!(run.code, 130, "{}", run.transcript());
    let said = regex::Regex::new(
        r"cube: interrupted: (\d+) of 3000 done; `cube jobs resume` finishes it\n$",
    )
    .unwrap();
    let done: u64 = said
        .captures(&run.stderr)
        .unwrap_or_else(|| panic!("{}", run.stderr))[1]
        .parse()
        .unwrap();
    assert!(done > 0 && done < 3000, "{}", run.stderr);
    check_all_or_nothing(&cube);
    // doctor names the unfinished job, and finds nothing else wrong (the
    // plan of a job half done points at no row the renumbering deleted).
    let doctor = cube.run(&["doctor"]);
    assert_eq!(doctor.code, 1, "{}", doctor.transcript());
    assert!(doctor.stderr.contains("unfinished"), "{}", doctor.stderr);
    assert!(!doctor.stderr.contains("foreign key"), "{}", doctor.stderr);

    let jobs = cube.run(&["jobs", "--json"]).ok().json();
    assert_eq!(jobs[0]["state"], "interrupted", "{jobs}");
    let job = jobs[0]["id"].as_str().unwrap().to_string();
    let shown = cube.campaign("Hemmelig");
    assert_eq!(shown["job"]["id"], job.as_str());
    assert_eq!(shown["job"]["state"], "interrupted");
    let run = cube.run(&["campaign", "show", "Hemmelig"]);
    assert!(
        run.stdout.contains(&format!("unfinished job  {job} (")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("anonymized): interrupted; `cube jobs resume` finishes it"),
        "{}",
        run.stdout
    );

    // A live cube holding the job runs it: nothing else takes it over.
    let lock = hold_job_lock(&cube, &job);
    let jobs = cube.run(&["jobs", "--json"]).ok().json();
    assert_eq!(jobs[0]["state"], "running", "{jobs}");
    let run = cube.run(&["jobs", "resume"]);
    run.ok();
    assert!(
        run.stderr
            .contains("is being run by another cube; it is left to that one"),
        "{}",
        run.stderr
    );
    let run = cube.run(&["jobs", "resume", &job]);
    assert_eq!(run.code, 75, "{}", run.transcript());
    drop(lock);

    // A backup made while the job stood interrupted holds the customers it
    // had still to erase: the receipt names it.
    let between = cube.path("between.db");
    cube.run_env(
        &["backup", "create", between.to_str().unwrap()],
        &[("CUBE_NOW", Some("2026-11-29T11:00:00Z"))],
    )
    .ok();
    cube.run_env(
        &["jobs", "resume"],
        &[("CUBE_NOW", Some("2026-11-29T12:00:00Z"))],
    )
    .ok();
    let receipt = cube.run(&["jobs", "show", &job, "--json"]).ok().json();
    let named: Vec<&str> = receipt["backups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["path"].as_str().unwrap())
        .collect();
    assert!(named.iter().any(|p| p.ends_with("between.db")), "{receipt}");
    check_all_or_nothing(&cube);
    assert_eq!(
        cube.run(&["jobs", "--json"]).ok().json()[0]["state"],
        "done"
    );
    assert_eq!(cube.campaign("Hemmelig")["job"], serde_json::Value::Null);
    let left: Vec<String> = crate::file_names(cube.db().parent().unwrap())
        .into_iter()
        .filter(|n| n.contains(".job-"))
        .collect();
    assert_eq!(left, Vec::<String>::new(), "a done job leaves no lock file");
}

#[test]
fn campaigns_archived_together_share_batches_and_keep_their_own_jobs() {
    let cube = setup(7);
    let csv = |prefix: &str, n: usize| {
        let rows: String = (0..n)
            .map(|i| format!("{prefix}-{i:03},Kunde {prefix} {i}\n"))
            .collect();
        format!("customer_no,name\n{rows}")
    };
    cube.import_customers(&csv("A", 4), &["--campaign", "Andre"])
        .ok();
    cube.import_customers(&csv("T", 3), &["--campaign", "Tredje"])
        .ok();
    // Batches of 5 over jobs of 7, 4 and 3: some batches hold two jobs' customers.
    let run = cube.run_env(
        &[
            "archive",
            "Hemmelig",
            "Andre",
            "Tredje",
            "--anonymize",
            "--json",
        ],
        &[("CUBE_BATCH_SIZE", Some("5"))],
    );
    let reports = run.ok().json();
    let customers: Vec<(String, u64)> = (reports.as_array().unwrap().iter())
        .map(|r| {
            let campaign = r["campaign"].as_str().unwrap().to_string();
            (campaign, r["customers"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(
        customers,
        [
            ("Hemmelig".to_string(), 7),
            ("Andre".to_string(), 4),
            ("Tredje".to_string(), 3)
        ]
    );
    // Each job's ledger, audit entry and campaign are its own.
    let per_job: String = cube.sql(
        "SELECT group_concat(line, '; ') FROM (SELECT k.name || ' ' || count(DISTINCT e.customer_id) \
         || ' ' || j.done AS line FROM erasures e JOIN jobs j ON j.id = e.job_id \
         JOIN campaigns k ON k.id = j.campaign_id GROUP BY j.id ORDER BY j.id)",
    );
    assert_eq!(per_job, "Hemmelig 7 7; Andre 4 4; Tredje 3 3");
    let audited: String = cube.sql(
        "SELECT group_concat(n, ' ') FROM (SELECT json_extract(details, '$.customers') AS n \
         FROM audit WHERE action = 'anonymize' ORDER BY id)",
    );
    assert_eq!(audited, "7 4 3");
    assert_eq!(
        cube.sql::<i64>("SELECT count(*) FROM customers WHERE anonymized_at IS NULL"),
        1,
        "only the control customer is left"
    );
    for secret in SECRETS {
        assert!(cube.files_holding(secret).is_empty(), "{secret}");
    }
}

#[test]
fn json_is_a_list_of_jobs_also_when_a_run_makes_none_and_cron_names_its_operator() {
    let cube = setup(3);
    cube.run(&["campaign", "create", "Tom"]).ok();
    // A campaign with no one in it: no job, and still a document on stdout.
    let listed = cube
        .run(&["anonymize", "Tom", "--yes", "--json"])
        .ok()
        .json();
    assert_eq!(listed, serde_json::json!([]));
    let listed = cube
        .run(&["archive", "Kontroll", "--keep-customers", "--json"])
        .ok()
        .json();
    assert_eq!(listed, serde_json::json!([]));
    // cron sets LOGNAME and not always USER.
    let run = cube.run_env(
        &["anonymize", "Hemmelig", "--yes", "--json"],
        &[("USER", None), ("LOGNAME", Some("cron-ops"))],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(run.json()[0]["customers"], 3);
    let jobs = cube.run(&["jobs", "list", "--json"]).ok().json();
    assert_eq!(jobs[0]["operator"], "cron-ops");
}
