//! The editor: operations on the tree that each produce their splices, rendered to match
//! their surroundings, and record the change they make; [`Editor::finish`] checks that no
//! edit reaches a place it was not asked for (through a shared anchor), applies the splices
//! and re-reads the output to verify every change.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use crate::change::{self, Change, Op};
use crate::envelope::Envelope;
use crate::error::{EditError, Limits};
use crate::krm::KrmResult;
use crate::layout::{self, Join};
use crate::path::{Path, Seg};
use crate::splice::{self, Splice};
use crate::text::yaml11_break_name;
use crate::tree::{Cursor, Node, NodeId, NodeKind, Tree};
use crate::value::{self, Indent, Value};
use crate::verify::{self, Expect, Mismatch, Trie};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kind {
    Append,
    Insert,
    Replace,
    ReplaceEntry,
    Remove,
}

/// What one intent asks of a place.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Item {
    Value(Value),
    Entry(String, Value),
    Rename(String, Value),
    Remove,
}

/// Everything asked of one node of the text, from every place it appears at.
struct Slot {
    kind: Kind,
    /// The node whose text changes: the sequence, the mapping, or the value replaced.
    node: NodeId,
    /// For entry operations, the entry's key.
    key: Option<NodeId>,
    doc: usize,
    /// Textual path of `node`.
    tpath: Path,
    /// Where `node` appears in the expanded reading.
    occurrences: Rc<Vec<Path>>,
    /// The items asked for, in order (the same from every place).
    items: Vec<Item>,
    /// How many items each place asked for.
    places: BTreeMap<Path, usize>,
    splices: Vec<Splice>,
    /// The anchor a replaced value keeps.
    anchor: Option<String>,
}

/// What [`Editor::finish`] produced: the splices that turn the input into the output, the
/// changes they make, and how they were verified.
#[derive(Clone, Debug, Default)]
pub struct Edited {
    /// Sorted, non-overlapping.
    pub splices: Vec<Splice>,
    /// One per place changed.
    pub changes: Vec<Change>,
    /// How the changes were verified.
    pub verified: Verified,
}

/// How many regions were re-read to verify the changes, by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Verified {
    /// An item of a top-level list (an object of a ResourceList), re-read alone.
    pub items: usize,
    /// The end of a document (where new top-level keys go), re-read alone.
    pub tails: usize,
    /// A whole document or stream (when a region could not be read alone).
    pub whole: usize,
}

impl Edited {
    /// Write the output: the input's own bytes between the splices.
    pub fn write<W: std::io::Write>(&self, input: &[u8], mut w: W) -> std::io::Result<()> {
        let refs: Vec<&Splice> = self.splices.iter().collect();
        splice::write_range(input, 0, input.len(), &refs, &mut w)?;
        w.flush()
    }

    /// The output bytes.
    pub fn output(&self, input: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(input.len() + 1024);
        // Writing to a Vec cannot fail.
        let _ = self.write(input, &mut out);
        out
    }
}

/// Makes edits to a parsed input.
///
/// Each operation takes a [`Cursor`] (a place in the expanded reading). An edit changes the
/// text of the node at that place; when that node also appears elsewhere (through an
/// anchor), every other place it appears at must be given the same edit, or
/// [`finish`](Editor::finish) refuses.
pub struct Editor<'t, 'a> {
    tree: &'t Tree<'a>,
    limits: Limits,
    envelope: Option<&'t Envelope<'t, 'a>>,
    slots: Vec<Slot>,
    index: HashMap<(NodeId, Kind, Option<NodeId>), usize>,
    occurrences: HashMap<(usize, Path), Rc<Vec<Path>>>,
    #[cfg(feature = "fault-injection")]
    faults: Vec<Fault>,
}

/// Faults a test build can inject, to prove that verification refuses them.
#[cfg(feature = "fault-injection")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Corrupt the first splice.
    CorruptFirstSplice,
    /// Put the new lines of the last edit asked for one column off.
    ShiftLastEdit,
    /// At one offset, put insertions into shallower nodes before deeper ones.
    ReverseTies,
}

impl<'t, 'a> Editor<'t, 'a> {
    /// An editor with nothing to do yet.
    pub fn new(tree: &'t Tree<'a>, limits: Limits) -> Editor<'t, 'a> {
        Editor {
            tree,
            limits,
            envelope: None,
            slots: Vec::new(),
            index: HashMap::new(),
            occurrences: HashMap::new(),
            #[cfg(feature = "fault-injection")]
            faults: Vec::new(),
        }
    }

    /// Test builds only: inject a fault that verification must refuse.
    #[cfg(feature = "fault-injection")]
    pub fn inject(&mut self, fault: Fault) {
        self.faults.push(fault);
    }

    #[cfg(feature = "fault-injection")]
    fn has_fault(&self, f: Fault) -> bool {
        self.faults.contains(&f)
    }

    #[cfg(not(feature = "fault-injection"))]
    fn has_fault(&self, _: ()) -> bool {
        false
    }

    /// Name objects in errors (which object a shared anchor would also change).
    pub fn with_envelope(mut self, envelope: &'t Envelope<'t, 'a>) -> Self {
        self.envelope = Some(envelope);
        self
    }

    /// Whether any edit was asked for.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    fn loc(&self, at: usize) -> crate::error::Location {
        self.tree.text().location(at)
    }

    fn layout_err(&self, at: usize, message: impl Into<String>) -> EditError {
        EditError::Layout {
            at: self.loc(at),
            message: message.into(),
        }
    }

    /// Append an item to the sequence at `seq`.
    pub fn append(&mut self, seq: &Cursor<'t, 'a>, v: Value) -> Result<(), EditError> {
        if !seq.node().is_seq() {
            return Err(self.layout_err(seq.node().start(), "not a sequence"));
        }
        let node = seq.node();
        self.intent(
            Kind::Append,
            node.id(),
            None,
            seq,
            seq.text_path().clone(),
            seq.path().clone(),
            Item::Value(v),
        )
    }

    /// Add the entry `key: v` at the end of the mapping at `map`. The key must not be there
    /// (as written or through a merge key).
    pub fn insert(&mut self, map: &Cursor<'t, 'a>, key: &str, v: Value) -> Result<(), EditError> {
        let node = map.node();
        if !node.is_map() {
            return Err(self.layout_err(node.start(), "not a mapping"));
        }
        if map.get(key).is_some() {
            return Err(EditError::Invalid {
                message: format!("{} already has a key {key:?}", map.path()),
            });
        }
        self.intent(
            Kind::Insert,
            node.id(),
            None,
            map,
            map.text_path().clone(),
            map.path().clone(),
            Item::Entry(key.to_owned(), v),
        )
    }

    /// Replace the value at `place` (a mapping value) with `v`.
    pub fn replace(&mut self, place: &Cursor<'t, 'a>, v: Value) -> Result<(), EditError> {
        if place.key().is_none() {
            return Err(self.layout_err(
                place.site().start(),
                "only a mapping's value can be replaced",
            ));
        }
        let site = place.site();
        let tpath = if place.via_alias() {
            self.tree.text_path(site.id()).1
        } else {
            place.text_path().clone()
        };
        self.intent(
            Kind::Replace,
            site.id(),
            None,
            place,
            tpath,
            place.path().clone(),
            Item::Value(v),
        )
    }

    /// Set the value at `place` to the string `s` (written double-quoted).
    pub fn set_str(&mut self, place: &Cursor<'t, 'a>, s: &str) -> Result<(), EditError> {
        self.replace(place, Value::str(s))
    }

    /// Replace the entry whose value is at `place`, where it stands, by `new_key: v`.
    pub fn replace_entry(
        &mut self,
        place: &Cursor<'t, 'a>,
        new_key: &str,
        v: Value,
    ) -> Result<(), EditError> {
        let (map, key) = self.entry_of(place)?;
        let (doc, tpath) = self.tree.text_path(map.id());
        debug_assert_eq!(doc, place.doc());
        let intent = parent_path(&place.path());
        self.intent(
            Kind::ReplaceEntry,
            map.id(),
            Some(key.id()),
            place,
            tpath,
            intent,
            Item::Rename(new_key.to_owned(), v),
        )
    }

    /// Remove the entry whose value is at `place`.
    pub fn remove(&mut self, place: &Cursor<'t, 'a>) -> Result<(), EditError> {
        let (map, key) = self.entry_of(place)?;
        let (_, tpath) = self.tree.text_path(map.id());
        let intent = parent_path(&place.path());
        self.intent(
            Kind::Remove,
            map.id(),
            Some(key.id()),
            place,
            tpath,
            intent,
            Item::Remove,
        )
    }

    fn entry_of(&self, place: &Cursor<'t, 'a>) -> Result<(Node<'t, 'a>, Node<'t, 'a>), EditError> {
        let key = place
            .key()
            .ok_or_else(|| self.layout_err(place.site().start(), "not a mapping entry"))?;
        let map = key
            .parent()
            .filter(|m| m.is_map())
            .ok_or_else(|| self.layout_err(key.start(), "not a mapping entry"))?;
        if place.via_merge() {
            return Err(EditError::ThroughMerge {
                at: self.loc(key.start()),
                target: place.path().to_string(),
            });
        }
        Ok((map, key))
    }

    #[allow(clippy::too_many_arguments)]
    fn intent(
        &mut self,
        kind: Kind,
        node: NodeId,
        key: Option<NodeId>,
        cursor: &Cursor<'t, 'a>,
        tpath: Path,
        intent: Path,
        item: Item,
    ) -> Result<(), EditError> {
        if cursor.via_merge() {
            return Err(EditError::ThroughMerge {
                at: self.loc(self.tree.node(node).start()),
                target: cursor.path().to_string(),
            });
        }
        let doc = cursor.doc();
        let slot = match self.index.get(&(node, kind, key)) {
            Some(&s) => s,
            None => {
                let occurrences = self.occurrences_of(doc, &tpath, &intent)?;
                let anchor = match kind {
                    Kind::Replace => self.kept_anchor(node),
                    _ => None,
                };
                self.slots.push(Slot {
                    kind,
                    node,
                    key,
                    doc,
                    tpath,
                    occurrences,
                    items: Vec::new(),
                    places: BTreeMap::new(),
                    splices: Vec::new(),
                    anchor,
                });
                self.index.insert((node, kind, key), self.slots.len() - 1);
                self.slots.len() - 1
            }
        };
        if !self.slots[slot].occurrences.contains(&intent) {
            return Err(EditError::Invalid {
                message: format!(
                    "internal: {} is not a place of the node it reaches",
                    intent.pointer()
                ),
            });
        }
        let k = self.slots[slot].places.get(&intent).copied().unwrap_or(0);
        let single = !matches!(kind, Kind::Append | Kind::Insert);
        if let Some(existing) = self.slots[slot].items.get(if single { 0 } else { k }) {
            if *existing != item {
                return Err(EditError::Conflict {
                    at: self.loc(self.tree.node(node).start()),
                });
            }
            if !(single && k > 0) {
                *self.slots[slot].places.entry(intent).or_insert(0) += 1;
            }
            return Ok(());
        }
        let splices = self.render(&self.slots[slot], &item, k)?;
        let s = &mut self.slots[slot];
        s.splices.extend(splices);
        s.items.push(item);
        *s.places.entry(intent).or_insert(0) += 1;
        Ok(())
    }

    fn occurrences_of(
        &mut self,
        doc: usize,
        tpath: &Path,
        intent: &Path,
    ) -> Result<Rc<Vec<Path>>, EditError> {
        if let Some(o) = self.occurrences.get(&(doc, tpath.clone())) {
            return Ok(o.clone());
        }
        let o = self
            .tree
            .occurrences(doc, tpath, self.limits.max_alias_expansion)
            .map_err(|e| e.into_edit(self.tree, intent.to_string()))?;
        let o = Rc::new(o);
        self.occurrences.insert((doc, tpath.clone()), o.clone());
        Ok(o)
    }

    /// The anchor a replaced node keeps: its own, when an alias refers to it.
    fn kept_anchor(&self, node: NodeId) -> Option<String> {
        let n = self.tree.node(node);
        if !n.is_aliased() {
            return None;
        }
        let (s, e) = n.anchor_span()?;
        self.tree.text().src().get(s + 1..e).map(str::to_owned)
    }

    /// Add `results` to the `ResourceList` at `root`: after any results already there.
    pub fn add_results(
        &mut self,
        root: &Cursor<'t, 'a>,
        results: &[KrmResult],
    ) -> Result<(), EditError> {
        if results.is_empty() {
            return Ok(());
        }
        let values: Vec<Value> = results.iter().map(KrmResult::to_value).collect();
        match root.get("results") {
            Some(existing) if existing.node().is_seq() => {
                for v in values {
                    self.append(&existing, v)?;
                }
                Ok(())
            }
            Some(existing) if existing.node().is_null() => {
                self.replace(&existing, Value::Seq(values))
            }
            Some(existing) => Err(self.layout_err(
                existing.node().start(),
                "the ResourceList's results is not a list",
            )),
            None => self.insert(root, "results", Value::Seq(values)),
        }
    }

    // ---------------------------------------------------------------- rendering

    fn render(&self, slot: &Slot, item: &Item, k: usize) -> Result<Vec<Splice>, EditError> {
        let node = self.tree.node(slot.node);
        match (&slot.kind, item) {
            (Kind::Append, Item::Value(v)) => self.render_append(node, v, k).map(|s| vec![s]),
            (Kind::Insert, Item::Entry(key, v)) => self.render_insert(node, key, v, k),
            (Kind::Replace, Item::Value(v)) => self.render_replace(node, v, slot.anchor.as_deref()),
            (Kind::ReplaceEntry, Item::Rename(new_key, v)) => {
                let key = self.tree.node(slot.key.unwrap_or(slot.node));
                self.render_rename(node, key, new_key, v).map(|s| vec![s])
            }
            (Kind::Remove, Item::Remove) => {
                let key = self.tree.node(slot.key.unwrap_or(slot.node));
                self.render_remove(node, key).map(|s| vec![s])
            }
            _ => Err(EditError::Invalid {
                message: "internal: an edit of the wrong shape".into(),
            }),
        }
    }

    fn render_append(&self, seq: Node, v: &Value, k: usize) -> Result<Splice, EditError> {
        let text = self.tree.text();
        if seq.is_flow() {
            let sep = if k > 0 || !seq.is_empty() { ", " } else { "" };
            let at = match seq.last_child() {
                Some(last) => last.end(),
                None => seq.start() + 1,
            };
            return Ok(insert_at(at, format!("{sep}{}", value::flow(v))));
        }
        let dash = layout::dash_column(text, &seq).ok_or_else(|| {
            self.layout_err(seq.start(), "cannot tell the indentation of the list")
        })?;
        let first = seq
            .first_child()
            .ok_or_else(|| self.layout_err(seq.start(), "an empty block list"))?;
        let lines = if first.is_map() && first.is_flow() {
            vec![format!("{}- {}", " ".repeat(dash), value::flow(v))]
        } else {
            let key_col = if first.is_map() {
                layout::key_column(text, &first)
            } else {
                dash + 2
            };
            value::block_item(v, dash, key_col, self.indent(&seq))
        };
        let (pos, join) = layout::after(text, &seq);
        self.check_end_of_line(&seq, pos, join)?;
        Ok(insert_at(
            pos,
            layout::lines(&lines, join, text.eol_at(pos)),
        ))
    }

    fn render_insert(
        &self,
        map: Node,
        key: &str,
        v: &Value,
        k: usize,
    ) -> Result<Vec<Splice>, EditError> {
        let text = self.tree.text();
        if map.is_flow() {
            let sep = if k > 0 || !map.is_empty() { ", " } else { "" };
            let at = match map.last_child() {
                Some(last) => last.end(),
                None => map.start() + 1,
            };
            let t = format!("{sep}{}: {}", value::quoted(key), value::flow(v));
            return Ok(vec![insert_at(at, t)]);
        }
        if map.is_empty() {
            return Err(self.layout_err(map.start(), "an empty block mapping"));
        }
        let col = layout::key_column(text, &map);
        let lines = value::block_entry(key, v, col, self.indent(&map));
        if self.tree.docs.iter().any(|d| d.root == Some(map.id())) {
            return self.render_root_insert(map, lines);
        }
        let (pos, join) = layout::after(text, &map);
        self.check_end_of_line(&map, pos, join)?;
        Ok(vec![insert_at(
            pos,
            layout::lines(&lines, join, text.eol_at(pos)),
        )])
    }

    /// A new key of a document's root mapping goes after everything the document holds (its
    /// trailing comments too), on lines of its own.
    fn render_root_insert(&self, map: Node, lines: Vec<String>) -> Result<Vec<Splice>, EditError> {
        let text = self.tree.text();
        let src = text.src();
        let doc = self
            .tree
            .docs
            .iter()
            .position(|d| d.root == Some(map.id()))
            .ok_or_else(|| self.layout_err(map.start(), "internal: not a document root"))?;
        let first_key = map.first_child().map_or(map.start(), |k| k.full_start());
        let key_at = layout::explicit_indicator(text, first_key).unwrap_or(first_key);
        let end = self.tree.document_end(doc);
        // The document's content ends at a line start (before `...` or `---`) or at the end
        // of the text.
        let (pos, join) = if end < src.len() {
            (text.line_start(end), Join::LineStart)
        } else if src.ends_with(['\n', '\r']) {
            (end, Join::LineStart)
        } else {
            (end, Join::LineEnd)
        };
        // Without a final line break, a block scalar that ends the text would gain one; the
        // new key then goes before the first key instead.
        // A document that ends in a block scalar without a final line break: the new key goes
        // first, as a line after the scalar would change its value.
        let before_first = join == Join::LineEnd && map.ends_in_block_scalar();
        if before_first || pos < map.end() {
            if !layout::indented_only(text, key_at) {
                return Err(self.layout_err(key_at, "cannot tell where the document's keys start"));
            }
            let at = text.line_start(key_at);
            return Ok(vec![insert_at(
                at,
                layout::lines(&lines, Join::LineStart, text.eol_at(at)),
            )]);
        }
        Ok(vec![insert_at(
            pos,
            layout::lines(&lines, join, text.eol_at(pos)),
        )])
    }

    /// New lines after `node` must not split what follows it on its line, nor end a block
    /// scalar that ends the text without a final line break (it would gain one).
    fn check_end_of_line(&self, node: &Node, pos: usize, join: Join) -> Result<(), EditError> {
        let text = self.tree.text();
        if join == Join::LineEnd && pos == text.len() && node.ends_in_block_scalar() {
            return Err(self.layout_err(
                node.end(),
                "a block scalar ends the text without a final line break; a line added after \
                 it would change its value (end the file with a line break)",
            ));
        }
        if join == Join::LineEnd && !layout::blank_or_comment(text, node.end(), pos) {
            return Err(self.layout_err(node.end(), "unexpected text after the last value"));
        }
        Ok(())
    }

    fn render_replace(
        &self,
        site: Node,
        v: &Value,
        anchor: Option<&str>,
    ) -> Result<Vec<Splice>, EditError> {
        let text = self.tree.text();
        if let Some(at) = self.anchor_used_outside(site.full_start(), site.raw_end()) {
            if anchor.is_none() || at != site.full_start() {
                return Err(self.layout_err(
                    at,
                    "the replaced value defines an anchor that an alias elsewhere refers to",
                ));
            }
        }
        let map = site
            .parent()
            .ok_or_else(|| self.layout_err(site.start(), "not a mapping value"))?;
        let key = key_of(map, site.id())
            .ok_or_else(|| self.layout_err(site.start(), "not a mapping value"))?;
        let prefix = anchor.map(|a| format!("&{a} ")).unwrap_or_default();
        if map.is_flow() || !v.is_collection() {
            let rendered = if map.is_flow() {
                value::flow(v)
            } else {
                value::block_scalar(v)
            };
            let (s, e) = if map.is_flow() && site.is_null() && site.start() == site.end() {
                let colon = layout::colon_after(text, key.end()).ok_or_else(|| {
                    self.layout_err(key.end(), "cannot find the ':' after the key")
                })?;
                (colon + 1, colon + 1)
            } else {
                layout::value_range(text, &key, &site).map_err(|(at, m)| self.layout_err(at, m))?
            };
            let t = format!("{prefix}{rendered}");
            let t = if s == e { format!(" {t}") } else { t };
            return Ok(vec![Splice {
                start: s,
                end: e,
                text: t,
            }]);
        }
        // A block collection in place of a null: the null goes, what followed it on the line
        // (a comment) stays, and the collection starts on the next line.
        if !site.is_null() {
            return Err(self.layout_err(
                site.start(),
                "only a null value can be replaced by a block collection",
            ));
        }
        if !prefix.is_empty() {
            return Err(self.layout_err(
                site.start(),
                "an anchored null cannot become a block collection",
            ));
        }
        let colon = layout::colon_after(text, key.end())
            .ok_or_else(|| self.layout_err(key.end(), "cannot find the ':' after the key"))?;
        let (end, line_end) = layout::null_tail(text, colon, &site).ok_or_else(|| {
            self.layout_err(site.start(), "the null value is not alone on its line")
        })?;
        let key_col = match layout::explicit_indicator(text, key.full_start()) {
            Some(q) => text.column(q),
            None => text.column(key.full_start()),
        };
        let ind = self.indent(&map);
        let lines: Vec<String> = match v {
            Value::Seq(items) => {
                let dash = key_col + ind.seq_offset;
                items
                    .iter()
                    .flat_map(|i| value::block_item(i, dash, dash + 2, ind))
                    .collect()
            }
            Value::Map(entries) => entries
                .iter()
                .flat_map(|(k, cv)| value::block_entry(k, cv, key_col + ind.map_step, ind))
                .collect(),
            _ => Vec::new(),
        };
        let mut out = Vec::new();
        if end > colon + 1 {
            out.push(Splice {
                start: colon + 1,
                end,
                text: String::new(),
            });
        }
        out.push(insert_at(
            line_end,
            layout::lines(&lines, Join::LineEnd, text.eol_at(line_end)),
        ));
        Ok(out)
    }

    fn render_rename(
        &self,
        map: Node,
        key: Node,
        new_key: &str,
        v: &Value,
    ) -> Result<Splice, EditError> {
        let text = self.tree.text();
        let value = value_of(map, key.id())
            .ok_or_else(|| self.layout_err(key.start(), "internal: no value for the key"))?;
        let start = layout::explicit_indicator(text, key.full_start()).unwrap_or(key.full_start());
        if let Some(at) = self.anchor_used_outside(start, value.raw_end()) {
            return Err(self.layout_err(
                at,
                "the replaced entry defines an anchor that an alias elsewhere refers to",
            ));
        }
        let t = if map.is_flow() {
            format!("{}: {}", value::quoted(new_key), value::flow(v))
        } else {
            if v.is_collection() {
                return Err(self.layout_err(
                    key.start(),
                    "cannot write a block collection in place of an entry",
                ));
            }
            format!("{}: {}", value::block_key(new_key), value::block_scalar(v))
        };
        let end = if value.is_null() && value.start() == value.end() {
            layout::colon_after(text, key.end()).map_or(key.end(), |c| c + 1)
        } else {
            value.end()
        };
        Ok(Splice {
            start,
            end,
            text: t,
        })
    }

    fn render_remove(&self, map: Node, key: Node) -> Result<Splice, EditError> {
        let text = self.tree.text();
        let value = value_of(map, key.id())
            .ok_or_else(|| self.layout_err(key.start(), "internal: no value for the key"))?;
        let start = layout::explicit_indicator(text, key.full_start()).unwrap_or(key.full_start());
        if let Some(at) = self.anchor_used_outside(start, value.raw_end()) {
            return Err(self.layout_err(
                at,
                "the removed entry defines an anchor that an alias elsewhere refers to",
            ));
        }
        if map.is_flow() {
            let entries: Vec<(Node, Node)> = map.entries().collect();
            let i = entries
                .iter()
                .position(|(k, _)| k.id() == key.id())
                .ok_or_else(|| self.layout_err(key.start(), "internal: no such entry"))?;
            let (s, e) = if i > 0 {
                (entries[i - 1].1.end(), value.end())
            } else if let Some((next, _)) = entries.get(1) {
                (start, next.full_start())
            } else {
                (start, value.end())
            };
            return Ok(Splice {
                start: s,
                end: e,
                text: String::new(),
            });
        }
        if map.len() == 1 {
            return Err(self.layout_err(
                key.start(),
                "cannot remove the only entry of a block mapping",
            ));
        }
        if !layout::indented_only(text, start) {
            return Err(self.layout_err(key.start(), "the entry does not start its line"));
        }
        let (pos, join) = layout::after(text, &value);
        let end = match join {
            Join::LineStart => pos,
            Join::LineEnd => text.next_line(pos),
        };
        Ok(Splice {
            start: text.line_start(start),
            end,
            text: String::new(),
        })
    }

    /// An anchor defined in `from..to` that an alias outside that range refers to.
    fn anchor_used_outside(&self, from: usize, to: usize) -> Option<usize> {
        self.tree.anchors.iter().find_map(|(id, def)| {
            let at = def.offset as usize;
            let inside = at >= from && at < to;
            (inside && self.tree.aliases.iter().any(|s| s.anchor == *id)).then_some(at)
        })
    }

    /// Indentation for new block content under `node`, copied from the nearest list that is
    /// a mapping's value (above it, else below it), with mappings indented by 2.
    fn indent(&self, node: &Node) -> Indent {
        let text = self.tree.text();
        let offset_of = |key: Node, v: Node| -> Option<usize> {
            if v.is_seq() && !v.is_flow() {
                layout::sequence_offset(text, &key, &v)
            } else {
                None
            }
        };
        // Above: the nearest ancestor list that is a mapping's value.
        let mut at = Some(*node);
        while let Some(n) = at {
            if let Some(p) = n.parent() {
                if p.is_map() {
                    if let Some(k) = key_of(p, n.id()) {
                        if let Some(o) = offset_of(k, n) {
                            return Indent {
                                seq_offset: o,
                                map_step: 2,
                            };
                        }
                    }
                }
            }
            at = n.parent();
        }
        // Below: the first list value of the node itself.
        if node.is_map() {
            for (k, v) in node.entries() {
                if let Some(o) = offset_of(k, v) {
                    return Indent {
                        seq_offset: o,
                        map_step: 2,
                    };
                }
            }
        }
        Indent {
            seq_offset: 0,
            map_step: 2,
        }
    }

    // ---------------------------------------------------------------- finish

    /// Check every edit, apply them, and re-read the output to verify it.
    pub fn finish(self) -> Result<Edited, EditError> {
        let tree = self.tree;
        let text = tree.text();
        // Every place a changed node appears at must have asked for the same change.
        for slot in &self.slots {
            for place in slot.occurrences.iter() {
                let asked = slot.places.get(place).copied().unwrap_or(0);
                let want = if matches!(slot.kind, Kind::Append | Kind::Insert) {
                    slot.items.len()
                } else {
                    1
                };
                if asked < want {
                    let target = slot.places.keys().next().cloned().unwrap_or_default();
                    let other_object = self
                        .envelope
                        .and_then(|e| e.object_at(slot.doc, place))
                        .map(|o| o.id.describe());
                    return Err(EditError::SharedAnchor {
                        at: self.loc(tree.node(slot.node).start()),
                        doc: slot.doc,
                        target,
                        other: place.clone(),
                        other_object,
                    });
                }
            }
        }
        // YAML 1.1 line breaks make readers disagree about an edited document.
        let mut docs: Vec<usize> = self.slots.iter().map(|s| s.doc).collect();
        docs.sort_unstable();
        docs.dedup();
        for &d in &docs {
            let start = if d == 0 { 0 } else { tree.document_end(d - 1) };
            if let Some(at) = tree.yaml11_break_in(start, tree.document_end(d)) {
                return Err(EditError::AmbiguousLineBreak {
                    at: self.loc(at),
                    name: yaml11_break_name(text.src(), at),
                });
            }
        }
        // The splices, in order: at one offset, insertions into deeper nodes first (they
        // close before their ancestors continue), then in the order asked.
        #[cfg(feature = "fault-injection")]
        let reverse = self.has_fault(Fault::ReverseTies);
        #[cfg(not(feature = "fault-injection"))]
        let reverse = self.has_fault(());
        let mut all: Vec<(usize, usize, usize, usize, &Splice)> = Vec::new();
        for (si, slot) in self.slots.iter().enumerate() {
            let depth = slot.tpath.segs().len();
            let rank = if reverse { depth } else { usize::MAX - depth };
            for s in &slot.splices {
                all.push((s.start, rank, si, all.len(), s));
            }
        }
        all.sort_by_key(|&(start, rank, si, order, s)| (start, s.end > s.start, rank, si, order));
        #[allow(unused_mut)]
        let mut splices: Vec<Splice> = all.iter().map(|t| t.4.clone()).collect();
        #[cfg(feature = "fault-injection")]
        self.apply_faults(&mut splices);
        if let Err(at) = splice::check(text.src(), &splices) {
            return Err(EditError::Conflict { at: self.loc(at) });
        }
        let verified = self.verify(&splices)?;
        let mut changes = Vec::new();
        for slot in &self.slots {
            for place in slot.places.keys() {
                changes.extend(self.changes_of(slot, place));
            }
        }
        changes.sort_by(|a, b| (a.doc, &a.path).cmp(&(b.doc, &b.path)));
        Ok(Edited {
            splices,
            changes,
            verified,
        })
    }

    #[cfg(feature = "fault-injection")]
    fn apply_faults(&self, splices: &mut [Splice]) {
        if self.has_fault(Fault::CorruptFirstSplice) {
            if let Some(s) = splices.first_mut() {
                s.text.push_str("\"x");
            }
        }
        if self.has_fault(Fault::ShiftLastEdit) {
            if let Some(last) = self.slots.last().and_then(|s| s.splices.last()) {
                if let Some(s) = splices.iter_mut().find(|s| *s == last) {
                    let at = s.text.find('\n').map_or(0, |i| i + 1);
                    s.text.insert(at, ' ');
                }
            }
        }
    }

    fn changes_of(&self, slot: &Slot, place: &Path) -> Vec<Change> {
        let mk = |op, path: Path, append, value| Change {
            doc: slot.doc,
            op,
            path,
            append,
            value,
        };
        let mut out = Vec::new();
        for item in &slot.items {
            match (slot.kind, item) {
                (Kind::Append, Item::Value(v)) => {
                    out.push(mk(Op::Add, place.clone(), true, Some(v.clone())))
                }
                (Kind::Insert, Item::Entry(k, v)) => {
                    out.push(mk(Op::Add, change::key(place, k), false, Some(v.clone())))
                }
                (Kind::Replace, Item::Value(v)) => {
                    out.push(mk(Op::Replace, place.clone(), false, Some(v.clone())))
                }
                (Kind::ReplaceEntry, Item::Rename(k, v)) => {
                    let old = self.key_text(slot);
                    out.push(mk(Op::Remove, change::key(place, &old), false, None));
                    out.push(mk(Op::Add, change::key(place, k), false, Some(v.clone())));
                }
                (Kind::Remove, Item::Remove) => {
                    let old = self.key_text(slot);
                    out.push(mk(Op::Remove, change::key(place, &old), false, None));
                }
                _ => {}
            }
        }
        out
    }

    fn key_text(&self, slot: &Slot) -> String {
        slot.key
            .and_then(|k| self.tree.node(k).scalar())
            .unwrap_or("?")
            .to_owned()
    }

    fn expect_of(&self, slot: &Slot) -> Expect {
        match slot.kind {
            Kind::Append => Expect::Append(
                slot.items
                    .iter()
                    .filter_map(|i| match i {
                        Item::Value(v) => Some(v.clone()),
                        _ => None,
                    })
                    .collect(),
            ),
            Kind::Insert => {
                // Where the new entries went: before the first entry whose key starts after
                // the insertion.
                let map = self.tree.node(slot.node);
                let at = slot.splices.first().map_or(usize::MAX, |s| s.start);
                let before = map
                    .entries()
                    .take_while(|(k, _)| k.full_start() < at)
                    .count();
                Expect::Insert(
                    slot.items
                        .iter()
                        .filter_map(|i| match i {
                            Item::Entry(k, v) => Some((k.clone(), v.clone())),
                            _ => None,
                        })
                        .collect(),
                    before,
                )
            }
            Kind::Replace => match slot.items.first() {
                Some(Item::Value(v)) => Expect::Replace(v.clone(), slot.anchor.clone()),
                _ => Expect::Remove { key: String::new() },
            },
            Kind::ReplaceEntry => match slot.items.first() {
                Some(Item::Rename(k, v)) => Expect::ReplaceEntry {
                    key: self.key_text(slot),
                    new_key: k.clone(),
                    value: v.clone(),
                },
                _ => Expect::Remove { key: String::new() },
            },
            Kind::Remove => Expect::Remove {
                key: self.key_text(slot),
            },
        }
    }

    /// Re-read the changed regions of the output beside the same regions of the input.
    fn verify(&self, splices: &[Splice]) -> Result<Verified, EditError> {
        let mut verified = Verified::default();
        let mut by_doc: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (i, s) in self.slots.iter().enumerate() {
            by_doc.entry(s.doc).or_default().push(i);
        }
        for (&doc, slots) in &by_doc {
            let units = self.units(doc, slots);
            let ok = match units {
                Some(units) => {
                    let mut ok = true;
                    for u in &units {
                        match self.check_unit(u, splices) {
                            Ok(()) => {
                                if u.tail {
                                    verified.tails += 1;
                                } else {
                                    verified.items += 1;
                                }
                            }
                            Err(UnitError::Standalone) => {
                                ok = false;
                                break;
                            }
                            Err(UnitError::Differs(m)) => {
                                return Err(EditError::Verify { message: m });
                            }
                        }
                    }
                    ok
                }
                None => false,
            };
            if !ok {
                self.check_whole(splices)?;
                verified.whole += 1;
            }
        }
        Ok(verified)
    }

    /// The regions that verify a document's changes: each changed item of a top-level list
    /// alone, and the document's end for changes to its root.
    fn units(&self, doc: usize, slots: &[usize]) -> Option<Vec<Unit>> {
        let tree = self.tree;
        let text = tree.text();
        let root = tree.root(doc)?;
        let mut items: BTreeMap<(Box<str>, usize), Vec<usize>> = BTreeMap::new();
        let mut tail: Vec<usize> = Vec::new();
        for &si in slots {
            let segs = self.slots[si].tpath.segs();
            match segs {
                [Seg::Key(k), Seg::Index(i), ..]
                    if root.is_map() && root.get(k).is_some_and(|v| v.is_seq()) =>
                {
                    items.entry((k.clone(), *i)).or_default().push(si);
                }
                _ => tail.push(si),
            }
        }
        let mut units = Vec::new();
        for ((k, i), slots) in items {
            let seq = root.get(&k)?;
            let item = seq.items().nth(i)?;
            let start = item.full_start();
            let end = if item.is_flow() || item.kind() == NodeKind::Scalar {
                item.end()
            } else {
                layout::after(text, &item).0
            };
            let multiline = text.src()[start..end].contains(['\n', '\r']);
            units.push(Unit {
                start,
                end,
                prefix: if multiline {
                    " ".repeat(text.column(start))
                } else {
                    String::new()
                },
                rebase: (vec![Seg::Key(k), Seg::Index(i)], Vec::new()),
                tail: false,
                slots,
            });
        }
        if !tail.is_empty() {
            units.push(self.tail_unit(doc, root, tail)?);
        }
        Some(units)
    }

    /// The document's end: from the root entry holding the first change (from its last item
    /// when it is a list the changes do not touch) to the end of the document.
    fn tail_unit(&self, doc: usize, root: Node, tail: Vec<usize>) -> Option<Unit> {
        let tree = self.tree;
        let text = tree.text();
        if !root.is_map() {
            return None;
        }
        let first_change = tail
            .iter()
            .flat_map(|&si| self.slots[si].splices.iter().map(|s| s.start))
            .min()?;
        let entries: Vec<(Node, Node)> = root.entries().collect();
        let (k, v) = entries
            .iter()
            .rev()
            .find(|(k, _)| k.full_start() <= first_change)
            .copied()?;
        let key_at = layout::explicit_indicator(text, k.full_start()).unwrap_or(k.full_start());
        let mut unit = Unit {
            start: 0,
            end: tree.document_end(doc),
            prefix: String::new(),
            rebase: (Vec::new(), Vec::new()),
            tail: true,
            slots: Vec::new(),
        };
        if root.is_flow() {
            // From this entry on, behind a `{`.
            unit.start = key_at;
            unit.prefix = "{".into();
            if v.is_seq() && v.is_flow() && first_change >= v.end() {
                if let Some(last) = v.last_child() {
                    let n = v.len() - 1;
                    unit.start = last.full_start();
                    unit.prefix = format!("{{{}", &text.src()[key_at..=v.start()]);
                    unit.rebase = (
                        vec![key_seg(&k), Seg::Index(n)],
                        vec![key_seg(&k), Seg::Index(0)],
                    );
                }
            }
        } else {
            if !layout::indented_only(text, key_at) {
                return None;
            }
            unit.start = text.line_start(key_at);
            if v.is_seq() && !v.is_flow() && first_change >= v.raw_end() {
                if let Some(last) = v.last_child() {
                    let n = v.len() - 1;
                    let ls = text.line_start(last.full_start());
                    let prefix = &text.src().as_bytes()[ls..last.full_start()];
                    let dash = prefix.iter().filter(|&&b| b == b'-').count() == 1
                        && prefix.iter().all(|&b| b == b' ' || b == b'-')
                        && prefix.last() == Some(&b' ');
                    if ls > key_at && dash && text.line_end(k.end()) < ls {
                        let head = &text.src()[text.line_start(key_at)..text.line_end(k.end())];
                        unit.start = ls;
                        unit.prefix = format!("{head}{}", text.eol_at(text.line_end(k.end())));
                        unit.rebase = (
                            vec![key_seg(&k), Seg::Index(n)],
                            vec![key_seg(&k), Seg::Index(0)],
                        );
                    }
                }
            }
        }
        // Every change in the window is checked in it.
        for (si, slot) in self.slots.iter().enumerate() {
            if slot.doc == doc
                && slot
                    .splices
                    .iter()
                    .any(|s| s.end > unit.start || (s.start >= unit.start && s.start <= unit.end))
            {
                unit.slots.push(si);
            }
        }
        Some(unit)
    }

    fn check_unit(&self, u: &Unit, all: &[Splice]) -> Result<(), UnitError> {
        let src = self.tree.text().src();
        // Splices in the window: those of its slots, which must lie inside it; no other
        // splice may touch it.
        let mut mine: Vec<&Splice> = Vec::new();
        for s in all {
            let owned = u.slots.iter().any(|&si| self.slots[si].splices.contains(s));
            let inside = s.start >= u.start && s.end <= u.end;
            let touches = s.end > u.start && s.start < u.end;
            if owned {
                if !inside {
                    return Err(UnitError::Standalone);
                }
                mine.push(s);
            } else if touches {
                return Err(UnitError::Standalone);
            }
        }
        let mut trie = Trie::new();
        for &si in &u.slots {
            let slot = &self.slots[si];
            let Some(p) = rebase(slot.tpath.segs(), &u.rebase) else {
                return Err(UnitError::Standalone);
            };
            trie.add(&p, self.expect_of(slot));
        }
        let before = format!("{}{}", u.prefix, &src[u.start..u.end]);
        let after = format!("{}{}", u.prefix, splice::apply(src, u.start, u.end, &mine));
        let mut tries = HashMap::new();
        tries.insert(0usize, trie);
        verify::compare(&before, &after, &tries, &self.limits).map_err(|m| match m {
            Mismatch::Unreadable(_) => UnitError::Standalone,
            Mismatch::Differs(m) => {
                UnitError::Differs(format!("the edited output does not read as planned: {m}"))
            }
        })
    }

    /// Verify the changes by re-reading the whole text.
    fn check_whole(&self, all: &[Splice]) -> Result<(), EditError> {
        let src = self.tree.text().src();
        let refs: Vec<&Splice> = all.iter().collect();
        let after = splice::apply(src, 0, src.len(), &refs);
        let mut tries: HashMap<usize, Trie> = HashMap::new();
        for slot in &self.slots {
            tries
                .entry(slot.doc)
                .or_default()
                .add(slot.tpath.segs(), self.expect_of(slot));
        }
        verify::compare(src, &after, &tries, &self.limits).map_err(|m| {
            let m = match m {
                Mismatch::Unreadable(m) | Mismatch::Differs(m) => m,
            };
            EditError::Verify {
                message: format!("the edited output does not read as planned: {m}"),
            }
        })
    }
}

struct Unit {
    start: usize,
    end: usize,
    prefix: String,
    /// Paths starting with `.0` are seen at `.1` in the window.
    rebase: (Vec<Seg>, Vec<Seg>),
    tail: bool,
    slots: Vec<usize>,
}

enum UnitError {
    /// The window cannot be read alone: verify the whole document instead.
    Standalone,
    Differs(String),
}

/// A path as seen in a window that shows the item at `from` as `to`: paths below it are
/// moved, paths to other items of the same list are not in the window, others are kept.
fn rebase(path: &[Seg], (from, to): &(Vec<Seg>, Vec<Seg>)) -> Option<Vec<Seg>> {
    if from.is_empty() {
        return Some(path.to_vec());
    }
    if let Some(rest) = path.strip_prefix(from.as_slice()) {
        let mut v = to.clone();
        v.extend_from_slice(rest);
        return Some(v);
    }
    let list = &from[..from.len() - 1];
    if path.len() > list.len() && path.starts_with(list) {
        return None;
    }
    Some(path.to_vec())
}

fn key_seg(k: &Node) -> Seg {
    Seg::Key(k.scalar().unwrap_or("?").into())
}

fn insert_at(at: usize, text: String) -> Splice {
    Splice {
        start: at,
        end: at,
        text,
    }
}

fn parent_path(p: &Path) -> Path {
    let s = p.segs();
    Path(s[..s.len().saturating_sub(1)].to_vec())
}

/// The key of the entry whose value is `value` in `map`.
fn key_of<'t, 'a>(map: Node<'t, 'a>, value: NodeId) -> Option<Node<'t, 'a>> {
    map.entries().find(|(_, v)| v.id() == value).map(|(k, _)| k)
}

/// The value of the entry whose key is `key` in `map`.
fn value_of<'t, 'a>(map: Node<'t, 'a>, key: NodeId) -> Option<Node<'t, 'a>> {
    map.entries().find(|(k, _)| k.id() == key).map(|(_, v)| v)
}
