//! Issue #5, core side: `ferrule_core::logs::parse_bytes` over real access logs, in memory (no
//! file, no FFI), throughput in bytes.
//!
//! Input: the shared real sample `../shared/data/logs/access/apache_combined.log` (10,000 lines,
//! 2.37 MB, one malformed line) concatenated to `FERRULE_BENCH_CORE_MB` megabytes (default 32:
//! well past every cache, and each timed call stays near 0.1 s). Never synthetic: when the
//! shared folder is absent the bench says so and exits. The variants are derived from those same
//! lines:
//! - `combined`: the preset, `threads = 1` and `threads = 2` (the issue's goal: >= 1.7x);
//! - `nginx = combined`: the nginx `log_format` string equal to combined (goal: a custom format
//!   costs <= 1.3x the preset);
//! - `nginx main (+x_forwarded_for)`: nginx's stock `main` format, one more quoted field; its
//!   input is each real line with ` "-"` appended (what nginx writes when the request has no
//!   `X-Forwarded-For`), parsed by that format and, for comparison, by the preset (which
//!   tolerates trailing fields);
//! - `malformed`: every line with one closing quote removed, either the user agent's (the line
//!   fails at its end, `UNTERMINATED_QUOTE`) or the request's (it fails mid-line). Goal: a
//!   malformed line costs <= 3x a good one, read as ns per line against the good input.
//!
//! Every variant is checked (row, ok and error counts) before it is timed. After criterion's own
//! report a summary prints MB/s, ns per line, the ratios and the goals (core >= 500 MB/s per
//! core, >= 1.7x on 2 threads, custom <= 1.3x, malformed <= 3x).
//!
//! Run alone: `cargo bench -p ferrule-benches --bench logs` (a filter such as `-- malformed`
//! works; `FERRULE_BENCH_CORE_MB=8` for a quick run). Instructions per byte:
//! `benches/callgrind_logs.sh`.

#![allow(clippy::expect_used, reason = "a bench has no caller to hand an error to: it must stop loudly")]

use criterion::{Criterion, SamplingMode, Throughput};
use ferrule_core::logs::{LogFormat, LogTable, ParseOptions, parse_bytes};
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The nginx `log_format` that is the combined format.
const NGINX_COMBINED: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#;
/// nginx's stock `main` format: combined plus the forwarded-for header.
const NGINX_MAIN: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for""#;

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

fn sample_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/logs/access/apache_combined.log")
}

/// One input: its bytes, its line count, and what a correct parse must report.
struct Input {
    data: Vec<u8>,
    lines: usize,
}

/// `lines` (each without its `\n`) transformed, repeated `copies` times.
fn build(lines: &[&[u8]], copies: usize, transform: impl Fn(&[u8], &mut Vec<u8>)) -> Input {
    let mut one = Vec::new();
    for line in lines {
        transform(line, &mut one);
        one.push(b'\n');
    }
    let mut data = Vec::with_capacity(one.len() * copies);
    for _ in 0..copies {
        data.extend_from_slice(&one);
    }
    Input { data, lines: lines.len() * copies }
}

fn options(threads: usize) -> ParseOptions {
    ParseOptions { threads: Some(threads), ..ParseOptions::default() }
}

/// Parses `input` once and checks the counts: `ok` good lines and the rest errors.
fn check(name: &str, input: &Input, format: &LogFormat, threads: usize, ok: usize) -> LogTable {
    let table = parse_bytes(&input.data, format, &options(threads)).expect(name);
    let stats = table.stats();
    assert_eq!(table.num_rows(), input.lines, "{name}: rows");
    assert_eq!(stats.ok as usize, ok, "{name}: ok lines");
    assert_eq!(stats.errors as usize, input.lines - ok, "{name}: error lines");
    table
}

fn main() {
    let path = sample_path();
    let Ok(sample) = std::fs::read(&path) else {
        println!(
            "skipped: the logs bench needs the real sample {} (../shared is absent); it never runs on synthetic data",
            path.display()
        );
        return;
    };
    let megabytes: f64 =
        std::env::var("FERRULE_BENCH_CORE_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(32.0);
    let copies = ((megabytes * 1e6 / sample.len() as f64).round() as usize).max(1);
    let lines: Vec<&[u8]> = sample.strip_suffix(b"\n").unwrap_or(&sample).split(|&b| b == b'\n').collect();
    // The sample's one malformed line (8899, an unterminated user-agent quote) fails in every copy.
    let good_per_copy = lines.len() - 1;

    let good = build(&lines, copies, |line, out| out.extend_from_slice(line));
    let main_format = build(&lines, copies, |line, out| {
        out.extend_from_slice(line);
        out.extend_from_slice(br#" "-""#);
    });
    // The last byte of a good line is the user agent's closing quote.
    let no_agent_quote = build(&lines, copies, |line, out| {
        out.extend_from_slice(line.strip_suffix(b"\"").unwrap_or(line));
    });
    // The request's closing quote: the second `"` of the line.
    let no_request_quote = build(&lines, copies, |line, out| {
        let second = line.iter().enumerate().filter(|&(_, &b)| b == b'"').nth(1).map(|(i, _)| i);
        match second {
            Some(i) => {
                out.extend_from_slice(&line[..i]);
                out.extend_from_slice(&line[i + 1..]);
            }
            None => out.extend_from_slice(line),
        }
    });

    let combined = LogFormat::preset("combined").expect("combined");
    let nginx_combined = LogFormat::nginx(NGINX_COMBINED).expect("nginx combined");
    let nginx_main = LogFormat::nginx(NGINX_MAIN).expect("nginx main");

    let ok = good_per_copy * copies;
    let reference = check("combined", &good, &combined, 1, ok);
    let parallel = check("combined threads=2", &good, &combined, 2, ok);
    for name in ["status", "bytes", "timestamp", "path", "user_agent", "error"] {
        let (a, b) = (reference.require(name).expect(name), parallel.require(name).expect(name));
        assert!(
            (0..a.len()).all(|row| a.bytes(row) == b.bytes(row) && a.number(row) == b.number(row)),
            "{name}: 1 vs 2 threads"
        );
    }
    let nginx = check("nginx = combined", &good, &nginx_combined, 1, ok);
    for name in ["status", "bytes", "timestamp", "path", "user_agent"] {
        let (a, b) = (reference.require(name).expect(name), nginx.require(name).expect(name));
        assert!(
            (0..a.len()).all(|row| a.text(row) == b.text(row) && a.number(row) == b.number(row)),
            "{name}: nginx vs preset"
        );
    }
    drop((reference, parallel, nginx));
    check("nginx main", &main_format, &nginx_main, 1, ok);
    // The preset ignores trailing fields, so on these lines the appended `"-"` closes line 8899's
    // open quote: every line parses.
    check("combined on main", &main_format, &combined, 1, main_format.lines);
    check("malformed agent", &no_agent_quote, &combined, 1, 0);
    check("malformed request", &no_request_quote, &combined, 1, 0);

    println!(
        "logs bench: {} copies of {} ({} bytes, {} lines each) = {:.1} MB, {} lines per input",
        copies,
        path.display(),
        sample.len(),
        lines.len(),
        good.data.len() as f64 / 1e6,
        good.lines
    );

    let mut c = Criterion::default()
        .sample_size(10)
        .nresamples(10_000)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let mut group = c.benchmark_group("logs");
    group.sampling_mode(SamplingMode::Flat);
    let runs: [(&str, &Input, &LogFormat, usize); 8] = [
        ("combined threads=1", &good, &combined, 1),
        ("combined threads=2", &good, &combined, 2),
        ("nginx = combined threads=1", &good, &nginx_combined, 1),
        ("nginx main (+x_forwarded_for) threads=1", &main_format, &nginx_main, 1),
        ("combined on nginx main lines threads=1", &main_format, &combined, 1),
        ("malformed: user-agent quote removed threads=1", &no_agent_quote, &combined, 1),
        ("malformed: request quote removed threads=1", &no_request_quote, &combined, 1),
        ("combined threads=1 (again, for drift)", &good, &combined, 1),
    ];
    for (name, input, format, threads) in runs {
        let opts = options(threads);
        group.throughput(Throughput::Bytes(input.data.len() as u64));
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    let table = parse_bytes(black_box(&input.data), format, &opts).expect(name);
                    total += start.elapsed();
                    drop(black_box(table));
                }
                record(name, total.as_secs_f64() / iters as f64, input.data.len(), input.lines);
                total
            })
        });
    }
    group.finish();
    c.final_summary();
    summary();
}

fn median(xs: &[f64]) -> f64 {
    let mut xs = xs.to_vec();
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// MB/s and ns per line of each bench (median of its timed batches; warm-up included, which the
/// median shrugs off; the best batch beside it), then the goals.
fn summary() {
    let samples = SAMPLES.lock().unwrap_or_else(|e| e.into_inner());
    if samples.is_empty() {
        return;
    }
    println!("\n== logs summary (median of the timed batches; best in brackets)\n");
    println!("| bench | MB/s | ns/line | vs combined threads=1 |");
    println!("|---|---|---|---|");
    let find = |name: &str| {
        samples.iter().find(|(n, ..)| n == name).map(|(_, s, bytes, lines)| (median(s), *bytes, *lines))
    };
    let base = find("combined threads=1");
    for (name, s, bytes, lines) in samples.iter() {
        let m = median(s);
        let best = s.iter().copied().fold(f64::INFINITY, f64::min);
        let ratio = base.map(|(b, ..)| format!("{:.2}x time", m / b)).unwrap_or_default();
        println!(
            "| {name} | {:.0} [{:.0}] | {:.0} | {ratio} |",
            *bytes as f64 / m / 1e6,
            *bytes as f64 / best / 1e6,
            m / *lines as f64 * 1e9
        );
    }
    println!();
    let verdict = |met: bool| if met { "met" } else { "MISSED" };
    if let Some((t1, bytes, lines)) = base {
        let mbs = bytes as f64 / t1 / 1e6;
        println!("goal: core >= 500 MB/s per core (stretch 1000): {mbs:.0} MB/s, {}", verdict(mbs >= 500.0));
        if let Some((t2, ..)) = find("combined threads=2") {
            println!("goal: >= 1.7x on 2 threads: {:.2}x, {}", t1 / t2, verdict(t1 / t2 >= 1.7));
        }
        if let Some((tn, ..)) = find("nginx = combined threads=1") {
            println!(
                "goal: custom format <= 1.3x the preset (nginx = combined): {:.2}x, {}",
                tn / t1,
                verdict(tn / t1 <= 1.3)
            );
        }
        if let (Some((tm, ..)), Some((tc, ..))) =
            (find("nginx main (+x_forwarded_for) threads=1"), find("combined on nginx main lines threads=1"))
        {
            println!("info: nginx main vs the preset on the same lines: {:.2}x", tm / tc);
        }
        let per_line = t1 / lines as f64;
        for name in
            ["malformed: user-agent quote removed threads=1", "malformed: request quote removed threads=1"]
        {
            if let Some((t, _, l)) = find(name) {
                let cost = t / l as f64 / per_line;
                println!(
                    "goal: a malformed line <= 3x a good one ({name}): {cost:.2}x, {}",
                    verdict(cost <= 3.0)
                );
            }
        }
    }
}
