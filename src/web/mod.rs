//! The HTML side of the shop. `router()` lists every page path once: grep a
//! path, land on its handler.
//!
//! May import: domain, db, error, state, askama.

pub mod account;
pub mod assets;
pub mod auth;
pub mod cart;
pub mod catalogue;
pub mod chrome;
pub mod extract;
pub mod form;
pub mod uploads;
pub mod visitor;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

/// Every page of the shop.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(catalogue::show_home))
        .route("/products/{id}", get(catalogue::show_product))
        .route("/cart", get(cart::show_cart))
        .route("/cart/items", post(cart::add_cart_item))
        .route("/cart/items/{product_id}", post(cart::set_cart_item))
        .route(
            "/cart/items/{product_id}/remove",
            post(cart::remove_cart_item),
        )
        .route("/register", get(auth::show_register).post(auth::register))
        .route("/login", get(auth::show_login).post(auth::log_in))
        .route("/logout", post(auth::log_out))
        .route(
            "/account",
            get(account::show_account).post(account::update_account),
        )
        .route(
            "/account/password",
            get(account::show_password).post(account::change_password),
        )
        .route("/static/{*path}", get(assets::serve_static))
        .route("/uploads/{name}", get(uploads::serve_upload))
}

/// Where an image stored under `name` is served.
pub fn uploads_url(name: &str) -> String {
    format!("/uploads/{name}")
}
