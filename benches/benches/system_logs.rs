//! Issue #6, core side: `ferrule_core::logs::parse_bytes` over real system logs, in memory (no
//! file, no FFI), throughput in bytes.
//!
//! Input: the units `benches/make_system_data.py` writes to `target/bench-data/system-units/`
//! (real LogPAI loghub samples from `../shared/data/logs/loghub`; JSON lines and logfmt derived
//! from the same real records, see that script), each repeated in memory to
//! `FERRULE_BENCH_CORE_MB` megabytes (default 32). Never synthetic: without the units (run
//! `python3 benches/make_system_data.py`; it skips when `../shared` is absent) the bench says so
//! and exits.
//! - `syslog_rfc3164`: the Linux and OpenSSH samples (BSD syslog without PRI), `threads = 1` and
//!   `2`, with the default year rule (reference time = now) and with `year = 2005`;
//! - `template <System>`: each system's LogPAI header template on its own sample, and the Linux
//!   template on the syslog input (the same bytes as `syslog_rfc3164`);
//! - `apache_error` on the Apache sample; `jsonl` and `logfmt` on the derived records.
//!
//! Every input is parsed once and checked before it is timed: one row per line and no error row
//! (every record of the samples is well formed; LogPAI's ground truth parses all of them). After criterion's
//! report a summary prints MB/s, ns per line and the goals (syslog >= 300 MB/s per core;
//! templates within 1.5x of the syslog speed).
//!
//! Run alone: `cargo bench -p ferrule-benches --bench system_logs` (a filter such as
//! `-- template` works; `FERRULE_BENCH_CORE_MB=8` for a quick run). Instructions per byte:
//! `benches/callgrind_system_logs.sh`, which runs this binary as
//! `system_logs --parse-once PATH FORMAT [REPEAT]` (FORMAT: a preset or `template:<spec>`): one
//! sequential parse, the counted region being [`parse_once`].

#![allow(clippy::expect_used, reason = "a bench has no caller to hand an error to: it must stop loudly")]

use criterion::{Criterion, SamplingMode, Throughput};
use ferrule_core::logs::{LogFormat, LogTable, ParseOptions, parse_bytes};
use std::hint::black_box;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// `(system, template)`: the shared README's header formats.
const TEMPLATES: [(&str, &str); 6] = [
    ("Linux", "<Month> <Date> <Time> <Level> <Component>([<PID>])?: <Content>"),
    ("OpenSSH", "<Date> <Day> <Time> <Component> sshd[<Pid>]: <Content>"),
    ("HDFS", "<Date> <Time> <Pid> <Level> <Component>: <Content>"),
    ("Spark", "<Date> <Time> <Level> <Component>: <Content>"),
    ("Zookeeper", "<Date> <Time> - <Level>  [<Node>:<Component>@<Id>] - <Content>"),
    ("Apache", "[<Time>] [<Level>] <Content>"),
];

/// The bench that every ratio is taken against.
const BASE: &str = "syslog_rfc3164 threads=1";

/// Benches in run order: (name, seconds per call of each timed batch, bytes, lines).
type Samples = Vec<(String, Vec<f64>, usize, usize)>;
static SAMPLES: Mutex<Samples> = Mutex::new(Vec::new());

fn record(name: &str, seconds: f64, bytes: usize, lines: usize) {
    let mut samples = SAMPLES.lock().unwrap_or_else(|e| e.into_inner());
    match samples.iter_mut().find(|(n, ..)| n == name) {
        Some((_, times, ..)) => times.push(seconds),
        None => samples.push((name.to_owned(), vec![seconds], bytes, lines)),
    }
}

fn unit_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-data/system-units")
}

/// One input: a unit repeated, and its line count.
struct Input {
    data: Vec<u8>,
    lines: usize,
}

fn load(name: &str, megabytes: f64) -> Option<Input> {
    let unit = std::fs::read(unit_dir().join(format!("{name}.log"))).ok()?;
    let copies = ((megabytes * 1e6 / unit.len() as f64).round() as usize).max(1);
    let lines = unit.iter().filter(|&&b| b == b'\n').count() * copies;
    Some(Input { data: unit.repeat(copies), lines })
}

/// A preset name or `template:<spec>`.
fn format_of(spec: &str) -> ferrule_core::Result<LogFormat> {
    match spec.strip_prefix("template:") {
        Some(template) => LogFormat::template(template),
        None => LogFormat::preset(spec),
    }
}

fn options(threads: usize, year: Option<i32>) -> ParseOptions {
    ParseOptions { threads: Some(threads), year, ..ParseOptions::default() }
}

/// The region `callgrind_system_logs.sh` counts: one sequential parse.
#[inline(never)]
fn parse_once(data: &[u8], format: &LogFormat) -> ferrule_core::Result<LogTable> {
    parse_bytes(data, format, &options(1, None))
}

/// `--parse-once PATH FORMAT [REPEAT]`: prints `bytes lines ok errors`.
fn parse_once_main(args: &[String]) -> ExitCode {
    let (path, spec, repeat) = match args {
        [path, spec] => (path, spec, 1),
        [path, spec, repeat] => match repeat.parse::<usize>() {
            Ok(n) if n > 0 => (path, spec, n),
            _ => return usage(),
        },
        _ => return usage(),
    };
    let data = match std::fs::read(path) {
        Ok(data) => data,
        Err(err) => {
            eprintln!("system_logs: {path}: {err}");
            return ExitCode::FAILURE;
        }
    };
    let format = match format_of(spec) {
        Ok(format) => format,
        Err(err) => {
            eprintln!("system_logs: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mut last = None;
    for _ in 0..repeat {
        match parse_once(&data, &format) {
            Ok(table) => last = Some(table),
            Err(err) => {
                eprintln!("system_logs: {err}");
                return ExitCode::FAILURE;
            }
        }
    }
    if let Some(table) = last {
        let stats = table.stats();
        println!("{} {} {} {}", data.len(), stats.lines, stats.ok, stats.errors);
    }
    ExitCode::SUCCESS
}

fn usage() -> ExitCode {
    eprintln!("usage: system_logs --parse-once PATH (PRESET|template:<spec>) [REPEAT]");
    ExitCode::from(2)
}

/// One timed parse: name, input name, format, threads, year.
struct Run {
    name: String,
    input: &'static str,
    format: LogFormat,
    threads: usize,
    year: Option<i32>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--parse-once") {
        return parse_once_main(&args[1..]);
    }
    let megabytes: f64 =
        std::env::var("FERRULE_BENCH_CORE_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(32.0);
    let names: [&'static str; 10] = [
        "syslog",
        "template-Linux",
        "template-OpenSSH",
        "template-HDFS",
        "template-Spark",
        "template-Zookeeper",
        "template-Apache",
        "apache_error",
        "jsonl",
        "logfmt",
    ];
    let mut inputs = Vec::new();
    for name in names {
        let Some(input) = load(name, megabytes) else {
            println!(
                "skipped: the system_logs bench needs {}/{name}.log (run `python3 benches/make_system_data.py`; \
                 it needs ../shared/data/logs/loghub); it never runs on synthetic data",
                unit_dir().display()
            );
            return ExitCode::SUCCESS;
        };
        inputs.push((name, input));
    }
    let input = |name: &str| &inputs.iter().find(|(n, _)| *n == name).expect("input").1;

    let preset = |name: &str| LogFormat::preset(name).expect(name);
    let template = |system: &str| {
        let spec = TEMPLATES.iter().find(|(s, _)| *s == system).expect("system").1;
        LogFormat::template(spec).expect(spec)
    };
    let run = |name: &str, input: &'static str, format: LogFormat, threads: usize| Run {
        name: name.to_owned(),
        input,
        format,
        threads,
        year: None,
    };
    let mut runs = vec![
        run(BASE, "syslog", preset("syslog_rfc3164"), 1),
        run("syslog_rfc3164 threads=2", "syslog", preset("syslog_rfc3164"), 2),
        Run {
            year: Some(2005),
            ..run("syslog_rfc3164 year=2005 threads=1", "syslog", preset("syslog_rfc3164"), 1)
        },
        run("template Linux on the syslog input threads=1", "syslog", template("Linux"), 1),
    ];
    for (system, _) in TEMPLATES {
        let input: &'static str =
            names.iter().find(|n| n.strip_prefix("template-") == Some(system)).expect("input");
        runs.push(run(&format!("template {system} threads=1"), input, template(system), 1));
    }
    runs.push(run("apache_error threads=1", "apache_error", preset("apache_error"), 1));
    runs.push(run("jsonl threads=1", "jsonl", preset("jsonl"), 1));
    runs.push(run("jsonl threads=2", "jsonl", preset("jsonl"), 2));
    runs.push(run("logfmt threads=1", "logfmt", preset("logfmt"), 1));
    runs.push(run(&format!("{BASE} (again, for drift)"), "syslog", preset("syslog_rfc3164"), 1));
    // A criterion filter (`-- template`) also limits the checks, so a quick run parses only what
    // it times. (Options that take a value are not expected here.)
    if let Some(filter) = args.iter().find(|a| !a.starts_with('-')) {
        runs.retain(|r| r.name.contains(filter.as_str()));
    }

    println!("system_logs bench: inputs of ~{megabytes} MB each, repeated from {}", unit_dir().display());
    println!("| bench | MB | lines | ok | errors (first codes) |\n|---|---|---|---|---|");
    for r in &runs {
        let inp = input(r.input);
        let table = parse_bytes(&inp.data, &r.format, &options(r.threads, r.year)).expect(&r.name);
        let stats = table.stats();
        let codes: Vec<&str> = table.errors().iter().take(3).map(|e| e.error.code()).collect();
        println!(
            "| {} | {:.1} | {} | {} | {} {:?} |",
            r.name,
            inp.data.len() as f64 / 1e6,
            stats.lines,
            stats.ok,
            stats.errors,
            codes
        );
        assert_eq!(table.num_rows(), inp.lines, "{}: rows", r.name);
        assert_eq!(stats.errors, 0, "{}: error rows", r.name);
    }

    let mut c = Criterion::default()
        .sample_size(10)
        .nresamples(10_000)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    let mut group = c.benchmark_group("system_logs");
    group.sampling_mode(SamplingMode::Flat);
    for r in &runs {
        let inp = input(r.input);
        let opts = options(r.threads, r.year);
        group.throughput(Throughput::Bytes(inp.data.len() as u64));
        group.bench_function(&r.name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    let table = parse_bytes(black_box(&inp.data), &r.format, &opts).expect(&r.name);
                    total += start.elapsed();
                    drop(black_box(table));
                }
                record(&r.name, total.as_secs_f64() / iters as f64, inp.data.len(), inp.lines);
                total
            })
        });
    }
    group.finish();
    c.final_summary();
    summary();
    ExitCode::SUCCESS
}

fn median(xs: &[f64]) -> f64 {
    let mut xs = xs.to_vec();
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// MB/s and ns per line of each bench (median of its timed batches, the best in brackets), the
/// time per byte against syslog_rfc3164 on one thread, then the goals.
fn summary() {
    let samples = SAMPLES.lock().unwrap_or_else(|e| e.into_inner());
    if samples.is_empty() {
        return;
    }
    let mbs = |name: &str| {
        samples.iter().find(|(n, ..)| n == name).map(|(_, s, bytes, _)| *bytes as f64 / median(s) / 1e6)
    };
    let base = mbs(BASE);
    println!("\n== system_logs summary (median of the timed batches; best in brackets)\n");
    println!("| bench | MB/s | ns/line | time per byte vs {BASE} |");
    println!("|---|---|---|---|");
    for (name, s, bytes, lines) in samples.iter() {
        let m = median(s);
        let best = s.iter().copied().fold(f64::INFINITY, f64::min);
        let here = *bytes as f64 / m / 1e6;
        let ratio = base.map(|b| format!("{:.2}x", b / here)).unwrap_or_default();
        println!(
            "| {name} | {here:.0} [{:.0}] | {:.0} | {ratio} |",
            *bytes as f64 / best / 1e6,
            m / *lines as f64 * 1e9
        );
    }
    println!();
    let verdict = |met: bool| if met { "met" } else { "MISSED" };
    let Some(base) = base else { return };
    println!("goal: syslog_rfc3164 >= 300 MB/s per core: {base:.0} MB/s, {}", verdict(base >= 300.0));
    if let Some(two) = mbs("syslog_rfc3164 threads=2") {
        println!("info: syslog_rfc3164 on 2 threads: {:.2}x one thread", two / base);
    }
    let mut worst = 0.0f64;
    for (name, ..) in samples.iter().filter(|(n, ..)| n.starts_with("template ")) {
        if let Some(here) = mbs(name) {
            let ratio = base / here;
            worst = worst.max(ratio);
            println!("goal: {name} within 1.5x of the syslog speed: {ratio:.2}x, {}", verdict(ratio <= 1.5));
        }
    }
    println!(
        "goal: templates within 1.5x of the syslog speed (worst system): {worst:.2}x, {}",
        verdict(worst <= 1.5)
    );
}
