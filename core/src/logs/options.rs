//! What a parse does besides the format: error handling, threads, string handling.

use crate::{Error, Result};
use std::fmt;
use std::sync::Arc;

/// What happens to a line that does not parse.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum OnError {
    /// Keep it as a row with the `error` and `error_offset` columns set and whatever fields
    /// parsed before the failure (the default).
    #[default]
    Row,
    /// Drop it; it counts in `stats.skipped` and is still listed in `errors`. Strings of its
    /// fields that parsed before the failure may stay in the column dictionaries (unused by any
    /// row): dictionaries only grow, so codes handed out stay valid.
    Skip,
    /// Stop at the first one with a `FERRULE_PARSE` error (reason, line, offset, snippet).
    Raise,
}

impl OnError {
    pub fn from_name(name: &str) -> Result<OnError> {
        match name {
            "row" => Ok(OnError::Row),
            "skip" => Ok(OnError::Skip),
            "raise" => Ok(OnError::Raise),
            other => Err(Error::invalid_argument(format!(
                "on_error = {other:?}: expected \"row\", \"skip\" or \"raise\""
            ))),
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            OnError::Row => "row",
            OnError::Skip => "skip",
            OnError::Raise => "raise",
        }
    }
}

/// Called with `(bytes done, bytes total)` while a file is parsed (`total` is 0 when unknown,
/// as for gzip input).
pub type ProgressFn = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// Options of a parse. `Default` is what every runtime uses when an option is not given.
#[derive(Clone, Default)]
pub struct ParseOptions {
    pub on_error: OnError,
    /// Threads for a whole-input parse: `None` or `Some(0)` all cores, `Some(1)` sequential. The
    /// output is the same for every value.
    pub threads: Option<usize>,
    /// Undo `\"`, `\\` and `\xNN` escapes in string fields (off: the text is kept as logged).
    pub unescape: bool,
    /// Make lines that are not UTF-8 error rows (`INVALID_UTF8`). Off, they parse as bytes and
    /// the runtimes decode them lossily (the raw bytes stay available).
    pub strict_utf8: bool,
    /// The string columns to store plain (offsets + bytes) rather than dictionary-encoded.
    /// `None`: `request` and `path`; `Some(names)`: exactly those.
    pub plain_columns: Option<Vec<String>>,
    /// Progress reports for file parses; see [`progress_bar`](super::progress_bar).
    pub progress: Option<ProgressFn>,
    /// `syslog_rfc3164` timestamps have no year: this one for every line.
    pub year: Option<i32>,
    /// `syslog_rfc3164` without `year`: each line takes the latest date not after this time
    /// (microseconds since the Unix epoch, UTC), so a log running from December into January
    /// gets two years. Neither given: the time the parse starts.
    pub reference_time: Option<i64>,
    /// `syslog_rfc5424` framed by RFC 6587 octet counting (`LEN SP MESSAGE`, no newlines) rather
    /// than one message per line. Such input is parsed on one thread.
    pub octet_counted: bool,
    /// `jsonl`: nested objects become columns with dotted names (`{"a":{"b":1}}` is `a.b`)
    /// rather than one column of JSON text.
    pub flatten: bool,
}

/// The most threads a parse may ask for (the same bound as every other `threads` option).
const MAX_THREADS: usize = 1024;

impl ParseOptions {
    /// Checks the options that do not depend on a format (`plain_columns` is checked against the
    /// format when parsing starts).
    pub fn validate(&self) -> Result<()> {
        if let Some(threads) = self.threads
            && threads > MAX_THREADS
        {
            return Err(Error::invalid_argument(format!("threads = {threads}: at most {MAX_THREADS}")));
        }
        if let Some(year) = self.year
            && !(MIN_YEAR..=MAX_YEAR).contains(&year)
        {
            return Err(Error::invalid_argument(format!("year = {year}: expected {MIN_YEAR} to {MAX_YEAR}")));
        }
        if self.year.is_some() && self.reference_time.is_some() {
            return Err(Error::invalid_argument("give year or reference_time, not both"));
        }
        if let Some(reference) = self.reference_time
            && !(MIN_REFERENCE..=MAX_REFERENCE).contains(&reference)
        {
            return Err(Error::invalid_argument(format!(
                "reference_time = {reference}: expected microseconds since 1970 for a year from {MIN_YEAR} to {MAX_YEAR}"
            )));
        }
        Ok(())
    }

    /// The options with the implicit reference time fixed to now, once per parse, so that every
    /// chunk of a parallel parse (and every batch of a stream) resolves years alike.
    pub(crate) fn resolved(&self) -> ParseOptions {
        let mut options = self.clone();
        if options.year.is_none() && options.reference_time.is_none() {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
            options.reference_time = Some(now.clamp(MIN_REFERENCE, MAX_REFERENCE));
        }
        options
    }
}

/// The years a syslog timestamp may be given (and the reference times, as microseconds).
const MIN_YEAR: i32 = 1;
const MAX_YEAR: i32 = 9999;
/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z.
const MIN_REFERENCE: i64 = -62_135_596_800_000_000;
const MAX_REFERENCE: i64 = 253_402_300_799_999_999;

impl fmt::Debug for ParseOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParseOptions")
            .field("on_error", &self.on_error)
            .field("threads", &self.threads)
            .field("unescape", &self.unescape)
            .field("strict_utf8", &self.strict_utf8)
            .field("plain_columns", &self.plain_columns)
            .field("progress", &self.progress.is_some())
            .field("year", &self.year)
            .field("reference_time", &self.reference_time)
            .field("octet_counted", &self.octet_counted)
            .field("flatten", &self.flatten)
            .finish()
    }
}

/// The string columns stored plain when `plain_columns` is not given.
pub const DEFAULT_PLAIN_COLUMNS: [&str; 2] = ["request", "path"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_error_names_round_trip() {
        for mode in [OnError::Row, OnError::Skip, OnError::Raise] {
            assert_eq!(OnError::from_name(mode.as_str()).unwrap(), mode);
        }
        let err = OnError::from_name("ignore").unwrap_err();
        assert_eq!(err.code(), "FERRULE_INVALID_ARGUMENT");
        assert!(err.message().contains("\"skip\""), "{err}");
        assert_eq!(OnError::default(), OnError::Row);
        assert!(format!("{:?}", ParseOptions::default()).contains("on_error: Row"));
    }
}
