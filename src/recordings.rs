//! Recording paths: what a stored path may be, how it is found in the
//! recordings folder, and how it leaves it; and which folder is the
//! database's own.
//!
//! A recording is referenced by a path relative to the recordings folder. The
//! rule for such a value is the same wherever one is read: no NUL and no
//! backslash, no absolute path, no `..`, at least one name; `.` parts are
//! dropped. Import and anonymization both go through [`parts`], so a path one
//! of them accepts is a path the other can act on.
//!
//! Beyond the value, the two differ on purpose. Importing a path ([`check`])
//! resolves it: the file must exist, and a link is allowed only when it stays
//! inside the folder. Deleting one ([`remove`]) never goes through a link on
//! the way and never touches anything outside the folder (DESIGN.md, promise
//! 3), because the file it finds is deleted. What it deletes is everything of
//! the recording the folder holds (promise 11): the file, the file a link
//! there leads to when that lies inside the folder too (never a folder), and
//! then every folder the deletion left empty, up to the recordings folder
//! itself, because those are often named after the person. A file with other
//! names (hard links) keeps its content under them; that is counted, since
//! the other names cannot be found.
//!
//! Which folder is the database's own: a marker file ([`MARKER`], mode 0600)
//! in the folder holds the database's id (the [`DATABASE_ID`] setting, made
//! when first needed). It is written when recordings are first imported into
//! a folder (or the demo makes them), and checked before anything is deleted
//! ([`check_folder`]): a folder run with the wrong environment (empty, missing,
//! another database's) would otherwise let a job count every recording as
//! "already gone" and forget which files were whose. A database that holds no
//! recordings is never refused. A database made before markers existed has
//! recordings but no id: the first check that finds one of its recording files
//! in the folder writes the marker (or, where the folder has one, takes its id:
//! a snapshot from before markers, restored beside the live database's folder).
//!
//! The marker also names the database file that owns the folder. A copy of
//! the database (a snapshot written beside it, opened with `--db`) has the
//! same id: while the database it names is still there with that id, the
//! copy is refused, so that an erasure in the copy cannot delete the live
//! database's recordings. A database that was moved (the file the marker
//! names is gone) takes the folder and writes its new path there.

use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use anyhow::Result;

use crate::csvio::AtomicFile;
use crate::db::Db;
use crate::Failure;

/// The marker file in a recordings folder: the id of its database.
pub const MARKER: &str = ".cube-recordings";

/// The setting that holds the database's own id, which its folder's marker names.
pub const DATABASE_ID: &str = "database_id";

/// The live database a restore in this process is rebuilding: the copy it
/// builds (at another path) is that database, not a copy of it.
static RESTORING: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Says that this process restores over the database at `live`.
pub fn restoring_over(live: &Path) {
    let live = crate::store::real_path(live);
    *RESTORING.lock().unwrap_or_else(|e| e.into_inner()) = Some(live);
}

/// The path a marker names for `db`: its own, or, for the copy a restore
/// builds, the database it restores.
fn owner_path(db: &Db) -> PathBuf {
    let restoring = RESTORING.lock().unwrap_or_else(|e| e.into_inner()).clone();
    restoring.unwrap_or_else(|| crate::store::real_path(db.path()))
}

/// True when `path` is a cube database whose id is `id`: the database a
/// copy with that id was made from. Read without changing it.
fn is_database_with_id(path: &Path, id: &str) -> bool {
    // Immutable: read without a `-wal` or `-shm` beside it, which a read-only
    // connection would leave by the other database.
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI;
    let mut uri = String::from("file:");
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => uri.push_str("%25"),
            '?' => uri.push_str("%3f"),
            '#' => uri.push_str("%23"),
            c => uri.push(c),
        }
    }
    uri.push_str("?immutable=1");
    let Ok(conn) = rusqlite::Connection::open_with_flags(uri, flags) else {
        return false;
    };
    conn.query_row(
        "SELECT value FROM settings WHERE key = ?1",
        [DATABASE_ID],
        |r| r.get::<_, String>(0),
    )
    .is_ok_and(|found| found == id)
}

/// How many recording paths of a database made before markers are tried to
/// prove a folder its own: any one of them found there does.
const PROOF_SAMPLE: u64 = 1000;

/// The names of a recording path value, `.` parts dropped; why it is refused
/// otherwise, as what the value is not.
fn parts(value: &str) -> Result<Vec<&str>, &'static str> {
    if value.contains('\0') || value.contains('\\') {
        return Err("a recording path (no NUL or backslash allowed)");
    }
    let mut parts = Vec::new();
    for component in Path::new(value).components() {
        match component {
            // A component of a `str` is valid UTF-8.
            Component::Normal(p) => parts.push(p.to_str().unwrap_or_default()),
            Component::CurDir => {}
            _ => return Err("a relative path inside the recordings folder"),
        }
    }
    if parts.is_empty() {
        return Err("a recording path");
    }
    Ok(parts)
}

/// Checks a recording path for import: relative, inside the folder, an
/// existing file, and not reached through a link that leads outside. Returns
/// it in stored form; the error says what the value is not.
pub fn check(folder: &Path, value: &str) -> Result<String, String> {
    let stored = parts(value)?.join("/");
    let root = folder.canonicalize().map_err(|_| {
        format!(
            "a recording: the recordings folder {} does not exist",
            folder.display()
        )
    })?;
    let real = folder
        .join(&stored)
        .canonicalize()
        .map_err(|_| format!("a recording: there is no such file in {}", folder.display()))?;
    if !real.starts_with(&root) {
        return Err(
            "a recording inside the recordings folder (it leads outside through a link)".into(),
        );
    }
    if !real.is_file() {
        return Err("a recording file".into());
    }
    Ok(stored)
}

/// What deleting one recording did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removal {
    /// Nothing was touched: the path breaks the rule of [`parts`], or leads
    /// through a link or to a folder.
    Refused,
    /// The recording is gone from the folder (or was already).
    Gone {
        /// The file had other names (hard links), which keep its content.
        other_names: bool,
        /// The stored path of the file a link led to, deleted with it.
        target: Option<String>,
    },
}

/// Deletes one recording by its stored path, then every folder that left
/// empty up to `folder`. A link as the recording is removed, never gone
/// through; the file it leads to goes too when it lies inside `folder`.
pub fn remove(folder: &Path, value: &str) -> io::Result<Removal> {
    let Ok(parts) = parts(value) else {
        return Ok(Removal::Refused);
    };
    let mut path = folder.to_path_buf();
    for (i, part) in parts.iter().enumerate() {
        path.push(part);
        let meta = match fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                // Gone already (a run stopped after deleting it): the
                // folders it left may still be there.
                prune(folder, &parts[..i]);
                return Ok(Removal::Gone {
                    other_names: false,
                    target: None,
                });
            }
            Err(e) => return Err(e),
        };
        let last = i + 1 == parts.len();
        if !last && !meta.is_dir() {
            // A link (or a file) where a folder should be: never go through it.
            return Ok(Removal::Refused);
        }
        if last {
            if meta.is_dir() {
                return Ok(Removal::Refused);
            }
            let mut other_names = meta.is_file() && meta.nlink() > 1;
            let target = if meta.file_type().is_symlink() {
                remove_target(folder, &path, &mut other_names)?
            } else {
                None
            };
            remove_file(&path)?;
            prune(folder, &parts[..i]);
            return Ok(Removal::Gone {
                other_names,
                target,
            });
        }
    }
    Ok(Removal::Refused)
}

/// Deletes the file the link at `link` leads to, if it lies inside `folder`
/// and is a file; returns its stored path. A link out of the folder, to a
/// folder, or to nothing is left as it is.
fn remove_target(folder: &Path, link: &Path, other_names: &mut bool) -> io::Result<Option<String>> {
    let (Ok(root), Ok(real)) = (folder.canonicalize(), link.canonicalize()) else {
        return Ok(None);
    };
    let Ok(relative) = real.strip_prefix(&root) else {
        return Ok(None);
    };
    // The canonical path has no link left in it.
    let meta = fs::symlink_metadata(&real)?;
    if !meta.is_file() {
        return Ok(None);
    }
    let names: Vec<&str> = relative
        .components()
        .filter_map(|c| c.as_os_str().to_str())
        .collect();
    *other_names |= meta.nlink() > 1;
    remove_file(&real)?;
    prune(&root, &names[..names.len().saturating_sub(1)]);
    Ok(Some(names.join("/")))
}

fn remove_file(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Removes the folders `folder/dirs[0]/dirs[1]/...` that are empty, deepest
/// first, up to but not including `folder`. A folder that is not empty (or
/// cannot be removed) ends it: `cube doctor` reports empty folders left.
/// Removing a folder never follows a link.
fn prune(folder: &Path, dirs: &[&str]) {
    for depth in (1..=dirs.len()).rev() {
        let dir: PathBuf = dirs[..depth]
            .iter()
            .fold(folder.to_path_buf(), |p, d| p.join(d));
        clear_litter(&dir);
        if fs::remove_dir(&dir).is_err() {
            return;
        }
    }
}

/// Files that file managers leave in the folders they show (Finder's
/// `.DS_Store` and `._` files, Windows' `Thumbs.db` and `desktop.ini`,
/// KDE's `.directory`): a folder holding only these is empty to the people
/// who use it, and its name (often the person's) must go with it.
fn is_litter(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    [".DS_Store", "Thumbs.db", "desktop.ini", ".directory"].contains(&name.as_ref())
        || name.starts_with("._")
}

/// Removes the litter of `dir` when that is all it holds (plain files, never
/// a link), so that the folder can go.
fn clear_litter(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let entries: Vec<fs::DirEntry> = entries.flatten().collect();
    let only_litter = entries
        .iter()
        .all(|e| is_litter(&e.file_name()) && e.file_type().is_ok_and(|t| t.is_file()));
    if only_litter {
        for entry in entries {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether a recording file has other names (hard links) than its own.
pub fn has_other_names(folder: &Path, value: &str) -> bool {
    let Ok(parts) = parts(value) else {
        return false;
    };
    let path = parts.iter().fold(folder.to_path_buf(), |p, d| p.join(d));
    fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.nlink() > 1)
}

/// What makes a folder the database's own: what to write, if anything.
#[derive(Debug, Default)]
#[must_use = "a claim does nothing until it is written"]
pub struct Claim {
    /// The id the marker is to name, where it does not yet.
    marker: Option<String>,
    /// The id the database is to keep, where it has none.
    keep: Option<String>,
}

impl Claim {
    /// Writes the marker, then the id into the database, under the
    /// database's write lock so that two first uses agree on one id (the
    /// second finds the first's). Stopped between the two, the folder has a
    /// marker that a database without an id takes.
    pub fn write(self, db: &Db, folder: &Path) -> Result<()> {
        let Some(wanted) = self.keep.clone().or_else(|| self.marker.clone()) else {
            return Ok(());
        };
        let tx = db.begin()?;
        let stored = tx.setting(DATABASE_ID)?;
        let id = stored.clone().unwrap_or(wanted);
        if self.marker.is_some() {
            write_marker(folder, &id, &owner_path(db))?;
        }
        if stored.is_none() {
            tx.set_setting(DATABASE_ID, &id)?;
        }
        tx.commit()
    }
}

/// Before anything is deleted from `folder`: refuses (exit 1) unless it is
/// the database's recordings folder or the database holds no recordings, and
/// writes the marker of a database made before markers once the folder
/// proves to hold its recordings.
pub fn check_folder(db: &Db, folder: &Path) -> Result<()> {
    match judge(db, folder, false)? {
        Ok(claim) => claim.write(db, folder),
        Err(why) => Err(refusal(why)),
    }
}

/// Before recordings are imported from `folder` (or made there): what makes
/// it the database's own, to [`Claim::write`] once they are stored. Refuses a
/// folder that is another database's, or that holds none of the recordings
/// this one has. Only reads, so it may run inside a transaction.
pub fn claim(db: &Db, folder: &Path) -> Result<Claim> {
    judge(db, folder, true)?.map_err(refusal)
}

/// For `cube doctor`: why `folder` is not the database's, where it is not
/// and the database holds recordings. Writes nothing.
pub fn folder_problem(db: &Db, folder: &Path) -> Result<Option<String>> {
    Ok(judge(db, folder, false)?.err())
}

/// The database's id, as its folder's marker must name it.
pub fn database_id(db: &Db) -> Result<Option<String>> {
    db.setting(DATABASE_ID)
}

/// Whether `folder` is the database's, or may become it (`importing`): what
/// to write to make it so, or why it is not.
fn judge(db: &Db, folder: &Path, importing: bool) -> Result<Result<Claim, String>> {
    let id = db.setting(DATABASE_ID)?;
    let (marker, owner) = match read_marker(folder)? {
        Some((marker, owner)) => (Some(marker), owner),
        None => (None, None),
    };
    if let Some(id) = id.as_ref().filter(|id| marker.as_ref() == Some(*id)) {
        let ours = owner_path(db);
        return Ok(match owner {
            Some(owner) if owner == ours => Ok(Claim::default()),
            Some(owner) if is_database_with_id(&owner, id) => {
                if !importing && !db.holds_recordings()? {
                    return Ok(Ok(Claim::default()));
                }
                Err(format!(
                    "{} is the recordings folder of {}, of which this database is a copy (they have the same id): a copy must not touch the recordings of the database it was copied from; give the copy a recordings folder of its own with --recordings-dir, or work in {}",
                    folder.display(),
                    owner.display(),
                    owner.display()
                ))
            }
            // Moved, or a marker from before markers named the database:
            // it names this path from now on.
            _ => Ok(Claim {
                marker: Some(id.clone()),
                keep: None,
            }),
        });
    }
    let held = db.holds_recordings()?;
    if !held && !importing {
        // Nothing to delete, so nothing to delete wrongly.
        return Ok(Ok(Claim::default()));
    }
    let not_own = |why: &str| {
        Err(if folder.is_dir() {
            format!(
                "{} is not this database's recordings folder: {why}",
                folder.display()
            )
        } else {
            format!("the recordings folder {} does not exist", folder.display())
        })
    };
    let new_id = || uuid::Uuid::new_v4().to_string();
    Ok(match (id, marker) {
        (Some(_), Some(_)) => {
            not_own("it belongs to another cube database (its marker names another)")
        }
        (Some(id), None) if !held => Ok(Claim {
            marker: Some(id),
            keep: None,
        }),
        (Some(_), None) => not_own(&format!("it has no {MARKER} marker naming the database")),
        (None, Some(other)) if held && proves(db, folder)? => Ok(Claim {
            marker: None,
            keep: Some(other),
        }),
        (None, Some(_)) => {
            not_own("it belongs to another cube database (its marker names another)")
        }
        (None, None) if !held || proves(db, folder)? => {
            let id = new_id();
            Ok(Claim {
                marker: Some(id.clone()),
                keep: Some(id),
            })
        }
        (None, None) => {
            not_own("it has no marker and holds none of the database's recording files")
        }
    })
}

/// Whether `folder` holds any of the first recordings the database knows.
fn proves(db: &Db, folder: &Path) -> Result<bool> {
    Ok(db
        .recording_sample(PROOF_SAMPLE)?
        .iter()
        .any(|path| check(folder, path).is_ok()))
}

/// The error that refuses a folder: exit 1, nothing changed.
fn refusal(why: String) -> anyhow::Error {
    Failure::failed(format!("{why}; nothing was changed"))
        .hint(format!(
            "name the database's recordings folder with --recordings-dir or CUBE_RECORDINGS_DIR \
             (an unfinished job resumes with `cube jobs resume --recordings-dir DIR`); if this is \
             the folder and its marker was lost, write the database id `cube doctor` shows into \
             its {MARKER}"
        ))
        .into()
}

/// The id the folder's marker names, and the database file it names (on its
/// second line, when it has one); None when there is no marker (or no
/// folder). A marker that is not a plain file is none: it is never followed.
fn read_marker(folder: &Path) -> Result<Option<(String, Option<PathBuf>)>> {
    let path = folder.join(MARKER);
    match fs::symlink_metadata(&path) {
        Ok(meta) if meta.is_file() => {}
        Ok(_) => return Ok(None),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => return Ok(None),
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!("cannot read {}", path.display())))
        }
    }
    let mut text = String::new();
    fs::File::open(&path)
        .and_then(|f| f.take(8192).read_to_string(&mut text))
        .map_err(|e| anyhow::Error::new(e).context(format!("cannot read {}", path.display())))?;
    let mut lines = text.lines();
    let id = lines.next().unwrap_or_default().trim().to_string();
    let owner = lines
        .next()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(PathBuf::from);
    Ok(Some((id, owner)))
}

/// Writes the marker (mode 0600): the database's id, and the database file
/// it belongs to; making the folder (0700) if there is none.
fn write_marker(folder: &Path, id: &str, owner: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if !folder.is_dir() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(folder)
            .map_err(|e| {
                anyhow::Error::new(e).context(format!("cannot create {}", folder.display()))
            })?;
    }
    let mut file = AtomicFile::create(&folder.join(MARKER), "marker")?;
    file.file()
        .write_all(format!("{id}\n{}\n", owner.display()).as_bytes())?;
    file.commit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn a_value_is_a_plain_relative_path() {
        assert_eq!(parts("2026/./a.wav"), Ok(vec!["2026", "a.wav"]));
        assert_eq!(parts("./a.wav"), Ok(vec!["a.wav"]));
        assert_eq!(parts("2026//a.wav/"), Ok(vec!["2026", "a.wav"]));
        for bad in ["/etc/passwd", "../a.wav", "2026/../a.wav"] {
            assert_eq!(
                parts(bad),
                Err("a relative path inside the recordings folder"),
                "{bad}"
            );
        }
        for bad in ["2026\\a.wav", "a\0.wav"] {
            assert_eq!(
                parts(bad),
                Err("a recording path (no NUL or backslash allowed)"),
                "{bad:?}"
            );
        }
        assert_eq!(parts(""), Err("a recording path"));
        assert_eq!(parts("."), Err("a recording path"));
    }

    #[test]
    fn an_imported_path_stays_inside_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("rec");
        fs::create_dir_all(folder.join("2026")).unwrap();
        fs::write(folder.join("2026/a.wav"), "x").unwrap();
        fs::write(dir.path().join("secret.wav"), "x").unwrap();
        symlink(dir.path().join("secret.wav"), folder.join("out.wav")).unwrap();
        symlink(folder.join("2026/a.wav"), folder.join("in.wav")).unwrap();

        assert_eq!(check(&folder, "./2026/a.wav"), Ok("2026/a.wav".into()));
        assert_eq!(check(&folder, "in.wav"), Ok("in.wav".into()));
        assert!(check(&folder, "out.wav").unwrap_err().contains("a link"));
        assert!(check(&folder, "2026/b.wav")
            .unwrap_err()
            .contains("no such file"));
        assert_eq!(check(&folder, "2026"), Err("a recording file".into()));
        assert!(check(&dir.path().join("none"), "a.wav")
            .unwrap_err()
            .contains("does not exist"));
    }

    const GONE: Removal = Removal::Gone {
        other_names: false,
        target: None,
    };

    #[test]
    fn recordings_are_removed_without_following_links() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("rec");
        fs::create_dir_all(folder.join("2026")).unwrap();
        let outside = dir.path().join("outside");
        fs::create_dir_all(&outside).unwrap();
        fs::write(outside.join("canary.wav"), "x").unwrap();
        fs::write(folder.join("2026/a.wav"), "x").unwrap();
        fs::write(folder.join("2026/b.wav"), "x").unwrap();
        symlink(&outside, folder.join("escape")).unwrap();
        symlink(outside.join("canary.wav"), folder.join("link.wav")).unwrap();

        assert_eq!(remove(&folder, "2026/a.wav").unwrap(), GONE);
        assert!(!folder.join("2026/a.wav").exists());
        assert_eq!(
            remove(&folder, "2026/a.wav").unwrap(),
            GONE,
            "already gone is done"
        );
        assert_eq!(
            remove(&folder, "escape/canary.wav").unwrap(),
            Removal::Refused
        );
        assert_eq!(
            remove(&folder, "../outside/canary.wav").unwrap(),
            Removal::Refused
        );
        assert_eq!(remove(&folder, "/etc/passwd").unwrap(), Removal::Refused);
        assert_eq!(remove(&folder, "2026").unwrap(), Removal::Refused);
        assert_eq!(remove(&folder, "link.wav").unwrap(), GONE);
        assert!(
            fs::symlink_metadata(folder.join("link.wav")).is_err(),
            "the link itself goes"
        );
        assert!(
            outside.join("canary.wav").exists(),
            "what it pointed at, outside, stays"
        );
    }

    #[test]
    fn a_link_takes_its_target_inside_the_folder_along() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("rec");
        fs::create_dir_all(folder.join("arkiv/Åse Lie")).unwrap();
        fs::create_dir_all(folder.join("2026")).unwrap();
        fs::write(folder.join("arkiv/Åse Lie/samtale.wav"), "x").unwrap();
        symlink("../arkiv/Åse Lie/samtale.wav", folder.join("2026/call.wav")).unwrap();
        symlink(folder.join("arkiv"), folder.join("2026/folder-link")).unwrap();

        assert_eq!(
            remove(&folder, "2026/call.wav").unwrap(),
            Removal::Gone {
                other_names: false,
                target: Some("arkiv/Åse Lie/samtale.wav".into()),
            }
        );
        assert!(!folder.join("arkiv").exists(), "emptied folders go");
        // A link to a folder is removed itself; the folder is never deleted.
        fs::create_dir_all(folder.join("arkiv")).unwrap();
        assert_eq!(remove(&folder, "2026/folder-link").unwrap(), GONE);
        assert!(folder.join("arkiv").is_dir());
    }

    #[test]
    fn emptied_folders_go_up_to_the_recordings_folder() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("rec");
        let person = folder.join("2026/Kåre Ødegård 99887766");
        fs::create_dir_all(&person).unwrap();
        fs::write(person.join("a.wav"), "x").unwrap();
        fs::write(person.join("b.wav"), "x").unwrap();
        fs::write(folder.join("2026/other.wav"), "x").unwrap();

        remove(&folder, "2026/Kåre Ødegård 99887766/a.wav").unwrap();
        assert!(person.is_dir(), "not empty yet");
        remove(&folder, "2026/Kåre Ødegård 99887766/b.wav").unwrap();
        assert!(!person.exists());
        assert!(folder.join("2026").is_dir(), "still holds other.wav");
        remove(&folder, "2026/other.wav").unwrap();
        assert!(!folder.join("2026").exists());
        assert!(folder.is_dir(), "the recordings folder itself stays");
    }

    #[test]
    fn a_file_with_other_names_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("rec");
        fs::create_dir_all(&folder).unwrap();
        fs::write(folder.join("a.wav"), "x").unwrap();
        fs::hard_link(folder.join("a.wav"), dir.path().join("copy.wav")).unwrap();
        assert!(has_other_names(&folder, "a.wav"));
        assert_eq!(
            remove(&folder, "a.wav").unwrap(),
            Removal::Gone {
                other_names: true,
                target: None,
            }
        );
        assert!(!has_other_names(&folder, "a.wav"));
    }
}
