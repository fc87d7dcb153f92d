//! Kubernetes objects as readers identify them, the workload kinds and where their pod
//! spec is, and selectors over objects (kind, name and namespace globs, label selectors).

use crate::tree::Cursor;

/// The workload kinds whose pods this crate knows how to reach.
pub const WORKLOAD_KINDS: [&str; 8] = [
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "Pod",
];

/// The path from a workload object to its pod spec (`None` for other kinds).
pub fn pod_spec_path(kind: &str) -> Option<&'static [&'static str]> {
    match kind {
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => Some(&["spec", "template", "spec"]),
        "CronJob" => Some(&["spec", "jobTemplate", "spec", "template", "spec"]),
        "Pod" => Some(&["spec"]),
        _ => None,
    }
}

/// The API groups that serve a workload kind (`""` is the core group, `apiVersion: v1`).
/// `extensions` served Deployments, DaemonSets and ReplicaSets before `apps`.
pub fn workload_groups(kind: &str) -> &'static [&'static str] {
    match kind {
        "Deployment" | "DaemonSet" | "ReplicaSet" => &["apps", "extensions"],
        "StatefulSet" => &["apps"],
        "Job" | "CronJob" => &["batch"],
        "Pod" | "ReplicationController" => &[""],
        _ => &[],
    }
}

/// The group of an `apiVersion` (`apps/v1` → `apps`, `v1` → the core group `""`).
pub fn api_group(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// What identifies an object, read as Kubernetes reads it (aliases resolved, `<<` merge
/// keys applied).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectId {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace` (empty when absent).
    pub namespace: String,
    /// `metadata.labels` with string values.
    pub labels: Vec<(String, String)>,
}

impl ObjectId {
    /// Read an object's identity.
    pub fn of(obj: &Cursor) -> ObjectId {
        let meta = obj.get("metadata");
        let pairs = |key: &str| -> Vec<(String, String)> {
            meta.as_ref()
                .and_then(|m| m.get(key))
                .map(|l| {
                    // Collected anew (not in place): the entries' vector holds cursors, far
                    // larger than the pairs kept for every object.
                    let entries = l.entries();
                    let mut out = Vec::with_capacity(entries.len());
                    for (k, v) in entries {
                        if let Some(s) = v.node().scalar() {
                            out.push((k.to_owned(), s.to_owned()));
                        }
                    }
                    out
                })
                .unwrap_or_default()
        };
        let meta_str = |key: &str| {
            meta.as_ref()
                .and_then(|m| m.str_at(key))
                .unwrap_or("")
                .to_owned()
        };
        ObjectId {
            api_version: obj.str_at("apiVersion").unwrap_or("").to_owned(),
            kind: obj.str_at("kind").unwrap_or("").to_owned(),
            name: meta_str("name"),
            namespace: meta_str("namespace"),
            labels: pairs("labels"),
        }
    }

    /// Whether the object is the Kubernetes workload its kind names, not a custom resource
    /// that happens to share the kind's name.
    pub fn is_kubernetes_workload(&self) -> bool {
        workload_groups(&self.kind).contains(&api_group(&self.api_version))
    }

    /// `kind namespace/name` (or `kind name`), for messages.
    pub fn describe(&self) -> String {
        if self.namespace.is_empty() {
            format!("{} {}", self.kind, self.name)
        } else {
            format!("{} {}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// Which objects: a kind, and optionally a name and namespace (exact or globs with `*`) and
/// a label selector.
///
/// ```
/// use krm_splice::{LabelSelector, ObjectId, Selector};
/// let id = ObjectId {
///     api_version: "apps/v1".into(),
///     kind: "Deployment".into(),
///     name: "web-ui".into(),
///     namespace: "shop".into(),
///     labels: vec![("app".into(), "web-ui".into())],
///     ..ObjectId::default()
/// };
/// let sel = Selector {
///     kind: "Deployment".into(),
///     name: Some("web-*".into()),
///     namespace: None,
///     label_selector: Some(LabelSelector::parse("app in (web-ui, api),!legacy")?),
/// };
/// assert!(sel.matches(&id));
/// assert!(id.is_kubernetes_workload()); // apps/v1: not a custom resource named Deployment
/// # Ok::<(), String>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    /// The kind (exact).
    pub kind: String,
    /// `None`: any name.
    pub name: Option<String>,
    /// `None`: any namespace.
    pub namespace: Option<String>,
    /// `None`: any labels.
    pub label_selector: Option<LabelSelector>,
}

impl Selector {
    /// Whether the object is selected.
    pub fn matches(&self, id: &ObjectId) -> bool {
        id.kind == self.kind
            && self.name.as_deref().is_none_or(|n| glob(n, &id.name))
            && self
                .namespace
                .as_deref()
                .is_none_or(|n| glob(n, &id.namespace))
            && self
                .label_selector
                .as_ref()
                .is_none_or(|s| s.matches(&id.labels))
    }

    /// `Deployment named x in namespace y with labels z`.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "{} named {}",
            self.kind,
            self.name.as_deref().unwrap_or("(any)")
        );
        if let Some(ns) = &self.namespace {
            s.push_str(&format!(" in namespace {ns}"));
        }
        if let Some(sel) = &self.label_selector {
            s.push_str(&format!(" with labels {}", sel.source));
        }
        s
    }
}

/// `*` matches any run of characters; everything else matches itself.
///
/// ```
/// use krm_splice::glob;
/// assert!(glob("web-*", "web-frontend") && glob("*", "") && glob("a*b*c", "aXbYc"));
/// assert!(!glob("web-*", "api") && !glob("web", "web-frontend"));
/// ```
pub fn glob(pattern: &str, s: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == s;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !s.starts_with(first) || s.len() < first.len() + last.len() || !s.ends_with(last) {
        return false;
    }
    let mut rest = &s[first.len()..s.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// A Kubernetes label selector in its string form: `a=b,c!=d,e in (x,y),f notin (z),g,!h`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelSelector {
    /// The selector as written.
    pub source: String,
    requirements: Vec<Requirement>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

impl LabelSelector {
    /// Read a selector (`a=b,c!=d,e in (x,y),f notin (z),g,!h`).
    pub fn parse(s: &str) -> Result<LabelSelector, String> {
        let mut requirements = Vec::new();
        for part in split_top(s) {
            let p = part.trim();
            if p.is_empty() {
                continue;
            }
            let bad = || format!("labelSelector {s:?}: cannot read {p:?}");
            let req = if let Some(k) = p.strip_prefix('!') {
                Requirement::NotExists(key(k.trim()).ok_or_else(bad)?)
            } else if let Some((k, v)) = p.split_once("!=") {
                Requirement::NotEquals(key(k.trim()).ok_or_else(bad)?, v.trim().into())
            } else if let Some((k, v)) = p.split_once("==").or_else(|| p.split_once('=')) {
                Requirement::Equals(key(k.trim()).ok_or_else(bad)?, v.trim().into())
            } else if let Some((k, set)) = split_set(p, " notin ") {
                Requirement::NotIn(key(k).ok_or_else(bad)?, set.ok_or_else(bad)?)
            } else if let Some((k, set)) = split_set(p, " in ") {
                Requirement::In(key(k).ok_or_else(bad)?, set.ok_or_else(bad)?)
            } else {
                Requirement::Exists(key(p).ok_or_else(bad)?)
            };
            requirements.push(req);
        }
        if requirements.is_empty() {
            return Err(format!("labelSelector {s:?} selects nothing"));
        }
        Ok(LabelSelector {
            source: s.into(),
            requirements,
        })
    }

    /// Whether labels satisfy every requirement.
    pub fn matches(&self, labels: &[(String, String)]) -> bool {
        let get = |k: &str| {
            labels
                .iter()
                .find(|(lk, _)| lk == k)
                .map(|(_, v)| v.as_str())
        };
        self.requirements.iter().all(|r| match r {
            Requirement::Equals(k, v) => get(k) == Some(v.as_str()),
            Requirement::NotEquals(k, v) => get(k) != Some(v.as_str()),
            Requirement::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Requirement::NotIn(k, vs) => get(k).is_none_or(|x| vs.iter().all(|v| v != x)),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::NotExists(k) => get(k).is_none(),
        })
    }
}

fn key(k: &str) -> Option<String> {
    let ok = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    ok.then(|| k.to_string())
}

fn split_set<'p>(p: &'p str, op: &str) -> Option<(&'p str, Option<Vec<String>>)> {
    let (k, rest) = p.split_once(op)?;
    let rest = rest.trim();
    let inner = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')'));
    Some((
        k.trim(),
        inner.map(|i| i.split(',').map(|v| v.trim().to_string()).collect()),
    ))
}

/// Split on commas outside parentheses.
fn split_top(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut from) = (0i32, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_kinds_own_groups_are_workloads() {
        let id = |api_version: &str, kind: &str| ObjectId {
            api_version: api_version.into(),
            kind: kind.into(),
            name: "web-ui".into(),
            ..ObjectId::default()
        };
        for (api, kind) in [
            ("apps/v1", "Deployment"),
            ("extensions/v1beta1", "Deployment"),
            ("apps/v1beta2", "StatefulSet"),
            ("batch/v1", "CronJob"),
            ("v1", "Pod"),
        ] {
            assert!(id(api, kind).is_kubernetes_workload(), "{api} {kind}");
        }
        for (api, kind) in [
            ("example.com/v1", "Deployment"),
            ("extensions/v1beta1", "StatefulSet"),
            ("v1", "Deployment"),
            ("", "Deployment"),
            ("apps/v1", "Job"),
        ] {
            assert!(!id(api, kind).is_kubernetes_workload(), "{api} {kind}");
        }
    }

    #[test]
    fn selectors() {
        let l = [("app", "web-ui"), ("tier", "web")].map(|(k, v)| (k.to_string(), v.to_string()));
        let m = |s: &str| LabelSelector::parse(s).unwrap().matches(&l);
        assert!(m("app=web-ui"));
        assert!(m("app==web-ui,tier"));
        assert!(!m("app!=web-ui"));
        assert!(m("tier in (web, api)"));
        assert!(!m("tier notin (web)"));
        assert!(m("!missing"));
        assert!(!m("missing"));
        assert!(LabelSelector::parse("a in b").is_err());
        assert!(LabelSelector::parse("").is_err());
    }

    #[test]
    fn globs() {
        assert!(glob("web-*", "web-ui"));
        assert!(glob("*", ""));
        assert!(glob("*-ui", "web-ui"));
        assert!(!glob("*-api", "web-ui"));
        assert!(glob("a*b*c", "aXbYc"));
        assert!(!glob("a*b*c", "ac"));
    }
}
