//! `observed:`: each metric's source, checked as a per-interval trace is.

use super::traffic::Owner;
use super::{Context, pick};
use crate::error::Position;
use crate::error::ScenarioError;
use crate::observed::{Metric, ObservedSpec};
use crate::raw::{RawObserved, TraceParams};
use crate::streams::{Statistic, TraceFile, TraceFormat};
use serde_saphyr::{Location, Spanned};

impl Context<'_> {
    /// The sources of a function's `observed:`, in the order of [`Metric`].
    pub(super) fn observed(
        &self,
        raw: &Spanned<RawObserved>,
        parent: Location,
        owner: &Owner,
    ) -> Result<Vec<ObservedSpec>, ScenarioError> {
        let at = pick(raw.referenced, parent);
        let o = &raw.value;
        let sources = [
            (Metric::Throttles, &o.throttles),
            (Metric::Invocations, &o.invocations),
            (Metric::ColdStarts, &o.cold_starts),
            (Metric::Concurrency, &o.concurrency),
            (Metric::Spillover, &o.spillover),
        ];
        let mut specs = Vec::new();
        for (metric, source) in sources {
            if let Some(source) = source {
                specs.push(self.observed_source(metric, source, at, owner)?);
            }
        }
        Ok(specs)
    }

    /// One metric's source: CloudWatch metrics (`Maximum` for concurrency) or a CSV
    /// file of counts per period.
    fn observed_source(
        &self,
        metric: Metric,
        source: &Spanned<TraceParams>,
        parent: Location,
        owner: &Owner,
    ) -> Result<ObservedSpec, ScenarioError> {
        let at = pick(source.referenced, parent);
        let params = &source.value;
        let key = metric.key();
        if let Some(spread) = &params.spread {
            return Err(self.error(
                pick(spread.referenced, at),
                format!("found spread on observed {key}, expected it only on traffic traces"),
            ));
        }
        let format = match self.trace_format(params, at, owner)? {
            TraceFormat::CloudWatch {
                period,
                series,
                columns,
                ..
            } => TraceFormat::CloudWatch {
                period,
                series,
                columns,
                statistic: if metric.is_gauge() {
                    Statistic::Maximum
                } else {
                    Statistic::Sum
                },
            },
            format @ TraceFormat::Csv {
                counts: Some(_), ..
            } => format,
            _ => {
                return Err(self.error(
                    at,
                    format!(
                        "found observed {key} that are not values per period, expected `format: cloudwatch` or a CSV file with `counts:` giving its period"
                    ),
                ));
            }
        };
        let file_at = pick(params.file.referenced, at);
        Ok(ObservedSpec {
            function: owner.index,
            metric,
            file: TraceFile {
                path: self.dir.join(&params.file.value),
                format,
                functions: owner.functions.to_vec(),
                owner: owner.index,
            },
            origin: Position::yaml(self.file, file_at),
        })
    }
}
