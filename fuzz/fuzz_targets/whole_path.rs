//! Raw bytes through the whole path (parse, plan, splice, verify).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    fuzz_props::check_whole("whole_path", data, None, data);
});
