#![no_main]
//! Any bytes through every preset: never a panic; stats add up; streaming (split anywhere) equals
//! the one-shot parse; `on_error`, unescaping and strict UTF-8 chosen by the first byte.

use libfuzzer_sys::fuzz_target;

include!("logs_common.rs");

fuzz_target!(|input: &[u8]| {
    let Some((&flags, rest)) = input.split_first() else { return };
    let Some((&split, data)) = rest.split_first() else { return };
    for name in ferrule_core::logs::PRESETS {
        let format = LogFormat::preset(name).unwrap();
        check(&format, data, flags, usize::from(split) * data.len() / 256);
    }
});
