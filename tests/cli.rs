//! The binary's contract on stdin: exit 0 or 1 (2 for a usage error), messages on stderr, output
//! on stdout. (Files in place, --diff and --check: tests/cli_files.rs.)

use std::io::Write;
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_disable-gke-metadata"))
}

fn run(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The binary may exit (a usage error, a missing --config) before it reads stdin: a
    // broken pipe here is expected, and what it did is judged by its exit code and output.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn usage_errors_exit_2_with_a_message() {
    let (code, out, err) = run(&["--bogus"], b"");
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("--bogus"), "{err}");
}

#[test]
fn a_missing_config_file_is_named() {
    let (code, out, err) = run(&["--config", "/nonexistent/cfg.yaml"], b"a: 1\n");
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.contains("/nonexistent/cfg.yaml"), "{err}");
}

#[test]
fn help_and_version_exit_0() {
    for flag in ["--help", "--version"] {
        let (code, out, _) = run(&[flag], b"");
        assert_eq!(code, 0, "{flag}");
        assert!(out.contains("disable-gke-metadata") || out.contains("DISABLE_GKE_METADATA"));
    }
}

#[test]
fn config_file_drives_a_plain_stream() {
    let input = std::fs::read("examples/ml-pipeline-ui-2.3.0.yaml").unwrap();
    let (code, out, err) = run(&["--config", "function-config.yaml"], &input);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("- name: DISABLE_GKE_METADATA\n            value: \"true\""));
    assert!(
        err.starts_with("disable-gke-metadata: [info] Deployment ml-pipeline-ui"),
        "{err}"
    );
}
