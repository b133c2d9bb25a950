//! Rendering tests: real charts from hand-made series, decoded and parsed back.

use super::*;
use lambdasim_model::{BucketRow, FunctionConfig, SeriesSink};

pub(crate) fn config() -> SimConfig {
    let mut api = FunctionConfig::new("api");
    api.provisioned_concurrency = 20;
    let mut worker = FunctionConfig::new("worker");
    worker.reserved_concurrency = Some(60);
    SimConfig {
        seed: 1,
        duration: 1800 * 1_000_000_000,
        resolution: 10 * 1_000_000_000,
        account: Default::default(),
        functions: vec![api, worker],
        billing: Default::default(),
    }
}

/// A variant's chart data without seeds' bands or observed series.
pub(crate) fn plain<'a>(
    name: &'a str,
    config: &'a SimConfig,
    series: &'a ChartSeries,
) -> VariantData<'a> {
    VariantData {
        name,
        config,
        series,
        band: None,
        observed: &[],
    }
}

/// A series with a burst at 10 min.
pub(crate) fn series(config: &SimConfig, scale: u32) -> ChartSeries {
    let mut series = ChartSeries::new(config);
    for b in 0..180u32 {
        for function in 0..2 {
            let burst = b == 60;
            let row = BucketRow {
                function,
                t_s: f64::from(b) * 10.0,
                requests: 3000,
                cold_starts: if burst { 900 } else { 2 },
                concurrency_max: scale * if burst { 900 } else { 30 },
                provisioned_busy: 20,
                initializing: if burst { 400 } else { 1 },
                environments: 60,
                idle_environments: 10,
                latency_p50_ms: if b % 50 == 7 { f64::NAN } else { 80.0 },
                latency_p99_ms: if burst { 1500.0 } else { 400.0 },
                throttles: lambdasim_model::ThrottleCounts {
                    account_limit: if burst { 500 } else { 0 },
                    ..Default::default()
                },
                ..Default::default()
            };
            series.record(&row).unwrap();
        }
    }
    series
}

fn png_size(png: &[u8]) -> (u32, u32) {
    let decoder = ::png::Decoder::new(png);
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG image data");
    (info.width, info.height)
}

#[test]
fn a_chart_renders_to_a_decodable_png_and_a_well_formed_svg() {
    let config = config();
    let series = series(&config, 1);
    let v = plain("on-demand", &config, &series);
    for spec in variant_specs(&v) {
        let chart = render_one(format!("on-demand-{}", spec.kind), &spec).unwrap();
        assert_eq!(png_size(&chart.png), size(&spec), "{}", chart.stem);
        assert_eq!(size(&spec).0, WIDTH);
        let doc = roxmltree::Document::parse(&chart.svg).expect("well-formed SVG");
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        assert!(chart.svg.contains(&spec.title), "{}", chart.stem);
        for panel in &spec.panels {
            assert!(chart.svg.contains(&panel.title));
        }
    }
}

#[test]
fn concurrency_has_states_and_limit_lines() {
    let config = config();
    let series = series(&config, 1);
    let v = plain("base", &config, &series);
    let spec = concurrency::spec(&v);
    let chart = render_one("c".into(), &spec).unwrap();
    for text in [
        "provisioned busy",
        "on-demand busy",
        "initialising",
        "account limit 1000",
        // api has 20 provisioned of its own besides the pool of 1000 - 60 - 20.
        "pool 920 + provisioned 20",
        "provisioned 20",
        "reserved 60",
    ] {
        assert!(chart.svg.contains(text), "missing {text}");
    }
    // The stack's top at the burst is the bucket's peak.
    let api = &spec.panels[0];
    let top: f64 = api.stacked.iter().map(|s| s.points[60].1).sum();
    assert_eq!(top, 900.0);
}

#[test]
fn comparison_charts_share_axes_and_name_every_variant() {
    let config = config();
    let low = series(&config, 1);
    let high = series(&config, 2);
    let variants = [
        plain("small", &config, &low),
        plain("large", &config, &high),
    ];
    let (per_variant, comparison) = all_specs(&variants, None);
    assert_eq!(comparison.len(), 5);
    let tops: Vec<Option<f64>> = per_variant
        .iter()
        .map(|specs| specs[0].panels[0].y_max)
        .collect();
    assert_eq!(tops[0], tops[1]);
    assert!(tops[0].unwrap() >= 1800.0);

    let set = render(&variants).unwrap();
    assert_eq!(set.variants.len(), 2);
    // Six charts and the focus on the burst.
    assert_eq!(set.variants[0].len(), 7);
    assert_eq!(set.variants[0][1].kind, "focus");
    let stems: Vec<&str> = set.comparison.iter().map(|c| c.stem.as_str()).collect();
    assert_eq!(
        stems,
        [
            "comparison-concurrency",
            "comparison-throttles",
            "comparison-cold-starts",
            "comparison-latency",
            "comparison-cost"
        ]
    );
    for chart in &set.comparison {
        assert!(chart.svg.contains("small") && chart.svg.contains("large"));
    }
}

#[test]
fn a_variant_named_comparison_leaves_the_comparison_its_names() {
    let config = config();
    let (a, b) = (series(&config, 1), series(&config, 2));
    let variants = [
        plain("comparison", &config, &a),
        plain("other", &config, &b),
    ];
    let set = render(&variants).unwrap();
    assert_eq!(set.comparison[0].stem, "comparison-concurrency");
    assert_eq!(set.variants[0][0].stem, "comparison-concurrency-2");
}

#[test]
fn a_single_variant_has_no_comparison() {
    let config = config();
    let series = series(&config, 1);
    let v = plain("base", &config, &series);
    let (_, comparison) = all_specs(&[v], None);
    assert!(comparison.is_empty());
}

#[test]
fn stems_are_safe_and_unique() {
    let mut stems = Stems::default();
    assert_eq!(stems.take("a b/c-concurrency"), "a_b_c-concurrency");
    assert_eq!(stems.take("a-b"), "a-b");
    assert_eq!(stems.take("a-b"), "a-b-2");
}

#[test]
fn a_long_variant_name_gives_a_short_stem_that_keeps_the_chart_kind() {
    let mut stems = Stems::default();
    let long = format!("{}-concurrency", "v".repeat(300));
    let stem = stems.take(&long);
    assert!(stem.len() <= MAX_STEM, "{}", stem.len());
    assert!(stem.starts_with("vvvv") && stem.ends_with("-concurrency"));
    // Two names that differ only in the cut middle still get two files.
    let other = format!("{}x{}-concurrency", "v".repeat(150), "v".repeat(149));
    assert_ne!(stems.take(&other), stem);
}

#[test]
fn write_charts_writes_both_formats_and_no_temporary_file() {
    let config = config();
    let series = series(&config, 1);
    let v = plain("base", &config, &series);
    let set = render(&[v]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let charts = dir.path().join("charts");
    write_charts(&charts, &set).unwrap();
    let mut names: Vec<String> = fs::read_dir(&charts)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 14);
    assert!(names.contains(&"base-concurrency.png".to_string()));
    assert!(names.contains(&"base-focus.png".to_string()));
    assert!(names.contains(&"base-latency.svg".to_string()));
    assert!(names.iter().all(|n| !n.ends_with(".tmp")));
}

#[test]
fn a_failed_write_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    // The target is a non-empty directory, so the rename fails.
    let target = dir.path().join("chart.png");
    fs::create_dir(&target).unwrap();
    fs::write(target.join("keep"), "x").unwrap();
    assert!(write_atomically(&target, b"\x89PNG").is_err());
    let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1);
}

#[test]
fn a_chart_of_many_functions_draws_the_busiest_dozen() {
    // 20 functions; function i gets i requests a bucket: the 12 busiest are 8..20.
    let mut config = config();
    config.functions = (0..20)
        .map(|i| FunctionConfig::new(format!("f{i}")))
        .collect();
    let mut series = ChartSeries::new(&config);
    for b in 0..10u32 {
        for function in 0..20 {
            let row = BucketRow {
                function,
                t_s: f64::from(b) * 10.0,
                requests: function as u64,
                ..Default::default()
            };
            series.record(&row).unwrap();
        }
    }
    let v = plain("base", &config, &series);
    let want: Vec<String> = (8..20).map(|i| format!("f{i}")).collect();
    for spec in variant_specs(&v) {
        if spec.kind == "cost" {
            // One panel, the busiest stacked and the rest as one layer.
            let layers: Vec<&str> = spec.panels[0]
                .stacked
                .iter()
                .map(|s| s.label.as_str())
                .collect();
            assert_eq!(layers[..12], want);
            assert_eq!(layers[12..], ["the other 8 functions"]);
            continue;
        }
        let names: Vec<&str> = spec.panels.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(names, want, "{}", spec.kind);
        assert!(
            spec.title.ends_with("(the 12 busiest of 20 functions)"),
            "{}",
            spec.title
        );
    }
}

#[test]
fn async_functions_get_a_queue_chart_and_sync_ones_do_not() {
    let mut config = config();
    let series = series(&config, 1);
    let v = plain("base", &config, &series);
    assert!(variant_specs(&v).iter().all(|s| s.kind != "queue"));

    config.functions[1].invocation = lambdasim_model::InvocationType::Async;
    let mut series = ChartSeries::new(&config);
    for b in 0..180u32 {
        for function in 0..2 {
            let row = BucketRow {
                function,
                t_s: f64::from(b) * 10.0,
                queue_depth: if function == 1 { b * 10 } else { 0 },
                ..Default::default()
            };
            series.record(&row).unwrap();
        }
    }
    let v = plain("base", &config, &series);
    let specs = variant_specs(&v);
    let queue = specs
        .iter()
        .find(|s| s.kind == "queue")
        .expect("a queue chart");
    let titles: Vec<&str> = queue.panels.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, ["worker", "worker: age of invoked events"]);
    assert_eq!(queue.panels[0].data_max(), 1790.0);
    let chart = render_one("base-queue".into(), queue).unwrap();
    assert!(chart.svg.contains("queue depth"));
}

#[test]
fn a_far_limit_is_named_off_scale_and_a_near_one_drawn() {
    // The api peaks at 900 (30 between bursts): an account limit of 10,000 would
    // flatten it, so the axis fits the data and the legend says the limit is above it;
    // the worker's reserved 60 is near its data and drawn.
    let mut config = config();
    config.account.concurrency_limit = 10_000;
    let series = series(&config, 1);
    let v = plain("base", &config, &series);
    let spec = concurrency::spec(&v);
    let api = &spec.panels[0];
    assert!(api.y_top() < 1000.0, "{}", api.y_top());
    let off: Vec<&str> = api
        .limits
        .iter()
        .filter(|l| !api.on_scale(l))
        .map(|l| l.label.as_str())
        .collect();
    assert_eq!(off, ["account limit 10000", "pool 9920 + provisioned 20"]);
    let chart = render_one("c".into(), &spec).unwrap();
    assert_eq!(chart.svg.matches(draw::OFF_SCALE).count(), 2);
    let worker = &spec.panels[1];
    assert!(worker.limits.iter().all(|l| worker.on_scale(l)));
}

#[test]
fn identical_variants_say_so_in_the_comparison_legend() {
    let config = config();
    let (a, b) = (series(&config, 1), series(&config, 1));
    let variants = [plain("first", &config, &a), plain("second", &config, &b)];
    let set = render(&variants).unwrap();
    for chart in &set.comparison {
        // Under the first variant's name, once per panel: two functions, and for cost
        // all functions together too.
        let note = "hidden under identical second";
        let panels = if chart.kind == "cost" { 3 } else { 2 };
        assert_eq!(chart.svg.matches(note).count(), panels, "{}", chart.stem);
    }
}

/// A day at 1 s resolution: 100 requests/s, and 1,000/s with throttles from 9:00 to
/// 9:30 when `sale`.
fn day(config: &SimConfig, sale: bool) -> ChartSeries {
    let mut series = ChartSeries::new(config);
    for b in 0..86_400u32 {
        let in_sale = sale && (9 * 3600..9 * 3600 + 1800).contains(&b);
        let row = BucketRow {
            function: 0,
            t_s: f64::from(b),
            requests: if in_sale { 1000 } else { 100 },
            concurrency_max: if in_sale { 100 } else { 10 },
            throttles: lambdasim_model::ThrottleCounts {
                account_limit: if in_sale && b % 2 == 0 { 50 } else { 0 },
                ..Default::default()
            },
            ..Default::default()
        };
        series.record(&row).unwrap();
    }
    series
}

fn day_config() -> SimConfig {
    SimConfig {
        duration: 86_400 * 1_000_000_000,
        resolution: 1_000_000_000,
        functions: vec![FunctionConfig::new("shop")],
        ..config()
    }
}

#[test]
fn the_focus_window_is_found_around_the_event_and_drawn_finer() {
    let config = day_config();
    let series = day(&config, true);
    let v = plain("sale", &config, &series);
    // The 30-minute sale with as long again on either side: 8:30 to 10:00.
    let (start, end) = find_window(&[v]).expect("a focus");
    assert!((start - 8.5 * 3600.0).abs() <= 120.0, "{start}");
    assert!((end - 10.0 * 3600.0).abs() <= 120.0, "{end}");
    // Drawn from the finer columns: 48,000 of 1.8 s for one function, so about 3,000
    // in the window, where the whole-run chart has 1,000 columns of 86 s (63 in it).
    let cropped = series.focus(start, end);
    let columns = cropped.columns(0).len();
    assert!((2900..=3100).contains(&columns), "{columns}");
    assert!(cropped.column_start_s(0) <= start && start < cropped.column_end_s(0));
    let (per_variant, _) = all_specs(&[v], Some((start, end)));
    let focus = &per_variant[0][1];
    assert_eq!(focus.kind, "focus");
    assert_eq!(
        focus.title,
        format!("Focus: {} to {} — sale", clock(start), clock(end))
    );
    let titles: Vec<&str> = focus.panels.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "shop: concurrency",
            "shop: requests and cold starts",
            "shop: throttles"
        ]
    );
    assert!(focus.time.clock && focus.time.start > 0.0);
    let chart = render_one("sale-focus".into(), focus).unwrap();
    assert!(chart.svg.contains("9:00"), "clock ticks");
    assert_eq!(render(&[v]).unwrap().variants[0][1].kind, "focus");

    // A day without an event has nothing to focus on, and no focus chart.
    let flat = day(&config, false);
    let v = plain("flat", &config, &flat);
    assert_eq!(find_window(&[v]), None);
    assert!(
        render(&[v]).unwrap().variants[0]
            .iter()
            .all(|c| c.kind != "focus")
    );
}

#[test]
fn clock_reads_times_into_the_run() {
    assert_eq!(clock(9.0 * 3600.0 + 300.0), "9:05");
    assert_eq!(clock(9.0 * 3600.0 + 330.0), "9:05:30");
    assert_eq!(clock(86_400.0 + 9.0 * 3600.0), "day 2, 9:00");
    assert_eq!(clock(0.0), "0:00");
}

#[test]
fn with_several_seeds_the_charts_draw_their_range_as_a_band() {
    let config = config();
    let first = series(&config, 2);
    let mut band = SeedBand::of(&first);
    band.include(&series(&config, 1));
    band.include(&series(&config, 3));
    let banded = VariantData {
        name: "base",
        config: &config,
        series: &first,
        band: Some(&band),
        observed: &[],
    };
    let specs = variant_specs(&banded);
    let concurrency = &specs[0];
    assert_eq!(concurrency.kind, "concurrency");
    let api = &concurrency.panels[0].bands[0];
    assert_eq!(api.label, "concurrency range, 3 seeds");
    // From the lowest run's peak to the highest's, around the first seed's.
    assert_eq!(api.points[60].1, 900.0);
    assert_eq!(api.points[60].2, 2700.0);
    // The axis makes room for the band's top.
    assert!(concurrency.panels[0].linear_top() >= 2700.0);
    let kinds_with_bands: Vec<&str> = specs
        .iter()
        .filter(|s| s.panels.iter().any(|p| !p.bands.is_empty()))
        .map(|s| s.kind)
        .collect();
    assert_eq!(
        kinds_with_bands,
        [
            "concurrency",
            "throttles",
            "requests",
            "environments",
            "latency"
        ]
    );
    let chart = render_one("c".into(), concurrency).unwrap();
    assert!(chart.svg.contains("concurrency range, 3 seeds"));
    assert!(chart.svg.contains("<polygon"), "the band is drawn");
    // The focus chart has the band too, cropped to its window.
    let focus = focus::spec(&banded, (300.0, 900.0));
    assert!(focus.panels.iter().any(|p| !p.bands.is_empty()));

    // One seed: no band anywhere.
    let single = VariantData {
        band: None,
        observed: &[],
        ..banded
    };
    assert!(
        variant_specs(&single)
            .iter()
            .all(|s| s.panels.iter().all(|p| p.bands.is_empty()))
    );
}

#[test]
fn observed_series_are_dashed_lines_on_the_matching_charts() {
    use crate::observed::Comparison;
    use lambdasim_model::{ObservedMetric, ObservedSeries};
    let config = config();
    let s = series(&config, 1);
    let observed = |metric, values: Vec<f64>| Comparison {
        observed: ObservedSeries {
            function: 1,
            metric,
            period: 60_000_000_000,
            start: 0,
            values,
        },
        simulated: Vec::new(),
    };
    let comparisons = [
        observed(ObservedMetric::Throttles, vec![120.0, 0.0, 60.0]),
        observed(ObservedMetric::Concurrency, vec![12.0, 40.0]),
        observed(ObservedMetric::ColdStarts, vec![6.0]),
    ];
    let v = VariantData {
        name: "base",
        config: &config,
        series: &s,
        band: None,
        observed: &comparisons,
    };
    let specs = variant_specs(&v);
    let dashed = |kind: &str, panel: usize| -> Vec<(String, Vec<(f64, f64)>)> {
        let spec = specs.iter().find(|s| s.kind == kind).unwrap();
        spec.panels[panel]
            .lines
            .iter()
            .filter(|l| l.stroke == Stroke::Dashed)
            .map(|l| (l.label.clone(), l.points.clone()))
            .collect()
    };
    // Counts per minute as rates per second, at each period's start in minutes.
    assert_eq!(
        dashed("throttles", 1),
        vec![(
            "observed throttles / s".to_string(),
            vec![(0.0, 2.0), (1.0, 0.0), (2.0, 1.0)]
        )]
    );
    assert_eq!(
        dashed("concurrency", 1),
        vec![(
            "observed concurrency".to_string(),
            vec![(0.0, 12.0), (1.0, 40.0)]
        )]
    );
    assert_eq!(dashed("requests", 1)[0].0, "observed cold starts / s");
    // Not on the other function's panels, and the simulated lines stay solid.
    assert!(dashed("throttles", 0).is_empty());
    let requests = specs.iter().find(|s| s.kind == "requests").unwrap();
    assert_eq!(requests.panels[1].lines[0].stroke, Stroke::Solid);
    // The chart draws: the legend names it.
    let chart = render_one("t".into(), &specs[1]).unwrap();
    assert!(chart.svg.contains("observed throttles / s"), "legend");
}

#[test]
fn a_function_behind_api_gateway_draws_its_gateway_timeouts_beside_its_throttles() {
    let mut config = config();
    config.functions[0].front_door = lambdasim_model::FrontDoor::BEHIND;
    let mut series = ChartSeries::new(&config);
    for b in 0..180u32 {
        for function in 0..2 {
            let row = BucketRow {
                function,
                t_s: f64::from(b) * 10.0,
                gateway_timeouts: if b == 60 { 50 } else { 0 },
                ..Default::default()
            };
            series.record(&row).unwrap();
        }
    }
    let v = plain("base", &config, &series);
    let specs = variant_specs(&v);
    let throttles = specs.iter().find(|s| s.kind == "throttles").unwrap();
    let line = |panel: usize| {
        throttles.panels[panel]
            .lines
            .iter()
            .find(|l| l.label == "gateway timeouts")
            .map(|l| l.points.iter().map(|p| p.1).fold(0.0, f64::max))
    };
    // 50 in a 10 s bucket: 5 a second at the peak; none drawn for the direct worker.
    assert_eq!(line(0), Some(5.0));
    assert_eq!(line(1), None);
}

#[test]
fn an_sqs_function_gets_its_queue_its_pollers_against_their_cap_and_its_oldest_age() {
    let mut config = config();
    config.functions[1].invocation = lambdasim_model::InvocationType::Sqs;
    config.functions[1].sqs.maximum_concurrency = Some(50);
    let mut series = ChartSeries::new(&config);
    for b in 0..180u32 {
        for function in 0..2 {
            let row = BucketRow {
                function,
                t_s: f64::from(b) * 10.0,
                queue_depth: if function == 1 { 100_000 } else { 0 },
                sqs_pollers: if function == 1 { 50 } else { 0 },
                ..Default::default()
            };
            series.record(&row).unwrap();
        }
    }
    let v = plain("base", &config, &series);
    let specs = variant_specs(&v);
    let queue = specs
        .iter()
        .find(|s| s.kind == "queue")
        .expect("a queue chart");
    let titles: Vec<&str> = queue.panels.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "worker: SQS queue",
            "worker: pollers",
            "worker: oldest message"
        ]
    );
    // The pollers have an axis of their own, with the cap drawn near them.
    let pollers = &queue.panels[1];
    assert_eq!(pollers.data_max(), 50.0);
    assert_eq!(pollers.limits[0].label, "pollers' cap 50");
    assert!(pollers.on_scale(&pollers.limits[0]));
    assert_eq!(pollers.limits.len(), 1, "standard mode has no floor");
    // Provisioned mode: its minimum pollers' batches are the floor, drawn too.
    config.functions[1].sqs.provisioned = Some(lambdasim_model::SqsProvisioned {
        minimum_pollers: 3,
        maximum_pollers: 20,
    });
    let v = plain("base", &config, &series);
    let specs = variant_specs(&v);
    let queue = specs.iter().find(|s| s.kind == "queue").unwrap();
    let labels: Vec<&str> = queue.panels[1]
        .limits
        .iter()
        .map(|l| l.label.as_str())
        .collect();
    assert_eq!(labels, ["pollers' cap 200", "pollers' floor 30"]);
}

#[test]
fn a_stream_function_gets_its_records_waiting_and_its_iterator_age_against_its_limit() {
    let mut config = config();
    config.functions[1].invocation = lambdasim_model::InvocationType::Stream;
    config.functions[1].stream.maximum_record_age = Some(600 * 1_000_000_000);
    let mut series = ChartSeries::new(&config);
    for b in 0..180u32 {
        for function in 0..2 {
            let stream = function == 1;
            let row = BucketRow {
                function,
                t_s: f64::from(b) * 10.0,
                stream_waiting: if stream { 5_000 } else { 0 },
                stream_iterator_age_s: if stream { f64::from(b) } else { 0.0 },
                ..Default::default()
            };
            series.record(&row).unwrap();
        }
    }
    let v = plain("base", &config, &series);
    let specs = variant_specs(&v);
    let queue = specs
        .iter()
        .find(|s| s.kind == "queue")
        .expect("a queue chart");
    let titles: Vec<&str> = queue.panels.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, ["worker: stream", "worker: iterator age"]);
    assert_eq!(queue.panels[0].data_max(), 5_000.0);
    let age = &queue.panels[1];
    assert_eq!(age.data_max(), 179.0);
    assert_eq!(age.limits[0].label, "maximum_record_age 600 s");
}
