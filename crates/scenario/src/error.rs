//! Errors about a scenario or one of its trace files, each naming the file and the line
//! (and, for YAML, the column) so the user can go straight to the problem.

use serde_saphyr::Location;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// A scenario or trace that cannot be used, and where the problem is.
///
/// Displays as `{file}:{line}:{col}: {message}` for YAML, `{file}:{line}: {message}` for
/// CSV, and `{file}: {message}` when there is no line (a file that cannot be read).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{position}: {message}")]
pub struct ScenarioError {
    position: Position,
    message: String,
    input: bool,
}

/// Where a problem is: a file, and a line and column in it when known (1-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Position {
    file: PathBuf,
    line: Option<u64>,
    column: Option<u64>,
}

impl Position {
    /// A YAML position; serde-saphyr's unknown location (line 0) becomes "no line".
    pub(crate) fn yaml(file: &Path, location: Location) -> Self {
        if location.line() == 0 {
            Self::file(file)
        } else {
            Self::at(file, location.line(), location.column())
        }
    }

    /// A line and column of a YAML file.
    pub(crate) fn at(file: &Path, line: u64, column: u64) -> Self {
        Self {
            file: file.to_path_buf(),
            line: Some(line),
            column: Some(column),
        }
    }

    /// A line of a CSV file (the header is line 1).
    pub(crate) fn csv(file: &Path, line: u64) -> Self {
        Self {
            file: file.to_path_buf(),
            line: Some(line),
            column: None,
        }
    }

    /// A whole file.
    pub(crate) fn file(file: &Path) -> Self {
        Self {
            file: file.to_path_buf(),
            line: None,
            column: None,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

impl ScenarioError {
    /// Invalid input at `position`; `message` says what was found and what was expected.
    pub(crate) fn new(position: Position, message: impl Into<String>) -> Self {
        Self {
            position,
            message: message.into(),
            input: true,
        }
    }

    /// Invalid input at a YAML location.
    pub(crate) fn yaml(file: &Path, location: Location, message: impl Into<String>) -> Self {
        Self::new(Position::yaml(file, location), message)
    }

    /// Reading a file failed. A missing, forbidden or undecodable file is the user's
    /// input to fix (exit 2); anything else (a disk failure, say) is not.
    pub(crate) fn io(position: Position, what: &str, err: &io::Error) -> Self {
        use io::ErrorKind as K;
        let input = matches!(
            err.kind(),
            K::NotFound
                | K::PermissionDenied
                | K::IsADirectory
                | K::NotADirectory
                | K::InvalidData
                | K::InvalidInput
                | K::UnexpectedEof
        );
        Self {
            position,
            message: format!("cannot read {what}: {err}"),
            input,
        }
    }

    /// The file the problem is in.
    pub fn file(&self) -> &Path {
        &self.position.file
    }

    /// The 1-based line of the problem, when known.
    pub fn line(&self) -> Option<u64> {
        self.position.line
    }

    /// The 1-based column of the problem, when known (YAML only).
    pub fn column(&self) -> Option<u64> {
        self.position.column
    }

    /// What is wrong, without the position.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether the user's input is at fault (the CLI exits with status 2), rather than
    /// the machine (status 1).
    pub fn is_input_error(&self) -> bool {
        self.input
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_has_file_line_and_column_when_known() {
        let file = Path::new("s.yaml");
        let yaml = ScenarioError::new(Position::at(file, 3, 7), "bad");
        assert_eq!(yaml.to_string(), "s.yaml:3:7: bad");
        assert_eq!(
            ScenarioError::new(Position::csv(Path::new("t.csv"), 9), "bad").to_string(),
            "t.csv:9: bad"
        );
        assert_eq!(
            ScenarioError::new(Position::file(file), "bad").to_string(),
            "s.yaml: bad"
        );
    }

    #[test]
    fn only_machine_failures_are_not_input_errors() {
        let missing = io::Error::from(io::ErrorKind::NotFound);
        let broken = io::Error::other("disk on fire");
        let file = Position::file(Path::new("x"));
        assert!(ScenarioError::io(file.clone(), "x", &missing).is_input_error());
        assert!(!ScenarioError::io(file, "x", &broken).is_input_error());
    }
}
