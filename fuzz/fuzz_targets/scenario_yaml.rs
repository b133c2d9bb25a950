//! The scenario loader: any bytes as `scenario.yaml` (with the example traces and a
//! small `t.csv` beside it), loaded, validated, and its streams read.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    lambdasim_fuzz::write_example_traces();
    lambdasim_fuzz::load_and_read(data);
});
