//! The input text and questions about its layout: positions, lines, columns, line breaks.
//!
//! Line lookups are cheap on any shape: a short scan on ordinary lines, and an index of line
//! starts (built once, on first need) when a line is long, as in minified JSON.

use std::cell::OnceCell;

use crate::error::{InputError, Limits, Location, HARD_MAX_INPUT};

/// How far a line lookup scans before it falls back to the line index.
const SCAN: usize = 512;

/// Validated input text: UTF-8, within the size limit; and where things are in it.
///
/// ```
/// use krm_splice::{InputError, Limits, Text};
/// let limits = Limits::default();
/// let text = Text::decode(b"a: 1\r\nb: \xc3\xa9t\xc3\xa9\r\n", &limits)?;
/// let at = text.src().find("t").unwrap_or(0);
/// let loc = text.location(at);
/// assert_eq!((loc.line, loc.column), (2, 5)); // columns count characters
/// assert_eq!(text.eol_at(at), "\r\n"); // new lines written here end like their neighbours
/// let err = Text::decode(b"a: \xff\n", &limits).unwrap_err();
/// assert!(matches!(err, InputError::NotUtf8 { at } if at.column == 4));
/// # Ok::<(), InputError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Text<'a> {
    src: &'a str,
    /// Offsets of the first byte of every line after the first.
    lines: OnceCell<Vec<u32>>,
}

impl<'a> Text<'a> {
    /// Check size and encoding of raw input bytes.
    pub fn decode(bytes: &'a [u8], limits: &Limits) -> Result<Text<'a>, InputError> {
        let limit = limits.max_input_bytes.min(HARD_MAX_INPUT);
        if bytes.len() > limit {
            return Err(InputError::TooLarge {
                size: bytes.len(),
                limit,
            });
        }
        match std::str::from_utf8(bytes) {
            Ok(src) => Ok(Text::new(src)),
            Err(e) => {
                let ok = &bytes[..e.valid_up_to()];
                // The valid prefix is UTF-8, so positions inside it are well defined.
                let prefix = std::str::from_utf8(ok).unwrap_or_default();
                Err(InputError::NotUtf8 {
                    at: Text::new(prefix).location(prefix.len()),
                })
            }
        }
    }

    /// Wrap text already known to be within the limits (a fragment being re-parsed).
    pub fn new(src: &'a str) -> Text<'a> {
        Text {
            src,
            lines: OnceCell::new(),
        }
    }

    /// The text.
    pub fn src(&self) -> &'a str {
        self.src
    }

    /// The text's length in bytes.
    pub fn len(&self) -> usize {
        self.src.len()
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.src.is_empty()
    }

    fn line_index(&self) -> &[u32] {
        self.lines.get_or_init(|| {
            let b = self.src.as_bytes();
            let mut v = Vec::new();
            let mut i = 0;
            while let Some(j) = memchr::memchr2(b'\n', b'\r', &b[i..]) {
                let at = i + j;
                let next = if b[at] == b'\r' && b.get(at + 1) == Some(&b'\n') {
                    at + 2
                } else {
                    at + 1
                };
                v.push(next as u32);
                i = next;
            }
            v
        })
    }

    /// A place as byte offset, line and column.
    pub fn location(&self, at: usize) -> Location {
        let at = floor_char_boundary(self.src, at.min(self.src.len()));
        let idx = self.line_index();
        let line = idx.partition_point(|&s| s as usize <= at);
        let ls = if line == 0 { 0 } else { idx[line - 1] as usize };
        Location {
            offset: at,
            line: line + 1,
            column: self.src[ls..at].chars().count() + 1,
        }
    }

    /// Where the indentation of the line holding `at` starts: its start, or on the first
    /// line, after a byte order mark. A BOM is not part of any document, so text inserted
    /// at the start of the first line, or removed from it, goes after it.
    pub fn indent_start(&self, at: usize) -> usize {
        let ls = self.line_start(at);
        if ls == 0 && self.src.starts_with('\u{feff}') && at >= 3 {
            3
        } else {
            ls
        }
    }

    /// Offset of the start of the line holding `at`.
    pub fn line_start(&self, at: usize) -> usize {
        let at = at.min(self.src.len());
        let b = self.src.as_bytes();
        let from = at.saturating_sub(SCAN);
        if let Some(i) = memchr::memrchr2(b'\n', b'\r', &b[from..at]) {
            return from + i + 1;
        }
        if from == 0 {
            return 0;
        }
        let idx = self.line_index();
        let line = idx.partition_point(|&s| s as usize <= at);
        if line == 0 {
            0
        } else {
            idx[line - 1] as usize
        }
    }

    /// Offset of the line break ending the line that holds `at`, or the end.
    pub fn line_end(&self, at: usize) -> usize {
        let at = at.min(self.src.len());
        let b = self.src.as_bytes();
        let to = (at + SCAN).min(b.len());
        if let Some(i) = memchr::memchr2(b'\n', b'\r', &b[at..to]) {
            return at + i;
        }
        if to == b.len() {
            return to;
        }
        let idx = self.line_index();
        let line = idx.partition_point(|&s| s as usize <= at);
        match idx.get(line) {
            Some(&next) => {
                let mut e = next as usize - 1;
                if e > 0 && b[e] == b'\n' && b[e - 1] == b'\r' {
                    e -= 1;
                }
                e
            }
            None => b.len(),
        }
    }

    /// Offset of the start of the line after the one holding `at` (the end when it is the
    /// last line).
    pub fn next_line(&self, at: usize) -> usize {
        let e = self.line_end(at);
        let b = self.src.as_bytes();
        match b.get(e) {
            Some(b'\r') if b.get(e + 1) == Some(&b'\n') => e + 2,
            Some(_) => e + 1,
            None => e,
        }
    }

    /// Column (in bytes, which equals characters in indentation) of `at` on its line.
    pub fn column(&self, at: usize) -> usize {
        // A byte order mark takes no column.
        at.saturating_sub(self.indent_start(at))
    }

    /// The line break the input uses: that of its first line (`\n` when it has none).
    pub fn eol(&self) -> &'static str {
        let b = self.src.as_bytes();
        match memchr::memchr2(b'\n', b'\r', b) {
            Some(i) if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') => "\r\n",
            Some(i) if b[i] == b'\r' => "\r",
            _ => "\n",
        }
    }

    /// The line break to write at `at`: the one that ends the line there (`at` at a line's
    /// end), or else the nearest one before; the text's first line break when there is
    /// neither. Inputs may mix them (a Helm stream's own `---` lines
    /// are LF, a chart's files CRLF): new lines take the ones around them.
    pub fn eol_at(&self, at: usize) -> &'static str {
        let b = self.src.as_bytes();
        let at = at.min(b.len());
        match (b.get(at), b.get(at + 1)) {
            (Some(b'\r'), Some(b'\n')) => return "\r\n",
            (Some(b'\n'), _) => return "\n",
            (Some(b'\r'), _) => return "\r",
            _ => {}
        }
        // The nearest line break before.
        match memchr::memrchr2(b'\n', b'\r', &b[..at]) {
            Some(i) if b[i] == b'\n' && i > 0 && b[i - 1] == b'\r' => "\r\n",
            Some(i) if b[i] == b'\n' => "\n",
            Some(_) => "\r",
            None => self.eol(),
        }
    }

    /// Offsets of NEL (U+0085), LS (U+2028) and PS (U+2029): line breaks to YAML 1.1
    /// readers (go-yaml, PyYAML), ordinary characters to YAML 1.2 readers.
    pub fn yaml11_breaks(&self) -> Vec<usize> {
        let b = self.src.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while let Some(j) = memchr::memchr2(0xC2, 0xE2, &b[i..]) {
            let at = i + j;
            let hit = match b[at] {
                0xC2 => b.get(at + 1) == Some(&0x85),
                _ => b.get(at + 1) == Some(&0x80) && matches!(b.get(at + 2), Some(0xA8 | 0xA9)),
            };
            if hit {
                out.push(at);
            }
            i = at + 1;
        }
        out
    }
}

/// The name of a YAML 1.1 line break character starting at `at`.
pub(crate) fn yaml11_break_name(src: &str, at: usize) -> &'static str {
    match src.get(at..).and_then(|s| s.chars().next()) {
        Some('\u{85}') => "NEL (U+0085)",
        Some('\u{2028}') => "LS (U+2028)",
        _ => "PS (U+2029)",
    }
}

fn floor_char_boundary(s: &str, mut at: usize) -> usize {
    while at > 0 && !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_are_yamls() {
        let t = Text::new("a\r\nb\rc\nd");
        assert_eq!(t.location(3).line, 2); // b
        assert_eq!(t.location(5).line, 3); // c
        let d = t.location(7);
        assert_eq!((d.line, d.column), (4, 1));
        assert_eq!(t.line_start(5), 5);
        assert_eq!(t.line_end(0), 1);
        assert_eq!(t.line_end(3), 4);
        assert_eq!(t.next_line(0), 3);
        assert_eq!(t.column(5), 0);
        assert_eq!(t.eol(), "\r\n");
        assert_eq!(Text::new("a\rb").eol(), "\r");
        assert_eq!(Text::new("\u{feff}a: 1").column(3), 0);
        let bom = Text::new("\u{feff}a: 1\nb: 2");
        assert_eq!((bom.line_start(4), bom.indent_start(4)), (0, 3));
        assert_eq!(bom.indent_start(9), 8);
        let mixed = Text::new("a\nb\r\nc");
        assert_eq!(mixed.eol_at(1), "\n");
        assert_eq!(mixed.eol_at(3), "\r\n");
        assert_eq!(mixed.eol_at(5), "\r\n");
        assert_eq!(mixed.eol_at(6), "\r\n");
    }

    #[test]
    fn long_lines_use_the_index() {
        let long = "x".repeat(5000);
        let s = format!("a\n{long}\r\n{long}\nz");
        let t = Text::new(&s);
        let second = 2;
        let third = second + 5000 + 2;
        assert_eq!(t.line_start(second + 4000), second);
        assert_eq!(t.line_end(second + 10), second + 5000);
        assert_eq!(t.line_start(third + 4999), third);
        assert_eq!(t.line_end(third), third + 5000);
        assert_eq!(t.column(third + 4321), 4321);
        assert_eq!(t.location(third + 4321).line, 3);
        assert_eq!(t.line_end(s.len() - 1), s.len());
    }

    #[test]
    fn finds_yaml11_breaks() {
        let t = Text::new("a\u{85}b — c\u{2028}d\u{2029}");
        let at = t.yaml11_breaks();
        assert_eq!(at.len(), 3);
        assert_eq!(yaml11_break_name(t.src(), at[1]), "LS (U+2028)");
    }
}
