//! `GET /uploads/{name}`: product images, served from the database with the
//! type they were stored with, under a policy that lets nothing in them run.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::db;
use crate::error::AppError;
use crate::state::AppState;

/// The only types an image is ever stored as.
const SERVED_TYPES: &[&str] = &["image/jpeg", "image/png", "image/webp", "image/gif"];

/// Names the shop itself gives stored images: 32 hex digits and an extension.
pub fn is_stored_name(name: &str) -> bool {
    let Some((stem, ext)) = name.split_once('.') else {
        return false;
    };
    stem.len() == 32
        && stem
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && matches!(ext, "jpg" | "png" | "webp" | "gif")
}

/// GET /uploads/{name} — an uploaded image with its true type; anything
/// that is not one of ours is 404.
pub async fn serve_upload(
    State(app): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    if !is_stored_name(&name) {
        return Err(AppError::NotFound);
    }
    let mut conn = app.db.conn().await?;
    let file = db::images::find_image_file(&mut conn, &name)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let content_type = SERVED_TYPES
        .iter()
        .find(|t| **t == file.content_type)
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
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
        file.bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::is_stored_name;

    #[test]
    fn only_our_names_are_served() {
        assert!(is_stored_name("0123456789abcdef0123456789abcdef.jpg"));
        for bad in [
            "../../etc/passwd",
            "0123456789abcdef0123456789abcdef.svg",
            "0123456789ABCDEF0123456789abcdef.jpg",
            "0123456789abcdef0123456789abcdef.jpg.html",
            "x.jpg",
            "",
        ] {
            assert!(!is_stored_name(bad), "{bad:?}");
        }
    }
}
