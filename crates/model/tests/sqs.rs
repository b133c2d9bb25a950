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
    // Received at 0, 30 and 60 s (SQS hides a message for the visibility timeout from
    // its receive); the third failure, at 61 s, dead-letters it.
    let dead: Vec<f64> = rows
        .iter()
        .filter(|r| r.sqs_dead_lettered > 0)
        .map(|r| r.t_s)
        .collect();
    assert_eq!(dead, [61.0]);
    // Its age counts until then.
    assert_eq!(q.oldest_age_max_s, 61.0);
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

/// Provisioned mode with `minimum` and `maximum` event pollers, one message a batch.
fn provisioned(minimum: u32, maximum: u32) -> SqsConfig {
    SqsConfig {
        provisioned: Some(SqsProvisioned {
            minimum_pollers: minimum,
            maximum_pollers: maximum,
        }),
        ..one_at_a_time()
    }
}

/// The documented rule of provisioned mode, second by second: the minimum pollers'
/// 10 invocations each from the start, 1,000 more a minute while messages wait (the
/// whole invocations of 1,000 × k / 60 after k seconds), up to the maximum pollers'.
fn provisioned_by_the_rule(minimum: u32, maximum: u32, second: u64) -> u32 {
    let added = (1_000 * second / 60) as u32;
    (10 * minimum + added).min(10 * maximum)
}

#[test]
fn provisioned_mode_has_its_minimum_at_once_and_adds_1_000_a_minute_to_its_maximum() {
    let (minimum, maximum) = (5, 150);
    let mut cfg = config(
        300 * S,
        vec![sqs_function(provisioned(minimum, maximum), S)],
    );
    cfg.account.concurrency_limit = 3_000;
    let (summary, rows) = run_unchecked(cfg, vec![feed(burst(0, 200_000), 0)]);
    // 50 concurrent invocations in the first second, not 5.
    assert_eq!(rows[0].concurrency_max, 50);
    for (k, r) in rows.iter().take(120).enumerate() {
        let expected = provisioned_by_the_rule(minimum, maximum, k as u64);
        assert_eq!(r.sqs_pollers, expected, "at {k} s");
    }
    assert_eq!(
        rows[60].sqs_pollers - rows[0].sqs_pollers,
        1_000,
        "1,000 a minute"
    );
    assert_eq!(
        summary.functions[0].peak_concurrency, 1_500,
        "maximum_pollers x 10"
    );
    assert!(rows.iter().all(|r| r.concurrency_max <= r.sqs_pollers));
}

#[test]
fn provisioned_pollers_scale_back_to_their_minimum_and_stay_there() {
    let mut cfg = config(200 * S, vec![sqs_function(provisioned(3, 100), S)]);
    cfg.account.concurrency_limit = 2_000;
    let (_, rows) = run(cfg, vec![feed(burst(0, 20_000), 0)]);
    assert!(rows.iter().any(|r| r.sqs_pollers > 300));
    let last = rows.last().unwrap();
    assert_eq!((last.sqs_pollers, last.sqs_depth), (30, 0));
    assert!(
        rows.iter().all(|r| r.sqs_pollers >= 30),
        "never below the minimum"
    );
}

#[test]
fn provisioned_mode_and_maximum_concurrency_are_exclusive() {
    let both = SqsConfig {
        maximum_concurrency: Some(100),
        ..provisioned(2, 200)
    };
    let cfg = config(S, vec![sqs_function(both, S)]);
    assert!(Simulation::new(cfg, vec![]).is_err());
    let refused = |minimum, maximum| {
        let cfg = config(S, vec![sqs_function(provisioned(minimum, maximum), S)]);
        Simulation::new(cfg, vec![]).is_err()
    };
    assert!(refused(1, 200), "at least 2 pollers");
    assert!(refused(201, 300), "a minimum up to 200");
    assert!(refused(2, 2_001), "a maximum up to 2,000");
    assert!(refused(50, 40), "the maximum under the minimum");
    assert!(!refused(200, 2_000));
}

fn fifo(groups: u32) -> SqsConfig {
    SqsConfig {
        message_groups: Some(groups),
        ..one_at_a_time()
    }
}

#[test]
fn a_fifo_queue_runs_at_most_one_batch_per_message_group() {
    // 5 pollers from the start, then more, but 3 groups: 3 batches at once.
    let mut cfg = config(60 * S, vec![sqs_function(fifo(3), S)]);
    cfg.account.concurrency_limit = 2_000;
    let (summary, rows) = run(cfg, vec![feed(burst(0, 90), 0)]);
    assert_eq!(summary.functions[0].peak_concurrency, 3);
    // 30 messages a group, one a second each: drained after 30 s.
    let q = sqs_summary(&summary);
    assert_eq!((q.processed, q.batches), (90, 90));
    let last = rows.iter().rfind(|r| r.sqs_processed > 0).unwrap();
    assert_eq!(last.t_s, 30.0);
    // The same messages on a standard queue run 5 at once and more as pollers grow.
    let (standard, _) = run(
        config(60 * S, vec![sqs_function(one_at_a_time(), S)]),
        vec![feed(burst(0, 90), 0)],
    );
    assert!(standard.functions[0].peak_concurrency > 3);
}

#[test]
fn a_failed_fifo_batch_blocks_its_group_until_dead_lettered() {
    // One group, three messages that always fail, dead-lettered at the second
    // receive: each waits for the one before it. The first is received at 0 and
    // 30 s (the visibility timeout counts from the receive) and dead-lettered at
    // 31 s, the second received then, and so on.
    let sqs = SqsConfig {
        max_receive_count: Some(2),
        ..fifo(1)
    };
    let mut f = sqs_function(sqs, S);
    f.error_rate = 1.0;
    let (summary, rows) = run(config(120 * S, vec![f]), vec![feed(burst(0, 3), 0)]);
    let dead: Vec<f64> = rows
        .iter()
        .filter(|r| r.sqs_dead_lettered > 0)
        .map(|r| r.t_s)
        .collect();
    assert_eq!(dead, [31.0, 62.0, 93.0]);
    assert_eq!(summary.functions[0].peak_concurrency, 1);
    assert_eq!(summary.functions[0].invocations, 6);
}

#[test]
fn fifo_settings_aws_refuses_are_refused() {
    let refused = |sqs: SqsConfig| {
        let cfg = config(S, vec![sqs_function(sqs, S)]);
        Simulation::new(cfg, vec![]).is_err()
    };
    assert!(refused(SqsConfig {
        batch_size: 11,
        batch_window: S,
        ..fifo(2)
    }));
    assert!(refused(SqsConfig {
        batch_window: S,
        ..fifo(2)
    }));
    assert!(refused(fifo(0)));
    assert!(refused(fifo(100_001)));
    assert!(!refused(SqsConfig {
        batch_size: 10,
        ..fifo(100_000)
    }));
}

/// 10,000 messages in full batches of 10 (the window fills them), each failing with
/// 0.2 and dead-lettered at its first failure; returns (summary, its SQS part).
fn failures_of_full_batches(report: bool, groups: Option<u32>) -> (RunSummary, SqsSummary) {
    let sqs = SqsConfig {
        batch_size: 10,
        batch_window: if groups.is_some() { 0 } else { S },
        max_receive_count: Some(1),
        report_batch_item_failures: report,
        message_groups: groups,
        ..SqsConfig::default()
    };
    let mut f = sqs_function(sqs, S);
    f.error_rate = 0.2;
    let mut cfg = config(300 * S, vec![f]);
    cfg.account.concurrency_limit = 2_000;
    let (summary, _) = run(cfg, vec![feed(burst(0, 10_000), 0)]);
    let q = sqs_summary(&summary);
    assert_eq!(q.processed + q.dead_lettered, 10_000);
    (summary, q)
}

#[test]
fn without_batch_item_failures_a_failed_batch_returns_whole() {
    let (summary, q) = failures_of_full_batches(false, None);
    let errors = summary.functions[0].errors;
    assert_eq!(q.batches, 1_000);
    // Every failed batch dead-letters its 10 messages, the successful ones too.
    assert_eq!(q.dead_lettered, 10 * errors);
    // About 200 of the 1,000 batches fail (binomial, 4 sigma = 51).
    assert!((149..=251).contains(&errors), "{errors} batches failed");
}

#[test]
fn with_batch_item_failures_only_the_failed_messages_return() {
    let (summary, q) = failures_of_full_batches(true, None);
    // The invocations succeed and report their failed messages.
    assert_eq!(summary.functions[0].errors, 0);
    assert_eq!(q.batches, 1_000);
    // Each message fails with 0.2 apart: 2,000 of 10,000 (4 sigma = 160), with no
    // function error behind them.
    assert!(
        (1_840..=2_160).contains(&q.dead_lettered),
        "{} dead-lettered",
        q.dead_lettered
    );
}

#[test]
fn a_fifo_function_reporting_failures_returns_the_first_failure_and_all_after_it() {
    // Ten groups: each batch of 10 loses its messages from the first failure on. With
    // a 0.2 chance per message, a batch keeps k messages with chance 0.8^k x 0.2 (and
    // all 10 with 0.8^10): about 3.6 of 10 are dead-lettered on average.
    let (summary, q) = failures_of_full_batches(true, Some(10));
    assert_eq!(summary.functions[0].errors, 0);
    assert_eq!(summary.functions[0].peak_concurrency, 10);
    let per_batch = 10.0 * q.dead_lettered as f64 / 10_000.0;
    let expected: f64 = (0..10)
        .map(|k| f64::from(10 - k) * 0.8f64.powi(k) * 0.2)
        .sum();
    assert!(
        (per_batch - expected).abs() < 0.25,
        "{per_batch} dead-lettered per batch, expected {expected}"
    );
}

#[test]
fn fifo_pollers_scale_up_for_messages_behind_running_batches() {
    // 20 groups of 200 messages: while groups wait for a poller the pollers grow by
    // 5 a second as on a standard queue; once every group runs a batch, messages
    // still wait behind them and the pollers hold at 20, neither shrinking (the
    // queue is not empty) nor growing (no batch waits for a poller).
    let mut cfg = config(300 * S, vec![sqs_function(fifo(20), S)]);
    cfg.account.concurrency_limit = 2_000;
    let (_, rows) = run(cfg, vec![feed(burst(0, 4_000), 0)]);
    for (k, r) in rows.iter().take(150).enumerate() {
        let pollers = (5 + 5 * k as u32).min(20);
        assert_eq!(r.sqs_pollers, pollers, "pollers at {k} s");
        assert_eq!(r.concurrency_max, pollers, "concurrency at {k} s");
    }
}
