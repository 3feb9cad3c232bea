//! Image bytes and the pictures attached to products.

use super::{Connection, DbError, inserted_id, now};
use crate::domain::ProductId;

/// An image file as served from `/uploads/{name}`.
#[derive(Debug, sqlx::FromRow)]
pub struct ImageFile {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

const FIND_IMAGE_FILE: &str = "\
SELECT content_type, bytes
FROM image_files
WHERE name = ?";

pub async fn find_image_file(
    conn: &mut Connection,
    name: &str,
) -> Result<Option<ImageFile>, DbError> {
    sqlx::query_as::<_, ImageFile>(FIND_IMAGE_FILE)
        .bind(name)
        .fetch_optional(conn)
        .await
}

const INSERT_IMAGE_FILE: &str = "\
INSERT INTO image_files (name, content_type, bytes, created_at)
VALUES (?, ?, ?, ?)";

pub async fn insert_image_file(
    conn: &mut Connection,
    name: &str,
    content_type: &str,
    bytes: &[u8],
) -> Result<(), DbError> {
    sqlx::query(INSERT_IMAGE_FILE)
        .bind(name)
        .bind(content_type)
        .bind(bytes.to_vec())
        .bind(now())
        .execute(conn)
        .await?;
    Ok(())
}

/// A picture of a product: the full image and its thumbnail.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProductImage {
    pub id: i64,
    pub full_name: String,
    pub thumb_name: String,
    pub width: i64,
    pub height: i64,
    pub alt: String,
}

const LIST_PRODUCT_IMAGES: &str = "\
SELECT id, full_name, thumb_name, width, height, alt
FROM product_images
WHERE product_id = ?
ORDER BY position, id";

pub async fn list_product_images(
    conn: &mut Connection,
    product: ProductId,
) -> Result<Vec<ProductImage>, DbError> {
    sqlx::query_as::<_, ProductImage>(LIST_PRODUCT_IMAGES)
        .bind(product.get())
        .fetch_all(conn)
        .await
}

/// What a new product picture consists of.
pub struct NewProductImage<'a> {
    pub product: ProductId,
    pub position: i64,
    pub full_name: &'a str,
    pub thumb_name: &'a str,
    pub width: u32,
    pub height: u32,
    pub alt: &'a str,
}

const INSERT_PRODUCT_IMAGE: &str = "\
INSERT INTO product_images (product_id, position, full_name, thumb_name, width, height, alt, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

pub async fn insert_product_image(
    conn: &mut Connection,
    image: &NewProductImage<'_>,
) -> Result<i64, DbError> {
    let result = sqlx::query(INSERT_PRODUCT_IMAGE)
        .bind(image.product.get())
        .bind(image.position)
        .bind(image.full_name)
        .bind(image.thumb_name)
        .bind(i64::from(image.width))
        .bind(i64::from(image.height))
        .bind(image.alt)
        .bind(now())
        .execute(&mut *conn)
        .await?;
    inserted_id(conn, &result).await
}
