//! The cost of what every runtime does once per process: CPU detection and ISA selection. The
//! vector kernels select their function table once; this keeps that first call cheap.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn capabilities(c: &mut Criterion) {
    c.bench_function("capabilities", |b| b.iter(|| black_box(ferrule_core::capabilities())));
    let features = ferrule_core::capabilities::detected_features();
    c.bench_function("select_isa", |b| {
        b.iter(|| ferrule_core::capabilities::select_isa(black_box(&features), black_box(Some("avx2"))))
    });
}

criterion_group!(benches, capabilities);
criterion_main!(benches);
