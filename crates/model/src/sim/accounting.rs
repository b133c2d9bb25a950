//! Environments' states and the counters that follow them: gauges, concurrency, pools.

use super::*;

/// Whose an environment is: what its gauges and counters need of it, read once (the
/// compiler cannot tell that writing the counters leaves the slab where it was, so it
/// would otherwise look the environment up again at every counter).
#[derive(Clone, Copy)]
pub(super) struct Owner {
    pub(super) func: usize,
    pub(super) provisioned: bool,
}

impl Owner {
    #[inline(always)]
    pub(super) fn of(env: &env::Env) -> Self {
        Self {
            func: env.func.index(),
            provisioned: env.provisioned,
        }
    }
}

impl Simulation {
    /// Creates an environment of `f` in `state`, counted in the gauges.
    pub(super) fn create_env(&mut self, f: usize, state: EnvState, provisioned: bool) -> EnvId {
        let id = self
            .envs
            .create(FnIdx::new(f), state, provisioned, self.now);
        self.functions[f].metrics.environments.up(self.now);
        self.apply(id, state, true);
        self.functions[f]
            .pool_mut(provisioned)
            .created(&mut self.envs, id);
        id
    }

    pub(super) fn destroy(&mut self, id: EnvId) {
        let state = self.envs[id].state;
        self.apply(id, state, false);
        let f = self.envs[id].func.index();
        self.functions[f].metrics.environments.down(self.now);
        let provisioned = self.envs[id].provisioned;
        self.functions[f]
            .pool_mut(provisioned)
            .destroyed(&self.envs, id);
        self.envs.destroy(id);
        if provisioned {
            self.functions[f].prov.live -= 1;
            self.update_claim(f);
        }
    }

    /// Moves an environment to `state`, keeping gauges and limit counters in step. A
    /// move between two states that both occupy concurrency (Init to Busy) leaves
    /// concurrency and the pools as they are.
    pub(super) fn set_state(&mut self, id: EnvId, state: EnvState) {
        let old = self.envs[id].state;
        self.transition(id, old, state);
    }

    /// [`set_state`](Self::set_state) from a state the caller knows: inlined with
    /// constant states, a hot transition (Idle to Busy and back) compiles to just its
    /// own counter updates, with no branch on which transition it is.
    #[inline(always)]
    pub(super) fn transition(&mut self, id: EnvId, old: EnvState, state: EnvState) {
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
    pub(super) fn apply(&mut self, id: EnvId, state: EnvState, up: bool) {
        let owner = Owner::of(&self.envs[id]);
        self.count_state(owner, state, up);
        if state.occupies() {
            self.occupy(owner, up);
        }
    }

    /// Adds or removes an environment in the gauges of its state: idle, initializing,
    /// and provisioned busy.
    #[inline(always)]
    pub(super) fn count_state(&mut self, owner: Owner, state: EnvState, up: bool) {
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
    pub(super) fn occupy(&mut self, owner: Owner, up: bool) {
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
                &mut self.unreserved.busy
            };
            if up { *pool += 1 } else { *pool -= 1 }
        }
    }
}
