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
  /**
   * The 0-based byte offset the error refers to, or null: in the input, or, for a log line that
   * failed with `onError: 'raise'`, in that line.
   */
  offset: number | null
  /**
   * A finer, stable reason within the code, or null: for a log line that failed with
   * `onError: 'raise'` (code `FERRULE_PARSE`), the line's error code such as
   * `'UNTERMINATED_QUOTE'` (see `logs.RowErrorCode`).
   */
  reason: string | null
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

/**
 * Logs into typed columns, one row per non-empty line: web-server access logs (the `combined` /
 * `common` (CLF) presets and user formats: nginx `log_format`, Apache `LogFormat`), system logs
 * (syslog RFC 3164 and RFC 5424, Apache and nginx error logs, LogPAI header templates), and
 * structured lines (logfmt, JSON lines) whose columns are the keys found in the data.
 *
 * Every function takes an optional options object; an unknown key or a value of the wrong type
 * throws a `TypeError` with code `FERRULE_INVALID_ARGUMENT` (a bad value, such as an unknown
 * preset, an `Error` with that code). Files are read in blocks and parsed in parallel; gzip files
 * (detected by their magic bytes) are inflated as they are read. Missing files and directories throw
 * `FERRULE_IO`, truncated or corrupt gzip `FERRULE_CORRUPT`, a bad format string
 * `FERRULE_PARSE`.
 *
 * A line that does not parse becomes a row with the `error` and `error_offset` columns set and
 * the fields parsed before the failure kept (`onError: 'row'`, the default), is dropped but
 * counted (`'skip'`), or throws a `FERRULE_PARSE` error with `reason` (the row error code),
 * `line` and `offset` (`'raise'`). Always `stats.lines == stats.ok + stats.errors +
 * stats.skipped`.
 *
 * Invalid UTF-8 never throws: strings are decoded with U+FFFD replacements (`strictUtf8: true`
 * makes such lines error rows, `INVALID_UTF8`, instead); the bytes as logged stay available
 * (`table.column(name, { raw: true })`, `table.errors[i].raw`).
 */
export declare namespace logs {
  /**
   * The preset formats.
   *
   * Access logs: `'combined'` (Apache's and nginx's default, the default format), `'common'`
   * (CLF; alias `'clf'`) and `'vhost_combined'`. They accept an extra leading `host:port` (the
   * `vhost` column); `'combined'` and `'vhost_combined'` also ignore extra fields after the user
   * agent (in `'common'` text after the size makes the line a `BAD_NUMBER` row).
   *
   * System logs (columns: `Syslog3164Columns`, ...): `'syslog_rfc3164'` (BSD syslog,
   * `<PRI>Mmm dd hh:mm:ss host tag[pid]: message`, PRI optional; the year comes from the `year`
   * or `referenceTime` option), `'syslog_rfc5424'` (with `octetCounted` for RFC 6587 framing),
   * `'apache_error'` and `'nginx_error'`.
   *
   * Structured lines, whose columns are the keys seen in the data (first-seen order, between
   * `line` and `error`; a key named like an existing column gets `_2`; a missing key is null; a
   * key repeated in a line keeps its last value): `'logfmt'` (`key=value key="quoted value"`;
   * every column strings; a key alone means `"true"`) and `'jsonl'` (one JSON object per line;
   * columns typed from their values: int64 (read as `Float64Array`), float64 (ints and floats
   * mixed), bool (`Uint8Array`), or strings (any other mix: numbers and bools as their JSON
   * text; nested objects and arrays as JSON text unless `flatten`)). String columns are
   * dictionaries except the `plainColumns` ones (by default keys named `request` and `path`). A
   * whole-input parse gives each column one type; each batch of a stream infers its own.
   */
  type Preset =
    | 'combined'
    | 'common'
    | 'clf'
    | 'vhost_combined'
    | 'syslog_rfc3164'
    | 'syslog_rfc5424'
    | 'apache_error'
    | 'nginx_error'
    | 'logfmt'
    | 'jsonl'
  /** The grammar of a format: a preset name, an nginx `log_format`, an Apache `LogFormat` or a header template. */
  type FormatKind = 'preset' | 'nginx' | 'apache' | 'template'
  /** Core's name of a column type, the same in every runtime. */
  type ColumnType =
    | 'uint64'
    | 'uint16'
    | 'int16'
    | 'int64'
    | 'float64'
    | 'timestamp[us, UTC]'
    | 'string'
    | 'dictionary'
    | 'bool'
  /** What a failed line's `error` column says. */
  type RowErrorCode =
    | 'UNTERMINATED_QUOTE'
    | 'TOO_FEW_FIELDS'
    | 'UNEXPECTED_TEXT'
    | 'BAD_TIMESTAMP'
    | 'BAD_STATUS'
    | 'BAD_NUMBER'
    | 'INVALID_UTF8'
    /** A `jsonl` line that is not one JSON object. */
    | 'INVALID_JSON'
    /** `octetCounted` input whose frame length is not a number, or runs past the input's end. */
    | 'BAD_FRAME'
  /** What happens to a line that does not parse. */
  type OnError = 'row' | 'skip' | 'raise'

  /** One output column of a format. */
  interface ColumnInfo {
    readonly name: string
    /**
     * String columns are listed as `'dictionary'`, except those a parse stores plain by default
     * (`request`, `path`, and free-text columns such as `message`), listed as `'string'`; the
     * `plainColumns` option changes which.
     */
    readonly type: ColumnType
  }

  /** A format as `options.format` takes it: a `LogFormat` from `logs.format`, or a plain object. */
  interface FormatSpec {
    readonly kind: FormatKind
    /** The preset name, or the format string as written in nginx.conf / httpd.conf. */
    readonly spec: string
  }

  /** A checked format (made by `logs.format.nginx` / `.apache` / `.template` / `.preset`), with its columns. */
  interface LogFormat extends FormatSpec {
    /**
     * Every output column, in order: `line`, the format's fields, `error`, `error_offset` (for
     * `logfmt` and `jsonl` only those three: the others come from the data).
     */
    readonly columns: readonly ColumnInfo[]
    readonly columnNames: readonly string[]
    /** True for `logfmt` and `jsonl`, whose tables add a column per key found in the data. */
    readonly dynamicColumns: boolean
  }

  interface ParseOptions {
    /** A preset name or a format object; `'combined'` when absent. */
    format?: Preset | FormatSpec | null
    /** `'row'` (the default), `'skip'` or `'raise'`. */
    onError?: OnError | null
    /**
     * Threads for a whole-input parse (`parseFile`, `parseFileAsync`, `parseBuffer`): absent or
     * 0 all cores, 1 sequential (at most 1024). The output is the same for every value. Streams
     * (`createParser`, `readBatches`) parse on the calling thread and do not take this option
     * (passing it throws a `TypeError`, `FERRULE_INVALID_ARGUMENT`).
     */
    threads?: number | null
    /** Undo `\"`, `\\` and `\xNN` escapes in string fields (off: the text is kept as logged). */
    unescape?: boolean | null
    /** Make lines that are not UTF-8 error rows (`INVALID_UTF8`) instead of decoding them lossily. */
    strictUtf8?: boolean | null
    /**
     * The string columns stored as plain strings (`Array<string | null>`); the others are
     * dictionary-encoded. Absent: `['request', 'path']`. An unknown name throws.
     */
    plainColumns?: readonly string[] | null
    /**
     * The year of every `syslog_rfc3164` timestamp (which has none), 1 to 9999. Not with
     * `referenceTime`. Other formats ignore it.
     */
    year?: number | null
    /**
     * Without `year`, each `syslog_rfc3164` line takes the latest date not after this time (a
     * `Date`, or milliseconds since the Unix epoch), so a log running from December into January
     * spans two years. Absent (and no `year`): the time the parse starts. Not with `year`; other
     * formats ignore it.
     */
    referenceTime?: Date | number | null
    /**
     * `syslog_rfc5424` input framed by RFC 6587 octet counting (`LEN SP MESSAGE`, messages may
     * hold newlines) instead of one message per line; `line` then numbers the messages. Other
     * formats throw `FERRULE_INVALID_ARGUMENT`. Such input is parsed on one thread.
     */
    octetCounted?: boolean | null
    /**
     * `jsonl`: nested objects become columns with dotted names (`{"user":{"id":1}}` gives
     * `user.id`) instead of one column of JSON text. Other formats throw `FERRULE_INVALID_ARGUMENT`.
     */
    flatten?: boolean | null
  }

  /** The options of `createParser`: `ParseOptions` without `threads`. */
  type StreamOptions = Omit<ParseOptions, 'threads'>

  /** What `readBatches` returns: a generator (`for...of`) that is also async-iterable (`for await`). */
  type Batches<T> = Generator<T, void, undefined> & AsyncIterable<T>

  /** The options of `readBatches`: `StreamOptions` and `batchRows`. */
  interface BatchOptions extends StreamOptions {
    /** Rows per batch, at least 1; 65536 when absent. */
    batchRows?: number | null
  }

  /** Options that keep a preset's columns typed: that preset, and no `plainColumns`. */
  type PresetOptions<F, O = ParseOptions> = Omit<O, 'format' | 'plainColumns'> & { format: F; plainColumns?: null }
  /** The same for the default format, `'combined'`, which may be left out. */
  type CombinedOptions<O = ParseOptions> = Omit<O, 'format' | 'plainColumns'> & {
    format?: 'combined' | null
    plainColumns?: null
  }

  /** A plain string column: one string per row, null for null rows (`-` in the log). */
  type StringColumn = Array<string | null>
  /**
   * A dictionary-encoded string column: row `i` is `dictionary[codes[i]]` unless it is null
   * (null rows hold code 0: consult `validity`). The codes of one input's batches are stable:
   * later batches' dictionaries extend earlier ones.
   */
  interface DictionaryColumn {
    codes: Uint32Array
    dictionary: string[]
    /** The Arrow validity bitmap (bit `i % 8` of byte `i / 8` set when row `i` holds a value), or null when no row is null. */
    validity: Uint8Array | null
  }
  /**
   * A bool column (`jsonl` `true`/`false`): one byte per row, 1 for true, 0 for false and for
   * null rows (see `validity`). The array owns its memory (a copy of the table's, made once when
   * the column is first read; writing to it changes nothing else).
   */
  type BoolColumn = Uint8Array
  /**
   * A column: `Uint16Array` (uint16: status), `Int16Array` (int16: tz_offset, in minutes),
   * `Float64Array` (uint64 and int64: line, bytes, ...; timestamps: microseconds since the Unix
   * epoch, UTC; float64: durations), a `BoolColumn` (`Uint8Array`), a `StringColumn` or a
   * `DictionaryColumn`.
   *
   * 64-bit integers (uint64, int64, timestamps) in a `Float64Array` are exact below 2^53 (for
   * timestamps, until the year 2255); larger values are rounded to the nearest double. For exact
   * values, read them with `column(name, { bigint: true })`.
   *
   * Null rows: float64 columns hold NaN there (idiomatic JS); every other number column
   * (integers, timestamps, and the `bigint` arrays) holds 0 there, which is also a common value.
   * `validity` / `isValid` is what tells null rows apart, for every column type.
   */
  type Column = Uint16Array | Int16Array | Float64Array | BoolColumn | StringColumn | DictionaryColumn

  /**
   * A plain string column as logged (`column(name, { raw: true })`): each row's bytes, exactly
   * (invalid UTF-8 kept; escapes as the `unescape` option left them), null for null rows. The
   * buffers are views into a few shared chunks.
   */
  type RawStringColumn = Array<Buffer | null>
  /**
   * A dictionary column as logged (`column(name, { raw: true })`): like `DictionaryColumn`, with
   * each dictionary value's bytes exactly. Values that decode to the same string (differing
   * only in invalid bytes) are one entry of the decoded dictionary but separate entries here, so
   * `codes` may differ from the decoded column's.
   */
  interface RawDictionaryColumn {
    codes: Uint32Array
    dictionary: Buffer[]
    /** The Arrow validity bitmap, or null when no row is null (the same as the decoded column's). */
    validity: Uint8Array | null
  }
  /** What `column(name, { raw: true })` gives for a column of type `T`. */
  type RawColumn<T> = T extends StringColumn ? RawStringColumn : T extends DictionaryColumn ? RawDictionaryColumn : never
  /**
   * What `column(name, { bigint: true })` gives: `BigUint64Array` for uint64 columns (line,
   * bytes, error_offset, ...), `BigInt64Array` for int64 and timestamp columns; exact, null rows
   * holding 0n.
   */
  type BigIntColumn = BigUint64Array | BigInt64Array
  /** The names of the columns of `C` that `{ raw: true }` applies to (string and dictionary columns). */
  type RawColumnName<C> = { [K in keyof C]: [Extract<C[K], StringColumn | DictionaryColumn>] extends [never] ? never : K }[keyof C] & string
  /** The names of the columns of `C` that `{ bigint: true }` may apply to (those read as `Float64Array`). */
  type BigIntColumnName<C> = { [K in keyof C]: [Extract<C[K], Float64Array>] extends [never] ? never : K }[keyof C] & string

  /** The columns of a table whose format is not known statically. */
  type Columns = { readonly [name: string]: Column }

  /** The columns of the `common` (CLF) preset. */
  type CommonColumns = {
    /** The 1-based line number in the input. */
    readonly line: Float64Array
    /** An optional leading `host:port` (null when absent). */
    readonly vhost: DictionaryColumn
    readonly client: DictionaryColumn
    readonly ident: DictionaryColumn
    readonly user: DictionaryColumn
    /** Microseconds since the Unix epoch, UTC (exact until the year 2255). */
    readonly timestamp: Float64Array
    /** The logged UTC offset, in minutes. */
    readonly tz_offset: Int16Array
    /** The request line as logged (kept even when it is not `METHOD PATH PROTOCOL`). */
    readonly request: StringColumn
    /** Null when the request is not `METHOD PATH PROTOCOL`, as are `path` and `protocol`. */
    readonly method: DictionaryColumn
    readonly path: StringColumn
    readonly protocol: DictionaryColumn
    readonly status: Uint16Array
    /** Response bytes (rounded above 2^53: `column('bytes', { bigint: true })` is exact). */
    readonly bytes: Float64Array
    /** The row error code (a `RowErrorCode`), null on rows that parsed. */
    readonly error: DictionaryColumn
    /** The byte in the line where parsing stopped, null on rows that parsed. */
    readonly error_offset: Float64Array
  }
  /** The columns of the `combined` preset (the default format). */
  type CombinedColumns = CommonColumns & {
    readonly referer: DictionaryColumn
    readonly user_agent: DictionaryColumn
  }
  /** The columns of the `vhost_combined` preset. */
  type VhostCombinedColumns = Omit<CombinedColumns, 'bytes'> & {
    readonly port: Float64Array
    readonly bytes_sent: Float64Array
  }

  /** The columns every system-log preset starts and ends with. */
  type RowColumns = {
    /** The 1-based line number in the input (the message number with `octetCounted`). */
    readonly line: Float64Array
    /** Microseconds since the Unix epoch, UTC. */
    readonly timestamp: Float64Array
    /** The row error code (a `RowErrorCode`), null on rows that parsed. */
    readonly error: DictionaryColumn
    /** The byte in the line where parsing stopped, null on rows that parsed. */
    readonly error_offset: Float64Array
  }
  /** The columns of the `syslog_rfc3164` preset. */
  type Syslog3164Columns = RowColumns & {
    /** From `<PRI>` (PRI / 8); null when the line has no PRI, as is `severity`. */
    readonly facility: Uint16Array
    /** PRI % 8 (0 emergency ... 7 debug). */
    readonly severity: Uint16Array
    /** The host as logged (a name, an IPv4 or IPv6 address). */
    readonly hostname: DictionaryColumn
    /** The tag before `[pid]:` or `:` (`sshd`, `CRON`); null when the line has none. */
    readonly app_name: DictionaryColumn
    /** The text between `[` and `]` after the tag; null when absent. */
    readonly proc_id: DictionaryColumn
    readonly message: StringColumn
  }
  /** The columns of the `syslog_rfc5424` preset; `-` (NILVALUE) fields are null. */
  type Syslog5424Columns = RowColumns & {
    /** The logged UTC offset, in minutes. */
    readonly tz_offset: Int16Array
    readonly facility: Uint16Array
    readonly severity: Uint16Array
    readonly version: Uint16Array
    readonly hostname: DictionaryColumn
    readonly app_name: DictionaryColumn
    readonly proc_id: DictionaryColumn
    readonly msg_id: DictionaryColumn
    /** The STRUCTURED-DATA text as logged (`logs.parseStructuredData` takes it apart). */
    readonly structured_data: StringColumn
    /** The MSG (a UTF-8 BOM before it removed). */
    readonly message: StringColumn
  }
  /** The columns of the `apache_error` preset (Apache 2.4 `ErrorLogFormat` default and 2.2 lines). */
  type ApacheErrorColumns = RowColumns & {
    /** `core`, `ssl`, ...: null for 2.2 lines, which have no module. */
    readonly module: DictionaryColumn
    readonly level: DictionaryColumn
    readonly pid: Float64Array
    readonly tid: Float64Array
    readonly client: DictionaryColumn
    readonly client_port: Uint16Array
    /** `AH00126`, ...: null when the message has none. */
    readonly error_code: DictionaryColumn
    readonly message: StringColumn
  }
  /** The columns of the `nginx_error` preset; the trailing `, client: ...` fields are null when absent. */
  type NginxErrorColumns = RowColumns & {
    readonly level: DictionaryColumn
    readonly pid: Float64Array
    readonly tid: Float64Array
    /** The connection number after `*`. */
    readonly connection: Float64Array
    readonly message: StringColumn
    readonly client: DictionaryColumn
    readonly server: DictionaryColumn
    readonly request: StringColumn
    readonly upstream: DictionaryColumn
    readonly host: DictionaryColumn
    readonly referrer: DictionaryColumn
  }
  /**
   * The columns of `logfmt` and `jsonl` tables: `line`, one per key in the data, `error`,
   * `error_offset` (see `Preset`).
   */
  type DynamicColumns = {
    readonly [name: string]: Column
    readonly line: Float64Array
    readonly error: DictionaryColumn
    readonly error_offset: Float64Array
  }
  /** The columns of each preset. */
  interface PresetColumns {
    combined: CombinedColumns
    common: CommonColumns
    clf: CommonColumns
    vhost_combined: VhostCombinedColumns
    syslog_rfc3164: Syslog3164Columns
    syslog_rfc5424: Syslog5424Columns
    apache_error: ApacheErrorColumns
    nginx_error: NginxErrorColumns
    logfmt: DynamicColumns
    jsonl: DynamicColumns
  }

  /** One RFC 5424 SD-ELEMENT (`logs.parseStructuredData`). */
  interface SdElement {
    /** The SD-ID, such as `exampleSDID@32473` or `timeQuality`. */
    readonly id: string
    /** The `[name, value]` pairs in the order written (a name may repeat), values unescaped. */
    readonly params: Array<[string, string]>
  }

  /** A failed line. */
  interface LogError {
    /** The 1-based line number in the whole input. */
    readonly line: number
    readonly code: RowErrorCode
    /** The byte in the line where parsing stopped. */
    readonly offset: number
    /** The line without its end (invalid UTF-8 replaced by U+FFFD). */
    readonly text: string
    /** The line's bytes exactly as read, without its end. */
    readonly raw: Buffer
  }

  /** The counts of a parse: always `lines == ok + errors + skipped`; the table has `ok + errors` rows. */
  interface LogStats {
    /** Lines read, empty ones included. */
    readonly lines: number
    /** Rows parsed without error. */
    readonly ok: number
    /** Rows kept with an error code (0 with `onError: 'skip'`, whose failed lines count as skipped). */
    readonly errors: number
    /** Lines not in the table: empty lines and, with `onError: 'skip'`, failed ones. */
    readonly skipped: number
    /** Empty lines (part of `skipped`). */
    readonly empty: number
    /** Bytes of input read (inflated bytes for gzip). */
    readonly bytes: number
    /** Wall-clock seconds spent parsing. */
    readonly seconds: number
  }

  /**
   * Parsed log lines as typed columns: one row per non-empty line (failed lines included unless
   * skipped). Each column is converted to JS the first time it is read, then kept: reading it
   * again gives the same object.
   */
  class LogTable<C extends object = Columns> {
    private constructor()
    readonly numRows: number
    /**
     * The column names, in order: `line`, the format's fields (for `logfmt` and `jsonl`, the keys
     * seen, in first-seen order), `error`, `error_offset`.
     */
    readonly columnNames: string[]
    /** Each column's type by name. */
    readonly columnTypes: { readonly [name: string]: ColumnType }
    /** Every column by name (each converted when first read). */
    readonly columns: C
    /**
     * The column called `name`; an unknown name throws `FERRULE_INVALID_ARGUMENT`. `options`:
     * `raw: true` gives a string or dictionary column's bytes as logged, `bigint: true` a 64-bit
     * integer column exactly (not both; an unknown option throws a `TypeError`). Each
     * representation is converted once and kept (the same object on every call).
     */
    column<K extends keyof C & string>(name: K, options?: { raw?: false | null; bigint?: false | null } | null): C[K]
    /**
     * A string or dictionary column's bytes as logged (see `RawStringColumn`,
     * `RawDictionaryColumn`); other columns throw `FERRULE_INVALID_ARGUMENT`.
     */
    column<K extends RawColumnName<C>>(name: K, options: { raw: true; bigint?: false | null }): RawColumn<C[K]>
    /**
     * A uint64, int64 or timestamp column exactly, as a `BigUint64Array` (uint64) or
     * `BigInt64Array` (int64, timestamps); other columns (float64 ones included) throw
     * `FERRULE_INVALID_ARGUMENT`.
     */
    column<K extends BigIntColumnName<C>>(name: K, options: { bigint: true; raw?: false | null }): BigIntColumn
    /** Decoded or raw, chosen at run time. */
    column<K extends RawColumnName<C>>(name: K, options: { raw: boolean; bigint?: false | null }): C[K] | RawColumn<C[K]>
    /** Rounded or exact, chosen at run time. */
    column<K extends BigIntColumnName<C>>(name: K, options: { bigint: boolean; raw?: false | null }): C[K] | BigIntColumn
    /** The Arrow validity bitmap of a column (a copy), or null when no row of it is null. */
    validity(name: keyof C & string): Uint8Array | null
    /** Whether row `row` of a column holds a value (false for rows past the end). */
    isValid(name: keyof C & string, row: number): boolean
    /**
     * The failed lines, in input order (with `onError: 'skip'` too, though their rows are
     * dropped), each with its text decoded and its exact bytes (`raw`).
     */
    readonly errors: LogError[]
    readonly stats: LogStats
    /** Heap bytes of the native table (not counting the JS copies of columns read). */
    readonly memoryUsage: number
  }

  /**
   * A streaming parser (`createParser`): fed chunks of any size, it parses every complete line
   * as soon as it has it; a line split across chunks waits for its end. Line numbers and
   * dictionary codes run on across batches.
   */
  class LogParser<C extends object = Columns> {
    private constructor()
    /**
     * Parses the complete lines `chunk` ends (a string is taken as UTF-8). Throws only with
     * `onError: 'raise'` (and then on every later push), or after `finish`.
     */
    push(chunk: Uint8Array | string): void
    /** The rows parsed so far and not handed out yet, with their stats and errors. */
    takeBatch(): LogTable<C>
    /** Parses a last line without a line end; returns the rows not handed out yet. Nothing can be pushed afterwards. */
    finish(): LogTable<C>
    /** Rows parsed and not handed out yet. */
    readonly rowsBuffered: number
    /** Bytes of a partial last line waiting for its end. */
    readonly pendingBytes: number
    readonly finished: boolean
  }

  /** Makes checked format objects for `options.format`; a bad format string throws `FERRULE_PARSE`. */
  const format: {
    /** A preset by name (what the name alone as `options.format` means). */
    preset(name: Preset): LogFormat
    /**
     * An nginx `log_format`, e.g. `'$remote_addr - $remote_user [$time_local] "$request" $status
     * $body_bytes_sent $request_time'`; the single-quoted parts of nginx.conf, with or without
     * `log_format NAME` and `;`, work too. `$request_time` and `$upstream_response_time` (the
     * sum of a list like `0.001, 0.002 : 0.003`) are float64 seconds, `$msec` and
     * `$time_iso8601` timestamps; unknown variables become string columns.
     */
    nginx(spec: string): LogFormat
    /**
     * An Apache `LogFormat`, e.g. `'%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" %D %T'` (`\"` and
     * `%%` as in httpd.conf); `%D` is `duration_us`, `%T` `duration_s`.
     */
    apache(spec: string): LogFormat
    /**
     * A LogPAI-style header template, e.g. `'<Date> <Time> <Level> <Component>([<PID>])?:
     * <Content>'`: `<Name>` fields (`<Name:int>` int64, `<Name:float>` float64, the others
     * strings), literal text, a space matching any run of whitespace, `(...)?` optional parts and
     * `\\` escapes. Each field takes the shortest text that lets the rest match; the last one takes
     * the rest of the line. Columns are named exactly as the fields; text fields are dictionary
     * columns except the last one (a `StringColumn`).
     */
    template(spec: string): LogFormat
  }

  /**
   * Takes an RFC 5424 STRUCTURED-DATA text apart (a `structured_data` value, e.g.
   * `[exampleSDID@32473 iut="3" eventSource="Application"][meta seq="1"]`; a string is read as
   * UTF-8). `-` gives `[]`; text that is not STRUCTURED-DATA throws `FERRULE_PARSE`.
   */
  function parseStructuredData(text: string | Uint8Array): SdElement[]

  /** The columns a format produces (string columns as `'dictionary'`, or `'string'` for those stored plain by default). */
  function formatColumns(format: Preset | FormatSpec): ColumnInfo[]

  /** Parses a whole file (read in blocks; gzip inflated as it is read), in parallel. */
  function parseFile(path: string | URL, options?: CombinedOptions): LogTable<CombinedColumns>
  function parseFile<P extends Preset>(path: string | URL, options: PresetOptions<P>): LogTable<PresetColumns[P]>
  function parseFile(path: string | URL, options?: ParseOptions): LogTable

  /**
   * `parseFile` off the event loop (libuv's thread pool). Bad arguments and formats throw at
   * once; I/O and parse failures reject, with the same codes.
   */
  function parseFileAsync(path: string | URL, options?: CombinedOptions): Promise<LogTable<CombinedColumns>>
  function parseFileAsync<P extends Preset>(path: string | URL, options: PresetOptions<P>): Promise<LogTable<PresetColumns[P]>>
  function parseFileAsync(path: string | URL, options?: ParseOptions): Promise<LogTable>

  /** Parses bytes in memory, read in place (not copied), in parallel. Lines end at `\n` (a `\r` before it is dropped). */
  function parseBuffer(buf: Uint8Array, options?: CombinedOptions): LogTable<CombinedColumns>
  function parseBuffer<P extends Preset>(buf: Uint8Array, options: PresetOptions<P>): LogTable<PresetColumns[P]>
  function parseBuffer(buf: Uint8Array, options?: ParseOptions): LogTable

  /**
   * A streaming parser for input that arrives in chunks (a socket, `fs.createReadStream`). It
   * parses on the calling thread: `threads` is not an option.
   */
  function createParser(options?: CombinedOptions<StreamOptions>): LogParser<CombinedColumns>
  function createParser<P extends Preset>(options: PresetOptions<P, StreamOptions>): LogParser<PresetColumns[P]>
  function createParser(options?: StreamOptions): LogParser

  /**
   * A file in batches of at most `batchRows` rows, in bounded memory whatever the file's size
   * (gzip inflated as it is read): `for (const batch of logs.readBatches(path)) ...`. The file
   * is opened at once (a missing one throws here) and closed after the last batch, an error, or
   * a `break` out of the loop. It parses on the calling thread: `threads` is not an option.
   *
   * For long files prefer `for await (const batch of logs.readBatches(path))`: Node frees the
   * native memory of dropped batches only when the event loop turns, which a synchronous loop
   * never lets it do (measured on a 2 GB file: ~200 MB of RSS with `for await`, 1.4 GB with
   * `for...of`). Use one form per call, not both.
   */
  function readBatches(path: string | URL, options?: CombinedOptions<BatchOptions>): Batches<LogTable<CombinedColumns>>
  function readBatches<P extends Preset>(path: string | URL, options: PresetOptions<P, BatchOptions>): Batches<LogTable<PresetColumns[P]>>
  function readBatches(path: string | URL, options?: BatchOptions): Batches<LogTable>
}
