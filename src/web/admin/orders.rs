//! Back-office orders: list (by state), one order, and moving it along
//! the transitions its state allows.

use askama::Template;
use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth::AdminUser;
use crate::db::{self, orders::OrderSummary};
use crate::domain::{OrderId, OrderStatus};
use crate::error::AppError;
use crate::shop::orders as shop_orders;
use crate::state::AppState;
use crate::web::admin::{admin_chrome, audit_admin};
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
    let mut conn = app.db.conn().await?;
    let orders = db::orders::list_all_orders(&mut conn, status, 500).await?;
    drop(conn);
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
    let mut conn = app.db.conn().await?;
    let order = db::orders::find_any_order(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let lines = db::orders::list_order_lines(&mut conn, id).await?;
    drop(conn);
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
    AdminUser(admin): AdminUser,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    PathId(id): PathId<OrderId>,
    Form(form): Form<StatusForm>,
) -> Result<Response, AppError> {
    let Ok(to) = OrderStatus::parse(form.status.trim()) else {
        return order_page(
            &app,
            &visitor,
            id,
            Some("Choose a status from the list.".into()),
        )
        .await;
    };
    match shop_orders::change_status(&app.db, id, to).await? {
        Ok(next) => {
            if next.returns_stock() {
                shop_orders::publish_order_stock(&app.db, &app.live, id).await;
            }
            audit_admin(
                &app,
                &admin,
                "admin.order.status",
                &format!("order:{id}"),
                next.as_str(),
                &ip,
            )
            .await?;
            visitor
                .flash(&format!("Order marked {}.", next.label()))
                .await?;
            Ok(Redirect::to(&format!("/admin/orders/{id}")).into_response())
        }
        Err(e) => order_page(&app, &visitor, id, Some(e.to_string())).await,
    }
}
