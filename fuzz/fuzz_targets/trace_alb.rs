//! The access log reader with ALB entries: any bytes as a plain log `a.log` and as a
//! gzip file `b.log.gz` (read after it, through the decoder), routed by target group
//! to two functions with one route left out, put in arrival order within a short
//! reorder window, with `speedup` and a window.

#![no_main]

use libfuzzer_sys::fuzz_target;

const SCENARIO: &str = "name: fuzz
duration: 1d
functions:
  - name: f
    traffic:
      - trace: { file: '*.log*', format: alb, reorder_window: 30s, routes: { a: f, b: g, c: ~ } }
        speedup: 2
        start: 1s
        end: 20h
  - name: g
";

fuzz_target!(|data: &[u8]| {
    lambdasim_fuzz::write("a.log", data);
    lambdasim_fuzz::write("b.log.gz", data);
    lambdasim_fuzz::load_and_read(SCENARIO);
});
