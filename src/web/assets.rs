//! `GET /static/…`: CSS, JS and icons, embedded in the binary so the shop
//! is one file that runs anywhere. Only names that exist in the embedded
//! set are served, so no request path ever reaches the filesystem.
//! Asset URLs carry a content hash (`?v=…`); a request with the current
//! hash may be cached for a year.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::{Path, RawQuery};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rust_embed::Embed;

use crate::error::AppError;

#[derive(Embed)]
#[folder = "static/"]
struct Static;

struct Asset {
    url: &'static str,
    version: String,
}

fn index() -> &'static HashMap<String, Asset> {
    static INDEX: OnceLock<HashMap<String, Asset>> = OnceLock::new();
    INDEX.get_or_init(|| {
        Static::iter()
            .filter_map(|name| {
                let file = Static::get(&name)?;
                let hash = file.metadata.sha256_hash();
                let version: String = hash[..6].iter().map(|b| format!("{b:02x}")).collect();
                let url: &'static str =
                    Box::leak(format!("/static/{name}?v={version}").into_boxed_str());
                Some((name.into_owned(), Asset { url, version }))
            })
            .collect()
    })
}

/// The versioned URL of an embedded asset (its plain path if unknown).
pub fn url(name: &str) -> &'static str {
    index().get(name).map_or("/static/missing", |a| a.url)
}

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
    let file = Static::get(&path).ok_or(AppError::NotFound)?;
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    let content_type = if mime.type_() == "text" || mime.subtype() == "javascript" {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    };
    let current = index().get(&path).map(|a| a.version.as_str());
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
