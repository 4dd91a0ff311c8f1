//! The FFI boundary: panic guard, thread-local last error, NULL checks.
//!
//! Every exported function runs its body through [`guard`], which turns a core error, a NULL
//! argument or a panic into a `ferrule_status` and records the message for
//! `ferrule_last_error_message`. No panic ever unwinds into C.

use crate::status::ferrule_status;
use ferrule_core::Error;
use std::cell::RefCell;
use std::ffi::c_char;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Why a C call failed.
#[derive(Debug)]
pub enum Failure {
    Core(Error),
    /// The named pointer argument was NULL.
    Null(&'static str),
}

impl From<Error> for Failure {
    fn from(err: Error) -> Self {
        Failure::Core(err)
    }
}

thread_local! {
    /// The message of the most recent failed call on this thread.
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

fn record(message: String) {
    // try_with: during thread teardown the slot may be gone; losing the message beats aborting.
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = message;
        }
    });
}

/// Runs an export's body: `Ok` becomes `FERRULE_STATUS_OK`, a failure or a panic becomes its
/// status with the message recorded for this thread.
pub fn guard(body: impl FnOnce() -> Result<(), Failure>) -> ferrule_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => ferrule_status::FERRULE_STATUS_OK,
        Ok(Err(Failure::Core(err))) => {
            let status = ferrule_status::from_kind(err.kind());
            record(err.to_string());
            status
        }
        Ok(Err(Failure::Null(argument))) => {
            record(format!("argument `{argument}` must not be NULL"));
            ferrule_status::FERRULE_STATUS_NULL_POINTER
        }
        Err(payload) => {
            record(Error::from_panic(payload.as_ref()).to_string());
            ferrule_status::FERRULE_STATUS_PANIC
        }
    }
}

/// A checked, not yet written out-parameter: a non-NULL pointer that is only ever written
/// through, never read or turned into a reference (C callers pass uninitialized storage, which a
/// `&mut T` must not point to). Exports write it last, after everything that can fail.
pub struct Out<T>(std::ptr::NonNull<T>);

impl<T> Out<T> {
    /// Writes the output, consuming the handle so each output is written at most once.
    pub fn write(self, value: T) {
        // SAFETY: `out_param`'s caller guaranteed the pointer valid for one write of a T, and
        // `write` does not read or drop the (possibly uninitialized) old contents.
        unsafe { self.0.as_ptr().write(value) }
    }
}

/// The out-parameter behind `ptr`, or a `Null` failure naming it.
///
/// # Safety
/// `ptr` must be NULL or valid for one write of a `T` (properly aligned; its contents may be
/// uninitialized) until the returned [`Out`] is written or dropped.
pub unsafe fn out_param<T>(ptr: *mut T, name: &'static str) -> Result<Out<T>, Failure> {
    std::ptr::NonNull::new(ptr).map(Out).ok_or(Failure::Null(name))
}

/// Checks what `std::slice::from_raw_parts(_mut)` requires beyond the caller's promise: a C
/// caller can pass a misaligned pointer or a count whose byte size exceeds `isize::MAX`, and
/// either would be undefined behaviour on the Rust side rather than an error.
fn check_span<T>(ptr: *const T, count: usize, name: &'static str) -> Result<(), Failure> {
    if !ptr.is_aligned() {
        return Err(Error::invalid_argument(format!(
            "argument `{name}` is not aligned for its element type ({} bytes)",
            std::mem::align_of::<T>()
        ))
        .into());
    }
    let bytes = count.checked_mul(std::mem::size_of::<T>());
    if bytes.is_none_or(|bytes| bytes > isize::MAX as usize) {
        return Err(Error::invalid_argument(format!(
            "argument `{name}`: {count} elements exceed the address space"
        ))
        .into());
    }
    Ok(())
}

/// The `count` elements at `ptr` as a slice. NULL is accepted when `count` is 0 (C callers often
/// hold NULL for an empty array), and is a `Null` failure naming the argument otherwise.
///
/// # Safety
/// `ptr` must be NULL or valid for reads of `count` `T`s, which nobody writes while `'a` lasts.
pub unsafe fn in_slice<'a, T>(ptr: *const T, count: usize, name: &'static str) -> Result<&'a [T], Failure> {
    if count == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Failure::Null(name));
    }
    check_span(ptr, count, name)?;
    // SAFETY: non-NULL, aligned and at most isize::MAX bytes (checked above); valid for reads
    // of `count` elements and not written during 'a (caller contract).
    Ok(unsafe { std::slice::from_raw_parts(ptr, count) })
}

/// A checked, not yet written output array of `len` elements: like [`Out`], only ever written
/// through (C callers pass uninitialized storage), and written last.
pub struct OutSlice<T> {
    ptr: *mut T,
    len: usize,
}

impl<T: Copy> OutSlice<T> {
    /// The number of elements the caller made room for.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Copies `values` to the start of the array, consuming the handle. More values than slots
    /// is a bug in the export (it must check first): an internal error, never a write past the
    /// caller's buffer.
    pub fn write_prefix(self, values: &[T]) -> Result<(), Failure> {
        if values.len() > self.len {
            return Err(Error::internal(format!(
                "{} values for an output of {} slots",
                values.len(),
                self.len
            ))
            .into());
        }
        if values.is_empty() {
            // The pointer may be NULL (allowed when len is 0) or dangling: write nothing at all.
            return Ok(());
        }
        // SAFETY: `out_slice` checked the pointer non-NULL and aligned, and its caller
        // guaranteed it valid for writes of `len >= values.len()` elements; `values` is Rust
        // memory borrowed here, distinct from the caller's output buffer.
        unsafe { std::ptr::copy_nonoverlapping(values.as_ptr(), self.ptr, values.len()) };
        Ok(())
    }
}

/// The output array of `len` elements at `ptr`: NULL is accepted when `len` is 0.
///
/// # Safety
/// `ptr` must be NULL or valid for writes of `len` `T`s (contents may be uninitialized) until
/// the returned [`OutSlice`] is written or dropped, and must not overlap any input of the call.
pub unsafe fn out_slice<T>(ptr: *mut T, len: usize, name: &'static str) -> Result<OutSlice<T>, Failure> {
    if len != 0 {
        if ptr.is_null() {
            return Err(Failure::Null(name));
        }
        check_span(ptr.cast_const(), len, name)?;
    }
    Ok(OutSlice { ptr, len })
}

/// Copies the last error message of this thread into `buf` (see `ferrule_last_error_message`).
///
/// # Safety
/// `buf` must be NULL or valid for writes of `len` bytes.
pub unsafe fn copy_last_error(buf: *mut c_char, len: usize) -> usize {
    LAST_ERROR
        .try_with(|slot| {
            let message = slot.try_borrow().map(|m| m.clone()).unwrap_or_default();
            if !buf.is_null() && len > 0 {
                // Truncate like snprintf (at most len - 1 bytes, always a terminating NUL), but
                // never inside a UTF-8 sequence, so the C string stays valid UTF-8.
                let mut copied = message.len().min(len - 1);
                while !message.is_char_boundary(copied) {
                    copied -= 1;
                }
                // SAFETY: buf is valid for len bytes (caller), copied + 1 <= len, and the source
                // is a distinct Rust allocation, so the ranges do not overlap.
                unsafe {
                    std::ptr::copy_nonoverlapping(message.as_ptr(), buf.cast::<u8>(), copied);
                    *buf.add(copied) = 0;
                }
            }
            message.len()
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrule_core::ErrorKind;

    fn last_error() -> String {
        let mut buf = vec![0 as c_char; 512];
        // SAFETY: test data: NULL with 0, or a local buffer of that length.
        let len = unsafe { copy_last_error(buf.as_mut_ptr(), buf.len()) };
        let bytes: Vec<u8> = buf[..len.min(511)].iter().map(|&c| c as u8).collect();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn a_panic_becomes_the_panic_status_with_its_message() {
        #[allow(clippy::panic)]
        let status = guard(|| panic!("kaboom {}", 7));
        assert_eq!(status, ferrule_status::FERRULE_STATUS_PANIC);
        assert!(last_error().contains("kaboom 7"), "{}", last_error());
    }

    #[test]
    fn core_errors_map_to_their_status_and_keep_the_location() {
        let status = guard(|| Err(Error::new(ErrorKind::Parse, "bad quote").at_line(12).into()));
        assert_eq!(status, ferrule_status::FERRULE_STATUS_PARSE);
        assert_eq!(last_error(), "bad quote (line 12)");
    }

    #[test]
    fn null_out_params_are_reported_by_name() {
        let status = guard(|| {
            // SAFETY: test data: NULL or a local array; oversized counts are refused unread.
            let out = unsafe { out_param::<u32>(std::ptr::null_mut(), "out") }?;
            out.write(1);
            Ok(())
        });
        assert_eq!(status, ferrule_status::FERRULE_STATUS_NULL_POINTER);
        assert_eq!(last_error(), "argument `out` must not be NULL");
    }

    #[test]
    fn out_params_write_into_uninitialized_storage_only_when_asked() {
        let mut slot = std::mem::MaybeUninit::<String>::uninit();
        // SAFETY: test data: NULL or a local array; oversized counts are refused unread.
        let out = unsafe { out_param(slot.as_mut_ptr(), "out") }.unwrap();
        out.write("written".to_owned());
        // SAFETY: the call above succeeded, so it wrote the value.
        assert_eq!(unsafe { slot.assume_init() }, "written");
        let mut untouched = 7_u32;
        let status = guard(|| {
            // SAFETY: test data: NULL or a local array; oversized counts are refused unread.
            let _out = unsafe { out_param(&mut untouched, "out") }?;
            Err(Error::invalid_argument("fails before writing").into())
        });
        assert_eq!(status, ferrule_status::FERRULE_STATUS_INVALID_ARGUMENT);
        assert_eq!(untouched, 7);
    }

    #[test]
    fn in_slices_accept_null_only_when_empty() {
        // SAFETY: test data: NULL or a local array; oversized counts are refused unread.
        let empty = unsafe { in_slice::<u8>(std::ptr::null(), 0, "ptr") }.unwrap();
        assert!(empty.is_empty());
        // SAFETY: test data: NULL or a local array; oversized counts are refused unread.
        let status = guard(|| unsafe { in_slice::<u8>(std::ptr::null(), 1, "ptr") }.map(drop));
        assert_eq!(status, ferrule_status::FERRULE_STATUS_NULL_POINTER);
        assert_eq!(last_error(), "argument `ptr` must not be NULL");
        let data = [1u32, 2, 3];
        // SAFETY: test data: NULL or a local array; oversized counts are refused unread.
        let got = unsafe { in_slice(data.as_ptr(), 2, "data") }.unwrap();
        assert_eq!(got, [1, 2]);
    }

    #[test]
    fn in_slices_reject_what_from_raw_parts_cannot_take() {
        let data = [0u32; 4];
        // SAFETY: the offset stays inside the local array.
        let misaligned = unsafe { data.as_ptr().cast::<u8>().add(1) }.cast::<u32>();
        // SAFETY: test data: NULL or a local array; oversized counts are refused unread.
        let status = guard(|| unsafe { in_slice(misaligned, 1, "offsets") }.map(drop));
        assert_eq!(status, ferrule_status::FERRULE_STATUS_INVALID_ARGUMENT);
        assert!(last_error().contains("`offsets` is not aligned"), "{}", last_error());
        // Never dereferenced: the size check fails first.
        for count in [usize::MAX, usize::MAX / 4, isize::MAX as usize / 4 + 1] {
            // SAFETY: test data: NULL or a local array; oversized counts are refused unread.
            let status = guard(|| unsafe { in_slice(data.as_ptr(), count, "offsets") }.map(drop));
            assert_eq!(status, ferrule_status::FERRULE_STATUS_INVALID_ARGUMENT, "{count}");
        }
        // SAFETY: test data: NULL or a local array; oversized counts are refused unread.
        let status = guard(|| unsafe { in_slice(data.as_ptr().cast::<u8>(), usize::MAX, "v") }.map(drop));
        assert_eq!(status, ferrule_status::FERRULE_STATUS_INVALID_ARGUMENT);
    }

    #[test]
    fn out_slices_write_a_prefix_into_uninitialized_storage() {
        let mut slots = [std::mem::MaybeUninit::<u32>::uninit(); 4];
        // SAFETY: test data: NULL or a local array; oversized counts are refused unread.
        let out = unsafe { out_slice(slots.as_mut_ptr().cast::<u32>(), 3, "out_ids") }.unwrap();
        assert_eq!(out.len(), 3);
        out.write_prefix(&[7, 8]).unwrap();
        // SAFETY: the call above succeeded, so it wrote the value.
        assert_eq!(unsafe { [slots[0].assume_init(), slots[1].assume_init()] }, [7, 8]);
    }

    #[test]
    fn out_slices_never_write_past_their_length() {
        let mut slots = [0x5555_5555_u32; 3];
        let status = guard(|| {
            // SAFETY: test data: NULL or a local array; oversized counts are refused unread.
            let out = unsafe { out_slice(slots.as_mut_ptr(), 2, "out_ids") }?;
            out.write_prefix(&[1, 2, 3])
        });
        assert_eq!(status, ferrule_status::FERRULE_STATUS_INTERNAL);
        assert_eq!(slots, [0x5555_5555; 3]);
    }

    #[test]
    fn out_slices_accept_null_only_when_empty() {
        // SAFETY: test data: NULL or a local array; oversized counts are refused unread.
        let out = unsafe { out_slice::<u32>(std::ptr::null_mut(), 0, "out_ids") }.unwrap();
        assert_eq!(out.len(), 0);
        out.write_prefix(&[]).unwrap();
        // SAFETY: test data: NULL or a local array; oversized counts are refused unread.
        let status = guard(|| unsafe { out_slice::<u32>(std::ptr::null_mut(), 1, "out_ids") }.map(drop));
        assert_eq!(status, ferrule_status::FERRULE_STATUS_NULL_POINTER);
        let mut slots = [0u32; 2];
        // SAFETY: the offset stays inside the local array.
        let misaligned = unsafe { slots.as_mut_ptr().cast::<u8>().add(2) }.cast::<u32>();
        // SAFETY: test data: NULL or a local array; oversized counts are refused unread.
        let status = guard(|| unsafe { out_slice(misaligned, 1, "out_ids") }.map(drop));
        assert_eq!(status, ferrule_status::FERRULE_STATUS_INVALID_ARGUMENT);
        // SAFETY: test data: NULL or a local array; oversized counts are refused unread.
        let status = guard(|| unsafe { out_slice(slots.as_mut_ptr(), usize::MAX / 2, "out_ids") }.map(drop));
        assert_eq!(status, ferrule_status::FERRULE_STATUS_INVALID_ARGUMENT);
    }

    #[test]
    fn success_leaves_the_previous_message() {
        let _ = guard(|| Err(Error::invalid_argument("first").into()));
        assert_eq!(guard(|| Ok(())), ferrule_status::FERRULE_STATUS_OK);
        assert_eq!(last_error(), "first");
    }

    #[test]
    fn messages_are_per_thread() {
        let _ = guard(|| Err(Error::invalid_argument("main thread").into()));
        std::thread::spawn(|| {
            assert_eq!(last_error(), "");
            let _ = guard(|| Err(Error::invalid_argument("other thread").into()));
            assert_eq!(last_error(), "other thread");
        })
        .join()
        .unwrap();
        assert_eq!(last_error(), "main thread");
    }

    #[test]
    fn truncation_never_splits_a_character() {
        let _ = guard(|| Err(Error::invalid_argument("ab\u{e9}cd").into())); // é is 2 bytes
        let mut buf = [0x55 as c_char; 4];
        // SAFETY: test data: NULL with 0, or a local buffer of that length.
        let full_len = unsafe { copy_last_error(buf.as_mut_ptr(), buf.len()) };
        assert_eq!(full_len, 6);
        assert_eq!(buf.map(|c| c as u8), [b'a', b'b', 0, 0x55], "3 bytes would cut the \u{e9}");
    }

    #[test]
    fn copies_truncate_and_terminate() {
        let _ = guard(|| Err(Error::invalid_argument("0123456789").into()));
        let mut small = [0x55 as c_char; 4];
        // SAFETY: test data: NULL with 0, or a local buffer of that length.
        let full_len = unsafe { copy_last_error(small.as_mut_ptr(), small.len()) };
        assert_eq!(full_len, 10);
        assert_eq!(small.map(|c| c as u8), [b'0', b'1', b'2', 0]);
        // A length query with no buffer writes nothing.
        // SAFETY: test data: NULL with 0, or a local buffer of that length.
        assert_eq!(unsafe { copy_last_error(std::ptr::null_mut(), 0) }, 10);
        let mut one = [0x55 as c_char; 1];
        // SAFETY: test data: NULL with 0, or a local buffer of that length.
        assert_eq!(unsafe { copy_last_error(one.as_mut_ptr(), 0) }, 10);
        assert_eq!(one[0] as u8, 0x55, "len 0 must not write");
        // SAFETY: test data: NULL with 0, or a local buffer of that length.
        unsafe { copy_last_error(one.as_mut_ptr(), 1) };
        assert_eq!(one[0], 0);
    }

    /// The last byte of the buffer: a buffer of exactly the message plus its NUL holds it all,
    /// one byte less loses the message's last byte, never the NUL; no byte past `len` is written.
    #[test]
    fn the_terminating_nul_takes_the_last_byte() {
        let _ = guard(|| Err(Error::invalid_argument("12345").into()));
        let mut exact = [0x55 as c_char; 7];
        // SAFETY: test data: a local buffer, of which only the first 6 bytes are offered.
        assert_eq!(unsafe { copy_last_error(exact.as_mut_ptr(), 6) }, 5);
        assert_eq!(exact.map(|c| c as u8), [b'1', b'2', b'3', b'4', b'5', 0, 0x55]);
        let mut short = [0x55 as c_char; 6];
        // SAFETY: as above, 5 bytes offered.
        assert_eq!(unsafe { copy_last_error(short.as_mut_ptr(), 5) }, 5);
        assert_eq!(short.map(|c| c as u8), [b'1', b'2', b'3', b'4', 0, 0x55]);
    }
}
