//! Path ids at the edge, read one way for the pages and the API: a
//! segment that does not parse into its domain type names nothing, so each
//! side answers it with its own 404.
//!
//! May import: no other module (axum only).

use std::str::FromStr;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

/// The route's one path parameter as `T`, or `None` if it is not one.
pub async fn parse_id<S: Send + Sync, T: FromStr>(parts: &mut Parts, state: &S) -> Option<T> {
    let Path(raw) = Path::<String>::from_request_parts(parts, state)
        .await
        .ok()?;
    raw.parse().ok()
}
