//! Log formats, compiled once into a flat program the line parser walks: literal text to match,
//! and fields to cut out and convert. The presets (`combined`, `common`, `vhost_combined`) and
//! user formats (nginx `log_format`, Apache `LogFormat`) compile into the same program, so a
//! custom format runs the same code as a built-in one.

mod apache;
pub(crate) mod errorlog;
pub(crate) mod json;
pub(crate) mod logfmt;
mod nginx;
pub(crate) mod syslog;
mod system;
pub(crate) mod template;

use crate::{Error, Result};
use std::fmt;

/// The type of one output column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnType {
    /// The 1-based line number, and byte counts.
    UInt64,
    /// HTTP status.
    UInt16,
    /// The original UTC offset of a timestamp, in minutes.
    Int16,
    /// Integers such as a pid or a port.
    Int64,
    /// Durations (in the unit the column name says) and other decimals.
    Float64,
    /// Microseconds since the Unix epoch, UTC.
    Timestamp,
    /// Plain strings: offsets plus one values buffer (Arrow `large_utf8` layout).
    String,
    /// Dictionary-encoded strings: `u32` codes into one [`StringPool`](crate::pool::StringPool)
    /// per column.
    Dictionary,
    /// Booleans, one byte each (0 or 1); JSON lines `true`/`false`.
    Bool,
}

impl ColumnType {
    /// A stable lowercase name (`"uint16"`, `"timestamp[us, UTC]"`, `"dictionary"`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            ColumnType::UInt64 => "uint64",
            ColumnType::UInt16 => "uint16",
            ColumnType::Int16 => "int16",
            ColumnType::Int64 => "int64",
            ColumnType::Float64 => "float64",
            ColumnType::Timestamp => "timestamp[us, UTC]",
            ColumnType::String => "string",
            ColumnType::Dictionary => "dictionary",
            ColumnType::Bool => "bool",
        }
    }
}

impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a field's text becomes column values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldKind {
    /// A string column (dictionary or plain, as the options say); `-` is null.
    Text,
    /// `METHOD PATH PROTOCOL`: four columns, the raw request and its three parts.
    Request,
    /// `10/Oct/2000:13:55:36 -0700`: timestamp and tz_offset.
    ClfTime,
    /// `2000-10-10T13:55:36-07:00`: timestamp and tz_offset.
    Iso8601Time,
    /// Seconds since the epoch with a fraction (`$msec`, `%{msec_frac}`...): timestamp, tz 0.
    EpochSeconds,
    /// Milliseconds since the epoch (`%{msec}t`).
    EpochMillis,
    /// Microseconds since the epoch (`%{usec}t`).
    EpochMicros,
    /// HTTP status, uint16.
    Status,
    /// A byte count, uint64 (`-` is null).
    Bytes,
    /// A signed integer.
    Int,
    /// A decimal number, float64.
    Float,
    /// nginx's lists of upstream times (`0.001, 0.002 : 0.003`): float64, their sum.
    FloatList,
}

/// One step of a compiled format.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    /// Text that must appear exactly.
    Literal(Vec<u8>),
    /// A field; `column` is the index of its first column in [`LogFormat::schema`].
    Field { kind: FieldKind, column: usize },
}

/// A column of a format's output: its name and type. String columns are listed as
/// [`ColumnType::Dictionary`]; options may store some of them plain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec {
    pub name: String,
    pub ty: ColumnType,
}

/// Which grammar a format string is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormatKind {
    /// A preset name: `combined`, `common`, `vhost_combined`.
    Preset,
    /// An nginx `log_format` string (`$remote_addr - $remote_user [$time_local] ...`).
    Nginx,
    /// An Apache `LogFormat` string (`%h %l %u %t \"%r\" %>s %b`).
    Apache,
    /// A LogPAI-style header template (`<Date> <Time> <Level> <Component>: <Content>`).
    Template,
}

impl FormatKind {
    pub fn from_name(name: &str) -> Result<FormatKind> {
        match name {
            "preset" => Ok(FormatKind::Preset),
            "nginx" => Ok(FormatKind::Nginx),
            "apache" => Ok(FormatKind::Apache),
            "template" => Ok(FormatKind::Template),
            other => Err(Error::invalid_argument(format!(
                "unknown format kind {other:?}: expected \"preset\", \"nginx\", \"apache\" or \"template\""
            ))),
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            FormatKind::Preset => "preset",
            FormatKind::Nginx => "nginx",
            FormatKind::Apache => "apache",
            FormatKind::Template => "template",
        }
    }
}

/// The preset names, in the order the docs list them.
pub const PRESETS: [&str; 9] = [
    "combined",
    "common",
    "vhost_combined",
    "syslog_rfc3164",
    "syslog_rfc5424",
    "apache_error",
    "nginx_error",
    "logfmt",
    "jsonl",
];

/// How a format's lines are parsed: the step program of the access-log compilers, or one of the
/// dedicated parsers of the system-log formats.
#[derive(Debug, Clone)]
pub(crate) enum Program {
    /// Literal text and fields ([`LogFormat::items`]): presets, nginx and Apache formats.
    Steps,
    Syslog3164,
    Syslog5424,
    ApacheError,
    NginxError,
    Template(std::sync::Arc<template::Template>),
    /// Columns come from the keys of each line, in first-seen order.
    Logfmt,
    Jsonl,
}

impl PartialEq for Program {
    fn eq(&self, other: &Program) -> bool {
        // Templates compare by their spec (in LogFormat), so any two templates compare equal here.
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

impl Program {
    /// Whether the columns come from the data (logfmt, JSON lines) rather than the format.
    pub(crate) fn is_dynamic(&self) -> bool {
        matches!(self, Program::Logfmt | Program::Jsonl)
    }
}

/// A compiled log format: build it once, parse any number of inputs with it.
///
/// ```
/// use ferrule_core::logs::LogFormat;
///
/// let nginx = LogFormat::nginx(r#"$remote_addr [$time_local] "$request" $status $request_time"#)?;
/// assert_eq!(
///     nginx.column_names(),
///     ["line", "client", "timestamp", "tz_offset", "request", "method", "path", "protocol",
///      "status", "request_time", "error", "error_offset"]
/// );
/// # Ok::<(), ferrule_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LogFormat {
    kind: FormatKind,
    spec: String,
    pub(crate) items: Vec<Item>,
    schema: Vec<ColumnSpec>,
    /// The presets accept one extra leading token (an Apache vhost, `host:port`), stored in the
    /// `vhost` column (column 1).
    pub(crate) vhost_prefix: bool,
    pub(crate) program: Program,
}

/// The column index of `error` and `error_offset`: always the last two.
impl LogFormat {
    /// A preset by name: the access logs `combined` (Apache/nginx default), `common` (CLF) and
    /// `vhost_combined`; the system logs `syslog_rfc3164`, `syslog_rfc5424`, `apache_error`,
    /// `nginx_error`; and `logfmt` and `jsonl`, whose columns are the keys found in the data.
    pub fn preset(name: &str) -> Result<LogFormat> {
        if let Some(format) = system::preset(name) {
            return Ok(format);
        }
        let (spec, vhost_prefix) = match name {
            "combined" => (r#"%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i""#, true),
            "common" | "clf" => ("%h %l %u %t \"%r\" %>s %b", true),
            "vhost_combined" => (r#"%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i""#, false),
            other => {
                return Err(Error::invalid_argument(format!(
                    "unknown log format preset {other:?}: expected one of {}",
                    PRESETS.join(", ")
                )));
            }
        };
        let mut format = apache::compile(spec, vhost_prefix)?;
        format.kind = FormatKind::Preset;
        format.spec = name.to_owned();
        Ok(format)
    }

    /// Compiles an nginx `log_format` string. The string may be given as in `nginx.conf`: one or
    /// more single-quoted parts (`'$remote_addr - ' '"$request"'`), optionally after
    /// `log_format NAME` and before `;`.
    pub fn nginx(spec: &str) -> Result<LogFormat> {
        nginx::compile(spec)
    }

    /// Compiles an Apache `LogFormat` string; `\"` and `%%` are unescaped as Apache does.
    pub fn apache(spec: &str) -> Result<LogFormat> {
        apache::compile(spec, false)
    }

    /// Compiles a LogPAI-style header template: `<Name>` fields (`<Name:int>`, `<Name:float>`
    /// typed), literal text, a run of spaces matching any run of whitespace, `(...)?` optional
    /// groups and `\\` escapes. Each field takes the shortest text that lets the rest match; the
    /// last one takes the rest of the line. Columns are named as the fields.
    ///
    /// ```
    /// use ferrule_core::logs::{LogFormat, ParseOptions, parse_bytes};
    ///
    /// let format = LogFormat::template("<Date> <Time> <Level> <Component>([<PID>])?: <Content>")?;
    /// let table = parse_bytes(b"081109 203615 INFO dfs.DataNode[148]: Receiving block", &format, &ParseOptions::default())?;
    /// assert_eq!(table.require("PID")?.text(0).as_deref(), Some("148"));
    /// assert_eq!(table.require("Content")?.text(0).as_deref(), Some("Receiving block"));
    /// # Ok::<(), ferrule_core::Error>(())
    /// ```
    pub fn template(spec: &str) -> Result<LogFormat> {
        system::template(spec)
    }

    /// `preset`, `nginx`, `apache` or `template` by `kind`.
    pub fn parse(spec: &str, kind: FormatKind) -> Result<LogFormat> {
        match kind {
            FormatKind::Preset => LogFormat::preset(spec),
            FormatKind::Nginx => LogFormat::nginx(spec),
            FormatKind::Apache => LogFormat::apache(spec),
            FormatKind::Template => LogFormat::template(spec),
        }
    }

    pub fn kind(&self) -> FormatKind {
        self.kind
    }

    /// The preset name or the format string as given.
    pub fn spec(&self) -> &str {
        &self.spec
    }

    /// Whether the columns come from the data: `logfmt` and `jsonl` tables have a column per key
    /// seen (in first-seen order) between `line` and `error`, which [`schema`](Self::schema)
    /// cannot list.
    pub fn has_dynamic_columns(&self) -> bool {
        self.program.is_dynamic()
    }

    /// Every output column, in order: `line`, the format's fields, `error`, `error_offset`.
    pub fn schema(&self) -> &[ColumnSpec] {
        &self.schema
    }

    pub fn column_names(&self) -> Vec<&str> {
        self.schema.iter().map(|c| c.name.as_str()).collect()
    }

    pub(crate) fn error_column(&self) -> usize {
        self.schema.len() - 2
    }
}

/// Builds a format's program and schema; shared by the nginx and Apache compilers.
pub(crate) struct Builder {
    kind: FormatKind,
    spec: String,
    items: Vec<Item>,
    schema: Vec<ColumnSpec>,
    vhost_prefix: bool,
}

impl Builder {
    pub(crate) fn new(kind: FormatKind, spec: &str, vhost_prefix: bool) -> Builder {
        let mut schema = vec![ColumnSpec { name: "line".into(), ty: ColumnType::UInt64 }];
        if vhost_prefix {
            schema.push(ColumnSpec { name: "vhost".into(), ty: ColumnType::Dictionary });
        }
        Builder { kind, spec: spec.to_owned(), items: Vec::new(), schema, vhost_prefix }
    }

    pub(crate) fn literal(&mut self, text: &[u8]) {
        if text.is_empty() {
            return;
        }
        match self.items.last_mut() {
            Some(Item::Literal(prev)) => prev.extend_from_slice(text),
            _ => self.items.push(Item::Literal(text.to_vec())),
        }
    }

    /// Adds a field; `name` names its column (a request or a time field adds several, with
    /// fixed names).
    pub(crate) fn field(&mut self, kind: FieldKind, name: &str) -> Result<()> {
        if let Some(Item::Field { .. }) = self.items.last() {
            return Err(Error::new(
                crate::ErrorKind::Parse,
                format!(
                    "in format {:?}: field {name:?} follows another field with no text between them, so where one ends is ambiguous",
                    self.spec
                ),
            ));
        }
        let column = self.schema.len();
        let columns: Vec<(&str, ColumnType)> = match kind {
            FieldKind::Text => vec![(name, ColumnType::Dictionary)],
            FieldKind::Request => vec![
                ("request", ColumnType::String),
                ("method", ColumnType::Dictionary),
                ("path", ColumnType::String),
                ("protocol", ColumnType::Dictionary),
            ],
            FieldKind::ClfTime
            | FieldKind::Iso8601Time
            | FieldKind::EpochSeconds
            | FieldKind::EpochMillis
            | FieldKind::EpochMicros => {
                vec![("timestamp", ColumnType::Timestamp), ("tz_offset", ColumnType::Int16)]
            }
            FieldKind::Status => vec![(name, ColumnType::UInt16)],
            FieldKind::Bytes => vec![(name, ColumnType::UInt64)],
            FieldKind::Int => vec![(name, ColumnType::Int64)],
            FieldKind::Float | FieldKind::FloatList => vec![(name, ColumnType::Float64)],
        };
        for (name, ty) in columns {
            let name = self.unique_name(name);
            self.schema.push(ColumnSpec { name, ty });
        }
        self.items.push(Item::Field { kind, column });
        Ok(())
    }

    /// `name`, or `name_2`, `name_3`... when a column of that name exists (a format that logs
    /// the same variable twice keeps both).
    fn unique_name(&self, name: &str) -> String {
        let taken = |n: &str| self.schema.iter().any(|c| c.name == n) || n == "error" || n == "error_offset";
        if !taken(name) {
            return name.to_owned();
        }
        (2..).map(|i| format!("{name}_{i}")).find(|n| !taken(n)).unwrap_or_default()
    }

    pub(crate) fn finish(mut self) -> Result<LogFormat> {
        if !self.items.iter().any(|item| matches!(item, Item::Field { .. })) {
            return Err(Error::new(crate::ErrorKind::Parse, format!("format {:?} has no fields", self.spec)));
        }
        self.schema.push(ColumnSpec { name: "error".into(), ty: ColumnType::Dictionary });
        self.schema.push(ColumnSpec { name: "error_offset".into(), ty: ColumnType::UInt64 });
        Ok(LogFormat {
            kind: self.kind,
            spec: self.spec,
            items: self.items,
            schema: self.schema,
            vhost_prefix: self.vhost_prefix,
            program: Program::Steps,
        })
    }
}

/// A column name from a header or variable name: lowercase, `-` as `_`.
pub(crate) fn column_name(raw: &str) -> String {
    raw.chars().map(|c| if c == '-' { '_' } else { c.to_ascii_lowercase() }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_have_the_documented_columns() {
        let combined = LogFormat::preset("combined").unwrap();
        assert_eq!(
            combined.column_names(),
            [
                "line",
                "vhost",
                "client",
                "ident",
                "user",
                "timestamp",
                "tz_offset",
                "request",
                "method",
                "path",
                "protocol",
                "status",
                "bytes",
                "referer",
                "user_agent",
                "error",
                "error_offset"
            ]
        );
        assert_eq!(combined.kind(), FormatKind::Preset);
        assert_eq!(combined.spec(), "combined");
        let common = LogFormat::preset("common").unwrap();
        assert_eq!(common.column_names().len(), 15);
        let vhost = LogFormat::preset("vhost_combined").unwrap();
        assert_eq!(&vhost.column_names()[..4], ["line", "vhost", "port", "client"]);
        assert!(vhost.column_names().contains(&"bytes_sent"));
        let err = LogFormat::preset("json").unwrap_err();
        assert_eq!(err.code(), "FERRULE_INVALID_ARGUMENT");
        assert!(err.message().contains("combined"), "{err}");
    }

    #[test]
    fn kinds_parse_by_name() {
        assert_eq!(FormatKind::from_name("nginx").unwrap(), FormatKind::Nginx);
        assert_eq!(FormatKind::from_name("apache").unwrap().as_str(), "apache");
        assert!(FormatKind::from_name("syslog").is_err());
        let format = LogFormat::parse("$status $request_time", FormatKind::Nginx).unwrap();
        assert_eq!(format.column_names(), ["line", "status", "request_time", "error", "error_offset"]);
        assert_eq!(format.schema()[2].ty, ColumnType::Float64);
    }

    #[test]
    fn adjacent_fields_are_refused() {
        let err = LogFormat::apache("%h%l").unwrap_err();
        assert_eq!(err.code(), "FERRULE_PARSE");
        assert!(err.message().contains("ambiguous"), "{err}");
        assert_eq!(LogFormat::nginx("just text").unwrap_err().code(), "FERRULE_PARSE");
        assert_eq!(LogFormat::nginx("").unwrap_err().code(), "FERRULE_PARSE");
    }

    #[test]
    fn repeated_names_get_suffixes() {
        let format = LogFormat::nginx("$host $host $error").unwrap();
        assert_eq!(format.column_names(), ["line", "host", "host_2", "error_2", "error", "error_offset"]);
    }
}
