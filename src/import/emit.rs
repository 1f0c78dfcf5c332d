//! A small YAML emitter for the import's fragment: block mappings and sequences, flow lists
//! of scalars, and strings plain when YAML reads them back as the same string (quoted as
//! JSON strings, which YAML reads the same way, otherwise). Deterministic: the order is the
//! order of the values given.

use serde_json::Value;

/// `value` (a mapping) as a YAML document body.
pub fn document(value: &Value) -> String {
    let mut out = String::new();
    if let Value::Object(map) = value {
        for (k, v) in map {
            entry(&mut out, 0, k, v);
        }
    }
    out
}

fn entry(out: &mut String, indent: usize, key: &str, v: &Value) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) if m.is_empty() => out.push_str(&format!("{pad}{}: {{}}\n", scalar_key(key))),
        Value::Object(m) => {
            out.push_str(&format!("{pad}{}:\n", scalar_key(key)));
            for (k, v) in m {
                entry(out, indent + 2, k, v);
            }
        }
        Value::Array(items) if items.iter().all(is_scalar) => out.push_str(&format!("{pad}{}: {}\n", scalar_key(key), flow(items))),
        Value::Array(items) => {
            out.push_str(&format!("{pad}{}:\n", scalar_key(key)));
            for item in items {
                list_item(out, indent + 2, item);
            }
        }
        scalar => out.push_str(&format!("{pad}{}: {}\n", scalar_key(key), plain(scalar))),
    }
}

fn list_item(out: &mut String, indent: usize, item: &Value) {
    let pad = " ".repeat(indent);
    match item {
        Value::Object(m) if !m.is_empty() => {
            // `- key: value` then the other keys aligned under the first.
            let mut first = true;
            for (k, v) in m {
                let mut one = String::new();
                entry(&mut one, indent + 2, k, v);
                if first {
                    out.push_str(&format!("{pad}- {}", &one[indent + 2..]));
                    first = false;
                } else {
                    out.push_str(&one);
                }
            }
        }
        Value::Array(items) if items.iter().all(is_scalar) => out.push_str(&format!("{pad}- {}\n", flow(items))),
        other if is_scalar(other) => out.push_str(&format!("{pad}- {}\n", plain(other))),
        other => out.push_str(&format!("{pad}- {}\n", serde_json::to_string(other).unwrap_or_default())),
    }
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
}

fn flow(items: &[Value]) -> String {
    format!("[{}]", items.iter().map(plain).collect::<Vec<_>>().join(", "))
}

fn scalar_key(k: &str) -> String {
    plain(&Value::String(k.to_string()))
}

/// A scalar as YAML: numbers and booleans as they are; a string plain when it is safe
/// (letters, digits and `-_.:/@+` inside, no leading indicator, not a YAML keyword or
/// number), else JSON-quoted.
pub fn plain(v: &Value) -> String {
    match v {
        Value::String(s) if safe(s) => s.clone(),
        Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

fn safe(s: &str) -> bool {
    let keyword = matches!(s.to_ascii_lowercase().as_str(), "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n" | "~");
    // Digits and colons (`09:00`) are sexagesimal numbers to YAML 1.1 readers.
    let numeric = s.parse::<f64>().is_ok() || s.starts_with("0x") || s.starts_with("0o") || s.chars().all(|c| c.is_ascii_digit() || c == ':');
    !s.is_empty()
        && !keyword
        && !numeric
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:/@+".contains(c))
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && !s.contains(": ")
        && !s.ends_with(':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_that_yaml_would_read_otherwise_are_quoted() {
        for (s, want) in [("alice", "alice"), ("yes", "\"yes\""), ("1.5", "\"1.5\""), ("09:00", "\"09:00\""), ("a b", "\"a b\""), ("-x", "\"-x\""), ("PT5M", "PT5M"), ("", "\"\"")] {
            assert_eq!(plain(&Value::String(s.into())), want, "{s}");
        }
    }

    #[test]
    fn nested_documents_read_back_as_the_same_value() {
        let v = serde_json::json!({ "contacts": [{ "id": "a", "channels": [{ "type": "sms", "address": "+1 555" }], "holidays": [] }], "rotations": { "r": { "members": ["a", "b"], "start": "2026-01-05T09:00" } } });
        let text = document(&v);
        let back: Value = serde_saphyr::from_str(&text).unwrap();
        assert_eq!(back, v, "{text}");
    }
}
