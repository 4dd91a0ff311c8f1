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
