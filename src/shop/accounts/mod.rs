//! Accounts: registration, signing in and out, the user form, password
//! changes and two-factor sign-in. Each use case writes its audit row in
//! the same transaction as the change it records.
//!
//! May import: domain, db, auth, live, shop::cart, error.

mod profile;
mod register;
mod sign_in;
mod two_factor;

pub use profile::{change_password, update_profile};
pub use register::{Registration, register};
pub use sign_in::{Credentials, LogIn, log_out, sign_in};
pub use two_factor::{Enrolment, confirm_totp, create_admin, enrolment};

/// The account as pages and the API see it (the password hash stays in
/// `db`): re-exported so that handlers need nothing from `db`.
pub use crate::db::users::User;

use crate::auth::password;
use crate::db::audit::AuditEntry;
use crate::db::{self, Connection, Db, DbError};
use crate::domain::UserId;
use crate::domain::account::NewPassword;
use crate::error::AppError;

/// Audit rows about one account (none for a failed sign-in, whose
/// account is not to be named) from one client address.
#[derive(Clone, Copy)]
struct Audit<'a> {
    actor: Option<UserId>,
    client_ip: &'a str,
}

impl<'a> Audit<'a> {
    fn new(actor: Option<UserId>, client_ip: &'a str) -> Self {
        Self { actor, client_ip }
    }

    /// Writes one row on `conn`: inside the transaction of the change it
    /// records, where there is one.
    async fn write(
        self,
        conn: &mut Connection,
        action: &str,
        outcome: &str,
        detail: &str,
    ) -> Result<(), DbError> {
        let target = self
            .actor
            .map(|id| format!("user:{id}"))
            .unwrap_or_default();
        let entry = AuditEntry {
            actor: self.actor,
            action,
            target: &target,
            client_ip: self.client_ip,
            outcome,
            detail,
        };
        db::audit::insert_audit(conn, &entry).await
    }
}

/// A password as given, cut just past the longest a password may be:
/// argon2 over megabytes would be a free DoS.
fn bounded(candidate: &str) -> String {
    candidate.chars().take(NewPassword::MAX_CHARS + 1).collect()
}

/// Re-checks the signed-in user's current password.
async fn current_password_ok(db: &Db, user: &User, candidate: &str) -> Result<bool, AppError> {
    let mut conn = db.conn().await?;
    let Some((_, hash)) = db::users::find_user_with_hash(&mut conn, user.id).await? else {
        return Ok(false);
    };
    drop(conn);
    Ok(password::verify(bounded(candidate), hash).await?)
}
