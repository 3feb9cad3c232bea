//! Query strings that do not decode: refused at the edge, for every route.
//!
//! Form decoding (serde's, and so axum's `Query`) replaces bytes that are
//! not UTF-8 with U+FFFD, so `/?q=%C3%28` would search for text nobody
//! typed. A query whose percent-escapes do not decode to UTF-8 is malformed
//! input like any other: 400, as a page or as problem+json under `/api/`.
//!
//! May import: error.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// Answers 400 before any handler sees a query that does not decode.
pub async fn reject_undecodable(request: Request, next: Next) -> Response {
    if request.uri().query().is_none_or(decodes) {
        return next.run(request).await;
    }
    if request.uri().path().starts_with("/api/") {
        AppError::BadRequest("The query string is not valid UTF-8.").into_problem()
    } else {
        AppError::BadRequest("The address of this page is not valid.").into_response()
    }
}

/// Whether the query's percent-escapes decode to UTF-8. A `%` that starts
/// no escape stays a literal `%`, as browsers and form decoding read it.
fn decodes(query: &str) -> bool {
    percent_encoding::percent_decode_str(query)
        .decode_utf8()
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::decodes;

    #[test]
    fn escapes_must_decode_to_utf8() {
        for ok in ["", "q=mug", "q=caf%C3%A9", "q=%", "q=%zz", "q=a+b&page=2"] {
            assert!(decodes(ok), "{ok}");
        }
        for bad in ["q=%C3%28", "q=%FF%FE", "category=%FF", "page=1&x=%C3"] {
            assert!(!decodes(bad), "{bad}");
        }
    }
}
