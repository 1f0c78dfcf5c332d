//! A serde deserializer over [`Node`] trees. It differs from a plain one in two ways
//! that matter to users: every error carries the position and path of the value that
//! caused it, and unknown keys are recorded (with a "did you mean") and skipped rather
//! than ending the file, so that one run reports all of them.

pub use super::error::DeError;
use super::yaml::{Key, Node, Value};
use crate::suggest::did_you_mean;
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use std::cell::RefCell;
use std::fmt;

/// A linked path from the entry's root to the current value, rendered only on error.
#[derive(Clone, Copy)]
pub enum Path<'a> {
    Root(&'a str),
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Path::Root(r) => f.write_str(r),
            Path::Key(parent, k) => {
                let p = parent.to_string();
                if p.is_empty() { write!(f, "{k}") } else { write!(f, "{p}.{k}") }
            }
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// Unknown keys found while deserialising, each with position, path and suggestion.
pub type UnknownKeys = RefCell<Vec<DeError>>;

/// Deserialises `node` into `T`. Unknown keys are pushed to `unknown` and skipped.
pub fn from_node<T: de::DeserializeOwned>(node: &Node, root: &str, unknown: &UnknownKeys) -> Result<T, DeError> {
    let path = Path::Root(root);
    T::deserialize(NodeDe { node, path: &path, unknown })
}

struct NodeDe<'n, 'p> {
    node: &'n Node,
    path: &'p Path<'p>,
    unknown: &'p UnknownKeys,
}

impl<'n, 'p> NodeDe<'n, 'p> {
    fn fail<T>(&self, r: Result<T, DeError>) -> Result<T, DeError> {
        r.map_err(|e| e.at(self.node.pos, self.path))
    }

    fn scalar_text(&self) -> Option<String> {
        match &self.node.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    fn type_error(&self, expected: &str) -> DeError {
        let found = match &self.node.value {
            Value::Str(s) if s.is_empty() => "an empty string".to_string(),
            Value::Str(s) => format!("\"{s}\""),
            other => other.kind().to_string(),
        };
        de::Error::custom(format_args!("expected {expected}, found {found}"))
    }
}

macro_rules! forward_to_any {
    ($($m:ident)*) => { $(
        fn $m<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> { self.deserialize_any(v) }
    )* };
}

impl<'de, 'n, 'p> de::Deserializer<'de> for NodeDe<'n, 'p> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match &self.node.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Int(i) => match i64::try_from(*i) {
                Ok(v) => visitor.visit_i64(v),
                Err(_) => visitor.visit_i128(*i),
            },
            Value::Float(f) => visitor.visit_f64(*f),
            Value::Str(s) => visitor.visit_str(s),
            Value::Seq(items) => visitor.visit_seq(SeqDe { items: items.iter().enumerate(), path: self.path, unknown: self.unknown }),
            Value::Map(entries) => visitor.visit_map(MapDe::new(entries, self.path, self.unknown, None)),
        };
        self.fail(r)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        // YAML users write `version: 5` or `account: 111122223333` and mean text.
        match self.scalar_text() {
            Some(s) => {
                let r = visitor.visit_string(s);
                self.fail(r)
            }
            None => Err(self.type_error("a string").at(self.node.pos, self.path)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.node.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(self, name: &'static str, fields: &'static [&'static str], visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Map(entries) => {
                let r = visitor.visit_map(MapDe::new(entries, self.path, self.unknown, Some(fields)));
                self.fail(r)
            }
            _ => Err(self.type_error(&format!("a mapping ({})", humanise(name))).at(self.node.pos, self.path)),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Seq(items) => {
                let r = visitor.visit_seq(SeqDe { items: items.iter().enumerate(), path: self.path, unknown: self.unknown });
                self.fail(r)
            }
            _ => Err(self.type_error("a list").at(self.node.pos, self.path)),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Map(entries) => {
                let r = visitor.visit_map(MapDe::new(entries, self.path, self.unknown, None));
                self.fail(r)
            }
            _ => Err(self.type_error("a mapping").at(self.node.pos, self.path)),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.node.value {
            Value::Bool(b) => self.fail(visitor.visit_bool(b)),
            _ => Err(self.type_error("`true` or `false`").at(self.node.pos, self.path)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(self, _name: &'static str, variants: &'static [&'static str], visitor: V) -> Result<V::Value, DeError> {
        let r = match &self.node.value {
            Value::Str(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            Value::Map(entries) if entries.len() == 1 => {
                let (key, value) = &entries[0];
                visitor.visit_enum(EnumDe { key, value, path: self.path, unknown: self.unknown })
            }
            _ => {
                let list = variants.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ");
                return Err(self.type_error(&format!("one of {list}")).at(self.node.pos, self.path));
            }
        };
        self.fail(r)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    forward_to_any! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char deserialize_bytes deserialize_byte_buf
        deserialize_unit deserialize_identifier
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _n: &'static str, v: V) -> Result<V::Value, DeError> {
        self.deserialize_any(v)
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, v: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(v)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(self, _n: &'static str, _len: usize, v: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(v)
    }
}

/// "ServiceDef" → "service def": struct names in messages, for orientation only.
fn humanise(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

struct SeqDe<'n, 'p> {
    items: std::iter::Enumerate<std::slice::Iter<'n, Node>>,
    path: &'p Path<'p>,
    unknown: &'p UnknownKeys,
}

impl<'de> de::SeqAccess<'de> for SeqDe<'_, '_> {
    type Error = DeError;
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            None => Ok(None),
            Some((i, node)) => {
                let path = Path::Index(self.path, i);
                seed.deserialize(NodeDe { node, path: &path, unknown: self.unknown }).map(Some).map_err(|e| e.at(node.pos, &path))
            }
        }
    }
}

struct MapDe<'n, 'p> {
    entries: std::slice::Iter<'n, (Key, Node)>,
    current: Option<&'n (Key, Node)>,
    path: &'p Path<'p>,
    unknown: &'p UnknownKeys,
    fields: Option<&'static [&'static str]>,
}

impl<'n, 'p> MapDe<'n, 'p> {
    fn new(entries: &'n [(Key, Node)], path: &'p Path<'p>, unknown: &'p UnknownKeys, fields: Option<&'static [&'static str]>) -> Self {
        MapDe { entries: entries.iter(), current: None, path, unknown, fields }
    }
}

impl<'de> de::MapAccess<'de> for MapDe<'_, '_> {
    type Error = DeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        loop {
            let Some(entry) = self.entries.next() else { return Ok(None) };
            let (key, _) = entry;
            if let Some(fields) = self.fields
                && !fields.contains(&key.name.as_str())
            {
                let path = Path::Key(self.path, &key.name);
                let mut err = DeError { pos: Some(key.pos), path: path.to_string(), message: format!("unknown key `{}`", key.name), help: None };
                err.help = Some(match did_you_mean(&key.name, fields.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("expected one of {}", fields.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")),
                });
                self.unknown.borrow_mut().push(err);
                continue;
            }
            self.current = Some(entry);
            let path = Path::Key(self.path, &key.name);
            return seed.deserialize(key.name.as_str().into_deserializer()).map(Some).map_err(|e: DeError| e.at(key.pos, &path));
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let (key, node) = self.current.take().expect("serde asks for a value after a key");
        let path = Path::Key(self.path, &key.name);
        seed.deserialize(NodeDe { node, path: &path, unknown: self.unknown }).map_err(|e| e.at(node.pos, &path))
    }
}

struct EnumDe<'n, 'p> {
    key: &'n Key,
    value: &'n Node,
    path: &'p Path<'p>,
    unknown: &'p UnknownKeys,
}

impl<'de, 'n, 'p> de::EnumAccess<'de> for EnumDe<'n, 'p> {
    type Error = DeError;
    type Variant = VariantDe<'n, 'p>;
    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self::Variant), DeError> {
        let path = Path::Key(self.path, &self.key.name);
        let v = seed.deserialize(self.key.name.as_str().into_deserializer()).map_err(|e: DeError| e.at(self.key.pos, &path))?;
        Ok((v, VariantDe { key: self.key, value: self.value, path: self.path, unknown: self.unknown }))
    }
}

struct VariantDe<'n, 'p> {
    key: &'n Key,
    value: &'n Node,
    path: &'p Path<'p>,
    unknown: &'p UnknownKeys,
}

impl<'de> de::VariantAccess<'de> for VariantDe<'_, '_> {
    type Error = DeError;
    fn unit_variant(self) -> Result<(), DeError> {
        Ok(())
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        let path = Path::Key(self.path, &self.key.name);
        seed.deserialize(NodeDe { node: self.value, path: &path, unknown: self.unknown }).map_err(|e| e.at(self.value.pos, &path))
    }
    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        let path = Path::Key(self.path, &self.key.name);
        de::Deserializer::deserialize_seq(NodeDe { node: self.value, path: &path, unknown: self.unknown }, visitor)
    }
    fn struct_variant<V: Visitor<'de>>(self, fields: &'static [&'static str], visitor: V) -> Result<V::Value, DeError> {
        let path = Path::Key(self.path, &self.key.name);
        de::Deserializer::deserialize_struct(NodeDe { node: self.value, path: &path, unknown: self.unknown }, "", fields, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::yaml::parse;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Step {
        timeout: u32,
        notify: Vec<String>,
    }

    #[test]
    fn unknown_keys_are_all_collected_with_suggestions() {
        let node = parse("timeout: 5\ntimout: 3\nnotfy: [a]\nnotify: [a]\n").unwrap();
        let unknown = UnknownKeys::default();
        let step: Step = from_node(&node, "steps[0]", &unknown).unwrap();
        assert_eq!(step.timeout, 5);
        let errs = unknown.into_inner();
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].pos.unwrap().line, 2);
        assert_eq!(errs[0].help.as_deref(), Some("did you mean `timeout`?"));
        assert_eq!(errs[1].path, "steps[0].notfy");
    }

    #[test]
    fn type_errors_point_at_the_value() {
        let node = parse("timeout: 5\nnotify:\n  - a\n  - [b]\n").unwrap();
        let unknown = UnknownKeys::default();
        let err = from_node::<Step>(&node, "", &unknown).unwrap_err();
        assert_eq!(err.pos.unwrap().line, 4);
        assert_eq!(err.path, "notify[1]");
        assert!(err.message.contains("expected a string"), "{}", err.message);
    }

    #[test]
    fn missing_keys_point_at_the_mapping() {
        let node = parse("x:\n  timeout: 5\n").unwrap();
        let unknown = UnknownKeys::default();
        let err = from_node::<Step>(node.get("x").unwrap(), "x", &unknown).unwrap_err();
        assert_eq!(err.pos.unwrap().line, 2);
        assert!(err.message.contains("`notify`"));
    }
}
