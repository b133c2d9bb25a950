use super::*;
use crate::charts::tests::{config, series};
use crate::charts::{VariantData, render};
use lambdasim_model::{AsyncSummary, FunctionSummary, LatencySummary, RunSummary, ThrottleCounts};

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
    let runs: Vec<RunSummary> = (0..names.len()).map(|i| run(i as u64 * 100)).collect();
    page_of(names, &runs, replicas)
}

/// `run(0)` with `worker` invoked asynchronously: 5,000 events, 6,500 throttled tries
/// (an event is throttled at each try), 50 dropped, 20 still queued at the end.
fn run_with_async() -> RunSummary {
    let mut run = run(0);
    let worker = &mut run.functions[1];
    worker.throttles = 6500;
    worker.throttles_by_reason.reserved_limit = 6500;
    worker.async_events = Some(AsyncSummary {
        received: 5000,
        succeeded: 4930,
        dropped: 50,
        queued_at_end: 20,
        dropped_after_errors: 10,
        age_ms: LatencySummary {
            p50: 0.0,
            p90: 15_000.0,
            p99: 1_713_000.0,
            max: 3_573_000.0,
        },
    });
    run.account.throttles = 6500;
    run
}

fn page_of(names: &[&str], runs: &[RunSummary], replicas: &[RunSummary]) -> String {
    page_full(names, runs, replicas, &[])
}

/// [`page_with`] for a scenario with the SLO `objectives`.
fn page_judged(names: &[&str], replicas: &[RunSummary], objectives: &[Objective]) -> String {
    let runs: Vec<RunSummary> = (0..names.len()).map(|i| run(i as u64 * 100)).collect();
    page_full(names, &runs, replicas, objectives)
}

/// The page of `runs` (one per name), with `replicas` and the SLO `objectives`.
fn page_full(
    names: &[&str],
    runs: &[RunSummary],
    replicas: &[RunSummary],
    objectives: &[Objective],
) -> String {
    page_warm(names, runs, replicas, objectives, &[], &[])
}

/// [`page_full`] with the functions whose warm start was `auto` flagged in `warm_auto`,
/// and every variant compared with `observed`.
fn page_warm(
    names: &[&str],
    runs: &[RunSummary],
    replicas: &[RunSummary],
    objectives: &[Objective],
    warm_auto: &[bool],
    observed: &[Comparison],
) -> String {
    let config = config();
    let series = series(&config, 1);
    let data: Vec<VariantData<'_>> = names
        .iter()
        .map(|name| VariantData {
            name,
            config: &config,
            series: &series,
            band: None,
            observed,
        })
        .collect();
    let charts = render(&data).unwrap();
    let variants: Vec<ReportVariant<'_>> = names
        .iter()
        .zip(runs)
        .map(|(name, run)| ReportVariant {
            summary: VariantSummary {
                name,
                seed: 1,
                run,
                replicas,
            },
            config: &config,
            warm_auto,
            observed,
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
        plan: None,
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
    assert!(html.contains("<dd class=\"bad\">1%</dd>"));
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
    // Seven charts per variant (the focus on the burst at 10 minutes among them) and
    // five comparisons.
    assert_eq!(html.matches("<svg").count(), 2 * 7 + 5);
    assert!(html.contains("Focus: 0:"), "the focus chart");
    assert!(
        html.contains("A closer look at the part of the run"),
        "its caption"
    );
    assert!(html.contains("account limit 1000"));
    assert!(!html.contains("<?xml"));
}

#[test]
fn a_single_variant_has_no_comparison_section() {
    let html = page(&["base"]);
    assert_eq!(html.matches("<svg").count(), 7);
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
fn async_functions_are_reported_by_their_events_never_above_100_percent() {
    let html = page_of(&["queued"], &[run_with_async()], &[]);
    // 6,500 tries of 5,000 events would be 130 %: nowhere on the page.
    assert!(!html.contains("130%"), "{html}");
    // The card: synchronous requests apart, then the events.
    assert!(html.contains("<dt>Throttled (sync)</dt><dd class=\"good\">0%</dd>"));
    assert!(html.contains("<dt>Async events dropped</dt><dd class=\"bad\">1%</dd>"));
    assert!(html.contains("50 of 5,000 events dropped; 4,930 processed, 20 queued at the end"));
    assert!(html.contains("6,500 throttled tries (1.30 per event)"));
    assert!(html.contains("Age in queue p99 28.6 min"));
    // The results table labels the async share as dropped events.
    assert!(html.contains("5,000 <small>events</small>"));
    assert!(html.contains("<td class=\"bad\">1% <small>dropped</small></td>"));
    // The events table.
    assert!(html.contains("<h3>Asynchronous events</h3>"));
    assert!(html.contains("6,500 <small>1.30 per event</small>"));
    assert!(html.contains("<td>59.5 min</td>"), "age max");
}

#[test]
fn queues_and_streams_show_what_they_gave_up_and_how_old_their_work_got() {
    let mut with_mappings = run(0);
    with_mappings.functions[0].sqs = Some(lambdasim_model::SqsSummary {
        received: 10_000,
        processed: 9_900,
        dead_lettered: 40,
        batches: 1_000,
        batches_throttled: 12,
        queued_at_end: 60,
        oldest_age_p99_s: 90.0,
        oldest_age_max_s: 372.0,
        ..Default::default()
    });
    with_mappings.functions[1].stream = Some(lambdasim_model::StreamSummary {
        received: 50_000,
        processed: 45_000,
        discarded: 4_900,
        batches: 500,
        held_at_end: 100,
        iterator_age_p99_s: 600.0,
        iterator_age_max_s: 600.0,
        ..Default::default()
    });
    let html = page_of(&["mapped"], &[with_mappings], &[]);
    assert!(html.contains("<h3>Queues and streams</h3>"), "{html}");
    assert!(
        html.contains(
            "<td class=\"name\">SQS queue</td><td>10,000</td><td>9,900 <small>99%</small></td>"
        ),
        "{html}"
    );
    // 4,900 of 50,000 records discarded: a share that reads as bad.
    assert!(
        html.contains("<td class=\"bad\">4,900 <small>9.8%</small></td>"),
        "{html}"
    );
    assert!(html.contains("<td>6.2 min</td>"), "queue age max");
    assert!(
        html.contains("<td>10.0 min</td><td>10.0 min</td>"),
        "iterator age"
    );
    // A page without them has no such table.
    assert!(!page(&["plain"]).contains("Queues and streams"));
}

#[test]
fn without_async_functions_the_card_says_throttled_plainly() {
    let html = page(&["on-demand"]);
    assert!(html.contains("<dt>Throttled</dt>"));
    assert!(!html.contains("Async events"));
    assert!(!html.contains("Asynchronous events"));
}

#[test]
fn requests_the_gateway_timed_out_are_noted_beside_the_throttled_share() {
    let mut slow = run(0);
    slow.functions[0].gateway_timeouts = 50; // 1 % of api's 5,000 invocations
    let html = page_of(&["slow"], &[slow], &[]);
    assert!(
        html.contains("<small>+ 1% gateway timeouts</small>"),
        "{html}"
    );
    assert!(!page(&["plain"]).contains("gateway timeouts"));
}

#[test]
fn a_few_throttles_in_millions_show_their_share_and_are_not_red() {
    let mut few = run(0);
    few.functions[0].requests = 1_995_000;
    few.functions[0].throttles = 190; // of 2,000,000 requests with the worker's
    let mut many = run(0);
    many.functions[0].throttles = 150; // 1.5 % of 10,000
    let html = page_of(&["few", "many"], &[few, many], &[]);
    assert!(
        html.contains("<dt>Throttled</dt><dd class=\"\">0.0095%</dd>"),
        "{html}"
    );
    assert!(html.contains("<dt>Throttled</dt><dd class=\"bad\">1.5%</dd>"));
}

#[test]
fn peak_concurrency_names_each_limit_that_applies() {
    // api: 20 provisioned, no reserved; worker: reserved 60. The pool is 920, and api
    // can run its 20 provisioned besides it: 940, not "500 / 920 pool".
    let html = page(&["base"]);
    assert!(
        html.contains(
            "of the account limit; of it reserved 60, provisioned 20, unreserved pool 920"
        ),
        "{html}"
    );
    assert!(html.contains("500 / 940"), "{html}");
    assert!(html.contains("provisioned 20 + unreserved pool 920"));
    assert!(html.contains("500 / 60"));
    assert!(html.contains("<small class=\"limits\">reserved 60</small>"));
}

#[test]
fn every_table_sits_in_a_wrapper_that_keeps_it_inside_its_card() {
    // Checked by eye in headless Chromium at 1,400 px: the results and configuration
    // tables fit. What this pins: each table is wrapped (so one that cannot fit scrolls
    // inside its card instead of spilling out), and the styles that let them fit stay:
    // headers and settings wrap between words.
    // Results, asynchronous events, across seeds, and three configuration tables.
    let runs = [run(0), run_with_async()];
    let html = page_of(&["on-demand", "reserved"], &runs, &[run(0)]);
    let tables = html.matches("<table").count();
    assert_eq!(tables, 6);
    assert_eq!(
        html.matches("<div class=\"table-wrap\"><table").count(),
        tables
    );
    assert_eq!(html.matches("</table></div>").count(), tables);
    let css = STYLE.replace(char::is_whitespace, "");
    assert!(css.contains(".table-wrap{max-width:100%;overflow-x:auto;}"));
    assert!(css.contains("table.configtd{white-space:normal;}"));
    let thead = css
        .split("theadth{")
        .nth(1)
        .unwrap()
        .split('}')
        .next()
        .unwrap();
    assert!(
        !thead.contains("nowrap"),
        "table headers must wrap: {thead}"
    );
}

#[test]
fn cards_show_each_function_and_the_change_from_the_first_variant() {
    // run(0): no throttles; run(100): 100 throttles. Cold starts and cost differ too.
    let base = run(0);
    let mut other = run(100);
    other.account.cold_starts = 8; // from 120: -93.3 %, shown as -93%
    other.account.cost_usd.total = 43.3345; // from 1.2345: +$42.10
    other.functions[1].latency_ms.p99 = 1_450.0;
    let html = page_of(&["on-demand", "provisioned"], &[base, other], &[]);
    assert!(html.contains("<p class=\"delta\">Baseline: the other cards compare to it.</p>"));
    assert!(
        html.contains(
            "<p class=\"delta\">vs on-demand: cold starts -93%, throttled +100 from 0, \
             cost +$42.10</p>"
        ),
        "{html}"
    );
    // Each function's p99 on its card, so a variant that changed the fast function is
    // told apart from one that did not, though the slowest is the same.
    assert!(html.contains("by function: api 900 ms, worker 450 ms"));
    assert!(html.contains("by function: api 900 ms, worker 1,450 ms"));
    // A single variant has no baseline.
    let single = page(&["on-demand"]);
    assert!(!single.contains("class=\"delta\""));
}

#[test]
fn changes_are_relative_for_counts_and_in_dollars_for_cost() {
    assert_eq!(answer::count_change(8, 120), "-93%");
    assert_eq!(answer::count_change(209, 200), "+4.5%");
    assert_eq!(answer::count_change(5, 5), "same");
    assert_eq!(answer::count_change(0, 0), "same");
    assert_eq!(answer::count_change(7, 0), "+7 from 0");
    assert_eq!(answer::count_change(0, 7), "-100%");
    assert_eq!(answer::dollar_change(42.1), "+$42.10");
    assert_eq!(answer::dollar_change(-0.0012), "-$0.0012");
    assert_eq!(answer::dollar_change(0.0), "$0");
}

#[test]
fn the_cost_chart_has_a_caption_in_single_spaces() {
    let html = page(&["on-demand", "reserved"]);
    let caption = "What has been spent since the start of the run";
    assert_eq!(
        html.matches(caption).count(),
        3,
        "two variants and the comparison"
    );
    assert!(
        !html.contains("cost_usd,  "),
        "runs of spaces in the caption"
    );
}

#[test]
fn with_several_seeds_the_cards_show_the_mean_and_its_95_percent_interval() {
    // Throttled 0 %, 2 % and 4 %: mean 2, sd 2, t(2) = 4.303, so ± 4.303 × 2 / √3.
    let html = page_with(&["on-demand"], &[run(200), run(400)]);
    assert!(
        html.contains(
            "Mean of 3 seeds ± the 95 % confidence interval of the mean, per function \
             too; the other notes and the change are seed 1's."
        ),
        "{html}"
    );
    assert!(
        html.contains("<dt>Throttled</dt><dd class=\"bad\">2% ± 4.97%</dd>"),
        "{html}"
    );
    // The same cost in every seed: no spread.
    assert!(
        html.contains("<dt>Cost</dt><dd class=\"\">$1.23 ± 0</dd>"),
        "{html}"
    );
    assert!(html.contains("<dt>p99 latency</dt><dd class=\"\">900 ms ± 0</dd>"));
    // Per function too: every seed's cold starts and p99 agree here.
    assert!(
        html.contains("by function: api 0% ± 0, worker 0% ± 0"),
        "{html}"
    );
    assert!(
        html.contains("by function: api 900 ms ± 0, worker 450 ms ± 0"),
        "{html}"
    );
    // The throttled share per function: 0, 2 and 4 % for each (100 and 200 of 5,000
    // in the replicas), as the total's.
    assert!(
        html.contains("by function: api 2% ± 4.97%, worker 2% ± 4.97%"),
        "{html}"
    );
    // A p99 of 450, 500 and 550 ms for worker: 500 ± 4.303 × 50 / √3 = 124 ms.
    let mut slow = run(0);
    slow.functions[1].latency_ms.p99 = 500.0;
    let mut slower = run(0);
    slower.functions[1].latency_ms.p99 = 550.0;
    let html = page_with(&["on-demand"], &[slow, slower]);
    assert!(html.contains("worker 500 ms ± 124 ms"), "{html}");
    // One seed: the plain numbers, no interval.
    let single = page(&["on-demand"]);
    assert!(!single.contains(" ± "));
    assert!(!single.contains("Mean of"));
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

#[test]
fn the_throttled_card_lists_each_synchronous_function() {
    // run(200): 100 of 5,000 throttled for each function.
    let html = page_of(&["a"], &[run(200)], &[]);
    assert!(html.contains("by function: api 2%, worker 2%"), "{html}");
    // An asynchronous function is reported by its events, not in this list; one
    // synchronous function left has the total as its own.
    // Nothing throttled: no list of zeros.
    let html = page_of(&["a"], &[run(0)], &[]);
    let card = &html[html.find("<dt>Throttled</dt>").unwrap()..];
    assert!(!card[..card.find("</div>").unwrap()].contains("by function"));
    let html = page_of(&["a"], &[run_with_async()], &[]);
    assert!(!html.contains("by function: api 0%<"), "{html}");
    let card = &html[html.find("<dt>Throttled (sync)</dt>").unwrap()..];
    let card = &card[..card.find("</div>").unwrap()];
    assert!(!card.contains("by function"), "{card}");
}

#[test]
fn the_configuration_says_when_the_warm_start_came_from_the_load() {
    let config = config();
    let runs = [run(0)];
    let html = page_warm(&["a"], &runs, &[], &[], &[true, false], &[]);
    let warm = |f: &str| {
        let table = &html[html.find(&format!("<h3>Function {f}</h3>")).unwrap()..];
        let row = &table[table.find("<th scope=\"row\">warm start</th>").unwrap()..];
        row[..row.find("</tr>").unwrap()].to_string()
    };
    let first = config.functions[0].warm_start;
    assert!(
        warm(&config.functions[0].name).contains(&format!("auto: {first} (first minute")),
        "{}",
        warm(&config.functions[0].name)
    );
    assert!(
        !warm(&config.functions[1].name).contains("auto"),
        "{}",
        warm(&config.functions[1].name)
    );
}

#[test]
fn the_observed_table_shows_both_sides_and_the_error_per_period() {
    use lambdasim_model::{ObservedMetric, ObservedSeries};
    let comparison = |metric, observed: Vec<f64>, simulated: Vec<f64>| Comparison {
        observed: ObservedSeries {
            function: 1,
            metric,
            period: 60_000_000_000,
            start: 0,
            values: observed,
        },
        simulated,
    };
    let observed = [
        comparison(
            ObservedMetric::Throttles,
            vec![1000.0, 0.0, 2000.0, 1000.0],
            vec![1200.0, 300.0, 1500.0, 1000.0],
        ),
        comparison(
            ObservedMetric::Concurrency,
            vec![10.0, 30.0],
            vec![12.0, 30.0],
        ),
    ];
    let html = page_warm(&["base"], &[run(0)], &[], &[], &[], &observed);
    assert!(html.contains("<a href=\"#observed\">"));
    let section = html
        .split("<section id=\"observed\">")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap();
    assert!(section.contains("<div class=\"table-wrap\"><table"));
    // Totals, peaks, means; |200| + |300| + |500| + 0 = 1,000 over 4 periods: 250, 25 %
    // of the mean of 1,000.
    let throttles = "<td>worker</td><td>throttles</td><td>1 min</td><td>4,000</td><td>4,000</td>\
                     <td>2,000</td><td>1,500</td><td>1,000</td><td>1,000</td><td>250</td><td>25.0 %</td>";
    assert!(section.contains(throttles), "{section}");
    // Concurrency has no total; its error is |2| over 2 periods, 1 of a mean of 20.
    let concurrency = "<td>concurrency</td><td>1 min</td><td>—</td><td>—</td><td>30</td><td>30</td>\
                       <td>20</td><td>21</td><td>1</td><td>5.0 %</td>";
    assert!(section.contains(concurrency), "{section}");
    // The charts that draw them say so (concurrency, the focus on the burst, throttles,
    // requests); the others do not.
    assert_eq!(html.matches("Dashed lines labelled observed").count(), 4);
    // Without observed series there is no section.
    assert!(!page(&["base"]).contains("id=\"observed\""));
}

#[test]
fn a_stream_mapping_is_described_by_its_lanes_and_when_records_are_given_up() {
    use super::config::stream;
    let mut f = lambdasim_model::FunctionConfig::new("clicks");
    f.stream = lambdasim_model::StreamConfig {
        shards: 4,
        parallelization_factor: 5,
        maximum_retry_attempts: Some(3),
        maximum_record_age: Some(600 * 1_000_000_000),
        ..lambdasim_model::StreamConfig::default()
    };
    let text = stream(&f);
    assert!(
        text.starts_with("Kinesis, 4 shards × parallelization 5 (at most 20 at once)"),
        "{text}"
    );
    assert!(text.contains("discarded after 3 retries"), "{text}");
    f.stream.maximum_retry_attempts = None;
    f.stream.source = lambdasim_model::StreamSource::DynamoDb;
    let text = stream(&f);
    assert!(text.starts_with("DynamoDB stream"), "{text}");
    assert!(text.contains("retried until the records expire"), "{text}");
}
