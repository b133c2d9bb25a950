//! `observed:`: each metric's source, checked as a per-interval trace is.

use super::traffic::Owner;
use super::{Context, pick};
use crate::error::Position;
use crate::error::ScenarioError;
use crate::observed::ObservedSpec;
use crate::raw::{RawObserved, RawTraceFormat, TraceParams};
use crate::streams::{Statistic, TraceFile, TraceFormat};
use lambdasim_engine::Nanos;
use lambdasim_model::ObservedMetric;
use serde_saphyr::{Location, Spanned};

impl Context<'_> {
    /// The sources of a function's `observed:`, in the order of [`ObservedMetric`].
    pub(super) fn observed(
        &self,
        raw: &Spanned<RawObserved>,
        parent: Location,
        owner: &Owner,
    ) -> Result<Vec<ObservedSpec>, ScenarioError> {
        let at = pick(raw.referenced, parent);
        let o = &raw.value;
        let sources = [
            (ObservedMetric::Throttles, &o.throttles),
            (ObservedMetric::Invocations, &o.invocations),
            (ObservedMetric::ColdStarts, &o.cold_starts),
            (ObservedMetric::Concurrency, &o.concurrency),
            (ObservedMetric::Spillover, &o.spillover),
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
        metric: ObservedMetric,
        source: &Spanned<TraceParams>,
        parent: Location,
        owner: &Owner,
    ) -> Result<ObservedSpec, ScenarioError> {
        let at = pick(source.referenced, parent);
        let params = &source.value;
        let key = metric.key();
        let placing = [
            ("spread", params.spread.as_ref().map(|s| s.referenced)),
            (
                "peak_to_mean",
                params.peak_to_mean.as_ref().map(|p| p.referenced),
            ),
        ];
        if let Some((name, Some(location))) = placing.into_iter().find(|(_, l)| l.is_some()) {
            return Err(self.error(
                pick(location, at),
                format!("found {name} on observed {key}, expected it only on traffic traces"),
            ));
        }
        // A log counts one metric per period: an access log its throttled requests,
        // Lambda's own log its cold starts.
        let counted = match params.format.as_ref().map(|f| f.value) {
            Some(RawTraceFormat::Jsonl | RawTraceFormat::Alb) => Some(ObservedMetric::Throttles),
            Some(RawTraceFormat::LambdaLog) => Some(ObservedMetric::ColdStarts),
            _ => None,
        };
        if let Some(counted) = counted {
            return self.observed_log(metric, counted, params, at, owner);
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
        Ok(self.observed_spec(metric, params, at, owner, format, None))
    }

    /// A metric counted per `counts:` period from a log: throttles from an access log
    /// (JSON lines: the requests whose `status_field` or `integration_status_field` is
    /// 429; ALB: those whose
    /// `error_reason` is `LambdaThrottling`), cold starts from Lambda's own log (the
    /// REPORT lines with an Init or a restore). Of a log with `routes:`, only the
    /// requests routed to the function count.
    fn observed_log(
        &self,
        metric: ObservedMetric,
        counted: ObservedMetric,
        params: &TraceParams,
        at: Location,
        owner: &Owner,
    ) -> Result<ObservedSpec, ScenarioError> {
        let key = metric.key();
        let format = params.format.as_ref().map(|f| f.value);
        let (log, what) = match format {
            Some(RawTraceFormat::Jsonl) => ("jsonl", "its 429s"),
            Some(RawTraceFormat::Alb) => ("alb", "its requests with error_reason LambdaThrottling"),
            _ => ("lambda_log", "its REPORT lines with an Init Duration"),
        };
        if metric != counted {
            return Err(self.error(
                at,
                format!(
                    "found observed {key} from a {log} log, expected a {log} log only for {} ({what})",
                    counted.key()
                ),
            ));
        }
        let Some(period) = params.counts.as_ref().filter(|c| c.value.0 > 0) else {
            return Err(self.error(
                at,
                format!(
                    "found observed {key} from a {log} log without counts:, expected the period to count {what} in (e.g. counts: 1m)"
                ),
            ));
        };
        if format == Some(RawTraceFormat::Jsonl)
            && params.status_field.is_none()
            && params.integration_status_field.is_none()
        {
            return Err(self.error(
                at,
                "found observed throttles from a jsonl log without status_field or integration_status_field, expected the fields whose 429s are throttles (API Gateway: status for its own, integrationStatus for Lambda's)",
            ));
        }
        // `counts:` is the period here, not a counts trace's: the log is read as it is.
        let read_as = TraceParams {
            counts: None,
            ..params.clone()
        };
        let format = match self.trace_format(&read_as, at, owner)? {
            // Cold starts are few beside the log's lines: all of them may be held, so
            // the files may come in any order (an export to S3 writes a file per log
            // stream) unless `reorder_window:` bounds it.
            TraceFormat::LambdaLog { reorder, .. } => TraceFormat::LambdaLog {
                reorder: if params.reorder_window.is_some() {
                    reorder
                } else {
                    Nanos::MAX
                },
                cold_starts_only: true,
            },
            TraceFormat::Alb {
                routes, reorder, ..
            } => TraceFormat::Alb {
                routes,
                reorder,
                throttled_only: true,
            },
            format => format,
        };
        Ok(self.observed_spec(metric, params, at, owner, format, Some(period.value.0)))
    }

    fn observed_spec(
        &self,
        metric: ObservedMetric,
        params: &TraceParams,
        at: Location,
        owner: &Owner,
        format: TraceFormat,
        per_request: Option<Nanos>,
    ) -> ObservedSpec {
        let file_at = pick(params.file.referenced, at);
        ObservedSpec {
            function: owner.index,
            metric,
            file: TraceFile {
                path: self.dir.join(&params.file.value),
                format,
                functions: owner.functions.to_vec(),
                owner: owner.index,
            },
            per_request,
            origin: Position::yaml(self.file, file_at),
        }
    }
}
