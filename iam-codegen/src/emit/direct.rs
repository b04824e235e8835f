//! Writing the output of a default template without handlebars: the context is the same
//! JSON value the template would get, read with handlebars' rules, and every value goes
//! through the same function of [`crate::escape`] as the template's helper. A writer returns
//! `None` when the context holds anything it does not expect (a missing field, a value of
//! another type, a value the helper refuses): the template then renders it, so the bytes
//! and the errors are always those of handlebars. A test compares both for every example.
use std::borrow::Cow;

use serde_json::Value;

use crate::escape::{markdown, markdown_code, shell_word};

/// An output being written; each method is a template's `{{…}}` or block.
pub(crate) struct Writer {
    pub(crate) out: String,
}

/// A field of an object (`None`: not an object, or no such field).
pub(crate) fn field<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    value.get(key)
}

/// A list field, for `{{#each key}}`.
pub(crate) fn list<'v>(value: &'v Value, key: &str) -> Option<&'v [Value]> {
    field(value, key)?.as_array().map(Vec::as_slice)
}

/// Whether a field is true for `{{#if key}}` (handlebars' rule: `false`, `null`, `0`, `""`,
/// `[]` and `{}` are false).
pub(crate) fn truthy(value: &Value, key: &str) -> Option<bool> {
    Some(match field(value, key)? {
        Value::Bool(b) => *b,
        Value::Null => false,
        Value::Number(n) => n.as_f64().is_some_and(f64::is_normal),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    })
}

/// The text a helper takes (`text_param` of the templates): a string as it is, a number or
/// boolean as JSON writes it.
fn text(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(s) => Some(Cow::Borrowed(s.as_str())),
        Value::Number(_) | Value::Bool(_) => Some(Cow::Owned(value.to_string())),
        _ => None,
    }
}

impl Writer {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            out: String::with_capacity(capacity),
        }
    }

    /// Literal template text.
    pub(crate) fn lit(&mut self, text: &str) -> &mut Self {
        self.out.push_str(text);
        self
    }

    /// `{{key}}` of a text the emitter built already escaped (strings only).
    pub(crate) fn raw(&mut self, value: &Value, key: &str) -> Option<&mut Self> {
        self.out.push_str(field(value, key)?.as_str()?);
        Some(self)
    }

    /// `{{md key}}`.
    pub(crate) fn md(&mut self, value: &Value, key: &str) -> Option<&mut Self> {
        self.md_value(field(value, key)?)
    }

    /// `{{md this}}`.
    pub(crate) fn md_value(&mut self, value: &Value) -> Option<&mut Self> {
        self.out.push_str(&markdown(&text(value)?));
        Some(self)
    }

    /// `{{md_code key}}`.
    pub(crate) fn code(&mut self, value: &Value, key: &str) -> Option<&mut Self> {
        self.code_value(field(value, key)?)
    }

    /// `{{md_code this}}`.
    pub(crate) fn code_value(&mut self, value: &Value) -> Option<&mut Self> {
        self.out.push_str(&markdown_code(&text(value)?));
        Some(self)
    }

    /// `{{sh key}}`.
    pub(crate) fn sh(&mut self, value: &Value, key: &str) -> Option<&mut Self> {
        self.out
            .push_str(&shell_word(&text(field(value, key)?)?).ok()?);
        Some(self)
    }
}
