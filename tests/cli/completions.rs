use std::path::Path;

use clap_complete::Shell;

/// The committed completion scripts must be what the binary generates now;
/// regenerate with `cube completions SHELL > completions/FILE`.
#[test]
fn committed_completions_match_the_cli() {
    for (shell, file) in [
        (Shell::Bash, "cube.bash"),
        (Shell::Zsh, "_cube"),
        (Shell::Fish, "cube.fish"),
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("completions")
            .join(file);
        let committed = std::fs::read(&path).unwrap_or_default();
        let generated = cube::commands::completions::script(shell);
        assert!(
            committed == generated,
            "completions/{file} is out of date: run scripts/completions"
        );
    }
}

#[test]
fn the_completions_command_prints_a_script() {
    let cube = crate::Cube::new();
    let run = cube.run(&["completions", "bash"]);
    run.ok();
    assert!(run.stdout.contains("_cube()"), "{}", run.stdout);
}

/// A database with three campaigns, and a shell's command line that runs
/// `before`, loads a committed completion script and runs `code`, with
/// `cube` on its PATH.
fn shell(cube: &crate::Cube, program: &str, script: &str, before: &str, code: &str) -> crate::Run {
    for name in ["Vår 2026", "Høstsalg 2026", "Sommer"] {
        cube.run(&["campaign", "create", name]).ok();
    }
    let bin = Path::new(env!("CARGO_BIN_EXE_cube")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("completions")
        .join(script);
    let mut cmd = std::process::Command::new(program);
    crate::common::hermetic(&mut cmd, &cube.db(), &cube.path("home"));
    cmd.env("PATH", path)
        .arg("-c")
        .arg(format!("{before}\nsource '{}'\n{code}", script.display()));
    crate::Run::from(cmd.output().unwrap())
}

fn installed(program: &str) -> bool {
    let found = std::process::Command::new(program)
        .arg("-c")
        .arg("exit 0")
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        // Straight to the process's stderr: the harness would hold back
        // eprint! output of a test that passes, and a skip must show.
        let line =
            format!("SKIPPED: {program} is not installed: its completion test does not run\n");
        std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes()).unwrap();
    }
    found
}

#[test]
fn campaign_names_complete_where_a_campaign_goes() {
    let cube = crate::Cube::new();
    for name in ["Vår 2026", "Høstsalg 2026"] {
        cube.run(&["campaign", "create", name]).ok();
    }
    let names = |words: &[&str]| {
        let mut args = vec!["campaign", "names", "--"];
        args.extend(words);
        cube.run(&args)
    };
    assert_eq!(names(&["archive", "vå"]).ok().stdout, "Vår 2026\n");
    assert_eq!(
        names(&["move", "--to", ""]).ok().stdout,
        "Høstsalg 2026\nVår 2026\n"
    );
    assert_eq!(
        names(&["import", "customers", ""]).code,
        1,
        "a file goes there"
    );
    // The database a command line names is the one asked.
    let other = cube.path("other.db");
    let other = other.to_str().unwrap();
    cube.run(&["--db", other, "campaign", "create", "Sommer"])
        .ok();
    assert_eq!(
        names(&["--db", other, "reactivate", ""]).ok().stdout,
        "Sommer\n"
    );
    // Without a database there are no names, and none is created.
    let none = cube.path("none.db");
    assert_eq!(
        names(&["--db", none.to_str().unwrap(), "archive", ""])
            .ok()
            .stdout,
        ""
    );
    assert!(!none.exists());
}

#[test]
fn bash_completes_campaign_names() {
    let cube = crate::Cube::new();
    let run = shell(
        &cube,
        "bash",
        "cube.bash",
        "",
        r#"complete_line() {
            COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=()
            _cube_campaigns cube "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
            printf '%s|' "${COMPREPLY[@]}"; echo
        }
        complete_line cube archive h
        complete_line cube campaign show ''
        complete_line cube arch"#,
    );
    assert_eq!(
        run.ok().stdout,
        "Høstsalg\\ 2026|\nHøstsalg\\ 2026|Sommer|Vår\\ 2026|\narchive|\n"
    );
}

#[test]
fn zsh_completes_campaign_names() {
    if !installed("zsh") {
        return;
    }
    let cube = crate::Cube::new();
    let run = shell(
        &cube,
        "zsh",
        "_cube",
        "compdef() { :; }; autoload -U is-at-least",
        r#"compadd() { print -rl -- "${(@P)${@[-1]}}" }
        _cube_static() { print static }
        words=(cube assign v); CURRENT=3; _cube
        words=(cube stats ''); CURRENT=3; _cube"#,
    );
    assert_eq!(run.ok().stdout, "Vår 2026\nstatic\n");
}

#[test]
fn fish_completes_campaign_names() {
    if !installed("fish") {
        return;
    }
    let cube = crate::Cube::new();
    let run = shell(
        &cube,
        "fish",
        "cube.fish",
        "",
        "complete -C'cube archive v'; complete -C'cube move --to h'",
    );
    assert_eq!(run.ok().stdout, "Vår 2026\nHøstsalg 2026\n");
}
