//! Messages waiting to be sent (order confirmations), written in the same
//! transaction as what caused them.

use super::{Connection, DbError, now};

const INSERT: &str = "\
INSERT INTO outbox (kind, recipient, subject, body, created_at)
VALUES (?, ?, ?, ?, ?)";

pub async fn insert_message(
    conn: &mut Connection,
    kind: &str,
    recipient: &str,
    subject: &str,
    body: &str,
) -> Result<(), DbError> {
    sqlx::query(INSERT)
        .bind(kind)
        .bind(recipient)
        .bind(subject)
        .bind(body.chars().take(8000).collect::<String>())
        .bind(now())
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxMessage {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
    pub processed_at: Option<i64>,
}

const LIST: &str = "\
SELECT id, kind, recipient, subject, body, created_at, processed_at
FROM outbox
ORDER BY id DESC
LIMIT ?";

pub async fn list_messages(
    conn: &mut Connection,
    limit: i64,
) -> Result<Vec<OutboxMessage>, DbError> {
    sqlx::query_as::<_, OutboxMessage>(LIST)
        .bind(limit)
        .fetch_all(conn)
        .await
}

const MARK_PROCESSED: &str = "\
UPDATE outbox
SET processed_at = ?
WHERE processed_at IS NULL";

/// Marks every pending message handed over; returns how many.
pub async fn mark_all_processed(conn: &mut Connection) -> Result<u64, DbError> {
    Ok(sqlx::query(MARK_PROCESSED)
        .bind(now())
        .execute(conn)
        .await?
        .rows_affected())
}
