//! Files: read a block at a time and parsed in parallel, gzip (detected by its magic bytes)
//! inflated as it is read; and the batch reader, which streams a file of any size through
//! bounded memory.

use super::format::LogFormat;
use super::options::{ParseOptions, ProgressFn};
use super::parallel;
use super::stream::StreamParser;
use super::table::LogTable;
use crate::{Error, ErrorKind, Result};
use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

fn open(path: &Path) -> Result<File> {
    let file = File::open(path).map_err(|e| io_error(path, &e))?;
    let meta = file.metadata().map_err(|e| io_error(path, &e))?;
    if meta.is_dir() {
        return Err(Error::new(ErrorKind::Io, format!("{}: is a directory, not a log file", path.display())));
    }
    Ok(file)
}

fn io_error(path: &Path, err: &std::io::Error) -> Error {
    // std's reads into a `Vec` report an allocation that failed as `OutOfMemory`.
    let kind =
        if err.kind() == std::io::ErrorKind::OutOfMemory { ErrorKind::Capacity } else { ErrorKind::Io };
    Error::new(kind, format!("{}: {err}", path.display()))
}

/// An error while inflating gzip data: truncated or corrupt input, or the file's own I/O error.
fn gzip_error(path: &Path, err: &std::io::Error) -> Error {
    match err.kind() {
        std::io::ErrorKind::UnexpectedEof => {
            Error::corrupt(format!("{}: the gzip data is truncated", path.display()))
        }
        std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData => {
            Error::corrupt(format!("{}: corrupt gzip data: {err}", path.display()))
        }
        _ => io_error(path, err),
    }
}

/// Parses a whole file, in parallel; gzip (detected by its magic bytes) is inflated as it is
/// read. The table is the one [`parse_bytes`](super::parse_bytes) gives for the file's bytes.
///
/// Read a block at a time (see `parallel::parse_read`), not memory-mapped: a mapped file that
/// another process truncates during the parse (logrotate's `copytruncate` does that to a live
/// log) kills the host process with SIGBUS, while a read sees the bytes that were there. Only the
/// table and one block are in memory at a time; [`BatchReader`] bounds the table too.
pub fn parse_file(path: impl AsRef<Path>, format: &LogFormat, options: &ParseOptions) -> Result<LogTable> {
    let path = path.as_ref();
    let file = open(path)?;
    let meta = file.metadata().map_err(|e| io_error(path, &e))?;
    // A pipe, a FIFO, `/dev/stdin` or `<(zcat ...)` reports no size: progress has no total.
    let total = if meta.is_file() { meta.len() } else { 0 };
    let mut reader = BufReader::with_capacity(READ_BYTES, file);
    let head = reader.fill_buf().map_err(|e| io_error(path, &e))?;
    if head.starts_with(&GZIP_MAGIC) {
        let mut inflated = MultiGzDecoder::new(reader);
        parallel::parse_read(&mut inflated, 0, &|e| gzip_error(path, e), format, options)
    } else {
        parallel::parse_read(&mut reader, total, &|e| io_error(path, e), format, options)
    }
}

/// Reads a file in batches of at most `batch_rows` rows, in bounded memory (a read buffer, one
/// batch, and the dictionaries), whatever the file's size. Gzip files are inflated as they are
/// read. Dictionary codes are stable across the batches of one reader.
pub struct BatchReader {
    source: Box<dyn BufRead + Send>,
    path: std::path::PathBuf,
    parser: StreamParser,
    batch_rows: usize,
    file_len: u64,
    read: u64,
    progress: Option<ProgressFn>,
    done: bool,
    failed: Option<Error>,
}

/// How much is read from the file at a time.
const READ_BYTES: usize = 1 << 20;

impl BatchReader {
    pub fn open(
        path: impl AsRef<Path>,
        format: &LogFormat,
        options: &ParseOptions,
        batch_rows: usize,
    ) -> Result<BatchReader> {
        let path = path.as_ref();
        if batch_rows == 0 {
            return Err(Error::invalid_argument("batch_rows must be at least 1"));
        }
        let file = open(path)?;
        let file_len = file.metadata().map_err(|e| io_error(path, &e))?.len();
        let mut reader = BufReader::with_capacity(READ_BYTES, file);
        let head = reader.fill_buf().map_err(|e| io_error(path, &e))?;
        let gzip = head.starts_with(&GZIP_MAGIC);
        let source: Box<dyn BufRead + Send> = if gzip {
            Box::new(BufReader::with_capacity(READ_BYTES, MultiGzDecoder::new(reader)))
        } else {
            Box::new(reader)
        };
        Ok(BatchReader {
            source,
            path: path.to_owned(),
            parser: StreamParser::new(format, options)?,
            batch_rows,
            // Progress counts inflated bytes for gzip, whose total is unknown (0).
            file_len: if gzip { 0 } else { file_len },
            read: 0,
            progress: options.progress.clone(),
            done: false,
            failed: None,
        })
    }

    /// The next batch, or `None` after the last one.
    pub fn next_batch(&mut self) -> Result<Option<LogTable>> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        if self.done {
            return Ok(None);
        }
        let result = self.read_batch();
        if let Err(err) = &result {
            // A reader that failed (corrupt gzip, a raised parse error) fails again rather than
            // ending as if the input were complete.
            self.failed = Some(err.clone());
        }
        result
    }

    fn read_batch(&mut self) -> Result<Option<LogTable>> {
        loop {
            let need = self.batch_rows.saturating_sub(self.parser.rows_buffered());
            if need == 0 {
                return Ok(Some(self.parser.take_batch()));
            }
            let buf = self.source.fill_buf().map_err(|e| gzip_error(&self.path, &e))?;
            if buf.is_empty() {
                // Done only once the last line parsed: a raise there must reach the iterator,
                // which ends quietly after `done`.
                let last = self.parser.finish()?;
                self.done = true;
                if let Some(progress) = &self.progress {
                    progress(self.read, self.read);
                }
                return Ok((last.num_rows() > 0 || last.stats().lines > 0).then_some(last));
            }
            // At most `need` lines: each gives at most one row, so the batch stays in bounds.
            // Octet-counted frames have no newlines to count; each takes at least 2 bytes (a
            // frame `1 x` 3, a broken one with its newline 2), plus one the pending bytes may
            // complete: `need / 2` bytes make at most `need` rows.
            let take = if self.parser.is_octet_counted() {
                buf.len().min((need / 2).max(1))
            } else {
                memchr::memchr_iter(b'\n', buf).nth(need - 1).map_or(buf.len(), |p| p + 1)
            };
            let result = self.parser.push(&buf[..take]);
            self.source.consume(take);
            self.read += take as u64;
            if let Some(progress) = &self.progress {
                // The last report (done == total) comes when the input ends.
                progress(self.read, if self.file_len > self.read { self.file_len } else { 0 });
            }
            result?;
        }
    }
}

impl Iterator for BatchReader {
    type Item = Result<LogTable>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_batch() {
            Ok(Some(batch)) => Some(Ok(batch)),
            Ok(None) => None,
            // The error once; then the iterator ends.
            Err(err) => (!self.done).then(|| {
                self.done = true;
                Err(err)
            }),
        }
    }
}
