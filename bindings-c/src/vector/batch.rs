//! Many vectors at once (`ferrule_vec_{one_to_many,cdist,topk}_{f32,f64}`): row-major matrices
//! with explicit row strides, outputs in caller-owned arrays with their capacity, and the work
//! spread over ferrule's threads (`ferrule_vec_options.threads`).
//!
//! Everything is checked before anything is written: the metric and the options, each matrix
//! (NULL, alignment, `stride >= dim`, a size that fits), the output capacities, that no output
//! shares memory with an input or another output, `k`, and the kernels' dispatch. Only then,
//! on the worker threads, is the output initialized and handed to core (a C buffer may be
//! uninitialized, which a Rust `&mut [f32]` must not point to).

use super::{disjoint, metric_from, precision_from};
use crate::boundary::{Failure, guard, in_slice, out_slice};
use crate::status::ferrule_status;
use ferrule_core::Error;
use ferrule_core::vector::{self, Element, Matrix, Precision};
use std::mem::MaybeUninit;

/// Options of the batch calls (`ferrule_vec_one_to_many_*`, `ferrule_vec_cdist_*`,
/// `ferrule_vec_topk_*`). Passing NULL means the defaults, and so does a zero-initialized struct
/// (`ferrule_vec_options options = {0};`): fast precision on all cores. A plain value: the call
/// reads it once and keeps no pointer to it.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
#[allow(non_camel_case_types)]
pub struct ferrule_vec_options {
    /// A `ferrule_precision` value: `FERRULE_PRECISION_FAST` (0, the default) or
    /// `FERRULE_PRECISION_ACCURATE`. Any other value fails with `FERRULE_STATUS_INVALID_ARGUMENT`.
    pub precision: u32,
    /// The number of threads: 0 = all cores (one shared pool for the process, sized by the
    /// `RAYON_NUM_THREADS` environment variable or the core count); 1 to 1024 = a pool of that
    /// many threads ferrule keeps for later calls with the same number. More than 1024 fails with
    /// `FERRULE_STATUS_INVALID_ARGUMENT`. Results do not depend on it.
    pub threads: usize,
}

/// The precision and thread count of `options` (NULL: the defaults).
///
/// # Safety
/// `options` must be NULL or valid for reads of one `ferrule_vec_options`.
unsafe fn options_from(options: *const ferrule_vec_options) -> Result<(Precision, usize), Failure> {
    if options.is_null() {
        return Ok((Precision::Fast, 0));
    }
    // SAFETY: non-NULL and valid for one read (caller contract); in_slice checks the alignment.
    let options = unsafe { in_slice(options, 1, "options") }?[0];
    Ok((precision_from(options.precision)?, options.threads))
}

/// A checked input matrix and the number of elements it spans from its first.
///
/// # Safety
/// `ptr` must be NULL (only when the span is 0) or valid for reads of `(rows - 1) * stride + dim`
/// elements (none when `rows` is 0), which nobody writes during `'a`.
unsafe fn matrix_from<'a, T: Element>(
    ptr: *const T,
    rows: usize,
    dim: usize,
    stride: usize,
    name: &'static str,
) -> Result<(Matrix<'a, T>, usize), Failure> {
    let span = match rows {
        0 => 0,
        _ => (rows - 1).checked_mul(stride).and_then(|start| start.checked_add(dim)).ok_or_else(|| {
            Error::invalid_argument(format!(
                "`{name}`: {rows} rows of {dim} with stride {stride} exceed the address space"
            ))
        })?,
    };
    // SAFETY: the caller contract above.
    let data = unsafe { in_slice(ptr, span, name) }?;
    let matrix = Matrix::new(data, rows, dim, stride)
        .map_err(|err| Error::new(err.kind(), format!("`{name}`: {err}")))?;
    Ok((matrix, span))
}

/// Checks an output array before anything is written: room for `needed` elements in its
/// `capacity`, and a pointer that may be NULL only when `needed` is 0.
///
/// # Safety
/// `ptr` must be NULL or valid for writes of `capacity` elements.
unsafe fn check_out<T>(
    ptr: *mut T,
    capacity: usize,
    needed: usize,
    name: &'static str,
) -> Result<(), Failure> {
    if capacity < needed {
        return Err(Error::length_mismatch(format!(
            "`{name}` has room for {capacity} elements but {needed} are needed"
        ))
        .into());
    }
    // SAFETY: valid for writes of capacity >= needed elements (caller contract). Only the checks
    // of out_slice are wanted here: NULL, alignment, size.
    unsafe { out_slice(ptr, needed, name) }?;
    Ok(())
}

/// The first `needed` elements of a checked output as uninitialized slots.
///
/// # Safety
/// `check_out(ptr, _, needed, _)` succeeded; `ptr` is valid for writes of `needed` elements
/// during `'a` and shares no memory with any other slice used meanwhile.
unsafe fn slots<'a, T>(ptr: *mut T, needed: usize) -> &'a mut [MaybeUninit<T>] {
    if needed == 0 {
        return &mut [];
    }
    // SAFETY: non-NULL, aligned and at most isize::MAX bytes (check_out); valid and unshared for
    // 'a (caller contract). MaybeUninit makes no claim about the (possibly uninitialized) contents.
    unsafe { std::slice::from_raw_parts_mut(ptr.cast::<MaybeUninit<T>>(), needed) }
}

/// Fills every slot with `value` and returns them as initialized elements.
fn init<V: Copy>(slots: &mut [MaybeUninit<V>], value: V) -> &mut [V] {
    for slot in slots.iter_mut() {
        slot.write(value);
    }
    // SAFETY: every element was just initialized, and MaybeUninit<V> has the layout of V.
    unsafe { &mut *(std::ptr::from_mut(slots) as *mut [V]) }
}

/// Runs `work` on `threads` threads (0: all cores).
fn run(threads: usize, work: impl FnOnce() -> ferrule_core::Result<()> + Send) -> Result<(), Failure> {
    vector::with_threads(Some(threads), work)??;
    Ok(())
}

/// The body of `ferrule_vec_one_to_many_*`.
///
/// # Safety
/// As `ferrule_vec_one_to_many_f32`.
#[allow(clippy::too_many_arguments)]
unsafe fn one_to_many<T: Element>(
    query: *const T,
    dim: usize,
    matrix: *const T,
    rows: usize,
    stride: usize,
    metric: u32,
    options: *const ferrule_vec_options,
    out: *mut T,
    out_capacity: usize,
) -> Result<(), Failure> {
    let metric = metric_from(metric)?;
    // SAFETY: `options` is NULL (the defaults) or valid for reads of one `ferrule_vec_options` (caller
    // contract).
    let (precision, threads) = unsafe { options_from(options) }?;
    // SAFETY: `query` is NULL (refused unless `dim` is 0) or valid for reads of `dim` elements (caller
    // contract).
    let query_view = unsafe { in_slice(query, dim, "query") }?;
    // SAFETY: `matrix` is valid for reads of `(rows - 1) * stride + dim` elements (none when `rows` is 0),
    // and NULL only when that span is 0 (caller contract).
    let (table, span) = unsafe { matrix_from(matrix, rows, dim, stride, "matrix") }?;
    // SAFETY: `out` is NULL or valid for writes of `out_capacity` elements (caller contract); only checked
    // here.
    unsafe { check_out(out, out_capacity, rows, "out") }?;
    disjoint(out, rows, "out", query, dim, "query")?;
    disjoint(out, rows, "out", matrix, span, "matrix")?;
    // SAFETY: `check_out` passed for `rows` elements (non-NULL unless 0, aligned, sized), the caller
    // made them writable, and `disjoint` showed that neither input shares them.
    let out = unsafe { slots(out, rows) };
    run(threads, move || vector::one_to_many(query_view, &table, metric, precision, init(out, T::ZERO)))
}

/// Distances from one query to every row of a matrix: `out[i] = metric(query, row i)` for
/// `i < rows`, where row `i` is the `dim` elements at `matrix + i * stride`.
///
/// - `metric`: a `ferrule_metric` value (`FERRULE_METRIC_DOT` gives dot products, larger =
///   closer; the others distances).
/// - `stride`: the distance between row starts, in elements, at least `dim` (a wider table's
///   first `dim` columns are a view: pass its row length). The matrix spans
///   `(rows - 1) * stride + dim` elements (none when `rows` is 0); nothing past that is read.
/// - `options`: NULL for the defaults (fast precision, all cores).
/// - `out`: room for `out_capacity` elements; the first `rows` are written. A smaller capacity
///   fails with `FERRULE_STATUS_LENGTH_MISMATCH` (the size is known before the call, so the batch
///   calls have no size query: NULL with capacity 0 is only right when there is nothing to
///   write). `out` must not overlap `query` or the matrix (`FERRULE_STATUS_INVALID_ARGUMENT`).
///
/// NULL is allowed for `query` when `dim` is 0, `matrix` when it spans nothing, `out` when `rows`
/// is 0. An unknown metric or precision, `stride < dim`, or sizes that overflow fail with
/// `FERRULE_STATUS_INVALID_ARGUMENT`. Nothing is written on failure. Parallel over rows;
/// thread-safe (callers may share inputs across threads).
///
/// # Safety
/// `query`: valid for reads of `dim` elements; `matrix`: valid for reads of the span above;
/// `options`: NULL or valid for one read; `out`: valid for writes of `out_capacity` elements. No
/// thread writes the inputs during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_one_to_many_f32(
    query: *const f32,
    dim: usize,
    matrix: *const f32,
    rows: usize,
    stride: usize,
    metric: u32,
    options: *const ferrule_vec_options,
    out: *mut f32,
    out_capacity: usize,
) -> ferrule_status {
    // SAFETY: the caller contract above is `one_to_many`'s.
    guard(|| unsafe { one_to_many(query, dim, matrix, rows, stride, metric, options, out, out_capacity) })
}

/// `double` twin of `ferrule_vec_one_to_many_f32`.
///
/// # Safety
/// As `ferrule_vec_one_to_many_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_one_to_many_f64(
    query: *const f64,
    dim: usize,
    matrix: *const f64,
    rows: usize,
    stride: usize,
    metric: u32,
    options: *const ferrule_vec_options,
    out: *mut f64,
    out_capacity: usize,
) -> ferrule_status {
    // SAFETY: the caller contract above is `one_to_many`'s.
    guard(|| unsafe { one_to_many(query, dim, matrix, rows, stride, metric, options, out, out_capacity) })
}

/// The body of `ferrule_vec_cdist_*`.
///
/// # Safety
/// As `ferrule_vec_cdist_f32`.
#[allow(clippy::too_many_arguments)]
unsafe fn cdist<T: Element>(
    a: *const T,
    a_rows: usize,
    a_stride: usize,
    b: *const T,
    b_rows: usize,
    b_stride: usize,
    dim: usize,
    metric: u32,
    options: *const ferrule_vec_options,
    out: *mut T,
    out_capacity: usize,
) -> Result<(), Failure> {
    let metric = metric_from(metric)?;
    // SAFETY: `options` is NULL (the defaults) or valid for reads of one `ferrule_vec_options` (caller
    // contract).
    let (precision, threads) = unsafe { options_from(options) }?;
    // SAFETY: `a` is valid for reads of `(a_rows - 1) * a_stride + dim` elements (none when `a_rows` is 0),
    // and NULL only when that span is 0 (caller contract).
    let (a_matrix, a_span) = unsafe { matrix_from(a, a_rows, dim, a_stride, "a") }?;
    // SAFETY: `b` is valid for reads of `(b_rows - 1) * b_stride + dim` elements (none when `b_rows` is 0),
    // and NULL only when that span is 0 (caller contract).
    let (b_matrix, b_span) = unsafe { matrix_from(b, b_rows, dim, b_stride, "b") }?;
    let cells = a_rows.checked_mul(b_rows).ok_or_else(|| {
        Error::invalid_argument(format!("{a_rows} x {b_rows} pairs exceed the address space"))
    })?;
    // SAFETY: `out` is NULL or valid for writes of `out_capacity` elements (caller contract); only checked
    // here.
    unsafe { check_out(out, out_capacity, cells, "out") }?;
    disjoint(out, cells, "out", a, a_span, "a")?;
    disjoint(out, cells, "out", b, b_span, "b")?;
    // SAFETY: `check_out` passed for `cells` elements (non-NULL unless 0, aligned, sized), the caller
    // made them writable, and `disjoint` showed that neither input shares them.
    let out = unsafe { slots(out, cells) };
    run(threads, move || vector::cdist(&a_matrix, &b_matrix, metric, precision, init(out, T::ZERO)))
}

/// All pairs: `out[i * b_rows + j] = metric(row i of a, row j of b)` (row-major, `a_rows` x
/// `b_rows`), where row `i` of `a` is the `dim` elements at `a + i * a_stride` (likewise `b`).
///
/// Strides are in elements, at least `dim`; each matrix spans `(rows - 1) * stride + dim`
/// elements (none when it has no rows). `a` and `b` may be the same matrix (self-distances).
/// `FERRULE_METRIC_SQEUCLIDEAN` is summed from the differences, never as `|a|^2 + |b|^2 - 2ab`,
/// so near-duplicate rows keep their precision (relative error about `dim * u`). `out` has room
/// for `out_capacity` elements, of which the first `a_rows * b_rows` are written; a smaller
/// capacity fails with `FERRULE_STATUS_LENGTH_MISMATCH`. `out` must not overlap `a` or `b`.
///
/// Otherwise as `ferrule_vec_one_to_many_f32` (metric, options, NULLs, errors, nothing written
/// on failure). Cache-blocked, parallel over blocks of rows of `a`; thread-safe.
///
/// # Safety
/// `a`, `b`: valid for reads of their spans; `options`: NULL or valid for one read; `out`: valid
/// for writes of `out_capacity` elements. No thread writes the inputs during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_cdist_f32(
    a: *const f32,
    a_rows: usize,
    a_stride: usize,
    b: *const f32,
    b_rows: usize,
    b_stride: usize,
    dim: usize,
    metric: u32,
    options: *const ferrule_vec_options,
    out: *mut f32,
    out_capacity: usize,
) -> ferrule_status {
    // SAFETY: the caller contract above is `cdist`'s.
    guard(|| unsafe {
        cdist(a, a_rows, a_stride, b, b_rows, b_stride, dim, metric, options, out, out_capacity)
    })
}

/// `double` twin of `ferrule_vec_cdist_f32`.
///
/// # Safety
/// As `ferrule_vec_cdist_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_cdist_f64(
    a: *const f64,
    a_rows: usize,
    a_stride: usize,
    b: *const f64,
    b_rows: usize,
    b_stride: usize,
    dim: usize,
    metric: u32,
    options: *const ferrule_vec_options,
    out: *mut f64,
    out_capacity: usize,
) -> ferrule_status {
    // SAFETY: the caller contract above is `cdist`'s.
    guard(|| unsafe {
        cdist(a, a_rows, a_stride, b, b_rows, b_stride, dim, metric, options, out, out_capacity)
    })
}

/// The body of `ferrule_vec_topk_*`.
///
/// # Safety
/// As `ferrule_vec_topk_f32`.
#[allow(clippy::too_many_arguments)]
unsafe fn topk<T: Element>(
    queries: *const T,
    n_queries: usize,
    queries_stride: usize,
    database: *const T,
    database_rows: usize,
    database_stride: usize,
    dim: usize,
    k: usize,
    metric: u32,
    options: *const ferrule_vec_options,
    out_indices: *mut usize,
    out_distances: *mut T,
    out_capacity: usize,
) -> Result<(), Failure> {
    let metric = metric_from(metric)?;
    // SAFETY: `options` is NULL (the defaults) or valid for reads of one `ferrule_vec_options` (caller
    // contract).
    let (precision, threads) = unsafe { options_from(options) }?;
    // SAFETY: `queries` is valid for reads of `(n_queries - 1) * queries_stride + dim` elements (none when
    // `n_queries` is 0), and NULL only when that span is 0 (caller contract).
    let (q, q_span) = unsafe { matrix_from(queries, n_queries, dim, queries_stride, "queries") }?;
    // SAFETY: `database` is valid for reads of `(database_rows - 1) * database_stride + dim` elements (none
    // when `database_rows` is 0), and NULL only when that span is 0 (caller contract).
    let (db, db_span) = unsafe { matrix_from(database, database_rows, dim, database_stride, "database") }?;
    if k > database_rows {
        return Err(
            Error::invalid_argument(format!("k = {k} but the database has {database_rows} rows")).into()
        );
    }
    let cells = n_queries.checked_mul(k).ok_or_else(|| {
        Error::invalid_argument(format!("{n_queries} queries x k = {k} exceed the address space"))
    })?;
    // SAFETY: `out_indices` is NULL or valid for writes of `out_capacity` elements (caller contract); only
    // checked here.
    unsafe { check_out(out_indices, out_capacity, cells, "out_indices") }?;
    // SAFETY: `out_distances` is NULL or valid for writes of `out_capacity` elements (caller contract); only
    // checked here.
    unsafe { check_out(out_distances, out_capacity, cells, "out_distances") }?;
    disjoint(out_indices, cells, "out_indices", out_distances, cells, "out_distances")?;
    disjoint(out_indices, cells, "out_indices", queries, q_span, "queries")?;
    disjoint(out_indices, cells, "out_indices", database, db_span, "database")?;
    disjoint(out_distances, cells, "out_distances", queries, q_span, "queries")?;
    disjoint(out_distances, cells, "out_distances", database, db_span, "database")?;
    // SAFETY: `check_out` passed for `cells` elements (non-NULL unless 0, aligned, sized) and the
    // caller made them writable; `disjoint` showed no input and not `out_distances` shares them.
    let indices = unsafe { slots(out_indices, cells) };
    // SAFETY: as for `indices`: checked, writable, and disjoint from the inputs and `out_indices`.
    let distances = unsafe { slots(out_distances, cells) };
    run(threads, move || {
        vector::topk(&q, &db, k, metric, precision, init(indices, 0), init(distances, T::ZERO))
    })
}

/// The `k` rows of `database` closest to each query, exact: for query `q` (the `dim` elements at
/// `queries + q * queries_stride`), `out_indices[q * k + j]` is the row number of its `j`-th
/// closest database row (row `i` at `database + i * database_stride`) and `out_distances[q * k +
/// j]` its `metric` value.
///
/// - Order: each query's `k` results sorted closest first: smallest distance, or for
///   `FERRULE_METRIC_DOT` the largest dot product; ties by lower row number; NaN values last.
///   The result does not depend on the thread count.
/// - `k` larger than `database_rows` fails with `FERRULE_STATUS_INVALID_ARGUMENT`; `k` = 0 gives
///   empty results.
/// - Strides are in elements, at least `dim`; a matrix spans `(rows - 1) * stride + dim`
///   elements (none when it has no rows).
/// - `out_indices` and `out_distances` each have room for `out_capacity` elements, of which the
///   first `n_queries * k` are written; a smaller capacity fails with
///   `FERRULE_STATUS_LENGTH_MISMATCH`. They must not overlap each other or the inputs.
///
/// Otherwise as `ferrule_vec_one_to_many_f32` (metric, options, NULLs, errors, nothing written
/// on failure). The database is scanned once per block of queries with a bounded heap per query;
/// parallel over queries (one query: over blocks of the database); thread-safe.
///
/// # Safety
/// `queries`, `database`: valid for reads of their spans; `options`: NULL or valid for one read;
/// `out_indices`, `out_distances`: valid for writes of `out_capacity` elements each. No thread
/// writes the inputs during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_topk_f32(
    queries: *const f32,
    n_queries: usize,
    queries_stride: usize,
    database: *const f32,
    database_rows: usize,
    database_stride: usize,
    dim: usize,
    k: usize,
    metric: u32,
    options: *const ferrule_vec_options,
    out_indices: *mut usize,
    out_distances: *mut f32,
    out_capacity: usize,
) -> ferrule_status {
    // SAFETY: the caller contract above is `topk`'s.
    guard(|| unsafe {
        topk(
            queries,
            n_queries,
            queries_stride,
            database,
            database_rows,
            database_stride,
            dim,
            k,
            metric,
            options,
            out_indices,
            out_distances,
            out_capacity,
        )
    })
}

/// `double` twin of `ferrule_vec_topk_f32`.
///
/// # Safety
/// As `ferrule_vec_topk_f32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_vec_topk_f64(
    queries: *const f64,
    n_queries: usize,
    queries_stride: usize,
    database: *const f64,
    database_rows: usize,
    database_stride: usize,
    dim: usize,
    k: usize,
    metric: u32,
    options: *const ferrule_vec_options,
    out_indices: *mut usize,
    out_distances: *mut f64,
    out_capacity: usize,
) -> ferrule_status {
    // SAFETY: the caller contract above is `topk`'s.
    guard(|| unsafe {
        topk(
            queries,
            n_queries,
            queries_stride,
            database,
            database_rows,
            database_stride,
            dim,
            k,
            metric,
            options,
            out_indices,
            out_distances,
            out_capacity,
        )
    })
}

#[cfg(test)]
mod tests {
    //! Edges of the blocks above that the C tests (`test_vector.c`: exact-span matrices, `k` =
    //! rows, NULLs, overflowing sizes) do not reach: a misaligned `options`, the last element of
    //! a strided matrix that ends at its allocation, and outputs of exactly the needed capacity.
    use super::*;
    use crate::status::ferrule_status::*;
    use crate::vector::ferrule_metric::*;
    use std::ptr::{null, null_mut};

    #[test]
    fn a_misaligned_options_struct_is_refused_unread() {
        // Room for an options struct one byte past an aligned address.
        let storage = [0u64; 4];
        // SAFETY: one byte into a 32-byte local array.
        let options = unsafe { storage.as_ptr().cast::<u8>().add(1) }.cast::<ferrule_vec_options>();
        let q = [1.0f32];
        let mut out = [7.0f32];
        // SAFETY: test data: valid one-element arrays; the misaligned options must be refused.
        let status = unsafe {
            ferrule_vec_one_to_many_f32(q.as_ptr(), 1, q.as_ptr(), 1, 1, 0, options, out.as_mut_ptr(), 1)
        };
        assert_eq!((status, out[0]), (FERRULE_STATUS_INVALID_ARGUMENT, 7.0));
    }

    #[test]
    fn the_last_row_ends_at_the_allocation_and_outputs_fill_exactly() {
        // 3 rows of 5 with stride 7: the matrix spans (3 - 1) * 7 + 5 = 19 elements, allocated
        // exactly, so the last row's last element is the allocation's last (an over-read leaves it).
        let (rows, dim, stride) = (3usize, 5usize, 7usize);
        let span = (rows - 1) * stride + dim;
        let mut matrix = vec![f64::NAN; span];
        for r in 0..rows {
            for d in 0..dim {
                matrix[r * stride + d] = (r * 10 + d) as f64;
            }
        }
        let query = vec![1.0f64; dim];
        let mut out = vec![0.0f64; rows];
        // SAFETY: test data: `matrix` holds exactly its span, `query` `dim`, `out` `rows` elements.
        let status = unsafe {
            ferrule_vec_one_to_many_f64(
                query.as_ptr(),
                dim,
                matrix.as_ptr(),
                rows,
                stride,
                FERRULE_METRIC_DOT as u32,
                null(),
                out.as_mut_ptr(),
                rows,
            )
        };
        assert_eq!(status, FERRULE_STATUS_OK);
        // Row r sums r * 10 * 5 + (0 + 1 + 2 + 3 + 4); the padding (NaN) is never read.
        assert_eq!(out, [10.0, 60.0, 110.0]);
        let mut cells = vec![0.0f64; rows * rows];
        // SAFETY: as above; `cells` holds exactly rows * rows elements.
        let status = unsafe {
            ferrule_vec_cdist_f64(
                matrix.as_ptr(),
                rows,
                stride,
                matrix.as_ptr(),
                rows,
                stride,
                dim,
                FERRULE_METRIC_MANHATTAN as u32,
                null(),
                cells.as_mut_ptr(),
                rows * rows,
            )
        };
        assert_eq!(status, FERRULE_STATUS_OK);
        assert_eq!(cells[rows * rows - 1], 0.0, "the last cell: the last row against itself");
        assert_eq!(cells[rows - 1], 100.0, "row 0 against the last row: 5 columns, 20 apart");
        // k = rows, outputs of exactly n_queries * k.
        let (mut indices, mut distances) = (vec![usize::MAX; rows], vec![0.0f64; rows]);
        // SAFETY: as above; both outputs hold exactly `rows` elements.
        let status = unsafe {
            ferrule_vec_topk_f64(
                query.as_ptr(),
                1,
                dim,
                matrix.as_ptr(),
                rows,
                stride,
                dim,
                rows,
                FERRULE_METRIC_DOT as u32,
                null(),
                indices.as_mut_ptr(),
                distances.as_mut_ptr(),
                rows,
            )
        };
        assert_eq!((status, indices, distances), (FERRULE_STATUS_OK, vec![2, 1, 0], vec![110.0, 60.0, 10.0]));
        // A stride below `dim` (rows that would overlap) is refused before any read or write.
        let mut out = vec![7.0f64; rows];
        // SAFETY: as above; the bad stride is refused unread.
        let status = unsafe {
            ferrule_vec_one_to_many_f64(
                query.as_ptr(),
                dim,
                matrix.as_ptr(),
                rows,
                dim - 1,
                0,
                null(),
                out.as_mut_ptr(),
                rows,
            )
        };
        assert_eq!((status, out), (FERRULE_STATUS_INVALID_ARGUMENT, vec![7.0; rows]));
        // SAFETY: no rows: every pointer may be NULL and nothing is read or written.
        let status =
            unsafe { ferrule_vec_one_to_many_f64(null(), 0, null(), 0, 0, 0, null(), null_mut(), 0) };
        assert_eq!(status, FERRULE_STATUS_OK);
    }
}
