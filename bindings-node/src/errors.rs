//! The one place where core errors become JS errors, and the panic guard.
//!
//! napi-rs throws an `Error` whose `code` is the status string of the `napi::Error`, so the core
//! code string is used as that status: `err.code === 'FERRULE_PARSE'` in JS. An error with a
//! finer reason (a log line's `UNTERMINATED_QUOTE`) crosses as `CODE:REASON`, which ferrule.js
//! splits into `code` and `reason`: the status is the only field napi-rs copies onto the error
//! object without a JS environment at hand.

use ferrule_core::Error;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Mutex, PoisonError};

/// The result type of every export (named `Result`: napi-derive recognizes results by that name): thrown in JS as an `Error` with `code` set to the core code.
pub type Result<T> = napi::Result<T, &'static str>;

/// Maps a core error to the JS error thrown for it (`message` includes the location, if any).
pub fn to_js_err(err: &Error) -> napi::Error<&'static str> {
    let status = match err.reason() {
        None => err.code(),
        Some(reason) => code_with_reason(err.code(), reason),
    };
    napi::Error::new(status, err.to_string())
}

/// `"CODE:REASON"` as a `&'static str`, made once per pair. Both parts are core's `&'static`
/// constants (a handful of row error codes), so the strings made stay few.
fn code_with_reason(code: &'static str, reason: &'static str) -> &'static str {
    type Joined = Vec<(&'static str, &'static str, &'static str)>;
    static JOINED: Mutex<Joined> = Mutex::new(Vec::new());
    let mut joined = JOINED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(&(_, _, both)) = joined.iter().find(|&&(c, r, _)| c == code && r == reason) {
        return both;
    }
    let both: &'static str = Box::leak(format!("{code}:{reason}").into_boxed_str());
    joined.push((code, reason, both));
    both
}

/// Runs an export's body so that a panic becomes a thrown `Error` with code `FERRULE_INTERNAL`
/// instead of napi's generic failure (or, without a guard, an aborted process).
pub fn guarded<T>(body: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(body))
        .unwrap_or_else(|payload| Err(to_js_err(&Error::from_panic(payload.as_ref()))))
}

/// [`guarded`] for bodies that return core results.
pub fn run<T>(body: impl FnOnce() -> ferrule_core::Result<T>) -> Result<T> {
    guarded(|| body().map_err(|err| to_js_err(&err)))
}

/// Settles an async task's core result on the JS thread: napi's task errors carry a napi
/// `Status`, not a ferrule code, so a failure is built here as the JS error `to_js_err` would
/// throw, and handed to napi as that JS value (which napi rejects the promise with as it is).
pub fn settle<T>(env: napi::Env, result: ferrule_core::Result<T>) -> napi::Result<T> {
    result.map_err(|err| napi::Error::from(napi::JsError::from(to_js_err(&err)).into_unknown(env)))
}
