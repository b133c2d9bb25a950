//! Invariant checks run after every event when a test asks for them: the running
//! counters must match a recount of the environments, and no limit may be exceeded.

use super::Simulation;
use super::env::EnvState;
use lambdasim_engine::Nanos;

/// A recount of one function's environments from the slab.
#[derive(Default, Debug, PartialEq)]
struct Recount {
    environments: u32,
    occupying: u32,
    idle_on_demand: u32,
    idle_provisioned: u32,
    initializing: u32,
    provisioned: u32,
    provisioned_busy: u32,
    on_demand_occupying: u32,
    async_running: u32,
    /// Environments running an SQS batch.
    batches_running: u32,
}

fn check(ok: bool, message: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(message()) }
}

impl Simulation {
    /// Checks the state after the event at `time`, and that time did not go back.
    pub(super) fn verify(&mut self, time: Nanos) -> Result<(), String> {
        check(time >= self.verified_until, || {
            format!("time went back from {} ns", self.verified_until)
        })?;
        self.verified_until = time;
        let mut counts: Vec<Recount> = (0..self.functions.len())
            .map(|_| Recount::default())
            .collect();
        for id in self.envs.live_ids() {
            let env = &self.envs[id];
            let c = &mut counts[env.func.index()];
            c.environments += 1;
            c.provisioned += u32::from(env.provisioned);
            // A mapping's function's waiting requests are its batches.
            let func = &self.functions[env.func.index()];
            if func.sqs.is_some() || func.shards.is_some() {
                c.batches_running += u32::from(env.has_pending);
            } else {
                c.async_running += u32::from(env.has_pending);
            }
            match env.state {
                EnvState::Idle if env.provisioned => c.idle_provisioned += 1,
                EnvState::Idle => c.idle_on_demand += 1,
                EnvState::Init => c.initializing += 1,
                EnvState::Busy => {}
            }
            if env.state.occupies() {
                c.occupying += 1;
                if env.provisioned {
                    c.provisioned_busy += u32::from(env.state == EnvState::Busy);
                } else {
                    c.on_demand_occupying += 1;
                }
            }
        }
        let mut unreserved = 0;
        let mut total = 0;
        // (room, on-demand environments occupying it) of every pool, for the admission
        // check below.
        let mut pools = Vec::new();
        // With provisioned concurrency changing, a claim can grow while on-demand
        // invocations admitted under the old claim still run: admission control still
        // holds, but the instantaneous sums may briefly exceed the limits.
        let dynamic =
            self.config.functions.iter().any(|f| {
                !f.provisioning.schedule.is_empty() || f.provisioning.autoscaling.is_some()
            });
        let async_waiting = self.async_queued();
        for (((func, c), cfg), waiting) in self
            .functions
            .iter()
            .zip(&counts)
            .zip(&self.config.functions)
            .zip(async_waiting)
        {
            let m = &func.metrics;
            let name = &cfg.name;
            let prov = &func.prov;
            check(m.environments.level.value == c.environments, || {
                format!(
                    "{name}: environments gauge {} != {}",
                    m.environments.level.value, c.environments
                )
            })?;
            check(m.concurrency.level.value == c.occupying, || {
                format!(
                    "{name}: concurrency gauge {} != {}",
                    m.concurrency.level.value, c.occupying
                )
            })?;
            check(
                m.idle.value == c.idle_on_demand + c.idle_provisioned,
                || format!("{name}: idle gauge wrong"),
            )?;
            check(func.idle.len() == c.idle_on_demand, || {
                format!(
                    "{name}: idle pool holds {} of {}",
                    func.idle.len(),
                    c.idle_on_demand
                )
            })?;
            check(func.provisioned_idle.len() == c.idle_provisioned, || {
                format!("{name}: provisioned pool wrong")
            })?;
            check(m.initializing.value == c.initializing, || {
                format!("{name}: initializing gauge wrong")
            })?;
            check(m.provisioned_busy.level.value == c.provisioned_busy, || {
                format!("{name}: provisioned_busy gauge wrong")
            })?;
            check(c.provisioned == prov.live, || {
                format!(
                    "{name}: {} provisioned environments, {} recorded",
                    c.provisioned, prov.live
                )
            })?;
            check(prov.allocated <= prov.live, || {
                format!(
                    "{name}: {} allocated but {} live",
                    prov.allocated, prov.live
                )
            })?;
            check(prov.claim == prov.desired.max(prov.live), || {
                format!("{name}: claim out of step")
            })?;
            check(
                m.provisioned_allocated.level.value == prov.allocated,
                || format!("{name}: allocated gauge wrong"),
            )?;
            check(prov.allocated <= cfg.max_provisioned(), || {
                format!("{name}: allocated above the most ever configured")
            })?;
            if let Some(q) = &func.sqs {
                q.check().map_err(|e| format!("{name}: {e}"))?;
                check(q.batches() == c.batches_running, || {
                    format!(
                        "{name}: {} SQS batches but {} environments running one",
                        q.batches(),
                        c.batches_running
                    )
                })?;
            }
            if let Some(s) = &func.shards {
                s.check().map_err(|e| format!("{name}: {e}"))?;
                check(s.batches() == c.batches_running, || {
                    format!(
                        "{name}: {} stream batches but {} environments running one",
                        s.batches(),
                        c.batches_running
                    )
                })?;
            }
            let executing = u64::from(c.async_running);
            check(
                waiting >= executing && u64::from(m.queue_depth.value) == waiting - executing,
                || {
                    format!(
                        "{name}: queue depth {} but {} waiting",
                        m.queue_depth.value,
                        waiting - executing.min(waiting)
                    )
                },
            )?;
            match func.reserved_room() {
                Some(room) => {
                    pools.push((room, c.on_demand_occupying));
                    check(func.on_demand_busy == c.on_demand_occupying, || {
                        format!("{name}: reserved counter wrong")
                    })?;
                    check(dynamic || c.on_demand_occupying <= room, || {
                        format!(
                            "{name}: {} on-demand above reserved room {room}",
                            c.on_demand_occupying
                        )
                    })?;
                    check(
                        dynamic || c.occupying <= cfg.reserved_concurrency.unwrap_or(u32::MAX),
                        || format!("{name}: concurrency above reserved"),
                    )?;
                }
                None => unreserved += c.on_demand_occupying,
            }
            total += c.occupying;
        }
        let claimed: u32 = self
            .functions
            .iter()
            .map(|f| f.reserved.unwrap_or(f.prov.claim))
            .sum();
        check(
            self.unreserved.pool + claimed == self.config.account.concurrency_limit,
            || "unreserved pool out of step with the claims".into(),
        )?;
        check(unreserved == self.unreserved.busy, || {
            "unreserved counter wrong".into()
        })?;
        check(dynamic || unreserved <= self.unreserved.pool, || {
            format!(
                "unreserved pool exceeded: {unreserved} > {}",
                self.unreserved.pool
            )
        })?;
        check(total == self.account_concurrency.value, || {
            "account concurrency gauge wrong".into()
        })?;
        pools.push((self.unreserved.pool, unreserved));
        let excess = self.check_admissions(&pools)?;
        check(
            total <= self.config.account.concurrency_limit + excess,
            || format!("account limit exceeded by more than the pools' excess: {total}"),
        )?;
        check(
            dynamic || total <= self.config.account.concurrency_limit,
            || format!("account limit exceeded: {total}"),
        )?;
        let rates = self
            .functions
            .iter()
            .flat_map(|f| [&f.rate, &f.provisioned_rate, &f.route]);
        for bucket in self
            .buckets
            .iter()
            .chain([&self.gateway])
            .chain(rates.chain([&self.account_rate]).flatten())
        {
            check(
                bucket.tokens_at(self.now) <= bucket.capacity_tokens(),
                || "token bucket above capacity".into(),
            )?;
        }
        self.check_suspended()?;
        check(
            self.envs.live()
                == counts
                    .iter()
                    .map(|c| c.environments as usize)
                    .sum::<usize>(),
            || "slab count wrong".into(),
        )
    }

    /// A suspended function's waiting events would fail a try now, for the reason
    /// their tries are counted under: else a wake-up was missed.
    fn check_suspended(&self) -> Result<(), String> {
        for &f in &self.suspended {
            let f = f as usize;
            let (func, name) = (&self.functions[f], &self.config.functions[f].name);
            let w = &func.waiting;
            check(w.suspended && !w.backlog.is_empty(), || {
                format!("{name}: listed as suspended with nothing waiting")
            })?;
            check(func.provisioned_idle.len() == 0, || {
                format!("{name}: suspended beside an idle provisioned environment")
            })?;
            let expected = if self.has_room(f) {
                let tokens = self.buckets[func.token_bucket].tokens_at(self.now);
                check(tokens == 0 || w.wake_at <= self.now, || {
                    format!("{name}: suspended with a scaling token ready")
                })?;
                check(
                    func.idle.len() == 0 || func.max_lifetime != Nanos::MAX,
                    || format!("{name}: suspended with room and an idle environment"),
                )?;
                super::Reason::ScalingRate
            } else {
                self.no_room_reason(f)
            };
            check(w.reason == expected, || {
                format!(
                    "{name}: waiting tries counted as {:?}, not {expected:?}",
                    w.reason
                )
            })?;
        }
        Ok(())
    }

    /// Admission control, which holds even while provisioned concurrency changes: the
    /// on-demand environments above a pool's room (`excess`) never grow, except by as
    /// much as the room shrank since the last check (a claim that grew while
    /// invocations admitted before it still run). Returns the pools' total excess.
    fn check_admissions(&mut self, pools: &[(u32, u32)]) -> Result<u32, String> {
        let mut now = Vec::with_capacity(pools.len());
        for (i, &(room, used)) in pools.iter().enumerate() {
            let excess = used.saturating_sub(room);
            let (last_room, last_excess) =
                self.verified_excess.get(i).copied().unwrap_or((room, 0));
            check(
                excess <= last_excess + last_room.saturating_sub(room),
                || format!("an on-demand admission above its pool's room: {used} in {room}"),
            )?;
            now.push((room, excess));
        }
        let total = now.iter().map(|&(_, excess)| excess).sum();
        self.verified_excess = now;
        Ok(total)
    }
}
