//! Vector math in C over `float` and `double` arrays: `ferrule_vec_<op>_f32` / `_f64`.
//!
//! - `pairs`: the 1:1 distances (`dot`, `cosine_distance`, ..., and `distance` for any metric at
//!   any precision).
//! - `reductions`: `sum`, `mean`, `min`, `max`, `argmin`, `argmax`.
//! - `elementwise`: `scale`, `add`, `subtract`, `multiply`, `axpy`, `fma`, `normalize`, into a
//!   caller's array that may be one of the inputs (in place).
//! - `batch`: `one_to_many`, `cdist`, `topk` over strided row-major matrices, on ferrule's threads.
//!
//! The enums `ferrule_metric` and `ferrule_precision` are exported for their constants, but no
//! function takes them by value: C can pass any integer where an enum is expected, and a Rust enum
//! holding a value it does not define is undefined behaviour. Functions take a `uint32_t` and
//! check it ([`metric_from`], [`precision_from`]).

// In the header's order: cbindgen emits the modules' items in the order they are declared here.
mod pairs;

mod reductions;

mod elementwise;

mod batch;

use crate::boundary::{Failure, guard, in_slice, out_param};
use crate::status::ferrule_status;
use ferrule_core::vector::{Metric, Precision};
use ferrule_core::{Error, ErrorKind};
use std::ffi::{CStr, c_char};

/// What `ferrule_vec_distance_*` and the batch calls (`ferrule_vec_one_to_many_*`,
/// `ferrule_vec_cdist_*`, `ferrule_vec_topk_*`) compute between two vectors. Functions take it as
/// a `uint32_t metric`; a value not listed here fails with `FERRULE_STATUS_INVALID_ARGUMENT`.
/// Values never change meaning (they follow ferrule's metric order in every runtime).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum ferrule_metric {
    /// The dot product `a.b`: a similarity, larger is closer (`ferrule_vec_topk_*` keeps the
    /// largest).
    FERRULE_METRIC_DOT = 0,
    /// The cosine distance `1 - a.b / (|a| |b|)`, clamped to [0, 2]; 1 when either vector is all
    /// zeros.
    FERRULE_METRIC_COSINE = 1,
    /// The squared Euclidean distance, summed from the differences (exact for near-duplicates).
    FERRULE_METRIC_SQEUCLIDEAN = 2,
    /// The Euclidean distance, the square root of `FERRULE_METRIC_SQEUCLIDEAN`.
    FERRULE_METRIC_EUCLIDEAN = 3,
    /// The Manhattan distance, the sum of `|a[i] - b[i]|`.
    FERRULE_METRIC_MANHATTAN = 4,
}

/// How the distance kernels (and `ferrule_vec_sum_*`) accumulate. Functions take it as a
/// `uint32_t precision`; a value not listed here fails with `FERRULE_STATUS_INVALID_ARGUMENT`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum ferrule_precision {
    /// The default: accumulation in the input type over several SIMD lanes. For n terms the
    /// error is at most about `n * u * sum|terms|` (u = 2^-24 for float, 2^-53 for double), in
    /// practice near `sqrt(n) * u * sum|terms|`.
    FERRULE_PRECISION_FAST = 0,
    /// Double-double accumulation: the exactly rounded result up to `2 n^2 2^-106 * sum|terms|`
    /// (exact to the last bit unless the terms cancel almost completely). About 5-20x slower.
    FERRULE_PRECISION_ACCURATE = 1,
}

/// The C metrics with their core metric and NUL-terminated name, in value order.
const METRICS: [(ferrule_metric, Metric, &CStr); 5] = [
    (ferrule_metric::FERRULE_METRIC_DOT, Metric::Dot, c"dot"),
    (ferrule_metric::FERRULE_METRIC_COSINE, Metric::Cosine, c"cosine"),
    (ferrule_metric::FERRULE_METRIC_SQEUCLIDEAN, Metric::SqEuclidean, c"sqeuclidean"),
    (ferrule_metric::FERRULE_METRIC_EUCLIDEAN, Metric::Euclidean, c"euclidean"),
    (ferrule_metric::FERRULE_METRIC_MANHATTAN, Metric::Manhattan, c"manhattan"),
];

/// The C precisions with their core precision and NUL-terminated name, in value order.
const PRECISIONS: [(ferrule_precision, Precision, &CStr); 2] = [
    (ferrule_precision::FERRULE_PRECISION_FAST, Precision::Fast, c"fast"),
    (ferrule_precision::FERRULE_PRECISION_ACCURATE, Precision::Accurate, c"accurate"),
];

/// The metric a C caller passed as an integer.
fn metric_from(value: u32) -> Result<Metric, Failure> {
    METRICS.iter().find(|(c, ..)| *c as u32 == value).map(|&(_, metric, _)| metric).ok_or_else(|| {
        Error::invalid_argument(format!("unknown metric {value}: expected a FERRULE_METRIC_* value (0 to 4)"))
            .into()
    })
}

/// The precision a C caller passed as an integer.
fn precision_from(value: u32) -> Result<Precision, Failure> {
    PRECISIONS.iter().find(|(c, ..)| *c as u32 == value).map(|&(_, precision, _)| precision).ok_or_else(
        || {
            Error::invalid_argument(format!(
                "unknown precision {value}: expected FERRULE_PRECISION_FAST (0) or FERRULE_PRECISION_ACCURATE (1)"
            ))
            .into()
        },
    )
}

/// The `len` bytes at `name` as UTF-8 text.
///
/// # Safety
/// `name` must be NULL (only when `len` is 0) or valid for reads of `len` bytes.
unsafe fn text<'a>(name: *const u8, len: usize) -> Result<&'a str, Failure> {
    // SAFETY: the caller contract above.
    let bytes = unsafe { in_slice(name, len, "name") }?;
    std::str::from_utf8(bytes).map_err(|e| Error::new(ErrorKind::InvalidUtf8, format!("name: {e}")).into())
}

/// Stores the metric called by the `len` bytes at `name` (`"dot"`, `"cosine"`, `"sqeuclidean"`,
/// `"euclidean"` or `"manhattan"`, the names every ferrule runtime uses; not NUL-terminated) in
/// `*out`. Fails with `FERRULE_STATUS_INVALID_ARGUMENT` for any other name
/// (`FERRULE_STATUS_INVALID_UTF8` when the bytes are not UTF-8). Thread-safe.
///
/// # Safety
/// `name`: NULL only when `len` is 0, else valid for reads of `len` bytes; `out`: valid for one
/// write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_metric_parse(
    name: *const u8,
    len: usize,
    out: *mut ferrule_metric,
) -> ferrule_status {
    guard(|| {
        // SAFETY: `name` is NULL (refused unless `len` is 0) or valid for reads of `len` elements (caller
        // contract).
        let name = unsafe { text(name, len) }?;
        // SAFETY: `out` is NULL (refused) or valid for one write (caller contract).
        let out = unsafe { out_param(out, "out") }?;
        let metric = Metric::parse(name)?;
        let found = METRICS.iter().find(|(_, m, _)| *m == metric).map(|&(c, ..)| c);
        out.write(found.ok_or_else(|| Error::internal(format!("metric {metric:?} has no C value")))?);
        Ok(())
    })
}

/// The name of a `ferrule_metric` value (`"cosine"` for `FERRULE_METRIC_COSINE`, ...), a static
/// string never freed; NULL for a value that is not a metric. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn ferrule_vec_metric_name(metric: u32) -> *const c_char {
    METRICS.iter().find(|(c, ..)| *c as u32 == metric).map_or(std::ptr::null(), |(.., name)| name.as_ptr())
}

/// Stores the precision called by the `len` bytes at `name` (`"fast"` or `"accurate"`, not
/// NUL-terminated) in `*out`. Fails with `FERRULE_STATUS_INVALID_ARGUMENT` for any other name
/// (`FERRULE_STATUS_INVALID_UTF8` when the bytes are not UTF-8).
/// Thread-safe.
///
/// # Safety
/// As `ferrule_vec_metric_parse`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_precision_parse(
    name: *const u8,
    len: usize,
    out: *mut ferrule_precision,
) -> ferrule_status {
    guard(|| {
        // SAFETY: `name` is NULL (refused unless `len` is 0) or valid for reads of `len` elements (caller
        // contract).
        let name = unsafe { text(name, len) }?;
        // SAFETY: `out` is NULL (refused) or valid for one write (caller contract).
        let out = unsafe { out_param(out, "out") }?;
        let precision = Precision::parse(name)?;
        let found = PRECISIONS.iter().find(|(_, p, _)| *p == precision).map(|&(c, ..)| c);
        out.write(found.ok_or_else(|| Error::internal(format!("precision {precision:?} has no C value")))?);
        Ok(())
    })
}

/// The name of a `ferrule_precision` value (`"fast"`, `"accurate"`), a static string never freed;
/// NULL for a value that is not a precision. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn ferrule_vec_precision_name(precision: u32) -> *const c_char {
    PRECISIONS
        .iter()
        .find(|(c, ..)| *c as u32 == precision)
        .map_or(std::ptr::null(), |(.., name)| name.as_ptr())
}

/// The address range of `len` elements at `ptr`, as [start, end) in bytes.
fn byte_range<T>(ptr: *const T, len: usize) -> (usize, usize) {
    let start = ptr.addr();
    // Callers checked the span (in_slice/out_slice): it fits the address space.
    (start, start.saturating_add(len.saturating_mul(std::mem::size_of::<T>())))
}

/// Whether the `a_len` elements at `a` and the `b_len` elements at `b` share a byte.
fn overlap<T, U>(a: *const T, a_len: usize, b: *const U, b_len: usize) -> bool {
    let ((a0, a1), (b0, b1)) = (byte_range(a, a_len), byte_range(b, b_len));
    a0 < a1 && b0 < b1 && a0 < b1 && b0 < a1
}

/// An `INVALID_ARGUMENT` failure unless the output `out` (`out_len` elements) and the input
/// `input` (`input_len` elements) are disjoint.
fn disjoint<T, U>(
    out: *const T,
    out_len: usize,
    out_name: &str,
    input: *const U,
    input_len: usize,
    input_name: &str,
) -> Result<(), Failure> {
    if overlap(out, out_len, input, input_len) {
        return Err(Error::invalid_argument(format!(
            "`{out_name}` overlaps `{input_name}`: outputs must not share memory with the inputs"
        ))
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_values_follow_the_core_order_and_names() {
        for (value, ((c, metric, name), core)) in METRICS.iter().zip(Metric::ALL).enumerate() {
            assert_eq!(*c as usize, value);
            assert_eq!(*metric, core);
            assert_eq!(name.to_str().unwrap(), core.name());
            assert_eq!(metric_from(value as u32).unwrap(), core);
            // SAFETY: a static NUL-terminated string from ferrule (non-NULL for these values).
            let got = unsafe { CStr::from_ptr(ferrule_vec_metric_name(value as u32)) };
            assert_eq!(got, *name);
            let mut parsed = ferrule_metric::FERRULE_METRIC_DOT;
            let bytes = core.name().as_bytes();
            // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
            let status = unsafe { ferrule_vec_metric_parse(bytes.as_ptr(), bytes.len(), &mut parsed) };
            assert_eq!(status, ferrule_status::FERRULE_STATUS_OK);
            assert_eq!(parsed, *c);
        }
        assert!(metric_from(5).is_err() && metric_from(u32::MAX).is_err());
        assert!(ferrule_vec_metric_name(5).is_null());
    }

    #[test]
    fn precision_values_follow_the_core_names() {
        for (value, ((c, precision, name), core)) in PRECISIONS.iter().zip(Precision::ALL).enumerate() {
            assert_eq!(*c as usize, value);
            assert_eq!(*precision, core);
            assert_eq!(name.to_str().unwrap(), core.name());
            assert_eq!(precision_from(value as u32).unwrap(), core);
            // SAFETY: a static NUL-terminated string from ferrule (non-NULL for these values).
            let got = unsafe { CStr::from_ptr(ferrule_vec_precision_name(value as u32)) };
            assert_eq!(got, *name);
        }
        assert!(precision_from(2).is_err());
        assert!(ferrule_vec_precision_name(2).is_null());
        let mut parsed = ferrule_precision::FERRULE_PRECISION_FAST;
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status = unsafe { ferrule_vec_precision_parse(b"exact".as_ptr(), 5, &mut parsed) };
        assert_eq!(status, ferrule_status::FERRULE_STATUS_INVALID_ARGUMENT);
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status = unsafe { ferrule_vec_precision_parse([0xff_u8].as_ptr(), 1, &mut parsed) };
        assert_eq!(status, ferrule_status::FERRULE_STATUS_INVALID_UTF8);
        assert_eq!(parsed, ferrule_precision::FERRULE_PRECISION_FAST);
    }

    #[test]
    fn overlap_is_about_shared_bytes() {
        let buf = [0.0f64; 8];
        let p = buf.as_ptr();
        assert!(overlap(p, 4, p, 4));
        assert!(overlap(p, 4, p.wrapping_add(3), 4));
        assert!(!overlap(p, 4, p.wrapping_add(4), 4));
        assert!(!overlap(p, 0, p, 4), "an empty range shares nothing");
        assert!(overlap(p.cast::<u8>().wrapping_add(7), 1, p, 1), "bytes, not elements");
    }

    /// The edges of `text`'s block: the empty name (NULL with 0) and lengths no memory can hold
    /// (refused unread), with the output untouched.
    #[test]
    fn empty_and_impossible_names() {
        let mut metric = ferrule_metric::FERRULE_METRIC_MANHATTAN;
        // SAFETY: test data: NULL with 0 is the empty name; a local output.
        let status = unsafe { ferrule_vec_metric_parse(std::ptr::null(), 0, &mut metric) };
        assert_eq!(status, ferrule_status::FERRULE_STATUS_INVALID_ARGUMENT);
        let mut precision = ferrule_precision::FERRULE_PRECISION_ACCURATE;
        for n in [usize::MAX, isize::MAX as usize + 1] {
            // SAFETY: a 3-byte name; the call must refuse `n` before reading it.
            let status = unsafe { ferrule_vec_metric_parse(b"dot".as_ptr(), n, &mut metric) };
            assert_eq!(status, ferrule_status::FERRULE_STATUS_INVALID_ARGUMENT);
            // SAFETY: as above.
            let status = unsafe { ferrule_vec_precision_parse(b"fast".as_ptr(), n, &mut precision) };
            assert_eq!(status, ferrule_status::FERRULE_STATUS_INVALID_ARGUMENT);
        }
        assert_eq!(metric, ferrule_metric::FERRULE_METRIC_MANHATTAN);
        assert_eq!(precision, ferrule_precision::FERRULE_PRECISION_ACCURATE);
    }
}
