//! Live updates: `GET /ws` (Origin and session checked, see [`socket`])
//! and the [`Hub`] that fans stock and cart events out to open pages, in
//! this process or, with Redis, across instances.
//!
//! May import: domain, auth, shop (which cart a visitor has), http (the
//! shop's origin), state, redis (the hub's connection).

pub mod hub;
pub mod socket;

use axum::Router;
use axum::routing::get;

pub use hub::{CartOwner, Event, Hub};

use crate::state::AppState;

/// The live-update route.
pub fn router() -> Router<AppState> {
    Router::new().route("/ws", get(socket::open_socket))
}
