//! The per-interval (counts) CSV trace reader: any bytes as the trace `t.csv`,
//! replayed with intervals of 1 s, 1 min and 1 ms, random and even spreads, and
//! `scale`, `speedup`, `offset` and a window.

#![no_main]

use libfuzzer_sys::fuzz_target;

const SCENARIO: &str = "name: fuzz
duration: 2h
functions:
  - name: f
    traffic:
      - trace: { file: t.csv, counts: 1s }
      - trace: { file: t.csv, counts: 1m, spread: even }
        scale: 3
        speedup: 7
        offset: 1ms
        start: 1s
        end: 90m
      - trace: { file: t.csv, counts: 1ms, time_column: at, spread: random }
        scale: 0.5
        speedup: 0.001
  - name: g
";

fuzz_target!(|data: &[u8]| {
    lambdasim_fuzz::write("t.csv", data);
    lambdasim_fuzz::load_and_read(SCENARIO);
});
