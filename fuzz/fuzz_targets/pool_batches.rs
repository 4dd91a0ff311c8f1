//! Arbitrary batches through every batch entry point (Arrow offsets, separator splitting, the
//! sequential, parallel and concurrent pools), checked against one another and against the
//! values themselves.
#![no_main]

use ferrule_core::pool::{ArrowValues, ConcurrentPool, StringPool, split_values};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, Vec<i32>, Vec<u8>)| {
    let (separator, offsets, data) = input;
    // Arrow offsets from the fuzzer: either rejected cleanly or safe to read.
    if let Ok(values) = ArrowValues::new(&offsets[..], &data) {
        let mut pool = StringPool::new();
        let ids = pool.intern_many(&values).expect("no limits reached");
        let shared = ConcurrentPool::new();
        assert_eq!(shared.intern_many(&values).expect("no limits reached"), ids);
        for (i, &id) in ids.iter().enumerate() {
            let expected = &data[offsets[i] as usize..offsets[i + 1] as usize];
            assert_eq!(pool.resolve_bytes(id).expect("id in range"), expected);
        }
    }
    let lines = split_values(&data, separator);
    let mut sequential = StringPool::new();
    let expected = sequential.intern_many(&lines).expect("no limits reached");
    let mut parallel = StringPool::new();
    assert_eq!(parallel.intern_split(&data, separator).expect("no limits reached"), expected);
    assert_eq!(ConcurrentPool::new().intern_split(&data, separator).expect("no limits reached"), expected);
});
