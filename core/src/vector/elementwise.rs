//! Reductions (`sum`, `mean`, `min`, `max`, `argmin`, `argmax`) and element-wise operations
//! with an output buffer (`scale`, `add`, `subtract`, `multiply`, `axpy`, `fma`, `normalize`).
//!
//! The loops themselves are in `loops.rs`: one generic body compiled once per SIMD level, so
//! every level gives the portable result exactly.
//!
//! NaN policy, the same in every runtime: `min`, `max` return NaN when any element is NaN, and
//! `argmin`, `argmax` the index of the first NaN (as NumPy does); `sum` and `mean` propagate NaN
//! through arithmetic. Empty input: `sum` is 0; the others are `FERRULE_INVALID_ARGUMENT`.

use super::loops::{Loops, Map};
use super::{Element, norm};
use crate::{Error, Result};

fn non_empty<T>(x: &[T], what: &str) -> Result<()> {
    if x.is_empty() {
        return Err(Error::invalid_argument(format!("{what} of an empty vector")));
    }
    Ok(())
}

fn same_len(what: &str, lengths: &[usize]) -> Result<()> {
    if lengths.windows(2).any(|w| w[0] != w[1]) {
        return Err(Error::length_mismatch(format!("{what}: lengths {lengths:?} differ")));
    }
    Ok(())
}

/// Sum of the elements in the input type over 16 lanes (the same result on every SIMD level).
/// [`Precision::sum`](super::Precision::sum) offers a double-double sum.
pub fn sum<T: Element>(x: &[T]) -> T {
    Loops::active().sum(x)
}

/// The arithmetic mean, accumulated in `f64` whatever the input type.
pub fn mean<T: Element>(x: &[T]) -> Result<f64> {
    non_empty(x, "mean")?;
    Ok(Loops::active().sum_f64(x) / x.len() as f64)
}

/// The index of the extreme element: the first NaN if there is one, else the first of the
/// smallest (`LESS`) or largest.
fn arg_extreme<T: Element, const LESS: bool>(x: &[T], what: &str) -> Result<usize> {
    non_empty(x, what)?;
    let loops = Loops::active();
    let (best, nan) = if LESS { loops.min(x) } else { loops.max(x) };
    let found = match (nan, best) {
        (true, _) => loops.first_nan(x),
        (false, Some(best)) => loops.find(x, best),
        (false, None) => None,
    };
    found.ok_or_else(|| Error::internal(format!("{what}: no element matched the extreme found")))
}

/// The index of the smallest element: the first of equal minima, or the first NaN (NumPy's rule).
pub fn argmin<T: Element>(x: &[T]) -> Result<usize> {
    arg_extreme::<T, true>(x, "argmin")
}

/// The index of the largest element: the first of equal maxima, or the first NaN.
pub fn argmax<T: Element>(x: &[T]) -> Result<usize> {
    arg_extreme::<T, false>(x, "argmax")
}

/// The smallest element; NaN if any element is NaN.
pub fn min<T: Element>(x: &[T]) -> Result<T> {
    // Its own name in the error: "min of an empty vector", not argmin's.
    Ok(x[arg_extreme::<T, true>(x, "min")?])
}

/// The largest element; NaN if any element is NaN.
pub fn max<T: Element>(x: &[T]) -> Result<T> {
    Ok(x[arg_extreme::<T, false>(x, "max")?])
}

/// `out[i] = alpha * x[i]`.
pub fn scale<T: Element>(x: &[T], alpha: T, out: &mut [T]) -> Result<()> {
    same_len("scale", &[x.len(), out.len()])?;
    Loops::active().map(Map::Scale(alpha), x, &[], &[], out);
    Ok(())
}

/// `out[i] = a[i] + b[i]`.
pub fn add<T: Element>(a: &[T], b: &[T], out: &mut [T]) -> Result<()> {
    same_len("add", &[a.len(), b.len(), out.len()])?;
    Loops::active().map(Map::Add, a, b, &[], out);
    Ok(())
}

/// `out[i] = a[i] - b[i]`.
pub fn subtract<T: Element>(a: &[T], b: &[T], out: &mut [T]) -> Result<()> {
    same_len("subtract", &[a.len(), b.len(), out.len()])?;
    Loops::active().map(Map::Subtract, a, b, &[], out);
    Ok(())
}

/// `out[i] = a[i] * b[i]`.
pub fn multiply<T: Element>(a: &[T], b: &[T], out: &mut [T]) -> Result<()> {
    same_len("multiply", &[a.len(), b.len(), out.len()])?;
    Loops::active().map(Map::Multiply, a, b, &[], out);
    Ok(())
}

/// `out[i] = alpha * x[i] + y[i]` (BLAS axpy, into a separate output).
pub fn axpy<T: Element>(alpha: T, x: &[T], y: &[T], out: &mut [T]) -> Result<()> {
    same_len("axpy", &[x.len(), y.len(), out.len()])?;
    Loops::active().map(Map::Axpy(alpha), x, y, &[], out);
    Ok(())
}

/// `out[i] = a[i] * b[i] + c[i]` (multiply, then add: two roundings, the same on every CPU).
pub fn fma<T: Element>(a: &[T], b: &[T], c: &[T], out: &mut [T]) -> Result<()> {
    same_len("fma", &[a.len(), b.len(), c.len(), out.len()])?;
    Loops::active().map(Map::Fma, a, b, c, out);
    Ok(())
}

/// `out = x / norm(x)`; a zero vector stays zero (rather than becoming NaN).
pub fn normalize<T: Element>(x: &[T], out: &mut [T]) -> Result<()> {
    same_len("normalize", &[x.len(), out.len()])?;
    let length = norm(x)?;
    if length == T::ZERO {
        out.iter_mut().for_each(|o| *o = T::ZERO);
        return Ok(());
    }
    Loops::active().map(Map::Divide(length), x, &[], &[], out);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reductions_follow_the_documented_policy() {
        let x = [3.0f32, -1.0, 7.0, -1.0, 7.0];
        assert_eq!(sum(&x), 15.0);
        assert_eq!(mean(&x).unwrap(), 3.0);
        assert_eq!((min(&x).unwrap(), argmin(&x).unwrap()), (-1.0, 1), "first of equal minima");
        assert_eq!((max(&x).unwrap(), argmax(&x).unwrap()), (7.0, 2), "first of equal maxima");
        let with_nan = [1.0f64, f64::NAN, -5.0, f64::NAN];
        assert_eq!(argmin(&with_nan).unwrap(), 1);
        assert_eq!(argmax(&with_nan).unwrap(), 1);
        assert!(min(&with_nan).unwrap().is_nan() && max(&with_nan).unwrap().is_nan());
        assert!(sum(&with_nan).is_nan());
        assert_eq!(sum::<f32>(&[]), 0.0);
        for err in [mean::<f32>(&[]).map(|_| ()), argmin::<f32>(&[]).map(|_| ()), max::<f64>(&[]).map(|_| ())]
        {
            assert_eq!(err.unwrap_err().code(), "FERRULE_INVALID_ARGUMENT");
        }
        // Each names itself: min and max used to report argmin's and argmax's name.
        for (name, err) in [
            ("mean", mean::<f32>(&[]).map(|_| ())),
            ("min", min::<f32>(&[]).map(|_| ())),
            ("max", max::<f64>(&[]).map(|_| ())),
            ("argmin", argmin::<f64>(&[]).map(|_| ())),
            ("argmax", argmax::<f32>(&[]).map(|_| ())),
        ] {
            assert_eq!(err.unwrap_err().to_string(), format!("{name} of an empty vector"));
        }
        assert_eq!(argmax(&[f32::NEG_INFINITY, f32::INFINITY]).unwrap(), 1);
    }

    #[test]
    fn sum_and_mean_are_accurate_at_every_length() {
        for n in 0..=130usize {
            let x: Vec<f32> = (0..n).map(|i| (i as f32 * 0.37).sin()).collect();
            let want: f64 = x.iter().map(|&v| f64::from(v)).sum();
            let magnitude: f64 = x.iter().map(|&v| f64::from(v).abs()).sum();
            assert!(
                (f64::from(sum(&x)) - want).abs() <= 2.0 * n as f64 * f64::from(f32::EPSILON) * magnitude
            );
            if n > 0 {
                assert!((mean(&x).unwrap() - want / n as f64).abs() <= 1e-12 * magnitude.max(1.0));
            }
        }
        // f64 accumulation: a mean of many f32 ones is exact where f32 sums stall at 2^24.
        let ones = vec![1.0f32; (1 << 24) + 8];
        assert_eq!(mean(&ones).unwrap(), 1.0);
    }

    #[test]
    fn elementwise_operations_check_lengths_and_compute() {
        let a = [1.0f32, 2.0, 3.0];
        let b = [4.0f32, 5.0, 6.0];
        let mut out = [0.0f32; 3];
        scale(&a, 2.0, &mut out).unwrap();
        assert_eq!(out, [2.0, 4.0, 6.0]);
        add(&a, &b, &mut out).unwrap();
        assert_eq!(out, [5.0, 7.0, 9.0]);
        subtract(&a, &b, &mut out).unwrap();
        assert_eq!(out, [-3.0, -3.0, -3.0]);
        multiply(&a, &b, &mut out).unwrap();
        assert_eq!(out, [4.0, 10.0, 18.0]);
        axpy(2.0, &a, &b, &mut out).unwrap();
        assert_eq!(out, [6.0, 9.0, 12.0]);
        fma(&a, &b, &a, &mut out).unwrap();
        assert_eq!(out, [5.0, 12.0, 21.0]);
        normalize(&[3.0f32, 4.0, 0.0], &mut out).unwrap();
        assert_eq!(out, [0.6, 0.8, 0.0]);
        normalize(&[0.0f32; 3], &mut out).unwrap();
        assert_eq!(out, [0.0; 3]);
        let mut short = [0.0f32; 2];
        for err in [
            scale(&a, 1.0, &mut short),
            add(&a, &b[..2], &mut out),
            axpy(1.0, &a, &b, &mut short),
            fma(&a, &b, &b[..1], &mut out),
            normalize(&a, &mut short),
        ] {
            assert_eq!(err.unwrap_err().code(), "FERRULE_LENGTH_MISMATCH");
        }
    }
}
