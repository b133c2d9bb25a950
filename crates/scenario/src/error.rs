//! Errors about a scenario or one of its trace files, each naming the file and the line
//! (and, for YAML, the column) so the user can go straight to the problem.

use serde_saphyr::Location;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// `text` as a message quotes it: control characters escaped and at most 60
/// characters, so that a huge or binary value read from a file cannot flood the
/// terminal.
pub(crate) fn shown(text: &str) -> String {
    const MAX: usize = 60;
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A YAML library message in the user's terms: what was expected, in the words of the
/// scenario format rather than of Rust types or parser options. Messages it does not
/// know pass unchanged.
pub(crate) fn plain_yaml_message(message: &str) -> String {
    let whole = |bits: &str| match bits {
        "u8" | "u16" | "u32" => Some("a whole number from 0 to 4294967295"),
        "u64" | "usize" => Some("a whole number, 0 or more"),
        "i32" | "i64" => Some("a whole number"),
        _ => None,
    };
    if let Some(expected) = message.strip_prefix("invalid ").and_then(whole) {
        return format!("expected {expected}");
    }
    if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest);
        return format!(
            "found the key `{}` twice, expected each key once",
            shown(key)
        );
    }
    if let Some(rest) = message.strip_prefix("non-finite float ") {
        let value = rest.split(' ').next().unwrap_or(rest);
        return format!("found {value}, expected a finite number");
    }
    if message.starts_with("invalid floating point") {
        return "expected a plain number (such as 100 or 2.5, no unit: rates are per second, sizes in MB)".into();
    }
    if message.starts_with("cannot deserialize null") {
        return "found an empty value (null), expected a value".into();
    }
    if message.starts_with("budget breached") {
        return "found a document too large or too deeply nested to be a scenario (more than 4,000,000 values, or anchors and aliases that multiply)".into();
    }
    let known = [
        (
            "multiple YAML documents",
            "found a second YAML document (`---`), expected one scenario per file",
        ),
        (
            "recursive references",
            "found an alias that refers to itself, expected a value without cycles",
        ),
        (
            "expected mapping start",
            "expected a map of `key: value` entries here",
        ),
        (
            "expected mapping end",
            "expected the map to end here (one key too many?)",
        ),
        (
            "expected sequence start",
            "expected a list here (`[a, b]` or lines starting with `- `)",
        ),
        ("expected string scalar", "expected a text value here"),
        (
            "invalid type: map, expected enum",
            "found a map, expected one of the forms docs/scenarios.md gives for this key",
        ),
    ];
    for (prefix, plain) in known {
        if message.starts_with(prefix) {
            return plain.into();
        }
    }
    message.to_string()
}

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

/// Something in a scenario that runs but may not mean what its author thinks, and where
/// it is. Displays as `{file}:{line}:{col}: warning: {message}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    position: Position,
    message: String,
}

impl Warning {
    pub(crate) fn new(position: Position, message: impl Into<String>) -> Self {
        Self {
            position,
            message: message.into(),
        }
    }

    /// What the warning says, without its position.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The line it points at, when it has one.
    pub fn line(&self) -> Option<u64> {
        self.position.line
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: warning: {}", self.position, self.message)
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
        // A file the user named that cannot be read is their input's problem
        // (missing, a directory, a symlink loop, a name too long, a special file
        // that refuses reads); only the machine running short is not.
        let input = !matches!(
            err.kind(),
            K::OutOfMemory | K::Interrupted | K::StorageFull | K::ResourceBusy
        );
        Self {
            position,
            message: format!("cannot read {what}: {err}"),
            input,
        }
    }

    /// The same error with `prefix` before its message (`in --set …: `).
    pub(crate) fn with_prefix(mut self, prefix: &str) -> Self {
        self.message.insert_str(0, prefix);
        self
    }

    /// The same error with `suffix` after its message (` (sweep point …)`).
    pub(crate) fn with_suffix(mut self, suffix: &str) -> Self {
        self.message.push_str(suffix);
        self
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
        let broken = io::Error::from(io::ErrorKind::OutOfMemory);
        let file = Position::file(Path::new("x"));
        assert!(ScenarioError::io(file.clone(), "x", &missing).is_input_error());
        assert!(!ScenarioError::io(file, "x", &broken).is_input_error());
    }
}
