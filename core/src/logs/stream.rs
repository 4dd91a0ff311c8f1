//! The streaming parser: fed chunks of any size, it parses every complete line as soon as it has
//! it and keeps a line split across chunks until its end arrives.

use super::engine::Engine;
use super::format::LogFormat;
use super::options::ParseOptions;
use super::table::LogTable;
use crate::{Error, Result};
use std::time::Instant;

/// Parses a stream pushed in chunks; [`take_batch`](Self::take_batch) and
/// [`finish`](Self::finish) hand out the rows parsed so far. Dictionaries and line numbers run
/// on across batches: a code means the same string in every batch of one stream.
///
/// ```
/// use ferrule_core::logs::{LogFormat, ParseOptions, StreamParser};
///
/// let format = LogFormat::nginx("$remote_addr $status")?;
/// let mut parser = StreamParser::new(&format, &ParseOptions::default())?;
/// parser.push(b"1.2.3.4 200\n5.6.")?;
/// parser.push(b"7.8 404")?;
/// let table = parser.finish()?;
/// assert_eq!(table.num_rows(), 2);
/// assert_eq!(table.require("client")?.text(1).as_deref(), Some("5.6.7.8"));
/// # Ok::<(), ferrule_core::Error>(())
/// ```
pub struct StreamParser {
    engine: Engine,
    /// The start of a line whose `\n` has not arrived yet.
    pending: Vec<u8>,
    seconds: f64,
    finished: bool,
    /// Set when the pending line outgrew [`MAX_LINE_BYTES`]: every later call fails with it.
    overflow: Option<Error>,
}

/// The longest line (or octet-counted frame) a stream holds while waiting for its end. Without
/// a bound, a source with no newline (`/dev/zero`, a corrupt file) would grow the pending bytes
/// until the machine runs out of memory; the batch reader promises bounded memory. One-shot
/// parses have their whole input in memory already and take lines of any length.
pub const MAX_LINE_BYTES: usize = if cfg!(test) { 8 << 20 } else { 256 << 20 };

impl StreamParser {
    pub fn new(format: &LogFormat, options: &ParseOptions) -> Result<StreamParser> {
        Ok(StreamParser {
            engine: Engine::new(format, &options.resolved())?,
            pending: Vec::new(),
            seconds: 0.0,
            finished: false,
            overflow: None,
        })
    }

    /// Parses the complete lines `chunk` ends (with what earlier chunks left pending). Fails only
    /// with `on_error = "raise"` (at the first bad line; later pushes fail the same way), or
    /// after [`finish`](Self::finish).
    pub fn push(&mut self, chunk: &[u8]) -> Result<()> {
        self.check_open()?;
        let started = Instant::now();
        if self.engine.is_octet_counted() {
            // Frames are found from the start of the pending bytes (they may hold newlines).
            self.pending.extend_from_slice(chunk);
            let complete = self.engine.complete_prefix(&self.pending);
            let result = self.engine.parse_block(&self.pending[..complete]);
            self.pending.drain(..complete);
            self.seconds += started.elapsed().as_secs_f64();
            result?;
            return self.check_pending();
        }
        let result = match memchr::memrchr(b'\n', chunk) {
            None => {
                self.pending.extend_from_slice(chunk);
                Ok(())
            }
            Some(last) => {
                let mut from = 0;
                let mut result = Ok(());
                if !self.pending.is_empty() {
                    // Complete the pending line alone; the rest of the chunk parses in place.
                    let first = memchr::memchr(b'\n', chunk).unwrap_or(last);
                    self.pending.extend_from_slice(&chunk[..=first]);
                    let line = std::mem::take(&mut self.pending);
                    result = self.engine.parse_block(&line);
                    // Keep the allocation for the next partial line.
                    self.pending = line;
                    self.pending.clear();
                    from = first + 1;
                }
                if result.is_ok() && from <= last {
                    result = self.engine.parse_block(&chunk[from..=last]);
                }
                self.pending.extend_from_slice(&chunk[last + 1..]);
                result
            }
        };
        self.seconds += started.elapsed().as_secs_f64();
        result?;
        self.check_pending()
    }

    /// Fails (now and at every later call) once the pending line is longer than any line a stream
    /// holds. The rows before it were accepted and stay available from `take_batch`.
    fn check_pending(&mut self) -> Result<()> {
        if self.pending.len() > MAX_LINE_BYTES {
            let err = Error::capacity(format!(
                "line {} has no end after {} bytes; a stream holds lines of at most {MAX_LINE_BYTES} bytes",
                self.engine.lines() + 1,
                self.pending.len()
            ));
            self.pending = Vec::new();
            self.overflow = Some(err.clone());
            return Err(err);
        }
        Ok(())
    }

    /// Whether the input is octet-counted frames rather than lines.
    pub(crate) fn is_octet_counted(&self) -> bool {
        self.engine.is_octet_counted()
    }

    /// Rows parsed and not yet handed out.
    pub fn rows_buffered(&self) -> usize {
        self.engine.rows()
    }

    /// Lines seen so far (complete ones; a pending partial line is not counted yet).
    pub fn lines(&self) -> u64 {
        self.engine.lines()
    }

    /// Bytes of an incomplete last line waiting for its end.
    pub fn pending_bytes(&self) -> usize {
        self.pending.len()
    }

    /// The rows parsed so far (of complete lines), with the stats and errors since the last
    /// batch. After an `on_error = "raise"` failure these are the rows before the bad line (they
    /// were accepted), and [`finish`](Self::finish) fails again.
    pub fn take_batch(&mut self) -> LogTable {
        let mut table = self.engine.take_table();
        table.stats_mut().seconds = std::mem::take(&mut self.seconds);
        table
    }

    /// Parses what is pending as the last line and returns the rows not handed out yet. The
    /// parser accepts nothing afterwards.
    pub fn finish(&mut self) -> Result<LogTable> {
        self.check_open()?;
        self.finished = true;
        let started = Instant::now();
        if !self.pending.is_empty() {
            let last = std::mem::take(&mut self.pending);
            self.engine.parse_block(&last)?;
        }
        self.seconds += started.elapsed().as_secs_f64();
        Ok(self.take_batch())
    }

    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// A parser that raised fails again with the same error (whether the bad line came in a push
    /// or at finish); one that finished refuses more.
    fn check_open(&self) -> Result<()> {
        if let Some(err) = self.engine.failure().or(self.overflow.as_ref()) {
            return Err(err.clone());
        }
        if self.finished {
            return Err(Error::invalid_argument("this parser has finished; create a new one for more input"));
        }
        Ok(())
    }
}
