//! AVX2+FMA and AVX-512 kernels (x86-64).
//!
//! Every kernel is an `unsafe fn` with `#[target_feature]`: calling it on a CPU without those
//! features is undefined behaviour. The only callers are the safe wrappers at the bottom, and
//! those are reachable only through the dispatch table (`super::Table`), which holds them only
//! for an [`Isa`](crate::Isa) the CPU reported (see `table_for`). Loads are unaligned (`loadu`);
//! AVX2 tails are finished in scalar code, AVX-512 tails with masked loads, so no kernel reads
//! past the end of a slice.

use std::arch::x86_64::*;

kernels! {
    mod avx2_f32, "avx2,fma", f32, 8, __m256,
    zero: _mm256_setzero_ps, load: _mm256_loadu_ps, fmadd: _mm256_fmadd_ps, sub: _mm256_sub_ps,
    add: _mm256_add_ps, abs: |x| _mm256_andnot_ps(_mm256_set1_ps(-0.0), x),
    sum: |v| {
        let quad = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
        let pair = _mm_add_ps(quad, _mm_movehl_ps(quad, quad));
        _mm_cvtss_f32(_mm_add_ss(pair, _mm_shuffle_ps::<0b01>(pair, pair)))
    },
    tail: scalar
}

kernels! {
    mod avx2_f64, "avx2,fma", f64, 4, __m256d,
    zero: _mm256_setzero_pd, load: _mm256_loadu_pd, fmadd: _mm256_fmadd_pd, sub: _mm256_sub_pd,
    add: _mm256_add_pd, abs: |x| _mm256_andnot_pd(_mm256_set1_pd(-0.0), x),
    sum: |v| {
        let pair = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd::<1>(v));
        _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)))
    },
    tail: scalar
}

kernels! {
    mod avx512_f32, "avx512f", f32, 16, __m512,
    zero: _mm512_setzero_ps, load: _mm512_loadu_ps, fmadd: _mm512_fmadd_ps, sub: _mm512_sub_ps,
    add: _mm512_add_ps, abs: |x| _mm512_abs_ps(x),
    sum: |v| _mm512_reduce_add_ps(v),
    tail: (masked _mm512_maskz_loadu_ps __mmask16)
}

kernels! {
    mod avx512_f64, "avx512f", f64, 8, __m512d,
    zero: _mm512_setzero_pd, load: _mm512_loadu_pd, fmadd: _mm512_fmadd_pd, sub: _mm512_sub_pd,
    add: _mm512_add_pd, abs: |x| _mm512_abs_pd(x),
    sum: |v| _mm512_reduce_add_pd(v),
    tail: (masked _mm512_maskz_loadu_pd __mmask8)
}
