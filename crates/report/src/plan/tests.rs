use super::*;
use crate::slo::judge;
use crate::summary::VariantSummary;
use lambdasim_model::results::{AccountSummary, CostBreakdown, LatencySummary};
use lambdasim_model::{Comparison, FunctionSummary, RunSummary, SloMetric, SloScope};

/// A run costing `cost` in which `api`'s p99 latency is `p99`.
fn run(cost: f64, p99: f64) -> RunSummary {
    RunSummary {
        account: AccountSummary {
            requests: 100,
            invocations: 100,
            cost_usd: CostBreakdown {
                total: cost,
                ..Default::default()
            },
            ..Default::default()
        },
        functions: vec![FunctionSummary {
            name: "api".into(),
            requests: 100,
            invocations: 100,
            latency_ms: LatencySummary {
                p99,
                ..Default::default()
            },
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn p99_below(threshold: f64) -> Objective {
    Objective {
        scope: SloScope::Function("api".into()),
        metric: SloMetric::LatencyP99Ms,
        comparison: Comparison::Below,
        threshold,
    }
}

/// Judges each (cost, p99) as one configuration with one seed.
fn verdicts(objectives: &[Objective], runs: &[(f64, f64)]) -> Vec<Verdict> {
    runs.iter()
        .map(|&(cost, p99)| {
            let r = run(cost, p99);
            judge(
                objectives,
                &VariantSummary {
                    name: "c",
                    seed: 1,
                    run: &r,
                    replicas: &[],
                },
            )
        })
        .collect()
}

#[test]
fn margins_are_the_judged_value_against_the_threshold() {
    let objective = p99_below(800.0);
    let v = &verdicts(std::slice::from_ref(&objective), &[(1.0, 912.0)])[0];
    let failure = Failure::of(&objective, &v.objectives[0]).expect("912 fails < 800");
    assert_eq!(failure.difference, 112.0);
    assert!((failure.difference_pct.unwrap() - 14.0).abs() < 1e-12);
    assert_eq!(
        failure.to_string(),
        "api latency_p99_ms 912.0 > 800 (+14.0 %)"
    );
    // A `>=` objective missed from below: a negative margin.
    let at_least = Objective {
        comparison: Comparison::AtLeast,
        ..p99_below(1000.0)
    };
    let v = &verdicts(std::slice::from_ref(&at_least), &[(1.0, 900.0)])[0];
    let failure = Failure::of(&at_least, &v.objectives[0]).unwrap();
    assert_eq!(
        failure.to_string(),
        "api latency_p99_ms 900.0 < 1000 (-10.0 %)"
    );
    // A threshold of 0 has no percentage: the difference itself.
    let zero = p99_below(0.0);
    let v = &verdicts(std::slice::from_ref(&zero), &[(1.0, 2.5)])[0];
    let failure = Failure::of(&zero, &v.objectives[0]).unwrap();
    assert_eq!(failure.difference_pct, None);
    assert_eq!(failure.to_string(), "api latency_p99_ms 2.500 > 0 (+2.500)");
    // Met: no failure.
    let v = &verdicts(std::slice::from_ref(&objective), &[(1.0, 700.0)])[0];
    assert_eq!(Failure::of(&objective, &v.objectives[0]), None);
}

#[test]
fn the_plan_chooses_the_cheapest_that_meets_and_explains_the_cheaper() {
    let objectives = [p99_below(800.0)];
    // Costs rise with the key; latency falls. The first two fail.
    let runs = [(1.0, 1200.0), (2.0, 880.0), (3.0, 790.0), (4.0, 500.0)];
    let verdicts = verdicts(&objectives, &runs);
    let names = ["pc=0", "pc=10", "pc=20", "pc=30"];
    let judged: Vec<Judged> = (0..4)
        .map(|k| Judged {
            id: ConfigId(k),
            name: names[k],
            verdict: &verdicts[k],
        })
        .collect();
    let lines = Lines {
        key: Some("functions.api.provisioned_concurrency".into()),
        lines: vec![(0..6).map(ConfigId).collect()],
    };
    let outcome = Outcome {
        met: Default::default(),
        answers: vec![Some(ConfigId(2))],
        non_monotone: Vec::new(),
    };
    let plan = Plan::new("s", &objectives, 1, &judged, &lines, &outcome, 6);
    let chosen = plan.chosen.as_ref().unwrap();
    assert_eq!((chosen.name.as_str(), chosen.cost_usd), ("pc=20", 3.0));
    let rejected: Vec<&str> = plan.rejected.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(rejected, ["pc=0", "pc=10"]);
    assert!(plan.rejected.iter().all(|r| r.cheaper));
    assert_eq!(plan.search.configurations_run, 4);
    assert_eq!(plan.search.grid_size, 6);
    let text = plan.render();
    assert!(text.contains("ran 4 of 6 configurations"), "{text}");
    assert!(text.contains("chosen: pc=20 at $3.0000"), "{text}");
    assert!(
        text.contains("pc=10 at $2.0000: api latency_p99_ms 880.0 > 800 (+10.0 %)"),
        "{text}"
    );
    let mut json = Vec::new();
    plan.write_json(&mut json).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(value["chosen"]["name"], "pc=20");
    assert_eq!(value["search"]["method"], "bisection");
    assert_eq!(value["rejected"][1]["failures"][0]["difference"], 80.0);
    assert_eq!(value["chosen"]["objectives"][0]["judged"], 790.0);
    insta::assert_snapshot!("plan_json", String::from_utf8(json).unwrap());
    // None meets: no choice, and every failure counts as cheaper.
    let failing = &judged[..2];
    let plan = Plan::new("s", &objectives, 1, failing, &lines, &outcome, 6);
    assert_eq!(plan.chosen, None);
    assert!(plan.render().contains("no configuration run meets the SLO"));
    assert!(plan.rejected.iter().all(|r| r.cheaper));
}
