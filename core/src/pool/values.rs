//! Batches of byte strings as the pool's batch calls take them: any slice of string-likes, or
//! Arrow's offsets + values layout (what pyarrow, the C ABI and `internLines` hand over).

use crate::{Error, Result};

/// A random-access batch of byte strings. Random access (not an iterator) lets the parallel
/// paths split a batch into chunks.
pub trait ByteValues: Sync {
    /// The number of values.
    fn len(&self) -> usize;

    /// Value `index`; callers only pass `index < len()`.
    fn value(&self, index: usize) -> &[u8];

    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T: AsRef<[u8]> + Sync> ByteValues for [T] {
    fn len(&self) -> usize {
        <[T]>::len(self)
    }

    fn value(&self, index: usize) -> &[u8] {
        self[index].as_ref()
    }
}

impl<T: AsRef<[u8]> + Sync> ByteValues for Vec<T> {
    fn len(&self) -> usize {
        <[T]>::len(self)
    }

    fn value(&self, index: usize) -> &[u8] {
        self[index].as_ref()
    }
}

impl<T: AsRef<[u8]> + Sync, const N: usize> ByteValues for [T; N] {
    fn len(&self) -> usize {
        N
    }

    fn value(&self, index: usize) -> &[u8] {
        self[index].as_ref()
    }
}

/// An offset type of Arrow's variable-size layouts: `i32` (utf8/binary), `i64` (large_utf8) or
/// `u32` (ferrule's own pools).
pub trait ArrowOffset: Copy + Sync {
    /// The offset as an index, `None` when negative or beyond `usize`.
    fn to_index(self) -> Option<usize>;
}

impl ArrowOffset for i32 {
    fn to_index(self) -> Option<usize> {
        usize::try_from(self).ok()
    }
}

impl ArrowOffset for i64 {
    fn to_index(self) -> Option<usize> {
        usize::try_from(self).ok()
    }
}

impl ArrowOffset for u32 {
    fn to_index(self) -> Option<usize> {
        usize::try_from(self).ok()
    }
}

/// Values in Arrow layout: value `i` is `data[offsets[i]..offsets[i + 1]]`.
///
/// [`ArrowValues::new`] checks every offset once, so that [`ByteValues::value`] can never index
/// out of bounds however the buffers were produced (a foreign Arrow array, a C caller).
#[derive(Debug, Clone, Copy)]
pub struct ArrowValues<'a, O> {
    offsets: &'a [O],
    data: &'a [u8],
}

impl<'a, O: ArrowOffset> ArrowValues<'a, O> {
    /// Validates `offsets` (`len + 1` entries, non-decreasing, within `data`).
    pub fn new(offsets: &'a [O], data: &'a [u8]) -> Result<Self> {
        if offsets.is_empty() {
            return Err(Error::invalid_argument(
                "Arrow offsets must have len + 1 entries (at least one, the start of value 0)",
            ));
        }
        let mut previous = 0usize;
        for (i, &offset) in offsets.iter().enumerate() {
            let offset = offset.to_index().ok_or_else(|| {
                Error::invalid_argument(format!("Arrow offset {i} is negative or too large"))
            })?;
            if i > 0 && offset < previous {
                return Err(Error::invalid_argument(format!(
                    "Arrow offsets must not decrease: offset {i} is {offset}, offset {} is {previous}",
                    i - 1
                )));
            }
            if offset > data.len() {
                return Err(Error::invalid_argument(format!(
                    "Arrow offset {i} is {offset}, beyond the {} bytes of values",
                    data.len()
                )));
            }
            previous = offset;
        }
        Ok(ArrowValues { offsets, data })
    }
}

impl<O: ArrowOffset> ByteValues for ArrowValues<'_, O> {
    fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    fn value(&self, index: usize) -> &[u8] {
        // Validated in `new`: both are in range and ordered, so `unwrap_or` never applies.
        let start = self.offsets[index].to_index().unwrap_or(0);
        let end = self.offsets[index + 1].to_index().unwrap_or(start);
        &self.data[start..end]
    }
}

/// Below this many bytes a buffer is split on the calling thread.
const PARALLEL_SPLIT_MIN_BYTES: usize = 1 << 20;

/// Splits `data` into separator-delimited values, like `str::lines` generalised: a trailing
/// separator ends the last value rather than starting an empty one, and with `b'\n'` a `\r`
/// right before a separator is dropped too (CRLF files; a `\r` at the very end stays, as in
/// `str::lines`). Large buffers are split on all cores.
pub fn split_values(data: &[u8], separator: u8) -> Vec<&[u8]> {
    if data.is_empty() {
        return Vec::new();
    }
    let ended = data.last() == Some(&separator);
    let body = if ended { &data[..data.len() - 1] } else { data };
    let crlf = separator == b'\n';
    let threads = rayon::current_num_threads();
    let mut values = if body.len() < PARALLEL_SPLIT_MIN_BYTES || threads < 2 {
        split_all(body, separator, crlf)
    } else {
        // Segments end at separators, so splitting each and concatenating is splitting the whole.
        let mut segments = Vec::new();
        let mut start = 0;
        let step = body.len() / (threads * 4) + 1;
        while start <= body.len() {
            let end = (start + step).min(body.len());
            match find_byte(&body[end..], separator) {
                Some(at) if end < body.len() => {
                    segments.push(&body[start..end + at]);
                    start = end + at + 1;
                }
                _ => {
                    segments.push(&body[start..]);
                    break;
                }
            }
        }
        use rayon::prelude::*;
        let parts: Vec<Vec<&[u8]>> = segments.par_iter().map(|s| split_all(s, separator, crlf)).collect();
        parts.concat()
    };
    if crlf && !ended {
        // The last value had no separator after it: its `\r` is data, not a line ending.
        if let Some(last) = values.last_mut() {
            let full_len = last.len() + 1;
            if body.ends_with(b"\r") && body.len() >= full_len {
                *last = &body[body.len() - full_len..];
            }
        }
    }
    values
}

/// Every separator-delimited value of `body` (an empty body is one empty value), `\r`s before
/// separators dropped when `crlf`.
fn split_all(body: &[u8], separator: u8, crlf: bool) -> Vec<&[u8]> {
    let mut values = Vec::with_capacity(body.len() / 32 + 1);
    let mut rest = body;
    loop {
        let (value, next) = match find_byte(rest, separator) {
            Some(at) => (&rest[..at], Some(&rest[at + 1..])),
            None => (rest, None),
        };
        values.push(if crlf { value.strip_suffix(b"\r").unwrap_or(value) } else { value });
        match next {
            Some(next) => rest = next,
            None => return values,
        }
    }
}

/// The first `needle` in `haystack`, eight bytes at a time (no dependency on a memchr crate).
pub(crate) fn find_byte(haystack: &[u8], needle: u8) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let pattern = LO * u64::from(needle);
    let mut words = haystack.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        let x = u64::from_le_bytes(bytes) ^ pattern;
        // Classic "has a zero byte": exact for the lowest zero byte, which is the one we want
        // (false positives can only sit above a true zero).
        let zero = x.wrapping_sub(LO) & !x & HI;
        if zero != 0 {
            return Some(at + (zero.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    words.remainder().iter().position(|&b| b == needle).map(|p| at + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrow_values_checks_every_offset() {
        let data = b"abcdef";
        let ok = ArrowValues::new(&[0i32, 2, 2, 6][..], data).unwrap();
        assert_eq!(ByteValues::len(&ok), 3);
        assert_eq!(ok.value(0), b"ab");
        assert_eq!(ok.value(1), b"");
        assert_eq!(ok.value(2), b"cdef");
        for bad in [&[][..], &[0i32, 3, 2][..], &[0i32, 7][..], &[-1i32, 2][..]] {
            let err = ArrowValues::new(bad, data).unwrap_err();
            assert_eq!(err.code(), "FERRULE_INVALID_ARGUMENT", "{bad:?}");
        }
        let large = ArrowValues::new(&[1i64, 3][..], data).unwrap();
        assert_eq!(large.value(0), b"bc");
    }

    #[test]
    fn split_values_like_lines() {
        assert!(split_values(b"", b'\n').is_empty());
        assert_eq!(split_values(b"\n", b'\n'), [b"" as &[u8]]);
        assert_eq!(split_values(b"a\nb", b'\n'), [b"a" as &[u8], b"b"]);
        assert_eq!(split_values(b"a\r\nb\r\n", b'\n'), [b"a" as &[u8], b"b"]);
        assert_eq!(split_values(b"a\n\nb\n", b'\n'), [b"a" as &[u8], b"", b"b"]);
        assert_eq!(split_values(b"a,b\r,", b','), [b"a" as &[u8], b"b\r"]);
        assert_eq!(split_values(b"a\r", b'\n'), [b"a\r" as &[u8]]);
        assert_eq!(split_values(b"\r", b'\n'), [b"\r" as &[u8]]);
        assert_eq!(split_values(b"\r\n", b'\n'), [b"" as &[u8]]);
        assert_eq!(split_values(b"x\r\ny\r", b'\n'), [b"x" as &[u8], b"y\r"]);
    }

    #[test]
    fn find_byte_agrees_with_position() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 % 13) as u8).collect();
        for start in 0..40 {
            for len in 0..100 {
                let hay = &data[start..start + len];
                for needle in [0u8, 5, 12, 13, 0x80] {
                    assert_eq!(find_byte(hay, needle), hay.iter().position(|&b| b == needle));
                }
            }
        }
    }

    #[test]
    fn parallel_split_matches_the_sequential_split() {
        let mut data = Vec::new();
        for i in 0..200_000u32 {
            data.extend_from_slice(
                format!("value {}{}", i % 977, if i % 5 == 0 { "\r\n" } else { "\n" }).as_bytes(),
            );
            if i % 1000 == 0 {
                data.push(b'\n');
            }
        }
        assert!(data.len() > PARALLEL_SPLIT_MIN_BYTES);
        for cut in [data.len(), data.len() - 1, data.len() - 3] {
            let body = &data[..cut];
            let expected: Vec<&[u8]> = {
                let ended = body.last() == Some(&b'\n');
                let b = if ended { &body[..body.len() - 1] } else { body };
                let mut v: Vec<&[u8]> = b.split(|&c| c == b'\n').collect();
                let n = v.len();
                for (i, x) in v.iter_mut().enumerate() {
                    if ended || i + 1 < n {
                        *x = x.strip_suffix(b"\r").unwrap_or(x);
                    }
                }
                v
            };
            assert_eq!(split_values(body, b'\n'), expected);
        }
    }
}
