//! The per-request CSV trace reader: any bytes as the trace `t.csv`, replayed by
//! streams that read it with and without `time_column`, `scale`, `speedup`, `offset`
//! and a window, routed to two functions when it has a `function` column.

#![no_main]

use libfuzzer_sys::fuzz_target;

const SCENARIO: &str = "name: fuzz
duration: 1h
functions:
  - name: f
    traffic:
      - trace: { file: t.csv }
      - trace: { file: t.csv, time_column: at }
        scale: 2.5
        speedup: 1000
        offset: 1.5s
        start: 10s
        end: 50m
      - trace: { file: t.csv }
        scale: 0.3
        speedup: 0.01
  - name: g
";

fuzz_target!(|data: &[u8]| {
    lambdasim_fuzz::write("t.csv", data);
    lambdasim_fuzz::load_and_read(SCENARIO);
});
