//! Carts and their lines. A visitor's cart has no owner; an account has at
//! most one cart. Prices are never stored here: a line always shows the
//! product's current price.

use super::categories::decode;
use super::{Connection, DbError, inserted_id, now};
use crate::domain::money::Currency;
use crate::domain::{CartId, Money, PriceCents, ProductId, Quantity, Stock, UserId};

const FIND_USER_CART: &str = "\
SELECT id
FROM carts
WHERE user_id = ?";

pub async fn find_user_cart(
    conn: &mut Connection,
    user: UserId,
) -> Result<Option<CartId>, DbError> {
    let row: Option<(i64,)> = sqlx::query_as(FIND_USER_CART)
        .bind(user.get())
        .fetch_optional(conn)
        .await?;
    row.map(|(id,)| CartId::try_from(id).map_err(|e| decode("carts.id", e)))
        .transpose()
}

const FIND_VISITOR_CART: &str = "\
SELECT id
FROM carts
WHERE id = ?
  AND user_id IS NULL";

/// A visitor's cart by id; an account's cart is never found this way.
pub async fn find_visitor_cart(
    conn: &mut Connection,
    id: CartId,
) -> Result<Option<CartId>, DbError> {
    let row: Option<(i64,)> = sqlx::query_as(FIND_VISITOR_CART)
        .bind(id.get())
        .fetch_optional(conn)
        .await?;
    row.map(|(id,)| CartId::try_from(id).map_err(|e| decode("carts.id", e)))
        .transpose()
}

const INSERT_CART: &str = "\
INSERT INTO carts (user_id, created_at, updated_at)
VALUES (?, ?, ?)";

/// A new cart; an account that already has one is a unique violation.
pub async fn insert_cart(conn: &mut Connection, owner: Option<UserId>) -> Result<CartId, DbError> {
    let at = now();
    let result = sqlx::query(INSERT_CART)
        .bind(owner.map(UserId::get))
        .bind(at)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    CartId::try_from(inserted_id(conn, &result).await?).map_err(|e| decode("carts.id", e))
}

const DELETE_CART: &str = "\
DELETE FROM carts
WHERE id = ?";

pub async fn delete_cart(conn: &mut Connection, id: CartId) -> Result<(), DbError> {
    sqlx::query(DELETE_CART)
        .bind(id.get())
        .execute(conn)
        .await?;
    Ok(())
}

const TOUCH_CART: &str = "\
UPDATE carts
SET updated_at = ?
WHERE id = ?";

pub async fn touch_cart(conn: &mut Connection, id: CartId) -> Result<(), DbError> {
    sqlx::query(TOUCH_CART)
        .bind(now())
        .bind(id.get())
        .execute(conn)
        .await?;
    Ok(())
}

/// A cart line with the product as it is now.
#[derive(Debug, Clone)]
pub struct CartLine {
    pub product_id: ProductId,
    pub name: String,
    pub quantity: Quantity,
    pub unit_price: Money,
    pub stock: Stock,
    /// The product was deleted from the catalogue.
    pub withdrawn: bool,
    pub thumb_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct CartLineRow {
    product_id: i64,
    name: String,
    quantity: i64,
    price_cents: i64,
    currency: String,
    stock: i64,
    deleted_at: Option<i64>,
    thumb_name: Option<String>,
}

const LIST_CART_LINES: &str = "\
SELECT l.product_id, p.name, l.quantity, p.price_cents, p.currency, p.stock, p.deleted_at,
       (SELECT i.thumb_name
        FROM product_images i
        WHERE i.product_id = p.id
        ORDER BY i.position, i.id
        LIMIT 1) AS thumb_name
FROM cart_lines l
JOIN products p ON p.id = l.product_id
WHERE l.cart_id = ?
ORDER BY l.added_at, l.product_id";

pub async fn list_cart_lines(
    conn: &mut Connection,
    cart: CartId,
) -> Result<Vec<CartLine>, DbError> {
    sqlx::query_as::<_, CartLineRow>(LIST_CART_LINES)
        .bind(cart.get())
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|row| {
            Ok(CartLine {
                product_id: ProductId::try_from(row.product_id)
                    .map_err(|e| decode("cart_lines.product_id", e))?,
                name: row.name,
                quantity: Quantity::try_from(row.quantity)
                    .map_err(|e| decode("cart_lines.quantity", e))?,
                unit_price: Money::new(
                    PriceCents::new(row.price_cents)
                        .map_err(|e| decode("products.price_cents", e))?,
                    Currency::parse(&row.currency).map_err(|e| decode("products.currency", e))?,
                ),
                stock: Stock::new(row.stock).map_err(|e| decode("products.stock", e))?,
                withdrawn: row.deleted_at.is_some(),
                thumb_name: row.thumb_name,
            })
        })
        .collect()
}

const LINE_QUANTITY: &str = "\
SELECT quantity
FROM cart_lines
WHERE cart_id = ?
  AND product_id = ?";

pub async fn line_quantity(
    conn: &mut Connection,
    cart: CartId,
    product: ProductId,
) -> Result<i64, DbError> {
    let row: Option<(i64,)> = sqlx::query_as(LINE_QUANTITY)
        .bind(cart.get())
        .bind(product.get())
        .fetch_optional(conn)
        .await?;
    Ok(row.map_or(0, |(q,)| q))
}

const UPDATE_LINE: &str = "\
UPDATE cart_lines
SET quantity = ?
WHERE cart_id = ?
  AND product_id = ?";

const INSERT_LINE: &str = "\
INSERT INTO cart_lines (cart_id, product_id, quantity, added_at)
VALUES (?, ?, ?, ?)";

/// Sets a line to `quantity`, adding the line if needed.
pub async fn set_line(
    conn: &mut Connection,
    cart: CartId,
    product: ProductId,
    quantity: Quantity,
) -> Result<(), DbError> {
    let update = || {
        sqlx::query(UPDATE_LINE)
            .bind(i64::from(quantity.get()))
            .bind(cart.get())
            .bind(product.get())
    };
    if update().execute(&mut *conn).await?.rows_affected() > 0 {
        return Ok(());
    }
    let inserted = sqlx::query(INSERT_LINE)
        .bind(cart.get())
        .bind(product.get())
        .bind(i64::from(quantity.get()))
        .bind(now())
        .execute(&mut *conn)
        .await;
    match inserted {
        Ok(_) => Ok(()),
        // A second tab added the line in between: set it instead.
        Err(e) if super::is_unique_violation(&e) => update().execute(conn).await.map(|_| ()),
        Err(e) => Err(e),
    }
}

const DELETE_LINE: &str = "\
DELETE FROM cart_lines
WHERE cart_id = ?
  AND product_id = ?";

pub async fn delete_line(
    conn: &mut Connection,
    cart: CartId,
    product: ProductId,
) -> Result<(), DbError> {
    sqlx::query(DELETE_LINE)
        .bind(cart.get())
        .bind(product.get())
        .execute(conn)
        .await?;
    Ok(())
}

const CLEAR_LINES: &str = "\
DELETE FROM cart_lines
WHERE cart_id = ?";

pub async fn clear_lines(conn: &mut Connection, cart: CartId) -> Result<(), DbError> {
    sqlx::query(CLEAR_LINES)
        .bind(cart.get())
        .execute(conn)
        .await?;
    Ok(())
}

// CAST: MySQL's SUM is DECIMAL, which the Any driver cannot read.
const CART_COUNT: &str = "\
SELECT CAST(COALESCE(SUM(quantity), 0) AS SIGNED)
FROM cart_lines
WHERE cart_id = ?";

/// Units in the cart, for the badge.
pub async fn cart_count(conn: &mut Connection, cart: CartId) -> Result<i64, DbError> {
    let (count,): (i64,) = sqlx::query_as(CART_COUNT)
        .bind(cart.get())
        .fetch_one(conn)
        .await?;
    Ok(count)
}

const PURGE_CARTS: &str = "\
DELETE FROM carts
WHERE (updated_at < ? AND NOT EXISTS (SELECT 1 FROM cart_lines l WHERE l.cart_id = carts.id))
   OR (user_id IS NULL AND updated_at < ?)
   OR (user_id IS NOT NULL AND updated_at < ?)";

/// Forgets empty carts after 6 h, visitors' carts after 30 days and
/// accounts' carts after 90 days without a change.
pub async fn purge_stale_carts(conn: &mut Connection) -> Result<u64, DbError> {
    let at = now();
    let result = sqlx::query(PURGE_CARTS)
        .bind(at - 6 * 3600)
        .bind(at - 30 * 86_400)
        .bind(at - 90 * 86_400)
        .execute(conn)
        .await?;
    Ok(result.rows_affected())
}
