//! Checkout and the shopper's orders: `POST /checkout`, `GET /orders`,
//! `GET /orders/{id}`.
//!
//! May import: auth, domain, error, shop, state, web, askama.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::domain::{IdempotencyKey, Money, OrderId, PriceCents};
use crate::error::AppError;
use crate::shop::orders::{self, OrderLineRow, OrderSummary};
use crate::state::AppState;
use crate::web::cart::cart_page_with_message;
use crate::web::chrome::Chrome;
use crate::web::extract::PathId;
use crate::web::visitor::Visitor;

#[derive(Debug, Deserialize)]
pub struct CheckoutForm {
    #[serde(default)]
    idempotency_key: String,
}

/// POST /checkout — signed-in only; places the order from the cart, 303 to
/// /orders/{id}; the same `idempotency_key` again → the same order. Out of
/// stock: the cart again with the reason (409), nothing ordered.
pub async fn place_order(
    State(app): State<AppState>,
    CurrentUser(user): CurrentUser,
    visitor: Visitor,
    Form(form): Form<CheckoutForm>,
) -> Result<Response, AppError> {
    let key = match IdempotencyKey::parse(&form.idempotency_key) {
        Ok(key) => key,
        Err(e) => {
            return cart_page_with_message(
                &app,
                &visitor,
                e.to_string(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match orders::place_order(&app.db, &app.live, &user, &key).await? {
        Ok(order) => Ok(Redirect::to(&format!("/orders/{order}")).into_response()),
        Err(e) => cart_page_with_message(&app, &visitor, e.to_string(), StatusCode::CONFLICT).await,
    }
}

pub struct OrderRowView {
    pub id: OrderId,
    pub date: String,
    pub status: &'static str,
    pub total: Money,
}

#[derive(Template)]
#[template(path = "orders.html")]
pub struct OrdersPage {
    chrome: Chrome,
    orders: Vec<OrderRowView>,
}

pub fn date_of(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| format!("{}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()))
        .unwrap_or_default()
}

/// GET /orders — the signed-in user's own orders, newest first.
pub async fn list_orders(
    State(app): State<AppState>,
    CurrentUser(user): CurrentUser,
    visitor: Visitor,
) -> Result<Response, AppError> {
    let rows = orders::list_own_orders(&app.db, user.id).await?;
    let chrome = Chrome::for_visitor(&app.db, &visitor).await?;
    let page = OrdersPage {
        chrome,
        orders: rows
            .into_iter()
            .map(|o| OrderRowView {
                id: o.id,
                date: date_of(o.created_at),
                status: o.status.label(),
                total: o.total,
            })
            .collect(),
    };
    Ok(Html(page.render()?).into_response())
}

pub struct OrderLineView {
    pub product_id: i64,
    pub name: String,
    pub unit_price: Money,
    pub quantity: i64,
    pub line_total: Money,
}

#[derive(Template)]
#[template(path = "order.html")]
pub struct OrderPage {
    chrome: Chrome,
    order: OrderSummary,
    date: String,
    lines: Vec<OrderLineView>,
}

pub fn line_views(order: &OrderSummary, lines: Vec<OrderLineRow>) -> Vec<OrderLineView> {
    let money = |cents: i64| {
        Money::new(
            PriceCents::new(cents).unwrap_or_default(),
            order.total.currency,
        )
    };
    lines
        .into_iter()
        .map(|l| OrderLineView {
            product_id: l.product_id,
            name: l.name,
            unit_price: money(l.unit_price_cents),
            quantity: l.quantity,
            line_total: money(l.line_total_cents),
        })
        .collect()
}

/// GET /orders/{id} — one of the user's own orders; anyone else's → 404.
pub async fn show_order(
    State(app): State<AppState>,
    CurrentUser(user): CurrentUser,
    visitor: Visitor,
    PathId(id): PathId<OrderId>,
) -> Result<Response, AppError> {
    let (order, lines) = orders::find_own_order(&app.db, user.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let chrome = Chrome::for_visitor(&app.db, &visitor).await?;
    let page = OrderPage {
        chrome,
        date: date_of(order.created_at),
        lines: line_views(&order, lines),
        order,
    };
    Ok(Html(page.render()?).into_response())
}
