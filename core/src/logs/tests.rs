//! Tests of whole parses: every input case of the issue, each on its own.

use super::*;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data/apache_combined.log");

fn combined() -> LogFormat {
    LogFormat::preset("combined").unwrap()
}

fn parse(data: &[u8]) -> LogTable {
    parse_bytes(data, &combined(), &ParseOptions::default()).unwrap()
}

#[test]
fn the_real_sample_has_9999_good_lines_and_one_bad_one() {
    let data = std::fs::read(SAMPLE).unwrap();
    let table = parse(&data);
    let stats = table.stats();
    assert_eq!((stats.lines, stats.ok, stats.errors, stats.skipped), (10_000, 9_999, 1, 0));
    assert_eq!(table.num_rows(), 10_000);
    let error = &table.errors()[0];
    assert_eq!((error.line, error.error), (8899, RowError::UnterminatedQuote));
    let row = 8898;
    assert_eq!(table.require("error").unwrap().text(row).as_deref(), Some("UNTERMINATED_QUOTE"));
    assert_eq!(table.require("error_offset").unwrap().number(row), Some(error.offset as f64));
    // The fields before the bad quote were kept.
    assert_eq!(table.require("status").unwrap().number(row), Some(200.0));
    assert_eq!(table.require("user_agent").unwrap().text(row), None);
    assert_eq!(table.require("line").unwrap().number(row), Some(8899.0));
}

/// Every column equal: names, types, validity, values (dictionary codes and their strings).
pub(crate) fn assert_same(a: &LogTable, b: &LogTable) {
    assert_eq!(a.column_names(), b.column_names());
    assert_eq!(a.num_rows(), b.num_rows());
    for (x, y) in a.columns().iter().zip(b.columns()) {
        assert_eq!(x.column_type(), y.column_type(), "{}", x.name());
        assert_eq!(x.validity().len(), y.validity().len(), "{}", x.name());
        assert_eq!(x.null_count(), y.null_count(), "{}", x.name());
        for row in 0..x.len() {
            assert_eq!(x.validity().is_valid(row), y.validity().is_valid(row), "{} row {row}", x.name());
            assert_eq!(x.bytes(row), y.bytes(row), "{} row {row}", x.name());
            assert_eq!(
                x.number(row).map(f64::to_bits),
                y.number(row).map(f64::to_bits),
                "{} row {row}",
                x.name()
            );
        }
        if let (ColumnData::Dictionary { codes: p, .. }, ColumnData::Dictionary { codes: q, .. }) =
            (x.data(), y.data())
        {
            // Raw codes, null rows (code 0) included.
            assert_eq!(p, q, "{} codes", x.name());
            let (px, py) = (x.pool().unwrap(), y.pool().unwrap());
            let shared = px.len().min(py.len());
            assert!(px.iter().take(shared).eq(py.iter().take(shared)), "{} dictionaries", x.name());
        }
    }
    assert_eq!(a.errors(), b.errors());
    let (s, t) = (a.stats(), b.stats());
    assert_eq!((s.lines, s.ok, s.errors, s.skipped, s.empty), (t.lines, t.ok, t.errors, t.skipped, t.empty));
}

fn text(table: &LogTable, column: &str, row: usize) -> Option<String> {
    table.require(column).unwrap().text(row).map(|t| t.into_owned())
}

fn number(table: &LogTable, column: &str, row: usize) -> Option<f64> {
    table.require(column).unwrap().number(row)
}

fn one(line: &str) -> LogTable {
    let table = parse(line.as_bytes());
    assert_eq!(table.num_rows(), 1, "{line}");
    table
}

fn assert_stats_add_up(table: &LogTable) {
    let s = table.stats();
    assert_eq!(s.lines, s.ok + s.errors + s.skipped, "{s:?}");
    assert_eq!(table.num_rows() as u64, s.ok + s.errors);
}

const GOOD: &str = r#"1.2.3.4 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)""#;

#[test]
fn a_combined_line_fills_every_typed_column() {
    let t = one(GOOD);
    assert_eq!(text(&t, "client", 0).as_deref(), Some("1.2.3.4"));
    assert_eq!(text(&t, "ident", 0), None);
    assert_eq!(text(&t, "user", 0).as_deref(), Some("frank"));
    assert_eq!(number(&t, "timestamp", 0), Some(971_211_336_000_000.0));
    assert_eq!(number(&t, "tz_offset", 0), Some(-420.0));
    assert_eq!(text(&t, "method", 0).as_deref(), Some("GET"));
    assert_eq!(text(&t, "path", 0).as_deref(), Some("/apache_pb.gif"));
    assert_eq!(text(&t, "protocol", 0).as_deref(), Some("HTTP/1.0"));
    assert_eq!(text(&t, "request", 0).as_deref(), Some("GET /apache_pb.gif HTTP/1.0"));
    assert_eq!(number(&t, "status", 0), Some(200.0));
    assert_eq!(number(&t, "bytes", 0), Some(2326.0));
    assert_eq!(text(&t, "referer", 0).as_deref(), Some("http://www.example.com/start.html"));
    assert_eq!(text(&t, "user_agent", 0).as_deref(), Some("Mozilla/4.08 [en] (Win98; I ;Nav)"));
    assert_eq!(text(&t, "error", 0), None);
    assert_eq!(number(&t, "error_offset", 0), None);
    assert_eq!(text(&t, "vhost", 0), None);
    let types: Vec<ColumnType> = t.columns().iter().map(Column::column_type).collect();
    assert_eq!(types[0], ColumnType::UInt64);
    assert_eq!(t.require("status").unwrap().column_type(), ColumnType::UInt16);
    assert_eq!(t.require("tz_offset").unwrap().column_type(), ColumnType::Int16);
    assert_eq!(t.require("path").unwrap().column_type(), ColumnType::String);
    assert_eq!(t.require("client").unwrap().column_type(), ColumnType::Dictionary);
    assert_stats_add_up(&t);
}

#[test]
fn dash_is_null_in_every_field() {
    let t = one(r#"- - - [10/Oct/2000:13:55:36 -0700] "-" - - "-" "-""#);
    for column in
        ["client", "ident", "user", "request", "method", "path", "protocol", "referer", "user_agent"]
    {
        assert_eq!(text(&t, column, 0), None, "{column}");
    }
    assert_eq!(number(&t, "status", 0), None);
    assert_eq!(number(&t, "bytes", 0), None);
    assert_eq!(t.stats().ok, 1);
    assert_eq!(t.require("status").unwrap().null_count(), 1);
}

#[test]
fn clients_may_be_ipv6_with_zones_or_hostnames() {
    for client in
        ["2001:db8::1", "fe80::1%eth0", "::ffff:192.0.2.1", "crawl-66-249-73-135.googlebot.com", "localhost"]
    {
        let t = one(&GOOD.replacen("1.2.3.4", client, 1));
        assert_eq!(text(&t, "client", 0).as_deref(), Some(client));
        assert_eq!(t.stats().ok, 1, "{client}");
    }
}

#[test]
fn requests_that_are_not_three_tokens_are_kept_raw() {
    for raw in ["", "GET", "GET /", "\\x16\\x03\\x01\\x00", "GET /a b HTTP/1.1", "OPTIONS * HTTP/1.1 extra"] {
        let t = one(&GOOD.replacen("GET /apache_pb.gif HTTP/1.0", raw, 1));
        assert_eq!(text(&t, "request", 0).as_deref(), Some(raw), "{raw}");
        assert_eq!(text(&t, "method", 0), None, "{raw}");
        assert_eq!(text(&t, "path", 0), None, "{raw}");
        assert_eq!(text(&t, "protocol", 0), None, "{raw}");
        assert_eq!(number(&t, "status", 0), Some(200.0));
        assert_eq!(t.stats().ok, 1);
    }
}

#[test]
fn escapes_are_kept_raw_unless_unescaping_is_asked() {
    let line = GOOD.replacen(r#""http://www.example.com/start.html""#, r#""say \"hi\" \x41\\""#, 1);
    let raw = one(&line);
    assert_eq!(text(&raw, "referer", 0).as_deref(), Some(r#"say \"hi\" \x41\\"#));
    assert_eq!(text(&raw, "user_agent", 0).as_deref(), Some("Mozilla/4.08 [en] (Win98; I ;Nav)"));
    let options = ParseOptions { unescape: true, ..Default::default() };
    let unescaped = parse_bytes(line.as_bytes(), &combined(), &options).unwrap();
    assert_eq!(text(&unescaped, "referer", 0).as_deref(), Some(r#"say "hi" A\"#));
}

#[test]
fn crlf_line_ends_are_stripped() {
    let data = format!("{GOOD}\r\n{GOOD}\r\n");
    let t = parse(data.as_bytes());
    assert_eq!(t.stats().ok, 2);
    assert_eq!(text(&t, "user_agent", 1).as_deref(), Some("Mozilla/4.08 [en] (Win98; I ;Nav)"));
}

#[test]
fn lines_of_any_length_parse() {
    let long_agent = "x".repeat(1 << 20);
    let t = one(&GOOD.replacen("Mozilla/4.08 [en] (Win98; I ;Nav)", &long_agent, 1));
    assert_eq!(t.require("user_agent").unwrap().bytes(0).map(<[u8]>::len), Some(1 << 20));
}

#[test]
fn trailing_extra_fields_are_tolerated() {
    // nginx `main` adds "$http_x_forwarded_for".
    let t = one(&format!(r#"{GOOD} "10.0.0.1, 10.0.0.2" rt=0.004"#));
    assert_eq!(t.stats().ok, 1);
    assert_eq!(text(&t, "user_agent", 0).as_deref(), Some("Mozilla/4.08 [en] (Win98; I ;Nav)"));
}

#[test]
fn a_vhost_prefix_goes_to_the_vhost_column() {
    let t = one(&format!("www.example.com:443 {GOOD}"));
    assert_eq!(text(&t, "vhost", 0).as_deref(), Some("www.example.com:443"));
    assert_eq!(text(&t, "client", 0).as_deref(), Some("1.2.3.4"));
    assert_eq!(t.stats().ok, 1);
}

#[test]
fn the_common_format_has_no_referer_or_agent() {
    let line = r#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 304 -"#;
    let t = parse_bytes(line.as_bytes(), &LogFormat::preset("common").unwrap(), &ParseOptions::default())
        .unwrap();
    assert_eq!(t.stats().ok, 1);
    assert!(t.column("referer").is_none());
    assert_eq!(number(&t, "status", 0), Some(304.0));
    assert_eq!(number(&t, "bytes", 0), None);
}

fn failure(line: &str) -> (RowError, u64) {
    let t = one(line);
    assert_eq!(t.stats().errors, 1, "{line}");
    let e = &t.errors()[0];
    assert_eq!(text(&t, "error", 0).as_deref(), Some(e.error.code()));
    assert_eq!(number(&t, "error_offset", 0), Some(e.offset as f64));
    assert_eq!(e.text, line.as_bytes());
    (e.error, e.offset)
}

#[test]
fn an_unterminated_quote_is_an_error_row_keeping_the_fields_before_it() {
    let line = GOOD.strip_suffix('"').unwrap();
    let (error, offset) = failure(line);
    assert_eq!(error, RowError::UnterminatedQuote);
    assert_eq!(offset as usize, line.rfind('"').unwrap());
    let t = one(line);
    assert_eq!(number(&t, "status", 0), Some(200.0));
    assert_eq!(text(&t, "referer", 0).as_deref(), Some("http://www.example.com/start.html"));
    assert_eq!(text(&t, "user_agent", 0), None);
}

#[test]
fn a_bad_timestamp_is_an_error_row() {
    let (error, offset) = failure(&GOOD.replacen("10/Oct/2000", "10/Oct/20x0", 1));
    assert_eq!((error, offset as usize), (RowError::BadTimestamp, GOOD.find('[').unwrap() + 1));
}

#[test]
fn a_bad_status_is_an_error_row() {
    let (error, offset) = failure(&GOOD.replacen(" 200 ", " 2x0 ", 1));
    assert_eq!(error, RowError::BadStatus);
    assert_eq!(offset as usize, GOOD.find(" 200 ").unwrap() + 1);
}

#[test]
fn bad_bytes_are_an_error_row() {
    assert_eq!(failure(&GOOD.replacen(" 2326 ", " 23k ", 1)).0, RowError::BadNumber);
}

#[test]
fn a_short_line_has_too_few_fields() {
    let (error, offset) = failure("1.2.3.4 - -");
    assert_eq!((error, offset), (RowError::TooFewFields, 11));
    assert_eq!(
        failure(r#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200"#).0,
        RowError::TooFewFields
    );
}

#[test]
fn unexpected_text_between_fields_is_an_error_row() {
    let (error, _) = failure(&GOOD.replacen(" \"GET", " GET", 1));
    assert_eq!(error, RowError::UnexpectedText);
}

#[test]
fn invalid_utf8_is_kept_as_bytes_or_refused_when_strict() {
    let mut line = GOOD.as_bytes().to_vec();
    let at = GOOD.find("Win98").unwrap();
    line[at] = 0xff;
    let lossy = parse(&line);
    assert_eq!(lossy.stats().ok, 1);
    let agent = lossy.require("user_agent").unwrap();
    assert!(agent.bytes(0).unwrap().contains(&0xff));
    assert!(agent.text(0).unwrap().contains('\u{fffd}'));
    assert!(!agent.is_utf8());
    let fixed = agent.utf8_lossy().unwrap();
    assert!(fixed.is_utf8());
    assert_eq!(fixed.text(0), agent.text(0));
    assert!(lossy.require("client").unwrap().utf8_lossy().is_none());

    let strict = ParseOptions { strict_utf8: true, ..Default::default() };
    let t = parse_bytes(&line, &combined(), &strict).unwrap();
    assert_eq!(t.errors()[0].error, RowError::InvalidUtf8);
    assert_eq!(t.errors()[0].offset as usize, at);
    // Fields before the bad byte were kept.
    assert_eq!(number(&t, "status", 0), Some(200.0));
    assert_eq!(text(&t, "user_agent", 0), None);
}

#[test]
fn empty_lines_are_counted_and_skipped() {
    let data = format!("\n{GOOD}\n\r\n\n{GOOD}\n");
    let t = parse(data.as_bytes());
    let s = t.stats();
    assert_eq!((s.lines, s.ok, s.errors, s.skipped, s.empty), (5, 2, 0, 3, 3));
    assert_eq!(number(&t, "line", 1), Some(5.0));
    assert_stats_add_up(&t);
    let nothing = parse(b"");
    assert_eq!((nothing.num_rows(), nothing.stats().lines), (0, 0));
    assert_eq!(nothing.column_names(), combined().column_names());
}

#[test]
fn on_error_skip_drops_rows_but_counts_them() {
    let data = format!("{GOOD}\ngarbage\n{GOOD}\n");
    let options = ParseOptions { on_error: OnError::Skip, ..Default::default() };
    let t = parse_bytes(data.as_bytes(), &combined(), &options).unwrap();
    let s = t.stats();
    assert_eq!((s.lines, s.ok, s.errors, s.skipped), (3, 2, 0, 1));
    assert_eq!(t.num_rows(), 2);
    assert_eq!(number(&t, "line", 1), Some(3.0));
    assert_eq!(t.errors()[0].line, 2);
    assert_eq!(t.require("error").unwrap().null_count(), 2);
    assert_stats_add_up(&t);
}

#[test]
fn on_error_raise_stops_at_the_first_bad_line() {
    let data = format!("{GOOD}\n{GOOD}\n1.2.3.4 - - [bad] x\ngarbage\n");
    let options = ParseOptions { on_error: OnError::Raise, ..Default::default() };
    let err = parse_bytes(data.as_bytes(), &combined(), &options).unwrap_err();
    assert_eq!(err.code(), "FERRULE_PARSE");
    assert_eq!(err.reason(), Some("BAD_TIMESTAMP"));
    assert_eq!(err.location().line, Some(3));
    assert_eq!(err.location().offset, Some(13));
    assert!(err.message().contains("1.2.3.4 - - [bad] x"), "{err}");
}

#[test]
fn a_stream_stopped_by_raise_keeps_failing_and_its_stats_add_up() {
    let options = ParseOptions { on_error: OnError::Raise, ..Default::default() };
    let mut parser = StreamParser::new(&combined(), &options).unwrap();
    let err = parser.push(format!("{GOOD}\nbad line\n").as_bytes()).unwrap_err();
    assert_eq!((err.reason(), err.location().line), (Some("TOO_FEW_FIELDS"), Some(2)));
    assert_eq!(parser.push(b"more\n").unwrap_err(), err);
    let accepted = parser.take_batch();
    assert_eq!(accepted.num_rows(), 1);
    assert_stats_add_up(&accepted);
    assert_eq!(parser.finish().unwrap_err(), err);

    // A bad last line, met at finish: later calls fail the same way, not as "finished".
    let mut parser = StreamParser::new(&combined(), &options).unwrap();
    parser.push(b"bad line").unwrap();
    let err = parser.finish().unwrap_err();
    assert_eq!(err.reason(), Some("TOO_FEW_FIELDS"));
    assert_eq!(parser.push(b"x\n").unwrap_err(), err);
    assert_eq!(parser.finish().unwrap_err(), err);
}

#[test]
fn raise_reports_the_first_bad_line_of_a_parallel_parse() {
    let data = std::fs::read(SAMPLE).unwrap();
    let options = ParseOptions { on_error: OnError::Raise, threads: Some(2), ..Default::default() };
    let err = parse_bytes(&data, &combined(), &options).unwrap_err();
    assert_eq!((err.reason(), err.location().line), (Some("UNTERMINATED_QUOTE"), Some(8899)));
}

#[test]
fn parallel_output_equals_sequential_output() {
    let sample = std::fs::read(SAMPLE).unwrap();
    // Bad and empty lines in several chunks, so remapped dictionaries and shifted line
    // numbers are exercised too.
    let mut data = Vec::new();
    for i in 0..3 {
        data.extend_from_slice(&sample);
        data.extend_from_slice(format!("\ngarbage {i}\n\n").as_bytes());
    }
    for on_error in [OnError::Row, OnError::Skip] {
        let sequential = ParseOptions { threads: Some(1), on_error, ..Default::default() };
        let expected = parse_bytes(&data, &combined(), &sequential).unwrap();
        assert_stats_add_up(&expected);
        for threads in [2, 3, 8] {
            let options = ParseOptions { threads: Some(threads), on_error, ..Default::default() };
            assert_same(&parse_bytes(&data, &combined(), &options).unwrap(), &expected);
        }
    }
}

#[test]
fn streaming_split_at_every_offset_equals_one_shot() {
    let data = format!("{GOOD}\r\n\ngarbage\n{}\n{GOOD}", GOOD.replacen("1.2.3.4", "fe80::1%eth0", 1));
    let data = data.as_bytes();
    let expected = parse(data);
    for split in 0..=data.len() {
        let mut parser = StreamParser::new(&combined(), &ParseOptions::default()).unwrap();
        parser.push(&data[..split]).unwrap();
        parser.push(&data[split..]).unwrap();
        assert_same(&parser.finish().unwrap(), &expected);
    }
    // And byte by byte.
    let mut parser = StreamParser::new(&combined(), &ParseOptions::default()).unwrap();
    for byte in data {
        parser.push(std::slice::from_ref(byte)).unwrap();
    }
    assert_same(&parser.finish().unwrap(), &expected);
    assert_eq!(parser.push(b"x").unwrap_err().code(), "FERRULE_INVALID_ARGUMENT");
}

#[test]
fn batches_keep_dictionary_codes_stable() {
    let data = std::fs::read(SAMPLE).unwrap();
    let mut parser = StreamParser::new(&combined(), &ParseOptions::default()).unwrap();
    let (head, tail) = data.split_at(data.len() / 2);
    parser.push(head).unwrap();
    let first = parser.take_batch();
    parser.push(tail).unwrap();
    let second = parser.finish().unwrap();
    let whole = parse(&data);
    assert_eq!(first.num_rows() + second.num_rows(), whole.num_rows());
    let clients = |t: &LogTable| match t.require("client").unwrap().data() {
        ColumnData::Dictionary { codes, .. } => codes.clone(),
        _ => panic!("client is a dictionary column"),
    };
    let mut codes = clients(&first);
    codes.extend(clients(&second));
    assert_eq!(codes, clients(&whole));
    let s = second.stats();
    assert_eq!(first.stats().lines + s.lines, 10_000);
    assert_eq!(number(&second, "line", 0), Some(first.stats().lines as f64 + 1.0));
}

fn temp_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ferrule-logs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn files_plain_and_gzip_parse_like_bytes() {
    let data = std::fs::read(SAMPLE).unwrap();
    let expected = parse(&data);
    let gz = temp_path("sample.log.gz");
    std::fs::write(&gz, gzip(&data)).unwrap();
    let options = ParseOptions::default();
    assert_same(&parse_file(SAMPLE, &combined(), &options).unwrap(), &expected);
    assert_same(&parse_file(&gz, &combined(), &options).unwrap(), &expected);
    let empty = temp_path("empty.log");
    std::fs::write(&empty, b"").unwrap();
    assert_eq!(parse_file(&empty, &combined(), &options).unwrap().num_rows(), 0);
}

#[test]
fn batch_reading_equals_the_whole_file_in_bounded_batches() {
    let data = std::fs::read(SAMPLE).unwrap();
    let expected = parse(&data);
    let gz = temp_path("batches.log.gz");
    std::fs::write(&gz, gzip(&data)).unwrap();
    for path in [std::path::PathBuf::from(SAMPLE), gz] {
        let reader = BatchReader::open(&path, &combined(), &ParseOptions::default(), 3000).unwrap();
        let batches: Vec<LogTable> = reader.collect::<Result<_, _>>().unwrap();
        assert_eq!(batches.iter().map(LogTable::num_rows).collect::<Vec<_>>(), [3000, 3000, 3000, 1000]);
        assert_eq!(batches.iter().map(|b| b.stats().lines).sum::<u64>(), 10_000);
        // Batches carry whole-input line numbers already: joined with no shift.
        let tables = batches.into_iter().map(|b| (0, b)).collect();
        let joined = parallel::concat(tables, None).unwrap();
        assert_same(&joined, &expected);
    }
}

/// The file path on small files (`make test-rust` runs this one under valgrind, the
/// whole-sample tests are too slow there).
#[test]
fn small_files_are_read_and_parsed() {
    let path = temp_path("small.log");
    std::fs::write(&path, format!("{GOOD}\n\n{GOOD}")).unwrap();
    let table = parse_file(&path, &combined(), &ParseOptions::default()).unwrap();
    assert_eq!((table.stats().lines, table.stats().ok, table.num_rows()), (3, 2, 2));
    assert_eq!(text(&table, "user_agent", 1).as_deref(), Some("Mozilla/4.08 [en] (Win98; I ;Nav)"));
    let empty = temp_path("small-empty.log");
    std::fs::write(&empty, b"").unwrap();
    assert_eq!(parse_file(&empty, &combined(), &ParseOptions::default()).unwrap().num_rows(), 0);
    let one_byte = temp_path("small-one.log");
    std::fs::write(&one_byte, b"x").unwrap();
    assert_eq!(
        parse_file(&one_byte, &combined(), &ParseOptions::default()).unwrap().errors()[0].error,
        RowError::TooFewFields
    );
}

/// logrotate's `copytruncate` empties a live log while it may be parsed. A memory-mapped file
/// would fault (SIGBUS, killing the host process) on the pages that went away; the parse must
/// instead give the lines that were read before the file shrank. The progress callback truncates
/// the file after the first block (the file is larger than the first read).
#[test]
fn a_file_truncated_during_the_parse_cannot_crash_it() {
    let path = temp_path("truncated-live.log");
    let data = format!("{GOOD}\n").repeat(20_000).into_bytes();
    assert!(data.len() > 2 << 20, "more than the first read");
    let whole = parse_bytes(&data, &combined(), &ParseOptions::default()).unwrap();
    for threads in [1, 2] {
        std::fs::write(&path, &data).unwrap();
        let truncate = path.clone();
        let options = ParseOptions {
            threads: Some(threads),
            progress: Some(std::sync::Arc::new(move |_, _| {
                let file = std::fs::OpenOptions::new().write(true).open(&truncate).unwrap();
                file.set_len(0).unwrap();
            })),
            ..ParseOptions::default()
        };
        let table = parse_file(&path, &combined(), &options).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 0, "the callback truncated the file");
        let rows = table.num_rows();
        assert!(rows > 0 && rows < 20_000, "{threads} threads: {rows} rows");
        // The lines before the cut, then the line the cut went through (an error row).
        let s = table.stats();
        assert_eq!((s.lines, s.ok + s.errors), (rows as u64, rows as u64));
        assert!(s.errors <= 1, "{s:?}");
        for name in ["line", "status", "bytes"] {
            let (part, all) = (table.require(name).unwrap(), whole.require(name).unwrap());
            assert!((0..rows - 1).all(|row| part.number(row) == all.number(row)), "{name}: a prefix");
        }
    }
}

/// Files are read a block at a time (64 KiB in tests): every way of crossing blocks gives the
/// table of the whole input in memory, on one thread and on several, plain and gzip.
#[test]
fn files_read_in_blocks_parse_like_bytes() {
    let mut data = Vec::new();
    for i in 0..3_000 {
        match i % 500 {
            7 => data.extend_from_slice(b"not a log line\n"),
            8 => data.extend_from_slice(b"\n"),
            // Longer than a block: the next read grows.
            9 => data.extend_from_slice(format!("{GOOD} {}\n", "x".repeat(100_000)).as_bytes()),
            _ => data.extend_from_slice(format!("{GOOD}\n").as_bytes()),
        }
    }
    data.extend_from_slice(GOOD.as_bytes()); // a last line without a newline
    for (name, bytes) in [("blocks.log", data.clone()), ("blocks.log.gz", gzip(&data))] {
        let path = temp_path(name);
        std::fs::write(&path, &bytes).unwrap();
        for threads in [1, 2] {
            let options = ParseOptions { threads: Some(threads), ..ParseOptions::default() };
            let from_file = parse_file(&path, &combined(), &options).unwrap();
            assert_same(&from_file, &parse_bytes(&data, &combined(), &options).unwrap());
            assert_eq!(from_file.stats().lines, 3_001);
            let raise = ParseOptions { on_error: OnError::Raise, ..options };
            let err = parse_file(&path, &combined(), &raise).unwrap_err();
            assert_eq!((err.code(), err.location().line), ("FERRULE_PARSE", Some(8)), "{name} {threads}");
        }
    }
}

/// `threads` sized the chunk list before it was checked: 10^9 threads on a parallel-sized input
/// asked for 32 GB and aborted the process. Now every entry point refuses it first.
#[test]
fn absurd_thread_counts_are_refused_before_anything_is_sized() {
    let data = format!("{GOOD}\n").repeat(200).into_bytes();
    assert!(data.len() > 16 << 10, "the parallel path");
    let path = temp_path("threads.log");
    std::fs::write(&path, &data).unwrap();
    for threads in [1025, 1_000_000_000, usize::MAX] {
        let options = ParseOptions { threads: Some(threads), ..ParseOptions::default() };
        let err = parse_bytes(&data, &combined(), &options).unwrap_err();
        assert_eq!(err.code(), "FERRULE_INVALID_ARGUMENT", "{threads}");
        assert!(err.message().contains("at most 1024"), "{err}");
        assert_eq!(parse_file(&path, &combined(), &options).unwrap_err().code(), "FERRULE_INVALID_ARGUMENT");
    }
}

/// A source with no newline (`/dev/zero`, a corrupt file) must not grow a stream without bound:
/// past `MAX_LINE_BYTES` pending bytes the stream fails with `FERRULE_CAPACITY`, keeps failing,
/// and the rows before the endless line stay accepted. The batch reader, built on the stream,
/// fails the same way. (Tests lower the bound to 8 MiB.)
#[test]
fn an_endless_line_fails_the_stream_instead_of_growing_it() {
    use super::stream::MAX_LINE_BYTES;
    let mut parser = StreamParser::new(&combined(), &ParseOptions::default()).unwrap();
    parser.push(format!("{GOOD}\n{GOOD}\n").as_bytes()).unwrap();
    let piece = vec![b'x'; 1 << 20];
    let mut pushed = 0;
    let err = loop {
        match parser.push(&piece) {
            Ok(()) => pushed += piece.len(),
            Err(err) => break err,
        }
        assert!(pushed <= MAX_LINE_BYTES, "the pending line passed the bound");
    };
    assert_eq!(err.code(), "FERRULE_CAPACITY");
    assert!(err.message().contains("line 3"), "{err}");
    assert_eq!(parser.pending_bytes(), 0, "the endless line's bytes are released");
    assert_eq!(parser.take_batch().num_rows(), 2, "the rows before it were accepted");
    assert_eq!(parser.push(b"\n").unwrap_err().message(), err.message());
    assert_eq!(parser.finish().unwrap_err().message(), err.message());

    let path = temp_path("endless.log");
    let mut data = format!("{GOOD}\n").into_bytes();
    data.resize(data.len() + MAX_LINE_BYTES + 2, b'x');
    std::fs::write(&path, &data).unwrap();
    let mut reader = BatchReader::open(&path, &combined(), &ParseOptions::default(), 1_000).unwrap();
    let mut rows = 0;
    let err = loop {
        match reader.next_batch() {
            Ok(Some(batch)) => rows += batch.num_rows(),
            Ok(None) => panic!("the endless line ended the reader without an error"),
            Err(err) => break err,
        }
    };
    assert_eq!((err.code(), rows), ("FERRULE_CAPACITY", 0), "{err}");
    // One-shot parses hold their input already: a long line is just a line.
    let table = parse_file(&path, &combined(), &ParseOptions::default()).unwrap();
    assert_eq!((table.stats().ok, table.stats().errors), (1, 1));
}

/// Found by the `logs_stream` fuzz target: a raise on a last line without a newline was
/// dropped by the reader's iterator (it marked the input done before parsing that line).
#[test]
fn a_raise_on_the_last_unterminated_line_reaches_the_iterator() {
    let path = temp_path("raise-last-line.log");
    std::fs::write(&path, b"not a log line").unwrap();
    let raise = ParseOptions { on_error: OnError::Raise, ..ParseOptions::default() };
    let items: Vec<_> = BatchReader::open(&path, &combined(), &raise, 10).unwrap().collect();
    assert!(matches!(&items[..], [Err(e)] if e.reason() == Some("UNEXPECTED_TEXT")), "{items:?}");
}

#[test]
fn file_errors_are_typed() {
    let options = ParseOptions::default();
    let missing = parse_file("/nonexistent/ferrule.log", &combined(), &options).unwrap_err();
    assert_eq!(missing.code(), "FERRULE_IO");
    assert!(missing.message().contains("/nonexistent/ferrule.log"), "{missing}");
    let dir = parse_file(std::env::temp_dir(), &combined(), &options).unwrap_err();
    assert_eq!(dir.code(), "FERRULE_IO");
    let data = gzip(&std::fs::read(SAMPLE).unwrap());
    let truncated = temp_path("truncated.log.gz");
    std::fs::write(&truncated, &data[..data.len() / 2]).unwrap();
    assert_eq!(parse_file(&truncated, &combined(), &options).unwrap_err().code(), "FERRULE_CORRUPT");
    let mut reader = BatchReader::open(&truncated, &combined(), &options, 1_000_000).unwrap();
    assert_eq!(reader.next_batch().unwrap_err().code(), "FERRULE_CORRUPT");
    assert_eq!(
        BatchReader::open(SAMPLE, &combined(), &options, 0).err().map(|e| e.code()),
        Some("FERRULE_INVALID_ARGUMENT")
    );
}

#[test]
fn plain_columns_choose_the_string_encoding() {
    let options = ParseOptions { plain_columns: Some(vec!["user_agent".into()]), ..Default::default() };
    let t = parse_bytes(GOOD.as_bytes(), &combined(), &options).unwrap();
    assert_eq!(t.require("user_agent").unwrap().column_type(), ColumnType::String);
    assert_eq!(t.require("path").unwrap().column_type(), ColumnType::Dictionary);
    assert_eq!(text(&t, "path", 0).as_deref(), Some("/apache_pb.gif"));
    let bad = ParseOptions { plain_columns: Some(vec!["status".into()]), ..Default::default() };
    let err = parse_bytes(GOOD.as_bytes(), &combined(), &bad).unwrap_err();
    assert_eq!(err.code(), "FERRULE_INVALID_ARGUMENT");
    assert!(err.message().contains("user_agent"), "{err}");
}

#[test]
fn nginx_formats_parse_times_durations_and_upstream_lists() {
    let format = LogFormat::nginx(
        r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time urt="$upstream_response_time" $host"#,
    )
    .unwrap();
    let line = r#"10.0.0.1 - - [17/May/2015:10:05:03 +0000] "GET /x HTTP/1.1" 502 0 "-" "curl/8" rt=0.004 urt="0.001, 0.002 : 0.003" example.com"#;
    let t = parse_bytes(line.as_bytes(), &format, &ParseOptions::default()).unwrap();
    assert_eq!(t.stats().ok, 1, "{:?}", t.errors());
    assert_eq!(number(&t, "request_time", 0), Some(0.004));
    assert!((number(&t, "upstream_response_time", 0).unwrap() - 0.006).abs() < 1e-12);
    assert_eq!(text(&t, "host", 0).as_deref(), Some("example.com"));
    assert_eq!(number(&t, "timestamp", 0), Some(1_431_857_103e6));

    let times = LogFormat::nginx("$msec $time_iso8601 $status").unwrap();
    let t = parse_bytes(b"1431857103.250 2015-05-17T10:05:03+02:00 200\n", &times, &ParseOptions::default())
        .unwrap();
    assert_eq!(t.stats().ok, 1, "{:?}", t.errors());
    // The second time column (timestamp_2) comes from the ISO time.
    assert_eq!(number(&t, "timestamp", 0), Some(1_431_857_103_250_000.0));
    assert_eq!(number(&t, "timestamp_2", 0), Some((1_431_857_103.0 - 7200.0) * 1e6));
    assert_eq!(number(&t, "tz_offset_2", 0), Some(120.0));
    let bad =
        parse_bytes(b"1431857103.25x 2015-05-17T10:05:03Z 200", &times, &ParseOptions::default()).unwrap();
    assert_eq!(bad.errors()[0].error, RowError::BadTimestamp);
}

#[test]
fn an_unquoted_upstream_list_may_be_followed_by_more_fields() {
    let format = LogFormat::nginx("$status $upstream_response_time $msec").unwrap();
    for (line, sum) in [
        ("200 0.001, 0.002 : 0.003 1431857103.125", Some(0.006)),
        ("200 0.5 1431857103.125", Some(0.5)),
        ("200 - 1431857103.125", None),
        ("200 -, 0.25 1431857103.125", Some(0.25)),
    ] {
        let t = parse_bytes(line.as_bytes(), &format, &ParseOptions::default()).unwrap();
        assert_eq!(t.stats().ok, 1, "{line}: {:?}", t.errors());
        let got = number(&t, "upstream_response_time", 0);
        assert_eq!(got.map(|v| (v * 1e9).round()), sum.map(|v: f64| (v * 1e9).round()), "{line}");
        assert_eq!(number(&t, "timestamp", 0), Some(1_431_857_103_125_000.0), "{line}");
    }
}

#[test]
fn thread_counts_are_checked_whatever_the_input_size() {
    let options = ParseOptions { threads: Some(5000), ..Default::default() };
    assert_eq!(parse_bytes(b"", &combined(), &options).unwrap_err().code(), "FERRULE_INVALID_ARGUMENT");
    assert!(StreamParser::new(&combined(), &options).is_err());
}

#[test]
fn an_empty_time_is_an_error_on_the_first_line_too() {
    let format = LogFormat::nginx("$remote_addr [$time_iso8601] $status").unwrap();
    let t = parse_bytes(b"1.2.3.4 [] 200\n", &format, &ParseOptions::default()).unwrap();
    assert_eq!(t.errors()[0].error, RowError::BadTimestamp);
    let msec = LogFormat::nginx("$remote_addr [$msec] $status").unwrap();
    let t = parse_bytes(b"1.2.3.4 [] 200\n", &msec, &ParseOptions::default()).unwrap();
    assert_eq!(t.errors()[0].error, RowError::BadTimestamp);
}

/// Custom formats keep the two equalities too: parallel == sequential, streamed == one-shot.
#[test]
fn custom_formats_parse_the_same_in_parallel_and_streamed() {
    let format = LogFormat::nginx(
        "$remote_addr [$time_iso8601] $msec \"$request\" $status $upstream_response_time $request_time",
    )
    .unwrap();
    let lines = [
        r#"1.2.3.4 [2015-05-17T10:05:03+02:00] 1431857103.250 "GET /a HTTP/1.1" 200 0.001, 0.002 : 0.003 0.5"#,
        r#"::1 [] 1431857103.250 "GET /b HTTP/1.1" 404 - 0.1"#,
        r#"5.6.7.8 [2015-05-17T10:05:04Z] 1431857104 "x" 200 0.25 1e999"#,
        "",
        r#"5.6.7.8 [2015-05-17T10:05:04Z] 1431857104 "GET /c HTTP/2.0" 200 - 0.001"#,
    ];
    let mut data = Vec::new();
    for i in 0..3000 {
        data.extend_from_slice(lines[i % lines.len()].as_bytes());
        data.push(b'\n');
    }
    let one = ParseOptions { threads: Some(1), ..Default::default() };
    let expected = parse_bytes(&data, &format, &one).unwrap();
    assert_eq!(expected.stats().errors, 1200, "the [] and 1e999 lines");
    assert_stats_add_up(&expected);
    for threads in [2, 4] {
        let options = ParseOptions { threads: Some(threads), ..Default::default() };
        assert_same(&parse_bytes(&data, &format, &options).unwrap(), &expected);
    }
    let mut parser = StreamParser::new(&format, &one).unwrap();
    for piece in data.chunks(97) {
        parser.push(piece).unwrap();
    }
    assert_same(&parser.finish().unwrap(), &expected);
}

#[test]
fn a_user_with_a_space_is_an_error_not_a_vhost() {
    let line = GOOD.replacen("frank", "John Doe", 1);
    let t = one(&line);
    assert_eq!(t.errors()[0].error, RowError::UnexpectedText);
    assert_eq!(text(&t, "vhost", 0), None);
    assert_eq!(text(&t, "client", 0).as_deref(), Some("1.2.3.4"));
    // An IPv6 client with a vhost-like shape is not taken for one either.
    let t = one(&format!("fe80::1:80 {GOOD}"));
    assert_eq!(text(&t, "vhost", 0), None);
}

#[cfg(target_os = "linux")]
#[test]
fn files_without_a_size_are_read_not_mapped() {
    // /proc files are regular but report a length of 0, like pipes and FIFOs do.
    let format = LogFormat::nginx("$pid $rest").unwrap();
    let t = parse_file("/proc/self/stat", &format, &ParseOptions::default()).unwrap();
    assert_eq!((t.stats().lines, t.stats().ok), (1, 1));
    assert_eq!(number(&t, "pid", 0), Some(f64::from(std::process::id())));
}

#[test]
fn a_failed_batch_reader_keeps_failing() {
    let data = gzip(&std::fs::read(SAMPLE).unwrap());
    let truncated = temp_path("truncated-again.log.gz");
    std::fs::write(&truncated, &data[..data.len() / 2]).unwrap();
    let mut reader = BatchReader::open(&truncated, &combined(), &ParseOptions::default(), 1_000_000).unwrap();
    let first = reader.next_batch().unwrap_err();
    assert_eq!(reader.next_batch().unwrap_err(), first);
    let mut reader = BatchReader::open(&truncated, &combined(), &ParseOptions::default(), 1_000_000).unwrap();
    assert!(reader.next().unwrap().is_err());
    assert!(reader.next().is_none());
}

#[test]
fn apache_formats_parse_durations() {
    let format = LogFormat::apache(r#"%h %l %u %t \"%r\" %>s %b %D %T \"%{X-Forwarded-For}i\""#).unwrap();
    let line = r#"::1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 - 1234 0 "1.1.1.1""#;
    let t = parse_bytes(line.as_bytes(), &format, &ParseOptions::default()).unwrap();
    assert_eq!(t.stats().ok, 1, "{:?}", t.errors());
    assert_eq!(number(&t, "duration_us", 0), Some(1234.0));
    assert_eq!(number(&t, "duration_s", 0), Some(0.0));
    assert_eq!(text(&t, "x_forwarded_for", 0).as_deref(), Some("1.1.1.1"));
    assert_eq!(number(&t, "bytes", 0), None);
    let bad =
        parse_bytes(line.replace("1234", "12.3.4").as_bytes(), &format, &ParseOptions::default()).unwrap();
    assert_eq!(bad.errors()[0].error, RowError::BadNumber);
}

#[test]
fn every_line_of_the_shared_real_log_is_accounted_for() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/logs/access/apache_combined.log");
    if !std::path::Path::new(path).exists() {
        eprintln!("skipped: {path} is absent");
        return;
    }
    let t = parse_file(path, &combined(), &ParseOptions::default()).unwrap();
    assert_eq!((t.stats().ok, t.stats().errors), (9_999, 1));
    assert_eq!(t.errors()[0].line, 8899);
    assert_stats_add_up(&t);
}
