//! The help people read: global options apart from each command's own,
//! examples in the main commands, and manual pages that match the CLI.

use std::path::Path;

use crate::{file_names, Cube};

#[test]
fn help_puts_global_options_apart_and_ends_with_examples() {
    let cube = Cube::new();
    let run = cube.run(&["export", "--help"]);
    run.ok();
    insta::assert_snapshot!("export_help", run.stdout);
    for args in [
        &["--help"][..],
        &["import", "customers", "--help"],
        &["archive", "--help"],
        &["anonymize", "--help"],
        &["customer", "find", "--help"],
        &["backup", "--help"],
    ] {
        let run = cube.run(args);
        let help = &run.ok().stdout;
        let (own, global) = help
            .split_once("\nGlobal options:\n")
            .unwrap_or_else(|| panic!("{args:?}: no global heading in\n{help}"));
        assert!(!own.contains("--busy-timeout"), "{args:?}:\n{help}");
        assert!(global.contains("--busy-timeout"), "{args:?}:\n{help}");
        assert!(global.contains("\nExamples:\n  cube "), "{args:?}:\n{help}");
    }
}

/// The committed pages must be what the binary generates now; regenerate
/// with `scripts/man`.
#[test]
fn committed_manual_pages_match_the_cli() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let pages = cube::commands::man::pages().unwrap();
    let mut names: Vec<String> = pages.iter().map(|(name, _)| name.clone()).collect();
    names.sort();
    assert_eq!(
        file_names(&dir),
        names,
        "man/ has other pages than the CLI: run scripts/man"
    );
    for (name, text) in &pages {
        let committed = std::fs::read(dir.join(name)).unwrap_or_default();
        assert!(
            &committed == text,
            "man/{name} is out of date: run scripts/man"
        );
    }
    let find = String::from_utf8(
        pages
            .iter()
            .find(|(n, _)| n == "cube-customer-find.1")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert!(find.contains(".SH EXAMPLES"), "{find}");
    assert!(find.contains(".SH \"GLOBAL OPTIONS\""), "{find}");
}

#[test]
fn the_man_command_writes_every_page() {
    let cube = Cube::new();
    let dir = cube.path("pages");
    std::fs::create_dir_all(&dir).unwrap();
    let run = cube.run(&["man", dir.to_str().unwrap()]);
    let count = cube::commands::man::pages().unwrap().len();
    assert!(
        run.ok()
            .stderr
            .starts_with(&format!("wrote {count} manual pages into")),
        "{}",
        run.stderr
    );
    let names = file_names(&dir);
    assert!(names.contains(&"cube.1".to_string()), "{names:?}");
    assert!(
        names.contains(&"cube-customer-find.1".to_string()),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n.contains("man")),
        "the hidden command has no page: {names:?}"
    );
}
