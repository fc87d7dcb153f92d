//! The spanned view of a YAML stream: an arena of nodes that know the byte range of their
//! text, built by [`Tree::parse`] for the paths a [`Keep`](crate::Keep) names.
//!
//! Nodes are stored in pre-order, so a node's subtree is a contiguous range of ids. Reading
//! the tree by [`Node`] sees the text as written (an alias is an alias); reading it by
//! [`Cursor`] sees it as Kubernetes' readers do: aliases resolved, `<<` merge keys applied,
//! with the path each node has in that expanded reading.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use crate::path::{Path, Seg};
use crate::scalar::{self, Style, Tag};
use crate::text::Text;

/// The index of a node in its [`Tree`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub(crate) u32);

pub(crate) const NONE: u32 = u32::MAX;

/// What a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A scalar.
    Scalar,
    /// A mapping.
    Map,
    /// A sequence.
    Seq,
    /// An alias (`*name`).
    Alias,
    /// A node checked while parsing but not kept: only its span is known.
    Skipped,
}

const K_SCALAR: u32 = 0;
const K_MAP: u32 = 1;
const K_SEQ: u32 = 2;
const K_ALIAS: u32 = 3;
const K_SKIPPED: u32 = 4;
const FLOW: u32 = 1 << 3;
pub(crate) const OWNED_BIT: u32 = 1 << 4;
pub(crate) const PROPS_BIT: u32 = 1 << 5;
/// The node's text ends with a block scalar (it is one, or its last child ends with one).
pub(crate) const ENDS_BLOCK_BIT: u32 = 1 << 6;
const OWNED: u32 = OWNED_BIT;
const PROPS: u32 = PROPS_BIT;
const STYLE_SHIFT: u32 = 8;
const TAG_SHIFT: u32 = 12;

#[derive(Clone, Copy, Debug)]
pub(crate) struct NodeData {
    pub start: u32,
    pub end: u32,
    pub raw_end: u32,
    pub parent: u32,
    /// Scalar: value offset (or index into `strings` when OWNED). Collection: subtree size.
    pub a: u32,
    /// Scalar: value length. Collection: number of children (keys and values for a map).
    pub b: u32,
    pub meta: u32,
}

impl NodeData {
    pub(crate) fn kind(&self) -> NodeKind {
        match self.meta & 7 {
            K_SCALAR => NodeKind::Scalar,
            K_MAP => NodeKind::Map,
            K_SEQ => NodeKind::Seq,
            K_ALIAS => NodeKind::Alias,
            _ => NodeKind::Skipped,
        }
    }

    pub(crate) fn size(&self) -> u32 {
        match self.meta & 7 {
            K_MAP | K_SEQ | K_SKIPPED => self.a.max(1),
            _ => 1,
        }
    }

    pub(crate) fn meta(kind: NodeKind, flow: bool, style: Style, tag: Tag) -> u32 {
        let k = match kind {
            NodeKind::Scalar => K_SCALAR,
            NodeKind::Map => K_MAP,
            NodeKind::Seq => K_SEQ,
            NodeKind::Alias => K_ALIAS,
            NodeKind::Skipped => K_SKIPPED,
        };
        let s = match style {
            Style::Plain => 0,
            Style::SingleQuoted => 1,
            Style::DoubleQuoted => 2,
            Style::Literal => 3,
            Style::Folded => 4,
        };
        let t = match tag {
            Tag::None => 0,
            Tag::Str => 1,
            Tag::Int => 2,
            Tag::Bool => 3,
            Tag::Float => 4,
            Tag::Null => 5,
            Tag::Other => 6,
        };
        k | if flow { FLOW } else { 0 } | (s << STYLE_SHIFT) | (t << TAG_SHIFT)
    }
}

/// Anchor and tag properties of a node (rare, so kept aside).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Props {
    /// Start of the first property (`&a` or `!t`).
    pub start: u32,
    /// The `&name` token.
    pub anchor_span: Option<(u32, u32)>,
    /// The parser's anchor id, or 0.
    pub anchor: u32,
}

/// Where an anchor is defined.
#[derive(Clone, Debug)]
pub(crate) struct AnchorDef {
    pub doc: usize,
    pub node: Option<NodeId>,
    /// Textual path from the document root.
    pub path: Vec<Seg>,
    pub offset: u32,
}

/// Where an alias is.
#[derive(Clone, Debug)]
pub(crate) struct AliasSite {
    pub anchor: u32,
    pub doc: usize,
    /// Textual path from the document root (for a merge source, the path of the mapping
    /// that merges it).
    pub path: Vec<Seg>,
    /// The alias is (an item of) the value of a `<<` merge key.
    pub merge: bool,
}

/// One document of the stream.
#[derive(Clone, Debug)]
pub(crate) struct DocInfo {
    pub root: Option<NodeId>,
    /// Where the document's content ends: the start of `...`, of the next `---`, or the end.
    pub end: u32,
}

/// A parsed YAML stream: every document, with the kept parts as a tree of spanned nodes.
///
/// [`Tree::parse`] checks the whole text (syntax, duplicate keys, depth, alias expansion)
/// and keeps nodes for what its [`Keep`](crate::Keep) names. Read it through [`Node`]s (as written) or
/// [`Cursor`]s (as Kubernetes' readers read it):
///
/// ```
/// use krm_splice::{Keep, Limits, NodeKind, Seg, Text, Tree};
/// let src = "kind: ConfigMap\nmetadata:\n  name: a\n  uid: x1\ndata:\n  k: v\n";
/// let tree = Tree::parse(Text::new(src), &Keep::new(), &Limits::default())?;
/// let obj = tree.cursor(0).ok_or("empty")?;
/// assert_eq!(obj.str_at("kind"), Some("ConfigMap"));
/// let meta = obj.get("metadata").ok_or("no metadata")?;
/// assert_eq!(meta.str_at("name"), Some("a")); // kept: the object's identity
/// // Not kept (Keep::new keeps no data and no uid): checked, spanned, not built.
/// assert_eq!(meta.get("uid").map(|c| c.node().kind()), Some(NodeKind::Skipped));
/// let data = obj.get("data").ok_or("no data")?;
/// assert_eq!(data.node().kind(), NodeKind::Skipped);
/// assert_eq!(&src[data.node().start()..data.node().end()], "k: v");
/// assert_eq!(meta.path().segs(), [Seg::key("metadata")]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Tree<'a> {
    pub(crate) text: Text<'a>,
    pub(crate) nodes: Vec<NodeData>,
    pub(crate) strings: Vec<Box<str>>,
    pub(crate) props: HashMap<u32, Props>,
    pub(crate) docs: Vec<DocInfo>,
    pub(crate) anchors: HashMap<u32, AnchorDef>,
    pub(crate) aliases: Vec<AliasSite>,
    /// Parentless nodes: document roots and anchored nodes kept out of a skipped subtree,
    /// with their document and textual path.
    pub(crate) tops: HashMap<u32, (usize, Vec<Seg>)>,
    /// Offsets of NEL, LS and PS outside quoted scalars.
    pub(crate) yaml11_breaks: Vec<u32>,
}

impl<'a> Tree<'a> {
    /// The text the tree was parsed from.
    pub fn text(&self) -> &Text<'a> {
        &self.text
    }

    /// How many nodes the tree keeps (a measure of its memory: a few dozen bytes each).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The number of documents in the stream.
    pub fn documents(&self) -> usize {
        self.docs.len()
    }

    /// A document's root node (`None` for an empty document).
    pub fn root(&self, doc: usize) -> Option<Node<'_, 'a>> {
        self.docs
            .get(doc)
            .and_then(|d| d.root)
            .map(|id| self.node(id))
    }

    /// A cursor on a document's root.
    pub fn cursor(&self, doc: usize) -> Option<Cursor<'_, 'a>> {
        let root = self.root(doc)?;
        Some(Cursor {
            node: root,
            site: root.id,
            key: None,
            doc,
            path: Trail::default(),
            tpath: Trail::default(),
            merged: false,
        })
    }

    /// The offset where a document's content ends (the start of `...`, of the next
    /// document's `---`, or the end of the text).
    pub fn document_end(&self, doc: usize) -> usize {
        self.docs
            .get(doc)
            .map_or(self.text.len(), |d| d.end as usize)
    }

    /// The node with this id.
    pub fn node(&self, id: NodeId) -> Node<'_, 'a> {
        Node { tree: self, id }
    }

    pub(crate) fn data(&self, id: NodeId) -> &NodeData {
        &self.nodes[id.0 as usize]
    }

    /// The node an alias refers to (`None` when `id` is not an alias or its anchor is not
    /// kept).
    pub fn resolve(&self, id: NodeId) -> Option<Node<'_, 'a>> {
        let d = self.data(id);
        if d.kind() != NodeKind::Alias {
            return None;
        }
        self.anchors
            .get(&d.a)
            .and_then(|a| a.node)
            .map(|n| self.node(n))
    }

    /// Whether some alias refers to the anchor on this node.
    pub fn is_aliased(&self, id: NodeId) -> bool {
        self.props
            .get(&id.0)
            .is_some_and(|p| p.anchor != 0 && self.aliases.iter().any(|a| a.anchor == p.anchor))
    }

    /// The document and textual path of a node (its place in the text, not through aliases).
    pub fn text_path(&self, id: NodeId) -> (usize, Path) {
        let mut segs = Vec::new();
        let mut at = id;
        loop {
            let d = self.data(at);
            if d.parent == NONE {
                let (doc, base) = self.tops.get(&at.0).cloned().unwrap_or((0, Vec::new()));
                segs.reverse();
                let mut p = base;
                p.extend(segs);
                return (doc, Path(p));
            }
            let parent = NodeId(d.parent);
            let pd = self.data(parent);
            let mut child = parent.0 + 1;
            let mut i = 0usize;
            while child != at.0 {
                child += self.nodes[child as usize].size();
                i += 1;
            }
            match pd.kind() {
                NodeKind::Map if i % 2 == 1 => {
                    let k = self.node(key_before(self, parent, i));
                    segs.push(Seg::Key(k.scalar().unwrap_or("?").into()));
                }
                // A node inside a key: not a place a path can name.
                NodeKind::Map => segs.push(Seg::Key("?".into())),
                _ => segs.push(Seg::Index(i)),
            }
            at = parent;
        }
    }

    /// Every place (document, path through aliases) where the node at textual path
    /// `tpath` of `doc` appears in the expanded reading.
    pub(crate) fn occurrences(
        &self,
        doc: usize,
        tpath: &Path,
        limit: usize,
    ) -> Result<Vec<Path>, OccurrenceError> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![tpath.0.clone()];
        while let Some(p) = stack.pop() {
            if !seen.insert(p.clone()) {
                continue;
            }
            if seen.len() > limit {
                return Err(OccurrenceError::TooMany);
            }
            for (aid, def) in &self.anchors {
                if def.doc != doc || !p.starts_with(&def.path) {
                    continue;
                }
                let rest = &p[def.path.len()..];
                for site in self
                    .aliases
                    .iter()
                    .filter(|s| s.anchor == *aid && s.doc == doc)
                {
                    if site.merge {
                        return Err(OccurrenceError::Merged {
                            at: def.offset,
                            into: Path(site.path.clone()),
                        });
                    }
                    let mut q = site.path.clone();
                    q.extend_from_slice(rest);
                    stack.push(q);
                }
            }
            out.push(Path(p));
        }
        out.sort();
        Ok(out)
    }

    /// Offsets of NEL, LS and PS (YAML 1.1 line breaks) outside quoted scalars, in
    /// `from..to`.
    pub(crate) fn yaml11_break_in(&self, from: usize, to: usize) -> Option<usize> {
        let i = self.yaml11_breaks.partition_point(|&b| (b as usize) < from);
        self.yaml11_breaks
            .get(i)
            .map(|&b| b as usize)
            .filter(|&b| b < to)
    }
}

fn key_before(tree: &Tree, parent: NodeId, value_index: usize) -> NodeId {
    let mut child = parent.0 + 1;
    for _ in 0..value_index - 1 {
        child += tree.nodes[child as usize].size();
    }
    NodeId(child)
}

#[derive(Debug)]
pub(crate) enum OccurrenceError {
    TooMany,
    /// The node is (inside) an anchored node merged with `<<` into the mapping at `into`.
    Merged {
        at: u32,
        into: Path,
    },
}

/// A node as written in the text.
#[derive(Clone, Copy, Debug)]
pub struct Node<'t, 'a> {
    tree: &'t Tree<'a>,
    id: NodeId,
}

impl<'t, 'a> Node<'t, 'a> {
    fn d(&self) -> &'t NodeData {
        &self.tree.nodes[self.id.0 as usize]
    }

    /// Its id.
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// The tree it belongs to.
    pub fn tree(&self) -> &'t Tree<'a> {
        self.tree
    }

    /// What it is.
    pub fn kind(&self) -> NodeKind {
        self.d().kind()
    }

    /// A flow collection (`[...]`, `{...}`).
    pub fn is_flow(&self) -> bool {
        self.d().meta & FLOW != 0
    }

    /// A mapping.
    pub fn is_map(&self) -> bool {
        self.kind() == NodeKind::Map
    }

    /// A sequence.
    pub fn is_seq(&self) -> bool {
        self.kind() == NodeKind::Seq
    }

    /// The scalar's style (`Plain` for any other node).
    pub fn style(&self) -> Style {
        match (self.d().meta >> STYLE_SHIFT) & 7 {
            1 => Style::SingleQuoted,
            2 => Style::DoubleQuoted,
            3 => Style::Literal,
            4 => Style::Folded,
            _ => Style::Plain,
        }
    }

    /// Its explicit tag.
    pub fn tag(&self) -> Tag {
        match (self.d().meta >> TAG_SHIFT) & 7 {
            1 => Tag::Str,
            2 => Tag::Int,
            3 => Tag::Bool,
            4 => Tag::Float,
            5 => Tag::Null,
            6 => Tag::Other,
            _ => Tag::None,
        }
    }

    /// A scalar's value, after unquoting and escapes.
    pub fn scalar(&self) -> Option<&'t str> {
        let d = self.d();
        if d.kind() != NodeKind::Scalar {
            return None;
        }
        if d.meta & OWNED != 0 {
            return self.tree.strings.get(d.a as usize).map(|s| &**s);
        }
        self.tree
            .text
            .src()
            .get(d.a as usize..(d.a as usize + d.b as usize))
    }

    /// A scalar that every reader takes as a null.
    pub fn is_null(&self) -> bool {
        self.scalar()
            .is_some_and(|v| scalar::is_null(v, self.style(), self.tag()))
    }

    /// A scalar that every reader takes as a string.
    pub fn is_string(&self) -> bool {
        self.scalar()
            .is_some_and(|v| scalar::reads_as_string(v, self.style(), self.tag()))
    }

    /// A scalar's value as JSON, typed as Kubernetes' readers type it (YAML 1.2 core: a
    /// quoted or `!!str` scalar is a string; plain `true`, `1`, `~` are a bool, a number,
    /// null). `None` for anything that is not a scalar, or a plain scalar the readers type
    /// differently (`yes`, `0644`, `1_000`), or a tag other than a core one.
    pub fn json_scalar(&self) -> Option<serde_json::Value> {
        use serde_json::Value as J;
        let v = self.scalar()?;
        if self.is_string() {
            return Some(J::String(v.to_owned()));
        }
        match (self.tag(), self.style()) {
            (Tag::None, Style::Plain) => match scalar::plain_class(v) {
                scalar::PlainClass::Null => Some(J::Null),
                scalar::PlainClass::Bool => Some(J::Bool(v.eq_ignore_ascii_case("true"))),
                scalar::PlainClass::Number => {
                    if !v.bytes().all(|b| b.is_ascii_digit() || b == b'-')
                        || v.starts_with('0') && v.len() > 1
                    {
                        return None;
                    }
                    v.parse::<i64>().ok().map(J::from)
                }
                scalar::PlainClass::Str => None,
            },
            _ => None,
        }
    }

    /// A block scalar (`|`, `>`).
    pub fn is_block_scalar(&self) -> bool {
        self.kind() == NodeKind::Scalar && self.style().is_block()
    }

    /// Whether its text ends with a block scalar (`|`, `>`): it is one, or its last child
    /// ends with one. A line added after it at the end of a text without a final line break
    /// would end it with one, which changes its value.
    pub fn ends_in_block_scalar(&self) -> bool {
        self.d().meta & ENDS_BLOCK_BIT != 0
    }

    /// First byte of its content (a flow collection's bracket, a scalar's quote; a block
    /// scalar's first content byte, after its header).
    pub fn start(&self) -> usize {
        self.d().start as usize
    }

    /// One past its last byte of content (block scalars: trailing blank lines excluded).
    pub fn end(&self) -> usize {
        self.d().end as usize
    }

    /// One past the last byte the parser consumed for it (past a block scalar's trailing
    /// line breaks).
    pub fn raw_end(&self) -> usize {
        self.d().raw_end as usize
    }

    /// The start including its properties (`&anchor`, `!tag`).
    pub fn full_start(&self) -> usize {
        match self.props() {
            Some(p) => (p.start as usize).min(self.start()),
            None => self.start(),
        }
    }

    pub(crate) fn props(&self) -> Option<&'t Props> {
        if self.d().meta & PROPS == 0 {
            return None;
        }
        self.tree.props.get(&self.id.0)
    }

    /// The `&name` token, if the node has an anchor.
    pub fn anchor_span(&self) -> Option<(usize, usize)> {
        self.props()
            .and_then(|p| p.anchor_span)
            .map(|(a, b)| (a as usize, b as usize))
    }

    /// Whether the node has an anchor some alias refers to.
    pub fn is_aliased(&self) -> bool {
        self.tree.is_aliased(self.id)
    }

    /// Its parent, when it has one in the tree.
    pub fn parent(&self) -> Option<Node<'t, 'a>> {
        let p = self.d().parent;
        (p != NONE).then(|| self.tree.node(NodeId(p)))
    }

    /// Number of items (sequence) or entries (mapping); 0 for anything else.
    pub fn len(&self) -> usize {
        match self.kind() {
            NodeKind::Map => self.d().b as usize / 2,
            NodeKind::Seq => self.d().b as usize,
            _ => 0,
        }
    }

    /// Whether [`len`](Self::len) is 0.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn children(&self) -> Children<'t, 'a> {
        let d = self.d();
        let n = match d.kind() {
            NodeKind::Map | NodeKind::Seq => d.b,
            _ => 0,
        };
        Children {
            tree: self.tree,
            next: self.id.0 + 1,
            left: n,
        }
    }

    /// A sequence's items.
    pub fn items(&self) -> impl Iterator<Item = Node<'t, 'a>> {
        let seq = self.is_seq();
        self.children().filter(move |_| seq)
    }

    /// A mapping's entries, as written (`<<` included).
    pub fn entries(&self) -> Entries<'t, 'a> {
        Entries {
            inner: if self.is_map() {
                self.children()
            } else {
                Children {
                    tree: self.tree,
                    next: 0,
                    left: 0,
                }
            },
        }
    }

    /// The entry with key `key` (compared as the scalar's value), as written: no alias
    /// resolution, no merge keys.
    pub fn entry(&self, key: &str) -> Option<(Node<'t, 'a>, Node<'t, 'a>)> {
        self.entries()
            .find(|(k, _)| k.scalar() == Some(key) && !k.is_merge_key())
    }

    /// The value of `key`, as written.
    pub fn get(&self, key: &str) -> Option<Node<'t, 'a>> {
        self.entry(key).map(|(_, v)| v)
    }

    /// A plain `<<` key.
    pub fn is_merge_key(&self) -> bool {
        self.style() == Style::Plain && self.tag() == Tag::None && self.scalar() == Some("<<")
    }

    /// Whether a mapping has a `<<` merge key.
    pub fn has_merge_key(&self) -> bool {
        self.entries().any(|(k, _)| k.is_merge_key())
    }

    /// The last item or value, whatever its kind.
    pub fn last_child(&self) -> Option<Node<'t, 'a>> {
        self.children().last()
    }

    /// The first item, or first key.
    pub fn first_child(&self) -> Option<Node<'t, 'a>> {
        self.children().next()
    }

    /// Whether `other` lies inside this node's subtree (or is it).
    pub fn contains(&self, other: NodeId) -> bool {
        let d = self.d();
        other.0 >= self.id.0 && other.0 < self.id.0 + d.size()
    }
}

/// Children of a collection in order (for a mapping: key, value, key, value...).
#[derive(Clone)]
pub struct Children<'t, 'a> {
    tree: &'t Tree<'a>,
    next: u32,
    left: u32,
}

impl<'t, 'a> Iterator for Children<'t, 'a> {
    type Item = Node<'t, 'a>;
    fn next(&mut self) -> Option<Node<'t, 'a>> {
        if self.left == 0 {
            return None;
        }
        let id = NodeId(self.next);
        self.next += self.tree.nodes.get(self.next as usize)?.size();
        self.left -= 1;
        Some(self.tree.node(id))
    }
}

/// A mapping's entries as (key, value) pairs.
#[derive(Clone)]
pub struct Entries<'t, 'a> {
    inner: Children<'t, 'a>,
}

impl<'t, 'a> Iterator for Entries<'t, 'a> {
    type Item = (Node<'t, 'a>, Node<'t, 'a>);
    fn next(&mut self) -> Option<Self::Item> {
        let k = self.inner.next()?;
        let v = self.inner.next()?;
        Some((k, v))
    }
}

/// A node as Kubernetes' readers see it: reached from a document root through keys and
/// indexes, with aliases resolved and `<<` merge keys applied. It knows its path in that
/// expanded reading ([`path`](Self::path)) and where its text is
/// ([`text_path`](Self::text_path), [`node`](Self::node), [`site`](Self::site)).
///
/// The [`Editor`](crate::Editor) takes cursors: the place an edit is asked for is a place
/// of the expanded reading, and the editor maps it back to the text.
///
/// ```
/// use krm_splice::{Keep, Limits, Text, Tree};
/// let src = "base: &b {team: web}\nsvc:\n  labels: *b\nmerged:\n  <<: *b\n  tier: 1\n";
/// let tree = Tree::parse(Text::new(src), &Keep::all(), &Limits::default())?;
/// let root = tree.cursor(0).ok_or("empty")?;
/// let labels = root.get("svc").and_then(|s| s.get("labels")).ok_or("no labels")?;
/// assert!(labels.via_alias()); // the text there is `*b`; the cursor reads `{team: web}`
/// assert_eq!(labels.str_at("team"), Some("web"));
/// assert_eq!(labels.path().to_string(), "svc.labels");
/// assert_eq!(labels.text_path().to_string(), "base"); // where its text is
/// let merged = root.get("merged").ok_or("no merged")?;
/// let keys: Vec<&str> = merged.entries().into_iter().map(|(k, _)| k).collect();
/// assert_eq!(keys, ["tier", "team"]); // its own entries, then what it merges
/// assert!(merged.get("team").is_some_and(|c| c.via_merge()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Cursor<'t, 'a> {
    node: Node<'t, 'a>,
    /// The node written at this place: the same as `node`, or the alias that led to it.
    site: NodeId,
    /// The key of this place, when it is a mapping value.
    key: Option<NodeId>,
    doc: usize,
    path: Trail,
    /// Textual path of `node` (its own place in the text).
    tpath: Trail,
    /// Reached through a `<<` merge key.
    merged: bool,
}

/// A path kept as a shared chain of steps, so that a cursor steps to a child without copying
/// its path; keys are named by their key nodes.
#[derive(Clone, Debug, Default)]
struct Trail(Option<Rc<Link>>);

#[derive(Debug)]
enum Link {
    Base(Vec<Seg>),
    Key(Trail, NodeId),
    Index(Trail, usize),
}

impl Trail {
    fn base(p: Vec<Seg>) -> Trail {
        Trail(Some(Rc::new(Link::Base(p))))
    }

    fn key(&self, k: NodeId) -> Trail {
        Trail(Some(Rc::new(Link::Key(self.clone(), k))))
    }

    fn index(&self, i: usize) -> Trail {
        Trail(Some(Rc::new(Link::Index(self.clone(), i))))
    }

    fn to_path(&self, tree: &Tree) -> Path {
        let mut segs = Vec::new();
        let mut at = self;
        let base = loop {
            match at.0.as_deref() {
                None => break &[][..],
                Some(Link::Base(p)) => break &p[..],
                Some(Link::Key(up, k)) => {
                    segs.push(Seg::Key(tree.node(*k).scalar().unwrap_or("?").into()));
                    at = up;
                }
                Some(Link::Index(up, i)) => {
                    segs.push(Seg::Index(*i));
                    at = up;
                }
            }
        };
        let mut p = base.to_vec();
        p.extend(segs.into_iter().rev());
        Path(p)
    }
}

impl<'t, 'a> Cursor<'t, 'a> {
    /// The node (an alias resolved to its anchored node).
    pub fn node(&self) -> Node<'t, 'a> {
        self.node
    }

    /// The node written at this place (an alias when the place holds one).
    pub fn site(&self) -> Node<'t, 'a> {
        self.node.tree.node(self.site)
    }

    /// The key of this place, when it is a mapping value.
    pub fn key(&self) -> Option<Node<'t, 'a>> {
        self.key.map(|k| self.node.tree.node(k))
    }

    /// Whether this place holds an alias.
    pub fn via_alias(&self) -> bool {
        self.site != self.node.id
    }

    /// Whether it was reached through a `<<` merge key.
    pub fn via_merge(&self) -> bool {
        self.merged
    }

    /// The document.
    pub fn doc(&self) -> usize {
        self.doc
    }

    /// Its path from the document root, in the expanded reading.
    pub fn path(&self) -> Path {
        self.path.to_path(self.node.tree)
    }

    /// The node's own path in the text (differs from [`path`](Self::path) below an alias).
    pub fn text_path(&self) -> Path {
        self.tpath.to_path(self.node.tree)
    }

    /// A cursor on `node`, reached from this one by the key node `key` (or the index `i`).
    fn at(&self, node: Node<'t, 'a>, key: Option<NodeId>, i: usize, merged: bool) -> Self {
        let tree = node.tree;
        let step = |t: &Trail| match key {
            Some(k) => t.key(k),
            None => t.index(i),
        };
        let (node, site, tpath) = match tree.resolve(node.id) {
            Some(target) => {
                let tp = tree
                    .anchors
                    .get(&tree.data(node.id).a)
                    .map(|d| Trail::base(d.path.clone()))
                    .unwrap_or_default();
                (target, node.id, tp)
            }
            None => (node, node.id, step(&self.tpath)),
        };
        Cursor {
            node,
            site,
            key,
            doc: self.doc,
            path: step(&self.path),
            tpath,
            merged: self.merged || merged,
        }
    }

    /// The value of `key` (its own entry first, then the mappings it merges, in order).
    pub fn get(&self, key: &str) -> Option<Cursor<'t, 'a>> {
        self.lookup(key, 0).map(|(k, v, merged)| {
            let mut c = self.at(v, Some(k.id), 0, merged);
            if merged && !c.via_alias() {
                c.tpath = Trail::base(v.tree.text_path(v.id).1 .0);
            }
            c
        })
    }

    fn lookup(&self, key: &str, depth: usize) -> Option<(Node<'t, 'a>, Node<'t, 'a>, bool)> {
        if let Some((k, v)) = self.node.entry(key) {
            return Some((k, v, depth > 0));
        }
        if depth > 16 {
            return None;
        }
        let tree = self.node.tree;
        for (k, v) in self.node.entries() {
            if !k.is_merge_key() {
                continue;
            }
            let sources: Vec<Node> = match v.kind() {
                NodeKind::Seq => v.items().collect(),
                _ => vec![v],
            };
            for s in sources {
                let s = tree.resolve(s.id).unwrap_or(s);
                if !s.is_map() {
                    continue;
                }
                let inner = Cursor {
                    node: s,
                    site: s.id,
                    key: None,
                    doc: self.doc,
                    path: self.path.clone(),
                    tpath: Trail::base(tree.text_path(s.id).1 .0),
                    merged: true,
                };
                if let Some((k, v, _)) = inner.lookup(key, depth + 1) {
                    return Some((k, v, true));
                }
            }
        }
        None
    }

    /// A string value of `key` (any scalar's value).
    pub fn str_at(&self, key: &str) -> Option<&'t str> {
        self.get(key).and_then(|c| c.node.scalar())
    }

    /// A sequence's items.
    pub fn items(&self) -> impl Iterator<Item = Cursor<'t, 'a>> + '_ {
        self.node
            .items()
            .enumerate()
            .map(move |(i, n)| self.at(n, None, i, false))
    }

    /// A sequence's item at `index`.
    pub fn item(&self, index: usize) -> Option<Cursor<'t, 'a>> {
        let n = self.node.items().nth(index)?;
        Some(self.at(n, None, index, false))
    }

    /// The number of items (sequence) or entries as written (mapping).
    pub fn len(&self) -> usize {
        self.node.len()
    }

    /// Whether [`len`](Self::len) is 0.
    pub fn is_empty(&self) -> bool {
        self.node.is_empty()
    }

    /// A mapping's entries as readers see them: its own (`<<` excluded), then those it merges
    /// that it does not override. Keys that are not scalars are left out.
    pub fn entries(&self) -> Vec<(&'t str, Cursor<'t, 'a>)> {
        let mut out: Vec<(&'t str, Cursor<'t, 'a>)> = Vec::new();
        for (k, v) in self.node.entries() {
            if k.is_merge_key() {
                continue;
            }
            if let Some(ks) = k.scalar() {
                out.push((ks, self.at(v, Some(k.id), 0, false)));
            }
        }
        if self.node.has_merge_key() {
            let mut seen: HashSet<&str> = out.iter().map(|(k, _)| *k).collect();
            let mut names = Vec::new();
            self.merged_keys(self.node, &mut names, 0);
            for ks in names {
                if seen.insert(ks) {
                    if let Some(c) = self.get(ks) {
                        out.push((ks, c));
                    }
                }
            }
        }
        out
    }

    fn merged_keys(&self, m: Node<'t, 'a>, out: &mut Vec<&'t str>, depth: usize) {
        if depth > 16 {
            return;
        }
        let tree = m.tree;
        for (k, v) in m.entries() {
            if !k.is_merge_key() {
                continue;
            }
            let sources: Vec<Node> = match v.kind() {
                NodeKind::Seq => v.items().collect(),
                _ => vec![v],
            };
            for s in sources {
                let s = tree.resolve(s.id).unwrap_or(s);
                for (k2, _) in s.entries() {
                    if let Some(ks) = k2.scalar().filter(|_| !k2.is_merge_key()) {
                        out.push(ks);
                    }
                }
                self.merged_keys(s, out, depth + 1);
            }
        }
    }
}

/// Where a scalar's value lies in the text, when the parser gave it as a slice of the text
/// (no unquoting or escapes changed it).
pub(crate) fn value_ref(src: &str, v: &str) -> Option<(u32, u32)> {
    let base = src.as_ptr() as usize;
    let p = v.as_ptr() as usize;
    (p >= base && p + v.len() <= base + src.len()).then(|| ((p - base) as u32, v.len() as u32))
}
