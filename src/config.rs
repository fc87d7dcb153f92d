//! The functionConfig: what value to set, how, and on which objects and containers.
//!
//! Accepted forms: none (defaults); a `ConfigMap` whose `data` holds string keys (what
//! `kpt fn eval --exec FN -- value=true policy=override` sends); or the typed
//! `kind: DisableGkeMetadata` with fields under `spec`.

use crate::scalar::plain_is_string_everywhere;
use crate::select::{LabelSelector, Target};
use crate::spanned::{Kind, Node, TagKind};
use granit_parser::ScalarStyle;

pub const API_GROUP: &str = "disable-gke-metadata.dev";
pub const API_VERSION: &str = "disable-gke-metadata.dev/v1alpha1";
pub const KIND: &str = "DisableGkeMetadata";
pub const ENV_NAME: &str = "DISABLE_GKE_METADATA";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Every entry gets the value; an absent one is added.
    Override,
    /// Only containers with no entry get one.
    KeepExisting,
}

impl Policy {
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Override => "override",
            Policy::KeepExisting => "keep-existing",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub value: String,
    pub policy: Policy,
    pub targets: Vec<Target>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            value: "true".into(),
            policy: Policy::Override,
            targets: vec![Target::default()],
        }
    }
}

/// A problem with the functionConfig, at a field path inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: String,
    pub message: String,
}

/// The parsed config and any warnings about it.
#[derive(Debug)]
pub struct Parsed {
    pub config: Config,
    pub warnings: Vec<ConfigError>,
}

/// Read a functionConfig node (`None`: there was none).
pub fn parse(node: Option<&Node>) -> Result<Parsed, Vec<ConfigError>> {
    let mut errors = Vec::new();
    let config = match node {
        None => Config::default(),
        Some(n) if n.is_null() => Config::default(),
        Some(n) => match &n.kind {
            Kind::Map { .. } => parse_object(n, &mut errors),
            _ => {
                return Err(vec![err(
                    "",
                    "functionConfig must be a mapping (a ConfigMap or a DisableGkeMetadata object)",
                )])
            }
        },
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut warnings = Vec::new();
    if let Some(w) = value_warning(&config.value) {
        warnings.push(err(
            if is_config_map(node) {
                "data.value"
            } else {
                "spec.value"
            },
            &w,
        ));
    }
    Ok(Parsed { config, warnings })
}

fn is_config_map(node: Option<&Node>) -> bool {
    node.and_then(|n| n.str_at("kind")) == Some("ConfigMap")
}

/// The KFP UI server reads DISABLE_GKE_METADATA as true only for `true` (any case) or `1`.
pub fn reads_as_true(v: &str) -> bool {
    v.eq_ignore_ascii_case("true") || v == "1"
}

fn value_warning(v: &str) -> Option<String> {
    if reads_as_true(v) || v.eq_ignore_ascii_case("false") || v == "0" {
        return None;
    }
    Some(format!(
        "value {v:?} is read as false by the KFP UI server (it is true only for \"true\" in any \
         case or \"1\"), so the GKE metadata calls stay on; write \"true\" to disable them or \
         \"false\" to say they stay on"
    ))
}

fn err(path: &str, message: &str) -> ConfigError {
    ConfigError {
        path: path.into(),
        message: message.into(),
    }
}

fn parse_object(n: &Node, errors: &mut Vec<ConfigError>) -> Config {
    let kind = n.str_at("kind").unwrap_or("");
    let api = n.str_at("apiVersion").unwrap_or("");
    match kind {
        "ConfigMap" if api == "v1" || api.is_empty() => parse_config_map(n, errors),
        KIND if api == API_VERSION => parse_typed(n, errors),
        KIND => {
            errors.push(err(
                "apiVersion",
                &format!("kind {KIND} needs apiVersion {API_VERSION}, not {api:?}"),
            ));
            Config::default()
        }
        _ => {
            errors.push(err(
                "kind",
                &format!(
                    "functionConfig of kind {kind:?} (apiVersion {api:?}) is not supported: use a \
                     ConfigMap (v1) with data keys, or kind {KIND} (apiVersion {API_VERSION})"
                ),
            ));
            Config::default()
        }
    }
}

const TOP_KEYS: [&str; 4] = ["apiVersion", "kind", "metadata", "spec"];
const CM_TOP_KEYS: [&str; 5] = ["apiVersion", "kind", "metadata", "data", "immutable"];
const CM_DATA_KEYS: [&str; 7] = [
    "value",
    "policy",
    "kind",
    "name",
    "namespace",
    "labelSelector",
    "containers",
];
const SPEC_KEYS: [&str; 3] = ["value", "policy", "targets"];
const TARGET_KEYS: [&str; 5] = ["kind", "name", "namespace", "labelSelector", "containers"];

fn entries<'n, 'a>(n: &'n Node<'a>) -> &'n [(Node<'a>, Node<'a>)] {
    match &n.kind {
        Kind::Map { entries, .. } => entries,
        _ => &[],
    }
}

fn check_keys(n: &Node, base: &str, allowed: &[&str], errors: &mut Vec<ConfigError>) {
    for (k, _) in entries(n) {
        let key = k.scalar().unwrap_or("?");
        if !allowed.contains(&key) {
            errors.push(err(
                &join(base, key),
                &format!("unknown key {key:?}; accepted: {}", allowed.join(", ")),
            ));
        }
    }
}

fn join(base: &str, key: &str) -> String {
    if base.is_empty() {
        key.to_string()
    } else {
        format!("{base}.{key}")
    }
}

/// A string field: quoted, block, `!!str`-tagged, or a plain scalar every reader takes as a
/// string. Any other tag (`!!bool "true"` is a boolean to Go's readers) is refused.
fn string(n: &Node, path: &str, errors: &mut Vec<ConfigError>) -> Option<String> {
    match &n.kind {
        Kind::Scalar { value, .. } if n.tag == TagKind::Str => Some(value.to_string()),
        Kind::Scalar { .. } if n.tag == TagKind::Other => {
            errors.push(err(
                path,
                &format!("{path} must be a string: drop its tag (only !!str is accepted)"),
            ));
            None
        }
        Kind::Scalar { value, style } => {
            if *style == ScalarStyle::Plain && !plain_is_string_everywhere(value) && !n.is_null() {
                errors.push(err(
                    path,
                    &format!("{path} must be a string: quote it, e.g. {path}: \"{value}\""),
                ));
                None
            } else if n.is_null() {
                errors.push(err(path, &format!("{path} must be a string, not null")));
                None
            } else {
                Some(value.to_string())
            }
        }
        _ => {
            errors.push(err(path, &format!("{path} must be a string")));
            None
        }
    }
}

fn policy(s: &str, path: &str, errors: &mut Vec<ConfigError>) -> Option<Policy> {
    match s {
        "override" => Some(Policy::Override),
        "keep-existing" => Some(Policy::KeepExisting),
        _ => {
            errors.push(err(
                path,
                &format!("policy {s:?} is not known; accepted: override, keep-existing"),
            ));
            None
        }
    }
}

fn parse_config_map(n: &Node, errors: &mut Vec<ConfigError>) -> Config {
    check_keys(n, "", &CM_TOP_KEYS, errors);
    let mut config = Config::default();
    let Some(data) = n.get("data") else {
        return config;
    };
    if data.is_null() {
        return config;
    }
    if !matches!(data.kind, Kind::Map { .. }) {
        errors.push(err("data", "data must be a mapping of strings"));
        return config;
    }
    check_keys(data, "data", &CM_DATA_KEYS, errors);
    let mut target = Target::default();
    for (k, v) in entries(data) {
        let key = k.scalar().unwrap_or("");
        if !CM_DATA_KEYS.contains(&key) {
            continue;
        }
        let path = join("data", key);
        let Some(s) = string(v, &path, errors) else {
            continue;
        };
        match key {
            "value" => config.value = s,
            "policy" => {
                if let Some(p) = policy(&s, &path, errors) {
                    config.policy = p
                }
            }
            "containers" => {
                target.containers = s
                    .split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)
                    .collect();
                if target.containers.is_empty() {
                    errors.push(err(&path, "containers must name at least one container"));
                }
            }
            _ => selector_field(&mut target, key, s, &path, errors),
        }
    }
    check_target(&target, "data", errors);
    config.targets = vec![target];
    config
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty() && s != "*").then_some(s)
}

fn parse_typed(n: &Node, errors: &mut Vec<ConfigError>) -> Config {
    check_keys(n, "", &TOP_KEYS, errors);
    let mut config = Config::default();
    let Some(spec) = n.get("spec").filter(|s| !s.is_null()) else {
        return config;
    };
    if !matches!(spec.kind, Kind::Map { .. }) {
        errors.push(err("spec", "spec must be a mapping"));
        return config;
    }
    check_keys(spec, "spec", &SPEC_KEYS, errors);
    if let Some(v) = spec.get("value") {
        if let Some(s) = string(v, "spec.value", errors) {
            config.value = s;
        }
    }
    if let Some(v) = spec.get("policy") {
        if let Some(s) = string(v, "spec.policy", errors) {
            if let Some(p) = policy(&s, "spec.policy", errors) {
                config.policy = p;
            }
        }
    }
    if let Some(t) = spec.get("targets") {
        match &t.kind {
            Kind::Seq { items, .. } if !items.is_empty() => {
                config.targets = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| parse_target(item, &format!("spec.targets[{i}]"), errors))
                    .collect();
            }
            _ => errors.push(err(
                "spec.targets",
                "targets must be a non-empty list of {kind, name, namespace, labelSelector, containers}",
            )),
        }
    }
    config
}

fn parse_target(n: &Node, path: &str, errors: &mut Vec<ConfigError>) -> Target {
    let mut target = Target::default();
    if !matches!(n.kind, Kind::Map { .. }) {
        errors.push(err(path, "a target must be a mapping"));
        return target;
    }
    check_keys(n, path, &TARGET_KEYS, errors);
    for (k, v) in entries(n) {
        let key = k.scalar().unwrap_or("");
        if !TARGET_KEYS.contains(&key) {
            continue;
        }
        let p = join(path, key);
        if key == "containers" {
            match &v.kind {
                Kind::Seq { items, .. } if !items.is_empty() => {
                    target.containers = items
                        .iter()
                        .enumerate()
                        .filter_map(|(i, c)| string(c, &format!("{p}[{i}]"), errors))
                        .collect();
                }
                _ => errors.push(err(&p, "containers must be a non-empty list of names")),
            }
            continue;
        }
        if let Some(s) = string(v, &p, errors) {
            selector_field(&mut target, key, s, &p, errors);
        }
    }
    check_target(&target, path, errors);
    target
}

/// Set one of the selector's string fields (`kind`, `name`, `namespace`, `labelSelector`).
fn selector_field(
    target: &mut Target,
    key: &str,
    s: String,
    path: &str,
    errors: &mut Vec<ConfigError>,
) {
    match key {
        "kind" => target.kind = s,
        "name" => target.name = non_empty(s),
        "namespace" => target.namespace = non_empty(s),
        "labelSelector" => match LabelSelector::parse(&s) {
            Ok(sel) => target.label_selector = Some(sel),
            Err(e) => errors.push(err(path, &e)),
        },
        _ => {}
    }
}

fn check_target(t: &Target, path: &str, errors: &mut Vec<ConfigError>) {
    if crate::select::pod_spec_path(&t.kind).is_none() {
        errors.push(err(
            &join(path, "kind"),
            &format!(
                "kind {:?} has no pod template; accepted: {}",
                t.kind,
                crate::select::WORKLOAD_KINDS.join(", ")
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Limits;
    use crate::spanned::{self, BuildOptions};
    use crate::text::Text;

    fn parse_str(src: &str) -> Result<Parsed, Vec<ConfigError>> {
        let stream = spanned::parse(&Text::new(src), &BuildOptions::full(Limits::default()))
            .expect("test config parses");
        let root = stream.documents.into_iter().next().and_then(|d| d.root);
        parse(root.as_ref())
    }

    fn error_paths(src: &str) -> Vec<String> {
        parse_str(src)
            .expect_err("config is refused")
            .into_iter()
            .map(|e| e.path)
            .collect()
    }

    const TYPED: &str = "apiVersion: disable-gke-metadata.dev/v1alpha1\nkind: DisableGkeMetadata\n";

    #[test]
    fn defaults_without_config() {
        let p = parse(None).unwrap();
        assert_eq!(p.config, Config::default());
        assert!(p.warnings.is_empty());
        let p = parse_str("apiVersion: v1\nkind: ConfigMap\ndata: {}\n").unwrap();
        assert_eq!(p.config, Config::default());
    }

    #[test]
    fn typed_config_is_read() {
        let p = parse_str(&format!(
            "{TYPED}spec:\n  value: \"1\"\n  policy: keep-existing\n  targets:\n  - kind: StatefulSet\n    name: 'ui-*'\n    namespace: kubeflow\n    labelSelector: app=ui\n    containers: [a, b]\n"
        ))
        .unwrap();
        assert_eq!(p.config.value, "1");
        assert_eq!(p.config.policy, Policy::KeepExisting);
        let t = &p.config.targets[0];
        assert_eq!(
            (t.kind.as_str(), t.name.as_deref()),
            ("StatefulSet", Some("ui-*"))
        );
        assert_eq!(t.containers, ["a", "b"]);
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn config_map_data_is_read() {
        let p = parse_str("apiVersion: v1\nkind: ConfigMap\ndata: {value: \"false\", containers: \"a, b\", namespace: \"*\"}\n").unwrap();
        assert_eq!(p.config.value, "false");
        assert_eq!(p.config.targets[0].containers, ["a", "b"]);
        assert_eq!(p.config.targets[0].namespace, None);
    }

    #[test]
    fn errors_name_the_key() {
        assert_eq!(
            error_paths(&format!("{TYPED}spec:\n  colour: red\n")),
            ["spec.colour"]
        );
        assert_eq!(
            error_paths(&format!("{TYPED}spec:\n  value: true\n")),
            ["spec.value"]
        );
        assert_eq!(
            error_paths(&format!("{TYPED}spec:\n  policy: sometimes\n")),
            ["spec.policy"]
        );
        assert_eq!(
            error_paths(&format!("{TYPED}spec:\n  targets: []\n")),
            ["spec.targets"]
        );
        assert_eq!(
            error_paths(&format!("{TYPED}spec:\n  targets:\n  - kind: Service\n")),
            ["spec.targets[0].kind"]
        );
        assert_eq!(
            error_paths(&format!(
                "{TYPED}spec:\n  targets:\n  - labelSelector: a in b\n    size: 3\n"
            )),
            ["spec.targets[0].size", "spec.targets[0].labelSelector"]
        );
        assert_eq!(
            error_paths("apiVersion: v2/x\nkind: DisableGkeMetadata\n"),
            ["apiVersion"]
        );
        assert_eq!(error_paths("apiVersion: v1\nkind: Secret\n"), ["kind"]);
        assert_eq!(
            error_paths("apiVersion: v1\nkind: ConfigMap\ndata: {containers: ' , '}\n"),
            ["data.containers"]
        );
        assert_eq!(error_paths("- a\n"), [""]);
    }

    #[test]
    fn only_the_str_tag_makes_a_string() {
        for (v, want) in [
            ("!!str true", "true"),
            ("!!str 1", "1"),
            ("!<tag:yaml.org,2002:str> true", "true"),
            ("!!str \"false\"", "false"),
        ] {
            let p = parse_str(&format!("{TYPED}spec:\n  value: {v}\n"));
            assert_eq!(p.map(|p| p.config.value).ok().as_deref(), Some(want), "{v}");
        }
        for v in ["!!bool \"true\"", "!!int '1'", "!custom true", "! true"] {
            assert_eq!(
                error_paths(&format!("{TYPED}spec:\n  value: {v}\n")),
                ["spec.value"],
                "{v}"
            );
        }
    }

    #[test]
    fn warns_on_values_the_server_reads_as_false() {
        for v in ["yes", "\" true\"", "''", "on"] {
            let p = parse_str(&format!(
                "apiVersion: v1\nkind: ConfigMap\ndata:\n  value: {v}\n"
            ));
            match p {
                Ok(p) => assert_eq!(p.warnings.len(), 1, "{v}"),
                // A plain `on` is not a string to every reader: refused instead.
                Err(e) => assert_eq!(e[0].path, "data.value", "{v}"),
            }
        }
        for v in ["\"TRUE\"", "\"1\"", "\"false\"", "\"0\""] {
            let p = parse_str(&format!(
                "apiVersion: v1\nkind: ConfigMap\ndata:\n  value: {v}\n"
            ))
            .unwrap();
            assert!(p.warnings.is_empty(), "{v}");
        }
    }
}
