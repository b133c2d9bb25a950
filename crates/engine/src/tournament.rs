//! A tournament (loser) tree over a fixed set of slots, each holding one key or none:
//! the earliest key is at hand, and replacing it costs one comparison per level of
//! the tree, on a path fixed by the slot.
//!
//! It holds the pending arrival of every traffic stream. Each arrival handled is
//! replaced at once by the same stream's next one, so the only update is "replace the
//! earliest". A sorted queue pays for that with a search and a shift whose branches
//! depend on the keys; here each level is a comparison and two conditional moves, and
//! the number of levels depends only on the number of streams, so the loop's branch is
//! predicted. Keys are (time, sequence), packed into one `u128` so that a comparison
//! is a subtraction.

use crate::queue::pack;
use crate::time::Nanos;

/// The key of a slot without an entry: after every real key (a sequence number never
/// reaches `u64::MAX`).
const NONE: u128 = u128::MAX;

/// Slots `0..n`, each with a (time, sequence) key or none; the earliest key wins.
#[derive(Debug, Default)]
pub(crate) struct Tournament {
    /// Each slot's key, padded with empty slots to a power of two.
    keys: Vec<u128>,
    /// `losers[0]` is the winning slot; `losers[node]` for `node` in `1..keys.len()` is
    /// the slot that lost the match at that node (its children are nodes `2 node` and
    /// `2 node + 1`, leaves numbered from `keys.len()`).
    losers: Vec<u32>,
    /// Slots holding a key.
    len: usize,
    /// Slots were set since the tree was last built: [`Self::build`] before reading.
    stale: bool,
}

impl Tournament {
    /// Gives `slot` a key, the slot being empty. For the initial entries: the tree is
    /// rebuilt (in time linear in the number of slots) before it is next read.
    pub(crate) fn insert(&mut self, slot: u32, time: Nanos, seq: u64) {
        let slot = slot as usize;
        if slot >= self.keys.len() {
            self.keys.resize((slot + 1).next_power_of_two(), NONE);
        }
        debug_assert_eq!(self.keys[slot], NONE, "slot {slot} already has a key");
        self.keys[slot] = pack(time, seq);
        self.len += 1;
        self.stale = true;
    }

    /// The earliest key (see `pack`) and its slot, if any slot holds one.
    #[inline]
    pub(crate) fn peek(&mut self) -> Option<(u128, u32)> {
        if self.stale {
            self.build();
        }
        if self.len == 0 {
            return None;
        }
        // With a key in some slot, the winner's is one (an empty slot loses to any).
        // Telling emptiness by the count rather than by comparing the winner's key with
        // `NONE` (a 16-byte load and a vector compare) saves 13 instructions per
        // invocation on `steady`.
        let slot = self.losers[0];
        Some((self.keys[slot as usize], slot))
    }

    /// Replaces the earliest key by its slot's next one, after [`Self::peek`] returned
    /// the earliest.
    #[inline]
    pub(crate) fn replace_top(&mut self, time: Nanos, seq: u64) {
        self.replay(pack(time, seq));
    }

    /// Empties the slot of the earliest key, after [`Self::peek`] returned it.
    pub(crate) fn remove_top(&mut self) {
        self.len -= 1;
        self.replay(NONE);
    }

    /// How many slots hold a key.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Gives the winning slot `key` and plays its matches again, from its leaf up.
    #[inline]
    fn replay(&mut self, key: u128) {
        debug_assert!(!self.stale && !self.losers.is_empty());
        let mut winner = self.losers[0];
        self.keys[winner as usize] = key;
        let mut best = key;
        let mut node = (self.keys.len() + winner as usize) / 2;
        while node > 0 {
            let other = self.losers[node];
            let other_key = self.keys[other as usize];
            let other_wins = other_key < best;
            self.losers[node] = if other_wins { winner } else { other };
            winner = if other_wins { other } else { winner };
            best = if other_wins { other_key } else { best };
            node /= 2;
        }
        self.losers[0] = winner;
    }

    /// Plays every match from the leaves up.
    #[cold]
    fn build(&mut self) {
        let n = self.keys.len();
        // winners[node] for the internal nodes, then the leaves themselves.
        let mut winners: Vec<u32> = vec![0; n];
        winners.extend(0..n as u32);
        self.losers = vec![0; n];
        for node in (1..n).rev() {
            let (a, b) = (winners[2 * node], winners[2 * node + 1]);
            let (win, lose) = if self.keys[b as usize] < self.keys[a as usize] {
                (b, a)
            } else {
                (a, b)
            };
            winners[node] = win;
            self.losers[node] = lose;
        }
        self.losers[0] = if n > 1 { winners[1] } else { 0 };
        self.stale = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::time_of;
    use proptest::prelude::*;

    #[test]
    fn an_empty_tree_has_no_top() {
        let mut t = Tournament::default();
        assert_eq!(t.peek(), None);
        t.insert(0, 5, 0);
        assert_eq!(t.peek(), Some((pack(5, 0), 0)));
        t.remove_top();
        assert_eq!(t.peek(), None);
        assert_eq!(t.len(), 0);
    }

    #[test]
    fn equal_times_go_by_sequence() {
        let mut t = Tournament::default();
        t.insert(2, 10, 7);
        t.insert(0, 10, 9);
        t.insert(1, 10, 8);
        assert_eq!(t.peek(), Some((pack(10, 7), 2)));
        t.replace_top(10, 10);
        assert_eq!(t.peek(), Some((pack(10, 8), 1)));
    }

    proptest! {
        /// Replacing and removing the top always leaves the least key on top, for
        /// every number of slots (powers of two and not) and slots left empty.
        #[test]
        fn the_top_is_always_the_least_key(
            initial in proptest::collection::vec(proptest::option::of(0u64..100), 1..40),
            steps in proptest::collection::vec(proptest::option::of(0u64..50), 0..200),
        ) {
            let mut t = Tournament::default();
            let mut model: Vec<Option<u128>> = vec![None; initial.len()];
            let mut seq = 0;
            for (slot, time) in initial.iter().enumerate() {
                if let Some(time) = time {
                    t.insert(slot as u32, *time, seq);
                    model[slot] = Some(pack(*time, seq));
                    seq += 1;
                }
            }
            for step in steps {
                let least = model.iter().enumerate()
                    .filter_map(|(slot, key)| key.map(|k| (k, slot)))
                    .min();
                let want = least.map(|(k, slot)| (k, slot as u32));
                prop_assert_eq!(t.peek(), want);
                prop_assert_eq!(t.len(), model.iter().flatten().count());
                let Some((key, slot)) = least else { break };
                match step {
                    Some(gap) => {
                        let time = time_of(key) + gap;
                        t.replace_top(time, seq);
                        model[slot] = Some(pack(time, seq));
                        seq += 1;
                    }
                    None => {
                        t.remove_top();
                        model[slot] = None;
                    }
                }
            }
        }
    }
}
