//! Back-office products: the full list, one product for its form, and the
//! writes (create, edit, soft-delete, stock). Each write is one transaction
//! with its audit row; a new stock level goes out to open pages after the
//! commit.
//!
//! May import: domain, db, live, error.

use super::{Actor, audit};
use crate::db::products::{NewProduct, ProductFilter, ProductUpdate};
use crate::db::{self, Connection, Db, DbError, Transaction};
use crate::domain::account::FieldErrors;
use crate::domain::catalogue::PAGE_SIZE;
use crate::domain::ids::CategoryId;
use crate::domain::{CategorySlug, Money, PageNumber, ProductId, SearchQuery, Stock};
use crate::error::AppError;
use crate::live::Hub;

pub use crate::db::products::{ProductCard, ProductDetail};

/// The most listing pages the back office reads at once.
const MAX_PAGES: u32 = 50;

/// A checked product form. The SKU is set once, when the product is made.
#[derive(Debug, Clone)]
pub struct ProductInput {
    pub sku: String,
    pub name: String,
    pub description: String,
    pub price: Money,
    pub stock: Stock,
    pub category: Option<CategorySlug>,
}

/// What the product form offers besides the product itself.
#[derive(Debug, Default)]
pub struct FormChoices {
    /// Every category as (slug, name).
    pub categories: Vec<(String, String)>,
    /// Stored names of the product's thumbnails, in gallery order.
    pub thumb_names: Vec<String>,
}

/// Every product (deleted ones aside) matching `search`, catalogue order.
#[tracing::instrument(skip_all)]
pub async fn list_products(
    db: &Db,
    search: Option<&SearchQuery>,
) -> Result<Vec<ProductCard>, AppError> {
    let mut conn = db.conn().await?;
    let filter = ProductFilter {
        search,
        category: None,
    };
    let total = db::products::count_products(&mut conn, &filter).await?;
    let mut products = Vec::new();
    for n in 1..=PageNumber::count_for(total, PAGE_SIZE).min(MAX_PAGES) {
        let page = PageNumber::parse(&n.to_string()).map_err(|_| AppError::NotFound)?;
        products.extend(db::products::list_products(&mut conn, &filter, page).await?);
    }
    Ok(products)
}

/// The product, unless it does not exist or was deleted.
#[tracing::instrument(skip_all, fields(product.id = %id))]
pub async fn find_product(db: &Db, id: ProductId) -> Result<Option<ProductDetail>, AppError> {
    let mut conn = db.conn().await?;
    Ok(db::products::find_product(&mut conn, id).await?)
}

/// The categories to choose from and, for a stored product, its pictures.
#[tracing::instrument(skip_all)]
pub async fn form_choices(db: &Db, id: Option<ProductId>) -> Result<FormChoices, AppError> {
    let mut conn = db.conn().await?;
    let categories = db::categories::list_categories(&mut conn)
        .await?
        .into_iter()
        .map(|c| (c.slug.as_str().to_owned(), c.name))
        .collect();
    let thumb_names = match id {
        Some(id) => db::images::list_product_images(&mut conn, id)
            .await?
            .into_iter()
            .map(|i| i.thumb_name)
            .collect(),
        None => Vec::new(),
    };
    Ok(FormChoices {
        categories,
        thumb_names,
    })
}

/// Makes a product; refused with field errors for an unknown category or
/// an SKU another product has.
#[tracing::instrument(skip_all)]
pub async fn create_product(
    db: &Db,
    actor: Actor<'_>,
    input: &ProductInput,
) -> Result<Result<ProductId, FieldErrors>, AppError> {
    let mut tx = db.begin().await?;
    db::catalogue_cache::lock_catalogue(&mut tx).await?;
    let category = match category_id(&mut tx, input.category.as_ref()).await? {
        Ok(category) => category,
        Err(errors) => return Ok(Err(errors)),
    };
    let new = NewProduct {
        sku: &input.sku,
        category,
        name: &input.name,
        description: &input.description,
        price: input.price,
        stock: input.stock,
    };
    let id = match db::products::insert_product(&mut tx, &new).await {
        Ok(id) => id,
        Err(e) if db::is_unique_violation(&e) => {
            return Ok(Err(one_error(
                "sku",
                "Another product has this article number.",
            )));
        }
        Err(e) => return Err(e.into()),
    };
    commit_audited(db, tx, true, actor, "admin.product.create", id, "").await?;
    Ok(Ok(id))
}

/// Saves the product form (all but the SKU); `NotFound` for a product
/// that does not exist or was deleted.
#[tracing::instrument(skip_all, fields(product.id = %id))]
pub async fn update_product(
    db: &Db,
    live: &Hub,
    actor: Actor<'_>,
    id: ProductId,
    input: &ProductInput,
) -> Result<Result<(), FieldErrors>, AppError> {
    let mut tx = db.begin().await?;
    db::catalogue_cache::lock_catalogue(&mut tx).await?;
    let category = match category_id(&mut tx, input.category.as_ref()).await? {
        Ok(category) => category,
        Err(errors) => return Ok(Err(errors)),
    };
    let update = ProductUpdate {
        category,
        name: &input.name,
        description: &input.description,
        price: input.price,
        stock: input.stock,
    };
    let changed = db::products::update_product(&mut tx, id, &update).await?;
    let detail = format!(
        "price={} stock={}",
        input.price.amount.get(),
        input.stock.get()
    );
    commit_audited(db, tx, changed, actor, "admin.product.update", id, &detail).await?;
    live.stock_changed(id, input.stock);
    Ok(Ok(()))
}

/// Hides the product from the shop; orders keep their lines.
#[tracing::instrument(skip_all, fields(product.id = %id))]
pub async fn delete_product(db: &Db, actor: Actor<'_>, id: ProductId) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    db::catalogue_cache::lock_catalogue(&mut tx).await?;
    let changed = db::products::soft_delete_product(&mut tx, id).await?;
    commit_audited(db, tx, changed, actor, "admin.product.delete", id, "").await
}

/// Sets the units on hand.
#[tracing::instrument(skip_all, fields(product.id = %id))]
pub async fn set_stock(
    db: &Db,
    live: &Hub,
    actor: Actor<'_>,
    id: ProductId,
    stock: Stock,
) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    db::catalogue_cache::lock_catalogue(&mut tx).await?;
    let changed = db::products::set_stock(&mut tx, id, stock).await?;
    let detail = format!("stock={}", stock.get());
    commit_audited(db, tx, changed, actor, "admin.product.stock", id, &detail).await?;
    live.stock_changed(id, stock);
    Ok(())
}

/// The audit target naming product `id`.
pub(crate) fn target(id: ProductId) -> String {
    format!("product:{id}")
}

/// Writes the audit row of a change to product `id` and commits; when
/// nothing `changed` (no such product), rolls back with `NotFound`.
async fn commit_audited(
    db: &Db,
    mut tx: Transaction,
    changed: bool,
    actor: Actor<'_>,
    action: &str,
    id: ProductId,
    detail: &str,
) -> Result<(), AppError> {
    if !changed {
        return Err(AppError::NotFound);
    }
    audit(&mut tx, actor, action, &target(id), detail).await?;
    db::catalogue_cache::commit_catalogue_change(db, tx).await?;
    Ok(())
}

/// The category named by `slug`, or the form's error when there is none.
async fn category_id(
    conn: &mut Connection,
    slug: Option<&CategorySlug>,
) -> Result<Result<Option<CategoryId>, FieldErrors>, DbError> {
    let Some(slug) = slug else {
        return Ok(Ok(None));
    };
    Ok(
        match db::categories::find_category_by_slug(conn, slug).await? {
            Some(category) => Ok(Some(category.id)),
            None => Err(one_error("category", "Choose a category.")),
        },
    )
}

fn one_error(field: &'static str, message: &str) -> FieldErrors {
    let mut errors = FieldErrors::new();
    errors.add(field, message);
    errors
}
