//! The request id: made by `SetRequestIdLayer`, echoed in `x-request-id`,
//! recorded on the request's tracing span (so on every log line) and handed
//! to `error`, so an error page can show it.
//!
//! May import: error.

use std::time::Duration;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Span;

fn id_of<B>(request: &axum::http::Request<B>) -> &str {
    request
        .headers()
        .get("x-request-id")
        .and_then(|v: &HeaderValue| v.to_str().ok())
        .unwrap_or("-")
}

/// The span every log line of a request is written in. The path is logged
/// without its query string, which may carry search terms or tokens.
pub fn make_span<B>(request: &axum::http::Request<B>) -> Span {
    tracing::info_span!(
        "request",
        request.id = %id_of(request),
        http.method = %request.method(),
        http.path = %request.uri().path(),
    )
}

pub fn on_response<B>(response: &axum::http::Response<B>, latency: Duration, _span: &Span) {
    tracing::info!(
        http.status = response.status().as_u16(),
        latency_ms = latency.as_secs_f64() * 1000.0,
        "request done"
    );
}

/// Runs the rest of the request with its id known to the error renderings.
pub async fn scope(request: Request, next: Next) -> Response {
    let id = id_of(&request).to_owned();
    crate::error::with_request_id(id, next.run(request)).await
}
