//! The cost of CPU detection and ISA selection. Detection runs once per process (the first
//! `capabilities()` call, like the kernels' dispatch table); every later call is a cached lookup.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn capabilities(c: &mut Criterion) {
    c.bench_function("detect (uncached, once per process)", |b| {
        b.iter(|| black_box(ferrule_core::capabilities::detect(None)))
    });
    c.bench_function("capabilities (cached)", |b| b.iter(|| black_box(ferrule_core::capabilities())));
    let features = ferrule_core::capabilities::detected_features();
    c.bench_function("select_isa", |b| {
        b.iter(|| ferrule_core::capabilities::select_isa(black_box(&features), black_box(Some("avx2"))))
    });
}

criterion_group!(benches, capabilities);
criterion_main!(benches);
