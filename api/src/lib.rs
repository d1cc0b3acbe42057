//! Fieldline's server as a library: `router` builds the whole HTTP API from explicit state, so
//! the binary and the end-to-end tests start exactly the same app.

pub mod agencies;
pub mod alerts;
pub mod app;
pub mod audit;
pub mod auth;
pub mod config;
pub mod contacts;
pub mod db;
pub mod demo;
pub mod directory;
pub mod encryption;
pub mod error;
pub mod geo;
pub mod http;
pub mod jobs;
pub mod keyfile;
pub mod keygen;
pub mod measure;
pub mod oncall;
pub mod ops;
pub mod plans;
pub mod push;
pub mod safety;
pub mod state;
pub mod sync;
pub mod telemetry;
pub mod users;
pub mod worker;

pub use db::{MIGRATOR, connect, listen};
pub use state::AppState;

use axum::Router;
use axum::http::{HeaderValue, header};
use error::ApiError;
use std::future::Future;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Fieldline API",
        description = "Field crisis response for victim services: crisis contacts, the shelter directory, safety plans and escalation. Errors are RFC 9457 problem details.",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Sign-in, sessions and the signed-in user"),
        (name = "admin", description = "Agency administration: people and the audit log"),
        (name = "contacts", description = "Crisis contacts, people and risk screenings"),
        (name = "plans", description = "Safety plans: versions, history and discreet exports"),
        (name = "directory", description = "Shelters and safe housing: search, upkeep, import and export"),
        (name = "alerts", description = "Alerts, escalation policies, acknowledgements"),
        (name = "push", description = "Web Push: registering devices for alerts"),
        (name = "operations", description = "Health and readiness"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .bearer_format("JWT")
                        .build(),
                ),
            );
    }
}

/// The OpenAPI document `/v1/openapi.json` serves, built by the same code as the routes it
/// describes. `fieldline openapi` prints it; the web app's API types are generated from it
/// (`web/src/api-types.ts`).
pub fn openapi() -> serde_json::Value {
    api().1
}

/// One router per domain, merged, and the document they make together.
fn api() -> (Router<AppState>, serde_json::Value) {
    let (routes, mut openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(auth::router())
        .merge(users::router())
        .merge(directory::router())
        .merge(contacts::router())
        .merge(plans::router())
        .merge(sync::router())
        .merge(push::router())
        .merge(alerts::router())
        .merge(oncall::router())
        .merge(safety::router())
        .merge(audit::router())
        .merge(worker::routes::router())
        .merge(ops::router())
        .split_for_parts();
    document_problems(&mut openapi);
    (routes, document_limits(openapi))
}

/// The whole API plus the OpenAPI document at `/v1/openapi.json` and its browsable form at
/// `/docs` (Swagger UI compiled into the binary).
pub fn router(state: AppState) -> Router {
    let (routes, openapi) = api();
    let body_limit = state.config.max_body_bytes;
    routes
        .merge(
            // The browsable docs load only their own files (issue #16, finding 12); Swagger
            // UI sets inline styles and draws its icons from data: URLs.
            Router::from(
                SwaggerUi::new("/docs").external_url_unchecked("/v1/openapi.json", openapi),
            )
            .layer(SetResponseHeaderLayer::overriding(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                     img-src 'self' data:; connect-src 'self'; object-src 'none'; \
                     base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
                ),
            )),
        )
        .merge(app::router())
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(axum::middleware::from_fn(ops::metrics::track))
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::request_context,
        ))
        // Responses may carry victims' data: no shared or browser caching, ever.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            tracing::error!("handler panicked");
            axum::response::IntoResponse::into_response(ApiError::Internal(anyhow::anyhow!(
                "handler panicked"
            )))
        }))
        .with_state(state)
}

/// Operations every signed-in user may call: they answer 401 without a valid session, never
/// 403. The authorization matrix (`tests/tests/suite/authz_matrix.rs`) checks both ways that the
/// 401s and 403s the document states are the ones the server answers.
const OPEN_TO_EVERY_SIGNED_IN_USER: &[(&str, &str)] = &[
    ("get", "/v1/me"),
    ("get", "/v1/directory/nearby"),
    ("get", "/v1/directory/within"),
    ("get", "/v1/directory/export.csv"),
    ("get", "/v1/directory/export.hsds.json"),
    ("get", "/v1/directory/entries/{id}"),
    // An alert one may not see is 404, whoever asks (no telling whether it exists).
    ("get", "/v1/alerts/{id}"),
    ("post", "/v1/alerts/{id}/resolve"),
    ("get", "/v1/oncall/me/shifts"),
    ("get", "/v1/oncall/me/calendar-feed"),
    ("post", "/v1/oncall/me/calendar-feed"),
    ("delete", "/v1/oncall/me/calendar-feed"),
    ("get", "/v1/push/subscriptions"),
    ("post", "/v1/push/subscriptions"),
    ("delete", "/v1/push/subscriptions/{id}"),
    ("post", "/v1/push/test"),
    ("post", "/v1/auth/password"),
    ("post", "/v1/auth/logout"),
];

/// Completes the document's problem answers in one place rather than on every route: every
/// operation behind the bearer scheme answers 401 (the `Actor` extractor), and 403 unless it
/// is open to every signed-in user; every operation with parameters or a body answers 400 when
/// they do not parse, every one with a path id 404, every one with an `If-Match` 412 and 428, every one
/// with a body 415 and 422 (checked
/// by schemathesis, `tests/tests/suite/fuzz_contract.rs`); every answer has a description (OpenAPI
/// requires one), its status's reason phrase where the route gives none.
fn document_problems(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let problem = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build(),
        )
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        let operations = [
            ("get", item.get.as_mut()),
            ("put", item.put.as_mut()),
            ("post", item.post.as_mut()),
            ("delete", item.delete.as_mut()),
            ("patch", item.patch.as_mut()),
        ];
        for (method, op) in operations {
            let Some(op) = op else { continue };
            let bearer = serde_json::to_value(&op.security)
                .is_ok_and(|v| v.to_string().contains("\"bearer\""));
            let answers = &mut op.responses.responses;
            if bearer {
                answers
                    .entry("401".into())
                    .or_insert_with(|| problem("no valid session: sign in again"));
                if !OPEN_TO_EVERY_SIGNED_IN_USER.contains(&(method, path.as_str())) {
                    answers
                        .entry("403".into())
                        .or_insert_with(|| problem("your roles do not allow this"));
                }
            }
            // What the extractors answer before any handler runs: a path or query parameter
            // that does not parse, or a body that is not JSON of the right shape, is 400; a
            // body without `Content-Type: application/json` is 415; a body of the right shape
            // with an invalid field is 422 (the handlers' validation).
            let params = op.parameters.as_deref().unwrap_or_default();
            let is_in = |place: ParameterIn| {
                params
                    .iter()
                    .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == place))
            };
            if is_in(ParameterIn::Path) || is_in(ParameterIn::Query) || op.request_body.is_some() {
                answers
                    .entry("400".into())
                    .or_insert_with(|| problem("a parameter or the body is malformed"));
            }
            if is_in(ParameterIn::Path) {
                answers
                    .entry("404".into())
                    .or_insert_with(|| problem("no such record, or not one you may see"));
            }
            if params
                .iter()
                .any(|p| matches!(p, RefOr::T(p) if p.name.eq_ignore_ascii_case("If-Match")))
            {
                answers.entry("412".into()).or_insert_with(|| {
                    problem("`If-Match` names a version that is not the current one")
                });
                answers
                    .entry("428".into())
                    .or_insert_with(|| problem("`If-Match` is required"));
            }
            if op.request_body.is_some() {
                answers
                    .entry("415".into())
                    .or_insert_with(|| problem("the body is not `application/json`"));
                answers
                    .entry("422".into())
                    .or_insert_with(|| problem("a field is invalid: see `errors`"));
            }
            for (status, answer) in answers.iter_mut() {
                if let RefOr::T(answer) = answer
                    && answer.description.is_empty()
                {
                    answer.description = status
                        .parse::<u16>()
                        .ok()
                        .and_then(|s| axum::http::StatusCode::from_u16(s).ok())
                        .and_then(|s| s.canonical_reason())
                        .unwrap_or("answer")
                        .to_owned();
                }
            }
        }
    }
}

/// States in the document, in one place, two limits every route enforces (checked by
/// schemathesis, `tests/tests/suite/fuzz_contract.rs`): an integer is within its Rust type's range
/// (the `format` alone does not bound it in JSON Schema; a larger number is refused as the
/// wrong type), and no text contains the NUL character (`http::extract`; PostgreSQL cannot
/// store it): every string without a `format`, `enum` or `pattern` of its own gets
/// `^[^\u0000]*$`. And `If-Match` is an ETag such as `"3"`,
/// `Idempotency-Key` 1 to 64 visible ASCII characters.
fn document_limits(doc: utoipa::openapi::OpenApi) -> serde_json::Value {
    use serde_json::{Value, json};
    fn has_type(schema: &serde_json::Map<String, Value>, name: &str) -> bool {
        match schema.get("type") {
            Some(Value::String(t)) => t == name,
            Some(Value::Array(ts)) => ts.iter().any(|t| t == name),
            _ => false,
        }
    }
    fn walk(v: &mut Value) {
        match v {
            Value::Object(o) => {
                // `If-Match` is an ETag of a version (`http::if_match_version`).
                if o.get("in").is_some_and(|v| v == "header")
                    && o.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.eq_ignore_ascii_case("if-match"))
                {
                    o.insert(
                        "schema".into(),
                        json!({"type": "string", "pattern": "^(W/)?\"[0-9]{1,18}\"$"}),
                    );
                }
                // `Idempotency-Key`: 1 to 64 visible ASCII characters (`http::idempotency_key`).
                if o.get("in").is_some_and(|v| v == "header")
                    && o.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.eq_ignore_ascii_case("idempotency-key"))
                {
                    o.insert(
                        "schema".into(),
                        json!({"type": "string", "pattern": "^[!-~]{1,64}$"}),
                    );
                }
                if has_type(o, "integer") {
                    // utoipa writes the unsigned formats in kebab case (`u-int32`).
                    if let Some(Value::String(f)) = o.get_mut("format")
                        && f.starts_with("u-")
                    {
                        *f = f.replacen("u-", "u", 1);
                    }
                    let (min, max): (i128, i128) = match o.get("format").and_then(Value::as_str) {
                        Some("int8") => (i8::MIN.into(), i8::MAX.into()),
                        Some("uint8") => (0, u8::MAX.into()),
                        Some("int16") => (i16::MIN.into(), i16::MAX.into()),
                        Some("uint16") => (0, u16::MAX.into()),
                        Some("int32") => (i32::MIN.into(), i32::MAX.into()),
                        Some("uint32") => (0, u32::MAX.into()),
                        Some("uint64") => (0, u64::MAX.into()),
                        _ => (i64::MIN.into(), i64::MAX.into()),
                    };
                    o.entry("minimum").or_insert_with(|| json!(min));
                    o.entry("maximum").or_insert_with(|| json!(max));
                }
                if has_type(o, "string")
                    && !["format", "enum", "pattern", "const", "contentEncoding"]
                        .iter()
                        .any(|k| o.contains_key(*k))
                {
                    o.insert("pattern".into(), json!("^[^\\u0000]*$"));
                }
                // Examples are values, not schemas.
                for (k, child) in o.iter_mut() {
                    if k != "example" && k != "examples" && k != "default" {
                        walk(child);
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(&doc).expect("the OpenAPI document serialises");
    walk(&mut value);
    value
}

/// Serves the API on `listener` until `shutdown` resolves, then finishes in-flight requests.
/// Tests pass a listener on port 0; the binary passes the configured address.
pub async fn launch_with_listener(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
