//! The caller's cart: `GET /api/v1/cart`, `POST /api/v1/cart/items`,
//! `PUT|DELETE /api/v1/cart/items/{product_id}` — the same rules as the
//! pages (shop::cart).
//!
//! May import: api, auth, domain, error, http (the browser secret), shop, state, utoipa.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use utoipa::ToSchema;

use crate::api::problem::{ApiError, ApiJson, Problem};
use crate::auth::MaybeUser;
use crate::domain::{LineChange, ProductId, Quantity};
use crate::error::AppError;
use crate::http::csrf::BrowserSecret;
use crate::shop::cart::{self, CartError, LineEdit, Owner, Shopper};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct CartLine {
    pub product_id: i64,
    pub name: String,
    pub quantity: u32,
    pub unit_price_cents: i64,
    pub line_total_cents: i64,
    pub currency: String,
    /// Why the line cannot be ordered as it stands (sold out, withdrawn…).
    pub problem: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Cart {
    pub items: Vec<CartLine>,
    pub count: i64,
    pub total_cents: i64,
    pub currency: String,
}

pub fn owner<'a>(user: &'a MaybeUser, session: &'a Session) -> Owner<'a> {
    match &user.0 {
        Some(user) => Owner::Account(user),
        None => Owner::Visitor(session),
    }
}

fn shopper<'a>(
    user: &'a MaybeUser,
    session: &'a Session,
    browser: Option<&'a BrowserSecret>,
) -> Shopper<'a> {
    Shopper {
        owner: owner(user, session),
        browser: browser.and_then(BrowserSecret::sent),
    }
}

pub async fn cart_json(app: &AppState, owner: &Owner<'_>) -> Result<Cart, ApiError> {
    let view = cart::view(&app.db, owner).await?;
    let total = view.total;
    Ok(Cart {
        items: view
            .lines
            .into_iter()
            .map(|l| CartLine {
                product_id: l.line.product_id.get(),
                name: l.line.name,
                quantity: l.line.quantity.get(),
                unit_price_cents: l.line.unit_price.amount.get(),
                line_total_cents: l.line_total.amount.get(),
                currency: l.line.unit_price.currency.code().to_owned(),
                problem: l.problem,
            })
            .collect(),
        count: view.count,
        total_cents: total.amount.get(),
        currency: total.currency.code().to_owned(),
    })
}

fn cart_problem(e: CartError) -> ApiError {
    match e {
        CartError::Unavailable | CartError::NotInCart => ApiError::App(AppError::NotFound),
        CartError::Quantity(q) => ApiError::field("quantity", q.to_string()),
        other => ApiError::conflict(
            "/problems/out-of-stock",
            "Not enough stock",
            other.to_string(),
        ),
    }
}

/// GET /api/v1/cart — the caller's cart.
#[utoipa::path(get, path = "/api/v1/cart", operation_id = "show_cart", tag = "cart",
    responses((status = 200, description = "The cart", body = Cart),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn show_cart(
    State(app): State<AppState>,
    user: Result<MaybeUser, AppError>,
    session: Session,
) -> Result<Json<Cart>, ApiError> {
    let user = user?;
    Ok(Json(cart_json(&app, &owner(&user, &session)).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddItemRequest {
    #[schema(minimum = 1)]
    pub product_id: i64,
    /// 1–99.
    #[schema(minimum = 1, maximum = 99)]
    pub quantity: i64,
}

/// POST /api/v1/cart/items — `{product_id, quantity}`; 201 with the cart.
#[utoipa::path(post, path = "/api/v1/cart/items", operation_id = "add_cart_item", tag = "cart",
    request_body = AddItemRequest,
    params(("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    responses(
        (status = 201, description = "Added", body = Cart),
        (status = 403, description = "Missing or wrong CSRF token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such product", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not enough stock", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid quantity or fields", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_cart_item(
    State(app): State<AppState>,
    user: Result<MaybeUser, AppError>,
    session: Session,
    browser: Option<BrowserSecret>,
    ApiJson(body): ApiJson<AddItemRequest>,
) -> Result<(StatusCode, Json<Cart>), ApiError> {
    let user = user?;
    let product = ProductId::try_from(body.product_id).map_err(|_| AppError::NotFound)?;
    let quantity = Quantity::try_from(body.quantity)
        .map_err(|e| ApiError::field("quantity", e.to_string()))?;
    let who = shopper(&user, &session, browser.as_ref());
    cart::edit_line(&app.db, &app.live, &who, product, LineEdit::Add(quantity))
        .await?
        .map_err(cart_problem)?;
    Ok((
        StatusCode::CREATED,
        Json(cart_json(&app, &who.owner).await?),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetQuantityRequest {
    /// 0–99; 0 removes the line.
    #[schema(minimum = 0, maximum = 99)]
    pub quantity: i64,
}

/// PUT /api/v1/cart/items/{product_id} — `{quantity}` (0 removes).
#[utoipa::path(put, path = "/api/v1/cart/items/{product_id}", operation_id = "set_cart_item", tag = "cart",
    request_body = SetQuantityRequest,
    params(("product_id" = String, Path, description = "Product id"), ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    responses(
        (status = 200, description = "Changed", body = Cart),
        (status = 404, description = "Not in the cart", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not enough stock", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid quantity", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Missing or wrong CSRF token, or a foreign Origin", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn set_cart_item(
    State(app): State<AppState>,
    user: Result<MaybeUser, AppError>,
    session: Session,
    browser: Option<BrowserSecret>,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<SetQuantityRequest>,
) -> Result<Json<Cart>, ApiError> {
    let user = user?;
    let product: ProductId = raw.parse().map_err(|_| AppError::NotFound)?;
    let change = LineChange::from_number(body.quantity)
        .map_err(|e| ApiError::field("quantity", e.to_string()))?;
    let who = shopper(&user, &session, browser.as_ref());
    cart::edit_line(&app.db, &app.live, &who, product, LineEdit::Set(change))
        .await?
        .map_err(cart_problem)?;
    Ok(Json(cart_json(&app, &who.owner).await?))
}

/// DELETE /api/v1/cart/items/{product_id} — removes the line.
#[utoipa::path(delete, path = "/api/v1/cart/items/{product_id}", operation_id = "remove_cart_item", tag = "cart",
    params(("product_id" = String, Path, description = "Product id"), ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    responses((status = 200, description = "Removed", body = Cart), (status = 404, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Missing or wrong CSRF token, or a foreign Origin", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn remove_cart_item(
    State(app): State<AppState>,
    user: Result<MaybeUser, AppError>,
    session: Session,
    browser: Option<BrowserSecret>,
    Path(raw): Path<String>,
) -> Result<Json<Cart>, ApiError> {
    let user = user?;
    let product: ProductId = raw.parse().map_err(|_| AppError::NotFound)?;
    let who = shopper(&user, &session, browser.as_ref());
    cart::remove_line(&app.db, &app.live, &who, product).await?;
    Ok(Json(cart_json(&app, &who.owner).await?))
}
