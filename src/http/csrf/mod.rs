//! The one CSRF check, for every state-changing method on every route:
//! 1. the Origin (or, failing that, the Referer) must be the shop's own, and
//!    `Sec-Fetch-Site: cross-site` is refused outright;
//! 2. the request must carry the session's synchronizer token (API calls
//!    without a session cookie excepted: nothing ambient to forge), in the
//!    `X-CSRF-Token` header or a `csrf_token` form field; a multipart
//!    upload carries it as its first field (see [`multipart`]), never in
//!    the URL.
//!
//! The token is the session's when the session holds one; otherwise it is
//! the browser's sealed secret (see `auth::csrf`), checked against the
//! secret's cookie. [`browser_secret`] reads that cookie into every
//! request, and sets it on the answer when a page handed out a token.
//!
//! A failure is a 403 page and nothing runs. Every router wraps each of its
//! method routers that serves a state-changing method in [`guard`]; a test posts to
//! every such route without a token.
//!
//! May import: auth, error, axum, tower-sessions, url.

mod multipart;

use std::convert::Infallible;
use std::sync::{Arc, OnceLock};

use axum::Extension;
use axum::body::Body;
use axum::extract::{OptionalFromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use crate::auth::totp::SecretBox;
use crate::auth::{csrf, session};
use crate::error::AppError;

/// What the check needs to know, put into every request by `startup`.
#[derive(Clone, Debug)]
pub struct CsrfPolicy {
    /// The shop's origin, `https://host[:port]`.
    pub origin: String,
    /// The largest form body read to find the token.
    pub max_body_bytes: usize,
    /// Other origins the API (only) accepts (`--cors-origins`).
    pub api_origins: Vec<String>,
    /// Seals and opens browser tokens.
    pub secrets: Arc<SecretBox>,
}

/// How long the browser keeps its CSRF secret: as long as a visitor's
/// cart lives.
const BROWSER_SECRET_MAX_AGE: i64 = session::VISITOR_IDLE.whole_seconds();

/// This request's browser secret: the one its cookie sent, or a new one,
/// made only when a page asks for a token and then set as a cookie on the
/// answer.
#[derive(Clone)]
pub struct BrowserSecret(Arc<SecretState>);

struct SecretState {
    sent: Option<String>,
    made: OnceLock<String>,
}

impl std::fmt::Debug for BrowserSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrowserSecret")
            .field("sent", &self.0.sent.is_some())
            .finish_non_exhaustive()
    }
}

impl BrowserSecret {
    /// The secret the browser sent, if it sent one.
    pub fn sent(&self) -> Option<&str> {
        self.0.sent.as_deref()
    }

    /// A form token for this browser; a new secret's cookie goes out with
    /// the answer.
    pub fn token(&self, secrets: &SecretBox) -> anyhow::Result<String> {
        let secret = match &self.0.sent {
            Some(sent) => sent,
            None => self.0.made.get_or_init(csrf::new_token),
        };
        csrf::browser_token(secrets, secret)
    }
}

/// As `Option<BrowserSecret>`: absent only where [`browser_secret`] does
/// not run (unit tests).
impl<S: Send + Sync> OptionalFromRequestParts<S> for BrowserSecret {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Infallible> {
        Ok(parts.extensions.get::<BrowserSecret>().cloned())
    }
}

/// The browser secret its cookie carries, if it is one of ours.
fn browser_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == csrf::BROWSER_COOKIE)
        .map(|(_, value)| value)
        .filter(|value| csrf::is_browser_secret(value))
}

/// Middleware: puts the [`BrowserSecret`] into the request, and its cookie
/// on the answer when a page made a token from a new one.
pub async fn browser_secret(mut request: Request, next: Next) -> Response {
    let state = Arc::new(SecretState {
        sent: browser_cookie(request.headers()).map(str::to_owned),
        made: OnceLock::new(),
    });
    request
        .extensions_mut()
        .insert(BrowserSecret(Arc::clone(&state)));
    let mut response = next.run(request).await;
    if let Some(value) = state.made.get() {
        let cookie = format!(
            "{}={value}; Path=/; Max-Age={BROWSER_SECRET_MAX_AGE}; Secure; HttpOnly; SameSite=Lax",
            csrf::BROWSER_COOKIE
        );
        if let Ok(cookie) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
    }
    response
}

/// The token a page's forms carry: the session's when it holds one, else
/// one made from the browser's secret (no session is made for it).
pub async fn form_token(
    session: &Session,
    browser: Option<&BrowserSecret>,
    secrets: &SecretBox,
) -> anyhow::Result<String> {
    if let Some(token) = session::expected_csrf_token(session).await? {
        return Ok(token);
    }
    match browser {
        Some(browser) => browser.token(secrets),
        None => session::csrf_token(session).await,
    }
}

/// The check as a layer for a route's method router. It goes on with
/// `route_layer`, so a method the path does not serve is still a 405.
pub fn guard<S: Clone + Send + Sync + 'static>(
    route: axum::routing::MethodRouter<S>,
) -> axum::routing::MethodRouter<S> {
    route.route_layer(axum::middleware::from_fn(protect))
}

pub const HEADER: &str = "x-csrf-token";
pub const FIELD: &str = "csrf_token";

fn is_safe(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// Whether the request's stated origin is ours. Browsers send Origin on
/// every state-changing request; a client that sends neither Origin nor Referer
/// (curl, an app) still needs the token.
fn origin_ok(headers: &HeaderMap, ours: &str) -> bool {
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"))
    {
        return false;
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        return origin.to_str().is_ok_and(|o| o == ours);
    }
    if let Some(referer) = headers.get(header::REFERER) {
        return referer
            .to_str()
            .ok()
            .and_then(|r| url::Url::parse(r).ok())
            .is_some_and(|u| u.origin().ascii_serialization() == ours);
    }
    true
}

fn has_session_cookie(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|pair| pair.trim_start().starts_with(session::COOKIE_NAME) && pair.contains('='))
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// What a request's token is checked against.
enum Expected {
    Session(String),
    Browser(String),
}

pub async fn protect(
    Extension(policy): Extension<CsrfPolicy>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    if is_safe(request.method()) {
        return next.run(request).await;
    }
    // API clients get problem+json, browsers the 403 page.
    let api = request.uri().path().starts_with("/api/");
    let refuse = move || {
        if api {
            AppError::Forbidden.into_problem()
        } else {
            AppError::Forbidden.into_response()
        }
    };
    let origin_allowed = origin_ok(request.headers(), &policy.origin)
        || api
            && request
                .headers()
                .get(header::ORIGIN)
                .and_then(|o| o.to_str().ok())
                .is_some_and(|o| policy.api_origins.iter().any(|allowed| allowed == o));
    if !origin_allowed {
        return refuse();
    }
    // An API call that carries no session cookie is not authenticated by
    // one, so there is no ambient authority to forge (the contract asks for
    // the token on cookie-authenticated calls): a fresh client may sign up
    // or sign in directly. Forms always need the token.
    if api && !has_session_cookie(request.headers()) {
        return next.run(request).await;
    }
    // A session that holds a token takes that one only (so nothing made
    // before sign-in works after it); otherwise the browser's sealed secret.
    let expected = match session::expected_csrf_token(&session).await {
        Ok(Some(token)) => Expected::Session(token),
        Ok(None) => match browser_cookie(request.headers()) {
            Some(secret) => Expected::Browser(secret.to_owned()),
            None => return refuse(),
        },
        Err(e) => return AppError::Internal(e).into_response(),
    };
    let matches = |given: &str| match &expected {
        Expected::Session(token) => csrf::tokens_match(token, given),
        Expected::Browser(secret) => csrf::browser_token_matches(&policy.secrets, secret, given),
    };
    let header_token = request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(token) = header_token {
        return if matches(&token) {
            next.run(request).await
        } else {
            refuse()
        };
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        let (parts, body) = request.into_parts();
        let (token, body) = multipart::first_field_token(&content_type, body).await;
        return match token {
            Some(token) if matches(&token) => next.run(Request::from_parts(parts, body)).await,
            _ => refuse(),
        };
    }
    // A urlencoded form: read it (the body limit layer bounds it), check the
    // field, hand the same bytes on.
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, policy.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return (
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "request body too large",
            )
                .into_response();
        }
    };
    match form_field(&bytes, FIELD) {
        Some(token) if matches(&token) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => refuse(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().expect("value"));
        }
        map
    }

    #[test]
    fn origin_must_be_ours_when_stated() {
        let ours = "https://shop.example";
        assert!(origin_ok(
            &headers(&[("origin", "https://shop.example")]),
            ours
        ));
        assert!(!origin_ok(
            &headers(&[("origin", "https://evil.example")]),
            ours
        ));
        assert!(!origin_ok(&headers(&[("origin", "null")]), ours));
        assert!(origin_ok(
            &headers(&[("referer", "https://shop.example/cart")]),
            ours
        ));
        assert!(!origin_ok(
            &headers(&[("referer", "https://shop.example.evil.example/")]),
            ours
        ));
        assert!(!origin_ok(
            &headers(&[("sec-fetch-site", "cross-site")]),
            ours
        ));
        assert!(origin_ok(&headers(&[]), ours));
    }
}
