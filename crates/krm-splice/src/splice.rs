//! Splices, and the one place that applies them.

use std::io::{self, Write};

/// Replace `input[start..end]` with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Splice {
    /// First byte replaced.
    pub start: usize,
    /// One past the last byte replaced (`start` for an insertion).
    pub end: usize,
    /// The new text.
    pub text: String,
}

impl Splice {
    /// Write `input` with `splices` applied: the input's own bytes between them. This is the
    /// one place splices are applied ([`Edited::write`](crate::Edited::write) calls it); it
    /// takes the splices by reference, so an output is written without a copy of its new
    /// text. `splices` must be sorted, in bounds and not overlap, as
    /// [`Editor::finish`](crate::Editor::finish) returns them; anything else is an
    /// [`io::ErrorKind::InvalidInput`] error and nothing is written.
    pub fn write_all<W: Write>(input: &[u8], splices: &[Splice], mut w: W) -> io::Result<()> {
        let mut prev_end = 0;
        for s in splices {
            if s.start < prev_end || s.start > s.end || s.end > input.len() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "splice {}..{} is out of order or out of bounds",
                        s.start, s.end
                    ),
                ));
            }
            prev_end = s.end;
        }
        let refs: Vec<&Splice> = splices.iter().collect();
        write_range(input, 0, input.len(), &refs, &mut w)?;
        w.flush()
    }
}

/// Write `src` with `splices` (sorted, non-overlapping) applied to `src[from..to]`, each
/// splice lying inside that range.
pub(crate) fn write_range<W: Write>(
    src: &[u8],
    from: usize,
    to: usize,
    splices: &[&Splice],
    mut w: W,
) -> io::Result<()> {
    let mut at = from;
    for s in splices {
        w.write_all(&src[at..s.start])?;
        w.write_all(s.text.as_bytes())?;
        at = s.end;
    }
    w.write_all(&src[at..to])
}

/// `src[from..to]` with `splices` applied, as text.
pub(crate) fn apply(src: &str, from: usize, to: usize, splices: &[&Splice]) -> String {
    let mut out =
        Vec::with_capacity(to - from + splices.iter().map(|s| s.text.len()).sum::<usize>());
    // Writing to a Vec cannot fail.
    let _ = write_range(src.as_bytes(), from, to, splices, &mut out);
    // Splices lie on character boundaries (checked) and hold text: the result is UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// Check that splices are sorted, in bounds, on character boundaries and do not overlap.
pub(crate) fn check(src: &str, splices: &[Splice]) -> Result<(), usize> {
    let mut prev_end = 0;
    for s in splices {
        if s.start > s.end
            || s.end > src.len()
            || s.start < prev_end
            || !src.is_char_boundary(s.start)
            || !src.is_char_boundary(s.end)
        {
            return Err(s.start);
        }
        prev_end = s.end;
    }
    Ok(())
}
