//! A full disk gives a clean error, leaves no partial or temporary file, and
//! never damages the database. Each test mounts a small tmpfs, which needs
//! root. Where mounting is refused a test skips, saying so on a line that
//! starts with `SKIPPED:`; with `CUBE_REQUIRE_MOUNT=1` (as `.ci/run` sets)
//! it fails instead, so that CI cannot pass without having run them.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{file_names, Cube};

/// A tmpfs of `size`, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// Mounts it, or says why not and returns `None` for the test to skip.
    fn mount(at: &Path, size: &str) -> Option<Tmpfs> {
        fs::create_dir_all(at).unwrap();
        let refused = match Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .output()
        {
            Ok(out) if out.status.success() => return Some(Tmpfs(at.to_path_buf())),
            Ok(out) => format!(
                "{}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ),
            Err(e) => format!("cannot run mount: {e}"),
        };
        let test = std::thread::current()
            .name()
            .unwrap_or("disk_full")
            .to_string();
        if std::env::var_os("CUBE_REQUIRE_MOUNT").is_some_and(|v| v == "1") {
            panic!("{test}: mount refused: {refused}\nCUBE_REQUIRE_MOUNT=1 asks for the disk-full tests to run: run them as root");
        }
        // Straight to the process's stderr, in one write: the test harness
        // would hold back print!/eprint! output of a test that passes, and a
        // skip must show.
        let line = format!("SKIPPED: {test}: mount refused: {refused}\n");
        std::io::stderr().write_all(line.as_bytes()).unwrap();
        None
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn filled(cube: &Cube, customers: usize) {
    let rows: String = (0..customers)
        .map(|i| {
            format!(
                "{i},Kunde {i} med et langt navn,kunde{i}@example.no,{}\n",
                "notat ".repeat(20)
            )
        })
        .collect();
    cube.import_customers(
        &format!("customer_no,name,email,notes\n{rows}"),
        &["--campaign", "Full"],
    )
    .ok();
    let outcomes: String = (0..customers)
        .map(|i| {
            format!(
                "{i},Full,kari,2026-11-01,Call back,{}\n",
                "kommentar ".repeat(10)
            )
        })
        .collect();
    cube.import(
        "outcomes",
        &format!("customer_no,campaign,seller,date,outcome,comment\n{outcomes}"),
        &[],
    )
    .ok();
}

#[test]
fn export_and_backup_to_a_full_disk_leave_nothing_behind() {
    let cube = Cube::new();
    let Some(disk) = Tmpfs::mount(&cube.path("small"), "128k") else {
        return;
    };
    filled(&cube, 3000);
    let before = fs::read(cube.db()).unwrap();

    let run = cube.run(&[
        "export",
        "outcomes",
        "-o",
        disk.0.join("report.csv").to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("No space left on device"),
        "{}",
        run.stderr
    );
    assert_eq!(
        file_names(&disk.0),
        Vec::<String>::new(),
        "a partial or temporary file was left"
    );

    let run = cube.run(&[
        "export",
        "outcomes",
        "--format",
        "xlsx",
        "-o",
        disk.0.join("report.xlsx").to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(file_names(&disk.0), Vec::<String>::new());

    let run = cube.run(&["backup", "create", disk.0.join("snap.db").to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(file_names(&disk.0), Vec::<String>::new());

    assert_eq!(fs::read(cube.db()).unwrap(), before, "the database changed");
    assert_eq!(cube.sql::<String>("PRAGMA integrity_check"), "ok");
}

#[test]
fn importing_onto_a_full_disk_imports_nothing() {
    let outer = Cube::new();
    // Room for a new database of 32 KB pages and a small import, not a big one.
    let Some(disk) = Tmpfs::mount(&outer.path("small"), "4m") else {
        return;
    };
    let db = disk.0.join("cube.db");
    let run = |args: &[&str]| outer.run_env(args, &[("CUBE_DB", db.to_str())]);
    let file = outer.write("first.csv", "customer_no,name\n1,Ola\n2,Kari\n");
    run(&["import", "customers", &file]).ok();

    let rows: String = (0..40000)
        .map(|i| format!("N{i},Kunde {i},{}\n", "x".repeat(60)))
        .collect();
    let big = outer.write("big.csv", format!("customer_no,name,notes\n{rows}"));
    let full = run(&["import", "customers", &big]);
    assert_eq!(full.code, 1, "{}", full.transcript());
    assert!(full.stderr.contains("full"), "{}", full.stderr);
    assert!(!full.stderr.contains("panicked"), "{}", full.stderr);

    assert_eq!(
        outer.sql_at::<i64>(&db, "SELECT count(*) FROM customers"),
        2,
        "a partial import was kept"
    );
    assert_eq!(outer.sql_at::<String>(&db, "PRAGMA integrity_check"), "ok");
    run(&["stats", "--json"]).ok();
}

#[test]
fn a_job_stopped_by_a_full_disk_says_what_it_left_and_how_to_finish() {
    let outer = Cube::new();
    // Room for the job's WAL once the ballast is gone: a batch rewrites
    // its customers' rows at new ids, a transaction the size of the table.
    let Some(disk) = Tmpfs::mount(&outer.path("small"), "16m") else {
        return;
    };
    let db = disk.0.join("cube.db");
    let run = |args: &[&str]| outer.run_env(args, &[("CUBE_DB", db.to_str())]);
    let rows: String = (0..4000)
        .map(|i| format!("F{i},Fylt Fyllesen {i},{}\n", "notat ".repeat(20)))
        .collect();
    let file = outer.write("many.csv", format!("customer_no,name,notes\n{rows}"));
    run(&["import", "customers", &file, "--campaign", "Full"]).ok();
    run(&["stats"]).ok();

    // Fill the disk, then leave a little room: enough to plan the job, not
    // enough for its batch.
    let ballast = disk.0.join("ballast");
    let mut out = fs::File::create(&ballast).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    while out.write_all(&chunk).and_then(|()| out.sync_all()).is_ok() {}
    let len = fs::metadata(&ballast).unwrap().len();
    out.set_len(len.saturating_sub(400 * 1024)).unwrap();
    drop(out);

    let stopped = run(&["anonymize", "Full", "--yes"]);
    assert_eq!(stopped.code, 1, "{}", stopped.transcript());
    assert!(
        !stopped.stderr.contains("nothing was changed"),
        "{}",
        stopped.stderr
    );
    assert!(
        stopped.stderr.contains("cube jobs resume") && stopped.stderr.contains("archived"),
        "{}",
        stopped.stderr
    );
    assert_eq!(outer.sql_at::<String>(&db, "PRAGMA integrity_check"), "ok");

    fs::remove_file(&ballast).unwrap();
    run(&["jobs", "resume"]).ok();
    assert_eq!(run(&["stats", "--json"]).ok().json()["anonymized"], 4000);
}
