//! ferrule's own rayon thread pools, so a caller can bound the threads of one batch call
//! (`threads=` in Python, `threads` in Node and C) without touching rayon's global pool or the
//! host's OpenMP/BLAS threads.

use crate::{Error, Result};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Pools are kept for reuse, at most this many sizes (a caller sweeping thread counts must not
/// leak a pool per call).
const MAX_POOLS: usize = 16;

/// Runs `work` with at most `threads` rayon threads: `None` or `Some(0)` means rayon's global
/// pool (all cores, or `RAYON_NUM_THREADS`); `Some(n)` a pool of `n` threads, created on first
/// use and reused by later calls with the same `n`.
pub fn with_threads<R: Send>(threads: Option<usize>, work: impl FnOnce() -> R + Send) -> Result<R> {
    let n = match threads {
        None | Some(0) => return Ok(work()),
        Some(n) => n,
    };
    if n > 1024 {
        return Err(Error::invalid_argument(format!("threads = {n}: at most 1024")));
    }
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<rayon::ThreadPool>>>> = OnceLock::new();
    let pool = {
        let mut pools = POOLS
            .get_or_init(Default::default)
            .lock()
            .map_err(|_| Error::internal("thread pools poisoned"))?;
        match pools.get(&n) {
            Some(pool) => Arc::clone(pool),
            None => {
                let pool = Arc::new(
                    rayon::ThreadPoolBuilder::new()
                        .num_threads(n)
                        .thread_name(|i| format!("ferrule-{i}"))
                        .build()
                        .map_err(|e| Error::internal(format!("cannot start {n} threads: {e}")))?,
                );
                if pools.len() < MAX_POOLS {
                    pools.insert(n, Arc::clone(&pool));
                }
                pool
            }
        }
    };
    Ok(pool.install(work))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_work_runs_on_the_requested_number_of_threads() {
        assert_eq!(with_threads(Some(1), rayon::current_num_threads).unwrap(), 1);
        assert_eq!(with_threads(Some(3), rayon::current_num_threads).unwrap(), 3);
        assert_eq!(with_threads(None, || 7).unwrap(), 7);
        assert_eq!(with_threads(Some(0), rayon::current_num_threads).unwrap(), rayon::current_num_threads());
        assert_eq!(with_threads(Some(5000), || ()).unwrap_err().code(), "FERRULE_INVALID_ARGUMENT");
    }
}
