//! Check an edit by re-reading: parse a region of the input and the same region of the
//! output side by side, event by event, and require them to be the same stream except
//! where the recorded changes say, where the output must read exactly as the change's value.
//! Streaming: memory is bounded by nesting depth, not by size.
//!
//! The checker knows nothing of what the edits are for: only of the changes (append to a
//! sequence, insert into a mapping, replace a value, replace or remove an entry) at textual
//! paths from the region's root.

use std::collections::HashMap;

use granit_parser::{Event, Parser, ScalarStyle, StrInput, Tag as GTag};

use crate::error::Limits;
use crate::path::Seg;
use crate::value::Value;

/// What the output must read as at a place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Expect<'v> {
    /// A sequence gains these items at its end.
    Append(Vec<&'v Value>),
    /// A mapping gains these entries, before its entry of this index (at its end when the
    /// index is its length).
    Insert(Vec<(&'v str, &'v Value)>, usize),
    /// The node is replaced by this value (keeping this anchor name).
    Replace(&'v Value, Option<&'v str>),
    /// A mapping's entry `key` is replaced, in place, by `new_key: value`.
    ReplaceEntry {
        key: String,
        new_key: &'v str,
        value: &'v Value,
    },
    /// A mapping's entry `key` is removed.
    Remove { key: String },
}

/// Expectations by textual path: a trie.
#[derive(Debug)]
pub(crate) struct Trie<'v> {
    nodes: Vec<TrieNode<'v>>,
}

impl Default for Trie<'_> {
    fn default() -> Self {
        Trie::new()
    }
}

#[derive(Debug, Default)]
struct TrieNode<'v> {
    children: Vec<(Seg, usize)>,
    expects: Vec<Expect<'v>>,
}

impl<'v> Trie<'v> {
    pub(crate) fn new() -> Trie<'v> {
        Trie {
            nodes: vec![TrieNode::default()],
        }
    }

    pub(crate) fn add(&mut self, path: &[Seg], e: Expect<'v>) {
        let mut at = 0;
        for seg in path {
            at = match self.nodes[at].children.iter().find(|(s, _)| s == seg) {
                Some(&(_, n)) => n,
                None => {
                    self.nodes.push(TrieNode::default());
                    let n = self.nodes.len() - 1;
                    self.nodes[at].children.push((seg.clone(), n));
                    n
                }
            };
        }
        self.nodes[at].expects.push(e);
    }

    fn child(&self, at: usize, seg: &Seg) -> Option<usize> {
        self.nodes[at]
            .children
            .iter()
            .find(|(s, _)| s == seg)
            .map(|&(_, n)| n)
    }

    fn child_key(&self, at: usize, key: &str) -> Option<usize> {
        self.nodes[at]
            .children
            .iter()
            .find(|(s, _)| matches!(s, Seg::Key(k) if &**k == key))
            .map(|&(_, n)| n)
    }

    fn expects(&self, at: usize) -> &[Expect<'v>] {
        &self.nodes[at].expects
    }
}

type Ev<'s> = (Event<'s>, usize);

struct Stream<'s> {
    parser: Parser<'s, StrInput<'s>>,
    peeked: Option<Result<Ev<'s>, String>>,
    names: HashMap<usize, String>,
    what: &'static str,
}

impl<'s> Stream<'s> {
    fn new(src: &'s str, what: &'static str, limits: &Limits) -> Stream<'s> {
        let mut popts = granit_parser::Options::default();
        popts.emit_anchor_events = true;
        popts.emit_comments = false;
        popts.flow_nesting_limit = limits.max_depth;
        popts.block_nesting_limit = limits.max_depth;
        Stream {
            parser: Parser::new_from_str_with_options(src, popts),
            peeked: None,
            names: HashMap::new(),
            what,
        }
    }

    fn pull(&mut self) -> Option<Result<Ev<'s>, String>> {
        if let Some(p) = self.peeked.take() {
            return Some(p);
        }
        let what = self.what;
        self.parser.next().map(|r| {
            r.map(|(e, span)| (e, span.start.byte_offset().unwrap_or(0)))
                .map_err(|e| format!("the {what} does not parse: {}", e.info()))
        })
    }

    fn peek(&mut self) -> Option<&Result<Ev<'s>, String>> {
        if self.peeked.is_none() {
            self.peeked = self.pull();
        }
        self.peeked.as_ref()
    }

    fn next(&mut self) -> Result<Ev<'s>, String> {
        match self.pull() {
            Some(r) => r,
            None => Err(format!("the {} ended early", self.what)),
        }
    }

    /// Whether the whole text reads without an error.
    fn reads(mut self) -> bool {
        while let Some(r) = self.pull() {
            if r.is_err() {
                return false;
            }
        }
        true
    }

    /// The anchor name that follows a node event, if any.
    fn anchor(&mut self) -> Result<Option<String>, String> {
        if let Some(Ok((Event::Anchor(..), _))) = self.peek() {
            if let (Event::Anchor(id, name), _) = self.next()? {
                self.names.insert(id, name.to_string());
                return Ok(Some(name.to_string()));
            }
        }
        Ok(None)
    }

    fn peek_end(&mut self) -> Result<bool, String> {
        let what = self.what;
        match self.peek() {
            Some(Ok((Event::MappingEnd | Event::SequenceEnd, _))) => Ok(true),
            Some(Ok(_)) => Ok(false),
            Some(Err(e)) => Err(e.clone()),
            None => Err(format!("the {what} ended early")),
        }
    }
}

/// Why a comparison failed.
#[derive(Debug)]
pub(crate) enum Mismatch {
    /// The input's region cannot be read on its own (an alias to an anchor outside it).
    Unreadable(String),
    /// The output does not read as planned.
    Differs(String),
}

/// Compare `before` (a region of the input) and `after` (the same region of the output):
/// document `d` of the region must read as the same, except as `expect[d]` says.
pub(crate) fn compare(
    before: &str,
    after: &str,
    expect: &HashMap<usize, Trie<'_>>,
    limits: &Limits,
) -> Result<(), Mismatch> {
    let mut unreadable = false;
    let r = compare_inner(before, after, expect, limits, &mut unreadable);
    r.map_err(|m| {
        if unreadable {
            Mismatch::Unreadable(m)
        } else {
            Mismatch::Differs(m)
        }
    })
}

fn compare_inner(
    before: &str,
    after: &str,
    expect: &HashMap<usize, Trie<'_>>,
    limits: &Limits,
    unreadable: &mut bool,
) -> Result<(), String> {
    let r = compare_streams(before, after, expect, limits);
    if r.is_err() {
        // Was it the input that could not be read? Then the region does not stand alone.
        *unreadable = !Stream::new(before, "input", limits).reads();
    }
    r
}

fn compare_streams(
    before: &str,
    after: &str,
    expect: &HashMap<usize, Trie<'_>>,
    limits: &Limits,
) -> Result<(), String> {
    let mut c = Cmp {
        a: Stream::new(before, "input", limits),
        b: Stream::new(after, "output", limits),
        path: Vec::new(),
        depth_limit: limits.max_depth + 8,
    };
    let mut doc = 0usize;
    loop {
        let (ea, _) = c.a.next()?;
        let (eb, _) = c.b.next()?;
        match (&ea, &eb) {
            (Event::StreamStart, Event::StreamStart) | (Event::DocumentEnd, Event::DocumentEnd) => {
            }
            (Event::StreamEnd, Event::StreamEnd) => return Ok(()),
            (Event::DocumentStart(x, _), Event::DocumentStart(y, _)) if x == y => {
                let trie = expect.get(&doc);
                c.path.clear();
                c.node(trie.map(|t| (t, 0)), 0)?;
                doc += 1;
            }
            _ => return Err("the document structure changed".into()),
        }
    }
}

struct Cmp<'s> {
    a: Stream<'s>,
    b: Stream<'s>,
    path: Vec<Seg>,
    depth_limit: usize,
}

fn same_tag(
    a: &Option<std::borrow::Cow<'_, GTag>>,
    b: &Option<std::borrow::Cow<'_, GTag>>,
) -> bool {
    a.as_deref() == b.as_deref()
}

impl<'s> Cmp<'s> {
    fn fail<T>(&self, what: &str) -> Result<T, String> {
        let mut s = String::new();
        for seg in &self.path {
            match seg {
                Seg::Key(k) => {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(k);
                }
                Seg::Index(i) => s.push_str(&format!("[{i}]")),
            }
        }
        if s.is_empty() {
            s.push_str("the root");
        }
        Err(format!("{what} at {s}"))
    }

    /// One node of each stream, with the expectations at this place.
    fn node(&mut self, trie: Option<(&Trie<'_>, usize)>, depth: usize) -> Result<(), String> {
        if depth > self.depth_limit {
            return self.fail("nesting too deep");
        }
        let expects: &[Expect<'_>] = trie.map_or(&[], |(t, n)| t.expects(n));
        if let Some(Expect::Replace(v, anchor)) =
            expects.iter().find(|e| matches!(e, Expect::Replace(..)))
        {
            skip(&mut self.a)?;
            return self.new_value(v, *anchor, depth);
        }
        let (ea, _) = self.a.next()?;
        let (eb, _) = self.b.next()?;
        match (ea, eb) {
            (Event::Scalar(va, sa, _, ta), Event::Scalar(vb, sb, _, tb)) => {
                if va != vb || sa != sb || !same_tag(&ta, &tb) {
                    return self.fail("a scalar changed");
                }
                self.same_anchor()
            }
            (Event::Alias(ia), Event::Alias(ib)) => {
                if self.a.names.get(&ia) != self.b.names.get(&ib) {
                    return self.fail("an alias changed");
                }
                Ok(())
            }
            (Event::MappingStart(sa, _, ta), Event::MappingStart(sb, _, tb)) => {
                if sa != sb || !same_tag(&ta, &tb) {
                    return self.fail("a mapping's style or tag changed");
                }
                self.same_anchor()?;
                self.mapping(trie, expects, depth)
            }
            (Event::SequenceStart(sa, _, ta), Event::SequenceStart(sb, _, tb)) => {
                if sa != sb || !same_tag(&ta, &tb) {
                    return self.fail("a sequence's style or tag changed");
                }
                self.same_anchor()?;
                self.sequence(trie, expects, depth)
            }
            _ => self.fail("a node changed kind"),
        }
    }

    fn same_anchor(&mut self) -> Result<(), String> {
        let a = self.a.anchor()?;
        let b = self.b.anchor()?;
        if a != b {
            return self.fail("an anchor changed");
        }
        Ok(())
    }

    fn mapping(
        &mut self,
        trie: Option<(&Trie<'_>, usize)>,
        expects: &[Expect<'_>],
        depth: usize,
    ) -> Result<(), String> {
        let mut entry = 0usize;
        loop {
            self.inserted(expects, |at| at == entry, depth)?;
            if self.a.peek_end()? {
                self.a.next()?;
                break;
            }
            entry += 1;
            // The key.
            let key = match self.a.peek() {
                Some(Ok((Event::Scalar(v, ..), _))) => Some(v.to_string()),
                _ => None,
            };
            let entry_expect = key.as_deref().and_then(|k| {
                expects.iter().find(|e| match e {
                    Expect::ReplaceEntry { key, .. } | Expect::Remove { key } => key == k,
                    _ => false,
                })
            });
            match entry_expect {
                Some(Expect::Remove { .. }) => {
                    skip(&mut self.a)?;
                    skip(&mut self.a)?;
                    continue;
                }
                Some(Expect::ReplaceEntry { new_key, value, .. }) => {
                    skip(&mut self.a)?;
                    skip(&mut self.a)?;
                    let (new_key, value) = (*new_key, *value);
                    self.new_key(new_key)?;
                    self.path.push(Seg::key(new_key));
                    let r = self.new_value(value, None, depth + 1);
                    self.path.pop();
                    r?;
                    continue;
                }
                _ => {}
            }
            // Keys are compared as they are, with no expectations below them.
            self.path.push(Seg::key("(a key)"));
            let r = self.node(None, depth + 1);
            self.path.pop();
            r?;
            let child = match (trie, &key) {
                (Some((t, n)), Some(k)) => t.child_key(n, k).map(|c| (t, c)),
                _ => None,
            };
            self.path
                .push(Seg::Key(key.as_deref().unwrap_or("?").into()));
            let r = self.node(child, depth + 1);
            self.path.pop();
            r?;
        }
        self.inserted(expects, |at| at > entry, depth)?;
        match self.b.next()? {
            (Event::MappingEnd, _) => Ok(()),
            _ => self.fail("a mapping has an unexpected entry"),
        }
    }

    /// The entries inserted at the places `here` picks (by the index of the input entry they
    /// come before).
    fn inserted(
        &mut self,
        expects: &[Expect<'_>],
        here: impl Fn(usize) -> bool,
        depth: usize,
    ) -> Result<(), String> {
        for e in expects {
            let Expect::Insert(entries, at) = e else {
                continue;
            };
            if !here(*at) {
                continue;
            }
            for (k, v) in entries {
                self.new_key(k)?;
                self.path.push(Seg::key(k));
                let r = self.new_value(v, None, depth + 1);
                self.path.pop();
                r?;
            }
        }
        Ok(())
    }

    fn sequence(
        &mut self,
        trie: Option<(&Trie<'_>, usize)>,
        expects: &[Expect<'_>],
        depth: usize,
    ) -> Result<(), String> {
        let mut i = 0usize;
        loop {
            if self.a.peek_end()? {
                self.a.next()?;
                break;
            }
            let child = trie.and_then(|(t, n)| t.child(n, &Seg::Index(i)).map(|c| (t, c)));
            self.path.push(Seg::Index(i));
            let r = self.node(child, depth + 1);
            self.path.pop();
            r?;
            i += 1;
        }
        for e in expects {
            if let Expect::Append(items) = e {
                for v in items {
                    self.path.push(Seg::Index(i));
                    let r = self.new_value(v, None, depth + 1);
                    self.path.pop();
                    r?;
                    i += 1;
                }
            }
        }
        match self.b.next()? {
            (Event::SequenceEnd, _) => Ok(()),
            _ => self.fail("a sequence has an unexpected item"),
        }
    }

    fn new_key(&mut self, key: &str) -> Result<(), String> {
        match self.b.next()? {
            (Event::Scalar(v, ScalarStyle::Plain | ScalarStyle::DoubleQuoted, _, None), _)
                if v == key =>
            {
                if self.b.anchor()?.is_some() {
                    return self.fail("a new key has an anchor");
                }
                Ok(())
            }
            _ => self.fail(&format!("the new key {key:?} does not read back")),
        }
    }

    /// The output's next node must read as `v`, written by the editor.
    fn new_value(&mut self, v: &Value, anchor: Option<&str>, depth: usize) -> Result<(), String> {
        if depth > self.depth_limit {
            return self.fail("nesting too deep");
        }
        let (eb, _) = self.b.next()?;
        let ok = match (v, &eb) {
            (Value::Str(s), Event::Scalar(x, ScalarStyle::DoubleQuoted, _, None)) => x == s,
            (Value::Word(s), Event::Scalar(x, ScalarStyle::DoubleQuoted, _, None)) => x == s,
            // A plain word must also be a string to every reader.
            (Value::Word(s), Event::Scalar(x, ScalarStyle::Plain, _, None)) => {
                x == s && crate::scalar::plain_is_string_everywhere(x)
            }
            (Value::Int(i), Event::Scalar(x, ScalarStyle::Plain, _, None)) => *x == i.to_string(),
            (Value::Map(_), Event::MappingStart(_, _, None)) => true,
            (Value::Seq(_), Event::SequenceStart(_, _, None)) => true,
            _ => false,
        };
        if !ok {
            return self.fail("the new value does not read as written");
        }
        if self.b.anchor()?.as_deref() != anchor {
            return self.fail("the new value's anchor is not as written");
        }
        match v {
            Value::Map(entries) => {
                for (k, cv) in entries {
                    self.new_key(k)?;
                    self.path.push(Seg::key(k));
                    let r = self.new_value(cv, None, depth + 1);
                    self.path.pop();
                    r?;
                }
                match self.b.next()? {
                    (Event::MappingEnd, _) => Ok(()),
                    _ => self.fail("the new mapping has an unexpected entry"),
                }
            }
            Value::Seq(items) => {
                for (i, cv) in items.iter().enumerate() {
                    self.path.push(Seg::Index(i));
                    let r = self.new_value(cv, None, depth + 1);
                    self.path.pop();
                    r?;
                }
                match self.b.next()? {
                    (Event::SequenceEnd, _) => Ok(()),
                    _ => self.fail("the new sequence has an unexpected item"),
                }
            }
            _ => Ok(()),
        }
    }
}

/// Consume one node (and its anchor event) from a stream.
fn skip(s: &mut Stream) -> Result<(), String> {
    let mut depth = 0usize;
    loop {
        let (e, _) = s.next()?;
        match e {
            Event::MappingStart(..) | Event::SequenceStart(..) => depth += 1,
            Event::MappingEnd | Event::SequenceEnd => depth = depth.saturating_sub(1),
            Event::Anchor(id, name) => {
                s.names.insert(id, name.to_string());
                continue;
            }
            _ => {}
        }
        // A node's own anchor event follows it.
        s.anchor()?;
        if depth == 0 {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(a: &str, b: &str, e: Vec<(Vec<Seg>, Expect)>) -> Result<(), String> {
        let mut t = Trie::new();
        for (p, x) in e {
            t.add(&p, x);
        }
        let mut m = HashMap::new();
        m.insert(0, t);
        compare(a, b, &m, &Limits::default()).map_err(|e| format!("{e:?}"))
    }

    #[test]
    fn same_text_is_same() {
        assert!(run(
            "a: [1, &x 2, *x]\nb: {c: d}\n",
            "a: [1, &x 2, *x]\nb: {c: d}\n",
            vec![]
        )
        .is_ok());
        assert!(run("a: 1\n", "a: 2\n", vec![]).is_err());
        assert!(
            run("a: '1'\n", "a: \"1\"\n", vec![]).is_err(),
            "style is compared"
        );
        assert!(
            run("a: &x 1\n", "a: &y 1\n", vec![]).is_err(),
            "anchors are compared"
        );
    }

    #[test]
    fn changes_are_required_exactly() {
        let env = vec![Seg::key("env")];
        let item = Value::map([("name", Value::word("X")), ("value", Value::str("true"))]);
        let ok = run(
            "env:\n- name: A\n",
            "env:\n- name: A\n- name: X\n  value: \"true\"\n",
            vec![(env.clone(), Expect::Append(vec![&item]))],
        );
        assert!(ok.is_ok(), "{ok:?}");
        let wrong = run(
            "env:\n- name: A\n",
            "env:\n- name: A\n- name: X\n  value: true\n",
            vec![(env.clone(), Expect::Append(vec![&item]))],
        );
        assert!(wrong.is_err());
        let missing = run(
            "env:\n- name: A\n",
            "env:\n- name: A\n",
            vec![(env, Expect::Append(vec![&item]))],
        );
        assert!(missing.is_err());
        let t = Value::str("true");
        let replaced = run(
            "a:\n  value: &v false\n",
            "a:\n  value: &v \"true\"\n",
            vec![(
                vec![Seg::key("a"), Seg::key("value")],
                Expect::Replace(&t, Some("v")),
            )],
        );
        assert!(replaced.is_ok(), "{replaced:?}");
        let one = Value::str("1");
        let entry = run(
            "{valueFrom: {x: 1}, name: N}\n",
            "{\"value\": \"1\", name: N}\n",
            vec![(
                vec![],
                Expect::ReplaceEntry {
                    key: "valueFrom".into(),
                    new_key: "value",
                    value: &one,
                },
            )],
        );
        assert!(entry.is_ok(), "{entry:?}");
    }
}
