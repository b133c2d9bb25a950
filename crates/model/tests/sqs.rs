//! The SQS event source mapping, from AWS's numbers ("Scaling behavior for SQS event
//! source mappings", "Configuring an SQS event source mapping").

mod common;
use common::*;
use lambdasim_model::*;

fn sqs_function(config: SqsConfig, duration: u64) -> FunctionConfig {
    let mut f = function("orders", duration);
    f.invocation = InvocationType::Sqs;
    f.sqs = config;
    f
}

fn one_at_a_time() -> SqsConfig {
    SqsConfig {
        batch_size: 1,
        ..SqsConfig::default()
    }
}

fn sqs_summary(summary: &RunSummary) -> SqsSummary {
    summary.functions[0]
        .sqs
        .expect("an SQS function has an SQS summary")
}

/// The documented rule, second by second: pollers start at 5 and add 300 a minute (5
/// a second) while messages wait, up to `cap`; each runs one 1-s batch of one message
/// per second. Returns (seconds to drain `backlog`, pollers in the last second).
fn drain_by_the_rule(backlog: u64, cap: u32) -> (u64, u32) {
    let (mut remaining, mut second, mut pollers) = (backlog, 0, 0);
    while remaining > 0 {
        pollers = (SqsConfig::START_POLLERS + 5 * second as u32).min(cap);
        remaining -= u64::from(pollers).min(remaining);
        second += 1;
    }
    (second, pollers)
}

/// A backlog of `backlog` messages at time 0, one per 1-s batch: checks that it drains
/// when the rule says, at the concurrency it says, and returns the rows.
fn drains_as_the_rule_says(backlog: usize, cap: Option<u32>) -> Vec<BucketRow> {
    let mut cfg = config(
        600 * S,
        vec![sqs_function(
            SqsConfig {
                maximum_concurrency: cap,
                ..one_at_a_time()
            },
            S,
        )],
    );
    cfg.account.concurrency_limit = 2_000;
    let (summary, rows) = run_unchecked(cfg, vec![feed(burst(0, backlog), 0)]);
    let (seconds, pollers) =
        drain_by_the_rule(backlog as u64, cap.unwrap_or(SqsConfig::MAX_POLLERS));
    let q = sqs_summary(&summary);
    assert_eq!(q.received, backlog as u64);
    assert_eq!(q.processed, backlog as u64);
    assert_eq!(q.batches, backlog as u64);
    // Concurrency reaches the pollers' last level (at the last second's start the
    // new batches begin as the old ones end) and never passes the pollers.
    assert_eq!(summary.functions[0].peak_concurrency, pollers);
    assert!(rows.iter().all(|r| r.concurrency_max <= r.sqs_pollers));
    // The last batches end `seconds` after the start: processed in that bucket.
    let last = rows.iter().rfind(|r| r.sqs_processed > 0).unwrap();
    assert_eq!(
        last.t_s, seconds as f64,
        "drained at {} s, not {seconds} s",
        last.t_s
    );
    rows
}

#[test]
fn a_backlog_of_100_000_grows_pollers_by_300_a_minute_and_drains_when_the_rule_says() {
    let rows = drains_as_the_rule_says(100_000, None);
    // Five pollers more each second, from 5.
    for (k, r) in rows.iter().take(60).enumerate() {
        assert_eq!(r.sqs_pollers, 5 + 5 * k as u32, "at {k} s");
    }
    assert_eq!(
        rows[60].sqs_pollers - rows[0].sqs_pollers,
        300,
        "300 a minute"
    );
}

#[test]
fn pollers_stop_at_1_250_per_mapping() {
    let rows = drains_as_the_rule_says(400_000, None);
    let most = rows.iter().map(|r| r.sqs_pollers).max().unwrap();
    assert_eq!(most, SqsConfig::MAX_POLLERS);
    assert_eq!(rows.iter().map(|r| r.concurrency_max).max().unwrap(), 1_250);
}

#[test]
fn maximum_concurrency_100_caps_at_exactly_100() {
    let rows = drains_as_the_rule_says(20_000, Some(100));
    assert_eq!(rows.iter().map(|r| r.sqs_pollers).max().unwrap(), 100);
    assert_eq!(rows.iter().map(|r| r.concurrency_max).max().unwrap(), 100);
}

#[test]
fn a_throttled_batch_reappears_after_the_visibility_timeout() {
    // Reserved concurrency 1 and two messages: the second batch is throttled, hidden
    // for 30 s, then received again and run.
    let mut f = sqs_function(one_at_a_time(), 10 * S);
    f.reserved_concurrency = Some(1);
    let (summary, rows) = run(config(60 * S, vec![f]), vec![feed(burst(0, 2), 0)]);
    let q = sqs_summary(&summary);
    assert_eq!(q.batches_throttled, 1);
    assert_eq!(summary.functions[0].throttles_by_reason.reserved_limit, 1);
    assert_eq!(q.processed, 2);
    let started: Vec<f64> = rows
        .iter()
        .filter(|r| r.invocations > 0)
        .map(|r| r.t_s)
        .collect();
    assert_eq!(
        started,
        [0.0, 30.0],
        "the second batch runs at the timeout's end"
    );
    // Hidden, the message stays in the queue's depth until then.
    assert!(rows[..30].iter().all(|r| r.sqs_depth == 1));
    assert_eq!(rows[40].sqs_processed, 1);
}

#[test]
fn a_message_received_max_receive_count_times_is_dead_lettered() {
    let mut f = sqs_function(
        SqsConfig {
            max_receive_count: Some(3),
            ..one_at_a_time()
        },
        S,
    );
    f.error_rate = 1.0;
    let (summary, rows) = run(config(120 * S, vec![f]), vec![feed(burst(0, 1), 0)]);
    let q = sqs_summary(&summary);
    assert_eq!((q.dead_lettered, q.processed, q.queued_at_end), (1, 0, 0));
    assert_eq!(summary.functions[0].invocations, 3);
    // Received at 0, 31 and 62 s; the third failure, at 63 s, dead-letters it.
    let dead: Vec<f64> = rows
        .iter()
        .filter(|r| r.sqs_dead_lettered > 0)
        .map(|r| r.t_s)
        .collect();
    assert_eq!(dead, [63.0]);
    // Its age counts until then.
    assert_eq!(q.oldest_age_max_s, 63.0);
}

#[test]
fn without_a_dead_letter_queue_a_failing_message_is_retried_until_the_end() {
    let mut f = sqs_function(one_at_a_time(), S);
    f.error_rate = 1.0;
    let (summary, _) = run(config(300 * S, vec![f]), vec![feed(burst(0, 1), 0)]);
    let q = sqs_summary(&summary);
    assert_eq!((q.dead_lettered, q.queued_at_end), (0, 1));
    // Every 31 s: 0, 31, ..., 279.
    assert_eq!(summary.functions[0].invocations, 10);
}

#[test]
fn batches_take_up_to_batch_size_and_a_window_waits_to_fill_them() {
    // 25 messages at once, 10 a batch, no window: each of the 5 pollers leaves with
    // the one message there as it arrives; the 20 others wait for a free poller, at
    // 1 s, and leave 10 and 10.
    let f = sqs_function(SqsConfig::default(), S);
    let (summary, rows) = run(config(10 * S, vec![f]), vec![feed(burst(0, 25), 0)]);
    assert_eq!(sqs_summary(&summary).batches, 7);
    assert_eq!((rows[0].invocations, rows[1].invocations), (5, 2));
    // One message a second, batches of up to 100 with a 5-s window: each batch leaves
    // with the messages of its window (the first at 5 s with 5; 0 s is the first).
    let f = sqs_function(
        SqsConfig {
            batch_size: 100,
            batch_window: 5 * S,
            ..SqsConfig::default()
        },
        S,
    );
    let (summary, rows) = run(config(30 * S, vec![f]), vec![feed(even(1, 20 * S), 0)]);
    let q = sqs_summary(&summary);
    assert_eq!(q.processed, 20);
    assert_eq!(q.batches, 4);
    assert_eq!(rows[5].invocations, 1);
    assert!(rows[..5].iter().all(|r| r.invocations == 0));
}

#[test]
fn sqs_settings_out_of_range_are_refused() {
    let refused = |sqs: SqsConfig| {
        let cfg = config(S, vec![sqs_function(sqs, S)]);
        Simulation::new(cfg, vec![]).is_err()
    };
    let d = SqsConfig::default();
    assert!(refused(SqsConfig { batch_size: 0, ..d }));
    assert!(
        refused(SqsConfig {
            batch_size: 11,
            ..d
        }),
        "above 10 needs a window"
    );
    assert!(!refused(SqsConfig {
        batch_size: 11,
        batch_window: S,
        ..d
    }));
    assert!(refused(SqsConfig {
        maximum_concurrency: Some(1),
        ..d
    }));
    assert!(refused(SqsConfig {
        maximum_concurrency: Some(1_001),
        ..d
    }));
    assert!(refused(SqsConfig {
        max_receive_count: Some(0),
        ..d
    }));
    assert!(!refused(SqsConfig {
        maximum_concurrency: Some(2),
        ..d
    }));
}
