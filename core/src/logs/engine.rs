//! The line parser: walks a compiled format over each line and appends to typed column
//! builders. One `Engine` parses one sequence of lines (a whole input, one parallel chunk, or a
//! stream); its dictionaries (one [`StringPool`] per string column) live as long as it does.

mod dynamic;
mod system;

pub(crate) use dynamic::{column_name, format_float, unique_name};

use super::fields;
use super::format::{ColumnType, FieldKind, Item, LogFormat, Program};
use super::options::{DEFAULT_PLAIN_COLUMNS, OnError, ParseOptions};
use super::table::{Column, ColumnData, ErrorRecord, LogTable, RowError, Stats, Validity};

use crate::pool::StringPool;
use crate::{Error, Result};
use std::sync::Arc;

/// Where a field's text ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// At the next unescaped `"` (the field is quoted in the format).
    Quote,
    /// At the next occurrence of this byte (the first byte of the text that follows it).
    Byte(u8),
    /// At the end of the line (the format ends with this field).
    Rest,
}

#[derive(Debug, Clone)]
enum Step {
    Literal(Vec<u8>),
    Field { kind: FieldKind, column: usize, end: End },
}

/// The values of one column being built.
#[derive(Debug)]
enum Sink {
    UInt64(Vec<u64>),
    UInt16(Vec<u16>),
    Int16(Vec<i16>),
    Int64(Vec<i64>),
    Float64(Vec<f64>),
    Timestamp(Vec<i64>),
    String {
        offsets: Vec<i64>,
        values: Vec<u8>,
    },
    Dictionary(Vec<u32>),
    Bool(Vec<bool>),
    /// A JSON-lines column, typed by the values it has seen (see [`dynamic::Inferred`]).
    Inferred(dynamic::Inferred),
}

impl Sink {
    fn new(ty: ColumnType) -> Sink {
        match ty {
            ColumnType::UInt64 => Sink::UInt64(Vec::new()),
            ColumnType::UInt16 => Sink::UInt16(Vec::new()),
            ColumnType::Int16 => Sink::Int16(Vec::new()),
            ColumnType::Int64 => Sink::Int64(Vec::new()),
            ColumnType::Float64 => Sink::Float64(Vec::new()),
            ColumnType::Timestamp => Sink::Timestamp(Vec::new()),
            ColumnType::String => Sink::String { offsets: vec![0], values: Vec::new() },
            ColumnType::Dictionary => Sink::Dictionary(Vec::new()),
            ColumnType::Bool => Sink::Bool(Vec::new()),
        }
    }

    fn len(&self) -> usize {
        match self {
            Sink::UInt64(v) => v.len(),
            Sink::UInt16(v) => v.len(),
            Sink::Int16(v) => v.len(),
            Sink::Int64(v) | Sink::Timestamp(v) => v.len(),
            Sink::Float64(v) => v.len(),
            Sink::String { offsets, .. } => offsets.len() - 1,
            Sink::Dictionary(v) => v.len(),
            Sink::Bool(v) => v.len(),
            Sink::Inferred(v) => v.len(),
        }
    }

    /// Appends a null (0 or empty) value; the caller pushes the validity bit.
    fn push_null(&mut self) {
        match self {
            Sink::UInt64(v) => v.push(0),
            Sink::UInt16(v) => v.push(0),
            Sink::Int16(v) => v.push(0),
            Sink::Int64(v) | Sink::Timestamp(v) => v.push(0),
            Sink::Float64(v) => v.push(0.0),
            Sink::String { offsets, values } => offsets.push(values.len() as i64),
            Sink::Dictionary(v) => v.push(0),
            Sink::Bool(v) => v.push(false),
            Sink::Inferred(v) => v.push_null(),
        }
    }

    fn truncate(&mut self, rows: usize) {
        match self {
            Sink::UInt64(v) => v.truncate(rows),
            Sink::UInt16(v) => v.truncate(rows),
            Sink::Int16(v) => v.truncate(rows),
            Sink::Int64(v) | Sink::Timestamp(v) => v.truncate(rows),
            Sink::Float64(v) => v.truncate(rows),
            Sink::String { offsets, values } => {
                offsets.truncate(rows + 1);
                values.truncate(offsets.last().map_or(0, |&end| end as usize));
            }
            Sink::Dictionary(v) => v.truncate(rows),
            Sink::Bool(v) => v.truncate(rows),
            Sink::Inferred(v) => v.truncate(rows),
        }
    }

    /// The values so far, leaving an empty sink of the same type.
    fn take(&mut self, pool: Option<&Arc<StringPool>>) -> ColumnData {
        match self {
            Sink::UInt64(v) => ColumnData::UInt64(std::mem::take(v)),
            Sink::UInt16(v) => ColumnData::UInt16(std::mem::take(v)),
            Sink::Int16(v) => ColumnData::Int16(std::mem::take(v)),
            Sink::Int64(v) => ColumnData::Int64(std::mem::take(v)),
            Sink::Timestamp(v) => ColumnData::Timestamp(std::mem::take(v)),
            Sink::Float64(v) => ColumnData::Float64(std::mem::take(v)),
            Sink::String { offsets, values } => ColumnData::String {
                offsets: std::mem::replace(offsets, vec![0]),
                values: std::mem::take(values),
            },
            Sink::Dictionary(v) => {
                ColumnData::Dictionary { codes: std::mem::take(v), pool: pool.cloned().unwrap_or_default() }
            }
            Sink::Bool(v) => ColumnData::Bool(std::mem::take(v)),
            Sink::Inferred(v) => v.take(pool),
        }
    }
}

/// The last ISO time converted, so consecutive lines of the same second skip the calendar
/// arithmetic.
#[derive(Default)]
struct TimeCache {
    /// `None` until a time has been converted (an empty field must not match an empty cache).
    text: Option<Vec<u8>>,
    value: (i64, i16),
}

/// A line failed at byte `offset` of the line.
struct Failure {
    error: RowError,
    offset: usize,
}

fn fail(error: RowError, offset: usize) -> Failure {
    Failure { error, offset }
}

pub(crate) struct Engine {
    steps: Vec<Step>,
    vhost_prefix: bool,
    names: Vec<String>,
    sinks: Vec<Sink>,
    validity: Vec<Validity>,
    pools: Vec<Option<Arc<StringPool>>>,
    error_column: usize,
    on_error: OnError,
    unescape: bool,
    strict_utf8: bool,
    rows: usize,
    errors: Vec<ErrorRecord>,
    stats: Stats,
    line_no: u64,
    time_cache: TimeCache,
    clock: fields::ClfClock,
    scratch: Vec<u8>,
    /// With `on_error = Raise`, the first failure; nothing more is parsed after it.
    failed: Option<Error>,
    /// An error that ends the parse whatever `on_error` says (a dictionary out of capacity).
    fatal: Option<Error>,
    /// Per column, the code of the last value interned (`NO_CODE` before the first).
    last_codes: Vec<u32>,
    program: Program,
    /// The year of `syslog_rfc3164` timestamps.
    year_rule: super::format::syslog::YearRule,
    octet_counted: bool,
    /// The last RFC 3164 time converted (month, day, hour, minute, second, fraction) and its
    /// value: lines of the same time skip the calendar and the year rule. The fraction is part
    /// of the key because the year rule compares it with the reference time.
    clock_3164: Option<([u32; 6], i64)>,
    /// Reused by the template matcher.
    template_ranges: Vec<Option<(usize, usize)>>,
    template_scratch: super::format::template::MatchScratch,
    /// The columns of logfmt and JSON lines, found in the data.
    dynamic: dynamic::Columns,
}

impl Engine {
    pub(crate) fn new(format: &LogFormat, options: &ParseOptions) -> Result<Engine> {
        options.validate()?;
        let schema = format.schema();
        let mut types: Vec<ColumnType> = schema.iter().map(|c| c.ty).collect();
        // Which string columns are plain: the defaults, or exactly the ones named.
        let string_columns: Vec<usize> = (0..schema.len())
            .filter(|&i| matches!(types[i], ColumnType::String | ColumnType::Dictionary))
            .collect();
        let error_column = format.error_column();
        let program = format.program.clone();
        if options.octet_counted && !matches!(program, Program::Syslog5424) {
            return Err(Error::invalid_argument("octet_counted applies to the syslog_rfc5424 format only"));
        }
        if options.flatten && !matches!(program, Program::Jsonl) {
            return Err(Error::invalid_argument("flatten applies to the jsonl format only"));
        }
        match &options.plain_columns {
            None => {
                // A format's plain columns (free text such as a message) and the usual ones.
                for &i in &string_columns {
                    if DEFAULT_PLAIN_COLUMNS.contains(&schema[i].name.as_str()) {
                        types[i] = ColumnType::String;
                    }
                }
            }
            Some(plain) => {
                // Columns of logfmt and JSON lines are only known from the data.
                let plain = if program.is_dynamic() { &Vec::new() } else { plain };
                for name in plain {
                    let known = string_columns.iter().any(|&i| schema[i].name == *name && i != error_column);
                    if !known {
                        return Err(Error::invalid_argument(format!(
                            "plain_columns: {name:?} is not a string column of this format (they are {})",
                            string_columns
                                .iter()
                                .filter(|&&i| i != error_column)
                                .map(|&i| schema[i].name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )));
                    }
                }
                for &i in &string_columns {
                    types[i] = if plain.contains(&schema[i].name) {
                        ColumnType::String
                    } else {
                        ColumnType::Dictionary
                    };
                }
            }
        }
        types[error_column] = ColumnType::Dictionary;

        let mut steps = Vec::with_capacity(format.items.len());
        for (i, item) in format.items.iter().enumerate() {
            match item {
                Item::Literal(text) => steps.push(Step::Literal(text.clone())),
                Item::Field { kind, column } => {
                    let opened = matches!(i.checked_sub(1).map(|p| &format.items[p]), Some(Item::Literal(t)) if t.last() == Some(&b'"'));
                    let end = match format.items.get(i + 1) {
                        Some(Item::Literal(next)) if opened && next.first() == Some(&b'"') => End::Quote,
                        Some(Item::Literal(next)) => End::Byte(next.first().copied().unwrap_or(b' ')),
                        _ => End::Rest,
                    };
                    steps.push(Step::Field { kind: *kind, column: *column, end });
                }
            }
        }
        let pools =
            types.iter().map(|ty| (*ty == ColumnType::Dictionary).then(Arc::<StringPool>::default)).collect();
        let year_rule = match (options.year, options.reference_time) {
            (Some(year), _) => super::format::syslog::YearRule::Fixed(year),
            (None, Some(reference)) => super::format::syslog::YearRule::Reference(reference),
            // Callers resolve the options first (`ParseOptions::resolved`); this is a fallback.
            (None, None) => match options.resolved().reference_time {
                Some(reference) => super::format::syslog::YearRule::Reference(reference),
                None => super::format::syslog::YearRule::Fixed(1970),
            },
        };
        let dynamic = dynamic::Columns::new(&program, options);
        Ok(Engine {
            steps,
            vhost_prefix: format.vhost_prefix,
            names: schema.iter().map(|c| c.name.clone()).collect(),
            sinks: types.iter().map(|&ty| Sink::new(ty)).collect(),
            validity: vec![Validity::default(); types.len()],
            pools,
            error_column,
            on_error: options.on_error,
            unescape: options.unescape,
            strict_utf8: options.strict_utf8,
            rows: 0,
            errors: Vec::new(),
            stats: Stats::default(),
            line_no: 0,
            time_cache: TimeCache::default(),
            clock: fields::ClfClock::default(),
            scratch: Vec::new(),
            failed: None,
            fatal: None,
            last_codes: vec![NO_CODE; types.len()],
            program,
            year_rule,
            octet_counted: options.octet_counted,
            clock_3164: None,
            template_ranges: Vec::new(),
            template_scratch: Default::default(),
            dynamic,
        })
    }

    /// Numbers lines from `first_line` (a parallel chunk starts where the previous ones end; its
    /// numbers are fixed when the chunks are merged).
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    pub(crate) fn lines(&self) -> u64 {
        self.line_no
    }

    /// Parses every line of `block`. A final line without `\n` is parsed too: callers hand over
    /// whole lines only (the streaming parser keeps a partial line back until it is complete or
    /// the input ends). With `on_error = Raise`, returns the first failure.
    pub(crate) fn parse_block(&mut self, block: &[u8]) -> Result<()> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        self.stats.bytes += block.len() as u64;
        // Unique access to the dictionaries for the whole block: copied here only if a batch
        // handed out earlier still holds the previous version. They are moved out of `self`
        // while the block is parsed so that the row builders can borrow `self`.
        let mut from = 0;
        loop {
            let mut arcs = std::mem::take(&mut self.pools);
            let mut pools: Vec<Option<&mut StringPool>> =
                arcs.iter_mut().map(|p| p.as_mut().map(Arc::make_mut)).collect();
            let result = self.parse_lines(block, from, &mut pools);
            drop(pools);
            self.pools = arcs;
            match result {
                // A logfmt or JSON line with keys not seen before: the columns are added (which
                // the borrowed dictionaries prevent while lines are parsed) and the line is
                // parsed again.
                Ok(Some(resume)) => {
                    if let Err(err) = self.add_pending_columns() {
                        self.failed = Some(err.clone());
                        return Err(err);
                    }
                    from = resume;
                }
                Ok(None) => return Ok(()),
                Err(err) => return Err(err),
            }
        }
    }

    /// The next record of `block` from `start`: a line, or with octet-counted framing a frame
    /// (or the bytes of a broken frame, which become an error row). `None` at the end.
    fn next_record<'b>(&self, block: &'b [u8], start: usize) -> Option<(Record<'b>, usize)> {
        if start >= block.len() {
            return None;
        }
        if !self.octet_counted {
            let end = memchr::memchr(b'\n', &block[start..]).map_or(block.len(), |p| start + p);
            let line = &block[start..end];
            return Some((Record::Line(line.strip_suffix(b"\r").unwrap_or(line)), end + 1));
        }
        use super::format::syslog::{OctetFrame, is_frame_padding, next_octet_frame};
        let rest = &block[start..];
        if is_frame_padding(rest) {
            return None;
        }
        Some(match next_octet_frame(rest) {
            OctetFrame::Frame { start: s, end: e, next } => (Record::Line(&rest[s..e]), start + next),
            // The input ends inside a frame (callers hand over complete frames until the end).
            OctetFrame::Incomplete => {
                let first = rest.iter().position(|b| !matches!(b, b'\n' | b'\r')).unwrap_or(rest.len());
                (Record::Broken(&rest[first..]), block.len())
            }
            OctetFrame::Bad { skip } => {
                let skip = skip.clamp(1, rest.len());
                // The error row holds the bad bytes without the newlines around them.
                let bad = &rest[..skip];
                let first = bad.iter().position(|b| !matches!(b, b'\n' | b'\r')).unwrap_or(bad.len());
                let bad = &bad[first..];
                (Record::Broken(bad.strip_suffix(b"\n").unwrap_or(bad)), start + skip)
            }
        })
    }

    /// How much of `data` is complete records (whole lines, or whole octet-counted frames), for
    /// a stream that keeps the rest back until more arrives.
    pub(crate) fn complete_prefix(&self, data: &[u8]) -> usize {
        if !self.octet_counted {
            return memchr::memrchr(b'\n', data).map_or(0, |p| p + 1);
        }
        use super::format::syslog::{OctetFrame, next_octet_frame};
        let mut done = 0;
        while done < data.len() {
            match next_octet_frame(&data[done..]) {
                OctetFrame::Frame { next, .. } => done += next.max(1),
                OctetFrame::Bad { skip }
                    if data[done..done + skip.clamp(1, data.len() - done)].ends_with(b"\n") =>
                {
                    done += skip.clamp(1, data.len() - done);
                }
                _ => break,
            }
        }
        done
    }

    pub(crate) fn is_octet_counted(&self) -> bool {
        self.octet_counted
    }

    /// Parses the records of `block` from `start`. `Ok(Some(at))`: the record at `at` has keys
    /// with no column yet (now pending); nothing of it was counted or stored.
    fn parse_lines(
        &mut self,
        block: &[u8],
        start: usize,
        pools: &mut [Option<&mut StringPool>],
    ) -> Result<Option<usize>> {
        let mut start = start;
        let (first_row, mut sampled) = (self.rows, false);
        while let Some((record, next)) = self.next_record(block, start) {
            if !sampled && self.rows - first_row == RESERVE_SAMPLE {
                sampled = true;
                self.reserve(start, block.len() - start, self.rows - first_row);
            }
            let (line, broken) = match record {
                Record::Line(line) => (line, false),
                Record::Broken(bytes) => (bytes, true),
            };
            // A line that will fail (strict UTF-8) adds no columns: only lines that become rows do.
            if !broken
                && self.program.is_dynamic()
                && !(self.strict_utf8 && std::str::from_utf8(line).is_err())
                && self.needs_columns(line)
            {
                return Ok(Some(start));
            }
            start = next;
            self.line_no += 1;
            self.stats.lines += 1;
            if line.is_empty() {
                self.stats.empty += 1;
                self.stats.skipped += 1;
                continue;
            }
            let limit = if self.strict_utf8 && !line.is_ascii() {
                std::str::from_utf8(line).err().map_or(line.len(), |e| e.valid_up_to())
            } else {
                line.len()
            };
            let row = self.rows;
            self.validity[0].push(true);
            if let Sink::UInt64(lines) = &mut self.sinks[0] {
                lines.push(self.line_no);
            }
            let parsed =
                if broken { Err(fail(RowError::BadFrame, 0)) } else { self.parse_fields(line, limit, pools) };
            match parsed {
                Ok(()) => {
                    self.stats.ok += 1;
                    self.finish_row(None, pools);
                }
                Err(failure) => {
                    let record = ErrorRecord {
                        line: self.line_no,
                        error: failure.error,
                        offset: failure.offset as u64,
                        text: line.to_vec(),
                    };
                    match self.on_error {
                        OnError::Row => {
                            self.stats.errors += 1;
                            self.finish_row(Some(&failure), pools);
                            self.errors.push(record);
                        }
                        OnError::Skip => {
                            self.stats.skipped += 1;
                            for (sink, validity) in self.sinks.iter_mut().zip(&mut self.validity) {
                                sink.truncate(row);
                                validity.truncate(row);
                            }
                            self.errors.push(record);
                            continue;
                        }
                        OnError::Raise => {
                            for (sink, validity) in self.sinks.iter_mut().zip(&mut self.validity) {
                                sink.truncate(row);
                                validity.truncate(row);
                            }
                            // The failed line is reported, not counted: the stats describe the
                            // rows a caller may still take (`lines == ok + errors + skipped`).
                            self.stats.lines -= 1;
                            let err = record.to_error();
                            self.errors.push(record);
                            self.failed = Some(err.clone());
                            return Err(err);
                        }
                    }
                }
            }
            self.rows += 1;
            if let Some(err) = self.fatal.take() {
                let err = err.at_line(self.line_no);
                self.failed = Some(err.clone());
                return Err(err);
            }
        }
        Ok(None)
    }

    /// Reserves room for the rest of a block from what its first rows took (`rows` rows in
    /// `done` bytes), so the column vectors do not grow by copying over and over. Only a hint:
    /// `try_reserve`, whose failure leaves the vectors to grow as they fill.
    fn reserve(&mut self, done: usize, remaining: usize, rows: usize) {
        let expected = (remaining as u128 * rows as u128 / done.max(1) as u128) as usize;
        let expected = expected + expected / 8;
        for sink in &mut self.sinks {
            let len = sink.len().max(1);
            match sink {
                Sink::UInt64(v) => {
                    let _ = v.try_reserve(expected);
                }
                Sink::UInt16(v) => {
                    let _ = v.try_reserve(expected);
                }
                Sink::Int16(v) => {
                    let _ = v.try_reserve(expected);
                }
                Sink::Int64(v) | Sink::Timestamp(v) => {
                    let _ = v.try_reserve(expected);
                }
                Sink::Float64(v) => {
                    let _ = v.try_reserve(expected);
                }
                Sink::Dictionary(v) => {
                    let _ = v.try_reserve(expected);
                }
                Sink::Bool(v) => {
                    let _ = v.try_reserve(expected);
                }
                // Its type may still change; it grows as it fills.
                Sink::Inferred(_) => {}
                Sink::String { offsets, values } => {
                    let per_row = values.len() / len + 1;
                    let _ = offsets.try_reserve(expected);
                    let _ = values.try_reserve(expected.saturating_mul(per_row));
                }
            }
        }
    }

    /// Completes the row: nulls for every column a failure left unset, then the error columns.
    fn finish_row(&mut self, failure: Option<&Failure>, pools: &mut [Option<&mut StringPool>]) {
        let row = self.rows;
        let error_column = self.error_column;
        if failure.is_some() || self.program.is_dynamic() {
            // Missing keys (logfmt, JSON) and fields a failure left unset are null.
            for column in (1..self.sinks.len()).filter(|&c| c != error_column && c != error_column + 1) {
                if self.sinks[column].len() == row {
                    self.sinks[column].push_null();
                    self.validity[column].push(false);
                }
            }
        }
        let offset_column = error_column + 1;
        match failure {
            None => {
                self.sinks[error_column].push_null();
                self.validity[error_column].push(false);
                self.sinks[offset_column].push_null();
                self.validity[offset_column].push(false);
            }
            Some(failure) => {
                let code =
                    pools[error_column].as_mut().map_or(Ok(0), |pool| pool.intern(failure.error.code()));
                if let (Sink::Dictionary(codes), Ok(code)) = (&mut self.sinks[error_column], code) {
                    codes.push(code);
                    self.validity[error_column].push(true);
                } else {
                    self.sinks[error_column].push_null();
                    self.validity[error_column].push(false);
                }
                if let Sink::UInt64(offsets) = &mut self.sinks[offset_column] {
                    offsets.push(failure.offset as u64);
                    self.validity[offset_column].push(true);
                }
            }
        }
    }

    fn parse_fields(
        &mut self,
        line: &[u8],
        limit: usize,
        pools: &mut [Option<&mut StringPool>],
    ) -> Result<(), Failure> {
        match &self.program {
            Program::Steps => {}
            Program::Syslog3164 => return self.syslog_rfc3164(line, limit, pools),
            Program::Syslog5424 => return self.syslog_rfc5424(line, limit, pools),
            Program::ApacheError => return self.apache_error(line, limit, pools),
            Program::NginxError => return self.nginx_error(line, limit, pools),
            Program::Template(_) => return self.template(line, limit, pools),
            Program::Logfmt | Program::Jsonl => return self.dynamic_row(line, limit, pools),
        }
        let mut pos = 0;
        if self.vhost_prefix {
            pos = self.vhost(line, limit, pools)?;
        }
        for step in 0..self.steps.len() {
            match &self.steps[step] {
                Step::Literal(text) => {
                    let rest = &line[pos..];
                    if starts_with(rest, text) {
                        pos += text.len();
                        if pos > limit {
                            return Err(fail(RowError::InvalidUtf8, limit));
                        }
                    } else {
                        // How far the text matched: the error points at the first difference.
                        let same = rest.iter().zip(text).take_while(|(a, b)| a == b).count();
                        let at = pos + same;
                        let error = if at >= limit && limit < line.len() {
                            RowError::InvalidUtf8
                        } else if at >= line.len() {
                            RowError::TooFewFields
                        } else {
                            RowError::UnexpectedText
                        };
                        return Err(fail(error, at.min(limit)));
                    }
                }
                &Step::Field { kind, column, end } => {
                    // A CLF time has a fixed width: check where it should end before scanning.
                    let fixed = (kind == FieldKind::ClfTime)
                        .then(|| match end {
                            End::Byte(b) if line.get(pos + 26) == Some(&b) => Some(pos + 26),
                            _ => None,
                        })
                        .flatten();
                    let stop = if fixed.is_some() {
                        fixed
                    } else {
                        match end {
                            End::Byte(b) => find_byte(b, &line[pos..]).map(|p| pos + p),
                            End::Quote => Some(
                                closing_quote(line, pos)
                                    .ok_or(fail(RowError::UnterminatedQuote, pos.saturating_sub(1)))?,
                            ),
                            End::Rest => Some(line.len()),
                        }
                    };
                    // nginx's upstream lists have spaces inside (`0.1, 0.2 : 0.3`): a space
                    // after `,` or `:`, or before `:`, does not end them.
                    let stop = match (kind, end, stop) {
                        (FieldKind::FloatList, End::Byte(b' '), Some(stop)) => Some(list_end(line, stop)),
                        _ => stop,
                    };
                    let Some(stop) = stop else {
                        return Err(fail(
                            if limit < line.len() { RowError::InvalidUtf8 } else { RowError::TooFewFields },
                            limit.min(line.len()),
                        ));
                    };
                    if stop > limit {
                        return Err(fail(RowError::InvalidUtf8, limit));
                    }
                    self.field(kind, column, &line[pos..stop], pools).map_err(|error| fail(error, pos))?;
                    pos = stop;
                }
            }
        }
        Ok(())
    }

    /// An Apache vhost before the client (`example.com:80 1.2.3.4 - - [...`): a line with four or
    /// more space-separated tokens before the first `[`. Returns where the format proper starts.
    fn vhost(
        &mut self,
        line: &[u8],
        limit: usize,
        pools: &mut [Option<&mut StringPool>],
    ) -> Result<usize, Failure> {
        // Only a `host:port` first token counts as a vhost (checked first: it rules out almost
        // every line at once), and only with four tokens before the `[`: a user name with a
        // space in it must make the line fail, not shift every column by one.
        let first = find_byte(b' ', line).unwrap_or(0);
        let has_vhost = is_host_port(&line[..first]) && {
            let head = &line[..memchr::memchr(b'[', line).unwrap_or(line.len())];
            memchr::memchr_iter(b' ', head).take(4).count() >= 4
        };
        if has_vhost {
            if first > limit {
                return Err(fail(RowError::InvalidUtf8, limit));
            }
            self.text(1, &line[..first], pools);
            Ok(first + 1)
        } else {
            self.null(1);
            Ok(0)
        }
    }

    fn null(&mut self, column: usize) {
        self.sinks[column].push_null();
        self.validity[column].push(false);
    }

    /// Appends a string value (or null for `-`) to a string or dictionary column.
    fn text(&mut self, column: usize, value: &[u8], pools: &mut [Option<&mut StringPool>]) {
        if value == b"-" {
            self.null(column);
            return;
        }
        self.string(column, value, pools);
    }

    /// Appends a string value (`-` included) to a string or dictionary column, unescaped when
    /// `unescape` is set.
    fn string(&mut self, column: usize, value: &[u8], pools: &mut [Option<&mut StringPool>]) {
        if self.unescape && memchr::memchr(b'\\', value).is_some() {
            let mut scratch = std::mem::take(&mut self.scratch);
            scratch.clear();
            fields::unescape_into(value, &mut scratch);
            self.store(column, &scratch, pools);
            self.scratch = scratch;
        } else {
            self.store(column, value, pools);
        }
    }

    /// Appends a string value exactly as given to a string or dictionary column.
    fn store(&mut self, column: usize, value: &[u8], pools: &mut [Option<&mut StringPool>]) {
        match &mut self.sinks[column] {
            Sink::String { offsets, values } => {
                values.extend_from_slice(value);
                offsets.push(values.len() as i64);
                self.validity[column].push(true);
            }
            Sink::Dictionary(codes) => {
                // Neighbouring lines often repeat a client, referer or agent (a page and its
                // assets): comparing with the previous value skips hashing and probing.
                let last = self.last_codes[column];
                let interned = pools[column].as_mut().map(|pool| {
                    if last != NO_CODE && pool.resolve_bytes(last).is_ok_and(|prev| prev == value) {
                        Ok(last)
                    } else {
                        pool.intern_bytes(value)
                    }
                });
                if let Some(Ok(code)) = interned {
                    self.last_codes[column] = code;
                }
                match interned {
                    Some(Ok(code)) => {
                        codes.push(code);
                        self.validity[column].push(true);
                    }
                    // A dictionary past its 4 GiB / 2^31-value limit: the parse fails with
                    // FERRULE_CAPACITY after this line (as a parallel merge would), rather than
                    // losing values as nulls.
                    Some(Err(err)) => {
                        codes.push(0);
                        self.validity[column].push(false);
                        self.fatal.get_or_insert(err);
                    }
                    None => {
                        codes.push(0);
                        self.validity[column].push(false);
                    }
                }
            }
            _ => {
                self.sinks[column].push_null();
                self.validity[column].push(false);
            }
        }
    }

    fn field(
        &mut self,
        kind: FieldKind,
        column: usize,
        value: &[u8],
        pools: &mut [Option<&mut StringPool>],
    ) -> Result<(), RowError> {
        match kind {
            FieldKind::Text => self.text(column, value, pools),
            FieldKind::Request => {
                if value == b"-" {
                    for c in column..column + 4 {
                        self.null(c);
                    }
                    return Ok(());
                }
                match fields::split_request(value) {
                    Some((method, path, protocol)) => {
                        self.text(column + 1, method, pools);
                        self.text(column + 2, path, pools);
                        self.text(column + 3, protocol, pools);
                    }
                    None => {
                        self.null(column + 1);
                        self.null(column + 2);
                        self.null(column + 3);
                    }
                }
                self.text(column, value, pools);
            }
            FieldKind::ClfTime | FieldKind::Iso8601Time => {
                if value == b"-" {
                    self.null(column);
                    self.null(column + 1);
                    return Ok(());
                }
                let (micros, offset) = if kind == FieldKind::ClfTime {
                    self.clock.parse(value).ok_or(RowError::BadTimestamp)?
                } else if self.time_cache.text.as_deref() == Some(value) {
                    self.time_cache.value
                } else {
                    let parsed = fields::parse_iso8601(value).ok_or(RowError::BadTimestamp)?;
                    let text = self.time_cache.text.get_or_insert_with(Vec::new);
                    text.clear();
                    text.extend_from_slice(value);
                    self.time_cache.value = parsed;
                    parsed
                };
                self.push_time(column, micros, offset);
            }
            FieldKind::EpochSeconds | FieldKind::EpochMillis | FieldKind::EpochMicros => {
                if value == b"-" {
                    self.null(column);
                    self.null(column + 1);
                    return Ok(());
                }
                let micros = match kind {
                    FieldKind::EpochSeconds => fields::parse_epoch_seconds(value),
                    FieldKind::EpochMillis => fields::parse_epoch_ticks(value, 1000),
                    _ => fields::parse_epoch_ticks(value, 1),
                };
                self.push_time(column, micros.ok_or(RowError::BadTimestamp)?, 0);
            }
            FieldKind::Status => {
                let status = if value == b"-" {
                    None
                } else {
                    Some(fields::parse_status(value).ok_or(RowError::BadStatus)?)
                };
                if let Sink::UInt16(v) = &mut self.sinks[column] {
                    v.push(status.unwrap_or(0));
                    self.validity[column].push(status.is_some());
                }
            }
            FieldKind::Bytes => {
                let bytes = if value == b"-" {
                    None
                } else {
                    Some(fields::parse_u64(value).ok_or(RowError::BadNumber)?)
                };
                if let Sink::UInt64(v) = &mut self.sinks[column] {
                    v.push(bytes.unwrap_or(0));
                    self.validity[column].push(bytes.is_some());
                }
            }
            FieldKind::Int => {
                let int = if value == b"-" {
                    None
                } else {
                    Some(fields::parse_i64(value).ok_or(RowError::BadNumber)?)
                };
                if let Sink::Int64(v) = &mut self.sinks[column] {
                    v.push(int.unwrap_or(0));
                    self.validity[column].push(int.is_some());
                }
            }
            FieldKind::Float | FieldKind::FloatList => {
                let float = if value == b"-" {
                    None
                } else if kind == FieldKind::Float {
                    Some(fields::parse_f64(value).ok_or(RowError::BadNumber)?)
                } else {
                    fields::parse_float_list(value).ok_or(RowError::BadNumber)?
                };
                if let Sink::Float64(v) = &mut self.sinks[column] {
                    v.push(float.unwrap_or(0.0));
                    self.validity[column].push(float.is_some());
                }
            }
        }
        Ok(())
    }

    fn push_time(&mut self, column: usize, micros: i64, offset: i16) {
        if let Sink::Timestamp(v) = &mut self.sinks[column] {
            v.push(micros);
            self.validity[column].push(true);
        }
        if let Sink::Int16(v) = &mut self.sinks[column + 1] {
            v.push(offset);
            self.validity[column + 1].push(true);
        }
    }

    /// The rows parsed so far as a table, leaving the engine empty but keeping its dictionaries
    /// (codes stay stable for the rows parsed next) and line numbering.
    pub(crate) fn take_table(&mut self) -> LogTable {
        let mut columns: Vec<Column> = (0..self.sinks.len())
            .map(|i| {
                let data = self.sinks[i].take(self.pools[i].as_ref());
                let column = Column::new(self.names[i].clone(), data, std::mem::take(&mut self.validity[i]));
                // Columns 3.. of logfmt and JSON are keys.
                match i.checked_sub(3).and_then(|k| self.column_keys().get(k)) {
                    Some(key) => column.with_key(key.clone()),
                    None => column,
                }
            })
            .collect();
        if self.program.is_dynamic() {
            // Stored as line, error, error_offset, keys...; shown as line, keys..., error,
            // error_offset like every other format.
            let errors: Vec<Column> = columns.drain(1..3).collect();
            columns.extend(errors);
        }
        let table = LogTable::new(columns, std::mem::take(&mut self.errors), std::mem::take(&mut self.stats));
        self.rows = 0;
        table
    }

    /// With `on_error = Raise`, the failure that stopped the parse.
    pub(crate) fn failure(&self) -> Option<&Error> {
        self.failed.as_ref()
    }

    pub(crate) fn last_error(&self) -> Option<&ErrorRecord> {
        self.errors.last()
    }
}

/// One unit of input: a line (or octet-counted frame), or bytes that are not a valid frame.
#[derive(Clone, Copy)]
enum Record<'b> {
    Line(&'b [u8]),
    Broken(&'b [u8]),
}

/// Where an unquoted upstream-time list that reaches the space at `space` really ends.
fn list_end(line: &[u8], mut space: usize) -> usize {
    loop {
        let continues = matches!(line.get(space.wrapping_sub(1)), Some(b',' | b':'))
            || line.get(space + 1) == Some(&b':');
        if !continues {
            return space;
        }
        match memchr::memchr(b' ', &line[space + 1..]) {
            Some(next) => space += 1 + next,
            None => return line.len(),
        }
    }
}

/// `name:port` with exactly one `:` and a port of 1 to 5 digits (an IPv6 client has several).
fn is_host_port(token: &[u8]) -> bool {
    match memchr::memchr(b':', token) {
        Some(colon) if colon > 0 => {
            let port = &token[colon + 1..];
            (1..=5).contains(&port.len()) && port.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

/// `hay.starts_with(text)` for the one- to three-byte separators of log formats, without a
/// call to memcmp.
#[inline]
fn starts_with(hay: &[u8], text: &[u8]) -> bool {
    hay.len() >= text.len() && hay.iter().zip(text).all(|(a, b)| a == b)
}

/// No code remembered yet.
const NO_CODE: u32 = u32::MAX;

/// Rows parsed before the column vectors are sized for the rest of a block.
const RESERVE_SAMPLE: usize = 256;

/// How far a byte-at-a-time scan goes before handing over to memchr: most fields (an address,
/// `-`, a status, a size) end within it, and memchr's setup costs more than such a scan.
const SHORT_SCAN: usize = 16;

/// The index of the first `byte` in `hay`.
#[inline]
fn find_byte(byte: u8, hay: &[u8]) -> Option<usize> {
    let head = hay.len().min(SHORT_SCAN);
    if let Some(i) = hay[..head].iter().position(|&b| b == byte) {
        return Some(i);
    }
    memchr::memchr(byte, &hay[head..]).map(|i| head + i)
}

/// The index of the `"` closing a quoted field that starts at `from`, skipping backslash escapes.
fn closing_quote(line: &[u8], from: usize) -> Option<usize> {
    // `""` and `"-"` (an empty or absent referer or agent) are common enough to check first.
    match line.get(from..from + 2) {
        Some([b'"', _]) => return Some(from),
        Some([c, b'"']) if *c != b'\\' => return Some(from + 1),
        _ => {}
    }
    let mut i = from;
    loop {
        let found = i + memchr::memchr2(b'"', b'\\', line.get(i..)?)?;
        if line[found] == b'"' {
            return Some(found);
        }
        i = found + 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_quotes_skip_escapes() {
        assert_eq!(closing_quote(br#"ab" c"#, 0), Some(2));
        assert_eq!(closing_quote(br#"a\"b" c"#, 0), Some(4));
        assert_eq!(closing_quote(br#"a\\" c"#, 0), Some(3));
        assert_eq!(closing_quote(br#"a\"#, 0), None);
        assert_eq!(closing_quote(b"abc", 0), None);
        assert_eq!(closing_quote(b"", 0), None);
    }
}
