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
        // SAFETY: `x` is NULL (refused unless `n` is 0) or valid for reads of `n` elements (caller contract).
        let x = unsafe { in_slice(x, n, "x") }?;
        // SAFETY: `out` is NULL (refused) or valid for one write (caller contract).
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

#[cfg(test)]
mod tests {
    //! The edges of `reduce`'s `in_slice`/`out_param` blocks: the last element at every SIMD tail
    //! length (inputs allocated exactly `n` long), empty inputs (NULL with `n` 0) and lengths no
    //! memory can hold (refused before anything is read).
    use super::*;
    use crate::status::ferrule_status::*;
    use crate::vector::ferrule_precision::*;
    use std::ptr::null;

    macro_rules! check_type {
        ($t:ty, $sum:ident, $mean:ident, $min:ident, $max:ident, $argmin:ident, $argmax:ident) => {{
            for n in 1..=70usize {
                // Zeros but for the last element, which alone decides every result.
                let mut x = vec![0.0 as $t; n];
                x[n - 1] = 5.0;
                let (mut value, mut mean, mut index) = (<$t>::NAN, f64::NAN, usize::MAX);
                for precision in [FERRULE_PRECISION_FAST, FERRULE_PRECISION_ACCURATE] {
                    // SAFETY: test data: `x` holds exactly `n` elements; the outputs are locals.
                    let status = unsafe { $sum(x.as_ptr(), n, precision as u32, &mut value) };
                    assert_eq!(status, FERRULE_STATUS_OK);
                    assert_eq!(value, 5.0, "sum n {n}");
                }
                // SAFETY: as above.
                assert_eq!(unsafe { $mean(x.as_ptr(), n, &mut mean) }, FERRULE_STATUS_OK);
                assert_eq!(mean, 5.0 / n as f64, "mean n {n}");
                // SAFETY: as above.
                assert_eq!(unsafe { $max(x.as_ptr(), n, &mut value) }, FERRULE_STATUS_OK);
                assert_eq!(value, 5.0, "max n {n}");
                // SAFETY: as above.
                assert_eq!(unsafe { $argmax(x.as_ptr(), n, &mut index) }, FERRULE_STATUS_OK);
                assert_eq!(index, n - 1, "argmax n {n}");
                x[n - 1] = -5.0;
                // SAFETY: as above.
                assert_eq!(unsafe { $min(x.as_ptr(), n, &mut value) }, FERRULE_STATUS_OK);
                assert_eq!(value, -5.0, "min n {n}");
                // SAFETY: as above.
                assert_eq!(unsafe { $argmin(x.as_ptr(), n, &mut index) }, FERRULE_STATUS_OK);
                assert_eq!(index, n - 1, "argmin n {n}");
                x[n - 1] = <$t>::NAN;
                // SAFETY: as above.
                assert_eq!(unsafe { $argmin(x.as_ptr(), n, &mut index) }, FERRULE_STATUS_OK);
                assert_eq!(index, n - 1, "the first NaN is the last element, n {n}");
                // SAFETY: as above.
                assert_eq!(unsafe { $max(x.as_ptr(), n, &mut value) }, FERRULE_STATUS_OK);
                assert!(value.is_nan(), "max n {n}");
            }
            // Empty: NULL is the empty vector; sum is 0, the others fail and write nothing.
            let (mut value, mut mean, mut index) = (7.0 as $t, 7.0f64, 7usize);
            // SAFETY: NULL with n 0 (the contract); the outputs are locals.
            assert_eq!(unsafe { $sum(null(), 0, 0, &mut value) }, FERRULE_STATUS_OK);
            assert_eq!(value, 0.0);
            value = 7.0;
            // SAFETY: as above.
            assert_eq!(unsafe { $mean(null(), 0, &mut mean) }, FERRULE_STATUS_INVALID_ARGUMENT);
            // SAFETY: as above.
            assert_eq!(unsafe { $min(null(), 0, &mut value) }, FERRULE_STATUS_INVALID_ARGUMENT);
            // SAFETY: as above.
            assert_eq!(unsafe { $argmax(null(), 0, &mut index) }, FERRULE_STATUS_INVALID_ARGUMENT);
            assert_eq!((value, mean, index), (7.0, 7.0, 7));
            // Counts whose bytes exceed isize::MAX, on a one-element array: refused unread.
            let one = [1.0 as $t];
            for n in [usize::MAX, isize::MAX as usize] {
                // SAFETY: valid for one element; the call must refuse `n` before reading.
                assert_eq!(unsafe { $sum(one.as_ptr(), n, 0, &mut value) }, FERRULE_STATUS_INVALID_ARGUMENT);
                // SAFETY: as above.
                assert_eq!(unsafe { $mean(one.as_ptr(), n, &mut mean) }, FERRULE_STATUS_INVALID_ARGUMENT);
                // SAFETY: as above.
                assert_eq!(unsafe { $max(one.as_ptr(), n, &mut value) }, FERRULE_STATUS_INVALID_ARGUMENT);
                // SAFETY: as above.
                assert_eq!(unsafe { $argmin(one.as_ptr(), n, &mut index) }, FERRULE_STATUS_INVALID_ARGUMENT);
            }
            assert_eq!((value, mean, index), (7.0, 7.0, 7));
        }};
    }

    #[test]
    fn the_last_element_empty_inputs_and_impossible_lengths() {
        check_type!(
            f32,
            ferrule_vec_sum_f32,
            ferrule_vec_mean_f32,
            ferrule_vec_min_f32,
            ferrule_vec_max_f32,
            ferrule_vec_argmin_f32,
            ferrule_vec_argmax_f32
        );
        check_type!(
            f64,
            ferrule_vec_sum_f64,
            ferrule_vec_mean_f64,
            ferrule_vec_min_f64,
            ferrule_vec_max_f64,
            ferrule_vec_argmin_f64,
            ferrule_vec_argmax_f64
        );
    }
}
