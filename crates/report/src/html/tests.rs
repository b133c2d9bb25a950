use super::*;
use crate::charts::tests::{config, series};
use crate::charts::{VariantData, render};
use lambdasim_model::{FunctionSummary, RunSummary, ThrottleCounts};

fn run(throttles: u64) -> RunSummary {
    let mut run = RunSummary {
        duration_s: 1800.0,
        ..Default::default()
    };
    let a = &mut run.account;
    a.requests = 10_000;
    a.invocations = 10_000 - throttles;
    a.throttles = throttles;
    a.cold_starts = 120;
    a.peak_concurrency = 1000;
    a.cost_usd.total = 1.2345;
    for name in ["api", "worker"] {
        let mut f = FunctionSummary {
            name: name.to_string(),
            requests: 5000,
            invocations: 5000 - throttles / 2,
            throttles: throttles / 2,
            throttles_by_reason: ThrottleCounts {
                account_limit: throttles / 2,
                ..Default::default()
            },
            peak_concurrency: 500,
            ..Default::default()
        };
        f.latency_ms.p50 = 80.0;
        f.latency_ms.p99 = if name == "api" { 900.0 } else { 450.0 };
        run.functions.push(f);
    }
    run
}

const SOURCE: &str = "name: demo # <script>alert(\"x\")</script> & more\nduration: 30m\n";

fn page(names: &[&str]) -> String {
    page_with(names, &[])
}

/// A page whose variants each ran with `replicas` besides their first seed.
fn page_with(names: &[&str], replicas: &[RunSummary]) -> String {
    page_judged(names, replicas, &[])
}

/// [`page_with`] for a scenario with the SLO `objectives`.
fn page_judged(names: &[&str], replicas: &[RunSummary], objectives: &[Objective]) -> String {
    let config = config();
    let series = series(&config, 1);
    let runs: Vec<RunSummary> = (0..names.len()).map(|i| run(i as u64 * 100)).collect();
    let data: Vec<VariantData<'_>> = names
        .iter()
        .map(|name| VariantData {
            name,
            config: &config,
            series: &series,
        })
        .collect();
    let charts = render(&data).unwrap();
    let variants: Vec<ReportVariant<'_>> = names
        .iter()
        .zip(&runs)
        .map(|(name, run)| ReportVariant {
            summary: VariantSummary {
                name,
                seed: 1,
                run,
                replicas,
            },
            config: &config,
        })
        .collect();
    let verdicts: Vec<crate::slo::Verdict> = variants
        .iter()
        .map(|v| crate::slo::judge(objectives, &v.summary))
        .collect();
    render_report(&Report {
        scenario: "demo",
        source: SOURCE,
        variants: &variants,
        charts: &charts,
        slo: (objectives, &verdicts),
    })
}

#[test]
fn the_page_refers_to_nothing_outside_itself() {
    let html = page(&["on-demand", "reserved"]);
    for banned in [
        "http:", "https:", "<script", "<link", "src=", "url(", "@import", "<iframe", "<img",
    ] {
        assert!(!html.to_lowercase().contains(banned), "found {banned}");
    }
    for (i, _) in html.match_indices("href=\"") {
        assert!(html[i + 6..].starts_with('#'), "external link at {i}");
    }
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
}

#[test]
fn the_answer_comes_before_the_charts() {
    let html = page(&["on-demand", "reserved"]);
    let answer = html.find("id=\"answer\"").unwrap();
    let first_chart = html.find("<svg").unwrap();
    let config = html.find("id=\"configuration\"").unwrap();
    let scenario = html.find("id=\"scenario\"").unwrap();
    assert!(answer < first_chart && first_chart < config && config < scenario);
    // Per variant: throttled %, cold-start %, p99, peak against the limit, cost.
    assert!(html.contains("1.00%"));
    assert!(html.contains("900 ms"));
    assert!(html.contains("1,000 <small>/ 1,000</small>"));
    assert!(html.contains("$1.23"));
    // $1.2345 over 10,000 requests.
    assert!(
        html.contains("$123.45 per million requests"),
        "cost per million requests"
    );
}

#[test]
fn every_chart_is_inline_svg() {
    let html = page(&["on-demand", "reserved"]);
    // Five charts per variant and four comparisons.
    assert_eq!(html.matches("<svg").count(), 2 * 5 + 4);
    assert!(html.contains("account limit 1000"));
    assert!(!html.contains("<?xml"));
}

#[test]
fn a_single_variant_has_no_comparison_section() {
    let html = page(&["base"]);
    assert_eq!(html.matches("<svg").count(), 5);
    assert!(!html.contains("id=\"compared\""));
}

#[test]
fn the_scenario_text_is_escaped() {
    let html = page(&["base"]);
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more"));
}

#[test]
fn escape_covers_markup_characters() {
    assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
}

#[test]
fn durations_are_human() {
    use super::config::duration;
    assert_eq!(duration(0), "0 s");
    assert_eq!(duration(250_000_000), "250 ms");
    assert_eq!(duration(1_500_000_000), "1.5 s");
    assert_eq!(duration(600_000_000_000), "10 min");
    assert_eq!(duration(7_200_000_000_000), "2 h");
    assert_eq!(duration(86_400_000_000_000), "1 d");
    assert_eq!(duration(90_000_000_000), "90 s");
}

#[test]
fn several_seeds_add_their_spread_and_one_seed_does_not() {
    assert!(!page(&["on-demand"]).contains("Across"));
    let html = page_with(&["on-demand"], &[run(200), run(400)]);
    assert!(html.contains("<h3>Across 3 seeds</h3>"), "{html}");
    // Throttled 0 %, 2 % and 4 % of 10,000 requests: mean 2, sd 2.
    assert!(
        html.contains("2.00 ± 2.00 <small>(0.00 to 4.00)</small>"),
        "{html}"
    );
}

#[test]
fn the_slo_section_shows_each_verdict_and_its_interval() {
    use lambdasim_model::{Comparison, SloMetric, SloScope};
    assert!(!page(&["a"]).contains("id=\"slo\""), "no slo: no section");
    let objectives = [
        Objective {
            scope: SloScope::Account,
            metric: SloMetric::ThrottledPct,
            comparison: Comparison::Below,
            threshold: 1.5,
        },
        Objective {
            scope: SloScope::Function("api".into()),
            metric: SloMetric::LatencyP99Ms,
            comparison: Comparison::Below,
            threshold: 1000.0,
        },
    ];
    // Throttled % of 0, then 1 and 2 for the second (its own run, then the replica's).
    let page = page_judged(&["pc=0", "pc=20"], &[], &objectives);
    assert!(page.contains("<a href=\"#slo\">SLO</a>"));
    assert!(
        page.contains(
            "<th>account throttled_pct &lt; 1.5</th><th>api latency_p99_ms &lt; 1000</th>"
        ),
        "{page}"
    );
    assert!(page.contains("<tr><th scope=\"row\">pc=0</th><td class=\"good\">meets</td><td class=\"good\">0.000</td><td class=\"good\">900.0</td></tr>"), "{page}");
    assert!(
        page.contains(
            "2 of 2 configurations meet every objective; the cheapest is pc=0 at $1.2345."
        ),
        "{page}"
    );
    let page = page_judged(&["pc=0", "pc=20"], &[run(200)], &objectives);
    assert!(page.contains("95 % confidence interval"));
    // pc=20: 1 % and 2 %, mean 1.5, interval 1.5 ± 12.706 × 0.7071 / √2.
    assert!(
        page.contains("<td class=\"bad\">1.500 <small>(-4.853 to 7.853)</small></td>"),
        "{page}"
    );
    assert!(
        page.contains("No configuration meets every objective (2 judged)."),
        "{page}"
    );
}
