//! Input files a scenario names that are read whole when it is loaded or replayed
//! (CloudWatch metrics, observed durations), as opposed to traces streamed row by row.

use crate::error::{Position, ScenarioError};
use std::path::Path;

/// The text of `path`, checked to be a regular file of at most `max_bytes` and UTF-8.
/// `what` names the file in messages ("durations file `x`"), `expected` says what it
/// should hold; `origin` is where the scenario names it.
pub(crate) fn read_whole(
    path: &Path,
    origin: &Position,
    what: &str,
    max_bytes: u64,
    expected: &str,
) -> Result<String, ScenarioError> {
    let meta = std::fs::metadata(path).map_err(|e| ScenarioError::io(origin.clone(), what, &e))?;
    if !meta.is_file() || meta.len() > max_bytes {
        return Err(ScenarioError::new(
            origin.clone(),
            format!(
                "found {what}, which is not a regular file of at most {} MiB, expected {expected}",
                max_bytes >> 20
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| ScenarioError::io(origin.clone(), what, &e))?;
    String::from_utf8(bytes).map_err(|e| {
        ScenarioError::new(
            Position::file(path),
            format!("found bytes that are not UTF-8 ({e}), expected {expected}"),
        )
    })
}

/// A CSV file's text read whole: a reader of its rows (of any length, each cell without
/// the whitespace around it) and its header row. The error is the message for the
/// header's line when there is none to read; `expected` says what it should be.
pub(crate) fn csv_with_header<'t>(
    text: &'t str,
    expected: &str,
) -> Result<(csv::Reader<&'t [u8]>, csv::StringRecord), String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| format!("found an unreadable header ({e}), expected {expected}"))?
        .clone();
    Ok((reader, header))
}

/// The index of the column `name` of `header`, or the message saying which `what`
/// column was expected among those found.
pub(crate) fn named_column(
    header: &csv::StringRecord,
    name: &str,
    what: &str,
) -> Result<usize, String> {
    header.iter().position(|h| h == name).ok_or_else(|| {
        format!(
            "found the columns {}, expected a {what} column named `{name}`",
            column_list(header)
        )
    })
}

/// A header's columns as a message lists them: "`time`, `count`".
pub(crate) fn column_list(header: &csv::StringRecord) -> String {
    header
        .iter()
        .map(|h| format!("`{h}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
