//! Queues: how many asynchronous events wait in each async function's queue, and how
//! long the events invoked in each bucket had waited (their 99th percentile and the
//! longest; `timeseries.csv`'s `async_age_p99_ms` and `async_age_max_ms`); and for an
//! SQS function, its messages waiting with its pollers, and the age of its oldest
//! message (`sqs_depth`, `sqs_pollers`, `sqs_oldest_age_s`); and for a stream
//! function, its records waiting and its iterator age (`stream_waiting`,
//! `stream_iterator_age_s`).

use super::VariantData;
use super::palette::{ORANGE, POOL_LIMIT, PROVISIONED_LIMIT, PURPLE, RED};
use super::spec::{ChartSpec, Limit, Panel};
use lambdasim_model::InvocationType;

/// Two panels per asynchronous function shown (its queue's depth and its events' age)
/// and three per SQS function (its messages waiting, its pollers and its oldest
/// message's age), two per stream function (its records waiting and its iterator
/// age); `None` when the variant shows no such function.
pub fn spec(v: &VariantData<'_>) -> Option<ChartSpec> {
    let panels: Vec<Panel> = v
        .shown()
        .into_iter()
        .flat_map(|i| match v.config.functions[i].invocation {
            InvocationType::Async => async_panels(v, i),
            InvocationType::Sqs => sqs_panels(v, i),
            InvocationType::Stream => stream_panels(v, i),
            InvocationType::Sync => Vec::new(),
        })
        .collect();
    (!panels.is_empty()).then(|| ChartSpec {
        kind: "queue",
        title: format!(
            "Queues: what waits and for how long — {}{}",
            v.name,
            v.shown_note()
        ),
        time: v.time(),
        panels,
    })
}

/// An SQS function's messages waiting, its pollers against their cap (each on its own
/// axis: a backlog of 100,000 would flatten 50 pollers into the floor), and its oldest
/// message's age (`ApproximateAgeOfOldestMessage`).
fn sqs_panels(v: &VariantData<'_>, i: usize) -> Vec<Panel> {
    let f = &v.config.functions[i];
    let name = &f.name;
    let mut depth = Panel::new(format!("{name}: SQS queue"), "messages waiting");
    depth.lines = vec![v.series(i, "messages waiting", PURPLE, |c| f64::from(c.queue_depth))];
    depth
        .bands
        .extend(v.band(i, "messages waiting", PURPLE, |c| f64::from(c.queue_depth)));
    let mut pollers = Panel::new(format!("{name}: pollers"), "concurrent batches");
    pollers.lines = vec![v.series(i, "pollers", ORANGE, |c| f64::from(c.sqs_pollers))];
    pollers
        .bands
        .extend(v.band(i, "pollers", ORANGE, |c| f64::from(c.sqs_pollers)));
    let cap = f.sqs.cap();
    pollers.limits.push(Limit {
        label: format!("pollers' cap {cap}"),
        value: f64::from(cap),
        color: PROVISIONED_LIMIT,
    });
    // Provisioned mode keeps its minimum pollers' batches ready: the floor the line
    // rests on when the queue is quiet.
    if let Some(provisioned) = &f.sqs.provisioned {
        pollers.limits.push(Limit {
            label: format!("pollers' floor {}", provisioned.floor()),
            value: f64::from(provisioned.floor()),
            color: POOL_LIMIT,
        });
    }
    let mut age = Panel::new(format!("{name}: oldest message"), "age, seconds");
    age.lines = vec![v.series(i, "oldest message", RED, |c| f64::from(c.mapping_age_s))];
    age.bands
        .extend(v.band(i, "oldest message", RED, |c| f64::from(c.mapping_age_s)));
    vec![depth, pollers, age]
}

/// A stream function's records waiting (not in a running batch), and its iterator
/// age (`IteratorAge`: how old a batch's last record was when the function got it),
/// against the age at which records are discarded if that is in view.
fn stream_panels(v: &VariantData<'_>, i: usize) -> Vec<Panel> {
    let f = &v.config.functions[i];
    let name = &f.name;
    let mut waiting = Panel::new(format!("{name}: stream"), "records waiting");
    waiting.lines = vec![v.series(i, "records waiting", PURPLE, |c| f64::from(c.queue_depth))];
    waiting
        .bands
        .extend(v.band(i, "records waiting", PURPLE, |c| f64::from(c.queue_depth)));
    let mut age = Panel::new(format!("{name}: iterator age"), "age, seconds");
    age.lines = vec![v.series(i, "iterator age", RED, |c| f64::from(c.mapping_age_s))];
    age.bands
        .extend(v.band(i, "iterator age", RED, |c| f64::from(c.mapping_age_s)));
    if let Some(limit) = f.stream.maximum_record_age {
        age.limits.push(Limit {
            label: format!("maximum_record_age {} s", limit / 1_000_000_000),
            value: limit as f64 / 1e9,
            color: PROVISIONED_LIMIT,
        });
    }
    vec![waiting, age]
}

/// An asynchronous function's events waiting, and how long the invoked ones waited.
fn async_panels(v: &VariantData<'_>, i: usize) -> Vec<Panel> {
    let name = &v.config.functions[i].name;
    let mut depth = Panel::new(name, "events waiting");
    depth.lines = vec![v.series(i, "queue depth", PURPLE, |c| f64::from(c.queue_depth))];
    depth
        .bands
        .extend(v.band(i, "queue depth", PURPLE, |c| f64::from(c.queue_depth)));
    let mut age = Panel::new(format!("{name}: age of invoked events"), "seconds waited");
    age.lines = vec![
        v.series(i, "p99", ORANGE, |c| c.async_age_p99_ms / 1000.0),
        v.series(i, "max", RED, |c| c.async_age_max_ms / 1000.0),
    ];
    age.bands
        .extend(v.band(i, "p99", ORANGE, |c| c.async_age_p99_ms / 1000.0));
    vec![depth, age]
}
