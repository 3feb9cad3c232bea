//! What a session holds and the rules about it. The session itself (cookie,
//! lazy loading, saving only when changed, id rotation) is tower-sessions';
//! the record lives in the database or Redis, keyed by the id's hash.
//!
//! Cookie: `__Host-webstore`, `Secure; HttpOnly; SameSite=Lax; Path=/`, no
//! Domain. A signed-in session ends after 12 h (absolute), after 30 min
//! idle for admins, and as soon as the account's session epoch moves on
//! (password or role change).

use time::Duration;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

use crate::auth::csrf;
use crate::auth::store::AppSessionStore;
use crate::db::{self, Db, users::User};
use crate::domain::{CartId, Role, UserId};

pub const COOKIE_NAME: &str = "__Host-webstore";
/// A visitor's session (and so their cart) lives this long without a visit.
pub const VISITOR_IDLE: Duration = Duration::days(30);
/// A session that holds nothing but a CSRF token (an API client that only
/// asked for one) is forgotten much sooner, so cookieless clients cannot
/// fill the session store for a month. Pages make no such sessions (see
/// `http::csrf::form_token`).
pub const TOKEN_ONLY_IDLE: Duration = Duration::hours(2);
pub const SIGNED_IN_MAX: Duration = Duration::hours(12);
pub const ADMIN_IDLE: Duration = Duration::minutes(30);
/// `seen_at` is written at most this often, so reading a page rarely writes.
const SEEN_GRANULARITY: i64 = 60;

const CSRF: &str = "csrf";
const USER_ID: &str = "user_id";
const EPOCH: &str = "epoch";
const AUTH_AT: &str = "auth_at";
const SEEN_AT: &str = "seen_at";
const CART_ID: &str = "cart_id";
const FLASH: &str = "flash";
/// Set when the sign-in included a second factor.
const MFA: &str = "mfa";

/// The session layer for the configured store.
pub fn layer(store: AppSessionStore) -> SessionManagerLayer<AppSessionStore> {
    SessionManagerLayer::new(store)
        .with_name(COOKIE_NAME)
        .with_secure(true)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(VISITOR_IDLE))
}

/// A failure of the session store, as an internal error.
fn store_error(e: tower_sessions::session::Error) -> anyhow::Error {
    anyhow::anyhow!("session store: {e}")
}

/// The session's CSRF token, made (and so the session saved) on first use:
/// for `GET /api/v1/session`, whose callers send it as `X-CSRF-Token`.
pub async fn csrf_token(session: &Session) -> anyhow::Result<String> {
    if let Some(token) = session.get::<String>(CSRF).await.map_err(store_error)? {
        return Ok(token);
    }
    let token = csrf::new_token();
    if session.is_empty().await {
        session.set_expiry(Some(Expiry::OnInactivity(TOKEN_ONLY_IDLE)));
    }
    session.insert(CSRF, &token).await.map_err(store_error)?;
    Ok(token)
}

/// The token to compare a request's against; `None` for a session that
/// never showed a form.
pub async fn expected_csrf_token(session: &Session) -> anyhow::Result<Option<String>> {
    session.get::<String>(CSRF).await.map_err(store_error)
}

/// The signed-in account, if the session still counts as signed in. A
/// session that no longer does is signed out on the spot.
pub async fn signed_in_user(session: &Session, db: &Db) -> anyhow::Result<Option<User>> {
    let Some(user_id) = session.get::<i64>(USER_ID).await.map_err(store_error)? else {
        return Ok(None);
    };
    let epoch = session
        .get::<i64>(EPOCH)
        .await
        .map_err(store_error)?
        .unwrap_or(-1);
    let auth_at = session
        .get::<i64>(AUTH_AT)
        .await
        .map_err(store_error)?
        .unwrap_or(0);
    let seen_at = session
        .get::<i64>(SEEN_AT)
        .await
        .map_err(store_error)?
        .unwrap_or(0);
    let now = db::now();
    let user = match UserId::try_from(user_id) {
        Ok(id) => {
            let mut conn = db.conn().await?;
            db::users::find_user(&mut conn, id).await?
        }
        Err(_) => None,
    };
    let valid = user.filter(|u| {
        u.session_epoch == epoch
            && now - auth_at < SIGNED_IN_MAX.whole_seconds()
            && (u.role != Role::Admin || now - seen_at < ADMIN_IDLE.whole_seconds())
    });
    match valid {
        Some(user) => {
            if now - seen_at >= SEEN_GRANULARITY {
                session.insert(SEEN_AT, now).await.map_err(store_error)?;
            }
            Ok(Some(user))
        }
        None => {
            sign_out(session).await?;
            Ok(None)
        }
    }
}

/// Marks the session signed in as `user`, under a new id and a new CSRF
/// token (no fixation: nothing an attacker saw before sign-in still works).
pub async fn sign_in(session: &Session, user: &User) -> anyhow::Result<()> {
    session.cycle_id().await.map_err(store_error)?;
    session.set_expiry(Some(Expiry::OnInactivity(VISITOR_IDLE)));
    let now = db::now();
    session
        .insert(USER_ID, user.id.get())
        .await
        .map_err(store_error)?;
    session
        .insert(EPOCH, user.session_epoch)
        .await
        .map_err(store_error)?;
    session.insert(AUTH_AT, now).await.map_err(store_error)?;
    session.insert(SEEN_AT, now).await.map_err(store_error)?;
    session
        .insert(CSRF, csrf::new_token())
        .await
        .map_err(store_error)?;
    session
        .insert(MFA, user.totp_enabled)
        .await
        .map_err(store_error)?;
    session.remove_value(CART_ID).await.map_err(store_error)?;
    Ok(())
}

/// Follows the account's new session epoch (after a password change) and
/// rotates the id, keeping this session signed in.
pub async fn renew(session: &Session, epoch: i64) -> anyhow::Result<()> {
    session.cycle_id().await.map_err(store_error)?;
    session.insert(EPOCH, epoch).await.map_err(store_error)?;
    session
        .insert(CSRF, csrf::new_token())
        .await
        .map_err(store_error)?;
    Ok(())
}

/// Ends the session: the server-side record is deleted and the cookie
/// cleared; the next request starts a fresh visitor session.
pub async fn sign_out(session: &Session) -> anyhow::Result<()> {
    session.flush().await.map_err(store_error)
}

const TOTP_PENDING: &str = "totp_pending";

/// A TOTP secret shown for enrolment but not yet confirmed (sealed).
pub async fn pending_totp(session: &Session) -> anyhow::Result<Option<String>> {
    session
        .get::<String>(TOTP_PENDING)
        .await
        .map_err(store_error)
}

pub async fn set_pending_totp(session: &Session, sealed_b64: Option<&str>) -> anyhow::Result<()> {
    match sealed_b64 {
        Some(value) => session
            .insert(TOTP_PENDING, value)
            .await
            .map_err(store_error),
        None => session
            .remove_value(TOTP_PENDING)
            .await
            .map(|_| ())
            .map_err(store_error),
    }
}

/// After enrolling, this session has proved the second factor.
pub async fn mark_second_factor(session: &Session) -> anyhow::Result<()> {
    session.cycle_id().await.map_err(store_error)?;
    session.insert(MFA, true).await.map_err(store_error)
}

/// Whether this session's sign-in passed a second factor.
pub async fn passed_second_factor(session: &Session) -> anyhow::Result<bool> {
    Ok(session
        .get::<bool>(MFA)
        .await
        .map_err(store_error)?
        .unwrap_or(false))
}

pub async fn visitor_cart(session: &Session) -> anyhow::Result<Option<CartId>> {
    Ok(session
        .get::<i64>(CART_ID)
        .await
        .map_err(store_error)?
        .and_then(|id| CartId::try_from(id).ok()))
}

pub async fn set_visitor_cart(session: &Session, cart: Option<CartId>) -> anyhow::Result<()> {
    session.set_expiry(Some(Expiry::OnInactivity(VISITOR_IDLE)));
    match cart {
        Some(id) => session.insert(CART_ID, id.get()).await.map_err(store_error),
        None => session
            .remove_value(CART_ID)
            .await
            .map(|_| ())
            .map_err(store_error),
    }
}

/// A one-time message for the next page.
pub async fn set_flash(session: &Session, message: &str) -> anyhow::Result<()> {
    session.insert(FLASH, message).await.map_err(store_error)
}

/// Takes the one-time message, if any (only then is the session written).
pub async fn take_flash(session: &Session) -> anyhow::Result<Option<String>> {
    if session
        .get::<String>(FLASH)
        .await
        .map_err(store_error)?
        .is_none()
    {
        return Ok(None);
    }
    session.remove::<String>(FLASH).await.map_err(store_error)
}
