//! Traffic streams: from a stream as written to a checked [`StreamKind`], with `scale`
//! applied and every error placed at the value it is about.

use super::{Context, pick};
use crate::duration::{self, Dur};
use crate::error::{Position, ScenarioError, shown};
use crate::raw::{
    BurstParams, DiurnalParams, ProfileParams, RampParams, RateParams, RawArrivals, RawInterpolate,
    RawSpread, RawStream, RawTimeUnit, RawTraceFormat, SpikeParams, TraceParams,
};
use crate::streams::shapes::{Diurnal, Interpolation, Profile, Shape};
use crate::streams::{
    CsvColumns, DEFAULT_REORDER, JsonFields, PeakToMean, Routes, Spread, Statistic, StreamKind,
    TimeUnit, TraceFile, TraceFormat, TraceSpec, Window,
};
use lambdasim_engine::{NANOS_PER_SEC, Nanos};
use serde_saphyr::{Location, Spanned};

/// The most requests per second a generated stream may have: one per nanosecond, the
/// clock's resolution.
const MAX_RATE: f64 = 1e9;

/// The default `diurnal` period: a day.
const DAY: Nanos = 86_400 * NANOS_PER_SEC;

/// The largest `peak_to_mean:`: an interval's requests crowded into a 1/1001 of it,
/// far past any real day's shape (a flash crowd in an hour's sum is about 10).
const MAX_PEAK_TO_MEAN: f64 = 1000.0;

/// The function a stream is listed under, and all the scenario's function names (a
/// trace's `function` column routes rows by them).
pub(super) struct Owner<'a> {
    pub index: usize,
    pub functions: &'a [String],
}

/// The one kind key of a traffic stream.
enum Kind<'a> {
    Poisson(&'a RateParams),
    Constant(&'a RateParams),
    Burst(&'a BurstParams),
    Ramp(&'a RampParams),
    Profile(&'a ProfileParams),
    Diurnal(&'a DiurnalParams),
    Spike(&'a SpikeParams),
    Trace(&'a TraceParams),
}

impl Kind<'_> {
    fn is_shape(&self) -> bool {
        matches!(
            self,
            Kind::Ramp(_) | Kind::Profile(_) | Kind::Diurnal(_) | Kind::Spike(_)
        )
    }
}

impl Context<'_> {
    pub(super) fn stream(
        &self,
        raw: &Spanned<RawStream>,
        parent: Location,
        duration: Nanos,
        owner: &Owner,
    ) -> Result<StreamKind, ScenarioError> {
        let at = pick(raw.referenced, parent);
        let s = &raw.value;
        let kind = self.kind(s, at)?;
        let window = self.window(s, at, duration)?;
        let scale = match &s.scale {
            Some(scale) => self.non_negative(scale, at, "a scale factor")?,
            None => 1.0,
        };
        self.check_placement_keys(s, &kind, at)?;
        let even = matches!(
            s.arrivals.as_ref().map(|a| a.value),
            Some(RawArrivals::Even)
        );
        let shape = match kind {
            Kind::Constant(p) => {
                return Ok(StreamKind::Constant {
                    rate: self.rate(&p.rate, at, scale)?,
                    window,
                });
            }
            Kind::Burst(b) => return self.burst(b, at, scale, window),
            Kind::Trace(t) => {
                return Ok(StreamKind::Trace(Box::new(
                    self.trace(t, s, at, scale, window, owner)?,
                )));
            }
            // Scaled with every other shape below.
            Kind::Poisson(p) => {
                Shape::flat(self.non_negative(&p.rate, at, "requests per second")?)
            }
            Kind::Ramp(r) => self.ramp(r, at, window)?,
            Kind::Profile(p) => self.profile(p, at)?,
            Kind::Diurnal(d) => self.diurnal(d, at)?,
            Kind::Spike(p) => self.spike(p, at, window)?,
        };
        let shape = shape.scaled(scale);
        if shape.peak() > MAX_RATE {
            return Err(self.error(
                at,
                format!(
                    "found a peak of {} requests per second (after scale), expected at most {MAX_RATE} (one per nanosecond)",
                    shape.peak()
                ),
            ));
        }
        Ok(if even {
            StreamKind::Even { shape, window }
        } else {
            StreamKind::Poisson { shape, window }
        })
    }

    fn kind<'s>(&self, s: &'s RawStream, at: Location) -> Result<Kind<'s>, ScenarioError> {
        let mut kinds = Vec::new();
        let mut add = |name: &'static str, kind: Option<Kind<'s>>| {
            if let Some(kind) = kind {
                kinds.push((name, kind));
            }
        };
        add("poisson", s.poisson.as_ref().map(Kind::Poisson));
        add("constant", s.constant.as_ref().map(Kind::Constant));
        add("burst", s.burst.as_ref().map(Kind::Burst));
        add("ramp", s.ramp.as_ref().map(Kind::Ramp));
        add("profile", s.profile.as_ref().map(Kind::Profile));
        add("diurnal", s.diurnal.as_ref().map(Kind::Diurnal));
        add("spike", s.spike.as_ref().map(Kind::Spike));
        add("trace", s.trace.as_ref().map(Kind::Trace));
        if kinds.len() == 1 {
            return Ok(kinds.remove(0).1);
        }
        let found = if kinds.is_empty() {
            "none".to_string()
        } else {
            kinds.iter().map(|k| k.0).collect::<Vec<_>>().join(" and ")
        };
        Err(self.error(
            at,
            format!(
                "found {found}, expected exactly one of poisson, constant, burst, ramp, profile, diurnal, spike or trace in a traffic stream"
            ),
        ))
    }

    /// `speedup` and `offset` belong to traces, `arrivals` to rate shapes.
    fn check_placement_keys(
        &self,
        s: &RawStream,
        kind: &Kind,
        at: Location,
    ) -> Result<(), ScenarioError> {
        let is_trace = matches!(kind, Kind::Trace(_));
        for (name, location) in [
            ("speedup", s.speedup.as_ref().map(|v| v.referenced)),
            ("offset", s.offset.as_ref().map(|v| v.referenced)),
        ] {
            if let Some(location) = location
                && !is_trace
            {
                return Err(self.error(
                    pick(location, at),
                    format!(
                        "found {name} on a generated stream, expected it only on trace streams"
                    ),
                ));
            }
        }
        if let Some(arrivals) = &s.arrivals
            && !kind.is_shape()
        {
            return Err(self.error(
                pick(arrivals.referenced, at),
                "found arrivals on a stream that is not a rate shape, expected it only with ramp, profile, diurnal or spike (poisson is always Poisson, constant always even)",
            ));
        }
        Ok(())
    }

    /// A rate after `scale`, at most one request per nanosecond.
    fn rate(&self, rate: &Spanned<f64>, at: Location, scale: f64) -> Result<f64, ScenarioError> {
        let scaled = self.non_negative(rate, at, "requests per second")? * scale;
        if scaled > MAX_RATE {
            return Err(self.error(
                pick(rate.referenced, at),
                format!(
                    "found {scaled} requests per second (after scale), expected at most {MAX_RATE} (one per nanosecond)"
                ),
            ));
        }
        Ok(scaled)
    }

    fn burst(
        &self,
        b: &BurstParams,
        at: Location,
        scale: f64,
        window: Window,
    ) -> Result<StreamKind, ScenarioError> {
        let time = b.at.value.0;
        if time < window.start || time >= window.end {
            return Err(self.error(
                pick(b.at.referenced, at),
                format!(
                    "found a burst at {}, expected a time inside the stream's window [{}, {})",
                    duration::show(time),
                    duration::show(window.start),
                    duration::show(window.end)
                ),
            ));
        }
        let requests = if scale == 1.0 {
            b.requests.value
        } else {
            (b.requests.value as f64 * scale).round() as u64
        };
        Ok(StreamKind::Burst { at: time, requests })
    }

    fn ramp(&self, r: &RampParams, at: Location, window: Window) -> Result<Shape, ScenarioError> {
        let from = self.non_negative(&r.from, at, "the starting rate in requests per second")?;
        let to = self.non_negative(&r.to, at, "the final rate in requests per second")?;
        let start = r.start.as_ref().map_or(window.start, |v| v.value.0);
        let end = r.end.as_ref().map_or(window.end, |v| v.value.0);
        if end <= start {
            let location = r.end.as_ref().map_or(at, |v| pick(v.referenced, at));
            return Err(self.error(
                location,
                format!(
                    "found a ramp from {} to {}, expected its end after its start",
                    duration::show(start),
                    duration::show(end)
                ),
            ));
        }
        Ok(Shape::Profile(Profile::ramp(from, to, start, end)))
    }

    fn profile(&self, p: &ProfileParams, at: Location) -> Result<Shape, ScenarioError> {
        let location = pick(p.points.referenced, at);
        let points = &p.points.value;
        if points.is_empty() {
            return Err(self.error(
                location,
                "found no points, expected a list of [time, rate] pairs like [[0s, 100], [1h, 500]]",
            ));
        }
        let mut checked = Vec::with_capacity(points.len());
        let mut previous = 0;
        for (i, (Dur(time), rate)) in points.iter().enumerate() {
            if !(rate.is_finite() && *rate >= 0.0) {
                return Err(self.error(
                    location,
                    format!(
                        "found rate {rate} in point {}, expected requests per second, 0 or more",
                        i + 1
                    ),
                ));
            }
            if *time < previous {
                return Err(self.error(
                    location,
                    format!(
                        "point {} is at {}, before the previous point at {}; expected points in time order",
                        i + 1,
                        duration::show(*time),
                        duration::show(previous)
                    ),
                ));
            }
            previous = *time;
            checked.push((*time, *rate));
        }
        let interpolation = match p.interpolate.as_ref().map(|i| i.value) {
            None | Some(RawInterpolate::Linear) => Interpolation::Linear,
            Some(RawInterpolate::Step) => Interpolation::Step,
        };
        Ok(Shape::Profile(Profile::new(checked, interpolation)))
    }

    fn diurnal(&self, d: &DiurnalParams, at: Location) -> Result<Shape, ScenarioError> {
        let mean = self.non_negative(&d.mean, at, "the mean rate in requests per second")?;
        let amplitude =
            self.non_negative(&d.amplitude, at, "the amplitude in requests per second")?;
        if amplitude > mean {
            return Err(self.error(
                pick(d.amplitude.referenced, at),
                format!(
                    "found amplitude {amplitude} above mean {mean}, expected at most the mean (the rate cannot go below 0)"
                ),
            ));
        }
        let period = d.period.as_ref().map_or(DAY, |p| p.value.0);
        if period < NANOS_PER_SEC {
            let location = d.period.as_ref().map_or(at, |p| pick(p.referenced, at));
            return Err(self.error(
                location,
                format!(
                    "found a period of {}, expected 1s or more",
                    duration::show(period)
                ),
            ));
        }
        let peak_at = d.peak_at.as_ref().map_or(0, |p| p.value.0);
        Ok(Shape::Diurnal(Diurnal::new(
            mean, amplitude, period, peak_at,
        )))
    }

    fn spike(&self, p: &SpikeParams, at: Location, window: Window) -> Result<Shape, ScenarioError> {
        // A spike that starts when the stream has ended sends nothing: a mistyped time.
        if p.at.value.0 >= window.end {
            return Err(self.error(
                pick(p.at.referenced, at),
                format!(
                    "found a spike at {}, expected a time before the stream's end ({}): it would send nothing",
                    duration::show(p.at.value.0),
                    duration::show(window.end)
                ),
            ));
        }
        let rate = self.non_negative(&p.rate, at, "the peak rate in requests per second")?;
        let span = |d: &Option<Dur>| d.as_ref().map_or(0, |d| d.0);
        Ok(Shape::Profile(Profile::spike(
            p.at.value.0,
            rate,
            span(&p.ramp_up),
            span(&p.hold),
            span(&p.ramp_down),
        )))
    }

    fn trace(
        &self,
        trace: &TraceParams,
        s: &RawStream,
        at: Location,
        scale: f64,
        window: Window,
        owner: &Owner,
    ) -> Result<TraceSpec, ScenarioError> {
        let file_at = pick(trace.file.referenced, at);
        if trace.file.value.trim().is_empty() {
            return Err(self.error(file_at, "found an empty file name, expected a CSV path"));
        }
        let speedup = match &s.speedup {
            Some(v) if !(v.value.is_finite() && v.value > 0.0) => {
                return Err(self.error(
                    pick(v.referenced, at),
                    format!("found speedup {}, expected a number above 0", v.value),
                ));
            }
            Some(v) => v.value,
            None => 1.0,
        };
        for (key, field) in [
            ("status_field", &trace.status_field),
            ("integration_status_field", &trace.integration_status_field),
        ] {
            if let Some(field) = field {
                return Err(self.error(
                    pick(field.referenced, at),
                    format!("found {key} on a traffic trace, expected it only under observed: throttles, where it counts a log's 429s"),
                ));
            }
        }
        let format = self.trace_format(trace, at, owner)?;
        let per_interval = matches!(
            format,
            TraceFormat::Csv {
                counts: Some(_),
                ..
            } | TraceFormat::Azure2019 { .. }
                | TraceFormat::CloudWatch { .. }
        );
        let spread = match trace.spread.as_ref() {
            Some(s) if !per_interval => {
                return Err(self.error(
                    pick(s.referenced, at),
                    "found spread on a per-request trace, expected it only with counts: or format: azure2019",
                ));
            }
            Some(Spanned {
                value: RawSpread::Even,
                ..
            }) => Spread::Even,
            _ => Spread::Random,
        };
        let peak_to_mean = self.peak_to_mean(trace, at, per_interval)?;
        Ok(TraceSpec {
            file: TraceFile {
                path: self.dir.join(&trace.file.value),
                format,
                functions: owner.functions.to_vec(),
                owner: owner.index,
            },
            origin: Position::yaml(self.file, file_at),
            scale,
            speedup,
            offset: s.offset.as_ref().map_or(0, |o| o.value.0),
            spread,
            peak_to_mean,
            window,
        })
    }

    /// `peak_to_mean:`, on a per-interval trace only: at least 1 (flat), at most
    /// [`MAX_PEAK_TO_MEAN`].
    fn peak_to_mean(
        &self,
        trace: &TraceParams,
        at: Location,
        per_interval: bool,
    ) -> Result<Option<PeakToMean>, ScenarioError> {
        let Some(peak) = &trace.peak_to_mean else {
            return Ok(None);
        };
        let at = pick(peak.referenced, at);
        if !per_interval {
            return Err(self.error(
                at,
                "found peak_to_mean on a per-request trace, expected it only with counts: or per-interval formats (azure2019, cloudwatch)",
            ));
        }
        if !(1.0..=MAX_PEAK_TO_MEAN).contains(&peak.value) {
            return Err(self.error(
                at,
                format!(
                    "found peak_to_mean {}, expected the peak rate inside an interval over its mean: from 1 (flat) to {MAX_PEAK_TO_MEAN}",
                    peak.value
                ),
            ));
        }
        Ok(Some(PeakToMean(peak.value)))
    }

    /// `format` and the keys that go with it, checked together.
    pub(super) fn trace_format(
        &self,
        trace: &TraceParams,
        at: Location,
        owner: &Owner,
    ) -> Result<TraceFormat, ScenarioError> {
        let format = trace
            .format
            .as_ref()
            .map_or(RawTraceFormat::Csv, |f| f.value);
        let (log, access_log, table) = (format.is_log(), format.is_access_log(), format.is_table());
        let jsonl = format == RawTraceFormat::Jsonl;
        // Each key and the formats it belongs to.
        let keys = [
            (
                "function",
                trace.function.as_ref().map(|v| v.referenced),
                "with format: azure2019 (a CSV file routes rows with a `function` column)",
                format == RawTraceFormat::Azure2019,
            ),
            (
                "counts",
                trace.counts.as_ref().map(|v| v.referenced),
                "on CSV traces (and cloudwatch, to give the period)",
                table,
            ),
            (
                "time_column",
                trace.time_column.as_ref().map(|v| v.referenced),
                "on CSV and cloudwatch traces (time_field on jsonl)",
                table,
            ),
            (
                "count_column",
                trace.count_column.as_ref().map(|v| v.referenced),
                "with format: cloudwatch (a CSV file of counts)",
                format == RawTraceFormat::Cloudwatch,
            ),
            (
                "series",
                trace.series.as_ref().map(|v| v.referenced),
                "with format: cloudwatch",
                format == RawTraceFormat::Cloudwatch,
            ),
            (
                "routes",
                trace.routes.as_ref().map(|v| v.referenced),
                "on access logs (format: alb or jsonl)",
                access_log,
            ),
            (
                "reorder_window",
                trace.reorder_window.as_ref().map(|v| v.referenced),
                "on logs (format: alb, jsonl or lambda_log)",
                log,
            ),
            (
                "time_field",
                trace.time_field.as_ref().map(|v| v.referenced),
                "with format: jsonl",
                jsonl,
            ),
            (
                "time_unit",
                trace.time_unit.as_ref().map(|v| v.referenced),
                "with format: jsonl",
                jsonl,
            ),
            (
                "duration_field",
                trace.duration_field.as_ref().map(|v| v.referenced),
                "with format: jsonl",
                jsonl,
            ),
            (
                "route_field",
                trace.route_field.as_ref().map(|v| v.referenced),
                "with format: jsonl",
                jsonl,
            ),
            (
                "status_field",
                trace.status_field.as_ref().map(|v| v.referenced),
                "with format: jsonl",
                jsonl,
            ),
            (
                "integration_status_field",
                trace
                    .integration_status_field
                    .as_ref()
                    .map(|v| v.referenced),
                "with format: jsonl",
                jsonl,
            ),
        ];
        for (key, location, belongs, allowed) in keys {
            if let (Some(location), false) = (location, allowed) {
                return Err(self.error(
                    pick(location, at),
                    format!(
                        "found {key} on a {} trace, expected it only {belongs}",
                        format.name()
                    ),
                ));
            }
        }
        let counts = match &trace.counts {
            Some(c) if c.value.0 == 0 => {
                return Err(self.error(
                    pick(c.referenced, at),
                    "found a counts interval of 0, expected the width of each row's interval (above 0)",
                ));
            }
            Some(c) => Some(c.value.0),
            None => None,
        };
        match format {
            RawTraceFormat::Csv => Ok(TraceFormat::Csv {
                counts,
                time_column: trace.time_column.as_ref().map(|c| c.value.clone()),
            }),
            RawTraceFormat::Azure2019 => {
                let Some(function) = &trace.function else {
                    return Err(self.error(
                        at,
                        "found an azure2019 trace without function, expected `function: <HashFunction>` naming the row to replay",
                    ));
                };
                Ok(TraceFormat::Azure2019 {
                    function: function.value.clone(),
                })
            }
            RawTraceFormat::Alb => Ok(TraceFormat::Alb {
                routes: self.routes(trace, at, owner)?,
                reorder: self.reorder_window(trace, at)?,
                throttled_only: false,
            }),
            RawTraceFormat::Jsonl => self.jsonl(trace, at, owner),
            RawTraceFormat::LambdaLog => Ok(TraceFormat::LambdaLog {
                reorder: self.reorder_window(trace, at)?,
                cold_starts_only: false,
            }),
            RawTraceFormat::Cloudwatch => Ok(TraceFormat::CloudWatch {
                period: counts,
                series: trace
                    .series
                    .as_ref()
                    .map_or_else(Vec::new, |s| s.value.clone()),
                columns: CsvColumns {
                    time: trace.time_column.as_ref().map(|c| c.value.clone()),
                    count: trace.count_column.as_ref().map(|c| c.value.clone()),
                },
                statistic: Statistic::Sum,
            }),
        }
    }

    /// A `format: jsonl` log's fields: `time_field` required, `route_field` exactly
    /// when there are `routes`.
    fn jsonl(
        &self,
        trace: &TraceParams,
        at: Location,
        owner: &Owner,
    ) -> Result<TraceFormat, ScenarioError> {
        let Some(time) = &trace.time_field else {
            return Err(self.error(
                at,
                "found a jsonl trace without time_field, expected the field holding each request's arrival (API Gateway: requestTimeEpoch)",
            ));
        };
        let routes = self.routes(trace, at, owner)?;
        match (&trace.route_field, routes.routed()) {
            (Some(field), false) => {
                return Err(self.error(
                    pick(field.referenced, at),
                    "found route_field without routes, expected routes: mapping each route to a function",
                ));
            }
            (None, true) => {
                return Err(self.error(
                    at,
                    "found routes without route_field, expected the field holding each request's route (API Gateway: routeKey)",
                ));
            }
            _ => {}
        }
        Ok(TraceFormat::Jsonl {
            fields: Box::new(JsonFields {
                time: time.value.clone(),
                unit: match trace.time_unit.as_ref().map(|u| u.value) {
                    Some(RawTimeUnit::Seconds) => TimeUnit::Seconds,
                    Some(RawTimeUnit::Milliseconds) | None => TimeUnit::Milliseconds,
                },
                duration: trace.duration_field.as_ref().map(|f| f.value.clone()),
                route: trace.route_field.as_ref().map(|f| f.value.clone()),
                throttled_status: [&trace.status_field, &trace.integration_status_field]
                    .into_iter()
                    .flatten()
                    .map(|f| f.value.clone())
                    .collect(),
            }),
            routes,
            reorder: self.reorder_window(trace, at)?,
        })
    }

    /// `routes:`, each to one of the scenario's functions or to `~`.
    fn routes(
        &self,
        trace: &TraceParams,
        at: Location,
        owner: &Owner,
    ) -> Result<Routes, ScenarioError> {
        let Some(routes) = &trace.routes else {
            return Ok(Routes::default());
        };
        let routes_at = pick(routes.referenced, at);
        if routes.value.is_empty() {
            return Err(self.error(
                routes_at,
                "found an empty routes map, expected each route mapped to a function (or leave routes out)",
            ));
        }
        let mut out = Vec::with_capacity(routes.value.len());
        for (route, function) in &routes.value {
            let target = match function {
                None => None,
                Some(name) => {
                    let index = owner.functions.iter().position(|f| f == name).ok_or_else(|| {
                        self.error(
                            routes_at,
                            format!(
                                "found the route `{}` mapped to `{}`, expected one of the scenario's functions (`{}`) or ~",
                                shown(route),
                                shown(name),
                                owner.functions.join("`, `")
                            ),
                        )
                    })?;
                    Some(index as u32)
                }
            };
            out.push((route.clone(), target));
        }
        Ok(Routes(out))
    }

    /// `reorder_window:`, above 0; [`DEFAULT_REORDER`] when not given.
    fn reorder_window(&self, trace: &TraceParams, at: Location) -> Result<Nanos, ScenarioError> {
        match &trace.reorder_window {
            Some(w) if w.value.0 == 0 => Err(self.error(
                pick(w.referenced, at),
                "found a reorder_window of 0, expected how late a request may be logged after later arrivals (above 0; 10m by default)",
            )),
            Some(w) => Ok(w.value.0),
            None => Ok(DEFAULT_REORDER),
        }
    }

    /// `start:` and `end:`, defaulting to the whole run and capped at its end.
    fn window(
        &self,
        s: &RawStream,
        at: Location,
        duration: Nanos,
    ) -> Result<Window, ScenarioError> {
        let start = s.start.as_ref().map_or(0, |v| v.value.0);
        let end = s.end.as_ref().map_or(duration, |v| v.value.0);
        if start >= duration {
            let location = s.start.as_ref().map_or(at, |v| pick(v.referenced, at));
            return Err(self.error(
                location,
                format!(
                    "found a stream starting at {}, expected a start before the scenario's end at {}",
                    duration::show(start),
                    duration::show(duration)
                ),
            ));
        }
        if end <= start {
            let location = s.end.as_ref().map_or(at, |v| pick(v.referenced, at));
            return Err(self.error(
                location,
                format!(
                    "found a window from {} to {}, expected its end after its start",
                    duration::show(start),
                    duration::show(end)
                ),
            ));
        }
        Ok(Window {
            start,
            end: end.min(duration),
        })
    }
}
