//! `lambdasim merge`: the shards of one command (`run --shard`), checked against each
//! other and the scenario, written out as the whole command writes on one machine.

use crate::args::MergeArgs;
use crate::error::CliError;
use crate::interrupt::Interrupt;
use crate::run::{Finish, finish, open_out, select};
use lambdasim_report::merge::{check, combine};
use lambdasim_report::shard::{Identity, MergeError, ShardDir, fingerprint, read_results};
use lambdasim_scenario::{Scenario, SetArg, Variant};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Reads every shard, refuses any set that is not all the shards of one command, and
/// writes the outputs (exit status 3 when no configuration meets the `slo:`, as `run`).
pub fn merge(args: &MergeArgs) -> Result<(), CliError> {
    let interrupt = Interrupt::install(&Arc::new(AtomicBool::new(false)));
    let shards = args
        .dirs
        .iter()
        .map(|dir| read_results(dir, env!("CARGO_PKG_VERSION")))
        .collect::<Result<Vec<ShardDir>, _>>()
        .map_err(CliError::Merge)?;
    check(&shards).map_err(CliError::Merge)?;
    let identity = shards[0].results.identity.clone();
    let (scenario, variants) = scenario_of(&identity)?;
    let every: Vec<usize> = (0..variants.len()).collect();
    let parts = shards.into_iter().flat_map(|shard| {
        let dir = shard.dir;
        shard
            .results
            .parts
            .into_iter()
            .map(move |part| (dir.clone(), part))
    });
    let ran = combine(parts, &every, identity.seeds, identity.charts).map_err(CliError::Merge)?;
    let out = open_out(args.out.as_deref(), &scenario, &interrupt)?;
    let how = Finish {
        scenario: &scenario,
        all: &variants,
        seeds: identity.seeds,
        charts: identity.charts,
        quiet: args.quiet,
        started: None,
    };
    finish(out, &how, ran, None, &interrupt)
}

/// The shards' scenario, read again from its file with their arguments, and its
/// configurations: refused if the file's text, the configurations it gives or the
/// inputs it reads (its trace files) changed since the shards ran.
fn scenario_of(identity: &Identity) -> Result<(Scenario, Vec<Variant>), CliError> {
    let changed = |what: String| {
        CliError::Merge(MergeError::ScenarioChanged {
            scenario: identity.scenario.display().to_string(),
            what,
        })
    };
    let sets = identity
        .sets
        .iter()
        .map(|text| text.parse::<SetArg>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(changed)?;
    let scenario = Scenario::load_deferring_traces_with(&identity.scenario, &sets)?;
    if fingerprint(&scenario.source_text) != identity.fingerprint {
        return Err(changed("its text differs".into()));
    }
    let variants = select(scenario.variants(identity.seed), &identity.variants)?;
    let names: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
    if names != identity.configurations {
        return Err(changed("its configurations differ".into()));
    }
    if crate::run::inputs(&scenario, &variants)? != identity.inputs {
        return Err(changed(
            "its inputs differ: a trace file, an observed series or a configuration as resolved (observed durations)"
                .into(),
        ));
    }
    Ok((scenario, variants))
}
