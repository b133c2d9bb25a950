//! The CloudWatch metrics reader: any bytes as the AWS CLI's JSON `t.json`, replaying
//! the sum of two series with `scale`, `speedup`, `offset`, a window and an even
//! spread; the period is inferred from the points' spacing.

#![no_main]

use libfuzzer_sys::fuzz_target;

const SCENARIO: &str = "name: fuzz
duration: 1d
functions:
  - name: f
    traffic:
      - trace: { file: t.json, format: cloudwatch, series: [inv, Throttles], spread: even }
        scale: 2.5
        speedup: 60
        offset: 1s
        start: 1m
        end: 20h
";

fuzz_target!(|data: &[u8]| {
    lambdasim_fuzz::write("t.json", data);
    lambdasim_fuzz::load_and_read(SCENARIO);
});
