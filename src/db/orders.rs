//! Orders and their lines, stock taken and returned. Every lookup for a
//! shopper is scoped to its owner: another user's order simply is not found.

use super::categories::decode;
use super::{Connection, DbError, inserted_id, now};
use crate::domain::money::Currency;
use crate::domain::{
    IdempotencyKey, Money, OrderId, OrderStatus, PriceCents, ProductId, Quantity, UserId,
};

const TAKE_STOCK: &str = "\
UPDATE products
SET stock = stock - ?, updated_at = ?
WHERE id = ?
  AND deleted_at IS NULL
  AND stock >= ?";

/// Takes `quantity` units if that many are left; false (nothing changed)
/// otherwise. The condition in the UPDATE is what makes overselling
/// impossible, on every backend and across instances.
pub async fn take_stock(
    conn: &mut Connection,
    product: ProductId,
    quantity: Quantity,
) -> Result<bool, DbError> {
    let n = i64::from(quantity.get());
    let result = sqlx::query(TAKE_STOCK)
        .bind(n)
        .bind(now())
        .bind(product.get())
        .bind(n)
        .execute(conn)
        .await?;
    Ok(result.rows_affected() == 1)
}

const RETURN_STOCK: &str = "\
UPDATE products
SET stock = stock + ?, updated_at = ?
WHERE id = ?";

pub async fn return_stock(
    conn: &mut Connection,
    product: ProductId,
    quantity: i64,
) -> Result<(), DbError> {
    sqlx::query(RETURN_STOCK)
        .bind(quantity)
        .bind(now())
        .bind(product.get())
        .execute(conn)
        .await?;
    Ok(())
}

const FIND_ORDER_BY_KEY: &str = "\
SELECT id
FROM orders
WHERE user_id = ?
  AND idempotency_key = ?";

pub async fn find_order_by_key(
    conn: &mut Connection,
    user: UserId,
    key: &IdempotencyKey,
) -> Result<Option<OrderId>, DbError> {
    let row: Option<(i64,)> = sqlx::query_as(FIND_ORDER_BY_KEY)
        .bind(user.get())
        .bind(key.as_str())
        .fetch_optional(conn)
        .await?;
    row.map(|(id,)| OrderId::try_from(id).map_err(|e| decode("orders.id", e)))
        .transpose()
}

/// Where an order goes, copied from the account when it is placed.
#[derive(Debug, Clone, Default)]
pub struct ShipTo {
    pub name: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub postal: String,
    pub country: String,
}

pub struct NewOrder<'a> {
    pub user: UserId,
    pub key: &'a IdempotencyKey,
    pub total: Money,
    pub ship_to: &'a ShipTo,
}

const INSERT_ORDER: &str = "\
INSERT INTO orders (user_id, status, idempotency_key, total_cents, currency, ship_name, ship_line1,
                    ship_line2, ship_city, ship_postal, ship_country, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/// A new order awaiting payment; a reused key is a unique violation.
pub async fn insert_order(conn: &mut Connection, order: &NewOrder<'_>) -> Result<OrderId, DbError> {
    let at = now();
    let result = sqlx::query(INSERT_ORDER)
        .bind(order.user.get())
        .bind(OrderStatus::AwaitingPayment.as_str())
        .bind(order.key.as_str())
        .bind(order.total.amount.get())
        .bind(order.total.currency.code().to_owned())
        .bind(order.ship_to.name.as_str())
        .bind(order.ship_to.line1.as_str())
        .bind(order.ship_to.line2.as_str())
        .bind(order.ship_to.city.as_str())
        .bind(order.ship_to.postal.as_str())
        .bind(order.ship_to.country.as_str())
        .bind(at)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    OrderId::try_from(inserted_id(conn, &result).await?).map_err(|e| decode("orders.id", e))
}

const INSERT_LINE: &str = "\
INSERT INTO order_lines (order_id, product_id, name, unit_price_cents, quantity, line_total_cents)
VALUES (?, ?, ?, ?, ?, ?)";

/// One line, with the product's name and price as they were at checkout.
pub async fn insert_order_line(
    conn: &mut Connection,
    order: OrderId,
    product: ProductId,
    name: &str,
    unit_price: PriceCents,
    quantity: Quantity,
    line_total: PriceCents,
) -> Result<(), DbError> {
    sqlx::query(INSERT_LINE)
        .bind(order.get())
        .bind(product.get())
        .bind(name)
        .bind(unit_price.get())
        .bind(i64::from(quantity.get()))
        .bind(line_total.get())
        .execute(conn)
        .await?;
    Ok(())
}

/// An order as lists and pages show it.
#[derive(Debug, Clone)]
pub struct OrderSummary {
    pub id: OrderId,
    pub user_id: UserId,
    pub status: OrderStatus,
    pub total: Money,
    pub created_at: i64,
    pub ship_to: ShipTo,
}

#[derive(sqlx::FromRow)]
struct OrderRow {
    id: i64,
    user_id: i64,
    status: String,
    total_cents: i64,
    currency: String,
    created_at: i64,
    ship_name: String,
    ship_line1: String,
    ship_line2: String,
    ship_city: String,
    ship_postal: String,
    ship_country: String,
}

impl TryFrom<OrderRow> for OrderSummary {
    type Error = DbError;
    fn try_from(row: OrderRow) -> Result<Self, DbError> {
        Ok(Self {
            id: OrderId::try_from(row.id).map_err(|e| decode("orders.id", e))?,
            user_id: UserId::try_from(row.user_id).map_err(|e| decode("orders.user_id", e))?,
            status: OrderStatus::parse(&row.status).map_err(|e| decode("orders.status", e))?,
            total: Money::new(
                PriceCents::new(row.total_cents).map_err(|e| decode("orders.total_cents", e))?,
                Currency::parse(&row.currency).map_err(|e| decode("orders.currency", e))?,
            ),
            created_at: row.created_at,
            ship_to: ShipTo {
                name: row.ship_name,
                line1: row.ship_line1,
                line2: row.ship_line2,
                city: row.ship_city,
                postal: row.ship_postal,
                country: row.ship_country,
            },
        })
    }
}

/// The columns every query of this table reads; a macro so that each query
/// stays one `const` string (no SQL is assembled at run time).
macro_rules! order_columns {
    () => {
        "id, user_id, status, total_cents, currency, created_at, ship_name, ship_line1, \
ship_line2, ship_city, ship_postal, ship_country"
    };
}
const FIND_OWN_ORDER: &str = concat!(
    "SELECT ",
    order_columns!(),
    "\nFROM orders\nWHERE id = ?\n  AND user_id = ?"
);
const FIND_ANY_ORDER: &str = concat!("SELECT ", order_columns!(), "\nFROM orders\nWHERE id = ?");
const LIST_USER_ORDERS: &str = concat!(
    "SELECT ",
    order_columns!(),
    "\nFROM orders\nWHERE user_id = ?\nORDER BY id DESC\nLIMIT 200"
);
const LIST_ORDERS_BY_STATUS: &str = concat!(
    "SELECT ",
    order_columns!(),
    "\nFROM orders\nWHERE status = ?\nORDER BY id DESC\nLIMIT ?"
);
const LIST_ALL_ORDERS: &str = concat!(
    "SELECT ",
    order_columns!(),
    "\nFROM orders\nORDER BY id DESC\nLIMIT ?"
);

/// The user's own order; anyone else's is `None`.
pub async fn find_order(
    conn: &mut Connection,
    user: UserId,
    id: OrderId,
) -> Result<Option<OrderSummary>, DbError> {
    sqlx::query_as::<_, OrderRow>(FIND_OWN_ORDER)
        .bind(id.get())
        .bind(user.get())
        .fetch_optional(conn)
        .await?
        .map(OrderSummary::try_from)
        .transpose()
}

/// Any order, for the back office.
pub async fn find_any_order(
    conn: &mut Connection,
    id: OrderId,
) -> Result<Option<OrderSummary>, DbError> {
    sqlx::query_as::<_, OrderRow>(FIND_ANY_ORDER)
        .bind(id.get())
        .fetch_optional(conn)
        .await?
        .map(OrderSummary::try_from)
        .transpose()
}

/// The user's orders, newest first.
pub async fn list_orders(
    conn: &mut Connection,
    user: UserId,
) -> Result<Vec<OrderSummary>, DbError> {
    sqlx::query_as::<_, OrderRow>(LIST_USER_ORDERS)
        .bind(user.get())
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(OrderSummary::try_from)
        .collect()
}

/// Every order, or those in one state, newest first.
pub async fn list_all_orders(
    conn: &mut Connection,
    status: Option<OrderStatus>,
    limit: i64,
) -> Result<Vec<OrderSummary>, DbError> {
    let rows = match status {
        Some(status) => {
            sqlx::query_as::<_, OrderRow>(LIST_ORDERS_BY_STATUS)
                .bind(status.as_str())
                .bind(limit)
                .fetch_all(conn)
                .await?
        }
        None => {
            sqlx::query_as::<_, OrderRow>(LIST_ALL_ORDERS)
                .bind(limit)
                .fetch_all(conn)
                .await?
        }
    };
    rows.into_iter().map(OrderSummary::try_from).collect()
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderLineRow {
    pub product_id: i64,
    pub name: String,
    pub unit_price_cents: i64,
    pub quantity: i64,
    pub line_total_cents: i64,
}

const LIST_LINES: &str = "\
SELECT product_id, name, unit_price_cents, quantity, line_total_cents
FROM order_lines
WHERE order_id = ?
ORDER BY id";

pub async fn list_order_lines(
    conn: &mut Connection,
    order: OrderId,
) -> Result<Vec<OrderLineRow>, DbError> {
    sqlx::query_as::<_, OrderLineRow>(LIST_LINES)
        .bind(order.get())
        .fetch_all(conn)
        .await
}

const UPDATE_STATUS: &str = "\
UPDATE orders
SET status = ?, updated_at = ?
WHERE id = ?
  AND status = ?";

/// Moves the order from `from` to `to`; false when it was no longer in
/// `from` (someone else moved it first).
pub async fn update_status(
    conn: &mut Connection,
    order: OrderId,
    from: OrderStatus,
    to: OrderStatus,
) -> Result<bool, DbError> {
    let result = sqlx::query(UPDATE_STATUS)
        .bind(to.as_str())
        .bind(now())
        .bind(order.get())
        .bind(from.as_str())
        .execute(conn)
        .await?;
    Ok(result.rows_affected() == 1)
}
