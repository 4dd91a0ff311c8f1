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

/// Splits `data` into separator-delimited values: a trailing separator ends the last value rather
/// than starting an empty one, and with `b'\n'` a `\r` before it is dropped too (CRLF files).
pub fn split_values(data: &[u8], separator: u8) -> Vec<&[u8]> {
    let body = data.strip_suffix(&[separator]).unwrap_or(data);
    if data.is_empty() {
        return Vec::new();
    }
    let mut values: Vec<&[u8]> = body.split(|&b| b == separator).collect();
    if separator == b'\n' {
        for value in &mut values {
            if let Some(stripped) = value.strip_suffix(b"\r") {
                *value = stripped;
            }
        }
    }
    values
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
    }
}
