//! Lambda's own log: any bytes as REPORT lines (plain text with a time in front,
//! CloudWatch Logs events or JSON log records), replayed as a function's invocations
//! and counted as its observed cold starts per minute.

#![no_main]

use libfuzzer_sys::fuzz_target;

const SCENARIO: &str = "name: fuzz
duration: 1d
functions:
  - name: f
    traffic:
      - trace: { file: t.log, format: lambda_log }
    observed:
      cold_starts: { file: t.log, format: lambda_log, counts: 1m }
";

fuzz_target!(|data: &[u8]| {
    lambdasim_fuzz::write("t.log", data);
    lambdasim_fuzz::load_and_read(SCENARIO);
});
