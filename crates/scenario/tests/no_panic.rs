//! No input, however malformed, panics or hangs the loader or the trace readers.

mod common;

use common::Dir;
use proptest::prelude::*;

/// Loads `yaml` (with `csv` as `t.csv` beside it) and, if it loads, reads a bounded
/// number of arrivals from every stream.
fn exercise(yaml: &str, csv: &[u8]) {
    let dir = Dir::new();
    dir.write("t.csv", csv);
    let Ok(scenario) = dir.load(yaml) else { return };
    for variant in scenario.variants(None) {
        for mut traffic in variant.traffic().unwrap() {
            for _ in 0..1000 {
                match traffic.source.next_arrival() {
                    Ok(Some(_)) => {}
                    Ok(None) | Err(_) => break,
                }
            }
        }
    }
}

/// Fragments of valid scenarios, so random combinations reach past the YAML parser.
fn yaml_fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("name: s\n".to_string()),
        Just("duration: 1h\n".to_string()),
        Just("functions:\n".to_string()),
        Just("  - name: f\n".to_string()),
        Just("    traffic:\n".to_string()),
        Just("      - trace: { file: t.csv }\n".to_string()),
        Just("      - trace: { file: t.csv, counts: 1s }\n".to_string()),
        Just("      - poisson: { rate: 3 }\n".to_string()),
        Just("      - ramp: { from: 0, to: 5, end: 1m }\n".to_string()),
        Just("      - profile: { points: [[0s, 1], [1m, 9]], interpolate: step }\n".to_string()),
        Just("      - diurnal: { mean: 5, amplitude: 4, period: 10m }\n".to_string()),
        Just("      - spike: { at: 1m, rate: 50, hold: 10s }\n".to_string()),
        Just("        arrivals: even\n".to_string()),
        Just("        offset: 30s\n".to_string()),
        Just("      - trace: { file: t.csv, format: azure2019, function: f }\n".to_string()),
        Just(
            "      - trace: { file: t.csv, counts: 1m, time_column: period, spread: even }\n"
                .to_string()
        ),
        Just("        start: 1m\n".to_string()),
        Just("        scale: 0.5\n".to_string()),
        Just("variants:\n  - name: v\n    set:\n".to_string()),
        Just("      functions.f.memory_mb: 256\n".to_string()),
        Just("    reserved_concurrency: 5\n".to_string()),
        Just("account: { concurrency_limit: 100 }\n".to_string()),
        Just("    provisioned_concurrency: 3\n".to_string()),
        Just("    provisioned_concurrency:\n      initial: 2\n".to_string()),
        Just("      schedule: [{ at: 10m, value: 5 }, { at: 1m, value: 0 }]\n".to_string()),
        Just(
            "      autoscaling: { min: 1, max: 8, target_utilization: 0.7, scale_in_cooldown: 1m }\n"
                .to_string()
        ),
        Just("      allocation_delay: { uniform: { min: 1s, max: 2s } }\n".to_string()),
        Just("      allocation_per_minute: 60\n".to_string()),
        Just("    invocation: async\n".to_string()),
        Just("    error_rate: 0.2\n".to_string()),
        Just("    client_retries: { attempts: 3, base: 100ms }\n".to_string()),
        Just("    retry_attempts: 1\n".to_string()),
        Just("    max_event_age: 60s\n".to_string()),
        Just("    ephemeral_storage_mb: 1024\n".to_string()),
        Just("    memory_scaling: { reference_mb: 1769, cpu_share: 0.8, threads: 2 }\n".to_string()),
        Just("    snapstart: { runtime: python, restore_duration: 11s }\n".to_string()),
        Just("    snapstart: true\n".to_string()),
        Just("    front_door: { rate: 5, burst: 2 }\n".to_string()),
        Just("  front_door: { rate: 0 }\n".to_string()),
        Just("billing: { init: false, free_tier: true }\n".to_string()),
        Just("      functions.f.invocation: async\n".to_string()),
        Just(
            "      functions.f.provisioned_concurrency: { initial: 1, autoscaling: { min: 1, max: 4, target_utilization: 0.5 } }\n"
                .to_string()
        ),
        Just("      billing.free_tier: true\n".to_string()),
        "[ -~]{0,12}\n",
    ]
}

fn csv_text() -> impl Strategy<Value = Vec<u8>> {
    let cell = prop_oneof![
        Just("offset_s".to_string()),
        Just("timestamp".to_string()),
        Just("count".to_string()),
        Just("duration_ms".to_string()),
        Just("period".to_string()),
        Just("function".to_string()),
        Just("f".to_string()),
        Just("HashFunction".to_string()),
        Just("1998-04-30 21:30:00".to_string()),
        Just("2024-11-29T09:00:00Z".to_string()),
        "-?[0-9]{0,3}(\\.[0-9]{0,3})?",
        "[ -~]{0,6}",
    ];
    let row = prop::collection::vec(cell, 0..4).prop_map(|cells| cells.join(","));
    prop::collection::vec(row, 0..8).prop_map(|rows| rows.join("\n").into_bytes())
}

const TRACE_SCENARIO: &str = "name: s\nduration: 1h\nfunctions:\n  - name: f\n    traffic:\n      - trace: { file: t.csv }\n      - trace: { file: t.csv, counts: 1s }\n        scale: 3\n      - trace: { file: t.csv, format: azure2019, function: f }\n";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics_the_loader(text in any::<String>()) {
        exercise(&text, b"");
    }

    #[test]
    fn scenario_like_text_never_panics_the_loader(
        parts in prop::collection::vec(yaml_fragment(), 0..16),
        csv in csv_text(),
    ) {
        exercise(&parts.concat(), &csv);
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_trace_reader(bytes in any::<Vec<u8>>()) {
        exercise(TRACE_SCENARIO, &bytes);
    }

    #[test]
    fn csv_like_text_never_panics_the_trace_reader(csv in csv_text()) {
        exercise(TRACE_SCENARIO, &csv);
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("name: {}\n", "[".repeat(100_000));
    assert!(Dir::new().load(&deep).is_err());
    let deep_maps = format!("name: s\nx: {}\n", "{a: ".repeat(100_000));
    assert!(Dir::new().load(&deep_maps).is_err());
}
