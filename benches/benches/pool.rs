//! Issue #3, core side: ferrule's string pools against lasso and string-interner on the issue's
//! dataset (`Strings::issue()`: 1M values, 50k distinct, 8-64 bytes, Zipf), in one run.
//!
//! Every timed call processes the whole 1M-value stream, so criterion's time per iteration in
//! milliseconds reads directly as nanoseconds per string (and `Throughput::Elements` gives
//! strings/s). `intern` starts from an empty structure each time: 50k misses and 950k hits, the
//! issue's 95% hit rate. `get` and `resolve` run over the same stream against a full structure
//! (all hits; ids in stream order, so the access pattern is Zipf too).
//!
//! After criterion's own report a summary prints each contender's median ns/string, its ratio to
//! ferrule's reference contender, and whether the issue's goals are met. Memory per distinct
//! string is the separate `pool_memory` bench (it needs a counting global allocator).
//!
//! Run alone: `cargo bench -p ferrule-benches --bench pool` (a filter such as `-- resolve` works).

#![allow(clippy::expect_used, reason = "a bench has no caller to hand an error to: it must stop loudly")]

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput};
use ferrule_benches::Strings;
use ferrule_core::pool::{ConcurrentPool, FrozenPool, StringPool};
use lasso::{Key, Rodeo, RodeoReader, RodeoResolver, Spur, ThreadedRodeo};
use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use string_interner::backend::{BufferBackend, StringBackend};
use string_interner::{DefaultSymbol, StringInterner, Symbol};

type SipRodeo = Rodeo<Spur, std::collections::hash_map::RandomState>;
type AhashRodeo = Rodeo<Spur, ahash::RandomState>;
type Threaded = ThreadedRodeo<Spur>;
type SiString = StringInterner<StringBackend<DefaultSymbol>>;
type SiBuffer = StringInterner<BufferBackend<DefaultSymbol>>;

/// The contender each table's ratios are relative to, per operation.
const REFERENCE: [(&str, &str); 3] = [
    ("intern", "ferrule StringPool::intern_many"),
    ("get", "ferrule StringPool::get"),
    ("resolve", "ferrule StringPool::resolve"),
];

/// The issue's goals: (operation, contender judged, most ns per string).
const GOALS: [(&str, &str, f64); 2] =
    [("intern", "ferrule StringPool::intern_many", 18.0), ("resolve", "ferrule StringPool::resolve", 2.0)];

/// What the closing summary reads, in run order: op -> contender -> ns per string of each timed
/// call.
type Samples = Vec<(&'static str, Vec<(String, Vec<f64>)>)>;
static SAMPLES: Mutex<Samples> = Mutex::new(Vec::new());

fn record(op: &'static str, name: &str, ns_per_string: f64) {
    let mut samples = SAMPLES.lock().unwrap_or_else(|e| e.into_inner());
    let rows = match samples.iter().position(|(o, _)| *o == op) {
        Some(i) => &mut samples[i].1,
        None => {
            samples.push((op, Vec::new()));
            &mut samples.last_mut().expect("just pushed").1
        }
    };
    match rows.iter_mut().find(|(n, _)| n == name) {
        Some((_, times)) => times.push(ns_per_string),
        None => rows.push((name.to_owned(), vec![ns_per_string])),
    }
}

/// Times `routine(setup())` over `n` strings: setup (a fresh structure, an output buffer) and
/// dropping the result stay outside the timed region, for every contender alike.
fn bench<I, O>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    op: &'static str,
    name: &str,
    n: usize,
    mut setup: impl FnMut() -> I,
    mut routine: impl FnMut(I) -> O,
) {
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let input = setup();
                let start = Instant::now();
                let out = routine(input);
                total += start.elapsed();
                drop(black_box(out));
            }
            record(op, name, total.as_nanos() as f64 / iters as f64 / n as f64);
            total
        })
    });
}

struct Data<'a> {
    values: Vec<&'a str>,
    /// The stream as one newline-terminated buffer: what `internLines` and the data file hold.
    lines: Vec<u8>,
    /// The id each value must get: its distinct value's rank in first-seen order.
    expected: Vec<u32>,
    distinct: usize,
}

impl<'a> Data<'a> {
    fn new(strings: &'a Strings) -> Self {
        let values = strings.values();
        let mut lines = Vec::with_capacity(strings.stream_bytes() + values.len());
        for v in &values {
            lines.extend_from_slice(v.as_bytes());
            lines.push(b'\n');
        }
        let mut first_seen = vec![u32::MAX; strings.distinct.len()];
        let mut next = 0u32;
        let expected = strings
            .picks
            .iter()
            .map(|&pick| {
                let slot = &mut first_seen[pick as usize];
                if *slot == u32::MAX {
                    *slot = next;
                    next += 1;
                }
                *slot
            })
            .collect();
        Data { values, lines, expected, distinct: strings.distinct.len() }
    }
}

/// Contenders that fill a fresh structure and hand back one id per value.
fn ferrule_pool(data: &Data) -> StringPool {
    let mut pool = StringPool::new();
    pool.intern_many(&data.values).expect("intern_many");
    pool
}

fn sip_rodeo(data: &Data) -> (SipRodeo, Vec<Spur>) {
    let mut rodeo = SipRodeo::with_hasher(Default::default());
    let keys = data.values.iter().map(|v| rodeo.get_or_intern(v)).collect();
    (rodeo, keys)
}

fn ahash_rodeo(data: &Data) -> (AhashRodeo, Vec<Spur>) {
    let mut rodeo = AhashRodeo::with_hasher(ahash::RandomState::new());
    let keys = data.values.iter().map(|v| rodeo.get_or_intern(v)).collect();
    (rodeo, keys)
}

fn threaded_rodeo(data: &Data) -> (Threaded, Vec<Spur>) {
    let rodeo = Threaded::new();
    let keys = data.values.iter().map(|v| rodeo.get_or_intern(v)).collect();
    (rodeo, keys)
}

fn si_string(data: &Data) -> (SiString, Vec<DefaultSymbol>) {
    let mut si = SiString::new();
    let syms = data.values.iter().map(|v| si.get_or_intern(v)).collect();
    (si, syms)
}

fn si_buffer(data: &Data) -> (SiBuffer, Vec<DefaultSymbol>) {
    let mut si = SiBuffer::new();
    let syms = data.values.iter().map(|v| si.get_or_intern(v)).collect();
    (si, syms)
}

/// A fast wrong answer is not a result: every contender must give each value an id that
/// resolves back to it, with exactly one id per distinct value; ferrule's ids must also be the
/// documented first-seen order.
fn check(data: &Data) {
    fn round_trip<K: Copy + Ord>(name: &str, data: &Data, keys: &[K], resolve: impl Fn(K) -> String) {
        assert_eq!(keys.len(), data.values.len(), "{name}: one key per value");
        for (i, (&k, &v)) in keys.iter().zip(&data.values).enumerate() {
            assert_eq!(resolve(k), v, "{name}: value {i} does not resolve back");
        }
        let mut unique = keys.to_vec();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), data.distinct, "{name}: distinct ids");
    }
    let ferrule_ids =
        |name: &str, ids: &[u32]| assert!(ids == data.expected, "{name}: ids differ from first-seen order");

    let mut pool = StringPool::new();
    let ids = pool.intern_many(&data.values).expect("intern_many");
    ferrule_ids("StringPool::intern_many", &ids);
    round_trip("StringPool", data, &ids, |id| pool.resolve(id).expect("resolve").to_owned());
    let loop_ids: Vec<u32> = {
        let mut p = StringPool::new();
        data.values.iter().map(|v| p.intern(v).expect("intern")).collect()
    };
    ferrule_ids("StringPool::intern", &loop_ids);
    ferrule_ids(
        "StringPool::intern_many_par",
        &StringPool::new().intern_many_par(&data.values).expect("par"),
    );
    ferrule_ids(
        "StringPool::intern_split",
        &StringPool::new().intern_split(&data.lines, b'\n').expect("split"),
    );
    let concurrent = ConcurrentPool::new();
    ferrule_ids("ConcurrentPool::intern_many", &concurrent.intern_many(&data.values).expect("concurrent"));
    let frozen = pool.clone().freeze();
    for (i, v) in data.values.iter().enumerate() {
        assert_eq!(pool.get(v), Some(ids[i]), "StringPool::get");
        assert_eq!(frozen.get(v), Some(ids[i]), "FrozenPool::get");
        assert_eq!(frozen.resolve(ids[i]).expect("frozen resolve"), *v, "FrozenPool::resolve");
        assert_eq!(concurrent.get(v), Some(ids[i]), "ConcurrentPool::get");
    }
    let many = pool.resolve_many(&ids).expect("resolve_many");
    assert!(many.iter().zip(&data.values).all(|(a, b)| *a == b.as_bytes()), "resolve_many");

    let (rodeo, keys) = sip_rodeo(data);
    round_trip("Rodeo (SipHash)", data, &keys, |k| rodeo.resolve(&k).to_owned());
    assert!(keys.iter().map(|k| k.into_usize() as u32).eq(data.expected.iter().copied()));
    let (rodeo, keys) = ahash_rodeo(data);
    round_trip("Rodeo (ahash)", data, &keys, |k| rodeo.resolve(&k).to_owned());
    let (rodeo, keys) = threaded_rodeo(data);
    round_trip("ThreadedRodeo", data, &keys, |k| rodeo.resolve(&k).to_owned());
    let (si, syms) = si_string(data);
    round_trip("StringBackend", data, &syms, |s| si.resolve(s).expect("resolve").to_owned());
    let (si, syms) = si_buffer(data);
    round_trip("BufferBackend", data, &syms, |s| si.resolve(s).expect("resolve").to_owned());
}

fn intern(c: &mut Criterion, data: &Data) {
    let n = data.values.len();
    let mut group = c.benchmark_group("intern (1M values into an empty pool, 95% hits)");
    configure(&mut group, n);
    let values = &data.values;
    let out = || vec![0u32; n];

    bench(
        &mut group,
        "intern",
        "ferrule StringPool::intern loop",
        n,
        || (StringPool::new(), out()),
        |(mut p, mut ids)| {
            for (id, v) in ids.iter_mut().zip(values) {
                *id = p.intern(v).expect("intern");
            }
            (p, ids)
        },
    );
    bench(&mut group, "intern", "ferrule StringPool::intern_many", n, StringPool::new, |mut p| {
        let ids = p.intern_many(values).expect("intern_many");
        (p, ids)
    });
    bench(
        &mut group,
        "intern",
        "ferrule StringPool::intern_many_into",
        n,
        || (StringPool::new(), out()),
        |(mut p, mut ids)| {
            p.intern_many_into(values, &mut ids).expect("intern_many_into");
            (p, ids)
        },
    );
    bench(&mut group, "intern", "ferrule StringPool::intern_many_par", n, StringPool::new, |mut p| {
        let ids = p.intern_many_par(values).expect("intern_many_par");
        (p, ids)
    });
    bench(&mut group, "intern", "ferrule StringPool::intern_split", n, StringPool::new, |mut p| {
        let ids = p.intern_split(&data.lines, b'\n').expect("intern_split");
        (p, ids)
    });
    bench(&mut group, "intern", "ferrule ConcurrentPool::intern_many", n, ConcurrentPool::new, |p| {
        let ids = p.intern_many(values).expect("concurrent intern_many");
        (p, ids)
    });
    bench(
        &mut group,
        "intern",
        "lasso Rodeo (SipHash, default)",
        n,
        || (SipRodeo::with_hasher(Default::default()), out()),
        |(mut r, mut ids)| {
            for (id, v) in ids.iter_mut().zip(values) {
                *id = r.get_or_intern(v).into_usize() as u32;
            }
            (r, ids)
        },
    );
    bench(
        &mut group,
        "intern",
        "lasso Rodeo (ahash)",
        n,
        || (AhashRodeo::with_hasher(ahash::RandomState::new()), out()),
        |(mut r, mut ids)| {
            for (id, v) in ids.iter_mut().zip(values) {
                *id = r.get_or_intern(v).into_usize() as u32;
            }
            (r, ids)
        },
    );
    bench(
        &mut group,
        "intern",
        "lasso ThreadedRodeo (ahash)",
        n,
        || (Threaded::new(), out()),
        |(r, mut ids)| {
            for (id, v) in ids.iter_mut().zip(values) {
                *id = r.get_or_intern(v).into_usize() as u32;
            }
            (r, ids)
        },
    );
    bench(
        &mut group,
        "intern",
        "string-interner StringBackend",
        n,
        || (SiString::new(), out()),
        |(mut si, mut ids)| {
            for (id, v) in ids.iter_mut().zip(values) {
                *id = si.get_or_intern(v).to_usize() as u32;
            }
            (si, ids)
        },
    );
    bench(
        &mut group,
        "intern",
        "string-interner BufferBackend",
        n,
        || (SiBuffer::new(), out()),
        |(mut si, mut ids)| {
            for (id, v) in ids.iter_mut().zip(values) {
                *id = si.get_or_intern(v).to_usize() as u32;
            }
            (si, ids)
        },
    );
    group.finish();
}

/// Sums what it finds so that no lookup can be optimised away; every contender pays the same add.
fn get(c: &mut Criterion, data: &Data) {
    let n = data.values.len();
    let mut group = c.benchmark_group("get (1M lookups in a full pool, all hits)");
    configure(&mut group, n);
    let values = &data.values;
    let sum = |ids: &mut dyn Iterator<Item = Option<usize>>| {
        ids.map(|id| id.unwrap_or(usize::MAX)).fold(0usize, usize::wrapping_add)
    };

    let pool = ferrule_pool(data);
    bench(
        &mut group,
        "get",
        "ferrule StringPool::get",
        n,
        || (),
        |()| sum(&mut values.iter().map(|v| pool.get(v).map(|id| id as usize))),
    );
    let frozen: FrozenPool = ferrule_pool(data).freeze();
    bench(
        &mut group,
        "get",
        "ferrule FrozenPool::get",
        n,
        || (),
        |()| sum(&mut values.iter().map(|v| frozen.get(v).map(|id| id as usize))),
    );
    let concurrent = ConcurrentPool::new();
    concurrent.intern_many(values).expect("concurrent");
    bench(
        &mut group,
        "get",
        "ferrule ConcurrentPool::get",
        n,
        || (),
        |()| sum(&mut values.iter().map(|v| concurrent.get(v).map(|id| id as usize))),
    );
    let (sip, _) = sip_rodeo(data);
    bench(
        &mut group,
        "get",
        "lasso Rodeo (SipHash, default)",
        n,
        || (),
        |()| sum(&mut values.iter().map(|v| sip.get(v).map(Key::into_usize))),
    );
    let (rodeo, _) = ahash_rodeo(data);
    bench(
        &mut group,
        "get",
        "lasso Rodeo (ahash)",
        n,
        || (),
        |()| sum(&mut values.iter().map(|v| rodeo.get(v).map(Key::into_usize))),
    );
    let reader: RodeoReader<Spur, ahash::RandomState> = rodeo.into_reader();
    bench(
        &mut group,
        "get",
        "lasso RodeoReader (ahash)",
        n,
        || (),
        |()| sum(&mut values.iter().map(|v| reader.get(v).map(Key::into_usize))),
    );
    let (threaded, _) = threaded_rodeo(data);
    bench(
        &mut group,
        "get",
        "lasso ThreadedRodeo (ahash)",
        n,
        || (),
        |()| sum(&mut values.iter().map(|v| threaded.get(v).map(Key::into_usize))),
    );
    let (si, _) = si_string(data);
    bench(
        &mut group,
        "get",
        "string-interner StringBackend",
        n,
        || (),
        |()| sum(&mut values.iter().map(|v| si.get(v).map(|s| s.to_usize()))),
    );
    let (sib, _) = si_buffer(data);
    bench(
        &mut group,
        "get",
        "string-interner BufferBackend",
        n,
        || (),
        |()| sum(&mut values.iter().map(|v| sib.get(v).map(|s| s.to_usize()))),
    );
    group.finish();
}

/// Sums the resolved lengths so that no resolve can be optimised away.
fn resolve(c: &mut Criterion, data: &Data) {
    let n = data.values.len();
    let mut group = c.benchmark_group("resolve (1M ids of the stream back to strings)");
    configure(&mut group, n);

    let mut pool = StringPool::new();
    let ids = pool.intern_many(&data.values).expect("intern_many");
    let ids = &ids;
    bench(
        &mut group,
        "resolve",
        "ferrule StringPool::resolve",
        n,
        || (),
        |()| ids.iter().map(|&id| pool.resolve(id).expect("resolve").len()).sum::<usize>(),
    );
    bench(
        &mut group,
        "resolve",
        "ferrule StringPool::resolve_bytes",
        n,
        || (),
        |()| ids.iter().map(|&id| pool.resolve_bytes(id).expect("resolve_bytes").len()).sum::<usize>(),
    );
    bench(
        &mut group,
        "resolve",
        "ferrule StringPool::resolve_many",
        n,
        || (),
        |()| pool.resolve_many(ids).expect("resolve_many").iter().map(|v| v.len()).sum::<usize>(),
    );
    let frozen = pool.clone().freeze();
    bench(
        &mut group,
        "resolve",
        "ferrule FrozenPool::resolve",
        n,
        || (),
        |()| ids.iter().map(|&id| frozen.resolve(id).expect("resolve").len()).sum::<usize>(),
    );
    let concurrent = ConcurrentPool::new();
    concurrent.intern_many(&data.values).expect("concurrent");
    bench(
        &mut group,
        "resolve",
        "ferrule ConcurrentPool::resolve",
        n,
        || (),
        |()| ids.iter().map(|&id| concurrent.resolve(id).expect("resolve").len()).sum::<usize>(),
    );
    let (sip, keys) = sip_rodeo(data);
    let keys = &keys;
    bench(
        &mut group,
        "resolve",
        "lasso Rodeo",
        n,
        || (),
        |()| keys.iter().map(|k| sip.resolve(k).len()).sum::<usize>(),
    );
    let resolver: RodeoResolver<Spur> = sip.into_resolver();
    bench(
        &mut group,
        "resolve",
        "lasso RodeoResolver",
        n,
        || (),
        |()| keys.iter().map(|k| resolver.resolve(k).len()).sum::<usize>(),
    );
    let (threaded, keys) = threaded_rodeo(data);
    let keys = &keys;
    bench(
        &mut group,
        "resolve",
        "lasso ThreadedRodeo",
        n,
        || (),
        |()| keys.iter().map(|k| threaded.resolve(k).len()).sum::<usize>(),
    );
    let (si, syms) = si_string(data);
    let syms = &syms;
    bench(
        &mut group,
        "resolve",
        "string-interner StringBackend",
        n,
        || (),
        |()| syms.iter().map(|&s| si.resolve(s).expect("resolve").len()).sum::<usize>(),
    );
    let (sib, syms) = si_buffer(data);
    let syms = &syms;
    bench(
        &mut group,
        "resolve",
        "string-interner BufferBackend",
        n,
        || (),
        |()| syms.iter().map(|&s| sib.resolve(s).expect("resolve").len()).sum::<usize>(),
    );
    group.finish();
}

/// Each timed call is a whole 1M-value pass (1-100 ms): flat sampling with ten samples needs far
/// fewer calls than criterion's default linear ramp, which keeps the run near 2 minutes on 2
/// cores.
fn configure(group: &mut BenchmarkGroup<'_, WallTime>, n: usize) {
    group.throughput(Throughput::Elements(n as u64));
    group.sampling_mode(SamplingMode::Flat);
}

fn median(xs: &[f64]) -> f64 {
    let mut xs = xs.to_vec();
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// One table per operation: median ns/string over every timed call (warm-up included, which the
/// median shrugs off), the ratio to ferrule's reference (above 1.00x: slower than ferrule), and
/// the goals. The minimum is printed too: on a shared machine other work can only add time, so
/// when the two disagree much the run was disturbed and is worth repeating.
fn summary() {
    let samples = SAMPLES.lock().unwrap_or_else(|e| e.into_inner());
    if samples.is_empty() {
        return;
    }
    println!("\n== pool summary: median ns per string (ratio: time / ferrule reference)");
    for (op, rows) in samples.iter() {
        let reference = REFERENCE.iter().find(|(o, _)| o == op).map(|(_, name)| *name);
        let base = reference.and_then(|r| rows.iter().find(|(n, _)| n == r)).map(|(_, s)| median(s));
        println!("\n{op}{}", reference.map(|r| format!("  (reference: {r})")).unwrap_or_default());
        println!("{:<42} {:>12} {:>10} {:>10}", "contender", "ns/string", "ratio", "min");
        for (name, s) in rows {
            let m = median(s);
            let min = s.iter().copied().fold(f64::INFINITY, f64::min);
            let ratio = base.map(|b| format!("{:.2}x", m / b)).unwrap_or_default();
            println!("{name:<42} {m:>12.2} {ratio:>10} {min:>10.2}");
        }
    }
    println!();
    for (op, name, limit) in GOALS {
        let rows = samples.iter().find(|(o, _)| *o == op).map(|(_, rows)| rows);
        if let Some((_, s)) = rows.and_then(|rows| rows.iter().find(|(n, _)| n == name)) {
            let m = median(s);
            let verdict = if m <= limit { "met" } else { "MISSED" };
            println!("goal: {op} <= {limit} ns/string ({name}): {m:.2} ns, {verdict}");
        }
    }
}

fn main() {
    let strings = Strings::issue();
    let data = Data::new(&strings);
    check(&data);
    let mut c = Criterion::default()
        .sample_size(10)
        // Ten samples need no 100,000 bootstrap resamples; the default costs ~1 s per bench.
        .nresamples(10_000)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    intern(&mut c, &data);
    get(&mut c, &data);
    resolve(&mut c, &data);
    c.final_summary();
    summary();
}
