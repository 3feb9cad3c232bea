//! Fills in the frame every page is drawn in (`frame::Chrome`): category
//! navigation, the visitor's cart badge and sign-in state.
//!
//! May import: domain, error, frame, shop, web (visitor).

use crate::domain::CategorySlug;
use crate::error::AppError;
use crate::shop::{self, Db};
use crate::web::visitor::Visitor;

pub use crate::frame::{Chrome, NavCategory};

// The frame's type lives in `frame`, below the error page; filling it from
// the database goes through `shop`, which only pages may call.
impl Chrome {
    /// The full frame for a page that needs nothing else from the database.
    pub async fn for_visitor(db: &Db, visitor: &Visitor) -> Result<Self, AppError> {
        Self::load(db, visitor, None, "").await
    }

    /// The full frame: category navigation, cart badge, account link.
    pub async fn load(
        db: &Db,
        visitor: &Visitor,
        active: Option<&CategorySlug>,
        q: &str,
    ) -> Result<Self, AppError> {
        let frame = shop::catalogue::frame(db, &visitor.owner()).await?;
        let categories = frame
            .categories
            .into_iter()
            .map(|c| NavCategory {
                active: active == Some(&c.slug),
                slug: c.slug.as_str().to_owned(),
                name: c.name,
            })
            .collect();
        Ok(Self {
            categories,
            on_all: active.is_none() && q.is_empty(),
            q: q.to_owned(),
            cart_count: u32::try_from(frame.cart_count).unwrap_or(u32::MAX),
            user_name: visitor.user.as_ref().map(|u| u.name.clone()),
            ..Self::bare()
        })
    }
}
