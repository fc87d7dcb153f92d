//! Shared checks for the fuzz targets. All the rules live in `props`, which
//! `tests/fuzz_regressions.rs` also compiles (with `#[path]`), so a regression
//! test checks exactly what the fuzzer checked.

pub mod gen;
pub mod props;

pub use props::{split_config, CONFIG_SEPARATOR};

/// Inputs of a bug already found and reported, skipped while
/// `FUZZ_SKIP_KNOWN=1` so that a long run can look for other bugs.
/// Known: a bare CR (`\r` not followed by `\n`, a line break to YAML) puts
/// the appended `results:` at a wrong column (regression
/// `whole_path-bare-cr-before-resourcelist.yaml`); an explicit key (`? a`)
/// first in the ResourceList does too
/// (`whole_path-explicit-key-first-in-resourcelist.yaml`). Both fixed.
/// A whitespace-only line (a block scalar's last content line) is split off
/// by the results splice, or left behind by a value splice
/// (`*whitespace-only*`, `*trailing-blank*` regressions). All fixed since
/// (`df11a4b`): run without `FUZZ_SKIP_KNOWN`; keep the switch for the next one.
pub fn known_bug(input: &[u8]) -> bool {
    if std::env::var_os("FUZZ_SKIP_KNOWN").is_none() {
        return false;
    }
    let bare_cr = input
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'\r' && input.get(i + 1) != Some(&b'\n'));
    let explicit_key = input.split(|&b| b == b'\n').any(|line| {
        let t: Vec<u8> = line
            .iter()
            .copied()
            .skip_while(|&b| b == b' ' || b == b'-')
            .collect();
        t.first() == Some(&b'?') && t.get(1).is_none_or(|b| b.is_ascii_whitespace())
    });
    let blank_line = input
        .split(|&b| b == b'\n' || b == b'\r')
        .any(|line| !line.is_empty() && line.iter().all(|&b| b == b' ' || b == b'\t'));
    bare_cr || explicit_key || blank_line
}

/// Panics (a fuzzer finding) when the whole-path properties fail.
pub fn check_whole(input: &[u8], config: Option<&[u8]>) {
    if known_bug(input) || config.is_some_and(known_bug) {
        return;
    }
    if let Err(e) = props::check_whole(input, config) {
        panic!("{e}");
    }
}

/// Panics (a fuzzer finding) when the structured properties fail.
pub fn check_structured(text: &str, expect_success: bool) {
    if known_bug(text.as_bytes()) {
        return;
    }
    if let Err(e) = props::check_structured(text, expect_success) {
        panic!("{e}");
    }
}
