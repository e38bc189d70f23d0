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
