//! `AppState`: what every handler may reach. Cheap to clone (handles and
//! `Arc`s only); no globals.
//!
//! May import: db, auth, live, config, http (the rate limiters).

use std::sync::Arc;

use axum::extract::FromRef;

use crate::auth::store::AppSessionStore;
use crate::auth::totp::SecretBox;
use crate::config::{PublicOrigin, Settings};
use crate::db::Db;
use crate::http::rate::RateLimits;
use crate::live::{Hub, LiveState};

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    /// The origin shoppers use; never derived from a request's headers.
    pub origin: PublicOrigin,
    /// Where sessions live: the database, or Redis when configured.
    pub sessions: AppSessionStore,
    /// Encrypts stored secrets (TOTP).
    pub secrets: Arc<SecretBox>,
    /// Pushes stock and cart changes to open pages (`GET /ws`).
    pub live: Hub,
    /// Per-address rate limits for sign-in and the API.
    pub rate: RateLimits,
}

impl FromRef<AppState> for Db {
    fn from_ref(app: &AppState) -> Db {
        app.db.clone()
    }
}

impl FromRef<AppState> for LiveState {
    fn from_ref(app: &AppState) -> LiveState {
        LiveState {
            db: app.db.clone(),
            hub: app.live.clone(),
            sessions: app.sessions.clone(),
        }
    }
}
