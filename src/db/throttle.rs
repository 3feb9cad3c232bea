//! Failed sign-in counters per key (an account, a client address) in fixed
//! windows. In the database, so every instance sees the same counts.

use super::{Connection, DbError};

const FIND: &str = "\
SELECT window_start, failures
FROM login_throttle
WHERE throttle_key = ?";

/// Failures counted for `key` in the window that is still open at `now`,
/// with the window's start.
pub async fn failures(
    conn: &mut Connection,
    key: &str,
    now: i64,
    window: i64,
) -> Result<(i64, i64), DbError> {
    let row: Option<(i64, i64)> = sqlx::query_as(FIND).bind(key).fetch_optional(conn).await?;
    Ok(match row {
        Some((start, count)) if start + window > now => (count, start),
        _ => (0, now),
    })
}

const RESET: &str = "\
UPDATE login_throttle
SET window_start = ?, failures = 1
WHERE throttle_key = ?
  AND window_start <= ?";

const BUMP: &str = "\
UPDATE login_throttle
SET failures = failures + 1
WHERE throttle_key = ?";

const INSERT: &str = "\
INSERT INTO login_throttle (throttle_key, window_start, failures)
VALUES (?, ?, 1)";

/// Counts one failure for `key`.
pub async fn record_failure(
    conn: &mut Connection,
    key: &str,
    now: i64,
    window: i64,
) -> Result<(), DbError> {
    // A stale window starts over; a current one counts up; a new key is
    // inserted (and a racing insert falls back to counting up).
    let reset = sqlx::query(RESET)
        .bind(now)
        .bind(key)
        .bind(now - window)
        .execute(&mut *conn)
        .await?;
    if reset.rows_affected() > 0 {
        return Ok(());
    }
    let bumped = sqlx::query(BUMP).bind(key).execute(&mut *conn).await?;
    if bumped.rows_affected() > 0 {
        return Ok(());
    }
    match sqlx::query(INSERT)
        .bind(key)
        .bind(now)
        .execute(&mut *conn)
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if super::is_unique_violation(&e) => {
            sqlx::query(BUMP).bind(key).execute(conn).await?;
            Ok(())
        }
        Err(e) => Err(e),
    }
}

const CLEAR: &str = "\
DELETE FROM login_throttle
WHERE throttle_key = ?";

/// Forgets the failures of `key` (after a successful sign-in).
pub async fn clear(conn: &mut Connection, key: &str) -> Result<(), DbError> {
    sqlx::query(CLEAR).bind(key).execute(conn).await?;
    Ok(())
}
