//! `FrozenPool`: a finished dictionary, immutable and shared by reference count.

use super::StringPool;
use crate::Result;
use ahash::RandomState;
use std::hash::BuildHasher;
use std::path::Path;
use std::sync::Arc;

/// An immutable [`StringPool`]: `Send + Sync`, and `clone` only bumps a reference count, so many
/// threads (or many Python/JS objects) can share one dictionary. Its buffers never change, which
/// is what lets the bindings hand them out without copying.
pub struct FrozenPool<S = RandomState>(Arc<StringPool<S>>);

impl<S> Clone for FrozenPool<S> {
    fn clone(&self) -> Self {
        FrozenPool(Arc::clone(&self.0))
    }
}

impl<S> std::fmt::Debug for FrozenPool<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("FrozenPool").field(&self.0).finish()
    }
}

impl FrozenPool<RandomState> {
    /// Reads a pool written by [`to_bytes`](Self::to_bytes) or `StringPool::to_bytes`.
    pub fn from_bytes(data: &[u8]) -> Result<Self> {
        Ok(StringPool::from_bytes(data)?.freeze())
    }

    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        Ok(StringPool::load(path)?.freeze())
    }
}

impl<S: BuildHasher> FrozenPool<S> {
    pub(crate) fn new(pool: StringPool<S>) -> Self {
        FrozenPool(Arc::new(pool))
    }

    /// The pool behind the freeze, read-only.
    pub fn as_pool(&self) -> &StringPool<S> {
        &self.0
    }

    /// A mutable copy to go on interning into.
    pub fn to_pool(&self) -> StringPool<S>
    where
        S: Clone,
    {
        (*self.0).clone()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, value: &str) -> Option<u32> {
        self.0.get(value)
    }

    pub fn get_bytes(&self, value: &[u8]) -> Option<u32> {
        self.0.get_bytes(value)
    }

    pub fn contains(&self, value: &str) -> bool {
        self.0.contains(value)
    }

    pub fn contains_bytes(&self, value: &[u8]) -> bool {
        self.0.contains_bytes(value)
    }

    pub fn resolve(&self, id: u32) -> Result<&str> {
        self.0.resolve(id)
    }

    pub fn resolve_bytes(&self, id: u32) -> Result<&[u8]> {
        self.0.resolve_bytes(id)
    }

    pub fn resolve_many(&self, ids: &[u32]) -> Result<Vec<&[u8]>> {
        self.0.resolve_many(ids)
    }

    pub fn is_utf8(&self, id: u32) -> bool {
        self.0.is_utf8(id)
    }

    pub fn all_utf8(&self) -> bool {
        self.0.all_utf8()
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[u8]> + DoubleEndedIterator + '_ {
        self.0.iter()
    }

    pub fn values_bytes(&self) -> &[u8] {
        self.0.values_bytes()
    }

    pub fn offsets(&self) -> &[u32] {
        self.0.offsets()
    }

    pub fn memory_usage(&self) -> usize {
        self.0.memory_usage()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.to_bytes()
    }

    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        self.0.save(path)
    }
}
