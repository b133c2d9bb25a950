//! The event kernel of lambdasim: integer-nanosecond simulated time, a deterministic
//! event queue, and named, seeded random-number streams.
//!
//! Nothing here knows about Lambda; the model crate builds on these pieces.

pub mod agenda;
pub mod hint;
pub mod queue;
pub mod rng;
pub mod time;
mod tournament;

pub use agenda::{Agenda, Due};
pub use hint::prefetch;
pub use queue::EventQueue;
pub use rng::{RngStream, StreamKey};
pub use time::{NANOS_PER_MS, NANOS_PER_SEC, Nanos, nanos_to_secs, secs_to_nanos};
