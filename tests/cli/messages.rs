//! What cube says: counts in the right number, errors the one way (also
//! clap's own, also as JSON for scripts), hints that do no harm.

use crate::Cube;

#[test]
fn one_of_anything_is_singular() {
    let cube = Cube::new();
    let run = cube.import_customers("customer_no,name\n1,Åse Lie\n", &["--campaign", "Vår"]);
    let stderr = &run.ok().stderr;
    assert!(
        stderr.starts_with("created a new database at ")
            && stderr.ends_with("\nimported 1 customer\n"),
        "{stderr}"
    );
    let run = cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome\n1,Vår,kari,2026-10-02,Sale\n",
        &[],
    );
    assert_eq!(run.ok().stderr, "imported 1 outcome\n");
    let run = cube.import(
        "history",
        "customer_no,date,kind,text\n1,2026-10-02,call,ok\n",
        &[],
    );
    assert_eq!(run.ok().stderr, "imported 1 history entry\n");
    let run = cube.run(&["export", "sales"]);
    assert_eq!(run.ok().stderr, "exported 0 rows\n");
    let run = cube.run(&["export", "outcomes"]);
    assert_eq!(run.ok().stderr, "exported 1 row\n");
    let run = cube.import(
        "customers",
        "customer_no,name,email\n2,Per,not-an-address\n",
        &["--skip-invalid", "--rejects", "bad.csv"],
    );
    assert_eq!(
        run.ok().stderr,
        "imported 0 customers, rejected 1 invalid row to bad.csv\n"
    );
    // Under -q (cron) too: rows left out are something to act on.
    let run = cube.import(
        "customers",
        "customer_no,name,email\n3,Kari,not-an-address\n",
        &["-q", "--skip-invalid", "--rejects", "bad2.csv"],
    );
    assert_eq!(
        run.ok().stderr,
        "cube: imported 0 customers, rejected 1 invalid row to bad2.csv\n"
    );

    let run = cube.run(&["anonymize", "Vår", "--yes"]);
    let said = &run.ok().stderr;
    assert!(
        said.contains("anonymized 1 customer of \"Vår\"")
            && said.contains("redacted 0 mentions")
            && said.contains("deleted 0 recording files"),
        "{said}"
    );
    assert!(
        !said.contains("(s)") && !said.contains(" 1 customers"),
        "{said}"
    );
}

#[test]
fn errors_are_json_on_stderr_with_json() {
    let cube = Cube::new();
    cube.run(&["init"]).ok();
    let run = cube.run(&["customer", "show", "K-404", "--json"]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""));
    let error: serde_json::Value = serde_json::from_str(&run.stderr).unwrap();
    assert_eq!(
        error,
        serde_json::json!({
            "error": "no customer has the reference or customer number \"K-404\"",
            "details": [],
            "hint": null,
            "exit": 1
        })
    );
    let run = cube.run(&[
        "export",
        "sales",
        "--from",
        "2026-11-02",
        "--to",
        "2026-11-01",
        "--json",
    ]);
    let error: serde_json::Value = serde_json::from_str(&run.stderr).unwrap();
    assert_eq!((run.code, &error["exit"]), (2, &serde_json::json!(2)));
    assert!(
        error["hint"].as_str().unwrap().contains("swap them"),
        "{error}"
    );
}

#[test]
fn command_line_mistakes_read_like_every_other_error() {
    let cube = Cube::new();
    let run = cube.run(&["export", "sales", "--bogus"]);
    insta::assert_snapshot!("unknown_flag", run.transcript());
    let run = cube.run(&["export"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("cube: error: the following required arguments were not provided:\n"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.ends_with("hint: see `cube export --help`\n"),
        "{}",
        run.stderr
    );
    // With --json anywhere before `--`, a script gets JSON.
    let run = cube.run(&["--json", "campaign", "shwo", "x"]);
    assert_eq!(run.code, 2);
    let error: serde_json::Value = serde_json::from_str(&run.stderr).unwrap();
    assert_eq!(error["error"], "unrecognized subcommand 'shwo'");
    assert_eq!(error["exit"], 2);
    // Help and the version are no errors.
    let run = cube.run(&["--version"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, "cube 0.1.0\n"));
}

#[test]
fn from_after_to_is_a_mistake() {
    let cube = Cube::new();
    cube.run(&["init"]).ok();
    let run = cube.run(&[
        "export",
        "sales",
        "--from",
        "02.11.2026",
        "--to",
        "01.11.2026",
    ]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "cube: error: --from \"02.11.2026\" is after --to \"01.11.2026\": no day is in between\nhint: swap them; both days are included\n"
    );
    // One day is a range.
    cube.run(&[
        "export",
        "sales",
        "--from",
        "2026-11-01",
        "--to",
        "01.11.2026",
    ])
    .ok();
}
