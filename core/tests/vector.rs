//! Property tests of the public vector API: arbitrary lengths, values (including NaN, infinities,
//! zeros, denormals, huge magnitudes), row strides and k, against plain f64 references and
//! against each other (one-to-many = 1:1, cdist = one-to-many, topk = sorting cdist).

#![allow(clippy::unwrap_used)]

use ferrule_core::vector::{self, Matrix, Metric, Precision};
use proptest::prelude::*;

/// Mostly ordinary values, sometimes the awkward ones.
fn element() -> impl Strategy<Value = f32> {
    prop_oneof![
        8 => -100.0f32..100.0,
        1 => Just(0.0f32),
        1 => Just(-0.0f32),
        1 => prop::sample::select(vec![f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 1e30, -1e30, f32::MIN_POSITIVE / 4.0]),
    ]
}

fn finite_element() -> impl Strategy<Value = f32> {
    -100.0f32..100.0
}

fn same(x: f32, y: f32) -> bool {
    x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
}

fn reference(metric: Metric, a: &[f32], b: &[f32]) -> f64 {
    let (a, b): (Vec<f64>, Vec<f64>) =
        (a.iter().map(|&x| x.into()).collect(), b.iter().map(|&x| x.into()).collect());
    let dot: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
    let sq: f64 = a.iter().zip(&b).map(|(x, y)| (x - y) * (x - y)).sum();
    match metric {
        Metric::Dot => dot,
        Metric::SqEuclidean => sq,
        Metric::Euclidean => sq.sqrt(),
        Metric::Manhattan => a.iter().zip(&b).map(|(x, y)| (x - y).abs()).sum(),
        Metric::Cosine => {
            let (aa, bb): (f64, f64) = (a.iter().map(|x| x * x).sum(), b.iter().map(|y| y * y).sum());
            if aa == 0.0 || bb == 0.0 { 1.0 } else { (1.0 - dot / (aa.sqrt() * bb.sqrt())).clamp(0.0, 2.0) }
        }
    }
}

/// The bound of the fast kernels, `2 n u sum|terms|`, for each metric's terms.
fn bound(metric: Metric, a: &[f32], b: &[f32]) -> f64 {
    let n = a.len().max(1) as f64;
    let u = f64::from(f32::EPSILON);
    let magnitude: f64 = match metric {
        Metric::Dot => a.iter().zip(b).map(|(&x, &y)| (f64::from(x) * f64::from(y)).abs()).sum(),
        Metric::SqEuclidean | Metric::Euclidean => {
            a.iter().zip(b).map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2)).sum()
        }
        Metric::Manhattan => a.iter().zip(b).map(|(&x, &y)| (f64::from(x) - f64::from(y)).abs()).sum(),
        Metric::Cosine => 1.0,
    };
    let scaled = if metric == Metric::Euclidean { magnitude.sqrt() } else { magnitude };
    4.0 * n * u * scaled + 1e-30
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn finite_distances_are_within_the_fast_bound(
        pairs in prop::collection::vec((finite_element(), finite_element()), 0..300),
        metric in prop::sample::select(Metric::ALL.to_vec()),
    ) {
        let (a, b): (Vec<f32>, Vec<f32>) = pairs.into_iter().unzip();
        let got = f64::from(Precision::Fast.distance(metric, &a, &b).unwrap());
        let want = reference(metric, &a, &b);
        let tolerance = if metric == Metric::Cosine {
            // The cosine of nearly parallel vectors amplifies the dot product's relative error.
            1e-3
        } else {
            bound(metric, &a, &b)
        };
        prop_assert!((got - want).abs() <= tolerance, "{metric:?}: {got} vs {want}");
        let accurate = f64::from(Precision::Accurate.distance(metric, &a, &b).unwrap());
        // Accurate: the f64 reference rounded to f32 (the reference itself is exact enough here
        // except for cosine's final division and square roots).
        prop_assert!((accurate - want).abs() <= want.abs() * 1e-6 + 1e-30 || metric == Metric::Cosine
            && (accurate - want).abs() <= 1e-5, "{metric:?} accurate: {accurate} vs {want}");
    }

    #[test]
    fn one_to_many_equals_one_to_one_and_cdist_agrees(
        dim in 0usize..40,
        rows in 0usize..12,
        pad in 0usize..5,
        seed_values in prop::collection::vec(element(), 600),
        metric in prop::sample::select(Metric::ALL.to_vec()),
    ) {
        let stride = dim + pad;
        let needed = if rows == 0 { 0 } else { (rows - 1) * stride + dim };
        let data: Vec<f32> = seed_values.iter().cycle().take(needed).copied().collect();
        let query: Vec<f32> = seed_values.iter().rev().take(dim).copied().collect();
        let matrix = Matrix::new(&data, rows, dim, stride).unwrap();
        let mut out = vec![0.0f32; rows];
        vector::one_to_many(&query, &matrix, metric, Precision::Fast, &mut out).unwrap();
        for (r, &got) in out.iter().enumerate() {
            let want = Precision::Fast.distance(metric, &query, matrix.row(r)).unwrap();
            prop_assert!(same(got, want), "{metric:?} row {r}: {got} vs {want}");
        }
        let q = Matrix::new(&query, 1, dim, dim).unwrap();
        let mut all = vec![0.0f32; rows];
        vector::cdist(&q, &matrix, metric, Precision::Fast, &mut all).unwrap();
        for r in 0..rows {
            let (x, y) = (all[r], out[r]);
            // Past overflow the order of accumulation decides between infinity and NaN (an FMA
            // adds the exact product to an infinite sum; two lanes holding +inf and -inf give
            // NaN): both must then be non-finite, not the same.
            let agree = same(x, y)
                || (!x.is_finite() && !y.is_finite())
                || (x.is_finite() && y.is_finite()
                    && f64::from(x - y).abs() <= bound(metric, &query, matrix.row(r)).max(1e-5 * f64::from(y.abs())));
            prop_assert!(agree, "{metric:?} cdist {x} vs one_to_many {y}");
        }
    }

    #[test]
    fn topk_is_the_sorted_prefix_of_cdist(
        rows in 1usize..60,
        queries in 1usize..12,
        k_fraction in 0.0f64..=1.0,
        values in prop::collection::vec(element(), 1..400),
        metric in prop::sample::select(Metric::ALL.to_vec()),
    ) {
        let dim = 5;
        let db: Vec<f32> = values.iter().cycle().take(rows * dim).copied().collect();
        let qs: Vec<f32> = values.iter().rev().cycle().take(queries * dim).copied().collect();
        let (db, qs) = (Matrix::dense(&db, dim).unwrap(), Matrix::dense(&qs, dim).unwrap());
        let k = ((rows as f64) * k_fraction).round() as usize;
        // The distances topk ranks by: the cdist tiles from 8 queries on, the one-to-many
        // kernels below (their last bits can differ, and past overflow even inf vs NaN).
        let mut all = vec![0.0f32; queries * rows];
        if queries >= 8 {
            vector::cdist(&qs, &db, metric, Precision::Fast, &mut all).unwrap();
        } else {
            for q in 0..queries {
                let out = &mut all[q * rows..(q + 1) * rows];
                vector::one_to_many(qs.row(q), &db, metric, Precision::Fast, out).unwrap();
            }
        }
        let (mut indices, mut distances) = (vec![0usize; queries * k], vec![0.0f32; queries * k]);
        vector::topk(&qs, &db, k, metric, Precision::Fast, &mut indices, &mut distances).unwrap();
        for q in 0..queries {
            let row = &all[q * rows..(q + 1) * rows];
            let key = |v: f32| if metric.is_similarity() { -v } else { v };
            let mut order: Vec<usize> = (0..rows).collect();
            order.sort_by(|&x, &y| {
                let (a, b) = (key(row[x]), key(row[y]));
                match (a.is_nan(), b.is_nan()) {
                    (true, true) => x.cmp(&y),
                    (true, false) => std::cmp::Ordering::Greater,
                    (false, true) => std::cmp::Ordering::Less,
                    _ => a.partial_cmp(&b).unwrap().then(x.cmp(&y)),
                }
            });
            let got = &indices[q * k..(q + 1) * k];
            prop_assert_eq!(got, &order[..k], "{:?} query {}", metric, q);
            for (slot, &i) in got.iter().enumerate() {
                prop_assert!(same(distances[q * k + slot], row[i]), "{:?} distance of row {}", metric, i);
            }
            let mut unique = got.to_vec();
            unique.sort_unstable();
            unique.dedup();
            prop_assert_eq!(unique.len(), k, "distinct rows");
        }
    }

    #[test]
    fn reductions_follow_numpy(values in prop::collection::vec(element(), 1..300)) {
        let first_nan = values.iter().position(|v| v.is_nan());
        let argmin = vector::argmin(&values).unwrap();
        let argmax = vector::argmax(&values).unwrap();
        match first_nan {
            Some(i) => {
                prop_assert_eq!(argmin, i);
                prop_assert_eq!(argmax, i);
                prop_assert!(vector::min(&values).unwrap().is_nan());
            }
            None => {
                let min = values.iter().copied().fold(f32::INFINITY, f32::min);
                let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                prop_assert_eq!(values[argmin], min);
                prop_assert_eq!(values[argmax], max);
                prop_assert_eq!(values.iter().position(|&v| v == min), Some(argmin), "first of equals");
                prop_assert_eq!(values.iter().position(|&v| v == max), Some(argmax), "first of equals");
            }
        }
        let mean = vector::mean(&values).unwrap();
        let want: f64 = values.iter().map(|&v| f64::from(v)).sum::<f64>() / values.len() as f64;
        // f64 accumulation in a different order: within n * 2^-53 of the sum of magnitudes.
        let magnitude: f64 = values.iter().map(|&v| f64::from(v).abs()).sum::<f64>() / values.len() as f64;
        let tolerance = 2.0 * values.len() as f64 * f64::EPSILON * magnitude;
        prop_assert!(same_f64(mean, want) || (mean - want).abs() <= tolerance, "{mean} vs {want}");
    }

    #[test]
    fn elementwise_equals_scalar_loops(
        triples in prop::collection::vec((element(), element(), element()), 0..200),
        alpha in element(),
    ) {
        let a: Vec<f32> = triples.iter().map(|t| t.0).collect();
        let b: Vec<f32> = triples.iter().map(|t| t.1).collect();
        let c: Vec<f32> = triples.iter().map(|t| t.2).collect();
        let n = a.len();
        let mut out = vec![0.0f32; n];
        vector::axpy(alpha, &a, &b, &mut out).unwrap();
        prop_assert!((0..n).all(|i| same(out[i], alpha * a[i] + b[i])));
        vector::fma(&a, &b, &c, &mut out).unwrap();
        prop_assert!((0..n).all(|i| same(out[i], a[i] * b[i] + c[i])));
        vector::scale(&a, alpha, &mut out).unwrap();
        prop_assert!((0..n).all(|i| same(out[i], alpha * a[i])));
        vector::subtract(&a, &b, &mut out).unwrap();
        prop_assert!((0..n).all(|i| same(out[i], a[i] - b[i])));
    }
}

fn same_f64(x: f64, y: f64) -> bool {
    x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
}
