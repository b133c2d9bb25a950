//! Issue #5's keys: provisioned concurrency over time (schedule, autoscaling,
//! allocation), asynchronous invocations, errors, client retries, ephemeral storage
//! and billing — read into the model, defaulted, checked at the right line and column,
//! and reachable from variants.

mod common;

use common::{base, load, load_err};
use lambdasim_engine::{NANOS_PER_MS, NANOS_PER_SEC};
use lambdasim_model::{
    AsyncConfig, AutoscalingConfig, BillingConfig, ClientRetries, DurationDist, FrontDoor,
    FunctionConfig, GatewayLimit, InvocationType, MemoryScaling, Provisioning, ScheduledValue,
    SnapStart, SnapStartRuntime, SqsConfig, SqsProvisioned, StreamConfig, StreamSource,
};

const S: u64 = NANOS_PER_SEC;
const HOUR: u64 = 3600 * S;

/// A one-day scenario whose only function, `api`, has `fields` (indented by 4 spaces).
fn with_function(fields: &str) -> String {
    format!("name: s\nduration: 1d\nfunctions:\n  - name: api\n{fields}")
}

/// The function `api` of a scenario with `fields`.
fn api(fields: &str) -> FunctionConfig {
    base(&load(&with_function(fields))).config.functions[0].clone()
}

/// The 1-based line and column where `needle` first occurs in `text`.
fn position(text: &str, needle: &str) -> (Option<u64>, Option<u64>) {
    let offset = text.find(needle).unwrap_or_else(|| panic!("no `{needle}`"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = offset - before.rfind('\n').map_or(0, |n| n + 1) + 1;
    (Some(line as u64), Some(column as u64))
}

/// Loads `fields`, expecting an error at `needle` whose message contains `message`.
fn assert_error_at(fields: &str, needle: &str, message: &str) {
    let yaml = with_function(fields);
    let err = load_err(&yaml);
    assert!(err.is_input_error(), "{err}");
    assert_eq!((err.line(), err.column()), position(&yaml, needle), "{err}");
    assert!(err.message().contains(message), "{err}");
}

#[test]
fn the_map_form_reads_every_key() {
    let f = api("    provisioned_concurrency:
      initial: 10
      schedule: [ { at: 20h, value: 50 }, { at: 8h, value: 500 } ]
      autoscaling:
        min: 10
        max: 800
        target_utilization: 0.7
        scale_out_cooldown: 30s
        scale_in_cooldown: 5m
      allocation_delay: { uniform: { min: 30s, max: 45s } }
      allocation_per_minute: 1200
");
    assert_eq!(f.provisioned_concurrency, 10);
    assert_eq!(
        f.provisioning,
        Provisioning {
            schedule: vec![
                ScheduledValue {
                    at: 20 * HOUR,
                    value: 50
                },
                ScheduledValue {
                    at: 8 * HOUR,
                    value: 500
                },
            ],
            autoscaling: Some(AutoscalingConfig {
                min: 10,
                max: 800,
                target_utilization: 0.7,
                scale_out_cooldown: 30 * S,
                scale_in_cooldown: 300 * S,
            }),
            allocation_delay: DurationDist::Uniform {
                min: 30 * S,
                max: 45 * S
            },
            allocation_per_minute: Some(1200),
        }
    );
    assert_eq!(f.max_provisioned(), 800);
}

#[test]
fn the_map_form_defaults_to_nothing_provisioned_and_aws_allocation() {
    let f = api("    provisioned_concurrency: { schedule: [ { at: 1h, value: 5 } ] }\n");
    assert_eq!(f.provisioned_concurrency, 0);
    assert_eq!(
        f.provisioning,
        Provisioning {
            schedule: vec![ScheduledValue { at: HOUR, value: 5 }],
            ..Provisioning::default()
        }
    );
    let empty = api("    provisioned_concurrency: {}\n");
    assert_eq!(empty.provisioned_concurrency, 0);
    assert_eq!(empty.provisioning, Provisioning::default());
    let cooldowns = api(
        "    provisioned_concurrency: { autoscaling: { min: 1, max: 9, target_utilization: 0.5 } }\n",
    );
    let autoscaling = cooldowns.provisioning.autoscaling.unwrap();
    assert_eq!(
        (
            autoscaling.scale_out_cooldown,
            autoscaling.scale_in_cooldown
        ),
        (0, 0)
    );
    let plain_delay = api("    provisioned_concurrency: { allocation_delay: 90s }\n");
    assert_eq!(
        plain_delay.provisioning.allocation_delay,
        DurationDist::Constant(90 * S)
    );
}

#[test]
fn a_plain_number_is_still_static() {
    let f = api("    provisioned_concurrency: 30\n");
    assert_eq!(f.provisioned_concurrency, 30);
    assert_eq!(f.provisioning, Provisioning::default());
}

#[test]
fn async_keys_are_read() {
    let f = api("    invocation: async
    max_event_age: 1h
    retry_attempts: 0
    error_rate: 0.01
    ephemeral_storage_mb: 2048
");
    assert_eq!(f.invocation, InvocationType::Async);
    assert_eq!(
        f.async_config,
        AsyncConfig {
            max_event_age: HOUR,
            retry_attempts: 0
        }
    );
    assert_eq!(f.error_rate, 0.01);
    assert_eq!(f.ephemeral_storage_mb, 2048);
    assert_eq!(f.client_retries, None);
}

#[test]
fn memory_scaling_is_read_with_one_thread_by_default() {
    let f = api("    memory_mb: 3538
    memory_scaling: { reference_mb: 1769, cpu_share: 0.5, threads: 2 }
");
    let scaling = MemoryScaling {
        reference_mb: 1769,
        cpu_share: 0.5,
        threads: 2,
    };
    assert_eq!(f.memory_scaling, Some(scaling));
    assert_eq!(f.duration_factor(), 0.75);
    let f = api("    memory_scaling: { reference_mb: 512, cpu_share: 1 }
");
    assert_eq!(f.memory_scaling.map(|s| s.threads), Some(1));
    assert_eq!(api("    memory_mb: 256\n").memory_scaling, None);
}

#[test]
fn memory_scaling_errors_point_at_the_value() {
    let at = |value: &str| format!("    memory_scaling: {{ {value} }}\n");
    assert_error_at(
        &at("reference_mb: 100, cpu_share: 0.5"),
        "100",
        "128 to 10240",
    );
    assert_error_at(&at("reference_mb: 1769, cpu_share: 1.5"), "1.5", "0 to 1");
    assert_error_at(
        &at("reference_mb: 1024, cpu_share: 0.5, threads: 7"),
        "7",
        "1 to 6",
    );
    assert_error_at(
        &at("reference_mb: 1769, cpu_shar: 0.5"),
        "cpu_shar",
        "unknown field `cpu_shar`",
    );
}

#[test]
fn snapstart_is_read_as_a_flag_or_a_map() {
    assert_eq!(
        api("    snapstart: true\n").snapstart,
        Some(SnapStart::new(SnapStartRuntime::Java))
    );
    assert_eq!(api("    snapstart: false\n").snapstart, None);
    assert_eq!(api("    memory_mb: 256\n").snapstart, None);
    let f = api(
        "    snapstart: { runtime: dotnet, restore_duration: { uniform: { min: 100ms, max: 300ms } } }\n",
    );
    let snapstart = f.snapstart.unwrap();
    assert_eq!(snapstart.runtime, SnapStartRuntime::Dotnet);
    assert_eq!(
        snapstart.restore_duration,
        DurationDist::Uniform {
            min: 100 * NANOS_PER_MS,
            max: 300 * NANOS_PER_MS
        }
    );
}

#[test]
fn snapstart_errors_point_at_the_value() {
    assert_error_at(
        "    provisioned_concurrency: 5\n    snapstart: true\n",
        "true",
        "AWS does not support SnapStart with provisioned concurrency",
    );
    assert_error_at(
        "    ephemeral_storage_mb: 1024\n    snapstart: { runtime: python }\n",
        "{ runtime",
        "ephemeral storage above 512 MB",
    );
    assert_error_at(
        "    snapstart: { runtime: node }\n",
        "node",
        "unknown variant `node`",
    );
    assert_error_at(
        "    snapstart: yes please\n",
        "snapstart: yes",
        "true, false or a map",
    );
}

#[test]
fn a_variant_sets_snapstart_but_not_with_provisioned_concurrency() {
    let scenario = load(&format!(
        "{VARIANTS_BASE}      functions.jobs.snapstart: {{ runtime: python }}\n"
    ));
    let jobs = &scenario.variants(None)[0].config.functions[1];
    assert_eq!(
        jobs.snapstart,
        Some(SnapStart::new(SnapStartRuntime::Python))
    );
    let yaml = format!(
        "{VARIANTS_BASE}      functions.jobs.snapstart: true\n      functions.jobs.provisioned_concurrency: 3\n"
    );
    let err = load_err(&yaml);
    assert!(err.is_input_error(), "{err}");
    assert!(err.message().contains("SnapStart"), "{err}");
}

#[test]
fn front_door_is_read_for_the_account_and_each_function() {
    let yaml = "name: s
duration: 1h
account:
  front_door: { rate: 2000 }
functions:
  - name: api
    front_door: true
  - name: search
    front_door: { rate: 100, burst: 20 }
  - name: worker
  - name: report
    front_door: { integration_timeout: 90s }
";
    let config = base(&load(yaml)).config;
    assert_eq!(
        config.account.front_door,
        GatewayLimit {
            rate_per_second: 2000,
            burst: 5000
        }
    );
    let doors: Vec<FrontDoor> = config.functions.iter().map(|f| f.front_door).collect();
    let route = GatewayLimit {
        rate_per_second: 100,
        burst: 20,
    };
    assert_eq!(
        doors,
        [
            FrontDoor::BEHIND,
            FrontDoor::Behind {
                route: Some(route),
                integration_timeout: 29 * NANOS_PER_SEC,
            },
            FrontDoor::Direct,
            FrontDoor::Behind {
                route: None,
                integration_timeout: 90 * NANOS_PER_SEC,
            },
        ]
    );
    let config = base(&load(&with_function("    memory_mb: 256\n"))).config;
    assert_eq!(config.account.front_door, GatewayLimit::ACCOUNT);
}

#[test]
fn the_account_front_door_defaults_to_the_regions_quota() {
    let yaml = |account: &str| {
        format!(
            "name: s\nduration: 1h\naccount:\n  region: eu-central-2\n{account}functions:\n  - name: api\n"
        )
    };
    let small = GatewayLimit::account_default("eu-central-2");
    assert_eq!((small.rate_per_second, small.burst), (2_500, 1_250));
    assert_eq!(base(&load(&yaml(""))).config.account.front_door, small);
    // A key left out takes the Region's default too.
    let config = base(&load(&yaml("  front_door: { rate: 3000 }\n"))).config;
    assert_eq!(config.account.front_door.burst, 1_250);
    // A variant that moves the account to another Region takes that Region's default.
    let moved = "name: s\nduration: 1h\nfunctions:\n  - name: api\nvariants:\n  - name: here\n  - name: zurich\n    set: { account.region: eu-central-2 }\n";
    let scenario = load(moved);
    let doors: Vec<GatewayLimit> = scenario
        .variants(None)
        .iter()
        .map(|v| v.config.account.front_door)
        .collect();
    assert_eq!(doors, [GatewayLimit::ACCOUNT, small]);
}

#[test]
fn a_stage_gives_each_of_its_routes_its_own_limit_unless_the_route_sets_one() {
    let yaml = "name: s
duration: 1h
account:
  front_door:
    stages: { prod: { rate: 50, burst: 10 } }
functions:
  - name: api
    front_door: { stage: prod }
  - name: search
    front_door: { stage: prod }
  - name: export
    front_door: { stage: prod, rate: 5 }
";
    let config = base(&load(yaml)).config;
    // The account keeps AWS's quota; the stage is a default per route, not a bucket of
    // its own.
    assert_eq!(config.account.front_door, GatewayLimit::ACCOUNT);
    let limit = |rate_per_second, burst| FrontDoor::Behind {
        route: Some(GatewayLimit {
            rate_per_second,
            burst,
        }),
        integration_timeout: FrontDoor::INTEGRATION_TIMEOUT,
    };
    let doors: Vec<FrontDoor> = config.functions.iter().map(|f| f.front_door).collect();
    assert_eq!(doors, [limit(50, 10), limit(50, 10), limit(5, 10)]);
}

#[test]
fn a_route_naming_an_unknown_stage_is_an_error_listing_the_stages() {
    let yaml = "name: s
duration: 1h
account:
  front_door: { stages: { prod: { rate: 50, burst: 10 } } }
functions:
  - name: api
    front_door: { stage: beta }
";
    let err = load_err(yaml);
    assert_eq!(err.line(), Some(7), "{err}");
    assert!(err.message().contains("found stage `beta`"), "{err}");
    assert!(err.message().contains("`prod`"), "{err}");
    let yaml = "name: s
duration: 1h
account:
  front_door: { stages: { prod: { rate: 50 } } }
functions:
  - name: api
";
    let err = load_err(yaml);
    assert_eq!(err.line(), Some(4), "{err}");
    assert!(
        err.message().contains("expected both rate and burst"),
        "{err}"
    );
}

#[test]
fn front_door_errors_point_at_the_value() {
    assert_error_at(
        "    invocation: async\n    front_door: true\n",
        "true",
        "expected a sync one",
    );
    assert_error_at(
        "    front_door: { rate: 10, burst: 0 }\n",
        "0 }",
        "1 to 1000000000",
    );
    assert_error_at(
        "    front_door: { burst: 9 }\n",
        "{ burst",
        "expected both rate and burst",
    );
    assert_error_at(
        "    front_door: { integration_timeout: 10m }\n",
        "10m",
        "expected 0.05s to 300s",
    );
    assert_error_at(
        "    front_door: { rate: 1, brust: 2 }\n",
        "brust",
        "unknown field `brust`",
    );
    let yaml =
        "name: s\nduration: 1h\naccount:\n  front_door: { burst: 0 }\nfunctions:\n  - name: f\n";
    let err = load_err(yaml);
    assert_eq!((err.line(), err.column()), (Some(4), Some(24)), "{err}");
}

#[test]
fn new_function_keys_default_to_a_plain_sync_function() {
    let f = api("    memory_mb: 256\n");
    assert_eq!(f.invocation, InvocationType::Sync);
    assert_eq!(f.async_config, AsyncConfig::default());
    assert_eq!(f.async_config.max_event_age, 6 * HOUR);
    assert_eq!(f.async_config.retry_attempts, 2);
    assert_eq!((f.error_rate, f.ephemeral_storage_mb), (0.0, 512));
    assert_eq!(f.client_retries, None);
    // Async settings on a sync function are accepted (a variant may switch it).
    let sync = api("    max_event_age: 2h\n    retry_attempts: 1\n    error_rate: 0.5\n");
    assert_eq!(sync.invocation, InvocationType::Sync);
    assert_eq!(sync.async_config.retry_attempts, 1);
}

#[test]
fn client_retries_are_read_on_a_sync_function() {
    let f = api("    client_retries: { attempts: 3, base: 100ms }\n    error_rate: 1\n");
    assert_eq!(
        f.client_retries,
        Some(ClientRetries {
            attempts: 3,
            base: 100 * NANOS_PER_MS
        })
    );
    assert_eq!(f.error_rate, 1.0);
}

#[test]
fn billing_is_read_and_defaults_to_the_current_bill() {
    let config = |extra: &str| {
        let yaml = format!("name: s\nduration: 1h\n{extra}functions:\n  - name: f\n");
        base(&load(&yaml)).config.billing
    };
    assert_eq!(config(""), BillingConfig::default());
    assert_eq!(
        config("billing: { init: false, free_tier: true }\n"),
        BillingConfig {
            init: false,
            free_tier: true,
            ..BillingConfig::default()
        }
    );
    assert_eq!(
        config("billing:\n  free_tier: true\n"),
        BillingConfig {
            init: true,
            free_tier: true,
            ..BillingConfig::default()
        }
    );
}

#[test]
fn provisioning_errors_point_at_the_value() {
    let autoscaling = |inner: &str| {
        format!("    provisioned_concurrency:\n      autoscaling: {{ min: 10, {inner} }}\n")
    };
    assert_error_at(
        &autoscaling("max: 50, target_utilization: 0.95"),
        "0.95",
        "0.1 to 0.9",
    );
    assert_error_at(
        &autoscaling("max: 5, target_utilization: 0.7"),
        "5,",
        "at least min (10)",
    );
    assert_error_at(
        &autoscaling("max: 50, target_utilization: 0.7, cooldown: 1m"),
        "cooldown",
        "unknown field `cooldown`",
    );
    assert_error_at(
        "    provisioned_concurrency:\n      schedule:\n        - { at: 8h, value: 5 }\n        - { at: 25h, value: 1 }\n",
        "25h",
        "before its duration of 86400s",
    );
    assert_error_at(
        "    provisioned_concurrency: { schedule: [ { at: 1d, value: 1 } ] }\n",
        "1d, value",
        "within the run",
    );
    assert_error_at(
        "    provisioned_concurrency: { allocation_per_minute: 0 }\n",
        "0 }",
        "1 or more",
    );
    assert_error_at(
        "    provisioned_concurrency: { initail: 5 }\n",
        "initail",
        "unknown field `initail`",
    );
    assert_error_at("    provisioned_concurrency: -1\n", "-1", "0 or more");
}

#[test]
fn async_and_retry_errors_point_at_the_value() {
    assert_error_at("    error_rate: 1.5\n", "1.5", "0 to 1");
    assert_error_at("    error_rate: -0.1\n", "-0.1", "0 to 1");
    assert_error_at("    retry_attempts: 3\n", "3", "0, 1 or 2");
    assert_error_at("    max_event_age: 30s\n", "30s", "60s to 6h");
    assert_error_at("    max_event_age: 7h\n", "7h", "60s to 6h");
    assert_error_at("    ephemeral_storage_mb: 256\n", "256", "512 to 10240");
    assert_error_at(
        "    client_retries: { attempts: 11, base: 1s }\n",
        "11",
        "0 to 10",
    );
    assert_error_at(
        "    invocation: async\n    client_retries: { attempts: 3, base: 100ms }\n",
        "{ attempts",
        "invoked async",
    );
    assert_error_at(
        "    client_retries: { attempts: 3 }\n",
        "attempts: 3 }",
        "missing field `base`",
    );
}

#[test]
fn the_whole_provisioned_timeline_must_fit() {
    let yaml = with_function(
        "    reserved_concurrency: 100\n    provisioned_concurrency: { initial: 10, schedule: [ { at: 8h, value: 200 } ] }\n",
    );
    let err = load_err(&yaml);
    assert_eq!(err.line(), Some(4), "{err}");
    assert!(
        err.message().contains("provisioned concurrency 200"),
        "{err}"
    );
    assert!(err.message().contains("scheduled value"), "{err}");
    let pool = load_err(&with_function(
        "    provisioned_concurrency: { autoscaling: { min: 1, max: 950, target_utilization: 0.7 } }\n",
    ));
    assert!(pool.message().contains("unreserved pool"), "{pool}");
}

const VARIANTS_BASE: &str = "name: s
duration: 1d
functions:
  - name: api
    client_retries: { attempts: 2, base: 50ms }
  - name: jobs
variants:
  - name: v
    set:
";

#[test]
fn variants_can_set_every_new_key() {
    let scenario = load(&format!(
        "{VARIANTS_BASE}      functions.api.provisioned_concurrency: {{ initial: 5, schedule: [ {{ at: 8h, value: 50 }} ] }}
      functions.api.error_rate: 0.2
      functions.api.client_retries: {{ attempts: 4, base: 1s }}
      functions.api.ephemeral_storage_mb: 1024
      functions.api.memory_scaling: {{ reference_mb: 1024, cpu_share: 0.9 }}
      functions.api.front_door: {{ rate: 50, burst: 5 }}
      account.front_door: {{ burst: 100 }}
      functions.api.timeout: 29s
      functions.api.function_idle_timeout: 20m
      functions.api.warm_start: 4
      functions.jobs.invocation: async
      functions.jobs.max_event_age: 10m
      functions.jobs.retry_attempts: 1
      functions.jobs.provisioned_concurrency: 7
      billing.init: false
      billing.free_tier: true
  - name: reset
    set:
      functions.api.client_retries: null
"
    ));
    let variants = scenario.variants(None);
    let config = &variants[0].config;
    let (api, jobs) = (&config.functions[0], &config.functions[1]);
    assert_eq!(api.provisioned_concurrency, 5);
    assert_eq!(
        api.provisioning.schedule,
        [ScheduledValue {
            at: 8 * HOUR,
            value: 50
        }]
    );
    assert_eq!(api.error_rate, 0.2);
    assert_eq!(
        api.client_retries,
        Some(ClientRetries {
            attempts: 4,
            base: S
        })
    );
    assert_eq!(api.ephemeral_storage_mb, 1024);
    assert_eq!(api.memory_scaling.map(|s| s.cpu_share), Some(0.9));
    let route = GatewayLimit {
        rate_per_second: 50,
        burst: 5,
    };
    assert_eq!(
        api.front_door,
        FrontDoor::Behind {
            route: Some(route),
            integration_timeout: FrontDoor::INTEGRATION_TIMEOUT,
        }
    );
    assert_eq!(config.account.front_door.burst, 100);
    assert_eq!(api.timeout, 29 * S);
    assert_eq!(api.function_idle_timeout, Some(1200 * S));
    assert_eq!(api.warm_start, 4);
    assert_eq!(jobs.invocation, InvocationType::Async);
    assert_eq!(
        jobs.async_config,
        AsyncConfig {
            max_event_age: 600 * S,
            retry_attempts: 1
        }
    );
    assert_eq!(jobs.provisioned_concurrency, 7);
    assert_eq!(
        config.billing,
        BillingConfig {
            init: false,
            free_tier: true,
            ..BillingConfig::default()
        }
    );
    assert_eq!(variants[1].config.functions[0].client_retries, None);
    assert_eq!(variants[1].config.billing, BillingConfig::default());
}

#[test]
fn bad_variant_values_point_at_the_set_entry() {
    let cases = [
        (
            "      functions.api.provisioned_concurrency: { autoscaling: { min: 1, max: 5, target_utilization: 2 } }\n",
            "0.1 to 0.9",
        ),
        (
            "      functions.api.provisioned_concurrency: { schedule: [ { at: 2d, value: 1 } ] }\n",
            "within the run",
        ),
        ("      functions.api.retry_attempts: 5\n", "0, 1 or 2"),
        ("      functions.api.error_rate: 2\n", "0 to 1"),
        ("      functions.api.invocation: later\n", "bad value"),
        ("      billing.tax: true\n", "init, free_tier or pricing"),
        ("      billing.init: maybe\n", "bad value"),
    ];
    for (entry, needle) in cases {
        let err = load_err(&format!("{VARIANTS_BASE}{entry}"));
        assert_eq!(err.line(), Some(10), "{entry}: {err}");
        assert!(err.message().contains(needle), "{entry}: {err}");
    }
}

#[test]
fn a_variant_making_a_function_async_rejects_its_client_retries() {
    let err = load_err(&format!(
        "{VARIANTS_BASE}      functions.api.invocation: async\n"
    ));
    assert_eq!(err.line(), Some(5), "{err}");
    assert!(err.message().contains("invoked async"), "{err}");
}

#[test]
fn sqs_is_read_as_a_name_or_a_map_of_every_setting() {
    let f = api("    invocation: sqs\n");
    assert_eq!(f.invocation, InvocationType::Sqs);
    assert_eq!(f.sqs, SqsConfig::default());
    let f = api("    invocation:
      sqs:
        batch_size: 100
        batch_window: 2s
        maximum_concurrency: 50
        visibility_timeout: 3m
        max_receive_count: 5
");
    assert_eq!(f.invocation, InvocationType::Sqs);
    assert_eq!(
        f.sqs,
        SqsConfig {
            batch_size: 100,
            batch_window: 2 * S,
            maximum_concurrency: Some(50),
            visibility_timeout: 180 * S,
            max_receive_count: Some(5),
            ..SqsConfig::default()
        }
    );
    let f = api("    invocation: { sqs: {} }\n");
    assert_eq!(f.sqs, SqsConfig::default());
}

#[test]
fn sqs_provisioned_mode_fifo_and_batch_item_failures_are_read() {
    let f = api("    invocation:
      sqs:
        provisioned: { minimum_pollers: 10, maximum_pollers: 300 }
        report_batch_item_failures: true
");
    assert_eq!(
        f.sqs,
        SqsConfig {
            provisioned: Some(SqsProvisioned {
                minimum_pollers: 10,
                maximum_pollers: 300,
            }),
            report_batch_item_failures: true,
            ..SqsConfig::default()
        }
    );
    let f = api("    invocation: { sqs: { provisioned: {} } }\n");
    assert_eq!(f.sqs.provisioned, Some(SqsProvisioned::default()));
    let f = api("    invocation: { sqs: { fifo: true, message_groups: 40, batch_size: 5 } }\n");
    assert_eq!((f.sqs.message_groups, f.sqs.batch_size), (Some(40), 5));
    let f = api("    invocation: { sqs: { fifo: true } }\n");
    assert_eq!(f.sqs.message_groups, Some(1), "one group by default");
    let f = api("    invocation: { sqs: { fifo: false } }\n");
    assert_eq!(f.sqs, SqsConfig::default());
}

#[test]
fn sqs_provisioned_and_fifo_errors_point_at_the_value() {
    let at = |value: &str| format!("    invocation: {{ sqs: {{ {value} }} }}\n");
    assert_error_at(
        &at("provisioned: { minimum_pollers: 1 }"),
        "1 }",
        "2 to 200",
    );
    assert_error_at(
        &at("provisioned: { maximum_pollers: 2001 }"),
        "2001",
        "2 to 2000",
    );
    assert_error_at(
        &at("provisioned: { minimum_pollers: 50, maximum_pollers: 20 }"),
        "20 }",
        "under minimum_pollers 50",
    );
    assert_error_at(
        &at("provisioned: {}, maximum_concurrency: 50"),
        "50",
        "maximum_concurrency with provisioned",
    );
    assert_error_at(
        &at("provisioned: { pollers: 5 }"),
        "pollers",
        "unknown field `pollers`",
    );
    assert_error_at(&at("message_groups: 4"), "4 }", "fifo: true");
    assert_error_at(&at("fifo: true, message_groups: 0"), "0 }", "1 to 100000");
    assert_error_at(
        &at("fifo: true, batch_size: 11, batch_window: 1s"),
        "11",
        "1 to 10 messages",
    );
    assert_error_at(
        &at("fifo: true, batch_window: 1s"),
        "1s",
        "no batching window",
    );
}

#[test]
fn sqs_errors_point_at_the_value() {
    let at = |value: &str| format!("    invocation: {{ sqs: {{ {value} }} }}\n");
    assert_error_at(&at("batch_size: 0"), "0 }", "1 to 10000");
    assert_error_at(&at("maximum_concurrency: 1"), "1 }", "2 to 1000");
    assert_error_at(&at("maximum_concurrency: 1001"), "1001", "2 to 1000");
    assert_error_at(&at("max_receive_count: 0"), "0 }", "1 to 1000");
    assert_error_at(&at("batch_window: 301s"), "301s", "0 s to 300 s");
    assert_error_at(&at("visibility_timeout: 13h"), "13h", "12h");
    assert_error_at(&at("batch_size: 50"), "50", "batch_window of at least 1s");
    assert_error_at(
        &at("batch_siz: 5"),
        "batch_siz",
        "unknown field `batch_siz`",
    );
    assert_error_at(
        "    invocation: fifo\n",
        "invocation: fifo",
        "unknown variant `fifo`",
    );
    assert_error_at(
        "    invocation: sqs\n    max_event_age: 1h\n",
        "1h",
        "found max_event_age on an SQS function",
    );
    assert_error_at(
        "    invocation: sqs\n    retry_attempts: 1\n",
        "1\n",
        "found retry_attempts on an SQS function",
    );
    assert_error_at(
        "    invocation: sqs\n    client_retries: { attempts: 2, base: 1s }\n",
        "{ attempts",
        "found client_retries on an SQS function",
    );
    assert_error_at(
        "    invocation: sqs\n    front_door: true\n",
        "true",
        "found front_door on an SQS function",
    );
}

#[test]
fn a_variant_sets_an_sqs_mapping() {
    let scenario = load(&format!(
        "{VARIANTS_BASE}      functions.jobs.invocation: {{ sqs: {{ maximum_concurrency: 100 }} }}\n"
    ));
    let jobs = &scenario.variants(None)[0].config.functions[1];
    assert_eq!(jobs.invocation, InvocationType::Sqs);
    assert_eq!(jobs.sqs.maximum_concurrency, Some(100));
    let err = load_err(&format!(
        "{VARIANTS_BASE}      functions.jobs.invocation: {{ sqs: {{ maximum_concurrency: 1001 }} }}\n"
    ));
    assert!(err.is_input_error(), "{err}");
    assert!(err.message().contains("2 to 1000"), "{err}");
    let scenario = load(&format!(
        "{VARIANTS_BASE}      functions.jobs.invocation: {{ sqs: {{ fifo: true, message_groups: 8, report_batch_item_failures: true }} }}\n"
    ));
    let jobs = &scenario.variants(None)[0].config.functions[1];
    assert_eq!(jobs.sqs.message_groups, Some(8));
    assert!(jobs.sqs.report_batch_item_failures);
}

#[test]
fn stream_is_read_as_a_name_or_a_map_of_every_setting() {
    let f = api("    invocation: stream\n");
    assert_eq!(f.invocation, InvocationType::Stream);
    assert_eq!(f.stream, StreamConfig::new(StreamSource::Kinesis));
    let f = api("    invocation:
      stream:
        source: dynamodb
        shards: 8
        parallelization_factor: 5
        batch_size: 500
        batch_window: 2s
        maximum_retry_attempts: 3
        maximum_record_age: 1h
        bisect_batch_on_error: true
");
    assert_eq!(f.invocation, InvocationType::Stream);
    assert_eq!(
        f.stream,
        StreamConfig {
            source: StreamSource::DynamoDb,
            shards: 8,
            parallelization_factor: 5,
            batch_size: 500,
            batch_window: 2 * S,
            maximum_retry_attempts: Some(3),
            maximum_record_age: Some(3600 * S),
            bisect_batch_on_error: true,
        }
    );
    let f = api("    invocation: { stream: { maximum_retry_attempts: -1 } }\n");
    assert_eq!(f.stream.maximum_retry_attempts, None);
}

#[test]
fn stream_errors_point_at_the_value() {
    let at = |value: &str| format!("    invocation: {{ stream: {{ {value} }} }}\n");
    assert_error_at(&at("shards: 0"), "0 }", "1 to 10000");
    assert_error_at(&at("parallelization_factor: 11"), "11", "1 to 10");
    assert_error_at(&at("parallelization_factor: 0"), "0 }", "1 to 10");
    assert_error_at(&at("batch_size: 10001"), "10001", "1 to 10000");
    assert_error_at(&at("batch_window: 301s"), "301s", "0 s to 300 s");
    assert_error_at(&at("maximum_retry_attempts: -2"), "-2", "-1 (retry");
    assert_error_at(&at("maximum_retry_attempts: 10001"), "10001", "0 to 10000");
    assert_error_at(&at("maximum_record_age: 59s"), "59s", "60 s to 604800 s");
    assert_error_at(&at("maximum_record_age: 8d"), "8d", "60 s to 604800 s");
    assert_error_at(&at("source: kafka"), "kafka", "unknown variant `kafka`");
    assert_error_at(&at("shard: 2"), "shard", "unknown field `shard`");
    assert_error_at(
        "    invocation: { sqs: {}, stream: {} }\n",
        "{ sqs",
        "expected one of",
    );
    assert_error_at(
        "    invocation: stream\n    retry_attempts: 1\n",
        "1\n",
        "found retry_attempts on a stream function",
    );
    assert_error_at(
        "    invocation: stream\n    front_door: true\n",
        "true",
        "found front_door on a stream function",
    );
}

#[test]
fn a_variant_sets_a_stream_mapping() {
    let scenario = load(&format!(
        "{VARIANTS_BASE}      functions.jobs.invocation: {{ stream: {{ shards: 4, parallelization_factor: 5 }} }}\n"
    ));
    let jobs = &scenario.variants(None)[0].config.functions[1];
    assert_eq!(jobs.invocation, InvocationType::Stream);
    assert_eq!(jobs.stream.lanes(), 20);
    let err = load_err(&format!(
        "{VARIANTS_BASE}      functions.jobs.invocation: {{ stream: {{ parallelization_factor: 20 }} }}\n"
    ));
    assert!(err.is_input_error(), "{err}");
    assert!(err.message().contains("1 to 10"), "{err}");
}
