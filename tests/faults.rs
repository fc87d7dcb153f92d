//! Faults and hostile input, run against the built binary: stdout closed early, read and write
//! errors, nothing on stdout before the output is known good, and every hostile input of
//! `docs/hostile-inputs.md` with its exit code and message.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread;

#[allow(dead_code)]
#[path = "../fuzz/src/props.rs"]
mod props;

use props::Tree;

const BIN: &str = env!("CARGO_BIN_EXE_disable-gke-metadata");

struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

impl Run {
    fn out(&self) -> &str {
        std::str::from_utf8(&self.stdout).expect("stdout is UTF-8")
    }
    fn no_panic(&self) {
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("RUST_BACKTRACE"),
            "panic text on stderr: {}",
            self.stderr
        );
        assert!(
            !self.stderr.contains("overflow"),
            "stack overflow on stderr: {}",
            self.stderr
        );
    }
}

/// Runs the binary with `input` on stdin (fed from a thread, so large inputs cannot deadlock).
fn run_with(input: Vec<u8>, args: &[&str]) -> Run {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the binary");
    let mut stdin = child.stdin.take().unwrap();
    let feeder = thread::spawn(move || {
        // The binary may stop reading early (a refusal): a broken pipe here is fine.
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait for the binary");
    feeder.join().unwrap();
    Run {
        code: out.status.code(),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn run(input: impl Into<Vec<u8>>) -> Run {
    run_with(input.into(), &[])
}

fn hostile(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/hostile")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

/// The ml-pipeline-ui Deployment as a top-level document, with `DISABLE_GKE_METADATA: "false"`.
fn ui_deployment(extra_annotation: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: ml-pipeline-ui
  namespace: kubeflow
  annotations:
    note: {extra_annotation}
spec:
  template:
    spec:
      containers:
      - name: ml-pipeline-ui
        image: gcr.io/ml-pipeline/frontend:2.5.0
        env:
        - name: DISABLE_GKE_METADATA
          value: \"false\"
"
    )
}

fn config_map(i: usize) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n  key: value-{i}\n")
}

/// Indents a document as an item of a ResourceList's `items`.
fn as_item(doc: &str) -> String {
    let mut out = String::new();
    for (i, line) in doc.lines().enumerate() {
        out.push_str(if i == 0 { "- " } else { "  " });
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn resource_list(docs: &[String], function_config: Option<&str>) -> String {
    let mut s = String::from("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n");
    for d in docs {
        s.push_str(&as_item(d));
    }
    if let Some(fc) = function_config {
        s.push_str("functionConfig:\n");
        for line in fc.lines() {
            s.push_str("  ");
            s.push_str(line);
            s.push('\n');
        }
    }
    s
}

/// The value of DISABLE_GKE_METADATA in each targeted container of `text`.
fn target_values(text: &str) -> Vec<(String, String)> {
    let t = Tree::parse(text).expect("output parses");
    let mut out = Vec::new();
    for c in t.target_containers() {
        let env = t.get(c, "env").and_then(|e| t.seq(e)).unwrap_or(&[]);
        for &e in env {
            if t.get(e, "name").and_then(|n| t.scalar(n)) == Some("DISABLE_GKE_METADATA") {
                match t.get(e, "value").map(|v| &t.nodes[v]) {
                    Some(props::Node::Scalar { value, style, .. }) => {
                        out.push((value.clone(), format!("{style:?}")))
                    }
                    other => out.push(("<not a scalar>".into(), format!("{other:?}"))),
                }
            }
        }
    }
    out
}

fn assert_edited(text: &str) {
    let v = target_values(text);
    assert!(!v.is_empty(), "no target found in:\n{text}");
    for (value, style) in v {
        assert_eq!(value, "true", "DISABLE_GKE_METADATA not set in:\n{text}");
        assert_ne!(
            style, "Plain",
            "DISABLE_GKE_METADATA is a plain (bool) true"
        );
    }
}

/// Asserts a refusal: exit 1, a message, no panic, and `stdout` empty.
fn assert_refused_silently(r: &Run, what: &str) {
    r.no_panic();
    assert_eq!(r.code, Some(1), "{what}: exit code; stderr: {}", r.stderr);
    assert!(!r.stderr.trim().is_empty(), "{what}: no message");
    assert!(
        r.stdout.is_empty(),
        "{what}: wrote {} bytes to stdout on refusal",
        r.stdout.len()
    );
}

fn assert_names_position(stderr: &str, line: usize) {
    let want = format!("line {line}");
    assert!(
        stderr.contains(&want) && stderr.contains("column"),
        "message does not name line {line} and a column: {stderr}"
    );
}

// ------------------------------------------------------------------------------------------
// Faults
// ------------------------------------------------------------------------------------------

/// A ResourceList of a few MB, far more than a pipe buffer, with one target.
fn big_resource_list() -> String {
    let mut docs: Vec<String> = (0..60_000).map(config_map).collect();
    docs.push(ui_deployment("x"));
    resource_list(&docs, None)
}

#[test]
fn stdout_closed_early_exits_nonzero_without_panic() {
    // `disable-gke-metadata < big.yaml | head -c 100`
    let input = big_resource_list();
    assert!(input.len() > 4_000_000);
    let mut child = Command::new(BIN)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 100];
    stdout.read_exact(&mut first).expect("the first 100 bytes");
    drop(stdout); // close the read end, as `head -c 100` does
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    feeder.join().unwrap();
    assert!(first.starts_with(b"apiVersion: config.kubernetes.io/v1"));
    assert!(!status.success(), "exit 0 although stdout was closed");
    assert_eq!(
        status.code(),
        Some(1),
        "killed by a signal or odd exit: {status:?}; stderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "panic text: {stderr}");
    assert!(
        !stderr.trim().is_empty(),
        "no message about the write error"
    );
}

#[test]
fn stdin_read_error_exits_1_with_a_message() {
    // A directory as stdin: read(2) fails with EISDIR.
    let dir = File::open("/").unwrap();
    let out = Command::new(BIN)
        .stdin(Stdio::from(dir))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert!(
        stderr.contains("stdin"),
        "message does not say stdin failed: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.stdout.is_empty(), "wrote to stdout after a read error");
}

#[test]
fn stdout_write_error_exits_1_with_a_message() {
    // stdout is /dev/full: every write fails with ENOSPC.
    let full = OpenOptions::new().write(true).open("/dev/full").unwrap();
    let input = resource_list(&[ui_deployment("x")], None);
    let mut child = Command::new(BIN)
        .stdin(Stdio::piped())
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert!(
        stderr.contains("stdout"),
        "message does not say stdout failed: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn control_run_succeeds_so_the_fault_tests_mean_something() {
    // The inputs used above succeed when nothing goes wrong.
    let input = resource_list(&[ui_deployment("x")], None);
    let r = run(input.clone());
    r.no_panic();
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_edited(r.out());
    assert!(r
        .out()
        .starts_with("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"));
}

#[test]
fn bad_config_writes_only_the_complete_list_with_its_error() {
    let fc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: function-input\ndata:\n  policy: sometimes\n";
    let mut docs: Vec<String> = (0..3_000).map(config_map).collect();
    docs.insert(0, ui_deployment("x"));
    let input = resource_list(&docs, Some(fc));
    let r = run(input.clone());
    r.no_panic();
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr.contains("policy"),
        "the message does not name the key: {}",
        r.stderr
    );
    if r.stdout.is_empty() {
        return;
    }
    // Otherwise: the whole input, unedited, plus an error result, and nothing else.
    let out = r.out();
    let out_tree = Tree::parse(out).expect("stdout is one complete YAML document");
    assert_eq!(out_tree.docs.len(), 1);
    let root = out_tree.docs[0];
    let results = out_tree
        .get(root, "results")
        .and_then(|x| out_tree.seq(x))
        .expect("results");
    assert!(results.iter().any(|&res| out_tree
        .get(res, "severity")
        .and_then(|s| out_tree.scalar(s))
        == Some("error")));
    assert_eq!(
        props::check_nothing_else_changed(&input, out),
        Ok(props::Semantics::Checked)
    );
    // The env was not edited.
    assert_eq!(
        target_values(out),
        vec![("false".to_string(), "DoubleQuoted".to_string())]
    );
    // Every input byte is there, in order (only insertions).
    let mut at = 0;
    for b in input.bytes() {
        match out.as_bytes()[at..].iter().position(|&c| c == b) {
            Some(p) => at += p + 1,
            None => panic!("stdout lost input bytes"),
        }
    }
}

#[test]
fn malformed_last_document_of_a_stream_writes_nothing() {
    // A valid, editable first document, 100 kB of valid documents (more than any stdout
    // buffer), then a malformed last document: nothing may reach stdout.
    let mut s = ui_deployment("x");
    for i in 0..2_000 {
        s.push_str("---\n");
        s.push_str(&config_map(i));
    }
    let lines_before = s.lines().count() + 1; // the `---` line
    s.push_str(
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata: {a: [1, 2}\n",
    );
    let r = run(s);
    assert_refused_silently(&r, "malformed last document");
    assert_names_position(&r.stderr, lines_before + 5);
}

#[test]
fn malformed_end_of_a_resource_list_writes_nothing() {
    let mut docs: Vec<String> = (0..2_000).map(config_map).collect();
    docs.insert(0, ui_deployment("x"));
    let mut s = resource_list(&docs, None);
    s.push_str("functionConfig: {apiVersion: v1, kind: ConfigMap, data: {value: \"true\"]\n");
    let r = run(s);
    assert_refused_silently(&r, "malformed ResourceList tail");
    assert!(
        r.stderr.contains("line ") && r.stderr.contains("column"),
        "{}",
        r.stderr
    );
}

#[cfg(feature = "fault-injection")]
#[test]
#[allow(clippy::field_reassign_with_default)]
fn a_corrupted_splice_is_refused_by_verification() {
    use disable_gke_metadata::Options;
    let input = resource_list(&[ui_deployment("x")], None);
    // Without the fault: success, so the refusal below comes from the fault.
    let good = disable_gke_metadata::run(input.as_bytes(), &Options::default());
    assert_eq!(good.exit_code, 0, "{}", good.stderr);
    let mut options = Options::default();
    options.inject_bad_splice = true;
    let bad = disable_gke_metadata::run(input.as_bytes(), &options);
    assert_eq!(bad.exit_code, 1, "a corrupted splice was not refused");
    assert!(bad.stderr.contains("verif"), "{}", bad.stderr);
    let out = bad.output(input.as_bytes());
    let out = String::from_utf8(out).unwrap();
    assert!(
        !out.contains("\"x"),
        "the corrupted text reached the output"
    );
    if !out.is_empty() {
        // The list, unedited, with the error result.
        assert_eq!(
            target_values(&out),
            vec![("false".to_string(), "DoubleQuoted".to_string())]
        );
    }
    props::check_outcome(input.as_bytes(), &bad).unwrap();
}

// ------------------------------------------------------------------------------------------
// Hostile inputs (docs/hostile-inputs.md)
// ------------------------------------------------------------------------------------------

#[test]
fn empty_input_is_refused() {
    let r = run(hostile("34-empty.yaml"));
    assert_refused_silently(&r, "empty input");
    assert!(r.stderr.contains("empty input"), "{}", r.stderr);
}

#[test]
fn only_comments_is_refused_like_empty_input() {
    // Exit 0 with no document would make kpt delete the whole package.
    let r = run(hostile("35-only-comments.yaml"));
    assert_refused_silently(&r, "only comments");
}

#[test]
fn whitespace_and_separators_only_are_refused() {
    for input in ["\n\n  \n", "---\n", "---\n...\n", "---\n---\n"] {
        let r = run(input);
        r.no_panic();
        assert_eq!(r.code, Some(1), "{input:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{input:?}: stdout {:?}", r.out());
    }
}

#[test]
fn malformed_yaml_names_line_and_column() {
    let r = run("apiVersion: v1\nkind: List\nitems:\n- a: [1, 2\nb: c\n");
    assert_refused_silently(&r, "malformed YAML");
    assert!(r.stderr.contains("malformed YAML"), "{}", r.stderr);
    assert_names_position(&r.stderr, 5);
}

#[test]
fn tab_indentation_names_line_and_column() {
    let r = run("apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n");
    assert_refused_silently(&r, "tab indentation");
    assert_names_position(&r.stderr, 4);
}

#[test]
fn non_utf8_names_the_byte_position() {
    let r = run(hostile("30-non-utf8.yaml"));
    assert_refused_silently(&r, "non-UTF-8");
    assert!(r.stderr.contains("UTF-8"), "{}", r.stderr);
    assert_names_position(&r.stderr, 6);
}

#[test]
fn non_utf8_in_a_comment_is_refused_too() {
    let mut input = resource_list(&[ui_deployment("x")], None).into_bytes();
    input.extend_from_slice(b"# caf\xe9\n");
    let r = run(input);
    assert_refused_silently(&r, "non-UTF-8 comment");
    assert!(r.stderr.contains("UTF-8"), "{}", r.stderr);
}

#[test]
fn bom_is_kept_and_the_edit_still_happens() {
    // No target in this file: requireMatch "false" lets it pass unchanged.
    let config = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("require-match-false.yaml");
    std::fs::write(
        &config,
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  requireMatch: \"false\"\n",
    )
    .expect("write the config");
    let config = config.to_str().expect("a UTF-8 path");
    let r = run_with(hostile("29-bom.yaml"), &["--config", config]);
    r.no_panic();
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        r.stdout,
        hostile("29-bom.yaml"),
        "a BOM file with no target must come back unchanged"
    );

    let mut input = "\u{feff}".to_string();
    input.push_str(&resource_list(&[ui_deployment("x")], None));
    let r = run(input);
    r.no_panic();
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.out().starts_with("\u{feff}apiVersion"),
        "the BOM was dropped"
    );
    assert_edited(r.out().trim_start_matches('\u{feff}'));
}

#[test]
fn duplicate_keys_are_refused_naming_both_positions() {
    let r = run(hostile("18-duplicate-keys.yaml"));
    assert_refused_silently(&r, "duplicate keys");
    assert!(r.stderr.contains("duplicate key"), "{}", r.stderr);
    assert_names_position(&r.stderr, 8);
    assert!(
        r.stderr.contains("line 6"),
        "first occurrence not named: {}",
        r.stderr
    );
}

#[test]
fn duplicate_keys_in_a_resource_list_return_the_list_with_an_error_or_nothing() {
    let dup = ui_deployment("x").replace(
        "  namespace: kubeflow\n",
        "  namespace: kubeflow\n  namespace: other\n",
    );
    let r = run(resource_list(&[dup], None));
    r.no_panic();
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("duplicate key"), "{}", r.stderr);
    if !r.stdout.is_empty() {
        assert!(r.out().contains("severity: error"));
    }
}

#[test]
fn alias_bomb_is_refused_naming_the_limit() {
    let r = run(hostile("32-alias-bomb.yaml"));
    assert_refused_silently(&r, "alias bomb");
    assert!(r.stderr.contains("max_alias_expansion"), "{}", r.stderr);
    assert!(r.stderr.contains("line "), "{}", r.stderr);
}

#[test]
fn deep_flow_nesting_is_refused_without_stack_overflow() {
    let input = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let r = run(input);
    assert_refused_silently(&r, "100,000-deep flow nesting");
    assert!(r.stderr.contains("nesting"), "{}", r.stderr);
    assert_names_position(&r.stderr, 1);
}

#[test]
fn deep_block_sequences_are_refused_naming_max_depth() {
    let input = format!("{}x\n", "- ".repeat(100_000));
    let r = run(input);
    assert_refused_silently(&r, "100,000-deep compact sequences");
    assert!(r.stderr.contains("max_depth"), "{}", r.stderr);
    assert_names_position(&r.stderr, 1);
}

#[test]
fn deep_block_mappings_are_refused_naming_max_depth() {
    let mut input = String::new();
    for i in 0..3_000 {
        input.push_str(&" ".repeat(i));
        input.push_str(&format!("k{i}:\n"));
    }
    let r = run(input);
    assert_refused_silently(&r, "3,000-deep block mappings");
    assert!(r.stderr.contains("max_depth"), "{}", r.stderr);
}

#[test]
fn real_depth_is_accepted() {
    // The deepest real CRD nests about 43 levels: 60 levels must pass.
    let mut nested = String::from("x");
    for i in 0..60 {
        nested = format!("{{k{i}: {nested}}}");
    }
    let dep =
        ui_deployment("x").replace("  template:\n", &format!("  deep: {nested}\n  template:\n"));
    let r = run(resource_list(&[dep], None));
    r.no_panic();
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_edited(r.out());
}

#[test]
fn long_lines_are_kept_byte_for_byte() {
    let long = "x".repeat(4_000);
    let long30k: String = (0..3_000).map(|i| format!("word{i:05} ")).collect();
    let input = resource_list(
        &[ui_deployment(&long), ui_deployment(&format!("'{long30k}'"))],
        None,
    );
    let r = run(input.clone());
    r.no_panic();
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_edited(r.out());
    assert!(r.out().contains(&format!("    note: {long}\n")));
    assert!(r.out().contains(&format!("'{long30k}'")));
}

#[test]
fn crlf_is_kept() {
    let input = resource_list(&[ui_deployment("x")], None).replace('\n', "\r\n");
    let r = run(input);
    r.no_panic();
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        !r.out().replace("\r\n", "").contains('\n'),
        "a bare LF was written into a CRLF file"
    );
    assert_edited(r.out());
}

#[test]
fn items_not_a_list_is_refused() {
    for (items, line) in [
        ("items:\n  a: b\n", 4),
        ("items: 3\n", 3),
        ("items: {a: b}\n", 3),
    ] {
        let input = format!("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n{items}");
        let r = run(input);
        r.no_panic();
        assert_eq!(r.code, Some(1), "{items:?}: {}", r.stderr);
        assert!(r.stderr.contains("items"), "{}", r.stderr);
        assert_names_position(&r.stderr, line);
    }
}

#[test]
fn item_without_kind_is_left_alone() {
    let input = resource_list(
        &[
            "apiVersion: v1\nmetadata:\n  name: no-kind\n".to_string(),
            ui_deployment("x"),
        ],
        None,
    );
    let r = run(input.clone());
    r.no_panic();
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_edited(r.out());
    assert!(r
        .out()
        .starts_with(&input[..input.find("- apiVersion: apps/v1").unwrap()]));
}

#[test]
fn unknown_function_config_kind_is_an_error_result() {
    let fc = "apiVersion: example.com/v1\nkind: Frobnicate\nmetadata:\n  name: f\n";
    let input = resource_list(&[ui_deployment("x")], Some(fc));
    let r = run(input.clone());
    r.no_panic();
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr.contains("Frobnicate"),
        "the message does not name the kind: {}",
        r.stderr
    );
    // The list comes back unedited, with the error result.
    assert!(r.out().starts_with(&input), "the input is not kept as is");
    assert!(r.out()[input.len()..].contains("severity: error"));
    assert_eq!(
        target_values(r.out()),
        vec![("false".to_string(), "DoubleQuoted".to_string())]
    );
}

#[test]
fn a_scalar_or_a_sequence_at_the_top_is_handled() {
    for input in ["just a string\n", "- a\n- b\n", "42\n", "~\n"] {
        let r = run(input);
        r.no_panic();
        assert!(
            matches!(r.code, Some(0) | Some(1)),
            "{input:?}: {:?}",
            r.code
        );
        if r.code == Some(0) {
            assert_eq!(r.out(), input, "a non-object input was changed");
        } else {
            assert!(!r.stderr.trim().is_empty());
        }
    }
}

#[test]
fn edit_tricky_layouts_are_not_broken() {
    // Not a target (no Deployment): must come back byte for byte, or be refused with a reason.
    let input = hostile("edit-tricky.yaml");
    let r = run(input.clone());
    r.no_panic();
    match r.code {
        Some(0) => assert_eq!(r.stdout, input),
        Some(1) => assert!(!r.stderr.trim().is_empty()),
        c => panic!("exit {c:?}"),
    }
}

#[test]
#[allow(clippy::field_reassign_with_default)]
fn input_size_limit_names_the_limit() {
    use disable_gke_metadata::{Limits, Options};
    let input = resource_list(&[ui_deployment("x")], None);
    let mut options = Options::default();
    options.limits = Limits {
        max_input_bytes: 100,
        ..Limits::default()
    };
    let o = disable_gke_metadata::run(input.as_bytes(), &options);
    assert_eq!(o.exit_code, 1);
    assert!(o.stderr.contains("max_input_bytes"), "{}", o.stderr);
    assert!(o.output(input.as_bytes()).is_empty());
    // And the same input under the default limits passes.
    assert_eq!(
        disable_gke_metadata::run(input.as_bytes(), &Options::default()).exit_code,
        0
    );
}

#[test]
fn limits_defaults_leave_room_for_real_manifests() {
    let l = disable_gke_metadata::Limits::default();
    assert!(
        l.max_input_bytes >= 200 << 20,
        "a 100 MB list must fit: {l:?}"
    );
    assert!(l.max_depth >= 64, "real CRDs nest ~43 levels: {l:?}");
    assert!(l.max_alias_expansion >= 10_000, "{l:?}");
}
