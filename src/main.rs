use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    cube::run(cube::Cli::parse())
}
