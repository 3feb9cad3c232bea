//! The JSON API under `/api/v1`, described by OpenAPI 3.1 at
//! `/api/openapi.json`. Handlers call the same `shop::` use cases as the
//! pages; errors are `application/problem+json`. Unsafe methods need the
//! `X-CSRF-Token` header (the CSRF guard, as for every state-changing route).
//!
//! May import: api, http (the guard and rate limits), state, utoipa and
//! utoipa-axum.

pub mod auth;
pub mod cart;
pub mod catalogue;
pub mod extract;
pub mod orders;
pub mod problem;
pub mod responses;

use std::sync::Arc;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::api::problem::Problem;
use crate::http::csrf::guard;
use crate::http::rate::RateLimits;
use crate::state::AppState;

/// The document's frame; the paths come from `router()`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "webstore API",
        version = "1",
        description = "The shop's JSON API. Prices are integers in minor units (`price_cents`) with a `currency`. Errors are application/problem+json. Unsafe requests authenticated by the session cookie need the `X-CSRF-Token` header from `GET /api/v1/session`."
    ),
    // Named by the shared problem responses, which utoipa does not collect.
    components(schemas(Problem)),
    tags(
        (name = "catalogue", description = "Products"),
        (name = "cart", description = "The caller's cart"),
        (name = "auth", description = "Session, sign-up, sign-in"),
        (name = "orders", description = "Checkout and orders"),
    )
)]
pub struct ApiDoc;

/// Every API path, each written once in its handler's `#[utoipa::path]`;
/// the whole API is rate-limited per address, sign-in and sign-up more
/// strictly.
pub fn router(rate: &RateLimits) -> Router<AppState> {
    let strict = |route| guard(route).route_layer(rate.auth());
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(catalogue::list_products))
        .routes(routes!(catalogue::show_product))
        .routes(routes!(auth::show_session))
        .routes(routes!(cart::show_cart))
        .routes(routes!(cart::add_cart_item).map(guard))
        .routes(routes!(cart::set_cart_item, cart::remove_cart_item).map(guard))
        .routes(routes!(auth::register).map(strict))
        .routes(routes!(auth::log_in).map(strict))
        .routes(routes!(auth::log_out).map(guard))
        .routes(routes!(orders::place_order).map(guard))
        .routes(routes!(orders::list_orders))
        .routes(routes!(orders::show_order))
        .split_for_parts();
    let spec: Arc<str> = doc
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".to_owned())
        .into();
    router
        .route("/api/openapi.json", get(move || openapi_json(spec)))
        .route_layer(rate.api())
}

/// GET /api/openapi.json — the OpenAPI 3.1 document.
async fn openapi_json(spec: Arc<str>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        spec.to_string(),
    )
}
