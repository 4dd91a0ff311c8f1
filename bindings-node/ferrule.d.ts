// Types of the package entry point (ferrule.js): everything the generated index.d.ts declares,
// plus the error model shared by every function.
export * from './index.js'

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
