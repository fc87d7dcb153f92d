//! Structure-aware generator: ResourceLists (and Lists and plain streams)
//! holding ml-pipeline-ui Deployments whose env lists come in many layouts.
//! The text is rendered here, by hand, so that every layout a person could
//! write can be produced: block and flow, any indentation, wide and compact
//! sequences, comments, anchors and aliases, block scalars, CRLF.
//!
//! Third round (issue 9): JSON lists (pretty and minified); `%YAML`
//! directives, `---`/`...` before and after the list; a BOM; tabs where YAML
//! 1.1 and 1.2 readers both allow them (in flow context, before comments, after
//! scalars); explicit keys (`? env`, `? value`); merge keys in metadata,
//! containers and env entries; anchors on the pod template, the object spec,
//! `containers`, a container, `env` or a whole item, aliased by other targets
//! or by non-targets, in either order; quoted, escaped (`"\x65nv"`) and tagged
//! (`!!str env`) keys; NEL/LS/PS in comments and scalars; multi-line plain
//! scalars; many targets; lists whose last item ends in a null value
//! (`emptyDir:`), a flow item (`- {}`), a block scalar or a comment.
//!
//! `Rendered::expect_success` is the generator's word that the layout is valid
//! and unambiguous. The checker (`props.rs`) adds the reasons it can see for
//! itself (shared anchors, NEL/LS/PS near an edit, merge keys in a target
//! container, duplicate keys); a refusal with no reason is a finding.

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
    /// `% 8`: 6 pretty JSON, 7 minified JSON, else YAML. (Fields are chosen so that
    /// 0, what `arbitrary` gives when the bytes run out, is the plain case.)
    pub syntax: u8,
    pub frame: Frame,
    /// How the last item ends.
    pub tail: Tail,
    /// `% 4`: 2 a comment at column 0 after the last item, 3 one at the
    /// item's column, else none.
    pub trailing_comment: u8,
    pub sharing: Sharing,
    /// More ml-pipeline-ui Deployments: `% 4` of them, or many (up to 96)
    /// from 240 up.
    pub extra_targets: u8,
    pub meta_merge: MetaMerge,
    pub breaks: Option<Breaks>,
    /// Bits: 1 tabs in flow context, 2 a tab before comments, 4 trailing tabs
    /// after plain scalars, 8 a tab after the indentation of flow lines.
    pub tabs: u8,
    /// Gates that keep each feature of the third round to about one document
    /// in three (`% 3 == 1`), so that one feature today's engine fails on does
    /// not hide the others: merge keys in metadata, end markers, sharing,
    /// NEL/LS/PS, explicit keys, directives.
    pub gates: [u8; 6],
}

impl Doc {
    fn gate(&self, i: usize) -> bool {
        self.gates[i] % 3 == 1
    }
    fn meta_merge(&self) -> MetaMerge {
        if self.gate(0) {
            self.meta_merge
        } else {
            MetaMerge::None
        }
    }
    fn end_marker(&self) -> EndMarker {
        if self.gate(1) {
            self.frame.end
        } else {
            EndMarker::None
        }
    }
    fn sharing(&self) -> Sharing {
        if self.gate(2) {
            self.sharing
        } else {
            Sharing::None
        }
    }
    fn directive(&self) -> Directive {
        if self.gate(5) {
            self.frame.directive
        } else {
            Directive::None
        }
    }
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

/// What surrounds the document(s).
#[derive(Debug, Arbitrary, Clone, Copy)]
pub struct Frame {
    /// A byte order mark when `% 6 == 5`.
    pub bom: u8,
    pub directive: Directive,
    /// `---` before the first document.
    pub start_marker: bool,
    pub end: EndMarker,
}

#[derive(Debug, Arbitrary, Clone, Copy, PartialEq)]
pub enum Directive {
    None,
    None2,
    None3,
    /// `%YAML 1.1`: what go-yaml accepts.
    Yaml11,
    /// `%YAML 1.2`: go-yaml refuses it, so the function may too.
    Yaml12,
}

#[derive(Debug, Arbitrary, Clone, Copy, PartialEq)]
pub enum EndMarker {
    None,
    None2,
    DocEnd,
    Separator,
    DocEndSeparator,
    SeparatorComment,
    DocEndComment,
}

#[derive(Debug, Arbitrary, Clone, Copy, PartialEq)]
pub enum Tail {
    Plain,
    Plain2,
    /// `volumes: [- name: data, emptyDir:]`, the list compact or indented,
    /// with or without a comment after `emptyDir:`.
    NullValue {
        compact: bool,
        comment: bool,
    },
    /// `tolerations:` then `- {}`.
    FlowItem {
        compact: bool,
    },
    /// `nodeSelector: {}`.
    EmptyFlowMap,
    /// A block scalar last (`|`, `|+` with a blank line after it, `>-`).
    BlockScalar {
        chomp: Chomp,
    },
    /// A comment line inside the last item.
    Comment,
    /// A plain scalar over two lines.
    MultiLinePlain,
}

/// An anchor on a node of the main target, aliased by other objects (or the
/// reverse: the main target aliases another object's node).
#[derive(Debug, Arbitrary, Clone, Copy, PartialEq)]
pub enum Sharing {
    None,
    None2,
    None3,
    Anchor {
        level: Level,
        partner: Partner,
        /// The partner holds the anchor and comes first; the main aliases it.
        reverse: bool,
    },
}

#[derive(Debug, Arbitrary, Clone, Copy, PartialEq)]
pub enum Level {
    Spec,
    Template,
    Containers,
    Container,
    Env,
    Item,
}

#[derive(Debug, Arbitrary, Clone, Copy, PartialEq)]
pub enum Partner {
    /// Another ml-pipeline-ui Deployment (in another namespace): every use is
    /// a target getting the same edit, so the edit must be made.
    Target,
    /// A StatefulSet named ml-pipeline-ui: never a target.
    StatefulSet,
    /// `apiVersion: example.com/v1`, `kind: Deployment`: a custom resource.
    Custom,
}

/// `metadata` of the main target built with a merge key.
#[derive(Debug, Arbitrary, Clone, Copy, PartialEq)]
pub enum MetaMerge {
    None,
    None2,
    None3,
    /// `<<: *m` from a Service named ml-pipeline-ui before it.
    Service,
    /// `<<: [*a, *b]`: the first source that has `name` wins.
    Seq {
        ui_first: bool,
    },
    /// `<<: {name: ml-pipeline-ui, ...}`, inline.
    Inline,
    /// As `Service`, and another Deployment merges the same metadata but
    /// overrides `name` (explicit keys win): not a target.
    Override,
}

/// A NEL, LS or PS somewhere.
#[derive(Debug, Arbitrary, Clone, Copy)]
pub struct Breaks {
    pub ch: BreakChar,
    pub place: BreakPlace,
    pub payload: BreakPayload,
}

#[derive(Debug, Arbitrary, Clone, Copy)]
pub enum BreakChar {
    Nel,
    Ls,
    Ps,
}

impl BreakChar {
    fn ch(self) -> char {
        match self {
            BreakChar::Nel => '\u{85}',
            BreakChar::Ls => '\u{2028}',
            BreakChar::Ps => '\u{2029}',
        }
    }
}

#[derive(Debug, Arbitrary, Clone, Copy, PartialEq)]
pub enum BreakPlace {
    /// A comment line inside the target container.
    TargetContainerComment,
    /// A comment line in the target's metadata.
    TargetMetadataComment,
    /// A double-quoted annotation of the target.
    TargetQuoted,
    /// A plain annotation of the target (continued on the next "line" for
    /// YAML 1.1 readers).
    TargetPlain,
    /// A comment at the top of the document (not in any object).
    HeaderComment,
    /// A plain value in a ConfigMap.
    NonTargetPlain,
    /// A comment after the last item, where the results go.
    ListEnd,
}

/// What follows the break on the same YAML 1.2 line.
#[derive(Debug, Arbitrary, Clone, Copy, PartialEq)]
pub enum BreakPayload {
    /// ` more words`.
    Text,
    /// `# still a comment`, at the comment's column.
    Comment,
    /// `env: []` at the container's key column (a key to YAML 1.1 readers).
    HiddenKey,
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
    /// How `name` in metadata and `containers` are spelled.
    pub name_key: KeyStyle,
    pub containers_key: KeyStyle,
    pub annotation: Annotation,
}

#[derive(Debug, Arbitrary, Clone, Copy, PartialEq)]
pub enum ItemKind {
    Deployment,
    StatefulSet,
    ConfigMap,
    /// `apiVersion: example.com/v1`, `kind: Deployment`.
    CustomDeployment,
}

#[derive(Debug, Arbitrary, Clone, Copy, PartialEq)]
pub enum ObjName {
    Ui,
    Other,
}

#[derive(Debug, Arbitrary, Clone, Copy, PartialEq)]
pub enum Annotation {
    None,
    None2,
    /// `description: first words` continued on the next line (plain).
    MultiLinePlain,
    /// `annotations: {a: "x",\t...}` (flow).
    Flow,
}

/// How a key is spelled: the same key to every reader.
#[derive(Debug, Arbitrary, Clone, Copy, PartialEq)]
pub enum KeyStyle {
    Plain,
    Plain2,
    Plain3,
    Single,
    Double,
    /// The first character as `\xNN` in double quotes.
    Escaped,
    /// `!!str key`.
    Tagged,
    /// `? key` / `: value` (block mappings only; elsewhere plain).
    Explicit,
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
    pub env_key: KeyStyle,
    /// `<<: *c` from an anchored container before it when `% 6 == 5`.
    pub merge: u8,
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
    pub name_key: KeyStyle,
    pub value_key: KeyStyle,
    /// `<<: *e` from an anchored entry before it when `% 6 == 5`.
    pub merge: u8,
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
    /// A plain scalar over two lines (`word` then `more words`).
    MultiLine(Word),
}

#[derive(Debug, Arbitrary, Clone, Copy, PartialEq)]
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
/// it (nothing in it that the function may legitimately refuse, beyond what
/// the checker finds itself).
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
    container_anchors: Vec<String>,
    entry_anchors: Vec<String>,
    /// Something the function may refuse that the checker cannot tell.
    risky: bool,
    /// Written instead of the indentation by the next `line` (a `- ` or the
    /// rest of a line).
    pending: Option<String>,
    tabs: u8,
    breaks: Option<Breaks>,
    breaks_used: bool,
    /// Whether `KeyStyle::Explicit` is written as `? key` (else plain).
    explicit_keys: bool,
}

fn sp(n: usize) -> String {
    " ".repeat(n)
}

impl W {
    fn line(&mut self, col: usize, text: &str) {
        match self.pending.take() {
            Some(p) => self.s.push_str(&p),
            None => self.s.push_str(&sp(col)),
        }
        self.s.push_str(text);
        self.s.push('\n');
    }
    fn new_anchor(&mut self, prefix: &str) -> String {
        self.anchors += 1;
        let a = format!("{prefix}{}", self.anchors);
        self.doc_anchors.push(a.clone());
        a
    }
    fn clear_doc_anchors(&mut self) {
        self.doc_anchors.clear();
        self.env_list_anchors.clear();
        self.container_anchors.clear();
        self.entry_anchors.clear();
    }
    /// Separator before a comment that follows a scalar or a flow collection.
    fn before_comment(&self) -> &'static str {
        if self.tabs & 2 != 0 {
            " \t"
        } else {
            " "
        }
    }
    /// Separator after `[`, `{` or `,` in flow context.
    fn flow_sep(&self, spaces: bool) -> &'static str {
        match (self.tabs & 1 != 0, spaces) {
            (true, _) => "\t",
            (false, true) => " ",
            (false, false) => "",
        }
    }
    /// After a plain scalar at the end of a line.
    fn trailing(&self) -> &'static str {
        if self.tabs & 4 != 0 {
            "\t"
        } else {
            ""
        }
    }
    /// The break, if it goes at `place` (once).
    fn take_break(&mut self, place: BreakPlace) -> Option<Breaks> {
        match self.breaks {
            Some(b) if b.place == place && !self.breaks_used => {
                self.breaks_used = true;
                Some(b)
            }
            _ => None,
        }
    }
    /// A comment line at `col`, with the break in it if it goes at `place`.
    fn comment_with_break(&mut self, col: usize, place: BreakPlace, text: &str, key_col: usize) {
        if let Some(b) = self.take_break(place) {
            let payload = match b.payload {
                BreakPayload::Text => " more words".to_string(),
                BreakPayload::Comment => format!("{}# still a comment", sp(col)),
                BreakPayload::HiddenKey => {
                    if place == BreakPlace::ListEnd {
                        "results: []".to_string()
                    } else {
                        format!("{}env: []", sp(key_col))
                    }
                }
            };
            self.line(col, &format!("# {text}{}{payload}", b.ch.ch()));
        } else {
            self.line(col, &format!("# {text}"));
        }
    }
}

fn quote(q: Quote, s: &str) -> String {
    match q {
        Quote::Plain => s.to_string(),
        Quote::Single => format!("'{s}'"),
        Quote::Double => format!("\"{s}\""),
    }
}

/// `key` spelled as `style` asks (explicit keys are written by the caller;
/// here they are plain).
fn key(k: &str, style: KeyStyle) -> String {
    match style {
        KeyStyle::Plain | KeyStyle::Plain2 | KeyStyle::Plain3 | KeyStyle::Explicit => k.into(),
        KeyStyle::Single => format!("'{k}'"),
        KeyStyle::Double => format!("\"{k}\""),
        KeyStyle::Escaped => {
            let mut cs = k.chars();
            match cs.next() {
                Some(c) => format!("\"\\x{:02x}{}\"", c as u32, cs.as_str()),
                None => "\"\"".into(),
            }
        }
        KeyStyle::Tagged => format!("!!str {k}"),
    }
}

/// `key: value` in a block mapping at `col`, or `? key` / `: value` for an
/// explicit key. `value` is what follows `:` on the same line (may be empty).
fn block_kv(w: &mut W, col: usize, k: &str, style: KeyStyle, value: &str) {
    if style == KeyStyle::Explicit && w.explicit_keys {
        w.line(col, &format!("? {k}"));
        if value.is_empty() {
            w.line(col, ":");
        } else {
            w.line(col, &format!(": {value}"));
        }
    } else if value.is_empty() {
        w.line(col, &format!("{}:", key(k, style)));
    } else {
        w.line(col, &format!("{}: {value}", key(k, style)));
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

/// What the main target (or another item) carries besides its own fields.
#[derive(Default, Clone)]
struct ItemCtx {
    /// The ml-pipeline-ui Deployment with its ml-pipeline-ui container first.
    force: bool,
    /// An anchor to put at a level, or an alias to write there instead.
    anchor: Option<(Level, String)>,
    alias: Option<(Level, String)>,
    tail: Option<Tail>,
    /// Lines of `metadata` replacing `name:` (merge keys).
    meta_lines: Option<Vec<String>>,
    namespace: Option<String>,
}

impl Doc {
    pub fn render(&self) -> Rendered {
        match self.syntax % 8 {
            6 => return self.render_json(true),
            7 => return self.render_json(false),
            _ => {}
        }
        let mut w = W {
            s: String::new(),
            anchors: 0,
            doc_anchors: Vec::new(),
            env_list_anchors: Vec::new(),
            container_anchors: Vec::new(),
            entry_anchors: Vec::new(),
            risky: false,
            pending: None,
            tabs: self.tabs,
            breaks: self.breaks.filter(|_| self.gate(3)),
            explicit_keys: self.gate(4),
            breaks_used: false,
        };
        if self.frame.bom % 6 == 5 {
            w.s.push('\u{feff}');
        }
        let directive = match self.directive() {
            Directive::Yaml11 => Some("%YAML 1.1"),
            Directive::Yaml12 => {
                w.risky = true;
                Some("%YAML 1.2")
            }
            _ => None,
        };
        if let Some(d) = directive {
            w.line(0, d);
        }
        let stream = matches!(
            self.wrapper,
            Wrapper::Stream | Wrapper::StreamLeadingSeparator
        );
        if directive.is_some()
            || self.frame.start_marker
            || self.wrapper == Wrapper::StreamLeadingSeparator
        {
            w.line(0, "---");
        }
        if self.leading_comment {
            w.line(0, "# generated by the structured fuzz target");
        }
        match self.wrapper {
            Wrapper::ResourceListV1 | Wrapper::ResourceListV1Beta1 | Wrapper::List => {
                self.render_list(&mut w)
            }
            Wrapper::Stream | Wrapper::StreamLeadingSeparator => self.render_stream(&mut w),
        }
        match self.trailing_comment % 4 {
            2 => w.line(0, "# end of the items"),
            3 if !stream => w.line(self.top.seq(), "# end of the last item"),
            _ => {}
        }
        if !stream && w.breaks.is_some_and(|b| b.place == BreakPlace::ListEnd) {
            w.comment_with_break(0, BreakPlace::ListEnd, "end of list", 0);
        }
        match self.end_marker() {
            EndMarker::None | EndMarker::None2 => {}
            EndMarker::DocEnd => w.line(0, "..."),
            EndMarker::Separator => w.line(0, "---"),
            EndMarker::DocEndSeparator => {
                w.line(0, "...");
                w.line(0, "---");
            }
            EndMarker::SeparatorComment => w.line(0, "--- # nothing follows"),
            EndMarker::DocEndComment => {
                w.line(0, "...");
                w.line(0, "# after the document");
            }
        }
        let mut text = w.s;
        if !self.final_newline {
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

    /// The items in document order, with what each carries.
    fn plan_items(&self, list: bool) -> Vec<Planned<'_>> {
        let mut items: Vec<Planned> = self
            .items
            .iter()
            .take(3)
            .map(|i| Planned::Item(i, ItemCtx::default()))
            .collect();
        let at = self.main_at as usize % (items.len() + 1);
        let mut main_ctx = ItemCtx {
            force: true,
            ..ItemCtx::default()
        };
        let mut before = Vec::new();
        let mut after = Vec::new();
        // Merge keys in the main target's metadata.
        let meta_merge = self.meta_merge();
        match meta_merge {
            MetaMerge::Service | MetaMerge::Override if list => {
                before.push(Planned::Service("m", "ml-pipeline-ui"));
                main_ctx.meta_lines = Some(vec!["<<: *m".into()]);
                if meta_merge == MetaMerge::Override {
                    after.push(Planned::Extra(Extra {
                        meta_lines: Some(vec!["<<: *m".into(), "name: ml-pipeline-ui-v2".into()]),
                        env: 2,
                        ..Extra::target(0)
                    }));
                }
            }
            MetaMerge::Seq { ui_first } if list => {
                before.push(Planned::Service("ma", "ml-pipeline-ui"));
                before.push(Planned::Service("mb", "ml-pipeline-ui-proxy"));
                let m = if ui_first {
                    "<<: [*ma, *mb]"
                } else {
                    "<<: [*mb, *ma]"
                };
                main_ctx.meta_lines = Some(vec![m.into()]);
            }
            MetaMerge::Inline
            | MetaMerge::Service
            | MetaMerge::Override
            | MetaMerge::Seq { .. } => {
                main_ctx.meta_lines = Some(vec![
                    "<<: {name: ml-pipeline-ui, namespace: kubeflow}".into()
                ]);
            }
            MetaMerge::None | MetaMerge::None2 | MetaMerge::None3 => {}
        }
        // Anchors shared with other objects (one document only).
        if let (
            Sharing::Anchor {
                level,
                partner,
                reverse,
            },
            true,
        ) = (self.sharing(), list)
        {
            let name = match level {
                Level::Spec => "sp",
                Level::Template => "tp",
                Level::Containers => "cs",
                Level::Container => "ct",
                Level::Env => "ev",
                Level::Item => "it",
            }
            .to_string();
            let partners = if partner == Partner::Target {
                1 + self.n_extra()
            } else {
                for i in 0..self.n_extra() {
                    after.push(Planned::Extra(Extra::target(i + 10)));
                }
                1
            };
            if reverse && level != Level::Item {
                main_ctx.alias = Some((level, name.clone()));
                before.push(Planned::Extra(Extra {
                    anchor: Some((level, name)),
                    ..Extra::partner(partner, 0)
                }));
            } else {
                main_ctx.anchor = Some((level, name.clone()));
                for i in 0..partners {
                    after.push(Planned::Extra(Extra {
                        alias: Some((level, name.clone())),
                        ..Extra::partner(partner, i)
                    }));
                }
            }
        } else {
            for i in 0..self.n_extra() {
                after.push(Planned::Extra(Extra::target(i + 1)));
            }
        }
        let mut main = vec![Planned::Item(&self.main, main_ctx)];
        let mut group = before;
        group.append(&mut main);
        group.append(&mut after);
        let tail: Vec<Planned> = items.split_off(at);
        items.extend(group);
        items.extend(tail);
        items
    }

    fn n_extra(&self) -> usize {
        if self.extra_targets >= 240 {
            (self.extra_targets as usize - 239) * 6
        } else {
            self.extra_targets as usize % 4
        }
    }

    fn render_list(&self, w: &mut W) {
        let (api, kind) = match self.wrapper {
            Wrapper::ResourceListV1 => ("config.kubernetes.io/v1", "ResourceList"),
            Wrapper::ResourceListV1Beta1 => ("config.kubernetes.io/v1beta1", "ResourceList"),
            _ => ("v1", "List"),
        };
        w.line(0, &format!("apiVersion: {api}"));
        w.line(0, &format!("kind: {kind}"));
        if w.breaks
            .is_some_and(|b| b.place == BreakPlace::HeaderComment)
        {
            w.comment_with_break(0, BreakPlace::HeaderComment, "header", 0);
        }
        let rl = self.wrapper != Wrapper::List;
        if rl && self.prior_results_first {
            render_prior_results(w, self.prior_results, self.top);
        }
        let mut items = self.plan_items(true);
        let n = items.len();
        w.line(0, "items:");
        let col = self.top.seq();
        let dash = format!("-{}", sp(self.top.gap()));
        for (i, p) in items.iter_mut().enumerate() {
            let tail = if i + 1 == n { Some(self.tail) } else { None };
            let item_anchor = p.item_anchor();
            if let Some(a) = item_anchor {
                w.line(col, &format!("{dash}&{a}"));
            } else if let Some(a) = p.item_alias() {
                w.line(col, &format!("{dash}*{a}"));
                continue;
            } else {
                w.pending = Some(format!("{}{dash}", sp(col)));
            }
            p.render(w, col + dash.len(), tail);
        }
        if rl {
            render_fn_config(w, self.fn_config, self.top);
            if !self.prior_results_first {
                render_prior_results(w, self.prior_results, self.top);
            }
        }
    }

    fn render_stream(&self, w: &mut W) {
        let mut items = self.plan_items(false);
        if w.breaks
            .is_some_and(|b| b.place == BreakPlace::HeaderComment)
        {
            w.comment_with_break(0, BreakPlace::HeaderComment, "header", 0);
        }
        let n = items.len();
        for (i, p) in items.iter_mut().enumerate() {
            if i > 0 {
                w.line(0, "---");
            }
            w.clear_doc_anchors();
            let tail = if i + 1 == n { Some(self.tail) } else { None };
            p.render(w, 0, tail);
        }
    }
}

/// An item of the output, in order.
enum Planned<'a> {
    Item(&'a Item, ItemCtx),
    /// A Service whose metadata is anchored `&anchor`.
    Service(&'static str, &'static str),
    Extra(Extra),
}

impl Planned<'_> {
    fn item_anchor(&self) -> Option<String> {
        match self {
            Planned::Item(_, c) => match &c.anchor {
                Some((Level::Item, a)) => Some(a.clone()),
                _ => None,
            },
            _ => None,
        }
    }
    fn item_alias(&self) -> Option<String> {
        match self {
            Planned::Extra(e) => match &e.alias {
                Some((Level::Item, a)) => Some(a.clone()),
                _ => None,
            },
            _ => None,
        }
    }
}

impl Planned<'_> {
    fn render(&mut self, w: &mut W, col: usize, tail: Option<Tail>) {
        match self {
            Planned::Item(it, ctx) => {
                ctx.tail = tail;
                render_item(w, it, col, ctx);
            }
            Planned::Service(anchor, name) => {
                w.line(col, "apiVersion: v1");
                w.line(col, "kind: Service");
                w.line(col, &format!("metadata: &{anchor}"));
                w.line(col + 2, &format!("name: {name}"));
                w.line(col + 2, "namespace: kubeflow");
                w.line(col, "spec:");
                w.line(col + 2, &format!("ports: [{{port: 80}}]{}", w.trailing()));
                if let Some(t) = tail {
                    render_tail(w, col + 2, t);
                }
            }
            Planned::Extra(e) => render_extra(w, e, col, tail),
        }
    }
}

/// Synthesized items: more targets, and the partners of a shared anchor.
#[derive(Clone)]
struct Extra {
    api: &'static str,
    kind: &'static str,
    name: &'static str,
    namespace: String,
    container: &'static str,
    /// 0..4: which env the container has.
    env: usize,
    anchor: Option<(Level, String)>,
    alias: Option<(Level, String)>,
    meta_lines: Option<Vec<String>>,
}

impl Extra {
    fn target(i: usize) -> Extra {
        Extra {
            api: "apps/v1",
            kind: "Deployment",
            name: "ml-pipeline-ui",
            namespace: format!("team-{i}"),
            container: "ml-pipeline-ui",
            env: i % 4,
            anchor: None,
            alias: None,
            meta_lines: None,
        }
    }
    fn partner(p: Partner, i: usize) -> Extra {
        match p {
            Partner::Target => Extra::target(i + 1),
            Partner::StatefulSet => Extra {
                kind: "StatefulSet",
                ..Extra::target(i + 1)
            },
            Partner::Custom => Extra {
                api: "example.com/v1",
                ..Extra::target(i + 1)
            },
        }
    }
}

fn render_extra(w: &mut W, e: &Extra, col: usize, tail: Option<Tail>) {
    w.line(col, &format!("apiVersion: {}", e.api));
    w.line(col, &format!("kind: {}", e.kind));
    w.line(col, "metadata:");
    match &e.meta_lines {
        Some(lines) => {
            for l in lines {
                w.line(col + 2, l);
            }
        }
        None => w.line(col + 2, &format!("name: {}", e.name)),
    }
    w.line(col + 2, &format!("namespace: {}", e.namespace));
    let at = |lv: Level| -> (Option<String>, Option<String>) {
        (
            e.anchor
                .as_ref()
                .filter(|(l, _)| *l == lv)
                .map(|(_, a)| format!(" &{a}")),
            e.alias
                .as_ref()
                .filter(|(l, _)| *l == lv)
                .map(|(_, a)| format!(" *{a}")),
        )
    };
    match at(Level::Spec) {
        (_, Some(al)) => {
            w.line(col, &format!("spec:{al}"));
            if let Some(t) = tail {
                render_tail_after_alias(w, col, t);
            }
            return;
        }
        (an, None) => w.line(col, &format!("spec:{}", an.unwrap_or_default())),
    }
    w.line(col + 2, "replicas: 1");
    match at(Level::Template) {
        (_, Some(al)) => {
            w.line(col + 2, &format!("template:{al}"));
            if let Some(t) = tail {
                render_tail(w, col + 2, t);
            }
            return;
        }
        (an, None) => w.line(col + 2, &format!("template:{}", an.unwrap_or_default())),
    }
    w.line(col + 4, "spec:");
    let c0 = col + 6;
    match at(Level::Containers) {
        (_, Some(al)) => w.line(c0, &format!("containers:{al}")),
        (an, None) => {
            w.line(c0, &format!("containers:{}", an.unwrap_or_default()));
            match at(Level::Container) {
                (_, Some(al)) => w.line(c0, &format!("-{al}")),
                (an, None) => {
                    if let Some(a) = an {
                        w.line(c0, &format!("-{a}"));
                        w.line(c0 + 2, &format!("name: {}", e.container));
                    } else {
                        w.line(c0, &format!("- name: {}", e.container));
                    }
                    w.line(c0 + 2, "image: gcr.io/ml-pipeline/frontend:2.5.0");
                    let env_anchor = at(Level::Env);
                    match env_anchor {
                        (_, Some(al)) => w.line(c0 + 2, &format!("env:{al}")),
                        (an, None) => {
                            let an = an.unwrap_or_default();
                            match e.env {
                                0 if an.is_empty() => {}
                                0 | 1 => w.line(c0 + 2, &format!("env:{an} []")),
                                2 => {
                                    w.line(c0 + 2, &format!("env:{an}"));
                                    w.line(c0 + 2, "- name: DISABLE_GKE_METADATA");
                                    w.line(c0 + 2, "  value: \"false\"");
                                }
                                _ => {
                                    w.line(c0 + 2, &format!("env:{an} [{{name: OTHER, value: x}}]"))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    if let Some(t) = tail {
        render_tail(w, c0, t);
    }
}

/// After `spec: *x` the object mapping continues at `col`: a tail there.
fn render_tail_after_alias(w: &mut W, col: usize, t: Tail) {
    match t {
        Tail::NullValue { .. }
        | Tail::FlowItem { .. }
        | Tail::BlockScalar { .. }
        | Tail::MultiLinePlain => {
            w.line(col, "status:");
            render_tail(w, col + 2, t);
        }
        _ => render_tail(w, col, t),
    }
}

/// How the last item ends, written at the key column `col` of its innermost
/// mapping (pod spec, ConfigMap data).
fn render_tail(w: &mut W, col: usize, t: Tail) {
    match t {
        Tail::Plain | Tail::Plain2 => {}
        Tail::NullValue { compact, comment } => {
            w.line(col, "volumes:");
            let d = if compact { col } else { col + 2 };
            w.line(d, "- name: data");
            let c = if comment {
                format!("{}# scratch space", w.before_comment())
            } else {
                String::new()
            };
            w.line(d + 2, &format!("emptyDir:{c}"));
        }
        Tail::FlowItem { compact } => {
            w.line(col, "tolerations:");
            w.line(if compact { col } else { col + 2 }, "- {}");
        }
        Tail::EmptyFlowMap => w.line(col, "nodeSelector: {}"),
        Tail::BlockScalar { chomp } => {
            let ind = match chomp {
                Chomp::Clip => "|",
                Chomp::Strip => ">-",
                Chomp::Keep => "|+",
            };
            w.line(col, &format!("hostname: {ind}"));
            w.line(col + 2, "ml-pipeline-ui");
            if chomp == Chomp::Keep {
                w.s.push('\n');
            }
        }
        Tail::Comment => w.line(col, "# the last line of the last item"),
        Tail::MultiLinePlain => {
            w.line(col, "schedulerName: default");
            w.line(col + 2, &format!("scheduler{}", w.trailing()));
        }
    }
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
        PriorResults::NullComment => {
            w.line(0, &format!("results: ~{}  # none yet", w.before_comment()))
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
            let s = w.flow_sep(true);
            w.line(
                m,
                &format!("data: {{{s}policy: override,{s}value: 'true'}}"),
            );
        }
    }
}

/// Renders an object mapping whose keys go at column `col` (the first line
/// may be pending: a `- ` already decided).
fn render_item(w: &mut W, it: &Item, col: usize, ctx: &ItemCtx) {
    let m = it.layout.map();
    let force = ctx.force;
    let kind = if force { ItemKind::Deployment } else { it.kind };
    let (api, kind_s) = match kind {
        ItemKind::Deployment => ("apps/v1", "Deployment"),
        ItemKind::StatefulSet => ("apps/v1", "StatefulSet"),
        ItemKind::ConfigMap => ("v1", "ConfigMap"),
        ItemKind::CustomDeployment => ("example.com/v1", "Deployment"),
    };
    let name = match if force { ObjName::Ui } else { it.name } {
        ObjName::Ui => "ml-pipeline-ui",
        ObjName::Other => "ml-pipeline",
    };
    let is_target_obj = force || (it.kind == ItemKind::Deployment && it.name == ObjName::Ui);
    w.line(col, &format!("apiVersion: {api}"));
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
    let mcol = col + m;
    match &ctx.meta_lines {
        Some(lines) => {
            for l in lines {
                w.line(mcol, l);
            }
        }
        None => {
            let nk = if it.name_key == KeyStyle::Explicit {
                KeyStyle::Plain
            } else {
                it.name_key
            };
            w.line(
                mcol,
                &format!("{}: {name}{}", key("name", nk), w.trailing()),
            );
        }
    }
    if let Some(ns) = &ctx.namespace {
        w.line(mcol, &format!("namespace: {ns}"));
    } else if let Some(q) = it.namespace {
        w.line(
            mcol,
            &format!("namespace: {}", if q { "'kubeflow'" } else { "kubeflow" }),
        );
    }
    if it.comment_in_metadata {
        w.line(mcol, "# a comment inside metadata");
        w.line(mcol, "labels: {app: ml-pipeline-ui}");
    }
    if is_target_obj {
        if w.breaks
            .is_some_and(|b| b.place == BreakPlace::TargetMetadataComment)
        {
            w.comment_with_break(
                mcol,
                BreakPlace::TargetMetadataComment,
                "metadata note",
                mcol,
            );
        }
        if let Some(b) = w.take_break(BreakPlace::TargetQuoted) {
            w.line(mcol, &format!("generateName: \"before{}after\"", b.ch.ch()));
        } else if let Some(b) = w.take_break(BreakPlace::TargetPlain) {
            w.line(
                mcol,
                &format!("generateName: before{}{}after", b.ch.ch(), sp(mcol + 2)),
            );
        }
    }
    match it.annotation {
        Annotation::MultiLinePlain => {
            w.line(mcol, "annotations:");
            w.line(mcol + m, "description: the first words");
            w.line(mcol + m + 2, &format!("and the rest{}", w.trailing()));
        }
        Annotation::Flow => {
            let s = w.flow_sep(true);
            w.line(
                mcol,
                &format!("annotations: {{{s}tier: web,{s}team: \"ml\"}}"),
            );
        }
        Annotation::None | Annotation::None2 => {}
    }
    if kind == ItemKind::ConfigMap {
        w.line(col, "data:");
        w.line(col + m, "DISABLE_GKE_METADATA: \"false\"");
        if let Some(b) = w.take_break(BreakPlace::NonTargetPlain) {
            w.line(
                col + m,
                &format!("note: before{}{}after", b.ch.ch(), sp(col + m + 2)),
            );
        }
        if let Some(t) = ctx.tail {
            render_tail(w, col + m, t);
        }
        return;
    }
    let level = |lv: Level| -> (String, Option<String>) {
        let an = ctx
            .anchor
            .as_ref()
            .filter(|(l, _)| *l == lv)
            .map(|(_, a)| format!(" &{a}"))
            .unwrap_or_default();
        let al = ctx
            .alias
            .as_ref()
            .filter(|(l, _)| *l == lv)
            .map(|(_, a)| format!(" *{a}"));
        (an, al)
    };
    let (an, al) = level(Level::Spec);
    if let Some(al) = al {
        w.line(col, &format!("spec:{al}"));
        if let Some(t) = ctx.tail {
            render_tail_after_alias(w, col, t);
        }
        return;
    }
    w.line(col, &format!("spec:{an}"));
    w.line(col + m, "replicas: 1");
    let (an, al) = level(Level::Template);
    if let Some(al) = al {
        w.line(col + m, &format!("template:{al}"));
        if let Some(t) = ctx.tail {
            render_tail(w, col + m, t);
        }
        return;
    }
    w.line(col + m, &format!("template:{an}"));
    w.line(col + 2 * m, "spec:");
    let c0 = col + 3 * m;
    // Containers: anchored sidecar env lists come first so that `env: *x`
    // in a later container can refer to them.
    if let Some(init) = &it.init_containers {
        render_containers(w, "initContainers", init, c0, it, false, ctx);
    }
    if let (_, Some(al)) = level(Level::Containers) {
        w.line(
            c0,
            &format!("{}:{al}", key("containers", plain_only(it.containers_key))),
        );
    } else {
        render_containers(w, "containers", &it.containers, c0, it, is_target_obj, ctx);
    }
    w.line(
        c0,
        &format!("serviceAccountName: ml-pipeline-ui{}", w.trailing()),
    );
    if let Some(t) = ctx.tail {
        render_tail(w, c0, t);
    }
}

fn plain_only(s: KeyStyle) -> KeyStyle {
    if s == KeyStyle::Explicit {
        KeyStyle::Plain
    } else {
        s
    }
}

fn render_containers(
    w: &mut W,
    list_key: &str,
    cs: &[Container],
    col: usize,
    it: &Item,
    target_obj: bool,
    ctx: &ItemCtx,
) {
    let lay = it.layout;
    let force = ctx.force;
    let ck = if list_key == "containers" {
        plain_only(it.containers_key)
    } else {
        KeyStyle::Plain
    };
    let list_anchor = ctx
        .anchor
        .as_ref()
        .filter(|(l, _)| *l == Level::Containers && list_key == "containers")
        .map(|(_, a)| format!(" &{a}"))
        .unwrap_or_default();
    let container_alias = ctx
        .alias
        .as_ref()
        .filter(|(l, _)| *l == Level::Container && list_key == "containers")
        .map(|(_, a)| a.clone());
    let cs: Vec<&Container> = cs.iter().take(3).collect();
    let dcol = col + lay.seq();
    if cs.is_empty() && force && list_key == "containers" {
        w.line(col, &format!("{}:{list_anchor}", key("containers", ck)));
        if let Some(a) = &container_alias {
            w.line(dcol, &format!("- *{a}"));
            return;
        }
        let anchor = ctx
            .anchor
            .as_ref()
            .filter(|(l, _)| *l == Level::Container)
            .map(|(_, a)| a.clone());
        if let Some(a) = anchor {
            w.line(dcol, &format!("- &{a}"));
            w.line(dcol + 2, "name: ml-pipeline-ui");
        } else {
            w.line(dcol, "- name: ml-pipeline-ui");
        }
        w.line(dcol + 2, "image: gcr.io/ml-pipeline/frontend:2.5.0");
        if let Some((Level::Env, a)) = &ctx.anchor {
            w.line(dcol + 2, &format!("env: &{a} []"));
        } else if let Some((Level::Env, a)) = &ctx.alias {
            w.line(dcol + 2, &format!("env: *{a}"));
        }
        if w.breaks
            .is_some_and(|b| b.place == BreakPlace::TargetContainerComment)
        {
            w.comment_with_break(
                dcol + 2,
                BreakPlace::TargetContainerComment,
                "container note",
                dcol + 2,
            );
        }
        return;
    }
    if cs.is_empty() {
        w.line(col, &format!("{}:{list_anchor} []", key(list_key, ck)));
        return;
    }
    w.line(col, &format!("{}:{list_anchor}", key(list_key, ck)));
    if let Some(a) = &container_alias {
        // The main target's ml-pipeline-ui container is another object's.
        w.line(dcol, &format!("- *{a}"));
    }
    for (ci, c) in cs.into_iter().enumerate() {
        let main_first = force && ci == 0 && list_key == "containers";
        if main_first && container_alias.is_some() {
            continue;
        }
        let cname_kind = if main_first && c.name == CName::Sidecar {
            CName::Ui
        } else {
            c.name
        };
        let gap = lay.gap();
        let ccol = dcol + 1 + gap;
        let is_target = target_obj && list_key == "containers" && cname_kind != CName::Sidecar;
        let cname = match cname_kind {
            CName::Ui => "ml-pipeline-ui".to_string(),
            CName::UiQuoted => "\"ml-pipeline-ui\"".to_string(),
            CName::Sidecar => "sidecar".to_string(),
        };
        // In an initContainers list the generator names containers `init`.
        let cname = if list_key == "initContainers" && cname_kind != CName::Sidecar {
            "init".to_string()
        } else {
            cname
        };
        let dash = format!("{}-{}", sp(dcol), sp(gap));
        let earlier = w.container_anchors.last().cloned();
        let shared_container = main_first && matches!(&ctx.anchor, Some((Level::Container, _)));
        if shared_container || c.anchored.is_multiple_of(8) {
            // `- &c1` followed by the mapping on the next lines.
            let a = match (&ctx.anchor, shared_container) {
                (Some((_, a)), true) => a.clone(),
                _ => w.new_anchor("c"),
            };
            w.line(dcol, &format!("-{}&{a}", sp(gap)));
            if !shared_container {
                w.container_anchors.push(a);
            }
        } else {
            w.pending = Some(dash);
        }
        // `<<: *c` from an earlier container.
        if c.merge % 6 == 5 {
            if let Some(a) = earlier {
                w.line(ccol, &format!("<<: *{a}"));
            }
        }
        let name_line = format!("name: {cname}{}", w.trailing());
        let env_ctx = if main_first { Some(ctx) } else { None };
        let write_name = |w: &mut W| {
            w.line(ccol, &name_line);
            if is_target
                && w.breaks
                    .is_some_and(|b| b.place == BreakPlace::TargetContainerComment)
            {
                w.comment_with_break(
                    ccol,
                    BreakPlace::TargetContainerComment,
                    "container note",
                    ccol,
                );
            }
        };
        match c.env_position {
            EnvPos::First => {
                render_env_key(w, c, ccol, is_target, env_ctx);
                write_name(w);
                w.line(ccol, "image: gcr.io/ml-pipeline/frontend:2.5.0");
            }
            EnvPos::AfterName => {
                write_name(w);
                render_env_key(w, c, ccol, is_target, env_ctx);
                w.line(ccol, "image: gcr.io/ml-pipeline/frontend:2.5.0");
            }
            EnvPos::Last => {
                write_name(w);
                w.line(ccol, "image: gcr.io/ml-pipeline/frontend:2.5.0");
                render_env_key(w, c, ccol, is_target, env_ctx);
            }
        }
        if c.comment_after_env {
            w.line(ccol, "# after the container");
        }
    }
}

/// Emits `env: ...` (or nothing) for a container whose keys are at `ccol`.
fn render_env_key(w: &mut W, c: &Container, ccol: usize, is_target: bool, ctx: Option<&ItemCtx>) {
    let lay = c.layout;
    let ks = c.env_key;
    // A shared env (the main target's first container only).
    if let Some(ctx) = ctx {
        if let Some((Level::Env, a)) = &ctx.alias {
            block_kv(w, ccol, "env", plain_only(ks), &format!("*{a}"));
            return;
        }
    }
    let shared_anchor = ctx.and_then(|c| match &c.anchor {
        Some((Level::Env, a)) => Some(a.clone()),
        _ => None,
    });
    let with_anchor = |v: &str| -> String {
        match &shared_anchor {
            Some(a) if v.is_empty() => format!("&{a}"),
            Some(a) => format!("&{a} {v}"),
            None => v.to_string(),
        }
    };
    let bc = w.before_comment();
    match &c.env {
        Env::Missing => {
            if shared_anchor.is_some() {
                block_kv(w, ccol, "env", ks, &with_anchor("[]"));
            }
        }
        Env::NullEmpty => block_kv(w, ccol, "env", ks, &with_anchor("")),
        Env::NullTilde => block_kv(w, ccol, "env", ks, &with_anchor("~")),
        Env::NullWord => block_kv(w, ccol, "env", ks, &with_anchor("null")),
        Env::NullTildeComment => block_kv(
            w,
            ccol,
            "env",
            ks,
            &format!("{}{bc}  # set by an overlay", with_anchor("~")),
        ),
        Env::NullEmptyComment => {
            if shared_anchor.is_some() {
                block_kv(
                    w,
                    ccol,
                    "env",
                    ks,
                    &format!("{} # set by an overlay", with_anchor("")),
                )
            } else if ks == KeyStyle::Explicit && w.explicit_keys {
                w.line(ccol, "? env # set by an overlay");
            } else {
                w.line(ccol, &format!("{}: # set by an overlay", key("env", ks)));
            }
        }
        Env::EmptyFlow => block_kv(w, ccol, "env", ks, &with_anchor("[]")),
        Env::EmptyFlowComment => block_kv(
            w,
            ccol,
            "env",
            ks,
            &format!("{}{bc}# none yet", with_anchor("[]")),
        ),
        Env::Alias => {
            if let (Some(a), None) = (w.env_list_anchors.last().cloned(), &shared_anchor) {
                block_kv(w, ccol, "env", plain_only(ks), &format!("*{a}"));
            } else {
                block_kv(w, ccol, "env", ks, &with_anchor("[]"));
            }
        }
        Env::Block(entries, o) => {
            let entries: Vec<&Entry> = entries.iter().take(5).collect();
            if entries.is_empty() {
                block_kv(w, ccol, "env", ks, &with_anchor("[]"));
                return;
            }
            let mut head = Vec::new();
            if let Some(a) = &shared_anchor {
                head.push(format!("&{a}"));
            } else if o.anchor_list.is_multiple_of(6) {
                let a = w.new_anchor("env");
                w.env_list_anchors.push(a.clone());
                head.push(format!("&{a}"));
            }
            if o.header_comment {
                // A space, not a tab, after `:` or an anchor (go-yaml).
                head.push("# the env list".into());
            }
            let head = head.join(" ");
            block_kv(w, ccol, "env", ks, &head);
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
                let s = w.flow_sep(o.spaces);
                let sep = format!(",{s}");
                let mut body = parts.join(&sep);
                if o.trailing_comma && !parts.is_empty() {
                    body.push(',');
                }
                let open = if parts.is_empty() {
                    String::new()
                } else {
                    s.to_string()
                };
                block_kv(w, ccol, "env", ks, &with_anchor(&format!("[{open}{body}]")));
            } else {
                block_kv(w, ccol, "env", ks, &with_anchor("["));
                let icol = ccol + lay.map();
                let n = parts.len();
                let lead = if w.tabs & 8 != 0 { "\t" } else { "" };
                for (i, p) in parts.iter().enumerate() {
                    let comma = if i + 1 < n || o.trailing_comma {
                        ","
                    } else {
                        ""
                    };
                    let comment = if o.comments {
                        format!("{}# entry {i}", w.before_comment())
                    } else {
                        String::new()
                    };
                    w.line(icol, &format!("{lead}{p}{comma}{comment}"));
                }
                w.line(ccol + 1, "]");
            }
        }
    }
}

fn value_inline(w: &mut W, v: &Value, _is_target: bool, flow: bool) -> Option<String> {
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
        Value::MultiLine(word) => format!("\"{} more words\"", word.text()),
        Value::ValueFrom { field, .. } => {
            if *field {
                "{fieldRef: {fieldPath: metadata.namespace}}".into()
            } else {
                "{configMapKeyRef: {name: cfg, key: k}}".into()
            }
        }
        Value::Anchored(x) => {
            let a = w.new_anchor("v");
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
    let name = format!(
        "{}: {}",
        key("name", plain_only(e.name_key)),
        quote(e.name_style, &entry_name(e))
    );
    let mut parts = vec![name];
    if let Some(v) = value_inline(w, &e.value, is_target, true) {
        let vk = key(value_key(&e.value), plain_only(e.value_key));
        let p = if v.is_empty() {
            vk + ": "
        } else {
            format!("{vk}: {v}")
        };
        if e.name_after_value {
            parts.insert(0, p);
        } else {
            parts.push(p);
        }
    }
    if e.merge % 6 == 5 {
        if let Some(a) = w.entry_anchors.last() {
            parts.insert(0, format!("<<: *{a}"));
        }
    }
    let s = w.flow_sep(true);
    let mut out = format!("{{{s}{}}}", parts.join(&format!(",{s}")));
    if e.anchor_entry.is_multiple_of(8) {
        let a = w.new_anchor("e");
        w.entry_anchors.push(a.clone());
        out = format!("&{a} {out}");
    }
    out
}

fn render_block_entry(w: &mut W, e: &Entry, dcol: usize, gap: usize, is_target: bool) {
    let kcol = dcol + 1 + gap;
    let prefix = format!("{}-{}", sp(dcol), sp(gap));
    let earlier = w.entry_anchors.last().cloned();
    if e.anchor_entry.is_multiple_of(8) && !e.flow_entry {
        let a = w.new_anchor("e");
        // `- &e1` then the mapping on the following lines.
        w.line(dcol, &format!("-{}&{a}", sp(gap)));
        w.entry_anchors.push(a);
    } else {
        w.pending = Some(prefix);
    }
    if e.flow_entry {
        let f = flow_entry(w, e, is_target);
        w.line(kcol, &f);
        return;
    }
    if e.merge % 6 == 5 {
        if let Some(a) = earlier {
            w.line(kcol, &format!("<<: *{a}"));
        }
    }
    let bc = w.before_comment();
    let name_line = format!(
        "{}: {}{}",
        key("name", plain_only(e.name_key)),
        quote(e.name_style, &entry_name(e)),
        if e.comment_after_name {
            format!("{bc}  # the name")
        } else {
            w.trailing().to_string()
        }
    );
    if !e.name_after_value {
        w.line(kcol, &name_line);
    }
    let vc = if e.comment_after_value {
        format!("{bc}# the value")
    } else {
        String::new()
    };
    let vk = e.value_key;
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
            // A comment after a block scalar header: a space, never a tab
            // first (go-yaml).
            let vc = vc.replace('\t', "");
            block_kv(w, kcol, "value", vk, &format!("{ind}{ii}{ch}{vc}"));
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
        Value::MultiLine(word) => {
            let first = match word {
                Word::Empty | Word::Hash => "first".to_string(),
                w => w.text().to_string(),
            };
            block_kv(w, kcol, "value", vk, &first);
            w.line(kcol + 2, &format!("more words{}", w.trailing()));
        }
        Value::ValueFrom { field, flow } => {
            if *flow {
                let v = value_inline(w, &e.value, is_target, false).unwrap_or_default();
                w.line(kcol, &format!("valueFrom: {v}{vc}"));
            } else {
                w.line(kcol, &format!("valueFrom:{}", vc.replace('\t', "")));
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
                if vk == KeyStyle::Explicit && w.explicit_keys {
                    w.line(kcol, &format!("? value{}", vc.replace('\t', "")));
                } else {
                    w.line(
                        kcol,
                        &format!("{}:{}", key("value", vk), vc.replace('\t', "")),
                    );
                }
            } else {
                let tr = if matches!(v, Value::Plain(_)) && vc.is_empty() {
                    w.trailing()
                } else {
                    ""
                };
                block_kv(w, kcol, "value", vk, &format!("{s}{vc}{tr}"));
            }
        }
    }
    if e.name_after_value {
        w.line(kcol, &name_line);
    }
}

// ---------------------------------------------------------------------------
// JSON.
// ---------------------------------------------------------------------------

enum J {
    /// Already JSON text (a number, `true`, `null`, a string with its quotes).
    Raw(String),
    Arr(Vec<J>),
    /// Keys are JSON text too (so that `"\u0065nv"` can be written).
    Obj(Vec<(String, J)>),
}

fn js(s: &str) -> J {
    J::Raw(json_str(s))
}

fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn jkey(k: &str, style: KeyStyle) -> String {
    match style {
        KeyStyle::Escaped => {
            let mut cs = k.chars();
            match cs.next() {
                Some(c) => format!("\"\\u{:04x}{}\"", c as u32, cs.as_str()),
                None => "\"\"".into(),
            }
        }
        _ => json_str(k),
    }
}

fn obj(kv: Vec<(&str, J)>) -> J {
    J::Obj(kv.into_iter().map(|(k, v)| (json_str(k), v)).collect())
}

impl J {
    fn write(&self, out: &mut String, pretty: bool, ind: usize) {
        let nl = |out: &mut String, n: usize| {
            if pretty {
                out.push('\n');
                out.push_str(&sp(n));
            }
        };
        match self {
            J::Raw(s) => out.push_str(s),
            J::Arr(v) if v.is_empty() => out.push_str("[]"),
            J::Obj(v) if v.is_empty() => out.push_str("{}"),
            J::Arr(v) => {
                out.push('[');
                for (i, x) in v.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    nl(out, ind + 2);
                    x.write(out, pretty, ind + 2);
                }
                nl(out, ind);
                out.push(']');
            }
            J::Obj(v) => {
                out.push('{');
                for (i, (k, x)) in v.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    nl(out, ind + 2);
                    out.push_str(k);
                    out.push(':');
                    if pretty {
                        out.push(' ');
                    }
                    x.write(out, pretty, ind + 2);
                }
                nl(out, ind);
                out.push('}');
            }
        }
    }
}

fn j_value(v: &Value) -> Option<(&'static str, J)> {
    Some(match v {
        Value::Missing => return None,
        Value::Empty | Value::Null => ("value", J::Raw("null".into())),
        Value::Plain(Word::True) => ("value", J::Raw("true".into())),
        Value::Plain(Word::False) => ("value", J::Raw("false".into())),
        Value::Plain(Word::One) => ("value", J::Raw("1".into())),
        Value::ValueFrom { field: true, .. } => (
            "valueFrom",
            obj(vec![(
                "fieldRef",
                obj(vec![("fieldPath", js("metadata.namespace"))]),
            )]),
        ),
        Value::ValueFrom { field: false, .. } => (
            "valueFrom",
            obj(vec![(
                "configMapKeyRef",
                obj(vec![("name", js("cfg")), ("key", js("k"))]),
            )]),
        ),
        Value::Plain(x)
        | Value::Single(x)
        | Value::Double(x)
        | Value::Anchored(x)
        | Value::StrTagged(x)
        | Value::LocalTagged(x)
        | Value::MultiLine(x)
        | Value::Block { word: x, .. } => ("value", js(x.text())),
        Value::Alias => ("value", js("aliased")),
    })
}

fn j_env(env: &Env) -> Option<J> {
    let entries = |es: &[Entry]| -> J {
        J::Arr(
            es.iter()
                .take(5)
                .map(|e| {
                    let mut kv = vec![(jkey("name", e.name_key), js(&entry_name(e)))];
                    if let Some((k, v)) = j_value(&e.value) {
                        let p = (jkey(k, e.value_key), v);
                        if e.name_after_value {
                            kv.insert(0, p);
                        } else {
                            kv.push(p);
                        }
                    }
                    J::Obj(kv)
                })
                .collect(),
        )
    };
    Some(match env {
        Env::Missing => return None,
        Env::NullEmpty
        | Env::NullTilde
        | Env::NullWord
        | Env::NullTildeComment
        | Env::NullEmptyComment => J::Raw("null".into()),
        Env::EmptyFlow | Env::EmptyFlowComment | Env::Alias => J::Arr(vec![]),
        Env::Block(es, _) | Env::Flow(es, _) => entries(es),
    })
}

fn j_containers(cs: &[Container], force: bool, init: bool) -> J {
    let mut out = Vec::new();
    for (i, c) in cs.iter().take(3).enumerate() {
        let name = if init && c.name != CName::Sidecar {
            "init"
        } else if (force && i == 0) || c.name != CName::Sidecar {
            "ml-pipeline-ui"
        } else {
            "sidecar"
        };
        let mut kv = vec![
            (json_str("name"), js(name)),
            (json_str("image"), js("gcr.io/ml-pipeline/frontend:2.5.0")),
        ];
        if let Some(env) = j_env(&c.env) {
            let p = (jkey("env", c.env_key), env);
            match c.env_position {
                EnvPos::First => kv.insert(0, p),
                EnvPos::AfterName => kv.insert(1, p),
                EnvPos::Last => kv.push(p),
            }
        }
        out.push(J::Obj(kv));
    }
    if out.is_empty() && force {
        out.push(obj(vec![
            ("name", js("ml-pipeline-ui")),
            ("image", js("gcr.io/ml-pipeline/frontend:2.5.0")),
        ]));
    }
    J::Arr(out)
}

fn j_tail(t: Tail) -> Option<(&'static str, J)> {
    match t {
        Tail::NullValue { .. } => Some((
            "volumes",
            J::Arr(vec![obj(vec![
                ("name", js("data")),
                ("emptyDir", J::Raw("null".into())),
            ])]),
        )),
        Tail::FlowItem { .. } => Some(("tolerations", J::Arr(vec![J::Obj(vec![])]))),
        Tail::EmptyFlowMap => Some(("nodeSelector", J::Obj(vec![]))),
        Tail::BlockScalar { .. } => Some(("hostname", js("ml-pipeline-ui\n"))),
        _ => None,
    }
}

fn j_item(it: Option<&Item>, force: bool, ns: Option<String>, tail: Option<Tail>) -> J {
    let (kind, name) = match it {
        Some(it) if !force => (it.kind, it.name),
        _ => (ItemKind::Deployment, ObjName::Ui),
    };
    let (api, kind_s) = match kind {
        ItemKind::Deployment => ("apps/v1", "Deployment"),
        ItemKind::StatefulSet => ("apps/v1", "StatefulSet"),
        ItemKind::ConfigMap => ("v1", "ConfigMap"),
        ItemKind::CustomDeployment => ("example.com/v1", "Deployment"),
    };
    let name = match name {
        ObjName::Ui => "ml-pipeline-ui",
        ObjName::Other => "ml-pipeline",
    };
    let mut meta = vec![(json_str("name"), js(name))];
    if let Some(ns) = ns {
        meta.push((json_str("namespace"), js(&ns)));
    }
    let mut kv = vec![
        ("apiVersion", js(api)),
        ("kind", js(kind_s)),
        ("metadata", J::Obj(meta)),
    ];
    if kind == ItemKind::ConfigMap {
        kv.push(("data", obj(vec![(VAR_NAME, js("false"))])));
        if let Some(t) = tail.and_then(j_tail) {
            kv.push(t);
        }
        return obj(kv);
    }
    let (containers, init) = match it {
        Some(it) => (
            j_containers(&it.containers, force, false),
            it.init_containers
                .as_ref()
                .map(|i| j_containers(i, false, true)),
        ),
        None => (
            J::Arr(vec![obj(vec![
                ("name", js("ml-pipeline-ui")),
                (
                    "env",
                    J::Arr(vec![obj(vec![
                        ("name", js(VAR_NAME)),
                        ("value", js("false")),
                    ])]),
                ),
            ])]),
            None,
        ),
    };
    let mut pod = Vec::new();
    if let Some(i) = init {
        pod.push(("initContainers", i));
    }
    pod.push(("containers", containers));
    if let Some((k, v)) = tail.and_then(j_tail) {
        pod.push((k, v));
    }
    kv.push((
        "spec",
        obj(vec![
            ("replicas", J::Raw("1".into())),
            ("template", obj(vec![("spec", obj(pod))])),
        ]),
    ));
    obj(kv)
}

const VAR_NAME: &str = "DISABLE_GKE_METADATA";

impl Doc {
    /// The document as a JSON ResourceList (pretty, as kpt and serde write
    /// it, or minified on one line).
    fn render_json(&self, pretty: bool) -> Rendered {
        let mut items: Vec<J> = Vec::new();
        let others: Vec<&Item> = self.items.iter().take(3).collect();
        let at = self.main_at as usize % (others.len() + 1);
        let n_extra = self.n_extra();
        let total = others.len() + 1 + n_extra;
        let mut k = 0;
        let push = |items: &mut Vec<J>, j: J| {
            items.push(j);
        };
        for (i, o) in others.iter().enumerate() {
            if i == at {
                k += 1;
                let tail = if k == total { Some(self.tail) } else { None };
                push(&mut items, j_item(Some(&self.main), true, None, tail));
                for e in 0..n_extra {
                    k += 1;
                    let tail = if k == total { Some(self.tail) } else { None };
                    push(
                        &mut items,
                        j_item(None, true, Some(format!("team-{e}")), tail),
                    );
                }
            }
            k += 1;
            let tail = if k == total { Some(self.tail) } else { None };
            push(&mut items, j_item(Some(o), false, None, tail));
        }
        if at >= others.len() {
            k += 1;
            let tail = if k == total { Some(self.tail) } else { None };
            push(&mut items, j_item(Some(&self.main), true, None, tail));
            for e in 0..n_extra {
                k += 1;
                let tail = if k == total { Some(self.tail) } else { None };
                push(
                    &mut items,
                    j_item(None, true, Some(format!("team-{e}")), tail),
                );
            }
        }
        let api = if self.wrapper == Wrapper::ResourceListV1Beta1 {
            "config.kubernetes.io/v1beta1"
        } else {
            "config.kubernetes.io/v1"
        };
        let mut top = vec![("apiVersion", js(api)), ("kind", js("ResourceList"))];
        let results = match self.prior_results {
            PriorResults::None => None,
            PriorResults::Block | PriorResults::Flow => Some(J::Arr(vec![obj(vec![
                ("message", js("earlier")),
                ("severity", js("info")),
            ])])),
            PriorResults::FlowEmpty => Some(J::Arr(vec![])),
            PriorResults::Empty | PriorResults::NullComment => Some(J::Raw("null".into())),
        };
        if self.prior_results_first {
            if let Some(r) = results {
                top.push(("results", r));
            }
            top.push(("items", J::Arr(items)));
        } else {
            top.push(("items", J::Arr(items)));
            if let Some(r) = results {
                top.push(("results", r));
            }
        }
        if !matches!(self.fn_config, FnConfig::None) {
            top.push((
                "functionConfig",
                obj(vec![
                    ("apiVersion", js("v1")),
                    ("kind", js("ConfigMap")),
                    ("metadata", obj(vec![("name", js("function-input"))])),
                    (
                        "data",
                        obj(vec![("value", js("true")), ("policy", js("override"))]),
                    ),
                ]),
            ));
        }
        let mut text = String::new();
        obj(top).write(&mut text, pretty, 0);
        if self.final_newline {
            text.push('\n');
        }
        if self.crlf && pretty {
            text = text.replace('\n', "\r\n");
        }
        Rendered {
            text,
            expect_success: true,
        }
    }
}

/// Builds a document from fuzz bytes.
pub fn generate(u: &mut Unstructured<'_>) -> Result<Rendered> {
    let doc = Doc::arbitrary(u)?;
    Ok(doc.render())
}
