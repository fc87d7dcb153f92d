//! Check the output before it is written: re-parse every edited object from the output and
//! compare it with the same object in the input. Outside the planned edits the two must be
//! the same tree (same scalars, styles, tags, anchors); at each edit the output must read as
//! planned. Bytes outside the splices are the input's own by construction.
//!
//! Each edited object is re-parsed on its own (its text, indented as in the input), which is
//! what keeps the check cheap on a 10 MB list. An object whose text cannot stand alone (an
//! alias to an anchor elsewhere) is checked by re-parsing the whole stream instead.

use crate::config::ENV_NAME;
use crate::error::{InputError, Limits};
use crate::krm::KrmResult;
use crate::layout;
use crate::plan::{ContainerEdit, EntryChange, EnvChange, Splice};
use crate::resources::{Obj, Seg};
use crate::spanned::{self, BuildOptions, Kind, Node, TagKind};
use crate::text::Text;
use granit_parser::ScalarStyle;

/// Apply sorted, non-overlapping splices to `src[from..to]`.
pub fn apply(src: &str, from: usize, to: usize, splices: &[&Splice]) -> String {
    let mut out =
        String::with_capacity(to - from + splices.iter().map(|s| s.text.len()).sum::<usize>());
    let mut at = from;
    for s in splices {
        out.push_str(&src[at..s.start]);
        out.push_str(&s.text);
        at = s.end;
    }
    out.push_str(&src[at..to]);
    out
}

/// Check that splices are sorted, in bounds, on character boundaries and do not overlap.
pub fn check_splices(src: &str, splices: &[Splice]) -> Result<(), String> {
    let mut prev_end = 0;
    for s in splices {
        if s.start > s.end || s.end > src.len() || s.start < prev_end {
            return Err(format!(
                "edits overlap or are out of order at byte {}",
                s.start
            ));
        }
        if !src.is_char_boundary(s.start) || !src.is_char_boundary(s.end) {
            return Err(format!("an edit splits a character at byte {}", s.start));
        }
        prev_end = s.end;
    }
    Ok(())
}

/// How an object was checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checked {
    /// Its own text, re-parsed alone.
    Alone,
    /// Within the whole re-parsed stream (its text could not stand alone).
    InStream,
}

/// Verify one edited object. `splices` are the object's own, sorted.
pub fn object(
    text: &Text,
    obj: &Obj,
    edits: &[&ContainerEdit],
    splices: &[&Splice],
    value: &str,
    limits: Limits,
) -> Result<Checked, String> {
    let start = obj.node.full_start();
    // A flow object ends at its brace (what follows on the line is its list's); a block one at
    // the end of its last line, where content after it would be inserted.
    let end = match obj.node.kind {
        Kind::Map { flow: true, .. } => obj.node.end,
        _ => layout::after(text, obj.node).0,
    };
    if splices.iter().any(|s| s.start < start || s.end > end) {
        return Err("an edit lies outside its object".into());
    }
    let pad = " ".repeat(text.column(start));
    let before = format!("{pad}{}", &text.src[start..end]);
    let after = format!("{pad}{}", apply(text.src, start, end, splices));
    let opts = BuildOptions::full(limits);
    let a = match parse_alone(&before, &opts) {
        Ok(Some(a)) => a,
        // The object does not stand alone (an alias to an anchor outside it, a tag defined
        // by a directive): check it within the whole stream.
        Ok(None) | Err(_) => {
            return whole(text, obj, edits, splices, value, limits).map(|()| Checked::InStream)
        }
    };
    let b = parse_alone(&after, &opts)
        .map_err(|e| format!("the edited object does not parse: {e}"))?
        .ok_or("the edited object is empty")?;
    compare_object(&a, &before, &b, &after, edits, value).map(|()| Checked::Alone)
}

/// Parse a text that must hold (at most) one document; its root.
fn parse_alone<'s>(s: &'s str, opts: &BuildOptions) -> Result<Option<Node<'s>>, InputError> {
    let stream = spanned::parse(&Text::new(s), opts)?;
    let mut docs = stream.documents.into_iter();
    let root = docs.next().and_then(|d| d.root);
    if docs.next().is_some() {
        return Err(InputError::Shape {
            message: "the object's text reads as more than one document".into(),
        });
    }
    Ok(root)
}

/// Verify an object by re-parsing the whole input and output.
fn whole(
    text: &Text,
    obj: &Obj,
    edits: &[&ContainerEdit],
    splices: &[&Splice],
    value: &str,
    limits: Limits,
) -> Result<(), String> {
    let out = apply(text.src, 0, text.src.len(), splices);
    let opts = BuildOptions::full(limits);
    let sa =
        spanned::parse(text, &opts).map_err(|e| format!("the input does not re-parse: {e}"))?;
    let sb = spanned::parse(&Text::new(&out), &opts)
        .map_err(|e| format!("the edited output does not parse: {e}"))?;
    fn find<'n, 'a>(s: &'n spanned::Stream<'a>, obj: &Obj) -> Option<&'n Node<'a>> {
        let mut n = s.documents.get(obj.doc)?.root.as_ref()?;
        for seg in &obj.path {
            n = step(n, seg)?;
        }
        Some(n)
    }
    let a = find(&sa, obj).ok_or("cannot find the object in the input")?;
    let b = find(&sb, obj).ok_or("cannot find the object in the output")?;
    if sa.documents.len() != sb.documents.len() {
        return Err("the number of documents changed".into());
    }
    compare_object(a, text.src, b, &out, edits, value)
}

fn step<'n, 'a>(n: &'n Node<'a>, seg: &Seg) -> Option<&'n Node<'a>> {
    match (seg, &n.kind) {
        (Seg::Key(k), _) => n.get(k),
        (Seg::Index(i), Kind::Seq { items, .. }) => items.get(*i),
        _ => None,
    }
}

/// Compare an object before and after: equal except where `edits` say.
fn compare_object(
    a: &Node,
    ta: &str,
    b: &Node,
    tb: &str,
    edits: &[&ContainerEdit],
    value: &str,
) -> Result<(), String> {
    let mut cmp = Cmp {
        value,
        ta,
        tb,
        edits,
        path: Vec::new(),
    };
    cmp.node(a, b)
}

struct Cmp<'c> {
    value: &'c str,
    ta: &'c str,
    tb: &'c str,
    edits: &'c [&'c ContainerEdit],
    path: Vec<Seg>,
}

impl Cmp<'_> {
    fn fail<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("{what} at {}", show(&self.path)))
    }

    fn node(&mut self, a: &Node, b: &Node) -> Result<(), String> {
        if let Some(e) = self.edits.iter().find(|e| e.path == self.path) {
            return self.container(a, b, &e.change);
        }
        self.props(a, b)?;
        match (&a.kind, &b.kind) {
            (
                Kind::Scalar {
                    value: va,
                    style: sa,
                },
                Kind::Scalar {
                    value: vb,
                    style: sb,
                },
            ) => {
                if va != vb || sa != sb {
                    return self.fail("a value changed");
                }
                Ok(())
            }
            (Kind::Alias, Kind::Alias) => {
                if self.ta.get(a.start..a.end) != self.tb.get(b.start..b.end) {
                    return self.fail("an alias changed");
                }
                Ok(())
            }
            (
                Kind::Map {
                    flow: fa,
                    entries: ea,
                },
                Kind::Map {
                    flow: fb,
                    entries: eb,
                },
            ) => {
                if fa != fb || ea.len() != eb.len() {
                    return self.fail("a mapping changed");
                }
                for ((ka, va), (kb, vb)) in ea.iter().zip(eb) {
                    self.entry_pair(ka, va, kb, vb)?;
                }
                Ok(())
            }
            (
                Kind::Seq {
                    flow: fa,
                    items: ia,
                },
                Kind::Seq {
                    flow: fb,
                    items: ib,
                },
            ) => {
                if fa != fb || ia.len() != ib.len() {
                    return self.fail("a list changed");
                }
                for (i, (x, y)) in ia.iter().zip(ib).enumerate() {
                    self.node_at(x, y, Some(Seg::Index(i)))?;
                }
                Ok(())
            }
            _ => self.fail("a node changed kind"),
        }
    }

    fn node_at(&mut self, a: &Node, b: &Node, seg: Option<Seg>) -> Result<(), String> {
        let Some(seg) = seg else {
            // Keys are compared without descending into edit paths.
            let saved = std::mem::take(&mut self.path);
            self.path = vec![Seg::Key("(key)".into())];
            let r = self.node(a, b);
            self.path = saved;
            return r.map_err(|e| e.replace("(key)", "a key"));
        };
        self.path.push(seg);
        let r = self.node(a, b);
        self.path.pop();
        r
    }

    /// A mapping entry: the same key, and the same value below it.
    fn entry_pair(&mut self, ka: &Node, va: &Node, kb: &Node, vb: &Node) -> Result<(), String> {
        self.node_at(ka, kb, None)?;
        let key = ka.scalar().unwrap_or("?").to_string();
        self.node_at(va, vb, Some(Seg::Key(key)))
    }

    fn props(&self, a: &Node, b: &Node) -> Result<(), String> {
        let anchor = |n: &Node, t: &str| {
            n.anchor_span
                .and_then(|(s, e)| t.get(s..e).map(str::to_owned))
        };
        if a.tag != b.tag || anchor(a, self.ta) != anchor(b, self.tb) {
            return self.fail("a tag or anchor changed");
        }
        Ok(())
    }

    /// A container the plan edits.
    fn container(&mut self, a: &Node, b: &Node, change: &EnvChange) -> Result<(), String> {
        self.props(a, b)?;
        let (
            Kind::Map {
                flow: fa,
                entries: ea,
            },
            Kind::Map {
                flow: fb,
                entries: eb,
            },
        ) = (&a.kind, &b.kind)
        else {
            return self.fail("the container is not a mapping");
        };
        if fa != fb {
            return self.fail("the container's style changed");
        }
        let is_env = |k: &Node| k.scalar() == Some("env");
        let rest_a: Vec<_> = ea.iter().filter(|(k, _)| !is_env(k)).collect();
        let rest_b: Vec<_> = eb.iter().filter(|(k, _)| !is_env(k)).collect();
        if rest_a.len() != rest_b.len() {
            return self.fail("the container's keys changed");
        }
        for ((ka, va), (kb, vb)) in rest_a.iter().zip(&rest_b) {
            self.entry_pair(ka, va, kb, vb)?;
        }
        let env_a = ea.iter().position(|(k, _)| is_env(k));
        let env_b = eb.iter().position(|(k, _)| is_env(k));
        let Some(ib) = env_b else {
            return self.fail("the container has no env after the edit");
        };
        self.path.push(Seg::Key("env".into()));
        let r = self.env(
            env_a.map(|i| &ea[i].1),
            &eb[ib].1,
            change,
            env_a,
            ib,
            eb.len(),
        );
        self.path.pop();
        r
    }

    fn env(
        &mut self,
        a: Option<&Node>,
        b: &Node,
        change: &EnvChange,
        pos_a: Option<usize>,
        pos_b: usize,
        len_b: usize,
    ) -> Result<(), String> {
        let Kind::Seq { items: ib, .. } = &b.kind else {
            return self.fail("env is not a list after the edit");
        };
        match change {
            EnvChange::Create | EnvChange::ReplaceNull => {
                let placed = match change {
                    EnvChange::Create => pos_a.is_none() && pos_b + 1 == len_b,
                    _ => pos_a == Some(pos_b) && a.is_some_and(|n| n.is_null()),
                };
                if !placed || ib.len() != 1 {
                    return self.fail("env was not created as planned");
                }
                self.new_entry(&ib[0])
            }
            EnvChange::Append | EnvChange::Set(_) => {
                let Some(Kind::Seq {
                    items: ia,
                    flow: fa,
                }) = a.map(|n| &n.kind)
                else {
                    return self.fail("env was not a list before the edit");
                };
                if !matches!(&b.kind, Kind::Seq { flow, .. } if flow == fa) || pos_a != Some(pos_b)
                {
                    return self.fail("env's style or place changed");
                }
                let set: &[(usize, EntryChange)] = match change {
                    EnvChange::Set(s) => s,
                    _ => &[],
                };
                let appended = matches!(change, EnvChange::Append);
                if ib.len() != ia.len() + usize::from(appended) {
                    return self.fail("env has a wrong number of entries");
                }
                for (i, x) in ia.iter().enumerate() {
                    self.path.push(Seg::Index(i));
                    let r = match set.iter().find(|(j, _)| *j == i) {
                        Some((_, c)) => self.entry(x, &ib[i], *c),
                        None => self.node(x, &ib[i]),
                    };
                    self.path.pop();
                    r?;
                }
                if appended {
                    self.new_entry(&ib[ia.len()])?;
                }
                Ok(())
            }
        }
    }

    fn entry(&mut self, a: &Node, b: &Node, change: EntryChange) -> Result<(), String> {
        let (Kind::Map { entries: ea, .. }, Kind::Map { entries: eb, .. }) = (&a.kind, &b.kind)
        else {
            return self.fail("the entry is not a mapping");
        };
        let mut ka: Vec<_> = ea
            .iter()
            .map(|(k, v)| (k.scalar().unwrap_or(""), Some(v)))
            .collect();
        match change {
            EntryChange::ReplaceValue | EntryChange::ValueFromToValue => {
                let from = if change == EntryChange::ReplaceValue {
                    "value"
                } else {
                    "valueFrom"
                };
                for e in &mut ka {
                    if e.0 == from {
                        *e = ("value", None);
                    }
                }
            }
            EntryChange::AddValue => ka.push(("value", None)),
        }
        if ka.len() != eb.len() {
            return self.fail("the entry has a wrong number of keys");
        }
        for ((key, va), (kb, vb)) in ka.iter().zip(eb) {
            if kb.scalar() != Some(key) {
                return self.fail("the entry's keys changed");
            }
            self.path.push(Seg::Key((*key).into()));
            let r = match va {
                Some(va) => self.node(va, vb),
                None => self.new_value(vb),
            };
            self.path.pop();
            r?;
        }
        Ok(())
    }

    fn new_entry(&self, n: &Node) -> Result<(), String> {
        let Kind::Map { entries, .. } = &n.kind else {
            return self.fail("the new entry is not a mapping");
        };
        match entries.as_slice() {
            [(kn, vn), (kv, vv)] if kn.scalar() == Some("name") && kv.scalar() == Some("value") => {
                if vn.scalar() != Some(ENV_NAME) || vn.tag != TagKind::None {
                    return self.fail("the new entry's name is wrong");
                }
                self.new_value(vv)
            }
            _ => self.fail("the new entry does not read as {name, value}"),
        }
    }

    fn new_value(&self, n: &Node) -> Result<(), String> {
        let want = self.value;
        match &n.kind {
            Kind::Scalar {
                value,
                style: ScalarStyle::DoubleQuoted,
            } if n.tag == TagKind::None && n.anchor == 0 && *value == *want => Ok(()),
            _ => self.fail("the new value does not read as the quoted string asked for"),
        }
    }
}

fn show(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
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
        "the object".into()
    } else {
        s
    }
}

/// Check the results splice (`all[at]`) where it lands: re-parse the end of the list (from
/// the root entry that holds the insertion, or only its last item when that entry is a long
/// list) with every edit in that window applied, without and with the results. The two must
/// read the same except for the added results, which must read back as `results`.
pub fn results(
    text: &Text,
    root: &Node,
    all: &[Splice],
    at: usize,
    results: &[KrmResult],
    limits: Limits,
) -> Result<(), String> {
    let splice = all.get(at).ok_or("internal: no results splice")?;
    let (start, prefix) = results_window(text, root, splice);
    let opts = BuildOptions::full(limits);
    // A window that cannot stand alone (an alias to an anchor before it): use the whole list.
    let (before, after) = match window(text, start, &prefix, all, at) {
        Some((before, after)) if matches!(parse_alone(&before, &opts), Ok(Some(_))) => {
            (before, after)
        }
        _ => window(text, 0, "", all, at).ok_or("internal: an edit straddles the list's start")?,
    };
    let a = parse_alone(&before, &opts)
        .map_err(|e| format!("the list does not re-parse: {e}"))?
        .ok_or("the list is empty")?;
    let b = parse_alone(&after, &opts)
        .map_err(|e| format!("the list with results does not parse: {e}"))?
        .ok_or("the list with results is empty")?;
    let (Kind::Map { entries: ea, .. }, Kind::Map { entries: eb, .. }) = (&a.kind, &b.kind) else {
        return Err("the list is not a mapping".into());
    };
    let is_results = |k: &Node| k.scalar() == Some("results");
    let ra = ea.iter().position(|(k, _)| is_results(k));
    let rb = eb
        .iter()
        .position(|(k, _)| is_results(k))
        .ok_or("no results after adding them")?;
    let placed = match ra {
        Some(i) => i == rb && eb.len() == ea.len(),
        None => rb == ea.len() && eb.len() == ea.len() + 1,
    };
    if !placed {
        return Err("the results are not where they were added".into());
    }
    let mut cmp = Cmp {
        value: "",
        ta: &before,
        tb: &after,
        edits: &[],
        path: Vec::new(),
    };
    for (i, (ka, va)) in ea.iter().enumerate() {
        if Some(i) == ra {
            continue;
        }
        let (kb, vb) = &eb[i];
        cmp.entry_pair(ka, va, kb, vb)?;
    }
    let old: &[Node] = match ra.map(|i| &ea[i].1.kind) {
        Some(Kind::Seq { items, .. }) => items,
        _ => &[],
    };
    let Kind::Seq { items: new, .. } = &eb[rb].1.kind else {
        return Err("the results are not a list".into());
    };
    if new.len() != old.len() + results.len() {
        return Err("the results have a wrong number of entries".into());
    }
    for (i, (x, y)) in old.iter().zip(new).enumerate() {
        cmp.node_at(x, y, Some(Seg::Index(i)))?;
    }
    for (n, r) in new[old.len()..].iter().zip(results) {
        if n.str_at("message") != Some(r.message.as_str())
            || n.str_at("severity") != Some(r.severity.as_str())
        {
            return Err(format!("the result {:?} does not read back", r.message));
        }
    }
    Ok(())
}

/// Where to start re-parsing the list's end: at the line of the root entry that holds the
/// insertion or, when that entry is a block list, at the line of its last item (with the
/// entry's key line in front, so that the window reads as the same structure).
fn results_window(text: &Text, root: &Node, splice: &Splice) -> (usize, String) {
    let Kind::Map {
        flow: false,
        entries,
    } = &root.kind
    else {
        return (0, String::new());
    };
    let Some((k, v)) = entries
        .iter()
        .rev()
        .find(|(k, _)| k.full_start() <= splice.start)
    else {
        return (0, String::new());
    };
    let key_line = text.line_start(k.full_start());
    if !layout::indented_only(text, k.full_start()) {
        return (0, String::new());
    }
    if let Kind::Seq { flow: false, items } = &v.kind {
        if let Some(last) = items.last() {
            let ls = text.line_start(last.full_start());
            let prefix = &text.src.as_bytes()[ls..last.full_start()];
            let dash = prefix.iter().filter(|&&b| b == b'-').count() == 1
                && prefix.iter().all(|&b| b == b' ' || b == b'-')
                && prefix.last() == Some(&b' ');
            if ls > key_line && dash && text.line_end(k.end) < ls {
                let head = &text.src[key_line..text.line_end(k.end)];
                return (ls, format!("{head}{}", text.eol()));
            }
        }
    }
    (key_line, String::new())
}

/// The text from `start` to the end, behind `prefix`, with the edits that fall in it applied:
/// without and with the results splice `all[at]`. An insertion exactly at `start` belongs to
/// what precedes it and is left out; `None` when an edit straddles `start`.
fn window(
    text: &Text,
    start: usize,
    prefix: &str,
    all: &[Splice],
    at: usize,
) -> Option<(String, String)> {
    if all.iter().any(|s| s.start < start && s.end > start) {
        return None;
    }
    let inside = |s: &Splice| start == 0 || s.start > start;
    let with: Vec<&Splice> = all.iter().filter(|s| inside(s)).collect();
    let without: Vec<&Splice> = all
        .iter()
        .enumerate()
        .filter(|&(i, s)| i != at && inside(s))
        .map(|(_, s)| s)
        .collect();
    let len = text.src.len();
    Some((
        format!("{prefix}{}", apply(text.src, start, len, &without)),
        format!("{prefix}{}", apply(text.src, start, len, &with)),
    ))
}
