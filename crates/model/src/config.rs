//! The simulated account and its functions, as plain data.
//!
//! The scenario crate builds these from YAML; tests build them directly. Every default
//! here names its source; `docs/model.md` lists the sources in full.

use crate::dist::DurationDist;
use crate::pricing::PriceTable;
use lambdasim_engine::{NANOS_PER_MS, NANOS_PER_SEC, Nanos};
use serde::{Deserialize, Serialize};
use std::ops::RangeInclusive;

/// How new execution environments are rate-limited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScalingMode {
    /// Since Nov 2023: one token bucket per function (AWS Lambda Developer Guide,
    /// "Lambda scaling behavior").
    PerFunction,
    /// Before Nov 2023: one token bucket shared by the whole account (the Developer
    /// Guide's 2022 text, "Lambda function scaling").
    Legacy,
}

/// A token bucket for new environments: `burst` tokens at most, refilled continuously.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ScalingConfig {
    /// Whose bucket: one per function, or one for the whole account. It also decides
    /// how fast provisioned concurrency is allocated ([`Provisioning::allocation_rate`]).
    pub mode: ScalingMode,
    /// Bucket capacity: how many new environments can start at one instant.
    pub burst: u64,
    /// Continuous refill, in tokens per minute (an integer keeps the bucket exact:
    /// 100/s = 6,000/min; legacy 500/min).
    pub refill_per_minute: u64,
}

impl ScalingConfig {
    /// The current per-function rule: 1,000 every 10 s, refilled continuously (AWS
    /// Lambda Developer Guide, "Lambda scaling behavior").
    pub const PER_FUNCTION: Self = Self {
        mode: ScalingMode::PerFunction,
        burst: 1000,
        refill_per_minute: 6000,
    };

    /// The pre-2023 account-wide rule for a region: burst 3,000 / 1,000 / 500, then
    /// 500 per minute (the Developer Guide's 2022 text, "Lambda function scaling").
    pub fn legacy(region: &str) -> Self {
        Self {
            mode: ScalingMode::Legacy,
            burst: legacy_burst(region),
            refill_per_minute: 500,
        }
    }
}

/// The legacy burst quota of a region (the Developer Guide's 2022 text, "Lambda function
/// scaling", its table of Regions).
pub fn legacy_burst(region: &str) -> u64 {
    match region {
        "us-west-2" | "us-east-1" | "eu-west-1" => 3000,
        "ap-northeast-1" | "eu-central-1" | "us-east-2" => 1000,
        _ => 500,
    }
}

/// An API Gateway throttling limit: a token bucket of `burst` requests refilled at
/// `rate_per_second` (Amazon API Gateway Developer Guide, "Throttle requests to your
/// REST APIs for better throughput in API Gateway",
/// <https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html>).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct GatewayLimit {
    /// Requests per second the bucket refills, sustained.
    pub rate_per_second: u64,
    /// The bucket's size: requests at one instant.
    pub burst: u64,
}

impl GatewayLimit {
    /// The account's limit across all its APIs in a Region: 10,000 requests per second
    /// with a burst of 5,000, in most Regions ("Amazon API Gateway quotas",
    /// <https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html>).
    pub const ACCOUNT: Self = Self {
        rate_per_second: 10_000,
        burst: 5_000,
    };
    /// The account's limit in the Regions the same page lists apart: 2,500 requests
    /// per second with a burst of 1,250.
    pub const ACCOUNT_SMALL: Self = Self {
        rate_per_second: 2_500,
        burst: 1_250,
    };

    /// The account's default limit in `region` (a Region code): the page above names
    /// Cape Town, Milan, Jakarta, UAE, Hyderabad, Melbourne, Spain, Zurich, Tel Aviv,
    /// Calgary, Malaysia, Thailand and Mexico (Central) as 2,500 with 1,250.
    pub fn account_default(region: &str) -> Self {
        match region {
            "af-south-1" | "eu-south-1" | "ap-southeast-3" | "me-central-1" | "ap-south-2"
            | "ap-southeast-4" | "eu-south-2" | "eu-central-2" | "il-central-1" | "ca-west-1"
            | "ap-southeast-5" | "ap-southeast-7" | "mx-central-1" => Self::ACCOUNT_SMALL,
            _ => Self::ACCOUNT,
        }
    }

    /// The largest rate or burst accepted: far above any account's quota, small
    /// enough that the bucket's arithmetic cannot overflow.
    pub const MAX: u64 = 1_000_000_000;

    /// Why the limit is invalid, if it is.
    fn problem(&self) -> Option<String> {
        if self.burst == 0 {
            return Some(
                "burst must be 1 or more: a burst of 0 never lets a request through".into(),
            );
        }
        if self.burst > Self::MAX || self.rate_per_second > Self::MAX {
            return Some(format!("rate and burst must be at most {}", Self::MAX));
        }
        None
    }
}

/// Account-wide settings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AccountConfig {
    /// Region name, used for legacy burst defaults and reports.
    pub region: String,
    /// Concurrency limit shared by all functions: default 1,000 (AWS Lambda Developer
    /// Guide, "Lambda quotas").
    pub concurrency_limit: u32,
    /// The unreserved pool may not go below this: 100 (AWS Lambda Developer Guide,
    /// "Understanding Lambda function scaling").
    pub unreserved_minimum: u32,
    /// The token bucket that paces new on-demand environments; throttles for want of a
    /// token count as `scaling_rate`.
    pub scaling: ScalingConfig,
    /// Synchronous invocation starts allowed per second per unit of the concurrency
    /// limit that applies: the account's, a function's reserved, a version's allocated
    /// provisioned (AWS: 10 × concurrency). An aggregate bound, never a per-environment
    /// hold (see `docs/model.md`); 0 turns the rule off.
    pub rps_per_environment: f64,
    /// API Gateway's account-level throttle, shared by every function behind it
    /// (`FunctionConfig::front_door`); requests it refuses are throttles of reason
    /// `gateway`. Default [`GatewayLimit::account_default`] of the Region.
    pub front_door: GatewayLimit,
}

impl AccountConfig {
    /// The account concurrency limits a run accepts. Environments are real objects, so
    /// the limit bounds the memory a run takes (about 100 MB at a million); AWS accounts
    /// run in the thousands.
    pub const CONCURRENCY_LIMIT_RANGE: RangeInclusive<u32> = 1..=1_000_000;

    /// Checks the account's own settings, each against its range.
    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |field, message: String| {
            Err(ConfigError::invalid(None, Field::Account(field), message))
        };
        let limits = Self::CONCURRENCY_LIMIT_RANGE;
        if !limits.contains(&self.concurrency_limit) {
            return invalid(
                "concurrency_limit",
                format!(
                    "account.concurrency_limit must be {} to {}",
                    limits.start(),
                    limits.end()
                ),
            );
        }
        if self.scaling.burst == 0 {
            return invalid(
                "scaling.burst",
                "account.scaling.burst must be 1 or more: a burst of 0 never allows an environment"
                    .into(),
            );
        }
        if let Some(problem) = self.front_door.problem() {
            return invalid("front_door", format!("account.front_door: {problem}"));
        }
        if !(self.rps_per_environment.is_finite() && self.rps_per_environment >= 0.0) {
            return invalid(
                "rps_per_environment",
                "account.rps_per_environment must be a number, 0 or more".into(),
            );
        }
        Ok(())
    }
}

impl Default for AccountConfig {
    fn default() -> Self {
        Self {
            region: "us-east-1".to_string(),
            concurrency_limit: 1000,
            unreserved_minimum: 100,
            scaling: ScalingConfig::PER_FUNCTION,
            rps_per_environment: 10.0,
            front_door: GatewayLimit::ACCOUNT,
        }
    }
}

/// CPU architecture: it sets the price ("AWS Lambda pricing").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Architecture {
    /// Intel or AMD: the dearer GB-second.
    X86_64,
    /// Graviton: about 20 % cheaper per GB-second. The model runs it at the same speed:
    /// durations are whatever the function's distributions say.
    Arm64,
}

/// Which idle environment serves the next request: AWS documents none, so MRU is the
/// default (see `docs/model.md`, "Execution environments").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReusePolicy {
    /// Most recently idle first (a stack).
    Mru,
    /// Least recently idle first (a queue).
    Lru,
    /// Most recently created first (SimFaaS's rule).
    Newest,
    /// Least recently created first.
    Oldest,
    /// Uniformly at random.
    Random,
}

/// How a function is invoked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvocationType {
    /// The caller waits; a request with no room is throttled (AWS Lambda Developer
    /// Guide, "Understanding retry behavior in Lambda").
    Sync,
    /// Lambda queues the event and retries throttles with backoff (AWS Lambda Developer
    /// Guide, "Configuring error handling for asynchronous invocation").
    Async,
    /// Messages go into an SQS queue that an event source mapping polls in batches
    /// ([`SqsConfig`]; AWS Lambda Developer Guide, "Using Lambda with Amazon SQS").
    Sqs,
    /// Records go into the shards of a Kinesis or DynamoDB stream that an event source
    /// mapping reads in order, in batches ([`StreamConfig`]).
    Stream,
}

/// A scheduled change of provisioned concurrency (AWS Lambda Developer Guide,
/// "Configuring provisioned concurrency for a function": scheduled scaling).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ScheduledValue {
    /// When the step applies, from the start of the run. Steps may be given in any
    /// order; the simulation sorts them.
    pub at: Nanos,
    /// The provisioned concurrency asked for from `at` until the next step. An increase
    /// still waits for allocation ([`Provisioning::allocation_delay`]).
    pub value: u32,
}

/// Target tracking on provisioned-concurrency utilisation (AWS Lambda Developer Guide,
/// "Configuring provisioned concurrency for a function"; `docs/model.md`, "Autoscaling").
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct AutoscalingConfig {
    /// The capacity scale-in never goes below.
    pub min: u32,
    /// The capacity scale-out never goes above; validation counts it against reserved
    /// concurrency and the account pool, as if it were always allocated.
    pub max: u32,
    /// Target utilisation, [`Self::TARGET_UTILIZATION_RANGE`] (AWS's example: 0.7).
    pub target_utilization: f64,
    /// After a scale-out, no further scale-out for this long (default 0: Application
    /// Auto Scaling API Reference, "TargetTrackingScalingPolicyConfiguration").
    pub scale_out_cooldown: Nanos,
    /// After a scale-in, no further scale-in for this long (default 0, as above).
    pub scale_in_cooldown: Nanos,
}

/// How provisioned concurrency changes over time. The default is static: the function's
/// `provisioned_concurrency` is ready at time 0 and never changes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Provisioning {
    /// Scheduled changes of the configured value (scheduled scaling); empty keeps the
    /// static `provisioned_concurrency`.
    pub schedule: Vec<ScheduledValue>,
    /// Target tracking on utilisation. With a schedule as well, the larger of the two
    /// values applies, as when several Application Auto Scaling policies act at once.
    pub autoscaling: Option<AutoscalingConfig>,
    /// Preparation before an increase starts allocating: "a minute or two" (AWS Lambda
    /// Developer Guide, "Understanding Lambda function scaling").
    pub allocation_delay: DurationDist,
    /// Environments allocated per minute once allocation runs; `None` is AWS's rule
    /// for the account's scaling mode (see [`Provisioning::allocation_rate`]).
    pub allocation_per_minute: Option<u32>,
}

impl AutoscalingConfig {
    /// The target utilisations allowed for provisioned concurrency's target tracking
    /// (AWS Lambda Developer Guide, "Configuring provisioned concurrency").
    pub const TARGET_UTILIZATION_RANGE: RangeInclusive<f64> = 0.1..=0.9;
}

impl Default for Provisioning {
    fn default() -> Self {
        Self {
            schedule: Vec::new(),
            autoscaling: None,
            allocation_delay: DurationDist::Uniform {
                min: 60 * NANOS_PER_SEC,
                max: 120 * NANOS_PER_SEC,
            },
            allocation_per_minute: None,
        }
    }
}

impl Provisioning {
    /// How an allocation proceeds: (environments at once, then per minute). Since
    /// November 2023, up to 6,000 per minute per function; before, under the legacy
    /// scaling rule, the Region's burst at once and then 500 per minute (AWS Lambda
    /// Developer Guide, "Configuring provisioned concurrency", 2022 text). A rate set
    /// by hand has no burst.
    pub fn allocation_rate(&self, scaling: &ScalingConfig) -> (u64, u32) {
        match (self.allocation_per_minute, scaling.mode) {
            (Some(rate), _) => (0, rate),
            (None, ScalingMode::PerFunction) => (0, 6000),
            (None, ScalingMode::Legacy) => (scaling.burst, 500),
        }
    }
}

/// Lambda's retries of asynchronous events (AWS Lambda Developer Guide, "Configuring
/// error handling for asynchronous invocation").
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct AsyncConfig {
    /// Events older than this are dropped (default 6 h; 60 s–6 h).
    pub max_event_age: Nanos,
    /// Retries after a function error (default 2; 0–2), 1 and 2 minutes apart.
    pub retry_attempts: u32,
}

impl AsyncConfig {
    /// The `max_event_age` AWS accepts: 60 s to 6 h (AWS Lambda Developer Guide,
    /// "Configuring error handling for asynchronous invocation"). Scenario files must
    /// keep within it; the model itself enforces only the upper end (see
    /// `FunctionConfig::validate_invocation`).
    pub const MAX_EVENT_AGE_RANGE: RangeInclusive<Nanos> =
        60 * NANOS_PER_SEC..=6 * 3600 * NANOS_PER_SEC;
    /// The retry attempts AWS accepts after a function error: 0 to 2 (same page).
    pub const RETRY_ATTEMPTS_RANGE: RangeInclusive<u32> = 0..=2;
}

impl Default for AsyncConfig {
    fn default() -> Self {
        Self {
            max_event_age: 6 * 3600 * NANOS_PER_SEC,
            retry_attempts: 2,
        }
    }
}

/// An SQS event source mapping, in standard or provisioned mode, on a standard or a
/// FIFO queue: pollers read batches of messages and invoke the function once per
/// batch (`docs/model.md`, "SQS event source mapping"; AWS Lambda Developer Guide,
/// "Configuring an SQS event source mapping" and "Scaling behavior for SQS event
/// source mappings").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SqsConfig {
    /// The most messages one invocation takes, [`Self::BATCH_SIZE_RANGE`] (default 10).
    pub batch_size: u32,
    /// How long a poller waits to fill a batch, [`Self::BATCH_WINDOW_RANGE`]
    /// (default 0: a batch leaves with what is there). Above 10 messages a batch
    /// needs at least 1 s, as AWS requires.
    pub batch_window: Nanos,
    /// The mapping's own cap on concurrent invocations,
    /// [`Self::MAXIMUM_CONCURRENCY_RANGE`]; `None`: [`Self::MAX_POLLERS`].
    pub maximum_concurrency: Option<u32>,
    /// How long a message received by a batch that was throttled or failed stays
    /// hidden before it can be received again (the queue's setting; default 30 s,
    /// SQS's default, [`Self::VISIBILITY_TIMEOUT_RANGE`]).
    pub visibility_timeout: Nanos,
    /// The redrive policy's `maxReceiveCount`, [`Self::MAX_RECEIVE_COUNT_RANGE`]: a
    /// message received this many times without success goes to the dead-letter
    /// queue. `None`: no dead-letter queue, the message is retried until it succeeds.
    pub max_receive_count: Option<u32>,
    /// Provisioned mode (`ProvisionedPollerConfig`): dedicated event pollers between a
    /// minimum, ready from the start, and a maximum. `None`: standard mode. Excludes
    /// `maximum_concurrency`, as AWS does.
    pub provisioned: Option<SqsProvisioned>,
    /// A FIFO queue with this many message groups, [`Self::MESSAGE_GROUPS_RANGE`]:
    /// messages take groups in turn (round robin), one batch per group at a time.
    /// `None`: a standard queue.
    pub message_groups: Option<u32>,
    /// `FunctionResponseTypes: [ReportBatchItemFailures]`: a batch returns only its
    /// failed messages to the queue. Without it a failed batch returns whole.
    pub report_batch_item_failures: bool,
}

/// An SQS mapping's provisioned mode: its event pollers, each running up to
/// [`SqsProvisioned::INVOKES_PER_POLLER`] concurrent invocations ("Lambda parameters
/// for Amazon SQS event source mappings", ProvisionedPollerConfig).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SqsProvisioned {
    /// Event pollers always ready, [`Self::MINIMUM_RANGE`] (default 2).
    pub minimum_pollers: u32,
    /// The most event pollers, [`Self::MAXIMUM_RANGE`] (default 200).
    pub maximum_pollers: u32,
}

impl SqsProvisioned {
    /// `MinimumPollers` for SQS: 2 to 200 ("Lambda parameters for Amazon SQS event
    /// source mappings"; the API reference's default is 2).
    pub const MINIMUM_RANGE: RangeInclusive<u32> = 2..=200;
    /// `MaximumPollers` for SQS: 2 to 2,000 (same page; default 200). 2,000 pollers of
    /// 10 invocations are the 20,000 concurrency AWS announced.
    pub const MAXIMUM_RANGE: RangeInclusive<u32> = 2..=2_000;
    /// Concurrent invocations one event poller runs (same page).
    pub const INVOKES_PER_POLLER: u32 = 10;
    /// Concurrent invocations provisioned mode adds per minute while messages wait
    /// ("Configuring scaling behavior for SQS event source mappings" and AWS's
    /// announcement: up to 1,000 a minute).
    pub const INVOKES_PER_MINUTE: u32 = 1_000;

    /// The concurrency the minimum pollers keep ready.
    pub fn floor(&self) -> u32 {
        self.minimum_pollers * Self::INVOKES_PER_POLLER
    }

    /// The concurrency of the maximum pollers.
    pub fn cap(&self) -> u32 {
        self.maximum_pollers * Self::INVOKES_PER_POLLER
    }
}

impl Default for SqsProvisioned {
    fn default() -> Self {
        Self {
            minimum_pollers: 2,
            maximum_pollers: 200,
        }
    }
}

impl SqsConfig {
    /// Batch sizes AWS accepts for a standard queue ("Configuring an SQS event source
    /// mapping", BatchSize).
    pub const BATCH_SIZE_RANGE: RangeInclusive<u32> = 1..=10_000;
    /// Batch windows AWS accepts: 0 to 300 s (MaximumBatchingWindowInSeconds).
    pub const BATCH_WINDOW_RANGE: RangeInclusive<Nanos> = 0..=300 * NANOS_PER_SEC;
    /// Above this batch size AWS requires a batch window of at least 1 s.
    pub const BATCH_SIZE_WITHOUT_WINDOW: u32 = 10;
    /// `ScalingConfig.MaximumConcurrency` (Lambda API Reference): 2 to 1,000.
    pub const MAXIMUM_CONCURRENCY_RANGE: RangeInclusive<u32> = 2..=1_000;
    /// A queue's visibility timeout: 0 s to 12 h (Amazon SQS Developer Guide,
    /// "Amazon SQS visibility timeout").
    pub const VISIBILITY_TIMEOUT_RANGE: RangeInclusive<Nanos> = 0..=12 * 3600 * NANOS_PER_SEC;
    /// The redrive policy's `maxReceiveCount`: 1 to 1,000 (Amazon SQS Developer
    /// Guide, "Using dead-letter queues").
    pub const MAX_RECEIVE_COUNT_RANGE: RangeInclusive<u32> = 1..=1_000;
    /// Concurrent invocations pollers start with ("Scaling behavior for SQS event
    /// source mappings": five batches at once).
    pub const START_POLLERS: u32 = 5;
    /// Concurrent invocations pollers add per minute while messages wait (same page).
    pub const POLLERS_PER_MINUTE: u32 = 300;
    /// The most concurrent invocations of one mapping in standard mode (same page).
    pub const MAX_POLLERS: u32 = 1_250;
    /// Batch sizes AWS accepts for a FIFO queue ("Lambda parameters for Amazon SQS
    /// event source mappings", BatchSize); a FIFO queue takes no batch window.
    pub const FIFO_BATCH_SIZE_RANGE: RangeInclusive<u32> = 1..=10;
    /// Message groups the model accepts for a FIFO queue: a modelling bound (SQS sets
    /// none), so that the group table stays small.
    pub const MESSAGE_GROUPS_RANGE: RangeInclusive<u32> = 1..=100_000;

    /// The cap on this mapping's concurrent invocations.
    pub fn cap(&self) -> u32 {
        match self.provisioned {
            Some(p) => p.cap(),
            None => self.maximum_concurrency.unwrap_or(Self::MAX_POLLERS),
        }
    }

    /// The concurrent invocations the pollers start with and scale back to: five
    /// batches in standard mode, the minimum pollers' in provisioned mode.
    pub fn floor(&self) -> u32 {
        match self.provisioned {
            Some(p) => p.floor(),
            None => Self::START_POLLERS.min(self.cap()),
        }
    }

    /// Concurrent invocations the pollers add (or give back) per minute.
    pub fn per_minute(&self) -> u32 {
        match self.provisioned {
            Some(_) => SqsProvisioned::INVOKES_PER_MINUTE,
            None => Self::POLLERS_PER_MINUTE,
        }
    }

    /// What is wrong with these settings, if anything: the field and why.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        let range = |r: &RangeInclusive<u32>| format!("{} to {}", r.start(), r.end());
        if !Self::BATCH_SIZE_RANGE.contains(&self.batch_size) {
            let message = format!("sqs batch_size must be {}", range(&Self::BATCH_SIZE_RANGE));
            return Some(("sqs.batch_size", message));
        }
        if !Self::BATCH_WINDOW_RANGE.contains(&self.batch_window) {
            return Some((
                "sqs.batch_window",
                "sqs batch_window must be 0 to 300 s".into(),
            ));
        }
        if self.batch_size > Self::BATCH_SIZE_WITHOUT_WINDOW && self.batch_window < NANOS_PER_SEC {
            let message =
                "sqs batch_size above 10 needs a batch_window of at least 1 s, as AWS requires"
                    .into();
            return Some(("sqs.batch_window", message));
        }
        if let Some(max) = self.maximum_concurrency
            && !Self::MAXIMUM_CONCURRENCY_RANGE.contains(&max)
        {
            let message = format!(
                "sqs maximum_concurrency must be {}",
                range(&Self::MAXIMUM_CONCURRENCY_RANGE)
            );
            return Some(("sqs.maximum_concurrency", message));
        }
        if !Self::VISIBILITY_TIMEOUT_RANGE.contains(&self.visibility_timeout) {
            return Some((
                "sqs.visibility_timeout",
                "sqs visibility_timeout must be 0 s to 12 h".into(),
            ));
        }
        if let Some(count) = self.max_receive_count
            && !Self::MAX_RECEIVE_COUNT_RANGE.contains(&count)
        {
            let message = format!(
                "sqs max_receive_count must be {}",
                range(&Self::MAX_RECEIVE_COUNT_RANGE)
            );
            return Some(("sqs.max_receive_count", message));
        }
        if let Some(problem) = self.provisioned_problem() {
            return Some(problem);
        }
        self.fifo_problem()
    }

    /// What is wrong with provisioned mode's settings, if anything.
    fn provisioned_problem(&self) -> Option<(&'static str, String)> {
        let p = self.provisioned?;
        let range = |r: &RangeInclusive<u32>| format!("{} to {}", r.start(), r.end());
        if self.maximum_concurrency.is_some() {
            let message = "sqs maximum_concurrency and provisioned are exclusive, as in AWS".into();
            return Some(("sqs.provisioned", message));
        }
        if !SqsProvisioned::MINIMUM_RANGE.contains(&p.minimum_pollers) {
            let message = format!(
                "sqs provisioned minimum_pollers must be {}",
                range(&SqsProvisioned::MINIMUM_RANGE)
            );
            return Some(("sqs.provisioned.minimum_pollers", message));
        }
        if !SqsProvisioned::MAXIMUM_RANGE.contains(&p.maximum_pollers)
            || p.maximum_pollers < p.minimum_pollers
        {
            let message = format!(
                "sqs provisioned maximum_pollers must be {} and at least minimum_pollers",
                range(&SqsProvisioned::MAXIMUM_RANGE)
            );
            return Some(("sqs.provisioned.maximum_pollers", message));
        }
        None
    }

    /// What is wrong with a FIFO queue's settings, if anything.
    fn fifo_problem(&self) -> Option<(&'static str, String)> {
        let groups = self.message_groups?;
        let range = |r: &RangeInclusive<u32>| format!("{} to {}", r.start(), r.end());
        if !Self::MESSAGE_GROUPS_RANGE.contains(&groups) {
            let message = format!(
                "sqs message_groups must be {}",
                range(&Self::MESSAGE_GROUPS_RANGE)
            );
            return Some(("sqs.message_groups", message));
        }
        if !Self::FIFO_BATCH_SIZE_RANGE.contains(&self.batch_size) {
            let message = format!(
                "sqs batch_size of a FIFO queue must be {}",
                range(&Self::FIFO_BATCH_SIZE_RANGE)
            );
            return Some(("sqs.batch_size", message));
        }
        if self.batch_window > 0 {
            let message = "sqs batch_window is not supported for a FIFO queue, as in AWS".into();
            return Some(("sqs.batch_window", message));
        }
        None
    }
}

impl Default for SqsConfig {
    fn default() -> Self {
        Self {
            batch_size: 10,
            batch_window: 0,
            maximum_concurrency: None,
            visibility_timeout: 30 * NANOS_PER_SEC,
            max_receive_count: None,
            provisioned: None,
            message_groups: None,
            report_batch_item_failures: false,
        }
    }
}

/// Where a stream event source mapping reads from: the two differ in how often Lambda
/// polls an idle shard and in the largest batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StreamSource {
    /// A Kinesis data stream read with a standard iterator: each shard polled once a
    /// second (AWS Lambda Developer Guide, "How Lambda processes records from Amazon
    /// Kinesis Data Streams").
    #[serde(rename = "kinesis")]
    Kinesis,
    /// A DynamoDB stream: each shard polled four times a second (AWS Lambda Developer
    /// Guide, "Using AWS Lambda with Amazon DynamoDB").
    #[serde(rename = "dynamodb")]
    DynamoDb,
}

impl StreamSource {
    /// How long a record arriving at an idle shard waits for the next poll, at most.
    pub fn poll_interval(self) -> Nanos {
        match self {
            Self::Kinesis => NANOS_PER_SEC,
            Self::DynamoDb => NANOS_PER_SEC / 4,
        }
    }
}

/// A Kinesis or DynamoDB stream event source mapping: records of a shard are read in
/// order, in batches, each batch one invocation; a failed batch is retried and holds
/// its shard (`docs/model.md`, "Kinesis and DynamoDB streams"; AWS Lambda Developer
/// Guide, "Lambda parameters for Amazon Kinesis Data Streams event source mappings"
/// and "... for Amazon DynamoDB event source mappings").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct StreamConfig {
    /// Kinesis or DynamoDB.
    pub source: StreamSource,
    /// The stream's shards, [`Self::SHARDS_RANGE`] (default 1).
    pub shards: u32,
    /// Batches of one shard processed at once, [`Self::PARALLELIZATION_FACTOR_RANGE`]
    /// (default 1): records of one partition key stay in order.
    pub parallelization_factor: u32,
    /// The most records one invocation takes, [`Self::BATCH_SIZE_RANGE`] (default 100).
    pub batch_size: u32,
    /// How long a partial batch waits for more records, [`Self::BATCH_WINDOW_RANGE`]
    /// (default 0).
    pub batch_window: Nanos,
    /// `MaximumRetryAttempts`: retries of a failed batch before its records are
    /// discarded, [`Self::MAXIMUM_RETRY_ATTEMPTS_RANGE`]; `None` is AWS's -1 (the
    /// default): retried until its records expire.
    pub maximum_retry_attempts: Option<u32>,
    /// `MaximumRecordAgeInSeconds`: records older than this are discarded rather than
    /// sent, [`Self::MAXIMUM_RECORD_AGE_RANGE`]; `None` is AWS's -1 (the default):
    /// records expire at the stream's retention, [`Self::RETENTION`].
    pub maximum_record_age: Option<Nanos>,
    /// `BisectBatchOnFunctionError` (default false): a batch that fails is split in
    /// two and each half retried on its own, rather than the batch retried whole.
    pub bisect_batch_on_error: bool,
}

impl StreamConfig {
    /// Shards a stream may have here: 1 to 10,000. A modelling bound, not AWS's (a
    /// Kinesis account's shard quota is raised on request): concurrency is at most
    /// shards × parallelization factor, 100,000 at the top.
    pub const SHARDS_RANGE: RangeInclusive<u32> = 1..=10_000;
    /// `ParallelizationFactor`: 1 to 10 (both parameter pages).
    pub const PARALLELIZATION_FACTOR_RANGE: RangeInclusive<u32> = 1..=10;
    /// `BatchSize`: 1 to 10,000 for both sources (both parameter pages).
    pub const BATCH_SIZE_RANGE: RangeInclusive<u32> = 1..=10_000;
    /// `MaximumBatchingWindowInSeconds`: 0 to 300 s.
    pub const BATCH_WINDOW_RANGE: RangeInclusive<Nanos> = 0..=300 * NANOS_PER_SEC;
    /// `MaximumRetryAttempts`: 0 to 10,000, or -1 (infinite).
    pub const MAXIMUM_RETRY_ATTEMPTS_RANGE: RangeInclusive<u32> = 0..=10_000;
    /// `MaximumRecordAgeInSeconds`: 60 s to 604,800 s (7 days), or -1 (Lambda API
    /// Reference, "CreateEventSourceMapping").
    pub const MAXIMUM_RECORD_AGE_RANGE: RangeInclusive<Nanos> =
        60 * NANOS_PER_SEC..=604_800 * NANOS_PER_SEC;
    /// How long a stream keeps a record: 24 hours, a DynamoDB stream's fixed retention
    /// and a Kinesis data stream's default (Amazon DynamoDB Developer Guide, "Change
    /// data capture for DynamoDB Streams"; Amazon Kinesis Data Streams Developer
    /// Guide, "Change the data retention period").
    pub const RETENTION: Nanos = 24 * 3600 * NANOS_PER_SEC;

    /// A mapping with AWS's defaults reading `source`.
    pub fn new(source: StreamSource) -> Self {
        Self {
            source,
            shards: 1,
            parallelization_factor: 1,
            batch_size: 100,
            batch_window: 0,
            maximum_retry_attempts: None,
            maximum_record_age: None,
            bisect_batch_on_error: false,
        }
    }

    /// Batches in flight at most, so concurrent invocations at most: shards ×
    /// parallelization factor.
    pub fn lanes(&self) -> u32 {
        self.shards * self.parallelization_factor
    }

    /// The age at which a record is discarded unsent: `maximum_record_age`, or the
    /// retention.
    pub fn expiry(&self) -> Nanos {
        self.maximum_record_age
            .unwrap_or(Self::RETENTION)
            .min(Self::RETENTION)
    }

    /// What is wrong with these settings, if anything: the field and why.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        let range = |r: &RangeInclusive<u32>| format!("{} to {}", r.start(), r.end());
        let checks: [(&'static str, u32, RangeInclusive<u32>); 3] = [
            ("stream.shards", self.shards, Self::SHARDS_RANGE),
            (
                "stream.parallelization_factor",
                self.parallelization_factor,
                Self::PARALLELIZATION_FACTOR_RANGE,
            ),
            ("stream.batch_size", self.batch_size, Self::BATCH_SIZE_RANGE),
        ];
        for (field, value, allowed) in checks {
            if !allowed.contains(&value) {
                return Some((field, format!("{field} must be {}", range(&allowed))));
            }
        }
        if !Self::BATCH_WINDOW_RANGE.contains(&self.batch_window) {
            let message = "stream.batch_window must be 0 to 300 s".into();
            return Some(("stream.batch_window", message));
        }
        if let Some(n) = self.maximum_retry_attempts
            && !Self::MAXIMUM_RETRY_ATTEMPTS_RANGE.contains(&n)
        {
            let message = format!(
                "stream.maximum_retry_attempts must be -1 or {}",
                range(&Self::MAXIMUM_RETRY_ATTEMPTS_RANGE)
            );
            return Some(("stream.maximum_retry_attempts", message));
        }
        // Only the upper end binds here, as for `max_event_age`: an age under AWS's
        // 60 s is how the model's tests expire records in a short run. A scenario
        // file gets the whole range.
        if let Some(age) = self.maximum_record_age
            && (age == 0 || age > *Self::MAXIMUM_RECORD_AGE_RANGE.end())
        {
            let message = "stream.maximum_record_age must be 60 s to 7 days".into();
            return Some(("stream.maximum_record_age", message));
        }
        None
    }
}

impl Default for StreamConfig {
    fn default() -> Self {
        Self::new(StreamSource::Kinesis)
    }
}

/// A synchronous caller that retries throttles with exponential backoff and full
/// jitter: attempt k waits uniform(0, base × 2^k).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ClientRetries {
    /// Retries after the first throttled try, at most [`Self::MAX_ATTEMPTS`]; a request
    /// still throttled after the last counts as `client_gave_up`.
    pub attempts: u32,
    /// The backoff's scale: retry k (from 0) waits uniform(0, `base` × 2^k). Each retry
    /// is a new request and counts against the request-rate limits.
    pub base: Nanos,
}

impl ClientRetries {
    /// The most retries a client may make: enough for any SDK's setting, few enough
    /// that a caller retrying at once (a `base` of 0) cannot stall the run.
    pub const MAX_ATTEMPTS: u32 = 10;
}

/// What the bill includes, at which prices.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BillingConfig {
    /// Bill the Init phase as duration (on-demand Init is billed since 1 Aug 2025).
    pub init: bool,
    /// Subtract the monthly free tier (1 M requests, 400,000 GB-s).
    pub free_tier: bool,
    /// The prices: the account's Region's by default.
    pub prices: PriceTable,
}

impl Default for BillingConfig {
    fn default() -> Self {
        Self {
            init: true,
            free_tier: false,
            prices: PriceTable::default(),
        }
    }
}

/// How a function's Invoke duration changes with its memory: Lambda gives CPU in
/// proportion to memory, one vCPU's worth at [`Self::MB_PER_VCPU`] and up to six at
/// 10,240 MB (AWS Lambda Developer Guide, "Configure Lambda function memory",
/// <https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html>), so the
/// CPU-bound part of an invocation runs faster with more memory and the rest (waiting
/// on I/O) does not. Durations are given as measured at `reference_mb`; at memory m
/// every draw is multiplied by [`Self::factor`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MemoryScaling {
    /// The memory the function's `duration` was measured at, in MB.
    pub reference_mb: u32,
    /// The share of the duration that is CPU-bound at `reference_mb`, 0–1.
    pub cpu_share: f64,
    /// How many vCPUs the CPU-bound part can keep busy: 1 (the default) for a
    /// single-threaded handler, which gains nothing from memory beyond one vCPU
    /// (Node.js's event loop, Python under its GIL); up to 6, the most Lambda gives.
    pub threads: u32,
}

impl MemoryScaling {
    /// Memory that buys one vCPU's worth of CPU, in MB ("Configure Lambda function
    /// memory").
    pub const MB_PER_VCPU: f64 = 1769.0;
    /// The threads a handler may use: Lambda gives at most 6 vCPUs, at 10,240 MB (AWS
    /// News Blog, "New for AWS Lambda – Functions with Up to 10 GB of Memory and 6
    /// vCPUs", Dec 2020).
    pub const THREADS_RANGE: RangeInclusive<u32> = 1..=6;
    /// The CPU-bound share is a fraction.
    pub const CPU_SHARE_RANGE: RangeInclusive<f64> = 0.0..=1.0;
    /// One thread unless told otherwise: most handlers run their CPU work on one
    /// thread, and a default that assumed more would promise speed-ups above 1,769 MB
    /// that such a handler never sees.
    pub const DEFAULT_THREADS: u32 = 1;

    /// The CPU a handler using [`Self::threads`] gets at `memory_mb`, in vCPUs: what
    /// memory buys, but no more than the threads can use.
    pub fn usable_vcpus(&self, memory_mb: u32) -> f64 {
        (f64::from(memory_mb) / Self::MB_PER_VCPU).min(f64::from(self.threads))
    }

    /// What a duration measured at `reference_mb` is multiplied by at `memory_mb`:
    /// `(1 - cpu_share) + cpu_share × cpu(reference) / cpu(memory)`.
    pub fn factor(&self, memory_mb: u32) -> f64 {
        let speed_up = self.usable_vcpus(self.reference_mb) / self.usable_vcpus(memory_mb);
        (1.0 - self.cpu_share) + self.cpu_share * speed_up
    }
}

/// The runtime of a SnapStart function: it decides what SnapStart costs. Java pays
/// nothing beyond duration; Python and .NET pay for the snapshot's cache and for each
/// restore ("AWS Lambda pricing", <https://aws.amazon.com/lambda/pricing/>, SnapStart).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SnapStartRuntime {
    /// Java 11 and later: no cache or restore charges.
    Java,
    /// Python 3.12 and later: cache and restore charges.
    Python,
    /// .NET 8 and later: cache and restore charges.
    Dotnet,
}

impl SnapStartRuntime {
    /// Whether the runtime pays for the snapshot's cache and restores.
    pub fn pays_for_snapshots(self) -> bool {
        !matches!(self, Self::Java)
    }
}

/// Lambda SnapStart (AWS Lambda Developer Guide, "Improving startup performance with
/// Lambda SnapStart", <https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html>):
/// Init runs once, when the version is published, before the simulated span; a new
/// environment restores the snapshot instead of running Init.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SnapStart {
    /// What the snapshots cost (see [`SnapStartRuntime`]).
    pub runtime: SnapStartRuntime,
    /// A new environment's restore: the snapshot's, the runtime's load and the
    /// after-restore hooks, the `Restore Duration` of the REPORT line. Default
    /// [`SnapStart::default_restore`].
    pub restore_duration: DurationDist,
}

impl SnapStart {
    /// A restore (runtime load and after-restore hooks) that has not finished after
    /// this long fails with `SnapStartTimeoutException` (AWS Lambda Developer Guide,
    /// "Understanding the Lambda execution environment lifecycle", Restore phase).
    pub const RESTORE_LIMIT: Nanos = 10 * NANOS_PER_SEC;

    /// The default restore: lognormal, median 120 ms and p99 400 ms, inside the
    /// ranges an AWS developer advocate gives for Java 21 with SnapStart (cold starts
    /// of 90–140 ms at p50 and 200–400 ms at p99: Eric Johnson, "Cold Starts Are
    /// Dead", edjgeek.com, 2026).
    pub fn default_restore() -> DurationDist {
        DurationDist::Lognormal {
            median: 120 * NANOS_PER_MS,
            p99: 400 * NANOS_PER_MS,
        }
    }

    /// SnapStart on `runtime` with the default restore.
    pub fn new(runtime: SnapStartRuntime) -> Self {
        Self {
            runtime,
            restore_duration: Self::default_restore(),
        }
    }
}

/// Whether a function is invoked through the account's API Gateway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FrontDoor {
    /// Invoked directly: no gateway throttle.
    Direct,
    /// Behind the gateway: every request (and client retry) takes a token of the
    /// account's [`AccountConfig::front_door`], and of its route's own limit when it
    /// has one (API Gateway's per-method throttling).
    Behind {
        /// The route's own limit; `None`: only the account's.
        route: Option<GatewayLimit>,
        /// How long the gateway waits for the function: a request whose Init and
        /// Invoke take longer gets the gateway's timeout error while the invocation
        /// runs on, billed, to its end.
        integration_timeout: Nanos,
    },
}

impl FrontDoor {
    /// Behind the gateway with only the account's limit and the default timeout.
    pub const BEHIND: Self = Self::Behind {
        route: None,
        integration_timeout: Self::INTEGRATION_TIMEOUT,
    };
    /// API Gateway's default integration timeout, 29 s for REST APIs (Amazon API
    /// Gateway Developer Guide, "Amazon API Gateway quotas"; HTTP APIs allow 30 s).
    pub const INTEGRATION_TIMEOUT: Nanos = 29 * NANOS_PER_SEC;
    /// The integration timeouts accepted: 50 ms, the least AWS accepts, to 300 s,
    /// the most a Regional or private REST API can be given after a quota increase
    /// (AWS What's New, 4 June 2024, "Amazon API Gateway integration timeout limit
    /// increase beyond 29 seconds").
    pub const INTEGRATION_TIMEOUT_RANGE: std::ops::RangeInclusive<Nanos> =
        50_000_000..=300 * NANOS_PER_SEC;
}

/// The function timeouts AWS accepts: 1 s to 900 s (AWS Lambda Developer Guide,
/// "Configure Lambda function timeout").
pub const TIMEOUT_RANGE: std::ops::RangeInclusive<Nanos> = NANOS_PER_SEC..=900 * NANOS_PER_SEC;

/// The most environments a function may start warm with: memory for each is kept.
pub const MAX_WARM_START: u32 = 1_000_000;

/// One Lambda function.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FunctionConfig {
    /// Unique in a run. Besides naming the function in outputs, it keys the function's
    /// random streams: renaming a function changes its draws.
    pub name: String,
    /// Memory, [`Self::MEMORY_MB_RANGE`]. It sets the price of each millisecond
    /// (GB-seconds), and the Invoke duration when `memory_scaling` is set.
    pub memory_mb: u32,
    /// How the Invoke duration scales with `memory_mb`; `None`: it does not (the
    /// durations are those at this memory).
    pub memory_scaling: Option<MemoryScaling>,
    /// Sets the prices only (see [`Architecture`]).
    pub architecture: Architecture,
    /// Init phase of a cold start (with SnapStart, run at publish and never in the run).
    pub init_duration: DurationDist,
    /// SnapStart: new environments restore a snapshot instead of running Init; `None`
    /// runs Init on every cold start. Not with provisioned concurrency, nor with
    /// `/tmp` above 512 MB, as in AWS.
    pub snapstart: Option<SnapStart>,
    /// Invoke phase.
    pub duration: DurationDist,
    /// The function timeout, [`TIMEOUT_RANGE`]: an invocation that reaches it ends as an
    /// error, billed up to the timeout (AWS default 3 s in the console; 900 s here, the
    /// most AWS allows, so that a scenario's durations are never cut unless asked).
    pub timeout: Nanos,
    /// An idle on-demand environment is destroyed this long after it became idle
    /// (fitted on AWS's 2020 runs: 1,000 s; see `docs/validation.md`).
    pub idle_timeout: Nanos,
    /// All idle on-demand environments are destroyed once the function has had no
    /// request, no completion and nothing running for this long (fitted: 630 s);
    /// `None` leaves only the per-environment `idle_timeout`.
    pub function_idle_timeout: Option<Nanos>,
    /// An environment this old is destroyed when it becomes idle, and an idle one is
    /// never reused past it (AWS: "every few hours"; ~2 h measured).
    pub max_lifetime: Option<Nanos>,
    /// On-demand environments initialised and idle at time 0, as in a system already
    /// running (the measurement runs began with one or two).
    pub warm_start: u32,
    /// Which idle on-demand environment takes the next request: it changes which
    /// environments idle out, so the cold starts and environment counts that follow.
    pub reuse: ReusePolicy,
    /// Concurrency set aside for this function alone and taken out of the account's
    /// unreserved pool; it is also the function's ceiling. `None` shares the pool;
    /// `Some(0)` throttles every request.
    pub reserved_concurrency: Option<u32>,
    /// Provisioned concurrency initialised and ready at time 0.
    pub provisioned_concurrency: u32,
    /// Later changes of provisioned concurrency: schedule and autoscaling.
    pub provisioning: Provisioning,
    /// Synchronous (throttles are the caller's) or asynchronous (Lambda queues events
    /// and retries them); `async_config` and `client_retries` each apply to one of the two.
    pub invocation: InvocationType,
    /// Settings of the asynchronous path (used when `invocation` is `Async`).
    pub async_config: AsyncConfig,
    /// The SQS event source mapping (used when `invocation` is `Sqs`).
    pub sqs: SqsConfig,
    /// The stream event source mapping (used when `invocation` is `Stream`).
    pub stream: StreamConfig,
    /// Share of invocations that fail (function errors), 0–1.
    pub error_rate: f64,
    /// Synchronous callers' retries of throttled requests.
    pub client_retries: Option<ClientRetries>,
    /// Whether requests pass API Gateway first (synchronous functions only).
    pub front_door: FrontDoor,
    /// `/tmp` size; above 512 MB it is billed ("Lambda quotas"; "AWS Lambda pricing").
    pub ephemeral_storage_mb: u32,
}

impl FunctionConfig {
    /// The memory sizes AWS accepts, in MB (AWS Lambda Developer Guide, "Lambda
    /// quotas" and "Configure Lambda function memory").
    pub const MEMORY_MB_RANGE: RangeInclusive<u32> = 128..=10_240;
    /// The `/tmp` sizes AWS accepts, in MB (AWS Lambda Developer Guide, "Lambda
    /// quotas").
    pub const EPHEMERAL_STORAGE_MB_RANGE: RangeInclusive<u32> = 512..=10_240;
    /// The share of invocations that fail: a probability.
    pub const ERROR_RATE_RANGE: RangeInclusive<f64> = 0.0..=1.0;

    /// A function with every default of `docs/model.md`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            memory_mb: 128,
            memory_scaling: None,
            snapstart: None,
            architecture: Architecture::X86_64,
            init_duration: DurationDist::Lognormal {
                median: 250 * NANOS_PER_MS,
                p99: 1000 * NANOS_PER_MS,
            },
            duration: DurationDist::Constant(100 * NANOS_PER_MS),
            timeout: 900 * NANOS_PER_SEC,
            idle_timeout: 1000 * NANOS_PER_SEC,
            function_idle_timeout: Some(630 * NANOS_PER_SEC),
            max_lifetime: Some(7200 * NANOS_PER_SEC),
            warm_start: 0,
            reuse: ReusePolicy::Mru,
            reserved_concurrency: None,
            provisioned_concurrency: 0,
            provisioning: Provisioning::default(),
            invocation: InvocationType::Sync,
            async_config: AsyncConfig::default(),
            sqs: SqsConfig::default(),
            stream: StreamConfig::default(),
            error_rate: 0.0,
            client_retries: None,
            front_door: FrontDoor::Direct,
            ephemeral_storage_mb: 512,
        }
    }

    /// `warm_start: auto`: the idle on-demand environments a function already
    /// running at `mean_concurrency` (its arrival rate times its mean duration, by
    /// Little's law) would have at time 0, given `unreserved_pool` (see
    /// [`SimConfig::unreserved_pool`]). A modelling choice, not an AWS rule: the mean
    /// plus three standard deviations of a Poisson count (`L + 3√L`, rounded up), since
    /// a pool kept warm by idle timeouts holds about the recent peak, not the mean;
    /// less the provisioned concurrency at time 0 (it serves first), and no more than
    /// the on-demand room of the function's reservation or of the unreserved pool, nor
    /// [`MAX_WARM_START`].
    pub fn auto_warm_start(&self, mean_concurrency: f64, unreserved_pool: i64) -> u32 {
        if !mean_concurrency.is_finite() || mean_concurrency <= 0.0 {
            return 0;
        }
        let wanted = (mean_concurrency + 3.0 * mean_concurrency.sqrt()).ceil();
        let on_demand = (wanted - f64::from(self.provisioned_concurrency)).max(0.0);
        let room = match self.reserved_concurrency {
            Some(reserved) => reserved.saturating_sub(self.provisioned_concurrency),
            None => u32::try_from(unreserved_pool.max(0)).unwrap_or(u32::MAX),
        };
        (on_demand.min(f64::from(room.min(MAX_WARM_START)))) as u32
    }

    /// What every Invoke duration is multiplied by at the function's memory: 1 without
    /// `memory_scaling`.
    pub fn duration_factor(&self) -> f64 {
        self.memory_scaling
            .map_or(1.0, |scaling| scaling.factor(self.memory_mb))
    }

    /// The mean Invoke duration at the function's memory, in nanoseconds.
    pub fn mean_duration(&self) -> f64 {
        self.duration.mean() * self.duration_factor()
    }

    /// The most provisioned concurrency the function can ever ask for: what its
    /// reserved concurrency and the account pool must accommodate.
    pub fn max_provisioned(&self) -> u32 {
        let scheduled = self.provisioning.schedule.iter().map(|s| s.value);
        let autoscaled = self.provisioning.autoscaling.map(|a| a.max);
        scheduled
            .chain(autoscaled)
            .fold(self.provisioned_concurrency, u32::max)
    }
}

/// Everything one simulation run needs except its traffic.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SimConfig {
    /// The root of every random stream: the same seed, configuration and arrivals give
    /// the same run.
    pub seed: u64,
    /// Simulated span; arrivals at or after it are ignored and the run stops there.
    pub duration: Nanos,
    /// Width of one time-series bucket.
    pub resolution: Nanos,
    /// The limits every function shares.
    pub account: AccountConfig,
    /// At least one, with distinct names. Their order is the order of the outputs and
    /// the index an arrival stream's targets refer to.
    pub functions: Vec<FunctionConfig>,
    /// What the bill counts and at which prices; the run itself does not depend on it.
    pub billing: BillingConfig,
}

/// A configuration AWS would reject, or one the simulator cannot run.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// Reservations and provisioned concurrency leave the unreserved pool under the
    /// account's minimum, which AWS refuses.
    #[error(
        "the unreserved pool would be {pool} (account limit {limit} minus reserved {reserved} minus provisioned {provisioned}), under the unreserved minimum of {minimum}"
    )]
    PoolUnderMinimum {
        /// What would be left; negative when the claims exceed the limit.
        pool: i64,
        /// The account's concurrency limit.
        limit: u32,
        /// The sum of every function's reserved concurrency.
        reserved: u64,
        /// The most provisioned concurrency of functions without a reservation (theirs
        /// comes out of the pool; a reserved function's comes out of its reservation).
        provisioned: u64,
        /// The account's unreserved minimum.
        minimum: u32,
    },
    /// A SnapStart function with provisioned concurrency or `/tmp` above 512 MB, which
    /// AWS does not support ("Improving startup performance with Lambda SnapStart").
    #[error(
        "function `{function}` has SnapStart and {other}: AWS does not support SnapStart with {other}"
    )]
    SnapStartWith {
        /// The function's name.
        function: String,
        /// What SnapStart does not go with.
        other: &'static str,
        /// `snapstart` and that setting: changing either resolves it.
        fields: &'static [Field],
    },
    /// A function could ask for more provisioned concurrency than it reserves.
    #[error(
        "function `{function}` has provisioned concurrency {provisioned} above its reserved concurrency {reserved}"
    )]
    ProvisionedAboveReserved {
        /// The function's name.
        function: String,
        /// Its most provisioned concurrency: the static value, the schedule's largest
        /// step or the autoscaling maximum ([`FunctionConfig::max_provisioned`]).
        provisioned: u32,
        /// Its reserved concurrency.
        reserved: u32,
    },
    /// Two functions share a name; names key outputs and random streams, so they must
    /// differ.
    #[error("function name `{0}` is used twice")]
    DuplicateFunction(String),
    /// A setting outside its valid range. The setting is data, so that a caller can
    /// point at where it was written without reading the message.
    #[error("{}{message}", function.as_ref().map(|f| format!("function `{f}`: ")).unwrap_or_default())]
    Setting {
        /// The function whose setting it is; `None` for the account's or the run's.
        function: Option<String>,
        /// The setting.
        field: Field,
        /// What is wrong, in words.
        message: String,
    },
    /// Anything else the simulator cannot run, about no one setting.
    #[error("{0}")]
    Invalid(String),
}

/// A setting of the configuration, by where it lives: what a [`ConfigError`] is about,
/// as data rather than words in its message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// A field of [`SimConfig`] itself: `duration`, `resolution`, `functions`.
    Run(&'static str),
    /// A field of [`AccountConfig`], as a path: `concurrency_limit`, `scaling.burst`.
    Account(&'static str),
    /// A field of [`FunctionConfig`], as a path: `memory_mb`,
    /// `async_config.retry_attempts`, `provisioning.autoscaling.max`.
    Function(&'static str),
}

/// The settings that together decide the unreserved pool.
const POOL_FIELDS: &[Field] = &[
    Field::Account("concurrency_limit"),
    Field::Account("unreserved_minimum"),
    Field::Function("reserved_concurrency"),
    Field::Function("provisioned_concurrency"),
];

impl ConfigError {
    /// A setting out of its range: `function`'s if given.
    fn invalid(function: Option<&str>, field: Field, message: String) -> Self {
        Self::Setting {
            function: function.map(str::to_string),
            field,
            message,
        }
    }

    /// The settings the error is about: any one of them may be what to change. A
    /// [`Field::Function`] is a setting of [`function`](Self::function), or of every
    /// function when that is `None`.
    pub fn fields(&self) -> &[Field] {
        match self {
            Self::PoolUnderMinimum { .. } => POOL_FIELDS,
            Self::ProvisionedAboveReserved { .. } => &POOL_FIELDS[2..],
            Self::DuplicateFunction(_) => &[Field::Function("name")],
            Self::SnapStartWith { fields, .. } => fields,
            Self::Setting { field, .. } => std::slice::from_ref(field),
            Self::Invalid(_) => &[],
        }
    }

    /// The function the error is about, when there is one (to point at its YAML).
    pub fn function(&self) -> Option<&str> {
        match self {
            Self::ProvisionedAboveReserved { function, .. }
            | Self::DuplicateFunction(function)
            | Self::SnapStartWith { function, .. } => Some(function),
            Self::Setting { function, .. } => function.as_deref(),
            _ => None,
        }
    }
}

impl FunctionConfig {
    /// Checks every setting of the function against its range, so that a library user
    /// building a configuration directly meets the same rules as a scenario file.
    fn validate(&self) -> Result<(), ConfigError> {
        self.validate_sizes()?;
        self.validate_snapstart()?;
        self.validate_provisioning()?;
        self.validate_invocation()
    }

    /// An error about this function's `field`.
    fn invalid(&self, field: &'static str, message: String) -> Result<(), ConfigError> {
        Err(ConfigError::invalid(
            Some(&self.name),
            Field::Function(field),
            message,
        ))
    }

    /// Memory, `/tmp`, the timeout and the warm start.
    fn validate_sizes(&self) -> Result<(), ConfigError> {
        let memory = Self::MEMORY_MB_RANGE;
        if !memory.contains(&self.memory_mb) {
            let (min, max) = (memory.start(), memory.end());
            return self.invalid("memory_mb", format!("memory_mb must be {min}–{max}"));
        }
        self.validate_memory_scaling()?;
        let storage = Self::EPHEMERAL_STORAGE_MB_RANGE;
        if !storage.contains(&self.ephemeral_storage_mb) {
            let (min, max) = (storage.start(), storage.end());
            let message = format!("ephemeral_storage_mb must be {min}–{max}");
            return self.invalid("ephemeral_storage_mb", message);
        }
        if !TIMEOUT_RANGE.contains(&self.timeout) {
            let (min, max) = (TIMEOUT_RANGE.start(), TIMEOUT_RANGE.end());
            let message = format!(
                "timeout must be {} s to {} s",
                min / NANOS_PER_SEC,
                max / NANOS_PER_SEC
            );
            return self.invalid("timeout", message);
        }
        if self.warm_start > MAX_WARM_START {
            let message = format!("warm_start must be at most {MAX_WARM_START}");
            return self.invalid("warm_start", message);
        }
        Ok(())
    }

    /// The reference memory, CPU-bound share and threads of `memory_scaling`.
    fn validate_memory_scaling(&self) -> Result<(), ConfigError> {
        let Some(scaling) = self.memory_scaling else {
            return Ok(());
        };
        let memory = Self::MEMORY_MB_RANGE;
        if !memory.contains(&scaling.reference_mb) {
            let (min, max) = (memory.start(), memory.end());
            let message = format!("memory_scaling reference_mb must be {min}–{max}");
            return self.invalid("memory_scaling.reference_mb", message);
        }
        if !MemoryScaling::CPU_SHARE_RANGE.contains(&scaling.cpu_share) {
            let message = format!(
                "memory_scaling cpu_share {} is outside 0–1",
                scaling.cpu_share
            );
            return self.invalid("memory_scaling.cpu_share", message);
        }
        let threads = MemoryScaling::THREADS_RANGE;
        if !threads.contains(&scaling.threads) {
            let (min, max) = (threads.start(), threads.end());
            let message = format!("memory_scaling threads must be {min}–{max}");
            return self.invalid("memory_scaling.threads", message);
        }
        Ok(())
    }

    /// SnapStart goes with neither provisioned concurrency nor `/tmp` above 512 MB.
    fn validate_snapstart(&self) -> Result<(), ConfigError> {
        if self.snapstart.is_none() {
            return Ok(());
        }
        let with = |other, fields| {
            Err(ConfigError::SnapStartWith {
                function: self.name.clone(),
                other,
                fields,
            })
        };
        if self.max_provisioned() > 0 {
            const FIELDS: &[Field] = &[
                Field::Function("snapstart"),
                Field::Function("provisioned_concurrency"),
            ];
            return with("provisioned concurrency", FIELDS);
        }
        if self.ephemeral_storage_mb > 512 {
            const FIELDS: &[Field] = &[
                Field::Function("snapstart"),
                Field::Function("ephemeral_storage_mb"),
            ];
            return with("ephemeral storage above 512 MB", FIELDS);
        }
        Ok(())
    }

    /// Autoscaling and the allocation rate.
    fn validate_provisioning(&self) -> Result<(), ConfigError> {
        if let Some(a) = self.provisioning.autoscaling {
            if a.min > a.max {
                let message = format!("autoscaling min {} is above max {}", a.min, a.max);
                return self.invalid("provisioning.autoscaling.max", message);
            }
            let target = AutoscalingConfig::TARGET_UTILIZATION_RANGE;
            if !target.contains(&a.target_utilization) {
                let message = format!(
                    "autoscaling target_utilization {} is outside {}–{}",
                    a.target_utilization,
                    target.start(),
                    target.end()
                );
                return self.invalid("provisioning.autoscaling.target_utilization", message);
            }
        }
        if self.provisioning.allocation_per_minute == Some(0) {
            let message = "allocation_per_minute must be above 0".into();
            return self.invalid("provisioning.allocation_per_minute", message);
        }
        Ok(())
    }

    /// Errors, Lambda's retries of async events and callers' retries.
    fn validate_invocation(&self) -> Result<(), ConfigError> {
        let rate = Self::ERROR_RATE_RANGE;
        if !rate.contains(&self.error_rate) {
            let (min, max) = (rate.start(), rate.end());
            let message = format!("error_rate {} is outside {min}–{max}", self.error_rate);
            return self.invalid("error_rate", message);
        }
        let attempts = AsyncConfig::RETRY_ATTEMPTS_RANGE;
        if !attempts.contains(&self.async_config.retry_attempts) {
            let message = format!(
                "retry_attempts must be {} to {}",
                attempts.start(),
                attempts.end()
            );
            return self.invalid("async_config.retry_attempts", message);
        }
        // Only the upper end of `MAX_EVENT_AGE_RANGE` binds here: an age under AWS's
        // 60 s minimum is how the model's own tests make events expire in a run of
        // seconds. A scenario file gets the whole range.
        let ages = AsyncConfig::MAX_EVENT_AGE_RANGE;
        if self.async_config.max_event_age > *ages.end() {
            let message = format!(
                "max_event_age must be at most {} s",
                ages.end() / NANOS_PER_SEC
            );
            return self.invalid("async_config.max_event_age", message);
        }
        let mapping = match self.invocation {
            InvocationType::Sqs => self.sqs.problem(),
            InvocationType::Stream => self.stream.problem(),
            InvocationType::Sync | InvocationType::Async => None,
        };
        if let Some((field, message)) = mapping {
            return self.invalid(field, message);
        }
        if matches!(
            self.invocation,
            InvocationType::Sqs | InvocationType::Stream
        ) && self.client_retries.is_some()
        {
            let message = "client_retries are for synchronous callers: an event source mapping retries a batch itself".into();
            return self.invalid("client_retries", message);
        }
        if let FrontDoor::Behind {
            route,
            integration_timeout,
        } = self.front_door
        {
            if self.invocation != InvocationType::Sync {
                let message = "front_door is for synchronous functions: API Gateway's Lambda integration waits for the response".into();
                return self.invalid("front_door", message);
            }
            if let Some(problem) = route.and_then(|r| r.problem()) {
                return self.invalid("front_door", format!("front_door: {problem}"));
            }
            if !FrontDoor::INTEGRATION_TIMEOUT_RANGE.contains(&integration_timeout) {
                let message = "front_door: the integration timeout must be 50 ms to 300 s".into();
                return self.invalid("front_door", message);
            }
        }
        if let Some(retries) = self.client_retries
            && retries.attempts > ClientRetries::MAX_ATTEMPTS
        {
            let message = format!(
                "client_retries attempts must be at most {}",
                ClientRetries::MAX_ATTEMPTS
            );
            return self.invalid("client_retries.attempts", message);
        }
        Ok(())
    }
}

impl SimConfig {
    /// The most time-series buckets a run may have: a day at 10 ms, a year at about
    /// 3 s. Beyond that the time series alone takes gigabytes per function and the run
    /// never seems to end; a coarser resolution says the same.
    pub const MAX_BUCKETS: u64 = 10_000_000;

    /// Checks the rules AWS enforces on concurrency settings (see `docs/model.md`,
    /// "Concurrency limits"),
    /// every setting's valid range, and the simulator's own preconditions.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.validate_span()?;
        self.account.validate()?;
        if self.functions.is_empty() {
            let message = "a scenario needs at least one function".into();
            return Err(ConfigError::invalid(None, Field::Run("functions"), message));
        }
        let mut names = std::collections::HashSet::new();
        for f in &self.functions {
            if !names.insert(f.name.as_str()) {
                return Err(ConfigError::DuplicateFunction(f.name.clone()));
            }
            if let Some(reserved) = f.reserved_concurrency
                && f.max_provisioned() > reserved
            {
                return Err(ConfigError::ProvisionedAboveReserved {
                    function: f.name.clone(),
                    provisioned: f.max_provisioned(),
                    reserved,
                });
            }
            f.validate()?;
        }
        self.validate_pool()
    }

    /// The duration and resolution: both above 0, and not too many buckets.
    fn validate_span(&self) -> Result<(), ConfigError> {
        let invalid =
            |field, message: String| Err(ConfigError::invalid(None, Field::Run(field), message));
        if self.duration == 0 {
            return invalid("duration", "duration must be above 0".into());
        }
        if self.resolution == 0 {
            return invalid("resolution", "resolution must be above 0".into());
        }
        if self.duration.div_ceil(self.resolution) > Self::MAX_BUCKETS {
            let message = format!(
                "duration / resolution must be at most {} time-series buckets",
                Self::MAX_BUCKETS
            );
            return invalid("resolution", message);
        }
        Ok(())
    }

    /// The unreserved pool stays at or above the account's minimum.
    fn validate_pool(&self) -> Result<(), ConfigError> {
        let reserved: u64 = self
            .functions
            .iter()
            .filter_map(|f| f.reserved_concurrency.map(u64::from))
            .sum();
        let provisioned: u64 = self
            .functions
            .iter()
            .filter(|f| f.reserved_concurrency.is_none())
            .map(|f| u64::from(f.max_provisioned()))
            .sum();
        let pool = self.unreserved_pool();
        if pool < i64::from(self.account.unreserved_minimum) {
            return Err(ConfigError::PoolUnderMinimum {
                pool,
                limit: self.account.concurrency_limit,
                reserved,
                provisioned,
                minimum: self.account.unreserved_minimum,
            });
        }
        Ok(())
    }

    /// The smallest unreserved pool the run can have: account limit minus all reserved
    /// concurrency minus the most provisioned concurrency that functions without
    /// reserved can ask for ("Understanding Lambda function scaling"). AWS would refuse a
    /// change that takes the
    /// pool under the minimum, so the whole timeline must fit.
    pub fn unreserved_pool(&self) -> i64 {
        let claimed: i64 = self
            .functions
            .iter()
            .map(|f| match f.reserved_concurrency {
                Some(r) => i64::from(r),
                None => i64::from(f.max_provisioned()),
            })
            .sum();
        i64::from(self.account.concurrency_limit) - claimed
    }
}
