//! `AppError`: the one error type of every handler, and its HTML page.
//!
//! Internal details never reach a response body: a 500 says "something went
//! wrong" and shows the request id; the error itself rides in a response
//! extension ([`ErrorReport`]) and `http::log_errors` logs it once, with the
//! request id, where the request ends.
//!
//! The request id a 5xx shows is kept here, in a task-local that
//! `http::request_id` fills in: the error renderings are its only readers,
//! and `http` sits above this module (its layers reject with `AppError`).
//!
//! May import: db (to classify driver errors), frame (the error page's
//! frame), askama.

use std::sync::Arc;

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::db::{self, DbError};
use crate::frame::Chrome;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Runs `work` as the request with this id.
pub async fn with_request_id<F: Future>(id: String, work: F) -> F::Output {
    REQUEST_ID.scope(id, work).await
}

/// The id of the request being handled, when called inside one.
fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such thing, or not yours to see: the same answer either way.
    #[error("not found")]
    NotFound,
    /// The request is malformed (a query string that does not decode…).
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// A forged or cross-site request.
    #[error("forbidden")]
    Forbidden,
    /// The page needs a signed-in account; `next` is where to return.
    #[error("not signed in")]
    Unauthenticated { next: String },
    /// The request body is larger than this route accepts.
    #[error("payload too large")]
    PayloadTooLarge,
    /// Too many attempts; try again after this many seconds.
    #[error("too many requests")]
    TooManyRequests { retry_after: i64 },
    /// The database is unreachable, locked or overloaded: try again soon.
    #[error("service unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// The database refused a write because its disk is full.
    #[error("insufficient storage")]
    StorageFull(#[source] anyhow::Error),
    /// A bug or an unexpected failure.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<DbError> for AppError {
    fn from(error: DbError) -> Self {
        if db::is_disk_full(&error) {
            Self::StorageFull(error.into())
        } else if db::is_unavailable(&error) {
            Self::Unavailable(error.into())
        } else {
            Self::Internal(error.into())
        }
    }
}

impl db::IsConflict for AppError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Unavailable(e) if e.downcast_ref::<DbError>().is_some_and(db::is_conflict))
    }
}

impl From<askama::Error> for AppError {
    fn from(error: askama::Error) -> Self {
        Self::Internal(anyhow::Error::new(error).context("rendering a template"))
    }
}

/// The error behind a response, for the logging layer; never rendered.
#[derive(Clone, Debug)]
pub struct ErrorReport(pub Arc<anyhow::Error>);

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::StorageFull(_) => StatusCode::INSUFFICIENT_STORAGE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A sentence for the shopper; says nothing about internals.
    fn public_message(&self) -> &'static str {
        match self {
            Self::NotFound => "We could not find the page you were looking for.",
            Self::BadRequest(why) => why,
            Self::Forbidden => {
                "This request could not be verified. Please go back, reload the page and try again."
            }
            Self::Unauthenticated { .. } => "Please sign in to continue.",
            Self::TooManyRequests { .. } => "Too many attempts. Please wait a while and try again.",
            Self::PayloadTooLarge => "That upload is too large. Files may be at most 5 MiB.",
            Self::Unavailable(_) => "The shop is busy right now. Please try again in a moment.",
            Self::StorageFull(_) => {
                "The shop cannot save anything right now. Please try again later."
            }
            Self::Internal(_) => "Something went wrong on our side. Please try again.",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            Self::NotFound => "Page not found",
            Self::BadRequest(_) => "Bad request",
            Self::Forbidden => "Request refused",
            Self::Unauthenticated { .. } => "Please sign in",
            Self::TooManyRequests { .. } => "Too many attempts",
            Self::PayloadTooLarge => "Too large",
            Self::Unavailable(_) | Self::StorageFull(_) => "Temporarily unavailable",
            Self::Internal(_) => "Something went wrong",
        }
    }

    /// Takes the internal error out, for logging.
    pub fn into_report(self) -> Option<anyhow::Error> {
        match self {
            Self::Unavailable(e) | Self::StorageFull(e) | Self::Internal(e) => Some(e),
            _ => None,
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: Chrome,
    status: u16,
    title: &'a str,
    message: &'a str,
    request_id: Option<String>,
}

/// Renders the shop's error page; falls back to plain text if the template
/// itself fails, so an error page can never be a second error.
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let page = ErrorPage {
        chrome: Chrome::bare(),
        status: status.as_u16(),
        title,
        message,
        request_id: status.is_server_error().then(current_request_id).flatten(),
    };
    let body = page
        .render()
        .unwrap_or_else(|_| format!("{} {title}\n{message}\n", status.as_u16()));
    (status, Html(body)).into_response()
}

/// `/login?next=…` for a page that needs sign-in; only local paths are
/// ever put there.
pub fn login_redirect(next: &str) -> Response {
    let mut target = String::from("/login");
    if next != "/" && is_local_path(next) {
        target.push_str("?next=");
        target.extend(url::form_urlencoded::byte_serialize(next.as_bytes()));
    }
    axum::response::Redirect::to(&target).into_response()
}

/// A path on this site: one leading `/`, not `//` or `/\` (which browsers
/// treat as another host), no control characters, bounded length.
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && path.len() <= 1024
        && !path.chars().any(|c| c.is_control() || c == '\\')
}

impl AppError {
    fn problem_kind(&self) -> (&'static str, &'static str) {
        match self {
            Self::NotFound => ("/problems/not-found", "Not found"),
            Self::BadRequest(_) => ("/problems/bad-request", "Bad request"),
            Self::Forbidden => ("/problems/forbidden", "Forbidden"),
            Self::Unauthenticated { .. } => ("/problems/unauthenticated", "Sign-in required"),
            Self::PayloadTooLarge => ("/problems/payload-too-large", "Payload too large"),
            Self::TooManyRequests { .. } => ("/problems/too-many-requests", "Too many requests"),
            Self::Unavailable(_) => ("/problems/unavailable", "Service unavailable"),
            Self::StorageFull(_) => ("/problems/storage-full", "Insufficient storage"),
            Self::Internal(_) => ("/problems/internal", "Internal error"),
        }
    }

    /// The error as `application/problem+json` (RFC 9457) for API clients:
    /// a stable `type`, never internals; a 5xx carries the request id.
    pub fn into_problem(self) -> Response {
        let (kind, title) = self.problem_kind();
        let status = self.status();
        let mut body =
            serde_json::json!({ "type": kind, "title": title, "status": status.as_u16() });
        if let Self::BadRequest(why) = &self {
            body["detail"] = serde_json::Value::from(*why);
        }
        if status.is_server_error()
            && let Some(id) = current_request_id()
        {
            body["request_id"] = serde_json::Value::from(id);
        }
        let retry_after = match &self {
            Self::TooManyRequests { retry_after } => Some(retry_after.to_string()),
            Self::Unavailable(_) => Some("5".to_owned()),
            _ => None,
        };
        let mut response = (status, body.to_string()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(value) = retry_after.and_then(|v| HeaderValue::from_str(&v).ok()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if let Some(report) = self.into_report() {
            response
                .extensions_mut()
                .insert(ErrorReport(Arc::new(report)));
        }
        response
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Self::Unauthenticated { next } = &self {
            return login_redirect(next);
        }
        let retry_after = match &self {
            Self::TooManyRequests { retry_after } => Some(retry_after.to_string()),
            Self::Unavailable(_) => Some("5".to_owned()),
            _ => None,
        };
        let status = self.status();
        let mut response = error_page(status, self.title(), self.public_message());
        if let Some(value) = retry_after.and_then(|v| HeaderValue::from_str(&v).ok()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if let Some(report) = self.into_report() {
            response
                .extensions_mut()
                .insert(ErrorReport(Arc::new(report)));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::is_local_path;

    #[test]
    fn only_local_paths_are_followed() {
        for ok in ["/", "/cart", "/orders/3?x=1", "/a//b"] {
            assert!(is_local_path(ok), "{ok}");
        }
        for bad in [
            "",
            "cart",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/\\/x",
            "/a\nb",
            "javascript:alert(1)",
        ] {
            assert!(!is_local_path(bad), "{bad:?}");
        }
    }
}
