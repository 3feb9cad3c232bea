//! webstore: a secure, self-hostable online shop in one binary.
//!
//! `main.rs` only parses the command line and calls [`cli::run`]; everything
//! else lives in the modules below.
#![forbid(unsafe_code)]

/// The JSON API under /api/v1 and its OpenAPI document.
pub mod api;
/// Sessions, CSRF, passwords, throttling, user extractors.
pub mod auth;
/// Audits the running configuration (`webstore check`).
pub mod check;
/// The command line: serve, migrate, seed-demo, check.
pub mod cli;
/// `Settings`: defaults < webstore.toml < `WEBSTORE_*` env < flags.
pub mod config;
/// All SQL: the `Db` handle, connect, migrate, one file per table group.
pub mod db;
/// Pure values and rules: ids, money, search terms, pagination.
pub mod domain;
/// `AppError` and its HTML rendering.
pub mod error;
/// The frame every page is drawn in, and the embedded assets it links.
pub mod frame;
/// Tower layers: security headers, request ids, limits, error logging.
pub mod http;
/// Live updates: `GET /ws` and the hub that pushes stock and cart changes.
pub mod live;
/// Health, readiness and Prometheus metrics.
pub mod ops;
/// Connecting to Redis, shared by sessions, rate limits and live updates.
pub mod redis;
/// The demo catalogue a fresh shop is seeded with.
pub mod seed;
/// Use cases shared by pages and API: cart, accounts.
pub mod shop;
/// Builds the app from `Settings`, binds the listeners, runs until stopped.
pub mod startup;
/// `AppState` shared by every handler.
pub mod state;
/// Logging setup (`--log-format pretty|json`).
pub mod telemetry;
/// TLS: the self-signed certificate, rustls config, connection limits.
pub mod tls;
/// Uploaded images: sniffed, bounded, decoded and re-encoded.
pub mod uploads;
/// HTML pages: handlers, forms and templates.
pub mod web;
