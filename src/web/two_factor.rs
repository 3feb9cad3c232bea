//! Two-factor sign-in for an account: `GET/POST /account/two-factor`. The
//! QR code is drawn by the shop (a PNG data URI): the secret never leaves
//! for a third-party service. Admins need this before the back office
//! opens.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use serde::Deserialize;

use crate::auth::{CurrentUser, session, totp};
use crate::error::AppError;
use crate::shop::accounts;
use crate::state::AppState;
use crate::web::chrome::Chrome;
use crate::web::form::form_status;
use crate::web::visitor::{ClientIp, Visitor};

#[derive(Template)]
#[template(path = "two_factor.html")]
pub struct TwoFactorPage {
    chrome: Chrome,
    csrf_token: String,
    enabled: bool,
    qr: String,
    secret_text: String,
    recovery_codes: Vec<String>,
    error: Option<String>,
}

async fn pending_secret(app: &AppState, visitor: &Visitor) -> Result<Vec<u8>, AppError> {
    if let Some(sealed) = session::pending_totp(&visitor.session).await? {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .map_err(|e| AppError::Internal(e.into()))?;
        if let Ok(secret) = app.secrets.open(&bytes) {
            return Ok(secret);
        }
    }
    let secret = totp::new_secret();
    let sealed = base64::engine::general_purpose::STANDARD.encode(app.secrets.seal(&secret)?);
    session::set_pending_totp(&visitor.session, Some(&sealed)).await?;
    Ok(secret)
}

async fn page(
    app: &AppState,
    visitor: &Visitor,
    user: &crate::db::users::User,
    error: Option<String>,
    recovery_codes: Vec<String>,
) -> Result<Response, AppError> {
    let chrome = Chrome::for_visitor(&app.db, visitor).await?;
    let enabled = user.totp_enabled || !recovery_codes.is_empty();
    let (qr, secret_text) = if enabled {
        (String::new(), String::new())
    } else {
        let secret = pending_secret(app, visitor).await?;
        let uri = totp::enrolment_uri(&secret, &user.email)?;
        let text = uri
            .split("secret=")
            .nth(1)
            .and_then(|s| s.split('&').next())
            .unwrap_or_default()
            .to_owned();
        (totp::qr_data_uri(&uri)?, text)
    };
    let status = form_status(error.is_none());
    let page = TwoFactorPage {
        chrome,
        csrf_token: visitor.csrf_token().await?,
        enabled,
        qr,
        secret_text,
        recovery_codes,
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// GET /account/two-factor — the enrolment QR code, or the status.
pub async fn show_two_factor(
    State(app): State<AppState>,
    CurrentUser(user): CurrentUser,
    visitor: Visitor,
) -> Result<Response, AppError> {
    page(&app, &visitor, &user, None, Vec::new()).await
}

#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    code: String,
}

/// POST /account/two-factor — `code` from the authenticator app turns
/// two-factor sign-in on and shows the recovery codes once.
pub async fn enable_two_factor(
    State(app): State<AppState>,
    CurrentUser(user): CurrentUser,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    if user.totp_enabled {
        return page(&app, &visitor, &user, None, Vec::new()).await;
    }
    let secret = pending_secret(&app, &visitor).await?;
    match accounts::confirm_totp(&app.db, &app.secrets, &user, &secret, &form.code, &ip).await? {
        Some(codes) => {
            session::set_pending_totp(&visitor.session, None).await?;
            session::mark_second_factor(&visitor.session).await?;
            page(&app, &visitor, &user, None, codes).await
        }
        None => {
            let error = Some(
                "That code is not right. Check the time on your phone and try again.".to_owned(),
            );
            page(&app, &visitor, &user, error, Vec::new()).await
        }
    }
}
