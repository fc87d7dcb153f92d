//! An edit of an anchored node is made only where every place the node appears asks for it,
//! or no longer shows the node because that place's alias is itself replaced.

use krm_splice::{Cursor, EditError, Editor, Keep, Limits, Text, Tree, Value};

/// Runs `f` on the first document of `input`; the verified output, or the error.
fn edit(
    input: &str,
    f: impl for<'t, 'a> FnOnce(&mut Editor<'t, 'a>, &Cursor<'t, 'a>),
) -> Result<String, EditError> {
    let limits = Limits::default();
    let text = Text::decode(input.as_bytes(), &limits).expect("decode");
    let tree = Tree::parse(text, &Keep::new().path("a"), &limits).expect("parse");
    let root = tree.cursor(0).expect("a document");
    let mut ed = Editor::new(&tree, limits);
    f(&mut ed, &root);
    let edited = ed.finish()?;
    Ok(edited.output(input.as_bytes())).map(|o| String::from_utf8(o).expect("UTF-8"))
}

const INPUT: &str = "a: &v 1\nb: *v\nc: *v   # note\n";

fn set<'t, 'a>(ed: &mut Editor<'t, 'a>, root: &Cursor<'t, 'a>, keys: &[&str]) {
    for k in keys {
        ed.replace(&root.get(k).expect("key"), Value::Int(2))
            .expect("replace");
    }
}

#[test]
fn every_alias_replaced_too_is_an_edit_of_each_place() {
    let out = edit(INPUT, |ed, root| set(ed, root, &["a", "b", "c"])).expect("edited");
    assert_eq!(out, "a: &v 2\nb: 2\nc: 2   # note\n");
}

#[test]
fn an_alias_left_alone_still_refuses_the_anchor_edit() {
    let e = edit(INPUT, |ed, root| set(ed, root, &["a", "b"])).expect_err("refused");
    assert!(
        matches!(e, EditError::SharedAnchor { ref other, .. } if other.to_string() == "c"),
        "{e}"
    );
}

#[test]
fn an_alias_replaced_alone_changes_only_its_place() {
    let out = edit(INPUT, |ed, root| set(ed, root, &["c"])).expect("edited");
    assert_eq!(out, "a: &v 1\nb: *v\nc: 2   # note\n");
}

#[test]
fn a_replacement_in_another_document_does_not_stand_for_an_alias() {
    // The alias `b: *v` in the first document, and a replaced `b` in the second: the same
    // path, another document. The first document's alias still shows the anchored node.
    let input = "a: &v 1\nb: *v\n---\na: 0\nb: 0\n";
    let limits = Limits::default();
    let text = Text::decode(input.as_bytes(), &limits).expect("decode");
    let tree = Tree::parse(text, &Keep::new().path("a"), &limits).expect("parse");
    let (first, second) = (
        tree.cursor(0).expect("doc 0"),
        tree.cursor(1).expect("doc 1"),
    );
    let mut ed = Editor::new(&tree, limits);
    ed.replace(&first.get("a").expect("a"), Value::Int(2))
        .expect("replace");
    ed.replace(&second.get("b").expect("b"), Value::Int(2))
        .expect("replace");
    let e = ed.finish().expect_err("refused");
    assert!(
        matches!(e, EditError::SharedAnchor { ref other, .. } if other.to_string() == "b"),
        "{e}"
    );
}
