//! Every input the fuzzers ever failed on (and a few hard layouts they generated), re-run
//! through `run` with exactly the properties the fuzz targets check: `fuzz/src/props.rs` is
//! compiled in here unchanged.
//!
//! Files in `testdata/fuzz-regressions/`, by name prefix:
//! - `whole_path-*`: raw input bytes, no config;
//! - `with_config-*`: config bytes, `\0CONFIG-END\0`, input bytes;
//! - `structured-*`: a generated document (the text the structured target rendered); with
//!   `must-succeed` in its name the function must accept it (exit 0) and make the right edit.

#[allow(dead_code)]
#[path = "../fuzz/src/props.rs"]
mod props;

use std::path::PathBuf;

fn cases() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/fuzz-regressions");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .filter(|(name, _)| !name.starts_with('.') && name != "README.md")
        .collect();
    out.sort();
    out
}

fn check(name: &str, bytes: &[u8]) -> Result<(), String> {
    if name.starts_with("whole_path-") {
        props::check_whole(bytes, None)
    } else if name.starts_with("with_config-") {
        let (config, input) = props::split_config(bytes);
        props::check_whole(input, config)
    } else if name.starts_with("structured-") {
        let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
        props::check_structured(text, name.contains("must-succeed"))
    } else {
        Err("unknown prefix: name it whole_path-*, with_config-* or structured-*".into())
    }
}

#[test]
fn every_fuzz_regression_input_satisfies_the_properties() {
    let cases = cases();
    assert!(!cases.is_empty(), "no regression inputs found");
    let mut failures = Vec::new();
    for (name, bytes) in &cases {
        // A panic inside `run` is a failure too: catch it to report every case at once.
        let r = std::panic::catch_unwind(|| check(name, bytes));
        match r {
            Ok(Ok(())) => {}
            Ok(Err(e)) => failures.push(format!("{name}: {e}")),
            Err(p) => {
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("{name}: panicked: {msg}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} regression inputs fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_checker_catches_a_wrong_edit() {
    // The properties must be able to fail: a target left at "false", a plain `true`, a changed
    // sidecar, and a shifted byte are each caught.
    let input = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: ml-pipeline-ui\n  spec:\n    template:\n      spec:\n        containers:\n        - name: ml-pipeline-ui\n          env:\n          - name: DISABLE_GKE_METADATA\n            value: \"false\"\n        - name: sidecar\n          env:\n          - name: DISABLE_GKE_METADATA\n            value: \"false\"\n";
    let good = input.replacen("value: \"false\"", "value: \"true\"", 1);
    assert_eq!(props::check_default_edit(input, &good), Ok(()));
    assert_eq!(
        props::check_nothing_else_changed(input, &good),
        Ok(props::Semantics::Checked)
    );
    assert!(props::check_default_edit(input, input).is_err());
    let plain = input.replacen("value: \"false\"", "value: true", 1);
    assert!(props::check_default_edit(input, &plain).is_err());
    let both = input.replace("value: \"false\"", "value: \"true\"");
    assert!(props::check_nothing_else_changed(input, &both).is_err());
    let moved = good.replacen("    name: ml-pipeline-ui", "    name: ml-pipeline-uj", 1);
    assert!(props::check_nothing_else_changed(input, &moved).is_err());
}
