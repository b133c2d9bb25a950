//! Sweeps: the grid `sweep:` and `--set` make, its order and names, zipped keys, the
//! same arrivals at every point, and errors at the line that wrote them.

mod common;

use common::{Dir, arrivals, load, load_err};
use lambdasim_engine::NANOS_PER_SEC;
use lambdasim_scenario::{Scenario, ScenarioError, SetArg, Variant};

/// Lines 1 to 12; `sweep:` or `variants:` start on line 13.
const BASE: &str = "name: s
seed: 7
duration: 10m
functions:
  - name: checkout
    reserved_concurrency: 300
    traffic:
      - poisson: { rate: 5 }
  - name: search
    duration: 50ms
    traffic:
      - poisson: { rate: 2 }
";

fn with(rest: &str) -> String {
    format!("{BASE}{rest}")
}

fn names(variants: &[Variant]) -> Vec<&str> {
    variants.iter().map(|v| v.name.as_str()).collect()
}

/// Loads `yaml` with `--set` arguments.
fn load_set(yaml: &str, sets: &[&str]) -> Result<Scenario, ScenarioError> {
    let sets: Vec<SetArg> = sets.iter().map(|s| s.parse().unwrap()).collect();
    let dir = Dir::new();
    Scenario::load_with(&dir.write("scenario.yaml", yaml), &sets)
}

#[test]
fn a_grid_is_the_product_of_its_keys_the_last_varying_fastest() {
    let scenario = load(&with(
        "sweep:
  functions.checkout.provisioned_concurrency: [0, 10, 20, 40]
  functions.checkout.memory_mb: { from: 512, to: 2048, step: 512 }
",
    ));
    let variants = scenario.variants(None);
    assert_eq!(variants.len(), 16);
    assert_eq!(scenario.points(), 16);
    assert_eq!(
        scenario.swept_keys(),
        [
            "functions.checkout.provisioned_concurrency",
            "functions.checkout.memory_mb"
        ]
    );
    assert_eq!(
        names(&variants)[..5],
        [
            "pc=0,mem=512",
            "pc=0,mem=1024",
            "pc=0,mem=1536",
            "pc=0,mem=2048",
            "pc=10,mem=512"
        ]
    );
    let last = &variants[15];
    assert_eq!(last.name, "pc=40,mem=2048");
    assert_eq!(last.variant, "base");
    assert_eq!(last.point.name, "pc=40,mem=2048");
    assert_eq!(last.point.values, ["40", "2048"]);
    let checkout = &last.config.functions[0];
    assert_eq!(checkout.provisioned_concurrency, 40);
    assert_eq!(checkout.memory_mb, 2048);
    // The other function keeps its settings.
    assert_eq!(last.config.functions[1].memory_mb, 128);
}

#[test]
fn variants_times_points_in_variant_order() {
    let scenario = load(&with(
        "variants:
  - name: on-demand
  - name: reserved
    set:
      functions.checkout.reserved_concurrency: 50
sweep:
  functions.checkout.memory_mb: [512, 1024]
",
    ));
    let variants = scenario.variants(None);
    assert_eq!(
        names(&variants),
        [
            "on-demand@mem=512",
            "on-demand@mem=1024",
            "reserved@mem=512",
            "reserved@mem=1024"
        ]
    );
    assert_eq!(variants[3].variant, "reserved");
    assert_eq!(variants[3].point.name, "mem=1024");
    assert_eq!(
        variants[3].config.functions[0].reserved_concurrency,
        Some(50)
    );
    assert_eq!(variants[3].config.functions[0].memory_mb, 1024);
    assert_eq!(
        variants[0].config.functions[0].reserved_concurrency,
        Some(300)
    );
}

#[test]
fn a_swept_key_overrides_a_variant_setting_it() {
    let scenario = load(&with(
        "variants:
  - name: big
    set:
      functions.checkout.memory_mb: 4096
sweep:
  functions.checkout.memory_mb: [512]
",
    ));
    let variants = scenario.variants(None);
    // One value: the key is set, but not named.
    assert_eq!(names(&variants), ["big"]);
    assert_eq!(variants[0].config.functions[0].memory_mb, 512);
    assert_eq!(variants[0].point.values, ["512"]);
}

#[test]
fn zipped_keys_move_together() {
    let scenario = load(&with(
        "sweep:
  zip:
    functions.checkout.memory_mb: [512, 1024, 2048]
    functions.checkout.provisioned_concurrency: [40, 20, 10]
  account.concurrency_limit: [500, 1000]
",
    ));
    let variants = scenario.variants(None);
    assert_eq!(
        names(&variants),
        [
            "mem=512,pc=40,limit=500",
            "mem=512,pc=40,limit=1000",
            "mem=1024,pc=20,limit=500",
            "mem=1024,pc=20,limit=1000",
            "mem=2048,pc=10,limit=500",
            "mem=2048,pc=10,limit=1000",
        ]
    );
    let c = &variants[2].config;
    assert_eq!(c.functions[0].memory_mb, 1024);
    assert_eq!(c.functions[0].provisioned_concurrency, 20);
    assert_eq!(c.account.concurrency_limit, 500);
}

#[test]
fn several_zip_groups_are_a_list_of_maps() {
    let scenario = load(&with(
        "sweep:
  zip:
    - functions.checkout.memory_mb: [512, 1024]
      functions.search.memory_mb: [256, 512]
    - functions.checkout.warm_start: [0, 5, 10]
      functions.search.warm_start: [1, 2, 3]
",
    ));
    let variants = scenario.variants(None);
    assert_eq!(variants.len(), 6);
    // Two functions' keys with one short name are told apart by the function.
    assert_eq!(
        variants[5].name,
        "checkout.mem=1024,search.mem=512,checkout.warm=10,search.warm=3"
    );
}

#[test]
fn ranges_of_durations_and_numbers() {
    let scenario = load(&with(
        "sweep:
  functions.search.timeout: { from: 1s, to: 3s, step: 500ms }
  functions.checkout.error_rate: { from: 0, to: 0.3, step: 0.1 }
",
    ));
    let variants = scenario.variants(None);
    assert_eq!(variants.len(), 5 * 4);
    let timeouts: Vec<&str> = variants
        .iter()
        .step_by(4)
        .map(|v| v.point.values[0].as_str())
        .collect();
    assert_eq!(timeouts, ["1s", "1500ms", "2s", "2500ms", "3s"]);
    assert_eq!(
        variants[4].config.functions[1].timeout,
        3 * NANOS_PER_SEC / 2
    );
    let rates: Vec<&str> = variants[..4]
        .iter()
        .map(|v| v.point.values[1].as_str())
        .collect();
    assert_eq!(rates, ["0.0", "0.1", "0.2", "0.3"]);
    assert_eq!(variants[3].config.functions[0].error_rate, 0.3);
    assert_eq!(variants[3].name, "timeout=1s,err=0.3");
}

#[test]
fn every_point_sees_the_same_arrivals() {
    let scenario = load(&with(
        "sweep:
  functions.checkout.memory_mb: [512, 2048]
  functions.checkout.provisioned_concurrency: [0, 30]
  account.concurrency_limit: [1000, 3000]
",
    ));
    let variants = scenario.variants(None);
    let first = arrivals(&variants[0]);
    assert!(first.iter().map(Vec::len).sum::<usize>() > 1000);
    for v in &variants[1..] {
        assert_eq!(arrivals(v), first, "{}", v.name);
        assert_eq!(v.config.seed, 7);
    }
    // --seed moves every point alike.
    let moved = scenario.variants(Some(8));
    assert_ne!(arrivals(&moved[0]), first);
    assert_eq!(arrivals(&moved[0]), arrivals(&moved[7]));
}

#[test]
fn set_arguments_override_a_swept_key_or_add_one() {
    let yaml = with(
        "sweep:
  functions.checkout.memory_mb: [512, 1024]
  functions.checkout.provisioned_concurrency: [0, 10]
",
    );
    let scenario = load_set(&yaml, &["functions.checkout.memory_mb=256,768,1024"]).unwrap();
    let variants = scenario.variants(None);
    assert_eq!(variants.len(), 6);
    assert_eq!(variants[2].name, "mem=768,pc=0");
    // A key the scenario does not sweep is added last; one value only sets it.
    let scenario = load_set(
        &yaml,
        &[
            "account.concurrency_limit=2000",
            "functions.search.timeout=1s,2s",
        ],
    )
    .unwrap();
    let variants = scenario.variants(None);
    assert_eq!(variants.len(), 8);
    assert_eq!(variants[1].name, "mem=512,pc=0,timeout=2s");
    assert_eq!(variants[1].config.account.concurrency_limit, 2000);
    assert_eq!(
        scenario.swept_keys().last().map(String::as_str),
        Some("functions.search.timeout")
    );
    // Without a sweep in the file.
    let scenario = load_set(BASE, &["functions.checkout.memory_mb=1024"]).unwrap();
    assert_eq!(names(&scenario.variants(None)), ["base"]);
    assert_eq!(
        scenario.variants(None)[0].config.functions[0].memory_mb,
        1024
    );
}

#[test]
fn a_set_argument_takes_a_key_out_of_its_zip_group() {
    let yaml = with(
        "sweep:
  zip:
    functions.checkout.memory_mb: [512, 1024]
    functions.checkout.provisioned_concurrency: [0, 10]
",
    );
    let scenario = load_set(&yaml, &["functions.checkout.memory_mb=256"]).unwrap();
    assert_eq!(names(&scenario.variants(None)), ["pc=0", "pc=10"]);
    assert!(
        scenario
            .variants(None)
            .iter()
            .all(|v| v.config.functions[0].memory_mb == 256)
    );
}

/// Asserts `err` is at `line`:`column` and says `says`.
#[track_caller]
fn assert_at(err: &ScenarioError, line: u64, column: u64, says: &str) {
    assert_eq!(
        (err.line(), err.column()),
        (Some(line), Some(column)),
        "{err}"
    );
    assert!(err.message().contains(says), "{err}");
    assert!(err.is_input_error());
}

#[test]
fn bad_sweeps_are_errors_at_their_line() {
    let cases = [
        // (sweep body, line, column, message part)
        (
            "  functions.checkout.nope: [1, 2]\n",
            14,
            3,
            "unknown setting",
        ),
        (
            "  functions.nobody.memory_mb: [1, 2]\n",
            14,
            3,
            "unknown function",
        ),
        (
            "  functions.checkout.memory_mb: [512, big]\n",
            14,
            39,
            "bad value",
        ),
        ("  functions.checkout.memory_mb: []\n", 14, 33, "no values"),
        (
            "  functions.checkout.memory_mb: 512\n",
            14,
            3,
            "a list of values",
        ),
        (
            "  functions.checkout.memory_mb: { from: 512, to: 1024, step: 0 }\n",
            14,
            62,
            "a step above 0",
        ),
        (
            "  functions.checkout.memory_mb: { from: 512, to: 256, step: 1 }\n",
            14,
            50,
            "below `from`",
        ),
        (
            "  functions.checkout.memory_mb: { from: 512, to: 1024 }\n",
            14,
            33,
            "without `step`",
        ),
        (
            "  functions.checkout.memory_mb: { from: 512, to: 1024, by: 2 }\n",
            14,
            56,
            "by",
        ),
        (
            "  functions.checkout.warm_start: { from: 0, to: 1000000, step: 1 }\n",
            14,
            34,
            "at most 10000",
        ),
        (
            "  functions.checkout.timeout: { from: 1s, to: 2s, step: soon }\n",
            14,
            57,
            "expected a duration",
        ),
        (
            "  zip:\n    functions.checkout.memory_mb: [1, 2]\n    account.concurrency_limit: [1, 2, 3]\n",
            16,
            32,
            "expected 2 as for `functions.checkout.memory_mb`",
        ),
        (
            "  functions.checkout.memory_mb: [512]\n  zip:\n    functions.checkout.memory_mb: [1, 2]\n    account.concurrency_limit: [1, 2]\n",
            16,
            5,
            "swept twice",
        ),
        ("  seed: [1, 2]\n", 14, 3, "--seeds"),
        (
            "  functions.checkout.memory_mb: { from: 128, to: 10240, step: 2 }\n  account.concurrency_limit: [1, 2]\n",
            14,
            3,
            "at most 10000",
        ),
        (
            "  functions.checkout.memory_mb: [\"a b\", a_b]\n",
            14,
            41,
            "both would name a point `a_b`",
        ),
    ];
    let mut wrong = Vec::new();
    for (body, line, column, says) in cases {
        let err = load_err(&with(&format!("sweep:\n{body}")));
        let at = (err.line(), err.column());
        if at != (Some(line), Some(column))
            || !err.message().contains(says)
            || !err.is_input_error()
        {
            wrong.push(format!(
                "{body:?} expected {line}:{column} `{says}`, got {err}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_point_the_model_refuses_is_an_error_at_the_swept_key() {
    let err = load_err(&with(
        "sweep:
  functions.checkout.memory_mb: [512, 1024]
  functions.checkout.provisioned_concurrency: [0, 500]
",
    ));
    assert_at(&err, 15, 3, "reserved");
    assert!(err.message().contains("`mem=512,pc=500`"), "{err}");
}

#[test]
fn bad_set_arguments_name_the_argument() {
    let err = load_set(BASE, &["functions.checkout.nope=1,2"]).unwrap_err();
    assert!(
        err.message().contains("--set functions.checkout.nope=1,2"),
        "{err}"
    );
    assert!(err.message().contains("unknown setting"), "{err}");
    assert!(err.is_input_error());
    let err = load_set(BASE, &["functions.checkout.memory_mb=big"]).unwrap_err();
    assert!(err.message().contains("bad value"), "{err}");
    let err = load_set(BASE, &["functions.checkout.provisioned_concurrency=0,400"]).unwrap_err();
    assert!(err.message().contains("pc=400"), "{err}");
}

#[test]
fn the_configuration_count_is_capped() {
    let values: Vec<String> = (0..101).map(|i| i.to_string()).collect();
    let list = values.join(",");
    let err = load_set(
        BASE,
        &[
            &format!("functions.checkout.warm_start={list}"),
            &format!("functions.search.warm_start={list}"),
        ],
    )
    .unwrap_err();
    assert!(err.message().contains("found 10201 sweep points"), "{err}");
    assert!(err.message().contains("at most 10000"), "{err}");
}

#[test]
fn bad_ranges_and_too_many_points_name_their_key() {
    let key = "functions.checkout.memory_mb";
    for (range, says) in [
        ("{ from: 2048, to: 512, step: 512 }", "an empty range"),
        ("{ from: 512, to: 2048, step: 0 }", "a step above 0"),
        ("{ from: 512, to: 2048, step: -1 }", "a step above 0"),
        ("{ from: 0, to: 1000000, step: 1 }", "1000001 values"),
        ("{ from: 512, step: 1 }", "without `to`"),
        ("{ from: 512, to: [1], step: 1 }", "a number or a duration"),
    ] {
        let err = load_err(&with(&format!("sweep:\n  {key}: {range}\n")));
        assert_eq!(err.line(), Some(14), "{err}");
        assert!(err.message().contains(says), "{range}: {err}");
        assert!(
            err.message().contains(&format!("`{key}`")),
            "{range}: {err}"
        );
    }
    // A million points from keys that are each short enough: every key is named.
    let err = load_err(&with(
        "sweep:
  functions.checkout.warm_start: { from: 1, to: 1000, step: 1 }
  zip:
    functions.search.warm_start: { from: 1, to: 1000, step: 1 }
    functions.search.memory_mb: { from: 128, to: 1127, step: 1 }
",
    ));
    assert_at(&err, 14, 3, "found 1000000 sweep points");
    assert!(
        err.message().contains(
            "`functions.checkout.warm_start`: 1000 values × `functions.search.warm_start` \
             with `functions.search.memory_mb`: 1000 values"
        ),
        "{err}"
    );
    // As many values in `--set` as a range may have.
    let many: Vec<String> = (0..10_001).map(|i| i.to_string()).collect();
    let err = load_set(
        BASE,
        &[&format!("functions.checkout.warm_start={}", many.join(","))],
    )
    .unwrap_err();
    assert!(
        err.message()
            .contains("found 10001 values for `functions.checkout.warm_start`"),
        "{err}"
    );
}

#[test]
fn ranges_at_the_ends_of_the_integers_do_not_overflow() {
    // Steps that would overflow 64 bits: an error about the value, not a crash.
    let err = load_err(&with(
        "sweep:
  functions.checkout.memory_mb: { from: -9223372036854775808, to: 9223372036854775807, step: 4611686018427387904 }
",
    ));
    assert!(err.message().contains("bad value"), "{err}");
    let err = load_err(&with(
        "sweep:
  functions.checkout.timeout: { from: 0s, to: 18446744073s, step: 4611686018s }
",
    ));
    assert!(err.is_input_error(), "{err}");
}

#[test]
fn a_duration_range_asks_for_a_unit_on_a_plain_number() {
    let err = load_err(&with(
        "sweep:\n  functions.checkout.timeout: { from: 1, to: 3s, step: 500ms }\n",
    ));
    assert!(err.message().contains("a number without a unit"), "{err}");
    assert_eq!(err.line(), Some(14), "{err}");
}
