//! Extractors that turn raw request parts into domain values at the edge.

use std::str::FromStr;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::error::AppError;
use crate::http::path::parse_id;

/// A path id parsed into its domain type. Anything that is not a valid id
/// is simply a page that does not exist: 404, never 400 or 500.
pub struct PathId<T>(pub T);

impl<S, T> FromRequestParts<S> for PathId<T>
where
    S: Send + Sync,
    T: FromStr + Send,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        parse_id(parts, state)
            .await
            .map(Self)
            .ok_or(AppError::NotFound)
    }
}
