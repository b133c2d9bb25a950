//! `sweep:` and `--set`: a grid of settings, each point run with every variant.
//!
//! A swept key is any key `set:` accepts (`crate::variants` holds the one list), with
//! its values as a list or a range. Keys swept on their own multiply (the grid is
//! their Cartesian product, the first key varying slowest); keys in a `zip:` group
//! move together (their first values, then their second, …). Every point has a name
//! made of the short names and values of the keys that take more than one value
//! (`pc=20,mem=1024`), safe in a file name. Each value is checked against the key's
//! type when the scenario loads, at the line that wrote it.

use crate::duration;
use crate::error::ScenarioError;
use crate::raw::{RawAxis, RawRange, RawScenario, RawSweepEntry, RawValues, RawZipGroup, SetEntry};
use crate::variants;
use serde_json::Value;
use serde_saphyr::{Location, Spanned};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::str::FromStr;

/// The most configurations (variants × sweep points) one scenario makes: with the
/// command's cap of 100,000 runs, ten seeds each.
pub const MAX_CONFIGURATIONS: u64 = 10_000;

/// The most function configurations (configurations × functions) one scenario holds in
/// memory once loaded, as the command's cap on per-function results.
pub const MAX_FUNCTION_CONFIGURATIONS: u64 = 1_000_000;

/// The longest point name: it names chart files, which must stay under the 255 bytes
/// file systems allow.
const MAX_NAME_BYTES: usize = 200;

/// `--set KEY=VALUE[,VALUE…]`: one value overrides a setting for every run; several
/// sweep it (the convention of Hydra's multirun). Values are YAML (`1024`, `1.5s`,
/// `arm64`, `{ initial: 5 }`); commas inside brackets, braces or quotes do not split.
#[derive(Clone, Debug, PartialEq)]
pub struct SetArg {
    /// The argument as given, for messages.
    pub text: String,
    /// The dotted path, as in `set:`.
    pub key: String,
    /// The values, at least one.
    pub values: Vec<Value>,
}

impl FromStr for SetArg {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let Some((key, values)) = text.split_once('=') else {
            return Err(format!(
                "found `{text}`, expected KEY=VALUE[,VALUE…], like functions.api.memory_mb=512,1024"
            ));
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(format!(
                "found `{text}`, expected a setting's path before `=`"
            ));
        }
        let values = split_top_level(values)
            .into_iter()
            .map(|item| {
                if item.trim().is_empty() {
                    return Err(format!(
                        "found an empty value in `{text}`, expected a value between commas (`null` restores the default)"
                    ));
                }
                serde_saphyr::from_str::<Value>(item)
                    .map_err(|e| format!("found `{}` in `{text}`, expected a YAML value: {e}", item.trim()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SetArg {
            text: text.to_string(),
            key: key.to_string(),
            values,
        })
    }
}

/// `text` cut at the commas outside brackets, braces and quotes.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None, 0);
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// One value of a swept key.
#[derive(Clone, Debug)]
struct AxisValue {
    value: Spanned<Value>,
    /// As a point's name shows it.
    label: String,
    /// As `runs.csv` shows it: the value as written, or compact JSON for a map or list.
    text: String,
}

/// A swept key and its values.
#[derive(Clone, Debug)]
struct Axis {
    path: Spanned<String>,
    values: Vec<AxisValue>,
    /// The `--set` argument it came from, if it did.
    argument: Option<String>,
    /// Its name in point names, chosen once every swept key is known.
    short: String,
}

impl Axis {
    /// `error`, said to be about the `--set` argument when the axis came from one.
    fn in_context(&self, error: ScenarioError) -> ScenarioError {
        match &self.argument {
            Some(arg) => error.with_prefix(&format!("in `--set {arg}`: ")),
            None => error,
        }
    }
}

/// One point of a grid: each swept key's value, in [`Grid::keys`] order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Point {
    /// `pc=20,mem=1024`: the keys that take more than one value; empty when none does.
    pub name: String,
    /// Each swept key's value, as written.
    pub values: Vec<String>,
}

/// The whole sweep: groups of keys that move together (a key swept alone is a group of
/// one), multiplied.
#[derive(Clone, Debug, Default)]
pub(crate) struct Grid {
    groups: Vec<Vec<Axis>>,
    /// Where `sweep:` was written (unknown when only `--set` sweeps).
    at: Option<Location>,
}

/// A fixed key: a point's setting as a `set:` entry, with its axis for messages.
pub(crate) struct PointSetting<'a> {
    pub entry: SetEntry,
    axis: &'a Axis,
}

impl PointSetting<'_> {
    /// `error` (from applying this setting), said to be about `--set` when it is.
    pub(crate) fn in_context(&self, error: ScenarioError) -> ScenarioError {
        self.axis.in_context(error)
    }
}

impl Grid {
    /// The scenario's `sweep:` with `sets` applied: each `--set` key replaces the
    /// scenario's values for it (taking it out of its `zip:` group) or is added after
    /// the scenario's keys. Every key and value is checked against `raw` here.
    pub(crate) fn new(
        raw: &RawScenario,
        file: &Path,
        sets: &[SetArg],
    ) -> Result<Grid, ScenarioError> {
        let mut grid = Grid {
            groups: Vec::new(),
            at: raw.sweep.as_ref().map(|s| s.referenced),
        };
        let mut seen: HashSet<String> = HashSet::new();
        let mut first_use = |path: &Spanned<String>| {
            if seen.insert(path.value.clone()) {
                Ok(())
            } else {
                Err(ScenarioError::yaml(
                    file,
                    path.referenced,
                    format!(
                        "found `{}` swept twice, expected each key once in `sweep:` and its `zip:` groups",
                        path.value
                    ),
                ))
            }
        };
        for entry in raw.sweep.iter().flat_map(|s| &s.value.0) {
            match entry {
                RawSweepEntry::Axis(axis) => {
                    first_use(&axis.path)?;
                    grid.groups.push(vec![written_axis(axis, file)?]);
                }
                RawSweepEntry::Zip(key, groups) => {
                    if groups.is_empty() {
                        return Err(ScenarioError::yaml(
                            file,
                            key.referenced,
                            "found no zipped keys, expected a map of keys to lists of equal length",
                        ));
                    }
                    for group in groups {
                        let mut axes = Vec::new();
                        for axis in &group.value.0 {
                            first_use(&axis.path)?;
                            axes.push(written_axis(axis, file)?);
                        }
                        check_zip(&axes, group, file)?;
                        grid.groups.push(axes);
                    }
                }
            }
        }
        for set in sets {
            grid.set(set, file)?;
        }
        grid.check_keys(raw, file)?;
        grid.choose_short_names();
        Ok(grid)
    }

    /// Puts a `--set` argument in place of the scenario's values for its key.
    fn set(&mut self, set: &SetArg, file: &Path) -> Result<(), ScenarioError> {
        let unknown = Location::UNKNOWN;
        if set.values.len() as u64 > MAX_CONFIGURATIONS {
            return Err(ScenarioError::yaml(
                file,
                unknown,
                format!(
                    "in `--set {}=…`: found {} values for `{}`, expected at most {MAX_CONFIGURATIONS}",
                    set.key,
                    set.values.len(),
                    set.key
                ),
            ));
        }
        let values = set
            .values
            .iter()
            .enumerate()
            .map(|(k, v)| AxisValue {
                value: Spanned::new(v.clone(), unknown, unknown),
                label: label(v, k),
                text: text(v),
            })
            .collect();
        let axis = Axis {
            path: Spanned::new(set.key.clone(), unknown, unknown),
            values,
            argument: Some(set.text.clone()),
            short: String::new(),
        };
        let axis = Axis {
            values: checked_labels(axis.values.clone(), file).map_err(|e| axis.in_context(e))?,
            ..axis
        };
        for group in &mut self.groups {
            if let Some(i) = group.iter().position(|a| a.path.value == set.key) {
                if group.len() == 1 {
                    group[0] = axis;
                    return Ok(());
                }
                group.remove(i);
                break;
            }
        }
        self.groups.push(vec![axis]);
        Ok(())
    }

    /// Checks every key and value by setting it on a copy of `raw`: an unknown key or
    /// a value of the wrong type is an error at its line.
    fn check_keys(&self, raw: &RawScenario, file: &Path) -> Result<(), ScenarioError> {
        let mut probe = raw.clone();
        for axis in self.groups.iter().flatten() {
            if axis.path.value == "seed" {
                return Err(axis.in_context(ScenarioError::yaml(
                    file,
                    axis.path.referenced,
                    "found `seed` swept, expected another setting: run several seeds with --seeds N, \
                     which keeps every point's arrivals the same",
                )));
            }
            for value in &axis.values {
                let entry = SetEntry {
                    path: axis.path.clone(),
                    value: value.value.clone(),
                };
                variants::apply(&mut probe, &entry, file).map_err(|e| axis.in_context(e))?;
            }
        }
        Ok(())
    }

    /// Gives each key its short name; keys of different functions that share one are
    /// told apart by the function's name (`checkout.pc`, `catalog.pc`).
    fn choose_short_names(&mut self) {
        let axes: Vec<&mut Axis> = self.groups.iter_mut().flatten().collect();
        let names: Vec<(Option<String>, &str)> = axes
            .iter()
            .map(|a| match variants::short_name(&a.path.value) {
                Some((function, short)) => (function.map(safe), short),
                None => (None, "?"),
            })
            .collect();
        let mut uses: HashMap<&str, usize> = HashMap::new();
        for (_, short) in &names {
            *uses.entry(short).or_default() += 1;
        }
        for (axis, (function, short)) in axes.into_iter().zip(&names) {
            axis.short = match function {
                Some(function) if uses[short] > 1 => format!("{function}.{short}"),
                _ => (*short).to_string(),
            };
        }
    }

    /// Whether the scenario sweeps nothing.
    pub(crate) fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The swept keys, in order: one column each in `runs.csv`.
    pub(crate) fn keys(&self) -> Vec<String> {
        self.groups
            .iter()
            .flatten()
            .map(|a| a.path.value.clone())
            .collect()
    }

    /// The number of points (1 when nothing is swept), saturating.
    pub(crate) fn len(&self) -> u64 {
        self.groups
            .iter()
            .map(|g| g[0].values.len() as u64)
            .fold(1u64, u64::saturating_mul)
    }

    /// Refuses a grid that, with `variants` variants of `functions` functions each,
    /// makes more configurations than one scenario may.
    pub(crate) fn check_size(
        &self,
        variants: usize,
        functions: usize,
        file: &Path,
    ) -> Result<(), ScenarioError> {
        let points = self.len();
        let configurations = points.saturating_mul(variants as u64);
        let at = self.at.unwrap_or(Location::UNKNOWN);
        let error = |message: String| {
            let error = ScenarioError::yaml(file, at, message);
            match self.at {
                Some(_) => error,
                None => error.with_prefix("with --set: "),
            }
        };
        if configurations > MAX_CONFIGURATIONS {
            let found = match variants {
                1 => format!("{points} sweep points"),
                _ => format!(
                    "{variants} variants × {points} sweep points = {configurations} configurations"
                ),
            };
            return Err(error(format!(
                "found {found} ({}), expected at most {MAX_CONFIGURATIONS} configurations \
                 (fewer values, or keys moving together in `zip:`)",
                self.counts()
            )));
        }
        let function_configurations = configurations.saturating_mul(functions as u64);
        if function_configurations > MAX_FUNCTION_CONFIGURATIONS {
            return Err(error(format!(
                "found {configurations} configurations × {functions} functions = {function_configurations} \
                 function configurations, expected at most {MAX_FUNCTION_CONFIGURATIONS}"
            )));
        }
        Ok(())
    }

    /// How many values each group of keys takes, as a message says it:
    /// "`a`: 4 values × `b` with `c`: 3 values".
    fn counts(&self) -> String {
        self.groups
            .iter()
            .map(|group| {
                let keys: Vec<String> = group
                    .iter()
                    .map(|a| format!("`{}`", a.path.value))
                    .collect();
                let n = group[0].values.len();
                format!(
                    "{}: {n} value{}",
                    keys.join(" with "),
                    if n == 1 { "" } else { "s" }
                )
            })
            .collect::<Vec<_>>()
            .join(" × ")
    }

    /// Every point, in order: the last key varies fastest.
    pub(crate) fn points(&self) -> impl Iterator<Item = (Point, Vec<PointSetting<'_>>)> + '_ {
        let sizes: Vec<usize> = self.groups.iter().map(|g| g[0].values.len()).collect();
        let total = if self.is_empty() { 0 } else { self.len() };
        (0..total).map(move |mut k| {
            let mut index = vec![0; sizes.len()];
            for (g, size) in sizes.iter().enumerate().rev() {
                let size = *size as u64;
                index[g] = (k % size) as usize;
                k /= size;
            }
            self.point(&index)
        })
    }

    /// The point at `index` (one value index per group).
    fn point(&self, index: &[usize]) -> (Point, Vec<PointSetting<'_>>) {
        let mut point = Point::default();
        let mut settings = Vec::new();
        let mut named = Vec::new();
        for (group, &i) in self.groups.iter().zip(index) {
            for axis in group {
                let value = &axis.values[i];
                if axis.values.len() > 1 {
                    named.push(format!("{}={}", axis.short, value.label));
                }
                point.values.push(value.text.clone());
                settings.push(PointSetting {
                    entry: SetEntry {
                        path: axis.path.clone(),
                        value: value.value.clone(),
                    },
                    axis,
                });
            }
        }
        point.name = named.join(",");
        (point, settings)
    }

    /// Refuses point names too long for file names: at `sweep:`.
    pub(crate) fn check_names(&self, file: &Path) -> Result<(), ScenarioError> {
        let longest: Vec<usize> = self
            .groups
            .iter()
            .map(|g| {
                (0..g[0].values.len())
                    .map(|i| self.point_len(g, i))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let total: usize = longest.iter().sum::<usize>() + longest.len();
        if total > MAX_NAME_BYTES {
            return Err(ScenarioError::yaml(
                file,
                self.at.unwrap_or(Location::UNKNOWN),
                format!(
                    "found sweep points named with up to {total} characters, expected at most {MAX_NAME_BYTES} \
                     (they name chart files): sweep fewer keys, or shorter values"
                ),
            ));
        }
        Ok(())
    }

    /// The length of the part of a point's name group `g` writes at value `i`.
    fn point_len(&self, group: &[Axis], i: usize) -> usize {
        group
            .iter()
            .filter(|a| a.values.len() > 1)
            .map(|a| a.short.len() + 1 + a.values[i].label.len() + 1)
            .sum()
    }
}

/// A key's values as the scenario wrote them, expanded and labelled.
fn written_axis(axis: &RawAxis, file: &Path) -> Result<Axis, ScenarioError> {
    let values = match &axis.values.value {
        RawValues::List(list) => list.clone(),
        RawValues::Range(range) => {
            expand_range(range, &axis.path.value, axis.values.referenced, file)?
        }
    };
    if values.is_empty() {
        return Err(ScenarioError::yaml(
            file,
            axis.values.referenced,
            format!(
                "found no values for `{}`, expected at least one",
                axis.path.value
            ),
        ));
    }
    if values.len() as u64 > MAX_CONFIGURATIONS {
        return Err(ScenarioError::yaml(
            file,
            axis.values.referenced,
            format!(
                "found {} values for `{}`, expected at most {MAX_CONFIGURATIONS}",
                values.len(),
                axis.path.value
            ),
        ));
    }
    let values = values
        .into_iter()
        .enumerate()
        .map(|(k, value)| AxisValue {
            label: label(&value.value, k),
            text: text(&value.value),
            value,
        })
        .collect();
    Ok(Axis {
        path: axis.path.clone(),
        values: checked_labels(values, file)?,
        argument: None,
        short: String::new(),
    })
}

/// `values`, refused if two would name their points alike.
fn checked_labels(values: Vec<AxisValue>, file: &Path) -> Result<Vec<AxisValue>, ScenarioError> {
    let mut seen: HashMap<&str, &AxisValue> = HashMap::new();
    for value in &values {
        if let Some(earlier) = seen.insert(&value.label, value) {
            return Err(ScenarioError::yaml(
                file,
                value.value.referenced,
                format!(
                    "found `{}` after `{}`: both would name a point `{}`, expected values that differ \
                     in letters, digits, `.`, `-` or `_`",
                    value.text, earlier.text, value.label
                ),
            ));
        }
    }
    Ok(values)
}

/// Checks that the keys of a `zip:` group have as many values each.
fn check_zip(
    axes: &[Axis],
    group: &Spanned<RawZipGroup>,
    file: &Path,
) -> Result<(), ScenarioError> {
    let Some(first) = axes.first() else {
        return Err(ScenarioError::yaml(
            file,
            group.referenced,
            "found an empty `zip:` group, expected keys with lists of equal length",
        ));
    };
    for (axis, raw) in axes.iter().zip(&group.value.0).skip(1) {
        if axis.values.len() != first.values.len() {
            return Err(ScenarioError::yaml(
                file,
                raw.values.referenced,
                format!(
                    "found {} values for `{}`, expected {} as for `{}` (zipped keys take their values together)",
                    axis.values.len(),
                    axis.path.value,
                    first.values.len(),
                    first.path.value
                ),
            ));
        }
    }
    Ok(())
}

/// A value as `runs.csv` shows it.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_string(),
        Value::Array(_) | Value::Object(_) => value.to_string(),
    }
}

/// A value as a point's name shows it: a scalar's text with anything but letters,
/// digits, `.`, `-` and `_` made `_`; `default` for null; `v1`, `v2`, … (its place in
/// the list) for a map or a list.
fn label(value: &Value, index: usize) -> String {
    match value {
        Value::Null => "default".to_string(),
        Value::Array(_) | Value::Object(_) => format!("v{}", index + 1),
        scalar => {
            let label = safe(&text(scalar));
            if label.is_empty() {
                "_".to_string()
            } else {
                label
            }
        }
    }
}

/// `text` with every character but ASCII letters, digits, `.`, `-` and `_` made `_`.
fn safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `{ from, to, step }` (the range of the swept `key`) expanded: whole numbers when all
/// three are, durations when any is written as one (a plain number then counts
/// seconds), otherwise numbers. `to` is included when a step lands on it. A range of
/// more than [`MAX_CONFIGURATIONS`] values is refused before any is made.
fn expand_range(
    range: &RawRange,
    key: &str,
    at: Location,
    file: &Path,
) -> Result<Vec<Spanned<Value>>, ScenarioError> {
    let field = |name: &str, value: &Option<Spanned<Value>>| {
        value.clone().ok_or_else(|| {
            ScenarioError::yaml(
                file,
                at,
                format!(
                    "found a range for `{key}` without `{name}`, expected `{{ from, to, step }}`"
                ),
            )
        })
    };
    let (from, to, step) = (
        field("from", &range.from)?,
        field("to", &range.to)?,
        field("step", &range.step)?,
    );
    let bad = |v: &Spanned<Value>, expected: &str| {
        ScenarioError::yaml(
            file,
            v.referenced,
            format!(
                "found `{}` in the range for `{key}`, expected {expected}",
                text(&v.value)
            ),
        )
    };
    for v in [&from, &to, &step] {
        if !matches!(v.value, Value::Number(_) | Value::String(_)) {
            return Err(bad(v, "a number or a duration"));
        }
    }
    let spanned = |value: Value| Spanned::new(value, at, at);
    let count = |span: f64, width: f64| -> Result<u64, ScenarioError> {
        if width <= 0.0 || !width.is_finite() {
            return Err(bad(&step, "a step above 0"));
        }
        if span < 0.0 {
            return Err(ScenarioError::yaml(
                file,
                to.referenced,
                format!(
                    "found an empty range for `{key}`: `to` {} is below `from` {}, expected `to` at or above `from`",
                    text(&to.value),
                    text(&from.value)
                ),
            ));
        }
        let n = (span / width * (1.0 + 1e-12)).floor() + 1.0;
        if n > MAX_CONFIGURATIONS as f64 {
            return Err(ScenarioError::yaml(
                file,
                at,
                format!(
                    "found a range of {n:.0} values for `{key}`, expected at most {MAX_CONFIGURATIONS} \
                     (a larger `step`, or a shorter span)"
                ),
            ));
        }
        Ok(n as u64)
    };
    let any_string = [&from, &to, &step].iter().any(|v| v.value.is_string());
    if any_string {
        let nanos = |v: &Spanned<Value>| {
            match &v.value {
                Value::String(s) => duration::parse(s),
                Value::Number(n) => duration::from_number(n.as_f64().unwrap_or(f64::NAN)),
                _ => unreachable!("checked above"),
            }
            .map_err(|message| ScenarioError::yaml(file, v.referenced, message))
        };
        let (a, b, s) = (nanos(&from)?, nanos(&to)?, nanos(&step)?);
        let n = count(b as f64 - a as f64, s as f64)?;
        // In u128, so that no step overflows; the count, from floats, may overshoot
        // `to` by one at the largest values.
        return Ok((0..u128::from(n))
            .map(|k| u128::from(a) + k * u128::from(s))
            .take_while(|&x| x <= u128::from(b))
            .map(|x| spanned(Value::String(show_duration(x as u64))))
            .collect());
    }
    let whole = |v: &Spanned<Value>| v.value.as_i64();
    if let (Some(a), Some(b), Some(s)) = (whole(&from), whole(&to), whole(&step)) {
        let n = count(b as f64 - a as f64, s as f64)?;
        // In i128, as for durations above.
        return Ok((0..i128::from(n))
            .map(|k| i128::from(a) + k * i128::from(s))
            .take_while(|&x| x <= i128::from(b))
            .map(|x| spanned(Value::from(x as i64)))
            .collect());
    }
    let number = |v: &Spanned<Value>| v.value.as_f64().unwrap_or(f64::NAN);
    let (a, b, s) = (number(&from), number(&to), number(&step));
    let n = count(b - a, s)?;
    Ok((0..n)
        .map(|k| {
            // Rounded, so that 0.1 steps give 0.3 rather than 0.30000000000000004.
            let x = a + k as f64 * s;
            let x: f64 = format!("{x:.12}").parse().unwrap_or(x);
            spanned(Value::from(x))
        })
        .collect())
}

/// Nanoseconds as a short duration in the largest unit that divides them: `2s`,
/// `1500ms`, `90m`.
fn show_duration(nanos: u64) -> String {
    const UNITS: [(u64, &str); 6] = [
        (3_600_000_000_000, "h"),
        (60_000_000_000, "m"),
        (1_000_000_000, "s"),
        (1_000_000, "ms"),
        (1_000, "us"),
        (1, "ns"),
    ];
    if nanos == 0 {
        return "0s".to_string();
    }
    let (unit, name) = UNITS
        .iter()
        .find(|(unit, _)| nanos.is_multiple_of(*unit))
        .expect("1 divides everything");
    format!("{}{name}", nanos / unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_arguments_split_at_top_level_commas() {
        let set: SetArg = "functions.f.memory_mb=512, 1024".parse().unwrap();
        assert_eq!(set.key, "functions.f.memory_mb");
        assert_eq!(set.values, [Value::from(512), Value::from(1024)]);
        let set: SetArg = "functions.f.provisioned_concurrency={ initial: 5, schedule: [] },3"
            .parse()
            .unwrap();
        assert_eq!(set.values.len(), 2);
        assert!(set.values[0].is_object());
        let set: SetArg = "account.region='us-east-1,x'".parse().unwrap();
        assert_eq!(set.values, [Value::from("us-east-1,x")]);
        assert!("no-equals".parse::<SetArg>().is_err());
        assert!("=1".parse::<SetArg>().is_err());
        assert!("a=1,,2".parse::<SetArg>().is_err());
        assert!("a=".parse::<SetArg>().is_err());
    }

    #[test]
    fn labels_are_safe_and_texts_as_written() {
        assert_eq!(label(&Value::from("1.5s"), 0), "1.5s");
        assert_eq!(label(&Value::from("a b/c"), 0), "a_b_c");
        assert_eq!(label(&Value::Null, 0), "default");
        assert_eq!(label(&serde_json::json!({"initial": 1}), 2), "v3");
        assert_eq!(text(&serde_json::json!({"initial": 1})), r#"{"initial":1}"#);
        assert_eq!(text(&Value::from(0.5)), "0.5");
    }

    #[test]
    fn durations_show_in_the_largest_whole_unit() {
        assert_eq!(show_duration(0), "0s");
        assert_eq!(show_duration(1_500_000_000), "1500ms");
        assert_eq!(show_duration(2_000_000_000), "2s");
        assert_eq!(show_duration(5_400_000_000_000), "90m");
        assert_eq!(show_duration(7), "7ns");
    }
}
