//! NEON kernels (aarch64): the 1:1 and four-row distance kernels and the `cdist` tile, from the
//! same generators as the x86 ones (`simd_macros.rs`), on 128-bit registers (4 `f32`, 2 `f64`).
//!
//! NEON is part of the aarch64 baseline, but the kernels still carry
//! `#[target_feature(enable = "neon")]` and are reached only through the dispatch table for
//! `Isa::Neon`, which `capabilities` reports only when the CPU says so. Loads are unaligned
//! (`vld1q`); tails are finished in scalar code, so no kernel reads past the end of a slice.

use super::tile::{Raw, shapes_fit};
use std::arch::aarch64::*;

#[inline]
#[target_feature(enable = "neon")]
fn zero_f32() -> float32x4_t {
    vdupq_n_f32(0.0)
}

#[inline]
#[target_feature(enable = "neon")]
fn zero_f64() -> float64x2_t {
    vdupq_n_f64(0.0)
}

/// `acc + a * b`, one rounding (NEON's `vfmaq` takes the accumulator first).
#[inline]
#[target_feature(enable = "neon")]
fn fmadd_f32(a: float32x4_t, b: float32x4_t, acc: float32x4_t) -> float32x4_t {
    vfmaq_f32(acc, a, b)
}

#[inline]
#[target_feature(enable = "neon")]
fn fmadd_f64(a: float64x2_t, b: float64x2_t, acc: float64x2_t) -> float64x2_t {
    vfmaq_f64(acc, a, b)
}

kernels! {
    mod neon_f32, "neon", f32, 4, float32x4_t,
    zero: zero_f32, load: vld1q_f32, fmadd: fmadd_f32, sub: vsubq_f32,
    add: vaddq_f32, abs: |x| vabsq_f32(x),
    sum: |v| vaddvq_f32(v),
    tail: scalar
}

kernels! {
    mod neon_f64, "neon", f64, 2, float64x2_t,
    zero: zero_f64, load: vld1q_f64, fmadd: fmadd_f64, sub: vsubq_f64,
    add: vaddq_f64, abs: |x| vabsq_f64(x),
    sum: |v| vaddvq_f64(v),
    tail: scalar
}

/// The tiles live in their own module so their names do not collide with the kernels'.
pub(super) mod tiles {
    use super::*;

    tiles! {
        mod neon_f32, "neon", f32, 4, float32x4_t, height: 6,
        zero: zero_f32, load: vld1q_f32, set1: vdupq_n_f32, fmadd: fmadd_f32,
        sub: vsubq_f32, add: vaddq_f32, store: vst1q_f32, abs: |x| vabsq_f32(x)
    }

    tiles! {
        mod neon_f64, "neon", f64, 2, float64x2_t, height: 6,
        zero: zero_f64, load: vld1q_f64, set1: vdupq_n_f64, fmadd: fmadd_f64,
        sub: vsubq_f64, add: vaddq_f64, store: vst1q_f64, abs: |x| vabsq_f64(x)
    }
}
