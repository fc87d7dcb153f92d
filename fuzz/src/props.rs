//! Properties that every run of `disable_gke_metadata::run` must satisfy.
//!
//! Shared, unchanged, by the fuzz targets (`fuzz/src/lib.rs`) and by the
//! regression tests (`tests/fuzz_regressions.rs` includes this file with
//! `#[path]`), so a crash found by the fuzzer is re-checked by `cargo test`
//! with exactly the same rules. Only `disable_gke_metadata`, `granit_parser`
//! and `std` may be used here.
//!
//! Every check returns `Err(description)` instead of panicking, so callers can
//! add the input to the message.

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
            if outcome.splices.len() > 1 {
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

#[derive(Debug, Default)]
pub struct Tree {
    pub nodes: Vec<Node>,
    pub docs: Vec<usize>,
}

enum Open {
    Seq(usize),
    Map(usize, Option<usize>),
}

const MAX_NODES: usize = 2_000_000;

impl Tree {
    pub fn parse(text: &str) -> Result<Tree, String> {
        let mut tree = Tree::default();
        let mut stack: Vec<Open> = Vec::new();
        let mut anchors: HashMap<usize, usize> = HashMap::new();
        for ev in Parser::new_from_str_with_options(text, checker_options()) {
            let (ev, _span) = ev.map_err(|e| e.to_string())?;
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
                    if anchor != 0 {
                        anchors.insert(anchor, id);
                    }
                    id
                }
                Event::Alias(a) => *anchors.get(&a).ok_or("alias to an unknown anchor")?,
                Event::SequenceStart(_, anchor, _) => {
                    let id = tree.nodes.len();
                    tree.nodes.push(Node::Seq(Vec::new()));
                    if anchor != 0 {
                        anchors.insert(anchor, id);
                    }
                    stack.push(Open::Seq(id));
                    continue;
                }
                Event::MappingStart(_, anchor, _) => {
                    let id = tree.nodes.len();
                    tree.nodes.push(Node::Map(Vec::new()));
                    if anchor != 0 {
                        anchors.insert(anchor, id);
                    }
                    stack.push(Open::Map(id, None));
                    continue;
                }
                Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                    Some(Open::Seq(id)) | Some(Open::Map(id, None)) => id,
                    Some(Open::Map(_, Some(_))) => return Err("mapping ended after a key".into()),
                    None => return Err("unbalanced end event".into()),
                },
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

    /// The value of key `key` in mapping `id` (first match).
    pub fn get(&self, id: usize, key: &str) -> Option<usize> {
        match &self.nodes[id] {
            Node::Map(entries) => entries
                .iter()
                .find(|(k, _)| self.scalar(*k) == Some(key))
                .map(|(_, v)| *v),
            _ => None,
        }
    }

    pub fn path(&self, id: usize, keys: &[&str]) -> Option<usize> {
        keys.iter().try_fold(id, |at, k| self.get(at, k))
    }

    pub fn seq(&self, id: usize) -> Option<&[usize]> {
        match &self.nodes[id] {
            Node::Seq(v) => Some(v),
            _ => None,
        }
    }

    /// The objects of the stream: the items of a ResourceList/List document,
    /// or each document itself.
    pub fn objects(&self) -> Vec<usize> {
        let mut out = Vec::new();
        for &d in &self.docs {
            let kind = self.get(d, "kind").and_then(|k| self.scalar(k));
            let items = self.get(d, "items").and_then(|i| self.seq(i));
            match (kind, items) {
                (Some("ResourceList") | Some("List"), Some(items)) => out.extend_from_slice(items),
                _ => out.push(d),
            }
        }
        out
    }

    /// The containers that the default configuration targets: the container
    /// `ml-pipeline-ui` (in `containers` or `initContainers`) of every
    /// Deployment named `ml-pipeline-ui`.
    pub fn target_containers(&self) -> Vec<usize> {
        let mut out = Vec::new();
        for o in self.objects() {
            let kind = self.get(o, "kind").and_then(|k| self.scalar(k));
            let name = self
                .path(o, &["metadata", "name"])
                .and_then(|k| self.scalar(k));
            if kind != Some("Deployment") || name != Some("ml-pipeline-ui") {
                continue;
            }
            // A Kubernetes Deployment: group apps (or the old extensions), not a custom
            // resource that shares the kind's name.
            let api = self.get(o, "apiVersion").and_then(|k| self.scalar(k));
            let group = api.and_then(|a| a.rsplit_once('/')).map(|(g, _)| g);
            if !matches!(group, Some("apps" | "extensions")) {
                continue;
            }
            // As the README says: the container named ml-pipeline-ui in
            // `containers` or `initContainers`.
            for list in ["containers", "initContainers"] {
                let Some(cs) = self
                    .path(o, &["spec", "template", "spec", list])
                    .and_then(|c| self.seq(c))
                else {
                    continue;
                };
                for &c in cs {
                    if self.get(c, "name").and_then(|n| self.scalar(n)) == Some("ml-pipeline-ui") {
                        out.push(c);
                    }
                }
            }
        }
        out
    }

    /// A canonical rendering of node `id`, with the `env` key of every mapping
    /// in `masked` left out, and `results` left out of the top level of
    /// ResourceList documents. Aliases are expanded (bounded by `budget`).
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
            Node::Map(v) => {
                out.push('{');
                for &(k, val) in v {
                    if masked.contains(&id) && self.scalar(k) == Some("env") {
                        continue;
                    }
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

    fn canon_doc(
        &self,
        d: usize,
        masked: &HashSet<usize>,
        budget: &mut usize,
    ) -> Result<String, String> {
        let mut out = String::new();
        let is_list = self.get(d, "kind").and_then(|k| self.scalar(k)) == Some("ResourceList");
        if let (true, Node::Map(v)) = (is_list, &self.nodes[d]) {
            out.push('{');
            for &(k, val) in v {
                if self.scalar(k) == Some("results") {
                    continue;
                }
                self.canon(k, masked, 1, budget, &mut out)?;
                out.push(':');
                self.canon(val, masked, 1, budget, &mut out)?;
                out.push(',');
            }
            out.push('}');
        } else {
            self.canon(d, masked, 0, budget, &mut out)?;
        }
        Ok(out)
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
    nothing_else_changed(&tin, &tout)
}

fn nothing_else_changed(tin: &Tree, tout: &Tree) -> Result<Semantics, String> {
    if tin.docs.len() != tout.docs.len() {
        return Err(format!(
            "the number of documents changed: {} -> {}",
            tin.docs.len(),
            tout.docs.len()
        ));
    }
    let min: HashSet<usize> = tin.target_containers().into_iter().collect();
    let mout: HashSet<usize> = tout.target_containers().into_iter().collect();
    let mut bin = 200_000;
    let mut bout = 200_000;
    for (i, (&a, &b)) in tin.docs.iter().zip(&tout.docs).enumerate() {
        let ca = match tin.canon_doc(a, &min, &mut bin) {
            Ok(c) => c,
            Err(e) => return Ok(Semantics::Skipped(e)),
        };
        let cb = tout.canon_doc(b, &mout, &mut bout)?;
        if ca != cb {
            return Err(format!(
                "document {i} changed outside the targeted env lists:\n  before: {}\n  after:  {}",
                shorten(&ca),
                shorten(&cb)
            ));
        }
        results_appended(tin, a, tout, b, &mut bin, &mut bout)
            .map_err(|e| format!("document {i}: {e}"))?;
    }
    Ok(Semantics::Checked)
}

/// A ResourceList's `results` after the run: the input's results (if any), unchanged, then at
/// least one new result with a message and a severity.
fn results_appended(
    tin: &Tree,
    a: usize,
    tout: &Tree,
    b: usize,
    bin: &mut usize,
    bout: &mut usize,
) -> Result<(), String> {
    if tin.get(a, "kind").and_then(|k| tin.scalar(k)) != Some("ResourceList") {
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
    for &r in &new[old.len()..] {
        let message = tout.get(r, "message").and_then(|m| tout.scalar(m));
        let severity = tout.get(r, "severity").and_then(|m| tout.scalar(m));
        if message.is_none_or(str::is_empty)
            || !matches!(severity, Some("info" | "warning" | "error"))
        {
            return Err(format!(
                "a new result lacks a message or severity: {message:?} {severity:?}"
            ));
        }
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

pub const VAR: &str = "DISABLE_GKE_METADATA";

fn entry_is_var(t: &Tree, e: usize) -> bool {
    t.get(e, "name").and_then(|n| t.scalar(n)) == Some(VAR)
}

fn env_entries(t: &Tree, container: usize) -> Result<Vec<usize>, String> {
    match t.get(container, "env") {
        None => Ok(Vec::new()),
        Some(env) => match &t.nodes[env] {
            Node::Seq(v) => Ok(v.clone()),
            Node::Scalar { value, style, .. }
                if value.is_empty()
                    || (*style == ScalarStyle::Plain
                        && (value == "~"
                            || value == "null"
                            || value == "Null"
                            || value == "NULL")) =>
            {
                Ok(Vec::new())
            }
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

// ---------------------------------------------------------------------------
// Whole checks, as run by the fuzz targets and the regression tests.
// ---------------------------------------------------------------------------

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
fn has_custom_targets(input: &str) -> bool {
    let Ok(t) = Tree::parse(input) else {
        return true;
    };
    for &d in &t.docs {
        if let Some(fc) = t.get(d, "functionConfig") {
            if t.get(fc, "spec").is_some() {
                return true;
            }
            if let Some(Node::Map(entries)) = t.get(fc, "data").map(|x| &t.nodes[x]) {
                if entries
                    .iter()
                    .any(|(k, _)| !matches!(t.scalar(*k), Some("value") | Some("policy")))
                {
                    return true;
                }
            }
        }
    }
    false
}

/// The whole-path properties for one input (and optional config).
// `Options` may have hidden fields: assign rather than use struct update.
#[allow(clippy::field_reassign_with_default)]
pub fn check_whole(input: &[u8], config: Option<&[u8]>) -> Result<(), String> {
    let mut options = Options::default();
    options.config = config.map(|c| c.to_vec());
    let outcome = run(input, &options);
    if let Err(e) = check_outcome(input, &outcome) {
        return Err(format!(
            "property violated: {e}\ninput: {}\nconfig: {}\nexit: {}\nstderr: {}",
            show(input),
            config.map(show).unwrap_or_else(|| "none".into()),
            outcome.exit_code,
            outcome.stderr
        ));
    }
    if outcome.exit_code == 0 && config.is_none() {
        let inp = std::str::from_utf8(input).map_err(|e| e.to_string())?;
        if has_custom_targets(inp) {
            return Ok(());
        }
        let out = outcome.output(input);
        let out = std::str::from_utf8(&out).map_err(|e| e.to_string())?;
        if let Err(e) = check_nothing_else_changed(inp, out) {
            return Err(format!(
                "exit 0 but {e}\ninput: {}\noutput: {}",
                show(input),
                show(out.as_bytes())
            ));
        }
    }
    Ok(())
}

/// The structure-aware properties for one generated document.
pub fn check_structured(text: &str, expect_success: bool) -> Result<(), String> {
    let tin = Tree::parse(text)
        .map_err(|e| format!("generator bug: the generated input does not parse ({e}):\n{text}"))?;
    let input = text.as_bytes();
    let outcome = run(input, &Options::default());
    if let Err(e) = check_outcome(input, &outcome) {
        return Err(format!(
            "property violated: {e}\nexit: {}\nstderr: {}\ninput:\n{text}",
            outcome.exit_code, outcome.stderr
        ));
    }
    if outcome.exit_code != 0 {
        if expect_success {
            return Err(format!(
                "refused a layout it must handle (exit {}): {}\ninput:\n{text}",
                outcome.exit_code, outcome.stderr
            ));
        }
        return Ok(());
    }
    let out = outcome.output(input);
    let out = std::str::from_utf8(&out).map_err(|e| e.to_string())?;
    let tout =
        Tree::parse(out).map_err(|e| format!("exit 0 but the output does not parse: {e}"))?;
    match nothing_else_changed(&tin, &tout) {
        Ok(Semantics::Checked) => {}
        Ok(Semantics::Skipped(why)) => {
            return Err(format!("checker could not compare ({why}):\n{text}"))
        }
        Err(e) => return Err(format!("exit 0 but {e}\ninput:\n{text}\noutput:\n{out}")),
    }
    if let Err(e) = default_edit(&tin, &tout) {
        return Err(format!(
            "exit 0 but the edit is wrong: {e}\ninput:\n{text}\noutput:\n{out}\nstderr: {}",
            outcome.stderr
        ));
    }
    Ok(())
}
