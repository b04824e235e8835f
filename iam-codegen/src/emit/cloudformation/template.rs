//! The template model: resources whose properties may point at other resources, laid out
//! into one template (or, past CloudFormation's quotas, numbered parts), then serialised.
//!
//! A pointer ([`Link`]) becomes `Ref`/`Fn::GetAtt` when its target is in the same template,
//! and its fallback otherwise: a value computed from the model (a name, an ARN built from the
//! account id) or, for ids only AWS knows (OU ids, Identity Store group ids, permission set
//! ARNs), an `Fn::ImportValue` of an output that the earlier part exports.
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::emit::EmitError;

/// How a [`Link`] reads when its target is in another part.
#[derive(Debug, Clone)]
pub(crate) enum Fallback {
    /// A value computed from the model.
    Value(Value),
    /// The target's output, exported by its part.
    Import,
}

/// A pointer at another resource of the same unit.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    pub target: String,
    /// `None`: `Ref`; `Some(attr)`: `Fn::GetAtt`.
    pub attr: Option<&'static str>,
    pub fallback: Fallback,
}

/// A property value.
#[derive(Debug, Clone)]
pub(crate) enum Val {
    Json(Value),
    Param(String),
    Link(Link),
    List(Vec<Val>),
    Map(BTreeMap<String, Val>),
}

impl Val {
    pub fn str(text: impl Into<String>) -> Self {
        Self::Json(Value::String(text.into()))
    }

    pub fn link(target: impl Into<String>, attr: Option<&'static str>, fallback: Fallback) -> Self {
        Self::Link(Link {
            target: target.into(),
            attr,
            fallback,
        })
    }

    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Val)>) -> Self {
        Self::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    fn params(&self, out: &mut BTreeSet<String>) {
        match self {
            Self::Json(_) | Self::Link(_) => {}
            Self::Param(name) => {
                out.insert(name.clone());
            }
            Self::List(items) => items.iter().for_each(|v| v.params(out)),
            Self::Map(entries) => entries.values().for_each(|v| v.params(out)),
        }
    }

    fn links<'a>(&'a self, out: &mut Vec<&'a Link>) {
        match self {
            Self::Json(_) | Self::Param(_) => {}
            Self::Link(link) => out.push(link),
            Self::List(items) => items.iter().for_each(|v| v.links(out)),
            Self::Map(entries) => entries.values().for_each(|v| v.links(out)),
        }
    }
}

/// What a resource publishes in `Outputs`.
#[derive(Debug, Clone)]
pub(crate) struct OutputSpec {
    /// `None`: `Ref`; `Some(attr)`: `Fn::GetAtt`.
    pub attr: Option<&'static str>,
    /// Appended to the resource's logical id: `Arn`, `Id`.
    pub suffix: &'static str,
    pub description: String,
}

/// One resource.
#[derive(Debug, Clone)]
pub(crate) struct Resource {
    pub id: String,
    pub kind: &'static str,
    pub props: BTreeMap<&'static str, Val>,
    /// Resources it must wait for, without a `Ref` to them; dropped when in another part.
    pub depends_on: BTreeSet<String>,
    /// `DeletionPolicy` and `UpdateReplacePolicy` `Retain`.
    pub retain: bool,
    pub output: Option<OutputSpec>,
    /// Layout order: lower tiers first, so links point at the same or an earlier part.
    pub tier: u8,
}

impl Resource {
    pub fn new(id: String, kind: &'static str, tier: u8) -> Self {
        Self {
            id,
            kind,
            props: BTreeMap::new(),
            depends_on: BTreeSet::new(),
            retain: false,
            output: None,
            tier,
        }
    }

    pub fn prop(mut self, name: &'static str, value: Val) -> Self {
        self.props.insert(name, value);
        self
    }

    /// Set a property when there is a value.
    pub fn opt(self, name: &'static str, value: Option<Val>) -> Self {
        match value {
            Some(v) => self.prop(name, v),
            None => self,
        }
    }

    pub fn output(
        mut self,
        attr: Option<&'static str>,
        suffix: &'static str,
        description: String,
    ) -> Self {
        self.output = Some(OutputSpec {
            attr,
            suffix,
            description,
        });
        self
    }

    fn params(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        self.props.values().for_each(|v| v.params(&mut out));
        out
    }

    fn links(&self) -> Vec<&Link> {
        let mut out = Vec::new();
        self.props.values().for_each(|v| v.links(&mut out));
        out
    }
}

/// A template parameter: a value only known at deploy time.
#[derive(Debug, Clone)]
pub(crate) struct Param {
    pub description: String,
    pub pattern: Option<&'static str>,
    pub min_length: Option<u32>,
    /// What the parameters file holds until the operator replaces it.
    pub placeholder: String,
}

/// Everything one account deploys: the input of the layout.
#[derive(Debug, Clone)]
pub(crate) struct Unit {
    /// The account name: the file stem.
    pub stem: String,
    /// The template description (the part number is appended when split).
    pub description: String,
    /// The prefix of export names: `iam-codegen:<AccountLogicalId>`.
    pub export_prefix: String,
    pub resources: Vec<Resource>,
    pub params: BTreeMap<String, Param>,
}

/// The quotas a template is laid out against.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub resources: usize,
    pub outputs: usize,
    pub params: usize,
    pub bytes: usize,
}

/// One laid-out template and its parameters file.
#[derive(Debug, Clone)]
pub(crate) struct Laid {
    pub file_stem: String,
    pub template: Value,
    pub parameters: Option<Value>,
}

fn render(
    val: &Val,
    here: &BTreeSet<&str>,
    imports: &mut Vec<(String, Option<&'static str>)>,
    export_prefix: &str,
) -> Value {
    match val {
        Val::Json(v) => v.clone(),
        Val::Param(name) => json!({ "Ref": name }),
        Val::Link(link) => {
            if here.contains(link.target.as_str()) {
                match link.attr {
                    None => json!({ "Ref": link.target }),
                    Some(attr) => json!({ "Fn::GetAtt": [link.target, attr] }),
                }
            } else {
                match &link.fallback {
                    Fallback::Value(v) => v.clone(),
                    Fallback::Import => {
                        imports.push((link.target.clone(), link.attr));
                        json!({ "Fn::ImportValue": export_name(export_prefix, &link.target, link.attr) })
                    }
                }
            }
        }
        Val::List(items) => Value::Array(
            items
                .iter()
                .map(|v| render(v, here, imports, export_prefix))
                .collect(),
        ),
        Val::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), render(v, here, imports, export_prefix)))
                .collect(),
        ),
    }
}

/// The export name of a resource's output: `iam-codegen:<AccountLogicalId>:<LogicalId>:<attr>`.
fn export_name(prefix: &str, target: &str, attr: Option<&'static str>) -> String {
    format!("{prefix}:{target}:{}", attr.unwrap_or("Ref"))
}

fn render_resource(
    r: &Resource,
    here: &BTreeSet<&str>,
    imports: &mut Vec<(String, Option<&'static str>)>,
    export_prefix: &str,
) -> Value {
    let mut body = Map::new();
    body.insert("Type".into(), Value::String(r.kind.into()));
    let props: Map<String, Value> = r
        .props
        .iter()
        .map(|(k, v)| ((*k).to_string(), render(v, here, imports, export_prefix)))
        .collect();
    body.insert("Properties".into(), Value::Object(props));
    let depends: Vec<Value> = r
        .depends_on
        .iter()
        .filter(|d| here.contains(d.as_str()))
        .map(|d| Value::String(d.clone()))
        .collect();
    if !depends.is_empty() {
        body.insert("DependsOn".into(), Value::Array(depends));
    }
    if r.retain {
        body.insert("DeletionPolicy".into(), Value::String("Retain".into()));
        body.insert("UpdateReplacePolicy".into(), Value::String("Retain".into()));
    }
    Value::Object(body)
}

fn output_id(r: &Resource, spec: &OutputSpec) -> String {
    format!("{}{}", r.id, spec.suffix)
}

fn render_output(r: &Resource, spec: &OutputSpec, export: Option<String>) -> Value {
    let value = match spec.attr {
        None => json!({ "Ref": r.id }),
        Some(attr) => json!({ "Fn::GetAtt": [r.id, attr] }),
    };
    let mut out = Map::new();
    out.insert(
        "Description".into(),
        Value::String(spec.description.clone()),
    );
    out.insert("Value".into(), value);
    if let Some(name) = export {
        out.insert("Export".into(), json!({ "Name": name }));
    }
    Value::Object(out)
}

fn render_param(p: &Param) -> Value {
    let mut out = Map::new();
    out.insert("Type".into(), Value::String("String".into()));
    out.insert("Description".into(), Value::String(p.description.clone()));
    if let Some(pattern) = p.pattern {
        out.insert("AllowedPattern".into(), Value::String(pattern.into()));
    }
    if let Some(min) = p.min_length {
        out.insert("MinLength".into(), Value::from(min));
    }
    Value::Object(out)
}

/// Bytes a resource can add to a pretty-printed template, whichever way its links resolve,
/// with its output (exported) and the parameters it names counted in full.
fn cost(r: &Resource, unit: &Unit) -> usize {
    let ids: BTreeSet<&str> = r.links().iter().map(|l| l.target.as_str()).collect();
    let none = BTreeSet::new();
    let mut sink = Vec::new();
    let inside = render_resource(r, &ids, &mut sink, &unit.export_prefix);
    let outside = render_resource(r, &none, &mut sink, &unit.export_prefix);
    let pretty = |v: &Value| {
        let text = serde_json::to_string_pretty(v).unwrap_or_default();
        // four more spaces of indent per line inside `Resources`, the id, quotes, colon, comma
        text.len() + 4 * text.lines().count() + r.id.len() + 16
    };
    let mut bytes = pretty(&inside).max(pretty(&outside));
    if let Some(spec) = &r.output {
        let out = render_output(
            r,
            spec,
            Some(export_name(&unit.export_prefix, &r.id, spec.attr)),
        );
        bytes += pretty(&out) + output_id(r, spec).len();
    }
    for name in r.params() {
        if let Some(p) = unit.params.get(&name) {
            bytes += pretty(&render_param(p)) + name.len();
        }
    }
    bytes
}

/// Template text outside the resources, outputs and parameters, with room to spare.
const SKELETON_BYTES: usize = 2_048;

/// Lay a unit out: one template when it fits the limits, numbered parts otherwise. Parts are
/// filled in order (tier, then logical id), so the layout depends only on the model.
pub(crate) fn lay_out(mut unit: Unit, limits: Limits) -> Result<Vec<Laid>, EmitError> {
    unit.resources
        .sort_by(|a, b| (a.tier, &a.id).cmp(&(b.tier, &b.id)));
    let mut parts: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let (mut bytes, mut outputs) = (SKELETON_BYTES, 0usize);
    let mut params: BTreeSet<String> = BTreeSet::new();
    for (i, r) in unit.resources.iter().enumerate() {
        let c = cost(r, &unit);
        let o = usize::from(r.output.is_some());
        let new_params: BTreeSet<String> = r.params().difference(&params).cloned().collect();
        let fits = current.len() < limits.resources
            && bytes + c <= limits.bytes
            && outputs + o <= limits.outputs
            && params.len() + new_params.len() <= limits.params;
        if !fits && !current.is_empty() {
            parts.push(std::mem::take(&mut current));
            bytes = SKELETON_BYTES;
            outputs = 0;
            params.clear();
        }
        current.push(i);
        bytes += c;
        outputs += o;
        params.extend(r.params());
    }
    if !current.is_empty() {
        parts.push(current);
    }

    // Render every part, noting what later parts import from earlier ones.
    let mut part_of: BTreeMap<&str, usize> = BTreeMap::new();
    for (p, members) in parts.iter().enumerate() {
        for &i in members {
            if let Some(r) = unit.resources.get(i) {
                part_of.insert(r.id.as_str(), p);
            }
        }
    }
    let mut rendered: Vec<(Map<String, Value>, BTreeSet<String>)> = Vec::new();
    let mut exports: BTreeSet<(String, Option<&'static str>)> = BTreeSet::new();
    for members in &parts {
        let here: BTreeSet<&str> = members
            .iter()
            .filter_map(|&i| unit.resources.get(i))
            .map(|r| r.id.as_str())
            .collect();
        let mut imports = Vec::new();
        let mut resources = Map::new();
        let mut used = BTreeSet::new();
        for r in members.iter().filter_map(|&i| unit.resources.get(i)) {
            resources.insert(
                r.id.clone(),
                render_resource(r, &here, &mut imports, &unit.export_prefix),
            );
            used.extend(r.params());
        }
        for (target, attr) in imports {
            if !part_of.contains_key(target.as_str()) {
                return Err(EmitError::Missing(format!(
                    "cloudformation: `{target}` is referenced but not generated"
                )));
            }
            exports.insert((target, attr));
        }
        rendered.push((resources, used));
    }

    let count = parts.len();
    let mut laid = Vec::new();
    for (p, (members, (resources, used))) in parts.iter().zip(rendered).enumerate() {
        let mut outputs = Map::new();
        for r in members.iter().filter_map(|&i| unit.resources.get(i)) {
            if let Some(spec) = &r.output {
                let export = exports
                    .contains(&(r.id.clone(), spec.attr))
                    .then(|| export_name(&unit.export_prefix, &r.id, spec.attr));
                outputs.insert(output_id(r, spec), render_output(r, spec, export));
            }
        }
        for (target, attr) in &exports {
            // Every imported value is the output of its resource; a link to an attribute
            // that is not the output would import nothing.
            let ok = unit
                .resources
                .iter()
                .find(|r| &r.id == target)
                .and_then(|r| r.output.as_ref())
                .is_some_and(|spec| spec.attr == *attr);
            if !ok {
                return Err(EmitError::Missing(format!(
                    "cloudformation: `{target}` is imported but has no such output"
                )));
            }
        }
        let mut template = Map::new();
        template.insert(
            "AWSTemplateFormatVersion".into(),
            Value::String("2010-09-09".into()),
        );
        let description = if count == 1 {
            unit.description.clone()
        } else {
            format!(
                "{} Part {} of {count}; deploy the parts in order.",
                unit.description,
                p + 1
            )
        };
        template.insert("Description".into(), Value::String(description));
        let mut parameters = Map::new();
        let mut file = Vec::new();
        for name in &used {
            if let Some(param) = unit.params.get(name) {
                parameters.insert(name.clone(), render_param(param));
                file.push(json!({ "ParameterKey": name, "ParameterValue": param.placeholder }));
            }
        }
        if !parameters.is_empty() {
            template.insert("Parameters".into(), Value::Object(parameters));
        }
        template.insert("Resources".into(), Value::Object(resources));
        if !outputs.is_empty() {
            template.insert("Outputs".into(), Value::Object(outputs));
        }
        let file_stem = if count == 1 {
            unit.stem.clone()
        } else {
            format!("{}-{}", unit.stem, p + 1)
        };
        laid.push(Laid {
            file_stem,
            template: Value::Object(template),
            parameters: (!file.is_empty()).then_some(Value::Array(file)),
        });
    }
    Ok(laid)
}
