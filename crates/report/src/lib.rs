//! Turns simulation results into what users read: `summary.json`, `runs.csv`, `timeseries.csv`,
//! the terminal table, the charts and `report.html`, written into an output directory
//! that appears atomically; or a shard's results, for `lambdasim merge` to write them.
//!
//! Everything here is deterministic: the same results always give the same bytes, so
//! that runs with the same scenario, seed and version can be compared byte for byte
//! (see `README.md`).

pub mod charts;
mod finite;
pub mod html;
pub mod limits;
pub mod merge;
pub mod observed;
pub mod output;
pub mod plan;
pub mod runs;
pub mod seeds;
pub mod shard;
pub mod slo;
pub mod summary;
pub mod table;
pub mod tee;
pub mod timeseries;

pub use charts::{ChartSeries, ChartSet, VariantData};
pub use html::{Report, ReportVariant, render_report};
pub use output::{OUTPUT_NAMES, OutputDir};
pub use runs::{RunsConfiguration, runs_header, write_runs_csv};
pub use seeds::{SeedSpread, render_spread, write_seeds_csv};
pub use slo::{Verdict, cheapest, judge, render_slo};
pub use summary::{VariantSummary, write_summary, write_summary_judged};
pub use table::render_table;
pub use tee::Tee;
pub use timeseries::{CsvSeries, HEADER, concat_parts, write_header};
