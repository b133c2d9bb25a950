//! Putting runs back together: the shards of a command checked against each other
//! ([`check`]), and the slices of runs, a shard's or all of a command's, joined into
//! each configuration's runs ([`combine`]), whose outputs are then written as a whole
//! command's are.

use crate::charts::{ChartSeries, SeedBand};
use crate::observed::Comparison;
use crate::shard::{ConfigPart, Identity, MergeError, Shard, ShardDir, series_part};
use lambdasim_model::RunSummary;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Every seed's run of one configuration.
#[derive(Clone, Debug)]
pub struct ConfigRuns {
    /// The first seed's totals (the outputs show this run).
    pub first: RunSummary,
    /// The first seed's chart data; `None` when the command draws no charts.
    pub chart: Option<ChartSeries>,
    /// The first seed's run against what the scenario says was observed.
    pub observed: Vec<Comparison>,
    /// The first seed's time series, a part of `timeseries.csv`.
    pub series: PathBuf,
    /// The other seeds' totals, in seed order.
    pub replicas: Vec<RunSummary>,
    /// The charts' band across all the seeds, when there is one.
    pub band: Option<SeedBand>,
}

/// Refuses shards that are not all the shards of one command, each once: the first
/// disagreement of identity, a shard given twice, or the missing ones, by name.
pub fn check(shards: &[ShardDir]) -> Result<(), MergeError> {
    let Some(first) = shards.first() else {
        return Err(MergeError::Missing {
            missing: "all".into(),
            count: 0,
            found: 0,
        });
    };
    let name = |s: &ShardDir| s.dir.display().to_string();
    for other in &shards[1..] {
        if let Some((what, left, right)) =
            disagreement(&first.results.identity, &other.results.identity)
        {
            return Err(MergeError::Different {
                first: name(first),
                other: name(other),
                what,
                left,
                right,
            });
        }
    }
    let count = first.results.identity.shard.count();
    let mut seen: BTreeMap<u64, &ShardDir> = BTreeMap::new();
    for shard in shards {
        let id = shard.results.identity.shard;
        if let Some(earlier) = seen.insert(id.index(), shard) {
            return Err(MergeError::Duplicate {
                first: name(earlier),
                other: name(shard),
                shard: id,
            });
        }
    }
    let missing: Vec<String> = (0..count)
        .filter(|i| !seen.contains_key(i))
        .filter_map(|i| Shard::new(i, count))
        .map(|s| s.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing {
            missing: missing.join(", "),
            count,
            found: shards.len(),
        });
    }
    Ok(())
}

/// The first field on which two shards' identities differ, but the shard's index:
/// its name and the two values.
fn disagreement(a: &Identity, b: &Identity) -> Option<(&'static str, String, String)> {
    let fields: [(&'static str, String, String); 11] = [
        ("versions", a.version.clone(), b.version.clone()),
        (
            "scenario files",
            a.scenario.display().to_string(),
            b.scenario.display().to_string(),
        ),
        (
            "scenario texts (fingerprints)",
            a.fingerprint.clone(),
            b.fingerprint.clone(),
        ),
        ("--set arguments", list(&a.sets), list(&b.sets)),
        ("--variant arguments", list(&a.variants), list(&b.variants)),
        ("--seed arguments", seed(a.seed), seed(b.seed)),
        (
            "--seeds arguments",
            a.seeds.to_string(),
            b.seeds.to_string(),
        ),
        ("--no-charts", charts(a.charts), charts(b.charts)),
        (
            "configurations",
            list(&a.configurations),
            list(&b.configurations),
        ),
        (
            "inputs (configurations, observed series, trace files)",
            a.inputs.clone(),
            b.inputs.clone(),
        ),
        (
            "shard counts",
            a.shard.count().to_string(),
            b.shard.count().to_string(),
        ),
    ];
    fields.into_iter().find(|(_, left, right)| left != right)
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

fn seed(seed: Option<u64>) -> String {
    seed.map_or_else(|| "the scenario's".to_string(), |s| s.to_string())
}

fn charts(charts: bool) -> String {
    if charts { "charts" } else { "--no-charts" }.to_string()
}

/// One configuration's runs as they are gathered.
#[derive(Default)]
struct Gathered {
    first: Option<(crate::shard::FirstRun, PathBuf)>,
    replicas: BTreeMap<u64, RunSummary>,
    band: Option<SeedBand>,
}

/// Joins slices of runs (each with the directory holding its time-series parts) into
/// the runs of configurations `which`, each with `seeds` seeds, in the configurations'
/// order. Every (configuration, seed) run must be there exactly once, each first
/// seed's time-series part file, and its chart data when the command draws `charts`.
pub fn combine(
    parts: impl IntoIterator<Item = (PathBuf, ConfigPart)>,
    which: &[usize],
    seeds: u64,
    charts: bool,
) -> Result<Vec<(usize, ConfigRuns)>, MergeError> {
    let mut gathered: BTreeMap<usize, Gathered> =
        which.iter().map(|&c| (c, Gathered::default())).collect();
    let runs_error = |what: String| MergeError::Runs { what };
    for (dir, part) in parts {
        let config = part.config;
        let into = gathered.get_mut(&config).ok_or_else(|| {
            runs_error(format!(
                "hold configuration {config}, not one of the command's"
            ))
        })?;
        if let Some(first) = part.first {
            if into.first.is_some() {
                return Err(runs_error(format!(
                    "hold configuration {config}'s first seed twice"
                )));
            }
            let series = series_part(&dir, config);
            if !series.is_file() {
                return Err(MergeError::Unreadable {
                    file: series.display().to_string(),
                    error: "no such file".into(),
                });
            }
            into.first = Some((first, series));
        }
        for (k, summary) in part.replicas {
            if k == 0 || k >= seeds || into.replicas.insert(k, summary).is_some() {
                return Err(runs_error(format!(
                    "hold configuration {config}'s seed offset {k} twice or out of 1..{seeds}"
                )));
            }
        }
        if let Some(band) = part.band {
            match into.band.as_mut() {
                Some(joined) => joined.join(&band),
                None => into.band = Some(band),
            }
        }
    }
    gathered
        .into_iter()
        .map(|(config, g)| {
            let Some((first, series)) = g.first else {
                return Err(runs_error(format!(
                    "lack configuration {config}'s first seed"
                )));
            };
            if charts && first.chart.is_none() {
                return Err(runs_error(format!(
                    "lack configuration {config}'s chart data"
                )));
            }
            if g.replicas.len() as u64 != seeds.saturating_sub(1) {
                return Err(runs_error(format!(
                    "hold {} of configuration {config}'s {} other seeds",
                    g.replicas.len(),
                    seeds.saturating_sub(1)
                )));
            }
            Ok((
                config,
                ConfigRuns {
                    first: first.summary,
                    chart: first.chart,
                    observed: first.observed,
                    series,
                    replicas: g.replicas.into_values().collect(),
                    band: g.band,
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shard::tests::results;
    use crate::shard::{ShardResults, fingerprint};

    fn dir(name: &str, results: ShardResults) -> ShardDir {
        ShardDir {
            dir: PathBuf::from(name),
            results,
        }
    }

    #[test]
    fn all_the_shards_of_one_command_pass() {
        let shards: Vec<ShardDir> = (0..3)
            .map(|i| dir(&format!("s{i}"), results(i, 3)))
            .collect();
        assert!(check(&shards).is_ok());
    }

    #[test]
    fn missing_repeated_and_foreign_shards_are_named() {
        let shards = [dir("a", results(0, 4)), dir("c", results(2, 4))];
        let err = check(&shards).unwrap_err().to_string();
        assert!(
            err.starts_with("missing shards 2/4, 4/4 of 4: found 2"),
            "{err}"
        );
        let shards = [dir("a", results(0, 2)), dir("b", results(0, 2))];
        let err = check(&shards).unwrap_err().to_string();
        assert_eq!(err, "a and b are both shard 1/2");
        let mut other = results(1, 2);
        other.identity.fingerprint = fingerprint("name: t");
        let err = check(&[dir("a", results(0, 2)), dir("b", other)])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("a and b are shards of different runs: their scenario texts"),
            "{err}"
        );
        let mut other = results(1, 2);
        other.identity.seed = Some(9);
        let err = check(&[dir("a", results(0, 2)), dir("b", other)])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--seed arguments differ (the scenario's against 9)"),
            "{err}"
        );
    }

    /// `results`' one part: configuration 1, its first seed and offset 1.
    fn part() -> ConfigPart {
        results(0, 1).parts.remove(0)
    }

    #[test]
    fn combine_wants_every_run_once_and_joins_the_bands() {
        let (first, mut second) = (part(), part());
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        for dir in [&a, &b] {
            std::fs::create_dir_all(dir.join(crate::shard::PARTS)).unwrap();
            std::fs::write(series_part(dir, 1), "").unwrap();
        }
        // Split: the first seed in `a`, offset 1 in `b`.
        let mut only_first = first.clone();
        only_first.replicas.clear();
        second.first = None;
        let runs = combine(
            [(a.clone(), only_first.clone()), (b.clone(), second.clone())],
            &[1],
            2,
            true,
        )
        .unwrap();
        assert_eq!(runs.len(), 1);
        let (config, runs) = &runs[0];
        assert_eq!(*config, 1);
        assert_eq!(runs.series, a.join("parts/timeseries.1.csv"));
        assert_eq!(runs.replicas.len(), 1);
        assert_eq!(runs.band.as_ref().unwrap().seeds(), 2);
        let fails = |parts: Vec<(PathBuf, ConfigPart)>, charts: bool| {
            combine(parts, &[1], 2, charts).unwrap_err().to_string()
        };
        // A seed twice, a seed missing, a configuration not asked for.
        assert!(
            fails(
                vec![(a.clone(), first.clone()), (b.clone(), second.clone())],
                true
            )
            .contains("offset 1 twice")
        );
        assert!(
            fails(vec![(a.clone(), only_first.clone())], true)
                .contains("hold 0 of configuration 1's 1 other seeds")
        );
        assert!(
            fails(vec![(b.clone(), second.clone())], true)
                .contains("lack configuration 1's first seed")
        );
        let mut stray = first.clone();
        stray.config = 5;
        assert!(fails(vec![(a.clone(), stray)], true).contains("not one of the command's"));
        // Charts drawn from a first seed without chart data.
        let mut bare = first.clone();
        bare.first.as_mut().unwrap().chart = None;
        assert!(fails(vec![(a.clone(), bare)], true).contains("chart data"));
        // A first seed whose time series is not there.
        std::fs::remove_file(series_part(&a, 1)).unwrap();
        let err = fails(vec![(a, only_first), (b, second)], true);
        assert!(err.contains("timeseries.1.csv: no such file"), "{err}");
    }
}
