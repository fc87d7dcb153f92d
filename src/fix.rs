//! The decisions: which objects and containers are targets, what each variable's entry
//! becomes under the policy, and what the results say. The engine makes, renders and
//! verifies the edits.

use krm_splice::{
    pod_spec_path, quoted as json, workload_groups, Cursor, EditError, Editor, Envelope, Field,
    File, KrmResult, Object, ResourceRef, Severity, Style, Tag, Value,
};

use crate::config::{Config, EnvVar, Policy};

/// What planning decided, beside the edits it asked the editor for.
#[derive(Debug, Default)]
pub struct Plan {
    /// Results, in order.
    pub results: Vec<KrmResult>,
    /// A target could not be edited safely: nothing may be written.
    pub failed: bool,
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

/// Plan the edits for every target of `config` in `env`.
pub fn plan<'t, 'a>(ed: &mut Editor<'t, 'a>, env: &Envelope<'t, 'a>, config: &Config) -> Plan {
    let mut p = Planner {
        ed,
        config,
        out: Plan::default(),
    };
    let mut any = false;
    for obj in &env.objects {
        let id = &obj.id;
        let targets: Vec<_> = config
            .targets
            .iter()
            .filter(|t| t.selector.matches(id))
            .collect();
        if targets.is_empty() {
            continue;
        }
        let ctx = ObjCtx::new(obj);
        if !id.is_kubernetes_workload() {
            let groups: Vec<String> = workload_groups(&id.kind)
                .iter()
                .map(|g| {
                    if g.is_empty() {
                        "v1".into()
                    } else {
                        format!("{g}/*")
                    }
                })
                .collect();
            p.out.results.push(ctx.result(
                Severity::Warning,
                format!(
                    "apiVersion {:?} is not a Kubernetes {} (that is {}); left as is",
                    id.api_version,
                    id.kind,
                    groups.join(" or ")
                ),
                None,
            ));
            continue;
        }
        any = true;
        let wants = |name: &str| targets.iter().any(|t| t.wants_container(name));
        let mut found = 0;
        if let Some(path) = pod_spec_path(&id.kind) {
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
                    let cpath = format!("{pod_path}.{list_key}[{ci}]");
                    if !c.node().is_map() {
                        p.error(
                            &ctx,
                            &cpath,
                            "the container is not a mapping; cannot tell whether it is a target",
                        );
                        continue;
                    }
                    let name = c.str_at("name").unwrap_or("");
                    if !wants(name) {
                        continue;
                    }
                    found += 1;
                    p.container(&ctx, &cpath, &c);
                }
            }
        }
        if found == 0 {
            let wanted: Vec<&str> = targets
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
    if !any {
        let what: Vec<String> = config
            .targets
            .iter()
            .map(|t| t.selector.describe())
            .collect();
        p.out.results.push(KrmResult::new(
            Severity::Warning,
            format!("no {} found; nothing changed", what.join(" or ")),
        ));
    }
    p.out
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
                self.info(
                    ctx,
                    format!(
                        "added {}={} (the container had no env)",
                        v.name,
                        json(&v.value)
                    ),
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
                self.info(
                    ctx,
                    format!("added {}={} (env was null)", v.name, json(&v.value)),
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
                self.info(
                    ctx,
                    format!("added {}={}", var.name, json(&var.value)),
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
        let (current, shown) = match v.as_ref().map(|v| describe(v)) {
            Some((text, shown)) => (Some(text), shown),
            None => (None, "from valueFrom".to_string()),
        };
        if self.config.policy == Policy::KeepExisting {
            self.info(
                ctx,
                format!("{name} is already set ({shown}); left as is (policy keep-existing)"),
                field(format!("{epath}.value"), current, None),
            );
            return true;
        }
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
                        format!("{name} is already {}; left as is", json(value)),
                        field(format!("{epath}.value"), current, None),
                    );
                    return true;
                }
                let r = self.ed.set_str(&val, value);
                (
                    r,
                    format!("set {name} to {} (was {shown})", json(value)),
                    current,
                )
            }
            (None, Some(vf)) => (
                self.ed.replace_entry(&vf, "value", Value::str(value)),
                format!("set {name} to {} (replaced its valueFrom)", json(value)),
                None,
            ),
            (None, None) => (
                self.ed.insert(e, "value", Value::str(value)),
                format!("set {name} to {} (the entry had no value)", json(value)),
                None,
            ),
        };
        match r {
            (Ok(()), message, current) => {
                self.info(
                    ctx,
                    message,
                    field(format!("{epath}.value"), current, proposed),
                );
                true
            }
            (Err(e), _, _) => {
                self.edit_error(ctx, epath, e);
                false
            }
        }
    }
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
