//! Provisioned concurrency as a timeline ("Configuring provisioned concurrency for a function";
//! `docs/model.md`, "Provisioned concurrency").
//!
//! The configured value (`desired`) is the larger of the schedule's current value and
//! the autoscaler's; it claims its share of the account at once. An increase becomes
//! usable only after an allocation delay plus the time to allocate the whole request at
//! 6,000 environments per minute — all or nothing ("Understanding Lambda function scaling"). A decrease releases
//! idle environments at once and busy ones when they finish. Provisioned environments
//! are re-initialised in the background when they reach `max_lifetime` ("Understanding the Lambda execution environment lifecycle").

use super::autoscale::Tracker;
use super::env::{DEAD, EnvState};
use super::ids::{EnvId, FnIdx};
use super::{Event, Simulation};
use crate::config::{FunctionConfig, ScalingConfig};
use crate::dist::Sampler;
use lambdasim_engine::{NANOS_PER_SEC, Nanos, RngStream};
use rand::RngExt;

const MINUTE: Nanos = 60 * NANOS_PER_SEC;

/// One function's provisioned concurrency.
#[repr(C)] // what a request reads (desired, claim) and counts first
pub(crate) struct Provisioned {
    /// What is configured: max(scheduled, autoscaled).
    pub desired: u32,
    /// Concurrency claimed from the account: the configured value, or more while
    /// surplus environments still run their last invocation after a decrease.
    pub claim: u32,
    /// Provisioned invocations started in the current minute (utilisation datapoints).
    pub minute_invocations: u64,
    /// The schedule's current value (the static setting before the first step).
    scheduled: u32,
    /// The autoscaler's current capacity, when autoscaling is on.
    autoscaled: Option<u32>,
    /// Environments ready to serve (the `provisioned_allocated` metric).
    pub allocated: u32,
    /// Provisioned environments that exist; above `allocated` while busy ones drain.
    pub live: u32,
    /// Target of the allocation under way.
    in_flight: Option<u32>,
    schedule: Vec<crate::config::ScheduledValue>,
    next_step: usize,
    tracker: Option<Tracker>,
    delay: Sampler,
    /// Environments an allocation makes ready at once, then per minute.
    burst: u64,
    per_minute: u32,
    rng: RngStream,
    /// Integrals of busy and allocated provisioned environments at the last tick.
    last_busy_area: u128,
    last_allocated_area: u128,
}

impl Provisioned {
    pub(crate) fn new(
        f: &FunctionConfig,
        scaling: &ScalingConfig,
        delay: Sampler,
        rng: RngStream,
    ) -> Self {
        let (burst, per_minute) = f.provisioning.allocation_rate(scaling);
        let mut schedule = f.provisioning.schedule.clone();
        schedule.sort_by_key(|s| s.at);
        // Under autoscaling the initial value seeds the autoscaler rather than acting as
        // a floor; scheduled actions then add floors of their own.
        let autoscaling = f.provisioning.autoscaling.is_some();
        Self {
            scheduled: if autoscaling {
                0
            } else {
                f.provisioned_concurrency
            },
            autoscaled: None,
            desired: f.provisioned_concurrency,
            claim: 0,
            allocated: f.provisioned_concurrency,
            live: 0,
            in_flight: None,
            schedule,
            next_step: 0,
            tracker: f.provisioning.autoscaling.map(Tracker::new),
            delay,
            burst,
            per_minute,
            rng,
            minute_invocations: 0,
            last_busy_area: 0,
            last_allocated_area: 0,
        }
    }

    fn wanted(&self) -> u32 {
        self.scheduled.max(self.autoscaled.unwrap_or(0))
    }
}

impl Simulation {
    /// Time 0: the static setting is ready (initialised before the run), the schedule
    /// and the autoscaler start, and the unreserved pool gives up its share.
    pub(super) fn start_provisioning(&mut self) {
        for f in 0..self.functions.len() {
            let ready = self.functions[f].prov.allocated;
            let configured = self.functions[f].prov.desired;
            self.functions[f]
                .metrics
                .provisioned_bill
                .set(0, configured);
            for _ in 0..ready {
                self.functions[f].metrics.provisioned_allocated.up(0);
            }
            self.add_ready(f, ready);
            let prov = &mut self.functions[f].prov;
            if let Some(step) = prov.schedule.first() {
                self.queue
                    .schedule(step.at, Event::ScheduleStep(FnIdx::new(f)));
            }
            if let Some(tracker) = &prov.tracker {
                prov.autoscaled = Some(tracker.initial(prov.desired));
                self.queue
                    .schedule(MINUTE, Event::AutoscaleTick(FnIdx::new(f)));
                self.reconfigure(f);
            }
        }
    }

    /// Creates `count` ready, idle provisioned environments of `f`.
    fn add_ready(&mut self, f: usize, count: u32) {
        for _ in 0..count {
            let id = self.create_env(f, EnvState::Idle, true);
            self.functions[f].prov.live += 1;
            let func = &mut self.functions[f];
            func.provisioned_idle.push(&mut self.envs, id);
            self.schedule_recycle(id);
        }
        self.update_claim(f);
        if count > 0 && !self.suspended.is_empty() {
            self.room_freed(super::Owner {
                func: f,
                provisioned: true,
            });
        }
    }

    /// Recomputes what `f` claims from the account, returning the difference to the
    /// unreserved pool when `f` has no reserved concurrency ("Understanding Lambda function scaling").
    pub(super) fn update_claim(&mut self, f: usize) {
        let prov = &mut self.functions[f].prov;
        let (old, new) = (prov.claim, prov.desired.max(prov.live));
        prov.claim = new;
        if self.functions[f].reserved.is_none() {
            self.unreserved.reclaim(old, new);
        }
        if old != new && !self.suspended.is_empty() {
            // Room moved between the pools: whoever waits may have some, or have
            // lost it.
            let owner = super::Owner {
                func: f,
                provisioned: false,
            };
            self.room_freed(owner);
            self.recheck_reasons();
        }
    }

    /// Schedules an environment's background re-initialisation at the end of its
    /// lifetime, less up to 10% of jitter so that a fleet allocated at once does not
    /// recycle at one instant (the jitter is our assumption: AWS says only that environments are
    /// recycled periodically; `docs/model.md`, "Recycling").
    fn schedule_recycle(&mut self, id: EnvId) {
        let f = self.envs[id].func.index();
        let life = self.functions[f].max_lifetime;
        if life == Nanos::MAX {
            return;
        }
        let jitter = self.functions[f].prov.rng.random_range(0..=life / 10);
        let due = self.now.saturating_add(life - jitter);
        self.envs.cold_mut(id).recycle_at = due;
        self.queue.schedule(due, Event::Recycle(id));
    }

    /// The schedule reaches its next step.
    pub(super) fn schedule_step(&mut self, f: usize) {
        let prov = &mut self.functions[f].prov;
        prov.scheduled = prov.schedule[prov.next_step].value;
        prov.next_step += 1;
        if let Some(step) = prov.schedule.get(prov.next_step) {
            self.queue
                .schedule(step.at.max(self.now), Event::ScheduleStep(FnIdx::new(f)));
        }
        self.reconfigure(f);
    }

    /// Applies a change of the configured value: claim the account share, release
    /// surplus environments, or start allocating.
    fn reconfigure(&mut self, f: usize) {
        let new = self.functions[f].prov.wanted();
        self.functions[f].prov.desired = new;
        let now = self.now;
        self.functions[f].metrics.provisioned_bill.set(now, new);
        if new < self.functions[f].prov.allocated {
            self.set_allocated(f, new);
            self.release_surplus(f);
        } else {
            self.start_allocation(f);
        }
        self.update_claim(f);
    }

    fn set_allocated(&mut self, f: usize, value: u32) {
        let now = self.now;
        let m = &mut self.functions[f].metrics.provisioned_allocated;
        while m.level.value < value {
            m.up(now);
        }
        while m.level.value > value {
            m.down(now);
        }
        self.functions[f].prov.allocated = value;
        let per_unit = self.config.account.rps_per_environment;
        let rate = &mut self.functions[f].provisioned_rate;
        super::rate::resize_rate_bucket(rate, now, per_unit, value);
    }

    /// Destroys idle provisioned environments beyond the allocation.
    fn release_surplus(&mut self, f: usize) {
        while self.functions[f].prov.live > self.functions[f].prov.allocated {
            let func = &mut self.functions[f];
            let Some(id) = func
                .provisioned_idle
                .take(&mut self.envs, &mut func.rng_reuse)
            else {
                break;
            };
            self.destroy(id);
        }
    }

    /// Starts allocating up to the configured value, unless an allocation is under way
    /// (it is followed by another when it completes) or nothing is missing.
    fn start_allocation(&mut self, f: usize) {
        let prov = &mut self.functions[f].prov;
        if prov.in_flight.is_some() || prov.desired <= prov.allocated {
            return;
        }
        let missing = u64::from(prov.desired - prov.allocated).saturating_sub(prov.burst);
        let allocating = (missing * MINUTE).div_ceil(u64::from(prov.per_minute));
        let done = self
            .now
            .saturating_add(prov.delay.sample(&mut prov.rng))
            .saturating_add(allocating);
        prov.in_flight = Some(prov.desired);
        self.queue
            .schedule(done, Event::AllocationDone(FnIdx::new(f)));
    }

    /// An allocation completes: every environment of the request becomes usable at once.
    pub(super) fn allocation_done(&mut self, f: usize) {
        let prov = &mut self.functions[f].prov;
        let target = prov
            .in_flight
            .take()
            .unwrap_or(prov.allocated)
            .min(prov.desired);
        if target > prov.allocated {
            let new_envs = target.saturating_sub(prov.live);
            self.set_allocated(f, target);
            self.bill_provisioned_inits(f, new_envs);
            self.add_ready(f, new_envs);
        }
        self.start_allocation(f);
    }

    /// Init of provisioned environments is billed although no request waits for it
    /// ("AWS Lambda pricing"), at the price of duration on provisioned concurrency.
    fn bill_provisioned_inits(&mut self, f: usize, count: u32) {
        let func = &mut self.functions[f];
        for _ in 0..count {
            let init = func.init.sample(&mut func.rng_init);
            func.metrics.usage_bucket.provisioned_init_ms += crate::cost::billed_ms(init);
        }
    }

    /// A provisioned environment finished an invocation.
    pub(super) fn release_provisioned(&mut self, id: EnvId) {
        let f = self.envs[id].func.index();
        if self.functions[f].prov.live > self.functions[f].prov.allocated {
            self.destroy(id);
            return;
        }
        self.set_state(id, EnvState::Idle);
        let func = &mut self.functions[f];
        func.provisioned_idle.push(&mut self.envs, id);
    }

    /// A provisioned environment's lifetime is up: its replacement starts Init in the
    /// background while it goes on serving, so that the configured number stays ready
    /// (AWS: Lambda keeps the number of initialised environments equal to the
    /// setting); recycling alone never causes spillover. The replacement's Init is
    /// billed.
    pub(super) fn recycle_due(&mut self, id: EnvId) {
        let cold = self.envs.cold(id);
        if cold.serial == DEAD || cold.recycle_at != self.now {
            return;
        }
        let f = self.envs[id].func.index();
        let func = &mut self.functions[f];
        let init = func.init.sample(&mut func.rng_init);
        func.metrics.usage_bucket.provisioned_init_ms += crate::cost::billed_ms(init);
        let done = self.now.saturating_add(init);
        self.envs.cold_mut(id).recycle_at = done;
        self.queue.schedule(done, Event::RecycleDone(id));
    }

    /// The replacement is ready and takes the old environment's place, kept as one
    /// slot (the old one finishes any invocation it is running first): fresh again.
    pub(super) fn recycle_done(&mut self, id: EnvId) {
        let cold = self.envs.cold(id);
        if cold.serial == DEAD || cold.recycle_at != self.now {
            return;
        }
        self.envs[id].created = self.now;
        self.envs[id].outcome = super::env::Outcome::Ok;
        self.schedule_recycle(id);
    }

    /// A minute is over: feed the autoscaler one utilisation datapoint — provisioned
    /// environments in use over allocated, averaged over the minute. With no
    /// provisioned invocation in the minute there is no datapoint ("Configuring provisioned concurrency for a
    /// function": no scale-in without traffic).
    pub(super) fn autoscale_tick(&mut self, f: usize) {
        let now = self.now;
        let func = &mut self.functions[f];
        let busy = func.metrics.provisioned_busy.area_until(now);
        let allocated = func.metrics.provisioned_allocated.area_until(now);
        let prov = &mut func.prov;
        let (d_busy, d_alloc) = (
            busy - prov.last_busy_area,
            allocated - prov.last_allocated_area,
        );
        prov.last_busy_area = busy;
        prov.last_allocated_area = allocated;
        let active = prov.minute_invocations > 0 || d_busy > 0;
        prov.minute_invocations = 0;
        let utilization = (active && d_alloc > 0).then(|| d_busy as f64 / d_alloc as f64);
        let current = prov.allocated;
        let action = prov
            .tracker
            .as_mut()
            .and_then(|t| t.observe(now, utilization, current));
        self.queue
            .schedule(now + MINUTE, Event::AutoscaleTick(FnIdx::new(f)));
        if let Some(capacity) = action {
            self.functions[f].prov.autoscaled = Some(capacity);
            self.reconfigure(f);
        }
    }
}
