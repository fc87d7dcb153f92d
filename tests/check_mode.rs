//! Check mode changes nothing: over every golden input (with its config) and the Kubeflow
//! builds in ../shared (the KFP ones), a check run writes every object back byte for byte (a ResourceList
//! gets its results, nothing else), and it fails exactly when a fix run changes something.

mod common;

use std::path::{Path, PathBuf};

use disable_gke_metadata::config::{Mode, Overrides};
use disable_gke_metadata::{Options, Wrapper};
use krm_splice::{Envelope, Keep, Limits, Text, Tree};

fn inputs() -> Vec<(PathBuf, Option<Vec<u8>>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let cases = root.join("testdata/cases");
    for e in std::fs::read_dir(&cases).expect("testdata/cases") {
        let dir = e.expect("a case").path();
        if dir.join("input.yaml").is_file() {
            out.push((
                dir.join("input.yaml"),
                std::fs::read(dir.join("config.yaml")).ok(),
            ));
        }
    }
    let builds = root.join("../shared/testdata/kubeflow/builds");
    if let Ok(rd) = std::fs::read_dir(&builds) {
        for e in rd {
            let p = e.expect("a build").path();
            // The two whole-Kubeflow builds (7 and 10 MB) take most of a debug run's time
            // and add no layout the KFP builds lack.
            let small = std::fs::metadata(&p).is_ok_and(|m| m.len() < 2 << 20);
            if p.extension().is_some_and(|x| x == "yaml") && small {
                out.push((p, None));
            }
        }
    }
    out.sort();
    out
}

/// Each object's text, as the input holds it.
fn objects(text: &[u8]) -> Vec<String> {
    let s = std::str::from_utf8(text).expect("UTF-8");
    let tree = Tree::parse(Text::new(s), &Keep::new(), &Limits::default()).expect("parses");
    let env = Envelope::read(&tree).expect("an envelope");
    env.objects
        .iter()
        .map(|o| s[o.cursor.node().start()..o.cursor.node().end()].to_string())
        .collect()
}

#[test]
fn check_writes_the_objects_back_and_fails_when_a_fix_would_change() {
    let mut checked = 0;
    let mut would_change = 0;
    for (path, config) in inputs() {
        let input = std::fs::read(&path).expect("input");
        let fix = Options {
            config: config.clone(),
            ..Options::default()
        };
        let check = Options {
            config,
            overrides: Overrides {
                mode: Some(Mode::Check),
                // Check mode and emitPatch do not combine: the emitPatch cases are checked as fixes.
                emit_patch: Some(false),
                ..Overrides::default()
            },
            ..Options::default()
        };
        let (f, _) = common::run_checked(&input, &fix);
        let (c, out) = common::run_checked(&input, &check);
        let name = path.display();
        if f.exit_code == 1 {
            // Refused (a bad config, an unsafe target, no target): refused in check mode too.
            assert_eq!(
                c.exit_code, 1,
                "{name}: fix refused, check passed\n{}",
                c.stderr
            );
            continue;
        }
        // The results a ResourceList gets are a change too (at /results): not an edit.
        let edit = |ch: &&krm_splice::Change| !ch.pointer().starts_with("/results");
        let edits = f.changes.iter().filter(edit).count();
        let changes = edits > 0;
        assert_eq!(
            c.exit_code,
            i32::from(changes),
            "{name}: fix made {edits} edit(s); check exited {}\n{}",
            c.exit_code,
            c.stderr
        );
        assert_eq!(
            c.changes.iter().filter(edit).count(),
            0,
            "{name}: check recorded edits"
        );
        if c.wrapper == Some(Wrapper::ResourceList) {
            assert!(c.emit, "{name}: a ResourceList must come back");
            assert_eq!(objects(&out), objects(&input), "{name}: an object changed");
            let errors = c
                .results
                .iter()
                .filter(|r| r.severity == krm_splice::Severity::Error)
                .count();
            assert_eq!(errors > 0, changes, "{name}: error results vs changes");
        } else if c.exit_code == 0 {
            assert_eq!(out, input, "{name}: the stream changed");
        } else {
            assert!(
                !c.emit && out.is_empty(),
                "{name}: a failed check wrote a stream"
            );
        }
        checked += 1;
        would_change += usize::from(changes);
    }
    assert!(checked > 60, "only {checked} inputs checked");
    assert!(would_change > 40, "only {would_change} inputs would change");
}
