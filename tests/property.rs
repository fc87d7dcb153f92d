//! Property test: generated env layouts (block and flow, any indentation, comments, block
//! scalars, valueFrom, duplicates, CRLF, env missing/null/[]) must come out re-parseable,
//! with the target reading as asked and every byte outside the edits unchanged.

mod common;

use disable_gke_metadata::Options;
use krm_splice::{Keep, Limits, Style, Text, Tree};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Val {
    Plain(&'static str),
    Single(&'static str),
    Double(&'static str),
    Literal(&'static str, &'static str),
    Folded(&'static str),
    From,
    Missing,
    Empty,
}

#[derive(Debug, Clone)]
struct Entry {
    name: &'static str,
    val: Val,
    name_first: bool,
    comment: bool,
}

#[derive(Debug, Clone)]
enum Env {
    Missing,
    /// `env:` then a null token (`~`, `null` or nothing), maybe a comment after it.
    Null(&'static str, bool),
    EmptyFlow,
    Block(Vec<Entry>),
    Flow(Vec<Entry>),
}

#[derive(Debug, Clone)]
struct Layout {
    indent: usize,
    seq_offset: usize,
    env: Env,
    crlf: bool,
    trailing_key: bool,
    final_newline: bool,
    comment_between: bool,
}

fn entry() -> impl Strategy<Value = Entry> {
    let name = prop_oneof![Just("DISABLE_GKE_METADATA"), Just("A"), Just("OTHER")];
    let val = prop_oneof![
        prop_oneof![Just("false"), Just("yes"), Just("true"), Just("x y")].prop_map(Val::Plain),
        prop_oneof![Just("false"), Just("true")].prop_map(Val::Single),
        prop_oneof![Just("false"), Just("true"), Just("a\\nb")].prop_map(Val::Double),
        (
            prop_oneof![Just("false"), Just("two\nlines")],
            prop_oneof![Just(""), Just("-"), Just("+")]
        )
            .prop_map(|(v, c)| Val::Literal(v, c)),
        Just(Val::Folded("folded text")),
        Just(Val::From),
        Just(Val::Missing),
        Just(Val::Empty),
    ];
    (name, val, any::<bool>(), any::<bool>()).prop_map(|(name, val, name_first, comment)| Entry {
        name,
        val,
        name_first,
        comment,
    })
}

fn layout() -> impl Strategy<Value = Layout> {
    let env = prop_oneof![
        Just(Env::Missing),
        (
            prop_oneof![Just("~"), Just("null"), Just("")],
            any::<bool>()
        )
            .prop_map(|(t, c)| Env::Null(t, c)),
        Just(Env::EmptyFlow),
        prop::collection::vec(entry(), 1..5).prop_map(Env::Block),
        prop::collection::vec(entry(), 1..4).prop_map(Env::Flow),
    ];
    (
        0usize..4,
        prop_oneof![Just(0usize), Just(2), Just(4)],
        env,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(indent, seq_offset, env, crlf, trailing_key, final_newline, comment_between)| {
                Layout {
                    indent: indent * 2,
                    seq_offset,
                    env,
                    crlf,
                    trailing_key,
                    final_newline,
                    comment_between,
                }
            },
        )
}

fn flow_value(v: &Val) -> Option<String> {
    Some(match v {
        Val::Plain(s) => format!("value: {s}"),
        Val::Single(s) => format!("value: '{s}'"),
        Val::Double(s) => format!("value: \"{s}\""),
        Val::From => "valueFrom: {fieldRef: {fieldPath: metadata.name}}".into(),
        Val::Missing => return None,
        _ => "value: ''".into(),
    })
}

fn render(l: &Layout) -> String {
    let i = " ".repeat(l.indent);
    let mut s = String::new();
    s.push_str("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ml-pipeline-ui\nspec:\n  template:\n    spec:\n      containers:\n");
    // The container's keys sit at column c.
    let dash = 6 + l.seq_offset;
    let c = dash + 2;
    let p = |n: usize| " ".repeat(n);
    s.push_str(&format!("{}- name: ml-pipeline-ui\n", p(dash)));
    s.push_str(&format!("{}image: ui\n", p(c)));
    let _ = &i;
    match &l.env {
        Env::Missing => {}
        Env::Null(token, comment) => s.push_str(&format!(
            "{}env: {token}{}\n",
            p(c),
            if *comment { " # env is set later" } else { "" }
        )),
        Env::EmptyFlow => s.push_str(&format!("{}env: []\n", p(c))),
        Env::Flow(es) => {
            let items: Vec<String> = es
                .iter()
                .map(|e| {
                    let mut kv = vec![format!("name: {}", e.name)];
                    if let Some(v) = flow_value(&e.val) {
                        if e.name_first {
                            kv.push(v)
                        } else {
                            kv.insert(0, v)
                        }
                    }
                    format!("{{{}}}", kv.join(", "))
                })
                .collect();
            s.push_str(&format!("{}env: [{}]\n", p(c), items.join(", ")));
        }
        Env::Block(es) => {
            s.push_str(&format!("{}env:\n", p(c)));
            let d = c + l.indent.min(4);
            let k = d + 2;
            for (n, e) in es.iter().enumerate() {
                if l.comment_between && n > 0 {
                    s.push_str(&format!("{}# between entries\n", p(d)));
                }
                let name = format!(
                    "name: {}{}",
                    e.name,
                    if e.comment { " # the name" } else { "" }
                );
                let val: Option<String> = match &e.val {
                    Val::Plain(v) => Some(format!("value: {v}")),
                    Val::Single(v) => Some(format!("value: '{v}'")),
                    Val::Double(v) => Some(format!("value: \"{v}\"")),
                    Val::Literal(v, chomp) => Some(format!(
                        "value: |{chomp}\n{}",
                        v.lines()
                            .map(|line| format!("{}{line}", p(k + 2)))
                            .collect::<Vec<_>>()
                            .join("\n")
                    )),
                    Val::Folded(v) => Some(format!("value: >\n{}{v}", p(k + 2))),
                    Val::From => Some(format!(
                        "valueFrom:\n{}fieldRef:\n{}fieldPath: metadata.name",
                        p(k + 2),
                        p(k + 4)
                    )),
                    Val::Missing => None,
                    Val::Empty => Some("value:".into()),
                };
                let mut lines = vec![name];
                if let Some(v) = val {
                    if e.name_first {
                        lines.push(v)
                    } else {
                        lines.insert(0, v)
                    }
                }
                for (j, line) in lines.iter().enumerate() {
                    if j == 0 {
                        s.push_str(&format!("{}- {line}\n", p(d)));
                    } else {
                        s.push_str(&format!("{}{line}\n", p(k)));
                    }
                }
            }
        }
    }
    if l.trailing_key {
        s.push_str(&format!("{}ports:\n{}- containerPort: 3000\n", p(c), p(c)));
    }
    if !l.final_newline {
        s.pop();
    }
    if l.crlf {
        s = s.replace('\n', "\r\n");
    }
    s
}

/// The ml-pipeline-ui container's DISABLE_GKE_METADATA values, as (value, quoted).
fn target_values(out: &str) -> Vec<(String, bool)> {
    let tree =
        Tree::parse(Text::new(out), &Keep::all(), &Limits::default()).expect("output parses");
    let root = tree.cursor(0).expect("a document");
    let c = ["spec", "template", "spec", "containers"]
        .iter()
        .try_fold(root, |n, k| n.get(k))
        .expect("containers");
    let env = c.item(0).expect("a container").get("env").expect("env");
    assert!(env.node().is_seq(), "env is a list");
    env.items()
        .filter(|e| e.str_at("name") == Some("DISABLE_GKE_METADATA"))
        .map(|e| {
            let v = e.get("value").expect("value");
            assert!(e.get("valueFrom").is_none());
            let n = v.node();
            (
                n.scalar().expect("value is a scalar").to_string(),
                n.style() != Style::Plain,
            )
        })
        .collect()
}

/// Whether the edit must append after a block scalar that ends a text with no final line
/// break: a line added after it would change its value (go-yaml reads the change), so the
/// run must refuse.
fn appends_after_a_final_block_scalar(l: &Layout) -> bool {
    let Env::Block(es) = &l.env else {
        return false;
    };
    let appends = !es.iter().any(|e| e.name == "DISABLE_GKE_METADATA");
    let last_is_block = es
        .last()
        .is_some_and(|e| e.name_first && matches!(e.val, Val::Literal(..) | Val::Folded(_)));
    appends && last_is_block && !l.trailing_key && !l.final_newline
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]
    #[test]
    fn edits_read_as_asked(l in layout()) {
        let input = render(&l);
        common::dump_case("property", &input);
        let (o, out) = common::run_checked(input.as_bytes(), &Options::default());
        if appends_after_a_final_block_scalar(&l) {
            prop_assert_eq!(o.exit_code, 1, "input:\n{}", input);
            prop_assert!(o.stderr.contains("without a final line break"), "{}", o.stderr);
            return Ok(());
        }
        prop_assert_eq!(o.exit_code, 0, "input:\n{}\nstderr: {}", input, o.stderr);
        let out = String::from_utf8(out).unwrap();
        let values = target_values(&out);
        prop_assert!(!values.is_empty(), "no entry in:\n{}", out);
        for (v, quoted) in values {
            prop_assert_eq!(v, "true");
            prop_assert!(quoted);
        }
    }
}
