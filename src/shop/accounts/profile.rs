//! The user form and password changes.
//!
//! May import: domain, db, auth, error.

use tower_sessions::Session;

use super::{Audit, User, current_password_ok};
use crate::auth::{password, session};
use crate::db::{self, Db};
use crate::domain::account::{Email, FieldErrors, NewPassword, Profile};
use crate::error::AppError;

fn one_error(field: &'static str, message: &str) -> FieldErrors {
    let mut errors = FieldErrors::new();
    errors.add(field, message);
    errors
}

/// Saves the user form. Changing the email needs the current password.
#[tracing::instrument(skip_all, fields(user.id = user.id.get()))]
pub async fn update_profile(
    db: &Db,
    user: &User,
    profile: &Profile,
    current_password: &str,
    client_ip: &str,
) -> Result<Result<(), FieldErrors>, AppError> {
    let audit = Audit::new(Some(user.id), client_ip);
    let email_changes = profile.email.as_str() != user.email;
    if email_changes && !current_password_ok(db, user, current_password).await? {
        let mut conn = db.conn().await?;
        audit
            .write(
                &mut conn,
                "account.email_change",
                "failure",
                "wrong current password",
            )
            .await?;
        return Ok(Err(one_error(
            "current_password",
            "Enter your current password to change your email address.",
        )));
    }
    // A lost conflict reruns the whole transaction.
    db.retry_conflicts(move || async move {
        let mut tx = db.begin().await?;
        if !db::users::update_profile(&mut tx, user.id, profile).await? {
            return Ok(Err(one_error(
                "email",
                "This email address cannot be used. Please choose another.",
            )));
        }
        if email_changes {
            audit
                .write(&mut tx, "account.email_change", "success", "")
                .await?;
        }
        audit
            .write(&mut tx, "account.update", "success", "")
            .await?;
        tx.commit().await?;
        Ok(Ok(()))
    })
    .await
}

/// Replaces the password after checking the current one. Every other
/// session of the account ends; this one follows the new session epoch
/// under a new id.
#[tracing::instrument(skip_all, fields(user.id = user.id.get()))]
pub async fn change_password(
    db: &Db,
    session: &Session,
    user: &User,
    current: &str,
    new: &str,
    client_ip: &str,
) -> Result<Result<(), FieldErrors>, AppError> {
    let audit = Audit::new(Some(user.id), client_ip);
    let mut errors = FieldErrors::new();
    let new = errors.check(
        "new_password",
        NewPassword::parse(
            new,
            Email::parse(&user.email).ok().as_ref(),
            Some(&user.name),
        ),
    );
    if !current_password_ok(db, user, current).await? {
        errors.add("current_password", "Your current password is not correct.");
        let mut conn = db.conn().await?;
        audit
            .write(
                &mut conn,
                "account.password_change",
                "failure",
                "wrong current password",
            )
            .await?;
    }
    let Some(new) = new.filter(|_| errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let hash = &password::hash(new.expose().to_owned()).await?;
    // Hashed once; a lost conflict reruns only the transaction.
    let epoch = db
        .retry_conflicts(move || async move {
            let mut tx = db.begin().await?;
            db::users::update_password(&mut tx, user.id, hash).await?;
            let epoch = db::users::find_user(&mut tx, user.id)
                .await?
                .map_or(user.session_epoch + 1, |u| u.session_epoch);
            audit
                .write(&mut tx, "account.password_change", "success", "")
                .await?;
            tx.commit().await?;
            Ok::<_, AppError>(epoch)
        })
        .await?;
    session::renew(session, epoch).await?;
    Ok(Ok(()))
}
