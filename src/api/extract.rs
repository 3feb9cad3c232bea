//! The API's extractors: who is asking and which id the path names. They
//! reject as the API does, with problem+json, so a handler that takes
//! `ApiUser` cannot run for a visitor and never sees a malformed id.
//!
//! May import: api, auth, error, http (the browser secret, path ids), shop, state.

use std::str::FromStr;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tower_sessions::Session;

use crate::api::problem::ApiError;
use crate::auth::MaybeUser;
use crate::auth::extract::session_of;
use crate::error::AppError;
use crate::http::csrf::BrowserSecret;
use crate::http::path::parse_id;
use crate::shop::accounts::User;
use crate::shop::cart::{Owner, Shopper};
use crate::state::AppState;

/// A signed-in account; anyone else gets the 401 problem.
pub struct ApiUser(pub User);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match MaybeUser::from_request_parts(parts, state).await?.0 {
            Some(user) => Ok(Self(user)),
            None => Err(ApiError::unauthenticated()),
        }
    }
}

/// The caller, signed in or not: the session, its account if any, and the
/// browser secret it sent (which binds its pages' live updates).
pub struct ApiVisitor {
    pub user: Option<User>,
    pub session: Session,
    browser: Option<BrowserSecret>,
}

impl ApiVisitor {
    /// Whose cart this request works on.
    pub fn owner(&self) -> Owner<'_> {
        owner(self.user.as_ref(), &self.session)
    }

    /// The cart's owner and the browser to spare its own live update.
    pub fn shopper(&self) -> Shopper<'_> {
        Shopper {
            owner: self.owner(),
            browser: self.browser.as_ref().and_then(BrowserSecret::sent),
        }
    }
}

/// The account's cart once signed in, else the session's.
pub fn owner<'a>(user: Option<&'a User>, session: &'a Session) -> Owner<'a> {
    match user {
        Some(user) => Owner::Account(user),
        None => Owner::Visitor(session),
    }
}

impl FromRequestParts<AppState> for ApiVisitor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let MaybeUser(user) = MaybeUser::from_request_parts(parts, state).await?;
        let session = session_of(parts, state).await?;
        Ok(Self {
            user,
            session,
            browser: parts.extensions.get::<BrowserSecret>().cloned(),
        })
    }
}

/// A path id parsed into its domain type; anything else names nothing:
/// the 404 problem, never a 400 or 500.
pub struct PathId<T>(pub T);

impl<T: FromStr + Send> FromRequestParts<AppState> for PathId<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let id = parse_id(parts, state).await.ok_or(AppError::NotFound)?;
        Ok(Self(id))
    }
}
