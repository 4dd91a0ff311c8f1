//! The Node.js addon of ferrule (napi-rs). Thin by rule: convert arguments, run long work off the
//! main thread (`fooAsync`), map errors. Everything else lives in ferrule-core.

mod errors;
mod logs;
mod pool;
mod vector;

use errors::{Result, guarded, run, to_js_err};
use ferrule_core::{Error, Location};
use napi_derive::napi;

/// What `capabilities()` returns.
#[napi(object)]
pub struct Capabilities {
    /// The SIMD level ferrule's kernels use (capped by the `FERRULE_MAX_ISA` environment variable).
    #[napi(ts_type = "'scalar' | 'avx2' | 'avx512' | 'neon'")]
    pub isa: String,
    /// The CPU features detected at run time (e.g. `avx2`, `avx512f`, `neon`).
    pub features: Vec<String>,
}

/// ferrule's version, e.g. `"0.1.0"`.
#[napi(catch_unwind)]
pub fn version() -> Result<String> {
    guarded(|| Ok(ferrule_core::version().to_owned()))
}

/// The CPU features detected at run time and the SIMD level ferrule uses.
///
/// The level can be capped with the environment variable `FERRULE_MAX_ISA`, read once, at
/// ferrule's first use in the process. A value that names no level of this CPU (a typo) is ignored
/// with one warning line on stderr.
#[napi(catch_unwind)]
pub fn capabilities() -> Result<Capabilities> {
    run(|| {
        let caps = ferrule_core::capabilities();
        Ok(Capabilities {
            isa: caps.isa.name().to_owned(),
            features: caps.features.iter().map(|name| (*name).to_owned()).collect(),
        })
    })
}

/// @internal Throws the error that the core error with this code maps to (tests the mapping).
#[napi(js_name = "__debugRaise", catch_unwind)]
pub fn debug_raise(code: String, message: String, line: Option<u32>, offset: Option<u32>) -> Result<()> {
    guarded(|| {
        let location = Location { line: line.map(u64::from), offset: offset.map(u64::from) };
        let err = Error::from_code(&code, message).map(|err| err.at(location));
        Err(to_js_err(&err.unwrap_or_else(|unknown_code| unknown_code)))
    })
}

/// @internal Panics inside the guard (tests that a panic becomes a thrown `FERRULE_INTERNAL`).
#[napi(js_name = "__debugPanic", catch_unwind)]
pub fn debug_panic(message: String) -> Result<()> {
    #[allow(clippy::panic)] // the point of this function: it exercises the panic guard
    guarded(|| panic!("{message}"))
}
