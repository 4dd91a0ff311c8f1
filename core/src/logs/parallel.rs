//! Whole-input parses: the input cut at newlines into chunks, each parsed by its own engine on
//! rayon, the chunk tables joined in order. Dictionaries are merged by remap tables in chunk
//! order, so every id is what the sequential parse gives (first-seen order over the whole input):
//! the output does not depend on the number of threads.

use super::engine::Engine;
use super::format::LogFormat;
use super::options::ParseOptions;
use super::table::{Column, ColumnData, LogTable, Stats};
use crate::vector::with_threads;
use crate::{Error, Result};
use rayon::prelude::*;
use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Below this, a parse runs on the calling thread: starting threads costs more than it saves.
/// (Tests lower it, so that small inputs exercise the chunked path.)
const PARALLEL_MIN_BYTES: usize = if cfg!(test) { 16 << 10 } else { 1 << 20 };
/// Chunks are about this big (more chunks than threads evens out their speeds, and gives
/// progress reports a useful grain).
const CHUNK_BYTES: usize = 8 << 20;

/// Parses all of `data` (lines split at `\n`, a last line without one included).
pub fn parse_bytes(data: &[u8], format: &LogFormat, options: &ParseOptions) -> Result<LogTable> {
    let started = Instant::now();
    // Before anything is sized by them: the chunk count follows `threads`.
    options.validate()?;
    let mut table = parse_chunks(data, format, &options.resolved())?;
    table.stats_mut().seconds = started.elapsed().as_secs_f64();
    Ok(table)
}

fn thread_count(options: &ParseOptions) -> usize {
    match options.threads {
        Some(n) if n > 0 => n,
        _ => rayon::current_num_threads(),
    }
}

fn parse_chunks(data: &[u8], format: &LogFormat, options: &ParseOptions) -> Result<LogTable> {
    let threads = thread_count(options);
    let total = data.len() as u64;
    // Octet-counted frames cannot be found from an arbitrary offset: one thread.
    if data.len() < PARALLEL_MIN_BYTES || threads == 1 || options.octet_counted {
        let mut engine = Engine::new(format, options)?;
        let result = engine.parse_block(data);
        if let Some(progress) = &options.progress {
            progress(total, total);
        }
        result?;
        return Ok(engine.take_table());
    }
    let mut parsed = Vec::new();
    parse_in_chunks(data, format, options, threads, (0, total), &mut parsed)?;
    if let Some(err) = first_failure(&parsed) {
        return Err(err);
    }
    join(parsed, options)
}

/// Parses `data` (complete lines) in chunks on the pool's threads, appending one engine per
/// chunk, in input order, to `parsed`. `progress` is (bytes before `data`, total).
fn parse_in_chunks(
    data: &[u8],
    format: &LogFormat,
    options: &ParseOptions,
    threads: usize,
    (before, total): (u64, u64),
    parsed: &mut Vec<(Engine, Result<()>)>,
) -> Result<()> {
    let count = (data.len() / CHUNK_BYTES).max(threads * 2);
    let chunks = split_at_newlines(data, count);
    let done = AtomicU64::new(before);
    let engines: Vec<(Engine, Result<()>)> = with_threads(options.threads, || {
        chunks
            .par_iter()
            .map(|chunk| {
                let mut engine = Engine::new(format, options)?;
                let result = engine.parse_block(chunk);
                let so_far = done.fetch_add(chunk.len() as u64, Ordering::Relaxed) + chunk.len() as u64;
                if let Some(progress) = &options.progress {
                    progress(so_far, total);
                }
                Ok((engine, result))
            })
            .collect::<Result<Vec<_>>>()
    })??;
    parsed.extend(engines);
    Ok(())
}

/// With on_error = raise, the first failing chunk in input order has the first bad line: its
/// error, with the line counted from the start of the input.
fn first_failure(parsed: &[(Engine, Result<()>)]) -> Option<Error> {
    let mut lines_before = 0;
    for (engine, result) in parsed {
        if let Err(err) = result {
            return Some(match engine.last_error() {
                Some(record) => {
                    let mut record = record.clone();
                    record.line += lines_before;
                    record.to_error()
                }
                None => err.clone(),
            });
        }
        lines_before += engine.lines();
    }
    None
}

fn join(parsed: Vec<(Engine, Result<()>)>, options: &ParseOptions) -> Result<LogTable> {
    let tables = parsed.into_iter().map(|(mut engine, _)| (engine.lines(), engine.take_table())).collect();
    with_threads(options.threads, || concat(tables, options.plain_columns.as_deref()))?
}

/// A file (or an inflating reader) is read this much at a time: each block is parsed in parallel
/// chunks like an in-memory input, into one buffer that is reused, so a file never has to fit
/// in memory beside its table. (Tests lower it, so that small files cross blocks.)
const BLOCK_BYTES: usize = if cfg!(test) { 64 << 10 } else { 64 << 20 };
/// On one thread the blocks are small enough to stay in the CPU's cache between the read that
/// copies them and the parse that reads them, which hides most of the copy.
const SEQUENTIAL_BLOCK_BYTES: usize = if cfg!(test) { 16 << 10 } else { 1 << 20 };

/// Parses everything `source` yields: the table `parse_bytes` gives for all of it, read a block
/// at a time. `total` is the expected size for progress reports (0: unknown). `read_error` turns
/// a read failure into ferrule's error (I/O, or corrupt gzip).
pub fn parse_read(
    source: &mut dyn Read,
    total: u64,
    read_error: &dyn Fn(&std::io::Error) -> Error,
    format: &LogFormat,
    options: &ParseOptions,
) -> Result<LogTable> {
    let started = Instant::now();
    // Before anything is read or sized: the block size and the chunk count follow `threads`.
    options.validate()?;
    let options = options.resolved();
    let threads = thread_count(&options);
    let block_bytes = if threads == 1 { SEQUENTIAL_BLOCK_BYTES } else { BLOCK_BYTES };
    let mut block = Vec::new();
    let mut eof = fill(source, &mut block, block_bytes, read_error)?;
    // What fits in one block, and octet-counted frames (whose bodies may hold newlines, so they
    // cannot be cut at one): the in-memory parse, of all of it.
    if eof || options.octet_counted {
        if !eof {
            source.read_to_end(&mut block).map_err(|e| read_error(&e))?;
        }
        let mut table = parse_chunks(&block, format, &options)?;
        table.stats_mut().seconds = started.elapsed().as_secs_f64();
        return Ok(table);
    }
    // One engine runs on across blocks on one thread; otherwise an engine per chunk, joined at
    // the end as for an in-memory input.
    let mut sequential = if threads == 1 { Some(Engine::new(format, &options)?) } else { None };
    let mut parsed = Vec::new();
    let mut read = 0u64;
    loop {
        // Complete lines only, but all of the block at the end of the input; a line longer than
        // the block makes the next read longer.
        let end = if eof { block.len() } else { memchr::memrchr(b'\n', &block).map_or(0, |p| p + 1) };
        if end > 0 || eof {
            let piece = &block[..end];
            match &mut sequential {
                Some(engine) => {
                    let result = engine.parse_block(piece);
                    if let Some(progress) = &options.progress {
                        let done = read + end as u64;
                        progress(done, if total > done { total } else { 0 });
                    }
                    result?;
                }
                None => {
                    parse_in_chunks(piece, format, &options, threads, (read, total), &mut parsed)?;
                    if let Some(err) = first_failure(&parsed) {
                        return Err(err);
                    }
                }
            }
            read += end as u64;
            block.drain(..end);
        }
        if eof {
            break;
        }
        let want = block_bytes.max(block.len().saturating_add(block_bytes / 2));
        eof = fill(source, &mut block, want, read_error)?;
    }
    if let Some(progress) = &options.progress {
        // The last report says done == total, whatever size was expected.
        progress(read, read);
    }
    let mut table = match sequential {
        Some(mut engine) => engine.take_table(),
        None => join(parsed, &options)?,
    };
    table.stats_mut().seconds = started.elapsed().as_secs_f64();
    Ok(table)
}

/// Reads from `source` until `block` holds `want` bytes or the input ends; true at the end.
fn fill(
    source: &mut dyn Read,
    block: &mut Vec<u8>,
    want: usize,
    read_error: &dyn Fn(&std::io::Error) -> Error,
) -> Result<bool> {
    // Plain `read`s straight into the block (`read_to_end` probes with small reads first, and a
    // `BufReader` passes a read of its size or more through without copying it twice).
    let mut filled = block.len();
    block.resize(want.max(filled), 0);
    let eof = loop {
        if filled == block.len() {
            break false;
        }
        match source.read(&mut block[filled..]) {
            Ok(0) => break true,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                block.truncate(filled);
                return Err(read_error(&e));
            }
        }
    };
    block.truncate(filled);
    Ok(eof)
}

/// `data` cut into about `count` pieces, each ending just after a `\n` (the last one wherever
/// `data` ends).
pub(crate) fn split_at_newlines(data: &[u8], count: usize) -> Vec<&[u8]> {
    let target = data.len().div_ceil(count.max(1)).max(1);
    let mut chunks = Vec::with_capacity(count);
    let mut start = 0;
    while start < data.len() {
        let guess = (start + target).min(data.len());
        let end = match memchr::memchr(b'\n', &data[guess..]) {
            Some(p) if guess < data.len() => guess + p + 1,
            _ => data.len(),
        };
        chunks.push(&data[start..end]);
        start = end;
    }
    chunks
}

/// Joins tables parsed from consecutive pieces of one input: `(lines in the piece, table)`.
/// Line numbers are shifted by the lines before each piece; dictionary codes are remapped into
/// the first table's dictionaries. Columns are independent, so they are joined in parallel, each
/// into one allocation of the final size.
pub(crate) fn concat(tables: Vec<(u64, LogTable)>, plain_columns: Option<&[String]>) -> Result<LogTable> {
    if tables.is_empty() {
        return Err(Error::internal("no tables to join"));
    }
    // logfmt and JSON pieces may have seen different keys, or typed a key differently.
    let tables = super::align::align(tables, plain_columns)?;
    let mut stats = Stats::default();
    let mut errors = Vec::new();
    let mut shifts = Vec::with_capacity(tables.len());
    let mut lines_before = 0;
    let mut by_column: Vec<Vec<Column>> = Vec::new();
    for (lines, table) in tables {
        stats.add(table.stats());
        errors.extend(table.errors().iter().map(|e| {
            let mut e = e.clone();
            e.line += lines_before;
            e
        }));
        shifts.push(lines_before);
        lines_before += lines;
        let columns = table.into_columns();
        if by_column.is_empty() {
            by_column = columns.into_iter().map(|c| vec![c]).collect();
        } else {
            for (parts, column) in by_column.iter_mut().zip(columns) {
                parts.push(column);
            }
        }
    }
    let columns =
        by_column.into_par_iter().map(|parts| join_column(parts, &shifts)).collect::<Result<Vec<_>>>()?;
    Ok(LogTable::new(columns, errors, stats))
}

fn join_column(parts: Vec<Column>, shifts: &[u64]) -> Result<Column> {
    let mut parts = parts.into_iter();
    let Some(mut column) = parts.next() else {
        return Err(Error::internal("a column with no parts"));
    };
    let rest: Vec<Column> = parts.collect();
    column.reserve(rest.iter().map(Column::len).sum(), rest.iter().map(Column::value_bytes).sum());
    for (part, &shift) in rest.iter().zip(&shifts[1..]) {
        append(&mut column, part, shift)?;
    }
    Ok(column)
}

fn append(column: &mut Column, part: &Column, lines_before: u64) -> Result<()> {
    let is_line = column.name() == "line";
    let (data, validity) = column.parts_mut();
    match (data, part.data()) {
        (ColumnData::UInt64(to), ColumnData::UInt64(from)) if is_line => {
            to.extend(from.iter().map(|line| line + lines_before));
        }
        (ColumnData::UInt64(to), ColumnData::UInt64(from)) => to.extend_from_slice(from),
        (ColumnData::UInt16(to), ColumnData::UInt16(from)) => to.extend_from_slice(from),
        (ColumnData::Int16(to), ColumnData::Int16(from)) => to.extend_from_slice(from),
        (ColumnData::Int64(to), ColumnData::Int64(from)) => to.extend_from_slice(from),
        (ColumnData::Timestamp(to), ColumnData::Timestamp(from)) => to.extend_from_slice(from),
        (ColumnData::Float64(to), ColumnData::Float64(from)) => to.extend_from_slice(from),
        (ColumnData::Bool(to), ColumnData::Bool(from)) => to.extend_from_slice(from),
        (
            ColumnData::String { offsets, values },
            ColumnData::String { offsets: from_offsets, values: from_values },
        ) => {
            let base = values.len() as i64;
            values.extend_from_slice(from_values);
            offsets.extend(from_offsets.iter().skip(1).map(|o| o + base));
        }
        (ColumnData::Dictionary { codes, pool }, ColumnData::Dictionary { codes: from, pool: from_pool }) => {
            let remap = Arc::make_mut(pool).merge(from_pool)?;
            // Null rows hold code 0 in every chunk: they must stay 0, not become the global id
            // of their chunk's first value.
            let validity = part.validity();
            codes.extend(from.iter().enumerate().map(|(row, &code)| {
                if validity.is_valid(row) { remap.get(code as usize).copied().unwrap_or(0) } else { 0 }
            }));
        }
        _ => return Err(Error::internal(format!("column {:?} changed type between chunks", part.name()))),
    }
    validity.extend(part.validity());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::table::Validity;
    use super::*;

    #[test]
    fn validity_bitmaps_join_at_any_alignment() {
        let pattern = |n: usize, seed: usize| (0..n).map(move |i| !(i * 7 + seed).is_multiple_of(3));
        for (a, b) in [(0, 5), (3, 13), (8, 8), (5, 3), (13, 29), (7, 1), (1, 64)] {
            let mut left = Validity::default();
            pattern(a, 1).for_each(|v| left.push(v));
            let mut right = Validity::default();
            pattern(b, 2).for_each(|v| right.push(v));
            left.extend(&right);
            let expected: Vec<bool> = pattern(a, 1).chain(pattern(b, 2)).collect();
            assert_eq!(left.len(), a + b);
            assert_eq!(left.null_count(), expected.iter().filter(|v| !**v).count());
            let got: Vec<bool> = (0..a + b).map(|i| left.is_valid(i)).collect();
            assert_eq!(got, expected, "{a}+{b}");
            assert_eq!(left.clone().finish().bits().len(), (a + b).div_ceil(8));
        }
    }

    #[test]
    fn chunks_end_at_newlines_and_cover_the_input() {
        let data = b"aa\nbbbb\n\nc\nddd";
        for count in 1..=20 {
            let chunks = split_at_newlines(data, count);
            assert_eq!(chunks.concat(), data);
            for chunk in &chunks[..chunks.len() - 1] {
                assert_eq!(chunk.last(), Some(&b'\n'));
            }
        }
        assert!(split_at_newlines(b"", 4).is_empty());
    }
}
