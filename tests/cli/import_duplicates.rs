//! Imports that run again (a cron job twice, an operator once more) double
//! nothing, and every import says what it did in plain words.

use crate::Cube;

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
