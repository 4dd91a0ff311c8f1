//! Register-blocked tiles for `cdist` (and the multi-query `topk`): the GEMM idea applied to
//! every metric, without GEMM's cancellation-prone shortcut for distances.
//!
//! `B` is packed into panels of `width` rows stored dimension-major (`panel[d * width + j]` is
//! `B[j][d]`, zero-padded past the last row), so one vector load gives element `d` of `width / 2`
//! rows of `B`. A tile kernel takes up to `height` rows of `A`, broadcasts `A[r][d]` and updates
//! `height x width` accumulators held in registers: `fma(a, b, acc)` for the dot product,
//! `d = a - b; fma(d, d, acc)` for squared Euclidean (exact: from the differences), and
//! `acc + |a - b|` for Manhattan. Nothing is reduced horizontally; each output is one
//! accumulation chain over `d` in order, so the "fast" error bound (`n u sum|terms|`) holds.

use super::Element;

/// What a tile accumulates; the metric's final form (cosine, sqrt) is applied by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Raw {
    Dot,
    SqEuclidean,
    Manhattan,
}

/// Computes `out[r * width + j] = raw(rows[r], B[j])` for one packed panel. Returns `false`
/// (computing nothing) if the shapes are not the ones the kernel needs: `1 <= rows.len() <=
/// height`, every row at least `dim = panel.len() / width` long, `out` at least
/// `rows.len() * width`.
pub(super) type TileFn<T> = fn(Raw, &[&[T]], &[T], &mut [T]) -> bool;

/// One ISA's tile kernel for one element type.
pub(super) struct Tile<T> {
    pub width: usize,
    pub height: usize,
    pub run: TileFn<T>,
}

/// The largest `height * width` of any kernel (AVX-512 f32: 8 x 32), for stack buffers.
pub(super) const MAX_CELLS: usize = 8 * 32;

/// Whether `rows`, `panel` and `out` have the shapes a `width x height` kernel reads and writes.
pub(super) fn shapes_fit<T>(width: usize, height: usize, rows: &[&[T]], panel: &[T], out: &[T]) -> bool {
    if width == 0 || !panel.len().is_multiple_of(width) || rows.is_empty() || rows.len() > height {
        return false;
    }
    let dim = panel.len() / width;
    rows.iter().all(|row| row.len() >= dim) && out.len() >= rows.len() * width
}

/// The portable tile (8 wide, 4 high): the kernel of the scalar level, and the reference the
/// SIMD tiles are tested against.
pub(super) fn portable<T: Element>(raw: Raw, rows: &[&[T]], panel: &[T], out: &mut [T]) -> bool {
    const WIDTH: usize = 8;
    if !shapes_fit(WIDTH, 4, rows, panel, out) {
        return false;
    }
    for (r, row) in rows.iter().enumerate() {
        let mut acc = [T::ZERO; WIDTH];
        for (&x, column) in row.iter().zip(panel.chunks_exact(WIDTH)) {
            for (slot, &y) in acc.iter_mut().zip(column) {
                *slot = match raw {
                    Raw::Dot => *slot + x * y,
                    Raw::SqEuclidean => *slot + (x - y) * (x - y),
                    Raw::Manhattan => *slot + (x - y).abs(),
                };
            }
        }
        out[r * WIDTH..(r + 1) * WIDTH].copy_from_slice(&acc);
    }
    true
}

pub(super) const PORTABLE_F32: Tile<f32> = Tile { width: 8, height: 4, run: portable::<f32> };
pub(super) const PORTABLE_F64: Tile<f64> = Tile { width: 8, height: 4, run: portable::<f64> };

/// Packs rows `first..first + width` of `b` (fewer at the end: zero-padded) into `panel`, which
/// holds `width * dim` elements.
pub(super) fn pack<T: Element>(b: &super::Matrix<'_, T>, first: usize, width: usize, panel: &mut [T]) {
    panel.fill(T::ZERO);
    let last = (first + width).min(b.rows());
    for (j, row) in (first..last).enumerate() {
        for (d, &value) in b.row(row).iter().enumerate() {
            panel[d * width + j] = value;
        }
    }
}
