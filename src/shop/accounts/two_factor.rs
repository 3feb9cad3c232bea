//! Two-factor sign-in: enrolment in the shop (a secret shown as a QR code
//! and confirmed with a code), and `webstore admin create`.
//!
//! May import: domain, db, auth, error.

use base64::Engine as _;
use tower_sessions::Session;

use super::{Audit, User};
use crate::auth::totp::{self, SecretBox};
use crate::auth::{password, session};
use crate::db::{self, Connection, Db};
use crate::domain::account::{Email, NewPassword};
use crate::domain::{Role, UserId};
use crate::error::AppError;

/// What the enrolment page shows: the QR code (a PNG data URI) and the
/// secret as text, for typing in by hand.
#[derive(Default)]
pub struct Enrolment {
    pub qr: String,
    pub secret_text: String,
}

/// The secret being enrolled: kept sealed in the session until confirmed,
/// so reloading the page shows the same one.
async fn pending_secret(secrets: &SecretBox, session: &Session) -> Result<Vec<u8>, AppError> {
    let b64 = base64::engine::general_purpose::STANDARD;
    if let Some(sealed) = session::pending_totp(session).await? {
        let bytes = b64
            .decode(sealed)
            .map_err(|e| AppError::Internal(e.into()))?;
        if let Ok(secret) = secrets.open(&bytes) {
            return Ok(secret);
        }
    }
    let secret = totp::new_secret();
    let sealed = b64.encode(secrets.seal(&secret)?);
    session::set_pending_totp(session, Some(&sealed)).await?;
    Ok(secret)
}

/// The enrolment of a new secret for `user`'s authenticator app.
pub async fn enrolment(
    secrets: &SecretBox,
    session: &Session,
    user: &User,
) -> Result<Enrolment, AppError> {
    let secret = pending_secret(secrets, session).await?;
    let uri = totp::enrolment_uri(&secret, &user.email)?;
    let secret_text = uri
        .split("secret=")
        .nth(1)
        .and_then(|s| s.split('&').next())
        .unwrap_or_default()
        .to_owned();
    Ok(Enrolment {
        qr: totp::qr_data_uri(&uri)?,
        secret_text,
    })
}

/// New recovery codes for `user`, stored as hashes; returns them to show
/// once.
async fn new_recovery_codes(conn: &mut Connection, user: UserId) -> Result<Vec<String>, AppError> {
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| totp::hash_recovery_code(c)).collect();
    db::users::replace_recovery_codes(conn, user, &hashes).await?;
    Ok(codes)
}

/// Turns on two-factor sign-in with the pending secret once the user
/// confirms it with a code from their app; returns the recovery codes,
/// shown once. The session then counts as signed in with a second factor,
/// so the confirming code is spent like one that signs in.
#[tracing::instrument(skip_all, fields(user.id = user.id.get()))]
pub async fn confirm_totp(
    db: &Db,
    secrets: &SecretBox,
    session: &Session,
    user: &User,
    code: &str,
    client_ip: &str,
) -> Result<Option<Vec<String>>, AppError> {
    let audit = Audit::new(Some(user.id), client_ip);
    let secret = pending_secret(secrets, session).await?;
    let Some(step) = totp::matching_step(&secret, &user.email, code) else {
        let mut conn = db.conn().await?;
        audit
            .write(&mut conn, "account.totp_enable", "failure", "wrong code")
            .await?;
        return Ok(None);
    };
    let sealed = &secrets.seal(&secret)?;
    let codes = db
        .retry_conflicts(move || async move {
            let mut tx = db.begin().await?;
            db::users::enable_totp(&mut tx, user.id, sealed, Some(step)).await?;
            let codes = new_recovery_codes(&mut tx, user.id).await?;
            audit
                .write(&mut tx, "account.totp_enable", "success", "")
                .await?;
            tx.commit().await?;
            Ok::<_, AppError>(codes)
        })
        .await?;
    session::set_pending_totp(session, None).await?;
    session::mark_second_factor(session).await?;
    Ok(Some(codes))
}

/// `webstore admin create`: creates the account or promotes it, sets the
/// password and enrols two-factor sign-in with a new secret; returns the
/// enrolment URI and the recovery codes, shown once.
#[tracing::instrument(skip_all)]
pub async fn create_admin(
    db: &Db,
    secrets: &SecretBox,
    email: &Email,
    password: &NewPassword,
) -> Result<(String, Vec<String>), AppError> {
    let hash = password::hash(password.expose().to_owned()).await?;
    let secret = totp::new_secret();
    let uri = totp::enrolment_uri(&secret, email.as_str())?;
    let sealed = secrets.seal(&secret)?;
    let mut tx = db.begin().await?;
    let user = match db::users::find_user_with_hash_by_email(&mut tx, email).await? {
        Some((user, _)) => {
            db::users::update_password(&mut tx, user.id, &hash).await?;
            db::users::update_role(&mut tx, user.id, Role::Admin).await?;
            user.id
        }
        None => {
            let name = email.local_part().to_owned();
            db::users::insert_user(&mut tx, email, &name, &hash, Role::Admin)
                .await?
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the email was just taken")))?
        }
    };
    db::users::enable_totp(&mut tx, user, &sealed, None).await?;
    let codes = new_recovery_codes(&mut tx, user).await?;
    Audit::new(Some(user), "cli")
        .write(&mut tx, "admin.create", "success", "")
        .await?;
    tx.commit().await?;
    Ok((uri, codes))
}
