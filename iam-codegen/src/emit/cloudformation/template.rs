//! The template model: resources whose properties may point at other resources, laid out
//! into one template (or, past CloudFormation's quotas, numbered parts), then serialised.
//!
//! A pointer ([`Link`]) becomes `Ref`/`Fn::GetAtt` when its target is in the same template,
//! and its fallback otherwise: a value computed from the model (a name, an ARN built from the
//! account id) or, for ids only AWS knows (OU ids, Identity Store group ids, permission set
//! ARNs), an `Fn::ImportValue` of an output that the earlier part exports.
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::hash::Hash;
use std::io;
use std::rc::Rc;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

use crate::emit::EmitError;
use crate::emit::fast_hash::{FastMap, FastSet};

// The values below are built for every resource of an organization (tens of thousands of
// them): strings that many resources share (parameter names, the logical ids links point
// at) are reference-counted, constants are borrowed, and rare large values are boxed, so a
// resource costs few and small allocations.

/// How a [`Link`] reads when its target is in another part.
#[derive(Debug, Clone)]
pub(crate) enum Fallback {
    /// A string computed from the model (a name).
    Text(String),
    /// Other JSON computed from the model (an ARN built with `Fn::Sub`).
    Value(Box<Value>),
    /// The target's output, exported by its part.
    Import,
}

/// A pointer at another resource of the same unit.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    pub target: Rc<str>,
    /// `None`: `Ref`; `Some(attr)`: `Fn::GetAtt`.
    pub attr: Option<&'static str>,
    pub fallback: Fallback,
}

/// A property value.
#[derive(Debug, Clone)]
pub(crate) enum Val {
    /// A string.
    Text(Cow<'static, str>),
    /// Any other JSON (policy documents, tags, numbers).
    Json(Box<Value>),
    /// `{"Ref": parameter}`.
    Param(Rc<str>),
    Link(Link),
    List(Vec<Val>),
    /// An object, sorted by key.
    Map(Vec<(&'static str, Val)>),
}

impl Val {
    pub fn str(text: impl Into<String>) -> Self {
        Self::Text(Cow::Owned(text.into()))
    }

    /// A string known at compile time.
    pub fn fixed(text: &'static str) -> Self {
        Self::Text(Cow::Borrowed(text))
    }

    pub fn json(value: Value) -> Self {
        Self::Json(Box::new(value))
    }

    pub fn param(name: impl Into<Rc<str>>) -> Self {
        Self::Param(name.into())
    }

    pub fn link(
        target: impl Into<Rc<str>>,
        attr: Option<&'static str>,
        fallback: Fallback,
    ) -> Self {
        Self::Link(Link {
            target: target.into(),
            attr,
            fallback,
        })
    }

    pub fn map(entries: impl IntoIterator<Item = (&'static str, Val)>) -> Self {
        let mut map = Vec::new();
        for (k, v) in entries {
            set_sorted(&mut map, k, v);
        }
        Self::Map(map)
    }

    fn params<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Self::Text(_) | Self::Json(_) | Self::Link(_) => {}
            Self::Param(name) => out.push(name),
            Self::List(items) => items.iter().for_each(|v| v.params(out)),
            Self::Map(entries) => entries.iter().for_each(|(_, v)| v.params(out)),
        }
    }

    /// Call `f` with each link, in the order a template writes them.
    fn for_each_link<'a>(&'a self, f: &mut impl FnMut(&'a Link)) {
        match self {
            Self::Text(_) | Self::Json(_) | Self::Param(_) => {}
            Self::Link(link) => f(link),
            Self::List(items) => items.iter().for_each(|v| v.for_each_link(f)),
            Self::Map(entries) => entries.iter().for_each(|(_, v)| v.for_each_link(f)),
        }
    }
}

/// Set `key` in entries sorted by key (what inserting into a `BTreeMap` does, in a single
/// small allocation).
fn set_sorted(entries: &mut Vec<(&'static str, Val)>, key: &'static str, value: Val) {
    match entries.binary_search_by(|(k, _)| (*k).cmp(key)) {
        Ok(i) => {
            if let Some(slot) = entries.get_mut(i) {
                slot.1 = value;
            }
        }
        Err(i) => entries.insert(i, (key, value)),
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
    /// Sorted by name.
    pub props: Vec<(&'static str, Val)>,
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
            props: Vec::new(),
            depends_on: BTreeSet::new(),
            retain: false,
            output: None,
            tier,
        }
    }

    pub fn prop(mut self, name: &'static str, value: Val) -> Self {
        set_sorted(&mut self.props, name, value);
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

    /// Add the parameters the properties name to `out`, in the order a template writes them.
    fn params<'a>(&'a self, out: &mut Vec<&'a str>) {
        self.props.iter().for_each(|(_, v)| v.params(out));
    }

    /// Call `f` with each link of the properties, in the order a template writes them.
    fn for_each_link<'a>(&'a self, f: &mut impl FnMut(&'a Link)) {
        self.props.iter().for_each(|(_, v)| v.for_each_link(f));
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
    /// Where `parameters.sh` reads the value from.
    pub lookup: Lookup,
}

/// Where a parameter's value comes from in AWS, for `parameters.sh`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// `aws organizations list-roots`.
    RootId,
    /// `aws sso-admin list-instances` (`InstanceArn`).
    InstanceArn,
    /// `aws sso-admin list-instances` (`IdentityStoreId`).
    IdentityStoreId,
    /// `aws identitystore get-group-id` by display name.
    Group(String),
    /// `aws identitystore get-user-id` by user name.
    User(String),
    /// Nothing to look up: the operator writes the value.
    Manual,
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
    pub params: Params,
}

/// Parameters by name; looked up, never iterated (templates list the ones they use, sorted).
pub(crate) type Params = FastMap<String, Param>;

/// The quotas a template is laid out against.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub resources: usize,
    pub outputs: usize,
    pub params: usize,
    pub bytes: usize,
}

/// One laid-out template and its parameters file, serialised (pretty JSON and a newline).
#[derive(Debug, Clone)]
pub(crate) struct Laid {
    pub file_stem: String,
    pub template: Vec<u8>,
    pub parameters: Option<Vec<u8>>,
    /// The parameters of the template by name, sorted, for `parameters.sh`.
    pub lookups: Vec<(String, Param)>,
}

// Rendering. Templates are written straight from the resources by the `Serialize` views
// below, never through a `serde_json::Value` tree: a large organization has tens of
// thousands of resources, and building, pretty-printing and dropping a tree of
// insertion-ordered maps for each (three times, counting the layout's measurements) was
// most of the time of this target. Each view writes exactly the keys, in exactly the order,
// that the tree had.

/// A property value as it reads in a template that holds the resources `here`.
struct ValView<'a> {
    val: &'a Val,
    here: &'a FastSet<&'a str>,
    export_prefix: &'a str,
}

impl Serialize for ValView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let view = |val| ValView {
            val,
            here: self.here,
            export_prefix: self.export_prefix,
        };
        match self.val {
            Val::Text(text) => s.serialize_str(text),
            Val::Json(v) => v.serialize(s),
            Val::Param(name) => single(s, "Ref", &**name),
            Val::Link(link) if self.here.contains(&*link.target) => match link.attr {
                None => single(s, "Ref", &*link.target),
                Some(attr) => single(s, "Fn::GetAtt", &[&*link.target, attr]),
            },
            Val::Link(link) => match &link.fallback {
                Fallback::Text(text) => s.serialize_str(text),
                Fallback::Value(v) => v.serialize(s),
                Fallback::Import => single(
                    s,
                    "Fn::ImportValue",
                    &export_name(self.export_prefix, &link.target, link.attr),
                ),
            },
            Val::List(items) => s.collect_seq(items.iter().map(view)),
            Val::Map(entries) => s.collect_map(entries.iter().map(|(k, v)| (*k, view(v)))),
        }
    }
}

/// `{ key: value }`.
fn single<S: Serializer, V: Serialize + ?Sized>(
    s: S,
    key: &str,
    value: &V,
) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(1))?;
    map.serialize_entry(key, value)?;
    map.end()
}

/// The export name of a resource's output: `iam-codegen:<AccountLogicalId>:<LogicalId>:<attr>`.
fn export_name(prefix: &str, target: &str, attr: Option<&'static str>) -> String {
    format!("{prefix}:{target}:{}", attr.unwrap_or("Ref"))
}

/// A resource as it reads in a template that holds the resources `here`: `Type`,
/// `Properties`, the `DependsOn` that stay in the template, the retain policies.
struct ResourceView<'a> {
    resource: &'a Resource,
    here: &'a FastSet<&'a str>,
    export_prefix: &'a str,
}

impl Serialize for ResourceView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.resource;
        let depends = || {
            r.depends_on
                .iter()
                .filter(|d| self.here.contains(d.as_str()))
        };
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("Type", r.kind)?;
        map.serialize_entry(
            "Properties",
            &Object(r.props.iter().map(|(k, v)| {
                let view = ValView {
                    val: v,
                    here: self.here,
                    export_prefix: self.export_prefix,
                };
                (*k, view)
            })),
        )?;
        if depends().next().is_some() {
            map.serialize_entry("DependsOn", &Array(depends()))?;
        }
        if r.retain {
            map.serialize_entry("DeletionPolicy", "Retain")?;
            map.serialize_entry("UpdateReplacePolicy", "Retain")?;
        }
        map.end()
    }
}

/// A JSON object of the entries an iterator yields, written as they come.
struct Object<I>(I);

impl<K: Serialize, V: Serialize, I: Iterator<Item = (K, V)> + Clone> Serialize for Object<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.clone())
    }
}

/// A JSON array of what an iterator yields.
struct Array<I>(I);

impl<T: Serialize, I: Iterator<Item = T> + Clone> Serialize for Array<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.clone())
    }
}

/// A resource's output: `Description`, `Value`, and `Export` when a later part imports it.
struct OutputView<'a> {
    resource: &'a Resource,
    spec: &'a OutputSpec,
    export: Option<String>,
}

impl Serialize for OutputView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let id = self.resource.id.as_str();
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("Description", &self.spec.description)?;
        match self.spec.attr {
            None => map.serialize_entry("Value", &Ref(id))?,
            Some(attr) => map.serialize_entry("Value", &GetAtt(id, attr))?,
        }
        if let Some(name) = &self.export {
            map.serialize_entry("Export", &Named(name))?;
        }
        map.end()
    }
}

/// `{"Ref": id}`.
struct Ref<'a>(&'a str);

impl Serialize for Ref<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        single(s, "Ref", self.0)
    }
}

/// `{"Fn::GetAtt": [id, attr]}`.
struct GetAtt<'a>(&'a str, &'a str);

impl Serialize for GetAtt<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        single(s, "Fn::GetAtt", &[self.0, self.1])
    }
}

/// `{"Name": name}`.
struct Named<'a>(&'a str);

impl Serialize for Named<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        single(s, "Name", self.0)
    }
}

fn output_id(r: &Resource, spec: &OutputSpec) -> String {
    format!("{}{}", r.id, spec.suffix)
}

/// A parameter's declaration: `Type`, `Description`, `AllowedPattern`, `MinLength`.
struct ParamView<'a>(&'a Param);

impl Serialize for ParamView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.0;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("Type", "String")?;
        map.serialize_entry("Description", &p.description)?;
        if let Some(pattern) = p.pattern {
            map.serialize_entry("AllowedPattern", pattern)?;
        }
        if let Some(min) = p.min_length {
            map.serialize_entry("MinLength", &min)?;
        }
        map.end()
    }
}

/// One entry of the parameters file: `ParameterKey`, `ParameterValue`.
struct ParamFileEntry<'a>(&'a str, &'a Param);

impl Serialize for ParamFileEntry<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("ParameterKey", self.0)?;
        map.serialize_entry("ParameterValue", &self.1.placeholder)?;
        map.end()
    }
}

/// One template: its parts in the order of the file.
struct TemplateView<'a> {
    description: &'a str,
    parameters: &'a [(&'a str, &'a Param)],
    resources: &'a [(&'a str, &'a Resource)],
    here: &'a FastSet<&'a str>,
    export_prefix: &'a str,
    outputs: &'a [(String, OutputView<'a>)],
}

impl Serialize for TemplateView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("AWSTemplateFormatVersion", "2010-09-09")?;
        map.serialize_entry("Description", self.description)?;
        if !self.parameters.is_empty() {
            let params = self.parameters.iter().map(|(k, p)| (k, ParamView(p)));
            map.serialize_entry("Parameters", &Object(params))?;
        }
        let resources = self.resources.iter().map(|(id, r)| {
            let view = ResourceView {
                resource: r,
                here: self.here,
                export_prefix: self.export_prefix,
            };
            (id, view)
        });
        map.serialize_entry("Resources", &Object(resources))?;
        if !self.outputs.is_empty() {
            let outputs = self.outputs.iter().map(|(k, o)| (k, o));
            map.serialize_entry("Outputs", &Object(outputs))?;
        }
        map.end()
    }
}

/// Pretty JSON and a newline, like [`iam_model::json::to_pretty`], as bytes.
fn to_pretty_bytes<T: Serialize>(value: &T, capacity: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(capacity);
    // Writing to a Vec cannot fail and every key is a string; should it fail anyway, the
    // file is what `to_pretty` gives then: an empty document.
    if serde_json::to_writer_pretty(&mut out, value).is_err() {
        out.clear();
    }
    out.push(b'\n');
    out
}

// Measuring. The layout needs, for every resource, the bytes it adds to a pretty-printed
// template both when its links resolve in its part and when they do not. Pretty-printing
// each resource twice to count its bytes was a third of this target's time; the sizes below
// are computed from the resource's values instead, and only JSON the model supplied
// (policies, tags) is pretty-printed, once, into a counter. The tests hold the arithmetic
// to what serde_json writes.

/// Counts the bytes and line breaks a pretty-printer writes, without keeping them.
#[derive(Default)]
struct Measure {
    bytes: usize,
    newlines: usize,
}

impl io::Write for Measure {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes += buf.len();
        self.newlines += buf.iter().filter(|&&b| b == b'\n').count();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The size of a value pretty-printed (serde_json's `PrettyFormatter`, two spaces) starting
/// at indent level 0. Written `d` levels deeper, each line break is followed by `2 * d` more
/// spaces.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Size {
    bytes: usize,
    breaks: usize,
}

impl Size {
    /// Any serialisable value, pretty-printed into a counter.
    fn of<T: Serialize + ?Sized>(value: &T) -> Self {
        let mut m = Measure::default();
        if serde_json::to_writer_pretty(&mut m, value).is_err() {
            return Self::default();
        }
        Self {
            bytes: m.bytes,
            breaks: m.newlines,
        }
    }

    /// A string made of these parts, quoted and escaped.
    fn text(parts: &[&str]) -> Self {
        Self {
            bytes: 2 + parts.iter().map(|p| escaped_len(p)).sum::<usize>(),
            breaks: 0,
        }
    }

    /// The bytes when written `levels` levels deeper.
    fn deeper(self, levels: usize) -> usize {
        self.bytes + 2 * levels * self.breaks
    }

    /// What the layout counts for a value that sits two levels deep in a template: its
    /// bytes plus four spaces per line.
    fn indented(self) -> usize {
        self.bytes + 4 * (self.breaks + 1)
    }
}

/// The length of a string's contents once escaped the way serde_json escapes them (`"`, `\`
/// and the control characters: `\b`, `\t`, `\n`, `\f`, `\r`, the others `\u00XX`).
fn escaped_len(text: &str) -> usize {
    text.len()
        + text
            .bytes()
            .map(|b| match b {
                b'"' | b'\\' | 0x08 | 0x09 | 0x0a | 0x0c | 0x0d => 1,
                0x00..=0x1f => 5,
                _ => 0,
            })
            .sum::<usize>()
}

/// An array or object measured entry by entry: `[`, each entry on a line of its own one
/// level deeper (`,` between them), a line break and `]`; `[]` when empty.
#[derive(Clone, Copy)]
struct Entries {
    size: Size,
    count: usize,
}

impl Entries {
    fn new() -> Self {
        Self {
            size: Size {
                bytes: 2,
                breaks: 0,
            },
            count: 0,
        }
    }

    /// Add an entry: an array element (`key: None`) or an object member.
    fn push(&mut self, key: Option<Size>, value: Size) {
        let comma = usize::from(self.count > 0);
        let key = key.map_or(0, |k| k.bytes + 2);
        self.size.bytes += comma + 1 + 2 + key + value.deeper(1);
        self.size.breaks += 1 + value.breaks;
        self.count += 1;
    }

    fn end(mut self) -> Size {
        if self.count > 0 {
            self.size.bytes += 1;
            self.size.breaks += 1;
        }
        self.size
    }
}

/// An object with one member.
fn single_size(key: &str, value: Size) -> Size {
    let mut object = Entries::new();
    object.push(Some(Size::text(&[key])), value);
    object.end()
}

/// The sizes of a value (what [`ValView`] writes) in a template that holds every resource it
/// links to, and in one that holds none of them.
fn val_sizes(val: &Val, export_prefix: &str) -> [Size; 2] {
    match val {
        Val::Text(text) => [Size::text(&[text]); 2],
        Val::Json(v) => [Size::of(&**v); 2],
        Val::Param(name) => [single_size("Ref", Size::text(&[name])); 2],
        Val::Link(link) => {
            let target = Size::text(&[&link.target]);
            let linked = match link.attr {
                None => single_size("Ref", target),
                Some(attr) => {
                    let mut pair = Entries::new();
                    pair.push(None, target);
                    pair.push(None, Size::text(&[attr]));
                    single_size("Fn::GetAtt", pair.end())
                }
            };
            let alone = match &link.fallback {
                Fallback::Text(text) => Size::text(&[text]),
                Fallback::Value(v) => Size::of(&**v),
                Fallback::Import => {
                    let attr = link.attr.unwrap_or("Ref");
                    let name = Size::text(&[export_prefix, ":", &link.target, ":", attr]);
                    single_size("Fn::ImportValue", name)
                }
            };
            [linked, alone]
        }
        Val::List(items) => {
            let mut lists = [Entries::new(); 2];
            for item in items {
                for (list, size) in lists.iter_mut().zip(val_sizes(item, export_prefix)) {
                    list.push(None, size);
                }
            }
            lists.map(Entries::end)
        }
        Val::Map(entries) => {
            let mut maps = [Entries::new(); 2];
            for (k, v) in entries {
                let key = Size::text(&[k]);
                for (map, size) in maps.iter_mut().zip(val_sizes(v, export_prefix)) {
                    map.push(Some(key), size);
                }
            }
            maps.map(Entries::end)
        }
    }
}

/// The sizes of a resource (what [`ResourceView`] writes) in a template that holds every
/// resource it links to or depends on, and in one that holds none of them.
fn resource_sizes(r: &Resource, export_prefix: &str) -> [Size; 2] {
    let mut props = [Entries::new(); 2];
    for (k, v) in &r.props {
        let key = Size::text(&[k]);
        for (map, size) in props.iter_mut().zip(val_sizes(v, export_prefix)) {
            map.push(Some(key), size);
        }
    }
    let [linked, alone] = props.map(Entries::end);
    [(linked, true), (alone, false)].map(|(props, linked)| {
        let mut body = Entries::new();
        body.push(Some(Size::text(&["Type"])), Size::text(&[r.kind]));
        body.push(Some(Size::text(&["Properties"])), props);
        // A dependency stays when its target is in the template: in the first case every
        // one does (the bound of a template that holds all of them), in the second none.
        let mut depends = Entries::new();
        if linked {
            for d in &r.depends_on {
                depends.push(None, Size::text(&[d]));
            }
        }
        if depends.count > 0 {
            body.push(Some(Size::text(&["DependsOn"])), depends.end());
        }
        if r.retain {
            let retain = Size::text(&["Retain"]);
            body.push(Some(Size::text(&["DeletionPolicy"])), retain);
            body.push(Some(Size::text(&["UpdateReplacePolicy"])), retain);
        }
        body.end()
    })
}

/// Bytes a resource can add to a pretty-printed template, whichever way its links resolve,
/// with its output (exported) and the parameters it names (`params`, with their
/// [`Size::indented`] from `param_sizes`) counted in full. The per-entry overhead (the id,
/// quotes, colon, comma) is counted for the resource, its output and each parameter.
fn cost(r: &Resource, params: &[(&str, Option<usize>)], export_prefix: &str) -> usize {
    let overhead = r.id.len() + 16;
    let [inside, outside] = resource_sizes(r, export_prefix).map(Size::indented);
    let mut bytes = inside.max(outside) + overhead;
    if let Some(spec) = &r.output {
        let out = OutputView {
            resource: r,
            spec,
            export: Some(export_name(export_prefix, &r.id, spec.attr)),
        };
        bytes += Size::of(&out).indented() + overhead + output_id(r, spec).len();
    }
    for (name, size) in params {
        if let Some(size) = size {
            bytes += size + overhead + name.len();
        }
    }
    bytes
}

/// Object entries as a `serde_json::Map` built by inserting them in order would hold them:
/// a repeated key keeps its first place and takes its last value. Logical ids are unique in
/// a valid model; this keeps the output of an invalid one what it always was.
fn object_entries<K: Eq + Hash + Clone, V>(entries: Vec<(K, V)>) -> Vec<(K, V)> {
    let mut first: FastMap<K, usize> =
        FastMap::with_capacity_and_hasher(entries.len(), Default::default());
    let mut out: Vec<(K, V)> = Vec::with_capacity(entries.len());
    for (k, v) in entries {
        match first.get(&k).and_then(|&i| out.get_mut(i)) {
            Some(slot) => slot.1 = v,
            None => {
                first.insert(k.clone(), out.len());
                out.push((k, v));
            }
        }
    }
    out
}

/// Template text outside the resources, outputs and parameters, with room to spare.
const SKELETON_BYTES: usize = 2_048;

/// One part of a unit: its resources (indices into the sorted resources), the parameters
/// they name, and the layout's upper bound of its bytes.
struct Part<'a> {
    members: Vec<usize>,
    params: FastSet<&'a str>,
    bytes: usize,
}

/// Lay a unit out: one template when it fits the limits, numbered parts otherwise. Parts are
/// filled in order (tier, then logical id), so the layout depends only on the model.
pub(crate) fn lay_out(mut unit: Unit, limits: Limits) -> Result<Vec<Laid>, EmitError> {
    unit.resources
        .sort_by(|a, b| (a.tier, &a.id).cmp(&(b.tier, &b.id)));
    let unit = &unit;
    let prefix = unit.export_prefix.as_str();

    // The parameters each resource names (sorted, once each; resource `i`'s are
    // `named[spans[i]]`), with the size of each parameter's declaration (`None`: the unit
    // does not declare it), measured once per parameter.
    let mut param_sizes: FastMap<&str, Option<usize>> = FastMap::default();
    let mut named: Vec<(&str, Option<usize>)> = Vec::new();
    let mut spans: Vec<std::ops::Range<usize>> = Vec::with_capacity(unit.resources.len());
    let mut scratch: Vec<&str> = Vec::new();
    for r in &unit.resources {
        scratch.clear();
        r.params(&mut scratch);
        scratch.sort_unstable();
        scratch.dedup();
        let start = named.len();
        for &name in &scratch {
            let size = *param_sizes.entry(name).or_insert_with(|| {
                unit.params
                    .get(name)
                    .map(|p| Size::of(&ParamView(p)).indented())
            });
            named.push((name, size));
        }
        spans.push(start..named.len());
    }

    let mut parts: Vec<Part> = Vec::new();
    let mut current = Part {
        members: Vec::new(),
        params: FastSet::default(),
        bytes: SKELETON_BYTES,
    };
    let mut outputs = 0usize;
    for ((i, r), span) in unit.resources.iter().enumerate().zip(spans) {
        let names = named.get(span).unwrap_or_default();
        let c = cost(r, names, prefix);
        let o = usize::from(r.output.is_some());
        let new_params = names
            .iter()
            .filter(|(n, _)| !current.params.contains(n))
            .count();
        let fits = current.members.len() < limits.resources
            && current.bytes + c <= limits.bytes
            && outputs + o <= limits.outputs
            && current.params.len() + new_params <= limits.params;
        if !fits && !current.members.is_empty() {
            let fresh = Part {
                members: Vec::new(),
                params: FastSet::default(),
                bytes: SKELETON_BYTES,
            };
            parts.push(std::mem::replace(&mut current, fresh));
            outputs = 0;
        }
        current.members.push(i);
        current.bytes += c;
        outputs += o;
        current.params.extend(names.iter().map(|(n, _)| *n));
    }
    if !current.members.is_empty() {
        parts.push(current);
    }

    // What each part holds, and what later parts import from earlier ones.
    let mut first_of: FastMap<&str, &Resource> =
        FastMap::with_capacity_and_hasher(unit.resources.len(), Default::default());
    for r in &unit.resources {
        first_of.entry(r.id.as_str()).or_insert(r);
    }
    let member = |i: &usize| unit.resources.get(*i);
    let mut heres: Vec<FastSet<&str>> = Vec::with_capacity(parts.len());
    let mut exports: BTreeSet<(&str, Option<&'static str>)> = BTreeSet::new();
    for part in &parts {
        let here: FastSet<&str> = part
            .members
            .iter()
            .filter_map(member)
            .map(|r| r.id.as_str())
            .collect();
        let mut missing = None;
        for r in part.members.iter().filter_map(member) {
            r.for_each_link(&mut |link| {
                if missing.is_none()
                    && matches!(link.fallback, Fallback::Import)
                    && !here.contains(&*link.target)
                {
                    if first_of.contains_key(&*link.target) {
                        exports.insert((&*link.target, link.attr));
                    } else {
                        missing = Some(link.target.clone());
                    }
                }
            });
            if let Some(target) = missing {
                return Err(EmitError::Missing(format!(
                    "cloudformation: `{target}` is referenced but not generated"
                )));
            }
        }
        heres.push(here);
    }
    for (target, attr) in &exports {
        // Every imported value is the output of its resource; a link to an attribute that
        // is not the output would import nothing.
        let ok = first_of
            .get(target)
            .and_then(|r| r.output.as_ref())
            .is_some_and(|spec| spec.attr == *attr);
        if !ok {
            return Err(EmitError::Missing(format!(
                "cloudformation: `{target}` is imported but has no such output"
            )));
        }
    }

    let count = parts.len();
    let mut laid = Vec::with_capacity(count);
    for (p, (part, here)) in parts.iter().zip(&heres).enumerate() {
        let members: Vec<&Resource> = part.members.iter().filter_map(member).collect();
        let mut resources: Vec<(&str, &Resource)> =
            members.iter().map(|r| (r.id.as_str(), *r)).collect();
        if here.len() < resources.len() {
            resources = object_entries(resources);
        }
        let outputs = object_entries(
            members
                .iter()
                .filter_map(|r| {
                    let spec = r.output.as_ref()?;
                    let export = exports
                        .contains(&(r.id.as_str(), spec.attr))
                        .then(|| export_name(prefix, &r.id, spec.attr));
                    let view = OutputView {
                        resource: r,
                        spec,
                        export,
                    };
                    Some((output_id(r, spec), view))
                })
                .collect(),
        );
        let mut parameters: Vec<(&str, &Param)> = part
            .params
            .iter()
            .filter_map(|name| Some((*name, unit.params.get(*name)?)))
            .collect();
        parameters.sort_unstable_by_key(|(name, _)| *name);
        let description = if count == 1 {
            unit.description.clone()
        } else {
            format!(
                "{} Part {} of {count}; deploy the parts in order.",
                unit.description,
                p + 1
            )
        };
        let template = TemplateView {
            description: &description,
            parameters: &parameters,
            resources: &resources,
            here,
            export_prefix: prefix,
            outputs: &outputs,
        };
        let file: Vec<ParamFileEntry> = parameters
            .iter()
            .map(|(name, p)| ParamFileEntry(name, p))
            .collect();
        laid.push(Laid {
            file_stem: if count == 1 {
                unit.stem.clone()
            } else {
                format!("{}-{}", unit.stem, p + 1)
            },
            // The layout's bound is above the real size: one allocation per template.
            template: to_pretty_bytes(&template, part.bytes),
            parameters: (!file.is_empty()).then(|| to_pretty_bytes(&file, 256 * file.len())),
            lookups: parameters
                .iter()
                .map(|(name, p)| ((*name).to_string(), (*p).clone()))
                .collect(),
        });
    }
    Ok(laid)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Every kind of value, with strings that need escaping and empty containers.
    fn resource() -> Resource {
        let mut r = Resource::new("RoleA".to_string(), "AWS::IAM::Role", 2)
            .prop(
                "Name",
                Val::str("quote \" backslash \\ tab \t nul \u{0} del \u{7f} é"),
            )
            .prop(
                "Doc",
                Val::json(json!({ "a": [1, { "b": [] }], "c": {}, "d": "x\ny" })),
            )
            .prop("Param", Val::param("SsoUserX"))
            .prop(
                "Ref",
                Val::link("PolicyP", None, Fallback::Text("p\u{1f}".to_string())),
            )
            .prop(
                "GetAtt",
                Val::link(
                    "GroupG",
                    Some("GroupId"),
                    Fallback::Value(Box::new(json!({ "Fn::Sub": "arn:${AWS::Partition}" }))),
                ),
            )
            .prop(
                "Nested",
                Val::List(vec![
                    Val::List(vec![]),
                    Val::map([]),
                    Val::map([
                        ("Import", Val::link("UnitU", None, Fallback::Import)),
                        ("Fixed", Val::fixed("AWS_ACCOUNT")),
                    ]),
                ]),
            )
            .prop("Empty", Val::List(vec![]));
        r.depends_on.insert("PolicyP".to_string());
        r.depends_on.insert("OidcProviderO".to_string());
        r.retain = true;
        r
    }

    #[test]
    fn sizes_match_what_serde_json_writes() {
        let prefix = "iam-codegen:AccountA";
        let bare = Resource::new("Bare".to_string(), "AWS::IAM::Group", 1);
        for r in [resource(), bare] {
            let mut targets = FastSet::default();
            r.for_each_link(&mut |l| {
                targets.insert(&*l.target);
            });
            targets.extend(r.depends_on.iter().map(String::as_str));
            let none = FastSet::default();
            let written = [&targets, &none].map(|here| {
                Size::of(&ResourceView {
                    resource: &r,
                    here,
                    export_prefix: prefix,
                })
            });
            assert_eq!(resource_sizes(&r, prefix), written);
        }
    }

    #[test]
    fn a_size_counts_bytes_and_line_breaks() {
        let value = json!({ "a": ["x", "y"], "b": {} });
        let text = serde_json::to_string_pretty(&value).unwrap();
        assert_eq!(
            Size::of(&value),
            Size {
                bytes: text.len(),
                breaks: text.lines().count() - 1
            }
        );
        assert_eq!(Size::text(&["a\"b", "\n", "\u{1}"]).bytes, 2 + 4 + 2 + 6);
    }
}
