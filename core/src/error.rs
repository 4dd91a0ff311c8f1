//! The one error type of ferrule. Every binding maps it, and only it, to its runtime's errors:
//! Python exception classes, JS `Error` objects with `code`, C `ferrule_status` values.

use std::fmt;

/// What went wrong, as a category every runtime can branch on.
///
/// New kinds may be added in later versions (hence `non_exhaustive`); existing codes never change.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// An argument is out of its domain (a bad option value, an unknown name, `k = 0`, ...).
    InvalidArgument,
    /// Two inputs that must have the same length (or dimension) do not.
    LengthMismatch,
    /// Bytes that must be UTF-8 are not.
    InvalidUtf8,
    /// Text does not follow the expected grammar (a log line, a format string).
    Parse,
    /// A size, count or id would exceed what the data structure can address.
    Capacity,
    /// Serialized data is truncated, tampered with or of an unknown version.
    Corrupt,
    /// The operating system refused a file operation.
    Io,
    /// A bug in ferrule (including a caught panic). Please report it.
    Internal,
    /// An id or index that names nothing (an id a string pool never handed out).
    OutOfRange,
}

impl ErrorKind {
    /// Every kind, in the order of their C status values (1..=8, then 11: C's own
    /// `NULL_POINTER` and `PANIC` took 9 and 10 before `OutOfRange` was added).
    pub const ALL: [ErrorKind; 9] = [
        ErrorKind::InvalidArgument,
        ErrorKind::LengthMismatch,
        ErrorKind::InvalidUtf8,
        ErrorKind::Parse,
        ErrorKind::Capacity,
        ErrorKind::Corrupt,
        ErrorKind::Io,
        ErrorKind::Internal,
        ErrorKind::OutOfRange,
    ];

    /// The stable code string, identical in every runtime (Python `.code`, JS `err.code`, C
    /// `ferrule_status_str`).
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "FERRULE_INVALID_ARGUMENT",
            ErrorKind::LengthMismatch => "FERRULE_LENGTH_MISMATCH",
            ErrorKind::InvalidUtf8 => "FERRULE_INVALID_UTF8",
            ErrorKind::Parse => "FERRULE_PARSE",
            ErrorKind::Capacity => "FERRULE_CAPACITY",
            ErrorKind::Corrupt => "FERRULE_CORRUPT",
            ErrorKind::Io => "FERRULE_IO",
            ErrorKind::Internal => "FERRULE_INTERNAL",
            ErrorKind::OutOfRange => "FERRULE_OUT_OF_RANGE",
        }
    }

    /// The kind whose [`code`](Self::code) is `code`, if any.
    pub fn from_code(code: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|kind| kind.code() == code)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Where in the input an error was found. Either part may be unknown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Location {
    /// 1-based line number.
    pub line: Option<u64>,
    /// 0-based byte offset: from the start of the input, or, for an error in a log line (which
    /// also has `line`), from the start of that line.
    pub offset: Option<u64>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.offset) {
            (Some(line), Some(offset)) => write!(f, " (line {line}, byte offset {offset})"),
            (Some(line), None) => write!(f, " (line {line})"),
            (None, Some(offset)) => write!(f, " (byte offset {offset})"),
            (None, None) => Ok(()),
        }
    }
}

/// A ferrule error: a kind, a human-readable message and, for input errors, where it happened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}{location}")]
pub struct Error {
    kind: ErrorKind,
    message: String,
    location: Location,
    /// A finer, stable reason within the kind (a log line's `UNTERMINATED_QUOTE`, ...).
    reason: Option<&'static str>,
}

/// `Result` with ferrule's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into(), location: Location::default(), reason: None }
    }

    /// The error of the kind whose stable code is `code`: how an error that crossed a boundary
    /// as its code is rebuilt (the bindings' error-mapping tests use it). An unknown code is
    /// itself an `InvalidArgument` error.
    pub fn from_code(code: &str, message: impl Into<String>) -> Result<Self> {
        let kind = ErrorKind::from_code(code)
            .ok_or_else(|| Error::invalid_argument(format!("unknown error code {code:?}")))?;
        Ok(Error::new(kind, message))
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidArgument, message)
    }

    pub fn length_mismatch(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::LengthMismatch, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Internal, message)
    }

    pub fn capacity(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Capacity, message)
    }

    pub fn corrupt(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Corrupt, message)
    }

    pub fn out_of_range(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::OutOfRange, message)
    }

    /// The same error, at `location` (replacing any location it had).
    #[must_use]
    pub fn at(mut self, location: Location) -> Self {
        self.location = location;
        self
    }

    /// The same error, located at a 1-based line.
    #[must_use]
    pub fn at_line(mut self, line: u64) -> Self {
        self.location.line = Some(line);
        self
    }

    /// The same error, located at a 0-based byte offset.
    #[must_use]
    pub fn at_offset(mut self, offset: u64) -> Self {
        self.location.offset = Some(offset);
        self
    }

    /// The same error, with a finer stable reason (for `FERRULE_PARSE` errors of log lines, the
    /// row error code such as `BAD_TIMESTAMP`).
    #[must_use]
    pub fn with_reason(mut self, reason: &'static str) -> Self {
        self.reason = Some(reason);
        self
    }

    /// The finer reason, when there is one (see [`with_reason`](Self::with_reason)).
    pub fn reason(&self) -> Option<&'static str> {
        self.reason
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Shorthand for `self.kind().code()`.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The message without the location suffix (bindings expose the location as fields).
    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn location(&self) -> Location {
        self.location
    }

    /// The error a binding reports when it caught a panic: the payload text if it is a string.
    pub fn from_panic(payload: &(dyn std::any::Any + Send)) -> Self {
        let detail = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("non-string panic payload");
        Error::internal(format!("internal error (a bug in ferrule, please report it): panic: {detail}"))
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        Error::new(ErrorKind::Io, err.to_string())
    }
}

impl From<std::str::Utf8Error> for Error {
    fn from(err: std::str::Utf8Error) -> Self {
        Error::new(ErrorKind::InvalidUtf8, format!("invalid UTF-8: {err}"))
            .at_offset(err.valid_up_to() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_unique() {
        let codes: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(
            codes,
            [
                "FERRULE_INVALID_ARGUMENT",
                "FERRULE_LENGTH_MISMATCH",
                "FERRULE_INVALID_UTF8",
                "FERRULE_PARSE",
                "FERRULE_CAPACITY",
                "FERRULE_CORRUPT",
                "FERRULE_IO",
                "FERRULE_INTERNAL",
                "FERRULE_OUT_OF_RANGE",
            ]
        );
        for kind in ErrorKind::ALL {
            assert_eq!(ErrorKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(ErrorKind::from_code("FERRULE_NOPE"), None);
    }

    #[test]
    fn errors_rebuild_from_their_code() {
        let err = Error::from_code("FERRULE_CORRUPT", "bad checksum").unwrap();
        assert_eq!((err.kind(), err.message()), (ErrorKind::Corrupt, "bad checksum"));
        let located = err.at(Location { line: Some(3), offset: None });
        assert_eq!(located.to_string(), "bad checksum (line 3)");
        let unknown = Error::from_code("FERRULE_NOPE", "x").unwrap_err();
        assert_eq!(unknown.kind(), ErrorKind::InvalidArgument);
        assert!(unknown.message().contains("FERRULE_NOPE"));
    }

    #[test]
    fn display_includes_location_when_known() {
        let plain = Error::new(ErrorKind::Parse, "bad quote");
        assert_eq!(plain.to_string(), "bad quote");
        let located = plain.clone().at_line(8899).at_offset(1234);
        assert_eq!(located.to_string(), "bad quote (line 8899, byte offset 1234)");
        assert_eq!(located.message(), "bad quote");
        assert_eq!(located.location(), Location { line: Some(8899), offset: Some(1234) });
        assert_eq!(plain.clone().at_offset(7).to_string(), "bad quote (byte offset 7)");
        assert_eq!(plain.reason(), None);
        assert_eq!(plain.with_reason("UNTERMINATED_QUOTE").reason(), Some("UNTERMINATED_QUOTE"));
    }

    #[test]
    fn utf8_errors_carry_the_offset() {
        let bytes = [b'a', b'b', 0xff];
        let err: Error = std::str::from_utf8(std::hint::black_box(&bytes)).unwrap_err().into();
        assert_eq!(err.kind(), ErrorKind::InvalidUtf8);
        assert_eq!(err.location().offset, Some(2));
    }

    #[test]
    fn io_errors_map_to_io() {
        let err: Error = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file").into();
        assert_eq!(err.code(), "FERRULE_IO");
        assert!(err.message().contains("no such file"));
    }

    #[test]
    fn panic_payloads_become_internal_errors() {
        let caught = std::panic::catch_unwind(|| panic!("boom {}", 42)).unwrap_err();
        let err = Error::from_panic(caught.as_ref());
        assert_eq!(err.kind(), ErrorKind::Internal);
        assert!(err.message().contains("boom 42"), "{}", err.message());
        let caught = std::panic::catch_unwind(|| std::panic::panic_any(7_u8)).unwrap_err();
        assert!(Error::from_panic(caught.as_ref()).message().contains("non-string"));
    }
}
