//! `GET /uploads/{name}`: product images, served from the database with the
//! type they were stored with, under a policy that lets nothing in them run.
//!
//! May import: shop, error, state.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::shop;
use crate::state::AppState;

/// GET /uploads/{name} — an uploaded image with its true type; anything
/// that is not one of ours is 404.
pub async fn serve_upload(
    State(app): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    let image = shop::images::find_image(&app.db, &name)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(image.kind.content_type()),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; sandbox"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("inline"),
            ),
        ],
        image.bytes,
    )
        .into_response())
}
