//! Logging. JSON lines by default, each inside its request's span (request id, method, route
//! template). What is never logged: URLs and query strings, bodies, tokens, passwords, and
//! database error details (PostgreSQL's DETAIL quotes row values).

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

pub fn init() {
    let filter =
        EnvFilter::try_from_env("FIELDLINE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    if std::env::var("FIELDLINE_LOG_FORMAT").is_ok_and(|f| f == "pretty") {
        tracing_subscriber::registry()
            .with(filter)
            .with(fmt::layer())
            .init();
    } else {
        init_json(filter, std::io::stdout);
    }
}

/// JSON lines to `writer`, each carrying its request span's fields. Tests pass a buffer to
/// check what the server would have logged.
pub fn init_json<W>(filter: EnvFilter, writer: W)
where
    W: for<'a> fmt::MakeWriter<'a> + Send + Sync + 'static,
{
    let layer = fmt::layer()
        .json()
        .with_current_span(true)
        .with_span_list(false)
        .with_writer(writer);
    tracing_subscriber::registry()
        .with(filter)
        .with(layer)
        .init();
}

/// An error as it may be logged: database errors reduced to their SQLSTATE, constraint and
/// table; other errors as their chain of messages (which we write, and keep free of data).
pub fn redacted(e: &anyhow::Error) -> String {
    let mut parts = Vec::new();
    for cause in e.chain() {
        // A sqlx error's own sources repeat PostgreSQL's message: stop at the first one.
        if let Some(sql) = cause.downcast_ref::<sqlx::Error>() {
            parts.push(match sql {
                sqlx::Error::Database(db) => format!(
                    "database error {} (constraint {}, table {})",
                    db.code().as_deref().unwrap_or("?"),
                    db.constraint().unwrap_or("-"),
                    db.table().unwrap_or("-"),
                ),
                sqlx::Error::ColumnDecode { index, .. } => format!("cannot decode column {index}"),
                other => other.to_string(),
            });
            break;
        }
        parts.push(cause.to_string());
    }
    parts.join(": ")
}
