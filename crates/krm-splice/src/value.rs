//! New values the editor writes, and how they are rendered to match their surroundings.
//!
//! Every string is written so that every YAML reader takes it as that string: double-quoted
//! (as a JSON string, which is also a valid YAML double-quoted scalar), or plain where the
//! text is a plain string to every reader and the caller allows it.

use crate::scalar::plain_safe;

/// A mapping key: most are fixed names (`name`, `value`, `severity`), held without a copy.
pub type Key = std::borrow::Cow<'static, str>;

/// A value to write.
///
/// Rendered where it goes: in block context a collection is written as indented lines
/// (only where the place allows: a new entry or item, or in place of a null), in flow
/// context JSON-shaped (`{"k": "v"}`, every string double-quoted), so that a JSON input stays
/// JSON. Strings are written so that every YAML reader reads them back as the same string.
///
/// ```
/// use krm_splice::Value;
/// let env = Value::map([("name", Value::word("LOG_LEVEL")), ("value", Value::str("debug"))]);
/// assert_eq!(
///     env.to_json(), // as the changes record holds it
///     serde_json::json!({"name": "LOG_LEVEL", "value": "debug"})
/// );
/// // Value::word("platform") is written `platform` in block context; Value::word("true"),
/// // Value::word("0644"), Value::word("a: b") are written double-quoted, as strings.
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A string, written double-quoted.
    Str(String),
    /// A string written plain in block context when every reader takes it as that string
    /// (`FEATURE_FLAG`, `info`), double-quoted otherwise and in flow context.
    Word(String),
    /// An integer.
    Int(i64),
    /// A mapping, in this key order.
    Map(Vec<(Key, Value)>),
    /// A sequence.
    Seq(Vec<Value>),
}

impl Value {
    /// A string, double-quoted.
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(s.into())
    }

    /// A string, plain in block context where that is safe.
    pub fn word(s: impl Into<String>) -> Value {
        Value::Word(s.into())
    }

    /// A mapping from pairs (keys as `&'static str` are not copied).
    pub fn map<K: Into<Key>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// As JSON (for the change record).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Str(s) | Value::Word(s) => serde_json::Value::String(s.clone()),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Map(m) => serde_json::Value::Object(
                m.iter()
                    .map(|(k, v)| (k.to_string(), v.to_json()))
                    .collect(),
            ),
            Value::Seq(s) => serde_json::Value::Array(s.iter().map(Value::to_json).collect()),
        }
    }

    pub(crate) fn is_collection(&self) -> bool {
        matches!(self, Value::Map(_) | Value::Seq(_))
    }
}

/// A string as a JSON (and YAML double-quoted) scalar.
pub fn quoted(s: &str) -> String {
    // Escape every non-printable character, so that the result is also valid YAML.
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20
                || (0x7f..=0x9f).contains(&(c as u32))
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
                || c == '\u{fffe}'
                || c == '\u{ffff}' =>
            {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A mapping key in block context: plain when safe, quoted otherwise.
pub(crate) fn block_key(k: &str) -> String {
    if plain_safe(k) {
        k.to_owned()
    } else {
        quoted(k)
    }
}

/// A scalar value (not a collection) in block context.
pub(crate) fn block_scalar(v: &Value) -> String {
    match v {
        Value::Str(s) => quoted(s),
        Value::Word(s) if plain_safe(s) => s.clone(),
        Value::Word(s) => quoted(s),
        Value::Int(i) => i.to_string(),
        Value::Map(m) if m.is_empty() => "{}".into(),
        Value::Seq(s) if s.is_empty() => "[]".into(),
        other => flow(other),
    }
}

/// A value in flow context, JSON-shaped: `{"k": "v", "n": 1}`, `["a", "b"]`.
pub(crate) fn flow(v: &Value) -> String {
    let mut s = String::new();
    write_flow(v, &mut s);
    s
}

/// `prefix` then the value in flow context, in one buffer sized to fit (a value can be all
/// of a large list's results).
pub(crate) fn flow_after(prefix: &str, v: &Value) -> String {
    let mut s = String::from(prefix);
    write_flow(v, &mut s);
    s.shrink_to_fit();
    s
}

fn write_flow(v: &Value, s: &mut String) {
    match v {
        Value::Str(x) | Value::Word(x) => s.push_str(&quoted(x)),
        Value::Int(i) => s.push_str(&i.to_string()),
        Value::Map(m) => {
            s.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                s.push_str(&quoted(k));
                s.push_str(": ");
                write_flow(v, s);
            }
            s.push('}');
        }
        Value::Seq(items) => {
            s.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                write_flow(v, s);
            }
            s.push(']');
        }
    }
}

/// How block content is indented: where a sequence's dashes sit relative to its key
/// (`seq_offset`), and where a new item's keys sit relative to its dash (`item_key`, at least
/// 2).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Indent {
    pub seq_offset: usize,
    pub map_step: usize,
}

/// Lines (without line breaks) for `key: value` at column `col`.
pub(crate) fn block_entry(key: &str, v: &Value, col: usize, ind: Indent) -> Vec<String> {
    let pad = " ".repeat(col);
    let k = block_key(key);
    match v {
        Value::Map(m) if !m.is_empty() => {
            let mut out = vec![format!("{pad}{k}:")];
            for (ck, cv) in m {
                out.extend(block_entry(ck, cv, col + ind.map_step, ind));
            }
            out
        }
        Value::Seq(items) if !items.is_empty() => {
            let mut out = vec![format!("{pad}{k}:")];
            let dash = col + ind.seq_offset;
            for item in items {
                out.extend(block_item(item, dash, dash + 2, ind));
            }
            out
        }
        other => vec![format!("{pad}{k}: {}", block_scalar(other))],
    }
}

/// Lines for a sequence item `- value` with the dash at column `dash`, and a mapping item's
/// keys at column `key_col` (at least `dash + 2`).
pub(crate) fn block_item(v: &Value, dash: usize, key_col: usize, ind: Indent) -> Vec<String> {
    let key_col = key_col.max(dash + 2);
    match v {
        Value::Map(m) if !m.is_empty() => {
            let mut out = Vec::new();
            for (i, (k, cv)) in m.iter().enumerate() {
                let mut lines = block_entry(k, cv, key_col, ind);
                if i == 0 {
                    let first = &lines[0][key_col..];
                    lines[0] = format!(
                        "{}-{}{first}",
                        " ".repeat(dash),
                        " ".repeat(key_col - dash - 1)
                    );
                }
                out.extend(lines);
            }
            out
        }
        Value::Seq(items) if !items.is_empty() => {
            vec![format!("{}- {}", " ".repeat(dash), flow(v))]
        }
        other => vec![format!("{}- {}", " ".repeat(dash), block_scalar(other))],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders() {
        let entry = Value::map([
            ("name", Value::word("FEATURE_FLAG")),
            ("value", Value::str("true")),
        ]);
        assert_eq!(flow(&entry), r#"{"name": "FEATURE_FLAG", "value": "true"}"#);
        let ind = Indent {
            seq_offset: 0,
            map_step: 2,
        };
        assert_eq!(
            block_item(&entry, 4, 6, ind),
            ["    - name: FEATURE_FLAG", "      value: \"true\""]
        );
        assert_eq!(
            block_entry("env", &Value::Seq(vec![entry.clone()]), 2, ind),
            ["  env:", "  - name: FEATURE_FLAG", "    value: \"true\""]
        );
        let nested = Value::map([("a", Value::map([("b", Value::Int(3))]))]);
        assert_eq!(block_item(&nested, 0, 2, ind), ["- a:", "    b: 3"]);
        assert_eq!(quoted("a\"b\u{2028}"), "\"a\\\"b\\u2028\"");
        assert_eq!(block_scalar(&Value::word("yes")), "\"yes\"");
    }
}
