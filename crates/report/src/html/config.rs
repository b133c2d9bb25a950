//! The configuration each variant ran with: the account, then each function, with the
//! variants side by side and every setting a variant changed highlighted.

use super::{ReportVariant, escape};
use crate::table::thousands;
use lambdasim_model::{
    Architecture, DurationDist, FrontDoor, FunctionConfig, GatewayLimit, InvocationType,
    ReusePolicy, ScalingMode, SimConfig, SnapStartRuntime, StreamSource,
};
use std::fmt::Write;

/// Nanoseconds per millisecond and per second: the model's time unit.
const MS: u64 = 1_000_000;
const SEC: u64 = 1_000_000_000;

pub fn section(page: &mut String, variants: &[ReportVariant<'_>]) {
    page.push_str("<section id=\"configuration\">\n<h2>Configuration</h2>\n");
    if variants.len() > 1 {
        page.push_str(
            "<p class=\"lead\">Settings a variant changes from the first are highlighted.</p>\n",
        );
    }
    let configs: Vec<&SimConfig> = variants.iter().map(|v| v.config).collect();
    let names: Vec<&str> = variants.iter().map(|v| v.summary.name).collect();
    table(page, "Account and run", &names, &account_rows(&configs));
    if let Some(first) = configs.first() {
        for f in &first.functions {
            let functions: Vec<Option<FunctionView>> = variants
                .iter()
                .map(|v| FunctionView::named(v, &f.name))
                .collect();
            table(
                page,
                &format!("Function {}", f.name),
                &names,
                &function_rows(&functions),
            );
        }
    }
    page.push_str("</section>\n");
}

/// A setting's label and its value in each variant.
type Row = (&'static str, Vec<String>);

fn table(page: &mut String, title: &str, variants: &[&str], rows: &[Row]) {
    let _ = write!(
        page,
        "<h3>{}</h3>\n<div class=\"table-wrap\"><table class=\"config\">\n<thead><tr><th>setting</th>",
        escape(title)
    );
    for name in variants {
        let _ = write!(page, "<th>{}</th>", escape(name));
    }
    page.push_str("</tr></thead>\n<tbody>\n");
    for (label, values) in rows {
        let _ = write!(page, "<tr><th scope=\"row\">{label}</th>");
        for value in values {
            let changed = values.first().is_some_and(|first| first != value);
            let class = if changed { " class=\"changed\"" } else { "" };
            let _ = write!(page, "<td{class}>{}</td>", escape(value));
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</tbody>\n</table></div>\n");
}

fn account_rows(configs: &[&SimConfig]) -> Vec<Row> {
    let row = |label, value: fn(&SimConfig) -> String| {
        (label, configs.iter().map(|c| value(c)).collect())
    };
    vec![
        row("concurrency limit", |c| {
            thousands(u64::from(c.account.concurrency_limit))
        }),
        row("unreserved minimum", |c| {
            thousands(u64::from(c.account.unreserved_minimum))
        }),
        row("unreserved pool", |c| c.unreserved_pool().to_string()),
        row("scaling", scaling),
        row("request-rate limit", |c| {
            match c.account.rps_per_environment {
                r if r > 0.0 => format!("{r} × concurrency limit / s"),
                _ => "off".to_string(),
            }
        }),
        row("API Gateway", |c| {
            if c.functions
                .iter()
                .any(|f| f.front_door != FrontDoor::Direct)
            {
                gateway_limit(&c.account.front_door)
            } else {
                "no function behind it".to_string()
            }
        }),
        row("region", |c| c.account.region.clone()),
        row("duration", |c| duration(c.duration)),
        row("resolution", |c| duration(c.resolution)),
        row("seed", |c| c.seed.to_string()),
        row("billing", |c| {
            let init = if c.billing.init {
                "Init billed"
            } else {
                "Init not billed"
            };
            let free = if c.billing.free_tier {
                ", free tier"
            } else {
                ""
            };
            format!("{init}{free}, {} prices", c.billing.prices.source)
        }),
    ]
}

/// A gateway limit as "rate / s, burst".
fn gateway_limit(l: &GatewayLimit) -> String {
    format!(
        "{} / s, burst {}",
        thousands(l.rate_per_second),
        thousands(l.burst)
    )
}

/// Whether a function is behind API Gateway, its route's limit and its integration
/// timeout.
fn front_door(f: &FunctionConfig) -> String {
    match f.front_door {
        FrontDoor::Direct => "direct".to_string(),
        FrontDoor::Behind {
            route,
            integration_timeout,
        } => {
            let route = route.map_or(String::new(), |r| format!(", route {}", gateway_limit(&r)));
            format!(
                "behind API Gateway{route}, integration timeout {}",
                duration(integration_timeout)
            )
        }
    }
}

fn scaling(c: &SimConfig) -> String {
    let s = c.account.scaling;
    let rule = match s.mode {
        ScalingMode::PerFunction => "per function",
        ScalingMode::Legacy => "legacy, account-wide",
    };
    format!(
        "{rule}: burst {}, +{} per minute",
        thousands(s.burst),
        thousands(s.refill_per_minute)
    )
}

/// One variant's function of a given name, with where its warm start came from.
#[derive(Clone, Copy)]
struct FunctionView<'a> {
    config: &'a FunctionConfig,
    warm_auto: bool,
}

impl<'a> FunctionView<'a> {
    /// The function called `name` in variant `v`, if it has one.
    fn named(v: &ReportVariant<'a>, name: &str) -> Option<Self> {
        let index = v.config.functions.iter().position(|g| g.name == name)?;
        Some(Self {
            config: &v.config.functions[index],
            warm_auto: v.warm_auto.get(index).copied().unwrap_or(false),
        })
    }

    /// The warm start, and `auto` when the first minute's load set it.
    fn warm_start(self) -> String {
        let n = thousands(u64::from(self.config.warm_start));
        if self.warm_auto {
            format!("auto: {n} (first minute's load)")
        } else {
            n
        }
    }
}

fn function_rows(functions: &[Option<FunctionView>]) -> Vec<Row> {
    let row = |label, value: fn(&FunctionConfig) -> String| {
        let values = functions
            .iter()
            .map(|f| f.map_or_else(|| "-".to_string(), |f| value(f.config)))
            .collect();
        (label, values)
    };
    let warm_start = functions
        .iter()
        .map(|f| f.map_or_else(|| "-".to_string(), FunctionView::warm_start))
        .collect();
    vec![
        row("memory", |f| {
            format!("{} MB", thousands(u64::from(f.memory_mb)))
        }),
        row("architecture", |f| {
            match f.architecture {
                Architecture::X86_64 => "x86_64",
                Architecture::Arm64 => "arm64",
            }
            .to_string()
        }),
        row("init duration", |f| distribution(&f.init_duration)),
        row("SnapStart", snapstart),
        row("duration", |f| distribution(&f.duration)),
        row("memory scaling", memory_scaling),
        row("front door", front_door),
        row("reserved concurrency", |f| {
            f.reserved_concurrency
                .map_or_else(|| "none".to_string(), |r| thousands(u64::from(r)))
        }),
        row("provisioned concurrency", provisioned),
        row("timeout", |f| duration(f.timeout)),
        row("idle timeout", |f| duration(f.idle_timeout)),
        row("function idle timeout", |f| {
            f.function_idle_timeout
                .map_or_else(|| "none".to_string(), duration)
        }),
        row("max lifetime", |f| {
            f.max_lifetime.map_or_else(|| "none".to_string(), duration)
        }),
        ("warm start", warm_start),
        row("reuse", |f| {
            match f.reuse {
                ReusePolicy::Mru => "mru",
                ReusePolicy::Lru => "lru",
                ReusePolicy::Newest => "newest",
                ReusePolicy::Oldest => "oldest",
                ReusePolicy::Random => "random",
            }
            .to_string()
        }),
        row("invocation", |f| match f.invocation {
            InvocationType::Sync => "sync".to_string(),
            InvocationType::Async => "async".to_string(),
            InvocationType::Sqs => sqs(f),
            InvocationType::Stream => stream(f),
        }),
    ]
}

/// An SQS mapping's queue, batches, mode and cap, and what happens to a message that
/// keeps failing.
fn sqs(f: &FunctionConfig) -> String {
    let s = &f.sqs;
    let mut text = match s.message_groups {
        Some(groups) => format!("SQS FIFO, {} message groups", thousands(u64::from(groups))),
        None => "SQS".to_string(),
    };
    let _ = write!(
        text,
        ", batches of up to {}",
        thousands(u64::from(s.batch_size))
    );
    if s.batch_window > 0 {
        let _ = write!(text, " within {}", duration(s.batch_window));
    }
    let _ = write!(
        text,
        ", at most {} at once, visibility timeout {}",
        thousands(u64::from(s.cap())),
        duration(s.visibility_timeout)
    );
    if let Some(p) = s.provisioned {
        let _ = write!(
            text,
            ", provisioned mode ({} to {} event pollers)",
            thousands(u64::from(p.minimum_pollers)),
            thousands(u64::from(p.maximum_pollers))
        );
    }
    if s.report_batch_item_failures {
        text.push_str(", reporting batch item failures");
    }
    match s.max_receive_count {
        Some(n) => {
            let _ = write!(text, ", dead-lettered after {n} receives");
        }
        None => text.push_str(", no dead-letter queue"),
    }
    text
}

/// A stream mapping's source, shards and parallelization, batches, and when records
/// are given up.
pub(super) fn stream(f: &FunctionConfig) -> String {
    let s = &f.stream;
    let source = match s.source {
        StreamSource::Kinesis => "Kinesis",
        StreamSource::DynamoDb => "DynamoDB stream",
    };
    let mut text = format!(
        "{source}, {} shards × parallelization {} (at most {} at once), batches of up to {}",
        thousands(u64::from(s.shards)),
        s.parallelization_factor,
        thousands(u64::from(s.lanes())),
        thousands(u64::from(s.batch_size))
    );
    if s.batch_window > 0 {
        let _ = write!(text, " within {}", duration(s.batch_window));
    }
    if s.bisect_batch_on_error {
        text.push_str(", a failed batch split in two");
    }
    match s.maximum_retry_attempts {
        Some(n) => {
            let _ = write!(text, ", discarded after {n} retries");
        }
        None => text.push_str(", retried until the records expire"),
    }
    let _ = write!(text, ", records expire at {}", duration(s.expiry()));
    text
}

/// SnapStart's runtime and restore, or "off".
fn snapstart(f: &FunctionConfig) -> String {
    let Some(s) = &f.snapstart else {
        return "off".to_string();
    };
    let runtime = match s.runtime {
        SnapStartRuntime::Java => "Java",
        SnapStartRuntime::Python => "Python",
        SnapStartRuntime::Dotnet => ".NET",
    };
    format!("{runtime}, restore {}", distribution(&s.restore_duration))
}

/// How the duration scales with memory: the factor at this memory, and from what.
fn memory_scaling(f: &FunctionConfig) -> String {
    let Some(s) = f.memory_scaling else {
        return "none".to_string();
    };
    let threads = match s.threads {
        1 => "1 thread".to_string(),
        n => format!("{n} threads"),
    };
    format!(
        "× {:.2} (measured at {} MB, {:.0}% CPU-bound, {threads})",
        f.duration_factor(),
        thousands(u64::from(s.reference_mb)),
        s.cpu_share * 100.0,
    )
}

/// The provisioned concurrency at the start, and how it changes later, if it does.
fn provisioned(f: &FunctionConfig) -> String {
    let mut text = thousands(u64::from(f.provisioned_concurrency));
    let changes = f.provisioning.schedule.len();
    if changes > 0 {
        let _ = write!(
            text,
            ", then {changes} scheduled change{}",
            if changes == 1 { "" } else { "s" }
        );
    }
    if let Some(a) = f.provisioning.autoscaling {
        let _ = write!(
            text,
            ", autoscaling {}–{} at {:.0}% utilisation",
            a.min,
            a.max,
            a.target_utilization * 100.0
        );
    }
    text
}

fn distribution(d: &DurationDist) -> String {
    match *d {
        DurationDist::Empirical(ref e) => format!(
            "empirical, {} observed values, median {}, p99 {}",
            e.len(),
            duration(e.quantile(0.5)),
            duration(e.quantile(0.99))
        ),
        DurationDist::Constant(v) => duration(v),
        DurationDist::Exponential { mean } => format!("exponential, mean {}", duration(mean)),
        DurationDist::Normal { mean, stddev } => {
            format!("normal, mean {}, sd {}", duration(mean), duration(stddev))
        }
        DurationDist::Uniform { min, max } => {
            format!("uniform, {} to {}", duration(min), duration(max))
        }
        DurationDist::Lognormal { median, p99 } => {
            format!(
                "lognormal, median {}, p99 {}",
                duration(median),
                duration(p99)
            )
        }
    }
}

/// A span of simulated time in the largest unit that shows it exactly, or in seconds or
/// milliseconds with decimals.
pub fn duration(ns: u64) -> String {
    const UNITS: [(u64, &str); 4] = [
        (86_400 * SEC, "d"),
        (3600 * SEC, "h"),
        (60 * SEC, "min"),
        (SEC, "s"),
    ];
    if ns == 0 {
        return "0 s".to_string();
    }
    if let Some((size, name)) = UNITS.iter().find(|(size, _)| ns.is_multiple_of(*size)) {
        return format!("{} {name}", ns / size);
    }
    let (value, unit) = if ns >= SEC {
        (ns as f64 / SEC as f64, "s")
    } else {
        (ns as f64 / MS as f64, "ms")
    };
    let text = format!("{value:.3}");
    format!(
        "{} {unit}",
        text.trim_end_matches('0').trim_end_matches('.')
    )
}
