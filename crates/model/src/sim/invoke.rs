//! The request path: an arrival, the limits it must pass, the environment it runs on,
//! and the invocation's start and end.

use super::*;

/// The environment an invocation starts on, as [`Simulation::environment_for`] found
/// it: what `invoke` needs without reading the environment again.
pub(super) struct Start {
    pub(super) id: EnvId,
    /// A provisioned environment (else on demand).
    pub(super) provisioned: bool,
    /// The Init to run first: the environment is new (a cold start).
    pub(super) init: Option<Nanos>,
}

impl Simulation {
    /// A request arrives from a traffic stream.
    pub(super) fn arrive(&mut self, f: usize, duration: Option<Nanos>) {
        self.functions[f].last_activity = self.now;
        match self.functions[f].invocation {
            InvocationType::Async => self.enqueue_async(f, duration),
            InvocationType::Sync => self.request_sync(f, duration, 0),
            // A batch's duration is drawn: one message's own duration does not set it.
            InvocationType::Sqs | InvocationType::Stream => self.mapping_receive(f),
        }
    }

    /// A message or record for an event source mapping: out of line, so that the
    /// request path's match keeps three arms.
    #[cold]
    #[inline(never)]
    fn mapping_receive(&mut self, f: usize) {
        match self.functions[f].invocation {
            InvocationType::Sqs => self.sqs_send(f),
            InvocationType::Stream => self.stream_put(f),
            InvocationType::Sync | InvocationType::Async => {}
        }
    }

    /// Tries to start an invocation of `f`. `pending` is the asynchronous event or
    /// client retry being served, or `NONE`.
    pub(super) fn serve(
        &mut self,
        f: usize,
        duration: Option<Nanos>,
        pending: PendingId,
    ) -> Result<(), Reason> {
        let start = self.environment_for(f)?;
        // The one call of `invoke`, which the compiler then inlines.
        self.invoke(f, start, duration, pending);
        Ok(())
    }

    /// The environment a request of `f` runs on, now busy: an idle provisioned
    /// environment first, then a warm on-demand one, then a new one, each subject to
    /// the limits. A synchronous request first needs room under the request-rate
    /// limits (see `rate.rs`).
    #[inline(always)]
    pub(super) fn environment_for(&mut self, f: usize) -> Result<Start, Reason> {
        let sync = self.functions[f].invocation == InvocationType::Sync;
        if sync && self.rate_limited(f) {
            // Reserved concurrency 0 refuses everything itself, rate or not.
            return Err(match self.functions[f].reserved {
                Some(0) => Reason::ReservedLimit,
                _ => Reason::RpsLimit,
            });
        }
        let now = self.now;
        let func = &mut self.functions[f];
        // Above its rate limit, provisioned concurrency spills requests over to
        // on-demand.
        if func.provisioned_idle.len() > 0
            && (!sync || func.provisioned_rate.as_mut().is_none_or(|b| b.ready(now)))
            && let Some(id) = func
                .provisioned_idle
                .take(&mut self.envs, &mut func.rng_reuse)
        {
            self.transition(id, EnvState::Idle, EnvState::Busy);
            return Ok(Start {
                id,
                provisioned: true,
                init: None,
            });
        }
        if !self.has_room(f) {
            return Err(self.no_room_reason(f));
        }
        if let Some(id) = self.take_warm(f) {
            self.transition(id, EnvState::Idle, EnvState::Busy);
            return Ok(Start {
                id,
                provisioned: false,
                init: None,
            });
        }
        let bucket = self.functions[f].token_bucket;
        if !self.buckets[bucket].try_take(self.now) {
            return Err(Reason::ScalingRate);
        }
        let id = self.create_env(f, EnvState::Init, false);
        let func = &mut self.functions[f];
        Ok(Start {
            id,
            provisioned: false,
            init: Some(func.init.sample(&mut func.rng_init)),
        })
    }

    /// Whether an on-demand invocation of `f` fits under its reserved concurrency or
    /// in the unreserved pool.
    pub(super) fn has_room(&self, f: usize) -> bool {
        self.unreserved.has_room(self.functions[f].reserved_limit())
    }

    /// Whether a synchronous request finds the account's request-rate limit, or its
    /// reservation's, used up.
    #[inline(always)]
    pub(super) fn rate_limited(&mut self, f: usize) -> bool {
        let now = self.now;
        if self.account_rate.as_mut().is_some_and(|b| !b.ready(now)) {
            return true;
        }
        let rate = &mut self.functions[f].rate;
        rate.as_mut().is_some_and(|b| !b.ready(now))
    }

    /// Which concurrency limit refused a request that found no room.
    pub(super) fn no_room_reason(&self, f: usize) -> Reason {
        Unreserved::no_room_reason(self.functions[f].reserved_limit())
    }

    /// Counts a throttle.
    pub(super) fn count_throttle(&mut self, f: usize, reason: Reason) {
        self.count_throttles(f, reason, 1);
    }

    /// Counts `n` throttles.
    pub(super) fn count_throttles(&mut self, f: usize, reason: Reason, n: u64) {
        let t = &mut self.functions[f].metrics.bucket.throttles;
        let counter = match reason {
            Reason::ReservedLimit => &mut t.reserved_limit,
            Reason::AccountLimit => &mut t.account_limit,
            Reason::ScalingRate => &mut t.scaling_rate,
            Reason::RpsLimit => &mut t.rps_limit,
            Reason::Gateway => &mut t.gateway,
        };
        *counter += n;
    }

    /// Starts an invocation of function `f` on the environment `start` names.
    pub(super) fn invoke(
        &mut self,
        f: usize,
        start: Start,
        duration: Option<Nanos>,
        pending: PendingId,
    ) {
        let Start {
            id,
            provisioned,
            init,
        } = start;
        let now = self.now;
        let func = &mut self.functions[f];
        let drawn = match duration {
            Some(given) => func.durations.scaled(given),
            None => func.durations.take(),
        };
        let failed = func.draw_error();
        let reset = self.envs[id].outcome == Outcome::Timeout;
        let (init_ns, duration, outcome) = func.phases(init, drawn, failed, reset);
        let start = now.saturating_add(init_ns);
        let m = &mut func.metrics;
        m.bucket.invocations += 1;
        m.usage_bucket.invocation(provisioned, init_ns, duration);
        if provisioned {
            m.bucket.provisioned_invocations += 1;
            func.prov.minute_invocations += 1;
        } else if func.prov.desired > 0 {
            m.bucket.spillover_invocations += 1;
        }
        if init.is_some() {
            m.bucket.cold_starts += 1;
            m.usage_bucket.on_demand_starts += 1;
            self.queue.schedule(start, Event::InitDone(id));
        }
        let latency = init_ns.saturating_add(duration);
        m.record_latency(latency);
        if func.behind_front_door && latency > func.integration_timeout {
            m.bucket.gateway_timeouts += 1;
        }
        // The bin of the next warm invocation, loaded now: with many functions their
        // histograms fall out of the cache between two invocations of one function.
        let next = func.durations.peek();
        m.warm_latency(next);
        // And where the next two completions will be filed (about as far ahead).
        self.queue
            .warm_slot(now.wrapping_add(func.durations.peek_after()));
        self.queue.warm_end(now.wrapping_add(next));
        // A synchronous start spends the tokens `environment_for` found ready.
        if func.invocation == InvocationType::Sync {
            if let Some(b) = &mut func.rate {
                b.spend();
            }
            if provisioned && let Some(b) = &mut func.provisioned_rate {
                b.spend();
            }
            if let Some(b) = &mut self.account_rate {
                b.spend();
            }
        }
        let env = &mut self.envs[id];
        env.outcome = outcome;
        env.has_pending = pending != PendingId::NONE;
        if env.has_pending {
            self.envs.cold_mut(id).pending = pending;
        }
        // Times saturate: a duration near the clock's limit ends at the end of time
        // (after the run), never wrapped into the past.
        let end = start.saturating_add(duration);
        self.queue.schedule(end, Event::InvokeDone(id));
        // Every invocation takes concurrency here: a function waiting for a scaling
        // token may have lost its room too.
        if !self.suspended.is_empty() {
            self.recheck_reasons();
        }
    }

    /// An event source mapping's batch ended and its environment is free: the mapping
    /// reads again (out of line, off the path of other invocations).
    #[cold]
    #[inline(never)]
    fn mapping_read_again(&mut self, f: usize) {
        match self.functions[f].invocation {
            InvocationType::Sqs => self.sqs_poll(f),
            InvocationType::Stream => self.stream_resume(f),
            InvocationType::Sync | InvocationType::Async => {}
        }
    }

    /// An invocation ended: settle its asynchronous event and free the
    /// environment.
    pub(super) fn invoke_done(&mut self, id: EnvId) {
        if std::mem::take(&mut self.envs[id].has_pending) {
            let pending = std::mem::replace(&mut self.envs.cold_mut(id).pending, PendingId::NONE);
            self.settle(pending, self.envs[id].outcome != Outcome::Ok);
        }
        let owner = Owner::of(&self.envs[id]);
        let f = owner.func;
        self.functions[f].last_activity = self.now;
        self.release(id);
        // One test on every invocation's end (Sqs and Stream are the last variants).
        if matches!(
            self.functions[f].invocation,
            InvocationType::Sqs | InvocationType::Stream
        ) {
            self.mapping_read_again(f);
        }
        self.arm_function_timer(f);
        // Every environment leaves concurrency here (or becomes idle provisioned):
        // asynchronous events waiting for room may try.
        if !self.suspended.is_empty() {
            self.room_freed(owner);
        }
    }
}
