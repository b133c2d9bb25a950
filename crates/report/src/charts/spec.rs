//! What a chart shows, as plain data: the chart builders fill it in, the renderer
//! draws it, and the tests can inspect it without decoding pictures.

use plotters::style::RGBColor;

/// One chart: a title over panels that share the time axis, one panel per function.
#[derive(Clone, Debug)]
pub struct ChartSpec {
    /// The chart's kind, used in file names: `concurrency` → `<variant>-concurrency.png`.
    pub kind: &'static str,
    pub title: String,
    pub time: TimeAxis,
    pub panels: Vec<Panel>,
}

/// One plot area with its own y axis.
#[derive(Clone, Debug)]
pub struct Panel {
    pub title: String,
    pub y_label: String,
    pub scale: YScale,
    /// Drawn as stacked areas, the first at the bottom.
    pub stacked: Vec<Series>,
    /// Drawn as lines over the areas; a NaN value leaves a gap.
    pub lines: Vec<Series>,
    /// Ranges across seeds, drawn translucent over the areas and under the lines.
    pub bands: Vec<Band>,
    /// Horizontal dashed lines such as the account limit.
    pub limits: Vec<Limit>,
    /// The top of the y axis when several charts must share it; `None` fits the data.
    pub y_max: Option<f64>,
}

/// How the y axis maps values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YScale {
    Linear,
    /// For latencies, whose cold-start tail is orders of magnitude above the median.
    Log,
}

/// A named sequence of (time in the axis unit, value) points.
#[derive(Clone, Debug)]
pub struct Series {
    pub label: String,
    pub color: RGBColor,
    pub points: Vec<(f64, f64)>,
    /// A muted note under the legend label: `hidden under identical <variant>` when a
    /// later line is drawn over this one.
    pub note: Option<String>,
    /// How a line is drawn (areas are always filled).
    pub stroke: Stroke,
}

/// How a line is drawn: solid for what the run simulated, dashed for what was
/// observed in production, drawn over it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Stroke {
    #[default]
    Solid,
    Dashed,
}

/// A range over time: the lowest and highest value several seeds' runs had at each
/// point, as (time in the axis unit, low, high); NaN leaves a gap.
#[derive(Clone, Debug)]
pub struct Band {
    pub label: String,
    pub color: RGBColor,
    pub points: Vec<(f64, f64, f64)>,
}

/// A horizontal line at a configured value, labelled with it ("reserved 400").
#[derive(Clone, Debug)]
pub struct Limit {
    pub label: String,
    pub value: f64,
    pub color: RGBColor,
}

/// How far above the data's peak a limit may be and still set the top of the y axis:
/// within it the data fills at least half the plot's height.
pub const NEAR_LIMIT: f64 = 2.0;

impl Panel {
    /// An empty linear panel.
    pub fn new(title: impl Into<String>, y_label: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            y_label: y_label.into(),
            scale: YScale::Linear,
            stacked: Vec::new(),
            lines: Vec::new(),
            bands: Vec::new(),
            limits: Vec::new(),
            y_max: None,
        }
    }

    /// The largest value of the data: the top of the stack, a line or a band (limits
    /// aside).
    pub fn data_max(&self) -> f64 {
        let stack_len = self
            .stacked
            .iter()
            .map(|s| s.points.len())
            .max()
            .unwrap_or(0);
        let stack_top = (0..stack_len)
            .map(|i| {
                self.stacked
                    .iter()
                    .filter_map(|s| s.points.get(i))
                    .map(|p| p.1)
                    .sum()
            })
            .fold(0.0, f64::max);
        let band_top = self
            .bands
            .iter()
            .flat_map(|b| &b.points)
            .map(|p| p.2)
            .filter(|v| v.is_finite())
            .fold(stack_top, f64::max);
        self.lines
            .iter()
            .flat_map(|s| &s.points)
            .map(|p| p.1)
            .filter(|v| v.is_finite())
            .fold(band_top, f64::max)
    }

    /// The top of a linear y axis that fits this panel: the data with 10 % headroom,
    /// raised to show a limit that is near (at most [`NEAR_LIMIT`] × the data's peak)
    /// so the reader sees how close it came. Farther limits are left off the scale
    /// (the legend says so) rather than flatten the data into a line at the bottom.
    pub fn linear_top(&self) -> f64 {
        let data = self.data_max();
        let mut top = if data > 0.0 { data * 1.1 } else { 1.0 };
        for limit in &self.limits {
            if limit.value.is_finite() && data > 0.0 && limit.value <= data * NEAR_LIMIT {
                top = top.max(limit.value * 1.05);
            }
        }
        top
    }

    /// The top of the linear y axis as drawn: the one shared with other charts if set,
    /// else [`Panel::linear_top`].
    pub fn y_top(&self) -> f64 {
        self.y_max.unwrap_or_else(|| self.linear_top())
    }

    /// Whether `limit` is within the y axis and so drawn; one above it is only named in
    /// the legend, as off the scale. Log panels (latency) have no limits to leave off.
    pub fn on_scale(&self, limit: &Limit) -> bool {
        self.scale == YScale::Log || limit.value <= self.y_top()
    }

    /// The smallest positive value of the lines and bands: the floor of a log axis.
    pub fn positive_min(&self) -> Option<f64> {
        let lines = self.lines.iter().flat_map(|s| &s.points).map(|p| p.1);
        let bands = self.bands.iter().flat_map(|b| &b.points).map(|p| p.1);
        lines
            .chain(bands)
            .filter(|v| v.is_finite() && *v > 0.0)
            .reduce(f64::min)
    }
}

/// The unit the time axis counts in, chosen so that its labels stay short.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeAxis {
    /// Seconds per unit.
    pub unit_s: f64,
    pub unit_name: &'static str,
    /// Where the axis starts, in the unit: 0 but for a focus on part of the run.
    pub start: f64,
    /// Whether ticks read as a clock (`9:05`), for a focus on part of the run.
    pub clock: bool,
    /// The end of the run (or of the focus) in the unit.
    pub end: f64,
}

impl TimeAxis {
    /// Seconds up to 3 minutes, minutes up to 3 hours, hours up to 3 days, then days.
    pub fn for_span(duration_s: f64) -> Self {
        let (unit_s, unit_name) = match duration_s {
            d if d <= 180.0 => (1.0, "s"),
            d if d <= 3.0 * 3600.0 => (60.0, "min"),
            d if d <= 3.0 * 86_400.0 => (3600.0, "h"),
            _ => (86_400.0, "days"),
        };
        Self {
            unit_s,
            unit_name,
            start: 0.0,
            clock: false,
            end: duration_s / unit_s,
        }
    }

    /// An axis from `start_s` to `end_s` (seconds into the run), in the unit that
    /// suits the window's length.
    pub fn for_window(start_s: f64, end_s: f64) -> Self {
        let unit = Self::for_span(end_s - start_s);
        Self {
            start: start_s / unit.unit_s,
            end: end_s / unit.unit_s,
            clock: true,
            ..unit
        }
    }

    /// `seconds` in the axis unit.
    pub fn at(&self, seconds: f64) -> f64 {
        seconds / self.unit_s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(points: &[f64]) -> Series {
        Series {
            label: String::new(),
            color: RGBColor(0, 0, 0),
            note: None,
            stroke: Stroke::Solid,
            points: points
                .iter()
                .enumerate()
                .map(|(i, v)| (i as f64, *v))
                .collect(),
        }
    }

    fn limit(value: f64) -> Limit {
        Limit {
            label: format!("limit {value}"),
            value,
            color: RGBColor(0, 0, 0),
        }
    }

    #[test]
    fn data_max_counts_the_stack_and_lines_not_the_limits() {
        let mut panel = Panel::new("p", "y");
        panel.stacked = vec![series(&[1.0, 5.0]), series(&[2.0, 4.0])];
        assert_eq!(panel.data_max(), 9.0);
        panel.lines = vec![series(&[f64::NAN, 12.0])];
        assert_eq!(panel.data_max(), 12.0);
        panel.limits.push(limit(1000.0));
        assert_eq!(panel.data_max(), 12.0);
        assert_eq!(panel.positive_min(), Some(12.0));
        // A band across seeds counts: its top above the line, its bottom below.
        panel.bands.push(Band {
            label: "range".into(),
            color: RGBColor(0, 0, 0),
            points: vec![(0.0, 3.0, 15.0), (1.0, f64::NAN, f64::NAN)],
        });
        assert_eq!(panel.data_max(), 15.0);
        assert_eq!(panel.positive_min(), Some(3.0));
    }

    #[test]
    fn the_axis_scales_to_the_data_and_near_limits_only() {
        // 49 of an account limit of 1,000: the axis fits 49, not 1,000.
        let mut panel = Panel::new("p", "y");
        panel.lines = vec![series(&[10.0, 49.0])];
        panel.limits.push(limit(1000.0));
        assert!((panel.linear_top() - 53.9).abs() < 1e-9);
        // A limit within twice the peak raises the axis to show it.
        panel.limits.push(limit(80.0));
        assert_eq!(panel.linear_top(), 84.0);
        assert!(
            panel
                .limits
                .iter()
                .all(|l| panel.on_scale(l) == (l.value == 80.0))
        );
        // A shared axis decides.
        panel.y_max = Some(2000.0);
        assert!(panel.limits.iter().all(|l| panel.on_scale(l)));
        // No data: a unit axis, whatever the limits.
        panel.y_max = None;
        panel.lines.clear();
        assert_eq!(panel.linear_top(), 1.0);
        assert!(panel.limits.iter().all(|l| !panel.on_scale(l)));
    }

    #[test]
    fn time_unit_follows_the_span() {
        assert_eq!(TimeAxis::for_span(60.0).unit_name, "s");
        assert_eq!(TimeAxis::for_span(1800.0).unit_name, "min");
        assert_eq!(TimeAxis::for_span(1800.0).end, 30.0);
        assert_eq!(TimeAxis::for_span(86_400.0).unit_name, "h");
        assert_eq!(TimeAxis::for_span(365.0 * 86_400.0).unit_name, "days");
        let focus = TimeAxis::for_window(9.0 * 3600.0, 10.0 * 3600.0);
        assert_eq!(
            (focus.unit_name, focus.start, focus.end),
            ("min", 540.0, 600.0)
        );
    }
}
