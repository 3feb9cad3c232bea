//! Security headers on every response. A handler that needs a stricter
//! policy (uploaded files) or other caching (static files) sets its own
//! header first; these are only added where absent.

use axum::http::{HeaderName, HeaderValue};
use axum::response::Response;

/// The shop's pages: same-origin everything, no inline script or style.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// Built at compile time: a response pays for a clone of each (a pointer
/// copy), not for parsing the names and values again.
const HEADERS: [(HeaderName, HeaderValue); 9] = [
    (
        HeaderName::from_static("content-security-policy"),
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    ),
    (
        HeaderName::from_static("strict-transport-security"),
        HeaderValue::from_static("max-age=63072000; includeSubDomains"),
    ),
    (
        HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    ),
    (
        HeaderName::from_static("x-frame-options"),
        HeaderValue::from_static("DENY"),
    ),
    (
        HeaderName::from_static("referrer-policy"),
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    ),
    (
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static(
            "accelerometer=(), camera=(), geolocation=(), gyroscope=(), microphone=(), payment=(), usb=()",
        ),
    ),
    (
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    ),
    (
        HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("same-origin"),
    ),
    // Pages show the visitor's cart and account: no shared cache may keep
    // them. Static files and images set their own caching.
    (
        HeaderName::from_static("cache-control"),
        HeaderValue::from_static("no-store"),
    ),
];

/// Adds every security header the response does not carry yet.
pub async fn add_security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.reserve(HEADERS.len());
    for (name, value) in HEADERS {
        headers.entry(name).or_insert(value);
    }
    response
}
