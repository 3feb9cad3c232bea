//! `GET /api/docs`: an interactive reference for the JSON API. The page is
//! a plain frame; `static/js/api-docs.js` reads `/api/openapi.json` and
//! draws every operation with a "Try it" form. Everything it needs is
//! served by the shop itself, under the shop's usual CSP. An HTML page, so
//! it lives with the pages; its path stays under `/api`.
//!
//! May import: error, web, askama.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};

use crate::error::AppError;
use crate::web::assets;
use crate::web::chrome::Chrome;

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocsPage {
    chrome: Chrome,
    /// The versioned URL of the reference's script.
    js_url: &'static str,
    /// Where the script reads the description from.
    spec_url: &'static str,
}

/// GET /api/docs — the API reference page (the operations are drawn in the
/// browser from the OpenAPI document; nothing here touches the database).
pub async fn show_docs() -> Result<Response, AppError> {
    let page = ApiDocsPage {
        chrome: Chrome::bare(),
        js_url: assets::url("js/api-docs.js"),
        spec_url: "/api/openapi.json",
    };
    Ok(Html(page.render()?).into_response())
}
