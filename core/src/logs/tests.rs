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
