//! Service-level objectives: a threshold on one measure of a run, for one function or
//! the whole account (`slo:` in a scenario, `docs/scenarios.md`).
//!
//! This module says what each measure is and how a threshold reads; judging a
//! configuration across seeds (with a confidence interval) is the report's.

use crate::config::InvocationType;
use crate::results::{FunctionSummary, RunSummary};
use std::fmt;

/// What an objective measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SloMetric {
    /// Throttled requests as a percentage of requests (0 without requests).
    ThrottledPct,
    /// Cold starts as a percentage of invocations (0 without invocations).
    ColdStartPct,
    /// A latency percentile (Init + Invoke for cold starts), in milliseconds.
    LatencyP50Ms,
    /// See [`SloMetric::LatencyP50Ms`].
    LatencyP90Ms,
    /// See [`SloMetric::LatencyP50Ms`].
    LatencyP99Ms,
    /// The largest latency, in milliseconds.
    LatencyMaxMs,
    /// An asynchronous function's events dropped, as a percentage of events received
    /// (0 without events).
    AsyncDroppedPct,
    /// The 99th percentile of the time from enqueueing an event to each invocation, in
    /// milliseconds.
    AsyncAgeP99Ms,
    /// The longest time from enqueueing an event to an invocation, in milliseconds.
    AsyncAgeMaxMs,
    /// The greatest age of an SQS function's oldest message
    /// (`ApproximateAgeOfOldestMessage`), in seconds.
    SqsOldestAgeMaxS,
    /// An SQS function's messages dead-lettered, as a percentage of messages received
    /// (0 without messages).
    SqsDeadLetteredPct,
    /// The greatest iterator age of a stream function (`IteratorAge`), in seconds.
    StreamIteratorAgeMaxS,
    /// A stream function's records discarded, as a percentage of records received (0
    /// without records).
    StreamDiscardedPct,
    /// A function behind API Gateway: its invocations that outlasted the gateway's
    /// integration timeout, as a percentage of invocations (0 without invocations).
    GatewayTimeoutPct,
}

/// Who has a metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricOf {
    /// The account and every function.
    Any,
    /// Functions only.
    Function,
    /// Synchronously invoked functions behind API Gateway (`front_door`) only.
    GatewayFunction,
    /// Asynchronously invoked functions only.
    AsyncFunction,
    /// Functions invoked by an SQS event source mapping only.
    SqsFunction,
    /// Functions invoked by a stream event source mapping only.
    StreamFunction,
}

impl MetricOf {
    /// How a function must be invoked to have the metric, for those that say.
    pub fn invocation(self) -> Option<InvocationType> {
        match self {
            Self::Any | Self::Function => None,
            Self::GatewayFunction => Some(InvocationType::Sync),
            Self::AsyncFunction => Some(InvocationType::Async),
            Self::SqsFunction => Some(InvocationType::Sqs),
            Self::StreamFunction => Some(InvocationType::Stream),
        }
    }
}

/// Every metric with its name in `slo:` (the name of its `runs.csv` column) and who
/// has it: the one list the scenario's check and the outputs use.
pub const SLO_METRICS: &[(&str, SloMetric, MetricOf)] = &[
    ("throttled_pct", SloMetric::ThrottledPct, MetricOf::Any),
    ("cold_start_pct", SloMetric::ColdStartPct, MetricOf::Any),
    (
        "latency_p50_ms",
        SloMetric::LatencyP50Ms,
        MetricOf::Function,
    ),
    (
        "latency_p90_ms",
        SloMetric::LatencyP90Ms,
        MetricOf::Function,
    ),
    (
        "latency_p99_ms",
        SloMetric::LatencyP99Ms,
        MetricOf::Function,
    ),
    (
        "latency_max_ms",
        SloMetric::LatencyMaxMs,
        MetricOf::Function,
    ),
    (
        "async_dropped_pct",
        SloMetric::AsyncDroppedPct,
        MetricOf::AsyncFunction,
    ),
    (
        "async_age_p99_ms",
        SloMetric::AsyncAgeP99Ms,
        MetricOf::AsyncFunction,
    ),
    (
        "async_age_max_ms",
        SloMetric::AsyncAgeMaxMs,
        MetricOf::AsyncFunction,
    ),
    (
        "sqs_oldest_age_max_s",
        SloMetric::SqsOldestAgeMaxS,
        MetricOf::SqsFunction,
    ),
    (
        "sqs_dead_lettered_pct",
        SloMetric::SqsDeadLetteredPct,
        MetricOf::SqsFunction,
    ),
    (
        "stream_iterator_age_max_s",
        SloMetric::StreamIteratorAgeMaxS,
        MetricOf::StreamFunction,
    ),
    (
        "stream_discarded_pct",
        SloMetric::StreamDiscardedPct,
        MetricOf::StreamFunction,
    ),
    (
        "gateway_timeout_pct",
        SloMetric::GatewayTimeoutPct,
        MetricOf::GatewayFunction,
    ),
];

impl SloMetric {
    /// The metric named `name` in `slo:`.
    pub fn named(name: &str) -> Option<SloMetric> {
        SLO_METRICS
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, m, _)| *m)
    }

    /// Its name in `slo:` and in the outputs.
    pub fn name(self) -> &'static str {
        SLO_METRICS
            .iter()
            .find(|(_, m, _)| *m == self)
            .map(|(n, _, _)| *n)
            .expect("every metric is listed")
    }

    /// Who has this measure.
    pub fn of(self) -> MetricOf {
        SLO_METRICS
            .iter()
            .find(|(_, m, _)| *m == self)
            .map(|(_, _, of)| *of)
            .expect("every metric is listed")
    }

    /// Whether the account as a whole has this measure (latency is per function).
    pub fn for_account(self) -> bool {
        self.of() == MetricOf::Any
    }

    /// The measure in a function's totals; `None` for a latency when it served nothing
    /// (its totals then say 0), for an event age when no event was invoked, and for a
    /// measure of another kind of function (asynchronous, SQS, stream).
    pub fn of_function(self, f: &FunctionSummary) -> Option<f64> {
        let value = match self {
            Self::ThrottledPct => percent(f.throttles, f.requests),
            Self::ColdStartPct => percent(f.cold_starts, f.invocations),
            _ if self.of() == MetricOf::Function && f.invocations == 0 => return None,
            Self::LatencyP50Ms => f.latency_ms.p50,
            Self::LatencyP90Ms => f.latency_ms.p90,
            Self::LatencyP99Ms => f.latency_ms.p99,
            Self::LatencyMaxMs => f.latency_ms.max,
            Self::AsyncDroppedPct => {
                let a = f.async_events.as_ref()?;
                percent(a.dropped, a.received)
            }
            Self::AsyncAgeP99Ms | Self::AsyncAgeMaxMs => {
                let a = f.async_events.as_ref()?;
                // The age is measured at each invocation.
                if f.invocations == 0 {
                    return None;
                }
                if self == Self::AsyncAgeP99Ms {
                    a.age_ms.p99
                } else {
                    a.age_ms.max
                }
            }
            Self::SqsOldestAgeMaxS => f.sqs.as_ref()?.oldest_age_max_s,
            Self::SqsDeadLetteredPct => {
                let q = f.sqs.as_ref()?;
                percent(q.dead_lettered, q.received)
            }
            Self::StreamIteratorAgeMaxS => f.stream.as_ref()?.iterator_age_max_s,
            Self::StreamDiscardedPct => {
                let s = f.stream.as_ref()?;
                percent(s.discarded, s.received)
            }
            Self::GatewayTimeoutPct => percent(f.gateway_timeouts, f.invocations),
        };
        value.is_finite().then_some(value)
    }
}

/// `part` as a percentage of `whole`, 0 when `whole` is 0.
pub fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// What an objective is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SloScope {
    /// The account's totals.
    Account,
    /// The function of this name.
    Function(String),
}

impl fmt::Display for SloScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Account => f.write_str("account"),
            Self::Function(name) => f.write_str(name),
        }
    }
}

/// How a measure must compare with the threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// `<`
    Below,
    /// `<=`
    AtMost,
    /// `>`
    Above,
    /// `>=`
    AtLeast,
}

impl Comparison {
    /// The operators, longest first (so that `<=` is not read as `<`).
    const SYMBOLS: [(&'static str, Comparison); 4] = [
        ("<=", Self::AtMost),
        (">=", Self::AtLeast),
        ("<", Self::Below),
        (">", Self::Above),
    ];

    /// Its symbol.
    pub fn symbol(self) -> &'static str {
        Self::SYMBOLS
            .iter()
            .find(|(_, c)| *c == self)
            .map(|(s, _)| *s)
            .expect("every comparison has a symbol")
    }

    /// Whether `value` meets `threshold`.
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Self::Below => value < threshold,
            Self::AtMost => value <= threshold,
            Self::Above => value > threshold,
            Self::AtLeast => value >= threshold,
        }
    }

    /// Whether larger values are worse (for `<` and `<=`): the pessimistic end of an
    /// interval is then its upper end.
    pub fn larger_is_worse(self) -> bool {
        matches!(self, Self::Below | Self::AtMost)
    }
}

/// One objective: `metric comparison threshold`, for a function or the account.
#[derive(Clone, Debug, PartialEq)]
pub struct Objective {
    /// What it is about.
    pub scope: SloScope,
    /// What it measures.
    pub metric: SloMetric,
    /// How the measure must compare with `threshold`.
    pub comparison: Comparison,
    /// The threshold, in the metric's unit.
    pub threshold: f64,
}

impl Objective {
    /// Reads a threshold as written in `slo:`: an operator (`<`, `<=`, `>`, `>=`) and a
    /// finite number, like `< 0.1`; the error says what was expected.
    pub fn parse_threshold(text: &str) -> Result<(Comparison, f64), String> {
        let trimmed = text.trim();
        let expected = || {
            format!(
                "found `{text}`, expected an operator (<, <=, > or >=) and a number, like \"< 0.1\""
            )
        };
        let (comparison, rest) = Comparison::SYMBOLS
            .iter()
            .find_map(|(symbol, c)| trimmed.strip_prefix(symbol).map(|rest| (*c, rest)))
            .ok_or_else(expected)?;
        let threshold: f64 = rest.trim().parse().map_err(|_| expected())?;
        if !threshold.is_finite() {
            return Err(expected());
        }
        Ok((comparison, threshold))
    }

    /// The measure in one run's totals: `None` when the function is not in the run or
    /// (for a latency) served nothing.
    pub fn value(&self, run: &RunSummary) -> Option<f64> {
        match &self.scope {
            SloScope::Account => {
                let a = &run.account;
                match self.metric {
                    SloMetric::ThrottledPct => Some(percent(a.throttles, a.requests)),
                    SloMetric::ColdStartPct => Some(percent(a.cold_starts, a.invocations)),
                    _ => None,
                }
            }
            SloScope::Function(name) => run
                .functions
                .iter()
                .find(|f| &f.name == name)
                .and_then(|f| self.metric.of_function(f)),
        }
    }
}

impl fmt::Display for Objective {
    /// `checkout latency_p99_ms < 800`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {}",
            self.scope,
            self.metric.name(),
            self.comparison.symbol(),
            self.threshold
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{AccountSummary, AsyncSummary, LatencySummary};

    #[test]
    fn thresholds_read_an_operator_and_a_number() {
        let parse = Objective::parse_threshold;
        assert_eq!(parse("< 0.1"), Ok((Comparison::Below, 0.1)));
        assert_eq!(parse("<=800"), Ok((Comparison::AtMost, 800.0)));
        assert_eq!(parse(" >= 99.9 "), Ok((Comparison::AtLeast, 99.9)));
        assert_eq!(parse("> 1e3"), Ok((Comparison::Above, 1000.0)));
        for bad in ["0.1", "< ", "< fast", "= 3", "< inf", "< NaN", "<< 1"] {
            let err = parse(bad).unwrap_err();
            assert!(err.contains("expected an operator"), "{bad}: {err}");
        }
    }

    #[test]
    fn metrics_have_one_name_each_and_latency_is_per_function() {
        for (name, metric, of) in SLO_METRICS {
            assert_eq!(SloMetric::named(name), Some(*metric));
            assert_eq!(metric.name(), *name);
            assert_eq!(metric.of(), *of);
            assert_eq!(metric.for_account(), *of == MetricOf::Any);
        }
        assert_eq!(SloMetric::named("p99"), None);
    }

    #[test]
    fn queue_and_stream_measures_come_from_their_mappings_only() {
        let mut orders = FunctionSummary {
            name: "orders".into(),
            ..Default::default()
        };
        let of = |metric: SloMetric, f: &FunctionSummary| metric.of_function(f);
        for metric in [
            SloMetric::SqsOldestAgeMaxS,
            SloMetric::SqsDeadLetteredPct,
            SloMetric::StreamIteratorAgeMaxS,
            SloMetric::StreamDiscardedPct,
        ] {
            assert_eq!(
                of(metric, &orders),
                None,
                "{}: a plain function",
                metric.name()
            );
        }
        orders.sqs = Some(crate::results::SqsSummary {
            received: 400,
            dead_lettered: 3,
            oldest_age_max_s: 372.5,
            ..Default::default()
        });
        assert_eq!(of(SloMetric::SqsOldestAgeMaxS, &orders), Some(372.5));
        assert_eq!(of(SloMetric::SqsDeadLetteredPct, &orders), Some(0.75));
        assert_eq!(of(SloMetric::StreamIteratorAgeMaxS, &orders), None);
        let clicks = FunctionSummary {
            name: "clicks".into(),
            stream: Some(crate::results::StreamSummary {
                received: 2_000,
                discarded: 50,
                iterator_age_max_s: 600.0,
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(of(SloMetric::StreamIteratorAgeMaxS, &clicks), Some(600.0));
        assert_eq!(of(SloMetric::StreamDiscardedPct, &clicks), Some(2.5));
        assert_eq!(
            SloMetric::SqsDeadLetteredPct.of().invocation(),
            Some(InvocationType::Sqs)
        );
        assert_eq!(
            SloMetric::StreamDiscardedPct.of().invocation(),
            Some(InvocationType::Stream)
        );
        assert_eq!(SloMetric::LatencyP99Ms.of().invocation(), None);
    }

    #[test]
    fn values_come_from_the_run() {
        let run = RunSummary {
            account: AccountSummary {
                requests: 1000,
                throttles: 5,
                invocations: 995,
                cold_starts: 0,
                ..Default::default()
            },
            functions: vec![
                FunctionSummary {
                    name: "api".into(),
                    requests: 10,
                    throttles: 1,
                    invocations: 9,
                    latency_ms: LatencySummary {
                        p99: 250.0,
                        ..Default::default()
                    },
                    ..Default::default()
                },
                FunctionSummary {
                    name: "idle".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let objective = |scope: SloScope, metric| Objective {
            scope,
            metric,
            comparison: Comparison::Below,
            threshold: 1.0,
        };
        let api = || SloScope::Function("api".into());
        let account = objective(SloScope::Account, SloMetric::ThrottledPct);
        assert_eq!(account.value(&run), Some(0.5));
        assert_eq!(
            objective(api(), SloMetric::ThrottledPct).value(&run),
            Some(10.0)
        );
        assert_eq!(
            objective(api(), SloMetric::LatencyP99Ms).value(&run),
            Some(250.0)
        );
        let idle = objective(SloScope::Function("idle".into()), SloMetric::LatencyP99Ms);
        assert_eq!(idle.value(&run), None);
        assert_eq!(
            objective(SloScope::Function("gone".into()), SloMetric::ThrottledPct).value(&run),
            None
        );
        assert_eq!(account.to_string(), "account throttled_pct < 1");
        // Asynchronous measures: of an asynchronous function only.
        let dropped = objective(api(), SloMetric::AsyncDroppedPct);
        assert_eq!(dropped.value(&run), None, "api is synchronous");
        let mut queued = run.clone();
        queued.functions[0].async_events = Some(AsyncSummary {
            received: 40,
            dropped: 2,
            age_ms: LatencySummary {
                p99: 1500.0,
                max: 2500.0,
                ..Default::default()
            },
            ..Default::default()
        });
        assert_eq!(dropped.value(&queued), Some(5.0));
        assert_eq!(
            objective(api(), SloMetric::AsyncAgeP99Ms).value(&queued),
            Some(1500.0)
        );
        assert_eq!(
            objective(api(), SloMetric::AsyncAgeMaxMs).value(&queued),
            Some(2500.0)
        );
        queued.functions[0].invocations = 0;
        assert_eq!(
            objective(api(), SloMetric::AsyncAgeMaxMs).value(&queued),
            None
        );
        assert!(Comparison::AtMost.holds(1.0, 1.0) && !Comparison::Below.holds(1.0, 1.0));
        assert!(Comparison::Below.larger_is_worse() && !Comparison::AtLeast.larger_is_worse());
    }
}
