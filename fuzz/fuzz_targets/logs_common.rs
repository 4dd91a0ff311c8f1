// Shared by the log fuzz targets (included with `include!`): the invariants every parse must keep.

use ferrule_core::logs::{LogFormat, LogTable, OnError, ParseOptions, StreamParser, parse_bytes};

fn same(a: &LogTable, b: &LogTable) {
    assert_eq!(a.column_names(), b.column_names());
    assert_eq!(a.num_rows(), b.num_rows());
    for (x, y) in a.columns().iter().zip(b.columns()) {
        for row in 0..x.len() {
            assert_eq!(x.validity().is_valid(row), y.validity().is_valid(row));
            assert_eq!(x.bytes(row), y.bytes(row));
            assert_eq!(x.number(row).map(f64::to_bits), y.number(row).map(f64::to_bits));
        }
    }
    assert_eq!(a.errors(), b.errors());
    let (s, t) = (a.stats(), b.stats());
    assert_eq!((s.lines, s.ok, s.errors, s.skipped, s.empty), (t.lines, t.ok, t.errors, t.skipped, t.empty));
}

/// Parses `data` one-shot and streamed in two pieces split at `split`; checks the stats add up,
/// every column has a value per row, and the two parses agree.
fn check(format: &LogFormat, data: &[u8], flags: u8, split: usize) {
    check_with(format, data, flags, split, ParseOptions::default());
}

/// `check` with format options (`octet_counted`, `flatten`, ...) set in `base`.
fn check_with(format: &LogFormat, data: &[u8], flags: u8, split: usize, base: ParseOptions) {
    let options = ParseOptions {
        on_error: match flags % 3 {
            0 => OnError::Row,
            1 => OnError::Skip,
            _ => OnError::Raise,
        },
        unescape: flags & 8 != 0,
        strict_utf8: flags & 16 != 0,
        threads: Some(1),
        // A fixed reference: "now" could differ between the two parses.
        reference_time: base.year.is_none().then_some(1_735_732_800_000_000),
        ..base
    };
    let whole = parse_bytes(data, format, &options);
    let mut parser = StreamParser::new(format, &options).unwrap();
    let split = split.min(data.len());
    let streamed = parser.push(&data[..split]).and_then(|()| parser.push(&data[split..])).and_then(|()| parser.finish());
    match (whole, streamed) {
        (Ok(whole), Ok(streamed)) => {
            let s = whole.stats();
            assert_eq!(s.lines, s.ok + s.errors + s.skipped);
            assert_eq!(whole.num_rows() as u64, s.ok + s.errors);
            for column in whole.columns() {
                assert_eq!(column.len(), whole.num_rows(), "{}", column.name());
            }
            same(&whole, &streamed);
        }
        (Err(a), Err(b)) => {
            assert_eq!(a.code(), "FERRULE_PARSE");
            assert_eq!((a.reason(), a.location()), (b.reason(), b.location()));
        }
        (a, b) => panic!("one-shot {:?} but streamed {:?}", a.map(|t| t.num_rows()), b.map(|t| t.num_rows())),
    }
}
