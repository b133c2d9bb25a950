//! The duration parser (crate-private), through the YAML fields that use it. The
//! first byte picks the field and whether the rest is written as a double-quoted
//! YAML string (read back exactly, so the parser sees the fuzzed text) or as a plain
//! scalar (which YAML may read as a number: the integer and float paths).

#![no_main]

use libfuzzer_sys::fuzz_target;

/// Scenarios with `{}` where the duration goes.
const PLACES: [&str; 8] = [
    // The span: parsed, then checked against the resolution.
    "name: d\nduration: {}\nfunctions:\n  - name: f\n",
    "name: d\nduration: 1d\nresolution: {}\nfunctions:\n  - name: f\n",
    // `none` or a duration.
    "name: d\nduration: 1h\nfunctions:\n  - name: f\n    max_lifetime: {}\n",
    // A distribution written as a plain duration.
    "name: d\nduration: 1h\nfunctions:\n  - name: f\n    duration: {}\n",
    "name: d\nduration: 1h\nfunctions:\n  - name: f\n    traffic:\n      - burst: { at: {}, requests: 3 }\n",
    "name: d\nduration: 1h\nfunctions:\n  - name: f\n    traffic:\n      - profile: { points: [[0s, 1], [{}, 5]] }\n",
    "name: d\nduration: 1h\nfunctions:\n  - name: f\n    traffic:\n      - trace: { file: t.csv, counts: {} }\n",
    "name: d\nduration: 1h\nfunctions:\n  - name: f\n    traffic:\n      - poisson: { rate: 2 }\n        start: {}\n",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let value = if selector & 1 == 0 {
        lambdasim_fuzz::yaml_quoted(text)
    } else if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || ".+-_ ".contains(c))
    {
        text.to_string()
    } else {
        return;
    };
    let place = PLACES[usize::from(selector >> 1) % PLACES.len()];
    lambdasim_fuzz::write(
        "t.csv",
        "period,count\n2024-01-01 00:00:00,3\n2024-01-01 00:01:00,2\n",
    );
    lambdasim_fuzz::load_and_read(place.replace("{}", &value));
});
