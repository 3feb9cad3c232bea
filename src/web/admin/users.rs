//! Back-office users: the list and role changes (audited; the last admin
//! cannot be demoted).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth::AdminUser;
use crate::db::{self, users::UserListRow};
use crate::domain::{Role, UserId};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::admin::{admin_chrome, audit_admin};
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
    let mut conn = app.db.conn().await?;
    let users = db::users::list_users(&mut conn, 1000, 0).await?;
    drop(conn);
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
    AdminUser(admin): AdminUser,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    PathId(id): PathId<UserId>,
    Form(form): Form<RoleForm>,
) -> Result<Response, AppError> {
    let role = Role::parse(form.role.trim()).map_err(|_| AppError::BadRequest("Unknown role."))?;
    let mut tx = app.db.begin().await?;
    let user = db::users::find_user(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if user.role == Role::Admin
        && role != Role::Admin
        && db::users::count_admins(&mut tx).await? <= 1
    {
        drop(tx);
        visitor.flash("The last admin cannot be demoted.").await?;
        return Ok(Redirect::to("/admin/users").into_response());
    }
    db::users::update_role(&mut tx, id, role).await?;
    tx.commit().await?;
    audit_admin(
        &app,
        &admin,
        "admin.user.role",
        &format!("user:{id}"),
        role.as_str(),
        &ip,
    )
    .await?;
    visitor.flash("Role changed.").await?;
    Ok(Redirect::to("/admin/users").into_response())
}
