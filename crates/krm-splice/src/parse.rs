//! Build a [`Tree`] from the parser's events. Every byte is checked (syntax, duplicate keys
//! as any Kubernetes reader compares them, depth, alias expansion); only what the [`Keep`]
//! names is materialized. Iterative (an explicit stack), so no input can overflow the call
//! stack.

use std::borrow::Cow;
use std::collections::HashMap;

use granit_parser::{Event, Parser, StructureStyle};

use crate::error::{InputError, Limits};
use crate::keep::{Keep, Level};
use crate::path::Seg;
use crate::scalar::{self, Style, Tag};
use crate::text::Text;
use crate::tree::{
    value_ref, AliasSite, AnchorDef, DocInfo, NodeData, NodeId, NodeKind, Props, Tree,
    ENDS_BLOCK_BIT, NONE, OWNED_BIT, PROPS_BIT,
};

/// How many times its own size a document may expand to through aliases (beyond
/// [`Limits::max_alias_expansion`]) before it is taken for an alias bomb.
const ALIAS_RATIO: u64 = 10;

/// A mapping or sequence being built.
struct Frame<'a> {
    /// The node, when it is in the tree.
    id: Option<u32>,
    is_map: bool,
    flow: bool,
    level: Level,
    /// A mapping has its key and waits for the value.
    awaiting_value: bool,
    /// The pending key's value (mappings), for choosing what to keep and for paths.
    key: Option<Cow<'a, str>>,
    /// The pending key is a plain `<<`.
    merge_key: bool,
    /// Items so far (sequences) or entries so far (mappings).
    count: u32,
    keys: KeySet,
    end: u32,
    raw_end: u32,
    /// Its last child so far ends in a block scalar.
    ends_block: bool,
    /// Nodes in the subtree with aliases expanded (saturating).
    expanded: u64,
}

struct Builder<'t, 'a> {
    text: &'t Text<'a>,
    src: &'a str,
    keep: &'t Keep,
    limits: &'t Limits,
    nodes: Vec<NodeData>,
    strings: Vec<Box<str>>,
    props: HashMap<u32, Props>,
    anchors: HashMap<u32, AnchorDef>,
    aliases: Vec<AliasSite>,
    tops: HashMap<u32, (usize, Vec<Seg>)>,
    stack: Vec<Frame<'a>>,
    root: Option<NodeId>,
    doc: usize,
    expanded_total: u64,
    /// Nodes written in the current document (aliases count one each).
    doc_nodes: u64,
    anchor_sizes: HashMap<usize, u64>,
    /// Identities of anchored scalars, for alias keys.
    anchor_keys: HashMap<usize, u64>,
    /// The last node completed or opened, for a following anchor event.
    last: Option<u32>,
    /// Quoted scalars' spans that hold a YAML 1.1 line break (those are not ambiguous).
    quoted_spans: Vec<(u32, u32)>,
}

impl<'a> Tree<'a> {
    /// Parse `text`, keeping what `keep` names of each object.
    pub fn parse(text: Text<'a>, keep: &Keep, limits: &Limits) -> Result<Tree<'a>, InputError> {
        parse(text, keep, limits)
    }
}

fn parse<'a>(text: Text<'a>, keep: &Keep, limits: &Limits) -> Result<Tree<'a>, InputError> {
    let breaks = text.yaml11_breaks();
    let (nodes, strings, props, anchors, aliases, tops, docs, quoted) = {
        let mut b = Builder {
            text: &text,
            src: text.src(),
            keep,
            limits,
            // One allocation up front (its untouched tail costs no memory): growing a
            // large vector by copying would leave the old copies behind.
            nodes: Vec::with_capacity(text.len() / 12 + 64),
            strings: Vec::new(),
            props: HashMap::new(),
            anchors: HashMap::new(),
            aliases: Vec::new(),
            tops: HashMap::new(),
            stack: Vec::new(),
            root: None,
            doc: 0,
            expanded_total: 0,
            doc_nodes: 0,
            anchor_sizes: HashMap::new(),
            anchor_keys: HashMap::new(),
            last: None,
            quoted_spans: Vec::new(),
        };
        let docs = b.run(!breaks.is_empty())?;
        (
            b.nodes,
            b.strings,
            b.props,
            b.anchors,
            b.aliases,
            b.tops,
            docs,
            b.quoted_spans,
        )
    };
    let mut nodes = nodes;
    nodes.shrink_to_fit();
    let yaml11_breaks = breaks
        .into_iter()
        .filter(|&at| {
            !quoted
                .iter()
                .any(|&(s, e)| at >= s as usize && at < e as usize)
        })
        .map(|at| at as u32)
        .collect();
    Ok(Tree {
        text,
        nodes,
        strings,
        props,
        docs,
        anchors,
        aliases,
        tops,
        yaml11_breaks,
    })
}

impl<'t, 'a> Builder<'t, 'a> {
    fn run(&mut self, track_quoted: bool) -> Result<Vec<DocInfo>, InputError> {
        let src = self.src;
        let mut popts = granit_parser::Options::default();
        popts.emit_anchor_events = true;
        popts.emit_comments = false;
        popts.emit_unresolved_aliases = false;
        // The parser's own nesting limits: the same bound, so that whichever notices first,
        // the error names `max_depth`.
        popts.flow_nesting_limit = self.limits.max_depth;
        popts.block_nesting_limit = self.limits.max_depth;
        let parser = Parser::new_from_str_with_options(src, popts);
        let mut docs = Vec::new();
        for next in parser {
            let (event, span) = next.map_err(|e| {
                let at = self
                    .text
                    .location(e.marker().byte_offset().unwrap_or(0).min(src.len()));
                let message = e.info();
                if message.contains("recursion limit") {
                    InputError::Limit {
                        at,
                        what: format!(
                            "nesting deeper than {} levels (max_depth)",
                            self.limits.max_depth
                        ),
                    }
                } else {
                    InputError::Syntax { at, message }
                }
            })?;
            let start = span.start.byte_offset().unwrap_or(0).min(src.len());
            let end = span
                .end
                .byte_offset()
                .unwrap_or(start)
                .clamp(start, src.len());
            let tag_start = span.tag_span().and_then(|t| t.start.byte_offset());
            if matches!(
                event,
                Event::Scalar(..)
                    | Event::SequenceStart(..)
                    | Event::MappingStart(..)
                    | Event::Alias(..)
            ) {
                self.doc_nodes += 1;
            }
            match event {
                Event::StreamStart | Event::StreamEnd | Event::Comment(..) => {}
                Event::DocumentStart(..) => {
                    self.root = None;
                    self.last = None;
                }
                Event::DocumentEnd => {
                    docs.push(DocInfo {
                        root: self.root.take(),
                        end: start as u32,
                    });
                    self.doc += 1;
                    self.expanded_total = 0;
                    self.doc_nodes = 0;
                    self.anchor_sizes.clear();
                    self.anchor_keys.clear();
                    self.last = None;
                }
                Event::Anchor(id, _) => self.anchor_event(id, start, end),
                Event::Alias(id) => self.alias(id, start, end)?,
                Event::UnresolvedAlias(_) => {
                    return Err(InputError::UnresolvedAlias {
                        at: self.text.location(start),
                    })
                }
                Event::Scalar(value, style, anchor, tag) => {
                    let tag = Tag::of(tag.as_deref(), tag_start.is_some());
                    let style = Style::of(style);
                    if track_quoted && style.is_quoted() {
                        self.quoted_spans.push((start as u32, end as u32));
                    }
                    self.scalar(value, style, anchor, tag, start, end, tag_start)?
                }
                Event::SequenceStart(style, anchor, tag) => {
                    let tag = Tag::of(tag.as_deref(), tag_start.is_some());
                    self.open(false, style, anchor, tag, start, tag_start)?
                }
                Event::MappingStart(style, anchor, tag) => {
                    let tag = Tag::of(tag.as_deref(), tag_start.is_some());
                    self.open(true, style, anchor, tag, start, tag_start)?
                }
                Event::SequenceEnd | Event::MappingEnd => self.close(end)?,
                // The parser's event set is non-exhaustive; nothing else carries content.
                _ => {}
            }
        }
        Ok(docs)
    }

    /// What to keep of the node about to start, and whether its parent is in the tree.
    fn child_level(&self) -> Level {
        let Some(f) = self.stack.last() else {
            return Level::Root;
        };
        if f.level == Level::Nothing {
            return Level::Nothing;
        }
        if !f.is_map {
            return self.keep.for_item(f.level);
        }
        if !f.awaiting_value {
            // A key: kept whole when its mapping is kept (its text chooses what to keep of
            // the value).
            return Level::All;
        }
        match &f.key {
            Some(k) => self.keep.for_key(f.level, k),
            None => Level::Nothing,
        }
    }

    /// The textual path of the node about to start or complete.
    fn path_here(&self) -> Vec<Seg> {
        self.stack
            .iter()
            .map(|f| {
                if f.is_map {
                    Seg::Key(f.key.as_deref().unwrap_or("?").into())
                } else {
                    Seg::Index(f.count as usize)
                }
            })
            .collect()
    }

    /// Whether the node about to complete is (an item of) the value of a `<<` key.
    fn in_merge(&self) -> bool {
        match &self.stack[..] {
            [.., p] if p.is_map && p.awaiting_value && p.merge_key => true,
            [.., g, p] if !p.is_map && g.is_map && g.awaiting_value && g.merge_key => true,
            _ => false,
        }
    }

    /// Where the node about to start goes.
    fn placement(&self, anchor: usize) -> Placement {
        let parent_in_tree = match self.stack.last() {
            None => true,
            Some(f) => f.id.is_some() && f.level != Level::Nothing,
        };
        let level = self.child_level();
        match (parent_in_tree, level, anchor != 0) {
            // Anchored nodes are kept whole, so that aliases to them can be read.
            (true, Level::Nothing, true) => Placement::Kept(Level::All),
            (true, _, true) => Placement::Kept(Level::All),
            (true, Level::Nothing, false) => Placement::Skipped,
            (true, l, false) => Placement::Kept(l),
            (false, _, true) => Placement::Detached,
            (false, _, false) => Placement::Gone,
        }
    }

    fn push(&mut self, data: NodeData) -> u32 {
        let id = self.nodes.len() as u32;
        self.nodes.push(data);
        id
    }

    fn parent_id(&self) -> u32 {
        self.stack.last().and_then(|f| f.id).unwrap_or(NONE)
    }

    #[allow(clippy::too_many_arguments)]
    fn scalar(
        &mut self,
        value: Cow<'a, str>,
        style: Style,
        anchor: usize,
        tag: Tag,
        start: usize,
        end: usize,
        tag_start: Option<usize>,
    ) -> Result<(), InputError> {
        let (mut start, mut content_end, mut end) = (start, end, end);
        let bytes = self.src.as_bytes();
        if style.is_block() {
            // A block scalar's span runs to the next token. Its content ends at its last
            // non-blank byte; with no content at all, that is the end of its header line,
            // and the node is placed there.
            while content_end > 0 && bytes[content_end - 1].is_ascii_whitespace() {
                content_end -= 1;
            }
            start = start.min(content_end);
        } else if (value.is_empty() || value == "~")
            && style == Style::Plain
            && tag == Tag::None
            && anchor == 0
            && start == end
        {
            // An empty value is placed just after its key's `:`, where a new value goes; an
            // explicit key with no `:` at all (`? key`) has its empty value right after the
            // key (the parser puts it at the next token, which may be lines, comments or the
            // end of the text away, and the mapping would seem to run to there).
            if let Some(f) = self.stack.last() {
                if f.is_map && f.awaiting_value {
                    if let Some(colon) = colon_from(bytes, start) {
                        start = colon + 1;
                        content_end = start;
                    } else if !f.flow && !f.ends_block && (f.end as usize) < start {
                        start = f.end as usize;
                        (content_end, end) = (start, start);
                    }
                }
            }
        }
        if anchor != 0 {
            self.anchor_sizes.insert(anchor, 1);
        }
        self.check_key(&value, style, tag, start)?;
        if anchor != 0 {
            // An alias to it may be a key.
            self.anchor_keys
                .insert(anchor, scalar::key_identity(&value));
        }
        let place = self.placement(anchor);
        let id = match place {
            Placement::Gone => None,
            Placement::Skipped => {
                let parent = self.parent_id();
                Some(self.push(NodeData {
                    start: start as u32,
                    end: content_end as u32,
                    raw_end: end as u32,
                    parent,
                    a: 1,
                    b: 0,
                    meta: NodeData::meta(NodeKind::Skipped, false, style, tag),
                }))
            }
            Placement::Kept(_) | Placement::Detached => {
                let detached = place == Placement::Detached;
                let parent = if detached { NONE } else { self.parent_id() };
                let (a, b, owned) = match value_ref(self.src, &value) {
                    Some((a, b)) => (a, b, 0),
                    None => {
                        self.strings.push(value.as_ref().into());
                        ((self.strings.len() - 1) as u32, 0, OWNED_BIT)
                    }
                };
                let props = if tag_start.is_some() { PROPS_BIT } else { 0 };
                let id = self.push(NodeData {
                    start: start as u32,
                    end: content_end as u32,
                    raw_end: end as u32,
                    parent,
                    a,
                    b,
                    meta: NodeData::meta(NodeKind::Scalar, false, style, tag) | owned | props,
                });
                if let Some(ts) = tag_start {
                    self.props.insert(
                        id,
                        Props {
                            start: ts as u32,
                            ..Props::default()
                        },
                    );
                }
                if detached || self.stack.is_empty() {
                    self.tops.insert(id, (self.doc, self.path_here()));
                }
                Some(id)
            }
        };
        if anchor != 0 {
            self.define_anchor(anchor, id, start);
        }
        if let (Some(id), true) = (id, style.is_block()) {
            self.nodes[id as usize].meta |= ENDS_BLOCK_BIT;
        }
        self.last = id;
        self.complete(id, content_end, end, 1, Some(value), style.is_block())
    }

    fn define_anchor(&mut self, anchor: usize, id: Option<u32>, start: usize) {
        let path = self.path_here();
        self.anchors.insert(
            anchor as u32,
            AnchorDef {
                doc: self.doc,
                node: id.map(NodeId),
                path,
                offset: start as u32,
            },
        );
    }

    fn alias(&mut self, anchor: usize, start: usize, end: usize) -> Result<(), InputError> {
        let size = self.anchor_sizes.get(&anchor).copied().unwrap_or(1);
        self.expanded_total = self.expanded_total.saturating_add(size);
        // A bomb expands far beyond its own text; many objects sharing one anchor do not.
        if self.expanded_total > self.limits.max_alias_expansion as u64
            && self.expanded_total > ALIAS_RATIO.saturating_mul(self.doc_nodes)
        {
            return Err(InputError::Limit {
                at: self.text.location(start),
                what: format!(
                    "aliases expand to more than {} nodes (max_alias_expansion); \
                     this looks like an alias bomb",
                    self.limits.max_alias_expansion
                ),
            });
        }
        if let Some(f) = self.stack.last_mut() {
            if f.is_map && !f.awaiting_value {
                // A key that is an alias: the anchored scalar's identity.
                let id = self
                    .anchor_keys
                    .get(&anchor)
                    .copied()
                    .unwrap_or(0x5eed_0000_0000_0000 | anchor as u64);
                if let Some(first) = f.keys.insert(id, start) {
                    return Err(InputError::DuplicateKey {
                        key: self.src[start..end].to_string(),
                        at: self.text.location(start),
                        first: self.text.location(first),
                    });
                }
                f.merge_key = false;
            }
        }
        let merge = self.in_merge();
        let mut path = self.path_here();
        if merge {
            // A merge source shows in the mapping that merges it.
            if matches!(path.last(), Some(Seg::Index(_))) {
                path.pop();
            }
            path.pop();
        }
        self.aliases.push(AliasSite {
            anchor: anchor as u32,
            doc: self.doc,
            path,
            merge,
        });
        let node = if matches!(self.placement(0), Placement::Gone) {
            None
        } else {
            let parent = self.parent_id();
            Some(self.push(NodeData {
                start: start as u32,
                end: end as u32,
                raw_end: end as u32,
                parent,
                a: anchor as u32,
                b: 0,
                meta: NodeData::meta(NodeKind::Alias, false, Style::Plain, Tag::None),
            }))
        };
        if let (Some(id), true) = (node, self.stack.is_empty()) {
            self.tops.insert(id, (self.doc, Vec::new()));
        }
        self.last = node;
        self.complete(node, end, end, size, None, false)
    }

    fn anchor_event(&mut self, anchor: usize, start: usize, end: usize) {
        let Some(id) = self.last else {
            return;
        };
        let d = &mut self.nodes[id as usize];
        let had_props = d.meta & PROPS_BIT != 0;
        d.meta |= PROPS_BIT;
        let p = self.props.entry(id).or_default();
        p.anchor_span = Some((start as u32, end as u32));
        p.anchor = anchor as u32;
        p.start = if had_props {
            p.start.min(start as u32)
        } else {
            start as u32
        };
        if let Some(def) = self.anchors.get_mut(&(anchor as u32)) {
            def.offset = start as u32;
        }
    }

    /// Duplicate-key check for a scalar about to become a mapping key; its identities.
    fn check_key(
        &mut self,
        value: &str,
        style: Style,
        tag: Tag,
        at: usize,
    ) -> Result<(), InputError> {
        let Some(f) = self.stack.last_mut() else {
            return Ok(());
        };
        if !f.is_map || f.awaiting_value {
            return Ok(());
        }
        let id = scalar::key_identity(value);
        if let Some(first) = f.keys.insert(id, at) {
            return Err(InputError::DuplicateKey {
                key: value.to_string(),
                at: self.text.location(at),
                first: self.text.location(first),
            });
        }
        f.merge_key = style == Style::Plain && tag == Tag::None && value == "<<";
        Ok(())
    }

    fn open(
        &mut self,
        is_map: bool,
        style: StructureStyle,
        anchor: usize,
        tag: Tag,
        start: usize,
        tag_start: Option<usize>,
    ) -> Result<(), InputError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(InputError::Limit {
                at: self.text.location(start),
                what: format!(
                    "nesting deeper than {} levels (max_depth)",
                    self.limits.max_depth
                ),
            });
        }
        // A collection as a key: duplicate detection by identity is not attempted (no
        // Kubernetes reader accepts one), but it is still a key.
        if let Some(f) = self.stack.last_mut() {
            if f.is_map && !f.awaiting_value {
                f.merge_key = false;
            }
        }
        let place = self.placement(anchor);
        let flow = style == StructureStyle::Flow;
        let (level, kind, parent) = match place {
            Placement::Gone => (Level::Nothing, None, NONE),
            Placement::Skipped => (Level::Nothing, Some(NodeKind::Skipped), self.parent_id()),
            Placement::Detached => (
                Level::All,
                Some(if is_map { NodeKind::Map } else { NodeKind::Seq }),
                NONE,
            ),
            Placement::Kept(l) => (
                l,
                Some(if is_map { NodeKind::Map } else { NodeKind::Seq }),
                self.parent_id(),
            ),
        };
        let detached = place == Placement::Detached;
        let id = kind.map(|kind| {
            let mut meta = NodeData::meta(kind, flow, Style::Plain, tag);
            if tag_start.is_some() && kind != NodeKind::Skipped {
                meta |= PROPS_BIT;
            }
            let id = self.push(NodeData {
                start: start as u32,
                end: start as u32,
                raw_end: start as u32,
                parent,
                a: 1,
                b: 0,
                meta,
            });
            if let (Some(ts), true) = (tag_start, kind != NodeKind::Skipped) {
                self.props.insert(
                    id,
                    Props {
                        start: ts as u32,
                        ..Props::default()
                    },
                );
            }
            id
        });
        if anchor != 0 {
            // The path of the collection itself: its parent's current key or index.
            let path = self.path_here();
            self.anchors.insert(
                anchor as u32,
                AnchorDef {
                    doc: self.doc,
                    node: id.map(NodeId),
                    path,
                    offset: start as u32,
                },
            );
        }
        if let (Some(id), true) = (id, detached || self.stack.is_empty()) {
            self.tops.insert(id, (self.doc, self.path_here()));
        }
        self.last = id;
        self.stack.push(Frame {
            id,
            is_map,
            flow,
            level,
            awaiting_value: false,
            key: None,
            merge_key: false,
            count: 0,
            keys: KeySet::default(),
            end: start as u32,
            raw_end: start as u32,
            ends_block: false,
            expanded: 1,
        });
        Ok(())
    }

    fn close(&mut self, end: usize) -> Result<(), InputError> {
        let Some(mut f) = self.stack.pop() else {
            return Ok(());
        };
        if f.flow {
            f.end = end as u32;
            f.raw_end = end as u32;
        }
        let ends_block = f.ends_block && !f.flow;
        if let Some(id) = f.id {
            let size = self.nodes.len() as u32 - id;
            let d = &mut self.nodes[id as usize];
            d.end = f.end;
            d.raw_end = f.raw_end;
            if ends_block {
                d.meta |= ENDS_BLOCK_BIT;
            }
            d.a = size;
            d.b = if d.kind() == NodeKind::Skipped {
                0
            } else {
                f.count * if f.is_map { 2 } else { 1 }
            };
            if let Some(p) = self.props.get(&id) {
                let anchor = p.anchor;
                if anchor != 0 {
                    self.anchor_sizes.insert(anchor as usize, f.expanded);
                }
            }
        }
        self.last = f.id;
        self.complete(
            f.id,
            f.end as usize,
            f.raw_end as usize,
            f.expanded,
            None,
            ends_block,
        )
    }

    /// Attach a finished node to its parent frame (or make it the document's root). `key` is
    /// the node's value when it is a scalar (it names the value that follows, if it is a key).
    fn complete(
        &mut self,
        id: Option<u32>,
        end: usize,
        raw_end: usize,
        size: u64,
        key: Option<Cow<'a, str>>,
        ends_block: bool,
    ) -> Result<(), InputError> {
        let Some(f) = self.stack.last_mut() else {
            self.root = id.map(NodeId);
            return Ok(());
        };
        f.ends_block = ends_block;
        f.expanded = f.expanded.saturating_add(size);
        // Block collections end where their last child ends.
        if end as u32 > f.end || raw_end as u32 > f.raw_end {
            f.end = f.end.max(end as u32);
            f.raw_end = f.raw_end.max(raw_end as u32);
        }
        if f.is_map {
            if !f.awaiting_value {
                f.awaiting_value = true;
                f.key = key;
                return Ok(());
            }
            f.awaiting_value = false;
            f.key = None;
            f.merge_key = false;
            f.count += 1;
            return Ok(());
        }
        f.count += 1;
        Ok(())
    }
}

/// The offset of a `:` value indicator at or after `from`, past blanks (and, for an explicit
/// key's value on a later line, past line breaks and comments); `None` when anything else
/// comes first.
fn colon_from(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'#' => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
            }
            b':' => return Some(i),
            _ => return None,
        }
    }
    None
}

#[derive(Default)]
struct KeySet {
    small: Vec<(u64, usize)>,
    large: Option<HashMap<u64, usize>>,
}

impl KeySet {
    /// Insert a key identity; return the offset of an earlier equal key.
    fn insert(&mut self, h: u64, at: usize) -> Option<usize> {
        if let Some(map) = &mut self.large {
            return match map.entry(h) {
                std::collections::hash_map::Entry::Occupied(o) => Some(*o.get()),
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(at);
                    None
                }
            };
        }
        if let Some(&(_, first)) = self.small.iter().find(|(k, _)| *k == h) {
            return Some(first);
        }
        self.small.push((h, at));
        if self.small.len() > 32 {
            self.large = Some(self.small.drain(..).collect());
        }
        None
    }
}

/// Where a node goes in the tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Placement {
    /// Kept, at this level.
    Kept(Level),
    /// In a kept collection, but not kept: only its span.
    Skipped,
    /// Anchored inside a subtree that is not kept: kept whole, without a parent.
    Detached,
    /// Inside a subtree that is not kept.
    Gone,
}
