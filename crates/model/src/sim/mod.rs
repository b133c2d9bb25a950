//! The simulation driver: pops events in time order and applies the Lambda rules.
//!
//! Per request the work is O(1) (O(log n) in the event queue): the next arrival of each
//! stream is the only one pending, idle environments sit in per-function pools, and
//! limits are kept as running counters, never recounted.
//!
//! `provisioned.rs` holds the provisioned-concurrency timeline and `pending.rs` the
//! asynchronous queue and client retries; both are further `impl Simulation` blocks.

mod autoscale;
mod env;
mod idle;
mod invariants;
mod keepalive;
mod metrics;
mod pending;
mod provisioned;
mod rate;
mod scaling;

use crate::arrival::{Arrival, ArrivalSource, SourceError};
use crate::config::{ConfigError, FunctionConfig, InvocationType, ScalingMode, SimConfig};
use crate::cost::bill_account;
use crate::dist::{Lookahead, Sampler};
use crate::results::{AccountSummary, RunSummary};
use crate::series::SeriesSink;
use env::{EnvSlab, EnvState, NONE, Outcome};
use idle::IdlePool;
use lambdasim_engine::{Agenda, Due, Nanos, RngStream, StreamKey};
use metrics::{FunctionMetrics, Level};
use pending::PendingSlab;
use provisioned::Provisioned;
use rand::RngExt;
use rate::rate_bucket;
use scaling::TokenBucket;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// One arrival stream and the functions it feeds.
pub struct Traffic {
    /// Function indices; an [`Arrival`]'s `target` indexes into this list.
    pub targets: Vec<usize>,
    pub source: Box<dyn ArrivalSource>,
}

/// Why a run could not complete.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("writing the time series failed: {0}")]
    Sink(#[from] std::io::Error),
    /// Only with invariant checking on: a model rule was broken (a bug).
    #[error("invariant broken at t={time} ns: {message}")]
    Invariant { time: Nanos, message: String },
    /// The flag given to [`Simulation::with_cancel`] was raised.
    #[error("the run was cancelled")]
    Cancelled,
}

/// What happens at an instant.
#[derive(Clone, Copy, Debug)]
enum Event {
    /// An environment finished Init and starts its first invocation.
    InitDone(u32),
    /// An environment finished an invocation.
    InvokeDone(u32),
    /// The longest-idle environment of a function may have timed out.
    IdleCheck(u32),
    /// A function may have been idle for its `function_idle_timeout`.
    FunctionIdle(u32),
    /// A function's next scheduled provisioned-concurrency change.
    ScheduleStep(u32),
    /// A function's provisioned-concurrency allocation completes.
    AllocationDone(u32),
    /// A minute of a function's provisioned utilisation is over.
    AutoscaleTick(u32),
    /// A provisioned environment reached its lifetime (ignored unless the environment
    /// is alive and this is the recycle it waits for: see `EnvCold::recycle_at`).
    Recycle(u32),
    /// A provisioned environment's replacement finished Init and takes its place
    /// (ignored unless it is the one the environment waits for).
    RecycleDone(u32),
    /// An asynchronous event or a client's retry is due.
    Retry(u32),
}

// An event fits in 8 bytes, so that a queue entry (time, sequence, event) is 24: the
// wheel and the current slot move a third less memory than with 32-byte entries.
const _: () = assert!(std::mem::size_of::<Event>() == 8);

/// Whose an environment is: what its gauges and counters need of it, read once (the
/// compiler cannot tell that writing the counters leaves the slab where it was, so it
/// would otherwise look the environment up again at every counter).
#[derive(Clone, Copy)]
struct Owner {
    func: usize,
    provisioned: bool,
}

impl Owner {
    #[inline(always)]
    fn of(env: &env::Env) -> Self {
        Self {
            func: env.func as usize,
            provisioned: env.provisioned,
        }
    }
}

/// Why a request was throttled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reason {
    ReservedLimit,
    AccountLimit,
    ScalingRate,
    RpsLimit,
}

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
struct Function {
    is_async: bool,
    idle_timer_pending: bool,
    function_timer_pending: bool,
    /// The last request or completion: the function is idle from then on.
    last_activity: Nanos,
    function_idle_timeout: Option<Nanos>,
    /// The function timeout: no invocation runs longer.
    timeout: Nanos,
    /// On-demand environments occupying concurrency.
    on_demand_busy: u32,
    reserved: Option<u32>,
    error_rate: f64,
    /// An environment's lifetime, `Nanos::MAX` for none: checked at every reuse and
    /// completion, where a plain comparison is cheaper than an `Option`'s.
    max_lifetime: Nanos,
    idle_timeout: Nanos,
    idle: IdlePool,
    provisioned_idle: IdlePool,
    prov: Provisioned,
    /// Invoke durations, one drawn ahead: `invoke` warms the latency bin of the next.
    durations: Lookahead,
    metrics: FunctionMetrics,
    /// The request-rate limit of reserved concurrency (`None`: no reservation, or
    /// the rule is off)...
    rate: Option<TokenBucket>,
    /// ...and that of provisioned concurrency, above which requests spill over to
    /// on-demand (see `rate.rs`).
    provisioned_rate: Option<TokenBucket>,
    /// Index of the token bucket new environments take from (own, or the account's).
    token_bucket: usize,
    init: Sampler,
    rng_init: RngStream,
    rng_reuse: RngStream,
    rng_errors: RngStream,
}

impl Function {
    /// On-demand room under reserved concurrency: reserved minus provisioned.
    fn reserved_room(&self) -> Option<u32> {
        self.reserved.map(|r| r.saturating_sub(self.prov.claim))
    }
}

struct Stream {
    targets: Vec<usize>,
    source: Box<dyn ArrivalSource>,
    /// Arrivals read ahead, at most `READ_AHEAD`, their `target` already the index of
    /// the function (see [`Self::refill`]); `ahead[pos]` is the next after the pending.
    ahead: Vec<Arrival>,
    pos: usize,
    /// The source has no more arrivals.
    exhausted: bool,
    /// The arrival in the agenda, copied out of `ahead` when the stream moved to it:
    /// handling it then reads this struct only, not the buffer and the target list
    /// too (with a hundred streams taking turns, each of those a cache miss).
    pending: Arrival,
}

/// Arrivals read from a source at once: enough to amortise the virtual call, few enough
/// that memory stays constant.
const READ_AHEAD: usize = 64;

impl Stream {
    /// Moves to the stream's next arrival and returns its time (the whole arrival is
    /// kept in [`pending`](Self::pending) for when it is handled), reading a batch
    /// ahead when the buffer is used up; `None` when the source has no more.
    #[inline]
    fn advance(&mut self) -> Result<Option<Nanos>, SourceError> {
        if self.pos == self.ahead.len() {
            self.refill()?;
        }
        let Some(&next) = self.ahead.get(self.pos) else {
            return Ok(None);
        };
        self.pending = next;
        self.pos += 1;
        Ok(Some(next.time))
    }

    /// Reads the next batch, checking that every arrival goes to a known target and
    /// replacing the target by its function's index. Once every `READ_AHEAD` arrivals:
    /// kept out of line so that `advance` stays small.
    #[cold]
    #[inline(never)]
    fn refill(&mut self) -> Result<(), SourceError> {
        self.ahead.clear();
        self.pos = 0;
        if self.exhausted {
            return Ok(());
        }
        self.source.next_batch(&mut self.ahead, READ_AHEAD)?;
        self.exhausted = self.ahead.len() < READ_AHEAD;
        for a in &mut self.ahead {
            let Some(&f) = self.targets.get(a.target as usize) else {
                return Err(SourceError {
                    message: format!("arrival routed to unknown target {}", a.target),
                });
            };
            a.target = f as u32;
        }
        Ok(())
    }
}

/// The environment an invocation starts on, as [`Simulation::environment_for`] found
/// it: what `invoke` needs without reading the environment again.
struct Start {
    id: u32,
    /// A provisioned environment (else on demand).
    provisioned: bool,
    /// The Init to run first: the environment is new (a cold start).
    init: Option<Nanos>,
}

/// A configured run, ready to go.
pub struct Simulation {
    config: SimConfig,
    end: Nanos,
    now: Nanos,
    queue: Agenda<Event>,
    envs: EnvSlab,
    functions: Vec<Function>,
    streams: Vec<Stream>,
    buckets: Vec<TokenBucket>,
    pending: PendingSlab,
    /// The unreserved pool now: it shrinks and grows with the provisioned concurrency
    /// of functions without reserved concurrency.
    unreserved_pool: u32,
    unreserved_busy: u32,
    account_concurrency: Level,
    /// The account's request-rate limit (`None`: the rule is off).
    account_rate: Option<TokenBucket>,
    bucket_start: Nanos,
    bucket_end: Nanos,
    events: u64,
    /// Raised by another thread to stop the run (see [`Self::with_cancel`]).
    cancel: Option<Arc<AtomicBool>>,
    /// The flag was seen raised: the run's end moved to now, and its result is an
    /// error.
    cancelled: bool,
    check_invariants: bool,
    /// The time of the last event checked (with invariant checks on).
    verified_until: Nanos,
    /// Each pool's (room, on-demand environments above it) at the last check: one per
    /// function with reserved concurrency, in order, then the unreserved pool.
    verified_excess: Vec<(u32, u32)>,
}

impl Simulation {
    /// Validates the configuration and prepares the run.
    pub fn new(config: SimConfig, traffic: Vec<Traffic>) -> Result<Self, SimError> {
        config.validate()?;
        let functions = config
            .functions
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let bucket = match config.account.scaling.mode {
                    ScalingMode::PerFunction => i,
                    ScalingMode::Legacy => 0,
                };
                build_function(config.seed, f, bucket, &config.account)
            })
            .collect::<Result<Vec<_>, _>>()?;
        if traffic
            .iter()
            .any(|t| t.targets.iter().any(|&i| i >= functions.len()))
        {
            return Err(ConfigError::Invalid("traffic targets an unknown function".into()).into());
        }
        let buckets = match config.account.scaling.mode {
            ScalingMode::PerFunction => {
                vec![TokenBucket::new(&config.account.scaling); functions.len()]
            }
            ScalingMode::Legacy => vec![TokenBucket::new(&config.account.scaling)],
        };
        let end = config.duration;
        let reserved: u32 = config
            .functions
            .iter()
            .filter_map(|f| f.reserved_concurrency)
            .sum();
        Ok(Self {
            end,
            now: 0,
            queue: Agenda::new(),
            envs: EnvSlab::default(),
            functions,
            streams: traffic
                .into_iter()
                .map(|t| Stream {
                    targets: t.targets,
                    source: t.source,
                    ahead: Vec::with_capacity(READ_AHEAD),
                    pos: 0,
                    exhausted: false,
                    pending: Arrival {
                        time: 0,
                        duration: None,
                        target: 0,
                    },
                })
                .collect(),
            buckets,
            pending: PendingSlab::default(),
            unreserved_pool: config.account.concurrency_limit.saturating_sub(reserved),
            unreserved_busy: 0,
            account_concurrency: Level::default(),
            account_rate: rate_bucket(
                config.account.rps_per_environment,
                config.account.concurrency_limit,
            ),
            bucket_start: 0,
            bucket_end: config.resolution.min(end),
            events: 0,
            cancel: None,
            cancelled: false,
            check_invariants: false,
            verified_until: 0,
            verified_excess: Vec::new(),
            config,
        })
    }

    /// Checks every model invariant after every event (slow; for tests). A broken
    /// invariant ends the run with [`SimError::Invariant`].
    pub fn with_invariant_checks(mut self) -> Self {
        self.check_invariants = true;
        self
    }

    /// Ends the run with [`SimError::Cancelled`] soon after `flag` is raised: for a
    /// caller that learns on another thread that the run's result is no longer wanted,
    /// such as a trace check that found a bad row or a signal. The flag is read when a
    /// time-series bucket closes and every 2^20 events, never per event (a check of
    /// its own there made the loop about 1 % slower).
    pub fn with_cancel(mut self, flag: Arc<AtomicBool>) -> Self {
        self.cancel = Some(flag);
        self
    }

    /// When the cancel flag is raised, moves the run's end to `time` (it stops at its
    /// next event) and returns true.
    fn stop_if_cancelled(&mut self, time: Nanos) -> bool {
        let raised = self
            .cancel
            .as_ref()
            .is_some_and(|flag| flag.load(Ordering::Relaxed));
        if raised {
            self.cancelled = true;
            self.end = self.end.min(time);
        }
        raised
    }

    /// Runs to the end of the simulated span, streaming buckets into `sink`; `progress`
    /// is called now and then with the fraction of simulated time done.
    pub fn run(
        mut self,
        sink: &mut dyn SeriesSink,
        progress: &mut dyn FnMut(f64),
    ) -> Result<RunSummary, SimError> {
        self.start_provisioning();
        self.start_warm();
        for s in 0..self.streams.len() {
            self.pull_arrival(s)?;
        }
        while let Some((time, due)) = self.queue.peek() {
            if time >= self.end {
                break;
            }
            if time >= self.bucket_end {
                self.close_buckets_until(time, sink)?;
            }
            self.now = time;
            match due {
                Due::Stream(s) => self.arrival(s as usize)?,
                Due::Event(event) => {
                    self.queue.pop_event();
                    self.warm_upcoming();
                    self.handle(event);
                }
            }
            self.events += 1;
            if self.check_invariants {
                self.verify(time)
                    .map_err(|message| SimError::Invariant { time, message })?;
            }
            if self.events & 0xF_FFFF == 0 {
                progress(time as f64 / self.end as f64);
                // Also read at every bucket's close; here too, so that a run whose
                // buckets are long in wall time (a dense workload) stops within about
                // a tenth of a second.
                self.stop_if_cancelled(time);
            }
        }
        self.close_buckets_until(self.end, sink)?;
        if self.cancelled {
            return Err(SimError::Cancelled);
        }
        progress(1.0);
        Ok(self.summary())
    }

    /// Loads the environment the next completion will free into the cache while this
    /// event is handled: the first touch of an environment at its completion is
    /// otherwise a cache miss on every invocation.
    #[inline]
    fn warm_upcoming(&self) {
        if let Some(&Event::InvokeDone(id)) = self.queue.upcoming_event() {
            self.envs.warm(id);
        }
    }

    /// Reads a stream's next arrival and schedules it, unless the stream is done or
    /// past the end of the run.
    fn pull_arrival(&mut self, s: usize) -> Result<(), SourceError> {
        if let Some(time) = self.next_arrival(s)? {
            self.queue.schedule_stream(time, s as u32);
        }
        Ok(())
    }

    /// Moves a stream to its next arrival and returns its time, or `None` when the
    /// stream is done or past the end of the run.
    #[inline(always)]
    fn next_arrival(&mut self, s: usize) -> Result<Option<Nanos>, SourceError> {
        Ok(self.streams[s]
            .advance()?
            .filter(|&time| time < self.end)
            .map(|time| time.max(self.now)))
    }

    /// Handles the arrival at the top of the agenda, which stays the earliest while it
    /// is handled (everything it schedules comes later), then replaces it in place by
    /// the stream's next arrival.
    fn arrival(&mut self, s: usize) -> Result<(), SourceError> {
        let arrival = self.streams[s].pending;
        self.arrive(arrival.target as usize, arrival.duration);
        match self.next_arrival(s)? {
            Some(time) => self.queue.reschedule_stream(time, s as u32),
            None => self.queue.end_stream(),
        }
        Ok(())
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::InitDone(id) => self.transition(id, EnvState::Init, EnvState::Busy),
            Event::InvokeDone(id) => self.invoke_done(id),
            Event::IdleCheck(f) => self.expire_idle(f as usize),
            Event::FunctionIdle(f) => self.function_idle(f as usize),
            Event::ScheduleStep(f) => self.schedule_step(f as usize),
            Event::AllocationDone(f) => self.allocation_done(f as usize),
            Event::AutoscaleTick(f) => self.autoscale_tick(f as usize),
            Event::Recycle(id) => self.recycle_due(id),
            Event::RecycleDone(id) => self.recycle_done(id),
            Event::Retry(p) => self.retry(p),
        }
    }

    /// A request arrives from a traffic stream.
    fn arrive(&mut self, f: usize, duration: Option<Nanos>) {
        self.functions[f].last_activity = self.now;
        if self.functions[f].is_async {
            self.enqueue_async(f, duration);
        } else {
            self.request_sync(f, duration, 0);
        }
    }

    /// Tries to start an invocation of `f`. `pending` is the asynchronous event or
    /// client retry being served, or `NONE`.
    fn serve(&mut self, f: usize, duration: Option<Nanos>, pending: u32) -> Result<(), Reason> {
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
    fn environment_for(&mut self, f: usize) -> Result<Start, Reason> {
        let sync = !self.functions[f].is_async;
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
    fn has_room(&self, f: usize) -> bool {
        let func = &self.functions[f];
        match func.reserved_room() {
            Some(room) => func.on_demand_busy < room,
            None => self.unreserved_busy < self.unreserved_pool,
        }
    }

    /// Whether a synchronous request finds the account's request-rate limit, or its
    /// reservation's, used up.
    #[inline(always)]
    fn rate_limited(&mut self, f: usize) -> bool {
        let now = self.now;
        if self.account_rate.as_mut().is_some_and(|b| !b.ready(now)) {
            return true;
        }
        let rate = &mut self.functions[f].rate;
        rate.as_mut().is_some_and(|b| !b.ready(now))
    }

    /// Which concurrency limit refused a request that found no room.
    fn no_room_reason(&self, f: usize) -> Reason {
        if self.functions[f].reserved.is_some() {
            Reason::ReservedLimit
        } else {
            Reason::AccountLimit
        }
    }

    /// Counts a throttle.
    fn count_throttle(&mut self, f: usize, reason: Reason) {
        let t = &mut self.functions[f].metrics.bucket.throttles;
        match reason {
            Reason::ReservedLimit => t.reserved_limit += 1,
            Reason::AccountLimit => t.account_limit += 1,
            Reason::ScalingRate => t.scaling_rate += 1,
            Reason::RpsLimit => t.rps_limit += 1,
        }
    }

    /// Creates an environment of `f` in `state`, counted in the gauges.
    fn create_env(&mut self, f: usize, state: EnvState, provisioned: bool) -> u32 {
        let id = self.envs.create(f as u32, state, provisioned, self.now);
        self.functions[f].metrics.environments.up(self.now);
        self.apply(id, state, true);
        id
    }

    /// Starts an invocation of function `f` on the environment `start` names.
    fn invoke(&mut self, f: usize, start: Start, duration: Option<Nanos>, pending: u32) {
        let Start {
            id,
            provisioned,
            init,
        } = start;
        let now = self.now;
        let func = &mut self.functions[f];
        let drawn = duration.unwrap_or_else(|| func.durations.take());
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
            self.queue.schedule(start, Event::InitDone(id));
        }
        m.record_latency(init_ns.saturating_add(duration));
        // The bin of the next warm invocation, loaded now: with many functions their
        // histograms fall out of the cache between two invocations of one function.
        let next = func.durations.peek();
        m.warm_latency(next);
        // And where the next two completions will be filed (about as far ahead).
        self.queue
            .warm_slot(now.wrapping_add(func.durations.peek_after()));
        self.queue.warm_end(now.wrapping_add(next));
        // A synchronous start spends the tokens `environment_for` found ready.
        if !func.is_async {
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
        env.has_pending = pending != NONE;
        if env.has_pending {
            self.envs.cold_mut(id).pending = pending;
        }
        // Times saturate: a duration near the clock's limit ends at the end of time
        // (after the run), never wrapped into the past.
        let end = start.saturating_add(duration);
        self.queue.schedule(end, Event::InvokeDone(id));
    }

    /// An invocation ended: settle its asynchronous event and free the
    /// environment.
    fn invoke_done(&mut self, id: u32) {
        if std::mem::take(&mut self.envs[id].has_pending) {
            let pending = std::mem::replace(&mut self.envs.cold_mut(id).pending, NONE);
            self.settle(pending, self.envs[id].outcome != Outcome::Ok);
        }
        let f = self.envs[id].func as usize;
        self.functions[f].last_activity = self.now;
        self.release(id);
        self.arm_function_timer(f);
    }

    fn destroy(&mut self, id: u32) {
        let state = self.envs[id].state;
        self.apply(id, state, false);
        let f = self.envs[id].func as usize;
        self.functions[f].metrics.environments.down(self.now);
        let provisioned = self.envs[id].provisioned;
        self.envs.destroy(id);
        if provisioned {
            self.functions[f].prov.live -= 1;
            self.update_claim(f);
        }
    }

    /// Moves an environment to `state`, keeping gauges and limit counters in step. A
    /// move between two states that both occupy concurrency (Init to Busy) leaves
    /// concurrency and the pools as they are.
    fn set_state(&mut self, id: u32, state: EnvState) {
        let old = self.envs[id].state;
        self.transition(id, old, state);
    }

    /// [`set_state`](Self::set_state) from a state the caller knows: inlined with
    /// constant states, a hot transition (Idle to Busy and back) compiles to just its
    /// own counter updates, with no branch on which transition it is.
    #[inline(always)]
    fn transition(&mut self, id: u32, old: EnvState, state: EnvState) {
        let env = &mut self.envs[id];
        debug_assert_eq!(env.state, old);
        env.state = state;
        let owner = Owner::of(env);
        self.count_state(owner, old, false);
        self.count_state(owner, state, true);
        match (old.occupies(), state.occupies()) {
            (true, false) => self.occupy(owner, false),
            (false, true) => self.occupy(owner, true),
            _ => {}
        }
    }

    /// Adds (`up`) or removes an environment in `state` from the gauges and counters.
    fn apply(&mut self, id: u32, state: EnvState, up: bool) {
        let owner = Owner::of(&self.envs[id]);
        self.count_state(owner, state, up);
        if state.occupies() {
            self.occupy(owner, up);
        }
    }

    /// Adds or removes an environment in the gauges of its state: idle, initializing,
    /// and provisioned busy.
    #[inline(always)]
    fn count_state(&mut self, owner: Owner, state: EnvState, up: bool) {
        let m = &mut self.functions[owner.func].metrics;
        let step = |level: &mut Level| if up { level.up() } else { level.down() };
        match state {
            EnvState::Idle => step(&mut m.idle),
            EnvState::Init => step(&mut m.initializing),
            EnvState::Busy if owner.provisioned => {
                if up {
                    m.provisioned_busy.up(self.now)
                } else {
                    m.provisioned_busy.down(self.now)
                }
            }
            EnvState::Busy => {}
        }
    }

    /// Adds or removes an environment in concurrency: its function's, the account's,
    /// and (on demand) its pool's.
    #[inline(always)]
    fn occupy(&mut self, owner: Owner, up: bool) {
        let func = &mut self.functions[owner.func];
        if up {
            func.metrics.concurrency.up(self.now);
            self.account_concurrency.up();
        } else {
            func.metrics.concurrency.down(self.now);
            self.account_concurrency.down();
        }
        if !owner.provisioned {
            let pool = if func.reserved.is_some() {
                &mut func.on_demand_busy
            } else {
                &mut self.unreserved_busy
            };
            if up { *pool += 1 } else { *pool -= 1 }
        }
    }

    /// Closes every bucket that ends at or before `time`.
    fn close_buckets_until(
        &mut self,
        time: Nanos,
        sink: &mut dyn SeriesSink,
    ) -> std::io::Result<()> {
        if self.stop_if_cancelled(time) {
            return Ok(());
        }
        while self.bucket_start < self.end && self.bucket_end <= time {
            let (start, end) = (self.bucket_start, self.bucket_end);
            for (i, func) in self.functions.iter_mut().enumerate() {
                let (mut row, usage) = func.metrics.close_bucket(i, start, end);
                row.cost_usd = usage
                    .bill(&self.config.functions[i], &self.config.billing)
                    .total;
                sink.record(&row)?;
            }
            self.bucket_start = end;
            self.bucket_end = (end + self.config.resolution).min(self.end);
        }
        Ok(())
    }

    fn summary(&self) -> RunSummary {
        let (mut functions, usages): (Vec<_>, Vec<_>) = self
            .functions
            .iter()
            .zip(&self.config.functions)
            .zip(self.pending.async_by_function(self.functions.len()))
            .map(|((func, cfg), queued)| {
                let queued = (cfg.invocation == InvocationType::Async).then_some(queued);
                func.metrics.summary(&cfg.name, self.end, queued)
            })
            .unzip();
        let bills = bill_account(
            &self.config.functions,
            &usages,
            self.end,
            &self.config.billing,
        );
        let mut account = AccountSummary {
            peak_concurrency: self.account_concurrency.peak,
            price_table: self.config.billing.prices.source.clone(),
            ..AccountSummary::default()
        };
        for (summary, bill) in functions.iter_mut().zip(bills) {
            summary.cost_usd = bill;
            account.requests += summary.requests;
            account.invocations += summary.invocations;
            account.throttles += summary.throttles;
            account.cold_starts += summary.cold_starts;
            account.cost_usd.add(&summary.cost_usd);
        }
        RunSummary {
            duration_s: self.end as f64 / 1e9,
            account,
            functions,
            events: self.events,
        }
    }
}

/// The longest an on-demand Init may run before Lambda stops it and runs it again as
/// part of the first invocation, under the function timeout (AWS Lambda Developer
/// Guide, "Understanding the Lambda execution environment lifecycle", Init phase).
/// Provisioned environments initialise without this limit.
pub const ON_DEMAND_INIT_LIMIT: Nanos = 10 * lambdasim_engine::NANOS_PER_SEC;

impl Function {
    /// An invocation's Init and Invoke phases and how it ends, from the drawn Invoke
    /// duration: `init` is a cold start's Init, `reset` says the environment's last
    /// invocation timed out. Inlined for the usual case (a warm start within the
    /// timeout), the rest out of line.
    #[inline(always)]
    fn phases(
        &mut self,
        init: Option<Nanos>,
        drawn: Nanos,
        failed: bool,
        reset: bool,
    ) -> (Nanos, Nanos, Outcome) {
        if init.is_none() && !reset && drawn <= self.timeout {
            let outcome = if failed { Outcome::Error } else { Outcome::Ok };
            return (0, drawn, outcome);
        }
        self.rare_phases(init.unwrap_or(0), drawn, failed, reset)
    }

    /// [`phases`](Self::phases) with a cold start, a reset environment or a timeout:
    /// - an environment reset by a timeout runs Init again inside the next invocation
    ///   ("suppressed init", folded into its duration; not a cold start);
    /// - an on-demand Init longer than [`ON_DEMAND_INIT_LIMIT`] is stopped there and
    ///   run again inside the first invocation;
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
            invoke = invoke.saturating_add(self.init.sample(&mut self.rng_init));
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
        let outcome = if failed { Outcome::Error } else { Outcome::Ok };
        (init, invoke, outcome)
    }

    /// Draws whether the next invocation fails (a function error), and counts it.
    #[inline]
    fn draw_error(&mut self) -> bool {
        if self.error_rate <= 0.0 {
            return false;
        }
        let failed = self.rng_errors.random::<f64>() < self.error_rate;
        self.metrics.bucket.errors += u64::from(failed);
        failed
    }
}

/// Builds the run-time state of one function, with its own random streams.
fn build_function(
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
        is_async: f.invocation == InvocationType::Async,
        timeout: f.timeout,
        error_rate: f.error_rate,
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
        init: sampler(&f.init_duration, "init_duration")?,
        durations: Lookahead::new(sampler(&f.duration, "duration")?, rng("duration")),
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
    })
}
