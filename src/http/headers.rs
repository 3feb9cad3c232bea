//! Security headers on every response. A handler that needs a stricter
//! policy (uploaded files) or other caching (static files) sets its own
//! header first; these are only added where absent.

use std::sync::LazyLock;

use axum::http::{HeaderName, HeaderValue};
use axum::response::Response;

/// The shop's pages: same-origin everything, no inline script or style.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

const HEADERS: &[(&str, &str)] = &[
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    (
        "strict-transport-security",
        "max-age=63072000; includeSubDomains",
    ),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    (
        "permissions-policy",
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), microphone=(), payment=(), usb=()",
    ),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    // Pages show the visitor's cart and account: no shared cache may keep
    // them. Static files and images set their own caching.
    ("cache-control", "no-store"),
];

/// Parsed once: a response pays for a clone of each name and value (a
/// pointer copy), not for checking them again.
static PARSED: LazyLock<Vec<(HeaderName, HeaderValue)>> = LazyLock::new(|| {
    HEADERS
        .iter()
        .map(|(name, value)| {
            (
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            )
        })
        .collect()
});

/// Adds every security header the response does not carry yet.
pub async fn add_security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.reserve(PARSED.len());
    for (name, value) in PARSED.iter() {
        headers.entry(name.clone()).or_insert_with(|| value.clone());
    }
    response
}
