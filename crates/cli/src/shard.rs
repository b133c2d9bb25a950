//! Which shard a command runs: `--shard I/N` (counting from 1), or, with `--shard
//! auto`, the index and count a scheduler's array job sets in the environment (Slurm,
//! Kubernetes Indexed Jobs, AWS Batch), as `docs/scale-out.md` describes. The
//! environment is read only when asked: a whole command run inside an array task (each
//! task a different scenario, say) stays whole.

use lambdasim_report::shard::Shard;

/// A shard and where it came from, for the note a shard prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chosen {
    pub shard: Shard,
    /// `--shard`, or the environment variable that gave the index.
    pub from: &'static str,
}

/// The schedulers' variables: the index, its first value's variable (Slurm's
/// `--array=1-8` starts at 1), the step's (`--array=0-14:5`) and the count's.
struct Source {
    index: &'static str,
    first: Option<&'static str>,
    step: Option<&'static str>,
    count: Option<&'static str>,
}

const SOURCES: [Source; 3] = [
    Source {
        index: "SLURM_ARRAY_TASK_ID",
        first: Some("SLURM_ARRAY_TASK_MIN"),
        step: Some("SLURM_ARRAY_TASK_STEP"),
        count: Some("SLURM_ARRAY_TASK_COUNT"),
    },
    Source {
        index: "JOB_COMPLETION_INDEX",
        first: None,
        step: None,
        count: None,
    },
    Source {
        index: "AWS_BATCH_JOB_ARRAY_INDEX",
        first: None,
        step: None,
        count: Some("AWS_BATCH_JOB_ARRAY_SIZE"),
    },
];

/// What `--shard` says to run the whole command on its own.
pub const AUTO: &str = "auto";

/// The shard from `--shard` (`flag`): `I/N`, or `auto` to read the environment (`env`
/// reads a variable) with `--shard-count` (`count`) where the scheduler sets no count;
/// `None` for a whole command. Errors name the argument or variable and what was
/// expected.
pub fn resolve(
    flag: Option<&str>,
    count: Option<u64>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<Chosen>, String> {
    match (flag, count) {
        (None, None) => return Ok(None),
        (Some(AUTO), _) => {}
        (Some(text), None) => {
            return parse_flag(text).map(|shard| {
                Some(Chosen {
                    shard,
                    from: "--shard",
                })
            });
        }
        (_, Some(_)) => {
            return Err(
                "--shard-count goes with --shard auto, expected both (a Kubernetes Indexed Job sets the index alone)"
                    .into(),
            );
        }
    }
    let present: Vec<&Source> = SOURCES.iter().filter(|s| env(s.index).is_some()).collect();
    match present.as_slice() {
        [] => Err(format!(
            "--shard auto: found none of {} in the environment, expected an array job's index (or --shard I/N)",
            SOURCES.map(|s| s.index).join(", ")
        )),
        [source] => from_env(source, count, &env).map(|shard| {
            Some(Chosen {
                shard,
                from: source.index,
            })
        }),
        [a, b, ..] => Err(format!(
            "found both {} and {} in the environment, expected one scheduler's shard index (or --shard I/N)",
            a.index, b.index
        )),
    }
}

/// `I/N` with 1 ≤ I ≤ N.
fn parse_flag(text: &str) -> Result<Shard, String> {
    let expected =
        "expected I/N, the I-th of N shards counting from 1 (1 ≤ I ≤ N), like 2/4, or auto";
    let bad = || format!("--shard: found `{text}`, {expected}");
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    i.checked_sub(1)
        .and_then(|index| Shard::new(index, n))
        .ok_or_else(bad)
}

/// The shard a scheduler's variables give.
fn from_env(
    source: &Source,
    count_flag: Option<u64>,
    env: &impl Fn(&str) -> Option<String>,
) -> Result<Shard, String> {
    let number = |name: &str| -> Result<Option<u64>, String> {
        env(name)
            .map(|v| {
                v.trim().parse::<u64>().map_err(|_| {
                    format!("{name}: found `{v}`, expected a whole number (0 or more)")
                })
            })
            .transpose()
    };
    let id = number(source.index)?.expect("the index variable is present");
    let first = source.first.map(number).transpose()?.flatten().unwrap_or(0);
    let step = source.step.map(number).transpose()?.flatten().unwrap_or(1);
    let env_count = source.count.map(number).transpose()?.flatten();
    let count = match (env_count, count_flag) {
        (Some(e), Some(f)) if e != f => {
            return Err(format!(
                "--shard-count {f} disagrees with {}={e}, expected the same number of shards",
                source.count.unwrap_or("the scheduler's count")
            ));
        }
        (Some(n), _) | (None, Some(n)) => n,
        (None, None) => {
            return Err(format!(
                "{} is set but not the number of shards: give it with --shard-count N{}",
                source.index,
                source
                    .count
                    .map_or(String::new(), |c| format!(" (or set {c})"))
            ));
        }
    };
    let place = id
        .checked_sub(first)
        .filter(|offset| step > 0 && offset % step == 0)
        .map(|offset| offset / step);
    place
        .and_then(|index| Shard::new(index, count))
        .ok_or_else(|| {
            let from = source
                .first
                .map_or(String::new(), |f| format!(" from {f}={first}"));
            let by = source
                .step
                .map_or(String::new(), |s| format!(" by {s}={step}"));
            format!(
                "{}: found {id}, expected one of {count} shard indices{from}{by} (count {count})",
                source.index
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `resolve` with the environment `vars`.
    fn with(
        flag: Option<&str>,
        count: Option<u64>,
        vars: &[(&str, &str)],
    ) -> Result<Option<(u64, u64, &'static str)>, String> {
        let env = |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        resolve(flag, count, env).map(|c| c.map(|c| (c.shard.index(), c.shard.count(), c.from)))
    }

    #[test]
    fn the_flag_counts_from_one() {
        assert_eq!(with(Some("1/3"), None, &[]), Ok(Some((0, 3, "--shard"))));
        assert_eq!(with(Some("3/3"), None, &[]), Ok(Some((2, 3, "--shard"))));
        // The flag wins over the environment.
        let slurm = [
            ("SLURM_ARRAY_TASK_ID", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "2"),
        ];
        assert_eq!(with(Some("2/2"), None, &slurm), Ok(Some((1, 2, "--shard"))));
        assert_eq!(with(None, None, &[]), Ok(None));
        // Without --shard auto the environment is not read: a whole command inside an
        // array task stays whole.
        assert_eq!(with(None, None, &slurm), Ok(None));
        assert_eq!(
            with(Some(AUTO), None, &slurm),
            Ok(Some((1, 2, "SLURM_ARRAY_TASK_ID")))
        );
    }

    #[test]
    fn bad_flags_say_what_was_expected() {
        for bad in ["3/2", "0/0", "0/3", "1/0", "2", "a/b", "-1/2", "1/2/3", ""] {
            let err = with(Some(bad), None, &[]).unwrap_err();
            assert!(
                err.starts_with(&format!("--shard: found `{bad}`, expected I/N")),
                "{err}"
            );
        }
    }

    #[test]
    fn slurm_arrays_count_from_their_first_id_by_their_step() {
        let array = |id: &str, min: &str, count: &str| {
            with(
                Some(AUTO),
                None,
                &[
                    ("SLURM_ARRAY_TASK_ID", id),
                    ("SLURM_ARRAY_TASK_MIN", min),
                    ("SLURM_ARRAY_TASK_COUNT", count),
                ],
            )
        };
        let slurm = "SLURM_ARRAY_TASK_ID";
        // --array=1-8: ids 1 to 8.
        assert_eq!(array("1", "1", "8"), Ok(Some((0, 8, slurm))));
        assert_eq!(array("8", "1", "8"), Ok(Some((7, 8, slurm))));
        // --array=0-3.
        assert_eq!(array("0", "0", "4"), Ok(Some((0, 4, slurm))));
        assert!(array("9", "1", "8").unwrap_err().contains("found 9"));
        assert!(array("0", "1", "8").is_err());
        // --array=0-6:2: ids 0, 2, 4, 6.
        let stepped = |id: &str| {
            with(
                Some(AUTO),
                None,
                &[
                    ("SLURM_ARRAY_TASK_ID", id),
                    ("SLURM_ARRAY_TASK_MIN", "0"),
                    ("SLURM_ARRAY_TASK_STEP", "2"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                ],
            )
        };
        assert_eq!(stepped("6"), Ok(Some((3, 4, slurm))));
        assert!(stepped("3").is_err());
        let err = array("x", "1", "8").unwrap_err();
        assert_eq!(
            err,
            "SLURM_ARRAY_TASK_ID: found `x`, expected a whole number (0 or more)"
        );
    }

    #[test]
    fn kubernetes_needs_the_count_flag_and_aws_batch_sets_its_size() {
        let k8s = [("JOB_COMPLETION_INDEX", "2")];
        assert_eq!(
            with(Some(AUTO), Some(3), &k8s),
            Ok(Some((2, 3, "JOB_COMPLETION_INDEX")))
        );
        assert!(
            with(Some(AUTO), None, &k8s)
                .unwrap_err()
                .contains("--shard-count")
        );
        assert!(
            with(Some(AUTO), Some(2), &k8s)
                .unwrap_err()
                .contains("found 2")
        );
        let aws = [
            ("AWS_BATCH_JOB_ARRAY_INDEX", "0"),
            ("AWS_BATCH_JOB_ARRAY_SIZE", "5"),
        ];
        let from = "AWS_BATCH_JOB_ARRAY_INDEX";
        assert_eq!(with(Some(AUTO), None, &aws), Ok(Some((0, 5, from))));
        assert_eq!(with(Some(AUTO), Some(5), &aws), Ok(Some((0, 5, from))));
        assert!(
            with(Some(AUTO), Some(4), &aws)
                .unwrap_err()
                .contains("disagrees")
        );
    }

    #[test]
    fn a_count_without_auto_an_auto_without_an_index_or_two_schedulers_are_refused() {
        for flag in [None, Some("1/3")] {
            assert!(
                with(flag, Some(3), &[])
                    .unwrap_err()
                    .starts_with("--shard-count goes with --shard auto")
            );
        }
        assert!(
            with(Some(AUTO), None, &[])
                .unwrap_err()
                .starts_with("--shard auto: found none of SLURM_ARRAY_TASK_ID")
        );
        let both = [
            ("SLURM_ARRAY_TASK_ID", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "2"),
            ("JOB_COMPLETION_INDEX", "0"),
        ];
        let err = with(Some(AUTO), Some(2), &both).unwrap_err();
        assert!(
            err.contains("SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX"),
            "{err}"
        );
    }
}
