//! Portable kernels: the reference every SIMD kernel is tested against, and what runs when the
//! CPU has no supported SIMD level (or `FERRULE_MAX_ISA=scalar`).
//!
//! Four independent accumulators, like the SIMD kernels' lanes: the sums are rounded in a
//! similar order (so "fast" results agree closely across levels) and the loop is not one long
//! dependency chain. Plain multiply-then-add: without the FMA target feature, `mul_add` would be
//! a libm call per element.

use super::Element;

pub(super) fn dot<T: Element>(a: &[T], b: &[T]) -> T {
    let mut acc = [T::ZERO; 4];
    let mut chunks_a = a.chunks_exact(4);
    let mut chunks_b = b.chunks_exact(4);
    for (x, y) in (&mut chunks_a).zip(&mut chunks_b) {
        for k in 0..4 {
            acc[k] = acc[k] + x[k] * y[k];
        }
    }
    let mut total = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (&x, &y) in chunks_a.remainder().iter().zip(chunks_b.remainder()) {
        total = total + x * y;
    }
    total
}

pub(super) fn sqeuclidean<T: Element>(a: &[T], b: &[T]) -> T {
    let mut acc = [T::ZERO; 4];
    let mut chunks_a = a.chunks_exact(4);
    let mut chunks_b = b.chunks_exact(4);
    for (x, y) in (&mut chunks_a).zip(&mut chunks_b) {
        for k in 0..4 {
            let d = x[k] - y[k];
            acc[k] = acc[k] + d * d;
        }
    }
    let mut total = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (&x, &y) in chunks_a.remainder().iter().zip(chunks_b.remainder()) {
        let d = x - y;
        total = total + d * d;
    }
    total
}

pub(super) fn manhattan<T: Element>(a: &[T], b: &[T]) -> T {
    let mut acc = [T::ZERO; 4];
    let mut chunks_a = a.chunks_exact(4);
    let mut chunks_b = b.chunks_exact(4);
    for (x, y) in (&mut chunks_a).zip(&mut chunks_b) {
        for k in 0..4 {
            acc[k] = acc[k] + (x[k] - y[k]).abs();
        }
    }
    let mut total = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (&x, &y) in chunks_a.remainder().iter().zip(chunks_b.remainder()) {
        total = total + (x - y).abs();
    }
    total
}

/// (a.b, a.a, b.b) in one pass: what cosine needs.
pub(super) fn dot_norms<T: Element>(a: &[T], b: &[T]) -> (T, T, T) {
    let (mut ab, mut aa, mut bb) = ([T::ZERO; 4], [T::ZERO; 4], [T::ZERO; 4]);
    let mut chunks_a = a.chunks_exact(4);
    let mut chunks_b = b.chunks_exact(4);
    for (x, y) in (&mut chunks_a).zip(&mut chunks_b) {
        for k in 0..4 {
            ab[k] = ab[k] + x[k] * y[k];
            aa[k] = aa[k] + x[k] * x[k];
            bb[k] = bb[k] + y[k] * y[k];
        }
    }
    let sum = |v: [T; 4]| (v[0] + v[1]) + (v[2] + v[3]);
    let (mut ab, mut aa, mut bb) = (sum(ab), sum(aa), sum(bb));
    for (&x, &y) in chunks_a.remainder().iter().zip(chunks_b.remainder()) {
        ab = ab + x * y;
        aa = aa + x * x;
        bb = bb + y * y;
    }
    (ab, aa, bb)
}
