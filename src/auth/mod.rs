//! Authentication: server-side sessions, CSRF tokens, password hashing,
//! sign-in throttling and the extractors handlers use (`CurrentUser`,
//! `MaybeUser`).
//!
//! May import: domain, db, error (the extractors' rejections).

pub mod csrf;
pub mod extract;
pub mod password;
pub mod session;
pub mod store;
pub mod throttle;
pub mod totp;

pub use extract::{AdminUser, CurrentUser, MaybeUser};
