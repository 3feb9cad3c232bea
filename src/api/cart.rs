//! The caller's cart: `GET /api/v1/cart`, `POST /api/v1/cart/items`,
//! `PUT|DELETE /api/v1/cart/items/{product_id}` — the same rules as the
//! pages (shop::cart).
//!
//! May import: api, domain, error, shop, state, utoipa.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::extract::{ApiVisitor, PathId};
use crate::api::problem::{ApiError, ApiJson};
use crate::api::responses::{
    CsrfHeader, Forbidden, JsonBody, NotFound, OutOfStock, TooManyRequests,
};
use crate::domain::{LineChange, ProductId, Quantity};
use crate::error::AppError;
use crate::shop::cart::{self, CartError, LineEdit, Owner};
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
    responses((status = 200, description = "The cart", body = Cart), TooManyRequests))]
pub async fn show_cart(
    State(app): State<AppState>,
    visitor: ApiVisitor,
) -> Result<Json<Cart>, ApiError> {
    Ok(Json(cart_json(&app, &visitor.owner()).await?))
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
    params(CsrfHeader),
    responses((status = 201, description = "Added", body = Cart),
        NotFound, OutOfStock, JsonBody, Forbidden, TooManyRequests))]
pub async fn add_cart_item(
    State(app): State<AppState>,
    visitor: ApiVisitor,
    ApiJson(body): ApiJson<AddItemRequest>,
) -> Result<(StatusCode, Json<Cart>), ApiError> {
    let product = ProductId::try_from(body.product_id).map_err(|_| AppError::NotFound)?;
    let quantity = Quantity::try_from(body.quantity)
        .map_err(|e| ApiError::field("quantity", e.to_string()))?;
    let who = visitor.shopper();
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
    params(("product_id" = String, Path, description = "Product id"), CsrfHeader),
    responses((status = 200, description = "Changed", body = Cart),
        NotFound, OutOfStock, JsonBody, Forbidden, TooManyRequests))]
pub async fn set_cart_item(
    State(app): State<AppState>,
    visitor: ApiVisitor,
    PathId(product): PathId<ProductId>,
    ApiJson(body): ApiJson<SetQuantityRequest>,
) -> Result<Json<Cart>, ApiError> {
    let change = LineChange::from_number(body.quantity)
        .map_err(|e| ApiError::field("quantity", e.to_string()))?;
    let who = visitor.shopper();
    cart::edit_line(&app.db, &app.live, &who, product, LineEdit::Set(change))
        .await?
        .map_err(cart_problem)?;
    Ok(Json(cart_json(&app, &who.owner).await?))
}

/// DELETE /api/v1/cart/items/{product_id} — removes the line.
#[utoipa::path(delete, path = "/api/v1/cart/items/{product_id}", operation_id = "remove_cart_item", tag = "cart",
    params(("product_id" = String, Path, description = "Product id"), CsrfHeader),
    responses((status = 200, description = "Removed", body = Cart), NotFound, Forbidden, TooManyRequests))]
pub async fn remove_cart_item(
    State(app): State<AppState>,
    visitor: ApiVisitor,
    PathId(product): PathId<ProductId>,
) -> Result<Json<Cart>, ApiError> {
    let who = visitor.shopper();
    cart::remove_line(&app.db, &app.live, &who, product).await?;
    Ok(Json(cart_json(&app, &who.owner).await?))
}
