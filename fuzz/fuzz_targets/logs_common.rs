// Shared by the log fuzz targets (included with `include!`): the header bytes that pick a format
// and options, and the invariants every parse must keep.
//
// Every log target reads a header, then its payload:
//   byte 0, flags: bits 0-1 `on_error` (row, skip, raise, row), bit 2 `unescape`, bit 3
//           `strict_utf8`, bits 4-5 `plain_columns` (default, none, every string column);
//   byte 1, selector: which format (and format options, and reference time) this input uses;
//   `logs_stream` only, byte 2: how to chunk the stream and the batch size.
// One input exercises ONE format: running every preset on every input made each execution
// cost twelve parses, and the fuzzer learns nothing from the eleven formats an input was not
// written for.

use ferrule_core::logs::{
    BatchReader, Column, ColumnType, LogFormat, LogTable, OnError, PRESETS, ParseOptions, StreamParser, parse_bytes,
};

/// The presets, then three of them with their format options.
const PRESET_VARIANTS: usize = PRESETS.len() + 3;

/// Reference times for `syslog_rfc3164` without a year (microseconds, UTC): a fixed "now" (so
/// that both parses agree), the first instant of 0001 and the last of 9999 (the option's
/// bounds), and the first instant of a leap day.
const REFERENCES: [i64; 4] = [1_735_732_800_000_000, -62_135_596_800_000_000, 253_402_300_799_999_999, 1_709_164_800_000_000];
/// Fixed years for `syslog_rfc3164`: a leap year, a common one, and the bounds.
const YEARS: [i32; 4] = [2024, 2023, 1, 9999];

thread_local! {
    /// The presets compiled once: compiling a constant string on every input tests nothing.
    static PRESET_FORMATS: &'static [LogFormat] =
        PRESETS.iter().map(|name| LogFormat::preset(name).expect("a preset compiles")).collect::<Vec<_>>().leak();
}

/// Preset variant `index` (below `PRESET_VARIANTS`) and the format options it sets; `pick`
/// chooses the reference time or the fixed year.
fn preset_variant(index: usize, pick: usize) -> (&'static LogFormat, ParseOptions) {
    let formats = PRESET_FORMATS.with(|formats| *formats);
    let named = |name: &str| &formats[PRESETS.iter().position(|p| *p == name).expect("a preset")];
    let reference = Some(REFERENCES[pick % REFERENCES.len()]);
    match index.checked_sub(PRESETS.len()) {
        None => (&formats[index], ParseOptions { reference_time: reference, ..Default::default() }),
        Some(0) => (named("syslog_rfc5424"), ParseOptions { octet_counted: true, reference_time: reference, ..Default::default() }),
        Some(1) => (named("jsonl"), ParseOptions { flatten: true, reference_time: reference, ..Default::default() }),
        Some(_) => (named("syslog_rfc3164"), ParseOptions { year: Some(YEARS[pick % YEARS.len()]), ..Default::default() }),
    }
}

/// A format compiled from `spec` by the compiler `kind % 3` picks (nginx, Apache, template):
/// `None` when it refuses the string, which it must do with `FERRULE_PARSE`.
fn compile(kind: u8, spec: &[u8]) -> Option<LogFormat> {
    let spec = String::from_utf8_lossy(spec);
    let format = match kind % 3 {
        0 => LogFormat::nginx(&spec),
        1 => LogFormat::apache(&spec),
        _ => LogFormat::template(&spec),
    };
    match format {
        Ok(format) => {
            let names = format.column_names();
            assert_eq!(names.first(), Some(&"line"));
            assert!(names.len() >= 3, "{names:?}");
            assert_eq!(names[names.len() - 2..], ["error", "error_offset"]);
            Some(format)
        }
        Err(err) => {
            assert_eq!(err.code(), "FERRULE_PARSE", "{err}");
            None
        }
    }
}

/// `spec NUL data` (no NUL: all spec, no data).
fn spec_and_data(payload: &[u8]) -> (&[u8], &[u8]) {
    match payload.iter().position(|&b| b == 0) {
        Some(nul) => (&payload[..nul], &payload[nul + 1..]),
        None => (payload, &[]),
    }
}

/// `base` (format options) with the options of the flags byte.
fn options(flags: u8, format: &LogFormat, base: ParseOptions) -> ParseOptions {
    let plain_columns = match (flags >> 4) & 3 {
        1 => Some(Vec::new()),
        2 if format.has_dynamic_columns() => Some(vec!["msg".to_owned(), "message".to_owned(), "a".to_owned()]),
        2 => Some(
            format
                .schema()
                .iter()
                .enumerate()
                .filter(|&(i, c)| {
                    matches!(c.ty, ColumnType::String | ColumnType::Dictionary) && i + 2 != format.schema().len()
                })
                .map(|(_, c)| c.name.clone())
                .collect(),
        ),
        _ => None,
    };
    ParseOptions {
        on_error: match flags & 3 {
            1 => OnError::Skip,
            2 => OnError::Raise,
            _ => OnError::Row,
        },
        unescape: flags & 4 != 0,
        strict_utf8: flags & 8 != 0,
        plain_columns,
        threads: Some(1),
        ..base
    }
}

/// What must hold of any table a parse returns (`lines_before`: the lines of a stream's earlier
/// batches; line numbers run on across batches).
fn check_table(format: &LogFormat, table: &LogTable, lines_before: u64) {
    let s = table.stats();
    let rows = table.num_rows();
    assert_eq!(s.lines, s.ok + s.errors + s.skipped, "{s:?}");
    assert!(s.empty <= s.skipped, "{s:?}");
    assert_eq!(rows as u64, s.ok + s.errors, "{s:?}");
    // Failed lines are listed whether kept as rows or skipped.
    assert_eq!(table.errors().len() as u64, s.errors + s.skipped - s.empty, "{s:?}");
    for pair in table.errors().windows(2) {
        assert!(pair[0].line < pair[1].line);
    }
    for error in table.errors() {
        assert!(error.line > lines_before && error.line <= lines_before + s.lines, "{error:?}");
    }
    let names = table.column_names();
    assert_eq!(names.first(), Some(&"line"));
    assert_eq!(names[names.len() - 2..], ["error", "error_offset"]);
    if !format.has_dynamic_columns() {
        assert_eq!(names, format.column_names());
    }
    for column in table.columns() {
        assert_eq!(column.len(), rows, "{}", column.name());
        assert_eq!(column.validity().len(), rows, "{}", column.name());
    }
    let columns = table.columns();
    let (line, error, offset) = (&columns[0], &columns[columns.len() - 2], &columns[columns.len() - 1]);
    let mut previous = lines_before as f64;
    let mut failed = 0;
    for row in 0..rows {
        let number = line.number(row).expect("every row has a line number");
        assert!(number > previous && number <= (lines_before + s.lines) as f64, "line {number} after {previous}");
        previous = number;
        assert_eq!(error.bytes(row).is_some(), offset.number(row).is_some(), "row {row}");
        failed += usize::from(error.bytes(row).is_some());
    }
    assert_eq!(failed as u64, s.errors);
}

/// The same value in row `row` of both columns (any type).
fn same_value(x: &Column, row: usize, y: &Column, other: usize) {
    assert_eq!(x.validity().is_valid(row), y.validity().is_valid(other), "{} row {row}", x.name());
    assert_eq!(x.bytes(row), y.bytes(other), "{} row {row}", x.name());
    assert_eq!(x.number(row).map(f64::to_bits), y.number(other).map(f64::to_bits), "{} row {row}", x.name());
}

/// Two parses of the same input in the same engine state: the same table, exactly.
fn same(a: &LogTable, b: &LogTable) {
    assert_eq!(a.column_names(), b.column_names());
    assert_eq!(a.num_rows(), b.num_rows());
    for (x, y) in a.columns().iter().zip(b.columns()) {
        assert_eq!(x.column_type(), y.column_type(), "{}", x.name());
        for row in 0..x.len() {
            same_value(x, row, y, row);
        }
    }
    assert_eq!(a.errors(), b.errors());
    let (s, t) = (a.stats(), b.stats());
    assert_eq!((s.lines, s.ok, s.errors, s.skipped, s.empty, s.bytes), (t.lines, t.ok, t.errors, t.skipped, t.empty, t.bytes));
}

/// A one-shot parse and another one of the same input must agree: both the same table, or
/// both the same `FERRULE_PARSE` error (reason, line and offset).
fn agree(format: &LogFormat, whole: &ferrule_core::Result<LogTable>, other: ferrule_core::Result<LogTable>, how: &str) {
    match (whole, other) {
        (Ok(whole), Ok(other)) => {
            check_table(format, &other, 0);
            same(whole, &other);
        }
        (Err(a), Err(b)) => {
            assert_eq!(a.code(), "FERRULE_PARSE", "{a}");
            assert_eq!((a.code(), a.reason(), a.location()), (b.code(), b.reason(), b.location()), "{how}");
        }
        (a, b) => panic!("one-shot {:?} but {how} {:?}", a.as_ref().map(LogTable::num_rows), b.map(|t| t.num_rows())),
    }
}

/// The one-shot parse, checked.
fn parse_whole(format: &LogFormat, data: &[u8], options: &ParseOptions) -> ferrule_core::Result<LogTable> {
    let whole = parse_bytes(data, format, options);
    match &whole {
        Ok(table) => {
            check_table(format, table, 0);
            assert_eq!(table.stats().bytes, data.len() as u64);
        }
        Err(err) => {
            assert_eq!(err.code(), "FERRULE_PARSE", "{err}");
            assert_eq!(options.on_error, OnError::Raise, "{err}");
        }
    }
    whole
}

/// Parses `data` one-shot with `options` and checks the table; with `on_error` "raise" or
/// "skip", also against the same input parsed with "row": "raise" fails exactly as the first
/// error row says (code, reason, line, offset, message), or gives the same table when there is
/// none; "skip" gives the table of "row" without its error rows.
fn check_parse(format: &LogFormat, data: &[u8], options: &ParseOptions) {
    let whole = parse_whole(format, data, options);
    if options.on_error == OnError::Row {
        return;
    }
    let row_options = ParseOptions { on_error: OnError::Row, ..options.clone() };
    let rows = parse_whole(format, data, &row_options).expect("on_error = row does not fail");
    match (options.on_error, whole) {
        (OnError::Raise, Err(err)) => {
            let first = rows.errors().first().expect("raise failed, so some line is an error row").to_error();
            assert_eq!(
                (err.code(), err.reason(), err.location(), err.to_string()),
                (first.code(), first.reason(), first.location(), first.to_string())
            );
        }
        (OnError::Raise, Ok(table)) => {
            assert!(rows.errors().is_empty(), "raise passed over {:?}", rows.errors()[0]);
            same(&table, &rows);
        }
        (_, Ok(skipped)) => same_without_errors(format, &skipped, &rows),
        (_, Err(err)) => panic!("skip failed: {err}"),
    }
}

/// The table of `on_error = "skip"` against the one of "row": the same rows, less the error
/// rows; the same error list; the failed lines counted as skipped.
fn same_without_errors(format: &LogFormat, skipped: &LogTable, rows: &LogTable) {
    let (s, r) = (skipped.stats(), rows.stats());
    assert_eq!((s.lines, s.ok, s.errors, s.skipped, s.empty, s.bytes), (r.lines, r.ok, 0, r.skipped + r.errors, r.empty, r.bytes));
    assert_eq!(skipped.errors(), rows.errors());
    assert_eq!(skipped.column_names(), rows.column_names());
    let error = &rows.columns()[rows.num_columns() - 2];
    let kept: Vec<usize> = (0..rows.num_rows()).filter(|&row| error.bytes(row).is_none()).collect();
    assert_eq!(kept.len(), skipped.num_rows());
    for (x, y) in skipped.columns().iter().zip(rows.columns()) {
        let typed_alike = x.column_type() == y.column_type();
        // JSON columns are typed by the values stored, which include the fields of error rows
        // parsed before their failure.
        assert!(typed_alike || format.has_dynamic_columns(), "{} changed type", x.name());
        for (row, &other) in kept.iter().enumerate() {
            if typed_alike {
                same_value(x, row, y, other);
            } else {
                assert_eq!(x.validity().is_valid(row), y.validity().is_valid(other), "{} row {row}", x.name());
            }
        }
    }
}

/// A small deterministic generator (SplitMix64) for chunk sizes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A chunk size: often empty or a few bytes (splitting lines, line ends and multi-byte
    /// characters everywhere), sometimes up to the rest of the input.
    fn chunk(&mut self, left: usize) -> usize {
        let r = self.next();
        let size = (r >> 8) as usize;
        match r % 8 {
            0 => 0,
            1..=3 => 1 + size % 4,
            4..=6 => 1 + size % 32,
            _ => size % (left + 1),
        }
    }
}

/// Pushes `data` to a new stream parser in random chunks (empty ones included) from `seed`.
fn stream_in_chunks(format: &LogFormat, data: &[u8], options: &ParseOptions, seed: u64) -> ferrule_core::Result<LogTable> {
    let mut rng = Rng(seed);
    let mut parser = StreamParser::new(format, options).expect("valid options");
    let mut at = 0;
    while at < data.len() {
        let end = at + rng.chunk(data.len() - at).min(data.len() - at);
        let pending = parser.pending_bytes();
        let lines = parser.lines();
        parser.push(&data[at..end])?;
        // Lines only ever complete; the pending bytes are at most what was not parsed yet.
        assert!(parser.lines() >= lines);
        assert!(parser.pending_bytes() <= pending + (end - at));
        at = end;
    }
    // Empty pushes at the end change nothing either.
    parser.push(b"")?;
    parser.finish()
}

thread_local! {
    /// A file for the batch reader (which reads paths only): created, unlinked at once, and
    /// opened again through `/proc/self/fd` on each input, so nothing is left behind.
    static BATCH_FILE: Option<(std::fs::File, String)> = batch_file();
}

fn batch_file() -> Option<(std::fs::File, String)> {
    use std::os::fd::AsRawFd;
    let dir = if std::path::Path::new("/dev/shm").is_dir() { "/dev/shm".into() } else { std::env::temp_dir() };
    let path = dir.join(format!("ferrule-fuzz-{}-{:?}", std::process::id(), std::thread::current().id()));
    let file = std::fs::File::options().read(true).write(true).create(true).truncate(true).open(&path).ok()?;
    std::fs::remove_file(&path).ok()?;
    let proc_path = format!("/proc/self/fd/{}", file.as_raw_fd());
    std::path::Path::new(&proc_path).exists().then_some((file, proc_path))
}

/// Reads `data` through the batch reader in batches of `batch_rows`: every batch holds at most
/// `batch_rows` rows, and the batches together are the one-shot parse (or end in its error).
fn check_batches(format: &LogFormat, data: &[u8], options: &ParseOptions, batch_rows: usize, whole: &ferrule_core::Result<LogTable>) {
    use std::os::unix::fs::FileExt;
    // gzip input is inflated by the reader, not by `parse_bytes`.
    if data.starts_with(&[0x1f, 0x8b]) {
        return;
    }
    BATCH_FILE.with(|file| {
        let Some((file, path)) = file else { return };
        file.set_len(0).expect("truncate the batch file");
        file.write_all_at(data, 0).expect("write the batch file");
        let mut reader = BatchReader::open(path, format, options, batch_rows).expect("open the batch file");
        let mut batches = Vec::new();
        // `next_batch`, not the iterator: the iterator is a thin loop over it (it used to drop an
        // `on_error = "raise"` failure on a last line without `\n`, found here; fixed in core,
        // with a regression test there).
        let failure = loop {
            match reader.next_batch() {
                Ok(Some(batch)) => batches.push(batch),
                Ok(None) => break None,
                Err(err) => {
                    // A failed reader fails again.
                    let again = reader.next_batch().expect_err("a failed reader fails again");
                    assert_eq!((err.reason(), err.location()), (again.reason(), again.location()));
                    break Some(err);
                }
            }
        };
        match (whole, failure) {
            (Ok(whole), None) => same_batches(format, whole, &batches, batch_rows, options.octet_counted),
            (Err(a), Some(b)) => {
                assert_eq!((a.code(), a.reason(), a.location()), (b.code(), b.reason(), b.location()));
            }
            (a, b) => panic!("one-shot {:?} but the batch reader {:?}", a.as_ref().map(LogTable::num_rows), b),
        }
    });
}

/// Batches of one stream against the one-shot parse. Fixed formats: the batches joined are the
/// table. logfmt and JSON lines: a batch has the columns of the keys seen so far (a prefix of
/// the table's, in the same order), each typed by its own values; a column the batch does not
/// have yet is null in its rows.
fn same_batches(format: &LogFormat, whole: &LogTable, batches: &[LogTable], batch_rows: usize, octet_counted: bool) {
    let names = whole.column_names();
    let keys = names.len() - 2;
    let mut first_row = 0;
    let mut errors = Vec::new();
    let mut totals = [0u64; 6];
    for batch in batches {
        check_table(format, batch, totals[0]);
        assert!(batch.num_rows() <= batch_rows, "{} rows in a batch of {batch_rows}", batch.num_rows());
        let batch_names = batch.column_names();
        let batch_keys = batch_names.len() - 2;
        assert!(batch_keys <= keys && batch_names[..batch_keys] == names[..batch_keys], "{batch_names:?} vs {names:?}");
        assert_eq!(batch_names[batch_keys..], names[keys..]);
        assert!(first_row + batch.num_rows() <= whole.num_rows());
        for (index, column) in whole.columns().iter().enumerate() {
            let in_batch = if index < keys { (index < batch_keys).then_some(index) } else { Some(index - keys + batch_keys) };
            for row in 0..batch.num_rows() {
                let at = first_row + row;
                let Some(b) = in_batch.map(|i| &batch.columns()[i]) else {
                    assert!(!column.validity().is_valid(at), "{} row {at}: a value before its key was seen", column.name());
                    continue;
                };
                if b.column_type() == column.column_type() || is_text(b) && is_text(column) {
                    same_value(column, at, b, row);
                    continue;
                }
                // A JSON column the whole input typed more widely (int and float make float,
                // other mixes make text).
                assert!(format.has_dynamic_columns(), "{} changed type", column.name());
                assert_eq!(column.validity().is_valid(at), b.validity().is_valid(row), "{} row {at}", column.name());
                match (column.column_type(), b.column_type()) {
                    (ColumnType::Float64, ColumnType::Int64) => assert_eq!(column.number(at), b.number(row)),
                    (_, ColumnType::Int64) if is_text(column) => {
                        let text = b.number(row).map(|_| match b.data() {
                            ferrule_core::logs::ColumnData::Int64(v) => v[row].to_string().into_bytes(),
                            _ => unreachable!(),
                        });
                        assert_eq!(column.bytes(at).map(<[u8]>::to_vec), text, "{} row {at}", column.name());
                    }
                    (_, ColumnType::Bool) if is_text(column) => {
                        let text = b.number(row).map(|v| if v == 1.0 { &b"true"[..] } else { &b"false"[..] });
                        assert_eq!(column.bytes(at), text, "{} row {at}", column.name());
                    }
                    _ => {}
                }
            }
        }
        first_row += batch.num_rows();
        errors.extend_from_slice(batch.errors());
        let s = batch.stats();
        for (total, n) in totals.iter_mut().zip([s.lines, s.ok, s.errors, s.skipped, s.empty, s.bytes]) {
            *total += n;
        }
    }
    assert_eq!(first_row, whole.num_rows());
    assert_eq!(errors, whole.errors());
    let s = whole.stats();
    assert_eq!(totals[..5], [s.lines, s.ok, s.errors, s.skipped, s.empty]);
    if octet_counted {
        // The reader drops a last batch with no rows and no lines, and with it the bytes it read
        // (octet-counted input can end in bytes that make no frame, such as a newline):
        // reported as a core bug.
        assert!(totals[5] <= s.bytes, "{} bytes read of {}", totals[5], s.bytes);
    } else {
        assert_eq!(totals[5], s.bytes);
    }
}

fn is_text(column: &Column) -> bool {
    matches!(column.column_type(), ColumnType::String | ColumnType::Dictionary)
}
