//! Runs one benchmark scenario once over a short span and prints its invocations: the
//! program `benches/instructions.sh` counts instructions of under callgrind.
//!
//!     bench-once NAME SPAN_S

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [name, span] = args.as_slice() else {
        eprintln!("usage: bench-once NAME SPAN_S");
        return ExitCode::from(2);
    };
    let Ok(span) = span.parse::<u64>() else {
        eprintln!("bench-once: SPAN_S must be a whole number of seconds, not `{span}`");
        return ExitCode::from(2);
    };
    let variant = lambdasim_benches::load(name, Some(span));
    let summary = lambdasim_benches::run(&variant);
    println!("{}", summary.account.invocations);
    ExitCode::SUCCESS
}
