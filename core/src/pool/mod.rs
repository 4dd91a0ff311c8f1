//! The string pool: dictionary encoding of repeated strings.
//!
//! - [`StringPool`]: single-threaded, Arrow layout (values buffer + offsets), the fastest.
//! - [`FrozenPool`]: a finished pool, immutable and cheaply shared across threads.
//! - [`ConcurrentPool`]: sharded locks, for many threads interning at once (what the bindings
//!   use); its values never move, so resolved slices stay valid while others insert.
//!
//! Every kind gives dense `u32` ids in first-seen order from 0, compares bytes on lookup (equal
//! ids mean equal bytes, whatever the hash does), reports `FERRULE_CAPACITY` instead of
//! overflowing, and round-trips through one versioned binary format (`format.rs`).

mod arena;
mod concurrent;
pub mod format;
mod frozen;
mod string_pool;
mod values;

pub use concurrent::ConcurrentPool;
pub use frozen::FrozenPool;
pub use string_pool::{Limits, StringPool};
pub use values::{ArrowOffset, ArrowValues, ByteValues, split_values};
