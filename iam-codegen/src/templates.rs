//! Handlebars templates for the text artifacts. The defaults live in `templates/` and are
//! embedded in the binary; a team can replace any of them by name (`--templates DIR` on the
//! command line, [`Templates::with_overrides`] in code). Strict mode is on and handlebars'
//! own HTML escaping is off: model text is data, and each template writes it through the
//! helper of its format, the functions of [`crate::escape`]:
//!
//! | helper | format | function |
//! |---|---|---|
//! | `{{ini x}}` | an INI value or section name (`aws-config/*`) | [`escape::ini_value`](crate::escape::ini_value): refuses what INI cannot hold, the render fails |
//! | `{{ini_comment x}}` | text in an INI comment line | [`escape::ini_comment`](crate::escape::ini_comment) |
//! | `{{md x}}` | Markdown text and table cells (`docs/*`, `terraform/README.md.hbs`) | [`escape::markdown`](crate::escape::markdown) |
//! | `{{md_code x}}` | Markdown inline code | [`escape::markdown_code`](crate::escape::markdown_code) |
//! | `{{sh x}}` | a bash word (`aws-cli/*`) | [`escape::shell_word`](crate::escape::shell_word): refuses NUL, the render fails |
//! | `{{json x}}` | a JSON value | `serde_json` |
//!
//! While a template is the embedded default, its emitter writes the same bytes without
//! handlebars (Rust code calling these same functions, which is several times faster on large
//! organizations); handlebars renders a template that is overridden, and any context the
//! direct writer does not expect. A test compares both writers' bytes for every example.
//!
//! A `{{x}}` without a helper writes the value as it is: the emitters use that only for
//! fragments they built with the same functions (documented per context field, e.g.
//! `command` of the shell script, `flags` and `policies` of `ACCESS.md`).
//!
//! ```
//! use iam_codegen::templates::Templates;
//! use std::collections::BTreeMap;
//! let t = Templates::with_overrides(BTreeMap::from([(
//!     "aws-config/profile.hbs".to_string(),
//!     "# {{ini_comment note}}\n[profile {{ini name}}]\n".to_string(),
//! )]))?;
//! let text = t.render("aws-config/profile.hbs", serde_json::json!({"note": "a\n[default]", "name": "dev"}))?;
//! assert_eq!(text, "# a\\u{a}[default]\n[profile dev]\n");
//! let err = t.render("aws-config/profile.hbs", serde_json::json!({"note": "", "name": "dev]\n[default"})).unwrap_err();
//! assert!(std::error::Error::source(&err).unwrap().to_string().contains("cannot be an INI value"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ```
//! use std::collections::BTreeMap;
//! use iam_codegen::templates::Templates;
//! let names: Vec<&str> = Templates::default().names().collect();
//! assert!(names.iter().all(|n| n.ends_with(".hbs")));
//! let err = Templates::with_overrides(BTreeMap::from([("nope.hbs".to_string(), String::new())])).unwrap_err();
//! assert!(err.to_string().starts_with("there is no template `nope.hbs`"));
//! ```
use std::collections::BTreeMap;

use handlebars::Handlebars;

use crate::emit::EmitError;

/// The embedded templates: name (its path under `templates/`) and text. Targets add their
/// templates here.
const EMBEDDED: &[(&str, &str)] = &[
    (
        "aws-cli/iam-users.sh.hbs",
        include_str!("../../templates/aws-cli/iam-users.sh.hbs"),
    ),
    (
        "aws-config/config.hbs",
        include_str!("../../templates/aws-config/config.hbs"),
    ),
    (
        "aws-config/profile.hbs",
        include_str!("../../templates/aws-config/profile.hbs"),
    ),
    (
        "docs/ACCESS.md.hbs",
        include_str!("../../templates/docs/ACCESS.md.hbs"),
    ),
    (
        "terraform/README.md.hbs",
        include_str!("../../templates/terraform/README.md.hbs"),
    ),
];

/// The template set: the embedded defaults, with overrides.
#[derive(Debug, Clone)]
pub struct Templates {
    texts: BTreeMap<&'static str, String>,
    // Built on the first render and reused: parsing every template per artifact is what a
    // 500-account model would otherwise spend its time on.
    registry: std::sync::OnceLock<Handlebars<'static>>,
    // Tests compare the direct writers with handlebars: this turns the direct writers off.
    handlebars_only: bool,
}

impl Default for Templates {
    fn default() -> Self {
        Self {
            texts: EMBEDDED
                .iter()
                .map(|(n, t)| (*n, (*t).to_string()))
                .collect(),
            registry: std::sync::OnceLock::new(),
            handlebars_only: false,
        }
    }
}

/// Errors from setting up templates.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// An override names no template.
    #[error("there is no template `{name}`; the templates are: {known}")]
    Unknown {
        /// The name given.
        name: String,
        /// The known names, comma-separated.
        known: String,
    },
    /// A template does not parse.
    #[error("template `{name}` does not parse")]
    Parse {
        /// The name.
        name: String,
        /// The parser's error.
        #[source]
        source: Box<handlebars::TemplateError>,
    },
}

impl Templates {
    /// The embedded templates with some replaced; each override must name an embedded
    /// template, and every template must parse.
    pub fn with_overrides(overrides: BTreeMap<String, String>) -> Result<Self, TemplateError> {
        let mut templates = Self::default();
        for (name, text) in overrides {
            let Some(slot) = templates
                .texts
                .iter_mut()
                .find(|(n, _)| **n == name)
                .map(|(_, t)| t)
            else {
                let known = templates.names().collect::<Vec<_>>().join(", ");
                return Err(TemplateError::Unknown { name, known });
            };
            *slot = text;
        }
        let registry = templates.registry()?;
        templates.registry = std::sync::OnceLock::from(registry);
        Ok(templates)
    }

    /// Whether the template `name` is the embedded default (not overridden): its output is
    /// then what the emitters' direct writers produce without handlebars.
    pub(crate) fn is_default(&self, name: &str) -> bool {
        match (
            self.texts.get(name),
            EMBEDDED.iter().find(|(n, _)| *n == name),
        ) {
            (Some(text), Some((_, embedded))) => !self.handlebars_only && text == embedded,
            _ => false,
        }
    }

    /// The default templates, every one rendered by handlebars (no direct writer).
    #[cfg(test)]
    pub(crate) fn handlebars_only() -> Self {
        Self {
            handlebars_only: true,
            ..Self::default()
        }
    }

    /// The template names.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.texts.keys().copied()
    }

    fn registry(&self) -> Result<Handlebars<'static>, TemplateError> {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        hb.register_escape_fn(handlebars::no_escape);
        hb.register_helper("json", Box::new(json_helper));
        hb.register_helper("ini", Box::new(ini_helper));
        hb.register_helper("ini_comment", Box::new(ini_comment_helper));
        hb.register_helper("md", Box::new(md_helper));
        hb.register_helper("md_code", Box::new(md_code_helper));
        hb.register_helper("sh", Box::new(sh_helper));
        for (name, text) in &self.texts {
            hb.register_template_string(name, text)
                .map_err(|e| TemplateError::Parse {
                    name: (*name).to_string(),
                    source: Box::new(e),
                })?;
        }
        Ok(hb)
    }

    /// Render one template with a context. The context is taken by value: handlebars reads
    /// it in place instead of serialising a copy.
    pub fn render(&self, name: &str, context: serde_json::Value) -> Result<String, EmitError> {
        let hb = match self.registry.get() {
            Some(hb) => hb,
            None => {
                let built = self.registry().map_err(|e| EmitError::TemplateOutput {
                    name: name.to_string(),
                    reason: e.to_string(),
                })?;
                self.registry.get_or_init(|| built)
            }
        };
        #[cfg(test)]
        RENDERED.with(|r| r.borrow_mut().push(name.to_string()));
        hb.render_with_context(name, &handlebars::Context::from(context))
            .map_err(|source| EmitError::Template {
                name: name.to_string(),
                source: Box::new(source),
            })
    }
}

#[cfg(test)]
thread_local! {
    /// The templates handlebars rendered on this thread, for tests.
    pub(crate) static RENDERED: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn json_helper(
    h: &handlebars::Helper<'_>,
    _: &Handlebars<'_>,
    _: &handlebars::Context,
    _: &mut handlebars::RenderContext<'_, '_>,
    out: &mut dyn handlebars::Output,
) -> handlebars::HelperResult {
    let value = h
        .param(0)
        .map(|p| p.value().clone())
        .unwrap_or(serde_json::Value::Null);
    let text = serde_json::to_string(&value)
        .map_err(|e| handlebars::RenderErrorReason::Other(e.to_string()))?;
    out.write(&text)?;
    Ok(())
}

/// The text of a helper's one parameter: a string as it is, a number or boolean as JSON
/// writes it; anything else (a missing value, a list, an object) is an error.
/// Borrowed: a helper call per table cell of a large document should not copy the text.
fn text_param<'a>(
    h: &'a handlebars::Helper<'_>,
) -> Result<std::borrow::Cow<'a, str>, handlebars::RenderError> {
    match h.param(0).map(handlebars::PathAndJson::value) {
        Some(serde_json::Value::String(s)) => Ok(std::borrow::Cow::Borrowed(s.as_str())),
        Some(v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) => {
            Ok(std::borrow::Cow::Owned(v.to_string()))
        }
        _ => Err(handlebars::RenderErrorReason::Other(format!(
            "helper `{}` takes one text value",
            h.name()
        ))
        .into()),
    }
}

/// Define a helper that writes its parameter through an escaping function of
/// [`crate::escape`] (`Result` for the ones that can refuse).
macro_rules! escape_helper {
    ($name:ident, |$t:ident| $body:expr) => {
        fn $name(
            h: &handlebars::Helper<'_>,
            _: &Handlebars<'_>,
            _: &handlebars::Context,
            _: &mut handlebars::RenderContext<'_, '_>,
            out: &mut dyn handlebars::Output,
        ) -> handlebars::HelperResult {
            let $t = text_param(h)?;
            let text: Result<std::borrow::Cow<'_, str>, crate::escape::EscapeError> = $body;
            let text = text.map_err(|e| handlebars::RenderErrorReason::Other(e.to_string()))?;
            out.write(&text)?;
            Ok(())
        }
    };
}

escape_helper!(ini_helper, |t| crate::escape::ini_value(&t)
    .map(std::borrow::Cow::Borrowed));
escape_helper!(ini_comment_helper, |t| Ok(crate::escape::ini_comment(&t)));
escape_helper!(md_helper, |t| Ok(crate::escape::markdown(&t)));
escape_helper!(md_code_helper, |t| Ok(crate::escape::markdown_code(&t)));
escape_helper!(sh_helper, |t| crate::escape::shell_word(&t)
    .map(std::borrow::Cow::Owned));
