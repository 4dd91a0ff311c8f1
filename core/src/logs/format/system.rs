//! The schemas of the system-log formats: syslog (RFC 3164 and 5424), Apache and nginx error
//! logs, logfmt and JSON lines, and LogPAI header templates. Their lines are parsed by dedicated
//! parsers (see [`Program`]), not by the step program of the access-log formats.

use super::template::{Template, TemplateType};
use super::{ColumnSpec, ColumnType, FormatKind, LogFormat, Program};
use crate::Result;
use std::sync::Arc;

use ColumnType::{Dictionary, Float64, Int16, Int64, String as Plain, Timestamp, UInt16, UInt64};

const SYSLOG_RFC3164: &[(&str, ColumnType)] = &[
    ("timestamp", Timestamp),
    ("facility", UInt16),
    ("severity", UInt16),
    ("hostname", Dictionary),
    ("app_name", Dictionary),
    ("proc_id", Dictionary),
    ("message", Plain),
];

const SYSLOG_RFC5424: &[(&str, ColumnType)] = &[
    ("timestamp", Timestamp),
    ("tz_offset", Int16),
    ("facility", UInt16),
    ("severity", UInt16),
    ("version", UInt16),
    ("hostname", Dictionary),
    ("app_name", Dictionary),
    ("proc_id", Dictionary),
    ("msg_id", Dictionary),
    ("structured_data", Plain),
    ("message", Plain),
];

const APACHE_ERROR: &[(&str, ColumnType)] = &[
    ("timestamp", Timestamp),
    ("module", Dictionary),
    ("level", Dictionary),
    ("pid", Int64),
    ("tid", Int64),
    ("client", Dictionary),
    ("client_port", UInt16),
    ("error_code", Dictionary),
    ("message", Plain),
];

const NGINX_ERROR: &[(&str, ColumnType)] = &[
    ("timestamp", Timestamp),
    ("level", Dictionary),
    ("pid", Int64),
    ("tid", Int64),
    ("connection", UInt64),
    ("message", Plain),
    ("client", Dictionary),
    ("server", Dictionary),
    ("request", Plain),
    ("upstream", Dictionary),
    ("host", Dictionary),
    ("referrer", Dictionary),
];

/// `line`, the given columns, `error`, `error_offset`.
fn schema(columns: impl IntoIterator<Item = (String, ColumnType)>) -> Vec<ColumnSpec> {
    let mut schema = vec![ColumnSpec { name: "line".into(), ty: UInt64 }];
    schema.extend(columns.into_iter().map(|(name, ty)| ColumnSpec { name, ty }));
    schema.push(ColumnSpec { name: "error".into(), ty: Dictionary });
    schema.push(ColumnSpec { name: "error_offset".into(), ty: UInt64 });
    schema
}

fn fixed(columns: &[(&str, ColumnType)]) -> Vec<ColumnSpec> {
    schema(columns.iter().map(|&(name, ty)| (name.to_owned(), ty)))
}

fn format(kind: FormatKind, spec: &str, schema: Vec<ColumnSpec>, program: Program) -> LogFormat {
    LogFormat { kind, spec: spec.to_owned(), items: Vec::new(), schema, vhost_prefix: false, program }
}

/// A system-log preset by name, or `None` for any other name.
pub(super) fn preset(name: &str) -> Option<LogFormat> {
    let (schema, program) = match name {
        "syslog_rfc3164" => (fixed(SYSLOG_RFC3164), Program::Syslog3164),
        "syslog_rfc5424" => (fixed(SYSLOG_RFC5424), Program::Syslog5424),
        "apache_error" => (fixed(APACHE_ERROR), Program::ApacheError),
        "nginx_error" => (fixed(NGINX_ERROR), Program::NginxError),
        "logfmt" => (fixed(&[]), Program::Logfmt),
        "jsonl" => (fixed(&[]), Program::Jsonl),
        _ => return None,
    };
    Some(format(FormatKind::Preset, name, schema, program))
}

/// A compiled template: one column per field, strings dictionary-encoded except the last field
/// (the free-text message of every LogPAI format).
pub(super) fn template(spec: &str) -> Result<LogFormat> {
    let template = Template::compile(spec)?;
    let last = template.fields().len().saturating_sub(1);
    let columns = template.fields().iter().enumerate().map(|(i, field)| {
        let ty = match field.ty {
            TemplateType::Int => Int64,
            TemplateType::Float => Float64,
            TemplateType::Text if i == last => Plain,
            TemplateType::Text => Dictionary,
        };
        (field.name.clone(), ty)
    });
    let schema = schema(columns);
    Ok(format(FormatKind::Template, spec, schema, Program::Template(Arc::new(template))))
}
