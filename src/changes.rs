//! `--changes FILE`: what a run changed, as RFC 6902 operations per YAML document (see the
//! changes format note). A minimal, self-contained version for the independent judge
//! (`oracle/`); it only translates what the plan and the results splice already decided.

use serde_json::{json, Value};

use crate::config::ENV_NAME;
use crate::krm::KrmResult;
use crate::plan::{ContainerEdit, EntryChange, EnvChange};
use crate::resources::{Resources, Seg};
use crate::spanned::{Kind, Node, Stream};

/// One operation of the changes file.
#[derive(Clone, Debug, PartialEq)]
pub struct Op {
    pub doc: usize,
    pub op: &'static str,
    pub path: String,
    pub value: Option<Value>,
}

impl Op {
    fn to_json(&self) -> Value {
        let mut o = json!({"doc": self.doc, "op": self.op, "path": self.path});
        if let (Some(v), Some(m)) = (&self.value, o.as_object_mut()) {
            m.insert("value".into(), v.clone());
        }
        o
    }
}

/// The changes file's text.
pub fn to_json(ops: &[Op]) -> String {
    let ops: Vec<Value> = ops.iter().map(Op::to_json).collect();
    let mut s = serde_json::to_string_pretty(&json!({"version": 1, "ops": ops}))
        .unwrap_or_else(|_| "{\"version\":1,\"ops\":[]}".into());
    s.push('\n');
    s
}

/// RFC 6901: `~` → `~0`, `/` → `~1`.
fn pointer(segs: &[Seg]) -> String {
    let mut p = String::new();
    for s in segs {
        p.push('/');
        match s {
            Seg::Key(k) => p.push_str(&k.replace('~', "~0").replace('/', "~1")),
            Seg::Index(i) => p.push_str(&i.to_string()),
        }
    }
    p
}

/// The operations of the planned container edits.
pub fn edit_ops(res: &Resources, edits: &[ContainerEdit], value: &str) -> Vec<Op> {
    let entry = || json!({"name": ENV_NAME, "value": value});
    let mut ops = Vec::new();
    for e in edits {
        let Some(obj) = res.objects.get(e.object) else {
            continue;
        };
        let mut c = obj.path.clone();
        c.extend(e.path.iter().cloned());
        let env = format!("{}/env", pointer(&c));
        let mut op = |op: &'static str, path: String, value: Option<Value>| {
            ops.push(Op {
                doc: obj.doc,
                op,
                path,
                value,
            })
        };
        match &e.change {
            EnvChange::Create => op("add", env, Some(json!([entry()]))),
            EnvChange::ReplaceNull => op("replace", env, Some(json!([entry()]))),
            EnvChange::Append => op("add", format!("{env}/-"), Some(entry())),
            EnvChange::Set(changes) => {
                for (i, ch) in changes {
                    let at = format!("{env}/{i}");
                    match ch {
                        EntryChange::ReplaceValue => {
                            op("replace", format!("{at}/value"), Some(json!(value)))
                        }
                        EntryChange::ValueFromToValue => {
                            op("remove", format!("{at}/valueFrom"), None);
                            op("add", format!("{at}/value"), Some(json!(value)));
                        }
                        EntryChange::AddValue => {
                            op("add", format!("{at}/value"), Some(json!(value)))
                        }
                    }
                }
            }
        }
    }
    ops
}

/// The operations of appending `results` to the ResourceList `root`, mirroring what
/// `results::splice` does with the list's `results` key.
pub fn result_ops(stream: &Stream, root: &Node, results: &[KrmResult]) -> Vec<Op> {
    let doc = stream
        .documents
        .iter()
        .position(|d| d.root.as_ref().is_some_and(|r| std::ptr::eq(r, root)))
        .unwrap_or(0);
    let values: Vec<Value> = results
        .iter()
        .map(|r| serde_json::to_value(r).unwrap_or(Value::Null))
        .collect();
    let op = |op: &'static str, path: &str, value: Value| Op {
        doc,
        op,
        path: path.into(),
        value: Some(value),
    };
    match root.entry("results") {
        Some((_, existing)) if matches!(existing.kind, Kind::Seq { .. }) => values
            .into_iter()
            .map(|v| op("add", "/results/-", v))
            .collect(),
        Some((_, existing)) if existing.is_null() => {
            vec![op("replace", "/results", Value::Array(values))]
        }
        Some(_) => Vec::new(),
        None => vec![op("add", "/results", Value::Array(values))],
    }
}
