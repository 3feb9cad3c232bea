//! Back-office orders: every order (or those in one state), one order with
//! its lines, and moving an order along the transitions its state allows.
//! A cancellation returns the stock in the same transaction as the move
//! and its audit row; open pages hear of the new stock after the commit.
//!
//! May import: domain, db, live, error.

use super::{Actor, audit};
use crate::db::{self, Db};
use crate::domain::order::OrderError;
use crate::domain::{OrderId, OrderStatus, ProductId, Stock};
use crate::error::AppError;
use crate::live::Hub;

pub use crate::db::orders::{OrderLineRow, OrderSummary};

/// The most orders one listing shows.
const LIST_LIMIT: i64 = 500;

/// Every order, or those in `status`, newest first.
#[tracing::instrument(skip_all)]
pub async fn list_orders(
    db: &Db,
    status: Option<OrderStatus>,
) -> Result<Vec<OrderSummary>, AppError> {
    let mut conn = db.conn().await?;
    Ok(db::orders::list_all_orders(&mut conn, status, LIST_LIMIT).await?)
}

/// Any order with its lines.
#[tracing::instrument(skip_all, fields(order.id = %id))]
pub async fn find_order(
    db: &Db,
    id: OrderId,
) -> Result<Option<(OrderSummary, Vec<OrderLineRow>)>, AppError> {
    let mut conn = db.conn().await?;
    let Some(order) = db::orders::find_any_order(&mut conn, id).await? else {
        return Ok(None);
    };
    let lines = db::orders::list_order_lines(&mut conn, id).await?;
    Ok(Some((order, lines)))
}

/// Moves the order to `to` when its state allows; returns the new state,
/// or why not. `NotFound` for no such order.
#[tracing::instrument(skip_all, fields(order.id = %id, order.status = %to))]
pub async fn change_status(
    db: &Db,
    live: &Hub,
    actor: Actor<'_>,
    id: OrderId,
    to: OrderStatus,
) -> Result<Result<OrderStatus, OrderError>, AppError> {
    let mut tx = db.begin().await?;
    let from = db::orders::find_any_order(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?
        .status;
    let next = match from.transition(to) {
        Ok(next) => next,
        Err(e) => return Ok(Err(e)),
    };
    // Conditional on the state just read: of two admins moving one order
    // at once, the second is told, not applied twice.
    if !db::orders::update_status(&mut tx, id, from, next).await? {
        return Ok(Err(OrderError::BadTransition { from, to }));
    }
    let mut returned: Vec<(ProductId, Stock)> = Vec::new();
    if next.returns_stock() {
        db::catalogue_cache::lock_catalogue(&mut tx).await?;
        for line in db::orders::list_order_lines(&mut tx, id).await? {
            // A line whose product id no longer parses has nothing to return to.
            let Ok(product) = ProductId::try_from(line.product_id) else {
                continue;
            };
            db::orders::return_stock(&mut tx, product, line.quantity).await?;
            if let Some(now) = db::products::find_product(&mut tx, product).await? {
                returned.push((product, now.stock));
            }
        }
    }
    audit(
        &mut tx,
        actor,
        "admin.order.status",
        &format!("order:{id}"),
        next.as_str(),
    )
    .await?;
    if next.returns_stock() {
        db::catalogue_cache::commit_catalogue_change(db, tx).await?;
    } else {
        tx.commit().await?;
    }
    for (product, stock) in returned {
        live.stock_changed(product, stock);
    }
    Ok(Ok(next))
}
