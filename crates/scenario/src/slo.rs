//! `slo:`: the objectives every configuration of a scenario is judged by, checked
//! against the scenario's functions and the metrics the model defines
//! ([`lambdasim_model::SLO_METRICS`]), each error at the line that wrote it.

use crate::Variant;
use crate::error::{ScenarioError, shown};
use crate::raw::{Entries, RawScenario};
use lambdasim_model::{
    FrontDoor, InvocationType, MetricOf, Objective, SLO_METRICS, SloMetric, SloScope,
};
use serde_json::Value;
use serde_saphyr::{Location, Spanned};
use std::collections::HashSet;
use std::path::Path;

/// An objective and where its metric was written.
pub(crate) type Written = (Objective, Location);

/// The scenario's objectives: the account's, then each function's, in file order.
/// Empty without `slo:`.
pub(crate) fn objectives(raw: &RawScenario, file: &Path) -> Result<Vec<Written>, ScenarioError> {
    let Some(slo) = &raw.slo else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    if let Some(account) = &slo.value.account {
        read(&account.value, &SloScope::Account, file, &mut out)?;
    }
    let known: Vec<&str> = raw
        .functions
        .value
        .iter()
        .map(|f| f.value.name.value.as_str())
        .collect();
    let mut seen = HashSet::new();
    for (name, objectives) in slo.value.functions.iter().flat_map(|f| &f.value.0) {
        if !known.contains(&name.value.as_str()) {
            return Err(ScenarioError::yaml(
                file,
                name.referenced,
                format!(
                    "found unknown function `{}` in `slo:`, expected one of {}",
                    shown(&name.value),
                    known.join(", ")
                ),
            ));
        }
        if !seen.insert(name.value.as_str()) {
            return Err(ScenarioError::yaml(
                file,
                name.referenced,
                format!(
                    "found `{}` twice in `slo.functions`, expected each function once",
                    shown(&name.value)
                ),
            ));
        }
        let scope = SloScope::Function(name.value.clone());
        read(&objectives.value, &scope, file, &mut out)?;
    }
    if out.is_empty() {
        return Err(ScenarioError::yaml(
            file,
            slo.referenced,
            "found no objectives, expected `account:` or `functions:` with thresholds, \
             like `throttled_pct: \"< 0.1\"`",
        ));
    }
    Ok(out)
}

/// Reads the objectives of one scope into `out`.
fn read(
    entries: &Entries<Value>,
    scope: &SloScope,
    file: &Path,
    out: &mut Vec<Written>,
) -> Result<(), ScenarioError> {
    let mut seen = HashSet::new();
    for (name, threshold) in &entries.0 {
        let metric = metric(name, scope, file)?;
        if !seen.insert(metric.name()) {
            return Err(ScenarioError::yaml(
                file,
                name.referenced,
                format!(
                    "found `{}` twice for {scope}, expected each metric once",
                    metric.name()
                ),
            ));
        }
        let (comparison, value) = parse(threshold, file)?;
        let objective = Objective {
            scope: scope.clone(),
            metric,
            comparison,
            threshold: value,
        };
        out.push((objective, name.referenced));
    }
    Ok(())
}

/// The metric `name` names, if `scope` has it.
fn metric(
    name: &Spanned<String>,
    scope: &SloScope,
    file: &Path,
) -> Result<SloMetric, ScenarioError> {
    let listed = |account_only: bool| {
        let names: Vec<&str> = SLO_METRICS
            .iter()
            .filter(|(_, _, of)| *of == MetricOf::Any || !account_only)
            .map(|(n, _, _)| *n)
            .collect();
        names.join(", ")
    };
    let error = |message: String| ScenarioError::yaml(file, name.referenced, message);
    match (SloMetric::named(&name.value), scope) {
        (None, _) => Err(error(format!(
            "found unknown metric `{}` for {scope}, expected one of {}",
            shown(&name.value),
            listed(*scope == SloScope::Account)
        ))),
        (Some(metric), SloScope::Account) if !metric.for_account() => Err(error(format!(
            "found `{}` for the account, expected one of {}: latency, asynchronous, queue \
             and stream measures are judged per function (under `slo.functions`)",
            name.value,
            listed(true)
        ))),
        (Some(metric), _) => Ok(metric),
    }
}

/// A threshold as written: a string like `"< 0.1"`.
fn parse(
    threshold: &Spanned<Value>,
    file: &Path,
) -> Result<(lambdasim_model::Comparison, f64), ScenarioError> {
    let at: Location = threshold.referenced;
    let text = match &threshold.value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Objective::parse_threshold(&text).map_err(|message| ScenarioError::yaml(file, at, message))
}

/// Refuses an objective on a measure of one kind of function (asynchronous, SQS,
/// stream, behind API Gateway) for a function that some configuration invokes
/// otherwise: at the metric, naming the configuration.
pub(crate) fn check_invocation(
    objectives: &[Written],
    variants: &[Variant],
    file: &Path,
) -> Result<(), ScenarioError> {
    for (objective, at) in objectives {
        let SloScope::Function(name) = &objective.scope else {
            continue;
        };
        let Some(wanted) = objective.metric.of().invocation() else {
            continue;
        };
        for variant in variants {
            let function = variant.config.functions.iter().find(|f| &f.name == name);
            if let Some(f) = function.filter(|f| f.invocation != wanted) {
                return Err(ScenarioError::yaml(
                    file,
                    *at,
                    format!(
                        "found `{}` for `{}`, which the configuration `{}` invokes as {}, \
                         expected {}",
                        objective.metric.name(),
                        shown(name),
                        shown(&variant.name),
                        described(f.invocation),
                        described(wanted)
                    ),
                ));
            }
            if let Some(f) = function.filter(|f| {
                objective.metric.of() == MetricOf::GatewayFunction
                    && f.front_door == FrontDoor::Direct
            }) {
                return Err(ScenarioError::yaml(
                    file,
                    *at,
                    format!(
                        "found `{}` for `{}`, which the configuration `{}` invokes directly, expected a function behind API Gateway (`front_door`)",
                        objective.metric.name(),
                        shown(&f.name),
                        shown(&variant.name),
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// How a function of `invocation` is described in a message, with its key.
fn described(invocation: InvocationType) -> &'static str {
    match invocation {
        InvocationType::Sync => "a synchronous function",
        InvocationType::Async => "an asynchronous function (`invocation: async`)",
        InvocationType::Sqs => "an SQS function (`invocation: sqs`)",
        InvocationType::Stream => "a stream function (`invocation: stream`)",
    }
}
