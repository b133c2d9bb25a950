//! An output directory that appears whole or not at all.
//!
//! A run writes into a temporary directory beside the final one and renames it into
//! place only when everything succeeded, so a failed or interrupted run never leaves
//! partial output (a promise of `README.md`: a failed run leaves no partial output).

use std::fs;
use std::io::{self, ErrorKind};
use std::path::{Path, PathBuf};

/// The file whose presence marks a directory as a previous lambdasim output that may be
/// replaced...
const MARKER: &str = "summary.json";

/// ...or as a previous shard's output (`run --shard`).
const SHARD_MARKER: &str = crate::shard::RESULTS;

/// The list of every file a run wrote, kept in its output: what a later run may
/// replace, down to each chart.
const MANIFEST: &str = ".lambdasim-files";

/// Everything a run writes at the top of its output directory. A previous output
/// holding anything else (a user's notes, the scenario itself) is not replaced.
pub const OUTPUT_NAMES: [&str; 10] = [
    MARKER,
    SHARD_MARKER,
    crate::shard::PARTS,
    "plan.json",
    "runs.csv",
    "timeseries.csv",
    "seeds.csv",
    "report.html",
    "charts",
    MANIFEST,
];

/// A temporary directory that becomes `final_dir` on [`commit`](Self::commit) and is
/// removed if dropped without it.
#[derive(Debug)]
pub struct OutputDir {
    temp: PathBuf,
    final_dir: PathBuf,
    /// The parent directories `create` made, deepest first: removed again, when
    /// empty, if nothing is committed.
    made_parents: Vec<PathBuf>,
    committed: bool,
}

impl OutputDir {
    /// Creates the temporary directory `.{name}.tmp-{pid}` in `final_dir`'s parent,
    /// creating the parent as needed.
    ///
    /// Fails early, before any work is done, if `final_dir` exists and is not something
    /// [`commit`](Self::commit) would be allowed to replace.
    pub fn create(final_dir: &Path) -> io::Result<Self> {
        let temp = temp_path(final_dir)?;
        check_replaceable(final_dir)?;
        let made_parents = missing_ancestors(&temp);
        if let Some(parent) = temp.parent() {
            fs::create_dir_all(parent)?;
        }
        // A leftover from an earlier process that had our pid and was killed.
        if fs::symlink_metadata(&temp).is_ok() {
            remove(&temp)?;
        }
        remove_stale_temps(&temp);
        fs::create_dir(&temp)?;
        Ok(Self {
            temp,
            final_dir: final_dir.to_path_buf(),
            made_parents,
            committed: false,
        })
    }

    /// Where to write the output files until the commit.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// The directory the output will have after the commit.
    pub fn final_path(&self) -> &Path {
        &self.final_dir
    }

    /// Moves the output into place, replacing a previous lambdasim output (a directory
    /// holding `summary.json`) or an empty directory. Anything else is left alone and
    /// the commit fails, so a mistyped `--out` cannot delete a user's files.
    ///
    /// On failure the temporary directory is still removed when `self` drops.
    pub fn commit(mut self) -> io::Result<()> {
        write_manifest(&self.temp)?;
        check_replaceable(&self.final_dir)?;
        if fs::symlink_metadata(&self.final_dir).is_ok() {
            // Move the old output aside first so that a failed rename can restore it.
            let mut old = self.temp.clone().into_os_string();
            old.push(".old");
            let old = PathBuf::from(old);
            fs::rename(&self.final_dir, &old)?;
            if let Err(e) = fs::rename(&self.temp, &self.final_dir) {
                let _ = fs::rename(&old, &self.final_dir);
                return Err(e);
            }
            self.committed = true;
            // The new output is in place; a leftover old copy is not worth failing for.
            let _ = fs::remove_dir_all(&old);
            Ok(())
        } else {
            fs::rename(&self.temp, &self.final_dir)?;
            self.committed = true;
            Ok(())
        }
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.temp);
            for dir in &self.made_parents {
                // Fails, leaving it, if something else was put there meanwhile.
                let _ = fs::remove_dir(dir);
            }
        }
    }
}

/// `.{name}.tmp-{pid}` beside `final_dir`: the same parent, so the final rename never
/// crosses filesystems; hidden, so it does not look like output.
fn temp_path(final_dir: &Path) -> io::Result<PathBuf> {
    let name = final_dir.file_name().ok_or_else(|| {
        io::Error::new(
            ErrorKind::InvalidInput,
            format!(
                "output directory {} has no name to write to",
                final_dir.display()
            ),
        )
    })?;
    let parent = match final_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".tmp-{}", std::process::id()));
    Ok(parent.join(temp_name))
}

/// The ancestors of `path` that do not exist yet, deepest first.
fn missing_ancestors(path: &Path) -> Vec<PathBuf> {
    path.ancestors()
        .skip(1)
        .filter(|a| !a.as_os_str().is_empty())
        .take_while(|a| fs::symlink_metadata(a).is_err())
        .map(Path::to_path_buf)
        .collect()
}

/// Ok if `dir` does not exist, or is a real directory (not a symlink) that is empty or
/// holds a previous output: a `summary.json` (or a shard's results) and nothing but
/// [`OUTPUT_NAMES`].
fn check_replaceable(dir: &Path) -> io::Result<()> {
    let meta = match fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let why = if meta.is_symlink() {
        "it is a symbolic link".to_string()
    } else if !meta.is_dir() {
        "it is not a directory".to_string()
    } else {
        let mut names = Vec::new();
        for entry in fs::read_dir(dir)? {
            names.push(entry?.file_name());
        }
        let foreign = names
            .iter()
            .find(|n| !OUTPUT_NAMES.iter().any(|o| n.as_os_str() == *o))
            .map(|n| n.to_string_lossy().into_owned());
        if let Some(name) = foreign.or(unwritten_file(dir)?) {
            format!("it holds `{name}`, which a run does not write")
        } else if names.is_empty() || dir.join(MARKER).is_file() || dir.join(SHARD_MARKER).is_file()
        {
            return Ok(());
        } else {
            format!("it is not a lambdasim output directory (no {MARKER})")
        }
    };
    Err(io::Error::new(
        ErrorKind::AlreadyExists,
        format!(
            "refusing to replace {}: {why}; choose another --out or remove it",
            dir.display()
        ),
    ))
}

/// Every file below `dir` (not directories), as paths relative to it with `/`.
fn files_below(dir: &Path) -> io::Result<Vec<String>> {
    let mut files = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        for entry in fs::read_dir(dir.join(&relative))? {
            let entry = entry?;
            let path = relative.join(entry.file_name());
            if entry.file_type()?.is_dir() {
                pending.push(path);
            } else {
                files.push(path.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Lists what the run wrote in [`MANIFEST`], beside it.
fn write_manifest(dir: &Path) -> io::Result<()> {
    let mut list = files_below(dir)?.join("\n");
    list.push('\n');
    fs::write(dir.join(MANIFEST), list)
}

/// A file below a previous output's directories (`charts/`) that its run did not
/// write, if any: one not in its manifest or, for an output from before manifests,
/// anything in `charts/` but a chart (`.png`, `.svg`).
fn unwritten_file(dir: &Path) -> io::Result<Option<String>> {
    let files = files_below(dir)?;
    let listed = match fs::read_to_string(dir.join(MANIFEST)) {
        Ok(text) => Some(text.lines().map(str::to_string).collect::<Vec<_>>()),
        Err(e) if e.kind() == ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let written = |f: &String| match &listed {
        Some(list) => f == MANIFEST || list.contains(f),
        None => {
            !f.contains('/')
                || (f.starts_with("charts/")
                    && !f["charts/".len()..].contains('/')
                    && (f.ends_with(".png") || f.ends_with(".svg")))
        }
    };
    Ok(files.into_iter().find(|f| !written(f)))
}

/// Removes the temporary directories (`.{name}.tmp-{pid}` and their `.old`) that runs
/// into the same output left when they were killed: those of processes that no longer
/// exist. Only where `/proc` tells which processes live; best effort.
fn remove_stale_temps(temp: &Path) {
    let (Some(parent), Some(own)) = (temp.parent(), temp.file_name()) else {
        return;
    };
    let own = own.to_string_lossy();
    let Some((prefix, _)) = own.rsplit_once("tmp-") else {
        return;
    };
    let proc = Path::new("/proc");
    let (true, Ok(entries)) = (proc.join("self").exists(), fs::read_dir(parent)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name
            .strip_prefix(prefix)
            .and_then(|r| r.strip_prefix("tmp-"))
        else {
            continue;
        };
        let pid = rest.strip_suffix(".old").unwrap_or(rest);
        if pid.parse::<u32>().is_ok() && !proc.join(pid).exists() {
            let _ = remove(&entry.path());
        }
    }
}

fn remove(path: &Path) -> io::Result<()> {
    if fs::symlink_metadata(path)?.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names in `dir`, but the manifest.
    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != MANIFEST)
            .collect();
        names.sort();
        names
    }

    #[test]
    fn commit_moves_content_into_place() {
        let root = tempfile::tempdir().unwrap();
        let final_dir = root.path().join("nested/out/run");
        let out = OutputDir::create(&final_dir).unwrap();
        assert!(out.path().starts_with(root.path().join("nested/out")));
        assert!(!final_dir.exists());
        fs::write(out.path().join("summary.json"), "{}\n").unwrap();
        fs::create_dir(out.path().join("charts")).unwrap();
        out.commit().unwrap();
        assert_eq!(entries(&final_dir), ["charts", "summary.json"]);
        assert_eq!(entries(&root.path().join("nested/out")), ["run"]);
    }

    #[test]
    fn drop_without_commit_cleans_up() {
        let root = tempfile::tempdir().unwrap();
        let final_dir = root.path().join("out");
        let out = OutputDir::create(&final_dir).unwrap();
        let temp = out.path().to_path_buf();
        fs::write(temp.join("timeseries.csv"), "partial").unwrap();
        drop(out);
        assert!(!temp.exists());
        assert!(!final_dir.exists());
        assert!(entries(root.path()).is_empty());
    }

    #[test]
    fn replaces_a_previous_output() {
        let root = tempfile::tempdir().unwrap();
        let final_dir = root.path().join("out");
        fs::create_dir(&final_dir).unwrap();
        fs::write(final_dir.join("summary.json"), "old").unwrap();
        fs::write(final_dir.join("seeds.csv"), "old").unwrap();
        let out = OutputDir::create(&final_dir).unwrap();
        fs::write(out.path().join("summary.json"), "new").unwrap();
        out.commit().unwrap();
        assert_eq!(entries(&final_dir), ["summary.json"]);
        assert_eq!(
            fs::read_to_string(final_dir.join("summary.json")).unwrap(),
            "new"
        );
        assert_eq!(entries(root.path()), ["out"]);
    }

    #[test]
    fn replaces_an_empty_directory() {
        let root = tempfile::tempdir().unwrap();
        let final_dir = root.path().join("out");
        fs::create_dir(&final_dir).unwrap();
        let out = OutputDir::create(&final_dir).unwrap();
        fs::write(out.path().join("summary.json"), "new").unwrap();
        out.commit().unwrap();
        assert_eq!(entries(&final_dir), ["summary.json"]);
    }

    #[test]
    fn refuses_an_unrelated_directory() {
        let root = tempfile::tempdir().unwrap();
        let final_dir = root.path().join("home");
        fs::create_dir(&final_dir).unwrap();
        fs::write(final_dir.join("thesis.tex"), "precious").unwrap();
        let err = OutputDir::create(&final_dir).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AlreadyExists);
        assert!(err.to_string().contains("refusing"));
        assert_eq!(entries(&final_dir), ["thesis.tex"]);
        assert_eq!(entries(root.path()), ["home"]);
    }

    #[test]
    fn refuses_a_previous_output_holding_other_files() {
        let root = tempfile::tempdir().unwrap();
        let final_dir = root.path().join("proj");
        fs::create_dir(&final_dir).unwrap();
        fs::write(final_dir.join("summary.json"), "old").unwrap();
        fs::write(final_dir.join("notes.txt"), "precious").unwrap();
        let err = OutputDir::create(&final_dir).unwrap_err();
        assert!(err.to_string().contains("`notes.txt`"), "{err}");
        assert_eq!(entries(&final_dir), ["notes.txt", "summary.json"]);
    }

    #[test]
    fn a_failed_run_removes_the_parents_it_made() {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir(root.path().join("kept")).unwrap();
        let out = OutputDir::create(&root.path().join("kept/new/deeper/run")).unwrap();
        drop(out);
        assert_eq!(entries(root.path()), ["kept"]);
        assert!(entries(&root.path().join("kept")).is_empty());
    }

    #[test]
    fn refuses_at_commit_if_the_directory_appeared_meanwhile() {
        let root = tempfile::tempdir().unwrap();
        let final_dir = root.path().join("out");
        let out = OutputDir::create(&final_dir).unwrap();
        fs::create_dir(&final_dir).unwrap();
        fs::write(final_dir.join("notes.txt"), "precious").unwrap();
        let err = out.commit().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AlreadyExists);
        assert_eq!(entries(&final_dir), ["notes.txt"]);
        // The failed commit still removed the temporary directory.
        assert_eq!(entries(root.path()), ["out"]);
    }

    #[test]
    fn refuses_a_file() {
        let root = tempfile::tempdir().unwrap();
        let final_dir = root.path().join("out");
        fs::write(&final_dir, "a file").unwrap();
        assert!(OutputDir::create(&final_dir).is_err());
        assert_eq!(fs::read_to_string(&final_dir).unwrap(), "a file");
    }

    #[test]
    fn temp_dir_is_a_hidden_sibling() {
        let pid = std::process::id();
        assert_eq!(
            temp_path(Path::new("out")).unwrap(),
            Path::new(".").join(format!(".out.tmp-{pid}"))
        );
        assert_eq!(
            temp_path(Path::new("a/b/run")).unwrap(),
            Path::new("a/b").join(format!(".run.tmp-{pid}"))
        );
    }

    /// A committed output at `root/out` with a chart, as a run leaves it.
    fn previous_output(root: &Path) -> PathBuf {
        let final_dir = root.join("out");
        let out = OutputDir::create(&final_dir).unwrap();
        fs::write(out.path().join("summary.json"), "{}").unwrap();
        fs::create_dir(out.path().join("charts")).unwrap();
        fs::write(out.path().join("charts/base-concurrency.png"), "png").unwrap();
        out.commit().unwrap();
        final_dir
    }

    #[test]
    fn a_users_file_inside_charts_is_never_replaced() {
        let root = tempfile::tempdir().unwrap();
        let final_dir = previous_output(root.path());
        assert!(
            fs::read_to_string(final_dir.join(MANIFEST))
                .unwrap()
                .contains("charts/base-concurrency.png")
        );
        // The run's own files may be replaced...
        OutputDir::create(&final_dir).unwrap();
        // ...but not a slide someone put beside its charts, even one that looks like a chart.
        for name in ["slides.key", "mine.png"] {
            fs::write(final_dir.join("charts").join(name), "precious").unwrap();
            let err = OutputDir::create(&final_dir).unwrap_err();
            assert!(err.to_string().contains(name), "{err}");
            fs::remove_file(final_dir.join("charts").join(name)).unwrap();
        }
    }

    #[test]
    fn an_output_from_before_manifests_may_hold_only_charts_in_charts() {
        let root = tempfile::tempdir().unwrap();
        let final_dir = previous_output(root.path());
        fs::remove_file(final_dir.join(MANIFEST)).unwrap();
        OutputDir::create(&final_dir).unwrap();
        fs::write(final_dir.join("charts/notes.txt"), "precious").unwrap();
        assert!(OutputDir::create(&final_dir).is_err());
    }

    #[test]
    fn temporary_directories_of_dead_processes_are_removed() {
        let root = tempfile::tempdir().unwrap();
        // Pid 0 is never a user process; the pid of this test's own process lives.
        let dead = root.path().join(".out.tmp-0");
        let dead_old = root.path().join(".out.tmp-0.old");
        let other = root.path().join(".other.tmp-0");
        for dir in [&dead, &dead_old, &other] {
            fs::create_dir(dir).unwrap();
        }
        let out = OutputDir::create(&root.path().join("out")).unwrap();
        if Path::new("/proc/self").exists() {
            assert!(!dead.exists() && !dead_old.exists());
            assert!(
                other.exists(),
                "another output's temporaries are not ours to judge"
            );
        }
        assert!(out.path().exists());
    }

    #[test]
    fn no_name_is_an_error() {
        assert_eq!(
            OutputDir::create(Path::new("/")).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
    }
}
