//! The request id and client address every log line, audit row and problem carries.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::{HeaderValue, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use fieldline_wire::Problem;
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;
use tracing::Instrument;

const REQUEST_ID: &str = "x-request-id";

/// Who is asking from where, for the audit log. Present on every request.
#[derive(Debug, Clone)]
pub struct RequestMeta {
    pub request_id: String,
    pub client_ip: Option<IpAddr>,
}

impl<S: Send + Sync> FromRequestParts<S> for RequestMeta {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<RequestMeta>()
            .cloned()
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("request_context layer missing")))
    }
}

/// Assigns the request id (keeping a well-formed one from a proxy), finds the client address,
/// opens the request's log span, and writes the id into the response and into any problem's
/// `instance`. Logs name the route template, never the URL: query strings can hold a
/// victim's location.
pub async fn request_context(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        // Only a UUID is taken from a client: the id is kept in the audit log and in logs,
        // and free text there could carry a name (issue #16, finding 12).
        .filter(|id| uuid::Uuid::try_parse(id).is_ok())
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());

    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let forwarded = state
        .config
        .trust_forwarded_for
        .then(|| {
            req.headers()
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|ip| ip.trim().parse::<IpAddr>().ok())
                .next_back()
        })
        .flatten();
    let meta = RequestMeta {
        request_id: request_id.clone(),
        client_ip: forwarded.or(peer),
    };
    req.extensions_mut().insert(meta);

    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "(unmatched)".to_owned());
    let span = tracing::info_span!("request", request_id = %request_id, method = %req.method(), route = %route);
    let started = Instant::now();
    // A request that outlives the timeout is answered 503; dropping it rolls back its
    // transaction, so nothing half-done is kept and the client may retry.
    let run = tokio::time::timeout(state.config.request_timeout, next.run(req));
    let mut res = match run.instrument(span.clone()).await {
        Ok(res) => res,
        Err(_) => {
            span.in_scope(|| tracing::warn!("request timed out"));
            ApiError::Unavailable("the request took too long").into_response()
        }
    };
    span.in_scope(|| {
        tracing::info!(
            status = res.status().as_u16(),
            latency_ms = started.elapsed().as_secs_f64() * 1000.0,
            "request finished"
        )
    });

    if let Ok(v) = HeaderValue::from_str(&request_id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    if let Some(mut problem) = res.extensions_mut().remove::<Problem>() {
        problem.instance = Some(format!("urn:fieldline:request:{request_id}"));
        if let Ok(body) = serde_json::to_vec(&problem) {
            res.headers_mut().remove(axum::http::header::CONTENT_LENGTH);
            *res.body_mut() = axum::body::Body::from(body);
        }
    }
    res
}
