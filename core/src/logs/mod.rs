//! Logs into typed columns, one row per line: access logs (`combined`/`common` (CLF) and user
//! formats: nginx `log_format`, Apache `LogFormat`), system logs (`syslog_rfc3164`,
//! `syslog_rfc5424`, `apache_error`, `nginx_error`), `logfmt` and `jsonl` (a column per key), and
//! LogPAI header templates ([`LogFormat::template`]). Every format compiles once and gives
//! dictionary-encoded strings, an `error` column instead of exceptions, and parallel, streaming
//! and gzip input.
//!
//! ```
//! use ferrule_core::logs::{LogFormat, ParseOptions, parse_bytes};
//!
//! let log = b"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /a HTTP/1.0\" 200 2326 \"-\" \"curl\"\n\
//!             1.2.3.4 - - [10/Oct/2000:13:55:37 -0700] \"GET /b HTTP/1.0\" 404 - \"-\" \"curl\n";
//! let table = parse_bytes(log, &LogFormat::preset("combined")?, &ParseOptions::default())?;
//! assert_eq!(table.num_rows(), 2);
//! assert_eq!(table.require("status")?.number(1), Some(404.0));
//! assert_eq!(table.require("bytes")?.number(1), None); // `-`
//! assert_eq!(table.errors()[0].error.code(), "UNTERMINATED_QUOTE");
//! let stats = table.stats();
//! assert_eq!((stats.lines, stats.ok, stats.errors, stats.skipped), (2, 1, 1, 0));
//! # Ok::<(), ferrule_core::Error>(())
//! ```

mod align;
mod engine;
mod fields;
mod format;
mod input;
mod options;
mod parallel;
mod progress;
mod stream;
mod table;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_system;

pub use format::syslog::{SdElement, parse_structured_data};
pub use format::{ColumnSpec, ColumnType, FormatKind, LogFormat, PRESETS};
pub use input::{BatchReader, parse_file};
pub use options::{DEFAULT_PLAIN_COLUMNS, OnError, ParseOptions, ProgressFn};
pub use parallel::parse_bytes;
pub use progress::progress_bar;
pub use stream::StreamParser;
pub use table::{Column, ColumnData, ErrorRecord, LogTable, RowError, Stats, Validity};
