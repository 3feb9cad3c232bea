//! Accounts: lookups by id and email, creation, profile and password
//! updates. Emails are stored normalised, so uniqueness ignores case.

use super::categories::decode;
use super::{Connection, DbError, inserted_id, is_unique_violation, now};
use crate::domain::account::{Email, Profile};
use crate::domain::{Role, UserId};

/// An account as the shop sees it; the password hash never leaves `auth`.
#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub phone: String,
    pub address_line1: String,
    pub address_line2: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
    pub totp_enabled: bool,
    pub session_epoch: i64,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    email: String,
    name: String,
    role: String,
    phone: String,
    address_line1: String,
    address_line2: String,
    city: String,
    postal_code: String,
    country: String,
    totp_enabled_at: Option<i64>,
    session_epoch: i64,
    password_hash: String,
}

impl UserRow {
    fn split(self) -> Result<(User, String), DbError> {
        let user = User {
            id: UserId::try_from(self.id).map_err(|e| decode("users.id", e))?,
            email: self.email,
            name: self.name,
            role: Role::parse(&self.role).map_err(|e| decode("users.role", e))?,
            phone: self.phone,
            address_line1: self.address_line1,
            address_line2: self.address_line2,
            city: self.city,
            postal_code: self.postal_code,
            country: self.country,
            totp_enabled: self.totp_enabled_at.is_some(),
            session_epoch: self.session_epoch,
        };
        Ok((user, self.password_hash))
    }
}

/// The columns every query of this table reads; a macro so that each query
/// stays one `const` string (no SQL is assembled at run time).
macro_rules! user_columns {
    () => {
        "id, email, name, role, phone, address_line1, address_line2, city, \
postal_code, country, totp_enabled_at, session_epoch, password_hash"
    };
}
const FIND_USER_BY_EMAIL: &str =
    concat!("SELECT ", user_columns!(), "\nFROM users\nWHERE email = ?");
const FIND_USER_BY_ID: &str = concat!("SELECT ", user_columns!(), "\nFROM users\nWHERE id = ?");

/// The account and its password hash, for signing in.
pub async fn find_user_with_hash_by_email(
    conn: &mut Connection,
    email: &Email,
) -> Result<Option<(User, String)>, DbError> {
    sqlx::query_as::<_, UserRow>(FIND_USER_BY_EMAIL)
        .bind(email.as_str())
        .fetch_optional(conn)
        .await?
        .map(UserRow::split)
        .transpose()
}

/// The account and its password hash, for re-checking the password.
pub async fn find_user_with_hash(
    conn: &mut Connection,
    id: UserId,
) -> Result<Option<(User, String)>, DbError> {
    sqlx::query_as::<_, UserRow>(FIND_USER_BY_ID)
        .bind(id.get())
        .fetch_optional(conn)
        .await?
        .map(UserRow::split)
        .transpose()
}

pub async fn find_user(conn: &mut Connection, id: UserId) -> Result<Option<User>, DbError> {
    Ok(find_user_with_hash(conn, id).await?.map(|(user, _)| user))
}

const INSERT_USER: &str = "\
INSERT INTO users (email, name, password_hash, role, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?)";

/// Creates an account; `None` when the email is taken.
pub async fn insert_user(
    conn: &mut Connection,
    email: &Email,
    name: &str,
    password_hash: &str,
    role: Role,
) -> Result<Option<UserId>, DbError> {
    let at = now();
    let result = sqlx::query(INSERT_USER)
        .bind(email.as_str())
        .bind(name)
        .bind(password_hash)
        .bind(role.as_str())
        .bind(at)
        .bind(at)
        .execute(&mut *conn)
        .await;
    let result = match result {
        Ok(result) => result,
        Err(e) if is_unique_violation(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    let id = inserted_id(conn, &result).await?;
    UserId::try_from(id)
        .map(Some)
        .map_err(|e| decode("users.id", e))
}

const UPDATE_PROFILE: &str = "\
UPDATE users
SET email = ?, name = ?, phone = ?, address_line1 = ?, address_line2 = ?, city = ?,
    postal_code = ?, country = ?, updated_at = ?
WHERE id = ?";

/// Saves the user form; false when the new email is another account's.
pub async fn update_profile(
    conn: &mut Connection,
    id: UserId,
    profile: &Profile,
) -> Result<bool, DbError> {
    let result = sqlx::query(UPDATE_PROFILE)
        .bind(profile.email.as_str())
        .bind(profile.name.as_str())
        .bind(profile.phone.as_ref().map_or("", |p| p.as_str()))
        .bind(profile.address_line1.as_ref().map_or("", |a| a.as_str()))
        .bind(profile.address_line2.as_ref().map_or("", |a| a.as_str()))
        .bind(profile.city.as_ref().map_or("", |c| c.as_str()))
        .bind(profile.postal_code.as_ref().map_or("", |p| p.as_str()))
        .bind(profile.country.as_ref().map_or("", |c| c.as_str()))
        .bind(now())
        .bind(id.get())
        .execute(conn)
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

const UPDATE_PASSWORD: &str = "\
UPDATE users
SET password_hash = ?, session_epoch = session_epoch + 1, updated_at = ?
WHERE id = ?";

/// Replaces the password hash and ends every session signed in before.
pub async fn update_password(
    conn: &mut Connection,
    id: UserId,
    password_hash: &str,
) -> Result<(), DbError> {
    sqlx::query(UPDATE_PASSWORD)
        .bind(password_hash)
        .bind(now())
        .bind(id.get())
        .execute(conn)
        .await?;
    Ok(())
}

const UPDATE_ROLE: &str = "\
UPDATE users
SET role = ?, session_epoch = session_epoch + 1, updated_at = ?
WHERE id = ?";

/// Changes the role and ends the account's sessions (they sign in again
/// under the new role).
pub async fn update_role(conn: &mut Connection, id: UserId, role: Role) -> Result<(), DbError> {
    sqlx::query(UPDATE_ROLE)
        .bind(role.as_str())
        .bind(now())
        .bind(id.get())
        .execute(conn)
        .await?;
    Ok(())
}

const SET_TOTP: &str = "\
UPDATE users
SET totp_secret = ?, totp_enabled_at = ?, totp_last_step = ?, updated_at = ?
WHERE id = ?";

/// Stores an (encrypted) TOTP secret and turns two-factor sign-in on;
/// `used_step` is the time step of the code that confirmed it, if one did,
/// so that code cannot sign in afterwards.
pub async fn enable_totp(
    conn: &mut Connection,
    id: UserId,
    sealed_secret: &[u8],
    used_step: Option<i64>,
) -> Result<(), DbError> {
    let at = now();
    sqlx::query(SET_TOTP)
        .bind(sealed_secret.to_vec())
        .bind(at)
        .bind(used_step)
        .bind(at)
        .bind(id.get())
        .execute(conn)
        .await?;
    Ok(())
}

const ACCEPT_TOTP_STEP: &str = "\
UPDATE users
SET totp_last_step = ?
WHERE id = ?
  AND totp_enabled_at IS NOT NULL
  AND (totp_last_step IS NULL OR totp_last_step < ?)";

/// Records that a code of time step `step` was accepted; false when this
/// step or a later one already was (a replayed code). One conditional
/// write, so of two instances racing with the same code only one wins.
pub async fn accept_totp_step(
    conn: &mut Connection,
    id: UserId,
    step: i64,
) -> Result<bool, DbError> {
    let result = sqlx::query(ACCEPT_TOTP_STEP)
        .bind(step)
        .bind(id.get())
        .bind(step)
        .execute(conn)
        .await?;
    Ok(result.rows_affected() == 1)
}

const FIND_TOTP: &str = "\
SELECT totp_secret
FROM users
WHERE id = ?
  AND totp_enabled_at IS NOT NULL";

pub async fn find_totp_secret(
    conn: &mut Connection,
    id: UserId,
) -> Result<Option<Vec<u8>>, DbError> {
    let row: Option<(Option<Vec<u8>>,)> = sqlx::query_as(FIND_TOTP)
        .bind(id.get())
        .fetch_optional(conn)
        .await?;
    Ok(row.and_then(|(s,)| s))
}

const DELETE_RECOVERY: &str = "\
DELETE FROM recovery_codes
WHERE user_id = ?";

const INSERT_RECOVERY: &str = "\
INSERT INTO recovery_codes (user_id, code_hash)
VALUES (?, ?)";

/// Replaces the account's recovery codes.
pub async fn replace_recovery_codes(
    conn: &mut Connection,
    id: UserId,
    hashes: &[String],
) -> Result<(), DbError> {
    sqlx::query(DELETE_RECOVERY)
        .bind(id.get())
        .execute(&mut *conn)
        .await?;
    for hash in hashes {
        sqlx::query(INSERT_RECOVERY)
            .bind(id.get())
            .bind(hash.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

const USE_RECOVERY: &str = "\
UPDATE recovery_codes
SET used_at = ?
WHERE user_id = ?
  AND code_hash = ?
  AND used_at IS NULL";

/// Spends a recovery code; false when it is unknown or already used.
pub async fn use_recovery_code(
    conn: &mut Connection,
    id: UserId,
    hash: &str,
) -> Result<bool, DbError> {
    let result = sqlx::query(USE_RECOVERY)
        .bind(now())
        .bind(id.get())
        .bind(hash)
        .execute(conn)
        .await?;
    Ok(result.rows_affected() == 1)
}

const COUNT_ADMINS: &str = "\
SELECT COUNT(*)
FROM users
WHERE role = 'admin'";

pub async fn count_admins(conn: &mut Connection) -> Result<i64, DbError> {
    let (n,): (i64,) = sqlx::query_as(COUNT_ADMINS).fetch_one(conn).await?;
    Ok(n)
}

const LOCK_ADMINS: &str = "\
UPDATE users
SET role = role
WHERE role = 'admin'";

/// Locks every admin's row until the transaction ends (a write that
/// changes nothing), so role changes that count admins run one at a time.
/// On SQLite the transaction's write lock already does this.
pub async fn lock_admins(conn: &mut Connection) -> Result<(), DbError> {
    sqlx::query(LOCK_ADMINS).execute(conn).await?;
    Ok(())
}

/// An account row for the back office's user list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserListRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub created_at: i64,
}

const LIST_USERS: &str = "\
SELECT id, email, name, role, created_at
FROM users
ORDER BY id
LIMIT ? OFFSET ?";

pub async fn list_users(
    conn: &mut Connection,
    limit: i64,
    offset: i64,
) -> Result<Vec<UserListRow>, DbError> {
    sqlx::query_as::<_, UserListRow>(LIST_USERS)
        .bind(limit)
        .bind(offset)
        .fetch_all(conn)
        .await
}
