//! The totals of one run, as `summary.json` presents them (and as a shard's partial
//! results keep them for `lambdasim merge`).

use serde::{Deserialize, Serialize};

/// Throttled requests by the limit that refused them (the `Reason`s of the Lambda API
/// Reference's `TooManyRequestsException`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThrottleCounts {
    /// The function's reserved concurrency was full.
    pub reserved_limit: u64,
    /// The account's unreserved pool was full.
    pub account_limit: u64,
    /// No scaling token for a new environment.
    pub scaling_rate: u64,
    /// A synchronous request found the account's or its reservation's request-rate
    /// limit (10 × the concurrency limit per second) used up.
    pub rps_limit: u64,
    /// API Gateway in front refused the request before it reached Lambda: not one of
    /// Lambda's throttles, though counted among the function's.
    pub gateway: u64,
}

impl ThrottleCounts {
    /// All throttles together.
    pub fn total(&self) -> u64 {
        self.lambda() + self.gateway
    }

    /// Lambda's own throttles: all but the gateway's.
    pub fn lambda(&self) -> u64 {
        self.reserved_limit + self.account_limit + self.scaling_rate + self.rps_limit
    }

    /// Adds another set of counts.
    pub fn add(&mut self, other: &Self) {
        self.reserved_limit += other.reserved_limit;
        self.account_limit += other.account_limit;
        self.scaling_rate += other.scaling_rate;
        self.rps_limit += other.rps_limit;
        self.gateway += other.gateway;
    }
}

/// Latency percentiles in milliseconds (Init + Invoke for cold starts).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    /// The median, within 0.4 % (a log-linear histogram); 0 when nothing was measured.
    pub p50: f64,
    /// The 90th percentile, within 0.4 %.
    pub p90: f64,
    /// The 99th percentile, within 0.4 %.
    pub p99: f64,
    /// The largest value, exact.
    pub max: f64,
}

/// What a function cost, by component, in US dollars.
///
/// `requests + duration + provisioned + ephemeral_storage + snapstart - free_tier =
/// total`; `init`
/// is the part of `duration` spent in Init, and `provisioned` splits into
/// `provisioned_capacity` and `provisioned_duration`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CostBreakdown {
    /// $0.20 per million requests served.
    pub requests: f64,
    /// On-demand duration (monthly tiers applied), Init included when billed.
    pub duration: f64,
    /// Provisioned capacity while allocated, plus duration on provisioned environments.
    pub provisioned: f64,
    /// What is owed: the components above plus ephemeral storage, minus the free tier.
    pub total: f64,
    /// The Init part of `duration`.
    pub init: f64,
    /// Provisioned environments × GB × seconds allocated.
    pub provisioned_capacity: f64,
    /// Invocations (and Init) on provisioned environments.
    pub provisioned_duration: f64,
    /// `/tmp` above 512 MB.
    pub ephemeral_storage: f64,
    /// Free-tier credit, subtracted from the total (0 unless enabled).
    pub free_tier: f64,
    /// SnapStart's snapshot cache and restores (Python and .NET; 0 for Java and
    /// without SnapStart).
    pub snapstart: f64,
}

impl CostBreakdown {
    /// Adds another breakdown.
    pub fn add(&mut self, other: &Self) {
        self.requests += other.requests;
        self.duration += other.duration;
        self.provisioned += other.provisioned;
        self.total += other.total;
        self.init += other.init;
        self.provisioned_capacity += other.provisioned_capacity;
        self.provisioned_duration += other.provisioned_duration;
        self.ephemeral_storage += other.ephemeral_storage;
        self.free_tier += other.free_tier;
        self.snapstart += other.snapstart;
    }
}

/// What happened to a function's asynchronous events (AWS Lambda Developer Guide, "Configuring error
/// handling for asynchronous invocation"). Nothing is lost
/// silently: `received = succeeded + dropped + queued_at_end`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AsyncSummary {
    /// Events that arrived, each counted once however often it was tried.
    pub received: u64,
    /// Events whose invocation ran without error, on any try.
    pub succeeded: u64,
    /// Expired past `max_event_age`, failed after every retry, or throttled by
    /// reserved concurrency 0.
    pub dropped: u64,
    /// Waiting in the queue or still running when the run ended.
    pub queued_at_end: u64,
    /// Of `dropped`, the events whose invocations kept failing.
    pub dropped_after_errors: u64,
    /// Time from enqueueing to each invocation (CloudWatch `AsyncEventAge`).
    pub age_ms: LatencySummary,
}

/// What happened to an SQS function's messages (`docs/model.md`, "SQS event source
/// mapping"). Nothing is lost silently: `received = processed + dead_lettered +
/// queued_at_end`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SqsSummary {
    /// Messages sent to the queue by the function's traffic.
    pub received: u64,
    /// Messages deleted after a batch that succeeded.
    pub processed: u64,
    /// Messages moved to the dead-letter queue at `max_receive_count`.
    pub dead_lettered: u64,
    /// Batches invoked.
    pub batches: u64,
    /// Batches throttled by Lambda's limits (their messages returned to the queue).
    pub batches_throttled: u64,
    /// Messages waiting or in a running batch when the run ended.
    pub queued_at_end: u64,
    /// Most messages waiting at once, visible or hidden by the visibility timeout.
    pub peak_depth: u32,
    /// The 99th percentile, over the time series' buckets, of each bucket's greatest
    /// `ApproximateAgeOfOldestMessage`, in seconds...
    pub oldest_age_p99_s: f64,
    /// ...and the greatest, in seconds.
    pub oldest_age_max_s: f64,
}

/// What happened to a stream function's records (`docs/model.md`, "Kinesis and
/// DynamoDB streams"). Nothing is lost silently: `received = processed + discarded +
/// held_at_end`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StreamSummary {
    /// Records put on the stream by the function's traffic.
    pub received: u64,
    /// Records of batches that succeeded.
    pub processed: u64,
    /// Records given up (to an on-failure destination): their batch used up
    /// `maximum_retry_attempts`, or they passed `maximum_record_age` or the retention.
    pub discarded: u64,
    /// Batches invoked, retries included.
    pub batches: u64,
    /// Batches that failed (an error or a timeout) and were retried or discarded.
    pub batches_failed: u64,
    /// Batches throttled by Lambda's limits (retried, holding their shard).
    pub batches_throttled: u64,
    /// Records waiting or in a running batch when the run ended.
    pub held_at_end: u64,
    /// Most records waiting at once (not in a running batch).
    pub peak_waiting: u32,
    /// The 99th percentile, over the buckets with batches, of each bucket's greatest
    /// `IteratorAge` (the age of a batch's last record when the function gets it), in
    /// seconds...
    pub iterator_age_p99_s: f64,
    /// ...and the greatest, in seconds.
    pub iterator_age_max_s: f64,
}

/// One function's totals over the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FunctionSummary {
    /// The function's name, as configured.
    pub name: String,
    /// Arrivals, throttled or not.
    pub requests: u64,
    /// Served.
    pub invocations: u64,
    /// Invocations that began with an Init on a new on-demand environment (provisioned
    /// environments initialise off the request path).
    pub cold_starts: u64,
    /// Throttles of every reason. For a synchronous function `requests = invocations
    /// + throttles`; for an asynchronous one each throttled try counts.
    pub throttles: u64,
    /// `throttles`, by the limit that refused them.
    pub throttles_by_reason: ThrottleCounts,
    /// Invocations served by a provisioned environment.
    pub provisioned_invocations: u64,
    /// Invocations served on demand while provisioned concurrency was configured
    /// (CloudWatch's `ProvisionedConcurrencySpilloverInvocations`).
    pub spillover_invocations: u64,
    /// Most environments in Init or Invoke at once.
    pub peak_concurrency: u32,
    /// Environments in Init or Invoke, averaged exactly over the run's time.
    pub mean_concurrency: f64,
    /// Most environments at once, idle and provisioned included: what memory the
    /// function holds.
    pub peak_environments: u32,
    /// Environments of any state, averaged exactly over the run's time.
    pub mean_environments: f64,
    /// Per invocation, Init (cold starts only) plus Invoke; time spent throttled,
    /// retried or queued is not included (`async.age_ms` has the queueing).
    pub latency_ms: LatencySummary,
    /// The function's share of the account's bill.
    pub cost_usd: CostBreakdown,
    /// Invocations that failed (function errors and timeouts), retried or not.
    pub errors: u64,
    /// Invocations that reached the function timeout.
    pub timeouts: u64,
    /// Requests through API Gateway whose invocation (Init and Invoke) outlasted the
    /// integration timeout: the client got the gateway's timeout error while the
    /// invocation ran on to its end, billed and counted as it ended. Not in `errors`.
    pub gateway_timeouts: u64,
    /// Retries sent by synchronous callers after throttles.
    pub client_retries: u64,
    /// Synchronous requests still throttled after the caller's last retry.
    pub client_gave_up: u64,
    /// Time-weighted mean of provisioned environments allocated.
    pub mean_provisioned_allocated: f64,
    /// Present for asynchronously invoked functions.
    #[serde(rename = "async", skip_serializing_if = "Option::is_none")]
    pub async_events: Option<AsyncSummary>,
    /// Present for functions invoked by an SQS event source mapping.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sqs: Option<SqsSummary>,
    /// Present for functions invoked by a Kinesis or DynamoDB stream mapping.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream: Option<StreamSummary>,
}

/// Account-wide totals.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountSummary {
    /// The sum of the functions' `requests`.
    pub requests: u64,
    /// The sum of the functions' `invocations`.
    pub invocations: u64,
    /// The sum of the functions' `throttles`.
    pub throttles: u64,
    /// The sum of the functions' `cold_starts`.
    pub cold_starts: u64,
    /// Most environments in Init or Invoke at once over all functions: at most the
    /// account's limit, except while a growing provisioned claim lets on-demand
    /// invocations already running finish (see `docs/model.md`).
    pub peak_concurrency: u32,
    /// The bill: tiers and the free tier are applied account-wide, then shared out.
    pub cost_usd: CostBreakdown,
    /// The prices the bill used: a Region's table, "+ overrides" when the scenario
    /// changed some.
    pub price_table: String,
}

/// Everything one run measured.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// The simulated span in seconds (the configuration's `duration`).
    pub duration_s: f64,
    /// Totals over all functions.
    pub account: AccountSummary,
    /// One per function, in the configuration's order.
    pub functions: Vec<FunctionSummary>,
    /// Events processed (for `--stats`).
    #[serde(skip)]
    pub events: u64,
}
