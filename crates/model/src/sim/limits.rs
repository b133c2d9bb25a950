//! The concurrency limits an on-demand invocation must fit under: its function's
//! reserved concurrency (less the provisioned concurrency inside it), or else the
//! account's unreserved pool, shared by every function without a reservation (AWS
//! Lambda Developer Guide, "Configuring reserved concurrency" and "Understanding
//! Lambda function scaling"). Provisioned environments count against the same limits
//! but never wait for room here: they were allocated beforehand.

/// Why a request was throttled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Reason {
    ReservedLimit,
    AccountLimit,
    ScalingRate,
    RpsLimit,
    /// API Gateway's throttle, before Lambda (see `gateway.rs`).
    Gateway,
}

/// The account's unreserved pool: the account limit less what functions claim
/// (their reserved concurrency, or for a function without one its provisioned
/// concurrency), and the on-demand environments of unreserved functions in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Unreserved {
    pub pool: u32,
    pub busy: u32,
}

/// A function's own limit: the room its reservation leaves on demand, and its
/// on-demand environments occupying it; `None` without a reservation.
pub(super) type Reserved = Option<(u32, u32)>;

impl Unreserved {
    /// The pool of an account limit of which `claimed` is reserved or provisioned.
    pub(super) fn new(account_limit: u32, claimed: u32) -> Self {
        Self {
            pool: account_limit.saturating_sub(claimed),
            busy: 0,
        }
    }

    /// Whether one more on-demand environment fits: under the function's own
    /// reservation when it has one (the pool is then out of reach), else in the pool.
    pub(super) fn has_room(&self, reserved: Reserved) -> bool {
        match reserved {
            Some((room, busy)) => busy < room,
            None => self.busy < self.pool,
        }
    }

    /// Which limit refused a request that found no room.
    pub(super) fn no_room_reason(reserved: Reserved) -> Reason {
        if reserved.is_some() {
            Reason::ReservedLimit
        } else {
            Reason::AccountLimit
        }
    }

    /// An unreserved function's claim moved from `old` to `new` (its provisioned
    /// concurrency): the pool gives or takes the difference.
    pub(super) fn reclaim(&mut self, old: u32, new: u32) {
        self.pool = self.pool + old - new;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_is_what_the_claims_leave() {
        assert_eq!(Unreserved::new(1000, 300).pool, 700);
        assert_eq!(Unreserved::new(100, 300).pool, 0);
        let mut u = Unreserved::new(1000, 300);
        u.reclaim(0, 200);
        assert_eq!(u.pool, 500);
        u.reclaim(200, 50);
        assert_eq!(u.pool, 650);
    }

    #[test]
    fn an_unreserved_function_fits_while_the_pool_has_room() {
        let u = Unreserved { pool: 2, busy: 1 };
        assert!(u.has_room(None));
        let full = Unreserved { pool: 2, busy: 2 };
        assert!(!full.has_room(None));
        assert_eq!(Unreserved::no_room_reason(None), Reason::AccountLimit);
    }

    #[test]
    fn a_reserved_function_fits_under_its_reservation_only() {
        // A full pool does not stop it; its own reservation does, whatever the pool.
        let full = Unreserved { pool: 2, busy: 2 };
        assert!(full.has_room(Some((5, 4))));
        let empty = Unreserved { pool: 900, busy: 0 };
        assert!(!empty.has_room(Some((5, 5))));
        assert!(!empty.has_room(Some((0, 0))));
        assert_eq!(
            Unreserved::no_room_reason(Some((5, 5))),
            Reason::ReservedLimit
        );
    }
}
