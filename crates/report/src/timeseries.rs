//! `timeseries.csv`: one row per variant, function and time bucket.
//!
//! Variants run in parallel, so each streams its rows into its own headerless part
//! file through a [`CsvSeries`]; when all are done, [`concat_parts`] joins the parts in
//! variant order under a single header. Memory never grows with the length of the run.

use csv::{ByteRecord, Writer, WriterBuilder};
use lambdasim_model::{BucketRow, SeriesSink};
use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Where one column's value comes from, and how it is written.
#[derive(Clone, Copy)]
enum Cell {
    /// The variant's name, which the sink knows and the row does not.
    Variant,
    /// The function's name, looked up from the row's index.
    Function,
    /// A count, written as an integer.
    Int(fn(&BucketRow) -> u64),
    /// A measure, written with at most this many decimals (NaN: an empty field).
    Float(fn(&BucketRow) -> f64, usize),
}

/// One column of `timeseries.csv`: its name and how a row fills it.
#[derive(Clone, Copy)]
struct Column {
    name: &'static str,
    cell: Cell,
}

/// Shorthand for the table below.
const fn col(name: &'static str, cell: Cell) -> Column {
    Column { name, cell }
}

/// The columns of `timeseries.csv`, in order: the single definition from which both
/// [`HEADER`] and every written row come, so a new metric is one line here. Columns may
/// be added but not renamed (scripts read them by name).
const COLUMNS: &[Column] = &[
    col("variant", Cell::Variant),
    col("function", Cell::Function),
    col("t_s", Cell::Float(|r| r.t_s, TIME_DECIMALS)),
    col("requests", Cell::Int(|r| r.requests)),
    col("invocations", Cell::Int(|r| r.invocations)),
    col("cold_starts", Cell::Int(|r| r.cold_starts)),
    col("throttles", Cell::Int(|r| r.throttles.total())),
    col(
        "throttles_reserved_limit",
        Cell::Int(|r| r.throttles.reserved_limit),
    ),
    col(
        "throttles_account_limit",
        Cell::Int(|r| r.throttles.account_limit),
    ),
    col(
        "throttles_scaling_rate",
        Cell::Int(|r| r.throttles.scaling_rate),
    ),
    col("throttles_rps_limit", Cell::Int(|r| r.throttles.rps_limit)),
    col("concurrency_max", Cell::Int(|r| r.concurrency_max.into())),
    col(
        "concurrency_mean",
        Cell::Float(|r| r.concurrency_mean, MEAN_DECIMALS),
    ),
    col("environments", Cell::Int(|r| r.environments.into())),
    col(
        "environments_mean",
        Cell::Float(|r| r.environments_mean, MEAN_DECIMALS),
    ),
    col(
        "idle_environments",
        Cell::Int(|r| r.idle_environments.into()),
    ),
    col("provisioned_busy", Cell::Int(|r| r.provisioned_busy.into())),
    col("initializing", Cell::Int(|r| r.initializing.into())),
    col(
        "provisioned_allocated",
        Cell::Int(|r| r.provisioned_allocated.into()),
    ),
    col("queue_depth", Cell::Int(|r| r.queue_depth.into())),
    col(
        "latency_p50_ms",
        Cell::Float(|r| r.latency_p50_ms, LATENCY_DECIMALS),
    ),
    col(
        "latency_p99_ms",
        Cell::Float(|r| r.latency_p99_ms, LATENCY_DECIMALS),
    ),
    col("cost_usd", Cell::Float(|r| r.cost_usd, COST_DECIMALS)),
    col(
        "async_age_p99_ms",
        Cell::Float(|r| r.async_age_p99_ms, LATENCY_DECIMALS),
    ),
    col(
        "async_age_max_ms",
        Cell::Float(|r| r.async_age_max_ms, LATENCY_DECIMALS),
    ),
    // Appended, so that every earlier column keeps its place; `throttles` includes it.
    col("throttles_gateway", Cell::Int(|r| r.throttles.gateway)),
    // An SQS function's queue (0 for other functions).
    col("sqs_depth", Cell::Int(|r| r.sqs_depth.into())),
    col(
        "sqs_oldest_age_s",
        Cell::Float(|r| r.sqs_oldest_age_s, TIME_DECIMALS),
    ),
    col("sqs_processed", Cell::Int(|r| r.sqs_processed)),
    col("sqs_dead_lettered", Cell::Int(|r| r.sqs_dead_lettered)),
    col(
        "sqs_batches_throttled",
        Cell::Int(|r| r.sqs_batches_throttled),
    ),
    col("sqs_pollers", Cell::Int(|r| r.sqs_pollers.into())),
    // A stream function's shards (0 for other functions).
    col("stream_waiting", Cell::Int(|r| r.stream_waiting.into())),
    col(
        "stream_iterator_age_s",
        Cell::Float(|r| r.stream_iterator_age_s, TIME_DECIMALS),
    ),
    col("stream_processed", Cell::Int(|r| r.stream_processed)),
    col("stream_discarded", Cell::Int(|r| r.stream_discarded)),
    col(
        "stream_batches_throttled",
        Cell::Int(|r| r.stream_batches_throttled),
    ),
    // Of the invocations, those API Gateway timed out (0 for functions not behind it).
    col("gateway_timeouts", Cell::Int(|r| r.gateway_timeouts)),
];

/// The names of [`COLUMNS`], computed at compile time so the header cannot drift.
const fn column_names() -> [&'static str; COLUMNS.len()] {
    let mut names = [""; COLUMNS.len()];
    let mut i = 0;
    while i < COLUMNS.len() {
        names[i] = COLUMNS[i].name;
        i += 1;
    }
    names
}

/// The header of `timeseries.csv`, in column order.
pub const HEADER: &[&str] = &column_names();

/// Decimal places per kind of number: enough for the model's resolution, few enough to
/// keep multi-hour runs compact. Trailing zeros are trimmed.
pub(crate) const TIME_DECIMALS: usize = 3;
const MEAN_DECIMALS: usize = 4;
const LATENCY_DECIMALS: usize = 3;
/// A request costs $0.0000002, so ten places keep three significant digits of it.
const COST_DECIMALS: usize = 10;

fn csv_writer<W: Write>(w: W) -> Writer<W> {
    // Explicit rather than relying on defaults: `\n` line ends, quoting only when needed.
    WriterBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(w)
}

/// Writes the header line of `timeseries.csv` to `w`.
pub fn write_header<W: Write>(w: W) -> io::Result<()> {
    let mut csv = csv_writer(w);
    csv.write_record(HEADER)?;
    csv.flush()
}

/// A [`SeriesSink`] that writes one variant's bucket rows as CSV.
///
/// Numbers are formatted with fixed precision so the output is byte-identical across
/// runs; a bucket without invocations has empty latency fields rather than `NaN`.
pub struct CsvSeries<W: Write> {
    csv: Writer<W>,
    variant: String,
    function_names: Vec<String>,
    record: ByteRecord,
    scratch: String,
}

impl<W: Write> CsvSeries<W> {
    /// Starts writing rows for `variant`. `function_names` maps [`BucketRow::function`]
    /// indices to names. With `write_header` false the output is a part file for
    /// [`concat_parts`].
    pub fn new(
        w: W,
        variant: &str,
        function_names: Vec<String>,
        write_header: bool,
    ) -> io::Result<Self> {
        let mut csv = csv_writer(w);
        if write_header {
            csv.write_record(HEADER)?;
        }
        Ok(Self {
            csv,
            variant: variant.to_string(),
            function_names,
            record: ByteRecord::with_capacity(256, HEADER.len()),
            scratch: String::with_capacity(32),
        })
    }

    /// Flushes everything written and gives back the writer.
    pub fn finish(self) -> io::Result<W> {
        self.csv.into_inner().map_err(|e| e.into_error())
    }
}

/// Appends the integer `n` to `record`, formatted in `scratch` (kept to avoid allocating).
fn push_int(record: &mut ByteRecord, scratch: &mut String, n: u64) {
    scratch.clear();
    let _ = write!(scratch, "{n}");
    record.push_field(scratch.as_bytes());
}

/// Appends `x` to `record` with at most `decimals` places (see [`format_fixed`]).
fn push_float(record: &mut ByteRecord, scratch: &mut String, x: f64, decimals: usize) {
    scratch.clear();
    format_fixed(scratch, x, decimals);
    record.push_field(scratch.as_bytes());
}

impl<W: Write> SeriesSink for CsvSeries<W> {
    fn record(&mut self, row: &BucketRow) -> io::Result<()> {
        let Some(function) = self.function_names.get(row.function) else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "time-series row for function #{} but only {} function names",
                    row.function,
                    self.function_names.len()
                ),
            ));
        };
        self.record.clear();
        for column in COLUMNS {
            match column.cell {
                Cell::Variant => self.record.push_field(self.variant.as_bytes()),
                Cell::Function => self.record.push_field(function.as_bytes()),
                Cell::Int(value) => push_int(&mut self.record, &mut self.scratch, value(row)),
                Cell::Float(value, decimals) => {
                    push_float(&mut self.record, &mut self.scratch, value(row), decimals)
                }
            }
        }
        self.csv.write_byte_record(&self.record)?;
        Ok(())
    }
}

/// Appends `x` with at most `decimals` places, trailing zeros trimmed (`1.5`, `2`,
/// `0.125`); nothing for NaN or infinity, so a missing value is an empty field.
pub(crate) fn format_fixed(out: &mut String, x: f64, decimals: usize) {
    if !x.is_finite() {
        return;
    }
    let start = out.len();
    let _ = write!(out, "{x:.decimals$}");
    if out[start..].contains('.') {
        let trimmed = out.trim_end_matches('0').trim_end_matches('.').len();
        out.truncate(trimmed);
    }
    // A tiny negative number rounds to "-0": write it as "0".
    if &out[start..] == "-0" {
        out.truncate(start);
        out.push('0');
    }
}

/// Writes `out` as the header followed by the contents of each headerless part file
/// in the order given (the variants' order). The parts are left in place.
pub fn concat_parts(parts: &[PathBuf], out: &Path) -> io::Result<()> {
    let mut w = BufWriter::new(File::create(out)?);
    write_header(&mut w)?;
    for part in parts {
        let mut r = File::open(part).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot open time-series part {}: {e}", part.display()),
            )
        })?;
        io::copy(&mut r, &mut w)?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambdasim_model::ThrottleCounts;

    fn row() -> BucketRow {
        BucketRow {
            function: 1,
            t_s: 12.5,
            requests: 120,
            invocations: 110,
            cold_starts: 4,
            spillover_invocations: 0,
            throttles: ThrottleCounts {
                reserved_limit: 1,
                account_limit: 2,
                scaling_rate: 3,
                rps_limit: 4,
                gateway: 5,
            },
            gateway_timeouts: 8,
            concurrency_max: 17,
            concurrency_mean: 12.345678,
            environments: 20,
            environments_mean: 19.0,
            idle_environments: 3,
            provisioned_busy: 5,
            initializing: 2,
            provisioned_allocated: 7,
            queue_depth: 9,
            latency_p50_ms: 120.0,
            latency_p99_ms: 987.65432,
            cost_usd: 0.000_123_456_789_12,
            async_age_p99_ms: 1500.0,
            async_age_max_ms: f64::NAN,
            sqs_depth: 400,
            sqs_oldest_age_s: 61.25,
            sqs_processed: 90,
            sqs_dead_lettered: 1,
            sqs_batches_throttled: 2,
            sqs_pollers: 15,
            stream_waiting: 700,
            stream_iterator_age_s: 2.5,
            stream_processed: 300,
            stream_discarded: 4,
            stream_batches_throttled: 6,
        }
    }

    fn names() -> Vec<String> {
        vec!["a".to_string(), "checkout".to_string()]
    }

    fn fixed(x: f64, d: usize) -> String {
        let mut s = String::new();
        format_fixed(&mut s, x, d);
        s
    }

    #[test]
    fn header_is_exact() {
        let mut out = Vec::new();
        write_header(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "variant,function,t_s,requests,invocations,cold_starts,throttles,\
             throttles_reserved_limit,throttles_account_limit,throttles_scaling_rate,\
             throttles_rps_limit,concurrency_max,concurrency_mean,environments,\
             environments_mean,idle_environments,provisioned_busy,initializing,\
             provisioned_allocated,queue_depth,latency_p50_ms,latency_p99_ms,cost_usd,\
             async_age_p99_ms,async_age_max_ms,throttles_gateway,sqs_depth,\
             sqs_oldest_age_s,sqs_processed,sqs_dead_lettered,sqs_batches_throttled,\
             sqs_pollers,stream_waiting,stream_iterator_age_s,stream_processed,\
             stream_discarded,stream_batches_throttled,gateway_timeouts\n"
        );
    }

    #[test]
    fn row_is_formatted() {
        let mut s = CsvSeries::new(Vec::new(), "on-demand", names(), true).unwrap();
        s.record(&row()).unwrap();
        let text = String::from_utf8(s.finish().unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0], HEADER.join(","));
        assert_eq!(
            lines[1],
            "on-demand,checkout,12.5,120,110,4,15,1,2,3,4,17,12.3457,20,19,3,5,2,7,9,120,987.654,0.0001234568,1500,,5,400,61.25,90,1,2,15,700,2.5,300,4,6,8"
        );
        assert!(text.ends_with('\n') && !text.contains('\r'));
    }

    #[test]
    fn header_and_row_come_from_one_table() {
        let mut s = CsvSeries::new(Vec::new(), "v", names(), true).unwrap();
        s.record(&row()).unwrap();
        let text = String::from_utf8(s.finish().unwrap()).unwrap();
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let header = reader.headers().unwrap().clone();
        let record = reader.records().next().unwrap().unwrap();
        assert_eq!(header.len(), COLUMNS.len());
        assert_eq!(record.len(), header.len());
        let unique: std::collections::HashSet<&str> = HEADER.iter().copied().collect();
        assert_eq!(unique.len(), HEADER.len(), "a column name is repeated");
    }

    #[test]
    fn nan_latency_is_an_empty_field() {
        let mut s = CsvSeries::new(Vec::new(), "v", names(), false).unwrap();
        let idle = BucketRow {
            function: 0,
            latency_p50_ms: f64::NAN,
            latency_p99_ms: f64::NAN,
            async_age_p99_ms: f64::NAN,
            async_age_max_ms: f64::NAN,
            ..Default::default()
        };
        s.record(&idle).unwrap();
        let text = String::from_utf8(s.finish().unwrap()).unwrap();
        assert_eq!(
            text,
            "v,a,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,,,0,,,0,0,0,0,0,0,0,0,0,0,0,0,0\n"
        );
    }

    #[test]
    fn names_needing_quotes_are_quoted() {
        let mut s = CsvSeries::new(Vec::new(), "a,b", names(), false).unwrap();
        s.record(&BucketRow::default()).unwrap();
        let text = String::from_utf8(s.finish().unwrap()).unwrap();
        assert!(text.starts_with("\"a,b\",a,0,"));
    }

    #[test]
    fn unknown_function_index_is_an_error() {
        let mut s = CsvSeries::new(Vec::new(), "v", names(), false).unwrap();
        let bad = BucketRow {
            function: 2,
            ..Default::default()
        };
        let err = s.record(&bad).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn fixed_formatting() {
        assert_eq!(fixed(0.0, 3), "0");
        assert_eq!(fixed(1.0, 3), "1");
        assert_eq!(fixed(100.0, 3), "100");
        assert_eq!(fixed(0.001, 3), "0.001");
        assert_eq!(fixed(0.0004, 3), "0");
        assert_eq!(fixed(-0.0004, 3), "0");
        assert_eq!(fixed(-1.25, 3), "-1.25");
        assert_eq!(fixed(3599.9996, 3), "3600");
        assert_eq!(fixed(f64::NAN, 3), "");
        assert_eq!(fixed(f64::INFINITY, 3), "");
        assert_eq!(fixed(0.0000002, 10), "0.0000002");
        assert_eq!(fixed(1e15, 0), "1000000000000000");
    }

    #[test]
    fn concat_writes_one_header_then_parts_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut parts = Vec::new();
        for variant in ["b", "a"] {
            let path = dir.path().join(format!("{variant}.part"));
            let file = File::create(&path).unwrap();
            let mut s = CsvSeries::new(file, variant, names(), false).unwrap();
            for t in 0..2 {
                let r = BucketRow {
                    t_s: f64::from(t),
                    ..Default::default()
                };
                s.record(&r).unwrap();
            }
            s.finish().unwrap();
            parts.push(path);
        }
        let out = dir.path().join("timeseries.csv");
        concat_parts(&parts, &out).unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5);
        assert_eq!(lines[0], HEADER.join(","));
        assert_eq!(text.matches("variant,").count(), 1);
        let prefixes: Vec<&str> = lines[1..].iter().map(|l| &l[..5]).collect();
        assert_eq!(prefixes, ["b,a,0", "b,a,1", "a,a,0", "a,a,1"]);
    }

    #[test]
    fn concat_of_a_missing_part_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.part");
        let err = concat_parts(&[missing], &dir.path().join("t.csv")).unwrap_err();
        assert!(err.to_string().contains("nope.part"));
    }
}
