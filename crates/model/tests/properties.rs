//! Property tests over random accounts and loads: invariants hold at every event,
//! every request is served or throttled, and the same seed gives the same results.

mod common;
use common::*;
use lambdasim_model::*;
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Setup {
    config: SimConfig,
    rates: Vec<f64>,
}

fn arb_function(i: usize) -> impl Strategy<Value = FunctionConfig> {
    (
        1u64..400,
        0u64..300,
        prop::option::of(0u32..60),
        0u32..20,
        0usize..5,
        1u64..30,
        prop::option::of(1u64..40),
        128u32..4000,
        prop::option::of((128u32..4000, 0.0f64..=1.0, 1u32..=6)),
        prop::option::of((any::<bool>(), 0u64..12_000)),
        prop::option::of(prop::option::of((1u64..300, 1u64..30))),
    )
        .prop_map(
            move |(
                dur_ms,
                init_ms,
                reserved,
                prov,
                reuse,
                idle_s,
                life_s,
                memory,
                scaling,
                snap,
                front_door,
            )| {
                let mut f = FunctionConfig::new(format!("f{i}"));
                f.memory_mb = memory;
                f.memory_scaling =
                    scaling.map(|(reference_mb, cpu_share, threads)| MemoryScaling {
                        reference_mb,
                        cpu_share,
                        threads,
                    });
                f.duration = DurationDist::Exponential { mean: dur_ms * MS };
                f.init_duration = DurationDist::Uniform {
                    min: 0,
                    max: init_ms * MS,
                };
                f.reserved_concurrency = reserved;
                f.provisioned_concurrency = reserved.map_or(prov, |r| prov.min(r));
                f.reuse = [
                    ReusePolicy::Mru,
                    ReusePolicy::Lru,
                    ReusePolicy::Newest,
                    ReusePolicy::Oldest,
                    ReusePolicy::Random,
                ][reuse];
                f.idle_timeout = idle_s * S;
                f.max_lifetime = life_s.map(|l| l * S);
                f.front_door = front_door.map_or(FrontDoor::Direct, |route| FrontDoor::Behind {
                    route: route.map(|(rate_per_second, burst)| GatewayLimit {
                        rate_per_second,
                        burst,
                    }),
                    integration_timeout: FrontDoor::INTEGRATION_TIMEOUT,
                });
                // SnapStart, restores up to 12 s (some past the 10 s limit), on a
                // function without provisioned concurrency, as AWS requires.
                if f.provisioned_concurrency == 0 {
                    f.snapstart = snap.map(|(python, restore_ms)| SnapStart {
                        runtime: if python {
                            SnapStartRuntime::Python
                        } else {
                            SnapStartRuntime::Java
                        },
                        restore_duration: DurationDist::Uniform {
                            min: 0,
                            max: restore_ms * MS,
                        },
                    });
                }
                f
            },
        )
}

/// An SQS mapping with small numbers, so that its cap, window, visibility timeout and
/// dead-letter count all bind in a 20-s run; in standard or provisioned mode, on a
/// standard or a FIFO queue, reporting batch item failures or not.
fn arb_sqs() -> impl Strategy<Value = SqsConfig> {
    let kind = (
        prop::option::weighted(0.3, (2u32..4, 0u32..4)),
        prop::option::weighted(0.3, 1u32..6),
        any::<bool>(),
    );
    (
        1u32..20,
        0u64..1500,
        prop::option::of(2u32..30),
        0u64..5000,
        prop::option::of(1u32..4),
        kind,
    )
        .prop_map(
            |(
                batch_size,
                window_ms,
                maximum_concurrency,
                visibility_ms,
                max_receive_count,
                kind,
            )| {
                let (provisioned, message_groups, report_batch_item_failures) = kind;
                let fifo = message_groups.is_some();
                SqsConfig {
                    // A FIFO queue takes batches of 10 at most and no window.
                    batch_size: if fifo { batch_size.min(10) } else { batch_size },
                    // Above 10 messages AWS requires a window of at least 1 s.
                    batch_window: if fifo {
                        0
                    } else if batch_size > 10 {
                        S + window_ms * MS
                    } else {
                        window_ms * MS
                    },
                    maximum_concurrency: maximum_concurrency.filter(|_| provisioned.is_none()),
                    visibility_timeout: visibility_ms * MS,
                    max_receive_count,
                    provisioned: provisioned.map(|(minimum, extra)| SqsProvisioned {
                        minimum_pollers: minimum,
                        maximum_pollers: minimum + extra,
                    }),
                    message_groups,
                    report_batch_item_failures,
                }
            },
        )
}

/// A stream mapping with small numbers, so that its lanes, window, retries and record
/// age all bind in a 20-s run (ages under AWS's 60 s, which only a scenario file
/// must keep to).
fn arb_stream() -> impl Strategy<Value = StreamConfig> {
    (
        prop_oneof![Just(StreamSource::Kinesis), Just(StreamSource::DynamoDb)],
        (1u32..4, 1u32..4),
        1u32..20,
        prop_oneof![Just(0u64), 1u64..1500],
        prop::option::of(0u32..3),
        (prop::option::of(1u64..10), any::<bool>()),
    )
        .prop_map(
            |(
                source,
                (shards, parallelization_factor),
                batch_size,
                window_ms,
                retries,
                (age_s, bisect_batch_on_error),
            )| {
                StreamConfig {
                    source,
                    shards,
                    parallelization_factor,
                    batch_size,
                    batch_window: window_ms * MS,
                    maximum_retry_attempts: retries,
                    maximum_record_age: age_s.map(|a| a * S),
                    bisect_batch_on_error,
                }
            },
        )
}

/// Adds the time behaviour of issue 5 to a function: a schedule, autoscaling, the
/// asynchronous path, an SQS queue or a stream, errors and client retries.
fn arb_dynamics(f: FunctionConfig) -> impl Strategy<Value = FunctionConfig> {
    (
        prop::option::of((1u64..15, 0u32..30)),
        any::<bool>(),
        prop_oneof![
            Just(InvocationType::Sync),
            Just(InvocationType::Async),
            Just(InvocationType::Sqs),
            Just(InvocationType::Stream)
        ],
        prop_oneof![Just(0.0), Just(0.3)],
        prop::option::of(1u32..4),
        arb_sqs(),
        arb_stream(),
    )
        .prop_map(
            move |(step, autoscale, invocation, error_rate, retries, sqs, stream)| {
                let mut f = f.clone();
                if let Some((at_s, value)) = step {
                    f.provisioning.schedule = vec![ScheduledValue {
                        at: at_s * S,
                        value: f.reserved_concurrency.map_or(value, |r| value.min(r)),
                    }];
                }
                f.provisioning.allocation_delay = DurationDist::Uniform { min: S, max: 3 * S };
                if autoscale {
                    let max = f.reserved_concurrency.unwrap_or(40).min(40);
                    f.provisioning.autoscaling = Some(AutoscalingConfig {
                        min: 0,
                        max,
                        target_utilization: 0.7,
                        scale_out_cooldown: 0,
                        scale_in_cooldown: 0,
                    });
                }
                f.invocation = invocation;
                match invocation {
                    InvocationType::Async => f.async_config.max_event_age = 10 * S,
                    InvocationType::Sqs => f.sqs = sqs,
                    InvocationType::Stream => f.stream = stream,
                    InvocationType::Sync => {
                        f.client_retries = retries.map(|attempts| ClientRetries {
                            attempts,
                            base: 50 * MS,
                        });
                    }
                }
                f.error_rate = error_rate;
                f
            },
        )
}

fn arb_setup() -> impl Strategy<Value = Setup> {
    (1usize..4)
        .prop_flat_map(|n| {
            (
                (0..n).map(arb_function).collect::<Vec<_>>(),
                prop::collection::vec(1.0f64..400.0, n),
                150u32..400,
                any::<bool>(),
                prop_oneof![Just(0.0), Just(10.0), Just(3.0)],
                1u64..80,
                (1u64..600, 1u64..200),
            )
        })
        .prop_filter_map(
            "AWS would reject it",
            |(functions, rates, limit, legacy, rps, burst, (gateway_rate, gateway_burst))| {
                let mut cfg = config(20 * S, functions);
                cfg.account.concurrency_limit = limit;
                cfg.account.unreserved_minimum = 10;
                cfg.account.rps_per_environment = rps;
                cfg.account.scaling = ScalingConfig {
                    mode: if legacy {
                        ScalingMode::Legacy
                    } else {
                        ScalingMode::PerFunction
                    },
                    burst,
                    refill_per_minute: 600,
                };
                // A small gateway, so that it binds under these loads.
                cfg.account.front_door = GatewayLimit {
                    rate_per_second: gateway_rate,
                    burst: gateway_burst,
                };
                cfg.validate()
                    .is_ok()
                    .then_some(Setup { config: cfg, rates })
            },
        )
}

fn traffic(setup: &Setup) -> Vec<Traffic> {
    setup
        .rates
        .iter()
        .enumerate()
        .map(|(i, &rate)| feed(poisson(i as u64, rate), i))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_and_every_request_is_served_or_throttled(setup in arb_setup()) {
        // `run` checks every invariant after every event and fails the run otherwise.
        let (summary, rows) = run(setup.config.clone(), traffic(&setup));
        for f in &summary.functions {
            prop_assert_eq!(f.requests, f.invocations + f.throttles);
            prop_assert_eq!(f.throttles, f.throttles_by_reason.total());
            prop_assert!(f.cold_starts <= f.invocations);
            prop_assert!(f.provisioned_invocations + f.spillover_invocations <= f.invocations);
            prop_assert!(f.peak_concurrency <= f.peak_environments);
        }
        prop_assert!(summary.account.peak_concurrency <= setup.config.account.concurrency_limit);
        let requests: u64 = rows.iter().map(|r| r.requests).sum();
        prop_assert_eq!(requests, summary.account.requests);
    }

    #[test]
    fn invariants_hold_with_changing_provisioned_concurrency_and_async_events(
        setup in arb_setup(),
        dynamics in prop::collection::vec(arb_dynamics(FunctionConfig::new("x")), 3),
    ) {
        let mut config = setup.config.clone();
        for (f, d) in config.functions.iter_mut().zip(dynamics) {
            let reserved_cap = f.reserved_concurrency;
            f.provisioning = d.provisioning;
            if let (Some(r), Some(a)) = (reserved_cap, f.provisioning.autoscaling.as_mut()) {
                a.max = a.max.min(r);
            }
            for step in &mut f.provisioning.schedule {
                step.value = reserved_cap.map_or(step.value, |r| step.value.min(r));
            }
            f.invocation = d.invocation;
            f.async_config = d.async_config;
            f.sqs = d.sqs;
            f.stream = d.stream;
            if f.invocation != InvocationType::Sync {
                f.front_door = FrontDoor::Direct;
            }
            f.error_rate = d.error_rate;
            f.client_retries = d.client_retries;
        }
        prop_assume!(config.validate().is_ok());
        let setup = Setup { config, rates: setup.rates };
        let (summary, _) = run(setup.config.clone(), traffic(&setup));
        for (f, cfg) in summary.functions.iter().zip(&setup.config.functions) {
            prop_assert_eq!(f.throttles, f.throttles_by_reason.total());
            match (f.async_events, f.sqs, f.stream) {
                (Some(a), _, _) => prop_assert_eq!(a.received, a.succeeded + a.dropped + a.queued_at_end),
                (_, Some(q), _) => {
                    prop_assert_eq!(q.received, f.requests);
                    prop_assert_eq!(q.received, q.processed + q.dead_lettered + q.queued_at_end);
                    prop_assert_eq!(q.batches, f.invocations);
                    prop_assert!(f.peak_concurrency <= cfg.sqs.cap());
                    if let Some(groups) = cfg.sqs.message_groups {
                        prop_assert!(f.peak_concurrency <= groups);
                    }
                }
                (_, _, Some(s)) => {
                    prop_assert_eq!(s.received, f.requests);
                    prop_assert_eq!(s.received, s.processed + s.discarded + s.held_at_end);
                    prop_assert_eq!(s.batches, f.invocations);
                    prop_assert_eq!(s.batches_throttled, f.throttles);
                    prop_assert!(f.peak_concurrency <= cfg.stream.lanes());
                    // Records are discarded only by a rule that can discard them.
                    if cfg.stream.maximum_retry_attempts.is_none() && cfg.stream.maximum_record_age.is_none() {
                        prop_assert_eq!(s.discarded, 0);
                    }
                }
                (None, None, None) => prop_assert_eq!(f.requests, f.invocations + f.throttles),
            }
            prop_assert!(f.mean_provisioned_allocated <= f64::from(cfg.max_provisioned()));
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_results(setup in arb_setup()) {
        // Compared through Debug text: empty buckets carry NaN latencies, and NaN != NaN.
        let a = format!("{:?}", run_unchecked(setup.config.clone(), traffic(&setup)));
        let b = format!("{:?}", run_unchecked(setup.config.clone(), traffic(&setup)));
        prop_assert!(a == b, "two runs with the same seed differ");
    }
}

#[test]
fn adding_a_function_does_not_change_another_functions_results() {
    let one = config(
        60 * S,
        vec![{
            let mut f = function("a", 0);
            f.duration = DurationDist::Lognormal {
                median: 100 * MS,
                p99: 900 * MS,
            };
            f
        }],
    );
    let mut two = one.clone();
    two.functions.push(function("b", 50 * MS));
    let (alone, _) = run(one, vec![feed(poisson(1, 50.0), 0)]);
    let (with_b, _) = run(
        two,
        vec![feed(poisson(1, 50.0), 0), feed(poisson(2, 50.0), 1)],
    );
    assert_eq!(alone.functions[0], with_b.functions[0]);
}
