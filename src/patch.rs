//! `emitPatch` (`--emit-patch`): instead of the edited manifests, write kustomize patches that
//! make the same change, for the tools that cannot run a function (Flux's kustomize-controller
//! and helm-controller, a plain kustomization).
//!
//! The patches are built from what the run recorded: its [`Change`]s (JSON Patch operations
//! per document, paths from the document root) and the objects they fall in. Each edited
//! object gets one patch: a `target` (group, version, kind, name, namespace) and JSON 6902
//! operations relative to the object, guarded by `test` operations, so that kustomize fails
//! the build, rather than misapplying it, when upstream has moved or changed what the run
//! saw:
//!
//! - the container's `name` at its index, before anything in it is touched;
//! - for an entry that exists, its `name` at its index and its old value (`test` with the
//!   old scalar; with `null` where the key is absent: kustomize's JSON Patch reads a missing
//!   key as `null`, and any value there fails the test);
//! - for an append (`add .../env/-`), the name of the env's last entry;
//! - for an env added to a container that had none, `test .../env` against `null`.
//!
//! A `valueFrom` replaced by a value is a `remove` and an `add`. Never a strategic-merge
//! patch: that would leave `value` beside `valueFrom`.
//!
//! The text is written in block YAML and read back (the whole document, and each patch's
//! operations) before it is emitted: what a reader gets must be exactly what was built.

use std::collections::BTreeMap;

use krm_splice::{
    plain_safe, quoted, Change, Cursor, Envelope, Keep, KrmResult, Limits, NodeKind, Object, Op,
    Seg, Severity, Splice, Text, Tree, Value, Wrapper,
};
use serde_json::Value as J;

use crate::Outcome;

/// Where the patches go, said at the top of every emitted file.
const HEADER: &str = "\
# Kustomize patches written by disable-gke-metadata --emit-patch: the change the function
# makes to the manifests it read, as JSON 6902 operations per object.
# Paste the items of `patches:` into a kustomization's `patches:`, a Flux Kustomization's
# `spec.patches`, or a Flux HelmRelease's `spec.postRenderers[].kustomize.patches`; this
# file is itself a kustomization once `resources:` are added.
# The `test` operations fail the build, instead of misapplying the patch, when upstream
# moves or changes the containers or their env: then emit the patch again. A target that
# matches no object changes nothing, silently (kustomize's rule): apply the patch to the
# objects it was made from (the same names and namespaces).
";

/// A ResourceList cannot carry a patch instead of its items: `emitPatch` refuses it before
/// anything is planned. `None` for the other inputs.
pub(crate) fn unsupported(env: &Envelope) -> Option<KrmResult> {
    (env.wrapper == Wrapper::ResourceList).then(|| {
        KrmResult::new(
            Severity::Error,
            "emitPatch writes a kustomize patch instead of the manifests, which a ResourceList \
             cannot carry (kpt and kustomize run the function itself): give the manifests as a \
             plain stream, e.g. `kustomize build DIR | disable-gke-metadata --emit-patch`",
        )
    })
}

/// Turn a run's outcome into one that writes the patches. A refused run stays as it is; a
/// change that cannot be written as a guarded patch refuses the run (exit 1, nothing written).
pub(crate) fn emit(env: &Envelope, input_len: usize, mut outcome: Outcome) -> Outcome {
    if outcome.exit_code != 0 || !outcome.emit {
        return outcome;
    }
    let built = build(env, &outcome.changes, &outcome.results).and_then(|patches| {
        let text = render(&patches);
        verify(&text, &patches)?;
        Ok((patches, text))
    });
    let (patches, text) = match built {
        Ok(b) => b,
        Err(message) => {
            let result = KrmResult::new(Severity::Error, format!("cannot emit a patch: {message}"));
            let mut o = Outcome::refused(result.message.clone());
            o.stderr = format!(
                "{}{}\nerror: no patch was written\n",
                outcome.stderr,
                result.to_line()
            );
            outcome.results.push(result);
            o.results = std::mem::take(&mut outcome.results);
            o.wrapper = outcome.wrapper;
            return o;
        }
    };
    let ops: usize = patches.iter().map(|p| p.ops.len()).sum();
    let tests = patches
        .iter()
        .flat_map(|p| &p.ops)
        .filter(|o| o.op == "test")
        .count();
    let message = if patches.is_empty() {
        "emitPatch: nothing to change; wrote an empty patch list instead of the manifests".into()
    } else {
        format!(
            "emitPatch: wrote {} for {} instead of the manifests ({}, {tests} of them tests)",
            plural(patches.len(), "patch", "patches"),
            plural(patches.len(), "object", "objects"),
            plural(ops, "JSON 6902 operation", "JSON 6902 operations"),
        )
    };
    let result = KrmResult::new(Severity::Info, message);
    outcome.stderr.push_str(&result.to_line());
    outcome.stderr.push('\n');
    outcome.results.push(result);
    outcome.splices = vec![Splice {
        start: 0,
        end: input_len,
        text,
    }];
    outcome
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A value of a patch, as kustomize reads it into JSON: scalars are JSON scalars.
#[derive(Clone, Debug, PartialEq)]
enum Y {
    Scalar(J),
    Map(Vec<(String, Y)>),
    Seq(Vec<Y>),
}

impl Y {
    fn str(s: &str) -> Y {
        Y::Scalar(J::String(s.to_owned()))
    }

    fn of(v: &Value) -> Y {
        match v {
            Value::Str(s) | Value::Word(s) => Y::str(s),
            Value::Int(i) => Y::Scalar(J::from(*i)),
            Value::Map(m) => Y::Map(m.iter().map(|(k, v)| (k.to_string(), Y::of(v))).collect()),
            Value::Seq(s) => Y::Seq(s.iter().map(Y::of).collect()),
        }
    }
}

/// One JSON 6902 operation.
#[derive(Clone, Debug, PartialEq)]
struct PatchOp {
    op: &'static str,
    path: String,
    value: Option<Y>,
}

impl PatchOp {
    fn test(path: String, value: Y) -> PatchOp {
        PatchOp {
            op: "test",
            path,
            value: Some(value),
        }
    }

    fn as_y(&self) -> Y {
        let mut m = vec![
            ("op".to_owned(), Y::str(self.op)),
            ("path".to_owned(), Y::str(&self.path)),
        ];
        if let Some(v) = &self.value {
            m.push(("value".to_owned(), v.clone()));
        }
        Y::Map(m)
    }
}

/// The patch of one object.
#[derive(Debug)]
struct ObjectPatch {
    /// `target`'s fields, in order; values are kustomize's anchored regular expressions.
    target: Vec<(&'static str, String)>,
    /// What the run said about the object (comment lines).
    notes: Vec<String>,
    ops: Vec<PatchOp>,
}

/// The changes of one container, by kind.
#[derive(Default)]
struct ContainerChanges<'c> {
    /// To `env` itself: added (the container had none) or replaced (it was null).
    env: Vec<&'c Change>,
    /// To entries, by index.
    entries: BTreeMap<usize, Vec<&'c Change>>,
    /// Appends to `env`, in order.
    appends: Vec<&'c Change>,
}

fn build(
    env: &Envelope,
    changes: &[Change],
    results: &[KrmResult],
) -> Result<Vec<ObjectPatch>, String> {
    // Changes by object (in input order), then by container (the path up to its index).
    let mut by_object: BTreeMap<usize, BTreeMap<Vec<Seg>, ContainerChanges>> = BTreeMap::new();
    let paths: Vec<krm_splice::Path> = env.objects.iter().map(|o| o.path()).collect();
    for c in changes {
        let (oi, obj) = env
            .objects
            .iter()
            .enumerate()
            .filter(|(i, o)| o.doc() == c.doc && c.path.starts_with(&paths[*i]))
            .max_by_key(|(i, _)| paths[*i].segs().len())
            .ok_or_else(|| format!("a change at {} is in no object", c.pointer()))?;
        let rel = c
            .path
            .relative_to(&paths[oi])
            .ok_or_else(|| format!("a change at {} is in no object", c.pointer()))?;
        let segs = rel.segs();
        let at = segs
            .windows(2)
            .rposition(|w| {
                matches!(&w[0], Seg::Key(k) if &**k == "containers" || &**k == "initContainers")
                    && matches!(w[1], Seg::Index(_))
            })
            .ok_or_else(|| unexpected(obj, c))?;
        let (container, rest) = segs.split_at(at + 2);
        let cc = by_object
            .entry(oi)
            .or_default()
            .entry(container.to_vec())
            .or_default();
        match (rest, c.op, c.append) {
            ([Seg::Key(k)], Op::Add, true) if &**k == "env" => cc.appends.push(c),
            ([Seg::Key(k)], Op::Add | Op::Replace, false) if &**k == "env" => cc.env.push(c),
            ([Seg::Key(e), Seg::Index(i), Seg::Key(f)], _, false)
                if &**e == "env" && matches!(&**f, "value" | "valueFrom") =>
            {
                cc.entries.entry(*i).or_default().push(c)
            }
            _ => return Err(unexpected(obj, c)),
        }
    }
    let mut patches = Vec::new();
    for (oi, containers) in by_object {
        let obj = &env.objects[oi];
        let target = target(env, obj)?;
        let mut ops = Vec::new();
        for (prefix, cc) in containers {
            container_ops(obj, &prefix, cc, &mut ops)?;
        }
        let notes = results
            .iter()
            .filter(|r| {
                r.resource_ref.as_ref().is_some_and(|r| {
                    r.api_version == obj.id.api_version
                        && r.kind == obj.id.kind
                        && r.name == obj.id.name
                        && r.namespace == obj.id.namespace
                })
            })
            .map(|r| match &r.field {
                Some(f) => format!("{}: {}", f.path, r.message),
                None => r.message.clone(),
            })
            .collect();
        patches.push(ObjectPatch { target, notes, ops });
    }
    Ok(patches)
}

fn unexpected(obj: &Object, c: &Change) -> String {
    format!(
        "{} {}: a change at {} is not one a patch is made for (env entries of a container)",
        obj.id.kind,
        obj.id.name,
        c.pointer()
    )
}

/// The patch's target, checked to select this object alone among the input's objects.
fn target(env: &Envelope, obj: &Object) -> Result<Vec<(&'static str, String)>, String> {
    let id = &obj.id;
    let (group, version) = match id.api_version.rsplit_once('/') {
        Some((g, v)) => (g, v),
        None => ("", id.api_version.as_str()),
    };
    let mut t = Vec::new();
    if !group.is_empty() {
        t.push(("group", regex_literal(group)));
    }
    t.push(("version", regex_literal(version)));
    t.push(("kind", regex_literal(&id.kind)));
    t.push(("name", regex_literal(&id.name)));
    if !id.namespace.is_empty() {
        t.push(("namespace", regex_literal(&id.namespace)));
    }
    // A target without a namespace selects the name in every namespace.
    let selected = env
        .objects
        .iter()
        .filter(|o| {
            o.id.api_version == id.api_version
                && o.id.kind == id.kind
                && o.id.name == id.name
                && (id.namespace.is_empty() || o.id.namespace == id.namespace)
        })
        .count();
    if selected > 1 {
        return Err(format!(
            "{} {}: {selected} objects of the input have this kind and name{}; a patch's target \
             cannot select one of them alone",
            id.kind,
            id.name,
            if id.namespace.is_empty() {
                " (it has no namespace, so its target selects every namespace)"
            } else {
                " in this namespace"
            }
        ));
    }
    Ok(t)
}

/// Kustomize reads a target's fields as anchored regular expressions: escape what is not
/// literal (in Kubernetes names, the `.`).
fn regex_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The node at `segs` below `c`.
fn at<'t, 'a>(c: &Cursor<'t, 'a>, segs: &[Seg]) -> Option<Cursor<'t, 'a>> {
    let mut c = c.clone();
    for s in segs {
        c = match s {
            Seg::Key(k) => c.get(k)?,
            Seg::Index(i) if c.node().is_seq() => c.item(*i)?,
            Seg::Index(_) => return None,
        };
    }
    Some(c)
}

fn pointer(segs: &[Seg]) -> String {
    krm_splice::Path(segs.to_vec()).pointer()
}

/// The `name` of the mapping at `segs`, as a JSON value every reader agrees on.
fn name_at(obj: &Object, segs: &[Seg]) -> Option<J> {
    at(&obj.cursor, segs)?.get("name")?.node().json_scalar()
}

fn container_ops(
    obj: &Object,
    prefix: &[Seg],
    cc: ContainerChanges,
    ops: &mut Vec<PatchOp>,
) -> Result<(), String> {
    let what = |why: &str| format!("{} {}: {why}", obj.id.kind, obj.id.name);
    let cpointer = pointer(prefix);
    let name = name_at(obj, prefix)
        .filter(J::is_string)
        .ok_or_else(|| what(&format!("the container at {cpointer} has no name to test")))?;
    ops.push(PatchOp::test(format!("{cpointer}/name"), Y::Scalar(name)));
    let env_segs: Vec<Seg> = prefix.iter().cloned().chain([Seg::key("env")]).collect();
    let env_pointer = pointer(&env_segs);
    for c in &cc.env {
        // The container had no env (add) or a null one (replace): either way, null.
        ops.push(PatchOp::test(
            env_pointer.clone(),
            Y::Scalar(c.old.clone().unwrap_or(J::Null)),
        ));
        ops.push(change_op(c, &env_pointer)?);
    }
    for (i, mut changes) in cc.entries {
        let entry: Vec<Seg> = env_segs.iter().cloned().chain([Seg::Index(i)]).collect();
        let epointer = pointer(&entry);
        let ename = name_at(obj, &entry)
            .filter(J::is_string)
            .ok_or_else(|| what(&format!("the entry at {epointer} has no name to test")))?;
        ops.push(PatchOp::test(format!("{epointer}/name"), Y::Scalar(ename)));
        // A valueFrom goes before the value comes.
        changes.sort_by_key(|c| match c.op {
            Op::Remove => 0,
            Op::Replace => 1,
            Op::Add => 2,
        });
        for c in changes {
            let path = c
                .path
                .relative_to(&obj.path())
                .map(|p| p.pointer())
                .ok_or_else(|| unexpected(obj, c))?;
            match c.op {
                // Where a value is added, there is none: `null` is what a missing key reads as.
                Op::Add => ops.push(PatchOp::test(path.clone(), Y::Scalar(J::Null))),
                // The old value, when it was a scalar every reader reads alike.
                Op::Replace | Op::Remove => {
                    if let Some(old) = &c.old {
                        ops.push(PatchOp::test(path.clone(), Y::Scalar(old.clone())));
                    }
                }
            }
            ops.push(change_op(c, &path)?);
        }
    }
    if !cc.appends.is_empty() {
        // Upstream appends at the end: the last entry must still be the one the run saw.
        let env = at(&obj.cursor, &env_segs);
        let n = env
            .as_ref()
            .filter(|e| e.node().is_seq())
            .map_or(0, |e| e.len());
        if n > 0 {
            let last: Vec<Seg> = env_segs
                .iter()
                .cloned()
                .chain([Seg::Index(n - 1)])
                .collect();
            if let Some(name) = name_at(obj, &last) {
                let test = PatchOp::test(format!("{}/name", pointer(&last)), Y::Scalar(name));
                if !ops.contains(&test) {
                    ops.push(test);
                }
            }
        }
        for c in cc.appends {
            ops.push(change_op(c, &format!("{env_pointer}/-"))?);
        }
    }
    Ok(())
}

/// The operation of a change, at `path` (relative to the object).
fn change_op(c: &Change, path: &str) -> Result<PatchOp, String> {
    let value = match (c.op, &c.value) {
        (Op::Remove, _) => None,
        (_, Some(v)) => Some(Y::of(v)),
        (_, None) => return Err(format!("the change at {} has no value", c.pointer())),
    };
    Ok(PatchOp {
        op: c.op.as_str(),
        path: path.to_owned(),
        value,
    })
}

/// A comment's text on one line: line breaks and other controls escaped.
fn comment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn scalar(v: &J) -> String {
    match v {
        J::String(s) if plain_safe(s) => s.clone(),
        J::String(s) => quoted(s),
        other => other.to_string(),
    }
}

fn key(k: &str) -> String {
    if plain_safe(k) {
        k.to_owned()
    } else {
        quoted(k)
    }
}

/// `key: value` lines at `indent`.
fn write_entry(k: &str, v: &Y, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Y::Scalar(s) => out.push_str(&format!("{pad}{}: {}\n", key(k), scalar(s))),
        Y::Map(m) if m.is_empty() => out.push_str(&format!("{pad}{}: {{}}\n", key(k))),
        Y::Seq(s) if s.is_empty() => out.push_str(&format!("{pad}{}: []\n", key(k))),
        Y::Map(m) => {
            out.push_str(&format!("{pad}{}:\n", key(k)));
            for (k, v) in m {
                write_entry(k, v, indent + 2, out);
            }
        }
        Y::Seq(s) => {
            out.push_str(&format!("{pad}{}:\n", key(k)));
            for v in s {
                write_item(v, indent, out);
            }
        }
    }
}

/// A `- item` at `indent`.
fn write_item(v: &Y, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Y::Map(m) if !m.is_empty() => {
            let mut lines = String::new();
            for (k, v) in m {
                write_entry(k, v, indent + 2, &mut lines);
            }
            // The first entry goes on the dash's line.
            out.push_str(&pad);
            out.push_str("- ");
            out.push_str(&lines[indent + 2..]);
        }
        Y::Seq(s) if !s.is_empty() => {
            out.push_str(&format!("{pad}-\n"));
            for v in s {
                write_item(v, indent + 2, out);
            }
        }
        Y::Scalar(s) => out.push_str(&format!("{pad}- {}\n", scalar(s))),
        Y::Map(_) => out.push_str(&format!("{pad}- {{}}\n")),
        Y::Seq(_) => out.push_str(&format!("{pad}- []\n")),
    }
}

/// A patch's operations as YAML (the `patch:` string).
fn ops_text(ops: &[PatchOp]) -> String {
    let mut s = String::new();
    for op in ops {
        write_item(&op.as_y(), 0, &mut s);
    }
    s
}

fn render(patches: &[ObjectPatch]) -> String {
    let mut out = String::from(HEADER);
    if patches.is_empty() {
        out.push_str("# Nothing to change: the input already reads as asked (or has no target).\n");
        out.push_str("patches: []\n");
        return out;
    }
    out.push_str("patches:\n");
    for p in patches {
        out.push_str("- target:\n");
        for (k, v) in &p.target {
            write_entry(k, &Y::str(v), 4, &mut out);
        }
        for n in &p.notes {
            out.push_str("  # ");
            out.push_str(&comment(n));
            out.push('\n');
        }
        out.push_str("  patch: |\n");
        for line in ops_text(&p.ops).lines() {
            out.push_str("    ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Read a parsed value back as a patch value; `None` for anything a reader could take two
/// ways (or an alias, a merge key: never written here).
fn read(c: &Cursor) -> Option<Y> {
    let n = c.node();
    match n.kind() {
        NodeKind::Scalar => n.json_scalar().map(Y::Scalar),
        NodeKind::Map if !n.has_merge_key() => Some(Y::Map(
            c.entries()
                .into_iter()
                .map(|(k, v)| Some((k.to_owned(), read(&v)?)))
                .collect::<Option<_>>()?,
        )),
        NodeKind::Seq => Some(Y::Seq(c.items().map(|i| read(&i)).collect::<Option<_>>()?)),
        _ => None,
    }
}

fn parse_one(text: &str) -> Result<Y, String> {
    let tree = Tree::parse(Text::new(text), &Keep::all(), &Limits::default())
        .map_err(|e| format!("the emitted text does not parse: {e}"))?;
    if tree.documents() != 1 {
        return Err("the emitted text is not one document".into());
    }
    tree.cursor(0)
        .as_ref()
        .and_then(read)
        .ok_or_else(|| "the emitted text does not read as plain data".into())
}

/// Read the text back: it must be exactly the patches built, and each `patch:` string
/// exactly their operations.
fn verify(text: &str, patches: &[ObjectPatch]) -> Result<(), String> {
    let want = Y::Map(vec![(
        "patches".into(),
        Y::Seq(
            patches
                .iter()
                .map(|p| {
                    Y::Map(vec![
                        (
                            "target".into(),
                            Y::Map(
                                p.target
                                    .iter()
                                    .map(|(k, v)| ((*k).to_owned(), Y::str(v)))
                                    .collect(),
                            ),
                        ),
                        ("patch".into(), Y::str(&ops_text(&p.ops))),
                    ])
                })
                .collect(),
        ),
    )]);
    if parse_one(text)? != want {
        return Err("the emitted text does not read back as the patches built".into());
    }
    for p in patches {
        let ops = Y::Seq(p.ops.iter().map(PatchOp::as_y).collect());
        // The engine reads no sequence at a document's root: read the same lines as a key's
        // value (a block sequence at column 0 under a key is the same sequence).
        let wrapped = format!("ops:\n{}", ops_text(&p.ops));
        if parse_one(&wrapped)? != Y::Map(vec![("ops".into(), ops)]) {
            return Err("a patch's operations do not read back as built".into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_fields_are_literal_regular_expressions() {
        assert_eq!(regex_literal("ml-pipeline-ui"), "ml-pipeline-ui");
        assert_eq!(regex_literal("ml.pipeline.ui"), r"ml\.pipeline\.ui");
        assert_eq!(regex_literal("networking.k8s.io"), r"networking\.k8s\.io");
        assert_eq!(
            regex_literal("a+b(c)[d]|e*?^$\\"),
            r"a\+b\(c\)\[d\]\|e\*\?\^\$\\"
        );
    }

    #[test]
    fn comments_stay_on_one_line() {
        assert_eq!(
            comment("a\nb\rc\u{2028}d\te"),
            r"a\u{a}b\u{d}c\u{2028}d\u{9}e"
        );
        assert_eq!(
            comment("set X to \"true\" (was \"#1\")"),
            "set X to \"true\" (was \"#1\")"
        );
    }

    fn op(op: &'static str, path: &str, value: Option<Y>) -> PatchOp {
        PatchOp {
            op,
            path: path.into(),
            value,
        }
    }

    #[test]
    fn values_are_written_so_that_they_read_back_typed() {
        let ops = vec![
            op("test", "/a/0/name", Some(Y::str("ml-pipeline-ui"))),
            op("test", "/a/0/value", Some(Y::str("true"))),
            op("test", "/a/1/value", Some(Y::Scalar(J::from(1)))),
            op("test", "/a/2/value", Some(Y::Scalar(J::Null))),
            op("test", "/a/3/value", Some(Y::Scalar(J::Bool(false)))),
            op("test", "/a/4/value", Some(Y::str("yes"))),
            op("test", "/a/5/value", Some(Y::str("a: b #c\n\"d\""))),
            op("test", "/a/6/value", Some(Y::str(""))),
            op("remove", "/a/7/valueFrom", None),
            op(
                "add",
                "/a/8/env",
                Some(Y::Seq(vec![
                    Y::Map(vec![
                        ("name".into(), Y::str("A")),
                        ("value".into(), Y::str("0644")),
                    ]),
                    Y::Map(vec![]),
                    Y::Seq(vec![Y::str("x"), Y::Seq(vec![])]),
                ])),
            ),
            op(
                "add",
                "/a~1b/~0c",
                Some(Y::Map(vec![("k: v".into(), Y::str("1"))])),
            ),
        ];
        let text = ops_text(&ops);
        assert!(text.contains("  value: \"true\"\n"), "{text}");
        assert!(text.contains("  value: 1\n"), "{text}");
        assert!(text.contains("  value: null\n"), "{text}");
        assert!(text.contains("  value: \"yes\"\n"), "{text}");
        assert!(
            text.contains("- op: remove\n  path: /a/7/valueFrom\n- op: add\n"),
            "{text}"
        );
        let p = ObjectPatch {
            target: vec![("kind", "Deployment".into()), ("name", r"ml\.ui".into())],
            notes: vec!["line\nbreak".into()],
            ops,
        };
        let all = render(std::slice::from_ref(&p));
        verify(&all, &[p]).expect("reads back");
        assert!(all.contains("    name: ml\\.ui\n"), "{all}");
    }

    #[test]
    fn verification_catches_a_text_that_reads_otherwise() {
        let p = ObjectPatch {
            target: vec![("kind", "Deployment".into())],
            notes: vec![],
            ops: vec![op("test", "/x", Some(Y::str("true")))],
        };
        let good = render(std::slice::from_ref(&p));
        assert!(verify(&good, std::slice::from_ref(&p)).is_ok());
        let bad = good.replace("value: \"true\"", "value: true");
        assert!(verify(&bad, std::slice::from_ref(&p)).is_err());
        let bad = good.replace("kind: Deployment", "kind: Deployment\n    name: x");
        assert!(verify(&bad, &[p]).is_err());
    }

    #[test]
    fn an_empty_list_says_so() {
        let text = render(&[]);
        assert!(text.starts_with(HEADER));
        assert!(text.ends_with("# Nothing to change: the input already reads as asked (or has no target).\npatches: []\n"));
        verify(&text, &[]).expect("reads back");
    }
}
