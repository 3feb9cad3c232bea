//! Accounts: lookups by id and email, creation, profile and password
//! updates. Emails are stored normalised, so uniqueness ignores case.

use super::categories::decode;
use super::{Connection, DbError, inserted_id, now};
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

const USER_COLUMNS: &str = "id, email, name, role, phone, address_line1, address_line2, city, \
postal_code, country, totp_enabled_at, session_epoch, password_hash";

/// The account and its password hash, for signing in.
pub async fn find_user_with_hash_by_email(
    conn: &mut Connection,
    email: &Email,
) -> Result<Option<(User, String)>, DbError> {
    let sql = format!("SELECT {USER_COLUMNS}\nFROM users\nWHERE email = ?");
    sqlx::query_as::<_, UserRow>(&sql)
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
    let sql = format!("SELECT {USER_COLUMNS}\nFROM users\nWHERE id = ?");
    sqlx::query_as::<_, UserRow>(&sql)
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

/// Creates an account; a taken email is a unique violation for the caller.
pub async fn insert_user(
    conn: &mut Connection,
    email: &Email,
    name: &str,
    password_hash: &str,
    role: Role,
) -> Result<UserId, DbError> {
    let at = now();
    let result = sqlx::query(INSERT_USER)
        .bind(email.as_str())
        .bind(name)
        .bind(password_hash)
        .bind(role.as_str())
        .bind(at)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    UserId::try_from(inserted_id(conn, &result).await?).map_err(|e| decode("users.id", e))
}

const UPDATE_PROFILE: &str = "\
UPDATE users
SET email = ?, name = ?, phone = ?, address_line1 = ?, address_line2 = ?, city = ?,
    postal_code = ?, country = ?, updated_at = ?
WHERE id = ?";

/// Saves the user form; a taken email is a unique violation for the caller.
pub async fn update_profile(
    conn: &mut Connection,
    id: UserId,
    profile: &Profile,
) -> Result<(), DbError> {
    sqlx::query(UPDATE_PROFILE)
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
        .await?;
    Ok(())
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
