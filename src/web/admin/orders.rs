//! Back-office orders: list (by state), one order, and moving it along
//! the transitions its state allows.
//!
//! May import: shop, domain, auth, error, state, web, askama.

use askama::Template;
use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::auth::AdminUser;
use crate::domain::{OrderId, OrderStatus};
use crate::error::AppError;
use crate::shop::admin::orders::{self as shop_orders, OrderSummary};
use crate::state::AppState;
use crate::web::admin::{actor, admin_chrome, saved};
use crate::web::chrome::Chrome;
use crate::web::extract::PathId;
use crate::web::form::form_status;
use crate::web::orders::{OrderLineView, date_of, line_views};
use crate::web::visitor::{ClientIp, Visitor};

pub struct OrderRow {
    pub id: OrderId,
    pub date: String,
    pub user_id: i64,
    pub status: OrderStatus,
    pub total: crate::domain::Money,
}

#[derive(Template)]
#[template(path = "admin/orders.html")]
pub struct OrdersPage {
    chrome: Chrome,
    orders: Vec<OrderRow>,
    statuses: &'static [OrderStatus],
    current: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct OrdersQuery {
    status: Option<String>,
}

/// GET /admin/orders — every order, or those in one state (`?status=`).
pub async fn list_orders(
    State(app): State<AppState>,
    AdminUser(_admin): AdminUser,
    visitor: Visitor,
    query: Result<Query<OrdersQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let raw = query.ok().and_then(|Query(q)| q.status).unwrap_or_default();
    let status = match raw.as_str() {
        "" => None,
        text => Some(
            OrderStatus::parse(text).map_err(|_| AppError::BadRequest("Unknown order status."))?,
        ),
    };
    let orders = shop_orders::list_orders(&app.db, status).await?;
    let page = OrdersPage {
        chrome: admin_chrome(&app, &visitor).await?,
        orders: orders
            .into_iter()
            .map(|o| OrderRow {
                id: o.id,
                date: date_of(o.created_at),
                user_id: o.user_id.get(),
                status: o.status,
                total: o.total,
            })
            .collect(),
        statuses: &OrderStatus::ALL,
        current: raw,
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "admin/order.html")]
pub struct OrderPage {
    chrome: Chrome,
    csrf_token: String,
    order: OrderSummary,
    date: String,
    lines: Vec<OrderLineView>,
    next: &'static [OrderStatus],
    flash: Option<String>,
    error: Option<String>,
}

async fn order_page(
    app: &AppState,
    visitor: &Visitor,
    id: OrderId,
    error: Option<String>,
) -> Result<Response, AppError> {
    let (order, lines) = shop_orders::find_order(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let status = form_status(error.is_none());
    let page = OrderPage {
        chrome: admin_chrome(app, visitor).await?,
        csrf_token: visitor.csrf_token().await?,
        date: date_of(order.created_at),
        lines: line_views(&order, lines),
        next: order.status.next_states(),
        order,
        flash: visitor.take_flash().await?,
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// GET /admin/orders/{id} — one order with the moves it allows.
pub async fn show_order(
    State(app): State<AppState>,
    AdminUser(_admin): AdminUser,
    visitor: Visitor,
    PathId(id): PathId<OrderId>,
) -> Result<Response, AppError> {
    order_page(&app, &visitor, id, None).await
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
}

/// POST /admin/orders/{id}/status — `status`: a valid next state only;
/// cancelling returns the stock.
pub async fn change_status(
    State(app): State<AppState>,
    admin: AdminUser,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    PathId(id): PathId<OrderId>,
    Form(form): Form<StatusForm>,
) -> Result<Response, AppError> {
    let Ok(to) = OrderStatus::parse(form.status.trim()) else {
        let error = "Choose a status from the list.".to_owned();
        return order_page(&app, &visitor, id, Some(error)).await;
    };
    let by = actor(&admin, &ip);
    match shop_orders::change_status(&app.db, &app.live, by, id, to).await? {
        Ok(next) => {
            let message = format!("Order marked {}.", next.label());
            saved(&visitor, &message, &format!("/admin/orders/{id}")).await
        }
        Err(e) => order_page(&app, &visitor, id, Some(e.to_string())).await,
    }
}
