//! `ConcurrentPool`: a string pool many threads intern into at once.
//!
//! Values are spread over shards by hash, each behind its own `RwLock` (lookups share it, an
//! insert takes it briefly), so there is no global lock. Ids stay dense: a global counter hands
//! them out under the inserting shard's lock. A lock-free directory maps id -> value; values sit
//! in per-shard arenas and never move, so `resolve` takes no lock and its slices stay valid for
//! the pool's lifetime, even while other threads insert.

use super::arena::{Arena, AtomicStable, Stable};
use super::string_pool::{Limits, StringPool, check_out_len, io_error, not_utf8, seeded_hasher, unknown_id};
use super::values::{ByteValues, split_values};
use super::{FrozenPool, batch, format};
use crate::Result;
use ahash::RandomState;
use hashbrown::HashTable;
use rayon::prelude::*;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

const SHARD_COUNT: usize = 16;

/// Marks "not found yet" in a batch's id buffer; ids never reach it (at most `i32::MAX`).
const MISSING: u32 = u32::MAX;

/// Up to this many new values in a batch are inserted one shard lock at a time; more take every
/// shard's lock once.
const FEW_MISSES: usize = 64;

/// The shard of a hash. Bits 48..52: hashbrown uses the low bits for the bucket and the top 7
/// for its tag, so taking either for the shard would skew every shard's table.
fn shard_of(hash: u64) -> usize {
    (hash >> 48) as usize % SHARD_COUNT
}

#[derive(Default)]
struct Shard {
    /// Global ids; their values are read through the directory.
    table: HashTable<u32>,
    arena: Arena,
}

impl Shard {
    fn find(&self, directory: &Directory, hash: u64, value: &[u8]) -> Option<u32> {
        self.table.find(hash, |&id| directory.bytes(id) == value).copied()
    }
}

/// The id -> value map, readable without locks: segment `k` holds `FIRST << k` slots, allocated
/// on first use, each written once.
struct Directory {
    segments: [OnceLock<Box<[AtomicStable]>>; 32],
}

impl Directory {
    const FIRST_BITS: u32 = 10;

    fn locate(id: u32) -> (usize, usize) {
        let k = id as usize + (1 << Self::FIRST_BITS);
        let segment = (usize::BITS - 1 - k.leading_zeros() - Self::FIRST_BITS) as usize;
        (segment, k - (1 << (segment + Self::FIRST_BITS as usize)))
    }

    /// The value of `id` and whether it is UTF-8, once published.
    fn get(&self, id: u32) -> Option<(&[u8], bool)> {
        let (segment, slot) = Self::locate(id);
        let (stored, utf8) = self.segments.get(segment)?.get()?.get(slot)?.load()?;
        // The slice borrows `self`: the arena that holds it lives as long as the pool.
        Some((stored.as_slice(), utf8))
    }

    /// The bytes of an id known to be published (every id in a shard's table is).
    fn bytes(&self, id: u32) -> &[u8] {
        self.get(id).map_or(&[], |(bytes, _)| bytes)
    }

    fn set(&self, id: u32, value: Stable, utf8: bool) {
        let (segment, slot) = Self::locate(id);
        if let Some(cell) = self.segments.get(segment) {
            let slots = cell.get_or_init(|| {
                (0..1usize << (segment + Self::FIRST_BITS as usize))
                    .map(|_| AtomicStable::default())
                    .collect()
            });
            if let Some(entry) = slots.get(slot) {
                // Each id is handed out once, so the slot is empty.
                entry.publish(value, utf8);
            }
        }
    }

    fn reserved(&self) -> usize {
        self.segments.iter().filter_map(OnceLock::get).map(|s| std::mem::size_of_val(&**s)).sum()
    }
}

/// A string pool for concurrent callers; every method takes `&self`. A single caller gets
/// exactly the ids a [`StringPool`] would give (first-seen order); callers racing to insert
/// the same new value all get the one id the first of them created.
pub struct ConcurrentPool {
    shards: Box<[RwLock<Shard>]>,
    directory: Directory,
    /// Ids handed out and published so far (the next id); written only under `ids`.
    count: AtomicUsize,
    ids: Mutex<()>,
    bytes: AtomicUsize,
    hasher: RandomState,
    limits: Limits,
}

impl Default for ConcurrentPool {
    fn default() -> Self {
        ConcurrentPool::new()
    }
}

impl std::fmt::Debug for ConcurrentPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConcurrentPool").field("len", &self.len()).finish_non_exhaustive()
    }
}

impl ConcurrentPool {
    pub fn new() -> Self {
        ConcurrentPool::with_hasher(RandomState::new())
    }

    /// A pool whose hash layout is the same on every run.
    pub fn with_seed(seed: u64) -> Self {
        ConcurrentPool::with_hasher(seeded_hasher(seed))
    }

    fn with_hasher(hasher: RandomState) -> Self {
        ConcurrentPool {
            shards: (0..SHARD_COUNT).map(|_| RwLock::new(Shard::default())).collect(),
            directory: Directory { segments: std::array::from_fn(|_| OnceLock::new()) },
            count: AtomicUsize::new(0),
            ids: Mutex::new(()),
            bytes: AtomicUsize::new(0),
            hasher,
            limits: Limits::default(),
        }
    }

    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = Limits::new(limits.max_values, limits.max_bytes);
        self
    }

    fn read(&self, shard: usize) -> RwLockReadGuard<'_, Shard> {
        // No code panics while holding a shard lock (allocation failure aborts), so a poisoned
        // lock still guards a consistent shard.
        self.shards[shard].read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self, shard: usize) -> RwLockWriteGuard<'_, Shard> {
        self.shards[shard].write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The number of distinct values; every id below it resolves, even while others insert.
    pub fn len(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn intern(&self, value: &str) -> Result<u32> {
        self.intern_bytes(value.as_bytes())
    }

    pub fn intern_bytes(&self, value: &[u8]) -> Result<u32> {
        let hash = self.hasher.hash_one(value);
        if let Some(id) = self.read(shard_of(hash)).find(&self.directory, hash, value) {
            return Ok(id);
        }
        self.insert(value, hash)
    }

    /// Inserts under the shard's write lock, unless another thread got there first.
    fn insert(&self, value: &[u8], hash: u64) -> Result<u32> {
        self.insert_locked(&mut self.write(shard_of(hash)), value, hash)
    }

    /// Finds or inserts `value` in `shard`, whose write lock the caller holds.
    fn insert_locked(&self, shard: &mut Shard, value: &[u8], hash: u64) -> Result<u32> {
        if let Some(id) = shard.find(&self.directory, hash, value) {
            return Ok(id);
        }
        // Checked again under the id lock; this early look avoids storing bytes that can never
        // get an id.
        let count = self.count.load(Ordering::Acquire);
        if count >= self.limits.max_values {
            return Err(self.limits.values_error(count));
        }
        // Claim room: other shards may be claiming at the same moment.
        let max_bytes = self.limits.max_bytes;
        self.bytes
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                (value.len() <= max_bytes.saturating_sub(used)).then_some(used + value.len())
            })
            .map_err(|used| self.limits.bytes_error(used, value.len()))?;
        let stored = shard.arena.push(value);
        let utf8 = std::str::from_utf8(value).is_ok();
        // An id is handed out and published under one short lock, so `len()` never counts an id
        // that does not resolve yet: iterating 0..len() is safe while others insert. Lookups
        // never take this lock; inserts hold it for two stores.
        let id = {
            let _ids = self.ids.lock().unwrap_or_else(PoisonError::into_inner);
            let count = self.count.load(Ordering::Relaxed);
            if count >= self.limits.max_values {
                self.bytes.fetch_sub(value.len(), Ordering::Relaxed);
                return Err(self.limits.values_error(count));
            }
            // Below max_values <= i32::MAX.
            let id = count as u32;
            self.directory.set(id, stored, utf8);
            self.count.store(count + 1, Ordering::Release);
            id
        };
        // Published before it enters the table: lookups read table ids through the directory.
        shard.table.insert_unique(hash, id, |&id| self.hasher.hash_one(self.directory.bytes(id)));
        Ok(id)
    }

    pub fn get(&self, value: &str) -> Option<u32> {
        self.get_bytes(value.as_bytes())
    }

    pub fn get_bytes(&self, value: &[u8]) -> Option<u32> {
        let hash = self.hasher.hash_one(value);
        self.read(shard_of(hash)).find(&self.directory, hash, value)
    }

    pub fn contains(&self, value: &str) -> bool {
        self.get(value).is_some()
    }

    pub fn contains_bytes(&self, value: &[u8]) -> bool {
        self.get_bytes(value).is_some()
    }

    /// The value of `id`, without taking a lock; valid as long as the pool (values never move).
    pub fn resolve_bytes(&self, id: u32) -> Result<&[u8]> {
        match self.directory.get(id) {
            Some((bytes, _)) => Ok(bytes),
            None => Err(unknown_id(id, self.len())),
        }
    }

    /// The value of `id` as text (`FERRULE_INVALID_UTF8` if it was interned as non-UTF-8 bytes).
    pub fn resolve(&self, id: u32) -> Result<&str> {
        match self.directory.get(id) {
            // SAFETY: the UTF-8 flag was published with the value after `from_utf8` accepted
            // exactly these bytes, and a pool never changes the bytes of a value it holds.
            Some((bytes, true)) => Ok(unsafe { std::str::from_utf8_unchecked(bytes) }),
            Some((bytes, false)) => Err(not_utf8(id, bytes)),
            None => Err(unknown_id(id, self.len())),
        }
    }

    pub fn resolve_many(&self, ids: &[u32]) -> Result<Vec<&[u8]>> {
        ids.iter().map(|&id| self.resolve_bytes(id)).collect()
    }

    pub fn intern_many<V: ByteValues + ?Sized>(&self, values: &V) -> Result<Vec<u32>> {
        let mut ids = vec![0; values.len()];
        self.intern_many_into(values, &mut ids)?;
        Ok(ids)
    }

    /// Batch interning: all values are looked up under shared locks (on all cores for long
    /// batches), then the new ones are inserted in input order, so a lone caller gets
    /// first-seen ids. On error, values before the failing one stay interned.
    pub fn intern_many_into<V: ByteValues + ?Sized>(&self, values: &V, out: &mut [u32]) -> Result<()> {
        check_out_len(values.len(), out.len())?;
        if batch::worth_parallel(values.len()) {
            // Long batch: each chunk's distinct values, found on all cores, are all the pool
            // needs to see (in chunk order, which keeps first-seen ids).
            let chunks = batch::dedupe(values, &self.hasher);
            let firsts: Vec<(usize, u64)> = chunks.iter().flat_map(|c| c.firsts.iter().copied()).collect();
            let ids = self.intern_hashed_many(values, &firsts)?;
            let mut remaps = Vec::with_capacity(chunks.len());
            let mut rest = &ids[..];
            for chunk in &chunks {
                let (remap, tail) = rest.split_at(chunk.firsts.len());
                remaps.push(remap.to_vec());
                rest = tail;
            }
            batch::remap(&chunks, &remaps, out);
            return Ok(());
        }
        let items: Vec<(usize, u64)> =
            (0..values.len()).map(|i| (i, self.hasher.hash_one(values.value(i)))).collect();
        let ids = self.intern_hashed_many(values, &items)?;
        out.copy_from_slice(&ids);
        Ok(())
    }

    /// Ids of `values.value(i)` for each `(i, hash)` of `items`, in order: looked up under shared
    /// locks first, then the new ones inserted in order, so a lone caller gets first-seen ids.
    /// On error, values before the failing one stay interned.
    fn intern_hashed_many<V: ByteValues + ?Sized>(
        &self,
        values: &V,
        items: &[(usize, u64)],
    ) -> Result<Vec<u32>> {
        let mut ids = vec![MISSING; items.len()];
        {
            // Shared locks on every shard, always taken in shard order; writers hold one shard
            // lock at a time or all of them in the same order, so no cycle can form.
            let guards: Vec<RwLockReadGuard<'_, Shard>> = (0..SHARD_COUNT).map(|s| self.read(s)).collect();
            let lookup = |(id, &(i, hash)): (&mut u32, &(usize, u64))| {
                *id = guards[shard_of(hash)].find(&self.directory, hash, values.value(i)).unwrap_or(MISSING);
            };
            if batch::worth_parallel(items.len()) {
                ids.par_iter_mut().zip(items.par_iter()).for_each(lookup);
            } else {
                ids.iter_mut().zip(items).for_each(lookup);
            }
        }
        let misses = ids.iter().filter(|&&id| id == MISSING).count();
        if misses <= FEW_MISSES {
            for (id, &(i, hash)) in ids.iter_mut().zip(items) {
                if *id == MISSING {
                    *id = self.insert(values.value(i), hash)?;
                }
            }
            return Ok(ids);
        }
        // Many new values (a fresh pool): one write lock per shard for the whole pass instead of
        // one per value. Repeats among the new values find the first copy, inserted moments
        // before.
        let mut guards: Vec<RwLockWriteGuard<'_, Shard>> = (0..SHARD_COUNT).map(|s| self.write(s)).collect();
        for (id, &(i, hash)) in ids.iter_mut().zip(items) {
            if *id == MISSING {
                *id = self.insert_locked(&mut guards[shard_of(hash)], values.value(i), hash)?;
            }
        }
        Ok(ids)
    }

    /// Ids for the separator-delimited values of `data` (see [`split_values`]).
    pub fn intern_split(&self, data: &[u8], separator: u8) -> Result<Vec<u32>> {
        self.intern_many(&split_values(data, separator)[..])
    }

    /// Heap bytes held.
    pub fn memory_usage(&self) -> usize {
        let shards: usize = (0..SHARD_COUNT)
            .map(|s| {
                let shard = self.read(s);
                shard.table.allocation_size() + shard.arena.reserved()
            })
            .sum();
        std::mem::size_of::<Self>() + shards + self.directory.reserved()
    }

    /// Every value in Arrow layout (offsets, bytes), consistent across shards.
    fn parts(&self) -> (Vec<u32>, Vec<u8>) {
        // With every shard read-locked no insert is in flight, so ids 0..len all resolve.
        let _guards: Vec<RwLockReadGuard<'_, Shard>> = (0..SHARD_COUNT).map(|s| self.read(s)).collect();
        let count = self.len();
        let mut offsets = Vec::with_capacity(count + 1);
        offsets.push(0u32);
        let mut bytes = Vec::with_capacity(self.bytes.load(Ordering::Relaxed));
        for id in 0..count as u32 {
            bytes.extend_from_slice(self.directory.bytes(id));
            // At most max_bytes <= i32::MAX.
            offsets.push(bytes.len() as u32);
        }
        (offsets, bytes)
    }

    /// A consistent copy as a [`StringPool`] (same ids).
    pub fn snapshot(&self) -> Result<StringPool> {
        let (offsets, bytes) = self.parts();
        Ok(StringPool::from_parts(offsets, bytes, self.hasher.clone())?.with_limits(self.limits))
    }

    /// A frozen copy (same ids).
    pub fn freeze(&self) -> Result<FrozenPool> {
        Ok(self.snapshot()?.freeze())
    }

    /// The versioned binary form shared by every pool kind.
    pub fn to_bytes(&self) -> Vec<u8> {
        let (offsets, bytes) = self.parts();
        format::encode(&offsets, &bytes)
    }

    /// The length `to_bytes` would have now, without building it.
    pub fn serialized_len(&self) -> usize {
        // All shards read-locked: no insert is in flight, so count and bytes agree.
        let _guards: Vec<RwLockReadGuard<'_, Shard>> = (0..SHARD_COUNT).map(|s| self.read(s)).collect();
        format::encoded_len(self.len(), self.bytes.load(Ordering::Relaxed))
    }

    /// Reads a pool written by any pool's `to_bytes`, with the same ids.
    pub fn from_bytes(data: &[u8]) -> Result<Self> {
        let pool = StringPool::from_bytes(data)?;
        let concurrent = ConcurrentPool::new();
        for value in pool.iter() {
            concurrent.intern_bytes(value)?;
        }
        Ok(concurrent)
    }

    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        format::save(path.as_ref(), &self.to_bytes())
    }

    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let data = std::fs::read(path).map_err(|e| io_error("read", path, e))?;
        ConcurrentPool::from_bytes(&data)
    }
}
