//! Where new text goes and how it must be indented: questions about the input's layout,
//! answered from node spans and the bytes around them. Pure functions of the text.

use crate::text::Text;
use crate::tree::Node;

/// How inserted text joins the input at its position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Join {
    /// At the end of a line: the text starts with a line break.
    LineEnd,
    /// At the start of a line: each line of the text ends with a line break.
    LineStart,
}

/// Where to add block content that must follow `node` (the last child of a block
/// collection).
pub(crate) fn after(text: &Text, node: &Node) -> (usize, Join) {
    if node.raw_end() > node.end() {
        // The node ends in a block scalar, whose trailing lines belong to it: go past them,
        // to the start of the line of the next token.
        let p = node.raw_end();
        if p == text.len() {
            // It runs to the end of the input. (Without a final line break, adding one
            // may change its value; verification refuses that.)
            let join = if text.src().ends_with(['\n', '\r']) {
                Join::LineStart
            } else {
                Join::LineEnd
            };
            return (p, join);
        }
        let ls = text.line_start(p);
        if ls > node.end() && text.src().as_bytes()[ls..p].iter().all(|&b| b == b' ') {
            return (ls, Join::LineStart);
        }
    }
    (text.line_end(node.end()), Join::LineEnd)
}

/// Whether `text[from..to]` is only spaces and tabs, maybe ending in a comment: what may
/// follow the last node on its line in block context.
pub(crate) fn blank_or_comment(text: &Text, from: usize, to: usize) -> bool {
    let Some(s) = text.src().get(from..to) else {
        return false;
    };
    let rest = s.trim_start_matches([' ', '\t']);
    // A comment must be separated from what precedes it by white space.
    rest.is_empty() || (rest.starts_with('#') && rest.len() < s.len())
}

/// Whether only spaces (and a leading byte order mark) precede `at` on its line.
pub(crate) fn indented_only(text: &Text, at: usize) -> bool {
    text.src()[text.indent_start(at)..at]
        .bytes()
        .all(|b| b == b' ')
}

/// Join lines of new block content for insertion with `join`.
pub(crate) fn lines(lines: &[String], join: Join, eol: &str) -> String {
    let mut s = String::new();
    for l in lines {
        if join == Join::LineEnd {
            s.push_str(eol);
        }
        s.push_str(l);
        if join == Join::LineStart {
            s.push_str(eol);
        }
    }
    s
}

/// The offset of the `:` that follows a mapping key ending at `key_end`: on the same line
/// for an implicit key; for an explicit key (`? k`), at the start of a later line.
pub(crate) fn colon_after(text: &Text, key_end: usize) -> Option<usize> {
    let b = text.src().as_bytes();
    let mut i = key_end;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'#' if i > key_end && matches!(b[i - 1], b' ' | b'\t' | b'\n' | b'\r') => {
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

/// For a block mapping value that is null (`key:`, `key: ~`, `key: null # why`), with
/// `colon` the offset of the key's `:`: where the null token ends (just after the colon
/// when it is empty) and where its line ends. `None` when something other than blanks and
/// a comment follows it on the line. Block content that replaces the null starts at the
/// line end, so a comment after the null stays on the key's line.
pub(crate) fn null_tail(text: &Text, colon: usize, null: &Node) -> Option<(usize, usize)> {
    let end = if null.start() == null.end() {
        colon + 1
    } else {
        null.end().max(colon + 1)
    };
    let line_end = text.line_end(end);
    blank_or_comment(text, end, line_end).then_some((end, line_end))
}

/// The byte range to replace to give `key` a new value: from the value's first byte
/// (its anchor, tag, quote or block-scalar indicator) to the end of its content.
/// An empty value yields an empty range just after the colon.
pub(crate) fn value_range(
    text: &Text,
    key: &Node,
    value: &Node,
) -> Result<(usize, usize), (usize, String)> {
    let colon = colon_after(text, key.end())
        .ok_or_else(|| (key.end(), "no ':' after the key".to_string()))?;
    let b = text.src().as_bytes();
    let mut j = colon + 1;
    while j < b.len() && matches!(b[j], b' ' | b'\t') {
        j += 1;
    }
    if value.start() == value.end() && value.scalar().is_some() && value.start() <= colon + 1 {
        return Ok((colon + 1, colon + 1));
    }
    let start = if j < b.len() && !matches!(b[j], b'#' | b'\n' | b'\r') {
        j
    } else {
        // The value starts on a later line.
        if value.is_block_scalar() {
            return Err((
                value.start(),
                "a block scalar header on its own line".to_string(),
            ));
        }
        value.full_start()
    };
    if start > value.start() || value.end() < start {
        return Err((value.start(), "cannot find the value's extent".to_string()));
    }
    Ok((start, value.end()))
}

/// The column of the `-` of a block sequence's entries.
pub(crate) fn dash_column(text: &Text, seq: &Node) -> Option<usize> {
    if !seq.is_seq() || seq.is_flow() {
        return None;
    }
    let first = seq.first_child()?;
    let s = first.full_start();
    let src = text.src();
    let b = src.as_bytes();
    let mut ls = text.indent_start(s);
    // On the entry's own line: `  - name: x` (or `- - x`): the last dash before it.
    let prefix = &b[ls..s];
    if let Some(d) = prefix.iter().rposition(|&c| c == b'-') {
        if prefix[d + 1..].iter().all(|&c| c == b' ')
            && prefix[..d].iter().all(|&c| matches!(c, b' ' | b'-'))
        {
            return Some(d);
        }
        return None;
    }
    if !prefix.iter().all(|&c| c == b' ') {
        return None;
    }
    // The entry starts on a later line than its dash: `-` alone, or `- # comment`.
    for _ in 0..64 {
        if text.line_start(ls) == 0 {
            return None;
        }
        let mut e = ls;
        if b[e - 1] == b'\n' {
            e -= 1;
        }
        if e > 0 && b[e - 1] == b'\r' && (e == ls || e + 1 == ls) {
            e -= 1;
        }
        let prev = text.indent_start(e);
        let line = &src[prev..e];
        let trimmed = line.trim_start_matches(' ');
        let col = line.len() - trimmed.len();
        let rest = trimmed.trim_end();
        if rest.is_empty() || rest.starts_with('#') {
            ls = prev;
            continue;
        }
        if let Some(after) = rest.strip_prefix('-') {
            let after = after.trim_start();
            if after.is_empty() || after.starts_with('#') {
                return Some(col);
            }
        }
        return None;
    }
    None
}

/// The column where a block mapping's keys start: that of the first key (or `?` of an
/// explicit key) that begins its line, else that of the first key.
pub(crate) fn key_column(text: &Text, map: &Node) -> usize {
    if !map.is_map() {
        return text.column(map.start());
    }
    let key_at = |k: &Node| explicit_indicator(text, k.full_start()).unwrap_or(k.full_start());
    let mut first = None;
    for (k, _) in map.entries() {
        let at = key_at(&k);
        if indented_only(text, at) {
            return text.column(at);
        }
        first.get_or_insert(at);
    }
    first.map_or(text.column(map.start()), |at| text.column(at))
}

/// The `?` of an explicit key that starts at `key_start`, when it has one: on the key's line
/// (`? key`), or alone on an earlier line with only blank lines between (`?` then the key,
/// often a block collection, indented below it).
pub(crate) fn explicit_indicator(text: &Text, key_start: usize) -> Option<usize> {
    let ls = text.indent_start(key_start);
    let before = text.src().get(ls..key_start)?;
    let t = before.trim_end_matches([' ', '\t']);
    if t.is_empty() {
        let b = text.src().as_bytes();
        let mut q = ls;
        while q > 0 && matches!(b[q - 1], b' ' | b'\t' | b'\n' | b'\r') {
            q -= 1;
        }
        return (q > 0 && q < ls && b[q - 1] == b'?' && indented_only(text, q - 1)).then(|| q - 1);
    }
    t.ends_with('?')
        .then(|| ls + t.len() - 1)
        .filter(|&q| q == ls || text.src().as_bytes()[q - 1] == b' ')
}

/// How far the entries of a block sequence value sit right of its key: 0 (compact,
/// kyaml's default) or more (wide). `None` when the value is not a non-empty block
/// sequence.
pub(crate) fn sequence_offset(text: &Text, key: &Node, seq: &Node) -> Option<usize> {
    let dash = dash_column(text, seq)?;
    let key_col = match explicit_indicator(text, key.full_start()) {
        Some(q) => text.column(q),
        None => text.column(key.full_start()),
    };
    Some(dash.saturating_sub(key_col))
}
