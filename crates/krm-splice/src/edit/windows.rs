//! Verification: which regions of the input and output to re-read side by side, and the
//! re-reading.
//!
//! Each change is re-read in the smallest window that can stand alone and still shows the
//! change in its context: a flow collection from bracket to bracket; the last item of a
//! block list behind its key's line (for an append); the last entry of a block mapping (for
//! an insert); the entry whose value is replaced. A window that cannot be read alone (an
//! alias to an anchor outside it, a key that does not start its line) gives way to the
//! changed object (an item of the document's top-level list) or the document's end, and
//! those to the whole text. Every splice inside a window is checked in it, so changes that
//! meet are checked together.

use super::*;

/// A region of the input to re-read, behind a prefix that gives it its context, with the
/// paths of the changes in it as seen from the region's root.
pub(super) struct Unit {
    start: usize,
    end: usize,
    prefix: String,
    /// Text after the region (a closing bracket).
    suffix: String,
    /// Paths starting with `.0` are at `.1 + rest` in the window (the longest match
    /// applies); a change whose path matches none is not in the window.
    rebase: Vec<(Vec<Seg>, Vec<Seg>)>,
    kind: UnitKind,
    /// The slots whose splices lie in the window.
    slots: Vec<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum UnitKind {
    Local,
    Item,
    Tail,
    /// A document's end behind a stand-in for its last entry: only its own slots may
    /// change there.
    End,
}

pub(super) enum UnitError {
    /// The window cannot be read alone: use a larger one.
    Standalone,
    Differs(String),
}

impl<'t, 'a> Editor<'t, 'a> {
    /// Re-read the changed regions of the output beside the same regions of the input.
    /// `owners[i]` is the slot of `splices[i]`.
    pub(super) fn verify(
        &self,
        splices: &[Splice],
        owners: &[usize],
    ) -> Result<Verified, EditError> {
        let mut verified = Verified::default();
        let mut by_doc: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (i, s) in self.slots.iter().enumerate() {
            by_doc.entry(s.doc).or_default().push(i);
        }
        let mut whole = false;
        for (&doc, slots) in &by_doc {
            let mut done = vec![false; self.slots.len()];
            // The smallest windows first.
            for &si in slots {
                if done[si] {
                    continue;
                }
                let Some(u) = self.local_window(doc, si) else {
                    continue;
                };
                match self.check_unit(&u, splices, owners) {
                    Ok(()) => {
                        verified.local += 1;
                        for &s in &u.slots {
                            done[s] = true;
                        }
                    }
                    Err(UnitError::Standalone) => {}
                    Err(UnitError::Differs(m)) => return Err(EditError::Verify { message: m }),
                }
            }
            // New top-level keys after everything the document holds: behind a stand-in for
            // its last entry.
            if let Some(u) = self.end_window(doc, slots, &done) {
                match self.check_unit(&u, splices, owners) {
                    Ok(()) => {
                        verified.tails += 1;
                        for &s in &u.slots {
                            done[s] = true;
                        }
                    }
                    Err(UnitError::Standalone) => {}
                    Err(UnitError::Differs(m)) => return Err(EditError::Verify { message: m }),
                }
            }
            let rest: Vec<usize> = slots.iter().copied().filter(|&s| !done[s]).collect();
            if rest.is_empty() {
                continue;
            }
            let ok = match self.units(doc, &rest) {
                Some(units) => {
                    let mut ok = true;
                    for u in &units {
                        match self.check_unit(u, splices, owners) {
                            Ok(()) => match u.kind {
                                UnitKind::Tail => verified.tails += 1,
                                _ => verified.items += 1,
                            },
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
            whole |= !ok;
        }
        if whole {
            self.check_whole(splices)?;
            verified.whole += 1;
        }
        Ok(verified)
    }

    /// The smallest window around one change.
    fn local_window(&self, doc: usize, si: usize) -> Option<Unit> {
        let slot = &self.slots[si];
        let tree = self.tree;
        let text = tree.text();
        let node = tree.node(slot.node);
        let tp = slot.tpath.segs();
        // A flow collection: the whole of it when it is empty, else its last item or entry
        // (from its key) to where the change ends, between brackets.
        let flow = |c: Node, path: &[Seg], from: Option<(usize, Vec<Seg>, Vec<Seg>)>| {
            let end = slot.splices.iter().map(|s| s.end).max().unwrap_or(c.end());
            match from {
                Some((start, inner_from, inner_to)) if start <= end => Unit {
                    start,
                    end,
                    prefix: if c.is_map() { "{" } else { "[" }.into(),
                    suffix: if c.is_map() { "}" } else { "]" }.into(),
                    rebase: vec![
                        ([path, &inner_from[..]].concat(), inner_to),
                        (path.to_vec(), Vec::new()),
                    ],
                    kind: UnitKind::Local,
                    slots: Vec::new(),
                },
                _ => Unit {
                    start: c.full_start(),
                    end: c.end(),
                    prefix: String::new(),
                    suffix: String::new(),
                    rebase: vec![(path.to_vec(), Vec::new())],
                    kind: UnitKind::Local,
                    slots: Vec::new(),
                },
            }
        };
        let last_item = |c: &Node| {
            let n = c.len().checked_sub(1)?;
            let last = c.last_child()?;
            Some((last.full_start(), vec![Seg::Index(n)], vec![Seg::Index(0)]))
        };
        let last_entry = |c: &Node| {
            let (k, _) = c.entries().last()?;
            Some((k.full_start(), vec![key_seg(&k)], vec![key_seg(&k)]))
        };
        // A flow mapping whose last value is a long flow collection (a JSON list's items):
        // that collection's last child, behind the key and the opening bracket.
        let flow_insert = |c: Node| -> Option<Unit> {
            let (k, v) = c.entries().last()?;
            if !(v.is_flow() && (v.is_seq() || v.is_map())) || v.is_empty() {
                return None;
            }
            let end = slot.splices.iter().map(|s| s.end).max()?;
            let (inner_from, inner_to) = if v.is_seq() {
                let n = v.len() - 1;
                (
                    vec![key_seg(&k), Seg::Index(n)],
                    vec![key_seg(&k), Seg::Index(0)],
                )
            } else {
                let (lk, _) = v.entries().last()?;
                (
                    vec![key_seg(&k), key_seg(&lk)],
                    vec![key_seg(&k), key_seg(&lk)],
                )
            };
            let start = match v.last_child() {
                Some(l) if v.is_seq() => l.full_start(),
                _ => v.entries().last()?.0.full_start(),
            };
            Some(Unit {
                start,
                end,
                prefix: format!("{{{}", text.src().get(k.full_start()..=v.start())?),
                suffix: "}".into(),
                rebase: vec![
                    ([tp, &inner_from[..]].concat(), inner_to),
                    (
                        [tp, std::slice::from_ref(&key_seg(&k))].concat(),
                        vec![key_seg(&k)],
                    ),
                    (tp.to_vec(), Vec::new()),
                ],
                kind: UnitKind::Local,
                slots: Vec::new(),
            })
        };
        let unit = match slot.kind {
            Kind::Append if node.is_flow() => flow(node, tp, last_item(&node)),
            Kind::Append => {
                // The list's last item, behind its key's line.
                let map = node.parent().filter(|p| p.is_map() && !p.is_flow())?;
                let key = key_of(map, node.id())?;
                let (key_at, dashes) = self.line_key(&key)?;
                let lead = vec![Seg::Index(0); dashes];
                let last = node.last_child()?;
                let ls = text.line_start(last.full_start());
                let before_item = &text.src().as_bytes()[ls..last.full_start()];
                let dash = before_item.iter().filter(|&&b| b == b'-').count() == 1
                    && before_item.iter().all(|&b| b == b' ' || b == b'-')
                    && before_item.last() == Some(&b' ');
                if !dash || text.line_end(key.end()) >= ls {
                    return None;
                }
                let head = &text.src()[text.line_start(key_at)..text.line_end(key.end())];
                let (p0, k) = tp.split_at(tp.len().checked_sub(1)?);
                let k = k.first()?.clone();
                let n = node.len().checked_sub(1)?;
                Unit {
                    start: ls,
                    end: layout::after(text, &node).0,
                    prefix: format!("{head}{}", text.eol_at(text.line_end(key.end()))),
                    suffix: String::new(),
                    rebase: vec![
                        (
                            [p0, &[k.clone(), Seg::Index(n)]].concat(),
                            [&lead[..], &[k.clone(), Seg::Index(0)]].concat(),
                        ),
                        (
                            [p0, std::slice::from_ref(&k)].concat(),
                            [&lead[..], std::slice::from_ref(&k)].concat(),
                        ),
                    ],
                    kind: UnitKind::Local,
                    slots: Vec::new(),
                }
            }
            Kind::Insert if node.is_flow() => match flow_insert(node) {
                Some(u) => u,
                None => flow(node, tp, last_entry(&node)),
            },
            Kind::Insert => {
                if tree.docs.iter().any(|d| d.root == Some(node.id())) {
                    return None;
                }
                // The mapping's last entry.
                let (lk, _) = node.entries().last()?;
                let (key_at, dashes) = self.line_key(&lk)?;
                let lead = vec![Seg::Index(0); dashes];
                Unit {
                    start: text.line_start(key_at),
                    end: layout::after(text, &node).0,
                    prefix: String::new(),
                    suffix: String::new(),
                    rebase: vec![
                        (
                            tp.iter().cloned().chain([key_seg(&lk)]).collect(),
                            lead.iter().cloned().chain([key_seg(&lk)]).collect(),
                        ),
                        (tp.to_vec(), lead),
                    ],
                    kind: UnitKind::Local,
                    slots: Vec::new(),
                }
            }
            Kind::Replace | Kind::ReplaceEntry => {
                let (map, key) = match slot.kind {
                    Kind::Replace => {
                        let map = node.parent()?;
                        (map, key_of(map, node.id())?)
                    }
                    _ => (node, tree.node(slot.key?)),
                };
                let map_path: &[Seg] = match slot.kind {
                    Kind::Replace => &tp[..tp.len().checked_sub(1)?],
                    _ => tp,
                };
                if map.is_flow() {
                    let k = key_seg(&key);
                    flow(
                        map,
                        map_path,
                        Some((key.full_start(), vec![k.clone()], vec![k])),
                    )
                } else {
                    // The entry, from its key's line to the end of what replaces it.
                    let (key_at, dashes) = self.line_key(&key)?;
                    let lead = vec![Seg::Index(0); dashes];
                    let end = slot.splices.iter().map(|s| s.end).max()?;
                    let mut rebase = vec![(map_path.to_vec(), lead.clone())];
                    if slot.kind == Kind::Replace {
                        rebase.insert(
                            0,
                            (
                                tp.to_vec(),
                                lead.into_iter().chain([key_seg(&key)]).collect(),
                            ),
                        );
                    }
                    Unit {
                        start: text.line_start(key_at),
                        end: text.line_end(end),
                        prefix: String::new(),
                        suffix: String::new(),
                        rebase,
                        kind: UnitKind::Local,
                        slots: Vec::new(),
                    }
                }
            }
            Kind::Remove => return None,
        };
        Some(self.with_slots(doc, unit, Some(si)))
    }

    /// The end of a document whose root (a block mapping) only gains entries after all it
    /// holds: its last entry's key line stands in for that entry (a value that starts on
    /// the next line reads as null), followed by everything after its last content (comments,
    /// blank lines) and the new entries. Nothing else may change in that part of the text.
    fn end_window(&self, doc: usize, slots: &[usize], done: &[bool]) -> Option<Unit> {
        let tree = self.tree;
        let text = tree.text();
        let root = tree.root(doc)?;
        if !root.is_map() || root.is_flow() {
            return None;
        }
        let root_slots: Vec<usize> = slots
            .iter()
            .copied()
            .filter(|&si| !done[si] && self.slots[si].node == root.id())
            .collect();
        if root_slots.is_empty() {
            return None;
        }
        let tail_start = if root.ends_in_block_scalar() {
            root.raw_end()
        } else {
            text.line_end(root.end())
        };
        let (lk, _) = root.entries().last()?;
        let (key_at, 0) = self.line_key(&lk)? else {
            return None;
        };
        let head = &text.src()[text.line_start(key_at)..text.line_end(lk.end())];
        let u = self.with_slots(
            doc,
            Unit {
                start: tail_start,
                end: tree.document_end(doc),
                prefix: head.to_owned(),
                suffix: String::new(),
                rebase: vec![(Vec::new(), Vec::new())],
                kind: UnitKind::End,
                slots: Vec::new(),
            },
            None,
        );
        // Only new top-level entries may land here.
        let mut u = u;
        for si in root_slots {
            if !u.slots.contains(&si) {
                u.slots.push(si);
            }
        }
        u.slots
            .iter()
            .all(|&si| self.slots[si].node == root.id())
            .then_some(u)
    }

    /// Where a block mapping key's entry starts (the key, or its `?`), and how many `- `
    /// come before it on its line (the key is the first of an item, of an item...); `None`
    /// when something else comes first on the line.
    fn line_key(&self, key: &Node) -> Option<(usize, usize)> {
        let text = self.tree.text();
        let at = layout::explicit_indicator(text, key.full_start()).unwrap_or(key.full_start());
        let before = &text.src()[text.indent_start(at)..at];
        let mut dashes = 0;
        let mut rest = before.trim_start_matches(' ');
        while let Some(r) = rest.strip_prefix("- ") {
            dashes += 1;
            rest = r.trim_start_matches(' ');
        }
        rest.is_empty().then_some((at, dashes))
    }

    /// The slots whose splices lie in the window: overlapping it, or insertions strictly
    /// inside it, and its own.
    fn with_slots(&self, _doc: usize, mut u: Unit, own: Option<usize>) -> Unit {
        // The others in the window are found by position when it is checked.
        u.slots.extend(own);
        u
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
                suffix: String::new(),
                rebase: vec![(vec![Seg::Key(k), Seg::Index(i)], Vec::new())],
                kind: UnitKind::Item,
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
            .or_else(|| entries.first())
            .copied()?;
        let key_at = layout::explicit_indicator(text, k.full_start()).unwrap_or(k.full_start());
        let mut unit = Unit {
            start: 0,
            end: tree.document_end(doc),
            prefix: String::new(),
            suffix: String::new(),
            rebase: vec![(Vec::new(), Vec::new())],
            kind: UnitKind::Tail,
            slots: Vec::new(),
        };
        let last_item = |unit: &mut Unit, n: usize| {
            unit.rebase.insert(
                0,
                (
                    vec![key_seg(&k), Seg::Index(n)],
                    vec![key_seg(&k), Seg::Index(0)],
                ),
            );
        };
        if root.is_flow() {
            // From this entry on, behind a `{`.
            unit.start = key_at.min(first_change);
            unit.prefix = "{".into();
            if v.is_seq() && v.is_flow() && first_change >= v.end() {
                if let Some(last) = v.last_child() {
                    unit.start = last.full_start();
                    unit.prefix = format!("{{{}", &text.src()[key_at..=v.start()]);
                    last_item(&mut unit, v.len() - 1);
                }
            }
        } else {
            if !layout::indented_only(text, key_at) {
                return None;
            }
            unit.start = text.line_start(key_at).min(first_change);
            if v.is_seq() && !v.is_flow() && first_change >= v.raw_end() {
                if let Some(last) = v.last_child() {
                    let ls = text.line_start(last.full_start());
                    let prefix = &text.src().as_bytes()[ls..last.full_start()];
                    let dash = prefix.iter().filter(|&&b| b == b'-').count() == 1
                        && prefix.iter().all(|&b| b == b' ' || b == b'-')
                        && prefix.last() == Some(&b' ');
                    if ls > key_at && dash && text.line_end(k.end()) < ls {
                        let head = &text.src()[text.line_start(key_at)..text.line_end(k.end())];
                        unit.start = ls;
                        unit.prefix = format!("{head}{}", text.eol_at(text.line_end(k.end())));
                        last_item(&mut unit, v.len() - 1);
                    }
                }
            }
        }
        // Every change in the window is checked in it, the document's own included.
        let mut unit = self.with_slots(doc, unit, None);
        for si in tail {
            if !unit.slots.contains(&si) {
                unit.slots.push(si);
            }
        }
        Some(unit)
    }

    fn check_unit(&self, u: &Unit, all: &[Splice], owners: &[usize]) -> Result<(), UnitError> {
        let src = self.tree.text().src();
        // The splices the window re-reads: its slots', everything that overlaps it or lies
        // strictly inside it, and, where insertions meet at one offset, every splice
        // ordered between two of its own (their order is part of what is checked).
        let own = |i: usize| u.slots.contains(&owners[i]);
        // The window's own splices must lie inside it.
        for &si in &u.slots {
            if self.slots[si]
                .splices
                .iter()
                .any(|s| s.start < u.start || s.end > u.end)
            {
                return Err(UnitError::Standalone);
            }
        }
        // Splices are sorted and do not overlap: those near the window are one run.
        let lo = all.partition_point(|s| s.end < u.start);
        let hi = all.partition_point(|s| s.start <= u.end);
        let near = lo..hi.max(lo);
        let first = near.clone().find(|&i| own(i));
        let last = near.clone().rev().find(|&i| own(i));
        let own_at = |at: usize| near.clone().any(|i| own(i) && all[i].start == at);
        let mut slots = u.slots.clone();
        let mut mine: Vec<&Splice> = Vec::new();
        for i in near.clone() {
            let s = &all[i];
            let between = first.is_some_and(|f| i >= f) && last.is_some_and(|l| i <= l);
            let overlaps = s.end > u.start && s.start < u.end;
            let strictly_inside = s.start > u.start && s.start < u.end;
            // Insertions meeting one of the window's own at its edge.
            let tie =
                s.start == s.end && (s.start == u.start || s.start == u.end) && own_at(s.start);
            if !(own(i) || between || overlaps || strictly_inside || tie) {
                continue;
            }
            if s.start < u.start || s.end > u.end {
                return Err(UnitError::Standalone);
            }
            if !slots.contains(&owners[i]) {
                if u.kind == UnitKind::End {
                    return Err(UnitError::Standalone);
                }
                slots.push(owners[i]);
            }
            mine.push(s);
        }
        let mut trie = Trie::new();
        for &si in &slots {
            let slot = &self.slots[si];
            let Some(p) = rebase(slot.tpath.segs(), &u.rebase) else {
                return Err(UnitError::Standalone);
            };
            trie.add(&p, self.expect_of(slot));
        }
        let before = wrap(&u.prefix, src[u.start..u.end].to_string(), &u.suffix);
        let after = wrap(
            &u.prefix,
            splice::apply(src, u.start, u.end, &mine),
            &u.suffix,
        );
        let mut tries = HashMap::new();
        tries.insert(0usize, trie);
        verify::compare(&before, &after, &tries, &self.limits).map_err(|m| match m {
            Mismatch::Unreadable(_) => UnitError::Standalone,
            // A small window that reads differently may just lack context: a larger one
            // decides.
            Mismatch::Differs(_) if matches!(u.kind, UnitKind::Local | UnitKind::End) => {
                UnitError::Standalone
            }
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

/// A path as seen in a window: moved by the longest matching rule; `None` when no rule
/// matches (the change is not in the window).
fn rebase(path: &[Seg], rules: &[(Vec<Seg>, Vec<Seg>)]) -> Option<Vec<Seg>> {
    let (from, to) = rules
        .iter()
        .filter(|(from, _)| path.starts_with(from))
        .max_by_key(|(from, _)| from.len())?;
    let mut v = to.clone();
    v.extend_from_slice(&path[from.len()..]);
    Some(v)
}

/// `prefix + body + suffix`, in `body`'s own allocation grown once (a window can hold all of
/// a large list's new results: no second copy, no doubling).
fn wrap(prefix: &str, mut body: String, suffix: &str) -> String {
    if prefix.is_empty() && suffix.is_empty() {
        return body;
    }
    body.reserve_exact(prefix.len() + suffix.len());
    body.insert_str(0, prefix);
    body.push_str(suffix);
    body
}
