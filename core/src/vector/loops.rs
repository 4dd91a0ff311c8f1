//! The reductions and element-wise operations as plain loops written for the vectorizer, and
//! one copy of them compiled per SIMD level (`#[target_feature]`), picked by the active ISA.
//!
//! The loop bodies are the same generic code at every level, and Rust never reassociates or
//! contracts floating-point arithmetic, so every level computes exactly the same results as the
//! portable one: only the instructions differ. Sums run over 16 independent lanes (one AVX-512
//! register of `f32`, two of `f64`), which is what lets the vectorizer use whole registers.

use super::Element;
use crate::Isa;

const LANES: usize = 16;

/// Sum over 16 lanes, then the lanes pairwise, then the remainder in order.
#[inline(always)]
fn sum_body<T: Element>(x: &[T]) -> T {
    let mut lanes = [T::ZERO; LANES];
    let mut chunks = x.chunks_exact(LANES);
    for chunk in &mut chunks {
        for k in 0..LANES {
            lanes[k] = lanes[k] + chunk[k];
        }
    }
    let mut width = LANES;
    while width > 1 {
        width /= 2;
        for k in 0..width {
            lanes[k] = lanes[k] + lanes[k + width];
        }
    }
    let mut total = lanes[0];
    for &v in chunks.remainder() {
        total = total + v;
    }
    total
}

/// Sum in `f64` over 8 lanes (the mean's accumulator, whatever the input type).
#[inline(always)]
fn sum_f64_body<T: Element>(x: &[T]) -> f64 {
    let mut lanes = [0.0f64; 8];
    let mut chunks = x.chunks_exact(8);
    for chunk in &mut chunks {
        for k in 0..8 {
            lanes[k] += chunk[k].to_f64();
        }
    }
    let mut total =
        ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) + ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]));
    for &v in chunks.remainder() {
        total += v.to_f64();
    }
    total
}

/// The smallest (`LESS`) or largest value that is not NaN, and whether any NaN was seen. The
/// lanes keep their first extreme (strict comparisons); callers that need the first index
/// look it up by value. `None` when every element is NaN or there are none.
#[inline(always)]
fn extreme_body<T: Element, const LESS: bool>(x: &[T]) -> (Option<T>, bool) {
    let better = |candidate: T, current: T| if LESS { candidate < current } else { candidate > current };
    let mut chunks = x.chunks_exact(LANES);
    let mut nan = false;
    let mut best: Option<T> = None;
    if let Some(first) = chunks.next() {
        let mut lanes = [T::ZERO; LANES];
        lanes.copy_from_slice(first);
        // A NaN lane never wins a comparison, so it would stick: track NaN separately and seed
        // NaN lanes with the values that follow.
        let mut seen_nan = [false; LANES];
        for k in 0..LANES {
            seen_nan[k] = lanes[k].is_nan();
        }
        for chunk in &mut chunks {
            for k in 0..LANES {
                let v = chunk[k];
                seen_nan[k] |= v.is_nan();
                // Replace a NaN lane unconditionally, else keep the better.
                lanes[k] = if better(v, lanes[k]) || lanes[k].is_nan() { v } else { lanes[k] };
            }
        }
        nan = seen_nan.iter().any(|&s| s);
        for &v in &lanes {
            if !v.is_nan() && best.is_none_or(|b| better(v, b)) {
                best = Some(v);
            }
        }
    }
    for &v in chunks.remainder() {
        if v.is_nan() {
            nan = true;
        } else if best.is_none_or(|b| better(v, b)) {
            best = Some(v);
        }
    }
    (best, nan)
}

/// The first index whose element equals `target` (`NaN` never does), 16 elements per test.
#[inline(always)]
fn find_body<T: Element>(x: &[T], target: T) -> Option<usize> {
    let mut chunks = x.chunks_exact(LANES);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut hit = false;
        for &v in chunk {
            hit |= v == target;
        }
        if hit {
            return chunk.iter().position(|&v| v == target).map(|i| base + i);
        }
        base += LANES;
    }
    chunks.remainder().iter().position(|&v| v == target).map(|i| base + i)
}

/// The first NaN's index.
#[inline(always)]
fn first_nan_body<T: Element>(x: &[T]) -> Option<usize> {
    let mut chunks = x.chunks_exact(LANES);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut hit = false;
        for &v in chunk {
            hit |= v.is_nan();
        }
        if hit {
            return chunk.iter().position(|&v| v.is_nan()).map(|i| base + i);
        }
        base += LANES;
    }
    chunks.remainder().iter().position(|&v| v.is_nan()).map(|i| base + i)
}

/// An element-wise operation with one, two or three inputs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Map<T> {
    /// `alpha * x`
    Scale(T),
    /// `x / divisor`
    Divide(T),
    Add,
    Subtract,
    Multiply,
    /// `alpha * x + y`
    Axpy(T),
    /// `a * b + c` (two roundings)
    Fma,
}

/// `out[i] = op(inputs[0][i], inputs[1][i], inputs[2][i])`. Callers pass inputs of `out`'s
/// length (unused ones may be empty).
#[inline(always)]
fn map_body<T: Element>(op: Map<T>, a: &[T], b: &[T], c: &[T], out: &mut [T]) {
    match op {
        Map::Scale(alpha) => out.iter_mut().zip(a).for_each(|(o, &x)| *o = alpha * x),
        Map::Divide(d) => out.iter_mut().zip(a).for_each(|(o, &x)| *o = x / d),
        Map::Add => out.iter_mut().zip(a.iter().zip(b)).for_each(|(o, (&x, &y))| *o = x + y),
        Map::Subtract => out.iter_mut().zip(a.iter().zip(b)).for_each(|(o, (&x, &y))| *o = x - y),
        Map::Multiply => out.iter_mut().zip(a.iter().zip(b)).for_each(|(o, (&x, &y))| *o = x * y),
        Map::Axpy(alpha) => out.iter_mut().zip(a.iter().zip(b)).for_each(|(o, (&x, &y))| *o = alpha * x + y),
        Map::Fma => {
            out.iter_mut().zip(a.iter().zip(b.iter().zip(c))).for_each(|(o, (&x, (&y, &z)))| *o = x * y + z)
        }
    }
}

/// One level's copies of the loops.
macro_rules! level {
    ($module:ident $(, $feature:literal)?) => {
        mod $module {
            use super::*;

            // SAFETY (of calling each function below): the CPU has the module's features;
            // `dispatch!` calls a module only for a level the CPU reported.
            $(#[target_feature(enable = $feature)])?
            pub(super) unsafe fn sum<T: Element>(x: &[T]) -> T {
                sum_body(x)
            }
            $(#[target_feature(enable = $feature)])?
            pub(super) unsafe fn sum_f64<T: Element>(x: &[T]) -> f64 {
                sum_f64_body(x)
            }
            $(#[target_feature(enable = $feature)])?
            pub(super) unsafe fn min<T: Element>(x: &[T]) -> (Option<T>, bool) {
                extreme_body::<T, true>(x)
            }
            $(#[target_feature(enable = $feature)])?
            pub(super) unsafe fn max<T: Element>(x: &[T]) -> (Option<T>, bool) {
                extreme_body::<T, false>(x)
            }
            $(#[target_feature(enable = $feature)])?
            pub(super) unsafe fn find<T: Element>(x: &[T], target: T) -> Option<usize> {
                find_body(x, target)
            }
            $(#[target_feature(enable = $feature)])?
            pub(super) unsafe fn first_nan<T: Element>(x: &[T]) -> Option<usize> {
                first_nan_body(x)
            }
            $(#[target_feature(enable = $feature)])?
            pub(super) unsafe fn map<T: Element>(op: Map<T>, a: &[T], b: &[T], c: &[T], out: &mut [T]) {
                map_body(op, a, b, c, out)
            }
        }
    };
}

level!(portable);
#[cfg(target_arch = "x86_64")]
level!(avx2, "avx2,fma");
#[cfg(target_arch = "x86_64")]
level!(avx512, "avx512f");
#[cfg(target_arch = "aarch64")]
level!(neon, "neon");

/// Calls `$f` of the module for `$isa` (a level the CPU has: the active one, or one of
/// `every_supported_level` in tests).
macro_rules! dispatch {
    ($isa:expr, $f:ident ( $($arg:expr),* )) => {
        match $isa {
            // SAFETY: `$isa` is a level this CPU reported (the callers' contract), and each
            // module needs no more than its level's features.
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => unsafe { avx512::$f($($arg),*) },
            // SAFETY: as above.
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => unsafe { avx2::$f($($arg),*) },
            // SAFETY: as above.
            #[cfg(target_arch = "aarch64")]
            Isa::Neon => unsafe { neon::$f($($arg),*) },
            // SAFETY: the portable module has no target features.
            _ => unsafe { portable::$f($($arg),*) },
        }
    };
}

/// The loops of one level. Constructed only for the active level (`Loops::active`) or, in
/// tests, for a level the CPU reported, so `dispatch!`'s contract holds.
#[derive(Clone, Copy)]
pub(super) struct Loops {
    isa: Isa,
}

impl Loops {
    /// The loops of the active level.
    pub(super) fn active() -> Loops {
        Loops { isa: super::active_isa() }
    }

    /// The loops of `isa`, which must be a level this CPU supports.
    #[cfg(test)]
    pub(super) fn of(isa: Isa) -> Loops {
        Loops { isa }
    }

    pub(super) fn sum<T: Element>(self, x: &[T]) -> T {
        dispatch!(self.isa, sum(x))
    }
    pub(super) fn sum_f64<T: Element>(self, x: &[T]) -> f64 {
        dispatch!(self.isa, sum_f64(x))
    }
    pub(super) fn min<T: Element>(self, x: &[T]) -> (Option<T>, bool) {
        dispatch!(self.isa, min(x))
    }
    pub(super) fn max<T: Element>(self, x: &[T]) -> (Option<T>, bool) {
        dispatch!(self.isa, max(x))
    }
    pub(super) fn find<T: Element>(self, x: &[T], target: T) -> Option<usize> {
        dispatch!(self.isa, find(x, target))
    }
    pub(super) fn first_nan<T: Element>(self, x: &[T]) -> Option<usize> {
        dispatch!(self.isa, first_nan(x))
    }
    pub(super) fn map<T: Element>(self, op: Map<T>, a: &[T], b: &[T], c: &[T], out: &mut [T]) {
        dispatch!(self.isa, map(op, a, b, c, out))
    }
}
