//! Parses one file's bytes once, in memory, on one thread: the fixed workload that
//! `benches/callgrind_logs.sh` counts instructions of (valgrind's `--toggle-collect` on
//! [`parse`], so reading the file and freeing the table are not counted).
//!
//! Usage: `parse_once PATH [FORMAT [REPEAT]]` where FORMAT is a preset name (default `combined`)
//! `nginx:<log_format string>` or `template:<LogPAI template>`, and REPEAT (default 1) parses the same bytes that many times
//! (for `perf record`, which wants a steady state). Prints `bytes lines ok errors`.

use ferrule_core::logs::{LogFormat, LogTable, ParseOptions, parse_bytes};
use std::process::ExitCode;

/// The measured region: one sequential `parse_bytes` (kept out of line so callgrind can name it).
#[inline(never)]
fn parse(data: &[u8], format: &LogFormat) -> ferrule_core::Result<LogTable> {
    parse_bytes(data, format, &ParseOptions { threads: Some(1), ..ParseOptions::default() })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = || {
        eprintln!("usage: parse_once PATH [PRESET|nginx:<log_format>|template:<template> [REPEAT]]");
        ExitCode::from(2)
    };
    let (path, spec, repeat) = match args.as_slice() {
        [path] => (path, "combined", "1"),
        [path, spec] => (path, spec.as_str(), "1"),
        [path, spec, repeat] => (path, spec.as_str(), repeat.as_str()),
        _ => return usage(),
    };
    let Some(repeat) = repeat.parse::<usize>().ok().filter(|&n| n > 0) else {
        return usage();
    };
    let format = if let Some(nginx) = spec.strip_prefix("nginx:") {
        LogFormat::nginx(nginx)
    } else if let Some(template) = spec.strip_prefix("template:") {
        LogFormat::template(template)
    } else {
        LogFormat::preset(spec)
    };
    let data = match std::fs::read(path) {
        Ok(data) => data,
        Err(err) => {
            eprintln!("parse_once: {path}: {err}");
            return ExitCode::FAILURE;
        }
    };
    let format = match format {
        Ok(format) => format,
        Err(err) => {
            eprintln!("parse_once: {err}");
            return ExitCode::FAILURE;
        }
    };
    for _ in 1..repeat {
        if let Err(err) = parse(&data, &format) {
            eprintln!("parse_once: {err}");
            return ExitCode::FAILURE;
        }
    }
    match parse(&data, &format) {
        Ok(table) => {
            let stats = table.stats();
            println!("{} {} {} {}", data.len(), stats.lines, stats.ok, stats.errors);
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("parse_once: {err}");
            ExitCode::FAILURE
        }
    }
}
