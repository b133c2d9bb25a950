//! The bill of one run, from billable usage and a [`PriceTable`](crate::pricing::PriceTable).
//!
//! Usage is accumulated exactly in integers while the run goes; prices apply at the
//! end, at account level, because the duration tiers and the free tier are
//! account-wide and monthly (AWS Lambda pricing page): they apply per month of
//! simulated time, pro-rated for a part of a month.

use crate::config::{Architecture, BillingConfig, FunctionConfig};
use crate::pricing::PriceTable;
use crate::results::CostBreakdown;
use lambdasim_engine::{NANOS_PER_SEC, Nanos};

/// Monthly free tier: requests (AWS Lambda pricing page), pro-rated like the tiers.
pub const FREE_REQUESTS: f64 = 1_000_000.0;
/// Monthly free tier: on-demand GB-seconds, x86 and Arm combined (same page).
pub const FREE_GB_S: f64 = 400_000.0;
/// A billing month of simulated time: 730 hours, the month AWS's pricing examples and
/// Pricing Calculator use.
pub const MONTH: Nanos = 730 * 3600 * NANOS_PER_SEC;

/// What `gb_s` GB-seconds of on-demand duration cost in one month, tier by tier, with
/// each tier's size multiplied by `fraction` (the share of a month the usage covers).
pub fn tiered_cost(gb_s: f64, tiers: &[(f64, f64); 3], fraction: f64) -> f64 {
    let mut left = gb_s;
    let mut cost = 0.0;
    for &(size, price) in tiers {
        let used = left.min(size * fraction);
        cost += used * price;
        left -= used;
        if left <= 0.0 {
            break;
        }
    }
    cost
}

/// Billable usage of one function, accumulated exactly in integers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Requests billed: every invocation started.
    pub requests: u64,
    /// Billed milliseconds of Invoke on on-demand environments (each invocation rounded
    /// up to the millisecond together with its Init, "AWS Lambda pricing").
    pub on_demand_ms: u64,
    /// The Init part of on-demand billed milliseconds.
    pub init_ms: u64,
    /// Billed milliseconds of invocations on provisioned environments.
    pub provisioned_ms: u64,
    /// Billed milliseconds of Init of provisioned environments (allocation, recycling).
    pub provisioned_init_ms: u64,
    /// Provisioned concurrency configured × nanoseconds, as billed (see
    /// `ProvisionedBill`).
    pub provisioned_env_ns: u128,
    /// On-demand environments started: with SnapStart, each a restore.
    pub on_demand_starts: u64,
    /// The simulated time the usage covers: with SnapStart, the snapshot is cached
    /// throughout.
    pub span_ns: u64,
}

impl Usage {
    /// Adds another usage.
    pub fn add(&mut self, other: &Self) {
        self.requests += other.requests;
        self.on_demand_ms += other.on_demand_ms;
        self.init_ms += other.init_ms;
        self.provisioned_ms += other.provisioned_ms;
        self.provisioned_init_ms += other.provisioned_init_ms;
        self.provisioned_env_ns += other.provisioned_env_ns;
        self.on_demand_starts += other.on_demand_starts;
        self.span_ns += other.span_ns;
    }

    /// Records one invocation: `init` and `invoke` nanoseconds, rounded up together.
    pub fn invocation(&mut self, provisioned: bool, init: u64, invoke: u64) {
        self.requests += 1;
        if provisioned {
            self.provisioned_ms = self.provisioned_ms.saturating_add(billed_ms(invoke));
        } else {
            // A warm invocation (no Init, the usual case) bills its Invoke alone.
            let invoke_ms = billed_ms(invoke);
            let total = if init == 0 {
                invoke_ms
            } else {
                billed_ms(init.saturating_add(invoke))
            };
            self.on_demand_ms = self.on_demand_ms.saturating_add(total);
            self.init_ms = self.init_ms.saturating_add(total - invoke_ms.min(total));
        }
    }

    /// Billed on-demand milliseconds, with or without Init.
    fn on_demand_billed_ms(&self, billing: &BillingConfig) -> u64 {
        if billing.init {
            self.on_demand_ms
        } else {
            self.on_demand_ms - self.init_ms
        }
    }

    /// On-demand GB-seconds, with or without Init.
    fn on_demand_gb_s(&self, gb: f64, billing: &BillingConfig) -> f64 {
        self.on_demand_billed_ms(billing) as f64 / 1000.0 * gb
    }

    /// The bill at first-tier prices, without free tier: used for each time bucket and
    /// as the starting point of the account's bill.
    pub fn bill(&self, function: &FunctionConfig, billing: &BillingConfig) -> CostBreakdown {
        let gb = f64::from(function.memory_mb) / 1024.0;
        let prices = &billing.prices;
        let p = prices.arch(function.architecture);
        let requests = self.requests as f64 * prices.request;
        let duration = self.on_demand_gb_s(gb, billing) * p.on_demand();
        let init = if billing.init {
            self.init_ms as f64 / 1000.0 * gb * p.on_demand()
        } else {
            0.0
        };
        let provisioned_capacity = self.provisioned_env_ns as f64 / 1e9 * gb * p.provisioned;
        let provisioned_duration = (self.provisioned_ms + self.provisioned_init_ms) as f64 / 1000.0
            * gb
            * p.provisioned_duration;
        let extra_gb = f64::from(function.ephemeral_storage_mb.saturating_sub(512)) / 1024.0;
        // Storage is billed for the same time as duration: without Init when Init is not.
        let billed_ms =
            self.on_demand_billed_ms(billing) + self.provisioned_ms + self.provisioned_init_ms;
        let billed_s = billed_ms as f64 / 1000.0;
        let ephemeral_storage = extra_gb * billed_s * prices.ephemeral_gb_s;
        let provisioned = provisioned_capacity + provisioned_duration;
        let snapstart = self.snapstart_cost(function, gb, prices);
        CostBreakdown {
            requests,
            duration,
            provisioned,
            total: requests + duration + provisioned + ephemeral_storage + snapstart,
            snapstart,
            init,
            provisioned_capacity,
            provisioned_duration,
            ephemeral_storage,
            free_tier: 0.0,
        }
    }
}

impl Usage {
    /// SnapStart's charges for runtimes that pay them: the snapshot cached for the
    /// whole span (the version is active before and after the run, so AWS's minimum
    /// of three hours per version does not apply to a window of it) and a restore per
    /// new environment, both per GB of memory.
    fn snapstart_cost(&self, function: &FunctionConfig, gb: f64, prices: &PriceTable) -> f64 {
        match &function.snapstart {
            Some(s) if s.runtime.pays_for_snapshots() => {
                let cache = self.span_ns as f64 / 1e9 * gb * prices.snapstart_cache_gb_s;
                let restores = self.on_demand_starts as f64 * gb * prices.snapstart_restore_gb;
                cache + restores
            }
            _ => 0.0,
        }
    }
}

/// The account's bill over a run of `span`, one breakdown per function; `usages[f][m]`
/// is function `f`'s usage in month `m` of simulated time (see [`MONTH`]). Each month
/// is billed on its own, its tiers and free tier pro-rated when the run covers only
/// part of it.
pub fn bill_account(
    functions: &[FunctionConfig],
    usages: &[Vec<Usage>],
    span: Nanos,
    billing: &BillingConfig,
) -> Vec<CostBreakdown> {
    let months = span.div_ceil(MONTH).max(1) as usize;
    let mut bills = vec![CostBreakdown::default(); functions.len()];
    for m in 0..months {
        let start = m as u64 * MONTH;
        let fraction = (span.min(start + MONTH) - start) as f64 / MONTH as f64;
        let month: Vec<Usage> = usages
            .iter()
            .map(|u| u.get(m).copied().unwrap_or_default())
            .collect();
        for (bill, month_bill) in bills
            .iter_mut()
            .zip(bill_month(functions, &month, fraction, billing))
        {
            bill.add(&month_bill);
        }
    }
    bills
}

/// One month's bill (`fraction` of a month): the duration tiers apply to each
/// architecture's total on-demand GB-seconds and are shared out in proportion, Init
/// included at the same rates; the free tier (when enabled) is shared out among
/// functions without provisioned concurrency, to which it does not apply.
fn bill_month(
    functions: &[FunctionConfig],
    usages: &[Usage],
    fraction: f64,
    billing: &BillingConfig,
) -> Vec<CostBreakdown> {
    let gb = |f: &FunctionConfig| f64::from(f.memory_mb) / 1024.0;
    let gb_s: Vec<f64> = functions
        .iter()
        .zip(usages)
        .map(|(f, u)| u.on_demand_gb_s(gb(f), billing))
        .collect();
    let arch_total = |arch: Architecture| -> f64 {
        functions
            .iter()
            .zip(&gb_s)
            .filter(|(f, _)| f.architecture == arch)
            .map(|(_, g)| g)
            .sum()
    };
    let eligible = |f: &FunctionConfig| f.max_provisioned() == 0;
    let free_requests_base: f64 = functions
        .iter()
        .zip(usages)
        .filter(|(f, _)| eligible(f))
        .map(|(_, u)| u.requests as f64)
        .sum();
    let free_gb_s_base: f64 = functions
        .iter()
        .zip(&gb_s)
        .filter(|(f, _)| eligible(f))
        .map(|(_, g)| g)
        .sum();

    functions
        .iter()
        .zip(usages)
        .zip(&gb_s)
        .map(|((f, usage), &own_gb_s)| {
            let mut bill = usage.bill(f, billing);
            let p = billing.prices.arch(f.architecture);
            let total_gb_s = arch_total(f.architecture);
            if total_gb_s > 0.0 && bill.duration > 0.0 {
                let tiered =
                    tiered_cost(total_gb_s, &p.on_demand_tiers, fraction) * own_gb_s / total_gb_s;
                // Init is part of duration and priced as it is.
                bill.init *= tiered / bill.duration;
                bill.total += tiered - bill.duration;
                bill.duration = tiered;
            }
            if billing.free_tier && eligible(f) {
                let share = |base: f64, own: f64| if base > 0.0 { own / base } else { 0.0 };
                let free_req = (FREE_REQUESTS * fraction).min(free_requests_base)
                    * share(free_requests_base, usage.requests as f64);
                let free_gb =
                    (FREE_GB_S * fraction).min(free_gb_s_base) * share(free_gb_s_base, own_gb_s);
                bill.free_tier = (free_req * billing.prices.request + free_gb * p.on_demand())
                    .min(bill.requests + bill.duration);
                bill.total -= bill.free_tier;
            }
            bill
        })
        .collect()
}

/// Rounds a duration in nanoseconds up to whole billed milliseconds.
pub fn billed_ms(ns: u64) -> u64 {
    ns.div_ceil(1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::PriceTable;

    const STORAGE: f64 = 0.000_000_030_9;

    fn one_function(memory_mb: u32) -> FunctionConfig {
        let mut f = FunctionConfig::new("f");
        f.memory_mb = memory_mb;
        f
    }

    fn million_one_second_requests() -> Usage {
        let mut usage = Usage::default();
        for _ in 0..1_000_000 {
            usage.invocation(false, 0, 1_000_000_000);
        }
        usage
    }

    /// The bill of one function's usage, all in one month of a run of `span`.
    fn bill_one(
        f: FunctionConfig,
        usage: Usage,
        span: Nanos,
        billing: &BillingConfig,
    ) -> CostBreakdown {
        bill_account(&[f], &[vec![usage]], span, billing).remove(0)
    }

    #[test]
    fn one_million_one_second_requests_at_1024_mb_cost_16_87() {
        // $0.20 + 1,000,000 GB-s × $0.0000166667, within a month's first tier.
        let bill = bill_one(
            one_function(1024),
            million_one_second_requests(),
            MONTH,
            &BillingConfig::default(),
        );
        assert!((bill.total - 16.8667).abs() < 1e-4, "{bill:?}");
        assert!((bill.requests - 0.20).abs() < 1e-12);
    }

    #[test]
    fn the_free_tier_covers_a_million_requests_and_400000_gb_s_a_month() {
        let billing = BillingConfig {
            free_tier: true,
            ..BillingConfig::default()
        };
        let bill = bill_one(
            one_function(1024),
            million_one_second_requests(),
            MONTH,
            &billing,
        );
        // 1,000,000 GB-s used, 400,000 free: 600,000 × $0.0000166667 = $10.00.
        let want = 600_000.0 * 0.000_016_666_7;
        assert!((bill.total - want).abs() < 1e-6, "{bill:?}");
    }

    #[test]
    fn a_day_gets_a_days_share_of_the_monthly_free_tier() {
        let billing = BillingConfig {
            free_tier: true,
            ..BillingConfig::default()
        };
        let day = 24 * 3600 * NANOS_PER_SEC;
        let bill = bill_one(
            one_function(1024),
            million_one_second_requests(),
            day,
            &billing,
        );
        let share = 24.0 / 730.0;
        let free = FREE_REQUESTS * share * 0.20 / 1e6 + FREE_GB_S * share * 0.000_016_666_7;
        assert!(
            (bill.free_tier - free).abs() < 1e-9,
            "{} vs {free}",
            bill.free_tier
        );
    }

    #[test]
    fn tiers_apply_to_each_month_of_simulated_time() {
        // 5 billion GB-s in each of two months stays in tier 1 both times; the same
        // 10 billion in one month would pass 6 billion into tier 2.
        let usage = Usage {
            on_demand_ms: 5_000_000_000_000, // 5e9 GB-s at 1 GB
            ..Usage::default()
        };
        let f = one_function(1024);
        let billing = BillingConfig::default();
        let two_months = bill_account(
            std::slice::from_ref(&f),
            &[vec![usage, usage]],
            2 * MONTH,
            &billing,
        );
        assert!((two_months[0].duration - 1e10 * 0.000_016_666_7).abs() < 1e-3);
        let mut both = usage;
        both.add(&usage);
        let one_month = bill_one(f, both, MONTH, &billing);
        let want = 6e9 * 0.000_016_666_7 + 4e9 * 0.000_015;
        assert!((one_month.duration - want).abs() < 1e-3);
    }

    #[test]
    fn a_week_reaches_the_second_tier_at_a_weeks_share_of_its_size() {
        let tiers = PriceTable::default().x86_64.on_demand_tiers;
        let fraction = 168.0 / 730.0;
        let cost = tiered_cost(2e9, &tiers, fraction);
        let first = 6e9 * fraction;
        let want = first * 0.000_016_666_7 + (2e9 - first) * 0.000_015;
        assert!((cost - want).abs() / want < 1e-12);
    }

    #[test]
    fn init_is_priced_at_the_tiered_rate_like_the_rest_of_duration() {
        // Past the first tier, Init's share of duration costs what duration costs: it
        // can never exceed the duration it is part of.
        let usage = Usage {
            on_demand_ms: 10_000_000_000_000,
            init_ms: 10_000_000_000_000,
            ..Usage::default()
        };
        let bill = bill_one(one_function(1024), usage, MONTH, &BillingConfig::default());
        assert!((bill.init - bill.duration).abs() < 1e-6, "{bill:?}");
        assert!(bill.duration < 1e10 * 0.000_016_666_7);
    }

    #[test]
    fn the_free_tier_does_not_apply_to_functions_with_provisioned_concurrency() {
        let mut f = one_function(1024);
        f.provisioned_concurrency = 1;
        let billing = BillingConfig {
            free_tier: true,
            ..BillingConfig::default()
        };
        let bill = bill_one(f, million_one_second_requests(), MONTH, &billing);
        assert_eq!(bill.free_tier, 0.0);
    }

    #[test]
    fn duration_tiers_apply_to_the_architectures_total() {
        let tiers = PriceTable::default().x86_64.on_demand_tiers;
        let cost = tiered_cost(16e9, &tiers, 1.0);
        let want = 6e9 * 0.000_016_666_7 + 9e9 * 0.000_015 + 1e9 * 0.000_013_333_4;
        assert!((cost - want).abs() / want < 1e-12);
    }

    #[test]
    fn provisioned_capacity_is_billed_by_the_gb_second_at_the_regions_price() {
        // 10 environments of 2 GB for an hour: 72,000 GB-s at $0.0000041667.
        let mut f = one_function(2048);
        let usage = Usage {
            provisioned_env_ns: 10 * 3600 * 1_000_000_000,
            ..Usage::default()
        };
        let mut billing = BillingConfig::default();
        assert!((usage.bill(&f, &billing).provisioned - 72_000.0 * 0.000_004_166_7).abs() < 1e-9);
        f.architecture = Architecture::Arm64;
        assert!((usage.bill(&f, &billing).provisioned - 72_000.0 * 0.000_003_333_4).abs() < 1e-9);
        billing.prices = PriceTable::region("eu-central-1").unwrap();
        f.architecture = Architecture::X86_64;
        assert!((usage.bill(&f, &billing).provisioned - 72_000.0 * 0.000_005_014_7).abs() < 1e-9);
    }

    #[test]
    fn init_billing_can_be_turned_off() {
        let f = one_function(1024);
        let mut usage = Usage::default();
        usage.invocation(false, 300_000_000, 100_000_000);
        let on = usage.bill(&f, &BillingConfig::default());
        let off = usage.bill(
            &f,
            &BillingConfig {
                init: false,
                ..BillingConfig::default()
            },
        );
        assert!((on.duration - 0.4 * 0.000_016_666_7).abs() < 1e-15);
        assert!((off.duration - 0.1 * 0.000_016_666_7).abs() < 1e-15);
        assert!((on.init - 0.3 * 0.000_016_666_7).abs() < 1e-15);
    }

    #[test]
    fn ephemeral_storage_above_512_mb_is_billed() {
        let mut f = one_function(1024);
        f.ephemeral_storage_mb = 512 + 1024;
        let mut usage = Usage::default();
        usage.invocation(false, 0, 10_000_000_000);
        let bill = usage.bill(&f, &BillingConfig::default());
        assert!((bill.ephemeral_storage - 10.0 * STORAGE).abs() < 1e-15);
    }

    #[test]
    fn ephemeral_storage_follows_init_billing() {
        let mut f = one_function(1024);
        f.ephemeral_storage_mb = 512 + 1024;
        let mut usage = Usage::default();
        usage.invocation(false, 9_000_000_000, 1_000_000_000);
        let billed = |init| {
            let billing = BillingConfig {
                init,
                ..BillingConfig::default()
            };
            usage.bill(&f, &billing).ephemeral_storage / STORAGE
        };
        assert!((billed(true) - 10.0).abs() < 1e-9);
        assert!((billed(false) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn durations_round_up_to_the_millisecond() {
        assert_eq!(billed_ms(1), 1);
        assert_eq!(billed_ms(1_000_000), 1);
        assert_eq!(billed_ms(1_000_001), 2);
        assert_eq!(billed_ms(0), 0);
    }
}
