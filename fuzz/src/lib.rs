//! Shared checks for the fuzz targets. All the rules live in `props`, which
//! `tests/fuzz_regressions.rs` also compiles (with `#[path]`), so a regression
//! test checks exactly what the fuzzer checked.

pub mod gen;
pub mod props;

pub use props::{split_config, CONFIG_SEPARATOR};

/// Panics (a fuzzer finding) when the whole-path properties fail.
pub fn check_whole(input: &[u8], config: Option<&[u8]>) {
    if let Err(e) = props::check_whole(input, config) {
        panic!("{e}");
    }
}

/// Panics (a fuzzer finding) when the structured properties fail.
pub fn check_structured(text: &str, expect_success: bool) {
    if let Err(e) = props::check_structured(text, expect_success) {
        panic!("{e}");
    }
}
