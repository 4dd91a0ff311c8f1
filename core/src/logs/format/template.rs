//! LogPAI-style header templates: `<Date> <Time> <Pid> <Level> <Component>: <Content>`.
//!
//! LogPAI (loghub's parsers) turns such a template into the Python regex `^` + literal chunks
//! with every run of spaces replaced by `\s+` + `(?P<Name>.*?)` per field + `$`, and matches it
//! against `line.strip()`. Users compare against LogPAI's output, so this module reproduces the
//! match Python's backtracking `re` would pick, not merely *a* match: lazy fields try the
//! shortest text first, `\s+` tries the longest run first, an optional group is tried before it is
//! skipped, and the first complete match in that order wins.
//!
//! Instead of a general regex engine, the template compiles to a flat program that a
//! backtracking loop walks with an explicit stack (no recursion per byte or per item). What keeps
//! it fast and safe:
//! - a field only ends where the rest of the template can start (the first byte of the next
//!   literal, found with `memchr`, or a whitespace byte before a space run), so the first path
//!   the search tries is nearly always the match, and it is walked straight, with no stack;
//! - failures are remembered per (instruction, position), so any template against any line is
//!   polynomial (without it `(a)?(a)?(a)?...` against `aaa...` is exponential, in Python too),
//!   and a few per-line caches keep the usual attacks (long runs of spaces, many adjacent
//!   fields) linear in the line.

use crate::{Error, ErrorKind, Result};
use memchr::{memchr, memchr2, memchr3};

/// Deeper nesting of `( ... )?` is rejected: no real header needs it, and it bounds every
/// per-template structure.
const MAX_NESTING: usize = 128;

/// Column names the table adds itself.
const RESERVED: [&str; 3] = ["error", "error_offset", "line"];

/// Backtracking steps allowed before failures are memoized: real lines stay below it and never pay
/// for allocating and clearing the memo.
const MEMO_BUDGET: usize = 256;

/// The largest memo kept as a bitset; a bigger one (huge line and huge template) is a hash set
/// holding only the states actually visited.
const MAX_MEMO_BITS: usize = 1 << 26;

/// The whitespace of `\s` and `str.strip()` in LogPAI's Python, restricted to ASCII: space, `\t`,
/// `\n`, `\v`, `\f`, `\r`. (Python also counts `\x1c`..`\x1f` and Unicode spaces such as U+00A0;
/// log headers do not separate fields with those.)
#[inline]
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// The bytes of [`is_ws`], in increasing order.
const WS: [u8; 6] = [b'\t', b'\n', b'\x0b', b'\x0c', b'\r', b' '];

/// How a field's text is meant to be converted (the template only records it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TemplateType {
    /// `<Name>`, `<Name:str>`, `<Name:string>`.
    Text,
    /// `<Name:int>`.
    Int,
    /// `<Name:float>`.
    Float,
}

/// One `<Name>` of a template, in the order the template names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TemplateField {
    /// The column name, verbatim (LogPAI style: `Content`, `PID`).
    pub name: String,
    pub ty: TemplateType,
}

/// A compiled header template; see the module documentation for the syntax and semantics.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    fields: Vec<TemplateField>,
    insts: Vec<Inst>,
    /// The bytes of all `Inst::Lit`s.
    literals: Vec<u8>,
    /// How many `Ws` and `Opt` instructions there are (rows of the memo).
    slots: usize,
}

#[derive(Debug, Clone)]
enum Inst {
    /// Exact bytes `literals[start..end]` (never empty).
    Lit { start: usize, end: usize },
    /// `\s+`, greedy.
    Ws { slot: usize, follow: Follow },
    /// `(?P<name>.*?)`, lazy.
    Field { field: usize, follow: Follow },
    /// `(` of `( ... )?`: enter first, else continue at `skip` with the group's fields
    /// (`first_field..end_field`) absent.
    Opt { slot: usize, skip: usize, first_field: usize, end_field: usize },
    /// `$`.
    End,
}

/// Where the continuation after a field or a space run can start: the only positions worth
/// trying as the end of that field or run.
#[derive(Debug, Clone, Default)]
struct Follow {
    scan: Scan,
    /// Bytes that can start the continuation.
    set: [u64; 4],
    /// The continuation starts with a field, so it can start anywhere.
    any: bool,
    /// The continuation can match nothing at the end of the line.
    at_end: bool,
    /// The continuation can start on a whitespace byte (else a space run ends only where the run
    /// of whitespace ends).
    ws_inside: bool,
}

#[derive(Debug, Clone, Copy, Default)]
enum Scan {
    /// Only the end of the line (the continuation consumes nothing): the last field.
    #[default]
    EndOnly,
    Any,
    One(u8),
    Two(u8, u8),
    Three(u8, u8, u8),
    /// Exactly the whitespace bytes: a field before a space run.
    Ws,
    Set,
}

impl Follow {
    #[inline]
    fn accepts(&self, b: u8) -> bool {
        self.any || self.set[usize::from(b >> 6)] >> (b & 63) & 1 != 0
    }

    /// The first candidate end in `from..limit` (the line ends at `line.len()`).
    #[inline(always)]
    fn first_end(&self, line: &[u8], from: usize, limit: usize) -> Option<usize> {
        let n = line.len();
        let stop = limit.min(n);
        if let Some(hay) = line.get(from..stop) {
            let hit = match self.scan {
                Scan::EndOnly => None,
                Scan::Any => Some(0).filter(|_| !hay.is_empty()),
                Scan::One(a) => memchr(a, hay),
                Scan::Two(a, b) => memchr2(a, b, hay),
                Scan::Three(a, b, c) => memchr3(a, b, c, hay),
                Scan::Ws => hay.iter().position(|&b| is_ws(b)),
                Scan::Set => hay.iter().position(|&b| self.accepts(b)),
            };
            if let Some(i) = hit {
                return Some(from + i);
            }
        }
        (self.at_end && from <= n && n < limit).then_some(n)
    }

    /// The last candidate end in `after + 1..=hi` of a space run that reaches `run_end`.
    #[inline]
    fn last_ws_end(&self, line: &[u8], after: usize, hi: usize, run_end: usize) -> Option<usize> {
        if hi <= after {
            return None;
        }
        let mut e = hi;
        if e == run_end {
            let ok = match line.get(e) {
                Some(&b) => self.accepts(b),
                None => self.at_end,
            };
            if ok {
                return Some(e);
            }
            e -= 1;
        }
        if !self.ws_inside {
            return None;
        }
        while e > after {
            if line.get(e).is_some_and(|&b| self.accepts(b)) {
                return Some(e);
            }
            e -= 1;
        }
        None
    }
}

/// What the program can consume first from some instruction on.
#[derive(Debug, Clone, Copy, Default)]
struct First {
    set: [u64; 4],
    any: bool,
    at_end: bool,
}

impl First {
    fn add(&mut self, b: u8) {
        self.set[usize::from(b >> 6)] |= 1 << (b & 63);
    }

    fn union(self, other: First) -> First {
        let mut set = self.set;
        for (a, b) in set.iter_mut().zip(other.set) {
            *a |= b;
        }
        First { set, any: self.any || other.any, at_end: self.at_end || other.at_end }
    }

    fn follow(self) -> Follow {
        let bytes: Vec<u8> =
            (0..=255u8).filter(|&b| self.set[usize::from(b >> 6)] >> (b & 63) & 1 != 0).collect();
        let scan = if self.any {
            Scan::Any
        } else {
            match bytes[..] {
                [] => Scan::EndOnly,
                [a] => Scan::One(a),
                [a, b] => Scan::Two(a, b),
                [a, b, c] => Scan::Three(a, b, c),
                _ if bytes == WS => Scan::Ws,
                _ => Scan::Set,
            }
        };
        let ws_inside = self.any || bytes.iter().any(|&b| is_ws(b));
        Follow { scan, set: self.set, any: self.any, at_end: self.at_end, ws_inside }
    }
}

fn bad(spec: &str, at: usize, what: &str) -> Error {
    Error::new(ErrorKind::Parse, format!("template {spec:?}: {what} at byte {at}")).at_offset(at as u64)
}

/// The template being compiled.
struct Builder<'a> {
    spec: &'a str,
    insts: Vec<Inst>,
    literals: Vec<u8>,
    /// Literal bytes not yet emitted (adjacent literal text becomes one instruction).
    pending: Vec<u8>,
    fields: Vec<TemplateField>,
    /// Open groups: (index of their `Opt`, byte offset of their `(`).
    groups: Vec<(usize, usize)>,
    slots: usize,
}

impl Builder<'_> {
    fn flush(&mut self) {
        if !self.pending.is_empty() {
            let start = self.literals.len();
            self.literals.append(&mut self.pending);
            self.insts.push(Inst::Lit { start, end: self.literals.len() });
        }
    }

    fn slot(&mut self) -> usize {
        self.slots += 1;
        self.slots - 1
    }

    /// Compiles the `<...>` at `at`; returns where the text resumes.
    fn field(&mut self, at: usize) -> Result<usize> {
        let spec = self.spec;
        let rest = &spec[at + 1..];
        let close = match rest.find(['<', '>']) {
            Some(i) if rest.as_bytes()[i] == b'>' => i,
            _ => return Err(bad(spec, at, "unclosed `<` (write a literal `<` as `\\<`)")),
        };
        let inner = &rest[..close];
        let (name, ty) = match inner.split_once(':') {
            None => (inner, TemplateType::Text),
            Some((name, ty)) => {
                let ty = match ty {
                    "int" => TemplateType::Int,
                    "float" => TemplateType::Float,
                    "str" | "string" => TemplateType::Text,
                    other => {
                        return Err(bad(
                            spec,
                            at,
                            &format!("unknown field type {other:?} (expected `int`, `float` or `str`)"),
                        ));
                    }
                };
                (name, ty)
            }
        };
        if name.is_empty() {
            return Err(bad(spec, at, "empty field name"));
        }
        if name.chars().any(char::is_whitespace) {
            return Err(bad(spec, at, &format!("field name {name:?} contains whitespace")));
        }
        if RESERVED.contains(&name) {
            return Err(bad(
                spec,
                at,
                &format!(
                    "field name {name:?} is reserved (the table adds `error`, `error_offset` and `line`)"
                ),
            ));
        }
        if self.fields.iter().any(|f| f.name == name) {
            return Err(bad(spec, at, &format!("duplicate field name {name:?}")));
        }
        self.flush();
        self.insts.push(Inst::Field { field: self.fields.len(), follow: Follow::default() });
        self.fields.push(TemplateField { name: name.to_owned(), ty });
        Ok(at + 1 + close + 1)
    }
}

impl Template {
    /// Compiles a template such as `<Month> <Date> <Time> <Level> <Component>([<PID>])?: <Content>`.
    ///
    /// - `<Name>` is a field, `<Name:int>` / `<Name:float>` (or `:str`) records a type. Names are
    ///   column names, verbatim; they must be unique, without whitespace, and not one of the
    ///   table's own `error`, `error_offset`, `line`. Two fields may be adjacent.
    /// - A run of spaces matches one or more whitespace bytes; any other text, including tabs,
    ///   matches exactly.
    /// - `( ... )?` is an optional group (nesting allowed); every other `(` or `)` is an error.
    /// - `\` makes the next character literal (`\(`, `\)`, `\<`, `\?`, `\\`, `\ ` a single exact
    ///   space, and `\[` so LogPAI's own templates work unchanged). A backslash before a letter or
    ///   digit is an error: in a LogPAI template `\s` or `\d` is a regex class, which this syntax
    ///   does not have, so accepting it as a plain letter would silently change the meaning.
    /// - A `?` not closing a group, `[`, `]`, `>` and other punctuation are literal.
    /// - Space at the very start or end of the template is an error: lines are matched with
    ///   their surrounding whitespace removed, so it could never match.
    pub(crate) fn compile(spec: &str) -> Result<Template> {
        let mut b = Builder {
            spec,
            insts: Vec::new(),
            literals: Vec::new(),
            pending: Vec::new(),
            fields: Vec::new(),
            groups: Vec::new(),
            slots: 0,
        };
        let bytes = spec.as_bytes();
        let mut i = 0;
        while let Some(&c) = bytes.get(i) {
            match c {
                b' ' => {
                    b.flush();
                    while bytes.get(i) == Some(&b' ') {
                        i += 1;
                    }
                    let slot = b.slot();
                    b.insts.push(Inst::Ws { slot, follow: Follow::default() });
                }
                b'\\' => {
                    let Some(next) = spec[i + 1..].chars().next() else {
                        return Err(bad(spec, i, "backslash at the end of the template"));
                    };
                    if next.is_ascii_alphanumeric() {
                        return Err(bad(
                            spec,
                            i,
                            &format!(
                                "`\\{next}`: only punctuation and space can be escaped (there are no regex classes)"
                            ),
                        ));
                    }
                    let mut utf8 = [0; 4];
                    b.pending.extend_from_slice(next.encode_utf8(&mut utf8).as_bytes());
                    i += 1 + next.len_utf8();
                }
                b'<' => i = b.field(i)?,
                b'(' => {
                    if b.groups.len() >= MAX_NESTING {
                        return Err(bad(spec, i, &format!("groups nested deeper than {MAX_NESTING}")));
                    }
                    b.flush();
                    b.groups.push((b.insts.len(), i));
                    let slot = b.slot();
                    let first_field = b.fields.len();
                    b.insts.push(Inst::Opt { slot, skip: 0, first_field, end_field: first_field });
                    i += 1;
                }
                b')' => {
                    let Some((opt, _)) = b.groups.pop() else {
                        return Err(bad(spec, i, "`)` without an open `(` (write a literal `)` as `\\)`)"));
                    };
                    if bytes.get(i + 1) != Some(&b'?') {
                        return Err(bad(
                            spec,
                            i,
                            "`)` not followed by `?` (groups are optional: `( ... )?`)",
                        ));
                    }
                    b.flush();
                    let skip = b.insts.len();
                    let fields_now = b.fields.len();
                    if let Some(Inst::Opt { skip: s, end_field, .. }) = b.insts.get_mut(opt) {
                        *s = skip;
                        *end_field = fields_now;
                    }
                    i += 2;
                }
                _ => {
                    b.pending.push(c);
                    i += 1;
                }
            }
        }
        b.flush();
        if let Some(&(_, at)) = b.groups.last() {
            return Err(bad(spec, at, "`(` not closed by `)?`"));
        }
        if b.fields.is_empty() {
            return Err(Error::new(
                ErrorKind::Parse,
                format!("template {spec:?} has no fields (write them as `<Name>`)"),
            ));
        }
        if matches!(b.insts.first(), Some(Inst::Ws { .. })) {
            return Err(bad(spec, 0, "leading space (lines are matched without their leading whitespace)"));
        }
        if matches!(b.insts.last(), Some(Inst::Ws { .. })) && spec.ends_with(' ') {
            let at = spec.trim_end_matches(' ').len();
            return Err(bad(
                spec,
                at,
                "trailing space (lines are matched without their trailing whitespace)",
            ));
        }
        b.insts.push(Inst::End);

        // What each instruction can consume first, from the end backwards: an instruction only
        // continues at later ones.
        let mut first = vec![First::default(); b.insts.len()];
        for pc in (0..b.insts.len()).rev() {
            let next = first.get(pc + 1).copied().unwrap_or_default();
            first[pc] = match &b.insts[pc] {
                Inst::End => First { at_end: true, ..First::default() },
                Inst::Lit { start, .. } => {
                    let mut f = First::default();
                    if let Some(&c) = b.literals.get(*start) {
                        f.add(c);
                    }
                    f
                }
                Inst::Ws { .. } => {
                    let mut f = First::default();
                    for c in WS {
                        f.add(c);
                    }
                    f
                }
                Inst::Field { .. } => First { any: true, ..next },
                Inst::Opt { skip, .. } => next.union(first.get(*skip).copied().unwrap_or_default()),
            };
        }
        for (pc, inst) in b.insts.iter_mut().enumerate() {
            if let Inst::Ws { follow, .. } | Inst::Field { follow, .. } = inst {
                *follow = first.get(pc + 1).copied().unwrap_or_default().follow();
            }
        }
        Ok(Template { fields: b.fields, insts: b.insts, literals: b.literals, slots: b.slots })
    }

    /// The fields, in template order (the order of `match_line`'s output).
    pub(crate) fn fields(&self) -> &[TemplateField] {
        &self.fields
    }

    /// Matches `line` (without its line terminator) the way LogPAI's regex matches
    /// `line.strip()`.
    ///
    /// On success `out` holds one entry per field: `Some((start, end))`, byte offsets into `line`
    /// (not into the stripped line), or `None` for a field inside an optional group that was
    /// skipped (an empty match is `Some` of an empty range). On failure `out` is unspecified
    /// and the error is the furthest byte offset the match reached.
    pub(crate) fn match_line(
        &self,
        line: &[u8],
        out: &mut Vec<Option<(usize, usize)>>,
        scratch: &mut MatchScratch,
    ) -> std::result::Result<(), usize> {
        let mut start = 0;
        while line.get(start).is_some_and(|&b| is_ws(b)) {
            start += 1;
        }
        let mut end = line.len();
        while end > start && line.get(end - 1).is_some_and(|&b| is_ws(b)) {
            end -= 1;
        }
        out.clear();
        out.resize(self.fields.len(), None);
        let line = &line[..end];
        if self.first_path(line, start, out) {
            return Ok(());
        }
        out.fill(None);
        scratch.prepare(self.insts.len());
        self.run(line, start, out, scratch)
    }

    /// The first path the search tries (every field at its first candidate end, every space run
    /// whole, every group entered), which is the answer for nearly every line: a straight walk
    /// through the program with no frames to push. False when it fails somewhere.
    #[inline]
    fn first_path(&self, line: &[u8], start: usize, out: &mut [Option<(usize, usize)>]) -> bool {
        let n = line.len();
        let mut pos = start;
        let mut rest = &self.insts[..];
        while let Some((inst, tail)) = rest.split_first() {
            rest = tail;
            match inst {
                Inst::End => return pos == n,
                Inst::Lit { start: a, end: b } => {
                    if !self.literal_at(line, pos, *a, *b) {
                        return false;
                    }
                    pos += b - a;
                }
                Inst::Field { field, follow } => {
                    let Some(e) = follow.first_end(line, pos, n + 1) else { return false };
                    if let Some(o) = out.get_mut(*field) {
                        *o = Some((pos, e));
                    }
                    pos = e;
                }
                Inst::Ws { follow, .. } => {
                    let mut run_end = pos;
                    while line.get(run_end).is_some_and(|&b| is_ws(b)) {
                        run_end += 1;
                    }
                    let Some(e) = follow.last_ws_end(line, pos, run_end, run_end) else { return false };
                    pos = e;
                }
                Inst::Opt { skip, .. } => {
                    // A group that starts with a literal not at `pos` fails before making any
                    // choice, so the search would skip it next: do that here. (Its fields are
                    // still `None`: nothing wrote them.)
                    if let Some(&Inst::Lit { start: a, end: b }) = rest.first()
                        && !self.literal_at(line, pos, a, b)
                    {
                        rest = self.insts.get(*skip..).unwrap_or_default();
                    }
                }
            }
        }
        false
    }

    #[inline]
    fn literal_at(&self, line: &[u8], pos: usize, a: usize, b: usize) -> bool {
        let lit = self.literals.get(a..b).unwrap_or_default();
        let have = line.get(pos..).unwrap_or_default();
        // Literals are a few bytes: a byte loop beats a call to `memcmp`.
        have.len() >= lit.len() && have.iter().zip(lit).all(|(x, y)| x == y)
    }

    /// The backtracking loop over `line[start..]` (already stripped at the end). It walks the
    /// program forward, pushing a frame at each choice, and on failure resumes the newest frame
    /// with its next alternative: Python's order, without recursion.
    ///
    /// Why the captures need no undo log: the program has no loops, so on the final path each
    /// field is written when the path passes it and never again, and the fields of a skipped
    /// group are reset when the skip is taken.
    fn run(
        &self,
        line: &[u8],
        start: usize,
        out: &mut [Option<(usize, usize)>],
        scratch: &mut MatchScratch,
    ) -> std::result::Result<(), usize> {
        let n = line.len();
        let mut pc = 0;
        let mut pos = start;
        let mut furthest = start;
        let mut backtracks = 0usize;
        let MatchScratch { stack, fail_from, ws_run, ws_lo, dirty, memo, memo_budget } = scratch;
        stack.clear();
        let mut run_cache = RunCache::default();
        'forward: loop {
            furthest = furthest.max(pos);
            let Some(inst) = self.insts.get(pc) else { return Err(furthest) };
            match inst {
                Inst::End => {
                    if pos == n {
                        return Ok(());
                    }
                }
                Inst::Lit { start: a, end: b } => {
                    let lit = self.literals.get(*a..*b).unwrap_or_default();
                    let have = line.get(pos..).unwrap_or_default();
                    // Literals are a few bytes: a byte loop beats a call to `memcmp`.
                    let common = have.iter().zip(lit).take_while(|(x, y)| x == y).count();
                    if common == lit.len() {
                        pos += lit.len();
                        pc += 1;
                        continue 'forward;
                    }
                    furthest = furthest.max(pos + common);
                }
                Inst::Field { field, follow } => {
                    // Ends at or after `fail_from[pc]` are known to fail (see `MatchScratch`).
                    let limit = fail_from[pc].min(n + 1);
                    if let Some(e) = follow.first_end(line, pos, limit) {
                        stack.push(Frame::Field { pc, start: pos, end: e });
                        if let Some(o) = out.get_mut(*field) {
                            *o = Some((pos, e));
                        }
                        pc += 1;
                        pos = e;
                        continue 'forward;
                    }
                    fail_from[pc] = fail_from[pc].min(pos);
                    *dirty = true;
                }
                Inst::Ws { slot, follow } => {
                    if !memo.visit(*slot, pos - start) {
                        let run_end = run_cache.end_from(line, pos);
                        // Ends in `ws_lo[pc]..=run_end` of this same run are known to fail.
                        let hi = if ws_run[pc] == run_end { ws_lo[pc] - 1 } else { run_end };
                        if let Some(e) = follow.last_ws_end(line, pos, hi, run_end) {
                            stack.push(Frame::Ws { pc, start: pos, end: e, run_end });
                            pc += 1;
                            pos = e;
                            continue 'forward;
                        }
                        if run_end > pos {
                            note_ws_failure(ws_run, ws_lo, pc, pos, run_end);
                            *dirty = true;
                        }
                    }
                }
                Inst::Opt { slot, .. } => {
                    if !memo.visit(*slot, pos - start) {
                        stack.push(Frame::Opt { pc, pos });
                        pc += 1;
                        continue 'forward;
                    }
                }
            }

            // The current path failed: resume the newest choice that has an alternative left.
            loop {
                let Some(frame) = stack.pop() else { return Err(furthest) };
                backtracks += 1;
                if backtracks > *memo_budget && memo.mode == MemoMode::Off {
                    memo.enable(self.slots, n - start);
                }
                match frame {
                    Frame::Field { pc: at, start: s, end: e } => {
                        let Some(Inst::Field { field, follow }) = self.insts.get(at) else { continue };
                        let limit = fail_from[at].min(n + 1);
                        if let Some(e) = follow.first_end(line, e + 1, limit) {
                            stack.push(Frame::Field { pc: at, start: s, end: e });
                            if let Some(o) = out.get_mut(*field) {
                                *o = Some((s, e));
                            }
                            pc = at + 1;
                            pos = e;
                            continue 'forward;
                        }
                        fail_from[at] = fail_from[at].min(s);
                        *dirty = true;
                    }
                    Frame::Ws { pc: at, start: s, end: e, run_end } => {
                        let Some(Inst::Ws { follow, .. }) = self.insts.get(at) else { continue };
                        if let Some(e) = follow.last_ws_end(line, s, e - 1, run_end) {
                            stack.push(Frame::Ws { pc: at, start: s, end: e, run_end });
                            pc = at + 1;
                            pos = e;
                            continue 'forward;
                        }
                        note_ws_failure(ws_run, ws_lo, at, s, run_end);
                        *dirty = true;
                    }
                    Frame::Opt { pc: at, pos: p } => {
                        let Some(&Inst::Opt { skip, first_field, end_field, .. }) = self.insts.get(at) else {
                            continue;
                        };
                        for o in out.get_mut(first_field..end_field).unwrap_or_default() {
                            *o = None;
                        }
                        pc = skip;
                        pos = p;
                        continue 'forward;
                    }
                }
            }
        }
    }
}

/// The last whitespace run measured, so that visiting every position of a long run does not
/// measure it again each time (quadratic on a line of spaces).
#[derive(Debug, Default)]
struct RunCache {
    /// `line[from..to]` is whitespace and `line[to]` is not (or is the end).
    from: usize,
    to: usize,
}

impl RunCache {
    /// Where the whitespace starting at `pos` ends.
    #[inline]
    fn end_from(&mut self, line: &[u8], pos: usize) -> usize {
        if self.from <= pos && pos < self.to {
            return self.to;
        }
        let mut end = pos;
        while line.get(end).is_some_and(|&b| is_ws(b)) {
            end += 1;
        }
        if end > pos {
            *self = RunCache { from: pos, to: end };
        }
        end
    }
}

/// Records that the space run at `pc` starting at `pos` failed: every end in `pos + 1..=run_end`
/// fails, so a later visit from inside the same run fails at once.
fn note_ws_failure(ws_run: &mut [usize], ws_lo: &mut [usize], pc: usize, pos: usize, run_end: usize) {
    if ws_run[pc] == run_end {
        ws_lo[pc] = ws_lo[pc].min(pos + 1);
    } else {
        ws_run[pc] = run_end;
        ws_lo[pc] = pos + 1;
    }
}

#[derive(Debug, Clone, Copy)]
enum Frame {
    /// A field `pc` that started at `start` and currently ends at `end`.
    Field { pc: usize, start: usize, end: usize },
    /// A space run `pc` that started at `start` and currently ends at `end`.
    Ws { pc: usize, start: usize, end: usize, run_end: usize },
    /// An optional group entered at `pos`, not yet skipped.
    Opt { pc: usize, pos: usize },
}

/// Visited (choice instruction, position) states. Revisiting one means it already failed: the
/// program only moves forward, so a state cannot be reached again from inside its own attempt.
#[derive(Debug, Default)]
struct Memo {
    mode: MemoMode,
    /// Kept across lines so that a second hard line does not allocate again.
    bits: Vec<u64>,
    stride: usize,
    seen: hashbrown::HashSet<(usize, usize), ahash::RandomState>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum MemoMode {
    #[default]
    Off,
    Bits,
    Hash,
}

impl Memo {
    /// Turns memoization on for a line of `span` bytes.
    fn enable(&mut self, slots: usize, span: usize) {
        self.stride = span + 1;
        match slots.checked_mul(self.stride) {
            Some(total) if total <= MAX_MEMO_BITS => {
                self.bits.clear();
                self.bits.resize(total.div_ceil(64), 0);
                self.mode = MemoMode::Bits;
            }
            _ => {
                self.seen.clear();
                self.mode = MemoMode::Hash;
            }
        }
    }

    /// Marks the state visited; true when it already was.
    #[inline]
    fn visit(&mut self, slot: usize, rel: usize) -> bool {
        if self.mode == MemoMode::Off {
            return false;
        }
        self.visit_slow(slot, rel)
    }

    #[inline(never)]
    fn visit_slow(&mut self, slot: usize, rel: usize) -> bool {
        match self.mode {
            MemoMode::Off => false,
            MemoMode::Bits => {
                let i = slot * self.stride + rel;
                match self.bits.get_mut(i / 64) {
                    Some(word) => {
                        let mask = 1u64 << (i % 64);
                        let seen = *word & mask != 0;
                        *word |= mask;
                        seen
                    }
                    None => false,
                }
            }
            MemoMode::Hash => !self.seen.insert((slot, rel)),
        }
    }
}

/// Reusable buffers for [`Template::match_line`]: keep one per thread (and template) so that
/// matching a line allocates nothing once the buffers have grown.
#[derive(Debug)]
pub(crate) struct MatchScratch {
    stack: Vec<Frame>,
    /// Per field instruction: the smallest start known to fail. A field at `p` tries every
    /// candidate end `>= p`, so its failure means every start `>= p` fails too: each field scans
    /// each end at most once per line, whatever the backtracking above it.
    fail_from: Vec<usize>,
    /// Per space run instruction: the run end and lowest end known to fail (see
    /// `note_ws_failure`).
    ws_run: Vec<usize>,
    ws_lo: Vec<usize>,
    /// `fail_from` / `ws_run` hold something from the previous line.
    dirty: bool,
    memo: Memo,
    /// [`MEMO_BUDGET`], except in tests that exercise the memo on short lines.
    memo_budget: usize,
}

impl Default for MatchScratch {
    fn default() -> Self {
        MatchScratch {
            stack: Vec::new(),
            fail_from: Vec::new(),
            ws_run: Vec::new(),
            ws_lo: Vec::new(),
            dirty: false,
            memo: Memo::default(),
            memo_budget: MEMO_BUDGET,
        }
    }
}

impl MatchScratch {
    fn prepare(&mut self, insts: usize) {
        if self.fail_from.len() != insts || self.dirty {
            self.fail_from.clear();
            self.fail_from.resize(insts, usize::MAX);
            self.ws_run.clear();
            self.ws_run.resize(insts, usize::MAX);
            self.ws_lo.clear();
            self.ws_lo.resize(insts, 0);
            self.dirty = false;
        }
        self.memo.mode = MemoMode::Off;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Spans = Vec<Option<(usize, usize)>>;

    /// The fields' texts, `None` for absent ones; `Err` with the offset on failure.
    fn texts(spec: &str, line: &str) -> std::result::Result<Vec<Option<String>>, usize> {
        let template = Template::compile(spec).unwrap();
        let mut out = Vec::new();
        let mut scratch = MatchScratch::default();
        template.match_line(line.as_bytes(), &mut out, &mut scratch)?;
        assert_eq!(out.len(), template.fields().len());
        Ok(out.iter().map(|r| r.map(|(a, b)| line[a..b].to_owned())).collect())
    }

    fn some(values: &[&str]) -> Vec<Option<String>> {
        values.iter().map(|v| Some((*v).to_owned())).collect()
    }

    fn compile_error(spec: &str) -> String {
        let err = Template::compile(spec).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Parse, "{spec:?}");
        err.message().to_owned()
    }

    #[test]
    fn optional_group_present_and_absent() {
        let spec = "<Month> <Date> <Time> <Level> <Component>([<PID>])?: <Content>";
        let line = "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown";
        assert_eq!(
            texts(spec, line).unwrap(),
            some(&["Jun", "14", "15:16:01", "combo", "sshd(pam_unix)", "19939", "check pass; user unknown"])
        );
        let got = texts(spec, "Jun 15 04:06:20 combo logrotate: ALERT exited abnormally with [1]").unwrap();
        assert_eq!(got[4].as_deref(), Some("logrotate"));
        assert_eq!(got[5], None);
        assert_eq!(got[6].as_deref(), Some("ALERT exited abnormally with [1]"));
        // The group is tried first, but `]` must be followed by `:`.
        let got = texts(spec, "Jun 15 04:06:20 combo kernel[x]y: z").unwrap();
        assert_eq!((got[4].as_deref(), got[5].as_deref()), (Some("kernel[x]y"), None));
        // An empty match is not an absent one.
        let got = texts(spec, "Jun 15 04:06:20 combo cron[]: z").unwrap();
        assert_eq!((got[4].as_deref(), got[5].as_deref()), (Some("cron"), Some("")));
    }

    #[test]
    fn nested_groups() {
        let spec = "<a>( x<b>( y<c>)?)?;<d>";
        assert_eq!(texts(spec, "1 x2 y3;4").unwrap(), some(&["1", "2", "3", "4"]));
        assert_eq!(
            texts(spec, "1 x2;4").unwrap(),
            vec![Some("1".into()), Some("2".into()), None, Some("4".into())]
        );
        assert_eq!(texts(spec, "1;4").unwrap(), vec![Some("1".into()), None, None, Some("4".into())]);
        // The inner group fails after having matched `c`, then the outer one is skipped too:
        // both absent, whatever was tried.
        assert_eq!(texts(spec, "1 x2 y3").unwrap_err(), 6);
        assert_eq!(
            texts(spec, "1 x2 y;4 x").unwrap(),
            vec![Some("1".into()), Some("2".into()), Some("".into()), Some("4 x".into())]
        );
    }

    #[test]
    fn escapes() {
        let spec = r"<Component>[<PID>]( \(<Address>\))?: <Content>";
        assert_eq!(
            texts(spec, "dhcpd[12] (10.0.0.1): DHCPACK").unwrap(),
            some(&["dhcpd", "12", "10.0.0.1", "DHCPACK"])
        );
        assert_eq!(
            texts(spec, "dhcpd[12]: DHCPACK").unwrap(),
            vec![Some("dhcpd".into()), Some("12".into()), None, Some("DHCPACK".into())]
        );
        // LogPAI's own spelling `\[` means the same as `[`; `\<`, `\?`, `\\` and `\ ` are literal.
        assert_eq!(texts(r"\[<a>\] \<<b>\?\\\ <c>", "[x]  <y?\\ z").unwrap(), some(&["x", "y", "z"]));
        assert_eq!(texts(r"<a>\ <b>", "x  y").unwrap(), some(&["x", " y"]));
        // A bare `?` is literal too.
        assert_eq!(texts("<a>?<b>", "x?y").unwrap(), some(&["x", "y"]));
    }

    #[test]
    fn whitespace_runs() {
        let spec = "<a> <b>  <c>";
        assert_eq!(texts(spec, "x\t \ty\r\x0b\x0cz w").unwrap(), some(&["x", "y", "z w"]));
        // A tab in the template is exact.
        assert_eq!(texts("<a>\t<b>", "x\ty z").unwrap(), some(&["x", "y z"]));
        assert!(texts("<a>\t<b>", "x y").is_err());
        // `\s+` is greedy, the next field lazy: the run takes all the whitespace.
        assert_eq!(texts("<a> <b>", "x   y").unwrap(), some(&["x", "y"]));
        // ...but gives some back when the rest needs it.
        assert_eq!(texts("<a> <b> <c>", "x  y").unwrap(), some(&["x", "", "y"]));
    }

    #[test]
    fn surrounding_whitespace_is_ignored_and_offsets_are_into_the_line() {
        let template = Template::compile("<a>: <b>").unwrap();
        let mut out = Vec::new();
        let mut scratch = MatchScratch::default();
        template.match_line(b" \t key:  value here \r ", &mut out, &mut scratch).unwrap();
        assert_eq!(out, vec![Some((3, 6)), Some((9, 19))]);
        assert!(template.match_line(b"   ", &mut out, &mut scratch).is_err());
        let single = Template::compile("<a>").unwrap();
        single.match_line(b"   ", &mut out, &mut scratch).unwrap();
        assert_eq!(out, vec![Some((3, 3))]);
    }

    #[test]
    fn empty_and_adjacent_fields() {
        assert_eq!(texts("<a>:<b>:<c>", "::x").unwrap(), some(&["", "", "x"]));
        assert_eq!(texts("<a><b>", "xy").unwrap(), some(&["", "xy"]));
        assert_eq!(texts("<a><b>:<c>", "x:y:z").unwrap(), some(&["", "x", "y:z"]));
        assert_eq!(texts("<a>", "").unwrap(), some(&[""]));
        // The last field takes the rest, the others the shortest text that works.
        assert_eq!(texts("<a>:<b>", "1:2:3").unwrap(), some(&["1", "2:3"]));
        assert_eq!(texts("<a>:<b>:", "1:2:3:").unwrap(), some(&["1", "2:3"]));
    }

    #[test]
    fn non_matching_line_reports_how_far_it_got() {
        let spec = "<Date> <Time> <Pid> <Level> <Component>: <Content>";
        // Everything up to the missing `:` after the component matched.
        let line = "081109 203615 148 INFO dfs.DataNode no colon here";
        let at = texts(spec, line).unwrap_err();
        assert!(at >= 23 && at <= line.len(), "{at}");
        assert_eq!(texts("[<a>] <b>", "x] y").unwrap_err(), 0);
        assert_eq!(texts("<a> = <b>", "k =v").unwrap_err(), 3);
    }

    #[test]
    fn field_types_are_recorded() {
        let template = Template::compile("<a:int> <b:float> <c:str> <d:string> <e>").unwrap();
        let types: Vec<_> = template.fields().iter().map(|f| (f.name.as_str(), f.ty)).collect();
        assert_eq!(
            types,
            [
                ("a", TemplateType::Int),
                ("b", TemplateType::Float),
                ("c", TemplateType::Text),
                ("d", TemplateType::Text),
                ("e", TemplateType::Text)
            ]
        );
    }

    #[test]
    fn compile_errors_name_the_problem_and_position() {
        let cases = [
            ("<a> <b", "unclosed `<`", Some(4)),
            ("<a> <b <c>", "unclosed `<`", Some(4)),
            ("<a> <>", "empty field name", Some(4)),
            ("<a> <:int>", "empty field name", Some(4)),
            ("<a> <b:bool>", "unknown field type \"bool\"", Some(4)),
            ("<a> <b:>", "unknown field type \"\"", Some(4)),
            ("<a>(x<b>", "`(` not closed by `)?`", Some(3)),
            ("<a>(x(<b>)?", "`(` not closed by `)?`", Some(3)),
            ("<a>) <b>", "`)` without an open `(`", Some(3)),
            ("<a>(x) <b>", "`)` not followed by `?`", Some(5)),
            ("<a> x\\", "backslash at the end", Some(5)),
            ("<a>\\s<b>", "`\\s`", Some(3)),
            ("no fields here", "has no fields", None),
            ("<a> <a>", "duplicate field name \"a\"", Some(4)),
            ("<line> <b>", "reserved", Some(0)),
            ("<a> <error>", "reserved", Some(4)),
            ("<a> <error_offset>", "reserved", Some(4)),
            ("<my field>", "contains whitespace", Some(0)),
            (" <a>", "leading space", Some(0)),
            ("<a> : <b>  ", "trailing space", Some(9)),
        ];
        for (spec, expected, at) in cases {
            let err = Template::compile(spec).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Parse, "{spec:?}");
            assert!(err.message().contains(expected), "{spec:?}: {err}");
            assert_eq!(err.location().offset, at, "{spec:?}: {err}");
            if let Some(at) = at {
                assert!(err.message().contains(&format!("at byte {at}")), "{spec:?}: {err}");
            }
        }
        // Space inside a group, or escaped, is not at the edge.
        assert!(Template::compile("(<a> )?").is_ok());
        assert!(Template::compile("<a>\\ ").is_ok());
        let deep = format!("<a>{}x{}", "(".repeat(MAX_NESTING + 1), ")?".repeat(MAX_NESTING + 1));
        assert!(compile_error(&deep).contains("nested deeper"));
        let ok = format!("<a>{}x{}", "(".repeat(MAX_NESTING), ")?".repeat(MAX_NESTING));
        assert!(Template::compile(&ok).is_ok());
        // Case-sensitive: `Line` and `Error` are ordinary names.
        assert!(Template::compile("<Line> <Error>").is_ok());
        assert!(Template::compile("<a> > <b>").is_ok());
        assert!(Template::compile("<a>()?<b>").is_ok());
    }

    /// Deterministic PRNG (xorshift64*), so failures reproduce.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() >> 33) as usize % n
        }

        fn pick(&mut self, bytes: &[u8]) -> u8 {
            bytes[self.below(bytes.len())]
        }
    }

    #[test]
    fn memo_remembers_visits_in_both_modes() {
        let mut memo = Memo::default();
        assert!(!memo.visit(3, 5) && !memo.visit(3, 5), "off: nothing is remembered");
        memo.enable(4, 10);
        assert_eq!(memo.mode, MemoMode::Bits);
        assert!(!memo.visit(3, 5) && memo.visit(3, 5) && !memo.visit(3, 4) && !memo.visit(2, 5));
        memo.enable(4, 10);
        assert!(!memo.visit(3, 5), "enabling again clears");
        memo.enable(usize::MAX / 2, 10);
        assert_eq!(memo.mode, MemoMode::Hash);
        assert!(!memo.visit(usize::MAX / 2 - 1, 10) && memo.visit(usize::MAX / 2 - 1, 10));
    }

    #[test]
    fn pathological_templates_finish() {
        // Each returns in milliseconds; without the memo and the caches, some take hours (the
        // groups) or seconds (quadratic scans of the runs).
        let mut rng = Rng(7);
        let mut mixed: Vec<u8> = (0..10_000).map(|_| rng.pick(b" ab")).collect();
        let mut spaces = vec![b' '; 10_000];
        // Non-space ends, so that stripping the line does not remove the spaces.
        for line in [&mut mixed, &mut spaces] {
            line[0] = b'a';
            line[9_999] = b'b';
        }
        let mut out = Vec::new();
        let mut scratch = MatchScratch::default();
        let specs = [
            "<a> <b> <c> <d> <e> <f> <g>x".to_owned(),
            "<a> x".to_owned(),
            "<a><b><c><d>x".to_owned(),
            "<a>( <b>)?( <c>)?( <d>)? x".to_owned(),
            format!("<f>( <h>)?{}<g>x", "( )?".repeat(30)),
        ];
        for spec in &specs {
            let template = Template::compile(spec).unwrap();
            for line in [&mixed, &spaces] {
                assert!(template.match_line(line, &mut out, &mut scratch).is_err(), "{spec}");
            }
        }
        // 2^40 ways to skip the groups, for a plain backtracker.
        let groups = format!("<f>{}{}b", "(a)?".repeat(40), "a".repeat(40));
        let template = Template::compile(&groups).unwrap();
        assert!(template.match_line(&[b'a'; 40], &mut out, &mut scratch).is_err());
        template.match_line(&[b'a'; 41], &mut out, &mut scratch).unwrap_err();
        let mut line = vec![b'a'; 40];
        line.push(b'b');
        template.match_line(&line, &mut out, &mut scratch).unwrap();
        assert_eq!(out, vec![Some((0, 0))]);
        // The scratch, dirty from the failures above, still gives the right answer.
        let template = Template::compile("<a> <b> <c> <d> <e> <f> <g>x").unwrap();
        template.match_line(b"1 2 3 4 5 6 7x", &mut out, &mut scratch).unwrap();
        assert_eq!(out[6], Some((12, 13)));
        template.match_line(b"1 2 3 4 5 6 7  8x", &mut out, &mut scratch).unwrap();
        assert_eq!(out[5], Some((10, 11)));
        assert_eq!(out[6], Some((12, 16)));
    }

    /// A template as a tree, for the reference matcher.
    #[derive(Debug, Clone)]
    enum Node {
        Lit(Vec<u8>),
        Ws,
        Field(usize),
        Opt(Vec<Node>),
    }

    fn reference_ws(b: u8) -> bool {
        b" \t\n\r\x0b\x0c".contains(&b)
    }

    /// Python's backtracking, spelled out: the first alternative (in `re`'s order) whose
    /// continuation `k` succeeds, with the captures copied at every step. Exponential, obviously.
    fn reference_seq(
        seq: &[Node],
        pos: usize,
        line: &[u8],
        caps: Spans,
        k: &mut dyn FnMut(usize, Spans) -> Option<Spans>,
    ) -> Option<Spans> {
        let Some((first, rest)) = seq.split_first() else { return k(pos, caps) };
        match first {
            Node::Lit(lit) => {
                if line[pos..].starts_with(lit) {
                    reference_seq(rest, pos + lit.len(), line, caps, k)
                } else {
                    None
                }
            }
            Node::Ws => {
                let mut run_end = pos;
                while run_end < line.len() && reference_ws(line[run_end]) {
                    run_end += 1;
                }
                (pos + 1..=run_end).rev().find_map(|e| reference_seq(rest, e, line, caps.clone(), k))
            }
            Node::Field(f) => (pos..=line.len()).find_map(|e| {
                let mut caps = caps.clone();
                caps[*f] = Some((pos, e));
                reference_seq(rest, e, line, caps, k)
            }),
            Node::Opt(inner) => {
                let entered = {
                    let mut after = |p: usize, c: Spans| reference_seq(rest, p, line, c, k);
                    reference_seq(inner, pos, line, caps.clone(), &mut after)
                };
                entered.or_else(|| reference_seq(rest, pos, line, caps, k))
            }
        }
    }

    fn reference_match(seq: &[Node], fields: usize, line: &[u8]) -> Option<Spans> {
        let start = line.iter().position(|&b| !reference_ws(b)).unwrap_or(line.len());
        let end = line.iter().rposition(|&b| !reference_ws(b)).map_or(start, |i| i + 1);
        let stripped = &line[..end];
        reference_seq(seq, start, stripped, vec![None; fields], &mut |p, caps| (p == end).then_some(caps))
    }

    fn gen_seq(rng: &mut Rng, depth: usize, fields: &mut usize) -> Vec<Node> {
        let mut seq: Vec<Node> = Vec::new();
        for _ in 0..1 + rng.below(4) {
            let node = match rng.below(10) {
                0..=2 => Node::Field({
                    *fields += 1;
                    *fields - 1
                }),
                3..=4 if !matches!(seq.last(), Some(Node::Ws)) => Node::Ws,
                5 if depth < 3 => Node::Opt(gen_seq(rng, depth + 1, fields)),
                _ => Node::Lit((0..1 + rng.below(2)).map(|_| rng.pick(b"ab:[ \t()?<\\")).collect()),
            };
            seq.push(node);
        }
        seq
    }

    fn render(seq: &[Node], rng: &mut Rng, spec: &mut String) {
        for node in seq {
            match node {
                Node::Lit(lit) => {
                    for &b in lit {
                        let escape = match b {
                            b' ' | b'(' | b')' | b'<' | b'\\' => true,
                            b'?' | b':' | b'[' => rng.below(2) == 0,
                            _ => false,
                        };
                        if escape {
                            spec.push('\\');
                        }
                        spec.push(char::from(b));
                    }
                }
                Node::Ws => spec.push_str(if rng.below(2) == 0 { " " } else { "  " }),
                Node::Field(f) => spec.push_str(&format!("<f{f}>")),
                Node::Opt(inner) => {
                    spec.push('(');
                    render(inner, rng, spec);
                    spec.push_str(")?");
                }
            }
        }
    }

    /// A line the template likely matches, then perhaps damaged.
    fn instantiate(seq: &[Node], rng: &mut Rng, line: &mut Vec<u8>) {
        for node in seq {
            match node {
                Node::Lit(lit) => line.extend_from_slice(lit),
                Node::Ws => (0..1 + rng.below(2)).for_each(|_| line.push(rng.pick(b"  \t"))),
                Node::Field(_) => (0..rng.below(4)).for_each(|_| line.push(rng.pick(b"ab :[\t"))),
                Node::Opt(inner) => {
                    if rng.below(2) == 0 {
                        instantiate(inner, rng, line);
                    }
                }
            }
        }
    }

    #[test]
    fn matches_a_reference_backtracker() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut out = Vec::new();
        let mut scratch = MatchScratch::default();
        // The memo only starts after many backtracks, which short lines never reach.
        let mut memo_at_once = MatchScratch { memo_budget: 0, ..MatchScratch::default() };
        let (mut compared, mut matched, mut rejected) = (0, 0, 0);
        for _ in 0..1500 {
            let mut fields = 0;
            let mut seq = gen_seq(&mut rng, 0, &mut fields);
            if fields == 0 {
                seq.insert(rng.below(seq.len() + 1), Node::Field(0));
                fields = 1;
                // Renumber in template order.
                let mut next = 0;
                fn renumber(seq: &mut [Node], next: &mut usize) {
                    for node in seq {
                        match node {
                            Node::Field(f) => {
                                *f = *next;
                                *next += 1;
                            }
                            Node::Opt(inner) => renumber(inner, next),
                            _ => {}
                        }
                    }
                }
                renumber(&mut seq, &mut next);
            }
            let mut spec = String::new();
            render(&seq, &mut rng, &mut spec);
            let edge_space = matches!(seq.first(), Some(Node::Ws)) || matches!(seq.last(), Some(Node::Ws));
            let template = match Template::compile(&spec) {
                Ok(t) => t,
                Err(e) => {
                    assert!(edge_space, "{spec:?}: {e}");
                    rejected += 1;
                    continue;
                }
            };
            assert!(!edge_space, "{spec:?} should be rejected");
            assert_eq!(template.fields().len(), fields, "{spec:?}");
            for _ in 0..4 {
                let mut line = Vec::new();
                if rng.below(4) == 0 {
                    (0..rng.below(12)).for_each(|_| line.push(rng.pick(b"ab :[\t()?")));
                } else {
                    if rng.below(3) == 0 {
                        line.push(b' ');
                    }
                    instantiate(&seq, &mut rng, &mut line);
                    if rng.below(3) == 0 {
                        line.push(b'\t');
                    }
                    if rng.below(4) == 0 && !line.is_empty() {
                        let i = rng.below(line.len());
                        line[i] = rng.pick(b"ab :[\t");
                    }
                }
                let expected = reference_match(&seq, fields, &line);
                let got = template.match_line(&line, &mut out, &mut scratch).ok().map(|()| out.clone());
                assert_eq!(got, expected, "{spec:?} against {:?}", String::from_utf8_lossy(&line));
                let got = template.match_line(&line, &mut out, &mut memo_at_once).ok().map(|()| out.clone());
                assert_eq!(got, expected, "{spec:?} against {:?}, memoized", String::from_utf8_lossy(&line));
                compared += 1;
                matched += usize::from(expected.is_some());
            }
        }
        eprintln!("{compared} compared, {matched} matched, {rejected} rejected");
        assert!(
            rejected > 0 && matched > compared / 3 && matched < compared,
            "{compared} {matched} {rejected}"
        );
    }

    // ---- loghub: the six systems LogPAI ships formats for, against its structured output ----

    fn loghub_dir() -> std::path::PathBuf {
        std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/logs/loghub"))
    }

    /// RFC 4180 records: `,` separated, `"` quoted with `""` escapes, CRLF or LF terminated.
    fn parse_csv(text: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut rows = Vec::new();
        let mut row = Vec::new();
        let mut field = Vec::new();
        let mut quoted = false;
        let mut i = 0;
        while i < text.len() {
            let c = text[i];
            if quoted {
                if c == b'"' {
                    if text.get(i + 1) == Some(&b'"') {
                        field.push(b'"');
                        i += 1;
                    } else {
                        quoted = false;
                    }
                } else {
                    field.push(c);
                }
            } else {
                match c {
                    b'"' => quoted = true,
                    b',' => row.push(std::mem::take(&mut field)),
                    b'\r' if text.get(i + 1) == Some(&b'\n') => {}
                    b'\n' => {
                        row.push(std::mem::take(&mut field));
                        rows.push(std::mem::take(&mut row));
                    }
                    _ => field.push(c),
                }
            }
            i += 1;
        }
        if !field.is_empty() || !row.is_empty() {
            row.push(field);
            rows.push(row);
        }
        rows
    }

    #[test]
    fn csv_reader() {
        let rows = parse_csv(b"a,b\r\n1,\"x, \"\"y\"\"\r\nz\"\r\n2,\n");
        assert_eq!(
            rows,
            vec![
                vec![b"a".to_vec(), b"b".to_vec()],
                vec![b"1".to_vec(), b"x, \"y\"\r\nz".to_vec()],
                vec![b"2".to_vec(), vec![]]
            ]
        );
    }

    /// Matches every line of `<system>_2k.log` and compares each header column of LogPAI's
    /// `_structured.csv` with the matched text. An empty cell is how pandas wrote an absent
    /// field (Python's `None`), so it must be absent or empty here.
    fn check_loghub(system: &str, spec: &str) {
        let dir = loghub_dir().join(system);
        let (Ok(log), Ok(csv)) = (
            std::fs::read(dir.join(format!("{system}_2k.log"))),
            std::fs::read(dir.join(format!("{system}_2k.log_structured.csv"))),
        ) else {
            eprintln!("skipping: loghub {system} not found under {}", loghub_dir().display());
            return;
        };
        let template = Template::compile(spec).unwrap();
        let mut lines: Vec<&[u8]> = log.split(|&b| b == b'\n').collect();
        if lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        let rows = parse_csv(&csv);
        let header = &rows[0];
        let column = |name: &str| header.iter().position(|h| h == name.as_bytes());
        let line_id = column("LineId").unwrap();
        let expected_columns: Vec<&[u8]> = header
            .iter()
            .map(|h| &h[..])
            .filter(|h| ![&b"LineId"[..], b"EventId", b"EventTemplate"].contains(h))
            .collect();
        let names: Vec<&[u8]> = template.fields().iter().map(|f| f.name.as_bytes()).collect();
        assert_eq!(names, expected_columns, "{system}: the template's fields are the CSV's header columns");
        // LogPAI skips lines its regex does not match; none is skipped in these files.
        assert_eq!(rows.len() - 1, lines.len(), "{system}: CSV rows vs log lines");
        let columns: Vec<usize> = template.fields().iter().map(|f| column(&f.name).unwrap()).collect();
        let mut out = Vec::new();
        let mut scratch = MatchScratch::default();
        let mut absent = 0;
        for row in &rows[1..] {
            let id: usize = std::str::from_utf8(&row[line_id]).unwrap().parse().unwrap();
            let line = lines[id - 1];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            template.match_line(line, &mut out, &mut scratch).unwrap_or_else(|at| {
                panic!("{system} line {id} does not match at {at}: {:?}", String::from_utf8_lossy(line))
            });
            for (f, &c) in columns.iter().enumerate() {
                let got = out[f].map(|(a, b)| &line[a..b]);
                let want = &row[c][..];
                if want.is_empty() {
                    absent += usize::from(got.is_none());
                    assert!(
                        got.is_none_or(<[u8]>::is_empty),
                        "{system} line {id} {}",
                        template.fields()[f].name
                    );
                } else {
                    assert_eq!(
                        got.map(String::from_utf8_lossy),
                        Some(String::from_utf8_lossy(want)),
                        "{system} line {id} {}",
                        template.fields()[f].name
                    );
                }
            }
        }
        eprintln!("{system}: {} lines, {} rows, {absent} absent fields", lines.len(), rows.len() - 1);
    }

    #[test]
    fn loghub_linux() {
        check_loghub("Linux", "<Month> <Date> <Time> <Level> <Component>([<PID>])?: <Content>");
    }

    #[test]
    fn loghub_openssh() {
        check_loghub("OpenSSH", "<Date> <Day> <Time> <Component> sshd[<Pid>]: <Content>");
    }

    #[test]
    fn loghub_hdfs() {
        check_loghub("HDFS", "<Date> <Time> <Pid> <Level> <Component>: <Content>");
    }

    #[test]
    fn loghub_spark() {
        check_loghub("Spark", "<Date> <Time> <Level> <Component>: <Content>");
    }

    #[test]
    fn loghub_zookeeper() {
        check_loghub("Zookeeper", "<Date> <Time> - <Level>  [<Node>:<Component>@<Id>] - <Content>");
    }

    #[test]
    fn loghub_apache() {
        check_loghub("Apache", "[<Time>] [<Level>] <Content>");
    }
}
