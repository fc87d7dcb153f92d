//! Config bytes and input bytes, split at `fuzz_props::CONFIG_SEPARATOR`
//! (no separator: no config).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (config, input) = fuzz_props::split_config(data);
    fuzz_props::check_whole("with_config", input, config, data);
});
