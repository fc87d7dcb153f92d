//! A byte order mark is not part of any document: edits on the first line go after it, and
//! the output keeps it first.

use krm_splice::{Cursor, Editor, Keep, Limits, Text, Tree, Value};

/// Runs `edit` on the first document of `input` and returns the verified output.
fn edit(input: &str, f: impl for<'t, 'a> FnOnce(&mut Editor<'t, 'a>, &Cursor<'t, 'a>)) -> String {
    let limits = Limits::default();
    let text = Text::decode(input.as_bytes(), &limits).expect("decode");
    let tree = Tree::parse(text, &Keep::new().path("b"), &limits).expect("parse");
    let root = tree.cursor(0).expect("a document");
    let mut ed = Editor::new(&tree, limits);
    f(&mut ed, &root);
    let edited = ed.finish().expect("verified");
    let mut out = Vec::new();
    edited.write(input.as_bytes(), &mut out).expect("write");
    String::from_utf8(out).expect("UTF-8")
}

#[test]
fn removing_the_first_entry_keeps_the_mark() {
    let out = edit("\u{feff}a: 1\nb: 2\n", |ed, root| {
        ed.remove(&root.get("a").expect("a")).expect("remove");
    });
    assert_eq!(out, "\u{feff}b: 2\n");
}

#[test]
fn a_key_put_first_goes_after_the_mark() {
    // A block scalar ends the text without a line break: the new key goes first.
    let out = edit("\u{feff}a: 1\nb: |\n  x", |ed, root| {
        ed.insert(root, "c", Value::word("web")).expect("insert");
    });
    assert_eq!(out, "\u{feff}c: web\na: 1\nb: |\n  x");
}

#[test]
fn an_explicit_key_on_the_first_line_is_read_as_one() {
    let out = edit("\u{feff}? a\n: 1\nb: 2\n", |ed, root| {
        ed.remove(&root.get("a").expect("a")).expect("remove");
    });
    assert_eq!(out, "\u{feff}b: 2\n");
}
