//! API Gateway in front of functions (Amazon API Gateway Developer Guide, "Throttle
//! requests to your REST APIs for better throughput in API Gateway"): a token bucket
//! for the account, shared by every function behind it, and optionally one per route.
//! A request the gateway refuses never reaches Lambda: it is a throttle of reason
//! `gateway`, and its caller may retry it as any throttle. A request the gateway lets
//! through has spent its tokens, whatever Lambda then does with it.

use super::*;
use crate::config::GatewayLimit;

/// A full bucket for `limit`: its burst at once, refilled at its rate.
pub(super) fn gateway_bucket(limit: &GatewayLimit) -> TokenBucket {
    TokenBucket::with(limit.burst, limit.rate_per_second.saturating_mul(60))
}

impl Simulation {
    /// Whether a request of `f`, a function behind the gateway, passes it now: the
    /// account's bucket and the route's (if any) both have a token, and both are
    /// spent. Out of line: functions invoked directly never call it.
    #[inline(never)]
    pub(super) fn through_front_door(&mut self, f: usize) -> bool {
        let now = self.now;
        let route = &mut self.functions[f].route;
        if !route.as_mut().is_none_or(|b| b.ready(now)) || !self.gateway.ready(now) {
            return false;
        }
        if let Some(b) = route {
            b.spend();
        }
        self.gateway.spend();
        true
    }
}
