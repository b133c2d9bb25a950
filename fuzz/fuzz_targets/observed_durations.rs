//! The readers of observed durations: any bytes as `t.log`, read as a function's
//! `duration` (REPORT lines, JSON log lines or a CSV column, whichever the bytes look
//! like) and `init_duration` (`Init Duration`), and by `lambdasim fit`'s reader.

#![no_main]

use libfuzzer_sys::fuzz_target;

const SCENARIO: &str = "name: fuzz
duration: 1m
functions:
  - name: f
    duration: { empirical: { file: t.log } }
    init_duration: { empirical: { file: t.log, column: Init Duration } }
    traffic:
      - poisson: { rate: 50 }
";

fuzz_target!(|data: &[u8]| {
    let path = lambdasim_fuzz::write("t.log", data);
    lambdasim_fuzz::load_and_read(SCENARIO);
    let _ = lambdasim_scenario::read_observed(&path, None);
});
