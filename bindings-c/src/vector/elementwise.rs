//! Element-wise operations into a caller's array (`ferrule_vec_{scale,add,subtract,multiply,
//! axpy,fma,normalize}_{f32,f64}`).
//!
//! Every input and `out` hold `n` elements. `out` may be exactly one (or several) of the inputs,
//! which computes in place; any other overlap is `FERRULE_STATUS_INVALID_ARGUMENT`.
//!
//! In place, Rust must never hold a `&[T]` of an input while writing the same memory through
//! `out`, nor take a `&mut [T]` of the caller's output at all (it may be uninitialized). So the
//! work goes in chunks of [`CHUNK`] elements: core computes a chunk from short-lived views of the
//! inputs into a buffer on the stack, the views end, and the buffer is copied to `out`. No
//! allocation; the copy stays in L1.

use super::disjoint;
use crate::boundary::{Failure, guard, in_slice, out_slice};
use crate::status::ferrule_status;
use ferrule_core::Result;
use ferrule_core::vector::{self, Element};

/// Elements per chunk: 4 KiB of `f64` on the stack.
const CHUNK: usize = 512;

/// The body of every element-wise export: `out[i..] = op(inputs[..][i..])` chunk by chunk.
///
/// Checks every pointer (NULL only when `n` is 0, aligned, a size that fits) and that `out` is
/// either exactly an input or disjoint from it, before anything is written.
///
/// # Safety
/// Each input pointer must be NULL (only when `n` is 0) or valid for reads of `n` elements, and
/// `out` NULL or valid for writes of `n` elements; no other thread may write any of them during
/// the call.
unsafe fn elementwise<T: Element, const K: usize>(
    inputs: [(*const T, &'static str); K],
    n: usize,
    out: *mut T,
    op: impl Fn([&[T]; K], &mut [T]) -> Result<()>,
) -> Result<(), Failure> {
    for (ptr, name) in inputs {
        // Only the checks: the view is dropped at once (out may be this very memory).
        // SAFETY: valid for reads of n elements (caller contract).
        unsafe { in_slice(ptr, n, name) }?;
    }
    // SAFETY: out is NULL or valid for writes of n elements (caller contract).
    unsafe { out_slice(out, n, "out") }?;
    for (ptr, name) in inputs {
        if ptr != out.cast_const() {
            disjoint(out, n, "out", ptr, n, name)?;
        }
    }
    let mut buf = [T::ZERO; CHUNK];
    let mut start = 0;
    while start < n {
        let len = CHUNK.min(n - start);
        let buf = &mut buf[..len];
        {
            let mut views: [&[T]; K] = [&[]; K];
            for (view, (ptr, name)) in views.iter_mut().zip(inputs) {
                // SAFETY: `ptr` is valid for reads of n elements and start + len <= n, so the
                // offset stays inside it. The view lives only in this block, before the chunk
                // is written to `out`; nobody writes the chunk meanwhile (caller contract).
                *view = unsafe { in_slice(ptr.add(start), len, name) }?;
            }
            op(views, buf)?;
        }
        // SAFETY: `out` is valid for writes of n elements and start + len <= n; no view of the
        // inputs is alive any more, so writing memory an input shares (in place) is sound.
        let chunk = unsafe { out_slice(out.add(start), len, "out") }?;
        // The source is our stack buffer, distinct from the caller's memory.
        chunk.write_prefix(buf)?;
        start += len;
    }
    Ok(())
}

/// The body of `ferrule_vec_normalize_*`: `out = x / norm(x)`, a zero vector staying zero, as
/// core's `vector::normalize` (which cannot run in place; the ferrule-c tests compare the two).
///
/// # Safety
/// As [`elementwise`] with the one input `x`.
unsafe fn normalize<T: Element>(x: *const T, n: usize, out: *mut T) -> Result<(), Failure> {
    let length = {
        // SAFETY: valid for reads of n elements (caller contract); the view ends in this block,
        // before anything is written.
        let x = unsafe { in_slice(x, n, "x") }?;
        vector::norm(x)?
    };
    // SAFETY: the caller contract above is `elementwise`'s.
    unsafe {
        elementwise([(x, "x")], n, out, |[x], out| {
            for (o, &v) in out.iter_mut().zip(x) {
                *o = if length == T::ZERO { T::ZERO } else { v / length };
            }
            Ok(())
        })
    }
}

/// `out[i] = alpha * x[i]` for the `n` elements. `out` may be `x` (in place); any other overlap
/// fails with `FERRULE_STATUS_INVALID_ARGUMENT`. NULL pointers are allowed only when `n` is 0.
/// Nothing is written on failure. Allocates nothing; thread-safe.
///
/// # Safety
/// `x`: valid for reads of `n` elements, `out` for writes of `n` (either may be NULL when `n` is
/// 0); no other thread writes them during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_scale_f32(
    x: *const f32,
    n: usize,
    alpha: f32,
    out: *mut f32,
) -> ferrule_status {
    // SAFETY: the caller contract above is `elementwise`'s.
    guard(|| unsafe { elementwise([(x, "x")], n, out, |[x], out| vector::scale(x, alpha, out)) })
}

/// `double` twin of `ferrule_vec_scale_f32`.
///
/// # Safety
/// As `ferrule_vec_scale_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_scale_f64(
    x: *const f64,
    n: usize,
    alpha: f64,
    out: *mut f64,
) -> ferrule_status {
    // SAFETY: the caller contract above is `elementwise`'s.
    guard(|| unsafe { elementwise([(x, "x")], n, out, |[x], out| vector::scale(x, alpha, out)) })
}

/// `out[i] = a[i] + b[i]` for the `n` elements. `out` may be `a` or `b` (in place, e.g.
/// `ferrule_vec_add_f32(a, b, n, a)`); any other overlap fails with
/// `FERRULE_STATUS_INVALID_ARGUMENT`. NULL pointers are allowed only when `n` is 0. Nothing is
/// written on failure. Allocates nothing; thread-safe.
///
/// # Safety
/// `a`, `b`: valid for reads of `n` elements, `out` for writes of `n` (any may be NULL when `n`
/// is 0); no other thread writes them during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_add_f32(
    a: *const f32,
    b: *const f32,
    n: usize,
    out: *mut f32,
) -> ferrule_status {
    // SAFETY: the caller contract above is `elementwise`'s.
    guard(|| unsafe { elementwise([(a, "a"), (b, "b")], n, out, |[a, b], out| vector::add(a, b, out)) })
}

/// `double` twin of `ferrule_vec_add_f32`.
///
/// # Safety
/// As `ferrule_vec_add_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_add_f64(
    a: *const f64,
    b: *const f64,
    n: usize,
    out: *mut f64,
) -> ferrule_status {
    // SAFETY: the caller contract above is `elementwise`'s.
    guard(|| unsafe { elementwise([(a, "a"), (b, "b")], n, out, |[a, b], out| vector::add(a, b, out)) })
}

/// `out[i] = a[i] - b[i]`; the rules of `ferrule_vec_add_f32`.
///
/// # Safety
/// As `ferrule_vec_add_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_subtract_f32(
    a: *const f32,
    b: *const f32,
    n: usize,
    out: *mut f32,
) -> ferrule_status {
    // SAFETY: the caller contract above is `elementwise`'s.
    guard(|| unsafe { elementwise([(a, "a"), (b, "b")], n, out, |[a, b], out| vector::subtract(a, b, out)) })
}

/// `double` twin of `ferrule_vec_subtract_f32`.
///
/// # Safety
/// As `ferrule_vec_add_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_subtract_f64(
    a: *const f64,
    b: *const f64,
    n: usize,
    out: *mut f64,
) -> ferrule_status {
    // SAFETY: the caller contract above is `elementwise`'s.
    guard(|| unsafe { elementwise([(a, "a"), (b, "b")], n, out, |[a, b], out| vector::subtract(a, b, out)) })
}

/// `out[i] = a[i] * b[i]`; the rules of `ferrule_vec_add_f32`.
///
/// # Safety
/// As `ferrule_vec_add_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_multiply_f32(
    a: *const f32,
    b: *const f32,
    n: usize,
    out: *mut f32,
) -> ferrule_status {
    // SAFETY: the caller contract above is `elementwise`'s.
    guard(|| unsafe { elementwise([(a, "a"), (b, "b")], n, out, |[a, b], out| vector::multiply(a, b, out)) })
}

/// `double` twin of `ferrule_vec_multiply_f32`.
///
/// # Safety
/// As `ferrule_vec_add_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_multiply_f64(
    a: *const f64,
    b: *const f64,
    n: usize,
    out: *mut f64,
) -> ferrule_status {
    // SAFETY: the caller contract above is `elementwise`'s.
    guard(|| unsafe { elementwise([(a, "a"), (b, "b")], n, out, |[a, b], out| vector::multiply(a, b, out)) })
}

/// `out[i] = alpha * x[i] + y[i]` (BLAS axpy, into `out`; pass `out = y` for BLAS's in-place
/// form). `out` may be `x` or `y`; any other overlap fails with
/// `FERRULE_STATUS_INVALID_ARGUMENT`. NULL pointers are allowed only when `n` is 0. Nothing is
/// written on failure. Allocates nothing; thread-safe.
///
/// # Safety
/// `x`, `y`: valid for reads of `n` elements, `out` for writes of `n` (any may be NULL when `n`
/// is 0); no other thread writes them during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_axpy_f32(
    alpha: f32,
    x: *const f32,
    y: *const f32,
    n: usize,
    out: *mut f32,
) -> ferrule_status {
    // SAFETY: the caller contract above is `elementwise`'s.
    guard(|| unsafe {
        elementwise([(x, "x"), (y, "y")], n, out, |[x, y], out| vector::axpy(alpha, x, y, out))
    })
}

/// `double` twin of `ferrule_vec_axpy_f32`.
///
/// # Safety
/// As `ferrule_vec_axpy_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_axpy_f64(
    alpha: f64,
    x: *const f64,
    y: *const f64,
    n: usize,
    out: *mut f64,
) -> ferrule_status {
    // SAFETY: the caller contract above is `elementwise`'s.
    guard(|| unsafe {
        elementwise([(x, "x"), (y, "y")], n, out, |[x, y], out| vector::axpy(alpha, x, y, out))
    })
}

/// `out[i] = a[i] * b[i] + c[i]`: a multiply, then an add (two roundings, the same result on
/// every CPU; not C's single-rounding `fmaf`). `out` may be `a`, `b` or `c`; any other overlap
/// fails with `FERRULE_STATUS_INVALID_ARGUMENT`. NULL pointers are allowed only when `n` is 0.
/// Nothing is written on failure. Allocates nothing; thread-safe.
///
/// # Safety
/// `a`, `b`, `c`: valid for reads of `n` elements, `out` for writes of `n` (any may be NULL when
/// `n` is 0); no other thread writes them during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_fma_f32(
    a: *const f32,
    b: *const f32,
    c: *const f32,
    n: usize,
    out: *mut f32,
) -> ferrule_status {
    // SAFETY: the caller contract above is `elementwise`'s.
    guard(|| unsafe {
        elementwise([(a, "a"), (b, "b"), (c, "c")], n, out, |[a, b, c], out| vector::fma(a, b, c, out))
    })
}

/// `double` twin of `ferrule_vec_fma_f32` (not C's single-rounding `fma`).
///
/// # Safety
/// As `ferrule_vec_fma_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_fma_f64(
    a: *const f64,
    b: *const f64,
    c: *const f64,
    n: usize,
    out: *mut f64,
) -> ferrule_status {
    // SAFETY: the caller contract above is `elementwise`'s.
    guard(|| unsafe {
        elementwise([(a, "a"), (b, "b"), (c, "c")], n, out, |[a, b, c], out| vector::fma(a, b, c, out))
    })
}

/// `out[i] = x[i] / norm(x)` (the norm of `ferrule_vec_norm_f32`), so `out` has length 1; a zero
/// vector stays zero (rather than becoming NaN), and NaN in `x` gives NaN everywhere. `out` may be
/// `x` (in place); any other overlap fails with `FERRULE_STATUS_INVALID_ARGUMENT`. NULL pointers
/// are allowed only when `n` is 0. Nothing is written on failure. Allocates nothing;
/// thread-safe.
///
/// # Safety
/// As `ferrule_vec_scale_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_normalize_f32(x: *const f32, n: usize, out: *mut f32) -> ferrule_status {
    // SAFETY: the caller contract above is `normalize`'s.
    guard(|| unsafe { normalize(x, n, out) })
}

/// `double` twin of `ferrule_vec_normalize_f32`.
///
/// # Safety
/// As `ferrule_vec_scale_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_normalize_f64(x: *const f64, n: usize, out: *mut f64) -> ferrule_status {
    // SAFETY: the caller contract above is `normalize`'s.
    guard(|| unsafe { normalize(x, n, out) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::ferrule_status::*;
    use std::ptr::{null, null_mut};

    fn data(n: usize, seed: f64) -> Vec<f64> {
        (0..n).map(|i| ((i as f64 + seed) * 0.77).sin() * 3.0).collect()
    }

    /// In place and out of place give core's own results, bit for bit, across chunk borders.
    #[test]
    fn every_operation_matches_core_in_and_out_of_place() {
        for n in [0, 1, 7, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 3] {
            let (a, b, c) = (data(n, 0.0), data(n, 1.0), data(n, 2.0));
            let mut want = vec![0.0; n];
            let mut got = vec![0.0; n];
            type Run = unsafe fn(*const f64, *const f64, *const f64, usize, *mut f64) -> ferrule_status;
            type Core = fn(&[f64], &[f64], &[f64], &mut [f64]);
            let ops: [(Run, Core); 7] = [
                (
                    // SAFETY: test data: live vectors of `n` elements.
                    |a, _, _, n, out| unsafe { ferrule_vec_scale_f64(a, n, 1.5, out) },
                    |a, _, _, out| vector::scale(a, 1.5, out).unwrap(),
                ),
                (
                    // SAFETY: test data: live vectors of `n` elements.
                    |a, b, _, n, out| unsafe { ferrule_vec_add_f64(a, b, n, out) },
                    |a, b, _, out| vector::add(a, b, out).unwrap(),
                ),
                (
                    // SAFETY: test data: live vectors of `n` elements.
                    |a, b, _, n, out| unsafe { ferrule_vec_subtract_f64(a, b, n, out) },
                    |a, b, _, out| vector::subtract(a, b, out).unwrap(),
                ),
                (
                    // SAFETY: test data: live vectors of `n` elements.
                    |a, b, _, n, out| unsafe { ferrule_vec_multiply_f64(a, b, n, out) },
                    |a, b, _, out| vector::multiply(a, b, out).unwrap(),
                ),
                (
                    // SAFETY: test data: live vectors of `n` elements.
                    |a, b, _, n, out| unsafe { ferrule_vec_axpy_f64(-0.5, a, b, n, out) },
                    |a, b, _, out| vector::axpy(-0.5, a, b, out).unwrap(),
                ),
                (
                    // SAFETY: test data: live vectors of `n` elements.
                    |a, b, c, n, out| unsafe { ferrule_vec_fma_f64(a, b, c, n, out) },
                    |a, b, c, out| vector::fma(a, b, c, out).unwrap(),
                ),
                (
                    // SAFETY: test data: live vectors of `n` elements.
                    |a, _, _, n, out| unsafe { ferrule_vec_normalize_f64(a, n, out) },
                    |a, _, _, out| vector::normalize(a, out).unwrap(),
                ),
            ];
            for (op, (run, core)) in ops.into_iter().enumerate() {
                core(&a, &b, &c, &mut want);
                // SAFETY: test data: live vectors of `n` elements.
                let status = unsafe { run(a.as_ptr(), b.as_ptr(), c.as_ptr(), n, got.as_mut_ptr()) };
                assert_eq!(status, ferrule_status::FERRULE_STATUS_OK);
                assert_eq!(got, want, "op {op}, n {n}");
                // In place into the first input: only raw pointers to it while the call runs.
                let mut inplace = a.clone();
                let ptr = inplace.as_mut_ptr();
                // SAFETY: test data: live vectors of `n` elements.
                let status = unsafe { run(ptr, b.as_ptr(), c.as_ptr(), n, ptr) };
                assert_eq!(status, ferrule_status::FERRULE_STATUS_OK);
                assert_eq!(inplace, want, "op {op}, n {n}, in place");
            }
        }
        // The zero vector and NaN under normalize.
        let mut out = [7.0f32; 3];
        assert_eq!(
            // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
            unsafe { ferrule_vec_normalize_f32([0.0f32; 3].as_ptr(), 3, out.as_mut_ptr()) },
            ferrule_status::FERRULE_STATUS_OK
        );
        assert_eq!(out, [0.0; 3]);
        let mut want = [0.0f32; 3];
        vector::normalize(&[1.0, f32::NAN, 2.0], &mut want).unwrap();
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        unsafe { ferrule_vec_normalize_f32([1.0, f32::NAN, 2.0].as_ptr(), 3, out.as_mut_ptr()) };
        assert!(out.iter().zip(want).all(|(g, w)| g.is_nan() && w.is_nan()));
    }

    #[test]
    fn partial_overlap_is_refused_before_anything_is_written() {
        let mut buf = [1.0f32, 2.0, 3.0, 4.0, 5.0];
        let p = buf.as_mut_ptr();
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status = unsafe { ferrule_vec_add_f32(p, p.add(2), 3, p.add(1)) };
        assert_eq!(status, ferrule_status::FERRULE_STATUS_INVALID_ARGUMENT);
        assert_eq!(buf, [1.0, 2.0, 3.0, 4.0, 5.0]);
        // Exact aliasing of every input at once is fine: 2 * x.
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status = unsafe { ferrule_vec_add_f32(p, p, 5, p) };
        assert_eq!(status, ferrule_status::FERRULE_STATUS_OK);
        assert_eq!(buf, [2.0, 4.0, 6.0, 8.0, 10.0]);
    }

    /// The other edges of `elementwise`'s blocks: NULL everywhere with `n` 0 (nothing to read or
    /// write), and lengths no memory can hold, refused for inputs and output before any access.
    #[test]
    fn empty_and_impossible_lengths_touch_nothing() {
        // SAFETY: NULL with n 0 is the empty vector (the contract).
        assert_eq!(unsafe { ferrule_vec_fma_f64(null(), null(), null(), 0, null_mut()) }, FERRULE_STATUS_OK);
        // SAFETY: as above.
        assert_eq!(unsafe { ferrule_vec_normalize_f32(null(), 0, null_mut()) }, FERRULE_STATUS_OK);
        let x = [1.0f64, 2.0];
        let mut out = [7.0f64; 2];
        for n in [usize::MAX, isize::MAX as usize, usize::MAX / 8 + 1] {
            // SAFETY: valid for two elements each; the call must refuse `n` before any access.
            let status = unsafe { ferrule_vec_add_f64(x.as_ptr(), x.as_ptr(), n, out.as_mut_ptr()) };
            assert_eq!(status, FERRULE_STATUS_INVALID_ARGUMENT, "n {n}");
            // SAFETY: as above, in place.
            let status = unsafe { ferrule_vec_scale_f64(out.as_ptr(), n, 2.0, out.as_mut_ptr()) };
            assert_eq!(status, FERRULE_STATUS_INVALID_ARGUMENT, "n {n}");
        }
        assert_eq!(out, [7.0; 2]);
        // The last element of a chunk and of the vector: exactly CHUNK + 1 elements, so the last
        // chunk is one element long and ends at the end of the allocation.
        let n = CHUNK + 1;
        let a: Vec<f32> = (0..n).map(|i| i as f32).collect();
        let mut got = vec![0.0f32; n];
        // SAFETY: `a` and `got` hold exactly `n` elements.
        let status = unsafe { ferrule_vec_scale_f32(a.as_ptr(), n, 2.0, got.as_mut_ptr()) };
        assert_eq!(
            (status, got[CHUNK - 1], got[CHUNK]),
            (FERRULE_STATUS_OK, 2.0 * (CHUNK - 1) as f32, 2.0 * CHUNK as f32)
        );
    }
}
