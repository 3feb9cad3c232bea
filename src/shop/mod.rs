//! Use cases shared by the HTML pages and the JSON API: the catalogue, the
//! cart, checkout and orders, accounts. Each opens the transactions it
//! needs; handlers only parse and render.
//!
//! May import: domain, db, auth, live, error, uploads.

pub mod accounts;
pub mod admin;
pub mod cart;
pub mod catalogue;
pub mod images;
pub mod orders;

/// The database handle every use case takes; handlers pass `app.db` on
/// and never reach below it.
pub use crate::db::Db;
