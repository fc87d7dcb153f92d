//! `--diff`: a unified diff with git's headers, which `git apply` (and `patch -p1`) accept.
//!
//! Lines end at `\n` only, as git counts them (a lone `\r` stays inside its line, a `\r\n`
//! line keeps its `\r`), and a last line without `\n` gets git's `\ No newline at end of
//! file` marker. `similar` finds the line operations; the text is written here.

use similar::{capture_diff_slices, group_diff_ops, Algorithm, DiffTag};

/// Lines of context around each change, as `git diff` and `diff -u` use.
const CONTEXT: usize = 3;

/// The diff that turns `old` into `new`, both named `path` (relative, `/`-separated): empty
/// when they are equal.
pub fn unified(old: &[u8], new: &[u8], path: &[u8]) -> Vec<u8> {
    if old == new {
        return Vec::new();
    }
    let a: Vec<&[u8]> = old.split_inclusive(|&b| b == b'\n').collect();
    let b: Vec<&[u8]> = new.split_inclusive(|&b| b == b'\n').collect();
    let ops = capture_diff_slices(Algorithm::Myers, &a, &b);
    let mut out = Vec::with_capacity(256);
    let old_name = quote(b"a/", path);
    let new_name = quote(b"b/", path);
    out.extend_from_slice(b"diff --git ");
    out.extend_from_slice(&old_name);
    out.push(b' ');
    out.extend_from_slice(&new_name);
    out.extend_from_slice(b"\n--- ");
    out.extend_from_slice(&old_name);
    out.extend_from_slice(b"\n+++ ");
    out.extend_from_slice(&new_name);
    out.push(b'\n');
    for group in group_diff_ops(ops, CONTEXT) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        out.extend_from_slice(
            format!(
                "@@ -{} +{} @@\n",
                range(first.old_range().start, last.old_range().end),
                range(first.new_range().start, last.new_range().end)
            )
            .as_bytes(),
        );
        for op in &group {
            let (tag, o, n) = op.as_tag_tuple();
            match tag {
                DiffTag::Equal => o.for_each(|i| line(&mut out, b' ', a[i])),
                DiffTag::Delete => o.for_each(|i| line(&mut out, b'-', a[i])),
                DiffTag::Insert => n.for_each(|i| line(&mut out, b'+', b[i])),
                DiffTag::Replace => {
                    o.for_each(|i| line(&mut out, b'-', a[i]));
                    n.for_each(|i| line(&mut out, b'+', b[i]));
                }
            }
        }
    }
    out
}

/// A hunk range: `start,len` (1-based), `start` alone for one line, the line before for none.
fn range(start: usize, end: usize) -> String {
    match end - start {
        1 => format!("{}", start + 1),
        0 => format!("{start},0"),
        len => format!("{},{len}", start + 1),
    }
}

fn line(out: &mut Vec<u8>, tag: u8, text: &[u8]) {
    out.push(tag);
    out.extend_from_slice(text);
    if !text.ends_with(b"\n") {
        out.extend_from_slice(b"\n\\ No newline at end of file\n");
    }
}

/// `prefix` + `path`, in double quotes with C escapes when git would quote it (control
/// characters, `"`, `\`, bytes past ASCII).
fn quote(prefix: &[u8], path: &[u8]) -> Vec<u8> {
    let plain = |b: u8| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\';
    let mut s = Vec::with_capacity(prefix.len() + path.len() + 2);
    if path.iter().all(|&b| plain(b)) {
        s.extend_from_slice(prefix);
        s.extend_from_slice(path);
        return s;
    }
    s.push(b'"');
    s.extend_from_slice(prefix);
    for &b in path {
        match b {
            b'\t' => s.extend_from_slice(b"\\t"),
            b'\n' => s.extend_from_slice(b"\\n"),
            b'"' => s.extend_from_slice(b"\\\""),
            b'\\' => s.extend_from_slice(b"\\\\"),
            b if plain(b) => s.push(b),
            b => s.extend_from_slice(format!("\\{b:03o}").as_bytes()),
        }
    }
    s.push(b'"');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff(old: &str, new: &str) -> String {
        String::from_utf8(unified(old.as_bytes(), new.as_bytes(), b"d/x.yaml")).unwrap()
    }

    /// Applies a diff made by [`unified`] to `old`, reading only what the diff says (the
    /// hunk ranges, the context and the markers), as `git apply` would.
    fn apply(old: &[u8], patch: &[u8]) -> Vec<u8> {
        let lines: Vec<&[u8]> = old.split_inclusive(|&b| b == b'\n').collect();
        let mut out = Vec::new();
        let mut at = 0; // next old line to copy
        let plines: Vec<&[u8]> = patch.split_inclusive(|&b| b == b'\n').collect();
        let mut i = 3; // the three header lines
        while i < plines.len() {
            let h = std::str::from_utf8(plines[i]).unwrap();
            assert!(h.starts_with("@@ -"), "{h}");
            let old_start: usize = h[4..].split([',', ' ']).next().unwrap().parse().unwrap();
            let len_is_zero = h[4..].split(' ').next().unwrap().ends_with(",0");
            let first = if len_is_zero {
                old_start
            } else {
                old_start - 1
            };
            while at < first {
                out.extend_from_slice(lines[at]);
                at += 1;
            }
            i += 1;
            while i < plines.len() && !plines[i].starts_with(b"@@") {
                let (tag, mut text) = (plines[i][0], plines[i][1..].to_vec());
                if plines.get(i + 1).is_some_and(|l| l.starts_with(b"\\ ")) {
                    text.pop();
                    i += 1;
                }
                match tag {
                    b' ' => {
                        assert_eq!(lines[at], &text[..]);
                        out.extend_from_slice(&text);
                        at += 1;
                    }
                    b'-' => {
                        assert_eq!(lines[at], &text[..]);
                        at += 1;
                    }
                    b'+' => out.extend_from_slice(&text),
                    _ => panic!("bad line {:?}", plines[i]),
                }
                i += 1;
            }
        }
        for l in &lines[at..] {
            out.extend_from_slice(l);
        }
        out
    }

    fn round_trip(old: &str, new: &str) {
        let d = unified(old.as_bytes(), new.as_bytes(), b"x");
        assert_eq!(
            apply(old.as_bytes(), &d),
            new.as_bytes(),
            "{}",
            String::from_utf8_lossy(&d)
        );
    }

    #[test]
    fn git_headers_and_one_hunk() {
        assert_eq!(
            diff("a\nb\nc\nd\ne\nf\ng\nh\n", "a\nb\nc\nd\nE\nf\ng\nh\n"),
            "diff --git a/d/x.yaml b/d/x.yaml\n--- a/d/x.yaml\n+++ b/d/x.yaml\n\
             @@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n"
        );
        assert_eq!(diff("same\n", "same\n"), "");
    }

    #[test]
    fn insertion_only_and_far_apart_changes() {
        assert_eq!(
            diff("a\n", "a\nb\n"),
            "diff --git a/d/x.yaml b/d/x.yaml\n--- a/d/x.yaml\n+++ b/d/x.yaml\n@@ -1 +1,2 @@\n a\n+b\n"
        );
        let old: String = (0..40).map(|i| format!("l{i}\n")).collect();
        let new = old.replace("l3\n", "L3\n").replace("l30\n", "l30\nnew\n");
        let d = diff(&old, &new);
        assert_eq!(d.matches("@@ -").count(), 2, "{d}");
        round_trip(&old, &new);
    }

    #[test]
    fn missing_final_newline_and_carriage_returns() {
        let d = diff("a\nb", "a\nB");
        assert!(
            d.ends_with("-b\n\\ No newline at end of file\n+B\n\\ No newline at end of file\n"),
            "{d}"
        );
        round_trip("a\nb", "a\nB");
        round_trip("a\nb", "a\nb\n");
        round_trip("a\nb\n", "a\nb");
        round_trip("x\r\ny\r\n", "x\r\nY\r\n");
        // A lone CR is inside a line, as git sees it.
        let d = diff("a\rb\nc\n", "a\rB\nc\n");
        assert!(d.contains("\n-a\rb\n+a\rB\n"), "{d:?}");
        round_trip("a\rb\nc\n", "a\rB\nc\n");
        round_trip("", "new\n");
        round_trip("old\n", "");
    }

    #[test]
    fn paths_are_quoted_as_git_quotes_them() {
        assert_eq!(
            quote(b"a/", b"dir/plain-name_1.yaml"),
            b"a/dir/plain-name_1.yaml"
        );
        assert_eq!(quote(b"a/", b"sp ace.yaml"), b"a/sp ace.yaml");
        assert_eq!(
            quote(b"a/", b"t\tq\"b\\.yaml"),
            b"\"a/t\\tq\\\"b\\\\.yaml\""
        );
        assert_eq!(quote(b"b/", "é.yaml".as_bytes()), b"\"b/\\303\\251.yaml\"");
    }
}
