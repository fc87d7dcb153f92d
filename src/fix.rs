//! The decisions: which objects and containers are targets, what each variable's entry
//! becomes under the policy, and what the results say. The engine makes, renders and
//! verifies the edits.

use krm_splice::{
    glob, pod_spec_path, quoted as json, workload_groups, Cursor, EditError, Editor, Envelope,
    Field, File, KrmResult, Object, ObjectId, ResourceRef, Severity, Style, Tag, Value,
};

use crate::config::{self, Config, EnvVar, Mode, Policy, Target, ENV_NAME};
use crate::kfp;

/// What planning decided, beside the edits it asked the editor for.
#[derive(Debug, Default)]
pub struct Plan {
    /// Results, in order.
    pub results: Vec<KrmResult>,
    /// A target could not be edited safely: nothing may be written.
    pub failed: bool,
    /// How many target containers were found.
    pub targets: usize,
    /// In check mode: how many places a fix would change (each has an `error` result).
    pub would_change: usize,
    /// No target was found: the result that says so (an `error` when the config requires a
    /// match, else a `warning`), also the last of `results`.
    pub no_match: Option<KrmResult>,
}
/// What results say about an object.
pub struct ObjCtx {
    rref: ResourceRef,
    file: Option<File>,
}

impl ObjCtx {
    /// From an object of the input.
    pub fn new(obj: &Object) -> ObjCtx {
        ObjCtx {
            rref: ResourceRef {
                api_version: obj.id.api_version.clone(),
                kind: obj.id.kind.clone(),
                name: obj.id.name.clone(),
                namespace: obj.id.namespace.clone(),
            },
            file: obj.file().map(|(path, index)| File { path, index }),
        }
    }

    /// A result about the object.
    pub fn result(&self, severity: Severity, message: String, field: Option<Field>) -> KrmResult {
        KrmResult {
            message,
            severity,
            resource_ref: Some(self.rref.clone()),
            field,
            file: self.file.clone(),
        }
    }
}

fn field(path: String, current: Option<String>, proposed: Option<String>) -> Option<Field> {
    Some(Field {
        path,
        current_value: current,
        proposed_value: proposed,
    })
}

/// How targets are searched for: the config's targets by kind and name, and, by image,
/// any container of a Kubernetes workload that runs a KFP UI image.
///
/// The image search is on with the default targets (no `targets`, `kind`, `name`,
/// `namespace`, `labelSelector` or `containers` other than the defaults), and whenever
/// `images` is given; a config that names its own targets without `images` gets exactly what
/// it names.
pub struct Search<'c> {
    /// The targets by kind and name.
    pub targets: &'c [Target],
    /// Image patterns that make a container a target ([`kfp::UI_IMAGES`] and `images`);
    /// empty when the image search is off.
    pub images: Vec<String>,
}

impl<'c> Search<'c> {
    /// The search a config asks for.
    pub fn new(config: &'c Config) -> Search<'c> {
        let default = config.targets.len() == 1 && config.targets[0] == Target::default();
        let images = if default || !config.images.is_empty() {
            kfp::UI_IMAGES
                .iter()
                .map(|s| s.to_string())
                .chain(config.images.iter().cloned())
                .collect()
        } else {
            Vec::new()
        };
        Search {
            targets: &config.targets,
            images,
        }
    }

    fn by_image(&self, image: &str) -> bool {
        self.images.iter().any(|p| kfp::image_matches(p, image))
    }

    /// What was searched for, in words.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self.targets.iter().map(describe_target).collect();
        if !self.images.is_empty() {
            parts.push(format!(
                "any container of a workload whose image is {} (under any registry, with any \
                 tag or digest)",
                quoted_list(&self.images, "or")
            ));
        }
        parts.join("; and ")
    }
}

fn describe_target(t: &Target) -> String {
    let s = &t.selector;
    let mut d = format!("a {} ({})", s.kind, api_groups(&s.kind));
    match &s.name {
        Some(n) => d.push_str(&format!(" named {}", json(n))),
        None => d.push_str(" of any name"),
    }
    match &s.namespace {
        Some(n) => d.push_str(&format!(" in namespace {}", json(n))),
        None => d.push_str(" in any namespace"),
    }
    if let Some(l) = &s.label_selector {
        d.push_str(&format!(" with labels {}", json(&l.source)));
    }
    d.push_str(&format!(", container {}", quoted_list(&t.containers, "or")));
    d
}

fn quoted_list(items: &[String], conj: &str) -> String {
    let q: Vec<String> = items.iter().map(|s| json(s)).collect();
    match q.len() {
        0 => String::new(),
        1 => q[0].clone(),
        n => format!("{} {conj} {}", q[..n - 1].join(", "), q[n - 1]),
    }
}

/// Plan the edits for every target of `config` in `env`.
pub fn plan<'t, 'a>(ed: &mut Editor<'t, 'a>, env: &Envelope<'t, 'a>, config: &Config) -> Plan {
    let search = Search::new(config);
    let mut p = Planner {
        ed,
        config,
        out: Plan::default(),
    };
    for obj in &env.objects {
        let id = &obj.id;
        let named: Vec<&Target> = config
            .targets
            .iter()
            .filter(|t| t.selector.matches(id))
            .collect();
        let workload = id.is_kubernetes_workload();
        if !named.is_empty() && !workload {
            p.out.results.push(ObjCtx::new(obj).result(
                Severity::Warning,
                not_a_workload(id),
                None,
            ));
            continue;
        }
        if !workload || (named.is_empty() && search.images.is_empty()) {
            continue;
        }
        let ctx = ObjCtx::new(obj);
        let wants = |name: &str| named.iter().any(|t| t.wants_container(name));
        let mut found = 0;
        for (cpath, c) in containers(obj) {
            if !c.node().is_map() {
                if !named.is_empty() {
                    p.error(
                        &ctx,
                        &cpath,
                        "the container is not a mapping; cannot tell whether it is a target",
                    );
                }
                continue;
            }
            let name = c.str_at("name").unwrap_or("");
            let image = c.str_at("image");
            let by_name = wants(name);
            let by_image = image.is_some_and(|i| search.by_image(i));
            if !by_name && !by_image {
                continue;
            }
            found += 1;
            p.out.targets += 1;
            p.verdict(&ctx, &cpath, &c, name, image, by_name, by_image);
            p.container(&ctx, &cpath, &c);
        }
        if !named.is_empty() && found == 0 {
            let wanted: Vec<&str> = named
                .iter()
                .flat_map(|t| t.containers.iter().map(String::as_str))
                .collect();
            p.out.results.push(ctx.result(
                Severity::Warning,
                format!(
                    "no container named {} in this {}; left as is",
                    wanted.join(" or "),
                    id.kind
                ),
                None,
            ));
        }
    }
    if p.out.targets == 0 && !p.out.failed {
        let r = no_match(env, config, &search);
        p.out.results.push(r.clone());
        p.out.no_match = Some(r);
    }
    p.out
}

fn not_a_workload(id: &ObjectId) -> String {
    format!(
        "apiVersion {:?} is not a Kubernetes {} (that is {}); left as is",
        id.api_version,
        id.kind,
        api_groups(&id.kind)
    )
}

/// The API groups a workload kind belongs to, as a user would write them: `apps/* or
/// extensions/*`, `v1` for the core group.
fn api_groups(kind: &str) -> String {
    let groups: Vec<String> = workload_groups(kind)
        .iter()
        .map(|g| {
            if g.is_empty() {
                "v1".into()
            } else {
                format!("{g}/*")
            }
        })
        .collect();
    groups.join(" or ")
}

/// An object's containers and init containers, with their paths.
fn containers<'t, 'a>(obj: &Object<'t, 'a>) -> Vec<(String, Cursor<'t, 'a>)> {
    let mut out = Vec::new();
    let Some(path) = pod_spec_path(&obj.id.kind) else {
        return out;
    };
    let mut pod = Some(obj.cursor.clone());
    for k in path {
        pod = pod.and_then(|n| n.get(k));
    }
    let pod_path = path.join(".");
    for list_key in ["containers", "initContainers"] {
        let Some(list) = pod.as_ref().and_then(|n| n.get(list_key)) else {
            continue;
        };
        if !list.node().is_seq() {
            continue;
        }
        for (ci, c) in list.items().enumerate() {
            out.push((format!("{pod_path}.{list_key}[{ci}]"), c));
        }
    }
    out
}

/// How many similar objects a no-match message lists.
const SIMILAR_MAX: usize = 6;

/// The result for a run that found no target: what was searched for, and what similar
/// objects the input holds.
fn no_match(env: &Envelope, config: &Config, search: &Search) -> KrmResult {
    let seen = similar(env, config, search);
    let mut m = format!("no target found: searched for {}", search.describe());
    if seen.is_empty() {
        m.push_str("; nothing similar seen");
    } else {
        let more = seen.len().saturating_sub(SIMILAR_MAX);
        let shown: Vec<&str> = seen.iter().take(SIMILAR_MAX).map(String::as_str).collect();
        m.push_str(&format!("; seen: {}", shown.join("; ")));
        if more > 0 {
            m.push_str(&format!("; and {more} more"));
        }
    }
    if config.require_match {
        m.push_str(
            ". Nothing was changed. If this input may hold no Kubeflow Pipelines UI, set \
             requireMatch to false (ConfigMap: \"false\")",
        );
        KrmResult::new(Severity::Error, m)
    } else {
        m.push_str("; nothing changed (requireMatch is false)");
        KrmResult::new(Severity::Warning, m)
    }
}

/// Objects like the targets: the UI image under another name, the name in another namespace
/// or kind, a near name, a target without the container; and documents that are not
/// Kubernetes objects at all.
fn similar(env: &Envelope, config: &Config, search: &Search) -> Vec<String> {
    let mut seen = Vec::new();
    let mut not_objects = 0;
    let mut workloads = 0;
    let mut kinds: Vec<&str> = Vec::new();
    for obj in &env.objects {
        let id = &obj.id;
        if id.kind.is_empty() && id.api_version.is_empty() {
            not_objects += 1;
            continue;
        }
        if !kinds.contains(&id.kind.as_str()) {
            kinds.push(&id.kind);
        }
        let workload = id.is_kubernetes_workload();
        if workload {
            workloads += 1;
        }
        let what = id.describe();
        let before = seen.len();
        for t in &config.targets {
            let s = &t.selector;
            let name_matches = s.name.as_deref().is_none_or(|n| glob(n, &id.name));
            if !name_matches && workload && id.kind == s.kind {
                let under: Vec<String> = containers(obj)
                    .iter()
                    .filter_map(|(_, c)| c.str_at("name"))
                    .filter(|n| t.wants_container(n))
                    .map(str::to_string)
                    .collect();
                if !under.is_empty() {
                    seen.push(format!(
                        "{what} has a container named {} (the {} is not named {})",
                        quoted_list(&under, "and"),
                        id.kind,
                        json(s.name.as_deref().unwrap_or(""))
                    ));
                    break;
                }
            }
            let near = s
                .name
                .as_deref()
                .is_some_and(|n| !n.contains('*') && !name_matches && near_name(n, &id.name));
            if !name_matches && !near {
                continue;
            }
            let is_workload_kind = pod_spec_path(&id.kind).is_some();
            if !is_workload_kind && id.kind != s.kind {
                continue;
            }
            if near {
                seen.push(format!(
                    "{what} (name {}, not {})",
                    json(&id.name),
                    json(s.name.as_deref().unwrap_or(""))
                ));
                break;
            }
            if id.kind != s.kind {
                seen.push(format!("{what} (kind {}, not {})", id.kind, s.kind));
                break;
            }
            if !workload {
                seen.push(format!(
                    "{what} (apiVersion {}: not a Kubernetes {})",
                    json(&id.api_version),
                    id.kind
                ));
                break;
            }
            if let Some(ns) = &s.namespace {
                if !glob(ns, &id.namespace) {
                    let actual = if id.namespace.is_empty() {
                        "no namespace".to_string()
                    } else {
                        format!("namespace {}", json(&id.namespace))
                    };
                    seen.push(format!("{what} ({actual}, not {})", json(ns)));
                    break;
                }
            }
            if let Some(l) = &s.label_selector {
                if !l.matches(&id.labels) {
                    seen.push(format!("{what} (labels do not match {})", json(&l.source)));
                    break;
                }
            }
            let names: Vec<String> = containers(obj)
                .iter()
                .filter_map(|(_, c)| c.str_at("name").map(str::to_string))
                .collect();
            seen.push(format!(
                "{what} has no container named {} (it has {})",
                quoted_list(&t.containers, "or"),
                if names.is_empty() {
                    "none".to_string()
                } else {
                    quoted_list(&names, "and")
                }
            ));
            break;
        }
        // The UI image, or an `images` pattern, where the search did not look (when the
        // object is not like a target already).
        if workload && seen.len() == before {
            for (_, c) in containers(obj) {
                let Some(image) = c.str_at("image") else {
                    continue;
                };
                if search.images.is_empty() && kfp::is_ui_image(image, &config.images) {
                    seen.push(format!(
                        "{what} runs the KFP UI image {} in container {} (the config names \
                         its own targets: add the name to them, or give `images`)",
                        json(image),
                        json(c.str_at("name").unwrap_or(""))
                    ));
                }
            }
        }
    }
    if not_objects > 0 {
        seen.push(format!(
            "{not_objects} document(s) with neither apiVersion nor kind: not Kubernetes \
             objects (a Helm values file?)"
        ));
    }
    if workloads == 0 && !kinds.is_empty() {
        seen.push(format!(
            "no workload at all among {} object(s) (kinds: {})",
            env.objects.len() - not_objects,
            kinds.join(", ")
        ));
    }
    seen
}

/// A name a typo away: at most two edits (insert, delete, substitute) on names longer than
/// four characters.
fn near_name(want: &str, got: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (want.chars().collect(), got.chars().collect());
    if a.len() <= 4 || a.len().abs_diff(b.len()) > 2 || b.is_empty() {
        return false;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()] <= 2
}

struct Planner<'p, 't, 'a> {
    ed: &'p mut Editor<'t, 'a>,
    config: &'p Config,
    out: Plan,
}

/// A new env entry.
fn entry(v: &EnvVar) -> Value {
    Value::map([
        ("name", Value::word(&v.name)),
        ("value", Value::str(&v.value)),
    ])
}

impl<'t, 'a> Planner<'_, 't, 'a> {
    fn names(&self) -> String {
        self.config
            .env
            .iter()
            .map(|v| v.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn error(&mut self, ctx: &ObjCtx, path: &str, why: &str) {
        self.out.failed = true;
        let names = self.names();
        self.out.results.push(ctx.result(
            Severity::Error,
            format!("cannot edit {names} safely: {why}"),
            field(path.into(), None, None),
        ));
    }

    fn edit_error(&mut self, ctx: &ObjCtx, path: &str, e: EditError) {
        self.error(ctx, path, &e.to_string());
    }

    fn info(&mut self, ctx: &ObjCtx, message: String, f: Option<Field>) {
        self.out
            .results
            .push(ctx.result(Severity::Info, message, f));
    }

    /// A place the run changes: an `info` saying what was done, or in check mode an `error`
    /// saying what a fix would do.
    fn change(&mut self, ctx: &ObjCtx, fixed: String, check: String, f: Option<Field>) {
        match self.config.mode {
            Mode::Fix => self.info(ctx, fixed, f),
            Mode::Check => {
                self.out.would_change += 1;
                self.out.results.push(ctx.result(Severity::Error, check, f));
            }
        }
    }

    /// How the container was found, and what its KFP version needs given the value that
    /// will be in effect (a `warning` when that value makes it crash off GKE).
    #[allow(clippy::too_many_arguments)]
    fn verdict(
        &mut self,
        ctx: &ObjCtx,
        cpath: &str,
        c: &Cursor<'t, 'a>,
        name: &str,
        image: Option<&str>,
        by_name: bool,
        by_image: bool,
    ) {
        let how = match (by_name, by_image) {
            (true, true) => "by name and image",
            (true, false) => "by name",
            _ => "by image",
        };
        let ui_image = by_image || image.is_some_and(|i| kfp::is_ui_image(i, &self.config.images));
        let reading = kfp::read(image, ui_image);
        let head = match image {
            Some(i) => format!("container {}, found {how} ({i})", json(name)),
            None => format!("container {}, found {how} (no image)", json(name)),
        };
        let mut message = format!("{head}: {}", reading.says());
        let mut severity = Severity::Info;
        let will = match self.config.mode {
            Mode::Fix => format!("{ENV_NAME} will be"),
            Mode::Check => format!("after a fix, {ENV_NAME} would be"),
        };
        match self.in_effect(c) {
            InEffect::Value(v) if config::reads_as_true(&v) => {
                message.push_str(&format!("; {will} {}", json(&v)));
            }
            InEffect::Value(v) => {
                let shown = json(&v);
                let consequence = match reading.when_false() {
                    Some(kfp::WhenFalse::Crash) => {
                        severity = Severity::Warning;
                        "which reads as false: this UI crashes off GKE (keep it only on GKE)"
                            .to_string()
                    }
                    None => {
                        severity = Severity::Warning;
                        "which reads as false: KFP 2.3.0 to 2.14.x crash with that off GKE"
                            .to_string()
                    }
                    Some(kfp::WhenFalse::Http500) => {
                        "which reads as false: right on GKE; off GKE the UI's cluster \
                         information calls fail"
                            .to_string()
                    }
                    Some(kfp::WhenFalse::Logged | kfp::WhenFalse::NotRead) => {
                        "which reads as false".to_string()
                    }
                };
                message.push_str(&format!("; {will} {shown}, {consequence}"));
            }
            InEffect::ValueFrom => message.push_str(&format!(
                "; {ENV_NAME} comes from valueFrom, which this function cannot read: off GKE \
                 it must read as true (\"true\" or \"1\")"
            )),
            InEffect::Unknown => {}
        }
        let f = match image {
            Some(i) => field(format!("{cpath}.image"), Some(i.to_string()), None),
            None => field(cpath.to_string(), None, None),
        };
        self.out.results.push(ctx.result(severity, message, f));
    }

    /// The value `DISABLE_GKE_METADATA` will have once the run (or in check mode, a fix) is
    /// done. The last entry of a name is the one Kubernetes uses.
    fn in_effect(&self, c: &Cursor) -> InEffect {
        let Some(asked) = self.config.value() else {
            return InEffect::Unknown;
        };
        if self.config.policy == Policy::Override {
            return InEffect::Value(asked.to_string());
        }
        let last = c.get("env").filter(|e| e.node().is_seq()).and_then(|e| {
            e.items()
                .filter(|e| e.node().is_map() && e.str_at("name") == Some(ENV_NAME))
                .last()
        });
        match last {
            None => InEffect::Value(asked.to_string()),
            Some(e) => match (e.get("value"), e.get("valueFrom")) {
                (Some(v), _) if v.node().is_null() => InEffect::Value(String::new()),
                (Some(v), _) => match v.node().scalar() {
                    Some(s) => InEffect::Value(s.to_string()),
                    None => InEffect::Unknown,
                },
                (None, Some(_)) => InEffect::ValueFrom,
                (None, None) => InEffect::Value(String::new()),
            },
        }
    }

    fn container(&mut self, ctx: &ObjCtx, cpath: &str, c: &Cursor<'t, 'a>) {
        if c.node().has_merge_key() {
            return self.error(
                ctx,
                cpath,
                "the container uses a `<<` merge key; its env may come from elsewhere",
            );
        }
        let env_path = format!("{cpath}.env");
        let vars = self.config.env.clone();
        let Some(env) = c.get("env") else {
            // No env: add one at the end of the container.
            let list = Value::Seq(vars.iter().map(entry).collect());
            if let Err(e) = self.ed.insert(c, "env", list) {
                return self.edit_error(ctx, cpath, e);
            }
            for (i, v) in vars.iter().enumerate() {
                let (n, val) = (&v.name, json(&v.value));
                self.change(
                    ctx,
                    format!("added {n}={val} (the container had no env)"),
                    format!("{n} is not set (the container has no env); a fix adds {n}={val}"),
                    field(
                        format!("{env_path}[{i}].value"),
                        None,
                        Some(v.value.clone()),
                    ),
                );
            }
            return;
        };
        if env.node().is_null() {
            let list = Value::Seq(vars.iter().map(entry).collect());
            if let Err(e) = self.ed.replace(&env, list) {
                return self.edit_error(ctx, &env_path, e);
            }
            for (i, v) in vars.iter().enumerate() {
                let (n, val) = (&v.name, json(&v.value));
                self.change(
                    ctx,
                    format!("added {n}={val} (env was null)"),
                    format!("{n} is not set (env is null); a fix adds {n}={val}"),
                    field(
                        format!("{env_path}[{i}].value"),
                        None,
                        Some(v.value.clone()),
                    ),
                );
            }
            return;
        }
        if !env.node().is_seq() {
            return self.error(ctx, &env_path, "env is not a list");
        }
        // Every entry must be readable before anything is decided; the entries of each
        // variable, by index.
        let mut matched: Vec<Vec<usize>> = vec![Vec::new(); vars.len()];
        let mut len = 0;
        for (i, e) in env.items().enumerate() {
            len = i + 1;
            let epath = || format!("{env_path}[{i}]");
            if !e.node().is_map() {
                return self.error(ctx, &epath(), "the entry is not a mapping");
            }
            if e.node().has_merge_key() {
                return self.error(ctx, &epath(), "the entry uses a `<<` merge key");
            }
            if let Some(n) = e.get("name") {
                let Some(name) = n.node().scalar() else {
                    return self.error(
                        ctx,
                        &format!("{}.name", epath()),
                        "the entry's name is not a plain string",
                    );
                };
                for (vi, v) in vars.iter().enumerate() {
                    if v.name == name {
                        matched[vi].push(i);
                    }
                }
            }
        }
        let mut appended = 0;
        for (var, matched) in vars.iter().zip(matched) {
            if matched.is_empty() {
                let n = len + appended;
                if let Err(e) = self.ed.append(&env, entry(var)) {
                    return self.edit_error(ctx, &env_path, e);
                }
                appended += 1;
                let (name, val) = (&var.name, json(&var.value));
                self.change(
                    ctx,
                    format!("added {name}={val}"),
                    format!("{name} is not set; a fix adds {name}={val}"),
                    field(
                        format!("{env_path}[{n}].value"),
                        None,
                        Some(var.value.clone()),
                    ),
                );
                continue;
            }
            for i in matched {
                let Some(item) = env.item(i) else {
                    return self.error(ctx, &env_path, "internal: an entry went missing");
                };
                if !self.entry(ctx, &format!("{env_path}[{i}]"), &item, var) {
                    return;
                }
            }
        }
    }

    /// Give one existing entry its value; false when the target must be refused.
    fn entry(&mut self, ctx: &ObjCtx, epath: &str, e: &Cursor<'t, 'a>, var: &EnvVar) -> bool {
        let name = &var.name;
        let value = &var.value;
        let proposed = Some(value.clone());
        let v = e.get("value");
        let vf = e.get("valueFrom");
        let (current, shown) = match (v.as_ref().map(|v| describe(v)), &vf) {
            (Some((text, shown)), _) => (Some(text), shown),
            (None, Some(_)) => (None, "from valueFrom".to_string()),
            (None, None) => (None, "without a value".to_string()),
        };
        if self.config.policy == Policy::KeepExisting {
            self.info(
                ctx,
                format!("{name} is already set ({shown}); left as is (policy keep-existing)"),
                field(format!("{epath}.value"), current, None),
            );
            return true;
        }
        let v_ = json(value);
        let r = match (v, vf) {
            (Some(_), Some(_)) => {
                self.error(
                    ctx,
                    epath,
                    "the entry has both value and valueFrom (Kubernetes rejects that)",
                );
                return false;
            }
            (Some(val), None) => {
                if is_string(&val, value) {
                    self.info(
                        ctx,
                        format!("{name} is already {v_}; left as is"),
                        field(format!("{epath}.value"), current, None),
                    );
                    return true;
                }
                let r = self.ed.set_str(&val, value);
                (
                    r,
                    format!("set {name} to {v_} (was {shown})"),
                    format!("{name} is {shown}, not {v_}; a fix sets it to {v_}"),
                    current,
                )
            }
            (None, Some(vf)) => (
                self.ed.replace_entry(&vf, "value", Value::str(value)),
                format!("set {name} to {v_} (replaced its valueFrom)"),
                format!("{name} comes from valueFrom, not {v_}; a fix replaces it with value {v_}"),
                None,
            ),
            (None, None) => (
                self.ed.insert(e, "value", Value::str(value)),
                format!("set {name} to {v_} (the entry had no value)"),
                format!("{name} has no value; a fix sets it to {v_}"),
                None,
            ),
        };
        match r {
            (Ok(()), fixed, check, current) => {
                self.change(
                    ctx,
                    fixed,
                    check,
                    field(format!("{epath}.value"), current, proposed),
                );
                true
            }
            (Err(e), _, _, _) => {
                self.edit_error(ctx, epath, e);
                false
            }
        }
    }
}

/// The value a variable will have, as far as the function can read it.
enum InEffect {
    /// This string (a value that is not a string is read as its text).
    Value(String),
    /// From a `valueFrom`.
    ValueFrom,
    /// Nothing readable (an entry whose value is a mapping, or no value asked).
    Unknown,
}

/// Whether a node reads as the string `want` to every reader.
fn is_string(c: &Cursor, want: &str) -> bool {
    let n = c.node();
    n.scalar() == Some(want) && n.is_string()
}

/// The current value, for results: its text (`field.currentValue`), and how a message shows
/// it (a string JSON-quoted; anything else said to be what it is).
fn describe(c: &Cursor) -> (String, String) {
    let n = c.node();
    match n.scalar() {
        Some(_) if n.is_null() => ("null".into(), "null".into()),
        Some(value) if n.is_string() => (value.to_string(), json(value)),
        Some(value) if !matches!(n.tag(), Tag::None) => (
            value.to_string(),
            format!("{}, tagged as not a string", json(value)),
        ),
        Some(value) => {
            let _ = Style::Plain;
            (value.to_string(), format!("{value}, not a string"))
        }
        None => ("not a string".into(), "not a string".into()),
    }
}
