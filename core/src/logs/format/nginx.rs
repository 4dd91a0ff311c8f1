//! nginx `log_format` strings: `$remote_addr - $remote_user [$time_local] "$request" ...`.

use super::{Builder, FieldKind, FormatKind, LogFormat, column_name};
use crate::{Error, ErrorKind, Result};

pub(super) fn compile(spec: &str) -> Result<LogFormat> {
    let text = unquote(spec)?;
    let mut builder = Builder::new(FormatKind::Nginx, spec, false);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            let end = bytes[i..].iter().position(|&b| b == b'$').map_or(bytes.len(), |p| i + p);
            builder.literal(&bytes[i..end]);
            i = end;
            continue;
        }
        let (name, next) = if bytes.get(i + 1) == Some(&b'{') {
            let close = bytes[i..].iter().position(|&b| b == b'}').ok_or_else(|| {
                Error::new(ErrorKind::Parse, format!("nginx log_format {spec:?}: unclosed `${{`"))
            })?;
            (&text[i + 2..i + close], i + close + 1)
        } else {
            let len = bytes[i + 1..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
            (&text[i + 1..i + 1 + len], i + 1 + len)
        };
        if name.is_empty() {
            // nginx itself treats a `$` not followed by a name as text.
            builder.literal(b"$");
            i += 1;
            continue;
        }
        let (kind, column) = variable(name);
        builder.field(kind, &column)?;
        i = next;
    }
    builder.finish()
}

/// The format text: the single-quoted parts of a `nginx.conf` line joined, or the string itself.
fn unquote(spec: &str) -> Result<String> {
    let mut rest = spec.trim();
    if let Some(after) = rest.strip_prefix("log_format") {
        // `log_format NAME [escape=...] '...' ...;`
        let after = after.trim_start();
        let name_end = after.find(char::is_whitespace).unwrap_or(after.len());
        rest = after[name_end..].trim_start();
        if let Some(after_escape) = rest.strip_prefix("escape=") {
            let end = after_escape.find(char::is_whitespace).unwrap_or(after_escape.len());
            rest = after_escape[end..].trim_start();
        }
    }
    let rest = rest.strip_suffix(';').unwrap_or(rest).trim_end();
    if !rest.starts_with('\'') {
        return Ok(rest.to_owned());
    }
    let mut out = String::new();
    let mut parts = rest;
    while !parts.is_empty() {
        let Some(body) = parts.strip_prefix('\'') else {
            return Err(Error::new(
                ErrorKind::Parse,
                format!("nginx log_format {spec:?}: text outside the quoted parts: {parts:?}"),
            ));
        };
        let close = body.find('\'').ok_or_else(|| {
            Error::new(ErrorKind::Parse, format!("nginx log_format {spec:?}: unterminated quote"))
        })?;
        out.push_str(&body[..close]);
        parts = body[close + 1..].trim_start();
    }
    Ok(out)
}

/// The field kind and column name of an nginx variable; unknown variables are string columns
/// named after the variable.
fn variable(name: &str) -> (FieldKind, String) {
    let fixed = |kind, column: &str| (kind, column.to_owned());
    match name {
        "remote_addr" => fixed(FieldKind::Text, "client"),
        "remote_user" => fixed(FieldKind::Text, "user"),
        "time_local" => fixed(FieldKind::ClfTime, "timestamp"),
        "time_iso8601" => fixed(FieldKind::Iso8601Time, "timestamp"),
        "msec" => fixed(FieldKind::EpochSeconds, "timestamp"),
        "request" => fixed(FieldKind::Request, "request"),
        "status" => fixed(FieldKind::Status, "status"),
        "body_bytes_sent" => fixed(FieldKind::Bytes, "bytes"),
        "bytes_sent" | "request_length" | "content_length" => (FieldKind::Bytes, name.to_owned()),
        "http_referer" => fixed(FieldKind::Text, "referer"),
        "http_user_agent" => fixed(FieldKind::Text, "user_agent"),
        "request_method" => fixed(FieldKind::Text, "method"),
        "request_uri" => fixed(FieldKind::Text, "path"),
        "server_protocol" => fixed(FieldKind::Text, "protocol"),
        "request_time" | "gzip_ratio" => (FieldKind::Float, name.to_owned()),
        "upstream_response_time" | "upstream_connect_time" | "upstream_header_time" => {
            (FieldKind::FloatList, name.to_owned())
        }
        "connection" | "connection_requests" | "pid" | "server_port" | "remote_port" | "status_code" => {
            (FieldKind::Int, name.to_owned())
        }
        other => (FieldKind::Text, column_name(other.strip_prefix("http_").unwrap_or(other))),
    }
}

#[cfg(test)]
mod tests {
    use crate::logs::{ColumnType, LogFormat};

    #[test]
    fn the_default_combined_format_matches_the_preset() {
        let nginx = LogFormat::nginx(
            r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#,
        )
        .unwrap();
        assert_eq!(
            nginx.column_names(),
            [
                "line",
                "client",
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
    }

    #[test]
    fn nginx_conf_quoting_is_accepted() {
        let conf = r#"log_format main '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';"#;
        let format = LogFormat::nginx(conf).unwrap();
        assert_eq!(
            format.column_names().last_chunk::<3>().unwrap(),
            &["x_forwarded_for", "error", "error_offset"]
        );
        assert_eq!(format.spec(), conf);
        let quoted = LogFormat::nginx("'$remote_addr $status'").unwrap();
        assert_eq!(quoted.column_names()[1..3], ["client", "status"]);
        assert_eq!(LogFormat::nginx("'$status").unwrap_err().code(), "FERRULE_PARSE");
        assert_eq!(LogFormat::nginx("'$status' x").unwrap_err().code(), "FERRULE_PARSE");
    }

    #[test]
    fn variables_are_typed() {
        let format = LogFormat::nginx(
            "${msec} $request_time $upstream_response_time $pid $host $http_x_real_ip $ cost",
        )
        .unwrap();
        let columns: Vec<(&str, ColumnType)> =
            format.schema().iter().map(|c| (c.name.as_str(), c.ty)).collect();
        assert_eq!(
            columns[1..9],
            [
                ("timestamp", ColumnType::Timestamp),
                ("tz_offset", ColumnType::Int16),
                ("request_time", ColumnType::Float64),
                ("upstream_response_time", ColumnType::Float64),
                ("pid", ColumnType::Int64),
                ("host", ColumnType::Dictionary),
                ("x_real_ip", ColumnType::Dictionary),
                ("error", ColumnType::Dictionary),
            ]
        );
        assert_eq!(LogFormat::nginx("${msec").unwrap_err().code(), "FERRULE_PARSE");
    }
}
