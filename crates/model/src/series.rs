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
    /// Arrivals in the bucket, throttled or not (for an asynchronous function, events
    /// received).
    pub requests: u64,
    /// Invocations that started in the bucket.
    pub invocations: u64,
    /// Of those, the ones that began with an on-demand Init.
    pub cold_starts: u64,
    /// Of the invocations, those of a function with provisioned concurrency that ran
    /// on demand (CloudWatch's `ProvisionedConcurrencySpilloverInvocations`).
    pub spillover_invocations: u64,
    /// Throttles in the bucket, by reason.
    pub throttles: ThrottleCounts,
    /// Of the invocations, those behind API Gateway that outlasted its integration
    /// timeout: their callers got the gateway's timeout error.
    pub gateway_timeouts: u64,
    /// Most environments in Init or Invoke at once during the bucket.
    pub concurrency_max: u32,
    /// Environments in Init or Invoke, averaged exactly over the bucket.
    pub concurrency_mean: f64,
    /// Most environments of any state at once during the bucket.
    pub environments: u32,
    /// Environments of any state, averaged exactly over the bucket.
    pub environments_mean: f64,
    /// Most idle environments at once, on-demand and provisioned.
    pub idle_environments: u32,
    /// Most provisioned environments busy at once: against `provisioned_allocated`, the
    /// utilisation autoscaling tracks.
    pub provisioned_busy: u32,
    /// Most on-demand environments in Init at once (cold starts; provisioned
    /// environments appear only once ready).
    pub initializing: u32,
    /// Provisioned environments allocated (maximum over the bucket).
    pub provisioned_allocated: u32,
    /// Asynchronous events waiting to run (maximum over the bucket).
    pub queue_depth: u32,
    /// Latency percentiles of the invocations that started in the bucket (none: NaN).
    pub latency_p50_ms: f64,
    /// The 99th percentile of the same invocations (none: NaN).
    pub latency_p99_ms: f64,
    /// The 99th percentile of how long the asynchronous events invoked in the bucket
    /// (first tries and retries) had waited since they were accepted (none: NaN)...
    pub async_age_p99_ms: f64,
    /// ...and the longest of them (none: NaN).
    pub async_age_max_ms: f64,
    /// What the bucket's invocations and provisioned capacity cost.
    pub cost_usd: f64,
    /// The SQS queue of an SQS function (all 0 for others): most messages waiting at
    /// once, visible or hidden by the visibility timeout...
    pub sqs_depth: u32,
    /// ...the greatest age of the oldest message not yet deleted, in seconds
    /// (`ApproximateAgeOfOldestMessage`)...
    pub sqs_oldest_age_s: f64,
    /// ...messages processed, and dead-lettered...
    pub sqs_processed: u64,
    /// ...
    pub sqs_dead_lettered: u64,
    /// ...batches throttled...
    pub sqs_batches_throttled: u64,
    /// ...and the most concurrent invocations the pollers allowed.
    pub sqs_pollers: u32,
    /// The stream of a stream function (all 0 for others): most records waiting at
    /// once, not in a running batch...
    pub stream_waiting: u32,
    /// ...the greatest `IteratorAge` of the bucket's batches, in seconds (the age of a
    /// batch's last record when the function gets it; 0 without a batch)...
    pub stream_iterator_age_s: f64,
    /// ...records processed, and discarded...
    pub stream_processed: u64,
    /// ...
    pub stream_discarded: u64,
    /// ...and batches throttled.
    pub stream_batches_throttled: u64,
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
    /// Every row received, in the order received.
    pub rows: Vec<BucketRow>,
}

impl SeriesSink for CollectSeries {
    fn record(&mut self, row: &BucketRow) -> std::io::Result<()> {
        self.rows.push(row.clone());
        Ok(())
    }
}
