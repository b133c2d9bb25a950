//! The access log reader with JSON lines: any bytes as an API Gateway-style log, read by
//! its time (epoch milliseconds), duration and route fields, routed to two functions.

#![no_main]

use libfuzzer_sys::fuzz_target;

const SCENARIO: &str = "name: fuzz
duration: 1d
functions:
  - name: f
    traffic:
      - trace: { file: t.jsonl, format: jsonl, time_field: t, duration_field: d, route_field: r, routes: { a: f, b: g, c: ~ } }
        scale: 1.5
  - name: g
";

fuzz_target!(|data: &[u8]| {
    lambdasim_fuzz::write("t.jsonl", data);
    lambdasim_fuzz::load_and_read(SCENARIO);
});
