//! Parallel deduplication of a batch: the step that lets long batches use every core and still
//! get exactly the ids a sequential pass gives.
//!
//! The batch is cut into chunks; each chunk finds its distinct values (in first-seen order) on
//! its own core, hashing every value once. The pool then only has to see each chunk's distinct
//! values, in chunk order, which is the batch's first-seen order: so the ids are the sequential
//! ones, and the pool (shared, or behind locks) sees far fewer lookups.

use super::values::ByteValues;
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use rayon::prelude::*;
use std::hash::BuildHasher;

/// Batches shorter than this are interned on the calling thread.
pub(crate) const PARALLEL_MIN_VALUES: usize = 32 * 1024;

/// Whether a batch of `n` values is worth splitting across threads.
pub(crate) fn worth_parallel(n: usize) -> bool {
    n >= PARALLEL_MIN_VALUES && rayon::current_num_threads() > 1
}

/// One chunk of a batch, deduplicated.
pub(crate) struct Chunk {
    /// For each value of the chunk, the index of its first occurrence in `firsts`.
    pub local_ids: Vec<u32>,
    /// The chunk's distinct values in first-seen order: (index in the batch, hash).
    pub firsts: Vec<(usize, u64)>,
}

/// Deduplicates `values` chunk by chunk, on all cores, hashing with `hasher` (the pool's, so
/// that the pool can reuse the hashes).
pub(crate) fn dedupe<V: ByteValues + ?Sized, S: BuildHasher + Sync>(values: &V, hasher: &S) -> Vec<Chunk> {
    let n = values.len();
    let chunk = n.div_ceil(rayon::current_num_threads() * 4).max(PARALLEL_MIN_VALUES / 4);
    let starts: Vec<usize> = (0..n).step_by(chunk).collect();
    starts
        .into_par_iter()
        .map(|start| {
            let end = (start + chunk).min(n);
            let mut table: HashTable<u32> = HashTable::new();
            let mut firsts: Vec<(usize, u64)> = Vec::new();
            let mut local_ids = Vec::with_capacity(end - start);
            for i in start..end {
                let value = values.value(i);
                let hash = hasher.hash_one(value);
                let entry = table.entry(
                    hash,
                    |&local| values.value(firsts[local as usize].0) == value,
                    |&local| firsts[local as usize].1,
                );
                let local = match entry {
                    Entry::Occupied(found) => *found.get(),
                    Entry::Vacant(slot) => {
                        // A chunk holds fewer than u32::MAX values (batches index with usize,
                        // but a chunk is at most n / threads and pools stop at i32::MAX ids).
                        let local = firsts.len() as u32;
                        firsts.push((i, hash));
                        slot.insert(local);
                        local
                    }
                };
                local_ids.push(local);
            }
            Chunk { local_ids, firsts }
        })
        .collect()
}

/// Writes the final ids: value `start + j` of each chunk gets `remap[local_ids[j]]`.
pub(crate) fn remap(chunks: &[Chunk], remaps: &[Vec<u32>], out: &mut [u32]) {
    let mut rest = out;
    let mut pieces = Vec::with_capacity(chunks.len());
    for chunk in chunks {
        let (piece, tail) = rest.split_at_mut(chunk.local_ids.len());
        pieces.push(piece);
        rest = tail;
    }
    pieces.into_par_iter().zip(chunks.par_iter().zip(remaps.par_iter())).for_each(
        |(piece, (chunk, remap))| {
            for (id, &local) in piece.iter_mut().zip(&chunk.local_ids) {
                *id = remap[local as usize];
            }
        },
    );
}
