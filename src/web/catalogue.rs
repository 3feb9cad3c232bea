//! The catalogue pages: `GET /` (grid, search, category, pages) and
//! `GET /products/{id}`.
//!
//! May import: domain, error, shop, state, web, askama.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::domain::catalogue::CatalogueError;
use crate::domain::{
    CatalogueFilter, CategorySlug, Money, PageNumber, ProductId, SearchQuery, Stock,
};
use crate::error::AppError;
use crate::shop::catalogue::{self, PageRequest, Paging, Picture, ProductDetail};
use crate::state::AppState;
use crate::web::chrome::Chrome;
use crate::web::extract::PathId;
use crate::web::form::form_status;
use crate::web::uploads_url;
use crate::web::visitor::Visitor;

/// The home page's query string, raw, so bad values can be reported.
#[derive(Debug, Default, Deserialize)]
pub struct HomeQuery {
    q: Option<String>,
    category: Option<String>,
    page: Option<String>,
}

pub struct CardView {
    pub id: ProductId,
    pub name: String,
    pub price: Money,
    pub thumb_url: Option<String>,
    pub sold_out: bool,
    pub low_stock: bool,
}

pub struct PageLink {
    pub number: u32,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    chrome: Chrome,
    heading: String,
    intro: Option<String>,
    search_error: Option<String>,
    products: Vec<CardView>,
    total: i64,
    page: u32,
    pages: u32,
    page_links: Vec<PageLink>,
    prev_href: Option<String>,
    next_href: Option<String>,
}

/// GET / — the product grid; `q` searches name and description, `category`
/// filters by slug, `page` is 1-based with 24 products a page.
pub async fn show_home(
    State(app): State<AppState>,
    visitor: Visitor,
    query: Result<Query<HomeQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(raw) =
        query.map_err(|_| AppError::BadRequest("The address of this page is not valid."))?;
    let raw_q = raw.q.unwrap_or_default();
    let slug =
        CatalogueFilter::parse_category(raw.category.as_deref()).map_err(|_| AppError::NotFound)?;
    let page = match raw.page.as_deref() {
        None | Some("") => PageNumber::FIRST,
        Some(text) => PageNumber::parse(text).map_err(|_| AppError::NotFound)?,
    };
    let mut chrome = Chrome::load(&app.db, &visitor, slug.as_ref(), &raw_q).await?;

    let search = match SearchQuery::parse(&raw_q) {
        Ok(search) => search,
        Err(error @ (CatalogueError::SearchTooLong | CatalogueError::SearchControl)) => {
            // Shown back shortened: the full text may be kilobytes.
            chrome.q = raw_q
                .chars()
                .filter(|c| !c.is_control())
                .take(SearchQuery::MAX_CHARS)
                .collect();
            let page = HomePage {
                chrome,
                heading: "Search".into(),
                intro: None,
                search_error: Some(format!("Sorry: {error}. Please change your search.")),
                products: Vec::new(),
                total: 0,
                page: 1,
                pages: 1,
                page_links: Vec::new(),
                prev_href: None,
                next_href: None,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
        }
        Err(_) => return Err(AppError::BadRequest("The search could not be read.")),
    };

    let filter = CatalogueFilter {
        search,
        category: slug,
    };
    let listing = catalogue::browse(&app.db, &filter, PageRequest::Numbered(page))
        .await?
        .ok_or(AppError::NotFound)?;
    let Paging::Numbered { pages, total, .. } = listing.paging else {
        return Err(AppError::Internal(anyhow::anyhow!("a numbered page")));
    };
    let (search, category) = (&filter.search, &listing.category);
    let heading = match (search, category) {
        (Some(s), Some(c)) => format!("“{}” in {}", s.text(), c.name),
        (Some(s), None) => format!("Results for “{}”", s.text()),
        (None, Some(c)) => c.name.clone(),
        (None, None) => "All products".into(),
    };
    let intro = match (search, category) {
        (None, Some(c)) if !c.description.is_empty() => Some(c.description.clone()),
        (None, None) => Some("Thoughtfully made goods for kitchen, home and the outdoors.".into()),
        _ => None,
    };
    let href = |n: u32| {
        let mut qs = url::form_urlencoded::Serializer::new(String::new());
        if let Some(s) = search {
            qs.append_pair("q", s.text());
        }
        if let Some(c) = category {
            qs.append_pair("category", c.slug.as_str());
        }
        if n > 1 {
            qs.append_pair("page", &n.to_string());
        }
        let qs = qs.finish();
        if qs.is_empty() {
            "/".to_owned()
        } else {
            format!("/?{qs}")
        }
    };
    let current = page.get();
    let page_links = (1..=pages)
        .filter(|&n| n == 1 || n == pages || n.abs_diff(current) <= 2)
        .map(|n| PageLink {
            number: n,
            href: href(n),
            current: n == current,
        })
        .collect();
    let products = listing
        .products()
        .iter()
        .map(|c| CardView {
            id: c.id,
            name: c.name.clone(),
            price: c.price,
            thumb_url: c.thumb_name.as_deref().map(uploads_url),
            sold_out: c.stock.is_sold_out(),
            low_stock: !c.stock.is_sold_out() && c.stock.get() <= Stock::LOW,
        })
        .collect();
    let page = HomePage {
        chrome,
        heading,
        intro,
        search_error: None,
        products,
        total,
        page: current,
        pages,
        page_links,
        prev_href: (current > 1).then(|| href(current - 1)),
        next_href: (current < pages).then(|| href(current + 1)),
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "product.html")]
pub struct ProductPage {
    chrome: Chrome,
    product: ProductDetail,
    paragraphs: Vec<String>,
    images: Vec<Picture>,
    csrf_token: String,
    flash: Option<String>,
    quantity: String,
    error: Option<String>,
}

/// GET /products/{id} — name, price, description, stock, images and the
/// add-to-cart form. Unknown or malformed id → 404 page.
pub async fn show_product(
    State(app): State<AppState>,
    visitor: Visitor,
    PathId(id): PathId<ProductId>,
) -> Result<Response, AppError> {
    product_page(&app, &visitor, id, "1", None).await
}

/// The product page, optionally re-shown with a problem of the add-to-cart
/// form (status 422) and the quantity as typed.
pub async fn product_page(
    app: &AppState,
    visitor: &Visitor,
    id: ProductId,
    quantity: &str,
    error: Option<String>,
) -> Result<Response, AppError> {
    let catalogue::ProductView { product, pictures } = catalogue::product(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let active = product
        .category
        .as_ref()
        .and_then(|(slug, _)| CategorySlug::parse(slug).ok());
    let chrome = Chrome::load(&app.db, visitor, active.as_ref(), "").await?;
    let paragraphs = product
        .description
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    let status = form_status(error.is_none());
    let page = ProductPage {
        chrome,
        product,
        paragraphs,
        images: pictures,
        csrf_token: visitor.csrf_token().await?,
        flash: visitor.take_flash().await?,
        quantity: quantity.chars().take(8).collect(),
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}
