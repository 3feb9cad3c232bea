//! `GET /api/v1/products` (search, category, keyset pages behind an opaque
//! cursor) and `GET /api/v1/products/{id}`.
//!
//! May import: api, domain, error, shop, state, uploads (thumbnail addresses), utoipa.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::problem::{ApiError, Problem};
use crate::domain::{CatalogueFilter, ProductId, SearchQuery};
use crate::error::AppError;
use crate::shop::catalogue::{self, PageRequest, Paging};
use crate::state::AppState;
use crate::uploads::url as uploads_url;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductsQuery {
    /// Search words (name and description, case-insensitive).
    q: Option<String>,
    /// A category slug.
    category: Option<String>,
    /// 1–100, default 24.
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductSummary {
    pub id: i64,
    pub name: String,
    pub price_cents: i64,
    pub currency: String,
    pub stock: i64,
    pub thumb_url: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductPage {
    pub items: Vec<ProductSummary>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// The cursor is the last id of a page, sealed with the shop's key: it
/// cannot be forged or altered (that is a 400), and reveals nothing.
fn seal_cursor(app: &AppState, last: ProductId) -> Result<String, ApiError> {
    let sealed = app.secrets.seal(&last.get().to_be_bytes())?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sealed))
}

fn open_cursor(app: &AppState, text: &str) -> Result<ProductId, ApiError> {
    let bad = || ApiError::bad_request("/problems/invalid-cursor", "The cursor is not valid");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim())
        .map_err(|_| bad())?;
    let plain = app.secrets.open(&bytes).map_err(|_| bad())?;
    let raw: [u8; 8] = plain.try_into().map_err(|_| bad())?;
    ProductId::try_from(i64::from_be_bytes(raw)).map_err(|_| bad())
}

/// GET /api/v1/products — `q`, `category`, `limit` (1–100), `cursor`.
#[utoipa::path(
    get,
    path = "/api/v1/products",
    operation_id = "list_products",
    tag = "catalogue",
    params(ProductsQuery),
    responses(
        (status = 200, description = "A page of products", body = ProductPage),
        (status = 400, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown category", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Search too long", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_products(
    State(app): State<AppState>,
    query: Result<Query<ProductsQuery>, QueryRejection>,
) -> Result<Json<ProductPage>, ApiError> {
    let Query(raw) = query.map_err(|_| {
        ApiError::bad_request("/problems/bad-query", "The query string is not valid")
    })?;
    let limit: u32 = match raw.limit.as_deref().map(str::trim) {
        None | Some("") => 24,
        Some(text) => match text.parse::<u32>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                return Err(ApiError::bad_request(
                    "/problems/invalid-limit",
                    "limit must be 1 to 100",
                ));
            }
        },
    };
    let after = raw
        .cursor
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(|c| open_cursor(&app, c))
        .transpose()?;
    let search = SearchQuery::parse(raw.q.as_deref().unwrap_or_default())
        .map_err(|e| ApiError::field("q", e.to_string()))?;
    let category =
        CatalogueFilter::parse_category(raw.category.as_deref()).map_err(|_| AppError::NotFound)?;
    let filter = CatalogueFilter { search, category };
    let listing = catalogue::browse(&app.db, &filter, PageRequest::After { after, limit })
        .await?
        .ok_or(AppError::NotFound)?;
    let next_cursor = match listing.paging {
        Paging::After { next: Some(last) } => Some(seal_cursor(&app, last)?),
        _ => None,
    };
    Ok(Json(ProductPage {
        items: listing
            .products()
            .iter()
            .map(|c| ProductSummary {
                id: c.id.get(),
                name: c.name.clone(),
                price_cents: c.price.amount.get(),
                currency: c.price.currency.code().to_owned(),
                stock: c.stock.get(),
                thumb_url: c.thumb_name.as_deref().map(uploads_url),
            })
            .collect(),
        next_cursor,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryRef {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImageRef {
    pub url: String,
    pub thumb_url: String,
    pub width: i64,
    pub height: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Product {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub price_cents: i64,
    pub currency: String,
    pub stock: i64,
    pub category: Option<CategoryRef>,
    pub images: Vec<ImageRef>,
}

/// GET /api/v1/products/{id} — one product.
#[utoipa::path(
    get,
    path = "/api/v1/products/{id}",
    operation_id = "show_product",
    tag = "catalogue",
    params(("id" = String, Path, description = "Product id (positive integer)")),
    responses(
        (status = 200, description = "The product", body = Product),
        (status = 404, description = "No such product", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn show_product(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Json<Product>, ApiError> {
    let id: ProductId = raw.parse().map_err(|_| AppError::NotFound)?;
    let catalogue::ProductView { product, pictures } = catalogue::product(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(Product {
        id: product.id.get(),
        sku: product.sku,
        name: product.name,
        description: product.description,
        price_cents: product.price.amount.get(),
        currency: product.price.currency.code().to_owned(),
        stock: product.stock.get(),
        category: product
            .category
            .map(|(slug, name)| CategoryRef { slug, name }),
        images: pictures
            .into_iter()
            .map(|p| ImageRef {
                url: p.url,
                thumb_url: p.thumb_url,
                width: p.width,
                height: p.height,
            })
            .collect(),
    }))
}
