//! Whole parses of the system-log formats: the bundled samples, the loghub ground truth,
//! dynamic columns, type inference across parallel chunks, streaming and framing.

use super::tests::assert_same;
use super::*;

const AUTH_LOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data/auth.log");
const APP_JSONL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data/app.jsonl");
const LOGHUB: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/logs/loghub");

/// 2025-01-01T12:00:00Z in microseconds.
const NEW_YEAR_NOON: i64 = 1_735_732_800_000_000;

fn preset(name: &str) -> LogFormat {
    LogFormat::preset(name).unwrap()
}

fn with(options: impl FnOnce(&mut ParseOptions)) -> ParseOptions {
    let mut o = ParseOptions::default();
    options(&mut o);
    o
}

fn text(table: &LogTable, column: &str, row: usize) -> Option<String> {
    table.require(column).unwrap().text(row).map(|t| t.into_owned())
}

fn number(table: &LogTable, column: &str, row: usize) -> Option<f64> {
    table.require(column).unwrap().number(row)
}

fn assert_stats_add_up(table: &LogTable) {
    let s = table.stats();
    assert_eq!(s.lines, s.ok + s.errors + s.skipped, "{s:?}");
}

/// The same table whatever the threads, and from a stream fed in pieces of many sizes.
fn assert_every_way_same(data: &[u8], format: &LogFormat, options: &ParseOptions) -> LogTable {
    let one = parse_bytes(data, format, &ParseOptions { threads: Some(1), ..options.clone() }).unwrap();
    let two = parse_bytes(data, format, &ParseOptions { threads: Some(2), ..options.clone() }).unwrap();
    assert_same(&one, &two);
    for step in [1, 7, 64, 1000, data.len().max(1)] {
        let mut parser = StreamParser::new(format, options).unwrap();
        for piece in data.chunks(step) {
            parser.push(piece).unwrap();
        }
        let streamed = parser.finish().unwrap();
        assert_same(&one, &streamed);
    }
    assert_stats_add_up(&one);
    one
}

#[test]
fn the_bundled_syslog_turns_the_year_at_midnight() {
    let data = std::fs::read(AUTH_LOG).unwrap();
    let options = with(|o| o.reference_time = Some(NEW_YEAR_NOON));
    let table = assert_every_way_same(&data, &preset("syslog_rfc3164"), &options);
    let s = table.stats();
    assert_eq!((s.lines, s.ok, s.errors), (241, 240, 1));
    assert_eq!(table.errors()[0].line, 118);
    let timestamps = table.require("timestamp").unwrap();
    // 2024-12-31T22:20:51Z, the first line; the last is on 1 January 2025.
    assert_eq!(timestamps.number(0), Some(1_735_683_651_000_000.0));
    let last = timestamps.number(table.num_rows() - 1).unwrap();
    assert!(last > 1_735_689_600_000_000.0 && last < NEW_YEAR_NOON as f64, "{last}");
    // Years follow the dates, not the line order: every December line is in 2024.
    let times: Vec<f64> = (0..table.num_rows()).filter_map(|r| timestamps.number(r)).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "timestamps are in order across the turn");
    assert_eq!(text(&table, "hostname", 0).as_deref(), Some("web-1"));
    assert_eq!(text(&table, "app_name", 0).as_deref(), Some("sshd"));
    assert_eq!(text(&table, "proc_id", 0).as_deref(), Some("4102"));
    assert_eq!((number(&table, "facility", 0), number(&table, "severity", 0)), (Some(4.0), Some(5.0)));
    // No PRI: facility and severity are null.
    assert_eq!(number(&table, "facility", 2), None);
    assert!(text(&table, "message", 0).unwrap().starts_with("Failed password for root"));

    // A fixed year puts every line in it.
    let fixed = parse_bytes(&data, &preset("syslog_rfc3164"), &with(|o| o.year = Some(2030))).unwrap();
    assert_eq!(fixed.require("timestamp").unwrap().number(0), Some(1_924_986_051_000_000.0));
}

#[test]
fn syslog_lines_of_every_shape() {
    let log = b"<13>Jun  4 10:00:00 host app: padded day\n\
        Jun 14 15:16:01 combo sshd(pam_unix)[19939]: bracketed suffix\n\
        Jun 14 15:16:02 2001:db8::7 kernel: no pid, IPv6 host\n\
        this is not syslog\n";
    let table = parse_bytes(log, &preset("syslog_rfc3164"), &with(|o| o.year = Some(2024))).unwrap();
    assert_eq!(table.num_rows(), 4);
    assert_eq!(text(&table, "message", 0).as_deref(), Some("padded day"));
    assert_eq!(number(&table, "severity", 0), Some(5.0));
    assert_eq!(text(&table, "app_name", 1).as_deref(), Some("sshd(pam_unix)"));
    assert_eq!(text(&table, "proc_id", 1).as_deref(), Some("19939"));
    assert_eq!(text(&table, "hostname", 2).as_deref(), Some("2001:db8::7"));
    assert_eq!(text(&table, "app_name", 2).as_deref(), Some("kernel"));
    assert_eq!(text(&table, "proc_id", 2), None);
    assert_eq!(table.errors().len(), 1);
    assert_eq!(table.errors()[0].line, 4);
    assert_eq!(text(&table, "message", 3), None);
}

#[test]
fn rfc5424_with_structured_data_bom_and_nil_values() {
    let log = "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] \u{feff}An application event\n\
        <34>1 2003-10-11T22:14:15.003-07:00 - - - - -\n";
    let table = assert_every_way_same(log.as_bytes(), &preset("syslog_rfc5424"), &ParseOptions::default());
    assert_eq!(table.stats().ok, 2);
    assert_eq!(text(&table, "app_name", 0).as_deref(), Some("evntslog"));
    assert_eq!(text(&table, "proc_id", 0), None);
    assert_eq!(text(&table, "msg_id", 0).as_deref(), Some("ID47"));
    assert_eq!(text(&table, "message", 0).as_deref(), Some("An application event"));
    assert_eq!((number(&table, "facility", 0), number(&table, "severity", 0)), (Some(20.0), Some(5.0)));
    let sd = text(&table, "structured_data", 0).unwrap();
    let parsed = parse_structured_data(sd.as_bytes()).unwrap();
    assert_eq!(parsed[0].id, "exampleSDID@32473");
    assert_eq!(parsed[0].params[1], ("eventSource".to_owned(), "Application".to_owned()));
    assert_eq!(number(&table, "tz_offset", 1), Some(-420.0));
    assert_eq!(number(&table, "timestamp", 1), Some(1_065_935_655_003_000.0));
    assert_eq!(text(&table, "hostname", 1), None);
    assert_eq!(text(&table, "message", 1), None);
}

#[test]
fn octet_counted_frames_stream_like_they_parse() {
    let frames =
        ["<34>1 2003-10-11T22:14:15.003Z host app - - - first\nwith a newline", "<34>1 - - - - - - second"];
    let mut data = Vec::new();
    for frame in frames {
        data.extend_from_slice(format!("{} {frame}", frame.len()).as_bytes());
    }
    let format = preset("syslog_rfc5424");
    let options = with(|o| o.octet_counted = true);
    let table = assert_every_way_same(&data, &format, &options);
    assert_eq!(table.num_rows(), 2);
    assert_eq!(text(&table, "message", 0).as_deref(), Some("first\nwith a newline"));
    assert_eq!(text(&table, "message", 1).as_deref(), Some("second"));
    // A frame cut short by the end of the input is an error row, not lost.
    let cut = parse_bytes(&data[..data.len() - 3], &format, &options).unwrap();
    assert_eq!(cut.num_rows(), 2);
    assert_eq!(cut.errors()[0].error, RowError::BadFrame);
    // Garbage between frames is an error row, and parsing goes on after it.
    let mut bad = b"oops\n".to_vec();
    bad.extend_from_slice(&data);
    bad.extend_from_slice(b"\r\n0x12 not a frame\n");
    let table = parse_bytes(&bad, &format, &options).unwrap();
    assert_eq!((table.stats().errors, table.stats().ok), (2, 2));
    assert_eq!(table.errors()[0].error.code(), "BAD_FRAME");
    assert_eq!(table.errors()[1].text, b"0x12 not a frame");
    // A batch reader keeps batches of framed input within their size.
    let many: Vec<u8> = (0..100)
        .flat_map(|i| {
            let frame = format!("<13>1 - - - - - - {i:03}");
            format!("{} {frame}", frame.len()).into_bytes()
        })
        .collect();
    let path = std::env::temp_dir().join(format!("ferrule-octets-{}.log", std::process::id()));
    std::fs::write(&path, &many).unwrap();
    let sizes: Vec<usize> = BatchReader::open(&path, &format, &options, 7)
        .unwrap()
        .map(|batch| batch.unwrap().num_rows())
        .collect();
    std::fs::remove_file(&path).unwrap();
    assert!(sizes.iter().all(|&n| n <= 7), "{sizes:?}");
    assert_eq!(sizes.iter().sum::<usize>(), 100);
    // The option is refused where it means nothing.
    let err = parse_bytes(&data, &preset("jsonl"), &options).unwrap_err();
    assert_eq!(err.code(), "FERRULE_INVALID_ARGUMENT");
}

#[test]
fn error_logs_of_apache_and_nginx() {
    let apache = "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties\n\
        [Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1234:tid 5678] [client 1.2.3.4:5678] AH00126: Invalid URI in request\n\
        not an error log line\n";
    let table = assert_every_way_same(apache.as_bytes(), &preset("apache_error"), &ParseOptions::default());
    assert_eq!(text(&table, "level", 0).as_deref(), Some("notice"));
    assert_eq!(number(&table, "timestamp", 0), Some(1_133_671_664_000_000.0));
    assert_eq!(text(&table, "module", 1).as_deref(), Some("core"));
    assert_eq!((number(&table, "pid", 1), number(&table, "tid", 1)), (Some(1234.0), Some(5678.0)));
    assert_eq!(text(&table, "client", 1).as_deref(), Some("1.2.3.4"));
    assert_eq!(number(&table, "client_port", 1), Some(5678.0));
    assert_eq!(text(&table, "error_code", 1).as_deref(), Some("AH00126"));
    assert_eq!(text(&table, "message", 1).as_deref(), Some("Invalid URI in request"));
    assert_eq!(table.stats().errors, 1);

    let nginx = "2023/01/01 12:00:00 [error] 1234#5678: *9 open() \"/x\" failed, client: 1.2.3.4, server: example.com, request: \"GET /x HTTP/1.1\", host: \"example.com\"\n\
        2023/01/01 12:00:01 [notice] 1#1: signal process started\n";
    let table = assert_every_way_same(nginx.as_bytes(), &preset("nginx_error"), &ParseOptions::default());
    assert_eq!(table.stats().ok, 2);
    assert_eq!(number(&table, "connection", 0), Some(9.0));
    assert_eq!(text(&table, "message", 0).as_deref(), Some("open() \"/x\" failed"));
    assert_eq!(text(&table, "server", 0).as_deref(), Some("example.com"));
    assert_eq!(text(&table, "request", 0).as_deref(), Some("GET /x HTTP/1.1"));
    assert_eq!(number(&table, "connection", 1), None);
    assert_eq!(text(&table, "client", 1), None);
}

#[test]
fn logfmt_columns_are_the_keys_in_first_seen_order() {
    let log = "level=info msg=\"hello \\\"you\\\"\" dur=1.5ms\n\
        msg=again level=warn debug error=timeout\n\
        level=info level=error x=\n\
        broken=\"no end\n";
    let table = assert_every_way_same(log.as_bytes(), &preset("logfmt"), &ParseOptions::default());
    assert_eq!(
        table.column_names(),
        ["line", "level", "msg", "dur", "debug", "error_2", "x", "error", "error_offset"]
    );
    assert_eq!(text(&table, "msg", 0).as_deref(), Some("hello \"you\""));
    assert_eq!(text(&table, "dur", 1), None, "missing key is null");
    assert_eq!(text(&table, "debug", 1).as_deref(), Some("true"), "a standalone key is true");
    assert_eq!(text(&table, "error_2", 1).as_deref(), Some("timeout"));
    assert_eq!(text(&table, "level", 2).as_deref(), Some("error"), "the last duplicate wins");
    assert_eq!(text(&table, "x", 2).as_deref(), Some(""));
    assert_eq!(table.errors()[0].error, RowError::UnterminatedQuote);
    assert_eq!(text(&table, "error", 3).as_deref(), Some("UNTERMINATED_QUOTE"));
}

#[test]
fn json_lines_infer_a_type_per_column() {
    let log = r#"{"i": 1, "f": 1, "b": true, "s": "a", "mix": 1, "n": null, "o": {"k": [1, 2]}, "u": "caf\u00e9 \ud83d\ude00"}
{"i": 2, "f": 2.5, "b": false, "s": "b", "mix": "x", "n": null, "o": {"k": []}, "i": 3}
{"i": 4, "f": 3, "late": "here"}
[1, 2]
{"i": 5, "f":
"#;
    let table = assert_every_way_same(log.as_bytes(), &preset("jsonl"), &ParseOptions::default());
    let ty = |name: &str| table.require(name).unwrap().column_type();
    assert_eq!(ty("i"), ColumnType::Int64);
    assert_eq!(ty("f"), ColumnType::Float64);
    assert_eq!(ty("b"), ColumnType::Bool);
    assert_eq!(ty("s"), ColumnType::Dictionary);
    assert_eq!(ty("mix"), ColumnType::Dictionary);
    assert_eq!(text(&table, "mix", 0).as_deref(), Some("1"));
    assert_eq!(number(&table, "i", 1), Some(3.0), "the last duplicate wins");
    assert_eq!(number(&table, "f", 0), Some(1.0));
    assert_eq!(number(&table, "b", 1), Some(0.0));
    assert_eq!(text(&table, "o", 0).as_deref(), Some(r#"{"k": [1, 2]}"#));
    assert_eq!(text(&table, "u", 0).as_deref(), Some("café 😀"));
    assert_eq!(text(&table, "late", 0), None);
    assert_eq!(text(&table, "late", 2).as_deref(), Some("here"));
    assert_eq!(table.require("n").unwrap().null_count(), 5);
    let codes: Vec<_> = table.errors().iter().map(|e| (e.line, e.error)).collect();
    assert_eq!(codes, [(4, RowError::InvalidJson), (5, RowError::InvalidJson)]);

    let flat = parse_bytes(log.as_bytes(), &preset("jsonl"), &with(|o| o.flatten = true)).unwrap();
    assert_eq!(text(&flat, "o.k", 0).as_deref(), Some("[1, 2]"));
    assert!(flat.column("o").is_none());
}

#[test]
fn parallel_json_chunks_that_disagree_join_like_a_sequential_parse() {
    // The first half has `x` as ints and no `late`; the second half has `x` as floats, then
    // strings, and a `late` key: chunks infer differently and must join to one schema.
    let mut log = String::new();
    for i in 0..3000 {
        let x = match i {
            0..1500 => format!("{i}"),
            1500..2500 => format!("{i}.5"),
            _ => format!("\"s{i}\""),
        };
        let late = if i > 2000 { format!(", \"late\": {}", i % 2 == 0) } else { String::new() };
        log.push_str(&format!("{{\"x\": {x}, \"k\": \"v{}\"{late}}}\n", i % 7));
    }
    let table = assert_every_way_same(log.as_bytes(), &preset("jsonl"), &ParseOptions::default());
    assert_eq!(table.column_names(), ["line", "x", "k", "late", "error", "error_offset"]);
    assert_eq!(table.require("x").unwrap().column_type(), ColumnType::Dictionary);
    assert_eq!(text(&table, "x", 10).as_deref(), Some("10"));
    assert_eq!(text(&table, "x", 1600).as_deref(), Some("1600.5"));
    assert_eq!(text(&table, "x", 2999).as_deref(), Some("s2999"));
    assert_eq!(table.require("late").unwrap().column_type(), ColumnType::Bool);
    assert_eq!(number(&table, "late", 2002), Some(1.0));
    assert_eq!(number(&table, "late", 5), None);
    // Only ints and floats: floats.
    let numbers: String = (0..3000)
        .map(|i| if i < 2000 { format!("{{\"x\": {i}}}\n") } else { format!("{{\"x\": {i}.25}}\n") })
        .collect();
    let table = assert_every_way_same(numbers.as_bytes(), &preset("jsonl"), &ParseOptions::default());
    assert_eq!(table.require("x").unwrap().column_type(), ColumnType::Float64);
    assert_eq!(number(&table, "x", 7), Some(7.0));
    assert_eq!(number(&table, "x", 2999), Some(2999.25));
}

#[test]
fn the_bundled_json_log_parses_with_flattened_columns() {
    let data = std::fs::read(APP_JSONL).unwrap();
    let table = assert_every_way_same(&data, &preset("jsonl"), &with(|o| o.flatten = true));
    assert_eq!((table.stats().ok, table.stats().errors), (200, 1));
    assert_eq!(table.errors()[0].line, 89);
    for (name, ty) in [
        ("ts", ColumnType::Dictionary),
        ("status", ColumnType::Int64),
        ("duration_ms", ColumnType::Float64),
        ("cached", ColumnType::Bool),
        ("user.id", ColumnType::Int64),
        ("user.plan", ColumnType::Dictionary),
    ] {
        assert_eq!(table.require(name).unwrap().column_type(), ty, "{name}");
    }
}

#[test]
fn templates_compile_to_typed_columns() {
    let format = LogFormat::template("<Date> <Time> <Pid:int> <Level> <Component>: <Content>").unwrap();
    assert_eq!(format.kind(), FormatKind::Template);
    assert_eq!(
        format.column_names(),
        ["line", "Date", "Time", "Pid", "Level", "Component", "Content", "error", "error_offset"]
    );
    let types: Vec<_> = format.schema().iter().map(|c| c.ty).collect();
    assert_eq!(types[3], ColumnType::Int64);
    assert_eq!(types[6], ColumnType::String, "the last field is plain");
    assert_eq!(types[5], ColumnType::Dictionary);
    let log = b"081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 terminating\n\
        081109 203615 x148 INFO dfs.DataNode: not a pid\n\
        no match here\n";
    let table = assert_every_way_same(log, &format, &ParseOptions::default());
    assert_eq!(number(&table, "Pid", 0), Some(148.0));
    assert_eq!(text(&table, "Component", 0).as_deref(), Some("dfs.DataNode$PacketResponder"));
    assert_eq!(text(&table, "Content", 0).as_deref(), Some("PacketResponder 1 terminating"));
    let codes: Vec<_> = table.errors().iter().map(|e| (e.line, e.error)).collect();
    assert_eq!(codes, [(2, RowError::BadNumber), (3, RowError::UnexpectedText)]);
    assert_eq!(text(&table, "Date", 2), None);
    assert_eq!(LogFormat::template("no fields").unwrap_err().code(), "FERRULE_PARSE");
    assert_eq!(
        LogFormat::parse("<A> <B>", FormatKind::from_name("template").unwrap()).unwrap().column_names().len(),
        5
    );
}

#[test]
fn option_combinations_that_mean_nothing_are_refused() {
    let data = b"a=1\n";
    for (options, format) in [
        (with(|o| o.flatten = true), "logfmt"),
        (with(|o| o.octet_counted = true), "syslog_rfc3164"),
        (
            with(|o| {
                o.year = Some(2020);
                o.reference_time = Some(0)
            }),
            "syslog_rfc3164",
        ),
        (with(|o| o.year = Some(0)), "syslog_rfc3164"),
        (with(|o| o.reference_time = Some(i64::MAX)), "syslog_rfc3164"),
    ] {
        let err = parse_bytes(data, &preset(format), &options).unwrap_err();
        assert_eq!(err.code(), "FERRULE_INVALID_ARGUMENT", "{options:?}");
        assert!(StreamParser::new(&preset(format), &options).is_err());
    }
    assert_eq!(PRESETS.len(), 9);
    for name in PRESETS {
        assert_eq!(preset(name).spec(), name);
    }
    assert!(preset("jsonl").has_dynamic_columns() && !preset("syslog_rfc3164").has_dynamic_columns());
}

/// A minimal CSV reader for the loghub ground truth: commas, double quotes with `""` escapes.
fn read_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field, mut quoted, mut chars) =
        (Vec::new(), String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            ('\r', false) => {}
            (c, _) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[test]
fn loghub_templates_reproduce_the_ground_truth() {
    if !std::path::Path::new(LOGHUB).exists() {
        eprintln!("skipped: {LOGHUB} is absent");
        return;
    }
    let systems = [
        ("Linux", "<Month> <Date> <Time> <Level> <Component>([<PID>])?: <Content>"),
        ("OpenSSH", "<Date> <Day> <Time> <Component> sshd[<Pid>]: <Content>"),
        ("HDFS", "<Date> <Time> <Pid> <Level> <Component>: <Content>"),
        ("Spark", "<Date> <Time> <Level> <Component>: <Content>"),
        ("Zookeeper", "<Date> <Time> - <Level>  [<Node>:<Component>@<Id>] - <Content>"),
        ("Apache", "[<Time>] [<Level>] <Content>"),
    ];
    for (system, template) in systems {
        let format = LogFormat::template(template).unwrap();
        let table =
            parse_file(format!("{LOGHUB}/{system}/{system}_2k.log"), &format, &ParseOptions::default())
                .unwrap();
        let truth = read_csv(
            &std::fs::read_to_string(format!("{LOGHUB}/{system}/{system}_2k.log_structured.csv")).unwrap(),
        );
        let header = &truth[0];
        assert_eq!(table.stats().errors, 0, "{system}: {:?}", table.errors().first());
        assert_eq!(table.num_rows(), truth.len() - 1, "{system}");
        let mut checked = 0;
        for (i, name) in header.iter().enumerate() {
            if matches!(name.as_str(), "LineId" | "EventId" | "EventTemplate") {
                continue;
            }
            let column = table.require(name).unwrap();
            for (row, record) in truth[1..].iter().enumerate() {
                let line: usize = record[0].parse().unwrap();
                // An optional field that is absent is an empty cell in the ground truth.
                let got = column.text(line - 1).map(|t| t.into_owned()).unwrap_or_default();
                assert_eq!(got, record[i], "{system} line {line} (row {row}) field {name}");
                checked += 1;
            }
        }
        assert!(checked >= 2000 * 3, "{system}: {checked}");
    }
}

#[test]
fn loghub_syslogs_and_apache_errors_parse_with_the_presets() {
    if !std::path::Path::new(LOGHUB).exists() {
        eprintln!("skipped: {LOGHUB} is absent");
        return;
    }
    for (system, preset_name) in
        [("Linux", "syslog_rfc3164"), ("OpenSSH", "syslog_rfc3164"), ("Apache", "apache_error")]
    {
        let data = std::fs::read(format!("{LOGHUB}/{system}/{system}_2k.log")).unwrap();
        let table = assert_every_way_same(&data, &preset(preset_name), &with(|o| o.year = Some(2005)));
        assert_eq!(
            (table.stats().ok, table.stats().errors),
            (2000, 0),
            "{system}: {:?}",
            table.errors().first()
        );
    }
}

#[test]
fn keys_that_collide_with_names_join_by_key_across_parallel_chunks() {
    // `line` becomes `line_2`; the key `line_2`, first seen in a later chunk, must not join it.
    let mut log = String::from("{\"line\": 1, \"a\\u0000b\": 0}\n");
    for i in 0..2000 {
        log.push_str(&format!("{{\"x\": {i}}}\n"));
    }
    log.push_str("{\"line_2\": 2}\n");
    let table = assert_every_way_same(log.as_bytes(), &preset("jsonl"), &ParseOptions::default());
    assert_eq!(
        table.column_names(),
        ["line", "line_2", "a\u{fffd}b", "x", "line_2_2", "error", "error_offset"]
    );
    assert_eq!(number(&table, "line_2", 0), Some(1.0));
    assert_eq!(number(&table, "line_2", 2001), None);
    assert_eq!(number(&table, "line_2_2", 2001), Some(2.0));
    // Keys that are not UTF-8 and decode alike stay two columns.
    let mut log = b"\xff=1\n".to_vec();
    for i in 0..3000 {
        log.extend_from_slice(format!("x={i}\n").as_bytes());
    }
    log.extend_from_slice(b"\xfe=2\n");
    let table = assert_every_way_same(&log, &preset("logfmt"), &ParseOptions::default());
    assert_eq!(table.column_names(), ["line", "\u{fffd}", "x", "\u{fffd}_2", "error", "error_offset"]);
    assert_eq!(text(&table, "\u{fffd}_2", 3001).as_deref(), Some("2"));
}

#[test]
fn a_key_per_line_is_refused_before_the_table_grows_quadratic() {
    let log: String = (0..3000).map(|i| format!("{{\"k{i}\": 1}}\n")).collect();
    let err = parse_bytes(log.as_bytes(), &preset("jsonl"), &with(|o| o.threads = Some(1))).unwrap_err();
    assert_eq!(err.code(), "FERRULE_CAPACITY");
    assert!(err.message().contains("2048 distinct keys"), "{err}");
    let mut parser = StreamParser::new(&preset("jsonl"), &ParseOptions::default()).unwrap();
    assert_eq!(parser.push(log.as_bytes()).unwrap_err().code(), "FERRULE_CAPACITY");
    assert_eq!(parser.finish().unwrap_err().code(), "FERRULE_CAPACITY", "and it stays failed");
}

#[test]
fn a_skipped_line_adds_no_column() {
    let options = with(|o| {
        o.strict_utf8 = true;
        o.on_error = OnError::Skip;
    });
    let table = parse_bytes(b"a=1\nb=\xff\na=2\n", &preset("logfmt"), &options).unwrap();
    assert_eq!(table.column_names(), ["line", "a", "error", "error_offset"]);
    assert_eq!(table.errors()[0].error, RowError::InvalidUtf8);
}

#[test]
fn plain_json_columns_of_mixed_types_are_plain_strings_in_every_parse() {
    let mut log = String::from("{\"msg\": 1}\n");
    for i in 0..2000 {
        log.push_str(&format!("{{\"x\": {i}}}\n"));
    }
    log.push_str("{\"msg\": true}\n");
    let options = with(|o| o.plain_columns = Some(vec!["msg".into()]));
    let table = assert_every_way_same(log.as_bytes(), &preset("jsonl"), &options);
    assert_eq!(table.require("msg").unwrap().column_type(), ColumnType::String);
    assert_eq!(text(&table, "msg", 2001).as_deref(), Some("true"));
}

#[test]
fn logfmt_values_keep_their_own_escapes_only() {
    let table =
        parse_bytes(br#"msg="a\\x41 \"q\"" path=C:\x41"#, &preset("logfmt"), &with(|o| o.unescape = true))
            .unwrap();
    assert_eq!(text(&table, "msg", 0).as_deref(), Some(r#"a\x41 "q""#));
    assert_eq!(text(&table, "path", 0).as_deref(), Some(r"C:\x41"));
}

#[test]
fn fractions_of_a_second_count_against_the_reference_time() {
    // The reference is 2025-01-01T00:00:00.3Z: .5 is after it (2024), .1 is not (2025).
    let options = with(|o| o.reference_time = Some(1_735_689_600_300_000));
    let log = b"Jan  1 00:00:00.500000 h a: x\nJan  1 00:00:00.100000 h a: y\n";
    let table = parse_bytes(log, &preset("syslog_rfc3164"), &options).unwrap();
    assert_eq!(number(&table, "timestamp", 0), Some(1_704_067_200_500_000.0));
    assert_eq!(number(&table, "timestamp", 1), Some(1_735_689_600_100_000.0));
}
