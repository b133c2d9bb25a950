//! `summary.json`: the totals of every variant of one scenario, in the shape `docs/scenarios.md`
//! ("Outputs") documents.

use crate::finite::Finite;
use crate::seeds::SeedSpread;
use crate::slo::{Verdict, cheapest};
use lambdasim_model::{Objective, RunSummary};
use serde::Serialize;
use std::io::{self, Write};

/// One variant's results, as the CLI has them after a run.
///
/// Borrowed, because the caller keeps the results for the table and the charts.
#[derive(Clone, Copy, Debug)]
pub struct VariantSummary<'a> {
    /// The variant's name from the scenario (or the scenario's name if it has none).
    pub name: &'a str,
    /// The seed the variant ran with (after any `--seed` override).
    pub seed: u64,
    /// What the run measured.
    pub run: &'a RunSummary,
    /// With `--seeds N`, the runs with the next N - 1 seeds (`seed + 1`, ...), in order;
    /// empty otherwise.
    pub replicas: &'a [RunSummary],
}

#[derive(Serialize)]
struct SummaryFile<'a> {
    scenario: &'a str,
    /// Only for a scenario with `slo:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    slo: Option<SloOut<'a>>,
    variants: Vec<VariantOut<'a>>,
}

/// The scenario's objectives, the configurations that meet them all, and the cheapest
/// of those.
#[derive(Serialize)]
struct SloOut<'a> {
    objectives: Vec<String>,
    met_by: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cheapest: Option<&'a str>,
}

#[derive(Serialize)]
struct VariantOut<'a> {
    name: &'a str,
    seed: u64,
    // Flattened so that fields the model adds to `RunSummary` appear without changes here.
    #[serde(flatten)]
    run: &'a RunSummary,
    /// The spread across seeds, only with `--seeds N` (N > 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    seeds: Option<SeedSpread>,
    /// The verdict on the scenario's `slo:`, only with one.
    #[serde(skip_serializing_if = "Option::is_none")]
    slo: Option<&'a Verdict>,
}

/// Writes `summary.json`: pretty-printed, keys in their documented order, a trailing
/// newline, and never `NaN` or `null` for a number: a non-finite number, such as the
/// latency of a function that served nothing, is written as `0.0` (see [`Finite`]).
pub fn write_summary(
    w: impl Write,
    scenario: &str,
    variants: &[VariantSummary<'_>],
) -> io::Result<()> {
    write_summary_judged(w, scenario, variants, None)
}

/// [`write_summary`] for a scenario with `slo:`: its objectives and `verdicts` (one per
/// variant, in order) add a top-level `slo` (the objectives and the configurations
/// that meet them all) and each variant's `slo` (its verdict).
pub fn write_summary_judged(
    mut w: impl Write,
    scenario: &str,
    variants: &[VariantSummary<'_>],
    slo: Option<(&[Objective], &[Verdict])>,
) -> io::Result<()> {
    let verdict = |i: usize| slo.and_then(|(_, verdicts)| verdicts.get(i));
    let file = SummaryFile {
        scenario,
        slo: slo.map(|(objectives, verdicts)| SloOut {
            objectives: objectives.iter().map(ToString::to_string).collect(),
            met_by: variants
                .iter()
                .zip(verdicts)
                .filter(|(_, v)| v.met)
                .map(|(s, _)| s.name)
                .collect(),
            cheapest: cheapest(verdicts)
                .and_then(|i| variants.get(i))
                .map(|s| s.name),
        }),
        variants: variants
            .iter()
            .enumerate()
            .map(|(i, v)| VariantOut {
                name: v.name,
                seed: v.seed,
                run: v.run,
                seeds: SeedSpread::of(v),
                slo: verdict(i),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut w, &Finite(&file))?;
    w.write_all(b"\n")?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambdasim_model::results::{AccountSummary, AsyncSummary, CostBreakdown, LatencySummary};
    use lambdasim_model::{FunctionSummary, ThrottleCounts};
    use serde_json::Value;

    fn function(name: &str, invocations: u64) -> FunctionSummary {
        FunctionSummary {
            name: name.to_string(),
            requests: invocations + 9,
            invocations,
            cold_starts: 3,
            throttles: 9,
            throttles_by_reason: ThrottleCounts {
                reserved_limit: 1,
                account_limit: 2,
                scaling_rate: 3,
                rps_limit: 1,
                gateway: 2,
            },
            provisioned_invocations: 5,
            spillover_invocations: 2,
            peak_concurrency: 12,
            mean_concurrency: 4.25,
            peak_environments: 15,
            mean_environments: 9.5,
            latency_ms: LatencySummary {
                p50: 120.0,
                p90: 300.5,
                p99: 900.25,
                max: 1200.0,
            },
            cost_usd: CostBreakdown {
                requests: 0.0000002,
                duration: 0.01,
                provisioned: 0.5,
                total: 0.5100002,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn run() -> RunSummary {
        let idle = FunctionSummary {
            latency_ms: LatencySummary {
                p50: f64::NAN,
                p90: f64::NAN,
                p99: f64::INFINITY,
                max: f64::NAN,
            },
            mean_concurrency: f64::NAN,
            ..FunctionSummary {
                name: "idle".to_string(),
                ..Default::default()
            }
        };
        RunSummary {
            duration_s: 7200.0,
            account: AccountSummary {
                requests: 107,
                invocations: 100,
                throttles: 7,
                cold_starts: 3,
                peak_concurrency: 12,
                cost_usd: CostBreakdown {
                    total: 0.5100002,
                    ..Default::default()
                },
                price_table: "us-east-1".into(),
            },
            functions: vec![function("checkout", 100), idle],
            events: 1234,
        }
    }

    fn write(run: &RunSummary) -> String {
        let mut out = Vec::new();
        let variants = [VariantSummary {
            name: "provisioned-200",
            seed: 42,
            run,
            replicas: &[],
        }];
        write_summary(&mut out, "black-friday", &variants).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The object's keys, in the order they appear in `text` (serde_json's `Value`
    /// sorts them, so the order is read from the text itself).
    fn keys<'a>(v: &'a Value, text: &str) -> Vec<&'a str> {
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_by_key(|k| text.find(&format!("\"{k}\": ")).unwrap());
        keys
    }

    #[test]
    fn has_every_documented_key_in_order() {
        let text = write(&run());
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(keys(&v, &text), ["scenario", "variants"]);
        assert_eq!(v["scenario"], "black-friday");
        let variant = &v["variants"][0];
        assert_eq!(
            keys(variant, &text),
            ["name", "seed", "duration_s", "account", "functions"]
        );
        assert_eq!(variant["name"], "provisioned-200");
        assert_eq!(variant["seed"], 42);
        assert_eq!(variant["duration_s"], 7200.0);
        for key in [
            "requests",
            "invocations",
            "throttles",
            "cold_starts",
            "peak_concurrency",
            "cost_usd",
        ] {
            assert!(variant["account"].get(key).is_some(), "account.{key}");
        }
        assert!(variant["account"]["cost_usd"].get("total").is_some());
        let f = &variant["functions"][0];
        let ftext = &text[text.find("\"functions\": [").unwrap()..];
        // The first keys, in their documented order; later additions follow.
        assert_eq!(
            keys(f, ftext)[..14],
            [
                "name",
                "requests",
                "invocations",
                "cold_starts",
                "throttles",
                "throttles_by_reason",
                "provisioned_invocations",
                "spillover_invocations",
                "peak_concurrency",
                "mean_concurrency",
                "peak_environments",
                "mean_environments",
                "latency_ms",
                "cost_usd",
            ]
        );
        assert_eq!(
            keys(&f["throttles_by_reason"], ftext),
            [
                "reserved_limit",
                "account_limit",
                "scaling_rate",
                "rps_limit",
                "gateway"
            ]
        );
        assert_eq!(keys(&f["latency_ms"], ftext), ["p50", "p90", "p99", "max"]);
        assert_eq!(
            keys(
                &f["cost_usd"],
                &ftext[ftext.find("\"cost_usd\"").unwrap()..]
            )[..4],
            ["requests", "duration", "provisioned", "total"]
        );
        assert_eq!(f["latency_ms"]["p99"], 900.25);
        assert_eq!(f["cost_usd"]["requests"], 0.0000002);
        // `events` is internal, not part of the file.
        assert!(variant.get("events").is_none());
    }

    #[test]
    fn non_finite_numbers_become_zero() {
        let text = write(&run());
        assert!(!text.contains("NaN"));
        assert!(!text.contains("null"));
        assert!(!text.contains("inf"));
        let v: Value = serde_json::from_str(&text).unwrap();
        let idle = &v["variants"][0]["functions"][1];
        assert_eq!(idle["latency_ms"]["p50"], 0.0);
        assert_eq!(idle["latency_ms"]["p99"], 0.0);
        assert_eq!(idle["mean_concurrency"], 0.0);
    }

    fn latency(x: f64) -> LatencySummary {
        LatencySummary {
            p50: x,
            p90: -x,
            p99: x,
            max: x,
        }
    }

    /// A run with NaN or an infinity in every floating-point field there is.
    fn all_non_finite() -> RunSummary {
        let cost = CostBreakdown {
            requests: f64::NAN,
            duration: f64::INFINITY,
            provisioned: f64::NEG_INFINITY,
            total: f64::NAN,
            init: f64::NAN,
            provisioned_capacity: f64::INFINITY,
            provisioned_duration: f64::NAN,
            ephemeral_storage: f64::NAN,
            free_tier: f64::INFINITY,
            snapstart: f64::NAN,
        };
        let function = FunctionSummary {
            name: "f".into(),
            mean_concurrency: f64::NAN,
            mean_environments: f64::INFINITY,
            latency_ms: latency(f64::NAN),
            cost_usd: cost,
            mean_provisioned_allocated: f64::NAN,
            async_events: Some(AsyncSummary {
                age_ms: latency(f64::INFINITY),
                ..Default::default()
            }),
            ..Default::default()
        };
        RunSummary {
            duration_s: f64::NAN,
            account: AccountSummary {
                cost_usd: cost,
                ..Default::default()
            },
            functions: vec![function],
            events: 0,
        }
    }

    /// Every number in `v` is finite, and nothing is `null`.
    fn assert_all_finite(v: &Value, path: &str) {
        match v {
            Value::Null => panic!("null at {path}"),
            Value::Number(n) => assert!(n.as_f64().unwrap().is_finite(), "{path}"),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    assert_all_finite(item, &format!("{path}[{i}]"));
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    assert_all_finite(item, &format!("{path}.{k}"));
                }
            }
            Value::Bool(_) | Value::String(_) => {}
        }
    }

    #[test]
    fn every_float_field_is_written_finite() {
        let run = all_non_finite();
        let replicas = [all_non_finite()];
        let variants = [VariantSummary {
            name: "v",
            seed: 1,
            run: &run,
            replicas: &replicas,
        }];
        let mut out = Vec::new();
        write_summary(&mut out, "s", &variants).unwrap();
        let text = String::from_utf8(out).unwrap();
        for bad in ["NaN", "null", "inf"] {
            assert!(!text.contains(bad), "{bad} in {text}");
        }
        let v: Value = serde_json::from_str(&text).unwrap();
        assert!(v["variants"][0]["functions"][0]["async"]["age_ms"].is_object());
        assert!(v["variants"][0]["seeds"].is_object());
        assert_all_finite(&v, "");
    }

    #[test]
    fn round_trips_and_is_deterministic() {
        let r = run();
        let text = write(&r);
        assert!(text.ends_with("}\n"));
        assert_eq!(text, write(&r));
        let v: Value = serde_json::from_str(&text).unwrap();
        let f = &v["variants"][0]["functions"][0];
        assert_eq!(f["requests"], 109);
        assert_eq!(f["mean_environments"], 9.5);
        assert_eq!(f["throttles_by_reason"]["scaling_rate"], 3);
    }

    #[test]
    fn several_variants_keep_their_order() {
        let a = run();
        let b = RunSummary::default();
        let variants = [
            VariantSummary {
                name: "b",
                seed: 1,
                run: &a,
                replicas: &[],
            },
            VariantSummary {
                name: "a",
                seed: 2,
                run: &b,
                replicas: &[],
            },
        ];
        let mut out = Vec::new();
        write_summary(&mut out, "s", &variants).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["variants"][0]["name"], "b");
        assert_eq!(v["variants"][1]["name"], "a");
        assert_eq!(v["variants"][1]["functions"], Value::Array(vec![]));
    }
}
