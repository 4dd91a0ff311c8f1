//! The string pool against a `HashMap` model, under forced hash collisions, at its limits, in
//! parallel, and through its binary format (every truncation, bit flips).

// Helpers outside #[test] fns are test code too (clippy.toml only exempts the fns themselves).
#![allow(clippy::unwrap_used)]

use ferrule_core::pool::{ArrowValues, ConcurrentPool, FrozenPool, Limits, StringPool};
use proptest::prelude::*;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

/// A hasher that sends every value to the same bucket: only byte comparison tells values apart.
#[derive(Clone, Default)]
struct OneBucket;

struct ZeroHasher;

impl Hasher for ZeroHasher {
    fn finish(&self) -> u64 {
        0
    }
    fn write(&mut self, _: &[u8]) {}
}

impl BuildHasher for OneBucket {
    type Hasher = ZeroHasher;
    fn build_hasher(&self) -> ZeroHasher {
        ZeroHasher
    }
}

/// A deterministic stream of values with repeats, some not UTF-8, one empty.
fn sample(n: usize, distinct: u64) -> Vec<Vec<u8>> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let k = state % distinct;
            match k % 7 {
                0 => Vec::new(),
                1 => vec![0xff, 0xfe, k as u8],
                _ => format!("value-{k}-{}", "x".repeat((k % 40) as usize)).into_bytes(),
            }
        })
        .collect()
}

fn check_against_model<S: BuildHasher>(pool: &mut StringPool<S>, values: &[Vec<u8>]) {
    let mut model: HashMap<Vec<u8>, u32> = HashMap::new();
    for value in values {
        let expected = model.len() as u32;
        let expected = *model.entry(value.clone()).or_insert(expected);
        assert_eq!(pool.intern_bytes(value).unwrap(), expected);
    }
    assert_eq!(pool.len(), model.len());
    for (value, &id) in &model {
        assert_eq!(pool.get_bytes(value), Some(id));
        assert_eq!(pool.resolve_bytes(id).unwrap(), &value[..]);
        assert_eq!(pool.is_utf8(id), std::str::from_utf8(value).is_ok());
    }
}

proptest! {
    #[test]
    fn pool_matches_a_hashmap_model(values in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..12), 0..300)) {
        check_against_model(&mut StringPool::new(), &values);
        check_against_model(&mut StringPool::with_hasher(OneBucket), &values);
        let mut pool = StringPool::new();
        let ids = pool.intern_many(&values).unwrap();
        let concurrent = ConcurrentPool::new();
        prop_assert_eq!(concurrent.intern_many(&values).unwrap(), ids.clone());
        let round_trip = StringPool::from_bytes(&pool.to_bytes()).unwrap();
        for (value, id) in values.iter().zip(&ids) {
            prop_assert_eq!(round_trip.get_bytes(value), Some(*id));
            prop_assert_eq!(concurrent.resolve_bytes(*id).unwrap(), &value[..]);
        }
    }

    #[test]
    fn str_api_agrees_with_bytes_api(values in prop::collection::vec(".{0,8}", 0..100)) {
        let mut pool = StringPool::new();
        for value in &values {
            let id = pool.intern(value).unwrap();
            prop_assert_eq!(pool.resolve(id).unwrap(), value.as_str());
            prop_assert_eq!(pool.get_bytes(value.as_bytes()), Some(id));
        }
        prop_assert!(pool.all_utf8());
    }
}

#[test]
fn forced_collisions_still_give_distinct_ids_for_distinct_values() {
    let mut pool = StringPool::with_hasher(OneBucket);
    let values: Vec<String> = (0..2000).map(|i| format!("v{i}")).collect();
    let ids: Vec<u32> = values.iter().map(|v| pool.intern(v).unwrap()).collect();
    assert_eq!(ids, (0..2000).collect::<Vec<u32>>());
    for (value, id) in values.iter().zip(&ids) {
        assert_eq!(pool.intern(value).unwrap(), *id);
        assert_eq!(pool.resolve(*id).unwrap(), value);
    }
    assert_eq!(pool.get("v2000"), None);
}

#[test]
fn empty_long_and_non_utf8_values() {
    let mut pool = StringPool::new();
    let empty = pool.intern("").unwrap();
    let long = "é".repeat(3 << 20);
    let long_id = pool.intern(&long).unwrap();
    let raw = pool.intern_bytes(&[b'a', 0xc3, 0x28]).unwrap();
    assert_eq!((empty, long_id, raw), (0, 1, 2));
    assert_eq!(pool.resolve(0).unwrap(), "");
    assert_eq!(pool.resolve(1).unwrap(), long);
    assert_eq!(pool.resolve_bytes(2).unwrap(), [b'a', 0xc3, 0x28]);
    let err = pool.resolve(2).unwrap_err();
    assert_eq!(err.code(), "FERRULE_INVALID_UTF8");
    assert!(err.message().contains("byte 1"), "{err}");
    assert!(!pool.all_utf8());
    assert_eq!(pool.intern("").unwrap(), 0);
    let err = pool.resolve_bytes(3).unwrap_err();
    assert_eq!(err.code(), "FERRULE_OUT_OF_RANGE");
    assert_eq!(pool.resolve_bytes(u32::MAX).unwrap_err().code(), "FERRULE_OUT_OF_RANGE");
    assert_eq!(pool.offsets(), [0, 0, 6 << 20, (6 << 20) + 3]);

    let shared = ConcurrentPool::new();
    assert_eq!(shared.intern_many(&[&b""[..], long.as_bytes(), &[b'a', 0xc3, 0x28]]).unwrap(), [0, 1, 2]);
    assert_eq!(shared.resolve(0).unwrap(), "");
    assert_eq!(shared.resolve(1).unwrap(), long);
    assert_eq!(shared.resolve(2).unwrap_err().code(), "FERRULE_INVALID_UTF8");
    assert_eq!(shared.resolve_bytes(2).unwrap(), [b'a', 0xc3, 0x28]);
    assert_eq!(shared.resolve(3).unwrap_err().code(), "FERRULE_OUT_OF_RANGE");
}

#[test]
fn limits_give_capacity_errors_and_keep_what_was_accepted() {
    let mut pool = StringPool::new().with_limits(Limits::new(3, 10));
    let ids = pool.intern_many(&["a", "b", "a", "c"]).unwrap();
    assert_eq!(ids, [0, 1, 0, 2]);
    let err = pool.intern("d").unwrap_err();
    assert_eq!(err.code(), "FERRULE_CAPACITY");
    assert_eq!(pool.intern("b").unwrap(), 1, "hits still work when full");
    let mut bytes = StringPool::new().with_limits(Limits::new(100, 10));
    bytes.intern("0123456789").unwrap();
    assert_eq!(bytes.intern("x").unwrap_err().code(), "FERRULE_CAPACITY");
    let mut out = [9u32; 3];
    let err = pool.intern_many_into(&["c", "zz", "a"], &mut out).unwrap_err();
    assert_eq!(err.code(), "FERRULE_CAPACITY");
    assert_eq!(out[0], 2);
    assert_eq!(pool.len(), 3);
    assert_eq!(pool.iter().collect::<Vec<_>>(), [b"a" as &[u8], b"b", b"c"]);
    assert_eq!(pool.intern_many_into(&["a"], &mut out).unwrap_err().code(), "FERRULE_LENGTH_MISMATCH");

    let shared = ConcurrentPool::new().with_limits(Limits::new(2, 4));
    assert_eq!(shared.intern_many(&["ab", "cd", "ab"]).unwrap(), [0, 1, 0]);
    assert_eq!(shared.intern("e").unwrap_err().code(), "FERRULE_CAPACITY");
    let shared = ConcurrentPool::new().with_limits(Limits::new(10, 4));
    shared.intern("abc").unwrap();
    assert_eq!(shared.intern("de").unwrap_err().code(), "FERRULE_CAPACITY");
    assert_eq!(shared.intern("d").unwrap(), 1, "a refused value leaves no hole in the ids");
    assert_eq!(shared.len(), 2);
}

#[test]
fn parallel_batches_give_exactly_the_sequential_ids() {
    let values = sample(300_000, 20_000);
    let mut sequential = StringPool::new();
    let expected = sequential.intern_many(&values).unwrap();
    let mut parallel = StringPool::with_seed(7);
    assert_eq!(parallel.intern_many_par(&values).unwrap(), expected);
    assert_eq!(parallel.iter().collect::<Vec<_>>(), sequential.iter().collect::<Vec<_>>());
    let concurrent = ConcurrentPool::with_seed(7);
    assert_eq!(concurrent.intern_many(&values).unwrap(), expected);
    // A second batch over a non-empty pool.
    let more = sample(100_000, 40_000);
    assert_eq!(parallel.intern_many_par(&more).unwrap(), sequential.intern_many(&more).unwrap());
    assert_eq!(concurrent.intern_many(&more).unwrap(), sequential.intern_many(&more).unwrap());
}

#[test]
fn arrow_values_and_split_lines() {
    let data = b"GET\nPOST\nGET\r\n\nPUT\n";
    let mut pool = StringPool::new();
    assert_eq!(pool.intern_split(data, b'\n').unwrap(), [0, 1, 0, 2, 3]);
    assert_eq!(pool.resolve(2).unwrap(), "");
    let arrow = ArrowValues::new(&[0i64, 4, 7, 10][..], b"POSTPUTGET").unwrap();
    assert_eq!(pool.intern_many(&arrow).unwrap(), [1, 3, 0]);
    let concurrent = ConcurrentPool::new();
    assert_eq!(concurrent.intern_split(data, b'\n').unwrap(), [0, 1, 0, 2, 3]);
}

#[test]
fn merge_remaps_the_other_pools_ids() {
    let mut left = StringPool::new();
    left.intern_many(&["a", "b"]).unwrap();
    let mut right = StringPool::with_hasher(OneBucket);
    right.intern_many(&["c", "a", "d"]).unwrap();
    assert_eq!(left.merge(&right).unwrap(), [2, 0, 3]);
    assert_eq!(left.len(), 4);
}

#[test]
fn frozen_pools_are_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<FrozenPool>();
    assert_send_sync::<ConcurrentPool>();
    let mut pool = StringPool::new();
    let values = sample(10_000, 1_000);
    let ids = pool.intern_many(&values).unwrap();
    let frozen = pool.freeze();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            let frozen = frozen.clone();
            let (values, ids) = (&values, &ids);
            scope.spawn(move || {
                for (value, &id) in values.iter().zip(ids) {
                    assert_eq!(frozen.get_bytes(value), Some(id));
                    assert_eq!(frozen.resolve_bytes(id).unwrap(), &value[..]);
                }
            });
        }
    });
    let thawed = frozen.to_pool();
    assert_eq!(thawed.len(), frozen.len());
    assert_eq!(FrozenPool::from_bytes(&frozen.to_bytes()).unwrap().len(), frozen.len());
}

#[test]
fn eight_threads_interning_at_once_agree_on_every_id() {
    let pool = ConcurrentPool::new();
    let values = sample(40_000, 5_000);
    let results: Vec<Vec<u32>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let (pool, values) = (&pool, &values);
                scope.spawn(move || {
                    // Each thread walks the values from a different start, half singly, half in
                    // batches, while reading back what it got.
                    let mut rotated: Vec<&[u8]> = values.iter().map(Vec::as_slice).collect();
                    rotated.rotate_left(t * 5_000);
                    let mut ids = if t % 2 == 0 {
                        rotated.iter().map(|v| pool.intern_bytes(v).unwrap()).collect()
                    } else {
                        pool.intern_many(&rotated).unwrap()
                    };
                    for (v, &id) in rotated.iter().zip(&ids) {
                        assert_eq!(pool.resolve_bytes(id).unwrap(), *v);
                    }
                    ids.rotate_right(t * 5_000);
                    ids
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for ids in &results[1..] {
        assert_eq!(ids, &results[0]);
    }
    let distinct: std::collections::HashSet<&Vec<u8>> = values.iter().collect();
    assert_eq!(pool.len(), distinct.len());
    let snapshot = pool.snapshot().unwrap();
    for (value, &id) in values.iter().zip(&results[0]) {
        assert_eq!(snapshot.get_bytes(value), Some(id));
    }
}

#[test]
fn serialization_round_trips_keep_ids() {
    let mut pool = StringPool::new();
    let values = sample(5_000, 800);
    let ids = pool.intern_many(&values).unwrap();
    let data = pool.to_bytes();
    assert_eq!(pool.serialized_len(), data.len());
    let back = StringPool::from_bytes(&data).unwrap();
    assert_eq!(back.iter().collect::<Vec<_>>(), pool.iter().collect::<Vec<_>>());
    for (value, &id) in values.iter().zip(&ids) {
        assert_eq!(back.get_bytes(value), Some(id));
    }
    assert_eq!(back.is_utf8(1), pool.is_utf8(1));
    let concurrent = ConcurrentPool::from_bytes(&data).unwrap();
    assert_eq!(concurrent.to_bytes(), data, "every pool kind writes the same bytes");
    assert_eq!(concurrent.serialized_len(), data.len());
    let dir = std::env::temp_dir().join(format!("ferrule-pool-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("pool.bin");
    pool.save(&path).unwrap();
    assert_eq!(StringPool::load(&path).unwrap().to_bytes(), data);
    assert_eq!(ConcurrentPool::load(&path).unwrap().len(), pool.len());
    let err = StringPool::load(dir.join("missing.bin")).unwrap_err();
    assert_eq!(err.code(), "FERRULE_IO");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_truncation_and_bit_flip_is_corrupt() {
    let mut pool = StringPool::new();
    pool.intern_many(&["", "alpha", "beta", "gamma delta", "\u{1f600}"]).unwrap();
    pool.intern_bytes(&[0xff, 0x00]).unwrap();
    let data = pool.to_bytes();
    for len in 0..data.len() {
        let err = StringPool::from_bytes(&data[..len]).unwrap_err();
        assert_eq!(err.code(), "FERRULE_CORRUPT", "truncated to {len}");
    }
    let mut padded = data.clone();
    padded.push(0);
    assert_eq!(StringPool::from_bytes(&padded).unwrap_err().code(), "FERRULE_CORRUPT");
    for bit in 0..data.len() * 8 {
        let mut damaged = data.clone();
        damaged[bit / 8] ^= 1 << (bit % 8);
        let err = StringPool::from_bytes(&damaged).unwrap_err();
        assert_eq!(err.code(), "FERRULE_CORRUPT", "bit {bit}");
        assert_eq!(ConcurrentPool::from_bytes(&damaged).unwrap_err().code(), "FERRULE_CORRUPT");
    }
}

#[test]
fn duplicate_values_in_a_well_formed_file_are_corrupt() {
    use ferrule_core::pool::format::encode;
    let data = encode(&[0, 1, 2], b"aa");
    let err = StringPool::from_bytes(&data).unwrap_err();
    assert_eq!(err.code(), "FERRULE_CORRUPT");
    assert!(err.message().contains("twice"), "{err}");
}

proptest! {
    #[test]
    fn random_damage_never_panics(flips in prop::collection::vec((any::<usize>(), any::<u8>()), 1..8), cut in any::<usize>()) {
        let mut pool = StringPool::new();
        pool.intern_many(&sample(200, 50)).unwrap();
        let mut data = pool.to_bytes();
        for (at, mask) in flips {
            let at = at % data.len();
            data[at] ^= mask.max(1);
        }
        data.truncate(cut % (data.len() + 1));
        // Almost surely corrupt; must never panic either way.
        if let Err(err) = StringPool::from_bytes(&data) {
            prop_assert_eq!(err.code(), "FERRULE_CORRUPT");
        }
    }
}

#[test]
fn memory_stays_small_per_distinct_value() {
    let values: Vec<String> = (0..50_000).map(|i| format!("{i:032}")).collect();
    let mut pool = StringPool::new();
    pool.intern_many(&values).unwrap();
    let payload = pool.values_bytes().len();
    let overhead = (pool.memory_usage() - payload) as f64 / 50_000.0;
    assert!(overhead < 40.0, "{overhead} bytes of overhead per value");
    let frozen = pool.freeze();
    let frozen_overhead = (frozen.memory_usage() - payload) as f64 / 50_000.0;
    assert!(frozen_overhead <= overhead, "{frozen_overhead} > {overhead}");
    assert!(frozen_overhead < 16.0, "{frozen_overhead}");
}

#[test]
fn every_id_below_len_resolves_while_others_insert() {
    let pool = ConcurrentPool::new();
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        for t in 0..3u32 {
            let (pool, done) = (&pool, &done);
            scope.spawn(move || {
                for i in 0..20_000u32 {
                    pool.intern(&format!("{t}-{i}")).unwrap();
                }
                if t == 0 {
                    done.store(true, std::sync::atomic::Ordering::Release);
                }
            });
        }
        let (pool, done) = (&pool, &done);
        scope.spawn(move || {
            while !done.load(std::sync::atomic::Ordering::Acquire) {
                let len = pool.len();
                for id in len.saturating_sub(64)..len {
                    assert!(pool.resolve_bytes(id as u32).is_ok(), "id {id} < len {len} must resolve");
                }
            }
        });
    });
    assert_eq!(pool.len(), 60_000);
}
