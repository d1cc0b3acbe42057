//! `Json`, `Query` and `Path` that reject with problems instead of axum's plain-text answers,
//! and whose messages never echo the value that failed (it may be someone's name).

use crate::error::ApiError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use fieldline_wire::FieldError;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A JSON body. Requires `Content-Type: application/json` (415 otherwise), honours the body
/// size limit (413), answers 400 for broken JSON and 422 with field errors for JSON of the
/// wrong shape, including unknown fields.
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::BadRequest("the request body could not be read")
            }
        })?;
        // Every body is a JSON object: serde would also read a struct from an array of its
        // fields in order (`[null, null]`), which the document does not allow.
        // (Broken JSON stays a 400, whatever it starts with.)
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
            return Err(
                match serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
                    Err(e) if e.classify() != serde_json::error::Category::Data => {
                        ApiError::MalformedJson {
                            line: e.line(),
                            column: e.column(),
                        }
                    }
                    _ => ApiError::field("/", "must be a JSON object"),
                },
            );
        }
        parse_json(&bytes).map(Json)
    }
}

/// An optional JSON body: `None` when the request has no body at all (no bytes) or `null`,
/// otherwise read exactly as [`Json`] reads one.
pub struct OptionalJson<T>(pub Option<T>);

impl<S, T> FromRequest<S> for OptionalJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::BadRequest("the request body could not be read")
                }
            })?;
        if bytes.is_empty() {
            return Ok(OptionalJson(None));
        }
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        // `null` counts as no body too, as the document's `oneOf [T, null]` says.
        Json::<Option<T>>::from_request(req, state)
            .await
            .map(|Json(v)| OptionalJson(v))
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        json_response(&self.0, 256)
    }
}

/// A JSON answer serialized into a buffer that starts at `capacity` bytes. Lists whose size
/// is roughly known start big enough: each time a buffer doubles, everything written so far is
/// copied again.
///
/// Answers are written by sonic-rs, whose string escaping and copying are vectorised; with
/// serde_json, writing a 25-place search answer (32 KB) was the largest part of the server's
/// work per search (callgrind: 45% of its instructions; 10% fewer in all with sonic-rs).
/// Request bodies are still read by serde_json, for its error paths. The test
/// `answers_are_what_serde_json_would_write` keeps the two writers' output the same.
pub fn json_response<T: Serialize + ?Sized>(value: &T, capacity: usize) -> Response {
    let mut body = Vec::with_capacity(capacity);
    match sonic_rs::to_writer(&mut body, value) {
        Ok(()) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response(),
        Err(e) => ApiError::Internal(anyhow::Error::new(e).context("serializing a response"))
            .into_response(),
    }
}

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // PostgreSQL's text cannot hold NUL (it would fail as error 22021, a 500): refused here,
    // for every body, with the field it is in.
    if has_nul_escape(bytes) {
        return Err(nul_error(bytes));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = match serde_path_to_error::deserialize(&mut de) {
        Ok(value) => value,
        // JSON Schema counts `2.0` as an integer, and so does the OpenAPI document: a whole
        // number written with a fraction is read as the integer (only on this error path).
        Err(err)
            if err.inner().classify() == serde_json::error::Category::Data
                && err
                    .inner()
                    .to_string()
                    .starts_with("invalid type: floating point") =>
        {
            let mut v: serde_json::Value =
                serde_json::from_slice(bytes).map_err(|e| ApiError::MalformedJson {
                    line: e.line(),
                    column: e.column(),
                })?;
            whole_floats_to_integers(&mut v);
            return serde_path_to_error::deserialize(v).map_err(|err| {
                let pointer = pointer_of(err.path());
                field_error(pointer, &err.into_inner().to_string())
            });
        }
        Err(err) => {
            let pointer = pointer_of(err.path());
            let inner = err.into_inner();
            return Err(match inner.classify() {
                serde_json::error::Category::Data => field_error(pointer, &inner.to_string()),
                _ => ApiError::MalformedJson {
                    line: inner.line(),
                    column: inner.column(),
                },
            });
        }
    };
    de.end().map_err(|e| ApiError::MalformedJson {
        line: e.line(),
        column: e.column(),
    })?;
    Ok(value)
}

/// Rewrites every number with a zero fraction (`2.0`, `-3e2`) in the range of an `i64` as that
/// integer (exact: such a float is a whole number an `i64` holds).
fn whole_floats_to_integers(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f)
            {
                *v = serde_json::Value::from(f as i64);
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(whole_floats_to_integers),
        serde_json::Value::Object(o) => o.values_mut().for_each(whole_floats_to_integers),
        _ => {}
    }
}

/// Whether JSON text has a `\u0000` escape (raw NUL is not valid JSON anyway). An escaped
/// backslash (`\\`) is stepped over, so `"\\u0000"` (a backslash, then `u0000`) is not one.
fn has_nul_escape(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            if bytes[i + 1..].starts_with(b"u0000") {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// The 422 for a body with a NUL character, naming the first field that has one.
fn nul_error(bytes: &[u8]) -> ApiError {
    fn find(v: &serde_json::Value, path: &mut String) -> bool {
        match v {
            serde_json::Value::String(s) => s.contains('\0'),
            serde_json::Value::Array(items) => items.iter().enumerate().any(|(i, item)| {
                let len = path.len();
                path.push_str(&format!("/{i}"));
                let found = find(item, path);
                if !found {
                    path.truncate(len);
                }
                found
            }),
            serde_json::Value::Object(map) => map.iter().any(|(k, item)| {
                let len = path.len();
                path.push('/');
                // A NUL in the key itself is written as U+FFFD: the answer never carries one.
                path.push_str(
                    &k.replace('~', "~0")
                        .replace('/', "~1")
                        .replace('\0', "\u{fffd}"),
                );
                let found = find(item, path) || k.contains('\0');
                if !found {
                    path.truncate(len);
                }
                found
            }),
            _ => false,
        }
    }
    let mut pointer = String::new();
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(v) if find(&v, &mut pointer) => {
            ApiError::field(pointer, "must not contain the NUL character")
        }
        Ok(_) => ApiError::field("", "must not contain the NUL character"),
        Err(e) => ApiError::MalformedJson {
            line: e.line(),
            column: e.column(),
        },
    }
}

/// Query parameters; unknown or malformed ones get 400 naming the parameter.
pub struct Query<T>(pub T);

impl<S, T> FromRequestParts<S> for Query<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        // As for bodies: PostgreSQL's text cannot hold NUL.
        if let Some((key, _)) = form_urlencoded::parse(query.as_bytes())
            .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        {
            return Err(ApiError::InvalidQuery(vec![FieldError {
                pointer: format!("/{}", key.replace('\0', "")),
                message: "must not contain the NUL character".into(),
            }]));
        }
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(Query)
            .map_err(|err| {
                let pointer = pointer_of(err.path());
                match field_error(pointer, &err.into_inner().to_string()) {
                    ApiError::Validation(errors) => ApiError::InvalidQuery(errors),
                    other => other,
                }
            })
    }
}

/// Path parameters; a malformed id is 404, like an id that does not exist.
pub struct Path<T>(pub T);

impl<S, T> FromRequestParts<S> for Path<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Path(v))
            .map_err(|_| ApiError::NotFound)
    }
}

fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        out.push('/');
        match seg {
            Segment::Seq { index } => out.push_str(&index.to_string()),
            Segment::Map { key } => out.push_str(&escape_pointer(key)),
            Segment::Enum { variant } => out.push_str(&escape_pointer(variant)),
            Segment::Unknown => out.push('?'),
        }
    }
    out
}

fn escape_pointer(s: &str) -> String {
    let s: String = s.chars().take(64).collect();
    s.replace('~', "~0").replace('/', "~1")
}

/// Rewrites serde's message into one that names the problem but not the value. serde's own
/// messages quote the input (`invalid type: string "Jane Doe"`), so only the expectation,
/// which comes from our types, is kept. Our own value types speak in "must …" sentences.
fn field_error(mut pointer: String, message: &str) -> ApiError {
    let message = message.split(" at line ").next().unwrap_or(message);
    let expected = message.split_once(", expected ").map(|(_, e)| e);
    // serde's path already ends at an unknown field, but stops above a missing one.
    let named = message
        .split('`')
        .nth(1)
        .map(escape_pointer)
        .filter(|name| !pointer.ends_with(&format!("/{name}")));
    let text = if message.starts_with("unknown field") {
        if let Some(name) = named {
            pointer = format!("{pointer}/{name}");
        }
        "is not a known field".to_owned()
    } else if message.starts_with("missing field") {
        if let Some(name) = named {
            pointer = format!("{pointer}/{name}");
        }
        "is required".to_owned()
    } else if message.starts_with("duplicate field") {
        if let Some(name) = named {
            pointer = format!("{pointer}/{name}");
        }
        "appears more than once".to_owned()
    } else if message.starts_with("unknown variant") {
        match expected {
            Some(e) => format!("is not one of the allowed values ({e})"),
            None => "is not one of the allowed values".to_owned(),
        }
    } else if message.starts_with("invalid type") {
        match expected {
            Some(e) => format!("has the wrong type: expected {e}"),
            None => "has the wrong type".to_owned(),
        }
    } else if message.starts_with("invalid length") {
        match expected {
            Some(e) => format!("has the wrong length: expected {e}"),
            None => "has the wrong length".to_owned(),
        }
    } else if message.starts_with("must ") {
        message.to_owned()
    } else {
        "has an invalid value".to_owned()
    };
    if pointer.is_empty() {
        pointer.push('/');
    }
    ApiError::Validation(vec![FieldError {
        pointer,
        message: text,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn nul_escapes_are_found_and_named_by_their_field() {
        assert!(has_nul_escape(br#"{"a":"x\u0000y"}"#));
        assert!(
            !has_nul_escape(br#"{"a":"x\\u0000y"}"#),
            "an escaped backslash, then text"
        );
        assert!(has_nul_escape(br#"{"a":"\\\u0000"}"#));
        assert!(!has_nul_escape(b"ends in a backslash \\"));
        assert!(!has_nul_escape(br#"{"a":"\u0001"}"#));
        let e =
            parse_json::<serde_json::Value>(br#"{"p":{"names":["ok","b\u0000d"]}}"#).unwrap_err();
        match e {
            ApiError::Validation(errs) => assert_eq!(errs[0].pointer, "/p/names/1"),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn answers_are_what_serde_json_would_write() {
        #[derive(Serialize)]
        struct Sample<'a> {
            text: &'a str,
            numbers: [f64; 6],
            whole: [i64; 3],
            missing: Option<u8>,
            #[serde(skip_serializing_if = "Option::is_none")]
            skipped: Option<u8>,
            nested: Vec<(bool, &'a str)>,
            at: chrono::DateTime<chrono::Utc>,
            id: uuid::Uuid,
        }
        let sample = Sample {
            text: "quote \" backslash \\ slash / tab \t newline \n nul \0 bell \u{7} del \u{7f} é 日本 🚨 \u{2028}",
            numbers: [0.0, -0.0, 1.5, 2262.35875052, 1e21, f64::NAN],
            whole: [0, -1, i64::MAX],
            missing: None,
            skipped: None,
            nested: vec![(true, ""), (false, "x")],
            at: "2026-11-24T01:34:41.067427Z".parse().unwrap(),
            id: uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
        };
        let res = json_response(&sample, 16);
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()[header::CONTENT_TYPE], "application/json");
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            serde_json::to_string(&sample).unwrap()
        );
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Person {
        name: String,
        age: u8,
        email: Option<fieldline_wire::Email>,
    }

    fn errors(body: &str) -> Vec<FieldError> {
        match parse_json::<Person>(body.as_bytes()) {
            Err(ApiError::Validation(e)) => e,
            other => panic!("expected validation error, got {other:?}"),
        }
    }

    #[test]
    fn messages_never_echo_values() {
        let e = errors(r#"{"name": "x", "age": "Jane Secret-Name"}"#);
        assert_eq!(e[0].pointer, "/age");
        assert!(!e[0].message.contains("Jane"), "{}", e[0].message);
        let e = errors(r#"{"name": "x", "age": 3, "email": "jane.doe.secret"}"#);
        assert_eq!(e[0].pointer, "/email");
        assert_eq!(e[0].message, "must be an e-mail address");
    }

    #[test]
    fn unknown_and_missing_fields_are_named() {
        let e = errors(r#"{"name": "x", "age": 3, "nmae": 1}"#);
        assert_eq!(
            (e[0].pointer.as_str(), e[0].message.as_str()),
            ("/nmae", "is not a known field")
        );
        let e = errors(r#"{"name": "x"}"#);
        assert_eq!(
            (e[0].pointer.as_str(), e[0].message.as_str()),
            ("/age", "is required")
        );
    }

    #[test]
    fn broken_json_is_a_syntax_problem() {
        for body in [
            r#"{"name": "#,
            "{,}",
            r#"{"name":"x","age":3} trailing"#,
            "",
        ] {
            assert!(
                matches!(
                    parse_json::<Person>(body.as_bytes()),
                    Err(ApiError::MalformedJson { .. })
                ),
                "{body:?}"
            );
        }
    }
}
