//! The command line (issue 12), against the built binary: files and directories edited in
//! place on a copy of a real manifests tree (`testdata/in-place/`), `--diff` applied with
//! `git apply`, `--check`, all-or-none writes (an unwritable file, a refused file, a fault
//! injected between planning and writing), exit codes, the terminal hint, a closed stdout,
//! `--help`, and flags over `--config`.

#![cfg(unix)]

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_disable-gke-metadata");
const DEPLOYMENT_PATCH: &str =
    "applications/pipeline/upstream/base/installs/multi-user/pipelines-ui/deployment-patch.yaml";
const GCP_PATCH: &str = "applications/pipeline/upstream/env/gcp/gcp-configurations-patch.yaml";
const UI_DEPLOYMENT: &str =
    "applications/pipeline/upstream/base/pipeline/ml-pipeline-ui-deployment.yaml";

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/in-place")
}

struct Run {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

impl Run {
    fn out(&self) -> String {
        String::from_utf8(self.stdout.clone()).expect("stdout is UTF-8")
    }
}

fn run_in(dir: &Path, args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env_remove("DISABLE_GKE_METADATA_TEST_FAULT");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn the binary");
    let mut input = child.stdin.take().unwrap();
    let bytes = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&bytes);
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    let r = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    r
}

fn run(dir: &Path, args: &[&str]) -> Run {
    run_in(dir, args, b"", &[])
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dgm-cli-files-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if e.file_type().unwrap().is_dir() {
            copy_tree(&src, &dst);
        } else {
            fs::copy(&src, &dst).unwrap();
        }
    }
}

/// A copy of the real tree, with a hidden directory and a Kptfile that hold a target (neither
/// is walked).
fn fresh_tree(name: &str) -> PathBuf {
    let d = scratch(name);
    copy_tree(&testdata().join("tree"), &d);
    let hidden = d.join(".github/workflows");
    fs::create_dir_all(&hidden).unwrap();
    fs::copy(
        d.join(DEPLOYMENT_PATCH),
        hidden.join("deployment-patch.yaml"),
    )
    .unwrap();
    fs::copy(d.join(DEPLOYMENT_PATCH), d.join("Kptfile")).unwrap();
    d
}

/// Every file under `dir` (hidden ones included) and its bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, m: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                if e.file_name() != ".git" {
                    walk(root, &p, m);
                }
            } else {
                m.insert(
                    p.strip_prefix(root).unwrap().to_path_buf(),
                    fs::read(&p).unwrap(),
                );
            }
        }
    }
    let mut m = BTreeMap::new();
    walk(dir, dir, &mut m);
    m
}

/// `after` is `before` with exactly the expected files changed, as expected.
fn assert_fixed(before: &BTreeMap<PathBuf, Vec<u8>>, after: &BTreeMap<PathBuf, Vec<u8>>) {
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "the file set changed (a temporary file left behind?)"
    );
    for (p, old) in before {
        let want = match p.to_str() {
            Some(DEPLOYMENT_PATCH) | Some(GCP_PATCH) => {
                fs::read(testdata().join("expected").join(p)).unwrap()
            }
            _ => old.clone(),
        };
        assert!(after[p] == want, "{} is not as expected", p.display());
    }
}

fn git(dir: &Path, args: &[&str], stdin: &[u8]) {
    let mut child = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("git");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn in_place_changes_only_the_target_lines() {
    let d = fresh_tree("in-place");
    let before = files(&d);
    let r = run(&d, &["--value", "true", "."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert_fixed(&before, &files(&d));
    for want in [
        format!("disable-gke-metadata: changed {DEPLOYMENT_PATCH}\n"),
        format!("disable-gke-metadata: changed {GCP_PATCH}\n"),
        format!("disable-gke-metadata: {GCP_PATCH}: [info] Deployment ml-pipeline-ui"),
        "experimental/helm/charts/notebook-controller: left alone: 2 Helm templates".into(),
        "webhook/manifests.yaml: left alone: empty input".into(),
        "13 files: 2 changed, 8 unchanged (7 without a target), 3 left alone".into(),
    ] {
        assert!(r.stderr.contains(&want), "{want:?} not in:\n{}", r.stderr);
    }
    assert!(!r.stderr.contains(".github"), "{}", r.stderr);
    // Again: nothing left to do, nothing written.
    let once = files(&d);
    let r = run(&d, &["."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains(": 0 changed"), "{}", r.stderr);
    assert_eq!(files(&d), once);
    // A file named as a PATH is processed whatever its name; a directory named twice once.
    let r = run(&d, &["-q", "Kptfile", ".", UI_DEPLOYMENT]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.is_empty(), "--quiet: {}", r.stderr);
    assert_ne!(
        fs::read(d.join("Kptfile")).unwrap(),
        once[Path::new("Kptfile")]
    );
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn diff_applies_with_git_apply_and_writes_nothing() {
    let d = fresh_tree("diff");
    git(&d, &["init", "-q"], b"");
    git(&d, &["add", "-A"], b"");
    git(&d, &["commit", "-qm", "before"], b"");
    let before = files(&d);
    let r = run(&d, &["--diff", "."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(files(&d), before, "--diff wrote a file");
    let patch = r.out();
    assert!(
        patch.starts_with(&format!(
            "diff --git a/{DEPLOYMENT_PATCH} b/{DEPLOYMENT_PATCH}\n--- a/{DEPLOYMENT_PATCH}\n"
        )),
        "{patch}"
    );
    assert_eq!(patch.matches("diff --git").count(), 2, "{patch}");
    assert!(patch.contains("\\ No newline at end of file"), "{patch}");
    git(&d, &["apply", "--check", "-"], patch.as_bytes());
    git(&d, &["apply", "-"], patch.as_bytes());
    assert_fixed(&before, &files(&d));
    // Named by an absolute path from inside the tree, the headers are still relative.
    git(&d, &["checkout", "-q", "."], b"");
    let abs = run(&d, &["--diff", d.to_str().unwrap()]);
    assert_eq!(abs.out(), patch);
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn check_exits_1_before_and_0_after() {
    let d = fresh_tree("check");
    let before = files(&d);
    let r = run(&d, &["--check", "."]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr
            .contains(&format!("disable-gke-metadata: would change {GCP_PATCH}\n")),
        "{}",
        r.stderr
    );
    assert_eq!(files(&d), before, "--check wrote a file");
    // --check --diff: the diff too, same code.
    let r = run(&d, &["--check", "--diff", "-q", "."]);
    assert_eq!(r.code, 1);
    assert!(r.out().starts_with("diff --git"));
    assert_eq!(run(&d, &["."]).code, 0);
    let r = run(&d, &["--check", "."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("would change "), "{}", r.stderr);
    let _ = fs::remove_dir_all(&d);
}

/// Makes a file unwritable for this process, by the means the platform and user allow:
/// read-only mode (not enough for root), then the immutable attribute (root on most
/// filesystems). Undone on drop.
struct Unwritable {
    path: PathBuf,
    immutable: bool,
}

impl Unwritable {
    fn new(path: &Path) -> Option<Unwritable> {
        fs::set_permissions(path, fs::Permissions::from_mode(0o444)).unwrap();
        let mut u = Unwritable {
            path: path.to_path_buf(),
            immutable: false,
        };
        if fs::OpenOptions::new().write(true).open(path).is_err() {
            return Some(u);
        }
        let ok = Command::new("chattr")
            .arg("+i")
            .arg(path)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        u.immutable = ok;
        ok.then_some(u)
    }
}

impl Drop for Unwritable {
    fn drop(&mut self) {
        if self.immutable {
            let _ = Command::new("chattr").arg("-i").arg(&self.path).status();
        }
        let _ = fs::set_permissions(&self.path, fs::Permissions::from_mode(0o644));
    }
}

#[test]
fn an_unwritable_file_among_many_leaves_every_file_untouched() {
    let d = fresh_tree("unwritable");
    let lock = Unwritable::new(&d.join(GCP_PATCH));
    let culprit = if lock.is_some() {
        GCP_PATCH.to_string()
    } else {
        // Neither mode nor attribute stops this user: a file whose temporary file cannot be
        // made (its name is too long for one more suffix) fails the same way.
        let long = format!("{}.yaml", "x".repeat(240));
        fs::copy(d.join(DEPLOYMENT_PATCH), d.join(&long)).unwrap();
        long
    };
    let before = files(&d);
    let r = run(&d, &["."]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "disable-gke-metadata: {culprit}: error: not written"
        )),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert_eq!(files(&d), before, "a file was written");
    // --keep-going writes the others, and still fails.
    let r = run(&d, &["--keep-going", "."]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let after = files(&d);
    assert_eq!(
        after[Path::new(DEPLOYMENT_PATCH)],
        fs::read(testdata().join("expected").join(DEPLOYMENT_PATCH)).unwrap()
    );
    assert_eq!(after[Path::new(&culprit)], before[Path::new(&culprit)]);
    assert_eq!(after.len(), before.len());
    drop(lock);
    let _ = fs::remove_dir_all(&d);
}

#[cfg(feature = "fault-injection")]
#[test]
fn a_fault_between_planning_and_writing_writes_nothing() {
    let fault = "DISABLE_GKE_METADATA_TEST_FAULT";
    let d = fresh_tree("fault");
    let before = files(&d);
    // The second file's temporary file fails: the first one's is removed, nothing replaced.
    let r = run_in(&d, &["."], b"", &[(fault, &format!("stage:{GCP_PATCH}"))]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("injected fault (stage)"), "{}", r.stderr);
    assert_eq!(files(&d), before);
    // Its rename fails after the first file was renamed: that one is put back.
    let r = run_in(&d, &["."], b"", &[(fault, &format!("rename:{GCP_PATCH}"))]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("{DEPLOYMENT_PATCH}: put back as it was")),
        "{}",
        r.stderr
    );
    assert_eq!(files(&d), before);
    // --keep-going: the other file is written.
    let r = run_in(
        &d,
        &["--keep-going", "."],
        b"",
        &[(fault, &format!("rename:{GCP_PATCH}"))],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_ne!(
        files(&d)[Path::new(DEPLOYMENT_PATCH)],
        before[Path::new(DEPLOYMENT_PATCH)]
    );
    assert_eq!(
        files(&d)[Path::new(GCP_PATCH)],
        before[Path::new(GCP_PATCH)]
    );
    // Without the fault, the same run succeeds.
    assert_eq!(run(&d, &["."]).code, 0);
    let _ = fs::remove_dir_all(&d);
}

/// A target the function refuses to edit: `env` is not a list.
const REFUSED: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ml-pipeline-ui\nspec:\n  template:\n    spec:\n      containers:\n      - name: ml-pipeline-ui\n        env: {A: b}\n";

#[test]
fn a_refused_file_fails_the_run_and_nothing_is_written() {
    let d = fresh_tree("refused");
    fs::create_dir_all(d.join("bad")).unwrap();
    fs::write(d.join("bad/ui.yaml"), REFUSED).unwrap();
    let before = files(&d);
    let r = run(&d, &["."]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("disable-gke-metadata: bad/ui.yaml: [error]"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("1 file failed; nothing was written"),
        "{}",
        r.stderr
    );
    assert_eq!(files(&d), before);
    // --check and --diff: an error is 2 under --check, 1 otherwise.
    assert_eq!(run(&d, &["--check", "."]).code, 2);
    assert_eq!(run(&d, &["--diff", "."]).code, 1);
    // --keep-going: the others are written.
    let r = run(&d, &["--keep-going", "."]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(files(&d)[Path::new("bad/ui.yaml")], REFUSED.as_bytes());
    assert_ne!(
        files(&d)[Path::new(GCP_PATCH)],
        before[Path::new(GCP_PATCH)]
    );
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn exit_codes() {
    let d = fresh_tree("codes");
    let usage = [
        &["--bogus"][..],
        &["--policy", "sometimes", "."],
        &["--kind", "Service", "."],
        &["--env", "NOVALUE", "."],
        &["-l", "a in b", "."],
        &["-", "."],
        &["--emit-patch", "."],
        &["--changes", "c.json", "."],
        &["--keep-going"],
        &["--emit-patch", "--check"],
    ];
    for args in usage {
        let r = run(&d, args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.starts_with("disable-gke-metadata: error: "),
            "{args:?}: {}",
            r.stderr
        );
    }
    // A PATH that does not exist, a config that does not parse: refused (2 under --check).
    fs::write(
        d.join("bad-config.yaml"),
        "apiVersion: v1\nkind: ConfigMap\ndata: {policy: x}\n",
    )
    .unwrap();
    for (args, code) in [
        (&["missing.yaml"][..], 1),
        (&["--check", "missing.yaml"], 2),
        (&["--config", "bad-config.yaml", "."], 1),
        (&["--check", "--config", "bad-config.yaml", "."], 2),
        (&["--config", "missing-config.yaml", "."], 1),
    ] {
        let r = run(&d, args);
        assert_eq!(r.code, code, "{args:?}: {}", r.stderr);
    }
    let r = run(&d, &["--config", "bad-config.yaml", "."]);
    assert!(r.stderr.contains("policy"), "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("[error]").count(),
        1,
        "said once, not once per file: {}",
        r.stderr
    );
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn no_target_anywhere_follows_require_match_as_a_stream_does() {
    let d = scratch("no-target");
    let svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: ml-pipeline-ui\n";
    fs::write(d.join("a.yaml"), svc).unwrap();
    fs::write(d.join("b.yaml"), svc).unwrap();
    for flag in ["true", "false"] {
        let stream = run_in(&d, &["--require-match", flag], svc.as_bytes(), &[]);
        let r = run(&d, &["--require-match", flag, "."]);
        assert_eq!(r.code, stream.code, "--require-match {flag}: {}", r.stderr);
        if r.code == 0 {
            // Said once for the run, not once per file.
            assert_eq!(
                r.stderr.matches("no target found").count(),
                1,
                "{}",
                r.stderr
            );
        }
    }
    assert_eq!(run(&d, &["--require-match", "false", "."]).code, 0);
    // One file with a target is enough, even when the others have none.
    fs::copy(
        testdata().join("tree").join(UI_DEPLOYMENT),
        d.join("ui.yaml"),
    )
    .unwrap();
    let r = run(&d, &["--require-match", "true", "--check", "."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("no Deployment named"), "{}", r.stderr);
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn list_and_resource_list_files_are_edited_in_place() {
    let d = scratch("wrappers");
    let ui = fs::read_to_string(testdata().join("tree").join(DEPLOYMENT_PATCH)).unwrap();
    let item = |s: &str| {
        let mut out = String::new();
        for (i, l) in s.lines().filter(|l| !l.starts_with('#')).enumerate() {
            out.push_str(if i == 0 { "- " } else { "  " });
            out.push_str(l);
            out.push('\n');
        }
        out
    };
    let list = format!("apiVersion: v1\nkind: List\nitems:\n{}", item(&ui));
    let rl = format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{}",
        item(&ui)
    );
    fs::write(d.join("list.yaml"), &list).unwrap();
    fs::write(d.join("rl.yaml"), &rl).unwrap();
    let r = run(&d, &["."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let list_after = fs::read_to_string(d.join("list.yaml")).unwrap();
    assert!(
        list_after.contains("- name: DISABLE_GKE_METADATA"),
        "{list_after}"
    );
    assert_eq!(list_after.lines().count(), list.lines().count() + 2);
    // A ResourceList gets what the function gives a ResourceList: the edit and its results.
    let rl_after = fs::read_to_string(d.join("rl.yaml")).unwrap();
    assert!(rl_after.starts_with("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"));
    assert!(
        rl_after.contains("- name: DISABLE_GKE_METADATA"),
        "{rl_after}"
    );
    assert!(rl_after.contains("\nresults:\n"), "{rl_after}");
    // A second run changes neither (a ResourceList's results alone are no change).
    let r = run(&d, &["--check", "."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn symbolic_links_are_not_followed_in_a_walk_but_named_ones_are_edited() {
    let d = scratch("links");
    let real = d.join("real");
    fs::create_dir_all(&real).unwrap();
    fs::copy(
        testdata().join("tree").join(GCP_PATCH),
        real.join("gcp.yaml"),
    )
    .unwrap();
    let walked = d.join("walked");
    fs::create_dir_all(&walked).unwrap();
    std::os::unix::fs::symlink(real.join("gcp.yaml"), walked.join("link.yaml")).unwrap();
    // Nothing is read, so nothing is found: that is only a pass with requireMatch off.
    assert_eq!(run(&d, &["walked"]).code, 1);
    let r = run(&d, &["--require-match", "false", "walked"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("walked/link.yaml: left alone: a symbolic link"),
        "{}",
        r.stderr
    );
    let r = run(&d, &["walked/link.yaml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(fs::symlink_metadata(walked.join("link.yaml"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        fs::read(real.join("gcp.yaml")).unwrap(),
        fs::read(testdata().join("expected").join(GCP_PATCH)).unwrap()
    );
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn the_file_mode_is_kept() {
    let d = fresh_tree("mode");
    fs::set_permissions(d.join(GCP_PATCH), fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(run(&d, &["."]).code, 0);
    let m = fs::metadata(d.join(GCP_PATCH))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(m & 0o777, 0o600);
    let _ = fs::remove_dir_all(&d);
}

// ------------------------------------------------------------------------------ stdin

fn example() -> Vec<u8> {
    fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ml-pipeline-ui-2.3.0.yaml"))
        .unwrap()
}

#[test]
fn check_and_diff_on_stdin() {
    let d = scratch("stdin");
    let input = example();
    let r = run_in(&d, &["--check"], &input, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr
            .ends_with("disable-gke-metadata: would change stdin\n"),
        "{}",
        r.stderr
    );
    let fixed = run_in(&d, &[], &input, &[]);
    assert_eq!(fixed.code, 0);
    assert_eq!(run_in(&d, &["--check", "-"], &fixed.stdout, &[]).code, 0);
    // The diff turns the input into the output: `git apply` on a file named as its header.
    let r = run_in(&d, &["--diff"], &input, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.out().starts_with("diff --git a/stdin b/stdin\n"));
    fs::write(d.join("stdin"), &input).unwrap();
    git(&d, &["apply", "-"], &r.stdout);
    assert_eq!(fs::read(d.join("stdin")).unwrap(), fixed.stdout);
    // An error is 2 under --check.
    assert_eq!(run_in(&d, &["--check"], b"kind: [\n", &[]).code, 2);
    assert_eq!(run_in(&d, &["--diff"], b"kind: [\n", &[]).code, 1);
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn flags_override_the_config_file() {
    let d = scratch("flags");
    fs::write(
        d.join("cfg.yaml"),
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  value: \"false\"\n  name: other\n  requireMatch: \"false\"\n",
    )
    .unwrap();
    let input = example();
    // The config alone targets another name: nothing changes.
    let r = run_in(&d, &["--config", "cfg.yaml"], &input, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, input);
    let r = run_in(
        &d,
        &[
            "--config",
            "cfg.yaml",
            "--name",
            "ml-pipeline-ui",
            "--value",
            "1",
            "--env",
            "X=y",
        ],
        &input,
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = r.out();
    assert!(
        out.contains("- name: DISABLE_GKE_METADATA\n            value: \"1\"\n"),
        "{out}"
    );
    assert!(
        out.contains("- name: X\n            value: \"y\"\n"),
        "{out}"
    );
    let r = run_in(
        &d,
        &["--containers", "other", "--require-match", "false"],
        &input,
        &[],
    );
    assert_eq!(r.stdout, input);
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn a_resource_list_on_stdin_keeps_the_lines_kpt_shows() {
    let d = scratch("krm");
    let rl = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  data: {policy: bogus}\n";
    let r = run_in(&d, &[], rl.as_bytes(), &[]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.starts_with("[error]"), "{}", r.stderr);
    assert!(!r.stderr.contains("disable-gke-metadata:"), "{}", r.stderr);
    // A plain stream is the command line's: named lines.
    let r = run_in(&d, &[], b"kind: [\n", &[]);
    assert!(
        r.stderr.starts_with("disable-gke-metadata: "),
        "{}",
        r.stderr
    );
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn help_shows_config_keys_exit_codes_and_examples() {
    let d = scratch("help");
    let r = run(&d, &["--help"]);
    assert_eq!(r.code, 0);
    let h = r.out();
    for want in [
        "CONFIG KEYS",
        "labelSelector",
        "requireMatch",
        "--require-match",
        "EXIT STATUS",
        "EXAMPLES",
        "kustomize build overlays/prod | disable-gke-metadata",
        "disable-gke-metadata --value true manifests/",
        "--diff manifests/",
        "--check manifests/",
        "kpt fn eval",
        "--enable-exec",
        "--post-renderer",
    ] {
        assert!(h.contains(want), "{want:?} not in --help:\n{h}");
    }
    let short = run(&d, &["-h"]).out();
    assert!(short.contains("--help") && short.len() < h.len());
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn a_terminal_on_stdin_gets_a_hint_not_a_wait() {
    // `script` (util-linux) runs the binary with a pseudo-terminal as stdin.
    let out = Command::new("script")
        .args(["-qec", BIN, "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .expect("script (util-linux) runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("stdin is a terminal"), "{text}");
    assert!(text.contains("Usage: disable-gke-metadata"), "{text}");
}

#[test]
fn a_closed_stdout_under_diff_is_quiet() {
    let d = fresh_tree("epipe");
    let mut child = Command::new(BIN)
        .current_dir(&d)
        .args(["--diff", "."])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("error") && !err.contains("panicked"), "{err}");
    let _ = fs::remove_dir_all(&d);
}

#[test]
fn a_config_in_check_mode_checks_files_as_check_does() {
    let d = scratch("config-check");
    fs::write(
        d.join("check.yaml"),
        "apiVersion: v1\nkind: ConfigMap\ndata: {mode: check}\n",
    )
    .unwrap();
    fs::create_dir_all(d.join("m")).unwrap();
    fs::write(d.join("m/ui.yaml"), example()).unwrap();
    // Something would change: exit 1, nothing written.
    let r = run(&d, &["--config", "check.yaml", "m"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("would change"), "{}", r.stderr);
    assert_eq!(fs::read(d.join("m/ui.yaml")).unwrap(), example());
    // Fixed: exit 0.
    assert_eq!(run(&d, &["m"]).code, 0);
    let r = run(&d, &["--config", "check.yaml", "m"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // An error (a PATH that does not exist) is 2, as under --check.
    assert_eq!(
        run(&d, &["--config", "check.yaml", "m", "missing.yaml"]).code,
        2
    );
    let _ = fs::remove_dir_all(&d);
}
