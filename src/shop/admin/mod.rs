//! The back office's use cases: products and their stock, orders, roles,
//! and the records (audit log, outbox) an admin reads. Every change writes
//! its audit row in the transaction that makes it, so the log never shows
//! a change that did not happen nor misses one that did.
//!
//! May import: domain, db (the modules below also live and error).

pub mod orders;
pub mod products;
pub mod records;
pub mod users;

use crate::db::audit::AuditEntry;
use crate::db::{self, Connection, DbError};
use crate::domain::UserId;

/// Who made a change and from where, for its audit row.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub user: UserId,
    pub client_ip: &'a str,
}

/// The audit row of a successful change, written on `conn` (the change's
/// own transaction).
pub(crate) async fn audit(
    conn: &mut Connection,
    actor: Actor<'_>,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), DbError> {
    db::audit::insert_audit(
        conn,
        &AuditEntry {
            actor: Some(actor.user),
            action,
            target,
            client_ip: actor.client_ip,
            outcome: "success",
            detail,
        },
    )
    .await
}
