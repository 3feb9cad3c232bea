//! Pure values and rules of the shop: each type has one fallible constructor
//! that checks its invariant, so a value that exists is valid. Nothing here
//! knows about HTTP, SQL or templates.
//!
//! May import: std, serde, thiserror (and zxcvbn for the password policy).

/// `as_str` and `Display` for a checked text value, `struct Name(String)`.
macro_rules! text_value {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

pub mod account;
pub mod cart;
pub mod catalogue;
pub mod countries;
pub mod ids;
pub mod money;
pub mod order;
pub mod role;

pub use cart::{CartTotals, LineChange, Quantity};
pub use catalogue::{CatalogueFilter, CategorySlug, PageNumber, SearchQuery, Stock};
pub use ids::{CartId, OrderId, ProductId, UserId};
pub use money::{Currency, Money, PriceCents};
pub use order::{IdempotencyKey, OrderStatus};
pub use role::Role;
