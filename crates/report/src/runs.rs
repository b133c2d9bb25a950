//! `runs.csv`: one tidy row per configuration (a variant at a sweep point), seed and
//! function, with every scalar of the run's summary and one column per swept key:
//! what `pandas.read_csv` takes with no reshaping.
//!
//! The columns come from one table, [`COLUMNS`], in the way `timeseries.csv`'s do; the
//! swept keys' columns, which only the scenario knows, take the place of its
//! [`Cell::Swept`] entry, and the confidence intervals of the measures an `slo:` may
//! judge (`<metric>_ci_low`, `<metric>_ci_high` for each of [`SLO_METRICS`]) that of
//! its [`Cell::Intervals`] entry.

use crate::seeds::pct;
use crate::slo::ci95;
use crate::summary::VariantSummary;
use crate::timeseries::{TIME_DECIMALS, format_fixed};
use csv::{Writer, WriterBuilder};
use lambdasim_model::{FunctionSummary, RunSummary, SLO_METRICS, SloMetric};
use std::io::{self, Write};

/// One configuration's results, with what `runs.csv` says of where it comes from.
#[derive(Clone, Copy, Debug)]
pub struct RunsConfiguration<'a> {
    /// Its totals (name, seed, runs), as `summary.json` has them.
    pub summary: VariantSummary<'a>,
    /// The `variants:` entry it comes from (`base` for a scenario without variants).
    pub variant: &'a str,
    /// The sweep point's name (`pc=20,mem=1024`), empty without a sweep.
    pub point: &'a str,
    /// The point's value of each swept key, in the order of the keys given to
    /// [`write_runs_csv`], as the scenario wrote them.
    pub values: &'a [String],
}

/// Where one column's value comes from, and how it is written.
#[derive(Clone, Copy)]
enum Cell {
    /// The configuration's name, as in `summary.json` and `timeseries.csv`.
    Name,
    /// The `variants:` entry.
    Variant,
    /// The sweep point's name.
    Point,
    /// One column per swept key, named by the key, holding the point's value.
    Swept,
    /// The seed of the run.
    Seed,
    /// The function's name.
    Function,
    /// The prices the bill used (an account-wide text).
    PriceTable,
    /// A count; `None` is an empty field (an async column of a synchronous function).
    Int(fn(&FunctionSummary) -> Option<u64>),
    /// A measure with at most this many decimals; NaN is an empty field.
    Float(fn(&RunSummary, &FunctionSummary) -> f64, usize),
    /// Two columns per measure an `slo:` may judge, named `<metric>_ci_low` and
    /// `<metric>_ci_high`: the 95 % confidence interval of the function's mean over
    /// the configuration's seeds, as the SLO is judged by, on each of its seed rows;
    /// empty with one seed, or for a measure the function lacks.
    Intervals,
}

/// One column of `runs.csv`: its name and how a row fills it.
#[derive(Clone, Copy)]
struct Column {
    name: &'static str,
    cell: Cell,
}

/// Shorthand for the table below.
const fn col(name: &'static str, cell: Cell) -> Column {
    Column { name, cell }
}

/// A count of the function's summary.
macro_rules! int {
    ($name:literal, |$f:ident| $value:expr) => {
        col($name, Cell::Int(|$f| Some($value)))
    };
}

/// A measure of the function's summary.
macro_rules! float {
    ($name:literal, $decimals:expr, |$f:ident| $value:expr) => {
        col($name, Cell::Float(|_, $f| $value, $decimals))
    };
}

/// A count of the function's asynchronous events: empty for a synchronous function.
macro_rules! async_int {
    ($name:literal, |$a:ident| $value:expr) => {
        col(
            $name,
            Cell::Int(|f| f.async_events.as_ref().map(|$a| $value)),
        )
    };
}

/// A measure of the function's asynchronous events: empty for a synchronous function.
macro_rules! async_float {
    ($name:literal, $decimals:expr, |$a:ident| $value:expr) => {
        col(
            $name,
            Cell::Float(
                |_, f| f.async_events.as_ref().map_or(f64::NAN, |$a| $value),
                $decimals,
            ),
        )
    };
}

/// A count of an event source mapping's summary (`$field`: `sqs` or `stream`):
/// empty for a function without that mapping.
macro_rules! mapping_int {
    ($name:literal, $field:ident, |$m:ident| $value:expr) => {
        col($name, Cell::Int(|f| f.$field.as_ref().map(|$m| $value)))
    };
}

/// A measure of an event source mapping's summary: empty for a function without it.
macro_rules! mapping_float {
    ($name:literal, $field:ident, $decimals:expr, |$m:ident| $value:expr) => {
        col(
            $name,
            Cell::Float(
                |_, f| f.$field.as_ref().map_or(f64::NAN, |$m| $value),
                $decimals,
            ),
        )
    };
}

/// Decimal places per kind of number, as in `timeseries.csv` (whose `TIME_DECIMALS`
/// seconds take); trailing zeros trimmed.
const PCT_DECIMALS: usize = 4;
const MEAN_DECIMALS: usize = 4;
const LATENCY_DECIMALS: usize = 3;
const COST_DECIMALS: usize = 10;

/// The columns of `runs.csv`, in order: the single definition of its header and of
/// every row. Columns may be added but not renamed (scripts read them by name).
const COLUMNS: &[Column] = &[
    col("variant", Cell::Name),
    col("variant_entry", Cell::Variant),
    col("point", Cell::Point),
    col("<swept keys>", Cell::Swept),
    col("seed", Cell::Seed),
    col("function", Cell::Function),
    col("duration_s", Cell::Float(|r, _| r.duration_s, 3)),
    int!("requests", |f| f.requests),
    int!("invocations", |f| f.invocations),
    int!("cold_starts", |f| f.cold_starts),
    float!("cold_start_pct", PCT_DECIMALS, |f| pct(
        f.cold_starts,
        f.invocations
    )),
    int!("throttles", |f| f.throttles),
    float!("throttled_pct", PCT_DECIMALS, |f| pct(
        f.throttles,
        f.requests
    )),
    int!("throttles_reserved_limit", |f| f
        .throttles_by_reason
        .reserved_limit),
    int!("throttles_account_limit", |f| f
        .throttles_by_reason
        .account_limit),
    int!("throttles_scaling_rate", |f| f
        .throttles_by_reason
        .scaling_rate),
    int!("throttles_rps_limit", |f| f.throttles_by_reason.rps_limit),
    int!("provisioned_invocations", |f| f.provisioned_invocations),
    int!("spillover_invocations", |f| f.spillover_invocations),
    int!("peak_concurrency", |f| f.peak_concurrency.into()),
    float!("mean_concurrency", MEAN_DECIMALS, |f| f.mean_concurrency),
    int!("peak_environments", |f| f.peak_environments.into()),
    float!("mean_environments", MEAN_DECIMALS, |f| f.mean_environments),
    float!("mean_provisioned_allocated", MEAN_DECIMALS, |f| f
        .mean_provisioned_allocated),
    float!("latency_p50_ms", LATENCY_DECIMALS, |f| f.latency_ms.p50),
    float!("latency_p90_ms", LATENCY_DECIMALS, |f| f.latency_ms.p90),
    float!("latency_p99_ms", LATENCY_DECIMALS, |f| f.latency_ms.p99),
    float!("latency_max_ms", LATENCY_DECIMALS, |f| f.latency_ms.max),
    int!("errors", |f| f.errors),
    int!("timeouts", |f| f.timeouts),
    int!("client_retries", |f| f.client_retries),
    int!("client_gave_up", |f| f.client_gave_up),
    float!("cost_usd", COST_DECIMALS, |f| f.cost_usd.total),
    float!("cost_requests_usd", COST_DECIMALS, |f| f.cost_usd.requests),
    float!("cost_duration_usd", COST_DECIMALS, |f| f.cost_usd.duration),
    float!("cost_init_usd", COST_DECIMALS, |f| f.cost_usd.init),
    float!("cost_provisioned_usd", COST_DECIMALS, |f| f
        .cost_usd
        .provisioned),
    float!("cost_provisioned_capacity_usd", COST_DECIMALS, |f| f
        .cost_usd
        .provisioned_capacity),
    float!("cost_provisioned_duration_usd", COST_DECIMALS, |f| f
        .cost_usd
        .provisioned_duration),
    float!("cost_ephemeral_storage_usd", COST_DECIMALS, |f| f
        .cost_usd
        .ephemeral_storage),
    float!("cost_free_tier_usd", COST_DECIMALS, |f| f
        .cost_usd
        .free_tier),
    col("price_table", Cell::PriceTable),
    async_int!("async_received", |a| a.received),
    async_int!("async_succeeded", |a| a.succeeded),
    async_int!("async_dropped", |a| a.dropped),
    async_float!("async_dropped_pct", PCT_DECIMALS, |a| pct(
        a.dropped, a.received
    )),
    async_int!("async_dropped_after_errors", |a| a.dropped_after_errors),
    async_int!("async_queued_at_end", |a| a.queued_at_end),
    async_float!("async_age_p50_ms", LATENCY_DECIMALS, |a| a.age_ms.p50),
    async_float!("async_age_p90_ms", LATENCY_DECIMALS, |a| a.age_ms.p90),
    async_float!("async_age_p99_ms", LATENCY_DECIMALS, |a| a.age_ms.p99),
    async_float!("async_age_max_ms", LATENCY_DECIMALS, |a| a.age_ms.max),
    // Appended, so that every earlier column keeps its place.
    float!("cost_snapstart_usd", COST_DECIMALS, |f| f
        .cost_usd
        .snapstart),
    int!("throttles_gateway", |f| f.throttles_by_reason.gateway),
    mapping_int!("sqs_processed", sqs, |q| q.processed),
    mapping_int!("sqs_dead_lettered", sqs, |q| q.dead_lettered),
    mapping_int!("sqs_batches_throttled", sqs, |q| q.batches_throttled),
    mapping_float!("sqs_oldest_age_max_s", sqs, TIME_DECIMALS, |q| q
        .oldest_age_max_s),
    mapping_int!("stream_processed", stream, |s| s.processed),
    mapping_int!("stream_discarded", stream, |s| s.discarded),
    mapping_int!("stream_batches_throttled", stream, |s| s.batches_throttled),
    mapping_float!("stream_iterator_age_max_s", stream, TIME_DECIMALS, |s| s
        .iterator_age_max_s),
    mapping_float!("sqs_dead_lettered_pct", sqs, PCT_DECIMALS, |q| pct(
        q.dead_lettered,
        q.received
    )),
    mapping_float!("stream_discarded_pct", stream, PCT_DECIMALS, |s| pct(
        s.discarded,
        s.received
    )),
    int!("gateway_timeouts", |f| f.gateway_timeouts),
    float!("gateway_timeout_pct", PCT_DECIMALS, |f| pct(
        f.gateway_timeouts,
        f.invocations
    )),
    col("<metric>_ci_low, <metric>_ci_high", Cell::Intervals),
];

/// The names of an interval's two columns.
fn interval_columns(metric: &str) -> [String; 2] {
    [format!("{metric}_ci_low"), format!("{metric}_ci_high")]
}

/// Decimal places of a measure an `slo:` may judge: a percentage or milliseconds.
fn metric_decimals(metric: &str) -> usize {
    if metric.ends_with("_pct") {
        PCT_DECIMALS
    } else {
        LATENCY_DECIMALS
    }
}

/// For each function of a configuration (by its place in the runs' totals) and each of
/// [`SLO_METRICS`], the 95 % interval of the function's measure over `runs`.
fn intervals(runs: &[&RunSummary]) -> Vec<Vec<Option<[f64; 2]>>> {
    let functions = runs.first().map_or(0, |r| r.functions.len());
    (0..functions)
        .map(|i| {
            SLO_METRICS
                .iter()
                .map(|&(_, metric, _)| ci95(&values(runs, i, metric)))
                .collect()
        })
        .collect()
}

/// The measure of the function at place `i` in each of `runs`, where it has one.
fn values(runs: &[&RunSummary], i: usize, metric: SloMetric) -> Vec<f64> {
    runs.iter()
        .filter_map(|r| r.functions.get(i).and_then(|f| metric.of_function(f)))
        .collect()
}

/// The header of `runs.csv` for a scenario sweeping `swept_keys` (in order).
pub fn runs_header(swept_keys: &[String]) -> Vec<String> {
    COLUMNS
        .iter()
        .flat_map(|c| match c.cell {
            Cell::Swept => swept_keys.to_vec(),
            Cell::Intervals => SLO_METRICS
                .iter()
                .flat_map(|(name, _, _)| interval_columns(name))
                .collect(),
            _ => vec![c.name.to_string()],
        })
        .collect()
}

/// Writes `runs.csv`: the header, then a row per configuration (in order), seed
/// (ascending) and function (in the scenario's order). A swept key named as one of the
/// fixed columns, or a configuration without a value for every key, is an
/// `InvalidInput` error (neither can come from a scenario).
pub fn write_runs_csv(
    w: impl Write,
    swept_keys: &[String],
    configurations: &[RunsConfiguration<'_>],
) -> io::Result<()> {
    let invalid = |message: String| io::Error::new(io::ErrorKind::InvalidInput, message);
    let fixed = runs_header(&[]);
    if let Some(key) = swept_keys.iter().find(|k| fixed.contains(k)) {
        return Err(invalid(format!(
            "swept key `{key}` is a column of runs.csv"
        )));
    }
    let mut csv: Writer<_> = WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(w);
    csv.write_record(runs_header(swept_keys))?;
    let mut record: Vec<String> = Vec::new();
    for configuration in configurations {
        if configuration.values.len() != swept_keys.len() {
            return Err(invalid(format!(
                "configuration `{}` has {} swept values for {} keys",
                configuration.summary.name,
                configuration.values.len(),
                swept_keys.len()
            )));
        }
        let summary = &configuration.summary;
        let runs: Vec<&RunSummary> = std::iter::once(summary.run)
            .chain(summary.replicas)
            .collect();
        let intervals = intervals(&runs);
        for (k, run) in runs.iter().enumerate() {
            let seed = summary.seed.wrapping_add(k as u64);
            for (i, function) in run.functions.iter().enumerate() {
                record.clear();
                for column in COLUMNS {
                    match column.cell {
                        Cell::Name => record.push(summary.name.to_string()),
                        Cell::Variant => record.push(configuration.variant.to_string()),
                        Cell::Point => record.push(configuration.point.to_string()),
                        Cell::Swept => record.extend(configuration.values.iter().cloned()),
                        Cell::Seed => record.push(seed.to_string()),
                        Cell::Function => record.push(function.name.clone()),
                        Cell::PriceTable => record.push(run.account.price_table.clone()),
                        Cell::Int(value) => {
                            record.push(value(function).map_or(String::new(), |n| n.to_string()))
                        }
                        Cell::Float(value, decimals) => {
                            let mut text = String::new();
                            format_fixed(&mut text, value(run, function), decimals);
                            record.push(text);
                        }
                        Cell::Intervals => {
                            let of_function = intervals.get(i).map(Vec::as_slice);
                            for (m, (name, _, _)) in SLO_METRICS.iter().enumerate() {
                                let ends = of_function.and_then(|f| f[m]).unwrap_or([f64::NAN; 2]);
                                for end in ends {
                                    let mut text = String::new();
                                    format_fixed(&mut text, end, metric_decimals(name));
                                    record.push(text);
                                }
                            }
                        }
                    }
                }
                csv.write_record(&record)?;
            }
        }
    }
    csv.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambdasim_model::results::{
        AccountSummary, AsyncSummary, CostBreakdown, LatencySummary, SqsSummary, StreamSummary,
    };

    fn function(name: &str, asynchronous: bool) -> FunctionSummary {
        FunctionSummary {
            name: name.to_string(),
            requests: 200,
            invocations: 150,
            cold_starts: 3,
            throttles: 50,
            latency_ms: LatencySummary {
                p50: 12.5,
                p90: 40.0,
                p99: f64::NAN,
                max: 99.125,
            },
            cost_usd: CostBreakdown {
                total: 0.000_123_4,
                ..Default::default()
            },
            async_events: asynchronous.then(|| AsyncSummary {
                received: 150,
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn run(seed_marker: u64) -> RunSummary {
        RunSummary {
            duration_s: 600.0,
            account: AccountSummary {
                price_table: "us-east-1, + overrides".into(),
                ..Default::default()
            },
            functions: vec![function("api", false), function("jobs", true)],
            events: seed_marker,
        }
    }

    fn write(keys: &[String], configurations: &[RunsConfiguration<'_>]) -> String {
        let mut out = Vec::new();
        write_runs_csv(&mut out, keys, configurations).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// `run` (with `replicas`) as the one configuration of a scenario without variants
    /// or a sweep.
    fn base<'a>(run: &'a RunSummary, replicas: &'a [RunSummary]) -> RunsConfiguration<'a> {
        RunsConfiguration {
            summary: VariantSummary {
                name: "base",
                seed: 7,
                run,
                replicas,
            },
            variant: "base",
            point: "",
            values: &[],
        }
    }

    /// `runs.csv`'s text as its header and rows.
    fn table(text: &str) -> (Vec<String>, Vec<csv::StringRecord>) {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        (header, reader.records().map(Result::unwrap).collect())
    }

    #[test]
    fn a_row_per_configuration_seed_and_function_with_the_swept_values() {
        let (first, replicas) = (run(1), [run(2)]);
        let keys = vec![
            "functions.api.memory_mb".to_string(),
            "account.concurrency_limit".to_string(),
        ];
        let values = ["1024".to_string(), "1000".to_string()];
        let configurations = [RunsConfiguration {
            summary: VariantSummary {
                name: "on-demand@mem=1024,limit=1000",
                seed: 41,
                run: &first,
                replicas: &replicas,
            },
            variant: "on-demand",
            point: "mem=1024,limit=1000",
            values: &values,
        }];
        let text = write(&keys, &configurations);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        assert_eq!(header, runs_header(&keys));
        assert_eq!(
            header[..7],
            [
                "variant",
                "variant_entry",
                "point",
                "functions.api.memory_mb",
                "account.concurrency_limit",
                "seed",
                "function"
            ]
        );
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 4, "2 seeds × 2 functions");
        let cell = |row: usize, name: &str| {
            let i = header.iter().position(|h| h == name).unwrap();
            rows[row][i].to_string()
        };
        assert_eq!(cell(0, "variant"), "on-demand@mem=1024,limit=1000");
        assert_eq!(cell(0, "point"), "mem=1024,limit=1000");
        assert_eq!(cell(3, "functions.api.memory_mb"), "1024");
        assert_eq!(
            [cell(0, "seed"), cell(2, "seed")],
            ["41".to_string(), "42".to_string()]
        );
        assert_eq!(cell(1, "function"), "jobs");
        assert_eq!(cell(0, "throttled_pct"), "25");
        assert_eq!(cell(0, "cold_start_pct"), "2");
        assert_eq!(cell(0, "latency_p50_ms"), "12.5");
        assert_eq!(cell(0, "latency_p99_ms"), "", "NaN is an empty field");
        assert_eq!(cell(0, "cost_usd"), "0.0001234");
        assert_eq!(cell(0, "duration_s"), "600");
        assert_eq!(cell(0, "price_table"), "us-east-1, + overrides");
        assert_eq!(cell(0, "async_received"), "", "synchronous");
        assert_eq!(cell(1, "async_received"), "150");
        assert_eq!(cell(1, "async_age_p99_ms"), "0");
        assert!(rows.iter().all(|r| r.len() == header.len()));
    }

    #[test]
    fn each_seed_row_shows_the_interval_of_its_configurations_seeds() {
        let (mut first, mut second) = (run(1), run(2));
        first.functions[0].cold_starts = 3;
        second.functions[0].cold_starts = 6;
        let replicas = [second.clone()];
        let (header, rows) = table(&write(&[], &[base(&first, &replicas)]));
        let cell = |row: usize, name: &str| {
            let i = header.iter().position(|h| h == name).expect(name);
            rows[row][i].to_string()
        };
        // Cold starts of 2 % and 4 % of 150 invocations: the SLO's interval.
        let [low, high] = ci95(&[2.0, 4.0]).unwrap();
        let mut expected = [String::new(), String::new()];
        format_fixed(&mut expected[0], low, PCT_DECIMALS);
        format_fixed(&mut expected[1], high, PCT_DECIMALS);
        for row in [0, 2] {
            assert_eq!(cell(row, "function"), "api");
            assert_eq!(cell(row, "cold_start_pct_ci_low"), expected[0]);
            assert_eq!(cell(row, "cold_start_pct_ci_high"), expected[1]);
            // Equal values on both seeds: an interval of no width.
            assert_eq!(cell(row, "throttled_pct_ci_low"), "25");
            // p99 is NaN (nothing measured) on both seeds; api is synchronous.
            assert_eq!(cell(row, "latency_p99_ms_ci_low"), "");
            assert_eq!(cell(row, "async_age_p99_ms_ci_high"), "");
        }
        assert_eq!(
            cell(1, "async_dropped_pct_ci_high"),
            "0",
            "jobs is asynchronous"
        );
        // With one seed, every interval is empty.
        let (_, rows) = table(&write(&[], &[base(&first, &[])]));
        let row = &rows[0];
        let i = header
            .iter()
            .position(|h| h == "throttled_pct_ci_low")
            .unwrap();
        assert_eq!(row.len(), header.len());
        assert!(row.iter().skip(i).all(str::is_empty), "{row:?}");
    }

    #[test]
    fn without_a_sweep_there_are_no_key_columns_and_the_point_is_empty() {
        let first = run(1);
        let text = write(&[], &[base(&first, &[])]);
        let mut lines = text.lines();
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("variant,variant_entry,point,seed,function,duration_s,")
        );
        assert!(lines.next().unwrap().starts_with("base,base,,7,api,600,"));
        assert_eq!(text.lines().count(), 3);
        assert_eq!(text, write(&[], &[base(&first, &[])]), "deterministic");
    }

    #[test]
    fn the_scenario_reference_documents_every_column() {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/scenarios.md");
        let text = std::fs::read_to_string(docs).unwrap();
        let section = &text[text
            .find("`runs.csv` has one row")
            .expect("a runs.csv section")..];
        for name in runs_header(&[]) {
            assert!(
                section.contains(&format!("`{name}`")),
                "`{name}` undocumented"
            );
        }
    }

    #[test]
    fn every_measure_an_slo_may_judge_is_a_column() {
        let header = runs_header(&[]);
        for (name, _, _) in SLO_METRICS {
            assert!(header.iter().any(|h| h == name), "`{name}` is no column");
        }
    }

    #[test]
    fn column_names_are_unique_and_plain() {
        let header = runs_header(&[]);
        let mut seen = std::collections::HashSet::new();
        for name in &header {
            assert!(seen.insert(name), "`{name}` twice");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "`{name}`"
            );
        }
        // Settable top-level keys, which a sweep may name a column by, are not columns.
        for key in ["duration", "resolution"] {
            assert!(!seen.contains(&key.to_string()), "{key}");
        }
        let err = write_runs_csv(Vec::new(), &["seed".to_string()], &[]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn the_mapping_totals_are_filled_for_their_functions_and_empty_for_others() {
        let mut orders = function("orders", false);
        orders.sqs = Some(SqsSummary {
            processed: 900,
            dead_lettered: 3,
            batches_throttled: 7,
            oldest_age_max_s: 61.25,
            ..Default::default()
        });
        let mut clicks = function("clicks", false);
        clicks.stream = Some(StreamSummary {
            processed: 5_000,
            discarded: 12,
            batches_throttled: 4,
            iterator_age_max_s: 2.5,
            ..Default::default()
        });
        let first = RunSummary {
            functions: vec![function("api", false), orders, clicks],
            ..run(1)
        };
        let (header, rows) = table(&write(&[], &[base(&first, &[])]));
        let cells = |row: usize, names: &[&str]| -> Vec<String> {
            names
                .iter()
                .map(|n| rows[row][header.iter().position(|h| h == *n).unwrap()].to_string())
                .collect()
        };
        let sqs = [
            "sqs_processed",
            "sqs_dead_lettered",
            "sqs_batches_throttled",
            "sqs_oldest_age_max_s",
        ];
        let stream = [
            "stream_processed",
            "stream_discarded",
            "stream_batches_throttled",
            "stream_iterator_age_max_s",
        ];
        assert_eq!(cells(0, &sqs), ["", "", "", ""], "a synchronous function");
        assert_eq!(cells(0, &stream), ["", "", "", ""]);
        assert_eq!(cells(1, &sqs), ["900", "3", "7", "61.25"]);
        assert_eq!(cells(1, &stream), ["", "", "", ""]);
        assert_eq!(cells(2, &sqs), ["", "", "", ""]);
        assert_eq!(cells(2, &stream), ["5000", "12", "4", "2.5"]);
    }
}
