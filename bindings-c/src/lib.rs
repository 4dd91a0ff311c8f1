//! The C ABI of ferrule: `libferrule.so`, `libferrule.a` and `include/ferrule.h` (generated from
//! this crate by cbindgen). Thin by rule: check pointers, convert, call core, map errors.
//!
//! Conventions of every function: returns `ferrule_status` (0 = OK); writes its outputs only on
//! success; checks every pointer for NULL; never lets a panic unwind into C
//! (`FERRULE_STATUS_PANIC` instead); records the failure text for
//! `ferrule_last_error_message` on the calling thread.

mod boundary;
mod pool;
mod status;
mod vector;
// Last: the header lists its items after the pool and vector ones.
mod logs;

use boundary::{Failure, guard, out_param};
use ferrule_core::capabilities::ALL_FEATURES_C;
use std::ffi::{CStr, c_char};

pub use pool::ferrule_pool;
pub use status::{ferrule_status, ferrule_status_str};

/// The major version of this header. Compare with `ferrule_version()` to detect a header and a
/// library from different releases.
pub const FERRULE_VERSION_MAJOR: u32 = 0;
/// The minor version of this header.
pub const FERRULE_VERSION_MINOR: u32 = 1;
/// The patch version of this header.
pub const FERRULE_VERSION_PATCH: u32 = 0;

// Bit flags of `ferrule_cpu_capabilities.features`; bit i is feature i of ferrule's fixed list
// (ferrule_core::capabilities::ALL_FEATURES), so values never change.
/// SSE 4.2 (x86-64).
pub const FERRULE_FEATURE_SSE4_2: u64 = 1_u64 << 0;
/// AVX2 (x86-64).
pub const FERRULE_FEATURE_AVX2: u64 = 1_u64 << 1;
/// FMA3 (x86-64).
pub const FERRULE_FEATURE_FMA: u64 = 1_u64 << 2;
/// F16C half-precision conversions (x86-64).
pub const FERRULE_FEATURE_F16C: u64 = 1_u64 << 3;
/// AVX-512 Foundation (x86-64).
pub const FERRULE_FEATURE_AVX512F: u64 = 1_u64 << 4;
/// AVX-512 Byte and Word (x86-64).
pub const FERRULE_FEATURE_AVX512BW: u64 = 1_u64 << 5;
/// AVX-512 Vector Length (x86-64).
pub const FERRULE_FEATURE_AVX512VL: u64 = 1_u64 << 6;
/// AVX-512 BF16 (x86-64).
pub const FERRULE_FEATURE_AVX512_BF16: u64 = 1_u64 << 7;
/// AVX-512 FP16 (x86-64).
pub const FERRULE_FEATURE_AVX512_FP16: u64 = 1_u64 << 8;
/// Advanced SIMD (aarch64).
pub const FERRULE_FEATURE_NEON: u64 = 1_u64 << 9;
/// Dot product instructions (aarch64).
pub const FERRULE_FEATURE_DOTPROD: u64 = 1_u64 << 10;
/// Half-precision arithmetic (aarch64).
pub const FERRULE_FEATURE_FP16: u64 = 1_u64 << 11;
/// Scalable Vector Extension (aarch64).
pub const FERRULE_FEATURE_SVE: u64 = 1_u64 << 12;

/// A SIMD level (the kernels ferrule runs).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum ferrule_isa {
    FERRULE_ISA_SCALAR = 0,
    FERRULE_ISA_AVX2 = 1,
    FERRULE_ISA_AVX512 = 2,
    FERRULE_ISA_NEON = 3,
}

impl From<ferrule_core::Isa> for ferrule_isa {
    fn from(isa: ferrule_core::Isa) -> Self {
        match isa {
            ferrule_core::Isa::Scalar => ferrule_isa::FERRULE_ISA_SCALAR,
            ferrule_core::Isa::Avx2 => ferrule_isa::FERRULE_ISA_AVX2,
            ferrule_core::Isa::Avx512 => ferrule_isa::FERRULE_ISA_AVX512,
            ferrule_core::Isa::Neon => ferrule_isa::FERRULE_ISA_NEON,
        }
    }
}

/// What `ferrule_capabilities` reports. A plain value: copy it freely.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
#[allow(non_camel_case_types)]
pub struct ferrule_cpu_capabilities {
    /// The SIMD level ferrule's kernels use (capped by the `FERRULE_MAX_ISA` environment
    /// variable).
    pub isa: ferrule_isa,
    /// The name of `isa` ("scalar", "avx2", "avx512", "neon"): a static string, never freed.
    pub isa_name: *const c_char,
    /// The CPU features detected at run time: a set of `FERRULE_FEATURE_*` bits.
    pub features: u64,
}

/// ferrule's version as a static NUL-terminated string, e.g. "0.1.0". Never free it.
/// Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn ferrule_version() -> *const c_char {
    const VERSION: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(version) => version,
            Err(_) => c"unknown",
        };
    VERSION.as_ptr()
}

/// Copies the message of the most recent failed ferrule call on this thread into `buf`.
///
/// Like `snprintf`: writes at most `len - 1` bytes plus a terminating NUL (nothing when `len` is
/// 0), and stores the full message length (without the NUL) in `*out_len` when `out_len` is not
/// NULL, so a caller can detect truncation and retry with a larger buffer. The message is empty
/// when no call has failed on this thread; successful calls do not clear it. `buf` may be NULL
/// only when `len` is 0 (a length query). This call never changes the recorded message.
///
/// Thread-safe: each thread has its own message. Returns `FERRULE_STATUS_NULL_POINTER` when `buf`
/// is NULL and `len` is not 0.
///
/// # Safety
/// `buf` must be NULL or valid for writes of `len` bytes; `out_len` must be NULL or valid for a
/// write of one `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_last_error_message(
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> ferrule_status {
    if buf.is_null() && len != 0 {
        // Not recorded: that would overwrite the very message the caller is asking for.
        return ferrule_status::FERRULE_STATUS_NULL_POINTER;
    }
    let copied = std::panic::catch_unwind(|| {
        // SAFETY: buf is NULL with len 0, or valid for len bytes (caller contract).
        unsafe { boundary::copy_last_error(buf, len) }
    });
    let Ok(full_len) = copied else {
        return ferrule_status::FERRULE_STATUS_PANIC;
    };
    if !out_len.is_null() {
        // SAFETY: out_len is valid for one write (caller contract); written, never read.
        unsafe { out_len.write(full_len) };
    }
    ferrule_status::FERRULE_STATUS_OK
}

/// Detects the CPU features and the SIMD level ferrule uses, into `*out`.
///
/// `FERRULE_MAX_ISA` (environment) caps the level; it is read once, at ferrule's first use in the
/// process, like the kernels' dispatch table. A value that names no level of this CPU (a typo)
/// is ignored with one warning line on stderr. Fails with `FERRULE_STATUS_NULL_POINTER` when `out`
/// is NULL; `*out` is left untouched on failure. Thread-safe.
///
/// # Safety
/// `out` must be NULL or valid for a write of one `ferrule_cpu_capabilities`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_capabilities(out: *mut ferrule_cpu_capabilities) -> ferrule_status {
    guard(|| {
        // SAFETY: out is NULL or valid for one write (caller contract).
        let out = unsafe { out_param(out, "out") }?;
        let caps = ferrule_core::capabilities();
        out.write(ferrule_cpu_capabilities {
            isa: caps.isa.into(),
            isa_name: caps.isa.c_name().as_ptr(),
            features: caps.feature_mask(),
        });
        Ok::<(), Failure>(())
    })
}

/// Panics inside ferrule on purpose and returns `FERRULE_STATUS_PANIC` (message: "... panic:
/// ferrule_debug_panic"): lets a program, and ferrule's own tests, check that the panic boundary
/// works in the very library it links. Not needed otherwise. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn ferrule_debug_panic() -> ferrule_status {
    #[allow(clippy::panic)] // the point of this function: it exercises the panic boundary
    guard(|| panic!("ferrule_debug_panic"))
}

/// The name of one `FERRULE_FEATURE_*` flag ("avx2", "neon", ...), a static string never freed;
/// NULL when `feature` is not exactly one known flag. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn ferrule_feature_name(feature: u64) -> *const c_char {
    if feature.count_ones() != 1 {
        return std::ptr::null();
    }
    ALL_FEATURES_C.get(feature.trailing_zeros() as usize).map_or(std::ptr::null(), |name| name.as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrule_core::capabilities::ALL_FEATURES;

    #[test]
    fn version_macros_match_cargo() {
        assert_eq!(FERRULE_VERSION_MAJOR.to_string(), env!("CARGO_PKG_VERSION_MAJOR"));
        assert_eq!(FERRULE_VERSION_MINOR.to_string(), env!("CARGO_PKG_VERSION_MINOR"));
        assert_eq!(FERRULE_VERSION_PATCH.to_string(), env!("CARGO_PKG_VERSION_PATCH"));
        // SAFETY: a static NUL-terminated string from ferrule (non-NULL for these values).
        let version = unsafe { CStr::from_ptr(ferrule_version()) }.to_str().unwrap();
        assert_eq!(version, ferrule_core::version());
    }

    #[test]
    fn feature_flags_follow_the_core_order() {
        let flags = [
            FERRULE_FEATURE_SSE4_2,
            FERRULE_FEATURE_AVX2,
            FERRULE_FEATURE_FMA,
            FERRULE_FEATURE_F16C,
            FERRULE_FEATURE_AVX512F,
            FERRULE_FEATURE_AVX512BW,
            FERRULE_FEATURE_AVX512VL,
            FERRULE_FEATURE_AVX512_BF16,
            FERRULE_FEATURE_AVX512_FP16,
            FERRULE_FEATURE_NEON,
            FERRULE_FEATURE_DOTPROD,
            FERRULE_FEATURE_FP16,
            FERRULE_FEATURE_SVE,
        ];
        assert_eq!(flags.len(), ALL_FEATURES.len());
        for (flag, name) in flags.into_iter().zip(ALL_FEATURES) {
            // SAFETY: a static NUL-terminated string from ferrule (non-NULL for these values).
            let got = unsafe { CStr::from_ptr(ferrule_feature_name(flag)) };
            assert_eq!(got.to_str().unwrap(), name);
        }
        assert!(ferrule_feature_name(0).is_null());
        assert!(ferrule_feature_name(FERRULE_FEATURE_AVX2 | FERRULE_FEATURE_FMA).is_null());
        assert!(ferrule_feature_name(1 << 63).is_null());
    }

    #[test]
    fn capabilities_fill_the_struct_only_on_success() {
        let mut caps = std::mem::MaybeUninit::<ferrule_cpu_capabilities>::uninit();
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status = unsafe { ferrule_capabilities(caps.as_mut_ptr()) };
        assert_eq!(status, ferrule_status::FERRULE_STATUS_OK);
        // SAFETY: the call above succeeded, so it wrote the value.
        let caps = unsafe { caps.assume_init() };
        let expected = ferrule_core::capabilities();
        assert_eq!(caps.features, expected.feature_mask());
        // SAFETY: a static NUL-terminated string from ferrule (non-NULL for these values).
        assert_eq!(unsafe { CStr::from_ptr(caps.isa_name) }.to_str().unwrap(), expected.isa.name());
        assert_eq!(caps.isa, expected.isa.into());
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status = unsafe { ferrule_capabilities(std::ptr::null_mut()) };
        assert_eq!(status, ferrule_status::FERRULE_STATUS_NULL_POINTER);
    }

    #[test]
    fn last_error_message_rejects_a_null_buffer_with_a_length() {
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status = unsafe { ferrule_last_error_message(std::ptr::null_mut(), 8, std::ptr::null_mut()) };
        assert_eq!(status, ferrule_status::FERRULE_STATUS_NULL_POINTER);
        let mut len = 99;
        // SAFETY: test data: NULL on purpose, or live handles and locals of the lengths passed.
        let status = unsafe { ferrule_last_error_message(std::ptr::null_mut(), 0, &mut len) };
        assert_eq!(status, ferrule_status::FERRULE_STATUS_OK);
        assert_eq!(len, 0, "nothing failed on this test's thread yet");
    }
}
