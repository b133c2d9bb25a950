//! Every valid range is checked by the model itself: a configuration built directly,
//! without a scenario file, meets the same rules as one read from YAML.

mod common;
use common::*;
use lambdasim_model::*;

/// A change to a valid configuration, named by the setting it touches.
type Change = (&'static str, fn(&mut SimConfig));

fn first(c: &mut SimConfig) -> &mut FunctionConfig {
    &mut c.functions[0]
}

/// One value just outside each end of every range the model states.
const OUT_OF_RANGE: &[Change] = &[
    ("memory_mb", |c| first(c).memory_mb = 127),
    ("memory_mb", |c| first(c).memory_mb = 10_241),
    ("ephemeral_storage_mb", |c| {
        first(c).ephemeral_storage_mb = 511
    }),
    ("ephemeral_storage_mb", |c| {
        first(c).ephemeral_storage_mb = 10_241
    }),
    ("timeout", |c| first(c).timeout = S - 1),
    ("timeout", |c| first(c).timeout = 900 * S + 1),
    ("warm_start", |c| first(c).warm_start = MAX_WARM_START + 1),
    ("error_rate", |c| first(c).error_rate = -0.01),
    ("error_rate", |c| first(c).error_rate = 1.01),
    ("error_rate", |c| first(c).error_rate = f64::NAN),
    ("retry_attempts", |c| {
        first(c).async_config.retry_attempts = 3
    }),
    ("max_event_age", |c| {
        first(c).async_config.max_event_age = 6 * 3600 * S + 1;
    }),
    ("client_retries", |c| {
        first(c).client_retries = Some(ClientRetries {
            attempts: ClientRetries::MAX_ATTEMPTS + 1,
            base: S,
        });
    }),
    ("target_utilization", |c| set_target(c, 0.09)),
    ("target_utilization", |c| set_target(c, 0.91)),
    ("allocation_per_minute", |c| {
        first(c).provisioning.allocation_per_minute = Some(0);
    }),
    ("concurrency_limit", |c| c.account.concurrency_limit = 0),
    ("concurrency_limit", |c| {
        c.account.concurrency_limit = 1_000_001;
    }),
    ("burst", |c| c.account.scaling.burst = 0),
    ("rps_per_environment", |c| {
        c.account.rps_per_environment = -1.0
    }),
    ("rps_per_environment", |c| {
        c.account.rps_per_environment = f64::INFINITY;
    }),
    ("resolution", |c| c.resolution = 0),
    ("resolution", |c| {
        c.resolution = 1;
        c.duration = SimConfig::MAX_BUCKETS + 1;
    }),
    ("duration", |c| c.duration = 0),
];

/// The ends of every range, which are valid.
const AT_THE_ENDS: &[Change] = &[
    ("memory_mb", |c| first(c).memory_mb = 128),
    ("memory_mb", |c| first(c).memory_mb = 10_240),
    ("ephemeral_storage_mb", |c| {
        first(c).ephemeral_storage_mb = 10_240
    }),
    ("timeout", |c| first(c).timeout = S),
    ("retry_attempts", |c| {
        first(c).async_config.retry_attempts = 0
    }),
    ("max_event_age", |c| {
        first(c).async_config.max_event_age = 60 * S
    }),
    ("max_event_age", |c| {
        first(c).async_config.max_event_age = 6 * 3600 * S
    }),
    ("target_utilization", |c| set_target(c, 0.1)),
    ("target_utilization", |c| set_target(c, 0.9)),
    ("concurrency_limit", |c| {
        c.account.concurrency_limit = 1_000_000
    }),
    ("resolution", |c| {
        c.resolution = 1;
        c.duration = SimConfig::MAX_BUCKETS;
    }),
];

fn set_target(c: &mut SimConfig, target: f64) {
    first(c).provisioning.autoscaling = Some(AutoscalingConfig {
        min: 0,
        max: 10,
        target_utilization: target,
        scale_out_cooldown: 0,
        scale_in_cooldown: 0,
    });
}

fn base() -> SimConfig {
    config(10 * S, vec![function("f", S)])
}

#[test]
fn a_value_outside_its_range_is_refused_by_the_model() {
    assert_eq!(base().validate(), Ok(()));
    for (setting, change) in OUT_OF_RANGE {
        let mut c = base();
        change(&mut c);
        let err = c.validate().expect_err(setting);
        assert!(
            err.to_string().contains(setting),
            "{setting}: the message names it: {err}"
        );
        let [field] = err.fields() else {
            panic!("{setting}: one field, not {:?}", err.fields());
        };
        let (Field::Run(path) | Field::Account(path) | Field::Function(path)) = *field;
        assert!(path.contains(setting), "{setting}: {field:?}");
        let on_function = matches!(field, Field::Function(_));
        assert_eq!(err.function().is_some(), on_function, "{setting}");
    }
}

#[test]
fn the_ends_of_each_range_are_accepted() {
    for (setting, change) in AT_THE_ENDS {
        let mut c = base();
        change(&mut c);
        assert_eq!(c.validate(), Ok(()), "{setting}");
    }
}

#[test]
fn the_ranges_are_aws_own() {
    assert_eq!(FunctionConfig::MEMORY_MB_RANGE, 128..=10_240);
    assert_eq!(FunctionConfig::EPHEMERAL_STORAGE_MB_RANGE, 512..=10_240);
    assert_eq!(TIMEOUT_RANGE, S..=900 * S);
    assert_eq!(AsyncConfig::RETRY_ATTEMPTS_RANGE, 0..=2);
    assert_eq!(AsyncConfig::MAX_EVENT_AGE_RANGE, 60 * S..=21_600 * S);
    assert_eq!(AutoscalingConfig::TARGET_UTILIZATION_RANGE, 0.1..=0.9);
}

#[test]
fn concurrency_errors_name_the_settings_they_are_about() {
    let mut f = function("f", S);
    f.reserved_concurrency = Some(2);
    f.provisioned_concurrency = 3;
    let err = config(10 * S, vec![f]).validate().unwrap_err();
    assert_eq!(err.function(), Some("f"));
    assert_eq!(
        err.fields(),
        [
            Field::Function("reserved_concurrency"),
            Field::Function("provisioned_concurrency")
        ]
    );
    let mut g = function("g", S);
    g.reserved_concurrency = Some(950);
    let err = config(10 * S, vec![g]).validate().unwrap_err();
    assert_eq!(err.function(), None);
    assert!(err.fields().contains(&Field::Account("concurrency_limit")));
}

#[test]
fn a_setting_error_reads_as_before() {
    let mut f = function("f", S);
    f.ephemeral_storage_mb = 100;
    let err = config(10 * S, vec![f]).validate().unwrap_err();
    assert_eq!(
        err.to_string(),
        "function `f`: ephemeral_storage_mb must be 512–10240"
    );
    let mut c = config(10 * S, vec![function("f", S)]);
    c.resolution = 0;
    assert_eq!(
        c.validate().unwrap_err().to_string(),
        "resolution must be above 0"
    );
}
