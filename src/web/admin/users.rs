//! Back-office users: the list and role changes (audited; the last admin
//! cannot be demoted, a rule `shop::admin::users` keeps).
//!
//! May import: shop, domain, auth, error, state, web, askama.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::auth::AdminUser;
use crate::domain::{Role, UserId};
use crate::error::AppError;
use crate::shop::admin::users::{self as shop_users, RoleChange, UserListRow};
use crate::state::AppState;
use crate::web::admin::{actor, admin_chrome, saved};
use crate::web::chrome::Chrome;
use crate::web::extract::PathId;
use crate::web::visitor::{ClientIp, Visitor};

#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    chrome: Chrome,
    csrf_token: String,
    users: Vec<UserListRow>,
    flash: Option<String>,
}

/// GET /admin/users — every account.
pub async fn list_users(
    State(app): State<AppState>,
    AdminUser(_admin): AdminUser,
    visitor: Visitor,
) -> Result<Response, AppError> {
    let users = shop_users::list_users(&app.db).await?;
    let page = UsersPage {
        chrome: admin_chrome(&app, &visitor).await?,
        csrf_token: visitor.csrf_token().await?,
        users,
        flash: visitor.take_flash().await?,
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Debug, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

/// POST /admin/users/{id}/role — `role`: customer or admin. The account's
/// sessions end (it signs in again under the new role).
pub async fn change_role(
    State(app): State<AppState>,
    admin: AdminUser,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    PathId(id): PathId<UserId>,
    Form(form): Form<RoleForm>,
) -> Result<Response, AppError> {
    let role = Role::parse(form.role.trim()).map_err(|_| AppError::BadRequest("Unknown role."))?;
    let message = match shop_users::change_role(&app.db, actor(&admin, &ip), id, role).await? {
        RoleChange::Changed => "Role changed.",
        RoleChange::LastAdmin => "The last admin cannot be demoted.",
    };
    saved(&visitor, message, "/admin/users").await
}
