//! What the back office reads and never writes: the audit log, a page at a
//! time, and the outbox of queued messages.
//!
//! May import: domain, db, error.

use crate::db::{self, Db};
use crate::domain::PageNumber;
use crate::error::AppError;

pub use crate::db::{audit::AuditRow, outbox::OutboxMessage};

/// Audit rows on one page.
const AUDIT_PAGE_ROWS: usize = 50;

/// The most outbox messages the page shows.
const OUTBOX_LIMIT: i64 = 200;

/// One page of the audit log, newest first.
#[derive(Debug)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    /// Whether an older page follows.
    pub more: bool,
}

/// Page `page` of the log, every action or only `action`.
#[tracing::instrument(skip_all, fields(page = page.get()))]
pub async fn audit_page(
    db: &Db,
    action: Option<&str>,
    page: PageNumber,
) -> Result<AuditPage, AppError> {
    let per_page = AUDIT_PAGE_ROWS as i64;
    let offset = i64::from(page.get() - 1) * per_page;
    let mut conn = db.conn().await?;
    // One row past the page says whether another page follows.
    let mut rows = db::audit::list_audit(&mut conn, action, per_page + 1, offset).await?;
    let more = rows.len() > AUDIT_PAGE_ROWS;
    rows.truncate(AUDIT_PAGE_ROWS);
    Ok(AuditPage { rows, more })
}

/// The newest queued messages (order confirmations).
#[tracing::instrument(skip_all)]
pub async fn list_outbox(db: &Db) -> Result<Vec<OutboxMessage>, AppError> {
    let mut conn = db.conn().await?;
    Ok(db::outbox::list_messages(&mut conn, OUTBOX_LIMIT).await?)
}
