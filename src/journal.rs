//! The erasure journal: `<database>.erasures`, beside the database.
//!
//! Every anonymization batch appends one JSON line naming its job, the time and
//! the cube ids it erases, and fsyncs it *before* the batch commits. The
//! journal therefore always knows at least every erasure the database has, and
//! survives losing the database: restoring a backup re-applies it, so that
//! undoing one wrong job never brings other people's data back. Undoing a job
//! is itself a line, so later checks do not re-apply that job.
//!
//! A job's redactions of mentions in other records are lines too, with the
//! rows and byte positions they changed (see [`RedactedText`]).
//!
//! It holds job ids, times, cube ids and positions only: no personal data. The file is
//! created readable by its owner only.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, Write};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum Line<T = Vec<RedactedText>> {
    Erased {
        job: String,
        at: String,
        /// The campaign the job archived (a name, no personal data).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        campaign: Option<String>,
        cube_ids: Vec<String>,
    },
    Undone {
        undo_job: String,
        at: String,
    },
    Redacted {
        job: String,
        at: String,
        texts: T,
    },
}

/// A line as the first reading of the journal takes it: a job's redactions
/// are checked and left where they are (tens of thousands a job, and the
/// whole history of a big database is hundreds of megabytes in memory), to
/// be read one job at a time ([`Erasures::texts_of`]).
type Skimmed = Line<Checked>;

/// Texts read to check that they can be, and not kept.
#[derive(Debug)]
struct Checked;

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Checked, D::Error> {
        d.deserialize_seq(CheckedTexts)
    }
}

struct CheckedTexts;

impl<'de> serde::de::Visitor<'de> for CheckedTexts {
    type Value = Checked;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of redacted texts")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        while seq.next_element::<RedactedText>()?.is_some() {}
        Ok(Checked)
    }
}

/// Where a job redacted mentions of its people in another record's text:
/// the row, the text's length in bytes before and after, and the byte spans
/// replaced. Positions only, no text: a restore redacts them again in a
/// snapshot from before the job, whose cards may no longer say who the
/// people were (see `anonymize::apply_redactions`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RedactedText {
    pub table: String,
    pub column: String,
    pub row: i64,
    pub length: usize,
    pub redacted_length: usize,
    pub spans: Vec<(usize, usize)>,
}

/// What the journal says must stay erased.
#[derive(Debug, Default)]
pub struct Erasures {
    /// Cube ids by job id, for every job not undone.
    pub jobs: BTreeMap<String, BTreeSet<String>>,
    /// The campaign each job archived, where the journal says.
    pub campaigns: BTreeMap<String, String>,
    /// When each job erased its first and its last customers, as the
    /// journal says (what a replayed job's receipt gives as its days).
    pub times: BTreeMap<String, (String, String)>,
    pub undone: BTreeSet<String>,
    /// Where the lines of each job's redactions are (file, byte offset), for
    /// every job not undone: [`Erasures::texts_of`] reads them.
    redacted: BTreeMap<String, Vec<(usize, u64)>>,
    /// The files those offsets are in: the journal and its copies.
    files: Vec<PathBuf>,
    /// Lines that could not be read (a write cut short by a crash).
    pub unreadable: u64,
}

impl Erasures {
    pub fn cube_ids(&self) -> impl Iterator<Item = (&str, &str)> {
        self.jobs
            .iter()
            .flat_map(|(job, ids)| ids.iter().map(move |id| (job.as_str(), id.as_str())))
    }

    /// The jobs that redacted mentions, in the order of their ids.
    pub fn redacting_jobs(&self) -> impl Iterator<Item = &str> {
        self.redacted.keys().map(String::as_str)
    }

    /// The texts `job` redacted mentions in, read from the journal (and its
    /// copies, which say the same again: a set), in order.
    pub fn texts_of(&self, job: &str) -> Result<BTreeSet<RedactedText>> {
        let mut texts = BTreeSet::new();
        for &(file, offset) in self.redacted.get(job).into_iter().flatten() {
            let path = &self.files[file];
            let mut line = String::new();
            let mut reader = open_at(path, offset)?.context("the erasure journal went away")?;
            reader
                .read_line(&mut line)
                .with_context(|| format!("cannot read {}", path.display()))?;
            match serde_json::from_str::<Line>(&line) {
                Ok(Line::Redacted { texts: found, .. }) => texts.extend(found),
                _ => anyhow::bail!(
                    "the erasure journal {} changed while it was read",
                    path.display()
                ),
            }
        }
        Ok(texts)
    }
}

#[derive(Debug, Clone)]
pub struct Journal {
    path: PathBuf,
    /// Copies kept in backup folders (`DIR/<database name>.erasures`), so
    /// that losing the database's disk does not lose the journal.
    copies: Vec<PathBuf>,
}

impl Journal {
    /// The journal of the database at `db`: beside it, under its name. The
    /// caller passes the database's real path, so that a link to the
    /// database finds the same journal.
    pub fn of(db: &Path) -> Journal {
        let mut name = db.as_os_str().to_owned();
        name.push(".erasures");
        Journal {
            path: PathBuf::from(name),
            copies: Vec::new(),
        }
    }

    /// The name a copy of the journal of the database at `db` has in a
    /// backup folder.
    pub fn copy_name(db: &Path) -> String {
        let name = db.file_name().unwrap_or_default().to_string_lossy();
        format!("{name}.erasures")
    }

    /// Adds a copy, kept in step from now on (if not there already).
    pub fn add_copy(&mut self, path: PathBuf) {
        if path != self.path && !self.copies.contains(&path) {
            self.copies.push(path);
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn copies(&self) -> &[PathBuf] {
        &self.copies
    }

    /// True when the journal or any copy of it exists.
    pub fn exists(&self) -> bool {
        std::iter::once(&self.path)
            .chain(&self.copies)
            .any(|p| p.exists())
    }

    /// The journal's length in bytes (0 when there is none).
    pub fn size(&self) -> Result<u64> {
        match fs::metadata(&self.path) {
            Ok(m) => Ok(m.len()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(0),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", self.path.display())),
        }
    }

    /// True when a copy of the journal holds more than the journal itself:
    /// the journal is written first, so only a journal lost or put back from
    /// an older copy is shorter. (A copy on a disk that is not there is left
    /// out.)
    pub fn a_copy_is_longer(&self) -> Result<bool> {
        let size = self.size()?;
        Ok(self
            .copies
            .iter()
            .any(|copy| fs::metadata(copy).is_ok_and(|m| m.len() > size)))
    }

    /// Puts the journal back from its longest copy when it is missing (a
    /// database copied back from a backup folder after a lost disk); returns
    /// the copy. A journal that is there is never replaced: it may hold a
    /// line a crash kept from the copies.
    pub fn put_back(&self) -> Result<Option<PathBuf>> {
        if self.path.exists() {
            return Ok(None);
        }
        let longest = self
            .copies
            .iter()
            .filter_map(|copy| Some((fs::metadata(copy).ok()?.len(), copy)))
            .max_by_key(|(len, _)| *len);
        let Some((_, copy)) = longest else {
            return Ok(None);
        };
        let mut file = crate::csvio::AtomicFile::create(&self.path, "journal")?;
        io::copy(
            &mut File::open(copy).with_context(|| format!("cannot read {}", copy.display()))?,
            file.file(),
        )?;
        file.commit()?;
        Ok(Some(copy.clone()))
    }

    /// Appends a line to the journal and to each copy whose folder is there
    /// (a backup disk that is not mounted is skipped; `doctor` reports it),
    /// durable when this returns. Returns the journal's new length.
    fn append(&self, line: &Line) -> Result<u64> {
        let mut text = serde_json::to_string(line)?;
        text.push('\n');
        let len = append_to(&self.path, &text)?;
        for copy in &self.copies {
            if copy.parent().is_some_and(Path::is_dir) {
                append_to(copy, &text)?;
            }
        }
        Ok(len)
    }

    /// Records that `job` erases `cube_ids`; durable when this returns.
    /// Returns the journal's new length.
    pub fn erased(
        &self,
        job: &str,
        campaign: Option<&str>,
        at: DateTime<Utc>,
        cube_ids: Vec<String>,
    ) -> Result<u64> {
        self.append(&Line::Erased {
            job: job.into(),
            at: crate::db::timestamp(at),
            campaign: campaign.map(String::from),
            cube_ids,
        })
    }

    /// Records where `job` redacted mentions; durable when this returns.
    /// Returns the journal's new length.
    pub fn redacted(&self, job: &str, at: DateTime<Utc>, texts: Vec<RedactedText>) -> Result<u64> {
        self.append(&Line::Redacted {
            job: job.into(),
            at: crate::db::timestamp(at),
            texts,
        })
    }

    /// Records that `job` was undone by a restore.
    pub fn undone(&self, job: &str, at: DateTime<Utc>) -> Result<u64> {
        self.append(&Line::Undone {
            undo_job: job.into(),
            at: crate::db::timestamp(at),
        })
    }

    /// Reads the whole journal, and every copy of it: the union of what they
    /// say, so that a line one of them lost is still known.
    pub fn read(&self) -> Result<Erasures> {
        let mut erasures = Erasures::default();
        for path in std::iter::once(&self.path).chain(&self.copies) {
            read_into(path, 0, &mut erasures)?;
        }
        Ok(erasures.without_undone())
    }

    /// How many lines of the journal and its copies cannot be read (as
    /// [`Journal::read`] counts them), read one at a time: `cube doctor`
    /// asks, and the whole history of a big database's jobs (76 MB after 21
    /// jobs at ten million customers) is more than its memory goal.
    pub fn unreadable_lines(&self) -> Result<u64> {
        let mut unreadable = 0;
        for path in std::iter::once(&self.path).chain(&self.copies) {
            each_line(path, 0, &mut |_, line| {
                if line.is_none() {
                    unreadable += 1;
                }
            })?;
        }
        Ok(unreadable)
    }

    /// What the journal says from byte `offset` on: the lines a database
    /// that has seen `offset` bytes has not. For the gates every cube passes
    /// as it opens the database, which would otherwise read the whole
    /// history (tens of megabytes once jobs have redacted mentions) for every
    /// cube started while a job runs. The whole journal and its copies are
    /// read instead ([`Journal::read`]) when `offset` is not where a line
    /// starts, or a line after it cannot be read: a journal put in place from
    /// a copy (whose lengths are its own), or a line cut short in the
    /// journal that only the copies hold whole.
    pub fn read_after(&self, offset: u64) -> Result<Erasures> {
        if offset > 0 && !line_starts_at(&self.path, offset)? {
            return self.read();
        }
        let mut erasures = Erasures::default();
        read_into(&self.path, offset, &mut erasures)?;
        if erasures.unreadable > 0 {
            return self.read();
        }
        Ok(erasures.without_undone())
    }
}

impl Erasures {
    fn without_undone(mut self) -> Erasures {
        for job in &self.undone {
            self.jobs.remove(job);
            self.redacted.remove(job);
        }
        self
    }
}

/// Appends `text` to the file at `path` (created 0600) and syncs it.
fn append_to(path: &Path, text: &str) -> Result<u64> {
    let mut file = OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot open the erasure journal {}", path.display()))?;
    // A line cut short by a crash or a full disk is ended first, so that it
    // does not swallow this one: it stays one unreadable line.
    let len = file.metadata()?.len();
    let mut last = [b'\n'];
    if len > 0 {
        file.read_exact_at(&mut last, len - 1)
            .with_context(|| format!("cannot read the erasure journal {}", path.display()))?;
    }
    let ended = if last[0] == b'\n' {
        text.to_string()
    } else {
        format!("\n{text}")
    };
    file.write_all(ended.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write the erasure journal {}", path.display()))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Make the file's existence durable too, the first time.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(file.metadata()?.len())
}

/// True when the byte before `offset` in the file at `path` ends a line.
fn line_starts_at(path: &Path, offset: u64) -> Result<bool> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let mut byte = [0u8; 1];
    let read = file
        .seek(io::SeekFrom::Start(offset - 1))
        .and_then(|_| file.read(&mut byte))
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(read == 1 && byte[0] == b'\n')
}

/// The journal file at `path`, read from byte `offset` on; `None` when there
/// is no such file.
fn open_at(path: &Path, offset: u64) -> Result<Option<BufReader<File>>> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    file.seek(io::SeekFrom::Start(offset))
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Some(BufReader::new(file)))
}

/// Calls `each` with every line of the journal file at `path` from byte
/// `offset` on, and where it starts, as read (`None` for one that cannot
/// be), skipping empty ones.
fn each_line(path: &Path, offset: u64, each: &mut dyn FnMut(u64, Option<Skimmed>)) -> Result<()> {
    let Some(mut reader) = open_at(path, offset)? else {
        return Ok(());
    };
    let mut line = String::new();
    let mut at = offset;
    loop {
        line.clear();
        let read = reader
            .read_line(&mut line)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if read == 0 {
            return Ok(());
        }
        if !line.trim().is_empty() {
            each(at, serde_json::from_str::<Skimmed>(&line).ok());
        }
        at += read as u64;
    }
}

/// Adds what the journal file at `path` says from byte `offset` on to
/// `erasures`.
fn read_into(path: &Path, offset: u64, erasures: &mut Erasures) -> Result<()> {
    let file = erasures.files.len();
    erasures.files.push(path.to_path_buf());
    each_line(path, offset, &mut |at, line| match line {
        Some(Line::Erased {
            job,
            campaign,
            cube_ids,
            at: time,
        }) => {
            if let Some(campaign) = campaign {
                erasures.campaigns.insert(job.clone(), campaign);
            }
            let times = erasures
                .times
                .entry(job.clone())
                .or_insert_with(|| (time.clone(), time.clone()));
            if time < times.0 {
                times.0 = time.clone();
            }
            if time > times.1 {
                times.1 = time;
            }
            erasures.jobs.entry(job).or_default().extend(cube_ids);
        }
        Some(Line::Undone { undo_job, .. }) => {
            erasures.undone.insert(undo_job);
        }
        Some(Line::Redacted { job, .. }) => {
            erasures.redacted.entry(job).or_default().push((file, at));
        }
        None => erasures.unreadable += 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undone_jobs_and_torn_lines() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::of(&dir.path().join("cube.db"));
        assert_eq!(journal.path().file_name().unwrap(), "cube.db.erasures");
        let t = DateTime::UNIX_EPOCH;
        journal
            .erased("a", Some("Vår"), t, vec!["1".into(), "2".into()])
            .unwrap();
        journal.erased("b", None, t, vec!["3".into()]).unwrap();
        journal.erased("a", None, t, vec!["4".into()]).unwrap();
        journal.undone("b", t).unwrap();
        let mut file = OpenOptions::new()
            .append(true)
            .open(journal.path())
            .unwrap();
        file.write_all(b"{\"job\":\"c\",\"at\":").unwrap();
        let read = journal.read().unwrap();
        let ids: Vec<(&str, &str)> = read.cube_ids().collect();
        assert_eq!(ids, [("a", "1"), ("a", "2"), ("a", "4")]);
        assert_eq!(read.unreadable, 1);
        assert_eq!(journal.unreadable_lines().unwrap(), 1);
        // The next line does not join the torn one.
        journal.erased("d", None, t, vec!["5".into()]).unwrap();
        let read = journal.read().unwrap();
        assert_eq!(read.cube_ids().count(), 4);
        assert_eq!(read.unreadable, 1);
        assert!(read.undone.contains("b"));
        assert_eq!(read.campaigns.get("a").map(String::as_str), Some("Vår"));
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(journal.path()).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn redactions_are_read_one_job_at_a_time_from_the_journal_and_its_copies() {
        let dir = tempfile::tempdir().unwrap();
        let backup = dir.path().join("backup");
        fs::create_dir(&backup).unwrap();
        let mut journal = Journal::of(&dir.path().join("cube.db"));
        journal.add_copy(backup.join(Journal::copy_name(&dir.path().join("cube.db"))));
        let t = DateTime::UNIX_EPOCH;
        let text = |row| RedactedText {
            table: "outcomes".into(),
            column: "comment".into(),
            row,
            length: 20,
            redacted_length: 14,
            spans: vec![(0, 10)],
        };
        journal.redacted("a", t, vec![text(7), text(3)]).unwrap();
        journal.erased("a", None, t, vec!["1".into()]).unwrap();
        journal.redacted("b", t, vec![text(5)]).unwrap();
        journal.redacted("a", t, vec![text(9)]).unwrap();
        journal.undone("b", t).unwrap();
        let read = journal.read().unwrap();
        assert_eq!(read.redacting_jobs().collect::<Vec<_>>(), ["a"]);
        // Both files say the same: each text once, in order.
        let rows: Vec<i64> = read.texts_of("a").unwrap().iter().map(|t| t.row).collect();
        assert_eq!(rows, [3, 7, 9]);
        assert!(read.texts_of("b").unwrap().is_empty());
        // From an offset on: the lines after it only.
        let seen = journal.size().unwrap();
        journal.redacted("c", t, vec![text(11)]).unwrap();
        let after = journal.read_after(seen).unwrap();
        assert_eq!(after.redacting_jobs().collect::<Vec<_>>(), ["c"]);
        assert_eq!(after.texts_of("c").unwrap().len(), 1);
    }

    #[test]
    fn read_after_reads_the_lines_from_an_offset_on() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::of(&dir.path().join("cube.db"));
        let t = DateTime::UNIX_EPOCH;
        let seen = journal.erased("a", None, t, vec!["1".into()]).unwrap();
        journal.erased("b", None, t, vec!["2".into()]).unwrap();
        journal.erased("c", None, t, vec!["3".into()]).unwrap();
        journal.undone("c", t).unwrap();
        let read = journal.read_after(seen).unwrap();
        let ids: Vec<(&str, &str)> = read.cube_ids().collect();
        assert_eq!(ids, [("b", "2")]);
        assert_eq!(read.unreadable, 0);
        let all = journal.read_after(0).unwrap();
        assert_eq!(all.cube_ids().count(), 2);
        let end = journal.size().unwrap();
        assert_eq!(journal.read_after(end).unwrap().cube_ids().count(), 0);
        // Not where a line starts (a journal put in place from a copy): all.
        assert_eq!(journal.read_after(seen - 3).unwrap().cube_ids().count(), 2);
    }

    #[test]
    fn a_line_cut_short_after_the_offset_is_read_from_the_copies() {
        let dir = tempfile::tempdir().unwrap();
        let backup = dir.path().join("backup");
        fs::create_dir(&backup).unwrap();
        let mut journal = Journal::of(&dir.path().join("cube.db"));
        journal.add_copy(backup.join(Journal::copy_name(&dir.path().join("cube.db"))));
        let t = DateTime::UNIX_EPOCH;
        let seen = journal.erased("a", None, t, vec!["1".into()]).unwrap();
        // A write to the journal alone, cut short: an unreadable line after
        // what the database has seen, so the copies are read too.
        let mut file = OpenOptions::new()
            .append(true)
            .open(journal.path())
            .unwrap();
        file.write_all(b"{\"job\":\"x\",\"at\":").unwrap();
        journal.erased("b", None, t, vec!["2".into()]).unwrap();
        let read = journal.read_after(seen).unwrap();
        let ids: Vec<(&str, &str)> = read.cube_ids().collect();
        assert_eq!(ids, [("a", "1"), ("b", "2")]);
    }
}
