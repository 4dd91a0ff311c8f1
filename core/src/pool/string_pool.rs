//! `StringPool`: the single-threaded dictionary. Values live in Arrow layout (one values buffer
//! plus `u32` offsets) so the dictionary leaves without a copy; the hash table holds only ids.

use super::values::{ByteValues, split_values};
use super::{batch, format};
use crate::{Error, Result};
use ahash::RandomState;
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use std::hash::BuildHasher;
use std::path::Path;

/// Upper bounds of a pool. The defaults keep every id and offset within `i32`, so the dictionary
/// is a valid Arrow `utf8` array and ids are valid Arrow/pandas `int32` dictionary indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most distinct values (ids are `0..max_values`).
    pub max_values: usize,
    /// Most bytes of all distinct values together.
    pub max_bytes: usize,
}

impl Limits {
    /// The largest limits: `i32::MAX` values and `i32::MAX` bytes.
    pub const MAX: Limits = Limits { max_values: i32::MAX as usize, max_bytes: i32::MAX as usize };

    /// Limits no larger than [`Limits::MAX`] (larger requests are clamped).
    pub fn new(max_values: usize, max_bytes: usize) -> Limits {
        Limits {
            max_values: max_values.min(Limits::MAX.max_values),
            max_bytes: max_bytes.min(Limits::MAX.max_bytes),
        }
    }

    pub(crate) fn values_error(&self, count: usize) -> Error {
        Error::capacity(format!(
            "string pool is full: it holds {count} distinct values, the limit is {}",
            self.max_values
        ))
    }

    pub(crate) fn bytes_error(&self, used: usize, more: usize) -> Error {
        Error::capacity(format!(
            "string pool is full: a {more}-byte value does not fit beside the {used} bytes held \
             (limit {} bytes)",
            self.max_bytes
        ))
    }

    fn check(&self, count: usize, used: usize, more: usize) -> Result<()> {
        if count >= self.max_values {
            return Err(self.values_error(count));
        }
        if more > self.max_bytes.saturating_sub(used) {
            return Err(self.bytes_error(used, more));
        }
        Ok(())
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::MAX
    }
}

/// A dictionary of byte strings: each distinct value is stored once and named by a dense `u32`
/// id, given in first-seen order from 0. Equal ids always mean equal bytes (lookups compare the
/// bytes, never only a hash).
///
/// Bytes-first: any byte string can be interned; each value's UTF-8 validity is checked once, when
/// it is first inserted, so [`resolve`](Self::resolve) hands out `&str` without re-validating.
#[derive(Clone)]
pub struct StringPool<S = RandomState> {
    /// Every distinct value, back to back, in id order.
    bytes: Vec<u8>,
    /// `offsets[id]..offsets[id + 1]` is value `id`; always `len() + 1` entries, first 0.
    offsets: Vec<u32>,
    /// Bit `id` is set when value `id` is valid UTF-8.
    utf8: Vec<u64>,
    non_utf8: usize,
    table: HashTable<u32>,
    hasher: S,
    limits: Limits,
}

fn slice<'a>(bytes: &'a [u8], offsets: &[u32], id: u32) -> &'a [u8] {
    let id = id as usize;
    &bytes[offsets[id] as usize..offsets[id + 1] as usize]
}

impl StringPool<RandomState> {
    /// An empty pool with a randomly seeded hasher.
    pub fn new() -> Self {
        StringPool::with_hasher(RandomState::new())
    }

    /// An empty pool whose hash table layout is the same on every run (for reproducible
    /// benchmarks; ids are first-seen order whatever the seed).
    pub fn with_seed(seed: u64) -> Self {
        StringPool::with_hasher(seeded_hasher(seed))
    }

    /// An empty pool with room for `values` distinct values of `bytes` bytes in all.
    pub fn with_capacity(values: usize, bytes: usize) -> Self {
        let mut pool = StringPool::new();
        pool.reserve(values, bytes);
        pool
    }

    /// Reads a pool written by [`to_bytes`](Self::to_bytes); ids are those of the written pool.
    /// Truncated, corrupted or unknown-version input gives `FERRULE_CORRUPT`.
    pub fn from_bytes(data: &[u8]) -> Result<Self> {
        let (offsets, bytes) = format::decode(data)?;
        StringPool::from_parts(offsets, bytes, RandomState::new())
    }

    /// Reads a pool saved by [`save`](Self::save).
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let data = std::fs::read(path).map_err(|e| io_error("read", path, e))?;
        StringPool::from_bytes(&data)
    }
}

impl Default for StringPool<RandomState> {
    fn default() -> Self {
        StringPool::new()
    }
}

pub(crate) fn seeded_hasher(seed: u64) -> RandomState {
    const K: [u64; 3] = [0x9e37_79b9_7f4a_7c15, 0xbf58_476d_1ce4_e5b9, 0x94d0_49bb_1331_11eb];
    RandomState::with_seeds(seed, seed ^ K[0], seed ^ K[1], seed ^ K[2])
}

pub(crate) fn io_error(action: &str, path: &Path, err: std::io::Error) -> Error {
    Error::new(crate::ErrorKind::Io, format!("cannot {action} {}: {err}", path.display()))
}

impl<S: BuildHasher> StringPool<S> {
    /// An empty pool hashing with `hasher` (any `BuildHasher`; the default is ahash).
    pub fn with_hasher(hasher: S) -> Self {
        StringPool {
            bytes: Vec::new(),
            offsets: vec![0],
            utf8: Vec::new(),
            non_utf8: 0,
            table: HashTable::new(),
            hasher,
            limits: Limits::default(),
        }
    }

    /// The same pool with other limits; inserting beyond them gives `FERRULE_CAPACITY`.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = Limits::new(limits.max_values, limits.max_bytes);
        self
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Builds a pool from Arrow-layout parts whose values must be distinct (`FERRULE_CORRUPT`
    /// otherwise: a dictionary with two ids for one value would break "equal ids, equal bytes"
    /// in the other direction).
    pub(crate) fn from_parts(offsets: Vec<u32>, bytes: Vec<u8>, hasher: S) -> Result<Self> {
        let count = offsets.len().saturating_sub(1);
        let mut pool = StringPool::with_hasher(hasher);
        pool.reserve(count, bytes.len());
        for id in 0..count {
            let value = &bytes[offsets[id] as usize..offsets[id + 1] as usize];
            let got = pool.intern_bytes(value)?;
            if got as usize != id {
                return Err(Error::corrupt(format!(
                    "serialized pool holds value {id} twice (first as id {got})"
                )));
            }
        }
        Ok(pool)
    }

    /// Makes room for `values` more distinct values of `bytes` more bytes.
    pub fn reserve(&mut self, values: usize, bytes: usize) {
        let Self { bytes: data, offsets, table, hasher, utf8, .. } = self;
        data.reserve(bytes);
        offsets.reserve(values);
        utf8.reserve(values.div_ceil(64));
        table.reserve(values, |&id| hasher.hash_one(slice(data, offsets, id)));
    }

    /// The number of distinct values.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The id of `value`, inserting it if new.
    pub fn intern(&mut self, value: &str) -> Result<u32> {
        self.intern_bytes(value.as_bytes())
    }

    /// The id of the byte string `value` (need not be UTF-8), inserting it if new.
    pub fn intern_bytes(&mut self, value: &[u8]) -> Result<u32> {
        let hash = self.hasher.hash_one(value);
        self.intern_hashed(value, hash)
    }

    fn intern_hashed(&mut self, value: &[u8], hash: u64) -> Result<u32> {
        let Self { bytes, offsets, utf8, non_utf8, table, hasher, limits } = self;
        let entry = table.entry(
            hash,
            |&id| slice(bytes, offsets, id) == value,
            |&id| hasher.hash_one(slice(bytes, offsets, id)),
        );
        match entry {
            Entry::Occupied(found) => Ok(*found.get()),
            Entry::Vacant(slot) => {
                let count = offsets.len() - 1;
                limits.check(count, bytes.len(), value.len())?;
                // Both fit in u32: the limits are at most i32::MAX.
                let id = count as u32;
                if bytes.capacity() - bytes.len() < value.len() {
                    // Grow by half rather than doubling: the values buffer is most of a pool's
                    // memory, and doubling leaves it up to half empty (1.5x keeps the spare room
                    // under a third, at the price of a few more copies while it grows).
                    bytes.reserve_exact((bytes.capacity() / 2).max(value.len()).max(64));
                }
                bytes.extend_from_slice(value);
                offsets.push(bytes.len() as u32);
                if count % 64 == 0 {
                    utf8.push(0);
                }
                if std::str::from_utf8(value).is_ok() {
                    if let Some(word) = utf8.last_mut() {
                        *word |= 1 << (count % 64);
                    }
                } else {
                    *non_utf8 += 1;
                }
                slot.insert(id);
                Ok(id)
            }
        }
    }

    /// The id of `value`, without inserting.
    pub fn get(&self, value: &str) -> Option<u32> {
        self.get_bytes(value.as_bytes())
    }

    /// The id of the byte string `value`, without inserting.
    pub fn get_bytes(&self, value: &[u8]) -> Option<u32> {
        let hash = self.hasher.hash_one(value);
        self.table.find(hash, |&id| slice(&self.bytes, &self.offsets, id) == value).copied()
    }

    pub fn contains(&self, value: &str) -> bool {
        self.get(value).is_some()
    }

    pub fn contains_bytes(&self, value: &[u8]) -> bool {
        self.get_bytes(value).is_some()
    }

    /// The value of `id` as bytes; `FERRULE_OUT_OF_RANGE` for an id this pool never gave.
    pub fn resolve_bytes(&self, id: u32) -> Result<&[u8]> {
        if id as usize >= self.len() {
            return Err(unknown_id(id, self.len()));
        }
        Ok(slice(&self.bytes, &self.offsets, id))
    }

    /// The value of `id` as text; `FERRULE_INVALID_UTF8` when it was interned as bytes that are
    /// not UTF-8.
    pub fn resolve(&self, id: u32) -> Result<&str> {
        let value = self.resolve_bytes(id)?;
        if !self.is_utf8(id) {
            return Err(not_utf8(id, value));
        }
        // SAFETY: the UTF-8 bit of `id` is set only after `from_utf8` accepted exactly these
        // bytes at insertion, and a pool never changes the bytes of a value it holds.
        Ok(unsafe { std::str::from_utf8_unchecked(value) })
    }

    /// The values of `ids`, in order; fails on the first unknown id.
    pub fn resolve_many(&self, ids: &[u32]) -> Result<Vec<&[u8]>> {
        ids.iter().map(|&id| self.resolve_bytes(id)).collect()
    }

    /// Whether value `id` is valid UTF-8 (false for unknown ids).
    pub fn is_utf8(&self, id: u32) -> bool {
        let id = id as usize;
        // The common case (all text) needs no look at the bitset.
        id < self.len() && (self.non_utf8 == 0 || self.utf8[id / 64] & (1 << (id % 64)) != 0)
    }

    /// Whether every value is valid UTF-8 (then the dictionary is an Arrow `utf8` array, not only
    /// `binary`).
    pub fn all_utf8(&self) -> bool {
        self.non_utf8 == 0
    }

    /// Every value, in id order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[u8]> + DoubleEndedIterator + '_ {
        (0..self.len() as u32).map(move |id| slice(&self.bytes, &self.offsets, id))
    }

    /// The values buffer of the Arrow layout: every distinct value back to back, in id order.
    pub fn values_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The offsets of the Arrow layout: `len() + 1` entries, the first 0, each at most
    /// `i32::MAX` (so the same memory reads as Arrow `int32` offsets).
    pub fn offsets(&self) -> &[u32] {
        &self.offsets
    }

    /// Ids for `values`, in order, inserting new ones (on the calling thread).
    pub fn intern_many<V: ByteValues + ?Sized>(&mut self, values: &V) -> Result<Vec<u32>> {
        let mut ids = vec![0; values.len()];
        self.intern_many_into(values, &mut ids)?;
        Ok(ids)
    }

    /// Writes the id of `values[i]` to `out[i]`. On error, values before the failing one stay
    /// interned and `out` holds their ids.
    pub fn intern_many_into<V: ByteValues + ?Sized>(&mut self, values: &V, out: &mut [u32]) -> Result<()> {
        check_out_len(values.len(), out.len())?;
        // Hashing a block ahead of the lookups lets the CPU overlap the hash arithmetic with the
        // table's cache misses.
        const BLOCK: usize = 64;
        let mut hashes = [0u64; BLOCK];
        for (block, out) in out.chunks_mut(BLOCK).enumerate() {
            let start = block * BLOCK;
            for (i, hash) in hashes.iter_mut().take(out.len()).enumerate() {
                *hash = self.hasher.hash_one(values.value(start + i));
            }
            for (i, id) in out.iter_mut().enumerate() {
                *id = self.intern_hashed(values.value(start + i), hashes[i])?;
            }
        }
        Ok(())
    }

    /// Ids for the separator-delimited values of `data` (see [`split_values`]).
    pub fn intern_split(&mut self, data: &[u8], separator: u8) -> Result<Vec<u32>>
    where
        S: Clone + Send + Sync,
    {
        let values = split_values(data, separator);
        self.intern_many_par(&values[..])
    }

    /// Inserts every value of `other` and returns, for each of `other`'s ids, its id in `self`
    /// (combines pools built in parallel).
    pub fn merge<S2: BuildHasher>(&mut self, other: &StringPool<S2>) -> Result<Vec<u32>> {
        if self.is_empty() {
            // Only then is every value of `other` sure to be new; reserving for hits would grow
            // the table past what it needs.
            self.reserve(other.len(), other.values_bytes().len());
        }
        other.iter().map(|value| self.intern_bytes(value)).collect()
    }

    /// Heap bytes held (buffers at their capacity, plus the hash table).
    pub fn memory_usage(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.bytes.capacity()
            + self.offsets.capacity() * std::mem::size_of::<u32>()
            + self.utf8.capacity() * std::mem::size_of::<u64>()
            + self.table.allocation_size()
    }

    /// Gives back spare capacity.
    pub fn shrink_to_fit(&mut self) {
        let Self { bytes, offsets, utf8, table, hasher, .. } = self;
        bytes.shrink_to_fit();
        offsets.shrink_to_fit();
        utf8.shrink_to_fit();
        table.shrink_to_fit(|&id| hasher.hash_one(slice(bytes, offsets, id)));
    }

    /// An immutable, shareable pool (spare capacity given back first).
    pub fn freeze(mut self) -> super::FrozenPool<S> {
        self.shrink_to_fit();
        super::FrozenPool::new(self)
    }

    /// The versioned binary form (see `format.rs`); [`StringPool::from_bytes`] reads it back
    /// with the same ids.
    pub fn to_bytes(&self) -> Vec<u8> {
        format::encode(&self.offsets, &self.bytes)
    }

    /// The length of [`to_bytes`](Self::to_bytes)' output.
    pub fn serialized_len(&self) -> usize {
        format::encoded_len(self.len(), self.bytes.len())
    }

    /// Writes [`to_bytes`](Self::to_bytes) to `path` (through a temporary file renamed into
    /// place, so a crash never leaves half a pool under `path`).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        format::save(path.as_ref(), &self.to_bytes())
    }
}

impl<S: BuildHasher + Clone + Send + Sync> StringPool<S> {
    /// [`intern_many`](Self::intern_many) on all cores: chunks are deduplicated in parallel, their
    /// distinct values interned in chunk order (first-seen order, so the ids are exactly the
    /// sequential ones), then every value's id written in parallel.
    pub fn intern_many_par<V: ByteValues + ?Sized>(&mut self, values: &V) -> Result<Vec<u32>> {
        if !batch::worth_parallel(values.len()) {
            return self.intern_many(values);
        }
        let chunks = batch::dedupe(values, &self.hasher);
        let mut remaps = Vec::with_capacity(chunks.len());
        for chunk in &chunks {
            let remap: Result<Vec<u32>> =
                chunk.firsts.iter().map(|&(i, hash)| self.intern_hashed(values.value(i), hash)).collect();
            remaps.push(remap?);
        }
        let mut ids = vec![0u32; values.len()];
        batch::remap(&chunks, &remaps, &mut ids);
        Ok(ids)
    }
}

impl<S> std::fmt::Debug for StringPool<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StringPool")
            .field("len", &(self.offsets.len() - 1))
            .field("bytes", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

pub(crate) fn not_utf8(id: u32, value: &[u8]) -> Error {
    let at = std::str::from_utf8(value).err().map_or(0, |e| e.valid_up_to());
    Error::new(
        crate::ErrorKind::InvalidUtf8,
        format!("value {id} of the string pool is bytes, not UTF-8 text (invalid sequence at byte {at})"),
    )
}

pub(crate) fn unknown_id(id: u32, len: usize) -> Error {
    Error::out_of_range(format!("unknown id {id}: the string pool holds ids 0..{len}"))
}

pub(crate) fn check_out_len(values: usize, out: usize) -> Result<()> {
    if values != out {
        return Err(Error::length_mismatch(format!(
            "{values} values but room for {out} ids: the output must have one slot per value"
        )));
    }
    Ok(())
}
