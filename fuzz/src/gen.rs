//! Structure-aware generator: ResourceLists (and Lists and plain streams)
//! holding ml-pipeline-ui Deployments whose env lists come in many layouts.
//! The text is rendered here, by hand, so that every layout a person could
//! write can be produced: block and flow, any indentation, wide and compact
//! sequences, comments, anchors and aliases, block scalars, CRLF.

use arbitrary::{Arbitrary, Result, Unstructured};

#[derive(Debug, Arbitrary)]
pub struct Doc {
    pub wrapper: Wrapper,
    pub crlf: bool,
    pub final_newline: bool,
    pub fn_config: FnConfig,
    pub top: Layout,
    /// Always rendered, as the ml-pipeline-ui Deployment with its
    /// ml-pipeline-ui container first, at position `main_at` among `items`.
    pub main: Item,
    pub main_at: u8,
    pub items: Vec<Item>,
    pub leading_comment: bool,
    /// Results an earlier function left in a ResourceList, and where.
    pub prior_results: PriorResults,
    pub prior_results_first: bool,
}

#[derive(Debug, Arbitrary, Clone, Copy)]
pub enum PriorResults {
    None,
    Block,
    FlowEmpty,
    Flow,
    Empty,
    NullComment,
}

fn render_prior_results(w: &mut W, r: PriorResults, top: Layout) {
    match r {
        PriorResults::None => {}
        PriorResults::Block => {
            w.line(0, "results:");
            w.line(top.seq(), &format!("-{}message: earlier", sp(top.gap())));
            w.line(top.seq() + 1 + top.gap(), "severity: info");
        }
        PriorResults::FlowEmpty => w.line(0, "results: []"),
        PriorResults::Flow => w.line(0, "results: [{message: earlier, severity: warning}]"),
        PriorResults::Empty => w.line(0, "results:"),
        PriorResults::NullComment => w.line(0, "results: ~   # none yet"),
    }
}

#[derive(Debug, Arbitrary, Clone, Copy, PartialEq)]
pub enum Wrapper {
    ResourceListV1,
    ResourceListV1Beta1,
    List,
    Stream,
    StreamLeadingSeparator,
}

#[derive(Debug, Arbitrary, Clone, Copy)]
pub enum FnConfig {
    None,
    EmptyConfigMap,
    ConfigMapDefaults,
    FlowConfigMapDefaults,
}

/// Indentation of one subtree.
#[derive(Debug, Arbitrary, Clone, Copy)]
pub struct Layout {
    /// Mapping indentation step, 1..=6.
    map: u8,
    /// Sequence offset relative to the parent key: 0 (compact) ..= 6.
    seq: u8,
    /// Spaces after `-`, 1..=3.
    gap: u8,
}

impl Layout {
    fn map(&self) -> usize {
        1 + (self.map as usize % 6)
    }
    fn seq(&self) -> usize {
        self.seq as usize % 7
    }
    fn gap(&self) -> usize {
        1 + (self.gap as usize % 3)
    }
}

#[derive(Debug, Arbitrary)]
pub struct Item {
    pub kind: ItemKind,
    pub name: ObjName,
    pub namespace: Option<bool>,
    pub layout: Layout,
    pub comment_in_metadata: bool,
    pub kind_quoted: bool,
    pub containers: Vec<Container>,
    pub init_containers: Option<Vec<Container>>,
}

#[derive(Debug, Arbitrary, Clone, Copy, PartialEq)]
pub enum ItemKind {
    Deployment,
    StatefulSet,
    ConfigMap,
}

#[derive(Debug, Arbitrary, Clone, Copy, PartialEq)]
pub enum ObjName {
    Ui,
    Other,
}

#[derive(Debug, Arbitrary)]
pub struct Container {
    pub name: CName,
    pub env: Env,
    pub env_position: EnvPos,
    pub comment_after_env: bool,
    pub layout: Layout,
    /// Anchored when `% 8 == 0`.
    pub anchored: u8,
}

#[derive(Debug, Arbitrary, Clone, Copy, PartialEq)]
pub enum CName {
    Ui,
    Sidecar,
    UiQuoted,
}

#[derive(Debug, Arbitrary, Clone, Copy)]
pub enum EnvPos {
    First,
    AfterName,
    Last,
}

#[derive(Debug, Arbitrary)]
pub enum Env {
    Missing,
    NullEmpty,
    NullTilde,
    NullWord,
    EmptyFlow,
    EmptyFlowComment,
    Block(Vec<Entry>, BlockOpts),
    Flow(Vec<Entry>, FlowOpts),
    /// `env: *name` pointing at an anchored env list defined earlier in the
    /// same document (a sidecar's).
    Alias,
    /// `env: ~ # ...`: the comment must stay on env's line.
    NullTildeComment,
    /// `env: # ...`, an empty null with a comment.
    NullEmptyComment,
}

#[derive(Debug, Arbitrary, Clone, Copy)]
pub struct BlockOpts {
    pub comment_between: bool,
    pub comment_after: bool,
    pub blank_lines: bool,
    pub anchor_list: u8,
    pub header_comment: bool,
}

#[derive(Debug, Arbitrary, Clone, Copy)]
pub struct FlowOpts {
    pub multiline: bool,
    pub comments: bool,
    pub trailing_comma: bool,
    pub spaces: bool,
}

#[derive(Debug, Arbitrary)]
pub struct Entry {
    pub name: EName,
    pub name_style: Quote,
    pub value: Value,
    pub name_after_value: bool,
    pub flow_entry: bool,
    pub comment_after_name: bool,
    pub comment_after_value: bool,
    pub anchor_entry: u8,
}

#[derive(Debug, Arbitrary, Clone, Copy, PartialEq)]
pub enum EName {
    Var,
    Other(u8),
}

#[derive(Debug, Arbitrary, Clone, Copy)]
pub enum Quote {
    Plain,
    Single,
    Double,
}

#[derive(Debug, Arbitrary, Clone)]
pub enum Value {
    Missing,
    Empty,
    Null,
    Plain(Word),
    Single(Word),
    Double(Word),
    Block {
        folded: bool,
        chomp: Chomp,
        word: Word,
        extra_lines: u8,
        indicator: bool,
        blank_tail: bool,
    },
    ValueFrom {
        field: bool,
        flow: bool,
    },
    Anchored(Word),
    Alias,
    /// `!!str word`: a string whatever the word looks like.
    StrTagged(Word),
    /// `!local "word"`: a tag the function does not know.
    LocalTagged(Word),
}

#[derive(Debug, Arbitrary, Clone, Copy)]
pub enum Chomp {
    Clip,
    Strip,
    Keep,
}

#[derive(Debug, Arbitrary, Clone, Copy)]
pub enum Word {
    True,
    False,
    Yes,
    One,
    Empty,
    TrueCaps,
    Spaced,
    Hash,
    Unicode,
}

impl Word {
    fn text(self) -> &'static str {
        match self {
            Word::True => "true",
            Word::False => "false",
            Word::Yes => "yes",
            Word::One => "1",
            Word::Empty => "",
            Word::TrueCaps => "TRUE",
            Word::Spaced => "a b",
            Word::Hash => "x#y",
            Word::Unicode => "é✓",
        }
    }
}

/// The rendered text, and whether the default configuration must succeed on
/// it (nothing in it that the function may legitimately refuse).
pub struct Rendered {
    pub text: String,
    pub expect_success: bool,
}

struct W {
    s: String,
    anchors: usize,
    /// Anchors usable by `*name` in the current document.
    doc_anchors: Vec<String>,
    env_list_anchors: Vec<String>,
    /// Something in a target container that the function may refuse:
    /// an alias/anchor in or on a target env.
    risky: bool,
}

fn sp(n: usize) -> String {
    " ".repeat(n)
}

impl W {
    fn line(&mut self, col: usize, text: &str) {
        self.s.push_str(&sp(col));
        self.s.push_str(text);
        self.s.push('\n');
    }
    fn new_anchor(&mut self, prefix: &str) -> String {
        self.anchors += 1;
        let a = format!("{prefix}{}", self.anchors);
        self.doc_anchors.push(a.clone());
        a
    }
}

fn quote(q: Quote, s: &str) -> String {
    match q {
        Quote::Plain => s.to_string(),
        Quote::Single => format!("'{s}'"),
        Quote::Double => format!("\"{s}\""),
    }
}

fn entry_name(e: &Entry) -> String {
    match e.name {
        EName::Var => "DISABLE_GKE_METADATA".to_string(),
        EName::Other(n) => format!("VAR_{}", n % 8),
    }
}

/// A scalar usable inline (flow or block) for `w` as a quoted string.
fn dq(w: Word) -> String {
    format!("\"{}\"", w.text())
}

fn plain_ok(w: Word) -> String {
    match w {
        // Plain scalars that would not parse or would change meaning: quote them.
        Word::Empty => "''".into(),
        Word::Hash => "x#y".into(),
        _ => w.text().into(),
    }
}

impl Doc {
    pub fn render(&self) -> Rendered {
        let mut w = W {
            s: String::new(),
            anchors: 0,
            doc_anchors: Vec::new(),
            env_list_anchors: Vec::new(),
            risky: false,
        };
        if self.leading_comment {
            w.line(0, "# generated by the structured fuzz target");
        }
        let mut items: Vec<(&Item, bool)> = self.items.iter().take(3).map(|i| (i, false)).collect();
        let at = self.main_at as usize % (items.len() + 1);
        items.insert(at, (&self.main, true));
        match self.wrapper {
            Wrapper::ResourceListV1 | Wrapper::ResourceListV1Beta1 | Wrapper::List => {
                let (api, kind) = match self.wrapper {
                    Wrapper::ResourceListV1 => ("config.kubernetes.io/v1", "ResourceList"),
                    Wrapper::ResourceListV1Beta1 => {
                        ("config.kubernetes.io/v1beta1", "ResourceList")
                    }
                    _ => ("v1", "List"),
                };
                w.line(0, &format!("apiVersion: {api}"));
                w.line(0, &format!("kind: {kind}"));
                let rl = self.wrapper != Wrapper::List;
                if rl && self.prior_results_first {
                    render_prior_results(&mut w, self.prior_results, self.top);
                }
                if items.is_empty() {
                    w.line(0, "items: []");
                } else {
                    w.line(0, "items:");
                    let col = self.top.seq();
                    for &(it, force) in &items {
                        let dash = format!("-{}", sp(self.top.gap()));
                        w.s.push_str(&sp(col));
                        w.s.push_str(&dash);
                        render_item(&mut w, it, col + dash.len(), force);
                    }
                }
                if rl {
                    render_fn_config(&mut w, self.fn_config, self.top);
                    if !self.prior_results_first {
                        render_prior_results(&mut w, self.prior_results, self.top);
                    }
                }
            }
            Wrapper::Stream | Wrapper::StreamLeadingSeparator => {
                if items.is_empty() {
                    // An empty stream is refused; keep one object.
                    w.line(0, "apiVersion: v1");
                    w.line(0, "kind: ConfigMap");
                    w.line(0, "metadata:");
                    w.line(2, "name: x");
                }
                for (i, &(it, force)) in items.iter().enumerate() {
                    if i > 0 || self.wrapper == Wrapper::StreamLeadingSeparator {
                        w.line(0, "---");
                    }
                    w.doc_anchors.clear();
                    w.env_list_anchors.clear();
                    render_item(&mut w, it, 0, force);
                }
            }
        }
        let mut text = w.s;
        if !self.final_newline {
            // Drop the final line break, unless that would end a block scalar
            // or a comment in a way that changes nothing anyway.
            text.pop();
        }
        if self.crlf {
            text = text.replace('\n', "\r\n");
        }
        Rendered {
            text,
            expect_success: !w.risky,
        }
    }
}

fn render_fn_config(w: &mut W, c: FnConfig, top: Layout) {
    let m = top.map();
    match c {
        FnConfig::None => {}
        FnConfig::EmptyConfigMap => {
            w.line(0, "functionConfig:");
            w.line(m, "apiVersion: v1");
            w.line(m, "kind: ConfigMap");
            w.line(m, "metadata:");
            w.line(2 * m, "name: function-input");
            w.line(2 * m, "annotations:");
            w.line(3 * m, "config.kubernetes.io/local-config: \"true\"");
        }
        FnConfig::ConfigMapDefaults => {
            w.line(0, "functionConfig:");
            w.line(m, "apiVersion: v1");
            w.line(m, "kind: ConfigMap");
            w.line(m, "metadata:");
            w.line(2 * m, "name: function-input");
            w.line(m, "data:");
            w.line(2 * m, "value: \"true\"");
            w.line(2 * m, "policy: override");
        }
        FnConfig::FlowConfigMapDefaults => {
            w.line(0, "functionConfig:");
            w.line(m, "apiVersion: v1");
            w.line(m, "kind: ConfigMap");
            w.line(m, "metadata:");
            w.line(2 * m, "name: function-input");
            w.line(m, "data: {policy: override, value: 'true'}");
        }
    }
}

/// Renders an object mapping whose first key goes at the current position
/// (already indented to `col`).
fn render_item(w: &mut W, it: &Item, col: usize, force: bool) {
    w.doc_anchors.clear();
    w.env_list_anchors.clear();
    let m = it.layout.map();
    let kind = if force { ItemKind::Deployment } else { it.kind };
    let (api, kind_s) = match kind {
        ItemKind::Deployment => ("apps/v1", "Deployment"),
        ItemKind::StatefulSet => ("apps/v1", "StatefulSet"),
        ItemKind::ConfigMap => ("v1", "ConfigMap"),
    };
    let name = match if force { ObjName::Ui } else { it.name } {
        ObjName::Ui => "ml-pipeline-ui",
        ObjName::Other => "ml-pipeline",
    };
    let is_target_obj = force || (it.kind == ItemKind::Deployment && it.name == ObjName::Ui);
    w.s.push_str(&format!("apiVersion: {api}\n"));
    w.line(
        col,
        &format!(
            "kind: {}",
            if it.kind_quoted {
                format!("\"{kind_s}\"")
            } else {
                kind_s.to_string()
            }
        ),
    );
    w.line(col, "metadata:");
    w.line(col + m, &format!("name: {name}"));
    if let Some(q) = it.namespace {
        w.line(
            col + m,
            &format!("namespace: {}", if q { "'kubeflow'" } else { "kubeflow" }),
        );
    }
    if it.comment_in_metadata {
        w.line(col + m, "# a comment inside metadata");
        w.line(col + m, "labels: {app: ml-pipeline-ui}");
    }
    if kind == ItemKind::ConfigMap {
        w.line(col, "data:");
        w.line(col + m, "DISABLE_GKE_METADATA: \"false\"");
        return;
    }
    w.line(col, "spec:");
    w.line(col + m, "replicas: 1");
    w.line(col + m, "template:");
    w.line(col + 2 * m, "spec:");
    let c0 = col + 3 * m;
    // Containers: anchored sidecar env lists come first so that `env: *x`
    // in a later container can refer to them.
    if let Some(init) = &it.init_containers {
        render_containers(w, "initContainers", init, c0, it.layout, false, false);
    }
    render_containers(
        w,
        "containers",
        &it.containers,
        c0,
        it.layout,
        is_target_obj,
        force,
    );
    w.line(c0, "serviceAccountName: ml-pipeline-ui");
}

fn render_containers(
    w: &mut W,
    key: &str,
    cs: &[Container],
    col: usize,
    lay: Layout,
    target_obj: bool,
    force: bool,
) {
    let cs: Vec<&Container> = cs.iter().take(3).collect();
    if cs.is_empty() && force {
        w.line(col, "containers:");
        w.line(col, "- name: ml-pipeline-ui");
        w.line(col, "  image: gcr.io/ml-pipeline/frontend:2.5.0");
        return;
    }
    if cs.is_empty() {
        w.line(col, &format!("{key}: []"));
        return;
    }
    w.line(col, &format!("{key}:"));
    let dcol = col + lay.seq();
    let mut targets_here = 0;
    for (ci, c) in cs.into_iter().enumerate() {
        let cname_kind = if force && ci == 0 && c.name == CName::Sidecar {
            CName::Ui
        } else {
            c.name
        };
        let gap = lay.gap();
        let ccol = dcol + 1 + gap;
        let is_target = target_obj && key == "containers" && cname_kind != CName::Sidecar;
        let cname = match cname_kind {
            CName::Ui => "ml-pipeline-ui".to_string(),
            CName::UiQuoted => "\"ml-pipeline-ui\"".to_string(),
            CName::Sidecar => "sidecar".to_string(),
        };
        // In an initContainers list, a container named ml-pipeline-ui is not a target.
        let cname = if key == "initContainers" && cname_kind != CName::Sidecar {
            "init".to_string()
        } else {
            cname
        };
        let mut lines_first = true;
        if c.anchored.is_multiple_of(8) {
            // `- &c1` followed by the mapping on the next lines.
            let a = w.new_anchor("c");
            w.s.push_str(&sp(dcol));
            w.s.push('-');
            w.s.push_str(&sp(gap));
            w.s.push_str(&format!("&{a}\n"));
            lines_first = false;
            if is_target {
                w.risky = true;
            }
        }
        if is_target {
            targets_here += 1;
            if targets_here > 1 {
                // Two containers with one name: Kubernetes refuses that, so may the function.
                w.risky = true;
            }
        }
        let mut emit = |w: &mut W, text: &str| {
            if lines_first {
                w.s.push_str(&sp(dcol));
                w.s.push('-');
                w.s.push_str(&sp(gap));
                w.s.push_str(text);
                w.s.push('\n');
                lines_first = false;
            } else {
                w.line(ccol, text);
            }
        };
        let name_line = format!("name: {cname}");
        match c.env_position {
            EnvPos::First => {
                render_env_key(w, c, ccol, &mut emit, is_target);
                emit(w, &name_line);
                emit(w, "image: gcr.io/ml-pipeline/frontend:2.5.0");
            }
            EnvPos::AfterName => {
                emit(w, &name_line);
                render_env_key(w, c, ccol, &mut emit, is_target);
                emit(w, "image: gcr.io/ml-pipeline/frontend:2.5.0");
            }
            EnvPos::Last => {
                emit(w, &name_line);
                emit(w, "image: gcr.io/ml-pipeline/frontend:2.5.0");
                render_env_key(w, c, ccol, &mut emit, is_target);
            }
        }
        if c.comment_after_env {
            w.line(ccol, "# after the container");
        }
    }
}

/// Emits `env: ...` (or nothing) for a container whose keys are at `ccol`.
fn render_env_key(
    w: &mut W,
    c: &Container,
    ccol: usize,
    emit: &mut dyn FnMut(&mut W, &str),
    is_target: bool,
) {
    let lay = c.layout;
    match &c.env {
        Env::Missing => {}
        Env::NullEmpty => emit(w, "env:"),
        Env::NullTilde => emit(w, "env: ~"),
        Env::NullWord => emit(w, "env: null"),
        Env::NullTildeComment => emit(w, "env: ~   # set by an overlay"),
        Env::NullEmptyComment => emit(w, "env: # set by an overlay"),
        Env::EmptyFlow => emit(w, "env: []"),
        Env::EmptyFlowComment => emit(w, "env: [] # none yet"),
        Env::Alias => {
            if let Some(a) = w.env_list_anchors.last().cloned() {
                emit(w, &format!("env: *{a}"));
                if is_target {
                    w.risky = true;
                }
            } else {
                emit(w, "env: []");
            }
        }
        Env::Block(entries, o) => {
            let entries: Vec<&Entry> = entries.iter().take(5).collect();
            if entries.is_empty() {
                emit(w, "env: []");
                return;
            }
            let mut head = "env:".to_string();
            if o.anchor_list.is_multiple_of(6) {
                let a = w.new_anchor("env");
                w.env_list_anchors.push(a.clone());
                head.push_str(&format!(" &{a}"));
                if is_target {
                    w.risky = true;
                }
            }
            if o.header_comment {
                head.push_str(" # the env list");
            }
            emit(w, &head);
            let dcol = ccol + lay.seq();
            for (i, e) in entries.iter().enumerate() {
                if o.comment_between && i > 0 {
                    w.line(dcol, &format!("# before entry {i}"));
                }
                if o.blank_lines && i > 0 {
                    w.s.push('\n');
                }
                render_block_entry(w, e, dcol, lay.gap(), is_target);
            }
            if o.comment_after {
                w.line(dcol, "# after the last entry");
            }
        }
        Env::Flow(entries, o) => {
            let entries: Vec<&Entry> = entries.iter().take(5).collect();
            let parts: Vec<String> = entries
                .iter()
                .map(|e| flow_entry(w, e, is_target))
                .collect();
            if !o.multiline || parts.is_empty() {
                let sep = if o.spaces { ", " } else { "," };
                let mut body = parts.join(sep);
                if o.trailing_comma && !parts.is_empty() {
                    body.push(',');
                }
                emit(w, &format!("env: [{body}]"));
            } else {
                emit(w, "env: [");
                let icol = ccol + lay.map();
                let n = parts.len();
                for (i, p) in parts.iter().enumerate() {
                    let comma = if i + 1 < n || o.trailing_comma {
                        ","
                    } else {
                        ""
                    };
                    let comment = if o.comments {
                        format!(" # entry {i}")
                    } else {
                        String::new()
                    };
                    w.line(icol, &format!("{p}{comma}{comment}"));
                }
                w.line(ccol + 1, "]");
            }
        }
    }
}

fn value_inline(w: &mut W, v: &Value, is_target: bool, flow: bool) -> Option<String> {
    Some(match v {
        Value::Missing => return None,
        Value::Empty => String::new(),
        Value::Null => "null".into(),
        Value::Plain(x) => plain_ok(*x),
        Value::Single(x) => format!("'{}'", x.text()),
        Value::Double(x) => dq(*x),
        Value::StrTagged(x) => format!("!!str {}", plain_ok(*x)),
        Value::LocalTagged(x) => format!("!local {}", dq(*x)),
        Value::Block { word, .. } => dq(*word),
        Value::ValueFrom { field, .. } => {
            if *field {
                "{fieldRef: {fieldPath: metadata.namespace}}".into()
            } else {
                "{configMapKeyRef: {name: cfg, key: k}}".into()
            }
        }
        Value::Anchored(x) => {
            let a = w.new_anchor("v");
            if is_target {
                w.risky = true;
            }
            format!("&{a} {}", dq(*x))
        }
        Value::Alias => {
            // Alias the most recent scalar anchor, if any.
            match w
                .doc_anchors
                .iter()
                .rev()
                .find(|a| a.starts_with('v'))
                .cloned()
            {
                Some(a) => {
                    if is_target {
                        w.risky = true;
                    }
                    if flow {
                        format!("*{a} ")
                    } else {
                        format!("*{a}")
                    }
                }
                None => "\"no-anchor\"".into(),
            }
        }
    })
}

fn value_key(v: &Value) -> &'static str {
    match v {
        Value::ValueFrom { .. } => "valueFrom",
        _ => "value",
    }
}

fn flow_entry(w: &mut W, e: &Entry, is_target: bool) -> String {
    let name = format!("name: {}", quote(e.name_style, &entry_name(e)));
    let mut parts = vec![name];
    if let Some(v) = value_inline(w, &e.value, is_target, true) {
        let p = if v.is_empty() {
            value_key(&e.value).to_string() + ": "
        } else {
            format!("{}: {v}", value_key(&e.value))
        };
        if e.name_after_value {
            parts.insert(0, p);
        } else {
            parts.push(p);
        }
    }
    let mut s = format!("{{{}}}", parts.join(", "));
    if e.anchor_entry.is_multiple_of(8) {
        let a = w.new_anchor("e");
        if is_target {
            w.risky = true;
        }
        s = format!("&{a} {s}");
    }
    s
}

fn render_block_entry(w: &mut W, e: &Entry, dcol: usize, gap: usize, is_target: bool) {
    let kcol = dcol + 1 + gap;
    let mut first = true;
    let mut prefix = format!("{}-{}", sp(dcol), sp(gap));
    if e.anchor_entry.is_multiple_of(8) && !e.flow_entry {
        let a = w.new_anchor("e");
        if is_target {
            w.risky = true;
        }
        // `- &e1` then the mapping on the following lines.
        w.s.push_str(&prefix);
        w.s.push_str(&format!("&{a}\n"));
        first = false;
    }
    if e.flow_entry {
        let f = flow_entry(w, e, is_target);
        if first {
            w.s.push_str(&prefix);
            w.s.push_str(&f);
            w.s.push('\n');
        } else {
            w.line(kcol, &f);
        }
        return;
    }
    let mut put = |w: &mut W, text: &str| {
        if first {
            w.s.push_str(&prefix);
            w.s.push_str(text);
            w.s.push('\n');
            first = false;
            prefix.clear();
        } else {
            w.line(kcol, text);
        }
    };
    let name_line = format!(
        "name: {}{}",
        quote(e.name_style, &entry_name(e)),
        if e.comment_after_name {
            "   # the name"
        } else {
            ""
        }
    );
    if !e.name_after_value {
        put(w, &name_line);
    }
    let vc = if e.comment_after_value {
        " # the value"
    } else {
        ""
    };
    match &e.value {
        Value::Missing => {}
        Value::Block {
            folded,
            chomp,
            word,
            extra_lines,
            indicator,
            blank_tail,
        } => {
            let ind = if *folded { ">" } else { "|" };
            let ch = match chomp {
                Chomp::Clip => "",
                Chomp::Strip => "-",
                Chomp::Keep => "+",
            };
            let ii = if *indicator { "2" } else { "" };
            put(w, &format!("value: {ind}{ii}{ch}{vc}"));
            let bcol = kcol + 2;
            if word.text().is_empty() && *extra_lines == 0 {
                // An empty block scalar: nothing below the header.
            } else {
                w.line(bcol, word.text());
            }
            for i in 0..(*extra_lines % 3) {
                w.line(bcol, &format!("more line {i}"));
            }
            if *blank_tail {
                w.s.push('\n');
            }
        }
        Value::ValueFrom { field, flow } => {
            if *flow {
                let v = value_inline(w, &e.value, is_target, false).unwrap_or_default();
                put(w, &format!("valueFrom: {v}{vc}"));
            } else {
                put(w, &format!("valueFrom:{vc}"));
                if *field {
                    w.line(kcol + 2, "fieldRef:");
                    w.line(kcol + 4, "fieldPath: metadata.namespace");
                } else {
                    w.line(kcol + 2, "configMapKeyRef:");
                    w.line(kcol + 4, "name: cfg");
                    w.line(kcol + 4, "key: k");
                }
            }
        }
        v => {
            let s = value_inline(w, v, is_target, false).unwrap_or_default();
            if s.is_empty() {
                put(w, &format!("value:{vc}"));
            } else {
                put(w, &format!("value: {s}{vc}"));
            }
        }
    }
    if e.name_after_value {
        put(w, &name_line);
    }
}

/// Builds a document from fuzz bytes.
pub fn generate(u: &mut Unstructured<'_>) -> Result<Rendered> {
    let doc = Doc::arbitrary(u)?;
    Ok(doc.render())
}
