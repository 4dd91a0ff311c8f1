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
        let out = unsafe { out_param(slot.as_mut_ptr(), "out") }.unwrap();
        out.write("written".to_owned());
        assert_eq!(unsafe { slot.assume_init() }, "written");
        let mut untouched = 7_u32;
        let status = guard(|| {
            let _out = unsafe { out_param(&mut untouched, "out") }?;
            Err(Error::invalid_argument("fails before writing").into())
        });
        assert_eq!(status, ferrule_status::FERRULE_STATUS_INVALID_ARGUMENT);
        assert_eq!(untouched, 7);
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
        let full_len = unsafe { copy_last_error(buf.as_mut_ptr(), buf.len()) };
        assert_eq!(full_len, 6);
        assert_eq!(buf.map(|c| c as u8), [b'a', b'b', 0, 0x55], "3 bytes would cut the \u{e9}");
    }

    #[test]
    fn copies_truncate_and_terminate() {
        let _ = guard(|| Err(Error::invalid_argument("0123456789").into()));
        let mut small = [0x55 as c_char; 4];
        let full_len = unsafe { copy_last_error(small.as_mut_ptr(), small.len()) };
        assert_eq!(full_len, 10);
        assert_eq!(small.map(|c| c as u8), [b'0', b'1', b'2', 0]);
        // A length query with no buffer writes nothing.
        assert_eq!(unsafe { copy_last_error(std::ptr::null_mut(), 0) }, 10);
        let mut one = [0x55 as c_char; 1];
        assert_eq!(unsafe { copy_last_error(one.as_mut_ptr(), 0) }, 10);
        assert_eq!(one[0] as u8, 0x55, "len 0 must not write");
        unsafe { copy_last_error(one.as_mut_ptr(), 1) };
        assert_eq!(one[0], 0);
    }
}
