//! `ferrule_status`: what every C function returns, and its stable names.

use ferrule_core::ErrorKind;
use std::ffi::{CStr, c_char};

/// The result of every ferrule C function. `FERRULE_STATUS_OK` (0) is success; any other value
/// is a failure whose text `ferrule_last_error_message` returns. Values never change meaning;
/// new ones may be added, so handle unknown values as a failure.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum ferrule_status {
    /// Success.
    FERRULE_STATUS_OK = 0,
    /// An argument is out of its domain.
    FERRULE_STATUS_INVALID_ARGUMENT = 1,
    /// Inputs that must have the same length or dimension do not.
    FERRULE_STATUS_LENGTH_MISMATCH = 2,
    /// Bytes that must be UTF-8 are not.
    FERRULE_STATUS_INVALID_UTF8 = 3,
    /// Text does not follow the expected grammar.
    FERRULE_STATUS_PARSE = 4,
    /// A size, count or id would exceed what the data structure can address.
    FERRULE_STATUS_CAPACITY = 5,
    /// Serialized data is truncated, tampered with or of an unknown version.
    FERRULE_STATUS_CORRUPT = 6,
    /// The operating system refused a file operation.
    FERRULE_STATUS_IO = 7,
    /// A bug in ferrule detected without a panic. Please report it.
    FERRULE_STATUS_INTERNAL = 8,
    /// A pointer argument that must not be NULL was NULL.
    FERRULE_STATUS_NULL_POINTER = 9,
    /// ferrule panicked (a bug, please report it); the panic was stopped at the boundary and
    /// the process is intact.
    FERRULE_STATUS_PANIC = 10,
    /// An id or index names nothing (an id a string pool never handed out).
    FERRULE_STATUS_OUT_OF_RANGE = 11,
}

use ferrule_status::*;

impl ferrule_status {
    /// Every status, in value order.
    pub(crate) const ALL: [ferrule_status; 12] = [
        FERRULE_STATUS_OK,
        FERRULE_STATUS_INVALID_ARGUMENT,
        FERRULE_STATUS_LENGTH_MISMATCH,
        FERRULE_STATUS_INVALID_UTF8,
        FERRULE_STATUS_PARSE,
        FERRULE_STATUS_CAPACITY,
        FERRULE_STATUS_CORRUPT,
        FERRULE_STATUS_IO,
        FERRULE_STATUS_INTERNAL,
        FERRULE_STATUS_NULL_POINTER,
        FERRULE_STATUS_PANIC,
        FERRULE_STATUS_OUT_OF_RANGE,
    ];

    /// The status that stands for a core error kind.
    pub fn from_kind(kind: ErrorKind) -> ferrule_status {
        match kind {
            ErrorKind::InvalidArgument => FERRULE_STATUS_INVALID_ARGUMENT,
            ErrorKind::LengthMismatch => FERRULE_STATUS_LENGTH_MISMATCH,
            ErrorKind::InvalidUtf8 => FERRULE_STATUS_INVALID_UTF8,
            ErrorKind::Parse => FERRULE_STATUS_PARSE,
            ErrorKind::Capacity => FERRULE_STATUS_CAPACITY,
            ErrorKind::Corrupt => FERRULE_STATUS_CORRUPT,
            ErrorKind::Io => FERRULE_STATUS_IO,
            ErrorKind::OutOfRange => FERRULE_STATUS_OUT_OF_RANGE,
            // Internal, and any kind newer than this binding.
            _ => FERRULE_STATUS_INTERNAL,
        }
    }

    /// The stable name: the core code for core kinds (`"FERRULE_PARSE"`), else `"FERRULE_OK"`,
    /// `"FERRULE_NULL_POINTER"`, `"FERRULE_PANIC"`.
    pub fn name(self) -> &'static CStr {
        match self {
            FERRULE_STATUS_OK => c"FERRULE_OK",
            FERRULE_STATUS_INVALID_ARGUMENT => c"FERRULE_INVALID_ARGUMENT",
            FERRULE_STATUS_LENGTH_MISMATCH => c"FERRULE_LENGTH_MISMATCH",
            FERRULE_STATUS_INVALID_UTF8 => c"FERRULE_INVALID_UTF8",
            FERRULE_STATUS_PARSE => c"FERRULE_PARSE",
            FERRULE_STATUS_CAPACITY => c"FERRULE_CAPACITY",
            FERRULE_STATUS_CORRUPT => c"FERRULE_CORRUPT",
            FERRULE_STATUS_IO => c"FERRULE_IO",
            FERRULE_STATUS_INTERNAL => c"FERRULE_INTERNAL",
            FERRULE_STATUS_NULL_POINTER => c"FERRULE_NULL_POINTER",
            FERRULE_STATUS_PANIC => c"FERRULE_PANIC",
            FERRULE_STATUS_OUT_OF_RANGE => c"FERRULE_OUT_OF_RANGE",
        }
    }
}

/// The stable name of a status value, e.g. `"FERRULE_PARSE"` for `FERRULE_STATUS_PARSE`;
/// `"FERRULE_UNKNOWN_STATUS"` for a value this version does not define.
///
/// The returned string is static: never free it. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn ferrule_status_str(status: u32) -> *const c_char {
    // Takes the raw value, not the enum: a C caller can pass any integer, and an out-of-range
    // value in a Rust enum would be undefined behaviour.
    ferrule_status::ALL
        .into_iter()
        .find(|s| *s as u32 == status)
        .map_or(c"FERRULE_UNKNOWN_STATUS", ferrule_status::name)
        .as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_dense_and_names_match_core_codes() {
        for (value, status) in ferrule_status::ALL.into_iter().enumerate() {
            assert_eq!(status as usize, value);
        }
        for kind in ErrorKind::ALL {
            let status = ferrule_status::from_kind(kind);
            assert_eq!(status.name().to_str().unwrap(), kind.code());
        }
    }

    #[test]
    fn status_str_handles_unknown_values() {
        // SAFETY: a static NUL-terminated string from ferrule (non-NULL for these values).
        let name = |v| unsafe { CStr::from_ptr(ferrule_status_str(v)) }.to_str().unwrap();
        assert_eq!(name(0), "FERRULE_OK");
        assert_eq!(name(4), "FERRULE_PARSE");
        assert_eq!(name(10), "FERRULE_PANIC");
        assert_eq!(name(11), "FERRULE_OUT_OF_RANGE");
        assert_eq!(name(12), "FERRULE_UNKNOWN_STATUS");
        assert_eq!(name(u32::MAX), "FERRULE_UNKNOWN_STATUS");
    }
}
