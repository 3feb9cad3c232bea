//! `GET /api/v1/session` and the JSON twins of the sign-up, sign-in and
//! sign-out forms, with the same rules (shop::accounts, auth::session).
//!
//! May import: api, auth (the session's CSRF token), error, http (the client
//! address), shop, state, utoipa.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use utoipa::ToSchema;

use crate::api::extract::{ApiVisitor, owner};
use crate::api::problem::{ApiError, ApiJson};
use crate::api::responses::{CsrfHeader, Forbidden, InvalidCredentials, JsonBody, TooManyRequests};
use crate::auth::session;
use crate::error::AppError;
use crate::http::client_addr::ClientIp;
use crate::shop::accounts::{self, Credentials, LogIn, Registration, User};
use crate::shop::cart;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    /// Send as `X-CSRF-Token` with every state-changing request.
    pub csrf_token: String,
    pub user: Option<SessionUser>,
    pub cart_count: i64,
}

async fn session_info(
    app: &AppState,
    user: Option<&User>,
    session: &Session,
) -> Result<SessionInfo, ApiError> {
    Ok(SessionInfo {
        csrf_token: session::csrf_token(session).await?,
        user: user.map(|u| SessionUser {
            id: u.id.get(),
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role.as_str().to_owned(),
        }),
        cart_count: cart::units(&app.db, &owner(user, session)).await?,
    })
}

/// GET /api/v1/session — the CSRF token, the signed-in user and the cart count.
#[utoipa::path(get, path = "/api/v1/session", operation_id = "show_session", tag = "auth",
    responses((status = 200, description = "The caller's session", body = SessionInfo), TooManyRequests))]
pub async fn show_session(
    State(app): State<AppState>,
    visitor: ApiVisitor,
) -> Result<Json<SessionInfo>, ApiError> {
    let info = session_info(&app, visitor.user.as_ref(), &visitor.session).await?;
    Ok(Json(info))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub email: String,
    pub password: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    pub status: String,
}

/// POST /api/v1/auth/register — 202 whether the email was new or taken
/// (no enumeration); sign in next.
#[utoipa::path(post, path = "/api/v1/auth/register", operation_id = "register", tag = "auth",
    request_body = RegisterRequest,
    params(CsrfHeader),
    responses((status = 202, description = "Accepted", body = Accepted),
        JsonBody, Forbidden, TooManyRequests))]
pub async fn register(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<RegisterRequest>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let registration = Registration::parse(&body.email, &body.name, &body.password)
        .map_err(|e| ApiError::invalid(&e))?;
    accounts::register(&app.db, registration, &ip).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            status: "accepted".into(),
        }),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// Required for accounts with two-factor sign-in.
    #[serde(default)]
    pub totp: Option<String>,
}

/// POST /api/v1/auth/login — signs in (a new session id and CSRF token);
/// one answer (401) for every wrong combination, 429 when throttled.
#[utoipa::path(post, path = "/api/v1/auth/login", operation_id = "log_in", tag = "auth",
    request_body = LoginRequest,
    params(CsrfHeader),
    responses((status = 200, description = "Signed in", body = SessionInfo),
        InvalidCredentials, JsonBody, Forbidden, TooManyRequests))]
pub async fn log_in(
    State(app): State<AppState>,
    session: Session,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let code = body.totp.as_deref().unwrap_or_default();
    let credentials = Credentials::new(&body.email, &body.password, code);
    let (db, secrets, live) = (&app.db, &app.secrets, &app.live);
    match accounts::sign_in(db, secrets, live, &session, &credentials, &ip).await? {
        LogIn::SignedIn(user) => {
            let info = session_info(&app, Some(&user), &session).await?;
            Ok(Json(info).into_response())
        }
        LogIn::Invalid => Err(ApiError::Problem {
            status: StatusCode::UNAUTHORIZED,
            kind: "/problems/invalid-credentials",
            title: "Invalid email or password",
            detail: None,
            errors: Vec::new(),
        }),
        // The problem carries `Retry-After`.
        LogIn::Throttled { retry_after } => {
            Err(ApiError::App(AppError::TooManyRequests { retry_after }))
        }
    }
}

/// POST /api/v1/auth/logout — ends the session server-side.
#[utoipa::path(post, path = "/api/v1/auth/logout", operation_id = "log_out", tag = "auth",
    params(CsrfHeader),
    responses((status = 204, description = "Signed out"), Forbidden, TooManyRequests))]
pub async fn log_out(
    State(app): State<AppState>,
    visitor: ApiVisitor,
    ClientIp(ip): ClientIp,
) -> Result<StatusCode, ApiError> {
    let user = visitor.user.as_ref();
    accounts::log_out(&app.db, &visitor.session, user, &ip).await?;
    Ok(StatusCode::NO_CONTENT)
}
