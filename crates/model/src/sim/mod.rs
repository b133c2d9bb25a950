//! The simulation driver: pops events in time order and applies the Lambda rules.
//!
//! Per request the work is O(1) (O(log n) in the event queue): the next arrival of each
//! stream is the only one pending, idle environments sit in per-function pools, and
//! limits are kept as running counters, never recounted.
//!
//! `provisioned.rs` holds the provisioned-concurrency timeline, `waiting.rs` the
//! asynchronous events waiting after a throttle, `pending.rs` the requests retried
//! one at a time, `sqs.rs` the SQS event source mapping and `shards.rs` the Kinesis
//! and DynamoDB stream mapping; each is a further `impl Simulation` block.

mod accounting;
mod autoscale;
mod backlog;
mod creation;
mod env;
mod function;
mod gateway;
mod idle;
mod ids;
mod invariants;
mod invoke;
mod keepalive;
mod limits;
mod metrics;
mod output;
mod pending;
mod provisioned;
mod rate;
mod scaling;
mod shards;
mod sqs;
mod stream;
mod waiting;

use crate::arrival::{Arrival, ArrivalSource, SourceError};
use crate::config::{ConfigError, FunctionConfig, InvocationType, ScalingMode, SimConfig};
use crate::cost::bill_account;
use crate::dist::{Lookahead, Sampler};
use crate::results::{AccountSummary, RunSummary};
use crate::series::SeriesSink;
use accounting::Owner;
use env::{EnvSlab, EnvState, Outcome};
use function::{Function, build_function};
use idle::IdlePool;
use ids::{EnvId, FnIdx, PendingId};
use lambdasim_engine::{Agenda, Due, Nanos, RngStream, StreamKey};
use limits::{Reason, Unreserved};
use metrics::{FunctionMetrics, Level};
use pending::PendingSlab;
use provisioned::Provisioned;
use rand::RngExt;
use rate::rate_bucket;
use scaling::TokenBucket;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use stream::Stream;
use waiting::Waiting;

/// One arrival stream and the functions it feeds.
pub struct Traffic {
    /// Function indices; an [`Arrival`]'s `target` indexes into this list.
    pub targets: Vec<usize>,
    /// The stream's arrivals in time order: read in small batches as the run goes,
    /// so a source may read a file or draw lazily and never hold it all.
    pub source: Box<dyn ArrivalSource>,
}

/// Why a run could not complete.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The configuration breaks a rule or cannot be built (a bad distribution,
    /// traffic aimed at an unknown function): from [`Simulation::new`], before any
    /// event.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// An arrival stream failed while the run read it (a trace row past what was
    /// checked beforehand).
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The time-series sink could not take a row: the run stops there.
    #[error("writing the time series failed: {0}")]
    Sink(#[from] std::io::Error),
    /// Only with invariant checking on: a model rule was broken (a bug).
    #[error("invariant broken at t={time} ns: {message}")]
    Invariant {
        /// The simulated time of the event after which the check failed.
        time: Nanos,
        /// Which invariant broke, for which function, and the counts that disagree.
        message: String,
    },
    /// The flag given to [`Simulation::with_cancel`] was raised.
    #[error("the run was cancelled")]
    Cancelled,
}

/// What happens at an instant.
#[derive(Clone, Copy, Debug)]
enum Event {
    /// An environment finished Init and starts its first invocation.
    InitDone(EnvId),
    /// An environment finished an invocation.
    InvokeDone(EnvId),
    /// The longest-idle environment of a function may have timed out.
    IdleCheck(FnIdx),
    /// A function may have been idle for its `function_idle_timeout`.
    FunctionIdle(FnIdx),
    /// A function's next scheduled provisioned-concurrency change.
    ScheduleStep(FnIdx),
    /// A function's provisioned-concurrency allocation completes.
    AllocationDone(FnIdx),
    /// A minute of a function's provisioned utilisation is over.
    AutoscaleTick(FnIdx),
    /// A provisioned environment reached its lifetime (ignored unless the environment
    /// is alive and this is the recycle it waits for: see `EnvCold::recycle_at`).
    Recycle(EnvId),
    /// A provisioned environment's replacement finished Init and takes its place
    /// (ignored unless it is the one the environment waits for).
    RecycleDone(EnvId),
    /// An asynchronous event or a client's retry is due.
    Retry(PendingId),
    /// A second of an SQS mapping's pollers is over: they may scale (see `sqs.rs`).
    SqsTick(FnIdx),
    /// Messages hidden by an SQS queue's visibility timeout may be visible again.
    SqsVisible(FnIdx),
    /// A partial SQS batch's window may be over.
    SqsWindow(FnIdx),
    /// A stream mapping's lanes may have reads due: a poll, a batch window or a retry
    /// (see `shards.rs`).
    StreamRead(FnIdx),
}

// An event fits in 8 bytes, so that a queue entry (time, sequence, event) is 24: the
// wheel and the current slot move a third less memory than with 32-byte entries.
const _: () = assert!(std::mem::size_of::<Event>() == 8);

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
    /// When each function's waiting events next need the model (its `due`, if any),
    /// earliest first, by function at one time.
    waiting_due: BTreeSet<(Nanos, u32)>,
    /// The first time in `waiting_due` (`Nanos::MAX`: none).
    next_waiting: Nanos,
    /// Agenda events before this time come next: the run's end, or just after the
    /// next waiting events' time (agenda events at that nanosecond go first). One
    /// comparison per event.
    horizon: Nanos,
    /// Functions whose waiting events wait for room.
    suspended: Vec<u32>,
    /// The time and function of the waiting events last due: at that nanosecond,
    /// the functions before it have made their tries.
    late_cursor: (Nanos, u32),
    /// The unreserved pool now: it shrinks and grows with the provisioned concurrency
    /// of functions without reserved concurrency.
    unreserved: Unreserved,
    account_concurrency: Level,
    /// The account's request-rate limit (`None`: the rule is off).
    account_rate: Option<TokenBucket>,
    /// API Gateway's account-level throttle, for functions behind it.
    gateway: TokenBucket,
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
            streams: traffic.into_iter().map(Stream::new).collect(),
            buckets,
            pending: PendingSlab::default(),
            waiting_due: BTreeSet::new(),
            next_waiting: Nanos::MAX,
            horizon: end,
            suspended: Vec::new(),
            late_cursor: (Nanos::MAX, 0),
            unreserved: Unreserved::new(config.account.concurrency_limit, reserved),
            account_concurrency: Level::default(),
            account_rate: rate_bucket(
                config.account.rps_per_environment,
                config.account.concurrency_limit,
            ),
            gateway: gateway::gateway_bucket(&config.account.front_door),
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
            self.set_next_waiting();
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
        loop {
            // Waiting events try after everything else at their nanosecond.
            let (time, due) = match self.queue.peek() {
                Some(next) if next.0 < self.horizon => next,
                _ if self.next_waiting < self.end => {
                    self.waiting_step(sink, progress)?;
                    continue;
                }
                _ => break,
            };
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
            self.after_event(time, progress)?;
        }
        self.close_buckets_until(self.end, sink)?;
        if self.cancelled {
            return Err(SimError::Cancelled);
        }
        progress(1.0);
        Ok(self.summary())
    }

    /// The tries, drops or wake-up of waiting asynchronous events due next.
    #[cold]
    #[inline(never)]
    fn waiting_step(
        &mut self,
        sink: &mut dyn SeriesSink,
        progress: &mut dyn FnMut(f64),
    ) -> Result<(), SimError> {
        let time = self.next_waiting;
        if time >= self.bucket_end {
            self.close_buckets_until(time, sink)?;
        }
        self.now = time;
        self.waiting_now();
        self.after_event(time, progress)
    }

    /// What follows every event: the count, the invariant checks in tests, and now
    /// and then the progress report and the cancel flag.
    #[inline(always)]
    fn after_event(&mut self, time: Nanos, progress: &mut dyn FnMut(f64)) -> Result<(), SimError> {
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
        Ok(())
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

    fn handle(&mut self, event: Event) {
        match event {
            Event::InitDone(id) => self.transition(id, EnvState::Init, EnvState::Busy),
            Event::InvokeDone(id) => self.invoke_done(id),
            Event::IdleCheck(f) => self.expire_idle(f.index()),
            Event::FunctionIdle(f) => self.function_idle(f.index()),
            Event::ScheduleStep(f) => self.schedule_step(f.index()),
            Event::AllocationDone(f) => self.allocation_done(f.index()),
            Event::AutoscaleTick(f) => self.autoscale_tick(f.index()),
            Event::Recycle(id) => self.recycle_due(id),
            Event::RecycleDone(id) => self.recycle_done(id),
            Event::Retry(p) => self.retry(p),
            Event::SqsTick(f) => self.sqs_tick(f.index()),
            Event::SqsVisible(f) => self.sqs_visible(f.index()),
            Event::SqsWindow(f) => self.sqs_window(f.index()),
            Event::StreamRead(f) => self.stream_reads_due(f.index()),
        }
    }
}
