//! The creation order of one pool's environments, for the `newest` and `oldest` reuse
//! policies: which idle environment was created last (or first).
//!
//! Each environment gets a rank when it is created, in creation order, and a bit per
//! rank says whether it is idle. The bits are a hierarchical bitset (one summary bit
//! per 64-bit word below), so the highest or lowest idle rank is one leading- or
//! trailing-zero count per level, and marking one idle or not a bit set or cleared per
//! level, all without a branch on the data. A heap or an ordered tree instead spends
//! a compare-and-branch per level, mispredicted half of the time.
//!
//! Ranks of destroyed environments become holes; when the ranks run out, the live
//! environments are ranked again from 0 in the same order, into room for twice their
//! number, so the work of ranking again is a constant per creation on average and the
//! memory stays within a few words per live environment.

use super::env::EnvSlab;
use super::ids::EnvId;

/// Environments by creation rank, with the set of idle ranks.
#[derive(Default)]
pub(crate) struct CreationOrder {
    /// The environment of each rank, `NONE` once destroyed.
    by_rank: Vec<EnvId>,
    /// Environments with a rank, not destroyed.
    live: u32,
    idle: RankSet,
}

impl CreationOrder {
    /// Ranks a new environment after every other one. Its rank is kept in the
    /// environment's `slot`.
    pub(crate) fn add(&mut self, envs: &mut EnvSlab, id: EnvId) {
        if self.by_rank.len() == self.idle.capacity() {
            self.rerank(envs);
        }
        envs.cold_mut(id).slot = self.by_rank.len() as u32;
        self.by_rank.push(id);
        self.live += 1;
    }

    /// Forgets a destroyed environment (it must not be idle).
    pub(crate) fn forget(&mut self, envs: &EnvSlab, id: EnvId) {
        let rank = envs.cold(id).slot as usize;
        debug_assert!(!self.idle.contains(rank), "a destroyed environment is idle");
        self.by_rank[rank] = EnvId::NONE;
        self.live -= 1;
    }

    /// Marks an environment idle.
    #[inline]
    pub(crate) fn set_idle(&mut self, envs: &EnvSlab, id: EnvId) {
        self.idle.insert(envs.cold(id).slot as usize);
    }

    /// Marks an environment no longer idle.
    #[inline]
    pub(crate) fn clear_idle(&mut self, envs: &EnvSlab, id: EnvId) {
        self.idle.remove(envs.cold(id).slot as usize);
    }

    /// The idle environment created last.
    #[inline]
    pub(crate) fn newest_idle(&self) -> Option<EnvId> {
        self.idle.max().map(|rank| self.by_rank[rank])
    }

    /// The idle environment created first.
    #[inline]
    pub(crate) fn oldest_idle(&self) -> Option<EnvId> {
        self.idle.min().map(|rank| self.by_rank[rank])
    }

    /// Ranks the live environments again from 0, in the same order and with the same
    /// idle ones, into room for twice their number (at least 64).
    #[cold]
    fn rerank(&mut self, envs: &mut EnvSlab) {
        let capacity = (2 * self.live as usize).max(64);
        let mut idle = RankSet::with_capacity(capacity);
        let mut by_rank = Vec::with_capacity(capacity);
        for (old, &id) in self.by_rank.iter().enumerate() {
            if id == EnvId::NONE {
                continue;
            }
            let rank = by_rank.len();
            if self.idle.contains(old) {
                idle.insert(rank);
            }
            envs.cold_mut(id).slot = rank as u32;
            by_rank.push(id);
        }
        self.by_rank = by_rank;
        self.idle = idle;
    }
}

/// The most levels a [`RankSet`] has: six cover 2^36 ranks, more than environment ids.
const MAX_LEVELS: usize = 6;

/// A set of ranks below a fixed capacity: a bitset with summary levels above it, where
/// a level's bit `i` is set when word `i` of the level below is not zero, up to a top
/// level of one word. As few levels as the capacity needs (two up to 4,096 ranks), all
/// in one vector: finding the highest rank is a chain of one dependent load per level,
/// which costs more than any other part of a pick.
#[derive(Default)]
struct RankSet {
    words: Vec<u64>,
    /// Where each level starts in `words`, level 0 (one bit per rank) first.
    start: [usize; MAX_LEVELS],
    levels: usize,
}

impl RankSet {
    /// An empty set of room for at least `capacity` ranks.
    fn with_capacity(capacity: usize) -> Self {
        let mut set = Self::default();
        let mut words = capacity.div_ceil(64).max(1);
        loop {
            set.start[set.levels] = set.words.len();
            set.words.resize(set.words.len() + words, 0);
            set.levels += 1;
            if words == 1 {
                return set;
            }
            words = words.div_ceil(64);
        }
    }

    /// How many ranks it has room for.
    fn capacity(&self) -> usize {
        match self.levels {
            0 => 0,
            1 => 64,
            _ => (self.start[1] - self.start[0]) * 64,
        }
    }

    fn contains(&self, rank: usize) -> bool {
        self.words[rank / 64] & (1 << (rank % 64)) != 0
    }

    #[inline]
    fn insert(&mut self, rank: usize) {
        let mut at = rank;
        for &start in &self.start[..self.levels] {
            self.words[start + at / 64] |= 1 << (at % 64);
            at /= 64;
        }
    }

    /// Clears the rank's bit, and each summary bit whose word below became zero
    /// (without a branch: a bit is cleared by a mask that is zero when it must stay).
    #[inline]
    fn remove(&mut self, rank: usize) {
        let (mut at, mut emptied) = (rank, 1u64);
        for &start in &self.start[..self.levels] {
            let word = &mut self.words[start + at / 64];
            *word &= !(emptied << (at % 64));
            emptied &= u64::from(*word == 0);
            at /= 64;
        }
    }

    /// The highest rank in the set.
    #[inline]
    fn max(&self) -> Option<usize> {
        self.descend(|word| 63 - word.leading_zeros() as usize)
    }

    /// The lowest rank in the set.
    #[inline]
    fn min(&self) -> Option<usize> {
        self.descend(|word| word.trailing_zeros() as usize)
    }

    /// From the top level down, follows the bit `pick` chooses in each (non-zero) word.
    #[inline(always)]
    fn descend(&self, pick: impl Fn(u64) -> usize) -> Option<usize> {
        let (&top, below) = self.start[..self.levels].split_last()?;
        let word = self.words[top];
        if word == 0 {
            return None;
        }
        let mut index = pick(word);
        for &start in below.iter().rev() {
            index = index * 64 + pick(self.words[start + index]);
        }
        Some(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::env::EnvState;
    use crate::sim::ids::FnIdx;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[test]
    fn a_rank_set_finds_its_ends_across_levels() {
        let mut set = RankSet::with_capacity(64 * 64 * 3);
        assert_eq!((set.levels, set.words.len()), (3, 192 + 3 + 1));
        assert_eq!(set.capacity(), 64 * 64 * 3);
        assert_eq!((set.min(), set.max()), (None, None));
        for rank in [5, 4_100, 9_000, 64] {
            set.insert(rank);
        }
        assert_eq!((set.min(), set.max()), (Some(5), Some(9_000)));
        set.remove(9_000);
        set.remove(5);
        assert_eq!((set.min(), set.max()), (Some(64), Some(4_100)));
        set.remove(64);
        set.remove(4_100);
        assert_eq!((set.min(), set.max()), (None, None));
    }

    /// An operation on a pool's creation order.
    #[derive(Clone, Debug)]
    enum Op {
        Create,
        /// The n-th live environment (modulo their number) becomes idle.
        Idle(usize),
        /// The n-th idle environment is used.
        Busy(usize),
        /// The n-th live environment is destroyed.
        Destroy(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => Just(Op::Create),
            3 => any::<usize>().prop_map(Op::Idle),
            2 => any::<usize>().prop_map(Op::Busy),
            2 => any::<usize>().prop_map(Op::Destroy),
        ]
    }

    proptest! {
        /// Against a sorted set of (serial, id) of the idle environments, through any
        /// mix of creations, idling, use and destruction (reranking included).
        #[test]
        fn newest_and_oldest_idle_match_the_creation_serials(
            ops in proptest::collection::vec(op(), 0..600)
        ) {
            let mut envs = EnvSlab::default();
            let mut order = CreationOrder::default();
            let mut live: Vec<EnvId> = Vec::new();
            let mut idle: BTreeSet<(u64, EnvId)> = BTreeSet::new();
            for op in ops {
                match op {
                    Op::Create => {
                        let id = envs.create(FnIdx::new(0), EnvState::Busy, false, 0);
                        order.add(&mut envs, id);
                        live.push(id);
                    }
                    Op::Idle(n) if !live.is_empty() => {
                        let id = live[n % live.len()];
                        let key = (envs.cold(id).serial, id);
                        if idle.insert(key) {
                            order.set_idle(&envs, id);
                        }
                    }
                    Op::Busy(n) if !idle.is_empty() => {
                        let key = *idle.iter().nth(n % idle.len()).unwrap();
                        idle.remove(&key);
                        order.clear_idle(&envs, key.1);
                    }
                    Op::Destroy(n) if !live.is_empty() => {
                        let id = live.swap_remove(n % live.len());
                        if idle.remove(&(envs.cold(id).serial, id)) {
                            order.clear_idle(&envs, id);
                        }
                        order.forget(&envs, id);
                        envs.destroy(id);
                    }
                    _ => {}
                }
                prop_assert_eq!(order.newest_idle(), idle.last().map(|k| k.1));
                prop_assert_eq!(order.oldest_idle(), idle.first().map(|k| k.1));
            }
        }
    }
}
