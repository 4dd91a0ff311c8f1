//! One JSON object per line (JSON Lines / NDJSON), scanned in place: no tree is built. The scanner
//! reports each top-level member (or, flattened, each leaf of nested objects) as a key, unescaped
//! into a reusable buffer, and a value that is either a decoded scalar or a byte range of the line.
//!
//! The grammar is RFC 8259, strictly: no comments, trailing commas, single quotes, `NaN` or
//! leading zeros, raw control characters in strings are errors, and string contents must be UTF-8.
//! Nested values kept as raw text are validated as fully as the top level.
//!
//! Decisions where the RFC leaves room:
//! - A leading UTF-8 byte order mark is ignored (RFC 8259 section 8.1 allows it), so the first
//!   line of a file saved by a Windows tool is not lost.
//! - A lone surrogate escape (`\ud800` not followed by a low surrogate, or a lone `\udc00`) is
//!   accepted and decodes to U+FFFD, as Go's `encoding/json` does: the grammar allows it and
//!   JavaScript's `JSON.stringify` emits it, so rejecting the row would lose real data.
//! - Integers that fit `i64` are [`JsonValue::Int`] (`-0` is `Int(0)`); anything with a fraction
//!   or an exponent, and integers too big for `i64`, are [`JsonValue::Float`] parsed with correct
//!   rounding. A literal beyond the `f64` range (`1e999`) becomes an infinity rather than an error:
//!   the text is valid JSON and the magnitude is the closest `f64` answer.
//! - Nesting is limited to 128 containers including the top-level object; deeper is an error.

use crate::logs::RowError;
use memchr::memchr;

/// The deepest nesting accepted, counting the top-level object as 1.
pub(crate) const MAX_DEPTH: usize = 128;

type Fail = (RowError, usize);

#[inline]
fn fail(at: usize) -> Fail {
    (RowError::InvalidJson, at)
}

/// A member's value. Ranges are byte offsets into the line that was scanned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum JsonValue {
    Null,
    Bool(bool),
    /// An integer literal (no fraction or exponent) within `i64`.
    Int(i64),
    /// Any other number; infinite when the literal is beyond the `f64` range.
    Float(f64),
    /// A string: the range of its contents between the quotes. `escaped` is true when the
    /// contents hold a backslash and need [`unescape_json_string`]; otherwise they are already
    /// valid UTF-8 and can be copied as they are.
    Str {
        start: usize,
        end: usize,
        escaped: bool,
    },
    /// A nested array or object (or, when flattening, an empty object) kept as its exact text,
    /// brackets included.
    Raw {
        start: usize,
        end: usize,
    },
}

/// One member of the object: a key (a range into [`JsonScratch::keys`]) and its value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct JsonField {
    pub key: (usize, usize),
    pub value: JsonValue,
}

/// Reusable output of [`scan_object`], so that a warm scratch scans lines without allocating.
#[derive(Debug, Default)]
pub(crate) struct JsonScratch {
    /// The unescaped keys, back to back; flattened keys are joined with `.`. May also hold bytes
    /// no field points at (the prefixes of flattened objects).
    pub keys: Vec<u8>,
    /// The members in the order they appear; duplicate keys are all reported, in order.
    pub fields: Vec<JsonField>,
}

/// Scans `line` as one JSON object and fills `scratch` (cleared first) with its members. With
/// `flatten`, the members of nested objects are reported instead of the object, under
/// `parent.child` keys, recursively; arrays are never flattened, and an empty object is reported
/// as [`JsonValue::Raw`]. On failure the error is [`RowError::InvalidJson`] with the offset of the
/// first byte that cannot be part of a valid line (the line length when it ends too early), and
/// `scratch` holds whatever was scanned before it.
pub(crate) fn scan_object(line: &[u8], flatten: bool, scratch: &mut JsonScratch) -> Result<(), Fail> {
    scratch.keys.clear();
    scratch.fields.clear();
    let start = if line.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let mut scan = Scanner { s: line, i: start };
    scan.ws();
    scan.expect(b'{')?;
    scan.members(scratch, flatten, None, 1)?;
    scan.ws();
    if scan.i != line.len() {
        return Err(fail(scan.i));
    }
    Ok(())
}

/// Appends the decoded contents of a JSON string (the text between the quotes) to `out` as
/// UTF-8. Lone surrogate escapes become U+FFFD. Returns false, leaving `out` as it was, on a
/// malformed escape or invalid UTF-8, which cannot happen for a [`JsonValue::Str`] that
/// [`scan_object`] returned.
pub(crate) fn unescape_json_string(text: &[u8], out: &mut Vec<u8>) -> bool {
    let mark = out.len();
    let ok = unescape_into(text, out);
    if !ok {
        out.truncate(mark);
    }
    ok
}

fn unescape_into(text: &[u8], out: &mut Vec<u8>) -> bool {
    let mut i = 0;
    while let Some(rest) = text.get(i..) {
        let k = memchr(b'\\', rest).unwrap_or(rest.len());
        let span = &rest[..k];
        if !span.is_ascii() && std::str::from_utf8(span).is_err() {
            return false;
        }
        out.extend_from_slice(span);
        i += k;
        if i >= text.len() {
            return true;
        }
        let Some(&e) = text.get(i + 1) else { return false };
        i += 2;
        let byte = match e {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0C,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let Some((c, used)) = decode_u_escape(text, i) else { return false };
                i += used;
                push_char(c, out);
                continue;
            }
            _ => return false,
        };
        out.push(byte);
    }
    true
}

/// Decodes the code point of a `\u` escape whose four hex digits start at `at`, pairing a high
/// surrogate with a following `\uDC00`-`\uDFFF` escape. Returns the character (U+FFFD for a lone
/// surrogate) and the number of bytes used from `at`, or None when the four hex digits are
/// missing.
pub(crate) fn decode_u_escape(text: &[u8], at: usize) -> Option<(char, usize)> {
    let unit = hex4(text.get(at..at + 4)?)?;
    let (code, used) = match unit {
        0xD800..=0xDBFF => {
            let low = match text.get(at + 4..at + 6) {
                Some(b"\\u") => text.get(at + 6..at + 10).and_then(hex4),
                _ => None,
            };
            match low {
                Some(low @ 0xDC00..=0xDFFF) => (0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00), 10),
                _ => (0xFFFD, 4),
            }
        }
        0xDC00..=0xDFFF => (0xFFFD, 4),
        _ => (unit, 4),
    };
    Some((char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER), used))
}

fn hex4(digits: &[u8]) -> Option<u32> {
    let mut value = 0u32;
    for &d in digits {
        let v = match d {
            b'0'..=b'9' => d - b'0',
            b'a'..=b'f' => d - b'a' + 10,
            b'A'..=b'F' => d - b'A' + 10,
            _ => return None,
        };
        value = value << 4 | u32::from(v);
    }
    (digits.len() == 4).then_some(value)
}

#[inline]
fn push_char(c: char, out: &mut Vec<u8>) {
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

/// The end of the number literal starting at `at`, and whether it is integral (no fraction or
/// exponent). Stops at the first byte that cannot continue the literal; the caller checks what
/// follows, which is how `01` and `1.2.3` are rejected.
fn number_end(s: &[u8], at: usize) -> Result<(usize, bool), Fail> {
    let digits = |mut j: usize| {
        while let Some(b'0'..=b'9') = s.get(j) {
            j += 1;
        }
        j
    };
    let mut j = at;
    if s.get(j) == Some(&b'-') {
        j += 1;
    }
    match s.get(j) {
        Some(b'0') => j += 1,
        Some(b'1'..=b'9') => j = digits(j + 1),
        _ => return Err(fail(j)),
    }
    let mut integral = true;
    if s.get(j) == Some(&b'.') {
        integral = false;
        if !matches!(s.get(j + 1), Some(b'0'..=b'9')) {
            return Err(fail(j + 1));
        }
        j = digits(j + 1);
    }
    if let Some(b'e' | b'E') = s.get(j) {
        integral = false;
        j += 1;
        if let Some(b'+' | b'-') = s.get(j) {
            j += 1;
        }
        if !matches!(s.get(j), Some(b'0'..=b'9')) {
            return Err(fail(j));
        }
        j = digits(j);
    }
    Ok((j, integral))
}

/// Converts a literal [`number_end`] accepted.
fn number_value(text: &[u8], integral: bool) -> Option<JsonValue> {
    if integral {
        let (negative, digits) = match text.split_first() {
            Some((b'-', rest)) => (true, rest),
            _ => (false, text),
        };
        // Accumulating toward the sign keeps i64::MIN representable.
        let mut value: i64 = 0;
        let mut fits = true;
        for &d in digits {
            let d = i64::from(d - b'0');
            let next = value
                .checked_mul(10)
                .and_then(|v| if negative { v.checked_sub(d) } else { v.checked_add(d) });
            match next {
                Some(v) => value = v,
                None => {
                    fits = false;
                    break;
                }
            }
        }
        if fits {
            return Some(JsonValue::Int(value));
        }
    }
    let text = std::str::from_utf8(text).ok()?;
    text.parse::<f64>().ok().map(JsonValue::Float)
}

struct Scanner<'a> {
    s: &'a [u8],
    i: usize,
}

impl Scanner<'_> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    #[inline]
    fn expect(&mut self, byte: u8) -> Result<(), Fail> {
        if self.peek() == Some(byte) {
            self.i += 1;
            Ok(())
        } else {
            Err(fail(self.i))
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), Fail> {
        if self.s.get(self.i..).is_some_and(|rest| rest.starts_with(word)) {
            self.i += word.len();
            Ok(())
        } else {
            Err(fail(self.i))
        }
    }

    /// At an opening quote: validates the string and returns the range of its contents and
    /// whether it holds escapes, leaving the position after the closing quote.
    fn string(&mut self) -> Result<(usize, usize, bool), Fail> {
        let s = self.s;
        let start = self.i + 1;
        let mut i = start;
        let mut escaped = false;
        loop {
            i = skip_plain(s, i);
            match s.get(i) {
                None => return Err(fail(s.len())),
                Some(b'"') => {
                    self.i = i + 1;
                    return Ok((start, i, escaped));
                }
                Some(b'\\') => {
                    escaped = true;
                    match s.get(i + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                        Some(b'u') => match s.get(i + 2..i + 6) {
                            Some(digits) if hex4(digits).is_some() => i += 6,
                            _ => return Err(fail(i + 2)),
                        },
                        _ => return Err(fail(i + 1)),
                    }
                }
                Some(&c) if c < 0x20 => return Err(fail(i)),
                Some(_) => {
                    // A multi-byte UTF-8 character is all bytes >= 0x80 and no ASCII byte is
                    // part of one, so each maximal run of such bytes must be valid on its own.
                    let mut j = i;
                    while let Some(&c) = s.get(j)
                        && c >= 0x80
                    {
                        j += 1;
                    }
                    if let Err(e) = std::str::from_utf8(s.get(i..j).unwrap_or_default()) {
                        return Err(fail(i + e.valid_up_to()));
                    }
                    i = j;
                }
            }
        }
    }

    /// After `{` (at depth `depth`): the members up to and including the closing `}`.
    fn members(
        &mut self,
        scratch: &mut JsonScratch,
        flatten: bool,
        prefix: Option<(usize, usize)>,
        depth: usize,
    ) -> Result<(), Fail> {
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(());
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(fail(self.i));
            }
            let (ks, ke, key_escaped) = self.string()?;
            let key_start = scratch.keys.len();
            if let Some((ps, pe)) = prefix {
                scratch.keys.extend_from_within(ps..pe);
                scratch.keys.push(b'.');
            }
            let raw_key = &self.s[ks..ke];
            if key_escaped {
                if !unescape_json_string(raw_key, &mut scratch.keys) {
                    return Err(fail(ks));
                }
            } else {
                scratch.keys.extend_from_slice(raw_key);
            }
            let key = (key_start, scratch.keys.len());
            self.ws();
            self.expect(b':')?;
            self.ws();
            let vstart = self.i;
            let value = match self.peek() {
                Some(b'"') => {
                    let (start, end, escaped) = self.string()?;
                    Some(JsonValue::Str { start, end, escaped })
                }
                Some(b'{') if flatten => {
                    if depth >= MAX_DEPTH {
                        return Err(fail(self.i));
                    }
                    self.i += 1;
                    self.ws();
                    if self.peek() == Some(b'}') {
                        self.i += 1;
                        Some(JsonValue::Raw { start: vstart, end: self.i })
                    } else {
                        // Recursion is bounded by MAX_DEPTH.
                        self.members(scratch, flatten, Some(key), depth + 1)?;
                        None
                    }
                }
                Some(b'{' | b'[') => {
                    self.skip_container(depth)?;
                    Some(JsonValue::Raw { start: vstart, end: self.i })
                }
                Some(b't') => self.literal(b"true").map(|()| Some(JsonValue::Bool(true)))?,
                Some(b'f') => self.literal(b"false").map(|()| Some(JsonValue::Bool(false)))?,
                Some(b'n') => self.literal(b"null").map(|()| Some(JsonValue::Null))?,
                Some(b'-' | b'0'..=b'9') => {
                    let (end, integral) = number_end(self.s, vstart)?;
                    self.i = end;
                    Some(number_value(&self.s[vstart..end], integral).ok_or(fail(vstart))?)
                }
                _ => return Err(fail(self.i)),
            };
            if let Some(value) = value {
                scratch.fields.push(JsonField { key, value });
            }
            self.ws();
            match self.peek() {
                Some(b',') => {
                    self.i += 1;
                    self.ws();
                }
                Some(b'}') => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(fail(self.i)),
            }
        }
    }

    /// In an object, at a member: its key, the colon and the whitespace up to the value.
    fn member_key(&mut self) -> Result<(), Fail> {
        if self.peek() != Some(b'"') {
            return Err(fail(self.i));
        }
        self.string()?;
        self.ws();
        self.expect(b':')?;
        self.ws();
        Ok(())
    }

    /// At `{` or `[` inside a container at depth `outer`: validates the whole value and leaves
    /// the position after it. Iterative, with one bit per open level telling objects from arrays
    /// (the depth limit keeps that within a u128).
    fn skip_container(&mut self, outer: usize) -> Result<(), Fail> {
        let mut depth = outer;
        let mut objects: u128 = 0;
        loop {
            // At the start of a value.
            match self.peek() {
                Some(open @ (b'{' | b'[')) => {
                    if depth >= MAX_DEPTH {
                        return Err(fail(self.i));
                    }
                    let bit = 1u128 << (depth - outer);
                    let is_object = open == b'{';
                    if is_object {
                        objects |= bit;
                    } else {
                        objects &= !bit;
                    }
                    depth += 1;
                    self.i += 1;
                    self.ws();
                    let close = if is_object { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.i += 1;
                        depth -= 1;
                    } else {
                        if is_object {
                            self.member_key()?;
                        }
                        continue;
                    }
                }
                Some(b'"') => {
                    self.string()?;
                }
                Some(b't') => self.literal(b"true")?,
                Some(b'f') => self.literal(b"false")?,
                Some(b'n') => self.literal(b"null")?,
                Some(b'-' | b'0'..=b'9') => self.i = number_end(self.s, self.i)?.0,
                _ => return Err(fail(self.i)),
            }
            // After a value: commas and closing brackets until the next value or the end.
            loop {
                if depth == outer {
                    return Ok(());
                }
                self.ws();
                let in_object = objects >> (depth - outer - 1) & 1 == 1;
                match self.peek() {
                    Some(b',') => {
                        self.i += 1;
                        self.ws();
                        if in_object {
                            self.member_key()?;
                        }
                        break;
                    }
                    Some(b'}') if in_object => {
                        self.i += 1;
                        depth -= 1;
                    }
                    Some(b']') if !in_object => {
                        self.i += 1;
                        depth -= 1;
                    }
                    _ => return Err(fail(self.i)),
                }
            }
        }
    }
}

/// The first position at or after `i` holding a byte a string needs to look at: a quote, a
/// backslash, a control character or a non-ASCII byte (or the end).
#[inline]
fn skip_plain(s: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = ONES * 0x80;
    // Eight bytes at a time with the classic "has a byte less than n" and "has a zero byte" tests.
    while let Some(chunk) = s.get(i..i + 8) {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else { break };
        let x = u64::from_le_bytes(word);
        let quote = x ^ (ONES * u64::from(b'"'));
        let backslash = x ^ (ONES * u64::from(b'\\'));
        let special = (x.wrapping_sub(ONES * 0x20) & !x)
            | (quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | x;
        let found = special & HIGH;
        if found != 0 {
            // Borrows only spill into bytes above a real match, so the lowest flag is exact.
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&c) = s.get(i) {
        if !(0x20..0x80).contains(&c) || c == b'"' || c == b'\\' {
            break;
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(line: &str, flatten: bool) -> Result<Vec<(String, JsonValue)>, Fail> {
        scan_bytes(line.as_bytes(), flatten)
    }

    fn scan_bytes(line: &[u8], flatten: bool) -> Result<Vec<(String, JsonValue)>, Fail> {
        let mut scratch = JsonScratch::default();
        scan_object(line, flatten, &mut scratch)?;
        Ok(scratch
            .fields
            .iter()
            .map(|f| (String::from_utf8(scratch.keys[f.key.0..f.key.1].to_vec()).unwrap(), f.value))
            .collect())
    }

    /// The decoded text of a string value, or the raw text of a Raw value.
    fn text(line: &str, value: JsonValue) -> String {
        match value {
            JsonValue::Str { start, end, escaped } => {
                let mut out = Vec::new();
                if escaped {
                    assert!(unescape_json_string(&line.as_bytes()[start..end], &mut out));
                } else {
                    out.extend_from_slice(&line.as_bytes()[start..end]);
                }
                String::from_utf8(out).unwrap()
            }
            JsonValue::Raw { start, end } => line[start..end].to_string(),
            other => panic!("not text: {other:?}"),
        }
    }

    fn invalid(line: &[u8]) -> usize {
        match scan_bytes(line, false) {
            Err((RowError::InvalidJson, at)) => {
                assert!(at <= line.len());
                // Flattening never makes an invalid line valid.
                assert!(scan_bytes(line, true).is_err(), "{:?}", String::from_utf8_lossy(line));
                at
            }
            other => panic!("{:?} gave {other:?}", String::from_utf8_lossy(line)),
        }
    }

    #[test]
    fn scalars_and_order() {
        let line =
            r#"{"ts":"2024-01-02T03:04:05Z","level":"info","n":42,"x":1.5,"ok":true,"no":false,"z":null}"#;
        let got = scan(line, false).unwrap();
        let keys: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["ts", "level", "n", "x", "ok", "no", "z"]);
        assert_eq!(text(line, got[0].1), "2024-01-02T03:04:05Z");
        assert_eq!(got[1].1, JsonValue::Str { start: 38, end: 42, escaped: false });
        assert_eq!(got[2].1, JsonValue::Int(42));
        assert_eq!(got[3].1, JsonValue::Float(1.5));
        assert_eq!(got[4].1, JsonValue::Bool(true));
        assert_eq!(got[5].1, JsonValue::Bool(false));
        assert_eq!(got[6].1, JsonValue::Null);
    }

    #[test]
    fn empty_object_and_whitespace() {
        assert_eq!(scan("{}", false).unwrap(), []);
        assert_eq!(scan(" \t{ \r\n } \t", true).unwrap(), []);
        let got = scan(" {\t\"a\" :\n1 ,\r\"b\"  :  [ 1 , 2 ] } ", false).unwrap();
        assert_eq!(got[0], ("a".into(), JsonValue::Int(1)));
        assert_eq!(got[1].0, "b");
        assert_eq!(text(" {\t\"a\" :\n1 ,\r\"b\"  :  [ 1 , 2 ] } ", got[1].1), "[ 1 , 2 ]");
        // Only the four JSON whitespace characters.
        invalid(b"{\x0b}");
        invalid("{\u{a0}}".as_bytes());
        invalid(b"\x0c{}");
    }

    #[test]
    fn bom_is_ignored_only_at_the_start() {
        assert_eq!(scan_bytes(b"\xEF\xBB\xBF{\"a\":1}", false).unwrap(), [("a".into(), JsonValue::Int(1))]);
        assert_eq!(invalid(b" \xEF\xBB\xBF{}"), 1);
        assert_eq!(invalid(b"{}\xEF\xBB\xBF"), 2);
    }

    #[test]
    fn string_escapes() {
        let line = r#"{"s":"q\" b\\ s\/ \b\f\n\r\t \u00e9 \u20AC \ud83d\ude00 end"}"#;
        let got = scan(line, false).unwrap();
        assert!(matches!(got[0].1, JsonValue::Str { escaped: true, .. }));
        assert_eq!(text(line, got[0].1), "q\" b\\ s/ \u{8}\u{c}\n\r\t é € 😀 end");
    }

    #[test]
    fn lone_surrogates_become_replacement() {
        for (line, want) in [
            (r#"{"s":"\ud800"}"#, "\u{fffd}"),
            (r#"{"s":"a\udc00b"}"#, "a\u{fffd}b"),
            (r#"{"s":"\ud800\u0041"}"#, "\u{fffd}A"),
            (r#"{"s":"\ud800\ud800\udc00"}"#, "\u{fffd}\u{10000}"),
            (r#"{"s":"\udbff\udfff"}"#, "\u{10ffff}"),
            (r#"{"s":"\ud800\n"}"#, "\u{fffd}\n"),
        ] {
            let got = scan(line, false).unwrap();
            assert_eq!(text(line, got[0].1), want, "{line}");
        }
    }

    #[test]
    fn unicode_raw_and_in_keys() {
        let line = r#"{"clé":"héllo wörld 日本 😀","\u006b\u00e9y":"x"}"#;
        let got = scan(line, false).unwrap();
        assert_eq!(got[0].0, "clé");
        assert_eq!(text(line, got[0].1), "héllo wörld 日本 😀");
        assert!(matches!(got[0].1, JsonValue::Str { escaped: false, .. }));
        assert_eq!(got[1].0, "kéy");
    }

    #[test]
    fn invalid_utf8_and_control_characters() {
        assert_eq!(invalid(b"{\"a\":\"ok\xff\"}"), 8);
        assert_eq!(invalid(b"{\"a\xc3\":1}"), 3);
        // Overlong encodings and encoded surrogates are not UTF-8.
        assert_eq!(invalid(b"{\"a\":\"\xc0\xaf\"}"), 6);
        assert_eq!(invalid(b"{\"a\":\"\xed\xa0\x80\"}"), 6);
        assert_eq!(invalid(b"{\"a\":\"x\ty\"}"), 7);
        assert_eq!(invalid(b"{\"a\":\"\x00\"}"), 6);
        assert_eq!(invalid(b"{\"a\":\"\x1f\"}"), 6);
        // The earlier of the two problems is reported.
        assert_eq!(invalid(b"{\"a\":\"\x01\xff\"}"), 6);
        assert_eq!(invalid(b"{\"a\":\"\xff\x01\"}"), 6);
        // DEL is allowed raw.
        assert!(scan_bytes(b"{\"a\":\"\x7f\"}", false).is_ok());
        // Invalid bytes outside strings.
        invalid(b"{\xff}");
        invalid(b"{\"a\":1}\xff");
        // Inside nested raw values too.
        invalid(b"{\"a\":[\"\xff\"]}");
        invalid(b"{\"a\":{\"\xfe\":1}}");
        // An unterminated string with invalid UTF-8 reports the bad byte.
        assert_eq!(invalid(b"{\"a\":\"x\xff"), 7);
    }

    #[test]
    fn bad_escapes() {
        for line in [
            r#"{"a":"\x"}"#,
            r#"{"a":"\'"}"#,
            r#"{"a":"\u12"}"#,
            r#"{"a":"\u12g4"}"#,
            r#"{"a":"\U0041"}"#,
            r#"{"a":"\"}"#,
            r#"{"a\q":1}"#,
            r#"{"a":["\v"]}"#,
            r#"{"a":"\u"}"#,
        ] {
            invalid(line.as_bytes());
        }
        assert_eq!(invalid(br#"{"a":"\x"}"#), 7);
        assert_eq!(invalid(br#"{"a":"\u12g4"}"#), 8);
    }

    #[test]
    fn duplicate_keys_are_all_reported() {
        let got = scan(r#"{"a":1,"b":2,"a":3}"#, false).unwrap();
        assert_eq!(
            got,
            [
                ("a".into(), JsonValue::Int(1)),
                ("b".into(), JsonValue::Int(2)),
                ("a".into(), JsonValue::Int(3))
            ]
        );
    }

    #[test]
    fn nested_values_stay_raw_without_flatten() {
        let line = r#"{"a":{"b":1,"c":[true,{"d":null}]},"e":[],"f":{ },"g":"x"}"#;
        let got = scan(line, false).unwrap();
        assert_eq!(got.len(), 4);
        assert_eq!(text(line, got[0].1), r#"{"b":1,"c":[true,{"d":null}]}"#);
        assert_eq!(text(line, got[1].1), "[]");
        assert_eq!(text(line, got[2].1), "{ }");
        assert_eq!(text(line, got[3].1), "x");
    }

    #[test]
    fn flatten_joins_keys() {
        let line = r#"{"a":{"b":1,"c":{"d":"x","e":[1,{"f":2}]},"g":{}},"h":true,"a.b":5,"":{"":0}}"#;
        let got = scan(line, true).unwrap();
        let keys: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["a.b", "a.c.d", "a.c.e", "a.g", "h", "a.b", "."]);
        assert_eq!(got[0].1, JsonValue::Int(1));
        assert_eq!(text(line, got[1].1), "x");
        assert_eq!(text(line, got[2].1), r#"[1,{"f":2}]"#);
        assert_eq!(text(line, got[3].1), "{}");
        assert_eq!(got[4].1, JsonValue::Bool(true));
        assert_eq!(got[6].1, JsonValue::Int(0));
        // Escaped keys are unescaped before joining.
        let got = scan(r#"{"a\"":{"\u0062":1}}"#, true).unwrap();
        assert_eq!(got[0].0, "a\".b");
        // Flattening an empty object keeps its exact text.
        let line = r#"{"e":{ }}"#;
        let got = scan(line, true).unwrap();
        assert_eq!(got[0].0, "e");
        assert_eq!(text(line, got[0].1), "{ }");
    }

    #[test]
    fn numbers() {
        let cases: &[(&str, JsonValue)] = &[
            ("0", JsonValue::Int(0)),
            ("-0", JsonValue::Int(0)),
            ("-0.0", JsonValue::Float(-0.0)),
            ("123", JsonValue::Int(123)),
            ("-42", JsonValue::Int(-42)),
            ("9223372036854775807", JsonValue::Int(i64::MAX)),
            ("-9223372036854775808", JsonValue::Int(i64::MIN)),
            ("9223372036854775808", JsonValue::Float(9223372036854775808.0)),
            ("-9223372036854775809", JsonValue::Float(-9223372036854775809.0)),
            ("18446744073709551616", JsonValue::Float(18446744073709551616.0)),
            ("1.5", JsonValue::Float(1.5)),
            ("1e3", JsonValue::Float(1000.0)),
            ("1E+3", JsonValue::Float(1000.0)),
            ("25e-1", JsonValue::Float(2.5)),
            ("-1.25E-2", JsonValue::Float(-0.0125)),
            ("0.1", JsonValue::Float(0.1)),
            ("1e999", JsonValue::Float(f64::INFINITY)),
            ("-1e999", JsonValue::Float(f64::NEG_INFINITY)),
            ("1e-999", JsonValue::Float(0.0)),
            // Correct rounding of a literal with many digits.
            ("2.2250738585072011e-308", JsonValue::Float(2.225_073_858_507_201e-308)),
            ("0.30000000000000004", JsonValue::Float(0.30000000000000004)),
        ];
        for &(lit, want) in cases {
            let line = format!(r#"{{"n":{lit}}}"#);
            let got = scan(&line, false).unwrap();
            assert_eq!(got[0].1, want, "{lit}");
            if let (JsonValue::Float(a), JsonValue::Float(b)) = (got[0].1, want) {
                assert_eq!(a.is_sign_negative(), b.is_sign_negative(), "{lit}");
            }
            // The same literal inside a nested raw value is accepted too.
            assert!(scan(&format!(r#"{{"n":[{lit}]}}"#), false).is_ok(), "{lit}");
        }
        let huge = format!(r#"{{"n":{}}}"#, "9".repeat(400));
        assert_eq!(scan(&huge, false).unwrap()[0].1, JsonValue::Float(f64::INFINITY));
        let long_int = format!(r#"{{"n":{}1}}"#, "0.".to_string() + &"0".repeat(500));
        assert!(matches!(scan(&long_int, false).unwrap()[0].1, JsonValue::Float(_)));
    }

    #[test]
    fn bad_numbers() {
        for lit in [
            "01",
            "-01",
            "00",
            "1.",
            "-1.",
            ".5",
            "-.5",
            "-",
            "+1",
            "1e",
            "1e+",
            "1E-",
            "1.e3",
            "0x10",
            "1.5.2",
            "NaN",
            "-NaN",
            "Infinity",
            "-Infinity",
            "inf",
            "1_000",
            "--1",
            "1-",
            "2e3e4",
            "١",
        ] {
            invalid(format!(r#"{{"n":{lit}}}"#).as_bytes());
            invalid(format!(r#"{{"n":[{lit}]}}"#).as_bytes());
        }
        assert_eq!(invalid(br#"{"n":01}"#), 6);
        assert_eq!(invalid(br#"{"n":1.}"#), 7);
        assert_eq!(invalid(br#"{"n":-}"#), 6);
        assert_eq!(invalid(br#"{"n":.5}"#), 5);
    }

    #[test]
    fn top_level_must_be_one_object() {
        for line in [
            "", " ", "[]", "[1]", "1", "\"s\"", "null", "true", "{", "}", "{}}", "{}{}", "{} x", "{},",
            "{}]", "{} {}", "{}\"\"", "\"{}\"",
        ] {
            invalid(line.as_bytes());
        }
        assert_eq!(invalid(b""), 0);
        assert_eq!(invalid(b"[]"), 0);
        assert_eq!(invalid(b"{} x"), 3);
    }

    #[test]
    fn structural_errors() {
        for line in [
            r#"{"a":1,}"#,
            r#"{,"a":1}"#,
            r#"{"a":1,,"b":2}"#,
            r#"{"a" 1}"#,
            r#"{"a"::1}"#,
            r#"{"a":}"#,
            r#"{"a"}"#,
            r#"{a:1}"#,
            r#"{'a':1}"#,
            r#"{"a":'x'}"#,
            r#"{"a":1 "b":2}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":[,1]}"#,
            r#"{"a":[1 2]}"#,
            r#"{"a":[1}"#,
            r#"{"a":{"b":1]}"#,
            r#"{"a":{"b":1,}}"#,
            r#"{"a":{"b"}}"#,
            r#"{"a":{1:2}}"#,
            r#"{"a":[}"#,
            r#"{"a":{]}"#,
            r#"{"a":tru}"#,
            r#"{"a":truex}"#,
            r#"{"a":True}"#,
            r#"{"a":nul}"#,
            r#"{"a":nulll}"#,
            r#"{"a":falsey}"#,
            r#"{"a":[truee]}"#,
            r#"{"a":1}/* c */"#,
            r#"{/* c */"a":1}"#,
            r#"{"a":1 // c}"#,
            r#"{"a":undefined}"#,
            r#"{"a":"x"y}"#,
            r#"{"a":"x""y"}"#,
            r#"{"a":[1]]}"#,
            r#"{"a":{}}}"#,
            r#"{"a":1}}"#,
        ] {
            invalid(line.as_bytes());
        }
        assert_eq!(invalid(br#"{"a":1,}"#), 7);
        assert_eq!(invalid(br#"{"a":[1,]}"#), 8);
        assert_eq!(invalid(br#"{"a":truex}"#), 9);
        // Flattening checks the same things inside nested objects.
        for line in [r#"{"a":{"b":1,}}"#, r#"{"a":{"b" 1}}"#, r#"{"a":{"b":1 "c":2}}"#, r#"{"a":{"b":{}}"#] {
            assert!(scan(line, true).is_err(), "{line}");
        }
    }

    #[test]
    fn every_truncation_fails() {
        let lines = [
            r#"{"ts":"2024-01-02T03:04:05.123Z","msg":"hé \"q\" \u00e9 \ud83d\ude00","n":-12.5e+3,"i":0,"b":true,"f":false,"z":null,"a":[1,{"x":[]},"s"],"o":{"p":{"q":-0}},"e":{}}"#,
            r#"{ "a" : [ 1 , 2 ] , "b" : { "c" : "d" } }"#,
            r#"{"k":12345678901234567890123}"#,
        ];
        for line in lines {
            let bytes = line.as_bytes();
            for flatten in [false, true] {
                assert!(scan_bytes(bytes, flatten).is_ok());
                for cut in 0..bytes.len() {
                    let got = scan_bytes(&bytes[..cut], flatten);
                    match got {
                        Err((RowError::InvalidJson, at)) => assert!(at <= cut),
                        other => panic!("{cut} {other:?}"),
                    }
                }
            }
        }
    }

    #[test]
    fn mutations_never_panic() {
        // Every single-byte substitution of a valid line with bytes that matter to the grammar.
        let line = br#"{"a":"b\u00e9\n","c":[1,-2.5e3,{"d":null}],"e":{"f":true,"g":{}}}"#;
        let bytes = b"{}[]\",:\\-+.0123eEtfnu \t\x00\x80\xff";
        let mut scratch = JsonScratch::default();
        let mut buf = line.to_vec();
        for pos in 0..line.len() {
            for &b in bytes {
                buf[pos] = b;
                for flatten in [false, true] {
                    if let Err((kind, at)) = scan_object(&buf, flatten, &mut scratch) {
                        assert_eq!(kind, RowError::InvalidJson);
                        assert!(at <= buf.len());
                    } else {
                        for f in &scratch.fields {
                            assert!(f.key.1 <= scratch.keys.len());
                            if let JsonValue::Str { start, end, escaped: true } = f.value {
                                assert!(unescape_json_string(&buf[start..end], &mut Vec::new()));
                            }
                        }
                    }
                }
            }
            buf[pos] = line[pos];
        }
    }

    #[test]
    fn random_lines_never_panic() {
        // A fixed xorshift stream over an alphabet dense in JSON syntax, so many lines get far.
        let alphabet = b"{}[]\",:\\-+.0e1Etrufalsn \tu9a\x00\x1f\x80\xc3\xa9\xed\xf0";
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut scratch = JsonScratch::default();
        let mut line = Vec::new();
        for round in 0..30_000 {
            line.clear();
            line.extend_from_slice(if round % 2 == 0 { b"{\"" } else { b"" });
            let len = (next() % 48) as usize;
            for _ in 0..len {
                line.push(alphabet[(next() % alphabet.len() as u64) as usize]);
            }
            for flatten in [false, true] {
                match scan_object(&line, flatten, &mut scratch) {
                    Ok(()) => {
                        assert!(std::str::from_utf8(&scratch.keys).is_ok());
                        for f in &scratch.fields {
                            match f.value {
                                JsonValue::Str { start, end, .. } => {
                                    assert!(unescape_json_string(&line[start..end], &mut Vec::new()))
                                }
                                JsonValue::Raw { start, end } => assert!(start < end && end <= line.len()),
                                _ => {}
                            }
                        }
                    }
                    Err((kind, at)) => {
                        assert_eq!(kind, RowError::InvalidJson);
                        assert!(at <= line.len());
                    }
                }
            }
        }
    }

    #[test]
    fn depth_limit() {
        let nested =
            |open: &str, close: &str, n: usize| format!(r#"{{"a":{}{}}}"#, open.repeat(n), close.repeat(n));
        // The top-level object counts as one level.
        assert!(scan(&nested("[", "]", MAX_DEPTH - 1), false).is_ok());
        assert_eq!(invalid(nested("[", "]", MAX_DEPTH).as_bytes()), 5 + MAX_DEPTH - 1);
        let objects = |n: usize| format!("{}1{}", r#"{"a":"#.repeat(n), "}".repeat(n));
        for flatten in [false, true] {
            let got = scan(&objects(MAX_DEPTH), flatten).unwrap();
            assert_eq!(got.len(), 1);
            if flatten {
                assert_eq!(got[0].0, vec!["a"; MAX_DEPTH].join("."));
                assert_eq!(got[0].1, JsonValue::Int(1));
            }
            assert!(scan(&objects(MAX_DEPTH + 1), flatten).is_err());
            // Far too deep must fail quickly and without exhausting the stack.
            assert!(scan(&objects(100_000), flatten).is_err());
            assert!(scan(&nested("[", "]", 100_000), flatten).is_err());
        }
        // Mixed nesting at the limit.
        let mixed = format!(r#"{{"a":{}{}}}"#, r#"[{"b":"#.repeat(63) + "[]", "}]".repeat(63));
        assert!(scan(&mixed, false).is_ok());
        let mixed = format!(r#"{{"a":{}{}}}"#, r#"[{"b":"#.repeat(63) + "[[]]", "}]".repeat(63));
        assert!(scan(&mixed, false).is_err());
    }

    #[test]
    fn very_long_values() {
        let big = "x".repeat(1 << 20);
        let line = format!(r#"{{"a":"{big}","b":1}}"#);
        let got = scan(&line, false).unwrap();
        assert_eq!(got[0].1, JsonValue::Str { start: 6, end: 6 + (1 << 20), escaped: false });
        assert_eq!(got[1].1, JsonValue::Int(1));
        let escaped = "é\\n".repeat(1 << 18);
        let line = format!(r#"{{"a":"{escaped}"}}"#);
        let got = scan(&line, false).unwrap();
        assert_eq!(text(&line, got[0].1), "é\n".repeat(1 << 18));
        let array = format!(r#"{{"a":[{}0]}}"#, "1,".repeat(1 << 19));
        assert!(scan(&array, false).is_ok());
    }

    #[test]
    fn scratch_is_cleared_and_reused() {
        let mut scratch = JsonScratch::default();
        scan_object(br#"{"a":1,"b":{"c":2}}"#, true, &mut scratch).unwrap();
        assert_eq!(scratch.fields.len(), 2);
        scan_object(br#"{"z":1}"#, true, &mut scratch).unwrap();
        assert_eq!(scratch.fields.len(), 1);
        assert_eq!(&scratch.keys[..], b"z");
        assert!(scan_object(b"nope", true, &mut scratch).is_err());
        assert!(scratch.fields.is_empty());
    }

    #[test]
    fn skip_plain_matches_a_byte_loop() {
        let special = |c: u8| !(0x20..0x80).contains(&c) || c == b'"' || c == b'\\';
        for len in 0..20 {
            for pos in 0..len {
                for c in 0..=255u8 {
                    for filler in [b'a', b' ', b'\x7f'] {
                        let mut buf = vec![filler; len];
                        buf[pos] = c;
                        for from in 0..=len {
                            let want = (from..len).find(|&k| special(buf[k])).unwrap_or(len);
                            assert_eq!(skip_plain(&buf, from), want, "{buf:?} from {from}");
                        }
                    }
                }
            }
        }
        // Two special bytes in one word: the first is found.
        assert_eq!(skip_plain(b"ab\x01\"cdefgh", 0), 2);
        assert_eq!(skip_plain(b"ab\"\x01cdefgh", 0), 2);
        assert_eq!(skip_plain(b"abc\x00\xffdefgh", 0), 3);
        assert_eq!(skip_plain(b"ab", 5), 5);
    }

    #[test]
    fn unescape_rejects_malformed_text_and_restores_output() {
        let mut out = b"keep".to_vec();
        for bad in [&b"a\\"[..], b"\\x", b"\\u12", b"\\u12z4", b"ok\xff", b"\\"] {
            assert!(!unescape_json_string(bad, &mut out), "{bad:?}");
            assert_eq!(out, b"keep");
        }
        assert!(unescape_json_string(b"\\u0041\\/", &mut out));
        assert_eq!(out, b"keepA/");
        let mut out = Vec::new();
        assert!(unescape_json_string(b"", &mut out));
        assert!(out.is_empty());
    }
}
