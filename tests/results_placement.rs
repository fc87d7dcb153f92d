//! Property test: a ResourceList's results, wherever an earlier function left them (before or
//! after items, block or flow, null, null with a comment, absent), come back in place with the
//! new results appended (new ones go last, or first when the list ends in a block scalar with
//! no final line break), while edits anywhere in the list (the last item included, whose new
//! lines land at the same offset as the results) are made too.

mod common;

use disable_gke_metadata::Options;
use krm_splice::{Cursor, Keep, Limits, Text, Tree};
use proptest::prelude::*;

#[derive(Debug, Clone, Copy)]
enum Prior {
    Absent,
    Block,
    FlowEmpty,
    Flow,
    Empty,
    Null,
    NullComment,
}

impl Prior {
    /// The `results` entry, and how many results it holds.
    fn render(self) -> Option<(&'static str, usize)> {
        Some(match self {
            Prior::Absent => return None,
            Prior::Block => ("results:\n- message: earlier\n  severity: info\n", 1),
            Prior::FlowEmpty => ("results: []\n", 0),
            Prior::Flow => (
                "results: [{message: earlier, severity: warning}]   # kept\n",
                1,
            ),
            Prior::Empty => ("results:\n", 0),
            Prior::Null => ("results: null\n", 0),
            Prior::NullComment => ("results: ~   # none yet\n", 0),
        })
    }
}

#[derive(Debug, Clone, Copy)]
enum Item {
    /// A target whose container has no env, an empty env, or one entry.
    Target(u8),
    Other,
}

#[derive(Debug, Clone)]
struct List {
    items: Vec<Item>,
    prior: Prior,
    prior_first: bool,
    fn_config: bool,
    final_newline: bool,
    crlf: bool,
}

fn list() -> impl Strategy<Value = List> {
    let item = prop_oneof![(0u8..3).prop_map(Item::Target), Just(Item::Other)];
    let prior = prop_oneof![
        Just(Prior::Absent),
        Just(Prior::Block),
        Just(Prior::FlowEmpty),
        Just(Prior::Flow),
        Just(Prior::Empty),
        Just(Prior::Null),
        Just(Prior::NullComment),
    ];
    (
        prop::collection::vec(item, 1..4),
        prior,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(items, prior, prior_first, fn_config, final_newline, crlf)| List {
                items,
                prior,
                prior_first,
                fn_config,
                final_newline,
                crlf,
            },
        )
}

fn render(l: &List) -> String {
    let mut s = String::from("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n");
    let prior = l.prior.render();
    if let (true, Some((r, _))) = (l.prior_first, prior) {
        s.push_str(r);
    }
    s.push_str("items:\n");
    for (i, it) in l.items.iter().enumerate() {
        match it {
            Item::Target(env) => {
                s.push_str(&format!(
                    "- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: ml-pipeline-ui\n    namespace: ns{i}\n  spec:\n    template:\n      spec:\n        containers:\n        - name: ml-pipeline-ui\n          image: ui\n"
                ));
                match env {
                    0 => {}
                    1 => s.push_str("          env: []\n"),
                    _ => s.push_str("          env:\n          - name: DISABLE_GKE_METADATA\n            value: 'false'\n"),
                }
            }
            Item::Other => s.push_str(&format!(
                "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: c{i}\n  data:\n    mode: |\n      0644\n"
            )),
        }
    }
    if l.fn_config {
        s.push_str("functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cfg\n  data:\n    value: \"true\"\n");
    }
    if let (false, Some((r, _))) = (l.prior_first, prior) {
        s.push_str(r);
    }
    if !l.final_newline {
        s.pop();
    }
    if l.crlf {
        s = s.replace('\n', "\r\n");
    }
    s
}

fn seq<'t, 'a>(n: &Cursor<'t, 'a>) -> Vec<Cursor<'t, 'a>> {
    n.items().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]
    #[test]
    fn results_are_appended_in_place(l in list()) {
        let input = render(&l);
        common::dump_case("results_placement", &input);
        // Lists without a target must still get their results: requireMatch "false".
        let options = Options {
            overrides: disable_gke_metadata::config::Overrides {
                require_match: Some(false),
                ..Default::default()
            },
            ..Options::default()
        };
        let (o, out) = common::run_checked(input.as_bytes(), &options);
        prop_assert_eq!(o.exit_code, 0, "input:\n{}\nstderr: {}", input, o.stderr);
        let out = String::from_utf8(out).unwrap();
        let tree = Tree::parse(Text::new(&out), &Keep::all(), &Limits::default()).expect("output parses");
        let root = tree.cursor(0).expect("a document");
        prop_assert!(root.node().is_map(), "the list is a mapping");
        let entries = root.entries();
        let keys: Vec<&str> = entries.iter().map(|(k, _)| *k).collect();
        // The results are where they were, or last when there were none.
        let at = keys.iter().position(|k| *k == "results").expect("results");
        // A list that ends in a block scalar with no final line break gets new results
        // first: a line after the scalar would change its value.
        let ends_in_block_scalar = !l.final_newline
            && !l.fn_config
            && (l.prior_first || l.prior.render().is_none())
            && matches!(l.items.last(), Some(Item::Other));
        match (l.prior.render(), l.prior_first) {
            (Some(_), true) => prop_assert_eq!(at, 2, "{}", out),
            (None, _) if ends_in_block_scalar => prop_assert_eq!(at, 0, "{}", out),
            _ => prop_assert_eq!(at, keys.len() - 1, "{}", out),
        }
        let results = seq(&entries[at].1);
        let old = l.prior.render().map_or(0, |(_, n)| n);
        let targets = l.items.iter().filter(|i| matches!(i, Item::Target(_))).count();
        // Per target, how it was found (with its version) and the change; else the warning.
        let new = if targets == 0 { 1 } else { 2 * targets };
        prop_assert_eq!(results.len(), old + new, "{}", out);
        for r in &results[..old] {
            prop_assert_eq!(r.str_at("message"), Some("earlier"));
        }
        for r in &results[old..] {
            prop_assert!(r.str_at("message").is_some_and(|m| !m.is_empty()));
        }
        // Every target now reads "true"; every item is still there.
        let items = seq(&root.get("items").expect("items"));
        prop_assert_eq!(items.len(), l.items.len());
        for (it, n) in l.items.iter().zip(items) {
            if let Item::Target(_) = it {
                let c = &seq(&n.get("spec").and_then(|s| s.get("template")).and_then(|t| t.get("spec")).and_then(|s| s.get("containers")).expect("containers"))[0];
                let env = seq(&c.get("env").expect("env"));
                let vars: Vec<_> = env.iter().filter(|e| e.str_at("name") == Some("DISABLE_GKE_METADATA")).collect();
                prop_assert_eq!(vars.len(), 1, "{}", out);
                prop_assert_eq!(vars[0].str_at("value"), Some("true"));
            } else {
                prop_assert_eq!(n.get("data").and_then(|d| d.str_at("mode")), Some("0644\n"));
            }
        }
    }
}
