//! AVX2+FMA and AVX-512 tile kernels for `cdist` (see `tile.rs` for the scheme).
//!
//! As in `x86.rs`, every kernel is an `unsafe fn` with `#[target_feature]`, reachable only
//! through the dispatch table for an ISA the CPU reported. The safe-shaped entry `run` checks
//! the slice shapes (`tile::shapes_fit`) before any pointer is read, so the unchecked loads in
//! `tile` stay inside the slices.

use super::tile::{Raw, shapes_fit};
use std::arch::x86_64::*;

tiles! {
    mod avx2_f32, "avx2,fma", f32, 8, __m256, height: 4,
    zero: _mm256_setzero_ps, load: _mm256_loadu_ps, set1: _mm256_set1_ps, fmadd: _mm256_fmadd_ps,
    sub: _mm256_sub_ps, add: _mm256_add_ps, store: _mm256_storeu_ps,
    abs: |x| _mm256_andnot_ps(_mm256_set1_ps(-0.0), x)
}

tiles! {
    mod avx2_f64, "avx2,fma", f64, 4, __m256d, height: 4,
    zero: _mm256_setzero_pd, load: _mm256_loadu_pd, set1: _mm256_set1_pd, fmadd: _mm256_fmadd_pd,
    sub: _mm256_sub_pd, add: _mm256_add_pd, store: _mm256_storeu_pd,
    abs: |x| _mm256_andnot_pd(_mm256_set1_pd(-0.0), x)
}

tiles! {
    mod avx512_f32, "avx512f", f32, 16, __m512, height: 8,
    zero: _mm512_setzero_ps, load: _mm512_loadu_ps, set1: _mm512_set1_ps, fmadd: _mm512_fmadd_ps,
    sub: _mm512_sub_ps, add: _mm512_add_ps, store: _mm512_storeu_ps, abs: |x| _mm512_abs_ps(x)
}

tiles! {
    mod avx512_f64, "avx512f", f64, 8, __m512d, height: 8,
    zero: _mm512_setzero_pd, load: _mm512_loadu_pd, set1: _mm512_set1_pd, fmadd: _mm512_fmadd_pd,
    sub: _mm512_sub_pd, add: _mm512_add_pd, store: _mm512_storeu_pd, abs: |x| _mm512_abs_pd(x)
}
