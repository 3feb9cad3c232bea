//! Accounts: registration, sign-in (throttled, no enumeration), the user
//! form and password changes, each written to the audit log.

use crate::auth::totp::{self, SecretBox};
use crate::auth::{password, throttle};
use crate::db::audit::AuditEntry;
use crate::db::users::User;
use crate::db::{self, Db};
use crate::domain::account::{Email, FieldErrors, NewPassword, PersonName, Profile};
use crate::domain::{Role, UserId};
use crate::error::AppError;

/// Writes one audit row; a failure to audit fails the request.
pub async fn audit(
    db: &Db,
    actor: Option<UserId>,
    action: &str,
    outcome: &str,
    client_ip: &str,
    detail: &str,
) -> Result<(), AppError> {
    let mut conn = db.conn().await?;
    db::audit::insert_audit(
        &mut conn,
        &AuditEntry {
            actor,
            action,
            target: &actor.map(|id| format!("user:{id}")).unwrap_or_default(),
            client_ip,
            outcome,
            detail,
        },
    )
    .await?;
    Ok(())
}

/// A checked registration form.
pub struct Registration {
    pub email: Email,
    pub name: PersonName,
    pub password: NewPassword,
}

impl Registration {
    pub fn parse(email: &str, name: &str, password: &str) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let email = errors.check("email", Email::parse(email));
        let name = errors.check("name", PersonName::parse(name));
        let password = errors.check(
            "password",
            NewPassword::parse(
                password,
                email.as_ref(),
                name.as_ref().map(PersonName::as_str),
            ),
        );
        match (email, name, password) {
            (Some(email), Some(name), Some(password)) if errors.is_empty() => Ok(Self {
                email,
                name,
                password,
            }),
            _ => Err(errors),
        }
    }
}

/// Creates the account. An email that is taken is not an error: the caller
/// answers the same either way, so registration reveals no accounts; the
/// password is hashed in both cases so the timing matches too.
pub async fn register(db: &Db, form: Registration, client_ip: &str) -> Result<(), AppError> {
    let hash = password::hash(form.password.expose().to_owned()).await?;
    let mut conn = db.conn().await?;
    let created = match db::users::insert_user(
        &mut conn,
        &form.email,
        form.name.as_str(),
        &hash,
        Role::Customer,
    )
    .await
    {
        Ok(id) => Some(id),
        Err(e) if db::is_unique_violation(&e) => None,
        Err(e) => return Err(e.into()),
    };
    drop(conn);
    match created {
        Some(id) => audit(db, Some(id), "account.register", "success", client_ip, "").await,
        None => {
            audit(
                db,
                None,
                "account.register",
                "duplicate",
                client_ip,
                "email already registered",
            )
            .await
        }
    }
}

pub enum LogIn {
    SignedIn(Box<User>),
    /// Unknown email or wrong password: one answer for both.
    Invalid,
    Throttled {
        retry_after: i64,
    },
}

/// Checks an email, password and (for accounts with two-factor sign-in) a
/// TOTP or recovery code, within the throttling limits.
pub async fn log_in(
    db: &Db,
    secrets: &SecretBox,
    raw_email: &str,
    candidate: &str,
    code: &str,
    client_ip: &str,
) -> Result<LogIn, AppError> {
    let email = Email::parse(raw_email).ok();
    let keys = throttle::Keys::new(email.as_ref(), raw_email, client_ip);
    let mut conn = db.conn().await?;
    if let Some(retry_after) = throttle::retry_after(&mut conn, &keys).await? {
        drop(conn);
        audit(db, None, "login.throttled", "refused", client_ip, "").await?;
        return Ok(LogIn::Throttled { retry_after });
    }
    let found = match &email {
        Some(email) => db::users::find_user_with_hash_by_email(&mut conn, email).await?,
        None => None,
    };
    drop(conn);
    // Bounded before hashing: argon2 over megabytes would be a free DoS.
    let candidate = candidate
        .chars()
        .take(NewPassword::MAX_CHARS + 1)
        .collect::<String>();
    let verified = match found {
        Some((user, hash)) => password::verify(candidate, hash).await?.then_some(user),
        None => {
            password::verify_dummy(candidate).await?;
            None
        }
    };
    let verified = match verified {
        Some(user) if user.totp_enabled => second_factor_ok(db, secrets, &user, code)
            .await?
            .then_some(user),
        other => other,
    };
    let mut conn = db.conn().await?;
    match verified {
        Some(user) => {
            throttle::record_success(&mut conn, &keys).await?;
            drop(conn);
            audit(db, Some(user.id), "login", "success", client_ip, "").await?;
            Ok(LogIn::SignedIn(Box::new(user)))
        }
        None => {
            throttle::record_failure(&mut conn, &keys).await?;
            drop(conn);
            audit(db, None, "login", "failure", client_ip, "").await?;
            Ok(LogIn::Invalid)
        }
    }
}

/// A current TOTP code, or one unused recovery code (spent by this).
async fn second_factor_ok(
    db: &Db,
    secrets: &SecretBox,
    user: &User,
    code: &str,
) -> Result<bool, AppError> {
    let code = code.trim();
    if code.is_empty() || code.len() > 32 {
        return Ok(false);
    }
    let mut conn = db.conn().await?;
    let Some(sealed) = db::users::find_totp_secret(&mut conn, user.id).await? else {
        return Ok(false);
    };
    let secret = secrets.open(&sealed)?;
    if totp::check_code(&secret, &user.email, code) {
        return Ok(true);
    }
    Ok(db::users::use_recovery_code(&mut conn, user.id, &totp::hash_recovery_code(code)).await?)
}

/// Turns on two-factor sign-in for an account with a new secret and new
/// recovery codes; returns the enrolment URI and the codes, shown once.
pub async fn enrol_totp(
    db: &Db,
    secrets: &SecretBox,
    user: &User,
) -> Result<(String, Vec<String>), AppError> {
    let secret = totp::new_secret();
    let uri = totp::enrolment_uri(&secret, &user.email)?;
    let sealed = secrets.seal(&secret)?;
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| totp::hash_recovery_code(c)).collect();
    let mut tx = db.begin().await?;
    db::users::enable_totp(&mut tx, user.id, &sealed).await?;
    db::users::replace_recovery_codes(&mut tx, user.id, &hashes).await?;
    tx.commit().await?;
    Ok((uri, codes))
}

/// Turns on two-factor sign-in with a secret the user has confirmed with a
/// code from their app; returns the recovery codes, shown once.
pub async fn confirm_totp(
    db: &Db,
    secrets: &SecretBox,
    user: &User,
    secret: &[u8],
    code: &str,
    client_ip: &str,
) -> Result<Option<Vec<String>>, AppError> {
    if !totp::check_code(secret, &user.email, code) {
        audit(
            db,
            Some(user.id),
            "account.totp_enable",
            "failure",
            client_ip,
            "wrong code",
        )
        .await?;
        return Ok(None);
    }
    let sealed = secrets.seal(secret)?;
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| totp::hash_recovery_code(c)).collect();
    let mut tx = db.begin().await?;
    db::users::enable_totp(&mut tx, user.id, &sealed).await?;
    db::users::replace_recovery_codes(&mut tx, user.id, &hashes).await?;
    tx.commit().await?;
    audit(
        db,
        Some(user.id),
        "account.totp_enable",
        "success",
        client_ip,
        "",
    )
    .await?;
    Ok(Some(codes))
}

/// `webstore admin create`: creates the account or promotes it, sets the
/// password and enrols two-factor sign-in.
pub async fn create_admin(
    db: &Db,
    secrets: &SecretBox,
    email: &Email,
    password: &NewPassword,
) -> Result<(String, Vec<String>), AppError> {
    let hash = password::hash(password.expose().to_owned()).await?;
    let mut conn = db.conn().await?;
    let user = match db::users::find_user_with_hash_by_email(&mut conn, email).await? {
        Some((user, _)) => {
            db::users::update_password(&mut conn, user.id, &hash).await?;
            db::users::update_role(&mut conn, user.id, Role::Admin).await?;
            user.id
        }
        None => {
            let name = email.local_part().to_owned();
            db::users::insert_user(&mut conn, email, &name, &hash, Role::Admin).await?
        }
    };
    let user = db::users::find_user(&mut conn, user)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("admin vanished")))?;
    drop(conn);
    let enrolled = enrol_totp(db, secrets, &user).await?;
    audit(db, Some(user.id), "admin.create", "success", "cli", "").await?;
    Ok(enrolled)
}

/// Re-checks the signed-in user's current password.
async fn current_password_ok(db: &Db, user: &User, candidate: &str) -> Result<bool, AppError> {
    let mut conn = db.conn().await?;
    let Some((_, hash)) = db::users::find_user_with_hash(&mut conn, user.id).await? else {
        return Ok(false);
    };
    drop(conn);
    let candidate = candidate
        .chars()
        .take(NewPassword::MAX_CHARS + 1)
        .collect::<String>();
    Ok(password::verify(candidate, hash).await?)
}

/// Saves the user form. Changing the email needs the current password.
pub async fn update_profile(
    db: &Db,
    user: &User,
    profile: &Profile,
    current_password: &str,
    client_ip: &str,
) -> Result<Result<(), FieldErrors>, AppError> {
    let email_changes = profile.email.as_str() != user.email;
    if email_changes && !current_password_ok(db, user, current_password).await? {
        let mut errors = FieldErrors::new();
        errors.add(
            "current_password",
            "Enter your current password to change your email address.",
        );
        audit(
            db,
            Some(user.id),
            "account.email_change",
            "failure",
            client_ip,
            "wrong current password",
        )
        .await?;
        return Ok(Err(errors));
    }
    let mut conn = db.conn().await?;
    match db::users::update_profile(&mut conn, user.id, profile).await {
        Ok(()) => {}
        Err(e) if db::is_unique_violation(&e) => {
            let mut errors = FieldErrors::new();
            errors.add(
                "email",
                "This email address cannot be used. Please choose another.",
            );
            return Ok(Err(errors));
        }
        Err(e) => return Err(e.into()),
    }
    drop(conn);
    if email_changes {
        audit(
            db,
            Some(user.id),
            "account.email_change",
            "success",
            client_ip,
            "",
        )
        .await?;
    }
    audit(
        db,
        Some(user.id),
        "account.update",
        "success",
        client_ip,
        "",
    )
    .await?;
    Ok(Ok(()))
}

/// Replaces the password after checking the current one; returns the
/// account's new session epoch (every other session is thereby ended).
pub async fn change_password(
    db: &Db,
    user: &User,
    current: &str,
    new: &str,
    client_ip: &str,
) -> Result<Result<i64, FieldErrors>, AppError> {
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
        audit(
            db,
            Some(user.id),
            "account.password_change",
            "failure",
            client_ip,
            "wrong current password",
        )
        .await?;
    }
    let Some(new) = new.filter(|_| errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let hash = password::hash(new.expose().to_owned()).await?;
    let mut conn = db.conn().await?;
    db::users::update_password(&mut conn, user.id, &hash).await?;
    let epoch = db::users::find_user(&mut conn, user.id)
        .await?
        .map_or(user.session_epoch + 1, |u| u.session_epoch);
    drop(conn);
    audit(
        db,
        Some(user.id),
        "account.password_change",
        "success",
        client_ip,
        "",
    )
    .await?;
    Ok(Ok(epoch))
}
