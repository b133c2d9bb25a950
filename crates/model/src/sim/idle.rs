//! The idle environments of one function, ready for reuse.
//!
//! An intrusive doubly-linked list keeps them in the order they became idle: the tail
//! is the most recently idle (MRU), the head the least (LRU, and the next to expire,
//! since every environment of a function has the same idle timeout). The `newest` and
//! `oldest` policies add the pool's creation order (see [`CreationOrder`]), which
//! hears of every environment of the pool, idle or not, from its creation to its
//! destruction; `random` adds a member vector. Every operation is O(1).

use super::creation::CreationOrder;
use super::env::EnvSlab;
use super::ids::EnvId;
use crate::config::ReusePolicy;
use lambdasim_engine::RngStream;
use rand::RngExt;

#[repr(C)] // the list's ends and length, read by every take and push, first
pub(crate) struct IdlePool {
    policy: ReusePolicy,
    head: EnvId,
    tail: EnvId,
    len: u32,
    /// `newest`/`oldest` only.
    order: CreationOrder,
    members: Vec<EnvId>,
}

impl IdlePool {
    pub(crate) fn new(policy: ReusePolicy) -> Self {
        Self {
            policy,
            head: EnvId::NONE,
            tail: EnvId::NONE,
            len: 0,
            order: CreationOrder::default(),
            members: Vec::new(),
        }
    }

    pub(crate) fn len(&self) -> u32 {
        self.len
    }

    /// The environment that has been idle longest.
    pub(crate) fn longest_idle(&self) -> Option<EnvId> {
        (self.head != EnvId::NONE).then_some(self.head)
    }

    /// Hears of a new environment of this pool (idle or not). Call it for every one.
    #[inline]
    pub(crate) fn created(&mut self, envs: &mut EnvSlab, id: EnvId) {
        if self.by_creation() {
            self.order.add(envs, id);
        }
    }

    /// Hears of the destruction of an environment of this pool, no longer in it. Call
    /// it for every one.
    #[inline]
    pub(crate) fn destroyed(&mut self, envs: &EnvSlab, id: EnvId) {
        if self.by_creation() {
            self.order.forget(envs, id);
        }
    }

    /// Whether the policy picks by creation order.
    #[inline]
    fn by_creation(&self) -> bool {
        matches!(self.policy, ReusePolicy::Newest | ReusePolicy::Oldest)
    }

    /// Adds a newly idle environment.
    #[inline(always)]
    pub(crate) fn push(&mut self, envs: &mut EnvSlab, id: EnvId) {
        envs[id].prev = self.tail;
        envs[id].next = EnvId::NONE;
        if self.tail == EnvId::NONE {
            self.head = id;
        } else {
            envs[self.tail].next = id;
        }
        self.tail = id;
        self.len += 1;
        if self.indexed() {
            self.index_push(envs, id);
        }
    }

    /// Whether the policy keeps an index besides the list. The default MRU (and LRU)
    /// do not, and their list operations are inlined into the hot path; the indexes
    /// are kept out of line.
    #[inline]
    fn indexed(&self) -> bool {
        !matches!(self.policy, ReusePolicy::Mru | ReusePolicy::Lru)
    }

    #[inline(never)]
    fn index_push(&mut self, envs: &mut EnvSlab, id: EnvId) {
        match self.policy {
            ReusePolicy::Newest | ReusePolicy::Oldest => self.order.set_idle(envs, id),
            ReusePolicy::Random => {
                envs.cold_mut(id).slot = self.members.len() as u32;
                self.members.push(id);
            }
            ReusePolicy::Mru | ReusePolicy::Lru => {}
        }
    }

    /// Takes the environment the reuse policy picks, if any.
    #[inline(always)]
    pub(crate) fn take(&mut self, envs: &mut EnvSlab, rng: &mut RngStream) -> Option<EnvId> {
        if self.len == 0 {
            return None;
        }
        let id = match self.policy {
            ReusePolicy::Mru => self.tail,
            ReusePolicy::Lru => self.head,
            _ => self.indexed_pick(rng)?,
        };
        self.remove(envs, id);
        Some(id)
    }

    /// The pick of an indexed policy.
    #[inline(never)]
    fn indexed_pick(&self, rng: &mut RngStream) -> Option<EnvId> {
        match self.policy {
            ReusePolicy::Newest => self.order.newest_idle(),
            ReusePolicy::Oldest => self.order.oldest_idle(),
            ReusePolicy::Random => Some(self.members[rng.random_range(0..self.members.len())]),
            ReusePolicy::Mru => Some(self.tail),
            ReusePolicy::Lru => Some(self.head),
        }
    }

    /// Removes a given environment from the pool.
    #[inline(always)]
    pub(crate) fn remove(&mut self, envs: &mut EnvSlab, id: EnvId) {
        let (prev, next) = (envs[id].prev, envs[id].next);
        if prev == EnvId::NONE {
            self.head = next;
        } else {
            envs[prev].next = next;
        }
        if next == EnvId::NONE {
            self.tail = prev;
        } else {
            envs[next].prev = prev;
        }
        envs[id].prev = EnvId::NONE;
        envs[id].next = EnvId::NONE;
        self.len -= 1;
        if self.indexed() {
            self.index_remove(envs, id);
        }
    }

    #[inline(never)]
    fn index_remove(&mut self, envs: &mut EnvSlab, id: EnvId) {
        match self.policy {
            ReusePolicy::Newest | ReusePolicy::Oldest => self.order.clear_idle(envs, id),
            ReusePolicy::Random => {
                let slot = envs.cold(id).slot as usize;
                self.members.swap_remove(slot);
                if let Some(&moved) = self.members.get(slot) {
                    envs.cold_mut(moved).slot = slot as u32;
                }
                envs.cold_mut(id).slot = u32::MAX;
            }
            ReusePolicy::Mru | ReusePolicy::Lru => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::env::EnvState;
    use crate::sim::ids::FnIdx;
    use lambdasim_engine::StreamKey;

    /// Creates envs 0..n (created in order), makes them idle in the order given, and
    /// returns the order the pool hands them out.
    fn order(policy: ReusePolicy, idle_order: &[usize]) -> Vec<usize> {
        let mut envs = EnvSlab::default();
        let mut pool = IdlePool::new(policy);
        for _ in 0..idle_order.len() {
            let id = envs.create(FnIdx::new(0), EnvState::Idle, false, 0);
            pool.created(&mut envs, id);
        }
        for &id in idle_order {
            pool.push(&mut envs, EnvId::new(id));
        }
        let mut rng = RngStream::new(1, &StreamKey::new(["t"]));
        std::iter::from_fn(|| pool.take(&mut envs, &mut rng).map(EnvId::index)).collect()
    }

    #[test]
    fn each_policy_picks_its_environment() {
        let idle_order = [2, 0, 3, 1];
        assert_eq!(order(ReusePolicy::Mru, &idle_order), vec![1, 3, 0, 2]);
        assert_eq!(order(ReusePolicy::Lru, &idle_order), vec![2, 0, 3, 1]);
        assert_eq!(order(ReusePolicy::Newest, &idle_order), vec![3, 2, 1, 0]);
        assert_eq!(order(ReusePolicy::Oldest, &idle_order), vec![0, 1, 2, 3]);
        let mut random = order(ReusePolicy::Random, &idle_order);
        random.sort_unstable();
        assert_eq!(random, vec![0, 1, 2, 3]);
    }

    #[test]
    fn removal_from_the_middle_keeps_the_list_whole() {
        let mut envs = EnvSlab::default();
        for _ in 0..3 {
            envs.create(FnIdx::new(0), EnvState::Idle, false, 0);
        }
        let mut pool = IdlePool::new(ReusePolicy::Random);
        for id in 0..3 {
            pool.push(&mut envs, EnvId::new(id));
        }
        pool.remove(&mut envs, EnvId::new(1));
        assert_eq!(pool.len(), 2);
        assert_eq!(pool.longest_idle(), Some(EnvId::new(0)));
        pool.remove(&mut envs, EnvId::new(0));
        assert_eq!(pool.longest_idle(), Some(EnvId::new(2)));
    }
}
