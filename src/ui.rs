//! The only module that prints, prompts or draws progress.
//!
//! stdout is data (tables, CSV, JSON); stderr is talk (summaries, warnings,
//! progress, errors). `--quiet` silences talk, never errors. Progress bars come
//! from [`Ui::progress`], which hands out a hidden bar unless stderr is a
//! terminal and the run is not quiet, so callers never check.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{HumanCount, ProgressBar, ProgressDrawTarget, ProgressStyle};
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

    /// True when `-q` asks for silence unless something fails.
    pub fn quiet(&self) -> bool {
        self.quiet
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
    /// Said even under `-q`: the command did its work, but not all of it
    /// (rows of an import left out), and a cron job must hear of it.
    pub fn partly(&self, text: &str) {
        eprintln!("cube: {text}");
    }

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

    /// Asks to pick one of `items`, with nothing preselected and the keys
    /// shown under them: Enter alone does nothing, Esc or `q` gives `None`,
    /// Ctrl-C gives an [`io::ErrorKind::Interrupted`] error, with the cursor
    /// shown again. Only call when [`Ui::interactive`].
    pub fn choose(&self, prompt: &str, items: &[&str]) -> io::Result<Option<usize>> {
        let theme = WithKeys {
            last: items.last().copied().unwrap_or_default(),
        };
        let picked = prompting(|| {
            dialoguer::Select::with_theme(&theme)
                .with_prompt(prompt)
                .items(items)
                .report(true)
                .interact_on_opt(&console::Term::stderr())
        });
        match picked {
            Ok(choice) => Ok(choice),
            Err(dialoguer::Error::IO(e)) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
            Err(dialoguer::Error::IO(e)) => Err(e),
        }
    }

    /// Asks for a line of text; `None` at end of input, an
    /// [`io::ErrorKind::Interrupted`] error on Ctrl-C.
    pub fn ask(&self, prompt: &str) -> io::Result<Option<String>> {
        let answer = prompting(|| {
            dialoguer::Input::<String>::new()
                .with_prompt(prompt)
                .allow_empty(true)
                .report(false)
                .interact_text_on(&console::Term::stderr())
        });
        match answer {
            Ok(text) => Ok(Some(text)),
            Err(dialoguer::Error::IO(e)) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
            Err(dialoguer::Error::IO(e)) => Err(e),
        }
    }

    /// A progress bar counting `unit`s with their rate, and when `total` is
    /// known the percentage done and the time left; drawn on stderr only when
    /// stderr is a terminal and the run is not quiet, hidden otherwise.
    pub fn progress(&self, total: Option<u64>, unit: &str) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = match total {
            Some(n) => ProgressBar::new(n),
            None => ProgressBar::new_spinner(),
        };
        bar.set_style(progress_style(total.is_some(), unit));
        bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(10));
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    }
}

impl Ui {
    /// A progress bar for reading a file of `size` bytes: its percentage,
    /// the bytes read, the rate and the time left. Hidden like [`Ui::progress`].
    pub fn progress_bytes(&self, size: u64) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(size);
        let style = ProgressStyle::with_template(
            "{bar:30} {percent:>3}% {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(10));
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    }
}

/// How a progress bar reads: `[bar] 25% 500/2,000 customers anonymized
/// (1,234/s, 2s left)` when the total is known, else a spinner, the count
/// and the rate. The rate is a whole number: its decimals only flicker.
fn progress_style(known: bool, unit: &str) -> ProgressStyle {
    let (template, fallback) = if known {
        (
            format!("{{bar:30}} {{percent:>3}}% {{human_pos}}/{{human_len}} {unit} ({{rate}}, {{eta}} left)"),
            ProgressStyle::default_bar(),
        )
    } else {
        (
            format!("{{spinner}} {{human_pos}} {unit} ({{rate}})"),
            ProgressStyle::default_spinner(),
        )
    };
    ProgressStyle::with_template(&template)
        .unwrap_or(fallback)
        .with_key(
            "rate",
            |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{}/s", HumanCount(state.per_sec().round() as u64));
            },
        )
}

/// Shows the terminal's cursor again (a prompt hides it while it runs).
pub fn show_cursor() {
    let _ = console::Term::stderr().show_cursor();
}

/// While a prompt reads keys the terminal is in raw mode, and Ctrl-C reaches
/// cube as a key: the prompt raises SIGINT itself, then returns an
/// `Interrupted` error, and the command ends there (exit 130) saying what it
/// did before. These tell the signal handler to leave that Ctrl-C to the
/// prompt (see [`prompt_took_interrupt`]).
static PROMPTING: AtomicBool = AtomicBool::new(false);
static PROMPT_INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Runs a prompt; on Ctrl-C gives the cursor back and says so to the
/// signal handler.
fn prompting<T>(prompt: impl FnOnce() -> dialoguer::Result<T>) -> dialoguer::Result<T> {
    PROMPTING.store(true, Ordering::SeqCst);
    let result = prompt();
    let interrupted =
        matches!(&result, Err(dialoguer::Error::IO(e)) if e.kind() == io::ErrorKind::Interrupted);
    // Said before the prompt is over, so that the handler never sees
    // neither.
    PROMPT_INTERRUPTED.store(interrupted, Ordering::SeqCst);
    PROMPTING.store(false, Ordering::SeqCst);
    if interrupted {
        show_cursor();
        let _ = writeln!(io::stderr());
    }
    result
}

/// For the signal handler, on SIGINT: true when a prompt took the Ctrl-C
/// that raised it (waiting a moment for the prompt to say so), and the
/// command ends by itself. A SIGINT that no prompt takes (one sent by
/// `kill`, or typed while the prompt was drawing) gets false.
pub fn prompt_took_interrupt() -> bool {
    for _ in 0..50 {
        if PROMPT_INTERRUPTED.swap(false, Ordering::SeqCst) {
            return true;
        }
        if !PROMPTING.load(Ordering::SeqCst) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

/// The plain theme, with the keys shown under the last choice.
struct WithKeys<'a> {
    last: &'a str,
}

impl dialoguer::theme::Theme for WithKeys<'_> {
    fn format_select_prompt_item(
        &self,
        f: &mut dyn std::fmt::Write,
        text: &str,
        active: bool,
    ) -> std::fmt::Result {
        write!(f, "{} {text}", if active { ">" } else { " " })?;
        if text == self.last {
            write!(f, "\n  ↑/↓ to move, Enter to choose, Esc to cancel")?;
        }
        Ok(())
    }
}

/// Says that the operator stopped cube in the middle of work, and how far it
/// got; on a terminal over the progress bar's line. Never silenced: the
/// command fails.
pub fn interrupted(how_far: &str, terminal: bool) {
    let clear = if terminal { "\r\x1b[2K" } else { "" };
    let _ = writeln!(io::stderr().lock(), "{clear}cube: interrupted: {how_far}");
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use indicatif::TermLike;

    use super::*;

    /// A terminal that keeps what is drawn on it.
    #[derive(Debug, Clone, Default)]
    struct Screen(Arc<Mutex<String>>);

    impl TermLike for Screen {
        fn width(&self) -> u16 {
            120
        }
        fn move_cursor_up(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> io::Result<()> {
            self.write_str(&format!("{s}\n"))
        }
        fn write_str(&self, s: &str) -> io::Result<()> {
            self.0.lock().unwrap().push_str(s);
            Ok(())
        }
        fn clear_line(&self) -> io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> io::Result<()> {
            Ok(())
        }
    }

    fn drawn(total: Option<u64>) -> String {
        let screen = Screen::default();
        let bar = ProgressBar::with_draw_target(
            total,
            ProgressDrawTarget::term_like(Box::new(screen.clone())),
        );
        bar.set_style(progress_style(total.is_some(), "customers anonymized"));
        std::thread::sleep(Duration::from_millis(50));
        bar.set_position(1500);
        bar.tick();
        let text = screen.0.lock().unwrap().clone();
        text
    }

    #[test]
    fn a_bar_of_known_size_shows_percent_time_left_and_a_whole_rate() {
        let text = drawn(Some(6000));
        let line = last_line(&text);
        assert!(
            line.contains(" 25% 1,500/6,000 customers anonymized ("),
            "{text}"
        );
        assert!(line.ends_with(" left)"), "{text}");
        let rate = line.split('(').nth(1).unwrap().split("/s").next().unwrap();
        assert!(
            rate.chars().all(|c| c.is_ascii_digit() || c == ','),
            "the rate is a whole number: {text}"
        );
    }

    #[test]
    fn a_bar_of_unknown_size_shows_the_count_and_rate() {
        let text = drawn(None);
        let line = last_line(&text);
        assert!(line.contains(" 1,500 customers anonymized ("), "{text}");
        assert!(line.ends_with("/s)") && !line.contains('%'), "{text}");
    }

    /// The last line drawn, without trailing space.
    fn last_line(text: &str) -> String {
        text.lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or_default()
            .trim_end()
            .to_string()
    }
}
