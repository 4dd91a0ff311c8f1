//! How the distance kernels accumulate: [`Precision::Fast`] (the default) or
//! [`Precision::Accurate`].

use super::{Element, Metric, cosine_distance_from, cosine_from, pair, table};
use crate::{Error, Result};

/// The accumulation of the 1:1 and batch distance kernels (and of [`Precision::sum`]).
///
/// - `Fast`: accumulation in the input type over several independent SIMD lanes. For `n` terms
///   the error is at most about `n * u * sum|terms|` (`u` = the type's unit roundoff: `2^-24`
///   for `f32`, `2^-53` for `f64`); in practice near `sqrt(n) * u * sum|terms|`.
/// - `Accurate`: double-double accumulation (error-free transformations). The result is the
///   exactly rounded value up to `2 n^2 2^-106 * sum|terms|`: it is exact to the last bit unless
///   the terms cancel almost completely. About 5-20x slower.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Precision {
    #[default]
    Fast,
    Accurate,
}

impl Precision {
    pub const ALL: [Precision; 2] = [Precision::Fast, Precision::Accurate];

    /// The name every runtime uses: `fast` or `accurate`.
    pub const fn name(self) -> &'static str {
        match self {
            Precision::Fast => "fast",
            Precision::Accurate => "accurate",
        }
    }

    /// The precision called `name`.
    pub fn parse(name: &str) -> Result<Precision> {
        Precision::ALL.into_iter().find(|p| p.name() == name).ok_or_else(|| {
            Error::invalid_argument(format!("unknown precision {name:?}: expected \"fast\" or \"accurate\""))
        })
    }

    /// Sum of `a[i] * b[i]`. Lengths must match (`FERRULE_LENGTH_MISMATCH`).
    pub fn dot<T: Element>(self, a: &[T], b: &[T]) -> Result<T> {
        Ok(Metric::Dot.eval(pair(a, b, self)?, a, b))
    }

    /// Sum of `(a[i] - b[i])^2`, computed from the differences (never as
    /// `|a|^2 + |b|^2 - 2ab`), so near-duplicate vectors keep their precision.
    pub fn sqeuclidean<T: Element>(self, a: &[T], b: &[T]) -> Result<T> {
        Ok(Metric::SqEuclidean.eval(pair(a, b, self)?, a, b))
    }

    /// The Euclidean distance, `sqrt(sqeuclidean(a, b))`.
    pub fn euclidean<T: Element>(self, a: &[T], b: &[T]) -> Result<T> {
        Ok(Metric::Euclidean.eval(pair(a, b, self)?, a, b))
    }

    /// Sum of `|a[i] - b[i]|`.
    pub fn manhattan<T: Element>(self, a: &[T], b: &[T]) -> Result<T> {
        Ok(Metric::Manhattan.eval(pair(a, b, self)?, a, b))
    }

    /// The Euclidean norm `sqrt(a.a)`.
    pub fn norm<T: Element>(self, a: &[T]) -> Result<T> {
        Ok((table::<T>(self)?.dot)(a, a).sqrt())
    }

    /// `a.b / (|a| |b|)`, in [-1, 1] up to rounding; 0 when either vector is all zeros (rather
    /// than NaN). NaN input gives NaN.
    pub fn cosine_similarity<T: Element>(self, a: &[T], b: &[T]) -> Result<T> {
        let (ab, aa, bb) = (pair(a, b, self)?.dot_norms)(a, b);
        Ok(cosine_from(ab, aa, bb))
    }

    /// `1 - cosine_similarity(a, b)`, clamped to [0, 2]; 1 when either vector is all zeros. NaN
    /// input gives NaN.
    pub fn cosine_distance<T: Element>(self, a: &[T], b: &[T]) -> Result<T> {
        let (ab, aa, bb) = (pair(a, b, self)?.dot_norms)(a, b);
        Ok(cosine_distance_from(cosine_from(ab, aa, bb)))
    }

    /// `metric(a, b)`.
    pub fn distance<T: Element>(self, metric: Metric, a: &[T], b: &[T]) -> Result<T> {
        Ok(metric.eval(pair(a, b, self)?, a, b))
    }

    /// Sum of the elements: in the input type over SIMD lanes (`Fast`) or in double-double
    /// (`Accurate`). NaN propagates; an empty input sums to 0.
    pub fn sum<T: Element>(self, x: &[T]) -> T {
        match self {
            Precision::Fast => super::sum(x),
            Precision::Accurate => super::accurate::sum(x),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Precision::ALL {
            assert_eq!(Precision::parse(p.name()).unwrap(), p);
        }
        assert_eq!(Precision::parse("exact").unwrap_err().code(), "FERRULE_INVALID_ARGUMENT");
        assert_eq!(Precision::default(), Precision::Fast);
    }

    #[test]
    fn accurate_beats_fast_where_fast_cancels() {
        // f32 fast accumulation loses the small terms next to the big ones; accurate keeps them.
        let mut a = vec![1.0f32; 1001];
        a[0] = 1e8;
        a[1000] = -1e8;
        let ones = vec![1.0f32; 1001];
        assert_eq!(Precision::Accurate.dot(&a, &ones).unwrap(), 999.0);
        assert_eq!(Precision::Accurate.sum(&a), 999.0);
        assert_eq!(Precision::Accurate.norm(&[3.0f64, 4.0]).unwrap(), 5.0);
        for p in Precision::ALL {
            assert_eq!(p.distance(Metric::Manhattan, &[1.0f32, 2.0], &[2.0, 0.0]).unwrap(), 3.0);
            assert_eq!(p.cosine_distance(&[0.0f32; 2], &[1.0, 1.0]).unwrap(), 1.0);
            assert_eq!(p.cosine_similarity(&[2.0f64, 0.0], &[5.0, 0.0]).unwrap(), 1.0);
            assert_eq!(p.euclidean(&[0.0f64, 0.0], &[3.0, 4.0]).unwrap(), 5.0);
            assert_eq!(p.sqeuclidean(&[1.0f32], &[1.0, 2.0]).unwrap_err().code(), "FERRULE_LENGTH_MISMATCH");
        }
    }
}
