//! The one place where core errors become JS errors, and the panic guard.
//!
//! napi-rs throws an `Error` whose `code` is the status string of the `napi::Error`, so the core
//! code string is used as that status: `err.code === 'FERRULE_PARSE'` in JS. An error's details
//! (a finer reason such as a log line's `UNTERMINATED_QUOTE`, its line and byte offset) cross as
//! data, not in the message: napi-rs builds the JS error from only a status, a message and a
//! `cause` when no JS environment is at hand (as in most exports, and in [`guarded`]), so the
//! details travel as a `cause` whose message is [`DETAILS`] followed by a JSON object
//! (`{"reason":…,"line":…,"offset":…}`, each null when unknown). ferrule.js moves them onto the
//! error as `reason`, `line` and `offset` and removes that `cause` (`remap` there).

use ferrule_core::Error;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The result type of every export (named `Result`: napi-derive recognizes results by that name): thrown in JS as an `Error` with `code` set to the core code.
pub type Result<T> = napi::Result<T, &'static str>;

/// What the message of a details `cause` starts with (ferrule.js' `DETAILS`).
const DETAILS: &str = "ferrule:details ";

/// Maps a core error to the JS error thrown for it (`message` includes the location, if any).
pub fn to_js_err(err: &Error) -> napi::Error<&'static str> {
    let mut js_err = napi::Error::new(err.code(), err.to_string());
    let location = err.location();
    if err.reason().is_some() || location.line.is_some() || location.offset.is_some() {
        js_err.set_cause(napi::Error::new(napi::Status::GenericFailure, details_json(err)));
    }
    js_err
}

/// [`DETAILS`] and `{"reason":…,"line":…,"offset":…}`. Reasons are core's row error codes
/// (`[A-Z0-9_]`), written as JSON strings as they are; anything else would be left out (null).
fn details_json(err: &Error) -> String {
    let reason = match err.reason() {
        Some(reason) if reason.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') => {
            format!("\"{reason}\"")
        }
        _ => "null".to_owned(),
    };
    let number = |value: Option<u64>| value.map_or_else(|| "null".to_owned(), |v| v.to_string());
    let location = err.location();
    format!(
        "{DETAILS}{{\"reason\":{reason},\"line\":{},\"offset\":{}}}",
        number(location.line),
        number(location.offset)
    )
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
