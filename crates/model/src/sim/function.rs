//! A function's run-time state: how an invocation's phases end, and building it from
//! its configuration.

use super::*;
use crate::config::{FrontDoor, SnapStart};
use gateway::gateway_bucket;
use shards::Shards;
use sqs::SqsQueue;

/// The longest an on-demand Init may run before Lambda stops it and runs it again as
/// part of the first invocation, under the function timeout (AWS Lambda Developer
/// Guide, "Understanding the Lambda execution environment lifecycle", Init phase).
/// Provisioned environments initialise without this limit.
pub const ON_DEMAND_INIT_LIMIT: Nanos = 10 * lambdasim_engine::NANOS_PER_SEC;

/// The run-time state of one function. Settings read on every request are copied here
/// from the configuration, next to the state they go with.
///
/// Fields stay in declaration order (`repr(C)`): what every request reads or writes
/// comes first, so that a request touches a few adjacent cache lines of it
/// rather than one line here and one there across its 3 KB; with a hundred functions
/// taking turns, each line is otherwise a cache miss. The same holds inside the
/// metrics, the duration look-ahead, the provisioned state, the idle pools and the
/// rate window. Aligned to a cache line, so that the layout is the same in every
/// function.
#[repr(C, align(64))]
pub(super) struct Function {
    pub(super) invocation: InvocationType,
    /// Requests pass API Gateway first (see `gateway.rs`).
    pub(super) behind_front_door: bool,
    pub(super) idle_timer_pending: bool,
    pub(super) function_timer_pending: bool,
    /// The last request or completion: the function is idle from then on.
    pub(super) last_activity: Nanos,
    pub(super) function_idle_timeout: Option<Nanos>,
    /// The function timeout: no invocation runs longer.
    pub(super) timeout: Nanos,
    /// On-demand environments occupying concurrency.
    pub(super) on_demand_busy: u32,
    pub(super) reserved: Option<u32>,
    pub(super) error_rate: f64,
    /// An environment's lifetime, `Nanos::MAX` for none: checked at every reuse and
    /// completion, where a plain comparison is cheaper than an `Option`'s.
    pub(super) max_lifetime: Nanos,
    pub(super) idle_timeout: Nanos,
    pub(super) idle: IdlePool,
    pub(super) provisioned_idle: IdlePool,
    pub(super) prov: Provisioned,
    /// Invoke durations, one drawn ahead and scaled for memory: `invoke` warms the
    /// latency bin of the next.
    pub(super) durations: Lookahead,
    pub(super) metrics: FunctionMetrics,
    /// The request-rate limit of reserved concurrency (`None`: no reservation, or
    /// the rule is off)...
    pub(super) rate: Option<TokenBucket>,
    /// ...and that of provisioned concurrency, above which requests spill over to
    /// on-demand (see `rate.rs`).
    pub(super) provisioned_rate: Option<TokenBucket>,
    /// The function's route limit at API Gateway, if it has one.
    pub(super) route: Option<TokenBucket>,
    /// How long API Gateway waits for an invocation, when `behind_front_door`.
    pub(super) integration_timeout: Nanos,
    /// Index of the token bucket new environments take from (own, or the account's).
    pub(super) token_bucket: usize,
    /// A new environment's start: Init, or with SnapStart the snapshot's restore.
    pub(super) init: Sampler,
    /// SnapStart: a start past [`SnapStart::RESTORE_LIMIT`] fails rather than running
    /// again inside the invocation.
    pub(super) snapstart: bool,
    pub(super) rng_init: RngStream,
    pub(super) rng_reuse: RngStream,
    pub(super) rng_errors: RngStream,
    /// Asynchronous events waiting after a throttle.
    pub(super) waiting: Waiting,
    /// The SQS queue and its pollers, for an SQS function (boxed: most have none).
    pub(super) sqs: Option<Box<SqsQueue>>,
    /// The stream's shards, for a stream function (boxed: most have none).
    pub(super) shards: Option<Box<Shards>>,
}

impl Function {
    /// The idle pool that environments of this kind (provisioned or not) return to.
    pub(super) fn pool_mut(&mut self, provisioned: bool) -> &mut IdlePool {
        if provisioned {
            &mut self.provisioned_idle
        } else {
            &mut self.idle
        }
    }

    /// On-demand room under reserved concurrency: reserved minus provisioned.
    pub(super) fn reserved_room(&self) -> Option<u32> {
        self.reserved.map(|r| r.saturating_sub(self.prov.claim))
    }

    /// The function's own limit for [`Unreserved::has_room`]: its on-demand room and
    /// on-demand environments, when it has a reservation.
    #[inline]
    pub(super) fn reserved_limit(&self) -> limits::Reserved {
        self.reserved_room().map(|room| (room, self.on_demand_busy))
    }

    /// An invocation's Init and Invoke phases and how it ends, from the drawn Invoke
    /// duration: `init` is a cold start's Init, `reset` says the environment's last
    /// invocation timed out. Inlined for the usual case (a warm start within the
    /// timeout), the rest out of line.
    #[inline(always)]
    pub(super) fn phases(
        &mut self,
        init: Option<Nanos>,
        drawn: Nanos,
        failed: bool,
        reset: bool,
    ) -> (Nanos, Nanos, Outcome) {
        if init.is_none() && !reset && drawn <= self.timeout {
            return (0, drawn, Outcome::of(failed));
        }
        self.rare_phases(init.unwrap_or(0), drawn, failed, reset)
    }

    /// [`phases`](Self::phases) with a cold start, a reset environment or a timeout:
    /// - an environment reset by a timeout runs Init again inside the next invocation
    ///   ("suppressed init", folded into its duration; not a cold start);
    /// - an on-demand Init longer than [`ON_DEMAND_INIT_LIMIT`] is stopped there and
    ///   run again inside the first invocation;
    /// - a SnapStart restore longer than [`SnapStart::RESTORE_LIMIT`] fails there;
    /// - an invocation that reaches the timeout ends there, as an error.
    #[cold]
    #[inline(never)]
    fn rare_phases(
        &mut self,
        mut init: Nanos,
        drawn: Nanos,
        failed: bool,
        reset: bool,
    ) -> (Nanos, Nanos, Outcome) {
        let mut invoke = drawn;
        if reset {
            let again = self.init.sample(&mut self.rng_init);
            if self.snapstart && again > SnapStart::RESTORE_LIMIT {
                // The restore again, folded into the invocation as Init would be.
                self.count_failed_restore(failed);
                return (init, SnapStart::RESTORE_LIMIT, Outcome::Timeout);
            }
            invoke = invoke.saturating_add(again);
        }
        if self.snapstart && init > SnapStart::RESTORE_LIMIT {
            self.count_failed_restore(failed);
            return (SnapStart::RESTORE_LIMIT, 0, Outcome::Timeout);
        }
        if init > ON_DEMAND_INIT_LIMIT {
            invoke = invoke.saturating_add(init);
            init = ON_DEMAND_INIT_LIMIT;
        }
        if invoke > self.timeout {
            let m = &mut self.metrics.bucket;
            m.timeouts += 1;
            m.errors += u64::from(!failed);
            return (init, self.timeout, Outcome::Timeout);
        }
        (init, invoke, Outcome::of(failed))
    }

    /// Counts a SnapStart restore that ran into [`SnapStart::RESTORE_LIMIT`]
    /// (`SnapStartTimeoutException`): the request fails at the limit without running,
    /// an error (counted once if a function error was drawn too), and ends as a
    /// timeout does, so that the environment restores again at its next invocation.
    fn count_failed_restore(&mut self, failed: bool) {
        self.metrics.bucket.errors += u64::from(!failed);
    }

    /// Draws whether the next invocation fails (a function error), and counts it.
    #[inline]
    pub(super) fn draw_error(&mut self) -> bool {
        if self.error_rate <= 0.0 {
            return false;
        }
        let failed = self.rng_errors.random::<f64>() < self.error_rate;
        self.metrics.bucket.errors += u64::from(failed);
        failed
    }
}

/// Builds the run-time state of one function, with its own random streams.
pub(super) fn build_function(
    seed: u64,
    f: &FunctionConfig,
    token_bucket: usize,
    account: &crate::config::AccountConfig,
) -> Result<Function, ConfigError> {
    let rps_per_unit = account.rps_per_environment;
    let sampler = |d: &crate::dist::DurationDist, what: &str| {
        d.sampler()
            .map_err(|e| ConfigError::Invalid(format!("function `{}` {what}: {e}", f.name)))
    };
    let rng = |purpose: &str| RngStream::new(seed, &StreamKey::new([f.name.as_str(), purpose]));
    Ok(Function {
        reserved: f.reserved_concurrency,
        invocation: f.invocation,
        behind_front_door: f.front_door != FrontDoor::Direct,
        route: match f.front_door {
            FrontDoor::Behind { route, .. } => route.map(|r| gateway_bucket(&r)),
            FrontDoor::Direct => None,
        },
        integration_timeout: match f.front_door {
            FrontDoor::Behind {
                integration_timeout,
                ..
            } => integration_timeout,
            FrontDoor::Direct => Nanos::MAX,
        },
        timeout: f.timeout,
        error_rate: invocation_error_rate(f),
        token_bucket,
        // Reserved 0 throttles every request by its concurrency limit (see
        // `no_room_reason`), not by a rate.
        rate: f
            .reserved_concurrency
            .filter(|&r| r > 0)
            .and_then(|r| rate_bucket(rps_per_unit, r)),
        provisioned_rate: rate_bucket(rps_per_unit, f.provisioned_concurrency),
        idle_timeout: f.idle_timeout,
        max_lifetime: f.max_lifetime.unwrap_or(Nanos::MAX),
        init: match &f.snapstart {
            Some(snapstart) => sampler(&snapstart.restore_duration, "restore_duration")?,
            None => sampler(&f.init_duration, "init_duration")?,
        },
        snapstart: f.snapstart.is_some(),
        durations: Lookahead::new(
            sampler(&f.duration, "duration")?,
            rng("duration"),
            f.duration_factor(),
        ),
        rng_init: rng("init"),
        rng_reuse: rng("reuse"),
        rng_errors: rng("errors"),
        idle: IdlePool::new(f.reuse),
        provisioned_idle: IdlePool::new(f.reuse),
        on_demand_busy: 0,
        idle_timer_pending: false,
        function_timer_pending: false,
        last_activity: 0,
        function_idle_timeout: f.function_idle_timeout,
        prov: Provisioned::new(
            f,
            &account.scaling,
            sampler(&f.provisioning.allocation_delay, "allocation_delay")?,
            rng("provisioning"),
        ),
        metrics: FunctionMetrics::new(),
        waiting: Waiting::new(f.async_config.max_event_age),
        sqs: (f.invocation == InvocationType::Sqs)
            .then(|| Box::new(SqsQueue::new(f.sqs, f.error_rate))),
        shards: (f.invocation == InvocationType::Stream).then(|| Box::new(Shards::new(f.stream))),
    })
}

/// The chance that an invocation fails: `error_rate`, except for an SQS function
/// reporting batch item failures, whose invocations succeed and report the messages
/// that failed (drawn per message by `sqs.rs`).
fn invocation_error_rate(f: &FunctionConfig) -> f64 {
    let per_message = f.invocation == InvocationType::Sqs && f.sqs.report_batch_item_failures;
    if per_message { 0.0 } else { f.error_rate }
}
