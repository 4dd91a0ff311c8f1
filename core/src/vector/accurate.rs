//! "Accurate" kernels: every term is carried in double-double arithmetic (an `f64` pair whose
//! sum holds the running total to about 106 bits), using the error-free transformations
//! TwoSum and TwoProduct (Ogita, Rump and Oishi, "Accurate sum and dot product", 2005).
//!
//! Error bound, for `n` terms and result type `T` (unit roundoff `u_T`, `u = 2^-53`):
//! `|result - exact| <= u_T * |exact| + 2 n^2 u^2 * sum|terms|` (plus underflow), i.e. the
//! result is the exactly rounded value unless the terms cancel by a factor near `1 / (n^2 u)`.
//! About 10x slower than the fast kernels; chosen with [`Precision::Accurate`](super::Precision).
//!
//! Products and differences of two `f32` are exact in `f64`; for `f64` inputs the rounding error
//! of each product and difference is recovered (Dekker's split, so no FMA hardware is needed).

use super::Element;

/// A double-double accumulator: the value is `hi + lo`, `|lo| <= ulp(hi) / 2`.
#[derive(Clone, Copy, Default)]
struct Wide {
    hi: f64,
    lo: f64,
}

/// `a + b = s + e` exactly (Knuth's TwoSum, no ordering needed).
#[inline]
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let v = s - a;
    (s, (a - (s - v)) + (b - v))
}

/// Splits `a` into two halves of 26 bits whose sum is `a` (Veltkamp).
#[inline]
fn split(a: f64) -> (f64, f64) {
    const FACTOR: f64 = 134_217_729.0; // 2^27 + 1
    let c = FACTOR * a;
    let hi = c - (c - a);
    (hi, a - hi)
}

/// `a * b = p + e` exactly (Dekker's TwoProduct), barring overflow and underflow.
#[inline]
fn two_product(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    if !p.is_finite() {
        return (p, 0.0);
    }
    let (a1, a2) = split(a);
    let (b1, b2) = split(b);
    (p, a2 * b2 - (((p - a1 * b1) - a2 * b1) - a1 * b2))
}

impl Wide {
    #[inline]
    fn add(&mut self, value: f64, error: f64) {
        let (s, e) = two_sum(self.hi, value);
        self.hi = s;
        self.lo += e + error;
    }

    /// The rounded total; infinities and NaN come through `hi` as IEEE arithmetic gives them.
    fn total<T: Element>(self) -> T {
        if !self.hi.is_finite() {
            return T::from_f64(self.hi);
        }
        T::from_f64(self.hi + self.lo)
    }

    #[inline]
    fn add_product(&mut self, x: f64, y: f64) {
        let (p, e) = two_product(x, y);
        self.add(p, e);
    }

    /// Adds `(d + e)^2` where `d + e` is an exact difference: `d^2` exactly plus `2de`.
    #[inline]
    fn add_square(&mut self, d: f64, e: f64) {
        let (p, pe) = two_product(d, d);
        self.add(p, pe + 2.0 * d * e);
    }
}

/// The exact difference of two inputs as `d + e`.
#[inline]
fn difference<T: Element>(x: T, y: T) -> (f64, f64) {
    two_sum(x.to_f64(), -y.to_f64())
}

pub(super) fn dot<T: Element>(a: &[T], b: &[T]) -> T {
    let mut acc = Wide::default();
    for (&x, &y) in a.iter().zip(b) {
        acc.add_product(x.to_f64(), y.to_f64());
    }
    acc.total()
}

pub(super) fn sqeuclidean<T: Element>(a: &[T], b: &[T]) -> T {
    let mut acc = Wide::default();
    for (&x, &y) in a.iter().zip(b) {
        let (d, e) = difference(x, y);
        acc.add_square(d, e);
    }
    acc.total()
}

pub(super) fn manhattan<T: Element>(a: &[T], b: &[T]) -> T {
    let mut acc = Wide::default();
    for (&x, &y) in a.iter().zip(b) {
        let (d, e) = difference(x, y);
        // |d + e| = |d| + sign(d) e, since |e| <= ulp(d) / 2 cannot flip the sign.
        if d < 0.0 { acc.add(-d, -e) } else { acc.add(d, e) }
    }
    acc.total()
}

pub(super) fn dot_norms<T: Element>(a: &[T], b: &[T]) -> (T, T, T) {
    let (mut ab, mut aa, mut bb) = (Wide::default(), Wide::default(), Wide::default());
    for (&x, &y) in a.iter().zip(b) {
        let (x, y) = (x.to_f64(), y.to_f64());
        ab.add_product(x, y);
        aa.add_product(x, x);
        bb.add_product(y, y);
    }
    (ab.total(), aa.total(), bb.total())
}

/// Sum of the elements in double-double (the `accurate` `sum`).
pub(super) fn sum<T: Element>(x: &[T]) -> T {
    let mut acc = Wide::default();
    for &v in x {
        acc.add(v.to_f64(), 0.0);
    }
    acc.total()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancellation_that_defeats_plain_sums_is_exact() {
        // 1e16 + 1 - 1e16: a plain f64 sum gives 0 (or 2); double-double gives 1.
        let a = [1e16f64, 1.0, -1e16];
        let ones = [1.0f64; 3];
        assert_eq!(dot(&a, &ones), 1.0);
        assert_eq!(sum(&a), 1.0);
        // Products whose rounding errors cancel the visible result.
        let x = [1.0f64 + f64::EPSILON, -1.0];
        let y = [1.0f64 - f64::EPSILON, 1.0];
        assert_eq!(dot(&x, &y), -f64::EPSILON * f64::EPSILON);
        // f32: 2^24 + 1 ones sum to 2^24 + 1 (an f32 accumulator stalls at 2^24).
        let ones32 = vec![1.0f32; (1 << 24) + 2];
        assert_eq!(dot(&ones32, &ones32), 16_777_218.0);
    }

    #[test]
    fn differences_keep_their_rounding_error() {
        let a = [1.0f64 + f64::EPSILON];
        let b = [-f64::EPSILON / 4.0];
        // a - b is not representable; the exact square still comes out right.
        let exact = (1.0 + f64::EPSILON + f64::EPSILON / 4.0) * (1.0 + f64::EPSILON + f64::EPSILON / 4.0);
        assert!((sqeuclidean(&a, &b) - exact).abs() <= f64::EPSILON);
        assert_eq!(manhattan(&[-3.0f32, 1.0], &[1.0, -1.0]), 6.0);
    }

    #[test]
    fn special_values_follow_ieee() {
        assert!(dot(&[f32::NAN, 1.0], &[1.0, 1.0]).is_nan());
        assert_eq!(dot(&[f64::INFINITY, 1.0], &[1.0, 1.0]), f64::INFINITY);
        assert_eq!(sqeuclidean(&[1e200f64], &[-1e200]), f64::INFINITY);
        assert_eq!(dot::<f32>(&[], &[]), 0.0);
        assert_eq!(dot(&[1e30f32], &[1e30]), f32::INFINITY, "overflow on the final rounding");
    }
}
