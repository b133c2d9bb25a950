//! Variants: overrides applied to the base scenario, and errors at the `set:` line.

mod common;

use common::{arrivals, load, load_err};
use lambdasim_engine::NANOS_PER_SEC;
use lambdasim_model::DurationDist;

const BASE: &str = "name: s
seed: 7
duration: 1h
functions:
  - name: checkout
    reserved_concurrency: 300
    traffic:
      - poisson: { rate: 5 }
  - name: search
";

fn with_variants(variants: &str) -> String {
    format!("{BASE}variants:\n{variants}")
}

#[test]
fn overrides_are_applied_per_variant() {
    let scenario = load(&with_variants(
        "  - name: on-demand
  - name: provisioned
    set:
      functions.checkout.provisioned_concurrency: 200
      account.concurrency_limit: 3000
      account.scaling.burst: 10
      functions.search.duration: { constant: 2s }
      functions.checkout.reserved_concurrency: null
      seed: 9
      duration: 30m
",
    ));
    let variants = scenario.variants(None);
    assert_eq!(variants.len(), 2);
    let (plain, provisioned) = (&variants[0].config, &variants[1].config);
    assert_eq!(variants[0].name, "on-demand");
    assert_eq!(plain.functions[0].provisioned_concurrency, 0);
    assert_eq!(plain.functions[0].reserved_concurrency, Some(300));
    assert_eq!(plain.account.concurrency_limit, 1000);
    assert_eq!(variants[1].name, "provisioned");
    assert_eq!(provisioned.functions[0].provisioned_concurrency, 200);
    assert_eq!(provisioned.functions[0].reserved_concurrency, None);
    assert_eq!(provisioned.account.concurrency_limit, 3000);
    assert_eq!(provisioned.account.scaling.burst, 10);
    assert_eq!(
        provisioned.functions[1].duration,
        DurationDist::Constant(2 * NANOS_PER_SEC)
    );
    assert_eq!((provisioned.seed, plain.seed), (9, 7));
    assert_eq!(provisioned.duration, 1800 * NANOS_PER_SEC);
}

#[test]
fn seed_override_replaces_every_seed() {
    let scenario = load(&with_variants(
        "  - name: a\n    set:\n  - name: b\n    set:\n      seed: 3\n",
    ));
    let seeds: Vec<u64> = scenario
        .variants(Some(11))
        .iter()
        .map(|v| v.config.seed)
        .collect();
    assert_eq!(seeds, [11, 11]);
}

#[test]
fn traffic_can_be_replaced() {
    let scenario = load(&with_variants(
        "  - name: quiet
    set:
      functions.checkout.traffic:
        - burst: { at: 10s, requests: 3 }
",
    ));
    let variant = &scenario.variants(None)[0];
    let streams = arrivals(variant);
    assert_eq!(streams.len(), 1);
    assert_eq!(streams[0].len(), 3);
    assert!(streams[0].iter().all(|a| a.time == 10 * NANOS_PER_SEC));
}

#[test]
fn bad_paths_and_values_point_at_the_set_entry() {
    let cases = [
        (
            "      functions.checkout.memroy_mb: 512\n",
            "unknown setting",
        ),
        (
            "      functions.nope.memory_mb: 512\n",
            "`checkout`, `search`",
        ),
        ("      accounts.concurrency_limit: 5\n", "unknown setting"),
        ("      account.scaling.speed: 5\n", "unknown setting"),
        ("      name: other\n", "unknown setting"),
        ("      functions.checkout.memory_mb: lots\n", "bad value"),
        ("      functions.checkout.memory_mb: 64\n", "128 to 10240"),
        (
            "      functions.checkout.duration: { uniform: { min: 2s, max: 1s } }\n",
            "uniform",
        ),
        (
            "      functions.checkout.traffic: [{ poisson: { rate: -1 } }]\n",
            "0 or more",
        ),
        (
            "      functions.checkout.traffic: [{ poisson: { rate: 1 }, when: 2 }]\n",
            "unknown field",
        ),
        ("      duration: soon\n", "expected a duration"),
        ("      account.concurrency_limit: 100\n", "unreserved pool"),
        (
            "      functions.checkout.provisioned_concurrency: 500\n",
            "above its reserved",
        ),
    ];
    for (entry, needle) in cases {
        let yaml = with_variants(&format!("  - name: v\n    set:\n{entry}"));
        let err = load_err(&yaml);
        assert_eq!(err.line(), Some(13), "{entry}: {err}");
        assert!(err.message().contains(needle), "{entry}: {err}");
    }
}

#[test]
fn variant_names_must_be_unique() {
    let err = load_err(&with_variants("  - name: a\n  - name: a\n"));
    assert_eq!(err.line(), Some(12), "{err}");
}

#[test]
fn a_configuration_error_points_at_the_entry_that_set_one_of_its_settings() {
    // Of the two entries on `checkout`, only the first sets what the error is about;
    // the error points there, not at the later, unrelated one.
    let yaml = with_variants(
        "  - name: v
    set:
      functions.checkout.provisioned_concurrency: 500
      functions.checkout.memory_mb: 512
      account.region: us-east-1
",
    );
    let err = load_err(&yaml);
    assert!(err.message().contains("above its reserved"), "{err}");
    assert_eq!(err.line(), Some(13), "{err}");
    // The pool's settings are any function's.
    let yaml = with_variants(
        "  - name: v
    set:
      functions.search.provisioned_concurrency: 800
      functions.checkout.memory_mb: 512
",
    );
    let err = load_err(&yaml);
    assert!(err.message().contains("unreserved pool"), "{err}");
    assert_eq!(err.line(), Some(13), "{err}");
    let yaml = with_variants(
        "  - name: v
    set:
      functions.checkout.memory_mb: 512
",
    )
    .replace("reserved_concurrency: 300", "reserved_concurrency: 950");
    // With no entry about it, the error is where the base file lists the functions.
    let err = load_err(&yaml);
    assert!(err.message().contains("unreserved pool"), "{err}");
    assert_eq!(err.line(), Some(5), "{err}");
}
