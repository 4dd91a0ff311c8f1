#![no_main]
// Each target uses part of the shared code.
#![allow(dead_code)]
//! Any bytes through one preset (or a preset with its format options: octet-counted RFC 5424,
//! flattened JSON lines, RFC 3164 with a fixed year or a reference time) picked by the header's
//! selector byte, with the options of its flags byte (see `logs_common.rs`): never a panic; the
//! table's invariants hold (stats add up, a value per row in every column, line numbers rising,
//! an `error` exactly on the failed rows); `on_error = "raise"` fails exactly at the first error
//! row of `"row"` (or gives its table), `"skip"` gives the table of `"row"` without the error rows.
//! Streaming and batches are `logs_stream`'s.
//! Input: flags, selector, then the log.

use libfuzzer_sys::fuzz_target;

include!("logs_common.rs");

fuzz_target!(|input: &[u8]| {
    let [flags, selector, data @ ..] = input else { return };
    let selector = usize::from(*selector);
    let (format, base) = preset_variant(selector % PRESET_VARIANTS, selector / PRESET_VARIANTS);
    let options = options(*flags, format, base);
    check_parse(format, data, &options);
});
