//! What every page's frame shows: shop name, categories, search box, the
//! visitor's cart badge and sign-in state, and the asset URLs.
//!
//! May import: domain, error, shop, web (assets, visitor).

use crate::domain::CategorySlug;
use crate::error::AppError;
use crate::shop::{self, Db};
use crate::web::assets;
use crate::web::visitor::Visitor;

pub const SHOP_NAME: &str = "Webstore";

pub struct NavCategory {
    pub slug: String,
    pub name: String,
    pub active: bool,
}

pub struct Chrome {
    pub shop_name: &'static str,
    pub categories: Vec<NavCategory>,
    /// No category chosen: the "All products" link is current.
    pub on_all: bool,
    /// The search box's text, shown back (escaped by the template).
    pub q: String,
    pub cart_count: u32,
    pub user_name: Option<String>,
    pub css_url: &'static str,
    pub js_url: &'static str,
    pub icon_url: &'static str,
}

impl Chrome {
    /// The frame without anything from the database: error pages use it, so
    /// they render even when the database is down.
    pub fn bare() -> Self {
        Self {
            shop_name: SHOP_NAME,
            categories: Vec::new(),
            on_all: false,
            q: String::new(),
            cart_count: 0,
            user_name: None,
            css_url: assets::url("css/shop.css"),
            js_url: assets::url("js/shop.js"),
            icon_url: assets::url("img/icon.svg"),
        }
    }

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
            .iter()
            .map(|c| NavCategory {
                active: active == Some(&c.slug),
                slug: c.slug.as_str().to_owned(),
                name: c.name.clone(),
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
