//! How Kubernetes' YAML readers type a scalar. kyaml (go-yaml v3) and kubectl (go-yaml v2
//! through sigs.k8s.io/yaml) disagree on some plain scalars (`yes`, `0644`, `1_000`, `12:30`);
//! this module answers conservatively: a plain scalar is a string only if *every* reader
//! takes it as one, and two keys are the same key if *any* reader takes them as one.

use std::hash::{Hash, Hasher};

/// The source notation of a scalar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Style {
    /// Unquoted.
    Plain,
    /// `'...'`
    SingleQuoted,
    /// `"..."`
    DoubleQuoted,
    /// `|`
    Literal,
    /// `>`
    Folded,
}

impl Style {
    pub(crate) fn of(s: granit_parser::ScalarStyle) -> Style {
        use granit_parser::ScalarStyle as S;
        match s {
            S::Plain => Style::Plain,
            S::SingleQuoted => Style::SingleQuoted,
            S::DoubleQuoted => Style::DoubleQuoted,
            S::Literal => Style::Literal,
            S::Folded => Style::Folded,
        }
    }

    /// `|` or `>`.
    pub fn is_block(self) -> bool {
        matches!(self, Style::Literal | Style::Folded)
    }

    /// `'...'` or `"..."`.
    pub fn is_quoted(self) -> bool {
        matches!(self, Style::SingleQuoted | Style::DoubleQuoted)
    }
}

/// What an explicit tag on a node says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tag {
    /// No tag: the node's type comes from its style and content.
    None,
    /// `!!str`: a string whatever it looks like.
    Str,
    /// `!!int`
    Int,
    /// `!!bool`
    Bool,
    /// `!!float`
    Float,
    /// `!!null`
    Null,
    /// `!!map`, `!!seq`, `!!binary`, a local `!tag`, or any other.
    Other,
}

impl Tag {
    pub(crate) fn of(tag: Option<&granit_parser::Tag>, has_tag_token: bool) -> Tag {
        match tag {
            Some(t) => match t.core_suffix() {
                Some("str") => Tag::Str,
                Some("int") => Tag::Int,
                Some("bool") => Tag::Bool,
                Some("float") => Tag::Float,
                Some("null") => Tag::Null,
                _ => Tag::Other,
            },
            None if has_tag_token => Tag::Other,
            None => Tag::None,
        }
    }
}

/// What a plain scalar may be read as under YAML 1.2's core schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlainClass {
    /// A string.
    Str,
    /// `null`, `~`, empty.
    Null,
    /// `true`, `false` (three spellings each).
    Bool,
    /// An integer or a float.
    Number,
}

/// The YAML 1.2 core schema type of a plain scalar.
pub fn plain_class(s: &str) -> PlainClass {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => PlainClass::Null,
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => PlainClass::Bool,
        _ if is_core_number(s) => PlainClass::Number,
        _ => PlainClass::Str,
    }
}

fn is_core_number(s: &str) -> bool {
    let t = s.strip_prefix(['-', '+']).unwrap_or(s);
    if t.is_empty() {
        return false;
    }
    if let Some(h) = s.strip_prefix("0x") {
        return !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit());
    }
    if let Some(o) = s.strip_prefix("0o") {
        return !o.is_empty() && o.bytes().all(|b| (b'0'..=b'7').contains(&b));
    }
    if matches!(t, ".inf" | ".Inf" | ".INF") || matches!(s, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    let b = t.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - s
    };
    let int = digits(&mut i);
    let mut frac = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        frac = digits(&mut i);
    }
    if int == 0 && frac == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Whether every reader (YAML 1.2 core and YAML 1.1) takes this plain scalar as a string.
pub fn plain_is_string_everywhere(s: &str) -> bool {
    if plain_class(s) != PlainClass::Str {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "y" | "n"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "true"
            | "false"
            | ".nan"
            | ".inf"
            | "-.inf"
            | "+.inf"
            | "<<"
            | "="
    ) {
        return false;
    }
    // YAML 1.1 numbers: underscores, sexagesimal, binary, leading-zero octal; and timestamps.
    let first = s.as_bytes().first().copied().unwrap_or(b'a');
    if first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.') {
        let looks_numeric = s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'_' | b':' | b'.' | b'-' | b'+' | b' ' | b'T' | b'Z')
        });
        if looks_numeric {
            return false;
        }
    }
    true
}

/// Whether `s` can be written as a plain scalar that every reader takes as the string `s`,
/// in block and flow context alike (no indicator, no `: `, no ` #`, no flow characters, no
/// leading or trailing space, one line).
pub fn plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !plain_is_string_everywhere(s)
        || "-?:,[]{}#&*!|>'\"%@` \t".contains(first)
        || s.ends_with([' ', ':'])
        || s.contains(": ")
        || s.contains(" #")
    {
        return false;
    }
    s.chars().all(|c| {
        !c.is_control()
            && !matches!(
                c,
                ',' | '[' | ']' | '{' | '}' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'
            )
    })
}

/// Whether a scalar with this style, tag and value is a string to every reader.
pub fn reads_as_string(value: &str, style: Style, tag: Tag) -> bool {
    match tag {
        Tag::Str => true,
        Tag::None => style != Style::Plain || plain_is_string_everywhere(value),
        _ => false,
    }
}

/// Whether a scalar is a YAML null to every reader.
pub fn is_null(value: &str, style: Style, tag: Tag) -> bool {
    match tag {
        Tag::Null => true,
        Tag::None => style == Style::Plain && plain_class(value) == PlainClass::Null,
        _ => false,
    }
}

/// Identities of a mapping key, as hashes: how go-yaml v3 compares keys (typed values), and
/// how kubectl does (sigs.k8s.io/yaml makes every key a JSON string, after go-yaml v2 typed
/// it as YAML 1.1). Two keys are duplicates if they share any identity. For an ordinary
/// string key both are the same hash.
pub(crate) fn key_identities(value: &str, style: Style, tag: Tag) -> [u64; 2] {
    if ordinary_key(value, style, tag) {
        let h = hash_str(value);
        return [h, h];
    }
    let (v3, json) = typed_forms(value, style, tag);
    [hash_form(&v3), hash_str(&json)]
}

/// A key every reader takes as the string it spells (the common case, decided without
/// allocating): quoted, `!!str`, or plain and starting with a letter or `_` without being
/// one of the words YAML 1.1 or 1.2 types.
fn ordinary_key(value: &str, style: Style, tag: Tag) -> bool {
    match tag {
        Tag::Str => true,
        Tag::None if style != Style::Plain => true,
        Tag::None => {
            let Some(&first) = value.as_bytes().first() else {
                return false;
            };
            (first.is_ascii_alphabetic() || first == b'_')
                && !(value.len() <= 5
                    && ["y", "n", "yes", "no", "on", "off", "true", "false", "null"]
                        .iter()
                        .any(|w| value.eq_ignore_ascii_case(w)))
        }
        _ => false,
    }
}

/// A fast 64-bit hash of a key's text (keys are hashed once each, on the hot path). A
/// collision would only make two different keys look like duplicates: a refusal, never a
/// wrong edit.
fn hash_str(s: &str) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let b = s.as_bytes();
    let mut h: u64 = (b.len() as u64).wrapping_mul(K);
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(29);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(29);
    }
    // Final avalanche (MurmurHash3's fmix64).
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

#[derive(Hash)]
enum Form {
    Str(String),
    Null,
    Bool(bool),
    Int(i128),
    Float(u64),
    Other(String),
}

fn hash_form(f: &Form) -> u64 {
    if let Form::Str(s) = f {
        return hash_str(s);
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    f.hash(&mut h);
    // Typed forms never equal a string's hash by construction of the test below: mix in a
    // tag that `hash_str` cannot produce for the same text.
    h.finish() ^ 0x7f4a_7c15_9e37_79b9
}

fn typed_forms(value: &str, style: Style, tag: Tag) -> (Form, String) {
    let plain = style == Style::Plain && tag == Tag::None;
    let as_str = || (Form::Str(value.to_owned()), value.to_owned());
    if !plain {
        return match tag {
            Tag::None | Tag::Str | Tag::Other => as_str(),
            Tag::Null => (Form::Null, "null".into()),
            Tag::Bool => match value.to_ascii_lowercase().as_str() {
                "true" => (Form::Bool(true), "true".into()),
                "false" => (Form::Bool(false), "false".into()),
                _ => (Form::Other(value.into()), value.into()),
            },
            Tag::Int => match go_int(value, true) {
                Some(i) => (Form::Int(i), i.to_string()),
                None => (Form::Other(value.into()), value.into()),
            },
            Tag::Float => match value.parse::<f64>() {
                Ok(f) => (Form::Float(f.to_bits()), go_float(f)),
                Err(_) => (Form::Other(value.into()), value.into()),
            },
        };
    }
    // go-yaml v3's reading (YAML 1.2 core, plus Go's integer literals).
    let v3 = match plain_class(value) {
        PlainClass::Null => Form::Null,
        PlainClass::Bool => Form::Bool(value.eq_ignore_ascii_case("true")),
        _ => match go_int(value, true) {
            Some(i) => Form::Int(i),
            None => match float_value(value) {
                Some(f) => Form::Float(f.to_bits()),
                None => Form::Str(value.to_owned()),
            },
        },
    };
    // go-yaml v2's reading (YAML 1.1), made a JSON key string.
    let json = match value {
        "" | "~" | "null" | "Null" | "NULL" => "null".to_owned(),
        _ => match value.to_ascii_lowercase().as_str() {
            "y" | "yes" | "on" | "true" => "true".to_owned(),
            "n" | "no" | "off" | "false" => "false".to_owned(),
            _ => match go_int(&value.replace('_', ""), false) {
                Some(i) => i.to_string(),
                None => match float_value(&value.replace('_', "")) {
                    Some(f) => go_float(f),
                    None => value.to_owned(),
                },
            },
        },
    };
    (v3, json)
}

/// An integer as Go's `strconv.ParseInt(s, 0, 64)` reads it: sign, `0x`, `0o`, `0b`, a
/// leading-zero octal, and (when `underscores`) `_` between digits.
fn go_int(s: &str, underscores: bool) -> Option<i128> {
    let (neg, t) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = match t.get(..2) {
        Some("0x" | "0X") => (16, &t[2..]),
        Some("0o" | "0O") => (8, &t[2..]),
        Some("0b" | "0B") => (2, &t[2..]),
        _ if t.len() > 1 && t.starts_with('0') => (8, &t[1..]),
        _ => (10, t),
    };
    let digits: String = if underscores {
        digits.chars().filter(|&c| c != '_').collect()
    } else {
        digits.to_owned()
    };
    if digits.is_empty() || digits.len() > 40 {
        return None;
    }
    let v = i128::from_str_radix(&digits, radix).ok()?;
    Some(if neg { -v } else { v })
}

fn float_value(s: &str) -> Option<f64> {
    let lower = s.to_ascii_lowercase();
    match lower.trim_start_matches(['+', '-']) {
        ".inf" => {
            return Some(if s.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            })
        }
        ".nan" => return Some(f64::NAN),
        _ => {}
    }
    if !s.bytes().any(|b| b.is_ascii_digit())
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
    {
        return None;
    }
    s.parse::<f64>().ok()
}

/// A float formatted as Go's `strconv.FormatFloat(f, 'g', -1, 64)` would, closely enough
/// for comparing keys.
fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    if f == f.trunc() && f.abs() < 1e21 {
        return format!("{}", f as i128);
    }
    format!("{f}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert_eq!(plain_class("true"), PlainClass::Bool);
        assert_eq!(plain_class("1"), PlainClass::Number);
        assert_eq!(plain_class("0x1F"), PlainClass::Number);
        assert_eq!(plain_class("1e3"), PlainClass::Number);
        assert_eq!(plain_class("1."), PlainClass::Number);
        assert_eq!(plain_class(".5"), PlainClass::Number);
        assert_eq!(plain_class("yes"), PlainClass::Str);
        assert_eq!(plain_class("0644"), PlainClass::Number);
        assert_eq!(plain_class("e3"), PlainClass::Str);
        assert_eq!(plain_class("-"), PlainClass::Str);
        assert_eq!(plain_class("~"), PlainClass::Null);
    }

    #[test]
    fn string_everywhere() {
        assert!(plain_is_string_everywhere("ml-pipeline-ui"));
        assert!(plain_is_string_everywhere("DISABLE_GKE_METADATA"));
        for s in [
            "yes",
            "On",
            "true",
            "1",
            "0644",
            "1_000",
            "12:30",
            "2024-01-01",
            "",
            "~",
            "n",
            "<<",
        ] {
            assert!(!plain_is_string_everywhere(s), "{s}");
        }
        assert!(plain_safe("DISABLE_GKE_METADATA"));
        assert!(plain_safe("info"));
        for s in ["a: b", "a #b", "[x", "-x", "x,y", "", " x", "true", "a\tb"] {
            assert!(!plain_safe(s), "{s}");
        }
    }

    #[test]
    fn keys_every_reader_takes_as_one_are_one() {
        let id = |v: &str, s: Style, t: Tag| key_identities(v, s, t);
        let same = |a: [u64; 2], b: [u64; 2]| a.iter().any(|x| b.contains(x));
        let plain = |v: &str| id(v, Style::Plain, Tag::None);
        let quoted = |v: &str| id(v, Style::DoubleQuoted, Tag::None);
        assert!(same(plain("env"), quoted("env")));
        assert!(same(plain("env"), id("env", Style::Plain, Tag::Str)));
        assert!(same(plain("env"), id("env", Style::Plain, Tag::Other)));
        assert!(same(plain("1"), plain("0x1")));
        assert!(same(plain("1"), quoted("1")), "kubectl: JSON key \"1\"");
        assert!(same(plain("yes"), plain("true")), "kubectl: YAML 1.1 bool");
        assert!(same(plain("~"), plain("null")));
        assert!(same(plain("1_000"), plain("1000")));
        assert!(!same(plain("env"), plain("Env")));
        assert!(!same(plain("a"), plain("b")));
        assert!(!same(quoted("yes"), quoted("true")));
    }
}
