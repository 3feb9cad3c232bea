//! Signing in and out, the same for pages and the API: the checks
//! (throttle, password, second factor) and what a success brings (the
//! visitor's cart joins the account's, open pages learn its count, the
//! session moves to a new id).
//!
//! May import: domain, db, auth, live, shop::cart, error.

use tower_sessions::Session;

use super::{Audit, User, bounded};
use crate::auth::totp::{self, SecretBox};
use crate::auth::{password, session, throttle};
use crate::db::{self, Connection, Db};
use crate::domain::account::Email;
use crate::error::AppError;
use crate::live::Hub;
use crate::shop::cart;

/// One sign-in attempt as a form or a JSON body gives it.
pub struct Credentials<'a> {
    pub email: &'a str,
    pub password: &'a str,
    /// A TOTP or recovery code; empty for accounts without two-factor
    /// sign-in.
    pub code: &'a str,
}

impl<'a> Credentials<'a> {
    pub fn new(email: &'a str, password: &'a str, code: &'a str) -> Self {
        Self {
            email,
            password,
            code,
        }
    }
}

pub enum LogIn {
    SignedIn(Box<User>),
    /// Unknown email, wrong password, wrong or replayed code: one answer
    /// for all.
    Invalid,
    Throttled {
        retry_after: i64,
    },
}

/// Signs the session in when the credentials hold: the visitor's cart is
/// merged into the account's, the new count goes to the account's open
/// pages, and the session gets a new id and CSRF token.
#[tracing::instrument(skip_all, fields(user.id = tracing::field::Empty))]
pub async fn sign_in(
    db: &Db,
    secrets: &SecretBox,
    live: &Hub,
    session: &Session,
    credentials: &Credentials<'_>,
    client_ip: &str,
) -> Result<LogIn, AppError> {
    let outcome = check(db, secrets, credentials, client_ip).await?;
    if let LogIn::SignedIn(user) = &outcome {
        tracing::Span::current().record("user.id", user.id.get());
        cart::merge_visitor_cart(db, session, user).await?;
        cart::publish_cart_count(db, live, &cart::Owner::Account(user), None).await;
        session::sign_in(session, user).await?;
    }
    Ok(outcome)
}

/// Checks an email, password and (for accounts with two-factor sign-in) a
/// TOTP or recovery code, within the throttling limits. The code is spent
/// in the transaction that records the outcome.
async fn check(
    db: &Db,
    secrets: &SecretBox,
    credentials: &Credentials<'_>,
    client_ip: &str,
) -> Result<LogIn, AppError> {
    let email = Email::parse(credentials.email).ok();
    let keys = throttle::Keys::new(email.as_ref(), credentials.email, client_ip);
    let mut conn = db.conn().await?;
    if let Some(retry_after) = throttle::retry_after(&mut conn, &keys).await? {
        Audit::new(None, client_ip)
            .write(&mut conn, "login.throttled", "refused", "")
            .await?;
        return Ok(LogIn::Throttled { retry_after });
    }
    let found = match &email {
        Some(email) => db::users::find_user_with_hash_by_email(&mut conn, email).await?,
        None => None,
    };
    drop(conn);
    let candidate = bounded(credentials.password);
    let verified = match found {
        Some((user, hash)) => password::verify(candidate, hash).await?.then_some(user),
        None => {
            password::verify_dummy(candidate).await?;
            None
        }
    };
    // The password was checked once, above; a lost conflict reruns only
    // the transaction that spends the code and records the outcome.
    db.retry_conflicts(|| {
        record(
            db,
            secrets,
            verified.clone(),
            credentials.code,
            &keys,
            client_ip,
        )
    })
    .await
}

/// Spends the second factor (where the account has one) and records the
/// outcome, in one transaction.
async fn record(
    db: &Db,
    secrets: &SecretBox,
    verified: Option<User>,
    code: &str,
    keys: &throttle::Keys,
    client_ip: &str,
) -> Result<LogIn, AppError> {
    let mut tx = db.begin().await?;
    let signed_in = match verified {
        Some(user) if user.totp_enabled => spend_second_factor(&mut tx, secrets, &user, code)
            .await?
            .then_some(user),
        other => other,
    };
    let outcome = match signed_in {
        Some(user) => {
            throttle::record_success(&mut tx, keys).await?;
            Audit::new(Some(user.id), client_ip)
                .write(&mut tx, "login", "success", "")
                .await?;
            LogIn::SignedIn(Box::new(user))
        }
        None => {
            throttle::record_failure(&mut tx, keys).await?;
            Audit::new(None, client_ip)
                .write(&mut tx, "login", "failure", "")
                .await?;
            LogIn::Invalid
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

/// A TOTP code of a time step later than the last one accepted (which it
/// then becomes), or one unused recovery code (spent by this).
async fn spend_second_factor(
    conn: &mut Connection,
    secrets: &SecretBox,
    user: &User,
    code: &str,
) -> Result<bool, AppError> {
    let code = code.trim();
    if code.is_empty() || code.len() > 32 {
        return Ok(false);
    }
    let Some(sealed) = db::users::find_totp_secret(conn, user.id).await? else {
        return Ok(false);
    };
    let secret = secrets.open(&sealed)?;
    if let Some(step) = totp::matching_step(&secret, &user.email, code) {
        return Ok(db::users::accept_totp_step(conn, user.id, step).await?);
    }
    Ok(db::users::use_recovery_code(conn, user.id, &totp::hash_recovery_code(code)).await?)
}

/// Ends the session server-side (the cookie is cleared too).
#[tracing::instrument(skip_all)]
pub async fn log_out(
    db: &Db,
    session: &Session,
    user: Option<&User>,
    client_ip: &str,
) -> Result<(), AppError> {
    if let Some(user) = user {
        let mut conn = db.conn().await?;
        Audit::new(Some(user.id), client_ip)
            .write(&mut conn, "logout", "success", "")
            .await?;
    }
    session::sign_out(session).await?;
    Ok(())
}
