//! Use cases shared by the HTML pages and the JSON API: the cart, accounts.
//! Each opens the transactions it needs; handlers only parse and render.
//!
//! May import: domain, db, auth, live.

pub mod accounts;
pub mod admin;
pub mod cart;
pub mod images;
pub mod orders;
