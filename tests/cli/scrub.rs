//! The scrub costs what a job wrote, and still leaves nothing: a small
//! campaign's customers whose rows and index entries were moved about by
//! later imports and an anonymization around them (the history that leaves
//! stale copies in SQLite alone: `db::scrub`'s unit test shows it does, with
//! the same SQLite), with long notes on overflow pages, in the middle of a
//! big table, are not in any file afterwards.

use crate::Cube;

const HEADER: &str =
    "customer_no,name,email,phone,address,postal_code,city,birth_date,company,notes\n";

/// A name that sorts among the others in the name indexes.
fn scattered(i: u64) -> String {
    let h = (i + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32;
    format!("{h:08x}")
}

/// Customers `from..from + n` of the big campaign, as a CSV row each;
/// `again` gives them longer names (an update of the same customers).
fn crowd(from: u64, n: u64, again: bool) -> Vec<String> {
    (from..from + n)
        .map(|i| {
            let surname = if again { "Nordmann-Olsen" } else { "Nordmann" };
            format!(
                "S{i:06},Kåre {} {surname},ola{i}@example.no,9{i:07},Gate {i},0150,Oslo,1980-01-01,,",
                scattered(i)
            )
        })
        .collect()
}

/// The small campaign: what must not be found afterwards (the phone also
/// backwards, as a search key holds it).
fn secrets(i: u64) -> [String; 6] {
    let phone = format!("4{i:06}5");
    [
        format!("Kåre {} Æsir{i:03}", scattered(i + 10_000)),
        format!("kare.aesir{i:03}@eksempel.no"),
        phone.chars().rev().collect(),
        phone,
        format!("L-{i:05}"),
        format!("Løypa {i:03} hemmelig"),
    ]
}

fn few(n: u64) -> Vec<String> {
    (0..n)
        .map(|i| {
            let [name, email, _, phone, number, note] = secrets(i);
            // Every tenth note is long enough for overflow pages (32 KB pages).
            let notes = if i % 10 == 0 { note.repeat(2500) } else { note };
            format!("{number},{name},{email},{phone},Vei {i},0150,Oslo,1970-01-01,,{notes}")
        })
        .collect()
}

/// The history of the database, in steps: a campaign of 150 between two
/// imports of 3,000 others whose names sort among theirs; the first 3,000
/// anonymized (freeing space in the pages the 150 are in), then 3,000 more
/// imported into that space.
fn history() -> Vec<(Vec<String>, &'static str)> {
    vec![
        (crowd(0, 3000, false), "Eldre"),
        (few(150), "Liten"),
        (crowd(3000, 3000, false), "Stor"),
        (Vec::new(), "Eldre"),
        (crowd(6000, 3000, false), "Stor"),
    ]
}

fn planted() -> Cube {
    let cube = Cube::new();
    for (rows, campaign) in history() {
        if rows.is_empty() {
            cube.run(&["archive", campaign, "--anonymize"]).ok();
            continue;
        }
        let csv = format!("{HEADER}{}\n", rows.join("\n"));
        cube.import_customers(&csv, &["--campaign", campaign]).ok();
    }
    cube
}

/// Which of `values` are in the raw bytes of the database's files, and in
/// which file: one pass over each file for all of them.
fn found_in<'a>(cube: &Cube, values: &'a [String]) -> Vec<(&'a String, String)> {
    let automaton = aho_corasick::AhoCorasick::new(values).unwrap();
    let mut found = Vec::new();
    for file in cube.database_files() {
        let bytes = std::fs::read(&file).unwrap();
        let mut seen = vec![false; values.len()];
        for hit in automaton.find_overlapping_iter(&bytes) {
            seen[hit.pattern().as_usize()] = true;
        }
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        found.extend(
            (values.iter().zip(seen))
                .filter(|(_, seen)| *seen)
                .map(|(v, _)| (v, format!("{name} ({} bytes)", bytes.len()))),
        );
    }
    found
}

#[test]
fn a_small_campaign_leaves_no_stale_copy_and_its_scrub_reads_what_it_wrote() {
    let cube = planted();
    let secrets: Vec<String> = (0..150).flat_map(secrets).collect();
    let found = |cube: &Cube| found_in(cube, &secrets);
    let before: std::collections::HashSet<_> = found(&cube).into_iter().map(|(v, _)| v).collect();
    assert_eq!(before.len(), secrets.len(), "the scan sees them before");

    let run = cube.run(&["archive", "Liten", "--anonymize", "--json"]);
    let report = run.ok().json();
    let left = found(&cube);
    assert!(left.is_empty(), "{} left: {left:?}\n{report}", left.len());
    let pages: u64 = cube.sql("PRAGMA page_count");
    let scrubbed = report[0]["pages_scrubbed"]
        .as_u64()
        .unwrap_or_else(|| panic!("{report}"));
    assert!(scrubbed > 0, "{report}");
    // Pages the job left old bytes in, each counted once (at its commit,
    // or by a tidy), and all of them among those the tidies read.
    let cleared = report[0]["pages_cleared"].as_u64().unwrap();
    assert!(cleared > 0 && cleared <= scrubbed, "{report}");
    // Some 40 % of the file: the entries of 150 customers are in most
    // pages of the random-keyed indexes. A page the job writes again after
    // a tidy of its own commits (the WAL grew past half the file) counts
    // twice; a whole-file scrub would read every page.
    assert!(
        scrubbed * 3 < pages * 2,
        "the scrub read {scrubbed} of {pages} pages for 150 of 9,150 customers"
    );
    assert_eq!(cube.sql::<String>("PRAGMA integrity_check"), "ok");
    assert_eq!(
        cube.sql::<i64>("SELECT count(*) FROM customers WHERE name LIKE '%Nordmann%'"),
        6000
    );
}

/// A database with two small campaigns of customers.
fn two_campaigns() -> Cube {
    let cube = Cube::new();
    for (campaign, from) in [("Stor", 0), ("Liten", 10_000)] {
        let csv = format!("{HEADER}{}\n", crowd(from, 500, false).join("\n"));
        cube.import_customers(&csv, &["--campaign", campaign]).ok();
    }
    cube
}

#[test]
fn a_file_not_known_to_be_clean_is_scrubbed_whole_once() {
    let cube = two_campaigns();
    // What another program may have left: a deleted row's bytes in free
    // space (secure_delete off), in a page no job of cube will touch.
    let conn = rusqlite::Connection::open(cube.db()).unwrap();
    conn.execute_batch(
        "PRAGMA secure_delete = OFF;
         INSERT INTO settings (key, value) VALUES ('left', 'Gunnhild Ødegård 12345678');
         DELETE FROM settings WHERE key = 'left';
         DELETE FROM settings WHERE key = 'pages_clean';",
    )
    .unwrap();
    drop(conn);
    assert!(!cube.files_holding("Gunnhild Ødegård").is_empty());
    let run = cube.run(&["doctor"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("may hold old values in its free space"),
        "{}",
        run.stderr
    );

    // The first anonymization scrubs the whole file; the next only its pages.
    let pages: u64 = cube.sql("PRAGMA page_count");
    let first = cube
        .run(&["anonymize", "Stor", "--yes", "--json"])
        .ok()
        .json();
    assert!(
        first[0]["pages_scrubbed"].as_u64().unwrap() + 2 >= pages,
        "{first}"
    );
    cube.assert_erased(&["Gunnhild Ødegård"]);
    cube.run(&["doctor"]).ok();
    let second = cube
        .run(&["anonymize", "Liten", "--yes", "--json"])
        .ok()
        .json();
    let scrubbed = |report: &serde_json::Value| report[0]["pages_scrubbed"].as_u64().unwrap();
    assert!(scrubbed(&second) < scrubbed(&first), "{second}");
}

#[test]
fn doctor_scrub_rewrites_a_file_another_program_wrote_to() {
    let cube = two_campaigns();
    let conn = rusqlite::Connection::open(cube.db()).unwrap();
    conn.execute_batch(
        "PRAGMA secure_delete = OFF;
         INSERT INTO settings (key, value) VALUES ('left', 'Gunnhild Ødegård 12345678');
         DELETE FROM settings WHERE key = 'left';",
    )
    .unwrap();
    drop(conn);
    assert!(!cube.files_holding("Gunnhild Ødegård").is_empty());
    let run = cube.run(&["doctor", "--scrub"]);
    run.ok();
    assert!(
        run.stderr.contains("scrubbed the whole database file"),
        "{}",
        run.stderr
    );
    cube.assert_erased(&["Gunnhild Ødegård"]);
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM customers"), 1000);
}

#[test]
fn a_move_beside_a_running_job_waits_for_a_batch_not_for_the_job() {
    let cube = Cube::new();
    let stor = format!("{HEADER}{}\n", crowd(0, 3000, false).join("\n"));
    cube.import_customers(&stor, &["--campaign", "Stor"]).ok();
    let annen = format!("{HEADER}{}\n", crowd(5000, 10, false).join("\n"));
    cube.import_customers(&annen, &["--campaign", "Annen"]).ok();
    cube.run(&["campaign", "create", "Tredje"]).ok();
    let mut child = cube.start_job(&["archive", "Stor", "--anonymize"], 0);
    let before: i64 = cube.sql("SELECT count(*) FROM erasures");
    let started = std::time::Instant::now();
    let run = cube.run(&[
        "--busy-timeout",
        "2",
        "move",
        "--from",
        "Annen",
        "--to",
        "Tredje",
    ]);
    run.ok();
    let erased: i64 = cube.sql("SELECT count(*) FROM erasures");
    assert!(
        erased < 3000,
        "the move waited for the whole job: {before} {erased} {:?}",
        started.elapsed()
    );
    assert!(child.wait().unwrap().success());
    assert_eq!(cube.campaign("Tredje")["customers"], 10);
    assert_eq!(cube.sql::<i64>("SELECT count(*) FROM erasures"), 3000);
    let names: Vec<String> = (0..3000).map(|i| format!("ola{i}@example.no")).collect();
    let left = found_in(&cube, &names);
    assert!(left.is_empty(), "{} left: {left:?}", left.len());
}

#[test]
fn a_command_that_wrote_leaves_the_database_in_one_file() {
    let cube = Cube::new();
    let csv = format!("{HEADER}{}\n", crowd(0, 50, false).join("\n"));
    cube.import_customers(&csv, &["--campaign", "Eldre"]).ok();
    cube.run(&["archive", "Eldre", "--anonymize"]).ok();
    // Scrubbed, checkpointed and closed while no other cube could write:
    // SQLite removes the WAL and its index as the last connection closes.
    let files: Vec<_> = cube.database_files();
    assert_eq!(files, [cube.db()], "{files:?}");
}
