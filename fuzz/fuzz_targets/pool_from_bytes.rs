//! Any bytes handed to a pool reader: a clean `FERRULE_CORRUPT` or a pool that round-trips,
//! never a panic or an out-of-bounds read (AddressSanitizer watches).
#![no_main]

use ferrule_core::pool::{ConcurrentPool, StringPool};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match StringPool::from_bytes(data) {
        Ok(pool) => {
            // Accepted input is canonical: writing it back gives the same bytes, and every kind
            // of pool reads it the same way.
            assert_eq!(pool.to_bytes(), data);
            let shared = ConcurrentPool::from_bytes(data).expect("StringPool accepted it");
            assert_eq!(shared.len(), pool.len());
            for (id, value) in pool.iter().enumerate() {
                assert_eq!(pool.get_bytes(value), Some(id as u32));
                assert_eq!(shared.resolve_bytes(id as u32).expect("id in range"), value);
            }
        }
        Err(err) => assert_eq!(err.code(), "FERRULE_CORRUPT"),
    }
});
