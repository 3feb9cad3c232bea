//! The tower pipeline every response passes through, error pages and static
//! files included: request ids, tracing, security headers, panics caught,
//! errors logged once, compression, timeouts, body limits, metrics.
//!
//! May import: error, config, auth (the CSRF check), redis (shared rate
//! budgets).

pub mod client_addr;
pub mod csrf;
pub mod headers;
pub mod metrics;
pub mod path;
pub mod query;
pub mod rate;
pub mod request_id;

use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::{Limits, TrustedProxies};
use crate::error::{ErrorReport, error_page};

/// Wraps the shop's router in the whole pipeline.
pub fn layer(router: Router, limits: &Limits, trusted: TrustedProxies) -> Router {
    // Each `layer` call wraps everything before it, so read bottom-up: a
    // request id exists before anything logs, and the security headers also
    // cover the timeout's 408 and the panic's 500.
    router
        .layer(middleware::from_fn(query::reject_undecodable))
        // Who the client is, before anything counts or logs addresses.
        .layer(middleware::from_fn_with_state(
            trusted,
            client_addr::resolve,
        ))
        // Bodies are bounded where they are read (extractors and the CSRF
        // check); the upload route raises its own limit.
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .layer(CompressionLayer::new().gzip(true).br(true))
        .layer(middleware::from_fn(record_metrics))
        .layer(middleware::from_fn(log_errors))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::map_response(headers::add_security_headers))
        .layer(middleware::from_fn(request_id::scope))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_id::make_span)
                .on_request(())
                .on_response(request_id::on_response)
                .on_failure(()),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a handler panicked");
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "Something went wrong on our side. Please try again.",
    )
}

/// Logs the error behind a failed response, once, inside the request's span
/// (so with its request id), and strips it from the response.
async fn log_errors(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if let Some(ErrorReport(error)) = response.extensions_mut().remove::<ErrorReport>() {
        let status = response.status().as_u16();
        if response.status().is_server_error() && status != 503 && status != 507 {
            tracing::error!(
                http.status = status,
                error = format!("{error:#}"),
                "request failed"
            );
        } else {
            tracing::warn!(
                http.status = status,
                error = format!("{error:#}"),
                "request could not be served"
            );
        }
    }
    response
}

/// Counts requests and their latency by route template and status.
async fn record_metrics(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request.extensions().get::<MatchedPath>().cloned();
    let method = request.method().clone();
    let response = next.run(request).await;
    self::metrics::record_request(
        &method,
        route.as_ref().map_or("unmatched", MatchedPath::as_str),
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// The fallback for every path no router serves: problem+json under
/// `/api/`, the 404 page elsewhere.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        crate::error::AppError::NotFound.into_problem()
    } else {
        crate::error::AppError::NotFound.into_response()
    }
}

/// CORS for the API: none by default (no header at all); `--cors-origins`
/// opens it to exactly the listed origins, cookies included (the CSRF token
/// is still required for state-changing methods).
pub fn cors(origins: &[String]) -> tower_http::cors::CorsLayer {
    use axum::http::{HeaderName, Method, header};
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let allowed: Vec<axum::http::HeaderValue> =
        origins.iter().filter_map(|o| o.parse().ok()).collect();
    if allowed.is_empty() {
        return CorsLayer::new();
    }
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([
            header::CONTENT_TYPE,
            HeaderName::from_static("x-csrf-token"),
            HeaderName::from_static("idempotency-key"),
        ])
        .max_age(std::time::Duration::from_secs(600))
}

/// How long a connection may wait to send its request headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
