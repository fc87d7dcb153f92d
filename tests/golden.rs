//! Golden cases: one folder per case under `testdata/cases/`, holding `input.yaml`, an
//! optional `config.yaml` (passed as `--config`) and `expected.snap`: the exit code, stderr
//! and a unified diff of the output. See tests/README.md to add one.

mod common;

use std::path::Path;

use disable_gke_metadata::Options;

fn case(dir: &Path) {
    let input = std::fs::read(dir.join("input.yaml")).expect("input.yaml");
    let options = Options {
        config: std::fs::read(dir.join("config.yaml")).ok(),
        ..Options::default()
    };
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir.canonicalize().expect("the case's folder"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_input_file(dir.join("input.yaml"));
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!("expected", common::summary(&input, &options)));
}

#[test]
fn cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/cases");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("testdata/cases")
        .map(|e| e.expect("a case").path())
        .filter(|p| p.join("input.yaml").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 60, "only {} golden cases", dirs.len());
    let mut failed = Vec::new();
    for dir in &dirs {
        let r = std::panic::catch_unwind(|| case(dir));
        if r.is_err() {
            failed.push(
                dir.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .to_string(),
            );
        }
    }
    assert!(failed.is_empty(), "golden cases that differ: {failed:?}");
}
