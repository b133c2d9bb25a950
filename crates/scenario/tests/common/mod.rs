//! Helpers shared by the integration tests: scenario files in a temporary directory.

#![allow(dead_code)]

use lambdasim_model::Arrival;
use lambdasim_scenario::{Scenario, ScenarioError, Variant};
use std::path::PathBuf;

/// A temporary directory holding a scenario and its traces.
pub struct Dir(pub tempfile::TempDir);

impl Dir {
    pub fn new() -> Self {
        Self(tempfile::tempdir().unwrap())
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, contents).unwrap();
        path
    }

    pub fn load(&self, yaml: &str) -> Result<Scenario, ScenarioError> {
        Scenario::load(&self.write("scenario.yaml", yaml))
    }
}

/// Loads `yaml` on its own, expecting success.
pub fn load(yaml: &str) -> Scenario {
    let dir = Dir::new();
    dir.load(yaml).unwrap_or_else(|e| panic!("{e}"))
}

/// Loads `yaml` on its own, expecting an error.
pub fn load_err(yaml: &str) -> ScenarioError {
    match Dir::new().load(yaml) {
        Ok(_) => panic!("expected an error for:\n{yaml}"),
        Err(e) => e,
    }
}

/// The only variant of a scenario without `variants:`.
pub fn base(scenario: &Scenario) -> Variant {
    let mut variants = scenario.variants(None);
    assert_eq!(variants.len(), 1);
    variants.pop().unwrap()
}

/// Every arrival of every stream of one run, stream by stream.
pub fn arrivals(variant: &Variant) -> Vec<Vec<Arrival>> {
    variant
        .traffic()
        .unwrap()
        .into_iter()
        .map(|mut t| std::iter::from_fn(|| t.source.next_arrival().unwrap()).collect())
        .collect()
}

/// Reads the variant's first stream in batches of 1, 7 and 64 through `next_batch`, as
/// the model reads it, and checks that every batch is full but the last and that the
/// arrivals are those read one at a time, which it returns.
pub fn same_in_batches(variant: &Variant, label: &str) -> Vec<Arrival> {
    let one_by_one = arrivals(variant).remove(0);
    for max in [1, 7, 64] {
        let mut source = variant.traffic().unwrap().remove(0).source;
        let mut batched = Vec::new();
        loop {
            let before = batched.len();
            source.next_batch(&mut batched, max).unwrap();
            let got = batched.len() - before;
            assert!(got <= max);
            if got < max {
                break;
            }
        }
        assert_eq!(batched, one_by_one, "{label}, batches of {max}");
    }
    one_by_one
}
