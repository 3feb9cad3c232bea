//! Back-office accounts: the list and role changes. The shop always keeps
//! one admin: the rule is checked in the transaction that changes the role,
//! after every admin's row is locked, so two admins demoting each other at
//! the same moment cannot both succeed.
//!
//! May import: domain, db, error.

use super::{Actor, audit};
use crate::db::{self, Db};
use crate::domain::{Role, UserId};
use crate::error::AppError;

pub use crate::db::users::UserListRow;

/// The most accounts one listing shows.
const LIST_LIMIT: i64 = 1000;

/// What became of a role change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleChange {
    /// Changed; the account's sessions have ended.
    Changed,
    /// Refused: it would leave the shop without an admin.
    LastAdmin,
}

/// Every account, oldest first.
#[tracing::instrument(skip_all)]
pub async fn list_users(db: &Db) -> Result<Vec<UserListRow>, AppError> {
    let mut conn = db.conn().await?;
    Ok(db::users::list_users(&mut conn, LIST_LIMIT, 0).await?)
}

/// Gives account `id` the role `role` and ends its sessions (it signs in
/// again under the new role), unless that would leave no admin.
/// `NotFound` for no such account.
#[tracing::instrument(skip_all, fields(user.id = %id, user.role = %role))]
pub async fn change_role(
    db: &Db,
    actor: Actor<'_>,
    id: UserId,
    role: Role,
) -> Result<RoleChange, AppError> {
    db.retry_conflicts(move || async move {
        let mut tx = db.begin().await?;
        // Before anything is read: on MySQL a plain read sees a snapshot, so
        // without this lock two demotions could each count the other's admin.
        db::users::lock_admins(&mut tx).await?;
        let user = db::users::find_user(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if user.role == Role::Admin
            && role != Role::Admin
            && db::users::count_admins(&mut tx).await? <= 1
        {
            return Ok(RoleChange::LastAdmin);
        }
        db::users::update_role(&mut tx, id, role).await?;
        audit(
            &mut tx,
            actor,
            "admin.user.role",
            &format!("user:{id}"),
            role.as_str(),
        )
        .await?;
        tx.commit().await?;
        Ok(RoleChange::Changed)
    })
    .await
}
