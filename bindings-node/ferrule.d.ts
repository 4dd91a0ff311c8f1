// Types of the package entry point (ferrule.js): everything the generated index.d.ts declares,
// plus the error model shared by every function, plus the methods ferrule.js adds in JS.
export * from './index.js'

// StringPool's methods implemented in ferrule.js (over hidden native ones), merged into the
// class that index.d.ts declares.
declare module './index.js' {
  interface StringPool {
    /**
     * Ids of `values`, in order (interning the new ones, in first-seen order). Strings are
     * stored as UTF-8; a lone surrogate becomes U+FFFD, as in `Buffer.from(value)`. A
     * non-string element throws a TypeError with code `FERRULE_INVALID_ARGUMENT` naming its
     * index.
     */
    internMany(values: readonly string[]): Uint32Array
    /**
     * The values of `ids`, in order. Throws `FERRULE_OUT_OF_RANGE` for an unknown id and
     * `FERRULE_INVALID_UTF8` for a value interned as bytes that are not UTF-8.
     */
    resolveMany(ids: Uint32Array): string[]
    /** Every value, in id order (as `resolveMany`; values interned meanwhile included). */
    values(): IterableIterator<string>
    /** Every value, in id order: `for (const value of pool)`, `[...pool]`. */
    [Symbol.iterator](): IterableIterator<string>
  }
}

/** The code of every error ferrule throws; the same strings as Python's `.code` and C's `ferrule_status_str`. */
export type FerruleErrorCode =
  | 'FERRULE_INVALID_ARGUMENT'
  | 'FERRULE_LENGTH_MISMATCH'
  | 'FERRULE_INVALID_UTF8'
  | 'FERRULE_PARSE'
  | 'FERRULE_CAPACITY'
  | 'FERRULE_CORRUPT'
  | 'FERRULE_IO'
  | 'FERRULE_INTERNAL'
  | 'FERRULE_OUT_OF_RANGE'

/**
 * What every ferrule function throws: an `Error` (a `TypeError` when an argument has the wrong
 * type) with a stable `code`. The message ends with the input location when one is known.
 */
export interface FerruleError extends Error {
  code: FerruleErrorCode
  /** The 1-based input line the error refers to, or null. */
  line: number | null
  /** The 0-based byte offset in the input the error refers to, or null. */
  offset: number | null
}

/** Whether `err` was thrown by ferrule. */
export declare function isFerruleError(err: unknown): err is FerruleError

/**
 * Vector math on `Float32Array` / `Float64Array`: distances, reductions, element-wise
 * operations, and batches over flat row-major matrices (`dim` elements a row).
 *
 * Every function takes arrays of one float type (mixing them, or passing anything else, throws a
 * `TypeError` with code `FERRULE_INVALID_ARGUMENT`) and returns numbers or arrays of that type.
 * Lengths must match (`FERRULE_LENGTH_MISMATCH`). Arrays are read in place, views into larger
 * buffers included.
 *
 * Precision: `'fast'` (the default) accumulates in the input type over several SIMD lanes (for
 * n terms, an error of at most about n * u * sum|terms|, u = 2^-24 for float32, 2^-53 for
 * float64); `'accurate'` accumulates in double-double (exact to the last bit unless the terms
 * cancel almost completely; slower). Short vectors (up to a few dozen to a few hundred elements,
 * depending on the operation) are computed in JS in double precision, rounded to float32 at the
 * end for float32 input: there, results may differ from the native float32 kernels in the last
 * bits (they are at least as accurate).
 *
 * NaN in gives NaN out. `min`/`max` return NaN and `argmin`/`argmax` the index of the first NaN
 * when there is one; otherwise the first of equal extremes. A zero vector has cosine similarity
 * 0 and cosine distance 1 (not NaN); cosine distance is clamped to [0, 2].
 */
export declare namespace vector {
  /** `'fast'` (the default) or `'accurate'`. */
  type Precision = 'fast' | 'accurate'
  /** What the batch calls compute between two rows; `'dot'` is a similarity (larger is closer). */
  type Metric = 'dot' | 'cosine' | 'sqeuclidean' | 'euclidean' | 'manhattan'

  interface PrecisionOptions {
    precision?: Precision
  }

  interface BatchOptions {
    metric?: Metric
    precision?: Precision
    /** Threads of ferrule's own pool for this call; undefined or 0 means all cores. */
    threads?: number
  }

  interface OneToManyOptions<T extends Float32Array | Float64Array> extends BatchOptions {
    /** Elements from the start of one row to the next (at least `query.length`, the default). */
    stride?: number
    /** Where to write the result (one value per row); a new array when absent. */
    out?: T | null
  }

  interface CdistOptions<T extends Float32Array | Float64Array> extends BatchOptions {
    /** Where to write the `rowsA * rowsB` results; a new array when absent. */
    out?: T | null
  }

  interface TopkResult<T extends Float32Array | Float64Array> {
    /** `k` row numbers of `database` per query, closest first (ties: lower row first). */
    indices: Uint32Array
    /** Their distances (for `'dot'`: the dot products, largest first); NaN ranks last. */
    distances: T
  }

  /** Sum of `a[i] * b[i]`. */
  function dot(a: Float32Array, b: Float32Array, options?: PrecisionOptions): number
  function dot(a: Float64Array, b: Float64Array, options?: PrecisionOptions): number
  /** `a.b / (|a| |b|)`; 0 when either vector is all zeros. */
  function cosineSimilarity(a: Float32Array, b: Float32Array, options?: PrecisionOptions): number
  function cosineSimilarity(a: Float64Array, b: Float64Array, options?: PrecisionOptions): number
  /** `1 - cosineSimilarity(a, b)`, clamped to [0, 2]; 1 when either vector is all zeros. */
  function cosineDistance(a: Float32Array, b: Float32Array, options?: PrecisionOptions): number
  function cosineDistance(a: Float64Array, b: Float64Array, options?: PrecisionOptions): number
  /** Sum of `(a[i] - b[i])^2`, computed from the differences (exact for near-duplicates). */
  function sqeuclidean(a: Float32Array, b: Float32Array, options?: PrecisionOptions): number
  function sqeuclidean(a: Float64Array, b: Float64Array, options?: PrecisionOptions): number
  /** `sqrt(sqeuclidean(a, b))`. */
  function euclidean(a: Float32Array, b: Float32Array, options?: PrecisionOptions): number
  function euclidean(a: Float64Array, b: Float64Array, options?: PrecisionOptions): number
  /** Sum of `|a[i] - b[i]|`. */
  function manhattan(a: Float32Array, b: Float32Array, options?: PrecisionOptions): number
  function manhattan(a: Float64Array, b: Float64Array, options?: PrecisionOptions): number
  /** The Euclidean norm `sqrt(x.x)`. */
  function norm(x: Float32Array | Float64Array, options?: PrecisionOptions): number

  /** Sum of the elements; 0 for an empty array. */
  function sum(x: Float32Array | Float64Array, options?: PrecisionOptions): number
  /** The arithmetic mean, accumulated in float64. Throws `FERRULE_INVALID_ARGUMENT` when empty. */
  function mean(x: Float32Array | Float64Array): number
  /** The smallest element (NaN if any is NaN). Throws `FERRULE_INVALID_ARGUMENT` when empty. */
  function min(x: Float32Array | Float64Array): number
  /** The largest element (NaN if any is NaN). Throws `FERRULE_INVALID_ARGUMENT` when empty. */
  function max(x: Float32Array | Float64Array): number
  /** The index of the first NaN, else of the first smallest element. Throws when empty. */
  function argmin(x: Float32Array | Float64Array): number
  /** The index of the first NaN, else of the first largest element. Throws when empty. */
  function argmax(x: Float32Array | Float64Array): number

  // Element-wise: the result goes into `out` (which is returned) or, without one, a new array
  // of the inputs' type. `out` may be one of the inputs (in place) or even overlap one.

  /** `alpha * x[i]` (alpha rounded to float32 first for float32 arrays). */
  function scale(x: Float32Array, alpha: number, out?: Float32Array | null): Float32Array
  function scale(x: Float64Array, alpha: number, out?: Float64Array | null): Float64Array
  /** `a[i] + b[i]`. */
  function add(a: Float32Array, b: Float32Array, out?: Float32Array | null): Float32Array
  function add(a: Float64Array, b: Float64Array, out?: Float64Array | null): Float64Array
  /** `a[i] - b[i]`. */
  function subtract(a: Float32Array, b: Float32Array, out?: Float32Array | null): Float32Array
  function subtract(a: Float64Array, b: Float64Array, out?: Float64Array | null): Float64Array
  /** `a[i] * b[i]`. */
  function multiply(a: Float32Array, b: Float32Array, out?: Float32Array | null): Float32Array
  function multiply(a: Float64Array, b: Float64Array, out?: Float64Array | null): Float64Array
  /** `alpha * x[i] + y[i]` (rounded after the product and after the sum, on every CPU). */
  function axpy(alpha: number, x: Float32Array, y: Float32Array, out?: Float32Array | null): Float32Array
  function axpy(alpha: number, x: Float64Array, y: Float64Array, out?: Float64Array | null): Float64Array
  /** `a[i] * b[i] + c[i]` (rounded after the product and after the sum, on every CPU). */
  function fma(a: Float32Array, b: Float32Array, c: Float32Array, out?: Float32Array | null): Float32Array
  function fma(a: Float64Array, b: Float64Array, c: Float64Array, out?: Float64Array | null): Float64Array
  /** `x / norm(x)`; a zero vector stays zero. */
  function normalize(x: Float32Array, out?: Float32Array | null): Float32Array
  function normalize(x: Float64Array, out?: Float64Array | null): Float64Array

  /**
   * `metric(query, row)` for every row of `matrix` (rows of `query.length` elements, `stride`
   * apart; the last row may omit its padding). Metric `'cosine'` by default.
   */
  function oneToMany(query: Float32Array, matrix: Float32Array, options?: OneToManyOptions<Float32Array>): Float32Array
  function oneToMany(query: Float64Array, matrix: Float64Array, options?: OneToManyOptions<Float64Array>): Float64Array
  /**
   * All pairs: `out[i * rowsB + j] = metric(row i of a, row j of b)`, rows of `dim` elements
   * (`dim` must divide both lengths). Metric `'sqeuclidean'` by default: exact, computed from
   * the differences.
   */
  function cdist(a: Float32Array, b: Float32Array, dim: number, options?: CdistOptions<Float32Array>): Float32Array
  function cdist(a: Float64Array, b: Float64Array, dim: number, options?: CdistOptions<Float64Array>): Float64Array
  /**
   * The `k` rows of `database` closest to each row of `queries` (rows of `dim` elements), in
   * one pass over the database: `queries.length / dim * k` results. Metric `'cosine'` by
   * default. `k` larger than the database throws `FERRULE_INVALID_ARGUMENT`.
   */
  function topk(queries: Float32Array, database: Float32Array, dim: number, k: number, options?: BatchOptions): TopkResult<Float32Array>
  function topk(queries: Float64Array, database: Float64Array, dim: number, k: number, options?: BatchOptions): TopkResult<Float64Array>
  /**
   * `cdist` off the event loop (libuv's thread pool). Before it returns, the arguments are
   * checked and the inputs copied, so they may change right after; but inputs backed by a
   * `SharedArrayBuffer` are read in place, without the copy (a plain `ArrayBuffer` could be
   * detached or shrunk while the task reads it, a `SharedArrayBuffer` cannot). Do not write such
   * an input from another thread until the promise settles: that is a data race, as in C. For large inputs the copy can hold the JS thread
   * longer than the whole sync call (page faults on the fresh memory included): keep a database
   * that is searched repeatedly in a `SharedArrayBuffer`. `out` is written when the task completes. Bad arguments
   * throw at once; failures during the work (a bad thread count, an `out` detached meanwhile)
   * reject, with the same codes.
   */
  function cdistAsync(a: Float32Array, b: Float32Array, dim: number, options?: CdistOptions<Float32Array>): Promise<Float32Array>
  function cdistAsync(a: Float64Array, b: Float64Array, dim: number, options?: CdistOptions<Float64Array>): Promise<Float64Array>
  /** `topk` off the event loop, with `cdistAsync`'s rules for arguments and errors. */
  function topkAsync(queries: Float32Array, database: Float32Array, dim: number, k: number, options?: BatchOptions): Promise<TopkResult<Float32Array>>
  function topkAsync(queries: Float64Array, database: Float64Array, dim: number, k: number, options?: BatchOptions): Promise<TopkResult<Float64Array>>
}
