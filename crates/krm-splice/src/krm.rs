//! KRM function wire types (the `config.kubernetes.io/v1` ResourceList `results`), in the
//! shape of kyaml's `framework.Result`.

use serde::{Deserialize, Serialize};

use crate::object::ObjectId;
use crate::value::{Key, Value};

/// How much a [`KrmResult`] matters (`error`, `warning`, `info` on the wire). kpt fails a
/// pipeline on a function's nonzero exit, not on its error results: a function that refuses
/// says why in an `error` result and exits 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something failed.
    Error,
    /// Something the user should look at.
    Warning,
    /// What was done.
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`.
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
/// The object a result is about.
pub struct ResourceRef {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// `metadata.name`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// `metadata.namespace`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
}

/// The reference a result about this object carries.
///
/// ```
/// use krm_splice::{ObjectId, ResourceRef};
/// let id = ObjectId { kind: "ConfigMap".into(), name: "app".into(), ..ObjectId::default() };
/// let r = ResourceRef::from(&id);
/// assert_eq!((r.kind.as_str(), r.name.as_str()), ("ConfigMap", "app"));
/// ```
impl From<&ObjectId> for ResourceRef {
    fn from(id: &ObjectId) -> ResourceRef {
        ResourceRef {
            api_version: id.api_version.clone(),
            kind: id.kind.clone(),
            name: id.name.clone(),
            namespace: id.namespace.clone(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
/// The field a result is about.
pub struct Field {
    /// Its path in the object (`spec.template.spec.containers[0].env[1].value`).
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Its value before.
    pub current_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Its value after (or as proposed).
    pub proposed_value: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
/// The file an object came from (kpt).
pub struct File {
    /// Its path in the package.
    pub path: String,
    /// The object's index in the file.
    #[serde(default)]
    pub index: u64,
}

/// One entry of a ResourceList's `results`.
///
/// [`Editor::add_results`](crate::Editor::add_results) writes it (as
/// [`to_value`](Self::to_value) renders it) after any results already there;
/// [`to_line`](Self::to_line) is a one-line reading for stderr.
///
/// ```
/// use krm_splice::{File, KrmResult, ObjectId, Severity};
/// let id = ObjectId { api_version: "v1".into(), kind: "Service".into(), name: "web".into(),
///                     namespace: "shop".into(), ..ObjectId::default() };
/// let r = KrmResult {
///     resource_ref: Some((&id).into()),
///     file: Some(File { path: "svc.yaml".into(), index: 0 }),
///     ..KrmResult::new(Severity::Warning, "no port named http")
/// };
/// assert_eq!(r.to_line(), "[warning] Service shop/web (svc.yaml#0): no port named http");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KrmResult {
    /// What happened.
    pub message: String,
    /// How much it matters.
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// The object.
    pub resource_ref: Option<ResourceRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// The field.
    pub field: Option<Field>,
    /// The file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<File>,
}

impl KrmResult {
    /// A result with a message only.
    pub fn new(severity: Severity, message: impl Into<String>) -> Self {
        KrmResult {
            message: message.into(),
            severity,
            resource_ref: None,
            field: None,
            file: None,
        }
    }

    /// As a value to write into a ResourceList's `results`.
    pub fn to_value(&self) -> Value {
        let mut m: Vec<(Key, Value)> = vec![
            ("message".into(), Value::str(&self.message)),
            ("severity".into(), Value::word(self.severity.as_str())),
        ];
        if let Some(r) = &self.resource_ref {
            let fields: Vec<(Key, Value)> = [
                ("apiVersion", &r.api_version),
                ("kind", &r.kind),
                ("name", &r.name),
                ("namespace", &r.namespace),
            ]
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.into(), Value::str(v)))
            .collect();
            m.push(("resourceRef".into(), Value::Map(fields)));
        }
        if let Some(f) = &self.field {
            let mut fields: Vec<(Key, Value)> = vec![("path".into(), Value::str(&f.path))];
            if let Some(v) = &f.current_value {
                fields.push(("currentValue".into(), Value::str(v)));
            }
            if let Some(v) = &f.proposed_value {
                fields.push(("proposedValue".into(), Value::str(v)));
            }
            m.push(("field".into(), Value::Map(fields)));
        }
        if let Some(f) = &self.file {
            m.push((
                "file".into(),
                Value::map([
                    ("path", Value::str(&f.path)),
                    ("index", Value::Int(f.index.min(i64::MAX as u64) as i64)),
                ]),
            ));
        }
        Value::Map(m)
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

/// A `ResourceList` as the KRM functions spec defines it. The function never builds its
/// output from this type (output is the input plus splices); it documents the wire format
/// and lets callers read a JSON list.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceList {
    /// `config.kubernetes.io/v1`.
    pub api_version: String,
    /// `ResourceList`.
    pub kind: String,
    /// The objects.
    #[serde(default)]
    pub items: Vec<serde_json::Value>,
    /// The function's configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_config: Option<serde_json::Value>,
    /// What functions reported.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub results: Vec<KrmResult>,
}
