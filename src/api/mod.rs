//! The JSON API under `/api/v1`, described by OpenAPI 3.1 at
//! `/api/openapi.json`. Handlers call the same `shop::` use cases as the
//! pages; errors are `application/problem+json`. Unsafe methods need the
//! `X-CSRF-Token` header (the CSRF guard, as for every state-changing route).
//!
//! May import: shop, domain, db, auth, error, state, http (the guard), utoipa.

pub mod auth;
pub mod cart;
pub mod catalogue;
pub mod docs;
pub mod orders;
pub mod problem;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use utoipa::OpenApi;

use crate::http::csrf::guard;
use crate::http::rate::RateLimits;
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "webstore API",
        version = "1",
        description = "The shop's JSON API. Prices are integers in minor units (`price_cents`) with a `currency`. Errors are application/problem+json. Unsafe requests authenticated by the session cookie need the `X-CSRF-Token` header from `GET /api/v1/session`."
    ),
    paths(
        catalogue::list_products,
        catalogue::show_product,
        cart::show_cart,
        cart::add_cart_item,
        cart::set_cart_item,
        cart::remove_cart_item,
        auth::show_session,
        auth::register,
        auth::log_in,
        auth::log_out,
        orders::place_order,
        orders::list_orders,
        orders::show_order,
    ),
    tags(
        (name = "catalogue", description = "Products"),
        (name = "cart", description = "The caller's cart"),
        (name = "auth", description = "Session, sign-up, sign-in"),
        (name = "orders", description = "Checkout and orders"),
    )
)]
pub struct ApiDoc;

/// Every API path; the whole API is rate-limited per address, sign-in
/// and sign-up more strictly.
pub fn router(rate: &RateLimits) -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi_json))
        .route("/api/docs", get(docs::show_docs))
        .route("/api/v1/products", get(catalogue::list_products))
        .route("/api/v1/products/{id}", get(catalogue::show_product))
        .route("/api/v1/session", get(auth::show_session))
        .route("/api/v1/cart", get(cart::show_cart))
        .route("/api/v1/cart/items", guard(post(cart::add_cart_item)))
        .route(
            "/api/v1/cart/items/{product_id}",
            guard(put(cart::set_cart_item).delete(cart::remove_cart_item)),
        )
        .route(
            "/api/v1/auth/register",
            guard(post(auth::register).route_layer(rate.auth())),
        )
        .route(
            "/api/v1/auth/login",
            guard(post(auth::log_in).route_layer(rate.auth())),
        )
        .route("/api/v1/auth/logout", guard(post(auth::log_out)))
        .route("/api/v1/checkout", guard(post(orders::place_order)))
        .route("/api/v1/orders", get(orders::list_orders))
        .route("/api/v1/orders/{id}", get(orders::show_order))
        .route_layer(rate.api())
}

/// GET /api/openapi.json — the OpenAPI 3.1 document.
async fn openapi_json() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        ApiDoc::openapi()
            .to_pretty_json()
            .unwrap_or_else(|_| "{}".to_owned()),
    )
}
