//! `Visitor`: the session and, if signed in, the account behind a request;
//! `ClientIp` (from `http::client_addr`), for throttling and the audit log.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tower_sessions::Session;

use crate::auth::extract::session_of;
use crate::auth::totp::SecretBox;
use crate::auth::{MaybeUser, session};
use crate::error::AppError;
use crate::http::csrf::{BrowserSecret, form_token};
use crate::shop::accounts::User;
use crate::shop::cart::Owner;
use crate::state::AppState;

pub use crate::http::client_addr::ClientIp;

pub struct Visitor {
    pub session: Session,
    pub user: Option<User>,
    browser: Option<BrowserSecret>,
    secrets: Arc<SecretBox>,
}

impl Visitor {
    /// Whose cart this request works on.
    pub fn owner(&self) -> Owner<'_> {
        match &self.user {
            Some(user) => Owner::Account(user),
            None => Owner::Visitor(&self.session),
        }
    }

    /// The token every form of this visitor carries.
    pub async fn csrf_token(&self) -> Result<String, AppError> {
        Ok(form_token(&self.session, self.browser.as_ref(), &self.secrets).await?)
    }

    /// The browser secret this visitor's browser sent, which binds its
    /// pages' live updates.
    pub fn browser_secret(&self) -> Option<&str> {
        self.browser.as_ref().and_then(BrowserSecret::sent)
    }

    pub async fn take_flash(&self) -> Result<Option<String>, AppError> {
        Ok(session::take_flash(&self.session).await?)
    }

    pub async fn flash(&self, message: &str) -> Result<(), AppError> {
        Ok(session::set_flash(&self.session, message).await?)
    }
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let MaybeUser(user) = MaybeUser::from_request_parts(parts, state).await?;
        let session = session_of(parts, state).await?;
        let browser = parts.extensions.get::<BrowserSecret>().cloned();
        Ok(Self {
            session,
            user,
            browser,
            secrets: state.secrets.clone(),
        })
    }
}
