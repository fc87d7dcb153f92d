//! Parse YAML text into a *spanned view*: a tree that knows the byte range of every node it
//! keeps, and keeps only what the function reads (objects' identity, pod templates, the
//! functionConfig, the ResourceList's `results`). Everything else is checked while streaming
//! past it (syntax, duplicate keys, depth, alias expansion) and remembered only as a span.
//!
//! The builder is iterative (an explicit stack), so no input can overflow the call stack.

use std::borrow::Cow;
use std::collections::HashSet;

use granit_parser::{Event, Parser, ScalarStyle, StructureStyle, Tag};

use crate::error::{InputError, Limits};
use crate::text::Text;

/// Which parts of a subtree are materialized.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// A document root: an object, or a `ResourceList`/`List` wrapper.
    Root,
    /// A Kubernetes object.
    Object,
    Metadata,
    ObjectSpec,
    Template,
    JobTemplate,
    JobSpec,
    PodSpec,
    /// A sequence of objects (`items`).
    Objects,
    /// Everything below.
    All,
    /// Nothing below: only the span.
    Nothing,
}

impl Keep {
    fn for_key(self, key: &str) -> Keep {
        use Keep::*;
        match (self, key) {
            (Root, "items") => Objects,
            (Root, "functionConfig" | "results") => All,
            (Root | Object, "apiVersion" | "kind") => All,
            (Root | Object, "metadata") => Metadata,
            (Root | Object, "spec") => ObjectSpec,
            (Object, "items") => Objects,
            (Metadata, "name" | "namespace" | "labels" | "annotations") => All,
            (ObjectSpec, "template") => Template,
            (ObjectSpec, "jobTemplate") => JobTemplate,
            (ObjectSpec | PodSpec, "containers" | "initContainers") => All,
            (JobTemplate, "spec") => JobSpec,
            (JobSpec, "template") => Template,
            (Template, "spec") => PodSpec,
            (All, _) => All,
            _ => Nothing,
        }
    }

    fn for_item(self) -> Keep {
        match self {
            Keep::Objects => Keep::Object,
            Keep::All => Keep::All,
            _ => Keep::Nothing,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Kind<'a> {
    Scalar {
        value: Cow<'a, str>,
        style: ScalarStyle,
    },
    Map {
        flow: bool,
        entries: Vec<(Node<'a>, Node<'a>)>,
    },
    Seq {
        flow: bool,
        items: Vec<Node<'a>>,
    },
    Alias,
    /// A node that was checked but not kept.
    Skipped,
}

/// What an explicit tag on a node says, as far as the function cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagKind {
    /// No tag: the node's type comes from its style and content.
    None,
    /// `!!str` (`tag:yaml.org,2002:str`): a string whatever it looks like.
    Str,
    /// Any other tag.
    Other,
}

impl TagKind {
    fn of(tag: Option<&Tag>, has_tag_span: bool) -> TagKind {
        match tag {
            Some(t) if t.core_suffix() == Some("str") => TagKind::Str,
            Some(_) => TagKind::Other,
            None if has_tag_span => TagKind::Other,
            None => TagKind::None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Node<'a> {
    pub kind: Kind<'a>,
    /// First byte of the node's content (a flow collection's bracket, a scalar's quote; for a
    /// block scalar the first content byte, after its header).
    pub start: usize,
    /// One past the last byte of content (block scalars: trailing blank lines excluded).
    pub end: usize,
    /// One past the last byte the parser consumed for it (differs from `end` when the node
    /// ends in a block scalar, whose trailing line breaks belong to it).
    pub raw_end: usize,
    /// Start of the `&anchor`/`!tag` properties, when the node has any.
    pub props_start: Option<usize>,
    /// The `&name` token, when the node has an anchor.
    pub anchor_span: Option<(usize, usize)>,
    /// The anchor id (for an alias: the id it refers to), or 0.
    pub anchor: usize,
    /// The node's explicit tag, if any.
    pub tag: TagKind,
}

impl<'a> Node<'a> {
    pub fn scalar(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    pub fn is_block_scalar(&self) -> bool {
        matches!(
            self.kind,
            Kind::Scalar {
                style: ScalarStyle::Literal | ScalarStyle::Folded,
                ..
            }
        )
    }

    /// The start of the node including its properties.
    pub fn full_start(&self) -> usize {
        self.props_start.map_or(self.start, |p| p.min(self.start))
    }

    /// Whether this scalar is a YAML null (`null`, `~`, empty) with no tag.
    pub fn is_null(&self) -> bool {
        match &self.kind {
            Kind::Scalar {
                style: ScalarStyle::Plain,
                ..
            } if self.tag == TagKind::None => {
                self.start == self.end
                    || matches!(self.scalar(), Some("null" | "Null" | "NULL" | "~"))
            }
            _ => false,
        }
    }

    /// The value of mapping key `key` (a plain or quoted scalar key), with the key node.
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.entry(key).map(|(_, v)| v)
    }

    pub fn entry(&self, key: &str) -> Option<(&Node<'a>, &Node<'a>)> {
        match &self.kind {
            Kind::Map { entries, .. } => entries
                .iter()
                .find(|(k, _)| k.scalar() == Some(key))
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    /// Whether a mapping has a `<<` merge key.
    pub fn has_merge_key(&self) -> bool {
        match &self.kind {
            Kind::Map { entries, .. } => entries.iter().any(|(k, _)| {
                matches!(&k.kind, Kind::Scalar { value, style: ScalarStyle::Plain } if value == "<<")
            }),
            _ => false,
        }
    }

    pub fn str_at(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::scalar)
    }
}

/// One YAML document of the stream.
#[derive(Debug)]
pub struct Document<'a> {
    pub root: Option<Node<'a>>,
}

/// The parsed stream, with what the safety checks learned on the way.
#[derive(Debug)]
pub struct Stream<'a> {
    pub documents: Vec<Document<'a>>,
    /// Anchor ids that some alias refers to.
    pub aliased: HashSet<usize>,
}

/// Build options.
#[derive(Clone, Copy, Debug)]
pub struct BuildOptions {
    pub limits: Limits,
    /// Keep everything (to verify a fragment) instead of the function's view.
    pub keep_all: bool,
    /// Report an alias whose anchor is outside the text as [`InputError::UnresolvedAlias`].
    pub allow_unresolved_aliases: bool,
}

impl BuildOptions {
    /// The function's view of its input: only what it reads is kept.
    pub fn view(limits: Limits) -> BuildOptions {
        BuildOptions {
            limits,
            keep_all: false,
            allow_unresolved_aliases: false,
        }
    }

    /// Everything kept (a config file, or a fragment being verified).
    pub fn full(limits: Limits) -> BuildOptions {
        BuildOptions {
            limits,
            keep_all: true,
            allow_unresolved_aliases: false,
        }
    }
}

/// A mapping or sequence under construction.
struct Frame<'a> {
    node: Node<'a>,
    is_map: bool,
    keep: Keep,
    /// A mapping's pending key (kept frames), while its value is being built.
    key: Option<Node<'a>>,
    /// A mapping is waiting for the value of its last key.
    awaiting_value: bool,
    /// The pending key's text, for choosing what to keep of its value.
    key_text: Option<String>,
    keys: KeySet,
    /// Nodes in the subtree with aliases expanded (saturating).
    expanded: u64,
}

/// Where the last completed node went, so that a following anchor event can find it.
#[derive(Clone, Copy)]
enum Slot {
    Root,
    Key(usize),
    Value(usize),
    Item(usize),
    Open(usize),
    Dropped,
}

pub fn parse<'a>(text: &Text<'a>, opts: &BuildOptions) -> Result<Stream<'a>, InputError> {
    let src = text.src;
    let mut popts = granit_parser::Options::default();
    popts.emit_anchor_events = true;
    popts.emit_comments = false;
    popts.emit_unresolved_aliases = opts.allow_unresolved_aliases;
    // The parser's own nesting limits: the same bound, so that whichever notices first, the
    // error names `max_depth`.
    popts.flow_nesting_limit = opts.limits.max_depth;
    popts.block_nesting_limit = opts.limits.max_depth;
    let parser = Parser::new_from_str_with_options(src, popts);

    let mut b = Builder {
        text,
        opts,
        stack: Vec::new(),
        root: None,
        expanded_total: 0,
        anchor_sizes: Default::default(),
    };
    let mut documents = Vec::new();
    let mut aliased = HashSet::new();
    let mut last = Slot::Dropped;

    for next in parser {
        let (event, span) = next.map_err(|e| {
            let at = text.position(e.marker().byte_offset().unwrap_or(0).min(src.len()));
            let message = e.info();
            if message.contains("recursion limit") {
                InputError::Limit {
                    at,
                    what: format!(
                        "nesting deeper than {} levels (max_depth)",
                        opts.limits.max_depth
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
        last = match event {
            Event::StreamStart | Event::StreamEnd | Event::Comment(..) => Slot::Dropped,
            Event::DocumentStart(..) => {
                b.root = None;
                Slot::Dropped
            }
            Event::DocumentEnd => {
                documents.push(Document {
                    root: b.root.take(),
                });
                b.expanded_total = 0;
                b.anchor_sizes.clear();
                Slot::Dropped
            }
            Event::Anchor(..) => {
                b.set_anchor_span(last, start, end);
                Slot::Dropped
            }
            Event::Alias(id) => {
                aliased.insert(id);
                let size = b.anchor_sizes.get(&id).copied().unwrap_or(1);
                b.expanded_total = b.expanded_total.saturating_add(size);
                if b.expanded_total > opts.limits.max_alias_expansion as u64 {
                    return Err(InputError::Limit {
                        at: text.position(start),
                        what: format!(
                            "aliases expand to more than {} nodes (max_alias_expansion); \
                             this looks like an alias bomb",
                            opts.limits.max_alias_expansion
                        ),
                    });
                }
                let node = Node {
                    kind: Kind::Alias,
                    start,
                    end,
                    raw_end: end,
                    props_start: None,
                    anchor_span: None,
                    anchor: id,
                    tag: TagKind::None,
                };
                b.complete(node, size)?
            }
            Event::UnresolvedAlias(_) => {
                return Err(InputError::UnresolvedAlias {
                    at: text.position(start),
                })
            }
            Event::Scalar(value, style, anchor, tag) => {
                let tag = TagKind::of(tag.as_deref(), tag_start.is_some());
                let (mut start, mut content_end) = (start, end);
                if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                    // A block scalar's span runs to the next token. Its content ends at its
                    // last non-blank byte; with no content at all, that is the end of its
                    // header line, and the node is placed there.
                    let bytes = src.as_bytes();
                    while content_end > 0 && bytes[content_end - 1].is_ascii_whitespace() {
                        content_end -= 1;
                    }
                    start = start.min(content_end);
                }
                if anchor != 0 {
                    b.anchor_sizes.insert(anchor, 1);
                }
                b.check_key(&value, style, tag != TagKind::None, start)?;
                let keep = b.child_keep();
                let node = Node {
                    kind: if keep == Keep::Nothing {
                        Kind::Skipped
                    } else {
                        Kind::Scalar { value, style }
                    },
                    start,
                    end: content_end,
                    raw_end: end,
                    props_start: tag_start,
                    anchor_span: None,
                    anchor,
                    tag,
                };
                b.complete(node, 1)?
            }
            Event::SequenceStart(style, anchor, _) => {
                b.open(false, style, anchor, start, tag_start)?
            }
            Event::MappingStart(style, anchor, _) => {
                b.open(true, style, anchor, start, tag_start)?
            }
            Event::SequenceEnd | Event::MappingEnd => b.close(end)?,
            _ => Slot::Dropped,
        };
    }
    Ok(Stream { documents, aliased })
}

struct Builder<'t, 'a> {
    text: &'t Text<'a>,
    opts: &'t BuildOptions,
    stack: Vec<Frame<'a>>,
    root: Option<Node<'a>>,
    expanded_total: u64,
    anchor_sizes: std::collections::HashMap<usize, u64>,
}

impl<'t, 'a> Builder<'t, 'a> {
    fn child_keep(&self) -> Keep {
        let Some(f) = self.stack.last() else {
            return if self.opts.keep_all {
                Keep::All
            } else {
                Keep::Root
            };
        };
        if f.keep == Keep::Nothing {
            return Keep::Nothing;
        }
        if !f.is_map {
            return f.keep.for_item();
        }
        if !f.awaiting_value {
            // A key: scalar keys are kept (their text selects what to keep of the value).
            return Keep::All;
        }
        match &f.key_text {
            Some(k) => f.keep.for_key(k),
            None => Keep::Nothing,
        }
    }

    /// Duplicate-key check for a scalar about to become a mapping key.
    fn check_key(
        &mut self,
        value: &str,
        style: ScalarStyle,
        tagged: bool,
        at: usize,
    ) -> Result<(), InputError> {
        let Some(f) = self.stack.last_mut() else {
            return Ok(());
        };
        if !f.is_map || f.awaiting_value {
            return Ok(());
        }
        if let Some(first) = f.keys.insert(key_identity(value, style, tagged), at) {
            return Err(InputError::DuplicateKey {
                key: value.to_string(),
                at: self.text.position(at),
                first: self.text.position(first),
            });
        }
        Ok(())
    }

    fn open(
        &mut self,
        is_map: bool,
        style: StructureStyle,
        anchor: usize,
        start: usize,
        tag_start: Option<usize>,
    ) -> Result<Slot, InputError> {
        if self.stack.len() >= self.opts.limits.max_depth {
            return Err(InputError::Limit {
                at: self.text.position(start),
                what: format!(
                    "nesting deeper than {} levels (max_depth)",
                    self.opts.limits.max_depth
                ),
            });
        }
        let keep = self.child_keep();
        let flow = style == StructureStyle::Flow;
        let kind = match (keep, is_map) {
            (Keep::Nothing, _) => Kind::Skipped,
            (_, true) => Kind::Map {
                flow,
                entries: Vec::new(),
            },
            (_, false) => Kind::Seq {
                flow,
                items: Vec::new(),
            },
        };
        self.stack.push(Frame {
            node: Node {
                kind,
                start,
                end: start,
                raw_end: start,
                props_start: tag_start,
                anchor_span: None,
                anchor,
                tag: TagKind::of(None, tag_start.is_some()),
            },
            is_map,
            keep,
            key: None,
            awaiting_value: false,
            key_text: None,
            keys: KeySet::default(),
            expanded: 1,
        });
        Ok(Slot::Open(self.stack.len() - 1))
    }

    fn close(&mut self, end: usize) -> Result<Slot, InputError> {
        let Some(mut f) = self.stack.pop() else {
            return Ok(Slot::Dropped);
        };
        let flow = matches!(
            f.node.kind,
            Kind::Map { flow: true, .. } | Kind::Seq { flow: true, .. }
        ) || (f.keep == Keep::Nothing
            && self
                .text
                .src
                .as_bytes()
                .get(f.node.start)
                .is_some_and(|b| matches!(b, b'[' | b'{')));
        if flow {
            f.node.end = end;
            f.node.raw_end = end;
        }
        if f.node.anchor != 0 {
            self.anchor_sizes.insert(f.node.anchor, f.expanded);
        }
        self.complete(f.node, f.expanded)
    }

    /// Attach a finished node to its parent (or make it the document's root).
    fn complete(&mut self, node: Node<'a>, size: u64) -> Result<Slot, InputError> {
        let depth = self.stack.len().saturating_sub(1);
        let Some(f) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(Slot::Root);
        };
        f.expanded = f.expanded.saturating_add(size);
        // Block collections end where their last child ends.
        if node.end > f.node.end || node.raw_end > f.node.raw_end {
            f.node.end = f.node.end.max(node.end);
            f.node.raw_end = f.node.raw_end.max(node.raw_end);
        }
        let kept = f.keep != Keep::Nothing;
        if f.is_map {
            if !f.awaiting_value {
                f.awaiting_value = true;
                f.key_text = node.scalar().map(str::to_owned);
                if kept {
                    f.key = Some(node);
                    return Ok(Slot::Key(depth));
                }
                return Ok(Slot::Dropped);
            }
            f.awaiting_value = false;
            f.key_text = None;
            if let (Some(key), Kind::Map { entries, .. }) = (f.key.take(), &mut f.node.kind) {
                entries.push((key, node));
                return Ok(Slot::Value(depth));
            }
            return Ok(Slot::Dropped);
        }
        if let Kind::Seq { items, .. } = &mut f.node.kind {
            items.push(node);
            return Ok(Slot::Item(depth));
        }
        Ok(Slot::Dropped)
    }

    fn set_anchor_span(&mut self, slot: Slot, start: usize, end: usize) {
        let node = match slot {
            Slot::Root => self.root.as_mut(),
            Slot::Open(d) => self.stack.get_mut(d).map(|f| &mut f.node),
            Slot::Key(d) => self.stack.get_mut(d).and_then(|f| f.key.as_mut()),
            Slot::Value(d) => self.stack.get_mut(d).and_then(|f| match &mut f.node.kind {
                Kind::Map { entries, .. } => entries.last_mut().map(|(_, v)| v),
                _ => None,
            }),
            Slot::Item(d) => self.stack.get_mut(d).and_then(|f| match &mut f.node.kind {
                Kind::Seq { items, .. } => items.last_mut(),
                _ => None,
            }),
            Slot::Dropped => None,
        };
        if let Some(n) = node {
            n.anchor_span = Some((start, end));
            n.props_start = Some(n.props_start.map_or(start, |p| p.min(start)));
        }
    }
}

#[derive(Default)]
struct KeySet {
    small: Vec<(u64, usize)>,
    large: Option<std::collections::HashMap<u64, usize>>,
}

impl KeySet {
    /// Insert a key's identity hash; return the offset of an earlier equal key.
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

/// The identity of a scalar key for duplicate detection: its value and how a YAML 1.2 reader
/// types it (`1` and `"1"` are different keys; `a` and `"a"` are the same).
fn key_identity(value: &str, style: ScalarStyle, tagged: bool) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let class = if tagged {
        0u8
    } else if style == ScalarStyle::Plain {
        crate::scalar::plain_class(value) as u8
    } else {
        crate::scalar::PlainClass::Str as u8
    };
    class.hash(&mut h);
    value.hash(&mut h);
    h.finish()
}
