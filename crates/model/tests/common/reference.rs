//! A second, deliberately simple model of the rules of `docs/model.md`, to check the
//! fast model's numbers against (see `tests/reference.rs`).
//!
//! Everything is a linear scan over plain vectors: the pending events (the earliest
//! is found by scanning), the environments (never removed, only marked dead; an
//! environment's index is its creation order), the asynchronous events. Nothing is
//! kept as a running counter: a pool's concurrency, the idle environment to reuse and
//! the peaks are recounted from the environments each time they are needed. It is
//! quadratic and meant for scenarios of a few hundred requests.
//!
//! Keep-alive is not a timer here: before each event, every idle environment whose
//! deadline has passed is destroyed (nothing can observe it between two events). A
//! deadline on the very nanosecond of a request that could reuse the environment has
//! no documented order (the fast model's timer was scheduled whenever it was armed),
//! so the run stops with [`Tie`] and the case is not compared.
//!
//! SQS functions keep their messages in one plain vector (never removed, only marked
//! deleted), each with its state; the pollers, batches, batch window, visibility
//! timeout, dead letters and provisioned mode follow `docs/model.md` with their own
//! events (a scaling tick each second, a window's end, hidden messages visible again).
//! A FIFO queue's message group is read off its messages: it is blocked while one of
//! them runs or is hidden, and its batch is its first visible messages in the order
//! sent; only the order in which groups became ready is kept, as a stamp per group.
//!
//! Stream functions keep every record's arrival time in one vector and, per lane, the
//! records it still holds and the batches it owes (the one running or to retry, then
//! the halves bisecting split off it), each an explicit list of records; a lane's next
//! read is a time on the lane, and one event per read set reads every lane due.
//!
//! Scope: constant Init and Invoke durations (or per-arrival ones; a mapping's batch
//! takes the function's), no function errors (a batch fails only by timing out),
//! no client retries, `reuse` other than `random`, static provisioned concurrency
//! without recycling, and SQS queues without batch item failures (which draw per
//! message) — everything random is left out. (Recycling happens at a jittered
//! time and only resets an environment whose last invocation timed out; the scenarios
//! give provisioned functions with a `max_lifetime` the longest timeout.)

use lambdasim_engine::{NANOS_PER_SEC, Nanos};
use lambdasim_model::*;

/// An on-demand Init longer than this is stopped and run again inside the first
/// invocation (`docs/model.md`, "Init limit").
const INIT_LIMIT: Nanos = 10 * NANOS_PER_SEC;
/// An asynchronous event's first wait after a throttle, doubled each time up to the cap.
const BACKOFF_FIRST: Nanos = NANOS_PER_SEC;
const BACKOFF_CAP: Nanos = 300 * NANOS_PER_SEC;
/// The n-th retry after a function error waits n minutes.
const ERROR_RETRY_STEP: Nanos = 60 * NANOS_PER_SEC;
/// Token buckets count in units of 1/60,000,000,000 token, so that a refill of r
/// tokens a minute is exactly r units a nanosecond.
const UNIT: u128 = 60_000_000_000;
/// How long a stream keeps a record: a record older is discarded whatever its
/// mapping's `maximum_record_age`.
const RETENTION: Nanos = 24 * 3600 * NANOS_PER_SEC;
/// How often Lambda polls a shard: Kinesis once a second, DynamoDB four times.
const KINESIS_POLL: Nanos = NANOS_PER_SEC;
const DYNAMODB_POLL: Nanos = NANOS_PER_SEC / 4;

/// One traffic stream: the functions it feeds and its arrivals, in time order.
#[derive(Clone, Debug)]
pub struct StreamSpec {
    pub targets: Vec<usize>,
    pub arrivals: Vec<Arrival>,
}

/// What happened to a function's asynchronous events.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AsyncCounts {
    pub received: u64,
    pub succeeded: u64,
    pub dropped: u64,
    pub dropped_after_errors: u64,
    pub queued_at_end: u64,
}

/// What happened to an SQS function's messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SqsCounts {
    pub received: u64,
    pub processed: u64,
    pub dead_lettered: u64,
    pub batches: u64,
    pub batches_throttled: u64,
    pub queued_at_end: u64,
    pub peak_depth: u32,
}

/// What happened to a stream function's records.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamCounts {
    pub received: u64,
    pub processed: u64,
    pub discarded: u64,
    pub batches: u64,
    pub batches_failed: u64,
    pub batches_throttled: u64,
    pub held_at_end: u64,
    pub peak_waiting: u32,
    /// The greatest `IteratorAge` of a batch invoked.
    pub iterator_age_max: Nanos,
}

/// The numbers both models must agree on, per function.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Observed {
    pub requests: u64,
    pub invocations: u64,
    pub cold_starts: u64,
    pub throttles: ThrottleCounts,
    pub provisioned_invocations: u64,
    pub spillover_invocations: u64,
    pub errors: u64,
    pub timeouts: u64,
    pub peak_concurrency: u32,
    pub peak_environments: u32,
    pub async_events: Option<AsyncCounts>,
    pub sqs: Option<SqsCounts>,
    pub stream: Option<StreamCounts>,
}

impl Observed {
    /// The same numbers, read from the fast model's summary.
    pub fn of(s: &FunctionSummary) -> Self {
        Self {
            requests: s.requests,
            invocations: s.invocations,
            cold_starts: s.cold_starts,
            throttles: s.throttles_by_reason,
            provisioned_invocations: s.provisioned_invocations,
            spillover_invocations: s.spillover_invocations,
            errors: s.errors,
            timeouts: s.timeouts,
            peak_concurrency: s.peak_concurrency,
            peak_environments: s.peak_environments,
            async_events: s.async_events.map(|a| AsyncCounts {
                received: a.received,
                succeeded: a.succeeded,
                dropped: a.dropped,
                dropped_after_errors: a.dropped_after_errors,
                queued_at_end: a.queued_at_end,
            }),
            sqs: s.sqs.map(|q| SqsCounts {
                received: q.received,
                processed: q.processed,
                dead_lettered: q.dead_lettered,
                batches: q.batches,
                batches_throttled: q.batches_throttled,
                queued_at_end: q.queued_at_end,
                peak_depth: q.peak_depth,
            }),
            stream: s.stream.map(|r| StreamCounts {
                received: r.received,
                processed: r.processed,
                discarded: r.discarded,
                batches: r.batches,
                batches_failed: r.batches_failed,
                batches_throttled: r.batches_throttled,
                held_at_end: r.held_at_end,
                peak_waiting: r.peak_waiting,
                // Exact: the summary divides whole nanoseconds by 1e9.
                iterator_age_max: (r.iterator_age_max_s * 1e9).round() as Nanos,
            }),
        }
    }
}

/// The reference's answer: per function, and the account's peak concurrency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Totals {
    pub functions: Vec<Observed>,
    pub account_peak_concurrency: u32,
}

/// A keep-alive deadline fell on the nanosecond of a request that could have reused
/// the environment: the order there is not documented (see the module comment).
#[derive(Debug)]
pub struct Tie;

/// Runs the reference model.
pub fn simulate(config: &SimConfig, streams: &[StreamSpec]) -> Result<Totals, Tie> {
    simulate_counting_holds(config, streams).map(|(totals, _)| totals)
}

/// Runs the reference model; also returns how many FIFO messages were waiting in
/// their group when a batch of it failed and was hidden, so kept waiting behind it
/// (a number the fast model does not report, for the test that the random cases
/// exercise a blocked group).
pub fn simulate_counting_holds(
    config: &SimConfig,
    streams: &[StreamSpec],
) -> Result<(Totals, u64), Tie> {
    let mut model = Reference::new(config, streams);
    model.run()?;
    let totals = Totals {
        account_peak_concurrency: model.account_peak,
        functions: model.out,
    };
    Ok((totals, model.held_behind_failures))
}

/// The constant of a constant distribution: the reference draws nothing.
pub fn constant(d: &DurationDist) -> Nanos {
    match d {
        DurationDist::Constant(v) => *v,
        other => panic!("the reference model takes constant durations only, not {other:?}"),
    }
}

/// A token bucket: `burst` tokens at most, refilled continuously.
struct Bucket {
    units: u128,
    capacity: u128,
    per_ns: u128,
    last: Nanos,
}

impl Bucket {
    /// A full bucket.
    fn new(burst: u64, per_minute: u64) -> Self {
        let capacity = u128::from(burst) * UNIT;
        Self {
            units: capacity,
            capacity,
            per_ns: u128::from(per_minute),
            last: 0,
        }
    }

    /// The request-rate limit of `per_unit` × `limit` starts a second: one second of
    /// starts (at least one), refilled at that rate; none when `per_unit` is 0.
    fn rate(per_unit: f64, limit: u32) -> Option<Self> {
        if per_unit <= 0.0 {
            return None;
        }
        let per_second = per_unit * f64::from(limit);
        let burst = (per_second.floor() as u64).max(1);
        Some(Self::new(burst, (per_second * 60.0).round() as u64))
    }

    /// Whether a whole token is there at `now` (refilled up to now, nothing taken).
    fn has_token(&mut self, now: Nanos) -> bool {
        let refill = u128::from(now - self.last) * self.per_ns;
        self.units = (self.units + refill).min(self.capacity);
        self.last = now;
        self.units >= UNIT
    }

    fn take(&mut self) {
        self.units -= UNIT;
    }
}

struct Env {
    func: usize,
    provisioned: bool,
    alive: bool,
    busy: bool,
    created: Nanos,
    idle_since: Nanos,
    /// When it became idle, as an order (`mru`/`lru`): environments freed at one
    /// nanosecond are ordered as their invocations ended.
    idle_order: u64,
    /// Its last invocation reached the function timeout: the next runs Init again.
    timed_out: bool,
}

/// What an invocation serves.
#[derive(Clone, Copy)]
enum Job {
    /// A synchronous request.
    Request,
    /// An asynchronous event.
    Event(usize),
    /// An SQS batch.
    Batch(usize),
    /// The batch of a stream function's lane.
    Records(usize),
}

#[derive(Clone, Copy)]
enum Kind {
    /// The next arrival of a stream.
    Arrival(usize),
    /// An environment's invocation ends, serving a job.
    Done(usize, Job),
    /// A second of an SQS function's pollers is over.
    SqsTick(usize),
    /// An SQS function's hidden messages may be visible again.
    SqsVisible(usize),
    /// An SQS function's batch window may be over.
    SqsWindow(usize),
    /// Some lane of a stream function may be due to read.
    StreamRead(usize),
    /// An asynchronous event's next try after a function error.
    Retry(usize),
    /// A throttled asynchronous event's next try: after everything else at its
    /// nanosecond, by function, then in arrival order.
    Backoff(usize),
}

struct Scheduled {
    time: Nanos,
    /// Scheduling order: events at one nanosecond are handled in it.
    seq: u64,
    kind: Kind,
}

struct AsyncEvent {
    func: usize,
    enqueued: Nanos,
    duration: Option<Nanos>,
    throttled: u32,
    errors: u32,
    settled: bool,
}

#[derive(Clone, Copy)]
enum Reason {
    Reserved,
    Account,
    Scaling,
    Rps,
}

struct Reference<'a> {
    config: &'a SimConfig,
    streams: &'a [StreamSpec],
    /// Per stream, the index of its next arrival.
    cursor: Vec<usize>,
    now: Nanos,
    seq: u64,
    agenda: Vec<Scheduled>,
    envs: Vec<Env>,
    idle_counter: u64,
    /// Per function, its last request or completion.
    last_activity: Vec<Nanos>,
    /// New-environment buckets: one per function, or one for the account (legacy).
    scaling: Vec<Bucket>,
    account_rate: Option<Bucket>,
    reserved_rate: Vec<Option<Bucket>>,
    provisioned_rate: Vec<Option<Bucket>>,
    events: Vec<AsyncEvent>,
    /// Every SQS message sent, of every function.
    messages: Vec<Msg>,
    /// Every SQS batch invoked: its messages.
    batches: Vec<Vec<usize>>,
    /// When each batch was received, in the order of `batches`.
    received: Vec<Nanos>,
    /// Per function, its SQS pollers (unused for others).
    pollers: Vec<Pollers>,
    /// FIFO messages that were waiting in their group when a batch of the group failed
    /// and was hidden: they wait behind it (for tests that the cases exercise it).
    held_behind_failures: u64,
    /// Order stamps: when a message became visible, or was hidden.
    stamp: u64,
    /// When each stream record (of any function) was put.
    records: Vec<Nanos>,
    /// Per function, its stream's lanes (none for others).
    lanes: Vec<Vec<Lane>>,
    /// Per function, the records put on its stream so far: the next goes to lane
    /// `dealt % lanes`.
    dealt: Vec<usize>,
    out: Vec<Observed>,
    account_peak: u32,
}

/// Where an SQS message is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum MsgState {
    /// Receivable; the stamp orders the visible messages.
    Visible(u64),
    /// Hidden until the time, returned in the stamp's order.
    Hidden(Nanos, u64),
    /// In a running batch.
    Running,
    /// Processed or dead-lettered.
    Gone,
}

struct Msg {
    func: usize,
    /// Its message group in a FIFO queue.
    group: Option<usize>,
    receives: u32,
    state: MsgState,
}

/// One lane of a stream: the share of a shard's partition keys one batch at a time
/// serves.
#[derive(Default)]
struct Lane {
    /// Its records not yet processed or discarded, oldest first.
    held: Vec<usize>,
    /// Batches that must go before a new one is read, first first: the batch running
    /// or to retry, then the halves bisecting split off it. Together they are the
    /// front of `held`.
    owed: Vec<Vec<usize>>,
    /// Failed tries of the first owed batch.
    failures: u32,
    /// When it reads next, and whether a full batch may go before then (a window).
    read_at: Option<(Nanos, bool)>,
    running: bool,
}

/// An SQS function's pollers.
#[derive(Default)]
struct Pollers {
    /// The concurrent batches they may run.
    limit: u32,
    /// Sixtieths of a step carried to the next tick.
    carry: u32,
    ticking: bool,
    paused: bool,
    window_until: Option<Nanos>,
    /// A FIFO queue's groups: the stamp of when each last became ready (a message
    /// sent to it idle, its batch settled with nothing hidden, its hidden messages
    /// visible again). Ready groups are served in that order.
    group_ready: Vec<u64>,
}

impl<'a> Reference<'a> {
    fn new(config: &'a SimConfig, streams: &'a [StreamSpec]) -> Self {
        let functions = &config.functions;
        let account = &config.account;
        let scaling = match account.scaling.mode {
            ScalingMode::PerFunction => functions.len(),
            ScalingMode::Legacy => 1,
        };
        let per_unit = account.rps_per_environment;
        Self {
            config,
            streams,
            cursor: vec![0; streams.len()],
            now: 0,
            seq: 0,
            agenda: Vec::new(),
            envs: Vec::new(),
            idle_counter: 0,
            last_activity: vec![0; functions.len()],
            scaling: (0..scaling)
                .map(|_| Bucket::new(account.scaling.burst, account.scaling.refill_per_minute))
                .collect(),
            account_rate: Bucket::rate(per_unit, account.concurrency_limit),
            reserved_rate: functions
                .iter()
                .map(|f| {
                    f.reserved_concurrency
                        .and_then(|r| Bucket::rate(per_unit, r))
                })
                .collect(),
            provisioned_rate: functions
                .iter()
                .map(|f| Bucket::rate(per_unit, f.provisioned_concurrency))
                .collect(),
            events: Vec::new(),
            messages: Vec::new(),
            batches: Vec::new(),
            received: Vec::new(),
            pollers: functions
                .iter()
                .map(|f| Pollers {
                    limit: floor(&f.sqs),
                    group_ready: vec![0; f.sqs.message_groups.unwrap_or(0) as usize],
                    ..Pollers::default()
                })
                .collect(),
            held_behind_failures: 0,
            stamp: 0,
            records: Vec::new(),
            lanes: functions
                .iter()
                .map(|f| {
                    let s = &f.stream;
                    let lanes = if is_stream(f) {
                        s.shards * s.parallelization_factor
                    } else {
                        0
                    };
                    (0..lanes).map(|_| Lane::default()).collect()
                })
                .collect(),
            dealt: vec![0; functions.len()],
            out: functions
                .iter()
                .map(|f| Observed {
                    async_events: is_async(f).then(AsyncCounts::default),
                    sqs: is_sqs(f).then(SqsCounts::default),
                    stream: is_stream(f).then(StreamCounts::default),
                    ..Observed::default()
                })
                .collect(),
            account_peak: 0,
        }
    }

    fn run(&mut self) -> Result<(), Tie> {
        self.start();
        while let Some(event) = self.pop_earliest() {
            if event.time >= self.config.duration {
                break;
            }
            self.now = event.time;
            self.keep_alive(event.kind)?;
            self.handle(event.kind);
            self.record_peaks();
        }
        self.count_queued_at_end();
        Ok(())
    }

    /// Time 0: provisioned environments, then warm ones, idle; then each stream's first
    /// arrival (the fast model's order, which fixes creation and idle order).
    fn start(&mut self) {
        let functions = &self.config.functions;
        for (f, cfg) in functions.iter().enumerate() {
            for _ in 0..cfg.provisioned_concurrency {
                let id = self.create(f, true);
                self.make_idle(id);
            }
        }
        for (f, cfg) in functions.iter().enumerate() {
            for _ in 0..cfg.warm_start {
                let id = self.create(f, false);
                self.make_idle(id);
            }
        }
        for s in 0..self.streams.len() {
            self.schedule_next_arrival(s);
        }
        self.record_peaks();
    }

    fn schedule(&mut self, time: Nanos, kind: Kind) {
        self.seq += 1;
        self.agenda.push(Scheduled {
            time,
            seq: self.seq,
            kind,
        });
    }

    /// Removes and returns the earliest event: by time, then scheduling order, but
    /// throttled asynchronous events' tries last, by function and arrival.
    fn pop_earliest(&mut self) -> Option<Scheduled> {
        let earliest = (0..self.agenda.len()).min_by_key(|&i| {
            let e = &self.agenda[i];
            match e.kind {
                Kind::Backoff(event) => (e.time, 1, self.events[event].func as u64, event as u64),
                _ => (e.time, 0, e.seq, 0),
            }
        })?;
        Some(self.agenda.swap_remove(earliest))
    }

    fn schedule_next_arrival(&mut self, s: usize) {
        if let Some(a) = self.streams[s].arrivals.get(self.cursor[s]) {
            self.schedule(a.time.max(self.now), Kind::Arrival(s));
        }
    }

    fn handle(&mut self, kind: Kind) {
        match kind {
            Kind::Arrival(s) => self.arrival(s),
            Kind::Done(id, job) => self.done(id, job),
            Kind::Retry(event) | Kind::Backoff(event) => self.try_async(event),
            Kind::SqsTick(f) => self.sqs_tick(f),
            Kind::SqsVisible(f) => self.sqs_visible(f),
            Kind::SqsWindow(f) => {
                if self.pollers[f].window_until == Some(self.now) {
                    self.sqs_poll(f);
                }
            }
            Kind::StreamRead(f) => self.stream_reads_due(f),
        }
    }

    fn arrival(&mut self, s: usize) {
        let stream = &self.streams[s];
        let a = stream.arrivals[self.cursor[s]];
        self.cursor[s] += 1;
        let f = stream.targets[a.target as usize];
        self.last_activity[f] = self.now;
        self.out[f].requests += 1;
        if is_async(&self.config.functions[f]) {
            self.enqueue_async(f, a.duration);
        } else if is_sqs(&self.config.functions[f]) {
            self.sqs_send(f);
        } else if is_stream(&self.config.functions[f]) {
            self.stream_put(f);
        } else if let Err(reason) = self.serve(f, a.duration, Job::Request) {
            self.count_throttle(f, reason);
        }
        self.schedule_next_arrival(s);
    }

    /// Starts an invocation of `f` if the rules allow, in `docs/model.md`'s order:
    /// request-rate limits (synchronous only) → idle provisioned environment (under
    /// provisioned concurrency's rate) → room in the pool → idle on-demand
    /// environment → scaling token → new environment.
    fn serve(&mut self, f: usize, duration: Option<Nanos>, event: Job) -> Result<(), Reason> {
        let sync = matches!(event, Job::Request);
        if sync && self.rate_limited(f) {
            return Err(Reason::Rps);
        }
        if let Some(id) = self.pick_idle(f, true)
            && (!sync
                || self.provisioned_rate[f]
                    .as_mut()
                    .is_none_or(|b| b.has_token(self.now)))
        {
            self.start_invocation(id, None, duration, event);
            return Ok(());
        }
        if self.pool_full(f) {
            let reserved = self.config.functions[f].reserved_concurrency.is_some();
            return Err(if reserved {
                Reason::Reserved
            } else {
                Reason::Account
            });
        }
        if let Some(id) = self.take_warm(f) {
            self.start_invocation(id, None, duration, event);
            return Ok(());
        }
        let bucket = match self.config.account.scaling.mode {
            ScalingMode::PerFunction => f,
            ScalingMode::Legacy => 0,
        };
        if !self.scaling[bucket].has_token(self.now) {
            return Err(Reason::Scaling);
        }
        self.scaling[bucket].take();
        let id = self.create(f, false);
        let init = constant(&self.config.functions[f].init_duration);
        self.start_invocation(id, Some(init), duration, event);
        Ok(())
    }

    /// Whether the account's request-rate limit, or the function's reservation's, has
    /// no token left. Reserved concurrency 0 has no rate limit of its own: its
    /// requests all fail for want of room (`reserved_limit`).
    fn rate_limited(&mut self, f: usize) -> bool {
        let now = self.now;
        let account = self
            .account_rate
            .as_mut()
            .is_some_and(|b| !b.has_token(now));
        let reserved = self.reserved_rate[f]
            .as_mut()
            .is_some_and(|b| !b.has_token(now));
        let zero_reserved = self.config.functions[f].reserved_concurrency == Some(0);
        (account || reserved) && !zero_reserved
    }

    /// Whether `f`'s pool has no room for another on-demand environment: its reserved
    /// concurrency minus its provisioned, or the unreserved pool (the account limit
    /// minus every reservation minus the provisioned concurrency of functions without
    /// one).
    fn pool_full(&self, f: usize) -> bool {
        let functions = &self.config.functions;
        if let Some(reserved) = functions[f].reserved_concurrency {
            let room = reserved.saturating_sub(functions[f].provisioned_concurrency);
            return self.running_on_demand(|g| g == f) >= room;
        }
        let claimed: u32 = functions
            .iter()
            .map(|g| g.reserved_concurrency.unwrap_or(g.provisioned_concurrency))
            .sum();
        let pool = self.config.account.concurrency_limit - claimed;
        self.running_on_demand(|g| functions[g].reserved_concurrency.is_none()) >= pool
    }

    fn running_on_demand(&self, in_pool: impl Fn(usize) -> bool) -> u32 {
        let running = self
            .envs
            .iter()
            .filter(|e| e.alive && e.busy && !e.provisioned);
        running.filter(|e| in_pool(e.func)).count() as u32
    }

    /// The idle environment of `f` (provisioned or on demand) the reuse policy picks.
    fn pick_idle(&self, f: usize, provisioned: bool) -> Option<usize> {
        let idle = (0..self.envs.len()).filter(|&i| {
            let e = &self.envs[i];
            e.alive && !e.busy && e.func == f && e.provisioned == provisioned
        });
        match self.config.functions[f].reuse {
            ReusePolicy::Mru => idle.max_by_key(|&i| self.envs[i].idle_order),
            ReusePolicy::Lru => idle.min_by_key(|&i| self.envs[i].idle_order),
            ReusePolicy::Newest => idle.max(),
            ReusePolicy::Oldest => idle.min(),
            ReusePolicy::Random => panic!("the reference model draws nothing"),
        }
    }

    /// The idle on-demand environment to reuse; one past `max_lifetime` is destroyed
    /// instead and the next one tried.
    fn take_warm(&mut self, f: usize) -> Option<usize> {
        loop {
            let id = self.pick_idle(f, false)?;
            if !self.outlived(id) {
                return Some(id);
            }
            self.envs[id].alive = false;
        }
    }

    fn outlived(&self, id: usize) -> bool {
        let env = &self.envs[id];
        let life = self.config.functions[env.func].max_lifetime;
        life.is_some_and(|life| self.now - env.created >= life)
    }

    fn create(&mut self, f: usize, provisioned: bool) -> usize {
        self.envs.push(Env {
            func: f,
            provisioned,
            alive: true,
            busy: true,
            created: self.now,
            idle_since: self.now,
            idle_order: 0,
            timed_out: false,
        });
        self.envs.len() - 1
    }

    fn make_idle(&mut self, id: usize) {
        self.idle_counter += 1;
        let env = &mut self.envs[id];
        env.busy = false;
        env.idle_since = self.now;
        env.idle_order = self.idle_counter;
    }

    /// Runs an invocation on environment `id`; `init` is a cold start's Init.
    fn start_invocation(
        &mut self,
        id: usize,
        init: Option<Nanos>,
        duration: Option<Nanos>,
        event: Job,
    ) {
        let f = self.envs[id].func;
        let config = self.config;
        let cfg = &config.functions[f];
        let provisioned = self.envs[id].provisioned;
        let out = &mut self.out[f];
        out.invocations += 1;
        out.cold_starts += u64::from(init.is_some());
        if provisioned {
            out.provisioned_invocations += 1;
        } else if cfg.provisioned_concurrency > 0 {
            out.spillover_invocations += 1;
        }
        let mut init = init.unwrap_or(0);
        let mut invoke = duration.unwrap_or_else(|| constant(&cfg.duration));
        // After a timeout the environment runs Init again, inside the invocation.
        if self.envs[id].timed_out {
            invoke += constant(&cfg.init_duration);
        }
        if init > INIT_LIMIT {
            invoke += init;
            init = INIT_LIMIT;
        }
        let timed_out = invoke > cfg.timeout;
        if timed_out {
            out.timeouts += 1;
            out.errors += 1;
            invoke = cfg.timeout;
        }
        if matches!(event, Job::Request) {
            self.spend_rate_tokens(f, provisioned);
        }
        let env = &mut self.envs[id];
        env.busy = true;
        env.timed_out = timed_out;
        self.schedule(self.now + init + invoke, Kind::Done(id, event));
    }

    /// A synchronous start takes a token from every request-rate limit it passed.
    fn spend_rate_tokens(&mut self, f: usize, provisioned: bool) {
        let provisioned_rate = self.provisioned_rate[f].as_mut().filter(|_| provisioned);
        let limits = [
            self.account_rate.as_mut(),
            self.reserved_rate[f].as_mut(),
            provisioned_rate,
        ];
        for bucket in limits.into_iter().flatten() {
            bucket.take();
        }
    }

    /// An invocation ended: its asynchronous event is settled, then the environment
    /// is idle again (or destroyed when past `max_lifetime`; provisioned ones never are).
    fn done(&mut self, id: usize, job: Job) {
        let timed_out = self.envs[id].timed_out;
        match job {
            Job::Request => {}
            Job::Event(event) => self.settle(event, timed_out),
            Job::Batch(batch) => self.sqs_batch_done(batch, timed_out),
            Job::Records(lane) => self.stream_batch_done(self.envs[id].func, lane, timed_out),
        }
        let f = self.envs[id].func;
        self.last_activity[f] = self.now;
        if !self.envs[id].provisioned && self.outlived(id) {
            self.envs[id].alive = false;
        } else {
            self.make_idle(id);
        }
        match job {
            Job::Batch(_) => self.sqs_poll(f),
            Job::Records(lane) => self.stream_resume(f, lane),
            Job::Request | Job::Event(_) => {}
        }
    }

    /// Before an event at `now`: destroys every idle on-demand environment whose
    /// keep-alive ran out at or before now — `idle_timeout` after it became idle, or
    /// `function_idle_timeout` after its function's last request or completion when
    /// nothing of the function runs.
    fn keep_alive(&mut self, kind: Kind) -> Result<(), Tie> {
        if let Some(f) = self.request_function(kind)
            && self.deadline_now(f)
        {
            return Err(Tie);
        }
        for id in 0..self.envs.len() {
            if self.is_idle_on_demand(id) && self.idle_deadline(id) <= self.now {
                self.envs[id].alive = false;
            }
        }
        for f in 0..self.config.functions.len() {
            if self.function_deadline(f).is_some_and(|d| d <= self.now) {
                self.destroy_idle(f);
            }
        }
        Ok(())
    }

    /// The function of a request that could reuse an idle environment.
    fn request_function(&self, kind: Kind) -> Option<usize> {
        match kind {
            Kind::Arrival(s) => {
                let stream = &self.streams[s];
                let a = &stream.arrivals[self.cursor[s]];
                Some(stream.targets[a.target as usize])
            }
            Kind::Retry(event) | Kind::Backoff(event) => Some(self.events[event].func),
            // A batch's end reads the next batch.
            Kind::Done(id, Job::Batch(_) | Job::Records(_)) => Some(self.envs[id].func),
            Kind::Done(..) => None,
            Kind::SqsTick(f) | Kind::SqsVisible(f) | Kind::SqsWindow(f) | Kind::StreamRead(f) => {
                Some(f)
            }
        }
    }

    /// Whether a keep-alive deadline of `f`'s idle environments is exactly now.
    fn deadline_now(&self, f: usize) -> bool {
        let idle: Vec<usize> = (0..self.envs.len())
            .filter(|&id| self.is_idle_on_demand(id) && self.envs[id].func == f)
            .collect();
        let own = idle.iter().any(|&id| self.idle_deadline(id) == self.now);
        own || (!idle.is_empty() && self.function_deadline(f) == Some(self.now))
    }

    fn is_idle_on_demand(&self, id: usize) -> bool {
        let e = &self.envs[id];
        e.alive && !e.busy && !e.provisioned
    }

    fn idle_deadline(&self, id: usize) -> Nanos {
        let env = &self.envs[id];
        env.idle_since + self.config.functions[env.func].idle_timeout
    }

    /// When `f`'s idle environments all go, if nothing of it runs now.
    fn function_deadline(&self, f: usize) -> Option<Nanos> {
        let timeout = self.config.functions[f].function_idle_timeout?;
        let running = self.envs.iter().any(|e| e.alive && e.busy && e.func == f);
        (!running).then_some(self.last_activity[f] + timeout)
    }

    fn destroy_idle(&mut self, f: usize) {
        for id in 0..self.envs.len() {
            if self.is_idle_on_demand(id) && self.envs[id].func == f {
                self.envs[id].alive = false;
            }
        }
    }

    fn count_throttle(&mut self, f: usize, reason: Reason) {
        let t = &mut self.out[f].throttles;
        match reason {
            Reason::Reserved => t.reserved_limit += 1,
            Reason::Account => t.account_limit += 1,
            Reason::Scaling => t.scaling_rate += 1,
            Reason::Rps => t.rps_limit += 1,
        }
    }

    fn async_counts(&mut self, f: usize) -> &mut AsyncCounts {
        self.out[f]
            .async_events
            .as_mut()
            .expect("an asynchronous function")
    }

    /// An asynchronous event enters the function's queue and is tried at once.
    fn enqueue_async(&mut self, f: usize, duration: Option<Nanos>) {
        self.async_counts(f).received += 1;
        self.events.push(AsyncEvent {
            func: f,
            enqueued: self.now,
            duration,
            throttled: 0,
            errors: 0,
            settled: false,
        });
        self.try_async(self.events.len() - 1);
    }

    /// Tries a queued event; a throttle sends it back after 1 s, 2 s, 4 s … 5 min, and
    /// under reserved concurrency 0 drops it at once.
    fn try_async(&mut self, event: usize) {
        let AsyncEvent {
            func: f,
            duration,
            throttled,
            ..
        } = self.events[event];
        let Err(reason) = self.serve(f, duration, Job::Event(event)) else {
            return;
        };
        self.count_throttle(f, reason);
        if self.config.functions[f].reserved_concurrency == Some(0) {
            self.drop_event(event, false);
            return;
        }
        let backoff = (BACKOFF_FIRST << throttled.min(20)).min(BACKOFF_CAP);
        self.events[event].throttled += 1;
        self.retry_later(event, backoff, false);
    }

    /// Schedules the event's next try after `wait`, or drops it when it would then be
    /// older than `max_event_age`.
    fn retry_later(&mut self, event: usize, wait: Nanos, after_error: bool) {
        let e = &self.events[event];
        let max_age = self.config.functions[e.func].async_config.max_event_age;
        if self.now + wait - e.enqueued > max_age {
            self.drop_event(event, after_error);
        } else if e.errors == 0 {
            self.schedule(self.now + wait, Kind::Backoff(event));
        } else {
            self.schedule(self.now + wait, Kind::Retry(event));
        }
    }

    fn drop_event(&mut self, event: usize, after_error: bool) {
        self.events[event].settled = true;
        let counts = self.async_counts(self.events[event].func);
        counts.dropped += 1;
        counts.dropped_after_errors += u64::from(after_error);
    }

    /// An event's invocation ended: done, or (failed: here, only by the timeout)
    /// retried 1 min then 2 min later, up to `retry_attempts` times.
    fn settle(&mut self, event: usize, failed: bool) {
        let f = self.events[event].func;
        if !failed {
            self.events[event].settled = true;
            self.async_counts(f).succeeded += 1;
            return;
        }
        let errors = self.events[event].errors;
        if errors >= self.config.functions[f].async_config.retry_attempts {
            self.drop_event(event, true);
            return;
        }
        self.events[event].errors += 1;
        self.retry_later(event, ERROR_RETRY_STEP * u64::from(errors + 1), true);
    }

    fn count_queued_at_end(&mut self) {
        for e in 0..self.events.len() {
            if !self.events[e].settled {
                self.async_counts(self.events[e].func).queued_at_end += 1;
            }
        }
        for m in 0..self.messages.len() {
            if self.messages[m].state != MsgState::Gone {
                self.sqs_counts(self.messages[m].func).queued_at_end += 1;
            }
        }
        for f in 0..self.lanes.len() {
            let held: usize = self.lanes[f].iter().map(|l| l.held.len()).sum();
            if let Some(counts) = &mut self.out[f].stream {
                counts.held_at_end = held as u64;
            }
        }
    }

    /// Recounts every function's environments and concurrency, keeping the peaks.
    fn record_peaks(&mut self) {
        let mut account = 0;
        for (f, out) in self.out.iter_mut().enumerate() {
            let alive = self.envs.iter().filter(|e| e.alive && e.func == f);
            let busy = alive.clone().filter(|e| e.busy).count() as u32;
            out.peak_environments = out.peak_environments.max(alive.count() as u32);
            out.peak_concurrency = out.peak_concurrency.max(busy);
            account += busy;
        }
        self.account_peak = self.account_peak.max(account);
    }
}

fn is_async(f: &FunctionConfig) -> bool {
    f.invocation == InvocationType::Async
}

fn is_sqs(f: &FunctionConfig) -> bool {
    f.invocation == InvocationType::Sqs
}

fn is_stream(f: &FunctionConfig) -> bool {
    f.invocation == InvocationType::Stream
}

/// The fewest concurrent batches of an SQS mapping: 5 (or its cap if lower), or 10
/// for each minimum event poller in provisioned mode.
fn floor(sqs: &SqsConfig) -> u32 {
    match sqs.provisioned {
        Some(p) => 10 * p.minimum_pollers,
        None => 5.min(cap(sqs)),
    }
}

/// The most concurrent batches: 1,250, `maximum_concurrency`, or 10 for each
/// maximum event poller.
fn cap(sqs: &SqsConfig) -> u32 {
    match sqs.provisioned {
        Some(p) => 10 * p.maximum_pollers,
        None => sqs.maximum_concurrency.unwrap_or(1_250),
    }
}

/// Concurrent batches added or taken away per minute: 300, or 1,000 in provisioned
/// mode.
fn per_minute(sqs: &SqsConfig) -> u32 {
    if sqs.provisioned.is_some() {
        1_000
    } else {
        300
    }
}

/// The SQS event source mapping, recounting from the messages.
impl Reference<'_> {
    fn sqs_counts(&mut self, f: usize) -> &mut SqsCounts {
        self.out[f].sqs.as_mut().expect("an SQS function")
    }

    fn next_stamp(&mut self) -> u64 {
        self.stamp += 1;
        self.stamp
    }

    /// The messages of `f` in a state the test picks, in message order.
    fn msgs_of(&self, f: usize, pick: impl Fn(MsgState) -> bool) -> Vec<usize> {
        (0..self.messages.len())
            .filter(|&m| self.messages[m].func == f && pick(self.messages[m].state))
            .collect()
    }

    /// Visible messages of `f`, in the order they became visible.
    fn visible(&self, f: usize) -> Vec<usize> {
        let mut v = self.msgs_of(f, |s| matches!(s, MsgState::Visible(_)));
        v.sort_by_key(|&m| match self.messages[m].state {
            MsgState::Visible(stamp) => stamp,
            _ => unreachable!(),
        });
        v
    }

    /// Messages waiting, visible or hidden.
    fn depth(&self, f: usize) -> u32 {
        self.msgs_of(f, |s| {
            matches!(s, MsgState::Visible(_) | MsgState::Hidden(..))
        })
        .len() as u32
    }

    fn record_depth(&mut self, f: usize) {
        let depth = self.depth(f);
        let q = self.sqs_counts(f);
        q.peak_depth = q.peak_depth.max(depth);
    }

    fn running_batches(&self, f: usize) -> u32 {
        self.batches
            .iter()
            .filter(|b| {
                b.first().is_some_and(|&m| {
                    self.messages[m].func == f && self.messages[m].state == MsgState::Running
                })
            })
            .count() as u32
    }

    /// A message is sent; in a FIFO queue it takes the next group in turn (the n-th
    /// message of `f` goes to group n mod the groups), which is ready from now if it
    /// held nothing.
    fn sqs_send(&mut self, f: usize) {
        let group = self.config.functions[f].sqs.message_groups.map(|groups| {
            let sent = self.msgs_of(f, |_| true).len();
            sent % groups as usize
        });
        if let Some(g) = group
            && self.group_msgs(f, g, |s| s != MsgState::Gone).is_empty()
        {
            self.group_ready(f, g);
        }
        let stamp = self.next_stamp();
        self.messages.push(Msg {
            func: f,
            group,
            receives: 0,
            state: MsgState::Visible(stamp),
        });
        self.sqs_counts(f).received += 1;
        self.record_depth(f);
        self.start_ticking(f);
        self.sqs_poll(f);
    }

    /// The messages of FIFO group `g` of `f` in a state the test picks, in the order
    /// they were sent.
    fn group_msgs(&self, f: usize, g: usize, pick: impl Fn(MsgState) -> bool) -> Vec<usize> {
        let mut msgs = self.msgs_of(f, pick);
        msgs.retain(|&m| self.messages[m].group == Some(g));
        msgs
    }

    /// The group gives batches again from now, after those that became ready before.
    fn group_ready(&mut self, f: usize, g: usize) {
        let stamp = self.next_stamp();
        self.pollers[f].group_ready[g] = stamp;
    }

    /// Whether FIFO group `g` of `f` has a message hidden after a throttle or a failure.
    fn group_hidden(&self, f: usize, g: usize) -> bool {
        !self
            .group_msgs(f, g, |s| matches!(s, MsgState::Hidden(..)))
            .is_empty()
    }

    /// Whether FIFO group `g` of `f` gives nothing now: a batch of it runs, or some of
    /// its messages are hidden.
    fn group_blocked(&self, f: usize, g: usize) -> bool {
        let running = !self.group_msgs(f, g, |s| s == MsgState::Running).is_empty();
        running || self.group_hidden(f, g)
    }

    /// The FIFO groups of `f` that can give a batch, in the order they became ready.
    fn ready_groups(&self, f: usize) -> Vec<usize> {
        let groups = self.config.functions[f].sqs.message_groups.unwrap_or(0) as usize;
        let mut ready: Vec<usize> = (0..groups)
            .filter(|&g| {
                let visible = self.group_msgs(f, g, |s| matches!(s, MsgState::Visible(_)));
                !visible.is_empty() && !self.group_blocked(f, g)
            })
            .collect();
        ready.sort_by_key(|&g| self.pollers[f].group_ready[g]);
        ready
    }

    /// Whether a poller could start a batch now (a window aside).
    fn sqs_can_take(&self, f: usize) -> bool {
        match self.config.functions[f].sqs.message_groups {
            Some(_) => !self.ready_groups(f).is_empty(),
            None => !self.visible(f).is_empty(),
        }
    }

    /// Whether messages wait that no visibility timeout holds back: visible ones, but
    /// in a FIFO queue not those of a group with hidden messages (those behind a
    /// running batch count: the pollers hold for them rather than shrink).
    fn sqs_backlogged(&self, f: usize) -> bool {
        let Some(groups) = self.config.functions[f].sqs.message_groups else {
            return !self.visible(f).is_empty();
        };
        (0..groups as usize).any(|g| {
            let visible = self.group_msgs(f, g, |s| matches!(s, MsgState::Visible(_)));
            !visible.is_empty() && !self.group_hidden(f, g)
        })
    }

    fn start_ticking(&mut self, f: usize) {
        if !self.pollers[f].ticking {
            self.pollers[f].ticking = true;
            self.schedule(self.now + NANOS_PER_SEC, Kind::SqsTick(f));
        }
    }

    /// A second is over: up a step while a batch could start (unless a batch was
    /// throttled), down a step to the floor while no message is backlogged, else
    /// (a FIFO queue whose waiting groups all run) no change. A step is the per-minute
    /// rate over 60, the remainder carried to the next step.
    fn sqs_tick(&mut self, f: usize) {
        let sqs = self.config.functions[f].sqs;
        let backlogged = self.sqs_backlogged(f);
        let grow = backlogged && self.sqs_can_take(f) && !self.pollers[f].paused;
        let p = &mut self.pollers[f];
        if grow || !backlogged {
            p.carry += per_minute(&sqs);
            let step = p.carry / 60;
            p.carry %= 60;
            p.limit = if grow {
                (p.limit + step).min(cap(&sqs))
            } else {
                p.limit.saturating_sub(step).max(floor(&sqs))
            };
        }
        p.paused = false;
        p.ticking = false;
        let at_floor = p.limit == floor(&sqs);
        let quiet = at_floor && self.msgs_of(f, |s| s != MsgState::Gone).is_empty();
        if !quiet {
            self.start_ticking(f);
        }
        self.sqs_poll(f);
    }

    /// Starts batches while pollers are free and a batch can be taken.
    fn sqs_poll(&mut self, f: usize) {
        loop {
            let p = &self.pollers[f];
            if p.paused || self.running_batches(f) >= p.limit {
                return;
            }
            let next = match self.config.functions[f].sqs.message_groups {
                Some(_) => self.fifo_batch(f),
                None => self.standard_batch(f),
            };
            let Some(batch) = next else {
                return;
            };
            for &m in &batch {
                self.messages[m].receives += 1;
                self.messages[m].state = MsgState::Running;
            }
            self.batches.push(batch);
            self.received.push(self.now);
            let id = self.batches.len() - 1;
            match self.serve(f, None, Job::Batch(id)) {
                Ok(()) => self.sqs_counts(f).batches += 1,
                Err(reason) => {
                    self.count_throttle(f, reason);
                    self.sqs_counts(f).batches_throttled += 1;
                    self.pollers[f].paused = true;
                    let batch = std::mem::take(&mut self.batches[id]);
                    self.sqs_return(f, batch, self.now);
                }
            }
        }
    }

    /// A standard queue's next batch: its first `batch_size` visible messages, or
    /// `None` with none or while a partial batch waits for its window.
    fn standard_batch(&mut self, f: usize) -> Option<Vec<usize>> {
        let sqs = self.config.functions[f].sqs;
        let visible = self.visible(f);
        if visible.is_empty() {
            return None;
        }
        let size = sqs.batch_size as usize;
        if visible.len() < size && sqs.batch_window > 0 {
            match self.pollers[f].window_until {
                Some(until) if self.now >= until => {}
                Some(_) => return None,
                None => {
                    let until = self.now + sqs.batch_window;
                    self.pollers[f].window_until = Some(until);
                    self.schedule(until, Kind::SqsWindow(f));
                    return None;
                }
            }
        }
        self.pollers[f].window_until = None;
        Some(visible.into_iter().take(size).collect())
    }

    /// A FIFO queue's next batch: the first `batch_size` messages, in the order sent,
    /// of the group that became ready first (a FIFO queue takes no window).
    fn fifo_batch(&self, f: usize) -> Option<Vec<usize>> {
        let g = *self.ready_groups(f).first()?;
        let size = self.config.functions[f].sqs.batch_size as usize;
        let visible = self.group_msgs(f, g, |s| matches!(s, MsgState::Visible(_)));
        Some(visible.into_iter().take(size).collect())
    }

    fn sqs_batch_done(&mut self, batch: usize, failed: bool) {
        let received = self.received[batch];
        let batch = std::mem::take(&mut self.batches[batch]);
        let (f, group) = (self.messages[batch[0]].func, self.messages[batch[0]].group);
        if failed {
            self.sqs_return(f, batch, received);
            self.count_held_behind(f, group);
            return;
        }
        for m in batch {
            self.messages[m].state = MsgState::Gone;
            self.sqs_counts(f).processed += 1;
        }
        if let Some(g) = group {
            self.group_ready(f, g);
        }
    }

    /// After a FIFO batch failed: the messages of its group that wait behind its
    /// hidden ones.
    fn count_held_behind(&mut self, f: usize, group: Option<usize>) {
        if let Some(g) = group
            && self.group_hidden(f, g)
        {
            let behind = self.group_msgs(f, g, |s| matches!(s, MsgState::Visible(_)));
            self.held_behind_failures += behind.len() as u64;
        }
    }

    /// A throttled or failed batch's messages: hidden until the visibility timeout
    /// from the batch's receive runs out (at the earliest the next nanosecond), or
    /// dead-lettered at their last allowed receive. A FIFO batch's group is ready
    /// again at once if none is hidden.
    fn sqs_return(&mut self, f: usize, batch: Vec<usize>, received: Nanos) {
        let sqs = self.config.functions[f].sqs;
        let visible_at = (received + sqs.visibility_timeout).max(self.now + 1);
        let group = self.messages[batch[0]].group;
        let mut hidden = false;
        for m in batch {
            if sqs
                .max_receive_count
                .is_some_and(|n| self.messages[m].receives >= n)
            {
                self.messages[m].state = MsgState::Gone;
                self.sqs_counts(f).dead_lettered += 1;
            } else {
                let stamp = self.next_stamp();
                self.messages[m].state = MsgState::Hidden(visible_at, stamp);
                hidden = true;
            }
        }
        self.record_depth(f);
        if hidden {
            self.schedule(visible_at, Kind::SqsVisible(f));
        } else if let Some(g) = group {
            self.group_ready(f, g);
        }
    }

    /// Hidden messages whose time has come are visible, in the order they were hidden;
    /// a FIFO group is ready again as its hidden messages are visible (a group's are
    /// hidden together, so groups are ready in the order they were hidden).
    fn sqs_visible(&mut self, f: usize) {
        let now = self.now;
        let mut due: Vec<(u64, usize)> = self
            .msgs_of(f, |s| matches!(s, MsgState::Hidden(at, _) if at <= now))
            .into_iter()
            .map(|m| match self.messages[m].state {
                MsgState::Hidden(_, stamp) => (stamp, m),
                _ => unreachable!(),
            })
            .collect();
        due.sort_unstable();
        for (_, m) in due {
            let stamp = self.next_stamp();
            self.messages[m].state = MsgState::Visible(stamp);
            if let Some(g) = self.messages[m].group {
                self.pollers[f].group_ready[g] = stamp;
            }
        }
        self.sqs_poll(f);
    }
}

/// The Kinesis or DynamoDB stream mapping, recounting from the lanes' records.
impl Reference<'_> {
    fn stream_counts(&mut self, f: usize) -> &mut StreamCounts {
        self.out[f].stream.as_mut().expect("a stream function")
    }

    fn stream(&self, f: usize) -> StreamConfig {
        self.config.functions[f].stream
    }

    fn poll_interval(&self, f: usize) -> Nanos {
        match self.stream(f).source {
            StreamSource::Kinesis => KINESIS_POLL,
            StreamSource::DynamoDb => DYNAMODB_POLL,
        }
    }

    /// Records of `f` waiting: held, and not in a running batch.
    fn stream_waiting(&self, f: usize) -> u32 {
        let waiting = |l: &Lane| l.held.len() - if l.running { l.owed[0].len() } else { 0 };
        self.lanes[f].iter().map(waiting).sum::<usize>() as u32
    }

    /// Keeps the peak of records waiting: read whenever records start waiting (a put,
    /// a failed batch), before anything reads them.
    fn record_waiting(&mut self, f: usize) {
        let waiting = self.stream_waiting(f);
        let counts = self.stream_counts(f);
        counts.peak_waiting = counts.peak_waiting.max(waiting);
    }

    /// A record is put on the stream: dealt to the next lane in turn. An idle lane
    /// reads at the shard's next poll (on the whole seconds or quarter seconds, now
    /// if a poll is now), and with a window not before it ends; a lane waiting out its
    /// window reads at once when it holds a full batch.
    fn stream_put(&mut self, f: usize) {
        let cfg = self.stream(f);
        let lane = self.dealt[f] % self.lanes[f].len();
        self.dealt[f] += 1;
        self.records.push(self.now);
        self.lanes[f][lane].held.push(self.records.len() - 1);
        self.stream_counts(f).received += 1;
        self.record_waiting(f);
        let l = &self.lanes[f][lane];
        if !l.running && l.read_at.is_none() {
            let poll = self.poll_interval(f);
            let next_poll = self.now.div_ceil(poll) * poll;
            let window_end = self.now + cfg.batch_window;
            let windowed = cfg.batch_window > 0;
            self.set_read(f, lane, next_poll.max(window_end), windowed);
        } else if l.read_at.is_some_and(|(_, windowed)| windowed)
            && l.held.len() >= cfg.batch_size as usize
        {
            self.lanes[f][lane].read_at = None;
            self.stream_read(f, lane);
        }
    }

    /// Sets the lane's next read; the event may find other lanes due with it.
    fn set_read(&mut self, f: usize, lane: usize, at: Nanos, windowed: bool) {
        self.lanes[f][lane].read_at = Some((at, windowed));
        self.schedule(at, Kind::StreamRead(f));
    }

    /// Every lane of `f` due to read does, in lane order (`docs/model.md`: reads due
    /// at one nanosecond are made together when the first comes up).
    fn stream_reads_due(&mut self, f: usize) {
        for lane in 0..self.lanes[f].len() {
            if self.lanes[f][lane]
                .read_at
                .is_some_and(|(at, _)| at <= self.now)
            {
                self.lanes[f][lane].read_at = None;
                self.stream_read(f, lane);
            }
        }
    }

    /// The lane discards its records past their age, then sends the batch it owes or
    /// else its oldest `batch_size` records; a throttled batch is owed, tried again a
    /// poll interval later.
    fn stream_read(&mut self, f: usize, lane: usize) {
        self.stream_expire(f, lane);
        let cfg = self.stream(f);
        let l = &mut self.lanes[f][lane];
        if l.held.is_empty() {
            return;
        }
        if l.owed.is_empty() {
            let n = l.held.len().min(cfg.batch_size as usize);
            l.owed.push(l.held[..n].to_vec());
        }
        let last = *l.owed[0].last().expect("a batch is never empty");
        let age = self.now - self.records[last];
        match self.serve(f, None, Job::Records(lane)) {
            Ok(()) => {
                self.lanes[f][lane].running = true;
                let counts = self.stream_counts(f);
                counts.batches += 1;
                counts.iterator_age_max = counts.iterator_age_max.max(age);
            }
            Err(reason) => {
                self.count_throttle(f, reason);
                self.stream_counts(f).batches_throttled += 1;
                let retry_at = self.now + self.poll_interval(f);
                self.set_read(f, lane, retry_at, false);
            }
        }
    }

    /// Discards the lane's records older than `maximum_record_age` (or the
    /// retention), wherever they are. An owed batch keeps the rest of its records and
    /// its failed tries; one wholly discarded takes its tries with it.
    fn stream_expire(&mut self, f: usize, lane: usize) {
        let cfg = self.stream(f);
        let limit = cfg.maximum_record_age.unwrap_or(RETENTION).min(RETENTION);
        let (now, records) = (self.now, &self.records);
        let fresh = |r: &usize| now - records[*r] <= limit;
        let l = &mut self.lanes[f][lane];
        let before = l.held.len();
        l.held.retain(fresh);
        for batch in &mut l.owed {
            batch.retain(fresh);
        }
        if l.owed.first().is_some_and(Vec::is_empty) {
            l.failures = 0;
        }
        l.owed.retain(|b| !b.is_empty());
        let gone = (before - l.held.len()) as u64;
        self.stream_counts(f).discarded += gone;
    }

    /// A lane's batch ended. Processed; or failed: its records wait again, and it is
    /// split in two (bisecting), or tried again a poll interval later, or discarded
    /// once it has failed `maximum_retry_attempts` times after its first try.
    fn stream_batch_done(&mut self, f: usize, lane: usize, failed: bool) {
        let cfg = self.stream(f);
        self.lanes[f][lane].running = false;
        if !failed {
            let n = self.stream_finish(f, lane);
            self.stream_counts(f).processed += n;
            return;
        }
        self.stream_counts(f).batches_failed += 1;
        self.record_waiting(f);
        let retry_at = self.now + self.poll_interval(f);
        let l = &mut self.lanes[f][lane];
        if cfg.bisect_batch_on_error && l.owed[0].len() > 1 {
            let first = l.owed[0].len().div_ceil(2);
            let second = l.owed[0].split_off(first);
            l.owed.insert(1, second);
            self.set_read(f, lane, retry_at, false);
            return;
        }
        l.failures += 1;
        if cfg
            .maximum_retry_attempts
            .is_some_and(|retries| l.failures > retries)
        {
            let n = self.stream_finish(f, lane);
            self.stream_counts(f).discarded += n;
            return;
        }
        self.set_read(f, lane, retry_at, false);
    }

    /// The lane's first owed batch leaves it for good; returns its size.
    fn stream_finish(&mut self, f: usize, lane: usize) -> u64 {
        let l = &mut self.lanes[f][lane];
        let batch = l.owed.remove(0);
        l.held.retain(|r| !batch.contains(r));
        l.failures = 0;
        batch.len() as u64
    }

    /// Once a batch's environment is free, a lane it left idle reads on at once while
    /// it holds records, a partial new batch after its window.
    fn stream_resume(&mut self, f: usize, lane: usize) {
        let cfg = self.stream(f);
        let l = &self.lanes[f][lane];
        if l.running || l.read_at.is_some() || l.held.is_empty() {
            return;
        }
        let partial = l.owed.is_empty() && l.held.len() < cfg.batch_size as usize;
        if cfg.batch_window > 0 && partial {
            self.set_read(f, lane, self.now + cfg.batch_window, true);
        } else {
            self.stream_read(f, lane);
        }
    }
}
