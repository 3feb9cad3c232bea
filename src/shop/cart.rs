//! The cart: which cart a visitor or account has, adding and changing
//! lines within quantity and stock limits, merging a visitor's cart into
//! the account's at sign-in, and the cart as a page shows it.
//!
//! May import: domain, db, auth, error, live.

use anyhow::Context as _;
use tower_sessions::Session;

use crate::auth::session;
pub use crate::db::carts::CartLine;
use crate::db::users::User;
use crate::db::{self, Connection, Db};
use crate::domain::cart::QuantityError;
use crate::domain::{CartId, CartTotals, LineChange, Money, ProductId, Quantity};
use crate::error::AppError;
use crate::live::{CartOwner, Hub};

/// Why a cart change was refused; each is shown next to the form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CartError {
    #[error("This product is not available.")]
    Unavailable,
    #[error("{0}")]
    Quantity(#[from] QuantityError),
    #[error("This product is sold out.")]
    SoldOut,
    #[error("Only {available} left in stock; you have {in_cart} in your cart.")]
    NotEnough { available: i64, in_cart: i64 },
    #[error("At most 99 of one product per order; you have {in_cart} in your cart.")]
    LineFull { in_cart: i64 },
    #[error("This product is not in your cart.")]
    NotInCart,
}

/// Whose cart a request works on.
pub enum Owner<'a> {
    Account(&'a User),
    Visitor(&'a Session),
}

/// Who changes a cart: its owner, and the browser secret the request came
/// with (a visitor's open pages are bound to it).
pub struct Shopper<'a> {
    pub owner: Owner<'a>,
    pub browser: Option<&'a str>,
}

/// The cart of this visitor or account, if one exists.
pub async fn find_cart(
    conn: &mut Connection,
    owner: &Owner<'_>,
) -> Result<Option<CartId>, AppError> {
    match owner {
        Owner::Account(user) => Ok(db::carts::find_user_cart(conn, user.id).await?),
        Owner::Visitor(session) => match session::visitor_cart(session).await? {
            Some(id) => Ok(db::carts::find_visitor_cart(conn, id).await?),
            None => Ok(None),
        },
    }
}

/// The cart, made when there is none yet.
async fn cart_for_change(conn: &mut Connection, owner: &Owner<'_>) -> Result<CartId, AppError> {
    if let Some(id) = find_cart(conn, owner).await? {
        return Ok(id);
    }
    match owner {
        Owner::Account(user) => match db::carts::insert_cart(conn, Some(user.id)).await {
            Ok(id) => Ok(id),
            Err(e) if db::is_unique_violation(&e) => db::carts::find_user_cart(conn, user.id)
                .await?
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("cart vanished"))),
            Err(e) => Err(e.into()),
        },
        Owner::Visitor(session) => {
            let id = db::carts::insert_cart(conn, None).await?;
            session::set_visitor_cart(session, Some(id)).await?;
            Ok(id)
        }
    }
}

/// Units in the owner's cart, for the header badge; a visitor who never
/// added anything costs no database connection.
pub async fn badge(db: &Db, owner: &Owner<'_>) -> Result<i64, AppError> {
    if let Owner::Visitor(session) = owner
        && session::visitor_cart(session).await?.is_none()
    {
        return Ok(0);
    }
    let mut conn = db.conn().await?;
    count(&mut conn, owner).await
}

/// Units in the cart, for the header badge.
pub async fn count(conn: &mut Connection, owner: &Owner<'_>) -> Result<i64, AppError> {
    match find_cart(conn, owner).await? {
        Some(cart) => Ok(db::carts::cart_count(conn, cart).await?),
        None => Ok(0),
    }
}

/// A change a shopper makes to one line of the cart.
#[derive(Clone, Copy, Debug)]
pub enum LineEdit {
    /// Adds units; the line may never exceed 99 or the stock.
    Add(Quantity),
    /// Sets the line's quantity (0 removes it); the line must exist.
    Set(LineChange),
}

/// Changes one line of the owner's cart; the owner's open pages then get
/// the new count.
#[tracing::instrument(skip_all, fields(product.id = %product))]
pub async fn edit_line(
    db: &Db,
    live: &Hub,
    who: &Shopper<'_>,
    product: ProductId,
    edit: LineEdit,
) -> Result<Result<(), CartError>, AppError> {
    let outcome = match edit {
        LineEdit::Add(quantity) => try_add_item(db, &who.owner, product, quantity).await?,
        LineEdit::Set(change) => try_change_line(db, &who.owner, product, change).await?,
    };
    if outcome.is_ok() {
        publish_cart_count(db, live, &who.owner, who.browser).await;
    }
    Ok(outcome)
}

async fn try_add_item(
    db: &Db,
    owner: &Owner<'_>,
    product: ProductId,
    quantity: Quantity,
) -> Result<Result<(), CartError>, AppError> {
    let mut tx = db.begin().await?;
    let Some(found) = db::products::find_product(&mut tx, product).await? else {
        return Ok(Err(CartError::Unavailable));
    };
    let cart = cart_for_change(&mut tx, owner).await?;
    let in_cart = db::carts::line_quantity(&mut tx, cart, product).await?;
    let wanted = in_cart + i64::from(quantity.get());
    if found.stock.is_sold_out() {
        return Ok(Err(CartError::SoldOut));
    }
    if wanted > found.stock.get() {
        return Ok(Err(CartError::NotEnough {
            available: found.stock.get(),
            in_cart,
        }));
    }
    let Ok(total) = Quantity::try_from(wanted) else {
        return Ok(Err(CartError::LineFull { in_cart }));
    };
    db::carts::set_line(&mut tx, cart, product, total).await?;
    db::carts::touch_cart(&mut tx, cart).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

async fn try_change_line(
    db: &Db,
    owner: &Owner<'_>,
    product: ProductId,
    change: LineChange,
) -> Result<Result<(), CartError>, AppError> {
    let mut tx = db.begin().await?;
    let Some(cart) = find_cart(&mut tx, owner).await? else {
        return Ok(Err(CartError::NotInCart));
    };
    let in_cart = db::carts::line_quantity(&mut tx, cart, product).await?;
    if in_cart == 0 {
        return Ok(Err(CartError::NotInCart));
    }
    match change {
        LineChange::Remove => db::carts::delete_line(&mut tx, cart, product).await?,
        LineChange::Set(quantity) => {
            let stock = db::products::find_product(&mut tx, product)
                .await?
                .map(|p| p.stock);
            match stock {
                None => return Ok(Err(CartError::Unavailable)),
                Some(stock) if stock.is_sold_out() => return Ok(Err(CartError::SoldOut)),
                Some(stock) if i64::from(quantity.get()) > stock.get() => {
                    return Ok(Err(CartError::NotEnough {
                        available: stock.get(),
                        in_cart,
                    }));
                }
                Some(_) => db::carts::set_line(&mut tx, cart, product, quantity).await?,
            }
        }
    }
    db::carts::touch_cart(&mut tx, cart).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Removes a line; removing what is not there is not an error. The
/// owner's open pages then get the new count.
#[tracing::instrument(skip_all, fields(product.id = %product))]
pub async fn remove_line(
    db: &Db,
    live: &Hub,
    who: &Shopper<'_>,
    product: ProductId,
) -> Result<(), AppError> {
    let mut conn = db.conn().await?;
    if let Some(cart) = find_cart(&mut conn, &who.owner).await? {
        db::carts::delete_line(&mut conn, cart, product).await?;
        db::carts::touch_cart(&mut conn, cart).await?;
    }
    drop(conn);
    publish_cart_count(db, live, &who.owner, who.browser).await;
    Ok(())
}

/// Tells the owner's open pages the cart's count now (`cart` event), after
/// any change to it: adding, changing, removing, merging, checking out.
/// Best effort: the change is saved already, so a failure is only logged.
pub async fn publish_cart_count(db: &Db, live: &Hub, owner: &Owner<'_>, browser: Option<&str>) {
    // Sockets are bound to the account, else to the visitor's browser
    // secret, else (a client without that cookie) to the session; a
    // session made by this very request has no socket yet.
    let keys: Vec<CartOwner> = match owner {
        Owner::Account(user) => vec![CartOwner::Account(user.id)],
        Owner::Visitor(session) => browser
            .map(CartOwner::browser)
            .into_iter()
            .chain(session.id().as_ref().map(CartOwner::session))
            .collect(),
    };
    if keys.is_empty() {
        return;
    }
    let counted = async {
        let mut conn = db.conn().await?;
        let Some(cart) = find_cart(&mut conn, owner).await? else {
            return Ok(None);
        };
        let count = db::carts::cart_count(&mut conn, cart).await?;
        Ok::<_, AppError>(Some(count))
    }
    .await;
    match counted {
        Ok(Some(count)) => {
            for key in keys {
                live.cart_changed(key, count);
            }
        }
        Ok(None) => {}
        Err(error) => tracing::warn!(%error, "the cart count could not be published"),
    }
}

/// At sign-in: the visitor's lines join the account's cart, quantities
/// summed and capped by stock and 99; the visitor's cart is then gone.
pub async fn merge_visitor_cart(db: &Db, session: &Session, user: &User) -> Result<(), AppError> {
    let Some(visitor_cart) = session::visitor_cart(session).await? else {
        return Ok(());
    };
    let mut tx = db.begin().await?;
    if db::carts::find_visitor_cart(&mut tx, visitor_cart)
        .await?
        .is_some()
    {
        let lines = db::carts::list_cart_lines(&mut tx, visitor_cart).await?;
        if !lines.is_empty() {
            let account_cart = cart_for_change(&mut tx, &Owner::Account(user)).await?;
            for line in lines.iter().filter(|l| !l.withdrawn) {
                let had = db::carts::line_quantity(&mut tx, account_cart, line.product_id).await?;
                let sum = had + i64::from(line.quantity.get());
                if let Some(quantity) = Quantity::capped(sum, line.stock.get().max(had)) {
                    db::carts::set_line(&mut tx, account_cart, line.product_id, quantity).await?;
                }
            }
            db::carts::touch_cart(&mut tx, account_cart).await?;
        }
        db::carts::delete_cart(&mut tx, visitor_cart).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A cart line as shown: current price, line total, and what is wrong
/// with it now (sold out, withdrawn, fewer left than wanted).
pub struct LineView {
    pub line: CartLine,
    pub line_total: Money,
    pub problem: Option<String>,
}

pub struct CartView {
    pub lines: Vec<LineView>,
    /// Zero euros for an empty cart.
    pub total: Money,
    pub count: i64,
    /// Every line can be ordered as it stands.
    pub orderable: bool,
}

/// The cart as the cart page and the cart API show it, at current prices.
#[tracing::instrument(skip_all)]
pub async fn view(db: &Db, owner: &Owner<'_>) -> Result<CartView, AppError> {
    let mut conn = db.conn().await?;
    let lines = match find_cart(&mut conn, owner).await? {
        Some(cart) => db::carts::list_cart_lines(&mut conn, cart).await?,
        None => Vec::new(),
    };
    drop(conn);
    let totals = CartTotals::of(lines.iter().map(|l| (l.unit_price, l.quantity)))
        .context("summing the cart")?;
    let lines: Vec<LineView> = lines
        .into_iter()
        .zip(totals.lines)
        .map(|(line, line_total)| LineView {
            problem: problem_of(&line),
            line,
            line_total,
        })
        .collect();
    Ok(CartView {
        orderable: !lines.is_empty() && lines.iter().all(|l| l.problem.is_none()),
        lines,
        total: totals.total,
        count: totals.count,
    })
}

fn problem_of(line: &CartLine) -> Option<String> {
    if line.withdrawn {
        Some("No longer available. Please remove it from your cart.".into())
    } else if line.stock.is_sold_out() {
        Some("Sold out. Please remove it from your cart.".into())
    } else if i64::from(line.quantity.get()) > line.stock.get() {
        Some(format!(
            "Only {} left: please lower the quantity.",
            line.stock.get()
        ))
    } else {
        None
    }
}
