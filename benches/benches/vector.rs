//! Issue #4, core side: the vector kernels on one thread (and the batch calls on all cores),
//! at the sizes: 1:1 at n = 16, 128, 1536, 65536 (f32); one query against 100k x 128;
//! the fused top-10 of that; cdist 1000 x 1000 x 128 (dot, cosine, sqeuclidean), each at
//! `Precision::Fast`, plus the accurate 1:1 kernels for their cost.
//!
//! Run alone: `cargo bench -p ferrule-benches --bench vector` (a filter such as `-- cdist` works).
//! The Python and Node comparisons against NumPy, SimSIMD, faiss and JS loops are in
//! `benches/python/bench_vector.py` and `benches/node/bench_vector.mjs`.

#![allow(clippy::expect_used, reason = "a bench has no caller to hand an error to: it must stop loudly")]

use criterion::{Criterion, Throughput};
use ferrule_core::vector::{self, Matrix, Metric, Precision};
use std::hint::black_box;
use std::time::Duration;

/// Deterministic values in [-1, 1).
fn values(n: usize, seed: u64) -> Vec<f32> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
        })
        .collect()
}

fn one_to_one(c: &mut Criterion) {
    let mut group = c.benchmark_group("1:1 f32");
    for n in [16usize, 128, 1536, 65536] {
        let (a, b) = (values(n, 1), values(n, 2));
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(format!("dot n={n}"), |bench| {
            bench.iter(|| vector::dot(black_box(&a), black_box(&b)).expect("dot"))
        });
        group.bench_function(format!("cosine n={n}"), |bench| {
            bench.iter(|| vector::cosine_distance(black_box(&a), black_box(&b)).expect("cosine"))
        });
        group.bench_function(format!("sqeuclidean n={n}"), |bench| {
            bench.iter(|| vector::sqeuclidean(black_box(&a), black_box(&b)).expect("sqeuclidean"))
        });
        group.bench_function(format!("accurate dot n={n}"), |bench| {
            bench.iter(|| Precision::Accurate.dot(black_box(&a), black_box(&b)).expect("dot"))
        });
    }
    group.finish();
}

fn reductions(c: &mut Criterion) {
    let mut group = c.benchmark_group("reductions f32");
    let n = 65536;
    let x = values(n, 3);
    let mut out = vec![0.0f32; n];
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("sum", |bench| bench.iter(|| vector::sum(black_box(&x))));
    group.bench_function("mean", |bench| bench.iter(|| vector::mean(black_box(&x)).expect("mean")));
    group.bench_function("max", |bench| bench.iter(|| vector::max(black_box(&x)).expect("max")));
    group.bench_function("argmin", |bench| bench.iter(|| vector::argmin(black_box(&x)).expect("argmin")));
    group.bench_function("axpy", |bench| {
        bench.iter(|| vector::axpy(2.0, black_box(&x), black_box(&x), &mut out).expect("axpy"))
    });
    group.finish();
}

fn batches(c: &mut Criterion) {
    let dim = 128;
    let db = values(100_000 * dim, 4);
    let query = values(dim, 5);
    let database = Matrix::dense(&db, dim).expect("matrix");
    let mut group = c.benchmark_group("batch f32");
    group.sample_size(20).measurement_time(Duration::from_secs(4));
    let mut out = vec![0.0f32; 100_000];
    for threads in [1usize, 0] {
        let label = if threads == 1 { "1 thread" } else { "all cores" };
        for metric in [Metric::Dot, Metric::Cosine] {
            group.bench_function(format!("one_to_many 100k x 128 {} {label}", metric.name()), |bench| {
                bench.iter(|| {
                    vector::with_threads(Some(threads), || {
                        vector::one_to_many(&query, &database, metric, Precision::Fast, &mut out)
                    })
                    .expect("threads")
                    .expect("one_to_many")
                })
            });
        }
        let q = Matrix::dense(&query, dim).expect("query");
        let (mut indices, mut distances) = (vec![0usize; 10], vec![0.0f32; 10]);
        group.bench_function(format!("topk k=10 of 100k x 128 cosine {label}"), |bench| {
            bench.iter(|| {
                vector::with_threads(Some(threads), || {
                    vector::topk(
                        &q,
                        &database,
                        10,
                        Metric::Cosine,
                        Precision::Fast,
                        &mut indices,
                        &mut distances,
                    )
                })
                .expect("threads")
                .expect("topk")
            })
        });
        let a_buf = values(1000 * dim, 6);
        let b_buf = values(1000 * dim, 7);
        let (a, b) = (Matrix::dense(&a_buf, dim).expect("a"), Matrix::dense(&b_buf, dim).expect("b"));
        let mut all = vec![0.0f32; 1000 * 1000];
        for metric in [Metric::Dot, Metric::Cosine, Metric::SqEuclidean] {
            group.bench_function(format!("cdist 1000 x 1000 x 128 {} {label}", metric.name()), |bench| {
                bench.iter(|| {
                    vector::with_threads(Some(threads), || {
                        vector::cdist(&a, &b, metric, Precision::Fast, &mut all)
                    })
                    .expect("threads")
                    .expect("cdist")
                })
            });
        }
    }
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    one_to_one(&mut criterion);
    reductions(&mut criterion);
    batches(&mut criterion);
    criterion.final_summary();
}
