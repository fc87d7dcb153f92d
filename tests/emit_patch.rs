//! emitPatch (`Overrides.emit_patch`, the config key `emitPatch`): the output is a kustomize
//! patch of the run's changes. The golden cases `testdata/cases/emit-patch-*` show the text;
//! tests/e2e/run.sh applies the patches with kubectl kustomize and judges the result.

mod common;

use std::path::Path;

use common::{run_checked, PATCH_HEADER};
use disable_gke_metadata::config::Overrides;
use disable_gke_metadata::{Options, Outcome, Wrapper};

fn emit(on: bool) -> Options {
    Options {
        overrides: Overrides {
            emit_patch: Some(on),
            ..Overrides::default()
        },
        ..Options::default()
    }
}

fn text(out: &[u8]) -> &str {
    std::str::from_utf8(out).expect("UTF-8 output")
}

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: ml-pipeline-ui
  namespace: kubeflow
spec:
  template:
    spec:
      containers:
      - name: ml-pipeline-ui
        env:
        - name: DEPLOYMENT
          value: KUBEFLOW
";

#[test]
fn the_override_writes_the_patch_and_keeps_the_changes() {
    let (plain, _) = run_checked(DEPLOYMENT.as_bytes(), &Options::default());
    let (o, out) = run_checked(DEPLOYMENT.as_bytes(), &emit(true));
    assert_eq!(o.exit_code, 0, "{}", o.stderr);
    let out = text(&out);
    assert!(out.starts_with(PATCH_HEADER), "{out}");
    assert!(out.contains(
        "  patch: |\n    - op: test\n      path: /spec/template/spec/containers/0/name\n      value: ml-pipeline-ui\n    - op: test\n      path: /spec/template/spec/containers/0/env/0/name\n      value: DEPLOYMENT\n    - op: add\n      path: /spec/template/spec/containers/0/env/-\n      value:\n        name: DISABLE_GKE_METADATA\n        value: \"true\"\n"
    ), "{out}");
    // `--changes` still records the change (the one the patch makes).
    assert_eq!(o.changes, plain.changes);
    assert_eq!(o.changes.len(), 1);
    // stderr still says what changed, and then what was written.
    assert!(o
        .stderr
        .contains("[info] Deployment kubeflow/ml-pipeline-ui spec.template.spec.containers[0].env[1].value: added DISABLE_GKE_METADATA=\"true\"\n"));
    assert!(o.stderr.ends_with(
        "[info]: emitPatch: wrote 1 patch for 1 object instead of the manifests (3 JSON 6902 operations, 2 of them tests)\n"
    ), "{}", o.stderr);
    // Nothing of the input is copied: the output is the patch alone.
    assert!(!out.contains("KUBEFLOW"));
}

#[test]
fn the_override_false_wins_over_the_config() {
    let config = b"apiVersion: v1\nkind: ConfigMap\ndata:\n  emitPatch: \"true\"\n".to_vec();
    let on = Options {
        config: Some(config.clone()),
        ..Options::default()
    };
    let off = Options {
        config: Some(config),
        ..emit(false)
    };
    let (_, patch) = run_checked(DEPLOYMENT.as_bytes(), &on);
    assert!(text(&patch).starts_with(PATCH_HEADER));
    let (o, out) = run_checked(DEPLOYMENT.as_bytes(), &off);
    assert_eq!(o.exit_code, 0);
    assert!(text(&out).starts_with("apiVersion: apps/v1\n"));
    assert!(text(&out).contains("- name: DISABLE_GKE_METADATA\n          value: \"true\"\n"));
}

#[test]
fn nothing_to_change_is_an_empty_patch_list_and_says_so() {
    let input = DEPLOYMENT.replace(
        "- name: DEPLOYMENT\n          value: KUBEFLOW",
        "- name: DISABLE_GKE_METADATA\n          value: \"true\"",
    );
    let (o, out) = run_checked(input.as_bytes(), &emit(true));
    assert_eq!(o.exit_code, 0);
    assert!(text(&out).ends_with("\npatches: []\n"), "{}", text(&out));
    assert!(o.changes.is_empty());
    assert!(
        o.stderr.contains("emitPatch: nothing to change"),
        "{}",
        o.stderr
    );
    // No target at all: an error by default (requireMatch), and nothing written; with
    // requireMatch off, an empty patch list beside the warning.
    let none = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";
    let (o, out) = run_checked(none, &emit(true));
    assert_eq!(o.exit_code, 1);
    assert!(out.is_empty(), "{}", text(&out));
    assert!(o.stderr.contains("no target found"), "{}", o.stderr);
    let mut lenient = emit(true);
    lenient.overrides.require_match = Some(false);
    let (o, out) = run_checked(none, &lenient);
    assert_eq!(o.exit_code, 0);
    assert!(text(&out).ends_with("\npatches: []\n"));
    assert!(o.stderr.contains("[warning]"), "{}", o.stderr);
}

#[test]
fn a_resource_list_is_refused_with_its_items_unchanged() {
    let input = format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- {}",
        DEPLOYMENT.trim_end().replace('\n', "\n  ")
    );
    let (o, out) = run_checked(input.as_bytes(), &emit(true));
    assert_eq!(o.exit_code, 1);
    assert_eq!(o.wrapper, Some(Wrapper::ResourceList));
    let out = text(&out);
    // As every refusal of a ResourceList: the list back, with the error in results.
    assert!(out.starts_with(&input), "{out}");
    assert!(out.contains("severity: error"), "{out}");
    assert!(!out.contains("DISABLE_GKE_METADATA\n"), "{out}");
}

#[test]
fn refusals_write_nothing() {
    let input = DEPLOYMENT.replace(
        "env:\n        - name: DEPLOYMENT\n          value: KUBEFLOW",
        "env: {A: b}",
    );
    let (o, out) = run_checked(input.as_bytes(), &emit(true));
    assert_eq!(o.exit_code, 1);
    assert!(out.is_empty());
    assert!(!o.emit);
}

/// Every golden input, with emitPatch on: where the plain run succeeds, the patch run does too
/// (or refuses, saying why: a ResourceList, a target that would select two objects), with
/// the same changes; where the plain run refuses, so does the patch run, writing nothing
/// more than the plain run.
#[test]
fn every_golden_input_agrees_with_its_plain_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/cases");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("testdata/cases")
        .map(|e| e.expect("a case").path())
        .filter(|p| p.join("input.yaml").is_file())
        .collect();
    dirs.sort();
    let (mut patches, mut refused) = (0, 0);
    for dir in &dirs {
        let input = std::fs::read(dir.join("input.yaml")).expect("input.yaml");
        let config = std::fs::read(dir.join("config.yaml")).ok();
        let with = |o: Options| Options {
            config: config.clone(),
            ..o
        };
        let (plain, _): (Outcome, _) = run_checked(&input, &with(emit(false)));
        let (o, out) = run_checked(&input, &with(emit(true)));
        let name = dir.display();
        if plain.exit_code == 1 {
            assert_eq!(o.exit_code, 1, "{name}: {}", o.stderr);
            assert_eq!(o.emit, plain.emit, "{name}");
            continue;
        }
        if o.exit_code == 1 {
            assert!(
                o.stderr.contains("cannot emit a patch")
                    || o.stderr.contains("emitPatch writes a kustomize patch")
                    || o.stderr
                        .contains("emitPatch and mode check cannot be combined"),
                "{name}: {}",
                o.stderr
            );
            refused += 1;
            continue;
        }
        assert!(text(&out).starts_with(PATCH_HEADER), "{name}");
        assert_eq!(o.changes, plain.changes, "{name}");
        patches += 1;
    }
    assert!(
        patches >= 40 && refused >= 10,
        "{patches} patches, {refused} refused"
    );
}
