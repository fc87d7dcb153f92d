//! Generated ResourceLists with ml-pipeline-ui Deployments; checks that the
//! edit is right, not only that nothing crashed, and that layouts the
//! generator calls valid and unambiguous are not refused.
#![no_main]
use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(rendered) = fuzz_props::gen::generate(&mut u) else {
        return;
    };
    if std::env::var_os("STRUCTURED_PRINT").is_some() {
        eprintln!(
            "----- generated (expect_success={}):\n{}",
            rendered.expect_success, rendered.text
        );
    }
    fuzz_props::check_structured(&rendered.text, rendered.expect_success, data);
});
