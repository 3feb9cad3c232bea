//! Two-factor sign-in for an account: `GET/POST /account/two-factor`. The
//! QR code is drawn by the shop (a PNG data URI): the secret never leaves
//! for a third-party service. Admins need this before the back office
//! opens.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::shop::accounts::{self, Enrolment, User};
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

async fn page(
    app: &AppState,
    visitor: &Visitor,
    user: &User,
    error: Option<String>,
    recovery_codes: Vec<String>,
) -> Result<Response, AppError> {
    let chrome = Chrome::for_visitor(&app.db, visitor).await?;
    let enabled = user.totp_enabled || !recovery_codes.is_empty();
    let Enrolment { qr, secret_text } = if enabled {
        Enrolment::default()
    } else {
        accounts::enrolment(&app.secrets, &visitor.session, user).await?
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
    let confirmed = accounts::confirm_totp(
        &app.db,
        &app.secrets,
        &visitor.session,
        &user,
        &form.code,
        &ip,
    )
    .await?;
    match confirmed {
        Some(codes) => page(&app, &visitor, &user, None, codes).await,
        None => {
            let error = Some(
                "That code is not right. Check the time on your phone and try again.".to_owned(),
            );
            page(&app, &visitor, &user, error, Vec::new()).await
        }
    }
}
