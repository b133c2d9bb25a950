//! A FIFO queue's message groups (`docs/model.md`, "SQS event source mapping", FIFO
//! queues): messages take the groups in turn, a batch takes messages of one group
//! only, oldest first, and a group with a batch running, or with messages hidden by
//! the visibility timeout, gives none until that batch is settled or they are
//! visible again. So a group's messages are received and deleted in the order they
//! were sent, and no more batches run than there are groups.
//!
//! Memory grows with the groups (at most `SqsConfig::MESSAGE_GROUPS_RANGE`) and the
//! messages waiting, never with the messages sent.

use super::Message;
use crate::sim::ids::GroupId;
use lambdasim_engine::Nanos;
use std::collections::VecDeque;

/// What a group can give now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// No message waiting, none running.
    Idle,
    /// Messages visible, the group in the ready list.
    Ready,
    /// A batch of it is running.
    Running,
    /// Its first messages are hidden by the visibility timeout after a throttle or
    /// a failure.
    Hidden,
}

/// One message group.
#[derive(Debug)]
struct Group {
    /// Its waiting messages in the order they were sent (hidden ones first).
    messages: VecDeque<Message>,
    state: State,
    /// The sequence number of its next message sent.
    sent: u64,
    /// Its messages deleted (processed or dead-lettered): the sequence number of the
    /// next one to go, if the order holds.
    deleted: u64,
}

/// The groups of one FIFO queue.
#[derive(Debug)]
pub(super) struct Groups {
    groups: Vec<Group>,
    /// Groups that can give a batch, in the order they became ready.
    ready: VecDeque<GroupId>,
    /// Groups whose messages are hidden, with the time they are visible again (in
    /// order: one visibility timeout for all).
    hidden: VecDeque<(Nanos, GroupId)>,
    /// The group of the next message sent (round robin).
    next: usize,
    /// Messages waiting, visible or hidden.
    waiting: usize,
    /// Messages waiting in hidden groups: held back by the visibility timeout, those
    /// sent behind it included.
    held: usize,
}

impl Groups {
    pub(super) fn new(count: u32) -> Self {
        let groups = (0..count)
            .map(|_| Group {
                messages: VecDeque::new(),
                state: State::Idle,
                sent: 0,
                deleted: 0,
            })
            .collect();
        Self {
            groups,
            ready: VecDeque::new(),
            hidden: VecDeque::new(),
            next: 0,
            waiting: 0,
            held: 0,
        }
    }

    /// Messages waiting, visible or hidden.
    pub(super) fn waiting(&self) -> usize {
        self.waiting
    }

    /// Whether some group can give a batch.
    pub(super) fn has_visible(&self) -> bool {
        !self.ready.is_empty()
    }

    /// Whether messages wait that no visibility timeout holds back: in ready groups,
    /// or behind a running batch (what the pollers scale up for).
    pub(super) fn backlogged(&self) -> bool {
        self.waiting > self.held
    }

    /// A message sent at `sent` joins the next group in turn.
    pub(super) fn send(&mut self, sent: Nanos) {
        let id = GroupId::new(self.next);
        self.next = (self.next + 1) % self.groups.len();
        let g = &mut self.groups[id.index()];
        g.messages.push_back(Message {
            sent,
            receives: 0,
            group: id,
            seq: g.sent,
        });
        g.sent += 1;
        self.waiting += 1;
        if g.state == State::Hidden {
            self.held += 1;
        }
        if g.state == State::Idle {
            g.state = State::Ready;
            self.ready.push_back(id);
        }
    }

    /// The next ready group's first `size` messages at most; the group runs them.
    pub(super) fn take(&mut self, size: usize) -> Vec<Message> {
        let Some(id) = self.ready.pop_front() else {
            return Vec::new();
        };
        let g = &mut self.groups[id.index()];
        let take = size.min(g.messages.len());
        g.state = State::Running;
        self.waiting -= take;
        g.messages.drain(..take).collect()
    }

    /// A message of a group leaves for good.
    pub(super) fn deleted(&mut self, message: &Message) {
        self.groups[message.group.index()].deleted += 1;
    }

    /// A group's batch is settled: `returned` (its messages in order, those not
    /// dead-lettered) go back to the front of the group, hidden until `visible_at`.
    /// With none returned the group gives its next messages at once.
    pub(super) fn settle(&mut self, group: GroupId, returned: Vec<Message>, visible_at: Nanos) {
        let g = &mut self.groups[group.index()];
        if returned.is_empty() {
            if g.messages.is_empty() {
                g.state = State::Idle;
            } else {
                g.state = State::Ready;
                self.ready.push_back(group);
            }
            return;
        }
        self.waiting += returned.len();
        for m in returned.into_iter().rev() {
            g.messages.push_front(m);
        }
        g.state = State::Hidden;
        self.held += g.messages.len();
        super::hide(&mut self.hidden, visible_at, group);
    }

    /// Groups whose hidden messages are visible again by `now` are ready.
    pub(super) fn reveal(&mut self, now: Nanos) {
        while let Some(&(at, id)) = self.hidden.front()
            && at <= now
        {
            self.hidden.pop_front();
            let g = &mut self.groups[id.index()];
            g.state = State::Ready;
            self.held -= g.messages.len();
            self.ready.push_back(id);
        }
    }

    /// The invariants of the groups, given the running batches: a batch is one
    /// group's, one batch a group at most, and each group's running and waiting
    /// messages are its next ones in the order sent.
    pub(super) fn check<'a>(
        &self,
        batches: impl Iterator<Item = &'a [Message]>,
    ) -> Result<(), String> {
        let mut running: Vec<Option<&[Message]>> = vec![None; self.groups.len()];
        for batch in batches {
            let Some(first) = batch.first() else {
                return Err("sqs fifo: an empty batch runs".into());
            };
            if batch.iter().any(|m| m.group != first.group) {
                return Err("sqs fifo: a batch mixes message groups".into());
            }
            let slot = &mut running[first.group.index()];
            if slot.is_some() {
                return Err(format!(
                    "sqs fifo: two batches of group {}",
                    first.group.index()
                ));
            }
            *slot = Some(batch);
        }
        let (mut waiting, mut held) = (0, 0);
        for (i, g) in self.groups.iter().enumerate() {
            if (g.state == State::Running) != running[i].is_some() {
                return Err(format!("sqs fifo: group {i} runs a batch it does not show"));
            }
            let ready = self.ready.iter().filter(|id| id.index() == i).count();
            if ready != usize::from(g.state == State::Ready) {
                return Err(format!(
                    "sqs fifo: group {i} in the ready list {ready} times"
                ));
            }
            let in_order = running[i]
                .into_iter()
                .flatten()
                .chain(&g.messages)
                .zip(g.deleted..)
                .all(|(m, seq)| m.seq == seq);
            let present = running[i].map_or(0, <[Message]>::len) + g.messages.len();
            if !in_order || g.deleted + present as u64 != g.sent {
                return Err(format!("sqs fifo: group {i}'s messages out of order"));
            }
            waiting += g.messages.len();
            if g.state == State::Hidden {
                held += g.messages.len();
            }
        }
        if waiting != self.waiting || held != self.held {
            return Err("sqs fifo: waiting messages miscounted".into());
        }
        Ok(())
    }
}
