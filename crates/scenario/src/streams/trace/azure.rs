//! Azure Functions 2019 invocation counts (`format: azure2019`): one row per function
//! and day, `HashOwner,HashApp,HashFunction,Trigger,1,2,…,1440`, the per-minute counts.
//!
//! The file is streamed once per open; the rows of the chosen function (normally one)
//! are summed into one day of 1,440 counts, so memory stays constant whatever the size
//! of the file. Minute m's requests fall in `[(m−1)·60 s, m·60 s)`.

use super::Row;
use super::csv::{cell, count, csv_error, header, open_reader};
use crate::error::{Position, ScenarioError, shown};
use lambdasim_engine::{NANOS_PER_SEC, Nanos};
use std::path::Path;

const MINUTES: usize = 1440;

/// Each minute's width.
pub(super) const MINUTE: Nanos = 60 * NANOS_PER_SEC;

/// One function's day of per-minute counts, replayed as rows.
pub(super) struct AzureRows {
    counts: Vec<f64>,
    next: usize,
}

impl AzureRows {
    /// Reads the counts of `function` (a `HashFunction` value); it is an error, at
    /// `origin`, if no row has it.
    pub(super) fn open(
        path: &Path,
        origin: &Position,
        function: &str,
    ) -> Result<Self, ScenarioError> {
        let mut reader = open_reader(path, origin)?;
        let columns = header(&mut reader, path)?;
        let function_column = columns.iter().position(|h| h == "HashFunction");
        let minute_columns: Option<Vec<usize>> = (1..=MINUTES)
            .map(|m| columns.iter().position(|h| h == m.to_string()))
            .collect();
        let (Some(function_column), Some(minute_columns)) = (function_column, minute_columns)
        else {
            return Err(ScenarioError::new(
                Position::csv(path, 1),
                "expected the Azure Functions 2019 header `HashOwner,HashApp,HashFunction,Trigger,1,2,…,1440`",
            ));
        };
        let mut counts = vec![0.0; MINUTES];
        let mut found = false;
        let mut record = csv::StringRecord::new();
        loop {
            let line = record.position().map_or(1, |p| p.line()) + 1;
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(csv_error(path, e, line)),
            }
            if cell(&record, function_column) != Some(function) {
                continue;
            }
            found = true;
            let line = record.position().map_or(line, |p| p.line());
            for (minute, &column) in minute_columns.iter().enumerate() {
                let at = || Position::csv(path, line);
                let Some(text) = cell(&record, column) else {
                    return Err(ScenarioError::new(
                        at(),
                        format!(
                            "found {} columns, expected the 1,440 minute columns after the 4 hash columns",
                            record.len()
                        ),
                    ));
                };
                counts[minute] += count(text).ok_or_else(|| {
                    ScenarioError::new(
                        at(),
                        format!(
                            "found `{}` in minute column `{}`, expected a number of requests, 0 to 2^53",
                            shown(text),
                            minute + 1
                        ),
                    )
                })?;
            }
        }
        if !found {
            return Err(ScenarioError::new(
                origin.clone(),
                format!(
                    "found no row with HashFunction `{function}` in `{}`, expected one",
                    path.display()
                ),
            ));
        }
        Ok(Self { counts, next: 0 })
    }

    /// The next minute's row.
    pub(super) fn next_row(&mut self) -> Option<Row> {
        let requests = *self.counts.get(self.next)?;
        let row = Row {
            time: self.next as Nanos * MINUTE,
            duration: None,
            requests,
            target: 0,
        };
        self.next += 1;
        Some(row)
    }
}
