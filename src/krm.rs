//! KRM function wire types (the `config.kubernetes.io/v1` ResourceList `results`), in the
//! shape of kyaml's `framework.Result`, and their rendering as new text.
//!
//! Rendering writes every string as a JSON string: a valid YAML double-quoted scalar that
//! every YAML reader takes as the same string.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRef {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api_version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed_value: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct File {
    pub path: String,
    #[serde(default)]
    pub index: u64,
}

/// One entry of a ResourceList's `results`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KrmResult {
    pub message: String,
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_ref: Option<ResourceRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<Field>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<File>,
}

impl KrmResult {
    pub fn new(severity: Severity, message: impl Into<String>) -> Self {
        KrmResult {
            message: message.into(),
            severity,
            resource_ref: None,
            field: None,
            file: None,
        }
    }

    /// Render as a block-sequence entry: `- message: ...` with the dash at column `dash` and
    /// the keys at column `key` (> `dash`). Lines are joined with `eol`, without a final one.
    pub fn to_block_yaml(&self, dash: usize, key: usize, eol: &str) -> String {
        let mut lines: Vec<String> = Vec::new();
        let pad = |n: usize| " ".repeat(n);
        let k = key.max(dash + 2);
        let first = format!("{}-{}", pad(dash), pad(k - dash - 1));
        lines.push(format!("{first}message: {}", json(&self.message)));
        lines.push(format!("{}severity: {}", pad(k), self.severity.as_str()));
        if let Some(r) = &self.resource_ref {
            lines.push(format!("{}resourceRef:", pad(k)));
            for (name, v) in [
                ("apiVersion", &r.api_version),
                ("kind", &r.kind),
                ("name", &r.name),
                ("namespace", &r.namespace),
            ] {
                if !v.is_empty() {
                    lines.push(format!("{}{name}: {}", pad(k + 2), json(v)));
                }
            }
        }
        if let Some(f) = &self.field {
            lines.push(format!("{}field:", pad(k)));
            lines.push(format!("{}path: {}", pad(k + 2), json(&f.path)));
            if let Some(v) = &f.current_value {
                lines.push(format!("{}currentValue: {}", pad(k + 2), json(v)));
            }
            if let Some(v) = &f.proposed_value {
                lines.push(format!("{}proposedValue: {}", pad(k + 2), json(v)));
            }
        }
        if let Some(f) = &self.file {
            lines.push(format!("{}file:", pad(k)));
            lines.push(format!("{}path: {}", pad(k + 2), json(&f.path)));
            lines.push(format!("{}index: {}", pad(k + 2), f.index));
        }
        lines.join(eol)
    }

    /// Render as one flow-style (JSON) object.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    /// A one-line human reading, for stderr.
    pub fn to_line(&self) -> String {
        let mut s = format!("[{}]", self.severity.as_str());
        if let Some(r) = &self.resource_ref {
            s.push(' ');
            s.push_str(&r.kind);
            s.push(' ');
            if !r.namespace.is_empty() {
                s.push_str(&r.namespace);
                s.push('/');
            }
            s.push_str(&r.name);
        }
        if let Some(f) = &self.file {
            s.push_str(&format!(" ({}#{})", f.path, f.index));
        }
        if let Some(f) = &self.field {
            s.push(' ');
            s.push_str(&f.path);
        }
        s.push_str(": ");
        s.push_str(&self.message);
        s
    }
}

/// A string as a JSON (and YAML double-quoted) scalar.
pub fn json(s: &str) -> String {
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
                || (0xd800..=0xdfff).contains(&(c as u32))
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

/// A `ResourceList` as the KRM functions spec defines it. The function never builds its
/// output from this type (output is the input plus splices); it documents the wire format
/// and lets callers read a JSON list.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceList {
    pub api_version: String,
    pub kind: String,
    #[serde(default)]
    pub items: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_config: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub results: Vec<KrmResult>,
}
