//! Syslog lines: BSD syslog (RFC 3164) and RFC 5424, RFC 5424 structured data, and RFC 6587
//! octet-counted framing. Pure parsers over borrowed bytes; the engine maps their results to
//! columns.

use crate::logs::RowError;
use crate::logs::fields::{days_from_civil, parse_iso8601};
use crate::{Error, ErrorKind};

/// Microseconds in a second.
const US: i64 = 1_000_000;

/// The largest PRI: facility 23, severity 7.
const MAX_PRI: u16 = 191;

/// Fraction digits accepted after the seconds (nanoseconds); more is not a timestamp any sender
/// writes.
const MAX_FRACTION_DIGITS: usize = 9;

/// The largest octet-counted frame accepted. A bigger length prefix is far more likely a
/// desynchronised stream than a real message, and honouring it would buffer that much input.
const MAX_FRAME_LEN: usize = 64 << 20;

type Fail = (RowError, usize);

// ---------------------------------------------------------------------------------------------
// Calendar helpers, shared with the error-log parsers.

pub(super) fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub(super) fn days_in_month(year: i64, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// UTC microseconds of a calendar time, or `None` when a part is out of range (second 60, a
/// leap second, is accepted as `strptime` does) or the result does not fit an `i64`.
pub(super) fn civil_micros(
    year: i64,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    micros: u32,
) -> Option<i64> {
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
        || micros >= 1_000_000
    {
        return None;
    }
    // Years far outside any log's range would overflow the multiplication below.
    if !(-200_000..=200_000).contains(&year) {
        return None;
    }
    let days = days_from_civil(year, u32::from(month), u32::from(day));
    let seconds = days
        .checked_mul(86_400)?
        .checked_add(i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second))?;
    seconds.checked_mul(US)?.checked_add(i64::from(micros))
}

/// The proleptic Gregorian year of a day count since 1970-01-01 (the inverse of
/// `days_from_civil`, year only).
fn year_from_days(days: i64) -> i64 {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    // Months are counted from March, so January and February belong to the next year.
    yoe + era * 400 + i64::from(mp >= 10)
}

/// `Jan`..`Dec` (any ASCII case) to 1..=12.
pub(super) fn month_number(name: &[u8]) -> Option<u8> {
    const MONTHS: [&[u8; 3]; 12] =
        [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];
    if name.len() != 3 {
        return None;
    }
    MONTHS.iter().position(|m| m.eq_ignore_ascii_case(name)).map(|i| i as u8 + 1)
}

/// Two ASCII digits at `at`.
pub(super) fn two_digits(text: &[u8], at: usize) -> Option<u8> {
    match text.get(at..at.checked_add(2)?)? {
        [a @ b'0'..=b'9', b @ b'0'..=b'9'] => Some((a - b'0') * 10 + (b - b'0')),
        _ => None,
    }
}

/// An optional `.ddd` fraction at `at`: its microseconds (digits past the sixth are dropped)
/// and its length including the dot. `None` when a dot is followed by no digit or by more than
/// nine.
pub(super) fn fraction_at(text: &[u8], at: usize) -> Option<(u32, usize)> {
    if text.get(at) != Some(&b'.') {
        return Some((0, 0));
    }
    let digits = text.get(at + 1..).unwrap_or_default();
    let len = digits.iter().take_while(|b| b.is_ascii_digit()).count();
    if len == 0 || len > MAX_FRACTION_DIGITS {
        return None;
    }
    let mut micros = 0u32;
    for i in 0..6 {
        let digit = if i < len { digits.get(i).map_or(0, |b| u32::from(b - b'0')) } else { 0 };
        micros = micros * 10 + digit;
    }
    Some((micros, len + 1))
}

/// `hh:mm:ss` at `at`, range-checked (second 60 allowed).
pub(super) fn clock_at(text: &[u8], at: usize) -> Option<(u8, u8, u8)> {
    let hour = two_digits(text, at)?;
    let minute = two_digits(text, at + 3)?;
    let second = two_digits(text, at + 6)?;
    if text.get(at + 2) != Some(&b':') || text.get(at + 5) != Some(&b':') {
        return None;
    }
    (hour < 24 && minute < 60 && second <= 60).then_some((hour, minute, second))
}

/// `<PRI>` at the start of `line` (which begins with `<`): the value and the length of the
/// whole `<...>`.
fn parse_pri(line: &[u8]) -> Result<(u8, usize), Fail> {
    let digits = line.get(1..).unwrap_or_default().iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 3 {
        return Err((if line.len() <= 1 { RowError::TooFewFields } else { RowError::BadNumber }, 1));
    }
    let value = line[1..=digits].iter().fold(0u16, |v, b| v * 10 + u16::from(b - b'0'));
    if value > MAX_PRI {
        return Err((RowError::BadNumber, 1));
    }
    match line.get(digits + 1) {
        Some(b'>') => Ok((value as u8, digits + 2)),
        Some(_) => Err((RowError::UnexpectedText, digits + 1)),
        None => Err((RowError::TooFewFields, line.len())),
    }
}

/// The end of the token starting at `at`: the next space, or the end of the line.
fn token_end(line: &[u8], at: usize) -> usize {
    match line.get(at..) {
        Some(rest) => memchr::memchr(b' ', rest).map_or(line.len(), |i| at + i),
        None => line.len(),
    }
}

fn skip_spaces(line: &[u8], mut at: usize) -> usize {
    while line.get(at) == Some(&b' ') {
        at += 1;
    }
    at
}

// ---------------------------------------------------------------------------------------------
// RFC 3164

/// One BSD syslog line (RFC 3164 as written by syslogd, rsyslog's traditional format, sshd's
/// auth log...). The timestamp has no year: [`timestamp_3164`] supplies one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rfc3164<'a> {
    /// `<PRI>` when the line starts with one (files written by syslogd usually do not).
    pub pri: Option<u8>,
    /// 1..=12.
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    /// From an optional fraction after the seconds (digits past the sixth are dropped).
    pub micros: u32,
    pub hostname: &'a [u8],
    /// The tag without its `[pid]` suffix; `None` when the line has no tag.
    pub app_name: Option<&'a [u8]>,
    /// The text inside a tag's last `[...]`.
    pub proc_id: Option<&'a [u8]>,
    pub message: &'a [u8],
}

impl Rfc3164<'_> {
    /// `pri / 8`, when there is a PRI.
    pub fn facility(&self) -> Option<u8> {
        self.pri.map(|p| p / 8)
    }

    /// `pri % 8`, when there is a PRI.
    pub fn severity(&self) -> Option<u8> {
        self.pri.map(|p| p % 8)
    }
}

/// Parses `[<PRI>]Mmm dd hh:mm:ss[.ffffff] HOSTNAME [TAG: ]MESSAGE`.
///
/// - The day may be two digits (`04`), space-padded (`Jun  4`) or one digit (`Jun 4`).
/// - Extra spaces after the timestamp and after the hostname are skipped.
/// - The hostname is any run of non-space bytes (IPv6 addresses included).
/// - The tag is the first token after the hostname when it ends with `:` (and has at least one
///   byte before it). A token with a space in it is never a tag: `syslogd 1.4.1: restart.` has
///   no tag, and all of it is the message. A tag ending in `[...]` is split into `app_name`
///   (`sshd(pam_unix)`) and `proc_id` (`19939`); empty parts are `None`. One space after the
///   tag's colon is skipped.
/// - With no tag, `app_name` and `proc_id` are `None` and the message is everything after the
///   hostname. A line that ends after the hostname has an empty message.
pub(crate) fn parse_rfc3164(line: &[u8]) -> Result<Rfc3164<'_>, (RowError, usize)> {
    if line.is_empty() {
        return Err((RowError::TooFewFields, 0));
    }
    let (pri, start) = if line[0] == b'<' {
        let (pri, len) = parse_pri(line)?;
        (Some(pri), len)
    } else {
        (None, 0)
    };
    let (month, day, hour, minute, second, micros, after) = bsd_timestamp(line, start)?;
    let host_start = skip_spaces(line, after);
    if host_start >= line.len() {
        return Err((RowError::TooFewFields, line.len()));
    }
    let host_end = token_end(line, host_start);
    let hostname = &line[host_start..host_end];
    let rest_start = skip_spaces(line, host_end);
    let rest = line.get(rest_start..).unwrap_or_default();

    let tag_end = token_end(rest, 0);
    let (app_name, proc_id, message) = match rest[..tag_end].split_last() {
        Some((b':', tag)) if !tag.is_empty() => {
            let (app, pid) = split_tag(tag);
            let after_colon = tag_end + usize::from(rest.get(tag_end) == Some(&b' '));
            (app, pid, rest.get(after_colon..).unwrap_or_default())
        }
        _ => (None, None, rest),
    };
    Ok(Rfc3164 { pri, month, day, hour, minute, second, micros, hostname, app_name, proc_id, message })
}

/// `app[pid]` (also `app(sub)[pid]`) into the app and the pid; a tag without a trailing `[...]`
/// is all app.
fn split_tag(tag: &[u8]) -> (Option<&[u8]>, Option<&[u8]>) {
    fn non_empty(s: &[u8]) -> Option<&[u8]> {
        (!s.is_empty()).then_some(s)
    }
    if let Some((b']', inner)) = tag.split_last()
        && let Some(open) = memchr::memrchr(b'[', inner)
    {
        return (non_empty(&inner[..open]), non_empty(&inner[open + 1..]));
    }
    (non_empty(tag), None)
}

/// `Mmm dd hh:mm:ss[.f]` followed by a space, at `at`. Returns the parts and the offset after
/// the space.
#[allow(clippy::type_complexity)]
fn bsd_timestamp(line: &[u8], at: usize) -> Result<(u8, u8, u8, u8, u8, u32, usize), Fail> {
    let short = |i: usize| if i >= line.len() { RowError::TooFewFields } else { RowError::BadTimestamp };
    let month = line.get(at..at + 3).and_then(month_number).ok_or((short(at + 2), at))?;
    let mut i = at + 3;
    if line.get(i) != Some(&b' ') {
        return Err((short(i), i));
    }
    i += 1;
    // Day: `dd`, ` d` or `d`.
    if line.get(i) == Some(&b' ') {
        i += 1;
    }
    let day_at = i;
    let mut day = 0u8;
    while i < line.len() && i - day_at < 2 && line[i].is_ascii_digit() {
        day = day * 10 + (line[i] - b'0');
        i += 1;
    }
    if i == day_at {
        return Err((short(i), i));
    }
    if !(1..=31).contains(&day) {
        return Err((RowError::BadTimestamp, day_at));
    }
    if line.get(i) != Some(&b' ') {
        return Err((short(i), i));
    }
    i += 1;
    let (hour, minute, second) = clock_at(line, i).ok_or((short(i + 7), i))?;
    i += 8;
    let (micros, fraction_len) = fraction_at(line, i).ok_or((RowError::BadTimestamp, i))?;
    i += fraction_len;
    match line.get(i) {
        Some(b' ') => Ok((month, day, hour, minute, second, micros, i + 1)),
        Some(_) => Err((RowError::BadTimestamp, i)),
        None => Err((RowError::TooFewFields, i)),
    }
}

/// Where the year of an RFC 3164 timestamp comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum YearRule {
    /// Every line is in this year.
    Fixed(i32),
    /// The latest date not after this instant (microseconds since the epoch, UTC): the year of
    /// the reference, or the year before when the date would be later than the reference
    /// (a December line read in January).
    Reference(i64),
}

/// The UTC microseconds of `rec`'s timestamp (the log's local time is taken as UTC), or `None`
/// when the date does not exist (BadTimestamp).
///
/// With [`YearRule::Reference`] the result is the latest existing date not after the
/// reference: so `Feb 29` goes back to the latest leap year whose Feb 29 is not after the
/// reference, and a date that exists in no year (`Apr 31`) is `None`. With
/// [`YearRule::Fixed`], `Feb 29` of a common year is `None`.
pub(crate) fn timestamp_3164(rule: &YearRule, rec: &Rfc3164) -> Option<i64> {
    let at = |year: i64| civil_micros(year, rec.month, rec.day, rec.hour, rec.minute, rec.second, rec.micros);
    match *rule {
        YearRule::Fixed(year) => at(i64::from(year)),
        YearRule::Reference(reference) => {
            let year = year_from_days(reference.div_euclid(86_400 * US));
            // Consecutive leap years are at most 8 years apart (1896, 1904), so nine candidate
            // years always reach one where any valid date exists and is not after the reference.
            (0..=8).map(|back| year - back).find_map(|y| at(y).filter(|&t| t <= reference))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// RFC 5424

/// One RFC 5424 line. Nil (`-`) header fields are `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rfc5424<'a> {
    pub pri: u8,
    pub version: u16,
    /// UTC microseconds (fraction truncated to microseconds) and the offset in minutes.
    pub timestamp: Option<(i64, i16)>,
    pub hostname: Option<&'a [u8]>,
    pub app_name: Option<&'a [u8]>,
    pub proc_id: Option<&'a [u8]>,
    pub msg_id: Option<&'a [u8]>,
    /// The raw text of all SD elements (`[a x="1"][b]`), escapes intact; see
    /// [`parse_structured_data`].
    pub structured_data: Option<&'a [u8]>,
    /// `None` when the line ends after the structured data; a UTF-8 BOM is stripped.
    pub message: Option<&'a [u8]>,
}

/// Parses `<PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG]`.
///
/// Fields are separated by exactly one space. Header fields are any non-empty run of non-space
/// bytes (the RFC's character set and length limits are not enforced: senders break them and
/// nothing here depends on them). The timestamp is RFC 3339 with `T`, an optional fraction of up
/// to nine digits, and `Z` or `±hh:mm`. Structured data is checked against the RFC grammar
/// (SD-IDs and param names of printable ASCII other than `=`, space, `]` and `"`; values in
/// double quotes where `\` escapes the next byte, so `]` needs no escape inside a value).
/// A message that is present but empty is `Some("")`.
pub(crate) fn parse_rfc5424(line: &[u8]) -> Result<Rfc5424<'_>, (RowError, usize)> {
    match line.first() {
        Some(b'<') => {}
        Some(_) => return Err((RowError::UnexpectedText, 0)),
        None => return Err((RowError::TooFewFields, 0)),
    }
    let (pri, mut i) = parse_pri(line)?;
    let version_len = line[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if version_len == 0 || version_len > 3 || line[i] == b'0' {
        return Err((if i >= line.len() { RowError::TooFewFields } else { RowError::BadNumber }, i));
    }
    let version = line[i..i + version_len].iter().fold(0u16, |v, b| v * 10 + u16::from(b - b'0'));
    i += version_len;

    let mut header = [None; 5];
    for (n, slot) in header.iter_mut().enumerate() {
        match line.get(i) {
            Some(b' ') => i += 1,
            Some(_) => return Err((if n == 0 { RowError::BadNumber } else { RowError::UnexpectedText }, i)),
            None => return Err((RowError::TooFewFields, i)),
        }
        let end = token_end(line, i);
        if end == i {
            return Err((if i >= line.len() { RowError::TooFewFields } else { RowError::UnexpectedText }, i));
        }
        let token = &line[i..end];
        *slot = (token != b"-").then_some(token);
        if n == 0 && token != b"-" {
            // The timestamp: checked here so its error points at it.
            rfc3339(token).ok_or((RowError::BadTimestamp, i))?;
        }
        i = end;
    }
    let [timestamp, hostname, app_name, proc_id, msg_id] = header;
    let timestamp = timestamp.and_then(rfc3339);

    match line.get(i) {
        Some(b' ') => i += 1,
        Some(_) => return Err((RowError::UnexpectedText, i)),
        None => return Err((RowError::TooFewFields, i)),
    }
    let sd_start = i;
    let structured_data = match line.get(i) {
        Some(b'-') => {
            i += 1;
            None
        }
        Some(b'[') => {
            while line.get(i) == Some(&b'[') {
                i = sd_element(line, i, &mut |_| {})?;
            }
            Some(&line[sd_start..i])
        }
        Some(_) => return Err((RowError::UnexpectedText, i)),
        None => return Err((RowError::TooFewFields, i)),
    };
    let message = match line.get(i) {
        None => None,
        Some(b' ') => {
            let msg = &line[i + 1..];
            Some(msg.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(msg))
        }
        Some(_) => return Err((RowError::UnexpectedText, i)),
    };
    Ok(Rfc5424 { pri, version, timestamp, hostname, app_name, proc_id, msg_id, structured_data, message })
}

/// An RFC 3339 timestamp as RFC 5424 restricts it: `T` between date and time, at most nine
/// fraction digits, `Z` or `±hh:mm`.
fn rfc3339(token: &[u8]) -> Option<(i64, i16)> {
    if token.len() < 20 || !matches!(token[10], b'T' | b't') {
        return None;
    }
    let (_, fraction_len) = fraction_at(token, 19)?;
    let zone = &token[19 + fraction_len..];
    if !matches!(zone, b"Z" | b"z" | [b'+' | b'-', _, _, b':', _, _]) {
        return None;
    }
    parse_iso8601(token)
}

/// One piece of an SD element, as [`sd_element`] walks it.
enum SdPart<'a> {
    Id(&'a [u8]),
    /// A param's name and its value still escaped, without the quotes.
    Param(&'a [u8], &'a [u8]),
}

/// An SD-NAME byte: printable US-ASCII other than `=`, space, `]` and `"`.
fn sd_name_byte(b: u8) -> bool {
    (33..=126).contains(&b) && !matches!(b, b'=' | b']' | b'"')
}

/// Walks one `[SD-ID *(SP PARAM-NAME="VALUE")]` starting at `at` (where `text` has `[`),
/// reporting its parts to `visit`; returns the offset after its `]`. Errors point at the
/// offending byte (or the opening quote of an unterminated value).
fn sd_element<'a>(text: &'a [u8], at: usize, visit: &mut impl FnMut(SdPart<'a>)) -> Result<usize, Fail> {
    let name = |from: usize| -> Result<usize, Fail> {
        let len = text.get(from..).unwrap_or_default().iter().take_while(|&&b| sd_name_byte(b)).count();
        if len == 0 {
            return Err((
                if from >= text.len() { RowError::TooFewFields } else { RowError::UnexpectedText },
                from,
            ));
        }
        Ok(from + len)
    };
    let mut i = at + 1;
    let id_end = name(i)?;
    visit(SdPart::Id(&text[i..id_end]));
    i = id_end;
    loop {
        match text.get(i) {
            Some(b']') => return Ok(i + 1),
            Some(b' ') => i += 1,
            Some(_) => return Err((RowError::UnexpectedText, i)),
            None => return Err((RowError::TooFewFields, i)),
        }
        let name_end = name(i)?;
        let param = &text[i..name_end];
        i = name_end;
        for expected in [b'=', b'"'] {
            match text.get(i) {
                Some(&b) if b == expected => i += 1,
                Some(_) => return Err((RowError::UnexpectedText, i)),
                None => return Err((RowError::TooFewFields, i)),
            }
        }
        let quote = i - 1;
        let value_start = i;
        loop {
            let Some(found) = text.get(i..).and_then(|rest| memchr::memchr2(b'"', b'\\', rest)) else {
                return Err((RowError::UnterminatedQuote, quote));
            };
            i += found;
            if text[i] == b'"' {
                break;
            }
            // A backslash takes the next byte with it, whatever it is.
            i += 2;
        }
        visit(SdPart::Param(param, &text[value_start..i]));
        i += 1;
    }
}

/// One structured-data element of an RFC 5424 message: its SD-ID and its params, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdElement {
    pub id: String,
    /// Name and unescaped value of each param, in the order written; a name may repeat.
    pub params: Vec<(String, String)>,
}

/// Parses RFC 5424 STRUCTURED-DATA text, such as the `structured_data` column holds, into its
/// elements.
///
/// `-` (nil) is no elements. Param values are unescaped (`\"`, `\\` and `\]` become `"`, `\`
/// and `]`; a backslash before any other byte is kept, as RFC 5424 says). Params keep their
/// order and duplicates. Bytes that are not UTF-8 are replaced with U+FFFD. Text that is not
/// one or more well-formed elements is a `FERRULE_PARSE` error whose offset is the byte where
/// the problem is.
///
/// For example, `[exampleSDID@32473 iut="3" eventSource="Application"][meta sub="a\"b"]` gives
/// two elements: `exampleSDID@32473` with params `iut` = `3` and `eventSource` = `Application`,
/// and `meta` with `sub` = `a"b`.
pub fn parse_structured_data(text: &[u8]) -> crate::Result<Vec<SdElement>> {
    if text == b"-" {
        return Ok(Vec::new());
    }
    let fail = |(why, at): Fail| {
        let what = match why {
            RowError::UnterminatedQuote => "a param value's closing quote is missing".to_owned(),
            RowError::TooFewFields => "the text ends inside an element".to_owned(),
            _ => match text.get(at) {
                Some(&b) => format!("unexpected {:?}", char::from(b)),
                None => "the text ends inside an element".to_owned(),
            },
        };
        Error::new(
            ErrorKind::Parse,
            format!("invalid structured data at byte {at}: {what} (expected `-` or elements like `[id name=\"value\"]`)"),
        )
        .at_offset(at as u64)
    };
    if text.is_empty() {
        return Err(Error::new(ErrorKind::Parse, "structured data is empty: expected `-` or `[id ...]`"));
    }
    let mut elements: Vec<SdElement> = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if text[i] != b'[' {
            return Err(fail((RowError::UnexpectedText, i)));
        }
        i = sd_element(text, i, &mut |part| match part {
            SdPart::Id(id) => {
                elements.push(SdElement { id: String::from_utf8_lossy(id).into_owned(), params: Vec::new() })
            }
            SdPart::Param(name, value) => {
                let name = String::from_utf8_lossy(name).into_owned();
                let value = unescape_sd_value(value);
                if let Some(element) = elements.last_mut() {
                    element.params.push((name, value));
                }
            }
        })
        .map_err(fail)?;
    }
    Ok(elements)
}

/// Undoes the three escapes RFC 5424 defines for param values.
fn unescape_sd_value(value: &[u8]) -> String {
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        match (value[i], value.get(i + 1)) {
            (b'\\', Some(&c @ (b'"' | b'\\' | b']'))) => {
                out.push(c);
                i += 2;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    match String::from_utf8(out) {
        Ok(text) => text,
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
    }
}

// ---------------------------------------------------------------------------------------------
// RFC 6587 octet counting

/// What [`next_octet_frame`] found at the start of a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OctetFrame {
    /// The message is `buf[start..end]`; the following frame begins at `next`.
    Frame { start: usize, end: usize, next: usize },
    /// More bytes are needed: the length prefix or the body is cut off (or the buffer holds
    /// only newlines between frames; see [`is_frame_padding`]).
    Incomplete,
    /// No valid `LEN SP` prefix: skip this many bytes (through the next `\n`, or all of the
    /// buffer) and report a BadFrame error row.
    Bad { skip: usize },
}

/// The first RFC 6587 octet-counted frame (`LEN SP MSG`) of `buf`.
///
/// `\r` and `\n` bytes before a frame are skipped (some senders end each frame with a newline).
/// LEN is 1 to 9 ASCII digits without a leading zero, at least 1 and at most 64 MiB, followed by
/// exactly one space.
pub(crate) fn next_octet_frame(buf: &[u8]) -> OctetFrame {
    let at = buf.iter().take_while(|&&b| b == b'\n' || b == b'\r').count();
    let bad =
        || OctetFrame::Bad { skip: memchr::memchr(b'\n', &buf[at..]).map_or(buf.len(), |i| at + i + 1) };
    let digits = buf[at..].iter().take(10).take_while(|b| b.is_ascii_digit()).count();
    if at == buf.len() {
        return OctetFrame::Incomplete;
    }
    if digits == 0 || buf[at] == b'0' || digits > 9 {
        return bad();
    }
    let len = buf[at..at + digits].iter().fold(0usize, |v, b| v * 10 + usize::from(b - b'0'));
    if len > MAX_FRAME_LEN {
        return bad();
    }
    match buf.get(at + digits) {
        None => OctetFrame::Incomplete,
        Some(b' ') => {
            let start = at + digits + 1;
            let end = start + len;
            if end > buf.len() { OctetFrame::Incomplete } else { OctetFrame::Frame { start, end, next: end } }
        }
        Some(_) => bad(),
    }
}

/// Whether `rest` (what is left of a stream at its end) is only the newlines senders put between
/// frames, so an [`OctetFrame::Incomplete`] there is not a truncated frame.
pub(crate) fn is_frame_padding(rest: &[u8]) -> bool {
    rest.iter().all(|&b| b == b'\n' || b == b'\r')
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Deterministic mutations of `seeds` (byte flips towards the characters the grammar
    /// cares about, insertions, deletions, truncations): `check` runs on each. The error-log
    /// tests use it too.
    pub(in crate::logs::format) fn mutate_all(seeds: &[&[u8]], rounds: usize, mut check: impl FnMut(&[u8])) {
        const ALPHABET: &[u8] = b" :[]<>\"\\-.,*#0123456789abcTZ\xef\xbb\xbf\xff\n";
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..rounds {
            let mut line = seeds[round % seeds.len()].to_vec();
            for _ in 0..1 + next() % 4 {
                let at = if line.is_empty() { 0 } else { (next() % line.len() as u64) as usize };
                let byte = ALPHABET[(next() % ALPHABET.len() as u64) as usize];
                match next() % 4 {
                    0 if !line.is_empty() => line[at] = byte,
                    1 => line.insert(at, byte),
                    2 if !line.is_empty() => {
                        line.remove(at);
                    }
                    _ => line.truncate(at),
                }
            }
            check(&line);
        }
    }

    fn rec(line: &[u8]) -> Rfc3164<'_> {
        match parse_rfc3164(line) {
            Ok(rec) => rec,
            Err(e) => panic!("{:?} on {}", e, String::from_utf8_lossy(line)),
        }
    }

    fn s(bytes: Option<&[u8]>) -> Option<&str> {
        bytes.map(|b| std::str::from_utf8(b).unwrap())
    }

    /// UTC microseconds of a date, for expectations.
    fn utc(y: i64, mo: u8, d: u8, h: u8, mi: u8, se: u8) -> i64 {
        civil_micros(y, mo, d, h, mi, se, 0).unwrap()
    }

    #[test]
    fn mutated_lines_never_panic_and_offsets_stay_in_the_line() {
        let seeds: [&[u8]; 6] = [
            b"<34>Oct 11 22:14:15.123 mymachine su[12]: 'su root' failed",
            b"Jun  4 15:16:01 2001:db8::1 sshd(pam_unix)[19939]: authentication failure",
            b"<165>1 2003-10-11T22:14:15.003Z host evntslog - ID47 [ex@32473 iut=\"3\" a=\"x\\\"]y\"][b c=\"\"] \xEF\xBB\xBFmsg",
            b"<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% msg",
            b"[a k=\"v\\\\\" j=\"]\"][b]",
            b"12 <13>1 - - -\n5 hello",
        ];
        assert!(parse_rfc3164(seeds[0]).is_ok() && parse_rfc3164(seeds[1]).is_ok());
        assert!(parse_rfc5424(seeds[2]).is_ok() && parse_rfc5424(seeds[3]).is_ok());
        assert_eq!(parse_structured_data(seeds[4]).map(|sd| sd.len()).ok(), Some(2));
        assert!(matches!(next_octet_frame(seeds[5]), OctetFrame::Frame { .. }));
        let rule = YearRule::Reference(1_700_000_000 * US);
        mutate_all(&seeds, 60_000, |line| {
            match parse_rfc3164(line) {
                Ok(rec) => {
                    let _ = timestamp_3164(&rule, &rec);
                    let _ = timestamp_3164(&YearRule::Fixed(2024), &rec);
                }
                Err((_, at)) => assert!(at <= line.len(), "{at} {line:?}"),
            }
            if let Err((_, at)) = parse_rfc5424(line) {
                assert!(at <= line.len(), "{at} {line:?}");
            }
            if let Err(err) = parse_structured_data(line) {
                assert!(err.location().offset.is_none_or(|at| at <= line.len() as u64));
            }
            match next_octet_frame(line) {
                OctetFrame::Frame { start, end, next } => {
                    assert!(start <= end && end == next && next <= line.len())
                }
                OctetFrame::Bad { skip } => assert!(skip > 0 && skip <= line.len()),
                OctetFrame::Incomplete => {}
            }
        });
    }

    #[test]
    fn bsd_lines_with_and_without_pri() {
        let r = rec(b"<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8");
        assert_eq!(r.pri, Some(34));
        assert_eq!((r.facility(), r.severity()), (Some(4), Some(2)));
        assert_eq!((r.month, r.day, r.hour, r.minute, r.second, r.micros), (10, 11, 22, 14, 15, 0));
        assert_eq!(r.hostname, b"mymachine");
        assert_eq!(s(r.app_name), Some("su"));
        assert_eq!(r.proc_id, None);
        assert_eq!(r.message, b"'su root' failed for lonvick on /dev/pts/8");

        let r = rec(b"Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186");
        assert_eq!(r.pri, None);
        assert_eq!(r.facility(), None);
        assert_eq!((r.month, r.day), (12, 10));
        assert_eq!(s(r.app_name), Some("sshd"));
        assert_eq!(s(r.proc_id), Some("24200"));
        assert_eq!(r.message, b"Invalid user webmaster from 173.234.31.186");

        let r = rec(b"<0>Jan  1 00:00:00 h kernel: [    0.000000] Linux version 6.1");
        assert_eq!((r.pri, r.facility(), r.severity()), (Some(0), Some(0), Some(0)));
        assert_eq!(s(r.app_name), Some("kernel"));
        assert_eq!(r.message, b"[    0.000000] Linux version 6.1");
        assert_eq!(rec(b"<191>Jan  1 00:00:00 h m").pri, Some(191));
        assert_eq!(rec(b"<007>Jan  1 00:00:00 h m").pri, Some(7));
    }

    #[test]
    fn tags_with_suffixes() {
        let r = rec(b"Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname=");
        assert_eq!(s(r.app_name), Some("sshd(pam_unix)"));
        assert_eq!(s(r.proc_id), Some("19939"));
        assert_eq!(r.message, b"authentication failure; logname=");

        let r = rec(b"Jun 14 15:16:01 combo cups: cupsd shutdown succeeded");
        assert_eq!((s(r.app_name), r.proc_id), (Some("cups"), None));

        let r = rec(b"Jun 14 15:16:01 combo app[]: x");
        assert_eq!((s(r.app_name), r.proc_id), (Some("app"), None));
        let r = rec(b"Jun 14 15:16:01 combo [42]: x");
        assert_eq!((r.app_name, s(r.proc_id)), (None, Some("42")));
        let r = rec(b"Jun 14 15:16:01 combo a[1][2]: x");
        assert_eq!((s(r.app_name), s(r.proc_id)), (Some("a[1]"), Some("2")));
        // The colon ends the tag token; no space after it still makes a tag, message empty.
        let r = rec(b"Jun 14 15:16:01 combo app:");
        assert_eq!((s(r.app_name), r.message), (Some("app"), &b""[..]));
        // Only one space after the colon is skipped.
        let r = rec(b"Jun 14 15:16:01 combo app:   indented");
        assert_eq!(r.message, b"  indented");
        // The message keeps colons of its own.
        let r = rec(b"Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): check pass; user unknown");
        assert_eq!(r.message, b"pam_unix(sshd:auth): check pass; user unknown");
    }

    #[test]
    fn lines_without_a_tag() {
        let r = rec(b"Jun 19 04:09:11 combo syslogd 1.4.1: restart.");
        assert_eq!((r.app_name, r.proc_id), (None, None));
        assert_eq!(r.message, b"syslogd 1.4.1: restart.");
        let r = rec(b"Jul  7 08:06:15 combo  -- root[2421]: ROOT LOGIN ON tty2");
        assert_eq!(r.hostname, b"combo");
        assert_eq!(r.app_name, None);
        assert_eq!(r.message, b"-- root[2421]: ROOT LOGIN ON tty2");
        let r = rec(b"Jun 14 15:16:01 combo : lone colon");
        assert_eq!((r.app_name, r.message), (None, &b": lone colon"[..]));
        let r = rec(b"Jun 14 15:16:01 combo");
        assert_eq!((r.hostname, r.message, r.app_name), (&b"combo"[..], &b""[..], None));
        let r = rec(b"Jun 14 15:16:01 combo ");
        assert_eq!((r.hostname, r.message), (&b"combo"[..], &b""[..]));
    }

    #[test]
    fn day_padding_and_fractions() {
        for (line, day) in [
            (&b"Jun  4 01:02:03 h a: m"[..], 4),
            (b"Jun 4 01:02:03 h a: m", 4),
            (b"Jun 04 01:02:03 h a: m", 4),
            (b"Jun 30 01:02:03 h a: m", 30),
            (b"jun 30 01:02:03 h a: m", 30),
        ] {
            let r = rec(line);
            assert_eq!((r.month, r.day, r.hour, r.minute, r.second), (6, day, 1, 2, 3));
            assert_eq!(r.message, b"m");
        }
        assert_eq!(rec(b"Jun  4 01:02:03.123456 h a: m").micros, 123_456);
        assert_eq!(rec(b"Jun  4 01:02:03.5 h a: m").micros, 500_000);
        assert_eq!(rec(b"Jun  4 01:02:03.123456789 h a: m").micros, 123_456);
        assert_eq!(rec(b"Jun  4 23:59:60 h a: m").second, 60);
    }

    #[test]
    fn ipv6_and_odd_hostnames() {
        let r = rec(b"Mar  1 10:00:00 2001:db8::1 sshd[7]: Accepted publickey");
        assert_eq!(r.hostname, b"2001:db8::1");
        assert_eq!((s(r.app_name), s(r.proc_id)), (Some("sshd"), Some("7")));
        let r = rec(b"Mar  1 10:00:00 fe80::1%eth0 kernel: x");
        assert_eq!(r.hostname, b"fe80::1%eth0");
        // Several spaces after the timestamp are tolerated.
        let r = rec(b"Mar  1 10:00:00   host app: x");
        assert_eq!(r.hostname, b"host");
    }

    #[test]
    fn garbage_is_an_error_with_an_offset() {
        for (line, why, at) in [
            (&b""[..], RowError::TooFewFields, 0),
            (b"hello world", RowError::BadTimestamp, 0),
            (b"Foo 14 15:16:01 h a: m", RowError::BadTimestamp, 0),
            (b"Jun", RowError::TooFewFields, 3),
            (b"Ju", RowError::TooFewFields, 0),
            (b"Jun 14", RowError::TooFewFields, 6),
            (b"Jun 14 15:16:01", RowError::TooFewFields, 15),
            (b"Jun 14 15:16:01 ", RowError::TooFewFields, 16),
            (b"Jun 14 15:16:01   ", RowError::TooFewFields, 18),
            (b"Jun 32 15:16:01 h a: m", RowError::BadTimestamp, 4),
            (b"Jun 00 15:16:01 h a: m", RowError::BadTimestamp, 4),
            (b"Jun 123 15:16:01 h a: m", RowError::BadTimestamp, 6),
            (b"Jun 14 24:00:00 h a: m", RowError::BadTimestamp, 7),
            (b"Jun 14 23:60:00 h a: m", RowError::BadTimestamp, 7),
            (b"Jun 14 23:59:61 h a: m", RowError::BadTimestamp, 7),
            (b"Jun 14 2:59:59 h a: m", RowError::BadTimestamp, 7),
            (b"Jun 14 23:59:59x h a: m", RowError::BadTimestamp, 15),
            (b"Jun 14 23:59:59. h a: m", RowError::BadTimestamp, 15),
            (b"Jun 14 23:59:59.1234567890 h", RowError::BadTimestamp, 15),
            (b"Jun  x 15:16:01 h a: m", RowError::BadTimestamp, 5),
            (b"<", RowError::TooFewFields, 1),
            (b"<>Jun 14 15:16:01 h a: m", RowError::BadNumber, 1),
            (b"<192>Jun 14 15:16:01 h a: m", RowError::BadNumber, 1),
            (b"<1234>Jun 14 15:16:01 h a: m", RowError::BadNumber, 1),
            (b"<12Jun 14 15:16:01 h a: m", RowError::UnexpectedText, 3),
            (b"<12", RowError::TooFewFields, 3),
            (b"<34>1 2003-10-11T22:14:15.003Z host app - - - m", RowError::BadTimestamp, 4),
            (b"\xff\xfe\x00garbage", RowError::BadTimestamp, 0),
        ] {
            assert_eq!(parse_rfc3164(line).err(), Some((why, at)), "{}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn fixed_years() {
        let r = rec(b"Jun 14 15:16:01.25 combo a: m");
        assert_eq!(timestamp_3164(&YearRule::Fixed(2005), &r), Some(utc(2005, 6, 14, 15, 16, 1) + 250_000));
        let leap = rec(b"Feb 29 12:00:00 h a: m");
        assert_eq!(timestamp_3164(&YearRule::Fixed(2024), &leap), Some(utc(2024, 2, 29, 12, 0, 0)));
        assert_eq!(timestamp_3164(&YearRule::Fixed(2023), &leap), None);
        assert_eq!(timestamp_3164(&YearRule::Fixed(1900), &leap), None);
        assert_eq!(timestamp_3164(&YearRule::Fixed(2000), &leap), Some(utc(2000, 2, 29, 12, 0, 0)));
        let never = rec(b"Apr 31 12:00:00 h a: m");
        assert_eq!(timestamp_3164(&YearRule::Fixed(2024), &never), None);
        assert_eq!(timestamp_3164(&YearRule::Fixed(i32::MAX), &r), None);
        assert_eq!(timestamp_3164(&YearRule::Fixed(i32::MIN), &r), None);
        // 1970-01-01 is the epoch.
        let epoch = rec(b"Jan  1 00:00:00 h a: m");
        assert_eq!(timestamp_3164(&YearRule::Fixed(1970), &epoch), Some(0));
        assert_eq!(timestamp_3164(&YearRule::Fixed(1969), &epoch), Some(-365 * 86_400 * US));
    }

    #[test]
    fn the_reference_rule_handles_the_year_turn() {
        let jan_2 = YearRule::Reference(utc(2024, 1, 2, 8, 0, 0));
        let dec = rec(b"Dec 31 23:59:59 h a: m");
        assert_eq!(timestamp_3164(&jan_2, &dec), Some(utc(2023, 12, 31, 23, 59, 59)));
        let jan = rec(b"Jan  2 07:59:59 h a: m");
        assert_eq!(timestamp_3164(&jan_2, &jan), Some(utc(2024, 1, 2, 7, 59, 59)));
        // Exactly the reference is not after it.
        let same = rec(b"Jan  2 08:00:00 h a: m");
        assert_eq!(timestamp_3164(&jan_2, &same), Some(utc(2024, 1, 2, 8, 0, 0)));
        // One microsecond later is: the previous year.
        let later = rec(b"Jan  2 08:00:00.000001 h a: m");
        assert_eq!(timestamp_3164(&jan_2, &later), Some(civil_micros(2023, 1, 2, 8, 0, 0, 1).unwrap()));
        let mid = YearRule::Reference(utc(2005, 7, 1, 0, 0, 0));
        assert_eq!(timestamp_3164(&mid, &rec(b"Jun 14 15:16:01 h a: m")), Some(utc(2005, 6, 14, 15, 16, 1)));
        assert_eq!(timestamp_3164(&mid, &rec(b"Jul  2 00:00:00 h a: m")), Some(utc(2004, 7, 2, 0, 0, 0)));
        // Before the epoch the arithmetic still holds.
        let old = YearRule::Reference(utc(1960, 3, 1, 0, 0, 0));
        assert_eq!(timestamp_3164(&old, &rec(b"Dec 25 00:00:00 h a: m")), Some(utc(1959, 12, 25, 0, 0, 0)));
        // Out of any calendar the arithmetic supports: no timestamp rather than an overflow.
        assert_eq!(timestamp_3164(&YearRule::Reference(i64::MAX), &dec), None);
        assert_eq!(timestamp_3164(&YearRule::Reference(i64::MIN), &dec), None);
    }

    #[test]
    fn the_reference_rule_finds_the_latest_leap_day() {
        let leap = rec(b"Feb 29 12:00:00 h a: m");
        let at = |y, mo, d| timestamp_3164(&YearRule::Reference(utc(y, mo, d, 0, 0, 0)), &leap);
        assert_eq!(at(2025, 6, 1), Some(utc(2024, 2, 29, 12, 0, 0)));
        assert_eq!(at(2024, 3, 1), Some(utc(2024, 2, 29, 12, 0, 0)));
        // Feb 29 2024 noon is after the reference, so the leap day before: 2020.
        assert_eq!(at(2024, 2, 29), Some(utc(2020, 2, 29, 12, 0, 0)));
        assert_eq!(at(2024, 1, 15), Some(utc(2020, 2, 29, 12, 0, 0)));
        // 1900 is not a leap year: eight years back from 1904.
        assert_eq!(at(1904, 2, 1), Some(utc(1896, 2, 29, 12, 0, 0)));
        assert_eq!(at(2100, 12, 31), Some(utc(2096, 2, 29, 12, 0, 0)));
        let never = rec(b"Feb 30 12:00:00 h a: m");
        assert_eq!(timestamp_3164(&YearRule::Reference(utc(2024, 6, 1, 0, 0, 0)), &never), None);
    }

    #[test]
    fn year_from_days_inverts_days_from_civil() {
        for year in [-400, -1, 0, 1, 1600, 1899, 1900, 1969, 1970, 1999, 2000, 2024, 2100, 9999] {
            for (m, d) in [(1, 1), (2, 28), (3, 1), (12, 31)] {
                assert_eq!(year_from_days(days_from_civil(year, m, d)), year, "{year}-{m}-{d}");
            }
        }
    }

    fn loghub(name: &str) -> Option<Vec<u8>> {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/logs/loghub").join(name);
        std::fs::read(path).ok()
    }

    fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
        data.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l)).filter(|l| !l.is_empty())
    }

    #[test]
    fn every_loghub_linux_line_parses() {
        let Some(data) = loghub("Linux/Linux_2k.log") else {
            eprintln!("skipped: ../shared/data/logs/loghub is absent");
            return;
        };
        let mut untagged = Vec::new();
        let (mut count, mut seconds) = (0, 0i64);
        for (n, line) in lines(&data).enumerate() {
            let r = parse_rfc3164(line)
                .unwrap_or_else(|e| panic!("line {}: {e:?}: {}", n + 1, String::from_utf8_lossy(line)));
            assert_eq!(r.hostname, b"combo", "line {}", n + 1);
            let time = timestamp_3164(&YearRule::Fixed(2005), &r);
            seconds += time.unwrap_or_else(|| panic!("line {}", n + 1)) / US;
            if r.app_name.is_none() {
                untagged.push(n + 1);
            }
            count += 1;
        }
        assert_eq!(count, 2000);
        // The sum of every line's time in 2005, as computed by Python's strptime and timegm.
        assert_eq!(seconds, 2_241_636_851_927);
        // `syslogd 1.4.1: restart.` (7 times) and `-- root[2421]: ROOT LOGIN ON tty2` have a space
        // in their would-be tag.
        assert_eq!(untagged, [146, 374, 714, 899, 1086, 1364, 1754, 1908]);
        let first = rec(lines(&data).next().unwrap());
        assert_eq!((s(first.app_name), s(first.proc_id)), (Some("sshd(pam_unix)"), Some("19939")));
        assert_eq!(
            first.message,
            b"authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 "
        );
    }

    #[test]
    fn every_loghub_openssh_line_parses() {
        let Some(data) = loghub("OpenSSH/OpenSSH_2k.log") else {
            eprintln!("skipped: ../shared/data/logs/loghub is absent");
            return;
        };
        let mut count = 0;
        for (n, line) in lines(&data).enumerate() {
            let r = parse_rfc3164(line)
                .unwrap_or_else(|e| panic!("line {}: {e:?}: {}", n + 1, String::from_utf8_lossy(line)));
            assert_eq!((r.hostname, s(r.app_name)), (&b"LabSZ"[..], Some("sshd")), "line {}", n + 1);
            assert!(r.proc_id.is_some_and(|p| p.iter().all(u8::is_ascii_digit)), "line {}", n + 1);
            count += 1;
        }
        assert_eq!(count, 2000);
    }

    #[test]
    fn rfc5424_examples_from_the_rfc() {
        // RFC 5424 section 6.5, example 1 (with a BOM before the message).
        let r = parse_rfc5424(
            b"<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \xEF\xBB\xBF'su root' failed for lonvick on /dev/pts/8",
        )
        .unwrap();
        assert_eq!((r.pri, r.version), (34, 1));
        assert_eq!(r.timestamp, Some((utc(2003, 10, 11, 22, 14, 15) + 3_000, 0)));
        assert_eq!(s(r.hostname), Some("mymachine.example.com"));
        assert_eq!((s(r.app_name), r.proc_id, s(r.msg_id)), (Some("su"), None, Some("ID47")));
        assert_eq!(r.structured_data, None);
        assert_eq!(s(r.message), Some("'su root' failed for lonvick on /dev/pts/8"));

        // Example 2: a fraction of microseconds and a negative offset.
        let r = parse_rfc5424(
            b"<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
        )
        .unwrap();
        assert_eq!(r.timestamp, Some((utc(2003, 8, 24, 12, 14, 15) + 3, -420)));
        assert_eq!(
            (s(r.hostname), s(r.app_name), s(r.proc_id), r.msg_id),
            (Some("192.0.2.1"), Some("myproc"), Some("8710"), None)
        );
        assert_eq!(s(r.message), Some("%% It's time to make the do-nuts."));

        // Example 3: structured data and a BOM-prefixed message.
        let line = b"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] \xEF\xBB\xBFAn application event log entry...";
        let r = parse_rfc5424(line).unwrap();
        assert_eq!(
            s(r.structured_data),
            Some("[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]")
        );
        assert_eq!(s(r.message), Some("An application event log entry..."));

        // Example 4: two elements, no message.
        let line = b"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]";
        let r = parse_rfc5424(line).unwrap();
        assert_eq!(r.message, None);
        let sd = parse_structured_data(r.structured_data.unwrap()).unwrap();
        assert_eq!(sd.len(), 2);
        assert_eq!(sd[0].id, "exampleSDID@32473");
        assert_eq!(
            sd[0].params,
            [
                ("iut".into(), "3".into()),
                ("eventSource".into(), "Application".into()),
                ("eventID".into(), "1011".into())
            ]
        );
        assert_eq!(
            sd[1],
            SdElement { id: "examplePriority@32473".into(), params: vec![("class".into(), "high".into())] }
        );
    }

    #[test]
    fn rfc5424_nil_values_and_timestamps() {
        let r = parse_rfc5424(b"<13>1 - - - - - -").unwrap();
        assert_eq!(r.timestamp, None);
        assert_eq!(
            (r.hostname, r.app_name, r.proc_id, r.msg_id, r.structured_data, r.message),
            (None, None, None, None, None, None)
        );
        let r = parse_rfc5424(b"<13>1 - - - - - - ").unwrap();
        assert_eq!(r.message, Some(&b""[..]));
        let r = parse_rfc5424(b"<13>1 - - - - - - \xEF\xBB\xBF").unwrap();
        assert_eq!(r.message, Some(&b""[..]));
        // Only a leading BOM is stripped, and only one.
        let r = parse_rfc5424(b"<13>1 - - - - - - a\xEF\xBB\xBF").unwrap();
        assert_eq!(r.message, Some(&b"a\xEF\xBB\xBF"[..]));
        let r = parse_rfc5424(b"<0>999 1985-04-12T23:20:50.52Z h a p m - x").unwrap();
        assert_eq!((r.pri, r.version), (0, 999));
        assert_eq!(r.timestamp, Some((utc(1985, 4, 12, 23, 20, 50) + 520_000, 0)));
        let r = parse_rfc5424(b"<13>1 1985-04-12T19:20:50.123456789+05:30 h a p m - x").unwrap();
        assert_eq!(r.timestamp, Some((utc(1985, 4, 12, 13, 50, 50) + 123_456, 330)));
        let r = parse_rfc5424(b"<13>1 2003-10-11T22:14:15Z h a p m - x").unwrap();
        assert_eq!(r.timestamp, Some((utc(2003, 10, 11, 22, 14, 15), 0)));
        let r = parse_rfc5424(b"<13>1 - 2001:db8::1 a p m - x").unwrap();
        assert_eq!(s(r.hostname), Some("2001:db8::1"));
        // The message keeps its spaces.
        let r = parse_rfc5424(b"<13>1 - h a p m -  two  spaces ").unwrap();
        assert_eq!(s(r.message), Some(" two  spaces "));
    }

    #[test]
    fn rfc5424_structured_data_escapes() {
        let line = br#"<13>1 - h a p m [id x="a\"b" y="c\\" z="d\]e" w="]inside" v=""] msg"#;
        let r = parse_rfc5424(line).unwrap();
        assert_eq!(s(r.structured_data), Some(r#"[id x="a\"b" y="c\\" z="d\]e" w="]inside" v=""]"#));
        assert_eq!(s(r.message), Some("msg"));
        let sd = parse_structured_data(r.structured_data.unwrap()).unwrap();
        assert_eq!(
            sd[0].params,
            [
                ("x".into(), "a\"b".into()),
                ("y".into(), "c\\".into()),
                ("z".into(), "d]e".into()),
                ("w".into(), "]inside".into()),
                ("v".into(), String::new())
            ]
        );
        // Other backslashes stay; duplicates and order are kept; an element with no params.
        let sd = parse_structured_data(br##"[a k="1\n" k="2"][b][c@1 k="\"]"]"##).unwrap();
        assert_eq!(sd[0].params, [("k".into(), "1\\n".into()), ("k".into(), "2".into())]);
        assert_eq!(sd[1], SdElement { id: "b".into(), params: vec![] });
        assert_eq!(sd[2].params, [("k".into(), "\"]".into())]);
        assert_eq!(parse_structured_data(b"-").unwrap(), vec![]);
        // Not UTF-8: replaced.
        let sd = parse_structured_data(b"[a k=\"\xff\"]").unwrap();
        assert_eq!(sd[0].params[0].1, "\u{FFFD}");
    }

    #[test]
    fn bad_structured_data_is_a_parse_error() {
        for (text, at) in [
            (&b""[..], None),
            (b"--", Some(0)),
            (b"[", Some(1)),
            (b"[]", Some(1)),
            (b"[a", Some(2)),
            (b"[a ]", Some(3)),
            (b"[a k]", Some(4)),
            (b"[a k=1]", Some(5)),
            (b"[a k=\"1]", Some(5)),
            (b"[a k=\"1\\\"]", Some(5)),
            (b"[a k=\"1\"", Some(8)),
            (b"[a k=\"1\"x]", Some(8)),
            (b"[a k=\"1\"] [b]", Some(9)),
            (b"[a=b]", Some(2)),
            (b"[a\"]", Some(2)),
            (b"[a  k=\"1\"]", Some(3)),
            (b"[a][b", Some(5)),
        ] {
            let err = parse_structured_data(text).unwrap_err();
            assert_eq!(err.code(), "FERRULE_PARSE", "{}", String::from_utf8_lossy(text));
            assert_eq!(err.location().offset, at, "{}: {err}", String::from_utf8_lossy(text));
            assert!(err.message().contains("structured data"), "{err}");
        }
        let err = parse_structured_data(b"[a k=\"open]").unwrap_err();
        assert!(err.message().contains("quote"), "{err}");
    }

    #[test]
    fn rfc5424_malformed_lines() {
        for (line, why, at) in [
            (&b""[..], RowError::TooFewFields, 0),
            (b"Oct 11 22:14:15 host app: m", RowError::UnexpectedText, 0),
            (b"<34>", RowError::TooFewFields, 4),
            (b"<34>0 - - - - - -", RowError::BadNumber, 4),
            (b"<34>01 - - - - - -", RowError::BadNumber, 4),
            (b"<34>1000 - - - - - -", RowError::BadNumber, 4),
            (b"<34>x - - - - - -", RowError::BadNumber, 4),
            (b"<34>1x - - - - - -", RowError::BadNumber, 5),
            (b"<192>1 - - - - - -", RowError::BadNumber, 1),
            (b"<34>1", RowError::TooFewFields, 5),
            (b"<34>1 - - - - -", RowError::TooFewFields, 15),
            (b"<34>1 - - - - - ", RowError::TooFewFields, 16),
            (b"<34>1  - - - - -", RowError::UnexpectedText, 6),
            (b"<34>1 2003-10-11 22:14:15Z - - - - -", RowError::BadTimestamp, 6),
            (b"<34>1 2003-10-11T22:14:15 - - - - -", RowError::BadTimestamp, 6),
            (b"<34>1 2003-10-11T22:14:15+0000 - - - - -", RowError::BadTimestamp, 6),
            (b"<34>1 2003-10-11T22:14:15.1234567890Z - - - - -", RowError::BadTimestamp, 6),
            (b"<34>1 2003-02-29T22:14:15Z - - - - -", RowError::BadTimestamp, 6),
            (b"<34>1 2003-10-11T25:14:15Z - - - - -", RowError::BadTimestamp, 6),
            (b"<34>1 - - - - - x", RowError::UnexpectedText, 16),
            (b"<34>1 - - - - - -x", RowError::UnexpectedText, 17),
            (b"<34>1 - - - - - [a k=\"v]", RowError::UnterminatedQuote, 21),
            (b"<34>1 - - - - - [a k=\"v\"]x", RowError::UnexpectedText, 25),
            (b"<34>1 - - - - - [a", RowError::TooFewFields, 18),
        ] {
            assert_eq!(parse_rfc5424(line).err(), Some((why, at)), "{}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn octet_frames() {
        let buf = b"5 hello11 <13>1 - - -\n\r\n3 abc";
        let OctetFrame::Frame { start, end, next } = next_octet_frame(buf) else { panic!() };
        assert_eq!((&buf[start..end], next), (&b"hello"[..], 7));
        let rest = &buf[next..];
        let OctetFrame::Frame { start, end, next } = next_octet_frame(rest) else { panic!() };
        assert_eq!(&rest[start..end], b"<13>1 - - -");
        let rest = &rest[next..];
        let OctetFrame::Frame { start, end, next } = next_octet_frame(rest) else { panic!() };
        assert_eq!((&rest[start..end], start), (&b"abc"[..], 5));
        assert_eq!(next, rest.len());
        assert!(is_frame_padding(&rest[next..]));

        for incomplete in
            [&b""[..], b"\n", b"\r\n", b"1", b"12", b"12 ", b"12 short", b"\n\n5 abc", b"12345678"]
        {
            assert_eq!(
                next_octet_frame(incomplete),
                OctetFrame::Incomplete,
                "{}",
                String::from_utf8_lossy(incomplete)
            );
        }
        assert!(is_frame_padding(b"\r\n\n"));
        assert!(!is_frame_padding(b"\n12 ab"));

        for (bad, skip) in [
            (&b"x"[..], 1),
            (b"hello world\n5 hello", 12),
            (b"\nhello\n", 7),
            (b"0 x\n", 4),
            (b"05 hello", 8),
            (b"5xhello", 7),
            (b"1234567890 x\n1 a", 13),
            (b"999999999 x", 11),
            (b"67108865 x\n", 11),
            (b" 5 hello", 8),
        ] {
            assert_eq!(next_octet_frame(bad), OctetFrame::Bad { skip }, "{}", String::from_utf8_lossy(bad));
        }
        // A second space belongs to the message: `5  hello` is a frame of ` hell`.
        assert_eq!(next_octet_frame(b"5  hello"), OctetFrame::Frame { start: 2, end: 7, next: 7 });
        // The largest length allowed is still a frame, just not complete yet.
        assert_eq!(next_octet_frame(b"67108864 x"), OctetFrame::Incomplete);
    }
}
