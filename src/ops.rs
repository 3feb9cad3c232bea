//! Operations endpoints: `/healthz` (the process answers), `/readyz` (the
//! database answers), `/metrics` (Prometheus text, for loopback clients or
//! holders of the metrics token).
//!
//! May import: state, error, http (the client address).

use std::sync::OnceLock;

use axum::Router;
use axum::extract::State;
use axum::http::{Extensions, HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use secrecy::ExposeSecret as _;
use sha2::{Digest as _, Sha256};

use crate::error::AppError;
use crate::http::client_addr::ClientAddr;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(show_metrics))
}

/// The process-wide Prometheus recorder (one per process, shared by every
/// app instance a test binary starts).
fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&[
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ])
            .map(PrometheusBuilder::build_recorder)
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let handle = recorder.handle();
        let _other_recorder_already_set = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Installs the recorder; call once at start-up.
pub fn init_metrics() {
    prometheus();
}

/// GET /healthz — 200 while the process runs; touches nothing else.
async fn healthz() -> &'static str {
    "ok\n"
}

/// GET /readyz — 200 when the database answers, else 503.
async fn readyz(State(app): State<AppState>) -> Response {
    if app.db.ping().await {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5")],
            "database unavailable\n",
        )
            .into_response()
    }
}

/// GET /metrics — Prometheus text for loopback clients or a bearer of the
/// configured token; everyone else sees a 404.
async fn show_metrics(
    State(app): State<AppState>,
    extensions: Extensions,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let token_ok = app.settings.metrics_token.as_ref().is_some_and(|token| {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            // Compared as digests: equal-length inputs, no early exit on a
            // matching prefix.
            .is_some_and(|given| {
                Sha256::digest(given.as_bytes()) == Sha256::digest(token.expose_secret().as_bytes())
            })
    });
    // Behind a trusted proxy this is the client the proxy names, so the
    // proxy's own loopback address opens nothing.
    let loopback = ClientAddr::of(&extensions).is_some_and(|ip| ip.is_loopback());
    if !loopback && !token_ok {
        return Err(AppError::NotFound);
    }
    let (size, idle) = app.db.pool_stats();
    metrics::gauge!("db_pool_connections").set(f64::from(size));
    metrics::gauge!("db_pool_idle_connections").set(idle as f64);
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        prometheus().render(),
    )
        .into_response())
}
