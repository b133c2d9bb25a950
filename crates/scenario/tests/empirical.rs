//! `{ empirical: { file, column } }` durations: read from REPORT lines, JSON log lines
//! or a CSV column, beside the scenario, with errors at the file's line or the YAML's.

mod common;

use common::{Dir, base};
use lambdasim_model::dist::DurationDist;

const REPORTS: &str = "REPORT RequestId: a\tDuration: 200 ms\tBilled Duration: 200 ms\tMemory Size: 512 MB\tMax Memory Used: 81 MB\tInit Duration: 480 ms\n\
REPORT RequestId: b\tDuration: 100 ms\tBilled Duration: 100 ms\tMemory Size: 512 MB\tMax Memory Used: 82 MB\n";

fn scenario(function: &str) -> String {
    format!("name: s\nduration: 1h\nfunctions:\n  - name: f\n{function}")
}

#[test]
fn report_lines_set_duration_and_init_duration() {
    let dir = Dir::new();
    dir.write("logs/report.log", REPORTS);
    let yaml = scenario(
        "    duration: { empirical: { file: logs/report.log } }\n    init_duration: { empirical: { file: logs/report.log, column: Init Duration } }\n",
    );
    let variant = base(&dir.load(&yaml).unwrap());
    let f = &variant.config.functions[0];
    let (DurationDist::Empirical(d), DurationDist::Empirical(i)) = (&f.duration, &f.init_duration)
    else {
        panic!("not empirical: {f:?}");
    };
    assert_eq!(
        (d.len(), d.quantile(0.0), d.quantile(1.0)),
        (2, 100_000_000, 200_000_000)
    );
    assert_eq!((i.len(), i.quantile(0.5)), (1, 480_000_000));
    assert_eq!(f.duration.mean(), 150_000_000.0);
}

#[test]
fn a_bad_value_is_an_error_at_its_line_and_a_missing_file_at_the_yaml() {
    let dir = Dir::new();
    dir.write("d.csv", "duration_ms\n12\nslow\n");
    let err = dir
        .load(&scenario("    duration: { empirical: { file: d.csv } }\n"))
        .unwrap_err();
    assert!(err.file().ends_with("d.csv"), "{err}");
    assert_eq!(err.line(), Some(3), "{err}");
    assert!(err.is_input_error());
    let err = dir
        .load(&scenario(
            "    duration: { empirical: { file: none.csv } }\n",
        ))
        .unwrap_err();
    assert_eq!(err.line(), Some(5), "{err}");
    assert!(err.message().contains("none.csv"), "{err}");
    let err = dir
        .load(&scenario(
            "    duration: { empirical: { file: d.csv, column: other } }\n",
        ))
        .unwrap_err();
    assert!(err.message().contains("`duration_ms`"), "{err}");
}
