//! The cart pages: `GET /cart`, `POST /cart/items`, `POST
//! /cart/items/{product_id}`, `POST /cart/items/{product_id}/remove`.
//!
//! May import: domain, error, shop, state, web, askama.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::domain::{LineChange, Money, ProductId, Quantity};
use crate::error::AppError;
use crate::shop::cart::{self, CartError, CartLine, LineEdit, Shopper};
use crate::state::AppState;
use crate::web::catalogue::product_page;
use crate::web::chrome::Chrome;
use crate::web::extract::PathId;
use crate::web::visitor::Visitor;

pub struct LineRow {
    pub product_id: ProductId,
    pub name: String,
    pub unit_price: Money,
    pub quantity: String,
    pub line_total: Money,
    pub problem: Option<String>,
}

#[derive(Template)]
#[template(path = "cart.html")]
pub struct CartPage {
    chrome: Chrome,
    lines: Vec<LineRow>,
    total: Money,
    count: i64,
    orderable: bool,
    signed_in: bool,
    csrf_token: String,
    idempotency_key: String,
    flash: Option<String>,
    error: Option<String>,
}

/// GET /cart — lines, quantities, line totals, total and the checkout form.
pub async fn show_cart(
    State(app): State<AppState>,
    visitor: Visitor,
) -> Result<Response, AppError> {
    cart_page(&app, &visitor, None, StatusCode::OK).await
}

/// The cart page, optionally with a problem of the last change.
pub async fn cart_page(
    app: &AppState,
    visitor: &Visitor,
    error: Option<(ProductId, String, String)>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let message = error.as_ref().map(|(_, _, m)| m.clone());
    cart_page_inner(app, visitor, error, message, status).await
}

async fn cart_page_inner(
    app: &AppState,
    visitor: &Visitor,
    error: Option<(ProductId, String, String)>,
    message: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let view = cart::view(&app.db, &visitor.owner()).await?;
    let chrome = Chrome::for_visitor(&app.db, visitor).await?;
    let lines = view
        .lines
        .into_iter()
        .map(|v| {
            let CartLine {
                product_id,
                name,
                quantity,
                unit_price,
                ..
            } = v.line;
            let typed = error
                .as_ref()
                .filter(|(id, _, _)| *id == product_id)
                .map(|(_, typed, _)| typed.clone());
            LineRow {
                product_id,
                name,
                unit_price,
                quantity: typed.unwrap_or_else(|| quantity.to_string()),
                line_total: v.line_total,
                problem: v.problem,
            }
        })
        .collect();
    let page = CartPage {
        chrome,
        lines,
        total: view.total,
        count: view.count,
        orderable: view.orderable,
        signed_in: visitor.user.is_some(),
        csrf_token: visitor.csrf_token().await?,
        idempotency_key: uuid::Uuid::new_v4().simple().to_string(),
        flash: visitor.take_flash().await?,
        error: message,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// The cart page with a message about the whole cart (a failed checkout).
pub async fn cart_page_with_message(
    app: &AppState,
    visitor: &Visitor,
    message: String,
    status: StatusCode,
) -> Result<Response, AppError> {
    cart_page_inner(app, visitor, None, Some(message), status).await
}

/// The add-to-cart form, raw. Any other field (a price, a user id) is
/// ignored: prices always come from the database.
#[derive(Debug, Deserialize)]
pub struct AddItemForm {
    #[serde(default)]
    product_id: String,
    #[serde(default)]
    quantity: String,
}

/// POST /cart/items — add `quantity` (1–99) of `product_id`, 303 to /cart;
/// a bad quantity or too little stock re-renders the product page with 422.
pub async fn add_cart_item(
    State(app): State<AppState>,
    visitor: Visitor,
    Form(raw): Form<AddItemForm>,
) -> Result<Response, AppError> {
    let product: ProductId = raw
        .product_id
        .trim()
        .parse()
        .map_err(|_| AppError::NotFound)?;
    let quantity = match Quantity::parse(&raw.quantity) {
        Ok(q) => q,
        Err(e) => {
            return product_page(&app, &visitor, product, &raw.quantity, Some(e.to_string())).await;
        }
    };
    match edit(&app, &visitor, product, LineEdit::Add(quantity)).await? {
        Ok(()) => Ok(Redirect::to("/cart").into_response()),
        Err(CartError::Unavailable) => Err(AppError::NotFound),
        Err(e) => product_page(&app, &visitor, product, &raw.quantity, Some(e.to_string())).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct SetQuantityForm {
    #[serde(default)]
    quantity: String,
}

/// POST /cart/items/{product_id} — set the quantity (0 removes), 303 to
/// /cart; a bad value re-renders the cart with 422.
pub async fn set_cart_item(
    State(app): State<AppState>,
    visitor: Visitor,
    PathId(product): PathId<ProductId>,
    Form(raw): Form<SetQuantityForm>,
) -> Result<Response, AppError> {
    let change = match LineChange::parse(&raw.quantity) {
        Ok(change) => change,
        Err(e) => return line_error(&app, &visitor, product, &raw.quantity, e.to_string()).await,
    };
    match edit(&app, &visitor, product, LineEdit::Set(change)).await? {
        Ok(()) => Ok(Redirect::to("/cart").into_response()),
        Err(CartError::NotInCart) => Err(AppError::NotFound),
        Err(e) => line_error(&app, &visitor, product, &raw.quantity, e.to_string()).await,
    }
}

async fn line_error(
    app: &AppState,
    visitor: &Visitor,
    product: ProductId,
    typed: &str,
    message: String,
) -> Result<Response, AppError> {
    let typed = typed.chars().take(8).collect();
    cart_page(
        app,
        visitor,
        Some((product, typed, message)),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// POST /cart/items/{product_id}/remove — remove the line, 303 to /cart.
pub async fn remove_cart_item(
    State(app): State<AppState>,
    visitor: Visitor,
    PathId(product): PathId<ProductId>,
) -> Result<Response, AppError> {
    cart::remove_line(&app.db, &app.live, &shopper(&visitor), product).await?;
    Ok(Redirect::to("/cart").into_response())
}

/// Changes a line of this visitor's cart.
async fn edit(
    app: &AppState,
    visitor: &Visitor,
    product: ProductId,
    edit: LineEdit,
) -> Result<Result<(), CartError>, AppError> {
    cart::edit_line(&app.db, &app.live, &shopper(visitor), product, edit).await
}

fn shopper(visitor: &Visitor) -> Shopper<'_> {
    Shopper {
        owner: visitor.owner(),
        browser: visitor.browser_secret(),
    }
}
