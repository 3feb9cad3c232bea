//! The audit log: who did what, when, from where, with which outcome.
//! Never a password, token or session id.

use super::{Connection, DbError, now};
use crate::domain::UserId;

/// One audit row.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    pub actor: Option<UserId>,
    pub action: &'a str,
    pub target: &'a str,
    pub client_ip: &'a str,
    pub outcome: &'a str,
    pub detail: &'a str,
}

const INSERT_AUDIT: &str = "\
INSERT INTO audit_log (at, actor_user_id, action, target, client_ip, outcome, detail)
VALUES (?, ?, ?, ?, ?, ?, ?)";

pub async fn insert_audit(conn: &mut Connection, entry: &AuditEntry<'_>) -> Result<(), DbError> {
    sqlx::query(INSERT_AUDIT)
        .bind(now())
        .bind(entry.actor.map(UserId::get))
        .bind(truncate(entry.action, 64))
        .bind(truncate(entry.target, 128))
        .bind(truncate(entry.client_ip, 45))
        .bind(truncate(entry.outcome, 16))
        .bind(truncate(entry.detail, 2000))
        .execute(conn)
        .await?;
    Ok(())
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// A row as the audit page shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor_user_id: Option<i64>,
    pub action: String,
    pub target: String,
    pub client_ip: String,
    pub outcome: String,
    pub detail: String,
}

const LIST_AUDIT_FOR_ACTOR: &str = "\
SELECT id, at, actor_user_id, action, target, client_ip, outcome, detail
FROM audit_log
WHERE actor_user_id = ?
ORDER BY id DESC
LIMIT ?";

pub async fn list_audit_for_actor(
    conn: &mut Connection,
    actor: UserId,
    limit: i64,
) -> Result<Vec<AuditRow>, DbError> {
    sqlx::query_as::<_, AuditRow>(LIST_AUDIT_FOR_ACTOR)
        .bind(actor.get())
        .bind(limit)
        .fetch_all(conn)
        .await
}

const LIST_AUDIT_BY_ACTION: &str = "\
SELECT id, at, actor_user_id, action, target, client_ip, outcome, detail
FROM audit_log
WHERE action = ?
ORDER BY id DESC
LIMIT ?";

pub async fn list_audit_by_action(
    conn: &mut Connection,
    action: &str,
    limit: i64,
) -> Result<Vec<AuditRow>, DbError> {
    sqlx::query_as::<_, AuditRow>(LIST_AUDIT_BY_ACTION)
        .bind(action)
        .bind(limit)
        .fetch_all(conn)
        .await
}

const LIST_AUDIT: &str = "\
SELECT id, at, actor_user_id, action, target, client_ip, outcome, detail
FROM audit_log
ORDER BY id DESC
LIMIT ? OFFSET ?";

const LIST_AUDIT_FILTERED: &str = "\
SELECT id, at, actor_user_id, action, target, client_ip, outcome, detail
FROM audit_log
WHERE action = ?
ORDER BY id DESC
LIMIT ? OFFSET ?";

/// A page of the log, newest first, optionally one action only.
pub async fn list_audit(
    conn: &mut Connection,
    action: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<AuditRow>, DbError> {
    match action {
        Some(action) => {
            sqlx::query_as::<_, AuditRow>(LIST_AUDIT_FILTERED)
                .bind(action)
                .bind(limit)
                .bind(offset)
                .fetch_all(conn)
                .await
        }
        None => {
            sqlx::query_as::<_, AuditRow>(LIST_AUDIT)
                .bind(limit)
                .bind(offset)
                .fetch_all(conn)
                .await
        }
    }
}
