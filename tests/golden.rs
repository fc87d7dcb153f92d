//! Golden tests: every input under testdata/ with its output diff, results and exit code
//! snapshotted. `NAME.config.yaml` beside `NAME.yaml` is passed as `--config`.

mod common;

use disable_gke_metadata::Options;

fn case(path: &std::path::Path) {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    if name.ends_with(".config.yaml") {
        return;
    }
    let input = std::fs::read(path).unwrap();
    let cfg = path.with_file_name(name.replace(".yaml", ".config.yaml"));
    let options = Options {
        config: std::fs::read(cfg).ok(),
        ..Options::default()
    };
    insta::assert_snapshot!(common::summary(&input, &options));
}

#[test]
fn layouts() {
    insta::glob!("../testdata/golden", "*.yaml", case);
}

#[test]
fn wire() {
    insta::glob!("../testdata/wire", "*.yaml", case);
}

#[test]
fn kubeflow() {
    insta::glob!("../testdata/kubeflow", "*.yaml", case);
}
