//! An append-only byte arena whose contents never move: the storage that lets
//! [`ConcurrentPool`](super::ConcurrentPool) hand out `&[u8]` without holding a lock while other
//! threads keep inserting.
//!
//! The invariant everything here rests on: a chunk is allocated once, written only past its
//! `used` mark (by the one thread holding the arena's `&mut`), and freed only when the arena is
//! dropped. A [`Stable`] names bytes below the mark, which nobody writes again, so shared
//! slices over them stay valid for as long as the arena lives.

use std::ptr::NonNull;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

/// Chunks grow from the first size to the last by doubling (larger values get a chunk of their
/// own size): small pools stay small, big ones allocate rarely.
const FIRST_CHUNK_BYTES: usize = 1024;
const CHUNK_BYTES: usize = 64 * 1024;

/// A value stored in an [`Arena`]: a pointer to its first byte and its length.
#[derive(Debug, Clone, Copy)]
pub(super) struct Stable {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: a `Stable` points at arena bytes that are never written again and are freed only with
// the arena; sending or sharing the pointer across threads shares only immutable bytes.
unsafe impl Send for Stable {}
// SAFETY: as above: `as_slice` gives shared access to immutable bytes only.
unsafe impl Sync for Stable {}

impl Stable {
    pub(super) const EMPTY: Stable = Stable { ptr: NonNull::dangling(), len: 0 };

    /// The bytes. Callers tie `'a` to a borrow of the arena's owner (the pool), which outlives
    /// no chunk: chunks are freed only when the owner is dropped, which needs `&mut`.
    pub(super) fn as_slice<'a>(self) -> &'a [u8] {
        // SAFETY: `ptr..ptr + len` lies inside one live chunk, below its `used` mark (written
        // once, before this `Stable` was created, and never again); see the module invariant.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

/// A [`Stable`] that can be published once and read by any thread without a lock: 16 bytes, no
/// `Option` tag (a null pointer means "not yet published").
#[derive(Default)]
pub(super) struct AtomicStable {
    ptr: AtomicPtr<u8>,
    len: AtomicUsize,
}

impl AtomicStable {
    /// Publishes `value` and whether it is UTF-8 (kept in the length's top bit: lengths are at
    /// most `i32::MAX`). The length is stored first and the pointer with `Release`, so a reader
    /// that sees the pointer (with `Acquire`) sees the length and the bytes written before.
    pub(super) fn publish(&self, value: Stable, utf8: bool) {
        let flag = if utf8 { UTF8_FLAG } else { 0 };
        self.len.store(value.len | flag, Ordering::Relaxed);
        self.ptr.store(value.ptr.as_ptr(), Ordering::Release);
    }

    /// The value and whether it is UTF-8, once published.
    pub(super) fn load(&self) -> Option<(Stable, bool)> {
        let ptr = NonNull::new(self.ptr.load(Ordering::Acquire))?;
        let len = self.len.load(Ordering::Relaxed);
        Some((Stable { ptr, len: len & !UTF8_FLAG }, len & UTF8_FLAG != 0))
    }
}

const UTF8_FLAG: usize = 1 << (usize::BITS - 1);

struct Chunk {
    ptr: NonNull<u8>,
    capacity: usize,
    used: usize,
}

#[derive(Default)]
pub(super) struct Arena {
    chunks: Vec<Chunk>,
    reserved: usize,
}

// SAFETY: the arena owns its chunks exclusively (like a `Vec<Box<[u8]>>`); moving it to another
// thread moves that ownership.
unsafe impl Send for Arena {}
// SAFETY: `&Arena` allows no access to the chunks at all; reads go through `Stable`.
unsafe impl Sync for Arena {}

impl Arena {
    /// Copies `value` in and returns where it now lives for good.
    pub(super) fn push(&mut self, value: &[u8]) -> Stable {
        if value.is_empty() {
            return Stable::EMPTY;
        }
        let fits = self.chunks.last().is_some_and(|c| c.capacity - c.used >= value.len());
        if !fits {
            let size = self.reserved.clamp(FIRST_CHUNK_BYTES, CHUNK_BYTES).max(value.len());
            let mut buffer = std::mem::ManuallyDrop::new(Vec::<u8>::with_capacity(size));
            let capacity = buffer.capacity();
            self.reserved += capacity;
            // A Vec's pointer is never null; `dangling` cannot happen for a non-zero capacity.
            let ptr = NonNull::new(buffer.as_mut_ptr()).unwrap_or(NonNull::dangling());
            self.chunks.push(Chunk { ptr, capacity, used: 0 });
        }
        let Some(chunk) = self.chunks.last_mut() else { return Stable::EMPTY };
        // SAFETY: `used + len <= capacity` (checked above, or a fresh chunk at least `len`
        // long), so the destination is inside the allocation and past every handed-out byte;
        // source and destination cannot overlap (the arena's memory is never lent mutably).
        let dst = unsafe {
            let dst = chunk.ptr.as_ptr().add(chunk.used);
            std::ptr::copy_nonoverlapping(value.as_ptr(), dst, value.len());
            NonNull::new_unchecked(dst)
        };
        chunk.used += value.len();
        Stable { ptr: dst, len: value.len() }
    }

    /// Bytes allocated for values.
    pub(super) fn reserved(&self) -> usize {
        self.reserved + self.chunks.capacity() * std::mem::size_of::<Chunk>()
    }
}

impl Drop for Arena {
    fn drop(&mut self) {
        for chunk in &self.chunks {
            // SAFETY: each chunk came from `Vec::<u8>::with_capacity(capacity)` and was never
            // freed; length 0 because `u8` needs no drop.
            drop(unsafe { Vec::from_raw_parts(chunk.ptr.as_ptr(), 0, chunk.capacity) });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_stay_put_while_the_arena_grows() {
        let mut arena = Arena::default();
        let first = arena.push(b"first");
        let big = vec![7u8; CHUNK_BYTES * 2];
        let stored_big = arena.push(&big);
        let mut many = Vec::new();
        for i in 0..20_000u32 {
            many.push((i, arena.push(&i.to_le_bytes())));
        }
        assert_eq!(first.as_slice(), b"first");
        assert_eq!(stored_big.as_slice(), &big[..]);
        for (i, stored) in many {
            assert_eq!(stored.as_slice(), i.to_le_bytes());
        }
        assert!(arena.push(b"").as_slice().is_empty());
        assert!(arena.reserved() >= CHUNK_BYTES * 3);
        let slot = AtomicStable::default();
        assert!(slot.load().is_none());
        slot.publish(first, true);
        let (stored, utf8) = slot.load().unwrap();
        assert_eq!((stored.as_slice(), utf8), (&b"first"[..], true));
        slot.publish(stored_big, false);
        assert_eq!(slot.load().map(|(s, u)| (s.as_slice().len(), u)), Some((CHUNK_BYTES * 2, false)));
    }

    /// The edge of `push`'s copy: a value that fills a chunk to its last byte stays in that
    /// chunk, and the next byte opens a new one; both read back whole.
    #[test]
    fn a_value_can_fill_a_chunk_to_its_last_byte() {
        let mut arena = Arena::default();
        let head = arena.push(b"head");
        let (capacity, used) = arena.chunks.last().map(|c| (c.capacity, c.used)).unwrap();
        let rest: Vec<u8> = (0..capacity - used).map(|i| i as u8).collect();
        let fill = arena.push(&rest);
        assert_eq!(arena.chunks.len(), 1, "exactly the room left: same chunk");
        assert_eq!(arena.chunks[0].used, arena.chunks[0].capacity);
        let next = arena.push(b"!");
        assert_eq!(arena.chunks.len(), 2, "no room left: a new chunk");
        assert_eq!((head.as_slice(), fill.as_slice(), next.as_slice()), (&b"head"[..], &rest[..], &b"!"[..]));
    }
}
