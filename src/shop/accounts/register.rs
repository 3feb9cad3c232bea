//! Registration: a checked form becomes an account, without telling
//! anyone whether the email was taken.
//!
//! May import: domain, db, auth, error.

use super::Audit;
use crate::auth::password;
use crate::db::{self, Db};
use crate::domain::Role;
use crate::domain::account::{Email, FieldErrors, NewPassword, PersonName};
use crate::error::AppError;

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
#[tracing::instrument(skip_all)]
pub async fn register(db: &Db, form: Registration, client_ip: &str) -> Result<(), AppError> {
    let hash = password::hash(form.password.expose().to_owned()).await?;
    // Hashed once; a lost conflict reruns only the transaction.
    db.retry_conflicts(|| insert_account(db, &form, &hash, client_ip))
        .await
}

async fn insert_account(
    db: &Db,
    form: &Registration,
    hash: &str,
    client_ip: &str,
) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    match db::users::insert_user(
        &mut tx,
        &form.email,
        form.name.as_str(),
        hash,
        Role::Customer,
    )
    .await?
    {
        Some(id) => {
            Audit::new(Some(id), client_ip)
                .write(&mut tx, "account.register", "success", "")
                .await?
        }
        None => {
            Audit::new(None, client_ip)
                .write(
                    &mut tx,
                    "account.register",
                    "duplicate",
                    "email already registered",
                )
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
