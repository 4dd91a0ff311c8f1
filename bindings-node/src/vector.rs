//! The native half of the `vector` namespace: ferrule-core's vector math on `Float32Array` and
//! `Float64Array`.
//!
//! Everything here sits in the loader's internal `__vector` namespace; ferrule.js builds the
//! public `vector` namespace over it. ferrule.js parses the options object into small integer
//! codes, and computes short vectors in JS, because there one N-API call costs more than the
//! whole computation.
//!
//! Two kinds of entry points:
//! - The per-vector calls (1:1 distances, reductions, element-wise operations) are plain N-API
//!   callbacks made by [`native_function`], one JS function per operation code: napi-rs's
//!   generated glue costs about 100 ns a call (its borrow-tracking scope allocates), which is
//!   the whole budget of a 1536-element distance. They take their code from the function's data
//!   (no argument to convert), and ferrule.js tells them the element type it checked (with
//!   %TypedArray%.prototype's toStringTag getter, which reads V8's internal type; `instanceof`
//!   can be fooled by a swapped prototype): then the type is not queried again (a chain of a
//!   dozen V8 calls), only the view's bounds inside its buffer are checked, which is what memory
//!   safety needs (a false claim, possible only by calling these internals directly, would read
//!   the right bytes as the wrong type). Without a claim, the type is checked fully.
//! - The batch calls and their async twins are ordinary `#[napi]` functions: their work dwarfs
//!   any call overhead.
//!
//! Typed arrays are read in place:
//! - a view whose data is not aligned for its element type (possible for memory that another
//!   addon handed to JS as an external buffer, never for memory JS allocated) is copied first:
//!   Rust never sees a misaligned `&[f32]`;
//! - an output that shares memory with an input (`scale(x, 2, x)`), or is misaligned, is
//!   computed into a temporary and copied over at the end;
//! - the `...Async` tasks copy their inputs on the calling thread (so the caller may change them
//!   as soon as the call returns), except inputs backed by a `SharedArrayBuffer`: that memory
//!   can be neither detached nor shrunk, and it lives as long as the reference the task holds,
//!   so it is read in place from the worker thread. The caller must not write it from another
//!   thread until the promise settles (documented in ferrule.d.ts): a concurrent write would be
//!   a data race, as with the C API's inputs. An `ArrayBuffer` could be transferred or resized by JS while the task
//!   runs, freeing or unmapping its memory, so none is ever read off the JS thread.

// `clippy --all-targets` also checks this crate as a test harness, where napi-derive registers
// no exports: every export and what only they use would look dead there, and only there.
#![cfg_attr(test, allow(dead_code))]

use crate::errors::{Result, guarded, settle, to_js_err};
use ferrule_core::Error;
use ferrule_core::vector::{self, Element, Matrix, Metric, Precision};
use napi::bindgen_prelude::{
    AsyncTask, Either, Float32Array, Float64Array, FromNapiValue, ToNapiValue, TypeName, Uint32Array,
};
use napi::{Env, Task, ValueType, sys};
use napi_derive::napi;
use std::borrow::Cow;
use std::ffi::c_void;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;

type CoreResult<T> = ferrule_core::Result<T>;

/// Why a vector call failed: a wrong argument type (a `TypeError` in JS) or a core error.
enum Fail {
    Type(String),
    Core(Error),
}

impl From<Error> for Fail {
    fn from(err: Error) -> Fail {
        Fail::Core(err)
    }
}

type VResult<T> = std::result::Result<T, Fail>;

/// The error a `#[napi]` function returns for `fail`: a wrong type becomes napi's own
/// `InvalidArg`, which ferrule.js turns into a `TypeError` with code `FERRULE_INVALID_ARGUMENT`
/// like every argument napi cannot convert.
fn to_napi(fail: Fail) -> napi::Error<&'static str> {
    match fail {
        Fail::Type(message) => napi::Error::new("InvalidArg", message),
        Fail::Core(err) => to_js_err(&err),
    }
}

/// Runs the body of a `#[napi]` function: panics and failures become JS errors with codes.
fn napi_body<T>(body: impl FnOnce() -> VResult<T>) -> Result<T> {
    guarded(|| body().map_err(to_napi))
}

/// A new `Float32Array` or `Float64Array`.
type FloatArray = Either<Float32Array, Float64Array>;

// ------------------------------------------------------------------------------ operation codes
// ferrule.js builds the same numbers (ACCURATE, CLAIM_F32, CLAIM_F64 there).

/// `code` bit asking for [`Precision::Accurate`]; the low four bits name the operation.
const ACCURATE: u32 = 1 << 4;
/// `code` bits telling the element type ferrule.js saw: 0 (unknown: check), F32 or F64.
const CLAIM_SHIFT: u32 = 5;
const CLAIM_F32: u32 = 1;
const CLAIM_F64: u32 = 2;
/// The `pair` operation after the five metrics: cosine similarity.
const COSINE_SIMILARITY: u32 = 5;

/// The operation bits of a code.
fn op_of(code: u32) -> u32 {
    code & 15
}

/// The precision a code asks for.
fn precision_of(code: u32) -> Precision {
    if code & ACCURATE != 0 { Precision::Accurate } else { Precision::Fast }
}

/// The element type ferrule.js says the arrays have, if it knows.
fn claim_of(code: u32) -> Option<Kind> {
    match (code >> CLAIM_SHIFT) & 3 {
        CLAIM_F32 => Some(Kind::F32),
        CLAIM_F64 => Some(Kind::F64),
        _ => None,
    }
}

/// The metric a code names (its index in [`Metric::ALL`]).
fn metric_of(code: u32) -> VResult<Metric> {
    Ok(Metric::ALL
        .get(op_of(code) as usize)
        .copied()
        .ok_or_else(|| Error::internal(format!("unknown metric code {code}")))?)
}

/// JS numbers are exact integers up to 2^53.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A count or dimension given as a JS number: napi's own `u32` conversion would wrap -1 to
/// 4294967295 and truncate 1.5 to 1, so it is taken as a double and checked.
fn to_count(what: &str, value: f64) -> CoreResult<usize> {
    if value >= 0.0 && value.fract() == 0.0 && value <= MAX_SAFE_INTEGER {
        Ok(value as usize)
    } else {
        Err(Error::invalid_argument(format!("{what} must be a non-negative integer, got {value}")))
    }
}

/// The `threads` option: absent or 0 means all cores.
fn to_threads(threads: Option<f64>) -> CoreResult<Option<usize>> {
    threads.map(|t| to_count("threads", t)).transpose()
}

// ------------------------------------------------------------------------------ typed arrays

/// The element type of a float typed array.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    F32,
    F64,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::F32 => "Float32Array",
            Kind::F64 => "Float64Array",
        }
    }

    fn size(self) -> usize {
        match self {
            Kind::F32 => size_of::<f32>(),
            Kind::F64 => size_of::<f64>(),
        }
    }

    fn napi_type(self) -> sys::napi_typedarray_type {
        match self {
            Kind::F32 => sys::TypedarrayType::float32_array,
            Kind::F64 => sys::TypedarrayType::float64_array,
        }
    }
}

/// Runs `$body` with the type alias `$t` set to the element type of `$kind`.
macro_rules! per_kind {
    ($kind:expr, |$t:ident| $body:expr) => {
        match $kind {
            Kind::F32 => {
                type $t = f32;
                $body
            }
            Kind::F64 => {
                type $t = f64;
                $body
            }
        }
    };
}

/// The promise `cdistAsync` returns, for either element type.
type CdistPromise = Either<AsyncTask<CdistTask<f32>>, AsyncTask<CdistTask<f64>>>;
/// The promise `topkAsync` returns, for either element type.
type TopkPromise = Either<AsyncTask<TopkTask<f32>>, AsyncTask<TopkTask<f64>>>;

/// `f32` and `f64` as the typed arrays that hold them.
trait Float: Element {
    const KIND: Kind;
    fn to_js(values: Vec<Self>) -> FloatArray;
    fn cdist_promise(task: CdistTask<Self>) -> CdistPromise;
    fn topk_promise(task: TopkTask<Self>) -> TopkPromise;
}

impl Float for f32 {
    const KIND: Kind = Kind::F32;
    fn to_js(values: Vec<f32>) -> FloatArray {
        Either::A(Float32Array::new(values))
    }
    fn cdist_promise(task: CdistTask<f32>) -> CdistPromise {
        Either::A(AsyncTask::new(task))
    }
    fn topk_promise(task: TopkTask<f32>) -> TopkPromise {
        Either::A(AsyncTask::new(task))
    }
}

impl Float for f64 {
    const KIND: Kind = Kind::F64;
    fn to_js(values: Vec<f64>) -> FloatArray {
        Either::B(Float64Array::new(values))
    }
    fn cdist_promise(task: CdistTask<f64>) -> CdistPromise {
        Either::B(AsyncTask::new(task))
    }
    fn topk_promise(task: TopkTask<f64>) -> TopkPromise {
        Either::B(AsyncTask::new(task))
    }
}

/// A JS argument as it came, converted in the function body so that errors name it.
#[derive(Clone, Copy)]
pub struct Arg {
    env: sys::napi_env,
    value: sys::napi_value,
}

impl FromNapiValue for Arg {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        Ok(Arg { env, value })
    }
}

impl TypeName for Arg {
    fn type_name() -> &'static str {
        "unknown"
    }

    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

const TYPED_ARRAY_NAMES: [&str; 12] = [
    "an Int8Array",
    "a Uint8Array",
    "a Uint8ClampedArray",
    "an Int16Array",
    "a Uint16Array",
    "an Int32Array",
    "a Uint32Array",
    "a Float32Array",
    "a Float64Array",
    "a BigInt64Array",
    "a BigUint64Array",
    "a Float16Array",
];

/// The data of a `Float32Array` or `Float64Array` argument, valid for the call: the argument's
/// handle keeps the array alive, and no JS runs until the call returns.
struct View<'a> {
    kind: Kind,
    /// The first byte of the view (may be null when `len` is 0).
    data: *mut u8,
    /// In elements.
    len: usize,
    _arg: PhantomData<&'a Arg>,
}

impl Arg {
    fn is_undefined(&self) -> bool {
        let mut type_of = sys::ValueType::napi_undefined;
        // SAFETY: live handles of this call, a local output.
        unsafe { sys::napi_typeof(self.env, self.value, &mut type_of) };
        type_of == sys::ValueType::napi_undefined
    }

    /// The float typed array this argument must be, or a `TypeError` naming it `name`. `claim`
    /// is the type ferrule.js saw, which then is not queried again (see the module docs).
    fn floats(&self, name: &str, claim: Option<Kind>) -> VResult<View<'_>> {
        if let Some(view) = claim.and_then(|kind| self.claimed(kind)) {
            return Ok(view);
        }
        let (mut kind, mut len, mut data) = (0, 0, ptr::null_mut());
        // SAFETY: live handles of this call; local outputs, the others null (allowed).
        let status = unsafe {
            sys::napi_get_typedarray_info(
                self.env,
                self.value,
                &mut kind,
                &mut len,
                &mut data,
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
        let kind = match (status, kind) {
            (sys::Status::napi_ok, sys::TypedarrayType::float32_array) => Kind::F32,
            (sys::Status::napi_ok, sys::TypedarrayType::float64_array) => Kind::F64,
            _ => {
                return Err(Fail::Type(format!(
                    "{name} must be a Float32Array or a Float64Array, got {}",
                    self.describe()
                )));
            }
        };
        Ok(View { kind, data: data.cast(), len, _arg: PhantomData })
    }

    /// The view as `kind` if it is a typed array lying inside its (non-shared) `ArrayBuffer`
    /// when read as `kind`: then reading it cannot leave the buffer's memory.
    fn claimed(&self, kind: Kind) -> Option<View<'_>> {
        let (mut len, mut data, mut buffer, mut offset, mut buffer_len) =
            (0, ptr::null_mut(), ptr::null_mut(), 0, 0);
        // SAFETY: live handles of this call; local outputs (null for the ones not needed).
        let known = unsafe {
            sys::napi_get_typedarray_info(
                self.env,
                self.value,
                ptr::null_mut(),
                &mut len,
                &mut data,
                &mut buffer,
                &mut offset,
            ) == sys::Status::napi_ok
                && sys::napi_get_arraybuffer_info(self.env, buffer, ptr::null_mut(), &mut buffer_len)
                    == sys::Status::napi_ok
        };
        let end = len.checked_mul(kind.size()).and_then(|bytes| bytes.checked_add(offset))?;
        (known && end <= buffer_len).then_some(View { kind, data: data.cast(), len, _arg: PhantomData })
    }

    /// What the value is, for error messages: `a number`, `an Array`, `an Int32Array`, ...
    fn describe(&self) -> &'static str {
        let (env, value) = (self.env, self.value);
        let check =
            |f: unsafe extern "C" fn(sys::napi_env, sys::napi_value, *mut bool) -> sys::napi_status| {
                let mut yes = false;
                // SAFETY: live handles, a local output.
                unsafe { f(env, value, &mut yes) == sys::Status::napi_ok && yes }
            };
        let mut type_of = 0;
        // SAFETY: live handles, a local output.
        if unsafe { sys::napi_typeof(env, value, &mut type_of) } != sys::Status::napi_ok {
            return "a value of unknown type";
        }
        match type_of {
            sys::ValueType::napi_undefined => "undefined",
            sys::ValueType::napi_null => "null",
            sys::ValueType::napi_boolean => "a boolean",
            sys::ValueType::napi_number => "a number",
            sys::ValueType::napi_string => "a string",
            sys::ValueType::napi_symbol => "a symbol",
            sys::ValueType::napi_function => "a function",
            sys::ValueType::napi_object if check(sys::napi_is_array) => "an Array",
            sys::ValueType::napi_object if check(sys::napi_is_typedarray) => {
                let mut kind = -1;
                // SAFETY: a typed array (checked); a local output, the others null.
                unsafe {
                    sys::napi_get_typedarray_info(
                        env,
                        value,
                        &mut kind,
                        ptr::null_mut(),
                        ptr::null_mut(),
                        ptr::null_mut(),
                        ptr::null_mut(),
                    )
                };
                usize::try_from(kind)
                    .ok()
                    .and_then(|k| TYPED_ARRAY_NAMES.get(k))
                    .copied()
                    .unwrap_or("a typed array")
            }
            sys::ValueType::napi_object if check(sys::napi_is_dataview) => "a DataView",
            sys::ValueType::napi_object if check(sys::napi_is_arraybuffer) => "an ArrayBuffer",
            sys::ValueType::napi_object => "an object",
            _ => "a value of another type",
        }
    }

    /// Whether the typed array's buffer is a `SharedArrayBuffer` (`napi_is_arraybuffer` says no
    /// to those).
    fn is_shared(&self) -> bool {
        let mut buffer = ptr::null_mut();
        let mut plain = true;
        // SAFETY: live handles; local outputs, the others null.
        unsafe {
            sys::napi_get_typedarray_info(
                self.env,
                self.value,
                ptr::null_mut(),
                ptr::null_mut(),
                ptr::null_mut(),
                &mut buffer,
                ptr::null_mut(),
            ) == sys::Status::napi_ok
                && sys::napi_is_arraybuffer(self.env, buffer, &mut plain) == sys::Status::napi_ok
                && !plain
        }
    }
}

impl View<'_> {
    fn is_aligned(&self) -> bool {
        let align = match self.kind {
            Kind::F32 => align_of::<f32>(),
            Kind::F64 => align_of::<f64>(),
        };
        (self.data as usize).is_multiple_of(align)
    }

    /// Whether the two views share a byte.
    fn overlaps(&self, other: &View<'_>) -> bool {
        let (a, b) = (self.data as usize, other.data as usize);
        a < b + other.len * other.kind.size() && b < a + self.len * self.kind.size()
    }

    /// The elements, borrowed in place when aligned, else copied (see the module docs).
    fn slice<T: Float>(&self) -> CoreResult<Cow<'_, [T]>> {
        if self.kind != T::KIND {
            return Err(Error::internal("a view read as the wrong element type"));
        }
        if self.len == 0 {
            return Ok(Cow::Borrowed(&[]));
        }
        let data = self.data.cast::<T>().cast_const();
        if self.is_aligned() {
            // SAFETY: `len` elements of `T` (kind checked above, or bounds-checked as `T` by
            // `claimed`) at `data`, which is aligned (checked) and non-null (len > 0); the memory
            // stays valid for the call (see `View`), and no JS runs on this thread meanwhile. A
            // `SharedArrayBuffer` that another worker writes during the call would be a data race:
            // the caller's contract, as for the async tasks' shared inputs (module docs).
            Ok(Cow::Borrowed(unsafe { std::slice::from_raw_parts(data, self.len) }))
        } else {
            // SAFETY: as above, read element by element without the alignment requirement.
            Ok(Cow::Owned((0..self.len).map(|i| unsafe { ptr::read_unaligned(data.add(i)) }).collect()))
        }
    }

    /// Runs `compute` on an output of `self.len` elements that ends up in this view: in place
    /// when aligned and sharing no byte with any of `inputs`, else through a temporary copied
    /// over afterwards.
    fn fill<T: Float>(
        &self,
        inputs: [Option<&View<'_>>; 3],
        compute: impl FnOnce(&mut [T]) -> CoreResult<()>,
    ) -> CoreResult<()> {
        if self.kind != T::KIND {
            return Err(Error::internal("an output written as the wrong element type"));
        }
        if self.len == 0 {
            return compute(&mut []);
        }
        if self.is_aligned() && !inputs.iter().flatten().any(|input| input.overlaps(self)) {
            // SAFETY: `len` aligned, non-null elements of `T` (as in `slice`), sharing no byte
            // with any input slice (checked); no JS runs on this thread during the call (another
            // worker touching a `SharedArrayBuffer` output meanwhile: as in `slice`).
            let out = unsafe { std::slice::from_raw_parts_mut(self.data.cast::<T>(), self.len) };
            return compute(out);
        }
        let mut temporary = ferrule_core::alloc::try_filled(self.len, T::ZERO)?;
        compute(&mut temporary)?;
        // SAFETY: the view's `len * size_of::<T>()` bytes are writable; a byte copy needs no
        // alignment and `copy` allows overlap. No input slice is used after this.
        unsafe { ptr::copy(temporary.as_ptr().cast::<u8>(), self.data, size_of_val(temporary.as_slice())) };
        Ok(())
    }
}

/// The element type of both views, or a `TypeError` naming them.
fn same_kind(a: (&str, &View<'_>), b: (&str, &View<'_>)) -> VResult<Kind> {
    if a.1.kind != b.1.kind {
        return Err(Fail::Type(format!(
            "{} is a {} but {} is a {}: use one float type for all",
            a.0,
            a.1.kind.name(),
            b.0,
            b.1.kind.name()
        )));
    }
    Ok(a.1.kind)
}

/// The output `out` must be: the inputs' type and exactly `len` elements.
fn check_out(out: &View<'_>, kind: Kind, len: usize) -> VResult<()> {
    if out.kind != kind {
        return Err(Fail::Type(format!("out is a {} but the inputs are {}s", out.kind.name(), kind.name())));
    }
    if out.len != len {
        return Err(
            Error::length_mismatch(format!("out has {} elements, the result has {len}", out.len)).into()
        );
    }
    Ok(())
}

// ------------------------------------------------------------------------------ raw N-API calls

/// The families of [`native_function`].
const FAMILY_PAIR: u32 = 0;
const FAMILY_REDUCE: u32 = 1;
const FAMILY_ELEMENTWISE: u32 = 2;

/// Throws `fail` as the JS error ferrule.js expects: `code` set, a `TypeError` for wrong types.
///
/// # Safety
/// `env` is the env of the current call into native code.
unsafe fn throw(env: sys::napi_env, fail: Fail) {
    let (code, message, type_error) = match fail {
        Fail::Type(message) => ("FERRULE_INVALID_ARGUMENT", message, true),
        Fail::Core(err) => (err.code(), err.to_string(), false),
    };
    let (mut code_value, mut message_value, mut error) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    // SAFETY: the strings are valid UTF-8 with their lengths; the outputs are locals.
    unsafe {
        sys::napi_create_string_utf8(env, code.as_ptr().cast(), code.len() as isize, &mut code_value);
        sys::napi_create_string_utf8(
            env,
            message.as_ptr().cast(),
            message.len() as isize,
            &mut message_value,
        );
        if type_error {
            sys::napi_create_type_error(env, code_value, message_value, &mut error);
        } else {
            sys::napi_create_error(env, code_value, message_value, &mut error);
        }
        sys::napi_throw(env, error);
    }
}

/// The common part of the raw callbacks: fetches `N` arguments (undefined when missing) and the
/// function's code, runs `body` with panics caught, and throws its failure.
///
/// # Safety
/// `env` and `info` are the ones N-API passed to the callback.
unsafe fn raw_call<const N: usize>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
    body: impl FnOnce(u32, [Arg; N]) -> VResult<sys::napi_value>,
) -> sys::napi_value {
    let mut argc = N;
    let mut argv = [ptr::null_mut(); N];
    let mut data = ptr::null_mut();
    // SAFETY: N slots for the arguments, a local for the data; `this` is not wanted.
    let status =
        unsafe { sys::napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), ptr::null_mut(), &mut data) };
    if status != sys::Status::napi_ok {
        return ptr::null_mut();
    }
    // The code was stored as the function's data by `native_function`.
    let code = data as usize as u32;
    let args = argv.map(|value| Arg { env, value });
    let result = catch_unwind(AssertUnwindSafe(|| body(code, args)))
        .unwrap_or_else(|payload| Err(Error::from_panic(payload.as_ref()).into()));
    match result {
        Ok(value) => value,
        Err(fail) => {
            // SAFETY: the env of this call.
            unsafe { throw(env, fail) };
            ptr::null_mut()
        }
    }
}

/// A JS number.
fn number(env: sys::napi_env, value: f64) -> VResult<sys::napi_value> {
    let mut result = ptr::null_mut();
    // SAFETY: the env of the current call, a local output.
    if unsafe { sys::napi_create_double(env, value, &mut result) } != sys::Status::napi_ok {
        return Err(Error::internal("cannot create a number").into());
    }
    Ok(result)
}

/// `(a, b, options?)` to a number. Codes: a metric index (dot, cosine distance, sqeuclidean,
/// euclidean, manhattan) or 5 (cosine similarity), plus ACCURATE and a type claim.
unsafe extern "C" fn pair_callback(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: N-API's own arguments.
    unsafe {
        raw_call(env, info, |code, [a, b]: [Arg; 2]| {
            let claim = claim_of(code);
            let (a, b) = (a.floats("a", claim)?, b.floats("b", claim)?);
            let precision = precision_of(code);
            let value = per_kind!(same_kind(("a", &a), ("b", &b))?, |T| {
                let (a, b) = (a.slice::<T>()?, b.slice::<T>()?);
                let value = if op_of(code) == COSINE_SIMILARITY {
                    precision.cosine_similarity(&a, &b)
                } else {
                    precision.distance(metric_of(code)?, &a, &b)
                };
                value?.to_f64()
            });
            number(env, value)
        })
    }
}

/// `(x)` to a number. Codes: 0 norm, 1 sum, 2 mean, 3 min, 4 max, 5 argmin, 6 argmax, plus
/// ACCURATE (norm and sum) and a type claim.
unsafe extern "C" fn reduce_callback(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: N-API's own arguments.
    unsafe {
        raw_call(env, info, |code, [x]: [Arg; 1]| {
            let x = x.floats("x", claim_of(code))?;
            let precision = precision_of(code);
            let value = per_kind!(x.kind, |T| {
                let x = x.slice::<T>()?;
                match op_of(code) {
                    0 => precision.norm(&x)?.to_f64(),
                    1 => precision.sum(&x).to_f64(),
                    2 => vector::mean(&x)?,
                    3 => vector::min(&x)?.to_f64(),
                    4 => vector::max(&x)?.to_f64(),
                    5 => vector::argmin(&x)? as f64,
                    6 => vector::argmax(&x)? as f64,
                    _ => return Err(Error::internal(format!("unknown reduction code {code}")).into()),
                }
            });
            number(env, value)
        })
    }
}

/// A new typed array of `len` zeros: its value and its data.
fn new_array(env: sys::napi_env, kind: Kind, len: usize) -> VResult<(sys::napi_value, *mut u8)> {
    let (mut buffer, mut data, mut array) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    let bytes = len.checked_mul(kind.size()).ok_or_else(|| Error::capacity("array too large"))?;
    // SAFETY: the env of the current call; local outputs. `data` is the buffer's memory, which
    // V8 allocates aligned for any element type.
    let ok = unsafe {
        sys::napi_create_arraybuffer(env, bytes, &mut data, &mut buffer) == sys::Status::napi_ok
            && sys::napi_create_typedarray(env, kind.napi_type(), len, buffer, 0, &mut array)
                == sys::Status::napi_ok
    };
    if !ok {
        return Err(Error::capacity(format!("cannot allocate a {} of {len} elements", kind.name())).into());
    }
    Ok((array, data.cast()))
}

/// The argument names of each element-wise operation (the order they come in).
const ELEMENTWISE_INPUTS: [&[&str]; 7] =
    [&["x"], &["a", "b"], &["a", "b"], &["a", "b"], &["x", "y"], &["a", "b", "c"], &["x"]];

/// `(alpha, a, b, c, out)`: element-wise into `out`, or a new array when `out` is undefined;
/// returns the output. Codes: 0 scale(x, alpha), 1 add(a, b), 2 subtract(a, b), 3 multiply(a, b),
/// 4 axpy(alpha, x, y), 5 fma(a, b, c), 6 normalize(x), plus a type claim.
unsafe extern "C" fn elementwise_callback(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API's own arguments.
    unsafe {
        raw_call(env, info, |code, [alpha, a, b, c, out]: [Arg; 5]| {
            elementwise(env, code, alpha, [a, b, c], out)
        })
    }
}

fn elementwise(
    env: sys::napi_env,
    code: u32,
    alpha: Arg,
    args: [Arg; 3],
    out: Arg,
) -> VResult<sys::napi_value> {
    let op = op_of(code);
    let names = ELEMENTWISE_INPUTS
        .get(op as usize)
        .ok_or_else(|| Error::internal(format!("unknown element-wise code {code}")))?;
    let claim = claim_of(code);
    let [a, b, c] = args;
    let x = a.floats(names[0], claim)?;
    let y = names.get(1).map(|name| b.floats(name, claim)).transpose()?;
    let z = names.get(2).map(|name| c.floats(name, claim)).transpose()?;
    for (name, view) in names.iter().skip(1).zip([&y, &z]) {
        if let Some(view) = view {
            same_kind((names[0], &x), (name, view))?;
        }
    }
    let (kind, len) = (x.kind, x.len);
    let mut alpha_value = 0.0;
    if matches!(op, 0 | 4) {
        // SAFETY: live handles of this call, a local output.
        if unsafe { sys::napi_get_value_double(env, alpha.value, &mut alpha_value) } != sys::Status::napi_ok {
            return Err(Fail::Type(format!("alpha must be a number, got {}", alpha.describe())));
        }
    }
    let (result, out) = if out.is_undefined() {
        let (array, data) = new_array(env, kind, len)?;
        (array, View { kind, data, len, _arg: PhantomData })
    } else {
        let view = out.floats("out", claim)?;
        check_out(&view, kind, len)?;
        (out.value, view)
    };
    per_kind!(kind, |T| {
        let alpha = T::from_f64(alpha_value);
        let xs = x.slice::<T>()?;
        let (ys, zs) =
            (y.as_ref().map(View::slice::<T>).transpose()?, z.as_ref().map(View::slice::<T>).transpose()?);
        let (ys, zs) = (ys.as_deref().unwrap_or_default(), zs.as_deref().unwrap_or_default());
        out.fill::<T>([Some(&x), y.as_ref(), z.as_ref()], |out| match op {
            0 => vector::scale(&xs, alpha, out),
            1 => vector::add(&xs, ys, out),
            2 => vector::subtract(&xs, ys, out),
            3 => vector::multiply(&xs, ys, out),
            4 => vector::axpy(alpha, &xs, ys, out),
            5 => vector::fma(&xs, ys, zs, out),
            6 => vector::normalize(&xs, out),
            _ => Err(Error::internal(format!("unknown element-wise code {code}"))),
        })?;
    });
    Ok(result)
}

/// A JS value returned as it is.
pub struct Raw(sys::napi_value);

impl ToNapiValue for Raw {
    unsafe fn to_napi_value(_env: sys::napi_env, raw: Raw) -> napi::Result<sys::napi_value> {
        Ok(raw.0)
    }
}

impl TypeName for Raw {
    fn type_name() -> &'static str {
        "unknown"
    }

    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

/// @internal The raw N-API function of one per-vector operation (see the module docs):
/// `family` 0 is `(a, b) => number` (1:1 distances), 1 `(x) => number` (reductions), 2
/// `(alpha, a, b, c, out) => out` (element-wise); `code` is the operation, the precision and
/// the element type ferrule.js saw, as ferrule.js builds it.
#[napi(
    namespace = "__vector",
    js_name = "nativeFunction",
    catch_unwind,
    ts_return_type = "(...args: any[]) => any"
)]
pub fn native_function(env: Env, family: u32, code: u32) -> Result<Raw> {
    napi_body(|| {
        let (callback, name): (
            unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value,
            &str,
        ) = match family {
            FAMILY_PAIR => (pair_callback, "pair"),
            FAMILY_REDUCE => (reduce_callback, "reduce"),
            FAMILY_ELEMENTWISE => (elementwise_callback, "elementwise"),
            _ => return Err(Error::invalid_argument(format!("unknown family {family}")).into()),
        };
        let mut function = ptr::null_mut();
        // SAFETY: the env of this call; the name with its length; the code travels as the data
        // pointer (never dereferenced, read back by `raw_call`).
        let status = unsafe {
            sys::napi_create_function(
                env.raw(),
                name.as_ptr().cast(),
                name.len() as isize,
                Some(callback),
                code as usize as *mut c_void,
                &mut function,
            )
        };
        if status != sys::Status::napi_ok {
            return Err(Error::internal("cannot create a function").into());
        }
        Ok(Raw(function))
    })
}

// ------------------------------------------------------------------------------ batches

/// `data` as a dense matrix of rows of `dim`: `dim` must divide its length (`dim` 0 only for no
/// data).
fn dense<'a, T: Element>(name: &str, data: &'a [T], dim: usize) -> CoreResult<Matrix<'a, T>> {
    let divides = if dim == 0 { data.is_empty() } else { data.len().is_multiple_of(dim) };
    if !divides {
        return Err(Error::invalid_argument(format!(
            "dim = {dim} does not divide the length of {name} ({}): {name} must hold whole rows",
            data.len()
        )));
    }
    Matrix::dense(data, dim)
}

/// The rows of `data` with a row stride: `ceil(length / stride)` rows, the last one possibly
/// without its padding (checked by [`Matrix::new`]).
fn strided<T: Element>(data: &[T], dim: usize, stride: usize) -> CoreResult<Matrix<'_, T>> {
    if stride == 0 {
        return if dim == 0 && data.is_empty() {
            Matrix::new(data, 0, 0, 0)
        } else {
            Err(Error::invalid_argument("stride must be at least the dimension, and not 0 with data"))
        };
    }
    Matrix::new(data, data.len().div_ceil(stride), dim, stride)
}

/// `rows_a * rows_b`, or an error when that many cells cannot exist.
fn cells(rows_a: usize, rows_b: usize) -> CoreResult<usize> {
    rows_a.checked_mul(rows_b).ok_or_else(|| Error::capacity("the output size overflows"))
}

/// Runs `compute` into `out` when given (returning nothing), else into a new array. `inputs` are
/// the views `compute` reads.
fn output<T: Float>(
    out: Option<&View<'_>>,
    inputs: [Option<&View<'_>>; 3],
    kind: Kind,
    len: usize,
    compute: impl FnOnce(&mut [T]) -> CoreResult<()>,
) -> VResult<Option<FloatArray>> {
    match out {
        Some(out) => {
            check_out(out, kind, len)?;
            out.fill::<T>(inputs, compute)?;
            Ok(None)
        }
        None => {
            let mut values = ferrule_core::alloc::try_filled(len, T::ZERO)?;
            compute(&mut values)?;
            Ok(Some(T::to_js(values)))
        }
    }
}

/// @internal `out[i] = metric(query, row i of matrix)`; `code`: a metric index plus ACCURATE.
/// Writes `out` and returns null when given, else returns a new array.
#[napi(
    namespace = "__vector",
    js_name = "oneToMany",
    catch_unwind,
    ts_return_type = "Float32Array | Float64Array | null"
)]
pub fn one_to_many(
    code: u32,
    threads: Option<f64>,
    #[napi(ts_arg_type = "Float32Array | Float64Array")] query: Arg,
    #[napi(ts_arg_type = "Float32Array | Float64Array")] matrix: Arg,
    stride: Option<f64>,
    #[napi(ts_arg_type = "Float32Array | Float64Array")] out: Option<Arg>,
) -> Result<Option<FloatArray>> {
    napi_body(|| {
        let (metric, precision, threads) = (metric_of(code)?, precision_of(code), to_threads(threads)?);
        let (query, matrix) = (query.floats("query", None)?, matrix.floats("matrix", None)?);
        let kind = same_kind(("query", &query), ("matrix", &matrix))?;
        let out = out.as_ref().map(|out| out.floats("out", None)).transpose()?;
        per_kind!(kind, |T| {
            let (q, m) = (query.slice::<T>()?, matrix.slice::<T>()?);
            let rows = match stride {
                None => dense("matrix", &m, q.len())?,
                Some(stride) => strided(&m, q.len(), to_count("stride", stride)?)?,
            };
            let inputs = [Some(&query), Some(&matrix), None];
            output::<T>(out.as_ref(), inputs, kind, rows.rows(), |out| {
                vector::with_threads(threads, || vector::one_to_many(&q, &rows, metric, precision, out))?
            })
        })
    })
}

/// @internal All pairs of rows, row-major `a.rows x b.rows`; `code`: a metric index plus
/// ACCURATE. Writes `out` and returns null when given, else returns a new array.
#[napi(namespace = "__vector", catch_unwind, ts_return_type = "Float32Array | Float64Array | null")]
pub fn cdist(
    code: u32,
    threads: Option<f64>,
    #[napi(ts_arg_type = "Float32Array | Float64Array")] a: Arg,
    #[napi(ts_arg_type = "Float32Array | Float64Array")] b: Arg,
    dim: f64,
    #[napi(ts_arg_type = "Float32Array | Float64Array")] out: Option<Arg>,
) -> Result<Option<FloatArray>> {
    napi_body(|| {
        let (metric, precision, threads) = (metric_of(code)?, precision_of(code), to_threads(threads)?);
        let (a, b) = (a.floats("a", None)?, b.floats("b", None)?);
        let kind = same_kind(("a", &a), ("b", &b))?;
        let dim = to_count("dim", dim)?;
        let out = out.as_ref().map(|out| out.floats("out", None)).transpose()?;
        per_kind!(kind, |T| {
            let (a_data, b_data) = (a.slice::<T>()?, b.slice::<T>()?);
            let (ma, mb) = (dense("a", &a_data, dim)?, dense("b", &b_data, dim)?);
            output::<T>(out.as_ref(), [Some(&a), Some(&b), None], kind, cells(ma.rows(), mb.rows())?, |out| {
                vector::with_threads(threads, || vector::cdist(&ma, &mb, metric, precision, out))?
            })
        })
    })
}

/// The checks of `topk` before any work: `k` and the database's rows, which a `Uint32Array`
/// must be able to number. Returns the output length.
fn topk_shape<T: Element>(queries: &Matrix<'_, T>, database: &Matrix<'_, T>, k: usize) -> CoreResult<usize> {
    if k > database.rows() {
        return Err(Error::invalid_argument(format!(
            "k = {k} but the database has {} rows",
            database.rows()
        )));
    }
    if database.rows() > u32::MAX as usize + 1 {
        return Err(Error::invalid_argument(format!(
            "{} database rows: a Uint32Array of indices numbers at most 2^32",
            database.rows()
        )));
    }
    cells(queries.rows(), k)
}

/// The top-k search into new arrays (indices as `u32`: checked by `topk_shape`).
fn topk_values<T: Element>(
    queries: &Matrix<'_, T>,
    database: &Matrix<'_, T>,
    k: usize,
    metric: Metric,
    precision: Precision,
    threads: Option<usize>,
) -> CoreResult<(Vec<u32>, Vec<T>)> {
    let len = topk_shape(queries, database, k)?;
    let mut indices = ferrule_core::alloc::try_filled(len, 0usize)?;
    let mut values = ferrule_core::alloc::try_filled(len, T::ZERO)?;
    vector::with_threads(threads, || {
        vector::topk(queries, database, k, metric, precision, &mut indices, &mut values)
    })??;
    // The u32 copy needs memory of its own while the usize indices live.
    let mut narrow = ferrule_core::alloc::try_reserved(len)?;
    narrow.extend(indices.into_iter().map(|i| i as u32));
    Ok((narrow, values))
}

/// @internal The `k` rows of `database` closest to each row of `queries`: `[indices, values]`.
/// `code`: a metric index plus ACCURATE.
#[napi(namespace = "__vector", catch_unwind, ts_return_type = "[Uint32Array, Float32Array | Float64Array]")]
pub fn topk(
    code: u32,
    threads: Option<f64>,
    #[napi(ts_arg_type = "Float32Array | Float64Array")] queries: Arg,
    #[napi(ts_arg_type = "Float32Array | Float64Array")] database: Arg,
    dim: f64,
    k: f64,
) -> Result<(Uint32Array, FloatArray)> {
    napi_body(|| {
        let (metric, precision, threads) = (metric_of(code)?, precision_of(code), to_threads(threads)?);
        let (queries, database) = (queries.floats("queries", None)?, database.floats("database", None)?);
        let kind = same_kind(("queries", &queries), ("database", &database))?;
        let (dim, k) = (to_count("dim", dim)?, to_count("k", k)?);
        per_kind!(kind, |T| {
            let (q, db) = (queries.slice::<T>()?, database.slice::<T>()?);
            let (q, db) = (dense("queries", &q, dim)?, dense("database", &db, dim)?);
            let (indices, values) = topk_values(&q, &db, k, metric, precision, threads)?;
            Ok((Uint32Array::new(indices), T::to_js(values)))
        })
    })
}

// ------------------------------------------------------------------------------ async

/// A strong reference to a JS value, keeping it alive until dropped. Made and dropped on the JS
/// thread only: an async task is dropped there, after it settles.
struct Held {
    env: sys::napi_env,
    reference: sys::napi_ref,
}

// SAFETY: the handles are used only on the JS thread (made there, read in `resolve`, dropped
// with the task there); a task merely carries them through the libuv thread.
unsafe impl Send for Held {}

impl Held {
    fn new(arg: &Arg) -> CoreResult<Held> {
        let mut reference = ptr::null_mut();
        // SAFETY: live handles of this call, a local output.
        if unsafe { sys::napi_create_reference(arg.env, arg.value, 1, &mut reference) }
            != sys::Status::napi_ok
        {
            return Err(Error::internal("cannot create a reference to an argument"));
        }
        Ok(Held { env: arg.env, reference })
    }

    /// The value, as an argument of the current call into native code on the JS thread.
    fn get(&self, env: &Env) -> CoreResult<Arg> {
        let mut value = ptr::null_mut();
        // SAFETY: a reference made on this env and not deleted yet; a local output.
        let status = unsafe { sys::napi_get_reference_value(env.raw(), self.reference, &mut value) };
        if status != sys::Status::napi_ok || value.is_null() {
            return Err(Error::internal("a referenced value is gone"));
        }
        Ok(Arg { env: env.raw(), value })
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        // SAFETY: on the JS thread (see the type's docs), with the env the reference was made on.
        unsafe {
            sys::napi_reference_unref(self.env, self.reference, ptr::null_mut());
            sys::napi_delete_reference(self.env, self.reference);
        }
    }
}

/// An input of an async task (see the module docs).
enum Input<T> {
    /// Copied on the JS thread when the task was made.
    Copied(Vec<T>),
    /// `SharedArrayBuffer` memory read in place, aligned and non-empty: `_held` keeps the
    /// buffer, so the memory, alive; such a buffer can be neither detached nor shrunk.
    Shared { data: *const T, len: usize, _held: Held },
}

// SAFETY: `Copied` owns its data. `Shared` points to memory that stays allocated and mapped until
// `_held` is dropped (on the JS thread, with the task); that no JS thread writes it meanwhile is
// the caller's contract (ferrule.d.ts), as for the C API's inputs.
unsafe impl<T: Send> Send for Input<T> {}

impl<T: Float> Input<T> {
    fn new(arg: &Arg, view: &View<'_>) -> CoreResult<Input<T>> {
        if view.len > 0 && view.is_aligned() && arg.is_shared() {
            let data = view.data.cast::<T>().cast_const();
            return Ok(Input::Shared { data, len: view.len, _held: Held::new(arg)? });
        }
        Ok(Input::Copied(view.slice::<T>()?.into_owned()))
    }

    fn as_slice(&self) -> &[T] {
        match self {
            Input::Copied(values) => values,
            // SAFETY: aligned, non-null elements of `T` that stay allocated while `self` lives
            // (see the `Send` impl).
            Input::Shared { data, len, .. } => unsafe { std::slice::from_raw_parts(*data, *len) },
        }
    }
}

/// Runs a task's work so that a panic becomes a `FERRULE_INTERNAL` error: a panic on a libuv
/// thread would abort the process.
fn contained<R>(work: impl FnOnce() -> CoreResult<R>) -> CoreResult<R> {
    catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|payload| Err(Error::from_panic(payload.as_ref())))
}

/// What both batch tasks hold: the two matrices' data and the options.
struct Batch<T> {
    a: Input<T>,
    b: Input<T>,
    dim: usize,
    metric: Metric,
    precision: Precision,
    threads: Option<usize>,
}

impl<T: Float> Batch<T> {
    /// The inputs of an async batch call, checked as the sync call checks them.
    fn new(
        code: u32,
        threads: Option<f64>,
        a: (&str, &Arg, &View<'_>),
        b: (&str, &Arg, &View<'_>),
        dim: usize,
    ) -> VResult<Batch<T>> {
        let batch = Batch {
            a: Input::new(a.1, a.2)?,
            b: Input::new(b.1, b.2)?,
            dim,
            metric: metric_of(code)?,
            precision: precision_of(code),
            threads: to_threads(threads)?,
        };
        dense(a.0, batch.a.as_slice(), dim)?;
        dense(b.0, batch.b.as_slice(), dim)?;
        Ok(batch)
    }

    /// Frees the copied inputs once the work is done: on the worker thread, not on the JS thread
    /// where the task is dropped (unmapping a large copy takes a while).
    fn release_copies(&mut self) {
        for input in [&mut self.a, &mut self.b] {
            if let Input::Copied(values) = input {
                *values = Vec::new();
            }
        }
    }

    fn matrices(&self) -> CoreResult<(Matrix<'_, T>, Matrix<'_, T>)> {
        Ok((Matrix::dense(self.a.as_slice(), self.dim)?, Matrix::dense(self.b.as_slice(), self.dim)?))
    }
}

/// The body of `cdistAsync`.
pub struct CdistTask<T> {
    batch: Batch<T>,
    /// The caller's `out`, written on the JS thread when the task settles.
    out: Option<Held>,
}

impl<T: Float> Task for CdistTask<T> {
    /// A core result: errors become JS errors with their codes in `resolve`, on the JS thread.
    type Output = CoreResult<Vec<T>>;
    type JsValue = Option<FloatArray>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let batch = &self.batch;
        let (metric, precision) = (batch.metric, batch.precision);
        let output = contained(|| {
            let (a, b) = batch.matrices()?;
            let mut values = ferrule_core::alloc::try_filled(cells(a.rows(), b.rows())?, T::ZERO)?;
            vector::with_threads(batch.threads, || vector::cdist(&a, &b, metric, precision, &mut values))??;
            Ok(values)
        });
        self.batch.release_copies();
        Ok(output)
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        let result = output.and_then(|values| match &self.out {
            None => Ok(Some(T::to_js(values))),
            Some(out) => write_back(&env, out, &values).map(|()| None),
        });
        settle(env, result)
    }
}

/// Copies `values` into the caller's `out` as an async task settles, checking `out` again: JS
/// may have detached or resized it meanwhile.
fn write_back<T: Float>(env: &Env, out: &Held, values: &[T]) -> CoreResult<()> {
    let arg = out.get(env)?;
    let view = match arg.floats("out", None) {
        Ok(view) if view.kind == T::KIND && view.len == values.len() => view,
        Ok(view) => {
            return Err(Error::length_mismatch(format!(
                "out changed while the task ran: it has {} elements now, the result {}",
                view.len,
                values.len()
            )));
        }
        Err(_) => return Err(Error::invalid_argument("out changed while the task ran")),
    };
    view.fill::<T>([None, None, None], |dst| {
        dst.copy_from_slice(values);
        Ok(())
    })
}

/// The body of `topkAsync`.
pub struct TopkTask<T> {
    batch: Batch<T>,
    k: usize,
}

impl<T: Float> Task for TopkTask<T> {
    type Output = CoreResult<(Vec<u32>, Vec<T>)>;
    type JsValue = (Uint32Array, FloatArray);

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let (batch, k) = (&self.batch, self.k);
        let output = contained(|| {
            let (queries, database) = batch.matrices()?;
            topk_values(&queries, &database, k, batch.metric, batch.precision, batch.threads)
        });
        self.batch.release_copies();
        Ok(output)
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        settle(env, output.map(|(indices, values)| (Uint32Array::new(indices), T::to_js(values))))
    }
}

/// @internal `cdist` on the libuv thread pool; resolves to the new array, or null after
/// filling `out`. See the module docs for what is copied.
#[napi(
    namespace = "__vector",
    js_name = "cdistAsync",
    catch_unwind,
    ts_return_type = "Promise<Float32Array | Float64Array | null>"
)]
pub fn cdist_async(
    code: u32,
    threads: Option<f64>,
    #[napi(ts_arg_type = "Float32Array | Float64Array")] a: Arg,
    #[napi(ts_arg_type = "Float32Array | Float64Array")] b: Arg,
    dim: f64,
    #[napi(ts_arg_type = "Float32Array | Float64Array")] out: Option<Arg>,
) -> Result<CdistPromise> {
    napi_body(|| {
        let (a_view, b_view) = (a.floats("a", None)?, b.floats("b", None)?);
        let kind = same_kind(("a", &a_view), ("b", &b_view))?;
        let dim = to_count("dim", dim)?;
        per_kind!(kind, |T| {
            let batch = Batch::<T>::new(code, threads, ("a", &a, &a_view), ("b", &b, &b_view), dim)?;
            let out = match &out {
                Some(out) => {
                    let (ma, mb) = batch.matrices()?;
                    check_out(&out.floats("out", None)?, kind, cells(ma.rows(), mb.rows())?)?;
                    Some(Held::new(out)?)
                }
                None => None,
            };
            Ok(T::cdist_promise(CdistTask { batch, out }))
        })
    })
}

/// @internal `topk` on the libuv thread pool: `[indices, values]`. See the module docs for what
/// is copied.
#[napi(
    namespace = "__vector",
    js_name = "topkAsync",
    catch_unwind,
    ts_return_type = "Promise<[Uint32Array, Float32Array | Float64Array]>"
)]
pub fn topk_async(
    code: u32,
    threads: Option<f64>,
    #[napi(ts_arg_type = "Float32Array | Float64Array")] queries: Arg,
    #[napi(ts_arg_type = "Float32Array | Float64Array")] database: Arg,
    dim: f64,
    k: f64,
) -> Result<TopkPromise> {
    napi_body(|| {
        let (q_view, db_view) = (queries.floats("queries", None)?, database.floats("database", None)?);
        let kind = same_kind(("queries", &q_view), ("database", &db_view))?;
        let (dim, k) = (to_count("dim", dim)?, to_count("k", k)?);
        per_kind!(kind, |T| {
            let batch = Batch::<T>::new(
                code,
                threads,
                ("queries", &queries, &q_view),
                ("database", &database, &db_view),
                dim,
            )?;
            let (q, db) = batch.matrices()?;
            topk_shape(&q, &db, k)?;
            Ok(T::topk_promise(TopkTask { batch, k }))
        })
    })
}

// ------------------------------------------------------------------------------ test hooks

unsafe extern "C" fn release_storage(_env: sys::napi_env, _data: *mut c_void, hint: *mut c_void) {
    // SAFETY: `hint` is the `Box<Vec<u8>>` leaked by `debug_unaligned_view`, released once, here.
    drop(unsafe { Box::from_raw(hint.cast::<Vec<u8>>()) });
}

/// @internal A Float32Array (`double` false) or Float64Array holding `values` whose data is NOT
/// aligned for its element type. JS cannot make such a view, but memory an addon hands to JS as
/// an external buffer can be like that: this tests ferrule's copies for it.
#[napi(
    namespace = "__vector",
    js_name = "debugUnalignedView",
    catch_unwind,
    ts_return_type = "Float32Array | Float64Array"
)]
pub fn debug_unaligned_view(
    env: Env,
    double: bool,
    #[napi(ts_arg_type = "Float64Array")] values: Arg,
) -> Result<Raw> {
    napi_body(|| {
        let values = values.floats("values", None)?;
        let values = values.slice::<f64>()?;
        let kind = if double { Kind::F64 } else { Kind::F32 };
        let (size, bytes) = (kind.size(), values.len() * kind.size());
        let mut storage = Box::new(vec![0u8; bytes + 2]);
        // One or two bytes in: an address that is not a multiple of the element size.
        let shift = if (storage.as_ptr() as usize + 1).is_multiple_of(size) { 2 } else { 1 };
        let data = storage[shift..].as_mut_ptr();
        for (i, &v) in values.iter().enumerate() {
            // SAFETY: element i is bytes [i * size, (i + 1) * size) of the `bytes` after `shift`.
            unsafe {
                match kind {
                    Kind::F64 => ptr::write_unaligned(data.add(i * size).cast::<f64>(), v),
                    Kind::F32 => ptr::write_unaligned(data.add(i * size).cast::<f32>(), v as f32),
                }
            }
        }
        let hint = Box::into_raw(storage);
        let (mut buffer, mut view) = (ptr::null_mut(), ptr::null_mut());
        // SAFETY: `data` points into the vector `hint` owns, which the finalizer frees when the
        // buffer is collected, and only then; `bytes` of it follow `data`.
        let status = unsafe {
            sys::napi_create_external_arraybuffer(
                env.raw(),
                data.cast(),
                bytes,
                Some(release_storage),
                hint.cast(),
                &mut buffer,
            )
        };
        if status != sys::Status::napi_ok {
            // SAFETY: no buffer was made, so the box is still ours.
            drop(unsafe { Box::from_raw(hint) });
            return Err(Error::internal("cannot create an external buffer").into());
        }
        // SAFETY: a live ArrayBuffer of exactly `len` elements from offset 0.
        let status = unsafe {
            sys::napi_create_typedarray(env.raw(), kind.napi_type(), values.len(), buffer, 0, &mut view)
        };
        if status != sys::Status::napi_ok {
            return Err(Error::internal("cannot create a typed array").into());
        }
        Ok(Raw(view))
    })
}

/// @internal Whether ferrule reads `x` in place (its data is aligned) rather than copying it.
#[napi(namespace = "__vector", js_name = "debugIsAligned", catch_unwind)]
pub fn debug_is_aligned(#[napi(ts_arg_type = "Float32Array | Float64Array")] x: Arg) -> Result<bool> {
    napi_body(|| Ok(x.floats("x", None)?.is_aligned()))
}

/// The body of `debugPanicAsync`.
pub struct PanicTask(String);

impl Task for PanicTask {
    type Output = CoreResult<()>;
    type JsValue = ();

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let message = self.0.clone();
        #[allow(clippy::panic)] // the point of this task: it exercises the guard of the batch tasks
        Ok(contained(|| panic!("{message}")))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<()> {
        settle(env, output)
    }
}

/// @internal A task that panics on the libuv thread inside the guard every vector task uses:
/// the promise must reject with `FERRULE_INTERNAL` and the process live on.
#[napi(namespace = "__vector", js_name = "debugPanicAsync", catch_unwind, ts_return_type = "Promise<void>")]
pub fn debug_panic_async(message: String) -> Result<AsyncTask<PanicTask>> {
    guarded(|| Ok(AsyncTask::new(PanicTask(message))))
}
