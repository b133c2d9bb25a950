//! Typed ids: an environment, a function and a waiting request are each a `u32`
//! index, kept apart by the compiler so that one is never passed for another, and
//! each 4 bytes so that an [`Event`](super::Event) stays 8.

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(transparent)]
        pub(crate) struct $name(u32);

        impl $name {
            /// The id of position `index`.
            #[inline(always)]
            pub(crate) fn new(index: usize) -> Self {
                debug_assert!(index < u32::MAX as usize);
                Self(index as u32)
            }

            /// The position this id names.
            #[inline(always)]
            pub(crate) fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id! {
    /// An execution environment's slot in the environment slab.
    EnvId
}

impl EnvId {
    /// No environment: the end of an idle list.
    pub(crate) const NONE: Self = Self(u32::MAX);
}

id! {
    /// A function's position in the configuration.
    FnIdx
}

id! {
    /// A request retried one at a time: its slot in the pending slab.
    PendingId
}

impl PendingId {
    /// No request: an environment running none.
    pub(crate) const NONE: Self = Self(u32::MAX);
}

id! {
    /// A lane of a stream mapping (a shard, or with a parallelization factor above 1
    /// one of its partition-key lanes): its position in the function's mapping.
    LaneId
}

id! {
    /// A message group of an SQS FIFO queue: its slot in the queue's group table.
    GroupId
}
