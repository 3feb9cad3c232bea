//! The catalogue as shoppers see it: the listing behind `GET /` and `GET
//! /api/v1/products` (one filter, numbered or keyset pages), one product
//! with its pictures, and what every page's frame shows (categories, the
//! cart badge).
//!
//! May import: domain, db, error, shop (the cart badge), uploads (where a
//! stored picture is served).

use std::sync::Arc;

use crate::db::Db;
use crate::db::catalogue_cache as cached;
pub use crate::db::categories::Category;
use crate::db::products::ProductFilter;
pub use crate::db::products::{ProductCard, ProductDetail};
use crate::domain::catalogue::PAGE_SIZE;
use crate::domain::{CatalogueFilter, PageNumber, ProductId};
use crate::error::AppError;
use crate::shop::cart::{self, Owner};

/// Which part of a listing is wanted.
#[derive(Clone, Copy, Debug)]
pub enum PageRequest {
    /// A numbered page of [`PAGE_SIZE`] products (the pages).
    Numbered(PageNumber),
    /// Up to `limit` products after a product id (the API's cursor).
    After {
        after: Option<ProductId>,
        limit: u32,
    },
}

/// Where a listing stands among its pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paging {
    Numbered {
        page: u32,
        pages: u32,
        total: i64,
    },
    /// `next`: the last id shown, when more products follow.
    After {
        next: Option<ProductId>,
    },
}

/// A page of the catalogue and the category it is filtered by. The cards
/// are shared with the catalogue cache, not copied per request.
pub struct Listing {
    pub category: Option<Category>,
    cards: Arc<Vec<ProductCard>>,
    shown: usize,
    pub paging: Paging,
}

impl Listing {
    pub fn products(&self) -> &[ProductCard] {
        &self.cards[..self.shown]
    }
}

/// The products a filter matches, one page of them. `None` when the
/// category does not exist or the page lies past the last one: there is
/// no such listing (404).
#[tracing::instrument(skip_all, fields(search = filter.search.is_some()))]
pub async fn browse(
    db: &Db,
    filter: &CatalogueFilter,
    page: PageRequest,
) -> Result<Option<Listing>, AppError> {
    let category = match &filter.category {
        None => None,
        Some(slug) => match cached::categories(db)
            .await?
            .iter()
            .find(|c| &c.slug == slug)
        {
            Some(found) => Some(found.clone()),
            None => return Ok(None),
        },
    };
    let products = ProductFilter {
        search: filter.search.as_ref(),
        category: category.as_ref().map(|c| c.id),
    };
    let (cards, shown, paging) = match page {
        PageRequest::Numbered(page) => {
            let total = cached::count_products(db, &products).await?;
            let pages = PageNumber::count_for(total, PAGE_SIZE);
            if page.get() > pages {
                return Ok(None);
            }
            let cards = cached::list_products(db, &products, page).await?;
            let paging = Paging::Numbered {
                page: page.get(),
                pages,
                total,
            };
            let shown = cards.len();
            (cards, shown, paging)
        }
        PageRequest::After { after, limit } => {
            // One more than asked tells whether another page follows.
            let wanted = i64::from(limit) + 1;
            let cards = cached::list_products_after(db, &products, after, wanted).await?;
            let shown = cards.len().min(limit as usize);
            let more = cards.len() > shown;
            let next = cards[..shown].last().filter(|_| more).map(|c| c.id);
            (cards, shown, Paging::After { next })
        }
    };
    Ok(Some(Listing {
        category,
        cards,
        shown,
        paging,
    }))
}

/// A picture of a product, at the address it is served from.
pub struct Picture {
    pub url: String,
    pub thumb_url: String,
    pub width: i64,
    pub height: i64,
    /// The picture's own text, else the product's name.
    pub alt: String,
}

pub struct ProductView {
    pub product: ProductDetail,
    pub pictures: Vec<Picture>,
}

/// One product with its pictures; `None` when it does not exist or was
/// deleted.
#[tracing::instrument(skip_all, fields(product.id = %id))]
pub async fn product(db: &Db, id: ProductId) -> Result<Option<ProductView>, AppError> {
    let Some(rows) = cached::find_product(db, id).await? else {
        return Ok(None);
    };
    let product = rows.product.clone();
    let pictures = rows
        .images
        .iter()
        .map(|image| Picture {
            url: crate::uploads::url(&image.full_name),
            thumb_url: crate::uploads::url(&image.thumb_name),
            width: image.width,
            height: image.height,
            alt: if image.alt.is_empty() {
                product.name.clone()
            } else {
                image.alt.clone()
            },
        })
        .collect();
    Ok(Some(ProductView { product, pictures }))
}

/// What every page's frame shows from the database.
pub struct Frame {
    /// Shared with the catalogue cache.
    pub categories: Arc<Vec<Category>>,
    /// Units in the visitor's cart, for the badge: read per request, never
    /// kept with the catalogue.
    pub cart_count: i64,
}

pub async fn frame(db: &Db, owner: &Owner<'_>) -> Result<Frame, AppError> {
    Ok(Frame {
        categories: cached::categories(db).await?,
        cart_count: cart::badge(db, owner).await?,
    })
}
