//! How Kubernetes' YAML readers type a scalar. kyaml (go-yaml v3) and kubectl (go-yaml v2
//! through sigs.k8s.io/yaml) disagree on some plain scalars (`yes`, `0644`, `1_000`, `12:30`);
//! this module answers conservatively: a plain scalar is a string only if *every* reader
//! takes it as one, and two keys are the same key if *any* reader takes them as one.

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

/// The identity of a mapping key, as a hash: its text after unquoting and escapes, whatever
/// its style or tag. That is the rule go-yaml v3 applies when it refuses a document for a
/// duplicate key (so kyaml, kpt and kustomize refuse the same documents): `env`, `"env"`,
/// `'env'`, `!!str env` and `"\x65nv"` are one key; so are `1` and `"1"`. Keys that only
/// kubectl's JSON conversion merges (`yes` and `true`) stay distinct, as they are to kyaml.
pub(crate) fn key_identity(value: &str) -> u64 {
    hash_str(value)
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
        assert!(plain_is_string_everywhere("web-ui"));
        assert!(plain_is_string_everywhere("FEATURE_FLAG"));
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
        assert!(plain_safe("FEATURE_FLAG"));
        assert!(plain_safe("info"));
        for s in ["a: b", "a #b", "[x", "-x", "x,y", "", " x", "true", "a\tb"] {
            assert!(!plain_safe(s), "{s}");
        }
    }

    #[test]
    fn keys_are_one_when_their_text_is() {
        assert_eq!(key_identity("env"), key_identity("env"));
        assert_ne!(key_identity("env"), key_identity("Env"));
        assert_ne!(key_identity("yes"), key_identity("true"));
        assert_ne!(key_identity("a"), key_identity("a\0"));
    }
}
