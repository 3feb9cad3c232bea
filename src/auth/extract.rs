//! Who is asking, as extractor types: a handler that takes `CurrentUser`
//! cannot run for a visitor, so sign-in cannot be forgotten.

use axum::extract::{FromRef, FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use tower_sessions::Session;

use crate::auth::session;
use crate::db::Db;
use crate::db::users::User;
use crate::domain::Role;
use crate::error::AppError;

/// The signed-in account, if any.
pub struct MaybeUser(pub Option<User>);

/// A signed-in account; visitors are sent to sign in (pages) or get 401 (API).
pub struct CurrentUser(pub User);

/// An admin signed in with a second factor. Everyone else — visitors,
/// customers, admins without two-factor sign-in — gets a 404: the back
/// office's existence is not revealed.
pub struct AdminUser(pub User);

/// The request's session; its absence is a wiring bug, so a 500.
pub async fn session_of<S: Send + Sync>(parts: &mut Parts, state: &S) -> Result<Session, AppError> {
    Session::from_request_parts(parts, state)
        .await
        .map_err(|(_, why)| AppError::Internal(anyhow::anyhow!("session layer missing: {why}")))
}

impl<S> FromRequestParts<S> for MaybeUser
where
    S: Send + Sync,
    Db: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        if let Some(cached) = parts.extensions.get::<CachedUser>() {
            return Ok(Self(cached.0.clone()));
        }
        let session = session_of(parts, state).await?;
        let user = session::signed_in_user(&session, &Db::from_ref(state)).await?;
        parts.extensions.insert(CachedUser(user.clone()));
        Ok(Self(user))
    }
}

/// One lookup per request, however many extractors ask.
#[derive(Clone)]
struct CachedUser(Option<User>);

impl<S> FromRequestParts<S> for CurrentUser
where
    S: Send + Sync,
    Db: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match MaybeUser::from_request_parts(parts, state).await?.0 {
            Some(user) => Ok(Self(user)),
            None => {
                let uri = parts
                    .extensions
                    .get::<OriginalUri>()
                    .map_or_else(|| parts.uri.clone(), |o| o.0.clone());
                let next = uri
                    .path_and_query()
                    .map_or("/", |pq| pq.as_str())
                    .to_owned();
                Err(AppError::Unauthenticated { next })
            }
        }
    }
}

impl<S> FromRequestParts<S> for AdminUser
where
    S: Send + Sync,
    Db: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Some(user) = MaybeUser::from_request_parts(parts, state).await?.0 else {
            return Err(AppError::NotFound);
        };
        if user.role != Role::Admin || !user.totp_enabled {
            return Err(AppError::NotFound);
        }
        let session = session_of(parts, state).await?;
        if !session::passed_second_factor(&session).await? {
            return Err(AppError::NotFound);
        }
        Ok(Self(user))
    }
}
