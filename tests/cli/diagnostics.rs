//! No personal data of an anonymized customer in anything cube says or keeps
//! about it: output, errors, the audit log, job rows, the ledger, the journal.

use crate::Cube;

const MARKERS: &[&str] = &[
    "Markørsen",
    "marker@hemmelig.no",
    "+47 999 11 222",
    "Markørveien 9",
    "M-0001",
    "Markørnotat",
    "Markørkommentar",
    "Markørhistorikk",
    "markør-opptak",
    "Markørfirma",
];

#[test]
fn nothing_said_about_anonymized_customers_holds_their_data() {
    let cube = Cube::new();
    cube.import_customers(
        "customer_no,name,email,phone,address,company,notes\nM-0001,Mari Markørsen,marker@hemmelig.no,+47 999 11 222,Markørveien 9,Markørfirma,Markørnotat\n",
        &["--campaign", "Merket"],
    )
    .ok();
    cube.write("data/recordings/markør-opptak.wav", b"RIFF");
    cube.import(
        "outcomes",
        "customer_no,campaign,seller,date,outcome,comment,product,quantity,unit_price,recording\nM-0001,Merket,kari,2026-11-01,Sale,Markørkommentar,Fiber,1,100,markør-opptak.wav\n",
        &[],
    )
    .ok();
    cube.import(
        "history",
        "customer_no,date,kind,text\nM-0001,2026-11-01,note,Markørhistorikk\n",
        &[],
    )
    .ok();
    let id = cube.customer("M-0001")["ref"].as_str().unwrap().to_string();
    cube.run(&["backup", "create", cube.path("before.db").to_str().unwrap()])
        .ok();

    let mut said = String::new();
    let mut say = |run: crate::Run| said.push_str(&run.transcript());
    say(cube.run(&["-v", "archive", "Merket", "--anonymize"]));
    say(cube.run(&["-v", "--json", "jobs"]));
    say(cube.run(&["customer", "show", &id]));
    say(cube.run(&["customer", "show", &id, "--json"]));
    say(cube.run(&["customer", "list", "--anonymized"]));
    say(cube.run(&["customer", "list", "--anonymized", "--format", "csv"]));
    say(cube.run(&["export", "outcomes"]));
    say(cube.run(&["export", "sales", "--json"]));
    say(cube.run(&["export", "history"]));
    say(cube.run(&["move", "--to", "Merket", "--customer", &id]));
    say(cube.run(&["campaign", "show", "Merket", "--json"]));
    say(cube.run(&["stats"]));
    say(cube.run(&["audit", "--json"]));
    say(cube.run(&["doctor", "--json"]));
    say(cube.run(&["archive", "Merket", "--anonymize", "--dry-run"]));
    let outcome = format!("ref,campaign,seller,date,outcome\n{id},Merket,kari,2026-11-02,Sale\n");
    say(cube.import("outcomes", &outcome, &[]));
    say(cube.run(&[
        "backup",
        "restore",
        cube.path("before.db").to_str().unwrap(),
    ]));
    say(cube.run(&["customer", "show", &id, "--json"]));

    for table in [
        "audit",
        "jobs",
        "job_customers",
        "erasures",
        "recording_deletions",
        "settings",
    ] {
        said.push_str(&cube.dump(table));
    }
    said.push_str(&std::fs::read_to_string(cube.path("data/cube.db.erasures")).unwrap());

    assert!(said.contains(&id), "the transcript is about the customer");
    for marker in MARKERS {
        assert!(!said.contains(marker), "{marker:?} appears in:\n{said}");
    }
}
