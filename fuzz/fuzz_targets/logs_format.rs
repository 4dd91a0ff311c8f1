#![no_main]
// Each target uses part of the shared code.
#![allow(dead_code)]
//! A format string and a log together: the nginx, Apache or template compiler (picked by the
//! selector byte) must accept or refuse any string with `FERRULE_PARSE`, never panic; a compiled
//! format has `line` first and `error`, `error_offset` last, and parses the log under the
//! invariants of `logs_presets` (options from the flags byte). Streaming and batches are
//! `logs_stream`'s.
//! Input: flags, selector, then the format and the log separated by the first NUL.

use libfuzzer_sys::fuzz_target;

include!("logs_common.rs");

fuzz_target!(|input: &[u8]| {
    let [flags, selector, payload @ ..] = input else { return };
    let (spec, data) = spec_and_data(payload);
    let Some(format) = compile(*selector, spec) else { return };
    let options = options(*flags, &format, ParseOptions::default());
    check_parse(&format, data, &options);
});
