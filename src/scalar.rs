//! How Kubernetes' YAML readers type a plain scalar. kyaml (YAML 1.2 core) and go-yaml v2
//! (YAML 1.1, kubectl) disagree on some (`yes`, `0644`, `1_000`, `12:30`); this module answers
//! conservatively: a plain scalar is a string only if *every* reader takes it as one.

/// What a plain scalar may be read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlainClass {
    Str = 1,
    Null = 2,
    Bool = 3,
    Number = 4,
}

/// The YAML 1.2 core schema type of a plain scalar (used to tell keys apart).
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
        ] {
            assert!(!plain_is_string_everywhere(s), "{s}");
        }
    }
}
