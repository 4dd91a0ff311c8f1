//! The string pool's dataset (issue #3): a stream of repeated, realistic-looking strings drawn
//! from a fixed set of distinct values with Zipf frequencies.
//!
//! Everything here is deterministic: a fixed seed, our own PRNG (so an upgrade of some random
//! crate can never change the data behind recorded numbers), and only exactly-rounded float
//! operations in the CDF. The criterion benches call [`Strings::issue`] in process; Python and
//! Node read the file that `gen_strings` writes from the very same function.

use std::collections::HashSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Bumped whenever the generated data changes, so that stale files can be recognised.
pub const GENERATOR_VERSION: u32 = 1;

/// splitmix64: tiny, fast, good enough statistically for benchmark data, and trivially
/// reimplemented anywhere should another runtime ever need to generate rather than read.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (multiply-shift; its bias of at most n/2^64 is irrelevant here).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// A value in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// A uniform `f64` in `[0, 1)` with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }
}

/// The shape of a string dataset.
#[derive(Clone, Debug, PartialEq)]
pub struct StringsSpec {
    /// Length of the stream.
    pub values: usize,
    /// Number of distinct strings; every one of them occurs in the stream.
    pub distinct: usize,
    /// Byte length bounds of each string (inclusive).
    pub min_len: usize,
    pub max_len: usize,
    /// Zipf exponent over the ranks of the distinct strings.
    pub zipf_s: f64,
    pub seed: u64,
}

impl StringsSpec {
    /// The dataset of issue #3: 1,000,000 values, 50,000 distinct, 8-64 bytes, Zipf s = 1.
    pub const ISSUE: StringsSpec = StringsSpec {
        values: 1_000_000,
        distinct: 50_000,
        min_len: 8,
        max_len: 64,
        zipf_s: 1.0,
        seed: 0x6665_7272_756C_6533, // "ferrule3"
    };
}

/// A generated dataset: the distinct strings (index = Zipf rank) and the stream as indexes into
/// them, so that the 1M-value stream costs 4 bytes per value plus one copy of each string.
#[derive(Clone, Debug)]
pub struct Strings {
    pub spec: StringsSpec,
    pub distinct: Vec<String>,
    pub picks: Vec<u32>,
}

impl Strings {
    /// The dataset of issue #3 ([`StringsSpec::ISSUE`]).
    pub fn issue() -> Self {
        Self::generate(&StringsSpec::ISSUE)
    }

    /// Generates the dataset `spec` describes. Every distinct string occurs at least once: the
    /// stream is each distinct value once plus `values - distinct` Zipf draws, shuffled. A pure
    /// Zipf draw would leave a few thousand of the rarest ranks unseen, so "50k distinct" would
    /// not hold and the hit rate would not be the issue's 95%; with the floor of one it is exactly
    /// `1 - distinct/values`.
    ///
    /// # Panics
    /// If `spec` is unsatisfiable: no distinct values, more distinct values than values or than
    /// `u32` ids, or `min_len` outside `1..=max_len` or below 8 (the shortest generated shapes).
    pub fn generate(spec: &StringsSpec) -> Self {
        assert!(spec.distinct >= 1 && spec.distinct <= spec.values, "{spec:?}");
        assert!(u32::try_from(spec.distinct).is_ok(), "{spec:?}");
        assert!(spec.min_len >= 8 && spec.min_len <= spec.max_len, "{spec:?}");
        let mut rng = SplitMix64::new(spec.seed);
        let distinct = distinct_strings(&mut rng, spec);
        let cdf = zipf_cdf(spec.distinct, spec.zipf_s);
        let mut picks: Vec<u32> = (0..spec.distinct as u32).collect();
        picks.reserve_exact(spec.values - spec.distinct);
        for _ in spec.distinct..spec.values {
            picks.push(zipf_draw(&cdf, &mut rng) as u32);
        }
        for i in (1..picks.len()).rev() {
            let j = rng.below(i + 1);
            picks.swap(i, j);
        }
        Self { spec: spec.clone(), distinct, picks }
    }

    /// The number of values in the stream.
    pub fn len(&self) -> usize {
        self.picks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.picks.is_empty()
    }

    /// The stream, borrowing the distinct strings (what interners are fed).
    pub fn values(&self) -> Vec<&str> {
        self.picks.iter().map(|&i| self.distinct[i as usize].as_str()).collect()
    }

    /// The distinct strings in first-seen order: exactly what a pool built from the stream holds,
    /// id by id.
    pub fn first_seen(&self) -> Vec<&str> {
        let mut seen = vec![false; self.distinct.len()];
        let mut out = Vec::with_capacity(self.distinct.len());
        for &i in &self.picks {
            if !std::mem::replace(&mut seen[i as usize], true) {
                out.push(self.distinct[i as usize].as_str());
            }
        }
        out
    }

    /// Bytes of string payload in the distinct strings: the floor any pool must store.
    pub fn distinct_bytes(&self) -> usize {
        self.distinct.iter().map(String::len).sum()
    }

    /// Bytes of payload in the whole stream (without separators).
    pub fn stream_bytes(&self) -> usize {
        self.picks.iter().map(|&i| self.distinct[i as usize].len()).sum()
    }

    /// Writes the stream, one value per line, each line ending in `\n`. Returns the bytes written.
    pub fn write_lines<W: Write>(&self, out: W) -> io::Result<u64> {
        let mut out = io::BufWriter::with_capacity(1 << 20, out);
        let mut written = 0u64;
        for &i in &self.picks {
            let s = self.distinct[i as usize].as_bytes();
            out.write_all(s)?;
            out.write_all(b"\n")?;
            written += s.len() as u64 + 1;
        }
        out.flush()?;
        Ok(written)
    }

    /// The sidecar metadata (JSON) that comparison scripts check the data file against.
    pub fn meta_json(&self, file_bytes: u64) -> String {
        let spec = &self.spec;
        format!(
            concat!(
                "{{\n",
                "  \"generator_version\": {},\n",
                "  \"values\": {},\n",
                "  \"distinct\": {},\n",
                "  \"file_bytes\": {},\n",
                "  \"distinct_bytes\": {},\n",
                "  \"min_len\": {},\n",
                "  \"max_len\": {},\n",
                "  \"zipf_s\": {:?},\n",
                "  \"seed\": \"{:#018x}\"\n",
                "}}\n"
            ),
            GENERATOR_VERSION,
            self.len(),
            self.distinct.len(),
            file_bytes,
            self.distinct_bytes(),
            spec.min_len,
            spec.max_len,
            spec.zipf_s,
            spec.seed,
        )
    }
}

/// Where the metadata of the data file at `path` goes: `<path>.meta.json`.
pub fn meta_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".meta.json");
    PathBuf::from(name)
}

/// `cdf[k]` = sum of the Zipf weights of ranks `0..=k` (not normalised: draws scale instead).
fn zipf_cdf(n: usize, s: f64) -> Vec<f64> {
    let mut total = 0.0;
    (1..=n)
        .map(|rank| {
            // powf is not guaranteed to round identically across libms; s = 1 avoids it.
            let weight = if s == 1.0 { 1.0 / rank as f64 } else { (rank as f64).powf(-s) };
            total += weight;
            total
        })
        .collect()
}

fn zipf_draw(cdf: &[f64], rng: &mut SplitMix64) -> usize {
    let total = cdf[cdf.len() - 1];
    let x = rng.unit() * total;
    cdf.partition_point(|&c| c <= x).min(cdf.len() - 1)
}

fn distinct_strings(rng: &mut SplitMix64, spec: &StringsSpec) -> Vec<String> {
    let mut seen = HashSet::with_capacity(spec.distinct);
    let mut out = Vec::with_capacity(spec.distinct);
    let mut s = String::new();
    while out.len() < spec.distinct {
        s.clear();
        match rng.below(100) {
            0..25 => ipv4(rng, &mut s),
            25..30 => ipv6(rng, &mut s),
            30..62 => url(rng, &mut s),
            62..78 => user_agent(rng, &mut s),
            _ => log_field(rng, &mut s),
        }
        fit_length(rng, &mut s, spec.min_len, spec.max_len);
        if !seen.contains(s.as_str()) {
            seen.insert(s.clone());
            out.push(s.clone());
        }
    }
    out
}

/// Cuts or pads `s` into `min..=max` bytes, never leaving a trailing space (line-oriented
/// readers in other runtimes tend to strip those).
fn fit_length(rng: &mut SplitMix64, s: &mut String, min: usize, max: usize) {
    // Every generator emits ASCII only, so any byte index is a char boundary.
    s.truncate(max);
    while s.ends_with(' ') {
        s.pop();
    }
    if s.len() < min {
        s.push('-');
        while s.len() < min {
            s.push(ALNUM[rng.below(ALNUM.len())] as char);
        }
    }
}

const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &[u8] = b"0123456789abcdef";

const WORDS: &[&str] = &[
    "account", "admin", "alpha", "api", "archive", "assets", "auth", "billing", "blog", "cart", "catalog",
    "cdn", "checkout", "cloud", "config", "data", "delta", "docs", "download", "edge", "events", "feed",
    "files", "gallery", "help", "images", "index", "invoice", "login", "mail", "media", "metrics", "news",
    "orders", "page", "partner", "photos", "portal", "profile", "report", "search", "secure", "settings",
    "shop", "static", "status", "store", "stream", "support", "team", "upload", "user", "video", "web",
    "wiki", "zeta",
];
const TLDS: &[&str] = &["com", "net", "org", "io", "de", "co.uk", "fr", "dev", "app", "info"];

fn push_word(rng: &mut SplitMix64, s: &mut String) {
    s.push_str(rng.pick(WORDS));
}

fn push_num(s: &mut String, n: usize) {
    s.push_str(&n.to_string());
}

fn push_hex(rng: &mut SplitMix64, s: &mut String, digits: usize) {
    for _ in 0..digits {
        s.push(HEX[rng.below(16)] as char);
    }
}

/// Private ranges are over-represented, as they are in real internal logs.
fn ipv4(rng: &mut SplitMix64, s: &mut String) {
    match rng.below(4) {
        0 => s.push_str("10."),
        1 => s.push_str("192.168."),
        2 => {
            s.push_str("172.");
            push_num(s, rng.range(16, 31));
            s.push('.');
        }
        _ => {
            push_num(s, rng.range(1, 223));
            s.push('.');
        }
    }
    while s.bytes().filter(|&b| b == b'.').count() < 3 {
        push_num(s, rng.below(256));
        s.push('.');
    }
    push_num(s, rng.range(1, 254));
    if rng.chance(30) {
        s.push(':');
        push_num(s, rng.range(1024, 65535));
    }
}

fn ipv6(rng: &mut SplitMix64, s: &mut String) {
    s.push_str(if rng.chance(50) { "2001:db8:" } else { "fe80::" });
    let groups = rng.range(2, 6);
    for g in 0..groups {
        if g > 0 {
            s.push(':');
        }
        let digits = rng.range(1, 4);
        push_hex(rng, s, digits);
    }
}

fn url(rng: &mut SplitMix64, s: &mut String) {
    s.push_str(if rng.chance(85) { "https://" } else { "http://" });
    if rng.chance(50) {
        s.push_str(rng.pick(&["www.", "api.", "cdn.", "m.", "static."]));
    }
    push_word(rng, s);
    if rng.chance(30) {
        s.push('-');
        push_word(rng, s);
    }
    s.push('.');
    s.push_str(rng.pick(TLDS));
    for _ in 0..rng.range(1, 4) {
        s.push('/');
        match rng.below(4) {
            0 => push_num(s, rng.below(100_000)),
            1 => push_hex(rng, s, 8),
            _ => push_word(rng, s),
        }
    }
    if rng.chance(35) {
        s.push_str(rng.pick(&["?id=", "?page=", "?q=", "?ref=", "?utm_source="]));
        push_num(s, rng.below(10_000));
        if rng.chance(40) {
            s.push_str(rng.pick(&["&lang=en", "&lang=de", "&sort=asc", "&v=2"]));
        }
    }
}

fn user_agent(rng: &mut SplitMix64, s: &mut String) {
    const OSES: &[&str] = &[
        "Windows NT 10.0; Win64; x64",
        "X11; Linux x86_64",
        "Macintosh; Intel Mac OS X 10_15_7",
        "iPhone; CPU iPhone OS 17_1 like Mac OS X",
        "Linux; Android 14; Pixel 8",
    ];
    match rng.below(6) {
        0 | 1 => {
            s.push_str("Mozilla/5.0 (");
            s.push_str(rng.pick(OSES));
            s.push_str(") Chrome/");
            push_num(s, rng.range(100, 131));
            s.push_str(".0.");
            push_num(s, rng.range(4000, 6999));
            s.push('.');
            push_num(s, rng.below(200));
        }
        2 => {
            s.push_str("Mozilla/5.0 (");
            s.push_str(rng.pick(OSES));
            s.push_str("; rv:");
            push_num(s, rng.range(100, 131));
            s.push_str(".0) Firefox/");
            push_num(s, rng.range(100, 131));
            s.push_str(".0");
        }
        3 => {
            s.push_str(rng.pick(&["curl/7.", "curl/8.", "Wget/1.", "okhttp/4.", "python-requests/2."]));
            push_num(s, rng.below(90));
            s.push('.');
            push_num(s, rng.below(10));
        }
        4 => {
            s.push_str(rng.pick(&["Googlebot/2.1", "bingbot/2.0", "DuckDuckBot/1.1"]));
            s.push_str(" (+http://");
            push_word(rng, s);
            s.push_str(".com/bot-");
            push_num(s, rng.below(1000));
            s.push(')');
        }
        _ => {
            s.push_str(rng.pick(&["Go-http-client/", "Java/", "node-fetch/", "axios/"]));
            push_num(s, rng.range(1, 21));
            s.push('.');
            push_num(s, rng.below(10));
            s.push_str(" (");
            push_word(rng, s);
            s.push('-');
            push_hex(rng, s, 6);
            s.push(')');
        }
    }
}

fn log_field(rng: &mut SplitMix64, s: &mut String) {
    match rng.below(5) {
        0 => {
            s.push_str("user-");
            push_num(s, rng.below(1_000_000));
            s.push('@');
            push_word(rng, s);
            s.push('.');
            s.push_str(rng.pick(TLDS));
        }
        1 => {
            push_word(rng, s);
            s.push('.');
            s.push_str(rng.pick(&["eu-west-1", "us-east-2", "ap-south-1", "sa-east-1"]));
            s.push('.');
            s.push_str(rng.pick(&["debug", "info", "warn", "error"]));
            s.push('.');
            push_num(s, rng.below(100));
        }
        2 => {
            s.push_str(rng.pick(&["GET", "POST", "PUT", "DELETE", "HEAD"]));
            s.push_str(" /api/v");
            push_num(s, rng.range(1, 3));
            s.push('/');
            push_word(rng, s);
            s.push('/');
            push_num(s, rng.below(100_000));
        }
        3 => {
            s.push_str(rng.pick(&["session:", "trace:", "req_", "tx-"]));
            let digits = rng.range(8, 24);
            push_hex(rng, s, digits);
        }
        _ => {
            push_word(rng, s);
            s.push('_');
            push_word(rng, s);
            s.push('_');
            push_num(s, rng.below(10_000));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> StringsSpec {
        StringsSpec { values: 20_000, distinct: 2_000, ..StringsSpec::ISSUE }
    }

    #[test]
    fn deterministic() {
        let a = Strings::generate(&small());
        let b = Strings::generate(&small());
        assert_eq!(a.distinct, b.distinct);
        assert_eq!(a.picks, b.picks);
    }

    #[test]
    fn shape() {
        let spec = small();
        let data = Strings::generate(&spec);
        assert_eq!(data.len(), spec.values);
        let unique: HashSet<&str> = data.values().into_iter().collect();
        assert_eq!(unique.len(), spec.distinct);
        assert_eq!(data.first_seen().len(), spec.distinct);
        for s in &data.distinct {
            assert!((spec.min_len..=spec.max_len).contains(&s.len()), "{s:?}");
            assert!(s.bytes().all(|b| (0x20..0x7f).contains(&b)), "{s:?}");
            assert!(!s.ends_with(' '), "{s:?}");
        }
    }

    #[test]
    fn zipf_head_is_heavy() {
        let data = Strings::generate(&small());
        let mut counts = vec![0usize; data.distinct.len()];
        for &i in &data.picks {
            counts[i as usize] += 1;
        }
        // Rank 1 should get about 1/H(2000) ~ 12% of the 18,000 Zipf draws; rank 2 half that.
        assert!(counts[0] > 1_500 && counts[0] < 2_800, "{}", counts[0]);
        assert!(counts[1] > counts[0] / 3 && counts[1] < counts[0], "{}", counts[1]);
    }

    #[test]
    fn lines_round_trip() {
        let data = Strings::generate(&small());
        let mut buf = Vec::new();
        let written = data.write_lines(&mut buf);
        assert_eq!(written.ok(), Some(buf.len() as u64));
        let text = String::from_utf8(buf).unwrap_or_default();
        let lines: Vec<&str> = text.strip_suffix('\n').unwrap_or_default().split('\n').collect();
        assert_eq!(lines, data.values());
    }
}
