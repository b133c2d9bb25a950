//! The simulated account and its functions, as plain data.
//!
//! The scenario crate builds these from YAML; tests build them directly. Every default
//! here traces to `lambda-facts.md` (see `docs/model.md`).

use crate::dist::DurationDist;
use lambdasim_engine::{NANOS_PER_MS, NANOS_PER_SEC, Nanos};
use serde::Serialize;

/// How new execution environments are rate-limited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScalingMode {
    /// Since Nov 2023: one token bucket per function (facts §1.1).
    PerFunction,
    /// Before Nov 2023: one token bucket shared by the whole account (facts §1.2).
    Legacy,
}

/// A token bucket for new environments: `burst` tokens at most, refilled continuously.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ScalingConfig {
    pub mode: ScalingMode,
    /// Bucket capacity: how many new environments can start at one instant.
    pub burst: u64,
    /// Continuous refill, in tokens per minute (an integer keeps the bucket exact:
    /// 100/s = 6,000/min; legacy 500/min).
    pub refill_per_minute: u64,
}

impl ScalingConfig {
    /// The current per-function rule: 1,000 every 10 s, refilled continuously (facts §1.1.1–1.1.4).
    pub const PER_FUNCTION: Self = Self {
        mode: ScalingMode::PerFunction,
        burst: 1000,
        refill_per_minute: 6000,
    };

    /// The pre-2023 account-wide rule for a region: burst 3,000 / 1,000 / 500, then
    /// 500 per minute (facts §1.2.2).
    pub fn legacy(region: &str) -> Self {
        Self {
            mode: ScalingMode::Legacy,
            burst: legacy_burst(region),
            refill_per_minute: 500,
        }
    }
}

/// The legacy burst quota of a region (facts §1.2.2, 2022 table).
pub fn legacy_burst(region: &str) -> u64 {
    match region {
        "us-west-2" | "us-east-1" | "eu-west-1" => 3000,
        "ap-northeast-1" | "eu-central-1" | "us-east-2" => 1000,
        _ => 500,
    }
}

/// Account-wide settings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AccountConfig {
    /// Region name, used for legacy burst defaults and reports.
    pub region: String,
    /// Concurrency limit shared by all functions (facts §2.1.1: default 1,000).
    pub concurrency_limit: u32,
    /// The unreserved pool may not go below this (facts §2.1.3: 100).
    pub unreserved_minimum: u32,
    pub scaling: ScalingConfig,
    /// Max invocation starts per second per environment; 0 turns the rule off
    /// (facts §2.4: 10 × concurrency).
    pub rps_per_environment: f64,
}

impl Default for AccountConfig {
    fn default() -> Self {
        Self {
            region: "us-east-1".to_string(),
            concurrency_limit: 1000,
            unreserved_minimum: 100,
            scaling: ScalingConfig::PER_FUNCTION,
            rps_per_environment: 10.0,
        }
    }
}

/// CPU architecture: it sets the price (facts §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Architecture {
    X86_64,
    Arm64,
}

/// Which idle environment serves the next request (facts §3.3: undocumented; MRU default).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InvocationType {
    /// The caller waits; a request with no room is throttled (facts §4.1).
    Sync,
}

/// One Lambda function.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FunctionConfig {
    pub name: String,
    pub memory_mb: u32,
    pub architecture: Architecture,
    /// Init phase of a cold start.
    pub init_duration: DurationDist,
    /// Invoke phase.
    pub duration: DurationDist,
    /// An idle on-demand environment is destroyed after this (facts §3.2: 10 min measured).
    pub idle_timeout: Nanos,
    /// An environment older than this is destroyed when next idle (facts §3.2: ~2 h).
    pub max_lifetime: Option<Nanos>,
    pub reuse: ReusePolicy,
    pub reserved_concurrency: Option<u32>,
    /// Static provisioned concurrency, initialised and ready at time 0.
    pub provisioned_concurrency: u32,
    pub invocation: InvocationType,
}

impl FunctionConfig {
    /// A function with every default of `docs/model.md`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            memory_mb: 128,
            architecture: Architecture::X86_64,
            init_duration: DurationDist::Lognormal {
                median: 250 * NANOS_PER_MS,
                p99: 1000 * NANOS_PER_MS,
            },
            duration: DurationDist::Constant(100 * NANOS_PER_MS),
            idle_timeout: 600 * NANOS_PER_SEC,
            max_lifetime: Some(7200 * NANOS_PER_SEC),
            reuse: ReusePolicy::Mru,
            reserved_concurrency: None,
            provisioned_concurrency: 0,
            invocation: InvocationType::Sync,
        }
    }
}

/// Everything one simulation run needs except its traffic.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SimConfig {
    pub seed: u64,
    /// Simulated span; arrivals at or after it are ignored and the run stops there.
    pub duration: Nanos,
    /// Width of one time-series bucket.
    pub resolution: Nanos,
    pub account: AccountConfig,
    pub functions: Vec<FunctionConfig>,
}

/// A configuration AWS would reject, or one the simulator cannot run.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "the unreserved pool would be {pool} (account limit {limit} minus reserved {reserved} minus provisioned {provisioned}), under the unreserved minimum of {minimum}"
    )]
    PoolUnderMinimum {
        pool: i64,
        limit: u32,
        reserved: u64,
        provisioned: u64,
        minimum: u32,
    },
    #[error(
        "function `{function}` has provisioned concurrency {provisioned} above its reserved concurrency {reserved}"
    )]
    ProvisionedAboveReserved {
        function: String,
        provisioned: u32,
        reserved: u32,
    },
    #[error("function name `{0}` is used twice")]
    DuplicateFunction(String),
    #[error("{0}")]
    Invalid(String),
}

impl ConfigError {
    /// The function the error is about, when there is one (to point at its YAML).
    pub fn function(&self) -> Option<&str> {
        match self {
            Self::ProvisionedAboveReserved { function, .. } | Self::DuplicateFunction(function) => {
                Some(function)
            }
            _ => None,
        }
    }
}

impl SimConfig {
    /// Checks the rules AWS enforces on concurrency settings (facts §2.1.3, §2.3.2–2.3.3)
    /// and the simulator's own preconditions.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.duration == 0 {
            return Err(ConfigError::Invalid("duration must be above 0".into()));
        }
        if self.resolution == 0 {
            return Err(ConfigError::Invalid("resolution must be above 0".into()));
        }
        if self.functions.is_empty() {
            return Err(ConfigError::Invalid(
                "a scenario needs at least one function".into(),
            ));
        }
        let mut names = std::collections::HashSet::new();
        for f in &self.functions {
            if !names.insert(f.name.as_str()) {
                return Err(ConfigError::DuplicateFunction(f.name.clone()));
            }
            if let Some(reserved) = f.reserved_concurrency
                && f.provisioned_concurrency > reserved
            {
                return Err(ConfigError::ProvisionedAboveReserved {
                    function: f.name.clone(),
                    provisioned: f.provisioned_concurrency,
                    reserved,
                });
            }
        }
        let reserved: u64 = self
            .functions
            .iter()
            .filter_map(|f| f.reserved_concurrency.map(u64::from))
            .sum();
        let provisioned: u64 = self
            .functions
            .iter()
            .filter(|f| f.reserved_concurrency.is_none())
            .map(|f| u64::from(f.provisioned_concurrency))
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

    /// The unreserved pool: account limit minus all reserved concurrency minus the
    /// provisioned concurrency of functions without reserved (facts §2.2.4).
    pub fn unreserved_pool(&self) -> i64 {
        let claimed: i64 = self
            .functions
            .iter()
            .map(|f| match f.reserved_concurrency {
                Some(r) => i64::from(r),
                None => i64::from(f.provisioned_concurrency),
            })
            .sum();
        i64::from(self.account.concurrency_limit) - claimed
    }
}
