//! Where a JSON value is written: the line and column of the value a JSON pointer names.
//!
//! Findings carry JSON pointers (`/Statement/0/Action/1`); editors and code scanning want a
//! line and a column. [`SourceMap`] scans a document once, keeping for every object member
//! and array item where its value starts and ends, and answers [`SourceMap::locate`] for
//! any pointer. It reads structure only (strings, brackets, commas), never values: what the
//! document means is for serde. A key written twice names its last value, as serde_json
//! keeps the last one.
//!
//! Lines and columns are 1-based; columns count UTF-16 code units (what SARIF's default
//! `utf16CodeUnits` column kind, editors and GitHub count), so a tab or an `é` is one
//! column and a 😀 is two.
//!
//! ```
//! use iam_model::json::span::SourceMap;
//! let text = "{\n  \"Statement\": [\n    {\"Action\": \"s3:GetObjet\"}\n  ]\n}\n";
//! let map = SourceMap::new(text);
//! let span = map.locate("/Statement/0/Action").ok_or("not found")?;
//! assert_eq!((span.start.line, span.start.column), (3, 16));
//! assert_eq!((span.end.line, span.end.column), (3, 29));
//! assert_eq!(span.pointer, "/Statement/0/Action");
//! // A pointer past what is written names the deepest value that exists.
//! let span = map.locate("/Statement/0/Resource").ok_or("not found")?;
//! assert_eq!((span.start.line, span.start.column, span.pointer.as_str()), (3, 5, "/Statement/0"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

/// A position in the text: 1-based line and 1-based column in UTF-16 code units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1, in UTF-16 code units.
    pub column: usize,
}

/// Where a value is written: its first character and the position just after its last one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// The value's first character.
    pub start: Position,
    /// Just after the value's last character (SARIF's `endLine`/`endColumn`).
    pub end: Position,
    /// The pointer of the value found: the one asked for, or the deepest prefix of it that
    /// names a value when the rest is not written.
    pub pointer: String,
}

/// A document's structure with the byte range of every value (see the module docs).
#[derive(Debug, Clone)]
pub struct SourceMap<'t> {
    text: &'t str,
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
    /// The values; the first one is the document.
    nodes: Vec<Node>,
}

#[derive(Debug, Clone)]
struct Node {
    start: usize,
    end: usize,
    children: Children,
}

#[derive(Debug, Clone)]
enum Children {
    Scalar,
    /// Member name (unescaped) → node index, in the order written.
    Object(Vec<(String, usize)>),
    /// Item node indices.
    Array(Vec<usize>),
}

impl<'t> SourceMap<'t> {
    /// Scan a document. Text that is not JSON gives a map that locates what could be read
    /// before the first syntax error (possibly nothing).
    pub fn new(text: &'t str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let mut map = Self {
            text,
            line_starts,
            nodes: Vec::new(),
        };
        Scanner {
            bytes: text.as_bytes(),
            pos: 0,
        }
        .document(&mut map.nodes);
        map
    }

    /// The span of the value `pointer` names (RFC 6901: `""` is the whole document,
    /// `/a/0` member `a`'s first item, `~1` a `/` and `~0` a `~` in a name), or of the
    /// deepest prefix of it that exists. `None` when the document has no value at all.
    pub fn locate(&self, pointer: &str) -> Option<Span> {
        let (node, found) = self.node(pointer)?;
        Some(Span {
            start: self.position(node.start),
            end: self.position(node.end),
            pointer: found,
        })
    }

    /// The node `pointer` names, or the deepest one on its way, with its pointer.
    fn node(&self, pointer: &str) -> Option<(&Node, String)> {
        let mut node = self.nodes.first()?;
        let mut found = String::new();
        let tokens = pointer.strip_prefix('/').map(|rest| rest.split('/'));
        for raw in tokens.into_iter().flatten() {
            let token = raw.replace("~1", "/").replace("~0", "~");
            let next = match &node.children {
                Children::Object(members) => members
                    .iter()
                    .rev()
                    .find(|(name, _)| *name == token)
                    .map(|(_, i)| *i),
                Children::Array(items) => array_index(&token).and_then(|i| items.get(i).copied()),
                Children::Scalar => None,
            };
            let Some(next) = next.and_then(|i| self.nodes.get(i)) else {
                break;
            };
            node = next;
            found.push('/');
            found.push_str(raw);
        }
        Some((node, found))
    }

    /// The line and column of a byte offset (clamped to the text).
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.encode_utf16().count());
        Position {
            line,
            column: column + 1,
        }
    }

    /// The position of a line and a byte column as serde_json reports them in its errors
    /// (the column counts bytes, and is at most the line's length), in UTF-16 columns.
    pub fn position_of_byte_column(&self, line: usize, byte_column: usize) -> Position {
        let Some(start) = line.checked_sub(1).and_then(|l| self.line_starts.get(l)) else {
            return Position {
                line,
                column: byte_column.max(1),
            };
        };
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        let mut offset = (start + byte_column.saturating_sub(1)).min(end);
        // A byte column inside a multi-byte character means that character.
        while offset > *start && !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        self.position(offset)
    }
}

/// An array index token: digits without a leading zero (RFC 6901).
fn array_index(token: &str) -> Option<usize> {
    let digits = token.bytes().all(|b| b.is_ascii_digit());
    if !digits || token.is_empty() || (token.len() > 1 && token.starts_with('0')) {
        return None;
    }
    token.parse().ok()
}

struct Scanner<'t> {
    bytes: &'t [u8],
    pos: usize,
}

/// An open container while scanning: its node, and for an object the member whose value
/// comes next.
struct Open {
    node: usize,
    key: Option<String>,
    has_children: bool,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// A string starting at `pos` (on the quote): its unescaped text; `pos` after it.
    fn string(&mut self) -> Option<String> {
        let start = self.pos + 1;
        let mut i = start;
        let mut escaped = false;
        loop {
            match self.bytes.get(i)? {
                b'\\' => {
                    escaped = true;
                    i += 2;
                }
                b'"' => break,
                _ => i += 1,
            }
        }
        let raw = self.bytes.get(start..i)?;
        self.pos = i + 1;
        let raw = std::str::from_utf8(raw).ok()?;
        if !escaped {
            return Some(raw.to_string());
        }
        // The quotes make the raw text a JSON string literal again.
        serde_json::from_str(&format!("\"{raw}\"")).ok()
    }

    /// A number, `true`, `false` or `null`: up to the next delimiter.
    fn scalar(&mut self) -> bool {
        let start = self.pos;
        while matches!(self.peek(), Some(b) if !matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'[' | b'{' | b':'))
        {
            self.pos += 1;
        }
        self.pos > start
    }

    /// Scan the document into `nodes` (iteratively: nesting depth costs no stack), stopping
    /// at the first syntax error with what was read so far.
    fn document(&mut self, nodes: &mut Vec<Node>) {
        let mut stack: Vec<Open> = Vec::new();
        self.skip_ws();
        loop {
            // Expect a value here.
            let start = self.pos;
            let node = nodes.len();
            let children = match self.peek() {
                Some(b'{') => Children::Object(Vec::new()),
                Some(b'[') => Children::Array(Vec::new()),
                Some(b'"') => {
                    if self.string().is_none() {
                        return;
                    }
                    Children::Scalar
                }
                Some(_) if self.scalar() => Children::Scalar,
                _ => return,
            };
            let container = !matches!(children, Children::Scalar);
            nodes.push(Node {
                start,
                // A container's end is set when it closes; unclosed, it is its bracket.
                end: if container { start + 1 } else { self.pos },
                children,
            });
            if let Some(parent) = stack.last_mut() {
                parent.has_children = true;
                match nodes.get_mut(parent.node).map(|n| &mut n.children) {
                    Some(Children::Object(members)) => {
                        members.push((parent.key.take().unwrap_or_default(), node));
                    }
                    Some(Children::Array(items)) => items.push(node),
                    _ => return,
                }
            }
            if container {
                self.pos += 1;
                stack.push(Open {
                    node,
                    key: None,
                    has_children: false,
                });
            }
            // After a value (or an opening bracket): close containers, find the next value.
            loop {
                let Some(top) = stack.last() else {
                    return;
                };
                let top_node = top.node;
                let just_opened = !top.has_children;
                let is_object = matches!(
                    nodes.get(top_node).map(|n| &n.children),
                    Some(Children::Object(_))
                );
                self.skip_ws();
                match self.peek() {
                    Some(b'}' | b']') => {
                        self.pos += 1;
                        if let Some(n) = nodes.get_mut(top_node) {
                            n.end = self.pos;
                        }
                        stack.pop();
                        continue;
                    }
                    Some(b',') if !just_opened => {
                        self.pos += 1;
                        self.skip_ws();
                    }
                    _ if just_opened => {}
                    _ => return,
                }
                if is_object {
                    if self.peek() != Some(b'"') {
                        return;
                    }
                    let Some(key) = self.string() else {
                        return;
                    };
                    self.skip_ws();
                    if self.peek() != Some(b':') {
                        return;
                    }
                    self.pos += 1;
                    if let Some(top) = stack.last_mut() {
                        top.key = Some(key);
                    }
                }
                self.skip_ws();
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn at(text: &str, pointer: &str) -> Option<(usize, usize, usize, usize, String)> {
        SourceMap::new(text).locate(pointer).map(|s| {
            (
                s.start.line,
                s.start.column,
                s.end.line,
                s.end.column,
                s.pointer,
            )
        })
    }

    #[test]
    fn every_value_of_a_document_is_found() {
        let text = r#"{
  "a": {"b~c/d": [1, true, null, "x\"y"], "e": {}},
  "f": [[], [ -2.5e3 ]]
}"#;
        assert_eq!(at(text, ""), Some((1, 1, 4, 2, String::new())));
        assert_eq!(at(text, "/a"), Some((2, 8, 2, 51, "/a".into())));
        assert_eq!(
            at(text, "/a/b~0c~1d"),
            Some((2, 18, 2, 41, "/a/b~0c~1d".into()))
        );
        assert_eq!(
            at(text, "/a/b~0c~1d/1"),
            Some((2, 22, 2, 26, "/a/b~0c~1d/1".into()))
        );
        assert_eq!(
            at(text, "/a/b~0c~1d/3"),
            Some((2, 34, 2, 40, "/a/b~0c~1d/3".into()))
        );
        assert_eq!(at(text, "/a/e"), Some((2, 48, 2, 50, "/a/e".into())));
        assert_eq!(at(text, "/f/1/0"), Some((3, 15, 3, 21, "/f/1/0".into())));
    }

    #[test]
    fn a_missing_member_names_the_deepest_value_that_exists() {
        let text = "{\"a\": [10, 20]}";
        assert_eq!(at(text, "/a/2"), Some((1, 7, 1, 15, "/a".into())));
        assert_eq!(at(text, "/a/01"), Some((1, 7, 1, 15, "/a".into())));
        assert_eq!(at(text, "/a/1/x"), Some((1, 12, 1, 14, "/a/1".into())));
        assert_eq!(at(text, "/zz"), Some((1, 1, 1, 16, String::new())));
        assert_eq!(at("", "/a"), None);
        assert_eq!(at("  ", ""), None);
    }

    #[test]
    fn a_key_written_twice_names_its_last_value() {
        assert_eq!(
            at("{\"a\": 1,\n \"a\": 2}", "/a"),
            Some((2, 7, 2, 8, "/a".into()))
        );
    }

    #[test]
    fn escaped_names_match_their_text() {
        assert_eq!(
            at(r#"{"\u0061\n": 1}"#, "/a\n"),
            Some((1, 14, 1, 15, "/a\n".into()))
        );
    }

    #[test]
    fn columns_count_utf16_code_units() {
        // `é` is one unit (two bytes), `😀` two units (four bytes).
        let text = "{\"é😀\": \"x\", \"k\": 1}";
        assert_eq!(at(text, "/é😀"), Some((1, 9, 1, 12, "/é😀".into())));
        assert_eq!(at(text, "/k"), Some((1, 19, 1, 20, "/k".into())));
        let map = SourceMap::new(text);
        // serde_json's byte column 9 (after `"é😀"`) is UTF-16 column 6.
        assert_eq!(
            map.position_of_byte_column(1, 9),
            Position { line: 1, column: 6 }
        );
        // A byte column inside the emoji means the emoji.
        assert_eq!(
            map.position_of_byte_column(1, 5),
            Position { line: 1, column: 4 }
        );
        assert_eq!(
            map.position_of_byte_column(7, 3),
            Position { line: 7, column: 3 }
        );
    }

    #[test]
    fn text_that_is_not_json_locates_what_was_read() {
        let text = "{\"a\": [1, 2,, 3], \"b\": 4}";
        assert_eq!(at(text, "/a/1"), Some((1, 11, 1, 12, "/a/1".into())));
        assert_eq!(at(text, "/b"), Some((1, 1, 1, 2, String::new())));
        for broken in [
            "{", "[", "{\"a\"", "{\"a\":", "\"abc", "[1 2]", "{1: 2}", "}",
        ] {
            let _ = SourceMap::new(broken).locate("/a/0");
        }
    }

    fn arb_json() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            "\\PC{0,6}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec(("[a-z~/é\"\\\\]{0,4}", inner), 0..5)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    /// Every pointer of a value, with the value it names.
    fn pointers(
        value: &serde_json::Value,
        prefix: String,
        out: &mut Vec<(String, serde_json::Value)>,
    ) {
        out.push((prefix.clone(), value.clone()));
        match value {
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    pointers(item, format!("{prefix}/{i}"), out);
                }
            }
            serde_json::Value::Object(members) => {
                for (key, item) in members {
                    let token = crate::json::pointer_token(key);
                    pointers(item, format!("{prefix}/{token}"), out);
                }
            }
            _ => {}
        }
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn every_pointer_names_the_text_of_its_value(value in arb_json(), pretty in any::<bool>()) {
            let text = if pretty {
                serde_json::to_string_pretty(&value).unwrap()
            } else {
                serde_json::to_string(&value).unwrap()
            };
            let map = SourceMap::new(&text);
            let mut all = Vec::new();
            pointers(&value, String::new(), &mut all);
            for (pointer, expected) in all {
                let (node, found) = map.node(&pointer).unwrap();
                prop_assert_eq!(&found, &pointer);
                let written: serde_json::Value =
                    serde_json::from_str(&text[node.start..node.end]).unwrap();
                // Parsed again on both sides: serde_json's float parsing may not round-trip.
                let expected: serde_json::Value =
                    serde_json::from_str(&serde_json::to_string(&expected).unwrap()).unwrap();
                prop_assert_eq!(written, expected);
            }
        }

        #[test]
        fn any_text_is_scanned_without_panicking(text in "\\PC{0,40}", pointer in "(/[a-z0-9~]{0,3}){0,4}") {
            let map = SourceMap::new(&text);
            if let Some(span) = map.locate(&pointer) {
                prop_assert!(span.start <= span.end);
                prop_assert!(pointer.starts_with(&span.pointer));
            }
        }
    }

    #[test]
    fn deep_nesting_costs_no_stack() {
        let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let pointer = "/0".repeat(99_999);
        let span = SourceMap::new(&text).locate(&pointer).unwrap();
        assert_eq!(
            span.start,
            Position {
                line: 1,
                column: 100_000
            }
        );
        assert_eq!(
            span.end,
            Position {
                line: 1,
                column: 100_002
            }
        );
    }
}
