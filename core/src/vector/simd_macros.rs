//! The kernel generators shared by every SIMD architecture: `kernels!` (the 1:1 and four-row
//! distance kernels of one ISA and element type) and `tiles!` (the register-blocked `cdist`
//! tile). Each architecture's module invokes them with its intrinsics (`x86.rs`,
//! `x86_tile.rs`, `neon.rs`); the structure of the loops, and so the order of the arithmetic,
//! is the same everywhere.
//!
//! Intrinsic parameters: `fmadd(a, b, acc)` is `acc + a * b` with one rounding; `load(ptr)`
//! and `store(ptr, v)` are unaligned; `set1(x)` broadcasts; `zero()` is all zeros.

/// Generates one ISA's kernels for one element type. `$w` is the lane count; the intrinsic
/// names differ by ISA and type, the structure does not.
macro_rules! kernels {
    (
        mod $module:ident, $feature:literal, $t:ty, $w:expr, $vec:ty,
        zero: $zero:ident, load: $load:ident, fmadd: $fmadd:ident, sub: $sub:ident,
        add: $add:ident, abs: |$x:ident| $abs:expr, sum: |$v:ident| $sum:expr,
        tail: $tail:tt
    ) => {
        pub(crate) mod $module {
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
                // SAFETY: every `at(s, i)` below runs with `i + W <= n` (the loop conditions) and every
                // `tail(s, i, n)` with `i <= n`, where `n` is at most both lengths, so no load leaves
                // `a` or `b`; the CPU has `$feature` (this function's contract).
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
                // Two sets of accumulators (six independent chains) so the loop is not bound
                // by the FMA latency.
                let (mut ab0, mut aa0, mut bb0) = ($zero(), $zero(), $zero());
                let (mut ab1, mut aa1, mut bb1) = ($zero(), $zero(), $zero());
                let mut i = 0;
                // SAFETY: as in `dot`.
                unsafe {
                    while i + 2 * $w <= n {
                        let (x0, y0) = (at(a, i), at(b, i));
                        let (x1, y1) = (at(a, i + $w), at(b, i + $w));
                        ab0 = $fmadd(x0, y0, ab0);
                        aa0 = $fmadd(x0, x0, aa0);
                        bb0 = $fmadd(y0, y0, bb0);
                        ab1 = $fmadd(x1, y1, ab1);
                        aa1 = $fmadd(x1, x1, aa1);
                        bb1 = $fmadd(y1, y1, bb1);
                        i += 2 * $w;
                    }
                    while i + $w <= n {
                        let (x, y) = (at(a, i), at(b, i));
                        ab0 = $fmadd(x, y, ab0);
                        aa0 = $fmadd(x, x, aa0);
                        bb0 = $fmadd(y, y, bb0);
                        i += $w;
                    }
                    let (x, y) = (tail(a, i, n), tail(b, i, n));
                    ab1 = $fmadd(x, y, ab1);
                    aa1 = $fmadd(x, x, aa1);
                    bb1 = $fmadd(y, y, bb1);
                    (
                        hsum($add(ab0, ab1)) + rest(a, b, i, n, |x, y| x * y),
                        hsum($add(aa0, aa1)) + rest(a, b, i, n, |x, _| x * x),
                        hsum($add(bb0, bb1)) + rest(a, b, i, n, |_, y| y * y),
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
                // SAFETY: every `at(s, i)` below runs with `i + W <= n` (the loop conditions) and every
                // `tail(s, i, n)` with `i <= n`; `q` has `n` elements and every row at least `n`
                // (checked above), so no load leaves its slice. The CPU has `$feature` (the contract).
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
                let (mut ab0, mut bb0) = ([$zero(); 4], [$zero(); 4]);
                let (mut ab1, mut bb1) = ([$zero(); 4], [$zero(); 4]);
                let mut i = 0;
                // SAFETY: as in `dot4`.
                unsafe {
                    while i + 2 * $w <= n {
                        let (x0, x1) = (at(q, i), at(q, i + $w));
                        for r in 0..4 {
                            let (y0, y1) = (at(rows[r], i), at(rows[r], i + $w));
                            ab0[r] = $fmadd(x0, y0, ab0[r]);
                            bb0[r] = $fmadd(y0, y0, bb0[r]);
                            ab1[r] = $fmadd(x1, y1, ab1[r]);
                            bb1[r] = $fmadd(y1, y1, bb1[r]);
                        }
                        i += 2 * $w;
                    }
                    while i + $w <= n {
                        let x = at(q, i);
                        for r in 0..4 {
                            let y = at(rows[r], i);
                            ab0[r] = $fmadd(x, y, ab0[r]);
                            bb0[r] = $fmadd(y, y, bb0[r]);
                        }
                        i += $w;
                    }
                    let x = tail(q, i, n);
                    let (mut dots, mut norms) = ([0.0; 4], [0.0; 4]);
                    for r in 0..4 {
                        let y = tail(rows[r], i, n);
                        ab1[r] = $fmadd(x, y, ab1[r]);
                        bb1[r] = $fmadd(y, y, bb1[r]);
                        dots[r] = hsum($add(ab0[r], ab1[r])) + rest(q, rows[r], i, n, |x, y| x * y);
                        norms[r] = hsum($add(bb0[r], bb1[r])) + rest(q, rows[r], i, n, |_, y| y * y);
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

macro_rules! tiles {
    (
        mod $module:ident, $feature:literal, $t:ty, $lanes:expr, $vec:ty, height: $height:expr,
        zero: $zero:ident, load: $load:ident, set1: $set1:ident, fmadd: $fmadd:ident,
        sub: $sub:ident, add: $add:ident, store: $store:ident, abs: |$x:ident| $abs:expr
    ) => {
        pub(crate) mod $module {
            use super::*;

            pub const WIDTH: usize = 2 * $lanes;
            pub const HEIGHT: usize = $height;
            // `run` dispatches row counts 1..=7 explicitly and everything else to HEIGHT.
            const _: () = assert!(HEIGHT >= 1 && HEIGHT <= 8);

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
                    // SAFETY: d < dim, so the `$lanes` elements from `d * WIDTH` lie in `panel`
                    // (dim * WIDTH elements, the function's contract).
                    let b0 = unsafe { $load(panel.add(d * WIDTH)) };
                    // SAFETY: as for `b0`: the last element read is `d * WIDTH + WIDTH - 1`.
                    let b1 = unsafe { $load(panel.add(d * WIDTH + $lanes)) };
                    for r in 0..M {
                        // SAFETY: d < dim and `rows[r]` is valid for `dim` reads (the contract).
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
                        6 => dispatch::<6>(raw, rows, panel, out),
                        7 => dispatch::<7>(raw, rows, panel, out),
                        _ => dispatch::<{ $height }>(raw, rows, panel, out),
                    }
                }
                true
            }
        }
    };
}
