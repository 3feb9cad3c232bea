//! `AppState`: what every handler may reach. Cheap to clone (handles and
//! `Arc`s only); no globals.
//!
//! May import: db, config.

use std::sync::Arc;

use crate::config::{PublicOrigin, Settings};
use crate::db::Db;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    /// The origin shoppers use; never derived from a request's headers.
    pub origin: PublicOrigin,
}
