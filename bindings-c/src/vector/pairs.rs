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
        // SAFETY (these three): the caller contract above.
        let a = unsafe { in_slice(a, n, "a") }?;
        let b = unsafe { in_slice(b, n, "b") }?;
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
        // SAFETY (both): the caller contract of `pair`.
        let a = unsafe { in_slice(a, n, "a") }?;
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
        // SAFETY (these three): the caller contract of `pair`.
        let a = unsafe { in_slice(a, n, "a") }?;
        let b = unsafe { in_slice(b, n, "b") }?;
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
