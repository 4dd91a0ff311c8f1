//! The parses: a whole file or buffer into one table (`ferrule_log_parse_file`,
//! `ferrule_log_parse_bytes`, on all cores), a streaming parser fed chunks
//! (`ferrule_log_parser_*`), and a batch reader that walks a file of any size in bounded memory
//! (`ferrule_log_reader_*`). Parsers and readers are behind a mutex: the header promises every
//! object may be used from several threads at once, and their calls then simply take turns.

use super::table::{ferrule_log_table, table_handle};
use super::{ferrule_log_format, ferrule_log_options, format_ref, log_guard, options_from};
use crate::boundary::{Failure, guard, in_slice, out_param};
use crate::status::ferrule_status;
use ferrule_core::Error;
use ferrule_core::logs::{BatchReader, StreamParser, parse_bytes, parse_file};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

/// The path in the `len` bytes at `path`: any bytes but NUL on Unix (file names need not be
/// UTF-8), UTF-8 elsewhere.
///
/// # Safety
/// `path` must be NULL (only when `len` is 0) or valid for reads of `len` bytes.
unsafe fn path_from(path: *const u8, len: usize) -> Result<PathBuf, Failure> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        // SAFETY: the caller contract above.
        let bytes = unsafe { in_slice(path, len, "path") }?;
        Ok(std::ffi::OsStr::from_bytes(bytes).into())
    }
    #[cfg(not(unix))]
    {
        // SAFETY: the caller contract above.
        Ok(unsafe { super::utf8_arg(path, len, "path") }?.into())
    }
}

/// Locks an object's mutex; a panic in an earlier call (a bug, reported then) leaves the object
/// unusable rather than half-updated.
fn lock<'a, T>(mutex: &'a Mutex<T>, what: &str) -> Result<MutexGuard<'a, T>, Failure> {
    mutex.lock().map_err(|_| {
        Error::internal(format!("an earlier call on this {what} panicked (a bug in ferrule); free it")).into()
    })
}

/// Parses the log file at the `path_len` bytes of `path` (not NUL-terminated) with `format` into
/// a new table at `*out_table`; the caller owns it and releases it with `ferrule_log_table_free`.
///
/// Files are read a block at a time (not mapped: a file truncated during the parse cannot crash
/// the process) and parsed on `options->threads` threads (the table is the same for every thread
/// count); gzip files (detected by their magic bytes, whatever the name) are inflated as they are
/// read. `options` may be NULL (the defaults).
///
/// Fails with `FERRULE_STATUS_IO` when the file cannot be read (missing, a directory, no
/// permission), `FERRULE_STATUS_CORRUPT` for truncated or corrupt gzip data,
/// `FERRULE_STATUS_INVALID_ARGUMENT` for bad options, and, with `FERRULE_ON_ERROR_RAISE`,
/// `FERRULE_STATUS_PARSE` at the first bad line (`ferrule_log_last_error` has its line, offset
/// and reason). Thread-safe.
///
/// # Safety
/// `path` must be NULL (only when `path_len` is 0) or valid for reads of `path_len` bytes;
/// `format` NULL or live; `options` NULL or valid for reads of one `ferrule_log_options`;
/// `out_table` NULL or valid for a write of one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_parse_file(
    path: *const u8,
    path_len: usize,
    format: *const ferrule_log_format,
    options: *const ferrule_log_options,
    out_table: *mut *mut ferrule_log_table,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `path` is NULL (refused unless `path_len` is 0) or valid for reads of `path_len` elements
        // (caller contract).
        let path = unsafe { path_from(path, path_len) }?;
        // SAFETY: `format` is NULL (refused) or a live format that outlives this call (caller contract).
        let format = unsafe { format_ref(format) }?;
        // SAFETY: `options` is NULL (the defaults) or valid for reads of one `ferrule_log_options`, whose
        // `plain_columns` is NULL or valid for `plain_columns_len` bytes (caller contract).
        let options = unsafe { options_from(options) }?;
        // SAFETY: `out_table` is NULL (refused) or valid for one write (caller contract).
        let out_table = unsafe { out_param(out_table, "out_table") }?;
        let table = parse_file(&path, format, &options)?;
        out_table.write(table_handle(table));
        Ok(())
    })
}

/// Parses the `len` bytes at `data` (lines split at `\n`, a `\r` before it dropped, a last line
/// without one included) with `format` into a new table at `*out_table`; the caller owns it and
/// releases it with `ferrule_log_table_free`, and keeps ownership of `data`, which is not used
/// after the call (the table holds copies). `data` may be NULL when `len` is 0. Large inputs are
/// parsed on `options->threads` threads; `options` may be NULL (the defaults).
///
/// Fails with `FERRULE_STATUS_INVALID_ARGUMENT` for bad options and, with
/// `FERRULE_ON_ERROR_RAISE`, `FERRULE_STATUS_PARSE` at the first bad line. Thread-safe.
///
/// # Safety
/// `data` must be NULL (only when `len` is 0) or valid for reads of `len` bytes that nobody
/// writes during the call; `format` NULL or live; `options` NULL or valid for reads of one
/// `ferrule_log_options`; `out_table` NULL or valid for a write of one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_parse_bytes(
    data: *const u8,
    len: usize,
    format: *const ferrule_log_format,
    options: *const ferrule_log_options,
    out_table: *mut *mut ferrule_log_table,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `data` is NULL (refused unless `len` is 0) or valid for reads of `len` elements (caller
        // contract).
        let data = unsafe { in_slice(data, len, "data") }?;
        // SAFETY: `format` is NULL (refused) or a live format that outlives this call (caller contract).
        let format = unsafe { format_ref(format) }?;
        // SAFETY: `options` is NULL (the defaults) or valid for reads of one `ferrule_log_options`, whose
        // `plain_columns` is NULL or valid for `plain_columns_len` bytes (caller contract).
        let options = unsafe { options_from(options) }?;
        // SAFETY: `out_table` is NULL (refused) or valid for one write (caller contract).
        let out_table = unsafe { out_param(out_table, "out_table") }?;
        let table = parse_bytes(data, format, &options)?;
        out_table.write(table_handle(table));
        Ok(())
    })
}

// --------------------------------------------------------------------------------- streaming

/// A streaming parser: fed chunks of any size (`ferrule_log_parser_push`), it parses every
/// complete line as soon as it has it and keeps a line split across chunks until its end
/// arrives. `ferrule_log_parser_take_batch` hands out the rows parsed so far (for bounded
/// memory), `ferrule_log_parser_finish` parses the last, unterminated line and hands out the
/// rest. Line numbers and dictionary codes run on across the batches of one parser.
///
/// Opaque: created by `ferrule_log_parser_new`, owned by the caller, released with
/// `ferrule_log_parser_free`. Thread-safe: calls on one parser from several threads take turns
/// (a mutex), in whatever order they arrive; `ferrule_log_parser_free` must run alone, after
/// every other use. Tables it handed out are independent of it.
#[allow(non_camel_case_types)]
pub struct ferrule_log_parser {
    // A parser that failed keeps failing the same way: core's `StreamParser` does that itself.
    inner: Mutex<StreamParser>,
}

/// The parser behind a C handle, locked, or a failure.
///
/// # Safety
/// `parser` must be NULL or a live parser that stays alive during `'a`.
unsafe fn parser_lock<'a>(parser: *mut ferrule_log_parser) -> Result<MutexGuard<'a, StreamParser>, Failure> {
    // SAFETY: NULL or a live parser for 'a (caller contract); shared access, the mutex does
    // the rest.
    let parser = unsafe { parser.as_ref() }.ok_or(Failure::Null("parser"))?;
    lock(&parser.inner, "parser")
}

/// Creates a streaming parser for `format` with `options` (NULL: the defaults; `threads` is not
/// used: a streaming parser parses on the calling thread) into `*out_parser`. The caller owns it
/// and releases it with `ferrule_log_parser_free`; `format` may be freed right after this call.
/// Fails with `FERRULE_STATUS_INVALID_ARGUMENT` for bad options. Thread-safe.
///
/// # Safety
/// `format` must be NULL or live; `options` NULL or valid for reads of one
/// `ferrule_log_options`; `out_parser` NULL or valid for a write of one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_parser_new(
    format: *const ferrule_log_format,
    options: *const ferrule_log_options,
    out_parser: *mut *mut ferrule_log_parser,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `format` is NULL (refused) or a live format that outlives this call (caller contract).
        let format = unsafe { format_ref(format) }?;
        // SAFETY: `options` is NULL (the defaults) or valid for reads of one `ferrule_log_options`, whose
        // `plain_columns` is NULL or valid for `plain_columns_len` bytes (caller contract).
        let options = unsafe { options_from(options) }?;
        // SAFETY: `out_parser` is NULL (refused) or valid for one write (caller contract).
        let out_parser = unsafe { out_param(out_parser, "out_parser") }?;
        let inner = Mutex::new(StreamParser::new(format, &options)?);
        out_parser.write(Box::into_raw(Box::new(ferrule_log_parser { inner })));
        Ok(())
    })
}

/// Feeds the `len` bytes at `data` (any split of the input: a chunk may end inside a line, even
/// inside a UTF-8 sequence) and parses every line they complete. `data` may be NULL when `len` is
/// 0; the parser copies what it keeps, so the caller may reuse `data` after the call.
///
/// Fails with `FERRULE_STATUS_PARSE` with `FERRULE_ON_ERROR_RAISE` at the first bad line, with
/// `FERRULE_STATUS_CAPACITY` when a line grows past 256 MiB without ending (or memory runs out),
/// and with `FERRULE_STATUS_INVALID_ARGUMENT` after `ferrule_log_parser_finish`. After a failed
/// push or finish, every later push and finish fails the same way, while take_batch still hands
/// out the rows accepted before the failure (see it). Thread-safe.
///
/// # Safety
/// `parser` must be NULL or live; `data` NULL (only when `len` is 0) or valid for reads of
/// `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_parser_push(
    parser: *mut ferrule_log_parser,
    data: *const u8,
    len: usize,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `parser` is NULL (refused) or a live parser that outlives this call (caller contract).
        let mut state = unsafe { parser_lock(parser) }?;
        // SAFETY: `data` is NULL (refused unless `len` is 0) or valid for reads of `len` elements (caller
        // contract).
        let data = unsafe { in_slice(data, len, "data") }?;
        Ok(state.push(data)?)
    })
}

/// Hands out the rows of the complete lines parsed so far (and not handed out yet) as a new
/// table at `*out_table`, with the errors and stats since the last batch; the caller owns it. The
/// parser goes on: push more and take or finish again. A table with 0 rows is a valid result.
/// Fails with `FERRULE_STATUS_INVALID_ARGUMENT` after `ferrule_log_parser_finish`. After a push
/// failed with `FERRULE_ON_ERROR_RAISE`, it still hands out the rows of the lines before the bad
/// one (they were accepted); push and finish keep failing. Thread-safe.
///
/// # Safety
/// `parser` must be NULL or live; `out_table` NULL or valid for a write of one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_parser_take_batch(
    parser: *mut ferrule_log_parser,
    out_table: *mut *mut ferrule_log_table,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `parser` is NULL (refused) or a live parser that outlives this call (caller contract).
        let mut state = unsafe { parser_lock(parser) }?;
        // SAFETY: `out_table` is NULL (refused) or valid for one write (caller contract).
        let out_table = unsafe { out_param(out_table, "out_table") }?;
        // After a raised parse error the rows before the bad line were accepted, and they stay
        // available (as in core and Python).
        let parser = &mut *state;
        if parser.is_finished() {
            return Err(
                Error::invalid_argument("this parser has finished; create a new one for more input").into()
            );
        }
        out_table.write(table_handle(parser.take_batch()));
        Ok(())
    })
}

/// Ends the input: parses what is pending as the last line, and hands out every row not handed
/// out yet as a new table at `*out_table` (the caller owns it). The parser accepts nothing
/// afterwards (push, take_batch and finish fail with `FERRULE_STATUS_INVALID_ARGUMENT`); free it.
/// Fails with `FERRULE_STATUS_PARSE` with `FERRULE_ON_ERROR_RAISE` when a bad line was met (now
/// or in an earlier push), and then hands out nothing. Thread-safe.
///
/// # Safety
/// `parser` must be NULL or live; `out_table` NULL or valid for a write of one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_parser_finish(
    parser: *mut ferrule_log_parser,
    out_table: *mut *mut ferrule_log_table,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `parser` is NULL (refused) or a live parser that outlives this call (caller contract).
        let mut state = unsafe { parser_lock(parser) }?;
        // SAFETY: `out_table` is NULL (refused) or valid for one write (caller contract).
        let out_table = unsafe { out_param(out_table, "out_table") }?;
        let table = state.finish()?;
        out_table.write(table_handle(table));
        Ok(())
    })
}

/// Releases a parser and the input it holds back. NULL is accepted and ignored. Tables it
/// handed out stay valid. Not thread-safe with respect to this parser: no other call may use it
/// during or after this one.
///
/// # Safety
/// `parser` must be NULL or a live parser, not used by any other call now or later.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_parser_free(parser: *mut ferrule_log_parser) {
    if parser.is_null() {
        return;
    }
    let _ = guard(|| {
        // SAFETY: a live parser from Box::into_raw (ferrule_log_parser_new), used by no one else
        // and never again (caller contract), so it is dropped exactly once.
        drop(unsafe { Box::from_raw(parser) });
        Ok(())
    });
}

// ------------------------------------------------------------------------------------ reader

/// A reader of a log file in batches of at most `batch_rows` rows, in bounded memory (a read
/// buffer, one batch and the dictionaries) whatever the file's size; gzip files are inflated as
/// they are read. Line numbers and dictionary codes run on across batches.
///
/// Opaque: created by `ferrule_log_reader_open`, owned by the caller, released with
/// `ferrule_log_reader_free`. Thread-safe: calls on one reader from several threads take turns
/// (a mutex), each getting the next batch; `ferrule_log_reader_free` must run alone, after every
/// other use. Tables it handed out are independent of it.
#[allow(non_camel_case_types)]
pub struct ferrule_log_reader {
    // A reader that failed keeps failing the same way: core's `BatchReader` does that itself.
    inner: Mutex<BatchReader>,
}

/// Opens the log file at the `path_len` bytes of `path` (not NUL-terminated) for reading with
/// `format` in batches of at most `batch_rows` rows, into a new reader at `*out_reader`; the
/// caller owns it and releases it with `ferrule_log_reader_free`. `options` may be NULL (the
/// defaults; `threads` is not used: a reader parses on the calling thread).
///
/// Fails with `FERRULE_STATUS_IO` when the file cannot be opened (missing, a directory),
/// `FERRULE_STATUS_INVALID_ARGUMENT` for bad options or `batch_rows` 0. Thread-safe.
///
/// # Safety
/// `path` must be NULL (only when `path_len` is 0) or valid for reads of `path_len` bytes;
/// `format` NULL or live; `options` NULL or valid for reads of one `ferrule_log_options`;
/// `out_reader` NULL or valid for a write of one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_reader_open(
    path: *const u8,
    path_len: usize,
    format: *const ferrule_log_format,
    options: *const ferrule_log_options,
    batch_rows: usize,
    out_reader: *mut *mut ferrule_log_reader,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: `path` is NULL (refused unless `path_len` is 0) or valid for reads of `path_len` elements
        // (caller contract).
        let path = unsafe { path_from(path, path_len) }?;
        // SAFETY: `format` is NULL (refused) or a live format that outlives this call (caller contract).
        let format = unsafe { format_ref(format) }?;
        // SAFETY: `options` is NULL (the defaults) or valid for reads of one `ferrule_log_options`, whose
        // `plain_columns` is NULL or valid for `plain_columns_len` bytes (caller contract).
        let options = unsafe { options_from(options) }?;
        // SAFETY: `out_reader` is NULL (refused) or valid for one write (caller contract).
        let out_reader = unsafe { out_param(out_reader, "out_reader") }?;
        let reader = BatchReader::open(&path, format, &options, batch_rows)?;
        let inner = Mutex::new(reader);
        out_reader.write(Box::into_raw(Box::new(ferrule_log_reader { inner })));
        Ok(())
    })
}

/// Reads the next batch into a new table at `*out_table` (the caller owns it), or stores NULL
/// there when the file has no more lines (a success: `FERRULE_STATUS_OK` with `*out_table`
/// NULL; later calls keep storing NULL). A batch has at least 1 and at most `batch_rows` rows,
/// except that the last may have 0 rows when the file ends with lines that make no row (empty or
/// skipped): its stats still count them.
///
/// Fails with `FERRULE_STATUS_IO` or `FERRULE_STATUS_CORRUPT` (truncated or corrupt gzip) when
/// the file cannot be read, with `FERRULE_STATUS_CAPACITY` when a line grows past 256 MiB without
/// ending (or memory runs out), and with `FERRULE_STATUS_PARSE` with `FERRULE_ON_ERROR_RAISE` at
/// the first bad line; after a failure every later call fails the same way. Thread-safe.
///
/// # Safety
/// `reader` must be NULL or live; `out_table` NULL or valid for a write of one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_reader_next(
    reader: *mut ferrule_log_reader,
    out_table: *mut *mut ferrule_log_table,
) -> ferrule_status {
    log_guard(|| {
        // SAFETY: NULL or a live reader (caller contract); shared access, the mutex does the rest.
        let reader = unsafe { reader.as_ref() }.ok_or(Failure::Null("reader"))?;
        // SAFETY: the caller contract above.
        let out_table = unsafe { out_param(out_table, "out_table") }?;
        let mut state = lock(&reader.inner, "reader")?;
        match state.next_batch()? {
            Some(table) => out_table.write(table_handle(table)),
            None => out_table.write(std::ptr::null_mut()),
        }
        Ok(())
    })
}

/// Releases a reader and closes its file. NULL is accepted and ignored. Tables it handed out
/// stay valid. Not thread-safe with respect to this reader: no other call may use it during or
/// after this one.
///
/// # Safety
/// `reader` must be NULL or a live reader, not used by any other call now or later.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrule_log_reader_free(reader: *mut ferrule_log_reader) {
    if reader.is_null() {
        return;
    }
    let _ = guard(|| {
        // SAFETY: a live reader from Box::into_raw (ferrule_log_reader_open), used by no one else
        // and never again (caller contract), so it is dropped exactly once.
        drop(unsafe { Box::from_raw(reader) });
        Ok(())
    });
}

#[cfg(test)]
mod tests {
    //! Edges of the blocks above: empty inputs (NULL with length 0), the last line ending at the
    //! input's last byte (no newline), and lengths no memory can hold (refused unread).
    use super::*;
    use crate::logs::ferrule_log_format_parse;
    use crate::logs::table::{ferrule_log_table_free, ferrule_log_table_num_rows};
    use crate::status::ferrule_status::*;
    use std::ptr::{null, null_mut};

    const LINE: &[u8] = br#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200 5 "-" "curl""#;

    /// A compiled `combined` format, freed on drop.
    struct Format(*mut ferrule_log_format);

    impl Format {
        fn combined() -> Format {
            let mut format = null_mut();
            // SAFETY: test data: a static name and a local output.
            let status = unsafe { ferrule_log_format_parse(b"combined".as_ptr(), 8, 0, &mut format) };
            assert_eq!(status, FERRULE_STATUS_OK);
            Format(format)
        }
    }

    impl Drop for Format {
        fn drop(&mut self) {
            // SAFETY: made by `combined`, freed once.
            unsafe { crate::logs::ferrule_log_format_free(self.0) };
        }
    }

    fn rows(table: *mut ferrule_log_table) -> usize {
        let mut rows = usize::MAX;
        // SAFETY: a live table from a parse; a local output.
        assert_eq!(unsafe { ferrule_log_table_num_rows(table, &mut rows) }, FERRULE_STATUS_OK);
        // SAFETY: freed once, here.
        unsafe { ferrule_log_table_free(table) };
        rows
    }

    #[test]
    fn whole_inputs_empty_last_byte_and_impossible_lengths() {
        let format = Format::combined();
        let mut table = null_mut();
        // SAFETY: NULL with length 0 is the empty input; NULL options are the defaults.
        let status = unsafe { ferrule_log_parse_bytes(null(), 0, format.0, null(), &mut table) };
        assert_eq!(status, FERRULE_STATUS_OK);
        assert_eq!(rows(table), 0);
        // Exactly the line, no newline: its last byte is the allocation's last.
        let data = LINE.to_vec();
        // SAFETY: `data` holds `data.len()` bytes.
        let status =
            unsafe { ferrule_log_parse_bytes(data.as_ptr(), data.len(), format.0, null(), &mut table) };
        assert_eq!(status, FERRULE_STATUS_OK);
        assert_eq!(rows(table), 1);
        let sentinel = std::ptr::dangling_mut::<ferrule_log_table>();
        for n in [usize::MAX, isize::MAX as usize + 1] {
            let mut out = sentinel;
            // SAFETY: one-line locals; each call must refuse `n` before reading.
            unsafe {
                assert_eq!(
                    ferrule_log_parse_bytes(data.as_ptr(), n, format.0, null(), &mut out),
                    FERRULE_STATUS_INVALID_ARGUMENT
                );
                assert_eq!(
                    ferrule_log_parse_file(data.as_ptr(), n, format.0, null(), &mut out),
                    FERRULE_STATUS_INVALID_ARGUMENT
                );
                let mut reader = null_mut();
                let status = ferrule_log_reader_open(data.as_ptr(), n, format.0, null(), 10, &mut reader);
                assert_eq!((status, reader), (FERRULE_STATUS_INVALID_ARGUMENT, null_mut()));
            }
            assert_eq!(out, sentinel, "nothing written on failure");
        }
        // An empty path names no file: an I/O error, not a read of the NULL pointer.
        let mut out = sentinel;
        // SAFETY: NULL with length 0.
        let status = unsafe { ferrule_log_parse_file(null(), 0, format.0, null(), &mut out) };
        assert_eq!(status, FERRULE_STATUS_IO);
        assert_eq!(out, sentinel);
    }

    #[test]
    fn streaming_pushes_of_nothing_of_the_last_byte_and_of_impossible_lengths() {
        let format = Format::combined();
        let mut parser = null_mut();
        // SAFETY: a live format, NULL options, a local output.
        assert_eq!(unsafe { ferrule_log_parser_new(format.0, null(), &mut parser) }, FERRULE_STATUS_OK);
        let data = LINE.to_vec();
        // SAFETY: the parser is live; NULL with 0 is nothing; `data` holds its length.
        unsafe {
            assert_eq!(ferrule_log_parser_push(parser, null(), 0), FERRULE_STATUS_OK);
            assert_eq!(
                ferrule_log_parser_push(parser, data.as_ptr(), usize::MAX),
                FERRULE_STATUS_INVALID_ARGUMENT
            );
            assert_eq!(ferrule_log_parser_push(parser, data.as_ptr(), data.len()), FERRULE_STATUS_OK);
        }
        let mut table = null_mut();
        // SAFETY: as above. The refused push left no trace: one line, parsed at finish.
        assert_eq!(unsafe { ferrule_log_parser_finish(parser, &mut table) }, FERRULE_STATUS_OK);
        assert_eq!(rows(table), 1);
        // SAFETY: made above, freed once.
        unsafe { ferrule_log_parser_free(parser) };
    }
}
