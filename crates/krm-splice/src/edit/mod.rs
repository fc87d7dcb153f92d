//! The editor: operations on the tree that each produce their splices, rendered to match
//! their surroundings, and record the change they make; [`Editor::finish`] checks that no
//! edit reaches a place it was not asked for (through a shared anchor), applies the splices
//! and re-reads the output to verify every change.

mod render;
mod windows;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use crate::change::{self, Change, Op};
use crate::envelope::Envelope;
use crate::error::{EditError, Limits};
use crate::krm::KrmResult;
use crate::layout::{self, Join};
use crate::path::{Path, Seg};
use crate::splice::{self, Splice};
use crate::text::yaml11_break_name;
use crate::tree::{Cursor, Node, NodeId, NodeKind, OccurrenceError, Tree};
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
    occurrences: Rc<BTreeSet<Path>>,
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
    /// A window around one change (the last item of a list appended to, the last entry of
    /// a mapping inserted into, the entry replaced, a flow collection), re-read alone.
    pub local: usize,
    /// An item of a top-level list (an object of a ResourceList), re-read alone.
    pub items: usize,
    /// The end of a document (where new top-level keys go), re-read alone.
    pub tails: usize,
    /// A whole document or stream (when a region could not be read alone).
    pub whole: usize,
}

impl Edited {
    /// Write the output: the input's own bytes between the splices ([`Splice::write_all`]).
    /// `input` must be the bytes the tree was parsed from.
    pub fn write<W: std::io::Write>(&self, input: &[u8], w: W) -> std::io::Result<()> {
        Splice::write_all(input, &self.splices, w)
    }

    /// The output bytes (what [`write`](Self::write) writes).
    pub fn output(&self, input: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(input.len() + 1024);
        // Writing to a Vec cannot fail.
        let _ = self.write(input, &mut out);
        out
    }
}

/// Makes edits to a parsed input.
///
/// Each operation takes a [`Cursor`] (a place in the expanded reading) and a [`Value`],
/// renders its splices at once to match the surroundings, and records the [`Change`] it
/// makes; an operation that cannot be made exactly or safely returns an [`EditError`]. Treat
/// such an error as a refusal of the whole edit and drop the editor: what a failed operation
/// leaves behind is not defined, and [`finish`](Editor::finish) may refuse because of it
/// (today a failed rendering leaves an empty edit of its node, which `finish` reports as
/// [`EditError::SharedAnchor`]). An edit changes the text of the node at that place; when
/// that node also appears elsewhere (through an anchor), every other place it appears at
/// must be given the same edit, or [`finish`](Editor::finish) refuses; a place whose alias
/// (or an alias on the way to it) is itself replaced no longer shows the node and needs
/// nothing. Asking for the same edit twice at one place is asking once for a replacement,
/// and twice for an append or insert; two different edits of one node conflict
/// ([`EditError::Conflict`]).
///
/// Nothing is written until [`finish`](Editor::finish) has verified the output; an editor
/// dropped without finishing changes nothing.
///
/// ```
/// use krm_splice::{EditError, Editor, Keep, Limits, Text, Tree, Value};
/// let src = "spec: {replicas: 1, paused: true, old: x}\nlabels:\n  a: \"1\"   # keep me\n  b: 2\n";
/// let limits = Limits::default();
/// let tree = Tree::parse(Text::new(src), &Keep::all(), &limits)?;
/// let root = tree.cursor(0).ok_or("empty")?;
/// let spec = root.get("spec").ok_or("no spec")?;
/// let labels = root.get("labels").ok_or("no labels")?;
/// let mut ed = Editor::new(&tree, limits);
/// ed.replace(&spec.get("replicas").ok_or("no replicas")?, Value::Int(3))?;
/// ed.remove(&spec.get("paused").ok_or("no paused")?)?;
/// ed.replace_entry(&spec.get("old").ok_or("no old")?, "new", Value::word("y"))?;
/// ed.set_str(&labels.get("a").ok_or("no a")?, "one")?;
/// ed.insert(&labels, "c", Value::word("yes"))?; // `yes` is a bool to YAML 1.1: quoted
/// let out = ed.finish()?.output(src.as_bytes());
/// assert_eq!(
///     String::from_utf8(out)?,
///     "spec: {replicas: 3, \"new\": \"y\"}\nlabels:\n  a: \"one\"   # keep me\n  b: 2\n  c: \"yes\"\n"
/// );
///
/// // What cannot be written exactly is refused, never approximated.
/// let mut ed = Editor::new(&tree, limits);
/// let b = labels.get("b").ok_or("no b")?;
/// let block = Value::map([("x", Value::Int(1))]); // a block mapping in place of `2`
/// assert!(matches!(ed.replace(&b, block), Err(EditError::Layout { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// A node shared through an anchor is edited only if every place it appears at asks for the
/// same edit:
///
/// ```
/// use krm_splice::{EditError, Editor, Keep, Limits, Text, Tree, Value};
/// let src = "a: &x {k: v}\nb: *x\n";
/// let limits = Limits::default();
/// let tree = Tree::parse(Text::new(src), &Keep::all(), &limits)?;
/// let root = tree.cursor(0).ok_or("empty")?;
/// let (a, b) = (root.get("a").ok_or("a")?, root.get("b").ok_or("b")?);
///
/// let mut ed = Editor::new(&tree, limits);
/// ed.insert(&a, "n", Value::Int(1))?;
/// let err = ed.finish().unwrap_err(); // `b` would change too
/// assert!(matches!(err, EditError::SharedAnchor { ref other, .. } if other.to_string() == "b"));
///
/// let mut ed = Editor::new(&tree, limits);
/// ed.insert(&a, "n", Value::Int(1))?;
/// ed.insert(&b, "n", Value::Int(1))?; // the same edit, asked at both places
/// let edited = ed.finish()?;
/// assert_eq!(edited.output(src.as_bytes()), b"a: &x {k: v, \"n\": 1}\nb: *x\n");
/// assert_eq!(edited.changes.len(), 2); // recorded at each place it shows
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Editor<'t, 'a> {
    tree: &'t Tree<'a>,
    limits: Limits,
    envelope: Option<&'t Envelope<'t, 'a>>,
    slots: Vec<Slot>,
    index: HashMap<(NodeId, Kind, Option<NodeId>), usize>,
    occurrences: HashMap<(usize, Path), Rc<BTreeSet<Path>>>,
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

    /// Name objects in errors: which object of the envelope a shared anchor would also
    /// change ([`EditError::SharedAnchor::other_object`]).
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

    /// Append an item to the sequence at `seq`. In a block list it goes after the last item
    /// (after any block scalar's trailing lines), at the items' dash column, written like the
    /// first item (a flow mapping if that is one); in a flow list it follows the last item.
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

    /// Add the entry `key: v` at the end of the mapping at `map`, at its keys' column (block)
    /// or after its last entry (flow). The key must not be there (as written or through a
    /// merge key): replace its value instead.
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

    /// Replace the value at `place` (a mapping's value; a sequence item cannot be replaced)
    /// with `v`, keeping what follows it on its line (a comment). In a block mapping a
    /// collection replaces only a null (`key:`, `~`, `null`), written as indented lines; any
    /// other value becomes a scalar. A value holding an anchor that an alias elsewhere uses
    /// is refused, unless it is the anchored node itself (then edited at every place it
    /// appears, and keeping its anchor name).
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

    /// Replace the entry whose value is at `place`, where it stands, by `new_key: v` (a scalar
    /// or, in a flow mapping, any value). Also turns an explicit key without a value
    /// (`? key`) into an entry.
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

    /// Remove the entry whose value is at `place`: its lines in a block mapping (not the only
    /// entry, and only an entry that starts its line), the entry and one comma in a flow one.
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
        let (slot, created) = match self.index.get(&(node, kind, key)) {
            Some(&s) => (s, false),
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
                (self.slots.len() - 1, true)
            }
        };
        let r = self.ask(slot, node, kind, intent, item);
        if r.is_err() && created {
            // A failed operation leaves nothing behind.
            self.slots.pop();
            self.index.remove(&(node, kind, key));
        }
        r
    }

    /// Record one place's request in a slot, rendering it when it is new.
    fn ask(
        &mut self,
        slot: usize,
        node: NodeId,
        kind: Kind,
        intent: Path,
        item: Item,
    ) -> Result<(), EditError> {
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
    ) -> Result<Rc<BTreeSet<Path>>, EditError> {
        if self.tree.anchors.is_empty() {
            // Without anchors a node appears only where it is written.
            return Ok(Rc::new(BTreeSet::from([intent.clone()])));
        }
        if let Some(o) = self.occurrences.get(&(doc, tpath.clone())) {
            return Ok(o.clone());
        }
        let o = self
            .tree
            .occurrences(doc, tpath, self.limits.max_alias_expansion)
            .map_err(|e| match e {
                OccurrenceError::TooMany => EditError::Invalid {
                    message: format!(
                        "{intent} appears in too many places through aliases to be edited"
                    ),
                },
                OccurrenceError::Merged { at, into } => EditError::MergedElsewhere {
                    at: self.loc(at as usize),
                    doc,
                    target: intent.clone(),
                    other_object: self
                        .envelope
                        .and_then(|e| e.object_at(doc, &into))
                        .map(|o| o.id.describe()),
                    into,
                },
            })?;
        let o: Rc<BTreeSet<Path>> = Rc::new(o.into_iter().collect());
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

    /// Add `results` to the `ResourceList` at `root` ([`Envelope::root`]): appended to its
    /// `results` list, in place of a null `results`, or as a new `results` entry at the end
    /// of the `ResourceList`. Nothing for an empty slice.
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

    // ---------------------------------------------------------------- finish

    /// Check every edit, apply them, and re-read the output to verify it.
    ///
    /// In order: every place a changed node appears at must have asked for the same edit
    /// ([`EditError::SharedAnchor`]); no edited document may hold a YAML 1.1 line break
    /// outside quotes ([`EditError::AmbiguousLineBreak`]); the splices are sorted (at one
    /// offset, insertions into deeper nodes first) and must not overlap
    /// ([`EditError::Conflict`]); then the changed regions of the output are re-read beside
    /// the input's and must differ only as the changes say ([`EditError::Verify`]; see the
    /// crate documentation). An editor with no edits finishes with nothing to splice.
    pub fn finish(mut self) -> Result<Edited, EditError> {
        let tree = self.tree;
        let text = tree.text();
        // Every place a changed node appears at must have asked for the same change, unless
        // another edit replaces what leads there (an alias on the way, replaced by a value
        // of its own): the node no longer appears at that place.
        let mut replaced: Option<HashMap<(usize, &[Seg]), usize>> = None;
        for (si, slot) in self.slots.iter().enumerate() {
            for place in slot.occurrences.iter() {
                let asked = slot.places.get(place).copied().unwrap_or(0);
                let want = if matches!(slot.kind, Kind::Append | Kind::Insert) {
                    slot.items.len()
                } else {
                    1
                };
                if asked >= want {
                    continue;
                }
                let replaced = replaced.get_or_insert_with(|| {
                    let mut m = HashMap::new();
                    for (i, s) in self.slots.iter().enumerate() {
                        if s.kind == Kind::Replace {
                            for p in s.places.keys() {
                                m.insert((s.doc, p.segs()), i);
                            }
                        }
                    }
                    m
                });
                let segs = place.segs();
                // A place of this document: paths repeat from one document to the next.
                let shadowed = (0..=segs.len()).any(|n| {
                    replaced
                        .get(&(slot.doc, &segs[..n]))
                        .is_some_and(|&other| other != si)
                });
                if !shadowed {
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
        // (start, insertion or not, rank, slot, order, index in the slot)
        let mut all: Vec<(usize, bool, usize, usize, usize, usize)> = Vec::new();
        for (si, slot) in self.slots.iter().enumerate() {
            let depth = slot.tpath.segs().len();
            let rank = if reverse { depth } else { usize::MAX - depth };
            for (j, s) in slot.splices.iter().enumerate() {
                all.push((s.start, s.end > s.start, rank, si, all.len(), j));
            }
        }
        all.sort_unstable();
        // The texts move to the output; the slots keep their splices' places, which is all
        // verification reads of them.
        #[allow(unused_mut)]
        let mut splices: Vec<Splice> = all
            .iter()
            .map(|&(_, _, _, si, _, j)| {
                let s = &mut self.slots[si].splices[j];
                Splice {
                    start: s.start,
                    end: s.end,
                    text: std::mem::take(&mut s.text),
                }
            })
            .collect();
        #[cfg(feature = "fault-injection")]
        self.apply_faults(&mut splices);
        if let Err(at) = splice::check(text.src(), &splices) {
            return Err(EditError::Conflict { at: self.loc(at) });
        }
        let owners: Vec<usize> = all.iter().map(|t| t.3).collect();
        let verified = self.verify(&splices, &owners)?;
        // The values move into the changes (verification is done with them); a slot seen
        // at several places gives each of the others a copy.
        let mut changes = Vec::new();
        for mut slot in std::mem::take(&mut self.slots) {
            let n = slot.places.len();
            for (i, place) in slot.places.keys().enumerate() {
                let items = if i + 1 == n {
                    std::mem::take(&mut slot.items)
                } else {
                    slot.items.clone()
                };
                changes.extend(self.changes_of(&slot, place, items));
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
                let at = (last.start, last.end);
                if let Some(s) = splices.iter_mut().rev().find(|s| (s.start, s.end) == at) {
                    let at = s.text.find('\n').map_or(0, |i| i + 1);
                    s.text.insert(at, ' ');
                }
            }
        }
    }

    fn changes_of(&self, slot: &Slot, place: &Path, items: Vec<Item>) -> Vec<Change> {
        let mk = |op, path: Path, append, value| Change {
            doc: slot.doc,
            op,
            path,
            append,
            value,
            old: None,
        };
        // What a replaced or removed value was, when it is a scalar.
        let replaced = || self.tree.node(slot.node).json_scalar();
        let entry_value = || {
            let map = self.tree.node(slot.node);
            slot.key
                .and_then(|k| value_of(map, k))
                .and_then(|v| v.json_scalar())
        };
        let mut out = Vec::new();
        for item in items {
            match (slot.kind, item) {
                (Kind::Append, Item::Value(v)) => {
                    out.push(mk(Op::Add, place.clone(), true, Some(v)))
                }
                (Kind::Insert, Item::Entry(k, v)) => {
                    out.push(mk(Op::Add, change::key(place, &k), false, Some(v)))
                }
                (Kind::Replace, Item::Value(v)) => out.push(Change {
                    old: replaced(),
                    ..mk(Op::Replace, place.clone(), false, Some(v))
                }),
                (Kind::ReplaceEntry, Item::Rename(k, v)) => {
                    let old = self.key_text(slot);
                    out.push(Change {
                        old: entry_value(),
                        ..mk(Op::Remove, change::key(place, &old), false, None)
                    });
                    out.push(mk(Op::Add, change::key(place, &k), false, Some(v)));
                }
                (Kind::Remove, Item::Remove) => {
                    let old = self.key_text(slot);
                    out.push(Change {
                        old: entry_value(),
                        ..mk(Op::Remove, change::key(place, &old), false, None)
                    });
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

    fn expect_of<'s>(&self, slot: &'s Slot) -> Expect<'s> {
        match slot.kind {
            Kind::Append => Expect::Append(
                slot.items
                    .iter()
                    .filter_map(|i| match i {
                        Item::Value(v) => Some(v),
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
                // After the last entry: wherever the window ends.
                let before = if before == map.len() {
                    usize::MAX
                } else {
                    before
                };
                Expect::Insert(
                    slot.items
                        .iter()
                        .filter_map(|i| match i {
                            Item::Entry(k, v) => Some((k.as_str(), v)),
                            _ => None,
                        })
                        .collect(),
                    before,
                )
            }
            Kind::Replace => match slot.items.first() {
                Some(Item::Value(v)) => Expect::Replace(v, slot.anchor.as_deref()),
                _ => Expect::Remove { key: String::new() },
            },
            Kind::ReplaceEntry => match slot.items.first() {
                Some(Item::Rename(k, v)) => Expect::ReplaceEntry {
                    key: self.key_text(slot),
                    new_key: k,
                    value: v,
                },
                _ => Expect::Remove { key: String::new() },
            },
            Kind::Remove => Expect::Remove {
                key: self.key_text(slot),
            },
        }
    }
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
