//! Writes that a killed process can't leave half done.

use crate::ReportError;
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a
/// reader (or a run killed mid-write) sees either the old file or the new one, never a torn one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let tmp = temp_sibling(path);
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.flush()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        ReportError::new(path, e)
    })
}

/// Points the symlink `link` at `target` (a path relative to the link's folder), replacing an
/// existing link atomically: the new link is made under a temporary name and renamed over it.
#[cfg(unix)]
pub fn replace_symlink(target: &Path, link: &Path) -> Result<(), ReportError> {
    if let Ok(meta) = std::fs::symlink_metadata(link) {
        if !meta.file_type().is_symlink() {
            return Err(ReportError::new(
                link,
                "exists and is not a symlink; move it away so the latest run can be linked",
            ));
        }
    }
    let tmp = temp_sibling(link);
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp).map_err(|e| ReportError::new(&tmp, e))?;
    std::fs::rename(&tmp, link).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        ReportError::new(link, e)
    })
}

/// Without symlinks, `latest` is a small text file holding the run id.
#[cfg(not(unix))]
pub fn replace_symlink(target: &Path, link: &Path) -> Result<(), ReportError> {
    write_atomic(link, target.to_string_lossy().as_bytes())
}

fn temp_sibling(path: &Path) -> std::path::PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_content_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.json");
        write_atomic(&file, b"one").unwrap();
        write_atomic(&file, b"two").unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_is_replaced_and_a_real_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("latest");
        replace_symlink(Path::new("run-1"), &link).unwrap();
        replace_symlink(Path::new("run-2"), &link).unwrap();
        assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("run-2"));
        let folder = dir.path().join("folder");
        std::fs::create_dir(&folder).unwrap();
        let err = replace_symlink(Path::new("run-3"), &folder).unwrap_err();
        assert!(err.to_string().contains("not a symlink"), "{err}");
    }
}
