//! Rate shapes: request rates that change over time (`ramp`, `profile`, `diurnal`,
//! `spike`, and the flat rate of `poisson`), cut into [`Piece`]s that the arrival
//! generators handle one at a time.

mod diurnal;
mod piece;
mod profile;

pub(crate) use diurnal::Diurnal;
pub(crate) use piece::Piece;
pub(crate) use profile::{Interpolation, Profile};

use lambdasim_engine::Nanos;

/// A request rate as a function of time since the scenario start.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Shape {
    Profile(Profile),
    Diurnal(Diurnal),
}

impl Shape {
    /// The same rate at all times.
    pub(crate) fn flat(rate: f64) -> Self {
        Self::Profile(Profile::new(vec![(0, rate)], Interpolation::Step))
    }

    /// The piece of the rate that starts at `t` (it ends at the shape's next change).
    pub(crate) fn piece_at(&self, t: Nanos) -> Piece {
        match self {
            Self::Profile(p) => p.piece_at(t),
            Self::Diurnal(d) => d.piece_at(t),
        }
    }

    /// The highest rate anywhere, to check it against the clock's resolution.
    pub(crate) fn peak(&self) -> f64 {
        match self {
            Self::Profile(p) => p.peak(),
            Self::Diurnal(d) => d.peak(),
        }
    }

    /// The shape with every rate multiplied by `factor` (a stream's `scale`).
    pub(crate) fn scaled(self, factor: f64) -> Self {
        match self {
            Self::Profile(p) => Self::Profile(p.scaled(factor)),
            Self::Diurnal(d) => Self::Diurnal(d.scaled(factor)),
        }
    }
}
