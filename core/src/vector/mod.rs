//! Vector math over `f32`/`f64` slices: a scalar reference per operation, kernels per SIMD
//! level (x86-64: AVX2+FMA and AVX-512; aarch64: NEON), and one dispatch table chosen once, at
//! first use, from [`capabilities`](crate::capabilities()) (so `FERRULE_MAX_ISA` caps it).
//!
//! - 1:1 ([`dot`], [`cosine_similarity`], [`cosine_distance`], [`sqeuclidean`], [`euclidean`],
//!   [`manhattan`], [`norm`]), also at a chosen [`Precision`] (`Precision::Accurate.dot(a, b)`).
//! - Reductions ([`sum`], [`mean`], [`min`], [`max`], [`argmin`], [`argmax`]) and element-wise
//!   operations into an output slice ([`scale`], [`add`], [`subtract`], [`multiply`], [`axpy`],
//!   [`fma`], [`normalize`]): one generic loop compiled per level (`loops.rs`), so every level
//!   returns exactly the portable result.
//! - Batches over row-major [`Matrix`] views with a row stride: [`one_to_many`] (four rows per
//!   kernel call, results equal to the 1:1 functions), [`cdist`] (register-blocked tiles,
//!   `tile.rs`), and the fused exact [`topk`]; all parallel on rayon, bounded by [`with_threads`].
//!
//! Precision: [`Precision::Fast`] (default) accumulates in the input type over independent
//! lanes: error at most about `n u sum|terms|` for `n` terms (`u` = 2^-24 for `f32`, 2^-53 for
//! `f64`; the tests hold every level to `2 n u` against an `f64` reference).
//! [`Precision::Accurate`] accumulates in double-double: the exactly rounded result up to
//! `2 n^2 2^-106 sum|terms|`. Squared Euclidean distances are always computed from the
//! differences, never as `|a|^2 + |b|^2 - 2ab`, so near-duplicate rows keep their precision.
//!
//! Special values: NaN in, NaN out; infinities follow IEEE arithmetic. Zero vectors:
//! `cosine_similarity` is 0 and `cosine_distance` 1 when either vector has norm 0 (not NaN);
//! `cosine_distance` is clamped to [0, 2]. `min`/`max` are NaN and `argmin`/`argmax` the first
//! NaN's index when there is a NaN (NumPy's rule), else the first of equal extremes.

#[macro_use]
mod simd_macros;
mod accurate;
mod batch;
mod elementwise;
mod loops;
#[cfg(target_arch = "aarch64")]
mod neon;
mod precision;
mod scalar;
mod threads;
mod tile;
#[cfg(target_arch = "x86_64")]
mod x86;
#[cfg(target_arch = "x86_64")]
mod x86_tile;

pub use batch::{Matrix, Metric, cdist, cosine_similarity_many, one_to_many, topk};
pub use elementwise::{
    add, argmax, argmin, axpy, fma, max, mean, min, multiply, normalize, scale, subtract, sum,
};
pub use precision::Precision;
pub use threads::with_threads;

use crate::capabilities::{Isa, capabilities};
use crate::{Error, Result};
use std::sync::OnceLock;

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// The element types of the kernels: `f32` and `f64`.
pub trait Element:
    sealed::Sealed
    + Copy
    + PartialOrd
    + std::fmt::Debug
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
    + Send
    + Sync
    + 'static
{
    const ZERO: Self;
    const ONE: Self;
    fn abs(self) -> Self;
    fn sqrt(self) -> Self;
    fn to_f64(self) -> f64;
    fn is_nan(self) -> bool;
    /// Rounds to nearest (overflow gives infinity).
    fn from_f64(value: f64) -> Self;
    #[doc(hidden)]
    fn table(tables: &Tables) -> &Table<Self>;
}

impl Element for f32 {
    const ZERO: f32 = 0.0;
    const ONE: f32 = 1.0;
    fn abs(self) -> f32 {
        f32::abs(self)
    }
    fn sqrt(self) -> f32 {
        f32::sqrt(self)
    }
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    fn is_nan(self) -> bool {
        f32::is_nan(self)
    }
    fn from_f64(value: f64) -> f32 {
        // `as` rounds to nearest and saturates to infinity: the IEEE conversion.
        value as f32
    }
    fn table(tables: &Tables) -> &Table<f32> {
        &tables.f32
    }
}

impl Element for f64 {
    const ZERO: f64 = 0.0;
    const ONE: f64 = 1.0;
    fn abs(self) -> f64 {
        f64::abs(self)
    }
    fn sqrt(self) -> f64 {
        f64::sqrt(self)
    }
    fn to_f64(self) -> f64 {
        self
    }
    fn is_nan(self) -> bool {
        f64::is_nan(self)
    }
    fn from_f64(value: f64) -> f64 {
        value
    }
    fn table(tables: &Tables) -> &Table<f64> {
        &tables.f64
    }
}

/// A kernel returning (a.b, a.a, b.b).
type DotNorms<T> = fn(&[T], &[T]) -> (T, T, T);

/// A kernel of one query against four rows.
type Many4<T> = fn(&[T], [&[T]; 4]) -> [T; 4];
/// (query.row, row.row) of one query against four rows.
type DotNorms4<T> = fn(&[T], [&[T]; 4]) -> ([T; 4], [T; 4]);

/// Four rows through a 1:1 kernel, one at a time (the levels without a fused kernel).
macro_rules! by_rows {
    ($kernel:path) => {{
        fn many<T: Element>(q: &[T], rows: [&[T]; 4]) -> [T; 4] {
            rows.map(|row| $kernel(q, row))
        }
        many
    }};
}

macro_rules! dot_norms_by_rows {
    ($kernel:path) => {{
        fn many<T: Element>(q: &[T], rows: [&[T]; 4]) -> ([T; 4], [T; 4]) {
            let all = rows.map(|row| $kernel(q, row));
            (all.map(|x| x.0), all.map(|x| x.2))
        }
        many
    }};
}

/// One ISA's kernels for one element type. Callers pass slices of equal length.
#[doc(hidden)]
pub struct Table<T> {
    dot: fn(&[T], &[T]) -> T,
    sqeuclidean: fn(&[T], &[T]) -> T,
    manhattan: fn(&[T], &[T]) -> T,
    dot_norms: DotNorms<T>,
    /// `dot` and `sqeuclidean` of one query against four rows, and `dot_norms` without the
    /// query's norm: what `one_to_many` and `topk` run (same results as the 1:1 kernels).
    dot4: Many4<T>,
    sqeuclidean4: Many4<T>,
    dot_norms4: DotNorms4<T>,
    /// The register-blocked kernel of `cdist` and multi-query `topk`; `None` for the accurate
    /// table (those run pair by pair).
    tile: Option<tile::Tile<T>>,
}

#[doc(hidden)]
pub struct Tables {
    isa: Isa,
    f32: Table<f32>,
    f64: Table<f64>,
}

const SCALAR: Tables = Tables {
    isa: Isa::Scalar,
    f32: Table {
        dot: scalar::dot,
        sqeuclidean: scalar::sqeuclidean,
        manhattan: scalar::manhattan,
        dot_norms: scalar::dot_norms,
        dot4: by_rows!(scalar::dot),
        sqeuclidean4: by_rows!(scalar::sqeuclidean),
        dot_norms4: dot_norms_by_rows!(scalar::dot_norms),
        tile: Some(tile::PORTABLE_F32),
    },
    f64: Table {
        dot: scalar::dot,
        sqeuclidean: scalar::sqeuclidean,
        manhattan: scalar::manhattan,
        dot_norms: scalar::dot_norms,
        dot4: by_rows!(scalar::dot),
        sqeuclidean4: by_rows!(scalar::sqeuclidean),
        dot_norms4: dot_norms_by_rows!(scalar::dot_norms),
        tile: Some(tile::PORTABLE_F64),
    },
};

/// Double-double kernels, whatever the ISA (see `accurate.rs`).
const ACCURATE: Tables = Tables {
    isa: Isa::Scalar,
    f32: Table {
        dot: accurate::dot,
        sqeuclidean: accurate::sqeuclidean,
        manhattan: accurate::manhattan,
        dot_norms: accurate::dot_norms,
        dot4: by_rows!(accurate::dot),
        sqeuclidean4: by_rows!(accurate::sqeuclidean),
        dot_norms4: dot_norms_by_rows!(accurate::dot_norms),
        tile: None,
    },
    f64: Table {
        dot: accurate::dot,
        sqeuclidean: accurate::sqeuclidean,
        manhattan: accurate::manhattan,
        dot_norms: accurate::dot_norms,
        dot4: by_rows!(accurate::dot),
        sqeuclidean4: by_rows!(accurate::sqeuclidean),
        dot_norms4: dot_norms_by_rows!(accurate::dot_norms),
        tile: None,
    },
};

/// Safe entry points to one x86 kernel module. Only `tables_for` names them, and only for a
/// level the CPU reported.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
macro_rules! simd_table {
    ($kernels:ident, $tiles:path, $module:ident, $t:ty) => {{
        use $tiles as tiles;
        fn dot(a: &[$t], b: &[$t]) -> $t {
            // SAFETY: this function is only stored in a table for an ISA the CPU reported (see
            // `tables_for`), and that ISA implies the module's target features.
            unsafe { $kernels::$module::dot(a, b) }
        }
        fn sqeuclidean(a: &[$t], b: &[$t]) -> $t {
            // SAFETY: as for `dot`.
            unsafe { $kernels::$module::sqeuclidean(a, b) }
        }
        fn manhattan(a: &[$t], b: &[$t]) -> $t {
            // SAFETY: as for `dot`.
            unsafe { $kernels::$module::manhattan(a, b) }
        }
        fn dot_norms(a: &[$t], b: &[$t]) -> ($t, $t, $t) {
            // SAFETY: as for `dot`.
            unsafe { $kernels::$module::dot_norms(a, b) }
        }
        fn run_tile(raw: tile::Raw, rows: &[&[$t]], panel: &[$t], out: &mut [$t]) -> bool {
            // SAFETY: as for `dot` (the tile checks the shapes itself).
            unsafe { tiles::$module::run(raw, rows, panel, out) }
        }
        fn dot4(q: &[$t], rows: [&[$t]; 4]) -> [$t; 4] {
            // SAFETY: as for `dot`.
            unsafe { $kernels::$module::dot4(q, rows) }
        }
        fn sqeuclidean4(q: &[$t], rows: [&[$t]; 4]) -> [$t; 4] {
            // SAFETY: as for `dot`.
            unsafe { $kernels::$module::sqeuclidean4(q, rows) }
        }
        fn dot_norms4(q: &[$t], rows: [&[$t]; 4]) -> ([$t; 4], [$t; 4]) {
            // SAFETY: as for `dot`.
            unsafe { $kernels::$module::dot_norms4(q, rows) }
        }
        let tile = tile::Tile { width: tiles::$module::WIDTH, height: tiles::$module::HEIGHT, run: run_tile };
        Table::<$t> {
            dot,
            sqeuclidean,
            manhattan,
            dot_norms,
            dot4,
            sqeuclidean4,
            dot_norms4,
            tile: Some(tile),
        }
    }};
}

/// The kernels of `isa`, which must be a level this CPU supports: `isa <= best_isa(detected)`.
/// Private so that no caller can pick a level the CPU lacks.
fn tables_for(isa: Isa) -> Tables {
    match isa {
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => Tables {
            isa,
            f32: simd_table!(x86, x86_tile, avx2_f32, f32),
            f64: simd_table!(x86, x86_tile, avx2_f64, f64),
        },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => Tables {
            isa,
            f32: simd_table!(x86, x86_tile, avx512_f32, f32),
            f64: simd_table!(x86, x86_tile, avx512_f64, f64),
        },
        #[cfg(target_arch = "aarch64")]
        Isa::Neon => Tables {
            isa,
            f32: simd_table!(neon, neon::tiles, neon_f32, f32),
            f64: simd_table!(neon, neon::tiles, neon_f64, f64),
        },
        _ => SCALAR,
    }
}

/// The tables of every level this CPU can run, for the differential tests.
#[cfg(test)]
fn every_supported_level() -> Vec<Tables> {
    let best = crate::capabilities::best_isa(&crate::capabilities::detected_features());
    Isa::ALL.into_iter().filter(|isa| isa.belongs_to_this_arch() && *isa <= best).map(tables_for).collect()
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    // `capabilities()` applied FERRULE_MAX_ISA to what the CPU reported: always a level it has.
    TABLES.get_or_init(|| tables_for(capabilities().isa))
}

/// The SIMD level the kernels run with.
pub fn active_isa() -> Isa {
    tables().isa
}

/// The kernels for `precision`.
fn table<T: Element>(precision: Precision) -> Result<&'static Table<T>> {
    match precision {
        Precision::Fast => Ok(T::table(tables())),
        Precision::Accurate => Ok(T::table(&ACCURATE)),
    }
}

fn pair<T: Element>(a: &[T], b: &[T], precision: Precision) -> Result<&'static Table<T>> {
    if a.len() != b.len() {
        return Err(Error::length_mismatch(format!(
            "vectors of different lengths: {} and {}",
            a.len(),
            b.len()
        )));
    }
    table(precision)
}

/// Sum of `a[i] * b[i]` ([`Precision::Fast`]; see [`Precision::dot`]).
pub fn dot<T: Element>(a: &[T], b: &[T]) -> Result<T> {
    Precision::Fast.dot(a, b)
}

/// Sum of `(a[i] - b[i])^2`, from the differences ([`Precision::Fast`]).
pub fn sqeuclidean<T: Element>(a: &[T], b: &[T]) -> Result<T> {
    Precision::Fast.sqeuclidean(a, b)
}

/// `sqrt(sqeuclidean(a, b))` ([`Precision::Fast`]).
pub fn euclidean<T: Element>(a: &[T], b: &[T]) -> Result<T> {
    Precision::Fast.euclidean(a, b)
}

/// Sum of `|a[i] - b[i]|` ([`Precision::Fast`]).
pub fn manhattan<T: Element>(a: &[T], b: &[T]) -> Result<T> {
    Precision::Fast.manhattan(a, b)
}

/// The Euclidean norm of `a` ([`Precision::Fast`]).
pub fn norm<T: Element>(a: &[T]) -> Result<T> {
    Precision::Fast.norm(a)
}

/// `a.b / (|a| |b|)`; 0 when either vector is all zeros ([`Precision::Fast`]).
pub fn cosine_similarity<T: Element>(a: &[T], b: &[T]) -> Result<T> {
    Precision::Fast.cosine_similarity(a, b)
}

/// `1 - cosine_similarity(a, b)` clamped to [0, 2]; 1 for a zero vector ([`Precision::Fast`]).
pub fn cosine_distance<T: Element>(a: &[T], b: &[T]) -> Result<T> {
    Precision::Fast.cosine_distance(a, b)
}

/// Cosine similarity from (a.b, a.a, b.b): 0 when either norm is 0.
fn cosine_from<T: Element>(ab: T, aa: T, bb: T) -> T {
    if aa == T::ZERO || bb == T::ZERO {
        return T::ZERO;
    }
    ab / (aa.sqrt() * bb.sqrt())
}

/// `1 - similarity`, clamped to [0, 2] (rounding can step outside); NaN stays NaN.
fn cosine_distance_from<T: Element>(similarity: T) -> T {
    let distance = T::ONE - similarity;
    let two = T::ONE + T::ONE;
    if distance < T::ZERO {
        T::ZERO
    } else if distance > two {
        two
    } else {
        distance
    }
}

#[cfg(test)]
mod tests;
