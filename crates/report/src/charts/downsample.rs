//! The data behind the charts: a time-series sink that folds any number of buckets into
//! a fixed number of columns, about one per pixel of a chart's width.
//!
//! A one-year run at 1 s resolution costs the same memory as a one-hour run, and no
//! peak is lost: each column keeps the maximum of what it covers, never a sample.

use lambdasim_model::{BucketRow, SeriesSink, SimConfig, ThrottleCounts};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::io;

/// The most columns a chart draws: about one per pixel of its plot area.
pub const MAX_COLUMNS: usize = 1000;

/// The columns kept, over all functions, for a focus on part of a long run: 48,000
/// (128 bytes each, about 6 MB a variant), so a day at 1 s resolution keeps 4,000
/// columns of 22 s for each of 12 functions (24,000 of 3.6 s for 2), and a focus on its
/// busiest hour draws 170 of them (1,000 for 2) where the whole-run chart has 42.
pub const FOCUS_COLUMNS: usize = 48 * MAX_COLUMNS;

/// Concurrency split by the state of the environments.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateSplit {
    pub provisioned_busy: u32,
    pub on_demand_busy: u32,
    pub initializing: u32,
}

impl StateSplit {
    /// The split of one bucket. Its gauges are maxima taken at possibly different
    /// instants, so on-demand busy is what the peak leaves after the other two; the
    /// stack's top is then the bucket's peak concurrency whenever the parts fit in it.
    fn of(row: &BucketRow) -> Self {
        Self {
            provisioned_busy: row.provisioned_busy,
            on_demand_busy: row
                .concurrency_max
                .saturating_sub(row.provisioned_busy)
                .saturating_sub(row.initializing),
            initializing: row.initializing,
        }
    }

    /// The height of the stack.
    pub fn total(&self) -> u32 {
        self.provisioned_busy + self.on_demand_busy + self.initializing
    }

    /// By total, then part by part: a total order.
    fn order(&self, other: &Self) -> Ordering {
        let key = |s: &Self| {
            (
                s.total(),
                s.provisioned_busy,
                s.on_demand_busy,
                s.initializing,
            )
        };
        key(self).cmp(&key(other))
    }
}

/// Throttles per second, by reason: single precision, plenty for a chart, and it keeps
/// a column small (see [`FOCUS_COLUMNS`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ThrottleRates {
    pub reserved_limit: f32,
    pub account_limit: f32,
    pub scaling_rate: f32,
    pub rps_limit: f32,
    pub gateway: f32,
}

impl ThrottleRates {
    fn of(counts: &ThrottleCounts, seconds: f64) -> Self {
        let rate = |n: u64| (n as f64 / seconds) as f32;
        Self {
            reserved_limit: rate(counts.reserved_limit),
            account_limit: rate(counts.account_limit),
            scaling_rate: rate(counts.scaling_rate),
            rps_limit: rate(counts.rps_limit),
            gateway: rate(counts.gateway),
        }
    }

    /// All reasons together.
    pub fn total(&self) -> f64 {
        [
            self.reserved_limit,
            self.account_limit,
            self.scaling_rate,
            self.rps_limit,
            self.gateway,
        ]
        .into_iter()
        .map(f64::from)
        .sum()
    }

    /// By total, then reason by reason: a total order.
    fn order(&self, other: &Self) -> Ordering {
        let key = |t: &Self| {
            [
                t.total(),
                f64::from(t.reserved_limit),
                f64::from(t.account_limit),
                f64::from(t.scaling_rate),
                f64::from(t.rps_limit),
                f64::from(t.gateway),
            ]
        };
        key(self)
            .iter()
            .zip(key(other))
            .map(|(a, b)| a.total_cmp(&b))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

/// One function over one column: the maxima of the buckets it covers.
///
/// Rates are per second of a bucket, so a column covering many buckets shows the
/// busiest bucket's rate rather than an average that would flatten a spike.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// Buckets folded in; 0 means none arrived yet.
    pub buckets: u32,
    /// The split of the bucket with the highest concurrency, so the stack's top is the
    /// column's peak.
    pub concurrency: StateSplit,
    pub concurrency_max: u32,
    pub environments: u32,
    pub idle_environments: u32,
    /// Provisioned environments allocated (it changes with schedules and autoscaling).
    pub provisioned_allocated: u32,
    /// Messages, events or records waiting for the function: its asynchronous events,
    /// its SQS queue's messages or its stream's records (a function has one of them).
    pub queue_depth: u32,
    /// An SQS function's pollers (the concurrent invocations they allow).
    pub sqs_pollers: u32,
    /// An SQS function's oldest message's age, or a stream function's iterator age,
    /// in seconds (a function has one or the other; f32: the column's budget).
    pub mapping_age_s: f32,
    /// The split of the bucket with the highest throttle rate.
    pub throttles: ThrottleRates,
    /// The most invocations a second that outlasted API Gateway's integration timeout.
    pub gateway_timeouts_per_s: f32,
    pub requests_per_s: f64,
    pub cold_starts_per_s: f64,
    /// Maxima of the buckets' percentiles; NaN when no bucket had an invocation.
    pub latency_p50_ms: f64,
    pub latency_p99_ms: f64,
    /// Maxima of the buckets' asynchronous event ages; NaN when none was invoked.
    pub async_age_p99_ms: f64,
    pub async_age_max_ms: f64,
    /// What the column's buckets cost, summed (the one field that is not a maximum):
    /// at first-tier prices without the free tier, as `timeseries.csv`'s `cost_usd`.
    pub cost_usd: f64,
}

impl Default for Column {
    fn default() -> Self {
        Self {
            buckets: 0,
            concurrency: StateSplit::default(),
            concurrency_max: 0,
            environments: 0,
            idle_environments: 0,
            provisioned_allocated: 0,
            queue_depth: 0,
            sqs_pollers: 0,
            mapping_age_s: 0.0,
            throttles: ThrottleRates::default(),
            gateway_timeouts_per_s: 0.0,
            requests_per_s: 0.0,
            cold_starts_per_s: 0.0,
            latency_p50_ms: f64::NAN,
            latency_p99_ms: f64::NAN,
            async_age_p99_ms: f64::NAN,
            async_age_max_ms: f64::NAN,
            cost_usd: 0.0,
        }
    }
}

impl Column {
    /// Folds in one bucket of `seconds` length.
    fn fold(&mut self, row: &BucketRow, seconds: f64) {
        self.buckets += 1;
        let split = StateSplit::of(row);
        if split.total() > self.concurrency.total() {
            self.concurrency = split;
        }
        self.concurrency_max = self.concurrency_max.max(row.concurrency_max);
        self.environments = self.environments.max(row.environments);
        self.idle_environments = self.idle_environments.max(row.idle_environments);
        self.provisioned_allocated = self.provisioned_allocated.max(row.provisioned_allocated);
        self.queue_depth = (self.queue_depth.max(row.queue_depth))
            .max(row.sqs_depth)
            .max(row.stream_waiting);
        self.sqs_pollers = self.sqs_pollers.max(row.sqs_pollers);
        let age = row.sqs_oldest_age_s.max(row.stream_iterator_age_s);
        self.mapping_age_s = self.mapping_age_s.max(age as f32);
        let throttles = ThrottleRates::of(&row.throttles, seconds);
        if throttles.total() > self.throttles.total() {
            self.throttles = throttles;
        }
        let timeouts = (row.gateway_timeouts as f64 / seconds) as f32;
        self.gateway_timeouts_per_s = self.gateway_timeouts_per_s.max(timeouts);
        self.requests_per_s = self.requests_per_s.max(row.requests as f64 / seconds);
        self.cold_starts_per_s = self.cold_starts_per_s.max(row.cold_starts as f64 / seconds);
        self.latency_p50_ms = max_present(self.latency_p50_ms, row.latency_p50_ms);
        self.latency_p99_ms = max_present(self.latency_p99_ms, row.latency_p99_ms);
        self.async_age_p99_ms = max_present(self.async_age_p99_ms, row.async_age_p99_ms);
        self.async_age_max_ms = max_present(self.async_age_max_ms, row.async_age_max_ms);
        self.cost_usd += row.cost_usd;
    }
}

/// The larger of two values where NaN means "no value".
fn max_present(a: f64, b: f64) -> f64 {
    if a.is_nan() { b } else { a.max(b) }
}

/// The smaller of two values where NaN means "no value".
fn min_present(a: f64, b: f64) -> f64 {
    if a.is_nan() { b } else { a.min(b) }
}

/// Which end of a spread across runs a fold keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extreme {
    Lowest,
    Highest,
}

impl Extreme {
    fn pick(self, a: f64, b: f64) -> f64 {
        match self {
            Extreme::Lowest => min_present(a, b),
            Extreme::Highest => max_present(a, b),
        }
    }

    fn pick_u32(self, a: u32, b: u32) -> u32 {
        match self {
            Extreme::Lowest => a.min(b),
            Extreme::Highest => a.max(b),
        }
    }

    /// Whether a candidate that compares to the current value as `order` should
    /// replace it at this end.
    fn prefers(self, order: Ordering) -> bool {
        match self {
            Extreme::Lowest => order == Ordering::Less,
            Extreme::Highest => order == Ordering::Greater,
        }
    }
}

impl Column {
    /// Keeps, field by field, the lowest or highest of this column and the same column
    /// of another run. A split (concurrency by state, throttles by reason) is taken
    /// whole from the run whose total it keeps, so its parts still add up; equal
    /// totals are told apart by the parts, so the result never depends on the order.
    fn keep_extreme(&mut self, other: &Column, end: Extreme) {
        if end.prefers(other.concurrency.order(&self.concurrency)) {
            self.concurrency = other.concurrency;
        }
        if end.prefers(other.throttles.order(&self.throttles)) {
            self.throttles = other.throttles;
        }
        let u = |a, b| end.pick_u32(a, b);
        let f = |a, b| end.pick(a, b);
        self.concurrency_max = u(self.concurrency_max, other.concurrency_max);
        self.environments = u(self.environments, other.environments);
        self.idle_environments = u(self.idle_environments, other.idle_environments);
        self.provisioned_allocated = u(self.provisioned_allocated, other.provisioned_allocated);
        self.queue_depth = u(self.queue_depth, other.queue_depth);
        self.sqs_pollers = u(self.sqs_pollers, other.sqs_pollers);
        self.mapping_age_s = f(
            f64::from(self.mapping_age_s),
            f64::from(other.mapping_age_s),
        ) as f32;
        self.gateway_timeouts_per_s = f(
            f64::from(self.gateway_timeouts_per_s),
            f64::from(other.gateway_timeouts_per_s),
        ) as f32;
        self.requests_per_s = f(self.requests_per_s, other.requests_per_s);
        self.cold_starts_per_s = f(self.cold_starts_per_s, other.cold_starts_per_s);
        self.latency_p50_ms = f(self.latency_p50_ms, other.latency_p50_ms);
        self.latency_p99_ms = f(self.latency_p99_ms, other.latency_p99_ms);
        self.async_age_p99_ms = f(self.async_age_p99_ms, other.async_age_p99_ms);
        self.async_age_max_ms = f(self.async_age_max_ms, other.async_age_max_ms);
        self.cost_usd = f(self.cost_usd, other.cost_usd);
    }
}

/// A [`SeriesSink`] that keeps, for each function, at most [`MAX_COLUMNS`] columns.
///
/// It knows the run's number of buckets in advance, so bucket *i* of *n* always lands
/// in column `i × columns / n` and the memory is fixed before the run starts.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ChartSeries {
    resolution_s: f64,
    duration_s: f64,
    buckets: u64,
    columns: usize,
    functions: Vec<Vec<Column>>,
    /// Columns dropped from the front by [`focus`](Self::focus).
    offset: usize,
    /// The part of the run a focus covers, in seconds; `None` for the whole run.
    window: Option<(f64, f64)>,
    /// Finer columns for a focus, when the run has more buckets than
    /// [`MAX_COLUMNS`] and the [`FOCUS_COLUMNS`] budget gives more per function.
    fine: Option<Box<ChartSeries>>,
}

impl ChartSeries {
    /// Columns for every function of `config`.
    pub fn new(config: &SimConfig) -> Self {
        let buckets = config.duration.div_ceil(config.resolution.max(1)).max(1);
        let resolution_s = config.resolution as f64 / 1e9;
        let duration_s = config.duration as f64 / 1e9;
        let functions = config.functions.len();
        let mut series = Self::with_buckets(functions, buckets, resolution_s, duration_s);
        let fine = (FOCUS_COLUMNS / functions.max(1)).min(FOCUS_COLUMNS);
        if series.columns < fine && (series.columns as u64) < buckets {
            let fine = Self::with_columns(functions, buckets, resolution_s, duration_s, fine);
            series.fine = Some(Box::new(fine));
        }
        series
    }

    fn with_buckets(functions: usize, buckets: u64, resolution_s: f64, duration_s: f64) -> Self {
        Self::with_columns(functions, buckets, resolution_s, duration_s, MAX_COLUMNS)
    }

    fn with_columns(
        functions: usize,
        buckets: u64,
        resolution_s: f64,
        duration_s: f64,
        max_columns: usize,
    ) -> Self {
        let columns = usize::try_from(buckets).map_or(max_columns, |b| b.min(max_columns));
        Self {
            resolution_s,
            duration_s,
            buckets,
            columns,
            functions: vec![vec![Column::default(); columns]; functions],
            offset: 0,
            window: None,
            fine: None,
        }
    }

    /// The columns between `start_s` and `end_s` (seconds into the run), from the finer
    /// columns when there are some: for a focus chart, whose time axis is that window.
    pub fn focus(&self, start_s: f64, end_s: f64) -> ChartSeries {
        let source = self.fine.as_deref().unwrap_or(self);
        let n = source.columns;
        let first = (0..n)
            .find(|&c| source.column_end_s(c) > start_s)
            .unwrap_or(n);
        let last = (first..n)
            .find(|&c| source.column_start_s(c) >= end_s)
            .unwrap_or(n);
        ChartSeries {
            functions: source
                .functions
                .iter()
                .map(|f| f[first..last].to_vec())
                .collect(),
            offset: source.offset + first,
            window: Some((start_s.max(0.0), end_s.min(self.duration_s))),
            fine: None,
            ..source.clone_empty()
        }
    }

    /// The scalar fields alone.
    fn clone_empty(&self) -> ChartSeries {
        ChartSeries {
            resolution_s: self.resolution_s,
            duration_s: self.duration_s,
            buckets: self.buckets,
            columns: self.columns,
            functions: Vec::new(),
            offset: self.offset,
            window: self.window,
            fine: None,
        }
    }

    /// The finest columns kept: those a focus is drawn from.
    pub fn finest(&self) -> &ChartSeries {
        self.fine.as_deref().unwrap_or(self)
    }

    /// The part of the run these columns cover, in seconds.
    pub fn window(&self) -> (f64, f64) {
        self.window.unwrap_or((0.0, self.duration_s))
    }

    /// The time axis of these columns: the whole run, or the focus window.
    pub fn time_axis(&self) -> super::TimeAxis {
        match self.window {
            None => super::TimeAxis::for_span(self.duration_s),
            Some((start, end)) => super::TimeAxis::for_window(start, end),
        }
    }

    /// The resolution of the run's buckets, in seconds.
    pub fn resolution_s(&self) -> f64 {
        self.resolution_s
    }

    /// The simulated span in seconds.
    pub fn duration_s(&self) -> f64 {
        self.duration_s
    }

    /// The columns of function `index` (in configuration order).
    pub fn columns(&self, index: usize) -> &[Column] {
        &self.functions[index]
    }

    /// The number of functions.
    pub fn functions(&self) -> usize {
        self.functions.len()
    }

    /// When column `c` starts, in seconds: the start of its first bucket.
    pub fn column_start_s(&self, c: usize) -> f64 {
        let c = c + self.offset;
        let first_bucket = (c as u128 * u128::from(self.buckets)).div_ceil(self.columns as u128);
        first_bucket as f64 * self.resolution_s
    }

    /// When column `c` ends, in seconds: where the next starts, or the end of the run.
    pub fn column_end_s(&self, c: usize) -> f64 {
        self.column_start_s(c + 1).min(self.duration_s)
    }

    /// Keeps, column by column, the lowest or highest of these columns and those of
    /// `other`, another run of the same configuration (another seed): the edge of a band
    /// across runs. The order runs are kept in does not change the result.
    ///
    /// # Panics
    /// If `other` has another shape (another configuration's columns).
    pub fn keep_extreme(&mut self, other: &ChartSeries, end: Extreme) {
        assert!(
            self.columns == other.columns
                && self.buckets == other.buckets
                && self.functions.len() == other.functions.len(),
            "a band joins runs of one configuration"
        );
        for (mine, theirs) in self.functions.iter_mut().zip(&other.functions) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                a.keep_extreme(b, end);
            }
        }
        if let (Some(mine), Some(theirs)) = (self.fine.as_deref_mut(), other.fine.as_deref()) {
            mine.keep_extreme(theirs, end);
        }
    }

    fn column_of(&self, bucket: u64) -> usize {
        (u128::from(bucket) * self.columns as u128 / u128::from(self.buckets)) as usize
    }
}

impl SeriesSink for ChartSeries {
    fn record(&mut self, row: &BucketRow) -> io::Result<()> {
        let bucket = ((row.t_s / self.resolution_s).round().max(0.0) as u64).min(self.buckets - 1);
        let column = self.column_of(bucket);
        // The last bucket may be shorter than the resolution.
        let seconds = (self.duration_s - row.t_s).min(self.resolution_s);
        let seconds = if seconds > 0.0 {
            seconds
        } else {
            self.resolution_s
        };
        let columns = self.functions.get_mut(row.function).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("bucket row for unknown function index {}", row.function),
            )
        })?;
        columns[column].fold(row, seconds);
        if let Some(fine) = self.fine.as_deref_mut() {
            fine.record(row)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(function: usize, t_s: f64) -> BucketRow {
        BucketRow {
            function,
            t_s,
            concurrency_max: 1,
            requests: 10,
            cost_usd: 0.25,
            latency_p50_ms: f64::NAN,
            latency_p99_ms: f64::NAN,
            ..Default::default()
        }
    }

    #[test]
    fn a_single_bucket_spike_survives_a_million_buckets() {
        let n = 1_000_000u64;
        let mut series = ChartSeries::with_buckets(1, n, 1.0, n as f64);
        for i in 0..n {
            let mut r = row(0, i as f64);
            if i == 777_777 {
                r.concurrency_max = 5000;
                r.initializing = 3000;
                r.requests = 90_000;
                r.throttles.scaling_rate = 42;
                r.latency_p99_ms = 2500.0;
                r.queue_depth = 12_345;
            }
            series.record(&r).unwrap();
        }
        let columns = series.columns(0);
        assert_eq!(columns.len(), MAX_COLUMNS);
        assert_eq!(columns.iter().map(|c| c.buckets).sum::<u32>(), 1_000_000);
        let peak = columns.iter().max_by_key(|c| c.concurrency_max).unwrap();
        assert_eq!(peak.concurrency_max, 5000);
        assert_eq!(peak.concurrency.total(), 5000);
        assert_eq!(peak.concurrency.initializing, 3000);
        assert_eq!(peak.requests_per_s, 90_000.0);
        assert_eq!(peak.throttles.scaling_rate, 42.0);
        assert_eq!(peak.latency_p99_ms, 2500.0);
        assert_eq!(peak.queue_depth, 12_345);
        let quiet = columns.iter().filter(|c| c.concurrency_max == 1).count();
        assert_eq!(quiet, MAX_COLUMNS - 1);
        // Cost is summed, not a maximum: every bucket's quarter dollar is kept.
        assert!(columns.iter().all(|c| c.cost_usd == 250.0));
    }

    #[test]
    fn a_column_takes_128_bytes_as_the_focus_budget_says() {
        assert_eq!(std::mem::size_of::<Column>(), 128);
    }

    #[test]
    fn short_runs_keep_one_column_per_bucket() {
        let mut series = ChartSeries::with_buckets(2, 3, 10.0, 25.0);
        for t in [0.0, 10.0, 20.0] {
            series.record(&row(0, t)).unwrap();
            series.record(&row(1, t)).unwrap();
        }
        let columns = series.columns(1);
        assert_eq!(columns.len(), 3);
        assert!(columns.iter().all(|c| c.buckets == 1));
        assert_eq!(
            (0..3).map(|c| series.column_start_s(c)).collect::<Vec<_>>(),
            [0.0, 10.0, 20.0]
        );
        // 10 requests in 10 s, then in the last bucket's 5 s.
        assert_eq!(columns[0].requests_per_s, 1.0);
        assert_eq!(columns[2].requests_per_s, 2.0);
    }

    #[test]
    fn columns_start_at_their_first_bucket() {
        let series = ChartSeries::with_buckets(1, 2500, 2.0, 5000.0);
        assert_eq!(series.columns(0).len(), MAX_COLUMNS);
        assert_eq!(series.column_start_s(0), 0.0);
        assert_eq!(series.column_start_s(1), 6.0); // bucket ceil(2.5) = 3
        assert_eq!(series.column_of(2), 0);
        assert_eq!(series.column_of(3), 1);
        assert_eq!(series.column_of(2499), 999);
        assert_eq!(series.column_end_s(0), 6.0);
        assert_eq!(series.column_end_s(999), 5000.0);
    }

    #[test]
    fn the_state_split_never_exceeds_the_peak() {
        let r = BucketRow {
            concurrency_max: 10,
            provisioned_busy: 4,
            initializing: 3,
            ..Default::default()
        };
        let split = StateSplit::of(&r);
        assert_eq!(split.on_demand_busy, 3);
        assert_eq!(split.total(), 10);
    }

    #[test]
    fn latency_is_nan_only_without_invocations() {
        let mut series = ChartSeries::with_buckets(1, 4, 1.0, 4.0);
        series.record(&row(0, 0.0)).unwrap();
        let mut served = row(0, 1.0);
        served.latency_p50_ms = 80.0;
        served.latency_p99_ms = 300.0;
        series.record(&served).unwrap();
        let columns = series.columns(0);
        assert!(columns[0].latency_p99_ms.is_nan());
        assert_eq!(columns[1].latency_p50_ms, 80.0);
    }

    #[test]
    fn unknown_function_is_an_error() {
        let mut series = ChartSeries::with_buckets(1, 4, 1.0, 4.0);
        let err = series.record(&row(3, 0.0)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
}
