//! The record of what an edit changed: JSON Patch (RFC 6902) operations per document, at
//! paths of the expanded reading (aliases resolved), one per place changed.

use crate::path::{Path, Seg};
use crate::value::Value;

/// A JSON Patch operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Add a mapping key, or append to a sequence (path ending in `-`).
    Add,
    /// Replace the value at the path.
    Replace,
    /// Remove the value at the path.
    Remove,
}

impl Op {
    /// `add`, `replace`, `remove`.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Add => "add",
            Op::Replace => "replace",
            Op::Remove => "remove",
        }
    }
}

/// One change to one place: what [`Editor::finish`](crate::Editor::finish) records for each
/// place an edit reaches, and what verification checks the output against.
///
/// ```
/// use krm_splice::{changes_json, Editor, Keep, Limits, Op, Text, Tree, Value};
/// let src = "kind: A\nspec: {n: 1, list: [a]}\n";
/// let limits = Limits::default();
/// let tree = Tree::parse(Text::new(src), &Keep::all(), &limits)?;
/// let spec = tree.cursor(0).and_then(|c| c.get("spec")).ok_or("no spec")?;
/// let mut ed = Editor::new(&tree, limits);
/// ed.replace(&spec.get("n").ok_or("no n")?, Value::Int(2))?;
/// ed.append(&spec.get("list").ok_or("no list")?, Value::word("b"))?;
/// let changes = ed.finish()?.changes;
/// assert_eq!((changes[0].op, changes[0].pointer()), (Op::Add, "/spec/list/-".into()));
/// assert_eq!((changes[1].op, changes[1].pointer()), (Op::Replace, "/spec/n".into()));
/// assert_eq!(changes[1].old, Some(serde_json::json!(1))); // the scalar replaced
/// let file: serde_json::Value = serde_json::from_str(&changes_json(&changes))?;
/// assert_eq!(file["ops"][1], serde_json::json!({"doc": 0, "op": "replace", "path": "/spec/n", "value": 2}));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The document (0-based, counting every document of the stream).
    pub doc: usize,
    /// What happens.
    pub op: Op,
    /// Where (for an append, the sequence's path; see [`Change::append`]).
    pub path: Path,
    /// An append to the sequence at `path`.
    pub append: bool,
    /// The value written (none for a removal).
    pub value: Option<Value>,
    /// What a replaced or removed value was, as JSON, when it was a scalar (for `test`
    /// operations that guard a patch).
    pub old: Option<serde_json::Value>,
}

impl Change {
    /// The JSON Pointer of the place (`.../-` for an append).
    pub fn pointer(&self) -> String {
        let p = self.path.pointer();
        if self.append {
            format!("{p}/-")
        } else {
            p
        }
    }

    /// As a JSON Patch operation with the document index: `{"doc", "op", "path", "value"}`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        m.insert("doc".into(), self.doc.into());
        m.insert("op".into(), self.op.as_str().into());
        m.insert("path".into(), self.pointer().into());
        if let Some(v) = &self.value {
            m.insert("value".into(), v.to_json());
        }
        serde_json::Value::Object(m)
    }

    /// The path below `base` (an object's path), for a patch of that object alone.
    pub fn relative_to(&self, base: &Path) -> Option<Change> {
        Some(Change {
            path: self.path.relative_to(base)?,
            ..self.clone()
        })
    }
}

/// The changes file: `{"version": 1, "ops": [...]}`.
pub fn to_json(changes: &[Change]) -> String {
    let ops: Vec<serde_json::Value> = changes.iter().map(Change::to_json).collect();
    let doc = serde_json::json!({"version": 1, "ops": ops});
    serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into())
}

pub(crate) fn key(path: &Path, k: &str) -> Path {
    path.child(Seg::key(k))
}
