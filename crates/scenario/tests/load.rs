//! Loading scenario files: defaults, every field form, and errors placed at the right
//! line and column.

mod common;

use common::{Dir, base, load, load_err};
use lambdasim_engine::{NANOS_PER_MS, NANOS_PER_SEC};
use lambdasim_model::{
    AccountConfig, Architecture, DurationDist, FunctionConfig, ReusePolicy, ScalingConfig,
    ScalingMode,
};
use lambdasim_scenario::Scenario;

const MINIMAL: &str = "name: shop\nduration: 2h\nfunctions:\n  - name: checkout\n";

#[test]
fn minimal_scenario_takes_every_default() {
    let scenario = load(MINIMAL);
    assert_eq!(scenario.name, "shop");
    assert_eq!(scenario.source_text, MINIMAL);
    let variant = base(&scenario);
    assert_eq!(variant.name, "base");
    let config = &variant.config;
    assert_eq!(config.seed, 0);
    assert_eq!(config.duration, 7200 * NANOS_PER_SEC);
    assert_eq!(config.resolution, NANOS_PER_SEC);
    assert_eq!(config.account, AccountConfig::default());
    assert_eq!(config.functions, vec![FunctionConfig::new("checkout")]);
    assert!(variant.traffic().unwrap().is_empty());
}

#[test]
fn every_field_is_read() {
    let scenario = load(
        "name: full
seed: 42
duration: 90m
resolution: 500ms
account:
  region: eu-central-1
  concurrency_limit: 3000
  unreserved_minimum: 50
  scaling:
    mode: legacy
  rps_per_environment: 0
functions:
  - name: checkout
    memory_mb: 1024
    architecture: arm64
    init_duration: 300ms
    duration: { exponential: { mean: 2s } }
    timeout: 30s
    idle_timeout: 5m
    function_idle_timeout: none
    max_lifetime: none
    warm_start: 3
    reuse: random
    reserved_concurrency: 400
    provisioned_concurrency: 200
    invocation: sync
    traffic: []
",
    );
    let config = base(&scenario).config;
    assert_eq!(config.seed, 42);
    assert_eq!(config.duration, 5400 * NANOS_PER_SEC);
    assert_eq!(config.resolution, 500 * NANOS_PER_MS);
    assert_eq!(config.account.region, "eu-central-1");
    assert_eq!(config.account.concurrency_limit, 3000);
    assert_eq!(config.account.unreserved_minimum, 50);
    assert_eq!(
        config.account.scaling,
        ScalingConfig::legacy("eu-central-1")
    );
    assert_eq!(config.account.scaling.burst, 1000);
    assert_eq!(config.account.rps_per_environment, 0.0);
    let f = &config.functions[0];
    assert_eq!(f.memory_mb, 1024);
    assert_eq!(f.architecture, Architecture::Arm64);
    assert_eq!(f.init_duration, DurationDist::Constant(300 * NANOS_PER_MS));
    assert_eq!(
        f.duration,
        DurationDist::Exponential {
            mean: 2 * NANOS_PER_SEC
        }
    );
    assert_eq!(f.timeout, 30 * NANOS_PER_SEC);
    assert_eq!(f.idle_timeout, 300 * NANOS_PER_SEC);
    assert_eq!(f.function_idle_timeout, None);
    assert_eq!(f.max_lifetime, None);
    assert_eq!(f.warm_start, 3);
    assert_eq!(f.reuse, ReusePolicy::Random);
    assert_eq!(f.reserved_concurrency, Some(400));
    assert_eq!(f.provisioned_concurrency, 200);
}

#[test]
fn scaling_rates_convert_to_tokens_per_minute() {
    let with = |scaling: &str| {
        let yaml = format!(
            "name: s\nduration: 1h\naccount:\n  scaling: {scaling}\nfunctions:\n  - name: f\n"
        );
        base(&load(&yaml)).config.account.scaling
    };
    assert_eq!(with("{}"), ScalingConfig::PER_FUNCTION);
    let custom = with("{ burst: 500, refill_per_second: 2.5 }");
    assert_eq!((custom.burst, custom.refill_per_minute), (500, 150));
    assert_eq!(with("{ refill_per_minute: 42 }").refill_per_minute, 42);
    let legacy = with("{ mode: legacy }");
    assert_eq!(legacy.mode, ScalingMode::Legacy);
    assert_eq!((legacy.burst, legacy.refill_per_minute), (3000, 500));
    let both = "name: s\nduration: 1h\naccount:\n  scaling:\n    refill_per_second: 1\n    refill_per_minute: 60\nfunctions:\n  - name: f\n";
    let err = load_err(both);
    assert_eq!(err.line(), Some(6));
    assert!(err.message().contains("both"), "{err}");
    for fraction in ["refill_per_minute: 0.4", "refill_per_second: 0.005"] {
        let yaml = format!(
            "name: s\nduration: 1h\naccount:\n  scaling:\n    {fraction}\nfunctions:\n  - name: f\n"
        );
        let err = load_err(&yaml);
        assert_eq!(err.line(), Some(5), "{fraction}");
        assert!(err.message().contains("whole number"), "{err}");
    }
}

#[test]
fn every_distribution_form_is_read() {
    let dist = |text: &str| {
        let yaml =
            format!("name: s\nduration: 1h\nfunctions:\n  - name: f\n    duration: {text}\n");
        base(&load(&yaml)).config.functions[0].duration.clone()
    };
    let ms = NANOS_PER_MS;
    assert_eq!(dist("120ms"), DurationDist::Constant(120 * ms));
    assert_eq!(dist("2s"), DurationDist::Constant(2000 * ms));
    assert_eq!(dist("0.5s"), DurationDist::Constant(500 * ms));
    assert_eq!(
        dist("{ constant: 300ms }"),
        DurationDist::Constant(300 * ms)
    );
    assert_eq!(
        dist("{ exponential: { mean: 2s } }"),
        DurationDist::Exponential { mean: 2000 * ms }
    );
    assert_eq!(
        dist("{ normal: { mean: 2s, stddev: 100ms } }"),
        DurationDist::Normal {
            mean: 2000 * ms,
            stddev: 100 * ms
        }
    );
    assert_eq!(
        dist("{ uniform: { min: 1s, max: 2s } }"),
        DurationDist::Uniform {
            min: 1000 * ms,
            max: 2000 * ms
        }
    );
    assert_eq!(
        dist("{ lognormal: { median: 120ms, p99: 900ms } }"),
        DurationDist::Lognormal {
            median: 120 * ms,
            p99: 900 * ms
        }
    );
}

#[test]
fn a_duration_without_a_unit_is_an_input_error_asking_for_one() {
    // `duration: 100` ran as 100 s calls when 100 ms was meant.
    for (text, line, column) in [
        (
            "name: s\nduration: 1h\nfunctions:\n  - name: f\n    duration: 100\n",
            5,
            15,
        ),
        ("name: s\nduration: 3600\nfunctions:\n  - name: f\n", 2, 11),
        (
            "name: s\nduration: 1h\nfunctions:\n  - name: f\n    timeout: 2.5\n",
            5,
            14,
        ),
    ] {
        let err = load_err(text);
        assert!(err.is_input_error(), "{err}");
        assert_eq!(
            (err.line(), err.column()),
            (Some(line), Some(column)),
            "{err}"
        );
        assert!(err.message().contains("a number without a unit"), "{err}");
        assert!(err.message().contains("ms` or `"), "{err}");
    }
    // Zero is the same in every unit.
    let zero = "name: s\nduration: 1h\nfunctions:\n  - name: f\n    duration: 0\n";
    assert_eq!(
        base(&load(zero)).config.functions[0].duration,
        DurationDist::Constant(0)
    );
}

#[test]
fn invalid_distribution_is_reported_at_its_value() {
    let err = load_err(
        "name: s\nduration: 1h\nfunctions:\n  - name: f\n    duration: { uniform: { min: 2s, max: 1s } }\n",
    );
    assert_eq!((err.line(), err.column()), (Some(5), Some(15)));
    assert!(err.message().contains("uniform max"), "{err}");
}

#[test]
fn unknown_key_is_reported_with_line_and_column() {
    let dir = Dir::new();
    let err = dir
        .load("name: s\nduration: 1h\nfunctions:\n  - name: f\n    memroy_mb: 512\n")
        .unwrap_err();
    assert_eq!((err.line(), err.column()), (Some(5), Some(5)));
    assert!(err.is_input_error());
    assert!(err.message().contains("unknown field `memroy_mb`"), "{err}");
    assert!(err.message().contains("memory_mb"), "{err}");
    let path = dir.0.path().join("scenario.yaml");
    assert_eq!(err.file(), path);
    assert_eq!(
        err.to_string(),
        format!("{}:5:5: {}", path.display(), err.message())
    );
}

#[test]
fn warm_start_auto_takes_the_first_minutes_generated_load() {
    // 100 requests/s x 100 ms = 10 mean concurrency: 10 + 3 x sqrt(10) = 19.5, so 20.
    // A burst in the first minute and traffic after it do not count.
    let scenario = load(
        "name: s
duration: 1h
functions:
  - name: api
    duration: 100ms
    warm_start: auto
    traffic:
      - poisson: { rate: 100 }
      - burst: { at: 10s, requests: 5000 }
      - poisson: { rate: 1000 }
        start: 1m
  - name: late
    warm_start: auto
    traffic:
      - constant: { rate: 50 }
        start: 2m
variants:
  - name: auto
  - name: cold
    set:
      functions.api.warm_start: 0
  - name: quicker
    set:
      functions.api.duration: 10ms
",
    );
    let warm: Vec<Vec<u32>> = scenario
        .variants(None)
        .iter()
        .map(|v| v.config.functions.iter().map(|f| f.warm_start).collect())
        .collect();
    // 10 ms: 1 mean concurrency, 1 + 3 = 4.
    assert_eq!(warm, [[20, 0], [0, 0], [4, 0]]);
    for bad in ["warm_start: soon", "warm_start: -1"] {
        let err = load_err(&format!("{MINIMAL}    {bad}\n"));
        assert_eq!(err.line(), Some(5), "{bad}: {err}");
        assert!(err.message().contains("`auto`"), "{bad}: {err}");
    }
}

#[test]
fn a_report_focus_is_read_and_must_lie_inside_the_run() {
    let focus = |window: &str| format!("{MINIMAL}report:\n  focus: {window}\n");
    let scenario = load(&focus("{ start: 1h, end: 1h30m }"));
    assert_eq!(
        scenario.focus,
        Some((3600 * NANOS_PER_SEC, 5400 * NANOS_PER_SEC))
    );
    assert_eq!(load(MINIMAL).focus, None);
    for (window, message) in [
        ("{ start: 1h, end: 30m }", "after its start"),
        ("{ start: 1h, end: 3h }", "after the run's end"),
        ("{ start: 1h }", "end"),
    ] {
        let err = load_err(&focus(window));
        assert_eq!(err.line(), Some(6), "{window}: {err}");
        assert!(err.message().contains(message), "{window}: {err}");
    }
}

#[test]
fn bad_values_are_reported_where_they_are() {
    let cases = [
        ("duration: 2 hours", 2, "expected a duration"),
        ("duration: -5s", 2, "negative"),
        ("duration: 0", 2, "above 0"),
        ("resolution: 0s", 3, "above 0"),
    ];
    for (line, expected_line, needle) in cases {
        let yaml = if line.starts_with("duration") {
            format!("name: s\n{line}\nfunctions:\n  - name: f\n")
        } else {
            format!("name: s\nduration: 1h\n{line}\nfunctions:\n  - name: f\n")
        };
        let err = load_err(&yaml);
        assert_eq!(err.line(), Some(expected_line), "{err}");
        assert!(err.message().contains(needle), "{err}");
    }
    let function_field = |field: &str| {
        load_err(&format!(
            "name: s\nduration: 1h\nfunctions:\n  - name: f\n    {field}\n"
        ))
    };
    for field in [
        "memory_mb: 64",
        "memory_mb: 20000",
        "architecture: sparc",
        "reuse: fifo",
        "invocation: queued",
        "max_lifetime: forever",
        "idle_timeout: 3 weeks",
        "reserved_concurrency: -1",
        "timeout: 0s",
        "timeout: 901s",
        "warm_start: 1000001",
        "function_idle_timeout: sometimes",
    ] {
        let err = function_field(field);
        assert_eq!(err.line(), Some(5), "{field}: {err}");
        assert!(err.column().is_some(), "{field}: {err}");
    }
}

#[test]
fn structural_problems_are_input_errors() {
    for yaml in [
        "",
        "# only a comment\n",
        "[1, 2]",
        "name: s\n",
        "name: s\nduration: 1h\nfunctions: []\n",
        "name: s\nduration: 1h\nfunctions:\n  - memory_mb: 256\n",
        "name: s\nduration: 1h\nfunctions:\n  - name: f\n  - name: f\n",
        "name: ''\nduration: 1h\nfunctions:\n  - name: f\n",
        "name: ../escape\nduration: 1h\nfunctions:\n  - name: f\n",
        "name: s\nname: t\nduration: 1h\nfunctions:\n  - name: f\n",
        "name: s\nduration: 1h\nfunctions:\n  - name: f\n    traffic: [{}]\n",
    ] {
        let err = load_err(yaml);
        assert!(err.is_input_error(), "{err}");
        assert!(err.line().is_some(), "{err}");
    }
    let dup = load_err("name: s\nduration: 1h\nfunctions:\n  - name: f\n  - name: f\n");
    assert_eq!(dup.line(), Some(5));
    assert!(dup.message().contains("used twice"), "{dup}");
}

#[test]
fn invalid_utf8_and_missing_files_are_input_errors() {
    let dir = Dir::new();
    let path = dir.write("bad.yaml", b"name: s\nduration: \xff\n");
    let err = lambdasim_scenario::Scenario::load(&path).unwrap_err();
    assert_eq!((err.line(), err.column()), (Some(2), Some(11)));
    assert!(err.is_input_error());
    let missing = lambdasim_scenario::Scenario::load(&dir.0.path().join("nope.yaml")).unwrap_err();
    assert!(missing.is_input_error());
    assert_eq!(missing.line(), None);
    let directory = lambdasim_scenario::Scenario::load(dir.0.path()).unwrap_err();
    assert!(directory.is_input_error(), "{directory}");
}

#[test]
fn provisioned_above_reserved_points_at_the_function() {
    let err = load_err(
        "name: s\nduration: 1h\nfunctions:\n  - name: a\n  - name: checkout\n    reserved_concurrency: 10\n    provisioned_concurrency: 20\n",
    );
    assert_eq!(err.line(), Some(5), "{err}");
    assert!(
        err.message().contains("provisioned concurrency 20"),
        "{err}"
    );
}

#[test]
fn pool_under_minimum_points_at_the_account() {
    let err = load_err(
        "name: s\nduration: 1h\naccount:\n  concurrency_limit: 150\nfunctions:\n  - name: f\n    reserved_concurrency: 100\n",
    );
    assert_eq!(err.line(), Some(4), "{err}");
    assert!(err.message().contains("unreserved pool"), "{err}");
}

#[test]
fn a_time_series_of_more_than_ten_million_buckets_is_refused() {
    let err = load_err("name: s\nduration: 1d\nresolution: 1ns\nfunctions:\n  - name: f\n");
    assert_eq!(err.line(), Some(3), "{err}");
    assert!(err.message().contains("at most 10000000"), "{err}");
    let err = load_err("name: s\nduration: 36500d\nfunctions:\n  - name: f\n");
    assert_eq!(err.line(), Some(2), "{err}");
    // Ten million exactly is allowed.
    load("name: s\nduration: 1d\nresolution: 8640us\nfunctions:\n  - name: f\n");
    let in_variant = "name: s\nduration: 1d\nfunctions:\n  - name: f\nvariants:\n  - name: fine\n    set:\n      resolution: 1ms\n";
    assert_eq!(load_err(in_variant).line(), Some(8));
}

#[test]
fn yaml_library_messages_are_said_in_the_formats_terms() {
    let cases = [
        (
            "name: s\nname: t\nduration: 1h\nfunctions:\n  - name: f\n",
            2,
            "`name` twice",
        ),
        (
            "name: s\nseed: -1\nduration: 1h\nfunctions:\n  - name: f\n",
            2,
            "whole number",
        ),
        (
            "name: s\nduration: 1h\nfunctions:\n  - name: f\n---\nname: t\n",
            6,
            "one scenario per file",
        ),
        ("- a\n- b\n", 1, "map of `key: value`"),
        (
            "name: s\nduration: 1h\nfunctions:\n  - name: f\n    traffic:\n      - poisson: { rate: 100rps }\n",
            6,
            "a plain number (such as 100",
        ),
    ];
    for (yaml, line, needle) in cases {
        let err = load_err(yaml);
        assert_eq!(err.line(), Some(line), "{yaml:?}: {err}");
        assert!(err.message().contains(needle), "{yaml:?}: {err}");
    }
}

#[test]
fn a_profile_of_a_point_per_second_for_a_day_loads() {
    let points: Vec<String> = (0..86_400).map(|t| format!("[{t}s, {}]", t % 50)).collect();
    let yaml = format!(
        "name: s\nduration: 1d\nfunctions:\n  - name: f\n    traffic:\n      - profile: {{ points: [{}] }}\n",
        points.join(", ")
    );
    load(&yaml);
}

#[test]
fn a_file_past_64_mib_is_refused_before_parsing() {
    let dir = Dir::new();
    let path = dir.write("huge.yaml", "");
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len((64 << 20) + 1)
        .unwrap();
    let err = Scenario::load(&path).unwrap_err();
    assert!(err.is_input_error(), "{err}");
    assert!(err.message().contains("larger than 64 MiB"), "{err}");
}

#[test]
fn a_region_must_have_a_price_table_and_picks_it() {
    let with = |region: &str| {
        format!("name: s\nduration: 1h\naccount:\n  region: {region}\nfunctions:\n  - name: f\n")
    };
    for region in ["us-east-1", "eu-central-1", "ap-east-1", "sa-east-1"] {
        let config = base(&load(&with(region))).config;
        assert_eq!(config.billing.prices.source, region);
    }
    let frankfurt = base(&load(&with("eu-central-1"))).config;
    assert_eq!(frankfurt.billing.prices.x86_64.provisioned, 0.000_005_014_7);
    for region in ["mars-1", "5", "US-EAST-1", "us-east", "cn-north-1"] {
        let err = load_err(&with(region));
        assert_eq!(err.line(), Some(4), "{region}: {err}");
        assert!(
            err.message()
                .contains("expected one with a price table: us-east-1, us-east-2"),
            "{region}: {err}"
        );
    }
}

#[test]
fn pricing_overrides_replace_the_regions_prices() {
    let config = base(&load(
        "name: s
duration: 1h
account:
  region: eu-west-1
billing:
  pricing:
    requests_per_million: 0.1
    ephemeral_storage_gb_s: 0.00000004
    snapstart_cache_gb_s: 0.000002
    snapstart_restore_gb: 0.0002
    x86_64: { duration_gb_s: 0.00001, provisioned_gb_s: 0.000002 }
    arm64: { duration_gb_s: [0.00003, 0.00002, 0.00001], provisioned_duration_gb_s: 0.000005 }
functions:
  - name: f
",
    ))
    .config;
    let p = &config.billing.prices;
    assert_eq!(p.source, "eu-west-1 + overrides");
    assert_eq!(p.request, 0.1 / 1e6);
    assert_eq!(p.ephemeral_gb_s, 0.000_000_04);
    assert_eq!(
        (p.snapstart_cache_gb_s, p.snapstart_restore_gb),
        (0.000_002, 0.000_2)
    );
    assert!(p.x86_64.on_demand_tiers.iter().all(|t| t.1 == 0.000_01));
    assert_eq!(p.x86_64.provisioned, 0.000_002);
    assert_eq!(p.x86_64.provisioned_duration, 0.000_010_840_7, "kept");
    assert_eq!(
        p.arm64.on_demand_tiers.map(|t| t.1),
        [0.000_03, 0.000_02, 0.000_01]
    );
    assert_eq!(p.arm64.provisioned_duration, 0.000_005);
    let err = load_err(
        "name: s\nduration: 1h\nbilling:\n  pricing:\n    requests_per_million: -1\nfunctions:\n  - name: f\n",
    );
    assert!(err.message().contains("a price in USD"), "{err}");
    let err = load_err(
        "name: s\nduration: 1h\nbilling:\n  pricing:\n    x86_64: { gpu_gb_s: 1 }\nfunctions:\n  - name: f\n",
    );
    assert_eq!(err.line(), Some(5), "{err}");
}

#[test]
fn the_account_limit_is_1_to_a_million() {
    let with = |limit: &str| {
        format!(
            "name: s\nduration: 1h\naccount:\n  concurrency_limit: {limit}\n  unreserved_minimum: 0\nfunctions:\n  - name: f\n"
        )
    };
    load(&with("1000000"));
    for limit in ["0", "1000001", "4294967295"] {
        let err = load_err(&with(limit));
        assert_eq!(err.line(), Some(4), "{limit}: {err}");
        assert!(err.message().contains("1 to 1000000"), "{limit}: {err}");
    }
}
