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
/// For many open findings at once (issue 9), `FUZZ_COLLECT=DIR` is better.
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

/// A finding: a panic (what libFuzzer records), or with `FUZZ_COLLECT=DIR`
/// the first input of each failure class written to `DIR` (`<target>-<hash>`
/// `.msg`, `.input`, and for `structured` the fuzz bytes as `.bin`) and the run
/// goes on, so that one bounded run finds every distinct failure it can.
pub fn finding(target: &str, message: &str, input: &[u8], raw: Option<&[u8]>) {
    let Some(dir) = std::env::var_os("FUZZ_COLLECT") else {
        panic!("{message}");
    };
    use std::hash::{Hash, Hasher};
    let class = props::failure_class(message);
    let mut h = std::collections::hash_map::DefaultHasher::new();
    class.hash(&mut h);
    let stem = format!("{target}-{:016x}", h.finish());
    let dir = std::path::PathBuf::from(dir);
    let msg = dir.join(format!("{stem}.msg"));
    if msg.exists() {
        return;
    }
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{stem}.input")), input);
    if let Some(raw) = raw {
        let _ = std::fs::write(dir.join(format!("{stem}.bin")), raw);
    }
    let _ = std::fs::write(&msg, message);
    eprintln!("FUZZ_COLLECT: new class {stem}: {class}");
}

/// Reports (see [`finding`]) when the whole-path properties fail.
pub fn check_whole(target: &str, input: &[u8], config: Option<&[u8]>, raw: &[u8]) {
    if known_bug(input) || config.is_some_and(known_bug) {
        return;
    }
    if let Err(e) = props::check_whole(input, config) {
        finding(target, &e, raw, None);
    }
}

/// Reports (see [`finding`]) when the structured properties fail.
pub fn check_structured(text: &str, expect_success: bool, raw: &[u8]) {
    if known_bug(text.as_bytes()) {
        return;
    }
    if let Err(e) = props::check_structured(text, expect_success) {
        finding("structured", &e, text.as_bytes(), Some(raw));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fuzz-like bytes from a fixed seed (xorshift).
    fn bytes(seed: u64, n: usize) -> Vec<u8> {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }

    /// Every generated document parses (as YAML 1.2, and as JSON when it is
    /// JSON): a generator that writes broken text tests nothing.
    #[test]
    fn generated_documents_parse() {
        let mut json = 0;
        for seed in 0..3000u64 {
            let data = bytes(seed, 64 + (seed as usize * 7) % 4000);
            let mut u = arbitrary::Unstructured::new(&data);
            let Ok(r) = gen::generate(&mut u) else {
                continue;
            };
            if let Err(e) = props::Tree::parse(&r.text) {
                panic!("seed {seed}: {e}\n{}", r.text);
            }
            if r.text.starts_with('{') {
                json += 1;
                serde_json::from_str::<serde_json::Value>(&r.text)
                    .unwrap_or_else(|e| panic!("seed {seed}: not JSON: {e}\n{}", r.text));
            }
        }
        assert!(json > 0, "no JSON generated");
    }

    /// A census of what today's engine fails on generated documents (not an
    /// assertion: `cargo test --lib census -- --ignored --nocapture`).
    #[test]
    #[ignore = "a census, not a test"]
    fn census() {
        let mut classes: std::collections::BTreeMap<String, (usize, u64)> = Default::default();
        let n = std::env::var("CENSUS_N")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2000u64);
        for seed in 0..n {
            let data = bytes(seed, 64 + (seed as usize * 7) % 4000);
            let mut u = arbitrary::Unstructured::new(&data);
            let Ok(r) = gen::generate(&mut u) else {
                continue;
            };
            if let Err(e) = props::check_structured(&r.text, r.expect_success) {
                let class = props::failure_class(&e);
                if !classes.contains_key(&class) {
                    if let Some(dir) = std::env::var_os("CENSUS_DIR") {
                        let dir = std::path::PathBuf::from(dir);
                        let _ = std::fs::create_dir_all(&dir);
                        let ok = if r.expect_success {
                            "-must-succeed"
                        } else {
                            ""
                        };
                        let _ = std::fs::write(dir.join(format!("{seed}{ok}.yaml")), &r.text);
                        let _ = std::fs::write(dir.join(format!("{seed}.msg")), &e);
                    }
                }
                let c = classes.entry(class).or_insert((0, seed));
                c.0 += 1;
            }
        }
        for (c, (k, seed)) in classes {
            println!("{k:6} seed {seed:6}  {c}");
        }
    }
}
