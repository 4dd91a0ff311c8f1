//! The 1:1 distances (`ferrule_vec_<op>_f32` / `_f64`): two vectors in, one number out.
//!
//! Every function reads `n` elements from each input (NULL is allowed only when `n` is 0), writes
//! its result to `*out` on success only, allocates nothing and is thread-safe. The kernels are
//! chosen once per process from the CPU and `FERRULE_MAX_ISA` (see `ferrule_capabilities`).

use super::{metric_from, precision_from};
use crate::boundary::{guard, in_slice, out_param};
use crate::status::ferrule_status;
use ferrule_core::Result;
use ferrule_core::vector::{self, Element};

/// The body of every two-input function.
///
/// # Safety
/// `a` and `b` must each be NULL (only when `n` is 0) or valid for reads of `n` elements, and
/// `out` NULL or valid for one write.
unsafe fn pair<T: Element>(
    a: *const T,
    b: *const T,
    n: usize,
    out: *mut T,
    op: fn(&[T], &[T]) -> Result<T>,
) -> ferrule_status {
    guard(|| {
        // SAFETY: `a` is NULL (refused unless `n` is 0) or valid for reads of `n` elements (caller contract).
        let a = unsafe { in_slice(a, n, "a") }?;
        // SAFETY: `b` is NULL (refused unless `n` is 0) or valid for reads of `n` elements (caller contract).
        let b = unsafe { in_slice(b, n, "b") }?;
        // SAFETY: `out` is NULL (refused) or valid for one write (caller contract).
        let out = unsafe { out_param(out, "out") }?;
        out.write(op(a, b)?);
        Ok(())
    })
}

/// The body of the one-input functions. Same contract as [`pair`] without `b`.
unsafe fn single<T: Element>(
    a: *const T,
    n: usize,
    out: *mut T,
    op: fn(&[T]) -> Result<T>,
) -> ferrule_status {
    guard(|| {
        // SAFETY: `a` is NULL (refused unless `n` is 0) or valid for reads of `n` elements (caller contract).
        let a = unsafe { in_slice(a, n, "a") }?;
        // SAFETY: `out` is NULL (refused) or valid for one write (caller contract).
        let out = unsafe { out_param(out, "out") }?;
        out.write(op(a)?);
        Ok(())
    })
}

/// `*out` = sum of `a[i] * b[i]` over the `n` elements.
///
/// # Safety
/// `a`, `b`: NULL only when `n` is 0, else valid for reads of `n` elements; `out`: valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_dot_f32(
    a: *const f32,
    b: *const f32,
    n: usize,
    out: *mut f32,
) -> ferrule_status {
    // SAFETY: the caller contract above is `pair`'s.
    unsafe { pair(a, b, n, out, vector::dot) }
}

/// `double` twin of `ferrule_vec_dot_f32`.
///
/// # Safety
/// As `ferrule_vec_dot_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_dot_f64(
    a: *const f64,
    b: *const f64,
    n: usize,
    out: *mut f64,
) -> ferrule_status {
    // SAFETY: the caller contract above is `pair`'s.
    unsafe { pair(a, b, n, out, vector::dot) }
}

/// `*out` = sum of `(a[i] - b[i])^2`, computed from the differences (exact for near-duplicates).
///
/// # Safety
/// As `ferrule_vec_dot_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_sqeuclidean_f32(
    a: *const f32,
    b: *const f32,
    n: usize,
    out: *mut f32,
) -> ferrule_status {
    // SAFETY: the caller contract above is `pair`'s.
    unsafe { pair(a, b, n, out, vector::sqeuclidean) }
}

/// `double` twin of `ferrule_vec_sqeuclidean_f32`.
///
/// # Safety
/// As `ferrule_vec_dot_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_sqeuclidean_f64(
    a: *const f64,
    b: *const f64,
    n: usize,
    out: *mut f64,
) -> ferrule_status {
    // SAFETY: the caller contract above is `pair`'s.
    unsafe { pair(a, b, n, out, vector::sqeuclidean) }
}

/// `*out` = the Euclidean distance between `a` and `b`.
///
/// # Safety
/// As `ferrule_vec_dot_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_euclidean_f32(
    a: *const f32,
    b: *const f32,
    n: usize,
    out: *mut f32,
) -> ferrule_status {
    // SAFETY: the caller contract above is `pair`'s.
    unsafe { pair(a, b, n, out, vector::euclidean) }
}

/// `double` twin of `ferrule_vec_euclidean_f32`.
///
/// # Safety
/// As `ferrule_vec_dot_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_euclidean_f64(
    a: *const f64,
    b: *const f64,
    n: usize,
    out: *mut f64,
) -> ferrule_status {
    // SAFETY: the caller contract above is `pair`'s.
    unsafe { pair(a, b, n, out, vector::euclidean) }
}

/// `*out` = sum of `|a[i] - b[i]|`.
///
/// # Safety
/// As `ferrule_vec_dot_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_manhattan_f32(
    a: *const f32,
    b: *const f32,
    n: usize,
    out: *mut f32,
) -> ferrule_status {
    // SAFETY: the caller contract above is `pair`'s.
    unsafe { pair(a, b, n, out, vector::manhattan) }
}

/// `double` twin of `ferrule_vec_manhattan_f32`.
///
/// # Safety
/// As `ferrule_vec_dot_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_manhattan_f64(
    a: *const f64,
    b: *const f64,
    n: usize,
    out: *mut f64,
) -> ferrule_status {
    // SAFETY: the caller contract above is `pair`'s.
    unsafe { pair(a, b, n, out, vector::manhattan) }
}

/// `*out` = `a.b / (|a| |b|)`; 0 when either vector is all zeros.
///
/// # Safety
/// As `ferrule_vec_dot_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_cosine_similarity_f32(
    a: *const f32,
    b: *const f32,
    n: usize,
    out: *mut f32,
) -> ferrule_status {
    // SAFETY: the caller contract above is `pair`'s.
    unsafe { pair(a, b, n, out, vector::cosine_similarity) }
}

/// `double` twin of `ferrule_vec_cosine_similarity_f32`.
///
/// # Safety
/// As `ferrule_vec_dot_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_cosine_similarity_f64(
    a: *const f64,
    b: *const f64,
    n: usize,
    out: *mut f64,
) -> ferrule_status {
    // SAFETY: the caller contract above is `pair`'s.
    unsafe { pair(a, b, n, out, vector::cosine_similarity) }
}

/// `*out` = `1 - cosine similarity`, clamped to [0, 2]; 1 when either vector is all zeros.
///
/// # Safety
/// As `ferrule_vec_dot_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_cosine_distance_f32(
    a: *const f32,
    b: *const f32,
    n: usize,
    out: *mut f32,
) -> ferrule_status {
    // SAFETY: the caller contract above is `pair`'s.
    unsafe { pair(a, b, n, out, vector::cosine_distance) }
}

/// `double` twin of `ferrule_vec_cosine_distance_f32`.
///
/// # Safety
/// As `ferrule_vec_dot_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_cosine_distance_f64(
    a: *const f64,
    b: *const f64,
    n: usize,
    out: *mut f64,
) -> ferrule_status {
    // SAFETY: the caller contract above is `pair`'s.
    unsafe { pair(a, b, n, out, vector::cosine_distance) }
}

/// `*out` = the Euclidean norm of the `n` elements at `a`.
///
/// # Safety
/// `a`: NULL only when `n` is 0, else valid for reads of `n` elements; `out`: valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_norm_f32(a: *const f32, n: usize, out: *mut f32) -> ferrule_status {
    // SAFETY: the caller contract above is `single`'s.
    unsafe { single(a, n, out, vector::norm) }
}

/// `double` twin of `ferrule_vec_norm_f32`.
///
/// # Safety
/// As `ferrule_vec_norm_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_norm_f64(a: *const f64, n: usize, out: *mut f64) -> ferrule_status {
    // SAFETY: the caller contract above is `single`'s.
    unsafe { single(a, n, out, vector::norm) }
}

/// The body of `ferrule_vec_distance_*`.
///
/// # Safety
/// As [`pair`].
unsafe fn distance<T: Element>(
    metric: u32,
    precision: u32,
    a: *const T,
    b: *const T,
    n: usize,
    out: *mut T,
) -> ferrule_status {
    guard(|| {
        let metric = metric_from(metric)?;
        let precision = precision_from(precision)?;
        // SAFETY: `a` is NULL (refused unless `n` is 0) or valid for reads of `n` elements (caller contract).
        let a = unsafe { in_slice(a, n, "a") }?;
        // SAFETY: `b` is NULL (refused unless `n` is 0) or valid for reads of `n` elements (caller contract).
        let b = unsafe { in_slice(b, n, "b") }?;
        // SAFETY: `out` is NULL (refused) or valid for one write (caller contract).
        let out = unsafe { out_param(out, "out") }?;
        out.write(precision.distance(metric, a, b)?);
        Ok(())
    })
}

/// `*out` = `metric` between `a` and `b` (a `ferrule_metric` value) at `precision` (a
/// `ferrule_precision` value): the one 1:1 function for every metric and both precisions.
/// `FERRULE_METRIC_DOT` is the dot product (a similarity); the others are the distances of the
/// functions above (`FERRULE_METRIC_COSINE` is `ferrule_vec_cosine_distance_f32`), which are this
/// function at `FERRULE_PRECISION_FAST`. An unknown `metric` or `precision` fails with
/// `FERRULE_STATUS_INVALID_ARGUMENT`. Allocates nothing; thread-safe.
///
/// # Safety
/// As `ferrule_vec_dot_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_distance_f32(
    metric: u32,
    precision: u32,
    a: *const f32,
    b: *const f32,
    n: usize,
    out: *mut f32,
) -> ferrule_status {
    // SAFETY: the caller contract above is `distance`'s.
    unsafe { distance(metric, precision, a, b, n, out) }
}

/// `double` twin of `ferrule_vec_distance_f32`.
///
/// # Safety
/// As `ferrule_vec_dot_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_distance_f64(
    metric: u32,
    precision: u32,
    a: *const f64,
    b: *const f64,
    n: usize,
    out: *mut f64,
) -> ferrule_status {
    // SAFETY: the caller contract above is `distance`'s.
    unsafe { distance(metric, precision, a, b, n, out) }
}

#[cfg(test)]
mod tests {
    //! The edges of the `in_slice`/`out_param` blocks above: empty inputs (NULL with `n` 0), the
    //! last element at every SIMD tail length (inputs allocated exactly `n` long, so an over-read
    //! leaves the allocation: valgrind and ASan report it), and lengths no memory can hold
    //! (refused before anything is read).
    use super::*;
    use crate::status::ferrule_status::*;
    use crate::vector::ferrule_metric::*;
    use crate::vector::ferrule_precision::*;
    use std::ptr::{null, null_mut};

    type PairFn<T> = unsafe extern "C" fn(*const T, *const T, usize, *mut T) -> ferrule_status;
    type SingleFn<T> = unsafe extern "C" fn(*const T, usize, *mut T) -> ferrule_status;
    type DistanceFn<T> = unsafe extern "C" fn(u32, u32, *const T, *const T, usize, *mut T) -> ferrule_status;
    type CorePair<T> = fn(&[T], &[T]) -> Result<T>;

    /// One element type's exports, with the core function each one wraps.
    struct Exports<T: 'static> {
        pairs: [(PairFn<T>, CorePair<T>); 6],
        norm: SingleFn<T>,
        distance: DistanceFn<T>,
    }

    const F32: Exports<f32> = Exports {
        pairs: [
            (ferrule_vec_dot_f32, vector::dot),
            (ferrule_vec_sqeuclidean_f32, vector::sqeuclidean),
            (ferrule_vec_euclidean_f32, vector::euclidean),
            (ferrule_vec_manhattan_f32, vector::manhattan),
            (ferrule_vec_cosine_similarity_f32, vector::cosine_similarity),
            (ferrule_vec_cosine_distance_f32, vector::cosine_distance),
        ],
        norm: ferrule_vec_norm_f32,
        distance: ferrule_vec_distance_f32,
    };

    const F64: Exports<f64> = Exports {
        pairs: [
            (ferrule_vec_dot_f64, vector::dot),
            (ferrule_vec_sqeuclidean_f64, vector::sqeuclidean),
            (ferrule_vec_euclidean_f64, vector::euclidean),
            (ferrule_vec_manhattan_f64, vector::manhattan),
            (ferrule_vec_cosine_similarity_f64, vector::cosine_similarity),
            (ferrule_vec_cosine_distance_f64, vector::cosine_distance),
        ],
        norm: ferrule_vec_norm_f64,
        distance: ferrule_vec_distance_f64,
    };

    fn same<T: Element>(got: T, want: T) -> bool {
        (got.is_nan() && want.is_nan()) || got.to_f64() == want.to_f64()
    }

    fn last_element_at_every_tail<T: Element>(exports: &Exports<T>) {
        // 1..=70 covers every tail of the 4-, 8- and 16-lane kernels and their 2x unrolled loops.
        for n in 1..=70usize {
            // Equal but for the last element, which alone decides the distances.
            let a = vec![T::ONE; n];
            let mut b = a.clone();
            b[n - 1] = T::from_f64(4.0);
            for (i, (export, core)) in exports.pairs.iter().enumerate() {
                let mut out = T::from_f64(-7.0);
                // SAFETY: test data: `a` and `b` hold exactly `n` elements, `out` is a local.
                let status = unsafe { export(a.as_ptr(), b.as_ptr(), n, &mut out) };
                assert_eq!(status, FERRULE_STATUS_OK, "pair {i}, n {n}");
                assert!(same(out, core(&a, &b).unwrap()), "pair {i}, n {n}: {out:?}");
            }
            let exact = [
                (FERRULE_METRIC_DOT, n as f64 + 3.0),
                (FERRULE_METRIC_SQEUCLIDEAN, 9.0),
                (FERRULE_METRIC_EUCLIDEAN, 3.0),
                (FERRULE_METRIC_MANHATTAN, 3.0),
            ];
            for (metric, want) in exact {
                for precision in [FERRULE_PRECISION_FAST, FERRULE_PRECISION_ACCURATE] {
                    let mut out = T::ZERO;
                    // SAFETY: as above.
                    let status = unsafe {
                        (exports.distance)(
                            metric as u32,
                            precision as u32,
                            a.as_ptr(),
                            b.as_ptr(),
                            n,
                            &mut out,
                        )
                    };
                    assert_eq!((status, out.to_f64()), (FERRULE_STATUS_OK, want), "{metric:?} n {n}");
                }
            }
            let mut norm = T::ZERO;
            // SAFETY: `b` holds exactly `n` elements.
            assert_eq!(unsafe { (exports.norm)(b.as_ptr(), n, &mut norm) }, FERRULE_STATUS_OK);
            assert!(same(norm, vector::norm(&b).unwrap()), "norm n {n}");
        }
    }

    #[test]
    fn the_last_element_counts_at_every_tail_length() {
        last_element_at_every_tail(&F32);
        last_element_at_every_tail(&F64);
    }

    fn empty_and_impossible_lengths<T: Element>(exports: &Exports<T>) {
        let one = [T::ONE];
        let sentinel = T::from_f64(-7.0);
        for (i, (export, core)) in exports.pairs.iter().enumerate() {
            let mut out = sentinel;
            // SAFETY: NULL with n 0 is the empty vector (the contract); `out` is a local.
            assert_eq!(unsafe { export(null(), null(), 0, &mut out) }, FERRULE_STATUS_OK, "pair {i}");
            assert!(same(out, core(&[], &[]).unwrap()), "pair {i}: {out:?}");
            // Counts whose bytes exceed isize::MAX: refused before the one-element arrays are read
            // (reading that far would fault).
            for n in [usize::MAX, usize::MAX / std::mem::size_of::<T>() + 1, isize::MAX as usize] {
                let mut out = sentinel;
                // SAFETY: the pointers are valid for one element; the call must refuse `n` unread.
                let status = unsafe { export(one.as_ptr(), one.as_ptr(), n, &mut out) };
                assert_eq!(status, FERRULE_STATUS_INVALID_ARGUMENT, "pair {i}, n {n}");
                assert!(same(out, sentinel), "pair {i}: written on failure");
            }
            // SAFETY: NULL with n 1 must be refused by name, before any read.
            assert_eq!(unsafe { export(one.as_ptr(), null(), 1, &mut out) }, FERRULE_STATUS_NULL_POINTER);
            // SAFETY: as above, for the output.
            let status = unsafe { export(one.as_ptr(), one.as_ptr(), 1, null_mut()) };
            assert_eq!(status, FERRULE_STATUS_NULL_POINTER);
        }
        let mut out = sentinel;
        // SAFETY: NULL with n 0 is the empty vector.
        assert_eq!(unsafe { (exports.norm)(null(), 0, &mut out) }, FERRULE_STATUS_OK);
        assert_eq!(out.to_f64(), 0.0);
        let mut out = sentinel;
        // SAFETY: a one-element array; the impossible count is refused unread.
        let status = unsafe { (exports.norm)(one.as_ptr(), usize::MAX, &mut out) };
        assert_eq!(status, FERRULE_STATUS_INVALID_ARGUMENT);
        // SAFETY: as above; the metric is checked before any pointer.
        let status =
            unsafe { (exports.distance)(0, 0, one.as_ptr(), one.as_ptr(), isize::MAX as usize, &mut out) };
        assert_eq!(status, FERRULE_STATUS_INVALID_ARGUMENT);
        assert!(same(out, sentinel));
    }

    #[test]
    fn empty_inputs_work_and_impossible_lengths_are_refused_unread() {
        empty_and_impossible_lengths(&F32);
        empty_and_impossible_lengths(&F64);
    }
}
