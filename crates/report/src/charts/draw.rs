//! Draws a [`ChartSpec`] with plotters, to SVG text or to PNG bytes, entirely in
//! memory: a chart that fails to render produces an error and no bytes at all.

use super::font;
use super::palette::{AXIS, GRID, INK, MUTED};
use super::spec::{Band, ChartSpec, Limit, Panel, Series, Stroke, TimeAxis, YScale};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

/// Width of every chart in pixels.
pub const WIDTH: u32 = 1200;
/// Height of the chart's title band.
const TITLE_HEIGHT: u32 = 46;
/// Height of one panel (one function).
const PANEL_HEIGHT: u32 = 290;
/// Width of the legend column at the right of each panel.
const LEGEND_WIDTH: u32 = 230;
/// Legend labels longer than this are cut, so they never run off the chart.
const LEGEND_CHARS: usize = 30;
/// The longest line of a legend note, in its smaller type.
const NOTE_CHARS: usize = 32;

/// The pixel size of a chart: fixed width, one band per panel.
pub fn size(spec: &ChartSpec) -> (u32, u32) {
    let panels = spec.panels.len().max(1) as u32;
    (WIDTH, TITLE_HEIGHT + PANEL_HEIGHT * panels)
}

/// How a line's points are joined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Joins {
    /// One polyline: SVG viewers join its segments themselves, with a miter limit.
    Polyline,
    /// Each segment on its own: plotters' bitmap joins a thick polyline with uncapped
    /// miters on the inner side of a sharp turn, so a one-column spike grew a point that
    /// ran far below its base, into the panel underneath.
    Segments,
}

/// The chart as an SVG document.
pub fn svg(spec: &ChartSpec) -> Result<String, String> {
    check_font()?;
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, size(spec)).into_drawing_area();
        draw(spec, &root, Joins::Polyline).map_err(|e| e.to_string())?;
    }
    Ok(text)
}

/// The chart as a PNG file's bytes.
pub fn png(spec: &ChartSpec) -> Result<Vec<u8>, String> {
    check_font()?;
    let (w, h) = size(spec);
    let mut pixels = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
        draw(spec, &root, Joins::Segments).map_err(|e| e.to_string())?;
    }
    encode_png(&pixels, w, h).map_err(|e| e.to_string())
}

pub(super) fn check_font() -> Result<(), String> {
    if font::ensure_registered() {
        Ok(())
    } else {
        Err("the bundled font could not be loaded".to_string())
    }
}

pub(super) fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Best);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(out)
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

pub(super) fn text_style(size: u32, color: RGBColor) -> TextStyle<'static> {
    (font::FAMILY, size).into_font().color(&color)
}

fn draw<DB: DrawingBackend>(
    spec: &ChartSpec,
    root: &DrawingArea<DB, Shift>,
    joins: Joins,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let (title, body) = root.split_vertically(TITLE_HEIGHT);
    title.draw(&Text::new(
        spec.title.clone(),
        (18, 14),
        text_style(20, INK),
    ))?;
    let areas = body.split_evenly((spec.panels.len().max(1), 1));
    for (panel, area) in spec.panels.iter().zip(&areas) {
        let (plot, legend) = area.split_horizontally(WIDTH - LEGEND_WIDTH);
        draw_panel(spec.time, panel, &plot, joins)?;
        draw_legend(panel, &legend)?;
    }
    root.present()
}

fn draw_panel<DB: DrawingBackend>(
    time: TimeAxis,
    panel: &Panel,
    area: &DrawingArea<DB, Shift>,
    joins: Joins,
) -> DrawResult<DB> {
    let mut builder = ChartBuilder::on(area);
    builder
        .caption(&panel.title, text_style(15, INK))
        .margin_left(10)
        .margin_right(18)
        .margin_top(4)
        .margin_bottom(6)
        .x_label_area_size(40)
        .y_label_area_size(72);
    let x_range = time.start..time.end.max(time.start + f64::MIN_POSITIVE);
    match panel.scale {
        YScale::Linear => {
            let chart = builder.build_cartesian_2d(x_range, 0.0..panel.y_top())?;
            draw_contents(chart, time, panel, joins, 0.0)
        }
        YScale::Log => {
            let (floor, top) = log_range(panel);
            let chart = builder.build_cartesian_2d(x_range, (floor..top).log_scale())?;
            draw_contents(chart, time, panel, joins, floor)
        }
    }
}

/// Whole powers of ten around the data, so a log axis has labelled decades.
fn log_range(panel: &Panel) -> (f64, f64) {
    let min = panel.positive_min().unwrap_or(1.0);
    let max = panel.y_max.unwrap_or_else(|| panel.data_max()).max(min);
    let floor = 10f64.powf(min.log10().floor());
    let top = 10f64.powf((max * 1.05).log10().ceil()).max(floor * 10.0);
    (floor, top)
}

/// Draws the panel's mesh, areas, bands, lines and limits; `floor` is the bottom of the
/// y axis, where a band's lower edge below it is drawn.
fn draw_contents<DB, Y>(
    mut chart: ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Y>>,
    time: TimeAxis,
    panel: &Panel,
    joins: Joins,
    floor: f64,
) -> DrawResult<DB>
where
    DB: DrawingBackend,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS)
        .x_labels(12)
        .y_labels(6)
        .x_desc(if time.clock {
            "time into the run (h:mm)".to_string()
        } else {
            format!("time ({})", time.unit_name)
        })
        .y_desc(panel.y_label.as_str())
        .label_style(text_style(12, MUTED))
        .axis_desc_style(text_style(13, MUTED))
        .x_label_formatter(&|v| {
            if time.clock {
                super::clock(*v * time.unit_s)
            } else {
                tick(*v)
            }
        })
        .y_label_formatter(&|v| tick(*v))
        .draw()?;
    draw_stack(&mut chart, &panel.stacked)?;
    for band in &panel.bands {
        draw_band(&mut chart, band, floor)?;
    }
    for line in &panel.lines {
        draw_line(&mut chart, line, joins)?;
    }
    for limit in panel.limits.iter().filter(|l| panel.on_scale(l)) {
        draw_limit(&mut chart, time, limit)?;
    }
    Ok(())
}

/// Draws each layer as an area down to zero, the tallest (the sum of all) first, so
/// that each lower layer paints over the one above it.
fn draw_stack<DB, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Y>>,
    layers: &[Series],
) -> DrawResult<DB>
where
    DB: DrawingBackend,
    Y: Ranged<ValueType = f64>,
{
    let mut tops: Vec<Vec<(f64, f64)>> = Vec::with_capacity(layers.len());
    for layer in layers {
        let top = layer
            .points
            .iter()
            .enumerate()
            .map(|(i, &(x, y))| {
                let below = tops.last().map_or(0.0, |t| t[i].1);
                (x, below + if y.is_finite() { y } else { 0.0 })
            })
            .collect();
        tops.push(top);
    }
    for (layer, top) in layers.iter().zip(tops).rev() {
        let fill = layer.color.mix(0.85).filled();
        chart.draw_series(
            AreaSeries::new(top, 0.0, fill).border_style(layer.color.stroke_width(1)),
        )?;
    }
    Ok(())
}

/// How opaque a band is: light enough that the areas and lines under it show through.
const BAND_OPACITY: f64 = 0.28;

/// Draws a band as a translucent polygon from its low edge to its high edge, broken
/// where a value is missing.
fn draw_band<DB, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Y>>,
    band: &Band,
    floor: f64,
) -> DrawResult<DB>
where
    DB: DrawingBackend,
    Y: Ranged<ValueType = f64>,
{
    let style = band.color.mix(BAND_OPACITY).filled();
    let missing = |p: &(f64, f64, f64)| !(p.1.is_finite() && p.2.is_finite());
    for run in band.points.split(missing) {
        if run.len() < 2 {
            continue;
        }
        let low = run.iter().map(|&(x, lo, _)| (x, lo.max(floor)));
        let high = run.iter().rev().map(|&(x, _, hi)| (x, hi.max(floor)));
        let outline: Vec<(f64, f64)> = low.chain(high).collect();
        chart.draw_series(std::iter::once(Polygon::new(outline, style)))?;
    }
    Ok(())
}

/// Draws a line, broken where a value is missing; a lone point becomes a dot.
fn draw_line<DB, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Y>>,
    series: &Series,
    joins: Joins,
) -> DrawResult<DB>
where
    DB: DrawingBackend,
    Y: Ranged<ValueType = f64>,
{
    let style = series.color.stroke_width(2);
    for run in series.points.split(|p| !p.1.is_finite()) {
        match run {
            [] => {}
            [point] => {
                chart.draw_series(std::iter::once(Circle::new(*point, 2, style.filled())))?;
            }
            _ if series.stroke == Stroke::Dashed => {
                chart.draw_series(DashedLineSeries::new(run.iter().copied(), 6, 4, style))?;
            }
            _ if joins == Joins::Segments => {
                let segments = run.windows(2).map(|w| PathElement::new(w.to_vec(), style));
                chart.draw_series(segments)?;
            }
            _ => {
                chart.draw_series(LineSeries::new(run.iter().copied(), style))?;
            }
        }
    }
    Ok(())
}

fn draw_limit<DB, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Y>>,
    time: TimeAxis,
    limit: &Limit,
) -> DrawResult<DB>
where
    DB: DrawingBackend,
    Y: Ranged<ValueType = f64>,
{
    let ends = [(time.start, limit.value), (time.end, limit.value)];
    chart.draw_series(DashedLineSeries::new(
        ends,
        8,
        5,
        limit.color.stroke_width(2),
    ))?;
    Ok(())
}

/// The legend beside the plot: areas as swatches (top layer first, as stacked), lines
/// as strokes, bands as pale swatches, limits as dashes. A muted second line notes a line hidden under an
/// identical one, or a limit above the axis (faded, as it is not drawn).
fn draw_legend<DB: DrawingBackend>(panel: &Panel, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
    let mut y = 34;
    let row =
        |y: &mut i32, label: &str, note: Option<&str>, swatch: &dyn Fn(i32) -> DrawResult<DB>| {
            swatch(*y)?;
            area.draw(&Text::new(
                shorten(label),
                (34, *y - 7),
                text_style(12, INK),
            ))?;
            for line in note.map(wrap).unwrap_or_default() {
                *y += 15;
                area.draw(&Text::new(line, (34, *y - 7), text_style(11, MUTED)))?;
            }
            *y += 22;
            Ok::<(), DrawingAreaErrorKind<DB::ErrorType>>(())
        };
    for layer in panel.stacked.iter().rev() {
        row(&mut y, &layer.label, layer.note.as_deref(), &|y| {
            area.draw(&Rectangle::new(
                [(8, y - 6), (26, y + 6)],
                layer.color.mix(0.85).filled(),
            ))
        })?;
    }
    for line in &panel.lines {
        row(&mut y, &line.label, line.note.as_deref(), &|y| {
            let style = line.color.stroke_width(3);
            match line.stroke {
                Stroke::Solid => area.draw(&PathElement::new([(6, y), (28, y)], style)),
                Stroke::Dashed => {
                    area.draw(&PathElement::new([(6, y), (12, y)], style))?;
                    area.draw(&PathElement::new([(16, y), (22, y)], style))?;
                    area.draw(&PathElement::new([(26, y), (28, y)], style))
                }
            }
        })?;
    }
    for band in &panel.bands {
        row(&mut y, &band.label, None, &|y| {
            area.draw(&Rectangle::new(
                [(8, y - 6), (26, y + 6)],
                band.color.mix(BAND_OPACITY).filled(),
            ))
        })?;
    }
    for limit in &panel.limits {
        let shown = panel.on_scale(limit);
        let note = (!shown).then_some(OFF_SCALE);
        row(&mut y, &limit.label, note, &|y| {
            let color = limit.color.mix(if shown { 1.0 } else { 0.35 });
            let style = color.stroke_width(2);
            area.draw(&PathElement::new([(6, y), (13, y)], style))?;
            area.draw(&PathElement::new([(18, y), (27, y)], style))
        })?;
    }
    Ok(())
}

/// The legend's note under a limit above the y axis, which is not drawn.
pub const OFF_SCALE: &str = "above the axis, not drawn";

/// A legend note in at most two lines of at most [`NOTE_CHARS`], broken between words;
/// what does not fit is cut.
fn wrap(note: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in note.split(' ') {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= NOTE_CHARS => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    if lines.len() > 2 {
        let rest = lines.split_off(1).join(" ");
        lines.push(rest);
    }
    lines
        .into_iter()
        .map(|line| cut(&line, NOTE_CHARS))
        .collect()
}

fn shorten(label: &str) -> String {
    cut(label, LEGEND_CHARS)
}

/// `text` if it has at most `chars` characters, else its start and an ellipsis.
fn cut(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_string();
    }
    let kept: String = text.chars().take(chars - 1).collect();
    format!("{kept}…")
}

/// An axis label: whole numbers plainly, large ones with k or M, small ones with two
/// significant decimals at least (a cost axis of a few tenths of a cent reads 0.002,
/// 0.004, not 0 every time).
pub(super) fn tick(v: f64) -> String {
    let a = v.abs();
    let text = if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 10.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        let decimals = (1.0 - a.log10().floor()).clamp(2.0, 12.0) as usize;
        format!("{v:.decimals$}")
    };
    trim_zeros(text)
}

/// `1.50` → `1.5`, `2.0k` → `2k`; integers are left alone.
fn trim_zeros(text: String) -> String {
    let Some(dot) = text.find('.') else {
        return text;
    };
    let suffix_at = text[dot..]
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map_or(text.len(), |i| dot + i);
    let (number, suffix) = text.split_at(suffix_at);
    let number = number.trim_end_matches('0').trim_end_matches('.');
    format!("{number}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_short() {
        assert_eq!(tick(0.0), "0");
        assert_eq!(tick(5.0), "5");
        assert_eq!(tick(0.25), "0.25");
        assert_eq!(tick(1.5), "1.5");
        assert_eq!(tick(0.002), "0.002");
        assert_eq!(tick(0.0126), "0.013");
        assert_eq!(tick(0.000_05), "0.00005");
        assert_eq!(tick(400.0), "400");
        assert_eq!(tick(1000.0), "1000");
        assert_eq!(tick(12_000.0), "12k");
        assert_eq!(tick(12_500.0), "12.5k");
        assert_eq!(tick(2_000_000.0), "2M");
    }

    #[test]
    fn long_legend_labels_are_cut() {
        assert_eq!(shorten("on-demand"), "on-demand");
        let long = "x".repeat(40);
        assert_eq!(shorten(&long).chars().count(), LEGEND_CHARS);
    }

    #[test]
    fn notes_wrap_into_two_lines_at_most() {
        assert_eq!(wrap(OFF_SCALE), [OFF_SCALE]);
        assert_eq!(
            wrap("hidden under identical scheduled+autoscaled"),
            ["hidden under identical", "scheduled+autoscaled"]
        );
        let long = wrap(&format!("hidden under identical {}", "x".repeat(40)));
        assert_eq!(long.len(), 2);
        assert_eq!(long[1].chars().count(), NOTE_CHARS);
        assert!(long[1].ends_with('…'));
    }

    /// The RGB pixels of a PNG.
    fn pixels(png: &[u8]) -> Vec<u8> {
        let mut reader = ::png::Decoder::new(png).read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        reader.next_frame(&mut buf).unwrap();
        buf
    }

    #[test]
    fn a_one_column_spike_stays_inside_its_panel() {
        use super::super::palette::RED;
        // A thousand columns, ten spikes a column wide with uneven shoulders: turns
        // sharp enough that a joined thick line's inner corner ran hundreds of pixels
        // down. The panel below has nothing red of its own.
        let mut spike = Panel::new("spike", "cold starts / s");
        spike.lines.push(Series {
            label: "v".into(),
            color: RED,
            points: (0..1000)
                .map(|i| {
                    let y = match i % 100 {
                        50 => 2.5 - f64::from(i) / 1000.0,
                        49 | 51 => f64::from(i % 7) / 20.0,
                        _ => 0.0,
                    };
                    (f64::from(i), y)
                })
                .collect(),
            note: None,
            stroke: Stroke::Solid,
        });
        let spec = ChartSpec {
            kind: "cold-starts",
            title: "t".into(),
            time: TimeAxis {
                unit_s: 1.0,
                unit_name: "s",
                start: 0.0,
                clock: false,
                end: 1000.0,
            },
            panels: vec![spike, Panel::new("below", "cold starts / s")],
        };
        let rgb = pixels(&png(&spec).unwrap());
        let below = (TITLE_HEIGHT + PANEL_HEIGHT) as usize;
        let red = rgb
            .chunks(3)
            .enumerate()
            .filter(|(i, p)| i / WIDTH as usize >= below && *p == [RED.0, RED.1, RED.2])
            .count();
        assert_eq!(red, 0, "red pixels in the panel below the spike");
    }

    #[test]
    fn log_range_spans_whole_decades() {
        let mut panel = Panel::new("p", "ms");
        panel.lines.push(Series {
            label: "p99".into(),
            color: INK,
            points: vec![(0.0, 85.0), (1.0, 1200.0), (2.0, f64::NAN)],
            note: None,
            stroke: Stroke::Solid,
        });
        assert_eq!(log_range(&panel), (10.0, 10_000.0));
    }
}
