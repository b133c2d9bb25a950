//! `memory_scaling:`: the Invoke duration as measured at a reference memory, and how
//! much of it is CPU-bound (see `MemoryScaling` in the model).

use super::{Context, pick};
use crate::error::ScenarioError;
use crate::raw::RawMemoryScaling;
use lambdasim_model::{FunctionConfig, MemoryScaling};
use serde_saphyr::{Location, Spanned};

impl Context<'_> {
    /// Reads `memory_scaling`, each value checked against the model's range.
    pub(super) fn memory_scaling(
        &self,
        raw: &Spanned<RawMemoryScaling>,
        parent: Location,
    ) -> Result<MemoryScaling, ScenarioError> {
        let at = pick(raw.referenced, parent);
        let scaling = &raw.value;
        let reference_mb = self.in_range(
            &scaling.reference_mb,
            at,
            "reference_mb",
            FunctionConfig::MEMORY_MB_RANGE,
            " (MB, the memory the duration was measured at)",
        )?;
        let cpu_share = self.in_range(
            &scaling.cpu_share,
            at,
            "cpu_share",
            MemoryScaling::CPU_SHARE_RANGE,
            " (the CPU-bound share of the duration)",
        )?;
        let threads = match &scaling.threads {
            Some(threads) => self.in_range(
                threads,
                at,
                "threads",
                MemoryScaling::THREADS_RANGE,
                " (vCPUs the handler can keep busy)",
            )?,
            None => MemoryScaling::DEFAULT_THREADS,
        };
        Ok(MemoryScaling {
            reference_mb,
            cpu_share,
            threads,
        })
    }
}
