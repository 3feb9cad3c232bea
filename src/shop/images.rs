//! Product pictures: an upload checked and re-encoded by `uploads`, stored
//! with its thumbnail and audit row in one transaction (nothing is stored
//! on any rejection), and a stored file found again to be served.
//!
//! May import: domain, db, error, uploads, shop::admin (the audit row).

use super::admin::products::target;
use super::admin::{Actor, audit};
use crate::db::images::NewProductImage;
use crate::db::{self, Db};
use crate::domain::ProductId;
use crate::error::AppError;
use crate::uploads::{self, ImageKind, UploadError};

/// A stored image and the type to serve it with.
#[derive(Debug)]
pub struct StoredImage {
    pub kind: ImageKind,
    pub bytes: Vec<u8>,
}

/// Adds the uploaded `bytes` as the product's last picture; refused with
/// the reason to show the uploader. `NotFound` for no such product.
#[tracing::instrument(skip_all, fields(product.id = %product, upload.bytes = bytes.len()))]
pub async fn add_product_image(
    db: &Db,
    actor: Actor<'_>,
    product: ProductId,
    bytes: Vec<u8>,
) -> Result<Result<(), UploadError>, AppError> {
    // Decoding and re-encoding take up to a second of CPU: off the runtime.
    let processed = match tokio::task::spawn_blocking(move || uploads::process(&bytes))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
    {
        Ok(processed) => processed,
        Err(e) => return Ok(Err(e)),
    };
    let full_name = uploads::stored_name(processed.kind);
    let thumb_name = uploads::stored_name(processed.thumb_kind);
    let mut tx = db.begin().await?;
    db::catalogue_cache::lock_catalogue(&mut tx).await?;
    let alt = db::products::find_product(&mut tx, product)
        .await?
        .ok_or(AppError::NotFound)?
        .name;
    let position = db::images::list_product_images(&mut tx, product)
        .await?
        .len();
    for (name, kind, bytes) in [
        (&full_name, processed.kind, &processed.bytes),
        (&thumb_name, processed.thumb_kind, &processed.thumb),
    ] {
        db::images::insert_image_file(&mut tx, name, kind.content_type(), bytes).await?;
    }
    db::images::insert_product_image(
        &mut tx,
        &NewProductImage {
            product,
            position: i64::try_from(position).unwrap_or(0),
            full_name: &full_name,
            thumb_name: &thumb_name,
            width: processed.width,
            height: processed.height,
            alt: &alt,
        },
    )
    .await?;
    audit(
        &mut tx,
        actor,
        "admin.product.image",
        &target(product),
        &full_name,
    )
    .await?;
    db::catalogue_cache::commit_catalogue_change(db, tx).await?;
    Ok(Ok(()))
}

/// The image stored under `name`, if the name is one the shop gives and
/// the stored type is one it serves.
#[tracing::instrument(skip_all)]
pub async fn find_image(db: &Db, name: &str) -> Result<Option<StoredImage>, AppError> {
    if !uploads::is_stored_name(name) {
        return Ok(None);
    }
    let mut conn = db.conn().await?;
    Ok(db::images::find_image_file(&mut conn, name)
        .await?
        .and_then(|file| {
            Some(StoredImage {
                kind: ImageKind::from_content_type(&file.content_type)?,
                bytes: file.bytes,
            })
        }))
}
