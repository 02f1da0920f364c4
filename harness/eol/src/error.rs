//! One error type for the station: always one line an operator can act on, naming the file,
//! the unit or the key concerned.

use std::fmt;

/// Why the station cannot do what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EolError {
    /// The `[eol]` section of the rig file or a command-line option is wrong.
    Config(String),
    /// Another program holds the database (another station, a quality tool with it open).
    Locked(String),
    /// The database file is damaged or is not a station database.
    Corrupt(String),
    /// The unit may not be tested now (already passed without `--retest`, product mismatch).
    Refused(String),
    /// Any other database or file error.
    Storage(String),
}

impl EolError {
    /// The exit status a run ends with for this error: all are "nothing ran" (2).
    pub fn exit_status(&self) -> u8 {
        2
    }
}

impl fmt::Display for EolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            EolError::Config(m)
            | EolError::Locked(m)
            | EolError::Corrupt(m)
            | EolError::Refused(m)
            | EolError::Storage(m) => m,
        };
        // Messages come partly from SQLite and the file system: keep them on one line.
        let one_line: Vec<&str> = text.split_whitespace().collect();
        f.write_str(&one_line.join(" "))
    }
}

impl std::error::Error for EolError {}
