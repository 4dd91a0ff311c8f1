#![no_main]
// Each target uses part of the shared code.
#![allow(dead_code)]
//! The streaming parser and the batch reader against the one-shot parse. The selector byte picks
//! a preset variant (as in `logs_presets`) or a compiled nginx, Apache or template format (the
//! payload is then `format NUL log`, as in `logs_format`). The log is pushed to a
//! `StreamParser` in random chunks (sizes from a generator seeded by the chunking byte and the
//! input: empty pushes, single bytes, a few bytes, big pieces): the result must equal
//! `parse_bytes` exactly, or both fail with the same reason, line and offset. The same log is
//! read by a `BatchReader` in batches of 1 to 8 rows: no batch is larger, and the batches joined
//! are the one-shot table (logfmt and JSON lines: each batch types its own columns).
//! Input: flags, selector, chunking, then the payload.

use libfuzzer_sys::fuzz_target;

include!("logs_common.rs");

/// The selector's last three values pick a compiler; the others a preset variant.
const SELECTORS: usize = PRESET_VARIANTS + 3;

fuzz_target!(|input: &[u8]| {
    let [flags, selector, chunking, payload @ ..] = input else { return };
    let choice = usize::from(*selector) % SELECTORS;
    let compiled;
    let (format, base, data) = match choice.checked_sub(PRESET_VARIANTS) {
        None => {
            let (format, base) = preset_variant(choice, usize::from(*selector) / SELECTORS);
            (format, base, payload)
        }
        Some(kind) => {
            let (spec, data) = spec_and_data(payload);
            let Some(format) = compile(kind as u8, spec) else { return };
            compiled = format;
            (&compiled, ParseOptions::default(), data)
        }
    };
    let options = options(*flags, format, base);
    let whole = parse_whole(format, data, &options);
    // The generator's seed: the chunking byte, and the input's length so that inputs that differ
    // only in their log are cut differently too.
    let seed = u64::from(*chunking) << 32 | data.len() as u64;
    let streamed = stream_in_chunks(format, data, &options, seed);
    agree(format, &whole, streamed, "streamed in random chunks");
    check_batches(format, data, &options, 1 + usize::from(*chunking & 7), &whole);
});
