//! The one place that talks to the YAML parser (serde-saphyr): every file becomes a tree
//! of [`Node`]s in which every value and every key knows its line and column.
//!
//! Keeping the parser behind this module means a parser upgrade touches one file, and the
//! typed model is deserialised from the tree by [`super::de`], which can collect every
//! unknown key of a file instead of stopping at the first one.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// A 1-based line and column in a source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// A YAML value with its position.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

/// A key of a mapping with its position.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    pub pos: Pos,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Entries),
}

/// A mapping's entries in their written order, with an index by key for large mappings
/// (a model's `runbooks:` may have 20,000 entries, and every result locates into them).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Entries {
    list: Vec<(Key, Node)>,
    index: Option<std::collections::HashMap<String, usize>>,
}

impl Entries {
    /// Mappings longer than this are indexed.
    const INDEXED: usize = 16;

    pub fn new(list: Vec<(Key, Node)>) -> Entries {
        let index = (list.len() > Self::INDEXED).then(|| {
            let mut index = std::collections::HashMap::with_capacity(list.len());
            for (i, (k, _)) in list.iter().enumerate() {
                index.entry(k.name.clone()).or_insert(i);
            }
            index
        });
        Entries { list, index }
    }

    /// The value of `key` (the first, if the key repeats).
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.index {
            Some(index) => index.get(key).map(|&i| &self.list[i].1),
            None => self.list.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
        }
    }
}

impl<'a> IntoIterator for &'a Entries {
    type Item = &'a (Key, Node);
    type IntoIter = std::slice::Iter<'a, (Key, Node)>;
    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}

impl std::ops::Deref for Entries {
    type Target = [(Key, Node)];
    fn deref(&self) -> &Self::Target {
        &self.list
    }
}

impl Value {
    /// How a user would name this kind of value in an error message.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.get(key),
            _ => None,
        }
    }

    /// The value as JSON (for schema validation and JSON pointers); keys keep their order.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => i64::try_from(*i).map(J::from).unwrap_or_else(|_| J::from(*i as f64)),
            Value::Float(f) => serde_json::Number::from_f64(*f).map(J::Number).unwrap_or(J::Null),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(entries.iter().map(|(k, v)| (k.name.clone(), v.to_json())).collect()),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The node an RFC 6901 pointer names, or the deepest existing ancestor of it; the
    /// second value says whether the whole pointer resolved.
    pub fn resolve_pointer(&self, pointer: &str) -> (&Node, bool) {
        let mut node = self;
        if pointer.is_empty() {
            return (node, true);
        }
        for raw in pointer.trim_start_matches('/').split('/') {
            let segment = raw.replace("~1", "/").replace("~0", "~");
            let next = match &node.value {
                Value::Map(entries) => entries.get(&segment),
                Value::Seq(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => return (node, false),
            }
        }
        (node, true)
    }
}

/// A YAML syntax problem, with its position when the parser knows it.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub pos: Option<Pos>,
    pub message: String,
}

/// The most nodes one model file may have (a 10,000-service model in one file has about
/// 1.5 million); larger models are split into files, each with its own budget.
pub const MAX_NODES: usize = 4_000_000;

/// Parses one YAML document into a [`Node`] tree. Duplicate keys, bad indentation and
/// the like are syntax errors; `yes`/`no` are strings, not booleans.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    // Every node of a plain document takes at least one byte of it, so budgets scaled to
    // the text's length never refuse a legitimate model, however large (the model file cap
    // is in `read`); what aliases expand is bounded by the same budgets, so an alias bomb
    // ("billion laughs") is refused after at most twice the document's size in events.
    let scale = text.len();
    let options = serde_saphyr::options! {
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        budget: serde_saphyr::budget! {
            max_nodes: scale.clamp(250_000, MAX_NODES),
            max_events: scale.saturating_mul(2).clamp(1_000_000, 2 * MAX_NODES),
        },
    };
    if text.trim().is_empty() {
        return Ok(Node { pos: Pos { line: 1, column: 1 }, value: Value::Null });
    }
    match serde_saphyr::from_str_with_options::<Spanned<Tree>>(text, options) {
        Ok(spanned) => Ok(into_node(spanned)),
        Err(err) => {
            let pos = err.location().and_then(|l| (l.line() > 0).then(|| Pos { line: l.line() as u32, column: l.column().max(1) as u32 }));
            let message = error_message(&err, text.len());
            Err(SyntaxError { pos, message })
        }
    }
}

/// A budget breach, in words (the crate renders it as "budget breached: " and the Debug form
/// of its breach, also when the error has passed through serde's custom errors). `len` is
/// the document's length: a plain document has at most one node per byte, so a node or
/// event budget breached below [`MAX_NODES`] bytes is alias expansion.
fn budget_message(first_line: &str, len: usize) -> Option<String> {
    let breach = first_line.split("budget breached: ").nth(1)?;
    let kind: String = breach.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    let alias_bomb = "the document's aliases expand to far more than the document itself (an alias bomb?): write the values out or use fewer aliases";
    Some(match kind.as_str() {
        "Nodes" | "Events" if len > MAX_NODES => format!("the file has more than {MAX_NODES} values: split the model into several files"),
        "Nodes" | "Events" | "Aliases" | "AliasAnchorRatio" | "RecordedAnchorEvents" | "RecordedAnchorBytes" => alias_bomb.to_string(),
        "Depth" => "the values are nested more deeply than a model ever needs (64 levels)".to_string(),
        "Anchors" => "the file defines more anchors than a model needs (50,000)".to_string(),
        "MergeKeys" => "the file has more merge keys (`<<`) than a model needs (10,000)".to_string(),
        _ => "the file is larger or more deeply structured than a model file may be".to_string(),
    })
}

fn error_message(err: &serde_saphyr::Error, len: usize) -> String {
    // The crate's rendering includes a snippet; we render our own, so keep the first line
    // and drop the crate's own " at line X, column Y" suffix.
    let text = err.without_snippet().to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim().to_string();
    if let Some(m) = budget_message(&first, len) {
        return m;
    }
    match first.find(" at line ") {
        Some(i) => first[..i].to_string(),
        None => first,
    }
}

fn pos_of(loc: &serde_saphyr::Location) -> Pos {
    Pos { line: loc.line().max(1) as u32, column: loc.column().max(1) as u32 }
}

fn into_node(spanned: Spanned<Tree>) -> Node {
    // `referenced` is where the value is written (an alias, if it is one); `defined` is
    // where an anchored value was defined. Diagnostics point where the user wrote it.
    let pos = pos_of(&spanned.referenced);
    let value = match spanned.value {
        Tree::Null => Value::Null,
        Tree::Bool(b) => Value::Bool(b),
        Tree::Int(i) => Value::Int(i),
        Tree::Float(f) => Value::Float(f),
        Tree::Str(s) => Value::Str(s),
        Tree::Seq(items) => Value::Seq(items.into_iter().map(into_node).collect()),
        Tree::Map(entries) => Value::Map(Entries::new(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let kpos = pos_of(&k.referenced);
                    let name = match k.value {
                        Tree::Str(s) => s,
                        Tree::Int(i) => i.to_string(),
                        Tree::Bool(b) => b.to_string(),
                        Tree::Float(f) => f.to_string(),
                        Tree::Null => "null".to_string(),
                        Tree::Seq(_) | Tree::Map(_) => "<complex key>".to_string(),
                    };
                    (Key { pos: kpos, name }, into_node(v))
                })
                .collect(),
        )),
    };
    Node { pos, value }
}

/// The parser-facing twin of [`Value`], whose children carry serde-saphyr spans.
enum Tree {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<Tree>>),
    Map(Vec<(Spanned<Tree>, Spanned<Tree>)>),
}

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TreeVisitor)
    }
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Tree;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Tree, E> {
        Ok(Tree::Null)
    }
    fn visit_none<E>(self) -> Result<Tree, E> {
        Ok(Tree::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Tree, D::Error> {
        Tree::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Tree, E> {
        Ok(Tree::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Tree, E> {
        Ok(Tree::Int(v as i128))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Tree, E> {
        Ok(Tree::Int(v as i128))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Tree, E> {
        Ok(Tree::Int(v))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Tree, E> {
        i128::try_from(v).map(Tree::Int).map_err(|_| E::custom("integer too large"))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Tree, E> {
        Ok(Tree::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Tree, E> {
        Ok(Tree::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Tree, E> {
        Ok(Tree::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Tree>>()? {
            items.push(item);
        }
        Ok(Tree::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, v)) = map.next_entry::<Spanned<Tree>, Spanned<Tree>>()? {
            entries.push((k, v));
        }
        Ok(Tree::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_node_has_its_position() {
        let node = parse("a: 1\nb:\n  - x\n  - { c: true }\n").unwrap();
        let b = node.get("b").unwrap();
        assert_eq!(b.pos.line, 3);
        let (c, ok) = node.resolve_pointer("/b/1/c");
        assert!(ok);
        assert_eq!((c.pos.line, c.pos.column), (4, 10));
        assert_eq!(c.value, Value::Bool(true));
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = parse("a: 1\na: 2\n").unwrap_err();
        assert!(err.message.to_lowercase().contains("duplicate"), "{}", err.message);
        assert_eq!(err.pos.unwrap().line, 2);
    }

    #[test]
    fn yes_is_a_string() {
        let node = parse("a: yes\n").unwrap();
        assert_eq!(node.get("a").unwrap().value, Value::Str("yes".into()));
    }

    #[test]
    fn unresolved_pointer_gives_deepest_ancestor() {
        let node = parse("a:\n  b: 1\n").unwrap();
        let (n, ok) = node.resolve_pointer("/a/zz");
        assert!(!ok);
        assert_eq!(n.pos.line, 2);
    }
}
