//! Errors the command reports, and their exit codes.

use lambdasim_model::SimError;
use lambdasim_scenario::ScenarioError;
use miette::{Diagnostic, NamedSource, SourceSpan};
use std::io::Read;
use std::path::Path;

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum CliError {
    /// The scenario or one of its traces is invalid.
    #[error("{0}")]
    #[diagnostic(
        code(lambdasim::input),
        help("see docs/scenarios.md for the scenario format")
    )]
    Input(ScenarioError),
    /// A `--variant` names no variant of the scenario.
    #[error("no variant named `{name}` in the scenario (it has: {known})")]
    #[diagnostic(code(lambdasim::input))]
    UnknownVariant { name: String, known: String },
    /// A run failed part-way through (a trace line that only the run reached, say).
    #[error("variant `{variant}` failed")]
    #[diagnostic(code(lambdasim::run))]
    Run {
        variant: String,
        #[source]
        source: SimError,
    },
    /// `--seeds` times the variants asks for more runs than one command makes.
    #[error(
        "found {variants} variants × {seeds} seeds = {runs} runs, expected at most {max} (fewer --seeds, or pick variants with --variant)"
    )]
    #[diagnostic(code(lambdasim::input))]
    TooManyRuns {
        variants: u64,
        seeds: u64,
        runs: u64,
        max: u64,
    },
    /// The runs times the functions ask for more results than one command keeps.
    #[error(
        "found {runs} runs × {functions} functions = {results} results to keep, expected at most {max} (fewer --seeds or variants)"
    )]
    #[diagnostic(code(lambdasim::input))]
    TooManyResults {
        runs: u64,
        functions: u64,
        results: u64,
        max: u64,
    },
    /// One run of the scenario would not fit in the memory a command may take.
    #[error(
        "found {functions} functions: one run would take about {mb} MB, expected at most {max_mb} MB (at most {max_functions} functions)"
    )]
    #[diagnostic(
        code(lambdasim::input),
        help("split the account's functions over several scenarios")
    )]
    TooManyFunctions {
        functions: u64,
        mb: u64,
        max_mb: u64,
        max_functions: u64,
    },
    /// The scenario's traffic is estimated above `--max-requests`.
    #[error(
        "the scenario generates about {requests:.3e} requests in all (variants × seeds), above --max-requests {max}: about {hours:.1} hours at 10 million a second"
    )]
    #[diagnostic(
        code(lambdasim::input),
        help(
            "check the rates and the duration, or run with --yes (or a larger --max-requests) to go ahead"
        )
    )]
    TooMuchWork { requests: f64, max: u64, hours: f64 },
    /// The scenario has an `slo:` and no configuration meets it (the outputs were
    /// written): a pipeline's gate.
    #[error(
        "no configuration meets the scenario's slo: ({judged} judged; the results are in {out})"
    )]
    #[diagnostic(code(lambdasim::slo))]
    SloNotMet { judged: usize, out: String },
    /// A signal (Ctrl-C, SIGTERM, SIGHUP) stopped the run before it wrote anything.
    #[error("interrupted: the run stopped and left no output")]
    #[diagnostic(code(lambdasim::interrupted))]
    Interrupted,
    /// `--out` cannot be used: it names no directory, or one a run may not replace.
    #[error("cannot write to {path}")]
    #[diagnostic(code(lambdasim::input))]
    OutArgument {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// `--shard`, `--shard-count` or a scheduler's shard variables are malformed or
    /// out of range (the message names which).
    #[error("{0}")]
    #[diagnostic(code(lambdasim::input), help("see docs/scale-out.md"))]
    Shard(String),
    /// A plan was asked for in shards.
    #[error(
        "{from} asks for a shard of a plan, which cannot be split ahead of time: its bisection picks each round's configurations from the last round's results"
    )]
    #[diagnostic(
        code(lambdasim::input),
        help(
            "plan on one machine, or shard `lambdasim run` over the sweep's whole grid (without `objective: cost`) and merge it: the merged report judges every configuration (docs/scale-out.md)"
        )
    )]
    ShardedPlan { from: &'static str },
    /// Shard outputs that cannot be merged (the message names them).
    #[error("{0}")]
    #[diagnostic(code(lambdasim::input), help("see docs/scale-out.md"))]
    Merge(lambdasim_report::shard::MergeError),
    /// Writing the results failed.
    #[error("writing the results to {path} failed")]
    #[diagnostic(code(lambdasim::output))]
    Output {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// The exit status of a run whose scenario has an `slo:` that no configuration meets.
pub const SLO_NOT_MET: u8 = 3;

impl CliError {
    /// 2 for invalid input (as `README.md` documents), 3 when no configuration meets
    /// the scenario's `slo:`, 130 when interrupted, 1 for anything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Interrupted => crate::interrupt::EXIT_STATUS,
            Self::SloNotMet { .. } => SLO_NOT_MET,
            Self::Input(err) if err.is_input_error() => 2,
            Self::UnknownVariant { .. }
            | Self::TooManyRuns { .. }
            | Self::TooManyResults { .. }
            | Self::TooManyFunctions { .. }
            | Self::TooMuchWork { .. }
            | Self::Shard(_)
            | Self::ShardedPlan { .. }
            | Self::Merge(_)
            | Self::OutArgument { .. } => 2,
            Self::Run {
                source: SimError::Source(_) | SimError::Config(_),
                ..
            } => 2,
            _ => 1,
        }
    }
}

impl From<ScenarioError> for CliError {
    fn from(err: ScenarioError) -> Self {
        Self::Input(err)
    }
}

impl CliError {
    /// The error as the terminal shows it. An input error at a line and column of a
    /// YAML file also shows the lines around it, the place marked; the file is read
    /// again for that, and any failure to read it leaves the message alone.
    pub fn into_report(self) -> miette::Report {
        match self.yaml_excerpt() {
            Some((yaml, at)) => miette::Report::new(Pointed {
                error: self,
                yaml,
                at,
            }),
            None => miette::Report::new(self),
        }
    }

    /// The YAML file of an input error with a column (only YAML positions have one),
    /// and the span of the item at that position.
    fn yaml_excerpt(&self) -> Option<(NamedSource<String>, SourceSpan)> {
        let Self::Input(err) = self else {
            return None;
        };
        let (line, column) = (err.line()?, err.column()?);
        let text = read_text(err.file())?;
        if !showable(&text, line) {
            return None;
        }
        let at = item_at(&text, line, column)?;
        let name = err.file().display().to_string();
        Some((NamedSource::new(name, text), at))
    }
}

/// An error shown with the YAML it is about: the message, code and help are the
/// error's own; the excerpt and its label come on top.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{error}")]
#[diagnostic(forward(error))]
struct Pointed {
    error: CliError,
    #[source_code]
    yaml: NamedSource<String>,
    #[label("here")]
    at: SourceSpan,
}

/// The most a scenario file may hold (the loader's own limit): a larger file gets no
/// excerpt.
const MAX_EXCERPT_SOURCE: u64 = 64 << 20;

/// The text of `path`, invalid UTF-8 replaced (the error may be about just that).
fn read_text(path: &Path) -> Option<String> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_EXCERPT_SOURCE + 1).read_to_end(&mut bytes))
        .ok()?;
    if bytes.len() as u64 > MAX_EXCERPT_SOURCE {
        return None;
    }
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// The widest line an excerpt shows: wider ones (a long flow collection, a file that
/// is not YAML at all) would flood the terminal.
const MAX_EXCERPT_LINE: usize = 300;

/// Whether the lines an excerpt shows, `line` and one either side, can go to the
/// terminal as they are: not too wide, and no control characters (binary data, escape
/// sequences) but tabs.
fn showable(text: &str, line: u64) -> bool {
    // 0-based: the lines before, at and after `line` are `line - 2` to `line`.
    let last = usize::try_from(line).unwrap_or(usize::MAX);
    let first = last.saturating_sub(2);
    text.lines().skip(first).take(last - first + 1).all(|l| {
        l.chars().count() <= MAX_EXCERPT_LINE && !l.chars().any(|c| c.is_control() && c != '\t')
    })
}

/// The byte span of the YAML item that starts at a 1-based `line` and `column` (in
/// characters, as the scenario's positions count them) of `text`: a quoted string to
/// its closing quote, a key to its colon, a plain value to the next space or flow
/// punctuation. A column past the end of its line gives an empty span at the end;
/// `None` when the line is not in `text`.
fn item_at(text: &str, line: u64, column: u64) -> Option<SourceSpan> {
    let line_start = match line {
        0 => return None,
        1 => 0,
        _ => {
            let newlines_before = usize::try_from(line - 2).ok()?;
            text.match_indices('\n').nth(newlines_before)?.0 + 1
        }
    };
    let rest = &text[line_start..];
    let line_text = rest.split(['\n', '\r']).next().unwrap_or(rest);
    let skip = usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX);
    let start = line_text
        .char_indices()
        .nth(skip)
        .map_or(line_text.len(), |(i, _)| i);
    let item = &line_text[start..];
    let len = match item.chars().next() {
        Some(quote @ ('"' | '\'')) => item[1..].find(quote).map_or(item.len(), |end| end + 2),
        Some('{' | '[') => flow_len(item),
        Some(_) => item
            .char_indices()
            .find(|&(i, c)| {
                c.is_whitespace()
                    || matches!(c, ',' | '[' | ']' | '{' | '}')
                    || (c == ':' && item[i + 1..].chars().next().is_none_or(char::is_whitespace))
            })
            .map_or(item.len(), |(i, _)| i),
        None => 0,
    };
    Some(SourceSpan::new((line_start + start).into(), len))
}

/// The length of the flow collection (`{ ... }` or `[ ... ]`) `item` starts with, to
/// its closing bracket; the whole of `item` when that is not on the same line.
fn flow_len(item: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in item.char_indices() {
        match c {
            '{' | '[' => depth += 1,
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    item.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text a span covers.
    fn covered(text: &str, line: u64, column: u64) -> Option<&str> {
        let at = item_at(text, line, column)?;
        Some(&text[at.offset()..at.offset() + at.len()])
    }

    #[test]
    fn an_item_spans_a_key_a_value_or_a_quoted_string() {
        let yaml = "name: t\nfunctions:\n  - name: \"a b\"\n    memory_mb: 99999 # big\n";
        assert_eq!(covered(yaml, 1, 1), Some("name"));
        assert_eq!(covered(yaml, 1, 7), Some("t"));
        assert_eq!(covered(yaml, 3, 11), Some("\"a b\""));
        assert_eq!(covered(yaml, 4, 5), Some("memory_mb"));
        assert_eq!(covered(yaml, 4, 16), Some("99999"));
        assert_eq!(covered("a: [1, 2x]\n", 1, 8), Some("2x"));
        assert_eq!(covered("a: {b: c}\n", 1, 5), Some("b"));
        let flow = "d: { l: { m: 2s, p: [1, 2] } } # c\n";
        assert_eq!(covered(flow, 1, 4), Some("{ l: { m: 2s, p: [1, 2] } }"));
        assert_eq!(covered("d: { l: [1\n", 1, 4), Some("{ l: [1"));
    }

    #[test]
    fn columns_count_characters_and_odd_positions_stay_in_the_text() {
        let yaml = "name: é\r\nrate: x\n";
        assert_eq!(covered(yaml, 1, 7), Some("é"));
        assert_eq!(covered(yaml, 2, 7), Some("x"));
        // Past the end of a line: an empty span at its end, before the line break.
        let end = item_at(yaml, 1, 40).unwrap();
        assert_eq!((end.offset(), end.len()), ("name: é".len(), 0));
        assert_eq!(item_at(yaml, 9, 1), None);
        assert_eq!(item_at(yaml, 0, 1), None);
        assert_eq!(covered("", 1, 1), Some(""));
        assert_eq!(covered("k: 'open\n", 1, 4), Some("'open"));
    }

    #[test]
    fn only_short_plain_lines_are_shown() {
        let text = format!("a: 1\nb: 2\nc: \u{1b}[2J\nd: {}\ne: 5\n", "x".repeat(400));
        assert!(showable(&text, 1));
        assert!(showable("a: 1\r\nb:\t2\r\n", 2));
        assert!(!showable(&text, 2), "the next line clears the screen");
        assert!(!showable(&text, 5), "the line before is too wide");
        assert!(showable(&text, 6));
    }
}
