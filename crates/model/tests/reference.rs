//! The fast model against a reference model (`common/reference.rs`): the invariant
//! tests say what must always hold, this one whether the numbers are right. Both run
//! the same small random scenarios — one to four functions, reserved and static
//! provisioned concurrency, bursts, small scaling buckets (per function and legacy),
//! the account limit, the request-rate limits, keep-alive, reuse, warm starts, the
//! function timeout, the Init limit, asynchronous retries, SQS event source mappings
//! on standard and FIFO queues (pollers in standard and provisioned mode, batches and
//! their window, the visibility timeout, dead letters; a FIFO queue's message groups,
//! one batch of a group's oldest messages at a time, a throttled or failed batch
//! blocking its group, groups served in the order they became ready, pollers holding
//! while every waiting group runs) and Kinesis and DynamoDB stream
//! mappings (records dealt to 1–3 shards × parallelization factor 1–3, polls, batches
//! and their window, throttled and failed batches retried holding their lane,
//! `maximum_retry_attempts`, `maximum_record_age`, bisecting) — and must count the same
//! requests, invocations, cold starts, throttles by reason, provisioned and spillover
//! invocations, errors, timeouts, asynchronous outcomes, SQS outcomes, stream outcomes
//! (records processed, discarded and held at the end, batches invoked, failed and
//! throttled, peak records waiting, greatest iterator age) and peaks.
//!
//! Left out, because they draw random numbers the reference would have to copy:
//! function errors (`error_rate`), client retries, the `random` reuse policy,
//! provisioned concurrency that changes over time (allocation delays) and the
//! recycling of provisioned environments (jittered lifetimes); and SQS's batch item
//! failures (drawn per message). A stream or SQS batch therefore fails only by the
//! function timeout, which is deterministic, so bisecting and a FIFO group blocked
//! behind its failed batch are compared (FIFO queues draw nothing: a message takes
//! the groups in turn). The stream's iterator age is compared at its greatest,
//! not its 99th percentile (a percentile of per-bucket maxima, binned by the
//! histogram). Costs and latency percentiles are checked by their own tests.
//!
//! Ties. Events at one nanosecond are handled in scheduling order (`docs/model.md`,
//! "Time and events"); the reference schedules its arrivals, completions and retries
//! in that order too, and the scenarios make such ties common: bursts, several streams
//! starting together, Init and Invoke durations on the arrivals' millisecond grid.
//! Stream polls fall on whole seconds (or quarter seconds), so a record arriving on a
//! poll's nanosecond is read at that poll, and lanes of one function due to read at
//! one nanosecond read in lane order (`docs/model.md`, "Kinesis and DynamoDB streams").
//! Keep-alive deadlines are not events in the reference (the fast model's timers take
//! their place in the order whenever they were armed, which no rule documents), so they
//! are kept off the requests' nanoseconds: `idle_timeout` and `function_idle_timeout`
//! are whole milliseconds plus 1–999 ns, while arrivals and the retries of throttled
//! events fall on whole milliseconds. A deadline can still meet a retry after a
//! timeout by chance; the reference reports it and the case is skipped.
//!
//! Disagreements found so far were the fast model's and are fixed, each a test: reserved
//! 0 counted as `rps_limit` (below), and the second half of a bisected stream batch
//! waiting out the batch window (`streams.rs`,
//! `the_second_half_of_a_split_batch_does_not_wait_for_a_window`).
//!
//! Cases: `LAMBDASIM_REFERENCE_CASES` (default 256), e.g.
//! `LAMBDASIM_REFERENCE_CASES=10000 cargo test --release -p lambdasim-model --test reference`.

mod common;
#[path = "common/reference.rs"]
mod reference;

use common::*;
use lambdasim_engine::Nanos;
use lambdasim_model::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use reference::{Observed, StreamSpec, Totals};

/// A scenario both models run.
#[derive(Clone, Debug)]
struct Case {
    config: SimConfig,
    streams: Vec<StreamSpec>,
}

/// How many random scenarios to compare.
fn cases() -> u32 {
    std::env::var("LAMBDASIM_REFERENCE_CASES").map_or(256, |v| {
        v.parse()
            .expect("LAMBDASIM_REFERENCE_CASES must be a whole number")
    })
}

/// The fast model's numbers for a case (with its invariant checks on).
fn fast(case: &Case) -> Totals {
    let traffic = case
        .streams
        .iter()
        .map(|s| Traffic {
            targets: s.targets.clone(),
            source: Box::new(ListSource(s.arrivals.clone().into_iter())),
        })
        .collect();
    let (summary, _) = run(case.config.clone(), traffic);
    Totals {
        functions: summary.functions.iter().map(Observed::of).collect(),
        account_peak_concurrency: summary.account.peak_concurrency,
    }
}

/// A coarse step of arrival gaps and lifetimes, so that a request comes exactly
/// `max_lifetime` after an environment was created.
const QUARTER_SECOND: Nanos = 250 * MS;

/// Whole milliseconds in `ms` plus 1–999 ns: off the arrivals' millisecond grid.
fn off_grid(ms: std::ops::Range<u64>) -> impl Strategy<Value = Nanos> {
    (ms, 1u64..1000).prop_map(|(ms, ns)| ms * MS + ns)
}

/// Whole milliseconds in `ms`, half the time plus 1–999 ns: an Init, Invoke or timeout
/// on the grid makes completions meet arrivals and retries at one nanosecond, handled
/// in scheduling order.
fn on_or_off_grid(ms: std::ops::Range<u64>) -> impl Strategy<Value = Nanos> {
    (ms, prop_oneof![Just(0u64), 1u64..1000]).prop_map(|(ms, ns)| ms * MS + ns)
}

/// An Invoke duration: mostly short, sometimes past the function timeout.
fn arb_duration() -> impl Strategy<Value = Nanos> {
    prop_oneof![3 => on_or_off_grid(1..300), 1 => on_or_off_grid(300..4000)]
}

/// A queue's mapping with small numbers: batches of a few messages, windows and
/// visibility timeouts of a few seconds (on the grid or off it), a low cap, few
/// receives before the dead-letter queue, sometimes provisioned mode; a FIFO queue
/// (which takes no window) a third of the time, with a few message groups, sometimes
/// more than the five pollers start with.
fn arb_sqs() -> impl Strategy<Value = SqsConfig> {
    (
        1u32..4,
        prop_oneof![2 => Just(0), 1 => on_or_off_grid(1..1500)],
        prop::option::of(2u32..5),
        on_or_off_grid(0..3000),
        prop::option::of(1u32..3),
        prop::option::weighted(0.2, (2u32..3, 0u32..2)),
        prop::option::weighted(0.35, 1u32..9),
    )
        .prop_map(
            |(batch_size, window, cap, visibility, receives, provisioned, groups)| SqsConfig {
                batch_size,
                batch_window: if groups.is_some() { 0 } else { window },
                maximum_concurrency: cap.filter(|_| provisioned.is_none()),
                visibility_timeout: visibility,
                max_receive_count: receives,
                provisioned: provisioned.map(|(minimum, extra)| SqsProvisioned {
                    minimum_pollers: minimum,
                    maximum_pollers: minimum + extra,
                }),
                message_groups: groups,
                ..SqsConfig::default()
            },
        )
}

/// A Kinesis or DynamoDB stream's mapping with small numbers: a few lanes, batches of
/// a few records, windows and record ages of a few seconds (on the grid or off it),
/// few retries, sometimes bisecting.
fn arb_stream_mapping() -> impl Strategy<Value = StreamConfig> {
    (
        prop::sample::select(vec![StreamSource::Kinesis, StreamSource::DynamoDb]),
        1u32..4,
        1u32..4,
        1u32..5,
        prop_oneof![2 => Just(0), 1 => on_or_off_grid(1..1500)],
        prop::option::of(0u32..3),
        prop::option::weighted(0.4, on_or_off_grid(500..20_000)),
        any::<bool>(),
    )
        .prop_map(
            |(
                source,
                shards,
                parallelization_factor,
                batch_size,
                batch_window,
                retries,
                age,
                bisect,
            )| {
                StreamConfig {
                    source,
                    shards,
                    parallelization_factor,
                    batch_size,
                    batch_window,
                    maximum_retry_attempts: retries,
                    maximum_record_age: age,
                    bisect_batch_on_error: bisect,
                }
            },
        )
}

/// A function with constant durations and small limits, so that every rule binds.
fn arb_function(i: usize) -> impl Strategy<Value = FunctionConfig> {
    let limits = (
        prop::option::weighted(0.4, 0u32..5),
        0u32..4,
        0u32..4,
        prop::sample::select(vec![
            ReusePolicy::Mru,
            ReusePolicy::Lru,
            ReusePolicy::Newest,
            ReusePolicy::Oldest,
        ]),
    );
    let times = (
        // Init, sometimes past the 10 s Init limit.
        prop_oneof![6 => on_or_off_grid(0..400), 1 => on_or_off_grid(10_000..12_000)],
        arb_duration(),
        on_or_off_grid(1000..3000),
        off_grid(50..6000),
        prop::option::of(off_grid(50..6000)),
        // Read only when an environment is taken or freed, never a deadline: on the
        // grid too, so that an environment reaches it on a request's nanosecond.
        prop::option::of(prop_oneof![
            on_or_off_grid(200..20_000),
            (1u64..80).prop_map(|n| n * QUARTER_SECOND),
        ]),
        // Invocations that take exactly the timeout (not a timeout).
        prop::bool::weighted(0.2),
    );
    let asynchronous = (
        prop::bool::weighted(0.3),
        off_grid(2000..400_000),
        0u32..3,
        prop::option::weighted(0.3, arb_sqs()),
        prop::option::weighted(0.4, (arb_stream_mapping(), prop::bool::weighted(0.3))),
    );
    (limits, times, asynchronous).prop_map(move |(limits, times, asynchronous)| {
        let (reserved, provisioned, warm_start, reuse) = limits;
        let (init, duration, timeout, idle, function_idle, lifetime, exactly) = times;
        let (is_async, max_event_age, retry_attempts, sqs, stream) = asynchronous;
        let mut f = FunctionConfig::new(format!("f{i}"));
        f.reserved_concurrency = reserved;
        f.provisioned_concurrency = reserved.map_or(provisioned, |r| provisioned.min(r));
        f.warm_start = warm_start;
        f.reuse = reuse;
        f.init_duration = DurationDist::Constant(init);
        f.duration = DurationDist::Constant(if exactly { timeout } else { duration });
        f.timeout = timeout;
        f.idle_timeout = idle;
        f.function_idle_timeout = function_idle;
        f.max_lifetime = lifetime;
        if f.provisioned_concurrency > 0 && lifetime.is_some() {
            // Provisioned environments are recycled at a jittered time, and recycling
            // only matters to an environment whose last invocation timed out: with
            // the longest timeout none does.
            f.timeout = *TIMEOUT_RANGE.end();
        }
        if is_async {
            f.invocation = InvocationType::Async;
            f.async_config = AsyncConfig {
                max_event_age,
                retry_attempts,
            };
        } else if let Some(sqs) = sqs {
            f.invocation = InvocationType::Sqs;
            f.sqs = sqs;
        } else if let Some((stream, failing)) = stream {
            f.invocation = InvocationType::Stream;
            f.stream = stream;
            if failing {
                // Every batch times out: retries, discards and bisecting bind.
                f.duration = DurationDist::Constant(f.timeout + MS);
            }
        }
        f
    })
}

/// The account: a concurrency limit just above what the functions claim, a small
/// scaling bucket, and a request-rate limit of a few requests a second per unit.
fn arb_account() -> impl Strategy<Value = (u32, ScalingConfig, f64)> {
    (
        0u32..8,
        any::<bool>(),
        1u64..8,
        prop::sample::select(vec![1u64, 6, 60, 600, 6000]),
        prop::sample::select(vec![0.0, 0.5, 1.0, 3.0, 10.0]),
    )
        .prop_map(|(pool, legacy, burst, refill_per_minute, rps)| {
            let mode = if legacy {
                ScalingMode::Legacy
            } else {
                ScalingMode::PerFunction
            };
            let scaling = ScalingConfig {
                mode,
                burst,
                refill_per_minute,
            };
            (pool, scaling, rps)
        })
}

/// A stream feeding some of `n` functions: groups of arrivals at one instant (bursts),
/// whole milliseconds apart.
fn arb_stream(n: usize) -> impl Strategy<Value = StreamSpec> {
    let group = (
        prop_oneof![
            1 => Just(0),
            2 => (1u64..3000).prop_map(|ms| ms * MS),
            1 => (1u64..12).prop_map(|n| n * QUARTER_SECOND),
        ],
        1usize..7,
        any::<prop::sample::Index>(),
        prop::option::weighted(0.8, arb_duration()),
    );
    (
        prop::collection::vec(0..n, 1..4),
        prop::collection::vec(group, 0..20),
    )
        .prop_map(|(targets, groups)| {
            let mut time = 0;
            let mut arrivals = Vec::new();
            for (gap, count, target, duration) in groups {
                time += gap;
                let target = target.index(targets.len()) as u32;
                arrivals.extend((0..count).map(|_| Arrival {
                    time,
                    duration,
                    target,
                }));
            }
            StreamSpec { targets, arrivals }
        })
}

fn arb_case() -> impl Strategy<Value = Case> {
    (1usize..=4).prop_flat_map(|n| {
        (
            (0..n).map(arb_function).collect::<Vec<_>>(),
            arb_account(),
            prop::collection::vec(arb_stream(n), 1..4),
            1u64..240,
        )
            .prop_map(|(functions, (pool, scaling, rps), streams, seconds)| {
                let claimed: u32 = functions
                    .iter()
                    .map(|f| f.reserved_concurrency.unwrap_or(f.provisioned_concurrency))
                    .sum();
                let mut config = config(seconds * S, functions);
                // The model accepts no account limit under 1 (AWS none under 10).
                config.account.concurrency_limit = (claimed + pool).max(1);
                config.account.unreserved_minimum = 0;
                config.account.scaling = scaling;
                config.account.rps_per_environment = rps;
                Case { config, streams }
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn the_fast_model_counts_what_the_reference_counts(case in arb_case()) {
        let expected = reference::simulate(&case.config, &case.streams);
        prop_assume!(expected.is_ok(), "a keep-alive deadline on a request's nanosecond");
        prop_assert_eq!(fast(&case), expected.unwrap());
    }
}

/// Long overloads, where the fast model counts most tries in bulk (`waiting.rs`) and
/// the reference makes each: events wait through the whole backoff schedule to their
/// maximum age, behind a reserved pool, an unreserved pool shared by two functions, and
/// a scaling bucket that refills a token a minute (tries change reason as the pool
/// fills and frees).
#[test]
fn long_overloads_count_every_try_as_the_reference_does() {
    let grid = |n: u64, gap: Nanos, from: Nanos| (0..n).map(move |i| from + i * gap);
    let arrivals = |times: Vec<Nanos>, target: u32| {
        times
            .into_iter()
            .map(|time| Arrival {
                time,
                duration: None,
                target,
            })
            .collect::<Vec<_>>()
    };
    for (reserved, refill_per_minute) in [(Some(1), 60), (None, 1), (None, 6000)] {
        let mut functions = Vec::new();
        for i in 0..2 {
            let mut f = function(&format!("f{i}"), (7 + 4 * i as u64) * S);
            f.invocation = InvocationType::Async;
            f.reserved_concurrency = reserved;
            f.async_config.max_event_age = 1800 * S + 1;
            functions.push(f);
        }
        let mut config = config(3600 * S, functions);
        config.account.concurrency_limit = 2 * reserved.unwrap_or(0) + 2;
        config.account.unreserved_minimum = 0;
        config.account.scaling = ScalingConfig {
            mode: ScalingMode::PerFunction,
            burst: 1,
            refill_per_minute,
        };
        let mut times = arrivals(grid(400, S + 7 * MS, 0).collect(), 0);
        times.extend(arrivals(grid(250, 2 * S + 3 * MS, 200 * S).collect(), 1));
        times.sort_by_key(|a| a.time);
        let case = Case {
            config,
            streams: vec![StreamSpec {
                targets: vec![0, 1],
                arrivals: times,
            }],
        };
        let expected = reference::simulate(&case.config, &case.streams).expect("no tie");
        let throttled: u64 = expected.functions.iter().map(|o| o.throttles.total()).sum();
        assert!(throttled > 2500, "{throttled} tries throttled");
        let dropped = expected.functions[0].async_events.unwrap().dropped;
        assert!(dropped > 0, "events reach their maximum age");
        assert_eq!(
            fast(&case),
            expected,
            "reserved {reserved:?}, refill {refill_per_minute}"
        );
    }
}

/// Backlogs long enough for the SQS pollers to scale up and back down, which the
/// random cases' few messages rarely make them do: standard mode with and without a
/// cap, provisioned mode, a batch window, and a reserved pool that throttles batches
/// (pausing the pollers), and a timeout that fails every batch into the dead-letter
/// queue.
#[test]
fn sqs_backlogs_scale_the_pollers_as_the_reference_does() {
    let modes = [
        (None, None, 0, None, 900 * MS),
        (Some(40), None, 0, None, 900 * MS),
        (None, Some((2, 60)), 0, None, 900 * MS),
        (None, None, 700 * MS, Some(25), 900 * MS),
        (None, None, 0, None, 2 * S),
    ];
    for (maximum_concurrency, provisioned, batch_window, reserved, duration) in modes {
        let mut f = function("worker", duration);
        f.invocation = InvocationType::Sqs;
        f.reserved_concurrency = reserved;
        f.timeout = S;
        f.sqs = SqsConfig {
            batch_size: 3,
            batch_window,
            maximum_concurrency,
            visibility_timeout: 5 * S,
            max_receive_count: Some(2),
            provisioned: provisioned.map(|(minimum_pollers, maximum_pollers)| SqsProvisioned {
                minimum_pollers,
                maximum_pollers,
            }),
            ..SqsConfig::default()
        };
        let mut config = config(240 * S, vec![f]);
        config.account.concurrency_limit = 200;
        // 3,000 messages at once, then a trickle while the pollers scale down.
        let times = std::iter::repeat_n(0, 3000).chain((0..50).map(|i| 100 * S + i * 2 * S));
        let case = backlog(config, times);
        let expected = reference::simulate(&case.config, &case.streams).expect("no tie");
        let q = expected.functions[0].sqs.unwrap();
        assert!(
            expected.functions[0].peak_concurrency > 5,
            "the pollers scaled up"
        );
        assert_eq!(q.processed + q.dead_lettered, 3050, "{q:?}");
        assert_eq!(
            fast(&case),
            expected,
            "cap {maximum_concurrency:?}, provisioned {provisioned:?}, window {batch_window}, reserved {reserved:?}"
        );
    }
}

/// FIFO backlogs of many groups, which the random cases' few groups and messages
/// never make: the pollers scale up for groups waiting for one and hold while every
/// waiting group runs a batch, in standard mode with and without a cap and in
/// provisioned mode, behind a reserved pool that throttles batches (hiding their
/// groups), and with a timeout that fails every batch, blocking its group until it
/// is dead-lettered.
#[test]
fn fifo_backlogs_scale_the_pollers_as_the_reference_does() {
    let modes = [
        (None, None, None, 900 * MS),
        (Some(12), None, None, 900 * MS),
        (None, Some((2, 6)), None, 900 * MS),
        (None, None, Some(9), 900 * MS),
        (None, None, None, 2 * S),
    ];
    for (maximum_concurrency, provisioned, reserved, duration) in modes {
        let mut f = function("worker", duration);
        f.invocation = InvocationType::Sqs;
        f.reserved_concurrency = reserved;
        f.timeout = S;
        f.sqs = SqsConfig {
            batch_size: 3,
            batch_window: 0,
            maximum_concurrency,
            visibility_timeout: 5 * S,
            max_receive_count: Some(2),
            provisioned: provisioned.map(|(minimum_pollers, maximum_pollers)| SqsProvisioned {
                minimum_pollers,
                maximum_pollers,
            }),
            message_groups: Some(40),
            ..SqsConfig::default()
        };
        let mut config = config(240 * S, vec![f]);
        config.account.concurrency_limit = 200;
        // 600 messages at once, then a trickle while the pollers scale down.
        let times = std::iter::repeat_n(0, 600).chain((0..50).map(|i| 60 * S + i * 2 * S));
        let case = backlog(config, times);
        let expected = reference::simulate(&case.config, &case.streams).expect("no tie");
        let q = expected.functions[0].sqs.unwrap();
        assert!(
            expected.functions[0].peak_concurrency > 5,
            "the pollers scaled up"
        );
        assert_eq!(q.processed + q.dead_lettered, 650, "{q:?}");
        assert_eq!(
            fast(&case),
            expected,
            "cap {maximum_concurrency:?}, provisioned {provisioned:?}, reserved {reserved:?}, duration {duration}"
        );
    }
}

/// A stream mapping's settings for a backlog: source, shards × factor, batch size,
/// window, reserved concurrency, whether every batch times out, retries, record age,
/// bisecting.
type StreamMode = (
    StreamSource,
    (u32, u32),
    u32,
    Nanos,
    Option<u32>,
    bool,
    Option<u32>,
    Option<Nanos>,
    bool,
);

/// Backlogs of thousands of records, which the random cases' few records never make:
/// lanes busy for minutes behind reserved concurrency (throttled batches holding their
/// lanes while records expire) or a small scaling bucket, DynamoDB's quarter-second
/// polls with a window, and batches that all time out, retried, bisected, discarded
/// after their retries or at their maximum age.
#[test]
fn stream_backlogs_drain_as_the_reference_drains_them() {
    let modes: [StreamMode; 5] = [
        (
            StreamSource::Kinesis,
            (4, 2),
            10,
            0,
            Some(5),
            false,
            None,
            Some(30 * S),
            false,
        ),
        (
            StreamSource::DynamoDb,
            (3, 3),
            7,
            700 * MS,
            None,
            false,
            None,
            None,
            false,
        ),
        (
            StreamSource::Kinesis,
            (2, 1),
            8,
            0,
            None,
            true,
            Some(2),
            None,
            true,
        ),
        (
            StreamSource::DynamoDb,
            (2, 2),
            5,
            0,
            None,
            true,
            None,
            Some(20 * S),
            false,
        ),
        (
            StreamSource::Kinesis,
            (5, 4),
            3,
            300 * MS,
            None,
            false,
            Some(0),
            None,
            false,
        ),
    ];
    for mode in modes {
        let (source, (shards, parallelization_factor), batch_size, batch_window, reserved) =
            (mode.0, mode.1, mode.2, mode.3, mode.4);
        let (failing, maximum_retry_attempts, maximum_record_age, bisect_batch_on_error) =
            (mode.5, mode.6, mode.7, mode.8);
        let mut f = function("consumer", if failing { 2 * S } else { 900 * MS });
        f.invocation = InvocationType::Stream;
        f.reserved_concurrency = reserved;
        f.timeout = S;
        f.stream = StreamConfig {
            source,
            shards,
            parallelization_factor,
            batch_size,
            batch_window,
            maximum_retry_attempts,
            maximum_record_age,
            bisect_batch_on_error,
        };
        let mut config = config(240 * S, vec![f]);
        config.account.concurrency_limit = 200;
        // New environments at 4 at once, then one a second.
        config.account.scaling = ScalingConfig {
            mode: ScalingMode::PerFunction,
            burst: 4,
            refill_per_minute: 60,
        };
        // 3,000 records at once, then a trickle.
        let times = std::iter::repeat_n(0, 3000).chain((0..50).map(|i| 100 * S + i * 2 * S));
        let case = backlog(config, times);
        let expected = reference::simulate(&case.config, &case.streams).expect("no tie");
        let r = expected.functions[0].stream.unwrap();
        assert!(r.batches > 100, "{mode:?}: {r:?}");
        assert_eq!(fast(&case), expected, "{mode:?}");
    }
}

/// `docs/model.md`: "Reserved concurrency 0 throttles every request as
/// `reserved_limit`", even once other functions have used up the account's request
/// rate (the fast model once counted those as `rps_limit`).
#[test]
fn reserved_zero_throttles_are_reserved_limit_when_the_account_rate_is_used_up() {
    let mut blocked = function("blocked", 10 * MS);
    blocked.reserved_concurrency = Some(0);
    let mut cfg = config(S, vec![function("open", 10 * MS), blocked]);
    // One request a second for the account (limit 1,000): `open` takes it at t = 0.
    cfg.account.rps_per_environment = 0.001;
    let (summary, _) = run(cfg, vec![feed(at([0]), 0), feed(at([0]), 1)]);
    let throttles = summary.functions[1].throttles_by_reason;
    assert_eq!((throttles.reserved_limit, throttles.rps_limit), (1, 0));
}

/// A case of one stream of arrivals at `times`, all to the first function: a backlog
/// for the tests above.
fn backlog(config: SimConfig, times: impl Iterator<Item = Nanos>) -> Case {
    let arrivals = times
        .map(|time| Arrival {
            time,
            duration: None,
            target: 0,
        })
        .collect();
    Case {
        config,
        streams: vec![StreamSpec {
            targets: vec![0],
            arrivals,
        }],
    }
}

/// What a function's run exercised, by name; `fifo`: its queue is a FIFO queue.
fn exercised(o: &Observed, fifo: bool) -> [(&'static str, u64); 25] {
    let t = o.throttles;
    let a = o.async_events.unwrap_or_default();
    let q = o.sqs.unwrap_or_default();
    let fifo_q = if fifo { q } else { Default::default() };
    let r = o.stream.unwrap_or_default();
    [
        ("cold starts", o.cold_starts),
        (
            "warm on-demand starts",
            o.invocations - o.cold_starts - o.provisioned_invocations,
        ),
        ("provisioned invocations", o.provisioned_invocations),
        ("spillover invocations", o.spillover_invocations),
        ("timeouts", o.timeouts),
        ("reserved_limit throttles", t.reserved_limit),
        ("account_limit throttles", t.account_limit),
        ("scaling_rate throttles", t.scaling_rate),
        ("rps_limit throttles", t.rps_limit),
        ("async events succeeded", a.succeeded),
        ("async events dropped", a.dropped - a.dropped_after_errors),
        ("async events dropped after errors", a.dropped_after_errors),
        ("async events queued at the end", a.queued_at_end),
        ("SQS messages processed", q.processed),
        ("SQS messages dead-lettered", q.dead_lettered),
        ("SQS batches throttled", q.batches_throttled),
        ("SQS messages queued at the end", q.queued_at_end),
        ("FIFO messages processed", fifo_q.processed),
        ("FIFO messages dead-lettered", fifo_q.dead_lettered),
        ("FIFO batches throttled", fifo_q.batches_throttled),
        ("stream records processed", r.processed),
        ("stream records discarded", r.discarded),
        ("stream batches failed", r.batches_failed),
        ("stream batches throttled", r.batches_throttled),
        ("stream records held at the end", r.held_at_end),
    ]
}

/// Whether changing every function of `case` changes the reference's answer.
fn setting_matters(case: &Case, totals: &Totals, change: fn(&mut FunctionConfig)) -> bool {
    let mut config = case.config.clone();
    for f in &mut config.functions {
        change(f);
    }
    reference::simulate(&config, &case.streams).is_ok_and(|changed| changed != *totals)
}

/// Keeps the comparison above from going vacuous when the generator changes: in a
/// fixed sample of cases every rule compared binds somewhere, FIFO messages wait in
/// their group behind a failed batch, keep-alive, the stream mappings' window, record
/// age and bisecting, and FIFO message groups (against a standard queue) change the
/// answer of some cases, and few cases are skipped for a tie.
#[test]
fn the_cases_exercise_every_rule() {
    let mut runner = TestRunner::deterministic();
    let strategy = arb_case();
    let (mut seen, mut ties, mut keep_alive_matters) = ([0; 25], 0, 0);
    let (mut settings_matter, mut held_behind_failures) = ([0; 4], 0);
    for _ in 0..256 {
        let case = strategy.new_tree(&mut runner).expect("a case").current();
        let Ok((totals, held)) = reference::simulate_counting_holds(&case.config, &case.streams)
        else {
            ties += 1;
            continue;
        };
        held_behind_failures += held;
        for (function, config) in totals.functions.iter().zip(&case.config.functions) {
            let fifo = config.sqs.message_groups.is_some();
            for (sum, (_, n)) in seen.iter_mut().zip(exercised(function, fifo)) {
                *sum += n;
            }
        }
        let mut kept = case.config.clone();
        for f in &mut kept.functions {
            f.idle_timeout = u64::MAX / 4;
            f.function_idle_timeout = None;
            f.max_lifetime = None;
        }
        let kept = reference::simulate(&kept, &case.streams);
        keep_alive_matters += u32::from(kept.is_ok_and(|kept| kept != totals));
        let settings: [fn(&mut FunctionConfig); 4] = [
            |f| f.stream.batch_window = 0,
            |f| f.stream.maximum_record_age = None,
            |f| f.stream.bisect_batch_on_error = false,
            |f| f.sqs.message_groups = None,
        ];
        for (n, change) in settings_matter.iter_mut().zip(settings) {
            *n += u32::from(setting_matters(&case, &totals, change));
        }
    }
    let names = exercised(&Observed::default(), false).map(|(name, _)| name);
    for (name, n) in names.iter().zip(seen) {
        assert!(n > 0, "no case has {name}");
    }
    assert!(
        held_behind_failures > 0,
        "no FIFO message waits behind a failed batch of its group"
    );
    assert!(
        keep_alive_matters > 25,
        "keep-alive changed {keep_alive_matters} cases"
    );
    let settings = [
        "stream mappings' batch window",
        "stream mappings' maximum record age",
        "stream mappings' bisecting",
        "SQS mappings' message groups",
    ];
    for (setting, n) in settings.iter().zip(settings_matter) {
        assert!(n > 2, "the {setting} changed {n} cases");
    }
    assert!(ties < 5, "{ties} ties");
}
