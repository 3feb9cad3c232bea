//! The frame every page is drawn in: shop name, categories, search box, the
//! visitor's cart badge and sign-in state, and the asset URLs. It sits below
//! both `web` and `error`, so the error page is drawn without the pages'
//! handlers and without the database; `web::chrome` fills the frame in.
//!
//! May import: nothing of the crate.

pub mod assets;

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
}
