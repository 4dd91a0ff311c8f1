//! `StringPool`: core's `ConcurrentPool` for Node. Ids are JS numbers, batches are typed arrays.
//!
//! A napi call, or a napi value read one element at a time, costs ~50-100 ns: more than
//! interning or resolving a string. So two batch calls cross the boundary as joined strings
//! (a chunk per call) instead of one value per item: `__internJoined` (behind `internMany`) and
//! `__resolveJoined` (behind `resolveMany`); ferrule.js does the JS half of each.

use crate::errors::{Result, guarded, run, settle};
use ferrule_core::Error;
use ferrule_core::pool::{ArrowValues, ConcurrentPool};
use napi::bindgen_prelude::{AsyncTask, Buffer, Either, Uint8ArraySlice, Uint32Array, Uint32ArraySlice};
use napi::{Env, Task};
use napi_derive::napi;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

/// A value given as a string or as bytes (`Buffer`, `Uint8Array`).
fn bytes_of<'v>(value: &'v Either<String, Uint8ArraySlice<'_>>) -> &'v [u8] {
    match value {
        Either::A(text) => text.as_bytes(),
        Either::B(bytes) => bytes,
    }
}

/// An id given as a JS number. napi's own `u32` conversion wraps (-1 becomes 4294967295, 1.5
/// becomes 1), which would resolve some other value instead of failing.
fn to_id(id: f64, pool: &ConcurrentPool) -> ferrule_core::Result<u32> {
    if !(id >= 0.0 && id.fract() == 0.0) {
        return Err(Error::invalid_argument(format!("an id is a non-negative integer, got {id}")));
    }
    if id > f64::from(u32::MAX) {
        return Err(Error::out_of_range(format!(
            "unknown id {id}: the string pool holds ids 0..{}",
            pool.len()
        )));
    }
    Ok(id as u32)
}

/// The separator byte of `internLines` (a newline when not given).
fn to_separator(separator: Option<f64>) -> ferrule_core::Result<u8> {
    match separator {
        None => Ok(b'\n'),
        Some(s) if (0.0..=255.0).contains(&s) && s.fract() == 0.0 => Ok(s as u8),
        Some(s) => Err(Error::invalid_argument(format!(
            "the separator is a byte, an integer from 0 to 255, got {s}"
        ))),
    }
}

/// Splits `joined` into the values whose UTF-16 lengths (JS `.length`s) are `lengths`, as Arrow
/// offsets into its UTF-8 bytes. A UTF-16 unit maps to 1-3 UTF-8 bytes and a surrogate pair to
/// 4; a lone surrogate arrives as U+FFFD (3 bytes) from V8's conversion, which ferrule.js makes
/// sure cannot pair up across two values.
fn utf16_split(joined: &str, lengths: &[u32]) -> ferrule_core::Result<Vec<i64>> {
    let bytes = joined.as_bytes();
    let mismatch = || {
        Error::length_mismatch(format!(
            "{} values whose lengths do not add up to the {} bytes of their joined text",
            lengths.len(),
            bytes.len()
        ))
    };
    let mut offsets = Vec::with_capacity(lengths.len() + 1);
    offsets.push(0i64);
    // All ASCII (the common case, checked a word at a time): one byte per unit.
    if bytes.is_ascii() {
        offsets.extend(lengths.iter().scan(0i64, |end, &length| {
            *end += i64::from(length);
            Some(*end)
        }));
        return match offsets.last() {
            Some(&end) if end == bytes.len() as i64 => Ok(offsets),
            _ => Err(mismatch()),
        };
    }
    let mut pos = 0usize;
    for &length in lengths {
        let mut units = length as usize;
        // Most values are ASCII: one byte per unit, checked a word at a time.
        if bytes.get(pos..pos + units).is_some_and(<[u8]>::is_ascii) {
            pos += units;
            units = 0;
        }
        while units > 0 {
            let lead = *bytes.get(pos).ok_or_else(mismatch)?;
            let (width, width16) = match lead {
                0x00..=0x7F => (1, 1),
                0xC0..=0xDF => (2, 1),
                0xE0..=0xEF => (3, 1),
                _ => (4, 2),
            };
            if width16 > units {
                return Err(mismatch());
            }
            units -= width16;
            pos += width;
        }
        offsets.push(pos as i64);
    }
    if pos != bytes.len() {
        return Err(mismatch());
    }
    Ok(offsets)
}

/// At most this much text per `__resolveJoined` call (at least one value): bounds the string
/// every slice of one batch keeps alive, and stays far below V8's longest string (2^29 - 24).
const RESOLVE_CHUNK_BYTES: usize = 1 << 20;
const V8_MAX_STRING_UNITS: usize = (1 << 29) - 24;

/// A dictionary of strings: each distinct value is stored once and named by a dense id, given
/// in first-seen order from 0. Equal ids always mean equal bytes.
///
/// Thread-safe inside: the `...Async` calls intern on the libuv pool while the pool stays
/// usable.
#[napi]
pub struct StringPool {
    pool: Arc<ConcurrentPool>,
}

#[napi]
impl StringPool {
    /// An empty pool.
    #[napi(constructor, catch_unwind)]
    #[allow(clippy::new_without_default)] // a JS constructor, not a Rust one
    pub fn new() -> Result<Self> {
        guarded(|| Ok(StringPool { pool: Arc::new(ConcurrentPool::new()) }))
    }

    /// The id of `value`, interning it first if it is new. Strings are stored as UTF-8 (a lone
    /// surrogate becomes U+FFFD, as in `Buffer.from(value)`); bytes (`Buffer`, `Uint8Array`) are
    /// stored as they are and may be any bytes: the string `'a'` and the bytes `[0x61]` are one
    /// value.
    #[napi(catch_unwind)]
    pub fn intern(&self, value: Either<String, Uint8ArraySlice>) -> Result<u32> {
        run(|| self.pool.intern_bytes(bytes_of(&value)))
    }

    /// @internal `internMany` after ferrule.js joined the strings: `lengths` are their `.length`s.
    #[napi(js_name = "__internJoined", catch_unwind)]
    pub fn intern_joined(&self, joined: String, lengths: Uint32ArraySlice) -> Result<Uint32Array> {
        run(|| {
            let offsets = utf16_split(&joined, &lengths)?;
            let values = ArrowValues::new(&offsets, joined.as_bytes())?;
            Ok(Uint32Array::new(self.pool.intern_many(&values)?))
        })
    }

    /// Ids of the separator-delimited values of `buf`: by default (separator 10) its lines, a
    /// carriage return before the newline dropped too. A trailing separator ends the last value
    /// rather than starting an empty one.
    #[napi(catch_unwind)]
    pub fn intern_lines(&self, buf: Uint8ArraySlice, separator: Option<f64>) -> Result<Uint32Array> {
        run(|| Ok(Uint32Array::new(self.pool.intern_split(&buf, to_separator(separator)?)?)))
    }

    /// `internLines` on the libuv thread pool; the pool stays usable meanwhile. `buf` is copied
    /// first, so it may change while the task runs. Bad arguments throw at once; the promise
    /// rejects with the errors `internLines` would throw.
    #[napi(catch_unwind, ts_return_type = "Promise<Uint32Array>")]
    pub fn intern_lines_async(
        &self,
        buf: Uint8ArraySlice,
        separator: Option<f64>,
    ) -> Result<AsyncTask<InternLines>> {
        run(|| {
            let separator = to_separator(separator)?;
            Ok(AsyncTask::new(InternLines { pool: Arc::clone(&self.pool), data: buf.to_vec(), separator }))
        })
    }

    /// The id of `value` (a string or bytes), or null when it was never interned (nothing is
    /// inserted).
    #[napi(catch_unwind)]
    pub fn get(&self, value: Either<String, Uint8ArraySlice>) -> Result<Option<u32>> {
        guarded(|| Ok(self.pool.get_bytes(bytes_of(&value))))
    }

    /// Whether `value` (a string or bytes) was interned.
    #[napi(catch_unwind)]
    pub fn has(&self, value: Either<String, Uint8ArraySlice>) -> Result<bool> {
        guarded(|| Ok(self.pool.contains_bytes(bytes_of(&value))))
    }

    /// The value of `id`. Throws `FERRULE_OUT_OF_RANGE` for an unknown id,
    /// `FERRULE_INVALID_ARGUMENT` for a number that is not a non-negative integer, and
    /// `FERRULE_INVALID_UTF8` for a value interned as bytes that are not UTF-8 (`resolveBytes`
    /// gives those).
    #[napi(catch_unwind)]
    pub fn resolve(&self, id: f64) -> Result<String> {
        run(|| Ok(self.pool.resolve(to_id(id, &self.pool)?)?.to_owned()))
    }

    /// The value of `id` as bytes (a copy; errors as `resolve`, but any bytes are fine).
    #[napi(catch_unwind)]
    pub fn resolve_bytes(&self, id: f64) -> Result<Buffer> {
        run(|| Ok(Buffer::from(self.pool.resolve_bytes(to_id(id, &self.pool)?)?)))
    }

    /// @internal `resolveMany` for `ids[start..]`: as many values as fit a chunk, joined, and the
    /// UTF-16 end of each in that text; ferrule.js slices them apart.
    #[napi(js_name = "__resolveJoined", catch_unwind)]
    pub fn resolve_joined(&self, ids: Uint32ArraySlice, start: u32) -> Result<(String, Uint32Array)> {
        run(|| {
            let ids = ids.get(start as usize..).unwrap_or_default();
            let mut values = Vec::new();
            let mut bytes = 0usize;
            for &id in ids {
                if !values.is_empty() && bytes >= RESOLVE_CHUNK_BYTES {
                    break;
                }
                let value = self.pool.resolve_bytes(id)?;
                bytes += value.len();
                values.push(value);
            }
            let mut text = Vec::with_capacity(bytes);
            let mut ends = Vec::with_capacity(values.len());
            for value in &values {
                text.extend_from_slice(value);
                ends.push(text.len());
            }
            // One UTF-8 check of the whole text (contiguous and just written: fast) rather than
            // one per value: valid text cut at char boundaries gives valid values. Otherwise
            // some value is not UTF-8, and `resolve` names it as it would alone.
            let text = match String::from_utf8(text) {
                Ok(text) if ends.iter().all(|&end| text.is_char_boundary(end)) => text,
                _ => {
                    for &id in &ids[..values.len()] {
                        self.pool.resolve(id)?;
                    }
                    return Err(Error::internal("UTF-8 values joined into text that is not UTF-8"));
                }
            };
            let mut begin = 0;
            let mut units = 0usize;
            for end in &mut ends {
                let value = text.get(begin..*end).unwrap_or_default();
                begin = *end;
                units += if value.is_ascii() { value.len() } else { value.encode_utf16().count() };
                *end = units;
            }
            if units > V8_MAX_STRING_UNITS {
                return Err(Error::capacity(format!(
                    "a value is too long for a JS string: {units} UTF-16 units, V8's limit is \
                     {V8_MAX_STRING_UNITS}"
                )));
            }
            // Below V8's limit, so below u32::MAX.
            Ok((text, Uint32Array::new(ends.into_iter().map(|end| end as u32).collect())))
        })
    }

    /// The number of distinct values (the next id).
    #[napi(getter, catch_unwind)]
    pub fn size(&self) -> Result<u32> {
        // At most i32::MAX (core's limit).
        guarded(|| Ok(self.pool.len() as u32))
    }

    /// Heap bytes the pool holds.
    #[napi(getter, catch_unwind)]
    pub fn memory_usage(&self) -> Result<f64> {
        guarded(|| Ok(self.pool.memory_usage() as f64))
    }

    /// The pool in ferrule's versioned binary format (the same in every runtime).
    #[napi(catch_unwind)]
    pub fn to_buffer(&self) -> Result<Buffer> {
        guarded(|| Ok(Buffer::from(self.pool.to_bytes())))
    }

    /// A pool read from `toBuffer`'s output, with the same ids (`FERRULE_CORRUPT` if damaged).
    #[napi(factory, catch_unwind)]
    pub fn from_buffer(buf: Uint8ArraySlice) -> Result<Self> {
        run(|| Ok(StringPool { pool: Arc::new(ConcurrentPool::from_bytes(&buf)?) }))
    }
}

/// The body of `internLinesAsync`: owns its input and a handle on the pool.
pub struct InternLines {
    pool: Arc<ConcurrentPool>,
    data: Vec<u8>,
    separator: u8,
}

impl Task for InternLines {
    /// A core result: the task's own error type cannot carry ferrule's codes, so errors are
    /// turned into JS errors in `resolve`, on the JS thread.
    type Output = ferrule_core::Result<Vec<u32>>;
    type JsValue = Uint32Array;

    /// Runs on a libuv thread: a panic there would abort the process, so it is caught here.
    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(catch_unwind(AssertUnwindSafe(|| self.pool.intern_split(&self.data, self.separator)))
            .unwrap_or_else(|payload| Err(Error::from_panic(payload.as_ref()))))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        settle(env, output.map(Uint32Array::new))
    }
}
