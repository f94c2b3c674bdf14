//! Writing what users keep: atomically, so a crash never leaves half a file.

use std::io::{self, Write};
use std::path::Path;

/// The folder a file (or a `--csv` prefix) goes in: its parent, or `.` for a bare name.
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so
/// readers see either the old file or the whole new one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_as(path, bytes, ".perfreport-")
}

/// [`write_atomic`] with the temporary file's name starting with `tmp_prefix` (the archive's
/// own, so that its clean-up finds what a killed process left).
pub fn write_atomic_as(path: &Path, bytes: &[u8], tmp_prefix: &str) -> io::Result<()> {
    let dir = parent_dir(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(tmp_prefix)
        .tempfile_in(dir)
        .map_err(|e| without_temporary_name(e, dir))?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    make_readable(tmp.as_file())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The error of creating the temporary file, naming the folder the user chose rather than a
/// temporary file they never asked for (`tempfile` appends "at path" and the temporary name).
fn without_temporary_name(e: io::Error, dir: &Path) -> io::Error {
    let text = e.to_string();
    let cause = text.split(" at path ").next().unwrap_or(&text);
    io::Error::new(
        e.kind(),
        format!("cannot create a file in {}: {cause}", dir.display()),
    )
}

/// Temporary files are created private (0600); what users keep and share is readable by
/// others, as a file written the ordinary way would be (0644).
#[cfg(unix)]
fn make_readable(file: &std::fs::File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn make_readable(_file: &std::fs::File) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_folder_is_named_not_the_temporary_file() {
        let err = write_atomic(Path::new("/nonexistent-perfreport/out.md"), b"x").unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot create a file in /nonexistent-perfreport: No such file or directory (os error 2)"
        );
    }

    #[test]
    fn replaces_whole_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.md");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "second");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o644);
        }
    }
}
