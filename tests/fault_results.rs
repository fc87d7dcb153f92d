//! The results splice is verified where it lands: a results block one column off is refused.
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
        let good = run(input.as_bytes(), &Options::default());
        assert_eq!(good.exit_code, 0, "{}", good.stderr);
        let bad = run(
            input.as_bytes(),
            &Options {
                inject_bad_results: true,
                ..Options::default()
            },
        );
        assert_eq!(bad.exit_code, 1, "misplaced results were written:\n{input}");
        assert!(bad.stderr.contains("cannot add results"), "{}", bad.stderr);
        assert!(!bad.emit);
    }
}
