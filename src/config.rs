//! The functionConfig: which variables to set, how, and on which objects and containers.
//!
//! Accepted forms: none (defaults); a `ConfigMap` whose `data` holds string keys (what
//! `kpt fn eval --exec FN -- value=true policy=override` sends); or the typed
//! `kind: DisableGkeMetadata` with fields under `spec`.

use krm_splice::{
    plain_is_string_everywhere, pod_spec_path, Cursor, LabelSelector, Selector, Style, Tag,
    WORKLOAD_KINDS,
};

/// The group of the typed config.
pub const API_GROUP: &str = "disable-gke-metadata.dev";
/// The apiVersion of the typed config.
pub const API_VERSION: &str = "disable-gke-metadata.dev/v1alpha1";
/// The kind of the typed config.
pub const KIND: &str = "DisableGkeMetadata";
/// The variable this function exists for.
pub const ENV_NAME: &str = "DISABLE_GKE_METADATA";
/// The ConfigMap key prefix that names another variable: `env.APP_SECURE_COOKIES: "true"`.
pub const CM_ENV_PREFIX: &str = "env.";

/// What to do where a variable is already set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Every entry gets the value; an absent one is added.
    Override,
    /// Only containers with no entry get one.
    KeepExisting,
}

impl Policy {
    /// As written in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Override => "override",
            Policy::KeepExisting => "keep-existing",
        }
    }
}

/// One variable to set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvVar {
    /// Its name.
    pub name: String,
    /// The string to write.
    pub value: String,
}

/// Which objects, and which of their containers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// Which objects.
    pub selector: Selector,
    /// Container names (in `containers` and `initContainers`); `*` matches any.
    pub containers: Vec<String>,
}

impl Default for Target {
    fn default() -> Self {
        Target {
            selector: Selector {
                kind: "Deployment".into(),
                name: Some("ml-pipeline-ui".into()),
                namespace: None,
                label_selector: None,
            },
            containers: vec!["ml-pipeline-ui".into()],
        }
    }
}

impl Target {
    /// Whether a container name is one of the target's.
    pub fn wants_container(&self, name: &str) -> bool {
        self.containers.iter().any(|c| krm_splice::glob(c, name))
    }
}

/// The whole configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The variables, `DISABLE_GKE_METADATA` first.
    pub env: Vec<EnvVar>,
    /// What to do where a variable is already set.
    pub policy: Policy,
    /// Which objects and containers.
    pub targets: Vec<Target>,
    /// More image patterns (globs) that make a container of a workload a target, beside the
    /// KFP UI's own images.
    pub images: Vec<String>,
    /// Edit, or only check.
    pub mode: Mode,
    /// A run that finds no target is an error (`true`) or a warning.
    pub require_match: bool,
    /// Write a kustomize patch that makes the edits, instead of the edited input.
    pub emit_patch: bool,
}

/// What a run does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// Edit the targets.
    #[default]
    Fix,
    /// Change nothing; report what would change, and fail if anything would.
    Check,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            env: vec![EnvVar {
                name: ENV_NAME.into(),
                value: "true".into(),
            }],
            policy: Policy::Override,
            targets: vec![Target::default()],
            images: Vec::new(),
            mode: Mode::Fix,
            require_match: true,
            emit_patch: false,
        }
    }
}

/// Settings given outside the functionConfig (command-line flags): each one set replaces
/// what the config says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// Variables to set (`--value` sets DISABLE_GKE_METADATA, `--env NAME=VALUE` any).
    pub env: Vec<EnvVar>,
    /// `--policy`.
    pub policy: Option<Policy>,
    /// `--kind`, for every target.
    pub kind: Option<String>,
    /// `--name` (a glob; `*` for any), for every target.
    pub name: Option<String>,
    /// `--namespace` (a glob; `*` for any), for every target.
    pub namespace: Option<String>,
    /// `--selector`, for every target.
    pub label_selector: Option<LabelSelector>,
    /// `--containers`, for every target.
    pub containers: Option<Vec<String>>,
    /// `--image` patterns, added to the config's.
    pub images: Vec<String>,
    /// `--require-match`.
    pub require_match: Option<bool>,
    /// `--check` as a mode.
    pub mode: Option<Mode>,
    /// `--emit-patch`.
    pub emit_patch: Option<bool>,
}

impl Overrides {
    /// Whether nothing is overridden.
    pub fn is_empty(&self) -> bool {
        *self == Overrides::default()
    }

    /// Apply to a parsed config.
    pub fn apply(&self, c: &mut Config) {
        for v in &self.env {
            c.set(&v.name, v.value.clone());
        }
        if let Some(p) = self.policy {
            c.policy = p;
        }
        for t in &mut c.targets {
            if let Some(k) = &self.kind {
                t.selector.kind = k.clone();
            }
            if let Some(n) = &self.name {
                t.selector.name = non_empty(n.clone());
            }
            if let Some(n) = &self.namespace {
                t.selector.namespace = non_empty(n.clone());
            }
            if let Some(l) = &self.label_selector {
                t.selector.label_selector = Some(l.clone());
            }
            if let Some(cs) = &self.containers {
                t.containers = cs.clone();
            }
        }
        c.images.extend(self.images.iter().cloned());
        if let Some(r) = self.require_match {
            c.require_match = r;
        }
        if let Some(m) = self.mode {
            c.mode = m;
        }
        if let Some(e) = self.emit_patch {
            c.emit_patch = e;
        }
    }
}

impl Config {
    /// The value asked for `DISABLE_GKE_METADATA`.
    pub fn value(&self) -> Option<&str> {
        self.env
            .iter()
            .find(|v| v.name == ENV_NAME)
            .map(|v| v.value.as_str())
    }

    fn set(&mut self, name: &str, value: String) {
        match self.env.iter_mut().find(|v| v.name == name) {
            Some(v) => v.value = value,
            None => self.env.push(EnvVar {
                name: name.into(),
                value,
            }),
        }
    }
}

/// A problem with the functionConfig, at a field path inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// Where, as a dotted path inside the config.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// The parsed config and any warnings about it.
#[derive(Debug)]
pub struct Parsed {
    /// The config.
    pub config: Config,
    /// Things to tell the user, at paths.
    pub warnings: Vec<ConfigError>,
}

/// Read a functionConfig node (`None`: there was none).
pub fn parse(node: Option<&Cursor>) -> Result<Parsed, Vec<ConfigError>> {
    let mut errors = Vec::new();
    let config = match node {
        None => Config::default(),
        Some(n) if n.node().is_null() => Config::default(),
        Some(n) if n.node().is_map() => parse_object(n, &mut errors),
        Some(_) => {
            return Err(vec![err(
                "",
                "functionConfig must be a mapping (a ConfigMap or a DisableGkeMetadata object)",
            )])
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut warnings = Vec::new();
    if let Some(w) = config.value().and_then(value_warning) {
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

fn is_config_map(node: Option<&Cursor>) -> bool {
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

fn parse_object(n: &Cursor, errors: &mut Vec<ConfigError>) -> Config {
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
const CM_DATA_KEYS: [&str; 11] = [
    "value",
    "policy",
    "kind",
    "name",
    "namespace",
    "labelSelector",
    "containers",
    "images",
    "mode",
    "requireMatch",
    "emitPatch",
];
const SPEC_KEYS: [&str; 8] = [
    "value",
    "env",
    "policy",
    "targets",
    "images",
    "mode",
    "requireMatch",
    "emitPatch",
];
const TARGET_KEYS: [&str; 5] = ["kind", "name", "namespace", "labelSelector", "containers"];

/// A mapping's keys as written (`?` for a key that is not a scalar).
fn keys<'t>(n: &Cursor<'t, '_>) -> Vec<&'t str> {
    n.node()
        .entries()
        .map(|(k, _)| k.scalar().unwrap_or("?"))
        .collect()
}

fn check_keys(
    n: &Cursor,
    base: &str,
    allowed: &[&str],
    also: impl Fn(&str) -> bool,
    errors: &mut Vec<ConfigError>,
) {
    for key in keys(n) {
        if !allowed.contains(&key) && !also(key) {
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
fn string(c: &Cursor, path: &str, errors: &mut Vec<ConfigError>) -> Option<String> {
    let n = c.node();
    let Some(value) = n.scalar() else {
        errors.push(err(path, &format!("{path} must be a string")));
        return None;
    };
    match n.tag() {
        Tag::Str => return Some(value.to_string()),
        Tag::None => {}
        _ => {
            errors.push(err(
                path,
                &format!("{path} must be a string: drop its tag (only !!str is accepted)"),
            ));
            return None;
        }
    }
    if n.is_null() {
        errors.push(err(path, &format!("{path} must be a string, not null")));
        return None;
    }
    if n.style() == Style::Plain && !plain_is_string_everywhere(value) {
        errors.push(err(
            path,
            &format!("{path} must be a string: quote it, e.g. {path}: \"{value}\""),
        ));
        return None;
    }
    Some(value.to_string())
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

/// A variable name as Kubernetes accepts it (a C identifier, or any printable ASCII without
/// `=` as newer versions allow); `None` when it is not.
fn env_name(name: &str, path: &str, errors: &mut Vec<ConfigError>) -> Option<String> {
    let ok = !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b'=');
    if ok {
        Some(name.to_owned())
    } else {
        errors.push(err(
            path,
            &format!("{name:?} is not an environment variable name"),
        ));
        None
    }
}

fn parse_config_map(n: &Cursor, errors: &mut Vec<ConfigError>) -> Config {
    check_keys(n, "", &CM_TOP_KEYS, |_| false, errors);
    let mut config = Config::default();
    let Some(data) = n.get("data") else {
        return config;
    };
    if data.node().is_null() {
        return config;
    }
    if !data.node().is_map() {
        errors.push(err("data", "data must be a mapping of strings"));
        return config;
    }
    let is_env_key = |k: &str| k.starts_with(CM_ENV_PREFIX);
    check_keys(&data, "data", &CM_DATA_KEYS, is_env_key, errors);
    let mut target = Target::default();
    let mut value_key = false;
    for (key, v) in data.entries() {
        if !CM_DATA_KEYS.contains(&key) && !is_env_key(key) {
            continue;
        }
        let path = join("data", key);
        let Some(s) = string(&v, &path, errors) else {
            continue;
        };
        if let Some(name) = key.strip_prefix(CM_ENV_PREFIX) {
            if let Some(name) = env_name(name, &path, errors) {
                if name == ENV_NAME && value_key {
                    errors.push(err(
                        &path,
                        "both value and env.DISABLE_GKE_METADATA are set",
                    ));
                }
                config.set(&name, s);
            }
            continue;
        }
        match key {
            "value" => {
                if data.get(&format!("{CM_ENV_PREFIX}{ENV_NAME}")).is_some() && !value_key {
                    errors.push(err(
                        &path,
                        "both value and env.DISABLE_GKE_METADATA are set",
                    ));
                }
                value_key = true;
                config.set(ENV_NAME, s)
            }
            "policy" => {
                if let Some(p) = policy(&s, &path, errors) {
                    config.policy = p
                }
            }
            "containers" => {
                target.containers = list(&s);
                if target.containers.is_empty() {
                    errors.push(err(&path, "containers must name at least one container"));
                }
            }
            "images" => config.images = list(&s),
            "mode" => {
                if let Some(m) = mode(&s, &path, errors) {
                    config.mode = m;
                }
            }
            "requireMatch" => {
                if let Some(b) = flag(&s, &path, errors) {
                    config.require_match = b;
                }
            }
            "emitPatch" => {
                if let Some(b) = flag(&s, &path, errors) {
                    config.emit_patch = b;
                }
            }
            _ => selector_field(&mut target, key, s, &path, errors),
        }
    }
    check_target(&target, "data", errors);
    config.targets = vec![target];
    config
}

/// A comma-separated list, trimmed, empty parts dropped.
fn list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

fn mode(s: &str, path: &str, errors: &mut Vec<ConfigError>) -> Option<Mode> {
    match s {
        "fix" => Some(Mode::Fix),
        "check" => Some(Mode::Check),
        _ => {
            errors.push(err(
                path,
                &format!("mode {s:?} is not known; accepted: fix, check"),
            ));
            None
        }
    }
}

/// `"true"` or `"false"`.
fn flag(s: &str, path: &str, errors: &mut Vec<ConfigError>) -> Option<bool> {
    match s {
        "true" => Some(true),
        "false" => Some(false),
        _ => {
            errors.push(err(path, &format!("{path} must be \"true\" or \"false\"")));
            None
        }
    }
}

/// A boolean field of the typed config: `true`/`false`, plain or quoted.
fn boolean(c: &Cursor, path: &str, errors: &mut Vec<ConfigError>) -> Option<bool> {
    let n = c.node();
    match (n.scalar(), n.tag()) {
        (Some("true"), Tag::None | Tag::Bool | Tag::Str) => Some(true),
        (Some("false"), Tag::None | Tag::Bool | Tag::Str) => Some(false),
        _ => {
            errors.push(err(path, &format!("{path} must be true or false")));
            None
        }
    }
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty() && s != "*").then_some(s)
}

fn parse_typed(n: &Cursor, errors: &mut Vec<ConfigError>) -> Config {
    check_keys(n, "", &TOP_KEYS, |_| false, errors);
    let mut config = Config::default();
    let Some(spec) = n.get("spec").filter(|s| !s.node().is_null()) else {
        return config;
    };
    if !spec.node().is_map() {
        errors.push(err("spec", "spec must be a mapping"));
        return config;
    }
    check_keys(&spec, "spec", &SPEC_KEYS, |_| false, errors);
    if let Some(v) = spec.get("value") {
        if let Some(s) = string(&v, "spec.value", errors) {
            config.set(ENV_NAME, s);
        }
    }
    if let Some(list) = spec.get("env") {
        parse_env_list(&list, spec.get("value").is_some(), &mut config, errors);
    }
    if let Some(v) = spec.get("policy") {
        if let Some(s) = string(&v, "spec.policy", errors) {
            if let Some(p) = policy(&s, "spec.policy", errors) {
                config.policy = p;
            }
        }
    }
    if let Some(v) = spec.get("images") {
        let items: Vec<_> = v.items().collect();
        if v.node().is_seq() {
            config.images = items
                .iter()
                .enumerate()
                .filter_map(|(i, c)| string(c, &format!("spec.images[{i}]"), errors))
                .collect();
        } else {
            errors.push(err(
                "spec.images",
                "images must be a list of image patterns",
            ));
        }
    }
    if let Some(v) = spec.get("mode") {
        if let Some(s) = string(&v, "spec.mode", errors) {
            if let Some(m) = mode(&s, "spec.mode", errors) {
                config.mode = m;
            }
        }
    }
    if let Some(v) = spec.get("requireMatch") {
        if let Some(b) = boolean(&v, "spec.requireMatch", errors) {
            config.require_match = b;
        }
    }
    if let Some(v) = spec.get("emitPatch") {
        if let Some(b) = boolean(&v, "spec.emitPatch", errors) {
            config.emit_patch = b;
        }
    }
    if let Some(t) = spec.get("targets") {
        let items: Vec<_> = t.items().collect();
        if t.node().is_seq() && !items.is_empty() {
            config.targets = items
                .iter()
                .enumerate()
                .map(|(i, item)| parse_target(item, &format!("spec.targets[{i}]"), errors))
                .collect();
        } else {
            errors.push(err(
                "spec.targets",
                "targets must be a non-empty list of {kind, name, namespace, labelSelector, containers}",
            ));
        }
    }
    config
}

/// `spec.env: [{name, value}]`.
fn parse_env_list(
    list: &Cursor,
    has_value: bool,
    config: &mut Config,
    errors: &mut Vec<ConfigError>,
) {
    let items: Vec<_> = list.items().collect();
    if !list.node().is_seq() || items.is_empty() {
        errors.push(err(
            "spec.env",
            "env must be a non-empty list of {name, value}",
        ));
        return;
    }
    let mut seen: Vec<String> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("spec.env[{i}]");
        if !item.node().is_map() {
            errors.push(err(&path, "an env entry must be a mapping {name, value}"));
            continue;
        }
        check_keys(item, &path, &["name", "value"], |_| false, errors);
        let name = match item.get("name") {
            Some(c) => string(&c, &join(&path, "name"), errors)
                .and_then(|n| env_name(&n, &join(&path, "name"), errors)),
            None => {
                errors.push(err(&join(&path, "name"), "name is required"));
                None
            }
        };
        let value = match item.get("value") {
            Some(c) => string(&c, &join(&path, "value"), errors),
            None => {
                errors.push(err(&join(&path, "value"), "value is required"));
                None
            }
        };
        if let (Some(name), Some(value)) = (name, value) {
            if seen.contains(&name) {
                errors.push(err(&path, &format!("{name} is listed twice")));
            }
            if name == ENV_NAME && has_value {
                errors.push(err(
                    &path,
                    "both spec.value and an env entry set DISABLE_GKE_METADATA",
                ));
            }
            seen.push(name.clone());
            config.set(&name, value);
        }
    }
}

fn parse_target(n: &Cursor, path: &str, errors: &mut Vec<ConfigError>) -> Target {
    let mut target = Target::default();
    if !n.node().is_map() {
        errors.push(err(path, "a target must be a mapping"));
        return target;
    }
    check_keys(n, path, &TARGET_KEYS, |_| false, errors);
    for (key, v) in n.entries() {
        if !TARGET_KEYS.contains(&key) {
            continue;
        }
        let p = join(path, key);
        if key == "containers" {
            let items: Vec<_> = v.items().collect();
            if v.node().is_seq() && !items.is_empty() {
                target.containers = items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, c)| string(c, &format!("{p}[{i}]"), errors))
                    .collect();
            } else {
                errors.push(err(&p, "containers must be a non-empty list of names"));
            }
            continue;
        }
        if let Some(s) = string(&v, &p, errors) {
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
    let sel = &mut target.selector;
    match key {
        "kind" => sel.kind = s,
        "name" => sel.name = non_empty(s),
        "namespace" => sel.namespace = non_empty(s),
        "labelSelector" => match LabelSelector::parse(&s) {
            Ok(l) => sel.label_selector = Some(l),
            Err(e) => errors.push(err(path, &e)),
        },
        _ => {}
    }
}

fn check_target(t: &Target, path: &str, errors: &mut Vec<ConfigError>) {
    if pod_spec_path(&t.selector.kind).is_none() {
        errors.push(err(
            &join(path, "kind"),
            &format!(
                "kind {:?} has no pod template; accepted: {}",
                t.selector.kind,
                WORKLOAD_KINDS.join(", ")
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use krm_splice::{Keep, Limits, Text, Tree};

    fn parse_str(src: &str) -> Result<Parsed, Vec<ConfigError>> {
        let tree = Tree::parse(Text::new(src), &Keep::all(), &Limits::default())
            .expect("test config parses");
        let root = tree.cursor(0);
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
        assert_eq!(p.config.value(), Some("1"));
        assert_eq!(p.config.policy, Policy::KeepExisting);
        let t = &p.config.targets[0];
        assert_eq!(
            (t.selector.kind.as_str(), t.selector.name.as_deref()),
            ("StatefulSet", Some("ui-*"))
        );
        assert_eq!(t.containers, ["a", "b"]);
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn several_variables() {
        let p = parse_str(&format!(
            "{TYPED}spec:\n  env:\n  - {{name: APP_SECURE_COOKIES, value: \"false\"}}\n  - {{name: DISABLE_GKE_METADATA, value: \"1\"}}\n"
        ))
        .unwrap();
        let env: Vec<(&str, &str)> = p
            .config
            .env
            .iter()
            .map(|v| (v.name.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(
            env,
            [
                ("DISABLE_GKE_METADATA", "1"),
                ("APP_SECURE_COOKIES", "false")
            ]
        );
        let p = parse_str(
            "apiVersion: v1\nkind: ConfigMap\ndata: {value: \"true\", env.APP_SECURE_COOKIES: \"false\"}\n",
        )
        .unwrap();
        assert_eq!(p.config.env.len(), 2);
        assert_eq!(
            error_paths(&format!(
                "{TYPED}spec:\n  value: \"true\"\n  env: [{{name: DISABLE_GKE_METADATA, value: \"1\"}}]\n"
            )),
            ["spec.env[0]"]
        );
        assert_eq!(
            error_paths(&format!(
                "{TYPED}spec:\n  env: [{{name: \"A=B\", value: x}}]\n"
            )),
            ["spec.env[0].name"]
        );
        assert_eq!(
            error_paths(&format!("{TYPED}spec:\n  env: [{{name: A}}]\n")),
            ["spec.env[0].value"]
        );
    }

    #[test]
    fn mode_images_require_match_emit_patch() {
        let p = parse_str(&format!(
            "{TYPED}spec:\n  images: ['*/my-ui']\n  mode: check\n  requireMatch: false\n  emitPatch: true\n"
        ))
        .unwrap();
        assert_eq!(p.config.images, ["*/my-ui"]);
        assert_eq!(p.config.mode, Mode::Check);
        assert!(!p.config.require_match && p.config.emit_patch);
        let p = parse_str(
            "apiVersion: v1\nkind: ConfigMap\ndata: {images: \"a/b, c/*\", mode: check, requireMatch: \"false\"}\n",
        )
        .unwrap();
        assert_eq!(p.config.images, ["a/b", "c/*"]);
        assert!(!p.config.require_match);
        assert_eq!(
            error_paths(
                "apiVersion: v1\nkind: ConfigMap\ndata: {mode: dry, requireMatch: \"no\"}\n"
            ),
            ["data.mode", "data.requireMatch"]
        );
        assert_eq!(
            error_paths(&format!("{TYPED}spec:\n  requireMatch: maybe\n")),
            ["spec.requireMatch"]
        );
    }

    #[test]
    fn config_map_data_is_read() {
        let p = parse_str("apiVersion: v1\nkind: ConfigMap\ndata: {value: \"false\", containers: \"a, b\", namespace: \"*\"}\n").unwrap();
        assert_eq!(p.config.value(), Some("false"));
        assert_eq!(p.config.targets[0].containers, ["a", "b"]);
        assert_eq!(p.config.targets[0].selector.namespace, None);
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
            assert_eq!(
                p.ok()
                    .and_then(|p| p.config.value().map(str::to_owned))
                    .as_deref(),
                Some(want),
                "{v}"
            );
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
