//! Which configurations a plan runs: a bisection along one integer key (provisioned
//! or reserved concurrency) for each combination of the other settings, or every
//! configuration when no key qualifies.
//!
//! The bisection relies on the SLO's measures improving as the key grows (more
//! environments, fewer throttles and cold starts), so that along a line the
//! configurations that meet the SLO are those from some value up. It runs the largest
//! value first (if that fails, the whole line is taken to fail), then halves the
//! bracket between the largest value known to fail and the smallest known to meet,
//! until they are one step apart: the step below the answer is then known to fail.
//! The neighbour check runs the step above the answer, which must meet the SLO too;
//! when it does not, the line is not monotone near the answer, and every value below
//! the answer not yet run is run, the lowest that meets becoming the answer.

use std::collections::BTreeMap;

/// A configuration's place in the scenario's list (each variant at each sweep point,
/// in order), which is also its place in `summary.json` when every one runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConfigId(pub usize);

/// One configuration as the search sees it: its variant and its value of each swept key.
#[derive(Clone, Copy, Debug)]
pub struct Candidate<'a> {
    /// The `variants:` entry it comes from.
    pub variant: &'a str,
    /// Its value of each swept key, as written, in the keys' order.
    pub values: &'a [String],
}

/// The configurations grouped into lines along the bisected key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lines {
    /// The key bisected along, if one qualifies.
    pub key: Option<String>,
    /// Each line's configurations, the key's value ascending; in order of each line's
    /// first configuration. Without a key, a line per configuration.
    pub lines: Vec<Vec<ConfigId>>,
}

/// Whether a swept key may be bisected along: a concurrency setting, whose larger
/// values give the SLO's measures more room.
fn bisectable(key: &str) -> bool {
    key.ends_with(".provisioned_concurrency") || key.ends_with(".reserved_concurrency")
}

impl Lines {
    /// Groups `candidates` (every configuration, in order) into lines along the first
    /// swept key in `keys` that is a concurrency setting whose every value is a whole
    /// number and differs between the configurations that share the other settings.
    pub fn new(keys: &[String], candidates: &[Candidate<'_>]) -> Lines {
        for (k, key) in keys.iter().enumerate() {
            if !bisectable(key) {
                continue;
            }
            if let Some(lines) = lines_along(k, candidates) {
                return Lines {
                    key: Some(key.clone()),
                    lines,
                };
            }
        }
        Lines {
            key: None,
            lines: (0..candidates.len()).map(|i| vec![ConfigId(i)]).collect(),
        }
    }
}

/// The lines along key `k`, or `None` if a value is not a whole number or two
/// configurations of a line share one.
fn lines_along(k: usize, candidates: &[Candidate<'_>]) -> Option<Vec<Vec<ConfigId>>> {
    // Each line: the other settings it shares, and its (value, configuration) pairs.
    type Line<'c> = (Vec<&'c str>, Vec<(i64, ConfigId)>);
    let mut lines: Vec<Line> = Vec::new();
    for (i, c) in candidates.iter().enumerate() {
        let value: i64 = c.values.get(k)?.parse().ok()?;
        let mut rest: Vec<&str> = vec![c.variant];
        rest.extend(
            c.values
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != k)
                .map(|(_, v)| v.as_str()),
        );
        match lines.iter_mut().find(|(r, _)| *r == rest) {
            Some((_, line)) => line.push((value, ConfigId(i))),
            None => lines.push((rest, vec![(value, ConfigId(i))])),
        }
    }
    lines
        .into_iter()
        .map(|(_, mut line)| {
            line.sort_by_key(|(v, _)| *v);
            let distinct = line.windows(2).all(|w| w[0].0 < w[1].0);
            distinct.then(|| line.into_iter().map(|(_, id)| id).collect())
        })
        .collect()
}

/// Where one line's search stands, its positions being places in the line.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Step {
    /// The largest value is to run.
    Top,
    /// The answer is in `lo..=hi`; `hi` meets the SLO and `lo - 1`, if any, fails.
    Bisect { lo: usize, hi: usize },
    /// `answer` meets and the step below fails: the step above is to check.
    Neighbour { answer: usize },
    /// The step above `answer` failed: every value below it is to run.
    Downward { answer: usize },
    /// Finished: the lowest place known to meet the SLO, if any.
    Done(Option<usize>),
}

/// What a plan's search ran and found.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// Whether each configuration run met the SLO, by id.
    pub met: BTreeMap<ConfigId, bool>,
    /// Each line's answer: the configuration with the smallest value that met the SLO.
    pub answers: Vec<Option<ConfigId>>,
    /// The lines whose neighbour check found them not monotone, by their first
    /// configuration.
    pub non_monotone: Vec<ConfigId>,
}

/// Searches every line, a round at a time: each round runs the configurations every
/// unfinished line asks for together (`run` takes them in ascending order and says
/// whether each met the SLO), so that lines advance in parallel and the order of
/// runs, and with it every output, is the same whatever the threads.
pub fn search<E>(
    lines: &[Vec<ConfigId>],
    mut run: impl FnMut(&[ConfigId]) -> Result<Vec<bool>, E>,
) -> Result<Outcome, E> {
    let mut steps: Vec<Step> = lines.iter().map(|_| Step::Top).collect();
    let mut met: BTreeMap<ConfigId, bool> = BTreeMap::new();
    let mut non_monotone = Vec::new();
    loop {
        for (line, step) in lines.iter().zip(&mut steps) {
            *step = advance(line, *step, &met, &mut non_monotone);
        }
        let mut wanted: Vec<ConfigId> = lines
            .iter()
            .zip(&steps)
            .flat_map(|(line, step)| wants(line, *step))
            .filter(|id| !met.contains_key(id))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.is_empty() {
            break;
        }
        let results = run(&wanted)?;
        met.extend(wanted.into_iter().zip(results));
    }
    let answers = lines
        .iter()
        .zip(&steps)
        .map(|(line, step)| match step {
            Step::Done(answer) => answer.map(|p| line[p]),
            _ => unreachable!("a line that needs nothing run has advanced to done"),
        })
        .collect();
    Ok(Outcome {
        met,
        answers,
        non_monotone,
    })
}

/// The configurations a line at `step` needs run (some may have run already).
fn wants(line: &[ConfigId], step: Step) -> Vec<ConfigId> {
    match step {
        Step::Top => vec![line[line.len() - 1]],
        Step::Bisect { lo, hi } => vec![line[(lo + hi) / 2]],
        Step::Neighbour { answer } => vec![line[answer + 1]],
        Step::Downward { answer } => line[..answer].to_vec(),
        Step::Done(_) => Vec::new(),
    }
}

/// The line's next step, as far as what has run tells: it stops at a step that needs
/// a configuration not yet run.
fn advance(
    line: &[ConfigId],
    mut step: Step,
    met: &BTreeMap<ConfigId, bool>,
    non_monotone: &mut Vec<ConfigId>,
) -> Step {
    let known = |p: usize| met.get(&line[p]).copied();
    let top = line.len() - 1;
    // The step for a bracket `lo..=hi` whose `hi` meets the SLO.
    let settle = |lo: usize, hi: usize| match (lo < hi, hi < top) {
        (true, _) => Step::Bisect { lo, hi },
        (false, true) => Step::Neighbour { answer: hi },
        (false, false) => Step::Done(Some(hi)),
    };
    loop {
        let next = match step {
            Step::Top => match known(top) {
                None => return step,
                Some(false) => Step::Done(None),
                Some(true) => settle(0, top),
            },
            Step::Bisect { lo, hi } => match known((lo + hi) / 2) {
                None => return step,
                Some(true) => settle(lo, (lo + hi) / 2),
                Some(false) => settle((lo + hi) / 2 + 1, hi),
            },
            Step::Neighbour { answer } => match known(answer + 1) {
                None => return step,
                Some(true) => Step::Done(Some(answer)),
                Some(false) => {
                    non_monotone.push(line[0]);
                    Step::Downward { answer }
                }
            },
            Step::Downward { answer } => {
                if (0..answer).any(|p| known(p).is_none()) {
                    return step;
                }
                Step::Done((0..=answer).find(|&p| known(p) == Some(true)))
            }
            Step::Done(_) => return step,
        };
        step = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Searches one line whose configuration `k` meets the SLO when `meets[k]`, and
    /// returns the answer's place and how many configurations ran.
    fn search_line(meets: &[bool]) -> (Option<usize>, usize, bool) {
        let line: Vec<ConfigId> = (0..meets.len()).map(ConfigId).collect();
        let mut ran = 0;
        let outcome = search::<()>(std::slice::from_ref(&line), |ids| {
            ran += ids.len();
            Ok(ids.iter().map(|id| meets[id.0]).collect())
        })
        .unwrap();
        let answer = outcome.answers[0].map(|id| id.0);
        (answer, ran, !outcome.non_monotone.is_empty())
    }

    #[test]
    fn bisection_finds_what_the_full_grid_finds_with_fewer_runs() {
        for n in [1usize, 2, 3, 9, 17, 64] {
            for first in 0..=n {
                // Monotone: values from `first` up meet the SLO.
                let meets: Vec<bool> = (0..n).map(|k| k >= first).collect();
                let grid = meets.iter().position(|&m| m);
                let (answer, ran, odd) = search_line(&meets);
                assert_eq!(answer, grid, "n {n}, first {first}");
                assert!(!odd);
                // The top, about log2(n) halvings and the neighbour above.
                let bound = 2 + (usize::BITS - n.leading_zeros()) as usize;
                assert!(ran <= bound.min(n), "n {n}, first {first}: ran {ran}");
                if n >= 9 {
                    assert!(ran < n, "n {n}: ran the whole line");
                }
            }
        }
    }

    #[test]
    fn the_neighbour_check_catches_a_line_that_is_not_monotone() {
        // Bisection alone: the top meets, 2 meets, 1 fails: the answer would be 2. The
        // step above it, 3, fails, so everything below 2 runs, and 0 meets.
        let meets = [true, false, true, false, true];
        let (answer, ran, odd) = search_line(&meets);
        assert!(odd);
        assert_eq!(answer, Some(0));
        assert_eq!(ran, 5);
        // When the values below fail after all, the answer stays.
        let (answer, _, odd) = search_line(&[false, false, true, false, true]);
        assert_eq!((answer, odd), (Some(2), true));
    }

    #[test]
    fn a_line_whose_largest_value_fails_runs_once() {
        assert_eq!(search_line(&[true, true, false]), (None, 1, false));
    }

    #[test]
    fn lines_follow_the_first_whole_concurrency_key_per_combination_of_the_others() {
        let keys = [
            "functions.f.memory_mb".to_string(),
            "functions.f.provisioned_concurrency".to_string(),
        ];
        let values: Vec<[String; 2]> = ["512", "1024"]
            .iter()
            .flat_map(|m| ["20", "0", "10"].map(|pc| [m.to_string(), pc.to_string()]))
            .collect();
        let candidates: Vec<Candidate> = values
            .iter()
            .map(|v| Candidate {
                variant: "base",
                values: v,
            })
            .collect();
        let lines = Lines::new(&keys, &candidates);
        assert_eq!(
            lines.key.as_deref(),
            Some("functions.f.provisioned_concurrency")
        );
        let ids = |v: &[usize]| v.iter().map(|&i| ConfigId(i)).collect::<Vec<_>>();
        assert_eq!(lines.lines, [ids(&[1, 2, 0]), ids(&[4, 5, 3])]);
        // A value that is not a whole number: no bisection, every configuration alone.
        let odd = [["512".to_string(), "{\"initial\":5}".to_string()]];
        let candidates = [Candidate {
            variant: "base",
            values: &odd[0],
        }];
        let lines = Lines::new(&keys, &candidates);
        assert_eq!(lines.key, None);
        assert_eq!(lines.lines, [ids(&[0])]);
    }
}
