//! Lambda prices in us-east-1 (facts §5) and the bill of one run.

use crate::config::{Architecture, FunctionConfig};
use crate::results::CostBreakdown;

/// Price of one request: $0.20 per million.
pub const PRICE_PER_REQUEST: f64 = 0.20 / 1_000_000.0;

/// Prices per GB-second for one architecture.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GbSecondPrices {
    /// On-demand duration, first tier (Init included since 1 Aug 2025).
    pub on_demand: f64,
    /// Provisioned concurrency, paid while configured, busy or idle.
    pub provisioned: f64,
    /// Duration of invocations served by provisioned environments.
    pub provisioned_duration: f64,
}

/// The per-GB-second prices of an architecture (facts §5, tier 1).
pub fn prices(arch: Architecture) -> GbSecondPrices {
    match arch {
        Architecture::X86_64 => GbSecondPrices {
            on_demand: 0.000_016_666_7,
            provisioned: 0.000_004_166_7,
            provisioned_duration: 0.000_009_722_2,
        },
        Architecture::Arm64 => GbSecondPrices {
            on_demand: 0.000_013_333_4,
            provisioned: 0.000_003_333_4,
            provisioned_duration: 0.000_007_777_8,
        },
    }
}

/// Billable usage of one function, accumulated exactly in integers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Requests billed: every invocation served.
    pub requests: u64,
    /// Billed milliseconds on on-demand environments (each invocation's Init + Invoke
    /// rounded up to the millisecond, facts §5).
    pub on_demand_ms: u64,
    /// Billed milliseconds of invocations on provisioned environments.
    pub provisioned_ms: u64,
    /// Provisioned environments × nanoseconds configured.
    pub provisioned_env_ns: u128,
}

impl Usage {
    /// Adds another usage.
    pub fn add(&mut self, other: &Self) {
        self.requests += other.requests;
        self.on_demand_ms += other.on_demand_ms;
        self.provisioned_ms += other.provisioned_ms;
        self.provisioned_env_ns += other.provisioned_env_ns;
    }

    /// What this usage costs for `function`'s memory size and architecture.
    pub fn bill(&self, function: &FunctionConfig) -> CostBreakdown {
        let gb = f64::from(function.memory_mb) / 1024.0;
        let p = prices(function.architecture);
        let requests = self.requests as f64 * PRICE_PER_REQUEST;
        let duration = self.on_demand_ms as f64 / 1000.0 * gb * p.on_demand;
        let provisioned = self.provisioned_ms as f64 / 1000.0 * gb * p.provisioned_duration
            + self.provisioned_env_ns as f64 / 1e9 * gb * p.provisioned;
        CostBreakdown {
            requests,
            duration,
            provisioned,
            total: requests + duration + provisioned,
        }
    }
}

/// Rounds a duration in nanoseconds up to whole billed milliseconds.
pub fn billed_ms(ns: u64) -> u64 {
    ns.div_ceil(1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_million_one_second_requests_at_1024_mb_cost_16_87() {
        // Worked example from the issue: $0.20 requests + 1,000,000 GB-s × $0.0000166667.
        let mut f = FunctionConfig::new("f");
        f.memory_mb = 1024;
        let usage = Usage {
            requests: 1_000_000,
            on_demand_ms: 1_000_000 * 1000,
            ..Usage::default()
        };
        let bill = usage.bill(&f);
        assert!((bill.total - 16.8667).abs() < 1e-4, "{bill:?}");
        assert!((bill.requests - 0.20).abs() < 1e-12);
    }

    #[test]
    fn provisioned_capacity_is_billed_by_the_gb_second() {
        // 10 environments of 2 GB for an hour: 72,000 GB-s at $0.0000041667.
        let mut f = FunctionConfig::new("f");
        f.memory_mb = 2048;
        let usage = Usage {
            provisioned_env_ns: 10 * 3600 * 1_000_000_000,
            ..Usage::default()
        };
        assert!((usage.bill(&f).provisioned - 72_000.0 * 0.000_004_166_7).abs() < 1e-9);
        f.architecture = Architecture::Arm64;
        assert!((usage.bill(&f).provisioned - 72_000.0 * 0.000_003_333_4).abs() < 1e-9);
    }

    #[test]
    fn durations_round_up_to_the_millisecond() {
        assert_eq!(billed_ms(1), 1);
        assert_eq!(billed_ms(1_000_000), 1);
        assert_eq!(billed_ms(1_000_001), 2);
        assert_eq!(billed_ms(0), 0);
    }
}
