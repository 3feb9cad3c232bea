//! Sign-in throttling: at most 10 failures per account and 50 per client
//! address in 15 minutes; beyond that, sign-in answers 429 with
//! `Retry-After` until the window ends. Counts live in the database so
//! every instance enforces the same limits.

use sha2::{Digest as _, Sha256};

use crate::db::{self, Connection, DbError};
use crate::domain::account::Email;

pub const WINDOW_SECS: i64 = 15 * 60;
pub const MAX_PER_ACCOUNT: i64 = 10;
pub const MAX_PER_ADDRESS: i64 = 50;

/// The counters one sign-in attempt touches.
pub struct Keys {
    account: String,
    address: String,
}

impl Keys {
    /// The account key is a hash: the table holds no email addresses.
    pub fn new(email: Option<&Email>, raw_email: &str, client_ip: &str) -> Self {
        let normalised = email.map_or_else(
            || raw_email.trim().to_lowercase(),
            |e| e.as_str().to_owned(),
        );
        let digest = Sha256::digest(normalised.as_bytes());
        let account = format!("acct:{}", hex(&digest));
        Self {
            account,
            address: format!("ip:{client_ip}"),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Seconds until another attempt is allowed, when one is not allowed now.
pub async fn retry_after(conn: &mut Connection, keys: &Keys) -> Result<Option<i64>, DbError> {
    let now = db::now();
    let (account, account_start) =
        db::throttle::failures(conn, &keys.account, now, WINDOW_SECS).await?;
    let (address, address_start) =
        db::throttle::failures(conn, &keys.address, now, WINDOW_SECS).await?;
    let wait = |start: i64| (start + WINDOW_SECS - now).max(1);
    Ok(if account >= MAX_PER_ACCOUNT {
        Some(wait(account_start))
    } else if address >= MAX_PER_ADDRESS {
        Some(wait(address_start))
    } else {
        None
    })
}

pub async fn record_failure(conn: &mut Connection, keys: &Keys) -> Result<(), DbError> {
    let now = db::now();
    db::throttle::record_failure(conn, &keys.account, now, WINDOW_SECS).await?;
    db::throttle::record_failure(conn, &keys.address, now, WINDOW_SECS).await
}

/// A successful sign-in forgets the account's failures (not the address's).
pub async fn record_success(conn: &mut Connection, keys: &Keys) -> Result<(), DbError> {
    db::throttle::clear(conn, &keys.account).await
}
