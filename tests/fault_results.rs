//! The results splice is verified where it lands, with the edits around it: a results block
//! one column off, or placed before the last item's new lines, is refused.
#![cfg(feature = "fault-injection")]

use disable_gke_metadata::{run, Options};

#[test]
fn misplaced_results_are_refused() {
    for input in [
        // Added as a new key after the last item.
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: x\n",
        // Appended to results already there.
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nresults:\n- message: earlier\n  severity: info\n",
    ] {
        // No target here: with requireMatch false the run succeeds with a warning result,
        // which is what the fault moves.
        let lenient = || Options {
            overrides: disable_gke_metadata::config::Overrides {
                require_match: Some(false),
                ..Default::default()
            },
            ..Options::default()
        };
        let good = run(input.as_bytes(), &lenient());
        assert_eq!(good.exit_code, 0, "{}", good.stderr);
        assert_refused(
            input,
            Options {
                inject_bad_results: true,
                ..lenient()
            },
        );
    }
}

#[test]
fn results_before_the_last_items_new_lines_are_refused() {
    // The target is the last item and has no env, and the text has no final line break:
    // its new lines and the results are both inserted at the end of the text, and only one
    // order is right.
    let input = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: ml-pipeline-ui\n  spec:\n    template:\n      spec:\n        containers:\n        - name: ml-pipeline-ui\n          image: x";
    let good = run(input.as_bytes(), &Options::default());
    assert_eq!(good.exit_code, 0, "{}", good.stderr);
    let out = String::from_utf8(good.output(input.as_bytes())).unwrap();
    let edit = out.find("name: DISABLE_GKE_METADATA").expect("the edit");
    let results = out.find("\nresults:").expect("the results");
    assert!(edit < results, "{out}");
    assert_refused(
        input,
        Options {
            inject_results_before_edits: true,
            ..Options::default()
        },
    );
}

/// The fault must be caught by verification: exit 1, and the input list written back
/// unedited: with only the error result added, or as it came when results themselves could
/// not be added.
fn assert_refused(input: &str, options: Options) {
    let bad = run(input.as_bytes(), &options);
    assert_eq!(
        bad.exit_code, 1,
        "wrongly placed results were written:\n{input}"
    );
    assert!(
        bad.stderr.contains("does not read as planned"),
        "{}",
        bad.stderr
    );
    if bad.emit {
        let out = String::from_utf8(bad.output(input.as_bytes())).unwrap();
        assert!(
            out.starts_with(input),
            "the input list is not intact:\n{out}"
        );
        let added = &out[input.len()..];
        assert!(!added.contains("DISABLE_GKE_METADATA\n"), "{out}");
        assert!(
            added.is_empty() || added.contains("severity: error"),
            "{out}"
        );
    }
}
