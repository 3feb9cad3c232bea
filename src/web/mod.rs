//! The HTML side of the shop. `router()` lists every page path once: grep a
//! path, land on its handler.
//!
//! May import: domain, db, error, state, askama.

pub mod assets;
pub mod catalogue;
pub mod chrome;
pub mod extract;
pub mod uploads;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

/// Every page of the shop.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(catalogue::show_home))
        .route("/products/{id}", get(catalogue::show_product))
        .route("/static/{*path}", get(assets::serve_static))
        .route("/uploads/{name}", get(uploads::serve_upload))
}

/// Where an image stored under `name` is served.
pub fn uploads_url(name: &str) -> String {
    format!("/uploads/{name}")
}
