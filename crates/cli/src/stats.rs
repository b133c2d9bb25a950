//! `--stats`: how fast a run went and how much memory it took.

use std::time::Duration;

/// The process's peak resident memory in bytes, where the OS tells (Linux).
pub fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// One line: invocations, events, wall time, invocations per second, peak memory.
pub fn line(invocations: u64, events: u64, wall: Duration) -> String {
    let secs = wall.as_secs_f64().max(1e-9);
    let memory = peak_memory_bytes()
        .map(|b| format!("{:.1} MB", b as f64 / 1e6))
        .unwrap_or_else(|| "unknown".into());
    format!(
        "stats: {invocations} invocations, {events} events, {secs:.3} s wall, {:.0} invocations/s, peak memory {memory}",
        invocations as f64 / secs
    )
}
