//! Assertions on RFC 9457 problem answers (`application/problem+json`): the status, the
//! stable `type` URN from `fieldline_wire::problem::types`, and for validation problems the
//! JSON pointer of the first field in `errors`.
//!
//! Use them through the macros [`assert_problem!`](crate::assert_problem) and
//! [`assert_field_error!`](crate::assert_field_error), which take an optional message (format
//! arguments) naming the case, as `assert_eq!` does.

use fieldline_wire::problem::types;
use serde_json::Value;
use std::fmt::Arguments;

/// Panics unless `(status, body)` is the problem `kind` answered with `expected`: the HTTP
/// status, the body's `type`, and the body's `status` member, which RFC 9457 says must match.
#[track_caller]
pub fn check_problem(status: u16, body: &Value, expected: u16, kind: &str, context: Arguments) {
    assert_eq!(
        (status, body["type"].as_str()),
        (expected, Some(kind)),
        "{context} answered {body}"
    );
    assert_eq!(
        body["status"].as_u64(),
        Some(u64::from(expected)),
        "{context} the problem's status member: {body}"
    );
}

/// Panics unless `(status, body)` is a 422 validation problem whose first error points at
/// `pointer` (a JSON pointer into the request, such as `/endpoint`).
#[track_caller]
pub fn check_field_error(status: u16, body: &Value, pointer: &str, context: Arguments) {
    check_problem(status, body, 422, types::VALIDATION, context);
    assert_eq!(
        body["errors"][0]["pointer"].as_str(),
        Some(pointer),
        "{context} the first field error: {body}"
    );
}

/// `assert_problem!(status, body, 409, types::CONFLICT)`, optionally followed by a message
/// (`"{email}"`): the answer is that problem (see [`check_problem`]).
#[macro_export]
macro_rules! assert_problem {
    ($status:expr, $body:expr, $expected:expr, $kind:expr $(,)?) => {
        $crate::problem::check_problem($status, &$body, $expected, $kind, format_args!(""))
    };
    ($status:expr, $body:expr, $expected:expr, $kind:expr, $($context:tt)+) => {
        $crate::problem::check_problem(
            $status,
            &$body,
            $expected,
            $kind,
            format_args!($($context)+),
        )
    };
}

/// `assert_field_error!(status, body, "/endpoint")`, optionally followed by a message: the
/// answer is a 422 validation problem whose first error points at that field (see
/// [`check_field_error`]).
#[macro_export]
macro_rules! assert_field_error {
    ($status:expr, $body:expr, $pointer:expr $(,)?) => {
        $crate::problem::check_field_error($status, &$body, $pointer, format_args!(""))
    };
    ($status:expr, $body:expr, $pointer:expr, $($context:tt)+) => {
        $crate::problem::check_field_error($status, &$body, $pointer, format_args!($($context)+))
    };
}
