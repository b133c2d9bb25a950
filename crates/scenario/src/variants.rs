//! Variant overrides: `set: { dotted.path: value }` applied to the base scenario.
//!
//! Each value is parsed into the same type the base file uses for that setting, and
//! takes the `set:` entry's location, so a bad override, or a configuration it makes
//! invalid, is reported at the line that wrote it.

use crate::error::ScenarioError;
use crate::raw::{RawAccount, RawBilling, RawFunction, RawScaling, RawScenario, SetEntry};
use lambdasim_model::{ConfigError, Field};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_saphyr::{Location, Spanned};
use std::path::Path;

const TOP_KEYS: &str = "seed, duration, resolution, account.<key>, account.scaling.<key>, \
                        billing.<key> or functions.<function name>.<key>";

/// What a variant's `set:` (and `sweep:`) may change in one section of the scenario:
/// each key once, named as the raw struct's field it sets, with the short name a sweep
/// point's name gives it (`pc=20`). From this one list come the assignment (`set`),
/// the keys a message lists (`KEYS`), the short names (`SHORT`), and the test that
/// every field is there.
macro_rules! settable {
    ($section:ident, $raw:ty, [$($key:ident: $short:literal),* $(,)?]) => {
        struct $section;

        impl $section {
            const KEYS: &[&str] = &[$(stringify!($key)),*];
            const SHORT: &[(&str, &str)] = &[$((stringify!($key), $short)),*];

            /// Sets `key` from the entry's value; `false` for a key not in the list.
            fn set(setter: &Setter<'_>, raw: &mut $raw, key: &str) -> Result<bool, ScenarioError> {
                match key {
                    $(stringify!($key) => raw.$key = setter.optional()?,)*
                    _ => return Ok(false),
                }
                Ok(true)
            }
        }
    };
}

settable!(
    AccountKeys,
    RawAccount,
    [
        region: "region",
        concurrency_limit: "limit",
        unreserved_minimum: "unreserved",
        rps_per_environment: "rps",
        front_door: "gateway",
    ]
);
settable!(
    ScalingKeys,
    RawScaling,
    [
        mode: "scaling",
        burst: "burst",
        refill_per_second: "refill_s",
        refill_per_minute: "refill_m",
    ]
);
settable!(
    BillingKeys,
    RawBilling,
    [init: "bill_init", free_tier: "free_tier", pricing: "pricing"]
);
settable!(
    FunctionKeys,
    RawFunction,
    [
        memory_mb: "mem",
        memory_scaling: "mem_scaling",
        architecture: "arch",
        init_duration: "init",
        snapstart: "snapstart",
        duration: "dur",
        timeout: "timeout",
        idle_timeout: "idle",
        function_idle_timeout: "fn_idle",
        max_lifetime: "life",
        warm_start: "warm",
        reuse: "reuse",
        reserved_concurrency: "rc",
        provisioned_concurrency: "pc",
        invocation: "inv",
        max_event_age: "max_age",
        retry_attempts: "retries",
        error_rate: "err",
        client_retries: "client_retries",
        front_door: "route",
        ephemeral_storage_mb: "tmp_mb",
        traffic: "traffic",
    ]
);

/// The top-level keys `set:` accepts, with their short names.
const TOP_SHORT: &[(&str, &str)] = &[
    ("seed", "seed"),
    ("duration", "span"),
    ("resolution", "res"),
];

/// The short name a sweep point's name gives the settable `path` (`pc` for
/// `functions.checkout.provisioned_concurrency`), and the function it belongs to;
/// `None` for a path `set:` does not accept.
pub(crate) fn short_name(path: &str) -> Option<(Option<&str>, &'static str)> {
    let find = |table: &[(&str, &'static str)], key: &str| {
        table.iter().find(|(k, _)| *k == key).map(|(_, s)| *s)
    };
    match path.split_once('.') {
        None => find(TOP_SHORT, path).map(|s| (None, s)),
        Some(("account", key)) => match key.strip_prefix("scaling.") {
            Some(key) => find(ScalingKeys::SHORT, key),
            None => find(AccountKeys::SHORT, key),
        }
        .map(|s| (None, s)),
        Some(("billing", key)) => find(BillingKeys::SHORT, key).map(|s| (None, s)),
        Some(("functions", rest)) => {
            let (function, key) = rest.rsplit_once('.')?;
            find(FunctionKeys::SHORT, key).map(|s| (Some(function), s))
        }
        Some(_) => None,
    }
}

/// `keys` as a message lists them: "a, b or c".
fn listed(keys: &[&str]) -> String {
    match keys {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// An override that was applied: the setting it changed and where it was written.
#[derive(Clone, Debug)]
pub(crate) struct Applied {
    /// The function whose key it set, or `None` for a key outside `functions`.
    pub function: Option<String>,
    /// The key: a function's own (`reserved_concurrency`), else the whole path
    /// (`account.concurrency_limit`, `duration`).
    pub key: String,
    pub location: Location,
}

impl Applied {
    /// Whether this override set a setting the model's `error` is about (for the
    /// error's function, or any function when the error names none).
    pub(crate) fn caused(&self, error: &ConfigError) -> bool {
        let function_matches = match (&self.function, error.function()) {
            (Some(mine), Some(theirs)) => mine == theirs,
            _ => true,
        };
        function_matches && error.fields().iter().any(|field| self.sets(*field))
    }

    /// Whether this override set the model's `field`.
    fn sets(&self, field: Field) -> bool {
        match (field, &self.function) {
            (Field::Function(name), Some(_)) => yaml_key(name) == self.key,
            (Field::Account(name), None) => self.key.strip_prefix("account.") == Some(name),
            (Field::Run(name), None) => self.key == name,
            _ => false,
        }
    }
}

/// The scenario key that sets a model field: the same name, but for settings the file
/// writes flat or under another name (`async_config.retry_attempts` is written
/// `retry_attempts`, every `provisioning.…` under `provisioned_concurrency`).
fn yaml_key(field: &str) -> &str {
    match field.split_once('.') {
        Some(("async_config", key)) => key,
        Some(("provisioning", _)) => "provisioned_concurrency",
        Some(("client_retries", _)) => "client_retries",
        Some(("memory_scaling", _)) => "memory_scaling",
        _ => field,
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
            return Ok(Applied {
                function: Some(name.to_string()),
                key: key.to_string(),
                location: entry.path.referenced,
            });
        }
        Some(_) => return Err(setter.unknown(TOP_KEYS)),
    }
    Ok(Applied {
        function: None,
        key: path.to_string(),
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
        if AccountKeys::set(self, account, key)? {
            return Ok(());
        }
        let Some(key) = key.strip_prefix("scaling.") else {
            let keys = [AccountKeys::KEYS, &["scaling.<key>"]].concat();
            return Err(self.unknown(&listed(&keys)));
        };
        let scaling = account
            .scaling
            .get_or_insert_with(|| self.spanned(RawScaling::default()));
        if !ScalingKeys::set(self, &mut scaling.value, key)? {
            return Err(self.unknown(&listed(ScalingKeys::KEYS)));
        }
        Ok(())
    }

    fn billing(&self, billing: &mut RawBilling, key: &str) -> Result<(), ScenarioError> {
        if !BillingKeys::set(self, billing, key)? {
            return Err(self.unknown(&listed(BillingKeys::KEYS)));
        }
        Ok(())
    }

    fn function(&self, function: &mut RawFunction, key: &str) -> Result<(), ScenarioError> {
        if !FunctionKeys::set(self, function, key)? {
            return Err(self.unknown(&listed(FunctionKeys::KEYS)));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fields of a raw struct, as serde lists them when it refuses an unknown one.
    fn fields<T: DeserializeOwned>() -> Vec<String> {
        let err = serde_json::from_str::<T>(r#"{"no such field": 1}"#)
            .err()
            .expect("an unknown field is refused")
            .to_string();
        let expected = err
            .split("expected one of ")
            .nth(1)
            .expect("a list of fields");
        expected
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn every_setting_of_every_section_can_be_set_by_a_variant() {
        let without = |mut all: Vec<String>, skip: &[&str]| {
            all.retain(|f| !skip.contains(&f.as_str()));
            all
        };
        // A function's name is what `set:` addresses it by; scaling has keys of its own;
        // what was observed is the same whatever a variant changes.
        assert_eq!(
            without(fields::<RawFunction>(), &["name", "observed"]),
            FunctionKeys::KEYS
        );
        assert_eq!(
            without(fields::<RawAccount>(), &["scaling"]),
            AccountKeys::KEYS
        );
        assert_eq!(fields::<RawScaling>(), ScalingKeys::KEYS);
        assert_eq!(fields::<RawBilling>(), BillingKeys::KEYS);
    }

    #[test]
    fn every_key_has_a_short_name_used_by_no_other_key() {
        let mut seen = std::collections::HashSet::new();
        for table in [
            TOP_SHORT,
            AccountKeys::SHORT,
            ScalingKeys::SHORT,
            BillingKeys::SHORT,
            FunctionKeys::SHORT,
        ] {
            for (key, short) in table {
                assert!(seen.insert(*short), "`{short}` (for {key}) is used twice");
                assert!(
                    short.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                    "`{short}` is not a plain name"
                );
            }
        }
        assert_eq!(
            short_name("functions.checkout.provisioned_concurrency"),
            Some((Some("checkout"), "pc"))
        );
        assert_eq!(
            short_name("functions.a.b.memory_mb"),
            Some((Some("a.b"), "mem"))
        );
        assert_eq!(short_name("account.scaling.burst"), Some((None, "burst")));
        assert_eq!(short_name("duration"), Some((None, "span")));
        assert_eq!(short_name("account.nope"), None);
        assert_eq!(short_name("functions.memory_mb"), None);
    }

    #[test]
    fn keys_are_listed_as_a_sentence() {
        assert_eq!(listed(&["a"]), "a");
        assert_eq!(listed(&["a", "b", "c"]), "a, b or c");
    }
}
