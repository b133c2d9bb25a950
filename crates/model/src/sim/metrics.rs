//! Per-function measurements: exact time-weighted gauges, counters, latency
//! histograms and billable usage, kept both for the whole run and for the current
//! time-series bucket.

use crate::cost::Usage;
use crate::histogram::Histogram;
use crate::results::{AsyncSummary, FunctionSummary, LatencySummary, ThrottleCounts};
use crate::series::BucketRow;
use lambdasim_engine::{NANOS_PER_MS, Nanos};

/// An integer level whose peak, over the run and over the current bucket, is kept.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Level {
    pub value: u32,
    pub peak: u32,
    pub bucket_max: u32,
}

impl Level {
    /// One more. The maxima are written only when the value passes them (rarely, once a
    /// level has settled), so the usual step is a single increment.
    #[inline]
    pub(crate) fn up(&mut self) {
        self.value += 1;
        if self.value > self.bucket_max {
            self.bucket_max = self.value;
            self.peak = self.peak.max(self.value);
        }
    }

    #[inline]
    pub(crate) fn down(&mut self) {
        self.value -= 1;
    }

    /// `n` more at once (a batch's records back to waiting).
    pub(crate) fn up_by(&mut self, n: u32) {
        self.value += n;
        self.bucket_max = self.bucket_max.max(self.value);
        self.peak = self.peak.max(self.value);
    }

    /// `n` fewer at once.
    pub(crate) fn down_by(&mut self, n: u32) {
        self.value -= n;
    }

    /// Starts a new bucket at the current value.
    pub(crate) fn roll(&mut self) -> u32 {
        std::mem::replace(&mut self.bucket_max, self.value)
    }
}

/// A level whose exact time integral is also kept, for time-weighted means.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Weighted {
    pub level: Level,
    last: Nanos,
    /// The integral over closed buckets; the open bucket's is `area_bucket`, added in
    /// when it closes (one addition per change instead of two).
    area_closed: u128,
    area_bucket: u128,
}

impl Weighted {
    /// Accounts for the time since the last change at the current value.
    #[inline]
    pub(crate) fn advance(&mut self, now: Nanos) {
        self.area_bucket += u128::from(self.level.value) * u128::from(now - self.last);
        self.last = now;
    }

    #[inline]
    pub(crate) fn up(&mut self, now: Nanos) {
        self.advance(now);
        self.level.up();
    }

    #[inline]
    pub(crate) fn down(&mut self, now: Nanos) {
        self.advance(now);
        self.level.down();
    }

    /// Closes a bucket of width `width` ending at `end`: (max, mean, integral).
    fn roll(&mut self, end: Nanos, width: Nanos) -> (u32, f64, u128) {
        self.advance(end);
        let area = std::mem::take(&mut self.area_bucket);
        self.area_closed += area;
        (self.level.roll(), area as f64 / width as f64, area)
    }

    /// The mean over `[0, span)`; call when the last bucket has closed at `span`.
    fn mean_over(&self, span: Nanos) -> f64 {
        self.area_closed as f64 / span as f64
    }

    /// The integral of the value from time 0 to `now`.
    pub(crate) fn area_until(&mut self, now: Nanos) -> u128 {
        self.advance(now);
        self.area_closed + self.area_bucket
    }
}

/// Provisioned concurrency as AWS bills it: each unit "from the time you enable it …
/// until it is disabled, rounded up to the nearest five minutes" (AWS Lambda pricing
/// page), allocation time included. Units are enabled as the configured value rises
/// and disabled, last enabled first, as it falls; a unit still enabled when the run
/// ends is billed to the end only (its rounding falls after the run).
#[derive(Clone, Debug, Default)]
pub(crate) struct ProvisionedBill {
    /// Enabled units, as (count, enabled at), oldest first.
    enabled: Vec<(u32, Nanos)>,
    configured: u32,
    last: Nanos,
    /// Unit-nanoseconds billed since the last bucket closed.
    area: u128,
}

/// The billing granularity of provisioned concurrency.
const FIVE_MINUTES: Nanos = 300 * lambdasim_engine::NANOS_PER_SEC;

impl ProvisionedBill {
    fn advance(&mut self, now: Nanos) {
        self.area += u128::from(self.configured) * u128::from(now - self.last);
        self.last = now;
    }

    /// The configured value changes to `value` at `now`.
    pub(crate) fn set(&mut self, now: Nanos, value: u32) {
        self.advance(now);
        if value > self.configured {
            self.enabled.push((value - self.configured, now));
        }
        let mut disabling = self.configured.saturating_sub(value);
        while disabling > 0 {
            let Some((count, since)) = self.enabled.last_mut() else {
                break;
            };
            let units = (*count).min(disabling);
            let on = now - *since;
            let rounded = on.div_ceil(FIVE_MINUTES).max(1) * FIVE_MINUTES;
            self.area += u128::from(units) * u128::from(rounded - on);
            *count -= units;
            disabling -= units;
            if *count == 0 {
                self.enabled.pop();
            }
        }
        self.configured = value;
    }

    /// The unit-nanoseconds billed up to `end` since the last call.
    fn take(&mut self, end: Nanos) -> u128 {
        self.advance(end);
        std::mem::take(&mut self.area)
    }
}

/// Counters that reset with every bucket.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Counts {
    pub requests: u64,
    pub invocations: u64,
    pub cold_starts: u64,
    pub throttles: ThrottleCounts,
    pub provisioned_invocations: u64,
    pub spillover_invocations: u64,
    pub errors: u64,
    /// Invocations that reached the function timeout (counted in `errors` too).
    pub timeouts: u64,
    /// Requests whose invocation outlasted API Gateway's integration timeout.
    pub gateway_timeouts: u64,
    pub client_retries: u64,
    pub client_gave_up: u64,
    pub async_received: u64,
    pub async_succeeded: u64,
    pub async_dropped: u64,
    pub async_dropped_after_errors: u64,
}

impl Counts {
    fn add(&mut self, other: &Self) {
        self.errors += other.errors;
        self.timeouts += other.timeouts;
        self.gateway_timeouts += other.gateway_timeouts;
        self.client_retries += other.client_retries;
        self.client_gave_up += other.client_gave_up;
        self.async_received += other.async_received;
        self.async_succeeded += other.async_succeeded;
        self.async_dropped += other.async_dropped;
        self.async_dropped_after_errors += other.async_dropped_after_errors;
        self.requests += other.requests;
        self.invocations += other.invocations;
        self.cold_starts += other.cold_starts;
        self.throttles.add(&other.throttles);
        self.provisioned_invocations += other.provisioned_invocations;
        self.spillover_invocations += other.spillover_invocations;
    }
}

/// Everything measured for one function.
///
/// In declaration order (`repr(C)`): what every invocation updates first (see
/// `Function`).
#[repr(C)]
pub(crate) struct FunctionMetrics {
    /// Environments in Init or Invoke.
    pub concurrency: Weighted,
    pub idle: Level,
    pub initializing: Level,
    /// Counts of the current bucket; folded into `totals` when it closes.
    pub bucket: Counts,
    /// Billable usage of the current bucket; folded into `usage_months` when it closes.
    pub usage_bucket: Usage,
    pub latency_bucket: Histogram,
    /// Environments in any state, provisioned included.
    pub environments: Weighted,
    /// Provisioned environments running an invocation (integrated for utilisation).
    pub provisioned_busy: Weighted,
    /// Provisioned environments allocated (integrated for utilisation).
    pub provisioned_allocated: Weighted,
    /// Provisioned concurrency configured, as billed.
    pub provisioned_bill: ProvisionedBill,
    /// Asynchronous events waiting to run.
    pub queue_depth: Level,
    totals: Counts,
    latency_total: Histogram,
    /// Age of asynchronous events when invoked: this bucket's, and the run's before
    /// it.
    async_age_bucket: Histogram,
    async_age: Histogram,
    /// Billable usage per month of simulated time (`cost::MONTH`), by the month each
    /// bucket starts in.
    usage_months: Vec<Usage>,
}

impl FunctionMetrics {
    pub(crate) fn new() -> Self {
        Self {
            concurrency: Weighted::default(),
            environments: Weighted::default(),
            idle: Level::default(),
            provisioned_busy: Weighted::default(),
            provisioned_allocated: Weighted::default(),
            provisioned_bill: ProvisionedBill::default(),
            initializing: Level::default(),
            queue_depth: Level::default(),
            bucket: Counts::default(),
            totals: Counts::default(),
            latency_bucket: Histogram::new(),
            latency_total: Histogram::new(),
            async_age_bucket: Histogram::new(),
            async_age: Histogram::new(),
            usage_bucket: Usage::default(),
            usage_months: Vec::new(),
        }
    }

    /// Records one invocation's latency.
    #[inline]
    pub(crate) fn record_latency(&mut self, latency: Nanos) {
        self.latency_bucket.record(latency);
    }

    /// Records how long an asynchronous event had waited when it was invoked.
    pub(crate) fn record_age(&mut self, age: Nanos) {
        self.async_age_bucket.record(age);
    }

    /// Loads the latency bin `latency` falls in into the cache, counting nothing.
    #[inline]
    pub(crate) fn warm_latency(&self, latency: Nanos) {
        self.latency_bucket.warm(latency);
    }

    /// Closes the bucket `[start, end)`: returns its row (cost filled in by the caller)
    /// with the bucket's billable usage, and folds both into the totals.
    pub(crate) fn close_bucket(
        &mut self,
        function: usize,
        start: Nanos,
        end: Nanos,
    ) -> (BucketRow, Usage) {
        let width = end - start;
        let (concurrency_max, concurrency_mean, _) = self.concurrency.roll(end, width);
        let (environments, environments_mean, _) = self.environments.roll(end, width);
        let (provisioned_busy, _, _) = self.provisioned_busy.roll(end, width);
        let (provisioned_allocated, _, _) = self.provisioned_allocated.roll(end, width);
        self.usage_bucket.provisioned_env_ns = self.provisioned_bill.take(end);
        self.usage_bucket.span_ns = width;
        let row = BucketRow {
            function,
            t_s: start as f64 / 1e9,
            requests: self.bucket.requests,
            invocations: self.bucket.invocations,
            cold_starts: self.bucket.cold_starts,
            spillover_invocations: self.bucket.spillover_invocations,
            throttles: self.bucket.throttles,
            gateway_timeouts: self.bucket.gateway_timeouts,
            concurrency_max,
            concurrency_mean,
            environments,
            environments_mean,
            idle_environments: self.idle.roll(),
            provisioned_busy,
            provisioned_allocated,
            queue_depth: self.queue_depth.roll(),
            initializing: self.initializing.roll(),
            latency_p50_ms: self.latency_bucket.quantile(0.5) / NANOS_PER_MS as f64,
            latency_p99_ms: self.latency_bucket.quantile(0.99) / NANOS_PER_MS as f64,
            async_age_p99_ms: self.async_age_bucket.quantile(0.99) / NANOS_PER_MS as f64,
            async_age_max_ms: if self.async_age_bucket.count() == 0 {
                f64::NAN
            } else {
                self.async_age_bucket.max() as f64 / NANOS_PER_MS as f64
            },
            cost_usd: 0.0,
            ..BucketRow::default()
        };
        self.async_age.merge(&self.async_age_bucket);
        self.async_age_bucket.clear();
        self.totals.add(&self.bucket);
        self.bucket = Counts::default();
        self.latency_total.merge(&self.latency_bucket);
        self.latency_bucket.clear();
        let usage = std::mem::take(&mut self.usage_bucket);
        let month = (start / crate::cost::MONTH) as usize;
        if self.usage_months.len() <= month {
            self.usage_months.resize(month + 1, Usage::default());
        }
        self.usage_months[month].add(&usage);
        (row, usage)
    }

    /// The run's totals; call after the last bucket closed at `end`.
    /// `async_queued` is the number of asynchronous events still queued or running,
    /// for asynchronous functions.
    pub(crate) fn summary(
        &self,
        name: &str,
        end: Nanos,
        async_queued: Option<u64>,
    ) -> (FunctionSummary, Vec<Usage>) {
        let t = &self.totals;
        let ms = |q: f64| ms_or_zero(&self.latency_total, q);
        let async_events = async_queued.map(|queued_at_end| AsyncSummary {
            received: t.async_received,
            succeeded: t.async_succeeded,
            dropped: t.async_dropped,
            queued_at_end,
            dropped_after_errors: t.async_dropped_after_errors,
            age_ms: LatencySummary {
                p50: ms_or_zero(&self.async_age, 0.5),
                p90: ms_or_zero(&self.async_age, 0.9),
                p99: ms_or_zero(&self.async_age, 0.99),
                max: self.async_age.max() as f64 / NANOS_PER_MS as f64,
            },
        });
        let summary = FunctionSummary {
            name: name.to_string(),
            requests: t.requests,
            invocations: t.invocations,
            cold_starts: t.cold_starts,
            throttles: t.throttles.total(),
            throttles_by_reason: t.throttles,
            provisioned_invocations: t.provisioned_invocations,
            spillover_invocations: t.spillover_invocations,
            peak_concurrency: self.concurrency.level.peak,
            mean_concurrency: self.concurrency.mean_over(end),
            peak_environments: self.environments.level.peak,
            mean_environments: self.environments.mean_over(end),
            latency_ms: LatencySummary {
                p50: ms(0.5),
                p90: ms(0.9),
                p99: ms(0.99),
                max: self.latency_total.max() as f64 / NANOS_PER_MS as f64,
            },
            cost_usd: Default::default(),
            errors: t.errors,
            timeouts: t.timeouts,
            gateway_timeouts: t.gateway_timeouts,
            client_retries: t.client_retries,
            client_gave_up: t.client_gave_up,
            mean_provisioned_allocated: self.provisioned_allocated.mean_over(end),
            async_events,
            sqs: None,
            stream: None,
        };
        (summary, self.usage_months.clone())
    }
}

/// A quantile in milliseconds, 0 when nothing was recorded (JSON has no NaN).
fn ms_or_zero(histogram: &Histogram, q: f64) -> f64 {
    let v = histogram.quantile(q) / NANOS_PER_MS as f64;
    if v.is_nan() { 0.0 } else { v }
}
