//! `POST /api/v1/checkout` and the caller's orders.
//!
//! May import: api, domain, error, shop, state, utoipa.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::extract::{ApiUser, PathId};
use crate::api::problem::ApiError;
use crate::api::responses::{
    CheckoutRefused, CsrfHeader, Forbidden, NotFound, TooManyRequests, Unauthenticated, Validation,
};
use crate::domain::{IdempotencyKey, OrderId};
use crate::error::AppError;
use crate::shop::orders::{self as shop_orders, OrderLineRow, OrderSummary};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderLine {
    pub product_id: i64,
    pub name: String,
    pub unit_price_cents: i64,
    pub quantity: i64,
    pub line_total_cents: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Order {
    pub id: i64,
    /// awaiting_payment, paid, shipped, delivered or cancelled.
    pub status: String,
    pub total_cents: i64,
    pub currency: String,
    /// Unix seconds.
    pub created_at: i64,
    pub items: Vec<OrderLine>,
}

fn order_json(order: OrderSummary, lines: Vec<OrderLineRow>) -> Order {
    Order {
        id: order.id.get(),
        status: order.status.as_str().to_owned(),
        total_cents: order.total.amount.get(),
        currency: order.total.currency.code().to_owned(),
        created_at: order.created_at,
        items: lines
            .into_iter()
            .map(|l| OrderLine {
                product_id: l.product_id,
                name: l.name,
                unit_price_cents: l.unit_price_cents,
                quantity: l.quantity,
                line_total_cents: l.line_total_cents,
            })
            .collect(),
    }
}

/// POST /api/v1/checkout — places the order from the cart; the optional
/// `Idempotency-Key` header makes a retry return the same order.
#[utoipa::path(post, path = "/api/v1/checkout", operation_id = "place_order", tag = "orders",
    params(
        CsrfHeader,
        ("Idempotency-Key" = Option<String>, Header, description = "16–64 of A-Z a-z 0-9 - _"),
    ),
    responses((status = 201, description = "The order", body = Order),
        Unauthenticated, CheckoutRefused, Validation, Forbidden, TooManyRequests))]
pub async fn place_order(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Order>), ApiError> {
    let key = match headers.get("idempotency-key") {
        Some(value) => value
            .to_str()
            .ok()
            .and_then(|v| IdempotencyKey::parse(v).ok())
            .ok_or_else(|| ApiError::field("idempotency_key", "16–64 of A-Z a-z 0-9 - _"))?,
        None => IdempotencyKey::parse(&uuid::Uuid::new_v4().simple().to_string())
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?,
    };
    let order = shop_orders::place_order(&app.db, &app.live, &user, &key)
        .await?
        .map_err(|e| {
            ApiError::conflict(
                "/problems/checkout-refused",
                "The order could not be placed",
                e.to_string(),
            )
        })?;
    let (summary, lines) = shop_orders::find_own_order(&app.db, user.id, order)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(order_json(summary, lines))))
}

/// GET /api/v1/orders — the caller's own orders, newest first.
#[utoipa::path(get, path = "/api/v1/orders", operation_id = "list_orders", tag = "orders",
    responses((status = 200, description = "Orders", body = Vec<Order>),
        Unauthenticated, TooManyRequests))]
pub async fn list_orders(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<Order>>, ApiError> {
    let orders = shop_orders::list_own_orders_with_lines(&app.db, user.id).await?;
    Ok(Json(
        orders
            .into_iter()
            .map(|(order, lines)| order_json(order, lines))
            .collect(),
    ))
}

/// GET /api/v1/orders/{id} — one of the caller's orders; anyone else's → 404.
#[utoipa::path(get, path = "/api/v1/orders/{id}", operation_id = "show_order", tag = "orders",
    params(("id" = String, Path, description = "Order id")),
    responses((status = 200, description = "The order", body = Order),
        Unauthenticated, NotFound, TooManyRequests))]
pub async fn show_order(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    PathId(id): PathId<OrderId>,
) -> Result<Json<Order>, ApiError> {
    let (summary, lines) = shop_orders::find_own_order(&app.db, user.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(order_json(summary, lines)))
}
