//! Web server error logs: Apache httpd (the 2.2 format and 2.4's default `ErrorLogFormat`) and
//! nginx. Pure parsers over borrowed bytes; the engine maps their results to columns.

use super::syslog::{civil_micros, clock_at, fraction_at, month_number, two_digits};
use crate::logs::RowError;
use memchr::memmem;

type Fail = (RowError, usize);

/// A run of ASCII digits at `at`, as a `u64`: its value and length. `None` when there is no
/// digit or the value overflows.
fn number_at(text: &[u8], at: usize) -> Option<(u64, usize)> {
    let digits = text.get(at..)?;
    let len = digits.iter().take_while(|b| b.is_ascii_digit()).count();
    if len == 0 || len > 20 {
        return None;
    }
    let mut value = 0u64;
    for &b in &digits[..len] {
        value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some((value, len))
}

/// A signed-integer field (pid, tid): digits that fit an `i64`.
fn id_at(text: &[u8], at: usize) -> Result<(i64, usize), Fail> {
    let short = if at >= text.len() { RowError::TooFewFields } else { RowError::BadNumber };
    let (value, len) = number_at(text, at).ok_or((short, at))?;
    Ok((i64::try_from(value).map_err(|_| (RowError::BadNumber, at))?, len))
}

/// `expected` at `at`, or the error for what is there instead.
fn expect(line: &[u8], at: usize, expected: &[u8]) -> Result<usize, Fail> {
    for (k, &b) in expected.iter().enumerate() {
        match line.get(at + k) {
            Some(&got) if got == b => {}
            Some(_) => return Err((RowError::UnexpectedText, at + k)),
            None => return Err((RowError::TooFewFields, at + k)),
        }
    }
    Ok(at + expected.len())
}

fn non_empty(s: &[u8]) -> Option<&[u8]> {
    (!s.is_empty()).then_some(s)
}

// ---------------------------------------------------------------------------------------------
// Apache httpd

/// Apache's level names (`LogLevel`).
const APACHE_LEVELS: [&[u8]; 16] = [
    b"emerg", b"alert", b"crit", b"error", b"warn", b"notice", b"info", b"debug", b"trace1", b"trace2",
    b"trace3", b"trace4", b"trace5", b"trace6", b"trace7", b"trace8",
];

/// One Apache httpd error log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ApacheError<'a> {
    /// UTC microseconds; the log has no zone, so its local time is taken as UTC.
    pub timestamp: i64,
    /// `core` in `[core:error]` (2.4); `None` in 2.2's `[error]`.
    pub module: Option<&'a [u8]>,
    pub level: &'a [u8],
    pub pid: Option<i64>,
    pub tid: Option<i64>,
    /// The address of `[client ...]` (or of `[remote ...]`, which 2.4 writes when the peer is
    /// not known to be a client, e.g. a proxied backend).
    pub client: Option<&'a [u8]>,
    pub client_port: Option<u16>,
    /// `AH00126` when the message starts with such a code.
    pub error_code: Option<&'a [u8]>,
    pub message: &'a [u8],
}

/// Parses an Apache error log line:
///
/// ```text
/// [Sun Dec 04 04:47:44 2005] [notice] message                                     (2.2)
/// [Sun Dec 04 04:47:44 2005] [error] [client 1.2.3.4] message                     (2.2)
/// [Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1234:tid 5678] [client 1.2.3.4:5678] AH00126: message
/// ```
///
/// After `[time] [module:level]` (module optional, level one of Apache's level names) come, each
/// optional and in this order, as Apache 2.4 writes them: `[pid P]` or `[pid P:tid T]`, a
/// source location `file.c(123): ` (debug levels), an APR status `(111)Connection refused: `,
/// `[client ADDR]` or `[remote ADDR]`, and an `AHnnnnn: ` code.
///
/// The message is everything after the parts that were split out. The message is one slice of
/// the line, so when a source location or status is present it starts there and still contains
/// the `[client ...]` and `AHnnnnn:` that follow (which fill `client` and `error_code` too);
/// nothing of the line is lost. Apache's trailing `, referer: ...` stays in the message.
///
/// The time is `Www Mmm dd hh:mm:ss[.ffffff] yyyy` (`%{u}t` and 2.2's format; the day may be
/// space-padded) or `yyyy-mm-dd hh:mm:ss[.ffffff]` (`%{cu}t`). Addresses: `1.2.3.4`,
/// `1.2.3.4:5678`, `[::1]:5678`, and 2.4's unbracketed `::1:5678`. 2.4 always appends the port,
/// so an unbracketed IPv6 address whose last group is decimal and whose rest is a valid IPv6
/// address is read as address and port (a 2.2 line with `[client 2001:db8::8:1]` is thus read
/// as `2001:db8::8`, port 1).
pub(crate) fn parse_apache_error(line: &[u8]) -> Result<ApacheError<'_>, (RowError, usize)> {
    match line.first() {
        Some(b'[') => {}
        Some(_) => return Err((RowError::UnexpectedText, 0)),
        None => return Err((RowError::TooFewFields, 0)),
    }
    let close = memchr::memchr(b']', line).ok_or((RowError::TooFewFields, line.len()))?;
    let timestamp = apache_time(&line[1..close]).ok_or((RowError::BadTimestamp, 1))?;
    let level_start = expect(line, close + 1, b" [")?;
    let level_end = memchr::memchr(b']', &line[level_start..])
        .map(|i| level_start + i)
        .ok_or((RowError::TooFewFields, line.len()))?;
    let group = &line[level_start..level_end];
    let (module, level, level_at) = match memchr::memchr(b':', group) {
        Some(colon) => (non_empty(&group[..colon]), &group[colon + 1..], level_start + colon + 1),
        None => (None, group, level_start),
    };
    if !APACHE_LEVELS.contains(&level) {
        return Err((RowError::UnexpectedText, level_at));
    }
    let mut i = level_end + 1;
    match line.get(i) {
        None => {}
        Some(b' ') => i += 1,
        Some(_) => return Err((RowError::UnexpectedText, i)),
    }

    let (mut pid, mut tid) = (None, None);
    if line[i..].starts_with(b"[pid ") {
        let (value, len) = id_at(line, i + 5)?;
        pid = Some(value);
        i += 5 + len;
        if line[i..].starts_with(b":tid ") {
            let (value, len) = id_at(line, i + 5)?;
            tid = Some(value);
            i += 5 + len;
        }
        i = expect(line, i, b"]")?;
        match line.get(i) {
            None => {}
            Some(b' ') => i += 1,
            Some(_) => return Err((RowError::UnexpectedText, i)),
        }
    }

    let message_start = i;
    let mut prefixed = false;
    for prefix in [source_location as fn(&[u8]) -> Option<usize>, apr_status] {
        if let Some(len) = prefix(&line[i..]) {
            i += len;
            prefixed = true;
        }
    }
    let (mut client, mut client_port) = (None, None);
    if let Some((address, port, len)) = client_group(&line[i..]) {
        (client, client_port) = (Some(address), port);
        i += len;
    }
    let mut error_code = None;
    if let Some(code) = ah_code(&line[i..]) {
        error_code = Some(code);
        i += code.len() + 1;
        if line.get(i) == Some(&b' ') {
            i += 1;
        }
    }
    let message = &line[if prefixed { message_start } else { i }..];
    Ok(ApacheError { timestamp, module, level, pid, tid, client, client_port, error_code, message })
}

/// `Www Mmm dd hh:mm:ss[.ffffff] yyyy` or `yyyy-mm-dd hh:mm:ss[.ffffff]`, to UTC microseconds.
fn apache_time(text: &[u8]) -> Option<i64> {
    if text.get(4) == Some(&b'-') {
        let year = i64::from(two_digits(text, 0)?) * 100 + i64::from(two_digits(text, 2)?);
        let month = two_digits(text, 5)?;
        let day = two_digits(text, 8)?;
        if text.get(7) != Some(&b'-') || text.get(10) != Some(&b' ') {
            return None;
        }
        let (hour, minute, second) = clock_at(text, 11)?;
        let (micros, fraction_len) = fraction_at(text, 19)?;
        if text.len() != 19 + fraction_len {
            return None;
        }
        return civil_micros(year, month, day, hour, minute, second, micros);
    }
    const WEEKDAYS: [&[u8]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
    let weekday = text.get(..3)?;
    if !WEEKDAYS.iter().any(|d| d.eq_ignore_ascii_case(weekday)) || text.get(3) != Some(&b' ') {
        return None;
    }
    let month = month_number(text.get(4..7)?)?;
    if text.get(7) != Some(&b' ') || text.get(10) != Some(&b' ') {
        return None;
    }
    let day = match (text.get(8)?, text.get(9)?) {
        (b' ', d @ b'1'..=b'9') => d - b'0',
        _ => two_digits(text, 8)?,
    };
    let (hour, minute, second) = clock_at(text, 11)?;
    let (micros, fraction_len) = fraction_at(text, 19)?;
    let at = 19 + fraction_len;
    if text.get(at) != Some(&b' ') || text.len() != at + 5 {
        return None;
    }
    let year = i64::from(two_digits(text, at + 1)?) * 100 + i64::from(two_digits(text, at + 3)?);
    civil_micros(year, month, day, hour, minute, second, micros)
}

/// `file.c(123): ` (Apache's `%F` at debug levels): its length.
fn source_location(text: &[u8]) -> Option<usize> {
    let name_len =
        text.iter().take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')).count();
    if name_len == 0 || !text[..name_len].contains(&b'.') || text.get(name_len) != Some(&b'(') {
        return None;
    }
    let (_, digits) = number_at(text, name_len + 1)?;
    let end = name_len + 1 + digits;
    text.get(end..)?.starts_with(b"): ").then_some(end + 3)
}

/// `(111)Connection refused: ` (an APR status, Apache's `%E`): its length.
fn apr_status(text: &[u8]) -> Option<usize> {
    let rest = text.strip_prefix(b"(")?;
    let sign = usize::from(rest.first() == Some(&b'-'));
    let (_, digits) = number_at(rest, sign)?;
    let after = 1 + sign + digits;
    if text.get(after) != Some(&b')') {
        return None;
    }
    let description = &text[after + 1..];
    let end = memmem::find(description, b": ")?;
    // The description is one phrase; a bracket means the `: ` belongs to a later part.
    if end == 0 || description[..end].contains(&b'[') {
        return None;
    }
    Some(after + 1 + end + 2)
}

/// `[client ADDR] ` or `[remote ADDR] `: the address, the port when there is one, and the
/// group's length including one following space.
fn client_group(text: &[u8]) -> Option<(&[u8], Option<u16>, usize)> {
    let inner_start = 8;
    if !(text.starts_with(b"[client ") || text.starts_with(b"[remote ")) {
        return None;
    }
    let rest = &text[inner_start..];
    let (address, port, len) = if rest.first() == Some(&b'[') {
        // `[v6]` or `[v6]:port`.
        let close = memchr::memchr(b']', rest)?;
        let address = &rest[1..close];
        match rest.get(close + 1)? {
            b']' => (address, None, close + 2),
            b':' => {
                let (port, digits) = number_at(rest, close + 2)?;
                if rest.get(close + 2 + digits) != Some(&b']') {
                    return None;
                }
                (address, Some(u16::try_from(port).ok()?), close + 3 + digits)
            }
            _ => return None,
        }
    } else {
        let close = memchr::memchr(b']', rest)?;
        let (address, port) = split_host_port(&rest[..close])?;
        (address, port, close + 1)
    };
    if address.is_empty() || address.contains(&b' ') {
        return None;
    }
    let len = inner_start + len;
    Some((address, port, len + usize::from(text.get(len) == Some(&b' '))))
}

/// `host`, `host:port`, `v6` or `v6:port` (see [`parse_apache_error`] for the IPv6 rule).
fn split_host_port(text: &[u8]) -> Option<(&[u8], Option<u16>)> {
    let Some(last) = memchr::memrchr(b':', text) else {
        return Some((text, None));
    };
    let port = || {
        let digits = &text[last + 1..];
        if digits.is_empty() || digits.len() > 5 || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        u16::try_from(number_at(digits, 0)?.0).ok()
    };
    let head = &text[..last];
    if memchr::memchr(b':', head).is_none() {
        // One colon: `host:port`, or no port when what follows is not one.
        return Some(match port() {
            Some(port) => (head, Some(port)),
            None => (text, None),
        });
    }
    let is_v6 = |bytes: &[u8]| {
        let address = bytes.split(|&b| b == b'%').next().unwrap_or_default();
        std::str::from_utf8(address).is_ok_and(|s| s.parse::<std::net::Ipv6Addr>().is_ok())
    };
    match port() {
        Some(port) if is_v6(head) => Some((head, Some(port))),
        _ => Some((text, None)),
    }
}

/// `AHnnnnn:` at the start of `text`: the code.
fn ah_code(text: &[u8]) -> Option<&[u8]> {
    let code = text.get(..7)?;
    let ok =
        code.starts_with(b"AH") && code[2..].iter().all(u8::is_ascii_digit) && text.get(7) == Some(&b':');
    ok.then_some(code)
}

// ---------------------------------------------------------------------------------------------
// nginx

const NGINX_LEVELS: [&[u8]; 8] =
    [b"debug", b"info", b"notice", b"warn", b"error", b"crit", b"alert", b"emerg"];

/// The `, key: value` pairs nginx appends to a message, in the order it writes them. `login` is
/// the mail proxy's; `subrequest` and `login` are recognised so that they do not break the
/// split, and are not returned.
const NGINX_KEYS: [&[u8]; 8] =
    [b"client", b"server", b"login", b"upstream", b"request", b"subrequest", b"host", b"referrer"];

/// At most this many `, client: ` occurrences are tried as the start of the trailer (and as many
/// other keys when none works), so a hostile line cannot make the split quadratic.
const MAX_TRAILER_TRIES: usize = 4;

/// One nginx error log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NginxError<'a> {
    /// UTC microseconds; the log has no zone, so its local time is taken as UTC.
    pub timestamp: i64,
    pub level: &'a [u8],
    pub pid: i64,
    pub tid: i64,
    /// The `*N` connection number.
    pub connection: Option<u64>,
    /// The message without the trailing `, key: value` pairs.
    pub message: &'a [u8],
    pub client: Option<&'a [u8]>,
    pub server: Option<&'a [u8]>,
    /// Without its quotes, escapes (if any) kept.
    pub request: Option<&'a [u8]>,
    /// Without quotes when it was quoted.
    pub upstream: Option<&'a [u8]>,
    pub host: Option<&'a [u8]>,
    pub referrer: Option<&'a [u8]>,
}

/// Parses `YYYY/MM/DD HH:MM:SS [level] PID#TID: [*CONN ]message[, client: ..., server: ...]`.
///
/// The trailer: nginx appends `, client: ADDR` first whenever it has a connection, then
/// `server`, `request`, `upstream`, `host`, `referrer` as it knows them (quoted values for
/// request, upstream, host and referrer). The message is split at the first `, client: ` from
/// which the rest of the line reads completely as such pairs; when no `, client: ` works, at the
/// earliest other key from which it does. A pair's value is either quoted (a `"` followed by the
/// end of the line or by the next `, key: ` closes it, so `, ` and `\"` inside are part of the
/// value, and so is an unescaped `"` that does not close it) or unquoted (no space and no quote,
/// up to the next `, key: `). A key may appear once. When no split reads completely, the whole
/// text is the message and the pair fields are `None`: text a request smuggles into a message
/// therefore cannot fake the pairs.
pub(crate) fn parse_nginx_error(line: &[u8]) -> Result<NginxError<'_>, (RowError, usize)> {
    let timestamp = nginx_time(line)?;
    let level_start = expect(line, 19, b" [")?;
    let level_end = memchr::memchr(b']', &line[level_start..])
        .map(|i| level_start + i)
        .ok_or((RowError::TooFewFields, line.len()))?;
    let level = &line[level_start..level_end];
    if !NGINX_LEVELS.contains(&level) {
        return Err((RowError::UnexpectedText, level_start));
    }
    let mut i = expect(line, level_end, b"] ")?;
    let (pid, len) = id_at(line, i)?;
    i = expect(line, i + len, b"#")?;
    let (tid, len) = id_at(line, i)?;
    i = expect(line, i + len, b":")?;
    match line.get(i) {
        None => {}
        Some(b' ') => i += 1,
        Some(_) => return Err((RowError::UnexpectedText, i)),
    }
    let mut connection = None;
    if line.get(i) == Some(&b'*') {
        let (value, len) = number_at(line, i + 1).ok_or((RowError::BadNumber, i + 1))?;
        connection = Some(value);
        i += 1 + len;
        match line.get(i) {
            None => {}
            Some(b' ') => i += 1,
            Some(_) => return Err((RowError::UnexpectedText, i)),
        }
    }
    let text = &line[i..];
    let (end, [client, server, _login, upstream, request, _subrequest, host, referrer]) =
        split_trailer(text).unwrap_or((text.len(), [None; 8]));
    Ok(NginxError {
        timestamp,
        level,
        pid,
        tid,
        connection,
        message: &text[..end],
        client,
        server,
        request,
        upstream,
        host,
        referrer,
    })
}

/// `YYYY/MM/DD HH:MM:SS` at the start of `line`.
fn nginx_time(line: &[u8]) -> Result<i64, Fail> {
    const SHAPE: &[u8; 19] = b"0000/00/00 00:00:00";
    for (k, &shape) in SHAPE.iter().enumerate() {
        let Some(&b) = line.get(k) else {
            return Err((RowError::TooFewFields, k));
        };
        let fits = if shape == b'0' { b.is_ascii_digit() } else { b == shape };
        if !fits {
            return Err((RowError::BadTimestamp, k));
        }
    }
    let parts = (|| {
        let year = i64::from(two_digits(line, 0)?) * 100 + i64::from(two_digits(line, 2)?);
        let (hour, minute, second) = clock_at(line, 11)?;
        civil_micros(year, two_digits(line, 5)?, two_digits(line, 8)?, hour, minute, second, 0)
    })();
    parts.ok_or((RowError::BadTimestamp, 0))
}

type Pairs<'a> = [Option<&'a [u8]>; 8];

/// Where the trailer of `text` starts, and its values by [`NGINX_KEYS`] index.
fn split_trailer(text: &[u8]) -> Option<(usize, Pairs<'_>)> {
    for at in memmem::find_iter(text, b", client: ").take(MAX_TRAILER_TRIES) {
        if let Some(pairs) = read_trailer(text, at) {
            return Some((at, pairs));
        }
    }
    let mut tries = 0;
    for at in memchr::memchr_iter(b',', text) {
        if tries == MAX_TRAILER_TRIES {
            break;
        }
        if matches!(trailer_key(text, at), Some((k, _)) if k != 0) {
            tries += 1;
            if let Some(pairs) = read_trailer(text, at) {
                return Some((at, pairs));
            }
        }
    }
    None
}

/// The pairs from `at` to the end of `text`, or `None` unless all of it reads as pairs.
fn read_trailer(text: &[u8], mut at: usize) -> Option<Pairs<'_>> {
    let mut pairs: Pairs = [None; 8];
    while at < text.len() {
        let (key, value_at) = trailer_key(text, at)?;
        if pairs[key].is_some() {
            return None;
        }
        let (value, next) = if text.get(value_at) == Some(&b'"') {
            quoted_value(text, value_at)?
        } else {
            unquoted_value(text, value_at)?
        };
        pairs[key] = Some(value);
        at = next;
    }
    Some(pairs)
}

/// `, KEY: ` (or `, KEY:` ending the text) at `at`: the key's index and where its value starts.
fn trailer_key(text: &[u8], at: usize) -> Option<(usize, usize)> {
    let rest = text.get(at..)?.strip_prefix(b", ")?;
    NGINX_KEYS.iter().enumerate().find_map(|(k, key)| {
        let after = rest.strip_prefix(*key)?;
        let value_at = at + 2 + key.len();
        match after {
            [b':'] => Some((k, value_at + 1)),
            [b':', b' ', ..] => Some((k, value_at + 2)),
            _ => None,
        }
    })
}

/// A quoted value at `at` (which holds `"`): the text inside the quotes and the offset after the
/// closing one.
fn quoted_value(text: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let mut i = at + 1;
    loop {
        i += memchr::memchr2(b'"', b'\\', text.get(i..)?)?;
        if text[i] == b'\\' {
            i += 2;
            continue;
        }
        if i + 1 == text.len() || trailer_key(text, i + 1).is_some() {
            return Some((&text[at + 1..i], i + 1));
        }
        i += 1;
    }
}

/// An unquoted value at `at`: up to the next `, KEY: ` or the end; `None` when it has a space or
/// a quote (nginx's unquoted values, addresses and server names, have neither).
fn unquoted_value(text: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let mut i = at;
    loop {
        let Some(found) = text.get(i..).and_then(|rest| memchr::memchr3(b',', b' ', b'"', rest)) else {
            return Some((text.get(at..)?, text.len()));
        };
        i += found;
        if text[i] != b',' {
            return None;
        }
        if trailer_key(text, i).is_some() {
            return Some((&text[at..i], i));
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::super::syslog::tests::mutate_all;
    use super::*;

    fn utc(y: i64, mo: u8, d: u8, h: u8, mi: u8, se: u8) -> i64 {
        civil_micros(y, mo, d, h, mi, se, 0).unwrap()
    }

    fn s(bytes: Option<&[u8]>) -> Option<&str> {
        bytes.map(|b| std::str::from_utf8(b).unwrap())
    }

    fn apache(line: &str) -> ApacheError<'_> {
        parse_apache_error(line.as_bytes()).unwrap_or_else(|e| panic!("{e:?}: {line}"))
    }

    fn nginx(line: &str) -> NginxError<'_> {
        parse_nginx_error(line.as_bytes()).unwrap_or_else(|e| panic!("{e:?}: {line}"))
    }

    #[test]
    fn mutated_lines_never_panic_and_offsets_stay_in_the_line() {
        let seeds: [&[u8]; 5] = [
            b"[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1234:tid 5678] [client [::1]:5678] AH00126: m",
            b"[Sun Dec 04 04:47:44 2005] [error] [client 1.2.3.4] Directory index forbidden",
            b"[2012-03-08 19:08:54.329734] [ssl:debug] [pid 1] a.c(12): (111)Refused: [remote ::1:80] AH00001: x",
            b"2023/01/01 12:00:00 [error] 1234#5678: *9 m, client: 1.2.3.4, server: s, request: \"GET /\\\" HTTP/1.1\", host: \"h\"",
            b"2023/01/01 12:00:00 [notice] 1#1: signal process started",
        ];
        mutate_all(&seeds, 60_000, |line| {
            if let Err((_, at)) = parse_apache_error(line) {
                assert!(at <= line.len(), "{at} {line:?}");
            }
            match parse_nginx_error(line) {
                Ok(e) => assert!(e.message.len() <= line.len()),
                Err((_, at)) => assert!(at <= line.len(), "{at} {line:?}"),
            }
        });
    }

    #[test]
    fn apache_22_lines() {
        let e = apache(
            "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties",
        );
        assert_eq!(e.timestamp, utc(2005, 12, 4, 4, 47, 44));
        assert_eq!((e.module, e.level), (None, &b"notice"[..]));
        assert_eq!((e.pid, e.tid, e.client, e.client_port, e.error_code), (None, None, None, None, None));
        assert_eq!(e.message, b"workerEnv.init() ok /etc/httpd/conf/workers2.properties");

        let e = apache(
            "[Sun Dec 04 05:15:09 2005] [error] [client 222.166.160.184] Directory index forbidden by rule: /var/www/html/",
        );
        assert_eq!((s(e.client), e.client_port), (Some("222.166.160.184"), None));
        assert_eq!(e.message, b"Directory index forbidden by rule: /var/www/html/");

        // 2.2 puts the status after the client; it stays in the message.
        let e = apache(
            "[Wed Jan 02 10:00:00 2008] [error] [client 10.0.0.1] (13)Permission denied: access to /x denied, referer: http://a/",
        );
        assert_eq!(s(e.client), Some("10.0.0.1"));
        assert_eq!(e.message, b"(13)Permission denied: access to /x denied, referer: http://a/");
        // A space-padded day and a message-less line.
        let e = apache("[Mon Jan  7 00:00:00 2008] [warn]");
        assert_eq!((e.timestamp, e.message), (utc(2008, 1, 7, 0, 0, 0), &b""[..]));
    }

    #[test]
    fn apache_24_lines() {
        let e = apache(
            "[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1234:tid 5678] [client 1.2.3.4:5678] AH00126: Invalid URI in request GET /../ HTTP/1.1",
        );
        assert_eq!(e.timestamp, utc(2000, 10, 11, 14, 32, 52) + 123_456);
        assert_eq!((s(e.module), e.level), (Some("core"), &b"error"[..]));
        assert_eq!((e.pid, e.tid), (Some(1234), Some(5678)));
        assert_eq!((s(e.client), e.client_port), (Some("1.2.3.4"), Some(5678)));
        assert_eq!(s(e.error_code), Some("AH00126"));
        assert_eq!(e.message, b"Invalid URI in request GET /../ HTTP/1.1");

        let e = apache(
            "[Fri Sep 09 10:42:29.902022 2011] [mpm_event:notice] [pid 9] AH00489: Apache/2.4.1 configured",
        );
        assert_eq!((e.pid, e.tid, e.client), (Some(9), None, None));
        assert_eq!((s(e.error_code), e.message), (Some("AH00489"), &b"Apache/2.4.1 configured"[..]));

        let e = apache(
            "[Thu May 12 08:28:57.652118 2011] [core:error] [pid 8777:tid 4326490112] [client ::1:58619] File does not exist: /usr/local/apache2/htdocs/favicon.ico",
        );
        assert_eq!((s(e.client), e.client_port), (Some("::1"), Some(58619)));
        assert_eq!(e.error_code, None);
        assert_eq!(e.message, b"File does not exist: /usr/local/apache2/htdocs/favicon.ico");

        let e = apache(
            "[Thu May 12 08:28:57 2011] [proxy:error] [pid 1] [remote 10.0.0.5:8080] AH01102: error reading status line",
        );
        assert_eq!(
            (s(e.client), e.client_port, s(e.error_code)),
            (Some("10.0.0.5"), Some(8080), Some("AH01102"))
        );

        let e = apache(
            "[Thu May 12 08:28:57 2011] [ssl:info] [pid 1] [client [2001:db8::1]:443] AH01964: Connection",
        );
        assert_eq!((s(e.client), e.client_port), (Some("2001:db8::1"), Some(443)));
        let e = apache("[Thu May 12 08:28:57 2011] [ssl:info] [pid 1] [client [2001:db8::1]] x");
        assert_eq!((s(e.client), e.client_port, e.message), (Some("2001:db8::1"), None, &b"x"[..]));
        let e = apache("[Thu May 12 08:28:57 2011] [ssl:info] [pid 1] [client ::ffff:10.1.2.3:50000] x");
        assert_eq!((s(e.client), e.client_port), (Some("::ffff:10.1.2.3"), Some(50000)));
        // Unbracketed IPv6 without a port stays whole.
        let e = apache("[Thu May 12 08:28:57 2011] [error] [client 2001:db8::1] x");
        assert_eq!((s(e.client), e.client_port), (Some("2001:db8::1"), None));
        let e = apache("[Thu May 12 08:28:57 2011] [error] [client fe80::1%eth0:80] x");
        assert_eq!((s(e.client), e.client_port), (Some("fe80::1%eth0"), Some(80)));
        let e = apache("[Thu May 12 08:28:57 2011] [error] [client host.example:99999] x");
        assert_eq!((s(e.client), e.client_port), (Some("host.example:99999"), None));
        // %{cu}t time and an empty module.
        let e = apache("[2012-03-08 19:08:54.329734] [:trace1] [pid 3] x");
        assert_eq!(e.timestamp, utc(2012, 3, 8, 19, 8, 54) + 329_734);
        assert_eq!((e.module, e.level), (None, &b"trace1"[..]));
    }

    #[test]
    fn apache_24_source_and_status_prefixes_stay_in_the_message() {
        let e = apache(
            "[Tue Jan 03 10:00:00.123456 2023] [proxy_http:error] [pid 2034:tid 139] (70007)The timeout specified has expired: [client 10.0.0.1:5555] AH01102: error reading status line from remote server 127.0.0.1:8080",
        );
        assert_eq!(
            (s(e.client), e.client_port, s(e.error_code)),
            (Some("10.0.0.1"), Some(5555), Some("AH01102"))
        );
        assert_eq!(
            e.message,
            b"(70007)The timeout specified has expired: [client 10.0.0.1:5555] AH01102: error reading status line from remote server 127.0.0.1:8080"
        );
        let e = apache(
            "[Tue Jan 03 10:00:00 2023] [proxy:error] [pid 1:tid 2] (111)Connection refused: AH00957: HTTP: attempt to connect failed",
        );
        assert_eq!((e.client, s(e.error_code)), (None, Some("AH00957")));
        assert_eq!(e.message, b"(111)Connection refused: AH00957: HTTP: attempt to connect failed");
        let e = apache(
            "[Tue Jan 03 10:00:00 2023] [ssl:debug] [pid 1:tid 2] ssl_engine_kernel.c(2385): [client 1.2.3.4:5] AH02043: SSL virtual host for servername x found",
        );
        assert_eq!((s(e.client), s(e.error_code)), (Some("1.2.3.4"), Some("AH02043")));
        assert!(e.message.starts_with(b"ssl_engine_kernel.c(2385): [client"));
        let e = apache("[Tue Jan 03 10:00:00 2023] [core:debug] [pid 1] protocol.c(1)");
        assert_eq!(e.message, b"protocol.c(1)");
        // Not prefixes: a status whose `: ` is after a bracket, a name without a dot.
        let e = apache("[Tue Jan 03 10:00:00 2023] [core:error] [pid 1] (1)x [client 1.2.3.4:5] y: z");
        assert_eq!((e.client, e.message), (None, &b"(1)x [client 1.2.3.4:5] y: z"[..]));
        let e = apache("[Tue Jan 03 10:00:00 2023] [core:error] [pid 1] main(1): [client 1.2.3.4:5] y");
        assert_eq!(e.client, None);
    }

    #[test]
    fn apache_malformed_lines() {
        for (line, why, at) in [
            ("", RowError::TooFewFields, 0),
            ("hello", RowError::UnexpectedText, 0),
            ("[Sun Dec 04 04:47:44 2005", RowError::TooFewFields, 25),
            ("[Sun Dec 04 04:47:44 2005]", RowError::TooFewFields, 26),
            ("[Sun Dec 04 04:47:44 2005] notice", RowError::UnexpectedText, 27),
            ("[Sun Dec 04 04:47:44 2005] [notice", RowError::TooFewFields, 34),
            ("[Sun Dec 04 04:47:44 2005] [loud] x", RowError::UnexpectedText, 28),
            ("[Sun Dec 04 04:47:44 2005] [core:loud] x", RowError::UnexpectedText, 33),
            ("[Sun Dec 04 04:47:44 2005] [error]x", RowError::UnexpectedText, 34),
            ("[Sun Dec 32 04:47:44 2005] [error] x", RowError::BadTimestamp, 1),
            ("[Sun Feb 29 04:47:44 2005] [error] x", RowError::BadTimestamp, 1),
            ("[Sun Dec 04 24:47:44 2005] [error] x", RowError::BadTimestamp, 1),
            ("[Sux Dec 04 04:47:44 2005] [error] x", RowError::BadTimestamp, 1),
            ("[Sun Dec 04 04:47:44 05] [error] x", RowError::BadTimestamp, 1),
            ("[Sun Dec 04 04:47:44.1234567890 2005] [error] x", RowError::BadTimestamp, 1),
            ("[Sun Dec  4 04:47:44 2005 ] [error] x", RowError::BadTimestamp, 1),
            ("[2012-03-08 19:08:54.] [error] x", RowError::BadTimestamp, 1),
            ("[] [error] x", RowError::BadTimestamp, 1),
            ("[Sun Dec 04 04:47:44 2005] [core:error] [pid x] m", RowError::BadNumber, 45),
            ("[Sun Dec 04 04:47:44 2005] [core:error] [pid 1:tid] m", RowError::UnexpectedText, 46),
            ("[Sun Dec 04 04:47:44 2005] [core:error] [pid 1:tid 2 m", RowError::UnexpectedText, 52),
            ("[Sun Dec 04 04:47:44 2005] [core:error] [pid 99999999999999999999] m", RowError::BadNumber, 45),
            ("[Sun Dec 04 04:47:44 2005] [core:error] [pid 1]m", RowError::UnexpectedText, 47),
            ("[Sun Dec 04 04:47:44 2005] [core:error] [pid ", RowError::TooFewFields, 45),
        ] {
            assert_eq!(parse_apache_error(line.as_bytes()).err(), Some((why, at)), "{line}");
        }
        // A broken client group is message text, not an error.
        let e = apache("[Sun Dec 04 04:47:44 2005] [error] [client 1.2.3.4 broken");
        assert_eq!((e.client, e.message), (None, &b"[client 1.2.3.4 broken"[..]));
        let e = apache("[Sun Dec 04 04:47:44 2005] [error] [client ] x");
        assert_eq!(e.client, None);
        assert!(parse_apache_error(b"[\xff\xfe] [error] x").is_err());
    }

    fn loghub(name: &str) -> Option<Vec<u8>> {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/logs/loghub").join(name);
        std::fs::read(path).ok()
    }

    #[test]
    fn every_loghub_apache_line_parses() {
        let Some(data) = loghub("Apache/Apache_2k.log") else {
            eprintln!("skipped: ../shared/data/logs/loghub is absent");
            return;
        };
        let (mut count, mut clients, mut seconds) = (0, 0, 0i64);
        for (n, line) in data.split(|&b| b == b'\n').enumerate() {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let e = parse_apache_error(line)
                .unwrap_or_else(|err| panic!("line {}: {err:?}: {}", n + 1, String::from_utf8_lossy(line)));
            assert!(e.level == b"notice" || e.level == b"error", "line {}", n + 1);
            assert!(!e.message.is_empty() && !e.message.starts_with(b"["), "line {}", n + 1);
            assert_eq!(e.timestamp % 1_000_000, 0);
            seconds += e.timestamp / 1_000_000;
            clients += usize::from(e.client.is_some());
            count += 1;
        }
        assert_eq!((count, clients), (2000, 32));
        // The sum of every line's time as computed by Python's strptime and calendar.timegm.
        assert_eq!(seconds, 2_267_474_159_449);
        let first = apache(
            "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties",
        );
        assert_eq!(first.timestamp, utc(2005, 12, 4, 4, 47, 44));
    }

    #[test]
    fn nginx_lines_with_every_pair() {
        let e = nginx(
            r#"2023/01/01 12:00:00 [error] 1234#5678: *9 connect() failed (111: Connection refused) while connecting to upstream, client: 1.2.3.4, server: example.com, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8080/", host: "example.com", referrer: "http://x/""#,
        );
        assert_eq!(e.timestamp, utc(2023, 1, 1, 12, 0, 0));
        assert_eq!((e.level, e.pid, e.tid, e.connection), (&b"error"[..], 1234, 5678, Some(9)));
        assert_eq!(e.message, b"connect() failed (111: Connection refused) while connecting to upstream");
        assert_eq!(s(e.client), Some("1.2.3.4"));
        assert_eq!(s(e.server), Some("example.com"));
        assert_eq!(s(e.request), Some("GET / HTTP/1.1"));
        assert_eq!(s(e.upstream), Some("http://127.0.0.1:8080/"));
        assert_eq!(s(e.host), Some("example.com"));
        assert_eq!(s(e.referrer), Some("http://x/"));
    }

    #[test]
    fn nginx_lines_without_pairs_or_connection() {
        let e = nginx("2023/01/01 12:00:00 [notice] 1#1: signal process started");
        assert_eq!((e.pid, e.tid, e.connection), (1, 1, None));
        assert_eq!(e.message, b"signal process started");
        assert_eq!((e.client, e.server, e.request), (None, None, None));
        let e = nginx(
            "2023/01/01 12:00:00 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)",
        );
        assert_eq!(e.level, b"emerg");
        let e = nginx("2023/01/01 12:00:00 [info] 1#1: *1");
        assert_eq!((e.connection, e.message), (Some(1), &b""[..]));
        let e = nginx("2023/01/01 12:00:00 [warn] 1#1:");
        assert_eq!(e.message, b"");
    }

    #[test]
    fn nginx_pair_values_with_commas_quotes_and_escapes() {
        let e = nginx(
            r#"2023/01/01 12:00:00 [error] 7#7: *3 open() "/srv/a, b" failed (2: No such file or directory), client: 10.0.0.1, server: , request: "GET /a,%20b?x=\"y\", z HTTP/1.1", host: "h""#,
        );
        assert_eq!(e.message, br#"open() "/srv/a, b" failed (2: No such file or directory)"#);
        assert_eq!(s(e.server), Some(""));
        assert_eq!(s(e.request), Some(r#"GET /a,%20b?x=\"y\", z HTTP/1.1"#));
        assert_eq!(s(e.host), Some("h"));
        // An unescaped quote inside a request does not close it.
        let e = nginx(
            r#"2023/01/01 12:00:00 [error] 7#7: *3 m, client: ::1, server: s, request: "GET /"x" HTTP/1.1", host: "h""#,
        );
        assert_eq!((s(e.client), s(e.request)), (Some("::1"), Some(r#"GET /"x" HTTP/1.1"#)));
        // A fake trailer inside the message does not read to the end, so the real one is used.
        let e = nginx(
            r#"2023/01/01 12:00:00 [error] 7#7: *3 open() "/x, client: 6.6.6.6" failed (2: No such file), client: 1.2.3.4, server: s, request: "GET /x, client: 6.6.6.6 HTTP/1.1""#,
        );
        assert_eq!(e.message, br#"open() "/x, client: 6.6.6.6" failed (2: No such file)"#);
        assert_eq!(s(e.client), Some("1.2.3.4"));
        assert_eq!(s(e.request), Some("GET /x, client: 6.6.6.6 HTTP/1.1"));
        // No client: the earliest other key that reads to the end.
        let e = nginx(r#"2023/01/01 12:00:00 [error] 7#7: a, b, server: s, host: "h""#);
        assert_eq!((e.message, s(e.server), s(e.host)), (&b"a, b"[..], Some("s"), Some("h")));
        // Pairs that do not read to the end leave everything in the message.
        for tail in
            [", client: 1.2.3.4 extra", ", client: 1.2.3.4, unknown: x", ", client: 1, request: \"open"]
        {
            let line = format!("2023/01/01 12:00:00 [error] 7#7: m{tail}");
            let e = nginx(&line);
            assert_eq!(e.message, format!("m{tail}").as_bytes());
            assert_eq!(e.client, None);
        }
        // A key may appear once, so the pairs start at the second `, client: `.
        let e = nginx("2023/01/01 12:00:00 [error] 7#7: m, client: 1.2.3.4, client: 5.6.7.8");
        assert_eq!((e.message, s(e.client)), (&b"m, client: 1.2.3.4"[..], Some("5.6.7.8")));
        // A trailing empty server with its space trimmed.
        let e = nginx("2023/01/01 12:00:00 [error] 7#7: m, client: 1.2.3.4, server:");
        assert_eq!((e.message, s(e.server)), (&b"m"[..], Some("")));
        // Subrequest and login are recognised and dropped.
        let e = nginx(
            r#"2023/01/01 12:00:00 [error] 7#7: m, client: c, server: s, request: "GET / HTTP/1.1", subrequest: "/auth", host: "h""#,
        );
        assert_eq!((s(e.request), s(e.host)), (Some("GET / HTTP/1.1"), Some("h")));
    }

    #[test]
    fn nginx_malformed_lines() {
        for (line, why, at) in [
            ("", RowError::TooFewFields, 0),
            ("2023/01/01", RowError::TooFewFields, 10),
            ("hello world", RowError::BadTimestamp, 0),
            ("2023-01-01 12:00:00 [error] 1#1: m", RowError::BadTimestamp, 4),
            ("2023/13/01 12:00:00 [error] 1#1: m", RowError::BadTimestamp, 0),
            ("2023/02/29 12:00:00 [error] 1#1: m", RowError::BadTimestamp, 0),
            ("2023/01/01 12:60:00 [error] 1#1: m", RowError::BadTimestamp, 0),
            ("2023/01/01 12:00:00", RowError::TooFewFields, 19),
            ("2023/01/01 12:00:00 error 1#1: m", RowError::UnexpectedText, 20),
            ("2023/01/01 12:00:00 [oops] 1#1: m", RowError::UnexpectedText, 21),
            ("2023/01/01 12:00:00 [error", RowError::TooFewFields, 26),
            ("2023/01/01 12:00:00 [error]1#1: m", RowError::UnexpectedText, 27),
            ("2023/01/01 12:00:00 [error] x#1: m", RowError::BadNumber, 28),
            ("2023/01/01 12:00:00 [error] 1:1: m", RowError::UnexpectedText, 29),
            ("2023/01/01 12:00:00 [error] 1#: m", RowError::BadNumber, 30),
            ("2023/01/01 12:00:00 [error] 1#1 m", RowError::UnexpectedText, 31),
            ("2023/01/01 12:00:00 [error] 1#1:m", RowError::UnexpectedText, 32),
            ("2023/01/01 12:00:00 [error] 1#1: *x m", RowError::BadNumber, 34),
            ("2023/01/01 12:00:00 [error] 1#1: *1m", RowError::UnexpectedText, 35),
            ("2023/01/01 12:00:00 [error] 1#", RowError::TooFewFields, 30),
            ("2023/01/01 12:00:00 [error] 99999999999999999999#1: m", RowError::BadNumber, 28),
        ] {
            assert_eq!(parse_nginx_error(line.as_bytes()).err(), Some((why, at)), "{line}");
        }
    }

    #[test]
    fn hostile_trailers_stay_linear() {
        // Many `, client: ` and quotes: the tries are bounded, so this finishes at once and
        // leaves the text as the message.
        let mut line = b"2023/01/01 12:00:00 [error] 1#1: m".to_vec();
        for _ in 0..20_000 {
            line.extend_from_slice(b", client: a, request: \"x");
        }
        let e = parse_nginx_error(&line).unwrap();
        assert_eq!(e.client, None);
        assert_eq!(e.message.len(), line.len() - 33);
    }
}
