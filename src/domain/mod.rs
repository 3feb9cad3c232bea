//! Pure values and rules of the shop: each type has one fallible constructor
//! that checks its invariant, so a value that exists is valid. Nothing here
//! knows about HTTP, SQL or templates.
//!
//! May import: std, serde, thiserror.

pub mod catalogue;
pub mod ids;
pub mod money;

pub use catalogue::{CategorySlug, PageNumber, SearchQuery, Stock};
pub use ids::ProductId;
pub use money::{Currency, Money, PriceCents};
