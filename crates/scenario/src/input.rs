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
