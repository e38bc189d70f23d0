use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    match cube::Cli::try_parse() {
        Ok(cli) => cube::run(cli),
        Err(err) => cube::usage_error(err),
    }
}
