//! The Kinesis and DynamoDB stream event source mapping: records wait in the shards
//! of a stream, read in order in batches, one invocation per batch (`docs/model.md`,
//! "Kinesis and DynamoDB streams").
//!
//! - A shard with a parallelization factor `p` is `p` lanes, each one partition key's
//!   share of the shard: records are dealt to the `shards × p` lanes in turn (round
//!   robin, as evenly spread partition keys would be), and each lane runs at most one
//!   batch at a time, oldest records first. So concurrency is at most `shards × p`,
//!   and a lane's records complete in the order they arrived.
//! - A record arriving at an idle lane waits for the shard's next poll (once a second
//!   for Kinesis, four times for DynamoDB); a lane that finished a batch reads the
//!   next at once. A partial batch waits up to `batch_window` for more.
//! - A batch that is throttled, or fails (an error or a timeout), is retried whole at
//!   the next poll and holds its lane until it succeeds: a failure counts against
//!   `maximum_retry_attempts` (a throttle does not), and records older than
//!   `maximum_record_age` (or the stream's 24-hour retention) are discarded before
//!   any read. Discarded records are what an on-failure destination receives. With
//!   `bisect_batch_on_error` a failed batch of more than one record is split in two
//!   instead, each half then sent on its own, the first first.
//!
//! Nothing is lost: every record received is processed, discarded, waiting, or in a
//! running batch, and each lane's records stay in arrival order (checked in
//! `invariants.rs`).

use super::ids::{FnIdx, LaneId, PendingId};
use super::metrics::Level;
use super::pending::Pending;
use super::{Event, Simulation};
use crate::config::{InvocationType, StreamConfig};
use crate::histogram::Histogram;
use crate::results::StreamSummary;
use lambdasim_engine::Nanos;
use std::collections::{BTreeSet, HashMap, VecDeque};

/// What a lane is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LaneState {
    /// Nothing running and no read due: it has no records.
    Idle,
    /// A read is due at this time (a poll, a batch window or a retry); `window` says
    /// a full batch may go before it.
    Due { at: Nanos, window: bool },
    /// A batch is running.
    Running,
}

/// One lane: its records' arrival times in order, the front ones in its batch.
#[derive(Debug)]
struct Lane {
    records: VecDeque<Nanos>,
    state: LaneState,
    /// The records of the batch to retry (or running): a retry sends the same batch.
    batch: Option<u32>,
    /// Failed tries of that batch so far.
    failures: u32,
    /// With `bisect_batch_on_error`: the sizes of the halves split off failed batches,
    /// each sent as its own batch after the one before it, the next on top.
    splits: Vec<u32>,
}

/// What happened to records, counted per bucket and over the run.
#[derive(Clone, Copy, Debug, Default)]
struct StreamCounts {
    received: u64,
    processed: u64,
    discarded: u64,
    batches: u64,
    batches_failed: u64,
    batches_throttled: u64,
}

impl StreamCounts {
    fn add(&mut self, other: &Self) {
        self.received += other.received;
        self.processed += other.processed;
        self.discarded += other.discarded;
        self.batches += other.batches;
        self.batches_failed += other.batches_failed;
        self.batches_throttled += other.batches_throttled;
    }
}

/// One function's stream mapping: its lanes and their measurements.
pub(crate) struct Shards {
    config: StreamConfig,
    lanes: Vec<Lane>,
    /// The lane the next record goes to.
    next: usize,
    /// The lane of each running batch, by the batch's waiting-request id.
    running: HashMap<PendingId, LaneId>,
    /// Reads due, by time then lane (each lane's `Due` time is here once).
    due: BTreeSet<(Nanos, LaneId)>,
    /// Lanes whose batch just succeeded: they read again once its environment is
    /// free.
    freed: Vec<LaneId>,
    /// Records not in a running batch.
    waiting: Level,
    /// The greatest iterator age of the current bucket's batches.
    age_bucket_max: Option<Nanos>,
    /// Each bucket's greatest iterator age (buckets with batches), for percentiles.
    ages: Histogram,
    bucket: StreamCounts,
    totals: StreamCounts,
}

/// One bucket's stream measurements, for the time series.
pub(crate) struct StreamBucket {
    pub waiting: u32,
    /// The greatest iterator age of the bucket's batches (0 without any).
    pub iterator_age: Nanos,
    pub processed: u64,
    pub discarded: u64,
    pub batches_throttled: u64,
}

impl Shards {
    pub(super) fn new(config: StreamConfig) -> Self {
        let lanes = (0..config.lanes())
            .map(|_| Lane {
                records: VecDeque::new(),
                state: LaneState::Idle,
                batch: None,
                failures: 0,
                splits: Vec::new(),
            })
            .collect();
        Self {
            config,
            lanes,
            next: 0,
            running: HashMap::new(),
            due: BTreeSet::new(),
            freed: Vec::new(),
            waiting: Level::default(),
            age_bucket_max: None,
            ages: Histogram::new(),
            bucket: StreamCounts::default(),
            totals: StreamCounts::default(),
        }
    }

    /// Batches running.
    pub(super) fn batches(&self) -> u32 {
        self.running.len() as u32
    }

    /// Records not yet processed or discarded.
    fn held(&self) -> u64 {
        self.lanes.iter().map(|l| l.records.len() as u64).sum()
    }

    /// The invariants of the mapping: every record accounted for, each lane in
    /// arrival order, at most one batch per lane.
    pub(super) fn check(&self) -> Result<(), String> {
        let (b, t) = (&self.bucket, &self.totals);
        let received = b.received + t.received;
        let (processed, discarded) = (b.processed + t.processed, b.discarded + t.discarded);
        if received != processed + discarded + self.held() {
            return Err(format!(
                "stream: {received} received but {processed} processed, {discarded} discarded and {} held",
                self.held()
            ));
        }
        let mut in_batches = 0;
        for (i, lane) in self.lanes.iter().enumerate() {
            if !lane.records.iter().is_sorted() {
                return Err(format!("stream: lane {i} out of arrival order"));
            }
            if lane.state == LaneState::Running {
                in_batches += u64::from(lane.batch.unwrap_or(0));
            }
            let owed = lane.batch.unwrap_or(0) + lane.splits.iter().sum::<u32>();
            if owed as usize > lane.records.len() {
                return Err(format!(
                    "stream: lane {i}'s batches hold more than its records"
                ));
            }
            if lane.state == LaneState::Idle && !lane.records.is_empty() {
                return Err(format!("stream: lane {i} idle with records"));
            }
        }
        let running = self.lanes.iter().filter(|l| l.state == LaneState::Running);
        if running.count() != self.running.len() || self.running.len() > self.lanes.len() {
            return Err("stream: running batches and lanes out of step".into());
        }
        if u64::from(self.waiting.value) + in_batches != self.held() {
            return Err("stream: records waiting out of step".into());
        }
        Ok(())
    }

    /// Closes the current bucket: its measurements, folded into the run's.
    pub(super) fn close_bucket(&mut self) -> StreamBucket {
        let age = self.age_bucket_max.take();
        if let Some(age) = age {
            self.ages.record(age);
        }
        let counts = std::mem::take(&mut self.bucket);
        self.totals.add(&counts);
        StreamBucket {
            waiting: self.waiting.roll(),
            iterator_age: age.unwrap_or(0),
            processed: counts.processed,
            discarded: counts.discarded,
            batches_throttled: counts.batches_throttled,
        }
    }

    /// The run's totals; call after the last bucket closed.
    pub(super) fn summary(&self) -> StreamSummary {
        let t = &self.totals;
        let seconds = |ns: f64| if ns.is_nan() { 0.0 } else { ns / 1e9 };
        StreamSummary {
            received: t.received,
            processed: t.processed,
            discarded: t.discarded,
            batches: t.batches,
            batches_failed: t.batches_failed,
            batches_throttled: t.batches_throttled,
            held_at_end: self.held(),
            peak_waiting: self.waiting.peak,
            iterator_age_p99_s: seconds(self.ages.quantile(0.99)),
            iterator_age_max_s: self.ages.max() as f64 / 1e9,
        }
    }

    /// Discards the records at the front of `lane` older than the mapping allows.
    fn expire(&mut self, lane: LaneId, now: Nanos) {
        let expiry = self.config.expiry();
        let l = &mut self.lanes[lane.index()];
        let mut gone = 0;
        while l.records.front().is_some_and(|&t| now - t > expiry) {
            l.records.pop_front();
            gone += 1;
        }
        if gone > 0 {
            // The batch to retry, then the halves split off it, lose their expired
            // records.
            let mut left = gone;
            if let Some(batch) = l.batch {
                let kept = batch.saturating_sub(left);
                left -= batch - kept;
                l.batch = (kept > 0).then_some(kept);
                if kept == 0 {
                    l.failures = 0;
                }
            }
            while left > 0
                && let Some(half) = l.splits.pop()
            {
                let kept = half.saturating_sub(left);
                left -= half - kept;
                if kept > 0 {
                    l.splits.push(kept);
                }
            }
            self.waiting.down_by(gone);
            self.bucket.discarded += u64::from(gone);
        }
    }

    /// The batch's records leave the lane for good: processed or discarded.
    fn finish_batch(&mut self, lane: LaneId, processed: bool) {
        let l = &mut self.lanes[lane.index()];
        let n = l.batch.take().unwrap_or(0);
        l.records.drain(..n as usize);
        l.failures = 0;
        if processed {
            self.bucket.processed += u64::from(n);
        } else {
            self.bucket.discarded += u64::from(n);
        }
    }
}

impl Simulation {
    /// The stream mapping of `f`, a stream function.
    fn shards(&mut self, f: usize) -> &mut Shards {
        self.functions[f]
            .shards
            .as_deref_mut()
            .expect("a stream function has shards")
    }

    /// A record is put on the stream of `f` by its traffic: it goes to the next lane.
    pub(super) fn stream_put(&mut self, f: usize) {
        self.functions[f].metrics.bucket.requests += 1;
        let now = self.now;
        let s = self.shards(f);
        let lane = LaneId::new(s.next);
        s.next = (s.next + 1) % s.lanes.len();
        s.bucket.received += 1;
        s.waiting.up();
        let l = &mut s.lanes[lane.index()];
        l.records.push_back(now);
        match l.state {
            LaneState::Idle => {
                let poll = s.config.source.poll_interval();
                let at = now.div_ceil(poll).saturating_mul(poll);
                let window = s.config.batch_window;
                if window > 0 {
                    self.stream_due(f, lane, now.saturating_add(window).max(at), true);
                } else {
                    self.stream_due(f, lane, at, false);
                }
            }
            LaneState::Due { at, window: true }
                if l.records.len() >= s.config.batch_size as usize =>
            {
                s.due.remove(&(at, lane));
                self.stream_read(f, lane);
            }
            _ => {}
        }
    }

    /// Sets `lane`'s next read at `at`.
    fn stream_due(&mut self, f: usize, lane: LaneId, at: Nanos, window: bool) {
        let s = self.shards(f);
        s.lanes[lane.index()].state = LaneState::Due { at, window };
        s.due.insert((at, lane));
        self.queue.schedule(at, Event::StreamRead(FnIdx::new(f)));
    }

    /// Reads due at or before now.
    pub(super) fn stream_reads_due(&mut self, f: usize) {
        let now = self.now;
        while let Some(&(at, lane)) = self.shards(f).due.first()
            && at <= now
        {
            self.shards(f).due.pop_first();
            self.stream_read(f, lane);
        }
    }

    /// `lane` reads its next batch (or the batch to retry) and invokes the function
    /// with it; expired records are discarded first.
    fn stream_read(&mut self, f: usize, lane: LaneId) {
        let now = self.now;
        let s = self.shards(f);
        s.expire(lane, now);
        let size = s.config.batch_size;
        let l = &mut s.lanes[lane.index()];
        if l.records.is_empty() {
            l.state = LaneState::Idle;
            return;
        }
        if l.batch.is_none() {
            // A half split off a failed batch goes next, on its own.
            l.batch = l.splits.pop();
        }
        let n = l.batch.unwrap_or(size.min(l.records.len() as u32));
        l.batch = Some(n);
        // IteratorAge: the age of the batch's last record as the function gets it.
        let age = now - l.records[n as usize - 1];
        let id = self
            .pending
            .insert(Pending::batch(f, now, InvocationType::Stream));
        match self.serve(f, None, id) {
            Ok(()) => {
                let s = self.shards(f);
                s.lanes[lane.index()].state = LaneState::Running;
                s.running.insert(id, lane);
                s.waiting.down_by(n);
                s.bucket.batches += 1;
                s.age_bucket_max = Some(s.age_bucket_max.map_or(age, |m| m.max(age)));
            }
            Err(reason) => {
                self.pending.remove(id);
                self.count_throttle(f, reason);
                self.shards(f).bucket.batches_throttled += 1;
                self.stream_retry_later(f, lane);
            }
        }
    }

    /// The lane's batch is tried again at the shard's next poll.
    fn stream_retry_later(&mut self, f: usize, lane: LaneId) {
        let at = self
            .now
            .saturating_add(self.shards(f).config.source.poll_interval());
        self.stream_due(f, lane, at, false);
    }

    /// A batch's invocation ended: its records are done, or the batch is retried (or
    /// discarded when its retries are used up). A lane that is done reads again once
    /// the environment is free (`stream_resume`, from `invoke_done`).
    pub(super) fn stream_batch_done(&mut self, f: usize, id: PendingId, failed: bool) {
        let s = self.shards(f);
        let lane = s.running.remove(&id).expect("a finished batch was running");
        if !failed {
            s.finish_batch(lane, true);
            s.lanes[lane.index()].state = LaneState::Idle;
            s.freed.push(lane);
            return;
        }
        s.bucket.batches_failed += 1;
        let l = &mut s.lanes[lane.index()];
        let n = l.batch.unwrap_or(0);
        s.waiting.up_by(n);
        if s.config.bisect_batch_on_error && n > 1 {
            // Split in two, the first half retried first; a split is not a retry.
            let first = n.div_ceil(2);
            l.splits.push(n - first);
            l.batch = Some(first);
            self.stream_retry_later(f, lane);
            return;
        }
        l.failures += 1;
        if s.config
            .maximum_retry_attempts
            .is_some_and(|retries| l.failures > retries)
        {
            s.waiting.down_by(n);
            s.finish_batch(lane, false);
            s.lanes[lane.index()].state = LaneState::Idle;
            s.freed.push(lane);
            return;
        }
        self.stream_retry_later(f, lane);
    }

    /// Lanes freed by batches that ended read their next batch, now that the
    /// environments are free: at once with a full batch, without a window, or with the
    /// half of a split batch (its records are fixed: nothing to wait for).
    pub(super) fn stream_resume(&mut self, f: usize) {
        while let Some(lane) = self.shards(f).freed.pop() {
            let s = self.shards(f);
            let (window, size) = (s.config.batch_window, s.config.batch_size as usize);
            let l = &s.lanes[lane.index()];
            if l.state != LaneState::Idle || l.records.is_empty() {
                continue;
            }
            if window > 0 && l.records.len() < size && l.splits.is_empty() {
                let at = self.now.saturating_add(window);
                self.stream_due(f, lane, at, true);
            } else {
                self.stream_read(f, lane);
            }
        }
    }
}
