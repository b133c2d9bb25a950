//! Variant overrides: `set: { dotted.path: value }` applied to the base scenario.
//!
//! Each value is parsed into the same type the base file uses for that setting, and
//! takes the `set:` entry's location, so a bad override, or a configuration it makes
//! invalid, is reported at the line that wrote it.

use crate::error::ScenarioError;
use crate::raw::{RawAccount, RawBilling, RawFunction, RawScaling, RawScenario, SetEntry};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_saphyr::{Location, Spanned};
use std::path::Path;

const TOP_KEYS: &str = "seed, duration, resolution, account.<key>, account.scaling.<key>, \
                        billing.<key> or functions.<function name>.<key>";
const ACCOUNT_KEYS: &str =
    "region, concurrency_limit, unreserved_minimum, rps_per_environment or scaling.<key>";
const SCALING_KEYS: &str = "mode, burst, refill_per_second or refill_per_minute";
const BILLING_KEYS: &str = "init, free_tier or pricing";
const FUNCTION_KEYS: &str = "memory_mb, architecture, init_duration, duration, timeout, \
                             idle_timeout, function_idle_timeout, max_lifetime, warm_start, reuse, reserved_concurrency, provisioned_concurrency, \
                             invocation, max_event_age, retry_attempts, error_rate, \
                             client_retries, ephemeral_storage_mb or traffic";

/// An override that was applied: its path and where it was written.
#[derive(Clone, Debug)]
pub(crate) struct Applied {
    pub path: String,
    pub location: Location,
}

impl Applied {
    /// The function whose setting this overrides, if any.
    pub(crate) fn function(&self) -> Option<&str> {
        let rest = self.path.strip_prefix("functions.")?;
        rest.rsplit_once('.').map(|(name, _)| name)
    }

    /// Whether it can change the unreserved pool (account limit and minimum, reserved
    /// and provisioned concurrency).
    pub(crate) fn affects_pool(&self) -> bool {
        matches!(
            self.path.as_str(),
            "account.concurrency_limit" | "account.unreserved_minimum"
        ) || (self.function().is_some()
            && (self.path.ends_with(".reserved_concurrency")
                || self.path.ends_with(".provisioned_concurrency")))
    }
}

/// Applies one `set:` entry to `raw`.
pub(crate) fn apply(
    raw: &mut RawScenario,
    entry: &SetEntry,
    file: &Path,
) -> Result<Applied, ScenarioError> {
    let setter = Setter { entry, file };
    let path = entry.path.value.as_str();
    match path.split_once('.') {
        None => match path {
            "seed" => raw.seed = setter.optional()?,
            "duration" => raw.duration = setter.required()?,
            "resolution" => raw.resolution = setter.optional()?,
            _ => return Err(setter.unknown(TOP_KEYS)),
        },
        Some(("account", key)) => {
            let account = raw
                .account
                .get_or_insert_with(|| setter.spanned(RawAccount::default()));
            setter.account(&mut account.value, key)?;
        }
        Some(("billing", key)) => {
            let billing = raw
                .billing
                .get_or_insert_with(|| setter.spanned(RawBilling::default()));
            setter.billing(&mut billing.value, key)?;
        }
        Some(("functions", rest)) => {
            let Some((name, key)) = rest.rsplit_once('.') else {
                return Err(setter.unknown(TOP_KEYS));
            };
            let functions = &mut raw.functions.value;
            let known: Vec<String> = functions
                .iter()
                .map(|f| format!("`{}`", f.value.name.value))
                .collect();
            let Some(function) = functions.iter_mut().find(|f| f.value.name.value == name) else {
                return Err(setter.at_path(format!(
                    "found unknown function `{name}` in `{path}`, expected one of {}",
                    known.join(", ")
                )));
            };
            setter.function(&mut function.value, key)?;
        }
        Some(_) => return Err(setter.unknown(TOP_KEYS)),
    }
    Ok(Applied {
        path: path.to_string(),
        location: entry.path.referenced,
    })
}

struct Setter<'a> {
    entry: &'a SetEntry,
    file: &'a Path,
}

impl Setter<'_> {
    fn at_path(&self, message: String) -> ScenarioError {
        ScenarioError::yaml(self.file, self.entry.path.referenced, message)
    }

    fn unknown(&self, expected: &str) -> ScenarioError {
        self.at_path(format!(
            "found unknown setting `{}`, expected {expected}",
            self.entry.path.value
        ))
    }

    fn location(&self) -> Location {
        let value = self.entry.value.referenced;
        if value.line() == 0 {
            self.entry.path.referenced
        } else {
            value
        }
    }

    fn spanned<T>(&self, value: T) -> Spanned<T> {
        Spanned::new(value, self.location(), self.location())
    }

    /// The value, which must not be null.
    fn required<T: DeserializeOwned>(&self) -> Result<Spanned<T>, ScenarioError> {
        T::deserialize(&self.entry.value.value)
            .map(|v| self.spanned(v))
            .map_err(|e| self.bad_value(&e))
    }

    /// The value; null restores the default.
    fn optional<T: DeserializeOwned>(&self) -> Result<Option<Spanned<T>>, ScenarioError> {
        Option::<T>::deserialize(&self.entry.value.value)
            .map(|v| v.map(|v| self.spanned(v)))
            .map_err(|e| self.bad_value(&e))
    }

    fn bad_value(&self, error: &serde_json::Error) -> ScenarioError {
        ScenarioError::yaml(
            self.file,
            self.location(),
            format!("bad value for `{}`: {error}", self.entry.path.value),
        )
    }

    fn account(&self, account: &mut RawAccount, key: &str) -> Result<(), ScenarioError> {
        match key {
            "region" => account.region = self.optional()?,
            "concurrency_limit" => account.concurrency_limit = self.optional()?,
            "unreserved_minimum" => account.unreserved_minimum = self.optional()?,
            "rps_per_environment" => account.rps_per_environment = self.optional()?,
            _ => {
                let Some(key) = key.strip_prefix("scaling.") else {
                    return Err(self.unknown(ACCOUNT_KEYS));
                };
                let scaling = account
                    .scaling
                    .get_or_insert_with(|| self.spanned(RawScaling::default()));
                let scaling = &mut scaling.value;
                match key {
                    "mode" => scaling.mode = self.optional()?,
                    "burst" => scaling.burst = self.optional()?,
                    "refill_per_second" => scaling.refill_per_second = self.optional()?,
                    "refill_per_minute" => scaling.refill_per_minute = self.optional()?,
                    _ => return Err(self.unknown(SCALING_KEYS)),
                }
            }
        }
        Ok(())
    }

    fn billing(&self, billing: &mut RawBilling, key: &str) -> Result<(), ScenarioError> {
        match key {
            "init" => billing.init = self.optional()?,
            "free_tier" => billing.free_tier = self.optional()?,
            "pricing" => billing.pricing = self.optional()?,
            _ => return Err(self.unknown(BILLING_KEYS)),
        }
        Ok(())
    }

    fn function(&self, function: &mut RawFunction, key: &str) -> Result<(), ScenarioError> {
        match key {
            "memory_mb" => function.memory_mb = self.optional()?,
            "architecture" => function.architecture = self.optional()?,
            "init_duration" => function.init_duration = self.optional()?,
            "duration" => function.duration = self.optional()?,
            "timeout" => function.timeout = self.optional()?,
            "idle_timeout" => function.idle_timeout = self.optional()?,
            "function_idle_timeout" => function.function_idle_timeout = self.optional()?,
            "max_lifetime" => function.max_lifetime = self.optional()?,
            "warm_start" => function.warm_start = self.optional()?,
            "reuse" => function.reuse = self.optional()?,
            "reserved_concurrency" => function.reserved_concurrency = self.optional()?,
            "provisioned_concurrency" => function.provisioned_concurrency = self.optional()?,
            "invocation" => function.invocation = self.optional()?,
            "max_event_age" => function.max_event_age = self.optional()?,
            "retry_attempts" => function.retry_attempts = self.optional()?,
            "error_rate" => function.error_rate = self.optional()?,
            "client_retries" => function.client_retries = self.optional()?,
            "ephemeral_storage_mb" => function.ephemeral_storage_mb = self.optional()?,
            "traffic" => function.traffic = self.optional()?,
            _ => return Err(self.unknown(FUNCTION_KEYS)),
        }
        Ok(())
    }
}
