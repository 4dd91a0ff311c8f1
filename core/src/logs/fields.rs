//! Field conversions: text of one field to a typed value. Each returns `None` when the text is
//! not of its type; the caller turns that into the row's error code.

/// Microseconds in a second.
const US: i64 = 1_000_000;

/// Days from 1970-01-01 to `year-month-day` (proleptic Gregorian; Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let month = i64::from(month);
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn digits<const N: usize>(text: &[u8], at: usize) -> Option<u32> {
    let mut value = 0u32;
    for &b in text.get(at..at + N)? {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u32::from(b - b'0');
    }
    Some(value)
}

fn month_number(name: &[u8]) -> Option<u32> {
    const MONTHS: [&[u8; 3]; 12] =
        [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];
    let name = name.get(..3)?;
    MONTHS.iter().position(|m| m.eq_ignore_ascii_case(name)).map(|i| i as u32 + 1)
}

/// UTC microseconds of a calendar time, or `None` when a part is out of range.
fn civil_to_us(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> Option<i64> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    // 60 is a leap second, as strptime accepts it.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
    Some(seconds * US)
}

/// `±hhmm` or `±hh:mm` (or `Z`) to minutes east of UTC.
fn zone_minutes(zone: &[u8]) -> Option<i16> {
    if zone == b"Z" || zone == b"z" {
        return Some(0);
    }
    let sign = match zone.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (hours, minutes) = match zone.len() {
        5 => (digits::<2>(zone, 1)?, digits::<2>(zone, 3)?),
        6 if zone[3] == b':' => (digits::<2>(zone, 1)?, digits::<2>(zone, 4)?),
        _ => return None,
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * 60 + minutes) as i16)
}

/// `10/Oct/2000:13:55:36 -0700` (CLF, nginx `$time_local`), optionally with a fraction after the
/// seconds: UTC microseconds and the zone's offset in minutes.
pub(crate) fn parse_clf_time(text: &[u8]) -> Option<(i64, i16)> {
    if text.len() < 26
        || text[2] != b'/'
        || text[6] != b'/'
        || text[11] != b':'
        || text[14] != b':'
        || text[17] != b':'
    {
        return None;
    }
    let day = digits::<2>(text, 0)?;
    let month = month_number(&text[3..6])?;
    let year = i64::from(digits::<4>(text, 7)?);
    let hour = digits::<2>(text, 12)?;
    let minute = digits::<2>(text, 15)?;
    let second = digits::<2>(text, 18)?;
    let (fraction, rest) = fraction_us(&text[20..])?;
    let zone = rest.strip_prefix(b" ")?;
    let offset = zone_minutes(zone)?;
    let local = civil_to_us(year, month, day, hour, minute, second)? + fraction;
    Some((local - i64::from(offset) * 60 * US, offset))
}

/// [`parse_clf_time`] with the day remembered: the lines of a log share their date for hours,
/// so only the time of day and the zone are converted on most lines.
#[derive(Default)]
pub(crate) struct ClfClock {
    date: [u8; 11],
    /// Microseconds from the epoch to 00:00 of `date` (local), when `date` is set.
    midnight: Option<i64>,
}

impl ClfClock {
    pub(crate) fn parse(&mut self, text: &[u8]) -> Option<(i64, i16)> {
        // The common shape, `dd/Mon/yyyy:hh:mm:ss ±hhmm`; anything else takes the full path.
        if text.len() != 26 || text[11] != b':' || text[14] != b':' || text[17] != b':' || text[20] != b' ' {
            return parse_clf_time(text);
        }
        let midnight = match self.midnight {
            Some(midnight) if text[..11] == self.date => midnight,
            _ => {
                if text[2] != b'/' || text[6] != b'/' {
                    return None;
                }
                let day = digits::<2>(text, 0)?;
                let month = month_number(&text[3..6])?;
                let year = i64::from(digits::<4>(text, 7)?);
                let midnight = civil_to_us(year, month, day, 0, 0, 0)?;
                self.date.copy_from_slice(&text[..11]);
                self.midnight = Some(midnight);
                midnight
            }
        };
        let (hour, minute, second) = (digits::<2>(text, 12)?, digits::<2>(text, 15)?, digits::<2>(text, 18)?);
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        let offset = zone_minutes(&text[21..])?;
        let local = midnight + (i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)) * US;
        Some((local - i64::from(offset) * 60 * US, offset))
    }
}

/// A `.123456` fraction at the start of `text` (any number of digits; beyond microseconds they
/// are dropped) and what follows it.
fn fraction_us(text: &[u8]) -> Option<(i64, &[u8])> {
    let Some(rest) = text.strip_prefix(b".") else {
        return Some((0, text));
    };
    let len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if len == 0 {
        return None;
    }
    let mut us = 0i64;
    for i in 0..6 {
        us = us * 10 + rest.get(i).filter(|_| i < len).map_or(0, |b| i64::from(b - b'0'));
    }
    Some((us, &rest[len..]))
}

/// `2000-10-10T13:55:36-07:00` (or `+0000`, `Z`, a fraction, a space instead of `T`).
pub(crate) fn parse_iso8601(text: &[u8]) -> Option<(i64, i16)> {
    if text.len() < 20 || text[4] != b'-' || text[7] != b'-' || !matches!(text[10], b'T' | b't' | b' ') {
        return None;
    }
    if text[13] != b':' || text[16] != b':' {
        return None;
    }
    let year = i64::from(digits::<4>(text, 0)?);
    let month = digits::<2>(text, 5)?;
    let day = digits::<2>(text, 8)?;
    let hour = digits::<2>(text, 11)?;
    let minute = digits::<2>(text, 14)?;
    let second = digits::<2>(text, 17)?;
    let (fraction, zone) = fraction_us(&text[19..])?;
    let offset = zone_minutes(zone)?;
    let local = civil_to_us(year, month, day, hour, minute, second)? + fraction;
    Some((local - i64::from(offset) * 60 * US, offset))
}

/// Seconds since the epoch with an optional fraction (`1700000000.123`), to microseconds.
pub(crate) fn parse_epoch_seconds(text: &[u8]) -> Option<i64> {
    let int_len = text.iter().take_while(|b| b.is_ascii_digit()).count();
    if int_len == 0 || int_len > 12 {
        return None;
    }
    let seconds = parse_u64(&text[..int_len])? as i64;
    let (fraction, rest) = fraction_us(&text[int_len..])?;
    rest.is_empty().then_some(seconds * US + fraction)
}

/// An integer count of `unit`-sized ticks since the epoch, to microseconds.
pub(crate) fn parse_epoch_ticks(text: &[u8], us_per_tick: i64) -> Option<i64> {
    i64::try_from(parse_u64(text)?).ok()?.checked_mul(us_per_tick)
}

/// A decimal `u64` (no sign, no spaces, no overflow).
pub(crate) fn parse_u64(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 20 {
        return None;
    }
    let mut value = 0u64;
    for &b in text {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(value)
}

/// A decimal `i64` with an optional sign.
pub(crate) fn parse_i64(text: &[u8]) -> Option<i64> {
    match text.first()? {
        b'-' => 0i64.checked_sub_unsigned(parse_u64(&text[1..])?),
        b'+' => i64::try_from(parse_u64(&text[1..])?).ok(),
        _ => i64::try_from(parse_u64(text)?).ok(),
    }
}

/// An HTTP status: 1 to 5 digits that fit a `u16`.
pub(crate) fn parse_status(text: &[u8]) -> Option<u16> {
    if text.len() > 5 {
        return None;
    }
    u16::try_from(parse_u64(text)?).ok()
}

/// A decimal number such as `0.004`, `12`, `-1.5e3`; Rust's parser is exact (correctly
/// rounded), and the text is checked to be a plain number first (`inf`, `nan` are not durations).
pub(crate) fn parse_f64(text: &[u8]) -> Option<f64> {
    if text.is_empty() || !text.iter().all(|b| matches!(b, b'0'..=b'9' | b'.' | b'-' | b'+' | b'e' | b'E')) {
        return None;
    }
    // SAFETY of the conversion: all bytes are ASCII, checked above.
    let value: f64 = std::str::from_utf8(text).ok()?.parse().ok()?;
    value.is_finite().then_some(value)
}

/// nginx's upstream time lists (`0.001, 0.002 : 0.003`, one entry per upstream tried, `:` between
/// internal redirects): the sum of the entries that are numbers. `None` when an entry is neither a
/// number nor `-`; `Some(None)` when every entry is `-` (no upstream answered: null).
pub(crate) fn parse_float_list(text: &[u8]) -> Option<Option<f64>> {
    let mut sum = 0.0;
    let mut any = false;
    for entry in text.split(|&b| b == b',' || b == b':') {
        let entry = entry.trim_ascii();
        if entry == b"-" {
            continue;
        }
        sum += parse_f64(entry)?;
        any = true;
    }
    Some(any.then_some(sum))
}

/// `METHOD PATH PROTOCOL` split at single spaces; `None` unless there are exactly three non-empty
/// tokens.
pub(crate) fn split_request(text: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let first = memchr::memchr(b' ', text)?;
    let last = memchr::memrchr(b' ', text)?;
    if first == last || first == 0 || last + 1 == text.len() {
        return None;
    }
    let path = &text[first + 1..last];
    if path.is_empty() || memchr::memchr(b' ', path).is_some() {
        return None;
    }
    Some((&text[..first], path, &text[last + 1..]))
}

/// Undoes the escaping Apache and nginx apply to logged strings: `\"`, `\\` and `\xNN`; other
/// backslashes stay as they are. Appends to `out`.
pub(crate) fn unescape_into(text: &[u8], out: &mut Vec<u8>) {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut i = 0;
    while i < text.len() {
        let Some(found) = memchr::memchr(b'\\', &text[i..]) else {
            out.extend_from_slice(&text[i..]);
            return;
        };
        out.extend_from_slice(&text[i..i + found]);
        i += found;
        match text.get(i + 1) {
            Some(&(c @ b'"' | c @ b'\\')) => {
                out.push(c);
                i += 2;
            }
            Some(b'x') => {
                match (text.get(i + 2).copied().and_then(hex), text.get(i + 3).copied().and_then(hex)) {
                    (Some(hi), Some(lo)) => {
                        out.push(hi << 4 | lo);
                        i += 4;
                    }
                    _ => {
                        out.push(b'\\');
                        i += 1;
                    }
                }
            }
            _ => {
                out.push(b'\\');
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clf_times_convert_to_utc_and_keep_the_zone() {
        // 2000-10-10 20:55:36 UTC = 971211336.
        assert_eq!(parse_clf_time(b"10/Oct/2000:13:55:36 -0700"), Some((971_211_336 * US, -420)));
        assert_eq!(parse_clf_time(b"17/May/2015:10:05:03 +0000"), Some((1_431_857_103 * US, 0)));
        assert_eq!(parse_clf_time(b"01/Jan/1970:05:30:00 +0530"), Some((0, 330)));
        assert_eq!(parse_clf_time(b"29/Feb/2024:00:00:00 +0000").map(|t| t.0), Some(1_709_164_800 * US));
        assert_eq!(parse_clf_time(b"10/Oct/2000:13:55:36.250 +0000").map(|t| t.0 % US), Some(250_000));
        for bad in [
            &b"29/Feb/2023:00:00:00 +0000"[..],
            b"32/Jan/2000:00:00:00 +0000",
            b"10/Foo/2000:13:55:36 -0700",
            b"10/Oct/2000:24:00:00 -0700",
            b"10/Oct/2000:13:55:36",
            b"10/Oct/2000:13:55:36 0700",
            b"10/Oct/2000:13:55:36 -07000",
            b"1/Oct/2000:13:55:36 -0700",
            b"",
        ] {
            assert_eq!(parse_clf_time(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn the_clock_agrees_with_the_full_parser() {
        let mut clock = ClfClock::default();
        for text in [
            &b"10/Oct/2000:13:55:36 -0700"[..],
            b"10/Oct/2000:13:55:37 -0700",
            b"10/Oct/2000:23:59:60 +0000",
            b"10/Oct/2000:24:00:00 +0000",
            b"10/Oct/2000:13:55:36 +0545",
            b"11/Oct/2000:00:00:00 -0700",
            b"29/Feb/2023:00:00:00 +0000",
            b"29/Feb/2024:00:00:00 +0000",
            b"10/Oct/2000:13:55:36.5 -0700",
            b"10/Oct/2000:13:5x:36 -0700",
            b"1x/Oct/2000:13:55:36 -0700",
            b"10/Oct/2000:13:55:36 -07x0",
            b"10-Oct-2000:13:55:36 -0700",
        ] {
            assert_eq!(clock.parse(text), parse_clf_time(text), "{}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn iso8601_times_take_offsets_fractions_and_z() {
        assert_eq!(parse_iso8601(b"2000-10-10T13:55:36-07:00"), Some((971_211_336 * US, -420)));
        assert_eq!(parse_iso8601(b"2000-10-10T20:55:36Z"), Some((971_211_336 * US, 0)));
        assert_eq!(parse_iso8601(b"2000-10-10 20:55:36.5+0000"), Some((971_211_336 * US + 500_000, 0)));
        assert_eq!(parse_iso8601(b"2000-13-10T20:55:36Z"), None);
        assert_eq!(parse_iso8601(b"2000-10-10T20:55:36"), None);
        assert_eq!(parse_iso8601(b"2000-10-10T20:55:36.Z"), None);
    }

    #[test]
    fn days_match_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
    }

    #[test]
    fn epoch_forms() {
        assert_eq!(parse_epoch_seconds(b"1700000000.123"), Some(1_700_000_000_123_000));
        assert_eq!(parse_epoch_seconds(b"1700000000"), Some(1_700_000_000 * US));
        assert_eq!(parse_epoch_seconds(b"17e8"), None);
        assert_eq!(parse_epoch_seconds(b"99999999999999999999"), None);
        assert_eq!(parse_epoch_ticks(b"1700000000123", 1000), Some(1_700_000_000_123_000));
        assert_eq!(parse_epoch_ticks(b"18446744073709551615", 1000), None);
    }

    #[test]
    fn numbers_reject_garbage_and_overflow() {
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64(b"18446744073709551616"), None);
        assert_eq!(parse_u64(b"12a"), None);
        assert_eq!(parse_u64(b""), None);
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775808"), None);
        assert_eq!(parse_i64(b"-"), None);
        assert_eq!(parse_status(b"200"), Some(200));
        assert_eq!(parse_status(b"65535"), Some(65535));
        assert_eq!(parse_status(b"65536"), None);
        assert_eq!(parse_status(b"2x0"), None);
        assert_eq!(parse_f64(b"0.004"), Some(0.004));
        assert_eq!(parse_f64(b"inf"), None);
        assert_eq!(parse_f64(b"1e999"), None);
        assert_eq!(parse_f64(b"1..2"), None);
    }

    #[test]
    fn upstream_lists_sum_their_numbers() {
        assert_eq!(parse_float_list(b"0.001, 0.002 : 0.003"), Some(Some(0.006)));
        assert_eq!(parse_float_list(b"0.5"), Some(Some(0.5)));
        assert_eq!(parse_float_list(b"-, 0.25"), Some(Some(0.25)));
        assert_eq!(parse_float_list(b"- : -"), Some(None));
        assert_eq!(parse_float_list(b"0.1, x"), None);
    }

    #[test]
    fn requests_split_only_into_exactly_three_tokens() {
        assert_eq!(split_request(b"GET /a?b HTTP/1.1"), Some((&b"GET"[..], &b"/a?b"[..], &b"HTTP/1.1"[..])));
        for raw in [
            &b""[..],
            b"GET",
            b"GET /",
            b"GET /a b HTTP/1.1",
            b"\x16\x03\x01",
            b" / HTTP/1.1",
            b"GET  HTTP/1.1",
        ] {
            assert_eq!(split_request(raw), None, "{}", String::from_utf8_lossy(raw));
        }
    }

    #[test]
    fn unescaping_handles_quotes_backslashes_and_hex() {
        let mut out = Vec::new();
        unescape_into(br#"a\"b\\c\x41\xZZ\q\"#, &mut out);
        assert_eq!(out, br#"a"b\cA\xZZ\q\"#);
    }
}
