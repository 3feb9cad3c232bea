//! `GET /static/…`: the CSS, JS and icons embedded in the binary (see
//! `frame::assets`). Only names that exist in the embedded set are served,
//! so no request path ever reaches the filesystem. A request with the
//! current hash (`?v=…`) may be cached for a year.
//!
//! May import: error, frame.

use axum::extract::{Path, RawQuery};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::frame::assets;
// The API docs page still links its script through here.
pub use crate::frame::assets::url;

/// Plain names only: letters, digits, `-`, `_`, `.` in each segment, no
/// segment starting with a dot.
fn is_clean(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= 200
        && path.split('/').all(|seg| {
            !seg.is_empty()
                && !seg.starts_with('.')
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        })
}

/// GET /static/{*path} — an embedded asset with its true type.
pub async fn serve_static(
    Path(path): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    if !is_clean(&path) {
        return Err(AppError::NotFound);
    }
    let (file, current) = assets::file(&path).ok_or(AppError::NotFound)?;
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    let content_type = if mime.type_() == "text" || mime.subtype() == "javascript" {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    };
    let versioned = query
        .as_deref()
        .and_then(|q| q.strip_prefix("v="))
        .is_some_and(|v| Some(v) == current);
    let cache = if versioned {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_str(&content_type).map_err(|e| AppError::Internal(e.into()))?,
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        file.data,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::is_clean;

    #[test]
    fn only_plain_asset_names_pass() {
        assert!(is_clean("css/shop.css"));
        for bad in [
            "",
            "../etc/passwd",
            "css/../../x",
            ".env",
            "css//shop.css",
            "a\\b",
            "%2e%2e/x",
            "css/.hidden",
        ] {
            assert!(!is_clean(bad), "{bad:?}");
        }
    }
}
