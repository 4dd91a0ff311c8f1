//! What the CPU can do, detected at run time, and which SIMD level ferrule uses.
//!
//! Binaries are never built for the build machine's CPU (`target-cpu=native` is banned): one
//! wheel, addon or library runs everywhere and picks its kernels here. `FERRULE_MAX_ISA` caps the
//! level, to debug a kernel or to test every level against the scalar reference on one machine.

use crate::error::{Error, Result};
use std::ffi::{CStr, OsStr};
use std::fmt;
use std::io::Write;
use std::sync::OnceLock;

/// The environment variable that caps the SIMD level.
pub const MAX_ISA_ENV: &str = "FERRULE_MAX_ISA";

/// A family of SIMD kernels. Ordered within an architecture: a higher level needs more features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Isa {
    /// Portable Rust, the reference every other level is tested against.
    Scalar,
    /// x86-64 AVX2 + FMA.
    Avx2,
    /// x86-64 AVX-512 F + BW + VL (with AVX2 + FMA).
    Avx512,
    /// aarch64 Advanced SIMD.
    Neon,
}

impl Isa {
    /// Every level, for iteration in tests and docs.
    pub const ALL: [Isa; 4] = [Isa::Scalar, Isa::Avx2, Isa::Avx512, Isa::Neon];

    /// The lowercase name used by `FERRULE_MAX_ISA` and reported by `capabilities()`.
    pub const fn name(self) -> &'static str {
        as_str(self.c_name())
    }

    /// [`name`](Self::name), NUL-terminated: the C API hands it out as a static `const char *`.
    pub const fn c_name(self) -> &'static CStr {
        match self {
            Isa::Scalar => c"scalar",
            Isa::Avx2 => c"avx2",
            Isa::Avx512 => c"avx512",
            Isa::Neon => c"neon",
        }
    }

    /// Parses a level name (case-insensitive, surrounding blanks ignored).
    pub fn parse(name: &str) -> Result<Isa> {
        let wanted = name.trim();
        Isa::ALL.into_iter().find(|isa| isa.name().eq_ignore_ascii_case(wanted)).ok_or_else(|| {
            Error::invalid_argument(format!(
                "unknown SIMD level {wanted:?}; expected one of scalar, avx2, avx512, neon"
            ))
        })
    }

    /// Whether kernels of this level can run on the architecture this binary was built for.
    pub const fn belongs_to_this_arch(self) -> bool {
        match self {
            Isa::Scalar => true,
            Isa::Avx2 | Isa::Avx512 => cfg!(target_arch = "x86_64"),
            Isa::Neon => cfg!(target_arch = "aarch64"),
        }
    }
}

impl fmt::Display for Isa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What `capabilities()` reports in every runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// The SIMD level ferrule's kernels use: the best the CPU supports, capped by
    /// `FERRULE_MAX_ISA`.
    pub isa: Isa,
    /// The CPU features detected at run time, from a fixed list per architecture, in that
    /// list's order (x86-64: sse4.2, avx2, fma, f16c, avx512f, avx512bw, avx512vl, avx512_bf16,
    /// avx512_fp16; aarch64: neon, dotprod, fp16, sve).
    pub features: Vec<&'static str>,
}

/// Every feature name `capabilities()` can report, on any architecture. The index of a name is
/// its bit in [`Capabilities::feature_mask`] (and in the C API's `FERRULE_FEATURE_*` flags), so
/// this order never changes; new names are only appended.
pub const ALL_FEATURES: [&str; 13] = {
    let mut names = [""; 13];
    let mut i = 0;
    while i < names.len() {
        names[i] = as_str(ALL_FEATURES_C[i]);
        i += 1;
    }
    names
};

/// [`ALL_FEATURES`], NUL-terminated (the one table both are made from): the C API hands these
/// out as static `const char *`.
pub const ALL_FEATURES_C: [&CStr; 13] = [
    c"sse4.2",
    c"avx2",
    c"fma",
    c"f16c",
    c"avx512f",
    c"avx512bw",
    c"avx512vl",
    c"avx512_bf16",
    c"avx512_fp16",
    c"neon",
    c"dotprod",
    c"fp16",
    c"sve",
];

/// The text of an ASCII name literal, at compile time.
const fn as_str(name: &'static CStr) -> &'static str {
    match name.to_str() {
        Ok(text) => text,
        // Unreachable: every name above is an ASCII literal.
        Err(_) => "",
    }
}

impl Capabilities {
    /// The detected features as a bit set: bit `i` is set when `ALL_FEATURES[i]` was detected.
    pub fn feature_mask(&self) -> u64 {
        ALL_FEATURES
            .iter()
            .enumerate()
            .filter(|(_, name)| self.features.contains(name))
            .fold(0, |mask, (bit, _)| mask | (1 << bit))
    }
}

/// The features this CPU reports, by the names ferrule documents (a subset of
/// [`ALL_FEATURES`], in its order).
pub fn detected_features() -> Vec<&'static str> {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        let probes = [
            ("sse4.2", has!("sse4.2")),
            ("avx2", has!("avx2")),
            ("fma", has!("fma")),
            ("f16c", has!("f16c")),
            ("avx512f", has!("avx512f")),
            ("avx512bw", has!("avx512bw")),
            ("avx512vl", has!("avx512vl")),
            ("avx512_bf16", has!("avx512bf16")),
            ("avx512_fp16", has!("avx512fp16")),
        ];
        probes.into_iter().filter(|&(_, present)| present).map(|(name, _)| name).collect()
    }
    #[cfg(target_arch = "aarch64")]
    {
        use std::arch::is_aarch64_feature_detected as has;
        let probes = [
            ("neon", has!("neon")),
            ("dotprod", has!("dotprod")),
            ("fp16", has!("fp16")),
            ("sve", has!("sve")),
        ];
        probes.into_iter().filter(|&(_, present)| present).map(|(name, _)| name).collect()
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        Vec::new()
    }
}

/// The best level a CPU with these features can run.
pub fn best_isa(features: &[&str]) -> Isa {
    let has = |name: &str| features.contains(&name);
    if cfg!(target_arch = "x86_64") {
        if has("avx2") && has("fma") {
            if has("avx512f") && has("avx512bw") && has("avx512vl") {
                return Isa::Avx512;
            }
            return Isa::Avx2;
        }
    } else if cfg!(target_arch = "aarch64") && has("neon") {
        return Isa::Neon;
    }
    Isa::Scalar
}

/// The level to use given the detected `features` and an optional cap (the value of
/// `FERRULE_MAX_ISA`; empty means no cap). A cap above what the CPU has changes nothing; a cap of
/// another architecture's level is an error rather than a silent fallback.
pub fn select_isa(features: &[&str], cap: Option<&str>) -> Result<Isa> {
    let best = best_isa(features);
    let Some(cap) = cap.map(str::trim).filter(|cap| !cap.is_empty()) else {
        return Ok(best);
    };
    let cap = Isa::parse(cap)
        .map_err(|err| Error::invalid_argument(format!("{MAX_ISA_ENV}: {}", err.message())))?;
    if !cap.belongs_to_this_arch() {
        return Err(Error::invalid_argument(format!(
            "{MAX_ISA_ENV}={cap} names a SIMD level of another CPU architecture than {}",
            std::env::consts::ARCH
        )));
    }
    Ok(best.min(cap))
}

/// Detects the CPU and applies a `FERRULE_MAX_ISA` value, without caching: for tests and tools.
/// Everything else uses [`capabilities`], which is what the kernels run with.
pub fn detect(max_isa: Option<&OsStr>) -> Result<Capabilities> {
    let cap = match max_isa {
        None => None,
        Some(value) => Some(value.to_str().ok_or_else(|| {
            Error::invalid_argument(format!("{MAX_ISA_ENV} is not valid UTF-8: {value:?}"))
        })?),
    };
    let features = detected_features();
    let isa = select_isa(&features, cap)?;
    Ok(Capabilities { isa, features })
}

/// What this process runs with: the CPU detected and `FERRULE_MAX_ISA` applied once, at first
/// use, like the kernels' dispatch table (so the two always agree). Setting the variable later in
/// the process has no effect.
///
/// A value that names no level of this CPU architecture (a typo, another architecture's level,
/// non-UTF-8 bytes) does not make anything fail: ferrule runs as if the variable were unset and
/// writes one warning line to stderr, once per process (see [`detect_or_fallback`]).
pub fn capabilities() -> &'static Capabilities {
    static SELECTED: OnceLock<Capabilities> = OnceLock::new();
    SELECTED.get_or_init(|| {
        let (caps, warning) = detect_or_fallback(std::env::var_os(MAX_ISA_ENV).as_deref());
        if let Some(warning) = warning {
            // Ignoring a failed write: a host whose stderr is closed still gets working kernels,
            // and `eprintln!` would panic instead.
            let _ = writeln!(std::io::stderr(), "{warning}");
        }
        caps
    })
}

/// [`detect`], falling back to the uncapped level when the cap is invalid, with the warning to
/// show (one line, starting `ferrule: warning: FERRULE_MAX_ISA`). The cap is a debugging aid, so
/// a bad value must not take down a process that would run fine without it.
pub fn detect_or_fallback(max_isa: Option<&OsStr>) -> (Capabilities, Option<String>) {
    match detect(max_isa) {
        Ok(caps) => (caps, None),
        Err(err) => {
            let features = detected_features();
            let isa = best_isa(&features);
            let warning = format!("ferrule: warning: {}; ignored, using {isa}", err.message());
            (Capabilities { isa, features }, Some(warning))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_names_are_the_names() {
        for isa in Isa::ALL {
            assert_eq!(isa.c_name().to_str().unwrap(), isa.name());
            assert!(!isa.name().is_empty());
        }
        assert_eq!(ALL_FEATURES[0], "sse4.2");
        assert_eq!(ALL_FEATURES[12], "sve");
        for (name, c_name) in ALL_FEATURES.iter().zip(ALL_FEATURES_C) {
            assert_eq!(c_name.to_str().unwrap(), *name);
        }
    }

    #[test]
    fn names_round_trip() {
        for isa in Isa::ALL {
            assert_eq!(Isa::parse(isa.name()).unwrap(), isa);
            assert_eq!(Isa::parse(&format!(" {} ", isa.name().to_uppercase())).unwrap(), isa);
        }
        let err = Isa::parse("avx3").unwrap_err();
        assert_eq!(err.code(), "FERRULE_INVALID_ARGUMENT");
        assert!(err.message().contains("avx3"));
    }

    #[test]
    fn detection_is_consistent_with_the_chosen_level() {
        let features = detected_features();
        let isa = best_isa(&features);
        assert!(isa.belongs_to_this_arch());
        if isa == Isa::Avx512 {
            assert!(features.contains(&"avx512f") && features.contains(&"avx2"));
        }
        #[cfg(target_arch = "x86_64")]
        if features.contains(&"avx2") && features.contains(&"fma") {
            assert!(isa >= Isa::Avx2);
        }
    }

    #[test]
    fn detected_features_are_known_and_ordered() {
        let features = detected_features();
        let positions: Vec<usize> = features
            .iter()
            .map(|f| ALL_FEATURES.iter().position(|known| known == f).expect("undocumented feature"))
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{features:?}");
    }

    #[test]
    fn feature_mask_sets_one_bit_per_feature() {
        let caps = Capabilities { isa: Isa::Avx2, features: vec!["sse4.2", "fma"] };
        assert_eq!(caps.feature_mask(), 0b101);
        let none = Capabilities { isa: Isa::Scalar, features: vec![] };
        assert_eq!(none.feature_mask(), 0);
        let real = detect(None).unwrap();
        assert_eq!(real.feature_mask().count_ones() as usize, real.features.len());
    }

    #[test]
    fn detect_applies_the_cap_and_rejects_bad_values() {
        let best = detect(None).unwrap();
        let capped = detect(Some(OsStr::new("scalar"))).unwrap();
        assert_eq!(capped.isa, Isa::Scalar);
        assert_eq!(capped.features, best.features, "the cap changes the level, not the detection");
        let typo = detect(Some(OsStr::new("avx3"))).unwrap_err();
        assert_eq!(typo.code(), "FERRULE_INVALID_ARGUMENT");
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let err = detect(Some(OsStr::from_bytes(b"avx\xff"))).unwrap_err();
            assert!(err.message().contains("UTF-8"), "{}", err.message());
        }
    }

    #[test]
    fn an_invalid_cap_falls_back_with_one_warning() {
        let (unset, none) = detect_or_fallback(None);
        assert_eq!(none, None);
        let mut bad: Vec<&OsStr> = vec![OsStr::new("avx3"), OsStr::new("garbage \u{1F600}")];
        let other_arch = if cfg!(target_arch = "x86_64") { "neon" } else { "avx2" };
        bad.push(OsStr::new(other_arch));
        #[cfg(unix)]
        let non_utf8 = {
            use std::os::unix::ffi::OsStrExt;
            OsStr::from_bytes(b"avx\xff")
        };
        #[cfg(unix)]
        bad.push(non_utf8);
        for value in bad {
            let (caps, warning) = detect_or_fallback(Some(value));
            assert_eq!(caps, unset, "{value:?}: the level of an unset variable");
            let warning = warning.unwrap_or_default();
            assert!(warning.starts_with("ferrule: warning: FERRULE_MAX_ISA"), "{warning}");
            assert!(warning.ends_with(&format!("ignored, using {}", unset.isa)), "{warning}");
            assert!(!warning.contains('\n'), "one line: {warning}");
        }
        let (capped, warning) = detect_or_fallback(Some(OsStr::new("scalar")));
        assert_eq!((capped.isa, warning), (Isa::Scalar, None));
    }

    #[test]
    fn capabilities_are_selected_once() {
        assert!(std::ptr::eq(capabilities(), capabilities()));
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn x86_levels_follow_features() {
        assert_eq!(best_isa(&[]), Isa::Scalar);
        assert_eq!(best_isa(&["sse4.2", "avx2"]), Isa::Scalar, "AVX2 kernels also need FMA");
        assert_eq!(best_isa(&["avx2", "fma"]), Isa::Avx2);
        assert_eq!(best_isa(&["avx2", "fma", "avx512f"]), Isa::Avx2, "F alone is not enough");
        let all = ["avx2", "fma", "avx512f", "avx512bw", "avx512vl"];
        assert_eq!(best_isa(&all), Isa::Avx512);
        assert_eq!(select_isa(&all, None).unwrap(), Isa::Avx512);
        assert_eq!(select_isa(&all, Some("")).unwrap(), Isa::Avx512);
        assert_eq!(select_isa(&all, Some("avx2")).unwrap(), Isa::Avx2);
        assert_eq!(select_isa(&all, Some("scalar")).unwrap(), Isa::Scalar);
        assert_eq!(select_isa(&["avx2", "fma"], Some("avx512")).unwrap(), Isa::Avx2);
        let err = select_isa(&all, Some("neon")).unwrap_err();
        assert_eq!(err.code(), "FERRULE_INVALID_ARGUMENT");
        assert!(err.message().contains("FERRULE_MAX_ISA"), "{}", err.message());
        assert!(select_isa(&all, Some("fast")).is_err());
    }

    #[cfg(target_arch = "aarch64")]
    #[test]
    fn aarch64_levels_follow_features() {
        assert_eq!(best_isa(&["neon"]), Isa::Neon);
        assert_eq!(select_isa(&["neon"], Some("scalar")).unwrap(), Isa::Scalar);
        assert!(select_isa(&["neon"], Some("avx2")).is_err());
    }
}
