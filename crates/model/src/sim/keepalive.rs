//! How long idle on-demand environments are kept, and which one is reused.
//!
//! AWS documents none of this ("a non-deterministic period of time"); the rule here is
//! the one fitted on eleven real AWS Lambda runs with per-request ground truth (see
//! `docs/validation.md`). An idle environment is destroyed at the earliest of:
//!
//! - `idle_timeout` after it became idle (its own timer);
//! - `function_idle_timeout` after the function's last request or completion, when
//!   nothing of the function runs (the function went quiet: its whole warm pool goes);
//! - `max_lifetime` after it was created: an environment that outlived it is destroyed
//!   when it becomes idle, and never reused once idle past it.
//!
//! In the real runs, a busy function kept idle environments for up to ~25 minutes
//! while a quiet one lost them after ~10.5 minutes; one per-environment timer cannot
//! fit both. Reuse picks by the function's `reuse` policy (the runs show MRU).

use super::env::EnvState;
use super::ids::{EnvId, FnIdx};
use super::{Event, Simulation};

impl Simulation {
    /// Time 0: each function's `warm_start` environments are initialised and idle.
    pub(super) fn start_warm(&mut self) {
        for f in 0..self.functions.len() {
            for _ in 0..self.config.functions[f].warm_start {
                let id = self.create_env(f, EnvState::Idle, false);
                self.envs[id].idle_since = 0;
                let func = &mut self.functions[f];
                func.idle.push(&mut self.envs, id);
            }
            self.arm_idle_timer(f);
            self.arm_function_timer(f);
        }
    }

    /// The warm environment the reuse policy picks, now out of the idle pool; one idle
    /// past its `max_lifetime` is destroyed instead, and the next one tried.
    #[inline(always)]
    pub(super) fn take_warm(&mut self, f: usize) -> Option<EnvId> {
        loop {
            let func = &mut self.functions[f];
            let id = func.idle.take(&mut self.envs, &mut func.rng_reuse)?;
            if !self.outlived(f, id) {
                return Some(id);
            }
            self.destroy(id);
        }
    }

    /// Whether environment `id` of `f` has reached the function's `max_lifetime`.
    #[inline(always)]
    fn outlived(&self, f: usize, id: EnvId) -> bool {
        // `now - created` never reaches `Nanos::MAX` (no lifetime): the run ends before.
        self.now - self.envs[id].created >= self.functions[f].max_lifetime
    }

    /// An environment is free again: back to its idle pool, or destroyed when it has
    /// outlived `max_lifetime`.
    pub(super) fn release(&mut self, id: EnvId) {
        let env = &self.envs[id];
        if env.provisioned {
            self.release_provisioned(id);
            return;
        }
        let f = env.func.index();
        if self.outlived(f, id) {
            self.destroy(id);
            return;
        }
        self.transition(id, EnvState::Busy, EnvState::Idle);
        self.envs[id].idle_since = self.now;
        let func = &mut self.functions[f];
        func.idle.push(&mut self.envs, id);
        self.arm_idle_timer(f);
    }

    /// Keeps one timer pending for the function's longest-idle environment. Called on
    /// every completion, where a timer is nearly always pending already: that check is
    /// inlined, the arming kept out of line (a call to all of it cost about 22
    /// instructions per invocation, mostly saving and restoring registers).
    #[inline(always)]
    fn arm_idle_timer(&mut self, f: usize) {
        if !self.functions[f].idle_timer_pending {
            self.arm_idle_timer_now(f);
        }
    }

    /// [`arm_idle_timer`](Self::arm_idle_timer) with no timer pending.
    #[cold]
    #[inline(never)]
    fn arm_idle_timer_now(&mut self, f: usize) {
        let func = &mut self.functions[f];
        if let Some(id) = func.idle.longest_idle() {
            func.idle_timer_pending = true;
            let due = self.envs[id].idle_since.saturating_add(func.idle_timeout);
            self.queue.schedule(due, Event::IdleCheck(FnIdx::new(f)));
        }
    }

    /// Destroys every environment of `f` idle for `idle_timeout` or more.
    pub(super) fn expire_idle(&mut self, f: usize) {
        self.functions[f].idle_timer_pending = false;
        loop {
            let func = &mut self.functions[f];
            let Some(id) = func.idle.longest_idle() else {
                break;
            };
            if self.envs[id].idle_since.saturating_add(func.idle_timeout) > self.now {
                break;
            }
            func.idle.remove(&mut self.envs, id);
            self.destroy(id);
        }
        self.arm_idle_timer(f);
    }

    /// Keeps one timer pending for the function's going quiet, while it has idle
    /// environments: due `function_idle_timeout` after its last activity as known
    /// now (a later request or completion moves the deadline; the timer then re-arms).
    /// Called on every completion, where a timer is nearly always pending already: the
    /// checks are inlined, the arming kept out of line (as for `arm_idle_timer`).
    #[inline(always)]
    pub(super) fn arm_function_timer(&mut self, f: usize) {
        let func = &self.functions[f];
        // The pending flag first: it is set on nearly every call.
        if !func.function_timer_pending
            && func.function_idle_timeout.is_some()
            && func.idle.len() > 0
        {
            self.arm_function_timer_now(f);
        }
    }

    /// [`arm_function_timer`](Self::arm_function_timer) with a timeout, no timer
    /// pending and idle environments.
    #[cold]
    #[inline(never)]
    fn arm_function_timer_now(&mut self, f: usize) {
        let func = &mut self.functions[f];
        let timeout = func.function_idle_timeout.unwrap_or(0);
        func.function_timer_pending = true;
        let due = func.last_activity.saturating_add(timeout);
        self.queue.schedule(due, Event::FunctionIdle(FnIdx::new(f)));
    }

    /// The function-idle timer is due: if the function has been quiet (no request, no
    /// completion and nothing running) for `function_idle_timeout`, its idle
    /// environments are destroyed; otherwise the timer moves to the new deadline. With
    /// something still running, the next completion arms it again.
    pub(super) fn function_idle(&mut self, f: usize) {
        let func = &mut self.functions[f];
        func.function_timer_pending = false;
        let timeout = func.function_idle_timeout.unwrap_or(0);
        if func.metrics.concurrency.level.value > 0 {
            return;
        }
        if func.last_activity.saturating_add(timeout) > self.now {
            self.arm_function_timer(f);
            return;
        }
        loop {
            let func = &mut self.functions[f];
            let Some(id) = func.idle.longest_idle() else {
                break;
            };
            func.idle.remove(&mut self.envs, id);
            self.destroy(id);
        }
    }
}
