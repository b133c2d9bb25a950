//! API Gateway in front: a token bucket of 10,000 requests a second with a burst of
//! 5,000 for the account (Amazon API Gateway Developer Guide, "Throttle requests to
//! your REST APIs for better throughput in API Gateway"), shared by the functions
//! behind it, and optionally one per route.

mod common;
use common::*;
use lambdasim_model::*;

/// An account where Lambda's own limits never bind at these loads, so that every
/// throttle is the gateway's.
fn roomy(functions: Vec<FunctionConfig>) -> SimConfig {
    let mut c = config(20 * S, functions);
    c.account.concurrency_limit = 20_000;
    c.account.rps_per_environment = 0.0;
    c.account.scaling.burst = 20_000;
    c
}

fn behind(name: &str, route: Option<GatewayLimit>) -> FunctionConfig {
    let mut f = function(name, MS);
    f.front_door = FrontDoor::Behind {
        route,
        integration_timeout: FrontDoor::INTEGRATION_TIMEOUT,
    };
    f
}

#[test]
fn the_burst_refuses_the_5001st_simultaneous_request() {
    for (n, refused) in [(5_000, 0), (5_001, 1)] {
        let (summary, rows) = run(roomy(vec![behind("api", None)]), vec![feed(burst(0, n), 0)]);
        let f = &summary.functions[0];
        assert_eq!(f.throttles_by_reason.gateway, refused, "{n} at once");
        assert_eq!(f.throttles_by_reason.lambda(), 0);
        assert_eq!((f.requests, f.invocations), (n as u64, 5_000.min(n as u64)));
        assert_eq!(rows[0].throttles.gateway, refused);
    }
}

#[test]
fn a_sustained_10000_a_second_passes_and_more_is_cut_to_it() {
    let (summary, _) = run_unchecked(
        roomy(vec![behind("api", None)]),
        vec![feed(even(10_000, 10 * S), 0)],
    );
    assert_eq!(summary.functions[0].throttles, 0);
    assert_eq!(summary.functions[0].invocations, 100_000);
    // 12,000 a second for 10 s: the burst of 5,000 and 10 s of refill pass (within 2:
    // the last request comes 83 µs before 10 s, a token short of the refill).
    let (summary, _) = run_unchecked(
        roomy(vec![behind("api", None)]),
        vec![feed(even(12_000, 10 * S), 0)],
    );
    let refused = summary.functions[0].throttles_by_reason.gateway;
    assert!(refused.abs_diff(120_000 - 105_000) <= 2, "{refused}");
}

#[test]
fn the_account_bucket_is_shared_and_a_direct_function_is_not_behind_it() {
    let functions = vec![behind("a", None), behind("b", None), function("direct", MS)];
    let traffic = vec![
        feed(burst(0, 3_000), 0),
        feed(burst(0, 3_000), 1),
        feed(burst(0, 3_000), 2),
    ];
    let (summary, _) = run(roomy(functions), traffic);
    let gateway: Vec<u64> = summary
        .functions
        .iter()
        .map(|f| f.throttles_by_reason.gateway)
        .collect();
    assert_eq!(gateway.iter().sum::<u64>(), 1_000, "{gateway:?}");
    assert_eq!(gateway[2], 0);
    assert_eq!(summary.functions[2].invocations, 3_000);
}

#[test]
fn a_route_limit_throttles_its_own_function_only() {
    let route = GatewayLimit {
        rate_per_second: 100,
        burst: 10,
    };
    let functions = vec![behind("limited", Some(route)), behind("open", None)];
    // 25 at once, and 25 a second later, when the route has refilled to its burst.
    let twice = || at(std::iter::repeat_n(0, 25).chain(std::iter::repeat_n(S, 25)));
    let traffic = vec![feed(twice(), 0), feed(twice(), 1)];
    let (summary, _) = run(roomy(functions), traffic);
    assert_eq!(summary.functions[0].throttles_by_reason.gateway, 30);
    assert_eq!(summary.functions[1].throttles, 0);
}

#[test]
fn a_refused_request_is_retried_by_its_client_through_the_gateway() {
    let mut f = behind("api", None);
    f.client_retries = Some(ClientRetries {
        attempts: 3,
        base: 100 * MS,
    });
    let (summary, _) = run(roomy(vec![f]), vec![feed(burst(0, 5_100), 0)]);
    let f = &summary.functions[0];
    // The 100 refused at once come back within 100 ms, when 1,000 tokens have refilled.
    assert_eq!(f.throttles_by_reason.gateway, 100);
    assert_eq!((f.client_retries, f.client_gave_up), (100, 0));
    assert_eq!(f.invocations, 5_100);
}

#[test]
fn an_async_function_behind_the_gateway_or_a_burst_of_zero_is_refused() {
    let mut f = behind("jobs", None);
    f.invocation = InvocationType::Async;
    let error = config(S, vec![f]).validate().unwrap_err();
    assert_eq!(error.fields(), &[Field::Function("front_door")], "{error}");
    let zero = GatewayLimit {
        rate_per_second: 10,
        burst: 0,
    };
    let error = config(S, vec![behind("api", Some(zero))])
        .validate()
        .unwrap_err();
    assert_eq!(error.fields(), &[Field::Function("front_door")], "{error}");
    let mut c = config(S, vec![function("f", MS)]);
    c.account.front_door = zero;
    let error = c.validate().unwrap_err();
    assert_eq!(error.fields(), &[Field::Account("front_door")], "{error}");
}

#[test]
fn an_invocation_outlasting_the_integration_timeout_is_the_clients_timeout_but_runs_on() {
    // Warm environments take 28 s; the first, cold, adds a 2 s Init: 30 s > 29 s.
    let mut f = behind("slow", None);
    f.duration = DurationDist::Constant(28 * S);
    f.init_duration = DurationDist::Constant(2 * S);
    let times = [0, 40 * S, 80 * S];
    let mut c = roomy(vec![f.clone()]);
    c.duration = 200 * S;
    let (summary, rows) = run(c.clone(), vec![feed(at(times), 0)]);
    let s = &summary.functions[0];
    assert_eq!((s.invocations, s.cold_starts), (3, 1));
    assert_eq!(s.gateway_timeouts, 1, "only the cold start passes 29 s");
    // In the time series, in the bucket the invocation started in.
    let per_bucket: Vec<(f64, u64)> = rows
        .iter()
        .filter(|r| r.gateway_timeouts > 0)
        .map(|r| (r.t_s, r.gateway_timeouts))
        .collect();
    assert_eq!(per_bucket, [(0.0, 1)]);
    assert_eq!(s.errors, 0, "Lambda's invocation itself succeeds");
    // Billed to its end: Init (billed on demand) and three 28 s invocations.
    let direct = {
        let mut d = c.clone();
        d.functions[0].front_door = FrontDoor::Direct;
        run(d, vec![feed(at(times), 0)]).0
    };
    assert_eq!(direct.functions[0].gateway_timeouts, 0);
    assert_eq!(direct.functions[0].cost_usd, s.cost_usd);
    assert_eq!(direct.functions[0].latency_ms, s.latency_ms);
    // A longer timeout, as a Regional REST API may have: none.
    c.functions[0].front_door = FrontDoor::Behind {
        route: None,
        integration_timeout: 60 * S,
    };
    assert_eq!(
        run(c, vec![feed(at(times), 0)]).0.functions[0].gateway_timeouts,
        0
    );
}

#[test]
fn an_integration_timeout_outside_api_gateways_range_is_refused() {
    for timeout in [49 * MS, 301 * S] {
        let mut f = behind("api", None);
        f.front_door = FrontDoor::Behind {
            route: None,
            integration_timeout: timeout,
        };
        let error = config(S, vec![f]).validate().unwrap_err();
        assert_eq!(error.fields(), &[Field::Function("front_door")], "{error}");
    }
}

#[test]
fn the_account_default_is_smaller_in_the_regions_aws_lists() {
    assert_eq!(
        GatewayLimit::account_default("us-east-1"),
        GatewayLimit::ACCOUNT
    );
    for region in [
        "af-south-1",
        "eu-central-2",
        "ap-southeast-4",
        "mx-central-1",
    ] {
        let limit = GatewayLimit::account_default(region);
        assert_eq!(
            (limit.rate_per_second, limit.burst),
            (2_500, 1_250),
            "{region}"
        );
    }
}
