//! RFC 5424 STRUCTURED-DATA in C: `ferrule_log_structured_data_parse` turns the text of a
//! `structured_data` cell into a `ferrule_sd`, read through the `ferrule_sd_*` accessors as
//! (pointer, length) pairs that point into it.

use super::log_guard;
use super::table::c_ptr;
use crate::boundary::{Failure, guard, in_slice, out_param};
use crate::status::ferrule_status;
use ferrule_core::Error;
use ferrule_core::logs::{SdElement, parse_structured_data};

/// Parsed RFC 5424 STRUCTURED-DATA: a list of elements (`[exampleSDID@32473 iut="3"
/// eventSource="Application"]`), each an id and a list of (name, value) parameters, in the
/// order of the text. Values are unescaped (`\"`, `\\` and `\]` become `"`, `\` and `]`; a
/// backslash before any other byte is kept); ids, names and values are UTF-8 (bytes of the text
/// that were not are U+FFFD).
///
/// Opaque: created by `ferrule_log_structured_data_parse`, owned by the caller, released with
/// `ferrule_sd_free`. Every pointer an accessor returns points into it: read-only, never freed
/// by the caller, NOT NUL-terminated (use the length), valid until `ferrule_sd_free`. Immutable,
/// so thread-safe: any number of threads may read one at once (except `ferrule_sd_free`, which
/// must run alone, after every other use). It does not depend on the text it was parsed from.
#[allow(non_camel_case_types)]
pub struct ferrule_sd {
    elements: Vec<SdElement>,
}

/// The structured data behind a C handle, or a `Null` failure.
///
/// # Safety
/// `sd` must be NULL or a live `ferrule_sd` that stays alive during `'a`.
unsafe fn sd_ref<'a>(sd: *const ferrule_sd) -> Result<&'a [SdElement], Failure> {
    // SAFETY: NULL or live for 'a (caller contract); only shared access is taken.
    unsafe { sd.as_ref() }.map(|sd| sd.elements.as_slice()).ok_or(Failure::Null("sd"))
}

/// Element `element`, or an `OUT_OF_RANGE` failure.
fn element_at(elements: &[SdElement], element: usize) -> Result<&SdElement, Failure> {
    elements.get(element).ok_or_else(|| {
        Error::out_of_range(format!("element {element}: the structured data has {} elements", elements.len()))
            .into()
    })
}

/// Parses the `len` bytes at `text` (not NUL-terminated), the STRUCTURED-DATA part of an RFC
/// 5424 message such as a `syslog_rfc5424` table's `structured_data` cell, into a new
/// `ferrule_sd` at `*out_sd`. The caller owns it and releases it with `ferrule_sd_free`; it
/// keeps ownership of `text`, which is not used after the call. `-` (the nil value) gives 0
/// elements. Bytes that are not UTF-8 become U+FFFD (the cell of a table parsed without
/// `strict_utf8` may hold any bytes).
///
/// Fails with `FERRULE_STATUS_PARSE` when the text is not structured data: empty (`text` may be
/// NULL when `len` is 0, and that fails so), an unclosed `[` or quote, a parameter without
/// `="..."`, text between or after the elements, ... (the message gives the byte); `*out_sd` is
/// then untouched. Thread-safe.
///
/// # Safety
/// `text` must be NULL (only when `len` is 0) or valid for reads of `len` bytes; `out_sd` NULL
/// or valid for a write of one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_structured_data_parse(
    text: *const u8,
    len: usize,
    out_sd: *mut *mut ferrule_sd,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `text` is NULL (refused unless `len` is 0) or valid for reads of `len` elements (caller
        // contract).
        let text = unsafe { in_slice(text, len, "text") }?;
        // SAFETY: `out_sd` is NULL (refused) or valid for one write (caller contract).
        let out_sd = unsafe { out_param(out_sd, "out_sd") }?;
        let elements = parse_structured_data(text)?;
        out_sd.write(Box::into_raw(Box::new(ferrule_sd { elements })));
        Ok(())
    })
}

/// Releases structured data. NULL is accepted and ignored. Every pointer an accessor returned
/// for it dangles afterwards. Not thread-safe with respect to this object: no other call may use
/// it during or after this one.
///
/// # Safety
/// `sd` must be NULL or a live `ferrule_sd`, not used by any other call now or later.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_sd_free(sd: *mut ferrule_sd) {
    if sd.is_null() {
        return;
    }
    let _ = guard(|| {
        // SAFETY: a live object from Box::into_raw (ferrule_log_structured_data_parse), used by no
        // one else and never again (caller contract), so it is dropped exactly once.
        drop(unsafe { Box::from_raw(sd) });
        Ok(())
    });
}

/// Stores the number of elements in `*out_count`; elements are numbered from 0 in the order of
/// the text. Thread-safe.
///
/// # Safety
/// `sd` must be NULL or live; `out_count` NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_sd_count(sd: *const ferrule_sd, out_count: *mut usize) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `sd` is NULL (refused) or a live `ferrule_sd` that outlives this call (caller contract).
        let elements = unsafe { sd_ref(sd) }?;
        // SAFETY: `out_count` is NULL (refused) or valid for one write (caller contract).
        let out_count = unsafe { out_param(out_count, "out_count") }?;
        out_count.write(elements.len());
        Ok(())
    })
}

/// Stores the SD-ID of element `element` (`exampleSDID@32473`, `timeQuality`, ...) in `*out_id`
/// and its length in bytes in `*out_len` (UTF-8, NOT NUL-terminated; the bytes belong to `sd`).
/// Fails with `FERRULE_STATUS_OUT_OF_RANGE` when `element` is not below `ferrule_sd_count`.
/// Thread-safe.
///
/// # Safety
/// `sd` must be NULL or live; `out_id` and `out_len` NULL or valid for one write each.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_sd_id(
    sd: *const ferrule_sd,
    element: usize,
    out_id: *mut *const u8,
    out_len: *mut usize,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `sd` is NULL (refused) or a live `ferrule_sd` that outlives this call (caller contract).
        let elements = unsafe { sd_ref(sd) }?;
        // SAFETY: `out_id` is NULL (refused) or valid for one write (caller contract).
        let out_id = unsafe { out_param(out_id, "out_id") }?;
        // SAFETY: `out_len` is NULL (refused) or valid for one write (caller contract).
        let out_len = unsafe { out_param(out_len, "out_len") }?;
        let id = element_at(elements, element)?.id.as_bytes();
        out_id.write(c_ptr(id));
        out_len.write(id.len());
        Ok(())
    })
}

/// Stores the number of parameters of element `element` in `*out_count` (0 for an element such
/// as `[timeQuality]`). Fails with `FERRULE_STATUS_OUT_OF_RANGE` when `element` is not below
/// `ferrule_sd_count`. Thread-safe.
///
/// # Safety
/// `sd` must be NULL or live; `out_count` NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_sd_param_count(
    sd: *const ferrule_sd,
    element: usize,
    out_count: *mut usize,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `sd` is NULL (refused) or a live `ferrule_sd` that outlives this call (caller contract).
        let elements = unsafe { sd_ref(sd) }?;
        // SAFETY: `out_count` is NULL (refused) or valid for one write (caller contract).
        let out_count = unsafe { out_param(out_count, "out_count") }?;
        out_count.write(element_at(elements, element)?.params.len());
        Ok(())
    })
}

/// Stores parameter `param` of element `element`, in the order of the text (a name given twice
/// is listed twice): its name in `*out_name` / `*out_name_len` and its unescaped value in
/// `*out_value` / `*out_value_len` (UTF-8, NOT NUL-terminated; the bytes belong to `sd`; an
/// empty value has length 0 and a non-NULL pointer). Fails with `FERRULE_STATUS_OUT_OF_RANGE`
/// when `element` is not below `ferrule_sd_count` or `param` not below `ferrule_sd_param_count`.
/// Thread-safe.
///
/// # Safety
/// `sd` must be NULL or live; every output NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_sd_param(
    sd: *const ferrule_sd,
    element: usize,
    param: usize,
    out_name: *mut *const u8,
    out_name_len: *mut usize,
    out_value: *mut *const u8,
    out_value_len: *mut usize,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `sd` is NULL (refused) or a live `ferrule_sd` that outlives this call (caller contract).
        let elements = unsafe { sd_ref(sd) }?;
        // SAFETY: `out_name` is NULL (refused) or valid for one write (caller contract).
        let out_name = unsafe { out_param(out_name, "out_name") }?;
        // SAFETY: `out_name_len` is NULL (refused) or valid for one write (caller contract).
        let out_name_len = unsafe { out_param(out_name_len, "out_name_len") }?;
        // SAFETY: `out_value` is NULL (refused) or valid for one write (caller contract).
        let out_value = unsafe { out_param(out_value, "out_value") }?;
        // SAFETY: `out_value_len` is NULL (refused) or valid for one write (caller contract).
        let out_value_len = unsafe { out_param(out_value_len, "out_value_len") }?;
        let SdElement { id, params } = element_at(elements, element)?;
        let (name, value) = params.get(param).ok_or_else(|| {
            Error::out_of_range(format!(
                "parameter {param}: element {element} ({id}) has {} parameters",
                params.len()
            ))
        })?;
        out_name.write(c_ptr(name.as_bytes()));
        out_name_len.write(name.len());
        out_value.write(c_ptr(value.as_bytes()));
        out_value_len.write(value.len());
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrule_status::*;
    use std::ptr::{null, null_mut};

    /// Builds a handle directly (the core parser is tested in core): the accessors' own logic.
    fn handle(elements: Vec<SdElement>) -> *mut ferrule_sd {
        Box::into_raw(Box::new(ferrule_sd { elements }))
    }

    fn bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
        assert!(!ptr.is_null());
        // SAFETY: test data: pointer and length from ferrule for a live object.
        unsafe { std::slice::from_raw_parts(ptr, len) }
    }

    #[test]
    fn accessors_read_elements_and_params_in_place() {
        let sd = handle(vec![
            SdElement {
                id: "a@1".into(),
                params: vec![("k".into(), String::new()), ("k".into(), "v\"".into())],
            },
            SdElement { id: "timeQuality".into(), params: vec![] },
        ]);
        let mut count = 99;
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        assert_eq!(unsafe { ferrule_sd_count(sd, &mut count) }, FERRULE_STATUS_OK);
        assert_eq!(count, 2);
        let (mut id, mut id_len) = (null(), 0);
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        assert_eq!(unsafe { ferrule_sd_id(sd, 1, &mut id, &mut id_len) }, FERRULE_STATUS_OK);
        assert_eq!(bytes(id, id_len), b"timeQuality");
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        assert_eq!(unsafe { ferrule_sd_param_count(sd, 0, &mut count) }, FERRULE_STATUS_OK);
        assert_eq!(count, 2);
        let (mut name, mut name_len, mut value, mut value_len) = (null(), 0, null(), 0);
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status =
            unsafe { ferrule_sd_param(sd, 0, 0, &mut name, &mut name_len, &mut value, &mut value_len) };
        assert_eq!(status, FERRULE_STATUS_OK);
        assert_eq!((bytes(name, name_len), bytes(value, value_len)), (&b"k"[..], &b""[..]));
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status =
            unsafe { ferrule_sd_param(sd, 0, 1, &mut name, &mut name_len, &mut value, &mut value_len) };
        assert_eq!(status, FERRULE_STATUS_OK);
        assert_eq!(bytes(value, value_len), b"v\"");

        // Out of range: outputs untouched.
        let sentinel = b"x".as_ptr();
        let mut out = sentinel;
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        assert_eq!(unsafe { ferrule_sd_id(sd, 2, &mut out, &mut id_len) }, FERRULE_STATUS_OUT_OF_RANGE);
        assert_eq!(out, sentinel);
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        assert_eq!(unsafe { ferrule_sd_param_count(sd, 2, &mut count) }, FERRULE_STATUS_OUT_OF_RANGE);
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status =
            unsafe { ferrule_sd_param(sd, 1, 0, &mut out, &mut name_len, &mut value, &mut value_len) };
        assert_eq!((status, out), (FERRULE_STATUS_OUT_OF_RANGE, sentinel));
        assert_eq!(
            // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
            unsafe { ferrule_sd_param(sd, 0, 0, null_mut(), &mut name_len, &mut value, &mut value_len) },
            FERRULE_STATUS_NULL_POINTER
        );
        // SAFETY: a live handle made above, freed exactly once.
        unsafe { ferrule_sd_free(sd) };
    }

    #[test]
    fn null_handles_and_outputs_are_refused() {
        let mut count = 0;
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        assert_eq!(unsafe { ferrule_sd_count(null(), &mut count) }, FERRULE_STATUS_NULL_POINTER);
        let sd = handle(vec![]);
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        assert_eq!(unsafe { ferrule_sd_count(sd, null_mut()) }, FERRULE_STATUS_NULL_POINTER);
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        assert_eq!(unsafe { ferrule_sd_count(sd, &mut count) }, FERRULE_STATUS_OK);
        assert_eq!(count, 0);
        let mut out = null_mut();
        assert_eq!(
            // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
            unsafe { ferrule_log_structured_data_parse(null(), 1, &mut out) },
            FERRULE_STATUS_NULL_POINTER
        );
        assert_eq!(
            // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
            unsafe { ferrule_log_structured_data_parse(b"-".as_ptr(), 1, null_mut()) },
            FERRULE_STATUS_NULL_POINTER
        );
        assert!(out.is_null());
        // SAFETY: a live handle made above, freed exactly once.
        unsafe { ferrule_sd_free(sd) };
        // SAFETY: NULL is accepted and ignored.
        unsafe { ferrule_sd_free(null_mut()) };
    }

    /// The edges of `ferrule_log_structured_data_parse`'s blocks: no text (NULL with 0: a parse
    /// error, as documented), text whose closing `]` is the allocation's last byte, and a length no
    /// memory can hold (refused unread).
    #[test]
    fn empty_last_byte_and_impossible_lengths() {
        let sentinel = std::ptr::dangling_mut::<ferrule_sd>();
        let mut out = sentinel;
        // SAFETY: test data: NULL with length 0, a local output.
        let status = unsafe { ferrule_log_structured_data_parse(null(), 0, &mut out) };
        assert_eq!((status, out), (FERRULE_STATUS_PARSE, sentinel));
        let text = br#"[a@1 k="v"]"#.to_vec();
        // SAFETY: `text` holds its length.
        let status = unsafe { ferrule_log_structured_data_parse(text.as_ptr(), text.len(), &mut out) };
        assert_eq!(status, FERRULE_STATUS_OK);
        let mut count = 0;
        // SAFETY: the handle just made.
        assert_eq!(unsafe { ferrule_sd_param_count(out, 0, &mut count) }, FERRULE_STATUS_OK);
        assert_eq!(count, 1);
        // SAFETY: made above, freed once.
        unsafe { ferrule_sd_free(out) };
        for n in [usize::MAX, isize::MAX as usize + 1] {
            let mut out = sentinel;
            // SAFETY: `text` is valid for its length; the call must refuse `n` before reading.
            let status = unsafe { ferrule_log_structured_data_parse(text.as_ptr(), n, &mut out) };
            assert_eq!((status, out), (FERRULE_STATUS_INVALID_ARGUMENT, sentinel));
        }
    }
}
