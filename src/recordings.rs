//! Recording paths: what a stored path may be, and how it is found in the
//! recordings folder.
//!
//! A recording is referenced by a path relative to the recordings folder. The
//! rule for such a value is the same wherever one is read: no NUL and no
//! backslash, no absolute path, no `..`, at least one name; `.` parts are
//! dropped. Import and anonymization both go through [`parts`], so a path one
//! of them accepts is a path the other can act on.
//!
//! Beyond the value, the two differ on purpose. Importing a path ([`check`])
//! resolves it: the file must exist, and a link is allowed only when it stays
//! inside the folder. Deleting one ([`remove`]) never follows a link at all and
//! never touches anything outside the folder (DESIGN.md, promise 3), because
//! the file it finds is deleted.

use std::fs;
use std::io;
use std::path::{Component, Path};

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

/// Deletes one recording file by its stored path. Ok(true) when it is gone
/// (or was already); Ok(false) when the path is not safe to touch: it breaks
/// the rule of [`parts`], or a folder on the way is a link. A link as the file
/// itself is removed, never followed.
pub fn remove(folder: &Path, value: &str) -> io::Result<bool> {
    let Ok(parts) = parts(value) else {
        return Ok(false);
    };
    let mut path = folder.to_path_buf();
    for (i, part) in parts.iter().enumerate() {
        path.push(part);
        let meta = match fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(true),
            Err(e) => return Err(e),
        };
        let last = i + 1 == parts.len();
        if !last && !meta.is_dir() {
            // A link (or a file) where a folder should be: never go through it.
            return Ok(false);
        }
        if last {
            if meta.is_dir() {
                return Ok(false);
            }
            return match fs::remove_file(&path) {
                Ok(()) => Ok(true),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(true),
                Err(e) => Err(e),
            };
        }
    }
    Ok(true)
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

    #[test]
    fn recordings_are_removed_without_following_links() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("rec");
        fs::create_dir_all(folder.join("2026")).unwrap();
        let outside = dir.path().join("outside");
        fs::create_dir_all(&outside).unwrap();
        fs::write(outside.join("canary.wav"), "x").unwrap();
        fs::write(folder.join("2026/a.wav"), "x").unwrap();
        symlink(&outside, folder.join("escape")).unwrap();
        symlink(outside.join("canary.wav"), folder.join("link.wav")).unwrap();

        assert!(remove(&folder, "2026/a.wav").unwrap());
        assert!(!folder.join("2026/a.wav").exists());
        assert!(
            remove(&folder, "2026/a.wav").unwrap(),
            "already gone is done"
        );
        assert!(!remove(&folder, "escape/canary.wav").unwrap());
        assert!(!remove(&folder, "../outside/canary.wav").unwrap());
        assert!(!remove(&folder, "/etc/passwd").unwrap());
        assert!(remove(&folder, "link.wav").unwrap());
        assert!(
            fs::symlink_metadata(folder.join("link.wav")).is_err(),
            "the link itself goes"
        );
        assert!(
            outside.join("canary.wav").exists(),
            "what it pointed at stays"
        );
    }
}
