//! The vector batch functions with arbitrary shapes, strides, k, metrics and values (NaN, inf,
//! denormals included): each call must either fail cleanly or agree with the 1:1 functions
//! (one_to_many bit for bit; cdist and topk within rounding, or non-finite where they are).
#![no_main]

use ferrule_core::vector::{self, Matrix, Metric, Precision};
use libfuzzer_sys::fuzz_target;

/// Whether two evaluations of `metric(a, b)` in different summation orders agree: within the
/// fast kernels' bound (n u times the terms' magnitudes, with a wide margin), when every input
/// is zero or of a magnitude in [1e-15, 1e15], so that no square or product overflows or
/// underflows (otherwise the order and form of the computation decide overflow, and with it inf
/// vs NaN vs a cancelled finite value, and denormal norms keep only a few bits).
fn agree(metric: Metric, a: &[f32], b: &[f32], x: f32, y: f32) -> bool {
    if x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()) {
        return true;
    }
    if a.iter().chain(b).any(|v| !v.is_finite() || v.abs() > 1e15 || (*v != 0.0 && v.abs() < 1e-15)) {
        return true;
    }
    let pairs = a.iter().zip(b).map(|(&p, &q)| (f64::from(p).abs(), f64::from(q).abs()));
    let magnitude: f64 = match metric {
        Metric::Dot => pairs.map(|(p, q)| p * q).sum(),
        Metric::SqEuclidean => pairs.map(|(p, q)| (p + q) * (p + q)).sum(),
        Metric::Euclidean => pairs.map(|(p, q)| (p + q) * (p + q)).sum::<f64>().sqrt(),
        Metric::Manhattan => pairs.map(|(p, q)| p + q).sum(),
        Metric::Cosine => 1.0,
    };
    (f64::from(x) - f64::from(y)).abs() <= 1e-4 * (a.len() as f64 + 1.0) * magnitude + 1e-30
}

fuzz_target!(|input: (u8, u8, u8, u8, u8, u8, bool, Vec<f32>)| {
    // The whole input on one thread of ferrule's own pool: the batch functions' parallel loops
    // run inline there. Called from the fuzzer's thread, every call that splits its work (topk
    // over several queries, cdist over blocks) was handed to rayon's global pool and waited
    // for, and the idle workers spun between inputs (a fifth of the CPU samples of a profile),
    // taking a CPU from other work on a shared machine.
    vector::with_threads(Some(1), || check(input)).expect("a pool of one thread");
});

fn check(input: (u8, u8, u8, u8, u8, u8, bool, Vec<f32>)) {
    let (rows, dim, pad, queries, k, metric, accurate, data) = input;
    let (rows, dim, stride) = (usize::from(rows % 40), usize::from(dim % 40), usize::from(dim % 40) + usize::from(pad % 4));
    let queries = usize::from(queries % 12);
    let metric = Metric::ALL[usize::from(metric) % Metric::ALL.len()];
    let precision = if accurate { Precision::Accurate } else { Precision::Fast };
    // Shapes the data may not cover: those must be refused, never read.
    let Ok(db) = Matrix::new(&data, rows, dim, stride) else { return };
    let Ok(qs) = Matrix::new(&data, queries, dim, stride) else { return };
    for q in 0..queries {
        let mut out = vec![0.0f32; rows];
        vector::one_to_many(qs.row(q), &db, metric, precision, &mut out).expect("shapes fit");
        for (r, &got) in out.iter().enumerate() {
            let want = precision.distance(metric, qs.row(q), db.row(r)).expect("same dim");
            assert!(got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()));
        }
        let mut all = vec![0.0f32; rows];
        let one = Matrix::new(qs.row(q), 1, dim, dim).expect("one row");
        vector::cdist(&one, &db, metric, precision, &mut all).expect("shapes fit");
        for r in 0..rows {
            assert!(agree(metric, qs.row(q), db.row(r), all[r], out[r]), "{metric:?} cdist {} vs {}", all[r], out[r]);
        }
    }
    let k = usize::from(k) % (rows + 2);
    let mut indices = vec![0usize; queries * k];
    let mut distances = vec![0.0f32; queries * k];
    match vector::topk(&qs, &db, k, metric, precision, &mut indices, &mut distances) {
        Ok(()) => {
            assert!(k <= rows);
            for q in 0..queries {
                let got = &indices[q * k..(q + 1) * k];
                let mut seen = got.to_vec();
                seen.sort_unstable();
                seen.dedup();
                assert_eq!(seen.len(), k, "distinct rows");
                assert!(got.iter().all(|&i| i < rows));
            }
        }
        Err(err) => assert!(k > rows, "unexpected {err}"),
    }
    // A wrong output length is an error, not a write out of bounds.
    if rows > 0 {
        let mut short = vec![0.0f32; rows - 1];
        assert!(vector::one_to_many(&vec![0.0; dim], &db, metric, precision, &mut short).is_err());
    }
}
