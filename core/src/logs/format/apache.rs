//! Apache `LogFormat` strings (mod_log_config): `%h %l %u %t \"%r\" %>s %b ...`.

use super::{Builder, FieldKind, FormatKind, LogFormat, column_name};
use crate::{Error, ErrorKind, Result};

pub(super) fn compile(spec: &str, vhost_prefix: bool) -> Result<LogFormat> {
    let mut builder = Builder::new(FormatKind::Apache, spec, vhost_prefix);
    let bytes = spec.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if i + 1 < bytes.len() => {
                // Apache's config parser unescapes these before mod_log_config sees the string.
                let unescaped = match bytes[i + 1] {
                    b'n' => b'\n',
                    b't' => b'\t',
                    other => other,
                };
                builder.literal(&[unescaped]);
                i += 2;
            }
            b'%' => i = directive(spec, i + 1, &mut builder)?,
            _ => {
                let end =
                    bytes[i..].iter().position(|&b| b == b'%' || b == b'\\').map_or(bytes.len(), |p| i + p);
                // A lone trailing backslash is literal text.
                let end = end.max(i + 1);
                builder.literal(&bytes[i..end]);
                i = end;
            }
        }
    }
    builder.finish()
}

fn bad(spec: &str, at: usize, what: &str) -> Error {
    Error::new(ErrorKind::Parse, format!("Apache LogFormat {spec:?}: {what} at byte {at}"))
        .at_offset(at as u64)
}

/// Compiles the directive that starts after a `%` at `start`; returns where the text resumes.
fn directive(spec: &str, start: usize, builder: &mut Builder) -> Result<usize> {
    let bytes = spec.as_bytes();
    let mut i = start;
    // Modifiers: `<` / `>` (original or final request) and status conditions (`400,501` or
    // `!200`): they select which requests log the value, not its shape.
    while i < bytes.len() && matches!(bytes[i], b'<' | b'>' | b'!' | b',' | b'0'..=b'9') {
        i += 1;
    }
    let mut argument = None;
    if bytes.get(i) == Some(&b'{') {
        let close = bytes[i..].iter().position(|&b| b == b'}').ok_or_else(|| bad(spec, i, "unclosed `{`"))?;
        argument = Some(&spec[i + 1..i + close]);
        i += close + 1;
        while i < bytes.len() && matches!(bytes[i], b'<' | b'>') {
            i += 1;
        }
    }
    let Some(&letter) = bytes.get(i) else {
        return Err(bad(spec, start - 1, "`%` at the end of the format"));
    };
    if letter == b'%' {
        builder.literal(b"%");
        return Ok(i + 1);
    }
    let (kind, name): (FieldKind, String) = match (letter, argument) {
        (b'h', _) => (FieldKind::Text, "client".into()),
        (b'a', None) => (FieldKind::Text, "remote_ip".into()),
        (b'a', Some(_)) => (FieldKind::Text, "peer_ip".into()),
        (b'A', _) => (FieldKind::Text, "local_ip".into()),
        (b'l', _) => (FieldKind::Text, "ident".into()),
        (b'u', _) => (FieldKind::Text, "user".into()),
        (b't', None) => {
            builder.literal(b"[");
            builder.field(FieldKind::ClfTime, "timestamp")?;
            builder.literal(b"]");
            return Ok(i + 1);
        }
        (b't', Some(arg)) => {
            let arg = arg.trim_start_matches("begin:").trim_start_matches("end:");
            match arg {
                "sec" => (FieldKind::EpochSeconds, "timestamp".into()),
                "msec" => (FieldKind::EpochMillis, "timestamp".into()),
                "usec" => (FieldKind::EpochMicros, "timestamp".into()),
                "%Y-%m-%dT%H:%M:%S%z" | "%FT%T%z" => (FieldKind::Iso8601Time, "timestamp".into()),
                "%d/%b/%Y:%H:%M:%S %z" => (FieldKind::ClfTime, "timestamp".into()),
                // A field ends at the text after it; a pattern with a space in it would be cut
                // at that space on every line, so it is refused rather than misparsed.
                pattern if pattern.contains(char::is_whitespace) => {
                    return Err(bad(
                        spec,
                        i,
                        "a %{...}t time pattern with spaces is supported only as \"%d/%b/%Y:%H:%M:%S %z\" (or use %t)",
                    ));
                }
                _ => (FieldKind::Text, "time".into()),
            }
        }
        (b'r', _) => (FieldKind::Request, "request".into()),
        (b's', _) => (FieldKind::Status, "status".into()),
        (b'b' | b'B', _) => (FieldKind::Bytes, "bytes".into()),
        (b'O', _) => (FieldKind::Bytes, "bytes_sent".into()),
        (b'I', _) => (FieldKind::Bytes, "bytes_received".into()),
        (b'S', _) => (FieldKind::Bytes, "bytes_transferred".into()),
        (b'D', _) => (FieldKind::Float, "duration_us".into()),
        (b'T', None | Some("s")) => (FieldKind::Float, "duration_s".into()),
        (b'T', Some("ms")) => (FieldKind::Float, "duration_ms".into()),
        (b'T', Some("us")) => (FieldKind::Float, "duration_us".into()),
        (b'i', Some(header)) => (FieldKind::Text, column_name(header)),
        (b'o', Some(header)) => (FieldKind::Text, format!("resp_{}", column_name(header))),
        (b'C', Some(cookie)) => (FieldKind::Text, format!("cookie_{}", column_name(cookie))),
        (b'e', Some(var)) => (FieldKind::Text, format!("env_{}", column_name(var))),
        (b'n', Some(note)) => (FieldKind::Text, format!("note_{}", column_name(note))),
        (b'v', _) => (FieldKind::Text, "vhost".into()),
        (b'V', _) => (FieldKind::Text, "server_name".into()),
        (b'p', _) => (FieldKind::Int, "port".into()),
        (b'P', _) => (FieldKind::Int, "pid".into()),
        (b'k', _) => (FieldKind::Int, "keepalive".into()),
        (b'm', _) => (FieldKind::Text, "method".into()),
        (b'U', _) => (FieldKind::Text, "path".into()),
        (b'q', _) => (FieldKind::Text, "query".into()),
        (b'H', _) => (FieldKind::Text, "protocol".into()),
        (b'f', _) => (FieldKind::Text, "filename".into()),
        (b'X', _) => (FieldKind::Text, "conn_status".into()),
        (b'L', _) => (FieldKind::Text, "log_id".into()),
        (b'R', _) => (FieldKind::Text, "handler".into()),
        (letter, _) if letter.is_ascii_alphabetic() => (FieldKind::Text, format!("{}", letter as char)),
        _ => return Err(bad(spec, i, "unknown directive")),
    };
    builder.field(kind, &name)?;
    Ok(i + 1)
}

#[cfg(test)]
mod tests {
    use super::super::Item;
    use crate::logs::{ColumnType, LogFormat};

    #[test]
    fn the_combined_log_format_compiles_to_the_preset_columns() {
        let apache =
            LogFormat::apache(r#"%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\""#).unwrap();
        let preset = LogFormat::preset("combined").unwrap();
        let mut preset_names = preset.column_names();
        preset_names.retain(|n| *n != "vhost");
        assert_eq!(apache.column_names(), preset_names);
        // The same program, its columns shifted by the preset's `vhost`.
        let shifted: Vec<Item> = apache
            .items
            .iter()
            .map(|item| match item {
                Item::Field { kind, column } => Item::Field { kind: *kind, column: column + 1 },
                literal => literal.clone(),
            })
            .collect();
        assert_eq!(shifted, preset.items);
    }

    #[test]
    fn directives_map_to_typed_columns() {
        let format =
            LogFormat::apache(r#"%a %{X-Forwarded-For}i %D %T %{ms}T %p %P %{Foo}o %z %% %{msec}t"#).unwrap();
        let columns: Vec<(&str, ColumnType)> =
            format.schema().iter().map(|c| (c.name.as_str(), c.ty)).collect();
        assert_eq!(
            columns,
            [
                ("line", ColumnType::UInt64),
                ("remote_ip", ColumnType::Dictionary),
                ("x_forwarded_for", ColumnType::Dictionary),
                ("duration_us", ColumnType::Float64),
                ("duration_s", ColumnType::Float64),
                ("duration_ms", ColumnType::Float64),
                ("port", ColumnType::Int64),
                ("pid", ColumnType::Int64),
                ("resp_foo", ColumnType::Dictionary),
                ("z", ColumnType::Dictionary),
                ("timestamp", ColumnType::Timestamp),
                ("tz_offset", ColumnType::Int16),
                ("error", ColumnType::Dictionary),
                ("error_offset", ColumnType::UInt64),
            ]
        );
    }

    #[test]
    fn status_conditions_and_modifiers_are_accepted() {
        let format = LogFormat::apache(r#"%400,501{User-agent}i %!200s %<s"#).unwrap();
        assert_eq!(format.column_names()[1..4], ["user_agent", "status", "status_2"]);
    }

    #[test]
    fn strftime_times_are_typed_or_refused() {
        let clf = LogFormat::apache("%{%d/%b/%Y:%H:%M:%S %z}t %>s").unwrap();
        assert_eq!(clf.schema()[1].ty, ColumnType::Timestamp);
        let err = LogFormat::apache("%{%Y-%m-%d %H:%M:%S}t %h %>s").unwrap_err();
        assert!(err.message().contains("spaces"), "{err}");
        assert_eq!(LogFormat::apache("%{%Y%m%d}t %>s").unwrap().column_names()[1], "time");
    }

    #[test]
    fn malformed_format_strings_are_parse_errors() {
        for bad in ["%h %", "%{Referer i", "%h %~", "%h%u"] {
            let err = LogFormat::apache(bad).unwrap_err();
            assert_eq!(err.code(), "FERRULE_PARSE", "{bad}");
        }
    }
}
