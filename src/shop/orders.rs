//! Checkout and order states. `place_order` is one transaction: re-read
//! the cart and every price, take the stock with conditional updates,
//! write the order and its lines, empty the cart, queue the confirmation —
//! all or nothing. The same idempotency key again yields the same order.
//! The shopper's own orders are read here too, always with their owner.
//!
//! May import: domain, db, error, live, shop (the cart count).

use anyhow::Context as _;

use crate::db::orders::{NewOrder, ShipTo};
pub use crate::db::orders::{OrderLineRow, OrderSummary};
use crate::db::users::User;
use crate::db::{self, Db, DbError};
use crate::domain::{CartTotals, IdempotencyKey, Money, OrderId, UserId};
use crate::error::AppError;
use crate::live::Hub;
use crate::shop::cart::{self, Owner};

/// Why an order could not be placed; the cart is kept as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckoutError {
    #[error("Your cart is empty.")]
    EmptyCart,
    #[error("“{0}” is no longer available. Please remove it from your cart.")]
    Unavailable(String),
    #[error(
        "Sorry, “{0}” does not have enough stock left for your order. Please lower the quantity."
    )]
    OutOfStock(String),
}

/// Transient conflicts (deadlock, lock wait) are retried this often.
const ATTEMPTS: usize = 3;

/// Places the order from the account's cart, then tells open pages the
/// stock left of every product in it and the (now empty) cart's count.
#[tracing::instrument(skip_all, fields(order.id))]
pub async fn place_order(
    db: &Db,
    live: &Hub,
    user: &User,
    key: &IdempotencyKey,
) -> Result<Result<OrderId, CheckoutError>, AppError> {
    let mut attempt = 0;
    let placed = loop {
        attempt += 1;
        match try_place_order(db, user, key).await {
            Err(Attempt::Db(e)) if attempt < ATTEMPTS && db::is_unavailable(&e) => {
                tokio::time::sleep(std::time::Duration::from_millis(20 * attempt as u64)).await;
            }
            Err(Attempt::Db(e)) => return Err(e.into()),
            Err(Attempt::App(e)) => return Err(e),
            Ok(outcome) => break outcome,
        }
    };
    if let Ok(order) = placed {
        tracing::Span::current().record("order.id", order.get());
        publish_order_stock(db, live, order).await;
        cart::publish_cart_count(db, live, &Owner::Account(user), None).await;
    }
    Ok(placed)
}

enum Attempt {
    Db(DbError),
    App(AppError),
}

impl From<DbError> for Attempt {
    fn from(e: DbError) -> Self {
        Self::Db(e)
    }
}

async fn try_place_order(
    db: &Db,
    user: &User,
    key: &IdempotencyKey,
) -> Result<Result<OrderId, CheckoutError>, Attempt> {
    let mut tx = db.begin().await?;
    // Stock is taken below: see lock_catalogue for why the lock comes first.
    db::catalogue_cache::lock_catalogue(&mut tx).await?;
    if let Some(existing) = db::orders::find_order_by_key(&mut tx, user.id, key).await? {
        return Ok(Ok(existing));
    }
    let Some(cart) = db::carts::find_user_cart(&mut tx, user.id).await? else {
        return Ok(Err(CheckoutError::EmptyCart));
    };
    // A write first: SQLite takes its write lock now (no deadlock when
    // upgrading later), MySQL locks the cart row (two tabs of one shopper
    // check out one after the other).
    db::carts::touch_cart(&mut tx, cart).await?;
    let mut lines = db::carts::list_cart_lines(&mut tx, cart).await?;
    if lines.is_empty() {
        return Ok(Err(CheckoutError::EmptyCart));
    }
    // One order of locking for everyone: no deadlocks between checkouts.
    lines.sort_by_key(|l| l.product_id);
    let totals = CartTotals::of(lines.iter().map(|l| (l.unit_price, l.quantity)))
        .context("summing the order")
        .map_err(|e| Attempt::App(e.into()))?;
    for line in &lines {
        if line.withdrawn {
            return Ok(Err(CheckoutError::Unavailable(line.name.clone())));
        }
        if !db::orders::take_stock(&mut tx, line.product_id, line.quantity).await? {
            return Ok(Err(CheckoutError::OutOfStock(line.name.clone())));
        }
    }
    let total = totals.total;
    let ship_to = ShipTo {
        name: user.name.clone(),
        line1: user.address_line1.clone(),
        line2: user.address_line2.clone(),
        city: user.city.clone(),
        postal: user.postal_code.clone(),
        country: user.country.clone(),
    };
    let order = match db::orders::insert_order(
        &mut tx,
        &NewOrder {
            user: user.id,
            key,
            total,
            ship_to: &ship_to,
        },
    )
    .await
    {
        Ok(id) => id,
        Err(e) if db::is_unique_violation(&e) => {
            // The same key won in another request a moment ago.
            drop(tx);
            let mut conn = db.conn().await?;
            return match db::orders::find_order_by_key(&mut conn, user.id, key).await? {
                Some(id) => Ok(Ok(id)),
                None => Err(Attempt::Db(e)),
            };
        }
        Err(e) => return Err(e.into()),
    };
    for (line, line_total) in lines.iter().zip(&totals.lines) {
        db::orders::insert_order_line(
            &mut tx,
            order,
            line.product_id,
            &line.name,
            line.unit_price.amount,
            line.quantity,
            line_total.amount,
        )
        .await?;
    }
    db::carts::clear_lines(&mut tx, cart).await?;
    let body = confirmation_text(order, user, &lines, total);
    db::outbox::insert_message(
        &mut tx,
        "order_confirmation",
        &user.email,
        &format!("Your order #{order}"),
        &body,
    )
    .await?;
    db::catalogue_cache::commit_catalogue_change(db, tx).await?;
    Ok(Ok(order))
}

fn confirmation_text(
    order: OrderId,
    user: &User,
    lines: &[db::carts::CartLine],
    total: Money,
) -> String {
    let mut text = format!(
        "Hello {},\n\nthank you for your order #{order}.\n\n",
        user.name
    );
    for line in lines {
        text.push_str(&format!(
            "{} × {} at {}\n",
            line.quantity, line.name, line.unit_price
        ));
    }
    text.push_str(&format!(
        "\nTotal: {total}\n\nWe will let you know when it ships.\n"
    ));
    text
}

/// Tells open pages the stock of every product in the order as it is now
/// (`stock` events), after checkout or a cancellation that returned it.
/// Read after commit; best effort, a failure is only logged.
pub async fn publish_order_stock(db: &Db, live: &Hub, order: OrderId) {
    let stocks = async {
        let mut conn = db.conn().await?;
        let mut stocks = Vec::new();
        for line in db::orders::list_order_lines(&mut conn, order).await? {
            if let Ok(id) = crate::domain::ProductId::try_from(line.product_id)
                && let Some(product) = db::products::find_product(&mut conn, id).await?
            {
                stocks.push((id, product.stock));
            }
        }
        Ok::<_, DbError>(stocks)
    }
    .await;
    match stocks {
        Ok(stocks) => {
            for (product, stock) in stocks {
                live.stock_changed(product, stock);
            }
        }
        Err(error) => {
            tracing::warn!(%error, order.id = %order, "the order's stock could not be published");
        }
    }
}

/// The account's orders, newest first.
#[tracing::instrument(skip_all)]
pub async fn list_own_orders(db: &Db, user: UserId) -> Result<Vec<OrderSummary>, AppError> {
    let mut conn = db.conn().await?;
    Ok(db::orders::list_orders(&mut conn, user).await?)
}

/// The account's orders, newest first, each with its lines.
#[tracing::instrument(skip_all)]
pub async fn list_own_orders_with_lines(
    db: &Db,
    user: UserId,
) -> Result<Vec<(OrderSummary, Vec<OrderLineRow>)>, AppError> {
    let mut conn = db.conn().await?;
    let orders = db::orders::list_orders(&mut conn, user).await?;
    let mut out = Vec::with_capacity(orders.len());
    for order in orders {
        let lines = db::orders::list_order_lines(&mut conn, order.id).await?;
        out.push((order, lines));
    }
    Ok(out)
}

/// The owner's order with its lines, or `None` for anyone else.
#[tracing::instrument(skip_all, fields(order.id = %order))]
pub async fn find_own_order(
    db: &Db,
    user: UserId,
    order: OrderId,
) -> Result<Option<(OrderSummary, Vec<OrderLineRow>)>, AppError> {
    let mut conn = db.conn().await?;
    let Some(summary) = db::orders::find_order(&mut conn, user, order).await? else {
        return Ok(None);
    };
    let lines = db::orders::list_order_lines(&mut conn, order).await?;
    Ok(Some((summary, lines)))
}
