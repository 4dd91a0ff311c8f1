//! The binary form of a pool, version 1. All integers little-endian:
//!
//! ```text
//! offset  size         field
//! 0       8            magic b"FERPOOL\0"
//! 8       4            version (1)
//! 12      4            flags (0; readers reject bits they do not know)
//! 16      8            count: number of values n
//! 24      8            bytes: total length of the values
//! 32      4 * (n + 1)  offsets (u32, first 0, non-decreasing, last = bytes)
//! ...     bytes        the values, back to back, in id order
//! ...     8            checksum of everything before it (see `checksum`)
//! ```
//!
//! Value `i` of the file gets id `i` when read back. Readers check every field before trusting
//! it, so truncated, tampered-with or foreign data is `FERRULE_CORRUPT`, never a panic or an
//! out-of-bounds read.

use super::Limits;
use crate::{Error, Result};
use std::path::Path;

pub const MAGIC: [u8; 8] = *b"FERPOOL\0";
pub const VERSION: u32 = 1;
const HEADER: usize = 32;
const TRAILER: usize = 8;

/// A 64-bit checksum: FNV-style multiply over 8-byte words. Each step `(h ^ w) * odd` is a
/// bijection of `h` for a fixed word, so a change confined to one word always changes the result
/// (every single bit flip is caught); wider damage escapes with probability about 2^-64.
pub fn checksum(data: &[u8]) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ data.len() as u64;
    let mut words = data.chunks_exact(8);
    for word in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(PRIME);
    }
    for &b in words.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(PRIME);
    }
    // Final avalanche, so that nearby inputs do not give nearby sums.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

/// The length of [`encode`]'s output for `count` values of `bytes` bytes in all.
pub fn encoded_len(count: usize, bytes: usize) -> usize {
    HEADER + 4 * (count + 1) + bytes + TRAILER
}

/// Serializes Arrow-layout parts (`offsets` has `n + 1` entries).
pub fn encode(offsets: &[u32], bytes: &[u8]) -> Vec<u8> {
    let count = offsets.len().saturating_sub(1);
    let mut out = Vec::with_capacity(HEADER + 4 * offsets.len() + bytes.len() + TRAILER);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&(count as u64).to_le_bytes());
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    for offset in offsets {
        out.extend_from_slice(&offset.to_le_bytes());
    }
    out.extend_from_slice(bytes);
    let sum = checksum(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

fn corrupt(what: impl std::fmt::Display) -> Error {
    Error::corrupt(format!("not a valid serialized ferrule string pool: {what}"))
}

fn u32_at(data: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&data[at..at + 4]);
    u32::from_le_bytes(b)
}

fn u64_at(data: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&data[at..at + 8]);
    u64::from_le_bytes(b)
}

/// Checks and splits serialized data into (offsets, bytes). Distinctness of the values is checked
/// by the caller while it rebuilds the hash table.
pub fn decode(data: &[u8]) -> Result<(Vec<u32>, Vec<u8>)> {
    if data.len() < HEADER + 4 + TRAILER {
        if data.len() < MAGIC.len() || data[..MAGIC.len()] != MAGIC {
            return Err(corrupt(format!("{} bytes, no pool header", data.len())));
        }
        return Err(corrupt(format!("truncated: {} bytes, a pool takes at least 44", data.len())));
    }
    if data[..8] != MAGIC {
        return Err(corrupt("wrong magic bytes (not a ferrule pool)"));
    }
    let version = u32_at(data, 8);
    if version != VERSION {
        return Err(corrupt(format!("format version {version}; this ferrule reads version {VERSION}")));
    }
    let flags = u32_at(data, 12);
    if flags != 0 {
        return Err(corrupt(format!("unknown flags {flags:#x}")));
    }
    let count = u64_at(data, 16);
    let total = u64_at(data, 24);
    let limits = Limits::MAX;
    if count > limits.max_values as u64 || total > limits.max_bytes as u64 {
        return Err(corrupt(format!("{count} values of {total} bytes exceed a pool's limits")));
    }
    // Both at most i32::MAX: no overflow in usize arithmetic on 64-bit and 32-bit targets alike.
    let (count, total) = (count as usize, total as usize);
    let expected = (count + 1)
        .checked_mul(4)
        .and_then(|o| o.checked_add(HEADER + TRAILER))
        .and_then(|n| n.checked_add(total))
        .ok_or_else(|| corrupt("sizes overflow"))?;
    if data.len() != expected {
        return Err(corrupt(format!(
            "{} bytes, but the header promises {expected} ({count} values, {total} bytes): truncated or padded",
            data.len()
        )));
    }
    let body = data.len() - TRAILER;
    let stored = u64_at(data, body);
    if checksum(&data[..body]) != stored {
        return Err(corrupt("checksum mismatch (the data was damaged)"));
    }
    let mut offsets = Vec::with_capacity(count + 1);
    let mut previous = 0u32;
    for i in 0..=count {
        let offset = u32_at(data, HEADER + 4 * i);
        if (i == 0 && offset != 0) || offset < previous || offset as usize > total {
            return Err(corrupt(format!("offset {i} is {offset} (after {previous}, of {total} bytes)")));
        }
        offsets.push(offset);
        previous = offset;
    }
    if previous as usize != total {
        return Err(corrupt(format!("the last offset is {previous}, not the {total} value bytes")));
    }
    let start = HEADER + 4 * (count + 1);
    Ok((offsets, data[start..start + total].to_vec()))
}

/// Writes `data` to `path` through a temporary file in the same directory, renamed into place.
pub fn save(path: &Path, data: &[u8]) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp-{}", std::process::id()));
    let tmp = std::path::PathBuf::from(tmp);
    let written = std::fs::write(&tmp, data).and_then(|()| std::fs::rename(&tmp, path));
    written.map_err(|e| {
        // Best effort: the temporary file is garbage whether or not it can be removed.
        let _ = std::fs::remove_file(&tmp);
        super::string_pool::io_error("write", path, e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_of_parts() {
        let data = encode(&[0, 1, 1, 4], b"abcd");
        assert_eq!(&data[..8], b"FERPOOL\0");
        let (offsets, bytes) = decode(&data).unwrap();
        assert_eq!(offsets, [0, 1, 1, 4]);
        assert_eq!(data.len(), encoded_len(3, 4));
        assert_eq!(bytes, b"abcd");
        let empty = encode(&[0], b"");
        assert_eq!(decode(&empty).unwrap(), (vec![0], vec![]));
    }

    #[test]
    fn every_single_bit_flip_changes_the_checksum() {
        let data = b"some bytes to protect, not a multiple of eight".to_vec();
        let sum = checksum(&data);
        for bit in 0..data.len() * 8 {
            let mut damaged = data.clone();
            damaged[bit / 8] ^= 1 << (bit % 8);
            assert_ne!(checksum(&damaged), sum, "bit {bit}");
        }
    }

    #[test]
    fn forged_headers_are_corrupt_not_panics() {
        // Valid checksum over a header that lies about its sizes.
        let mut forged = encode(&[0, 2], b"ab");
        forged[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(decode(&forged).unwrap_err().code(), "FERRULE_CORRUPT");
        // Offsets out of order, with a recomputed checksum.
        let mut data = encode(&[0, 2, 1], b"ab");
        data.truncate(data.len() - 8);
        let sum = checksum(&data);
        data.extend_from_slice(&sum.to_le_bytes());
        let err = decode(&data).unwrap_err();
        assert_eq!(err.code(), "FERRULE_CORRUPT");
        assert!(err.message().contains("offset 2"), "{err}");
    }
}
