//! The input text and questions about its layout: positions, lines, columns, line breaks.

use crate::error::{InputError, Limits, Position};

/// Validated input text.
#[derive(Debug, Clone, Copy)]
pub struct Text<'a> {
    pub src: &'a str,
}

impl<'a> Text<'a> {
    /// Check size and encoding of raw input bytes.
    pub fn decode(bytes: &'a [u8], limits: &Limits) -> Result<Text<'a>, InputError> {
        if bytes.len() > limits.max_input_bytes {
            return Err(InputError::TooLarge {
                size: bytes.len(),
                limit: limits.max_input_bytes,
            });
        }
        match std::str::from_utf8(bytes) {
            Ok(src) => Ok(Text { src }),
            Err(e) => {
                let ok = &bytes[..e.valid_up_to()];
                // The valid prefix is UTF-8, so positions inside it are well defined.
                let prefix = std::str::from_utf8(ok).unwrap_or_default();
                Err(InputError::NotUtf8 {
                    at: Text { src: prefix }.position(prefix.len()),
                })
            }
        }
    }

    pub fn new(src: &'a str) -> Text<'a> {
        Text { src }
    }

    /// 1-based line and column of a byte offset. Line breaks are YAML's: `\r\n`, `\n`, `\r`.
    pub fn position(&self, at: usize) -> Position {
        let at = floor_char_boundary(self.src, at.min(self.src.len()));
        let b = self.src.as_bytes();
        let line = b[..at]
            .iter()
            .enumerate()
            .filter(|&(i, &c)| c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')))
            .count()
            + 1;
        let column = self.src[self.line_start(at)..at].chars().count() + 1;
        Position { line, column }
    }

    /// Offset of the start of the line holding `at`.
    pub fn line_start(&self, at: usize) -> usize {
        self.src.as_bytes()[..at.min(self.src.len())]
            .iter()
            .rposition(|&b| b == b'\n' || b == b'\r')
            .map_or(0, |i| i + 1)
    }

    /// Offset of the line break ending the line that holds `at`, or the end.
    pub fn line_end(&self, at: usize) -> usize {
        let bytes = self.src.as_bytes();
        let mut i = at.min(bytes.len());
        while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
            i += 1;
        }
        i
    }

    /// Column (in bytes, which equals characters in indentation) of `at` on its line.
    pub fn column(&self, at: usize) -> usize {
        let ls = self.line_start(at);
        // A byte order mark takes no column.
        let bom = if ls == 0 && self.src.starts_with('\u{feff}') {
            3
        } else {
            0
        };
        at.saturating_sub(ls + bom)
    }

    /// The line break the input uses: that of its first line (`\n` when it has none).
    pub fn eol(&self) -> &'static str {
        let b = self.src.as_bytes();
        match b.iter().position(|&c| c == b'\n' || c == b'\r') {
            Some(i) if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') => "\r\n",
            Some(i) if b[i] == b'\r' => "\r",
            _ => "\n",
        }
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
        assert_eq!(t.position(3).line, 2); // b
        assert_eq!(t.position(5).line, 3); // c
        assert_eq!(t.position(7), Position { line: 4, column: 1 }); // d
        assert_eq!(t.line_start(5), 5);
        assert_eq!(t.line_end(0), 1);
        assert_eq!(t.line_end(3), 4);
        assert_eq!(t.column(5), 0);
        assert_eq!(t.eol(), "\r\n");
        assert_eq!(Text::new("a\rb").eol(), "\r");
        assert_eq!(Text::new("\u{feff}a: 1").column(3), 0);
    }
}
