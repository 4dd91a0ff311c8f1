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
//!
//! ```
//! use ferrule_core::pool::StringPool;
//!
//! let mut pool = StringPool::new();
//! let ids = pool.intern_many(&["GET", "POST", "GET"])?;
//! assert_eq!(ids, [0, 1, 0]);
//! assert_eq!(pool.resolve(1)?, "POST");
//! assert_eq!(pool.get("PUT"), None);
//!
//! // Arrow layout: the dictionary is one values buffer plus offsets.
//! assert_eq!(pool.values_bytes(), b"GETPOST");
//! assert_eq!(pool.offsets(), [0, 3, 7]);
//!
//! let copy = StringPool::from_bytes(&pool.to_bytes())?;
//! assert_eq!(copy.get("POST"), Some(1));
//! # Ok::<(), ferrule_core::Error>(())
//! ```

mod arena;
mod batch;
mod concurrent;
pub mod format;
mod frozen;
mod string_pool;
mod values;

pub use concurrent::ConcurrentPool;
pub use frozen::FrozenPool;
pub use string_pool::{Limits, StringPool};
pub use values::{ArrowOffset, ArrowValues, ByteValues, split_values};
