//! The concurrency limits that apply to a function, named, for the charts' limit lines
//! and the report's tables: one reading of the configuration for both.
//!
//! Reserved and provisioned concurrency carve the account limit into pools
//! (`docs/model.md`, "Concurrency limits"): a function with reserved concurrency runs
//! at most that many at once, its provisioned environments included; a function without
//! runs its provisioned environments plus on-demand ones from the unreserved pool it
//! shares, so it can reach its provisioned concurrency plus the pool, never more than
//! the account limit.

use crate::table::thousands;
use lambdasim_model::{FunctionConfig, SimConfig};

/// The limits of one function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FunctionLimits {
    pub account: u32,
    pub reserved: Option<u32>,
    /// The most provisioned concurrency the function asks for during the run.
    pub provisioned: u32,
    /// Whether the provisioned concurrency changes (a schedule or autoscaling).
    pub provisioned_changes: bool,
    /// The smallest the unreserved pool gets during the run (what every function
    /// without reserved concurrency shares).
    pub pool: u32,
}

impl FunctionLimits {
    pub fn of(config: &SimConfig, f: &FunctionConfig) -> Self {
        let account = config.account.concurrency_limit;
        Self {
            account,
            reserved: f.reserved_concurrency,
            provisioned: f.max_provisioned(),
            provisioned_changes: !f.provisioning.schedule.is_empty()
                || f.provisioning.autoscaling.is_some(),
            pool: config.unreserved_pool().clamp(0, i64::from(account)) as u32,
        }
    }

    /// Looks the function up by name; `None` if the configuration has no such function.
    pub fn find(config: &SimConfig, name: &str) -> Option<Self> {
        config
            .functions
            .iter()
            .find(|f| f.name == name)
            .map(|f| Self::of(config, f))
    }

    /// The most concurrent executions the function can reach: its reserved
    /// concurrency, or its provisioned concurrency plus the unreserved pool (within the
    /// account limit).
    pub fn reach(&self) -> u32 {
        match self.reserved {
            Some(r) => r,
            None => self.pool.saturating_add(self.provisioned).min(self.account),
        }
    }

    /// The provisioned concurrency, named: `provisioned 300` or `provisioned up to 600`.
    fn provisioned_text(&self, number: fn(u32) -> String) -> String {
        if self.provisioned_changes {
            format!("provisioned up to {}", number(self.provisioned))
        } else {
            format!("provisioned {}", number(self.provisioned))
        }
    }

    /// What [`reach`](Self::reach) is made of, each limit named: `reserved 400 (of it
    /// provisioned 300)`, `provisioned 900 + unreserved pool 100`, `unreserved pool 600
    /// of the account limit 1,000` or `account limit 1,000`.
    pub fn describe(&self) -> String {
        let n = |v: u32| thousands(u64::from(v));
        match self.reserved {
            Some(r) if self.provisioned > 0 => {
                format!("reserved {} (of it {})", n(r), self.provisioned_text(n))
            }
            Some(r) => format!("reserved {}", n(r)),
            None if self.provisioned > 0 => {
                let mut text = format!(
                    "{} + unreserved pool {}",
                    self.provisioned_text(n),
                    n(self.pool)
                );
                if self.pool.saturating_add(self.provisioned) > self.account {
                    text.push_str(&format!(", within the account limit {}", n(self.account)));
                }
                text
            }
            None if self.pool < self.account => format!(
                "unreserved pool {} of the account limit {}",
                n(self.pool),
                n(self.account)
            ),
            None => format!("account limit {}", n(self.account)),
        }
    }
}

/// How the account limit is shared out: reserved, provisioned (of functions without
/// reserved concurrency) and the unreserved pool left; `None` when nothing is reserved
/// or provisioned, so the whole limit is one pool.
pub fn account_split(config: &SimConfig) -> Option<String> {
    let reserved: u64 = config
        .functions
        .iter()
        .filter_map(|f| f.reserved_concurrency)
        .map(u64::from)
        .sum();
    let provisioned: u64 = config
        .functions
        .iter()
        .filter(|f| f.reserved_concurrency.is_none())
        .map(|f| u64::from(f.max_provisioned()))
        .sum();
    if reserved == 0 && provisioned == 0 {
        return None;
    }
    let mut parts = Vec::new();
    if reserved > 0 {
        parts.push(format!("reserved {}", thousands(reserved)));
    }
    if provisioned > 0 {
        let changes = config.functions.iter().any(|f| {
            f.reserved_concurrency.is_none()
                && (!f.provisioning.schedule.is_empty() || f.provisioning.autoscaling.is_some())
        });
        let up_to = if changes { "up to " } else { "" };
        parts.push(format!("provisioned {up_to}{}", thousands(provisioned)));
    }
    let pool = config
        .unreserved_pool()
        .clamp(0, i64::from(config.account.concurrency_limit));
    parts.push(format!("unreserved pool {}", thousands(pool as u64)));
    Some(parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambdasim_model::FunctionConfig;

    fn config(functions: Vec<FunctionConfig>) -> SimConfig {
        SimConfig {
            seed: 1,
            duration: 60_000_000_000,
            resolution: 1_000_000_000,
            account: Default::default(),
            functions,
            billing: Default::default(),
        }
    }

    #[test]
    fn provisioned_without_reserved_reaches_past_the_pool() {
        // The case: 900 provisioned and no reserved leave a pool of 100, and
        // the function can still run 1,000 at once.
        let mut api = FunctionConfig::new("api");
        api.provisioned_concurrency = 900;
        let c = config(vec![api]);
        let l = FunctionLimits::of(&c, &c.functions[0]);
        assert_eq!(l.pool, 100);
        assert_eq!(l.reach(), 1000);
        assert_eq!(l.describe(), "provisioned 900 + unreserved pool 100");
        assert_eq!(
            account_split(&c).as_deref(),
            Some("provisioned 900, unreserved pool 100")
        );
    }

    #[test]
    fn each_limit_is_named() {
        let mut checkout = FunctionConfig::new("checkout");
        checkout.reserved_concurrency = Some(400);
        checkout.provisioned_concurrency = 300;
        let batch = FunctionConfig::new("batch");
        let c = config(vec![checkout, batch]);
        let checkout = FunctionLimits::of(&c, &c.functions[0]);
        assert_eq!(checkout.reach(), 400);
        assert_eq!(checkout.describe(), "reserved 400 (of it provisioned 300)");
        let batch = FunctionLimits::find(&c, "batch").unwrap();
        assert_eq!(batch.reach(), 600);
        assert_eq!(
            batch.describe(),
            "unreserved pool 600 of the account limit 1,000"
        );
        assert_eq!(
            account_split(&c).as_deref(),
            Some("reserved 400, unreserved pool 600")
        );
        let alone = config(vec![FunctionConfig::new("f")]);
        let f = FunctionLimits::of(&alone, &alone.functions[0]);
        assert_eq!(f.describe(), "account limit 1,000");
        assert_eq!(account_split(&alone), None);
    }

    #[test]
    fn changing_provisioned_concurrency_is_named_by_its_most() {
        let mut api = FunctionConfig::new("api");
        api.provisioned_concurrency = 50;
        api.provisioning
            .schedule
            .push(lambdasim_model::ScheduledValue {
                at: 10_000_000_000,
                value: 320,
            });
        let c = config(vec![api]);
        let l = FunctionLimits::of(&c, &c.functions[0]);
        assert_eq!(l.pool, 680);
        assert_eq!(l.describe(), "provisioned up to 320 + unreserved pool 680");
        assert_eq!(
            account_split(&c).as_deref(),
            Some("provisioned up to 320, unreserved pool 680")
        );
    }
}
