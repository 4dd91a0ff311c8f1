//! Reductions (`ferrule_vec_{sum,mean,min,max,argmin,argmax}_{f32,f64}`): one vector in, one
//! number out.
//!
//! NaN policy, the same in every ferrule runtime (NumPy's): `min` and `max` give NaN when any
//! element is NaN, `argmin` and `argmax` the index of the first NaN; otherwise the first of equal
//! extremes. `sum` and `mean` propagate NaN through arithmetic. Empty input: `sum` is 0, the
//! others fail with `FERRULE_STATUS_INVALID_ARGUMENT`.

use super::precision_from;
use crate::boundary::{Failure, guard, in_slice, out_param};
use crate::status::ferrule_status;
use ferrule_core::vector::{self, Element};

/// The body of every reduction: checks `x` and `out`, then stores `op(x)`.
///
/// # Safety
/// `x` must be NULL (only when `n` is 0) or valid for reads of `n` elements, and `out` NULL or
/// valid for one write.
unsafe fn reduce<T: Element, R>(
    x: *const T,
    n: usize,
    out: *mut R,
    op: impl FnOnce(&[T]) -> Result<R, Failure>,
) -> ferrule_status {
    guard(|| {
        // SAFETY (both): the caller contract above.
        let x = unsafe { in_slice(x, n, "x") }?;
        let out = unsafe { out_param(out, "out") }?;
        out.write(op(x)?);
        Ok(())
    })
}

/// `*out` = the sum of the `n` elements at `x`, accumulated at `precision` (a `ferrule_precision`
/// value: `FERRULE_PRECISION_FAST` in `float` over SIMD lanes, `FERRULE_PRECISION_ACCURATE` in
/// double-double). An empty input sums to 0; NaN propagates. An unknown `precision` fails with
/// `FERRULE_STATUS_INVALID_ARGUMENT`. Allocates nothing; thread-safe.
///
/// # Safety
/// `x`: NULL only when `n` is 0, else valid for reads of `n` elements; `out`: valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_sum_f32(
    x: *const f32,
    n: usize,
    precision: u32,
    out: *mut f32,
) -> ferrule_status {
    // SAFETY: the caller contract above is `reduce`'s.
    unsafe { reduce(x, n, out, |x| Ok(precision_from(precision)?.sum(x))) }
}

/// `double` twin of `ferrule_vec_sum_f32`.
///
/// # Safety
/// As `ferrule_vec_sum_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_sum_f64(
    x: *const f64,
    n: usize,
    precision: u32,
    out: *mut f64,
) -> ferrule_status {
    // SAFETY: the caller contract above is `reduce`'s.
    unsafe { reduce(x, n, out, |x| Ok(precision_from(precision)?.sum(x))) }
}

/// `*out` = the arithmetic mean of the `n` elements at `x`, accumulated in `double` (so a `float`
/// input's mean does not stall where a `float` sum would). NaN propagates. An empty input fails
/// with `FERRULE_STATUS_INVALID_ARGUMENT`. Allocates nothing; thread-safe.
///
/// # Safety
/// `x`: NULL only when `n` is 0, else valid for reads of `n` elements; `out`: valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_mean_f32(x: *const f32, n: usize, out: *mut f64) -> ferrule_status {
    // SAFETY: the caller contract above is `reduce`'s.
    unsafe { reduce(x, n, out, |x| Ok(vector::mean(x)?)) }
}

/// `double` twin of `ferrule_vec_mean_f32`.
///
/// # Safety
/// As `ferrule_vec_mean_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_mean_f64(x: *const f64, n: usize, out: *mut f64) -> ferrule_status {
    // SAFETY: the caller contract above is `reduce`'s.
    unsafe { reduce(x, n, out, |x| Ok(vector::mean(x)?)) }
}

/// `*out` = the smallest of the `n` elements at `x`; NaN when any element is NaN. An empty input
/// fails with `FERRULE_STATUS_INVALID_ARGUMENT`. Allocates nothing; thread-safe.
///
/// # Safety
/// As `ferrule_vec_mean_f32`, with `out` valid for one `float` write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_min_f32(x: *const f32, n: usize, out: *mut f32) -> ferrule_status {
    // SAFETY: the caller contract above is `reduce`'s.
    unsafe { reduce(x, n, out, |x| Ok(vector::min(x)?)) }
}

/// `double` twin of `ferrule_vec_min_f32`.
///
/// # Safety
/// As `ferrule_vec_min_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_min_f64(x: *const f64, n: usize, out: *mut f64) -> ferrule_status {
    // SAFETY: the caller contract above is `reduce`'s.
    unsafe { reduce(x, n, out, |x| Ok(vector::min(x)?)) }
}

/// `*out` = the largest of the `n` elements at `x`; NaN when any element is NaN. An empty input
/// fails with `FERRULE_STATUS_INVALID_ARGUMENT`. Allocates nothing; thread-safe.
///
/// # Safety
/// As `ferrule_vec_min_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_max_f32(x: *const f32, n: usize, out: *mut f32) -> ferrule_status {
    // SAFETY: the caller contract above is `reduce`'s.
    unsafe { reduce(x, n, out, |x| Ok(vector::max(x)?)) }
}

/// `double` twin of `ferrule_vec_max_f32`.
///
/// # Safety
/// As `ferrule_vec_min_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_max_f64(x: *const f64, n: usize, out: *mut f64) -> ferrule_status {
    // SAFETY: the caller contract above is `reduce`'s.
    unsafe { reduce(x, n, out, |x| Ok(vector::max(x)?)) }
}

/// `*out` = the index of the smallest of the `n` elements at `x`: the first of equal minima, or
/// the index of the first NaN when there is one (NumPy's rule). An empty input fails with
/// `FERRULE_STATUS_INVALID_ARGUMENT`. Allocates nothing; thread-safe.
///
/// # Safety
/// `x`: NULL only when `n` is 0, else valid for reads of `n` elements; `out`: valid for one
/// `size_t` write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_argmin_f32(x: *const f32, n: usize, out: *mut usize) -> ferrule_status {
    // SAFETY: the caller contract above is `reduce`'s.
    unsafe { reduce(x, n, out, |x| Ok(vector::argmin(x)?)) }
}

/// `double` twin of `ferrule_vec_argmin_f32`.
///
/// # Safety
/// As `ferrule_vec_argmin_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_argmin_f64(x: *const f64, n: usize, out: *mut usize) -> ferrule_status {
    // SAFETY: the caller contract above is `reduce`'s.
    unsafe { reduce(x, n, out, |x| Ok(vector::argmin(x)?)) }
}

/// `*out` = the index of the largest of the `n` elements at `x`: the first of equal maxima, or
/// the index of the first NaN when there is one (NumPy's rule). An empty input fails with
/// `FERRULE_STATUS_INVALID_ARGUMENT`. Allocates nothing; thread-safe.
///
/// # Safety
/// As `ferrule_vec_argmin_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_argmax_f32(x: *const f32, n: usize, out: *mut usize) -> ferrule_status {
    // SAFETY: the caller contract above is `reduce`'s.
    unsafe { reduce(x, n, out, |x| Ok(vector::argmax(x)?)) }
}

/// `double` twin of `ferrule_vec_argmax_f32`.
///
/// # Safety
/// As `ferrule_vec_argmin_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_argmax_f64(x: *const f64, n: usize, out: *mut usize) -> ferrule_status {
    // SAFETY: the caller contract above is `reduce`'s.
    unsafe { reduce(x, n, out, |x| Ok(vector::argmax(x)?)) }
}
