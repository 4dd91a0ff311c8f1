//! Allocation that fails with an error instead of aborting the process.
//!
//! An output sized by the caller's input (a `cdist` of two large matrices, a top-k over many
//! queries) can ask for terabytes. `vec![x; n]` aborts the whole host process when the allocator
//! refuses; these helpers turn that into `FERRULE_CAPACITY`, before anything is written.

use crate::error::{Error, Result};

/// `n` copies of `value`, or `FERRULE_CAPACITY` when `n` elements of `T` cannot be allocated
/// (their size overflows `usize` or the allocator refuses).
pub fn try_filled<T: Clone>(n: usize, value: T) -> Result<Vec<T>> {
    let mut out = Vec::new();
    out.try_reserve_exact(n).map_err(|_| {
        Error::capacity(format!(
            "cannot allocate {n} elements of {} bytes for the output",
            std::mem::size_of::<T>()
        ))
    })?;
    out.resize(n, value);
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
        }
    }
}
