//! The Kinesis and DynamoDB stream event source mapping, from AWS's numbers ("Lambda
//! parameters for Amazon Kinesis Data Streams event source mappings", "How Lambda
//! processes records from Amazon Kinesis Data Streams", "Using AWS Lambda with Amazon
//! DynamoDB").

mod common;
use common::*;
use lambdasim_model::*;

fn stream_function(config: StreamConfig, duration: u64) -> FunctionConfig {
    let mut f = function("clicks", duration);
    f.invocation = InvocationType::Stream;
    f.stream = config;
    f
}

/// A Kinesis mapping of `shards` × `parallelization_factor` with batches of one.
fn one_at_a_time(shards: u32, parallelization_factor: u32) -> StreamConfig {
    StreamConfig {
        shards,
        parallelization_factor,
        batch_size: 1,
        ..StreamConfig::new(StreamSource::Kinesis)
    }
}

fn stream_summary(summary: &RunSummary) -> StreamSummary {
    summary.functions[0]
        .stream
        .expect("a stream function has a stream summary")
}

/// A backlog of 50 one-second records per lane on `shards` × `pf` lanes:
/// concurrency reaches shards × pf exactly and never passes it, and the backlog
/// drains in the 50 s that implies.
fn saturated(shards: u32, pf: u32) {
    let lanes = shards * pf;
    let f = stream_function(one_at_a_time(shards, pf), S);
    let backlog = 50 * lanes as usize;
    let (summary, rows) = run(config(60 * S, vec![f]), vec![feed(burst(0, backlog), 0)]);
    assert_eq!(summary.functions[0].peak_concurrency, lanes);
    assert!(rows.iter().all(|r| r.concurrency_max <= lanes));
    let s = stream_summary(&summary);
    assert_eq!(
        (s.processed, s.discarded, s.held_at_end),
        (backlog as u64, 0, 0)
    );
    // Each lane takes its 50 records one a second from time 0: the last end at 50 s.
    let last = rows.iter().rfind(|r| r.stream_processed > 0).unwrap();
    assert_eq!(last.t_s, 50.0, "{shards} x {pf}");
}

#[test]
fn concurrency_is_shards_times_parallelization_factor_exactly() {
    saturated(4, 1);
    saturated(4, 5);
    saturated(10, 10);
}

#[test]
fn a_shards_records_are_processed_in_arrival_order() {
    // Ten records 100 ms apart on one shard, each batch one record of 1 s: in order,
    // the k-th runs at k s, when it is 0.9 k s old (newest first would be 0.1 s).
    let f = stream_function(one_at_a_time(1, 1), S);
    let times = (0..10).map(|k| k * 100 * MS);
    let (summary, rows) = run(config(20 * S, vec![f]), vec![feed(at(times), 0)]);
    for (k, r) in rows.iter().take(10).enumerate() {
        assert_eq!(r.concurrency_max, 1);
        let expected = 0.9 * k as f64;
        assert!(
            (r.stream_iterator_age_s - expected).abs() < 1e-9,
            "at {k} s: {} s, not {expected} s",
            r.stream_iterator_age_s
        );
    }
    assert_eq!(stream_summary(&summary).processed, 10);
}

#[test]
fn an_idle_shard_is_polled_once_a_second_on_kinesis_and_four_times_on_dynamodb() {
    let age = |source| {
        let f = stream_function(
            StreamConfig {
                source,
                ..one_at_a_time(1, 1)
            },
            S,
        );
        let (summary, _) = run(config(5 * S, vec![f]), vec![feed(at([300 * MS]), 0)]);
        stream_summary(&summary).iterator_age_max_s
    };
    // A record at 0.3 s is read at the next poll: 1 s, or 0.5 s.
    assert!((age(StreamSource::Kinesis) - 0.7).abs() < 1e-9);
    assert!((age(StreamSource::DynamoDb) - 0.2).abs() < 1e-9);
}

#[test]
fn a_failed_batch_blocks_its_shard_until_its_retries_run_out() {
    // Three records at 0 s, every 100-ms invocation fails, two retries each, a poll
    // (1 s) between tries: record 1 is tried at 0, 1.1 and 2.2 s and discarded at
    // 2.3 s; only then is record 2 read, and so on.
    let mut f = stream_function(
        StreamConfig {
            maximum_retry_attempts: Some(2),
            ..one_at_a_time(1, 1)
        },
        100 * MS,
    );
    f.error_rate = 1.0;
    let (summary, rows) = run(config(20 * S, vec![f]), vec![feed(burst(0, 3), 0)]);
    let s = stream_summary(&summary);
    assert_eq!((s.processed, s.discarded, s.held_at_end), (0, 3, 0));
    assert_eq!((s.batches, s.batches_failed), (9, 9));
    // Record 3 waits behind the others: its last try is at 6.8 s.
    assert!((s.iterator_age_max_s - 6.8).abs() < 1e-9);
    let discarded: Vec<f64> = rows
        .iter()
        .filter(|r| r.stream_discarded > 0)
        .map(|r| r.t_s)
        .collect();
    assert_eq!(discarded, [2.0, 4.0, 6.0]);
}

#[test]
fn a_failing_batch_holds_its_shard_until_its_records_pass_maximum_record_age() {
    // No retry limit: one record a second, every try fails; the first batch is
    // retried (each try 100 ms, then a poll) while its iterator age grows and the
    // records behind it pile up, until it is older than 60 s.
    let mut f = stream_function(
        StreamConfig {
            maximum_record_age: Some(60 * S),
            ..one_at_a_time(1, 1)
        },
        100 * MS,
    );
    f.error_rate = 1.0;
    let (summary, rows) = run(config(61 * S, vec![f]), vec![feed(even(1, 61 * S), 0)]);
    // Tries at 0, 1.1, 2.2, ..., 59.4 s: 55 of them, each older; at 60.5 s the
    // record is past 60 s and discarded (the next, from 1 s, is 59.5 s old).
    let ages: Vec<f64> = rows[..60]
        .iter()
        .filter(|r| r.invocations > 0)
        .map(|r| r.stream_iterator_age_s)
        .collect();
    assert_eq!(ages.len(), 55);
    assert!(ages.windows(2).all(|w| w[0] < w[1]), "{ages:?}");
    assert!((ages[54] - 59.4).abs() < 1e-9, "{}", ages[54]);
    assert!(rows[..60].iter().all(|r| r.stream_discarded == 0));
    assert_eq!(rows[60].stream_discarded, 1);
    // Records pile up behind it: one more waiting each second.
    assert_eq!(rows[30].stream_waiting, 31);
    assert_eq!(stream_summary(&summary).discarded, 1);
}

#[test]
fn bisect_batch_on_error_splits_a_failed_batch_and_sends_each_half_on_its_own() {
    // Two records at 0.3 and 0.4 s, read together at the 1-s poll; every 100-ms try
    // fails, no retries. Without bisecting the batch is discarded whole after its one
    // try. With it, the failed batch is split (not a retry): the first record alone at
    // 2.1 s (the next poll), discarded at 2.2 s; then the second alone, at once.
    let run_with = |bisect_batch_on_error| {
        let mut f = stream_function(
            StreamConfig {
                batch_size: 2,
                maximum_retry_attempts: Some(0),
                bisect_batch_on_error,
                ..StreamConfig::new(StreamSource::Kinesis)
            },
            100 * MS,
        );
        f.error_rate = 1.0;
        let records = at([300 * MS, 400 * MS]);
        run(config(10 * S, vec![f]), vec![feed(records, 0)])
    };
    let (whole, _) = run_with(false);
    let s = stream_summary(&whole);
    assert_eq!((s.batches, s.discarded), (1, 2));
    let (split, rows) = run_with(true);
    let s = stream_summary(&split);
    assert_eq!((s.batches, s.batches_failed, s.discarded), (3, 3, 2));
    assert_eq!((rows[1].invocations, rows[2].invocations), (1, 2));
    assert_eq!(rows[2].stream_discarded, 2);
    // Each half is 1.8 s old at its try.
    assert!((s.iterator_age_max_s - 1.8).abs() < 1e-9);
}

#[test]
fn a_throttled_batch_is_retried_each_poll_without_using_up_its_retries() {
    // Reserved concurrency 0 throttles every batch: five records at 0 s are retried
    // every second (a throttle is not a failed try: no retries needed) until they pass
    // the 60-s maximum age at 61 s.
    let mut f = stream_function(
        StreamConfig {
            batch_size: 100,
            maximum_retry_attempts: Some(0),
            maximum_record_age: Some(60 * S),
            ..StreamConfig::new(StreamSource::Kinesis)
        },
        S,
    );
    f.reserved_concurrency = Some(0);
    let (summary, rows) = run(config(70 * S, vec![f]), vec![feed(burst(0, 5), 0)]);
    let s = stream_summary(&summary);
    assert_eq!((s.batches_throttled, s.discarded, s.batches), (61, 5, 0));
    assert_eq!(summary.functions[0].throttles_by_reason.reserved_limit, 61);
    assert_eq!(rows[61].stream_discarded, 5);
    assert!(rows[..61].iter().all(|r| r.stream_waiting == 5));
}

#[test]
fn a_full_batch_leaves_before_its_window_ends() {
    // Batches of 5 with a 100-s window, one record a second: the first five are a full
    // batch at 4 s; the next five at 9 s.
    let f = stream_function(
        StreamConfig {
            batch_size: 5,
            batch_window: 100 * S,
            ..StreamConfig::new(StreamSource::Kinesis)
        },
        100 * MS,
    );
    let (summary, rows) = run(config(12 * S, vec![f]), vec![feed(even(1, 10 * S), 0)]);
    let started: Vec<f64> = rows
        .iter()
        .filter(|r| r.invocations > 0)
        .map(|r| r.t_s)
        .collect();
    assert_eq!(started, [4.0, 9.0]);
    assert_eq!(stream_summary(&summary).processed, 10);
}

#[test]
fn stream_settings_out_of_range_are_refused() {
    let refused = |stream: StreamConfig| {
        let cfg = config(S, vec![stream_function(stream, S)]);
        Simulation::new(cfg, vec![]).is_err()
    };
    let d = StreamConfig::default();
    assert_eq!((d.batch_size, d.parallelization_factor), (100, 1));
    assert!(refused(StreamConfig { shards: 0, ..d }));
    assert!(refused(StreamConfig {
        parallelization_factor: 0,
        ..d
    }));
    assert!(refused(StreamConfig {
        parallelization_factor: 11,
        ..d
    }));
    assert!(!refused(StreamConfig {
        parallelization_factor: 10,
        ..d
    }));
    assert!(refused(StreamConfig { batch_size: 0, ..d }));
    assert!(refused(StreamConfig {
        batch_size: 10_001,
        ..d
    }));
    assert!(!refused(StreamConfig {
        batch_size: 10_000,
        ..d
    }));
    assert!(refused(StreamConfig {
        batch_window: 301 * S,
        ..d
    }));
    assert!(refused(StreamConfig {
        maximum_retry_attempts: Some(10_001),
        ..d
    }));
    assert!(refused(StreamConfig {
        maximum_record_age: Some(604_801 * S),
        ..d
    }));
    assert!(!refused(StreamConfig {
        maximum_record_age: Some(604_800 * S),
        ..d
    }));
}

/// Found by the reference model (`tests/reference.rs`). `docs/model.md`: a failed
/// batch is split, "the first half (rounded up) is tried at the next poll, then the
/// second on its own", and a lane that finished a batch "reads the next at once while
/// records are there"; the batch window is how long a *partial batch waits for more
/// records*. The second half is no new batch (its records are fixed), so it has
/// nothing to wait for, even when the lane holds fewer than `batch_size` records.
#[test]
fn the_second_half_of_a_split_batch_does_not_wait_for_a_window() {
    // As in `bisect_batch_on_error_splits_a_failed_batch_and_sends_each_half_on_its_own`,
    // with a 500-ms window: records at 0.3 and 0.4 s make a full batch, read at once at
    // 0.4 s, which fails at 0.5 s; the first half alone fails at 1.5-1.6 s and is
    // discarded; the second goes at once, at 1.6 s, 1.2 s old (not when a window
    // opened at 1.6 s would end, at 2.1 s, 1.7 s old).
    let mut f = stream_function(
        StreamConfig {
            batch_size: 2,
            batch_window: 500 * MS,
            maximum_retry_attempts: Some(0),
            bisect_batch_on_error: true,
            ..StreamConfig::new(StreamSource::Kinesis)
        },
        100 * MS,
    );
    f.error_rate = 1.0;
    let records = at([300 * MS, 400 * MS]);
    let (summary, _) = run(config(10 * S, vec![f]), vec![feed(records, 0)]);
    let s = stream_summary(&summary);
    assert_eq!((s.batches, s.batches_failed, s.discarded), (3, 3, 2));
    assert!(
        (s.iterator_age_max_s - 1.2).abs() < 1e-9,
        "the second half waited: {} s old",
        s.iterator_age_max_s
    );
}
