//! The string pool in C: `ferrule_pool`, a thread-safe dictionary of byte strings (core
//! `ConcurrentPool`), and the functions on it.
//!
//! Buffer outputs follow one rule (`ferrule_pool_serialize`, `ferrule_pool_intern_lines`): NULL
//! with a size of 0 asks for the size needed and does nothing else; a buffer that is too small
//! is `FERRULE_STATUS_LENGTH_MISMATCH` with nothing written, like every failure. Unlike
//! `ferrule_last_error_message` there is no truncated result: half a pool or half the ids would
//! look like a whole one.

use crate::boundary::{Failure, guard, in_slice, out_param, out_slice};
use crate::status::ferrule_status;
use ferrule_core::Error;
use ferrule_core::pool::{ArrowOffset, ArrowValues, ConcurrentPool, split_values};

/// A string pool: a dictionary that stores each distinct byte string once and names it by a
/// dense `uint32_t` id, given in first-seen order from 0. Equal ids always mean equal bytes.
///
/// Opaque: created by `ferrule_pool_new` or `ferrule_pool_deserialize`, owned by the caller,
/// released with `ferrule_pool_free`. Thread-safe: every function may be called on one pool from
/// many threads at once (internally sharded locks, no global lock), except `ferrule_pool_free`,
/// which must run alone, after every other use of the pool.
#[allow(non_camel_case_types)]
pub struct ferrule_pool {
    inner: ConcurrentPool,
}

/// The pool behind a C handle, or a `Null` failure.
///
/// # Safety
/// `pool` must be NULL or a live pool (from `ferrule_pool_new`/`ferrule_pool_deserialize`, not
/// yet freed) that stays alive during `'a`.
unsafe fn pool_ref<'a>(pool: *const ferrule_pool) -> Result<&'a ConcurrentPool, Failure> {
    // SAFETY: NULL or a live pool for 'a (caller contract); only shared access is ever taken,
    // and `ConcurrentPool` is Sync.
    unsafe { pool.as_ref() }.map(|pool| &pool.inner).ok_or(Failure::Null("pool"))
}

fn into_handle(inner: ConcurrentPool) -> *mut ferrule_pool {
    Box::into_raw(Box::new(ferrule_pool { inner }))
}

fn too_small(what: &str, have: usize, need: usize) -> Failure {
    Error::length_mismatch(format!(
        "{what} has room for {have} but {need} are needed (pass NULL and 0 to ask for the size)"
    ))
    .into()
}

/// Creates an empty pool into `*out_pool`. The caller owns it and releases it with
/// `ferrule_pool_free`.
///
/// # Safety
/// `out_pool` must be NULL or valid for a write of one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_pool_new(out_pool: *mut *mut ferrule_pool) -> ferrule_status {
    guard(|| {
        // SAFETY: NULL or valid for one write (caller contract).
        let out_pool = unsafe { out_param(out_pool, "out_pool") }?;
        out_pool.write(into_handle(ConcurrentPool::new()));
        Ok(())
    })
}

/// Releases a pool and everything it holds. NULL is accepted and ignored.
///
/// Every pointer `ferrule_pool_resolve` returned for this pool dangles afterwards. Not
/// thread-safe with respect to this pool: no other call may use it during or after this one.
///
/// # Safety
/// `pool` must be NULL or a live pool, not used by any other call now or later.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_pool_free(pool: *mut ferrule_pool) {
    if pool.is_null() {
        return;
    }
    // Dropping only frees memory; the guard is there so that even a bug cannot unwind into C.
    let _ = guard(|| {
        // SAFETY: a live pool from Box::into_raw (ferrule_pool_new/deserialize), used by no
        // one else and never again (caller contract), so it is dropped exactly once.
        drop(unsafe { Box::from_raw(pool) });
        Ok(())
    });
}

/// Interns the `len` bytes at `ptr` and stores the value's id in `*out_id`: its existing id if
/// the pool holds these bytes already, else a new one (the pool's previous length).
///
/// Any bytes are accepted: they need not be UTF-8 and are never NUL-terminated; the empty value
/// is a value like any other. `ptr` may be NULL when `len` is 0. The pool copies the bytes; the
/// caller keeps ownership of `ptr`. Fails with `FERRULE_STATUS_CAPACITY` when the pool is full
/// (2^31 - 1 values or bytes in all). Thread-safe.
///
/// # Safety
/// `pool` must be NULL or live; `ptr` NULL or valid for reads of `len` bytes; `out_id` NULL or
/// valid for a write of one `uint32_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_pool_intern(
    pool: *mut ferrule_pool,
    ptr: *const u8,
    len: usize,
    out_id: *mut u32,
) -> ferrule_status {
    guard(|| {
        // SAFETY: `pool` is NULL (refused) or a live pool that outlives this call (caller contract).
        let pool = unsafe { pool_ref(pool) }?;
        // SAFETY: `ptr` is NULL (refused unless `len` is 0) or valid for reads of `len` elements (caller
        // contract).
        let value = unsafe { in_slice(ptr, len, "ptr") }?;
        // SAFETY: `out_id` is NULL (refused) or valid for one write (caller contract).
        let out_id = unsafe { out_param(out_id, "out_id") }?;
        out_id.write(pool.intern_bytes(value)?);
        Ok(())
    })
}

/// Looks up the `len` bytes at `ptr` without interning them. When the pool holds them, stores
/// true in `*out_found` and their id in `*out_id`; otherwise stores false in `*out_found` and
/// leaves `*out_id` untouched. Not finding a value is a success (`FERRULE_STATUS_OK`).
///
/// `ptr` may be NULL when `len` is 0. Thread-safe: a value another thread is interning at the
/// same moment may or may not be found yet.
///
/// # Safety
/// `pool` must be NULL or live; `ptr` NULL or valid for reads of `len` bytes; `out_found` and
/// `out_id` NULL or valid for one write each.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_pool_get(
    pool: *const ferrule_pool,
    ptr: *const u8,
    len: usize,
    out_found: *mut bool,
    out_id: *mut u32,
) -> ferrule_status {
    guard(|| {
        // SAFETY: `pool` is NULL (refused) or a live pool that outlives this call (caller contract).
        let pool = unsafe { pool_ref(pool) }?;
        // SAFETY: `ptr` is NULL (refused unless `len` is 0) or valid for reads of `len` elements (caller
        // contract).
        let value = unsafe { in_slice(ptr, len, "ptr") }?;
        // SAFETY: `out_found` is NULL (refused) or valid for one write (caller contract).
        let out_found = unsafe { out_param(out_found, "out_found") }?;
        // SAFETY: `out_id` is NULL (refused) or valid for one write (caller contract).
        let out_id = unsafe { out_param(out_id, "out_id") }?;
        match pool.get_bytes(value) {
            Some(id) => {
                out_id.write(id);
                out_found.write(true);
            }
            None => out_found.write(false),
        }
        Ok(())
    })
}

/// Stores where the value of `id` lives in `*out_ptr` and its length in bytes in `*out_len`.
///
/// The bytes belong to the pool: never write or free them. They are NOT NUL-terminated (and may
/// contain NUL bytes): use `*out_len`. They stay valid, at the same address and unchanged, until
/// `ferrule_pool_free(pool)`, even while other threads keep interning into the pool (values
/// never move once interned). `*out_ptr` is never NULL, also for the empty value (length 0).
///
/// Fails with `FERRULE_STATUS_OUT_OF_RANGE` when the pool never handed out `id`. Thread-safe,
/// and takes no lock.
///
/// # Safety
/// `pool` must be NULL or live; `out_ptr` and `out_len` NULL or valid for one write each.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_pool_resolve(
    pool: *const ferrule_pool,
    id: u32,
    out_ptr: *mut *const u8,
    out_len: *mut usize,
) -> ferrule_status {
    guard(|| {
        // SAFETY: `pool` is NULL (refused) or a live pool that outlives this call (caller contract).
        let pool = unsafe { pool_ref(pool) }?;
        // SAFETY: `out_ptr` is NULL (refused) or valid for one write (caller contract).
        let out_ptr = unsafe { out_param(out_ptr, "out_ptr") }?;
        // SAFETY: `out_len` is NULL (refused) or valid for one write (caller contract).
        let out_len = unsafe { out_param(out_len, "out_len") }?;
        let value = pool.resolve_bytes(id)?;
        // An empty slice's pointer may be dangling, which C may not even pass to memcmp; a
        // static empty C string is a real address.
        let ptr = if value.is_empty() { c"".as_ptr().cast::<u8>() } else { value.as_ptr() };
        out_ptr.write(ptr);
        out_len.write(value.len());
        Ok(())
    })
}

/// The body of both `intern_many` exports: Arrow offsets of either width.
///
/// # Safety
/// As `ferrule_pool_intern_many`, with `offsets` of `O`.
unsafe fn intern_arrow<O: ArrowOffset + std::fmt::Display>(
    pool: *mut ferrule_pool,
    values: *const u8,
    offsets: *const O,
    n: usize,
    out_ids: *mut u32,
) -> Result<(), Failure> {
    // SAFETY: the caller contract of the exports.
    let pool = unsafe { pool_ref(pool) }?;
    let count = n
        .checked_add(1)
        .ok_or_else(|| Error::invalid_argument(format!("{n} values: n + 1 offsets overflow")))?;
    // SAFETY: offsets is NULL or valid for reads of n + 1 offsets (caller contract).
    let offsets = unsafe { in_slice(offsets, count, "offsets") }?;
    // Offsets is never empty: count >= 1.
    let last = offsets[n];
    // The one place the length of `values` comes from; ArrowValues::new then checks every
    // offset against it, so no value reaches past offsets[n].
    let values_len = last.to_index().ok_or_else(|| {
        Error::invalid_argument(format!("Arrow offset {n} is {last}: negative or too large"))
    })?;
    // SAFETY: values is NULL or valid for reads of offsets[n] bytes (caller contract).
    let values = unsafe { in_slice(values, values_len, "values") }?;
    // SAFETY: out_ids is NULL or valid for writes of n ids, apart from the inputs (contract).
    let out_ids = unsafe { out_slice(out_ids, n, "out_ids") }?;
    let batch = ArrowValues::new(offsets, values)?;
    // Into a buffer of ours first: on failure (a full pool) the caller's array stays untouched.
    let ids = pool.intern_many(&batch)?;
    out_ids.write_prefix(&ids)
}

/// Interns `n` values given in Arrow's layout (a `utf8`/`binary` array's buffers) and stores
/// their ids in `out_ids[0..n]`, in order.
///
/// Value `i` is the bytes `values[offsets[i] .. offsets[i + 1]]`. `offsets` has `n + 1` entries,
/// each non-negative, none smaller than the one before; the first need not be 0 (a sliced
/// array). The byte length of `values` is `offsets[n]`: ferrule reads nothing at or beyond it,
/// and offsets that break these rules give `FERRULE_STATUS_INVALID_ARGUMENT` before anything is
/// read through them or interned. `values` may be NULL when `offsets[n]` is 0, `out_ids` when
/// `n` is 0; `offsets` is never NULL (it has at least one entry).
///
/// On success every value is interned and `out_ids` filled. On failure `out_ids` is untouched,
/// but with `FERRULE_STATUS_CAPACITY` (the pool filled up) the values before the one that did
/// not fit stay interned. A lone caller gets the ids that interning the values one by one would
/// give. Thread-safe; long batches are looked up on all cores.
///
/// # Safety
/// `pool` must be NULL or live; `offsets` NULL or valid for reads of `n + 1` `int32_t`s;
/// `values` NULL or valid for reads of `offsets[n]` bytes; `out_ids` NULL or valid for writes of
/// `n` `uint32_t`s, not overlapping the inputs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_pool_intern_many(
    pool: *mut ferrule_pool,
    values: *const u8,
    offsets: *const i32,
    n: usize,
    out_ids: *mut u32,
) -> ferrule_status {
    // SAFETY: the caller contract above is intern_arrow's.
    guard(|| unsafe { intern_arrow(pool, values, offsets, n, out_ids) })
}

/// `ferrule_pool_intern_many` with 64-bit offsets (Arrow's `large_utf8`/`large_binary`): the
/// same rules, with `offsets` `n + 1` `int64_t`s and `values` `offsets[n]` bytes long.
///
/// # Safety
/// As `ferrule_pool_intern_many`, with `offsets` valid for reads of `n + 1` `int64_t`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_pool_intern_many_large(
    pool: *mut ferrule_pool,
    values: *const u8,
    offsets: *const i64,
    n: usize,
    out_ids: *mut u32,
) -> ferrule_status {
    // SAFETY: the caller contract above is intern_arrow's.
    guard(|| unsafe { intern_arrow(pool, values, offsets, n, out_ids) })
}

/// Interns each `separator`-delimited value of the `len` bytes at `data` (e.g. the lines of a
/// file) and stores their ids in `out_ids`, in order, and their number in `*out_count`.
///
/// A trailing separator ends the last value rather than starting an empty one; with `'\n'` a
/// `'\r'` before it is dropped too (CRLF files). Empty `data` holds no values; `"\n"` holds one,
/// the empty value. `data` may be NULL when `len` is 0.
///
/// Sizes: `out_ids` has room for `out_capacity` ids. With `out_ids` NULL and `out_capacity` 0
/// the call only counts: it stores the number of values in `*out_count` and interns nothing.
/// When `out_capacity` is smaller than the number of values the call fails with
/// `FERRULE_STATUS_LENGTH_MISMATCH`, interns nothing and writes nothing. At most `len` values
/// exist, so `out_capacity = len` always suffices. On `FERRULE_STATUS_CAPACITY` (the pool filled
/// up) the values before the one that did not fit stay interned, and nothing is written.
/// Thread-safe.
///
/// # Safety
/// `pool` must be NULL or live; `data` NULL or valid for reads of `len` bytes; `out_ids` NULL or
/// valid for writes of `out_capacity` `uint32_t`s, not overlapping `data`; `out_count` NULL or
/// valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_pool_intern_lines(
    pool: *mut ferrule_pool,
    data: *const u8,
    len: usize,
    separator: u8,
    out_ids: *mut u32,
    out_capacity: usize,
    out_count: *mut usize,
) -> ferrule_status {
    guard(|| {
        // SAFETY: `pool` is NULL (refused) or a live pool that outlives this call (caller contract).
        let pool = unsafe { pool_ref(pool) }?;
        // SAFETY: `data` is NULL (refused unless `len` is 0) or valid for reads of `len` elements (caller
        // contract).
        let data = unsafe { in_slice(data, len, "data") }?;
        // SAFETY: `out_count` is NULL (refused) or valid for one write (caller contract).
        let out_count = unsafe { out_param(out_count, "out_count") }?;
        let count_only = out_ids.is_null() && out_capacity == 0;
        // SAFETY: `out_ids` is NULL (refused unless `out_capacity` is 0) or valid for writes of
        // `out_capacity` elements, apart from the inputs (caller contract).
        let out_ids = unsafe { out_slice(out_ids, out_capacity, "out_ids") }?;
        // core's ConcurrentPool::intern_split, in two steps: the count is checked against the
        // caller's array before anything is interned.
        let values = split_values(data, separator);
        if !count_only {
            if values.len() > out_ids.len() {
                return Err(too_small("out_ids", out_ids.len(), values.len()));
            }
            let ids = pool.intern_many(&values[..])?;
            out_ids.write_prefix(&ids)?;
        }
        out_count.write(values.len());
        Ok(())
    })
}

/// Stores the number of distinct values (the next id) in `*out_len`. Thread-safe: under
/// concurrent interning it is a moment's count, and every id below it resolves.
///
/// # Safety
/// `pool` must be NULL or live; `out_len` NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_pool_len(pool: *const ferrule_pool, out_len: *mut usize) -> ferrule_status {
    guard(|| {
        // SAFETY: `pool` is NULL (refused) or a live pool that outlives this call (caller contract).
        let pool = unsafe { pool_ref(pool) }?;
        // SAFETY: `out_len` is NULL (refused) or valid for one write (caller contract).
        let out_len = unsafe { out_param(out_len, "out_len") }?;
        out_len.write(pool.len());
        Ok(())
    })
}

/// Stores the heap memory the pool holds, in bytes (values, tables and spare capacity), in
/// `*out_bytes`. Thread-safe.
///
/// # Safety
/// `pool` must be NULL or live; `out_bytes` NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_pool_memory_usage(
    pool: *const ferrule_pool,
    out_bytes: *mut usize,
) -> ferrule_status {
    guard(|| {
        // SAFETY: `pool` is NULL (refused) or a live pool that outlives this call (caller contract).
        let pool = unsafe { pool_ref(pool) }?;
        // SAFETY: `out_bytes` is NULL (refused) or valid for one write (caller contract).
        let out_bytes = unsafe { out_param(out_bytes, "out_bytes") }?;
        out_bytes.write(pool.memory_usage());
        Ok(())
    })
}

/// Writes the pool in ferrule's versioned binary format (the one every runtime reads, with a
/// checksum) to `buf`, and its size in bytes to `*out_len`. `ferrule_pool_deserialize` reads it
/// back with the same ids.
///
/// Sizes: with `buf` NULL and `buf_len` 0 the call only stores the size needed in `*out_len`
/// (computed, not serialized). When `buf_len` is smaller than the size, the call fails
/// with `FERRULE_STATUS_LENGTH_MISMATCH` and writes nothing: neither `buf` (no partial pool) nor
/// `*out_len`. On success the first `*out_len` bytes of `buf` are written, the rest untouched.
///
/// Thread-safe: the result is a consistent state of the pool, including every value interned
/// before the call started; the size can grow between a size query and the next call when other
/// threads intern, so retry on `FERRULE_STATUS_LENGTH_MISMATCH`.
///
/// # Safety
/// `pool` must be NULL or live; `buf` NULL or valid for writes of `buf_len` bytes; `out_len`
/// NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_pool_serialize(
    pool: *const ferrule_pool,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> ferrule_status {
    guard(|| {
        // SAFETY: `pool` is NULL (refused) or a live pool that outlives this call (caller contract).
        let pool = unsafe { pool_ref(pool) }?;
        // SAFETY: `out_len` is NULL (refused) or valid for one write (caller contract).
        let out_len = unsafe { out_param(out_len, "out_len") }?;
        let size_only = buf.is_null() && buf_len == 0;
        // SAFETY: `buf` is NULL (refused unless `buf_len` is 0) or valid for writes of `buf_len` bytes
        // (caller contract).
        let buf = unsafe { out_slice(buf, buf_len, "buf") }?;
        if size_only {
            out_len.write(pool.serialized_len());
            return Ok(());
        }
        let data = pool.to_bytes();
        if data.len() > buf.len() {
            return Err(too_small("buf", buf.len(), data.len()));
        }
        buf.write_prefix(&data)?;
        out_len.write(data.len());
        Ok(())
    })
}

/// Reads a pool that `ferrule_pool_serialize` (or any ferrule runtime) wrote, from the `len`
/// bytes at `buf`, into a new pool at `*out_pool` with the same ids. The caller owns the new
/// pool (release it with `ferrule_pool_free`) and keeps ownership of `buf`, which is not used
/// after the call.
///
/// Truncated, padded, damaged or foreign data, or another format version, gives
/// `FERRULE_STATUS_CORRUPT`; ferrule checks every field before trusting it and never reads
/// outside the `len` bytes. `buf` may be NULL when `len` is 0 (which is corrupt: too short).
/// Thread-safe.
///
/// # Safety
/// `buf` must be NULL or valid for reads of `len` bytes; `out_pool` NULL or valid for a write of
/// one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_pool_deserialize(
    buf: *const u8,
    len: usize,
    out_pool: *mut *mut ferrule_pool,
) -> ferrule_status {
    guard(|| {
        // SAFETY: `buf` is NULL (refused unless `len` is 0) or valid for reads of `len` elements (caller
        // contract).
        let data = unsafe { in_slice(buf, len, "buf") }?;
        // SAFETY: `out_pool` is NULL (refused) or valid for one write (caller contract).
        let out_pool = unsafe { out_param(out_pool, "out_pool") }?;
        let inner = ConcurrentPool::from_bytes(data)?;
        out_pool.write(into_handle(inner));
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrule_status::*;
    use std::ptr::{null, null_mut};

    /// An owned pool handle for the tests, freed on drop.
    struct Pool(*mut ferrule_pool);

    // SAFETY: the handle is a `ConcurrentPool`, which is Send + Sync; tests free it only after
    // every thread that used it has been joined.
    unsafe impl Send for Pool {}
    // SAFETY: as above.
    unsafe impl Sync for Pool {}

    impl Pool {
        fn new() -> Pool {
            let mut pool = null_mut();
            // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
            assert_eq!(unsafe { ferrule_pool_new(&mut pool) }, FERRULE_STATUS_OK);
            assert!(!pool.is_null());
            Pool(pool)
        }

        fn intern(&self, value: &[u8]) -> u32 {
            let mut id = u32::MAX;
            // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
            let status = unsafe { ferrule_pool_intern(self.0, value.as_ptr(), value.len(), &mut id) };
            assert_eq!(status, FERRULE_STATUS_OK);
            id
        }

        fn resolve(&self, id: u32) -> Result<(*const u8, usize), ferrule_status> {
            let (mut ptr, mut len) = (null(), usize::MAX);
            // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
            match unsafe { ferrule_pool_resolve(self.0, id, &mut ptr, &mut len) } {
                FERRULE_STATUS_OK => Ok((ptr, len)),
                status => Err(status),
            }
        }

        fn value(&self, id: u32) -> Vec<u8> {
            let (ptr, len) = self.resolve(id).unwrap();
            // SAFETY: test data: pointer and length from ferrule for a live object.
            unsafe { std::slice::from_raw_parts(ptr, len) }.to_vec()
        }

        fn len(&self) -> usize {
            let mut len = usize::MAX;
            // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
            assert_eq!(unsafe { ferrule_pool_len(self.0, &mut len) }, FERRULE_STATUS_OK);
            len
        }

        fn serialize(&self) -> Vec<u8> {
            let mut size = 0;
            // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
            let status = unsafe { ferrule_pool_serialize(self.0, null_mut(), 0, &mut size) };
            assert_eq!(status, FERRULE_STATUS_OK);
            let mut buf = vec![0u8; size];
            let mut written = 0;
            // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
            let status = unsafe { ferrule_pool_serialize(self.0, buf.as_mut_ptr(), size, &mut written) };
            assert_eq!(status, FERRULE_STATUS_OK);
            assert_eq!(written, size);
            buf
        }
    }

    impl Drop for Pool {
        fn drop(&mut self) {
            // SAFETY: a live handle made above, freed exactly once.
            unsafe { ferrule_pool_free(self.0) };
        }
    }

    fn intern_many(pool: &Pool, values: &[u8], offsets: &[i32], out: &mut [u32]) -> ferrule_status {
        let n = offsets.len().saturating_sub(1);
        assert!(out.len() >= n);
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        unsafe { ferrule_pool_intern_many(pool.0, values.as_ptr(), offsets.as_ptr(), n, out.as_mut_ptr()) }
    }

    #[test]
    fn intern_get_resolve_round_trip_bytes() {
        let pool = Pool::new();
        let values: [&[u8]; 4] = [b"alpha", b"", b"\xff\xfe not utf-8", b"with\0nul"];
        let ids: Vec<u32> = values.iter().map(|v| pool.intern(v)).collect();
        assert_eq!(ids, [0, 1, 2, 3]);
        assert_eq!(pool.intern(b"alpha"), 0);
        for (id, value) in ids.iter().zip(values) {
            assert_eq!(pool.value(*id), value);
            let (mut found, mut got) = (false, u32::MAX);
            // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
            let status =
                unsafe { ferrule_pool_get(pool.0, value.as_ptr(), value.len(), &mut found, &mut got) };
            assert_eq!((status, found, got), (FERRULE_STATUS_OK, true, *id));
        }
        assert_eq!(pool.len(), 4);
    }

    #[test]
    fn the_empty_value_resolves_to_a_real_address() {
        let pool = Pool::new();
        let mut id = u32::MAX;
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        assert_eq!(unsafe { ferrule_pool_intern(pool.0, null(), 0, &mut id) }, FERRULE_STATUS_OK);
        let (ptr, len) = pool.resolve(id).unwrap();
        assert!(!ptr.is_null());
        assert_eq!(len, 0);
    }

    #[test]
    fn get_leaves_the_id_untouched_when_not_found() {
        let pool = Pool::new();
        let (mut found, mut id) = (true, 77);
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status = unsafe { ferrule_pool_get(pool.0, b"nope".as_ptr(), 4, &mut found, &mut id) };
        assert_eq!((status, found, id), (FERRULE_STATUS_OK, false, 77));
        assert_eq!(pool.len(), 0, "get never interns");
    }

    #[test]
    fn unknown_ids_are_out_of_range() {
        let pool = Pool::new();
        pool.intern(b"one");
        for id in [1, 2, i32::MAX as u32, u32::MAX] {
            assert_eq!(pool.resolve(id), Err(FERRULE_STATUS_OUT_OF_RANGE), "{id}");
        }
    }

    #[test]
    fn every_null_argument_is_reported() {
        let pool = Pool::new();
        let (mut id, mut found, mut len, mut ptr) = (0u32, false, 0usize, null());
        let v = b"x".as_ptr();
        let nul = FERRULE_STATUS_NULL_POINTER;
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        unsafe {
            assert_eq!(ferrule_pool_new(null_mut()), nul);
            assert_eq!(ferrule_pool_intern(null_mut(), v, 1, &mut id), nul);
            assert_eq!(ferrule_pool_intern(pool.0, null(), 1, &mut id), nul);
            assert_eq!(ferrule_pool_intern(pool.0, v, 1, null_mut()), nul);
            assert_eq!(ferrule_pool_get(null(), v, 1, &mut found, &mut id), nul);
            assert_eq!(ferrule_pool_get(pool.0, null(), 1, &mut found, &mut id), nul);
            assert_eq!(ferrule_pool_get(pool.0, v, 1, null_mut(), &mut id), nul);
            assert_eq!(ferrule_pool_get(pool.0, v, 1, &mut found, null_mut()), nul);
            assert_eq!(ferrule_pool_resolve(null(), 0, &mut ptr, &mut len), nul);
            assert_eq!(ferrule_pool_resolve(pool.0, 0, null_mut(), &mut len), nul);
            assert_eq!(ferrule_pool_resolve(pool.0, 0, &mut ptr, null_mut()), nul);
            assert_eq!(ferrule_pool_len(null(), &mut len), nul);
            assert_eq!(ferrule_pool_len(pool.0, null_mut()), nul);
            assert_eq!(ferrule_pool_memory_usage(null(), &mut len), nul);
            assert_eq!(ferrule_pool_memory_usage(pool.0, null_mut()), nul);
            assert_eq!(ferrule_pool_deserialize(null(), 1, &mut null_mut()), nul);
            ferrule_pool_free(null_mut());
        }
        assert_eq!(pool.len(), 0, "no failed call interned anything");
    }

    #[test]
    fn intern_many_takes_arrow_offsets_including_sliced_ones() {
        let pool = Pool::new();
        let mut ids = [u32::MAX; 4];
        assert_eq!(intern_many(&pool, b"abcab", &[0, 2, 3, 5, 5], &mut ids), FERRULE_STATUS_OK);
        assert_eq!(ids, [0, 1, 0, 2]);
        assert_eq!(pool.value(2), b"");
        // A slice of a larger array: offsets start past 0 and bytes before them are never values.
        let mut ids = [u32::MAX; 2];
        assert_eq!(intern_many(&pool, b"zzzcab", &[3, 4, 6], &mut ids), FERRULE_STATUS_OK);
        assert_eq!(ids, [1, 0]);
        let large: [i64; 3] = [1, 3, 6];
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status = unsafe {
            ferrule_pool_intern_many_large(pool.0, b"xabcab".as_ptr(), large.as_ptr(), 2, ids.as_mut_ptr())
        };
        assert_eq!((status, ids), (FERRULE_STATUS_OK, [0, 3]));
        assert_eq!(pool.value(3), b"cab");
    }

    #[test]
    fn bad_offsets_fail_before_anything_is_read_or_interned() {
        let pool = Pool::new();
        let data = b"abcdef";
        // Decreasing, negative (first, last), and one beyond offsets[n], the length of `values`.
        for offsets in [&[0, 3, 2][..], &[-1, 2][..], &[0, -4][..], &[4, 2, 6][..], &[0, 7, 6][..]] {
            let mut ids = [u32::MAX; 2];
            let n = offsets.len() - 1;
            // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
            let status = unsafe {
                ferrule_pool_intern_many(pool.0, data.as_ptr(), offsets.as_ptr(), n, ids.as_mut_ptr())
            };
            assert_eq!(status, FERRULE_STATUS_INVALID_ARGUMENT, "{offsets:?}");
            assert_eq!(ids, [u32::MAX; 2], "{offsets:?}");
        }
        assert_eq!(pool.len(), 0);
        // n + 1 offsets cannot be counted: rejected before the offsets pointer is read.
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status = unsafe {
            ferrule_pool_intern_many(pool.0, data.as_ptr(), [0i32].as_ptr(), usize::MAX, null_mut())
        };
        assert_eq!(status, FERRULE_STATUS_INVALID_ARGUMENT);
    }

    #[test]
    fn intern_many_nulls_follow_the_counts() {
        let pool = Pool::new();
        let zero = [0i32];
        let empty_one = [0i32, 0];
        let mut id = u32::MAX;
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        unsafe {
            // n = 0: values and out_ids may be NULL; offsets never.
            assert_eq!(
                ferrule_pool_intern_many(pool.0, null(), zero.as_ptr(), 0, null_mut()),
                FERRULE_STATUS_OK
            );
            let status = ferrule_pool_intern_many(pool.0, null(), null(), 0, null_mut());
            assert_eq!(status, FERRULE_STATUS_NULL_POINTER);
            // One empty value: values may be NULL (offsets[n] is 0), out_ids may not.
            let status = ferrule_pool_intern_many(pool.0, null(), empty_one.as_ptr(), 1, &mut id);
            assert_eq!((status, id), (FERRULE_STATUS_OK, 0));
            let status = ferrule_pool_intern_many(pool.0, null(), empty_one.as_ptr(), 1, null_mut());
            assert_eq!(status, FERRULE_STATUS_NULL_POINTER);
            let status = ferrule_pool_intern_many(pool.0, null(), [0i32, 1].as_ptr(), 1, &mut id);
            assert_eq!(status, FERRULE_STATUS_NULL_POINTER);
        }
    }

    #[test]
    fn intern_lines_counts_checks_room_then_interns() {
        let pool = Pool::new();
        let data = b"b\r\na\r\nb\r\n";
        let mut count = usize::MAX;
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status = unsafe {
            ferrule_pool_intern_lines(pool.0, data.as_ptr(), data.len(), b'\n', null_mut(), 0, &mut count)
        };
        assert_eq!((status, count), (FERRULE_STATUS_OK, 3));
        assert_eq!(pool.len(), 0, "counting interns nothing");
        let mut ids = [u32::MAX; 3];
        let mut count = 99;
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status = unsafe {
            ferrule_pool_intern_lines(
                pool.0,
                data.as_ptr(),
                data.len(),
                b'\n',
                ids.as_mut_ptr(),
                2,
                &mut count,
            )
        };
        assert_eq!((status, count, ids), (FERRULE_STATUS_LENGTH_MISMATCH, 99, [u32::MAX; 3]));
        assert_eq!(pool.len(), 0, "too small: nothing interned");
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status = unsafe {
            ferrule_pool_intern_lines(
                pool.0,
                data.as_ptr(),
                data.len(),
                b'\n',
                ids.as_mut_ptr(),
                3,
                &mut count,
            )
        };
        assert_eq!((status, count, ids), (FERRULE_STATUS_OK, 3, [0, 1, 0]));
        assert_eq!(pool.value(0), b"b");
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status =
            unsafe { ferrule_pool_intern_lines(pool.0, null(), 0, b'\n', ids.as_mut_ptr(), 3, &mut count) };
        assert_eq!((status, count), (FERRULE_STATUS_OK, 0));
    }

    #[test]
    fn serialize_sizes_and_round_trip() {
        let pool = Pool::new();
        for value in [&b"x"[..], b"", b"\xc3\x28", b"longer value"] {
            pool.intern(value);
        }
        let data = pool.serialize();
        // Too small by one: nothing written at all.
        let mut buf = vec![0xAAu8; data.len()];
        let mut written = 12345;
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status =
            unsafe { ferrule_pool_serialize(pool.0, buf.as_mut_ptr(), data.len() - 1, &mut written) };
        assert_eq!((status, written), (FERRULE_STATUS_LENGTH_MISMATCH, 12345));
        assert!(buf.iter().all(|&b| b == 0xAA));
        // A non-NULL buffer of 0 bytes is too small, not a size query.
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status = unsafe { ferrule_pool_serialize(pool.0, buf.as_mut_ptr(), 0, &mut written) };
        assert_eq!((status, written), (FERRULE_STATUS_LENGTH_MISMATCH, 12345));
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status = unsafe { ferrule_pool_serialize(pool.0, null_mut(), 4, &mut written) };
        assert_eq!(status, FERRULE_STATUS_NULL_POINTER);
        // A larger buffer: only the pool's bytes are written.
        let mut big = vec![0xAAu8; data.len() + 3];
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status = unsafe { ferrule_pool_serialize(pool.0, big.as_mut_ptr(), big.len(), &mut written) };
        assert_eq!((status, written), (FERRULE_STATUS_OK, data.len()));
        assert_eq!(&big[..written], &data[..]);
        assert_eq!(big[written..], [0xAA; 3]);

        let mut copy = null_mut();
        assert_eq!(
            // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
            unsafe { ferrule_pool_deserialize(data.as_ptr(), data.len(), &mut copy) },
            FERRULE_STATUS_OK
        );
        let copy = Pool(copy);
        assert_eq!(copy.len(), 4);
        for id in 0..4 {
            assert_eq!(copy.value(id), pool.value(id));
        }
        assert_eq!(copy.serialize(), data);
    }

    #[test]
    fn damaged_data_is_corrupt_and_leaves_the_output_alone() {
        let pool = Pool::new();
        pool.intern(b"ab");
        pool.intern(b"c");
        let data = pool.serialize();
        let sentinel = std::ptr::dangling_mut::<ferrule_pool>();
        for len in 0..data.len() {
            let mut out = sentinel;
            // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
            let status = unsafe { ferrule_pool_deserialize(data.as_ptr(), len, &mut out) };
            assert_eq!((status, out), (FERRULE_STATUS_CORRUPT, sentinel), "{len} bytes");
        }
        let mut damaged = data.clone();
        damaged[40] ^= 0x10;
        let mut out = sentinel;
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status = unsafe { ferrule_pool_deserialize(damaged.as_ptr(), damaged.len(), &mut out) };
        assert_eq!((status, out), (FERRULE_STATUS_CORRUPT, sentinel));
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status = unsafe { ferrule_pool_deserialize(null(), 0, &mut out) };
        assert_eq!((status, out), (FERRULE_STATUS_CORRUPT, sentinel));
    }

    #[test]
    fn resolved_bytes_stay_put_while_other_threads_intern() {
        let pool = Pool::new();
        let id = pool.intern(b"stable value");
        let (ptr, len) = pool.resolve(id).unwrap();
        std::thread::scope(|scope| {
            for t in 0..4u32 {
                let pool = &pool;
                scope.spawn(move || {
                    for i in 0..5_000u32 {
                        pool.intern(format!("{t}-{i}").as_bytes());
                    }
                });
            }
            for _ in 0..1_000 {
                // SAFETY: test data: pointer and length from ferrule for a live object.
                assert_eq!(unsafe { std::slice::from_raw_parts(ptr, len) }, b"stable value");
            }
        });
        assert_eq!(pool.len(), 20_001);
        assert_eq!(pool.resolve(id), Ok((ptr, len)));
        // SAFETY: test data: pointer and length from ferrule for a live object.
        assert_eq!(unsafe { std::slice::from_raw_parts(ptr, len) }, b"stable value");
    }

    #[test]
    fn memory_usage_grows_with_the_values() {
        let pool = Pool::new();
        let mut before = 0;
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        assert_eq!(unsafe { ferrule_pool_memory_usage(pool.0, &mut before) }, FERRULE_STATUS_OK);
        pool.intern(&vec![b'x'; 1 << 20]);
        let mut after = 0;
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        assert_eq!(unsafe { ferrule_pool_memory_usage(pool.0, &mut after) }, FERRULE_STATUS_OK);
        assert!(after >= before + (1 << 20), "{before} -> {after}");
    }

    /// Lengths no memory can hold, on real one-byte buffers: every input and output is refused
    /// before it is read or written (a read that far would fault), and the pool is unchanged.
    #[test]
    fn impossible_lengths_are_refused_unread() {
        let pool = Pool::new();
        let byte = [b'x'];
        let mut slot = [u32::MAX];
        let (mut id, mut found, mut count, mut written) = (u32::MAX, false, usize::MAX, usize::MAX);
        let invalid = FERRULE_STATUS_INVALID_ARGUMENT;
        for n in [usize::MAX, isize::MAX as usize + 1] {
            // SAFETY: test data: one-byte locals; every call must refuse `n` unread.
            unsafe {
                assert_eq!(ferrule_pool_intern(pool.0, byte.as_ptr(), n, &mut id), invalid);
                assert_eq!(ferrule_pool_get(pool.0, byte.as_ptr(), n, &mut found, &mut id), invalid);
                assert_eq!(
                    ferrule_pool_intern_lines(pool.0, byte.as_ptr(), n, b'\n', null_mut(), 0, &mut count),
                    invalid
                );
                assert_eq!(
                    ferrule_pool_intern_lines(
                        pool.0,
                        byte.as_ptr(),
                        1,
                        b'\n',
                        slot.as_mut_ptr(),
                        n,
                        &mut count
                    ),
                    invalid
                );
                assert_eq!(
                    ferrule_pool_serialize(pool.0, slot.as_mut_ptr().cast(), n, &mut written),
                    invalid
                );
                let mut out = null_mut();
                assert_eq!(ferrule_pool_deserialize(byte.as_ptr(), n, &mut out), invalid);
                assert!(out.is_null());
            }
        }
        // n + 1 offsets of 4 bytes exceed isize::MAX: refused before the offsets are read.
        let offsets = [0i32];
        // SAFETY: as above.
        let status = unsafe {
            ferrule_pool_intern_many(
                pool.0,
                byte.as_ptr(),
                offsets.as_ptr(),
                isize::MAX as usize / 4,
                slot.as_mut_ptr(),
            )
        };
        assert_eq!(status, invalid);
        assert_eq!((id, found, count, written, slot), (u32::MAX, false, usize::MAX, usize::MAX, [u32::MAX]));
        assert_eq!(pool.len(), 0);
    }

    /// The last value ends at the last byte of the input (no trailing separator), and the output
    /// has exactly as many slots as values.
    #[test]
    fn the_last_line_ends_at_the_last_byte() {
        let pool = Pool::new();
        let data = b"x\nyz".to_vec(); // exactly 4 bytes: the last value is the end of the allocation
        let mut ids = vec![u32::MAX; 2];
        let mut count = 0;
        // SAFETY: test data: `data` holds `data.len()` bytes, `ids` exactly 2 slots.
        let status = unsafe {
            ferrule_pool_intern_lines(
                pool.0,
                data.as_ptr(),
                data.len(),
                b'\n',
                ids.as_mut_ptr(),
                2,
                &mut count,
            )
        };
        assert_eq!((status, count, &ids[..]), (FERRULE_STATUS_OK, 2, &[0, 1][..]));
        assert_eq!(pool.value(1), b"yz");
    }
}
