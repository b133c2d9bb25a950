//! Execution environments and the slab that stores them.
//!
//! Environments live in a slab indexed by `u32`, reusing freed slots, so the store
//! grows with the peak number of environments and never with the number of requests.

use super::ids::{EnvId, FnIdx, PendingId};
use lambdasim_engine::Nanos;

/// Where an environment is in its lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EnvState {
    /// Running the Init phase of a cold start (or of provisioning).
    Init,
    /// Running an invocation.
    Busy,
    /// Frozen and waiting to be reused.
    Idle,
}

impl EnvState {
    /// Whether the environment counts as concurrency (and against the limits).
    pub(crate) fn occupies(self) -> bool {
        !matches!(self, Self::Idle)
    }
}

/// How an environment's last invocation ended (or ends, while it runs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ok,
    /// A function error.
    Error,
    /// The function timeout: an error too, and it resets the environment, so that its
    /// next invocation runs Init again first (see `Function::phases`).
    Timeout,
}

impl Outcome {
    /// How an invocation that did not time out ends.
    #[inline(always)]
    pub(crate) fn of(failed: bool) -> Self {
        if failed { Self::Error } else { Self::Ok }
    }
}

/// One execution environment: the fields every invocation touches, in 32 bytes, so
/// that an environment never straddles two cache lines (the first touch of an
/// environment at a start or an end is usually a cache miss, and was two for half of
/// them at 48 bytes).
#[derive(Clone, Debug)]
#[repr(align(32))]
pub(crate) struct Env {
    pub idle_since: Nanos,
    /// When it was created (or last re-initialised), for `max_lifetime`.
    pub created: Nanos,
    pub func: FnIdx,
    /// Links of the idle list (ordered by `idle_since`), or `NONE`.
    pub prev: EnvId,
    pub next: EnvId,
    pub state: EnvState,
    pub provisioned: bool,
    /// How the running (or, while idle, the last) invocation ends.
    pub outcome: Outcome,
    /// Whether the running invocation serves a waiting request (`EnvCold::pending`).
    pub has_pending: bool,
}

/// The fields of an environment that only some rules read, kept apart from [`Env`].
#[derive(Clone, Debug)]
pub(crate) struct EnvCold {
    /// Creation order, for the `newest`/`oldest` reuse policies.
    pub serial: u64,
    /// Position in the idle pool's member vector (`random` policy), or rank in the
    /// pool's creation order (`newest`, `oldest`).
    pub slot: u32,
    /// The asynchronous event or client retry this environment is running, or `NONE`.
    pub pending: PendingId,
    /// When this (provisioned) environment's next recycle step is due (its lifetime's
    /// end, then its replacement's Init done), `Nanos::MAX` when none: an event at
    /// another time was scheduled for an earlier environment in this slot. Kept here
    /// so that an event is 8 bytes and a queue entry 24.
    pub recycle_at: Nanos,
}

/// The serial of a destroyed environment: no event may act on it any more.
pub(crate) const DEAD: u64 = u64::MAX;

/// Slot storage for environments.
#[derive(Default)]
pub(crate) struct EnvSlab {
    envs: Vec<Env>,
    cold: Vec<EnvCold>,
    free: Vec<EnvId>,
    next_serial: u64,
    live: usize,
}

impl EnvSlab {
    /// Stores a new environment of `func` and returns its id.
    pub(crate) fn create(
        &mut self,
        func: FnIdx,
        state: EnvState,
        provisioned: bool,
        now: Nanos,
    ) -> EnvId {
        let env = Env {
            idle_since: now,
            created: now,
            func,
            prev: EnvId::NONE,
            next: EnvId::NONE,
            state,
            provisioned,
            outcome: Outcome::Ok,
            has_pending: false,
        };
        let cold = EnvCold {
            serial: self.next_serial,
            slot: u32::MAX,
            pending: PendingId::NONE,
            recycle_at: Nanos::MAX,
        };
        self.next_serial += 1;
        self.live += 1;
        match self.free.pop() {
            Some(id) => {
                self.envs[id.index()] = env;
                self.cold[id.index()] = cold;
                id
            }
            None => {
                self.envs.push(env);
                self.cold.push(cold);
                EnvId::new(self.envs.len() - 1)
            }
        }
    }

    /// Frees an environment's slot for reuse.
    pub(crate) fn destroy(&mut self, id: EnvId) {
        self.cold[id.index()].serial = DEAD;
        self.live -= 1;
        self.free.push(id);
    }

    /// Starts loading the environment's hot fields into the cache (one environment,
    /// last touched a few hundred milliseconds ago, is out of the L1 cache), for an
    /// upcoming event that will handle it.
    #[inline]
    pub(crate) fn warm(&self, id: EnvId) {
        if let Some(env) = self.envs.get(id.index()) {
            lambdasim_engine::prefetch(env);
        }
    }

    /// The rarely read fields of an environment.
    pub(crate) fn cold(&self, id: EnvId) -> &EnvCold {
        &self.cold[id.index()]
    }

    pub(crate) fn cold_mut(&mut self, id: EnvId) -> &mut EnvCold {
        &mut self.cold[id.index()]
    }

    /// Ids of all live environments (slow: for invariant checks in tests).
    pub(crate) fn live_ids(&self) -> impl Iterator<Item = EnvId> + '_ {
        let mut free = vec![false; self.envs.len()];
        for &id in &self.free {
            free[id.index()] = true;
        }
        (0..self.envs.len())
            .filter(move |&i| !free[i])
            .map(EnvId::new)
    }

    /// How many environments exist.
    pub(crate) fn live(&self) -> usize {
        self.live
    }
}

impl std::ops::Index<EnvId> for EnvSlab {
    type Output = Env;
    #[inline]
    fn index(&self, id: EnvId) -> &Env {
        &self.envs[id.index()]
    }
}

impl std::ops::IndexMut<EnvId> for EnvSlab {
    #[inline]
    fn index_mut(&mut self, id: EnvId) -> &mut Env {
        &mut self.envs[id.index()]
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_environment_fits_half_a_cache_line() {
        assert_eq!(std::mem::size_of::<super::Env>(), 32);
    }
}
