//! Live updates: `GET /ws` (Origin and session checked, see [`socket`])
//! and the [`Hub`] that fans stock and cart events out to open pages, in
//! this process or, with Redis, across instances.
//!
//! Its route takes the parts of the app state it needs (`FromRef`), so
//! `state`, which holds the hub, sits above this module.
//!
//! May import: domain, auth, db (the handle `auth::session` reads with),
//! error, http (the Origin and browser secret checks), redis (the hub's
//! connection).

pub mod hub;
pub mod socket;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;

pub use hub::{CartOwner, Event, Hub};

use crate::auth::store::AppSessionStore;
use crate::db::Db;

/// What the socket route takes from the app state.
#[derive(Clone)]
pub struct LiveState {
    pub db: Db,
    pub hub: Hub,
    pub sessions: AppSessionStore,
}

/// The live-update route, for any state that hands out a [`LiveState`].
pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    LiveState: FromRef<S>,
{
    Router::new().route("/ws", get(socket::open_socket))
}
