//! Back-office records: the audit log (paginated, by action) and the
//! outbox of messages.
//!
//! May import: shop, domain, auth, error, state, web, askama.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::auth::AdminUser;
use crate::domain::PageNumber;
use crate::error::AppError;
use crate::shop::admin::records::{self, AuditRow, OutboxMessage};
use crate::state::AppState;
use crate::web::admin::admin_chrome;
use crate::web::chrome::Chrome;
use crate::web::visitor::Visitor;

#[derive(Template)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    chrome: Chrome,
    rows: Vec<(String, AuditRow)>,
    action: String,
    page: u32,
    prev_href: Option<String>,
    next_href: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    action: Option<String>,
    page: Option<String>,
}

/// GET /admin/audit — the audit log, newest first; `action`, `page`.
pub async fn show_audit(
    State(app): State<AppState>,
    AdminUser(_admin): AdminUser,
    visitor: Visitor,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(q) =
        query.map_err(|_| AppError::BadRequest("The address of this page is not valid."))?;
    let action = q
        .action
        .unwrap_or_default()
        .trim()
        .chars()
        .take(64)
        .collect::<String>();
    let page = match q.page.as_deref() {
        None | Some("") => PageNumber::FIRST,
        Some(text) => PageNumber::parse(text).map_err(|_| AppError::NotFound)?,
    };
    let filter = (!action.is_empty()).then_some(action.as_str());
    let found = records::audit_page(&app.db, filter, page).await?;
    let href = |n: u32| {
        let mut qs = url::form_urlencoded::Serializer::new(String::new());
        if !action.is_empty() {
            qs.append_pair("action", &action);
        }
        qs.append_pair("page", &n.to_string());
        format!("/admin/audit?{}", qs.finish())
    };
    let current = page.get();
    let page = AuditPage {
        chrome: admin_chrome(&app, &visitor).await?,
        rows: found
            .rows
            .into_iter()
            .map(|r| (crate::web::orders::date_of(r.at), r))
            .collect(),
        prev_href: (current > 1).then(|| href(current - 1)),
        next_href: found.more.then(|| href(current + 1)),
        action,
        page: current,
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "admin/outbox.html")]
pub struct OutboxPage {
    chrome: Chrome,
    messages: Vec<OutboxMessage>,
}

/// GET /admin/outbox — messages the shop has queued (order confirmations).
pub async fn show_outbox(
    State(app): State<AppState>,
    AdminUser(_admin): AdminUser,
    visitor: Visitor,
) -> Result<Response, AppError> {
    let messages = records::list_outbox(&app.db).await?;
    let page = OutboxPage {
        chrome: admin_chrome(&app, &visitor).await?,
        messages,
    };
    Ok(Html(page.render()?).into_response())
}
