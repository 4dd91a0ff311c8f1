#![no_main]
//! A format string and a log together: the nginx, Apache or template compiler must accept or refuse any
//! string without panicking, and a compiled format must parse any input with the invariants of
//! `logs_presets`. Input: flags byte, split byte, then the format and the data separated by the
//! first NUL.

use libfuzzer_sys::fuzz_target;

include!("logs_common.rs");

fuzz_target!(|input: &[u8]| {
    let Some((&flags, rest)) = input.split_first() else { return };
    let Some((&split, rest)) = rest.split_first() else { return };
    let (spec, data) = match rest.iter().position(|&b| b == 0) {
        Some(nul) => (&rest[..nul], &rest[nul + 1..]),
        None => (rest, &b""[..]),
    };
    let spec = String::from_utf8_lossy(spec);
    let format = match (flags >> 5) % 3 {
        0 => LogFormat::nginx(&spec),
        1 => LogFormat::apache(&spec),
        _ => LogFormat::template(&spec),
    };
    match format {
        Ok(format) => {
            let names = format.column_names();
            assert_eq!(names.first(), Some(&"line"));
            assert_eq!(names[names.len() - 2..], ["error", "error_offset"]);
            check(&format, data, flags, usize::from(split) * data.len() / 256);
        }
        Err(err) => assert_eq!(err.code(), "FERRULE_PARSE", "{err}"),
    }
});
