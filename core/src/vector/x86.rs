//! AVX2+FMA and AVX-512 kernels (x86-64).
//!
//! Every kernel is an `unsafe fn` with `#[target_feature]`: calling it on a CPU without those
//! features is undefined behaviour. The only callers are the safe wrappers at the bottom, and
//! those are reachable only through the dispatch table (`super::Table`), which holds them only
//! for an [`Isa`](crate::Isa) the CPU reported (see `table_for`). Loads are unaligned (`loadu`);
//! AVX2 tails are finished in scalar code, AVX-512 tails with masked loads, so no kernel reads
//! past the end of a slice.

use std::arch::x86_64::*;

/// Generates one ISA's kernels for one element type. `$w` is the lane count; the intrinsic
/// names differ by ISA and type, the structure does not.
macro_rules! kernels {
    (
        mod $module:ident, $feature:literal, $t:ty, $w:expr, $vec:ty,
        zero: $zero:ident, load: $load:ident, fmadd: $fmadd:ident, sub: $sub:ident,
        add: $add:ident, abs: |$x:ident| $abs:expr, sum: |$v:ident| $sum:expr,
        tail: $tail:tt
    ) => {
        pub(super) mod $module {
            use super::*;

            /// Loads lanes `i..i + W` of `s` (callers keep `i + W <= s.len()`).
            #[inline]
            #[target_feature(enable = $feature)]
            unsafe fn at(s: &[$t], i: usize) -> $vec {
                // SAFETY: the caller keeps `i + W <= s.len()`, so the whole vector is in `s`.
                unsafe { $load(s.as_ptr().add(i)) }
            }

            #[inline]
            #[target_feature(enable = $feature)]
            unsafe fn hsum($v: $vec) -> $t {
                $sum
            }

            #[inline]
            #[target_feature(enable = $feature)]
            unsafe fn abs($x: $vec) -> $vec {
                $abs
            }

            kernels!(@tail $tail, $t, $w, $vec, $zero, $feature);

            /// Sum of a[i] * b[i]; callers pass equal lengths.
            #[target_feature(enable = $feature)]
            pub unsafe fn dot(a: &[$t], b: &[$t]) -> $t {
                let n = a.len().min(b.len());
                let (mut s0, mut s1) = ($zero(), $zero());
                let mut i = 0;
                // SAFETY (every `at`/`tail` below): the loop bounds keep each vector inside
                // `0..n`, and `n` is at most both lengths.
                unsafe {
                    while i + 2 * $w <= n {
                        s0 = $fmadd(at(a, i), at(b, i), s0);
                        s1 = $fmadd(at(a, i + $w), at(b, i + $w), s1);
                        i += 2 * $w;
                    }
                    while i + $w <= n {
                        s0 = $fmadd(at(a, i), at(b, i), s0);
                        i += $w;
                    }
                    let (x, y) = (tail(a, i, n), tail(b, i, n));
                    s1 = $fmadd(x, y, s1);
                    hsum($add(s0, s1)) + rest(a, b, i, n, |x, y| x * y)
                }
            }

            /// Sum of (a[i] - b[i])^2.
            #[target_feature(enable = $feature)]
            pub unsafe fn sqeuclidean(a: &[$t], b: &[$t]) -> $t {
                let n = a.len().min(b.len());
                let (mut s0, mut s1) = ($zero(), $zero());
                let mut i = 0;
                // SAFETY: as in `dot`.
                unsafe {
                    while i + 2 * $w <= n {
                        let d0 = $sub(at(a, i), at(b, i));
                        let d1 = $sub(at(a, i + $w), at(b, i + $w));
                        s0 = $fmadd(d0, d0, s0);
                        s1 = $fmadd(d1, d1, s1);
                        i += 2 * $w;
                    }
                    while i + $w <= n {
                        let d = $sub(at(a, i), at(b, i));
                        s0 = $fmadd(d, d, s0);
                        i += $w;
                    }
                    let d = $sub(tail(a, i, n), tail(b, i, n));
                    s1 = $fmadd(d, d, s1);
                    hsum($add(s0, s1)) + rest(a, b, i, n, |x, y| (x - y) * (x - y))
                }
            }

            /// Sum of |a[i] - b[i]|.
            #[target_feature(enable = $feature)]
            pub unsafe fn manhattan(a: &[$t], b: &[$t]) -> $t {
                let n = a.len().min(b.len());
                let (mut s0, mut s1) = ($zero(), $zero());
                let mut i = 0;
                // SAFETY: as in `dot`.
                unsafe {
                    while i + 2 * $w <= n {
                        s0 = $add(s0, abs($sub(at(a, i), at(b, i))));
                        s1 = $add(s1, abs($sub(at(a, i + $w), at(b, i + $w))));
                        i += 2 * $w;
                    }
                    while i + $w <= n {
                        s0 = $add(s0, abs($sub(at(a, i), at(b, i))));
                        i += $w;
                    }
                    s1 = $add(s1, abs($sub(tail(a, i, n), tail(b, i, n))));
                    hsum($add(s0, s1)) + rest(a, b, i, n, |x, y| (x - y).abs())
                }
            }

            /// (a.b, a.a, b.b) in one pass.
            #[target_feature(enable = $feature)]
            pub unsafe fn dot_norms(a: &[$t], b: &[$t]) -> ($t, $t, $t) {
                let n = a.len().min(b.len());
                let (mut ab, mut aa, mut bb) = ($zero(), $zero(), $zero());
                let mut i = 0;
                // SAFETY: as in `dot`.
                unsafe {
                    while i + $w <= n {
                        let (x, y) = (at(a, i), at(b, i));
                        ab = $fmadd(x, y, ab);
                        aa = $fmadd(x, x, aa);
                        bb = $fmadd(y, y, bb);
                        i += $w;
                    }
                    let (x, y) = (tail(a, i, n), tail(b, i, n));
                    ab = $fmadd(x, y, ab);
                    aa = $fmadd(x, x, aa);
                    bb = $fmadd(y, y, bb);
                    (
                        hsum(ab) + rest(a, b, i, n, |x, y| x * y),
                        hsum(aa) + rest(a, b, i, n, |x, _| x * x),
                        hsum(bb) + rest(a, b, i, n, |_, y| y * y),
                    )
                }
            }
            /// `dot(q, rows[r])` for four rows at once: the query's vectors are loaded once for
            /// all four, and each row's arithmetic is `dot`'s, in the same order (the results
            /// are identical). Callers pass rows of `q.len()` elements.
            #[target_feature(enable = $feature)]
            pub unsafe fn dot4(q: &[$t], rows: [&[$t]; 4]) -> [$t; 4] {
                let n = q.len();
                if rows.iter().any(|row| row.len() < n) {
                    // SAFETY: the CPU has the feature (this function's own contract).
                    return rows.map(|row| unsafe { dot(q, row) });
                }
                let (mut s0, mut s1) = ([$zero(); 4], [$zero(); 4]);
                let mut i = 0;
                // SAFETY (every `at`/`tail` below): the loop bounds keep each vector inside
                // `0..n`, and every row has at least `n` elements (checked above).
                unsafe {
                    while i + 2 * $w <= n {
                        let (q0, q1) = (at(q, i), at(q, i + $w));
                        for r in 0..4 {
                            s0[r] = $fmadd(q0, at(rows[r], i), s0[r]);
                            s1[r] = $fmadd(q1, at(rows[r], i + $w), s1[r]);
                        }
                        i += 2 * $w;
                    }
                    while i + $w <= n {
                        let q0 = at(q, i);
                        for r in 0..4 {
                            s0[r] = $fmadd(q0, at(rows[r], i), s0[r]);
                        }
                        i += $w;
                    }
                    let qt = tail(q, i, n);
                    let mut out = [0.0; 4];
                    for r in 0..4 {
                        s1[r] = $fmadd(qt, tail(rows[r], i, n), s1[r]);
                        out[r] = hsum($add(s0[r], s1[r])) + rest(q, rows[r], i, n, |x, y| x * y);
                    }
                    out
                }
            }

            /// `sqeuclidean(q, rows[r])` for four rows at once (identical results; see `dot4`).
            #[target_feature(enable = $feature)]
            pub unsafe fn sqeuclidean4(q: &[$t], rows: [&[$t]; 4]) -> [$t; 4] {
                let n = q.len();
                if rows.iter().any(|row| row.len() < n) {
                    // SAFETY: the CPU has the feature.
                    return rows.map(|row| unsafe { sqeuclidean(q, row) });
                }
                let (mut s0, mut s1) = ([$zero(); 4], [$zero(); 4]);
                let mut i = 0;
                // SAFETY: as in `dot4`.
                unsafe {
                    while i + 2 * $w <= n {
                        let (q0, q1) = (at(q, i), at(q, i + $w));
                        for r in 0..4 {
                            let d0 = $sub(q0, at(rows[r], i));
                            let d1 = $sub(q1, at(rows[r], i + $w));
                            s0[r] = $fmadd(d0, d0, s0[r]);
                            s1[r] = $fmadd(d1, d1, s1[r]);
                        }
                        i += 2 * $w;
                    }
                    while i + $w <= n {
                        let q0 = at(q, i);
                        for r in 0..4 {
                            let d = $sub(q0, at(rows[r], i));
                            s0[r] = $fmadd(d, d, s0[r]);
                        }
                        i += $w;
                    }
                    let qt = tail(q, i, n);
                    let mut out = [0.0; 4];
                    for r in 0..4 {
                        let d = $sub(qt, tail(rows[r], i, n));
                        s1[r] = $fmadd(d, d, s1[r]);
                        out[r] = hsum($add(s0[r], s1[r])) + rest(q, rows[r], i, n, |x, y| (x - y) * (x - y));
                    }
                    out
                }
            }

            /// `dot_norms(q, rows[r])` without the query's own norm: `(q.row, row.row)` for four
            /// rows at once (identical to `dot_norms`'s first and last results).
            #[target_feature(enable = $feature)]
            pub unsafe fn dot_norms4(q: &[$t], rows: [&[$t]; 4]) -> ([$t; 4], [$t; 4]) {
                let n = q.len();
                if rows.iter().any(|row| row.len() < n) {
                    // SAFETY: the CPU has the feature.
                    let all = rows.map(|row| unsafe { dot_norms(q, row) });
                    return (all.map(|x| x.0), all.map(|x| x.2));
                }
                let (mut ab, mut bb) = ([$zero(); 4], [$zero(); 4]);
                let mut i = 0;
                // SAFETY: as in `dot4`.
                unsafe {
                    while i + $w <= n {
                        let x = at(q, i);
                        for r in 0..4 {
                            let y = at(rows[r], i);
                            ab[r] = $fmadd(x, y, ab[r]);
                            bb[r] = $fmadd(y, y, bb[r]);
                        }
                        i += $w;
                    }
                    let x = tail(q, i, n);
                    let (mut dots, mut norms) = ([0.0; 4], [0.0; 4]);
                    for r in 0..4 {
                        let y = tail(rows[r], i, n);
                        ab[r] = $fmadd(x, y, ab[r]);
                        bb[r] = $fmadd(y, y, bb[r]);
                        dots[r] = hsum(ab[r]) + rest(q, rows[r], i, n, |x, y| x * y);
                        norms[r] = hsum(bb[r]) + rest(q, rows[r], i, n, |_, y| y * y);
                    }
                    (dots, norms)
                }
            }
        }
    };
    // AVX2: no masked loads for the tail: `tail` gives zeros and `rest` adds the leftover
    // elements in scalar code.
    (@tail scalar, $t:ty, $w:expr, $vec:ty, $zero:ident, $feature:literal) => {
        #[inline]
        #[target_feature(enable = $feature)]
        unsafe fn tail(_: &[$t], _: usize, _: usize) -> $vec {
            $zero()
        }

        #[inline]
        fn rest(a: &[$t], b: &[$t], i: usize, n: usize, f: impl Fn($t, $t) -> $t) -> $t {
            let mut total = 0.0;
            for k in i..n {
                total += f(a[k], b[k]);
            }
            total
        }
    };
    // AVX-512: the last `n - i < W` elements come in through a masked load (masked-off lanes
    // read as zero and are never touched in memory), and `rest` has nothing left to add.
    (@tail (masked $maskload:ident $mask:ty), $t:ty, $w:expr, $vec:ty, $zero:ident, $feature:literal) => {
        #[inline]
        #[target_feature(enable = $feature)]
        unsafe fn tail(s: &[$t], i: usize, n: usize) -> $vec {
            let left = n - i;
            if left == 0 {
                return $zero();
            }
            let mask: $mask = ((1u32 << left) - 1) as $mask;
            // SAFETY: only the `left` lanes below `n` are enabled; masked-off lanes are not read
            // (AVX-512 masked loads suppress their faults), and `i < n <= s.len()`.
            unsafe { $maskload(mask, s.as_ptr().add(i)) }
        }

        #[inline]
        fn rest(_: &[$t], _: &[$t], _: usize, _: usize, _: impl Fn($t, $t) -> $t) -> $t {
            0.0
        }
    };
}

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
