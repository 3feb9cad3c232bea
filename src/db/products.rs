//! Products: the catalogue listing, search, one product, inserts.

use sqlx::{Any, QueryBuilder};

use super::categories::decode;
use super::{Connection, DbError, inserted_id, now};
use crate::domain::ids::CategoryId;
use crate::domain::money::Currency;
use crate::domain::{Money, PageNumber, PriceCents, ProductId, SearchQuery, Stock, catalogue};

/// Which products a listing shows.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProductFilter<'a> {
    pub search: Option<&'a SearchQuery>,
    pub category: Option<CategoryId>,
}

/// A product as a catalogue grid shows it.
#[derive(Debug, Clone)]
pub struct ProductCard {
    pub id: ProductId,
    pub name: String,
    pub price: Money,
    pub stock: Stock,
    pub thumb_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ProductCardRow {
    id: i64,
    name: String,
    price_cents: i64,
    currency: String,
    stock: i64,
    thumb_name: Option<String>,
}

impl TryFrom<ProductCardRow> for ProductCard {
    type Error = DbError;
    fn try_from(row: ProductCardRow) -> Result<Self, DbError> {
        Ok(Self {
            id: ProductId::try_from(row.id).map_err(|e| decode("products.id", e))?,
            name: row.name,
            price: money(row.price_cents, &row.currency)?,
            stock: Stock::new(row.stock).map_err(|e| decode("products.stock", e))?,
            thumb_name: row.thumb_name,
        })
    }
}

fn money(cents: i64, currency: &str) -> Result<Money, DbError> {
    Ok(Money::new(
        PriceCents::new(cents).map_err(|e| decode("products.price_cents", e))?,
        Currency::parse(currency).map_err(|e| decode("products.currency", e))?,
    ))
}

/// Escapes LIKE wildcards so a search term matches literally; `!` is the
/// escape character on both backends (a backslash means different things
/// to SQLite and MySQL).
fn like_pattern(term: &str) -> String {
    let mut pattern = String::with_capacity(term.len() + 2);
    pattern.push('%');
    for ch in term.chars() {
        if matches!(ch, '%' | '_' | '!') {
            pattern.push('!');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

fn push_filter(query: &mut QueryBuilder<'_, Any>, filter: &ProductFilter<'_>) {
    query.push("\nWHERE p.deleted_at IS NULL");
    if let Some(category) = filter.category {
        query
            .push("\n  AND p.category_id = ")
            .push_bind(category.get());
    }
    for term in filter.search.map(SearchQuery::terms).unwrap_or_default() {
        query
            .push("\n  AND p.search_text LIKE ")
            .push_bind(like_pattern(term))
            .push(" ESCAPE '!'");
    }
}

const LIST_PRODUCTS_SELECT: &str = "\
SELECT p.id, p.name, p.price_cents, p.currency, p.stock,
       (SELECT i.thumb_name
        FROM product_images i
        WHERE i.product_id = p.id
        ORDER BY i.position, i.id
        LIMIT 1) AS thumb_name
FROM products p";

/// One page of the listing, in catalogue order.
pub async fn list_products(
    conn: &mut Connection,
    filter: &ProductFilter<'_>,
    page: PageNumber,
) -> Result<Vec<ProductCard>, DbError> {
    let size = catalogue::PAGE_SIZE;
    list(conn, filter, None, i64::from(size), page.offset(size)).await
}

/// Up to `limit` products after the id `after`, in id order (keyset
/// pagination for the API: stable while products are added).
pub async fn list_products_after(
    conn: &mut Connection,
    filter: &ProductFilter<'_>,
    after: Option<ProductId>,
    limit: i64,
) -> Result<Vec<ProductCard>, DbError> {
    list(conn, filter, after, limit, 0).await
}

async fn list(
    conn: &mut Connection,
    filter: &ProductFilter<'_>,
    after: Option<ProductId>,
    limit: i64,
    offset: i64,
) -> Result<Vec<ProductCard>, DbError> {
    let mut query = QueryBuilder::<Any>::new(LIST_PRODUCTS_SELECT);
    push_filter(&mut query, filter);
    if let Some(after) = after {
        query.push("\n  AND p.id > ").push_bind(after.get());
    }
    query
        .push("\nORDER BY p.id\nLIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    query
        .build_query_as::<ProductCardRow>()
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(ProductCard::try_from)
        .collect()
}

/// How many products the filter matches.
pub async fn count_products(
    conn: &mut Connection,
    filter: &ProductFilter<'_>,
) -> Result<i64, DbError> {
    let mut query = QueryBuilder::<Any>::new("SELECT COUNT(*) FROM products p");
    push_filter(&mut query, filter);
    let (count,): (i64,) = query.build_query_as().fetch_one(conn).await?;
    Ok(count)
}

/// A product as its own page shows it.
#[derive(Debug, Clone)]
pub struct ProductDetail {
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub price: Money,
    pub stock: Stock,
    pub category: Option<(String, String)>,
}

#[derive(sqlx::FromRow)]
struct ProductDetailRow {
    id: i64,
    sku: String,
    name: String,
    description: String,
    price_cents: i64,
    currency: String,
    stock: i64,
    category_slug: Option<String>,
    category_name: Option<String>,
}

const FIND_PRODUCT: &str = "\
SELECT p.id, p.sku, p.name, p.description, p.price_cents, p.currency, p.stock,
       c.slug AS category_slug, c.name AS category_name
FROM products p
LEFT JOIN categories c ON c.id = p.category_id
WHERE p.id = ?
  AND p.deleted_at IS NULL";

/// The product, unless it does not exist or was deleted.
pub async fn find_product(
    conn: &mut Connection,
    id: ProductId,
) -> Result<Option<ProductDetail>, DbError> {
    let Some(row) = sqlx::query_as::<_, ProductDetailRow>(FIND_PRODUCT)
        .bind(id.get())
        .fetch_optional(conn)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(ProductDetail {
        id: ProductId::try_from(row.id).map_err(|e| decode("products.id", e))?,
        sku: row.sku,
        name: row.name,
        description: row.description,
        price: money(row.price_cents, &row.currency)?,
        stock: Stock::new(row.stock).map_err(|e| decode("products.stock", e))?,
        category: row.category_slug.zip(row.category_name),
    }))
}

const COUNT_ALL_PRODUCTS: &str = "\
SELECT COUNT(*)
FROM products";

/// Every product row ever made, deleted ones included.
pub async fn count_all_products(conn: &mut Connection) -> Result<i64, DbError> {
    let (count,): (i64,) = sqlx::query_as(COUNT_ALL_PRODUCTS).fetch_one(conn).await?;
    Ok(count)
}

const FIND_PRODUCT_ID_BY_SKU: &str = "\
SELECT id
FROM products
WHERE sku = ?";

pub async fn find_product_id_by_sku(
    conn: &mut Connection,
    sku: &str,
) -> Result<Option<ProductId>, DbError> {
    let row: Option<(i64,)> = sqlx::query_as(FIND_PRODUCT_ID_BY_SKU)
        .bind(sku)
        .fetch_optional(conn)
        .await?;
    row.map(|(id,)| ProductId::try_from(id).map_err(|e| decode("products.id", e)))
        .transpose()
}

/// The fields of a new product.
pub struct NewProduct<'a> {
    pub sku: &'a str,
    pub category: Option<CategoryId>,
    pub name: &'a str,
    pub description: &'a str,
    pub price: Money,
    pub stock: Stock,
}

const INSERT_PRODUCT: &str = "\
INSERT INTO products (sku, category_id, name, description, price_cents, currency, stock, search_text, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

pub async fn insert_product(
    conn: &mut Connection,
    product: &NewProduct<'_>,
) -> Result<ProductId, DbError> {
    let at = now();
    let result = sqlx::query(INSERT_PRODUCT)
        .bind(product.sku)
        .bind(product.category.map(CategoryId::get))
        .bind(product.name)
        .bind(product.description)
        .bind(product.price.amount.get())
        .bind(product.price.currency.code().to_owned())
        .bind(product.stock.get())
        .bind(catalogue::search_text(product.name, product.description))
        .bind(at)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    ProductId::try_from(inserted_id(conn, &result).await?).map_err(|e| decode("products.id", e))
}

/// Changes to a product from the back office.
pub struct ProductUpdate<'a> {
    pub category: Option<CategoryId>,
    pub name: &'a str,
    pub description: &'a str,
    pub price: Money,
    pub stock: Stock,
}

const UPDATE_PRODUCT: &str = "\
UPDATE products
SET category_id = ?, name = ?, description = ?, price_cents = ?, currency = ?, stock = ?,
    search_text = ?, updated_at = ?
WHERE id = ?
  AND deleted_at IS NULL";

/// False when the product does not exist (or was deleted).
pub async fn update_product(
    conn: &mut Connection,
    id: ProductId,
    update: &ProductUpdate<'_>,
) -> Result<bool, DbError> {
    let result = sqlx::query(UPDATE_PRODUCT)
        .bind(update.category.map(CategoryId::get))
        .bind(update.name)
        .bind(update.description)
        .bind(update.price.amount.get())
        .bind(update.price.currency.code().to_owned())
        .bind(update.stock.get())
        .bind(catalogue::search_text(update.name, update.description))
        .bind(now())
        .bind(id.get())
        .execute(conn)
        .await?;
    Ok(result.rows_affected() == 1)
}

const SOFT_DELETE: &str = "\
UPDATE products
SET deleted_at = ?, updated_at = ?
WHERE id = ?
  AND deleted_at IS NULL";

/// Hides the product from the shop; orders keep their lines.
pub async fn soft_delete_product(conn: &mut Connection, id: ProductId) -> Result<bool, DbError> {
    let at = now();
    let result = sqlx::query(SOFT_DELETE)
        .bind(at)
        .bind(at)
        .bind(id.get())
        .execute(conn)
        .await?;
    Ok(result.rows_affected() == 1)
}

const SET_STOCK: &str = "\
UPDATE products
SET stock = ?, updated_at = ?
WHERE id = ?
  AND deleted_at IS NULL";

pub async fn set_stock(
    conn: &mut Connection,
    id: ProductId,
    stock: Stock,
) -> Result<bool, DbError> {
    let result = sqlx::query(SET_STOCK)
        .bind(stock.get())
        .bind(now())
        .bind(id.get())
        .execute(conn)
        .await?;
    Ok(result.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(like_pattern("50%"), "%50!%%");
        assert_eq!(like_pattern("a_b"), "%a!_b%");
        assert_eq!(like_pattern("hi!"), "%hi!!%");
        assert_eq!(like_pattern("o'neil\\"), "%o'neil\\%");
    }
}
