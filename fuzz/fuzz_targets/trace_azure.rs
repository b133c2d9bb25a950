//! The Azure Functions 2019 trace reader: any bytes as the day file `t.csv`,
//! replaying the `HashFunction` `f` with `scale`, `speedup`, `offset` and a window.
//! One stream only: each open looks the 1,440 minute columns up in the header, which
//! dominates an execution (the even spread is the counts target's).

#![no_main]

use libfuzzer_sys::fuzz_target;

const SCENARIO: &str = "name: fuzz
duration: 1d
functions:
  - name: f
    traffic:
      - trace: { file: t.csv, format: azure2019, function: f }
        scale: 2.5
        speedup: 60
        offset: 1s
        start: 1m
        end: 20h
";

fuzz_target!(|data: &[u8]| {
    lambdasim_fuzz::write("t.csv", data);
    lambdasim_fuzz::load_and_read(SCENARIO);
});
