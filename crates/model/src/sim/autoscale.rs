//! Target tracking for provisioned concurrency, as Application Auto Scaling does it
//! for Lambda: one-minute average utilisation datapoints; scale out after 3
//! consecutive datapoints above the target, scale in after 15 consecutive datapoints
//! below 90% of it; no datapoint (and so no scale-in) without traffic. Sources:
//! "Configuring provisioned concurrency for a function" and the Application Auto
//! Scaling target-tracking pages, listed in `docs/model.md` ("Autoscaling", Sources).

use crate::config::AutoscalingConfig;
use lambdasim_engine::Nanos;

/// Consecutive datapoints above the target before scaling out (the alarm AWS creates).
const OUT_DATAPOINTS: u32 = 3;
/// Consecutive datapoints below 90% of the target before scaling in (the alarm AWS creates,
/// as observed: `docs/model.md`, "Autoscaling").
const IN_DATAPOINTS: u32 = 15;
/// The scale-in alarm's threshold as a share of the target (the alarm AWS creates).
const IN_THRESHOLD: f64 = 0.9;
/// Largest share of capacity removed by one scale-in step: AWS scales in "in smaller
/// periodic steps" (Application Auto Scaling User Guide, target tracking); the exact size is not documented.
const IN_STEP_SHARE: f64 = 0.1;

/// The alarm state of one function's target-tracking policy.
#[derive(Clone, Debug)]
pub(crate) struct Tracker {
    config: AutoscalingConfig,
    above: u32,
    below: u32,
    last_out: Option<Nanos>,
    last_in: Option<Nanos>,
}

impl Tracker {
    pub(crate) fn new(config: AutoscalingConfig) -> Self {
        Self {
            config,
            above: 0,
            below: 0,
            last_out: None,
            last_in: None,
        }
    }

    /// The capacity autoscaling starts from.
    pub(crate) fn initial(&self, configured: u32) -> u32 {
        configured.clamp(self.config.min, self.config.max)
    }

    /// Takes one minute's datapoint (`None`: no traffic, so no datapoint) at `now` for
    /// a function with `allocated` provisioned environments, and returns a new desired
    /// capacity when the policy acts.
    pub(crate) fn observe(
        &mut self,
        now: Nanos,
        utilization: Option<f64>,
        allocated: u32,
    ) -> Option<u32> {
        let Some(u) = utilization else {
            // Missing data breaks both alarms' runs of consecutive datapoints.
            self.above = 0;
            self.below = 0;
            return None;
        };
        let target = self.config.target_utilization;
        self.above = if u > target { self.above + 1 } else { 0 };
        self.below = if u < IN_THRESHOLD * target {
            self.below + 1
        } else {
            0
        };
        let wanted = ((f64::from(allocated) * u / target).ceil() as u32)
            .clamp(self.config.min, self.config.max);
        if self.above >= OUT_DATAPOINTS
            && wanted > allocated
            && cooled(self.last_out, self.config.scale_out_cooldown, now)
        {
            self.above = 0;
            self.last_out = Some(now);
            return Some(wanted);
        }
        if self.below >= IN_DATAPOINTS
            && wanted < allocated
            && cooled(self.last_in, self.config.scale_in_cooldown, now)
        {
            self.last_in = Some(now);
            let step = ((f64::from(allocated) * IN_STEP_SHARE) as u32).max(1);
            return Some(
                wanted
                    .max(allocated - step.min(allocated))
                    .max(self.config.min),
            );
        }
        None
    }
}

fn cooled(last: Option<Nanos>, cooldown: Nanos, now: Nanos) -> bool {
    last.is_none_or(|t| now >= t.saturating_add(cooldown))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambdasim_engine::NANOS_PER_SEC;

    const MIN: Nanos = 60 * NANOS_PER_SEC;

    fn tracker() -> Tracker {
        Tracker::new(AutoscalingConfig {
            min: 10,
            max: 800,
            target_utilization: 0.7,
            scale_out_cooldown: 0,
            scale_in_cooldown: 0,
        })
    }

    #[test]
    fn scales_out_after_three_minutes_above_target() {
        let mut t = tracker();
        assert_eq!(t.observe(MIN, Some(1.0), 100), None);
        assert_eq!(t.observe(2 * MIN, Some(1.0), 100), None);
        // ceil(100 × 1.0 / 0.7) = 143.
        assert_eq!(t.observe(3 * MIN, Some(1.0), 100), Some(143));
    }

    #[test]
    fn a_dip_restarts_the_count() {
        let mut t = tracker();
        t.observe(MIN, Some(1.0), 100);
        t.observe(2 * MIN, Some(0.5), 100);
        t.observe(3 * MIN, Some(1.0), 100);
        assert_eq!(t.observe(4 * MIN, Some(1.0), 100), None);
        assert_eq!(t.observe(5 * MIN, Some(1.0), 100), Some(143));
    }

    #[test]
    fn scales_in_gradually_after_fifteen_minutes_below() {
        let mut t = tracker();
        for m in 1..15 {
            assert_eq!(t.observe(m * MIN, Some(0.1), 100), None, "minute {m}");
        }
        assert_eq!(t.observe(15 * MIN, Some(0.1), 100), Some(90), "10% step");
        assert_eq!(t.observe(16 * MIN, Some(0.1), 90), Some(81));
    }

    #[test]
    fn no_datapoints_means_no_scale_in() {
        let mut t = tracker();
        for m in 1..100 {
            assert_eq!(t.observe(m * MIN, None, 100), None);
        }
    }

    #[test]
    fn respects_min_max_and_cooldowns() {
        let mut t = Tracker::new(AutoscalingConfig {
            scale_out_cooldown: 10 * MIN,
            ..tracker().config
        });
        for m in 1..=2 {
            t.observe(m * MIN, Some(0.9), 700);
        }
        assert_eq!(
            t.observe(3 * MIN, Some(0.9), 700),
            Some(800),
            "clamped to max"
        );
        // ceil(500 × 0.9 / 0.7) = 643 would be a scale-out, but not during the cooldown.
        for m in 4..=12 {
            assert_eq!(
                t.observe(m * MIN, Some(0.9), 500),
                None,
                "cooling down at minute {m}"
            );
        }
        assert_eq!(t.observe(13 * MIN, Some(0.9), 500), Some(643));
        assert_eq!(t.initial(0), 10);
        assert_eq!(t.initial(5000), 800);
    }
}
