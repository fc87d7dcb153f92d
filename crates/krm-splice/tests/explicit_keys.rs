//! Explicit keys (`? key`) whose key stands on the lines after the `?`, and explicit keys with
//! no value at all: new entries go after them, and the mapping ends where they end.

use krm_splice::{Editor, Keep, Limits, Text, Tree, Value};

/// `input` with `results: x` inserted into its root mapping, verified.
fn with_results(input: &str) -> String {
    let limits = Limits::default();
    let text = Text::decode(input.as_bytes(), &limits).expect("decode");
    let tree = Tree::parse(text, &Keep::new(), &limits).expect("parse");
    let root = tree.cursor(0).expect("a document");
    let mut ed = Editor::new(&tree, limits);
    ed.insert(&root, "results", Value::word("x"))
        .expect("insert");
    let edited = ed.finish().unwrap_or_else(|e| panic!("{input:?}: {e}"));
    String::from_utf8(edited.output(input.as_bytes())).expect("UTF-8")
}

#[test]
fn a_key_below_its_question_mark_with_no_value() {
    for (input, want) in [
        ("a: 1\n?\n    t:\n", "a: 1\n?\n    t:\nresults: x\n"),
        ("a: 1\n?\n    t:", "a: 1\n?\n    t:\nresults: x"),
        ("a: 1\n?\n\n  - t\n", "a: 1\n?\n\n  - t\nresults: x\n"),
        ("a: 1\n?\n  k\n", "a: 1\n?\n  k\nresults: x\n"),
    ] {
        assert_eq!(with_results(input), want, "{input:?}");
    }
}

#[test]
fn a_key_below_its_question_mark_with_a_value() {
    assert_eq!(
        with_results("a: 1\n?\n    t:\n: 2\n"),
        "a: 1\n?\n    t:\n: 2\nresults: x\n"
    );
}

#[test]
fn an_explicit_key_without_value_last_in_a_list_item() {
    // The empty value is where its key ends, not at the next token: an item appended after
    // it starts on the next line, with no blank line, and the final line break stays.
    let input = "l:\n- ? k\n";
    let limits = Limits::default();
    let text = Text::decode(input.as_bytes(), &limits).expect("decode");
    let tree = Tree::parse(text, &Keep::new().path("l"), &limits).expect("parse");
    let list = tree.cursor(0).and_then(|r| r.get("l")).expect("l");
    let mut ed = Editor::new(&tree, limits);
    ed.append(&list, Value::map([("name", Value::word("v"))]))
        .expect("append");
    let out = ed.finish().expect("verified").output(input.as_bytes());
    assert_eq!(
        String::from_utf8(out).expect("UTF-8"),
        "l:\n- ? k\n- name: v\n"
    );
}
