//! The one error type of the crate: an I/O or encoding failure naming the file.

use std::fmt;
use std::path::{Path, PathBuf};

/// A report file could not be written; says which file and why.
#[derive(Debug)]
pub struct ReportError {
    path: PathBuf,
    what: String,
}

impl ReportError {
    pub(crate) fn new(path: &Path, what: impl fmt::Display) -> ReportError {
        ReportError {
            path: path.to_path_buf(),
            what: what.to_string(),
        }
    }

    /// The file or folder that could not be written.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl fmt::Display for ReportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "report: {}: {}", self.path.display(), self.what)
    }
}

impl std::error::Error for ReportError {}
