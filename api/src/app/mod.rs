//! The web app (`web/`, built into `web/dist`) served at `/app`, so a deployment stays one
//! binary plus PostgreSQL. Release builds embed the files; debug builds read them from disk,
//! so a rebuilt front-end shows without recompiling the server.
//!
//! Caching: files under `assets/` carry a content hash in their name and are immutable;
//! everything else (the page, the service worker, the manifest) is revalidated on every load,
//! so a new release reaches phones at their next visit. Unknown paths without an extension
//! get the page (the app keeps its screens out of the URL, but a reload must still work).
//!
//! The build leaves a gzip copy beside each script, stylesheet and the place list
//! (`name.gz`); a browser that accepts gzip gets that copy, so what a phone downloads is the
//! compressed size recorded in `docs/web-app.md` ("Size and load time").

use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../web/dist"]
#[allow_missing = true]
struct Dist;

/// The app's own policy: everything from this origin, nothing from any CDN.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; \
frame-ancestors 'none'; form-action 'self'";

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/app", get(|| async { Redirect::permanent("/app/") }))
        .route(
            "/app/",
            get(|headers: HeaderMap| async move { asset("index.html", &headers) }),
        )
        .route(
            "/app/{*path}",
            get(|Path(path): Path<String>, headers: HeaderMap| async move {
                asset(&path, &headers)
            }),
        )
}

fn asset(path: &str, request: &HeaderMap) -> Response {
    // Debug builds read from disk: never let a path climb out of web/dist.
    if path.split(['/', '\\']).any(|segment| segment == "..") {
        return plain(StatusCode::NOT_FOUND, "not found");
    }
    let (name, file) = match Dist::get(path) {
        Some(f) => (path, f),
        // Client-side screens: hand out the page. Missing files (with an extension) are 404.
        None if !last_segment(path).contains('.') => match Dist::get("index.html") {
            Some(f) => ("index.html", f),
            None => return not_built(),
        },
        None if path == "index.html" => return not_built(),
        None => return plain(StatusCode::NOT_FOUND, "not found"),
    };
    let gzipped = Dist::get(&format!("{name}.gz"));
    let has_gzip = gzipped.is_some();
    let (file, encoding) = match gzipped {
        Some(gz) if accepts_gzip(request) => (gz, Some("gzip")),
        _ => (file, None),
    };
    // The encoded copy is a different representation: a different tag.
    let etag = format!("\"{}\"", hex::encode(file.metadata.sha256_hash()));
    // Revalidation of the no-cache files (the page, the worker) costs a 304, not the file.
    let unchanged = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut res = if unchanged {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        Response::new(Body::from(file.data.into_owned()))
    };
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(name)),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if name.starts_with("assets/") {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        }),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Some(enc) = encoding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(enc));
    }
    if has_gzip {
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if name == "sw.js" {
        // The worker controls the app only, never the API.
        h.insert("service-worker-allowed", HeaderValue::from_static("/app/"));
    }
    res
}

/// `Accept-Encoding` lists gzip with a weight above zero.
fn accepts_gzip(request: &HeaderMap) -> bool {
    request
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let q = parts
                .find_map(|p| p.strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            (name.eq_ignore_ascii_case("gzip") || name == "*") && q > 0.0
        })
}

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "webmanifest" => "application/manifest+json",
        "json" => "application/json",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

fn not_built() -> Response {
    plain(
        StatusCode::SERVICE_UNAVAILABLE,
        "The web app was not built into this binary: run `npm ci && npm run build` in web/ (scripts/run does) and rebuild.",
    )
}
