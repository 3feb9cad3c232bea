//! The demo catalogue: `seed_demo` adds every demo category and product
//! that is missing (by slug and SKU), so it is idempotent; `seed_if_empty`
//! runs it only for a shop that has never had a product. Each product gets
//! a picture drawn in code, stored like any uploaded image.
//!
//! May import: db, domain.

pub mod art;
pub mod catalogue;

use std::collections::HashMap;
use std::sync::OnceLock;

use anyhow::Context as _;

use crate::db::images::NewProductImage;
use crate::db::products::NewProduct;
use crate::db::{self, Db};
use crate::domain::{CategorySlug, Currency, Money, PriceCents, Stock};
use catalogue::{CATEGORIES, DemoProduct, PRODUCTS};

pub const IMAGE_SIZE: (u32, u32) = (640, 480);
pub const THUMB_SIZE: (u32, u32) = (320, 240);

/// A demo product's picture, encoded.
struct DemoPicture {
    full: Vec<u8>,
    thumb: Vec<u8>,
}

fn encode_jpeg(image: &image::RgbImage) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 86)
        .encode_image(image)
        .context("encoding a demo picture")?;
    Ok(out)
}

/// Every demo picture, drawn once per process: drawing is pure and
/// deterministic, and test binaries seed many shops.
fn pictures() -> anyhow::Result<&'static HashMap<&'static str, DemoPicture>> {
    static PICTURES: OnceLock<HashMap<&'static str, DemoPicture>> = OnceLock::new();
    if let Some(done) = PICTURES.get() {
        return Ok(done);
    }
    let drawn = PRODUCTS
        .iter()
        .map(|p| {
            let full = encode_jpeg(&art::render(&p.art, IMAGE_SIZE.0, IMAGE_SIZE.1))?;
            let thumb = encode_jpeg(&art::render(&p.art, THUMB_SIZE.0, THUMB_SIZE.1))?;
            Ok((p.sku, DemoPicture { full, thumb }))
        })
        .collect::<anyhow::Result<HashMap<_, _>>>()?;
    Ok(PICTURES.get_or_init(|| drawn))
}

/// Seeds the demo catalogue when the shop has never had a product.
pub async fn seed_if_empty(db: &Db) -> anyhow::Result<usize> {
    let mut conn = db.conn().await?;
    if db::products::count_all_products(&mut conn).await? > 0 {
        return Ok(0);
    }
    drop(conn);
    seed_demo(db).await
}

/// Adds the demo categories and products that are missing; returns how many
/// products were added.
pub async fn seed_demo(db: &Db) -> anyhow::Result<usize> {
    let pictures = tokio::task::spawn_blocking(pictures)
        .await
        .context("drawing demo pictures")??;
    let mut conn = db.conn().await?;
    let mut category_ids = HashMap::new();
    let mut new_categories = false;
    for (position, demo) in CATEGORIES.iter().enumerate() {
        let slug = CategorySlug::parse(demo.slug).context("demo category slug")?;
        let id = match db::categories::find_category_by_slug(&mut conn, &slug).await? {
            Some(found) => found.id,
            None => {
                match db::categories::insert_category(
                    &mut conn,
                    &slug,
                    demo.name,
                    demo.description,
                    i64::try_from(position)?,
                )
                .await
                {
                    Ok(id) => {
                        new_categories = true;
                        id
                    }
                    // Another instance seeding the same database won the race.
                    Err(e) if db::is_unique_violation(&e) => {
                        db::categories::find_category_by_slug(&mut conn, &slug)
                            .await?
                            .context("category vanished while seeding")?
                            .id
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        };
        category_ids.insert(demo.slug, id);
    }
    drop(conn);
    if new_categories {
        db::catalogue_cache::commit_catalogue_change(db, db.begin().await?).await?;
    }

    let mut added = 0;
    for demo in PRODUCTS {
        let picture = pictures.get(demo.sku).context("demo picture missing")?;
        if add_product(db, demo, category_ids.get(demo.category).copied(), picture).await? {
            added += 1;
        }
    }
    Ok(added)
}

/// Adds one product with its picture in one transaction; false when it is
/// already there.
async fn add_product(
    db: &Db,
    demo: &DemoProduct,
    category: Option<crate::domain::ids::CategoryId>,
    picture: &DemoPicture,
) -> anyhow::Result<bool> {
    let mut tx = db.begin().await?;
    db::catalogue_cache::lock_catalogue(&mut tx).await?;
    if db::products::find_product_id_by_sku(&mut tx, demo.sku)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let new = NewProduct {
        sku: demo.sku,
        category,
        name: demo.name,
        description: demo.description,
        price: Money::new(PriceCents::new(demo.price_cents)?, Currency::EUR),
        stock: Stock::new(demo.stock)?,
    };
    let id = match db::products::insert_product(&mut tx, &new).await {
        Ok(id) => id,
        Err(e) if db::is_unique_violation(&e) => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    let full_name = format!("{}.jpg", uuid::Uuid::new_v4().simple());
    let thumb_name = format!("{}.jpg", uuid::Uuid::new_v4().simple());
    db::images::insert_image_file(&mut tx, &full_name, "image/jpeg", &picture.full).await?;
    db::images::insert_image_file(&mut tx, &thumb_name, "image/jpeg", &picture.thumb).await?;
    db::images::insert_product_image(
        &mut tx,
        &NewProductImage {
            product: id,
            position: 0,
            full_name: &full_name,
            thumb_name: &thumb_name,
            width: IMAGE_SIZE.0,
            height: IMAGE_SIZE.1,
            alt: demo.name,
        },
    )
    .await?;
    db::catalogue_cache::commit_catalogue_change(db, tx).await?;
    Ok(true)
}
