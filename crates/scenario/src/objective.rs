//! `objective:`: what a scenario's configurations are chosen by. `cost` asks for the
//! cheapest configuration that meets `slo:`, as `lambdasim plan` does; it needs
//! objectives to meet and at least two configurations to choose between.

use crate::error::{Position, ScenarioError, shown};
use crate::raw::RawScenario;
use serde_saphyr::Location;
use std::path::Path;

/// The values `objective:` takes.
const OBJECTIVES: &[&str] = &["cost"];

/// Where `objective: cost` was written, if it was; any other value is an error at it.
pub(crate) fn read(raw: &RawScenario, file: &Path) -> Result<Option<Location>, ScenarioError> {
    let Some(objective) = &raw.objective else {
        return Ok(None);
    };
    if !OBJECTIVES.contains(&objective.value.as_str()) {
        return Err(ScenarioError::yaml(
            file,
            objective.referenced,
            format!(
                "found objective `{}`, expected one of {} (the cheapest configuration that meets `slo:`)",
                shown(&objective.value),
                OBJECTIVES.join(", ")
            ),
        ));
    }
    Ok(Some(objective.referenced))
}

/// Refuses to plan a scenario without objectives or with fewer than two
/// configurations: at `objective:` when the file asks for a plan, otherwise at the file
/// (for `lambdasim plan`).
pub(crate) fn check_plannable(
    file: &Path,
    at: Option<Location>,
    objectives: usize,
    configurations: usize,
) -> Result<(), ScenarioError> {
    let error = |message: String| match at {
        Some(at) => ScenarioError::yaml(file, at, message),
        None => ScenarioError::new(Position::file(file), message),
    };
    if objectives == 0 {
        return Err(error(
            "found no `slo:`, expected objectives to plan by: the plan is the cheapest \
             configuration that meets them"
                .to_string(),
        ));
    }
    if configurations < 2 {
        return Err(error(format!(
            "found {configurations} configuration to plan over, expected at least two to choose \
             between (a `sweep:`, `variants:` or `--set KEY=A,B`)"
        )));
    }
    Ok(())
}
