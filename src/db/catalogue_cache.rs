//! The catalogue kept in memory: categories, listing pages and counts per
//! filter, products with their pictures, each read from the database once
//! per catalogue version and then shared (behind an `Arc`) by every request.
//!
//! The version is one row, `catalogue_version`, raised by triggers in
//! every transaction that changes products, stock, prices, categories or
//! pictures (see [`lock_catalogue`] for the lock order). An instance re-reads it at most once a
//! second, one read shared by the requests that arrive meanwhile, so a
//! change made through another instance shows here within a second; a
//! change made here shows at once. Entries are keyed by the version they
//! were read under, so a read that raced a write is never served after the
//! write is known; the caches are bounded and emptied when the version
//! moves. Concurrent misses on one key wait for a single database read.
//!
//! Only shared catalogue rows live here: nothing about a visitor (cart,
//! account, CSRF token, flash) ever reaches this module.
//!
//! May import: domain, sqlx, quick_cache, tokio.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use quick_cache::sync::Cache;

use super::categories::Category;
use super::images::ProductImage;
use super::products::{ProductCard, ProductDetail, ProductFilter};
use super::{Connection, Db, DbError, Transaction};
use crate::domain::ids::CategoryId;
use crate::domain::{PageNumber, ProductId};

/// How long a version read from the database is trusted: the longest
/// another instance's change can stay unseen here.
const FRESH_FOR: Duration = Duration::from_secs(1);

// Bounds on entries: pages of 24 cards are a few kB each, products up to
// ~10 kB with a long description, so the whole cache stays within a few MB
// however many distinct searches arrive.
const LISTING_ENTRIES: usize = 512;
const PRODUCT_ENTRIES: usize = 1024;

/// (version read from the database, writes committed by this instance).
type Version = (i64, u64);

/// What a listing is filtered by, owned, as part of a key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct FilterKey {
    terms: Vec<String>,
    category: Option<CategoryId>,
}

impl FilterKey {
    fn of(filter: &ProductFilter<'_>) -> Self {
        Self {
            terms: filter
                .search
                .map(|s| s.terms().to_vec())
                .unwrap_or_default(),
            category: filter.category,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ListingKey {
    Count(FilterKey),
    Numbered(FilterKey, u32),
    After(FilterKey, Option<ProductId>, i64),
}

#[derive(Clone)]
enum ListingRows {
    Count(i64),
    Cards(Arc<Vec<ProductCard>>),
}

/// A product and its pictures in display order.
#[derive(Debug)]
pub struct ProductRows {
    pub product: ProductDetail,
    pub images: Vec<ProductImage>,
}

/// The per-instance cache; cheap to clone, one per [`Db`].
#[derive(Clone)]
pub struct CatalogueCache {
    inner: Arc<Inner>,
}

struct Inner {
    started: Instant,
    shared: AtomicI64,
    /// When `shared` was read, in ms since `started`; `u64::MAX`: never.
    read_at: AtomicU64,
    local: AtomicU64,
    refresh: tokio::sync::Mutex<()>,
    categories: Cache<Version, Arc<Vec<Category>>>,
    listings: Cache<(Version, ListingKey), ListingRows>,
    products: Cache<(Version, ProductId), Option<Arc<ProductRows>>>,
}

impl std::fmt::Debug for CatalogueCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CatalogueCache")
            .field("shared", &self.inner.shared.load(Ordering::Relaxed))
            .field("local", &self.inner.local.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Default for CatalogueCache {
    fn default() -> Self {
        Self {
            inner: Arc::new(Inner {
                started: Instant::now(),
                shared: AtomicI64::new(0),
                read_at: AtomicU64::new(u64::MAX),
                local: AtomicU64::new(0),
                refresh: tokio::sync::Mutex::new(()),
                categories: Cache::new(4),
                listings: Cache::new(LISTING_ENTRIES),
                products: Cache::new(PRODUCT_ENTRIES),
            }),
        }
    }
}

impl CatalogueCache {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.inner.started.elapsed().as_millis()).unwrap_or(u64::MAX - 1)
    }

    fn is_fresh(&self) -> bool {
        let read_at = self.inner.read_at.load(Ordering::Acquire);
        read_at != u64::MAX && self.now_ms().saturating_sub(read_at) < FRESH_FOR.as_millis() as u64
    }

    /// The version to read under: on the hot path two atomic loads; once a
    /// second one query, which concurrent requests wait for rather than
    /// repeat.
    async fn version(&self, db: &Db) -> Result<Version, DbError> {
        if !self.is_fresh() {
            let _one_reader = self.inner.refresh.lock().await;
            if !self.is_fresh() {
                // Taken before the query: the row read is at least this new.
                let asked_at = self.now_ms();
                let mut conn = db.conn().await?;
                let version = read_version(&mut conn).await?;
                drop(conn);
                if self.inner.shared.swap(version, Ordering::AcqRel) != version {
                    self.clear();
                }
                self.inner.read_at.store(asked_at, Ordering::Release);
            }
        }
        Ok((
            self.inner.shared.load(Ordering::Acquire),
            self.inner.local.load(Ordering::Acquire),
        ))
    }

    /// This instance committed a catalogue change: nothing read before it
    /// is served again.
    fn changed_here(&self) {
        self.inner.local.fetch_add(1, Ordering::AcqRel);
        self.clear();
    }

    fn clear(&self) {
        self.inner.categories.clear();
        self.inner.listings.clear();
        self.inner.products.clear();
    }

    async fn listing(
        &self,
        db: &Db,
        key: ListingKey,
        load: impl AsyncFnOnce(&mut Connection) -> Result<ListingRows, DbError>,
    ) -> Result<ListingRows, DbError> {
        let key = (self.version(db).await?, key);
        self.inner
            .listings
            .get_or_insert_async(&key, async {
                let mut conn = db.conn().await?;
                load(&mut conn).await
            })
            .await
    }
}

/// Every category, in navigation order.
pub async fn categories(db: &Db) -> Result<Arc<Vec<Category>>, DbError> {
    let cache = &db.catalogue;
    let version = cache.version(db).await?;
    cache
        .inner
        .categories
        .get_or_insert_async(&version, async {
            let mut conn = db.conn().await?;
            Ok(Arc::new(
                super::categories::list_categories(&mut conn).await?,
            ))
        })
        .await
}

/// How many products the filter matches.
pub async fn count_products(db: &Db, filter: &ProductFilter<'_>) -> Result<i64, DbError> {
    let key = ListingKey::Count(FilterKey::of(filter));
    let rows = db
        .catalogue
        .listing(db, key, async |conn| {
            Ok(ListingRows::Count(
                super::products::count_products(conn, filter).await?,
            ))
        })
        .await?;
    match rows {
        ListingRows::Count(n) => Ok(n),
        ListingRows::Cards(_) => Err(mixed_up()),
    }
}

/// One numbered page of the listing.
pub async fn list_products(
    db: &Db,
    filter: &ProductFilter<'_>,
    page: PageNumber,
) -> Result<Arc<Vec<ProductCard>>, DbError> {
    let key = ListingKey::Numbered(FilterKey::of(filter), page.get());
    let rows = db
        .catalogue
        .listing(db, key, async |conn| {
            Ok(ListingRows::Cards(Arc::new(
                super::products::list_products(conn, filter, page).await?,
            )))
        })
        .await?;
    cards(rows)
}

/// Up to `limit` products after `after`, in id order.
pub async fn list_products_after(
    db: &Db,
    filter: &ProductFilter<'_>,
    after: Option<ProductId>,
    limit: i64,
) -> Result<Arc<Vec<ProductCard>>, DbError> {
    let key = ListingKey::After(FilterKey::of(filter), after, limit);
    let rows = db
        .catalogue
        .listing(db, key, async |conn| {
            Ok(ListingRows::Cards(Arc::new(
                super::products::list_products_after(conn, filter, after, limit).await?,
            )))
        })
        .await?;
    cards(rows)
}

fn cards(rows: ListingRows) -> Result<Arc<Vec<ProductCard>>, DbError> {
    match rows {
        ListingRows::Cards(cards) => Ok(cards),
        ListingRows::Count(_) => Err(mixed_up()),
    }
}

/// Keys of counts and pages differ by variant, so this cannot happen; an
/// error rather than a panic all the same.
fn mixed_up() -> DbError {
    sqlx::Error::Protocol("catalogue cache entry of the wrong kind".into())
}

/// The product and its pictures, unless it does not exist or was deleted.
pub async fn find_product(db: &Db, id: ProductId) -> Result<Option<Arc<ProductRows>>, DbError> {
    let cache = &db.catalogue;
    let key = (cache.version(db).await?, id);
    cache
        .inner
        .products
        .get_or_insert_async(&key, async {
            let mut conn = db.conn().await?;
            let Some(product) = super::products::find_product(&mut conn, id).await? else {
                return Ok(None);
            };
            let images = super::images::list_product_images(&mut conn, id).await?;
            Ok(Some(Arc::new(ProductRows { product, images })))
        })
        .await
}

const BUMP_VERSION: &str = "\
UPDATE catalogue_version
SET version = version + 1
WHERE id = 1";

const READ_VERSION: &str = "\
SELECT version
FROM catalogue_version
WHERE id = 1";

async fn read_version(conn: &mut Connection) -> Result<i64, DbError> {
    let (version,): (i64,) = sqlx::query_as(READ_VERSION).fetch_one(conn).await?;
    Ok(version)
}

/// Takes the catalogue's write lock in `tx` before it touches any
/// catalogue row.
///
/// Triggers on `products`, `categories` and `product_images` raise the
/// version in the writing transaction whatever the statement (migration
/// 0003), so nothing can forget it. The counter is one row, though, and
/// a trigger locks it at the first catalogue row a transaction changes:
/// two checkouts taking stock of [A, B] and [B, C] would each hold a
/// product row and wait for the other on MariaDB. Raising it first puts
/// the counter before every product row in all transactions, so catalogue
/// writes queue instead of deadlocking.
pub async fn lock_catalogue(conn: &mut Connection) -> Result<(), DbError> {
    sqlx::query(BUMP_VERSION).execute(conn).await?;
    Ok(())
}

/// Commits a transaction that changed the catalogue, and drops what this
/// instance kept from before it at once (other instances notice within a
/// second through the version).
pub async fn commit_catalogue_change(db: &Db, tx: Transaction) -> Result<(), DbError> {
    tx.commit().await?;
    db.catalogue.changed_here();
    Ok(())
}
