//! A bounded soak: imports, moves, exports, backups and anonymizations from
//! separate processes against one database for about a minute. Only exit codes
//! 0 and 75 may appear; at the end the database passes `integrity_check` and
//! the counts reconcile with what the commands reported.
//!
//! Run with `cargo test --test cli -- --ignored soak` (CI does).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use crate::{Cube, Run};

const LENGTH: Duration = Duration::from_secs(60);

/// A count from the `--json` output of a command that succeeded. Output
/// that is not JSON, or lacks the count, fails the soak: read as 0 it would
/// throw off the reconciliation at the end, or hide a broken output.
fn json_count(run: &Run, key: &str) -> u64 {
    run.json()[key]
        .as_u64()
        .unwrap_or_else(|| panic!("no count {key:?} in:\n{}", run.transcript()))
}

#[test]
#[ignore = "takes a minute: cargo test --test cli -- --ignored soak"]
fn soak() {
    let cube = Cube::new();
    cube.run(&["campaign", "create", "Pool"]).ok();
    cube.run(&["campaign", "create", "Other"]).ok();
    let codes = Mutex::new(Vec::<(String, i32, String)>::new());
    let imported_into_pool = AtomicU64::new(0);
    let anonymized = AtomicU64::new(0);
    let planned_for_anonymization = AtomicU64::new(0);
    let deadline = Instant::now() + LENGTH;
    let run = |name: &str, args: &[&str]| -> Run {
        let run = cube.run(&[&["--busy-timeout", "1"], args].concat());
        codes
            .lock()
            .unwrap()
            .push((name.to_string(), run.code, run.stderr.clone()));
        run
    };

    thread::scope(|s| {
        // Importers: new customers into Pool.
        s.spawn(|| {
            let mut batch = 0;
            while Instant::now() < deadline {
                batch += 1;
                let rows: String = (0..200)
                    .map(|i| format!("P{batch}-{i},Kunde {batch} {i},k{batch}x{i}@example.no\n"))
                    .collect();
                let file = cube.write(
                    &format!("pool-{batch}.csv"),
                    format!("customer_no,name,email\n{rows}"),
                );
                let out = run(
                    "import",
                    &["--json", "import", "customers", &file, "--campaign", "Pool"],
                );
                if out.code == 0 {
                    imported_into_pool.fetch_add(json_count(&out, "imported"), Ordering::SeqCst);
                }
            }
        });
        // Movers: Pool and Other trade customers.
        s.spawn(|| {
            let mut flip = false;
            while Instant::now() < deadline {
                flip = !flip;
                let (from, to) = if flip {
                    ("Pool", "Other")
                } else {
                    ("Other", "Pool")
                };
                run("move", &["move", "--from", from, "--to", to]);
                thread::sleep(Duration::from_millis(50));
            }
        });
        // Exporters and backups: readers that can block a scrub.
        s.spawn(|| {
            let mut n = 0;
            while Instant::now() < deadline {
                n += 1;
                let report = cube.path(&format!("report-{}.csv", n % 3));
                run(
                    "export",
                    &["export", "outcomes", "-o", report.to_str().unwrap()],
                );
                run(
                    "backup",
                    &[
                        "backup",
                        "create",
                        "--dir",
                        cube.path("backups").to_str().unwrap(),
                        "--keep",
                        "3",
                    ],
                );
            }
        });
        // Anonymizers: a campaign of their own, filled, then anonymized.
        s.spawn(|| {
            let mut n = 0;
            while Instant::now() < deadline {
                n += 1;
                let campaign = format!("Gone {n}");
                let rows: String = (0..50)
                    .map(|i| format!("G{n}-{i},Borte {n} {i}\n"))
                    .collect();
                let file = cube.write(
                    &format!("gone-{n}.csv"),
                    format!("customer_no,name\n{rows}"),
                );
                let out = run(
                    "import",
                    &[
                        "--json",
                        "import",
                        "customers",
                        &file,
                        "--campaign",
                        &campaign,
                    ],
                );
                if out.code != 0 {
                    continue;
                }
                let imported = json_count(&out, "imported");
                let out = run("anonymize", &["--json", "anonymize", &campaign, "--yes"]);
                // Its job ran (a reader may still have blocked the scrub, 75).
                if out
                    .stderr
                    .contains(&format!("anonymized {imported} customers of {campaign:?}"))
                {
                    planned_for_anonymization.fetch_add(imported, Ordering::SeqCst);
                }
                if out.code == 0 {
                    anonymized.fetch_add(imported, Ordering::SeqCst);
                }
            }
        });
    });

    let codes = codes.into_inner().unwrap();
    let bad: Vec<&(String, i32, String)> = codes
        .iter()
        .filter(|(_, code, _)| *code != 0 && *code != 75)
        .collect();
    assert!(
        bad.is_empty(),
        "unexpected exit codes among {} commands: {bad:#?}",
        codes.len()
    );
    assert!(
        codes.len() > 100,
        "the soak ran only {} commands",
        codes.len()
    );

    // Finish whatever a blocked scrub or a busy anonymize left behind.
    let mut tries = 0;
    loop {
        let out = cube.run(&["jobs", "resume"]);
        if out.code == 0 {
            break;
        }
        assert_eq!(out.code, 75, "{}", out.transcript());
        tries += 1;
        assert!(tries < 10, "jobs resume kept failing");
    }
    assert_eq!(cube.sql::<String>("PRAGMA integrity_check"), "ok");
    let in_pool: i64 = cube.sql(
        "SELECT count(*) FROM customers c JOIN campaigns k ON k.id = c.campaign_id WHERE k.name IN ('Pool', 'Other')",
    );
    assert_eq!(in_pool as u64, imported_into_pool.load(Ordering::SeqCst));
    let anonymized_now: i64 =
        cube.sql("SELECT count(*) FROM customers WHERE anonymized_at IS NOT NULL");
    assert!(anonymized_now as u64 >= anonymized.load(Ordering::SeqCst));
    assert!(anonymized_now as u64 >= planned_for_anonymization.load(Ordering::SeqCst));
    let left: i64 = cube.sql(
        "SELECT count(*) FROM customers c JOIN campaigns k ON k.id = c.campaign_id \
         WHERE k.name LIKE 'Gone %' AND k.status = 'archived' AND c.anonymized_at IS NULL",
    );
    assert_eq!(
        left, 0,
        "an archived campaign kept customers that its job should have anonymized"
    );
    // Every command kept the counts in its own transactions, whatever ran beside it.
    crate::counts::assert_counted(&cube);
    cube.run(&["doctor"]).ok();
}
