//! `lambdasim plan` (and `run` on a scenario with `objective: cost`): the search of
//! `lambdasim_report::plan` driven with real runs, a round of configurations at a time.

use crate::error::CliError;
use crate::run::{Runner, output_error};
use lambdasim_model::Objective;
use lambdasim_report::merge::ConfigRuns;
use lambdasim_report::plan::search::search as bisect;
use lambdasim_report::plan::{Candidate, ConfigId, Judged, Lines, Outcome, Plan};
use lambdasim_report::{OutputDir, VariantSummary, Verdict, judge};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufWriter;

/// The configurations run, in the scenario's order, and how the search went.
pub(crate) type Searched = (Vec<(usize, ConfigRuns)>, Option<(Lines, Outcome)>);

/// Runs the configurations the plan's search asks for, judging each by `slo` as its
/// round finishes.
pub(crate) fn search(
    runner: &Runner<'_>,
    keys: &[String],
    slo: &[Objective],
) -> Result<Searched, CliError> {
    let candidates: Vec<Candidate> = runner
        .variants
        .iter()
        .map(|v| Candidate {
            variant: &v.variant,
            values: &v.point.values,
        })
        .collect();
    let lines = Lines::new(keys, &candidates);
    let mut ran: BTreeMap<usize, ConfigRuns> = BTreeMap::new();
    let outcome = bisect(&lines.lines, |ids: &[ConfigId]| {
        let which: Vec<usize> = ids.iter().map(|id| id.0).collect();
        let mut met = Vec::with_capacity(which.len());
        for (v, runs) in runner.run(&which)? {
            let variant = &runner.variants[v];
            let summary = VariantSummary {
                name: &variant.name,
                seed: variant.config.seed,
                run: &runs.first,
                replicas: &runs.replicas,
            };
            met.push(judge(slo, &summary).met);
            ran.insert(v, runs);
        }
        Ok::<_, CliError>(met)
    })?;
    Ok((ran.into_iter().collect(), Some((lines, outcome))))
}

/// The configurations run (at places `parts` among all), as the plan takes them.
pub(crate) fn judged<'a>(
    parts: &[usize],
    summaries: &[VariantSummary<'a>],
    verdicts: &'a [Verdict],
) -> Vec<Judged<'a>> {
    parts
        .iter()
        .zip(summaries)
        .zip(verdicts)
        .map(|((&id, summary), verdict)| Judged {
            id: ConfigId(id),
            name: summary.name,
            verdict,
        })
        .collect()
}

/// Writes `plan.json` into the output directory.
pub(crate) fn write(out: &OutputDir, plan: &Plan) -> Result<(), CliError> {
    let path = out.path().join("plan.json");
    let file = File::create(&path).map_err(|e| output_error(&path, e))?;
    plan.write_json(BufWriter::new(file))
        .map_err(|e| output_error(&path, e))
}
