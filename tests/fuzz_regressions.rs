//! Every input the fuzzers ever failed on (and a few hard layouts they generated), re-run
//! through `run` with exactly the properties the fuzz targets check: `fuzz/src/props.rs` is
//! compiled in here unchanged.
//!
//! Files in `testdata/fuzz-regressions/`, by name prefix:
//! - `whole_path-*`: raw input bytes, no config;
//! - `with_config-*`: config bytes, `\0CONFIG-END\0`, input bytes;
//! - `structured-*`: a generated document (the text the structured target rendered); with
//!   `must-succeed` in its name the function must accept it (exit 0) and make the right edit,
//!   unless the checker itself sees a reason to refuse.
//!
//! A `NAME.config.yaml` beside an input is the config `oracle/run-corpus.sh` passes with it
//! (`requireMatch: "false"` for the lists that hold no target); the checks here run the
//! default config, where refusing such a list is legitimate.
//!
//! `testdata/fuzz-regressions/KNOWN-ISSUE-9` lists (one file name a line, `#` comments) the
//! inputs that today's engine still fails, each a class of issue 9: they must keep failing
//! until the engine is fixed, and the test fails as soon as one passes, so that the list only
//! shrinks.
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
        // NAME.config.yaml is a config for oracle/run-corpus.sh, not an input.
        .filter(|(name, _)| {
            !name.starts_with('.')
                && name != "README.md"
                && name != KNOWN
                && !name.ends_with(".config.yaml")
        })
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

/// The file listing the inputs today's engine still fails (issue 9).
const KNOWN: &str = "KNOWN-ISSUE-9";

fn known_failures() -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/fuzz-regressions")
        .join(KNOWN);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Vec::new();
    };
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn check_caught(name: &str, bytes: &[u8]) -> Result<(), String> {
    // A panic inside `run` is a failure too: catch it to report every case at once.
    match std::panic::catch_unwind(|| check(name, bytes)) {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(format!("panicked: {msg}"))
        }
    }
}

#[test]
fn every_fuzz_regression_input_satisfies_the_properties() {
    let cases = cases();
    assert!(!cases.is_empty(), "no regression inputs found");
    let known = known_failures();
    for k in &known {
        assert!(
            cases.iter().any(|(name, _)| name == k),
            "{KNOWN} lists {k}, which is not in testdata/fuzz-regressions/"
        );
    }
    let mut failures = Vec::new();
    let mut fixed = Vec::new();
    for (name, bytes) in &cases {
        let r = check_caught(name, bytes);
        match (r, known.contains(name)) {
            (Ok(()), false) | (Err(_), true) => {}
            (Err(e), false) => failures.push(format!("{name}: {e}")),
            (Ok(()), true) => fixed.push(name.clone()),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} regression inputs fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
    assert!(
        fixed.is_empty(),
        "listed in testdata/fuzz-regressions/{KNOWN} but passing now: remove them from the list:\n{}",
        fixed.join("\n")
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

// ---------------------------------------------------------------------------
// The third-round rules (issue 9) must be able to fail too: each test below gives the
// checker a wrong run, written by hand, and expects it caught.
// ---------------------------------------------------------------------------

const SHARED: &str = "apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: ml-pipeline-ui
  spec:
    template:
      spec:
        containers: &cs
        - name: ml-pipeline-ui
          env: []
- apiVersion: apps/v1
  kind: StatefulSet
  metadata:
    name: ml-pipeline-ui
  spec:
    template:
      spec:
        containers: *cs
";

#[test]
fn the_checker_catches_a_non_target_changed_through_a_shared_anchor() {
    let edited = SHARED.replacen(
        "env: []",
        "env: [{name: DISABLE_GKE_METADATA, value: \"true\"}]",
        1,
    );
    // The target reads right...
    assert_eq!(props::check_default_edit(SHARED, &edited), Ok(()));
    // ...but the StatefulSet changed with it.
    let e = props::judge_run(SHARED, 0, &edited, "", true).unwrap_err();
    assert!(
        e.contains("non-target object 1 (StatefulSet ml-pipeline-ui) changed"),
        "{e}"
    );
    // A refusal is right, and must name both objects.
    assert_eq!(
        props::judge_run(
            SHARED,
            1,
            "",
            "error: Deployment ml-pipeline-ui: containers are shared with StatefulSet ml-pipeline-ui",
            true
        ),
        Ok(())
    );
    let e = props::judge_run(SHARED, 1, "", "error: containers are shared", true).unwrap_err();
    assert!(e.contains("without naming both objects"), "{e}");
}

#[test]
fn the_checker_requires_an_edit_shared_only_by_targets() {
    let both = SHARED.replace("kind: StatefulSet", "kind: Deployment").replace(
        "  metadata:\n    name: ml-pipeline-ui\n  spec:\n    template:\n      spec:\n        containers: *cs",
        "  metadata:\n    name: ml-pipeline-ui\n    namespace: b\n  spec:\n    template:\n      spec:\n        containers: *cs",
    );
    let t = props::Tree::parse(&both).unwrap();
    assert_eq!(
        t.target_containers().len(),
        2,
        "a target reached through an alias is found"
    );
    let e = props::judge_run(&both, 1, "", "error: containers are anchored", true).unwrap_err();
    assert!(e.contains("refused a layout it must handle"), "{e}");
    let edited = both.replacen(
        "env: []",
        "env: [{name: DISABLE_GKE_METADATA, value: \"true\"}]",
        1,
    );
    assert_eq!(props::judge_run(&both, 0, &edited, "", true), Ok(()));
}

#[test]
fn the_checker_reads_identity_through_merge_keys_and_any_key_spelling() {
    let input = "apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: &m {name: ml-pipeline-ui}
- apiVersion: apps/v1
  \"kin\\x64\": Deployment
  metadata:
    <<: *m
  spec:
    template:
      spec:
        !!str containers:
        - 'name': ml-pipeline-ui
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    <<: *m
    name: other
  spec:
    template:
      spec:
        containers:
        - name: ml-pipeline-ui
";
    let t = props::Tree::parse(input).unwrap();
    assert_eq!(t.target_containers().len(), 1);
    // Saying there is no target is wrong.
    let e = props::judge_run(input, 0, input, "", true).unwrap_err();
    assert!(e.contains("the edit is wrong"), "{e}");
}

#[test]
fn the_checker_catches_duplicate_keys_in_any_spelling() {
    let input = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: ml-pipeline-ui
spec:
  template:
    spec:
      containers:
      - name: ml-pipeline-ui
        env: [{name: DISABLE_GKE_METADATA, value: \"true\"}]
        !!str env: [{name: DISABLE_GKE_METADATA, value: \"false\"}]
";
    let e = props::judge_run(input, 0, input, "", true).unwrap_err();
    assert!(e.contains("duplicate keys"), "{e}");
    // A refusal is what it must do.
    assert_eq!(
        props::judge_run(input, 1, "", "error: duplicate key", true),
        Ok(())
    );
}

#[test]
fn the_checker_reads_nel_as_a_yaml_1_1_reader_does() {
    // To YAML 1.1 readers the comment ends at NEL and `env: []` is a key.
    let input = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: ml-pipeline-ui
spec:
  template:
    spec:
      containers:
      - name: ml-pipeline-ui
        # note\u{85}        env: []
        image: x
";
    let appended = input.replace(
        "        image: x\n",
        "        image: x\n        env:\n        - name: DISABLE_GKE_METADATA\n          value: \"true\"\n",
    );
    // Right for YAML 1.2 readers, a duplicate `env` for YAML 1.1 readers.
    assert_eq!(props::check_default_edit(input, &appended), Ok(()));
    let e = props::judge_run(input, 0, &appended, "", true).unwrap_err();
    assert!(e.contains("YAML 1.1"), "{e}");
    // A refusal naming the place is right; one that does not is not.
    assert_eq!(
        props::judge_run(input, 1, "", "error: NEL at line 10, column 15", true),
        Ok(())
    );
    let e = props::judge_run(input, 1, "", "error: NEL", true).unwrap_err();
    assert!(e.contains("line and column"), "{e}");
}

// requireMatch "false": a list with no target passes (issue 11), so that these runs show
// layout alone.
const RL_NULL_END: &str = "apiVersion: config.kubernetes.io/v1
kind: ResourceList
functionConfig:
  apiVersion: v1
  kind: ConfigMap
  data:
    requireMatch: \"false\"
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: cloudsql-proxy
  spec:
    template:
      spec:
        volumes:
        - name: data
          emptyDir:
";

#[test]
fn the_checker_requires_results_whatever_the_list_ends_with() {
    let good = format!("{RL_NULL_END}results:\n- message: no target\n  severity: warning\n");
    assert_eq!(props::judge_run(RL_NULL_END, 0, &good, "", true), Ok(()));
    // Refused with nothing on stdout: kpt fails the whole render.
    let e = props::judge_run(RL_NULL_END, 1, "", "error: cannot add results", false).unwrap_err();
    assert!(e.contains("without writing it back"), "{e}");
    // The list comes back whole, with an error result.
    let refused = format!("{RL_NULL_END}results:\n- message: refused\n  severity: error\n");
    assert_eq!(
        props::judge_run(RL_NULL_END, 1, &refused, "error: x", false),
        Ok(())
    );
    let e = props::judge_run(RL_NULL_END, 1, &good, "error: x", false).unwrap_err();
    assert!(e.contains("severity error"), "{e}");
    // A stray blank line, a lost final line break.
    let blank = format!("{RL_NULL_END}\nresults:\n- message: no target\n  severity: warning\n");
    let e = props::judge_run(RL_NULL_END, 0, &blank, "", true).unwrap_err();
    assert!(e.contains("blank line"), "{e}");
    let e = props::judge_run(RL_NULL_END, 0, good.trim_end(), "", true).unwrap_err();
    assert!(e.contains("final line break"), "{e}");
}

#[test]
fn the_checker_wants_json_back_for_json() {
    // requireMatch "false": a list with no target passes (issue 11).
    let input = r#"{"apiVersion":"config.kubernetes.io/v1","kind":"ResourceList","functionConfig":{"kind":"ConfigMap","data":{"requireMatch":"false"}},"items":[]}"#;
    let yaml = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig: {kind: ConfigMap, data: {requireMatch: \"false\"}}\nitems: []\nresults: [{message: m, severity: info}]\n";
    let e = props::judge_run(input, 0, yaml, "", true).unwrap_err();
    assert!(e.contains("JSON"), "{e}");
    let json = r#"{"apiVersion":"config.kubernetes.io/v1","kind":"ResourceList","functionConfig":{"kind":"ConfigMap","data":{"requireMatch":"false"}},"items":[],"results":[{"message":"m","severity":"info"}]}"#;
    assert_eq!(props::judge_run(input, 0, json, "", true), Ok(()));
}

// ---------------------------------------------------------------------------
// Minimizing a finding (a tool, not a test):
//   MINIMIZE=path/to/structured-x.yaml cargo test --test fuzz_regressions minimize \
//     -- --ignored --nocapture
// removes lines (and for raw inputs, bytes) while the same check fails the same way (its
// first line, digits folded), and writes the result next to the input as `*.min`.
// ---------------------------------------------------------------------------

/// Delta debugging over `units`: keeps removing chunks while `fails` holds.
fn ddmin<T: Clone>(mut units: Vec<T>, fails: &dyn Fn(&[T]) -> bool) -> Vec<T> {
    let mut chunk = units.len().div_ceil(2).max(1);
    loop {
        let mut removed = false;
        let mut i = 0;
        while i < units.len() {
            let mut trial = units.clone();
            trial.drain(i..(i + chunk).min(units.len()));
            if !trial.is_empty() && fails(&trial) {
                units = trial;
                removed = true;
            } else {
                i += chunk;
            }
        }
        if chunk == 1 && !removed {
            return units;
        }
        if !removed {
            chunk = chunk.div_ceil(2);
        }
    }
}

#[test]
#[ignore = "a tool: set MINIMIZE=path"]
fn minimize() {
    let Some(path) = std::env::var_os("MINIMIZE") else {
        return;
    };
    let path = PathBuf::from(path);
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let bytes = std::fs::read(&path).unwrap();
    let class = match check_caught(&name, &bytes) {
        Ok(()) => panic!("{name} passes: nothing to minimize"),
        Err(e) => props::failure_class(&e),
    };
    println!("class: {class}");
    let same =
        |b: &[u8]| matches!(check_caught(&name, b), Err(e) if props::failure_class(&e) == class);
    // Lines first (keeping each line's break), then bytes for raw inputs.
    let lines: Vec<Vec<u8>> = bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    let lines = ddmin(lines, &|ls: &[Vec<u8>]| same(&ls.concat()));
    let mut out = lines.concat();
    let byte_limit = std::env::var("MINIMIZE_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4096);
    if !name.starts_with("structured-") && out.len() <= byte_limit {
        out = ddmin(out, &|b: &[u8]| same(b));
    }
    let dest = path.with_extension(format!(
        "{}.min",
        path.extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    std::fs::write(&dest, &out).unwrap();
    println!("{} -> {} bytes: {}", bytes.len(), out.len(), dest.display());
}
