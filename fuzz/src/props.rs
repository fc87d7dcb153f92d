//! Properties that every run of `disable_gke_metadata::run` must satisfy.
//!
//! Shared, unchanged, by the fuzz targets (`fuzz/src/lib.rs`) and by the
//! regression tests (`tests/fuzz_regressions.rs` includes this file with
//! `#[path]`), so a crash found by the fuzzer is re-checked by `cargo test`
//! with exactly the same rules. Only `disable_gke_metadata`, `granit_parser`,
//! `serde_json` (to tell JSON from YAML) and `std` may be used here.
//!
//! Every check returns `Err(description)` instead of panicking, so callers can
//! add the input to the message.
//!
//! The rules are the intended semantics of the engine (issue 9), read as
//! kubectl and kpt read YAML:
//! - a target is an `apps/*` (or `extensions/*`) Deployment named
//!   `ml-pipeline-ui`, container `ml-pipeline-ui` in `containers` or
//!   `initContainers`; and (issue 11) any container of a Kubernetes workload
//!   whose image's repository is `ml-pipeline/frontend` or `kfp-frontend`, or
//!   ends in `/` and one of them; keys are compared by value (any quoting,
//!   escape or tag), `<<` merge keys are resolved (explicit keys win, earlier
//!   merge sources win), aliases are followed;
//! - with the default config, an input with no target is refused (issue 11:
//!   `requireMatch` is true by default);
//! - a non-target object never changes; an edit may go through a shared node
//!   only when every other use of that node is a target getting the same edit,
//!   otherwise the run refuses and names both objects;
//! - duplicate keys (by value) are refused; the output has none;
//! - a ResourceList gets its results whatever its last item ends with, with no
//!   stray blank line and its final newline kept; a refused ResourceList comes
//!   back whole with the error results;
//! - NEL, LS and PS (line breaks to YAML 1.1 readers, not to YAML 1.2 ones):
//!   the edit must be right for both readers, or the run refuses naming a line
//!   and column;
//! - JSON in, JSON out.
//!
//! This is one judge; the go-yaml judge in `oracle/` is the other.

use std::collections::{HashMap, HashSet};

use disable_gke_metadata::{run, Options, Outcome};
use granit_parser::{Event, Parser, ScalarStyle};

/// The generic properties (whole path): exit status, splices, bytes outside
/// the splices, output re-parses, a message on failure.
pub fn check_outcome(input: &[u8], outcome: &Outcome) -> Result<(), String> {
    if outcome.exit_code != 0 && outcome.exit_code != 1 {
        return Err(format!(
            "exit code {} is neither 0 nor 1",
            outcome.exit_code
        ));
    }
    let text = std::str::from_utf8(input).ok();

    // Splices: sorted, non-overlapping, in bounds, on char boundaries.
    let mut prev_end = 0usize;
    for (i, s) in outcome.splices.iter().enumerate() {
        if s.start > s.end {
            return Err(format!("splice {i} has start {} > end {}", s.start, s.end));
        }
        if s.end > input.len() {
            return Err(format!(
                "splice {i} ends at {} beyond the input ({} bytes)",
                s.end,
                input.len()
            ));
        }
        if i > 0 && s.start < prev_end {
            return Err(format!(
                "splice {i} starts at {} before the previous splice ends ({prev_end}): unsorted or overlapping",
                s.start
            ));
        }
        if let Some(t) = text {
            if !t.is_char_boundary(s.start) || !t.is_char_boundary(s.end) {
                return Err(format!(
                    "splice {i} ({}..{}) is not on UTF-8 char boundaries",
                    s.start, s.end
                ));
            }
        }
        prev_end = s.end;
    }

    let out = outcome.output(input);
    let mut written = Vec::new();
    outcome
        .write_output(input, &mut written)
        .map_err(|e| format!("write_output into a Vec failed: {e}"))?;
    if written != out {
        return Err("write_output and output disagree".into());
    }

    let applied = apply_splices(input, outcome);

    if text.is_none() && outcome.exit_code == 0 {
        return Err("non-UTF-8 input accepted with exit 0".into());
    }

    match outcome.exit_code {
        0 => {
            if out != applied {
                return Err(
                    "exit 0 but the output is not the input with the splices applied \
                     (bytes outside the reported edits changed)"
                        .into(),
                );
            }
            if out.is_empty() {
                return Err("exit 0 with empty output (kpt would delete the package)".into());
            }
            let out_text = std::str::from_utf8(&out)
                .map_err(|e| format!("exit 0 but the output is not UTF-8: {e}"))?;
            let docs = reparse(out_text)
                .map_err(|e| format!("exit 0 but the output does not re-parse: {e}"))?;
            if docs == 0 {
                return Err("exit 0 but the output holds no YAML document".into());
            }
        }
        _ => {
            if outcome.stderr.trim().is_empty() {
                return Err("exit 1 without a message on stderr".into());
            }
            // The results may come as one insertion per result, all at one offset (the
            // engine appends each to an existing block `results` list on its own): that is
            // still one results insertion. Anything else is an edit left in a refusal.
            let one_insertion = outcome
                .splices
                .iter()
                .all(|s| s.start == s.end && s.start == outcome.splices[0].start);
            // Or they replace an existing `results` value (`results: ~   # note` becomes the
            // list after the note: the `~` removed, the entries inserted after the comment):
            // every splice inside one ResourceList's results region.
            let in_results = text.and_then(|t| Tree::parse(t).ok()).is_some_and(|t| {
                results_regions(&t).iter().any(|&(from, to)| {
                    outcome
                        .splices
                        .iter()
                        .all(|s| s.start >= from && s.end <= to)
                })
            });
            if outcome.splices.len() > 1 && !one_insertion && !in_results {
                return Err(format!(
                    "exit 1 with {} splices: only the results splice may be applied on failure",
                    outcome.splices.len()
                ));
            }
            if !out.is_empty() {
                if out != applied {
                    return Err(
                        "exit 1: output is neither empty nor the input plus the results splice"
                            .into(),
                    );
                }
                let out_text = std::str::from_utf8(&out)
                    .map_err(|e| format!("exit 1 and the output is not UTF-8: {e}"))?;
                reparse(out_text)
                    .map_err(|e| format!("exit 1 and the output does not re-parse: {e}"))?;
            }
        }
    }
    Ok(())
}

/// The input with every splice applied, computed here independently of
/// `Outcome::output`.
pub fn apply_splices(input: &[u8], outcome: &Outcome) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut at = 0usize;
    for s in &outcome.splices {
        let start = s.start.min(input.len()).max(at);
        let end = s.end.min(input.len()).max(start);
        out.extend_from_slice(&input[at..start]);
        out.extend_from_slice(s.text.as_bytes());
        at = end;
    }
    out.extend_from_slice(&input[at..]);
    out
}

/// granit-parser's defaults, except that comments are not emitted: they are
/// still checked as syntax, but a long run of comments no longer trips the
/// parser's comment look-ahead buffer (a resource limit of the checker, not
/// a YAML error; the function itself parses with comments off too).
fn checker_options() -> granit_parser::Options {
    granit_parser::options! { emit_comments: false }
}

/// Parses `text` with granit-parser, iterating every event; returns the number
/// of documents.
pub fn reparse(text: &str) -> Result<usize, String> {
    let mut docs = 0;
    for ev in Parser::new_from_str_with_options(text, checker_options()) {
        let (ev, _) = ev.map_err(|e| e.to_string())?;
        if matches!(ev, Event::DocumentStart(..)) {
            docs += 1;
        }
    }
    Ok(docs)
}

// ---------------------------------------------------------------------------
// A small node tree built from granit events, to read what the output means.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub enum Node {
    Scalar {
        value: String,
        style: ScalarStyle,
        /// The resolved tag as `handle+suffix`, if any.
        tag: Option<String>,
    },
    Seq(Vec<usize>),
    Map(Vec<(usize, usize)>),
}

/// Where a node's text is: byte offsets (start inclusive, end exclusive) and
/// the 1-based line of its start.
#[derive(Debug, Clone, Copy, Default)]
pub struct Pos {
    pub start: usize,
    pub end: usize,
    pub line: usize,
}

/// One step down the tree: `child` is child number `slot` of `parent` (for a
/// mapping, entry `i` has its key at slot `2i` and its value at `2i + 1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Step {
    pub parent: usize,
    pub slot: usize,
    pub child: usize,
}

#[derive(Debug, Default)]
pub struct Tree {
    pub nodes: Vec<Node>,
    pub pos: Vec<Pos>,
    pub docs: Vec<usize>,
    /// Deepest nesting of mappings and sequences seen.
    pub depth: usize,
}

/// An object of the stream: an item of a ResourceList or List, or a document.
#[derive(Debug, Clone)]
pub struct Obj {
    pub root: usize,
    pub doc: usize,
    /// From the document root to `root` (empty for a document that is the object).
    pub steps: Vec<Step>,
}

/// A targeted container, as reached from its document.
#[derive(Debug, Clone)]
pub struct TargetC {
    /// Index into `Tree::objects()`.
    pub obj: usize,
    pub container: usize,
    /// The `containers`/`initContainers` list holding it.
    pub list: usize,
    /// From the document root to `container`.
    pub steps: Vec<Step>,
    /// Found by its name in a Deployment named ml-pipeline-ui (else by its image).
    pub by_name: bool,
}

enum Open {
    Seq(usize),
    Map(usize, Option<usize>),
}

const MAX_NODES: usize = 2_000_000;
const MAX_MERGE_DEPTH: usize = 20;

pub const VAR: &str = "DISABLE_GKE_METADATA";

impl Tree {
    pub fn parse(text: &str) -> Result<Tree, String> {
        let mut tree = Tree::default();
        let mut stack: Vec<Open> = Vec::new();
        let mut anchors: HashMap<usize, usize> = HashMap::new();
        let pos_of = |span: &granit_parser::Span| Pos {
            start: span.start.byte_offset().unwrap_or(0),
            end: span.end.byte_offset().unwrap_or(0),
            line: span.start.line(),
        };
        for ev in Parser::new_from_str_with_options(text, checker_options()) {
            let (ev, span) = ev.map_err(|e| e.to_string())?;
            if tree.nodes.len() > MAX_NODES {
                return Err("too many nodes".into());
            }
            let id = match ev {
                Event::DocumentStart(..) => {
                    anchors.clear();
                    continue;
                }
                Event::Scalar(v, style, anchor, tag) => {
                    let id = tree.nodes.len();
                    tree.nodes.push(Node::Scalar {
                        value: v.into_owned(),
                        style,
                        tag: tag.map(|t| format!("{}{}", t.handle(), t.suffix())),
                    });
                    tree.pos.push(pos_of(&span));
                    if anchor != 0 {
                        anchors.insert(anchor, id);
                    }
                    id
                }
                Event::Alias(a) => *anchors.get(&a).ok_or("alias to an unknown anchor")?,
                Event::SequenceStart(_, anchor, _) => {
                    let id = tree.nodes.len();
                    tree.nodes.push(Node::Seq(Vec::new()));
                    tree.pos.push(pos_of(&span));
                    if anchor != 0 {
                        anchors.insert(anchor, id);
                    }
                    stack.push(Open::Seq(id));
                    tree.depth = tree.depth.max(stack.len());
                    continue;
                }
                Event::MappingStart(_, anchor, _) => {
                    let id = tree.nodes.len();
                    tree.nodes.push(Node::Map(Vec::new()));
                    tree.pos.push(pos_of(&span));
                    if anchor != 0 {
                        anchors.insert(anchor, id);
                    }
                    stack.push(Open::Map(id, None));
                    tree.depth = tree.depth.max(stack.len());
                    continue;
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let id = match stack.pop() {
                        Some(Open::Seq(id)) | Some(Open::Map(id, None)) => id,
                        Some(Open::Map(_, Some(_))) => {
                            return Err("mapping ended after a key".into())
                        }
                        None => return Err("unbalanced end event".into()),
                    };
                    let end = span.end.byte_offset().unwrap_or(0);
                    if let Some(p) = tree.pos.get_mut(id) {
                        p.end = p.end.max(end);
                    }
                    id
                }
                _ => continue,
            };
            // Attach `id` to its parent.
            match stack.last_mut() {
                None => tree.docs.push(id),
                Some(Open::Seq(p)) => {
                    if let Node::Seq(v) = &mut tree.nodes[*p] {
                        v.push(id);
                    }
                }
                Some(Open::Map(p, key)) => match key.take() {
                    None => *key = Some(id),
                    Some(k) => {
                        if let Node::Map(v) = &mut tree.nodes[*p] {
                            v.push((k, id));
                        }
                    }
                },
            }
        }
        Ok(tree)
    }

    pub fn scalar(&self, id: usize) -> Option<&str> {
        match &self.nodes[id] {
            Node::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// A plain `<<` (untagged or `!!merge`): a merge key to YAML 1.1 readers
    /// (go-yaml, kubectl). A quoted `"<<"` is an ordinary key.
    pub fn is_merge_key(&self, k: usize) -> bool {
        match &self.nodes[k] {
            Node::Scalar { value, style, tag } => {
                value == "<<"
                    && *style == ScalarStyle::Plain
                    && tag
                        .as_deref()
                        .is_none_or(|t| t == "!" || t.ends_with(":merge"))
            }
            _ => false,
        }
    }

    /// The entries of mapping `id` as kubectl reads them: its own keys (but
    /// `<<`) first, then the keys merged in with `<<` that it does not have
    /// itself, earlier merge sources first. Each with the steps from `id` to
    /// the value. A repeated key keeps its first value.
    pub fn resolved(&self, id: usize) -> Vec<(usize, Vec<Step>)> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        self.resolve_into(id, &[], &mut out, &mut seen, 0);
        out
    }

    fn key_identity(&self, k: usize) -> String {
        match self.scalar(k) {
            Some(v) => format!("s:{v}"),
            None => format!("n:{k}"),
        }
    }

    fn resolve_into(
        &self,
        id: usize,
        prefix: &[Step],
        out: &mut Vec<(usize, Vec<Step>)>,
        seen: &mut HashSet<String>,
        depth: usize,
    ) {
        let Node::Map(entries) = &self.nodes[id] else {
            return;
        };
        if depth > MAX_MERGE_DEPTH {
            return;
        }
        let mut merges = Vec::new();
        for (i, &(k, v)) in entries.iter().enumerate() {
            if self.is_merge_key(k) {
                merges.push((i, v));
                continue;
            }
            if seen.insert(self.key_identity(k)) {
                let mut steps = prefix.to_vec();
                steps.push(Step {
                    parent: id,
                    slot: 2 * i + 1,
                    child: v,
                });
                out.push((k, steps));
            }
        }
        for (i, mv) in merges {
            let mut p = prefix.to_vec();
            p.push(Step {
                parent: id,
                slot: 2 * i + 1,
                child: mv,
            });
            match &self.nodes[mv] {
                Node::Map(_) => self.resolve_into(mv, &p, out, seen, depth + 1),
                Node::Seq(items) => {
                    for (j, &m) in items.iter().enumerate() {
                        let mut q = p.clone();
                        q.push(Step {
                            parent: mv,
                            slot: j,
                            child: m,
                        });
                        self.resolve_into(m, &q, out, seen, depth + 1);
                    }
                }
                Node::Scalar { .. } => {}
            }
        }
    }

    /// The steps from mapping `id` to the value of `key` (merge keys resolved).
    pub fn get_steps(&self, id: usize, key: &str) -> Option<Vec<Step>> {
        if !matches!(self.nodes[id], Node::Map(_)) {
            return None;
        }
        self.resolved(id)
            .into_iter()
            .find(|(k, _)| self.scalar(*k) == Some(key))
            .map(|(_, s)| s)
    }

    /// The value of key `key` in mapping `id`, as kubectl reads it.
    pub fn get(&self, id: usize, key: &str) -> Option<usize> {
        self.get_steps(id, key)
            .and_then(|s| s.last().map(|st| st.child))
    }

    pub fn get_str(&self, id: usize, key: &str) -> Option<&str> {
        self.get(id, key).and_then(|v| self.scalar(v))
    }

    pub fn path(&self, id: usize, keys: &[&str]) -> Option<usize> {
        keys.iter().try_fold(id, |at, k| self.get(at, k))
    }

    fn path_steps(&self, id: usize, keys: &[&str]) -> Option<Vec<Step>> {
        let mut at = id;
        let mut steps = Vec::new();
        for k in keys {
            let s = self.get_steps(at, k)?;
            at = s.last()?.child;
            steps.extend(s);
        }
        Some(steps)
    }

    pub fn seq(&self, id: usize) -> Option<&[usize]> {
        match &self.nodes[id] {
            Node::Seq(v) => Some(v),
            _ => None,
        }
    }

    fn is_list_doc(&self, d: usize) -> Option<&'static str> {
        match self.get_str(d, "kind") {
            Some("ResourceList") => Some("ResourceList"),
            Some("List") => Some("List"),
            _ => None,
        }
    }

    /// The objects of the stream: the items of a ResourceList/List document,
    /// or each document itself.
    pub fn object_list(&self) -> Vec<Obj> {
        let mut out = Vec::new();
        for &d in &self.docs {
            let items = self
                .is_list_doc(d)
                .and_then(|_| self.get_steps(d, "items"))
                .filter(|s| s.last().is_some_and(|st| self.seq(st.child).is_some()));
            match items {
                Some(steps) => {
                    let seq = steps.last().map(|s| s.child).unwrap_or(d);
                    for (j, &it) in self.seq(seq).unwrap_or(&[]).iter().enumerate() {
                        let mut s = steps.clone();
                        s.push(Step {
                            parent: seq,
                            slot: j,
                            child: it,
                        });
                        out.push(Obj {
                            root: it,
                            doc: d,
                            steps: s,
                        });
                    }
                }
                None => out.push(Obj {
                    root: d,
                    doc: d,
                    steps: Vec::new(),
                }),
            }
        }
        out
    }

    pub fn objects(&self) -> Vec<usize> {
        self.object_list().into_iter().map(|o| o.root).collect()
    }

    /// A Kubernetes Deployment named ml-pipeline-ui: group apps (or the old
    /// extensions), not a custom resource that shares the kind's name.
    pub fn is_named_target(&self, o: usize) -> bool {
        self.get_str(o, "kind") == Some("Deployment")
            && self
                .path(o, &["metadata", "name"])
                .and_then(|n| self.scalar(n))
                == Some("ml-pipeline-ui")
            && self.workload_pod_path(o).is_some()
    }

    /// An object the default configuration may edit: a named target, or one
    /// with a container found by its image.
    pub fn is_target_object(&self, o: usize) -> bool {
        if self.is_named_target(o) {
            return true;
        }
        let Some(pod) = self.workload_pod_path(o) else {
            return false;
        };
        ["containers", "initContainers"].iter().any(|list| {
            let mut keys = pod.to_vec();
            keys.push(list);
            self.path(o, &keys)
                .and_then(|l| self.seq(l))
                .is_some_and(|cs| {
                    cs.iter()
                        .any(|&c| self.get_str(c, "image").is_some_and(is_ui_image))
                })
        })
    }

    /// The path to the pod spec of a Kubernetes workload (its kind served by
    /// its own API group), `None` for anything else.
    fn workload_pod_path(&self, o: usize) -> Option<&'static [&'static str]> {
        let group = match self.get_str(o, "apiVersion")?.rsplit_once('/') {
            Some((g, _)) => g,
            None => "",
        };
        let kind = self.get_str(o, "kind")?;
        let groups: &[&str] = match kind {
            "Deployment" | "DaemonSet" | "ReplicaSet" => &["apps", "extensions"],
            "StatefulSet" => &["apps"],
            "Job" | "CronJob" => &["batch"],
            "Pod" | "ReplicationController" => &[""],
            _ => return None,
        };
        if !groups.contains(&group) {
            return None;
        }
        Some(match kind {
            "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
            "Pod" => &["spec"],
            _ => &["spec", "template", "spec"],
        })
    }

    /// Kind and name of an object, for messages.
    pub fn describe(&self, o: usize) -> (String, String) {
        (
            self.get_str(o, "kind").unwrap_or("?").to_string(),
            self.path(o, &["metadata", "name"])
                .and_then(|n| self.scalar(n))
                .unwrap_or("?")
                .to_string(),
        )
    }

    /// Every targeted container, with the path to it: the container named
    /// ml-pipeline-ui (in `containers` or `initContainers`) of every target.
    pub fn targets(&self) -> Vec<TargetC> {
        let mut out = Vec::new();
        for (oi, o) in self.object_list().into_iter().enumerate() {
            let Some(pod) = self.workload_pod_path(o.root) else {
                continue;
            };
            let named = self.is_named_target(o.root);
            for list in ["containers", "initContainers"] {
                let mut keys = pod.to_vec();
                keys.push(list);
                let Some(steps) = self.path_steps(o.root, &keys) else {
                    continue;
                };
                let Some(seq) = steps.last().map(|s| s.child) else {
                    continue;
                };
                let Some(cs) = self.seq(seq) else {
                    continue;
                };
                for (j, &c) in cs.iter().enumerate() {
                    let by_name = named && self.get_str(c, "name") == Some("ml-pipeline-ui");
                    let by_image = self.get_str(c, "image").is_some_and(is_ui_image);
                    if by_name || by_image {
                        let mut s = o.steps.clone();
                        s.extend(steps.iter().copied());
                        s.push(Step {
                            parent: seq,
                            slot: j,
                            child: c,
                        });
                        out.push(TargetC {
                            obj: oi,
                            container: c,
                            list: seq,
                            steps: s,
                            by_name,
                        });
                    }
                }
            }
        }
        out
    }

    /// The containers that the default configuration targets.
    pub fn target_containers(&self) -> Vec<usize> {
        self.targets().into_iter().map(|t| t.container).collect()
    }

    /// Two keys of one mapping with the same value, whatever their spelling
    /// (quoted, escaped, tagged, explicit): a duplicate to go-yaml (kyaml,
    /// kubectl), which refuses the input.
    pub fn duplicate_key(&self) -> Option<String> {
        for n in &self.nodes {
            let Node::Map(entries) = n else { continue };
            let mut seen: HashMap<&str, usize> = HashMap::new();
            for &(k, _) in entries {
                if let Some(v) = self.scalar(k) {
                    if let Some(&first) = seen.get(v) {
                        return Some(format!(
                            "key {v:?} at line {} repeats the one at line {}",
                            self.pos[k].line, self.pos[first].line
                        ));
                    }
                    seen.insert(v, k);
                }
            }
        }
        None
    }

    /// For each node, where it is used: (parent, slot).
    fn incoming(&self) -> HashMap<usize, Vec<(usize, usize)>> {
        let mut inc: HashMap<usize, Vec<(usize, usize)>> = HashMap::new();
        for (id, n) in self.nodes.iter().enumerate() {
            match n {
                Node::Seq(v) => {
                    for (j, &c) in v.iter().enumerate() {
                        inc.entry(c).or_default().push((id, j));
                    }
                }
                Node::Map(v) => {
                    for (i, &(k, c)) in v.iter().enumerate() {
                        inc.entry(k).or_default().push((id, 2 * i));
                        inc.entry(c).or_default().push((id, 2 * i + 1));
                    }
                }
                Node::Scalar { .. } => {}
            }
        }
        inc
    }

    /// Objects (indexes into `object_list`) whose subtree holds `node`.
    fn objects_holding(&self, node: usize) -> Vec<usize> {
        let mut out = Vec::new();
        for (oi, o) in self.object_list().iter().enumerate() {
            let mut seen = HashSet::new();
            let mut stack = vec![o.root];
            let mut budget = 200_000usize;
            while let Some(n) = stack.pop() {
                if n == node {
                    out.push(oi);
                    break;
                }
                if !seen.insert(n) || budget == 0 {
                    continue;
                }
                budget -= 1;
                match &self.nodes[n] {
                    Node::Seq(v) => stack.extend(v.iter().copied()),
                    Node::Map(v) => {
                        for &(k, c) in v {
                            stack.push(k);
                            stack.push(c);
                        }
                    }
                    Node::Scalar { .. } => {}
                }
            }
        }
        out
    }

    /// A canonical rendering of node `id`, with the `env` key of every mapping
    /// in `masked` left out. Merge keys are resolved and aliases expanded
    /// (bounded by `budget`).
    fn canon(
        &self,
        id: usize,
        masked: &HashSet<usize>,
        depth: usize,
        budget: &mut usize,
        out: &mut String,
    ) -> Result<(), String> {
        if depth > 300 {
            return Err("too deep to compare".into());
        }
        if *budget == 0 {
            return Err("too big to compare".into());
        }
        *budget -= 1;
        match &self.nodes[id] {
            Node::Scalar { value, style, tag } => {
                out.push_str(&format!(
                    "S({:?},{:?},{:?})",
                    style_class(*style),
                    tag,
                    value
                ));
            }
            Node::Seq(v) => {
                out.push('[');
                for &c in v {
                    self.canon(c, masked, depth + 1, budget, out)?;
                    out.push(',');
                }
                out.push(']');
            }
            Node::Map(_) => {
                out.push('{');
                for (k, steps) in self.resolved(id) {
                    if masked.contains(&id) && self.scalar(k) == Some("env") {
                        continue;
                    }
                    let Some(val) = steps.last().map(|s| s.child) else {
                        continue;
                    };
                    self.canon(k, masked, depth + 1, budget, out)?;
                    out.push(':');
                    self.canon(val, masked, depth + 1, budget, out)?;
                    out.push(',');
                }
                out.push('}');
            }
        }
        Ok(())
    }

    /// A list document without its `items` (compared object by object) and,
    /// for a ResourceList, without `results`; other documents: empty (they are
    /// objects themselves).
    fn canon_wrapper(&self, d: usize, budget: &mut usize) -> Result<String, String> {
        let mut out = String::new();
        let Some(kind) = self.is_list_doc(d) else {
            return Ok(out);
        };
        if self.get(d, "items").and_then(|i| self.seq(i)).is_none() {
            // Not read as a list: the document is one object.
            return Ok(out);
        }
        out.push('{');
        for (k, steps) in self.resolved(d) {
            let key = self.scalar(k);
            if key == Some("items") || (kind == "ResourceList" && key == Some("results")) {
                continue;
            }
            let Some(val) = steps.last().map(|s| s.child) else {
                continue;
            };
            self.canon(k, &HashSet::new(), 1, budget, &mut out)?;
            out.push(':');
            self.canon(val, &HashSet::new(), 1, budget, &mut out)?;
            out.push(',');
        }
        out.push('}');
        Ok(out)
    }

    /// An object's canonical rendering; a ResourceList document read as one
    /// object (its `items` is not a list) without its `results`.
    fn canon_object(
        &self,
        o: usize,
        masked: &HashSet<usize>,
        budget: &mut usize,
        out: &mut String,
    ) -> Result<(), String> {
        if self.is_list_doc(o) != Some("ResourceList") {
            return self.canon(o, masked, 0, budget, out);
        }
        out.push('{');
        for (k, steps) in self.resolved(o) {
            let Some(val) = steps.last().map(|s| s.child) else {
                continue;
            };
            if self.scalar(k) == Some("results") {
                continue;
            }
            self.canon(k, masked, 1, budget, out)?;
            out.push(':');
            self.canon(val, masked, 1, budget, out)?;
            out.push(',');
        }
        out.push('}');
        Ok(())
    }

    pub fn canon_node(&self, id: usize) -> Result<String, String> {
        let mut out = String::new();
        let mut budget = 100_000;
        self.canon(id, &HashSet::new(), 0, &mut budget, &mut out)?;
        Ok(out)
    }
}

/// Plain scalars and quoted/block scalars are different things to a YAML
/// reader (`true` is a bool, `"true"` a string); the exact quoting is kept
/// too, since the function must not touch anything else.
fn style_class(s: ScalarStyle) -> String {
    format!("{s:?}")
}

fn is_null(t: &Tree, id: usize) -> bool {
    match &t.nodes[id] {
        Node::Scalar { value, style, tag } => {
            *style == ScalarStyle::Plain
                && matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL")
                && tag.as_deref().is_none_or(|t| t.ends_with(":null"))
        }
        _ => false,
    }
}

/// Outcome of the semantic comparison.
#[derive(Debug, PartialEq, Eq)]
pub enum Semantics {
    Checked,
    /// The inputs were too big (alias expansion) or otherwise not comparable.
    Skipped(String),
}

/// For an accepted run (exit 0): nothing but the `env` of the targeted
/// containers (and the `results` of a ResourceList) differs between the input
/// and the output, as a YAML reader sees them.
pub fn check_nothing_else_changed(input: &str, output: &str) -> Result<Semantics, String> {
    let tin = match Tree::parse(input) {
        Ok(t) => t,
        Err(e) => {
            return Ok(Semantics::Skipped(format!(
                "input not readable by the checker: {e}"
            )))
        }
    };
    let tout = Tree::parse(output).map_err(|e| format!("output does not parse: {e}"))?;
    nothing_else_changed(&tin, &tout, true)
}

/// Every object reads as before, except the `env` of targeted containers when
/// `edits` (a refused run: no exception at all); list documents keep their
/// other keys; a ResourceList's results are kept and new ones appended.
fn nothing_else_changed(tin: &Tree, tout: &Tree, edits: bool) -> Result<Semantics, String> {
    if tin.docs.len() != tout.docs.len() {
        return Err(format!(
            "the number of documents changed: {} -> {}",
            tin.docs.len(),
            tout.docs.len()
        ));
    }
    let oin = tin.object_list();
    let oout = tout.object_list();
    if oin.len() != oout.len() {
        return Err(format!(
            "the number of objects changed: {} -> {}",
            oin.len(),
            oout.len()
        ));
    }
    let none = HashSet::new();
    let (min, mout): (HashSet<usize>, HashSet<usize>) = if edits {
        (
            tin.target_containers().into_iter().collect(),
            tout.target_containers().into_iter().collect(),
        )
    } else {
        (HashSet::new(), HashSet::new())
    };
    let mut bin = 200_000;
    let mut bout = 200_000;
    for (i, (&a, &b)) in tin.docs.iter().zip(&tout.docs).enumerate() {
        let ca = match tin.canon_wrapper(a, &mut bin) {
            Ok(c) => c,
            Err(e) => return Ok(Semantics::Skipped(e)),
        };
        let cb = tout.canon_wrapper(b, &mut bout)?;
        if ca != cb {
            return Err(format!(
                "document {i} changed outside its items and results:\n  before: {}\n  after:  {}",
                shorten(&ca),
                shorten(&cb)
            ));
        }
    }
    for (i, (a, b)) in oin.iter().zip(&oout).enumerate() {
        let target = tin.is_target_object(a.root);
        let (ma, mb) = if target {
            (&min, &mout)
        } else {
            (&none, &none)
        };
        let mut ca = String::new();
        if let Err(e) = tin.canon_object(a.root, ma, &mut bin, &mut ca) {
            return Ok(Semantics::Skipped(e));
        }
        let mut cb = String::new();
        tout.canon_object(b.root, mb, &mut bout, &mut cb)?;
        if ca != cb {
            let (kind, name) = tin.describe(a.root);
            return Err(format!(
                "{} object {i} ({kind} {name}) changed{}:\n  before: {}\n  after:  {}",
                if target { "target" } else { "non-target" },
                if target {
                    " outside the targeted env lists"
                } else {
                    ""
                },
                shorten(&ca),
                shorten(&cb)
            ));
        }
    }
    for (i, (&a, &b)) in tin.docs.iter().zip(&tout.docs).enumerate() {
        results_appended(tin, a, tout, b, !edits, &mut bin, &mut bout)
            .map_err(|e| format!("document {i}: {e}"))?;
    }
    Ok(Semantics::Checked)
}

/// A ResourceList's `results` after the run: the input's results (if any), unchanged, then at
/// least one new result with a message and a severity (an `error` one when `refused`).
fn results_appended(
    tin: &Tree,
    a: usize,
    tout: &Tree,
    b: usize,
    refused: bool,
    bin: &mut usize,
    bout: &mut usize,
) -> Result<(), String> {
    if tin.is_list_doc(a) != Some("ResourceList") {
        return Ok(());
    }
    let old: &[usize] = tin
        .get(a, "results")
        .and_then(|r| tin.seq(r))
        .unwrap_or(&[]);
    let new = tout
        .get(b, "results")
        .and_then(|r| tout.seq(r))
        .ok_or("the output ResourceList has no results list")?;
    if new.len() <= old.len() {
        return Err(format!(
            "results went from {} to {} entries",
            old.len(),
            new.len()
        ));
    }
    let none = HashSet::new();
    for (&x, &y) in old.iter().zip(new) {
        let (mut cx, mut cy) = (String::new(), String::new());
        tin.canon(x, &none, 1, bin, &mut cx)?;
        tout.canon(y, &none, 1, bout, &mut cy)?;
        if cx != cy {
            return Err(format!("an earlier result changed: {cx} -> {cy}"));
        }
    }
    let mut error = false;
    for &r in &new[old.len()..] {
        let message = tout.get_str(r, "message");
        let severity = tout.get_str(r, "severity");
        if message.is_none_or(str::is_empty)
            || !matches!(severity, Some("info" | "warning" | "error"))
        {
            return Err(format!(
                "a new result lacks a message or severity: {message:?} {severity:?}"
            ));
        }
        error |= severity == Some("error");
    }
    if refused && !error {
        return Err("refused, but no new result has severity error".into());
    }
    Ok(())
}

fn shorten(s: &str) -> String {
    if s.len() > 600 {
        let mut end = 600;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &s[..end])
    } else {
        s.to_string()
    }
}

fn entry_is_var(t: &Tree, e: usize) -> bool {
    t.get_str(e, "name") == Some(VAR)
}

fn env_entries(t: &Tree, container: usize) -> Result<Vec<usize>, String> {
    match t.get(container, "env") {
        None => Ok(Vec::new()),
        Some(env) => match &t.nodes[env] {
            Node::Seq(v) => Ok(v.clone()),
            _ if is_null(t, env) => Ok(Vec::new()),
            other => Err(format!("env is neither a list nor null: {other:?}")),
        },
    }
}

/// For an accepted run with the default configuration (policy override, value
/// "true"): every `DISABLE_GKE_METADATA` entry of every targeted container reads
/// as the string "true" (no `valueFrom`), one is appended when there was none,
/// and every other env entry is unchanged and in place.
pub fn check_default_edit(input: &str, output: &str) -> Result<(), String> {
    let tin = Tree::parse(input).map_err(|e| format!("input does not parse: {e}"))?;
    let tout = Tree::parse(output).map_err(|e| format!("output does not parse: {e}"))?;
    default_edit(&tin, &tout)
}

fn default_edit(tin: &Tree, tout: &Tree) -> Result<(), String> {
    let cin = tin.target_containers();
    let cout = tout.target_containers();
    if cin.len() != cout.len() {
        return Err(format!(
            "{} target containers before, {} after",
            cin.len(),
            cout.len()
        ));
    }
    for (n, (&a, &b)) in cin.iter().zip(&cout).enumerate() {
        let ein = env_entries(tin, a).map_err(|e| format!("input target {n}: {e}"))?;
        let eout = env_entries(tout, b).map_err(|e| format!("output target {n}: {e}"))?;
        if tout.get(b, "env").and_then(|e| tout.seq(e)).is_none() {
            return Err(format!("target {n}: env is not a list after the edit"));
        }
        let had = ein.iter().filter(|&&e| entry_is_var(tin, e)).count();
        let expect_len = if had == 0 { ein.len() + 1 } else { ein.len() };
        if eout.len() != expect_len {
            return Err(format!(
                "target {n}: {} env entries before ({had} {VAR}), {} after; expected {expect_len}",
                ein.len(),
                eout.len()
            ));
        }
        for (i, &eo) in eout.iter().enumerate() {
            let is_var_out = entry_is_var(tout, eo);
            match ein.get(i) {
                Some(&ei) => {
                    let is_var_in = entry_is_var(tin, ei);
                    if is_var_in != is_var_out {
                        return Err(format!("target {n}: env[{i}] changed its name"));
                    }
                    if !is_var_in && tin.canon_node(ei)? != tout.canon_node(eo)? {
                        return Err(format!(
                            "target {n}: env[{i}] (not {VAR}) changed: {} -> {}",
                            tin.canon_node(ei)?,
                            tout.canon_node(eo)?
                        ));
                    }
                }
                None => {
                    if !is_var_out {
                        return Err(format!("target {n}: the appended env[{i}] is not {VAR}"));
                    }
                }
            }
            if is_var_out {
                check_var_entry(tout, eo).map_err(|e| format!("target {n}: env[{i}]: {e}"))?;
            }
        }
    }
    Ok(())
}

fn check_var_entry(t: &Tree, e: usize) -> Result<(), String> {
    if t.get(e, "valueFrom").is_some() {
        return Err(format!("{VAR} still has a valueFrom"));
    }
    let v = t
        .get(e, "value")
        .ok_or_else(|| format!("{VAR} has no value"))?;
    match &t.nodes[v] {
        Node::Scalar { value, style, tag } => {
            if value != "true" {
                return Err(format!("{VAR} reads {value:?}, not \"true\""));
            }
            match tag {
                Some(tag) if !tag.ends_with(":str") => {
                    Err(format!("{VAR} value carries the tag {tag}"))
                }
                None if *style == ScalarStyle::Plain => Err(format!(
                    "{VAR} is a plain `true` (a bool to YAML readers), not the string \"true\""
                )),
                _ => Ok(()),
            }
        }
        other => Err(format!("{VAR} value is not a scalar: {other:?}")),
    }
}

/// Whether entry `e` already reads as the string "true", with no valueFrom
/// (the default configuration leaves it as it is).
fn var_entry_done(t: &Tree, e: usize) -> bool {
    check_var_entry(t, e).is_ok()
}

// ---------------------------------------------------------------------------
// Where the default edit goes, and what may make a refusal legitimate.
// ---------------------------------------------------------------------------

/// The KFP UI image, as issue 11 defines it: the repository (the reference
/// without `@digest` and without a `:tag` after the last `/`) is
/// `ml-pipeline/frontend` or `kfp-frontend`, or ends in `/` and one of them.
pub fn is_ui_image(image: &str) -> bool {
    let name = image.split('@').next().unwrap_or("");
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let repo = match name[last_slash..].find(':') {
        Some(i) => &name[..last_slash + i],
        None => name,
    };
    ["ml-pipeline/frontend", "kfp-frontend"]
        .iter()
        .any(|u| repo == *u || repo.ends_with(&format!("/{u}")))
}

/// Why a refusal of a generated layout is legitimate.
#[derive(Debug, Clone)]
pub enum Reason {
    /// Keys repeated (by value): go-yaml refuses the input; so must the function.
    DuplicateKeys(String),
    /// An edited node is also used where no same edit is wanted.
    Shared {
        target_obj: usize,
        other_obj: Option<usize>,
        what: String,
    },
    /// A `<<` merge key in a target container or env entry, or on the way to
    /// it (the README allows a refusal).
    Merge,
    /// NEL/LS/PS outside quoted scalars in an edited object or near the
    /// results, at this byte offset.
    LineBreak(usize),
    /// Two containers named ml-pipeline-ui in one list (Kubernetes refuses it).
    ContainerNames,
    /// The README's other refusals: env not a list, value and valueFrom both.
    NotEditable(String),
    /// No target at all (issue 11: refused unless `requireMatch` is false).
    NoTarget,
}

/// The edit paths of the default configuration (from a document root to the
/// deepest node whose text changes) and the reasons for a refusal found on
/// the way.
fn edit_paths(t: &Tree) -> (Vec<(usize, Vec<Step>)>, Vec<Reason>) {
    let mut paths = Vec::new();
    let mut reasons = Vec::new();
    let targets = t.targets();
    let incoming = t.incoming();
    // Entries of one list (a list shared by two targets counts once).
    let mut per_list: HashMap<usize, HashSet<usize>> = HashMap::new();
    for tc in targets.iter().filter(|t| t.by_name) {
        if let Some(s) = tc.steps.last() {
            per_list.entry(tc.list).or_default().insert(s.slot);
        }
    }
    if per_list.values().any(|n| n.len() > 1) {
        reasons.push(Reason::ContainerNames);
    }
    for tc in &targets {
        let c = tc.container;
        if tc.steps.iter().any(|s| step_is_merge(t, s)) {
            reasons.push(Reason::Merge);
        }
        if let Node::Map(entries) = &t.nodes[c] {
            if entries.iter().any(|&(k, _)| t.is_merge_key(k)) {
                reasons.push(Reason::Merge);
            }
        }
        let base = tc.steps.clone();
        let Some(env_steps) = t.get_steps(c, "env") else {
            paths.push((tc.obj, base));
            continue;
        };
        if env_steps.len() > 1 {
            reasons.push(Reason::Merge);
        }
        let Some(env) = env_steps.last().map(|s| s.child) else {
            continue;
        };
        let mut to_env = base.clone();
        to_env.extend(env_steps.iter().copied());
        if is_null(t, env) {
            // An anchored null used elsewhere (`env: &e null` and `env: *e`): the README's
            // "a value anchored and used elsewhere" refusal, even when every use is a
            // target (issue 11 made containers found by image targets too).
            if incoming.get(&env).is_some_and(|v| v.len() > 1) {
                reasons.push(Reason::NotEditable(
                    "env is a null anchored and used elsewhere".into(),
                ));
            }
            paths.push((tc.obj, to_env));
            continue;
        }
        let Some(entries) = t.seq(env) else {
            reasons.push(Reason::NotEditable("env is neither a list nor null".into()));
            paths.push((tc.obj, to_env));
            continue;
        };
        let mut any_var = false;
        for (j, &e) in entries.iter().enumerate() {
            if let Node::Map(kv) = &t.nodes[e] {
                if kv.iter().any(|&(k, _)| t.is_merge_key(k)) {
                    reasons.push(Reason::Merge);
                }
            }
            if !entry_is_var(t, e) {
                continue;
            }
            any_var = true;
            if var_entry_done(t, e) {
                continue;
            }
            let mut p = to_env.clone();
            p.push(Step {
                parent: env,
                slot: j,
                child: e,
            });
            let v = t.get_steps(e, "value");
            let vf = t.get_steps(e, "valueFrom");
            if v.is_some() && vf.is_some() {
                reasons.push(Reason::NotEditable(
                    "an entry with both value and valueFrom".into(),
                ));
            }
            for s in [v, vf].into_iter().flatten() {
                if s.len() > 1 {
                    reasons.push(Reason::Merge);
                }
                let mut q = p.clone();
                q.extend(s);
                paths.push((tc.obj, q));
            }
            paths.push((tc.obj, p));
        }
        if !any_var {
            paths.push((tc.obj, to_env));
        }
    }
    (paths, reasons)
}

/// A step into the value of a `<<` key (or into one of its merge sources).
fn step_is_merge(t: &Tree, s: &Step) -> bool {
    match &t.nodes[s.parent] {
        Node::Map(v) => {
            s.slot % 2 == 1 && v.get(s.slot / 2).is_some_and(|&(k, _)| t.is_merge_key(k))
        }
        _ => false,
    }
}

/// The first node on an edit path that is also used elsewhere (an alias of it,
/// or of one of its ancestors on the path) where no target gets the same edit.
fn shared_edit(t: &Tree, paths: &[(usize, Vec<Step>)]) -> Option<Reason> {
    let mut on_path: HashSet<(usize, usize)> = HashSet::new();
    let mut nodes: Vec<(usize, usize)> = Vec::new();
    for (obj, p) in paths {
        for s in p {
            on_path.insert((s.parent, s.slot));
            nodes.push((*obj, s.child));
        }
    }
    let incoming = t.incoming();
    for (obj, n) in nodes {
        for &(p, slot) in incoming.get(&n).map(Vec::as_slice).unwrap_or(&[]) {
            if on_path.contains(&(p, slot)) {
                continue;
            }
            let objs = t.objects_holding(p);
            let other = objs
                .iter()
                .copied()
                .find(|&o| o != obj)
                .or(objs.first().copied());
            return Some(Reason::Shared {
                target_obj: obj,
                other_obj: other,
                what: format!(
                    "the node at line {} is also used at line {}",
                    t.pos[n].line, t.pos[p].line
                ),
            });
        }
    }
    None
}

/// NEL, LS, PS: line breaks to YAML 1.1 readers (go-yaml, kubectl, PyYAML), not
/// to YAML 1.2 readers (granit).
pub fn is_11_break(c: char) -> bool {
    matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// The text as a YAML 1.1 reader splits it into lines: each NEL/LS/PS becomes
/// a line feed. `None` when there is none.
pub fn as_yaml11(text: &str) -> Option<String> {
    if !text.chars().any(is_11_break) {
        return None;
    }
    Some(
        text.chars()
            .map(|c| if is_11_break(c) { '\n' } else { c })
            .collect(),
    )
}

/// Byte offsets of NEL/LS/PS outside quoted scalars.
fn breaks_outside_quotes(t: &Tree, text: &str) -> Vec<usize> {
    let quoted: Vec<(usize, usize)> = t
        .nodes
        .iter()
        .zip(&t.pos)
        .filter_map(|(n, p)| match n {
            Node::Scalar {
                style: ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted,
                ..
            } => Some((p.start, p.end)),
            _ => None,
        })
        .collect();
    text.char_indices()
        .filter(|&(i, c)| is_11_break(c) && !quoted.iter().any(|&(s, e)| s <= i && i < e))
        .map(|(i, _)| i)
        .collect()
}

/// The span of each ResourceList document's existing `results` field, key to value end.
fn existing_results(t: &Tree) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for &d in &t.docs {
        if t.is_list_doc(d) != Some("ResourceList") {
            continue;
        }
        let Node::Map(entries) = &t.nodes[d] else {
            continue;
        };
        let end = t.pos[d].end.max(t.pos[d].start);
        if let Some(&(k, v)) = entries
            .iter()
            .find(|&&(k, _)| t.scalar(k) == Some("results"))
        {
            out.push((t.pos[k].start, t.pos[v].end.max(end)));
        }
    }
    out
}

/// Where new results go in each ResourceList document: from the start of the
/// last item (or of the last top-level key after items) to the end of the
/// document; plus the span of an existing `results`.
fn results_regions(t: &Tree) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for &d in &t.docs {
        if t.is_list_doc(d) != Some("ResourceList") {
            continue;
        }
        let Node::Map(entries) = &t.nodes[d] else {
            continue;
        };
        if let Some(&(k, v)) = entries.last() {
            let start = match (t.scalar(k), t.seq(v)) {
                (Some("items"), Some(items)) if !items.is_empty() => items
                    .last()
                    .map(|&i| t.pos[i].start)
                    .unwrap_or(t.pos[k].start),
                _ => t.pos[k].start,
            };
            out.push((start, usize::MAX));
        }
    }
    out.extend(existing_results(t));
    out
}

/// A NEL/LS/PS outside quoted scalars in an object that gets an edit, or
/// near where the results go: the function may refuse (naming a line and
/// column) instead of proving that both kinds of readers see the same edit.
fn sensitive_break(t: &Tree, text: &str, paths: &[(usize, Vec<Step>)]) -> Option<usize> {
    let breaks = breaks_outside_quotes(t, text);
    if breaks.is_empty() {
        return None;
    }
    let objs = t.object_list();
    let mut regions = results_regions(t);
    // The engine decides per document: a break anywhere in a document that gets an edit
    // (its leading comments included) may be refused. A document's span here runs from the
    // end of the one before to the start of the one after.
    let spans: Vec<(usize, usize)> = t
        .docs
        .iter()
        .map(|&d| (t.pos[d].start, t.pos[d].end.max(t.pos[d].start)))
        .collect();
    for (oi, _) in paths {
        if let Some(o) = objs.get(*oi) {
            let p = t.pos[o.root];
            let (start, end) = (p.start, p.end.max(p.start));
            match spans.iter().position(|&(s, e)| s <= start && end <= e) {
                Some(i) => regions.push((
                    if i == 0 { 0 } else { spans[i - 1].1 },
                    spans.get(i + 1).map_or(usize::MAX, |n| n.0),
                )),
                None => regions.push((start, end)),
            }
        }
    }
    breaks
        .into_iter()
        .find(|&b| regions.iter().any(|&(s, e)| s <= b && b <= e))
}

/// Why a refusal of this input would be legitimate (empty: it must be accepted).
pub fn refusal_reasons(t: &Tree, text: &str) -> Vec<Reason> {
    let mut reasons = Vec::new();
    if let Some(d) = t.duplicate_key() {
        reasons.push(Reason::DuplicateKeys(d));
    }
    let (paths, more) = edit_paths(t);
    reasons.extend(more);
    if t.targets().is_empty() {
        reasons.push(Reason::NoTarget);
    }
    if let Some(s) = shared_edit(t, &paths) {
        reasons.push(s);
    }
    if let Some(b) = sensitive_break(t, text, &paths) {
        reasons.push(Reason::LineBreak(b));
    }
    reasons
}

/// `line N` and `column M` in a message.
fn names_line_and_column(msg: &str) -> bool {
    let has = |word: &str| {
        msg.match_indices(word).any(|(i, _)| {
            msg[i + word.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
        })
    };
    has("line ") && has("column ")
}

/// Checks a refusal against its reasons: with no reason, a refusal of a layout
/// the generator calls valid is a finding; a refusal only for a line break
/// must name a line and column; one only for sharing must name both objects.
fn judge_refusal(t: &Tree, reasons: &[Reason], stderr: &str) -> Result<(), String> {
    if reasons.is_empty() {
        return Err(format!(
            "refused a layout it must handle (a valid, unambiguous layout); its last error: {}\nstderr: {stderr}",
            last_error(stderr)
        ));
    }
    let only_breaks = reasons.iter().all(|r| matches!(r, Reason::LineBreak(_)));
    if only_breaks && !names_line_and_column(stderr) {
        return Err(format!(
            "refused, with a NEL/LS/PS near the edit or the results, without naming a line and column; its last error: {}\nstderr: {stderr}",
            last_error(stderr)
        ));
    }
    let only_shared = reasons.iter().all(|r| matches!(r, Reason::Shared { .. }));
    if only_shared {
        let objs = t.object_list();
        for r in reasons {
            let Reason::Shared {
                target_obj,
                other_obj,
                what,
            } = r
            else {
                continue;
            };
            let mut names = Vec::new();
            for o in [Some(*target_obj), *other_obj].into_iter().flatten() {
                if let Some(ob) = objs.get(o) {
                    let (kind, name) = t.describe(ob.root);
                    names.push(kind);
                    names.push(name);
                }
            }
            if let Some(missing) = names
                .iter()
                .find(|n| n.as_str() != "?" && !stderr.contains(n.as_str()))
            {
                return Err(format!(
                    "refused an edit through a shared node without naming both objects; its last error: {}\n{what}; {missing:?} is missing from stderr: {stderr}",
                    last_error(stderr)
                ));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Layout of the output text.
// ---------------------------------------------------------------------------

/// Lines that hold only spaces and tabs (a final line without a line break
/// counts when it is not empty).
fn blank_lines(s: &str) -> usize {
    let mut parts: Vec<&str> = s.split('\n').collect();
    let last = parts.pop().unwrap_or("");
    let blank = |l: &str| {
        l.trim_end_matches('\r')
            .chars()
            .all(|c| c == ' ' || c == '\t')
    };
    parts.iter().filter(|l| blank(l)).count() + usize::from(!last.is_empty() && blank(last))
}

/// No stray blank line, the final line break kept.
fn check_layout(input: &str, output: &str, spliced: (usize, usize)) -> Result<(), String> {
    let (bi, bo) = (blank_lines(input), blank_lines(output));
    if bi.saturating_sub(spliced.0) != bo.saturating_sub(spliced.1) {
        return Err(format!(
            "the output has {bo} blank lines, the input {bi} (a stray blank line)"
        ));
    }
    if input.ends_with('\n') && !output.ends_with('\n') {
        return Err("the input's final line break is lost".into());
    }
    Ok(())
}

fn is_json(text: &str) -> bool {
    text.trim_start().starts_with('{')
        && serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| v.is_object())
}

// ---------------------------------------------------------------------------
// Whole checks, as run by the fuzz targets and the regression tests.
// ---------------------------------------------------------------------------

/// The class of a failure: its first line with digits folded and the text in
/// quotes and parentheses left out, so that one bug seen at many line
/// numbers, names and values is one class.
pub fn failure_class(message: &str) -> String {
    let first = message.lines().next().unwrap_or("");
    let mut out = String::new();
    let mut last_digit = false;
    let mut quoted = false;
    let mut parens = 0usize;
    for c in first.chars().take(200) {
        match c {
            '"' => {
                quoted = !quoted;
                continue;
            }
            '(' if !quoted => parens += 1,
            ')' if !quoted => {
                parens = parens.saturating_sub(1);
                continue;
            }
            _ => {}
        }
        if quoted || parens > 0 {
            continue;
        }
        if c.is_ascii_digit() {
            if !last_digit {
                out.push('#');
            }
            last_digit = true;
        } else {
            out.push(c);
            last_digit = false;
        }
    }
    out
}

/// Separates the config from the input in `with_config` fuzz data.
pub const CONFIG_SEPARATOR: &[u8] = b"\0CONFIG-END\0";

/// Splits `with_config` fuzz data into (config, input).
pub fn split_config(data: &[u8]) -> (Option<&[u8]>, &[u8]) {
    match data
        .windows(CONFIG_SEPARATOR.len())
        .position(|w| w == CONFIG_SEPARATOR)
    {
        Some(i) => (Some(&data[..i]), &data[i + CONFIG_SEPARATOR.len()..]),
        None => (None, data),
    }
}

fn show(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    if s.len() > 4000 {
        let mut end = 4000;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{:?}… ({} bytes)", &s[..end], bytes.len())
    } else {
        format!("{s:?}")
    }
}

/// Whether the input's own functionConfig may widen the targets: then the
/// "nothing else changed" check, which assumes the default targets, is skipped.
fn has_custom_targets(t: &Tree) -> bool {
    for &d in &t.docs {
        if let Some(fc) = t.get(d, "functionConfig") {
            if t.get(fc, "spec").is_some() {
                return true;
            }
            if let Some(data) = t.get(fc, "data") {
                if let Node::Map(_) = &t.nodes[data] {
                    if t.resolved(data)
                        .iter()
                        .any(|(k, _)| !matches!(t.scalar(*k), Some("value") | Some("policy")))
                    {
                        return true;
                    }
                }
            }
        }
    }
    false
}

/// Whether the input's functionConfig (if any) asks for the default edit
/// (value "true", policy override).
fn has_default_config(t: &Tree) -> bool {
    for &d in &t.docs {
        let Some(fc) = t.get(d, "functionConfig") else {
            continue;
        };
        if t.get(fc, "spec").is_some() || has_custom_targets(t) {
            return false;
        }
        if let Some(data) = t.get(fc, "data") {
            if let Some(v) = t.get(data, "value") {
                if t.scalar(v) != Some("true")
                    || matches!(
                        &t.nodes[v],
                        Node::Scalar {
                            style: ScalarStyle::Plain,
                            tag: None,
                            ..
                        }
                    )
                {
                    return false;
                }
            }
            if let Some(p) = t.get(data, "policy") {
                if t.scalar(p) != Some("override") {
                    return false;
                }
            }
        }
    }
    true
}

/// What the caller knows about the input.
struct Ctx {
    /// No `--config`, and the input's functionConfig (if any) is the default:
    /// the targets and the edit are known.
    default_config: bool,
    /// The targets are the default ones (the edit itself may differ).
    default_targets: bool,
    /// The generator says the layout is valid and unambiguous.
    must_succeed: bool,
}

/// A ResourceList that a refusal must write back whole, with its error results:
/// it reads as one list document (empty documents around it allowed), has no
/// duplicate keys, no NEL/LS/PS outside quoted scalars (YAML 1.1 and 1.2 readers
/// could read appended results differently: such a list comes back unchanged),
/// and stays within the function's limits.
fn readable_resource_list(t: &Tree, text: &str) -> bool {
    let lists: Vec<usize> = t.docs.iter().copied().filter(|&d| !is_null(t, d)).collect();
    let [d] = lists.as_slice() else {
        return false;
    };
    let api = t.get_str(*d, "apiVersion");
    if t.is_list_doc(*d) != Some("ResourceList")
        || !matches!(
            api,
            Some(
                "config.kubernetes.io/v1"
                    | "config.kubernetes.io/v1beta1"
                    | "config.kubernetes.io/v1alpha1"
            )
        )
        || t.get(*d, "items").and_then(|i| t.seq(i)).is_none()
        // A `results` that is neither a list nor null (`results: ~base`, a string) has no
        // place for new results: the list comes back as it came.
        || t
            .get(*d, "results")
            .is_some_and(|r| !is_null(t, r) && t.seq(r).is_none())
        || t.duplicate_key().is_some()
        || t.depth > 150
        || !breaks_outside_quotes(t, text).is_empty()
        || text.len() > 4 << 20
    {
        return false;
    }
    let mut budget = 90_000;
    t.canon(*d, &HashSet::new(), 0, &mut budget, &mut String::new())
        .is_ok()
}

/// What a run did, as text.
struct Run<'a> {
    exit_code: i32,
    output: &'a str,
    stderr: &'a str,
    /// Blank lines the splices removed with a replaced value (a block scalar's) and blank
    /// lines their new text holds: not stray.
    spliced_blank: (usize, usize),
}

/// Blank lines wholly inside the text a splice removes, and inside the text splices
/// insert (as placed in the output).
fn spliced_blank_lines(input: &str, splices: &[disable_gke_metadata::Splice]) -> (usize, usize) {
    let blank_spans = |s: &str| -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = 0;
        for line in s.split_inclusive('\n') {
            let body = line.trim_end_matches('\n').trim_end_matches('\r');
            if line.ends_with('\n') && body.chars().all(|c| c == ' ' || c == '\t') {
                out.push((start, start + line.len() - 1));
            }
            start += line.len();
        }
        out
    };
    let removed = blank_spans(input)
        .iter()
        .filter(|&&(ls, le)| splices.iter().any(|s| s.start <= ls && le < s.end))
        .count();
    let inserted = splices
        .iter()
        .map(|s| {
            // Lines of the new text as the output has them: its first piece continues the
            // line before unless the splice starts a line.
            let at_line_start = s.start == 0 || input.as_bytes().get(s.start - 1) == Some(&b'\n');
            blank_spans(&s.text)
                .iter()
                .filter(|&&(ls, _)| ls > 0 || at_line_start)
                .count()
        })
        .sum();
    (removed, inserted)
}

/// The last `error:` line of a message (the reason of a refusal).
fn last_error(stderr: &str) -> &str {
    stderr
        .lines()
        .rev()
        .find(|l| l.contains("error"))
        .unwrap_or("")
}

fn judge(text: &str, tin: &Tree, run: &Run, ctx: &Ctx) -> Result<(), String> {
    let out = run.output;
    if run.exit_code != 0 {
        if out.is_empty() {
            if readable_resource_list(tin, text) {
                return Err(format!(
                    "refused a ResourceList without writing it back with the error results; its last error: {}\nstderr: {}",
                    last_error(run.stderr),
                    run.stderr
                ));
            }
        } else {
            check_layout(text, out, run.spliced_blank)?;
            if !breaks_outside_quotes(tin, text).is_empty() && out != text {
                return Err("refused a list with NEL/LS/PS outside quoted scalars, and wrote something else than the list as it came".into());
            }
            if is_json(text) && !is_json(out) {
                return Err("a JSON ResourceList came back as something else than JSON".into());
            }
            if readable_resource_list(tin, text) {
                let tout = Tree::parse(out)
                    .map_err(|e| format!("the refused list does not parse: {e}"))?;
                nothing_else_changed(tin, &tout, false)
                    .map_err(|e| format!("refused, and the list written back is not the input with error results: {e}"))?;
            }
        }
        if ctx.must_succeed {
            judge_refusal(tin, &refusal_reasons(tin, text), run.stderr)?;
        }
        return Ok(());
    }

    // Accepted.
    if ctx.default_config && ctx.default_targets && tin.targets().is_empty() {
        return Err("accepted (exit 0) an input with no target: with the default config a run that finds none must fail".into());
    }
    if let Some(d) = tin.duplicate_key() {
        return Err(format!(
            "accepted (exit 0) an input that go-yaml refuses for duplicate keys: {d}"
        ));
    }
    let tout = Tree::parse(out).map_err(|e| format!("the output does not parse: {e}"))?;
    if let Some(d) = tout.duplicate_key() {
        return Err(format!("the output has duplicate keys: {d}"));
    }
    check_layout(text, out, run.spliced_blank)?;
    if is_json(text) && !is_json(out) {
        return Err("a JSON ResourceList came back as something else than JSON".into());
    }
    if ctx.default_targets {
        match nothing_else_changed(tin, &tout, true)? {
            Semantics::Checked => {}
            Semantics::Skipped(why) if ctx.must_succeed => {
                return Err(format!("checker could not compare ({why})"))
            }
            Semantics::Skipped(_) => {}
        }
    }
    if ctx.default_config {
        default_edit(tin, &tout).map_err(|e| format!("the edit is wrong: {e}"))?;
    }
    // The same, as a YAML 1.1 reader (go-yaml, kubectl) reads it.
    if let Some(t11) = as_yaml11(text) {
        if let Ok(tin11) = Tree::parse(&t11) {
            if tin11.duplicate_key().is_none() {
                let o11 = as_yaml11(out).unwrap_or_else(|| out.to_string());
                let tout11 = Tree::parse(&o11).map_err(|e| {
                    format!("a YAML 1.1 reader (NEL/LS/PS are line breaks) reads the input but not the output: {e}")
                })?;
                if let Some(d) = tout11.duplicate_key() {
                    return Err(format!(
                        "to a YAML 1.1 reader (NEL/LS/PS are line breaks) the output has duplicate keys: {d}"
                    ));
                }
                if ctx.default_targets {
                    nothing_else_changed(&tin11, &tout11, true)
                        .map_err(|e| format!("as a YAML 1.1 reader reads it: {e}"))?;
                }
                if ctx.default_config {
                    default_edit(&tin11, &tout11).map_err(|e| {
                        format!("as a YAML 1.1 reader (NEL/LS/PS are line breaks) reads it, the edit is wrong: {e}")
                    })?;
                }
            }
        }
    }
    Ok(())
}

/// The whole-path properties for one input (and optional config).
// `Options` may have hidden fields: assign rather than use struct update.
#[allow(clippy::field_reassign_with_default)]
pub fn check_whole(input: &[u8], config: Option<&[u8]>) -> Result<(), String> {
    let mut options = Options::default();
    options.config = config.map(|c| c.to_vec());
    let outcome = run(input, &options);
    let context = || {
        format!(
            "\ninput: {}\nconfig: {}\nexit: {}\nstderr: {}\noutput: {}",
            show(input),
            config.map(show).unwrap_or_else(|| "none".into()),
            outcome.exit_code,
            outcome.stderr,
            show(&outcome.output(input))
        )
    };
    if let Err(e) = check_outcome(input, &outcome) {
        return Err(format!("property violated: {e}{}", context()));
    }
    let Ok(text) = std::str::from_utf8(input) else {
        return Ok(());
    };
    let Ok(tin) = Tree::parse(text) else {
        return Ok(());
    };
    let ctx = Ctx {
        default_config: config.is_none() && has_default_config(&tin),
        default_targets: config.is_none() && !has_custom_targets(&tin),
        must_succeed: false,
    };
    let out = outcome.output(input);
    let Ok(output) = std::str::from_utf8(&out) else {
        return Err(format!("the output is not UTF-8{}", context()));
    };
    let r = Run {
        exit_code: outcome.exit_code,
        output,
        stderr: &outcome.stderr,
        spliced_blank: spliced_blank_lines(text, &outcome.splices),
    };
    judge(text, &tin, &r, &ctx).map_err(|e| format!("exit {}: {e}{}", outcome.exit_code, context()))
}

/// The structure-aware properties for one generated document.
pub fn check_structured(text: &str, expect_success: bool) -> Result<(), String> {
    let tin = Tree::parse(text)
        .map_err(|e| format!("generator bug: the generated input does not parse ({e}):\n{text}"))?;
    let input = text.as_bytes();
    let outcome = run(input, &Options::default());
    let out = outcome.output(input);
    let context = || {
        format!(
            "\nexit: {}\nstderr: {}\ninput:\n{text}\noutput:\n{}",
            outcome.exit_code,
            outcome.stderr,
            String::from_utf8_lossy(&out)
        )
    };
    if let Err(e) = check_outcome(input, &outcome) {
        return Err(format!("property violated: {e}{}", context()));
    }
    let ctx = Ctx {
        default_config: has_default_config(&tin),
        default_targets: !has_custom_targets(&tin),
        must_succeed: expect_success,
    };
    let Ok(output) = std::str::from_utf8(&out) else {
        return Err(format!("the output is not UTF-8{}", context()));
    };
    let r = Run {
        exit_code: outcome.exit_code,
        output,
        stderr: &outcome.stderr,
        spliced_blank: spliced_blank_lines(text, &outcome.splices),
    };
    judge(text, &tin, &r, &ctx).map_err(|e| format!("exit {}: {e}{}", outcome.exit_code, context()))
}

/// The checks `check_structured` makes on a run, for a run given as text (exit
/// code, output, stderr): lets tests prove that the checker catches a wrong
/// run without needing a function that makes it.
pub fn judge_run(
    input: &str,
    exit_code: i32,
    output: &str,
    stderr: &str,
    must_succeed: bool,
) -> Result<(), String> {
    let tin = Tree::parse(input).map_err(|e| format!("input does not parse: {e}"))?;
    let ctx = Ctx {
        default_config: has_default_config(&tin),
        default_targets: !has_custom_targets(&tin),
        must_succeed,
    };
    judge(
        input,
        &tin,
        &Run {
            exit_code,
            output,
            stderr,
            spliced_blank: (0, 0),
        },
        &ctx,
    )
}
