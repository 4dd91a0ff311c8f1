//! Many vectors at once: one query against the rows of a matrix, all pairs of two matrices
//! (`cdist`), and the exact k nearest rows (`topk`), on all cores.
//!
//! Matrices are row-major slices with a row stride (in elements, at least `dim`), so a caller
//! can pass a view of a wider table without copying. Every row is checked to lie inside its
//! slice before any kernel runs.

use super::tile::{MAX_CELLS, Raw, Tile, pack};
use super::{Element, Precision, Table, cosine_distance_from, cosine_from, table};
use crate::{Error, Result};
use rayon::prelude::*;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// What `one_to_many`, `cdist` and `topk` compute between two vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// The dot product: a similarity (larger is closer).
    Dot,
    /// `cosine_distance`: 1 - cosine similarity, in [0, 2].
    Cosine,
    /// The squared Euclidean distance, exact (from differences).
    SqEuclidean,
    /// The Euclidean distance.
    Euclidean,
    /// The sum of absolute differences.
    Manhattan,
}

impl Metric {
    pub const ALL: [Metric; 5] =
        [Metric::Dot, Metric::Cosine, Metric::SqEuclidean, Metric::Euclidean, Metric::Manhattan];

    /// The name every runtime uses: `dot`, `cosine`, `sqeuclidean`, `euclidean`, `manhattan`.
    pub const fn name(self) -> &'static str {
        match self {
            Metric::Dot => "dot",
            Metric::Cosine => "cosine",
            Metric::SqEuclidean => "sqeuclidean",
            Metric::Euclidean => "euclidean",
            Metric::Manhattan => "manhattan",
        }
    }

    /// The metric called `name`.
    pub fn parse(name: &str) -> Result<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name).ok_or_else(|| {
            Error::invalid_argument(format!(
                "unknown metric {name:?}: expected one of dot, cosine, sqeuclidean, euclidean, manhattan"
            ))
        })
    }

    /// Whether larger values mean closer (only `Dot`).
    pub const fn is_similarity(self) -> bool {
        matches!(self, Metric::Dot)
    }

    pub(super) fn eval<T: Element>(self, table: &Table<T>, a: &[T], b: &[T]) -> T {
        match self {
            Metric::Dot => (table.dot)(a, b),
            Metric::SqEuclidean => (table.sqeuclidean)(a, b),
            Metric::Euclidean => (table.sqeuclidean)(a, b).sqrt(),
            Metric::Manhattan => (table.manhattan)(a, b),
            Metric::Cosine => {
                let (ab, aa, bb) = (table.dot_norms)(a, b);
                cosine_distance_from(cosine_from(ab, aa, bb))
            }
        }
    }
}

/// A row-major matrix view: `rows` rows of `dim` elements, row `i` starting at `i * stride`.
#[derive(Debug, Clone, Copy)]
pub struct Matrix<'a, T> {
    data: &'a [T],
    rows: usize,
    dim: usize,
    stride: usize,
}

impl<'a, T: Element> Matrix<'a, T> {
    /// Checks that every row lies inside `data` (`stride >= dim`).
    pub fn new(data: &'a [T], rows: usize, dim: usize, stride: usize) -> Result<Self> {
        if stride < dim {
            return Err(Error::invalid_argument(format!(
                "row stride {stride} is shorter than the dimension {dim}"
            )));
        }
        let needed = match rows {
            0 => 0,
            _ => (rows - 1)
                .checked_mul(stride)
                .and_then(|start| start.checked_add(dim))
                .ok_or_else(|| Error::invalid_argument("matrix size overflows"))?,
        };
        if needed > data.len() {
            return Err(Error::length_mismatch(format!(
                "{rows} rows of {dim} with stride {stride} need {needed} elements, the buffer has {}",
                data.len()
            )));
        }
        Ok(Matrix { data, rows, dim, stride })
    }

    /// A dense matrix: `data.len()` must be a multiple of `dim` (a `dim` of 0 needs empty data).
    pub fn dense(data: &'a [T], dim: usize) -> Result<Self> {
        if dim == 0 {
            if !data.is_empty() {
                return Err(Error::invalid_argument("dimension 0 with a non-empty buffer"));
            }
            return Matrix::new(data, 0, 0, 0);
        }
        if !data.len().is_multiple_of(dim) {
            return Err(Error::length_mismatch(format!(
                "a buffer of {} elements is not a whole number of rows of {dim}",
                data.len()
            )));
        }
        Matrix::new(data, data.len() / dim, dim, dim)
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Row `i` (`i < rows`, checked in `new`).
    pub fn row(&self, i: usize) -> &'a [T] {
        &self.data[i * self.stride..i * self.stride + self.dim]
    }
}

fn same_dim(what: &str, a: usize, b: usize) -> Result<()> {
    if a != b {
        return Err(Error::length_mismatch(format!("{what}: dimension {a} against dimension {b}")));
    }
    Ok(())
}

/// Rows whose distances `topk` computes at a time (a stack buffer).
const SCAN_BLOCK: usize = 256;

/// From this many queries on, `topk` runs the cdist tiles (packing the database once pays off).
const TILED_TOPK_QUERIES: usize = 8;

/// Rows per parallel task: small enough to balance, large enough to amortize scheduling.
const ROWS_PER_TASK: usize = 256;

/// `out[i] = metric(query, matrix.row(i))` for every row.
pub fn one_to_many<T: Element>(
    query: &[T],
    matrix: &Matrix<'_, T>,
    metric: Metric,
    precision: Precision,
    out: &mut [T],
) -> Result<()> {
    same_dim("one_to_many", query.len(), matrix.dim)?;
    if out.len() != matrix.rows {
        return Err(Error::length_mismatch(format!("{} rows but an output of {}", matrix.rows, out.len())));
    }
    let table = table::<T>(precision)?;
    let query = Query::new(table, query);
    out.par_chunks_mut(ROWS_PER_TASK).enumerate().for_each(|(block, out)| {
        query.distances(table, metric, matrix, block * ROWS_PER_TASK, out);
    });
    Ok(())
}

/// `out[i] = cosine_similarity(query, matrix.row(i))` (a similarity, not a metric: the
/// one-to-many form of the 1:1 function, with the same rules and the same results bit for bit).
pub fn cosine_similarity_many<T: Element>(
    query: &[T],
    matrix: &Matrix<'_, T>,
    precision: Precision,
    out: &mut [T],
) -> Result<()> {
    same_dim("cosine_similarity_many", query.len(), matrix.dim)?;
    if out.len() != matrix.rows {
        return Err(Error::length_mismatch(format!("{} rows but an output of {}", matrix.rows, out.len())));
    }
    let table = table::<T>(precision)?;
    let query = Query::new(table, query);
    out.par_chunks_mut(ROWS_PER_TASK).enumerate().for_each(|(block, out)| {
        query.similarities(table, matrix, block * ROWS_PER_TASK, out);
    });
    Ok(())
}

/// A query vector with what every row's distance needs of it, computed once.
struct Query<'q, T> {
    values: &'q [T],
    /// `|q|` (the same value `dot_norms` would give) or 0 for a zero query.
    norm: T,
}

impl<'q, T: Element> Query<'q, T> {
    fn new(table: &Table<T>, values: &'q [T]) -> Self {
        Query { values, norm: (table.dot_norms)(values, values).1.sqrt() }
    }

    /// `out[k] = metric(query, matrix.row(first + k))`, four rows per kernel call (the query's
    /// vectors loaded once for four rows). The results equal the 1:1 functions' bit for bit.
    fn distances(
        &self,
        table: &Table<T>,
        metric: Metric,
        matrix: &Matrix<'_, T>,
        first: usize,
        out: &mut [T],
    ) {
        let q = self.values;
        let done = out.len() - out.len() % 4;
        let mut quads = out.chunks_exact_mut(4);
        for (c, quad) in (&mut quads).enumerate() {
            let base = first + 4 * c;
            let rows = [matrix.row(base), matrix.row(base + 1), matrix.row(base + 2), matrix.row(base + 3)];
            let values = match metric {
                Metric::Dot => (table.dot4)(q, rows),
                Metric::SqEuclidean => (table.sqeuclidean4)(q, rows),
                Metric::Euclidean => (table.sqeuclidean4)(q, rows).map(|v| v.sqrt()),
                Metric::Manhattan => rows.map(|row| (table.manhattan)(q, row)),
                Metric::Cosine => {
                    let (dots, norms) = (table.dot_norms4)(q, rows);
                    std::array::from_fn(|r| self.cosine(dots[r], norms[r]))
                }
            };
            quad.copy_from_slice(&values);
        }
        for (k, slot) in out.iter_mut().enumerate().skip(done) {
            *slot = metric.eval(table, q, matrix.row(first + k));
        }
    }

    /// `out[k] = cosine_similarity(query, matrix.row(first + k))`, four rows per kernel call.
    fn similarities(&self, table: &Table<T>, matrix: &Matrix<'_, T>, first: usize, out: &mut [T]) {
        let q = self.values;
        let done = out.len() - out.len() % 4;
        for (c, quad) in out.chunks_exact_mut(4).enumerate() {
            let base = first + 4 * c;
            let rows = [matrix.row(base), matrix.row(base + 1), matrix.row(base + 2), matrix.row(base + 3)];
            let (dots, norms) = (table.dot_norms4)(q, rows);
            for r in 0..4 {
                quad[r] = self.similarity(dots[r], norms[r]);
            }
        }
        for (k, slot) in out.iter_mut().enumerate().skip(done) {
            let (ab, _, bb) = (table.dot_norms)(q, matrix.row(first + k));
            *slot = self.similarity(ab, bb);
        }
    }

    /// `cosine_from(ab, aa, bb)` with `sqrt(aa)` computed once: the same operations.
    fn similarity(&self, dot: T, row_squared_norm: T) -> T {
        if self.norm == T::ZERO || row_squared_norm == T::ZERO {
            return T::ZERO;
        }
        dot / (self.norm * row_squared_norm.sqrt())
    }

    /// `cosine_distance_from(cosine_from(ab, aa, bb))` with `sqrt(aa)` computed once: the same
    /// operations on the same values.
    fn cosine(&self, dot: T, row_squared_norm: T) -> T {
        cosine_distance_from(self.similarity(dot, row_squared_norm))
    }
}

/// All pairs: `out[i * b.rows() + j] = metric(a.row(i), b.row(j))`. Blocks of rows of `b` stay
/// in cache while a block of rows of `a` runs against them; blocks of `a` run in parallel.
pub fn cdist<T: Element>(
    a: &Matrix<'_, T>,
    b: &Matrix<'_, T>,
    metric: Metric,
    precision: Precision,
    out: &mut [T],
) -> Result<()> {
    same_dim("cdist", a.dim, b.dim)?;
    let cells =
        a.rows.checked_mul(b.rows).ok_or_else(|| Error::invalid_argument("cdist output size overflows"))?;
    if out.len() != cells {
        return Err(Error::length_mismatch(format!(
            "{} x {} pairs but an output of {}",
            a.rows,
            b.rows,
            out.len()
        )));
    }
    if cells == 0 {
        return Ok(());
    }
    let table = table::<T>(precision)?;
    match &table.tile {
        Some(tile) => cdist_tiled(table, tile, a, b, metric, out),
        None => {
            cdist_pairs(table, a, b, metric, out);
            Ok(())
        }
    }
}

/// `cdist` pair by pair (the accurate kernels): blocks of `b` stay in cache while a block of
/// `a`'s rows runs against them; blocks of `a` run in parallel.
fn cdist_pairs<T: Element>(
    table: &Table<T>,
    a: &Matrix<'_, T>,
    b: &Matrix<'_, T>,
    metric: Metric,
    out: &mut [T],
) {
    // About 64 KiB of b per block: it stays in L2 while a block of a's rows passes over it.
    let b_block = (16 * 1024 / b.dim.max(1)).clamp(8, 1024);
    const A_BLOCK: usize = 16;
    out.par_chunks_mut(A_BLOCK * b.rows).enumerate().for_each(|(block, out)| {
        let first = block * A_BLOCK;
        let a_rows = out.len() / b.rows;
        for j0 in (0..b.rows).step_by(b_block) {
            let j1 = (j0 + b_block).min(b.rows);
            for i in 0..a_rows {
                let row = a.row(first + i);
                for j in j0..j1 {
                    out[i * b.rows + j] = metric.eval(table, row, b.row(j));
                }
            }
        }
    });
}

/// What a tile accumulates for `metric`.
fn raw_of(metric: Metric) -> Raw {
    match metric {
        Metric::Dot | Metric::Cosine => Raw::Dot,
        Metric::SqEuclidean | Metric::Euclidean => Raw::SqEuclidean,
        Metric::Manhattan => Raw::Manhattan,
    }
}

/// `cdist` with the register-blocked tile kernel: `b` packed once into panels (a copy of `b`,
/// allocated here), then blocks of `a`'s rows in parallel, each running against every panel
/// while the panel sits in L1.
fn cdist_tiled<T: Element>(
    table: &Table<T>,
    tile: &Tile<T>,
    a: &Matrix<'_, T>,
    b: &Matrix<'_, T>,
    metric: Metric,
    out: &mut [T],
) -> Result<()> {
    let tiled = Tiled::new(table, tile, a, b, metric)?;
    let block_rows = tile.height * 4;
    out.par_chunks_mut(block_rows * b.rows).enumerate().for_each(|(block, out)| {
        let first = block * block_rows;
        let rows_here = out.len() / b.rows;
        tiled.run(first..first + rows_here, |i, j0, values| {
            out[(i - first) * b.rows + j0..][..values.len()].copy_from_slice(values);
        });
    });
    Ok(())
}

/// Everything the tile loop of `cdist` and the multi-query `topk` share: `b` packed into
/// panels, and the per-row scales cosine needs.
struct Tiled<'m, T> {
    table: &'m Table<T>,
    tile: &'m Tile<T>,
    a: &'m Matrix<'m, T>,
    b: &'m Matrix<'m, T>,
    metric: Metric,
    packed: Vec<T>,
    a_scale: Vec<Scale<T>>,
    b_scale: Vec<Scale<T>>,
}

impl<'m, T: Element> Tiled<'m, T> {
    fn new(
        table: &'m Table<T>,
        tile: &'m Tile<T>,
        a: &'m Matrix<'m, T>,
        b: &'m Matrix<'m, T>,
        metric: Metric,
    ) -> Result<Self> {
        let packed = pack_panels(b, tile.width)?;
        let (a_scale, b_scale) = match metric {
            Metric::Cosine => (inverse_norms(table, a), inverse_norms(table, b)),
            _ => (Vec::new(), Vec::new()),
        };
        Ok(Tiled { table, tile, a, b, metric, packed, a_scale, b_scale })
    }

    /// Runs rows `rows` of `a` against every row of `b`, handing `sink(i, j0, values)` the
    /// finished distances of row `i` of `a` against rows `j0..j0 + values.len()` of `b`, panel
    /// by panel (so each panel is loaded into L1 once per block of rows).
    fn run(&self, rows: std::ops::Range<usize>, mut sink: impl FnMut(usize, usize, &[T])) {
        let (width, height, dim) = (self.tile.width, self.tile.height, self.a.dim);
        let (b_rows, metric) = (self.b.rows, self.metric);
        let raw = raw_of(metric);
        let mut cells = [T::ZERO; MAX_CELLS];
        let mut finished = [T::ZERO; MAX_CELLS];
        for j0 in (0..b_rows).step_by(width) {
            let panel = &self.packed[j0 * dim..(j0 + width) * dim];
            let columns = (b_rows - j0).min(width);
            for r0 in rows.clone().step_by(height) {
                let m = (rows.end - r0).min(height);
                let mut row_refs: [&[T]; 8] = [&[]; 8];
                for (r, slot) in row_refs.iter_mut().enumerate().take(m) {
                    *slot = self.a.row(r0 + r);
                }
                let computed = (self.tile.run)(raw, &row_refs[..m], panel, &mut cells);
                for r in 0..m {
                    let i = r0 + r;
                    let target = &mut finished[..columns];
                    if !computed {
                        // Unreachable by construction (the shapes are the kernel's); kept so
                        // that a mistake costs speed, never a wrong answer.
                        for (c, slot) in target.iter_mut().enumerate() {
                            *slot = metric.eval(self.table, self.a.row(i), self.b.row(j0 + c));
                        }
                    } else {
                        let values = &cells[r * width..r * width + columns];
                        match metric {
                            Metric::Dot | Metric::SqEuclidean | Metric::Manhattan => {
                                target.copy_from_slice(values)
                            }
                            Metric::Euclidean => {
                                target.iter_mut().zip(values).for_each(|(t, &v)| *t = v.sqrt())
                            }
                            Metric::Cosine => {
                                cosine_row(target, values, self.a_scale[i], &self.b_scale[j0..j0 + columns])
                            }
                        }
                    }
                    sink(i, j0, target);
                }
            }
        }
    }
}

/// A row's `1 / |row|`, and whether the row is all zeros (cosine's rule: similarity 0).
#[derive(Clone, Copy)]
struct Scale<T> {
    inverse: T,
    zero: bool,
}

/// The [`Scale`] of every row, in parallel. Multiplying by `1 / |row|` instead of dividing by
/// `sqrt(aa) sqrt(bb)` per cell keeps the cell loop to two multiplications (a division and two
/// roots per cell cost more than the tile). Infinite norms give an inverse of 0, so the
/// similarity is 0 (or NaN for an infinite dot product), as `ab / (|a| |b|)` gives.
fn inverse_norms<T: Element>(table: &Table<T>, m: &Matrix<'_, T>) -> Vec<Scale<T>> {
    (0..m.rows)
        .into_par_iter()
        .map(|i| {
            let squared = (table.dot)(m.row(i), m.row(i));
            Scale { inverse: T::ONE / squared.sqrt(), zero: squared == T::ZERO }
        })
        .collect()
}

/// Cosine distances of one row of cells from their dot products and inverse norms (0 = a zero
/// vector: similarity 0, distance 1). Written as selects, not branches, so it vectorizes: per
/// cell it must cost a few instructions, not a misprediction.
fn cosine_row<T: Element>(target: &mut [T], dots: &[T], a: Scale<T>, b: &[Scale<T>]) {
    let two = T::ONE + T::ONE;
    if a.zero {
        target.fill(T::ONE);
        return;
    }
    for ((t, &dot), b) in target.iter_mut().zip(dots).zip(b) {
        let similarity = dot * a.inverse * b.inverse;
        let similarity = if b.zero { T::ZERO } else { similarity };
        let distance = T::ONE - similarity;
        // Clamp to [0, 2]; NaN fails both tests and stays NaN.
        let distance = if distance < T::ZERO { T::ZERO } else { distance };
        *t = if distance > two { two } else { distance };
    }
}

/// `b` packed into panels of `width` rows (see `tile.rs`), in parallel; one allocation the
/// size of `b` rounded up to whole panels.
fn pack_panels<T: Element>(b: &Matrix<'_, T>, width: usize) -> Result<Vec<T>> {
    let panels = b.rows.div_ceil(width);
    let len = panels
        .checked_mul(width)
        .and_then(|n| n.checked_mul(b.dim))
        .ok_or_else(|| Error::capacity("cdist: packed matrix size overflows"))?;
    let mut packed = Vec::new();
    packed
        .try_reserve_exact(len)
        .map_err(|_| Error::capacity(format!("cdist: cannot allocate {len} elements")))?;
    packed.resize(len, T::ZERO);
    if b.dim > 0 {
        packed
            .par_chunks_mut(width * b.dim)
            .enumerate()
            .for_each(|(p, panel)| pack(b, p * width, width, panel));
    }
    Ok(packed)
}

/// A candidate in a top-k heap, ordered so the heap's top is the worst kept candidate.
#[derive(Clone, Copy)]
struct Candidate<T> {
    /// Lower is closer (similarities are negated into this key).
    key: T,
    row: usize,
}

impl<T: Element> PartialEq for Candidate<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<T: Element> Eq for Candidate<T> {}

impl<T: Element> PartialOrd for Candidate<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T: Element> Ord for Candidate<T> {
    /// By key, NaN last (a NaN distance is never closer than a number), then by row so results
    /// are deterministic whatever the parallel split.
    fn cmp(&self, other: &Self) -> Ordering {
        let key = match self.key.partial_cmp(&other.key) {
            Some(order) => order,
            None => {
                match (self.key.partial_cmp(&self.key).is_none(), other.key.partial_cmp(&other.key).is_none())
                {
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    _ => Ordering::Equal,
                }
            }
        };
        key.then(self.row.cmp(&other.row))
    }
}

fn push<T: Element>(heap: &mut BinaryHeap<Candidate<T>>, k: usize, candidate: Candidate<T>) {
    if heap.len() < k {
        heap.push(candidate);
    } else if let Some(mut worst) = heap.peek_mut()
        && candidate < *worst
    {
        *worst = candidate;
    }
}

/// The `k` rows of `database` closest to each row of `queries` (for `Dot`: the largest dot
/// products), scanning the database once per block of queries. `indices` and `values` get
/// `queries.rows() * k` entries, each query's sorted closest first (ties: lower row first).
/// `k` larger than the database is an error.
pub fn topk<T: Element>(
    queries: &Matrix<'_, T>,
    database: &Matrix<'_, T>,
    k: usize,
    metric: Metric,
    precision: Precision,
    indices: &mut [usize],
    values: &mut [T],
) -> Result<()> {
    same_dim("topk", queries.dim, database.dim)?;
    if k > database.rows {
        return Err(Error::invalid_argument(format!("k = {k} but the database has {} rows", database.rows)));
    }
    let cells =
        queries.rows.checked_mul(k).ok_or_else(|| Error::invalid_argument("topk output size overflows"))?;
    if indices.len() != cells || values.len() != cells {
        return Err(Error::length_mismatch(format!(
            "{} queries x k = {k} need {cells} slots; the outputs have {} and {}",
            queries.rows,
            indices.len(),
            values.len()
        )));
    }
    if cells == 0 {
        return Ok(());
    }
    let table = table::<T>(precision)?;
    let key = |value: T| if metric.is_similarity() { T::ZERO - value } else { value };
    // Distances come a block at a time from the four-row kernels; a row enters the heap only
    // if it beats the worst kept candidate (one comparison for most rows).
    let search = |query: &Query<'_, T>, rows: std::ops::Range<usize>| {
        let mut heap = BinaryHeap::with_capacity(k + 1);
        let mut block = [T::ZERO; SCAN_BLOCK];
        let mut start = rows.start;
        while start < rows.end {
            let len = (rows.end - start).min(SCAN_BLOCK);
            query.distances(table, metric, database, start, &mut block[..len]);
            for (offset, &value) in block[..len].iter().enumerate() {
                push(&mut heap, k, Candidate { key: key(value), row: start + offset });
            }
            start += len;
        }
        heap
    };
    let finish = |heap: BinaryHeap<Candidate<T>>, indices: &mut [usize], values: &mut [T]| {
        for (slot, candidate) in heap.into_sorted_vec().into_iter().enumerate() {
            indices[slot] = candidate.row;
            values[slot] = key(candidate.key);
        }
    };
    // Many queries: the cdist tiles, the database packed once (a copy of it, allocated here),
    // each block of queries streaming over it with one heap per query.
    if let Some(tile) = &table.tile
        && queries.rows >= TILED_TOPK_QUERIES
    {
        let tiled = Tiled::new(table, tile, queries, database, metric)?;
        let block = tile.height * 4;
        indices.par_chunks_mut(block * k).zip(values.par_chunks_mut(block * k)).enumerate().for_each(
            |(b, (indices, values))| {
                let first = b * block;
                let n = indices.len() / k;
                let mut heaps: Vec<BinaryHeap<Candidate<T>>> =
                    (0..n).map(|_| BinaryHeap::with_capacity(k + 1)).collect();
                tiled.run(first..first + n, |i, j0, distances| {
                    let heap = &mut heaps[i - first];
                    for (c, &value) in distances.iter().enumerate() {
                        push(heap, k, Candidate { key: key(value), row: j0 + c });
                    }
                });
                for ((heap, indices), values) in
                    heaps.into_iter().zip(indices.chunks_mut(k)).zip(values.chunks_mut(k))
                {
                    finish(heap, indices, values);
                }
            },
        );
        return Ok(());
    }
    indices.par_chunks_mut(k).zip(values.par_chunks_mut(k)).enumerate().for_each(|(q, (indices, values))| {
        let query = Query::new(table, queries.row(q));
        // One query: split the database across cores and merge the partial heaps. Many
        // queries: one core per query already keeps every core busy.
        let heap = if queries.rows >= rayon::current_num_threads() || database.rows < 4 * ROWS_PER_TASK {
            search(&query, 0..database.rows)
        } else {
            let blocks = database.rows.div_ceil(ROWS_PER_TASK * 4);
            (0..blocks)
                .into_par_iter()
                .map(|b| {
                    search(&query, b * ROWS_PER_TASK * 4..((b + 1) * ROWS_PER_TASK * 4).min(database.rows))
                })
                .reduce(BinaryHeap::new, |mut left, right| {
                    for candidate in right {
                        push(&mut left, k, candidate);
                    }
                    left
                })
        };
        finish(heap, indices, values);
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize, seed: u32) -> Vec<f32> {
        (0..n)
            .map(|i| ((i as u32).wrapping_mul(2_654_435_761).wrapping_add(seed) % 1000) as f32 / 500.0 - 1.0)
            .collect()
    }

    fn naive(metric: Metric, a: &[f32], b: &[f32]) -> f64 {
        let (a, b): (Vec<f64>, Vec<f64>) =
            (a.iter().map(|&x| x.into()).collect(), b.iter().map(|&x| x.into()).collect());
        let dot: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        let sq: f64 = a.iter().zip(&b).map(|(x, y)| (x - y) * (x - y)).sum();
        match metric {
            Metric::Dot => dot,
            Metric::SqEuclidean => sq,
            Metric::Euclidean => sq.sqrt(),
            Metric::Manhattan => a.iter().zip(&b).map(|(x, y)| (x - y).abs()).sum(),
            Metric::Cosine => {
                let (aa, bb): (f64, f64) = (a.iter().map(|x| x * x).sum(), b.iter().map(|x| x * x).sum());
                if aa == 0.0 || bb == 0.0 {
                    1.0
                } else {
                    (1.0 - dot / (aa.sqrt() * bb.sqrt())).clamp(0.0, 2.0)
                }
            }
        }
    }

    #[test]
    fn metric_names_round_trip() {
        for metric in Metric::ALL {
            assert_eq!(Metric::parse(metric.name()).unwrap(), metric);
        }
        assert_eq!(Metric::parse("cosine_similarity").unwrap_err().code(), "FERRULE_INVALID_ARGUMENT");
    }

    #[test]
    fn matrices_check_every_row_fits() {
        let buf = [0.0f32; 10];
        assert!(Matrix::new(&buf, 3, 3, 3).is_ok());
        assert!(Matrix::new(&buf, 2, 3, 7).is_ok(), "a strided view: rows at 0 and 7");
        assert_eq!(Matrix::new(&buf, 3, 3, 4).unwrap_err().code(), "FERRULE_LENGTH_MISMATCH");
        assert_eq!(Matrix::new(&buf, 2, 4, 3).unwrap_err().code(), "FERRULE_INVALID_ARGUMENT");
        assert_eq!(
            Matrix::new(&buf, usize::MAX, 3, usize::MAX).unwrap_err().code(),
            "FERRULE_INVALID_ARGUMENT"
        );
        assert_eq!(Matrix::dense(&buf, 3).unwrap_err().code(), "FERRULE_LENGTH_MISMATCH");
        assert_eq!(Matrix::dense(&buf, 5).unwrap().rows(), 2);
        assert_eq!(Matrix::<f32>::dense(&[], 0).unwrap().rows(), 0);
    }

    #[test]
    fn one_to_many_and_cdist_agree_with_naive_loops() {
        let (dim, stride) = (37, 40);
        let a_buf = data(13 * stride, 1);
        let b_buf = data(300 * stride, 2);
        let a = Matrix::new(&a_buf, 13, dim, stride).unwrap();
        let b = Matrix::new(&b_buf, 300, dim, stride).unwrap();
        for metric in Metric::ALL {
            let mut all = vec![0.0f32; 13 * 300];
            cdist(&a, &b, metric, Precision::Fast, &mut all).unwrap();
            for i in 0..13 {
                let mut row = vec![0.0f32; 300];
                one_to_many(a.row(i), &b, metric, Precision::Fast, &mut row).unwrap();
                for j in 0..300 {
                    let want = naive(metric, a.row(i), b.row(j));
                    assert!(
                        (f64::from(all[i * 300 + j]) - want).abs() <= 1e-4 * want.abs().max(1.0),
                        "{metric:?}"
                    );
                    let (x, y) = (f64::from(row[j]), f64::from(all[i * 300 + j]));
                    assert!((x - y).abs() <= 1e-4 * want.abs().max(1.0), "{metric:?} one_to_many vs cdist");
                }
            }
        }
        let mut wrong = vec![0.0f32; 5];
        assert_eq!(
            cdist(&a, &b, Metric::Dot, Precision::Fast, &mut wrong).unwrap_err().code(),
            "FERRULE_LENGTH_MISMATCH"
        );
        assert_eq!(
            one_to_many(&[1.0f32; 3], &b, Metric::Dot, Precision::Fast, &mut [0.0; 300]).unwrap_err().code(),
            "FERRULE_LENGTH_MISMATCH"
        );
    }

    #[test]
    fn topk_is_exact_sorted_and_deterministic() {
        let dim = 16;
        let db_buf = data(5000 * dim, 3);
        let q_buf = data(3 * dim, 4);
        let db = Matrix::dense(&db_buf, dim).unwrap();
        for queries in [Matrix::dense(&q_buf[..dim], dim).unwrap(), Matrix::dense(&q_buf, dim).unwrap()] {
            for metric in Metric::ALL {
                let k = 10;
                let mut indices = vec![0usize; queries.rows() * k];
                let mut values = vec![0.0f32; queries.rows() * k];
                topk(&queries, &db, k, metric, Precision::Fast, &mut indices, &mut values).unwrap();
                for q in 0..queries.rows() {
                    let mut all: Vec<(f32, usize)> = (0..db.rows())
                        .map(|r| {
                            let v = metric.eval(
                                table::<f32>(Precision::Fast).unwrap(),
                                queries.row(q),
                                db.row(r),
                            );
                            (if metric.is_similarity() { -v } else { v }, r)
                        })
                        .collect();
                    all.sort_by(|x, y| x.0.partial_cmp(&y.0).unwrap().then(x.1.cmp(&y.1)));
                    let want: Vec<usize> = all[..k].iter().map(|x| x.1).collect();
                    assert_eq!(&indices[q * k..(q + 1) * k], &want[..], "{metric:?} query {q}");
                }
            }
        }
        let mut i = [0usize; 1];
        let mut v = [0.0f32; 1];
        let small = Matrix::dense(&db_buf[..dim], dim).unwrap();
        let query = Matrix::dense(&q_buf[..dim], dim).unwrap();
        assert!(topk(&query, &small, 1, Metric::Cosine, Precision::Fast, &mut i, &mut v).is_ok());
        assert_eq!(
            topk(&query, &small, 2, Metric::Cosine, Precision::Fast, &mut [0; 2], &mut [0.0; 2])
                .unwrap_err()
                .code(),
            "FERRULE_INVALID_ARGUMENT"
        );
    }

    #[test]
    fn cdist_special_rows_follow_the_one_to_one_rules() {
        let dim = 3;
        let special = [
            [0.0f32, 0.0, 0.0],
            [1.0, 2.0, 3.0],
            [f32::NAN, 1.0, 1.0],
            [f32::INFINITY, 0.0, 0.0],
            [0.0, 1.0, 0.0],
            [-1.0, -2.0, -3.0],
        ];
        let flat: Vec<f32> = special.iter().flatten().copied().collect();
        let m = Matrix::dense(&flat, dim).unwrap();
        for metric in Metric::ALL {
            let mut all = vec![0.0f32; 36];
            cdist(&m, &m, metric, Precision::Fast, &mut all).unwrap();
            for i in 0..6 {
                for j in 0..6 {
                    let want = Precision::Fast.distance(metric, &special[i], &special[j]).unwrap();
                    let got = all[i * 6 + j];
                    assert!(
                        (got.is_nan() && want.is_nan()) || got == want || (got - want).abs() <= 1e-6,
                        "{metric:?} ({i}, {j}): cdist {got} vs 1:1 {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn topk_of_many_queries_equals_sorting_cdist() {
        let dim = 24;
        let db_buf = data(700 * dim, 5);
        let q_buf = data(30 * dim, 6);
        let (db, queries) = (Matrix::dense(&db_buf, dim).unwrap(), Matrix::dense(&q_buf, dim).unwrap());
        for metric in Metric::ALL {
            for k in [1usize, 10, 700] {
                let mut all = vec![0.0f32; 30 * 700];
                cdist(&queries, &db, metric, Precision::Fast, &mut all).unwrap();
                let (mut indices, mut values) = (vec![0usize; 30 * k], vec![0.0f32; 30 * k]);
                topk(&queries, &db, k, metric, Precision::Fast, &mut indices, &mut values).unwrap();
                for q in 0..30 {
                    let row = &all[q * 700..(q + 1) * 700];
                    let mut order: Vec<usize> = (0..700).collect();
                    let key = |v: f32| if metric.is_similarity() { -v } else { v };
                    order.sort_by(|&x, &y| key(row[x]).partial_cmp(&key(row[y])).unwrap().then(x.cmp(&y)));
                    assert_eq!(&indices[q * k..(q + 1) * k], &order[..k], "{metric:?} k={k} query {q}");
                    for (slot, &i) in indices[q * k..(q + 1) * k].iter().enumerate() {
                        assert_eq!(values[q * k + slot], row[i], "{metric:?} distance");
                    }
                }
            }
        }
    }

    #[test]
    fn nan_distances_rank_last() {
        let db = [1.0f32, f32::NAN, 2.0, 0.5];
        let db = Matrix::dense(&db, 1).unwrap();
        let q = [0.0f32];
        let q = Matrix::dense(&q, 1).unwrap();
        let mut indices = [0usize; 4];
        let mut values = [0.0f32; 4];
        topk(&q, &db, 4, Metric::SqEuclidean, Precision::Fast, &mut indices, &mut values).unwrap();
        assert_eq!(indices, [3, 0, 2, 1]);
        assert!(values[3].is_nan());
    }
}
