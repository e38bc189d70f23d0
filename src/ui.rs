//! The only module that prints, prompts or draws progress.
//!
//! stdout is data (tables, CSV, JSON); stderr is talk (summaries, warnings,
//! progress, errors). `--quiet` silences talk, never errors. Progress bars come
//! from [`Ui::progress`], which hands out a hidden bar unless stderr is a
//! terminal and the run is not quiet, so callers never check.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

/// How the operator asked cube to talk.
#[derive(Debug, Default, Clone, Copy)]
pub struct UiOptions {
    pub quiet: bool,
    pub verbose: bool,
    pub json: bool,
    /// False for `--no-progress`.
    pub progress: bool,
}

pub struct Ui {
    quiet: bool,
    verbose: bool,
    json: bool,
    progress: bool,
}

impl Ui {
    pub fn new(options: UiOptions) -> Ui {
        Ui {
            quiet: options.quiet,
            verbose: options.verbose && !options.quiet,
            json: options.json,
            progress: !options.quiet && options.progress && io::stderr().is_terminal(),
        }
    }

    /// True when `--json` asks for machine-readable output.
    pub fn json(&self) -> bool {
        self.json
    }

    /// True when stderr is a terminal (where prompts and bars are drawn).
    pub fn stderr_is_terminal(&self) -> bool {
        io::stderr().is_terminal()
    }

    /// True when stdout is a terminal (no place for binary data).
    pub fn stdout_is_terminal(&self) -> bool {
        io::stdout().is_terminal()
    }

    /// A buffered handle on stdout for data.
    pub fn stdout(&self) -> io::BufWriter<io::Stdout> {
        io::BufWriter::with_capacity(64 * 1024, io::stdout())
    }

    /// Writes `value` as pretty JSON on stdout.
    pub fn print_json(&self, value: &impl Serialize) -> io::Result<()> {
        let mut out = self.stdout();
        serde_json::to_writer_pretty(&mut out, value)?;
        writeln!(out)?;
        out.flush()
    }

    /// Writes one line of data on stdout.
    pub fn line(&self, text: &str) -> io::Result<()> {
        let mut out = self.stdout();
        writeln!(out, "{text}")?;
        out.flush()
    }

    /// Writes rows as columns aligned under a header, on stdout. A line break
    /// inside a cell shows as `⏎`, so that one row stays one line.
    pub fn table(&self, header: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
        let rows: Vec<Vec<String>> = rows
            .iter()
            .map(|row| row.iter().map(|cell| one_line(cell)).collect())
            .collect();
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut out = self.stdout();
        let mut write_row = |cells: &mut dyn Iterator<Item = &str>| -> io::Result<()> {
            let mut line = String::new();
            for (i, cell) in cells.enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                line.push_str(cell);
                let pad = widths[i].saturating_sub(cell.chars().count());
                line.extend(std::iter::repeat_n(' ', pad));
            }
            writeln!(out, "{}", line.trim_end())
        };
        write_row(&mut header.iter().copied())?;
        for row in &rows {
            write_row(&mut row.iter().map(String::as_str))?;
        }
        out.flush()
    }

    /// Talk: a summary or a note on stderr, unless `--quiet`.
    pub fn say(&self, text: &str) {
        if !self.quiet {
            eprintln!("{text}");
        }
    }

    /// More talk, only with `--verbose`.
    pub fn detail(&self, text: &str) {
        if self.verbose {
            eprintln!("{text}");
        }
    }

    /// A warning: something the operator should know that did not stop the work.
    pub fn warn(&self, text: &str) {
        if !self.quiet {
            eprintln!("cube: warning: {text}");
        }
    }

    /// An error, its detail lines and an optional hint. Never silenced.
    /// With `--json` it is one JSON object on stderr, `{"error", "details",
    /// "hint", "exit"}`, so that a script reads failures the way it reads
    /// results.
    pub fn error(&self, message: &str, details: &[String], hint: Option<&str>, exit: u8) {
        let mut err = io::stderr().lock();
        if self.json {
            let value = serde_json::json!({
                "error": message,
                "details": details,
                "hint": hint,
                "exit": exit,
            });
            let _ = writeln!(err, "{value}");
            return;
        }
        let _ = writeln!(err, "cube: error: {message}");
        for line in details {
            let _ = writeln!(err, "  {line}");
        }
        if let Some(hint) = hint {
            let _ = writeln!(err, "hint: {hint}");
        }
    }

    /// True when a person can answer a prompt: stdin and stderr are terminals.
    pub fn interactive(&self) -> bool {
        io::stdin().is_terminal() && io::stderr().is_terminal()
    }

    /// Text a person needs to answer the next prompt; shown even with
    /// `--quiet`, since prompts only appear on a terminal.
    pub fn explain(&self, text: &str) {
        eprintln!("{text}");
    }

    /// Asks to pick one of `items`, with nothing preselected: Enter alone does
    /// nothing, Esc or `q` gives `None`, Ctrl-C ends the program. Only call
    /// when [`Ui::interactive`].
    pub fn choose(&self, prompt: &str, items: &[&str]) -> io::Result<Option<usize>> {
        let picked = dialoguer::Select::new()
            .with_prompt(prompt)
            .items(items)
            .report(true)
            .interact_on_opt(&console::Term::stderr());
        match picked {
            Ok(choice) => Ok(choice),
            Err(dialoguer::Error::IO(e)) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
            Err(dialoguer::Error::IO(e)) => Err(e),
        }
    }

    /// Asks for a line of text; `None` at end of input.
    pub fn ask(&self, prompt: &str) -> io::Result<Option<String>> {
        let answer = dialoguer::Input::<String>::new()
            .with_prompt(prompt)
            .allow_empty(true)
            .report(false)
            .interact_text_on(&console::Term::stderr());
        match answer {
            Ok(text) => Ok(Some(text)),
            Err(dialoguer::Error::IO(e)) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
            Err(dialoguer::Error::IO(e)) => Err(e),
        }
    }

    /// A progress bar counting `unit`s (with a rate), drawn on stderr only when
    /// stderr is a terminal and the run is not quiet; hidden otherwise.
    pub fn progress(&self, total: Option<u64>, unit: &str) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = match total {
            Some(n) => ProgressBar::new(n).with_style(
                ProgressStyle::with_template(&format!(
                    "{{bar:30}} {{human_pos}}/{{human_len}} {unit} ({{per_sec}}, {{eta}} left)"
                ))
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template(&format!(
                    "{{spinner}} {{human_pos}} {unit} ({{per_sec}})"
                ))
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(10));
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    }
}

/// Shows the terminal's cursor again (a prompt hides it while it runs).
pub fn show_cursor() {
    let _ = console::Term::stderr().show_cursor();
}

fn one_line(cell: &str) -> String {
    if !cell.contains(['\n', '\r', '\t']) {
        return cell.to_string();
    }
    cell.replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "⏎")
        .replace('\t', " ")
}
