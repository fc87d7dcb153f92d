//! Decide the edits: which containers change, how, and the exact new bytes. Pure: it reads
//! the spanned view and the text and returns splices, results and the meaning of each edit
//! (which the verifier checks the output against).

use std::collections::HashSet;

use crate::config::{Config, Policy, ENV_NAME};
use crate::krm::{json, Field, File, KrmResult, ResourceRef, Severity};
use crate::layout::{self, Join};
use crate::resources::{Obj, Resources, Seg};
use crate::scalar::plain_is_string_everywhere;
use crate::select::{pod_spec_path, workload_groups, ObjectId};
use crate::spanned::{Kind, Node, TagKind};
use crate::text::Text;
use granit_parser::ScalarStyle;

/// Replace `input[start..end]` with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Splice {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// What happens to one env entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryChange {
    /// Its `value` gets the new value.
    ReplaceValue,
    /// Its `valueFrom` is replaced, in place, by `value`.
    ValueFromToValue,
    /// It had neither: `value` is added at its end.
    AddValue,
}

/// What happens to a container's `env`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvChange {
    /// No `env` key: one is added at the end of the container, holding the new entry.
    Create,
    /// `env` was null: it becomes a list holding the new entry.
    ReplaceNull,
    /// The new entry is added at the end of the list.
    Append,
    /// Existing entries change.
    Set(Vec<(usize, EntryChange)>),
}

/// One container's edit, as the verifier checks it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerEdit {
    /// Index into the objects.
    pub object: usize,
    /// From the object to the container.
    pub path: Vec<Seg>,
    pub change: EnvChange,
}

#[derive(Debug, Default)]
pub struct Plan {
    /// Splices with the index of the object they belong to.
    pub splices: Vec<(usize, Splice)>,
    pub edits: Vec<ContainerEdit>,
    pub results: Vec<KrmResult>,
    pub failed: bool,
}

pub fn plan(text: &Text, res: &Resources, aliased: &HashSet<usize>, config: &Config) -> Plan {
    let mut p = Planner {
        text,
        eol: text.eol(),
        config,
        aliased,
        out: Plan::default(),
    };
    let mut any = false;
    for (i, obj) in res.objects.iter().enumerate() {
        let id = ObjectId::of(obj.node);
        let targets: Vec<_> = config.targets.iter().filter(|t| t.matches(&id)).collect();
        if targets.is_empty() {
            continue;
        }
        let ctx = ObjCtx::new(obj, &id);
        if !id.is_kubernetes_workload() {
            let groups: Vec<String> = workload_groups(id.kind)
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
        if let Some(path) = pod_spec_path(id.kind) {
            let mut pod = Some(obj.node);
            for k in path {
                pod = pod.and_then(|n| n.get(k));
            }
            let pod_path = path.join(".");
            for list_key in ["containers", "initContainers"] {
                let Some((key, list)) = pod.and_then(|n| n.entry(list_key)) else {
                    continue;
                };
                let Kind::Seq { items, .. } = &list.kind else {
                    continue;
                };
                for (ci, c) in items.iter().enumerate() {
                    let cpath = format!("{pod_path}.{list_key}[{ci}]");
                    let name = match &c.kind {
                        Kind::Map { .. } => c.str_at("name").unwrap_or(""),
                        _ => {
                            p.error(&ctx, &cpath, "the container is not a mapping (an alias?); cannot tell whether it is a target");
                            continue;
                        }
                    };
                    if !wants(name) {
                        continue;
                    }
                    found += 1;
                    let mut seg: Vec<Seg> = path.iter().map(|k| Seg::Key((*k).into())).collect();
                    seg.push(Seg::Key(list_key.into()));
                    seg.push(Seg::Index(ci));
                    let offset = layout::sequence_offset(text, key, list).unwrap_or(0);
                    p.container(i, &ctx, &cpath, seg, c, offset);
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
        let what: Vec<String> = config.targets.iter().map(|t| t.describe()).collect();
        p.out.results.push(KrmResult::new(
            Severity::Warning,
            format!("no {} found; nothing changed", what.join(" or ")),
        ));
    }
    p.out
}

/// What results say about an object.
struct ObjCtx {
    rref: ResourceRef,
    file: Option<File>,
}

impl ObjCtx {
    fn new(obj: &Obj, id: &ObjectId) -> ObjCtx {
        let ann = obj.node.get("metadata").and_then(|m| m.get("annotations"));
        let get = |k: &str| ann.and_then(|a| a.str_at(k));
        let path =
            get("config.kubernetes.io/path").or_else(|| get("internal.config.kubernetes.io/path"));
        let index = get("config.kubernetes.io/index")
            .or_else(|| get("internal.config.kubernetes.io/index"))
            .and_then(|i| i.parse().ok())
            .unwrap_or(0);
        ObjCtx {
            rref: ResourceRef {
                api_version: id.api_version.into(),
                kind: id.kind.into(),
                name: id.name.into(),
                namespace: id.namespace.into(),
            },
            file: path.map(|p| File {
                path: p.into(),
                index,
            }),
        }
    }

    fn result(&self, severity: Severity, message: String, field: Option<Field>) -> KrmResult {
        KrmResult {
            message,
            severity,
            resource_ref: Some(self.rref.clone()),
            field,
            file: self.file.clone(),
        }
    }
}

struct Planner<'p, 't> {
    text: &'p Text<'t>,
    eol: &'static str,
    config: &'p Config,
    aliased: &'p HashSet<usize>,
    out: Plan,
}

fn field(path: String, current: Option<String>, proposed: Option<String>) -> Option<Field> {
    Some(Field {
        path,
        current_value: current,
        proposed_value: proposed,
    })
}

impl Planner<'_, '_> {
    fn error(&mut self, ctx: &ObjCtx, path: &str, why: &str) {
        self.out.failed = true;
        self.out.results.push(ctx.result(
            Severity::Error,
            format!("cannot edit {ENV_NAME} safely: {why}"),
            field(path.into(), None, None),
        ));
    }

    fn shared(&self, n: &Node) -> bool {
        n.anchor != 0 && self.aliased.contains(&n.anchor)
    }

    fn new_entry_flow(&self) -> String {
        format!(
            "{{\"name\": \"{ENV_NAME}\", \"value\": {}}}",
            json(&self.config.value)
        )
    }

    fn new_entry_block(&self, dash: usize, key: usize) -> Vec<String> {
        let key = key.max(dash + 2);
        vec![
            format!(
                "{}-{}name: {ENV_NAME}",
                " ".repeat(dash),
                " ".repeat(key - dash - 1)
            ),
            format!("{}value: {}", " ".repeat(key), json(&self.config.value)),
        ]
    }

    fn push(&mut self, obj: usize, start: usize, end: usize, text: String) {
        self.out.splices.push((obj, Splice { start, end, text }));
    }

    fn container(
        &mut self,
        obj: usize,
        ctx: &ObjCtx,
        cpath: &str,
        seg: Vec<Seg>,
        c: &Node,
        seq_offset: usize,
    ) {
        let value = self.config.value.clone();
        let proposed = Some(value.clone());
        if c.has_merge_key() {
            return self.error(
                ctx,
                cpath,
                "the container uses a `<<` merge key; its env may come from elsewhere",
            );
        }
        if self.shared(c) {
            return self.error(ctx, cpath, "the container is anchored and used by an alias elsewhere; editing it would change that too");
        }
        let flow_container = matches!(c.kind, Kind::Map { flow: true, .. });
        let env_path = format!("{cpath}.env");
        let Some((env_key, env)) = c.entry("env") else {
            // No env: add one at the end of the container.
            if flow_container {
                let Some(last) = last_value(c) else {
                    return self.error(ctx, cpath, "empty container mapping");
                };
                let t = format!(", \"env\": [{}]", self.new_entry_flow());
                self.push(obj, last.end, last.end, t);
            } else {
                let kc = layout::key_column(self.text, c);
                let mut l = vec![format!("{}env:", " ".repeat(kc))];
                l.extend(self.new_entry_block(kc + seq_offset, kc + seq_offset + 2));
                let (pos, join) = layout::after(self.text, c);
                self.push(obj, pos, pos, layout::lines(&l, join, self.eol));
            }
            self.changed(obj, seg, EnvChange::Create);
            self.out.results.push(ctx.result(
                Severity::Info,
                format!(
                    "added {ENV_NAME}={} (the container had no env)",
                    json(&value)
                ),
                field(format!("{env_path}[0].value"), None, proposed),
            ));
            return;
        };
        if matches!(env.kind, Kind::Alias) || self.shared(env) {
            return self.error(
                ctx,
                &env_path,
                "env is an alias or is shared through an anchor",
            );
        }
        if env.is_null() {
            if flow_container {
                let t = format!("[{}]", self.new_entry_flow());
                let (s, e) = if env.start == env.end {
                    match layout::colon_after(self.text, env_key.end) {
                        Some(colon) => (colon + 1, colon + 1),
                        None => return self.error(ctx, &env_path, "cannot find the ':' after env"),
                    }
                } else {
                    (env.full_start(), env.end)
                };
                let t = if s == e { format!(" {t}") } else { t };
                self.push(obj, s, e, t);
            } else {
                let Some(colon) = layout::colon_after(self.text, env_key.end) else {
                    return self.error(ctx, &env_path, "cannot find the ':' after env");
                };
                let kc = self.text.column(env_key.full_start());
                let l = self.new_entry_block(kc + seq_offset, kc + seq_offset + 2);
                // `env: ~ # why`: the null goes, the comment stays on env's line, and the
                // list starts on the next line.
                let Some((end, line_end)) = layout::null_tail(self.text, colon, env) else {
                    return self.error(ctx, &env_path, "env's null is not alone on its line");
                };
                if end > colon + 1 {
                    self.push(obj, colon + 1, end, String::new());
                }
                self.push(
                    obj,
                    line_end,
                    line_end,
                    layout::lines(&l, Join::LineEnd, self.eol),
                );
            }
            self.changed(obj, seg, EnvChange::ReplaceNull);
            self.out.results.push(ctx.result(
                Severity::Info,
                format!("added {ENV_NAME}={} (env was null)", json(&value)),
                field(format!("{env_path}[0].value"), None, proposed),
            ));
            return;
        }
        let Kind::Seq { flow, items } = &env.kind else {
            return self.error(ctx, &env_path, "env is not a list");
        };
        let mut matched = Vec::new();
        for (i, e) in items.iter().enumerate() {
            match &e.kind {
                Kind::Map { .. } => {}
                Kind::Alias => {
                    return self.error(
                        ctx,
                        &format!("{env_path}[{i}]"),
                        "the entry is an alias; cannot tell its name",
                    )
                }
                _ => {
                    return self.error(
                        ctx,
                        &format!("{env_path}[{i}]"),
                        "the entry is not a mapping",
                    )
                }
            }
            if e.has_merge_key() {
                return self.error(
                    ctx,
                    &format!("{env_path}[{i}]"),
                    "the entry uses a `<<` merge key",
                );
            }
            match e.get("name").map(|n| &n.kind) {
                Some(Kind::Scalar { value, .. }) if value == ENV_NAME => matched.push(i),
                Some(Kind::Scalar { .. }) | None => {}
                Some(_) => {
                    return self.error(
                        ctx,
                        &format!("{env_path}[{i}].name"),
                        "the entry's name is not a plain string",
                    )
                }
            }
        }
        if matched.is_empty() {
            let n = items.len();
            if *flow {
                let t = self.new_entry_flow();
                match items.last() {
                    Some(last) => self.push(obj, last.end, last.end, format!(", {t}")),
                    None => self.push(obj, env.start + 1, env.start + 1, t),
                }
            } else {
                let Some(dash) = layout::dash_column(self.text, env) else {
                    return self.error(
                        ctx,
                        &env_path,
                        "cannot tell the indentation of the env list",
                    );
                };
                let first = &items[0];
                let l = if matches!(first.kind, Kind::Map { flow: true, .. }) {
                    vec![format!("{}- {}", " ".repeat(dash), self.new_entry_flow())]
                } else {
                    self.new_entry_block(dash, layout::key_column(self.text, first))
                };
                let (pos, join) = layout::after(self.text, env);
                self.push(obj, pos, pos, layout::lines(&l, join, self.eol));
            }
            self.changed(obj, seg, EnvChange::Append);
            self.out.results.push(ctx.result(
                Severity::Info,
                format!("added {ENV_NAME}={}", json(&value)),
                field(format!("{env_path}[{n}].value"), None, proposed),
            ));
            return;
        }
        let mut changes = Vec::new();
        for i in matched {
            let e = &items[i];
            let epath = format!("{env_path}[{i}]");
            let v = e.entry("value");
            let vf = e.entry("valueFrom");
            let (current, shown) = match v.map(|(_, v)| describe(v)) {
                Some((text, shown)) => (Some(text), shown),
                None => (None, "from valueFrom".to_string()),
            };
            if self.config.policy == Policy::KeepExisting {
                self.out.results.push(ctx.result(
                    Severity::Info,
                    format!(
                        "{ENV_NAME} is already set ({shown}); left as is (policy keep-existing)"
                    ),
                    field(format!("{epath}.value"), current, None),
                ));
                continue;
            }
            let flow_entry = matches!(e.kind, Kind::Map { flow: true, .. });
            match (v, vf) {
                (Some(_), Some(_)) => {
                    return self.error(
                        ctx,
                        &epath,
                        "the entry has both value and valueFrom (Kubernetes rejects that)",
                    )
                }
                (Some((k, val)), None) => {
                    if is_string(val, &value) {
                        self.out.results.push(ctx.result(
                            Severity::Info,
                            format!("{ENV_NAME} is already {}; left as is", json(&value)),
                            field(format!("{epath}.value"), current, None),
                        ));
                        continue;
                    }
                    if self.shared(val) {
                        return self.error(
                            ctx,
                            &format!("{epath}.value"),
                            "the value is anchored and used by an alias elsewhere",
                        );
                    }
                    let (s, end) = match layout::value_range(self.text, k, val) {
                        Ok(r) => r,
                        Err(why) => return self.error(ctx, &format!("{epath}.value"), &why),
                    };
                    let t = if s == end {
                        format!(" {}", json(&value))
                    } else {
                        json(&value)
                    };
                    self.push(obj, s, end, t);
                    changes.push((i, EntryChange::ReplaceValue));
                    self.out.results.push(ctx.result(
                        Severity::Info,
                        format!("set {ENV_NAME} to {} (was {shown})", json(&value)),
                        field(format!("{epath}.value"), current, proposed.clone()),
                    ));
                }
                (None, Some((k, val))) => {
                    if self.shared(val) {
                        return self.error(
                            ctx,
                            &format!("{epath}.valueFrom"),
                            "valueFrom is anchored and used by an alias elsewhere",
                        );
                    }
                    let key = if flow_entry { "\"value\"" } else { "value" };
                    self.push(
                        obj,
                        k.full_start(),
                        val.end,
                        format!("{key}: {}", json(&value)),
                    );
                    changes.push((i, EntryChange::ValueFromToValue));
                    self.out.results.push(ctx.result(
                        Severity::Info,
                        format!(
                            "set {ENV_NAME} to {} (replaced its valueFrom)",
                            json(&value)
                        ),
                        field(format!("{epath}.value"), None, proposed.clone()),
                    ));
                }
                (None, None) => {
                    if flow_entry {
                        let Some(last) = last_value(e) else {
                            return self.error(ctx, &epath, "empty entry");
                        };
                        self.push(
                            obj,
                            last.end,
                            last.end,
                            format!(", \"value\": {}", json(&value)),
                        );
                    } else {
                        let kc = layout::key_column(self.text, e);
                        let l = vec![format!("{}value: {}", " ".repeat(kc), json(&value))];
                        let (pos, join) = layout::after(self.text, e);
                        self.push(obj, pos, pos, layout::lines(&l, join, self.eol));
                    }
                    changes.push((i, EntryChange::AddValue));
                    self.out.results.push(ctx.result(
                        Severity::Info,
                        format!(
                            "set {ENV_NAME} to {} (the entry had no value)",
                            json(&value)
                        ),
                        field(format!("{epath}.value"), None, proposed.clone()),
                    ));
                }
            }
        }
        if !changes.is_empty() {
            self.changed(obj, seg, EnvChange::Set(changes));
        }
    }

    fn changed(&mut self, object: usize, path: Vec<Seg>, change: EnvChange) {
        self.out.edits.push(ContainerEdit {
            object,
            path,
            change,
        });
    }
}

fn last_value<'n, 'a>(m: &'n Node<'a>) -> Option<&'n Node<'a>> {
    match &m.kind {
        Kind::Map { entries, .. } => entries.last().map(|(_, v)| v),
        _ => None,
    }
}

/// Whether a node reads as the string `want` to every reader.
fn is_string(n: &Node, want: &str) -> bool {
    n.scalar() == Some(want) && reads_as_string(n)
}

/// Whether a scalar is a string to every reader: `!!str`-tagged, or untagged and quoted, a
/// block scalar, or a plain scalar that no schema types otherwise.
fn reads_as_string(n: &Node) -> bool {
    match (&n.kind, n.tag) {
        (Kind::Scalar { .. }, TagKind::Str) => true,
        (Kind::Scalar { value, style }, TagKind::None) => {
            *style != ScalarStyle::Plain || plain_is_string_everywhere(value)
        }
        _ => false,
    }
}

/// The current value, for results: its text (`field.currentValue`), and how a message shows
/// it (a string JSON-quoted; anything else said to be what it is).
fn describe(n: &Node) -> (String, String) {
    match &n.kind {
        Kind::Scalar { .. } if n.is_null() => ("null".into(), "null".into()),
        Kind::Scalar { value, .. } if reads_as_string(n) => (value.to_string(), json(value)),
        Kind::Scalar { value, .. } if n.tag == TagKind::Other => (
            value.to_string(),
            format!("{}, tagged as not a string", json(value)),
        ),
        Kind::Scalar { value, .. } => (value.to_string(), format!("{value}, not a string")),
        Kind::Alias => ("an alias".into(), "an alias".into()),
        _ => ("not a string".into(), "not a string".into()),
    }
}
