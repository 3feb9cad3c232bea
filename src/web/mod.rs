//! The HTML side of the shop. `router()` lists every page path once: grep a
//! path, land on its handler.
//!
//! Every route with a state-changing method is wrapped in `guard` (the CSRF check).
//!
//! May import: domain, auth, shop, error, state, frame, http (the CSRF
//! guard), uploads (the upload size limit), askama.

pub mod account;
pub mod admin;
pub mod api_docs;
pub mod assets;
pub mod auth;
pub mod cart;
pub mod catalogue;
pub mod chrome;
pub mod extract;
pub mod form;
pub mod orders;
pub mod two_factor;
pub mod uploads;
pub mod visitor;

use axum::Router;
use axum::routing::{get, post};

use crate::http::csrf::guard;
use crate::http::rate::RateLimits;
use crate::state::AppState;

/// Every page of the shop. Posting the sign-in and sign-up forms is
/// rate-limited per address on top of the per-account throttling.
pub fn router(rate: &RateLimits) -> Router<AppState> {
    Router::new()
        .route("/", get(catalogue::show_home))
        .route("/products/{id}", get(catalogue::show_product))
        .route("/cart", get(cart::show_cart))
        .route("/cart/items", guard(post(cart::add_cart_item)))
        .route("/cart/items/{product_id}", guard(post(cart::set_cart_item)))
        .route(
            "/cart/items/{product_id}/remove",
            guard(post(cart::remove_cart_item)),
        )
        .route(
            "/register",
            guard(get(auth::show_register).merge(post(auth::register).route_layer(rate.auth()))),
        )
        .route(
            "/login",
            guard(get(auth::show_login).merge(post(auth::log_in).route_layer(rate.auth()))),
        )
        .route("/logout", guard(post(auth::log_out)))
        .route(
            "/account",
            guard(get(account::show_account).post(account::update_account)),
        )
        .route(
            "/account/password",
            guard(get(account::show_password).post(account::change_password)),
        )
        .route(
            "/account/two-factor",
            guard(get(two_factor::show_two_factor).post(two_factor::enable_two_factor)),
        )
        .route("/checkout", guard(post(orders::place_order)))
        .route("/orders", get(orders::list_orders))
        .route("/orders/{id}", get(orders::show_order))
        .merge(admin::router())
        .route("/static/{*path}", get(assets::serve_static))
        .route("/uploads/{name}", get(uploads::serve_upload))
        // Limited like the rest of `/api`, which it sits under.
        .route(
            "/api/docs",
            get(api_docs::show_docs).route_layer(rate.api()),
        )
}

/// Where an image stored under `name` is served.
pub fn uploads_url(name: &str) -> String {
    crate::uploads::url(name)
}
