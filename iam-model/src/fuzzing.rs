//! Invariants checked by the fuzz targets in `fuzz/` and by tests over `fuzz/corpus/`.
//!
//! Each function takes arbitrary bytes and panics only when an invariant of this crate is
//! broken, which is what a fuzzer looks for. Bad input itself must never panic.
#![expect(
    clippy::panic,
    reason = "a broken invariant is what the fuzzer must see"
)]

use crate::policy::{Policy, PolicyKind, kind::Identity};
use crate::validate::check_policy_json;

/// Checking arbitrary text as every policy kind never panics; a policy that reads as an
/// identity policy prints to JSON that reads back equal, in pretty and compact form.
pub fn policy_roundtrip(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for kind in PolicyKind::ALL {
        let _ = check_policy_json(text, kind);
    }
    if let Ok(policy) = Policy::<Identity>::from_json(text) {
        for printed in [policy.to_json_pretty(), policy.to_json_compact()] {
            match Policy::<Identity>::from_json(&printed) {
                Ok(again) if again == policy => {}
                Ok(_) => panic!("round trip changed the policy: {printed}"),
                Err(e) => panic!("printed policy does not read back: {e}: {printed}"),
            }
        }
        let canonical = policy.clone().canonical();
        if canonical.clone().canonical() != canonical {
            panic!("canonical form is not idempotent");
        }
    }
}

/// Reading arbitrary text as a model file never panics; a model that reads prints to JSON
/// that reads back equal and prints to the same bytes, and validating it never panics.
pub fn parse_model(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(model) = crate::model::Model::from_json(text) else {
        return;
    };
    let printed = model.to_json();
    match crate::model::Model::from_json(&printed) {
        Ok(again) if again == model => {
            if again.to_json() != printed {
                panic!("printing is not stable: {printed}");
            }
        }
        Ok(_) => panic!("round trip changed the model: {printed}"),
        Err(e) => panic!("printed model does not read back: {e}: {printed}"),
    }
    let _ = crate::validate::validate(&model);
}

/// Wildcard matching agrees with itself under the identities it must keep: a text matches
/// itself when it holds no wildcard, `*` matches everything, and case-insensitive matching
/// accepts whatever case-sensitive matching accepts.
pub fn wildcard_match(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (pattern, value) = text.split_once('\n').unwrap_or((text, text));
    let exact = crate::wildcard::matches(pattern, value);
    if exact && !crate::wildcard::matches_ignore_case(pattern, value) {
        panic!("case-insensitive matching rejected a case-sensitive match: {pattern:?} {value:?}");
    }
    if !crate::wildcard::matches("*", value) {
        panic!("`*` did not match {value:?}");
    }
    if !value.contains(['*', '?']) && !crate::wildcard::matches(value, value) {
        panic!("{value:?} does not match itself");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invariants_hold_on_samples() {
        policy_roundtrip(br#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#);
        policy_roundtrip(b"{\"Statement\":[{]}");
        policy_roundtrip(&[0xff, 0xfe]);
        wildcard_match(b"a*c\nabc");
        wildcard_match("ü?\nÜx".as_bytes());
    }
}
