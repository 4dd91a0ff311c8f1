//! AVX2+FMA and AVX-512 tile kernels for `cdist` (see `tile.rs` for the scheme).
//!
//! As in `x86.rs`, every kernel is an `unsafe fn` with `#[target_feature]`, reachable only
//! through the dispatch table for an ISA the CPU reported. The safe-shaped entry `run` checks
//! the slice shapes (`tile::shapes_fit`) before any pointer is read, so the unchecked loads in
//! `tile` stay inside the slices.

use super::tile::{Raw, shapes_fit};
use std::arch::x86_64::*;

macro_rules! tiles {
    (
        mod $module:ident, $feature:literal, $t:ty, $lanes:expr, $vec:ty, height: $height:expr,
        zero: $zero:ident, load: $load:ident, set1: $set1:ident, fmadd: $fmadd:ident,
        sub: $sub:ident, add: $add:ident, store: $store:ident, abs: |$x:ident| $abs:expr
    ) => {
        pub(super) mod $module {
            use super::*;

            pub const WIDTH: usize = 2 * $lanes;
            pub const HEIGHT: usize = $height;

            #[inline]
            #[target_feature(enable = $feature)]
            fn abs($x: $vec) -> $vec {
                $abs
            }

            /// `M` rows of A against one panel; `OP` selects the accumulation (0 dot, 1
            /// squared Euclidean, 2 Manhattan).
            ///
            /// # Safety
            /// The CPU has `$feature`; each `rows[r]` is valid for `dim` reads, `panel` for
            /// `dim * WIDTH`, `out` for `M * WIDTH` writes.
            #[inline]
            #[target_feature(enable = $feature)]
            unsafe fn tile<const M: usize, const OP: u8>(
                rows: [*const $t; M],
                panel: *const $t,
                dim: usize,
                out: *mut $t,
            ) {
                let mut acc = [[$zero(); 2]; M];
                for d in 0..dim {
                    // SAFETY: d < dim, so the loads stay in `panel` (dim * WIDTH elements) and
                    // `rows[r]` (dim elements): the function's contract.
                    let (b0, b1) =
                        unsafe { ($load(panel.add(d * WIDTH)), $load(panel.add(d * WIDTH + $lanes))) };
                    for r in 0..M {
                        // SAFETY: as above.
                        let a = $set1(unsafe { *rows[r].add(d) });
                        match OP {
                            0 => {
                                acc[r][0] = $fmadd(a, b0, acc[r][0]);
                                acc[r][1] = $fmadd(a, b1, acc[r][1]);
                            }
                            1 => {
                                let (d0, d1) = ($sub(a, b0), $sub(a, b1));
                                acc[r][0] = $fmadd(d0, d0, acc[r][0]);
                                acc[r][1] = $fmadd(d1, d1, acc[r][1]);
                            }
                            _ => {
                                acc[r][0] = $add(acc[r][0], abs($sub(a, b0)));
                                acc[r][1] = $add(acc[r][1], abs($sub(a, b1)));
                            }
                        }
                    }
                }
                for (r, pair) in acc.iter().enumerate() {
                    // SAFETY: `out` holds M * WIDTH elements (the contract).
                    unsafe {
                        $store(out.add(r * WIDTH), pair[0]);
                        $store(out.add(r * WIDTH + $lanes), pair[1]);
                    }
                }
            }

            /// # Safety
            /// As `tile`.
            #[target_feature(enable = $feature)]
            unsafe fn dispatch<const M: usize>(raw: Raw, rows: &[&[$t]], panel: &[$t], out: &mut [$t]) {
                let pointers: [*const $t; M] = std::array::from_fn(|r| rows[r].as_ptr());
                let dim = panel.len() / WIDTH;
                // SAFETY: passed through from `run`, which checked the shapes.
                unsafe {
                    match raw {
                        Raw::Dot => tile::<M, 0>(pointers, panel.as_ptr(), dim, out.as_mut_ptr()),
                        Raw::SqEuclidean => tile::<M, 1>(pointers, panel.as_ptr(), dim, out.as_mut_ptr()),
                        Raw::Manhattan => tile::<M, 2>(pointers, panel.as_ptr(), dim, out.as_mut_ptr()),
                    }
                }
            }

            /// # Safety
            /// The CPU has `$feature` (the only requirement: shapes are checked here).
            #[target_feature(enable = $feature)]
            pub unsafe fn run(raw: Raw, rows: &[&[$t]], panel: &[$t], out: &mut [$t]) -> bool {
                if !shapes_fit(WIDTH, HEIGHT, rows, panel, out) {
                    return false;
                }
                // SAFETY: the shapes fit (checked above): every row has `dim` elements, the
                // panel `dim * WIDTH`, out `rows.len() * WIDTH`; the CPU has the feature.
                unsafe {
                    match rows.len() {
                        1 => dispatch::<1>(raw, rows, panel, out),
                        2 => dispatch::<2>(raw, rows, panel, out),
                        3 => dispatch::<3>(raw, rows, panel, out),
                        4 => dispatch::<4>(raw, rows, panel, out),
                        5 => dispatch::<5>(raw, rows, panel, out),
                        _ => dispatch::<{ $height }>(raw, rows, panel, out),
                    }
                }
                true
            }
        }
    };
}

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
    mod avx512_f32, "avx512f", f32, 16, __m512, height: 6,
    zero: _mm512_setzero_ps, load: _mm512_loadu_ps, set1: _mm512_set1_ps, fmadd: _mm512_fmadd_ps,
    sub: _mm512_sub_ps, add: _mm512_add_ps, store: _mm512_storeu_ps, abs: |x| _mm512_abs_ps(x)
}

tiles! {
    mod avx512_f64, "avx512f", f64, 8, __m512d, height: 6,
    zero: _mm512_setzero_pd, load: _mm512_loadu_pd, set1: _mm512_set1_pd, fmadd: _mm512_fmadd_pd,
    sub: _mm512_sub_pd, add: _mm512_add_pd, store: _mm512_storeu_pd, abs: |x| _mm512_abs_pd(x)
}
