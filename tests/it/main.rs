//! The integration suite: one binary, one file per area. Database tests run
//! on SQLite and, when a server is there (or required), on MariaDB.

mod helpers;

mod accounts;
mod admin;
mod api;
mod browser;
mod cart;
mod catalogue;
mod catalogue_cache;
mod checkout;
mod cli;
mod layout;
mod live;
mod ops;
mod rate;
mod security;
mod sessions;
mod transport;
