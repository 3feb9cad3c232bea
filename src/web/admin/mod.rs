//! The back office under `/admin`. Every handler takes `AdminUser`, so the
//! area answers 404 to everyone but admins signed in with a second factor;
//! every change goes through a `shop::admin` use case, which audits it.
//!
//! May import: shop, domain, auth, error, state, http (the CSRF guard),
//! uploads (the size limit), web, askama.

pub mod images;
pub mod orders;
pub mod products;
pub mod records;
pub mod users;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::auth::AdminUser;
use crate::error::AppError;
use crate::http::csrf::guard;
use crate::shop::admin::Actor;
use crate::state::AppState;
use crate::web::chrome::Chrome;
use crate::web::visitor::Visitor;

/// Every back-office path.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(show_dashboard))
        .route("/admin/products", get(products::list_products))
        .route(
            "/admin/products/new",
            guard(get(products::new_product).post(products::create_product)),
        )
        .route(
            "/admin/products/{id}",
            guard(get(products::edit_product).post(products::update_product)),
        )
        .route(
            "/admin/products/{id}/delete",
            guard(post(products::delete_product)),
        )
        .route(
            "/admin/products/{id}/stock",
            guard(post(products::set_stock)),
        )
        .route(
            "/admin/products/{id}/images",
            guard(post(images::upload_image)).layer(DefaultBodyLimit::max(
                crate::uploads::MAX_UPLOAD_BYTES + 64 * 1024,
            )),
        )
        .route("/admin/orders", get(orders::list_orders))
        .route("/admin/orders/{id}", get(orders::show_order))
        .route(
            "/admin/orders/{id}/status",
            guard(post(orders::change_status)),
        )
        .route("/admin/users", get(users::list_users))
        .route("/admin/users/{id}/role", guard(post(users::change_role)))
        .route("/admin/audit", get(records::show_audit))
        .route("/admin/outbox", get(records::show_outbox))
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
pub struct DashboardPage {
    chrome: Chrome,
    admin_name: String,
}

/// GET /admin — the back office's start page.
pub async fn show_dashboard(
    State(app): State<AppState>,
    AdminUser(admin): AdminUser,
    visitor: Visitor,
) -> Result<Response, AppError> {
    let chrome = admin_chrome(&app, &visitor).await?;
    let page = DashboardPage {
        chrome,
        admin_name: admin.name,
    };
    Ok(Html(page.render()?).into_response())
}

pub async fn admin_chrome(app: &AppState, visitor: &Visitor) -> Result<Chrome, AppError> {
    Chrome::for_visitor(&app.db, visitor).await
}

/// The signed-in admin, as the author of a change.
pub fn actor<'a>(admin: &AdminUser, client_ip: &'a str) -> Actor<'a> {
    Actor {
        user: admin.0.id,
        client_ip,
    }
}

/// After a change: its message on the next page, 303 to `to`.
pub async fn saved(visitor: &Visitor, message: &str, to: &str) -> Result<Response, AppError> {
    visitor.flash(message).await?;
    Ok(Redirect::to(to).into_response())
}
