//! logfmt lines (`level=info msg="hello world" took=1.5ms verbose`), scanned in place into
//! `(key, value)` byte ranges of the line.
//!
//! The grammar, as the common emitters (Go's go-logfmt and logrus, Heroku) write it:
//! - pairs are separated by runs of spaces and tabs; leading and trailing ones are ignored;
//! - a key is a run of any bytes other than space, tab, `=` and `"` (so UTF-8 keys work);
//! - `key=value`: a bare value runs to the next space or tab and may hold `=` and `"`
//!   (`url=/a?b=c`);
//! - `key="..."`: a quoted value, where a backslash escapes the next byte; the closing quote must
//!   be followed by a separator or the end of the line;
//! - `key=` is an empty string, and a standalone `key` is the flag `true`.
//!
//! A line of only spaces and tabs holds no pairs. Errors: an unclosed quote is
//! [`RowError::UnterminatedQuote`] at the opening quote; an empty key (`=value`), a `"` in a key
//! and text glued to a closing quote are [`RowError::UnexpectedText`] at the offending byte.

use super::json::decode_u_escape;
use crate::logs::RowError;
use memchr::{memchr, memchr2};

/// The value of one logfmt pair. Ranges are byte offsets into the scanned line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LogfmtValue {
    /// A standalone key: true.
    Flag,
    /// An unquoted value (empty for `key=`), to be used as it is.
    Bare(usize, usize),
    /// A quoted value: the range between the quotes. `escaped` is true when it holds a
    /// backslash and needs [`unescape_logfmt`].
    Quoted { start: usize, end: usize, escaped: bool },
}

#[inline]
fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Scans one logfmt line into `out` (cleared first): the key range of each pair and its value,
/// in line order. Duplicate keys are all reported; the caller decides which wins.
pub(crate) fn scan_logfmt(
    line: &[u8],
    out: &mut Vec<((usize, usize), LogfmtValue)>,
) -> Result<(), (RowError, usize)> {
    out.clear();
    let n = line.len();
    let mut i = 0;
    loop {
        while i < n && is_space(line[i]) {
            i += 1;
        }
        if i >= n {
            return Ok(());
        }
        let key_start = i;
        while i < n && !matches!(line[i], b' ' | b'\t' | b'=' | b'"') {
            i += 1;
        }
        let key = (key_start, i);
        match line.get(i) {
            // The key cannot be empty here: the run of separators was skipped above.
            None | Some(b' ' | b'\t') => {
                out.push((key, LogfmtValue::Flag));
                continue;
            }
            Some(b'=') if i > key_start => {}
            // `=value`, or a quote at or inside a key.
            Some(_) => return Err((RowError::UnexpectedText, i)),
        }
        i += 1;
        if line.get(i) == Some(&b'"') {
            let open = i;
            let mut j = open + 1;
            let mut escaped = false;
            let close = loop {
                let Some(k) = line.get(j..).and_then(|rest| memchr2(b'"', b'\\', rest)) else {
                    return Err((RowError::UnterminatedQuote, open));
                };
                let at = j + k;
                if line[at] == b'"' {
                    break at;
                }
                escaped = true;
                // Whatever follows the backslash is escaped, including a quote; a backslash as
                // the last byte leaves `j` past the end, which the next search reports.
                j = at + 2;
            };
            out.push((key, LogfmtValue::Quoted { start: open + 1, end: close, escaped }));
            i = close + 1;
            if i < n && !is_space(line[i]) {
                return Err((RowError::UnexpectedText, i));
            }
        } else {
            let rest = line.get(i..).unwrap_or_default();
            let end = i + memchr2(b' ', b'\t', rest).unwrap_or(rest.len());
            out.push((key, LogfmtValue::Bare(i, end)));
            i = end;
        }
    }
}

/// Appends the unescaped text of a quoted value (the bytes between the quotes) to `out`.
///
/// The escapes are JSON's, which is what go-logfmt writes: `\"`, `\\`, `\/`, `\n`, `\t`, `\r`, `\b`,
/// `\f`, and `\uXXXX`, decoded to the character as UTF-8 with surrogate pairs joined and a lone
/// surrogate turned into U+FFFD. Anything else (an unknown
/// escape such as `\x41` or `\q`, a `\u` without four hex digits, a trailing lone backslash) is
/// kept as it is, backslash included, so no text is lost. Bytes outside escapes are copied
/// unchanged, whether or not they are UTF-8.
pub(crate) fn unescape_logfmt(text: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while let Some(rest) = text.get(i..) {
        let Some(k) = memchr(b'\\', rest) else {
            out.extend_from_slice(rest);
            return;
        };
        out.extend_from_slice(&rest[..k]);
        i += k;
        let byte = match text.get(i + 1) {
            Some(b'"') => b'"',
            Some(b'\\') => b'\\',
            Some(b'/') => b'/',
            Some(b'n') => b'\n',
            Some(b't') => b'\t',
            Some(b'r') => b'\r',
            Some(b'b') => 0x08,
            Some(b'f') => 0x0C,
            Some(b'u') => {
                if let Some((c, used)) = decode_u_escape(text, i + 2) {
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    i += 2 + used;
                    continue;
                }
                out.push(b'\\');
                i += 1;
                continue;
            }
            _ => {
                // Unknown: keep the backslash; the next byte is copied by the next span.
                out.push(b'\\');
                i += 1;
                continue;
            }
        };
        out.push(byte);
        i += 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    enum V {
        Flag,
        Bare(String),
        Quoted(String),
    }

    fn scan(line: &str) -> Result<Vec<(String, V)>, (RowError, usize)> {
        scan_bytes(line.as_bytes())
            .map(|pairs| pairs.into_iter().map(|(k, v)| (String::from_utf8(k).unwrap(), v)).collect())
    }

    type Pairs = Vec<(Vec<u8>, V)>;

    fn scan_bytes(line: &[u8]) -> Result<Pairs, (RowError, usize)> {
        let mut out = Vec::new();
        scan_logfmt(line, &mut out)?;
        Ok(out
            .into_iter()
            .map(|((ks, ke), v)| {
                let value = match v {
                    LogfmtValue::Flag => V::Flag,
                    LogfmtValue::Bare(s, e) => V::Bare(String::from_utf8_lossy(&line[s..e]).into()),
                    LogfmtValue::Quoted { start, end, escaped } => {
                        let raw = &line[start..end];
                        assert_eq!(escaped, raw.contains(&b'\\'));
                        let mut text = Vec::new();
                        unescape_logfmt(raw, &mut text);
                        V::Quoted(String::from_utf8_lossy(&text).into())
                    }
                };
                (line[ks..ke].to_vec(), value)
            })
            .collect())
    }

    fn bare(s: &str) -> V {
        V::Bare(s.into())
    }

    fn quoted(s: &str) -> V {
        V::Quoted(s.into())
    }

    fn unescape(text: &[u8]) -> Vec<u8> {
        let mut out = b">".to_vec();
        unescape_logfmt(text, &mut out);
        assert_eq!(out[0], b'>', "appends");
        out.split_off(1)
    }

    #[test]
    fn pairs_in_order() {
        let got = scan(r#"ts=2024-01-02T03:04:05Z level=info msg="hello world" took=1.5ms"#).unwrap();
        assert_eq!(
            got,
            [
                ("ts".into(), bare("2024-01-02T03:04:05Z")),
                ("level".into(), bare("info")),
                ("msg".into(), quoted("hello world")),
                ("took".into(), bare("1.5ms")),
            ]
        );
    }

    #[test]
    fn exact_ranges() {
        let mut out = Vec::new();
        scan_logfmt(br#"a=1 bb="x\"y" c d="""#, &mut out).unwrap();
        assert_eq!(
            out,
            [
                ((0, 1), LogfmtValue::Bare(2, 3)),
                ((4, 6), LogfmtValue::Quoted { start: 8, end: 12, escaped: true }),
                ((14, 15), LogfmtValue::Flag),
                ((16, 17), LogfmtValue::Quoted { start: 19, end: 19, escaped: false }),
            ]
        );
        // The output is cleared on each call.
        scan_logfmt(b"z", &mut out).unwrap();
        assert_eq!(out, [((0, 1), LogfmtValue::Flag)]);
    }

    #[test]
    fn flags_empty_values_and_separators() {
        let got = scan("\t verbose a= b=\t\tdebug  c=x\t").unwrap();
        assert_eq!(
            got,
            [
                ("verbose".into(), V::Flag),
                ("a".into(), bare("")),
                ("b".into(), bare("")),
                ("debug".into(), V::Flag),
                ("c".into(), bare("x")),
            ]
        );
        assert_eq!(scan("").unwrap(), []);
        assert_eq!(scan(" \t  ").unwrap(), []);
        assert_eq!(scan("x").unwrap(), [("x".into(), V::Flag)]);
        assert_eq!(scan("x=").unwrap(), [("x".into(), bare(""))]);
    }

    #[test]
    fn bare_values_may_hold_equals_and_quotes() {
        let got = scan(r#"url=/a?b=c&d=e x=a"b y=it's"#).unwrap();
        assert_eq!(got[0], ("url".into(), bare("/a?b=c&d=e")));
        assert_eq!(got[1], ("x".into(), bare("a\"b")));
        assert_eq!(got[2], ("y".into(), bare("it's")));
        // A backslash in a bare value is not an escape.
        assert_eq!(scan(r"p=C:\dir\n").unwrap()[0].1, bare(r"C:\dir\n"));
    }

    #[test]
    fn quoted_escapes() {
        let got = scan(r#"m="q\" b\\ n\n t\t r\r s\/ u\u00e9 p\ud83d\ude00 x\x41 end""#).unwrap();
        assert_eq!(got[0].1, quoted("q\" b\\ n\n t\t r\r s/ u\u{e9} p\u{1f600} x\\x41 end"));
        // Quoted separators, equals signs and empty quotes.
        let got = scan(r#"a="x = y	z" b="" c="=""#).unwrap();
        assert_eq!(
            got,
            [("a".into(), quoted("x = y\tz")), ("b".into(), quoted("")), ("c".into(), quoted("="))]
        );
    }

    #[test]
    fn unescape_rules() {
        assert_eq!(unescape(br#"\"\\\/\n\t\r\b\f"#), b"\"\\/\n\t\r\x08\x0c");
        assert_eq!(unescape(br"\u0041\u00E9\u20ac"), "Aé€".as_bytes());
        assert_eq!(unescape(br"\ud83d\ude00"), "😀".as_bytes());
        assert_eq!(unescape(br"\ud800x"), "\u{fffd}x".as_bytes());
        assert_eq!(unescape(br"\udc00"), "\u{fffd}".as_bytes());
        // Kept as they are.
        assert_eq!(unescape(br"\q\x41\u12\u12g4\U0041"), br"\q\x41\u12\u12g4\U0041");
        assert_eq!(unescape(br"a\"), br"a\");
        assert_eq!(unescape(br"\"), br"\");
        assert_eq!(unescape(br"\\\"), br"\\");
        assert_eq!(unescape(b""), b"");
        assert_eq!(unescape(b"\xff\\n\xfe"), b"\xff\n\xfe");
    }

    #[test]
    fn unicode_keys_and_values() {
        let got = scan("clé=héllo 日本=\"語 😀\" ünïcödé").unwrap();
        assert_eq!(
            got,
            [("clé".into(), bare("héllo")), ("日本".into(), quoted("語 😀")), ("ünïcödé".into(), V::Flag)]
        );
        // Non-UTF-8 bytes are the caller's business; the scanner only splits.
        let got = scan_bytes(b"k\xff=v\xfe").unwrap();
        assert_eq!(got[0].0, b"k\xff");
    }

    #[test]
    fn duplicates_are_all_reported() {
        let got = scan("a=1 a=2 a").unwrap();
        assert_eq!(got, [("a".into(), bare("1")), ("a".into(), bare("2")), ("a".into(), V::Flag)]);
    }

    #[test]
    fn unterminated_quotes() {
        for (line, at) in [
            (r#"a=""#, 2),
            (r#"a="abc"#, 2),
            (r#"x=1 msg="abc def"#, 8),
            (r#"a="abc\""#, 2),
            (r#"a="abc\"#, 2),
            (r#"a="\\\""#, 2),
        ] {
            assert_eq!(scan(line), Err((RowError::UnterminatedQuote, at)), "{line}");
        }
        // An escaped backslash does not escape the closing quote.
        assert_eq!(scan(r#"a="x\\""#).unwrap()[0].1, quoted("x\\"));
    }

    #[test]
    fn garbage() {
        for (line, at) in [
            ("=value", 0),
            ("a=1 =2", 4),
            ("=", 0),
            ("a=1 =", 4),
            (r#""a"=1"#, 0),
            (r#"a"b=1"#, 1),
            (r#"ab"=1"#, 2),
            (r#"a=1 "quoted""#, 4),
            (r#"a="x"y"#, 5),
            (r#"a="x""y""#, 5),
            (r#"a="x"=1"#, 5),
        ] {
            assert_eq!(scan(line), Err((RowError::UnexpectedText, at)), "{line}");
        }
        // `a==b` is the key `a` with the bare value `=b`, not an error.
        assert_eq!(scan("a==b").unwrap(), [("a".into(), bare("=b"))]);
    }

    #[test]
    fn very_long_values() {
        let big = "v".repeat(1 << 20);
        let got = scan(&format!("a={big} b=\"{big}\" c")).unwrap();
        assert_eq!(got[0].1, bare(&big));
        assert_eq!(got[1].1, quoted(&big));
        assert_eq!(got[2], ("c".into(), V::Flag));
        let escaped = r#"é\\\""#.repeat(1 << 18);
        let got = scan(&format!("q=\"{escaped}\"")).unwrap();
        assert_eq!(got[0].1, quoted(&"é\\\"".repeat(1 << 18)));
        let long_key = "k".repeat(1 << 20);
        assert_eq!(scan(&long_key).unwrap()[0].0.len(), 1 << 20);
        assert_eq!(scan(&format!("a=\"{big}")), Err((RowError::UnterminatedQuote, 2)));
    }

    #[test]
    fn mutations_never_panic() {
        let line = br#"a=1 b="x \"y\" \u00e9" c d= e=f=g"#;
        let bytes = b" \t=\\\"au\x00\xff";
        let mut out = Vec::new();
        let mut buf = line.to_vec();
        for pos in 0..line.len() {
            for &b in bytes {
                buf[pos] = b;
                for cut in [buf.len(), pos, pos + 1] {
                    let text = &buf[..cut.min(buf.len())];
                    match scan_logfmt(text, &mut out) {
                        Ok(()) => {
                            for &((ks, ke), v) in &out {
                                assert!(ks < ke && ke <= text.len());
                                let key = &text[ks..ke];
                                assert!(!key.iter().any(|&c| matches!(c, b' ' | b'\t' | b'=' | b'"')));
                                if let LogfmtValue::Quoted { start, end, .. }
                                | LogfmtValue::Bare(start, end) = v
                                {
                                    assert!(start <= end && end <= text.len());
                                    unescape_logfmt(&text[start..end], &mut Vec::new());
                                }
                            }
                        }
                        Err((_, at)) => assert!(at < text.len()),
                    }
                }
            }
            buf[pos] = line[pos];
        }
    }
}
