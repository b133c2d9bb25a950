//! Asynchronous invocations, their retries, and synchronous client retries.

mod common;
use common::*;
use lambdasim_model::*;

const MIN: u64 = 60 * S;

fn async_function(reserved: u32, duration: u64) -> FunctionConfig {
    let mut f = function("f", duration);
    f.invocation = InvocationType::Async;
    f.reserved_concurrency = Some(reserved);
    f
}

fn async_summary(summary: &RunSummary) -> AsyncSummary {
    summary.functions[0]
        .async_events
        .expect("async function has an async summary")
}

#[test]
fn async_events_are_never_lost_under_overload() {
    // 100 events/s for a minute into 10 environments of 1 s: a long queue.
    let cfg = config(30 * MIN, vec![async_function(10, S)]);
    let (summary, rows) = run(cfg, vec![feed(even(100, MIN), 0)]);
    let a = async_summary(&summary);
    assert_eq!(a.received, 6000);
    assert_eq!(a.received, a.succeeded + a.dropped + a.queued_at_end);
    assert!(summary.functions[0].throttles > 0, "tries were throttled");
    assert!(rows.iter().map(|r| r.queue_depth).max().unwrap() > 1000);
    assert!(a.age_ms.max > 60_000.0, "events waited more than a minute");
}

#[test]
fn each_bucket_reports_the_age_of_the_events_it_invoked() {
    // 100 events/s for a minute into 10 environments of 1 s: the queue drains over ten
    // minutes, and the events invoked later have waited longer.
    let cfg = config(30 * MIN, vec![async_function(10, S)]);
    let (summary, rows) = run(cfg, vec![feed(even(100, MIN), 0)]);
    let ages: Vec<(f64, f64)> = rows
        .iter()
        .map(|r| (r.async_age_p99_ms, r.async_age_max_ms))
        .collect();
    // Invocations in a bucket have an age; buckets without invocations have none.
    for (r, (p99, max)) in rows.iter().zip(&ages) {
        assert_eq!(r.invocations > 0, !max.is_nan(), "bucket at {} s", r.t_s);
        assert!(max.is_nan() || p99 <= max);
    }
    // The longest wait of any bucket is the run's, and it grows while the queue drains.
    let longest = ages
        .iter()
        .map(|a| a.1)
        .filter(|m| !m.is_nan())
        .fold(0.0, f64::max);
    assert_eq!(longest, async_summary(&summary).age_ms.max);
    let busy: Vec<f64> = ages.iter().map(|a| a.1).filter(|m| !m.is_nan()).collect();
    assert!(busy.first() < busy.last(), "{busy:?}");
}

/// A waiting event costs work when it is served or dropped, not at each failed try:
/// with the run eight times longer the tries grow more than twelvefold (the backlog
/// grows with the run, and so do the tries of each event), the events handled about
/// eightfold (300 events/s against 10 environments of 2 s once took 2.4x as long per
/// doubling of the run).
#[test]
fn failed_tries_behind_a_full_pool_cost_no_work_each() {
    let overload = |minutes: u64| {
        let cfg = config(minutes * MIN, vec![async_function(10, 2 * S)]);
        let (summary, _) = run_unchecked(cfg, vec![feed(poisson(7, 300.0), 0)]);
        (summary.events, summary.functions[0].throttles)
    };
    let (short_events, short_tries) = overload(4);
    let (long_events, long_tries) = overload(32);
    assert!(
        long_tries > 12 * short_tries,
        "tries {short_tries} -> {long_tries}"
    );
    assert!(
        long_events < 9 * short_events,
        "events {short_events} -> {long_events}"
    );
}

#[test]
fn under_reserved_concurrency_0_async_events_are_throttled_once_and_dropped() {
    let (summary, _) = run(
        config(MIN, vec![async_function(0, S)]),
        vec![feed(even(1, 10 * S), 0)],
    );
    let a = async_summary(&summary);
    assert_eq!((a.received, a.dropped, a.queued_at_end), (10, 10, 0));
    assert_eq!(a.dropped_after_errors, 0);
    let t = summary.functions[0].throttles_by_reason;
    assert_eq!((t.reserved_limit, t.rps_limit), (10, 0));
}

#[test]
fn events_past_their_maximum_age_are_dropped_and_counted() {
    let mut f = async_function(5, 10 * S);
    f.async_config.max_event_age = 2 * MIN;
    let (summary, _) = run(config(30 * MIN, vec![f]), vec![feed(even(20, MIN), 0)]);
    let a = async_summary(&summary);
    assert!(a.dropped > 0 && a.succeeded > 0);
    assert_eq!(a.received, a.succeeded + a.dropped + a.queued_at_end);
    assert_eq!(a.queued_at_end, 0);
    assert_eq!(a.dropped_after_errors, 0);
}

#[test]
fn the_queue_at_the_end_is_reported() {
    let (summary, _) = run(
        config(MIN, vec![async_function(1, 10 * S)]),
        vec![feed(burst(0, 20), 0)],
    );
    let a = async_summary(&summary);
    assert!(a.queued_at_end > 0);
    assert_eq!(a.received, a.succeeded + a.dropped + a.queued_at_end);
}

#[test]
fn failed_events_are_retried_twice_a_minute_then_two_minutes_apart() {
    let mut f = async_function(10, S);
    f.error_rate = 1.0;
    let (summary, rows) = run(config(10 * MIN, vec![f]), vec![feed(at([0]), 0)]);
    let a = async_summary(&summary);
    assert_eq!((a.dropped, a.dropped_after_errors, a.succeeded), (1, 1, 0));
    assert_eq!(summary.functions[0].invocations, 3);
    assert_eq!(summary.functions[0].errors, 3);
    // Tries at 0 s, 1 s + 1 min (after the first failure ends), 2 s + 3 min.
    let starts: Vec<f64> = rows
        .iter()
        .filter(|r| r.invocations > 0)
        .map(|r| r.t_s)
        .collect();
    assert_eq!(starts, vec![0.0, 61.0, 182.0]);
}

#[test]
fn retry_attempts_zero_drops_at_the_first_error() {
    let mut f = async_function(10, S);
    f.error_rate = 1.0;
    f.async_config.retry_attempts = 0;
    let (summary, _) = run(config(10 * MIN, vec![f]), vec![feed(at([0]), 0)]);
    assert_eq!(summary.functions[0].invocations, 1);
}

#[test]
fn synchronous_errors_are_counted_and_not_retried() {
    let mut f = function("f", 100 * MS);
    f.error_rate = 0.25;
    let (summary, _) = run(config(MIN, vec![f]), vec![feed(even(100, MIN), 0)]);
    let f = &summary.functions[0];
    assert_eq!(f.invocations, 6000);
    assert!(f.errors.abs_diff(1500) < 150, "{} errors", f.errors);
}

#[test]
fn clients_retry_throttles_with_jittered_backoff_and_then_give_up() {
    let mut f = function("f", 10 * S);
    f.reserved_concurrency = Some(10);
    f.client_retries = Some(ClientRetries {
        attempts: 3,
        base: 100 * MS,
    });
    let (summary, _) = run(config(MIN, vec![f]), vec![feed(burst(0, 100), 0)]);
    let f = &summary.functions[0];
    // 90 throttled at once, each retried 3 times within 1.5 s, all throttled again.
    assert_eq!(f.client_retries, 270);
    assert_eq!(f.client_gave_up, 90);
    assert_eq!(f.requests, 100 + 270);
    assert_eq!(f.requests, f.invocations + f.throttles);
}

#[test]
fn the_bill_for_a_million_one_second_requests_at_1024_mb_is_16_87() {
    let mut f = function("f", S);
    f.memory_mb = 1024;
    let mut cfg = config(1000 * S, vec![f]);
    cfg.account.concurrency_limit = 2000;
    let (summary, _) = run_unchecked(cfg, vec![feed(even(1000, 1000 * S), 0)]);
    let f = &summary.functions[0];
    assert_eq!((f.invocations, f.throttles), (1_000_000, 0));
    assert!(
        (f.cost_usd.total - 16.8667).abs() < 1e-4,
        "{:?}",
        f.cost_usd
    );
}
