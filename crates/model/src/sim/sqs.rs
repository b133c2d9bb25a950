//! The SQS event source mapping: messages wait in a queue, pollers take them in
//! batches and invoke the function once per batch (`docs/model.md`, "SQS event source
//! mapping").
//!
//! - Pollers start at [`SqsConfig::floor`] concurrent invocations: 5 in standard mode,
//!   the minimum event pollers' in provisioned mode. Every second ([`TICK`]) that
//!   messages are waiting and no batch was throttled, they add a sixtieth of
//!   [`SqsConfig::per_minute`] (300, or 1,000 in provisioned mode), up to the
//!   mapping's cap; every second the queue has nothing visible they give back as
//!   many, down to the floor. A FIFO queue's pollers hold while every group with
//!   waiting messages runs a batch.
//! - A batch takes up to `batch_size` visible messages, oldest received first; a
//!   partial batch waits up to `batch_window` for more. A FIFO queue's batch takes
//!   one message group's (`fifo.rs`).
//! - A batch that is throttled, fails or times out returns its messages after the
//!   visibility timeout; a throttle also pauses polling until the next second. With
//!   `report_batch_item_failures` a batch that ran returns only the messages that
//!   failed, each failing with the function's `error_rate`. A message whose receive
//!   count reaches `max_receive_count` is dead-lettered instead.
//!
//! Nothing is lost: every message received is processed, dead-lettered, waiting, or
//! in a running batch (checked in `invariants.rs`).
//!
//! The entry points the event loop and the request path call are kept out of line
//! (`#[inline(never)]`), so that the SQS code does not grow the hot loop of functions
//! that have no queue (`docs/performance.md`).

mod fifo;

use super::ids::{FnIdx, GroupId, PendingId};
use super::metrics::Level;
use super::pending::Pending;
use super::{Event, Simulation};
use crate::config::{InvocationType, SqsConfig};
use crate::histogram::Histogram;
use crate::results::SqsSummary;
use fifo::Groups;
use lambdasim_engine::{NANOS_PER_SEC, Nanos};
use rand::RngExt;
use std::collections::{BTreeMap, HashMap, VecDeque};

/// Puts `item` among `hidden` (in the order they are visible again, those visible at
/// the same time in the order they were hidden): a batch received earlier may come
/// back later and still be visible sooner, its timeout counted from its receive.
pub(super) fn hide<T>(hidden: &mut VecDeque<(Nanos, T)>, visible_at: Nanos, item: T) {
    let at = hidden.partition_point(|(t, _)| *t <= visible_at);
    hidden.insert(at, (visible_at, item));
}

/// How often pollers scale: each step is a sixtieth of the per-minute rate.
pub(super) const TICK: Nanos = NANOS_PER_SEC;

/// Scaling ticks in a minute.
const TICKS_PER_MINUTE: u32 = 60;

/// A message in the queue.
#[derive(Clone, Copy, Debug)]
struct Message {
    /// When it was sent: its age is measured from here.
    sent: Nanos,
    /// Times a poller has received it (`ApproximateReceiveCount`).
    receives: u32,
    /// Its message group in a FIFO queue (0 in a standard queue).
    group: GroupId,
    /// Its place in its group, from 0 (0 in a standard queue).
    seq: u64,
}

impl Message {
    /// A message of a standard queue, sent at `sent`.
    fn standard(sent: Nanos) -> Self {
        Self {
            sent,
            receives: 0,
            group: GroupId::new(0),
            seq: 0,
        }
    }
}

/// What happened to messages, counted per bucket and over the run.
#[derive(Clone, Copy, Debug, Default)]
struct SqsCounts {
    received: u64,
    processed: u64,
    dead_lettered: u64,
    batches: u64,
    batches_throttled: u64,
}

impl SqsCounts {
    fn add(&mut self, other: &Self) {
        self.received += other.received;
        self.processed += other.processed;
        self.dead_lettered += other.dead_lettered;
        self.batches += other.batches;
        self.batches_throttled += other.batches_throttled;
    }
}

/// One function's queue, its pollers and their measurements.
pub(crate) struct SqsQueue {
    config: SqsConfig,
    /// A FIFO queue's message groups, which then hold every waiting message
    /// (`visible` and `hidden` stay empty).
    groups: Option<Box<Groups>>,
    /// With `report_batch_item_failures`, the chance that one message of a batch
    /// fails (the function's `error_rate`); 0 without.
    item_error_rate: f64,
    /// Messages that can be received, in the order they became visible.
    visible: VecDeque<Message>,
    /// Messages hidden by the visibility timeout after a throttled or failed batch,
    /// with the time each is visible again (in order: the timeout is one for all).
    hidden: VecDeque<(Nanos, Message)>,
    /// The messages of each running batch, by the batch's waiting-request id.
    in_flight: HashMap<PendingId, Vec<Message>>,
    /// How many messages not yet deleted were sent at each time: the first key is the
    /// oldest message's (`ApproximateAgeOfOldestMessage`).
    sent: BTreeMap<Nanos, u32>,
    /// The concurrent invocations the pollers may run now.
    pollers: u32,
    /// Sixtieths of a poller's step not yet taken: a per-minute rate that 60 does not
    /// divide (provisioned mode's 1,000) is spread over the minute's ticks.
    carry: u32,
    /// A scaling tick is scheduled.
    ticking: bool,
    /// A batch was throttled since the last tick: no polling, no scaling up until then.
    paused: bool,
    /// A partial batch waits for more messages until then.
    window_until: Option<Nanos>,
    /// Messages waiting, visible or hidden (not those in running batches).
    depth: Level,
    /// Most pollers during the current bucket.
    pollers_bucket_max: u32,
    /// The oldest message's greatest age during the current bucket, at its removals.
    oldest_bucket_max: Nanos,
    /// Each bucket's greatest oldest-message age, for the run's percentiles.
    oldest_ages: Histogram,
    bucket: SqsCounts,
    totals: SqsCounts,
}

/// One bucket's SQS measurements, for the time series.
pub(crate) struct SqsBucket {
    pub depth: u32,
    pub oldest_age: Nanos,
    pub processed: u64,
    pub dead_lettered: u64,
    pub batches_throttled: u64,
    pub pollers: u32,
}

impl SqsQueue {
    /// The queue of a mapping; `error_rate` is the function's.
    pub(super) fn new(config: SqsConfig, error_rate: f64) -> Self {
        let pollers = config.floor();
        Self {
            config,
            groups: config.message_groups.map(|n| Box::new(Groups::new(n))),
            item_error_rate: if config.report_batch_item_failures {
                error_rate
            } else {
                0.0
            },
            visible: VecDeque::new(),
            hidden: VecDeque::new(),
            in_flight: HashMap::new(),
            sent: BTreeMap::new(),
            pollers,
            carry: 0,
            ticking: false,
            paused: false,
            window_until: None,
            depth: Level::default(),
            pollers_bucket_max: pollers,
            oldest_bucket_max: 0,
            oldest_ages: Histogram::new(),
            bucket: SqsCounts::default(),
            totals: SqsCounts::default(),
        }
    }

    /// Whether a batch can be taken now.
    fn has_visible(&self) -> bool {
        match &self.groups {
            Some(groups) => groups.has_visible(),
            None => !self.visible.is_empty(),
        }
    }

    /// Whether messages wait that no visibility timeout holds back: without them the
    /// pollers scale down. In a FIFO queue they may wait behind a running batch of
    /// their group, which more pollers would not start sooner.
    fn backlogged(&self) -> bool {
        match &self.groups {
            Some(groups) => groups.backlogged(),
            None => !self.visible.is_empty(),
        }
    }

    /// Messages waiting, visible or hidden.
    fn waiting(&self) -> usize {
        match &self.groups {
            Some(groups) => groups.waiting(),
            None => self.visible.len() + self.hidden.len(),
        }
    }

    /// The pollers' step this tick: the per-minute rate over the minute's ticks, with
    /// the remainder carried to the next.
    fn step(&mut self) -> u32 {
        self.carry += self.config.per_minute();
        let step = self.carry / TICKS_PER_MINUTE;
        self.carry %= TICKS_PER_MINUTE;
        step
    }

    /// Batches running.
    pub(super) fn batches(&self) -> u32 {
        self.in_flight.len() as u32
    }

    /// Messages in running batches.
    fn running_messages(&self) -> u64 {
        self.in_flight.values().map(|b| b.len() as u64).sum()
    }

    /// Messages not yet processed or dead-lettered: waiting or in running batches.
    pub(super) fn undeleted(&self) -> u64 {
        self.waiting() as u64 + self.running_messages()
    }

    /// Messages received, processed and dead-lettered so far in the run, with the
    /// bucket open now.
    pub(super) fn received_processed_dead(&self) -> (u64, u64, u64) {
        let (b, t) = (&self.bucket, &self.totals);
        (
            b.received + t.received,
            b.processed + t.processed,
            b.dead_lettered + t.dead_lettered,
        )
    }

    /// The invariants of the queue: its counts agree, the pollers keep between the
    /// floor and the cap, and a FIFO queue's groups keep their order.
    pub(super) fn check(&self) -> Result<(), String> {
        let (received, processed, dead) = self.received_processed_dead();
        if received != processed + dead + self.undeleted() {
            return Err(format!(
                "sqs: {received} received but {processed} processed, {dead} dead-lettered and {} undeleted",
                self.undeleted()
            ));
        }
        let (floor, cap) = (self.config.floor(), self.config.cap());
        if self.pollers > cap || self.pollers < floor || self.in_flight.len() > cap as usize {
            return Err(format!(
                "sqs: {} pollers and {} batches outside {floor} to {cap}",
                self.pollers,
                self.in_flight.len()
            ));
        }
        let counted: u32 = self.sent.values().sum();
        if self.depth.value as usize != self.waiting() || u64::from(counted) != self.undeleted() {
            return Err("sqs: queue depth or sent times out of step".into());
        }
        match &self.groups {
            Some(groups) => groups.check(self.in_flight.values().map(Vec::as_slice)),
            None => Ok(()),
        }
    }

    /// A message leaves the queue for good (processed or dead-lettered) at `now`.
    fn delete(&mut self, message: Message, now: Nanos) {
        if let Some(groups) = &mut self.groups {
            groups.deleted(&message);
        }
        let count = self
            .sent
            .get_mut(&message.sent)
            .expect("every undeleted message is counted");
        *count -= 1;
        if *count == 0 {
            if self.sent.first_key_value().map(|(&t, _)| t) == Some(message.sent) {
                // The oldest message goes: its age was the gauge's peak until now.
                self.oldest_bucket_max = self.oldest_bucket_max.max(now - message.sent);
            }
            self.sent.remove(&message.sent);
        }
    }

    /// The oldest undeleted message's age at `now` (0 with none).
    fn oldest_age(&self, now: Nanos) -> Nanos {
        self.sent.first_key_value().map_or(0, |(&t, _)| now - t)
    }

    /// Closes the bucket ending at `end`: its measurements, folded into the run's.
    pub(super) fn close_bucket(&mut self, end: Nanos) -> SqsBucket {
        let oldest_age = self.oldest_bucket_max.max(self.oldest_age(end));
        self.oldest_ages.record(oldest_age);
        self.oldest_bucket_max = 0;
        let counts = std::mem::take(&mut self.bucket);
        self.totals.add(&counts);
        let pollers = std::mem::replace(&mut self.pollers_bucket_max, self.pollers);
        SqsBucket {
            depth: self.depth.roll(),
            oldest_age,
            processed: counts.processed,
            dead_lettered: counts.dead_lettered,
            batches_throttled: counts.batches_throttled,
            pollers,
        }
    }

    /// The run's totals; call after the last bucket closed.
    pub(super) fn summary(&self) -> SqsSummary {
        let t = &self.totals;
        let seconds = |ns: f64| if ns.is_nan() { 0.0 } else { ns / 1e9 };
        SqsSummary {
            received: t.received,
            processed: t.processed,
            dead_lettered: t.dead_lettered,
            batches: t.batches,
            batches_throttled: t.batches_throttled,
            queued_at_end: self.undeleted(),
            peak_depth: self.depth.peak,
            oldest_age_p99_s: seconds(self.oldest_ages.quantile(0.99)),
            oldest_age_max_s: self.oldest_ages.max() as f64 / 1e9,
        }
    }

    /// Sets the pollers, keeping the bucket's maximum.
    fn set_pollers(&mut self, pollers: u32) {
        self.pollers = pollers;
        self.pollers_bucket_max = self.pollers_bucket_max.max(pollers);
    }
}

impl Simulation {
    /// The queue of `f`, an SQS function.
    fn sqs(&mut self, f: usize) -> &mut SqsQueue {
        self.functions[f]
            .sqs
            .as_deref_mut()
            .expect("an SQS function has a queue")
    }

    /// A message is sent to the queue of `f` by its traffic.
    #[inline(never)]
    pub(super) fn sqs_send(&mut self, f: usize) {
        self.functions[f].metrics.bucket.requests += 1;
        let now = self.now;
        let q = self.sqs(f);
        q.bucket.received += 1;
        match &mut q.groups {
            Some(groups) => groups.send(now),
            None => q.visible.push_back(Message::standard(now)),
        }
        *q.sent.entry(now).or_default() += 1;
        q.depth.up();
        self.sqs_start_ticking(f);
        self.sqs_poll(f);
    }

    /// Schedules the next scaling tick if none is.
    fn sqs_start_ticking(&mut self, f: usize) {
        let at = self.now.saturating_add(TICK);
        let q = self.sqs(f);
        if !q.ticking {
            q.ticking = true;
            self.queue.schedule(at, Event::SqsTick(FnIdx::new(f)));
        }
    }

    /// A second has passed: pollers scale up while a batch waits for one (and
    /// nothing was throttled), hold while messages wait behind a FIFO group's running
    /// batch, and scale down while none waits but hidden ones; polling resumes after
    /// a throttle.
    #[inline(never)]
    pub(super) fn sqs_tick(&mut self, f: usize) {
        let q = self.sqs(f);
        let (cap, floor) = (q.config.cap(), q.config.floor());
        let pollers = if !q.backlogged() {
            q.pollers.saturating_sub(q.step()).max(floor)
        } else if q.paused || !q.has_visible() {
            q.pollers
        } else {
            (q.pollers + q.step()).min(cap)
        };
        q.set_pollers(pollers);
        q.paused = false;
        q.ticking = false;
        let quiet = q.undeleted() == 0 && q.pollers == floor;
        if !quiet {
            self.sqs_start_ticking(f);
        }
        self.sqs_poll(f);
    }

    /// Starts batches while pollers are free and messages visible.
    #[inline(never)]
    pub(super) fn sqs_poll(&mut self, f: usize) {
        loop {
            let q = self.sqs(f);
            if q.paused || q.in_flight.len() >= q.pollers as usize || !q.has_visible() {
                return;
            }
            let size = q.config.batch_size as usize;
            let mut batch = match &mut q.groups {
                Some(groups) => groups.take(size),
                None => match self.sqs_standard_batch(f) {
                    Some(batch) => batch,
                    None => return,
                },
            };
            let q = self.sqs(f);
            for m in &mut batch {
                m.receives += 1;
                q.depth.down();
            }
            self.sqs_invoke(f, batch);
        }
    }

    /// A standard queue's next batch, or `None` while a partial batch waits for its
    /// window to close.
    fn sqs_standard_batch(&mut self, f: usize) -> Option<Vec<Message>> {
        let now = self.now;
        let q = self.sqs(f);
        let size = q.config.batch_size as usize;
        if q.visible.len() < size && q.config.batch_window > 0 {
            match q.window_until {
                Some(until) if now >= until => {}
                Some(_) => return None,
                None => {
                    let until = now.saturating_add(q.config.batch_window);
                    q.window_until = Some(until);
                    self.queue.schedule(until, Event::SqsWindow(FnIdx::new(f)));
                    return None;
                }
            }
        }
        q.window_until = None;
        let take = size.min(q.visible.len());
        Some(q.visible.drain(..take).collect())
    }

    /// A partial batch's window may be over.
    #[inline(never)]
    pub(super) fn sqs_window(&mut self, f: usize) {
        let now = self.now;
        if self.sqs(f).window_until == Some(now) {
            self.sqs_poll(f);
        }
    }

    /// Invokes the function with `batch`; a throttle returns it to the queue.
    fn sqs_invoke(&mut self, f: usize, batch: Vec<Message>) {
        let id = self
            .pending
            .insert(Pending::batch(f, self.now, InvocationType::Sqs));
        match self.serve(f, None, id) {
            Ok(()) => {
                let q = self.sqs(f);
                q.bucket.batches += 1;
                q.in_flight.insert(id, batch);
            }
            Err(reason) => {
                self.pending.remove(id);
                self.count_throttle(f, reason);
                let q = self.sqs(f);
                q.bucket.batches_throttled += 1;
                q.paused = true;
                let now = self.now;
                self.sqs_return(f, group_of(&batch), batch, now);
            }
        }
    }

    /// A batch's invocation ended: its messages are deleted, or return to the queue
    /// if it failed (only those that failed with `report_batch_item_failures`), their
    /// visibility timeout counted from when the batch was `received`. Its poller polls
    /// again once the environment is free (`invoke_done`).
    pub(super) fn sqs_batch_done(
        &mut self,
        f: usize,
        id: PendingId,
        failed: bool,
        received: Nanos,
    ) {
        let now = self.now;
        let mut batch = self.sqs(f).in_flight.remove(&id).unwrap_or_default();
        let group = group_of(&batch);
        let returned = if failed {
            std::mem::take(&mut batch)
        } else {
            self.sqs_item_failures(f, &mut batch)
        };
        let q = self.sqs(f);
        q.bucket.processed += batch.len() as u64;
        for m in batch {
            q.delete(m, now);
        }
        self.sqs_return(f, group, returned, received);
    }

    /// With `report_batch_item_failures`, the messages of a batch that ran which its
    /// function reports failed, each with the chance `error_rate`, taken out of
    /// `batch`. In a FIFO queue the function stops at the first failure and reports
    /// it and every message after it, as AWS asks of FIFO functions.
    fn sqs_item_failures(&mut self, f: usize, batch: &mut Vec<Message>) -> Vec<Message> {
        let func = &mut self.functions[f];
        let q = func.sqs.as_deref().expect("an SQS function has a queue");
        let (rate, fifo) = (q.item_error_rate, q.groups.is_some());
        if rate <= 0.0 {
            return Vec::new();
        }
        let mut fails = || func.rng_errors.random::<f64>() < rate;
        if fifo {
            let first = (0..batch.len()).find(|_| fails()).unwrap_or(batch.len());
            return batch.split_off(first);
        }
        let (failed, ok): (Vec<Message>, Vec<Message>) = batch.drain(..).partition(|_| fails());
        *batch = ok;
        failed
    }

    /// Messages of a throttled or failed batch: hidden until the visibility timeout
    /// from when the batch was `received` runs out (SQS hides a message from its
    /// receive), or dead-lettered at their last allowed receive. A timeout that ran
    /// out during the batch (a long Init, or one shorter than the function's) makes
    /// them visible the next nanosecond: after this event, never at its instant, so
    /// that the order of events at one time does not decide it. A FIFO group's batch
    /// settles here (as `group`), even with nothing to return.
    fn sqs_return(&mut self, f: usize, group: GroupId, batch: Vec<Message>, received: Nanos) {
        let now = self.now;
        let q = self.sqs(f);
        let visible_at = received
            .saturating_add(q.config.visibility_timeout)
            .max(now + 1);
        let mut returned = Vec::with_capacity(batch.len());
        for m in batch {
            if q.config.max_receive_count.is_some_and(|n| m.receives >= n) {
                q.bucket.dead_lettered += 1;
                q.delete(m, now);
            } else {
                q.depth.up();
                returned.push(m);
            }
        }
        let hidden = !returned.is_empty();
        match &mut q.groups {
            Some(groups) => groups.settle(group, returned, visible_at),
            None => {
                for m in returned {
                    hide(&mut q.hidden, visible_at, m);
                }
            }
        }
        if hidden {
            self.queue
                .schedule(visible_at, Event::SqsVisible(FnIdx::new(f)));
        }
    }

    /// Hidden messages whose visibility timeout is over can be received again.
    #[inline(never)]
    pub(super) fn sqs_visible(&mut self, f: usize) {
        let now = self.now;
        let q = self.sqs(f);
        if let Some(groups) = &mut q.groups {
            groups.reveal(now);
        }
        while let Some(&(at, m)) = q.hidden.front()
            && at <= now
        {
            q.hidden.pop_front();
            q.visible.push_back(m);
        }
        // Pollers still tick: a queue with hidden messages is never quiet.
        self.sqs_poll(f);
    }
}

/// The message group of a batch (a FIFO batch is one group's; any id for a standard
/// queue's).
fn group_of(batch: &[Message]) -> GroupId {
    batch.first().map_or(GroupId::new(0), |m| m.group)
}
