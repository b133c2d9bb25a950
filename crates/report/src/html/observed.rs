//! The "Simulated against observed" section: for each variant, function and observed
//! metric, both sides' total, peak and mean per period, and how far apart they are
//! period by period.

use super::{ReportVariant, escape};
use crate::observed::{Comparison, Totals};
use std::fmt::Write;

/// Writes the section; nothing when no variant has observed series.
pub fn section(page: &mut String, variants: &[ReportVariant<'_>]) {
    if variants.iter().all(|v| v.observed.is_empty()) {
        return;
    }
    page.push_str(
        "<section id=\"observed\">\n<h2>Simulated against observed</h2>\n<p class=\"lead\">\
         What the scenario's <code>observed:</code> sources say happened, beside what the \
         run simulated over the same periods (buckets summed for counts, their maximum for \
         concurrency). The error is the mean over the periods of |simulated − observed|, \
         and that as a share of the observed mean. The charts draw the observed series \
         dashed.</p>\n<div class=\"table-wrap\"><table class=\"numbers\">\n<thead><tr><th>configuration</th>\
         <th>function</th><th>metric</th><th>period</th>\
         <th>observed total</th><th>simulated total</th>\
         <th>observed peak</th><th>simulated peak</th>\
         <th>observed mean</th><th>simulated mean</th>\
         <th>error per period</th><th>error % of mean</th></tr></thead>\n<tbody>\n",
    );
    for v in variants {
        for c in v.observed {
            row(page, v, c);
        }
    }
    page.push_str("</tbody>\n</table></div>\n</section>\n");
}

fn row(page: &mut String, v: &ReportVariant<'_>, c: &Comparison) {
    let o = &c.observed;
    let e = c.errors();
    let function = v
        .config
        .functions
        .get(o.function)
        .map_or("", |f| f.name.as_str());
    let total = |t: &Totals| {
        if o.metric.is_gauge() {
            "—".to_string()
        } else {
            number(t.total)
        }
    };
    let _ = writeln!(
        page,
        "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td>\
         <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        escape(v.summary.name),
        escape(function),
        o.metric.label(),
        super::config::duration(o.period),
        total(&e.observed),
        total(&e.simulated),
        number(e.observed.peak),
        number(e.simulated.peak),
        number(e.observed.mean),
        number(e.simulated.mean),
        number(e.mean_absolute),
        e.percent_of_mean
            .map_or_else(|| "—".to_string(), |p| format!("{p:.1} %")),
    );
}

/// A count or a mean: whole numbers with their thousands grouped, others to two
/// decimals.
fn number(value: f64) -> String {
    if value.fract() == 0.0 && value >= 0.0 {
        crate::table::thousands(value as u64)
    } else {
        format!("{value:.2}")
    }
}
