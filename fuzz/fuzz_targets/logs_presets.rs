#![no_main]
//! Any bytes through every preset (and the format options of the system-log ones): never a panic; stats add up; streaming (split anywhere) equals
//! the one-shot parse; `on_error`, unescaping and strict UTF-8 chosen by the first byte.

use libfuzzer_sys::fuzz_target;

include!("logs_common.rs");

fuzz_target!(|input: &[u8]| {
    let Some((&flags, rest)) = input.split_first() else { return };
    let Some((&split, data)) = rest.split_first() else { return };
    let split = usize::from(split) * data.len() / 256;
    for name in ferrule_core::logs::PRESETS {
        let format = LogFormat::preset(name).unwrap();
        check(&format, data, flags, split);
    }
    // The format options: octet-counted framing, flattened JSON, a fixed syslog year.
    let framed = ParseOptions { octet_counted: true, ..Default::default() };
    check_with(&LogFormat::preset("syslog_rfc5424").unwrap(), data, flags, split, framed);
    let flat = ParseOptions { flatten: true, ..Default::default() };
    check_with(&LogFormat::preset("jsonl").unwrap(), data, flags, split, flat);
    let year = ParseOptions { year: Some(2024), ..Default::default() };
    check_with(&LogFormat::preset("syslog_rfc3164").unwrap(), data, flags, split, year);
});
