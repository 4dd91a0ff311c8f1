//! Allocation that fails with an error instead of aborting the process.
//!
//! An output sized by the caller's input (a `cdist` of two large matrices, a top-k over many
//! queries) can ask for terabytes. `vec![x; n]` aborts the whole host process when the allocator
//! refuses; these helpers turn that into `FERRULE_CAPACITY`, before anything is written.

use crate::error::{Error, Result};

/// `n` copies of `value`, or `FERRULE_CAPACITY` when `n` elements of `T` cannot be allocated
/// (their size overflows `usize` or the allocator refuses).
pub fn try_filled<T: Clone>(n: usize, value: T) -> Result<Vec<T>> {
    let mut out = try_reserved(n)?;
    out.resize(n, value);
    Ok(out)
}

/// Whether `n` elements of `T` can be allocated now: reserved and released at once. For outputs
/// that another allocator makes (CPython's tuples and lists), which abort or panic rather than
/// fail when the request is impossible: ask here first and get `FERRULE_CAPACITY` instead.
pub fn check_room<T>(n: usize) -> Result<()> {
    try_reserved::<T>(n).map(drop)
}

/// An empty vector with room for `n` elements of `T`, or `FERRULE_CAPACITY`.
pub fn try_reserved<T>(n: usize) -> Result<Vec<T>> {
    let mut out = Vec::new();
    out.try_reserve_exact(n).map_err(|_| {
        Error::capacity(format!("cannot allocate {n} elements of {} bytes", std::mem::size_of::<T>()))
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_requests_are_filled() {
        assert_eq!(try_filled(3, 7u8).unwrap(), vec![7, 7, 7]);
        assert!(try_filled(0, 1.5f32).unwrap().is_empty());
    }

    #[test]
    fn impossible_requests_are_capacity_errors_not_aborts() {
        // Overflows usize in bytes, and needs 2^60 bytes: both must come back as errors.
        for n in [usize::MAX, usize::MAX / 8, 1 << 57] {
            let err = try_filled(n, 0u64).unwrap_err();
            assert_eq!(err.code(), "FERRULE_CAPACITY", "{n}");
            assert!(err.message().contains(&n.to_string()), "{}", err.message());
            assert_eq!(check_room::<u64>(n).unwrap_err().code(), "FERRULE_CAPACITY");
            assert_eq!(try_reserved::<u8>(n.saturating_mul(8)).unwrap_err().code(), "FERRULE_CAPACITY");
        }
        check_room::<u64>(1 << 20).unwrap();
        assert!(try_reserved::<u16>(10).unwrap().capacity() >= 10);
    }
}
