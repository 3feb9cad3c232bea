//! Request metrics: a count and a latency histogram per route template,
//! method and status, recorded through the `metrics` facade. `ops` installs
//! the recorder and serves what it gathered; this side only records, so the
//! layers need nothing of the endpoints.

use std::collections::HashMap;
use std::sync::{OnceLock, PoisonError, RwLock};
use std::time::Duration;

use axum::http::Method;
use metrics::{Counter, Histogram};

/// The request metrics of one route template, by method and status.
/// Registering a labelled metric costs allocations and a registry lookup;
/// the handles are made once per combination and kept.
type RouteHandles = Vec<(Method, u16, Counter, Histogram)>;

/// Counts one finished request.
pub fn record_request(method: &Method, route: &str, status: u16, latency: Duration) {
    static HANDLES: OnceLock<RwLock<HashMap<Box<str>, RouteHandles>>> = OnceLock::new();
    let handles = HANDLES.get_or_init(RwLock::default);
    let find = |routes: &HashMap<Box<str>, RouteHandles>| {
        routes.get(route).and_then(|known| {
            known
                .iter()
                .find(|(m, s, _, _)| m == method && *s == status)
                .map(|(_, _, counter, histogram)| (counter.clone(), histogram.clone()))
        })
    };
    // A poisoned lock still holds whole entries: each is inserted at once.
    let found = find(&handles.read().unwrap_or_else(PoisonError::into_inner));
    let (counter, histogram) = found.unwrap_or_else(|| {
        let mut routes = handles.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = find(&routes) {
            return found;
        }
        let labels = [
            ("method", method.as_str().to_owned()),
            ("route", route.to_owned()),
            ("status", status.to_string()),
        ];
        let counter = metrics::counter!("http_requests_total", &labels);
        let histogram = metrics::histogram!("http_request_duration_seconds", &labels[..2]);
        routes.entry(route.into()).or_default().push((
            method.clone(),
            status,
            counter.clone(),
            histogram.clone(),
        ));
        (counter, histogram)
    });
    counter.increment(1);
    histogram.record(latency.as_secs_f64());
}
