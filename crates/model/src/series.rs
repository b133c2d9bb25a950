//! Time-series buckets: one row per function and bucket, streamed to a sink as each
//! bucket closes so that memory never grows with the length of the run.

use crate::results::ThrottleCounts;

/// The aggregate of one function over one time bucket `[t_s, t_s + resolution)`.
///
/// Gauges (`concurrency_max`, `environments`, ...) are maxima over the bucket, so peaks
/// are never lost; `concurrency_mean` and `environments_mean` are exact time averages.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BucketRow {
    /// Index of the function in the configuration.
    pub function: usize,
    /// Start of the bucket in seconds.
    pub t_s: f64,
    pub requests: u64,
    pub invocations: u64,
    pub cold_starts: u64,
    pub throttles: ThrottleCounts,
    pub concurrency_max: u32,
    pub concurrency_mean: f64,
    pub environments: u32,
    pub environments_mean: f64,
    pub idle_environments: u32,
    pub provisioned_busy: u32,
    pub initializing: u32,
    /// Provisioned environments allocated (maximum over the bucket).
    pub provisioned_allocated: u32,
    /// Asynchronous events waiting to run (maximum over the bucket).
    pub queue_depth: u32,
    /// Latency percentiles of the invocations that started in the bucket (none: NaN).
    pub latency_p50_ms: f64,
    pub latency_p99_ms: f64,
    /// What the bucket's invocations and provisioned capacity cost.
    pub cost_usd: f64,
}

/// Receives bucket rows in time order (and, within a bucket, in function order).
pub trait SeriesSink {
    /// Takes one closed bucket.
    fn record(&mut self, row: &BucketRow) -> std::io::Result<()>;
}

/// A sink that keeps nothing, for runs that only need totals.
pub struct DiscardSeries;

impl SeriesSink for DiscardSeries {
    fn record(&mut self, _row: &BucketRow) -> std::io::Result<()> {
        Ok(())
    }
}

/// A sink that keeps every row in memory: for tests and short runs only.
#[derive(Default)]
pub struct CollectSeries {
    pub rows: Vec<BucketRow>,
}

impl SeriesSink for CollectSeries {
    fn record(&mut self, row: &BucketRow) -> std::io::Result<()> {
        self.rows.push(row.clone());
        Ok(())
    }
}
