//! Turns simulation results into what users read: `summary.json`, `timeseries.csv`
//! and the terminal table, written into an output directory that appears atomically.
//!
//! Everything here is deterministic: the same results always give the same bytes, so
//! that runs with the same scenario, seed and version can be compared byte for byte
//! (see the contract's "Command line" section).

pub mod output;
pub mod summary;
pub mod table;
pub mod timeseries;

pub use output::OutputDir;
pub use summary::{VariantSummary, write_summary};
pub use table::render_table;
pub use timeseries::{CsvSeries, HEADER, concat_parts, write_header};
